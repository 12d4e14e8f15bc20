import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { App } from "../../../app/App";
import type { Profile } from "../../../bindings/profiles";
import type { ReclamationRule, RemovalCandidate } from "../../../bindings/reclaim";
import type { SyncProgress } from "../../../bindings/sync";
import { backendError, type BackendHandlers, emitBackendEvent, mockBackend, reclaimStore } from "../../../lib/mockBackend";
import { jobResult, profile, reclamationRule, removalCandidate, validation } from "../../../test/fixtures";
import { renderWithProviders } from "../../../test/render";
import { ReclaimableCandidates } from "./ReclaimableCandidates";

const ACME = profile({ status: "Published", lastValidation: validation() });
/** The paid model's rule: 25.00 USD a seat and month, downgrade. */
const MEMBER = reclamationRule({ id: 1, modelId: 1 });

/** Ann (internal), Bob (external: GUEST), Cleo notified and waiting for her answer. */
const CANDIDATES = [
  removalCandidate({ id: 1, email: "ann@example.com", name: "Ann Example", inactiveDays: 300 }),
  removalCandidate({ id: 2, userId: 1002, email: "bob@partner.example", name: "Bob Builder", isInternal: false, inactiveDays: 200 }),
  removalCandidate({ id: 3, userId: 1003, email: "cleo@example.com", name: "Cleo Cat", state: "awaitingUser", inactiveDays: 100 }),
];

interface Setup {
  profiles?: Profile[];
  rules?: ReclamationRule[];
  candidates?: RemovalCandidate[];
  handlers?: BackendHandlers;
  related?: Profile;
}

function setup({ profiles = [ACME], rules = [MEMBER], candidates = CANDIDATES, handlers = {}, related }: Setup = {}) {
  const store = reclaimStore({ profiles, rules, candidates, confirmedBy: "ada" });
  const backend = mockBackend({
    list_profiles: () => profiles,
    cancel_job: () => null,
    ...store.handlers,
    ...handlers,
  });
  const view = related
    ? renderWithProviders(<ReclaimableCandidates profile={related} />)
    : renderWithProviders(<App />, { path: "/candidates" });
  return { ...view, backend, store };
}

const select = async (user: ReturnType<typeof setup>["user"], ...names: string[]) => {
  for (const name of names) await user.click(await screen.findByRole("checkbox", { name: `Select ${name}` }));
};
const reclaimButton = () => within(screen.getByTestId("selection-bar")).getByRole("button", { name: "Reclaim" });
const dialog = () => screen.findByRole("dialog", { name: "Reclaim seats" });
const previewRows = (d: HTMLElement) =>
  within(d)
    .getAllByTestId("preview-item")
    .map((row) => [within(row).getAllByRole("cell")[0]!.textContent, within(row).getByTestId("seat-change").textContent]);

function progress(overrides: Partial<SyncProgress> = {}): SyncProgress {
  return { phase: "reclaiming", pagesDone: 0, pagesTotal: null, usersRead: 0, eventsRead: 0, candidatesDone: 0, candidatesTotal: 2, ...overrides };
}

describe("Reclaim confirmation", () => {
  it("lists exactly the core's dry run, seat before → after, and writes nothing before the confirm button", async () => {
    const { user, backend } = setup();
    await select(user, "Ann Example", "Bob Builder");
    await user.click(reclaimButton());

    let d = await dialog();
    await within(d).findAllByTestId("preview-item");
    expect(backend.callsTo("preview_reclaim")).toEqual([{ ids: [1, 2] }]);
    expect(previewRows(d)).toEqual([
      ["Ann Exampleann@example.com", "Downgrade: MEMBER → CONTRIBUTOR"],
      ["Bob Builderbob@partner.example", "Downgrade: MEMBER → GUEST"],
    ]);
    expect(within(d).getByTestId("preview-savings")).toHaveTextContent("Savings: $50.00 per month · $600.00 per year");
    expect(within(d).queryByTestId("preview-refused")).not.toBeInTheDocument();
    expect(within(d).queryByTestId("deactivate-warning")).not.toBeInTheDocument();

    // Cancel: nothing confirmed, nothing changed.
    await user.click(within(d).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Reclaim seats" })).not.toBeInTheDocument());
    expect(backend.callsTo("confirm_reclaim")).toEqual([]);

    await user.click(reclaimButton());
    d = await dialog();
    await within(d).findAllByTestId("preview-item");
    expect(backend.callsTo("confirm_reclaim")).toEqual([]);
    await user.click(within(d).getByRole("button", { name: "Reclaim 2 seats" }));
    await within(d).findByTestId("reclaim-run");
    expect(backend.callsTo("confirm_reclaim")).toEqual([{ ids: [1, 2] }]);
    expect(within(d).getByTestId("reclaim-run")).toHaveTextContent("Confirmed by ada: 2 candidates are Awaiting Revocation");
    // The selection is cleared; the candidates are read again (now Awaiting Revocation).
    expect(screen.getByTestId("selected-count")).toHaveTextContent("0 selected");
  });

  it("warns before deactivating, with what it does", async () => {
    const { user } = setup({ rules: [reclamationRule({ id: 1, modelId: 1, reclaimAction: "deactivate" })] });
    await select(user, "Ann Example");
    await user.click(reclaimButton());
    const d = await dialog();
    expect(await within(d).findByTestId("deactivate-warning")).toHaveTextContent("1 user is deactivated");
    expect(within(d).getByTestId("deactivate-warning")).toHaveTextContent("they can no longer sign in to Smartsheet");
    expect(within(d).getByTestId("seat-change")).toHaveTextContent("Deactivate: MEMBER → DEACTIVATED");
    expect(within(d).getByTestId("seat-also")).toHaveTextContent("Reactivation is possible for 30 days");
    expect(within(d).getByRole("button", { name: "Reclaim 1 seat" })).toBeEnabled();
  });

  it("blocks confirming while a selected candidate is refused, and continues with the others only", async () => {
    const { user, backend } = setup();
    await select(user, "Ann Example", "Cleo Cat");
    await user.click(reclaimButton());
    const d = await dialog();
    const refused = await within(d).findByTestId("preview-refused");
    expect(refused).toHaveTextContent("1 selected candidate cannot be reclaimed now");
    expect(within(refused).getByTestId("refused-item")).toHaveTextContent(
      "cleo@example.com: A candidate that is Awaiting User cannot be reclaimed. The user was notified and has not been decided on yet",
    );
    expect(previewRows(d)).toEqual([["Ann Exampleann@example.com", "Downgrade: MEMBER → CONTRIBUTOR"]]);
    const confirm = within(d).getByTestId("confirm-reclaim");
    expect(confirm).toBeDisabled();
    await user.click(confirm);
    expect(backend.callsTo("confirm_reclaim")).toEqual([]);

    await user.click(within(d).getByRole("button", { name: "Continue with the 1 other only" }));
    await waitFor(() => expect(backend.callsTo("preview_reclaim").at(-1)).toEqual({ ids: [1] }));
    await waitFor(() => expect(within(d).queryByTestId("preview-refused")).not.toBeInTheDocument());
    // The list's selection follows.
    expect(screen.getByTestId("selected-count")).toHaveTextContent("1 selected");
    expect(screen.getByRole("checkbox", { name: "Select Cleo Cat" })).not.toBeChecked();
    await user.click(within(d).getByRole("button", { name: "Reclaim 1 seat" }));
    await waitFor(() => expect(backend.callsTo("confirm_reclaim")).toEqual([{ ids: [1] }]));
  });

  it("shows the core's refusal at confirmation, all or nothing", async () => {
    const { user, backend } = setup({
      handlers: {
        confirm_reclaim: () => {
          throw backendError(
            "Conflict",
            "bob@partner.example (candidate 2): A candidate that is Closed Canceled cannot be reclaimed. Nothing was reclaimed.",
          );
        },
      },
    });
    await select(user, "Ann Example", "Bob Builder");
    await user.click(reclaimButton());
    const d = await dialog();
    await user.click(await within(d).findByRole("button", { name: "Reclaim 2 seats" }));
    expect(await within(d).findByRole("alert")).toHaveTextContent(
      "Nothing was reclaimedbob@partner.example (candidate 2): A candidate that is Closed Canceled cannot be reclaimed.",
    );
    expect(within(d).queryByTestId("reclaim-run")).not.toBeInTheDocument();
    // The dry run is read again: what made it refuse may be new.
    await waitFor(() => expect(backend.callsTo("preview_reclaim")).toHaveLength(2));
  });

  it("shows the job's progress from its events, cancels it, and gives the result of each candidate", async () => {
    const three = CANDIDATES.map((c) => ({ ...c, state: "ready" as const }));
    const { user, backend, store } = setup({ candidates: three });
    await select(user, "Ann Example", "Bob Builder", "Cleo Cat");
    await user.click(reclaimButton());
    const d = await dialog();
    await user.click(await within(d).findByRole("button", { name: "Reclaim 3 seats" }));
    const job = await within(d).findByTestId("reclaim-job-101");
    expect(job).toHaveTextContent("Starting…");

    await emitBackendEvent("job-progress", { jobId: 101, profileId: 1, progress: progress({ candidatesDone: 1, candidatesTotal: 3 }) });
    await waitFor(() => expect(within(job).getByTestId("reclaim-progress-text")).toHaveTextContent("Reclaiming seats · 1 of 3 candidates"));
    expect(job).toHaveTextContent("Reclaim Acme Subscriptions");
    // Another job's events are not this reclaim's.
    await emitBackendEvent("job-progress", { jobId: 7, profileId: 1, progress: progress({ candidatesDone: 9, candidatesTotal: 9 }) });
    expect(within(job).getByTestId("reclaim-progress-text")).toHaveTextContent("1 of 3 candidates");

    await user.click(within(job).getByRole("button", { name: "Cancel: Reclaim Acme Subscriptions" }));
    await waitFor(() => expect(backend.callsTo("cancel_job")).toEqual([{ jobId: 101 }]));
    expect(within(job).getByRole("button", { name: "Cancel: Reclaim Acme Subscriptions" })).toHaveTextContent("Cancelling…");

    // The run reclaimed Ann, found Bob active again, and Smartsheet refused Cleo's.
    store.settle(1, "closedComplete", "Reclaimed: MEMBER → CONTRIBUTOR.");
    store.settle(2, "closedCanceled", "Active again on 2026-12-01 08:00 UTC (checked just before reclaiming); the seat was left as it is.");
    store.settle(3, "attentionRequired", "Smartsheet refuses to change the seat of a deactivated user (error 1188). Reactivate them first, or Skip this candidate.");
    await emitBackendEvent("job-finished", {
      jobId: 101,
      profileId: 1,
      result: jobResult({ id: 9, jobId: 101, jobKind: "Reclaim", status: "succeeded", candidatesReclaimed: 1, candidatesCanceled: 1, candidatesFailed: 1 }),
    });

    const result = await within(d).findByTestId("reclaim-result");
    expect(within(result).getByTestId("reclaim-totals")).toHaveTextContent(
      "Reclaimed: 1 · Canceled — active again: 1 · Attention Required: 1",
    );
    await within(result).findAllByTestId("result-item");
    const rows = within(result)
      .getAllByTestId("result-item")
      .map((row) => [
        within(row).getAllByRole("cell")[0]!.textContent,
        within(row).getByTestId("result-badge").textContent,
        within(row).queryByTestId("result-note")?.textContent,
      ]);
    expect(rows).toEqual([
      ["Ann Exampleann@example.com", "Reclaimed", "Reclaimed: MEMBER → CONTRIBUTOR."],
      ["Bob Builderbob@partner.example", "Canceled — active again", expect.stringContaining("Active again on 2026-12-01")],
      ["Cleo Catcleo@example.com", "Attention Required", expect.stringContaining("error 1188")],
    ]);
    expect(within(job).queryByRole("button", { name: /Cancel/ })).not.toBeInTheDocument();
    expect(within(job).getByText("Succeeded")).toBeInTheDocument();
    // The candidates the run took were read back by id, in every state, in one read.
    const lookups = backend
      .callsTo("list_candidates")
      .map((c) => (c.request as { filter: { ids?: number[]; states: string[] } }).filter)
      .filter((f) => f.ids !== undefined);
    expect(lookups).toHaveLength(1);
    expect([...lookups[0]!.ids!].sort()).toEqual([1, 2, 3]);
    expect(lookups[0]!.states).toHaveLength(8);
  });

  it("says which candidates a cancelled run did not reach", async () => {
    const { user, store } = setup({ related: ACME });
    await select(user, "Ann Example", "Bob Builder");
    await user.click(reclaimButton());
    const d = await dialog();
    await user.click(await within(d).findByRole("button", { name: "Reclaim 2 seats" }));
    await within(d).findByTestId("reclaim-job-101");
    store.settle(1, "closedComplete", "Reclaimed: MEMBER → CONTRIBUTOR.");
    store.settle(2, "ready", "The reclaim was cancelled before this seat was reached; confirm it again to reclaim it.");
    await emitBackendEvent("job-finished", {
      jobId: 101,
      profileId: 1,
      result: jobResult({ id: 9, jobId: 101, jobKind: "Reclaim", status: "cancelled", candidatesReclaimed: 1 }),
    });
    const result = await within(d).findByTestId("reclaim-result");
    await waitFor(() => expect(within(result).getByTestId("reclaim-totals")).toHaveTextContent("Not reclaimed, Ready again: 1"));
    await waitFor(() =>
      expect(within(result).getAllByTestId("result-badge").map((b) => b.textContent)).toEqual([
        "Reclaimed",
        "Not reclaimed — Ready again",
      ]),
    );
    expect(within(d).getByTestId("reclaim-job-101")).toHaveTextContent("Cancelled");
  });
});
