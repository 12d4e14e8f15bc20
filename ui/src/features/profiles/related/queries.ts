import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import type {
  SoftwareSubscription,
  SubscriptionFilter,
  SubscriptionPageRequest,
  SubscriptionSort,
  SyncProgress,
} from "../../../bindings/sync";
import { notifyError } from "../../../components/notify";
import { useWindows } from "../../../components/useWindows";
import { onJobFinished, onJobProgress } from "../../../lib/events";
import * as ipc from "../../../lib/ipc";
import type { ExclusionKind, IdentifierExclusionInput, UserExclusionInput } from "../../../bindings/exclusions";
import { profileKeys } from "../queries";

export const relatedKeys = {
  /** Everything listed for a profile: refreshed when one of its jobs finishes. */
  all: (profileId: number) => ["related", profileId] as const,
  /** The Software Subscriptions list: its windows and its filters' options. */
  subscriptions: (profileId: number) => ["related", profileId, "subscriptions"] as const,
  subscriptionWindow: (profileId: number, filter: SubscriptionFilter, sort: SubscriptionSort, descending: boolean) =>
    ["related", profileId, "subscriptions", "window", filter, sort, descending] as const,
  subscriptionFacets: (profileId: number) => ["related", profileId, "subscriptions", "facets"] as const,
  /** One subscription's user's activity (the list's side panel). */
  userActivity: (profileId: number, subscriptionId: number) =>
    ["related", profileId, "subscriptions", "activity", subscriptionId] as const,
  models: (profileId: number) => ["related", profileId, "models"] as const,
  unrecognized: (profileId: number) => ["related", profileId, "unrecognized"] as const,
  jobResults: (profileId: number) => ["related", profileId, "jobResults"] as const,
  exclusionRules: (profileId: number) => ["related", profileId, "exclusionRules"] as const,
  /** Which event types count as activity, and where activity comes from (a job run may change it). */
  activitySettings: (profileId: number) => ["related", profileId, "activitySettings"] as const,
  /** A running job's progress, as the events report it (not fetched: written by `useJobEvents`). */
  jobRun: (jobId: number) => ["jobRun", jobId] as const,
};

/**
 * Rows per window of the Software Subscriptions list: the list reads `list` rows at a time as it
 * scrolls (and `readAhead` rows beyond those in view); an export reads `export` at a time, the
 * most the core gives.
 */
export const SUBSCRIPTION_WINDOW = { list: 200, readAhead: 100, export: 500 } as const;

/** A window of the profile's subscriptions, as the core filters and sorts them. */
export function readSubscriptions(profileId: number, request: Omit<SubscriptionPageRequest, "profileId">) {
  return ipc.listSubscriptionsPage({ profileId, ...request });
}

/** The Software Subscriptions list in windows: only those in view are read. */
export function useSubscriptionWindows(
  profileId: number,
  filter: SubscriptionFilter,
  sort: SubscriptionSort,
  descending: boolean,
) {
  return useWindows<SoftwareSubscription>({
    queryKey: relatedKeys.subscriptionWindow(profileId, filter, sort, descending),
    read: (offset, limit) => readSubscriptions(profileId, { filter, sort, descending, offset, limit }),
    windowSize: SUBSCRIPTION_WINDOW.list,
    readAhead: SUBSCRIPTION_WINDOW.readAhead,
  });
}

/**
 * The filters' options (identifiers, statuses) and the profile's number of subscriptions; read once
 * `enabled` (after the first rows, which come first).
 */
export function useSubscriptionFacets(profileId: number, enabled = true) {
  return useQuery({
    queryKey: relatedKeys.subscriptionFacets(profileId),
    queryFn: () => ipc.subscriptionFacets(profileId),
    enabled,
  });
}

/** The activity of a subscription's user: its per-day counts and last events by type. */
export function useUserActivityDetail(profileId: number, subscriptionId: number) {
  return useQuery({
    queryKey: relatedKeys.userActivity(profileId, subscriptionId),
    queryFn: () => ipc.userActivityDetail(profileId, subscriptionId),
  });
}

export function useModels(profileId: number) {
  return useQuery({ queryKey: relatedKeys.models(profileId), queryFn: () => ipc.listModels(profileId) });
}

export function useUnrecognizedIdentifiers(profileId: number) {
  return useQuery({
    queryKey: relatedKeys.unrecognized(profileId),
    queryFn: () => ipc.listUnrecognizedIdentifiers(profileId),
  });
}

/** Newest first. */
export function useJobResults(profileId: number) {
  return useQuery({ queryKey: relatedKeys.jobResults(profileId), queryFn: () => ipc.listJobResults(profileId) });
}

export function useExclusionRules(profileId: number) {
  return useQuery({
    queryKey: relatedKeys.exclusionRules(profileId),
    queryFn: () => ipc.listExclusionRules(profileId),
  });
}

export function useActivitySettings(profileId: number) {
  return useQuery({
    queryKey: relatedKeys.activitySettings(profileId),
    queryFn: () => ipc.getActivitySettings(profileId),
  });
}

/** Saves the excluded event types; the result (as stored) goes into the cache, which is then refetched. */
export function useSetActivitySettings(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (excludedEventKinds: string[]) => ipc.setActivitySettings(profileId, excludedEventKinds),
    onSuccess: (settings) => {
      queryClient.setQueryData(relatedKeys.activitySettings(profileId), settings);
      return queryClient.invalidateQueries({ queryKey: relatedKeys.activitySettings(profileId) });
    },
  });
}

/** What the UI knows of a job's current run. */
export interface JobRun {
  /** Null until the first progress event arrives. */
  progress: SyncProgress | null;
  cancelling: boolean;
}

/** The job's run in progress as the events reported it, or undefined when none is known. */
export function useJobRun(jobId: number) {
  return useQuery<JobRun | null>({
    queryKey: relatedKeys.jobRun(jobId),
    queryFn: () => null,
    staleTime: Infinity,
    gcTime: Infinity,
  }).data;
}

/**
 * Follows the backend's job events for a profile: progress goes into the job's `jobRun` entry;
 * at the end of a run the entry is removed and everything the run may have changed is refetched.
 */
export function useJobEvents(profileId: number) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const stopProgress = onJobProgress(({ jobId, profileId: of, progress }) => {
      if (of !== profileId) return;
      queryClient.setQueryData<JobRun | null>(relatedKeys.jobRun(jobId), (run) => ({
        progress,
        cancelling: run?.cancelling ?? false,
      }));
    });
    const stopFinished = onJobFinished(({ jobId, profileId: of, result }) => {
      if (of !== profileId) return;
      queryClient.setQueryData<JobRun | null>(relatedKeys.jobRun(jobId), null);
      void queryClient.invalidateQueries({ queryKey: relatedKeys.all(profileId) });
      // The profile, and the profile list (its last sync).
      void queryClient.invalidateQueries({ queryKey: profileKeys.detail(profileId) });
      void queryClient.invalidateQueries({ queryKey: profileKeys.all });
      if (result.status === "failed") {
        notifyError(`Run ${result.number} failed`, result.errorMessage ?? "The job failed. See Scheduled Job Results.");
      }
    });
    return () => {
      stopProgress();
      stopFinished();
    };
  }, [profileId, queryClient]);
}

export function useRunJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (jobId: number) => ipc.runJob(jobId),
    // Shown as running at once; the events take over from here.
    onMutate: (jobId) => {
      queryClient.setQueryData<JobRun | null>(relatedKeys.jobRun(jobId), (run) => run ?? { progress: null, cancelling: false });
    },
    onError: (error, jobId) => {
      queryClient.setQueryData<JobRun | null>(relatedKeys.jobRun(jobId), null);
      notifyError("Could not start the job", error);
    },
  });
}

export function useCancelJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (jobId: number) => ipc.cancelJob(jobId),
    onMutate: (jobId) => {
      queryClient.setQueryData<JobRun | null>(relatedKeys.jobRun(jobId), (run) =>
        run ? { ...run, cancelling: true } : { progress: null, cancelling: true },
      );
    },
    onError: (error, jobId) => {
      queryClient.setQueryData<JobRun | null>(relatedKeys.jobRun(jobId), (run) => (run ? { ...run, cancelling: false } : run));
      notifyError("Could not cancel the job", error);
    },
  });
}

/** Sets the time of day of a job's daily run; the profile (which lists its jobs) is read again. */
export function useSetJobTimeOfDay(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ jobId, timeOfDay }: { jobId: number; timeOfDay: string }) => ipc.setJobTimeOfDay(jobId, timeOfDay),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: profileKeys.detail(profileId) }),
  });
}

/** Pauses a job or makes it active again; the profile (which lists its jobs) is read again. */
export function useSetJobActive(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ jobId, active }: { jobId: number; active: boolean }) => ipc.setJobActive(jobId, active),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: profileKeys.detail(profileId) }),
        queryClient.invalidateQueries({ queryKey: profileKeys.all }),
      ]),
  });
}

export function useMapIdentifier(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ identifier, modelId }: { identifier: string; modelId: number }) =>
      ipc.mapIdentifier(profileId, identifier, modelId),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: relatedKeys.unrecognized(profileId) }),
        queryClient.invalidateQueries({ queryKey: relatedKeys.models(profileId) }),
        queryClient.invalidateQueries({ queryKey: relatedKeys.subscriptions(profileId) }),
      ]),
  });
}

/**
 * A new software model made for an identifier, which is mapped to it (both or neither). The model
 * comes with a reclamation rule: `onSuccess` of the caller reads the rules again.
 */
export function useCreateModelForIdentifier(profileId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ identifier, name, paid }: { identifier: string; name: string; paid: boolean }) =>
      ipc.createModelForIdentifier(profileId, identifier, name, paid),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: relatedKeys.unrecognized(profileId) }),
        queryClient.invalidateQueries({ queryKey: relatedKeys.models(profileId) }),
        queryClient.invalidateQueries({ queryKey: relatedKeys.subscriptions(profileId) }),
      ]),
  });
}

/** After a rule changes: the rules, and the subscriptions' Excluded flags. */
function useRefreshExclusions(profileId: number) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: relatedKeys.exclusionRules(profileId) }),
      queryClient.invalidateQueries({ queryKey: relatedKeys.subscriptions(profileId) }),
    ]);
}

export function useSaveIdentifierExclusion(profileId: number) {
  const refresh = useRefreshExclusions(profileId);
  return useMutation({
    mutationFn: (rule: IdentifierExclusionInput) => ipc.saveIdentifierExclusion(profileId, rule),
    onSuccess: refresh,
  });
}

export function useSaveUserExclusion(profileId: number) {
  const refresh = useRefreshExclusions(profileId);
  return useMutation({
    mutationFn: (rule: UserExclusionInput) => ipc.saveUserExclusion(profileId, rule),
    onSuccess: refresh,
  });
}

export function useDeleteExclusionRule(profileId: number) {
  const refresh = useRefreshExclusions(profileId);
  return useMutation({
    mutationFn: ({ kind, id }: { kind: ExclusionKind; id: number }) => ipc.deleteExclusionRule(kind, id),
    onSuccess: refresh,
  });
}
