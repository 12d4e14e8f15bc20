//! Seatkeeper's core: domain, storage, the Smartsheet client and sync. Never depends on tauri.

pub mod clock;
pub mod connections;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod engine;
pub mod error;
pub mod jobs;
pub mod profiles;
pub mod secrets;
pub mod services;
pub mod smartsheet;
pub mod sync;
pub mod validation;

#[cfg(test)]
mod rules_contract;

pub use clock::{Clock, FixedClock, SystemClock};
pub use db::Db;
pub use engine::{EngineEvents, JobEngine};
pub use error::{AppError, Error, ErrorCode, Result};
pub use secrets::{KeyringStore, MemoryStore, SecretStore};
