//! The simulator against Smartsheet's documented behaviour, over raw HTTP (see
//! shared/smartsheet-api.md §9, the fidelity checklist).

use chrono::{DateTime, Duration, Utc};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use smartsheet_sim::{spawn, ControlAccess, FaultSpec, RateLimit, Region, SimConfig, SimHandle};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap().to_utc()
}

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
}

impl Api {
    async fn new(config: SimConfig) -> Api {
        Api { sim: spawn(config).await.unwrap(), http: Client::new() }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.sim.base_url()));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}")))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, Some(&self.sim.tokens().admin.clone()), None).await
    }

    async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, Some(token), None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(&self.sim.tokens().admin.clone()), Some(body)).await
    }

    fn admin(&self) -> String {
        self.sim.tokens().admin.clone()
    }
}

fn assert_error(got: &(StatusCode, Value), status: u16, code: i64) {
    assert_eq!(got.0.as_u16(), status, "{}", got.1);
    assert_eq!(got.1["errorCode"], code, "{}", got.1);
    assert!(got.1["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", got.1);
    assert!(got.1["refId"].as_str().is_some_and(|r| !r.is_empty()), "{}", got.1);
}

async fn plan_id(api: &Api) -> i64 {
    let me = api.get("/users/me").await.1;
    let plans = api.get(&format!("/users/{}/plans", me["id"])).await.1;
    plans["data"][0]["planId"].as_i64().expect("the admin is on the plan")
}

#[tokio::test]
async fn authentication_errors_have_smartsheet_codes() {
    let api = Api::new(config()).await;
    let t = api.sim.tokens().clone();
    assert_error(&api.call(reqwest::Method::GET, "/users/me", None, None).await, 401, 1001);
    assert_error(&api.get_as("not-a-token", "/users/me").await, 401, 1002);
    assert_error(&api.get_as(&t.expired, "/users/me").await, 401, 1003);
    // A token of another region is refused as invalid, as Smartsheet does.
    let eu = smartsheet_sim::Tokens::for_region(11, Region::Eu);
    assert_error(&api.get_as(&eu.admin, "/users/me").await, 401, 1002);
    // /serverinfo needs no token at all.
    assert_eq!(api.call(reqwest::Method::GET, "/serverinfo", None, None).await.0, StatusCode::OK);
    assert_error(&api.get("/no/such/thing").await, 404, 1006);
    assert_error(&api.call(reqwest::Method::PATCH, "/users", Some(&t.admin), None).await, 405, 1122);
}

#[tokio::test]
async fn base_url_with_or_without_trailing_slash() {
    let api = Api::new(config()).await;
    let with_slash = format!("{}/", api.sim.base_url());
    for url in [format!("{with_slash}users/me"), format!("{with_slash}/users/me/")] {
        let resp = api.http.get(&url).bearer_auth(api.admin()).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
    }
}

#[tokio::test]
async fn list_users_paging_and_last_page_on_overflow() {
    let api = Api::new(config()).await;
    let (status, first) = api.get("/users?page=1&pageSize=100").await;
    assert_eq!(status, StatusCode::OK);
    let total = first["totalCount"].as_u64().unwrap();
    assert_eq!(first["totalPages"].as_u64().unwrap(), total.div_ceil(100));
    assert_eq!(first["pageSize"], 100);
    assert_eq!(first["data"].as_array().unwrap().len(), 100);
    let last = api.get(&format!("/users?page={}&pageSize=100", first["totalPages"])).await.1;
    let past = api.get("/users?page=999&pageSize=100").await.1;
    assert_eq!(past["pageNumber"], first["totalPages"], "a page past the end returns the last page");
    assert_eq!(past["data"], last["data"]);
    let all = api.get("/users?includeAll=True").await.1;
    assert!(all.get("pageSize").is_none(), "includeAll answers carry no pageSize");
    assert_eq!(all["data"].as_array().unwrap().len() as u64, total);
    assert_error(&api.get("/users?pageSize=0").await, 400, 1018);
    assert_error(&api.get("/users?includeAll=maybe").await, 400, 1018);
}

#[tokio::test]
async fn last_login_only_for_admins_on_small_pages_and_only_if_ever_logged_in() {
    let api = Api::new(config()).await;
    let page = api.get("/users?include=lastLogin&pageSize=100").await.1;
    let users = page["data"].as_array().unwrap();
    let with = users.iter().filter(|u| u.get("lastLogin").is_some()).count();
    assert!(with > 0 && with < users.len(), "{with} of {} have lastLogin", users.len());
    let all = api.get("/users?include=lastLogin&includeAll=true").await.1;
    assert!(all["data"].as_array().unwrap().len() > 100);
    assert!(
        all["data"].as_array().unwrap().iter().all(|u| u.get("lastLogin").is_none()),
        "omitted on pages over 100"
    );
    let member = api.sim.tokens().member.clone();
    let seen = api.get_as(&member, "/users?include=lastLogin&pageSize=50").await.1;
    for u in seen["data"].as_array().unwrap() {
        for hidden in
            ["lastLogin", "admin", "status", "licensedSheetCreator", "isInternal", "seatType", "sheetCount"]
        {
            assert!(u.get(hidden).is_none(), "{hidden} shown to a non-admin: {u}");
        }
        assert!(u.get("email").is_some());
    }
}

#[tokio::test]
async fn seats_with_plan_id_and_the_contributor_rename() {
    let api = Api::new(config()).await;
    let plan = plan_id(&api).await;
    let page = api.get(&format!("/users?planId={plan}&includeAll=true")).await.1;
    let seats: Vec<&str> =
        page["data"].as_array().unwrap().iter().map(|u| u["seatType"].as_str().unwrap()).collect();
    for seat in ["MEMBER", "CONTRIBUTOR", "GUEST", "PROVISIONAL_MEMBER"] {
        assert!(seats.contains(&seat), "no {seat} seat in {seats:?}");
    }
    assert!(!seats.contains(&"VIEWER"), "VIEWER is retired after 2026-10-30");
    let without_plan = api.get("/users?pageSize=5").await.1;
    assert!(without_plan["data"][0].get("seatType").is_none(), "seat fields need planId or seatType");
    let members = api.get(&format!("/users?planId={plan}&seatType=MEMBER&includeAll=true")).await.1;
    assert!(members["data"].as_array().unwrap().iter().all(|u| u["seatType"] == "MEMBER"));
    assert_error(&api.get("/users?seatType=VIEWER").await, 400, 1018);

    // Before the sunset, VIEWER is shown unless the caller asks for CONTRIBUTOR.
    let before = Api::new(SimConfig { now: now() - Duration::days(60), ..config() }).await;
    let plan = plan_id(&before).await;
    let shown = |v: &Value| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["seatType"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let old = shown(&before.get(&format!("/users?planId={plan}&includeAll=true")).await.1);
    let new = shown(
        &before.get(&format!("/users?planId={plan}&includeAll=true&displayContributorSeatType=TRUE")).await.1,
    );
    assert!(old.iter().any(|s| s == "VIEWER") && !old.iter().any(|s| s == "CONTRIBUTOR"));
    assert!(new.iter().any(|s| s == "CONTRIBUTOR") && !new.iter().any(|s| s == "VIEWER"));
}

#[tokio::test]
async fn downgrade_and_upgrade_change_the_seat_and_are_idempotent() {
    let api = Api::new(config()).await;
    let plan = plan_id(&api).await;
    let all = api.get(&format!("/users?planId={plan}&includeAll=true")).await.1;
    let users = all["data"].as_array().unwrap();
    let member = users
        .iter()
        .find(|u| u["seatType"] == "MEMBER" && u["isInternal"] == true && u["admin"] == false)
        .unwrap();
    let guest = users.iter().find(|u| u["seatType"] == "GUEST").unwrap();
    let id = &member["id"];

    let ok = api
        .post(&format!("/users/{id}/plans/{plan}/downgrade"), serde_json::json!({"seatType": "CONTRIBUTOR"}))
        .await;
    assert_eq!(ok, (StatusCode::OK, serde_json::json!({"message": "SUCCESS", "resultCode": 0})));
    let again = api
        .post(&format!("/users/{id}/plans/{plan}/downgrade"), serde_json::json!({"seatType": "CONTRIBUTOR"}))
        .await;
    assert_eq!(again.0, StatusCode::OK, "downgrading to the current seat is 200");
    let email = member["email"].as_str().unwrap();
    let read = api.get(&format!("/users?planId={plan}&email={email}")).await.1;
    assert_eq!(read["data"][0]["seatType"], "CONTRIBUTOR");

    assert_error(
        &api.post(&format!("/users/{id}/plans/{plan}/downgrade"), serde_json::json!({"seatType": "GUEST"}))
            .await,
        400,
        1018,
    );
    assert_error(
        &api.post(&format!("/users/{id}/plans/{plan}/downgrade"), serde_json::json!({"seatType": "VIEWER"}))
            .await,
        400,
        1018,
    );
    assert_error(
        &api.post(&format!("/users/{id}/plans/{plan}/downgrade"), serde_json::json!({})).await,
        400,
        1012,
    );
    let garbled = api
        .http
        .post(format!("{}/users/{id}/plans/{plan}/downgrade", api.sim.base_url()))
        .bearer_auth(api.admin())
        .header("content-type", "application/json")
        .body("{seatType")
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
    assert_eq!(garbled.json::<Value>().await.unwrap()["errorCode"], 1008);
    assert_error(
        &api.post(&format!("/users/{id}/plans/1/downgrade"), serde_json::json!({"seatType": "CONTRIBUTOR"}))
            .await,
        404,
        1006,
    );
    assert_error(
        &api.post(
            &format!("/users/42/plans/{plan}/downgrade"),
            serde_json::json!({"seatType": "CONTRIBUTOR"}),
        )
        .await,
        404,
        1020,
    );

    let up = api
        .post(&format!("/users/{id}/plans/{plan}/upgrade"), serde_json::json!({"seatType": "MEMBER"}))
        .await;
    assert_eq!(up.0, StatusCode::OK);
    let read = api.get(&format!("/users?planId={plan}&email={email}")).await.1;
    assert_eq!(read["data"][0]["seatType"], "MEMBER");
    let gid = &guest["id"];
    assert_eq!(
        api.post(&format!("/users/{gid}/plans/{plan}/downgrade"), serde_json::json!({"seatType": "GUEST"}))
            .await
            .0,
        StatusCode::OK
    );

    let member_token = api.sim.tokens().member.clone();
    let denied = api
        .call(
            reqwest::Method::POST,
            &format!("/users/{id}/plans/{plan}/downgrade"),
            Some(&member_token),
            Some(serde_json::json!({"seatType": "CONTRIBUTOR"})),
        )
        .await;
    assert_error(&denied, 403, 1004);
}

#[tokio::test]
async fn legacy_licence_is_cleared_with_put() {
    let api = Api::new(SimConfig { legacy: true, ..config() }).await;
    let all = api.get("/users?includeAll=true").await.1;
    let users = all["data"].as_array().unwrap();
    assert!(users.iter().all(|u| u.get("seatType").is_none()));
    let licensed = users
        .iter()
        .find(|u| {
            u["licensedSheetCreator"] == true
                && u["admin"] == false
                && u["groupAdmin"] == false
                && u["resourceViewer"] == false
                && u["status"] == "ACTIVE"
        })
        .unwrap();
    let id = &licensed["id"];
    let (status, body) = api
        .call(
            reqwest::Method::PUT,
            &format!("/users/{id}"),
            Some(&api.admin()),
            Some(serde_json::json!({"licensedSheetCreator": false, "admin": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["licensedSheetCreator"], false);
    let read = api.get(&format!("/users/{id}")).await.1;
    assert_eq!(read["licensedSheetCreator"], false);
    let me = api.get("/users/me").await.1;
    let refused = api
        .call(
            reqwest::Method::PUT,
            &format!("/users/{}", me["id"]),
            Some(&api.admin()),
            Some(serde_json::json!({"admin": false})),
        )
        .await;
    assert_error(&refused, 403, 1049);
    assert_error(&api.get(&format!("/users/{id}/plans/1/downgrade")).await, 405, 1122);
}

#[tokio::test]
async fn deactivate_reactivate_and_remove_follow_smartsheets_rules() {
    let api = Api::new(config()).await;
    let all = api.get("/users?includeAll=true").await.1;
    let users = all["data"].as_array().unwrap();
    let me = api.get("/users/me").await.1;
    let target = users
        .iter()
        .find(|u| u["status"] == "ACTIVE" && u["admin"] == false && u["id"] != me["id"])
        .map(|u| u["id"].clone())
        .unwrap();
    let mut deactivated = false;
    // Some users are directory-managed (400/5697) or on an ISP domain (403/1359): find one that is
    // neither.
    for u in
        users.iter().filter(|u| u["status"] == "ACTIVE" && u["admin"] == false && u["isInternal"] == true)
    {
        let (status, body) = api.post(&format!("/users/{}/deactivate", u["id"]), Value::Null).await;
        if status == StatusCode::OK {
            let read = api.get(&format!("/users/{}", u["id"])).await.1;
            assert_eq!(read["status"], "DEACTIVATED");
            assert_eq!(
                api.post(&format!("/users/{}/reactivate", u["id"]), Value::Null).await.0,
                StatusCode::OK
            );
            assert_eq!(api.get(&format!("/users/{}", u["id"])).await.1["status"], "ACTIVE");
            deactivated = true;
            break;
        }
        assert!(body["errorCode"] == 5697 || body["errorCode"] == 1359, "{body}");
    }
    assert!(deactivated);
    assert_error(&api.post(&format!("/users/{}/deactivate", me["id"]), Value::Null).await, 403, 1336);
    let external = users.iter().find(|u| u["isInternal"] == false);
    assert!(external.is_none(), "outside collaborators are listed only with planId");
    assert_error(
        &api.call(reqwest::Method::DELETE, &format!("/users/{}", me["id"]), Some(&api.admin()), None).await,
        403,
        1004,
    );
    let (status, _) = api
        .call(
            reqwest::Method::DELETE,
            &format!("/users/{target}?transferSheets=False&removeFromSharing=False"),
            Some(&api.admin()),
            None,
        )
        .await;
    if status == StatusCode::OK {
        let listed = api.get("/users?includeAll=true").await.1;
        assert!(
            listed["data"].as_array().unwrap().iter().all(|u| u["id"] != target),
            "removed users leave the organization"
        );
    }
    assert_error(&api.call(reqwest::Method::DELETE, "/users/42", Some(&api.admin()), None).await, 404, 1020);
}

#[tokio::test]
async fn events_stream_rules() {
    let api =
        Api::new(SimConfig { control: ControlAccess::Secret("fidelity-control".into()), ..config() }).await;
    let since = (now() - Duration::days(3)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_error(&api.get("/events").await, 400, 1009);
    let first = api.get(&format!("/events?since={since}&maxCount=50")).await.1;
    let pos = first["nextStreamPosition"].as_str().unwrap().to_owned();
    assert_error(&api.get(&format!("/events?since={since}&streamPosition={pos}")).await, 400, 1018);
    assert_error(&api.get(&format!("/events?streamPosition={pos}x")).await, 400, 1018);
    assert_error(&api.get("/events?since=2026-11-01T00:00:00Z&maxCount=0").await, 400, 1018);
    assert_error(&api.get("/events?since=2026-11-01T00:00:00Z&maxCount=10001").await, 400, 1018);
    assert_error(&api.get("/events?since=2020-01-01T00:00:00Z").await, 400, 1018);
    assert_error(&api.get("/events?since=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z").await, 400, 1018);
    let empty = api.get("/events?since=2026-11-20T10:10:00Z&to=2026-11-20T09:50:00Z").await.1;
    assert_eq!(empty["data"], serde_json::json!([]), "to == since after rounding to the hour");

    // Walk the stream: every event once, in time order, until moreAvailable is false.
    let mut page = first;
    let mut seen = std::collections::HashSet::new();
    let mut last = String::new();
    let mut pages = 1;
    loop {
        for e in page["data"].as_array().unwrap() {
            assert!(seen.insert(e["eventId"].as_str().unwrap().to_owned()), "event served twice");
            let t = e["eventTimestamp"].as_str().unwrap().to_owned();
            assert!(t >= last, "{t} after {last}");
            last = t;
            if e["objectId"] != -1 {
                assert_eq!(e["objectIdStr"].as_str().unwrap(), e["objectId"].to_string());
            }
            assert!(e["additionalDetails"]["emailAddress"].is_string());
        }
        if page["moreAvailable"] == false {
            break;
        }
        page = api
            .get(&format!(
                "/events?streamPosition={}&maxCount=50",
                page["nextStreamPosition"].as_str().unwrap()
            ))
            .await
            .1;
        pages += 1;
    }
    assert!(seen.len() > 150 && pages > 3, "{} events on {pages} pages in three days", seen.len());
    let caught_up =
        api.get(&format!("/events?streamPosition={}", page["nextStreamPosition"].as_str().unwrap())).await.1;
    assert_eq!(
        (caught_up["data"].as_array().unwrap().len(), &caught_up["moreAvailable"]),
        (0, &Value::Bool(false))
    );

    // The clock moves on: new events appear at the caught-up position.
    let advanced = api
        .http
        .post(format!("http://{}/__sim/clock/advance?hours=24", api.sim.addr()))
        .header("X-Sim-Control-Secret", api.sim.control_secret().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), StatusCode::OK);
    let newer = api
        .get(&format!(
            "/events?streamPosition={}&maxCount=10000",
            page["nextStreamPosition"].as_str().unwrap()
        ))
        .await
        .1;
    let fresh = newer["data"].as_array().unwrap();
    assert!(!fresh.is_empty());
    assert!(fresh.iter().all(|e| e["eventTimestamp"].as_str().unwrap() >= "2026-11-29"));

    let numeric = api.get("/events?since=1795824000000&numericDates=true&maxCount=1").await.1;
    assert!(numeric["data"][0]["eventTimestamp"].is_i64());
    let system = api.get(&format!("/events?since={since}&maxCount=10000")).await.1;
    assert!(
        system["data"].as_array().unwrap().iter().any(|e| e["userId"] == 3_940_654_876_256_132_i64),
        "automation system user"
    );
}

#[tokio::test]
async fn events_need_a_system_admin_and_the_add_on() {
    let api = Api::new(config()).await;
    let t = api.sim.tokens().clone();
    assert_error(&api.get_as(&t.member, "/events?since=2026-11-28T00:00:00Z").await, 403, 1004);
    assert_error(
        &api.get_as(&t.admin_no_event_reporting, "/events?since=2026-11-28T00:00:00Z").await,
        403,
        1004,
    );
    let no_addon = Api::new(SimConfig { event_reporting: false, ..config() }).await;
    assert_error(&no_addon.get("/events?since=2026-11-28T00:00:00Z").await, 403, 1004);
}

#[tokio::test]
async fn events_are_gzipped_when_asked() {
    let api = Api::new(config()).await;
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |query: &str, gzip: bool| {
        let mut request = raw.get(format!("{}/events?{query}", api.sim.base_url())).bearer_auth(api.admin());
        if gzip {
            request = request.header("accept-encoding", "gzip");
        }
        request.send()
    };
    // A page of several pieces (compressed apart, pigz-style), one of a single piece, and an
    // empty one: each inflates to exactly the plain answer.
    for query in [
        "since=2026-11-01T00:00:00Z&maxCount=1500",
        "since=2026-11-27T00:00:00Z&maxCount=7",
        "since=2026-11-29T00:00:00Z",
    ] {
        let zipped = get(query, true).await.unwrap();
        assert_eq!(zipped.headers()["content-encoding"], "gzip", "{query}");
        let zipped = zipped.bytes().await.unwrap();
        let plain = get(query, false).await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{query}");
        let plain = plain.bytes().await.unwrap();
        let mut inflated = Vec::new();
        // A single-member decoder: the pieces must form one gzip stream, CRC and size checked.
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut inflated).unwrap();
        assert_eq!(inflated, plain, "{query}");
        let page: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        assert!(page["data"].is_array(), "{query}");
    }
    let several: serde_json::Value = serde_json::from_slice(
        &get("since=2026-11-01T00:00:00Z&maxCount=1500", false).await.unwrap().bytes().await.unwrap(),
    )
    .unwrap();
    assert_eq!(several["data"].as_array().unwrap().len(), 1500, "the first query spans two pieces");
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let api = Api::new(SimConfig { rate_limit: RateLimit::PerMinute(5), ..config() }).await;
    let mut codes = Vec::new();
    for _ in 0..8 {
        let resp = api
            .http
            .get(format!("{}/users/me", api.sim.base_url()))
            .bearer_auth(api.admin())
            .send()
            .await
            .unwrap();
        let retry_after = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        if status == 429 {
            assert_eq!(body["errorCode"], 4003);
            assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
        }
        codes.push(status);
    }
    assert_eq!(codes, [200, 200, 200, 200, 200, 429, 429, 429]);
    // Another token has its own bucket.
    let member = api.sim.tokens().member.clone();
    assert_eq!(api.get_as(&member, "/users/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn injected_faults() {
    let api = Api::new(config()).await;
    for (spec, status, code) in [
        ("500=1", 500, 4004),
        ("503=1", 503, 4001),
        ("4000=1", 500, 4000),
        ("4002=1", 500, 4002),
        ("429=1", 429, 4003),
        ("storm=10/10", 429, 4003),
    ] {
        api.sim.set_faults(spec.parse().unwrap());
        assert_error(&api.get("/users/me").await, status, code);
    }
    api.sim.set_faults("drop=1".parse().unwrap());
    assert!(api
        .http
        .get(format!("{}/users/me", api.sim.base_url()))
        .bearer_auth(api.admin())
        .send()
        .await
        .is_err());
    api.sim.set_faults("truncate=1".parse().unwrap());
    let cut = api
        .http
        .get(format!("{}/users?includeAll=true", api.sim.base_url()))
        .bearer_auth(api.admin())
        .send()
        .await;
    assert!(
        cut.is_err() || cut.unwrap().bytes().await.is_err(),
        "a truncated body must not read as complete"
    );
    api.sim.set_faults(FaultSpec::none());
    assert_eq!(api.get("/users/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn same_seed_same_bytes() {
    async fn transcript(seed: u64) -> Vec<u8> {
        let sim = spawn(SimConfig { seed, ..config() }).await.unwrap();
        let http = Client::new();
        let admin = sim.tokens().admin.clone();
        let mut out = Vec::new();
        let me: Value = http
            .get(format!("{}/users/me", sim.base_url()))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/users/me".to_owned(),
            "/users?include=lastLogin&page=2&pageSize=50".to_owned(),
            format!("/users/{}/plans?include=planName", me["id"]),
            "/events?since=2026-11-25T00:00:00Z&maxCount=300".to_owned(),
            "/users/123".to_owned(),
        ] {
            let resp =
                http.get(format!("{}{path}", sim.base_url())).bearer_auth(&admin).send().await.unwrap();
            out.extend_from_slice(&resp.bytes().await.unwrap());
        }
        out
    }
    let a = transcript(5).await;
    assert_eq!(a, transcript(5).await);
    assert_ne!(a, transcript(6).await);
}

/// The `Date` header is the simulated clock, advanced or not.
#[tokio::test]
async fn the_date_header_is_the_simulated_clock() {
    let api = Api::new(config()).await;
    let date = |response: &reqwest::Response| {
        let text = response.headers()["date"].to_str().unwrap().to_owned();
        DateTime::parse_from_rfc2822(&text.replace("GMT", "+0000")).unwrap().to_utc()
    };
    let url = format!("{}/serverinfo", api.sim.base_url());
    let first = api.http.get(&url).send().await.unwrap();
    assert_eq!(date(&first), now());
    api.sim.sim().advance(Duration::days(3));
    let later = api.http.get(&url).send().await.unwrap();
    assert_eq!(date(&later), now() + Duration::days(3));
}
