import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../app/App";
import type { Connection } from "../../bindings/profiles";
import { backendError, type BackendHandlers, connectionStore, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, connection, profile } from "../../test/fixtures";
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

const PROBE_URL = "https://seatkeeper-probe.invalid/2.0";
const PROBE_HOST = "seatkeeper-probe.invalid";
const OTHER_KEY = "Qw3rTy0123456789uiop9z8y";

async function choosePreset(user: UserEvent, dialog: HTMLElement, name: RegExp) {
  await user.click(within(dialog).getByRole("textbox", { name: "Connection URL" }));
  await user.click(await screen.findByRole("option", { name }));
}

/** A new profile whose connection is set up in the dialog; create_profile answers as the core does. */
async function openNewProfile() {
  const store = connectionStore([]);
  const backend = mockBackend({
    ...common,
    get_activity_settings: () => activitySettings(),
    create_profile: ({ input, connection: choice }) => {
      if (choice?.kind !== "new") throw backendError("Internal", "not in this test");
      return profile({ id: 9, displayName: input.displayName, connection: store.create(choice) });
    },
  });
  const view = renderWithProviders(<App />, { path: "/profiles/new" });
  await view.user.type(await screen.findByLabelText("Display Name"), "Acme");
  return { ...view, backend };
}

async function openConnectionDialog(user: UserEvent, button: "Set up connection" | "Edit connection") {
  await user.click(screen.getByRole("button", { name: button }));
  const dialog = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
  await within(dialog).findByLabelText("Name");
  return dialog;
}

/** The profile page of a saved profile on `saved`, with update_connection answered as the core does. */
async function openEditDialog(saved: Connection) {
  const store = connectionStore([saved]);
  const current = () => profile({ connection: store.get(saved.id) });
  const backend = mockBackend({
    ...common,
    ...store.handlers,
    list_profiles: () => [current()],
    get_profile: () => current(),
    get_activity_settings: () => activitySettings(),
  });
  const view = renderWithProviders(<App />, { path: "/profiles/1" });
  await view.user.click(await screen.findByRole("button", { name: "Edit connection" }));
  const dialog = await screen.findByRole("dialog", { name: "Edit Connection & Credential" });
  await within(dialog).findByLabelText("Name");
  return { ...view, backend, store, dialog };
}

describe("where the API key may go", () => {
  it("warns about a host that is not Smartsheet's, naming it, and sends the key there only once confirmed", async () => {
    const { user, backend } = await openNewProfile();
    const dialog = await openConnectionDialog(user, "Set up connection");
    await user.type(within(dialog).getByLabelText("Name"), "Probe");
    await chooseCustomUrl(user, dialog, PROBE_URL);
    await user.type(within(dialog).getByLabelText("API Key"), API_KEY);

    const warning = within(dialog).getByRole("note", { name: "Not one of Smartsheet's API hosts" });
    expect(warning).toHaveTextContent(
      `${PROBE_HOST} is not one of Smartsheet's API hosts. Seatkeeper would send your API key to ${PROBE_HOST}.`,
    );
    const confirm = within(warning).getByRole("checkbox", { name: `Send my API key to ${PROBE_HOST}` });
    expect(confirm).not.toBeChecked();

    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    const refusal = `Confirm that your API key may be sent to ${PROBE_HOST}, or choose your region's Connection URL.`;
    expect(await within(dialog).findByText(refusal)).toBeInTheDocument();
    expect(confirm).toHaveAttribute("aria-invalid", "true");
    expect(confirm).toHaveAccessibleDescription(refusal);
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("Not set up yet");

    await user.click(confirm);
    expect(confirm).toBeChecked();
    expect(within(dialog).queryByText(refusal)).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.callsTo("create_profile")).toHaveLength(1));
    expect(backend.callsTo("create_profile")[0]!.connection).toEqual({
      kind: "new",
      name: "Probe",
      url: PROBE_URL,
      apiKey: API_KEY,
      trustedHost: PROBE_HOST,
    });
  });

  it("asks again for another host: the confirmation is for one host", async () => {
    const { user, dialog } = await openCreateDialog();
    const custom = await chooseCustomUrl(user, dialog, "https://gateway.example.com/2.0");
    await user.click(within(dialog).getByRole("checkbox", { name: "Send my API key to gateway.example.com" }));
    expect(within(dialog).getByRole("checkbox", { name: "Send my API key to gateway.example.com" })).toBeChecked();

    // Only the path changes: still the confirmed host.
    await user.type(custom, "/x");
    expect(within(dialog).getByRole("checkbox", { name: "Send my API key to gateway.example.com" })).toBeChecked();

    await user.clear(custom);
    await user.type(custom, PROBE_URL);
    const confirm = within(dialog).getByRole("checkbox", { name: `Send my API key to ${PROBE_HOST}` });
    expect(confirm).not.toBeChecked();
    expect(within(dialog).getByRole("note")).toHaveTextContent(`Seatkeeper would send your API key to ${PROBE_HOST}.`);
  });

  it.each([
    ["the US preset", null],
    ["a custom Smartsheet region URL", "https://api.smartsheet.eu/2.0"],
    ["a simulator on this computer", "http://127.0.0.1:8082/2.0"],
  ])("does not warn for %s", async (_what, customUrl) => {
    const { user, dialog } = await openCreateDialog();
    if (customUrl !== null) await chooseCustomUrl(user, dialog, customUrl);
    expect(within(dialog).queryByRole("note")).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("checkbox")).not.toBeInTheDocument();
  });

  it("starts confirmed when editing a connection whose confirmed host is its URL's, and keeps it", async () => {
    const gateway = connection({ url: "https://gateway.example.com/smartsheet/2.0", trustedHost: "gateway.example.com" });
    const { user, backend, dialog } = await openEditDialog(gateway);
    expect(within(dialog).getByLabelText("Custom URL")).toHaveValue("https://gateway.example.com/smartsheet/2.0");
    expect(within(dialog).getByRole("checkbox", { name: "Send my API key to gateway.example.com" })).toBeChecked();

    const name = within(dialog).getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Gateway");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("update_connection")).toEqual([
      {
        id: 7,
        update: { name: "Gateway", url: "https://gateway.example.com/smartsheet/2.0", trustedHost: "gateway.example.com" },
      },
    ]);
  });

  it("edit: a URL on another origin needs the API key again; nothing is sent with a blank key", async () => {
    const { user, backend, store, dialog } = await openEditDialog(connection());
    await choosePreset(user, dialog, /^Europe/);
    const key = within(dialog).getByLabelText("API Key");
    expect(key).toHaveAttribute("placeholder", "The Connection URL points at a new address: enter the API key again.");
    expect(key).toBeRequired();

    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(
      await within(dialog).findByText("The Connection URL points at a new address: enter the API key again."),
    ).toBeInTheDocument();
    expect(key).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsTo("update_connection")).toEqual([]);

    await user.type(key, OTHER_KEY);
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("update_connection")).toEqual([
      { id: 7, update: { name: "Smartsheet US", url: "https://api.smartsheet.eu/2.0", apiKey: OTHER_KEY } },
    ]);
    expect(store.get(7)).toMatchObject({ url: "https://api.smartsheet.eu/2.0", keyLastFour: "9z8y" });
  });

  it("edit: a new path on the same origin keeps the current key (no apiKey sent)", async () => {
    const { user, backend, store, dialog } = await openEditDialog(connection());
    await chooseCustomUrl(user, dialog, "https://api.smartsheet.com/2.0/");
    const key = within(dialog).getByLabelText("API Key");
    expect(key).toHaveAttribute("placeholder", expect.stringContaining("Leave blank to keep the current key"));
    expect(key).not.toBeRequired();

    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("update_connection")).toEqual([
      { id: 7, update: { name: "Smartsheet US", url: "https://api.smartsheet.com/2.0/" } },
    ]);
    expect(store.get(7)).toMatchObject({ url: "https://api.smartsheet.com/2.0", keyLastFour: "1a2b" });
  });

  it("edit: the demo organization's URL cannot be changed, its name can", async () => {
    const demo = connection({ name: "Demo organization", url: "http://127.0.0.1:8082/2.0", isDemo: true });
    const { user, backend, dialog } = await openEditDialog(demo);
    const preset = within(dialog).getByRole("textbox", { name: "Connection URL" });
    const custom = within(dialog).getByLabelText("Custom URL");
    expect(preset).toBeDisabled();
    expect(custom).toBeDisabled();
    expect(custom).toHaveValue("http://127.0.0.1:8082/2.0");
    expect(preset).toHaveAccessibleDescription(
      "The demo organization's connection always points at the simulated organization. To connect your own Smartsheet organization, create a new connection.",
    );

    const name = within(dialog).getByLabelText("Name");
    expect(name).toBeEnabled();
    await user.clear(name);
    await user.type(name, "Demo (simulated)");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("update_connection")).toEqual([
      { id: 7, update: { name: "Demo (simulated)", url: "http://127.0.0.1:8082/2.0" } },
    ]);
  });

  it("new profile: the key entered earlier is reused on the same origin only", async () => {
    const { user, backend } = await openNewProfile();
    let dialog = await openConnectionDialog(user, "Set up connection");
    await user.type(within(dialog).getByLabelText("Name"), "Smartsheet US");
    await user.type(within(dialog).getByLabelText("API Key"), API_KEY);
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    // Reopened on another origin, a blank API Key is refused rather than sending the earlier key there.
    dialog = await openConnectionDialog(user, "Edit connection");
    await choosePreset(user, dialog, /^Europe/);
    const key = within(dialog).getByLabelText("API Key");
    expect(key).toHaveAttribute("placeholder", "The Connection URL points at a new address: enter the API key again.");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(
      await within(dialog).findByText("The Connection URL points at a new address: enter the API key again."),
    ).toBeInTheDocument();
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("https://api.smartsheet.com/2.0");

    // Back on the first origin, the earlier key is kept.
    await choosePreset(user, dialog, /^US/);
    expect(key).toHaveAttribute("placeholder", "Leave blank to keep the key you entered");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    // On another origin with a new key, that key goes with it.
    dialog = await openConnectionDialog(user, "Edit connection");
    await choosePreset(user, dialog, /^Europe/);
    await user.type(within(dialog).getByLabelText("API Key"), OTHER_KEY);
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.callsTo("create_profile")).toHaveLength(1));
    expect(backend.callsTo("create_profile")[0]!.connection).toEqual({
      kind: "new",
      name: "Smartsheet US",
      url: "https://api.smartsheet.eu/2.0",
      apiKey: OTHER_KEY,
    });
  });
});
