import { Badge, Button, Group, Skeleton, Stack, Text, Tooltip } from "@mantine/core";
import { IconArrowBackUp } from "@tabler/icons-react";
import { type ReactNode, useId, useMemo, useRef } from "react";

import type { AuditRecord } from "../../../bindings/reclaim";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { Dimmed, TwoLines } from "../../../components/TwoLines";
import { type WindowedColumn, WindowedTable } from "../../../components/WindowedTable";
import { formatDateTime } from "../../../lib/dates";
import { NOT_KNOWN_YET, OUTCOME_COLORS, outcomeDetails, outcomeLabel, SEAT_ACTION_LABELS, seatChange } from "../format";
import type { AuditWindows } from "./useAuditWindows";

/** Every row has this height (two lines), so that a long log scrolls without measuring any row. */
export const AUDIT_ROW_HEIGHT = 48;
const ROW_HEIGHT = AUDIT_ROW_HEIGHT;
const MAX_HEIGHT = 560;

export function OutcomeBadge({ record }: { record: Pick<AuditRecord, "outcome"> }) {
  return (
    <Badge
      variant="light"
      tt="none"
      color={record.outcome === null ? "gray" : OUTCOME_COLORS[record.outcome]}
      data-testid="outcome-badge"
    >
      {record.outcome === null ? NOT_KNOWN_YET : outcomeLabel(record.outcome)}
    </Badge>
  );
}

function UndoCell({ record, onUndo }: { record: AuditRecord; onUndo: (record: AuditRecord) => void }) {
  const reasonId = useId();
  if (record.undoBlocked === null) {
    return (
      <Button
        size="compact-sm"
        variant="light"
        leftSection={<IconArrowBackUp size={14} aria-hidden />}
        onClick={() => onUndo(record)}
        aria-label={`Undo: ${record.email}`}
      >
        Undo
      </Button>
    );
  }
  return (
    <Tooltip label={record.undoBlocked} multiline w={320} withinPortal>
      <Group gap={6} wrap="nowrap" style={{ overflow: "hidden" }} data-testid="undo-blocked">
        <Button size="compact-sm" variant="light" disabled aria-describedby={reasonId} style={{ flexShrink: 0 }}>
          Undo
        </Button>
        <Text size="xs" c="dimmed" truncate="end" id={reasonId} title={record.undoBlocked} style={{ minWidth: 0 }}>
          {record.undoBlocked}
        </Text>
      </Group>
    </Tooltip>
  );
}

type Column = WindowedColumn<AuditRecord, never>;

/** The log's columns; Undo calls `onUndo`. The log is newest first and sorts no other way: no column has a sort. */
const auditColumns = (onUndo: (record: AuditRecord) => void): Column[] => [
  {
    id: "when",
    header: "When",
    width: 145,
    cell: (row) => (
      <TwoLines
        first={formatDateTime(row.requestedAt)}
        second={`record ${row.id}`}
        title={`Requested ${formatDateTime(row.requestedAt)}${row.finishedAt ? `, finished ${formatDateTime(row.finishedAt)}` : ""}`}
      />
    ),
  },
  {
    id: "profile",
    header: "Profile",
    width: 130,
    cell: (row) => <TwoLines first={row.profileName} title={row.profileName} />,
  },
  {
    id: "user",
    header: "User",
    width: 190,
    cell: (row) => (
      <TwoLines
        first={row.name ?? row.email}
        second={row.name ? row.email : undefined}
        title={row.name ? `${row.name} <${row.email}>` : row.email}
      />
    ),
  },
  {
    id: "action",
    header: "Action",
    width: 140,
    cell: (row) => (
      <TwoLines
        first={SEAT_ACTION_LABELS[row.action]}
        second={row.undoOf !== null ? `undoes record ${row.undoOf}` : undefined}
      />
    ),
  },
  {
    id: "seat",
    header: "Seat before → after",
    width: 210,
    cell: (row) => <TwoLines first={seatChange(row.seatBefore, row.seatAfter)} title={seatChange(row.seatBefore, row.seatAfter)} />,
  },
  {
    id: "outcome",
    header: "Outcome",
    width: 220,
    cell: (row) => {
      const details = outcomeDetails(row);
      return (
        <TwoLines
          first={<OutcomeBadge record={row} />}
          second={details !== "" ? details : undefined}
          title={details !== "" ? `${outcomeLabel(row.outcome)}: ${details}` : outcomeLabel(row.outcome)}
        />
      );
    },
  },
  {
    id: "confirmedBy",
    header: "Confirmed by",
    width: 110,
    cell: (row) => <TwoLines first={row.confirmedBy} title={row.confirmedBy} />,
  },
  {
    id: "candidate",
    header: "Candidate",
    width: 85,
    cell: (row) => (row.candidateId === null ? <Dimmed>—</Dimmed> : row.candidateId),
  },
  { id: "undo", header: "Undo", width: 220, focusable: true, cell: (row) => <UndoCell record={row} onUndo={onUndo} /> },
];

interface AuditTableProps {
  windows: AuditWindows;
  showProfile: boolean;
  onUndo: (record: AuditRecord) => void;
  /** Shown instead of the table when nothing matches. */
  empty: ReactNode;
  /** Changes with the filter: the list goes back to its top. */
  resetKey: string;
}

/**
 * The audit log, one row per record, newest first, virtualized over the whole count: only the rows
 * in view are rendered, and only their windows are read from the core.
 */
export function AuditTable(props: AuditTableProps) {
  const { windows, empty } = props;
  if (windows.isPending) {
    return (
      <Stack gap="xs" aria-busy="true" aria-label="Loading the Audit Log" data-testid="audit-loading">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} h={ROW_HEIGHT - 8} />
        ))}
      </Stack>
    );
  }
  if (windows.total === undefined) {
    return <ErrorAlert title="Could not load the Audit Log" error={windows.error} onRetry={windows.refetch} />;
  }
  if (windows.total === 0 && !windows.isStale) return <>{empty}</>;
  return <LoadedAuditTable {...props} total={windows.total} />;
}

function LoadedAuditTable({ windows, total, showProfile, onUndo, resetKey }: AuditTableProps & { total: number }) {
  // The rows are rendered again only when the columns change: Undo goes through a ref to the
  // latest `onUndo`.
  const latestOnUndo = useRef(onUndo);
  latestOnUndo.current = onUndo;
  const columns = useMemo(() => {
    const all = auditColumns((record) => latestOnUndo.current(record));
    return showProfile ? all : all.filter((c) => c.id !== "profile");
  }, [showProfile]);
  return (
    <WindowedTable<AuditRecord, never>
      label="Audit Log"
      windows={windows}
      total={total}
      columns={columns}
      getRowId={(row) => row.id}
      resetKey={resetKey}
      rowHeight={ROW_HEIGHT}
      maxHeight={MAX_HEIGHT}
      data-testid="audit-viewport"
      rowTestId="audit-row"
    />
  );
}
