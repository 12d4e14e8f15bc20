//! Integration profiles: the form, Publish, and their lifecycle.

use seatkeeper_core::profiles::{ConnectionChoice, Profile, ProfileInput};
use seatkeeper_core::services;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

pub async fn list_profiles(state: &AppState) -> CommandResult<Vec<Profile>> {
    services::list_profiles(&state.db).await.map_err(ipc_error)
}

pub async fn get_profile(state: &AppState, id: i64) -> CommandResult<Profile> {
    services::get_profile(&state.db, id).await.map_err(ipc_error)
}

pub async fn create_profile(
    state: &AppState,
    input: ProfileInput,
    connection: Option<ConnectionChoice>,
) -> CommandResult<Profile> {
    services::create_profile(&state.db, &state.secrets, &state.clock, input, connection)
        .await
        .map_err(ipc_error)
}

/// Create New Connection & Credential on a saved profile, or move it to another connection.
pub async fn set_profile_connection(
    state: &AppState,
    id: i64,
    connection: ConnectionChoice,
) -> CommandResult<Profile> {
    services::set_profile_connection(&state.db, &state.secrets, &state.clock, id, connection)
        .await
        .map_err(ipc_error)
}

pub async fn update_profile(state: &AppState, id: i64, input: ProfileInput) -> CommandResult<Profile> {
    let profile = services::update_profile(&state.db, &state.clock, id, input).await.map_err(ipc_error)?;
    // Turning Download activity on adds a job that is due now.
    state.engine.nudge();
    Ok(profile)
}

pub async fn delete_profile(state: &AppState, id: i64) -> CommandResult<()> {
    services::delete_profile(&state.db, &state.secrets, id).await.map_err(ipc_error)
}

pub async fn publish_profile(state: &AppState, id: i64) -> CommandResult<Profile> {
    let profile = services::publish_profile(&state.db, &state.clock, id).await.map_err(ipc_error)?;
    // Its jobs are due now: let the scheduler see them without waiting for its next look.
    state.engine.nudge();
    Ok(profile)
}

/// The default "Analyze user activity from" for a new profile (RFC 3339).
pub async fn default_activity_start(state: &AppState) -> CommandResult<String> {
    Ok(services::default_activity_start(&state.clock).to_rfc3339())
}
