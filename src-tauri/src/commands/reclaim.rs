//! Reclamation: the profile's reclamation rules, its Protected users, and the review of removal
//! candidates (a window of the list, select all that match, the dry run's savings, skip, the notify
//! loop, recompute on demand), the Reclaim confirmation (the dry run, then confirm and start the
//! reclaim job), and the Audit Log with Undo.

use seatkeeper_core::connections::ClientOptions;
use seatkeeper_core::reclaim::{
    AuditFilter, AuditPage, AuditRecord, CandidateFilter, CandidatePage, CandidatePageRequest,
    ComputeSummary, ProtectedUser, ProtectedUserInput, ReclaimConfirmation, ReclaimPreview, ReclamationRule,
    ReviewMove, RuleInput, SavingsSummary,
};
use seatkeeper_core::services;
use seatkeeper_core::Clock;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

/// One rule per software model of the profile, paid models first.
pub async fn list_reclamation_rules(
    state: &AppState,
    profile_id: i64,
) -> CommandResult<Vec<ReclamationRule>> {
    services::list_rules(&state.db, profile_id).await.map_err(ipc_error)
}

/// Saves a rule and its model's cost per seat; a bad value is a Validation error on its field.
pub async fn update_reclamation_rule(
    state: &AppState,
    rule_id: i64,
    input: RuleInput,
) -> CommandResult<ReclamationRule> {
    services::update_rule(&state.db, &state.clock, rule_id, input).await.map_err(ipc_error)
}

pub async fn list_protected_users(state: &AppState, profile_id: i64) -> CommandResult<Vec<ProtectedUser>> {
    services::list_protected(&state.db, profile_id).await.map_err(ipc_error)
}

/// Adds an email address or a domain; the open candidates it covers close at once.
pub async fn add_protected_user(
    state: &AppState,
    profile_id: i64,
    input: ProtectedUserInput,
) -> CommandResult<ProtectedUser> {
    services::add_protected(&state.db, &state.clock, profile_id, input).await.map_err(ipc_error)
}

pub async fn delete_protected_user(state: &AppState, id: i64) -> CommandResult<()> {
    services::delete_protected(&state.db, id).await.map_err(ipc_error)
}

/// Protects the selected candidates' users (their e-mail addresses, with the note) and closes their
/// candidates; all or nothing. Returns how many protections were added.
pub async fn protect_candidates(state: &AppState, ids: Vec<i64>, note: String) -> CommandResult<usize> {
    services::protect_candidates(&state.db, &state.clock, &ids, &note).await.map_err(ipc_error)
}

/// One window (offset, limit ≤ 500) of the candidates that match the filter, and how many match.
pub async fn list_candidates(
    state: &AppState,
    request: CandidatePageRequest,
) -> CommandResult<CandidatePage> {
    services::list_candidates(&state.db, &state.clock, &request).await.map_err(ipc_error)
}

/// The ids of every candidate that matches the filter ("select all that match").
pub async fn candidate_ids(state: &AppState, filter: CandidateFilter) -> CommandResult<Vec<i64>> {
    services::candidate_ids(&state.db, &state.clock, &filter).await.map_err(ipc_error)
}

/// The dry run: seats and savings of the filter, or of the selected `ids` within it.
pub async fn candidate_savings(
    state: &AppState,
    filter: CandidateFilter,
    ids: Option<Vec<i64>>,
) -> CommandResult<SavingsSummary> {
    services::candidate_savings(&state.db, &state.clock, &filter, ids.as_deref()).await.map_err(ipc_error)
}

/// Closed Skipped with the admin's reason; all or nothing. Returns how many.
pub async fn skip_candidates(state: &AppState, ids: Vec<i64>, reason: String) -> CommandResult<usize> {
    services::skip_candidates(&state.db, &state.clock, &ids, &reason).await.map_err(ipc_error)
}

/// A move of the notify loop (notified, userKeeps, declined, resumed); all or nothing.
pub async fn move_candidates(
    state: &AppState,
    ids: Vec<i64>,
    review_move: ReviewMove,
) -> CommandResult<usize> {
    services::move_candidates(&state.db, &state.clock, &ids, review_move).await.map_err(ipc_error)
}

/// Recomputes the profile's candidates now (a refresh does it at its end).
pub async fn compute_candidates(state: &AppState, profile_id: i64) -> CommandResult<ComputeSummary> {
    services::compute_candidates(&state.db, &state.clock, profile_id).await.map_err(ipc_error)
}

/// The dry run of reclaiming the selected candidates: who, each seat before → after, what else
/// changes, the savings, and why any selected candidate cannot be reclaimed. Writes nothing.
pub async fn preview_reclaim(state: &AppState, ids: Vec<i64>) -> CommandResult<ReclaimPreview> {
    services::preview_reclaim(&state.db, &state.clock, &ids).await.map_err(ipc_error)
}

/// The admin's confirmation: the candidates → Awaiting Revocation (all or nothing), confirmed by
/// this computer's user, and the reclaim job of each profile started; its progress and result
/// arrive as job events.
pub async fn confirm_reclaim(state: &AppState, ids: Vec<i64>) -> CommandResult<ReclaimConfirmation> {
    let by = services::os_user();
    services::confirm_and_run_reclaim(&state.engine, &state.db, &state.clock, &ids, &by)
        .await
        .map_err(ipc_error)
}

/// A window of the audit log, newest first.
pub async fn list_audit(
    state: &AppState,
    filter: AuditFilter,
    offset: i64,
    limit: i64,
) -> CommandResult<AuditPage> {
    services::list_audit(&state.db, state.clock.now(), &filter, offset, limit).await.map_err(ipc_error)
}

/// Undoes one audited write after the admin's confirmation; returns the undo's own record.
pub async fn undo_audit(state: &AppState, audit_id: i64) -> CommandResult<AuditRecord> {
    let by = services::os_user();
    services::undo_audit(&state.db, &state.secrets, &state.clock, &ClientOptions::jobs(), audit_id, &by)
        .await
        .map_err(ipc_error)
}
