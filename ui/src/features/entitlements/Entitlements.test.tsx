import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { App } from "../../app/App";
import type { Entitlement } from "../../bindings/reconcile";
import { downloadTextFile } from "../../lib/download";
import { backendError, type BackendHandlers, entitlementStore, mockBackend } from "../../lib/mockBackend";
import { entitlement, model, profile, reclamationRule, validation } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";

vi.mock("../../lib/download", async (original) => ({
  ...(await original<typeof import("../../lib/download")>()),
  downloadTextFile: vi.fn(),
}));

const ACME = profile({ status: "Published", lastValidation: validation() });
const MEMBER = model({ id: 1, name: "Smartsheet Member", subscriptionIdentifier: "MEMBER" });
const PROVISIONAL = model({
  id: 2,
  name: "Smartsheet Provisional Member",
  subscriptionIdentifier: "PROVISIONAL_MEMBER",
  paid: false,
});
const BUSINESS = entitlement();

function renderEntitlements({
  entitlements = [BUSINESS],
  path = "/entitlements",
  handlers = {},
}: { entitlements?: Entitlement[]; path?: string; handlers?: BackendHandlers } = {}) {
  const store = entitlementStore({ models: [MEMBER, PROVISIONAL], entitlements });
  const backend = mockBackend({
    list_profiles: () => [ACME],
    list_models: () => [MEMBER, PROVISIONAL],
    list_reclamation_rules: () => [reclamationRule(), reclamationRule({ id: 2, modelId: 2, currency: "EUR", monthlyCost: null })],
    ...store.handlers,
    ...handlers,
  });
  return { ...renderWithProviders(<App />, { path }), backend, store };
}

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole("cell")
    .map((td) => td.textContent);

const bodyRows = (table: HTMLElement) => within(table).getAllByRole("row").slice(1);

async function openNew(user: ReturnType<typeof renderEntitlements>["user"]) {
  await screen.findByRole("table", { name: "Software Entitlements" });
  await user.click(screen.getByRole("button", { name: "New entitlement" }));
  const dialog = await screen.findByRole("dialog", { name: "New Software Entitlement" });
  // The form shows once the models are read.
  await within(dialog).findByRole("textbox", { name: /Display name/ });
  return dialog;
}

const textbox = (dialog: HTMLElement, name: RegExp) => within(dialog).getByRole("textbox", { name });

async function chooseModel(user: ReturnType<typeof renderEntitlements>["user"], dialog: HTMLElement, option: string) {
  await user.click(textbox(dialog, /Software model/));
  await user.click(await screen.findByRole("option", { name: option }));
}

describe("Software Entitlements", () => {
  it("is a screen of the navigation, one list per profile, with ServiceNow's columns", async () => {
    renderEntitlements({
      entitlements: [
        BUSINESS,
        entitlement({
          id: 2,
          displayName: "EU seats",
          purchasedRights: 10,
          unitCost: { currency: "EUR", minor: 30_000, exponent: 2 },
          totalCost: { currency: "EUR", minor: 300_000, exponent: 2 },
          rate: "1.08",
          billingPeriod: "annual",
          termStart: "2027-01-01",
          termEnd: "2027-12-31",
          state: "future",
          notes: "PO 4711",
        }),
      ],
    });
    expect(screen.getByRole("link", { name: "Software Entitlements" })).toHaveAttribute("aria-current", "page");
    expect(await screen.findByRole("region", { name: "Software Entitlements of Acme" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Software Entitlements" });
    const rows = within(table).getAllByRole("row");
    expect(within(rows[0]!).getAllByRole("columnheader").map((th) => th.textContent)).toEqual([
      "Select",
      "Display name",
      "Software model",
      "Purchased rights",
      "Unit cost",
      "Total cost",
      "Currency/rate",
      "Billing period",
      "Term start",
      "Term end",
      "State",
      "License metric",
      "Notes",
      "Actions",
    ]);
    expect(cells(rows[1]!)).toEqual([
      "",
      "Smartsheet Business 2026",
      "Smartsheet Member",
      "100",
      "$25.00/month",
      "$2,500.00/month",
      "USD",
      "Monthly",
      "2026-01-01",
      "2026-12-31",
      "In use",
      "User Subscription",
      "",
      "EditDelete",
    ]);
    expect(cells(rows[2]!)).toEqual([
      "",
      "EU seats",
      "Smartsheet Member",
      "10",
      "€300.00/year",
      "€3,000.00/year",
      "EUR · 1 EUR = 1.08 USD",
      "Annual",
      "2027-01-01",
      "2027-12-31",
      "Future",
      "User Subscription",
      "PO 4711",
      "EditDelete",
    ]);
  });

  it("exports the list as CSV, amounts as plain numbers with their currency", async () => {
    const { user } = renderEntitlements();
    await screen.findByRole("table", { name: "Software Entitlements" });
    vi.mocked(downloadTextFile).mockClear();
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(downloadTextFile).toHaveBeenCalledTimes(1);
    const [name, csv] = vi.mocked(downloadTextFile).mock.calls[0]!;
    expect(name).toBe("Acme - Software Entitlements.csv");
    expect(csv.split("\r\n")).toEqual([
      "Display name,Software model,Purchased rights,Unit cost,Total cost,Currency/rate,Billing period,Term start,Term end,State,License metric,Notes",
      "Smartsheet Business 2026,Smartsheet Member,100,25.00 USD,2500.00 USD,USD,Monthly,2026-01-01,2026-12-31,In use,User Subscription,",
    ]);
  });

  it("refuses the obvious mistakes on their fields before sending anything", async () => {
    const { user, backend } = renderEntitlements();
    const dialog = await openNew(user);
    await user.type(textbox(dialog, /Purchased rights/), "2000000");
    await user.type(textbox(dialog, /Unit cost/), "25,5x");
    fireEvent.change(within(dialog).getByRole("textbox", { name: /^Term start/ }), { target: { value: "2026-06-01" } });
    fireEvent.change(within(dialog).getByRole("textbox", { name: /^Term end/ }), { target: { value: "2026-05-31" } });
    await user.click(within(dialog).getByRole("button", { name: "Create" }));

    expect(await within(dialog).findByText("Choose the software model this entitlement is for.")).toBeInTheDocument();
    expect(within(dialog).getByText("Enter a display name, for example “Smartsheet Business 2026”.")).toBeInTheDocument();
    expect(
      within(dialog).getByText("2000000 rights is more than Seatkeeper accepts (at most 1000000); check the number."),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText("“25,5x” is not an amount. Enter a number such as 25.00, without the currency sign."),
    ).toBeInTheDocument();
    expect(within(dialog).getByText("The term ends (2026-05-31) before it starts (2026-06-01).")).toBeInTheDocument();
    expect(textbox(dialog, /Display name/)).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsTo("create_entitlement")).toEqual([]);
    expect(screen.getByRole("dialog", { name: "New Software Entitlement" })).toBeInTheDocument();
  });

  it("shows the core's field error on its field, keeps the dialog open and saves nothing, then creates", async () => {
    const { user, backend, store } = renderEntitlements();
    const dialog = await openNew(user);
    await chooseModel(user, dialog, "Smartsheet Provisional Member (PROVISIONAL_MEMBER)");
    // A new entitlement starts in its model's currency (here the rule's cost per seat's).
    expect(textbox(dialog, /Currency/)).toHaveValue("EUR");
    await user.type(textbox(dialog, /Display name/), "Provisional 2026");
    await user.type(textbox(dialog, /Purchased rights/), "20");
    await user.type(textbox(dialog, /Unit cost/), "0");
    // The right shape, but not ISO 4217: only the core knows.
    await user.clear(textbox(dialog, /Currency/));
    await user.type(textbox(dialog, /Currency/), "XYZ");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));

    const currency = textbox(dialog, /Currency/);
    expect(
      await within(dialog).findByText("“XYZ” is not an ISO 4217 currency code. Use a code such as USD, EUR or GBP."),
    ).toBeInTheDocument();
    await waitFor(() => expect(currency).toHaveAttribute("aria-invalid", "true"));
    expect(backend.callsTo("create_entitlement")).toHaveLength(1);
    expect(store.entitlements()).toEqual([BUSINESS]);
    expect(screen.getByRole("dialog", { name: "New Software Entitlement" })).toBeInTheDocument();

    await user.clear(currency);
    await user.type(currency, "usd");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("create_entitlement").at(-1)).toEqual({
      profileId: 1,
      input: {
        modelId: 2,
        displayName: "Provisional 2026",
        purchasedRights: 20,
        unitCost: "0",
        currency: "USD",
        rate: "",
        billingPeriod: "monthly",
        termStart: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        termEnd: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        notes: "",
      },
    });
    const table = screen.getByRole("table", { name: "Software Entitlements" });
    await waitFor(() => expect(bodyRows(table)).toHaveLength(2));
    expect(await screen.findByText(/“Provisional 2026”: 20 rights of Smartsheet Provisional Member\./)).toBeInTheDocument();
  });

  it("asks for the rate when the currency is not the model's, and says the core's refusal of a bad one", async () => {
    const { user, backend } = renderEntitlements();
    const dialog = await openNew(user);
    await chooseModel(user, dialog, "Smartsheet Member (MEMBER)");
    expect(textbox(dialog, /Currency/)).toHaveValue("USD");
    expect(within(dialog).queryByTestId("entitlement-rate")).not.toBeInTheDocument();
    await user.type(textbox(dialog, /Display name/), "EU seats");
    await user.type(textbox(dialog, /Purchased rights/), "10");
    await user.type(textbox(dialog, /Unit cost/), "300");
    await user.click(within(dialog).getByRole("radio", { name: "Annual" }));
    await user.clear(textbox(dialog, /Currency/));
    await user.type(textbox(dialog, /Currency/), "EUR");

    const rate = await within(dialog).findByRole("textbox", { name: /1 EUR = \? USD/ });
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await within(dialog).findByText("Enter how many USD one EUR is worth, for example 1.08.")).toBeInTheDocument();
    expect(backend.callsTo("create_entitlement")).toEqual([]);

    await user.type(rate, "1.08");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("create_entitlement").at(-1)?.input).toMatchObject({
      modelId: 1,
      currency: "EUR",
      rate: "1.08",
      unitCost: "300",
      billingPeriod: "annual",
    });
    const table = screen.getByRole("table", { name: "Software Entitlements" });
    await waitFor(() => expect(bodyRows(table)).toHaveLength(2));
    expect(within(table).getByRole("cell", { name: "EUR · 1 EUR = 1.08 USD" })).toBeInTheDocument();
  });

  it("edits an entitlement, with the core's field error on the field", async () => {
    const { user, backend } = renderEntitlements({
      handlers: {
        update_entitlement: ({ input }) => {
          throw backendError("Validation", `The term end must be between the years 2000 and 2100 (${input.termEnd}).`, "termEnd");
        },
      },
    });
    await user.click(await screen.findByRole("button", { name: "Edit Smartsheet Business 2026" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit Software Entitlement: Smartsheet Business 2026" });
    expect(await within(dialog).findByRole("textbox", { name: /Display name/ })).toHaveValue("Smartsheet Business 2026");
    expect(textbox(dialog, /Unit cost/)).toHaveValue("25.00");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(
      await within(dialog).findByText("The term end must be between the years 2000 and 2100 (2026-12-31)."),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("textbox", { name: /^Term end/ })).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsTo("update_entitlement")).toEqual([
      {
        entitlementId: 1,
        input: {
          modelId: 1,
          displayName: "Smartsheet Business 2026",
          purchasedRights: 100,
          unitCost: "25.00",
          currency: "USD",
          rate: "",
          billingPeriod: "monthly",
          termStart: "2026-01-01",
          termEnd: "2026-12-31",
          notes: "",
        },
      },
    ]);
    expect(screen.getByRole("dialog", { name: /Edit Software Entitlement/ })).toBeInTheDocument();
  });

  it("deletes the selected entitlements after a confirmation, all or none", async () => {
    let refuse = true;
    const second = entitlement({ id: 2, displayName: "Top-up", purchasedRights: 5 });
    const store = entitlementStore({ models: [MEMBER, PROVISIONAL], entitlements: [BUSINESS, second] });
    const { user, backend } = renderEntitlements({
      handlers: {
        ...store.handlers,
        delete_entitlements: (args) => {
          if (refuse) {
            refuse = false;
            throw backendError(
              "NotFound",
              "The software entitlement (id 2) no longer exists; it may have been deleted. Refresh the list.",
            );
          }
          return store.handlers.delete_entitlements(args);
        },
      },
    });
    const table = await screen.findByRole("table", { name: "Software Entitlements" });
    await user.click(within(table).getByRole("checkbox", { name: "Select Smartsheet Business 2026" }));
    await user.click(within(table).getByRole("checkbox", { name: "Select Top-up" }));
    await user.click(screen.getByRole("button", { name: "Delete selected (2)" }));
    let confirm = await screen.findByRole("dialog", { name: "Delete 2 software entitlements" });
    expect(within(confirm).getByTestId("delete-entitlements-list")).toHaveTextContent(
      "Smartsheet Business 2026 (Smartsheet Member, 100 rights)Top-up (Smartsheet Member, 5 rights)",
    );
    await user.click(within(confirm).getByRole("button", { name: "Delete" }));

    // Refused: none is deleted, and the list says so.
    expect(await screen.findByText("Could not delete the entitlements; none was deleted")).toBeInTheDocument();
    expect(backend.callsTo("delete_entitlements")).toEqual([{ ids: [1, 2] }]);
    expect(bodyRows(table)).toHaveLength(2);

    await user.click(screen.getByRole("button", { name: "Delete selected (2)" }));
    confirm = await screen.findByRole("dialog", { name: "Delete 2 software entitlements" });
    await user.click(within(confirm).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText("2 software entitlements deleted.")).toBeInTheDocument();
    expect(backend.callsTo("delete_entitlements")).toEqual([{ ids: [1, 2] }, { ids: [1, 2] }]);
    expect(await screen.findByTestId("entitlements-empty")).toBeInTheDocument();
  });

  it("opens on one model from a link, then shows every entitlement again", async () => {
    const { user, backend, location } = renderEntitlements({ path: "/entitlements?profile=1&model=2" });
    const note = await screen.findByTestId("entitlements-filter");
    await waitFor(() =>
      expect(note).toHaveTextContent("Showing the entitlements of Smartsheet Provisional Member (Acme)."),
    );
    expect(await screen.findByTestId("entitlements-empty")).toHaveTextContent("No entitlement for this model yet");
    expect(backend.callsTo("list_entitlements")).toEqual([{ profileId: 1, modelId: 2 }]);
    // The address drops the filter, so that the next visit shows every list.
    await waitFor(() => expect(location.history?.at(-1)).toBe("/entitlements?"));

    // A new entitlement from the filtered list is for that model.
    await user.click(screen.getByRole("button", { name: "New entitlement" }));
    const dialog = await screen.findByRole("dialog", { name: "New Software Entitlement" });
    expect(await within(dialog).findByRole("textbox", { name: /Software model/ })).toHaveValue(
      "Smartsheet Provisional Member (PROVISIONAL_MEMBER)",
    );
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));

    await user.click(screen.getByRole("button", { name: "Show every entitlement" }));
    const table = await screen.findByRole("table", { name: "Software Entitlements" });
    expect(bodyRows(table)).toHaveLength(1);
    expect(backend.callsTo("list_entitlements").at(-1)).toEqual({ profileId: 1, modelId: null });
  });
});
