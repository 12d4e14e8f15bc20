// The License Usage view's data, shaped for its tables, CSV and charts. Pure functions of what the
// core sent (`license_usage`): nothing here reads anything else.
import dayjs from "dayjs";

import type {
  ActivityBucket,
  Compliance,
  DailyActive,
  ModelReconciliation,
  Reconciliation,
  Trigger,
} from "../../bindings/reconcile";
import type { Money } from "../../bindings/reclaim";
import { csvText } from "../../lib/csvCell";
import { countFormat, formatMoney, plainAmount } from "../reclaim/format";

/** ServiceNow's names. */
export const COMPLIANCE_LABELS: Record<Compliance, string> = {
  compliant: "Compliant",
  notCompliant: "Not Compliant",
};

export const TRIGGER_LABELS: Record<Trigger, string> = {
  refresh: "after a refresh",
  schedule: "scheduled",
  onDemand: "on demand",
};

/** What the charts over time say while there are fewer than two reconciliations. */
export const NOT_ENOUGH_HISTORY = "Not enough history yet: each refresh adds a point";

/** A money cell of the CSV: "6000.00 USD"; empty when there is no cost. */
function csvMoney(money: Money | null): string {
  return money ? `${plainAmount(money)} ${money.currency}` : "";
}

/** A money cell on screen: "$6,000.00"; a dash when there is no cost. */
export function moneyOrDash(money: Money | null): string {
  return money ? formatMoney(money) : "—";
}

/** One column of the per-model table: its header, its CSV text and its text on screen. */
export interface UsageField {
  id: string;
  header: string;
  csv: (m: ModelReconciliation) => string | number;
  display: (m: ModelReconciliation) => string;
  /** A number to sort on (counts and amounts). */
  sort?: (m: ModelReconciliation) => number | undefined;
}

const count = (id: keyof ModelReconciliation & string, header: string): UsageField => ({
  id,
  header,
  csv: (m) => m[id] as number,
  display: (m) => countFormat.format(m[id] as number),
  sort: (m) => m[id] as number,
});

const money = (
  id: "trueUpCost" | "potentialSavings" | "actualSavings",
  header: string,
): UsageField => ({
  id,
  header,
  csv: (m) => csvMoney(m[id]),
  display: (m) => moneyOrDash(m[id]),
  sort: (m) => m[id]?.minor,
});

/** The per-model table's columns, in order (the remediation links are not data). */
export const USAGE_FIELDS: readonly UsageField[] = [
  { id: "model", header: "Software model", csv: (m) => m.model, display: (m) => m.model },
  { id: "paid", header: "Paid", csv: (m) => (m.paid ? "Yes" : "No"), display: (m) => (m.paid ? "Yes" : "No") },
  count("owned", "Owned"),
  count("used", "Used"),
  count("excluded", "Excluded"),
  count("active", "Active"),
  count("inactive", "Inactive"),
  {
    id: "compliance",
    header: "Compliance",
    csv: (m) => COMPLIANCE_LABELS[m.compliance],
    display: (m) => COMPLIANCE_LABELS[m.compliance],
  },
  count("overLicensed", "Over-licensed"),
  count("rightsNeeded", "Rights needed"),
  money("trueUpCost", "True-up cost/yr"),
  money("potentialSavings", "Potential savings/yr"),
  money("actualSavings", "Actual savings/yr"),
  count("openCandidates", "Open candidates"),
];

/** The per-model table's rows as the CSV has them, one text per field of `USAGE_FIELDS`. */
export function usageRows(models: readonly ModelReconciliation[]): string[][] {
  return models.map((m) => USAGE_FIELDS.map((f) => String(f.csv(m))));
}

/** The per-model table as a CSV (formula-like text neutralized, as every export). */
export function usageCsv(models: readonly ModelReconciliation[]): string {
  return csvText(
    USAGE_FIELDS.map((f) => f.header),
    usageRows(models),
  );
}

/** "1 model", "2 models". */
export function modelCount(n: number): string {
  return `${countFormat.format(n)} ${n === 1 ? "model" : "models"}`;
}

/** "Not Compliant: 1 model uses more seats than owned". */
export function notCompliantTitle(n: number): string {
  return `Not Compliant: ${modelCount(n)} ${n === 1 ? "uses" : "use"} more seats than owned`;
}

/** "Reconciled: 2 models, 1 Not Compliant". */
export function reconciledText(run: Reconciliation): string {
  const notCompliant = run.models.filter((m) => m.compliance === "notCompliant").length;
  return `Reconciled: ${modelCount(run.models.length)}, ${countFormat.format(notCompliant)} Not Compliant`;
}

/** The models the owned/used chart shows: the paid ones, and any other that has entitlements. */
export function chartedModels(models: readonly ModelReconciliation[]): ModelReconciliation[] {
  return models.filter((m) => m.paid || m.entitlements > 0);
}

export interface OwnedUsedPoint {
  model: string;
  Owned: number;
  Used: number;
  Active: number;
  [series: string]: string | number;
}

/** Chart (a): owned vs used vs active, per model. */
export function ownedUsedData(models: readonly ModelReconciliation[]): OwnedUsedPoint[] {
  return chartedModels(models).map((m) => ({ model: m.model, Owned: m.owned, Used: m.used, Active: m.active }));
}

/** Chart (b): users on paid seats by days since their last activity; empty when there are none. */
export function activityData(buckets: readonly ActivityBucket[]): { bucket: string; Users: number }[] {
  if (buckets.every((b) => b.users === 0)) return [];
  return buckets.map((b) => ({ bucket: b.label, Users: b.users }));
}

/** The day of a reconciliation, on this computer's clock: the x axis of the charts over time. */
export function runDay(run: Reconciliation): string {
  return dayjs(run.runAt).format("YYYY-MM-DD");
}

/**
 * Chart (c): seats by type (model) over time, one point per reconciliation: its used and excluded
 * seats. `series` are the models in the order they first appear.
 */
export function seatsOverTime(history: readonly Reconciliation[]): {
  series: string[];
  data: Record<string, string | number>[];
} {
  const series: string[] = [];
  for (const run of history) {
    for (const m of run.models) if (!series.includes(m.model)) series.push(m.model);
  }
  const data = history.map((run) => {
    const point: Record<string, string | number> = { date: runDay(run) };
    for (const m of run.models) point[m.model] = (Number(point[m.model]) || 0) + m.used + m.excluded;
    return point;
  });
  return { series, data };
}

/**
 * Chart (d): potential and actual savings per year over time, in the first currency the history
 * has (amounts in another currency are left out), in major units. `currency` null: no cost yet.
 */
export function savingsOverTime(history: readonly Reconciliation[]): {
  currency: string | null;
  data: { date: string; Potential: number; Actual: number }[];
} {
  const first = history
    .flatMap((run) => run.models.flatMap((m) => [m.potentialSavings, m.actualSavings]))
    .find((amount): amount is Money => amount !== null);
  if (!first) return { currency: null, data: [] };
  const major = (amounts: (Money | null)[]) =>
    amounts
      .filter((a): a is Money => a !== null && a.currency === first.currency)
      .reduce((sum, a) => sum + a.minor / 10 ** a.exponent, 0);
  return {
    currency: first.currency,
    data: history.map((run) => ({
      date: runDay(run),
      Potential: major(run.models.map((m) => m.potentialSavings)),
      Actual: major(run.models.map((m) => m.actualSavings)),
    })),
  };
}

/** Chart (e): users active each day. */
export function dailyActiveData(days: readonly DailyActive[]): { day: string; Users: number }[] {
  return days.map((d) => ({ day: d.day, Users: d.users }));
}
