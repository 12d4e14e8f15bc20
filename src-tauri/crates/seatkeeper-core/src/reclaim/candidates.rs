//! Removal candidates: which paid seats look unused ([`judge`]), keeping the candidates of a
//! profile in step with its data ([`compute`]), reading them in pages ([`list_candidates`]), and the
//! review's moves (skip, notify, the user's answer).
//!
//! How activity is judged (also in docs/ARCHITECTURE.md):
//! - Last activity is the later of the user's last counted event (Event Reporting, read since the
//!   profile's "Analyze user activity from") and their last login. No event since the analysis
//!   start is not "never active": the last login still counts.
//! - A profile with Download activity cleared has last logins only, and its candidates say so
//!   (source "last login").
//! - The account is known to exist since the earliest of: when Seatkeeper first saw it, its seat's
//!   last change (`seatTypeLastChangedAt`), its last login and its last event. Smartsheet's user
//!   list gives no creation date, so this is the join date for the grace period.
//! - A user with no known activity is "never used" only past the grace period, and is inactive
//!   since the account is known to exist.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::money::Money;
use super::protected::covers;
use super::state::{self, CandidateState, Event};
use crate::clock::Clock;
use crate::db::{db_time, Db};
use crate::error::{Error, Result};
use crate::server_text::{cap, MAX_MESSAGE};
use crate::sync::activity::ActivitySource;

/// Why a seat is a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum Justification {
    /// Activity is known, but none within the rule's last activity threshold.
    LowUsage,
    /// No activity is known at all.
    NeverUsed,
}

impl Justification {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LowUsage => "low_usage",
            Self::NeverUsed => "never_used",
        }
    }
}

/// Where a candidate's last activity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum LastActivitySource {
    Events,
    LastLogin,
    None,
}

impl LastActivitySource {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::LastLogin => "last_login",
            Self::None => "none",
        }
    }
}

/// What is known about one subscription when it is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Not closed (the user is listed and not deactivated).
    pub open: bool,
    /// Its model is a paid one.
    pub paid: bool,
    /// Its model's rule is active (false without a model or rule).
    pub rule_active: bool,
    pub admin: bool,
    pub owner: bool,
    pub excluded_by: Option<String>,
    pub protected_by: Option<String>,
    /// The earliest evidence that the account exists (see the module docs).
    pub known_since: DateTime<Utc>,
    pub last_event: Option<DateTime<Utc>>,
    pub last_login: Option<DateTime<Utc>>,
    pub threshold_days: i64,
    pub grace_days: i64,
}

impl Facts {
    fn activity(&self) -> Activity {
        Activity { last_event: self.last_event, last_login: self.last_login, known_since: self.known_since }
    }
}

/// How long a candidate has been inactive, and why it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inactivity {
    pub justification: Justification,
    pub last_activity: Option<DateTime<Utc>>,
    pub source: LastActivitySource,
    pub inactive_since: DateTime<Utc>,
    pub inactive_days: i64,
}

/// Why a subscription is not a removal candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCandidate {
    /// Closed, or not a paid seat (any more).
    NotPaid,
    RuleInactive,
    Admin,
    Owner,
    Excluded(String),
    Protected(String),
    InGracePeriod,
    Active {
        at: DateTime<Utc>,
        source: LastActivitySource,
    },
}

impl NotCandidate {
    /// As the review screen and a closed candidate's note say it.
    pub fn describe(&self) -> String {
        match self {
            Self::NotPaid => {
                "No longer holds a paid seat (the seat changed, or the user was removed or deactivated)."
                    .into()
            }
            Self::RuleInactive => "The model's reclamation rule is not Active.".into(),
            Self::Admin => "System Admin: never reclaimed.".into(),
            Self::Owner => "The owner of this profile's API key: never reclaimed.".into(),
            Self::Excluded(by) => format!("Excluded by the exclusion rule “{by}”."),
            Self::Protected(by) => format!("Protected user ({by})."),
            Self::InGracePeriod => "A new account, within the rule's grace period.".into(),
            Self::Active { at, source } => format!(
                "Active again: {} at {}.",
                match source {
                    LastActivitySource::LastLogin => "last login",
                    _ => "last activity",
                },
                at.format("%Y-%m-%d %H:%M UTC")
            ),
        }
    }
}

/// Whole days from `since` to `now` (never negative).
fn days_between(since: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - since).num_days().max(0)
}

/// What is known of a subscription's activity: the one definition of how long it has been
/// inactive, shared by the removal candidates ([`facts_of`], [`judge`]) and the Software
/// Subscriptions list's inactive days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Activity {
    /// The last counted event (Event Reporting).
    pub last_event: Option<DateTime<Utc>>,
    /// The last login: the later of the subscription's own and a last-login activity row.
    pub last_login: Option<DateTime<Utc>>,
    /// The earliest evidence that the account exists (see the module docs).
    pub known_since: DateTime<Utc>,
}

impl Activity {
    /// From what is stored: the subscription's first sight, seat change and last login, and its
    /// user's row of `user_activity` (the last activity and its source), if any.
    pub(crate) fn of(
        first_seen: DateTime<Utc>,
        seat_changed_at: Option<DateTime<Utc>>,
        last_login: Option<DateTime<Utc>>,
        stored: Option<(DateTime<Utc>, ActivitySource)>,
    ) -> Self {
        let last_event = stored.filter(|(_, s)| *s == ActivitySource::Events).map(|(at, _)| at);
        // Last-login activity is the subscription's own last login (kept fresher by each download).
        let stored_login = stored.filter(|(_, s)| *s == ActivitySource::LastLogin).map(|(at, _)| at);
        let last_login = match (last_login, stored_login) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let known_since = [Some(first_seen), seat_changed_at, last_login, last_event]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(first_seen);
        Self { last_event, last_login, known_since }
    }

    /// The later of the last counted event and the last login, and where it comes from.
    pub(crate) fn last(&self) -> Option<(DateTime<Utc>, LastActivitySource)> {
        match (self.last_event, self.last_login) {
            (Some(e), Some(l)) if l > e => Some((l, LastActivitySource::LastLogin)),
            (Some(e), _) => Some((e, LastActivitySource::Events)),
            (None, Some(l)) => Some((l, LastActivitySource::LastLogin)),
            (None, None) => None,
        }
    }

    /// Inactive since the last activity, or, without any, since the account is known to exist.
    pub(crate) fn inactive_since(&self) -> DateTime<Utc> {
        self.last().map_or(self.known_since, |(at, _)| at)
    }

    /// Whole days inactive at `now`.
    pub(crate) fn inactive_days(&self, now: DateTime<Utc>) -> i64 {
        days_between(self.inactive_since(), now)
    }
}

/// The one definition of "removal candidate".
pub fn judge(facts: &Facts, now: DateTime<Utc>) -> std::result::Result<Inactivity, NotCandidate> {
    if !facts.open || !facts.paid {
        return Err(NotCandidate::NotPaid);
    }
    if facts.admin {
        return Err(NotCandidate::Admin);
    }
    if facts.owner {
        return Err(NotCandidate::Owner);
    }
    if let Some(by) = &facts.excluded_by {
        return Err(NotCandidate::Excluded(by.clone()));
    }
    if let Some(by) = &facts.protected_by {
        return Err(NotCandidate::Protected(by.clone()));
    }
    if !facts.rule_active {
        return Err(NotCandidate::RuleInactive);
    }
    let activity = facts.activity();
    let last = activity.last();
    let known_since = last.map_or(facts.known_since, |(at, _)| at.min(facts.known_since));
    if days_between(known_since, now) < facts.grace_days {
        return Err(NotCandidate::InGracePeriod);
    }
    let (justification, source) = match last {
        Some((_, source)) => (Justification::LowUsage, source),
        None => (Justification::NeverUsed, LastActivitySource::None),
    };
    let (inactive_since, inactive_days) = (activity.inactive_since(), activity.inactive_days(now));
    if let Some((at, source)) = last {
        if inactive_days < facts.threshold_days {
            return Err(NotCandidate::Active { at, source });
        }
    } else if inactive_days < facts.threshold_days {
        // Known for less than the threshold and never active: not yet judged unused.
        return Err(NotCandidate::InGracePeriod);
    }
    Ok(Inactivity {
        justification,
        last_activity: last.map(|(at, _)| at),
        source,
        inactive_since,
        inactive_days,
    })
}

/// What one computation changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ComputeSummary {
    pub opened: i64,
    pub updated: i64,
    /// Closed as Closed Canceled (activity detected).
    pub canceled: i64,
    /// Closed as Closed Skipped (no longer a seat the rules would reclaim).
    pub skipped: i64,
    /// Awaiting User past the rule's Days before auto-reclamation, now Ready.
    pub no_answer: i64,
    pub open: i64,
}

/// One subscription as the computation reads it: an open candidate's, or a paid seat that may be
/// one. Both queries of [`compute_in`] return their rows as one JSON array of arrays in this
/// order: sqlx hands every row from SQLite's thread to ours on its own, which for thousands of
/// rows cost several times the query itself (about 15 µs a row on a 2-core machine).
#[derive(Deserialize)]
struct Judged {
    id: i64,
    user_id: i64,
    email: String,
    model_id: Option<i64>,
    #[serde(deserialize_with = "flag")]
    open: bool,
    #[serde(deserialize_with = "flag")]
    admin: bool,
    #[serde(deserialize_with = "time")]
    first_seen: DateTime<Utc>,
    #[serde(deserialize_with = "opt_time")]
    seat_changed_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    last_login: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    last_activity_at: Option<DateTime<Utc>>,
    source: Option<ActivitySource>,
    candidate_id: Option<i64>,
    state: Option<String>,
    #[serde(deserialize_with = "opt_time")]
    inactive_since: Option<DateTime<Utc>>,
    candidate_source: Option<String>,
}

/// A stored time, read as chrono reads it (RFC 3339), the way sqlx and [`db_time`] store it —
/// `2026-12-03T09:12:09.454044754+00:00` — without chrono's general parser: a computation reads
/// three or four times for each of thousands of seats, and chrono took about half of reading them.
struct Stamp(DateTime<Utc>);

impl Stamp {
    /// `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, `+00:00`; None for anything
    /// else (which chrono then reads).
    fn stored(t: &str) -> Option<DateTime<Utc>> {
        let b = t.as_bytes();
        let digits = |from: usize, to: usize| -> Option<u32> {
            let part = b.get(from..to)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        };
        let punctuation = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if !punctuation.iter().all(|&(i, c)| b.get(i) == Some(&c)) {
            return None;
        }
        let date = chrono::NaiveDate::from_ymd_opt(digits(0, 4)? as i32, digits(5, 7)?, digits(8, 10)?)?;
        let (h, m, sec) = (digits(11, 13)?, digits(14, 16)?, digits(17, 19)?);
        let (nano, zone) = match b.get(19) {
            Some(b'.') => {
                let n = b[20..].iter().take_while(|d| d.is_ascii_digit()).count();
                if !(1..=9).contains(&n) {
                    return None;
                }
                (digits(20, 20 + n)? * 10u32.pow(9 - n as u32), 20 + n)
            }
            _ => (0, 19),
        };
        // A leap second (60) is chrono's to read.
        if &b[zone..] != b"+00:00" || sec > 59 {
            return None;
        }
        Some(date.and_hms_nano_opt(h, m, sec, nano)?.and_utc())
    }

    fn parse(t: &str) -> std::result::Result<DateTime<Utc>, chrono::ParseError> {
        match Self::stored(t) {
            Some(at) => Ok(at),
            None => t.parse::<DateTime<chrono::FixedOffset>>().map(|at| at.to_utc()),
        }
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Stamp;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an RFC 3339 time")
            }
            fn visit_str<E: serde::de::Error>(self, t: &str) -> std::result::Result<Stamp, E> {
                Stamp::parse(t).map(Stamp).map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

fn time<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<DateTime<Utc>, D::Error> {
    Ok(Stamp::deserialize(d)?.0)
}

fn opt_time<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
    Ok(Option::<Stamp>::deserialize(d)?.map(|s| s.0))
}

/// SQLite's 0 / 1.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    Ok(i64::deserialize(d)? != 0)
}

/// An open candidate as judging needs it: its state, and what it said last time.
struct OpenCandidate {
    id: i64,
    state: CandidateState,
    since: DateTime<Utc>,
    source: LastActivitySource,
}

/// A model of the profile and its rule, as judging needs them.
struct ModelRule {
    paid: bool,
    rule_active: bool,
    threshold: i64,
    grace: i64,
}

impl Judged {
    /// The open candidate of this subscription.
    fn candidate(&self) -> Result<Option<OpenCandidate>> {
        let (Some(id), Some(state), Some(since), Some(source)) =
            (self.candidate_id, self.state.as_deref(), self.inactive_since, self.candidate_source.as_deref())
        else {
            return Ok(None);
        };
        let state = CandidateState::ALL.into_iter().find(|s| s.as_str() == state);
        let source = [LastActivitySource::Events, LastActivitySource::LastLogin, LastActivitySource::None]
            .into_iter()
            .find(|s| s.as_str() == source);
        match (state, source) {
            (Some(state), Some(source)) => Ok(Some(OpenCandidate { id, state, since, source })),
            _ => Err(Error::Internal(format!(
                "removal candidate {id} has an unknown state or activity source"
            ))),
        }
    }
}

fn rows_of(json: &str) -> Result<Vec<Judged>> {
    serde_json::from_str(json)
        .map_err(|e| Error::Internal(format!("reading the subscriptions to judge: {e}")))
}

/// A verdict of inactivity, as the statement of [`follow_activity`] reads it: `[candidate id,
/// justification, last_activity_at, activity_source, inactive_since]`, stored values as sqlx stores
/// them. An array, not an object: SQLite reads an array's elements by position, without looking up
/// keys, which made opening thousands of candidates about a third faster.
#[derive(Serialize)]
struct Verdict(i64, &'static str, Option<String>, &'static str, String);

impl Verdict {
    fn new(id: i64, inactive: &Inactivity) -> Self {
        Self(
            id,
            inactive.justification.as_str(),
            inactive.last_activity.map(db_time),
            inactive.source.as_str(),
            db_time(inactive.inactive_since),
        )
    }
}

/// An open candidate that closes: `[id, state, note]`.
#[derive(Serialize)]
struct Closed(i64, &'static str, String);

/// Brings the profile's removal candidates in step with its subscriptions, activity, rules,
/// exclusions and protected users, in one transaction: opens candidates for inactive paid seats,
/// follows the activity of open ones, closes those that no longer qualify (Closed Canceled when the
/// user was active again), and moves Awaiting User candidates whose time to answer ran out to
/// Ready. Candidates being reclaimed (Awaiting Revocation) are the reclaim job's and are left alone.
/// Runs at the end of every refresh and on demand.
pub async fn compute(db: &Db, clock: &dyn Clock, profile_id: i64) -> Result<ComputeSummary> {
    let now = clock.now();
    db.write_detached(move |conn| Box::pin(async move { compute_in(conn, profile_id, now).await })).await
}

/// Judges every open candidate and every paid seat that may be one (its last known activity older
/// than its rule's threshold), then writes what changed in one statement per kind of change: a
/// large organization opens thousands of candidates at once.
async fn compute_in(
    conn: &mut SqliteConnection,
    profile_id: i64,
    now: DateTime<Utc>,
) -> Result<ComputeSummary> {
    crate::profiles::ensure_exists(conn, profile_id).await?;
    let owner = sqlx::query!(
        "SELECT owner_user_id, owner_email FROM profile_validations WHERE profile_id = ? AND ok = 1",
        profile_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (owner_id, owner_email) = owner.map_or((None, None), |o| (o.owner_user_id, o.owner_email));
    let protected =
        sqlx::query_scalar!("SELECT pattern FROM protected_users WHERE profile_id = ?", profile_id)
            .fetch_all(&mut *conn)
            .await?;
    let models: HashMap<i64, ModelRule> = sqlx::query!(
        r#"SELECT m.id AS "id!", m.paid AS "paid: bool", coalesce(r.active, 0) AS "rule_active!: bool",
               coalesce(r.last_activity_threshold_days, 60) AS "threshold!: i64",
               coalesce(r.grace_period_days, 30) AS "grace!: i64"
           FROM software_models m LEFT JOIN reclamation_rules r ON r.model_id = m.id WHERE m.profile_id = ?"#,
        profile_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|m| {
        (m.id, ModelRule { paid: m.paid, rule_active: m.rule_active, threshold: m.threshold, grace: m.grace })
    })
    .collect();
    // Every open candidate, whatever its seat is now.
    let mut rows = rows_of(
        &sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(s.id, s.user_id, s.email, s.model_id, s.closed_at IS NULL,
                   coalesce(s.is_admin, 0), s.first_seen, s.seat_changed_at, s.last_login,
                   a.last_activity_at, a.source, c.id, c.state, c.inactive_since, c.activity_source)) AS "rows!: String"
               FROM removal_candidates c
               JOIN software_subscriptions s ON s.id = c.subscription_id
               LEFT JOIN user_activity a ON a.profile_id = s.profile_id AND a.user_id = s.user_id
               -- The open states (closed_at IS NULL), through removal_candidates_by_state.
               WHERE c.profile_id = ?1 AND c.state IN ('ready', 'awaiting_user', 'awaiting_approval',
                                                       'awaiting_revocation', 'attention_required')"#,
            profile_id
        )
        .fetch_one(&mut *conn)
        .await?,
    )?;
    // The open paid seats of active rules, not candidates yet, whose last known activity is older
    // than the threshold (a superset of the new candidates: `judge` decides, admins included).
    // Read through the index of open seats by model, so only the paid models' seats are visited,
    // and a seat whose last login is recent is passed over before its row is read. The seats that
    // already have a candidate are left out by joins on its indexes rather than by correlated
    // NOT EXISTS subqueries, which SQLite runs as a subprogram for each of thousands of seats.
    rows.extend(rows_of(
        &sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(s.id, s.user_id, s.email, s.model_id, 1,
                   coalesce(s.is_admin, 0), s.first_seen, s.seat_changed_at, s.last_login,
                   a.last_activity_at, a.source, NULL, NULL, NULL, NULL)) AS "rows!: String"
               -- CROSS JOIN keeps this order (SQLite's planner would otherwise walk every seat).
               FROM software_models m
               CROSS JOIN reclamation_rules r ON r.model_id = m.id AND r.active = 1
               CROSS JOIN software_subscriptions s
                 ON s.profile_id = m.profile_id AND s.model_id = m.id AND s.closed_at IS NULL
               -- Its open candidate (removal_candidates_one_open), if any.
               LEFT JOIN removal_candidates o ON o.subscription_id = s.id AND o.closed_at IS NULL
               -- A seat reclaimed since the last refresh still shows its old seat until the next
               -- refresh reads the new one: no new candidate for it meanwhile.
               LEFT JOIN removal_candidates d ON d.subscription_id = s.id
                 AND d.state = 'closed_complete' AND d.closed_at >= s.last_seen
               LEFT JOIN user_activity a ON a.profile_id = s.profile_id AND a.user_id = s.user_id
               WHERE m.profile_id = ?1 AND m.paid = 1
                 AND (s.last_login IS NULL
                      OR julianday(s.last_login) <= julianday(?2) - r.last_activity_threshold_days + 1)
                 AND o.id IS NULL AND d.id IS NULL
                 AND (a.last_activity_at IS NULL
                      OR julianday(a.last_activity_at) <= julianday(?2) - r.last_activity_threshold_days + 1)"#,
            profile_id,
            now
        )
        .fetch_one(&mut *conn)
        .await?,
    )?);
    // Exclusions of these subscriptions only: the view matches every rule against each subscription
    // it is asked about, and most of a large organization is never a candidate.
    let has_exclusions = crate::sync::exclusions::any_active(conn, profile_id).await?;
    let excluded: HashMap<i64, String> = if !has_exclusions {
        HashMap::new()
    } else {
        let judged = to_json(&rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
        sqlx::query!(
            r#"SELECT subscription_id AS "subscription_id!: i64", excluded_by AS "excluded_by!: String"
           FROM subscription_exclusions WHERE subscription_id IN (SELECT value FROM json_each(?))"#,
            judged
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.subscription_id, r.excluded_by))
        .collect()
    };

    let mut summary = ComputeSummary::default();
    let (mut opened, mut changed, mut closed) = (Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        let facts = facts_of(
            &r,
            r.model_id.and_then(|id| models.get(&id)),
            &excluded,
            &protected,
            owner_id,
            owner_email.as_deref(),
        );
        let verdict = judge(&facts, now);
        match (r.candidate()?, verdict) {
            (None, Ok(inactive)) => {
                opened.push((r.id, inactive));
            }
            (None, Err(_)) => {}
            // The reclaim job re-checks these itself, just before it writes.
            (Some(OpenCandidate { state: CandidateState::AwaitingRevocation, .. }), _) => {}
            (Some(OpenCandidate { id, since, source, .. }), Ok(inactive)) => {
                if since != inactive.inactive_since || source != inactive.source {
                    changed.push(Verdict::new(id, &inactive));
                }
            }
            (Some(OpenCandidate { id, state, .. }), Err(reason)) => {
                let event = if matches!(reason, NotCandidate::Active { .. }) {
                    summary.canceled += 1;
                    Event::ActivityDetected
                } else {
                    summary.skipped += 1;
                    Event::Skipped
                };
                let to = state::next(state, event).map_err(|e| Error::Internal(e.0))?;
                closed.push(Closed(id, to.as_str(), cap(&reason.describe(), MAX_MESSAGE)));
            }
        }
    }
    summary.opened = open_candidates(conn, profile_id, &opened, now).await?;
    summary.updated = follow_activity(conn, &changed, now).await?;
    close_all(conn, &closed, now).await?;
    summary.no_answer = expire_unanswered(conn, profile_id, now).await?;
    summary.open = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!: i64" FROM removal_candidates WHERE profile_id = ? AND closed_at IS NULL"#,
        profile_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if summary != (ComputeSummary { open: summary.open, ..ComputeSummary::default() }) {
        tracing::info!(profile = profile_id, ?summary, "removal candidates computed");
    }
    Ok(summary)
}

/// What `judge` is told about one subscription.
fn facts_of(
    r: &Judged,
    model: Option<&ModelRule>,
    excluded: &HashMap<i64, String>,
    protected: &[String],
    owner_id: Option<i64>,
    owner_email: Option<&str>,
) -> Facts {
    let Activity { last_event, last_login, known_since } =
        Activity::of(r.first_seen, r.seat_changed_at, r.last_login, r.last_activity_at.zip(r.source));
    let email_lower = r.email.to_lowercase();
    Facts {
        open: r.open,
        paid: model.is_some_and(|m| m.paid),
        rule_active: model.is_some_and(|m| m.rule_active),
        admin: r.admin,
        owner: owner_id == Some(r.user_id) || owner_email.is_some_and(|o| o.eq_ignore_ascii_case(&r.email)),
        excluded_by: excluded.get(&r.id).cloned(),
        protected_by: protected.iter().find(|p| covers(p, &email_lower)).cloned(),
        known_since,
        last_event,
        last_login,
        threshold_days: model.map_or(60, |m| m.threshold),
        grace_days: model.map_or(30, |m| m.grace),
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

/// Opens the new candidates (Ready); the user and seat are copied from the subscription as they
/// are now. One statement for each kind of verdict (why, and where the last activity comes from),
/// which the statement then writes as it is, so that SQLite reads three values of each candidate's
/// JSON instead of five; each kind's candidates in order of subscription, so that the indexes by
/// subscription grow at their end.
async fn open_candidates(
    conn: &mut SqliteConnection,
    profile_id: i64,
    opened: &[(i64, Inactivity)],
    now: DateTime<Utc>,
) -> Result<i64> {
    /// `[subscription id, last_activity_at, inactive_since]`.
    #[derive(Serialize)]
    struct Opened(i64, Option<String>, String);
    let mut kinds: BTreeMap<(&str, &str), Vec<Opened>> = BTreeMap::new();
    for (id, inactive) in opened {
        kinds.entry((inactive.justification.as_str(), inactive.source.as_str())).or_default().push(Opened(
            *id,
            inactive.last_activity.map(db_time),
            db_time(inactive.inactive_since),
        ));
    }
    let mut count = 0;
    for ((justification, source), mut kind) in kinds {
        kind.sort_unstable_by_key(|o| o.0);
        let kind = to_json(&kind)?;
        let done = sqlx::query!(
            "INSERT INTO removal_candidates (profile_id, subscription_id, model_id, user_id, email, name, identifier, \
               is_internal, justification, last_activity_at, activity_source, inactive_since, state, opened_at, updated_at) \
             SELECT s.profile_id, s.id, s.model_id, s.user_id, s.email, s.name, s.identifier, s.is_internal, \
               ?4, v.value ->> 1, ?5, v.value ->> 2, 'ready', ?1, ?1 \
             FROM json_each(?2) v CROSS JOIN software_subscriptions s ON s.id = v.value ->> 0 \
             WHERE s.profile_id = ?3",
            now,
            kind,
            profile_id,
            justification,
            source
        )
        .execute(&mut *conn)
        .await?;
        count += done.rows_affected() as i64;
    }
    Ok(count)
}

/// Follows the activity of open candidates that are still candidates, in one statement.
async fn follow_activity(
    conn: &mut SqliteConnection,
    changed: &[Verdict],
    now: DateTime<Utc>,
) -> Result<i64> {
    if changed.is_empty() {
        return Ok(0);
    }
    let changed = to_json(changed)?;
    let done = sqlx::query!(
        "UPDATE removal_candidates SET justification = v.value ->> 1, last_activity_at = v.value ->> 2, \
           activity_source = v.value ->> 3, inactive_since = v.value ->> 4, updated_at = ?1 \
         FROM json_each(?2) v WHERE removal_candidates.id = v.value ->> 0 AND removal_candidates.closed_at IS NULL",
        now,
        changed
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() as i64)
}

/// Closes open candidates, each with its state and note, in one statement.
async fn close_all(conn: &mut SqliteConnection, closed: &[Closed], now: DateTime<Utc>) -> Result<()> {
    if closed.is_empty() {
        return Ok(());
    }
    debug_assert!(closed.iter().all(|c| c.1.starts_with("closed_")));
    let closed = to_json(closed)?;
    sqlx::query!(
        "UPDATE removal_candidates SET state = v.value ->> 1, note = v.value ->> 2, closed_at = ?1, updated_at = ?1 \
         FROM json_each(?2) v WHERE removal_candidates.id = v.value ->> 0 AND removal_candidates.closed_at IS NULL",
        now,
        closed
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves an open candidate to a closed state with a note.
pub(crate) async fn close(
    conn: &mut SqliteConnection,
    id: i64,
    to: CandidateState,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    debug_assert!(to.is_closed());
    let note = cap(note, MAX_MESSAGE);
    sqlx::query!(
        "UPDATE removal_candidates SET state = ?, closed_at = ?, updated_at = ?, note = ? WHERE id = ? AND closed_at IS NULL",
        to,
        now,
        now,
        note,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Awaiting User candidates whose rule's Days before auto-reclamation passed since the
/// notification → Ready. Returns how many moved.
async fn expire_unanswered(conn: &mut SqliteConnection, profile_id: i64, now: DateTime<Utc>) -> Result<i64> {
    let done = sqlx::query!(
        "UPDATE removal_candidates SET state = 'ready', updated_at = ?1 \
         WHERE profile_id = ?2 AND state = 'awaiting_user' AND id IN ( \
           SELECT c.id FROM removal_candidates c JOIN reclamation_rules r ON r.model_id = c.model_id \
           WHERE c.profile_id = ?2 AND c.state = 'awaiting_user' \
             AND julianday(c.notified_at) + r.days_before_auto_reclamation <= julianday(?1))",
        now,
        profile_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() as i64)
}

/// Closes the open candidates (not being reclaimed) of users a new protection covers.
pub(crate) async fn close_protected(
    conn: &mut SqliteConnection,
    profile_id: i64,
    pattern: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let open = sqlx::query!(
        r#"SELECT id AS "id!", email, state AS "state: CandidateState" FROM removal_candidates
           WHERE profile_id = ? AND closed_at IS NULL AND state != 'awaiting_revocation'"#,
        profile_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let note = NotCandidate::Protected(pattern.to_owned()).describe();
    for c in open.into_iter().filter(|c| covers(pattern, &c.email)) {
        let to = state::next(c.state, Event::Skipped).map_err(|e| Error::Internal(e.0))?;
        close(conn, c.id, to, &note, now).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A removal candidate as the review screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct RemovalCandidate {
    pub id: i64,
    pub profile_id: i64,
    pub profile_name: String,
    pub subscription_id: i64,
    pub model_id: Option<i64>,
    pub model_name: Option<String>,
    pub user_id: i64,
    pub email: String,
    pub name: Option<String>,
    /// The seat when the candidate opened (`MEMBER`, `Licensed`).
    pub identifier: String,
    pub is_internal: Option<bool>,
    pub justification: Justification,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub activity_source: LastActivitySource,
    /// To now, or to when it closed.
    pub inactive_days: i64,
    pub state: CandidateState,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub notified_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_by: Option<String>,
    pub note: Option<String>,
    /// The rule asks to notify the user before reclaiming.
    pub notify_user: bool,
    pub monthly_savings: Option<Money>,
    pub yearly_savings: Option<Money>,
}

/// Which candidates. Every field narrows; the defaults select the open candidates of every profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export, export_to = "reclaim.ts")]
pub struct CandidateFilter {
    pub profile_id: Option<i64>,
    pub model_id: Option<i64>,
    /// Empty: every open state.
    pub states: Vec<CandidateState>,
    pub justification: Option<Justification>,
    pub min_inactive_days: Option<i64>,
    /// Part of the user's email address or name, any case.
    pub search: String,
    /// Only these candidates (none given: any), e.g. those a reclaim run took.
    #[ts(optional)]
    pub ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum CandidateSort {
    #[default]
    InactiveDays,
    User,
    Model,
    State,
    Opened,
}

/// One window of the filtered list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct CandidatePageRequest {
    pub filter: CandidateFilter,
    pub sort: CandidateSort,
    pub descending: bool,
    pub offset: i64,
    /// At most 500.
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct CandidatePage {
    pub rows: Vec<RemovalCandidate>,
    /// How many match the filter.
    pub total: i64,
    pub offset: i64,
}

/// The dry run of a selection: how many seats, and what reclaiming them would save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct SavingsSummary {
    pub seats: i64,
    /// Seats whose model has no cost set.
    pub seats_without_cost: i64,
    /// Per currency.
    pub monthly: Vec<Money>,
    pub yearly: Vec<Money>,
}

const MAX_PAGE: i64 = 500;

/// The filter's ids as a JSON array for `json_each`, or None for any candidate.
fn ids_json(filter: &CandidateFilter) -> Option<String> {
    filter.ids.as_ref().map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
}

fn states_json(filter: &CandidateFilter) -> String {
    let states: Vec<&str> = if filter.states.is_empty() {
        CandidateState::ALL.iter().filter(|s| !s.is_closed()).map(|s| s.as_str()).collect()
    } else {
        filter.states.iter().map(|s| s.as_str()).collect()
    };
    serde_json::to_string(&states).unwrap_or_else(|_| "[]".into())
}

fn search_pattern(filter: &CandidateFilter) -> Option<String> {
    contains_pattern(&filter.search)
}

/// A case-insensitive "contains" pattern for `LIKE … ESCAPE '\'` (its wildcards escaped), or None
/// for a search of only spaces.
pub(crate) fn contains_pattern(search: &str) -> Option<String> {
    let text = search.trim().to_lowercase();
    (!text.is_empty())
        .then(|| format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
}

/// A window of the candidates that match the filter, read from SQLite (never the whole list).
pub async fn list_candidates(
    db: &Db,
    clock: &dyn Clock,
    request: &CandidatePageRequest,
) -> Result<CandidatePage> {
    let (f, now) = (&request.filter, clock.now());
    let (states, search, only) = (states_json(f), search_pattern(f), ids_json(f));
    let limit = request.limit.clamp(1, MAX_PAGE);
    let offset = request.offset.max(0);
    let sort = match request.sort {
        CandidateSort::InactiveDays => "inactive",
        CandidateSort::User => "user",
        CandidateSort::Model => "model",
        CandidateSort::State => "state",
        CandidateSort::Opened => "opened",
    };
    // `page` is the window: the matching candidates' ids with their sort key and the total, sorted
    // narrow (a sort of whole rows took four times as long at 7,000 candidates); the SELECT then
    // reads the window's rows whole, in the window's order.
    let rows = sqlx::query!(
        r#"WITH page AS (
             SELECT c.id,
                    CASE ?9 WHEN 'inactive' THEN julianday(?1) - julianday(c.inactive_since)
                         WHEN 'user' THEN lower(c.email)
                         WHEN 'model' THEN (SELECT m.name FROM software_models m WHERE m.id = c.model_id)
                         WHEN 'state' THEN c.state
                         ELSE c.opened_at END AS sort_key,
                    count(*) OVER () AS total
             FROM removal_candidates c
             WHERE (?2 IS NULL OR c.profile_id = ?2) AND (?3 IS NULL OR c.model_id = ?3)
               AND c.state IN (SELECT value FROM json_each(?4))
               AND (?5 IS NULL OR c.justification = ?5)
               AND (?6 IS NULL OR julianday(coalesce(c.closed_at, ?1)) - julianday(c.inactive_since) >= ?6)
               AND (?7 IS NULL OR lower(c.email) LIKE ?7 ESCAPE '\' OR lower(coalesce(c.name, '')) LIKE ?7 ESCAPE '\')
               AND (?12 IS NULL OR c.id IN (SELECT value FROM json_each(?12)))
             ORDER BY CASE WHEN ?8 = 0 THEN sort_key END ASC, CASE WHEN ?8 = 1 THEN sort_key END DESC, c.id
             LIMIT ?10 OFFSET ?11
           )
           SELECT c.id AS "id!", c.profile_id, p.display_name AS profile_name, c.subscription_id, c.model_id,
               m.name AS "model_name?", c.user_id, c.email, c.name, c.identifier, c.is_internal AS "is_internal: bool",
               c.justification AS "justification: Justification",
               c.last_activity_at AS "last_activity_at: DateTime<Utc>",
               c.activity_source AS "activity_source: LastActivitySource",
               CAST(julianday(coalesce(c.closed_at, ?1)) - julianday(c.inactive_since) AS INTEGER) AS "inactive_days!: i64",
               c.state AS "state: CandidateState", c.opened_at AS "opened_at: DateTime<Utc>",
               c.updated_at AS "updated_at: DateTime<Utc>", c.closed_at AS "closed_at: DateTime<Utc>",
               c.notified_at AS "notified_at: DateTime<Utc>", c.answered_at AS "answered_at: DateTime<Utc>",
               c.approved_at AS "approved_at: DateTime<Utc>", c.approved_by, c.note,
               coalesce(r.notify_user, 0) AS "notify_user!: bool", m.unit_monthly_minor AS "monthly_cost_minor?: i64",
               m.unit_currency AS "currency?: String",
               page.total AS "total!: i64"
           FROM page
           JOIN removal_candidates c ON c.id = page.id
           JOIN profiles p ON p.id = c.profile_id
           LEFT JOIN software_models m ON m.id = c.model_id
           LEFT JOIN reclamation_rules r ON r.model_id = c.model_id
           ORDER BY CASE WHEN ?8 = 0 THEN page.sort_key END ASC, CASE WHEN ?8 = 1 THEN page.sort_key END DESC, page.id"#,
        now,
        f.profile_id,
        f.model_id,
        states,
        f.justification,
        f.min_inactive_days,
        search,
        request.descending,
        sort,
        limit,
        offset,
        only
    )
    .fetch_all(db.pool())
    .await?;
    let total = match rows.first() {
        Some(r) => r.total,
        None => count(db, clock, f).await?,
    };
    let rows = rows
        .into_iter()
        .map(|r| {
            let cost = r.monthly_cost_minor.zip(r.currency.clone());
            RemovalCandidate {
                id: r.id,
                profile_id: r.profile_id,
                profile_name: r.profile_name,
                subscription_id: r.subscription_id,
                model_id: r.model_id,
                model_name: r.model_name,
                user_id: r.user_id,
                email: r.email,
                name: r.name,
                identifier: r.identifier,
                is_internal: r.is_internal,
                justification: r.justification,
                last_activity_at: r.last_activity_at,
                activity_source: r.activity_source,
                inactive_days: r.inactive_days,
                state: r.state,
                opened_at: r.opened_at,
                updated_at: r.updated_at,
                closed_at: r.closed_at,
                notified_at: r.notified_at,
                answered_at: r.answered_at,
                approved_at: r.approved_at,
                approved_by: r.approved_by,
                note: r.note,
                notify_user: r.notify_user,
                monthly_savings: cost.as_ref().map(|(minor, cur)| Money::new(cur, *minor)),
                yearly_savings: cost.as_ref().map(|(minor, cur)| Money::new(cur, minor * 12)),
            }
        })
        .collect();
    Ok(CandidatePage { rows, total, offset })
}

async fn count(db: &Db, clock: &dyn Clock, f: &CandidateFilter) -> Result<i64> {
    Ok(savings(db, clock, f, None).await?.seats)
}

/// What the candidates that match `filter` (and, when given, whose id is in `ids`) would save.
pub async fn savings(
    db: &Db,
    clock: &dyn Clock,
    f: &CandidateFilter,
    ids: Option<&[i64]>,
) -> Result<SavingsSummary> {
    let (states, search, now) = (states_json(f), search_pattern(f), clock.now());
    let ids = ids.map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
    let only = ids_json(f);
    let rows = sqlx::query!(
        r#"SELECT m.unit_currency AS "currency?: String", count(*) AS "seats!: i64",
               sum(m.unit_monthly_minor) AS "monthly?: i64", count(m.unit_monthly_minor) AS "costed!: i64"
           FROM removal_candidates c
           LEFT JOIN software_models m ON m.id = c.model_id
           WHERE (?2 IS NULL OR c.profile_id = ?2) AND (?3 IS NULL OR c.model_id = ?3)
             AND c.state IN (SELECT value FROM json_each(?4))
             AND (?5 IS NULL OR c.justification = ?5)
             AND (?6 IS NULL OR julianday(coalesce(c.closed_at, ?1)) - julianday(c.inactive_since) >= ?6)
             AND (?7 IS NULL OR lower(c.email) LIKE ?7 ESCAPE '\' OR lower(coalesce(c.name, '')) LIKE ?7 ESCAPE '\')
             AND (?8 IS NULL OR c.id IN (SELECT value FROM json_each(?8)))
             AND (?9 IS NULL OR c.id IN (SELECT value FROM json_each(?9)))
           GROUP BY m.unit_currency ORDER BY m.unit_currency"#,
        now,
        f.profile_id,
        f.model_id,
        states,
        f.justification,
        f.min_inactive_days,
        search,
        ids,
        only
    )
    .fetch_all(db.pool())
    .await?;
    let mut summary =
        SavingsSummary { seats: 0, seats_without_cost: 0, monthly: Vec::new(), yearly: Vec::new() };
    for r in rows {
        summary.seats += r.seats;
        summary.seats_without_cost += r.seats - r.costed;
        if let (Some(currency), Some(monthly)) = (r.currency, r.monthly) {
            if r.costed > 0 {
                summary.monthly.push(Money::new(&currency, monthly));
                summary.yearly.push(Money::new(&currency, monthly * 12));
            }
        }
    }
    Ok(summary)
}

/// The ids of every candidate that matches `filter`, in the list's default order: "select all that
/// match" (a later Skip or Reclaim acts on exactly these, never on a filter re-read later).
pub async fn candidate_ids(db: &Db, clock: &dyn Clock, f: &CandidateFilter) -> Result<Vec<i64>> {
    let (states, search, now, only) = (states_json(f), search_pattern(f), clock.now(), ids_json(f));
    Ok(sqlx::query_scalar!(
        r#"SELECT c.id AS "id!" FROM removal_candidates c
           WHERE (?2 IS NULL OR c.profile_id = ?2) AND (?3 IS NULL OR c.model_id = ?3)
             AND c.state IN (SELECT value FROM json_each(?4))
             AND (?5 IS NULL OR c.justification = ?5)
             AND (?6 IS NULL OR julianday(coalesce(c.closed_at, ?1)) - julianday(c.inactive_since) >= ?6)
             AND (?7 IS NULL OR lower(c.email) LIKE ?7 ESCAPE '\' OR lower(coalesce(c.name, '')) LIKE ?7 ESCAPE '\')
             AND (?8 IS NULL OR c.id IN (SELECT value FROM json_each(?8)))
           ORDER BY c.id"#,
        now,
        f.profile_id,
        f.model_id,
        states,
        f.justification,
        f.min_inactive_days,
        search,
        only
    )
    .fetch_all(db.pool())
    .await?)
}

// ---------------------------------------------------------------------------------------------
// The review's moves

/// The longest reason kept for a skip.
pub const MAX_REASON: usize = 500;

async fn load_state(conn: &mut SqliteConnection, id: i64) -> Result<(i64, CandidateState)> {
    let row = sqlx::query!(
        r#"SELECT profile_id, state AS "state: CandidateState" FROM removal_candidates WHERE id = ?"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| candidate_not_found(id))?;
    Ok((row.profile_id, row.state))
}

pub(crate) fn candidate_not_found(id: i64) -> Error {
    Error::NotFound(format!(
        "Removal candidate {id} does not exist (any more); its profile may have been deleted. Refresh the list."
    ))
}

fn refused(id: i64, e: state::NotAllowed) -> Error {
    Error::Conflict(format!("Candidate {id}: {e}"))
}

/// Skips candidates (→ Closed Skipped) with the admin's reason. All or nothing: if one cannot be
/// skipped, none is.
pub async fn skip(db: &Db, clock: &dyn Clock, ids: &[i64], reason: &str) -> Result<usize> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::validation(
            "reason",
            "Say why these seats are kept (for example “needed for the Q3 audit”).",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(Error::validation("reason", format!("A reason has at most {MAX_REASON} characters.")));
    }
    let now = clock.now();
    let mut tx = db.write().await?;
    for &id in ids {
        let (_, from) = load_state(&mut tx, id).await?;
        let to = state::next(from, Event::Skipped).map_err(|e| refused(id, e))?;
        close(&mut tx, id, to, &format!("Skipped: {reason}"), now).await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// Moves open candidates through the notify loop: `Notified` (Ready → Awaiting User, the user was
/// sent the message), `UserKeeps` (→ Awaiting Approval), `Declined` (→ Ready), `Resumed`
/// (Attention Required → Ready). All or nothing.
pub async fn move_candidates(db: &Db, clock: &dyn Clock, ids: &[i64], event: ReviewMove) -> Result<usize> {
    let now = clock.now();
    let mut tx = db.write().await?;
    for &id in ids {
        let (_, from) = load_state(&mut tx, id).await?;
        let to = state::next(from, event.event()).map_err(|e| refused(id, e))?;
        let (notified, answered) = match event {
            ReviewMove::Notified => (Some(now), None),
            ReviewMove::UserKeeps => (None, Some(now)),
            _ => (None, None),
        };
        sqlx::query!(
            "UPDATE removal_candidates SET state = ?, updated_at = ?, notified_at = coalesce(?, notified_at), \
             answered_at = coalesce(?, answered_at) WHERE id = ?",
            to,
            now,
            notified,
            answered,
            id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// A move of the review that keeps the candidate open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum ReviewMove {
    Notified,
    UserKeeps,
    Declined,
    Resumed,
}

impl ReviewMove {
    fn event(self) -> Event {
        match self {
            Self::Notified => Event::Notified,
            Self::UserKeeps => Event::UserKeeps,
            Self::Declined => Event::Declined,
            Self::Resumed => Event::Resumed,
        }
    }
}

/// For tests and the CLI: whole days, as the lists count them.
pub fn inactive_days_at(since: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    days_between(since, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// Stored times are read without chrono's parser, to the same instant; anything else is
    /// chrono's to read or refuse.
    #[test]
    fn stored_times_read_as_chrono_reads_them() {
        let chrono = |t: &str| t.parse::<DateTime<chrono::FixedOffset>>().map(|at| at.to_utc()).ok();
        let base = at("2026-12-03T09:12:09+00:00");
        for nanos in [0, 1, 120_000_000, 454_044_754, 999_999_999, 5_000, 123_456_000] {
            for days in [-40_000, -400, -1, 0, 58, 366] {
                let t = base + chrono::Duration::days(days) + chrono::Duration::nanoseconds(nanos);
                for text in
                    [db_time(t), t.to_rfc3339(), t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)]
                {
                    assert!(Stamp::stored(&text).is_some(), "{text}");
                    assert_eq!(Stamp::parse(&text).ok(), chrono(&text), "{text}");
                }
            }
        }
        for text in [
            "2026-12-03T09:12:09Z",
            "2026-12-03T09:12:09.5+02:00",
            "2026-12-03 09:12:09+00:00",
            "2026-12-03T09:12:09.+00:00",
            "2026-12-03T09:12:09.1234567891+00:00",
            "2026-12-31T23:59:60+00:00",
            "2026-02-30T09:12:09+00:00",
            "2026-12-03T24:00:00+00:00",
            "2026-12-03T09:12:09+00:0",
            "2026-12-03T09:12:09",
            "2026-12-03",
            "",
        ] {
            assert_eq!(Stamp::parse(text).ok(), chrono(text), "{text}");
        }
        let judged: Judged = serde_json::from_str(
            r#"[1, 2, "a@b.c", null, 1, 0, "2026-12-03T09:12:09.454044754+00:00", null,
                "2026-10-10T13:08:54+00:00", "2026-10-10T13:08:54Z", "events", null, null, null, null]"#,
        )
        .unwrap();
        assert_eq!(judged.first_seen, at("2026-12-03T09:12:09.454044754+00:00"));
        assert_eq!((judged.seat_changed_at, judged.inactive_since), (None, None));
        assert_eq!(judged.last_login, judged.last_activity_at);
    }

    fn facts() -> Facts {
        Facts {
            open: true,
            paid: true,
            rule_active: true,
            admin: false,
            owner: false,
            excluded_by: None,
            protected_by: None,
            known_since: at("2025-01-01T00:00:00Z"),
            last_event: None,
            last_login: Some(at("2026-08-01T00:00:00Z")),
            threshold_days: 60,
            grace_days: 30,
        }
    }

    const NOW: &str = "2026-12-01T00:00:00Z";

    #[test]
    fn low_usage_from_the_last_login() {
        let v = judge(&facts(), at(NOW)).unwrap();
        assert_eq!(v.justification, Justification::LowUsage);
        assert_eq!(v.source, LastActivitySource::LastLogin);
        assert_eq!(v.inactive_days, 122);
        assert_eq!(v.last_activity, Some(at("2026-08-01T00:00:00Z")));
    }

    #[test]
    fn the_later_of_event_and_login_counts() {
        let f = Facts { last_event: Some(at("2026-11-20T00:00:00Z")), ..facts() };
        assert_eq!(
            judge(&f, at(NOW)),
            Err(NotCandidate::Active { at: at("2026-11-20T00:00:00Z"), source: LastActivitySource::Events })
        );
        let f = Facts { last_event: Some(at("2026-07-01T00:00:00Z")), ..facts() };
        assert_eq!(judge(&f, at(NOW)).unwrap().source, LastActivitySource::LastLogin);
    }

    #[test]
    fn the_threshold_is_inclusive() {
        let f = Facts { last_login: Some(at("2026-10-02T00:00:00Z")), ..facts() };
        assert_eq!(judge(&f, at(NOW)).unwrap().inactive_days, 60);
        let f = Facts { last_login: Some(at("2026-10-02T00:00:01Z")), ..facts() };
        assert!(matches!(judge(&f, at(NOW)), Err(NotCandidate::Active { .. })));
    }

    #[test]
    fn never_used_only_past_the_grace_period() {
        let f = Facts { last_login: None, ..facts() };
        let v = judge(&f, at(NOW)).unwrap();
        assert_eq!((v.justification, v.source), (Justification::NeverUsed, LastActivitySource::None));
        assert_eq!(v.inactive_since, at("2025-01-01T00:00:00Z"));
        // Known for 20 days: within the grace period.
        let f = Facts { last_login: None, known_since: at("2026-11-11T00:00:00Z"), ..facts() };
        assert_eq!(judge(&f, at(NOW)), Err(NotCandidate::InGracePeriod));
        // Past the grace period but known for less than the threshold: not judged yet.
        let f = Facts { last_login: None, known_since: at("2026-10-15T00:00:00Z"), ..facts() };
        assert_eq!(judge(&f, at(NOW)), Err(NotCandidate::InGracePeriod));
        // A grace period longer than the threshold keeps an inactive new account too.
        let f = Facts {
            known_since: at("2026-09-01T00:00:00Z"),
            last_login: Some(at("2026-09-01T00:00:00Z")),
            grace_days: 120,
            ..facts()
        };
        assert_eq!(judge(&f, at(NOW)), Err(NotCandidate::InGracePeriod));
    }

    /// `compute_in` reads the open candidates by these states (through an index on the state);
    /// they must be exactly the states that are not closed.
    #[test]
    fn the_open_states_read_by_compute_are_the_states_not_closed() {
        let open: Vec<_> =
            CandidateState::ALL.into_iter().filter(|s| !s.is_closed()).map(|s| s.as_str()).collect();
        assert_eq!(
            open,
            ["ready", "awaiting_user", "awaiting_approval", "awaiting_revocation", "attention_required"]
        );
    }

    #[test]
    fn who_is_never_a_candidate() {
        let cases: [(Facts, NotCandidate); 7] = [
            (Facts { admin: true, ..facts() }, NotCandidate::Admin),
            (Facts { owner: true, ..facts() }, NotCandidate::Owner),
            (
                Facts { excluded_by: Some("user @x.example".into()), ..facts() },
                NotCandidate::Excluded("user @x.example".into()),
            ),
            (
                Facts { protected_by: Some("@x.example".into()), ..facts() },
                NotCandidate::Protected("@x.example".into()),
            ),
            (Facts { paid: false, ..facts() }, NotCandidate::NotPaid),
            (Facts { open: false, ..facts() }, NotCandidate::NotPaid),
            (Facts { rule_active: false, ..facts() }, NotCandidate::RuleInactive),
        ];
        for (f, reason) in cases {
            assert_eq!(judge(&f, at(NOW)), Err(reason));
        }
    }
}
