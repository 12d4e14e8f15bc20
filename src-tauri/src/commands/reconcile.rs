//! Entitlements and reconciliation: the Software Entitlements screen and related list, Reconcile
//! now, and the License Usage view.

use seatkeeper_core::reconcile::{Entitlement, EntitlementInput, LicenseUsage, Reconciliation, Trigger};
use seatkeeper_core::services;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

/// The entitlements of a profile (of one model when given), paid models first.
pub async fn list_entitlements(
    state: &AppState,
    profile_id: i64,
    model_id: Option<i64>,
) -> CommandResult<Vec<Entitlement>> {
    services::list_entitlements(&state.db, &state.clock, Some(profile_id), model_id).await.map_err(ipc_error)
}

/// Adds an entitlement; a bad value is a Validation error on its field and nothing is saved.
pub async fn create_entitlement(
    state: &AppState,
    profile_id: i64,
    input: EntitlementInput,
) -> CommandResult<Entitlement> {
    services::create_entitlement(&state.db, &state.clock, profile_id, input).await.map_err(ipc_error)
}

pub async fn update_entitlement(
    state: &AppState,
    entitlement_id: i64,
    input: EntitlementInput,
) -> CommandResult<Entitlement> {
    services::update_entitlement(&state.db, &state.clock, entitlement_id, input).await.map_err(ipc_error)
}

/// Removes entitlements, all or none.
pub async fn delete_entitlements(state: &AppState, ids: Vec<i64>) -> CommandResult<usize> {
    services::delete_entitlements(&state.db, &state.clock, &ids).await.map_err(ipc_error)
}

/// Runs a reconciliation now and keeps it as a snapshot.
pub async fn reconcile_now(state: &AppState, profile_id: i64) -> CommandResult<Reconciliation> {
    services::reconcile(&state.db, &state.clock, profile_id, Trigger::OnDemand).await.map_err(ipc_error)
}

/// The kept reconciliations of a profile, oldest first (the latest `limit`).
pub async fn list_reconciliations(
    state: &AppState,
    profile_id: i64,
    limit: Option<i64>,
) -> CommandResult<Vec<Reconciliation>> {
    let limit = limit.unwrap_or(120).clamp(1, 400);
    services::list_reconciliations(&state.db, profile_id, limit).await.map_err(ipc_error)
}

/// Everything the License Usage view shows, aggregated in the core.
pub async fn license_usage(state: &AppState, profile_id: i64) -> CommandResult<LicenseUsage> {
    services::license_usage(&state.db, &state.clock, profile_id).await.map_err(ipc_error)
}

/// Saves the finance summary (a PNG, as base64) where the admin chooses in the system's save dialog.
/// The dialog is opened here, so the page never names a path. Returns the path saved, or None when
/// the admin cancelled.
pub async fn save_export<R: Runtime>(
    app: &AppHandle<R>,
    file_name: String,
    data_base64: String,
) -> CommandResult<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Save the finance summary")
        .set_file_name(seatkeeper_core::export::safe_file_name(&file_name, "png"))
        .add_filter("PNG image", &["png"])
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten() else { return Ok(None) };
    let path = path.into_path().map_err(|e| ipc_error(seatkeeper_core::Error::Internal(e.to_string())))?;
    seatkeeper_core::export::save_png(&path, &data_base64).map_err(ipc_error)?;
    Ok(Some(path.display().to_string()))
}
