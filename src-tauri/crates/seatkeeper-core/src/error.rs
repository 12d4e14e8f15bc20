//! The core's error type and the shape in which errors cross IPC.
//!
//! Every message tells the admin what happened and what to do next. No message ever contains an
//! API key: keys only travel as [`ApiToken`](crate::smartsheet::ApiToken), which never prints
//! more than its last four characters, and keychain errors are rewritten here rather than shown
//! as the platform reports them.

use serde::Serialize;
use ts_rs::TS;

use crate::smartsheet::SmartsheetError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input in a form field. `field` is the input's property name as the UI sees it
    /// (camelCase, e.g. `displayName`, `connection.apiKey`).
    #[error("{message}")]
    Validation { field: String, message: String },

    /// The thing asked for does not exist (any more).
    #[error("{0}")]
    NotFound(String),

    /// The request does not fit the current state (publishing an unvalidated profile, a
    /// connection that changed while it was being validated, …).
    #[error("{0}")]
    Conflict(String),

    /// The system keychain cannot be used right now: no Secret Service, no D-Bus session, or a
    /// locked collection.
    #[error("{0}")]
    KeychainUnavailable(String),

    /// The system keychain answered, but not as expected (e.g. an unreadable entry).
    #[error("{0}")]
    Keychain(String),

    /// A connection's API key is not in the keychain any more: it must be entered again.
    #[error("{0}")]
    KeyMissing(String),

    #[error(transparent)]
    Smartsheet(#[from] SmartsheetError),

    #[error(
        "Seatkeeper could not read or write its database ({0}). Try again; if it keeps happening, \
         restart Seatkeeper."
    )]
    Database(#[from] sqlx::Error),

    #[error(
        "Seatkeeper could not update its database to this version ({0}). Restart Seatkeeper; if it \
         keeps happening, reinstall it or restore the database from a backup."
    )]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// The admin cancelled the run. What was committed until then stays.
    #[error("Cancelled. What was read until then is saved; the next run continues from there.")]
    Cancelled,

    #[error("{0}")]
    Internal(String),
}

/// What kind of error it was, for the UI to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "errors.ts")]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    KeychainUnavailable,
    Smartsheet,
    Database,
    Cancelled,
    Internal,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation { .. } => ErrorCode::Validation,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) | Self::KeyMissing(_) => ErrorCode::Conflict,
            Self::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            Self::Smartsheet(_) => ErrorCode::Smartsheet,
            Self::Database(_) | Self::Migration(_) => ErrorCode::Database,
            Self::Cancelled => ErrorCode::Cancelled,
            Self::Keychain(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The form field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    pub(crate) fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation { field: field.to_owned(), message: message.into() }
    }
}

/// An error as it crosses IPC: `{ code, message, field }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "errors.ts")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The form field to show the message next to (validation errors only).
    pub field: Option<String>,
}

impl From<&Error> for AppError {
    fn from(error: &Error) -> Self {
        Self { code: error.code(), message: error.to_string(), field: error.field().map(str::to_owned) }
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        Self::from(&error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_error_serializes_code_message_and_field() {
        let error = Error::validation("displayName", "Enter a Display Name.");
        let json = serde_json::to_value(AppError::from(&error)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "Validation", "message": "Enter a Display Name.", "field": "displayName"})
        );
        let json = serde_json::to_value(AppError::from(Error::NotFound("gone".into()))).unwrap();
        assert_eq!(json, serde_json::json!({"code": "NotFound", "message": "gone", "field": null}));
    }

    #[test]
    fn codes() {
        assert_eq!(Error::Conflict("x".into()).code(), ErrorCode::Conflict);
        assert_eq!(Error::KeychainUnavailable("x".into()).code(), ErrorCode::KeychainUnavailable);
        assert_eq!(Error::Keychain("x".into()).code(), ErrorCode::Internal);
        assert_eq!(Error::Database(sqlx::Error::RowNotFound).code(), ErrorCode::Database);
        let e = Error::from(SmartsheetError::InvalidUrl { reason: "r".into() });
        assert_eq!(e.code(), ErrorCode::Smartsheet);
        assert!(e.field().is_none());
    }
}
