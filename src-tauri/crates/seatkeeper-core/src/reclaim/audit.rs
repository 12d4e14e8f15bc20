//! The audit log: every write Seatkeeper makes to Smartsheet, as an intent committed before the
//! call and an outcome written once after it (the tables refuse changes and deletions, except
//! with their profile). Reading it, and whether (and why not) a record can be undone.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::seat::{SeatAction, SeatWrite};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::server_text::{cap, cap_opt, MAX_MESSAGE};

/// How long after a deactivation Smartsheet still reactivates the user.
pub const REACTIVATION_WINDOW_DAYS: i64 = 30;

/// What became of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum AuditOutcome {
    /// Smartsheet answered success.
    Succeeded,
    /// Smartsheet refused it (its error code, message and refId are kept).
    Failed,
    /// The answer was lost; reading the user's seat showed the write had been carried out.
    Applied,
    /// The answer was lost; reading the user's seat showed it had not.
    NotApplied,
}

impl AuditOutcome {
    pub fn changed_the_seat(self) -> bool {
        matches!(self, Self::Succeeded | Self::Applied)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Applied => "Applied (answer lost, seat read)",
            Self::NotApplied => "Not applied (answer lost, seat read)",
        }
    }
}

/// One write to Smartsheet, as the Audit Log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct AuditRecord {
    pub id: i64,
    pub profile_id: i64,
    pub profile_name: String,
    pub requested_at: DateTime<Utc>,
    pub user_id: i64,
    pub email: String,
    pub name: Option<String>,
    pub action: SeatAction,
    pub seat_before: String,
    pub seat_after: String,
    /// The request as sent: method, path and body (never a credential).
    pub request: String,
    /// The operating-system user who confirmed it.
    pub confirmed_by: String,
    pub candidate_id: Option<i64>,
    /// The record this one undoes.
    pub undo_of: Option<i64>,
    /// The record that undid this one (its undo changed the seat back, or is still in flight).
    pub undone_by: Option<i64>,
    pub job_result_id: Option<i64>,
    /// None while the outcome is not known yet (the process stopped during the call: the next
    /// reclaim run settles it by reading the seat).
    pub outcome: Option<AuditOutcome>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error_code: Option<i64>,
    pub message: Option<String>,
    pub ref_id: Option<String>,
    /// Why Undo is not possible (None: it is).
    pub undo_blocked: Option<String>,
}

/// Which records to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export, export_to = "reclaim.ts")]
pub struct AuditFilter {
    pub profile_id: Option<i64>,
    pub action: Option<SeatAction>,
    /// Matches the user's e-mail or name, or who confirmed.
    pub search: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A window of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct AuditPage {
    pub rows: Vec<AuditRecord>,
    pub total: i64,
    pub offset: i64,
}

/// The most records one read returns.
pub const MAX_AUDIT_PAGE: i64 = 100_000;

/// The records that match `filter`, newest first, `limit` from `offset`.
pub async fn list_audit(
    db: &Db,
    now: DateTime<Utc>,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<AuditPage> {
    select(&mut *db.pool().acquire().await?, now, filter, None, offset.max(0), limit.clamp(1, MAX_AUDIT_PAGE))
        .await
}

/// One record.
pub async fn get_audit(db: &Db, now: DateTime<Utc>, id: i64) -> Result<AuditRecord> {
    load(&mut *db.pool().acquire().await?, now, id).await
}

pub(crate) async fn load(conn: &mut SqliteConnection, now: DateTime<Utc>, id: i64) -> Result<AuditRecord> {
    select(conn, now, &AuditFilter::default(), Some(id), 0, 1).await?.rows.pop().ok_or_else(|| {
        Error::NotFound(format!(
            "Audit record {id} does not exist; its profile may have been deleted (audit records go only with \
             their profile). Refresh the Audit Log."
        ))
    })
}

async fn select(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    f: &AuditFilter,
    id: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<AuditPage> {
    let search = super::candidates::contains_pattern(&f.search);
    let rows = sqlx::query!(
        r#"SELECT l.id AS "id!", l.profile_id, p.display_name AS profile_name,
               l.requested_at AS "requested_at: DateTime<Utc>", l.user_id, l.email, l.name,
               l.action AS "action: SeatAction", l.seat_before, l.seat_after, l.request, l.confirmed_by,
               l.candidate_id, l.undo_of, l.job_result_id,
               o.outcome AS "outcome?: AuditOutcome", o.finished_at AS "finished_at?: DateTime<Utc>",
               o.error_code AS "error_code?: i64", o.message AS "message?: String", o.ref_id AS "ref_id?: String",
               (SELECT u.id FROM audit_log u LEFT JOIN audit_outcomes uo ON uo.audit_id = u.id
                 WHERE u.undo_of = l.id AND (uo.outcome IS NULL OR uo.outcome IN ('succeeded', 'applied'))
                 ORDER BY u.id LIMIT 1) AS "undone_by?: i64",
               count(*) OVER () AS "total!: i64"
           FROM audit_log l
           JOIN profiles p ON p.id = l.profile_id
           LEFT JOIN audit_outcomes o ON o.audit_id = l.id
           WHERE (?1 IS NULL OR l.id = ?1) AND (?2 IS NULL OR l.profile_id = ?2) AND (?3 IS NULL OR l.action = ?3)
             AND (?4 IS NULL OR lower(l.email) LIKE ?4 ESCAPE '\' OR lower(coalesce(l.name, '')) LIKE ?4 ESCAPE '\'
                  OR lower(l.confirmed_by) LIKE ?4 ESCAPE '\')
             AND (?5 IS NULL OR l.requested_at >= ?5) AND (?6 IS NULL OR l.requested_at < ?6)
           ORDER BY l.requested_at DESC, l.id DESC
           LIMIT ?7 OFFSET ?8"#,
        id,
        f.profile_id,
        f.action,
        search,
        f.from,
        f.to,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut record = AuditRecord {
                id: r.id,
                profile_id: r.profile_id,
                profile_name: r.profile_name,
                requested_at: r.requested_at,
                user_id: r.user_id,
                email: r.email,
                name: r.name,
                action: r.action,
                seat_before: r.seat_before,
                seat_after: r.seat_after,
                request: r.request,
                confirmed_by: r.confirmed_by,
                candidate_id: r.candidate_id,
                undo_of: r.undo_of,
                undone_by: r.undone_by,
                job_result_id: r.job_result_id,
                outcome: r.outcome,
                finished_at: r.finished_at,
                error_code: r.error_code,
                message: r.message,
                ref_id: r.ref_id,
                undo_blocked: None,
            };
            record.undo_blocked = undo_blocked(&record, now);
            record
        })
        .collect();
    Ok(AuditPage { rows, total, offset })
}

/// Why `record` cannot be undone now (None: it can, as far as Seatkeeper knows before it reads
/// the user's seat again).
pub fn undo_blocked(record: &AuditRecord, now: DateTime<Utc>) -> Option<String> {
    if record.undo_of.is_some()
        || matches!(record.action, SeatAction::Upgrade | SeatAction::Relicense | SeatAction::Reactivate)
    {
        return Some("This record is itself an undo; it cannot be undone in turn.".into());
    }
    if let Some(by) = record.undone_by {
        return Some(format!("Already undone (audit record {by})."));
    }
    match record.outcome {
        None => return Some(
            "Its outcome is not known yet (Seatkeeper stopped during the call). The next reclaim run of the \
                 profile reads the user's seat and settles it."
                .into(),
        ),
        Some(outcome) if !outcome.changed_the_seat() => {
            return Some("The seat was not changed, so there is nothing to undo.".into())
        }
        Some(_) => {}
    }
    if record.action == SeatAction::Downgrade
        && record.seat_before != crate::smartsheet::SeatType::Member.as_str()
    {
        return Some(format!(
            "Seatkeeper gives back only MEMBER seats; this one was {}.",
            record.seat_before
        ));
    }
    if record.action == SeatAction::Deactivate {
        let since = record.finished_at.unwrap_or(record.requested_at);
        if now - since >= Duration::days(REACTIVATION_WINDOW_DAYS) {
            return Some(format!(
                "Smartsheet reactivates users only within {REACTIVATION_WINDOW_DAYS} days of their deactivation, and \
                 this user was deactivated on {}. Add them to the account again in Smartsheet's Admin Center.",
                since.format("%Y-%m-%d")
            ));
        }
    }
    None
}

/// What an intent records.
pub(crate) struct Intent<'a> {
    pub profile_id: i64,
    pub user_id: i64,
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub write: &'a SeatWrite,
    pub confirmed_by: &'a str,
    pub candidate_id: Option<i64>,
    pub undo_of: Option<i64>,
    pub job_result_id: Option<i64>,
}

/// Records the intent of a write (the caller commits it before making the call).
pub(crate) async fn insert_intent(
    conn: &mut SqliteConnection,
    intent: &Intent<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let w = intent.write;
    let request = w.request_text();
    Ok(sqlx::query_scalar!(
        r#"INSERT INTO audit_log (profile_id, requested_at, user_id, email, name, action, seat_before, seat_after,
               request, confirmed_by, candidate_id, undo_of, job_result_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id AS "id!""#,
        intent.profile_id,
        now,
        intent.user_id,
        intent.email,
        intent.name,
        w.action,
        w.seat_before,
        w.seat_after,
        request,
        intent.confirmed_by,
        intent.candidate_id,
        intent.undo_of,
        intent.job_result_id
    )
    .fetch_one(conn)
    .await?)
}

/// What became of a write, as recorded once.
pub(crate) struct Outcome {
    pub outcome: AuditOutcome,
    pub error_code: Option<i64>,
    pub message: Option<String>,
    pub ref_id: Option<String>,
}

impl Outcome {
    pub fn plain(outcome: AuditOutcome) -> Self {
        Self { outcome, error_code: None, message: None, ref_id: None }
    }
}

/// Records the outcome of the write `audit_id` (inside the caller's transaction, with what else
/// the outcome changes).
pub(crate) async fn insert_outcome(
    conn: &mut SqliteConnection,
    audit_id: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<()> {
    let message = cap_opt(outcome.message.clone(), MAX_MESSAGE);
    let ref_id = outcome.ref_id.as_deref().map(|r| cap(r, 64));
    sqlx::query!(
        "INSERT INTO audit_outcomes (audit_id, finished_at, outcome, error_code, message, ref_id) VALUES (?, ?, ?, ?, ?, ?)",
        audit_id,
        now,
        outcome.outcome,
        outcome.error_code,
        message,
        ref_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An intent of the profile whose outcome was never recorded (the process stopped during the call).
pub(crate) struct Pending {
    pub audit_id: i64,
    pub user_id: i64,
    pub email: String,
    pub action: SeatAction,
    pub seat_before: String,
    pub seat_after: String,
    pub candidate_id: Option<i64>,
}

pub(crate) async fn pending(conn: &mut SqliteConnection, profile_id: i64) -> Result<Vec<Pending>> {
    Ok(sqlx::query_as!(
        Pending,
        r#"SELECT l.id AS "audit_id!", l.user_id, l.email, l.action AS "action: SeatAction", l.seat_before, l.seat_after,
               l.candidate_id
           FROM audit_log l LEFT JOIN audit_outcomes o ON o.audit_id = l.id
           WHERE l.profile_id = ? AND o.audit_id IS NULL ORDER BY l.id"#,
        profile_id
    )
    .fetch_all(conn)
    .await?)
}
