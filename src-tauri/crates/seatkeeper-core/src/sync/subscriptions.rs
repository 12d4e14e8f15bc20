//! "Refresh `<name>` Subscriptions": every user's seat as a software subscription.
//!
//! 1. The plan model: the token owner's plans (`GET /users/{me}/plans`); an internal plan means the
//!    User Subscription Model, and its `planId` is sent with every page (Smartsheet only shows seat
//!    types then). No internal plan: a legacy plan (`licensedSheetCreator`).
//! 2. All users, 100 a page (`lastLogin` is only returned on pages of at most 100), with
//!    `include=lastLogin` and `displayContributorSeatType=true`, upserted by (profile, user id) in
//!    batches, one transaction each. Unchanged subscriptions only get `last_seen`.
//! 3. When the whole list was read: open subscriptions of users no longer listed are closed
//!    (`removed`). Deactivated users are closed as `deactivated`; a user who comes back is
//!    reopened. Nothing is ever deleted. A failed run closes nothing.
//!
//! A `lastLogin` dated after the server's clock is refused (treated as unknown, with a warning), and
//! what the server sends as text (names, e-mail addresses, unknown seat types) is stored at a
//! readable length. `GET /users` is read at most to a limit set by its first page.
//!
//! Identifiers: USM → the seat type (VIEWER becomes CONTRIBUTOR); legacy → `Licensed` /
//! `Unlicensed`. A user without one (the field missing) is skipped with a warning and left as it
//! was. Unknown seat types are stored as they are and stay Unrecognized until mapped.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::exclusions::MAX_IDENTIFIER;
use super::models::{Identifiers, LEGACY_LICENSED, LEGACY_UNLICENSED};
use super::{activity, SyncPhase, SyncProgress};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::jobs::results::{Counts, Recorder};
use crate::jobs::RunContext;
use crate::reclaim::candidates::Activity;
use crate::server_text::{cap_opt, MAX_NAME};
use crate::smartsheet::{
    ListUsersQuery, SeatType, SkippedItem, SmartsheetClient, SmartsheetError, User, UserPlansQuery,
    UserStatus,
};

/// Why a subscription was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "sync.ts")]
pub enum ClosedReason {
    /// The user is no longer listed by Smartsheet.
    Removed,
    /// The user is deactivated.
    Deactivated,
}

/// A software subscription as the Software Subscriptions list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct SoftwareSubscription {
    pub id: i64,
    pub profile_id: i64,
    /// Smartsheet's user id, as a string (ids may exceed what a JavaScript number holds exactly).
    pub user_id: String,
    pub email: String,
    pub name: Option<String>,
    /// The seat type (USM) or `Licensed` / `Unlicensed` (legacy).
    pub identifier: String,
    pub model_id: Option<i64>,
    /// None while the identifier is unrecognized.
    pub model_name: Option<String>,
    /// Smartsheet's user status (ACTIVE, PENDING, DECLINED, DEACTIVATED, or a newer value).
    pub status: Option<String>,
    pub is_internal: Option<bool>,
    /// System Admin.
    pub is_admin: Option<bool>,
    pub seat_changed_at: Option<DateTime<Utc>>,
    pub provisional_expires_at: Option<DateTime<Utc>>,
    pub last_login: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub activity_source: Option<super::activity::ActivitySource>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<ClosedReason>,
    /// Whether an active exclusion rule matches it (it is then left out of cost and candidate
    /// calculations).
    pub excluded: bool,
    /// The rule that excludes it, as the admin reads it: `identifier GUEST`,
    /// `user @contractors.example`, `user ann@example.com`.
    pub excluded_by: Option<String>,
    /// Whole days since the last activity (the later of the last counted event and the last
    /// login), or, without any, since the account is known to exist — as the removal candidates
    /// count them. None for a closed subscription. Computed from the row when it is read, so the
    /// list cannot be sorted or filtered by it.
    pub inactive_days: Option<i64>,
}

impl SoftwareSubscription {
    /// Fills in [`Self::inactive_days`] at `now`, from the row's own values.
    pub(crate) fn with_inactive_days(mut self, now: DateTime<Utc>) -> Self {
        self.inactive_days = self.closed_at.is_none().then(|| {
            Activity::of(
                self.first_seen,
                self.seat_changed_at,
                self.last_login,
                self.last_activity_at.zip(self.activity_source),
            )
            .inactive_days(now)
        });
        self
    }
}

/// The subscriptions of a profile, open and closed, by email, with their inactive days at the
/// clock's now.
pub async fn list_subscriptions(
    db: &Db,
    clock: &dyn Clock,
    profile_id: i64,
) -> Result<Vec<SoftwareSubscription>> {
    read(&mut *db.pool().acquire().await?, profile_id, None, clock.now()).await
}

/// The profile's subscriptions (or only subscription `only`) as the list shows them, by email, with
/// their inactive days at `now`.
pub(crate) async fn read(
    conn: &mut SqliteConnection,
    profile_id: i64,
    only: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<SoftwareSubscription>> {
    let rows = sqlx::query_as!(
        SoftwareSubscription,
        r#"SELECT s.id AS "id!", s.profile_id, CAST(s.user_id AS TEXT) AS "user_id!: String", s.email, s.name, s.identifier,
               s.model_id, m.name AS "model_name?", s.status, s.is_internal AS "is_internal: bool",
               s.is_admin AS "is_admin: bool", s.seat_changed_at AS "seat_changed_at: DateTime<Utc>",
               s.provisional_expires_at AS "provisional_expires_at: DateTime<Utc>",
               s.last_login AS "last_login: DateTime<Utc>", a.last_activity_at AS "last_activity_at?: DateTime<Utc>",
               a.source AS "activity_source?: super::activity::ActivitySource",
               s.first_seen AS "first_seen: DateTime<Utc>", s.last_seen AS "last_seen: DateTime<Utc>",
               s.closed_at AS "closed_at: DateTime<Utc>", s.closed_reason AS "closed_reason: ClosedReason",
               e.excluded_by IS NOT NULL AS "excluded!: bool", e.excluded_by AS "excluded_by?: String",
               NULL AS "inactive_days?: i64"
           FROM software_subscriptions s
           LEFT JOIN software_models m ON m.id = s.model_id
           LEFT JOIN subscription_exclusions e ON e.subscription_id = s.id
           LEFT JOIN user_activity a ON a.profile_id = s.profile_id AND a.user_id = s.user_id
           WHERE s.profile_id = ?1 AND (?2 IS NULL OR s.id = ?2) ORDER BY s.email, s.user_id"#,
        profile_id,
        only
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|s| s.with_inactive_days(now)).collect())
}

/// The fields a download writes and compares.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    email: String,
    name: Option<String>,
    identifier: String,
    model_id: Option<i64>,
    status: Option<String>,
    is_internal: Option<bool>,
    is_admin: Option<bool>,
    is_group_admin: Option<bool>,
    is_resource_viewer: Option<bool>,
    seat_changed_at: Option<DateTime<Utc>>,
    provisional_expires_at: Option<DateTime<Utc>>,
    last_login: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    closed_reason: Option<ClosedReason>,
}

#[derive(Debug)]
struct Existing {
    id: i64,
    user_id: i64,
    row: Row,
}

/// What a run noticed about the data, summed up as warnings at the end.
#[derive(Default)]
struct Oddities {
    without_identifier: Vec<String>,
    listed_twice: usize,
    unrecognized: HashMap<String, usize>,
    /// Users Smartsheet listed that could not be read (left as they were): who, and why.
    unreadable: Vec<String>,
    /// Listed users of which not even the id could be read: nothing can be closed then.
    unidentified: usize,
}

/// The job's code ([`crate::jobs::JobSpec::run`]).
pub(crate) fn run<'a>(context: RunContext<'a>, recorder: &'a mut Recorder) -> BoxFuture<'a, Result<()>> {
    Box::pin(download(context, recorder))
}

async fn download(context: RunContext<'_>, recorder: &mut Recorder) -> Result<()> {
    let RunContext { db, client, profile_id, clock, options, progress, cancel } = context;
    let now = clock.now();
    progress(SyncProgress::new(SyncPhase::DetectingPlan));
    let plan_id = detect_plan(client, recorder).await?;
    // One statement, so no transaction to leave open if the run is dropped here.
    let plan_model = if plan_id.is_some() { "usm" } else { "legacy" };
    sqlx::query!(
        "INSERT INTO sync_state (profile_id, plan_model, plan_id) VALUES (?, ?, ?) \
         ON CONFLICT (profile_id) DO UPDATE SET plan_model = excluded.plan_model, plan_id = excluded.plan_id",
        profile_id,
        plan_model,
        plan_id
    )
    .execute(db.pool())
    .await?;

    let (identifiers, existing) = {
        let mut conn = db.pool().acquire().await?;
        let identifiers = Identifiers::load(&mut conn, profile_id).await?;
        let rows = sqlx::query!(
            r#"SELECT id AS "id!", user_id, email, name, identifier, model_id, status, is_internal AS "is_internal: bool",
                   is_admin AS "is_admin: bool", is_group_admin AS "is_group_admin: bool",
                   is_resource_viewer AS "is_resource_viewer: bool", seat_changed_at AS "seat_changed_at: DateTime<Utc>",
                   provisional_expires_at AS "provisional_expires_at: DateTime<Utc>",
                   last_login AS "last_login: DateTime<Utc>", closed_at AS "closed_at: DateTime<Utc>",
                   closed_reason AS "closed_reason: ClosedReason"
               FROM software_subscriptions WHERE profile_id = ?"#,
            profile_id
        )
        .fetch_all(&mut *conn)
        .await?;
        let existing = rows.into_iter().map(|r| {
            let row = Row {
                email: r.email,
                name: r.name,
                identifier: r.identifier,
                model_id: r.model_id,
                status: r.status,
                is_internal: r.is_internal,
                is_admin: r.is_admin,
                is_group_admin: r.is_group_admin,
                is_resource_viewer: r.is_resource_viewer,
                seat_changed_at: r.seat_changed_at,
                provisional_expires_at: r.provisional_expires_at,
                last_login: r.last_login,
                closed_at: r.closed_at,
                closed_reason: r.closed_reason,
            };
            (r.user_id, Existing { id: r.id, user_id: r.user_id, row })
        });
        (identifiers, existing.collect::<HashMap<_, _>>())
    };

    let query = ListUsersQuery {
        plan_id,
        include_last_login: true,
        display_contributor_seat_type: Some(true),
        ..ListUsersQuery::default()
    };
    let writer = Writer {
        db: db.clone(),
        result_id: recorder.id,
        profile_id,
        plan_model_usm: plan_id.is_some(),
        now,
        existing,
        identifiers,
        seen: HashSet::new(),
        odd: Oddities::default(),
    };
    // Batches are written by a task of their own while the next pages download. Even if this
    // run's future is dropped (the app quits), the writer ends the batch it is in whole —
    // committed or rolled back, never half-open on a pooled connection — and stops once the
    // channel is closed and drained.
    let (send, mut batches) = tokio::sync::mpsc::channel::<(Vec<User>, Vec<SkippedItem>)>(2);
    let writing = tokio::spawn(async move {
        let mut writer = writer;
        while let Some((users, skipped)) = batches.recv().await {
            writer.write(users, skipped).await?;
        }
        Ok::<_, Error>(writer)
    });
    let mut state = SyncProgress::new(SyncPhase::Users);
    // Users whose last login was dated after Smartsheet's clock, and the latest such date.
    let mut future_logins: (usize, Option<DateTime<Utc>>) = (0, None);
    let read = async {
        let mut pages = std::pin::pin!(client.list_users(query));
        let mut buffer: Vec<User> = Vec::new();
        let mut skipped: Vec<SkippedItem> = Vec::new();
        loop {
            let page = tokio::select! {
                biased;
                () = cancel.cancelled() => break,
                page = pages.next() => page,
            };
            let Some(page) = page else { break };
            let mut page = page?;
            // A last login after the server's own clock is refused (treated as unknown).
            let until = super::plausible_until(page.server_time, clock.now());
            for user in &mut page.data {
                if let Some(at) = user.last_login.filter(|at| *at > until) {
                    future_logins.0 += 1;
                    future_logins.1 = future_logins.1.max(Some(at));
                    user.last_login = None;
                }
            }
            state.pages_done += 1;
            state.pages_total = Some(u64::from(page.total_pages));
            state.users_read += page.data.len() as u64;
            buffer.extend(page.data);
            skipped.extend(page.skipped);
            // A closed channel means the writer failed; its error is reported below.
            if buffer.len() >= options.batch_size.max(1)
                && send.send((std::mem::take(&mut buffer), std::mem::take(&mut skipped))).await.is_err()
            {
                return Ok(());
            }
            progress(state);
        }
        let _ = send.send((buffer, skipped)).await;
        Ok::<_, Error>(())
    }
    .await;
    // Cancelling stops the reading; what was read is still written, whole batches at a time.
    drop(send);
    let written = writing.await.map_err(|e| Error::Internal(format!("writing subscriptions failed: {e}")))?;
    read?;
    let writer = written?;
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }

    // The whole list was read: close what is gone.
    progress(SyncProgress { phase: SyncPhase::Closing, ..state });
    let closing = tokio::spawn(writer.close_gone());
    let odd = closing.await.map_err(|e| Error::Internal(format!("closing subscriptions failed: {e}")))??;

    if let (count @ 1.., Some(latest)) = future_logins {
        recorder.warn(format!(
            "{count} users had a last login dated after Smartsheet's own clock (the latest {}); those dates were \
             refused and are treated as unknown. If this keeps happening, check this computer's clock and contact \
             Smartsheet support.",
            latest.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if !odd.without_identifier.is_empty() {
        let what = if plan_id.is_some() { "a seat type" } else { "a licence flag (licensedSheetCreator)" };
        let sample = odd.without_identifier.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        recorder.warn(format!(
            "{} users came without {what} and were skipped (left as they were), e.g. {sample}.",
            odd.without_identifier.len()
        ));
    }
    if !odd.unreadable.is_empty() {
        recorder.warn(format!(
            "{} users could not be read and were left as they were, e.g. {}.",
            odd.unreadable.len(),
            odd.unreadable[0]
        ));
    }
    if odd.unidentified > 0 {
        recorder.warn(format!(
            "{} users could not be read at all (not even their id), so this run closed no subscription.",
            odd.unidentified
        ));
    }
    if odd.listed_twice > 0 {
        recorder.warn(format!(
            "{} users were listed twice (the list changed while it was read); each was stored once.",
            odd.listed_twice
        ));
    }
    let mut unrecognized: Vec<_> = odd.unrecognized.into_iter().collect();
    unrecognized.sort();
    for (identifier, count) in unrecognized {
        recorder.warn(format!(
            "{count} subscriptions have the unrecognized subscription identifier “{identifier}”. Map it to a \
             software model under Unrecognized Subscription Identifiers."
        ));
    }
    progress(SyncProgress { phase: SyncPhase::Done, ..state });
    Ok(())
}

/// The plan of the organization: the token owner's internal plan (User Subscription Model), or
/// None for a legacy plan.
async fn detect_plan(client: &SmartsheetClient, recorder: &mut Recorder) -> Result<Option<i64>> {
    let me = client.current_user().await?;
    if !me.is_system_admin() {
        return Err(Error::Conflict(format!(
            "The API key belongs to {}, who is not a System Admin, so Smartsheet hides seat types and licences. \
             Enter a System Admin's API key in the connection and validate it again.",
            me.email
        )));
    }
    let query = UserPlansQuery { display_contributor_seat_type: Some(true), ..UserPlansQuery::default() };
    let pages: std::result::Result<Vec<_>, SmartsheetError> =
        client.list_user_plans(me.id, query).try_collect().await;
    match pages {
        Ok(pages) => Ok(pages
            .into_iter()
            .flat_map(|p| p.data)
            .find(|p| p.is_internal == Some(true))
            .map(|p| p.plan_id)),
        Err(e @ (SmartsheetError::NotFound { .. } | SmartsheetError::BadRequest { .. })) => {
            recorder.warn(format!(
                "Smartsheet did not list the plans of {} ({e}); the organization is treated as on a legacy plan.",
                me.email
            ));
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Owns what writing a download needs, so that it can run in a task of its own.
struct Writer {
    db: Db,
    result_id: i64,
    profile_id: i64,
    plan_model_usm: bool,
    now: DateTime<Utc>,
    existing: HashMap<i64, Existing>,
    identifiers: Identifiers,
    seen: HashSet<i64>,
    odd: Oddities,
}

impl Writer {
    fn identifier(&self, user: &User) -> Option<String> {
        if self.plan_model_usm {
            match user.seat_type.as_ref()? {
                SeatType::Viewer => Some(SeatType::Contributor.as_str().to_owned()),
                // An unknown seat type is stored as it came, at a readable length.
                seat => cap_opt(Some(seat.as_str().to_owned()), MAX_IDENTIFIER),
            }
        } else {
            let licensed = user.licensed_sheet_creator?;
            Some(if licensed { LEGACY_LICENSED } else { LEGACY_UNLICENSED }.to_owned())
        }
    }

    /// Upserts `users` in one transaction.
    async fn write(&mut self, users: Vec<User>, skipped: Vec<SkippedItem>) -> Result<()> {
        // A listed user that could not be read is still there: it is left as it was, never closed.
        for item in skipped {
            let who = item.email.clone().or(item.id.map(|id| format!("user {id}")));
            match item.id {
                Some(id) => {
                    self.seen.insert(id);
                }
                None => self.odd.unidentified += 1,
            }
            self.odd.unreadable.push(format!("{} ({})", who.as_deref().unwrap_or("a user"), item.problem));
        }
        if users.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.write().await?;
        let mut counts = Counts { users_read: users.len() as i64, ..Counts::default() };
        let mut unchanged = Vec::new();
        let mut changed: Vec<(i64, Row)> = Vec::new();
        for user in users {
            if !self.seen.insert(user.id) {
                self.odd.listed_twice += 1;
                continue;
            }
            let Some(identifier) = self.identifier(&user) else {
                self.odd.without_identifier.push(user.email.clone());
                continue;
            };
            let (model_id, _) = self.identifiers.resolve(&mut tx, &identifier, self.now).await?;
            if model_id.is_none() {
                *self.odd.unrecognized.entry(identifier.clone()).or_default() += 1;
            }
            let user_id = user.id;
            let old = self.existing.get(&user_id);
            let row = self.row(user, identifier, model_id, old);
            match old {
                None => {
                    counts.created += 1;
                    counts.closed += i64::from(row.closed_at.is_some());
                    changed.push((user_id, row));
                }
                Some(old) if old.row != row => {
                    counts.updated += 1;
                    counts.closed += i64::from(old.row.closed_at.is_none() && row.closed_at.is_some());
                    changed.push((user_id, row));
                }
                Some(old) => unchanged.push(old.id),
            }
        }
        for chunk in changed.chunks(ROWS_PER_UPSERT) {
            upsert(&mut tx, self.profile_id, chunk, self.now).await?;
        }
        for chunk in unchanged.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!("UPDATE software_subscriptions SET last_seen = ? WHERE id IN ({marks})");
            let mut q = sqlx::query(&sql).bind(self.now);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await?;
        }
        Recorder::add_counts_to(&mut tx, self.result_id, counts).await?;
        tx.commit().await?;
        Ok(())
    }

    /// After the whole list was read: closes the open subscriptions of users no longer listed
    /// (and refreshes last-login activity), in one transaction. Returns what the run noticed.
    async fn close_gone(self) -> Result<Oddities> {
        let (profile_id, now) = (self.profile_id, self.now);
        // A user that could not be identified may be any of the open subscriptions: close none.
        let gone: Vec<i64> = if self.odd.unidentified > 0 {
            Vec::new()
        } else {
            self.existing
                .values()
                .filter(|e| e.row.closed_at.is_none() && !self.seen.contains(&e.user_id))
                .map(|e| e.id)
                .collect()
        };
        let mut tx = self.db.write().await?;
        for id in &gone {
            sqlx::query!(
                "UPDATE software_subscriptions SET closed_at = ?, closed_reason = 'removed' WHERE id = ? \
                 AND closed_at IS NULL",
                now,
                id
            )
            .execute(&mut *tx)
            .await?;
        }
        Recorder::add_counts_to(
            &mut tx,
            self.result_id,
            Counts { closed: gone.len() as i64, ..Counts::default() },
        )
        .await?;
        let source = sqlx::query_scalar!(
            r#"SELECT activity_source AS "source: activity::ActivitySource" FROM sync_state WHERE profile_id = ?"#,
            profile_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        if source == Some(activity::ActivitySource::LastLogin) {
            activity::refresh_from_last_login(&mut tx, profile_id, now).await?;
        }
        sqlx::query!(
            "UPDATE sync_state SET last_subscriptions_sync_at = ? WHERE profile_id = ?",
            now,
            profile_id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(self.odd)
    }

    fn row(&self, user: User, identifier: String, model_id: Option<i64>, old: Option<&Existing>) -> Row {
        let deactivated = user.status == Some(UserStatus::Deactivated);
        let (closed_at, closed_reason) = if deactivated {
            let since = old
                .filter(|o| o.row.closed_reason == Some(ClosedReason::Deactivated))
                .and_then(|o| o.row.closed_at)
                .unwrap_or(self.now);
            (Some(since), Some(ClosedReason::Deactivated))
        } else {
            (None, None)
        };
        let name = user.name.filter(|n| !n.trim().is_empty()).or_else(|| {
            let joined = [user.first_name.as_deref(), user.last_name.as_deref()]
                .into_iter()
                .flatten()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (!joined.is_empty()).then_some(joined)
        });
        // What the server said is stored at a readable length.
        Row {
            email: cap_opt(Some(user.email), MAX_NAME).unwrap_or_default(),
            name: cap_opt(name, MAX_NAME),
            identifier,
            model_id,
            status: cap_opt(user.status.map(|s| s.as_str().to_owned()), MAX_IDENTIFIER),
            is_internal: user.is_internal,
            is_admin: user.admin,
            is_group_admin: user.group_admin,
            is_resource_viewer: user.resource_viewer,
            seat_changed_at: user.seat_type_last_changed_at,
            provisional_expires_at: user.provisional_expiration_date,
            last_login: user.last_login,
            closed_at,
            closed_reason,
        }
    }
}

/// Rows per multi-row upsert in [`upsert`] (18 parameters each, far below SQLite's limit). One
/// statement per row cost a round trip to sqlx's SQLite thread each: 50,000 thread hand-offs for
/// 50,000 users.
const ROWS_PER_UPSERT: usize = 250;

/// Inserts new subscriptions and updates changed ones (by profile and user id) in one statement.
/// An update keeps `first_seen`.
async fn upsert(
    conn: &mut SqliteConnection,
    profile_id: i64,
    rows: &[(i64, Row)],
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO software_subscriptions (profile_id, user_id, email, name, identifier, model_id, status, \
         is_internal, is_admin, is_group_admin, is_resource_viewer, seat_changed_at, provisional_expires_at, \
         last_login, first_seen, last_seen, closed_at, closed_reason) VALUES {} \
         ON CONFLICT (profile_id, user_id) DO UPDATE SET email = excluded.email, name = excluded.name, \
         identifier = excluded.identifier, model_id = excluded.model_id, status = excluded.status, \
         is_internal = excluded.is_internal, is_admin = excluded.is_admin, \
         is_group_admin = excluded.is_group_admin, is_resource_viewer = excluded.is_resource_viewer, \
         seat_changed_at = excluded.seat_changed_at, provisional_expires_at = excluded.provisional_expires_at, \
         last_login = excluded.last_login, last_seen = excluded.last_seen, closed_at = excluded.closed_at, \
         closed_reason = excluded.closed_reason",
        vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (user_id, row) in rows {
        query = query
            .bind(profile_id)
            .bind(user_id)
            .bind(&row.email)
            .bind(&row.name)
            .bind(&row.identifier)
            .bind(row.model_id)
            .bind(&row.status)
            .bind(row.is_internal)
            .bind(row.is_admin)
            .bind(row.is_group_admin)
            .bind(row.is_resource_viewer)
            .bind(row.seat_changed_at)
            .bind(row.provisional_expires_at)
            .bind(row.last_login)
            .bind(now)
            .bind(now)
            .bind(row.closed_at)
            .bind(row.closed_reason);
    }
    query.execute(conn).await?;
    Ok(())
}
