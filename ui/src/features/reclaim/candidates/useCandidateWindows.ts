import { keepPreviousData, useQueries } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";

import type { CandidateFilter, CandidateSort, RemovalCandidate } from "../../../bindings/reclaim";
import { candidateWindowQuery, PAGE_SIZE } from "../queries";

export interface CandidateWindows {
  /** How many candidates match; undefined until the first window has arrived. */
  total: number | undefined;
  /** The row at `index` of the filtered, sorted list, or undefined while its window is read. */
  rowAt: (index: number) => RemovalCandidate | undefined;
  /** The first window's rows (the top of the list), for the dry run's names. */
  firstRows: readonly RemovalCandidate[];
  /** Every row read so far and still held, by id. */
  loadedRows: () => Map<number, RemovalCandidate>;
  /** The list now shows rows `start`…`end` (inclusive): their windows are read. */
  showRange: (start: number, end: number) => void;
  isPending: boolean;
  /** The rows shown are those of the previous filter or sort, until the new ones arrive. */
  isStale: boolean;
  error: unknown;
  refetch: () => void;
}

/**
 * The candidate list read in windows of PAGE_SIZE rows: only the windows the list shows (and the
 * first) are asked for, each once; filter and sort are the core's. Windows scrolled away from are
 * no longer observed and leave the cache after a while.
 */
export function useCandidateWindows(
  filter: CandidateFilter,
  sort: CandidateSort,
  descending: boolean,
): CandidateWindows {
  // The windows in view belong to one filter and sort: another starts again at the top.
  const key = JSON.stringify([filter, sort, descending]);
  const [view, setView] = useState<{ key: string; pages: readonly number[] }>({ key, pages: [0] });
  const pages = view.key === key ? view.pages : [0];
  const indexes = useMemo(() => [...new Set([0, ...pages])].sort((a, b) => a - b), [pages]);
  const results = useQueries({
    queries: indexes.map((index) => ({
      ...candidateWindowQuery(filter, sort, descending, index),
      // Another filter or sort shows the rows it replaces until its own arrive (no blank list).
      placeholderData: index === 0 ? keepPreviousData : undefined,
    })),
  });
  const byIndex = new Map(indexes.map((index, i) => [index, results[i]!]));
  const first = byIndex.get(0)!;
  const total = first.data?.total ?? results.find((r) => r.data)?.data?.total;

  const showRange = useCallback((start: number, end: number) => {
    const from = Math.floor(Math.max(start, 0) / PAGE_SIZE);
    const to = Math.floor(Math.max(end, 0) / PAGE_SIZE);
    const wanted = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    setView((current) =>
      current.key === key && current.pages.length === wanted.length && current.pages.every((p, i) => p === wanted[i])
        ? current
        : { key, pages: wanted },
    );
  }, [key]);

  return {
    total,
    rowAt: (index) => byIndex.get(Math.floor(index / PAGE_SIZE))?.data?.rows[index % PAGE_SIZE],
    firstRows: first.data?.rows ?? [],
    loadedRows: () => {
      const rows = new Map<number, RemovalCandidate>();
      for (const result of results) for (const row of result.data?.rows ?? []) rows.set(row.id, row);
      return rows;
    },
    showRange,
    isPending: first.isPending,
    isStale: first.isPlaceholderData,
    error: first.error ?? results.find((r) => r.error)?.error ?? null,
    refetch: () => {
      for (const result of results) void result.refetch();
    },
  };
}
