//! The profile's sync lists (subscriptions, models, unrecognized identifiers, job results) and the
//! job engine's Run now / Cancel. Progress and results of runs arrive as the `job-progress` and
//! `job-finished` events.

use seatkeeper_core::services;
use seatkeeper_core::sync::{JobResult, SoftwareModel, SoftwareSubscription, UnrecognizedIdentifier};
use tauri::State;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

#[tauri::command]
pub async fn list_subscriptions(
    state: State<'_, AppState>,
    profile_id: i64,
) -> CommandResult<Vec<SoftwareSubscription>> {
    services::list_subscriptions(&state.db, profile_id).await.map_err(ipc_error)
}

#[tauri::command]
pub async fn list_models(state: State<'_, AppState>, profile_id: i64) -> CommandResult<Vec<SoftwareModel>> {
    services::list_models(&state.db, profile_id).await.map_err(ipc_error)
}

#[tauri::command]
pub async fn list_unrecognized_identifiers(
    state: State<'_, AppState>,
    profile_id: i64,
) -> CommandResult<Vec<UnrecognizedIdentifier>> {
    services::list_unrecognized_identifiers(&state.db, profile_id).await.map_err(ipc_error)
}

#[tauri::command]
pub async fn map_identifier(
    state: State<'_, AppState>,
    profile_id: i64,
    identifier: String,
    model_id: i64,
) -> CommandResult<()> {
    services::map_identifier(&state.db, profile_id, &identifier, model_id).await.map_err(ipc_error)
}

/// The results of all jobs of the profile, newest first.
#[tauri::command]
pub async fn list_job_results(state: State<'_, AppState>, profile_id: i64) -> CommandResult<Vec<JobResult>> {
    services::list_profile_job_results(&state.db, profile_id).await.map_err(ipc_error)
}

/// Starts a run of the job now; returns at once (Conflict when the job is already running).
#[tauri::command]
pub async fn run_job(state: State<'_, AppState>, job_id: i64) -> CommandResult<()> {
    state.engine.run_now(job_id).await.map_err(ipc_error)
}

/// Cancels the job's run, if one is in progress.
#[tauri::command]
pub async fn cancel_job(state: State<'_, AppState>, job_id: i64) -> CommandResult<()> {
    state.engine.cancel(job_id).await.map_err(ipc_error)
}
