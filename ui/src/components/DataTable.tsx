import { Box, Button, Group, Paper, Select, Skeleton, Stack, Table, Text, UnstyledButton } from "@mantine/core";
import {
  IconArrowsSort,
  IconDownload,
  IconSortAscending,
  IconSortDescending,
} from "@tabler/icons-react";
import {
  type Cell,
  type Column,
  type ColumnDef,
  type ColumnFiltersState,
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  type Row,
  type RowData,
  type SortingState,
  type Table as TanstackTable,
  useReactTable,
} from "@tanstack/react-table";
import { observeElementRect, useVirtualizer } from "@tanstack/react-virtual";
import { memo, type ReactNode, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { csvText } from "../lib/csvCell";
import { downloadTextFile } from "../lib/download";
import { ErrorAlert } from "./ErrorAlert";
import { SearchInput } from "./SearchInput";
import { type RowNavigationProps, useRowNavigation } from "./useRowNavigation";

declare module "@tanstack/react-table" {
  interface ColumnMeta<TData extends RowData, TValue> {
    /**
     * The value as text, for search, column filters and the CSV; by default the value itself
     * (booleans as Yes/No, null as blank). Dates stay ISO 8601 in the CSV.
     */
    text?: (row: TData) => string | number | null;
    /** A column filter above the table: a select of the column's values (or of `options`). */
    filter?: { options?: readonly string[] };
    /** The header as plain text, when `header` is not a string (CSV, filter labels). */
    label?: string;
  }
}

/** Every row has this height, so that 50,000 rows scroll without measuring any. */
export const ROW_HEIGHT = 40;
const HEADER_HEIGHT = 42;

/**
 * The header's height as laid out: a long column name wraps and makes it taller than
 * HEADER_HEIGHT, and the viewport must grow by as much or it hides rows. HEADER_HEIGHT where
 * layout is not measured (tests).
 */
export function useHeaderHeight(): [number, (el: HTMLTableSectionElement | null) => void] {
  const [thead, setThead] = useState<HTMLTableSectionElement | null>(null);
  const [height, setHeight] = useState(HEADER_HEIGHT);
  useLayoutEffect(() => {
    if (!thead) return;
    const measure = () => {
      const measured = Math.ceil(thead.getBoundingClientRect().height);
      if (measured > 0) setHeight(Math.max(measured, HEADER_HEIGHT));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(thead);
    return () => observer.disconnect();
  }, [thead]);
  return [height, setThead];
}

/**
 * The height of the horizontal scrollbar a wide table gets, which would otherwise cover its last
 * row; 0 when the columns fit, and where layout is not measured (tests).
 */
export function useScrollbarHeight(scrollElement: HTMLElement | null): number {
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    if (!scrollElement) return;
    const measure = () => setHeight(Math.max(0, scrollElement.offsetHeight - scrollElement.clientHeight));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(scrollElement);
    return () => observer.disconnect();
  }, [scrollElement]);
  return height;
}
const DEFAULT_MAX_HEIGHT = 520;

export interface DataTableProps<T> {
  /** What the table lists, for its accessible name ("Software Subscriptions"). */
  label: string;
  data: readonly T[] | undefined;
  // Columns of different value types: TanStack's own examples type them with `any`.
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  isLoading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** Shown instead of the table when there are no rows at all. */
  empty: ReactNode;
  /** The CSV's file name without ".csv": "<profile> - <list>". */
  exportName: string;
  initialSorting?: SortingState;
  /** More controls for the toolbar ("New rule"). */
  actions?: ReactNode;
  maxHeight?: number;
  /** Enter on a row (see useRowNavigation): the row's primary action, such as opening it. */
  onRowActivate?: (row: T) => void;
  /** Space on a row: selects or clears it, where the list's rows are selectable. */
  onRowToggle?: (row: T) => void;
  /** Whether a row is selected (aria-selected), where the list's rows are selectable. */
  isRowSelected?: (row: T) => boolean;
  "data-testid"?: string;
}

const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

/** A column's header as plain text. */
function headerText<T>(column: Column<T, unknown>): string {
  const { header, meta } = column.columnDef;
  return meta?.label ?? (typeof header === "string" ? header : column.id);
}

/** A cell's value as text (see `ColumnMeta.text`). */
function valueText<T>(column: Column<T, unknown>, row: Row<T>): string {
  return textOf(column.columnDef.meta?.text, row, column.id);
}

function textOf<T>(custom: ((row: T) => string | number | null) | undefined, row: Row<T>, columnId: string): string {
  const value: unknown = custom ? custom(row.original) : row.getValue(columnId);
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

function isDataColumn<T>(column: Column<T, unknown>): boolean {
  return column.accessorFn !== undefined;
}

const countFormat = new Intl.NumberFormat("en-US");

/**
 * A list over TanStack Table, virtualized with TanStack Virtual (only the rows in view are in
 * the DOM), with sortable headers, text search, column filters, a row count and CSV export of
 * the rows as filtered and sorted.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { label, data, isLoading, error, onRetry, empty, "data-testid": testId } = props;
  if (error) return <ErrorAlert title={`Could not load the ${label}`} error={error} onRetry={onRetry} />;
  if (isLoading || data === undefined) return <TableSkeleton label={label} />;
  if (data.length === 0) return <>{empty}</>;
  return <LoadedTable {...props} data={data} data-testid={testId} />;
}

interface VirtualRowsProps<T> extends Pick<DataTableProps<T>, "onRowActivate" | "onRowToggle" | "isRowSelected"> {
  rows: Row<T>[];
  scrollElement: HTMLDivElement | null;
  viewportHeight: number;
  leafCount: number;
}

/**
 * The rows in view (and a few either side), between two spacer rows. Scrolling re-renders only
 * this, not the toolbar or the header, and a row already in view is not rendered again.
 */
function VirtualRows<T>({
  rows,
  scrollElement,
  viewportHeight,
  leafCount,
  onRowActivate,
  onRowToggle,
  isRowSelected,
}: VirtualRowsProps<T>) {
  const viewportRef = useRef(viewportHeight);
  viewportRef.current = viewportHeight;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollElement,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 0, height: viewportHeight },
    // The viewport's height is set by the table; where layout is not measured (tests), use it.
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) =>
        cb(rect.height > 0 ? rect : { width: rect.width, height: viewportRef.current }),
      ),
  });
  const items = virtualizer.getVirtualItems();
  const navigation = useRowNavigation({
    count: rows.length,
    container: scrollElement,
    scrollToIndex: (index) => virtualizer.scrollToIndex(index),
    firstRendered: items[0]?.index ?? 0,
    lastRendered: items[items.length - 1]?.index ?? 0,
    pageSize: Math.max(1, Math.floor(viewportHeight / ROW_HEIGHT) - 1),
    onActivate: onRowActivate && ((index) => onRowActivate(rows[index]!.original)),
    onToggle: onRowToggle && ((index) => onRowToggle(rows[index]!.original)),
  });
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  return (
    <>
      {paddingTop > 0 && (
        <tr aria-hidden style={{ height: paddingTop }}>
          <td colSpan={leafCount} style={{ padding: 0, border: 0 }} />
        </tr>
      )}
      {items.map((item) => {
        const row = rows[item.index]!;
        return (
          <VirtualRow
            key={row.id}
            index={item.index}
            cells={row.getVisibleCells()}
            selected={isRowSelected?.(row.original)}
            {...navigation(item.index)}
          />
        );
      })}
      {paddingBottom > 0 && (
        <tr aria-hidden style={{ height: paddingBottom }}>
          <td colSpan={leafCount} style={{ padding: 0, border: 0 }} />
        </tr>
      )}
    </>
  );
}

/**
 * One row. `cells` is the same array for as long as the row, its columns and their visibility are
 * the same (TanStack memoizes it), so a row that stays in view is skipped while scrolling.
 */
function VirtualRowContent<T>({
  index,
  cells,
  selected,
  ...navigation
}: { index: number; cells: Cell<T, unknown>[]; selected: boolean | undefined } & RowNavigationProps) {
  return (
    <Table.Tr aria-rowindex={index + 2} aria-selected={selected} style={{ height: ROW_HEIGHT }} {...navigation}>
      {cells.map((cell) => (
        <Table.Td key={cell.id} style={{ whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}>
          {flexRender(cell.column.columnDef.cell, cell.getContext())}
        </Table.Td>
      ))}
    </Table.Tr>
  );
}

// memo() drops the type parameter; the cast puts it back.
const VirtualRow = memo(VirtualRowContent) as typeof VirtualRowContent;

/** What a list shows while its first rows are read. */
export function TableSkeleton({ label }: { label: string }) {
  return (
    <Stack gap="xs" aria-busy="true" aria-label={`Loading the ${label}`} data-testid="table-loading">
      <Group gap="xs">
        <Skeleton h={36} w={260} />
        <Skeleton h={36} w={160} />
      </Group>
      {Array.from({ length: 6 }, (_, i) => (
        <Skeleton key={i} h={ROW_HEIGHT - 8} />
      ))}
    </Stack>
  );
}

function LoadedTable<T>({
  label,
  data,
  columns: columnDefs,
  getRowId,
  exportName,
  initialSorting = [],
  actions,
  maxHeight = DEFAULT_MAX_HEIGHT,
  onRowActivate,
  onRowToggle,
  isRowSelected,
  "data-testid": testId,
}: DataTableProps<T> & { data: readonly T[] }) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const [search, setSearch] = useState("");
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>([]);
  // Typing stays responsive while 50,000 rows are filtered behind it.
  const deferredSearch = useDeferredValue(search.trim().toLowerCase());
  const deferredFilters = useDeferredValue(columnFilters);

  // Search looks at one lower-cased text per row (all its columns), built once per row; TanStack
  // asks the one searchable column below, so each row is tested once per keystroke.
  const columns = useMemo(
    () =>
      columnDefs.map((def) =>
        def.meta?.filter
          ? {
              ...def,
              filterFn: (row: Row<T>, columnId: string, value: string): boolean =>
                textOf(def.meta?.text, row, columnId) === value,
            }
          : def,
      ),
    [columnDefs],
  );

  const haystacks = useMemo(() => new WeakMap<Row<T>, string>(), [data, columns]);

  const table: TanstackTable<T> = useReactTable<T>({
    data: data as T[],
    columns,
    state: { sorting, globalFilter: deferredSearch, columnFilters: deferredFilters },
    onSortingChange: setSorting,
    onColumnFiltersChange: setColumnFilters,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getColumnCanGlobalFilter: (column) => column.id === firstSearchable(),
    globalFilterFn: (row, _columnId, needle: string): boolean => {
      let text = haystacks.get(row);
      if (text === undefined) {
        text = dataColumns()
          .map((c) => valueText(c, row))
          .join("\u0000")
          .toLowerCase();
        haystacks.set(row, text);
      }
      return text.includes(needle);
    },
  });
  const dataColumns = (): Column<T, unknown>[] => table.getAllLeafColumns().filter(isDataColumn);
  const firstSearchable = (): string | undefined => dataColumns()[0]?.id;


  const rows = table.getRowModel().rows;
  const filterColumns = table.getAllLeafColumns().filter((c) => c.columnDef.meta?.filter);

  const filterOptions = useMemo(() => {
    const core = table.getCoreRowModel().rows;
    return new Map(
      filterColumns.map((column) => {
        const fixed = column.columnDef.meta?.filter?.options;
        if (fixed) return [column.id, [...fixed]];
        const values = new Set<string>();
        for (const row of core) values.add(valueText(column, row));
        values.delete("");
        return [column.id, [...values].sort((a, b) => a.localeCompare(b))];
      }),
    );
  }, [data, columns]);

  // State, not a ref: the rows' virtualizer must see the element, and a child's layout effects run
  // before its parent's ref is set.
  const [scrollElement, setScrollElement] = useState<HTMLDivElement | null>(null);
  const [headerHeight, headerRef] = useHeaderHeight();
  const scrollbarHeight = useScrollbarHeight(scrollElement);
  const viewportHeight = Math.min(
    maxHeight,
    headerHeight + Math.max(rows.length, 1) * ROW_HEIGHT + scrollbarHeight + 2,
  );

  // A new search or filter starts at the top of its results.
  useEffect(() => {
    if (scrollElement) scrollElement.scrollTop = 0;
  }, [scrollElement, deferredSearch, deferredFilters]);

  const leafCount = table.getVisibleLeafColumns().length;
  const total = data.length;
  const filtered = rows.length !== total;

  const exportCsv = () => {
    const exported = table.getVisibleLeafColumns().filter(isDataColumn);
    // A cell that begins like a formula would run in a spreadsheet: csvText neutralizes it (the
    // core's exports use the same rule).
    const csv = csvText(
      exported.map((column) => headerText(column)),
      rows.map((row) => exported.map((column) => valueText(column, row))),
    );
    downloadTextFile(`${exportName}.csv`, csv);
  };

  const clearAll = () => {
    setSearch("");
    setColumnFilters([]);
  };

  return (
    <Stack gap="xs" data-testid={testId}>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <SearchInput
          aria-label="Search"
          placeholder="Search"
          value={search}
          onChange={setSearch}
          w={260}
        />
        {filterColumns.map((column) => {
          const name = headerText(column);
          return (
            <Select
              key={column.id}
              aria-label={name}
              placeholder={`${name}: all`}
              data={filterOptions.get(column.id) ?? []}
              value={(columnFilters.find((f) => f.id === column.id)?.value as string | undefined) ?? null}
              onChange={(value) => column.setFilterValue(value ?? undefined)}
              clearable
              searchable
              w={180}
            />
          );
        })}
        <Text size="sm" c="dimmed" ml="auto" aria-live="polite" data-testid="row-count">
          {filtered
            ? `${countFormat.format(rows.length)} of ${countFormat.format(total)} rows`
            : `${countFormat.format(total)} ${total === 1 ? "row" : "rows"}`}
        </Text>
        {actions}
        <Button
          variant="default"
          leftSection={<IconDownload size={16} aria-hidden />}
          onClick={exportCsv}
          disabled={rows.length === 0}
        >
          Export CSV
        </Button>
      </Group>
      <Paper withBorder radius="sm" style={{ overflow: "hidden" }}>
        <Box
          ref={setScrollElement}
          // A row scrolled into view by focus stops below the sticky header, not under it.
          style={{ height: viewportHeight, overflow: "auto", scrollPaddingTop: headerHeight }}
          data-testid="table-viewport"
        >
          <Table
            stickyHeader
            highlightOnHover
            verticalSpacing={4}
            aria-label={label}
            aria-rowcount={rows.length + 1}
            style={{ tableLayout: "fixed", width: "100%", minWidth: table.getTotalSize() }}
          >
            <Table.Thead ref={headerRef}>
              {table.getHeaderGroups().map((group) => (
                <Table.Tr key={group.id} aria-rowindex={1} style={{ height: HEADER_HEIGHT }}>
                  {group.headers.map((header) => {
                    const sorted = header.column.getIsSorted();
                    const canSort = header.column.getCanSort();
                    const SortIcon =
                      sorted === "asc" ? IconSortAscending : sorted === "desc" ? IconSortDescending : IconArrowsSort;
                    const content = flexRender(header.column.columnDef.header, header.getContext());
                    return (
                      <Table.Th
                        key={header.id}
                        aria-sort={sorted ? ARIA_SORT[sorted] : undefined}
                        style={{ width: header.getSize() }}
                      >
                        {canSort ? (
                          <UnstyledButton
                            onClick={header.column.getToggleSortingHandler()}
                            fw={600}
                            fz="sm"
                            title={`Sort by ${headerText(header.column)}`}
                          >
                            <Group gap={4} wrap="nowrap">
                              {content}
                              <SortIcon size={14} aria-hidden />
                            </Group>
                          </UnstyledButton>
                        ) : (
                          content
                        )}
                      </Table.Th>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Thead>
            <Table.Tbody>
              {rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={leafCount}>
                    <Group gap="sm" justify="center" py="md" data-testid="table-no-match">
                      <Text size="sm" c="dimmed">
                        No rows match the search and filters.
                      </Text>
                      <Button size="xs" variant="subtle" onClick={clearAll}>
                        Clear search and filters
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              )}
              <VirtualRows
                rows={rows}
                scrollElement={scrollElement}
                viewportHeight={viewportHeight}
                leafCount={leafCount}
                onRowActivate={onRowActivate}
                onRowToggle={onRowToggle}
                isRowSelected={isRowSelected}
              />
            </Table.Tbody>
          </Table>
        </Box>
      </Paper>
    </Stack>
  );
}
