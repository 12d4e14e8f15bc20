//! Connection & Credential aliases and Validate Connection.

use seatkeeper_core::connections::{ClientOptions, Connection, ConnectionPreset, ConnectionUpdate};
use seatkeeper_core::services;
use seatkeeper_core::validation::ValidationResult;
use tauri::State;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> CommandResult<Vec<Connection>> {
    services::list_connections(&state.db).await.map_err(ipc_error)
}

#[tauri::command]
pub async fn update_connection(
    state: State<'_, AppState>,
    id: i64,
    update: ConnectionUpdate,
) -> CommandResult<Connection> {
    services::update_connection(&state.db, &state.secrets, &state.clock, id, update).await.map_err(ipc_error)
}

#[tauri::command]
pub fn connection_presets() -> Vec<ConnectionPreset> {
    services::connection_presets()
}

#[tauri::command]
pub async fn validate_connection(
    state: State<'_, AppState>,
    profile_id: i64,
) -> CommandResult<ValidationResult> {
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
