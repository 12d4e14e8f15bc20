// Test support: a stand-in for the Rust core behind `ipc.ts`, built on Tauri's `mockIPC`.
// It lives in src/lib because only src/lib may import @tauri-apps/*.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

import type { AppError } from "../bindings/errors";
import type { Connection, ConnectionInput, ConnectionUpdate } from "../bindings/profiles";
import type { AppEventName, AppEvents } from "./events";
import type { Command, CommandArgs, CommandResult } from "./ipc";
import {
  apiKeyProblem,
  connectionUrlProblem,
  hostNeedingConfirmation,
  keyLastFour,
  keyOrigin,
  nameProblem,
  SMARTSHEET_HOSTS,
} from "./rules";

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

// Connections as the core keeps them (seatkeeper-core connections.rs), for tests that need the
// core's answer to what the Connection & Credential dialog sends: where the API key may go.

function validation(field: string, message: string): AppError {
  return backendError("Validation", message, field);
}

/** The core's `normalize_url`: checked, without a trailing slash; a bare host gets `/2.0`. */
function normalizeUrl(value: string): string {
  const problem = connectionUrlProblem(value);
  if (problem !== null) throw validation("url", problem);
  const url = new URL(value.trim());
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path === "" ? "/2.0" : path}`;
}

function checkedName(value: string): string {
  const problem = nameProblem("Name", "connection", value);
  if (problem !== null) throw validation("name", problem);
  return value.trim();
}

function checkedKey(value: string): string {
  const problem = apiKeyProblem(value);
  if (problem !== null) throw validation("apiKey", problem);
  return value.trim();
}

/**
 * The core's `check_host`: the host to store as confirmed (null for Smartsheet's hosts and
 * loopback), or its field error on `url` when the admin did not confirm exactly this host.
 */
function checkHost(url: string, trusted: string | null | undefined): string | null {
  const host = hostNeedingConfirmation(url);
  if (host === null) return null;
  if (trusted?.trim().toLowerCase() === host) return host;
  throw validation(
    "url",
    `${host} is not one of Smartsheet's API hosts (${SMARTSHEET_HOSTS.join(", ")}). Seatkeeper would send your ` +
      `API key to ${host}. Choose your region's Connection URL, or, only if you are sure the key should go there ` +
      "(for example a gateway your company runs in front of Smartsheet), confirm it under the Connection URL.",
  );
}

/**
 * Connections kept in memory under the core's rules: a host that is not Smartsheet's needs the
 * admin's confirmation (`trustedHost`); a stored key goes only to the origin it was entered for,
 * so a URL on another origin needs the key again; the demo connection's URL never changes. Errors
 * are the core's `{code, message, field}`. `handlers` answers `list_connections` and
 * `update_connection`; `create` is what `create_profile` does with a new connection.
 */
export function connectionStore(initial: readonly Connection[]) {
  const rows = new Map(initial.map((c) => [c.id, { connection: { ...c }, keyOrigin: keyOrigin(c.url) }]));
  const row = (id: number) => {
    const found = rows.get(id);
    if (!found) throw backendError("NotFound", `The connection (id ${id}) no longer exists.`);
    return found;
  };
  const ensureNameFree = (name: string, except: number | null) => {
    const taken = [...rows.values()].some(
      ({ connection }) => connection.id !== except && connection.name.toLowerCase() === name.toLowerCase(),
    );
    if (taken) {
      throw validation(
        "name",
        `A connection named “${name}” already exists. Choose another Name, or use that connection.`,
      );
    }
  };

  const create = (input: ConnectionInput): Connection => {
    const name = checkedName(input.name);
    const url = normalizeUrl(input.url);
    const trustedHost = checkHost(url, input.trustedHost);
    const key = checkedKey(input.apiKey);
    ensureNameFree(name, null);
    const id = Math.max(0, ...rows.keys()) + 1;
    const connection: Connection = {
      id,
      name,
      url,
      keyLastFour: keyLastFour(key),
      trustedHost,
      isDemo: false,
      profileCount: 0,
    };
    rows.set(id, { connection, keyOrigin: keyOrigin(url) });
    return { ...connection };
  };

  const update = (id: number, change: ConnectionUpdate): Connection => {
    const name = checkedName(change.name);
    const url = normalizeUrl(change.url);
    const key = change.apiKey?.trim() ? checkedKey(change.apiKey) : null;
    const current = row(id);
    if (current.connection.isDemo && current.connection.url !== url) {
      throw validation(
        "url",
        "This is the demo organization's connection: its Connection URL always points at the simulated " +
          "organization. To connect your own Smartsheet organization, create a new connection.",
      );
    }
    // A host confirmed earlier stays confirmed while the URL keeps it.
    const trustedHost = checkHost(url, change.trustedHost ?? current.connection.trustedHost);
    const origin = keyOrigin(url);
    if (key === null && origin !== current.keyOrigin) {
      throw validation(
        "apiKey",
        `The Connection URL now points at ${origin} instead of ${current.keyOrigin}. Enter the API key again: ` +
          "Seatkeeper sends a key only to the address it was entered for.",
      );
    }
    ensureNameFree(name, id);
    current.connection = {
      ...current.connection,
      name,
      url,
      trustedHost,
      ...(key !== null && { keyLastFour: keyLastFour(key) }),
    };
    if (key !== null) current.keyOrigin = origin;
    return { ...current.connection };
  };

  return {
    get: (id: number): Connection => ({ ...row(id).connection }),
    list: (): Connection[] => [...rows.values()].map(({ connection }) => ({ ...connection })),
    create,
    update,
    handlers: {
      list_connections: () => [...rows.values()].map(({ connection }) => ({ ...connection })),
      update_connection: ({ id, update: change }) => update(id, change),
    } satisfies BackendHandlers,
  };
}
