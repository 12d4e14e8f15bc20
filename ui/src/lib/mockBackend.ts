// Test support: a stand-in for the Rust core behind `ipc.ts`, built on Tauri's `mockIPC`.
// It lives in src/lib because only src/lib may import @tauri-apps/*.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

import type { AppError } from "../bindings/errors";
import type { AppEventName, AppEvents } from "./events";
import type { Command, CommandArgs, CommandResult } from "./ipc";

export type BackendHandlers = {
  [C in Command]?: (args: CommandArgs<C>) => CommandResult<C> | Promise<CommandResult<C>>;
};

export interface RecordedCall {
  cmd: string;
  args: Record<string, unknown>;
}

/**
 * Answers IPC calls with `handlers`; a handler rejects by throwing an `AppError` (see
 * `backendError`), as the real backend does. Unhandled commands reject with an Internal error.
 * Events are mocked too: what the app `listen`s to, `emitBackendEvent` delivers.
 */
export function mockBackend(handlers: BackendHandlers) {
  const calls: RecordedCall[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd as Command] as ((args: unknown) => unknown) | undefined;
    if (!handler) throw backendError("Internal", `No mock for the command ${cmd}.`);
    return handler(args);
  }, { shouldMockEvents: true });
  return {
    calls,
    callsTo: (cmd: Command) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
}

/** Delivers an event as the backend would emit it (after `mockBackend`). */
export async function emitBackendEvent<E extends AppEventName>(event: E, payload: AppEvents[E]): Promise<void> {
  await emit(event, payload);
}

export function backendError(code: AppError["code"], message: string, field: string | null = null): AppError {
  return { code, message, field };
}

export const clearBackendMocks = clearMocks;
