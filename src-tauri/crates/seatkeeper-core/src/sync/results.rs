//! Scheduled Job Results: one row per run of a job, created as `running` when the run starts and
//! finished as `succeeded` or `failed` (with the admin-readable message) when it ends. Counters
//! that belong to committed data (users read, subscriptions written, events read) are updated in
//! the same transactions as that data, so a killed run's row still tells what was committed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, SqliteConnection};
use ts_rs::TS;

use crate::db::{Db, JobLock};
use crate::engine::CLOSED_DURING_RUN;
use crate::error::{Error, Result};
use crate::jobs::JobKind;
use crate::smartsheet::{ClientStats, SmartsheetClient};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, FromRow)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct JobResult {
    pub id: i64,
    pub job_id: i64,
    /// Which job ran (for a name: [`JobKind::job_name`]).
    pub job_kind: JobKind,
    /// 1, 2, 3, … per job.
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: JobStatus,
    pub users_read: i64,
    pub subscriptions_created: i64,
    pub subscriptions_updated: i64,
    pub subscriptions_closed: i64,
    pub events_read: i64,
    /// HTTP requests sent to Smartsheet, retries included.
    pub requests: i64,
    pub retries: i64,
    /// How many things were odd in the data (stored or skipped, never fatal).
    pub warnings: i64,
    /// The first warnings, for the admin.
    pub warning_text: Option<String>,
    pub error_message: Option<String>,
}

/// The columns of a [`JobResult`], from `job_results r` joined with its `scheduled_jobs j`.
const SELECT: &str =
    "SELECT r.id, r.job_id, j.kind AS job_kind, r.number, r.started_at, r.finished_at, r.status, \
     r.users_read, r.subscriptions_created, r.subscriptions_updated, r.subscriptions_closed, r.events_read, \
     r.requests, r.retries, r.warnings, r.warning_text, r.error_message \
     FROM job_results r JOIN scheduled_jobs j ON j.id = r.job_id";

/// The results of a job, newest first.
pub async fn list_job_results(db: &Db, job_id: i64) -> Result<Vec<JobResult>> {
    let sql = format!("{SELECT} WHERE r.job_id = ? ORDER BY r.number DESC");
    Ok(sqlx::query_as::<_, JobResult>(&sql).bind(job_id).fetch_all(db.pool()).await?)
}

/// The results of all jobs of a profile, newest first.
pub async fn list_profile_job_results(db: &Db, profile_id: i64) -> Result<Vec<JobResult>> {
    crate::profiles::ensure_exists(&mut *db.pool().acquire().await?, profile_id).await?;
    let sql = format!("{SELECT} WHERE j.profile_id = ? ORDER BY r.started_at DESC, r.id DESC");
    Ok(sqlx::query_as::<_, JobResult>(&sql).bind(profile_id).fetch_all(db.pool()).await?)
}

pub(crate) async fn load(conn: &mut SqliteConnection, id: i64) -> Result<JobResult> {
    let sql = format!("{SELECT} WHERE r.id = ?");
    Ok(sqlx::query_as::<_, JobResult>(&sql).bind(id).fetch_one(conn).await?)
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
        let job_id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM scheduled_jobs WHERE profile_id = ? AND kind = ?")
                .bind(profile_id)
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(job_id) = job_id else {
            let what = match kind {
                JobKind::Subscriptions => "subscriptions",
                JobKind::Events => "user activity (turn on Download activity)",
            };
            return Err(Error::Conflict(format!(
                "This profile has no job to refresh {what}. Publish the profile first."
            )));
        };
        let Some(lock) = db.try_lock_job(job_id)? else {
            let name: String = sqlx::query_scalar("SELECT display_name FROM profiles WHERE id = ?")
                .bind(profile_id)
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
        sqlx::query(
            "UPDATE job_results SET status = 'failed', finished_at = coalesce(finished_at, ?), error_message = ? \
             WHERE job_id = ? AND status = 'running'",
        )
        .bind(now)
        .bind(CLOSED_DURING_RUN)
        .bind(job_id)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO job_results (job_id, number, started_at, status) VALUES (?, \
             (SELECT coalesce(max(number), 0) + 1 FROM job_results WHERE job_id = ?), ?, 'running') RETURNING id",
        )
        .bind(job_id)
        .bind(job_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
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
        sqlx::query(
            "UPDATE job_results SET users_read = users_read + ?, subscriptions_created = subscriptions_created + ?, \
             subscriptions_updated = subscriptions_updated + ?, subscriptions_closed = subscriptions_closed + ?, \
             events_read = events_read + ? WHERE id = ?",
        )
        .bind(counts.users_read)
        .bind(counts.created)
        .bind(counts.updated)
        .bind(counts.closed)
        .bind(counts.events_read)
        .bind(id)
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
        let requests = stats.requests.saturating_sub(self.stats_before.requests);
        let retries = stats.retries.saturating_sub(self.stats_before.retries);
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
        let mut conn = db.write().await?;
        sqlx::query(
            "UPDATE job_results SET finished_at = ?, status = ?, requests = ?, retries = ?, warnings = ?, \
             warning_text = ?, error_message = ? WHERE id = ?",
        )
        .bind(now)
        .bind(status)
        .bind(i64::try_from(requests).unwrap_or(i64::MAX))
        .bind(i64::try_from(retries).unwrap_or(i64::MAX))
        .bind(i64::try_from(self.warnings.len()).unwrap_or(i64::MAX))
        .bind(warning_text)
        .bind(error)
        .bind(self.id)
        .execute(&mut *conn)
        .await?;
        let result = load(&mut conn, self.id).await?;
        conn.commit().await?;
        Ok(result)
    }
}

/// Counter increments of one committed batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub users_read: i64,
    pub created: i64,
    pub updated: i64,
    pub closed: i64,
    pub events_read: i64,
}
