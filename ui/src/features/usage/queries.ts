import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { onJobFinished } from "../../lib/events";
import * as ipc from "../../lib/ipc";

export const usageKeys = {
  all: ["licenseUsage"] as const,
  profile: (profileId: number) => ["licenseUsage", profileId] as const,
};

/**
 * The License Usage view's figures, aggregated by the core. Read again whenever the view opens a
 * few seconds later: reviewing candidates elsewhere changes its open candidates.
 */
export function useLicenseUsage(profileId: number, enabled = true) {
  return useQuery({
    queryKey: usageKeys.profile(profileId),
    queryFn: () => ipc.licenseUsage(profileId),
    enabled,
    staleTime: 5_000,
  });
}

/** Runs a reconciliation now (kept as a snapshot: the history gets a point); the view is read again. */
export function useReconcileNow(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => ipc.reconcileNow(profileId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usageKeys.profile(profileId) }),
  });
}

/**
 * What the usage is computed from changes with nearly every write: a refresh (which ends with a
 * reconciliation), the weekly job, a reclaim, an entitlement, an exclusion or reclamation rule,
 * a candidate skipped or protected. So the usage is read again when any job of the profile
 * finishes, and after any change the admin makes (only a usage on screen is read at once; others
 * when next shown); not after a mutation whose `meta.changesUsage` is false (an export). Mounted
 * once, by the app.
 */
export function useUsageFollowsChanges() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const stopJobs = onJobFinished(({ profileId }) => {
      void queryClient.invalidateQueries({ queryKey: usageKeys.profile(profileId) });
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (
        event.type === "updated" &&
        event.action.type === "success" &&
        event.mutation.options.meta?.changesUsage !== false
      ) {
        void queryClient.invalidateQueries({ queryKey: usageKeys.all });
      }
    });
    return () => {
      stopJobs();
      stopMutations();
    };
  }, [queryClient]);
}
