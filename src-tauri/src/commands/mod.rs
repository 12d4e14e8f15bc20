//! The commands the UI calls, one file per domain. Each is a thin adapter: take the state, call one
//! core function, turn its error into the `{code, message, field}` the UI receives.

pub mod connections;
pub mod demo;
pub mod exclusions;
pub mod profiles;
pub mod reclaim;
pub mod reconcile;
pub mod sync;

#[cfg(test)]
mod typescript;

use seatkeeper_core::connections::{Connection, ConnectionPreset, ConnectionUpdate};
use seatkeeper_core::jobs::{JobResult, ScheduledJob};
use seatkeeper_core::profiles::{ConnectionChoice, Profile, ProfileInput};
use seatkeeper_core::reclaim::{
    AuditFilter, AuditPage, AuditRecord, CandidateFilter, CandidatePage, CandidatePageRequest,
    ComputeSummary, ProtectedUser, ProtectedUserInput, ReclaimConfirmation, ReclaimPreview, ReclamationRule,
    ReviewMove, RuleInput, SavingsSummary,
};
use seatkeeper_core::reconcile::{Entitlement, EntitlementInput, LicenseUsage, Reconciliation};
use seatkeeper_core::sync::activity::ActivitySettings;
use seatkeeper_core::sync::{
    ExclusionKind, ExclusionRules, IdentifierExclusionInput, IdentifierExclusionRule, SoftwareModel,
    SubscriptionFacets, SubscriptionPage, SubscriptionPageRequest, UnrecognizedIdentifier,
    UserActivityDetail, UserExclusionInput, UserExclusionRule,
};
use seatkeeper_core::validation::{RegionSearch, ValidationResult};
use seatkeeper_core::{AppError, Error};

use crate::state::AppState;

/// The error a command returns: logged here, at the boundary, then sent as `AppError`.
pub(crate) fn ipc_error(error: Error) -> AppError {
    tracing::warn!(error = %error, "command failed");
    AppError::from(error)
}

pub(crate) type CommandResult<T> = Result<T, AppError>;

/// One Tauri command: it takes the state (or, `[app]`, the app handle) and hands its arguments to
/// the domain function of the same name.
macro_rules! adapter {
    ([] $module:ident $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty) => {
        #[tauri::command]
        pub async fn $name(state: tauri::State<'_, AppState>, $($arg: $ty),*) -> CommandResult<$ret> {
            $module::$name(state.inner(), $($arg),*).await
        }
    };
    ([app] $module:ident $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty) => {
        #[tauri::command]
        pub async fn $name<R: tauri::Runtime>(app: tauri::AppHandle<R>, $($arg: $ty),*) -> CommandResult<$ret> {
            $module::$name(&app, $($arg),*).await
        }
    };
}

/// Turns the list in list.rs into the adapters, `NAMES`, the invoke `handler` and (in tests) the
/// commands' TypeScript signatures.
macro_rules! app_commands {
    ($( $([$with:ident])? $module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty ; )*) => {
        $( adapter!([$($with)?] $module $name ($($arg : $ty),*) -> $ret); )*

        /// Every command's name, in the list's order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler: every command of the list, and nothing else.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        #[cfg(test)]
        pub(crate) fn signatures() -> Vec<typescript::Signature> {
            vec![$(typescript::Signature {
                name: stringify!($name),
                args: vec![$(typescript::Value::of::<$ty>(stringify!($arg))),*],
                result: typescript::Value::of::<$ret>("result"),
            }),*]
        }
    };
}

include!("list.rs");
