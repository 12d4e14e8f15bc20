//! Scheduled jobs: the one home of everything about them.
//!
//! - this file: the jobs of a profile as rows, and what each kind of job is ([`JobKind::spec`]);
//! - [`schedule`]: when a daily job runs (the admin's time of day on this computer's clock);
//! - [`engine`]: [`JobEngine`] runs them (daily, Run now, Cancel, one run per job);
//! - [`results`]: Scheduled Job Results, one per run;
//! - [`lock`]: one run per job at a time, across the app and the `seatkeeper` command.
//!
//! A published profile has "Refresh `<Display Name>` Subscriptions" and, with Download activity on,
//! "Refresh `<Display Name>` Events", both daily, and "Reclaim `<Display Name>` Subscriptions", run on
//! demand once the admin confirms a reclaim (it refuses to write while Reclaim subscriptions is
//! cleared). Each refresh ends by computing the profile's removal candidates. When a profile
//! returns to Draft its jobs are disabled (and the events job deleted when Download activity was
//! cleared); publishing again re-enables them and creates the missing ones.

pub mod engine;
pub mod lock;
pub mod results;
pub mod schedule;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::SqliteConnection;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

pub use engine::{
    EngineEvents, EngineOptions, JobEngine, JobFinishedEvent, JobProgressEvent, NoEvents, JOB_FINISHED_EVENT,
    JOB_PROGRESS_EVENT,
};
pub use results::{list_job_results, list_profile_job_results, JobResult, JobStatus, PROCESS_STOPPED};
pub use schedule::{next_at_time_of_day, parse_time_of_day, set_time_of_day};

use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::smartsheet::SmartsheetClient;
use crate::sync::{Progress, SyncOptions};
use results::Recorder;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[ts(export, export_to = "jobs.ts")]
pub enum JobKind {
    Subscriptions,
    Events,
    /// Writes the seats the admin confirmed ([`crate::reclaim::job`]).
    Reclaim,
    /// Reconciles entitlements with subscriptions ([`crate::reconcile::job`]); local only.
    Reconcile,
}

impl JobKind {
    /// Every kind, in the order a profile's jobs are created.
    pub const ALL: [Self; 4] = [Self::Subscriptions, Self::Events, Self::Reclaim, Self::Reconcile];

    /// The one place that says what each kind of job is. A new kind is a variant (also in
    /// [`Self::ALL`]), a file with its `run` function, and an arm here.
    pub(crate) fn spec(self) -> JobSpec {
        match self {
            Self::Subscriptions => JobSpec {
                verb: "Refresh",
                name: "Subscriptions",
                refreshes: "subscriptions",
                schedule: JobSchedule::Daily,
                wanted: |_| true,
                after: None,
                computes_candidates: true,
                run: crate::sync::subscriptions::run,
            },
            Self::Events => JobSpec {
                verb: "Refresh",
                name: "Events",
                refreshes: "user activity (turn on Download activity)",
                schedule: JobSchedule::Daily,
                wanted: |settings| settings.download_activity,
                after: Some(Self::Subscriptions),
                computes_candidates: true,
                run: crate::sync::activity::run,
            },
            Self::Reclaim => JobSpec {
                verb: "Reclaim",
                name: "Subscriptions",
                refreshes: "reclaimed seats",
                schedule: JobSchedule::OnDemand,
                wanted: |_| true,
                after: None,
                computes_candidates: false,
                run: crate::reclaim::job::run,
            },
            Self::Reconcile => JobSpec {
                verb: "Reconcile",
                name: "Subscriptions",
                refreshes: "the reconciliation",
                schedule: JobSchedule::Weekly,
                wanted: |_| true,
                after: Some(Self::Subscriptions),
                computes_candidates: false,
                run: crate::reconcile::job::run,
            },
        }
    }

    /// The job's name for a profile, as the procedure names it: "Refresh `<name>` Subscriptions",
    /// "Reclaim `<name>` Subscriptions".
    pub fn job_name(self, display_name: &str) -> String {
        let spec = self.spec();
        format!("{} {display_name} {}", spec.verb, spec.name)
    }
}

/// What a kind of job is: its name, what it waits for, and the code that runs it.
pub(crate) struct JobSpec {
    /// The first word of the job's name ("Refresh", "Reclaim").
    verb: &'static str,
    /// The last word of the job's name ("Refresh `<name>` Subscriptions").
    name: &'static str,
    /// What it refreshes, for "This profile has no job to refresh …".
    pub refreshes: &'static str,
    /// Daily or weekly (the engine runs it when due), or on demand (only Run now, or a confirmed
    /// reclaim).
    pub schedule: JobSchedule,
    /// Whether a published profile with these settings has the job.
    pub wanted: fn(JobSettings) -> bool,
    /// A job of the same profile that this one waits for when both are due.
    pub after: Option<JobKind>,
    /// Whether a run that succeeds ends by computing the profile's removal candidates.
    pub computes_candidates: bool,
    /// One run: reads, writes what it read, reports warnings and counts to the result.
    pub run: RunFn,
}

/// A job's code: see [`JobSpec::run`].
pub(crate) type RunFn = for<'a> fn(RunContext<'a>, &'a mut Recorder) -> BoxFuture<'a, Result<()>>;

/// What one run of a job works with. `cancel`: once it fires the run stops reading, finishes the
/// write in progress and is recorded as `cancelled`.
#[derive(Clone, Copy)]
pub struct RunContext<'a> {
    pub db: &'a Db,
    pub client: &'a SmartsheetClient,
    pub profile_id: i64,
    pub clock: &'a dyn Clock,
    pub options: &'a SyncOptions,
    pub progress: Progress<'a>,
    pub cancel: &'a CancellationToken,
}

/// Runs the profile's job of `kind` once (the job must exist, i.e. the profile was published) and
/// records it as a Scheduled Job Result, holding the job's lock meanwhile. A run that fails is a
/// `failed` result, not an `Err`; `Err` means no result could be recorded (no such profile or job,
/// another run holds the lock, the database failed).
pub async fn run(kind: JobKind, context: RunContext<'_>) -> Result<JobResult> {
    let RunContext { db, client, profile_id, clock, .. } = context;
    let spec = kind.spec();
    let mut recorder = Recorder::start(db, client, profile_id, kind, clock.now()).await?;
    let outcome = (spec.run)(context, &mut recorder).await;
    if outcome.is_ok() && spec.computes_candidates {
        // The refresh itself succeeded and is committed; candidates that could not be computed
        // now are computed by the next refresh or on demand.
        if let Err(e) = crate::reclaim::compute(db, clock, profile_id).await {
            recorder.warn(format!("The removal candidates could not be computed after this refresh: {e}"));
        } else if let Err(e) = crate::reclaim::job::auto_confirm(db, clock, profile_id).await {
            recorder
                .warn(format!("Automatic reclaim could not confirm this profile's Ready candidates: {e}"));
        }
        // Reconciliation follows every refresh, so that the License Usage view's history has a point
        // per refresh.
        let trigger = crate::reconcile::Trigger::Refresh;
        if let Err(e) = crate::reconcile::reconcile(db, clock, profile_id, trigger).await {
            recorder.warn(format!("The reconciliation could not run after this refresh: {e}"));
        }
    }
    recorder.finish(db, client, clock.now(), outcome).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "jobs.ts")]
pub enum JobSchedule {
    Daily,
    /// Every seven days (the reconciliation).
    Weekly,
    /// Runs only when started (Run now, or a confirmed reclaim); never due by itself.
    OnDemand,
}

impl JobSchedule {
    /// When a new or re-enabled job is first due: a daily job at once, an on-demand job never.
    fn first_run(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Daily | Self::Weekly => Some(now),
            Self::OnDemand => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "jobs.ts")]
pub struct ScheduledJob {
    pub id: i64,
    pub profile_id: i64,
    pub kind: JobKind,
    pub name: String,
    pub schedule: JobSchedule,
    /// Follows the profile: a Draft's jobs are disabled until it is published again.
    pub enabled: bool,
    /// The admin's pause (the reference's Active): a paused job is never due, but Run now runs it.
    pub active: bool,
    /// When the engine should run it next; the first run is due at publishing.
    pub next_run_at: Option<DateTime<Utc>>,
    /// The time of day ("HH:MM", this computer's clock) the admin chose for the daily run; `None`:
    /// the time of day the profile was published.
    pub time_of_day: Option<String>,
    /// When a run of it last succeeded (how fresh what it downloads is).
    pub last_succeeded_at: Option<DateTime<Utc>>,
}

/// The error for a job id that is not (or no longer) in the database.
pub(crate) fn not_found(job_id: i64) -> Error {
    Error::NotFound(format!(
        "The scheduled job (id {job_id}) no longer exists; its profile may have been deleted or returned \
         to Draft. Refresh the page."
    ))
}

pub(crate) async fn list_for_profile(
    conn: &mut SqliteConnection,
    profile_id: i64,
) -> Result<Vec<ScheduledJob>> {
    select(conn, Some(profile_id), None).await
}

/// One job as the UI sees it.
pub(crate) async fn load(conn: &mut SqliteConnection, job_id: i64) -> Result<ScheduledJob> {
    select(conn, None, Some(job_id)).await?.pop().ok_or_else(|| not_found(job_id))
}

/// The jobs of a profile, or one job, in the order the profile page lists them.
async fn select(
    conn: &mut SqliteConnection,
    profile_id: Option<i64>,
    job_id: Option<i64>,
) -> Result<Vec<ScheduledJob>> {
    Ok(sqlx::query_as!(
        ScheduledJob,
        r#"SELECT j.id AS "id!", j.profile_id, j.kind AS "kind: JobKind", j.name,
               j.schedule AS "schedule: JobSchedule", j.enabled AS "enabled: bool", j.active AS "active: bool",
               j.next_run_at AS "next_run_at: DateTime<Utc>", j.time_of_day,
               (SELECT max(r.finished_at) FROM job_results r WHERE r.job_id = j.id AND r.status = 'succeeded')
                 AS "last_succeeded_at?: DateTime<Utc>"
           FROM scheduled_jobs j WHERE (?1 IS NULL OR j.profile_id = ?1) AND (?2 IS NULL OR j.id = ?2)
           ORDER BY CASE j.kind WHEN 'subscriptions' THEN 0 WHEN 'events' THEN 1 WHEN 'reclaim' THEN 2 ELSE 3 END"#,
        profile_id,
        job_id
    )
    .fetch_all(conn)
    .await?)
}

/// Pauses a daily or weekly job, or makes it active again (the reference's Active). A paused job
/// is never due (Run now still runs it); made active again, it runs at its next run time, at
/// once if that time passed while it was paused. An on-demand job (the reclaim) has no schedule
/// to pause. Pausing the events job holds automatic reclaim, since activity grows stale.
pub async fn set_active(db: &Db, job_id: i64, active: bool) -> Result<ScheduledJob> {
    let mut tx = db.write().await?;
    let job = load(&mut tx, job_id).await?;
    if job.schedule == JobSchedule::OnDemand {
        return Err(Error::validation(
            "active",
            format!(
                "“{}” runs only on demand (when you confirm a reclaim or select Run now), so there is no schedule to \
                 pause.",
                job.name
            ),
        ));
    }
    sqlx::query!("UPDATE scheduled_jobs SET active = ? WHERE id = ?", active, job_id)
        .execute(&mut *tx)
        .await?;
    let job = load(&mut tx, job_id).await?;
    tx.commit().await?;
    tracing::info!(job = job_id, active, "scheduled job {}", if active { "made active" } else { "paused" });
    Ok(job)
}

/// What decides which jobs a profile has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobSettings {
    pub download_activity: bool,
}

/// Makes the jobs of a profile that is being published exist, enabled and correctly named, each
/// due at once; a job the profile's settings no longer want is deleted.
pub(crate) async fn publish(
    conn: &mut SqliteConnection,
    profile_id: i64,
    display_name: &str,
    settings: JobSettings,
    now: DateTime<Utc>,
) -> Result<()> {
    for kind in JobKind::ALL {
        if !(kind.spec().wanted)(settings) {
            delete(conn, profile_id, kind).await?;
            continue;
        }
        let name = kind.job_name(display_name);
        let schedule = kind.spec().schedule;
        let first_run = schedule.first_run(now);
        sqlx::query!(
            "INSERT INTO scheduled_jobs (profile_id, kind, name, schedule, enabled, next_run_at, created_at) \
             VALUES (?, ?, ?, ?, 1, ?, ?) \
             ON CONFLICT (profile_id, kind) DO UPDATE SET name = excluded.name, enabled = 1, \
             next_run_at = excluded.next_run_at",
            profile_id,
            kind,
            name,
            schedule,
            first_run,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Adds a job to a published profile whose settings now want it (Download activity turned on).
pub(crate) async fn add(
    conn: &mut SqliteConnection,
    profile_id: i64,
    kind: JobKind,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let name = kind.job_name(display_name);
    let schedule = kind.spec().schedule;
    let first_run = schedule.first_run(now);
    sqlx::query!(
        "INSERT INTO scheduled_jobs (profile_id, kind, name, schedule, enabled, next_run_at, created_at) \
         VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (profile_id, kind) DO UPDATE SET enabled = 1",
        profile_id,
        kind,
        name,
        schedule,
        first_run,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The id of the profile's job of `kind`, created (enabled, as publishing would) when the profile
/// has none — a profile published before the kind existed. An existing job is left as it is
/// (a Draft profile's stays disabled).
pub(crate) async fn job_id_creating(
    conn: &mut SqliteConnection,
    profile_id: i64,
    kind: JobKind,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let existing = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM scheduled_jobs WHERE profile_id = ? AND kind = ?"#,
        profile_id,
        kind
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    add(&mut *conn, profile_id, kind, display_name, now).await?;
    Ok(sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM scheduled_jobs WHERE profile_id = ? AND kind = ?"#,
        profile_id,
        kind
    )
    .fetch_one(conn)
    .await?)
}

/// [`job_id_creating`] in a write transaction of its own.
pub(crate) async fn ensure_job(
    db: &Db,
    profile_id: i64,
    kind: JobKind,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = db.write().await?;
    let id = job_id_creating(&mut tx, profile_id, kind, display_name, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn delete(conn: &mut SqliteConnection, profile_id: i64, kind: JobKind) -> Result<()> {
    sqlx::query!("DELETE FROM scheduled_jobs WHERE profile_id = ? AND kind = ?", profile_id, kind)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops all jobs of a profile that returned to Draft.
pub(crate) async fn disable_all(conn: &mut SqliteConnection, profile_id: i64) -> Result<()> {
    sqlx::query!("UPDATE scheduled_jobs SET enabled = 0 WHERE profile_id = ?", profile_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Renames the jobs after the profile was renamed.
pub(crate) async fn rename(conn: &mut SqliteConnection, profile_id: i64, display_name: &str) -> Result<()> {
    for job in list_for_profile(conn, profile_id).await? {
        let name = job.kind.job_name(display_name);
        sqlx::query!("UPDATE scheduled_jobs SET name = ? WHERE id = ?", name, job.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_follow_the_procedure() {
        assert_eq!(JobKind::Subscriptions.job_name("Acme"), "Refresh Acme Subscriptions");
        assert_eq!(JobKind::Events.job_name("Acme"), "Refresh Acme Events");
        assert_eq!(JobKind::Reclaim.job_name("Acme"), "Reclaim Acme Subscriptions");
    }

    #[test]
    fn serialized_shape() {
        assert_eq!(serde_json::to_value(JobKind::Subscriptions).unwrap(), "Subscriptions");
        assert_eq!(serde_json::to_value(JobSchedule::Daily).unwrap(), "daily");
        assert_eq!(serde_json::to_value(JobSchedule::OnDemand).unwrap(), "onDemand");
    }
}
