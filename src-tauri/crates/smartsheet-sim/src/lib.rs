//! A Smartsheet API 2.0 simulator: the users, seats and Event Reporting stream of a generated
//! organization, served over real HTTP on loopback with Smartsheet's paging, visibility rules,
//! error shapes, rate limiting and (on request) faults.
//!
//! It stands in for Smartsheet in Seatkeeper's tests and benchmarks and powers the demo
//! organization. Use it as a library (`spawn`) or as the `smartsheet-sim` binary. Deliberate
//! deviations from Smartsheet are listed in the crate's README.

mod activity;
pub mod config;
mod events;
mod http;
pub mod org;
mod server;
pub mod state;
mod users;

pub use config::{ControlAccess, FaultSpec, RateLimit, Region, SimConfig};
pub use org::Tokens;
pub use server::{router, spawn, spawn_with_events, SimHandle, StartupInfo};
