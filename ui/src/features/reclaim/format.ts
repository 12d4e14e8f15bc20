// How reclamation values read on screen: ServiceNow's names for states and justifications, our
// words for the reclaim action, and amounts of money in their currency.
import type {
  AuditOutcome,
  AuditRecord,
  CandidateState,
  Justification,
  LastActivitySource,
  Money,
  ReclaimAction,
  SavingsSummary,
  SeatAction,
} from "../../bindings/reclaim";

/** ServiceNow's state names, exactly. */
export const STATE_LABELS: Record<CandidateState, string> = {
  ready: "Ready",
  awaitingUser: "Awaiting User",
  awaitingApproval: "Awaiting Approval",
  awaitingRevocation: "Awaiting Revocation",
  attentionRequired: "Attention Required",
  closedComplete: "Closed Complete",
  closedSkipped: "Closed Skipped",
  closedCanceled: "Closed Canceled",
};

export const ALL_STATES = Object.keys(STATE_LABELS) as CandidateState[];
export const OPEN_STATES: CandidateState[] = [
  "ready",
  "awaitingUser",
  "awaitingApproval",
  "awaitingRevocation",
  "attentionRequired",
];

export const STATE_COLORS: Record<CandidateState, string> = {
  ready: "blue",
  awaitingUser: "yellow",
  awaitingApproval: "orange",
  awaitingRevocation: "grape",
  attentionRequired: "red",
  closedComplete: "teal",
  closedSkipped: "gray",
  closedCanceled: "gray",
};

export const JUSTIFICATION_LABELS: Record<Justification, string> = {
  lowUsage: "Low Usage",
  neverUsed: "Never used",
};

export const SOURCE_LABELS: Record<LastActivitySource, string> = {
  events: "event",
  lastLogin: "last login",
  none: "none",
};

export const ACTION_LABELS: Record<ReclaimAction, string> = {
  freeSeat: "Downgrade the seat",
  deactivate: "Deactivate the user",
};

/** Digits after the decimal point of an ISO 4217 currency (2 when unknown, as the core does). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "$1,250.00", "¥3,000", "€12.50": minor units shown with the currency's own digits. */
export function formatMoney(money: Money): string {
  const value = money.minor / 10 ** money.exponent;
  try {
    return new Intl.NumberFormat("en-US", {
      style: "currency",
      currency: money.currency,
      minimumFractionDigits: money.exponent,
      maximumFractionDigits: money.exponent,
    }).format(value);
  } catch {
    return `${value.toFixed(money.exponent)} ${money.currency}`;
  }
}

/** Amounts in several currencies, side by side: "$300.00 + €40.00". */
export function formatAmounts(amounts: readonly Money[]): string {
  return amounts.length === 0 ? "—" : amounts.map(formatMoney).join(" + ");
}

/** The plain number of a Money, as typed in a form or written to a CSV cell: "1250.00". */
export function plainAmount(money: Money): string {
  return (money.minor / 10 ** money.exponent).toFixed(money.exponent);
}

export const countFormat = new Intl.NumberFormat("en-US");

export function seats(n: number): string {
  return `${countFormat.format(n)} ${n === 1 ? "seat" : "seats"}`;
}

/** "No savings known" when nothing has a cost. */
export function hasSavings(summary: SavingsSummary): boolean {
  return summary.monthly.length > 0;
}

/** A write to Smartsheet, as the Audit Log names it; the last three are undos. */
export const SEAT_ACTION_LABELS: Record<SeatAction, string> = {
  downgrade: "Downgrade",
  unlicense: "Unlicense",
  deactivate: "Deactivate",
  upgrade: "Upgrade (undo)",
  relicense: "License again (undo)",
  reactivate: "Reactivate (undo)",
};

export const SEAT_ACTIONS = Object.keys(SEAT_ACTION_LABELS) as SeatAction[];

/** What became of a write (the core's `AuditOutcome::label`); null: not known yet. */
export const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  succeeded: "Succeeded",
  failed: "Failed",
  applied: "Applied (answer lost, seat read)",
  notApplied: "Not applied (answer lost, seat read)",
};

export const NOT_KNOWN_YET = "Not known yet";

export const OUTCOME_COLORS: Record<AuditOutcome, string> = {
  succeeded: "teal",
  failed: "red",
  applied: "teal",
  notApplied: "orange",
};

export function outcomeLabel(outcome: AuditOutcome | null): string {
  return outcome === null ? NOT_KNOWN_YET : OUTCOME_LABELS[outcome];
}

/** "MEMBER → CONTRIBUTOR". */
export function seatChange(before: string, after: string): string {
  return `${before} → ${after}`;
}

/** Smartsheet's side of a failed write: "error 1188 · message · refId abc123". */
export function outcomeDetails(record: Pick<AuditRecord, "errorCode" | "message" | "refId">): string {
  return [
    record.errorCode !== null ? `error ${record.errorCode}` : null,
    record.message,
    record.refId !== null ? `refId ${record.refId}` : null,
  ]
    .filter((part): part is string => part !== null && part !== "")
    .join(" · ");
}
