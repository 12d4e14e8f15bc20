import { Alert, List, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";

import type { ModelReconciliation, UsageTotals } from "../../bindings/reconcile";
import type { Money } from "../../bindings/reclaim";
import { countFormat, formatAmounts, formatMoney, seats } from "../reclaim/format";
import { notCompliantTitle } from "./usageData";

/** Amounts per period, "$300.00/month"; "No cost set" when no model with seats has a cost. */
export function amountsText(amounts: readonly Money[], per: "/month" | "/year", seatsWithoutCost: number): string {
  if (amounts.length === 0) return seatsWithoutCost > 0 ? "No cost set" : "—";
  return amounts.map((m) => `${formatMoney(m)}${per}`).join(" + ");
}

/** The headline figures, each a labelled group: the label, the figure, a line under it. */
export interface Figure {
  label: string;
  value: string;
  /** A second line (per year, or what the figure includes). */
  detail?: string;
  color?: string;
}

export function headlineFigures(totals: UsageTotals): Figure[] {
  const noCost = totals.seatsWithoutCost;
  return [
    {
      label: "Paid seats",
      value: countFormat.format(totals.paidSeats),
      detail: `${countFormat.format(totals.owned)} owned · ${countFormat.format(totals.excluded)} excluded`,
    },
    { label: "Active", value: countFormat.format(totals.active), color: "teal" },
    { label: "Inactive", value: countFormat.format(totals.inactive), color: totals.inactive > 0 ? "orange" : undefined },
    { label: "Open candidates", value: countFormat.format(totals.openCandidates) },
    {
      label: "Potential savings",
      value: amountsText(totals.potentialMonthly, "/month", noCost),
      detail: totals.potentialYearly.length > 0 ? amountsText(totals.potentialYearly, "/year", noCost) : undefined,
    },
    {
      label: "Actual savings",
      value: amountsText(totals.actualMonthly, "/month", noCost),
      detail: totals.actualYearly.length > 0 ? amountsText(totals.actualYearly, "/year", noCost) : undefined,
      color: totals.actualMonthly.some((m) => m.minor > 0) ? "teal" : undefined,
    },
    {
      label: "True-up cost",
      value: totals.trueUpYearly.length > 0 ? `${formatAmounts(totals.trueUpYearly)}/year` : noCost > 0 ? "No cost set" : "—",
      detail: totals.notCompliant > 0 ? "to buy the rights missing" : "no rights missing",
      color: totals.trueUpYearly.some((m) => m.minor > 0) ? "red" : undefined,
    },
  ];
}

function FigureCard({ label, value, detail, color }: Figure) {
  return (
    <Paper withBorder p="sm" radius="md" role="group" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid="figure-value">
        {value}
      </Text>
      {detail && (
        <Text size="xs" c="dimmed" data-testid="figure-detail">
          {detail}
        </Text>
      )}
    </Paper>
  );
}

export function HeadlineFigures({ totals }: { totals: UsageTotals }) {
  return (
    <Stack gap={4}>
      <SimpleGrid cols={{ base: 2, sm: 4, xl: 7 }} spacing="sm" data-testid="headline-figures">
        {headlineFigures(totals).map((figure) => (
          <FigureCard key={figure.label} {...figure} />
        ))}
      </SimpleGrid>
      {totals.seatsWithoutCost > 0 && (
        <Text size="xs" c="dimmed" data-testid="seats-without-cost">
          {seats(totals.seatsWithoutCost)} of models without a cost (no entitlement and no cost per seat) are not
          counted in savings.
        </Text>
      )}
    </Stack>
  );
}

/** "Smartsheet Member: 120 used, 100 owned; 20 rights needed ($6,000.00 a year)." */
export function shortfallText(m: ModelReconciliation): string {
  const cost = m.trueUpCost && m.trueUpCost.minor > 0 ? ` (${formatMoney(m.trueUpCost)} a year)` : "";
  const rights = `${countFormat.format(m.rightsNeeded)} ${m.rightsNeeded === 1 ? "right" : "rights"} needed`;
  const none = m.entitlements === 0 ? " No entitlement yet." : "";
  return `${m.model}: ${countFormat.format(m.used)} used, ${countFormat.format(m.owned)} owned; ${rights}${cost}.${none}`;
}

/** ServiceNow's compliance position, colour-coded: which models use more seats than owned. */
export function ComplianceBanner({ models, notCompliant }: { models: readonly ModelReconciliation[]; notCompliant: number }) {
  if (notCompliant === 0) {
    return (
      <Alert color="teal" variant="light" icon={<IconCircleCheck />} title="Compliant" data-testid="compliance-banner">
        Every software model has at least as many rights as seats in use.
      </Alert>
    );
  }
  const short = models.filter((m) => m.compliance === "notCompliant");
  const body = (
    <List size="sm" spacing={2}>
      {short.map((m) => (
        <List.Item key={m.modelId ?? m.model}>{shortfallText(m)}</List.Item>
      ))}
    </List>
  );
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle />} title={notCompliantTitle(notCompliant)} data-testid="compliance-banner">
      <Stack gap={6}>
        {body}
        <Text size="sm">
          Reclaim unused seats (Review candidates), or record the rights bought as Software Entitlements.
        </Text>
      </Stack>
    </Alert>
  );
}
