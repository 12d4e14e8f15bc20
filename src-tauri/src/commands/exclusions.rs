//! The profile's Subscription Identifier / User Exclusion Rule lists.

use seatkeeper_core::services;
use seatkeeper_core::sync::{
    ExclusionKind, ExclusionRules, IdentifierExclusionInput, IdentifierExclusionRule, UserExclusionInput,
    UserExclusionRule,
};
use tauri::State;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

#[tauri::command]
pub async fn list_exclusion_rules(
    state: State<'_, AppState>,
    profile_id: i64,
) -> CommandResult<ExclusionRules> {
    services::list_exclusion_rules(&state.db, profile_id).await.map_err(ipc_error)
}

/// Creates (`rule.id` null) or edits an identifier rule.
#[tauri::command]
pub async fn save_identifier_exclusion(
    state: State<'_, AppState>,
    profile_id: i64,
    rule: IdentifierExclusionInput,
) -> CommandResult<IdentifierExclusionRule> {
    services::save_identifier_exclusion(&state.db, &state.clock, profile_id, rule).await.map_err(ipc_error)
}

/// Creates (`rule.id` null) or edits a user rule.
#[tauri::command]
pub async fn save_user_exclusion(
    state: State<'_, AppState>,
    profile_id: i64,
    rule: UserExclusionInput,
) -> CommandResult<UserExclusionRule> {
    services::save_user_exclusion(&state.db, &state.clock, profile_id, rule).await.map_err(ipc_error)
}

#[tauri::command]
pub async fn delete_exclusion_rule(
    state: State<'_, AppState>,
    kind: ExclusionKind,
    id: i64,
) -> CommandResult<()> {
    services::delete_exclusion_rule(&state.db, kind, id).await.map_err(ipc_error)
}
