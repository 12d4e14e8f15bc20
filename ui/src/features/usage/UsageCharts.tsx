import { AreaChart, BarChart, LineChart } from "@mantine/charts";
import { Box, Paper, SimpleGrid, Text, Title } from "@mantine/core";
import { type ReactNode, useId } from "react";

import type { LicenseUsage, ModelReconciliation } from "../../bindings/reconcile";
import { formatMoney } from "../reclaim/format";
import {
  activityData,
  chartedModels,
  dailyActiveData,
  NOT_ENOUGH_HISTORY,
  ownedUsedData,
  savingsOverTime,
  seatsOverTime,
} from "./usageData";

/** Colors for series that are models (any number of them). */
const MODEL_COLORS = ["blue.6", "orange.6", "teal.6", "grape.6", "red.6", "cyan.6", "lime.7", "pink.6", "indigo.6"];

const countFormat = new Intl.NumberFormat("en-US");

/**
 * Charts are drawn at once, without recharts' entry animation: it runs on the page's main thread
 * for 1.5 s after each new read of the usage (every job's end), and on a software-rendered window
 * held up whatever the admin opened meanwhile (the UI benchmark: a list's first rows 1.4 s late).
 */
const STILL = { isAnimationActive: false } as const;

interface ChartCardProps {
  title: string;
  /** Said instead of the chart when there is nothing to draw. */
  empty: string | null;
  /** What the chart shows, in words, for screen readers. */
  summary: string;
  children: ReactNode;
}

/** A chart with its title, announced as a figure; its empty state says why nothing is drawn. */
function ChartCard({ title, empty, summary, children }: ChartCardProps) {
  const titleId = useId();
  return (
    <Paper withBorder p="md" radius="md" component="figure" aria-labelledby={titleId} m={0}>
      <Title order={3} size="h5" id={titleId} mb="sm">
        {title}
      </Title>
      {empty !== null ? (
        <Text size="sm" c="dimmed" ta="center" py={60} role="status">
          {empty}
        </Text>
      ) : (
        <Box role="img" aria-label={summary}>
          {children}
        </Box>
      )}
    </Paper>
  );
}

interface OwnedUsedChartProps {
  models: readonly ModelReconciliation[];
  /** The printable summary: no tooltip, dark text. */
  still?: boolean;
  h?: number;
}

/** Owned vs used vs active seats per model (the paid ones, and any with entitlements). */
export function OwnedUsedChart({ models, still = false, h = 260 }: OwnedUsedChartProps) {
  return (
    <BarChart
      h={h}
      data={ownedUsedData(models)}
      dataKey="model"
      series={[
        { name: "Owned", color: "blue.6" },
        { name: "Used", color: "orange.6" },
        { name: "Active", color: "teal.6" },
      ]}
      withLegend
      tickLine="y"
      valueFormatter={(value) => countFormat.format(value)}
      withTooltip={!still}
      barProps={STILL}
      textColor={still ? "dark.7" : undefined}
    />
  );
}

/** The words for the owned/used chart. */
export function ownedUsedSummary(models: readonly ModelReconciliation[]): string {
  return chartedModels(models)
    .map((m) => `${m.model}: ${m.owned} owned, ${m.used} used, ${m.active} active`)
    .join("; ");
}

/** What the charts draw of the License Usage view's data: not when it was read. */
export type ChartedUsage = Pick<LicenseUsage, "models" | "lastActivity" | "dailyActive" | "history">;

/** The License Usage view's five charts, drawn from the view's data only. */
export function UsageCharts({ usage }: { usage: ChartedUsage }) {
  const activity = activityData(usage.lastActivity);
  const seats = seatsOverTime(usage.history);
  const savings = savingsOverTime(usage.history);
  const daily = dailyActiveData(usage.dailyActive);
  const enoughHistory = usage.history.length >= 2;
  const latestDaily = daily.at(-1);

  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" data-testid="usage-charts">
      <ChartCard
        title="Owned, used and active seats by model"
        empty={chartedModels(usage.models).length === 0 ? "No paid model yet: the first refresh creates the software models." : null}
        summary={ownedUsedSummary(usage.models)}
      >
        <OwnedUsedChart models={usage.models} />
      </ChartCard>

      <ChartCard
        title="Users by days since last activity"
        empty={activity.length === 0 ? "No users on paid seats yet." : null}
        summary={activity.map((b) => `${b.bucket}: ${b.Users} users`).join("; ")}
      >
        <BarChart
          h={260}
          data={activity}
          dataKey="bucket"
          series={[{ name: "Users", color: "grape.6" }]}
          tickLine="y"
          valueFormatter={(value) => countFormat.format(value)}
          barProps={STILL}
        />
      </ChartCard>

      <ChartCard
        title="Seats by type over time"
        empty={enoughHistory ? null : NOT_ENOUGH_HISTORY}
        summary={`${usage.history.length} reconciliations of ${seats.series.join(", ")}`}
      >
        <LineChart
          h={260}
          data={seats.data}
          dataKey="date"
          series={seats.series.map((name, i) => ({ name, color: MODEL_COLORS[i % MODEL_COLORS.length]! }))}
          withLegend
          curveType="linear"
          connectNulls
          valueFormatter={(value) => countFormat.format(value)}
          lineProps={STILL}
        />
      </ChartCard>

      <ChartCard
        title={savings.currency ? `Potential and actual savings per year (${savings.currency})` : "Potential and actual savings per year"}
        empty={
          !enoughHistory
            ? NOT_ENOUGH_HISTORY
            : savings.currency === null
              ? "No cost set: add a Software Entitlement (or a cost per seat on the Reclamation Rule) to chart savings."
              : null
        }
        summary={`${usage.history.length} reconciliations of potential and actual savings per year in ${savings.currency ?? ""}`}
      >
        <LineChart
          h={260}
          data={savings.data}
          dataKey="date"
          series={[
            { name: "Potential", color: "orange.6" },
            { name: "Actual", color: "teal.6" },
          ]}
          withLegend
          curveType="linear"
          valueFormatter={(value) =>
            savings.currency ? formatMoney({ currency: savings.currency, minor: Math.round(value), exponent: 0 }) : String(value)
          }
          lineProps={STILL}
        />
      </ChartCard>

      <ChartCard
        title="Daily active users"
        empty={
          daily.length === 0
            ? "No daily activity yet: it comes from the Events refresh (select Download activity on the profile)."
            : null
        }
        summary={latestDaily ? `${daily.length} days; ${latestDaily.Users} users active on ${latestDaily.day}` : ""}
      >
        <AreaChart
          h={260}
          data={daily}
          dataKey="day"
          series={[{ name: "Users", color: "blue.6" }]}
          curveType="linear"
          valueFormatter={(value) => countFormat.format(value)}
          areaProps={STILL}
        />
      </ChartCard>
    </SimpleGrid>
  );
}
