import { useQueries } from "@tanstack/react-query";
import { useCallback, useMemo, useRef, useState } from "react";

/** One window of a list the core filters and sorts (`{rows, total, offset}`). */
export interface WindowPage<T> {
  rows: readonly T[];
  /** How many rows match, in all. */
  total: number;
  offset: number;
}

export interface Windows<T> {
  /** How many rows match; undefined until the first window has arrived. */
  total: number | undefined;
  /** The row at `index` of the filtered, sorted list, or undefined while its window is read. */
  rowAt: (index: number) => T | undefined;
  /** The first window's rows (the top of the list). */
  firstRows: readonly T[];
  /** The list now shows rows `start`…`end` (inclusive): their windows are read. */
  showRange: (start: number, end: number) => void;
  isPending: boolean;
  /** The rows shown are those of the previous filter or sort, until the new ones arrive. */
  isStale: boolean;
  error: unknown;
  refetch: () => void;
}

export interface WindowsOptions<T> {
  /**
   * The list as filtered and sorted: each window's query key is this and its index. Another key
   * starts again at the top.
   */
  queryKey: readonly unknown[];
  /** Reads `limit` rows from `offset`. */
  read: (offset: number, limit: number) => Promise<WindowPage<T>>;
  /** Rows per window. */
  windowSize: number;
  /** Rows either side of those in view whose windows are read ahead, so scrolling rarely waits. */
  readAhead?: number;
}

/**
 * A list read in windows of `windowSize` rows: only the windows the list shows (and the first) are
 * asked for, each once; filter and sort are the core's. Windows scrolled away from are no longer
 * observed and leave the cache after a while.
 */
export function useWindows<T>({ queryKey, read, windowSize, readAhead = 0 }: WindowsOptions<T>): Windows<T> {
  const key = JSON.stringify(queryKey);
  const [view, setView] = useState<{ key: string; windows: readonly number[] }>({ key, windows: [0] });
  const shown = view.key === key ? view.windows : [0];
  const indexes = useMemo(() => [...new Set([0, ...shown])].sort((a, b) => a - b), [shown]);
  // The first window last shown. Another filter or sort shows its rows until its own arrive (no
  // blank list); useQueries gives a new key a new observer, which has no previous data of its own.
  const shownFirst = useRef<WindowPage<T> | undefined>(undefined);
  const results = useQueries({
    queries: indexes.map((index) => ({
      queryKey: [...queryKey, index],
      queryFn: () => read(index * windowSize, windowSize),
      gcTime: 60_000,
      placeholderData: index === 0 ? () => shownFirst.current : undefined,
    })),
  });
  const byIndex = new Map(indexes.map((index, i) => [index, results[i]!]));
  const first = byIndex.get(0)!;
  if (first.data && !first.isPlaceholderData) shownFirst.current = first.data;
  const total = first.data?.total ?? results.find((r) => r.data)?.data?.total;
  // The read-ahead stops at the end of the list.
  const totalRef = useRef(total);
  totalRef.current = total;

  const showRange = useCallback(
    (start: number, end: number) => {
      const last = totalRef.current === undefined ? end : Math.min(end + readAhead, totalRef.current - 1);
      const from = Math.floor(Math.max(start - readAhead, 0) / windowSize);
      const to = Math.floor(Math.max(last, start, 0) / windowSize);
      const wanted = Array.from({ length: to - from + 1 }, (_, i) => from + i);
      setView((current) =>
        current.key === key && current.windows.length === wanted.length && current.windows.every((w, i) => w === wanted[i])
          ? current
          : { key, windows: wanted },
      );
    },
    [key, readAhead, windowSize],
  );

  return {
    total,
    rowAt: (index) => byIndex.get(Math.floor(index / windowSize))?.data?.rows[index % windowSize],
    firstRows: first.data?.rows ?? [],
    showRange,
    isPending: first.isPending,
    isStale: first.isPlaceholderData,
    error: first.error ?? results.find((r) => r.error)?.error ?? null,
    refetch: () => {
      for (const result of results) void result.refetch();
    },
  };
}

/**
 * Every row of the list, read window after window (`concurrency` at a time) in the list's order:
 * for an export, which wants all of them once.
 */
export async function readAll<T>(
  read: (offset: number, limit: number) => Promise<WindowPage<T>>,
  windowSize: number,
  concurrency = 4,
): Promise<T[]> {
  const first = await read(0, windowSize);
  const count = Math.ceil(first.total / windowSize);
  const windows: (readonly T[])[] = [first.rows];
  let next = 1;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      windows[index] = (await read(index * windowSize, windowSize)).rows;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(count - 1, 0)) }, worker));
  return windows.flat();
}
