import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { ConnectionChoice, Profile } from "../../bindings/profiles";
import { App } from "../../app/App";
import { backendError, type BackendHandlers, connectionStore, mockBackend } from "../../lib/mockBackend";
import { ACTIVITY_START, activitySettings, connection, profile, validation } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

const PRESETS = [
  { label: "US", url: "https://api.smartsheet.com/2.0" },
  { label: "EU", url: "https://api.smartsheet.eu/2.0" },
];

/**
 * A backend with the core's rules for profiles and their connections: create_profile with or
 * without a connection, set_profile_connection (a changed connection returns the profile to Draft
 * without its validation), and the connections' own rules (connectionStore).
 */
function backendWith(
  initial: Profile[],
  connections = [connection({ profileCount: 0 })],
  overrides: BackendHandlers = {},
) {
  const store = connectionStore(connections);
  const profiles = new Map(initial.map((p) => [p.id, p]));
  for (const p of initial) if (p.connection) store.use(p.connection.id, 1);
  const get = (id: number) => {
    const found = profiles.get(id);
    if (!found) throw backendError("NotFound", `The integration profile (id ${id}) no longer exists.`);
    return found;
  };
  const resolve = (choice: ConnectionChoice) => {
    const chosen = choice.kind === "new" ? store.create(choice) : store.get(choice.connectionId);
    store.use(chosen.id, 1);
    return store.get(chosen.id);
  };
  const backend = mockBackend({
    ...store.handlers,
    list_profiles: () => [...profiles.values()],
    get_profile: ({ id }) => get(id),
    default_activity_start: () => ACTIVITY_START,
    connection_presets: () => PRESETS,
    get_activity_settings: () => activitySettings(),
    create_profile: ({ input, connection: choice }) => {
      const created = profile({
        id: 9,
        displayName: input.displayName,
        connection: choice === null ? null : resolve(choice),
      });
      profiles.set(created.id, created);
      return created;
    },
    set_profile_connection: ({ id, connection: choice }) => {
      const current = get(id);
      if (current.connection) store.use(current.connection.id, -1);
      const moved: Profile = { ...current, connection: resolve(choice), status: "Draft", lastValidation: null };
      profiles.set(id, moved);
      return moved;
    },
    validate_connection: ({ profileId }) => {
      const current = get(profileId);
      if (current.connection === null) throw backendError("Conflict", "no connection");
      const result = validation();
      profiles.set(profileId, { ...current, lastValidation: result });
      return result;
    },
    ...overrides,
  });
  return { backend, store };
}

describe("Save first, then Create New Connection & Credential (the procedure's order)", () => {
  it("saves a new Draft profile without a connection", async () => {
    const { backend } = backendWith([]);
    const { user, location } = renderWithProviders(<App />, { path: "/profiles/new" });
    await user.type(await screen.findByLabelText("Display Name"), "Acme");
    expect(screen.getByTestId("connection-summary")).toHaveTextContent(/Save the profile first/);
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(location.history.at(-1)).toBe("/profiles/9"));
    expect(backend.callsTo("create_profile")).toEqual([
      {
        input: { displayName: "Acme", downloadActivity: true, analyzeActivityFrom: null, reclaimSubscriptions: true },
        connection: null,
      },
    ]);
    expect(await screen.findByText(/Next: Create New Connection & Credential/)).toBeInTheDocument();
  });

  it("keeps Validate Connection and Publish disabled, and says why, until the profile has a connection", async () => {
    const { backend } = backendWith([profile({ connection: null })]);
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    const validate = await screen.findByRole("button", { name: "Validate Connection" });
    expect(validate).toBeDisabled();
    expect(screen.getByRole("button", { name: "Publish" })).toBeDisabled();
    expect(screen.getByTestId("action-hint")).toHaveTextContent(
      "Create New Connection & Credential first: Validate Connection and Publish need it.",
    );
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("Not set up yet.");

    await user.click(screen.getByRole("button", { name: "Create New Connection & Credential" }));
    const dialog = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
    // The existing connection is offered too; a new one is the default.
    expect(within(dialog).getByRole("radio", { name: "Create a new connection" })).toBeChecked();
    await user.type(within(dialog).getByLabelText("Name"), "Smartsheet EU");
    await user.click(within(dialog).getByRole("textbox", { name: "Connection URL" }));
    await user.click(await screen.findByRole("option", { name: /^EU/ }));
    await user.type(within(dialog).getByLabelText("API Key"), "0123456789abcdefghij9z8y");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    expect(backend.callsTo("set_profile_connection")).toEqual([
      {
        id: 1,
        connection: {
          kind: "new",
          name: "Smartsheet EU",
          url: "https://api.smartsheet.eu/2.0",
          apiKey: "0123456789abcdefghij9z8y",
        },
      },
    ]);
    const summary = await screen.findByText("https://api.smartsheet.eu/2.0");
    expect(summary).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Validate Connection" })).toBeEnabled());
    await user.click(screen.getByRole("button", { name: "Validate Connection" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Publish" })).toBeEnabled());
    expect(backend.callsTo("validate_connection")).toEqual([{ profileId: 1 }]);
  });

  it("moves a Published profile to an existing connection after saying it returns to Draft", async () => {
    const other = connection({ id: 8, name: "Smartsheet EU", url: "https://api.smartsheet.eu/2.0", profileCount: 0 });
    const published = profile({ status: "Published", lastValidation: validation(), connection: connection() });
    const { backend } = backendWith([published], [connection({ profileCount: 0 }), other]);
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });

    await user.click(await screen.findByRole("button", { name: "Use another connection" }));
    const dialog = await screen.findByRole("dialog", { name: "Use another connection" });
    expect(within(dialog).getByRole("note")).toHaveTextContent(
      "“Acme” returns to Draft, with its jobs stopped, until you validate the new connection and publish it again.",
    );
    await user.click(within(dialog).getByRole("radio", { name: "Use an existing connection" }));
    await user.click(within(dialog).getByRole("textbox", { name: "Existing connection" }));
    // Only the other connections are offered.
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["Smartsheet EU — https://api.smartsheet.eu/2.0"]);
    await user.click(options[0]);
    await user.click(within(dialog).getByRole("button", { name: "Use connection" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    expect(backend.callsTo("set_profile_connection")).toEqual([{ id: 1, connection: { kind: "existing", connectionId: 8 } }]);
    await waitFor(() => expect(screen.getByTestId("profile-status")).toHaveTextContent("Draft"));
    expect(screen.getByText("https://api.smartsheet.eu/2.0")).toBeInTheDocument();
  });

  it("shows the backend's refusal on the dialog's field and keeps the dialog open", async () => {
    backendWith([profile({ connection: null })], undefined, {
      set_profile_connection: () => {
        throw backendError(
          "Validation",
          "A connection named “Smartsheet US” already exists. Choose another Name, or use that connection.",
          "name",
        );
      },
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByRole("button", { name: "Create New Connection & Credential" }));
    const dialog = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
    await user.type(within(dialog).getByLabelText("Name"), "Smartsheet US");
    await user.type(within(dialog).getByLabelText("API Key"), "0123456789abcdefghij9z8y");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await within(dialog).findByText(/already exists/)).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("connection-summary")).toHaveTextContent("Not set up yet.");
  });
});

describe("Connections & Credentials screen", () => {
  it("lists each connection with the profiles that use it, and deletes only an unused one", async () => {
    const unused = connection({ id: 8, name: "Old EU", url: "https://api.smartsheet.eu/2.0", keyLastFour: "9z8y" });
    const { backend } = backendWith([profile({ status: "Published" })], [connection({ profileCount: 0 }), unused]);
    const { user } = renderWithProviders(<App />, { path: "/connections" });

    const used = await screen.findByTestId("connection-7");
    expect(within(used).getByRole("link", { name: "Acme" })).toHaveAttribute("href", "/profiles/1");
    expect(within(used).getByRole("button", { name: "Delete Smartsheet US" })).toBeDisabled();
    const old = screen.getByTestId("connection-8");
    expect(old).toHaveTextContent("No profile");
    expect(old).toHaveTextContent("https://api.smartsheet.eu/2.0");
    expect(old).toHaveTextContent("9z8y");

    await user.click(within(old).getByRole("button", { name: "Delete Old EU" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete connection" });
    expect(confirm).toHaveTextContent("Its API key is removed from this computer's keychain.");
    expect(backend.callsTo("delete_connection")).toEqual([]);
    await user.click(within(confirm).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(backend.callsTo("delete_connection")).toEqual([{ id: 8 }]));
  });

  it("renames a connection in its dialog and says when profiles share it", async () => {
    const shared = connection({ profileCount: 2 });
    const { backend } = backendWith([], [shared], {
      update_connection: ({ update }) => ({ ...shared, name: update.name }),
    });
    const { user } = renderWithProviders(<App />, { path: "/connections" });

    await user.click(await screen.findByRole("button", { name: "Edit Smartsheet US" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit Connection & Credential" });
    expect(within(dialog).getByRole("note")).toHaveTextContent("2 profiles use this connection.");
    const name = within(dialog).getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Smartsheet US (prod)");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(backend.callsTo("update_connection")).toEqual([
        { id: 7, update: { name: "Smartsheet US (prod)", url: "https://api.smartsheet.com/2.0" } },
      ]),
    );
  });

  it("shows the core's refusal when a connection came into use meanwhile", async () => {
    backendWith([], undefined, {
      delete_connection: () => {
        throw backendError("Conflict", "The connection “Smartsheet US” is used by a profile (“Acme”). Move it first.");
      },
    });
    const { user } = renderWithProviders(<App />, { path: "/connections" });
    await user.click(await screen.findByRole("button", { name: "Delete Smartsheet US" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete connection" });
    await user.click(within(confirm).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText(/is used by a profile \(“Acme”\)/)).toBeInTheDocument();
  });
});
