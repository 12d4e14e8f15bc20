import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../app/App";
import { mockBackend, reclaimStore } from "../../lib/mockBackend";
import { profile, reclamationRule, removalCandidate, validation } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

const ACME = profile({ status: "Published", lastValidation: validation() });
const MEMBER = reclamationRule();
const PROVISIONAL = reclamationRule({
  id: 2,
  modelId: 2,
  modelName: "Smartsheet Provisional Member",
  paid: false,
  subscriptionCount: 4,
  monthlyCost: null,
});

function renderRules() {
  const store = reclaimStore({
    profiles: [ACME],
    rules: [MEMBER, PROVISIONAL],
    candidates: [removalCandidate({ id: 1 }), removalCandidate({ id: 2, email: "bob@example.com" })],
  });
  const backend = mockBackend({ list_profiles: () => [ACME], ...store.handlers });
  return { ...renderWithProviders(<App />, { path: "/reclamation-rules" }), backend, store };
}

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole("cell")
    .map((td) => td.textContent);

async function openEditor(user: ReturnType<typeof renderRules>["user"], model = "Smartsheet Member") {
  await user.click(await screen.findByRole("button", { name: `Edit the rule of ${model}` }));
  return screen.findByRole("dialog", { name: `Reclamation Rule: ${model}` });
}

const field = (dialog: HTMLElement, name: RegExp) => within(dialog).getByRole("textbox", { name });

describe("Reclamation Rules", () => {
  it("is a screen of the navigation, one list per profile, with the rule's columns", async () => {
    renderRules();
    expect(screen.getByRole("link", { name: "Reclamation Rules" })).toHaveAttribute("aria-current", "page");
    const table = await screen.findByRole("table", { name: "Reclamation Rules" });
    const rows = within(table).getAllByRole("row");
    expect(within(rows[0]!).getAllByRole("columnheader").map((th) => th.textContent)).toEqual([
      "Software model",
      "Paid",
      "Active",
      "Last activity threshold (days)",
      "Grace period (days)",
      "Notify user",
      "Days before auto-reclamation",
      "Reclaim action",
      "Cost per seat per month",
      "Open candidates",
      "Actions",
    ]);
    expect(cells(rows[1]!)).toEqual([
      "Smartsheet Member",
      "Yes",
      "Yes",
      "60",
      "30",
      "No",
      "14",
      "Downgrade the seat",
      "$25.00",
      "2",
      "Edit",
    ]);
    // A model that is not paid produces no candidates, and says so.
    expect(cells(rows[2]!)).toEqual([
      "Smartsheet Provisional Member",
      "No",
      "Yes",
      "60",
      "30",
      "No",
      "14",
      "Downgrade the seat",
      "Not set",
      "None: not paid",
      "Edit",
    ]);
    expect(screen.getByRole("region", { name: "Reclamation Rules of Acme" })).toBeInTheDocument();
  });

  it("saves a valid rule, and the list shows it", async () => {
    const { user, backend } = renderRules();
    const dialog = await openEditor(user);
    // The defaults as the core generated them.
    expect(field(dialog, /Last activity threshold/)).toHaveValue("60 days");
    expect(field(dialog, /Grace period for new accounts/)).toHaveValue("30 days");
    expect(within(dialog).getByRole("switch", { name: /Automatic reclaim/ })).not.toBeChecked();
    expect(within(dialog).getByRole("radio", { name: /Downgrade the seat \(default\)/ })).toBeChecked();
    expect(field(dialog, /Days before auto-reclamation/)).toBeDisabled();

    await user.clear(field(dialog, /Last activity threshold/));
    await user.type(field(dialog, /Last activity threshold/), "90");
    await user.click(within(dialog).getByRole("switch", { name: /Notify user/ }));
    expect(field(dialog, /Days before auto-reclamation/)).toBeEnabled();
    await user.clear(field(dialog, /Days before auto-reclamation/));
    await user.type(field(dialog, /Days before auto-reclamation/), "10");
    await user.clear(field(dialog, /Cost per seat per month/));
    await user.type(field(dialog, /Cost per seat per month/), "1,250.5");
    await user.clear(field(dialog, /Currency/));
    await user.type(field(dialog, /Currency/), "eur");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("update_reclamation_rule")).toEqual([
      {
        ruleId: 1,
        input: {
          lastActivityThresholdDays: 90,
          gracePeriodDays: 30,
          active: true,
          notifyUser: true,
          daysBeforeAutoReclamation: 10,
          autoReclaim: false,
          reclaimAction: "freeSeat",
          monthlyCost: "1,250.5",
          currency: "EUR",
        },
      },
    ]);
    const table = screen.getByRole("table", { name: "Reclamation Rules" });
    await waitFor(() => expect(within(table).getAllByRole("row")[1]).toHaveTextContent("€1,250.50"));
    expect(cells(within(table).getAllByRole("row")[1]!).slice(3, 7)).toEqual(["90", "30", "Yes", "10"]);
  });

  it("refuses values out of the core's ranges before sending anything", async () => {
    const { user, backend } = renderRules();
    const dialog = await openEditor(user);
    await user.clear(field(dialog, /Last activity threshold/));
    await user.type(field(dialog, /Last activity threshold/), "0");
    await user.clear(field(dialog, /Grace period/));
    await user.type(field(dialog, /Grace period/), "4000");
    await user.clear(field(dialog, /Cost per seat per month/));
    await user.type(field(dialog, /Cost per seat per month/), "12.345");
    await user.click(within(dialog).getByRole("switch", { name: /^Active/ }));
    await user.click(within(dialog).getByRole("switch", { name: /Automatic reclaim/ }));
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(
      await within(dialog).findByText("The last activity threshold must be between 1 and 3650 days (it is 0)."),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText("The grace period for new accounts must be between 0 and 3650 days (it is 4000)."),
    ).toBeInTheDocument();
    expect(within(dialog).getByText("USD has 2 digits after the decimal point at most.")).toBeInTheDocument();
    expect(within(dialog).getByText(/An inactive rule produces no candidates/)).toBeInTheDocument();
    expect(field(dialog, /Last activity threshold/)).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsTo("update_reclamation_rule")).toEqual([]);
  });

  it("shows the core's field error on its field", async () => {
    const { user, backend, store } = renderRules();
    const dialog = await openEditor(user);
    // Three letters pass here; whether they are an ISO 4217 code is the core's to say.
    await user.clear(field(dialog, /Currency/));
    await user.type(field(dialog, /Currency/), "XYZ");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(
      await within(dialog).findByText("“XYZ” is not an ISO 4217 currency code. Use a code such as USD, EUR or GBP."),
    ).toBeInTheDocument();
    expect(field(dialog, /Currency/)).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsTo("update_reclamation_rule")).toHaveLength(1);
    expect(store.rule(1)?.currency).toBe("USD");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
  });

  it("says what deactivating does before it is chosen, and that a model without pay produces no candidates", async () => {
    const { user } = renderRules();
    let dialog = await openEditor(user);
    expect(within(dialog).queryByTestId("deactivate-warning")).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("radio", { name: /Deactivate the user/ }));
    const warning = within(dialog).getByTestId("deactivate-warning");
    expect(warning).toHaveTextContent("they can no longer sign in to Smartsheet");
    expect(warning).toHaveTextContent("Their sheets, reports and dashboards stay owned by them");
    expect(warning).toHaveTextContent("reactivate them within 30 days");
    expect(within(dialog).getByText(/without your review — through the same reclaim job/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));

    dialog = await openEditor(user, "Smartsheet Provisional Member");
    expect(within(dialog).getByTestId("rule-not-paid")).toHaveTextContent("never removal candidates");
  });
});
