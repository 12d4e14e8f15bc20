import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { EntitlementInput } from "../../bindings/reconcile";
import * as ipc from "../../lib/ipc";
import { reclaimKeys } from "../reclaim/queries";
import { usageKeys } from "../usage/queries";

export const entitlementKeys = {
  all: ["entitlements"] as const,
  /** Every list of the profile's entitlements (all models, or one). */
  profile: (profileId: number) => ["entitlements", profileId] as const,
  list: (profileId: number, modelId: number | null) => ["entitlements", profileId, modelId] as const,
};

/** The profile's entitlements, of one model when `modelId` is given; paid models first. */
export function useEntitlements(profileId: number, modelId: number | null = null) {
  return useQuery({
    queryKey: entitlementKeys.list(profileId, modelId),
    queryFn: () => ipc.listEntitlements(profileId, modelId),
  });
}

/**
 * What an entitlement changes: the lists, the License Usage (owned rights, compliance, costs), and
 * the removal candidates' savings and the rules' costs (entitlements give a model its cost).
 */
function refreshAfterEntitlements(queryClient: QueryClient, profileId: number) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: entitlementKeys.profile(profileId) }),
    queryClient.invalidateQueries({ queryKey: usageKeys.profile(profileId) }),
    queryClient.invalidateQueries({ queryKey: reclaimKeys.all }),
  ]);
}

/** Creates (no `id`) or updates an entitlement of the profile. */
export function useSaveEntitlement(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: number | null; input: EntitlementInput }) =>
      id === null ? ipc.createEntitlement(profileId, input) : ipc.updateEntitlement(id, input),
    onSuccess: () => refreshAfterEntitlements(queryClient, profileId),
  });
}

/** Deletes entitlements of the profile, all or none. */
export function useDeleteEntitlements(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ids: number[]) => ipc.deleteEntitlements(ids),
    // Even a refused delete may find the list changed (an id gone meanwhile): read it again.
    onSettled: () => refreshAfterEntitlements(queryClient, profileId),
  });
}
