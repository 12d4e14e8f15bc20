//! "Try the demo organization".

use seatkeeper_core::profiles::Profile;
use seatkeeper_demo as demo;

use super::{ipc_error, CommandResult};
use crate::state::AppState;

pub async fn start_demo(state: &AppState) -> CommandResult<Profile> {
    demo::start_demo(&state.db, &state.secrets, &state.clock, &state.demo).await.map_err(ipc_error)
}
