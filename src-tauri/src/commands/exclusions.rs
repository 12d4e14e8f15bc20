//! The profile's Subscription Identifier / User Exclusion Rule lists.

use seatkeeper_core::services;
use seatkeeper_core::sync::{
    ExclusionKind, ExclusionRules, IdentifierExclusionInput, IdentifierExclusionRule, UserExclusionInput,
    UserExclusionRule,
};

use super::{ipc_error, CommandResult};
use crate::state::AppState;

pub async fn list_exclusion_rules(state: &AppState, profile_id: i64) -> CommandResult<ExclusionRules> {
    services::list_exclusion_rules(&state.db, profile_id).await.map_err(ipc_error)
}

/// Creates (`rule.id` null) or edits an identifier rule.
pub async fn save_identifier_exclusion(
    state: &AppState,
    profile_id: i64,
    rule: IdentifierExclusionInput,
) -> CommandResult<IdentifierExclusionRule> {
    services::save_identifier_exclusion(&state.db, &state.clock, profile_id, rule).await.map_err(ipc_error)
}

/// Creates (`rule.id` null) or edits a user rule.
pub async fn save_user_exclusion(
    state: &AppState,
    profile_id: i64,
    rule: UserExclusionInput,
) -> CommandResult<UserExclusionRule> {
    services::save_user_exclusion(&state.db, &state.clock, profile_id, rule).await.map_err(ipc_error)
}

pub async fn delete_exclusion_rule(state: &AppState, kind: ExclusionKind, id: i64) -> CommandResult<()> {
    services::delete_exclusion_rule(&state.db, kind, id).await.map_err(ipc_error)
}
