//! Seatkeeper's Tauri shell. This file only wires things: logging, the database, the keychain and
//! the demo organization into one `AppState`, and the commands into the invoke handler.

mod commands;
mod logging;
mod state;

use seatkeeper_core::demo::{resume_demo, DemoServer};
use seatkeeper_core::{Db, KeyringStore, SystemClock};
use tauri::Manager;

pub use state::AppState;

/// Registers every command. Generic so that tests can use tauri's mock runtime.
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    use commands::{connections, demo, profiles};
    builder.invoke_handler(tauri::generate_handler![
        profiles::list_profiles,
        profiles::get_profile,
        profiles::create_profile,
        profiles::update_profile,
        profiles::delete_profile,
        profiles::publish_profile,
        profiles::default_activity_start,
        connections::list_connections,
        connections::update_connection,
        connections::connection_presets,
        connections::validate_connection,
        demo::start_demo,
    ])
}

/// Opens the database in the app's data directory and builds the state.
async fn build_state(
    app: &tauri::AppHandle,
    log: tracing_appender::non_blocking::WorkerGuard,
) -> Result<AppState, Box<dyn std::error::Error>> {
    let data_dir = app.path().app_data_dir()?;
    std::fs::create_dir_all(&data_dir)?;
    let db = Db::open(data_dir.join("seatkeeper.db")).await?;
    let demo = DemoServer::default();
    if let Err(e) = resume_demo(&db, &demo).await {
        tracing::warn!(error = %e, "the demo organization could not be resumed");
    }
    Ok(AppState {
        db,
        secrets: KeyringStore::new(&app.config().identifier),
        clock: SystemClock,
        demo,
        _log: log,
    })
}

pub fn run() {
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
