//! The sync engine's data side against the Smartsheet simulator: subscriptions for both plan
//! models, models and unrecognized identifiers, idempotence, closing and reopening, and user
//! activity from Event Reporting (first run, incremental runs, faults, a failed and a cancelled
//! run resuming) or from last-login dates.

use std::collections::{BTreeMap, HashMap};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use seatkeeper_core::jobs::{self, JobKind, JobResult, JobStatus, RunContext};
use seatkeeper_core::services::{create_profile, delete_profile, get_profile};
use seatkeeper_core::smartsheet::{DowngradeSeat, Event, EventsStart};
use seatkeeper_core::sync::activity::{self, ActivitySource};
use seatkeeper_core::sync::{self, ClosedReason, SyncOptions, SyncProgress};
use seatkeeper_core::{Clock, Db, ErrorCode, FixedClock, MemoryStore};
use seatkeeper_testsupport::{self as support, now, Org, Reply, Stub};
use serde_json::json;
use smartsheet_sim::org::{Seat, Status};
use smartsheet_sim::{FaultSpec, SimConfig, SimHandle};

// ---------------------------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------------------------

/// 120 users with 20 days of history, at the tests' fixed time.
fn config(seed: u64) -> SimConfig {
    support::sim_config(seed, 120, 20)
}

fn faults(spec: &str) -> FaultSpec {
    spec.parse().unwrap()
}

/// Small pages, and events committed two pages at a time.
const PAGE: SyncOptions = SyncOptions { batch_size: 50, events_page_size: 100, events_per_commit: 200 };

fn no_progress(_: SyncProgress) {}

/// A simulator and a profile published on it (the shared [`Org`]), with this file's helpers.
struct Case(Org);

impl Deref for Case {
    type Target = Org;
    fn deref(&self) -> &Org {
        &self.0
    }
}

impl DerefMut for Case {
    fn deref_mut(&mut self) -> &mut Org {
        &mut self.0
    }
}

/// A simulator, and a profile published with `token` (validated against the simulator).
async fn case_with(config: SimConfig, token: impl Fn(&SimHandle) -> String) -> Case {
    Case(Org::with_token(config, token).await)
}

async fn case(config: SimConfig) -> Case {
    Case(Org::published(config).await)
}

impl Case {
    /// One run of the profile's job of `kind`.
    async fn run(
        &self,
        kind: JobKind,
        options: &SyncOptions,
        progress: sync::Progress<'_>,
        cancel: &CancellationToken,
    ) -> JobResult {
        let context = RunContext {
            db: &self.db,
            client: &self.client,
            profile_id: self.profile,
            clock: &*self.clock,
            options,
            progress,
            cancel,
        };
        jobs::run(kind, context).await.unwrap()
    }

    async fn subscriptions(&self) -> JobResult {
        let result = self.run(JobKind::Subscriptions, &PAGE, &no_progress, &CancellationToken::new()).await;
        assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
        result
    }

    async fn activity(&self) -> JobResult {
        self.run(JobKind::Events, &PAGE, &no_progress, &CancellationToken::new()).await
    }

    async fn analyze_from(&self) -> DateTime<Utc> {
        get_profile(&self.db, self.profile).await.unwrap().analyze_activity_from
    }

    /// Every event of the analysis window, read with the client's own stream.
    async fn events(&self) -> Vec<Event> {
        let start = EventsStart::Since { since: self.analyze_from().await, to: None };
        let pages: Vec<_> = self.client.event_stream(start, Some(1000)).try_collect().await.unwrap();
        pages.into_iter().flat_map(|p| p.data).collect()
    }

    async fn stored_activity(&self) -> (BTreeMap<i64, DateTime<Utc>>, BTreeMap<(i64, NaiveDate), i64>) {
        let last = activity::list_user_activity(&self.db, self.profile).await.unwrap();
        assert!(last.iter().all(|a| a.source == ActivitySource::Events));
        let last = last.into_iter().map(|a| (a.user_id.parse().unwrap(), a.last_activity_at)).collect();
        let daily = activity::list_daily_activity(&self.db, self.profile).await.unwrap();
        // The users per day (the daily active users the License Usage view reads) follow the
        // per-user days, which the callers compare with the simulator's events.
        let mut users_per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        for (_, day, _) in &daily {
            *users_per_day.entry(*day).or_default() += 1;
        }
        let kept: Vec<(String, i64)> =
            sqlx::query_as("SELECT day, users FROM user_activity_days WHERE profile_id = ? ORDER BY day")
                .bind(self.profile)
                .fetch_all(self.db.pool())
                .await
                .unwrap();
        let want: Vec<(String, i64)> = users_per_day.into_iter().map(|(d, n)| (d.to_string(), n)).collect();
        assert_eq!(kept, want, "users per day");
        (last, daily.into_iter().map(|(u, d, c)| ((u, d), c)).collect())
    }

    async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(self.db.pool()).await.unwrap()
    }
}

/// A sheet load by `user` at `at` (RFC 3339, or something that is not a date), as Smartsheet sends it.
fn event(user: i64, at: &str) -> serde_json::Value {
    json!({"eventId": format!("e-{user}-{at}"), "objectType": "SHEET", "action": "LOAD", "objectId": 1,
           "eventTimestamp": at, "userId": user, "source": "WEB_APP", "additionalDetails": {}})
}

/// The expected aggregates: a fold over the events, without system users and excluded kinds.
type Expected = (BTreeMap<i64, DateTime<Utc>>, BTreeMap<(i64, NaiveDate), i64>);
fn fold(events: &[Event], excluded: &[(&str, &str)]) -> Expected {
    let mut last = BTreeMap::new();
    let mut daily = BTreeMap::new();
    for e in events {
        if sync::SYSTEM_USER_IDS.contains(&e.user_id)
            || excluded.iter().any(|(o, a)| *o == e.object_type.as_str() && *a == e.action.as_str())
        {
            continue;
        }
        let t: &mut DateTime<Utc> = last.entry(e.user_id).or_insert(e.event_timestamp);
        *t = (*t).max(e.event_timestamp);
        *daily.entry((e.user_id, e.event_timestamp.date_naive())).or_insert(0) += 1;
    }
    (last, daily)
}

fn seat_identifier(seat: Seat) -> &'static str {
    match seat {
        Seat::Member => "MEMBER",
        Seat::ProvisionalMember => "PROVISIONAL_MEMBER",
        Seat::Contributor => "CONTRIBUTOR",
        Seat::Guest => "GUEST",
    }
}

/// (user id → (email, identifier, deactivated)) as the simulator holds it.
fn expected_users(sim: &SimHandle, legacy: bool) -> BTreeMap<i64, (String, String, bool)> {
    let org = sim.sim().org.read();
    org.users
        .iter()
        .filter(|u| if legacy { u.in_org } else { u.in_plan })
        .map(|u| {
            let identifier = if legacy {
                if u.licensed_sheet_creator {
                    "Licensed"
                } else {
                    "Unlicensed"
                }
            } else {
                seat_identifier(u.seat)
            };
            (u.id, (u.email.clone(), identifier.to_owned(), u.status == Status::Deactivated))
        })
        .collect()
}

async fn stored_users(case: &Case) -> BTreeMap<i64, (String, String, bool)> {
    sync::list_subscriptions(&case.db, &*case.clock, case.profile)
        .await
        .unwrap()
        .into_iter()
        .map(|s| {
            let deactivated = s.closed_reason == Some(ClosedReason::Deactivated);
            assert_eq!(s.closed_at.is_some(), s.closed_reason.is_some());
            (s.user_id.parse().unwrap(), (s.email, s.identifier, deactivated))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

async fn download_matches_the_simulator(legacy: bool) {
    let case = case(SimConfig { legacy, ..config(11) }).await;
    let result = case.subscriptions().await;
    let expected = expected_users(&case.sim, legacy);
    assert!(expected.len() > 100, "more than one page of users");
    assert_eq!(stored_users(&case).await, expected);
    assert_eq!(result.users_read, expected.len() as i64);
    assert_eq!(result.subscriptions_created, expected.len() as i64);
    assert_eq!(result.subscriptions_updated, 0);
    let deactivated = expected.values().filter(|(_, _, d)| *d).count() as i64;
    assert!(deactivated > 0, "the organization has deactivated users");
    assert_eq!(result.subscriptions_closed, deactivated, "deactivated users are closed on first sight");
    assert!(result.requests >= 4, "users/me, plans, two pages of users");
    assert_eq!((result.number, result.warnings), (1, 0), "{:?}", result.warning_text);
    assert!(result.finished_at.is_some());

    // One model (with a 60-day rule) per identifier seen; nothing unrecognized.
    let models = sync::list_models(&case.db, case.profile).await.unwrap();
    let mut identifiers: Vec<String> = expected.values().map(|(_, i, _)| i.clone()).collect();
    identifiers.sort();
    identifiers.dedup();
    let mut covered: Vec<String> = models.iter().filter_map(|m| m.subscription_identifier.clone()).collect();
    covered.sort();
    assert_eq!(covered, identifiers);
    for model in &models {
        assert!(model.auto_created);
        assert_eq!(model.rule_last_activity_threshold_days, Some(60));
        assert_eq!(model.rule_active, Some(true));
        let identifier = model.subscription_identifier.as_deref().unwrap();
        assert_eq!(model.paid, identifier == "MEMBER" || identifier == "Licensed", "{identifier}");
        let open = expected.values().filter(|(_, i, d)| i == identifier && !d).count() as i64;
        assert_eq!(model.subscription_count, open, "{identifier}");
    }
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    if legacy {
        assert_eq!(names, ["Smartsheet Licensed User", "Smartsheet Unlicensed User"]);
    } else {
        assert_eq!(
            names,
            [
                "Smartsheet Contributor",
                "Smartsheet Guest",
                "Smartsheet Member",
                "Smartsheet Provisional Member"
            ]
        );
    }
    assert!(sync::list_unrecognized_identifiers(&case.db, case.profile).await.unwrap().is_empty());
    assert_eq!(case.count("reclamation_rules").await, models.len() as i64);

    // Every subscription has its model; last logins, admin flags and seat dates are kept.
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    assert!(subs.iter().all(|s| s.model_id.is_some() && s.model_name.is_some()));
    let plan: (Option<String>, Option<i64>) =
        sqlx::query_as("SELECT plan_model, plan_id FROM sync_state WHERE profile_id = ?")
            .bind(case.profile)
            .fetch_one(case.db.pool())
            .await
            .unwrap();
    let org = case.sim.sim().org.read();
    assert_eq!(plan, (Some(if legacy { "legacy" } else { "usm" }.to_owned()), org.plan_id));
    for s in &subs {
        let u = &org.users[org.user_index(s.user_id.parse().unwrap()).unwrap()];
        assert_eq!(s.last_login, u.last_login, "{}", u.email);
        assert_eq!(s.is_admin, Some(u.admin));
        assert_eq!(s.is_internal, Some(u.internal));
        assert_eq!(s.status.as_deref(), Some(u.status.as_str()));
        assert_eq!(s.name.as_deref(), Some(u.name().as_str()));
        if legacy {
            assert_eq!(s.seat_changed_at, None);
        } else {
            assert_eq!(s.seat_changed_at, Some(u.seat_changed_at));
            assert_eq!(s.provisional_expires_at, u.provisional_expires);
        }
    }
}

#[tokio::test]
async fn usm_download_matches_the_simulator() {
    download_matches_the_simulator(false).await;
}

#[tokio::test]
async fn legacy_download_matches_the_simulator() {
    download_matches_the_simulator(true).await;
}

#[tokio::test]
async fn a_second_run_changes_nothing() {
    let case = case(config(12)).await;
    let before = seatkeeper_core::services::get_profile(&case.db, case.profile).await.unwrap();
    assert_eq!(before.last_sync_at, None, "a profile that never synced");
    let first = case.subscriptions().await;
    let synced = seatkeeper_core::services::get_profile(&case.db, case.profile).await.unwrap();
    assert_eq!(synced.last_sync_at, first.finished_at, "the profile's last sync is its last successful run");
    let rows = case.count("software_subscriptions").await;
    let models = case.count("software_models").await;
    case.clock.advance(chrono::Duration::hours(1));
    let second = case.subscriptions().await;
    assert_eq!(second.number, 2);
    assert_eq!(second.users_read, first.users_read);
    assert_eq!(
        (second.subscriptions_created, second.subscriptions_updated, second.subscriptions_closed),
        (0, 0, 0)
    );
    assert_eq!(case.count("software_subscriptions").await, rows);
    assert_eq!(case.count("software_models").await, models);
    assert_eq!(case.count("reclamation_rules").await, models);
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    assert!(subs.iter().all(|s| s.last_seen == case.clock.now() && s.first_seen < s.last_seen));
    let job = get_profile(&case.db, case.profile).await.unwrap().jobs[0].clone();
    let results = jobs::list_job_results(&case.db, job.id).await.unwrap();
    assert_eq!(results.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 1]);
}

#[tokio::test]
async fn seat_changes_removals_and_returns_are_followed() {
    let case = case(config(13)).await;
    case.subscriptions().await;
    let (plan, member, removed) = {
        let org = case.sim.sim().org.read();
        let pick = |seat: Seat, skip: Option<i64>| {
            org.users
                .iter()
                .enumerate()
                .find(|(i, u)| {
                    u.seat == seat
                        && u.internal
                        && u.in_org
                        && u.status == Status::Active
                        && ![org.admin_idx, org.member_idx, org.second_admin_idx].contains(i)
                        && Some(u.id) != skip
                })
                .map(|(_, u)| u.id)
                .unwrap()
        };
        let member = pick(Seat::Member, None);
        (org.plan_id.unwrap(), member, pick(Seat::Member, Some(member)))
    };
    case.client.downgrade_user(member, plan, DowngradeSeat::Contributor).await.unwrap();
    {
        let mut org = case.sim.sim().org.write();
        let i = org.user_index(removed).unwrap();
        org.users[i].in_org = false;
        org.users[i].in_plan = false;
    }
    case.clock.advance(chrono::Duration::hours(1));
    let result = case.subscriptions().await;
    assert_eq!(
        (result.subscriptions_created, result.subscriptions_updated, result.subscriptions_closed),
        (0, 1, 1)
    );
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    let by_id = |id: i64| subs.iter().find(|s| s.user_id == id.to_string()).unwrap().clone();
    let downgraded = by_id(member);
    assert_eq!(downgraded.identifier, "CONTRIBUTOR");
    assert_eq!(downgraded.model_name.as_deref(), Some("Smartsheet Contributor"));
    assert_eq!(downgraded.seat_changed_at, Some(case.sim.sim().now()));
    assert!(downgraded.closed_at.is_none());
    let gone = by_id(removed);
    assert_eq!((gone.closed_at, gone.closed_reason), (Some(case.clock.now()), Some(ClosedReason::Removed)));
    assert_eq!(gone.identifier, "MEMBER", "history stays as it was");
    assert_eq!(
        stored_users(&case).await.len(),
        expected_users(&case.sim, false).len() + 1,
        "nothing deleted"
    );

    // A third run with nothing changed closes nothing again; the user's return reopens.
    assert_eq!(case.subscriptions().await.subscriptions_closed, 0);
    {
        let mut org = case.sim.sim().org.write();
        let i = org.by_id[&removed]; // user_index() hides users who are gone
        org.users[i].in_org = true;
        org.users[i].in_plan = true;
    }
    let result = case.subscriptions().await;
    assert_eq!((result.subscriptions_created, result.subscriptions_updated), (0, 1));
    let back = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    let back = back.iter().find(|s| s.user_id == removed.to_string()).unwrap();
    assert_eq!((back.closed_at, back.closed_reason), (None, None));
    assert_eq!(stored_users(&case).await, expected_users(&case.sim, false));
}

/// A stub Smartsheet whose users carry a seat type Seatkeeper does not know; `extra` adds a second
/// user with it.
async fn stub_with_new_seat(extra: Arc<AtomicUsize>) -> Stub {
    Stub::start(move |seen, _| {
        let user = |id: i64, email: &str, seat: &str| {
            json!({"id": id, "email": email, "name": email, "admin": false, "status": "ACTIVE",
                   "isInternal": true, "seatType": seat, "seatTypeLastChangedAt": "2026-11-01T00:00:00Z",
                   "licensedSheetCreator": true})
        };
        match seen.path.as_str() {
            "/2.0/users/me" => {
                Reply::json(200, json!({"id": 1, "email": "admin@acme.example", "admin": true}))
            }
            "/2.0/users/1/plans" => Reply::json(
                200,
                json!({"lastKey": null, "data": [{"planId": 77, "seatType": "MEMBER", "isInternal": true}]}),
            ),
            "/2.0/users" => {
                assert_eq!(seen.query("planId"), Some("77"));
                assert_eq!(seen.query("include"), Some("lastLogin"));
                assert_eq!(seen.query("pageSize"), Some("100"));
                let mut data = vec![
                    user(1, "admin@acme.example", "MEMBER"),
                    user(2, "future@acme.example", "ENTERPRISE_SEAT"),
                    // Missing seat type: skipped with a warning.
                    json!({"id": 3, "email": "odd@acme.example"}),
                ];
                if extra.load(Ordering::SeqCst) > 0 {
                    data.push(user(4, "later@acme.example", "ENTERPRISE_SEAT"));
                }
                let n = data.len();
                Reply::json(
                    200,
                    json!({"pageNumber": 1, "pageSize": 100, "totalPages": 1, "totalCount": n, "data": data}),
                )
            }
            _ => Reply::json(404, json!({"errorCode": 1006, "message": "Not Found"})),
        }
    })
    .await
}

#[tokio::test]
async fn an_unknown_identifier_is_unrecognized_until_mapped() {
    let mut case = case(config(14)).await;
    let extra = Arc::new(AtomicUsize::new(0));
    let stub = stub_with_new_seat(extra.clone()).await;
    case.client = stub.client();

    let result = case.subscriptions().await;
    assert_eq!(result.subscriptions_created, 2);
    assert_eq!(result.warnings, 2, "{:?}", result.warning_text);
    let text = result.warning_text.unwrap();
    assert!(text.contains("ENTERPRISE_SEAT") && text.contains("odd@acme.example"), "{text}");
    let unrecognized = sync::list_unrecognized_identifiers(&case.db, case.profile).await.unwrap();
    assert_eq!(unrecognized.len(), 1);
    assert_eq!(
        (unrecognized[0].identifier.as_str(), unrecognized[0].subscription_count),
        ("ENTERPRISE_SEAT", 1)
    );
    let models = sync::list_models(&case.db, case.profile).await.unwrap();
    assert_eq!(models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["Smartsheet Member"]);
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    let future = subs.iter().find(|s| s.user_id == "2").unwrap();
    assert_eq!((future.identifier.as_str(), future.model_id), ("ENTERPRISE_SEAT", None));

    // Mapping to a model of another profile, or an identifier never seen, is refused.
    assert!(sync::map_identifier(&case.db, case.profile, "ENTERPRISE_SEAT", 9_999).await.is_err());
    let model =
        sync::create_model(&case.db, case.profile, "Smartsheet Enterprise Seat", true, case.clock.now())
            .await
            .unwrap();
    assert!(sync::map_identifier(&case.db, case.profile, "NEVER_SEEN", model).await.is_err());
    sync::map_identifier(&case.db, case.profile, "ENTERPRISE_SEAT", model).await.unwrap();
    assert!(sync::list_unrecognized_identifiers(&case.db, case.profile).await.unwrap().is_empty());

    extra.store(1, Ordering::SeqCst);
    let result = case.subscriptions().await;
    assert_eq!((result.subscriptions_created, result.subscriptions_updated), (1, 0));
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    for id in ["2", "4"] {
        let s = subs.iter().find(|s| s.user_id == id).unwrap();
        assert_eq!((s.model_id, s.model_name.as_deref()), (Some(model), Some("Smartsheet Enterprise Seat")));
    }
    assert!(subs.iter().all(|s| s.user_id != "3"), "the user without a seat type was skipped");
}

#[tokio::test]
async fn a_new_model_is_made_for_an_identifier_and_mapped_in_one_step() {
    let mut case = case(config(15)).await;
    let stub = stub_with_new_seat(Arc::new(AtomicUsize::new(0))).await;
    case.client = stub.client();
    case.subscriptions().await;
    let names = |models: Vec<sync::SoftwareModel>| models.into_iter().map(|m| m.name).collect::<Vec<_>>();
    let before = names(sync::list_models(&case.db, case.profile).await.unwrap());
    let create = |identifier: &'static str, name: &'static str| {
        let (db, clock, profile) = (case.db.clone(), case.clock.clone(), case.profile);
        async move { sync::create_model_for_identifier(&db, &*clock, profile, identifier, name, true).await }
    };

    // Refusals name the field, and nothing is made or mapped.
    for (name, message) in [
        ("  ", "Enter a name for the software model."),
        ("Smartsheet Member", "This profile already has a model named “Smartsheet Member”."),
    ] {
        let e = create("ENTERPRISE_SEAT", name).await.unwrap_err();
        assert_eq!((e.code(), e.field()), (ErrorCode::Validation, Some("name")), "{e}");
        assert_eq!(e.to_string(), message);
    }
    // An identifier never seen: the model made in the same transaction is rolled back.
    let e = create("NEVER_SEEN", "Smartsheet Enterprise Seat").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    assert_eq!(names(sync::list_models(&case.db, case.profile).await.unwrap()), before);
    assert_eq!(sync::list_unrecognized_identifiers(&case.db, case.profile).await.unwrap().len(), 1);

    let id = create("ENTERPRISE_SEAT", " Smartsheet Enterprise Seat ").await.unwrap();
    let models = sync::list_models(&case.db, case.profile).await.unwrap();
    let made = models.iter().find(|m| m.id == id).unwrap();
    assert_eq!((made.name.as_str(), made.paid), ("Smartsheet Enterprise Seat", true));
    assert!(sync::list_unrecognized_identifiers(&case.db, case.profile).await.unwrap().is_empty());
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    let mapped = subs.iter().find(|s| s.identifier == "ENTERPRISE_SEAT").unwrap();
    assert_eq!(mapped.model_id, Some(id));
    // It comes with a reclamation rule, like the models a download makes.
    let rules = seatkeeper_core::reclaim::list_rules(&case.db, case.profile).await.unwrap();
    assert!(rules.iter().any(|r| r.model_id == id), "{rules:?}");
}

#[tokio::test]
async fn unreadable_events_are_skipped_with_a_warning_and_never_block_the_stream() {
    let mut case = case(config(27)).await;
    let stub = Stub::start(move |seen, _| {
        assert_eq!(seen.path, "/2.0/events");
        match seen.query("streamPosition") {
            None => Reply::json(200, json!({"nextStreamPosition": "p1", "moreAvailable": true, "data": [
                event(101, "2026-11-20T10:00:00Z"),
                event(102, "the twentieth of November"),
                {"eventId": "no-user", "objectType": "SHEET", "action": "LOAD", "eventTimestamp": "2026-11-20T11:00:00Z"},
            ]})),
            Some("p1") => Reply::json(200, json!({"nextStreamPosition": "p2", "moreAvailable": false, "data": [
                event(103, "2026-11-21T09:30:00Z"),
                event(104, "2026-13-45T99:00:00Z"),
            ]})),
            Some("p2") => Reply::json(200, json!({"nextStreamPosition": "p2", "moreAvailable": false, "data": []})),
            other => panic!("unexpected position {other:?}"),
        }
    })
    .await;
    case.client = stub.client();
    let result = case.activity().await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(result.events_read, 2, "the readable events");
    let text = result.warning_text.clone().unwrap_or_default();
    assert!(text.contains("3 events could not be read and were skipped"), "{text}");
    assert!(text.contains("GET /events"), "the first problem is named: {text}");
    let (last, _) = case.stored_activity().await;
    assert_eq!(last.keys().copied().collect::<Vec<_>>(), [101, 103]);
    // The stream moved past the bad events: the next run starts after them.
    let again = case.activity().await;
    assert_eq!((again.status, again.events_read, again.warnings), (JobStatus::Succeeded, 0, 0));
}

/// A date after the server's own clock would make a user count as active for ever, and keep their
/// seat from ever being reclaimed: such events and last logins are refused, with a warning.
#[tokio::test]
async fn events_and_last_logins_dated_after_the_server_clock_are_refused() {
    let mut case = case(config(30)).await;
    // The server's clock (its Date header) is the tests' now: 2026-11-29T00:00:00Z.
    let date = "Sun, 29 Nov 2026 00:00:00 GMT";
    let user = |id: i64, last_login: &str| {
        json!({"id": id, "email": format!("u{id}@acme.example"), "admin": id == 1, "status": "ACTIVE",
               "seatType": "MEMBER", "lastLogin": last_login})
    };
    let stub = Stub::start(move |seen, _| {
        let reply = match seen.path.as_str() {
            "/2.0/events" => Reply::json(
                200,
                json!({"nextStreamPosition": "p1", "moreAvailable": false, "data": [
                    event(101, "2026-11-28T10:00:00Z"),
                    // Within a few minutes of the server's clock: believed.
                    event(101, "2026-11-29T00:04:00Z"),
                    event(102, "2099-01-01T00:00:00Z"),
                    event(103, "2026-11-29T01:00:00Z"),
                ]}),
            ),
            "/2.0/users/me" => Reply::json(200, json!({"id": 1, "email": "u1@acme.example", "admin": true})),
            "/2.0/users/1/plans" => Reply::json(
                200,
                json!({"lastKey": null, "data": [{"planId": 77, "seatType": "MEMBER", "isInternal": true}]}),
            ),
            "/2.0/users" => Reply::json(
                200,
                json!({"pageNumber": 1, "pageSize": 100, "totalPages": 1, "totalCount": 2,
                "data": [user(1, "2026-11-20T00:00:00Z"), user(2, "2098-06-01T00:00:00Z")]}),
            ),
            _ => Reply::json(404, json!({"errorCode": 1006, "message": "Not Found"})),
        };
        reply.header("Date", date)
    })
    .await;
    case.client = stub.client();

    let result = case.activity().await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    let text = result.warning_text.clone().unwrap_or_default();
    assert!(text.contains("dated after Smartsheet's own clock (the latest 2099-01-01 00:00 UTC)"), "{text}");
    let (last, daily) = case.stored_activity().await;
    assert_eq!(last.into_iter().collect::<Vec<_>>(), [(101, support::at("2026-11-29T00:04:00Z"))]);
    assert_eq!(daily.values().sum::<i64>(), 2, "only the believed events are counted");

    let result = case.subscriptions().await;
    let text = result.warning_text.clone().unwrap_or_default();
    assert!(text.contains("1 users had a last login dated after Smartsheet's own clock"), "{text}");
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    let login = |id: &str| subs.iter().find(|s| s.user_id == id).unwrap().last_login;
    assert_eq!(login("1"), Some(support::at("2026-11-20T00:00:00Z")));
    assert_eq!(login("2"), None, "refused, not stored");
}

/// A stream whose positions loop (p1 → p2 → p1 …) fails the run cleanly: the pages before the one
/// that names a position again are saved with the position after them, and the next run resumes
/// from there.
#[tokio::test]
async fn a_looping_event_stream_fails_the_run_and_the_next_resumes_from_the_last_good_commit() {
    let mut case = case(config(32)).await;
    let stub = Stub::start(move |seen, _| match seen.query("streamPosition") {
        None => Reply::json(
            200,
            json!({"nextStreamPosition": "p1", "moreAvailable": true,
            "data": [event(101, "2026-11-20T10:00:00Z")]}),
        ),
        Some("p1") => Reply::json(
            200,
            json!({"nextStreamPosition": "p2", "moreAvailable": true,
            "data": [event(102, "2026-11-21T10:00:00Z")]}),
        ),
        Some("p2") => Reply::json(
            200,
            json!({"nextStreamPosition": "p1", "moreAvailable": true,
            "data": [event(103, "2026-11-22T10:00:00Z")]}),
        ),
        other => panic!("unexpected position {other:?}"),
    })
    .await;
    case.client = stub.client();
    let failed = case.activity().await;
    assert_eq!(failed.status, JobStatus::Failed);
    let message = failed.error_message.clone().unwrap();
    assert!(message.contains("did not come to an end") && message.contains("came back"), "{message}");
    assert_eq!(failed.events_read, 2, "the two pages before the loop");
    let (last, _) = case.stored_activity().await;
    assert_eq!(last.keys().copied().collect::<Vec<_>>(), [101, 102]);
    assert!(activity::activity_settings(&case.db, case.profile).await.unwrap().has_stream_position);

    let asked_before = stub.seen().len();
    let again = case.activity().await;
    assert_eq!(again.status, JobStatus::Failed);
    assert_eq!(
        stub.seen()[asked_before].query("streamPosition"),
        Some("p2"),
        "resumed after the last good page"
    );
}

/// A server's text is stored at a readable length: a 200 KB error message does not go into the
/// database, and Smartsheet's code and reference stay whole.
#[tokio::test]
async fn a_huge_error_message_is_stored_cut_with_its_code_and_reference() {
    let mut case = case(config(31)).await;
    let message = format!("Internal trouble {}", "x".repeat(200_000));
    let stub = Stub::start(move |_, _| {
        Reply::json(500, json!({"errorCode": 4000, "message": message.clone(), "refId": "zx81-ref-2026"}))
    })
    .await;
    case.client = stub.client();
    let result = case.run(JobKind::Subscriptions, &PAGE, &no_progress, &CancellationToken::new()).await;
    assert_eq!(result.status, JobStatus::Failed);
    let stored: String = sqlx::query_scalar("SELECT error_message FROM job_results WHERE id = ?")
        .bind(result.id)
        .fetch_one(case.db.pool())
        .await
        .unwrap();
    assert!(stored.len() < 2_000, "{} bytes stored", stored.len());
    assert!(stored.contains("error 4000") && stored.contains("zx81-ref-2026"), "{stored}");
    assert_eq!(result.error_message.as_deref(), Some(stored.as_str()));
}

#[tokio::test]
async fn an_unreadable_user_is_left_as_it_was_and_an_unidentifiable_one_closes_nothing() {
    let mut case = case(config(28)).await;
    // 0: three good users; 1: user 2 has an odd date; 2: user 3 is gone but one listed user has no
    // readable id; 3: user 3 is gone and every user is readable.
    let round = Arc::new(AtomicUsize::new(0));
    let stub = Stub::start({
        let round = round.clone();
        move |seen, _| {
            let user = |id: i64, last_login: &str| {
                json!({"id": id, "email": format!("u{id}@acme.example"), "admin": id == 1, "status": "ACTIVE",
                       "seatType": "MEMBER", "lastLogin": last_login})
            };
            match seen.path.as_str() {
                "/2.0/users/me" => Reply::json(200, json!({"id": 1, "email": "u1@acme.example", "admin": true})),
                "/2.0/users/1/plans" => Reply::json(
                    200,
                    json!({"lastKey": null, "data": [{"planId": 77, "seatType": "MEMBER", "isInternal": true}]}),
                ),
                "/2.0/users" => {
                    let data = match round.load(Ordering::SeqCst) {
                        0 => vec![user(1, "2026-11-01T00:00:00Z"), user(2, "2026-11-02T00:00:00Z"), user(3, "2026-11-03T00:00:00Z")],
                        1 => vec![user(1, "2026-11-01T00:00:00Z"), user(2, "yesterday"), user(3, "2026-11-03T00:00:00Z")],
                        2 => vec![user(1, "2026-11-01T00:00:00Z"), user(2, "2026-11-02T00:00:00Z"), json!({"id": "two", "email": 7})],
                        _ => vec![user(1, "2026-11-01T00:00:00Z"), user(2, "2026-11-02T00:00:00Z")],
                    };
                    let n = data.len();
                    Reply::json(200, json!({"pageNumber": 1, "pageSize": 100, "totalPages": 1, "totalCount": n, "data": data}))
                }
                _ => Reply::json(404, json!({"errorCode": 1006, "message": "Not Found"})),
            }
        }
    })
    .await;
    case.client = stub.client();
    let open = |subs: &[sync::SoftwareSubscription]| {
        let mut ids: Vec<String> =
            subs.iter().filter(|s| s.closed_at.is_none()).map(|s| s.user_id.clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(case.subscriptions().await.subscriptions_created, 3);

    round.store(1, Ordering::SeqCst);
    let odd = case.subscriptions().await;
    let text = odd.warning_text.clone().unwrap_or_default();
    assert!(
        text.contains("1 users could not be read and were left as they were, e.g. u2@acme.example"),
        "{text}"
    );
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    assert_eq!(open(&subs), ["1", "2", "3"], "the unreadable user is not closed");
    let two = subs.iter().find(|s| s.user_id == "2").unwrap();
    assert_eq!(
        two.last_login.map(|t| t.to_rfc3339()),
        Some("2026-11-02T00:00:00+00:00".into()),
        "nor changed"
    );

    round.store(2, Ordering::SeqCst);
    let unidentified = case.subscriptions().await;
    let text = unidentified.warning_text.clone().unwrap_or_default();
    assert!(text.contains("not even their id"), "{text}");
    assert_eq!(unidentified.subscriptions_closed, 0);
    assert_eq!(
        open(&sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap()),
        ["1", "2", "3"]
    );

    round.store(3, Ordering::SeqCst);
    let clean = case.subscriptions().await;
    assert_eq!((clean.subscriptions_closed, clean.warnings), (1, 0), "{:?}", clean.warning_text);
    assert_eq!(
        open(&sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap()),
        ["1", "2"]
    );
}

#[tokio::test]
async fn a_failed_download_is_recorded_and_closes_nothing() {
    let case = case(config(15)).await;
    case.subscriptions().await;
    let before = stored_users(&case).await;
    let sim = case.sim.sim().clone();
    let pages = AtomicUsize::new(0);
    let progress = move |p: SyncProgress| {
        if p.phase == sync::SyncPhase::Users && pages.fetch_add(1, Ordering::SeqCst) == 0 {
            sim.set_faults(faults("4000=1"));
        }
    };
    let result =
        case.run(JobKind::Subscriptions, &SyncOptions::default(), &progress, &CancellationToken::new()).await;
    assert_eq!(result.status, JobStatus::Failed);
    let message = result.error_message.unwrap();
    assert!(message.contains("4000"), "{message}");
    assert!(!message.contains(&case.sim.tokens().admin), "the key leaked: {message}");
    assert_eq!(result.subscriptions_closed, 0);
    assert_eq!(stored_users(&case).await, before, "a partial list closes nothing");
}

// ---------------------------------------------------------------------------------------------
// Activity
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn activity_follows_the_event_stream_incrementally() {
    let case = case(config(21)).await;
    case.subscriptions().await;
    let events = case.events().await;
    assert!(events.iter().any(|e| sync::SYSTEM_USER_IDS.contains(&e.user_id)), "system users act too");
    let expected = fold(&events, &[]);

    let first = case.activity().await;
    assert_eq!(first.status, JobStatus::Succeeded, "{:?}", first.error_message);
    assert_eq!(first.events_read, events.len() as i64);
    assert!(first.events_read > 5 * i64::from(PAGE.events_page_size), "several pages");
    assert_eq!(case.stored_activity().await, expected);
    let stored = case.stored_activity().await.0;
    assert!(stored.keys().all(|id| !sync::SYSTEM_USER_IDS.contains(id)), "system users never count");
    let settings = activity::activity_settings(&case.db, case.profile).await.unwrap();
    assert_eq!(settings.activity_source, Some(ActivitySource::Events));
    assert!(settings.has_stream_position);
    assert_eq!(settings.events_from, Some(case.analyze_from().await));
    // The subscriptions list shows the activity.
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    let with_activity = subs.iter().filter(|s| s.last_activity_at.is_some()).count();
    assert!(with_activity > 0);
    for s in &subs {
        assert_eq!(s.last_activity_at, expected.0.get(&s.user_id.parse::<i64>().unwrap()).copied());
    }

    // Nothing new: nothing read.
    let again = case.activity().await;
    assert_eq!(again.events_read, 0);
    assert_eq!(case.stored_activity().await, expected);

    // A day later: only the new events are read, and the aggregates equal the whole window's.
    case.sim.sim().advance(chrono::Duration::days(1));
    case.clock.set(case.sim.sim().now());
    let all = case.events().await;
    assert!(all.len() > events.len());
    let next = case.activity().await;
    assert_eq!(next.events_read, (all.len() - events.len()) as i64);
    assert!(next.requests < first.requests, "an incremental run is smaller");
    let after = case.stored_activity().await;
    assert_eq!(after, fold(&all, &[]));
    assert_ne!(after, expected, "last activity moved on");
}

#[tokio::test]
async fn activity_survives_faults() {
    let calm = case(config(22)).await;
    let expected = fold(&calm.events().await, &[]);
    let case = case(config(22)).await;
    case.sim.set_faults(faults("500=0.2,503=0.05,4002=0.05,429=0.05,drop=0.05,truncate=0.05"));
    let result = case.activity().await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert!(result.retries > 0);
    assert_eq!(result.requests, case.client.stats().requests as i64);
    assert_eq!(case.stored_activity().await, expected);
}

#[tokio::test]
async fn a_failed_run_resumes_from_the_last_committed_page() {
    let case = case(config(23)).await;
    let events = case.events().await;
    let expected = fold(&events, &[]);
    let sim = case.sim.sim().clone();
    let pages = AtomicUsize::new(0);
    let progress = move |p: SyncProgress| {
        if p.phase == sync::SyncPhase::Events && pages.fetch_add(1, Ordering::SeqCst) == 2 {
            sim.set_faults(faults("4000=1"));
        }
    };
    let failed = case.run(JobKind::Events, &PAGE, &progress, &CancellationToken::new()).await;
    assert_eq!(failed.status, JobStatus::Failed);
    assert!(failed.error_message.as_deref().unwrap().contains("4000"), "{:?}", failed.error_message);
    // The pages read ahead before the fault began are committed too; what counts is whole pages.
    let page = i64::from(PAGE.events_page_size);
    assert_eq!(failed.events_read % page, 0, "whole pages only: {}", failed.events_read);
    assert!(failed.events_read >= 3 * page, "the three pages before the fault: {}", failed.events_read);
    assert!((failed.events_read as usize) < events.len(), "the run stopped before the end");
    let partial = case.stored_activity().await;
    assert_eq!(partial, fold(&events[..failed.events_read as usize], &[]), "whole pages only");
    assert!(activity::activity_settings(&case.db, case.profile).await.unwrap().has_stream_position);

    case.sim.set_faults(FaultSpec::none());
    let resumed = case.activity().await;
    assert_eq!(resumed.status, JobStatus::Succeeded);
    assert_eq!(failed.events_read + resumed.events_read, events.len() as i64, "nothing read twice");
    assert_eq!(case.stored_activity().await, expected, "nothing counted twice");
}

#[tokio::test]
async fn a_failed_commit_stops_the_run_and_no_later_batch_is_committed() {
    let case = case(config(26)).await;
    let events = case.events().await;
    assert!(events.len() > 3 * PAGE.events_per_commit, "several batches: {}", events.len());
    // The database refuses the second batch (as a full disk would): a trigger fails the second
    // update of the stream position.
    for sql in [
        "CREATE TABLE test_commits (n INTEGER NOT NULL)",
        "INSERT INTO test_commits VALUES (0)",
        "CREATE TRIGGER test_refuse BEFORE UPDATE OF events_position ON sync_state \
         WHEN (SELECT n FROM test_commits) >= 1 BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
        "CREATE TRIGGER test_count AFTER UPDATE OF events_position ON sync_state \
         BEGIN UPDATE test_commits SET n = n + 1; END",
    ] {
        sqlx::query(sql).execute(case.db.pool()).await.unwrap();
    }
    let failed = case.activity().await;
    assert_eq!(failed.status, JobStatus::Failed);
    assert!(failed.error_message.as_deref().unwrap().contains("database"), "{:?}", failed.error_message);
    assert_eq!(failed.events_read, PAGE.events_per_commit as i64, "only the first batch is in");
    assert_eq!(
        case.stored_activity().await,
        fold(&events[..PAGE.events_per_commit], &[]),
        "and nothing after it"
    );

    sqlx::query("DROP TRIGGER test_refuse").execute(case.db.pool()).await.unwrap();
    let resumed = case.activity().await;
    assert_eq!(resumed.status, JobStatus::Succeeded, "{:?}", resumed.error_message);
    assert_eq!(
        failed.events_read + resumed.events_read,
        events.len() as i64,
        "nothing read twice or skipped"
    );
    assert_eq!(case.stored_activity().await, fold(&events, &[]));
}

#[tokio::test]
async fn a_killed_run_resumes_from_the_last_committed_page() {
    let case = case(config(24)).await;
    let events = case.events().await;
    let committed = || async {
        sqlx::query_scalar::<_, i64>("SELECT coalesce(max(events_read), 0) FROM job_results WHERE number = 1")
            .fetch_one(case.db.pool())
            .await
            .unwrap()
    };
    // Dropped mid-run (as a killed process would be), not cancelled, once a first batch is in.
    let never = CancellationToken::new();
    let first_commit = async {
        while committed().await == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    };
    tokio::select! {
        result = case.run(JobKind::Events, &PAGE, &no_progress, &never) => {
            panic!("the run should have been stopped: {result:?}")
        }
        () = first_commit => {}
    }
    let resumed = case.activity().await;
    assert_eq!(resumed.status, JobStatus::Succeeded);
    assert_eq!(resumed.number, 2);
    // The stopped run's result was left running; the next run, free to take the job's lock,
    // knew it was stale.
    let stopped: (String, Option<String>) =
        sqlx::query_as("SELECT status, error_message FROM job_results WHERE number = 1")
            .fetch_one(case.db.pool())
            .await
            .unwrap();
    assert_eq!(stopped, ("failed".to_owned(), Some(jobs::PROCESS_STOPPED.to_owned())));
    // Read after the resumed run: a batch the stopped run was writing is finished (or rolled back)
    // whole before the next write can start.
    let committed = committed().await;
    assert!(committed >= PAGE.events_per_commit as i64, "{committed}");
    assert_eq!(committed % i64::from(PAGE.events_page_size), 0, "whole pages only: {committed}");
    assert!(committed < events.len() as i64, "stopped before the end");
    assert_eq!(committed + resumed.events_read, events.len() as i64, "nothing read twice or skipped");
    assert_eq!(case.stored_activity().await, fold(&events, &[]));
}

#[tokio::test]
async fn excluded_event_kinds_do_not_count_and_a_change_rereads_the_stream() {
    let case = case(config(25)).await;
    let events = case.events().await;
    case.activity().await;
    assert_eq!(case.stored_activity().await, fold(&events, &[]));

    let bad = activity::set_excluded_event_kinds(&case.db, case.profile, &["SHEET LOAD".into()]).await;
    assert!(bad.is_err());
    activity::set_excluded_event_kinds(&case.db, case.profile, &["user:login".into(), "SHEET:LOAD".into()])
        .await
        .unwrap();
    let settings = activity::activity_settings(&case.db, case.profile).await.unwrap();
    assert_eq!(settings.excluded_event_kinds, ["SHEET:LOAD", "USER:LOGIN"]);
    let rerun = case.activity().await;
    assert_eq!(rerun.events_read, events.len() as i64, "read again from the start");
    let expected = fold(&events, &[("USER", "LOGIN"), ("SHEET", "LOAD")]);
    assert_ne!(expected, fold(&events, &[]));
    assert_eq!(case.stored_activity().await, expected);
}

async fn assert_last_login_used(case: &Case) {
    let result = case.activity().await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(result.events_read, 0);
    let settings = activity::activity_settings(&case.db, case.profile).await.unwrap();
    assert_eq!(settings.activity_source, Some(ActivitySource::LastLogin));
    let stored: HashMap<i64, (DateTime<Utc>, ActivitySource)> =
        activity::list_user_activity(&case.db, case.profile)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.user_id.parse().unwrap(), (a.last_activity_at, a.source)))
            .collect();
    let expected: HashMap<i64, (DateTime<Utc>, ActivitySource)> = {
        let org = case.sim.sim().org.read();
        org.users
            .iter()
            .filter(|u| u.in_plan)
            .filter_map(|u| Some((u.id, (u.last_login?, ActivitySource::LastLogin))))
            .collect()
    };
    assert!(!expected.is_empty());
    assert_eq!(stored, expected);
    assert_eq!(case.count("user_activity_daily").await, 0);
    assert_eq!(case.count("user_activity_days").await, 0);
}

#[tokio::test]
async fn without_event_reporting_last_login_is_the_activity() {
    let case = case_with(config(26), |sim| sim.tokens().admin_no_event_reporting.clone()).await;
    let validation = get_profile(&case.db, case.profile).await.unwrap().last_validation.unwrap();
    assert_eq!(validation.event_reporting, Some(false));
    case.subscriptions().await;
    let before = case.sim.requests();
    assert_last_login_used(&case).await;
    assert_eq!(case.sim.requests(), before, "/events is not even tried");

    // Later downloads keep last activity = last login.
    case.sim.sim().advance(chrono::Duration::days(2));
    case.clock.set(case.sim.sim().now());
    case.subscriptions().await;
    let subs = sync::list_subscriptions(&case.db, &*case.clock, case.profile).await.unwrap();
    assert!(subs.iter().any(|s| s.last_login.is_some()));
    for s in subs {
        assert_eq!(s.last_activity_at, s.last_login, "{}", s.email);
    }
}

#[tokio::test]
async fn a_403_on_events_falls_back_to_last_login() {
    let mut case = case(config(27)).await;
    // Validated with Event Reporting, but the key used now cannot read it.
    case.client = support::client(case.sim.base_url(), &case.sim.tokens().admin_no_event_reporting);
    case.subscriptions().await;
    assert_last_login_used(&case).await;
    let result = case.activity().await;
    assert_eq!(result.warnings, 1);
    assert!(result.warning_text.unwrap().contains("403"));
}

#[tokio::test]
async fn deleting_the_profile_deletes_its_sync_data() {
    let case = case(config(28)).await;
    case.subscriptions().await;
    case.activity().await;
    for table in [
        "software_subscriptions",
        "software_models",
        "user_activity",
        "user_activity_days",
        "job_results",
        "sync_state",
    ] {
        assert!(case.count(table).await > 0, "{table}");
    }
    delete_profile(&case.db, &*case.secrets, case.profile).await.unwrap();
    for table in [
        "software_subscriptions",
        "software_models",
        "subscription_identifiers",
        "reclamation_rules",
        "user_activity",
        "user_activity_daily",
        "user_activity_days",
        "sync_state",
        "job_results",
    ] {
        assert_eq!(case.count(table).await, 0, "{table}");
    }
}

#[tokio::test]
async fn a_draft_profile_has_no_job_to_run() {
    let sim = smartsheet_sim::spawn(config(29)).await.unwrap();
    let db = Db::open_in_memory().await.unwrap();
    let secrets = MemoryStore::new();
    let clock = FixedClock::new(now());
    let (input, connection) = support::new_profile("Draft", true, sim.base_url(), &sim.tokens().admin);
    let profile = create_profile(&db, &secrets, &clock, input, Some(connection)).await.unwrap();
    let client = support::client(sim.base_url(), &sim.tokens().admin);
    let (options, cancel) = (SyncOptions::default(), CancellationToken::new());
    let context = |profile_id| RunContext {
        db: &db,
        client: &client,
        profile_id,
        clock: &clock,
        options: &options,
        progress: &no_progress,
        cancel: &cancel,
    };
    let err = jobs::run(JobKind::Subscriptions, context(profile.id)).await.unwrap_err();
    assert_eq!(err.code(), seatkeeper_core::ErrorCode::Conflict);
    let err = jobs::run(JobKind::Events, context(9_999)).await.unwrap_err();
    assert_eq!(err.code(), seatkeeper_core::ErrorCode::NotFound);
}
