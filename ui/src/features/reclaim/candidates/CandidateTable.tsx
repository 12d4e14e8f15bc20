import { Badge, Skeleton, Stack } from "@mantine/core";
import { type ReactNode, useMemo } from "react";

import type { CandidateSort, CandidateState, RemovalCandidate } from "../../../bindings/reclaim";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { Dimmed, TwoLines } from "../../../components/TwoLines";
import { type WindowedColumn, WindowedTable } from "../../../components/WindowedTable";
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

type Column = WindowedColumn<RemovalCandidate, CandidateSort>;

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
  const columns = useMemo(
    () => (showProfile ? COLUMNS.map((c) => (c.id === "model" ? MODEL_AND_PROFILE : c)) : COLUMNS),
    [showProfile],
  );
  return (
    <WindowedTable<RemovalCandidate, CandidateSort>
      label="Removal Candidates"
      windows={windows}
      total={total}
      columns={columns}
      getRowId={(row) => row.id}
      sort={sort}
      descending={descending}
      onSort={onSort}
      resetKey={resetKey}
      rowHeight={ROW_HEIGHT}
      maxHeight={MAX_HEIGHT}
      // A click on its checkbox or Space selects the row or clears it.
      onRowToggle={(row) => onToggle(row, !selected.has(row.id))}
      isRowSelected={(row) => selected.has(row.id)}
      checkboxLabel={(row) => `Select ${row.name ?? row.email}`}
      data-testid="candidates-viewport"
    />
  );
}
