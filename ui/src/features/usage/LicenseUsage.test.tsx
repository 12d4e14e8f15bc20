import { screen, waitFor, within } from "@testing-library/react";
import dayjs from "dayjs";
import { toPng } from "html-to-image";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "../../app/App";
import type { LicenseUsage } from "../../bindings/reconcile";
import { downloadTextFile } from "../../lib/download";
import {
  type BackendHandlers,
  emitBackendEvent,
  mockBackend,
  reclaimStore,
  subscriptionStore,
} from "../../lib/mockBackend";
import { quietZeroSizeCharts } from "../../test/charts";
import {
  ACTIVITY_START,
  activitySettings,
  freeModelReconciliation,
  jobResult,
  licenseUsage,
  modelReconciliation,
  profile,
  reclamationRule,
  reconciliation,
  userRule,
  validation,
} from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { NOT_ENOUGH_HISTORY, usageCsv } from "./usageData";

vi.mock("../../lib/download", async (original) => ({
  ...(await original<typeof import("../../lib/download")>()),
  downloadTextFile: vi.fn(),
}));

vi.mock("html-to-image", () => ({ toPng: vi.fn(async () => "data:image/png;base64,iVBORw0KGgo=") }));

// happy-dom lays nothing out: recharts' ResponsiveContainer measures 0×0, draws no SVG and says
// so. The tests read each chart's title, its description and its empty state instead.
beforeEach(quietZeroSizeCharts);

const ACME = profile({
  status: "Published",
  lastValidation: validation(),
  lastSyncAt: "2026-12-01T02:05:00Z",
});

function renderUsage({
  usage = licenseUsage(),
  path = "/usage",
  handlers = {},
}: { usage?: LicenseUsage; path?: string; handlers?: BackendHandlers } = {}) {
  const backend = mockBackend({
    list_profiles: () => [ACME],
    license_usage: () => usage,
    reconcile_now: () => reconciliation({ runId: 2, trigger: "onDemand" }),
    ...handlers,
  });
  return { ...renderWithProviders(<App />, { path }), backend };
}

/** The figure of a headline group: its value and the line under it. */
function figure(label: string) {
  const group = screen.getByRole("group", { name: label });
  return [
    within(group).getByTestId("figure-value").textContent,
    within(group).queryByTestId("figure-detail")?.textContent ?? null,
  ];
}

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole("cell")
    .map((td) => td.textContent);

describe("License Usage", () => {
  it("shows the headline figures, the Not Compliant banner and the reconciliation per model", async () => {
    renderUsage();
    expect(screen.getByRole("link", { name: "License Usage" })).toHaveAttribute("aria-current", "page");
    await screen.findByTestId("license-usage");
    expect(figure("Paid seats")).toEqual(["122", "100 owned · 2 excluded"]);
    expect(figure("Active")).toEqual(["90", null]);
    expect(figure("Inactive")).toEqual(["30", null]);
    expect(figure("Open candidates")).toEqual(["12", null]);
    expect(figure("Potential savings")).toEqual(["$300.00/month", "$3,600.00/year"]);
    expect(figure("Actual savings")).toEqual(["$75.00/month", "$900.00/year"]);
    expect(figure("True-up cost")).toEqual(["$6,000.00/year", "to buy the rights missing"]);

    const banner = screen.getByTestId("compliance-banner");
    expect(banner).toHaveTextContent("Not Compliant: 1 model uses more seats than owned");
    expect(banner).toHaveTextContent("Smartsheet Member: 120 used, 100 owned; 20 rights needed ($6,000.00 a year).");
    expect(banner).not.toHaveTextContent("Provisional");

    const table = screen.getByRole("table", { name: "License Usage by Model" });
    const rows = within(table).getAllByRole("row");
    expect(within(rows[0]!).getAllByRole("columnheader").map((th) => th.textContent)).toEqual([
      "Software model",
      "Paid",
      "Owned",
      "Used",
      "Excluded",
      "Active",
      "Inactive",
      "Compliance",
      "Over-licensed",
      "Rights needed",
      "True-up cost/yr",
      "Potential savings/yr",
      "Actual savings/yr",
      "Open candidates",
      "Remediation",
    ]);
    expect(cells(rows[1]!)).toEqual([
      "Smartsheet Member",
      "Yes",
      "100",
      "120",
      "2",
      "90",
      "30",
      "Not Compliant",
      "0",
      "20",
      "$6,000.00",
      "$3,600.00",
      "$900.00",
      "12",
      "Review candidatesEntitlements",
    ]);
    expect(cells(rows[2]!)).toEqual([
      "Smartsheet Provisional Member",
      "No",
      "0",
      "15",
      "0",
      "5",
      "10",
      "Compliant",
      "0",
      "0",
      "—",
      "—",
      "—",
      "0",
      "Entitlements",
    ]);
  });

  it("draws each chart under its title, and says why a chart over time is empty", async () => {
    renderUsage();
    await screen.findByTestId("license-usage");
    // The charts' code loads with the first usage shown.
    const ownedUsed = await screen.findByRole("figure", { name: "Owned, used and active seats by model" });
    expect(within(ownedUsed).getByRole("img")).toHaveAccessibleName("Smartsheet Member: 100 owned, 120 used, 90 active");
    const activity = screen.getByRole("figure", { name: "Users by days since last activity" });
    expect(within(activity).getByRole("img")).toHaveAccessibleName(
      "0–30 days: 80 users; 30–60 days: 10 users; 60–90 days: 12 users; 90–120 days: 8 users; 120+ days: 6 users; Never: 4 users",
    );
    // One reconciliation: not a line yet.
    for (const name of ["Seats by type over time", "Potential and actual savings per year (USD)"]) {
      const chart = screen.getByRole("figure", { name });
      expect(within(chart).getByRole("status")).toHaveTextContent(NOT_ENOUGH_HISTORY);
      expect(within(chart).queryByRole("img")).not.toBeInTheDocument();
    }
    expect(within(screen.getByRole("figure", { name: "Daily active users" })).getByRole("status")).toHaveTextContent(
      "No daily activity yet",
    );
  });

  it("draws the charts over time once there are two reconciliations", async () => {
    renderUsage({
      usage: licenseUsage({
        history: [
          reconciliation({ runId: 1, runAt: "2026-11-24T12:00:00Z" }),
          reconciliation({ runId: 2, runAt: "2026-12-01T12:00:00Z" }),
        ],
        dailyActive: [
          { day: "2026-11-30", users: 70 },
          { day: "2026-12-01", users: 75 },
        ],
      }),
    });
    await screen.findByTestId("license-usage");
    expect(
      within(await screen.findByRole("figure", { name: "Seats by type over time" })).getByRole("img"),
    ).toHaveAccessibleName("2 reconciliations of Smartsheet Member, Smartsheet Provisional Member");
    expect(
      within(screen.getByRole("figure", { name: "Daily active users" })).getByRole("img"),
    ).toHaveAccessibleName("2 days; 75 users active on 2026-12-01");
    expect(screen.queryByText(NOT_ENOUGH_HISTORY)).not.toBeInTheDocument();
  });

  it("says No cost set when no model has a cost, and Compliant when every model has its rights", async () => {
    const member = modelReconciliation({
      owned: 130,
      compliance: "compliant",
      overLicensed: 10,
      rightsNeeded: 0,
      unitMonthly: null,
      trueUpCost: null,
      overLicensedCost: null,
      potentialSavings: null,
      actualSavings: null,
    });
    renderUsage({
      usage: licenseUsage({
        models: [member, freeModelReconciliation()],
        totals: {
          ...licenseUsage().totals,
          owned: 130,
          notCompliant: 0,
          potentialMonthly: [],
          potentialYearly: [],
          actualMonthly: [],
          actualYearly: [],
          trueUpYearly: [],
          seatsWithoutCost: 122,
        },
      }),
    });
    await screen.findByTestId("license-usage");
    expect(figure("Potential savings")).toEqual(["No cost set", null]);
    expect(figure("Actual savings")).toEqual(["No cost set", null]);
    expect(figure("True-up cost")).toEqual(["No cost set", "no rights missing"]);
    expect(screen.getByTestId("seats-without-cost")).toHaveTextContent("122 seats of models without a cost");
    const banner = screen.getByTestId("compliance-banner");
    expect(banner).toHaveTextContent("Compliant");
    expect(banner).not.toHaveTextContent("Not Compliant");
  });

  it("links each model to its removal candidates and its entitlements", async () => {
    const store = reclaimStore({ profiles: [ACME], rules: [reclamationRule()] });
    const { user, backend, location } = renderUsage({ handlers: { ...store.handlers } });
    const table = await screen.findByRole("table", { name: "License Usage by Model" });
    expect(within(table).getByRole("link", { name: "Entitlements: Smartsheet Member" })).toHaveAttribute(
      "href",
      "/entitlements?profile=1&model=1",
    );
    expect(within(table).getByRole("link", { name: "Entitlements: Smartsheet Provisional Member" })).toHaveAttribute(
      "href",
      "/entitlements?profile=1&model=2",
    );
    // A free model has no candidates to review.
    expect(within(table).queryByRole("link", { name: "Review candidates: Smartsheet Provisional Member" })).toBeNull();

    const review = within(table).getByRole("link", { name: "Review candidates: Smartsheet Member" });
    expect(review).toHaveAttribute("href", "/candidates?profile=1&model=1");
    await user.click(review);
    expect(await screen.findByRole("heading", { name: "Removal Candidates" })).toBeInTheDocument();
    await waitFor(() =>
      expect(backend.callsTo("list_candidates").at(-1)).toMatchObject({ request: { filter: { profileId: 1, modelId: 1 } } }),
    );
    expect(screen.getByRole("textbox", { name: "Profile" })).toHaveValue("Acme");
    await waitFor(() => expect(screen.getByRole("textbox", { name: "Software model" })).toHaveValue("Smartsheet Member"));
    // The screen took the filter; the address drops it, so that the next visit shows every candidate.
    await waitFor(() => expect(location.history?.at(-1)).toBe("/candidates?"));
  });

  it("reconciles now: calls the core, reads the usage again and says what it found", async () => {
    const { user, backend } = renderUsage();
    await screen.findByTestId("license-usage");
    const reads = backend.callsTo("license_usage").length;
    await user.click(screen.getByRole("button", { name: "Reconcile now" }));
    expect(await screen.findByText("Reconciled: 2 models, 1 Not Compliant")).toBeInTheDocument();
    expect(backend.callsTo("reconcile_now")).toEqual([{ profileId: 1 }]);
    await waitFor(() => expect(backend.callsTo("license_usage").length).toBeGreaterThan(reads));
  });

  it("reads the usage again when a job of the profile finishes", async () => {
    const { backend } = renderUsage();
    await screen.findByTestId("license-usage");
    const reads = backend.callsTo("license_usage").length;
    await emitBackendEvent("job-finished", { jobId: 1, profileId: 1, result: jobResult() });
    await waitFor(() => expect(backend.callsTo("license_usage").length).toBeGreaterThan(reads));
  });

  it("exports the per-model table as CSV", async () => {
    const { user } = renderUsage();
    const table = await screen.findByTestId("usage-models-table");
    vi.mocked(downloadTextFile).mockClear();
    await user.click(within(table).getByRole("button", { name: "Export CSV" }));
    expect(downloadTextFile).toHaveBeenCalledWith("Acme - License Usage by Model.csv", usageCsv(licenseUsage().models));
  });

  it("saves the Finance summary as a PNG where the admin chooses, and says nothing when cancelled", async () => {
    let answer: string | null = "/home/ada/Acme license summary.png";
    const { user, backend } = renderUsage({ handlers: { save_export: () => answer } });
    await screen.findByTestId("license-usage");
    // The summary page is laid out for an export, and only then.
    expect(screen.queryByTestId("finance-summary")).not.toBeInTheDocument();
    let captured: { text: string | null; rows: number } | null = null;
    vi.mocked(toPng).mockImplementationOnce(async (node) => {
      captured = { text: node.textContent, rows: within(node).getAllByRole("row", { hidden: true }).length };
      expect(node).toHaveAttribute("data-testid", "finance-summary");
      return "data:image/png;base64,iVBORw0KGgo=";
    });

    await user.click(screen.getByRole("button", { name: "Save as PNG…" }));
    expect(await screen.findByText("/home/ada/Acme license summary.png")).toBeInTheDocument();
    expect(captured).not.toBeNull();
    expect(captured!.text).toContain("Acme: license summary");
    expect(captured!.text).toContain("Not Compliant: 1 model uses more seats than owned");
    expect(captured!.rows).toBe(3);
    expect(screen.queryByTestId("finance-summary")).not.toBeInTheDocument();
    expect(backend.callsTo("save_export")).toEqual([
      { fileName: `Acme license summary ${dayjs().format("YYYY-MM-DD")}.png`, dataBase64: "iVBORw0KGgo=" },
    ]);

    answer = null;
    await user.click(screen.getByRole("button", { name: "Save as PNG…" }));
    await waitFor(() => expect(backend.callsTo("save_export")).toHaveLength(2));
    expect(screen.queryByText("Could not save the summary")).not.toBeInTheDocument();
    expect(screen.getAllByText("Summary saved")).toHaveLength(1);
  });

  it("prints the Finance summary alone", async () => {
    // happy-dom has no print(): the webview's opens the system's print dialog.
    const printing: boolean[] = [];
    window.print = vi.fn(() => {
      printing.push(document.body.classList.contains("sk-printing-summary"));
    });
    try {
      const { user } = renderUsage();
      await screen.findByTestId("license-usage");
      expect(document.body).not.toHaveClass("sk-printing-summary");
      window.print = vi.fn(() => {
        printing.push(
          document.body.classList.contains("sk-printing-summary") &&
            screen.queryByTestId("finance-summary") !== null,
        );
      });
      await user.click(screen.getByRole("button", { name: "Print / PDF…" }));
      // While the dialog is open, the print stylesheet shows the summary alone, laid out for it.
      await waitFor(() => expect(printing).toEqual([true]));
      window.dispatchEvent(new Event("afterprint"));
      expect(document.body).not.toHaveClass("sk-printing-summary");
      await waitFor(() => expect(screen.queryByTestId("finance-summary")).not.toBeInTheDocument());
    } finally {
      Reflect.deleteProperty(window, "print");
    }
  });

  it("says there is nothing yet before the first refresh", async () => {
    renderUsage({ usage: licenseUsage({ hasData: false, models: [], history: [] }) });
    expect(await screen.findByTestId("usage-empty")).toHaveTextContent(
      "License usage is available after the first refresh of Acme Subscriptions.",
    );
  });
});

describe("the profile's License Usage", () => {
  function renderProfile(p = ACME, usage = licenseUsage(), handlers: BackendHandlers = {}) {
    const backend = mockBackend({
      list_profiles: () => [p],
      get_profile: () => p,
      default_activity_start: () => ACTIVITY_START,
      license_usage: () => usage,
      ...subscriptionStore([]),
      list_models: () => [],
      list_unrecognized_identifiers: () => [],
      list_job_results: () => [],
      list_exclusion_rules: () => ({ identifierRules: [], userRules: [] }),
      get_activity_settings: () => activitySettings({ activitySource: "events" }),
      ...handlers,
    });
    return { ...renderWithProviders(<App />, { path: `/profiles/${p.id}` }), backend };
  }

  it("comes first once the profile has data; the form and the related lists follow", async () => {
    renderProfile();
    const section = await screen.findByRole("region", { name: "License Usage" });
    expect(within(section).getByTestId("compliance-banner")).toHaveTextContent("Not Compliant");
    const form = screen.getByRole("form", { name: "Profile Acme" });
    expect(section.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(form).getByRole("textbox", { name: /Display Name/ })).toHaveValue("Acme");
    expect(screen.getByRole("tab", { name: "Software Entitlements" })).toBeInTheDocument();
  });

  it("is read again after a change on the page: an exclusion rule changes what counts", async () => {
    const { user, backend } = renderProfile(ACME, licenseUsage(), { save_user_exclusion: () => userRule() });
    await screen.findByRole("region", { name: "License Usage" });
    const reads = backend.callsTo("license_usage").length;
    await user.click(screen.getByRole("tab", { name: "Subscription User Exclusion Rule" }));
    await user.click(await screen.findByRole("button", { name: "New rule" }));
    const dialog = await screen.findByRole("dialog", { name: "New Subscription User Exclusion Rule" });
    await user.type(within(dialog).getByRole("textbox", { name: "Email or domain" }), "svc@example.com");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(backend.callsTo("save_user_exclusion")).toHaveLength(1));
    await waitFor(() => expect(backend.callsTo("license_usage").length).toBeGreaterThan(reads));
  });

  it("is not there while the profile has no subscriptions", async () => {
    renderProfile(ACME, licenseUsage({ hasData: false, models: [], history: [] }));
    expect(await screen.findByRole("form", { name: "Profile Acme" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "License Usage" })).not.toBeInTheDocument();
  });

  it("is not asked for before the profile's first refresh", async () => {
    const { backend } = renderProfile(profile({ status: "Published", lastValidation: validation(), lastSyncAt: null }));
    expect(await screen.findByRole("form", { name: "Profile Acme" })).toBeInTheDocument();
    expect(backend.callsTo("license_usage")).toEqual([]);
    expect(screen.queryByRole("region", { name: "License Usage" })).not.toBeInTheDocument();
  });
});
