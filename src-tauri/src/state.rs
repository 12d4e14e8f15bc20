//! The one piece of state the app manages: everything the commands need, built once at start.

use seatkeeper_core::{Db, JobEngine, KeyringStore, SystemClock};
use seatkeeper_demo::DemoServer;
use tracing_appender::non_blocking::WorkerGuard;

pub struct AppState {
    pub db: Db,
    pub secrets: KeyringStore,
    pub clock: SystemClock,
    pub demo: DemoServer,
    /// Runs the scheduled jobs (daily, Run now, Cancel).
    pub engine: JobEngine,
    /// Flushes the log file when the app ends.
    pub _log: WorkerGuard,
}
