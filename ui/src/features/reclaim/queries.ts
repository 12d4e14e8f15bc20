import { type QueryClient, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import type {
  AuditFilter,
  CandidateFilter,
  CandidateSort,
  ComputeSummary,
  ProtectedUserInput,
  ReviewMove,
  RuleInput,
} from "../../bindings/reclaim";
import { onJobFinished } from "../../lib/events";
import * as ipc from "../../lib/ipc";
import { relatedKeys } from "../profiles/related/queries";
import { ALL_STATES, OPEN_STATES } from "./format";

/** Rows per window of the candidate list: read as the list scrolls to them, never all at once. */
export const PAGE_SIZE = 200;

export const reclaimKeys = {
  all: ["reclaim"] as const,
  rules: (profileId: number) => ["reclaim", "rules", profileId] as const,
  protectedUsers: (profileId: number) => ["reclaim", "protected", profileId] as const,
  /** Every window, count and dry run of the candidate list. */
  candidates: ["reclaim", "candidates"] as const,
  page: (filter: CandidateFilter, sort: CandidateSort, descending: boolean, index: number) =>
    ["reclaim", "candidates", "page", filter, sort, descending, index] as const,
  savings: (filter: CandidateFilter, ids: readonly number[] | null) =>
    ["reclaim", "candidates", "savings", filter, ids] as const,
  /** Every window and count of the audit log. */
  audit: ["reclaim", "audit"] as const,
  auditPage: (filter: AuditFilter, index: number) => ["reclaim", "audit", "page", filter, index] as const,
};

/** The candidate list's order as it opens: the longest inactive first. */
export const DEFAULT_CANDIDATE_SORT: { sort: CandidateSort; descending: boolean } = {
  sort: "inactiveDays",
  descending: true,
};

/** The query of one window of the candidate list: what the list reads as it scrolls. */
export function candidateWindowQuery(filter: CandidateFilter, sort: CandidateSort, descending: boolean, index: number) {
  return {
    queryKey: reclaimKeys.page(filter, sort, descending, index),
    queryFn: () => ipc.listCandidates({ filter, sort, descending, offset: index * PAGE_SIZE, limit: PAGE_SIZE }),
    gcTime: 60_000,
  };
}

/** The candidate filter the review builds; with no narrowing given, the open candidates of `profileId` (or of every profile). */
export function candidateFilter({
  profileId,
  modelId = null,
  states = OPEN_STATES,
  justification = null,
  minInactiveDays = null,
  search = "",
}: Partial<CandidateFilter> & { profileId: number | null }): CandidateFilter {
  return { profileId, modelId, states: ALL_STATES.filter((s) => states.includes(s)), justification, minInactiveDays, search };
}

/**
 * Starts reading the first window of a candidate list about to open (the pointer on its link, or
 * the click), so that its rows arrive with the screen instead of after it has rendered.
 */
export function prefetchCandidates(queryClient: QueryClient, profileId: number | null) {
  const { sort, descending } = DEFAULT_CANDIDATE_SORT;
  void queryClient.prefetchQuery(candidateWindowQuery(candidateFilter({ profileId }), sort, descending, 0));
}

export function useReclamationRules(profileId: number) {
  return useQuery({ queryKey: reclaimKeys.rules(profileId), queryFn: () => ipc.listReclamationRules(profileId) });
}

/** The rules of several profiles (the cross-profile screens), in the order of `profileIds`. */
export function useRulesOf(profileIds: readonly number[]) {
  return useQueries({
    queries: profileIds.map((id) => ({
      queryKey: reclaimKeys.rules(id),
      queryFn: () => ipc.listReclamationRules(id),
    })),
  });
}

/**
 * What changes when candidates move: the list's windows, counts and dry runs, and the rules' open
 * candidate counts.
 */
export function refreshCandidates(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: reclaimKeys.candidates }),
    queryClient.invalidateQueries({ queryKey: ["reclaim", "rules"] }),
  ]);
}

export function useUpdateRule(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ruleId, input }: { ruleId: number; input: RuleInput }) => ipc.updateReclamationRule(ruleId, input),
    onSuccess: () =>
      Promise.all([
        refreshCandidates(queryClient),
        // The Software Models list shows each rule's threshold and Active.
        queryClient.invalidateQueries({ queryKey: relatedKeys.models(profileId) }),
      ]),
  });
}

export function useProtectedUsers(profileId: number) {
  return useQuery({
    queryKey: reclaimKeys.protectedUsers(profileId),
    queryFn: () => ipc.listProtectedUsers(profileId),
  });
}

/** Adding a protection closes the open candidates it covers. */
export function useAddProtectedUser(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ProtectedUserInput) => ipc.addProtectedUser(profileId, input),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: reclaimKeys.protectedUsers(profileId) }),
        refreshCandidates(queryClient),
      ]),
  });
}

export function useDeleteProtectedUser(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => ipc.deleteProtectedUser(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: reclaimKeys.protectedUsers(profileId) }),
  });
}

/** The dry run of the filter (`ids` null) or of the selection within it. */
export function useSavings(filter: CandidateFilter, ids: readonly number[] | null, enabled = true) {
  return useQuery({
    queryKey: reclaimKeys.savings(filter, ids),
    queryFn: () => ipc.candidateSavings(filter, ids === null ? null : [...ids]),
    enabled,
    placeholderData: (previous) => previous,
  });
}

export function useSkipCandidates() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, reason }: { ids: number[]; reason: string }) => ipc.skipCandidates(ids, reason),
    onSuccess: () => refreshCandidates(queryClient),
  });
}

export function useMoveCandidates() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, reviewMove }: { ids: number[]; reviewMove: ReviewMove }) => ipc.moveCandidates(ids, reviewMove),
    onSuccess: () => refreshCandidates(queryClient),
  });
}

/** Recomputes the candidates of each profile in turn; returns the summaries added up. */
export function useComputeCandidates() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (profileIds: readonly number[]): Promise<ComputeSummary> => {
      const total: ComputeSummary = { opened: 0, updated: 0, canceled: 0, skipped: 0, noAnswer: 0, open: 0 };
      for (const id of profileIds) {
        const summary = await ipc.computeCandidates(id);
        for (const key of Object.keys(total) as (keyof ComputeSummary)[]) total[key] += summary[key];
      }
      return total;
    },
    onSettled: () => refreshCandidates(queryClient),
  });
}

/**
 * A refresh computes the candidates at its end (and counts subscriptions anew): when any job
 * finishes, every reclamation list is read again. Mounted once, by the app.
 */
export function useReclaimFollowsJobs() {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onJobFinished(() => {
        void queryClient.invalidateQueries({ queryKey: reclaimKeys.all });
      }),
    [queryClient],
  );
}
