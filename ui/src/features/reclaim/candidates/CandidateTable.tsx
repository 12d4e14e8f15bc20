import { Badge, Box, Checkbox, Group, Paper, Skeleton, Stack, Table, Text, UnstyledButton, VisuallyHidden } from "@mantine/core";
import { IconArrowsSort, IconSortAscending, IconSortDescending } from "@tabler/icons-react";
import { observeElementRect, useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useEffect, useRef, useState } from "react";

import type { CandidateSort, CandidateState, RemovalCandidate } from "../../../bindings/reclaim";
import { useHeaderHeight, useScrollbarHeight } from "../../../components/DataTable";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { useRowNavigation } from "../../../components/useRowNavigation";
import { formatDateTime } from "../../../lib/dates";
import { countFormat, formatMoney, JUSTIFICATION_LABELS, SOURCE_LABELS, STATE_COLORS, STATE_LABELS } from "../format";
import type { CandidateWindows } from "./useCandidateWindows";

/** Every row has this height (two lines: name over e-mail), so that 50,000 scroll without measuring any. */
export const CANDIDATE_ROW_HEIGHT = 48;
const ROW_HEIGHT = CANDIDATE_ROW_HEIGHT;
const MAX_HEIGHT = 560;

/** The state, with the candidate's note (why it closed, Smartsheet's refusal) on hover. */
export function StateBadge({ state, note }: { state: CandidateState; note?: string | null }) {
  return (
    <Badge color={STATE_COLORS[state]} variant="light" tt="none" title={note ?? undefined} data-testid="state-badge">
      {STATE_LABELS[state]}
    </Badge>
  );
}

function Dimmed({ children }: { children: ReactNode }) {
  return (
    <Text span size="sm" c="dimmed">
      {children}
    </Text>
  );
}

interface Column {
  id: string;
  header: string;
  width: number;
  sort?: CandidateSort;
  cell: (row: RemovalCandidate) => ReactNode;
}

/** A value over a dimmed second line, both cut to the column's width. */
function TwoLines({ first, second, title }: { first: ReactNode; second?: ReactNode; title?: string }) {
  return (
    <Stack gap={0} style={{ overflow: "hidden" }} title={title}>
      <Text size="sm" lh={1.2} truncate="end">
        {first}
      </Text>
      {second !== undefined && (
        <Text size="xs" lh={1.2} c="dimmed" truncate="end">
          {second}
        </Text>
      )}
    </Stack>
  );
}

const COLUMNS: Column[] = [
  {
    id: "user",
    header: "User",
    width: 190,
    sort: "user",
    cell: (row) => (
      <TwoLines
        first={row.name ?? row.email}
        second={row.name ? row.email : undefined}
        title={row.name ? `${row.name} <${row.email}>` : row.email}
      />
    ),
  },
  {
    id: "model",
    header: "Software model",
    width: 160,
    sort: "model",
    cell: (row) => row.modelName ?? <Dimmed>—</Dimmed>,
  },
  {
    id: "justification",
    header: "Justification",
    width: 100,
    cell: (row) => JUSTIFICATION_LABELS[row.justification],
  },
  {
    id: "lastActivity",
    header: "Last activity",
    width: 125,
    cell: (row) =>
      row.lastActivityAt ? (
        <TwoLines
          first={formatDateTime(row.lastActivityAt).slice(0, 10)}
          second={SOURCE_LABELS[row.activitySource]}
          title={`${formatDateTime(row.lastActivityAt)} (${SOURCE_LABELS[row.activitySource]})`}
        />
      ) : (
        <Dimmed>none</Dimmed>
      ),
  },
  {
    id: "inactiveDays",
    header: "Inactive days",
    width: 85,
    sort: "inactiveDays",
    cell: (row) => countFormat.format(row.inactiveDays),
  },
  {
    id: "savings",
    header: "Potential savings",
    width: 130,
    cell: (row) =>
      row.monthlySavings && row.yearlySavings ? (
        <TwoLines first={`${formatMoney(row.monthlySavings)} / month`} second={`${formatMoney(row.yearlySavings)} / year`} />
      ) : (
        <TwoLines first={<Dimmed>No cost set</Dimmed>} second="on the rule" />
      ),
  },
  { id: "state", header: "State", width: 170, sort: "state", cell: (row) => <StateBadge state={row.state} note={row.note} /> },
];

/** Across profiles, each row's profile is named under its software model. */
const MODEL_AND_PROFILE: Column = {
  id: "model",
  header: "Software model · Profile",
  width: 170,
  sort: "model",
  cell: (row) => <TwoLines first={row.modelName ?? "—"} second={row.profileName} />,
};

interface CandidateTableProps {
  windows: CandidateWindows;
  showProfile: boolean;
  selected: ReadonlySet<number>;
  onToggle: (row: RemovalCandidate, selected: boolean) => void;
  sort: CandidateSort;
  descending: boolean;
  onSort: (sort: CandidateSort) => void;
  /** Shown instead of the table when nothing matches. */
  empty: ReactNode;
  /** Changes with the filter and sort: the list goes back to its top. */
  resetKey: string;
}

/**
 * The removal candidates, one row per candidate, virtualized over the whole count: only the rows in
 * view are rendered, and only their windows are read from the core.
 */
export function CandidateTable(props: CandidateTableProps) {
  const { windows, empty } = props;
  if (windows.isPending) {
    return (
      <Stack gap="xs" aria-busy="true" aria-label="Loading the Removal Candidates" data-testid="candidates-loading">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} h={ROW_HEIGHT - 8} />
        ))}
      </Stack>
    );
  }
  if (windows.total === undefined) {
    return (
      <ErrorAlert title="Could not load the Removal Candidates" error={windows.error} onRetry={windows.refetch} />
    );
  }
  if (windows.total === 0 && !windows.isStale) return <>{empty}</>;
  return <LoadedCandidateTable {...props} total={windows.total} />;
}

function LoadedCandidateTable({
  windows,
  total,
  showProfile,
  selected,
  onToggle,
  sort,
  descending,
  onSort,
  resetKey,
}: CandidateTableProps & { total: number }) {
  const columns = showProfile ? COLUMNS.map((c) => (c.id === "model" ? MODEL_AND_PROFILE : c)) : COLUMNS;
  const [scrollElement, setScrollElement] = useState<HTMLDivElement | null>(null);
  const [headerHeight, headerRef] = useHeaderHeight();
  const scrollbarHeight = useScrollbarHeight(scrollElement);
  const viewportHeight = Math.min(MAX_HEIGHT, headerHeight + total * ROW_HEIGHT + scrollbarHeight + 2);
  const viewportRef = useRef(viewportHeight);
  viewportRef.current = viewportHeight;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollElement,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 0, height: viewportHeight },
    // Where layout is not measured (tests), the viewport is as high as the table sets it.
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) =>
        cb(rect.height > 0 ? rect : { width: rect.width, height: viewportRef.current }),
      ),
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { showRange } = windows;
  useEffect(() => showRange(first, last), [showRange, first, last]);
  const navigation = useRowNavigation({
    count: total,
    container: scrollElement,
    scrollToIndex: (index) => virtualizer.scrollToIndex(index),
    firstRendered: first,
    lastRendered: last,
    pageSize: Math.max(1, Math.floor(viewportHeight / ROW_HEIGHT) - 1),
    // Space selects the row or clears it, as its checkbox does.
    onToggle: (index) => {
      const row = windows.rowAt(index);
      if (row) onToggle(row, !selected.has(row.id));
    },
  });
  useEffect(() => {
    if (scrollElement) scrollElement.scrollTop = 0;
  }, [scrollElement, resetKey]);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const leafCount = columns.length + 1;
  const width = 40 + columns.reduce((sum, c) => sum + c.width, 0);

  return (
    <Paper withBorder radius="sm" style={{ overflow: "hidden", opacity: windows.isStale ? 0.6 : 1 }} aria-busy={windows.isStale}>
      <Box
        ref={setScrollElement}
        // A row scrolled into view by focus stops below the sticky header, not under it.
        style={{ height: viewportHeight, overflow: "auto", scrollPaddingTop: headerHeight }}
        data-testid="candidates-viewport"
      >
        <Table
          stickyHeader
          highlightOnHover
          verticalSpacing={4}
          aria-label="Removal Candidates"
          aria-rowcount={total + 1}
          style={{ tableLayout: "fixed", width: "100%", minWidth: width }}
        >
          <Table.Thead ref={headerRef}>
            <Table.Tr aria-rowindex={1} style={{ height: 42 }}>
              <Table.Th style={{ width: 40 }}>
                <VisuallyHidden>Selected</VisuallyHidden>
              </Table.Th>
              {columns.map((column) => {
                const active = column.sort !== undefined && column.sort === sort;
                const SortIcon = !active ? IconArrowsSort : descending ? IconSortDescending : IconSortAscending;
                return (
                  <Table.Th
                    key={column.id}
                    style={{ width: column.width }}
                    aria-sort={active ? (descending ? "descending" : "ascending") : undefined}
                  >
                    {column.sort ? (
                      <UnstyledButton
                        onClick={() => onSort(column.sort!)}
                        fw={600}
                        fz="sm"
                        title={`Sort by ${column.header}`}
                      >
                        <Group gap={4} wrap="nowrap">
                          {column.header}
                          <SortIcon size={14} aria-hidden />
                        </Group>
                      </UnstyledButton>
                    ) : (
                      column.header
                    )}
                  </Table.Th>
                );
              })}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {paddingTop > 0 && (
              <tr aria-hidden style={{ height: paddingTop }}>
                <td colSpan={leafCount} style={{ padding: 0, border: 0 }} />
              </tr>
            )}
            {items.map((item) => {
              const row = windows.rowAt(item.index);
              if (!row) {
                return (
                  <Table.Tr
                    key={`loading-${item.index}`}
                    aria-rowindex={item.index + 2}
                    style={{ height: ROW_HEIGHT }}
                    data-testid="row-loading"
                    {...navigation(item.index)}
                  >
                    <Table.Td colSpan={leafCount}>
                      <Skeleton h={ROW_HEIGHT - 16} />
                    </Table.Td>
                  </Table.Tr>
                );
              }
              const isSelected = selected.has(row.id);
              return (
                <Table.Tr
                  key={row.id}
                  aria-rowindex={item.index + 2}
                  aria-selected={isSelected}
                  style={{ height: ROW_HEIGHT }}
                  bg={isSelected ? "var(--mantine-primary-color-light)" : undefined}
                  {...navigation(item.index)}
                >
                  <Table.Td>
                    <Checkbox
                      checked={isSelected}
                      onChange={(event) => onToggle(row, event.currentTarget.checked)}
                      aria-label={`Select ${row.name ?? row.email}`}
                    />
                  </Table.Td>
                  {columns.map((column) => (
                    <Table.Td key={column.id} style={{ whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}>
                      {column.cell(row)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              );
            })}
            {paddingBottom > 0 && (
              <tr aria-hidden style={{ height: paddingBottom }}>
                <td colSpan={leafCount} style={{ padding: 0, border: 0 }} />
              </tr>
            )}
          </Table.Tbody>
        </Table>
      </Box>
    </Paper>
  );
}
