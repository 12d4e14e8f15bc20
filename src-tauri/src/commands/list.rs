// Every command the UI may call: the one list. From it come the Tauri adapters and the invoke
// handler (commands/mod.rs), the ACL permissions the capability grants (build.rs includes this
// file), and the UI's typed command map `ui/src/bindings/commands.ts` (written by the app's tests
// and checked fresh by `npm test`). A command is a function `<domain>::<name>(state: &AppState,
// args…) -> CommandResult<T>` in commands/<domain>.rs (`[app]`: it takes the `AppHandle` instead),
// listed here once with its arguments and result; the argument names are the UI's, in camelCase.
app_commands! {
    profiles::list_profiles() -> Vec<Profile>;
    profiles::get_profile(id: i64) -> Profile;
    profiles::create_profile(input: ProfileInput, connection: Option<ConnectionChoice>) -> Profile;
    profiles::set_profile_connection(id: i64, connection: ConnectionChoice) -> Profile;
    profiles::update_profile(id: i64, input: ProfileInput) -> Profile;
    profiles::delete_profile(id: i64) -> ();
    profiles::publish_profile(id: i64) -> Profile;
    profiles::default_activity_start() -> String;
    connections::list_connections() -> Vec<Connection>;
    connections::update_connection(id: i64, update: ConnectionUpdate) -> Connection;
    connections::delete_connection(id: i64) -> ();
    connections::connection_presets() -> Vec<ConnectionPreset>;
    connections::validate_connection(profile_id: i64) -> ValidationResult;
    connections::find_key_region(profile_id: i64) -> RegionSearch;
    demo::start_demo() -> Profile;
    sync::list_subscriptions_page(request: SubscriptionPageRequest) -> SubscriptionPage;
    sync::subscription_facets(profile_id: i64) -> SubscriptionFacets;
    sync::user_activity_detail(profile_id: i64, subscription_id: i64) -> UserActivityDetail;
    sync::list_models(profile_id: i64) -> Vec<SoftwareModel>;
    sync::list_unrecognized_identifiers(profile_id: i64) -> Vec<UnrecognizedIdentifier>;
    sync::map_identifier(profile_id: i64, identifier: String, model_id: i64) -> ();
    sync::create_model_for_identifier(profile_id: i64, identifier: String, name: String, paid: bool) -> i64;
    sync::list_job_results(profile_id: i64) -> Vec<JobResult>;
    sync::run_job(job_id: i64) -> ();
    sync::cancel_job(job_id: i64) -> ();
    sync::set_job_time_of_day(job_id: i64, time_of_day: String) -> ScheduledJob;
    sync::set_job_active(job_id: i64, active: bool) -> ScheduledJob;
    sync::get_activity_settings(profile_id: i64) -> ActivitySettings;
    sync::set_activity_settings(profile_id: i64, excluded_event_kinds: Vec<String>) -> ActivitySettings;
    exclusions::list_exclusion_rules(profile_id: i64) -> ExclusionRules;
    exclusions::save_identifier_exclusion(profile_id: i64, rule: IdentifierExclusionInput) -> IdentifierExclusionRule;
    exclusions::save_user_exclusion(profile_id: i64, rule: UserExclusionInput) -> UserExclusionRule;
    exclusions::delete_exclusion_rule(kind: ExclusionKind, id: i64) -> ();
    reclaim::list_reclamation_rules(profile_id: i64) -> Vec<ReclamationRule>;
    reclaim::update_reclamation_rule(rule_id: i64, input: RuleInput) -> ReclamationRule;
    reclaim::list_protected_users(profile_id: i64) -> Vec<ProtectedUser>;
    reclaim::add_protected_user(profile_id: i64, input: ProtectedUserInput) -> ProtectedUser;
    reclaim::delete_protected_user(id: i64) -> ();
    reclaim::protect_candidates(ids: Vec<i64>, note: String) -> usize;
    reclaim::list_candidates(request: CandidatePageRequest) -> CandidatePage;
    reclaim::candidate_ids(filter: CandidateFilter) -> Vec<i64>;
    reclaim::candidate_savings(filter: CandidateFilter, ids: Option<Vec<i64>>) -> SavingsSummary;
    reclaim::skip_candidates(ids: Vec<i64>, reason: String) -> usize;
    reclaim::move_candidates(ids: Vec<i64>, review_move: ReviewMove) -> usize;
    reclaim::compute_candidates(profile_id: i64) -> ComputeSummary;
    reclaim::preview_reclaim(ids: Vec<i64>) -> ReclaimPreview;
    reclaim::confirm_reclaim(ids: Vec<i64>) -> ReclaimConfirmation;
    reclaim::list_audit(filter: AuditFilter, offset: i64, limit: i64) -> AuditPage;
    reclaim::undo_audit(audit_id: i64) -> AuditRecord;
    reconcile::list_entitlements(profile_id: i64, model_id: Option<i64>) -> Vec<Entitlement>;
    reconcile::create_entitlement(profile_id: i64, input: EntitlementInput) -> Entitlement;
    reconcile::update_entitlement(entitlement_id: i64, input: EntitlementInput) -> Entitlement;
    reconcile::delete_entitlements(ids: Vec<i64>) -> usize;
    reconcile::reconcile_now(profile_id: i64) -> Reconciliation;
    reconcile::list_reconciliations(profile_id: i64, limit: Option<i64>) -> Vec<Reconciliation>;
    reconcile::license_usage(profile_id: i64) -> LicenseUsage;
    [app] reconcile::save_export(file_name: String, data_base64: String) -> Option<String>;
}
