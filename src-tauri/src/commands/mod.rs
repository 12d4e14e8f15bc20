//! The commands the UI calls, one file per domain. Each is a thin adapter: take the state, call one
//! core function, turn its error into the `{code, message, field}` the UI receives.

pub mod connections;
pub mod demo;
pub mod exclusions;
pub mod profiles;
pub mod reclaim;
pub mod reconcile;
pub mod sync;

use seatkeeper_core::{AppError, Error};

/// The error a command returns: logged here, at the boundary, then sent as `AppError`.
pub(crate) fn ipc_error(error: Error) -> AppError {
    tracing::warn!(error = %error, "command failed");
    AppError::from(error)
}

pub(crate) type CommandResult<T> = Result<T, AppError>;
