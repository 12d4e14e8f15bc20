//! The one piece of state the app manages: everything the commands need, built once at start.

use seatkeeper_core::demo::DemoServer;
use seatkeeper_core::{Db, KeyringStore, SystemClock};
use tracing_appender::non_blocking::WorkerGuard;

pub struct AppState {
    pub db: Db,
    pub secrets: KeyringStore,
    pub clock: SystemClock,
    pub demo: DemoServer,
    /// Flushes the log file when the app ends.
    pub _log: WorkerGuard,
}
