//! Tracing to a daily-rotated file in the app's log directory (and to stderr in debug builds).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// Keeps a week of logs, in a folder private to the user (the files are private too: see
/// `restrict_new_files`). The returned guard flushes the file when dropped: keep it for the app's
/// lifetime.
pub fn init(dir: &Path) -> Result<WorkerGuard, Box<dyn std::error::Error>> {
    seatkeeper_core::private_files::private_dir(dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("seatkeeper")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir)?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("SEATKEEPER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let registry =
        tracing_subscriber::registry().with(filter).with(fmt::layer().with_ansi(false).with_writer(writer));
    if cfg!(debug_assertions) {
        registry.with(fmt::layer().with_writer(std::io::stderr)).try_init()?;
    } else {
        registry.try_init()?;
    }
    Ok(guard)
}
