import { Box, Checkbox, Group, Paper, Skeleton, Table, UnstyledButton, VisuallyHidden } from "@mantine/core";
import { IconArrowsSort, IconSortAscending, IconSortDescending } from "@tabler/icons-react";
import { defaultRangeExtractor, observeElementRect, type Range, useVirtualizer } from "@tanstack/react-virtual";
import { memo, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { ROW_HEIGHT, useHeaderHeight, useScrollbarHeight } from "./DataTable";
import { type RowNavigationProps, useRowNavigation } from "./useRowNavigation";
import type { Windows } from "./useWindows";

/** A column of a list the core sorts: `sort` names the core's sort for it, if it has one. */
export interface WindowedColumn<T, S extends string> {
  id: string;
  header: string;
  width: number;
  sort?: S;
  /** Numbers are right-aligned. */
  align?: "right";
  /**
   * Rendered even when scrolled out of view sideways: a column whose cells hold something to tab
   * to (a button, a badge with a tooltip), so that the keyboard reaches it wherever the list is
   * scrolled.
   */
  focusable?: boolean;
  cell: (row: T) => ReactNode;
}

export interface WindowedTableProps<T, S extends string> {
  /** The list's accessible name. */
  label: string;
  /** The list's windows (`useWindows`, or a list's own of the same shape). */
  windows: Pick<Windows<T>, "rowAt" | "showRange" | "isStale">;
  /** How many rows match (the windows' total). */
  total: number;
  columns: readonly WindowedColumn<T, S>[];
  getRowId: (row: T) => string | number;
  /** The core's order, where the list sorts other ways than one (columns with a `sort`). */
  sort?: S;
  descending?: boolean;
  onSort?: (sort: S) => void;
  /** Changes with the filter and sort: the list goes back to its top. */
  resetKey: string;
  /** Shown in the table's body when no row matches. */
  noMatch?: ReactNode;
  rowHeight?: number;
  maxHeight?: number;
  /** Enter on a row (see useRowNavigation): the row's primary action, such as opening it. */
  onRowActivate?: (row: T) => void;
  /** Space on a row (and its checkbox, with `checkboxLabel`): selects or clears it, where the list's rows are selectable. */
  onRowToggle?: (row: T) => void;
  /** Whether a row is selected (aria-selected), where the list's rows are selectable. */
  isRowSelected?: (row: T) => boolean;
  /**
   * Selectable rows get a checkbox of their own in a first column, named by this ("Select Ada
   * Lovelace"), and a selected row is tinted.
   */
  checkboxLabel?: (row: T) => string;
  /** The viewport's test id. */
  "data-testid"?: string;
  /** Each row's test id. */
  rowTestId?: string;
}

const HEADER_HEIGHT = 42;
const DEFAULT_MAX_HEIGHT = 520;
const CHECKBOX_WIDTH = 40;
const CELL_STYLE = { whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" } as const;
const SPACER_STYLE = { padding: 0 } as const;
/** Columns rendered beyond those the view needs, at most, before they are dropped. */
const SPARE_COLUMNS = 3;

/**
 * The columns a row renders, left to right: a column, or a spacer cell as wide as the columns out
 * of view sideways that it stands for.
 */
type Slot<T, S extends string> =
  | { column: WindowedColumn<T, S>; index: number }
  | { spacer: string; width: number };

/**
 * The columns in view sideways (with one more on each side), the focusable ones, and spacers for
 * the others: a wide list (Software Subscriptions has 17 columns, about 2,500 px) renders about
 * half of its cells, each of which WebKitGTK styles and lays out when the rows appear.
 */
function useColumnSlots<T, S extends string>(
  columns: readonly WindowedColumn<T, S>[],
  scrollElement: HTMLElement | null,
  leading: number,
): Slot<T, S>[] {
  const total = columns.reduce((sum, c) => sum + c.width, 0);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const focusable = columns.flatMap((c, i) => (c.focusable ? [i] : []));
      return [...new Set([...defaultRangeExtractor(range), ...focusable])].sort((a, b) => a - b);
    },
    [columns],
  );
  const virtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scrollElement,
    estimateSize: (i) => columns[i]!.width,
    paddingStart: leading,
    overscan: 1,
    rangeExtractor,
    // Until the viewport is measured, the window's width bounds what can be in view.
    initialRect: { width: window.innerWidth, height: 0 },
    // Where layout is not measured (tests), every column is in view.
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) => cb(rect.width > 0 ? rect : { width: leading + total, height: rect.height })),
  });
  // The columns rendered stay while the view needs no other: the first render's guess (the
  // window's width) is wider than the viewport, and dropping its extra columns once the viewport
  // is measured would render every row again for nothing.
  const rendered = useRef<number[]>([]);
  const inView = virtualizer.getVirtualItems().map((item) => item.index);
  const kept = rendered.current;
  if (!(inView.every((i) => kept.includes(i)) && kept.length - inView.length <= SPARE_COLUMNS)) {
    rendered.current = inView;
  }
  const key = rendered.current.join(",");
  // The same slots while the same columns are rendered: rows are memoized on them.
  return useMemo(() => {
    const shown = new Set(key.split(",").map(Number));
    const slots: Slot<T, S>[] = [];
    let gap = 0;
    columns.forEach((column, index) => {
      if (!shown.has(index)) {
        gap += column.width;
        return;
      }
      if (gap > 0) slots.push({ spacer: `before-${column.id}`, width: gap });
      gap = 0;
      slots.push({ column, index });
    });
    if (gap > 0) slots.push({ spacer: "after", width: gap });
    return slots;
  }, [columns, key]);
}

/**
 * A list read from the core in windows (`useWindows`), virtualized over its whole count: only the
 * rows in view are in the DOM, a spacer stands for the others, and only their windows are read.
 * A row whose window is still on its way is a placeholder (`data-loading`). Headers with a `sort`
 * ask the core for that order.
 */
export function WindowedTable<T, S extends string>({
  label,
  windows,
  total,
  columns,
  getRowId,
  sort,
  descending,
  onSort,
  resetKey,
  noMatch,
  rowHeight = ROW_HEIGHT,
  maxHeight = DEFAULT_MAX_HEIGHT,
  onRowActivate,
  onRowToggle,
  isRowSelected,
  checkboxLabel,
  "data-testid": testId = "table-viewport",
  rowTestId,
}: WindowedTableProps<T, S>) {
  const [scrollElement, setScrollElement] = useState<HTMLDivElement | null>(null);
  const [headerHeight, headerRef] = useHeaderHeight();
  const scrollbarHeight = useScrollbarHeight(scrollElement);
  const viewportHeight = Math.min(maxHeight, headerHeight + Math.max(total, 1) * rowHeight + scrollbarHeight + 2);
  const viewportRef = useRef(viewportHeight);
  viewportRef.current = viewportHeight;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollElement,
    estimateSize: () => rowHeight,
    // Rows rendered beyond the viewport's edges: enough for a wheel's step, few enough that the
    // list's first render stays small (every row is a dozen cells to style and lay out).
    overscan: 6,
    initialRect: { width: 0, height: viewportHeight },
    // Where layout is not measured (tests), the viewport is as high as the table sets it.
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width, height: viewportRef.current })),
  });
  // The header keeps one sort callback: the latest `onSort`, called through a ref.
  const latestOnSort = useRef(onSort);
  latestOnSort.current = onSort;
  const sortBy = useCallback((next: S) => latestOnSort.current?.(next), []);
  // The rows' checkboxes likewise: one toggle and one label function for every memoized row.
  const latestToggle = useRef({ onRowToggle, checkboxLabel });
  latestToggle.current = { onRowToggle, checkboxLabel };
  const toggleRow = useCallback((row: T) => latestToggle.current.onRowToggle?.(row), []);
  const labelRow = useCallback((row: T) => latestToggle.current.checkboxLabel?.(row) ?? "", []);
  const checkboxes = checkboxLabel !== undefined && onRowToggle !== undefined;
  const slots = useColumnSlots(columns, scrollElement, checkboxes ? CHECKBOX_WIDTH : 0);
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { showRange } = windows;
  useEffect(() => showRange(first, last), [showRange, first, last]);
  // A row whose window is still on its way is navigated to like any other; Enter and Space wait for it.
  const withRow = (action: ((row: T) => void) | undefined) =>
    action &&
    ((index: number) => {
      const row = windows.rowAt(index);
      if (row !== undefined) action(row);
    });
  const navigation = useRowNavigation({
    count: total,
    container: scrollElement,
    scrollToIndex: (index) => virtualizer.scrollToIndex(index),
    firstRendered: first,
    lastRendered: last,
    pageSize: Math.max(1, Math.floor(viewportHeight / rowHeight) - 1),
    onActivate: withRow(onRowActivate),
    onToggle: withRow(onRowToggle),
  });
  useEffect(() => {
    if (scrollElement) scrollElement.scrollTop = 0;
  }, [scrollElement, resetKey]);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const width = columns.reduce((sum, c) => sum + c.width, checkboxes ? CHECKBOX_WIDTH : 0);
  const cellCount = slots.length + (checkboxes ? 1 : 0);

  return (
    <Paper withBorder radius="sm" style={{ overflow: "hidden", opacity: windows.isStale ? 0.6 : 1 }} aria-busy={windows.isStale}>
      <Box
        ref={setScrollElement}
        // A row scrolled into view by focus stops below the sticky header, not under it.
        style={{ height: viewportHeight, overflow: "auto", scrollPaddingTop: headerHeight }}
        data-testid={testId}
      >
        <Table
          stickyHeader
          highlightOnHover
          verticalSpacing={4}
          aria-label={label}
          aria-rowcount={total + 1}
          aria-colcount={columns.length + (checkboxes ? 1 : 0)}
          style={{ tableLayout: "fixed", width: "100%", minWidth: width }}
        >
          <Table.Thead ref={headerRef}>
            <HeaderRow<T, S>
              slots={slots}
              sort={sort}
              descending={descending ?? false}
              onSort={sortBy}
              checkboxes={checkboxes}
            />
          </Table.Thead>
          <Table.Tbody>
            {total === 0 && noMatch && (
              <Table.Tr>
                <Table.Td colSpan={cellCount}>{noMatch}</Table.Td>
              </Table.Tr>
            )}
            {paddingTop > 0 && (
              <tr aria-hidden style={{ height: paddingTop }}>
                <td colSpan={cellCount} style={{ padding: 0, border: 0 }} />
              </tr>
            )}
            {items.map((item) => {
              const row = windows.rowAt(item.index);
              return row === undefined ? (
                <Table.Tr
                  key={`loading-${item.index}`}
                  aria-rowindex={item.index + 2}
                  style={{ height: rowHeight }}
                  data-loading
                  data-testid="row-loading"
                  {...navigation(item.index)}
                >
                  <Table.Td colSpan={cellCount}>
                    <Skeleton h={Math.max(rowHeight - 16, 8)} />
                  </Table.Td>
                </Table.Tr>
              ) : (
                <WindowedRow<T, S>
                  key={getRowId(row)}
                  row={row}
                  index={item.index}
                  slots={slots}
                  height={rowHeight}
                  selected={isRowSelected?.(row)}
                  toggle={checkboxes ? toggleRow : undefined}
                  checkboxLabel={labelRow}
                  testId={rowTestId}
                  {...navigation(item.index)}
                />
              );
            })}
            {paddingBottom > 0 && (
              <tr aria-hidden style={{ height: paddingBottom }}>
                <td colSpan={cellCount} style={{ padding: 0, border: 0 }} />
              </tr>
            )}
          </Table.Tbody>
        </Table>
      </Box>
    </Paper>
  );
}

interface HeaderRowProps<T, S extends string> {
  slots: Slot<T, S>[];
  sort: S | undefined;
  descending: boolean;
  onSort: (sort: S) => void;
  checkboxes: boolean;
}

/** The header row: rendered again only when the sort changes, not with every window of rows. */
function HeaderRowContent<T, S extends string>({ slots, sort, descending, onSort, checkboxes }: HeaderRowProps<T, S>) {
  const first = checkboxes ? 2 : 1;
  return (
    <Table.Tr aria-rowindex={1} style={{ height: HEADER_HEIGHT }}>
      {checkboxes && (
        <Table.Th style={{ width: CHECKBOX_WIDTH }} aria-colindex={1}>
          <VisuallyHidden>Selected</VisuallyHidden>
        </Table.Th>
      )}
      {slots.map((slot) => {
        if ("spacer" in slot) return <th key={slot.spacer} aria-hidden style={{ ...SPACER_STYLE, width: slot.width }} />;
        const { column, index } = slot;
        const active = column.sort !== undefined && column.sort === sort;
        const SortIcon = !active ? IconArrowsSort : descending ? IconSortDescending : IconSortAscending;
        return (
          <Table.Th
            key={column.id}
            style={{ width: column.width, textAlign: column.align }}
            aria-colindex={first + index}
            aria-sort={active ? (descending ? "descending" : "ascending") : undefined}
          >
            {column.sort ? (
              <UnstyledButton onClick={() => onSort(column.sort!)} fw={600} fz="sm" title={`Sort by ${column.header}`}>
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
  );
}

// memo() drops the type parameters; the cast puts them back.
const HeaderRow = memo(HeaderRowContent) as typeof HeaderRowContent;

interface RowProps<T, S extends string> extends RowNavigationProps {
  row: T;
  index: number;
  slots: Slot<T, S>[];
  height: number;
  selected: boolean | undefined;
  /** With a checkbox: selects or clears the row. */
  toggle: ((row: T) => void) | undefined;
  checkboxLabel: (row: T) => string;
  testId: string | undefined;
}

/**
 * One row; a row that stays in view while the list scrolls is not rendered again. Its `<tr>` and
 * `<td>`s are plain elements with the classes and attributes Mantine's `Table.Tr` and `Table.Td`
 * would give them here (row borders, hover): a window of rows is hundreds of cells, and each
 * Mantine cell is a component with its own props and styles to resolve, which made a list's first
 * rows take several hundred milliseconds to render in WebKitGTK.
 */
function WindowedRowContent<T, S extends string>({
  row,
  index,
  slots,
  height,
  selected,
  toggle,
  checkboxLabel,
  testId,
  className,
  ...navigation
}: RowProps<T, S>) {
  return (
    <tr
      className={`${Table.classes.tr} ${className}`}
      data-with-row-border
      data-hover
      aria-rowindex={index + 2}
      aria-selected={selected}
      style={toggle && selected ? { height, backgroundColor: "var(--mantine-primary-color-light)" } : { height }}
      data-testid={testId}
      {...navigation}
    >
      {toggle && (
        <td className={Table.classes.td} aria-colindex={1}>
          <Checkbox checked={selected ?? false} onChange={() => toggle(row)} aria-label={checkboxLabel(row)} />
        </td>
      )}
      {slots.map((slot) =>
        "spacer" in slot ? (
          <td key={slot.spacer} aria-hidden className={Table.classes.td} style={SPACER_STYLE} />
        ) : (
          <td
            key={slot.column.id}
            className={Table.classes.td}
            aria-colindex={(toggle ? 2 : 1) + slot.index}
            style={slot.column.align ? { ...CELL_STYLE, textAlign: slot.column.align } : CELL_STYLE}
          >
            {slot.column.cell(row)}
          </td>
        ),
      )}
    </tr>
  );
}

// memo() drops the type parameters; the cast puts them back.
const WindowedRow = memo(WindowedRowContent) as typeof WindowedRowContent;
