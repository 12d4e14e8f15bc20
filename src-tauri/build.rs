// Declares the app's own commands so that capabilities/default.json can grant exactly them: the
// webview may call these and nothing else.
const COMMANDS: &[&str] = &[
    "list_profiles",
    "get_profile",
    "create_profile",
    "update_profile",
    "delete_profile",
    "publish_profile",
    "default_activity_start",
    "list_connections",
    "update_connection",
    "connection_presets",
    "validate_connection",
    "start_demo",
    "list_subscriptions_page",
    "subscription_facets",
    "list_models",
    "list_unrecognized_identifiers",
    "map_identifier",
    "list_job_results",
    "run_job",
    "cancel_job",
    "set_job_time_of_day",
    "get_activity_settings",
    "set_activity_settings",
    "list_exclusion_rules",
    "save_identifier_exclusion",
    "save_user_exclusion",
    "delete_exclusion_rule",
    "list_reclamation_rules",
    "update_reclamation_rule",
    "list_protected_users",
    "add_protected_user",
    "delete_protected_user",
    "protect_candidates",
    "list_candidates",
    "candidate_ids",
    "candidate_savings",
    "skip_candidates",
    "move_candidates",
    "compute_candidates",
    "preview_reclaim",
    "confirm_reclaim",
    "list_audit",
    "undo_audit",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
