//! Seatkeeper's Tauri shell. This file only wires things: logging, the database, the keychain and
//! the demo organization into one `AppState`, and the commands into the invoke handler.

mod commands;
pub mod events;
mod logging;
mod state;

use std::sync::Arc;

use seatkeeper_core::private_files::{private_dir, restrict_new_files};
use seatkeeper_core::{Db, JobEngine, KeyringStore, SystemClock};
use seatkeeper_demo::{resume_demo, DemoServer};
use tauri::Manager;

pub use commands::NAMES as COMMANDS;
pub use state::AppState;

/// Registers every command, the notification plugin (used from Rust only: the webview is granted
/// none of its commands) and the opener plugin (the webview may open `mailto:` links only, see
/// capabilities/default.json; links are opened on request, never on click). Generic so that tests
/// can use tauri's mock runtime.
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::Builder::new().open_js_links_on_click(false).build())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands::handler())
}

/// Opens the database in the app's data directory and builds the state.
async fn build_state(
    app: &tauri::AppHandle,
    log: tracing_appender::non_blocking::WorkerGuard,
) -> Result<AppState, Box<dyn std::error::Error>> {
    let data_dir = app.path().app_data_dir()?;
    private_dir(&data_dir)?;
    let db = Db::open(data_dir.join("seatkeeper.db")).await?;
    let demo = DemoServer::default();
    if let Err(e) = resume_demo(&db, &demo).await {
        tracing::warn!(error = %e, "the demo organization could not be resumed");
    }
    let secrets = KeyringStore::new(&app.config().identifier);
    let engine = JobEngine::new(
        db.clone(),
        Arc::new(secrets.clone()),
        Arc::new(SystemClock),
        Arc::new(events::TauriEvents::new(app.clone())),
    );
    // Fixes runs a killed app left `running`, then schedules (missed runs run once now).
    engine.start().await?;
    Ok(AppState { db, secrets, clock: SystemClock, demo, engine, _log: log })
}

pub fn run() {
    // The database, its WAL and the logs hold every user's e-mail and activity.
    restrict_new_files();
    with_commands(tauri::Builder::default())
        .setup(|app| {
            let log = logging::init(&app.path().app_log_dir()?)?;
            let state = tauri::async_runtime::block_on(build_state(app.handle(), log))?;
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "Seatkeeper started");
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Seatkeeper could not start: {e}");
            std::process::exit(1);
        });
}
