//! The profile's sync lists (subscriptions in windows with their filters' options, a user's
//! activity, models,
//! unrecognized identifiers, job results), its activity settings (which event types count as
//! activity), the time of day of each job's daily run, and the job engine's Run now / Cancel.
//! Progress and results of runs arrive as the `job-progress` and `job-finished` events.

use seatkeeper_core::jobs::{JobResult, ScheduledJob};
use seatkeeper_core::services;
use seatkeeper_core::sync::activity::ActivitySettings;
use seatkeeper_core::sync::{
    SoftwareModel, SubscriptionFacets, SubscriptionPage, SubscriptionPageRequest, UnrecognizedIdentifier,
    UserActivityDetail,
};

use super::{ipc_error, CommandResult};
use crate::state::AppState;

/// One window of the profile's Software Subscriptions, filtered and sorted by the core (never the
/// whole list).
pub async fn list_subscriptions_page(
    state: &AppState,
    request: SubscriptionPageRequest,
) -> CommandResult<SubscriptionPage> {
    services::list_subscriptions_page(&state.db, &state.clock, &request).await.map_err(ipc_error)
}

/// The Software Subscriptions filters' options and the profile's number of subscriptions.
pub async fn subscription_facets(state: &AppState, profile_id: i64) -> CommandResult<SubscriptionFacets> {
    services::subscription_facets(&state.db, profile_id).await.map_err(ipc_error)
}

/// The recent activity of one subscription's user, for the list's side panel.
pub async fn user_activity_detail(
    state: &AppState,
    profile_id: i64,
    subscription_id: i64,
) -> CommandResult<UserActivityDetail> {
    services::user_activity_detail(&state.db, &state.clock, profile_id, subscription_id)
        .await
        .map_err(ipc_error)
}

pub async fn list_models(state: &AppState, profile_id: i64) -> CommandResult<Vec<SoftwareModel>> {
    services::list_models(&state.db, profile_id).await.map_err(ipc_error)
}

pub async fn list_unrecognized_identifiers(
    state: &AppState,
    profile_id: i64,
) -> CommandResult<Vec<UnrecognizedIdentifier>> {
    services::list_unrecognized_identifiers(&state.db, profile_id).await.map_err(ipc_error)
}

pub async fn map_identifier(
    state: &AppState,
    profile_id: i64,
    identifier: String,
    model_id: i64,
) -> CommandResult<()> {
    services::map_identifier(&state.db, profile_id, &identifier, model_id).await.map_err(ipc_error)
}

/// A new software model for an unrecognized identifier, and the identifier mapped to it (both or
/// neither). Returns the model's id.
pub async fn create_model_for_identifier(
    state: &AppState,
    profile_id: i64,
    identifier: String,
    name: String,
    paid: bool,
) -> CommandResult<i64> {
    services::create_model_for_identifier(&state.db, &state.clock, profile_id, &identifier, &name, paid)
        .await
        .map_err(ipc_error)
}

/// The results of all jobs of the profile, newest first.
pub async fn list_job_results(state: &AppState, profile_id: i64) -> CommandResult<Vec<JobResult>> {
    services::list_profile_job_results(&state.db, profile_id).await.map_err(ipc_error)
}

/// Starts a run of the job now; returns at once (Conflict when the job is already running).
pub async fn run_job(state: &AppState, job_id: i64) -> CommandResult<()> {
    state.engine.run_now(job_id).await.map_err(ipc_error)
}

/// Cancels the job's run, if one is in progress.
pub async fn cancel_job(state: &AppState, job_id: i64) -> CommandResult<()> {
    state.engine.cancel(job_id).await.map_err(ipc_error)
}

/// Sets the time of day ("HH:MM", this computer's clock) of the job's daily run; returns the job
/// with its next run moved to that time.
pub async fn set_job_time_of_day(
    state: &AppState,
    job_id: i64,
    time_of_day: String,
) -> CommandResult<ScheduledJob> {
    let job = services::set_job_time_of_day(&state.db, &state.clock, job_id, &time_of_day)
        .await
        .map_err(ipc_error)?;
    // The scheduler may be asleep until the old time: let it look at the new one.
    state.engine.nudge();
    Ok(job)
}

/// Pauses a scheduled job or makes it active again.
pub async fn set_job_active(state: &AppState, job_id: i64, active: bool) -> CommandResult<ScheduledJob> {
    let job = services::set_job_active(&state.db, job_id, active).await.map_err(ipc_error)?;
    // Made active again, it may be due at once.
    state.engine.nudge();
    Ok(job)
}

/// Where the profile's activity comes from, and which event types do not count as activity.
pub async fn get_activity_settings(state: &AppState, profile_id: i64) -> CommandResult<ActivitySettings> {
    services::activity_settings(&state.db, profile_id).await.map_err(ipc_error)
}

/// Sets the `OBJECT_TYPE:ACTION` patterns that do not count as activity (empty: every
/// user-initiated event counts); a change makes the next Events run read the stream again.
/// Returns the settings as stored (normalized).
pub async fn set_activity_settings(
    state: &AppState,
    profile_id: i64,
    excluded_event_kinds: Vec<String>,
) -> CommandResult<ActivitySettings> {
    services::set_excluded_event_kinds(&state.db, profile_id, &excluded_event_kinds)
        .await
        .map_err(ipc_error)?;
    services::activity_settings(&state.db, profile_id).await.map_err(ipc_error)
}
