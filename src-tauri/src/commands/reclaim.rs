//! Reclamation: the profile's reclamation rules, its Protected users, and the review of removal
//! candidates (a window of the list, select all that match, the dry run's savings, skip, the notify
//! loop, recompute on demand). Reclaiming itself is the reclaim job's, not a command here.

use seatkeeper_core::reclaim::{
    CandidateFilter, CandidatePage, CandidatePageRequest, ComputeSummary, ProtectedUser, ProtectedUserInput,
    ReclamationRule, ReviewMove, RuleInput, SavingsSummary,
};
use seatkeeper_core::services;
use tauri::State;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

/// One rule per software model of the profile, paid models first.
#[tauri::command]
pub async fn list_reclamation_rules(
    state: State<'_, AppState>,
    profile_id: i64,
) -> CommandResult<Vec<ReclamationRule>> {
    services::list_rules(&state.db, profile_id).await.map_err(ipc_error)
}

/// Saves a rule and its model's cost per seat; a bad value is a Validation error on its field.
#[tauri::command]
pub async fn update_reclamation_rule(
    state: State<'_, AppState>,
    rule_id: i64,
    input: RuleInput,
) -> CommandResult<ReclamationRule> {
    services::update_rule(&state.db, &state.clock, rule_id, input).await.map_err(ipc_error)
}

#[tauri::command]
pub async fn list_protected_users(
    state: State<'_, AppState>,
    profile_id: i64,
) -> CommandResult<Vec<ProtectedUser>> {
    services::list_protected(&state.db, profile_id).await.map_err(ipc_error)
}

/// Adds an email address or a domain; the open candidates it covers close at once.
#[tauri::command]
pub async fn add_protected_user(
    state: State<'_, AppState>,
    profile_id: i64,
    input: ProtectedUserInput,
) -> CommandResult<ProtectedUser> {
    services::add_protected(&state.db, &state.clock, profile_id, input).await.map_err(ipc_error)
}

#[tauri::command]
pub async fn delete_protected_user(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    services::delete_protected(&state.db, id).await.map_err(ipc_error)
}

/// One window (offset, limit ≤ 500) of the candidates that match the filter, and how many match.
#[tauri::command]
pub async fn list_candidates(
    state: State<'_, AppState>,
    request: CandidatePageRequest,
) -> CommandResult<CandidatePage> {
    services::list_candidates(&state.db, &state.clock, &request).await.map_err(ipc_error)
}

/// The ids of every candidate that matches the filter ("select all that match").
#[tauri::command]
pub async fn candidate_ids(state: State<'_, AppState>, filter: CandidateFilter) -> CommandResult<Vec<i64>> {
    services::candidate_ids(&state.db, &state.clock, &filter).await.map_err(ipc_error)
}

/// The dry run: seats and savings of the filter, or of the selected `ids` within it.
#[tauri::command]
pub async fn candidate_savings(
    state: State<'_, AppState>,
    filter: CandidateFilter,
    ids: Option<Vec<i64>>,
) -> CommandResult<SavingsSummary> {
    services::candidate_savings(&state.db, &state.clock, &filter, ids.as_deref()).await.map_err(ipc_error)
}

/// Closed Skipped with the admin's reason; all or nothing. Returns how many.
#[tauri::command]
pub async fn skip_candidates(
    state: State<'_, AppState>,
    ids: Vec<i64>,
    reason: String,
) -> CommandResult<usize> {
    services::skip_candidates(&state.db, &state.clock, &ids, &reason).await.map_err(ipc_error)
}

/// A move of the notify loop (notified, userKeeps, declined, resumed); all or nothing.
#[tauri::command]
pub async fn move_candidates(
    state: State<'_, AppState>,
    ids: Vec<i64>,
    review_move: ReviewMove,
) -> CommandResult<usize> {
    services::move_candidates(&state.db, &state.clock, &ids, review_move).await.map_err(ipc_error)
}

/// Recomputes the profile's candidates now (a refresh does it at its end).
#[tauri::command]
pub async fn compute_candidates(
    state: State<'_, AppState>,
    profile_id: i64,
) -> CommandResult<ComputeSummary> {
    services::compute_candidates(&state.db, &state.clock, profile_id).await.map_err(ipc_error)
}
