//! The reclamation verbs of the `seatkeeper` binary — `candidates`, `reclaim`, `skip`, `audit`,
//! `undo` — run as an admin runs them: a real database file, the key in the real keychain, a
//! simulator in-process whose seats the tests read to know what was written. Each check compares
//! the command's `--json` with what the core and the simulator say.
//!
//! Like `cli.rs`, these need a Secret Service (`dbus-run-session -- sh tests/with-keyring.sh cargo
//! test -p seatkeeper-cli`); without one they print a notice and do nothing — except in CI.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{code, draft_profile, error_line, keychain_available, seatkeeper, seatkeeper_async, text, BIN};
use seatkeeper_cli::reclamation::{AUDIT_HEADER, CANDIDATE_HEADER};
use seatkeeper_core::jobs::{self, JobKind, JobStatus, PROCESS_STOPPED};
use seatkeeper_core::profiles::Profile;
use seatkeeper_core::reclaim::{
    self, os_user, AuditFilter, AuditOutcome, AuditRecord, CandidateFilter, CandidatePageRequest,
    CandidateSort, CandidateState, RemovalCandidate,
};
use seatkeeper_core::services::{delete_profile, get_profile, publish_profile};
use seatkeeper_core::{Db, KeyringStore, SystemClock};
use smartsheet_sim::org::{Seat, Status};
use smartsheet_sim::{FaultSpec, RateLimit, SimConfig};

/// A published profile on a simulator, refreshed once by `seatkeeper run` (so its removal
/// candidates are computed).
struct Case {
    sim: smartsheet_sim::SimHandle,
    _dir: tempfile::TempDir,
    path: PathBuf,
    db: Db,
    secrets: KeyringStore,
    profile: Profile,
    /// Everything the binary printed, to prove the API key never shows.
    printed: std::sync::Mutex<String>,
}

impl Case {
    /// None without a keychain (see the module comment).
    async fn new(name: &str, seed: u64, users: u32) -> Option<Self> {
        if !keychain_available().await {
            return None;
        }
        let sim = smartsheet_sim::spawn(SimConfig {
            seed,
            users,
            days: 120,
            rate_limit: RateLimit::Off,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (path, db, secrets, profile) =
            draft_profile(&sim, dir.path(), name, &format!("{name} connection")).await;
        let case = Self { sim, _dir: dir, path, db, secrets, profile, printed: Default::default() };

        // A Draft reclaims nothing, and says so.
        let out = case.cli(&["reclaim", name, "--all-ready", "--yes"]).await;
        assert_eq!(code(&out), 3, "{}", text(&out.stderr));
        assert!(error_line(&out).contains("is a Draft"), "{}", text(&out.stderr));

        let out = case.cli(&["validate", name]).await;
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        publish_profile(&case.db, &SystemClock, case.profile.id).await.unwrap();
        let profile = get_profile(&case.db, case.profile.id).await.unwrap();
        let out = case.cli(&["run", name, "--rate-limit", "off", "--json"]).await;
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        Some(Self { profile, ..case })
    }

    fn id(&self) -> String {
        self.profile.id.to_string()
    }

    /// Runs `seatkeeper --db <case> args…`.
    async fn cli(&self, args: &[&str]) -> Output {
        let out = seatkeeper_async(&self.path, args).await;
        let mut printed = self.printed.lock().unwrap();
        printed.push_str(&text(&out.stdout));
        printed.push_str(&text(&out.stderr));
        out
    }

    /// `cli`, expecting exit 0 and one JSON value on stdout.
    async fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cli(args).await;
        assert_eq!(code(&out), 0, "{args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", text(&out.stdout)))
    }

    /// The profile's candidates in `states` (none: the open ones), as the core lists them.
    async fn candidates(&self, states: Vec<CandidateState>) -> Vec<RemovalCandidate> {
        let filter =
            CandidateFilter { profile_id: Some(self.profile.id), states, ..CandidateFilter::default() };
        let mut rows = Vec::new();
        loop {
            let request = CandidatePageRequest {
                filter: filter.clone(),
                sort: CandidateSort::InactiveDays,
                descending: true,
                offset: rows.len() as i64,
                limit: 500,
            };
            let page = reclaim::list_candidates(&self.db, &SystemClock, &request).await.unwrap();
            let done = page.rows.is_empty();
            rows.extend(page.rows);
            if done || rows.len() as i64 >= page.total {
                return rows;
            }
        }
    }

    async fn candidate(&self, id: i64) -> RemovalCandidate {
        self.candidates(CandidateState::ALL.to_vec()).await.into_iter().find(|c| c.id == id).unwrap()
    }

    async fn audit(&self) -> Vec<AuditRecord> {
        let filter = AuditFilter { profile_id: Some(self.profile.id), ..AuditFilter::default() };
        let now = chrono::Utc::now();
        reclaim::list_audit(&self.db, now, &filter, 0, 10_000).await.unwrap().rows
    }

    /// Every simulated user's seat, license and status: what a write would change.
    fn seats(&self) -> HashMap<i64, (Seat, bool, Status)> {
        let org = self.sim.sim().org.read();
        org.users.iter().map(|u| (u.id, (u.seat, u.licensed_sheet_creator, u.status))).collect()
    }

    fn seat(&self, user_id: i64) -> Seat {
        self.seats()[&user_id].0
    }

    /// How many times the user's seat changed, as Smartsheet's Event Reporting tells it: the
    /// admin's USER UPDATE events that name the user and a new `seatType`.
    async fn seat_changes(&self, user_id: i64) -> usize {
        let since = self.sim.sim().now() - chrono::Duration::days(1);
        let client = seatkeeper_testsupport::client(self.sim.base_url(), &self.sim.tokens().admin);
        seatkeeper_testsupport::seat_changes(&client, since, user_id).await
    }

    async fn delete(self) {
        assert!(!self.printed.lock().unwrap().contains(&self.sim.tokens().admin), "the API key was printed");
        let _ = delete_profile(&self.db, &self.secrets, self.profile.id).await;
    }
}

fn ids(candidates: &[RemovalCandidate]) -> Vec<i64> {
    candidates.iter().map(|c| c.id).collect()
}

fn json_ids(rows: &serde_json::Value, key: &str) -> Vec<i64> {
    rows.as_array().unwrap().iter().map(|r| r[key].as_i64().unwrap()).collect()
}

#[test]
fn reclamation_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seatkeeper.db");
    for args in [
        // skip needs a reason and a candidate
        &["skip", "Acme", "--candidate", "3"][..],
        &["skip", "Acme", "--reason", "kept"],
        &["candidates", "Acme", "--state", "sleeping"],
        &["candidates", "Acme", "--json", "--csv"],
        &["reclaim", "Acme", "--resume", "--dry-run"],
        &["reclaim", "Acme", "--all-ready", "--candidate", "3"],
        &["reclaim", "Acme", "--candidate", "three"],
        &["undo"],
        &["undo", "x"],
        // a write without --yes: refused before anything is opened
        &["reclaim", "Acme", "--all-ready"],
        &["reclaim", "Acme", "--candidate", "3"],
        // and without saying which candidates
        &["reclaim", "Acme", "--yes"],
    ] {
        let out = seatkeeper(&db, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", text(&out.stderr));
    }
    let out = seatkeeper(&db, &["reclaim", "Acme", "--all-ready"]);
    let line = error_line(&out);
    assert!(
        line.contains("--yes") && line.contains("--dry-run") && line.contains("Nothing was written"),
        "{line}"
    );
    assert!(!db.exists(), "no database was opened or created");

    // Every verb's help has an example.
    for verb in ["candidates", "reclaim", "skip", "audit", "undo"] {
        let out = seatkeeper(&db, &[verb, "--help"]);
        assert_eq!(code(&out), 0);
        let help = text(&out.stdout);
        assert!(help.contains(&format!("seatkeeper {verb} ")), "{verb}: {help}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn candidates_dry_run_reclaim_audit_and_undo() {
    let Some(case) = Case::new("Acme Corp", 61, 200).await else { return };
    let id = case.id();
    let me = os_user();

    // candidates --json: the same candidates, in the same order and with the same fields, as the core.
    let open = case.candidates(vec![]).await;
    assert!(open.len() >= 6, "the organization has candidates: {}", open.len());
    let listed = case.json(&["candidates", &id, "--json"]).await;
    assert_eq!(listed, serde_json::to_value(&open).unwrap());
    let all = case.json(&["candidates", "Acme Corp", "--state", "all", "--json"]).await;
    assert_eq!(json_ids(&all, "id"), ids(&case.candidates(CandidateState::ALL.to_vec()).await));
    // Filters narrow.
    let someone = &open[open.len() / 2];
    let found = case.json(&["candidates", &id, "--search", &someone.email.to_uppercase(), "--json"]).await;
    assert_eq!(json_ids(&found, "id"), vec![someone.id]);
    let days = open[0].inactive_days;
    let long = case.json(&["candidates", &id, "--min-inactive-days", &days.to_string(), "--json"]).await;
    let want: Vec<i64> = open.iter().filter(|c| c.inactive_days >= days).map(|c| c.id).collect();
    assert_eq!(json_ids(&long, "id"), want);
    assert!(want.len() < open.len(), "the filter removed someone");
    let model = open[0].model_name.clone().unwrap();
    let by_model = case.json(&["candidates", &id, "--model", &model.to_lowercase(), "--json"]).await;
    let want: Vec<i64> =
        open.iter().filter(|c| c.model_name.as_deref() == Some(&model)).map(|c| c.id).collect();
    assert_eq!(json_ids(&by_model, "id"), want);
    let out = case.cli(&["candidates", &id, "--model", "No such model"]).await;
    assert_eq!(code(&out), 3);
    // The table and the CSV.
    let out = case.cli(&["candidates", &id]).await;
    assert_eq!(code(&out), 0);
    let table = text(&out.stdout);
    assert!(table.starts_with("ID") && table.contains(&someone.email) && table.contains("Ready"), "{table}");
    let out = case.cli(&["candidates", &id, "--csv"]).await;
    assert_eq!(code(&out), 0);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CANDIDATE_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(|r| r[0].parse::<i64>().unwrap()).collect::<Vec<_>>(), ids(&open));

    let ready = case.candidates(vec![CandidateState::Ready]).await;
    assert_eq!(ready.len(), open.len(), "a fresh profile's candidates are all Ready");
    let before = case.seats();

    // reclaim --dry-run --json (every Ready candidate): the preview, and nothing written.
    let dry = case.json(&["reclaim", &id, "--dry-run", "--json"]).await;
    assert_eq!(json_ids(&dry["items"], "candidateId").len(), ready.len());
    assert_eq!(dry["refused"], serde_json::json!([]));
    for item in dry["items"].as_array().unwrap() {
        assert_eq!(item["seatBefore"], "MEMBER", "{item}");
        assert!(["CONTRIBUTOR", "GUEST"].contains(&item["seatAfter"].as_str().unwrap()), "{item}");
    }
    assert_eq!(dry["savings"]["seats"].as_i64().unwrap(), ready.len() as i64);
    let (a, b) = (&ready[0], &ready[1]);
    let dry = case
        .json(&[
            "reclaim",
            &id,
            "--dry-run",
            "--candidate",
            &a.id.to_string(),
            "--candidate",
            &b.id.to_string(),
            "--json",
        ])
        .await;
    let mut previewed = json_ids(&dry["items"], "candidateId");
    previewed.sort_unstable();
    let mut chosen = vec![a.id, b.id];
    chosen.sort_unstable();
    assert_eq!(previewed, chosen);
    let out = case.cli(&["reclaim", &id, "--dry-run", "--candidate", &a.id.to_string()]).await;
    assert_eq!(code(&out), 0);
    let said = text(&out.stdout);
    assert!(said.contains("Nothing was written") && said.contains("MEMBER → "), "{said}");
    assert!(said.contains(&format!("seatkeeper reclaim {id} --candidate {} --yes", a.id)), "{said}");

    assert_eq!(case.candidates(vec![]).await, open, "the dry runs changed no candidate");
    assert_eq!(case.seats(), before, "the dry runs wrote nothing");
    assert!(case.audit().await.is_empty(), "the dry runs audited nothing");

    // --all-ready without --yes: exit 2.
    let out = case.cli(&["reclaim", &id, "--all-ready"]).await;
    assert_eq!(code(&out), 2);
    assert!(error_line(&out).contains("--yes"));
    // Another profile's or no candidate: exit 3; a closed one: refused with the core's reason.
    let out = case.cli(&["reclaim", &id, "--candidate", "999999", "--yes"]).await;
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));
    assert!(error_line(&out).contains("has no removal candidate 999999"));

    // skip: needs a reason; then the candidate is Closed Skipped and cannot be reclaimed.
    let skipped = &ready[2];
    let out = case.cli(&["skip", &id, "--candidate", &skipped.id.to_string(), "--reason", "  "]).await;
    assert_eq!(code(&out), 2);
    assert!(error_line(&out).contains("--reason"), "{}", text(&out.stderr));
    let out = case.cli(&["skip", &id, "--candidate", &skipped.id.to_string()]).await;
    assert_eq!(code(&out), 2);
    assert_eq!(
        case.candidate(skipped.id).await.state,
        CandidateState::Ready,
        "a skip without reason did nothing"
    );
    let done = case
        .json(&[
            "skip",
            &id,
            "--candidate",
            &skipped.id.to_string(),
            "--reason",
            "needed for the Q3 audit",
            "--json",
        ])
        .await;
    assert_eq!(done["skipped"], 1);
    let c = case.candidate(skipped.id).await;
    assert_eq!(c.state, CandidateState::ClosedSkipped);
    assert!(c.note.unwrap_or_default().contains("needed for the Q3 audit"));
    let out = case
        .cli(&[
            "reclaim",
            &id,
            "--candidate",
            &a.id.to_string(),
            "--candidate",
            &skipped.id.to_string(),
            "--yes",
        ])
        .await;
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let line = error_line(&out);
    assert!(line.contains("Closed Skipped") && line.contains("Nothing was reclaimed"), "{line}");
    assert_eq!(case.candidate(a.id).await.state, CandidateState::Ready, "all or nothing");

    assert_eq!(case.seats(), before, "nothing was written so far");
    assert!(case.audit().await.is_empty(), "no write was audited");

    // reclaim --candidate A --candidate B --yes --json: those two seats, and only those.
    let run = case
        .json(&[
            "reclaim",
            &id,
            "--candidate",
            &a.id.to_string(),
            "--candidate",
            &b.id.to_string(),
            "--yes",
            "--json",
        ])
        .await;
    assert_eq!(run["confirmation"]["confirmed"], 2, "{run}");
    assert_eq!(run["confirmation"]["confirmedBy"], me.as_str());
    assert_eq!(run["result"]["status"], "succeeded", "{run}");
    assert_eq!(run["result"]["candidatesReclaimed"], 2, "{run}");
    assert_eq!(json_ids(&run["candidates"], "id"), chosen);
    assert!(run["candidates"].as_array().unwrap().iter().all(|c| c["state"] == "closedComplete"), "{run}");
    let after = case.seats();
    for (user, seat) in &before {
        if *user == a.user_id || *user == b.user_id {
            assert!(matches!(after[user].0, Seat::Contributor | Seat::Guest), "{user}: {:?}", after[user]);
        } else {
            assert_eq!(&after[user], seat, "user {user} was not confirmed and not touched");
        }
    }
    for c in [a, b] {
        assert_eq!(case.candidate(c.id).await.state, CandidateState::ClosedComplete);
        assert_eq!(case.seat_changes(c.user_id).await, 1);
    }

    // audit --json: two succeeded records, confirmed by this OS user, each undoable.
    let audit = case.json(&["audit", &id, "--json"]).await;
    let records = audit.as_array().unwrap();
    assert_eq!(records.len(), 2, "{audit}");
    let mut audited = json_ids(&audit, "candidateId");
    audited.sort_unstable();
    assert_eq!(audited, chosen);
    for r in records {
        assert_eq!(
            (r["outcome"].as_str(), r["confirmedBy"].as_str()),
            (Some("succeeded"), Some(me.as_str()))
        );
        assert_eq!(r["seatBefore"], "MEMBER");
        assert_eq!(r["undoBlocked"], serde_json::Value::Null, "{r}");
    }
    assert_eq!(audit, serde_json::to_value(case.audit().await).unwrap(), "the core's records");
    let out = case.cli(&["audit", "Acme Corp", "--csv"]).await;
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), AUDIT_HEADER);
    assert_eq!(reader.records().count(), 2);
    let out = case.cli(&["audit", &id]).await;
    let table = text(&out.stdout);
    assert!(
        table.contains("Downgrade seat") && table.contains("possible") && table.contains(&a.email),
        "{table}"
    );

    // undo: needs --yes; then gives the seat back, audited itself; twice is refused.
    let record = records.iter().find(|r| r["candidateId"] == a.id).unwrap();
    let record_id = record["id"].as_i64().unwrap().to_string();
    let out = case.cli(&["undo", &record_id]).await;
    assert_eq!(code(&out), 2);
    assert!(error_line(&out).contains("--yes"));
    assert_ne!(case.seat(a.user_id), Seat::Member);
    let undo = case.json(&["undo", &record_id, "--yes", "--json"]).await;
    assert_eq!(undo["action"], "upgrade", "{undo}");
    assert_eq!(undo["outcome"], "succeeded", "{undo}");
    assert_eq!(undo["undoOf"].as_i64().unwrap().to_string(), record_id);
    assert_eq!(undo["seatAfter"], "MEMBER");
    assert_eq!(undo["confirmedBy"], me.as_str());
    assert_eq!(case.seat(a.user_id), Seat::Member, "the seat is back");
    let out = case.cli(&["undo", &record_id, "--yes"]).await;
    assert_eq!(code(&out), 1);
    assert!(error_line(&out).contains("Already undone"), "{}", text(&out.stderr));
    let out = case.cli(&["undo", "999999", "--yes"]).await;
    assert_eq!(code(&out), 3);
    assert_eq!(case.audit().await.len(), 3, "the refused undos wrote nothing");
    assert_eq!(case.seat_changes(a.user_id).await, 2, "reclaimed once, given back once");

    case.delete().await;
}

/// A real kill -9 in the middle of `seatkeeper reclaim --all-ready --yes` (the simulator answers
/// each request after 300 ms, so the run is caught between an audit intent and its outcome), while
/// a second `seatkeeper reclaim` is refused because the first holds the job's lock. Then `reclaim
/// --resume` settles and finishes: every confirmed candidate is Closed Complete, each seat changed
/// exactly once, and every audit intent has an outcome.
#[tokio::test(flavor = "multi_thread")]
async fn a_reclaim_killed_mid_write_is_finished_by_resume_without_doubles() {
    let Some(case) = Case::new("Killed Reclaim", 62, 250).await else { return };
    let id = case.id();
    let ready = case.candidates(vec![CandidateState::Ready]).await;
    assert!(ready.len() >= 6, "enough candidates to be stopped midway: {}", ready.len());
    let confirmed: HashSet<i64> = ids(&ready).into_iter().collect();
    let before = case.seats();
    case.sim.set_faults("latency=300ms".parse::<FaultSpec>().unwrap());

    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(&case.path)
        .args(["reclaim", &id, "--all-ready", "--yes", "--json", "--rate-limit", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut intents = 0;
    for _ in 0..1500 {
        intents = case.audit().await.len();
        if intents >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(intents >= 2, "no audit intents within 15 s");

    // The app and the command never reclaim at once: a second run is refused while this one lives.
    let second = case.cli(&["reclaim", &id, "--resume"]).await;
    assert_eq!(code(&second), 1, "{}", text(&second.stderr));
    assert!(error_line(&second).contains("already running"), "{}", text(&second.stderr));

    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(status.code().is_none(), "the run finished before it could be killed");
    let at_kill = case.audit().await;
    let waiting = case.candidates(vec![CandidateState::AwaitingRevocation]).await;
    assert!(!waiting.is_empty(), "the kill came after the last candidate");
    assert!(at_kill.len() < confirmed.len(), "the kill came after the last write");
    let unsettled = at_kill.iter().filter(|r| r.outcome.is_none()).count();
    eprintln!(
        "killed with {} intents, {unsettled} without outcome, {} candidates waiting",
        at_kill.len(),
        waiting.len()
    );

    // Writes the killed process had in flight land (or not) within the simulator's latency.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    case.sim.set_faults(FaultSpec::none());
    let resumed = case.json(&["reclaim", &id, "--resume", "--json"]).await;
    assert_eq!(resumed["confirmation"], serde_json::Value::Null, "--resume confirms nothing");
    assert_eq!(resumed["result"]["status"], "succeeded", "{resumed}");
    let resumed_ids: HashSet<i64> = json_ids(&resumed["candidates"], "id").into_iter().collect();
    assert_eq!(resumed_ids, waiting.iter().map(|c| c.id).collect(), "it took exactly those left waiting");

    // The killed run is recorded as stopped.
    let job = case.profile.jobs.iter().find(|j| j.kind == JobKind::Reclaim).unwrap().id;
    let results = jobs::list_job_results(&case.db, job).await.unwrap();
    assert_eq!(results.len(), 2, "{results:?}");
    let killed = results.iter().min_by_key(|r| r.number).unwrap();
    assert_eq!((killed.status, killed.error_message.as_deref()), (JobStatus::Failed, Some(PROCESS_STOPPED)));

    let records = case.audit().await;
    let open: Vec<i64> = records.iter().filter(|r| r.outcome.is_none()).map(|r| r.id).collect();
    assert!(open.is_empty(), "every intent has an outcome; these have none: {open:?}");
    for r in at_kill.iter().filter(|r| r.outcome.is_none()) {
        let settled = records.iter().find(|s| s.id == r.id).and_then(|s| s.outcome);
        eprintln!("the intent {} open at the kill was settled as {settled:?}", r.id);
    }
    let after = case.seats();
    for c in &ready {
        let now = case.candidate(c.id).await;
        assert_eq!(now.state, CandidateState::ClosedComplete, "{}: {:?}", c.id, now.note);
        assert!(matches!(after[&c.user_id].0, Seat::Contributor | Seat::Guest), "{:?}", after[&c.user_id]);
        assert_eq!(
            case.seat_changes(c.user_id).await,
            1,
            "candidate {}: the seat changed exactly once",
            c.id
        );
        let mine: Vec<&AuditRecord> = records.iter().filter(|r| r.candidate_id == Some(c.id)).collect();
        let changed = mine.iter().filter(|r| r.outcome.is_some_and(AuditOutcome::changed_the_seat)).count();
        assert_eq!(changed, 1, "candidate {}: one write changed the seat: {mine:?}", c.id);
        assert!(
            mine.iter().all(|r| matches!(
                r.outcome,
                Some(AuditOutcome::Succeeded | AuditOutcome::Applied | AuditOutcome::NotApplied)
            )),
            "{mine:?}"
        );
    }
    for (user, seat) in &before {
        if !ready.iter().any(|c| c.user_id == *user) {
            assert_eq!(&after[user], seat, "user {user} was never confirmed and not touched");
        }
    }
    let audit = case.json(&["audit", &id, "--json"]).await;
    assert!(audit.as_array().unwrap().iter().all(|r| !r["outcome"].is_null()));

    // Nothing left: a second --resume has nothing to do.
    let out = case.cli(&["reclaim", &id, "--resume"]).await;
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Nothing to resume"), "{}", text(&out.stdout));
    case.delete().await;
}

/// Ctrl-C (SIGINT) stops a reclaim after the seat in progress: the run is recorded as cancelled
/// (exit 1), the candidates it did not reach are Ready again with a note, and nothing is left
/// Awaiting Revocation or without an outcome.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_a_reclaim_and_gives_back_the_rest() {
    let Some(case) = Case::new("Interrupted Reclaim", 64, 250).await else { return };
    let id = case.id();
    let ready = case.candidates(vec![CandidateState::Ready]).await;
    assert!(ready.len() >= 6, "enough candidates to be stopped midway: {}", ready.len());
    let before = case.seats();
    case.sim.set_faults("latency=300ms".parse::<FaultSpec>().unwrap());
    let child = Command::new(BIN)
        .arg("--db")
        .arg(&case.path)
        .args(["reclaim", &id, "--all-ready", "--yes", "--json", "--rate-limit", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..1500 {
        if !case.audit().await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!case.audit().await.is_empty(), "no audit intent within 15 s");
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    case.sim.set_faults(FaultSpec::none());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Cancelling after the seat in progress"), "{}", text(&out.stderr));
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["result"]["status"], "cancelled", "{run}");

    let records = case.audit().await;
    let open: Vec<i64> = records.iter().filter(|r| r.outcome.is_none()).map(|r| r.id).collect();
    assert!(open.is_empty(), "the seat in progress was finished; these intents have no outcome: {open:?}");
    let (mut reclaimed, mut back) = (0, 0);
    for c in &ready {
        let now = case.candidate(c.id).await;
        match now.state {
            CandidateState::ClosedComplete => {
                reclaimed += 1;
                assert_ne!(case.seat(c.user_id), Seat::Member);
                assert_eq!(case.seat_changes(c.user_id).await, 1);
            }
            CandidateState::Ready => {
                back += 1;
                assert!(now.note.unwrap_or_default().contains("cancelled"), "{}", c.id);
                assert_eq!(case.seats()[&c.user_id], before[&c.user_id], "not reached, not touched");
                assert!(records.iter().all(|r| r.candidate_id != Some(c.id)));
            }
            other => panic!("candidate {} ended {other:?}", c.id),
        }
    }
    assert!(reclaimed >= 1 && back >= 1, "{reclaimed} reclaimed, {back} back to Ready");
    assert_eq!(run["result"]["candidatesReclaimed"], reclaimed, "{run}");
    case.delete().await;
}

/// `seatkeeper entitlements` and `seatkeeper reconcile`: a refused value saves nothing and names
/// what is wrong; the figures printed are the core's, in the JSON the issue defines.
#[tokio::test(flavor = "multi_thread")]
async fn entitlements_and_reconcile_from_the_command_line() {
    let Some(case) = Case::new("Acme Corp", 65, 200).await else { return };
    let id = case.id();
    let term = ["--start", "2026-01-01", "--end", "2027-12-31"];
    let add = |extra: &[&str]| {
        let mut args = vec!["entitlements", id.as_str(), "add", "--model", "MEMBER"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&term);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let case = &case;
    let run = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        case.cli(&args).await
    };

    let out = run(add(&["--rights", "-5", "--unit-cost", "25.00"])).await;
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(error_line(&out).contains("cannot be negative"), "{}", text(&out.stderr));
    assert_eq!(case.json(&["entitlements", &id, "--json"]).await, serde_json::json!([]), "nothing saved");

    let out = run(add(&["--rights", "10", "--unit-cost", "25.00", "--name", "Business 2026"])).await;
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let out = run(add(&["--rights", "5", "--unit-cost", "20.00", "--currency", "EUR"])).await;
    assert_eq!(code(&out), 1);
    assert!(error_line(&out).contains("how many USD one EUR is worth"), "{}", text(&out.stderr));

    let listed = case.json(&["entitlements", &id, "--json"]).await;
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["model"].as_str(), rows[0]["display_name"].as_str(), rows[0]["purchased_rights"].as_i64()),
        (Some("Smartsheet Member"), Some("Business 2026"), Some(10))
    );

    let figures = case.json(&["reconcile", &id, "--json"]).await;
    let core = seatkeeper_core::reconcile::list_reconciliations(&case.db, case.profile.id, 1).await.unwrap();
    let kept = &core.last().unwrap().models;
    let member = figures.as_array().unwrap().iter().find(|m| m["model"] == "Smartsheet Member").unwrap();
    let core_member = kept.iter().find(|m| m.model == "Smartsheet Member").unwrap();
    for field in [
        "model",
        "owned",
        "used",
        "excluded",
        "active",
        "inactive",
        "compliance",
        "over_licensed",
        "true_up_cost",
        "potential_savings",
        "actual_savings",
        "currency",
    ] {
        assert!(member.get(field).is_some(), "{field} missing from {member}");
    }
    assert_eq!(member["owned"], 10);
    assert_eq!(member["used"], core_member.used);
    assert!(core_member.used > 10);
    assert_eq!(member["compliance"], "Not Compliant");
    let true_up = (core_member.used - 10) * 2500 * 12;
    assert_eq!(member["true_up_cost"], format!("{}.{:02}", true_up / 100, true_up % 100));
    assert_eq!(member["currency"], "USD");

    let out = case.cli(&["reconcile", &id, "--csv"]).await;
    assert_eq!(code(&out), 0);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        seatkeeper_cli::reconciliation::FIGURES_HEADER
    );
    assert_eq!(reader.records().count(), kept.len());
    let out = case.cli(&["reconcile", &id]).await;
    let table = text(&out.stdout);
    assert!(table.contains("Not Compliant") && table.contains("Smartsheet Member"), "{table}");

    let entitlement = rows[0]["id"].as_i64().unwrap().to_string();
    let out = case.cli(&["entitlements", &id, "remove", &entitlement, "999999"]).await;
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));
    assert_eq!(
        case.json(&["entitlements", &id, "--json"]).await.as_array().unwrap().len(),
        1,
        "none removed"
    );
    let out = case.cli(&["entitlements", &id, "remove", &entitlement]).await;
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(case.json(&["entitlements", &id, "--json"]).await, serde_json::json!([]));
}
