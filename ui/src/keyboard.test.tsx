/// <reference types="node" />
// Keyboard (issue #12 §3): every action is reachable and visible with the keyboard, lists move
// with the arrow keys and open with Enter, dialogs keep the focus. DataTable's own keyboard tests
// are in components/DataTable.test.tsx.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { screen, waitFor, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "./app/App";
import { theme } from "./app/theme";
import { SubscriptionsTable } from "./features/profiles/related/SubscriptionsTable";
import {
  type BackendHandlers,
  connectionStore,
  entitlementStore,
  mockBackend,
  reclaimStore,
  subscriptionStore,
} from "./lib/mockBackend";
import {
  ACTIVITY_START,
  activitySettings,
  auditRecord,
  connection,
  entitlement,
  licenseUsage,
  manyCandidates,
  model,
  profile,
  reclamationRule,
  subscription,
  userRule,
  validation,
} from "./test/fixtures";
import { layOutListViewports } from "./test/layout";
import { renderWithProviders } from "./test/render";

/** The element that has focus. */
const focused = () => document.activeElement as HTMLElement;

/** Tabs from where the focus is until it reaches a list row (at most `limit` times). */
async function tabToRow(user: UserEvent, limit = 40): Promise<HTMLElement> {
  for (let i = 0; i < limit && focused().tagName !== "TR"; i++) await user.tab();
  expect(focused().tagName).toBe("TR");
  return focused();
}

/** The row's position in the list, 0 first (aria-rowindex counts the header as 1). */
const rowIndex = (row: Element) => Number(row.getAttribute("aria-rowindex")) - 2;

/** The rows of `table` in the tab order: exactly one, the focused row. */
function expectOneTabStop(table: HTMLElement) {
  const stops = within(table)
    .getAllByRole("row")
    .filter((row) => row.tabIndex === 0);
  expect(stops).toEqual([focused()]);
}

describe("lists", () => {
  it("Software Subscriptions (a list read in windows): Tab reaches it, the arrows, Home and End move", async () => {
    layOutListViewports();
    const rows = Array.from({ length: 2_000 }, (_, i) =>
      subscription({ id: i + 1, userId: String(5000 + i), email: `user${String(i).padStart(5, "0")}@example.com` }),
    );
    mockBackend(subscriptionStore(rows));
    const { user } = renderWithProviders(<SubscriptionsTable profile={profile({ status: "Published" })} />);
    const table = await screen.findByRole("table", { name: "Software Subscriptions" });
    await within(table).findByText("user00000@example.com");

    within(table).getAllByRole("button")[0]!.focus();
    const first = await tabToRow(user);
    expect(rowIndex(first)).toBe(0);
    expect(first).toHaveTextContent("user00000@example.com");
    expectOneTabStop(table);

    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowUp}");
    expect(rowIndex(focused())).toBe(1);
    expect(focused()).toHaveTextContent("user00001@example.com");
    expectOneTabStop(table);

    // The last of 2,000: scrolled into view, its window read, then focused.
    await user.keyboard("{End}");
    await waitFor(() => expect(rowIndex(focused())).toBe(1_999));
    await waitFor(() => expect(focused()).toHaveTextContent("user01999@example.com"));
    expectOneTabStop(table);
    await user.keyboard("{Home}");
    await waitFor(() => expect(rowIndex(focused())).toBe(0));
  });

  function candidates(handlers: BackendHandlers = {}) {
    const acme = profile({ status: "Published", lastValidation: validation() });
    const store = reclaimStore({ profiles: [acme], rules: [reclamationRule()], candidates: manyCandidates(3_000) });
    mockBackend({ list_profiles: () => [acme], ...store.handlers, ...handlers });
    return renderWithProviders(<App />, { path: "/candidates" });
  }

  it("Removal Candidates: the arrows move between rows, Space selects the focused one, End goes last", async () => {
    layOutListViewports();
    const { user } = candidates();
    const table = await screen.findByRole("table", { name: "Removal Candidates" });
    await within(table).findByRole("checkbox", { name: "Select User 00000" });

    within(table).getByRole("button", { name: "State" }).focus();
    expect(rowIndex(await tabToRow(user))).toBe(0);
    await user.keyboard("{ArrowDown}");
    expect(focused()).toHaveTextContent("User 00001");
    expectOneTabStop(table);
    // Ringed as focused (rows.css).
    expect(focused()).toHaveClass("sk-nav-row");

    // Space selects the focused row, and again clears it.
    await user.keyboard(" ");
    expect(within(table).getByRole("checkbox", { name: "Select User 00001" })).toBeChecked();
    expect(focused()).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("selected-count")).toHaveTextContent("1 selected");
    await user.keyboard("{ArrowDown} ");
    expect(screen.getByTestId("selected-count")).toHaveTextContent("2 selected");
    await user.keyboard("{ArrowUp} ");
    expect(within(table).getByRole("checkbox", { name: "Select User 00001" })).not.toBeChecked();
    expect(screen.getByTestId("selected-count")).toHaveTextContent("1 selected");

    // Tab goes on to the focused row's checkbox, then out of the list.
    await user.tab();
    expect(within(table).getByRole("checkbox", { name: "Select User 00001" })).toHaveFocus();
    await user.tab();
    expect(table).not.toContainElement(focused());

    within(table).getByRole("checkbox", { name: "Select User 00001" }).focus();
    await user.tab({ shift: true });
    expect(focused()).toHaveTextContent("User 00001");
    await user.keyboard("{End}");
    await waitFor(() => expect(focused()).toHaveTextContent("User 02999"));
    expectOneTabStop(table);
  });

  it("Audit Log: the arrows move between the records", async () => {
    const acme = profile({ status: "Published", lastValidation: validation() });
    const audit = [1, 2, 3].map((id) =>
      auditRecord({ id, email: `user${id}@example.com`, requestedAt: `2026-12-0${id}T09:00:00Z` }),
    );
    const store = reclaimStore({ profiles: [acme], audit });
    mockBackend({ list_profiles: () => [acme], ...store.handlers });
    const { user } = renderWithProviders(<App />, { path: "/audit" });
    const table = await screen.findByRole("table", { name: "Audit Log" });
    await within(table).findByText("user3@example.com");
    within(table).getAllByRole("row")[1]!.focus();
    await user.keyboard("{ArrowDown}");
    expect(focused()).toHaveTextContent("user2@example.com");
    expectOneTabStop(table);
    // Tab goes on to the record's Undo.
    await user.tab();
    expect(focused()).toHaveAccessibleName("Undo: user2@example.com");
  });

  it("Software Entitlements: Enter opens the focused entitlement, Space selects it", async () => {
    const store = entitlementStore({
      models: [model()],
      entitlements: [
        entitlement(),
        entitlement({ id: 2, displayName: "Smartsheet Business 2027", termStart: "2027-01-01", termEnd: "2027-12-31" }),
      ],
    });
    const acme = profile({ status: "Published", lastValidation: validation() });
    mockBackend({ list_profiles: () => [acme], list_models: () => [model()], ...store.handlers });
    const { user } = renderWithProviders(<App />, { path: "/entitlements" });
    const table = await screen.findByRole("table", { name: "Software Entitlements" });
    within(table).getAllByRole("row")[1]!.focus();
    await user.keyboard("{ArrowDown}");
    expect(focused()).toHaveTextContent("Smartsheet Business 2027");
    const row = focused();

    await user.keyboard(" ");
    expect(within(table).getByRole("checkbox", { name: "Select Smartsheet Business 2027" })).toBeChecked();
    expect(screen.getByRole("button", { name: "Delete selected (1)" })).toBeInTheDocument();

    await user.keyboard("{Enter}");
    const dialog = await screen.findByRole("dialog", { name: "Edit Software Entitlement: Smartsheet Business 2027" });
    await user.keyboard("{Escape}");
    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    // Mantine gives the focus back to where it was.
    await waitFor(() => expect(row).toHaveFocus());
  });

  it("Reclamation Rules: Enter opens the focused rule", async () => {
    const acme = profile({ status: "Published", lastValidation: validation() });
    const store = reclaimStore({ profiles: [acme], rules: [reclamationRule()] });
    mockBackend({ list_profiles: () => [acme], ...store.handlers });
    const { user } = renderWithProviders(<App />, { path: "/reclamation-rules" });
    const table = await screen.findByRole("table", { name: "Reclamation Rules" });
    within(table).getAllByRole("row")[1]!.focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("dialog", { name: "Reclamation Rule: Smartsheet Member" })).toBeInTheDocument();
  });

  it("Subscription User Exclusion Rule: Enter opens the focused rule", async () => {
    const acme = profile({ status: "Published", lastValidation: validation() });
    mockBackend({
      list_profiles: () => [acme],
      get_profile: () => acme,
      default_activity_start: () => ACTIVITY_START,
      get_activity_settings: () => activitySettings(),
      license_usage: () => licenseUsage({ hasData: false }),
      list_job_results: () => [],
      list_exclusion_rules: () => ({ identifierRules: [], userRules: [userRule()] }),
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await user.click(await screen.findByRole("tab", { name: "Subscription User Exclusion Rule" }));
    const table = await screen.findByRole("table", { name: "Subscription User Exclusion Rule" });
    within(table).getAllByRole("row")[1]!.focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("dialog", { name: "Edit Subscription User Exclusion Rule" })).toBeInTheDocument();
  });
});

/** The controls of `dialog` in the tab order, as Mantine's focus trap finds them. */
function tabbables(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea, [tabindex]")].filter(
    (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && (el as HTMLInputElement).type !== "hidden",
  );
}

/** Tab from the last control goes to the first, Shift+Tab from the first to the last; Escape closes. */
async function expectFocusTrapped(user: UserEvent, dialog: HTMLElement) {
  const controls = tabbables(dialog);
  expect(controls.length).toBeGreaterThan(2);
  expect(dialog).toContainElement(focused());
  controls.at(-1)!.focus();
  await user.tab();
  expect(controls[0]).toHaveFocus();
  await user.tab({ shift: true });
  expect(controls.at(-1)).toHaveFocus();
  // Through every control and round again, never leaving the dialog.
  for (let i = 0; i <= controls.length; i++) {
    await user.tab();
    expect(dialog).toContainElement(focused());
  }
  await user.keyboard("{Escape}");
  await waitFor(() => expect(dialog).not.toBeInTheDocument());
}

describe("dialogs keep the focus", () => {
  it("the Connection & Credential dialog", async () => {
    mockBackend({
      list_profiles: () => [],
      default_activity_start: () => ACTIVITY_START,
      connection_presets: () => [{ label: "US", url: "https://api.smartsheet.com/2.0" }],
      ...connectionStore([connection()]).handlers,
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/new" });
    await user.click(await screen.findByRole("button", { name: "Set up connection" }));
    const dialog = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
    await within(dialog).findByLabelText("Name");
    await expectFocusTrapped(user, dialog);
  });

  it("the Reclaim confirmation", async () => {
    const acme = profile({ status: "Published", lastValidation: validation() });
    const store = reclaimStore({ profiles: [acme], rules: [reclamationRule()], candidates: manyCandidates(2) });
    mockBackend({ list_profiles: () => [acme], ...store.handlers });
    const { user } = renderWithProviders(<App />, { path: "/candidates" });
    await user.click(await screen.findByRole("checkbox", { name: "Select User 00000" }));
    await user.click(within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Reclaim" }));
    const dialog = await screen.findByRole("dialog", { name: "Reclaim seats" });
    await within(dialog).findAllByTestId("preview-item");
    await expectFocusTrapped(user, dialog);
  });
});

describe("every action is reachable", () => {
  it("the profile page: Tab reaches Save, Validate Connection, Publish, Delete and the related lists' tabs", async () => {
    const draft = profile({ lastValidation: validation() });
    mockBackend({
      list_profiles: () => [draft],
      get_profile: () => draft,
      default_activity_start: () => ACTIVITY_START,
      list_connections: () => [connection()],
      get_activity_settings: () => activitySettings(),
      license_usage: () => licenseUsage({ hasData: false }),
      list_models: () => [model()],
      list_unrecognized_identifiers: () => [],
      list_job_results: () => [],
      ...reclaimStore({ profiles: [draft] }).handlers,
    });
    const { user } = renderWithProviders(<App />, { path: "/profiles/1" });
    await screen.findByRole("tab", { name: "Scheduled Jobs" });

    const reached = new Set<string>();
    for (let i = 0; i < 150; i++) {
      await user.tab();
      const el = focused();
      reached.add(`${el.getAttribute("role") ?? el.tagName.toLowerCase()}:${el.textContent?.trim()}`);
      if (el.getAttribute("role") === "tab") break;
    }
    for (const name of ["Save", "Validate Connection", "Publish", "Delete"]) {
      expect(reached).toContain(`button:${name}`);
    }
    // The tab list is one tab stop: the selected tab.
    expect(focused()).toHaveAccessibleName("Scheduled Jobs");
    expect(focused()).toHaveAttribute("aria-selected", "true");

    await user.keyboard("{ArrowRight}");
    expect(focused()).toHaveAccessibleName("Scheduled Job Results");
    expect(focused()).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowLeft}{ArrowLeft}");
    expect(focused()).toHaveAccessibleName("Unrecognized Subscription Identifiers");
    await user.keyboard("{End}");
    expect(focused()).toHaveAccessibleName("Audit Log");
    // Home and End move the focus only; Enter shows the tab's list.
    await user.keyboard("{Home}");
    expect(focused()).toHaveAccessibleName("Software Models");
    await user.keyboard("{Enter}");
    expect(focused()).toHaveAttribute("aria-selected", "true");
    const panel = await screen.findByRole("tabpanel", { name: "Software Models" });
    await within(panel).findByRole("table", { name: "Software Models" });
    // Then Tab goes into the list shown.
    await user.tab();
    expect(panel).toContainElement(focused());
  });
});

describe("focus is visible", () => {
  it("keeps Mantine's focus ring in the theme", () => {
    expect(["auto", "always"]).toContain(theme.focusRing);
  });

  /** The app's style sheets and sources, read from disk (Vitest gives a CSS import no text). */
  function sources(): [string, string][] {
    const root = join(process.cwd(), "src");
    return readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((file) => /\.(css|tsx?)$/.test(file) && !/\.test\.tsx?$/.test(file))
      .map((file) => [file, readFileSync(join(root, file), "utf8")]);
  }

  it("never removes the outline in the app's CSS or inline styles without a replacement", () => {
    const files = sources();
    expect(files.filter(([file]) => file.endsWith(".css")).length).toBeGreaterThan(1);
    const removed = /outline(-style)?\s*:\s*["']?(none|0)\b/;
    const offenders = files.flatMap(([file, text]) =>
      // A rule that removes the outline must show focus some other way.
      text
        .split("}")
        .filter((rule) => removed.test(rule) && !/box-shadow|border|background/.test(rule))
        .map((rule) => `${file}: ${rule.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it("rings the focused row of a list", () => {
    const css = sources().find(([file]) => file.endsWith("rows.css"))![1];
    const ring = /\.sk-nav-row:focus-visible\s*\{[^}]*outline:\s*2px solid var\(--mantine-primary-color-filled\)/;
    expect(css).toMatch(ring);
  });
});
