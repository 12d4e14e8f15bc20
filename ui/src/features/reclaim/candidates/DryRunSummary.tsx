import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { Link } from "wouter";

import type { RemovalCandidate, SavingsSummary } from "../../../bindings/reclaim";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { countFormat, formatAmounts, seats } from "../format";

/** How many users' names the summary spells out. */
const NAMES_SHOWN = 3;

/** "Ann Example, Bob Builder, Cleo Cat and 4,997 more". */
export function userNames(rows: readonly RemovalCandidate[], count: number): string {
  const names = rows.slice(0, NAMES_SHOWN).map((r) => r.name ?? r.email);
  const more = count - names.length;
  if (names.length === 0) return count === 0 ? "Nobody" : `${countFormat.format(count)} users`;
  return more > 0 ? `${names.join(", ")} and ${countFormat.format(more)} more` : names.join(", ");
}

interface Part {
  summary: SavingsSummary | undefined;
  error: unknown;
  /** Rows of the part known here, in the list's order (the first few are named). */
  rows: readonly RemovalCandidate[];
}

function SummaryCard({
  title,
  part,
  testId,
  emptyText,
  headingOrder,
}: {
  title: string;
  part: Part;
  testId: string;
  emptyText?: string;
  headingOrder: 3 | 4;
}) {
  const { summary, error, rows } = part;
  return (
    <Paper withBorder p="sm" radius="md" data-testid={testId} aria-label={title} component="section">
      <Stack gap={4}>
        <Title order={headingOrder} size="h6">
          {title}
        </Title>
        {error ? (
          <ErrorAlert title="Could not compute the dry run" error={error} />
        ) : emptyText !== undefined ? (
          <Text size="sm" c="dimmed">
            {emptyText}
          </Text>
        ) : summary === undefined ? (
          <Skeleton h={48} />
        ) : (
          <>
            <Group gap="xs" align="baseline">
              <Text fw={700} data-testid="summary-seats">
                {seats(summary.seats)}
              </Text>
              <Text
                size="sm"
                c="dimmed"
                data-testid="summary-users"
                truncate="end"
                style={{ flex: 1, minWidth: 0 }}
                title={userNames(rows, summary.seats)}
              >
                {userNames(rows, summary.seats)}
              </Text>
            </Group>
            <Text size="sm" data-testid="summary-savings">
              Savings: {formatAmounts(summary.monthly)} per month · {formatAmounts(summary.yearly)} per year
            </Text>
            {summary.seatsWithoutCost > 0 && (
              <Text size="xs" c="dimmed" data-testid="summary-no-cost">
                {seats(summary.seatsWithoutCost)} without a cost: set Cost per seat per month on their model's{" "}
                <Link href="/reclamation-rules" asChild>
                  <Anchor inherit>reclamation rule</Anchor>
                </Link>{" "}
                to count {summary.seatsWithoutCost === 1 ? "it" : "them"}.
              </Text>
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}

interface DryRunSummaryProps {
  selection: Part & { count: number };
  filter: Part;
  /** The cards' heading level: one below the heading the review sits under. */
  headingOrder: 3 | 4;
}

/**
 * The dry run, always in view: what reclaiming the selection, and everything the filter matches,
 * would free — seats, who, and the savings per month and per year in each currency.
 */
export function DryRunSummary({ selection, filter, headingOrder }: DryRunSummaryProps) {
  return (
    <SimpleGrid cols={2} spacing="sm" data-testid="dry-run">
      <SummaryCard
        title="Dry run: selection"
        part={selection}
        testId="dry-run-selection"
        headingOrder={headingOrder}
        emptyText={selection.count === 0 ? "No candidate selected. Select rows, or all that match the filter." : undefined}
      />
      <SummaryCard title="Dry run: filter" part={filter} testId="dry-run-filter" headingOrder={headingOrder} />
    </SimpleGrid>
  );
}
