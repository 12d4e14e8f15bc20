//! Seatkeeper's core: domain, storage, the Smartsheet client and sync. Never depends on tauri.

pub mod clock;
pub mod connections;
pub mod db;
pub mod error;
pub mod export;
pub mod jobs;
pub mod private_files;
pub mod profiles;
pub mod reclaim;
pub mod reconcile;
pub mod secrets;
pub mod server_text;
pub mod services;
pub mod smartsheet;
pub mod sync;
pub mod validation;

#[cfg(test)]
mod rules_contract;

pub use clock::{Clock, FixedClock, SystemClock};
pub use db::Db;
pub use error::{AppError, Error, ErrorCode, Result};
pub use jobs::{EngineEvents, JobEngine};
pub use secrets::{KeyringStore, MemoryStore, SecretStore};
