import { Badge, Box, ScrollArea, Skeleton, Stack, Table, Text, Title } from "@mantine/core";
import { lazy, type ReactNode, Suspense, useId } from "react";

import type { ActivitySource, DailyCount, SoftwareSubscription, UserActivityDetail } from "../../../bindings/sync";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDateTime } from "../../../lib/dates";
import { DateCell } from "./cells";
import { useUserActivityDetail } from "./queries";
import type { DayBar } from "./UserActivityChart";

// The chart (recharts) loads with the first panel opened.
const UserActivityChart = lazy(() => import("./UserActivityChart").then((m) => ({ default: m.UserActivityChart })));

const SOURCE_LABELS: Record<ActivitySource, string> = { events: "Events", last_login: "Last login" };
const countFormat = new Intl.NumberFormat("en-US");
const DAY_MS = 86_400_000;
/** The chart's bars at most (the latest days). */
const MAX_BARS = 366;

/** `SHEET` → "Sheet", `UPDATE_REQUEST` → "Update request". */
export function kindLabel(text: string): string {
  const words = text.toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A UTC day (`YYYY-MM-DD`) of an instant. */
const utcDay = (value: string | number | Date) => new Date(value).toISOString().slice(0, 10);

/**
 * Every day from `since` to today (or to the last counted day, if later), with the counted events
 * of each (0 for days without any): the chart shows the quiet days too.
 */
export function dayBars(since: string, daily: readonly DailyCount[], today = utcDay(Date.now())): DayBar[] {
  const counts = new Map(daily.map((d) => [d.day, d.count]));
  const last = daily.at(-1)?.day;
  const end = Date.parse(`${last !== undefined && last > today ? last : today}T00:00:00Z`);
  const start = Math.max(Date.parse(`${utcDay(since)}T00:00:00Z`), end - (MAX_BARS - 1) * DAY_MS);
  const bars: DayBar[] = [];
  for (let t = start; t <= end; t += DAY_MS) {
    const day = utcDay(t);
    bars.push({ day, Events: counts.get(day) ?? 0 });
  }
  return bars;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={4} size="h5" id={id} mb="xs">
        {title}
      </Title>
      {children}
    </Box>
  );
}

/** A label and its value, as a row of the facts table. */
function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={140}>
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function Facts({ s }: { s: SoftwareSubscription }) {
  return (
    <Table variant="vertical" layout="fixed" withTableBorder data-testid="user-facts">
      <Table.Tbody>
        <Fact label="Email">{s.email}</Fact>
        <Fact label="Seat">
          {s.identifier}
          {" · "}
          {s.modelName ?? (
            <Text span size="sm" c="orange">
              Unrecognized
            </Text>
          )}
        </Fact>
        <Fact label="Status">
          {s.status ? s.status.charAt(0) + s.status.slice(1).toLowerCase() : "—"}
          {s.closedAt && ` (closed ${formatDateTime(s.closedAt)})`}
        </Fact>
        <Fact label="Admin">{s.isAdmin ? <Badge variant="light">System Admin</Badge> : s.isAdmin === null ? "—" : "No"}</Fact>
        <Fact label="Last activity">
          <DateCell value={s.lastActivityAt} />
          {s.activitySource && ` (${SOURCE_LABELS[s.activitySource]})`}
        </Fact>
        <Fact label="Last login">
          <DateCell value={s.lastLogin} />
        </Fact>
        <Fact label="Inactive days">{s.inactiveDays === null ? "—" : countFormat.format(s.inactiveDays)}</Fact>
      </Table.Tbody>
    </Table>
  );
}

function Daily({ detail }: { detail: UserActivityDetail }) {
  const since = utcDay(detail.since);
  if (detail.activitySource === "last_login") {
    return (
      <Text size="sm" c="dimmed" role="status">
        This profile has no Event Reporting: no events are counted, and last activity is the last login.
      </Text>
    );
  }
  if (detail.daily.length === 0) {
    return (
      <Text size="sm" c="dimmed" role="status" data-testid="no-daily">
        No events counted for this user since {since}.
      </Text>
    );
  }
  const total = detail.daily.reduce((sum, d) => sum + d.count, 0);
  const summary = `${countFormat.format(total)} events on ${detail.daily.length} days since ${since}`;
  return (
    <Stack gap="xs">
      <Box role="img" aria-label={summary}>
        <Suspense fallback={<Skeleton h={160} animate={false} data-testid="chart-loading" />}>
          <UserActivityChart data={dayBars(detail.since, detail.daily)} />
        </Suspense>
      </Box>
      <ScrollArea.Autosize mah={220} type="auto">
        <Table striped withTableBorder aria-label="Events per day" data-testid="daily-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Day (UTC)</Table.Th>
              <Table.Th ta="right">Events</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...detail.daily].reverse().map((d) => (
              <Table.Tr key={d.day}>
                <Table.Td>{d.day}</Table.Td>
                <Table.Td ta="right">{countFormat.format(d.count)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Stack>
  );
}

function Kinds({ detail }: { detail: UserActivityDetail }) {
  if (detail.kinds.length === 0) {
    // Counted before Seatkeeper kept the kinds (they start with the next Events refresh).
    return detail.daily.length > 0 ? (
      <Text size="sm" c="dimmed" role="status" data-testid="kinds-later">
        Last events by type are kept from the next Events refresh on.
      </Text>
    ) : (
      <Text size="sm" c="dimmed" role="status">
        No events counted.
      </Text>
    );
  }
  return (
    <Table striped withTableBorder aria-label="Last events by type" data-testid="kinds-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Type</Table.Th>
          <Table.Th>Action</Table.Th>
          <Table.Th>Last</Table.Th>
          <Table.Th ta="right">Count</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {detail.kinds.map((k) => (
          <Table.Tr key={`${k.objectType}:${k.action}`}>
            <Table.Td>{kindLabel(k.objectType)}</Table.Td>
            <Table.Td>{kindLabel(k.action)}</Table.Td>
            <Table.Td>{formatDateTime(k.lastAt)}</Table.Td>
            <Table.Td ta="right">{countFormat.format(k.count)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** What the sync has of one subscription's user: the facts, events per day, last events by type. */
export function UserActivityPanel({ profileId, subscriptionId }: { profileId: number; subscriptionId: number }) {
  const detail = useUserActivityDetail(profileId, subscriptionId);
  if (detail.isPending) {
    return (
      <Stack gap="sm" data-testid="user-activity-loading" aria-busy>
        <Skeleton h={200} animate={false} />
        <Skeleton h={160} animate={false} />
        <Skeleton h={120} animate={false} />
      </Stack>
    );
  }
  if (detail.isError) {
    return (
      <ErrorAlert title="Could not load the user's activity" error={detail.error} onRetry={() => void detail.refetch()} />
    );
  }
  return (
    <Stack gap="lg" data-testid="user-activity">
      <Facts s={detail.data.subscription} />
      <Section title="Events per day">
        <Daily detail={detail.data} />
      </Section>
      <Section title="Last events by type">
        <Kinds detail={detail.data} />
      </Section>
    </Stack>
  );
}
