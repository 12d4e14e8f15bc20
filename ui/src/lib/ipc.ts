// The one place that talks to the Rust core. Every backend command has one typed function here,
// typed by the generated command map, and all of them go through `call`, which turns a rejected invoke into an `IpcError`.
import { invoke } from "@tauri-apps/api/core";

import type { Commands } from "../bindings/commands";
import type { AppError, ErrorCode } from "../bindings/errors";
import type { ExclusionKind, IdentifierExclusionInput, UserExclusionInput } from "../bindings/exclusions";
import type { ConnectionChoice, ConnectionUpdate, ProfileInput } from "../bindings/profiles";
import type {
  AuditFilter,
  CandidateFilter,
  CandidatePageRequest,
  ProtectedUserInput,
  ReviewMove,
  RuleInput,
} from "../bindings/reclaim";
import type { EntitlementInput } from "../bindings/reconcile";
import type { SubscriptionPageRequest } from "../bindings/sync";

/** The backend's commands (generated from src-tauri/src/commands/list.rs): arguments and results. */
export type { Commands };
export type Command = keyof Commands;
export type CommandArgs<C extends Command> = Commands[C]["args"];
export type CommandResult<C extends Command> = Commands[C]["result"];

/** An error from the backend (`AppError`), or a failure of the IPC call itself. */
export class IpcError extends Error implements AppError {
  readonly code: ErrorCode;
  /** The form field the message belongs to (Validation errors only). */
  readonly field: string | null;

  constructor({ code, message, field }: AppError) {
    super(message);
    this.name = "IpcError";
    this.code = code;
    this.field = field;
  }

  /** Whatever a rejected invoke gave, as an `IpcError`. */
  static from(reason: unknown): IpcError {
    if (reason instanceof IpcError) return reason;
    if (isAppError(reason)) return new IpcError(reason);
    const message =
      typeof reason === "string"
        ? reason
        : reason instanceof Error
          ? reason.message
          : "Seatkeeper's core gave an unexpected answer. Try again; if it keeps happening, restart Seatkeeper.";
    return new IpcError({ code: "Internal", message, field: null });
  }
}

function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const { code, message, field } = value as Record<string, unknown>;
  return (
    typeof code === "string" &&
    typeof message === "string" &&
    (field === undefined || field === null || typeof field === "string")
  );
}

export async function call<C extends Command>(cmd: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
  try {
    return await invoke<CommandResult<C>>(cmd, args);
  } catch (reason) {
    throw IpcError.from(reason);
  }
}

export const listProfiles = () => call("list_profiles", {});
export const getProfile = (id: number) => call("get_profile", { id });
/** A Draft profile, with its Connection & Credential or (Save first) without one yet. */
export const createProfile = (input: ProfileInput, connection: ConnectionChoice | null) =>
  call("create_profile", { input, connection });
/** Create New Connection & Credential on a saved profile, or move it to another connection. */
export const setProfileConnection = (id: number, connection: ConnectionChoice) =>
  call("set_profile_connection", { id, connection });
export const updateProfile = (id: number, input: ProfileInput) => call("update_profile", { id, input });
export const deleteProfile = (id: number) => call("delete_profile", { id });
export const validateConnection = (profileId: number) => call("validate_connection", { profileId });
/** Asks Smartsheet's other regions whether a refused key is theirs (only when the admin asks). */
export const findKeyRegion = (profileId: number) => call("find_key_region", { profileId });
export const publishProfile = (id: number) => call("publish_profile", { id });
export const listConnections = () => call("list_connections", {});
export const updateConnection = (id: number, update: ConnectionUpdate) => call("update_connection", { id, update });
export const deleteConnection = (id: number) => call("delete_connection", { id });
export const connectionPresets = () => call("connection_presets", {});
export const defaultActivityStart = () => call("default_activity_start", {});
export const startDemo = () => call("start_demo", {});

/** One window of a profile's Software Subscriptions, filtered and sorted by the core. */
export const listSubscriptionsPage = (request: SubscriptionPageRequest) => call("list_subscriptions_page", { request });
/** The Software Subscriptions filters' options, and how many subscriptions the profile has. */
export const subscriptionFacets = (profileId: number) => call("subscription_facets", { profileId });
/** One subscription's user: per-day counts and last events by type (NotFound when not the profile's). */
export const userActivityDetail = (profileId: number, subscriptionId: number) =>
  call("user_activity_detail", { profileId, subscriptionId });
export const listModels = (profileId: number) => call("list_models", { profileId });
export const listUnrecognizedIdentifiers = (profileId: number) => call("list_unrecognized_identifiers", { profileId });
export const mapIdentifier = (profileId: number, identifier: string, modelId: number) =>
  call("map_identifier", { profileId, identifier, modelId });
export const createModelForIdentifier = (profileId: number, identifier: string, name: string, paid: boolean) =>
  call("create_model_for_identifier", { profileId, identifier, name, paid });
/** Newest first. */
export const listJobResults = (profileId: number) => call("list_job_results", { profileId });
/** Starts a run in the background; its progress and end arrive as events (see events.ts). */
export const runJob = (jobId: number) => call("run_job", { jobId });
export const cancelJob = (jobId: number) => call("cancel_job", { jobId });
/** `timeOfDay` is "HH:MM" on this computer's clock; returns the job with its next run moved. */
export const setJobTimeOfDay = (jobId: number, timeOfDay: string) => call("set_job_time_of_day", { jobId, timeOfDay });
/** Pauses a scheduled job (Active off) or makes it active again. */
export const setJobActive = (jobId: number, active: boolean) => call("set_job_active", { jobId, active });
export const getActivitySettings = (profileId: number) => call("get_activity_settings", { profileId });
/** Returns the settings as stored (patterns upper-cased, de-duplicated, sorted). */
export const setActivitySettings = (profileId: number, excludedEventKinds: string[]) =>
  call("set_activity_settings", { profileId, excludedEventKinds });
export const listExclusionRules = (profileId: number) => call("list_exclusion_rules", { profileId });
export const saveIdentifierExclusion = (profileId: number, rule: IdentifierExclusionInput) =>
  call("save_identifier_exclusion", { profileId, rule });
export const saveUserExclusion = (profileId: number, rule: UserExclusionInput) =>
  call("save_user_exclusion", { profileId, rule });
export const deleteExclusionRule = (kind: ExclusionKind, id: number) => call("delete_exclusion_rule", { kind, id });

/** One rule per software model, paid models first. */
export const listReclamationRules = (profileId: number) => call("list_reclamation_rules", { profileId });
/** Saves the rule and its model's cost per seat; a bad value is a Validation error on its field. */
export const updateReclamationRule = (ruleId: number, input: RuleInput) =>
  call("update_reclamation_rule", { ruleId, input });
export const listProtectedUsers = (profileId: number) => call("list_protected_users", { profileId });
/** The open candidates the new protection covers close (Closed Skipped) at once. */
export const addProtectedUser = (profileId: number, input: ProtectedUserInput) =>
  call("add_protected_user", { profileId, input });
export const deleteProtectedUser = (id: number) => call("delete_protected_user", { id });
/** One window of the candidates that match (`limit` at most 500), and how many match in all. */
export const listCandidates = (request: CandidatePageRequest) => call("list_candidates", { request });
/** Select all that match: the ids of every candidate that matches the filter. */
export const candidateIds = (filter: CandidateFilter) => call("candidate_ids", { filter });
/** The dry run of the filter, or of the selected `ids` within it. */
export const candidateSavings = (filter: CandidateFilter, ids: number[] | null) =>
  call("candidate_savings", { filter, ids });
/** → Closed Skipped with the reason; all or nothing. */
export const skipCandidates = (ids: number[], reason: string) => call("skip_candidates", { ids, reason });
/** A move of the notify loop; all or nothing. */
export const moveCandidates = (ids: number[], reviewMove: ReviewMove) => call("move_candidates", { ids, reviewMove });
export const computeCandidates = (profileId: number) => call("compute_candidates", { profileId });
/** The dry run of reclaiming the selected candidates: each seat before → after; writes nothing. */
export const previewReclaim = (ids: number[]) => call("preview_reclaim", { ids });
/** Confirms (all or nothing) and starts the reclaim job; progress and result come as job events. */
export const confirmReclaim = (ids: number[]) => call("confirm_reclaim", { ids });
/** A window of the audit log, newest first. */
export const listAudit = (filter: AuditFilter, offset: number, limit: number) =>
  call("list_audit", { filter, offset, limit });
/** Undoes one audited write (after the admin's confirmation); returns the undo's own record. */
export const undoAudit = (auditId: number) => call("undo_audit", { auditId });
/** Protects the selected candidates' users and closes their candidates; all or nothing. */
export const protectCandidates = (ids: number[], note: string) => call("protect_candidates", { ids, note });

/** The profile's software entitlements (of one model when given). */
export const listEntitlements = (profileId: number, modelId: number | null = null) =>
  call("list_entitlements", { profileId, modelId });
/** Adds an entitlement; a bad field is a Validation error naming it, and nothing is saved. */
export const createEntitlement = (profileId: number, input: EntitlementInput) =>
  call("create_entitlement", { profileId, input });
export const updateEntitlement = (entitlementId: number, input: EntitlementInput) =>
  call("update_entitlement", { entitlementId, input });
/** Removes entitlements, all or none. */
export const deleteEntitlements = (ids: number[]) => call("delete_entitlements", { ids });
/** Runs a reconciliation now and keeps it as a snapshot. */
export const reconcileNow = (profileId: number) => call("reconcile_now", { profileId });
/** The kept reconciliations, oldest first. */
export const listReconciliations = (profileId: number, limit: number | null = null) =>
  call("list_reconciliations", { profileId, limit });
/** The License Usage view's figures and chart data, aggregated in the core. */
export const licenseUsage = (profileId: number) => call("license_usage", { profileId });
/**
 * Saves an export (a PNG summary) where the admin chooses in the system's save dialog, which Rust
 * opens; resolves to the path saved, or null when the admin cancelled.
 */
export const saveExport = (fileName: string, dataBase64: string) => call("save_export", { fileName, dataBase64 });
