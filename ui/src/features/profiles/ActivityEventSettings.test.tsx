import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { ActivitySettings } from "../../bindings/sync";
import { App } from "../../app/App";
import { backendError, type BackendHandlers, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, profile, validation } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

const FIELD = "Don't count these event types";

function renderProfile(settings: ActivitySettings, handlers: BackendHandlers = {}, p = profile()) {
  const backend = mockBackend({
    list_profiles: () => [p],
    get_profile: () => p,
    default_activity_start: () => ACTIVITY_START,
    get_activity_settings: () => settings,
    ...handlers,
  });
  return { ...renderWithProviders(<App />, { path: "/profiles/1" }), backend };
}

describe("activity event settings", () => {
  it("shows the default (every user-initiated event) and the expected source before the first run", async () => {
    const { backend } = renderProfile(activitySettings(), {}, profile({ lastValidation: validation() }));
    expect(await screen.findByTestId("activity-kinds-summary")).toHaveTextContent("Every user-initiated event");
    expect(screen.getByTestId("activity-source")).toHaveTextContent(
      "Not yet known: Event Reporting stream expected",
    );
    expect(screen.getByLabelText(FIELD, { selector: "input" })).toHaveAttribute("placeholder", "None: every user-initiated event counts");
    expect(screen.getByRole("button", { name: "Save event types" })).toBeDisabled();
    expect(backend.callsTo("get_activity_settings")).toEqual([{ profileId: 1 }]);
  });

  it("shows the source in use and the stored exclusions", async () => {
    renderProfile(activitySettings({ activitySource: "last_login", excludedEventKinds: ["USER:LOGIN"] }));
    expect(await screen.findByTestId("activity-source")).toHaveTextContent("Last login dates");
    expect(screen.getByTestId("activity-kinds-summary")).toHaveTextContent(
      "Every user-initiated event except 1 type",
    );
  });

  it("is not shown for a new profile", async () => {
    mockBackend({ list_profiles: () => [], default_activity_start: () => ACTIVITY_START, list_connections: () => [] });
    renderWithProviders(<App />, { path: "/profiles/new" });
    await screen.findByLabelText("Display Name");
    expect(screen.queryByTestId("activity-settings")).not.toBeInTheDocument();
  });

  it("saves the excluded kinds on their own, and shows what was stored", async () => {
    let stored = activitySettings({ activitySource: "events", hasStreamPosition: true });
    const { user, backend } = renderProfile(activitySettings(), {
      get_activity_settings: () => stored,
      set_activity_settings: ({ excludedEventKinds }) => {
        stored = { ...stored, excludedEventKinds: [...excludedEventKinds].sort(), hasStreamPosition: false };
        return stored;
      },
    });
    const input = await screen.findByLabelText(FIELD, { selector: "input" });
    await user.type(input, "sheet:load{Enter}");
    await user.type(input, "access_token:*{Enter}");
    expect(screen.getByTestId("activity-kinds-summary")).toHaveTextContent("except 2 types");
    await user.click(screen.getByRole("button", { name: "Save event types" }));

    await waitFor(() =>
      expect(backend.callsTo("set_activity_settings")).toEqual([
        { profileId: 1, excludedEventKinds: ["SHEET:LOAD", "ACCESS_TOKEN:*"] },
      ]),
    );
    // Enter added tags and never submitted the profile form around the control.
    expect(backend.callsTo("update_profile")).toEqual([]);
    // Refetched after the save, and clean again.
    await waitFor(() => expect(backend.callsTo("get_activity_settings").length).toBeGreaterThan(1));
    await waitFor(() => expect(screen.getByRole("button", { name: "Save event types" })).toBeDisabled());
    expect(screen.getByTestId("activity-kinds-summary")).toHaveTextContent("except 2 types");
  });

  it("shows the backend's Validation error on the control", async () => {
    const message = "“*:*” would exclude every event, so no user would ever count as active.";
    const { user } = renderProfile(activitySettings(), {
      set_activity_settings: () => {
        throw backendError("Validation", message, "excludedEventKinds");
      },
    });
    const input = await screen.findByLabelText(FIELD, { selector: "input" });
    await user.type(input, "*:*{Enter}");
    await user.click(screen.getByRole("button", { name: "Save event types" }));
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByRole("alert", { name: /Could not save/ })).not.toBeInTheDocument();
  });

  it("shows other backend errors in an alert", async () => {
    const { user } = renderProfile(activitySettings(), {
      set_activity_settings: () => {
        throw backendError("Database", "Seatkeeper could not read or write its database (disk full).");
      },
    });
    const input = await screen.findByLabelText(FIELD, { selector: "input" });
    await user.type(input, "USER:LOGIN{Enter}");
    await user.click(screen.getByRole("button", { name: "Save event types" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not save the activity event types");
    expect(alert).toHaveTextContent("disk full");
  });
});
