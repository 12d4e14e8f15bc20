// The software entitlement form: its values, and the checks the core makes (seatkeeper-core
// reconcile/entitlements.rs `check`, reclaim/money.rs), mirrored so that the form says what is
// obviously wrong before anything is sent. The core stays the authority: its Validation errors land
// on the field they name (a currency code of the right shape that is not ISO 4217, a rate the
// model's currency needs, a model deleted meanwhile), and nothing is saved unless all of it is valid.
import { z } from "zod";

import type { BillingPeriod, Entitlement, EntitlementInput } from "../../bindings/reconcile";
import { currencyDigits, plainAmount } from "../reclaim/format";
import { currencyProblem } from "../reclaim/ruleForm";

/** The core's limits (entitlements.rs, money.rs). */
export const MAX_RIGHTS = 1_000_000;
export const MAX_NAME = 200;
export const MAX_NOTES = 2000;
const MAX_MAJOR = 1_000_000;
const MAX_RATE_DECIMALS = 6;

export interface EntitlementFormValues {
  /** The Software model select's value: a model id, "" while none is chosen. */
  modelId: string;
  displayName: string;
  /** Mantine's NumberInput gives "" when the field is empty. */
  purchasedRights: number | "";
  unitCost: string;
  currency: string;
  rate: string;
  billingPeriod: BillingPeriod;
  /** YYYY-MM-DD, "" while empty. */
  termStart: string;
  termEnd: string;
  notes: string;
}

/** The backend's field names are the form's. */
export const ENTITLEMENT_FIELDS = {
  modelId: "modelId",
  displayName: "displayName",
  purchasedRights: "purchasedRights",
  unitCost: "unitCost",
  currency: "currency",
  rate: "rate",
  billingPeriod: "billingPeriod",
  termStart: "termStart",
  termEnd: "termEnd",
  notes: "notes",
} as const satisfies Record<string, keyof EntitlementFormValues>;

/**
 * The model's reporting currency as the core will judge this entitlement: that of its other
 * entitlements. Null when it has none: this entitlement's currency then becomes the model's.
 */
export function reportingCurrencyOf(
  modelId: number | null,
  entitlements: readonly Entitlement[],
  editingId: number | null,
): string | null {
  if (modelId === null) return null;
  return entitlements.find((e) => e.modelId === modelId && e.id !== editingId)?.reportingCurrency ?? null;
}

/** Whether the rate is asked: the entitlement is in another currency than its model's. */
export function needsRate(currency: string, reporting: string | null): boolean {
  const code = currency.trim().toUpperCase();
  return reporting !== null && /^[A-Z]{3}$/.test(code) && code !== reporting;
}

/** Today as YYYY-MM-DD on this computer's clock. */
function today(): string {
  const d = new Date();
  return [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
}

/** A year from `start` less a day: "2026-01-01" → "2026-12-31". */
export function oneYearTerm(start: string): string {
  const [y, m, d] = start.split("-").map(Number);
  const end = new Date(Date.UTC(y! + 1, m! - 1, d! - 1));
  return end.toISOString().slice(0, 10);
}

/** The form's first values: the entitlement's, or a new one's (a year from today, monthly). */
export function entitlementFormValues(
  entitlement: Entitlement | null,
  defaults: { modelId: number | null; currency: string },
): EntitlementFormValues {
  if (entitlement) {
    return {
      modelId: String(entitlement.modelId),
      displayName: entitlement.displayName,
      purchasedRights: entitlement.purchasedRights,
      unitCost: plainAmount(entitlement.unitCost),
      currency: entitlement.unitCost.currency,
      rate: entitlement.rate ?? "",
      billingPeriod: entitlement.billingPeriod,
      termStart: entitlement.termStart,
      termEnd: entitlement.termEnd,
      notes: entitlement.notes ?? "",
    };
  }
  const start = today();
  return {
    modelId: defaults.modelId === null ? "" : String(defaults.modelId),
    displayName: "",
    purchasedRights: "",
    unitCost: "",
    currency: defaults.currency,
    rate: "",
    billingPeriod: "monthly",
    termStart: start,
    termEnd: oneYearTerm(start),
    notes: "",
  };
}

/** What is sent, once the schema accepted `values`. The rate goes only when it is asked. */
export function entitlementInput(values: EntitlementFormValues, rateAsked: boolean): EntitlementInput {
  return {
    modelId: Number(values.modelId),
    displayName: values.displayName.trim(),
    purchasedRights: Number(values.purchasedRights),
    unitCost: values.unitCost.trim(),
    currency: values.currency.trim().toUpperCase(),
    rate: rateAsked ? values.rate.trim() : "",
    billingPeriod: values.billingPeriod,
    termStart: values.termStart.trim(),
    termEnd: values.termEnd.trim(),
    notes: values.notes.trim(),
  };
}

/** The core's unit cost: required (0 if free), not negative, in the currency's digits. */
export function unitCostProblem(input: string, currency: string): string | null {
  const text = input.trim().replace(/[, ]/g, "");
  const code = currency.trim().toUpperCase();
  const digits = currencyDigits(code);
  const example = digits === 0 ? "25" : `25.${"0".repeat(digits)}`;
  if (text === "") return `Enter the unit cost per seat, for example ${example} (0 if free).`;
  if (text.startsWith("-")) return "A cost cannot be negative.";
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    return `“${input.trim()}” is not an amount. Enter a number such as ${example}, without the currency sign.`;
  }
  if ((match[2] ?? "").length > digits) {
    return digits === 0
      ? `${code} has no minor unit: enter a whole number.`
      : `${code} has ${digits} digits after the decimal point at most.`;
  }
  if (Number(match[1] || "0") > MAX_MAJOR) {
    return `${input.trim()} ${code} per seat is more than Seatkeeper accepts; check the amount.`;
  }
  return null;
}

/** The core's `parse_rate`, when a rate is asked: a positive number with at most 6 decimals. */
export function rateProblem(input: string, currency: string, reporting: string): string | null {
  const text = input.trim();
  const code = currency.trim().toUpperCase();
  if (text === "") return `Enter how many ${reporting} one ${code} is worth, for example 1.08.`;
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (
    !match ||
    (match[1] === "" && (match[2] ?? "") === "") ||
    (match[2] ?? "").length > MAX_RATE_DECIMALS ||
    (match[1] ?? "").length > 7 ||
    Number(text) <= 0
  ) {
    return `“${text}” is not a rate. Enter a positive number such as 1.08, with at most 6 decimals.`;
  }
  return null;
}

function rightsProblem(value: number | ""): string | null {
  if (value === "") return "Enter the purchased rights: how many seats the entitlement gives.";
  if (!Number.isInteger(value)) return "Purchased rights are a whole number.";
  if (value < 0) return "Purchased rights cannot be negative.";
  if (value > MAX_RIGHTS) {
    return `${value} rights is more than Seatkeeper accepts (at most ${MAX_RIGHTS}); check the number.`;
  }
  return null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayProblem(what: string, value: string): string | null {
  const text = value.trim();
  if (text === "") return `Enter the ${what}, for example 2026-01-01.`;
  if (!DAY.test(text)) return `“${text}” is not a date. Enter the ${what} as YYYY-MM-DD, for example 2026-01-01.`;
  return null;
}

/**
 * The form's schema. `reportingOf` gives the model's reporting currency (see
 * `reportingCurrencyOf`), which decides whether a rate is asked.
 */
export function entitlementSchema(reportingOf: (modelId: number | null) => string | null) {
  return z
    .object({
      modelId: z.string(),
      displayName: z.string(),
      purchasedRights: z.union([z.number(), z.literal("")]),
      unitCost: z.string(),
      currency: z.string(),
      rate: z.string(),
      billingPeriod: z.enum(["monthly", "annual"]),
      termStart: z.string(),
      termEnd: z.string(),
      notes: z.string(),
    })
    .superRefine((values, ctx) => {
      const name = values.displayName.trim();
      const currency = currencyProblem(values.currency);
      const reporting = reportingOf(values.modelId === "" ? null : Number(values.modelId));
      const start = dayProblem("term start", values.termStart);
      const end = dayProblem("term end", values.termEnd);
      const problems: [keyof EntitlementFormValues, string | null][] = [
        ["modelId", values.modelId === "" ? "Choose the software model this entitlement is for." : null],
        [
          "displayName",
          name === ""
            ? "Enter a display name, for example “Smartsheet Business 2026”."
            : [...name].length > MAX_NAME
              ? `A display name has at most ${MAX_NAME} characters.`
              : null,
        ],
        ["purchasedRights", rightsProblem(values.purchasedRights)],
        ["currency", currency],
        ["unitCost", currency ? null : unitCostProblem(values.unitCost, values.currency)],
        [
          "rate",
          reporting !== null && !currency && needsRate(values.currency, reporting)
            ? rateProblem(values.rate, values.currency, reporting)
            : null,
        ],
        ["termStart", start],
        [
          "termEnd",
          end ??
            (start === null && values.termEnd.trim() < values.termStart.trim()
              ? `The term ends (${values.termEnd.trim()}) before it starts (${values.termStart.trim()}).`
              : null),
        ],
        ["notes", [...values.notes.trim()].length > MAX_NOTES ? `Notes have at most ${MAX_NOTES} characters.` : null],
      ];
      for (const [path, message] of problems) {
        if (message) ctx.addIssue({ code: "custom", path: [path], message });
      }
    });
}
