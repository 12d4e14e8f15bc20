// The Audit Log's CSV export: every record of the filter, read window after window (never in one
// answer), written with the rule that keeps a spreadsheet from running a cell as a formula.
import Papa from "papaparse";

import type { AuditFilter, AuditRecord } from "../../../bindings/reclaim";
import { spreadsheetText } from "../../../lib/csvCell";
import * as ipc from "../../../lib/ipc";
import { outcomeLabel, SEAT_ACTION_LABELS } from "../format";

/** Records per read while exporting. */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * Every record that matches `filter`, newest first, read in windows of EXPORT_PAGE_SIZE. Records
 * written while it reads push the older ones down: a record seen twice is kept once.
 */
export async function readAllAudit(filter: AuditFilter): Promise<AuditRecord[]> {
  const rows = new Map<number, AuditRecord>();
  for (let offset = 0; ; ) {
    const page = await ipc.listAudit(filter, offset, EXPORT_PAGE_SIZE);
    for (const row of page.rows) rows.set(row.id, row);
    offset += page.rows.length;
    if (page.rows.length === 0 || offset >= page.total) break;
  }
  return [...rows.values()];
}

const COLUMNS: readonly [string, (r: AuditRecord) => string | number | null][] = [
  ["Audit record", (r) => r.id],
  ["Requested at", (r) => r.requestedAt],
  ["Profile", (r) => r.profileName],
  ["User id", (r) => r.userId],
  ["E-mail", (r) => r.email],
  ["Name", (r) => r.name],
  ["Action", (r) => SEAT_ACTION_LABELS[r.action]],
  ["Seat before", (r) => r.seatBefore],
  ["Seat after", (r) => r.seatAfter],
  ["Outcome", (r) => outcomeLabel(r.outcome)],
  ["Finished at", (r) => r.finishedAt],
  ["Error code", (r) => r.errorCode],
  ["Message", (r) => r.message],
  ["refId", (r) => r.refId],
  ["Confirmed by", (r) => r.confirmedBy],
  ["Candidate", (r) => r.candidateId],
  ["Undo of", (r) => r.undoOf],
  ["Undone by", (r) => r.undoneBy],
  ["Request", (r) => r.request],
];

/** The records as CSV: one row each, dates in ISO 8601, every cell safe to open in a spreadsheet. */
export function auditCsv(rows: readonly AuditRecord[]): string {
  const text = (value: string | number | null) => spreadsheetText(value === null ? "" : String(value));
  return Papa.unparse(
    {
      fields: COLUMNS.map(([header]) => text(header)),
      data: rows.map((row) => COLUMNS.map(([, value]) => text(value(row)))),
    },
    { escapeFormulae: false },
  );
}
