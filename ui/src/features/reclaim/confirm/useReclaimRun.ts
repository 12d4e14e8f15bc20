import { useEffect, useRef, useState } from "react";

import type { JobResult, SyncProgress } from "../../../bindings/sync";
import { subscribeReady, type Unsubscribe } from "../../../lib/events";

/** What the events said of one reclaim job since the confirmation. */
export interface ReclaimJobRun {
  jobId: number;
  /** From the events (null until the first). */
  profileId: number | null;
  progress: SyncProgress | null;
  /** The run's Scheduled Job Result once it has ended (null while it runs). */
  result: JobResult | null;
  /** How many runs of the job have ended since the confirmation. */
  finishedRuns: number;
}

export interface ReclaimRunEvents {
  /**
   * Resolves once the job events are listened to. Confirm only after it: the job starts with the
   * confirmation and its first events must not be missed.
   */
  ready: () => Promise<void>;
  /** From now on the events of `jobIds` are kept (before the ids are known: every job's). */
  arm: () => void;
  /** The reclaim jobs the confirmation started. */
  follow: (jobIds: readonly number[]) => void;
  /** The runs followed, in the order of `follow`'s ids. */
  runs: ReclaimJobRun[];
}

/**
 * Follows the job events of the reclaim jobs a confirmation starts: listening begins when the
 * dialog opens, events are kept from `arm` (just before confirming, when the ids are not known yet)
 * and shown for the ids passed to `follow`.
 */
export function useReclaimRun(): ReclaimRunEvents {
  const [byJob, setByJob] = useState<ReadonlyMap<number, ReclaimJobRun>>(new Map());
  const [followed, setFollowed] = useState<readonly number[]>([]);
  const armed = useRef(false);
  const ready = useRef<Promise<void> | null>(null);

  useEffect(() => {
    let stopped = false;
    const stops: Unsubscribe[] = [];
    const update = (jobId: number, change: (run: ReclaimJobRun) => ReclaimJobRun) => {
      if (!armed.current) return;
      setByJob((current) => {
        const next = new Map(current);
        const run = current.get(jobId) ?? { jobId, profileId: null, progress: null, result: null, finishedRuns: 0 };
        next.set(jobId, change(run));
        return next;
      });
    };
    const listening = Promise.all([
      subscribeReady("job-progress", ({ jobId, profileId, progress }) =>
        // A progress event after an end is the next run (started for candidates confirmed meanwhile).
        update(jobId, (run) => ({ ...run, profileId, progress, result: null })),
      ),
      subscribeReady("job-finished", ({ jobId, profileId, result }) =>
        update(jobId, (run) => ({ ...run, profileId, result, finishedRuns: run.finishedRuns + 1 })),
      ),
    ]).then((unsubscribes) => {
      if (stopped) unsubscribes.forEach((u) => u());
      else stops.push(...unsubscribes);
    });
    ready.current = listening;
    return () => {
      stopped = true;
      stops.forEach((u) => u());
    };
  }, []);

  return {
    ready: () => ready.current ?? Promise.resolve(),
    arm: () => {
      armed.current = true;
    },
    follow: (jobIds) => setFollowed([...jobIds]),
    runs: followed.map(
      (jobId) => byJob.get(jobId) ?? { jobId, profileId: null, progress: null, result: null, finishedRuns: 0 },
    ),
  };
}
