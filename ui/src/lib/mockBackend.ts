// Test support: a stand-in for the Rust core behind `ipc.ts`, built on Tauri's `mockIPC`.
// It lives in src/lib because only src/lib may import @tauri-apps/*.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

import type { AppError } from "../bindings/errors";
import type { Connection, ConnectionInput, ConnectionUpdate, Profile } from "../bindings/profiles";
import type {
  AuditRecord,
  CandidateFilter,
  CandidateSort,
  CandidateState,
  ComputeSummary,
  Money,
  ProtectedUser,
  ReclaimPreviewItem,
  ReclaimRefusal,
  ReclamationRule,
  RemovalCandidate,
  ReviewMove,
  SavingsSummary,
  SeatAction,
} from "../bindings/reclaim";
import type { Entitlement, EntitlementInput, TermState } from "../bindings/reconcile";
import type { SoftwareModel, SoftwareSubscription, SubscriptionFilter, SubscriptionSort } from "../bindings/sync";
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
  userPatternProblem,
} from "./rules";

export type BackendHandlers = {
  [C in Command]?: (args: CommandArgs<C>) => CommandResult<C> | Promise<CommandResult<C>>;
} & {
  /** The opener plugin's command (see opener.ts); the real shell allows mailto: URLs only. */
  "plugin:opener|open_url"?: (args: { url: string }) => null;
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
    const handler = handlers[cmd as keyof BackendHandlers] as ((args: unknown) => unknown) | undefined;
    if (!handler) throw backendError("Internal", `No mock for the command ${cmd}.`);
    return handler(args);
  }, { shouldMockEvents: true });
  return {
    calls,
    callsTo: (cmd: keyof BackendHandlers) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
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
 * are the core's `{code, message, field}`. `handlers` answers `list_connections`, `update_connection`
 * and `delete_connection` (refused while a profile uses it); `create` is what `create_profile` and
 * `set_profile_connection` do with a new connection, and `use` counts the profiles using one.
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
    /** A profile starts or stops using a connection. */
    use: (id: number, by: 1 | -1) => {
      row(id).connection.profileCount += by;
    },
    handlers: {
      list_connections: () => [...rows.values()].map(({ connection }) => ({ ...connection })),
      update_connection: ({ id, update: change }) => update(id, change),
      delete_connection: ({ id }) => {
        const { connection } = row(id);
        if (connection.profileCount > 0) {
          throw backendError(
            "Conflict",
            `The connection “${connection.name}” is used by a profile. Move it to another connection, or delete it, before deleting it.`,
          );
        }
        rows.delete(id);
        return null;
      },
    } satisfies BackendHandlers,
  };
}

// Reclamation as the core keeps it (seatkeeper-core reclaim/), for tests that walk the review:
// rules with the core's ranges, Protected users that close the candidates they cover, and removal
// candidates read in windows (filter, sort, offset/limit), selected by filter, skipped and moved
// through the notify loop under the core's state rules. Errors are the core's `{code, message, field}`.

const OPEN_STATES: readonly CandidateState[] = [
  "ready",
  "awaitingUser",
  "awaitingApproval",
  "awaitingRevocation",
  "attentionRequired",
];
const CLOSED_STATES: readonly CandidateState[] = ["closedComplete", "closedSkipped", "closedCanceled"];

/** The core's `ReviewMove` → (from, to) (reclaim/state.rs `next`). */
const REVIEW_MOVES: Record<ReviewMove, [CandidateState, CandidateState]> = {
  notified: ["ready", "awaitingUser"],
  userKeeps: ["awaitingUser", "awaitingApproval"],
  declined: ["awaitingApproval", "ready"],
  resumed: ["attentionRequired", "ready"],
};

function coversEmail(pattern: string, email: string): boolean {
  const address = email.toLowerCase();
  if (!pattern.startsWith("@")) return address === pattern;
  const domain = address.slice(address.lastIndexOf("@") + 1);
  return domain === pattern.slice(1) || domain.endsWith(`.${pattern.slice(1)}`);
}

/** The core's `parse_amount` (money.rs) → minor units, or its field error on `field`. */
function minorUnits(input: string, currency: string, exponent: number, field = "monthlyCost"): number | null {
  const text = input.trim().replace(/[, ]/g, "");
  if (text === "") return null;
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (text.startsWith("-")) throw validation(field, "A cost cannot be negative.");
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    throw validation(field, `“${input.trim()}” is not an amount. Enter a number such as 25.00, without the currency sign.`);
  }
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) {
    throw validation(field, `${currency} has ${exponent} digits after the decimal point at most.`);
  }
  return Number(match[1] || "0") * 10 ** exponent + Number(fraction.padEnd(exponent, "0") || "0");
}

/** The core's state names, in its refusals ("A candidate that is Closed Complete cannot be reclaimed."). */
const STATE_NAMES: Record<CandidateState, string> = {
  ready: "Ready",
  awaitingUser: "Awaiting User",
  awaitingApproval: "Awaiting Approval",
  awaitingRevocation: "Awaiting Revocation",
  attentionRequired: "Attention Required",
  closedComplete: "Closed Complete",
  closedSkipped: "Closed Skipped",
  closedCanceled: "Closed Canceled",
};

/** The undo of each write (reclaim/seat.rs `SeatWrite::undo`). */
const UNDO_ACTIONS: Partial<Record<SeatAction, SeatAction>> = {
  downgrade: "upgrade",
  unlicense: "relicense",
  deactivate: "reactivate",
};

export interface ReclaimStoreSeed {
  profiles: readonly Profile[];
  rules?: readonly ReclamationRule[];
  candidates?: readonly RemovalCandidate[];
  protectedUsers?: readonly ProtectedUser[];
  /** What `compute_candidates` answers (its `open` is counted). */
  compute?: Omit<ComputeSummary, "open">;
  /** The audit log (any order; `list_audit` reads it newest first). */
  audit?: readonly AuditRecord[];
  /** The operating-system user who confirms (default "tester"). */
  confirmedBy?: string;
}

export function reclaimStore(seed: ReclaimStoreSeed) {
  const profiles = new Map(seed.profiles.map((p) => [p.id, p]));
  const rules = new Map((seed.rules ?? []).map((r) => [r.id, { ...r }]));
  const candidates = new Map((seed.candidates ?? []).map((c) => [c.id, { ...c }]));
  let protectedUsers = (seed.protectedUsers ?? []).map((p) => ({ ...p }));
  let now = "2026-12-01T09:00:00Z";

  const ensureProfile = (id: number) => {
    if (!profiles.has(id)) throw backendError("NotFound", `The profile (id ${id}) no longer exists.`);
  };
  const ruleOf = (modelId: number | null) => [...rules.values()].find((r) => r.modelId === modelId);
  /** As `list_candidates` reads it: the rule's Notify user and the model's cost. */
  const read = (c: RemovalCandidate): RemovalCandidate => {
    const rule = ruleOf(c.modelId);
    const cost = rule?.monthlyCost ?? null;
    return {
      ...c,
      notifyUser: rule?.notifyUser ?? false,
      monthlySavings: cost,
      yearlySavings: cost && { ...cost, minor: cost.minor * 12 },
    };
  };
  const matches = (f: CandidateFilter) => {
    const states = f.states.length === 0 ? OPEN_STATES : f.states;
    const search = f.search.trim().toLowerCase();
    return (c: RemovalCandidate) =>
      (f.profileId === null || c.profileId === f.profileId) &&
      (f.modelId === null || c.modelId === f.modelId) &&
      states.includes(c.state) &&
      (f.justification === null || c.justification === f.justification) &&
      (f.minInactiveDays === null || c.inactiveDays >= f.minInactiveDays) &&
      (search === "" || c.email.toLowerCase().includes(search) || (c.name ?? "").toLowerCase().includes(search)) &&
      (f.ids === undefined || f.ids.includes(c.id));
  };
  const sortKey: Record<CandidateSort, (c: RemovalCandidate) => string | number> = {
    inactiveDays: (c) => c.inactiveDays,
    user: (c) => c.email.toLowerCase(),
    model: (c) => c.modelName ?? "",
    state: (c) => c.state,
    opened: (c) => c.openedAt,
  };
  const close = (c: RemovalCandidate, state: CandidateState, note: string) => {
    Object.assign(c, { state, note, closedAt: now, updatedAt: now });
  };
  const load = (id: number) => {
    const c = candidates.get(id);
    if (!c) {
      throw backendError(
        "NotFound",
        `Removal candidate ${id} does not exist (any more); its profile may have been deleted. Refresh the list.`,
      );
    }
    return c;
  };
  let audit = (seed.audit ?? []).map((r) => ({ ...r }));
  const confirmedBy = seed.confirmedBy ?? "tester";
  /** The profile's reclaim job: its Reclaim job, else 100 + the profile's id. */
  const reclaimJobId = (profileId: number) =>
    profiles.get(profileId)?.jobs.find((j) => j.kind === "Reclaim")?.id ?? 100 + profileId;
  /** Why the core refuses to reclaim `c` now (reclaim/job.rs `refusal`), or null. */
  const refusal = (c: RemovalCandidate): string | null => {
    const p = profiles.get(c.profileId);
    if (!p || p.status === "Draft") {
      return `“${c.profileName}” is a Draft. Validate Connection and Publish the profile before reclaiming seats.`;
    }
    if (!p.reclaimSubscriptions) {
      return (
        `Reclaim subscriptions is cleared on “${c.profileName}”, so its candidates are reported only. Select Reclaim ` +
        "subscriptions on the profile to reclaim seats."
      );
    }
    if (c.state === "ready" || c.state === "attentionRequired") return null;
    const hint =
      c.state === "awaitingUser" || c.state === "awaitingApproval"
        ? " The user was notified and has not been decided on yet: wait for the answer (or for the rule's Days before auto-reclamation), or decline their request first."
        : c.state === "awaitingRevocation"
          ? " It is already being reclaimed."
          : "";
    return `A candidate that is ${STATE_NAMES[c.state]} cannot be reclaimed.${hint}`;
  };
  /** The write confirming would make (reclaim/job.rs `planned_write`). */
  const planned = (c: RemovalCandidate): ReclaimPreviewItem => {
    const deactivate = ruleOf(c.modelId)?.reclaimAction === "deactivate";
    const legacy = c.identifier === "Licensed";
    const action: SeatAction = deactivate ? "deactivate" : legacy ? "unlicense" : "downgrade";
    const seatAfter = deactivate ? "DEACTIVATED" : legacy ? "Unlicensed" : c.isInternal === false ? "GUEST" : "CONTRIBUTOR";
    return {
      candidateId: c.id,
      profileId: c.profileId,
      profileName: c.profileName,
      userId: c.userId,
      email: c.email,
      name: c.name,
      modelName: c.modelName,
      action,
      seatBefore: c.identifier,
      seatAfter,
      also: deactivate
        ? "The user can no longer sign in to Smartsheet; their sheets stay theirs. Reactivation is possible for 30 days."
        : null,
      monthlySavings: read(c).monthlySavings,
    };
  };
  const checkIds = (ids: readonly number[]) => {
    if (ids.length === 0) throw validation("candidateIds", "Select at least one removal candidate to reclaim.");
  };
  const auditRow = (id: number) => {
    const row = audit.find((r) => r.id === id);
    if (!row) {
      throw backendError(
        "NotFound",
        `Audit record ${id} does not exist; its profile may have been deleted (audit records go only with their profile). Refresh the Audit Log.`,
      );
    }
    return row;
  };

  const savingsOf = (filter: CandidateFilter, ids: readonly number[] | null): SavingsSummary => {
    const chosen = ids === null ? null : new Set(ids);
    const rows = [...candidates.values()].filter(matches(filter)).filter((c) => chosen === null || chosen.has(c.id));
    const byCurrency = new Map<string, Money>();
    let withoutCost = 0;
    for (const c of rows.map(read)) {
      if (!c.monthlySavings) {
        withoutCost += 1;
        continue;
      }
      const sum = byCurrency.get(c.monthlySavings.currency) ?? { ...c.monthlySavings, minor: 0 };
      sum.minor += c.monthlySavings.minor;
      byCurrency.set(sum.currency, sum);
    }
    const monthly = [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
    return {
      seats: rows.length,
      seatsWithoutCost: withoutCost,
      monthly,
      yearly: monthly.map((m) => ({ ...m, minor: m.minor * 12 })),
    };
  };

  const protectedRow = (p: ProtectedUser): ProtectedUser => ({
    ...p,
    subscriptionCount: [...candidates.values()].filter((c) => c.profileId === p.profileId && coversEmail(p.pattern, c.email))
      .length,
  });

  const handlers = {
    list_reclamation_rules: ({ profileId }) => {
      ensureProfile(profileId);
      return [...rules.values()]
        .filter((r) => r.profileId === profileId)
        .map((r) => ({
          ...r,
          openCandidates: [...candidates.values()].filter((c) => c.modelId === r.modelId && c.closedAt === null).length,
        }));
    },
    update_reclamation_rule: ({ ruleId, input }) => {
      const inRange = (field: string, what: string, value: number, min: number, max: number) => {
        if (value < min || value > max) {
          throw validation(field, `${what} must be between ${min} and ${max} days (it is ${value}).`);
        }
      };
      inRange("lastActivityThresholdDays", "The last activity threshold", input.lastActivityThresholdDays, 1, 3650);
      inRange("gracePeriodDays", "The grace period for new accounts", input.gracePeriodDays, 0, 3650);
      inRange("daysBeforeAutoReclamation", "Days before auto-reclamation", input.daysBeforeAutoReclamation, 1, 365);
      if (input.autoReclaim && !input.active) {
        throw validation("autoReclaim", "An inactive rule produces no candidates, so it cannot reclaim automatically.");
      }
      const currency = input.currency.trim().toUpperCase();
      if (!Intl.supportedValuesOf("currency").includes(currency)) {
        throw validation(
          "currency",
          `“${input.currency.trim()}” is not an ISO 4217 currency code. Use a code such as USD, EUR or GBP.`,
        );
      }
      const exponent =
        new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
      const minor = minorUnits(input.monthlyCost, currency, exponent);
      const rule = rules.get(ruleId);
      if (!rule) throw backendError("NotFound", `The reclamation rule (id ${ruleId}) no longer exists.`);
      Object.assign(rule, {
        ...input,
        currency,
        monthlyCost: minor === null ? null : { currency, minor, exponent },
        updatedAt: now,
      });
      return { ...rule };
    },
    list_protected_users: ({ profileId }) => {
      ensureProfile(profileId);
      return protectedUsers.filter((p) => p.profileId === profileId).map(protectedRow);
    },
    add_protected_user: ({ profileId, input }) => {
      const problem = userPatternProblem(input.pattern);
      if (problem !== null) throw validation("pattern", problem);
      if ([...input.note.trim()].length > 500) throw validation("note", "A note has at most 500 characters.");
      ensureProfile(profileId);
      const text = input.pattern.trim().toLowerCase();
      const pattern = text.includes("@") && !text.startsWith("@") ? text : `@${text.replace(/^@/, "")}`;
      if (protectedUsers.some((p) => p.profileId === profileId && p.pattern === pattern)) {
        throw validation("pattern", `“${pattern}” is already a protected user.`);
      }
      const added: ProtectedUser = {
        id: Math.max(0, ...protectedUsers.map((p) => p.id)) + 1,
        profileId,
        pattern,
        note: input.note.trim(),
        createdAt: now,
        subscriptionCount: 0,
      };
      protectedUsers.push(added);
      for (const c of candidates.values()) {
        if (c.profileId === profileId && c.closedAt === null && c.state !== "awaitingRevocation" && coversEmail(pattern, c.email)) {
          close(c, "closedSkipped", `Protected user (${pattern}).`);
        }
      }
      return protectedRow(added);
    },
    protect_candidates: ({ ids, note }) => {
      if ([...note.trim()].length > 500) throw validation("note", "A note has at most 500 characters.");
      const rows = ids.map(load);
      const busy = rows.find((c) => c.state === "awaitingRevocation");
      if (busy) {
        throw backendError(
          "Conflict",
          `${busy.email} (candidate ${busy.id}) is being reclaimed (Awaiting Revocation): cancel the reclaim job first. Nobody was protected.`,
        );
      }
      let added = 0;
      for (const row of rows) {
        const pattern = row.email.trim().toLowerCase();
        if (protectedUsers.some((p) => p.profileId === row.profileId && coversEmail(p.pattern, pattern))) continue;
        protectedUsers.push({
          id: Math.max(0, ...protectedUsers.map((p) => p.id)) + 1,
          profileId: row.profileId,
          pattern,
          note: note.trim(),
          createdAt: now,
          subscriptionCount: 0,
        });
        for (const c of candidates.values()) {
          if (c.profileId === row.profileId && c.closedAt === null && c.state !== "awaitingRevocation" && coversEmail(pattern, c.email)) {
            close(c, "closedSkipped", `Protected user (${pattern}).`);
          }
        }
        added += 1;
      }
      return added;
    },
    delete_protected_user: ({ id }) => {
      if (!protectedUsers.some((p) => p.id === id)) {
        throw backendError("NotFound", `The protected user (id ${id}) is no longer in the list. Refresh the list.`);
      }
      protectedUsers = protectedUsers.filter((p) => p.id !== id);
      return null;
    },
    list_candidates: ({ request }) => {
      const key = sortKey[request.sort];
      const sign = request.descending ? -1 : 1;
      const all = [...candidates.values()].filter(matches(request.filter)).sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        return (x < y ? -sign : x > y ? sign : 0) || a.id - b.id;
      });
      const limit = Math.min(Math.max(request.limit, 1), 500);
      const offset = Math.max(request.offset, 0);
      return { rows: all.slice(offset, offset + limit).map(read), total: all.length, offset };
    },
    candidate_ids: ({ filter }) =>
      [...candidates.values()]
        .filter(matches(filter))
        .map((c) => c.id)
        .sort((a, b) => a - b),
    candidate_savings: ({ filter, ids }) => savingsOf(filter, ids),
    skip_candidates: ({ ids, reason }) => {
      if (reason.trim() === "") {
        throw validation("reason", "Say why these seats are kept (for example “needed for the Q3 audit”).");
      }
      const rows = ids.map(load);
      for (const c of rows) {
        if (CLOSED_STATES.includes(c.state) || c.state === "awaitingRevocation") {
          throw backendError("Conflict", `Candidate ${c.id}: a candidate that is ${c.state} cannot be changed.`);
        }
      }
      for (const c of rows) close(c, "closedSkipped", `Skipped: ${reason.trim()}`);
      return rows.length;
    },
    move_candidates: ({ ids, reviewMove }) => {
      const [from, to] = REVIEW_MOVES[reviewMove];
      const rows = ids.map(load);
      for (const c of rows) {
        if (c.state !== from) {
          throw backendError("Conflict", `Candidate ${c.id}: a candidate that is ${c.state} cannot be moved (${reviewMove}).`);
        }
      }
      for (const c of rows) {
        Object.assign(c, {
          state: to,
          updatedAt: now,
          ...(reviewMove === "notified" && { notifiedAt: now }),
          ...(reviewMove === "userKeeps" && { answeredAt: now }),
        });
      }
      return rows.length;
    },
    compute_candidates: ({ profileId }) => {
      ensureProfile(profileId);
      const open = [...candidates.values()].filter((c) => c.profileId === profileId && c.closedAt === null).length;
      return { opened: 0, updated: 0, canceled: 0, skipped: 0, noAnswer: 0, ...seed.compute, open };
    },
    preview_reclaim: ({ ids }) => {
      checkIds(ids);
      const rows = ids.map(load);
      const items: ReclaimPreviewItem[] = [];
      const refused: ReclaimRefusal[] = [];
      for (const c of rows) {
        const reason = refusal(c);
        if (reason === null) items.push(planned(c));
        else refused.push({ candidateId: c.id, email: c.email, reason });
      }
      const every: CandidateFilter = {
        profileId: null,
        modelId: null,
        states: [...OPEN_STATES, ...CLOSED_STATES],
        justification: null,
        minInactiveDays: null,
        search: "",
      };
      return { items, refused, savings: savingsOf(every, items.map((i) => i.candidateId)) };
    },
    confirm_reclaim: ({ ids }) => {
      checkIds(ids);
      const rows = ids.map(load);
      for (const c of rows) {
        const reason = refusal(c);
        if (reason !== null) {
          throw backendError("Conflict", `${c.email} (candidate ${c.id}): ${reason} Nothing was reclaimed.`);
        }
      }
      for (const c of rows) {
        Object.assign(c, { state: "awaitingRevocation", approvedAt: now, approvedBy: confirmedBy, updatedAt: now, note: null });
      }
      return {
        confirmed: rows.length,
        jobIds: [...new Set(rows.map((c) => reclaimJobId(c.profileId)))],
        confirmedBy,
      };
    },
    list_audit: ({ filter, offset, limit }) => {
      const search = filter.search.trim().toLowerCase();
      const all = audit
        .filter(
          (r) =>
            (filter.profileId === null || r.profileId === filter.profileId) &&
            (filter.action === null || r.action === filter.action) &&
            (search === "" ||
              r.email.toLowerCase().includes(search) ||
              (r.name ?? "").toLowerCase().includes(search) ||
              r.confirmedBy.toLowerCase().includes(search)) &&
            (filter.from === null || Date.parse(r.requestedAt) >= Date.parse(filter.from)) &&
            (filter.to === null || Date.parse(r.requestedAt) < Date.parse(filter.to)),
        )
        .sort((a, b) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt) || b.id - a.id);
      const from = Math.max(offset, 0);
      const count = Math.min(Math.max(limit, 1), 100_000);
      return { rows: all.slice(from, from + count).map((r) => ({ ...r })), total: all.length, offset: from };
    },
    undo_audit: ({ auditId }) => {
      const record = auditRow(auditId);
      if (record.undoBlocked !== null) {
        throw backendError("Conflict", `Audit record ${auditId} cannot be undone: ${record.undoBlocked}`);
      }
      const undo: AuditRecord = {
        ...record,
        id: Math.max(0, ...audit.map((r) => r.id)) + 1,
        requestedAt: now,
        action: UNDO_ACTIONS[record.action] ?? record.action,
        seatBefore: record.seatAfter,
        seatAfter: record.seatBefore,
        confirmedBy,
        undoOf: record.id,
        undoneBy: null,
        jobResultId: null,
        outcome: "succeeded",
        finishedAt: now,
        errorCode: null,
        message: null,
        refId: null,
        undoBlocked: "This record is itself an undo; it cannot be undone in turn.",
      };
      audit.push(undo);
      Object.assign(record, { undoneBy: undo.id, undoBlocked: `Already undone (audit record ${undo.id}).` });
      return { ...undo };
    },
  } satisfies BackendHandlers;

  return {
    handlers,
    candidate: (id: number): RemovalCandidate => ({ ...load(id) }),
    candidates: (): RemovalCandidate[] => [...candidates.values()].map((c) => ({ ...c })),
    rule: (id: number): ReclamationRule | undefined => rules.get(id),
    protectedUsers: (): ProtectedUser[] => protectedUsers.map((p) => ({ ...p })),
    /** Where a reclaim run leaves a candidate: its state and note. */
    settle: (id: number, state: CandidateState, note: string | null) => {
      Object.assign(load(id), { state, note, updatedAt: now, closedAt: CLOSED_STATES.includes(state) ? now : null });
    },
    audit: (): AuditRecord[] => audit.map((r) => ({ ...r })),
    addAudit: (record: AuditRecord) => {
      audit = [...audit, { ...record }];
    },
    reclaimJobId,
    setNow: (value: string) => {
      now = value;
    },
  };
}

// The Software Subscriptions list as the core reads it (seatkeeper-core sync/subscription_page.rs):
// filters, sorts (empty values last either way; ties by e-mail, any case, then id), windows of at
// most 500 rows, and the filters' options.

const SUBSCRIPTION_SORT_KEYS: Record<SubscriptionSort, (s: SoftwareSubscription) => string | number | null> = {
  user: (s) => s.name?.toLowerCase() ?? null,
  email: (s) => s.email.toLowerCase(),
  identifier: (s) => s.identifier,
  model: (s) => s.modelName,
  status: (s) => s.status,
  internal: (s) => (s.isInternal === null ? null : Number(s.isInternal)),
  lastLogin: (s) => s.lastLogin,
  lastActivity: (s) => s.lastActivityAt,
  activitySource: (s) => s.activitySource,
  firstSeen: (s) => s.firstSeen,
  lastSeen: (s) => s.lastSeen,
  closed: (s) => s.closedAt,
  excluded: (s) => Number(s.excluded),
};

function subscriptionMatches(f: SubscriptionFilter) {
  const search = f.search.trim().toLowerCase();
  return (s: SoftwareSubscription) =>
    (search === "" || s.email.toLowerCase().includes(search) || (s.name ?? "").toLowerCase().includes(search)) &&
    (f.identifier === null || s.identifier === f.identifier) &&
    (f.status === null || s.status === f.status) &&
    (f.internal === null || s.isInternal === f.internal) &&
    (f.activitySource === null || (s.activitySource ?? "none") === f.activitySource) &&
    (f.excluded === null || s.excluded === f.excluded);
}

/** Handlers for `list_subscriptions_page` and `subscription_facets` over `rows` (of any profile). */
export function subscriptionStore(rows: readonly SoftwareSubscription[]) {
  const handlers = {
    list_subscriptions_page: ({ request }) => {
      const key = SUBSCRIPTION_SORT_KEYS[request.sort];
      const sign = request.descending ? -1 : 1;
      const all = rows
        .filter((s) => s.profileId === request.profileId)
        .filter(subscriptionMatches(request.filter))
        .sort((a, b) => {
          const [x, y] = [key(a), key(b)];
          const byKey =
            x === null || y === null ? Number(x === null) - Number(y === null) : x < y ? -sign : x > y ? sign : 0;
          const [ea, eb] = [a.email.toLowerCase(), b.email.toLowerCase()];
          return byKey || (ea < eb ? -1 : ea > eb ? 1 : 0) || a.id - b.id;
        });
      const limit = Math.min(Math.max(request.limit, 1), 500);
      const offset = Math.max(request.offset, 0);
      return { rows: all.slice(offset, offset + limit), total: all.length, offset };
    },
    subscription_facets: ({ profileId }) => {
      const mine = rows.filter((s) => s.profileId === profileId);
      const distinct = (values: (string | null)[]) =>
        [...new Set(values.filter((v): v is string => v !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        total: mine.length,
        identifiers: distinct(mine.map((s) => s.identifier)),
        statuses: distinct(mine.map((s) => s.status)),
      };
    },
  } satisfies BackendHandlers;
  return handlers;
}

// Software entitlements as the core keeps them (seatkeeper-core reconcile/entitlements.rs): every
// field checked with the core's message on the field, nothing saved unless all of it is valid; a
// model's first entitlement sets its reporting currency, and one in another currency needs a rate.

export interface EntitlementStoreSeed {
  /** The profiles' software models (the entitlement's model must be one of its profile's). */
  models: readonly SoftwareModel[];
  entitlements?: readonly Entitlement[];
  /** Today, for each entitlement's term state (default 2026-12-01). */
  today?: string;
}

function currencyExponent(code: string): number {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** The core's `date`: YYYY-MM-DD between the years 2000 and 2100. */
function entitlementDate(field: string, what: string, input: string): string {
  const text = input.trim();
  if (text === "") throw validation(field, `Enter the ${what}, for example 2026-01-01.`);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const day = match ? new Date(`${text}T00:00:00Z`) : null;
  if (!match || !day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) {
    throw validation(field, `“${text}” is not a date. Enter the ${what} as YYYY-MM-DD, for example 2026-01-01.`);
  }
  const year = Number(match[1]);
  if (year < 2000 || year > 2100) throw validation(field, `The ${what} must be between the years 2000 and 2100.`);
  return text;
}

/** The core's `parse_rate` → the rate as it shows it ("1.08"), or null when empty. */
function entitlementRate(input: string): string | null {
  const text = input.trim();
  if (text === "") return null;
  const [whole = "", fraction = ""] = text.split(".", 2);
  const ok =
    /^\d*$/.test(whole) &&
    /^\d*$/.test(fraction) &&
    !(whole === "" && fraction === "") &&
    fraction.length <= 6 &&
    whole.length <= 7 &&
    text.split(".").length <= 2 &&
    Number(text) > 0;
  if (!ok) {
    throw validation("rate", `“${text}” is not a rate. Enter a positive number such as 1.08, with at most 6 decimals.`);
  }
  return String(Number(text));
}

export function entitlementStore(seed: EntitlementStoreSeed) {
  const models = new Map(seed.models.map((m) => [m.id, m]));
  const rows = new Map((seed.entitlements ?? []).map((e) => [e.id, { ...e }]));
  const today = seed.today ?? "2026-12-01";
  let now = "2026-12-01T09:00:00Z";

  const stateOf = (start: string, end: string): TermState =>
    today < start ? "future" : today > end ? "expired" : "inUse";

  const notFound = (id: number) =>
    backendError(
      "NotFound",
      `The software entitlement (id ${id}) no longer exists; it may have been deleted. Refresh the list.`,
    );

  /** The core's `check` then `currency_of`: the entitlement to store, or the first field error. */
  const checked = (profileId: number, input: EntitlementInput, editing: Entitlement | null): Entitlement => {
    const displayName = input.displayName.trim();
    if (displayName === "") throw validation("displayName", "Enter a display name, for example “Smartsheet Business 2026”.");
    if ([...displayName].length > 200) throw validation("displayName", "A display name has at most 200 characters.");
    if (input.purchasedRights < 0) throw validation("purchasedRights", "Purchased rights cannot be negative.");
    if (input.purchasedRights > 1_000_000) {
      throw validation(
        "purchasedRights",
        `${input.purchasedRights} rights is more than Seatkeeper accepts (at most 1000000); check the number.`,
      );
    }
    const currency = input.currency.trim().toUpperCase();
    if (!Intl.supportedValuesOf("currency").includes(currency)) {
      throw validation("currency", `“${input.currency.trim()}” is not an ISO 4217 currency code. Use a code such as USD, EUR or GBP.`);
    }
    const exponent = currencyExponent(currency);
    const minor = minorUnits(input.unitCost, currency, exponent, "unitCost");
    if (minor === null) throw validation("unitCost", "Enter the unit cost per seat, for example 25.00 (0 if free).");
    const rate = entitlementRate(input.rate);
    const termStart = entitlementDate("termStart", "term start", input.termStart);
    const termEnd = entitlementDate("termEnd", "term end", input.termEnd);
    if (termEnd < termStart) throw validation("termEnd", `The term ends (${termEnd}) before it starts (${termStart}).`);
    const notes = input.notes.trim();
    if ([...notes].length > 2000) throw validation("notes", "Notes have at most 2000 characters.");
    const model = models.get(input.modelId);
    if (!model || model.profileId !== profileId) {
      throw validation("modelId", "Choose a software model of this profile; the one chosen no longer exists.");
    }
    const other = [...rows.values()].find((e) => e.modelId === model.id && e.id !== editing?.id);
    const reporting = other?.reportingCurrency ?? currency;
    if (currency !== reporting && rate === null) {
      throw validation(
        "rate",
        `${model.name}’s entitlements are in ${reporting}. Enter how many ${reporting} one ${currency} is worth (for example 1.08), or enter this entitlement in ${reporting}.`,
      );
    }
    return {
      id: editing?.id ?? Math.max(0, ...rows.keys()) + 1,
      profileId,
      modelId: model.id,
      modelName: model.name,
      displayName,
      purchasedRights: input.purchasedRights,
      unitCost: { currency, minor, exponent },
      rate: currency === reporting ? null : rate,
      reportingCurrency: reporting,
      billingPeriod: input.billingPeriod,
      termStart,
      termEnd,
      licenseMetric: "userSubscription",
      notes: notes === "" ? null : notes,
      state: stateOf(termStart, termEnd),
      totalCost: { currency, minor: minor * input.purchasedRights, exponent },
      createdAt: editing?.createdAt ?? now,
      updatedAt: now,
    };
  };

  const handlers = {
    list_entitlements: ({ profileId, modelId }) =>
      [...rows.values()]
        .filter((e) => e.profileId === profileId && (modelId === null || e.modelId === modelId))
        .sort((a, b) => a.modelName.localeCompare(b.modelName) || a.termStart.localeCompare(b.termStart) || a.id - b.id)
        .map((e) => ({ ...e })),
    create_entitlement: ({ profileId, input }) => {
      const saved = checked(profileId, input, null);
      rows.set(saved.id, saved);
      return { ...saved };
    },
    update_entitlement: ({ entitlementId, input }) => {
      const current = rows.get(entitlementId);
      if (!current) throw notFound(entitlementId);
      const saved = checked(current.profileId, input, current);
      rows.set(saved.id, saved);
      return { ...saved };
    },
    delete_entitlements: ({ ids }) => {
      const missing = ids.find((id) => !rows.has(id));
      if (missing !== undefined) throw notFound(missing);
      for (const id of ids) rows.delete(id);
      return ids.length;
    },
  } satisfies BackendHandlers;

  return {
    handlers,
    entitlements: (): Entitlement[] => [...rows.values()].map((e) => ({ ...e })),
    setNow: (value: string) => {
      now = value;
    },
  };
}
