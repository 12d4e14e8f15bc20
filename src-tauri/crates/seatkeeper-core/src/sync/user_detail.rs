//! One user's activity, for the side panel of the Software Subscriptions list: the subscription as
//! the list shows it, the user's counted events per day since the profile's "Analyze user activity
//! from", and their last event of each kind (object type and action) with how many were counted.
//!
//! All of it is what the events job keeps ([`super::activity`]): aggregates, never the events. The
//! per-day counts are read by the primary key of `user_activity_daily` (day first): the profile's
//! days come from `user_activity_days` (a few hundred rows), and each is one key seek for the
//! user, instead of a scan of every user's days (about 650,000 rows for 2,000,000 events).

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::activity::ActivitySource;
use super::subscriptions::SoftwareSubscription;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};

/// How many events of a user were counted on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct DailyCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub count: i64,
}

/// A user's counted events of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct KindActivity {
    /// Smartsheet's object type (`SHEET`), as the server sent it.
    pub object_type: String,
    /// Smartsheet's action (`LOAD`), as the server sent it.
    pub action: String,
    /// The latest counted event of this kind.
    pub last_at: DateTime<Utc>,
    pub count: i64,
}

/// One user's recent activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct UserActivityDetail {
    /// As the Software Subscriptions list shows it, with its inactive days.
    pub subscription: SoftwareSubscription,
    /// The profile's "Analyze user activity from": events are counted from then on.
    pub since: DateTime<Utc>,
    /// Where the profile's activity came from in its last Events refresh (none before the first):
    /// without Event Reporting, no events are counted and last activity is the last login.
    pub activity_source: Option<ActivitySource>,
    /// The days with counted events, oldest first (days without any are left out).
    pub daily: Vec<DailyCount>,
    /// The user's counted events by kind, the latest first. Empty for activity counted before
    /// Seatkeeper kept the kinds: they are kept from the next Events refresh on.
    pub kinds: Vec<KindActivity>,
}

/// The activity of the user of subscription `subscription_id` of profile `profile_id`, with the
/// inactive days at the clock's now. NotFound when the profile has no such subscription.
pub async fn user_activity_detail(
    db: &Db,
    clock: &dyn Clock,
    profile_id: i64,
    subscription_id: i64,
) -> Result<UserActivityDetail> {
    let now = clock.now();
    // One read transaction: the parts are of the same moment.
    let mut tx = db.pool().begin().await?;
    let subscription = super::subscriptions::read(&mut tx, profile_id, Some(subscription_id), now)
        .await?
        .pop()
        .ok_or_else(|| not_found(subscription_id))?;
    let user_id: i64 = subscription
        .user_id
        .parse()
        .map_err(|e| Error::Internal(format!("subscription {subscription_id} has a bad user id: {e}")))?;
    let profile = sqlx::query!(
        r#"SELECT p.analyze_activity_from AS "since: DateTime<Utc>",
               s.activity_source AS "activity_source?: ActivitySource"
           FROM profiles p LEFT JOIN sync_state s ON s.profile_id = p.id WHERE p.id = ?"#,
        profile_id
    )
    .fetch_one(&mut *tx)
    .await?;
    // NaiveDate displays as YYYY-MM-DD, as the days are stored.
    let first_day = profile.since.date_naive().to_string();
    // The profile's days (its key's prefix), then the user's row of each by the whole key.
    let daily = sqlx::query_as!(
        DailyCount,
        r#"SELECT d.day AS "day!: String", x.count AS "count!: i64"
           FROM user_activity_days d
           CROSS JOIN user_activity_daily x ON x.profile_id = d.profile_id AND x.day = d.day AND x.user_id = ?2
           WHERE d.profile_id = ?1 AND d.day >= ?3
           ORDER BY d.day"#,
        profile_id,
        user_id,
        first_day
    )
    .fetch_all(&mut *tx)
    .await?;
    let kinds = sqlx::query_as!(
        KindActivity,
        r#"SELECT object_type, action, last_at AS "last_at: DateTime<Utc>", count
           FROM user_activity_kinds WHERE profile_id = ? AND user_id = ?
           ORDER BY last_at DESC, object_type, action"#,
        profile_id,
        user_id
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(UserActivityDetail {
        subscription,
        since: profile.since,
        activity_source: profile.activity_source,
        daily,
        kinds,
    })
}

fn not_found(subscription_id: i64) -> Error {
    Error::NotFound(format!(
        "Subscription {subscription_id} is not one of this profile's (any more); the profile may have been \
         deleted. Refresh the list of subscriptions."
    ))
}
