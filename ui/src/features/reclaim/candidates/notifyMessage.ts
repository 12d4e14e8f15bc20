// Notify user without an e-mail server: the message the admin sends, the CSV for a mail merge, and
// one mailto: link per user.
import Papa from "papaparse";

import type { RemovalCandidate } from "../../../bindings/reclaim";
import { spreadsheetText } from "../../../lib/csvCell";
import { formatDateTime } from "../../../lib/dates";
import { mailtoUrl } from "../../../lib/opener";

export const NOTIFY_SUBJECT = "Your Smartsheet license: do you still need it?";

/** "2026-12-15" (local date), `days` after `from`. */
function dateAfter(from: Date, days: number): string {
  const date = new Date(from);
  date.setDate(date.getDate() + days);
  return formatDateTime(date).slice(0, 10);
}

/**
 * The message, the same for everyone notified together: `days` is the shortest Days before
 * auto-reclamation of their rules (no one is told a later date than theirs).
 */
export function defaultNotifyBody(days: number | null, today = new Date()): string {
  const deadline =
    days === null
      ? "If you still need it, reply to this e-mail soon."
      : `If you still need it, reply to this e-mail by ${dateAfter(today, days)} (within ${days} ${days === 1 ? "day" : "days"}).`;
  return [
    "Hello,",
    "",
    "Our records show that you have not used your paid Smartsheet license for a while. Unless you still need it, " +
      "we will reclaim it so that someone else can use it. You keep access to what is shared with you.",
    "",
    deadline,
    "",
    "Thank you.",
  ].join("\n");
}

/** The message for one user: "Hello Ann Example," instead of "Hello,". */
export function personalize(body: string, row: RemovalCandidate): string {
  return row.name ? body.replace(/^Hello,/, `Hello ${row.name},`) : body;
}

export function notifyMailto(row: RemovalCandidate, subject: string, body: string): string {
  return mailtoUrl(row.email, subject, personalize(body, row));
}

/** The users to notify, one line each, with their own message (cells safe from formulas). */
export function notifyCsv(rows: readonly RemovalCandidate[], subject: string, body: string): string {
  const fields = ["Email", "Name", "Software model", "Profile", "Inactive days", "Last activity", "Subject", "Message"];
  const data = rows.map((row) =>
    [
      row.email,
      row.name ?? "",
      row.modelName ?? "",
      row.profileName,
      String(row.inactiveDays),
      row.lastActivityAt ?? "",
      subject,
      personalize(body, row),
    ].map(spreadsheetText),
  );
  return Papa.unparse({ fields, data }, { escapeFormulae: false });
}
