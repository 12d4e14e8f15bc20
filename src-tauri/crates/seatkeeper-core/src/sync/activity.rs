//! "Refresh `<name>` Events": per-user last activity and per-user-per-day activity counts.
//!
//! With Event Reporting (the profile's last validation said so, or it was not checked and
//! `GET /events` does not answer 403), the stream is read from the profile's "Analyze user
//! activity from" the first time and from the stored stream position afterwards. Each page is
//! folded (last activity = latest event per user; counts per user and UTC day; per user and kind
//! of event — object type and action — the latest event and how many) and committed in
//! ONE transaction with the page's `nextStreamPosition` and the job result's `events_read`, so a
//! failed or killed run leaves whole pages and resumes after the last committed one: nothing is
//! read twice and nothing counted twice. Only aggregates are stored, never the raw events.
//!
//! What counts: every event except those of Smartsheet's system users
//! ([`super::SYSTEM_USER_IDS`]) and those whose `OBJECT_TYPE:ACTION` the admin excluded
//! ([`set_excluded_event_kinds`]; `SHEET:*` excludes every action on sheets). Events of user ids
//! that have no subscription (yet) are counted by user id all the same: the subscriptions list
//! joins them by id, and a user added since the last download is not missed.
//!
//! The aggregates belong to one starting date and one set of exclusions: when either changes, the
//! next run clears the events-based aggregates and reads the stream again from the start.
//!
//! The server is not trusted: a run reads at most the pages an organization of its size could
//! fill since it last read ([`page_limit`]), a position that comes back or a page without one ends
//! the run (the stream refuses the page; see `smartsheet::paging`), and an event dated after the
//! server's clock is refused with a warning ([`super::plausible_until`]) — a date in the future
//! would keep its user active for ever. A run that stops so keeps what it committed, and the next
//! one continues from there. (A server that loops across runs may make a page be counted in two
//! runs: its daily counts, never a user's last activity, which is a maximum.)
//!
//! Without Event Reporting, last activity is each subscription's `lastLogin` (source
//! `last_login`), refreshed by this job and by every subscriptions download while that is the
//! source.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use futures::future::BoxFuture;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use tokio_util::task::AbortOnDropHandle;

use super::{is_system_user, Progress, SyncPhase, SyncProgress};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::jobs::results::{Counts, Recorder};
use crate::jobs::RunContext;
use crate::server_text::cap;
use crate::smartsheet::{ActivityEvent, EventPage, EventsStart, SmartsheetError};

/// Where a user's last activity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "sync.ts")]
pub enum ActivitySource {
    /// Smartsheet's Event Reporting stream.
    Events,
    /// The user's last login (no Event Reporting).
    LastLogin,
}

/// The activity settings and state of a profile, for the profile page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct ActivitySettings {
    /// `OBJECT_TYPE:ACTION` pairs that do not count as activity (`*` for any). Empty: every
    /// user-initiated event counts.
    pub excluded_event_kinds: Vec<String>,
    /// Where last activity came from in the last activity run (none before the first).
    pub activity_source: Option<ActivitySource>,
    /// The date the event stream was first read from.
    pub events_from: Option<DateTime<Utc>>,
    /// Whether a stream position is stored (the next run continues from it).
    pub has_stream_position: bool,
    pub last_events_sync_at: Option<DateTime<Utc>>,
}

/// A user's last activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct UserActivity {
    /// Smartsheet's user id, as a string (ids may exceed what a JavaScript number holds exactly).
    pub user_id: String,
    pub last_activity_at: DateTime<Utc>,
    pub source: ActivitySource,
}

#[derive(Debug, Default)]
struct State {
    events_from: Option<DateTime<Utc>>,
    events_position: Option<String>,
    last_events_sync_at: Option<DateTime<Utc>>,
    activity_source: Option<ActivitySource>,
    excluded_event_kinds: String,
}

async fn load_state(conn: &mut SqliteConnection, profile_id: i64) -> Result<State> {
    Ok(sqlx::query_as!(
        State,
        r#"SELECT events_from AS "events_from: DateTime<Utc>", events_position,
               last_events_sync_at AS "last_events_sync_at: DateTime<Utc>",
               activity_source AS "activity_source: ActivitySource", excluded_event_kinds
           FROM sync_state WHERE profile_id = ?"#,
        profile_id
    )
    .fetch_optional(conn)
    .await?
    .unwrap_or_else(|| State { excluded_event_kinds: "[]".into(), ..State::default() }))
}

fn parse_kinds(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The activity settings and state of a profile (NotFound when there is no such profile).
pub async fn activity_settings(db: &Db, profile_id: i64) -> Result<ActivitySettings> {
    let mut conn = db.pool().acquire().await?;
    crate::profiles::ensure_exists(&mut conn, profile_id).await?;
    let state = load_state(&mut conn, profile_id).await?;
    Ok(ActivitySettings {
        excluded_event_kinds: parse_kinds(&state.excluded_event_kinds),
        activity_source: state.activity_source,
        events_from: state.events_from,
        has_stream_position: state.events_position.is_some(),
        last_events_sync_at: state.last_events_sync_at,
    })
}

const KINDS_FIELD: &str = "excludedEventKinds";

/// Trims, upper-cases, checks, de-duplicates and sorts `OBJECT_TYPE:ACTION` patterns. Each part is
/// letters and underscores, or `*` for any; `*:*` is refused (it would leave no activity at all).
fn normalize_event_kinds(kinds: &[String]) -> Result<Vec<String>> {
    let mut clean = Vec::new();
    for raw in kinds {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Error::validation(
                KINDS_FIELD,
                "An event type can't be empty: enter it as OBJECT_TYPE:ACTION, for example SHEET:LOAD.",
            ));
        }
        let kind = raw.to_ascii_uppercase();
        let part =
            |p: &str| p == "*" || (!p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        let valid = kind.split_once(':').is_some_and(|(object, action)| part(object) && part(action));
        if !valid {
            return Err(Error::validation(
                KINDS_FIELD,
                format!(
                    "“{raw}” is not an event type. Enter OBJECT_TYPE:ACTION in letters and underscores, with * \
                     for any object type or any action (for example SHEET:LOAD or ACCESS_TOKEN:*)."
                ),
            ));
        }
        if kind == "*:*" {
            return Err(Error::validation(
                KINDS_FIELD,
                "“*:*” would exclude every event, so no user would ever count as active. To count every \
                 user-initiated event, leave the list empty.",
            ));
        }
        if !clean.contains(&kind) {
            clean.push(kind);
        }
    }
    clean.sort();
    Ok(clean)
}

/// Sets which `OBJECT_TYPE:ACTION` pairs do not count as activity (e.g. `USER:LOGIN`,
/// `SHEET:*`). A change makes the next activity run read the stream again from the start.
/// A malformed pattern is a Validation error on `excludedEventKinds`, and nothing is stored.
pub async fn set_excluded_event_kinds(db: &Db, profile_id: i64, kinds: &[String]) -> Result<()> {
    let clean = normalize_event_kinds(kinds)?;
    let json = serde_json::to_string(&clean).map_err(|e| Error::Internal(e.to_string()))?;
    let mut tx = db.write().await?;
    crate::profiles::ensure_exists(&mut tx, profile_id).await?;
    let current = load_state(&mut tx, profile_id).await?;
    if parse_kinds(&current.excluded_event_kinds) != clean {
        // Forget where the stream was read from: the next run starts over with the new rule.
        sqlx::query!(
            "INSERT INTO sync_state (profile_id, excluded_event_kinds) VALUES (?, ?) ON CONFLICT (profile_id) \
             DO UPDATE SET excluded_event_kinds = excluded.excluded_event_kinds, events_from = NULL, \
             events_position = NULL",
            profile_id,
            json
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The users' last activity of a profile.
pub async fn list_user_activity(db: &Db, profile_id: i64) -> Result<Vec<UserActivity>> {
    Ok(sqlx::query_as!(
        UserActivity,
        r#"SELECT CAST(user_id AS TEXT) AS "user_id!: String", last_activity_at AS "last_activity_at: DateTime<Utc>",
               source AS "source: ActivitySource"
           FROM user_activity WHERE profile_id = ? ORDER BY user_id"#,
        profile_id
    )
    .fetch_all(db.pool())
    .await?)
}

/// Counted events per user and UTC day: (user id, day, count).
pub async fn list_daily_activity(db: &Db, profile_id: i64) -> Result<Vec<(i64, NaiveDate, i64)>> {
    let rows = sqlx::query!(
        "SELECT user_id, day, count FROM user_activity_daily WHERE profile_id = ? ORDER BY user_id, day",
        profile_id
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            let (user, day, count) = (row.user_id, row.day, row.count);
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|e| Error::Internal(format!("bad day {day} in user_activity_daily: {e}")))?;
            Ok((user, day, count))
        })
        .collect()
}

/// Which events count.
#[derive(Clone)]
struct Filter {
    excluded: Vec<(String, String)>,
}

impl Filter {
    fn new(kinds: &[String]) -> Self {
        let excluded = kinds
            .iter()
            .filter_map(|k| k.split_once(':'))
            .map(|(o, a)| (o.to_owned(), a.to_owned()))
            .collect();
        Self { excluded }
    }

    fn counts(&self, event: &ActivityEvent) -> bool {
        if is_system_user(event.user_id) {
            return false;
        }
        let (object, action) = (event.object_type.as_str(), event.action.as_str());
        !self.excluded.iter().any(|(o, a)| (o == "*" || o == object) && (a == "*" || a == action))
    }
}

/// The job's code ([`crate::jobs::JobSpec::run`]).
pub(crate) fn run<'a>(context: RunContext<'a>, recorder: &'a mut Recorder) -> BoxFuture<'a, Result<()>> {
    Box::pin(update(context, recorder))
}

async fn update(context: RunContext<'_>, recorder: &mut Recorder) -> Result<()> {
    let RunContext { db, client, profile_id, clock, options, progress, cancel } = context;
    let (from, event_reporting, state, users) = {
        let mut conn = db.pool().acquire().await?;
        let from = sqlx::query_scalar!(
            r#"SELECT analyze_activity_from AS "from: DateTime<Utc>" FROM profiles WHERE id = ?"#,
            profile_id
        )
        .fetch_one(&mut *conn)
        .await?;
        let event_reporting =
            crate::validation::load(&mut conn, profile_id).await?.and_then(|v| v.event_reporting);
        let users = sqlx::query_scalar!(
            "SELECT count(*) FROM software_subscriptions WHERE profile_id = ? AND closed_at IS NULL",
            profile_id
        )
        .fetch_one(&mut *conn)
        .await?;
        (from, event_reporting, load_state(&mut conn, profile_id).await?, users)
    };
    if event_reporting == Some(false) {
        return from_last_login(db, profile_id, clock, progress).await;
    }

    // The aggregates belong to one starting date: a new date (or exclusions, which clear
    // events_from) starts over.
    let start = match (&state.events_position, state.events_from) {
        (Some(position), Some(events_from)) if events_from == from => EventsStart::Position(position.clone()),
        _ => {
            db.write_detached(move |tx| {
                Box::pin(async move {
                    clear_events(tx, profile_id).await?;
                    sqlx::query!(
                        "INSERT INTO sync_state (profile_id, events_from) VALUES (?, ?) ON CONFLICT (profile_id) \
                         DO UPDATE SET events_from = excluded.events_from, events_position = NULL",
                        profile_id,
                        from
                    )
                    .execute(&mut *tx)
                    .await?;
                    Ok(())
                })
            })
            .await?;
            if state.events_from.is_some_and(|f| f != from) {
                recorder.warn(
                    "“Analyze user activity from” or the counted event types changed: activity was read again \
                     from the start.",
                );
            }
            EventsStart::Since { since: from, to: None }
        }
    };
    let filter = Filter::new(&parse_kinds(&state.excluded_event_kinds));
    // The stream is not trusted to end: at most this many pages in one run (what was read is
    // committed, and the next run continues from there).
    let since = match &start {
        EventsStart::Since { since, .. } => *since,
        _ => state.last_events_sync_at.unwrap_or(from),
    };
    let max_pages = page_limit(users, since, clock.now(), options.events_page_size);

    // Read ahead: the next page is fetched and decoded while earlier ones are folded and written
    // (one page ahead, to keep memory flat). The reader stops at the first error, and when this
    // run ends (its channel closes).
    let (send, mut pages) = tokio::sync::mpsc::channel(1);
    let stream =
        client.event_stream_within::<ActivityEvent>(start, Some(options.events_page_size), max_pages);
    let _reader = AbortOnDropHandle::new(tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(page) = stream.next().await {
            let failed = page.is_err();
            if send.send(page).await.is_err() || failed {
                break;
            }
        }
    }));
    let mut status = SyncProgress::new(SyncPhase::Events);
    let mut first = true;
    // Pages are folded into `batch` and committed together once it holds events_per_commit
    // events, by a task of its own while the next batch is read. At most one commit is under way
    // (the next waits for it), so memory stays at two batches; commits go in stream order, each
    // with the position after its last page, and none follows a failed one.
    let mut batch = Batch::default();
    let mut committing: Option<AbortOnDropHandle<Result<()>>> = None;
    let result_id = recorder.id;
    let commit = |batch: Batch| {
        let (db, now) = (db.clone(), clock.now());
        AbortOnDropHandle::new(tokio::spawn(async move {
            db.write_detached(move |tx| Box::pin(batch.write(tx, profile_id, result_id, now))).await
        }))
    };
    let committed = |handle: AbortOnDropHandle<Result<()>>| async move {
        handle.await.map_err(|e| Error::Internal(format!("writing events failed: {e}")))?
    };
    // Events Smartsheet sent that could not be read (skipped, counted, reported once).
    let mut unreadable: (usize, Option<String>) = (0, None);
    // Pages with events dated after the server's own clock (refused), and the latest such date.
    let mut future: (usize, Option<DateTime<Utc>>) = (0, None);
    let outcome: Result<()> = loop {
        // Cancelling stops the reading, never a write: what was read is committed below.
        let page = tokio::select! {
            biased;
            () = cancel.cancelled() => break Err(Error::Cancelled),
            page = pages.recv() => page,
        };
        let Some(page) = page else { break Ok(()) };
        let page = match page {
            Ok(page) => page,
            Err(SmartsheetError::Forbidden { .. }) if first => {
                recorder.warn(
                    "Smartsheet refused to read Event Reporting (403): the organization does not have the Event \
                     Reporting add-on, or the key's owner may not read it. Last activity comes from last-login \
                     dates instead.",
                );
                return from_last_login(db, profile_id, clock, progress).await;
            }
            Err(e) => break Err(e.into()),
        };
        first = false;
        if let Some(skipped) = &page.skipped {
            unreadable.0 += skipped.count;
            unreadable.1.get_or_insert_with(|| skipped.first_problem.clone());
        }
        let until = super::plausible_until(page.server_time, clock.now());
        if let Some(latest) = batch.fold(&filter, &page, until) {
            future.0 += 1;
            future.1 = future.1.max(Some(latest));
        }
        status.pages_done += 1;
        status.events_read += page.data.len() as u64;
        progress(status);
        if batch.events >= options.events_per_commit.max(1) {
            if let Some(previous) = committing.take() {
                committed(previous).await?;
            }
            committing = Some(commit(std::mem::take(&mut batch)));
        }
    };
    if let (count @ 1.., Some(problem)) = unreadable {
        recorder.warn(format!(
            "{count} events could not be read and were skipped; they do not count as activity. The first: {problem}"
        ));
    }
    if let (pages @ 1.., Some(latest)) = future {
        recorder.warn(format!(
            "{pages} pages held events dated after Smartsheet's own clock (the latest {}); they were refused and \
             do not count as activity. If this keeps happening, check this computer's clock and contact Smartsheet \
             support.",
            latest.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    // Whatever was read is committed, also when the run was cancelled or a later page failed.
    if let Some(previous) = committing.take() {
        committed(previous).await?;
    }
    if batch.events > 0 || batch.position.is_some() {
        committed(commit(batch)).await?;
    }
    outcome?;
    let now = clock.now();
    sqlx::query!(
        "UPDATE sync_state SET last_events_sync_at = ?, activity_source = 'events' WHERE profile_id = ?",
        now,
        profile_id
    )
    .execute(db.pool())
    .await?;
    progress(SyncProgress { phase: SyncPhase::Done, ..status });
    Ok(())
}

/// Pages of events folded into aggregates, to be committed together.
#[derive(Default)]
struct Batch {
    /// Per user, the latest counted event.
    last: HashMap<i64, DateTime<Utc>>,
    /// Per (UTC day, user), how many counted events.
    daily: HashMap<(NaiveDate, i64), i64>,
    /// Per (user, object type, action), the latest counted event and how many.
    kinds: HashMap<(i64, String, String), (DateTime<Utc>, i64)>,
    /// Events read (counted or not).
    events: usize,
    /// The stream position after the last page that had one.
    position: Option<String>,
}

/// Rows per multi-row upsert in [`Batch::write`] (at most 6 parameters each, far below SQLite's
/// limit).
/// Plain `?` parameters: sqlx looks each numbered one (`?NNN`) up by a linear scan, which made a
/// statement of 500 rows quadratic.
const ROWS_PER_INSERT: usize = 500;

impl Batch {
    /// Folds the page's counted events. Events dated after `until` (the server's clock) are
    /// refused: a date in the future would count as activity for ever. Returns the latest refused
    /// date, if any.
    fn fold(
        &mut self,
        filter: &Filter,
        page: &EventPage<ActivityEvent>,
        until: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut refused = None;
        for event in page.data.iter().filter(|e| filter.counts(e)) {
            let at = event.event_timestamp;
            if at > until {
                refused = refused.max(Some(at));
                continue;
            }
            self.last.entry(event.user_id).and_modify(|t| *t = (*t).max(at)).or_insert(at);
            *self.daily.entry((at.date_naive(), event.user_id)).or_default() += 1;
            let kind = self.kinds.entry(kind_key(event)).or_insert((at, 0));
            kind.0 = kind.0.max(at);
            kind.1 += 1;
        }
        self.events += page.data.len();
        if page.next_stream_position.is_some() {
            self.position.clone_from(&page.next_stream_position);
        }
        refused
    }

    /// Adds the aggregates, stores the stream position after them and adds the events read to the
    /// result — all in the caller's transaction. Rows go in key order, so that each statement
    /// walks the b-tree forward.
    async fn write(
        self,
        tx: &mut SqliteConnection,
        profile_id: i64,
        result_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut last: Vec<(i64, DateTime<Utc>)> = self.last.into_iter().collect();
        last.sort_unstable_by_key(|&(user_id, _)| user_id);
        for chunk in last.chunks(ROWS_PER_INSERT) {
            // Timestamps are stored as sqlx writes them (RFC 3339, same offset), which sort as text.
            let sql = format!(
                "INSERT INTO user_activity (profile_id, user_id, last_activity_at, source, updated_at) VALUES {} \
                 ON CONFLICT (profile_id, user_id) DO UPDATE SET \
                 last_activity_at = CASE WHEN user_activity.source = 'events' \
                   AND user_activity.last_activity_at > excluded.last_activity_at \
                   THEN user_activity.last_activity_at ELSE excluded.last_activity_at END, \
                 source = 'events', updated_at = excluded.updated_at",
                vec!["(?, ?, ?, 'events', ?)"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (user_id, at) in chunk {
                query = query.bind(profile_id).bind(user_id).bind(at).bind(now);
            }
            query.execute(&mut *tx).await?;
        }
        let mut daily: Vec<((NaiveDate, i64), i64)> = self.daily.into_iter().collect();
        daily.sort_unstable_by_key(|&(key, _)| key);
        for chunk in daily.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO user_activity_daily (profile_id, day, user_id, count) VALUES {} \
                 ON CONFLICT (profile_id, day, user_id) DO UPDATE SET count = count + excluded.count",
                vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(&sql);
            for ((day, user_id), count) in chunk {
                // NaiveDate displays as YYYY-MM-DD.
                query = query.bind(profile_id).bind(day.to_string()).bind(user_id).bind(count);
            }
            query.execute(&mut *tx).await?;
        }
        let mut kinds: Vec<_> = self.kinds.into_iter().collect();
        kinds.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        for chunk in kinds.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO user_activity_kinds (profile_id, user_id, object_type, action, last_at, count) \
                 VALUES {} ON CONFLICT (profile_id, user_id, object_type, action) DO UPDATE SET \
                 last_at = max(last_at, excluded.last_at), count = count + excluded.count",
                vec!["(?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(&sql);
            for ((user_id, object_type, action), (at, count)) in chunk {
                query =
                    query.bind(profile_id).bind(user_id).bind(object_type).bind(action).bind(at).bind(count);
            }
            query.execute(&mut *tx).await?;
        }
        // Recount the users of the days this batch added to (`daily` is in day order).
        let mut days: Vec<String> = daily.iter().map(|((day, _), _)| day.to_string()).collect();
        days.dedup();
        let days = serde_json::to_string(&days).map_err(|e| Error::Internal(e.to_string()))?;
        sqlx::query!(
            "INSERT INTO user_activity_days (profile_id, day, users) \
             SELECT ?1, d.day, count(*) FROM user_activity_daily d \
             WHERE d.profile_id = ?1 AND d.day IN (SELECT value FROM json_each(?2)) GROUP BY d.day \
             ON CONFLICT (profile_id, day) DO UPDATE SET users = excluded.users",
            profile_id,
            days
        )
        .execute(&mut *tx)
        .await?;
        if let Some(position) = &self.position {
            sqlx::query!(
                "UPDATE sync_state SET events_position = ?, last_events_sync_at = ?, activity_source = 'events' \
                 WHERE profile_id = ?",
                position,
                now,
                profile_id
            )
            .execute(&mut *tx)
            .await?;
        }
        Recorder::add_counts_to(
            tx,
            result_id,
            Counts { events_read: self.events as i64, ..Counts::default() },
        )
        .await
    }
}

/// The longest object type or action kept: they are the server's text, and an unknown one is
/// stored as it came.
const MAX_KIND: usize = 64;

/// An event's user and kind, as `user_activity_kinds` keys them.
fn kind_key(event: &ActivityEvent) -> (i64, String, String) {
    (event.user_id, cap(event.object_type.as_str(), MAX_KIND), cap(event.action.as_str(), MAX_KIND))
}

/// How many pages of events one run may read: what an organization of `users` users could
/// produce since `since` at [`EVENTS_PER_USER_DAY`] (a generous average), at least
/// [`MIN_EVENT_PAGES`].
fn page_limit(users: i64, since: DateTime<Utc>, now: DateTime<Utc>, page_size: u32) -> u64 {
    let users = u64::try_from(users).unwrap_or(0).max(100);
    let days = u64::try_from((now - since).num_days()).unwrap_or(0) + 2;
    let events = users.saturating_mul(days).saturating_mul(EVENTS_PER_USER_DAY);
    (events / u64::from(page_size.max(1))).max(MIN_EVENT_PAGES)
}

/// See [`page_limit`]: far more than people produce (system users' automation included), so that
/// only a stream that does not end reaches it.
const EVENTS_PER_USER_DAY: u64 = 200;
/// See [`page_limit`].
const MIN_EVENT_PAGES: u64 = 100;

/// Removes the events-based aggregates (and the last-login ones, which the events replace).
async fn clear_events(conn: &mut SqliteConnection, profile_id: i64) -> Result<()> {
    sqlx::query!("DELETE FROM user_activity WHERE profile_id = ?", profile_id).execute(&mut *conn).await?;
    sqlx::query!("DELETE FROM user_activity_daily WHERE profile_id = ?", profile_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM user_activity_days WHERE profile_id = ?", profile_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM user_activity_kinds WHERE profile_id = ?", profile_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// No Event Reporting: last activity is the last login, and the stream state is forgotten (if
/// Event Reporting comes back, the stream is read again from the start).
async fn from_last_login(db: &Db, profile_id: i64, clock: &dyn Clock, progress: Progress<'_>) -> Result<()> {
    progress(SyncProgress::new(SyncPhase::LastLogin));
    let now = clock.now();
    db.write_detached(move |tx| {
        Box::pin(async move {
            clear_events(tx, profile_id).await?;
            sqlx::query!(
                "INSERT INTO sync_state (profile_id, activity_source, last_events_sync_at) VALUES (?, 'last_login', ?) \
                 ON CONFLICT (profile_id) DO UPDATE SET activity_source = 'last_login', events_from = NULL, \
                 events_position = NULL, last_events_sync_at = excluded.last_events_sync_at",
                profile_id,
                now
            )
            .execute(&mut *tx)
            .await?;
            refresh_from_last_login(tx, profile_id, now).await
        })
    })
    .await?;
    progress(SyncProgress::new(SyncPhase::Done));
    Ok(())
}

/// Sets every subscription's last activity to its last login (source `last_login`).
pub(crate) async fn refresh_from_last_login(
    conn: &mut SqliteConnection,
    profile_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO user_activity (profile_id, user_id, last_activity_at, source, updated_at) \
         SELECT profile_id, user_id, last_login, 'last_login', ? FROM software_subscriptions \
         WHERE profile_id = ? AND last_login IS NOT NULL \
         ON CONFLICT (profile_id, user_id) DO UPDATE SET last_activity_at = excluded.last_activity_at, \
         source = 'last_login', updated_at = excluded.updated_at",
        now,
        profile_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn event_kinds_are_normalized() {
        let clean = normalize_event_kinds(&kinds(&[
            " sheet:load ",
            "USER:*",
            "*:LOAD",
            "SHEET:LOAD",
            "access_token:*",
        ]));
        assert_eq!(clean.unwrap(), ["*:LOAD", "ACCESS_TOKEN:*", "SHEET:LOAD", "USER:*"]);
        assert_eq!(normalize_event_kinds(&[]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn bad_event_kinds_are_validation_errors_on_the_field() {
        for bad in [
            "",
            "  ",
            "SHEET",
            "SHEET LOAD",
            "SHEET:",
            ":LOAD",
            "SHEET:LOAD:X",
            "SHEET_*:LOAD",
            "SHEET:LO AD",
            "SHEET2:LOAD",
            "*:*",
        ] {
            let err = normalize_event_kinds(&kinds(&["USER:LOGIN", bad])).unwrap_err();
            assert_eq!(err.field(), Some(KINDS_FIELD), "{bad:?}");
            assert!(matches!(err, Error::Validation { .. }), "{bad:?}: {err:?}");
        }
        let err = normalize_event_kinds(&kinds(&["sheet load"])).unwrap_err();
        assert!(err.to_string().contains("“sheet load” is not an event type"), "{err}");
        assert!(normalize_event_kinds(&kinds(&["*:*"]))
            .unwrap_err()
            .to_string()
            .contains("leave the list empty"));
    }

    #[tokio::test]
    async fn unknown_profiles_are_not_found_and_bad_patterns_store_nothing() {
        let db = Db::open_in_memory().await.unwrap();
        assert!(matches!(activity_settings(&db, 7).await, Err(Error::NotFound(_))));
        let err = set_excluded_event_kinds(&db, 7, &kinds(&["SHEET LOAD"])).await.unwrap_err();
        assert_eq!(err.field(), Some(KINDS_FIELD));
        assert!(matches!(
            set_excluded_event_kinds(&db, 7, &kinds(&["SHEET:LOAD"])).await,
            Err(Error::NotFound(_))
        ));
    }

    /// A page of events `(user, OBJECT_TYPE, ACTION, time)`, as Smartsheet sends them.
    fn page(events: &[(i64, &str, &str, &str)]) -> EventPage<ActivityEvent> {
        let data: Vec<_> = events
            .iter()
            .map(|(user, object, action, at)| {
                serde_json::json!({"objectType": object, "action": action, "eventTimestamp": at, "userId": user})
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "data": data })).unwrap()
    }

    /// Per-kind activity adds up across batches (counts) and keeps the latest event even when a
    /// later batch brings an older one; system users and excluded kinds are not counted, and an
    /// unknown kind the server sends is kept at a readable length.
    #[tokio::test]
    async fn kinds_add_up_and_keep_the_latest_event_across_batches() {
        let db = Db::open_in_memory().await.unwrap();
        let now = "2026-11-29T00:00:00Z";
        for sql in [
            "INSERT INTO connections (id, name, name_key, url, key_id, created_at, updated_at) \
             VALUES (1, 'c', 'c', 'https://example.test', 'k', ?1, ?1)",
            "INSERT INTO profiles (id, display_name, display_name_key, status, connection_id, download_activity, \
             analyze_activity_from, reclaim_subscriptions, created_at, updated_at) \
             VALUES (3, 'Acme', 'acme', 'draft', 1, 1, ?1, 1, ?1, ?1)",
        ] {
            sqlx::query(sql).bind(now).execute(db.pool()).await.unwrap();
        }
        let filter = Filter::new(&kinds(&["USER:LOGIN"]));
        let until: DateTime<Utc> = "2026-11-29T00:00:00Z".parse().unwrap();
        let long = "X".repeat(200);
        let batches = [
            page(&[
                (7, "SHEET", "LOAD", "2026-11-20T10:00:00Z"),
                (7, "SHEET", "LOAD", "2026-11-21T10:00:00Z"),
                (7, "USER", "LOGIN", "2026-11-21T11:00:00Z"),
                (super::super::SYSTEM_USER_IDS[0], "SHEET", "LOAD", "2026-11-21T12:00:00Z"),
                (8, "REPORT", "LOAD", "2026-11-19T09:00:00Z"),
            ]),
            // Older than what is stored for user 7's sheet loads; newer for user 8's report.
            page(&[
                (7, "SHEET", "LOAD", "2026-11-18T10:00:00Z"),
                (8, "REPORT", "LOAD", "2026-11-22T09:00:00Z"),
                (8, &long, "LOAD", "2026-11-22T09:30:00Z"),
            ]),
        ];
        for events in &batches {
            let mut batch = Batch::default();
            assert_eq!(batch.fold(&filter, events, until), None);
            let mut conn = db.pool().acquire().await.unwrap();
            batch.write(&mut conn, 3, 0, until).await.unwrap();
        }
        let stored: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT user_id, object_type, action, last_at, count FROM user_activity_kinds WHERE profile_id = 3 \
             ORDER BY user_id, object_type, action",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        let at = |s: &str| crate::db::db_time(s.parse().unwrap());
        let capped = cap(&long, MAX_KIND);
        assert!(capped.chars().count() < 100, "{capped}");
        assert_eq!(
            stored,
            [
                (7, "SHEET".into(), "LOAD".into(), at("2026-11-21T10:00:00Z"), 3),
                (8, "REPORT".into(), "LOAD".into(), at("2026-11-22T09:00:00Z"), 2),
                (8, capped, "LOAD".into(), at("2026-11-22T09:30:00Z"), 1),
            ]
        );
        // Cleared with the other aggregates.
        clear_events(&mut db.pool().acquire().await.unwrap(), 3).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM user_activity_kinds")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
    }

    #[tokio::test]
    async fn a_change_is_stored_normalized_and_forgets_the_stream_position() {
        let db = Db::open_in_memory().await.unwrap();
        let now = "2026-11-29T00:00:00Z";
        sqlx::query(
            "INSERT INTO connections (id, name, name_key, url, key_id, created_at, updated_at) \
             VALUES (1, 'c', 'c', 'https://example.test', 'k', ?1, ?1)",
        )
        .bind(now)
        .execute(db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO profiles (id, display_name, display_name_key, status, connection_id, download_activity, \
             analyze_activity_from, reclaim_subscriptions, created_at, updated_at) \
             VALUES (3, 'Acme', 'acme', 'draft', 1, 1, ?1, 1, ?1, ?1)",
        )
        .bind(now)
        .execute(db.pool())
        .await
        .unwrap();
        let settings = activity_settings(&db, 3).await.unwrap();
        assert!(settings.excluded_event_kinds.is_empty(), "default: every user-initiated event counts");
        assert_eq!(settings.activity_source, None);
        sqlx::query(
            "INSERT INTO sync_state (profile_id, events_from, events_position) VALUES (3, ?, 'pos-1')",
        )
        .bind(now)
        .execute(db.pool())
        .await
        .unwrap();
        assert!(activity_settings(&db, 3).await.unwrap().has_stream_position);

        // A bad list stores nothing, not even its good patterns.
        assert!(set_excluded_event_kinds(&db, 3, &kinds(&["USER:LOGIN", "nope"])).await.is_err());
        assert!(activity_settings(&db, 3).await.unwrap().has_stream_position);

        set_excluded_event_kinds(&db, 3, &kinds(&["user:login", "SHEET:*", "USER:LOGIN"])).await.unwrap();
        let settings = activity_settings(&db, 3).await.unwrap();
        assert_eq!(settings.excluded_event_kinds, ["SHEET:*", "USER:LOGIN"]);
        assert!(!settings.has_stream_position, "the next run reads the stream again");
        assert_eq!(settings.events_from, None);
    }
}
