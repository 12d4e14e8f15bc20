//! The job engine against the Smartsheet simulator: Run now, one run per job, cancel, the
//! scheduler's tick and loop (driven by a fixed clock, no wall-clock waits), a missed run at
//! start, and results a killed app left `running`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use seatkeeper_core::jobs::{
    lock, EngineEvents, EngineOptions, JobEngine, JobKind, JobResult, JobSchedule, JobStatus, ScheduledJob,
    PROCESS_STOPPED,
};
use seatkeeper_core::reclaim;
use seatkeeper_core::services::{
    get_profile, list_profile_job_results, list_subscriptions, set_job_active, set_job_time_of_day,
};
use seatkeeper_core::sync::{SyncOptions, SyncPhase, SyncProgress};
use seatkeeper_core::{Clock, Db, ErrorCode, FixedClock, MemoryStore, SecretStore};
use seatkeeper_testsupport::{self as support, now, Org};
use smartsheet_sim::{FaultSpec, SimConfig, SimHandle};
use tokio::sync::Notify;

/// `users` users with five days of history.
fn sim_config(users: u32) -> SimConfig {
    support::sim_config(7, users, 5)
}

fn options() -> EngineOptions {
    EngineOptions {
        client: support::fast_options(),
        sync: SyncOptions { batch_size: 100, events_page_size: 200, events_per_commit: 200 },
        poll_interval: Duration::from_secs(60),
    }
}

/// What the engine reported.
#[derive(Default)]
struct Recorded {
    progress: Mutex<Vec<(i64, i64, SyncProgress)>>,
    finished: Mutex<Vec<(i64, i64, JobResult)>>,
    changed: Notify,
}

impl EngineEvents for Recorded {
    fn progress(&self, job_id: i64, profile_id: i64, progress: SyncProgress) {
        self.progress.lock().unwrap().push((job_id, profile_id, progress));
        self.changed.notify_waiters();
    }
    fn finished(&self, job_id: i64, profile_id: i64, result: &JobResult) {
        self.finished.lock().unwrap().push((job_id, profile_id, result.clone()));
        self.changed.notify_waiters();
    }
}

impl Recorded {
    /// Waits (at most 20 s) until `done` holds.
    async fn until(&self, what: &str, done: impl Fn(&Self) -> bool) {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let changed = self.changed.notified();
                if done(self) {
                    return;
                }
                // Progress may also come from a path that does not notify (a re-check is cheap).
                let _ = tokio::time::timeout(Duration::from_millis(50), changed).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
    }

    /// Waits until a run reports a first page read in `phase`.
    async fn until_a_page_of(&self, phase: SyncPhase) {
        self.until(&format!("a page in {phase:?}"), |e| {
            e.progress.lock().unwrap().iter().any(|(_, _, p)| p.phase == phase && p.pages_done >= 1)
        })
        .await;
    }

    fn finished_count(&self) -> usize {
        self.finished.lock().unwrap().len()
    }
}

struct Case {
    sim: SimHandle,
    db: Db,
    clock: Arc<FixedClock>,
    events: Arc<Recorded>,
    engine: JobEngine,
    profile: i64,
}

/// A simulator and a published profile on it (download activity on: two jobs), and an engine.
async fn case(config: SimConfig) -> Case {
    let Org { sim, db, secrets, clock, profile, .. } = Org::published(config).await;
    let events = Arc::new(Recorded::default());
    let engine = JobEngine::with_options(
        db.clone(),
        secrets as Arc<dyn SecretStore>,
        clock.clone() as Arc<dyn Clock>,
        events.clone() as Arc<dyn EngineEvents>,
        options(),
    );
    Case { sim, db, clock, events, engine, profile }
}

impl Case {
    async fn jobs(&self) -> Vec<ScheduledJob> {
        get_profile(&self.db, self.profile).await.unwrap().jobs
    }

    /// The daily jobs (the reclaim job runs only on demand and is never due; the reconciliation is
    /// weekly).
    async fn daily_jobs(&self) -> Vec<ScheduledJob> {
        let (daily, others): (Vec<_>, Vec<_>) =
            self.jobs().await.into_iter().partition(|j| j.schedule == JobSchedule::Daily);
        assert!(
            others.iter().all(|j| (j.kind == JobKind::Reclaim && j.next_run_at.is_none())
                || (j.kind == JobKind::Reconcile && j.schedule == JobSchedule::Weekly)),
            "{others:?}"
        );
        daily
    }

    async fn job(&self, kind: JobKind) -> ScheduledJob {
        self.jobs().await.into_iter().find(|j| j.kind == kind).unwrap()
    }

    async fn results(&self) -> Vec<JobResult> {
        list_profile_job_results(&self.db, self.profile).await.unwrap()
    }

    /// A `running` result of `job_id` (number 1) with `users_read` committed; whether its run is
    /// alive is whether someone holds the job's lock.
    async fn insert_running(&self, job_id: i64, users_read: i64) {
        sqlx::query("INSERT INTO job_results (job_id, number, started_at, status, users_read) VALUES (?, 1, ?, 'running', ?)")
            .bind(job_id)
            .bind(now())
            .bind(users_read)
            .execute(self.db.pool())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn run_now_runs_the_subscriptions_job_and_records_its_result() {
    let case = case(sim_config(150)).await;
    let job = case.job(JobKind::Subscriptions).await;
    case.engine.run_now(job.id).await.unwrap();
    let result = case.engine.wait(job.id).await.expect("a result");
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(result.job_id, job.id);
    assert_eq!(result.number, 1);
    assert!(result.users_read >= 150, "{result:?}");
    assert!(result.requests > 0);
    assert!(!case.engine.is_running(job.id));

    // Progress and the result were reported, for this job and profile.
    let progress = case.events.progress.lock().unwrap().clone();
    assert!(progress.iter().all(|(j, p, _)| (*j, *p) == (job.id, case.profile)));
    assert!(progress.iter().any(|(_, _, p)| p.phase == SyncPhase::Users && p.pages_done > 0));
    assert_eq!(progress.last().unwrap().2.phase, SyncPhase::Done);
    let finished = case.events.finished.lock().unwrap().clone();
    assert_eq!(finished, vec![(job.id, case.profile, result.clone())]);

    assert_eq!(
        list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap().len() as i64,
        result.subscriptions_created
    );
    assert_eq!(case.results().await, vec![result]);

    // The events job runs too, and the profile's results list both, newest first.
    let events_job = case.job(JobKind::Events).await;
    case.engine.run_now(events_job.id).await.unwrap();
    let events_result = case.engine.wait(events_job.id).await.unwrap();
    assert_eq!(events_result.status, JobStatus::Succeeded, "{:?}", events_result.error_message);
    assert!(events_result.events_read > 0);
    let results = case.results().await;
    assert_eq!(results.iter().map(|r| r.job_id).collect::<Vec<_>>(), vec![events_job.id, job.id]);
}

#[tokio::test]
async fn a_job_runs_once_at_a_time() {
    let case = case(sim_config(300)).await;
    case.sim.set_faults("latency=30ms".parse::<FaultSpec>().unwrap());
    let job = case.job(JobKind::Subscriptions).await;
    case.engine.run_now(job.id).await.unwrap();
    assert!(case.engine.is_running(job.id));
    let err = case.engine.run_now(job.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("already running"), "{err}");
    // Nor does the scheduler start it a second time.
    assert!(!case.engine.tick().await.unwrap().contains(&job.id));
    let result = case.engine.wait(job.id).await.unwrap();
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    // Once it finished, it can run again; its result takes the next number across all jobs.
    case.sim.set_faults(FaultSpec::none());
    case.engine.run_now(job.id).await.unwrap();
    let again = case.engine.wait(job.id).await.unwrap();
    let last = case.results().await.iter().map(|r| r.number).max().unwrap();
    assert!(again.number > result.number && again.number == last, "{} after {}", again.number, result.number);

    // Unknown jobs are NotFound; jobs of a Draft profile cannot run.
    assert_eq!(case.engine.run_now(9999).await.unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(case.engine.cancel(9999).await.unwrap_err().code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn cancel_stops_a_run_and_records_it_as_cancelled_with_its_counts() {
    let case = case(sim_config(1500)).await;
    case.sim.set_faults("latency=50ms".parse::<FaultSpec>().unwrap());
    let job = case.job(JobKind::Subscriptions).await;
    case.engine.run_now(job.id).await.unwrap();
    // Cancel once a first page of users is read (batch = page = 100): what was read is written
    // before the run ends.
    case.events.until_a_page_of(SyncPhase::Users).await;
    case.engine.cancel(job.id).await.unwrap();
    let result = case.engine.wait(job.id).await.expect("a result");
    assert_eq!(result.status, JobStatus::Cancelled, "{result:?}");
    assert!(result.finished_at.is_some());
    assert!(result.users_read >= 100 && result.users_read < 1500, "{result:?}");
    assert!(result.requests > 0, "{result:?}");
    assert!(result.error_message.as_deref().unwrap().contains("Cancelled"));
    assert!(!case.engine.is_running(job.id));
    assert_eq!(case.events.finished.lock().unwrap()[0].2, result);
    assert_eq!(case.results().await, vec![result.clone()]);
    // What was committed stays.
    let stored = list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap().len() as i64;
    assert_eq!(stored, result.subscriptions_created);

    // Cancelling a job that is not running does nothing; the next run completes the download.
    case.engine.cancel(job.id).await.unwrap();
    case.sim.set_faults(FaultSpec::none());
    case.engine.run_now(job.id).await.unwrap();
    let again = case.engine.wait(job.id).await.unwrap();
    assert_eq!(again.status, JobStatus::Succeeded, "{:?}", again.error_message);
    assert_eq!(list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap().len(), 1500);
}

#[tokio::test]
async fn cancelling_the_events_job_keeps_whole_pages_and_the_next_run_reads_the_rest() {
    let case = case(sim_config(1500)).await;
    let total = case.sim.info().events as i64;
    assert!(total > 2000, "enough events for several pages: {total}");
    case.sim.set_faults("latency=40ms".parse::<FaultSpec>().unwrap());
    let job = case.job(JobKind::Events).await;
    case.engine.run_now(job.id).await.unwrap();
    case.events.until_a_page_of(SyncPhase::Events).await;
    case.engine.cancel(job.id).await.unwrap();
    let cancelled = case.engine.wait(job.id).await.expect("a result");
    assert_eq!(cancelled.status, JobStatus::Cancelled, "{cancelled:?}");
    assert!(cancelled.events_read >= 200 && cancelled.events_read < total, "{cancelled:?}");
    assert_eq!(cancelled.events_read % 200, 0, "whole pages of 200 only: {cancelled:?}");
    // The recorded result is the stored one: no write landed after it was recorded.
    assert_eq!(case.results().await, vec![cancelled.clone()]);

    case.sim.set_faults(FaultSpec::none());
    case.engine.run_now(job.id).await.unwrap();
    let rest = case.engine.wait(job.id).await.unwrap();
    assert_eq!(rest.status, JobStatus::Succeeded, "{:?}", rest.error_message);
    assert_eq!(cancelled.events_read + rest.events_read, total, "nothing read twice or skipped");
}

#[tokio::test]
async fn the_scheduler_runs_due_jobs_and_moves_them_on_by_a_day() {
    let case = case(sim_config(120)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    let events = case.job(JobKind::Events).await;
    let reconcile = case.job(JobKind::Reconcile).await;
    // Publishing made all three due now: a tick starts them (subscriptions first; events and the
    // reconciliation wait for it).
    let mut started = case.engine.tick().await.unwrap();
    started.sort_unstable();
    let mut expected = vec![subs.id, events.id, reconcile.id];
    expected.sort_unstable();
    assert_eq!(started, expected);
    let a = case.engine.wait(subs.id).await.unwrap();
    let b = case.engine.wait(events.id).await.unwrap();
    assert_eq!((a.status, b.status), (JobStatus::Succeeded, JobStatus::Succeeded), "{a:?} {b:?}");
    assert!(b.started_at >= a.started_at);
    // The reconciliation (quick, local) may be over before anyone waits for it.
    case.events.until("the jobs to stop running", |_| case.engine.running_jobs().is_empty()).await;
    let results = case.results().await;
    let c = results.iter().find(|r| r.job_id == reconcile.id).expect("the reconciliation ran");
    assert_eq!(c.status, JobStatus::Succeeded, "{c:?}");
    assert!(c.started_at >= a.started_at);
    let next = case.clock.now() + chrono::Duration::days(1);
    for job in case.daily_jobs().await {
        assert_eq!(job.next_run_at, Some(next), "{}", job.name);
    }
    // The reconciliation runs again a week later.
    let weekly = case.clock.now() + chrono::Duration::days(7);
    assert_eq!(case.job(JobKind::Reconcile).await.next_run_at, Some(weekly));
    // Nothing is due until tomorrow.
    assert!(case.engine.tick().await.unwrap().is_empty());
    case.clock.advance(chrono::Duration::hours(23));
    assert!(case.engine.tick().await.unwrap().is_empty());

    // The loop: started, it finds nothing due; a day later, nudged, it runs both jobs again.
    case.engine.start().await.unwrap();
    case.clock.advance(chrono::Duration::hours(1));
    case.engine.nudge();
    case.events.until("the loop's runs", |e| e.finished_count() == 5).await;
    // One numbering across the jobs, as ServiceNow numbers records (newest first here).
    let numbers: Vec<i64> = case.results().await.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1]);
    case.events.until("the jobs to stop running", |_| case.engine.running_jobs().is_empty()).await;
    let next = next + chrono::Duration::days(1);
    for job in case.daily_jobs().await {
        assert_eq!(job.next_run_at, Some(next), "{}", job.name);
    }
    assert_eq!(case.job(JobKind::Reconcile).await.next_run_at, Some(weekly), "not due before its week");
    case.engine.shutdown();
}

/// A paused job (Active off) is never due; Run now still runs it; made active again, a run missed
/// while it was paused is due at once. The on-demand reclaim job has no schedule to pause.
#[tokio::test]
async fn a_paused_job_is_never_due_but_run_now_still_runs_it() {
    let case = case(sim_config(60)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    let events = case.job(JobKind::Events).await;
    assert!(case.jobs().await.iter().all(|j| j.active), "jobs start active");
    assert_eq!(events.last_succeeded_at, None);

    let paused = set_job_active(&case.db, events.id, false).await.unwrap();
    assert_eq!((paused.id, paused.active, paused.enabled), (events.id, false, true));
    let started = case.engine.tick().await.unwrap();
    assert!(started.contains(&subs.id), "{started:?}");
    assert!(!started.contains(&events.id), "a paused job is not due: {started:?}");
    case.engine.wait(subs.id).await.unwrap();
    case.events.until("the jobs to stop running", |_| case.engine.running_jobs().is_empty()).await;
    assert!(case.job(JobKind::Subscriptions).await.last_succeeded_at.is_some());

    // Run now runs it all the same, and it stays paused.
    case.engine.run_now(events.id).await.unwrap();
    let run = case.engine.wait(events.id).await.unwrap();
    assert_eq!(run.status, JobStatus::Succeeded, "{run:?}");
    let after = case.job(JobKind::Events).await;
    assert_eq!((after.active, after.last_succeeded_at), (false, run.finished_at));

    // Two days later only the active job is due; made active again, the paused one is due at once.
    case.clock.advance(chrono::Duration::days(2));
    let started = case.engine.tick().await.unwrap();
    assert!(started.contains(&subs.id) && !started.contains(&events.id), "{started:?}");
    case.events.until("the jobs to stop running", |_| case.engine.running_jobs().is_empty()).await;
    assert!(set_job_active(&case.db, events.id, true).await.unwrap().active);
    assert_eq!(case.engine.tick().await.unwrap(), [events.id]);
    case.engine.wait(events.id).await.unwrap();

    let reclaim = case.job(JobKind::Reclaim).await;
    let err = set_job_active(&case.db, reclaim.id, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert!(err.to_string().contains("runs only on demand"), "{err}");
    assert!(case.job(JobKind::Reclaim).await.active);
    assert_eq!(set_job_active(&case.db, 9999, false).await.unwrap_err().code(), ErrorCode::NotFound);
}

/// Automatic reclaim holds while the events job is paused: the activity behind the candidates is
/// stale, and a user who has been active since could lose a seat.
#[tokio::test]
async fn automatic_reclaim_holds_while_the_events_job_is_paused() {
    let case = case(support::sim_config(9, 250, 120)).await;
    let subscriptions = case.job(JobKind::Subscriptions).await;
    // The first refresh makes the models, their rules and the candidates.
    case.engine.run_now(subscriptions.id).await.unwrap();
    case.engine.wait(subscriptions.id).await.unwrap();
    let paid: Vec<_> =
        reclaim::list_rules(&case.db, case.profile).await.unwrap().into_iter().filter(|r| r.paid).collect();
    assert!(!paid.is_empty());
    for rule in paid {
        let input = reclaim::RuleInput { auto_reclaim: true, ..reclaim::RuleInput::defaults() };
        reclaim::update_rule(&case.db, &*case.clock, rule.id, input).await.unwrap();
    }
    let all = reclaim::CandidateFilter { profile_id: Some(case.profile), ..Default::default() };
    let ready = reclaim::candidate_ids(&case.db, &*case.clock, &all).await.unwrap();
    assert!(!ready.is_empty(), "the refresh made candidates");
    let not_ready = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM removal_candidates WHERE profile_id = ? AND state <> 'ready'",
        )
        .bind(case.profile)
        .fetch_one(case.db.pool())
        .await
        .unwrap()
    };

    let events = case.job(JobKind::Events).await;
    set_job_active(&case.db, events.id, false).await.unwrap();
    case.engine.run_now(subscriptions.id).await.unwrap();
    let run = case.engine.wait(subscriptions.id).await.unwrap();
    assert_eq!(run.status, JobStatus::Succeeded, "{run:?}");
    assert_eq!(not_ready().await, 0, "nothing was confirmed for reclaiming");
    let filter = reclaim::AuditFilter { profile_id: Some(case.profile), ..Default::default() };
    assert_eq!(reclaim::list_audit(&case.db, case.clock.now(), &filter, 0, 10).await.unwrap().total, 0);

    // Active again: the next refresh confirms them, as automatic reclaim does.
    set_job_active(&case.db, events.id, true).await.unwrap();
    case.engine.run_now(subscriptions.id).await.unwrap();
    case.engine.wait(subscriptions.id).await.unwrap();
    assert!(
        not_ready().await > 0,
        "automatic reclaim confirmed the Ready candidates once activity was live again"
    );
    case.events.until("the jobs to stop running", |_| case.engine.running_jobs().is_empty()).await;
}

/// The local wall-clock time ("HH:MM") of `at` on this computer.
fn local_hh_mm(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%H:%M").to_string()
}

#[tokio::test]
async fn a_job_runs_daily_at_the_time_of_day_the_admin_chose() {
    let case = case(sim_config(40)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    let events = case.job(JobKind::Events).await;
    assert_eq!(subs.time_of_day, None, "a new job runs at the time of day it was published");

    let now = case.clock.now();
    let job = set_job_time_of_day(&case.db, &*case.clock, subs.id, "2:30").await.unwrap();
    assert_eq!(job.time_of_day.as_deref(), Some("02:30"), "stored as HH:MM");
    let next = job.next_run_at.unwrap();
    assert_eq!(local_hh_mm(next), "02:30");
    assert!(next > now && next <= now + chrono::Duration::days(1), "the next 02:30 after {now}: {next}");
    assert_eq!(case.jobs().await.into_iter().find(|j| j.id == subs.id), Some(job), "as stored");
    assert_eq!(case.job(JobKind::Events).await, events, "the other job is untouched");

    // Not due before its time; at its time it runs, and the next run is the next day's 02:30.
    case.clock.set(next - chrono::Duration::minutes(1));
    let reconcile = case.job(JobKind::Reconcile).await;
    let mut started = case.engine.tick().await.unwrap();
    started.sort_unstable();
    let mut due = vec![events.id, reconcile.id];
    due.sort_unstable();
    assert_eq!(started, due, "only the events job and the reconciliation were due (at publishing)");
    case.engine.wait(events.id).await.unwrap();
    case.events.until("the jobs to stop running", |_| case.engine.running_jobs().is_empty()).await;
    case.clock.set(next + chrono::Duration::minutes(5));
    assert_eq!(case.engine.tick().await.unwrap(), vec![subs.id]);
    let result = case.engine.wait(subs.id).await.unwrap();
    assert_eq!(result.status, JobStatus::Succeeded, "{result:?}");
    let after = case.job(JobKind::Subscriptions).await.next_run_at.unwrap();
    assert_eq!(local_hh_mm(after), "02:30");
    assert!(
        after > next + chrono::Duration::hours(22) && after < next + chrono::Duration::hours(26),
        "{after}"
    );

    // A bad time is refused with the field named, and nothing changes; an unknown job is NotFound.
    let err = set_job_time_of_day(&case.db, &*case.clock, subs.id, "25:00").await.unwrap_err();
    let err = seatkeeper_core::AppError::from(err);
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Validation, Some("timeOfDay")),
        "{}",
        err.message
    );
    assert!(err.message.contains("“25:00”"), "{}", err.message);
    assert_eq!(case.job(JobKind::Subscriptions).await.next_run_at, Some(after));
    let err = set_job_time_of_day(&case.db, &*case.clock, 9999, "02:30").await.unwrap_err();
    assert_eq!(seatkeeper_core::AppError::from(err).code, ErrorCode::NotFound);
    case.engine.shutdown();
}

#[tokio::test]
async fn a_run_missed_while_closed_runs_once_at_start() {
    let case = case(sim_config(80)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    let published_at = subs.next_run_at.unwrap();
    // The app was closed for three days and a half.
    case.clock.advance(chrono::Duration::hours(84));
    case.engine.start().await.unwrap();
    case.events.until("the missed runs", |e| e.finished_count() == 3).await;
    case.events.until("the jobs to stop running", |_| case.engine.running_jobs().is_empty()).await;
    let results = case.results().await;
    assert_eq!(results.len(), 3, "ran once each: {results:?}");
    assert!(results.iter().all(|r| r.status == JobStatus::Succeeded), "{results:?}");
    // The next run keeps the job's time of day: the first one after now.
    for job in case.daily_jobs().await {
        assert_eq!(job.next_run_at, Some(published_at + chrono::Duration::days(4)), "{}", job.name);
    }
    let reconcile = case.job(JobKind::Reconcile).await;
    assert_eq!(
        reconcile.next_run_at,
        Some(published_at + chrono::Duration::days(10)),
        "a week after the missed run"
    );
    // Starting again changes nothing.
    case.engine.start().await.unwrap();
    assert!(case.engine.tick().await.unwrap().is_empty());
    case.engine.shutdown();
}

#[tokio::test]
async fn results_left_running_by_a_killed_app_are_failed_at_start() {
    let case = case(sim_config(50)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    // A run that was in progress when the app was killed.
    case.insert_running(subs.id, 40).await;
    // Not due, so that start only fixes the stale result.
    sqlx::query("UPDATE scheduled_jobs SET next_run_at = ?")
        .bind(now() + chrono::Duration::hours(5))
        .execute(case.db.pool())
        .await
        .unwrap();
    case.engine.start().await.unwrap();
    let results = case.results().await;
    assert_eq!(results.len(), 1);
    let stale = &results[0];
    assert_eq!(stale.status, JobStatus::Failed);
    assert_eq!(stale.error_message.as_deref(), Some(PROCESS_STOPPED));
    assert!(stale.error_message.as_deref().unwrap().starts_with("The process was stopped during this run"));
    assert!(stale.finished_at.is_some());
    assert_eq!(stale.users_read, 40, "the committed counts stay");
    // The next run is number 2.
    case.engine.run_now(subs.id).await.unwrap();
    assert_eq!(case.engine.wait(subs.id).await.unwrap().number, 2);
    case.engine.shutdown();
}

#[tokio::test]
async fn a_run_whose_process_was_stopped_reads_as_failed_at_once() {
    let case = case(sim_config(30)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    // A `seatkeeper run` killed mid-run: its result is `running`, and its lock died with it.
    case.insert_running(subs.id, 20).await;
    // Nothing restarts (no engine start, no new run): a reader alone tells the dead run.
    let results = case.results().await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].status, JobStatus::Failed);
    assert_eq!(results[0].error_message.as_deref(), Some(PROCESS_STOPPED));
    assert_eq!(results[0].users_read, 20, "what it committed stays");
    let profile = get_profile(&case.db, case.profile).await.unwrap();
    assert_eq!(profile.last_sync_at, None, "a stopped run is no sync");
}

#[tokio::test]
async fn a_job_run_by_another_process_is_neither_started_twice_nor_failed_at_start() {
    let case = case(sim_config(50)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    // Another process (the seatkeeper command) runs the job: it holds the job's lock and its
    // result is running.
    let other = lock::try_lock(&case.db, subs.id).unwrap().expect("the lock is free");
    case.insert_running(subs.id, 0).await;
    // A run in progress elsewhere is not stale: reading does not settle it.
    let running = case.results().await;
    assert_eq!((running.len(), running[0].status), (1, JobStatus::Running), "{running:?}");
    case.engine.run_now(subs.id).await.unwrap();
    let refused = case.engine.wait(subs.id).await.unwrap();
    assert_eq!(refused.status, JobStatus::Failed);
    let message = refused.error_message.clone().unwrap();
    assert!(message.contains("“Refresh Acme Subscriptions” is already running"), "{message}");
    let results = case.results().await;
    assert_eq!(results.iter().filter(|r| r.status == JobStatus::Running).count(), 1, "{results:?}");

    // That process ends without finishing its result (it was killed): the lock goes with it, and
    // the next run marks the result failed and goes ahead.
    drop(other);
    case.engine.run_now(subs.id).await.unwrap();
    let next = case.engine.wait(subs.id).await.unwrap();
    assert_eq!(next.status, JobStatus::Succeeded, "{:?}", next.error_message);
    let stale = case.results().await.into_iter().find(|r| r.number == 1).unwrap();
    assert_eq!(stale.status, JobStatus::Failed);
    assert_eq!(stale.error_message.as_deref(), Some(PROCESS_STOPPED));
}

#[tokio::test]
async fn a_run_that_cannot_start_is_a_failed_result() {
    let case = case(sim_config(20)).await;
    let subs = case.job(JobKind::Subscriptions).await;
    // The key disappears from the keychain: the engine has its own store, emptied here.
    let key_id: String =
        sqlx::query_scalar("SELECT key_id FROM connections").fetch_one(case.db.pool()).await.unwrap();
    let engine = JobEngine::with_options(
        case.db.clone(),
        Arc::new(MemoryStore::new()),
        case.clock.clone() as Arc<dyn Clock>,
        case.events.clone() as Arc<dyn EngineEvents>,
        options(),
    );
    assert!(!key_id.is_empty());
    engine.run_now(subs.id).await.unwrap();
    let result = engine.wait(subs.id).await.unwrap();
    assert_eq!(result.status, JobStatus::Failed);
    assert!(
        result.error_message.as_deref().unwrap().contains("missing from the system keychain"),
        "{result:?}"
    );
    assert_eq!(case.events.finished_count(), 1);
}

/// Automatic reclaim, turned on for a rule: the refresh confirms that rule's Ready candidates and the
/// engine starts the reclaim job after it, which writes them through the same checks and audit.
#[tokio::test]
async fn after_a_refresh_the_engine_reclaims_what_automatic_reclaim_confirmed() {
    let case = case(support::sim_config(9, 250, 120)).await;
    let subscriptions = case.job(JobKind::Subscriptions).await;
    case.engine.run_now(subscriptions.id).await.unwrap();
    case.engine.wait(subscriptions.id).await.unwrap();
    let reclaim_job = case.job(JobKind::Reclaim).await;
    assert!(
        case.events.finished.lock().unwrap().iter().all(|(j, ..)| *j != reclaim_job.id),
        "automatic reclaim is off"
    );
    let ready = reclaim::candidate_ids(
        &case.db,
        &*case.clock,
        &reclaim::CandidateFilter { profile_id: Some(case.profile), ..Default::default() },
    )
    .await
    .unwrap();
    assert!(!ready.is_empty());

    for rule in reclaim::list_rules(&case.db, case.profile).await.unwrap().into_iter().filter(|r| r.paid) {
        let input = reclaim::RuleInput { auto_reclaim: true, ..reclaim::RuleInput::defaults() };
        reclaim::update_rule(&case.db, &*case.clock, rule.id, input).await.unwrap();
    }
    case.engine.run_now(subscriptions.id).await.unwrap();
    case.engine.wait(subscriptions.id).await.unwrap();
    case.events
        .until("the reclaim job to finish", |e| {
            e.finished.lock().unwrap().iter().any(|(j, ..)| *j == reclaim_job.id)
        })
        .await;
    let result = case.engine.wait(reclaim_job.id).await.or_else(|| {
        case.events
            .finished
            .lock()
            .unwrap()
            .iter()
            .find(|(j, ..)| *j == reclaim_job.id)
            .map(|(.., r)| r.clone())
    });
    let result = result.expect("the reclaim job's result");
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(
        result.candidates_reclaimed + result.candidates_canceled + result.candidates_failed,
        ready.len() as i64
    );
    assert!(result.candidates_reclaimed > 0);
    let filter = reclaim::AuditFilter { profile_id: Some(case.profile), ..Default::default() };
    let audit = reclaim::list_audit(&case.db, case.clock.now(), &filter, 0, 1000).await.unwrap();
    assert!(audit.rows.iter().all(|r| r.confirmed_by.ends_with("(automatic reclaim)")), "{:?}", audit.rows);
    assert_eq!(audit.total, result.candidates_reclaimed + result.candidates_failed);
}

/// A reclaim the admin confirmed and a stopped process did not finish resumes when the app starts
/// again: the engine runs the reclaim job for the candidates still Awaiting Revocation.
#[tokio::test]
async fn a_confirmed_reclaim_left_by_a_stopped_process_resumes_at_start() {
    let case = case(support::sim_config(11, 250, 120)).await;
    let subscriptions = case.job(JobKind::Subscriptions).await;
    case.engine.run_now(subscriptions.id).await.unwrap();
    case.engine.wait(subscriptions.id).await.unwrap();
    let filter = reclaim::CandidateFilter { profile_id: Some(case.profile), ..Default::default() };
    let ids: Vec<i64> =
        reclaim::candidate_ids(&case.db, &*case.clock, &filter).await.unwrap().into_iter().take(3).collect();
    assert_eq!(ids.len(), 3);
    // Confirmed, and the process stopped before the job ran.
    reclaim::confirm(&case.db, &*case.clock, &ids, "alice").await.unwrap();

    let reclaim_job = case.job(JobKind::Reclaim).await;
    case.engine.start().await.unwrap();
    case.events
        .until("the reclaim job to finish", |e| {
            e.finished.lock().unwrap().iter().any(|(j, ..)| *j == reclaim_job.id)
        })
        .await;
    let result =
        case.events.finished.lock().unwrap().iter().find(|(j, ..)| *j == reclaim_job.id).unwrap().2.clone();
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(result.candidates_reclaimed + result.candidates_canceled + result.candidates_failed, 3);
    case.engine.shutdown();
}
