//! The job engine: runs the scheduled jobs of published profiles — daily, on "Run now", and once
//! at start for a run missed while Seatkeeper was closed — one run per job at a time, cancellable.
//!
//! - [`JobEngine::start`] marks results left `running` by a stopped process as `failed`
//!   ([`super::PROCESS_STOPPED`]), then spawns the scheduler loop. The loop calls
//!   [`JobEngine::tick`], which starts every due job (enabled, profile Published, `next_run_at`
//!   passed) and moves its `next_run_at` to the next time of day the admin chose for it (this
//!   computer's clock, [`super::set_time_of_day`]), or else on by whole days past now — so a
//!   missed run runs once, and the next at the job's usual time of day. It then sleeps until the
//!   next `next_run_at` (at most [`EngineOptions::poll_interval`]) or until [`JobEngine::nudge`].
//! - [`JobEngine::run_now`] starts a job at once ([`Error::Conflict`] when it is already running).
//!   Across processes (the app and the `seatkeeper` command on one database) a job's lock
//!   ([`super::lock`]) keeps it to one run at a time; a run that finds the lock
//!   taken is recorded as failed with a message that says so.
//! - [`JobEngine::cancel`] fires the run's cancellation token. The sync stops reading at once,
//!   finishes the write in progress (it commits page by page, or batch by batch, so what was
//!   committed stays) and records the result as `cancelled` with those counts.
//! - A job started while a job it waits for ([`super::JobSpec::after`]) runs for the same profile
//!   waits for that run: the events job waits for the subscriptions job, so that last-login
//!   activity and new users are seen.
//!
//! Progress and results go to an [`EngineEvents`] (the shell turns them into Tauri events and a
//! desktop notification when a run fails). The engine never depends on tauri.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, FutureExt, Shared};
use serde::Serialize;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::results::{self, JobResult, JobStatus};
use super::schedule::{next_at_time_of_day, next_run_after, parse_time_of_day};
use super::{JobKind, JobSchedule, RunContext};
use crate::clock::Clock;
use crate::connections::{client_for, ClientOptions};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::smartsheet::ClientStats;
use crate::sync::{SyncOptions, SyncProgress};

/// The Tauri event that carries a [`JobProgressEvent`].
pub const JOB_PROGRESS_EVENT: &str = "job-progress";
/// The Tauri event that carries a [`JobFinishedEvent`].
pub const JOB_FINISHED_EVENT: &str = "job-finished";

/// What the shell is told while jobs run.
pub trait EngineEvents: Send + Sync {
    /// A run made progress (after each page, and at phase changes).
    fn progress(&self, job_id: i64, profile_id: i64, progress: SyncProgress);
    /// A run ended (succeeded, failed or cancelled) and its result is recorded.
    fn finished(&self, job_id: i64, profile_id: i64, result: &JobResult);
}

/// Events that go nowhere (the CLI, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EngineEvents for NoEvents {
    fn progress(&self, _: i64, _: i64, _: SyncProgress) {}
    fn finished(&self, _: i64, _: i64, _: &JobResult) {}
}

/// The payload of the `job-progress` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct JobProgressEvent {
    pub job_id: i64,
    pub profile_id: i64,
    pub progress: SyncProgress,
}

/// The payload of the `job-finished` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct JobFinishedEvent {
    pub job_id: i64,
    pub profile_id: i64,
    pub result: JobResult,
}

/// How the engine runs jobs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The Smartsheet client's patience (retries, timeouts, rate limit).
    pub client: ClientOptions,
    pub sync: SyncOptions,
    /// The longest the scheduler sleeps between two looks at the schedule.
    pub poll_interval: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            client: ClientOptions::jobs(),
            sync: SyncOptions::default(),
            poll_interval: Duration::from_secs(60),
        }
    }
}

type Done = Shared<BoxFuture<'static, Option<JobResult>>>;

struct Running {
    profile_id: i64,
    kind: JobKind,
    cancel: CancellationToken,
    done: Done,
}

struct Inner {
    db: Db,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EngineEvents>,
    options: EngineOptions,
    running: Mutex<HashMap<i64, Running>>,
    wake: Notify,
    stop: CancellationToken,
    started: AtomicBool,
}

impl Inner {
    fn running(&self) -> MutexGuard<'_, HashMap<i64, Running>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A job as the engine needs it.
#[derive(Debug, Clone)]
struct Job {
    id: i64,
    profile_id: i64,
    kind: JobKind,
    name: String,
    enabled: bool,
    published: bool,
    next_run_at: Option<DateTime<Utc>>,
    time_of_day: Option<String>,
    schedule: JobSchedule,
}

impl Job {
    /// When the job runs next after a run that starts at `now`: at the admin's time of day on this
    /// computer's clock, or else whole days after its last scheduled time.
    /// A weekly job runs six days after that.
    fn next_run(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let next = match self.time_of_day.as_deref().map(parse_time_of_day) {
            Some(Ok(time)) => next_at_time_of_day(time, now, &chrono::Local),
            _ => next_run_after(self.next_run_at.unwrap_or(now), now),
        };
        match self.schedule {
            JobSchedule::Weekly => next + chrono::Duration::days(6),
            JobSchedule::Daily | JobSchedule::OnDemand => next,
        }
    }
}

/// The jobs due at `due` (daily or weekly, enabled and active, of a Published profile, `next_run_at` passed or never
/// set; an on-demand job is never due), or the job `id` whatever its state.
async fn select(db: &Db, id: Option<i64>, due: Option<DateTime<Utc>>) -> Result<Vec<Job>> {
    Ok(sqlx::query_as!(
        Job,
        r#"SELECT j.id AS "id!", j.profile_id, j.kind AS "kind: JobKind", j.name, j.enabled AS "enabled: bool",
               p.status = 'published' AS "published!: bool", j.next_run_at AS "next_run_at: DateTime<Utc>",
               j.time_of_day, j.schedule AS "schedule: JobSchedule"
           FROM scheduled_jobs j JOIN profiles p ON p.id = j.profile_id
           WHERE (?1 IS NULL OR j.id = ?1)
             AND (?2 IS NULL OR (j.enabled = 1 AND j.active = 1 AND p.status = 'published'
                                 AND j.schedule IN ('daily', 'weekly')
                                 AND (j.next_run_at IS NULL OR j.next_run_at <= ?2)))
           ORDER BY j.profile_id, j.kind DESC"#,
        id,
        due
    )
    .fetch_all(db.pool())
    .await?)
}

/// Runs the scheduled jobs. Cheap to clone; clones share the runs.
#[derive(Clone)]
pub struct JobEngine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for JobEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobEngine").field("running", &self.running_jobs()).finish_non_exhaustive()
    }
}

impl JobEngine {
    pub fn new(
        db: Db,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EngineEvents>,
    ) -> Self {
        Self::with_options(db, secrets, clock, events, EngineOptions::default())
    }

    pub fn with_options(
        db: Db,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EngineEvents>,
        options: EngineOptions,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                secrets,
                clock,
                events,
                options,
                running: Mutex::new(HashMap::new()),
                wake: Notify::new(),
                stop: CancellationToken::new(),
                started: AtomicBool::new(false),
            }),
        }
    }

    /// Settles the results a stopped process left `running` (see [`results`]), resumes the
    /// reclaims the admin confirmed that a stopped process did not finish (their candidates are
    /// still Awaiting Revocation; the run first settles any write left without an outcome), then
    /// spawns the scheduler loop on the current tokio runtime (its first tick runs the jobs missed
    /// while the app was closed). Starting twice does nothing the second time.
    pub async fn start(&self) -> Result<()> {
        if self.inner.started.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        results::settle_stopped_runs(&self.inner.db, self.inner.clock.now()).await?;
        let waiting = sqlx::query_scalar!(
            r#"SELECT DISTINCT c.profile_id AS "profile_id!" FROM removal_candidates c
               JOIN profiles p ON p.id = c.profile_id
               WHERE c.state = 'awaiting_revocation' AND p.status = 'published'"#
        )
        .fetch_all(self.inner.db.pool())
        .await?;
        for profile_id in waiting {
            if let Err(e) = self.reclaim_confirmed(profile_id).await {
                tracing::warn!(profile = profile_id, "the interrupted reclaim could not resume: {e}");
            }
        }
        let engine = self.clone();
        tokio::spawn(async move { engine.run_loop().await });
        Ok(())
    }

    /// Starts every due job: enabled, of a Published profile, `next_run_at` passed (or never set),
    /// and not running. Each one's `next_run_at` moves to the next time of day the admin chose, or
    /// else on by whole days until it is in the future.
    /// Returns the ids of the jobs started. The scheduler loop calls it; tests may too.
    pub async fn tick(&self) -> Result<Vec<i64>> {
        let now = self.inner.clock.now();
        let jobs = select(&self.inner.db, None, Some(now)).await?;
        let mut started = Vec::new();
        for job in jobs {
            if self.is_running(job.id) {
                continue;
            }
            let next = job.next_run(now);
            let mut tx = self.inner.db.write().await?;
            sqlx::query!("UPDATE scheduled_jobs SET next_run_at = ? WHERE id = ?", next, job.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            match self.spawn_run(job.clone()) {
                Ok(()) => {
                    tracing::info!(job = job.id, name = %job.name, next = %next, "scheduled run started");
                    started.push(job.id);
                }
                Err(e) => tracing::warn!(job = job.id, "scheduled run not started: {e}"),
            }
        }
        Ok(started)
    }

    /// Starts a run of the job now; its progress and result arrive through [`EngineEvents`].
    /// [`Error::Conflict`] when the job is already running or its profile is not Published.
    pub async fn run_now(&self, job_id: i64) -> Result<()> {
        let job = self.job(job_id).await?;
        if !job.published || !job.enabled {
            return Err(Error::Conflict(format!(
                "“{}” cannot run while its profile is a Draft. Publish the profile first.",
                job.name
            )));
        }
        self.spawn_run(job)
    }

    /// Cancels the job's run, if one is in progress; the run is then recorded as `cancelled` with
    /// what it had committed. Cancelling a job that is not running does nothing.
    pub async fn cancel(&self, job_id: i64) -> Result<()> {
        self.job(job_id).await?;
        if let Some(run) = self.inner.running().get(&job_id) {
            tracing::info!(job = job_id, "cancelling run");
            run.cancel.cancel();
        }
        Ok(())
    }

    /// Starts the profile's reclaim job when candidates wait for it (Awaiting Revocation: confirmed
    /// by automatic reclaim after a refresh, or left by a run that was stopped) and it is not
    /// running. Returns whether it started.
    pub async fn reclaim_confirmed(&self, profile_id: i64) -> Result<bool> {
        let job = sqlx::query!(
            r#"SELECT j.id AS "id!", (SELECT count(*) FROM removal_candidates c
                   WHERE c.profile_id = j.profile_id AND c.state = 'awaiting_revocation') AS "waiting!: i64"
               FROM scheduled_jobs j WHERE j.profile_id = ? AND j.kind = 'reclaim'"#,
            profile_id
        )
        .fetch_optional(self.inner.db.pool())
        .await?;
        match job {
            Some(job) if job.waiting > 0 && !self.is_running(job.id) => {
                self.run_now(job.id).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Whether the job is running now.
    pub fn is_running(&self, job_id: i64) -> bool {
        self.inner.running().contains_key(&job_id)
    }

    /// The ids of the jobs running now.
    pub fn running_jobs(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.inner.running().keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Waits for the job's current run to end and returns its result (None when it was not
    /// running, or no result could be recorded).
    pub async fn wait(&self, job_id: i64) -> Option<JobResult> {
        let done = self.inner.running().get(&job_id).map(|r| r.done.clone())?;
        done.await
    }

    /// Wakes the scheduler loop so that it looks at the schedule now (after publishing, or after a
    /// test moved the clock).
    pub fn nudge(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops the scheduler loop and cancels every run.
    pub fn shutdown(&self) {
        self.inner.stop.cancel();
    }

    async fn job(&self, job_id: i64) -> Result<Job> {
        select(&self.inner.db, Some(job_id), None).await?.pop().ok_or_else(|| super::not_found(job_id))
    }

    fn spawn_run(&self, job: Job) -> Result<()> {
        let mut running = self.inner.running();
        if running.contains_key(&job.id) {
            return Err(Error::Conflict(format!(
                "“{}” is already running. Wait for it to finish, or cancel it.",
                job.name
            )));
        }
        let after = job.kind.spec().after.and_then(|kind| {
            running
                .values()
                .find(|r| r.profile_id == job.profile_id && r.kind == kind)
                .map(|r| r.done.clone())
        });
        let cancel = self.inner.stop.child_token();
        let (job_id, profile_id, kind) = (job.id, job.profile_id, job.kind);
        let handle = tokio::spawn(execute(self.inner.clone(), job, cancel.clone(), after));
        let done = async move { handle.await.ok().flatten() }.boxed().shared();
        running.insert(job_id, Running { profile_id, kind, cancel, done });
        Ok(())
    }

    async fn run_loop(&self) {
        let poll = self.inner.options.poll_interval;
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!("the scheduler could not look at the jobs: {e}");
            }
            let wait = match self.until_next_due().await {
                Ok(Some(wait)) => wait.clamp(Duration::from_secs(1), poll),
                Ok(None) | Err(_) => poll,
            };
            tokio::select! {
                () = self.inner.stop.cancelled() => break,
                () = self.inner.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// How long until the next job is due.
    async fn until_next_due(&self) -> Result<Option<Duration>> {
        let next = sqlx::query_scalar!(
            r#"SELECT min(j.next_run_at) AS "next?: DateTime<Utc>" FROM scheduled_jobs j
               JOIN profiles p ON p.id = j.profile_id
               WHERE j.enabled = 1 AND j.active = 1 AND p.status = 'published'
                 AND j.schedule IN ('daily', 'weekly')"#
        )
        .fetch_one(self.inner.db.pool())
        .await?;
        Ok(next.map(|next| (next - self.inner.clock.now()).to_std().unwrap_or(Duration::ZERO)))
    }
}

/// One run of a job, from start to the recorded result; then the job stops being running.
async fn execute(
    inner: Arc<Inner>,
    job: Job,
    cancel: CancellationToken,
    after: Option<Done>,
) -> Option<JobResult> {
    if let Some(after) = after {
        tokio::select! {
            _ = after => {}
            () = cancel.cancelled() => {}
        }
    }
    let outcome = run(&inner, &job, &cancel).await;
    let result = match outcome {
        Ok(result) => Some(result),
        Err(e) => {
            tracing::warn!(job = job.id, "run could not be recorded normally: {e}");
            let (now, stats) = (inner.clock.now(), ClientStats::default());
            match results::record_ended(&inner.db, job.id, now, JobStatus::Failed, &e.to_string(), stats)
                .await
            {
                Ok(result) => Some(result),
                Err(e) => {
                    tracing::error!(job = job.id, "run result could not be recorded: {e}");
                    None
                }
            }
        }
    };
    inner.running().remove(&job.id);
    if let Some(result) = &result {
        tracing::info!(job = job.id, status = ?result.status, "run finished");
        inner.events.finished(job.id, job.profile_id, result);
        if result.status == JobStatus::Succeeded && job.kind.spec().computes_candidates {
            let engine = JobEngine { inner: inner.clone() };
            if let Err(e) = engine.reclaim_confirmed(job.profile_id).await {
                tracing::warn!(profile = job.profile_id, "the confirmed reclaim could not start: {e}");
            }
        }
    }
    result
}

async fn run(inner: &Inner, job: &Job, cancel: &CancellationToken) -> Result<JobResult> {
    let client = client_for(&inner.db, &*inner.secrets, job.profile_id, &inner.options.client).await?;
    if cancel.is_cancelled() {
        let message = Error::Cancelled.to_string();
        let now = inner.clock.now();
        return results::record_ended(&inner.db, job.id, now, JobStatus::Cancelled, &message, client.stats())
            .await;
    }
    let events = inner.events.clone();
    let (job_id, profile_id) = (job.id, job.profile_id);
    let progress = move |p: SyncProgress| events.progress(job_id, profile_id, p);
    // Cancelling is cooperative: the sync stops reading, ends the write in progress and records the
    // run as cancelled with what it committed.
    let context = RunContext {
        db: &inner.db,
        client: &client,
        profile_id,
        clock: &*inner.clock,
        options: &inner.options.sync,
        progress: &progress,
        cancel,
    };
    super::run(job.kind, context).await
}
