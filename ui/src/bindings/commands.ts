// Generated from src-tauri/src/commands/list.rs by the app's tests (`cargo test -p seatkeeper-app`).
// Do not edit: change the list, and the command's function, instead.
import type { ExclusionKind, ExclusionRules, IdentifierExclusionInput, IdentifierExclusionRule, UserExclusionInput, UserExclusionRule } from "./exclusions";
import type { ScheduledJob } from "./jobs";
import type { Connection, ConnectionChoice, ConnectionPreset, ConnectionUpdate, Profile, ProfileInput, RegionSearch, ValidationResult } from "./profiles";
import type { AuditFilter, AuditPage, AuditRecord, CandidateFilter, CandidatePage, CandidatePageRequest, ComputeSummary, ProtectedUser, ProtectedUserInput, ReclaimConfirmation, ReclaimPreview, ReclamationRule, ReviewMove, RuleInput, SavingsSummary } from "./reclaim";
import type { Entitlement, EntitlementInput, LicenseUsage, Reconciliation } from "./reconcile";
import type { ActivitySettings, JobResult, SoftwareModel, SubscriptionFacets, SubscriptionPage, SubscriptionPageRequest, UnrecognizedIdentifier, UserActivityDetail } from "./sync";

/** The backend's commands: their argument objects (camelCase, as Tauri expects) and results. */
export interface Commands {
  list_profiles: { args: Record<string, never>; result: Array<Profile> };
  get_profile: { args: { id: number }; result: Profile };
  create_profile: { args: { input: ProfileInput; connection: ConnectionChoice | null }; result: Profile };
  set_profile_connection: { args: { id: number; connection: ConnectionChoice }; result: Profile };
  update_profile: { args: { id: number; input: ProfileInput }; result: Profile };
  delete_profile: { args: { id: number }; result: null };
  publish_profile: { args: { id: number }; result: Profile };
  default_activity_start: { args: Record<string, never>; result: string };
  list_connections: { args: Record<string, never>; result: Array<Connection> };
  update_connection: { args: { id: number; update: ConnectionUpdate }; result: Connection };
  delete_connection: { args: { id: number }; result: null };
  connection_presets: { args: Record<string, never>; result: Array<ConnectionPreset> };
  validate_connection: { args: { profileId: number }; result: ValidationResult };
  find_key_region: { args: { profileId: number }; result: RegionSearch };
  start_demo: { args: Record<string, never>; result: Profile };
  list_subscriptions_page: { args: { request: SubscriptionPageRequest }; result: SubscriptionPage };
  subscription_facets: { args: { profileId: number }; result: SubscriptionFacets };
  user_activity_detail: { args: { profileId: number; subscriptionId: number }; result: UserActivityDetail };
  list_models: { args: { profileId: number }; result: Array<SoftwareModel> };
  list_unrecognized_identifiers: { args: { profileId: number }; result: Array<UnrecognizedIdentifier> };
  map_identifier: { args: { profileId: number; identifier: string; modelId: number }; result: null };
  create_model_for_identifier: { args: { profileId: number; identifier: string; name: string; paid: boolean }; result: number };
  list_job_results: { args: { profileId: number }; result: Array<JobResult> };
  run_job: { args: { jobId: number }; result: null };
  cancel_job: { args: { jobId: number }; result: null };
  set_job_time_of_day: { args: { jobId: number; timeOfDay: string }; result: ScheduledJob };
  set_job_active: { args: { jobId: number; active: boolean }; result: ScheduledJob };
  get_activity_settings: { args: { profileId: number }; result: ActivitySettings };
  set_activity_settings: { args: { profileId: number; excludedEventKinds: Array<string> }; result: ActivitySettings };
  list_exclusion_rules: { args: { profileId: number }; result: ExclusionRules };
  save_identifier_exclusion: { args: { profileId: number; rule: IdentifierExclusionInput }; result: IdentifierExclusionRule };
  save_user_exclusion: { args: { profileId: number; rule: UserExclusionInput }; result: UserExclusionRule };
  delete_exclusion_rule: { args: { kind: ExclusionKind; id: number }; result: null };
  list_reclamation_rules: { args: { profileId: number }; result: Array<ReclamationRule> };
  update_reclamation_rule: { args: { ruleId: number; input: RuleInput }; result: ReclamationRule };
  list_protected_users: { args: { profileId: number }; result: Array<ProtectedUser> };
  add_protected_user: { args: { profileId: number; input: ProtectedUserInput }; result: ProtectedUser };
  delete_protected_user: { args: { id: number }; result: null };
  protect_candidates: { args: { ids: Array<number>; note: string }; result: number };
  list_candidates: { args: { request: CandidatePageRequest }; result: CandidatePage };
  candidate_ids: { args: { filter: CandidateFilter }; result: Array<number> };
  candidate_savings: { args: { filter: CandidateFilter; ids: Array<number> | null }; result: SavingsSummary };
  skip_candidates: { args: { ids: Array<number>; reason: string }; result: number };
  move_candidates: { args: { ids: Array<number>; reviewMove: ReviewMove }; result: number };
  compute_candidates: { args: { profileId: number }; result: ComputeSummary };
  preview_reclaim: { args: { ids: Array<number> }; result: ReclaimPreview };
  confirm_reclaim: { args: { ids: Array<number> }; result: ReclaimConfirmation };
  list_audit: { args: { filter: AuditFilter; offset: number; limit: number }; result: AuditPage };
  undo_audit: { args: { auditId: number }; result: AuditRecord };
  list_entitlements: { args: { profileId: number; modelId: number | null }; result: Array<Entitlement> };
  create_entitlement: { args: { profileId: number; input: EntitlementInput }; result: Entitlement };
  update_entitlement: { args: { entitlementId: number; input: EntitlementInput }; result: Entitlement };
  delete_entitlements: { args: { ids: Array<number> }; result: number };
  reconcile_now: { args: { profileId: number }; result: Reconciliation };
  list_reconciliations: { args: { profileId: number; limit: number | null }; result: Array<Reconciliation> };
  license_usage: { args: { profileId: number }; result: LicenseUsage };
  save_export: { args: { fileName: string; dataBase64: string }; result: string | null };
}
