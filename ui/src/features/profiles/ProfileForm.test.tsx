import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import dayjs from "dayjs";
import customParseFormat from "dayjs/plugin/customParseFormat";
import { describe, expect, it } from "vitest";

import { App } from "../../app/App";
import { backendError, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, connection, profile } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

dayjs.extend(customParseFormat);

const common = {
  list_profiles: () => [profile()],
  default_activity_start: () => ACTIVITY_START,
  connection_presets: () => [
    { label: "US", url: "https://api.smartsheet.com/2.0" },
    { label: "Gov", url: "https://api.smartsheetgov.com/2.0" },
  ],
  list_connections: () => [connection()],
  get_activity_settings: () => activitySettings(),
};

async function openNewProfile() {
  const backend = mockBackend({
    ...common,
    list_profiles: () => [],
    create_profile: ({ input }) => profile({ id: 9, displayName: input.displayName }),
  });
  const view = renderWithProviders(<App />, { path: "/profiles/new" });
  await screen.findByLabelText("Display Name");
  return { backend, ...view };
}

describe("profile form", () => {
  it("shows the procedure's fixed fields: Draft, Smartsheet Subscription, the three subflows", async () => {
    await openNewProfile();
    expect(screen.getByTestId("profile-status")).toHaveTextContent("Draft");
    expect(screen.getByLabelText("Profile Type")).toHaveValue("Smartsheet Subscription");
    expect(screen.getAllByLabelText("Subflow").map((input) => (input as HTMLInputElement).value)).toEqual([
      "Smartsheet Download Subscriptions",
      "Smartsheet Update User Activity",
      "Smartsheet Reclaim Subscription",
    ]);
    expect(screen.getByLabelText("Download activity")).toBeChecked();
    expect(screen.getByLabelText("Reclaim subscriptions")).toBeChecked();
    expect(
      screen.getByText("If you clear it, removal candidates are still created but never reclaimed."),
    ).toBeInTheDocument();
  });

  it("requires a Display Name before creating anything (the connection can come after saving)", async () => {
    const { user, backend } = await openNewProfile();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Enter a Display Name for the profile.")).toBeInTheDocument();
    expect(screen.getByLabelText("Display Name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("group", { name: "Connection & Credential" })).not.toHaveAccessibleDescription();
    expect(backend.callsTo("create_profile")).toEqual([]);
  });

  it("keeps Download subscriptions checked: it can't be cleared", async () => {
    const { user } = await openNewProfile();
    const checkbox = screen.getByLabelText("Download subscriptions");
    expect(checkbox).toBeChecked();
    expect(checkbox).toBeDisabled();
    await user.click(checkbox);
    expect(checkbox).toBeChecked();
  });

  it("disables “Analyze user activity from” while Download activity is cleared", async () => {
    const { user } = await openNewProfile();
    const analyze = screen.getByLabelText("Analyze user activity from");
    expect(analyze).toBeEnabled();
    await user.click(screen.getByLabelText("Download activity"));
    expect(analyze).toBeDisabled();
    expect(
      screen.getByText(/If you clear it, the “Refresh <Display Name> Events” job isn't created/),
    ).toBeInTheDocument();
    await user.click(screen.getByLabelText("Download activity"));
    expect(analyze).toBeEnabled();
  });

  it("offers “Analyze user activity from” days from 60 days back up to today only", async () => {
    const { user } = await openNewProfile();
    const analyze = screen.getByLabelText("Analyze user activity from");
    expect(analyze).toHaveTextContent(dayjs(ACTIVITY_START).format("YYYY-MM-DD HH:mm"));
    await user.click(analyze);
    const days = await screen.findAllByRole("button", { name: /^\d{1,2} \w+ \d{4}$/ });
    expect(days.length).toBeGreaterThanOrEqual(28);
    expect(days.some((day) => !day.hasAttribute("disabled"))).toBe(true);
    for (const day of days) {
      const date = dayjs(day.getAttribute("aria-label"), "D MMMM YYYY", true);
      expect(date.isValid()).toBe(true);
      const outOfBounds = date.isBefore(dayjs(ACTIVITY_START), "day") || date.isAfter(dayjs(), "day");
      expect(day.hasAttribute("disabled"), day.getAttribute("aria-label") ?? "").toBe(outOfBounds);
    }
  });

  async function fillNewProfile(user: UserEvent) {
    await user.type(screen.getByLabelText("Display Name"), "Acme");
    await user.click(screen.getByRole("button", { name: "Set up connection" }));
    const dialog = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
    await user.type(await within(dialog).findByLabelText("Name"), "Smartsheet US");
    await user.type(within(dialog).getByLabelText("API Key"), "0123456789abcdefghij1a2b");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  }

  it("creates a Draft profile with its new connection, then opens it", async () => {
    const { user, backend, location } = await openNewProfile();
    await fillNewProfile(user);
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(location.history.at(-1)).toBe("/profiles/9"));
    expect(backend.callsTo("create_profile")).toEqual([
      {
        input: { displayName: "Acme", downloadActivity: true, analyzeActivityFrom: null, reclaimSubscriptions: true },
        connection: {
          kind: "new",
          name: "Smartsheet US",
          url: "https://api.smartsheet.com/2.0",
          apiKey: "0123456789abcdefghij1a2b",
        },
      },
    ]);
  });

  it("shows the backend's connection errors on the Connection & Credential field", async () => {
    mockBackend({
      ...common,
      list_profiles: () => [],
      create_profile: () => {
        throw backendError(
          "Validation",
          "A connection named “Smartsheet US” already exists. Choose another Name, or use that connection.",
          "name",
        );
      },
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/new" });
    await screen.findByLabelText("Display Name");
    await fillNewProfile(user);
    await user.click(screen.getByRole("button", { name: "Save" }));
    const field = await screen.findByRole("group", { name: "Connection & Credential" });
    expect(field).toHaveAccessibleDescription(/A connection named “Smartsheet US” already exists/);
  });

  it("shows the backend's Validation error on the field it names", async () => {
    mockBackend({
      ...common,
      get_profile: () => profile(),
      update_profile: () => {
        throw backendError(
          "Validation",
          "A profile named “Globex” already exists. Choose another Display Name.",
          "displayName",
        );
      },
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    const name = await screen.findByLabelText("Display Name");
    await user.clear(name);
    await user.type(name, "Globex");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(
      await screen.findByText("A profile named “Globex” already exists. Choose another Display Name."),
    ).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByRole("alert", { name: /Could not save/ })).not.toBeInTheDocument();
  });

  it("shows other backend errors in an alert with their message", async () => {
    mockBackend({
      ...common,
      get_profile: () => profile(),
      update_profile: () => {
        throw backendError("Database", "Seatkeeper could not read or write its database (disk full).");
      },
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not save the profile");
    expect(alert).toHaveTextContent("disk full");
  });

  it("warns that clearing Download activity returns a Published profile to Draft", async () => {
    mockBackend({ ...common, get_profile: () => profile({ status: "Published" }) });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByLabelText("Download activity"));
    expect(screen.getByTestId("unpublish-warning")).toHaveTextContent("Saving returns this profile to Draft");
  });
});
