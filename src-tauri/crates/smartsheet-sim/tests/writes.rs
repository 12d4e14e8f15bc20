//! The write endpoints over raw HTTP, as Smartsheet's behave (issue #10 §1): every write shows in
//! every later read, appears in the Event Reporting stream as the admin's action, refuses what
//! Smartsheet refuses without changing anything, and meets faults before or after it is applied.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use smartsheet_sim::org::{Activity, Case, Seat, SimUser, Status};
use smartsheet_sim::{spawn, FaultSpec, RateLimit, SimConfig, SimHandle};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap().to_utc()
}

const NOW: &str = "2026-11-29T00:00:00Z";

fn config() -> SimConfig {
    SimConfig {
        seed: 11,
        users: 250,
        days: 20,
        now: now(),
        rate_limit: RateLimit::Off,
        ..SimConfig::default()
    }
}

struct Api {
    sim: SimHandle,
    http: Client,
    admin: String,
    plan: Option<i64>,
}

impl Api {
    async fn new(config: SimConfig) -> Api {
        let sim = spawn(config).await.unwrap();
        let admin = sim.tokens().admin.clone();
        let plan = sim.sim().org.read().plan_id;
        Api { sim, http: Client::new(), admin, plan }
    }

    async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.sim.base_url())).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}")))
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_as(&self.admin, method, path, body).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    fn plan(&self) -> i64 {
        self.plan.expect("a User Subscription Model plan")
    }

    async fn downgrade(&self, id: i64, seat: &str) -> (StatusCode, Value) {
        let path = format!("/users/{id}/plans/{}/downgrade", self.plan());
        self.call(Method::POST, &path, Some(json!({ "seatType": seat }))).await
    }

    async fn upgrade(&self, id: i64, seat: &str) -> (StatusCode, Value) {
        let path = format!("/users/{id}/plans/{}/upgrade", self.plan());
        self.call(Method::POST, &path, Some(json!({ "seatType": seat }))).await
    }

    async fn put(&self, id: i64, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, &format!("/users/{id}"), Some(body)).await
    }

    async fn deactivate(&self, id: i64) -> (StatusCode, Value) {
        self.call(Method::POST, &format!("/users/{id}/deactivate"), None).await
    }

    async fn reactivate(&self, id: i64) -> (StatusCode, Value) {
        self.call(Method::POST, &format!("/users/{id}/reactivate"), None).await
    }

    /// The user as `GET /users` lists it, with the plan's seat fields (USM) or without.
    async fn listed(&self, email: &str, with_plan: bool) -> Option<Value> {
        let plan = if with_plan { format!("&planId={}", self.plan()) } else { String::new() };
        let (status, page) = self.get(&format!("/users?email={}{plan}", urlencode(email))).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 1, "{page}");
        data.first().cloned()
    }

    /// Everything the reads say about a user: `GET /users` with and without planId, `GET
    /// /users/{id}` and `GET /users/{id}/plans`.
    async fn reads(&self, id: i64, email: &str) -> Reads {
        Reads {
            with_plan: if self.plan.is_some() { self.listed(email, true).await } else { None },
            without_plan: self.listed(email, false).await,
            get: self.get(&format!("/users/{id}")).await,
            plans: self.get(&format!("/users/{id}/plans")).await,
        }
    }

    /// The stream position after the last event that has happened.
    async fn stream_end(&self) -> String {
        let since = (now() - Duration::hours(2)).to_rfc3339();
        let mut page = self.get(&format!("/events?since={}&maxCount=10000", urlencode(&since))).await.1;
        while page["moreAvailable"] == true {
            let pos = page["nextStreamPosition"].as_str().unwrap().to_owned();
            page = self.get(&format!("/events?streamPosition={pos}&maxCount=10000")).await.1;
        }
        page["nextStreamPosition"].as_str().unwrap().to_owned()
    }

    /// The events after `position`, and the position after them.
    async fn events_after(&self, position: &str) -> (Vec<Value>, String) {
        let mut events = Vec::new();
        let mut pos = position.to_owned();
        loop {
            let (status, page) = self.get(&format!("/events?streamPosition={pos}&maxCount=10000")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            events.extend(page["data"].as_array().unwrap().iter().cloned());
            pos = page["nextStreamPosition"].as_str().unwrap().to_owned();
            if page["moreAvailable"] == false {
                return (events, pos);
            }
        }
    }

    /// Every event of the generated history (20 days) and after.
    async fn all_events(&self) -> Vec<Value> {
        let mut page = self.get("/events?since=2026-11-08T00:00:00Z&maxCount=10000").await.1;
        let mut events: Vec<Value> = page["data"].as_array().unwrap().clone();
        while page["moreAvailable"] == true {
            let pos = page["nextStreamPosition"].as_str().unwrap().to_owned();
            page = self.get(&format!("/events?streamPosition={pos}&maxCount=10000")).await.1;
            events.extend(page["data"].as_array().unwrap().iter().cloned());
        }
        events
    }

    fn me(&self) -> SimUser {
        let org = self.sim.sim().org.read();
        org.users[org.admin_idx].clone()
    }

    /// A user of the generated organization (the simulator's own truth) for which `pick` holds.
    fn user(&self, what: &str, pick: impl Fn(&SimUser) -> bool) -> SimUser {
        let org = self.sim.sim().org.read();
        let owners = [org.admin_idx, org.member_idx, org.second_admin_idx];
        org.users
            .iter()
            .enumerate()
            .find(|(i, u)| !owners.contains(i) && u.visible() && pick(u))
            .map(|(_, u)| u.clone())
            .unwrap_or_else(|| panic!("no {what} in the organization"))
    }

    fn case(&self, case: Case) -> SimUser {
        self.user(&format!("{case:?}"), |u| case.holds(u, now()))
    }

    /// A plain licensed member (see [`plain`]) other than those in `skip`.
    fn plain_member(&self, skip: &[i64]) -> SimUser {
        self.user("plain member", |u| plain(u) && !skip.contains(&u.id))
    }
}

/// Internal, active, MEMBER, in the organization, no roles and none of the refusal cases.
fn plain(u: &SimUser) -> bool {
    u.internal
        && u.in_org
        && u.status == Status::Active
        && u.seat == Seat::Member
        && !u.admin
        && !u.group_admin
        && !u.resource_viewer
        && !u.directory_managed
        && !u.owns_groups
        && !u.service_account
        && Case::ALL.iter().all(|c| !c.holds(u, now()))
}

#[derive(Debug, PartialEq)]
struct Reads {
    with_plan: Option<Value>,
    without_plan: Option<Value>,
    get: (StatusCode, Value),
    plans: (StatusCode, Value),
}

impl Reads {
    fn plan_seat(&self) -> &Value {
        &self.plans.1["data"][0]["seatType"]
    }

    /// A field as the three user reads show it (list with and without planId, get), which must agree.
    fn field(&self, name: &str) -> Value {
        let get = self.get.1[name].clone();
        if let Some(listed) = &self.with_plan {
            assert_eq!(listed[name], get, "{name}: GET /users?planId= and GET /users/{{id}} disagree");
        }
        if let Some(listed) = &self.without_plan {
            assert_eq!(listed[name], get, "{name}: GET /users and GET /users/{{id}} disagree");
        }
        get
    }
}

/// Percent-encodes a query value (`+` in an address or a time zone would read as a space).
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn assert_error(got: &(StatusCode, Value), status: u16, code: i64) {
    assert_eq!(got.0.as_u16(), status, "{}", got.1);
    assert_eq!(got.1["errorCode"], code, "{}", got.1);
    assert!(got.1["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", got.1);
    assert!(got.1["refId"].as_str().is_some_and(|r| !r.is_empty()), "{}", got.1);
}

fn assert_success(got: &(StatusCode, Value)) {
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!((&got.1["message"], &got.1["resultCode"]), (&json!("SUCCESS"), &json!(0)), "{}", got.1);
}

// -------------------------------------------------------------------------------------------------
// 1. A write changes what every later read returns.
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn seat_changes_show_in_every_read() {
    let api = Api::new(config()).await;
    let u = api.plain_member(&[]);
    let before = api.reads(u.id, &u.email).await;
    assert_eq!(before.with_plan.as_ref().unwrap()["seatType"], "MEMBER");
    assert_eq!(before.plan_seat(), "MEMBER");
    assert_eq!(before.field("licensedSheetCreator"), true);

    assert_success(&api.downgrade(u.id, "CONTRIBUTOR").await);
    let after = api.reads(u.id, &u.email).await;
    assert_eq!(after.with_plan.as_ref().unwrap()["seatType"], "CONTRIBUTOR");
    assert_eq!(after.with_plan.as_ref().unwrap()["seatTypeLastChangedAt"], "2026-11-29T00:00:00.000000Z");
    assert_eq!(after.plan_seat(), "CONTRIBUTOR");
    assert_eq!(after.plans.1["data"][0]["seatTypeLastChangedAt"], "2026-11-29T00:00:00.000000Z");
    assert_eq!(after.field("licensedSheetCreator"), false, "a free seat is not a licence");
    assert_eq!(after.field("status"), "ACTIVE");
    let filtered =
        api.get(&format!("/users?planId={}&seatType=CONTRIBUTOR&includeAll=true", api.plan())).await.1;
    assert!(filtered["data"].as_array().unwrap().iter().any(|x| x["id"] == u.id), "seatType filter");

    assert_success(&api.upgrade(u.id, "MEMBER").await);
    let back = api.reads(u.id, &u.email).await;
    assert_eq!(back.with_plan.as_ref().unwrap()["seatType"], "MEMBER");
    assert_eq!(back.plan_seat(), "MEMBER");
    assert_eq!(back.field("licensedSheetCreator"), true);

    // An outside collaborator's paid seat goes to GUEST.
    let ext = api.case(Case::ExternalMember);
    assert_success(&api.downgrade(ext.id, "GUEST").await);
    let ext_reads = api.reads(ext.id, &ext.email).await;
    assert_eq!(ext_reads.with_plan.as_ref().unwrap()["seatType"], "GUEST");
    assert_eq!(ext_reads.without_plan, None, "outside collaborators are listed only with planId");
    let ours =
        ext_reads.plans.1["data"].as_array().unwrap().iter().find(|p| p["planId"] == api.plan()).cloned();
    assert_eq!(ours.unwrap()["seatType"], "GUEST");
    assert_eq!(ext_reads.get.1["licensedSheetCreator"], false);
}

#[tokio::test]
async fn put_shows_in_every_read() {
    let api = Api::new(config()).await;
    let u = api.plain_member(&[]);
    let before = api.reads(u.id, &u.email).await;
    for flag in ["admin", "groupAdmin", "resourceViewer"] {
        assert_eq!(before.field(flag), false, "{flag}");
    }

    let (status, body) = api
        .put(u.id, json!({"admin": true, "licensedSheetCreator": true, "groupAdmin": true, "resourceViewer": true, "firstName": "Renamed"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["groupAdmin"], true);
    let after = api.reads(u.id, &u.email).await;
    for flag in ["admin", "groupAdmin", "resourceViewer", "licensedSheetCreator"] {
        assert_eq!(after.field(flag), true, "{flag}");
    }
    assert_eq!(after.field("firstName"), "Renamed");
    assert_eq!(after.with_plan.as_ref().unwrap()["name"], format!("Renamed {}", u.last_name));
    assert_eq!(after.plans, before.plans, "PUT does not change the plan's seat");

    assert_success(&api.put(u.id, json!({"admin": false, "licensedSheetCreator": true, "groupAdmin": false, "resourceViewer": false})).await);
    let reverted = api.reads(u.id, &u.email).await;
    for flag in ["admin", "groupAdmin", "resourceViewer"] {
        assert_eq!(reverted.field(flag), false, "{flag}");
    }
}

#[tokio::test]
async fn legacy_licence_changes_show_in_every_read() {
    let api = Api::new(SimConfig { legacy: true, ..config() }).await;
    let u = api.plain_member(&[]);
    let before = api.reads(u.id, &u.email).await;
    assert_eq!(before.field("licensedSheetCreator"), true);
    assert_eq!(before.plans.1["data"], json!([]), "no plan on a legacy account");

    assert_success(&api.put(u.id, json!({"licensedSheetCreator": false, "admin": false})).await);
    let after = api.reads(u.id, &u.email).await;
    assert_eq!(after.field("licensedSheetCreator"), false);
    assert_eq!(after.field("admin"), false);
    assert_eq!(after.field("status"), "ACTIVE");
    assert_eq!(after.plans, before.plans);

    assert_success(&api.put(u.id, json!({"licensedSheetCreator": true, "admin": false})).await);
    assert_eq!(api.reads(u.id, &u.email).await.field("licensedSheetCreator"), true);
}

#[tokio::test]
async fn status_and_membership_changes_show_in_every_read() {
    let api = Api::new(config()).await;
    let u = api.plain_member(&[]);
    let before = api.reads(u.id, &u.email).await;
    assert_eq!(before.field("status"), "ACTIVE");
    assert_eq!(before.field("sheetCount"), -1);

    assert_success(&api.deactivate(u.id).await);
    let off = api.reads(u.id, &u.email).await;
    assert_eq!(off.field("status"), "DEACTIVATED");
    assert_eq!(off.field("sheetCount"), Value::Null, "sheetCount only for ACTIVE users");
    assert_eq!(off.plans, before.plans, "deactivation keeps the seat");

    assert_success(&api.reactivate(u.id).await);
    let on = api.reads(u.id, &u.email).await;
    assert_eq!(on.field("status"), "ACTIVE");
    assert_eq!(on, before, "reactivation restores every read");

    // Removal, first call: out of the organization, still on the plan.
    let removed = api.plain_member(&[u.id]);
    assert_success(&api.call(Method::DELETE, &format!("/users/{}", removed.id), None).await);
    let gone = api.reads(removed.id, &removed.email).await;
    assert_eq!(gone.without_plan, None, "not listed in the organization");
    assert_eq!(gone.with_plan.as_ref().unwrap()["seatType"], "MEMBER", "still on the plan");
    assert_eq!(gone.get.0, StatusCode::OK);
    // Second step: off the plan too, and then unknown.
    let path = format!("/users/{}/plans/{}", removed.id, api.plan());
    assert_success(&api.call(Method::DELETE, &path, None).await);
    let off_plan = api.reads(removed.id, &removed.email).await;
    assert_eq!((off_plan.with_plan, off_plan.without_plan), (None, None));
    assert_eq!(off_plan.get.0, StatusCode::NOT_FOUND);
    assert_eq!(off_plan.plans.0, StatusCode::NOT_FOUND);
}

// -------------------------------------------------------------------------------------------------
// 2. A write appears in the Event Reporting stream as the admin's action.
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_downgrade_is_the_admins_event_naming_the_target() {
    let api = Api::new(config()).await;
    let me = api.me();
    let u = api.user("plain member who works", |u| {
        plain(u) && matches!(u.activity, Activity::Power | Activity::Regular)
    });
    let own = |events: &[Value]| events.iter().filter(|e| e["userId"] == u.id).cloned().collect::<Vec<_>>();
    let history = api.all_events().await;
    let targets_own = own(&history);
    assert!(!targets_own.is_empty(), "the target has events of their own");
    let start = api.stream_end().await;

    assert_success(&api.downgrade(u.id, "CONTRIBUTOR").await);
    let (new, end) = api.events_after(&start).await;
    assert_eq!(new.len(), 1, "{new:?}");
    let e = &new[0];
    assert_eq!(e["objectType"], "USER");
    assert_eq!(e["action"], "UPDATE");
    assert_eq!(e["objectId"], u.id);
    assert_eq!(e["objectIdStr"], u.id.to_string());
    assert_eq!(e["eventTimestamp"], NOW);
    assert_eq!(e["userId"], me.id, "the actor is the token's owner");
    assert_eq!(e["requestUserId"], me.id);
    assert_eq!(e["source"], "API_INTEGRATED_APP");
    assert!(e["eventId"].as_str().is_some_and(|id| !id.is_empty()));
    let details = &e["additionalDetails"];
    assert_eq!(details["emailAddress"], me.email.as_str(), "emailAddress is the responsible user's");
    assert_eq!(details["userId"], u.id.to_string());
    assert_eq!(details["userEmail"], u.email.as_str());
    assert_eq!(details["seatType"], "CONTRIBUTOR");
    assert_eq!(details["previousSeatType"], "MEMBER");
    assert_eq!(details["planId"], api.plan().to_string());

    // Downgrading to the seat the user has is 200 and records nothing.
    assert_success(&api.downgrade(u.id, "CONTRIBUTOR").await);
    assert_eq!(api.events_after(&end).await.0, Vec::<Value>::new());

    // The target's own events are exactly what they were: nothing was added to, moved or renumbered.
    let history_after = api.all_events().await;
    assert_eq!(own(&history_after), targets_own);
    assert_eq!(&history_after[..history.len()], &history[..], "the served history is unchanged");
    assert_eq!(history_after.len(), history.len() + 1);
    assert_eq!(history_after.last().unwrap(), e);
}

#[tokio::test]
async fn every_write_is_recorded_with_its_action_and_no_op_writes_are_not() {
    let api = Api::new(config()).await;
    let me = api.me();
    let u = api.plain_member(&[]);
    let removed = api.plain_member(&[u.id]);
    let mut pos = api.stream_end().await;
    let plan = api.plan();

    // (the write, the action, details it must carry); `None` = a no-op that records nothing.
    let steps: Vec<(&str, Option<(&str, Value)>)> = vec![
        ("downgrade", Some(("UPDATE", json!({"seatType": "CONTRIBUTOR", "previousSeatType": "MEMBER"})))),
        ("upgrade", Some(("UPDATE", json!({"seatType": "MEMBER", "previousSeatType": "CONTRIBUTOR"})))),
        ("upgrade again", None),
        ("put", Some(("UPDATE", json!({"groupAdmin": true, "resourceViewer": true})))),
        ("put same", None),
        ("put name", Some(("UPDATE", json!({"lastNameChanged": true})))),
        ("deactivate", Some(("DEACTIVATE", json!({})))),
        ("deactivate again", None),
        ("reactivate", Some(("ACTIVATE", json!({})))),
        ("reactivate again", None),
        ("remove", Some(("REMOVE_FROM_ACCOUNT", json!({"removedFrom": "ORGANIZATION"})))),
        (
            "remove from plan",
            Some(("REMOVE_FROM_ACCOUNT", json!({"removedFrom": "PLAN", "planId": plan.to_string()}))),
        ),
    ];
    for (step, expected) in steps {
        let (target, got) = match step {
            "downgrade" => (&u, api.downgrade(u.id, "CONTRIBUTOR").await),
            "upgrade" | "upgrade again" => (&u, api.upgrade(u.id, "MEMBER").await),
            "put" | "put same" => {
                (&u, api.put(u.id, json!({"groupAdmin": true, "resourceViewer": true})).await)
            }
            "put name" => (&u, api.put(u.id, json!({"lastName": "Changed"})).await),
            "deactivate" | "deactivate again" => (&u, api.deactivate(u.id).await),
            "reactivate" | "reactivate again" => (&u, api.reactivate(u.id).await),
            "remove" => (&removed, api.call(Method::DELETE, &format!("/users/{}", removed.id), None).await),
            "remove from plan" => (
                &removed,
                api.call(Method::DELETE, &format!("/users/{}/plans/{plan}", removed.id), None).await,
            ),
            _ => unreachable!(),
        };
        assert_eq!(got.0, StatusCode::OK, "{step}: {}", got.1);
        let (new, next) = api.events_after(&pos).await;
        pos = next;
        let Some((action, details)) = expected else {
            assert_eq!(new, Vec::<Value>::new(), "{step} changed nothing and records nothing");
            continue;
        };
        assert_eq!(new.len(), 1, "{step}: {new:?}");
        let e = &new[0];
        assert_eq!((&e["objectType"], &e["action"]), (&json!("USER"), &json!(action)), "{step}");
        assert_eq!((&e["userId"], &e["requestUserId"]), (&json!(me.id), &json!(me.id)), "{step}");
        assert_eq!(e["objectId"], target.id, "{step}");
        assert_eq!(e["additionalDetails"]["emailAddress"], me.email.as_str(), "{step}");
        assert_eq!(e["additionalDetails"]["userId"], target.id.to_string(), "{step}");
        assert_eq!(e["additionalDetails"]["userEmail"], target.email.as_str(), "{step}");
        for (key, value) in details.as_object().unwrap() {
            assert_eq!(&e["additionalDetails"][key], value, "{step}: {key} in {e}");
        }
    }

    // The writes of another admin are that admin's.
    let second = {
        let org = api.sim.sim().org.read();
        org.users[org.second_admin_idx].clone()
    };
    let token = api.sim.tokens().admin_no_event_reporting.clone();
    let path = format!("/users/{}/plans/{plan}/downgrade", u.id);
    let got = api.call_as(&token, Method::POST, &path, Some(json!({"seatType": "CONTRIBUTOR"}))).await;
    assert_success(&got);
    let (new, _) = api.events_after(&pos).await;
    assert_eq!(new.len(), 1);
    assert_eq!(
        (&new[0]["userId"], &new[0]["additionalDetails"]["emailAddress"]),
        (&json!(second.id), &json!(second.email))
    );
}

#[tokio::test]
async fn a_deactivated_user_makes_no_more_events_and_the_stream_stays_in_order() {
    let api = Api::new(config()).await;
    // Monday 08:00: the working day is still ahead, and already generated.
    api.sim.sim().advance(Duration::hours(32));
    let busy = {
        let org = api.sim.sim().org.read();
        let log = api.sim.sim().log.read();
        let later_today = |u: &SimUser| {
            log.pending()
                .iter()
                .filter(|r| org.users.get(r.actor as usize).is_some_and(|a| a.id == u.id))
                .count()
        };
        org.users
            .iter()
            .filter(|u| plain(u))
            .max_by_key(|u| later_today(u))
            .filter(|u| later_today(u) > 0)
            .cloned()
    };
    let busy = busy.expect("someone works later today");
    let start = api.stream_end().await;
    assert_success(&api.deactivate(busy.id).await);
    // Two more days: the organization keeps working, the deactivated user does not.
    api.sim.sim().advance(Duration::days(2));
    let (new, _) = api.events_after(&start).await;
    assert_eq!(
        (&new[0]["action"], &new[0]["eventTimestamp"]),
        (&json!("DEACTIVATE"), &json!("2026-11-30T08:00:00Z")),
        "the write is first: it happened at the old now"
    );
    assert!(new.len() > 100, "the organization kept working: {} events", new.len());
    assert!(new.iter().all(|e| e["userId"] != busy.id), "a deactivated user acts no more");
    let stamps: Vec<&str> = new.iter().map(|e| e["eventTimestamp"].as_str().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "time order");

    // A write after the clock moved is stamped with the new now, at the end of the stream.
    let end = api.stream_end().await;
    assert_success(&api.reactivate(busy.id).await);
    let (new, _) = api.events_after(&end).await;
    assert_eq!(new.len(), 1);
    assert_eq!(
        (&new[0]["action"], &new[0]["eventTimestamp"]),
        (&json!("ACTIVATE"), &json!("2026-12-02T08:00:00Z"))
    );
}

// -------------------------------------------------------------------------------------------------
// 3. Refusals: Smartsheet's codes, nothing changed, nothing recorded.
// -------------------------------------------------------------------------------------------------

/// Asserts that `write` is refused with `status`/`code` and leaves every read of `target` and the
/// event stream as they were.
async fn refused<F: std::future::Future<Output = (StatusCode, Value)>>(
    api: &Api,
    target: &SimUser,
    what: &str,
    write: F,
    status: u16,
    code: i64,
) -> Value {
    let before = api.reads(target.id, &target.email).await;
    let pos = api.stream_end().await;
    let got = write.await;
    assert_error(&got, status, code);
    assert_eq!(api.reads(target.id, &target.email).await, before, "{what} changed a read");
    assert_eq!(api.events_after(&pos).await.0, Vec::<Value>::new(), "{what} recorded an event");
    got.1
}

#[tokio::test]
async fn seat_changes_refuse_what_smartsheet_refuses() {
    let api = Api::new(config()).await;

    let off = api.case(Case::DeactivatedRecently);
    for (what, seat) in [("downgrade", "CONTRIBUTOR"), ("upgrade", "MEMBER")] {
        let write = async {
            if what == "downgrade" {
                api.downgrade(off.id, seat).await
            } else {
                api.upgrade(off.id, seat).await
            }
        };
        let body = refused(&api, &off, what, write, 403, 1188).await;
        assert_eq!(body["message"], "The account status of this user is not active.");
    }

    let ext = api.case(Case::ExternalMember);
    let body =
        refused(&api, &ext, "external to CONTRIBUTOR", api.downgrade(ext.id, "CONTRIBUTOR"), 400, 1018).await;
    assert!(
        body["message"].as_str().unwrap().contains("GUEST is the free seat for external users"),
        "{body}"
    );

    let member = api.plain_member(&[]);
    refused(&api, &member, "internal to GUEST", api.downgrade(member.id, "GUEST"), 400, 1018).await;
    let body =
        refused(&api, &member, "VIEWER after the sunset", api.downgrade(member.id, "VIEWER"), 400, 1018)
            .await;
    assert!(body["message"].as_str().unwrap().contains("retired"), "{body}");
    refused(&api, &member, "an upgrade to CONTRIBUTOR", api.upgrade(member.id, "CONTRIBUTOR"), 400, 1018)
        .await;
    let member_token = api.sim.tokens().member.clone();
    let path = format!("/users/{}/plans/{}/downgrade", member.id, api.plan());
    let as_member = api.call_as(&member_token, Method::POST, &path, Some(json!({"seatType": "CONTRIBUTOR"})));
    refused(&api, &member, "a downgrade by a non-admin", as_member, 403, 1004).await;

    // Before the sunset VIEWER is accepted for internal users, and refused for external ones as
    // CONTRIBUTOR is.
    let before_sunset = Api::new(SimConfig { now: now() - Duration::days(60), ..config() }).await;
    let ext = before_sunset.user("external member", |u| {
        !u.internal && u.seat == Seat::Member && u.status == Status::Active && u.in_plan
    });
    let body = refused(
        &before_sunset,
        &ext,
        "external to VIEWER",
        before_sunset.downgrade(ext.id, "VIEWER"),
        400,
        1018,
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("GUEST"), "{body}");
    let member = before_sunset.plain_member(&[]);
    assert_success(&before_sunset.downgrade(member.id, "VIEWER").await);
    assert_eq!(before_sunset.reads(member.id, &member.email).await.plan_seat(), "VIEWER");
}

#[tokio::test]
async fn deactivation_and_reactivation_refuse_what_smartsheet_refuses() {
    let api = Api::new(config()).await;
    let me = api.me();

    let directory = api.case(Case::DirectoryManaged);
    refused(
        &api,
        &directory,
        "deactivating a directory-managed user",
        api.deactivate(directory.id),
        400,
        5697,
    )
    .await;
    let isp = api.case(Case::IspDomain);
    let body =
        refused(&api, &isp, "deactivating an ISP-domain user", api.deactivate(isp.id), 403, 1359).await;
    assert!(body["message"].as_str().unwrap().contains("ISP"), "{body}");
    refused(&api, &me, "deactivating yourself", api.deactivate(me.id), 403, 1336).await;

    let long_ago = api.case(Case::DeactivatedLongAgo);
    let body =
        refused(&api, &long_ago, "reactivating after 30 days", api.reactivate(long_ago.id), 400, 1018).await;
    assert!(body["message"].as_str().unwrap().contains("30 days"), "{body}");
    refused(
        &api,
        &long_ago,
        "PUT on a deactivated user",
        api.put(long_ago.id, json!({"firstName": "X"})),
        403,
        1188,
    )
    .await;

    // Within 30 days reactivation works.
    let recent = api.case(Case::DeactivatedRecently);
    assert_success(&api.reactivate(recent.id).await);
    assert_eq!(api.reads(recent.id, &recent.email).await.field("status"), "ACTIVE");
}

#[tokio::test]
async fn unlicensing_a_legacy_group_admin_or_resource_viewer_is_refused_until_the_roles_are_cleared() {
    let api = Api::new(SimConfig { legacy: true, ..config() }).await;
    let me = api.me();
    let unlicense = json!({"licensedSheetCreator": false, "admin": false});

    let viewer = api.case(Case::ResourceViewer);
    refused(&api, &viewer, "unlicensing a resource viewer", api.put(viewer.id, unlicense.clone()), 403, 1097)
        .await;
    let group_admin = api.case(Case::GroupAdmin);
    refused(
        &api,
        &group_admin,
        "unlicensing a group admin",
        api.put(group_admin.id, unlicense.clone()),
        403,
        1102,
    )
    .await;
    let both = api.case(Case::GroupAdminAndResourceViewer);
    refused(&api, &both, "unlicensing both", api.put(both.id, unlicense.clone()), 403, 1097).await;
    let only_viewer_cleared = json!({"licensedSheetCreator": false, "admin": false, "resourceViewer": false});
    refused(&api, &both, "clearing one role", api.put(both.id, only_viewer_cleared), 403, 1102).await;
    refused(&api, &me, "removing your own admin rights", api.put(me.id, json!({"admin": false})), 403, 1049)
        .await;

    // With the roles cleared in the same request the licence goes.
    let all_cleared =
        json!({"licensedSheetCreator": false, "admin": false, "groupAdmin": false, "resourceViewer": false});
    assert_success(&api.put(both.id, all_cleared).await);
    let reads = api.reads(both.id, &both.email).await;
    for flag in ["licensedSheetCreator", "groupAdmin", "resourceViewer"] {
        assert_eq!(reads.field(flag), false, "{flag}");
    }
}

// -------------------------------------------------------------------------------------------------
// 5. Faults on writes.
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_lost_write_is_applied_although_the_answer_is_an_error() {
    let api = Api::new(config()).await;
    let u = api.plain_member(&[]);
    let pos = api.stream_end().await;

    api.sim.set_faults("lost_write=1".parse().unwrap());
    assert_error(&api.downgrade(u.id, "CONTRIBUTOR").await, 500, 4004);
    // Reads are not touched by a write fault, and they show the write.
    let reads = api.reads(u.id, &u.email).await;
    assert_eq!(reads.get.0, StatusCode::OK);
    assert_eq!(reads.plan_seat(), "CONTRIBUTOR");
    assert_eq!(reads.with_plan.as_ref().unwrap()["seatType"], "CONTRIBUTOR");
    let (new, pos) = api.events_after(&pos).await;
    assert_eq!(new.len(), 1, "the applied write is in the stream");
    assert_eq!(new[0]["additionalDetails"]["seatType"], "CONTRIBUTOR");
    // A refused write changed nothing, so its refusal is answered.
    assert_error(&api.downgrade(u.id, "GUEST").await, 400, 1018);

    api.sim.set_faults("drop_after_write=1".parse().unwrap());
    let url = format!("{}/users/{}/plans/{}/upgrade", api.sim.base_url(), u.id, api.plan());
    let dropped =
        api.http.post(&url).bearer_auth(&api.admin).json(&json!({"seatType": "MEMBER"})).send().await;
    assert!(dropped.is_err(), "no answer: {dropped:?}");
    assert_eq!(api.get("/users/me").await.0, StatusCode::OK, "reads are answered");
    assert_eq!(api.reads(u.id, &u.email).await.plan_seat(), "MEMBER", "the write was applied");
    let (new, _) = api.events_after(&pos).await;
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["additionalDetails"]["seatType"], "MEMBER");
}

#[tokio::test]
async fn faults_before_the_handler_leave_a_write_unapplied() {
    let api = Api::new(config()).await;
    let u = api.plain_member(&[]);
    for spec in ["429=1", "storm=3/3", "503=1", "500=1", "4002=1", "drop=1"] {
        let before = api.reads(u.id, &u.email).await;
        let pos = api.stream_end().await;
        api.sim.set_faults(spec.parse().unwrap());
        let url = format!("{}/users/{}/plans/{}/downgrade", api.sim.base_url(), u.id, api.plan());
        let sent = api
            .http
            .post(&url)
            .bearer_auth(&api.admin)
            .json(&json!({"seatType": "CONTRIBUTOR"}))
            .send()
            .await;
        api.sim.set_faults(FaultSpec::none());
        match spec {
            "drop=1" => assert!(sent.is_err(), "{spec}: {sent:?}"),
            _ => {
                let resp = sent.unwrap();
                let status = resp.status().as_u16();
                let body: Value = resp.json().await.unwrap();
                let (want_status, want_code) = match spec {
                    "429=1" | "storm=3/3" => (429, 4003),
                    "503=1" => (503, 4001),
                    "500=1" => (500, 4004),
                    _ => (500, 4002),
                };
                assert_eq!((status, &body["errorCode"]), (want_status, &json!(want_code)), "{spec}: {body}");
            }
        }
        assert_eq!(api.reads(u.id, &u.email).await, before, "{spec}: the write was applied");
        assert_eq!(api.events_after(&pos).await.0, Vec::<Value>::new(), "{spec}: an event was recorded");
    }

    // Latency delays a write as it delays a read; the write is then applied.
    api.sim.set_faults("latency=300ms".parse().unwrap());
    let started = Instant::now();
    assert_success(&api.downgrade(u.id, "CONTRIBUTOR").await);
    let write_took = started.elapsed();
    let started = Instant::now();
    assert_eq!(api.get("/users/me").await.0, StatusCode::OK);
    let read_took = started.elapsed();
    api.sim.set_faults(FaultSpec::none());
    assert!(write_took >= StdDuration::from_millis(300), "{write_took:?}");
    assert!(read_took >= StdDuration::from_millis(300), "{read_took:?}");
    assert_eq!(api.reads(u.id, &u.email).await.plan_seat(), "CONTRIBUTOR");
}

#[tokio::test]
async fn the_rate_limit_answers_a_write_before_it_is_applied() {
    let api = Api::new(SimConfig { rate_limit: RateLimit::PerMinute(1), ..config() }).await;
    let u = api.plain_member(&[]);
    let events = || api.sim.sim().log.read().visible().len();
    let before = events();
    assert_eq!(api.get("/serverinfo").await.0, StatusCode::OK, "no token, no bucket");
    assert_eq!(api.get("/users/me").await.0, StatusCode::OK, "the only request of this minute");
    let got = api.downgrade(u.id, "CONTRIBUTOR").await;
    assert_error(&got, 429, 4003);
    // Behind the API (every read would be rate-limited too): nothing changed, nothing recorded.
    let org = api.sim.sim().org.read();
    let now_user = &org.users[org.by_id[&u.id]];
    assert_eq!((now_user.seat, now_user.seat_changed_at), (Seat::Member, u.seat_changed_at));
    drop(org);
    assert_eq!(events(), before);
}
