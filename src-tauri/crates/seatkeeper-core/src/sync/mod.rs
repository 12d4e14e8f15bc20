//! The sync engine's data side: the two refresh jobs of a published profile and what they store.
//! [`crate::jobs::run`] runs either one.
//!
//! - [`subscriptions`] ("Refresh `<name>` Subscriptions"): detects the plan model (User
//!   Subscription Model or legacy), pages every user (100 a page, with `lastLogin`), turns each
//!   seat into a software subscription, auto-creates a software model and its reclamation rule per
//!   known subscription identifier (unknown identifiers stay Unrecognized until mapped with
//!   [`models::map_identifier`]), and closes — never deletes — the subscriptions of users who are
//!   gone or deactivated.
//! - [`activity`] ("Refresh `<name>` Events"): folds the Event Reporting stream into per-user
//!   last activity and per-day counts, committing each batch's aggregates together with the new
//!   stream position, so a failed or killed run resumes where the last committed batch ended.
//!   Without Event Reporting, last activity is the users' last login.
//!
//! Each run writes a job result ([`crate::jobs::results`]), with the counters of what it committed
//! in the same transactions as the data.
//!
//! Read side for the UI and the CLI: [`list_subscriptions_page`] (a window of the Software
//! Subscriptions list) and [`subscription_facets`], [`list_subscriptions`] (every row),
//! [`user_activity_detail`] (one user's activity, for the list's side panel), [`list_models`],
//! [`list_unrecognized_identifiers`], [`activity::activity_settings`], [`list_exclusion_rules`].

pub mod activity;
pub mod exclusions;
pub mod models;
pub mod subscription_page;
pub mod subscriptions;
pub mod user_detail;

use serde::Serialize;
use ts_rs::TS;

pub use exclusions::{
    delete_exclusion_rule, list_exclusion_rules, save_identifier_exclusion, save_user_exclusion,
    ExclusionKind, ExclusionRules, IdentifierExclusionInput, IdentifierExclusionRule, UserExclusionInput,
    UserExclusionRule,
};
pub use models::{
    create_model, create_model_for_identifier, ensure_known_model, list_models,
    list_unrecognized_identifiers, map_identifier, SoftwareModel, UnrecognizedIdentifier,
};
pub use subscription_page::{
    list_subscriptions_page, subscription_facets, ActivitySourceFilter, SubscriptionFacets,
    SubscriptionFilter, SubscriptionPage, SubscriptionPageRequest, SubscriptionSort,
};
pub use subscriptions::{list_subscriptions, ClosedReason, SoftwareSubscription};
pub use user_detail::{user_activity_detail, DailyCount, KindActivity, UserActivityDetail};

/// Smartsheet's system user ids that appear as an event's `userId` (automation, notifications,
/// forms, cell links, published items, imports). They are never counted as a person's activity.
pub const SYSTEM_USER_IDS: [i64; 8] = [
    1_688_855_062_570_884, // Skype action
    2_814_754_969_413_508, // Trello import
    3_377_704_922_834_820, // cell link
    3_940_654_876_256_132, // Automation system
    5_066_554_783_098_756, // access to an item published to the organization
    5_629_504_736_520_068, // access to an item published to anyone
    6_192_454_689_941_380, // Notification system
    7_881_304_550_205_316, // Form submission
];

/// How far a server's clock may be ahead of this computer's before it is not believed.
const MAX_CLOCK_AHEAD: chrono::TimeDelta = chrono::TimeDelta::days(1);
/// How far a timestamp may be ahead of the server's clock (rounding, clocks within a data centre).
const TIMESTAMP_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The latest plausible time in an answer: the server's clock when it answered (its `Date`
/// header; this computer's clock when it did not say, and at most a day ahead of it) plus a small
/// skew. An `eventTimestamp` or `lastLogin` after it is refused: a date in the future would make
/// a user count as active for ever, and keep their seat from ever being reclaimed.
pub(crate) fn plausible_until(
    server_time: Option<chrono::DateTime<chrono::Utc>>,
    local_now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    server_time.unwrap_or(local_now).min(local_now + MAX_CLOCK_AHEAD) + TIMESTAMP_SKEW
}

/// Whether `user_id` is one of Smartsheet's system users.
pub fn is_system_user(user_id: i64) -> bool {
    SYSTEM_USER_IDS.contains(&user_id)
}

/// How a sync is tuned. The defaults are what the jobs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Users upserted per transaction.
    pub batch_size: usize,
    /// Events per `GET /events` page (`maxCount`, 1..=10 000).
    pub events_page_size: u32,
    /// Events folded before their aggregates and stream position are committed (whole pages, so a
    /// commit may hold a little more). Larger batches write each hot b-tree page less often; a
    /// crash loses at most one batch of reading, never consistency.
    pub events_per_commit: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            batch_size: 500,
            events_page_size: crate::smartsheet::MAX_EVENTS_PER_PAGE,
            events_per_commit: 50_000,
        }
    }
}

/// What a running job is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub enum SyncPhase {
    /// Finding the organization's plan (User Subscription Model or legacy).
    DetectingPlan,
    /// Paging users.
    Users,
    /// Closing the subscriptions of users who are gone.
    Closing,
    /// Reading the event stream.
    Events,
    /// Taking last activity from last-login dates (no Event Reporting).
    LastLogin,
    /// Reclaiming the confirmed seats (the reclaim job).
    Reclaiming,
    Done,
}

/// Progress of a running job: reported after each page of users read and after each page of
/// events committed (with its stream position), and at phase changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub pages_done: u64,
    /// Known for users (`totalPages`), not for the event stream.
    pub pages_total: Option<u64>,
    pub users_read: u64,
    pub events_read: u64,
    /// The reclaim job: candidates settled so far, of how many.
    pub candidates_done: u64,
    pub candidates_total: u64,
}

impl SyncProgress {
    pub(crate) fn new(phase: SyncPhase) -> Self {
        Self {
            phase,
            pages_done: 0,
            pages_total: None,
            users_read: 0,
            events_read: 0,
            candidates_done: 0,
            candidates_total: 0,
        }
    }
}

/// The progress callback of a run.
pub type Progress<'a> = &'a (dyn Fn(SyncProgress) + Send + Sync);

/// A progress callback that ignores progress.
pub fn no_progress(_: SyncProgress) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_after_the_server_clock_are_not_plausible() {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let local = at("2026-12-02T10:00:00Z");
        // The server's clock, plus five minutes.
        assert_eq!(plausible_until(Some(at("2026-12-02T09:00:00Z")), local), at("2026-12-02T09:05:00Z"));
        // No Date header: this computer's clock.
        assert_eq!(plausible_until(None, local), at("2026-12-02T10:05:00Z"));
        // A server clock far ahead is not believed.
        assert_eq!(plausible_until(Some(at("2099-01-01T00:00:00Z")), local), at("2026-12-03T10:05:00Z"));
    }

    #[test]
    fn system_users_are_recognised() {
        assert!(is_system_user(3_940_654_876_256_132));
        assert!(!is_system_user(1_234_567_890_123_456));
    }
}
