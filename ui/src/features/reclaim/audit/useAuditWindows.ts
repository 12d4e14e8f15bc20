import { keepPreviousData, useQueries } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";

import type { AuditFilter, AuditRecord } from "../../../bindings/reclaim";
import * as ipc from "../../../lib/ipc";
import { reclaimKeys } from "../queries";

/** Records per window of the audit log: read as the list scrolls to them, never all at once. */
export const AUDIT_PAGE_SIZE = 100;

export interface AuditWindows {
  /** How many records match; undefined until the first window has arrived. */
  total: number | undefined;
  /** The record at `index` of the filtered list (newest first), or undefined while its window is read. */
  rowAt: (index: number) => AuditRecord | undefined;
  /** The list now shows rows `start`…`end` (inclusive): their windows are read. */
  showRange: (start: number, end: number) => void;
  isPending: boolean;
  /** The rows shown are those of the previous filter, until the new ones arrive. */
  isStale: boolean;
  error: unknown;
  refetch: () => void;
}

/**
 * The audit log read in windows of AUDIT_PAGE_SIZE records (offset/limit): only the windows the
 * list shows, and the first, are asked for; the filter is the core's.
 */
export function useAuditWindows(filter: AuditFilter): AuditWindows {
  const key = JSON.stringify(filter);
  const [view, setView] = useState<{ key: string; pages: readonly number[] }>({ key, pages: [0] });
  const pages = view.key === key ? view.pages : [0];
  const indexes = useMemo(() => [...new Set([0, ...pages])].sort((a, b) => a - b), [pages]);
  const results = useQueries({
    queries: indexes.map((index) => ({
      queryKey: reclaimKeys.auditPage(filter, index),
      queryFn: () => ipc.listAudit(filter, index * AUDIT_PAGE_SIZE, AUDIT_PAGE_SIZE),
      gcTime: 60_000,
      placeholderData: index === 0 ? keepPreviousData : undefined,
    })),
  });
  const byIndex = new Map(indexes.map((index, i) => [index, results[i]!]));
  const first = byIndex.get(0)!;
  const total = first.data?.total ?? results.find((r) => r.data)?.data?.total;

  const showRange = useCallback(
    (start: number, end: number) => {
      const from = Math.floor(Math.max(start, 0) / AUDIT_PAGE_SIZE);
      const to = Math.floor(Math.max(end, 0) / AUDIT_PAGE_SIZE);
      const wanted = Array.from({ length: to - from + 1 }, (_, i) => from + i);
      setView((current) =>
        current.key === key && current.pages.length === wanted.length && current.pages.every((p, i) => p === wanted[i])
          ? current
          : { key, pages: wanted },
      );
    },
    [key],
  );

  return {
    total,
    rowAt: (index) => byIndex.get(Math.floor(index / AUDIT_PAGE_SIZE))?.data?.rows[index % AUDIT_PAGE_SIZE],
    showRange,
    isPending: first.isPending,
    isStale: first.isPlaceholderData,
    error: first.error ?? results.find((r) => r.error)?.error ?? null,
    refetch: () => {
      for (const result of results) void result.refetch();
    },
  };
}
