// The accessibility audit (issue #12 §3): axe-core on each main screen, once its data shows, and on
// the main dialogs. See test/axe.ts for what it checks and which rules cannot run here.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { App } from "./app/App";
import {
  type BackendHandlers,
  connectionStore,
  entitlementStore,
  mockBackend,
  reclaimStore,
  subscriptionStore,
} from "./lib/mockBackend";
import { expectNoAxeViolations } from "./test/axe";
import { quietZeroSizeCharts } from "./test/charts";
import {
  ACTIVITY_START,
  activitySettings,
  auditRecord,
  connection,
  entitlement,
  job,
  jobResult,
  licenseUsage,
  model,
  reconciliation,
  profile,
  protectedUser,
  reclamationRule,
  removalCandidate,
  subscription,
  unrecognized,
  userRule,
  validation,
} from "./test/fixtures";
import { renderWithProviders } from "./test/render";

const ACME = profile({
  status: "Published",
  lastValidation: validation(),
  lastSyncAt: "2026-12-01T02:05:00Z",
  jobs: [
    job({ id: 1, kind: "Subscriptions", name: "Refresh Acme Subscriptions", timeOfDay: "03:15" }),
    job({ id: 2, kind: "Events", name: "Refresh Acme Events", nextRunAt: null, enabled: false }),
  ],
});
const MEMBER = model({ id: 1 });
const RULE = reclamationRule({ id: 1, modelId: 1, openCandidates: 2 });
const CANDIDATES = [
  removalCandidate({ id: 1, email: "ann@example.com", name: "Ann Example", inactiveDays: 300 }),
  removalCandidate({ id: 2, userId: 1002, email: "bob@example.com", name: "Bob Builder", inactiveDays: 200 }),
];

/** A backend with a bit of everything, for every screen. */
function backend(handlers: BackendHandlers = {}) {
  const reclaim = reclaimStore({
    profiles: [ACME],
    rules: [RULE],
    candidates: CANDIDATES,
    protectedUsers: [protectedUser()],
    audit: [auditRecord({ id: 1 }), auditRecord({ id: 2, email: "bob@example.com", undoBlocked: "Already undone." })],
    confirmedBy: "ada",
  });
  const entitlements = entitlementStore({ models: [MEMBER], entitlements: [entitlement()] });
  const connections = connectionStore([connection()]);
  return mockBackend({
    list_profiles: () => [ACME],
    get_profile: () => ACME,
    default_activity_start: () => ACTIVITY_START,
    connection_presets: () => [
      { label: "US", url: "https://api.smartsheet.com/2.0" },
      { label: "Europe", url: "https://api.smartsheet.eu/2.0" },
    ],
    ...connections.handlers,
    get_activity_settings: () => activitySettings({ activitySource: "events" }),
    ...subscriptionStore([
      subscription(),
      subscription({ id: 2, userId: "1002", email: "bob@example.com", name: null }),
    ]),
    list_models: () => [MEMBER],
    list_unrecognized_identifiers: () => [unrecognized()],
    list_job_results: () => [jobResult()],
    list_exclusion_rules: () => ({ identifierRules: [], userRules: [userRule()] }),
    license_usage: () => licenseUsage(),
    reconcile_now: () => reconciliation({ runId: 2, trigger: "onDemand" }),
    ...reclaim.handlers,
    ...entitlements.handlers,
    "plugin:opener|open_url": () => null,
    ...handlers,
  });
}

function render(path: string, handlers: BackendHandlers = {}) {
  backend(handlers);
  return renderWithProviders(<App />, { path });
}

// happy-dom lays nothing out: recharts' ResponsiveContainer measures 0×0 and says so.
beforeEach(quietZeroSizeCharts);

describe("accessibility audit (axe-core)", () => {
  it("the welcome screen", async () => {
    render("/", { list_profiles: () => [] });
    await screen.findAllByRole("button", { name: /New profile/ });
    await expectNoAxeViolations();
  });

  it("the welcome screen with a profile", async () => {
    render("/");
    await screen.findByRole("link", { name: /Acme/ });
    await expectNoAxeViolations();
  });

  it("the new profile form", async () => {
    render("/profiles/new", { list_profiles: () => [] });
    await screen.findByLabelText("Display Name");
    await expectNoAxeViolations();
  });

  it("a saved profile's page", async () => {
    render("/profiles/1");
    await screen.findByRole("table", { name: "Scheduled Jobs" });
    await screen.findByRole("table", { name: "License Usage by Model" });
    await expectNoAxeViolations();
  });

  // One test per list: the whole page is audited each time, which takes a while.
  it.each([
    "Software Models",
    "Unrecognized Subscription Identifiers",
    "Scheduled Job Results",
    "Software Subscriptions",
    "Subscription Identifier Exclusion Rule",
    "Subscription User Exclusion Rule",
    "Software Entitlements",
    "Reclamation Rules",
    "Removal Candidates",
    "Protected Users",
    "Audit Log",
  ])("the profile's related list %s", async (list) => {
    const { user } = render("/profiles/1");
    await user.click(await screen.findByRole("tab", { name: list }));
    const panel = await screen.findByRole("tabpanel", { name: list });
    // The list once it shows: a table, or its empty state.
    await waitFor(() => expect(within(panel).queryByTestId(/loading/)).not.toBeInTheDocument());
    await waitFor(() => expect(within(panel).queryByRole("row", { busy: true })).not.toBeInTheDocument());
    await expectNoAxeViolations();
  });

  it("Connections & Credentials", async () => {
    render("/connections");
    await screen.findByRole("table", { name: "Connections & Credentials" });
    await expectNoAxeViolations();
  });

  it("a Draft saved without its connection (Save first)", async () => {
    const draft = profile({ connection: null });
    render("/profiles/1", { list_profiles: () => [draft], get_profile: () => draft });
    await screen.findByRole("button", { name: "Create New Connection & Credential" });
    await expectNoAxeViolations();
  });

  it("Removal Candidates", async () => {
    render("/candidates");
    await screen.findByRole("checkbox", { name: "Select Ann Example" });
    await expectNoAxeViolations();
  });

  it("Audit Log", async () => {
    render("/audit");
    await screen.findByRole("button", { name: "Undo: ann@example.com" });
    await expectNoAxeViolations();
  });

  it("Reclamation Rules", async () => {
    render("/reclamation-rules");
    await screen.findByRole("table", { name: "Reclamation Rules" });
    await expectNoAxeViolations();
  });

  it("Entitlements", async () => {
    render("/entitlements");
    await screen.findByRole("table", { name: "Software Entitlements" });
    await expectNoAxeViolations();
  });

  it("License Usage", async () => {
    render("/usage");
    await screen.findByRole("table", { name: "License Usage by Model" });
    await expectNoAxeViolations();
  });
});

// A clearable field shows its clear button (an icon) only once it has a value. (A Select's is
// aria-hidden and out of the tab order: the keyboard clears it by choosing the option again.)
describe("accessibility audit with values in the fields (axe-core)", () => {
  it("Audit Log, filtered by action and date", async () => {
    const { user } = render("/audit");
    await screen.findByRole("button", { name: "Undo: ann@example.com" });
    await user.click(screen.getByRole("textbox", { name: "Action" }));
    await user.click(await screen.findByRole("option", { name: "Downgrade" }));
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-11-01" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-12-31" } });
    await user.type(screen.getByRole("textbox", { name: "Search" }), "ann");
    await screen.findByRole("button", { name: "Clear From" });
    await expectNoAxeViolations();
  });

  it("Removal Candidates, filtered by model and recomputed", async () => {
    const { user } = render("/candidates");
    await screen.findByRole("checkbox", { name: "Select Ann Example" });
    await user.click(screen.getByRole("textbox", { name: "Software model" }));
    await user.click(await screen.findByRole("option", { name: "Smartsheet Member" }));
    await user.click(screen.getByRole("checkbox", { name: "Select Ann Example" }));
    await user.click(screen.getByRole("button", { name: "Recompute candidates" }));
    await screen.findByTestId("compute-summary");
    await expectNoAxeViolations();
  });

  it("a list's column filter, and the profile's excluded event types", async () => {
    const { user } = render("/profiles/1", {
      get_activity_settings: () => activitySettings({ activitySource: "events", excludedEventKinds: ["USER:LOGIN"] }),
    });
    await user.click(await screen.findByRole("tab", { name: "Software Entitlements" }));
    await screen.findByRole("table", { name: "Software Entitlements" });
    await user.click(screen.getByRole("textbox", { name: "Software model" }));
    await user.click(await screen.findByRole("option", { name: "Smartsheet Member" }));
    const filter = screen.getByRole("textbox", { name: "Software model" });
    await waitFor(() => expect(filter).toHaveValue("Smartsheet Member"));
    await screen.findByText("USER:LOGIN");
    await expectNoAxeViolations();
  });

  it("a notification", async () => {
    const { user } = render("/usage");
    await user.click(await screen.findByRole("button", { name: "Reconcile now" }));
    await screen.findByText("Reconciliation done");
    await expectNoAxeViolations();
  });
});

describe("accessibility audit of the dialogs (axe-core)", () => {
  it("the Connection & Credential dialog", async () => {
    const { user } = render("/profiles/new", { list_profiles: () => [] });
    await user.click(await screen.findByRole("button", { name: "Set up connection" }));
    const dialog = await screen.findByRole("dialog", { name: "Create Connection & Credential" });
    await within(dialog).findByLabelText("Name");
    await expectNoAxeViolations();
  });

  it("the Reclaim confirmation", async () => {
    const { user } = render("/candidates");
    await user.click(await screen.findByRole("checkbox", { name: "Select Ann Example" }));
    await user.click(within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Reclaim" }));
    const dialog = await screen.findByRole("dialog", { name: "Reclaim seats" });
    await within(dialog).findAllByTestId("preview-item");
    await expectNoAxeViolations();
  });

  it("the Skip dialog", async () => {
    const { user } = render("/candidates");
    await user.click(await screen.findByRole("checkbox", { name: "Select Ann Example" }));
    await user.click(within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Skip" }));
    await screen.findByRole("dialog", { name: "Skip candidates" });
    await expectNoAxeViolations();
  });

  it("the entitlement form", async () => {
    const { user } = render("/entitlements");
    await user.click(await screen.findByRole("button", { name: "New entitlement" }));
    const dialog = await screen.findByRole("dialog", { name: "New Software Entitlement" });
    await within(dialog).findByRole("textbox", { name: /Display name/ });
    await expectNoAxeViolations();
  });

  it("the entitlement form, editing one (its dates set)", async () => {
    const { user } = render("/entitlements");
    await user.click(await screen.findByRole("button", { name: "Edit Smartsheet Business 2026" }));
    const dialog = await screen.findByRole("dialog", { name: /Edit Software Entitlement/ });
    await within(dialog).findByRole("button", { name: "Clear Term start" });
    await expectNoAxeViolations();
  });

  it("the reclamation rule form", async () => {
    const { user } = render("/reclamation-rules");
    await user.click(await screen.findByRole("button", { name: "Edit the rule of Smartsheet Member" }));
    await screen.findByRole("dialog", { name: "Reclamation Rule: Smartsheet Member" });
    await expectNoAxeViolations();
  });
});
