//! What the Tauri commands call: one public async function per command, each taking its
//! dependencies explicitly (`&Db`, `&dyn SecretStore`, `&dyn Clock`). Errors convert to
//! [`AppError`](crate::error::AppError) for IPC.

pub use crate::connections::{connection_presets, list_connections, update_connection};
pub use crate::profiles::{
    create_profile, default_activity_start, delete_profile, get_profile, list_profiles, publish_profile,
    update_profile,
};
pub use crate::validation::validate_connection;
