// How entitlement values read on screen and in the CSV: ServiceNow's words for the term state and
// the license metric, and costs with their billing period.
import type { BillingPeriod, Entitlement, LicenseMetric, TermState } from "../../bindings/reconcile";
import { formatMoney, plainAmount } from "../reclaim/format";

export const BILLING_PERIOD_LABELS: Record<BillingPeriod, string> = {
  monthly: "Monthly",
  annual: "Annual",
};

/** "/month", "/year": what a unit or total cost is per. */
export const PER_PERIOD: Record<BillingPeriod, string> = {
  monthly: "/month",
  annual: "/year",
};

export const TERM_STATE_LABELS: Record<TermState, string> = {
  future: "Future",
  inUse: "In use",
  expired: "Expired",
};

export const TERM_STATE_COLORS: Record<TermState, string> = {
  future: "blue",
  inUse: "teal",
  expired: "gray",
};

export const LICENSE_METRIC_LABELS: Record<LicenseMetric, string> = {
  userSubscription: "User Subscription",
};

/** "$25.00/month". */
export function unitCostText(e: Entitlement): string {
  return `${formatMoney(e.unitCost)}${PER_PERIOD[e.billingPeriod]}`;
}

/** "$2,500.00/month": purchased rights × unit cost. */
export function totalCostText(e: Entitlement): string {
  return `${formatMoney(e.totalCost)}${PER_PERIOD[e.billingPeriod]}`;
}

/** "USD", or "EUR · 1 EUR = 1.08 USD" when the entitlement is not in its model's currency. */
export function currencyRateText(e: Entitlement): string {
  const code = e.unitCost.currency;
  return e.rate === null ? code : `${code} · 1 ${code} = ${e.rate} ${e.reportingCurrency}`;
}

/** A cost as a CSV cell: "25.00 USD" (the billing period has its own column). */
export function csvAmount(e: Entitlement, which: "unitCost" | "totalCost"): string {
  return `${plainAmount(e[which])} ${e[which].currency}`;
}
