import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../app/App";
import { backendError, type BackendHandlers, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, profile, validation } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

const PRESETS = [
  { label: "US", url: "https://api.smartsheet.com/2.0" },
  { label: "Gov", url: "https://api.smartsheetgov.com/2.0" },
  { label: "Europe", url: "https://api.smartsheet.eu/2.0" },
  { label: "Australia", url: "https://api.smartsheet.au/2.0" },
];

const REFUSED = profile({
  lastValidation: validation({
    ok: false,
    failure: "InvalidToken",
    message: "Smartsheet did not accept the API key (error 1002).",
  }),
});

function renderRefused(handlers: BackendHandlers = {}, p = REFUSED) {
  const backend = mockBackend({
    list_profiles: () => [p],
    get_profile: () => p,
    default_activity_start: () => ACTIVITY_START,
    connection_presets: () => PRESETS,
    get_activity_settings: () => activitySettings(),
    find_key_region: () => ({
      region: PRESETS[2]!,
      message:
        "This API key belongs to Smartsheet Europe (https://api.smartsheet.eu/2.0): Smartsheet there accepted it, as admin@example.com.",
    }),
    ...handlers,
  });
  return { ...renderWithProviders(<App />, { path: "/profiles/1" }), backend };
}

describe("Find the key's region (a refused key may be another region's)", () => {
  it("asks before sending the key to the other regions' hosts, then names the region", async () => {
    const { user, backend } = renderRefused();
    await user.click(await screen.findByRole("button", { name: "Find the key's region" }));
    const confirm = await screen.findByRole("dialog", { name: "Find the key's region" });
    // The connection's own host (US) is not among those the key goes to.
    expect(confirm).toHaveTextContent(
      "Seatkeeper will send this API key to Smartsheet's other regional API hosts (api.smartsheetgov.com, api.smartsheet.eu, api.smartsheet.au)",
    );
    expect(backend.callsTo("find_key_region")).toEqual([]);
    await user.click(within(confirm).getByRole("button", { name: "Ask the other regions" }));

    const found = await screen.findByTestId("region-search");
    expect(found).toHaveTextContent("The key belongs to Smartsheet Europe");
    expect(found).toHaveTextContent("https://api.smartsheet.eu/2.0");
    expect(backend.callsTo("find_key_region")).toEqual([{ profileId: 1 }]);
    await user.click(within(found).getByRole("button", { name: "Edit connection" }));
    expect(await screen.findByRole("dialog", { name: "Edit Connection & Credential" })).toBeInTheDocument();
  });

  it("sends nothing when the admin cancels", async () => {
    const { user, backend } = renderRefused();
    await user.click(await screen.findByRole("button", { name: "Find the key's region" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("find_key_region")).toEqual([]);
  });

  it("says when no other region accepted the key", async () => {
    const { user } = renderRefused({
      find_key_region: () => ({ region: null, message: "Smartsheet Gov, Europe, Australia did not accept this API key either." }),
    });
    await user.click(await screen.findByRole("button", { name: "Find the key's region" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Ask the other regions" }));
    const none = await screen.findByTestId("region-search");
    expect(none).toHaveTextContent("No other region accepted the key");
    expect(within(none).queryByRole("button", { name: "Edit connection" })).toBeNull();
  });

  it("shows an error that prevents asking", async () => {
    const { user } = renderRefused({
      find_key_region: () => {
        throw backendError("Conflict", "The API key of the connection “Smartsheet US” is missing from the system keychain.");
      },
    });
    await user.click(await screen.findByRole("button", { name: "Find the key's region" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Ask the other regions" }));
    expect(await screen.findByText(/is missing from the system keychain/)).toBeInTheDocument();
  });

  it("is offered only for a refused key", async () => {
    renderRefused({}, profile({ lastValidation: validation({ ok: false, failure: "Unreachable", message: "Could not reach Smartsheet." }) }));
    await screen.findByText("Could not reach Smartsheet.");
    expect(screen.queryByRole("button", { name: "Find the key's region" })).toBeNull();
  });
});
