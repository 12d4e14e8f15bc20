import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import dayjs from "dayjs";
import Papa from "papaparse";
import { describe, expect, it, vi } from "vitest";

import { App } from "../../../app/App";
import type { Profile } from "../../../bindings/profiles";
import type { AuditFilter, AuditRecord } from "../../../bindings/reclaim";
import { backendError, type BackendHandlers, mockBackend, reclaimStore } from "../../../lib/mockBackend";
import { auditRecord, profile, validation } from "../../../test/fixtures";
import { renderWithProviders } from "../../../test/render";
import { AUDIT_ROW_HEIGHT } from "./AuditTable";
import { AuditLog, NEVER_EDITED } from "./AuditLog";

vi.mock("../../../lib/download", () => ({ downloadTextFile: vi.fn() }));
const { downloadTextFile } = await import("../../../lib/download");

const ACME = profile({ status: "Published", lastValidation: validation() });
const GLOBEX = profile({ id: 2, displayName: "Globex", status: "Published", lastValidation: validation() });

/** `count` downgrades of Acme, one a minute from 2026-12-01 09:00 UTC: record `count` is the newest. */
function manyRecords(count: number): AuditRecord[] {
  return Array.from({ length: count }, (_, i) =>
    auditRecord({
      id: i + 1,
      requestedAt: new Date(Date.UTC(2026, 11, 1, 9, i)).toISOString(),
      userId: 10_000 + i,
      email: `user${i}@example.com`,
      name: `User ${String(i).padStart(5, "0")}`,
      candidateId: i + 1,
    }),
  );
}

interface Setup {
  profiles?: Profile[];
  audit?: AuditRecord[];
  handlers?: BackendHandlers;
  related?: Profile;
}

function setup({ profiles = [ACME, GLOBEX], audit = [], handlers = {}, related }: Setup = {}) {
  const store = reclaimStore({ profiles, audit, confirmedBy: "ada" });
  const backend = mockBackend({ list_profiles: () => profiles, ...store.handlers, ...handlers });
  const view = related ? renderWithProviders(<AuditLog profile={related} />) : renderWithProviders(<App />, { path: "/audit" });
  return { ...view, backend, store };
}

const table = () => screen.getByRole("table", { name: "Audit Log" });
const bodyRows = () => within(table()).getAllByTestId("audit-row");
const rowOf = (text: string) => bodyRows().find((row) => row.textContent?.includes(text))!;
/** The row of audit record `id` (its When cell ends with "record <id>"). */
const recordRow = (id: number) =>
  bodyRows().find((row) => within(row).getAllByRole("cell")[0]!.textContent?.endsWith(`record ${id}`))!;
const reads = (backend: ReturnType<typeof setup>["backend"]) =>
  backend.callsTo("list_audit") as { filter: AuditFilter; offset: number; limit: number }[];
const EVERYTHING: AuditFilter = { profileId: null, action: null, search: "", from: null, to: null };

describe("Audit Log", () => {
  it("is a screen of the navigation that reads the log in windows, never all of it", async () => {
    const { backend } = setup({ audit: manyRecords(1000) });
    expect(screen.getByRole("link", { name: "Audit Log" })).toHaveAttribute("aria-current", "page");
    await waitFor(() => expect(screen.getByTestId("audit-count")).toHaveTextContent("1,000 records"));
    await waitFor(() => expect(bodyRows()[0]).toHaveTextContent("User 00999"));
    expect(table()).toHaveAttribute("aria-rowcount", "1001");
    expect(bodyRows().length).toBeLessThan(40);
    expect(reads(backend)).toEqual([{ filter: EVERYTHING, offset: 0, limit: 100 }]);

    const viewport = screen.getByTestId("audit-viewport");
    viewport.scrollTop = 600 * AUDIT_ROW_HEIGHT;
    fireEvent.scroll(viewport);
    await waitFor(() => expect(rowOf("User 00399")).toBeDefined());
    const offsets = [...new Set(reads(backend).map((r) => r.offset))].sort((a, b) => a - b);
    expect(offsets[0]).toBe(0);
    expect(offsets.slice(1).every((o) => o >= 500 && o <= 700)).toBe(true);
    expect(reads(backend).every((r) => r.limit === 100)).toBe(true);
    expect(reads(backend).reduce((sum, r) => sum + r.limit, 0)).toBeLessThanOrEqual(400);
    expect(screen.getByTestId("audit-never-edited")).toHaveTextContent(NEVER_EDITED);
    expect(NEVER_EDITED).toContain("Records are never edited or deleted; they go only with their profile");
  });

  it("shows when, profile, user, action, seat before → after, outcome, confirmed by, candidate and undo", async () => {
    setup({
      audit: [
        auditRecord({ id: 1 }),
        auditRecord({
          id: 2,
          profileId: 2,
          profileName: "Globex",
          requestedAt: "2026-12-01T10:00:00Z",
          email: "dan@globex.example",
          name: null,
          action: "unlicense",
          seatBefore: "Licensed",
          seatAfter: "Unlicensed",
          candidateId: 42,
          confirmedBy: "bob",
          outcome: "failed",
          errorCode: 1102,
          message: "The user is a group admin.",
          refId: "ref-77",
          undoBlocked: "The seat was not changed, so there is nothing to undo.",
        }),
        auditRecord({
          id: 3,
          requestedAt: "2026-12-01T11:00:00Z",
          email: "eve@example.com",
          name: "Eve Early",
          outcome: null,
          finishedAt: null,
          undoBlocked: "Its outcome is not known yet (Seatkeeper stopped during the call).",
        }),
      ],
    });
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    expect(within(table()).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "When",
      "Profile",
      "User",
      "Action",
      "Seat before → after",
      "Outcome",
      "Confirmed by",
      "Candidate",
      "Undo",
    ]);
    const cells = (text: string) => within(rowOf(text)).getAllByRole("cell").map((c) => c.textContent);
    expect(cells("ann@example.com")).toEqual([
      `${dayjs("2026-12-01T09:00:00Z").format("YYYY-MM-DD HH:mm")}record 1`,
      "Acme",
      "Ann Exampleann@example.com",
      "Downgrade",
      "MEMBER → CONTRIBUTOR",
      "Succeeded",
      "tester",
      "1",
      "Undo",
    ]);
    expect(cells("dan@globex.example").slice(1, 8)).toEqual([
      "Globex",
      "dan@globex.example",
      "Unlicense",
      "Licensed → Unlicensed",
      "Failederror 1102 · The user is a group admin. · refId ref-77",
      "bob",
      "42",
    ]);
    expect(within(rowOf("eve@example.com")).getByTestId("outcome-badge")).toHaveTextContent("Not known yet");
  });

  it("sends the profile, action, search and date range to the core", async () => {
    const { user, backend } = setup({ audit: manyRecords(3) });
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    await user.click(screen.getByRole("textbox", { name: "Profile" }));
    await user.click(await screen.findByRole("option", { name: "Acme" }));
    await user.click(screen.getByRole("textbox", { name: "Action" }));
    await user.click(await screen.findByRole("option", { name: "Deactivate" }));
    await user.type(screen.getByRole("textbox", { name: "Search" }), " Ann ");
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-11-01" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-11-30" } });
    const expected: AuditFilter = {
      profileId: 1,
      action: "deactivate",
      search: "Ann",
      // Days on this computer's clock; the core's `to` is exclusive: the start of the next day.
      from: dayjs("2026-11-01").startOf("day").toISOString(),
      to: dayjs("2026-12-01").startOf("day").toISOString(),
    };
    await waitFor(() => expect(reads(backend).at(-1)).toEqual({ filter: expected, offset: 0, limit: 100 }));
    expect(await screen.findByText("No records match the filters")).toBeInTheDocument();

    // An end before the start is said, and not sent.
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-10-01" } });
    expect(await screen.findByText("The end date is before the start date.")).toBeInTheDocument();
    await waitFor(() => expect(reads(backend).at(-1)?.filter).toEqual({ ...expected, from: null, to: null }));
  });

  it("is a related list of the profile: only its records, without the Profile column", async () => {
    const { backend } = setup({ related: ACME, audit: [auditRecord({ id: 1 }), auditRecord({ id: 2, profileId: 2, profileName: "Globex", email: "g@globex.example" })] });
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    expect(reads(backend)[0]).toEqual({ filter: { ...EVERYTHING, profileId: 1 }, offset: 0, limit: 100 });
    expect(within(table()).queryByRole("columnheader", { name: "Profile" })).not.toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: "Profile" })).not.toBeInTheDocument();
  });

  it("exports the filtered log as CSV: every page read, formula-like text neutralized", async () => {
    const records = manyRecords(2500);
    records[0] = { ...records[0]!, name: "=HYPERLINK(\"http://evil.example\")", message: "+1 more", outcome: "failed", errorCode: 4000 };
    const { user, backend } = setup({ audit: records });
    await waitFor(() => expect(screen.getByTestId("audit-count")).toHaveTextContent("2,500 records"));
    await user.type(screen.getByRole("textbox", { name: "Search" }), "example");
    await waitFor(() => expect(reads(backend).at(-1)?.filter.search).toBe("example"));
    vi.mocked(downloadTextFile).mockClear();
    const before = reads(backend).length;

    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(downloadTextFile).toHaveBeenCalledTimes(1));
    const exportReads = reads(backend).slice(before);
    expect(exportReads.map((r) => [r.offset, r.limit])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 1000],
    ]);
    expect(exportReads.every((r) => r.filter.search === "example")).toBe(true);

    const [fileName, csv] = vi.mocked(downloadTextFile).mock.calls[0]!;
    expect(fileName).toMatch(/^Audit Log \d{4}-\d{2}-\d{2}\.csv$/);
    const parsed = Papa.parse<string[]>(csv.trim()).data;
    expect(parsed[0]).toEqual([
      "Audit record",
      "Requested at",
      "Profile",
      "User id",
      "E-mail",
      "Name",
      "Action",
      "Seat before",
      "Seat after",
      "Outcome",
      "Finished at",
      "Error code",
      "Message",
      "refId",
      "Confirmed by",
      "Candidate",
      "Undo of",
      "Undone by",
      "Request",
    ]);
    expect(parsed).toHaveLength(2501);
    expect(parsed[1]![0]).toBe("2500");
    const first = parsed.find((row) => row[0] === "1")!;
    expect(first.slice(0, 10)).toEqual([
      "1",
      "2026-12-01T09:00:00.000Z",
      "Acme",
      "10000",
      "user0@example.com",
      "'=HYPERLINK(\"http://evil.example\")",
      "Downgrade",
      "MEMBER",
      "CONTRIBUTOR",
      "Failed",
    ]);
    expect(first[11]).toBe("4000");
    expect(first[12]).toBe("'+1 more");
  });

  it("disables Undo with the reason, in view and as its description", async () => {
    setup({ audit: [auditRecord({ id: 1, undoneBy: 2, undoBlocked: "Already undone (audit record 2)." })] });
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    const blocked = within(bodyRows()[0]!).getByTestId("undo-blocked");
    expect(blocked).toHaveTextContent("Already undone (audit record 2).");
    const undo = within(blocked).getByRole("button", { name: "Undo" });
    expect(undo).toBeDisabled();
    expect(undo).toHaveAccessibleDescription("Already undone (audit record 2).");
  });

  it("undoes after a confirmation that says what will happen, then shows the outcome and the new record", async () => {
    const { user, backend } = setup({ audit: [auditRecord({ id: 1 })] });
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    await user.click(within(bodyRows()[0]!).getByRole("button", { name: "Undo: ann@example.com" }));
    const dialog = await screen.findByRole("dialog", { name: "Undo a change" });
    expect(within(dialog).getByTestId("undo-change")).toHaveTextContent("Upgrade back: CONTRIBUTOR → MEMBER for ann@example.com");
    expect(backend.callsTo("undo_audit")).toEqual([]);

    await user.click(within(dialog).getByRole("button", { name: "Confirm undo" }));
    expect(await within(dialog).findByTestId("undo-outcome")).toHaveTextContent(
      "Smartsheet carried it out: CONTRIBUTOR → MEMBER for ann@example.com. Audit record 2 records the undo.",
    );
    expect(backend.callsTo("undo_audit")).toEqual([{ auditId: 1 }]);
    expect(within(dialog).queryByRole("button", { name: "Confirm undo" })).not.toBeInTheDocument();

    // The log is read again: the undo's own record, and the original now undone.
    await waitFor(() => expect(bodyRows()).toHaveLength(2));
    expect(within(recordRow(2)).getAllByRole("cell")[3]).toHaveTextContent("Upgrade (undo)undoes record 1");
    expect(within(recordRow(2)).getAllByRole("cell")[4]).toHaveTextContent("CONTRIBUTOR → MEMBER");
    expect(within(recordRow(2)).getByTestId("undo-blocked")).toHaveTextContent("This record is itself an undo");
    expect(within(recordRow(1)).getByTestId("undo-blocked")).toHaveTextContent("Already undone (audit record 2).");
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(backend.callsTo("undo_audit")).toHaveLength(1);
  });

  it("shows Smartsheet's refusal of an undo, and a refusal before anything is written", async () => {
    const refused = auditRecord({
      id: 2,
      action: "upgrade",
      seatBefore: "CONTRIBUTOR",
      seatAfter: "MEMBER",
      undoOf: 1,
      outcome: "failed",
      errorCode: 1188,
      message: "Smartsheet does not change the seat of a deactivated user (error 1188). Reactivate them first.",
      refId: "abc123",
    });
    let calls = 0;
    const { user } = setup({
      audit: [auditRecord({ id: 1 }), auditRecord({ id: 5, email: "zed@example.com", name: "Zed" })],
      handlers: {
        undo_audit: ({ auditId }) => {
          calls += 1;
          if (auditId === 1) return refused;
          throw backendError(
            "Conflict",
            "zed@example.com's seat changed since Seatkeeper's change (it is now MEMBER, Seatkeeper left CONTRIBUTOR). Undo would overwrite that change, so nothing was written.",
          );
        },
      },
    });
    await waitFor(() => expect(bodyRows()).toHaveLength(2));
    await user.click(within(rowOf("ann@example.com")).getByRole("button", { name: "Undo: ann@example.com" }));
    let dialog = await screen.findByRole("dialog", { name: "Undo a change" });
    await user.click(within(dialog).getByRole("button", { name: "Confirm undo" }));
    const outcome = await within(dialog).findByTestId("undo-outcome");
    expect(outcome).toHaveTextContent("Smartsheet refused the undo");
    expect(outcome).toHaveTextContent("Smartsheet does not change the seat of a deactivated user (error 1188).");
    expect(outcome).toHaveTextContent("error 1188");
    expect(outcome).toHaveTextContent("refId abc123");
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Undo a change" })).not.toBeInTheDocument());

    await user.click(within(rowOf("zed@example.com")).getByRole("button", { name: "Undo: zed@example.com" }));
    dialog = await screen.findByRole("dialog", { name: "Undo a change" });
    await user.click(within(dialog).getByRole("button", { name: "Confirm undo" }));
    expect(await within(dialog).findByTestId("undo-outcome")).toHaveTextContent(
      "Nothing was undonezed@example.com's seat changed since Seatkeeper's change",
    );
    expect(calls).toBe(2);
  });
});
