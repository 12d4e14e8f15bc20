//! What the Tauri commands call: one public async function per command, each taking its
//! dependencies explicitly (`&Db`, `&dyn SecretStore`, `&dyn Clock`). Errors convert to
//! [`AppError`](crate::error::AppError) for IPC.
//!
//! Running, scheduling and cancelling jobs is the [`JobEngine`](crate::jobs::JobEngine)'s
//! (`run_now`, `cancel`), which the shell holds.

pub use crate::connections::{connection_presets, delete_connection, list_connections, update_connection};
pub use crate::jobs::{
    list_profile_job_results, set_active as set_job_active, set_time_of_day as set_job_time_of_day,
};
pub use crate::profiles::{
    create_profile, default_activity_start, delete_profile, get_profile, list_profiles, publish_profile,
    set_profile_connection, update_profile,
};
pub use crate::reclaim::{
    add_protected, candidate_ids, compute as compute_candidates, delete_protected, list_candidates,
    list_protected, list_rules, move_candidates, protect_candidates, savings as candidate_savings,
    skip as skip_candidates, update_rule,
};
pub use crate::reclaim::{
    confirm as confirm_reclaim, confirm_and_run as confirm_and_run_reclaim, get_audit, list_audit, os_user,
    preview as preview_reclaim, undo as undo_audit,
};
pub use crate::reconcile::{
    create_entitlement, delete_entitlements, license_usage, list_entitlements, list_reconciliations,
    reconcile, update_entitlement,
};
pub use crate::sync::activity::{activity_settings, set_excluded_event_kinds};
pub use crate::sync::{
    create_model_for_identifier, delete_exclusion_rule, list_exclusion_rules, list_models,
    list_subscriptions, list_subscriptions_page, list_unrecognized_identifiers, map_identifier,
    save_identifier_exclusion, save_user_exclusion, subscription_facets, user_activity_detail,
};
pub use crate::validation::{find_key_region, validate_connection};
