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
 * A refresh ends with a reconciliation, the weekly job is one, and a reclaim changes the savings:
 * when any job of a profile finishes, its License Usage is read again. Mounted once, by the app.
 */
export function useUsageFollowsJobs() {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onJobFinished(({ profileId }) => {
        void queryClient.invalidateQueries({ queryKey: usageKeys.profile(profileId) });
      }),
    [queryClient],
  );
}
