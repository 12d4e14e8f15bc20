// The backend's events, typed. Like ipc.ts, the only place that touches @tauri-apps/api/event.
import { listen } from "@tauri-apps/api/event";

import type { JobFinishedEvent, JobProgressEvent } from "../bindings/sync";

/** The events the backend emits, by name, with their payloads. */
export interface AppEvents {
  /** A running job's progress: after each page of users or events, and at phase changes. */
  "job-progress": JobProgressEvent;
  /** A run ended (succeeded, failed or cancelled); `result` is its Scheduled Job Result. */
  "job-finished": JobFinishedEvent;
}

export type AppEventName = keyof AppEvents;

/** Stops listening. Safe to call more than once, and before listening has started. */
export type Unsubscribe = () => void;

/**
 * Calls `handler` with each payload of `event` until the returned function is called. Listening
 * starts asynchronously; unsubscribing before it has started still stops it.
 */
export function subscribe<E extends AppEventName>(event: E, handler: (payload: AppEvents[E]) => void): Unsubscribe {
  let stopped = false;
  let unlisten: (() => void) | null = null;
  listen<AppEvents[E]>(event, (e) => {
    if (!stopped) handler(e.payload);
  }).then(
    (fn) => {
      if (stopped) fn();
      else unlisten = fn;
    },
    // Outside Tauri (or with IPC not mocked) there is nothing to listen to.
    () => {},
  );
  return () => {
    if (stopped) return;
    stopped = true;
    unlisten?.();
  };
}

/**
 * As `subscribe`, resolved once listening has started: an event emitted after that is delivered.
 * For a caller that starts something whose events must not be missed (the reclaim job).
 */
export function subscribeReady<E extends AppEventName>(
  event: E,
  handler: (payload: AppEvents[E]) => void,
): Promise<Unsubscribe> {
  let stopped = false;
  return listen<AppEvents[E]>(event, (e) => {
    if (!stopped) handler(e.payload);
  }).then(
    (unlisten) => () => {
      if (stopped) return;
      stopped = true;
      unlisten();
    },
    // Outside Tauri (or with IPC not mocked) there is nothing to listen to.
    () => () => {
      stopped = true;
    },
  );
}

export const onJobProgress = (handler: (payload: AppEvents["job-progress"]) => void) =>
  subscribe("job-progress", handler);
export const onJobFinished = (handler: (payload: AppEvents["job-finished"]) => void) =>
  subscribe("job-finished", handler);
