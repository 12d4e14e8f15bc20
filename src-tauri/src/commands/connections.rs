//! Connection & Credential aliases and Validate Connection.

use seatkeeper_core::connections::{ClientOptions, Connection, ConnectionPreset, ConnectionUpdate};
use seatkeeper_core::services;
use seatkeeper_core::validation::{RegionSearch, ValidationResult};

use super::{ipc_error, CommandResult};
use crate::state::AppState;

pub async fn list_connections(state: &AppState) -> CommandResult<Vec<Connection>> {
    services::list_connections(&state.db).await.map_err(ipc_error)
}

pub async fn update_connection(
    state: &AppState,
    id: i64,
    update: ConnectionUpdate,
) -> CommandResult<Connection> {
    services::update_connection(&state.db, &state.secrets, &state.clock, id, update).await.map_err(ipc_error)
}

/// Deletes a connection no profile uses, with its key in the keychain.
pub async fn delete_connection(state: &AppState, id: i64) -> CommandResult<()> {
    services::delete_connection(&state.db, &state.secrets, id).await.map_err(ipc_error)
}

pub async fn connection_presets(_state: &AppState) -> CommandResult<Vec<ConnectionPreset>> {
    Ok(services::connection_presets())
}

/// Find the key's region: the key goes to Smartsheet's other regional API hosts, on the admin's
/// request after Smartsheet refused it.
pub async fn find_key_region(state: &AppState, profile_id: i64) -> CommandResult<RegionSearch> {
    let regions = services::connection_presets();
    services::find_key_region(&state.db, &state.secrets, profile_id, &regions, &ClientOptions::default())
        .await
        .map_err(ipc_error)
}

pub async fn validate_connection(state: &AppState, profile_id: i64) -> CommandResult<ValidationResult> {
    services::validate_connection(
        &state.db,
        &state.secrets,
        &state.clock,
        profile_id,
        &ClientOptions::default(),
    )
    .await
    .map_err(ipc_error)
}
