import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../app/App";
import { backendError, type BackendHandlers, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, connection, profile } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

const API_KEY = "sk9Xv2T0pLq7Wm4Rz8Yb1a2b";

const common: BackendHandlers = {
  list_profiles: () => [],
  default_activity_start: () => ACTIVITY_START,
  connection_presets: () => [
    { label: "US", url: "https://api.smartsheet.com/2.0" },
    { label: "Europe", url: "https://api.smartsheet.eu/2.0" },
  ],
  list_connections: () => [],
};

async function openCreateDialog(handlers: BackendHandlers = {}) {
  mockBackend({ ...common, ...handlers });
  const view = renderWithProviders(<App />, { path: "/profiles/new" });
  await view.user.click(await screen.findByRole("button", { name: "Set up connection" }));
  const dialog = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
  await within(dialog).findByLabelText("Name");
  return { ...view, dialog };
}

async function chooseCustomUrl(user: UserEvent, dialog: HTMLElement, url: string) {
  await user.click(within(dialog).getByRole("textbox", { name: "Connection URL" }));
  await user.click(await screen.findByRole("option", { name: "Custom URL…" }));
  const custom = within(dialog).getByLabelText("Custom URL");
  await user.type(custom, url);
  return custom;
}

describe("Connection & Credential dialog", () => {
  it("offers the region presets and creates with the US one by default", async () => {
    const { user, dialog } = await openCreateDialog();
    expect(within(dialog).getByRole("textbox", { name: "Connection URL" })).toHaveValue(
      "US — https://api.smartsheet.com/2.0",
    );
    await user.type(within(dialog).getByLabelText("Name"), "Smartsheet US");
    await user.type(within(dialog).getByLabelText("API Key"), API_KEY);
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("https://api.smartsheet.com/2.0");
  });

  it("rejects a custom http:// URL that is not on this computer", async () => {
    const { user, dialog } = await openCreateDialog();
    await user.type(within(dialog).getByLabelText("Name"), "Somewhere");
    const custom = await chooseCustomUrl(user, dialog, "http://example.com");
    await user.type(within(dialog).getByLabelText("API Key"), API_KEY);
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await within(dialog).findByText(/must start with https:\/\//)).toBeInTheDocument();
    expect(custom).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
  });

  it("accepts a custom http:// URL on loopback, for a simulator", async () => {
    const { user, dialog } = await openCreateDialog();
    await user.type(within(dialog).getByLabelText("Name"), "Simulator");
    await chooseCustomUrl(user, dialog, "http://127.0.0.1:8080/2.0");
    await user.type(within(dialog).getByLabelText("API Key"), API_KEY);
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("http://127.0.0.1:8080/2.0");
  });

  it("requires the API Key for a new connection", async () => {
    const { user, dialog } = await openCreateDialog();
    await user.type(within(dialog).getByLabelText("Name"), "Smartsheet US");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await within(dialog).findByText(/Enter the API Key/)).toBeInTheDocument();
    expect(within(dialog).getByLabelText("API Key")).toHaveAttribute("aria-invalid", "true");
  });

  it("never shows the key back: the summary has only its last four characters", async () => {
    const { user, dialog } = await openCreateDialog();
    await user.type(within(dialog).getByLabelText("Name"), "Smartsheet US");
    const key = within(dialog).getByLabelText("API Key");
    expect(key).toHaveAttribute("type", "password");
    await user.type(key, API_KEY);
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    expect(screen.getByTestId("connection-summary")).toHaveTextContent("•••• 1a2b");
    expect(document.body.innerHTML).not.toContain(API_KEY);
    // Reopened, the dialog leaves the key blank rather than filling it in again.
    await user.click(screen.getByRole("button", { name: "Edit connection" }));
    const reopened = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
    expect(await within(reopened).findByLabelText("API Key")).toHaveValue("");
    expect(document.body.innerHTML).not.toContain(API_KEY);
  });

  it("lets a new profile use an existing connection (a child alias)", async () => {
    const shared = connection({ id: 4, name: "Shared US", profileCount: 2 });
    const { user, dialog } = await openCreateDialog({ list_connections: () => [shared] });
    await user.click(within(dialog).getByLabelText("Use an existing connection"));
    await user.click(within(dialog).getByRole("textbox", { name: "Existing connection" }));
    await user.click(await screen.findByRole("option", { name: /Shared US/ }));
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("Shared US");
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("•••• 1a2b");
  });

  it("edits a saved connection: a blank API Key keeps the key, backend field errors land on the field", async () => {
    let attempt = 0;
    const backend = mockBackend({
      ...common,
      list_profiles: () => [profile()],
      get_profile: () => profile(),
      update_connection: ({ update }) => {
        attempt += 1;
        if (attempt === 1)
          throw backendError(
            "Validation",
            "A connection named “Other” already exists. Choose another Name, or use that connection.",
            "name",
          );
        return connection({ name: update.name });
      },
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByRole("button", { name: "Edit connection" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit Connection & Credential" });
    const name = await within(dialog).findByLabelText("Name");
    expect(within(dialog).getByLabelText("API Key")).toHaveValue("");
    expect(within(dialog).getByLabelText("API Key")).toHaveAttribute(
      "placeholder",
      expect.stringContaining("•••• 1a2b"),
    );

    await user.clear(name);
    await user.type(name, "Other");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText(/A connection named “Other” already exists/)).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");

    await user.clear(name);
    await user.type(name, "Renamed");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("update_connection").at(-1)).toEqual({
      id: 7,
      update: { name: "Renamed", url: "https://api.smartsheet.com/2.0" },
    });
  });
});
