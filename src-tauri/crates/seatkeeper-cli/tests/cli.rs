//! The `seatkeeper` binary as an admin's cron job runs it: a temporary `--db`, a profile created
//! and published through the core library (its key in the real keychain, service
//! `com.seatkeeper.app`), and the simulator in-process.
//!
//! The keychain tests need a Secret Service: `npm test` runs them under a private D-Bus session
//! with a throw-away GNOME Keyring; by hand:
//! `dbus-run-session -- sh tests/with-keyring.sh cargo test -p seatkeeper-cli`.
//! Without one they print a notice and do nothing — except in CI, where they fail.

mod common;

use std::process::{Command, Output};

use common::{code, draft_profile, error_line, keychain_available, seatkeeper, seatkeeper_async, text, BIN};
use seatkeeper_cli::{JOB_RESULT_HEADER, SUBSCRIPTION_HEADER};
use seatkeeper_core::jobs::{self, JobResult, JobStatus, PROCESS_STOPPED};
use seatkeeper_core::services::{delete_profile, publish_profile};
use seatkeeper_core::sync;
use seatkeeper_core::{Db, KeyringStore, SystemClock};
use smartsheet_sim::{RateLimit, SimConfig};

#[test]
fn a_bad_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seatkeeper.db");
    for args in [&["--bogus"][..], &["run"], &["run", "Acme", "--job", "nope"], &["export", "Acme", "cats"]] {
        let out = seatkeeper(&db, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", text(&out.stderr));
    }
    let out = seatkeeper(&db, &["run", "Acme", "--rate-limit", "0"]);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("or `off`"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_profile_or_database_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seatkeeper.db");

    // No database there: never created in place of the app's.
    let out = seatkeeper_async(&path, &["profiles"]).await;
    assert_eq!(code(&out), 3);
    assert!(error_line(&out).contains("there is no Seatkeeper database at"));
    assert!(!path.exists());

    Db::open(&path).await.unwrap().close().await;
    let out = seatkeeper_async(&path, &["profiles"]).await;
    assert_eq!(code(&out), 0);
    assert!(text(&out.stdout).contains("No profiles yet"));
    for args in [&["run", "Nope"][..], &["validate", "42"], &["export", "Nope", "subscriptions"]] {
        let out = seatkeeper_async(&path, args).await;
        assert_eq!(code(&out), 3, "{args:?}");
        let line = error_line(&out);
        assert!(line.starts_with("seatkeeper: no profile “"), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_run_and_export_against_the_simulator() {
    if !keychain_available().await {
        return;
    }
    let sim = smartsheet_sim::spawn(SimConfig {
        users: 150,
        days: 20,
        rate_limit: RateLimit::Off,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let admin_token = sim.tokens().admin.clone();
    let (path, db, secrets, profile) = draft_profile(&sim, dir.path(), "Acme Corp", "Main").await;
    let id = profile.id.to_string();
    let all_output = std::cell::RefCell::new(String::new());
    let record = |out: &Output| {
        all_output.borrow_mut().push_str(&text(&out.stdout));
        all_output.borrow_mut().push_str(&text(&out.stderr));
    };

    // A Draft: listed, but nothing to run.
    let out = seatkeeper_async(&path, &["profiles"]).await;
    record(&out);
    assert_eq!(code(&out), 0);
    let listing = text(&out.stdout);
    assert!(listing.starts_with("ID"), "{listing}");
    assert!(
        listing.contains("Acme Corp") && listing.contains("Draft") && listing.contains("Main"),
        "{listing}"
    );
    let out = seatkeeper_async(&path, &["run", "acme corp"]).await;
    record(&out);
    assert_eq!(code(&out), 3);
    assert!(error_line(&out).contains("is a Draft"));

    // Validate through the CLI (the key from the keychain), then publish through the core.
    let out = seatkeeper_async(&path, &["validate", "Acme Corp"]).await;
    record(&out);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(!text(&out.stdout).trim().is_empty());
    publish_profile(&db, &SystemClock, profile.id).await.unwrap();

    let out = seatkeeper_async(&path, &["profiles"]).await;
    record(&out);
    let listing = text(&out.stdout);
    assert!(listing.contains("Published") && listing.contains("never"), "{listing}");

    // Any user may name themselves like a formula; the export must not let a spreadsheet run it.
    let (formula, multiline) = {
        let mut org = sim.sim().org.write();
        org.users[3].first_name = "=HYPERLINK(\"https://evil.example\",\"Open\")".into();
        org.users[3].last_name = String::new();
        org.users[4].first_name = "@SUM(1+1)".into();
        org.users[4].last_name = "\n=cmd|' /C calc'!A0".into();
        (org.users[3].email.clone(), org.users[4].email.clone())
    };

    // run --json: one JSON object per finished job, subscriptions then events, equal to the DB's rows.
    let out = seatkeeper_async(&path, &["run", &id, "--json", "--rate-limit", "off"]).await;
    record(&out);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 2, "{}", text(&out.stdout));
    let profile = seatkeeper_core::services::get_profile(&db, profile.id).await.unwrap();
    for (line, job) in lines.iter().zip(&profile.jobs) {
        let stored: Vec<JobResult> = jobs::list_job_results(&db, job.id).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(line, &serde_json::to_value(&stored[0]).unwrap(), "{}", job.name);
        assert_eq!(line["status"], "succeeded");
    }
    let subs = sync::list_subscriptions(&db, &seatkeeper_core::SystemClock, profile.id).await.unwrap();
    assert!(!subs.is_empty());
    assert_eq!(lines[0]["usersRead"].as_i64().unwrap(), subs.len() as i64);
    assert_eq!(lines[0]["subscriptionsCreated"].as_i64().unwrap(), subs.len() as i64);
    assert!(lines[1]["eventsRead"].as_i64().unwrap() > 0);
    assert!(subs.iter().any(|s| s.last_activity_at.is_some()));

    // A second run without --json: a summary line per job; nothing new created.
    let out =
        seatkeeper_async(&path, &["run", "Acme Corp", "--job", "subscriptions", "--rate-limit", "off"]).await;
    record(&out);
    assert_eq!(code(&out), 0);
    let summary = text(&out.stdout);
    // Results are numbered across jobs: subscriptions #1 and events #2 before this one.
    assert!(summary.starts_with("Refresh Acme Corp Subscriptions #3: succeeded"), "{summary}");
    assert!(summary.contains(" 0 subscriptions created"), "{summary}");

    // export subscriptions: a header and one row per subscription.
    let out = seatkeeper_async(&path, &["export", "Acme Corp", "subscriptions"]).await;
    record(&out);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, SUBSCRIPTION_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), subs.len());
    let mut csv_users: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    let mut db_users: Vec<&str> = subs.iter().map(|s| s.user_id.as_str()).collect();
    csv_users.sort_unstable();
    db_users.sort_unstable();
    assert_eq!(csv_users, db_users);
    let name_of = |email: &str| rows.iter().find(|r| &r[3] == email).map(|r| r[4].to_owned()).unwrap();
    assert!(name_of(&formula).starts_with("'=HYPERLINK("), "{}", name_of(&formula));
    assert!(name_of(&multiline).starts_with("'@SUM(1+1) "), "{:?}", name_of(&multiline));
    for row in &rows {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }

    // The other lists, one to a file.
    let file = dir.path().join("results.csv");
    let out = seatkeeper_async(&path, &["export", &id, "job-results", "--out", file.to_str().unwrap()]).await;
    record(&out);
    assert_eq!(code(&out), 0);
    {
        // It holds the organization's data: the user's alone.
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let mut reader = csv::Reader::from_path(&file).unwrap();
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), JOB_RESULT_HEADER);
    assert_eq!(reader.records().count(), 3);
    for list in ["models", "unrecognized"] {
        let out = seatkeeper_async(&path, &["export", &id, list]).await;
        record(&out);
        assert_eq!(code(&out), 0, "{list}");
        assert!(text(&out.stdout).lines().count() >= 1, "{list}");
    }
    let out = seatkeeper_async(&path, &["profiles"]).await;
    record(&out);
    assert!(text(&out.stdout).contains("(succeeded)"), "{}", text(&out.stdout));

    // No keychain: exit 4 with the core's message.
    let out = tokio::task::spawn_blocking({
        let path = path.clone();
        move || {
            Command::new(BIN)
                .arg("--db")
                .arg(&path)
                .args(["run", "Acme Corp"])
                .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/seatkeeper-test-bus")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    record(&out);
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    assert!(error_line(&out).contains("keychain"));

    // The key never shows.
    assert!(!all_output.borrow().contains(&admin_token), "the API key was printed");

    delete_profile(&db, &secrets, profile.id).await.unwrap();
}

/// A published profile on a slow simulator (every request waits 400 ms) with about 100,000 events
/// — two commits of 50,000 — so that a run can be stopped between two commits.
struct Stoppable {
    sim: smartsheet_sim::SimHandle,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    db: Db,
    secrets: KeyringStore,
    profile: seatkeeper_core::profiles::Profile,
    events_job: i64,
}

impl Stoppable {
    async fn new(name: &str) -> Option<Self> {
        if !keychain_available().await {
            return None;
        }
        let sim = smartsheet_sim::spawn(SimConfig {
            users: 5000,
            days: 60,
            rate_limit: RateLimit::Off,
            faults: "latency=400ms".parse().unwrap(),
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (path, db, secrets, profile) =
            draft_profile(&sim, dir.path(), name, &format!("{name} connection")).await;
        let validated = seatkeeper_async(&path, &["validate", name]).await;
        assert_eq!(code(&validated), 0, "{}", text(&validated.stderr));
        let profile = publish_profile(&db, &SystemClock, profile.id).await.unwrap();
        let events_job = profile.jobs.iter().find(|j| j.name.ends_with("Events")).unwrap().id;
        Some(Self { sim, _dir: dir, path, db, secrets, profile, events_job })
    }

    /// Starts `seatkeeper run <name> --job events --json` and returns it once a first batch of
    /// events is committed (and not the whole stream), with what was committed.
    async fn start_events_run(&self) -> (std::process::Child, i64) {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(&self.path)
            .args(["run", &self.profile.display_name, "--job", "events", "--rate-limit", "off", "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        for _ in 0..600 {
            let rows: Vec<JobResult> = jobs::list_job_results(&self.db, self.events_job).await.unwrap();
            let committed = rows.first().map_or(0, |r| r.events_read);
            if committed > 0 {
                return (child, committed);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("no batch of events was committed within 30 s");
    }

    /// Every event of the profile's window, read straight from the simulator.
    async fn total_events(&self) -> i64 {
        use futures::StreamExt;
        let client = seatkeeper_testsupport::client(self.sim.base_url(), &self.sim.tokens().admin);
        let start = seatkeeper_core::smartsheet::EventsStart::Since {
            since: self.profile.analyze_activity_from,
            to: None,
        };
        let pages: Vec<_> = client.event_stream(start, Some(10_000)).collect().await;
        pages.into_iter().map(|p| p.unwrap().data.len() as i64).sum::<i64>()
    }

    /// Runs the events job to its end; returns how many events it read.
    async fn finish_events(&self) -> i64 {
        self.sim.set_faults(smartsheet_sim::FaultSpec::none());
        let args =
            ["run", self.profile.display_name.as_str(), "--job", "events", "--rate-limit", "off", "--json"];
        let out = seatkeeper_async(&self.path, &args).await;
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let resumed: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
        resumed["eventsRead"].as_i64().unwrap()
    }

    async fn delete(self) {
        let _ = delete_profile(&self.db, &self.secrets, self.profile.id).await;
    }
}

/// The "resume after a kill": the `seatkeeper` process is killed (SIGKILL) in the middle of
/// reading the event stream; the next run continues from the last committed batch, and together
/// the two runs read every event exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_run_continues_where_it_stopped() {
    let Some(case) = Stoppable::new("Killed").await else { return };
    let (mut child, committed) = case.start_events_run().await;
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(status.code().is_none(), "the run finished before it could be killed");
    assert!(committed > 0, "no batch was committed before the kill");

    // Its lock died with it, so any reader tells the dead run at once — before any other run or
    // an app start: `seatkeeper profiles` and the job results show it failed.
    let profiles = seatkeeper_async(&case.path, &["profiles"]).await;
    assert_eq!(code(&profiles), 0, "{}", text(&profiles.stderr));
    let line = text(&profiles.stdout).lines().find(|l| l.contains("Killed")).unwrap().to_owned();
    assert!(line.ends_with("(failed)"), "{line}");
    let killed = jobs::list_job_results(&case.db, case.events_job).await.unwrap();
    assert_eq!(killed.len(), 1);
    assert_eq!(killed[0].status, JobStatus::Failed, "a killed run is not left running");
    assert_eq!(killed[0].error_message.as_deref(), Some(PROCESS_STOPPED));
    let read_before_kill = killed[0].events_read;

    let read_after = case.finish_events().await;
    let results = jobs::list_job_results(&case.db, case.events_job).await.unwrap();
    assert_eq!(results.len(), 2, "{results:?}");
    // The first of the two (numbers go up across all jobs) is the killed one.
    assert_eq!(results.iter().min_by_key(|r| r.number).unwrap().status, JobStatus::Failed);

    let total = case.total_events().await;
    assert!(read_before_kill < total, "the kill came after the last batch");
    assert_eq!(read_before_kill + read_after, total, "nothing read twice or lost");
    case.delete().await;
}

/// Ctrl-C (SIGINT) cancels a run: it stops reading, saves what it read, prints its result as
/// cancelled and exits 1; the next run reads the rest, exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_cancels_the_run_and_keeps_what_was_read() {
    let Some(case) = Stoppable::new("Interrupted").await else { return };
    let (child, _) = case.start_events_run().await;
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Cancelling"), "{}", text(&out.stderr));
    let line: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(line["status"], "cancelled", "{line}");
    let read_before = line["eventsRead"].as_i64().unwrap();

    let results = jobs::list_job_results(&case.db, case.events_job).await.unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].status, JobStatus::Cancelled);
    assert_eq!(results[0].events_read, read_before, "the printed result is the stored one");

    let total = case.total_events().await;
    assert!(read_before > 0 && read_before < total, "{read_before} of {total}");
    assert_eq!(read_before + case.finish_events().await, total, "nothing read twice or lost");
    case.delete().await;
}
