//! Scheduled Job Results: one row per run of a job, created as `running` when the run starts and
//! finished as `succeeded` or `failed` (with the admin-readable message) when it ends. Counters
//! that belong to committed data (users read, subscriptions written, events read) are updated in
//! the same transactions as that data, so a killed run's row still tells what was committed.
//!
//! A run holds its job's lock ([`super::lock`]) until its result is finished, and the lock dies
//! with the process. So a `running` result whose job lock is free belongs to a run whose process
//! was stopped (closed, crashed or killed): every reader settles such results as `failed`
//! ([`PROCESS_STOPPED`]) before reading, so a killed run never shows as running.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::lock::{self, JobLock};
use super::JobKind;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::server_text::{cap_opt, MAX_STORED};
use crate::smartsheet::{ClientStats, SmartsheetClient};

/// What the result of a run whose process was stopped says.
pub const PROCESS_STOPPED: &str = "The process was stopped during this run (Seatkeeper or the seatkeeper \
     command was closed, crashed or was killed). What it had saved is kept; the next run continues from there.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "sync.ts")]
pub enum JobStatus {
    Running,
    Succeeded,
    Failed,
    /// Stopped by the admin (the job engine's Cancel); the counts are what was committed.
    Cancelled,
}

/// One run of a scheduled job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct JobResult {
    pub id: i64,
    pub job_id: i64,
    /// Which job ran (for a name: [`JobKind::job_name`]).
    pub job_kind: JobKind,
    /// 1, 2, 3, … across every job and profile, as ServiceNow numbers records; never reused.
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: JobStatus,
    pub users_read: i64,
    pub subscriptions_created: i64,
    pub subscriptions_updated: i64,
    pub subscriptions_closed: i64,
    pub events_read: i64,
    /// Reclaim runs: seats freed (or found already free), candidates closed because the user was
    /// active again, and candidates that need the admin's attention.
    pub candidates_reclaimed: i64,
    pub candidates_canceled: i64,
    pub candidates_failed: i64,
    /// HTTP requests sent to Smartsheet, retries included.
    pub requests: i64,
    pub retries: i64,
    /// How many things were odd in the data (stored or skipped, never fatal).
    pub warnings: i64,
    /// The first warnings, for the admin.
    pub warning_text: Option<String>,
    pub error_message: Option<String>,
}

/// The results that match every filter given, newest first.
async fn select(
    conn: &mut SqliteConnection,
    id: Option<i64>,
    job_id: Option<i64>,
    profile_id: Option<i64>,
) -> Result<Vec<JobResult>> {
    Ok(sqlx::query_as!(
        JobResult,
        r#"SELECT r.id AS "id!", r.job_id, j.kind AS "job_kind: JobKind", r.number,
               r.started_at AS "started_at: DateTime<Utc>", r.finished_at AS "finished_at: DateTime<Utc>",
               r.status AS "status: JobStatus", r.users_read, r.subscriptions_created, r.subscriptions_updated,
               r.subscriptions_closed, r.events_read, r.candidates_reclaimed, r.candidates_canceled,
               r.candidates_failed, r.requests, r.retries, r.warnings, r.warning_text,
               r.error_message
           FROM job_results r JOIN scheduled_jobs j ON j.id = r.job_id
           WHERE (?1 IS NULL OR r.id = ?1) AND (?2 IS NULL OR r.job_id = ?2) AND (?3 IS NULL OR j.profile_id = ?3)
           ORDER BY r.started_at DESC, r.id DESC"#,
        id,
        job_id,
        profile_id
    )
    .fetch_all(conn)
    .await?)
}

/// Marks every `running` result whose run is not alive — no process holds its job's lock — as
/// `failed` ([`PROCESS_STOPPED`]), finished now. Returns how many were settled. Readers call it
/// first; the engine at start.
pub(crate) async fn settle_stopped_runs(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let running = sqlx::query!(r#"SELECT id AS "id!", job_id FROM job_results WHERE status = 'running'"#)
        .fetch_all(db.pool())
        .await?;
    let mut settled = 0;
    for run in running {
        // Held while the row is updated, so that no run of the job can start meanwhile.
        let Some(_lock) = lock::try_lock(db, run.job_id)? else { continue };
        let done = sqlx::query!(
            "UPDATE job_results SET status = 'failed', finished_at = coalesce(finished_at, ?), error_message = ? \
             WHERE id = ? AND status = 'running'",
            now,
            PROCESS_STOPPED,
            run.id
        )
        .execute(db.pool())
        .await?;
        settled += done.rows_affected();
    }
    if settled > 0 {
        tracing::warn!(results = settled, "runs whose process was stopped are marked failed");
    }
    Ok(settled)
}

/// The results of a job, newest first.
pub async fn list_job_results(db: &Db, job_id: i64) -> Result<Vec<JobResult>> {
    // The moment a stopped run was noticed; readers have no clock of their own.
    settle_stopped_runs(db, Utc::now()).await?;
    select(&mut *db.pool().acquire().await?, None, Some(job_id), None).await
}

/// The results of all jobs of a profile, newest first.
pub async fn list_profile_job_results(db: &Db, profile_id: i64) -> Result<Vec<JobResult>> {
    crate::profiles::ensure_exists(&mut *db.pool().acquire().await?, profile_id).await?;
    settle_stopped_runs(db, Utc::now()).await?;
    select(&mut *db.pool().acquire().await?, None, None, Some(profile_id)).await
}

pub(crate) async fn load(conn: &mut SqliteConnection, id: i64) -> Result<JobResult> {
    select(conn, Some(id), None, None)
        .await?
        .pop()
        .ok_or_else(|| Error::Internal(format!("job result {id} is gone")))
}

/// How many warnings are spelled out in `warning_text`.
const WARNINGS_SHOWN: usize = 5;

/// The result row of a run in progress, and what the run noticed on the way.
pub(crate) struct Recorder {
    pub(crate) id: i64,
    stats_before: ClientStats,
    warnings: Vec<String>,
    /// Held until the result is finished: one run per job at a time, across processes.
    _lock: JobLock,
}

impl Recorder {
    /// Creates the `running` result of the profile's job of `kind`, holding the job's lock
    /// ([`Error::Conflict`] while another run of it — in any process — holds it).
    pub(crate) async fn start(
        db: &Db,
        client: &SmartsheetClient,
        profile_id: i64,
        kind: JobKind,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let mut tx = db.write().await?;
        crate::profiles::ensure_exists(&mut tx, profile_id).await?;
        let job_id = sqlx::query_scalar!(
            r#"SELECT id AS "id!" FROM scheduled_jobs WHERE profile_id = ? AND kind = ?"#,
            profile_id,
            kind
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(job_id) = job_id else {
            return Err(Error::Conflict(format!(
                "This profile has no job to refresh {}. Publish the profile first.",
                kind.spec().refreshes
            )));
        };
        let Some(lock) = lock::try_lock(db, job_id)? else {
            let name = sqlx::query_scalar!("SELECT display_name FROM profiles WHERE id = ?", profile_id)
                .fetch_one(&mut *tx)
                .await?;
            return Err(Error::Conflict(format!(
                "“{}” is already running — in this window, another Seatkeeper window or the seatkeeper command. \
                 Wait for it to finish, or cancel it there.",
                kind.job_name(&name)
            )));
        };
        // With the lock held, any other `running` result of this job belongs to a run that ended
        // without finishing it (its process was closed or killed).
        sqlx::query!(
            "UPDATE job_results SET status = 'failed', finished_at = coalesce(finished_at, ?), error_message = ? \
             WHERE job_id = ? AND status = 'running'",
            now,
            PROCESS_STOPPED,
            job_id
        )
        .execute(&mut *tx)
        .await?;
        let id = insert(&mut tx, job_id, now, JobStatus::Running).await?;
        tx.commit().await?;
        Ok(Self { id, stats_before: client.stats(), warnings: Vec::new(), _lock: lock })
    }

    pub(crate) fn warn(&mut self, message: impl Into<String>) {
        let message = message.into();
        tracing::warn!(result = self.id, "{message}");
        self.warnings.push(message);
    }

    /// Adds to the committed counters of the result `id`, inside the caller's transaction.
    pub(crate) async fn add_counts_to(conn: &mut SqliteConnection, id: i64, counts: Counts) -> Result<()> {
        sqlx::query!(
            "UPDATE job_results SET users_read = users_read + ?, subscriptions_created = subscriptions_created + ?, \
             subscriptions_updated = subscriptions_updated + ?, subscriptions_closed = subscriptions_closed + ?, \
             events_read = events_read + ?, candidates_reclaimed = candidates_reclaimed + ?, \
             candidates_canceled = candidates_canceled + ?, candidates_failed = candidates_failed + ? WHERE id = ?",
            counts.users_read,
            counts.created,
            counts.updated,
            counts.closed,
            counts.events_read,
            counts.reclaimed,
            counts.canceled,
            counts.failed,
            id
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Finishes the result: `succeeded` when `outcome` is `Ok`, `cancelled` for
    /// [`Error::Cancelled`], otherwise `failed` with the error's message (which never contains the
    /// API key).
    pub(crate) async fn finish(
        self,
        db: &Db,
        client: &SmartsheetClient,
        now: DateTime<Utc>,
        outcome: Result<()>,
    ) -> Result<JobResult> {
        let stats = client.stats();
        let stats = ClientStats {
            requests: stats.requests.saturating_sub(self.stats_before.requests),
            retries: stats.retries.saturating_sub(self.stats_before.retries),
            rate_limited: stats.rate_limited.saturating_sub(self.stats_before.rate_limited),
        };
        let (status, error) = match &outcome {
            Ok(()) => (JobStatus::Succeeded, None),
            Err(e @ Error::Cancelled) => (JobStatus::Cancelled, Some(e.to_string())),
            Err(e) => {
                tracing::warn!(result = self.id, "sync failed: {e}");
                (JobStatus::Failed, Some(e.to_string()))
            }
        };
        let mut text: Vec<&str> = self.warnings.iter().take(WARNINGS_SHOWN).map(String::as_str).collect();
        let more = self.warnings.len().saturating_sub(WARNINGS_SHOWN);
        let more_text = format!("… and {more} more");
        if more > 0 {
            text.push(&more_text);
        }
        let warning_text = (!text.is_empty()).then(|| text.join("\n"));
        let mut tx = db.write().await?;
        let ended = Ended { status, error, warnings: self.warnings.len(), warning_text, stats };
        ended.write(&mut tx, self.id, now).await?;
        let result = load(&mut tx, self.id).await?;
        tx.commit().await?;
        Ok(result)
    }
}

/// How a run ended, as its result stores it.
struct Ended {
    status: JobStatus,
    error: Option<String>,
    warnings: usize,
    warning_text: Option<String>,
    stats: ClientStats,
}

impl Ended {
    /// Finishes the result `id` (the messages kept at a readable length: they may quote a server).
    async fn write(self, conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<()> {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let (requests, retries, warnings) =
            (count(self.stats.requests), count(self.stats.retries), count(self.warnings as u64));
        let warning_text = cap_opt(self.warning_text, MAX_STORED);
        let error = cap_opt(self.error, MAX_STORED);
        sqlx::query!(
            "UPDATE job_results SET finished_at = ?, status = ?, requests = ?, retries = ?, warnings = ?, \
             warning_text = ?, error_message = ? WHERE id = ?",
            now,
            self.status,
            requests,
            retries,
            warnings,
            warning_text,
            error,
            id
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// A new result of job `job_id`, with the next number across all jobs (the trigger
/// `job_results_counted` keeps the last one given).
async fn insert(
    conn: &mut SqliteConnection,
    job_id: i64,
    now: DateTime<Utc>,
    status: JobStatus,
) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"INSERT INTO job_results (job_id, number, started_at, status) VALUES (?1,
           (SELECT last + 1 FROM job_result_counter WHERE id = 1), ?2, ?3) RETURNING id AS "id!""#,
        job_id,
        now,
        status
    )
    .fetch_one(conn)
    .await?)
}

/// Records a run that ended before a [`Recorder`] was started for it (it could not start, or was
/// cancelled before it began), with `message` as its error.
pub(crate) async fn record_ended(
    db: &Db,
    job_id: i64,
    now: DateTime<Utc>,
    status: JobStatus,
    message: &str,
    stats: ClientStats,
) -> Result<JobResult> {
    let mut tx = db.write().await?;
    let id = insert(&mut tx, job_id, now, status).await?;
    let ended = Ended { status, error: Some(message.to_owned()), warnings: 0, warning_text: None, stats };
    ended.write(&mut tx, id, now).await?;
    let result = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(result)
}

/// Counter increments of one committed batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub users_read: i64,
    pub created: i64,
    pub updated: i64,
    pub closed: i64,
    pub events_read: i64,
    pub reclaimed: i64,
    pub canceled: i64,
    pub failed: i64,
}
