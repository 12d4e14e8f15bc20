import { Badge, Box, Button, Group, Paper, Skeleton, Stack, Table, Text, Tooltip } from "@mantine/core";
import { IconArrowBackUp } from "@tabler/icons-react";
import { observeElementRect, useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useEffect, useId, useRef, useState } from "react";

import type { AuditRecord } from "../../../bindings/reclaim";
import { useHeaderHeight, useScrollbarHeight } from "../../../components/DataTable";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { useRowNavigation } from "../../../components/useRowNavigation";
import { formatDateTime } from "../../../lib/dates";
import { NOT_KNOWN_YET, OUTCOME_COLORS, outcomeDetails, outcomeLabel, SEAT_ACTION_LABELS, seatChange } from "../format";
import type { AuditWindows } from "./useAuditWindows";

/** Every row has this height (two lines), so that a long log scrolls without measuring any row. */
export const AUDIT_ROW_HEIGHT = 48;
const ROW_HEIGHT = AUDIT_ROW_HEIGHT;
const MAX_HEIGHT = 560;

/** A value over a dimmed second line, both cut to the column's width (the whole text on hover). */
function TwoLines({ first, second, title }: { first: ReactNode; second?: ReactNode; title?: string }) {
  return (
    <Stack gap={0} style={{ overflow: "hidden" }} title={title}>
      <Text size="sm" lh={1.2} truncate="end" component="div">
        {first}
      </Text>
      {second !== undefined && (
        <Text size="xs" lh={1.2} c="dimmed" truncate="end" component="div">
          {second}
        </Text>
      )}
    </Stack>
  );
}

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

interface Column {
  id: string;
  header: string;
  width: number;
  cell: (row: AuditRecord, onUndo: (record: AuditRecord) => void) => ReactNode;
}

const COLUMNS: Column[] = [
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
    cell: (row) => (row.candidateId === null ? <Text span size="sm" c="dimmed">—</Text> : row.candidateId),
  },
  { id: "undo", header: "Undo", width: 220, cell: (row, onUndo) => <UndoCell record={row} onUndo={onUndo} /> },
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
  const columns = showProfile ? COLUMNS : COLUMNS.filter((c) => c.id !== "profile");
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
  });
  useEffect(() => {
    if (scrollElement) scrollElement.scrollTop = 0;
  }, [scrollElement, resetKey]);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const width = columns.reduce((sum, c) => sum + c.width, 0);

  return (
    <Paper withBorder radius="sm" style={{ overflow: "hidden", opacity: windows.isStale ? 0.6 : 1 }} aria-busy={windows.isStale}>
      <Box
        ref={setScrollElement}
        // A row scrolled into view by focus stops below the sticky header, not under it.
        style={{ height: viewportHeight, overflow: "auto", scrollPaddingTop: headerHeight }}
        data-testid="audit-viewport"
      >
        <Table
          stickyHeader
          highlightOnHover
          verticalSpacing={4}
          aria-label="Audit Log"
          aria-rowcount={total + 1}
          style={{ tableLayout: "fixed", width: "100%", minWidth: width }}
        >
          <Table.Thead ref={headerRef}>
            <Table.Tr aria-rowindex={1} style={{ height: 42 }}>
              {columns.map((column) => (
                <Table.Th key={column.id} style={{ width: column.width }}>
                  {column.header}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {paddingTop > 0 && (
              <tr aria-hidden style={{ height: paddingTop }}>
                <td colSpan={columns.length} style={{ padding: 0, border: 0 }} />
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
                    <Table.Td colSpan={columns.length}>
                      <Skeleton h={ROW_HEIGHT - 16} />
                    </Table.Td>
                  </Table.Tr>
                );
              }
              return (
                <Table.Tr
                  key={row.id}
                  aria-rowindex={item.index + 2}
                  style={{ height: ROW_HEIGHT }}
                  data-testid="audit-row"
                  {...navigation(item.index)}
                >
                  {columns.map((column) => (
                    <Table.Td key={column.id} style={{ whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}>
                      {column.cell(row, onUndo)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              );
            })}
            {paddingBottom > 0 && (
              <tr aria-hidden style={{ height: paddingBottom }}>
                <td colSpan={columns.length} style={{ padding: 0, border: 0 }} />
              </tr>
            )}
          </Table.Tbody>
        </Table>
      </Box>
    </Paper>
  );
}
