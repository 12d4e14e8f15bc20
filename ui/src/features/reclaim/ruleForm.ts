// The reclamation rule form: its values, and the checks the core makes (seatkeeper-core
// reclaim/rules.rs `check`, reclaim/money.rs), mirrored so that the form says what is wrong before
// anything is sent. The core stays the authority: its Validation errors land on the same fields
// (for example a currency code that has the right shape but is not ISO 4217).
import { z } from "zod";

import type { ReclaimAction, ReclamationRule, RuleInput } from "../../bindings/reclaim";
import { currencyDigits, plainAmount } from "./format";

/** The core's ranges (rules.rs). */
export const MAX_THRESHOLD_DAYS = 3650;
export const MAX_GRACE_DAYS = 3650;
export const MAX_DAYS_BEFORE_AUTO_RECLAMATION = 365;
/** The largest cost per seat and month the core accepts, in major units (money.rs). */
const MAX_MAJOR = 1_000_000;

export interface RuleFormValues {
  /** Mantine's NumberInput gives "" when the field is empty. */
  lastActivityThresholdDays: number | "";
  gracePeriodDays: number | "";
  active: boolean;
  notifyUser: boolean;
  daysBeforeAutoReclamation: number | "";
  autoReclaim: boolean;
  reclaimAction: ReclaimAction;
  monthlyCost: string;
  currency: string;
}

/** The backend's field names are the form's. */
export const RULE_FIELDS = {
  lastActivityThresholdDays: "lastActivityThresholdDays",
  gracePeriodDays: "gracePeriodDays",
  daysBeforeAutoReclamation: "daysBeforeAutoReclamation",
  autoReclaim: "autoReclaim",
  monthlyCost: "monthlyCost",
  currency: "currency",
} as const;

export function ruleFormValues(rule: ReclamationRule): RuleFormValues {
  return {
    lastActivityThresholdDays: rule.lastActivityThresholdDays,
    gracePeriodDays: rule.gracePeriodDays,
    active: rule.active,
    notifyUser: rule.notifyUser,
    daysBeforeAutoReclamation: rule.daysBeforeAutoReclamation,
    autoReclaim: rule.autoReclaim,
    reclaimAction: rule.reclaimAction,
    monthlyCost: rule.monthlyCost ? plainAmount(rule.monthlyCost) : "",
    currency: rule.currency,
  };
}

/** What is sent, once the schema accepted `values`. */
export function ruleInput(values: RuleFormValues): RuleInput {
  return {
    lastActivityThresholdDays: Number(values.lastActivityThresholdDays),
    gracePeriodDays: Number(values.gracePeriodDays),
    active: values.active,
    notifyUser: values.notifyUser,
    daysBeforeAutoReclamation: Number(values.daysBeforeAutoReclamation),
    autoReclaim: values.autoReclaim,
    reclaimAction: values.reclaimAction,
    monthlyCost: values.monthlyCost.trim(),
    currency: values.currency.trim().toUpperCase(),
  };
}

/** The core's `in_range`, with its message. */
function daysProblem(what: string, value: number | "", min: number, max: number): string | null {
  if (value === "") return `Enter ${what.toLowerCase()} in days.`;
  if (!Number.isInteger(value)) return `${what} is a whole number of days.`;
  if (value < min || value > max) return `${what} must be between ${min} and ${max} days (it is ${value}).`;
  return null;
}

/** The core's `check_currency` for the shape of a code; whether it is ISO 4217 is the core's to say. */
export function currencyProblem(value: string): string | null {
  const code = value.trim();
  if (code === "") return "Enter a currency code, for example USD.";
  if (!/^[A-Za-z]{3}$/.test(code)) {
    return `“${code}” is not an ISO 4217 currency code. Use a code such as USD, EUR or GBP.`;
  }
  return null;
}

/** The core's `parse_amount`: empty is no cost; otherwise a non-negative amount in the currency's digits. */
export function amountProblem(input: string, currency: string): string | null {
  const text = input.trim().replace(/[, ]/g, "");
  if (text === "") return null;
  if (text.startsWith("-")) return "A cost cannot be negative.";
  const digits = currencyDigits(currency.trim().toUpperCase());
  const example = digits === 0 ? "25" : `25.${"0".repeat(digits)}`;
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    return `“${input.trim()}” is not an amount. Enter a number such as ${example}, without the currency sign.`;
  }
  const fraction = match[2] ?? "";
  const code = currency.trim().toUpperCase();
  if (fraction.length > digits) {
    return digits === 0
      ? `${code} has no minor unit: enter a whole number.`
      : `${code} has ${digits} digits after the decimal point at most.`;
  }
  if (Number(match[1] || "0") > MAX_MAJOR) {
    return `${input.trim()} ${code} per seat and month is more than Seatkeeper accepts; check the amount.`;
  }
  return null;
}

export const ruleSchema = z
  .object({
    lastActivityThresholdDays: z.union([z.number(), z.literal("")]),
    gracePeriodDays: z.union([z.number(), z.literal("")]),
    active: z.boolean(),
    notifyUser: z.boolean(),
    daysBeforeAutoReclamation: z.union([z.number(), z.literal("")]),
    autoReclaim: z.boolean(),
    reclaimAction: z.enum(["freeSeat", "deactivate"]),
    monthlyCost: z.string(),
    currency: z.string(),
  })
  .superRefine((values, ctx) => {
    const problems: [keyof RuleFormValues, string | null][] = [
      [
        "lastActivityThresholdDays",
        daysProblem("The last activity threshold", values.lastActivityThresholdDays, 1, MAX_THRESHOLD_DAYS),
      ],
      [
        "gracePeriodDays",
        daysProblem("The grace period for new accounts", values.gracePeriodDays, 0, MAX_GRACE_DAYS),
      ],
      [
        "daysBeforeAutoReclamation",
        daysProblem(
          "Days before auto-reclamation",
          values.daysBeforeAutoReclamation,
          1,
          MAX_DAYS_BEFORE_AUTO_RECLAMATION,
        ),
      ],
      [
        "autoReclaim",
        values.autoReclaim && !values.active
          ? "An inactive rule produces no candidates, so it cannot reclaim automatically. Make the rule Active, or turn automatic reclaim off."
          : null,
      ],
      ["currency", currencyProblem(values.currency)],
      ["monthlyCost", currencyProblem(values.currency) ? null : amountProblem(values.monthlyCost, values.currency)],
    ];
    for (const [path, message] of problems) {
      if (message) ctx.addIssue({ code: "custom", path: [path], message });
    }
  });
