//! Smartsheet's official SDK contract mappings (vendored under tests/fixtures/smartsheet-contract),
//! replayed against the client: each mapping's response is served from a loopback server, the
//! matching client method is called, the request must satisfy the mapping's request matchers, and
//! the answer must parse into the typed model without losing a value.

use seatkeeper_testsupport as support;

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Timelike, Utc};
use seatkeeper_core::smartsheet::{
    Action, DowngradeSeat, Event, EventSource, EventsRequest, EventsStart, ListUsersQuery, ObjectType,
    RemoveUserOptions, SeatType, SmartsheetError, UpgradeSeat, User, UserPlansQuery, UserUpdate, WriteResult,
};
use serde::Serialize;
use serde_json::{json, Value};
use support::{Reply, Seen, Stub};

const MAPPINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/smartsheet-contract/mappings");
const USER_ID: i64 = 12_345_678;
const PLAN_ID: i64 = 1_234_567_890_123_456;
const BIG_ID: i64 = 9_876_543_210_987_654; // > 2^53: lossy as f64

struct Mapping {
    /// Path below `mappings/`, for messages.
    name: String,
    /// `errors`, or the endpoint folder (`list-users`, …).
    endpoint: String,
    request: Value,
    status: u16,
    body: Value,
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn load_mappings() -> Vec<Mapping> {
    let root = Path::new(MAPPINGS);
    let mut files = Vec::new();
    for group in ["users", "events", "errors"] {
        collect(&root.join(group), &mut files);
    }
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let raw: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let parts: Vec<&str> = name.split('/').collect();
            let endpoint = if parts[0] == "errors" { "errors" } else { parts[1] }.to_owned();
            Mapping {
                name,
                endpoint,
                request: raw["request"].clone(),
                status: raw["response"]["status"].as_u64().unwrap() as u16,
                body: raw["response"]["jsonBody"].clone(),
            }
        })
        .collect()
}

fn ts(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// Contract fields Seatkeeper deliberately does not model; any other field must be captured.
const NOT_MODELLED: &[&str] = &[
    // UserProfile: integration flags, phone numbers and `include=groups` data.
    "jiraAdmin",
    "salesforceAdmin",
    "salesforceUser",
    "workPhone",
    "mobilePhone",
    "data",
    // The mock-only `GET /events/{id}` extras.
    "objectName",
    "userName",
    "userEmail",
    "requestUserName",
    "requestUserEmail",
    "clientName",
];

/// Every value the typed model captured equals the raw JSON, and every raw field was captured
/// (or is listed in `NOT_MODELLED`). Timestamps compare as instants.
fn assert_lossless(parsed: &Value, raw: &Value, path: &str) {
    match (parsed, raw) {
        (Value::Object(p), Value::Object(r)) => {
            for (key, value) in p {
                let here = format!("{path}.{key}");
                match r.get(key) {
                    Some(raw_value) => assert_lossless(value, raw_value, &here),
                    None => assert!(is_empty(value), "{here}: invented {value}"),
                }
            }
            for (key, raw_value) in r {
                match p.get(key) {
                    Some(value) => assert!(
                        raw_value.is_null() || !value.is_null(),
                        "{path}.{key}: {raw_value} was dropped"
                    ),
                    None => assert!(NOT_MODELLED.contains(&key.as_str()), "{path}.{key}: not modelled"),
                }
            }
        }
        (Value::Array(p), Value::Array(r)) => {
            assert_eq!(p.len(), r.len(), "{path}: length");
            for (i, (pv, rv)) in p.iter().zip(r).enumerate() {
                assert_lossless(pv, rv, &format!("{path}[{i}]"));
            }
        }
        (Value::String(p), Value::String(r)) if p != r => {
            let instant = |t: &str| DateTime::parse_from_rfc3339(t).ok();
            assert!(instant(p).is_some() && instant(p) == instant(r), "{path}: {p} != {r}");
        }
        _ => assert_eq!(parsed, raw, "{path}"),
    }
}

/// What a model holds for a field the raw JSON lacks: null, `[]`, or an object of such.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(is_empty),
        _ => false,
    }
}

fn lossless<T: Serialize>(parsed: &T, raw: &Value, name: &str) {
    assert_lossless(&serde_json::to_value(parsed).unwrap(), raw, name);
}

fn query_matcher(request: &Value, name: &str) -> Option<String> {
    request["queryParameters"][name]["equalTo"].as_str().map(str::to_owned)
}

/// The request the client sent satisfies the mapping's matchers.
fn assert_request_matches(m: &Mapping, seen: &Seen) {
    let req = &m.request;
    if let Some(method) = req["method"].as_str() {
        assert_eq!(seen.method, method, "{}: method", m.name);
    }
    let path = req["urlPathTemplate"]
        .as_str()
        .map(|t| t.replace("{userId}", &USER_ID.to_string()).replace("{planId}", &PLAN_ID.to_string()))
        .or_else(|| req["urlPathPattern"].as_str().filter(|p| *p != ".*").map(str::to_owned));
    if let Some(path) = path {
        assert_eq!(seen.path, path, "{}: path", m.name);
    }
    let auth = req["headers"]["Authorization"]["matches"].as_str().unwrap();
    assert_eq!(auth, "Bearer .*");
    assert_eq!(seen.header("authorization"), Some(format!("Bearer {}", support::TOKEN).as_str()));
    if let Some(params) = req["queryParameters"].as_object() {
        for (name, matcher) in params {
            let expected = matcher["equalTo"].as_str().unwrap();
            let sent = seen.query(name).unwrap_or_else(|| panic!("{}: query {name} missing", m.name));
            // WireMock matches exact case; Smartsheet (and the mappings' older versions) accept `true`.
            assert!(sent.eq_ignore_ascii_case(expected), "{}: {name}={sent}, expected {expected}", m.name);
        }
    }
    for pattern in req["bodyPatterns"].as_array().into_iter().flatten() {
        let expected: Value = serde_json::from_str(pattern["equalToJson"].as_str().unwrap()).unwrap();
        assert_eq!(seen.json(), expected, "{}: body", m.name);
    }
}

/// Serves the mapping, calls the matching client method, checks the request, returns the parsed
/// model as JSON for the lossless check. Errors are checked here and return `None`.
async fn replay(m: &Mapping) -> Option<Value> {
    let stub = Stub::script(vec![Reply::json(m.status, m.body.clone())]).await;
    let client = stub.client();
    let all = m.name.contains("All Properties");
    let parsed = match m.endpoint.as_str() {
        "get-current-user" => {
            let me = client.current_user().await.unwrap();
            assert_eq!(me.id, USER_ID);
            assert_eq!(me.account.as_ref().unwrap().id, BIG_ID);
            assert!(me.is_system_admin());
            if all {
                assert_eq!(me.alternate_emails[0].id, BIG_ID);
                assert_eq!(me.last_login, Some(Utc.with_ymd_and_hms(2020, 10, 4, 18, 32, 47).unwrap()));
                assert_eq!(me.sheet_count, Some(-1));
            }
            serde_json::to_value(me)
        }
        "get-user" => {
            let user = client.get_user(USER_ID).await.unwrap();
            assert_eq!(user.account.as_ref().unwrap().id, BIG_ID);
            assert_eq!(user.admin, all.then_some(true), "admin-only fields are optional");
            serde_json::to_value(user)
        }
        "list-users" => {
            let query = ListUsersQuery {
                plan_id: Some(PLAN_ID),
                seat_type: query_matcher(&m.request, "seatType").map(SeatType::from),
                include_last_login: true,
                display_contributor_seat_type: query_matcher(&m.request, "displayContributorSeatType")
                    .map(|v| v.eq_ignore_ascii_case("true")),
                ..Default::default()
            };
            let page = client.list_users_page(&query, 1, 100).await.unwrap();
            assert_eq!(page.page_number, 1);
            assert_eq!(page.total_count, page.data.len() as u64);
            if all {
                let member = &page.data[0];
                assert_eq!(member.seat_type, Some(SeatType::Member));
                assert_eq!(member.seat_type_last_changed_at.unwrap().nanosecond(), 123_456_789);
                assert_eq!(member.provisional_expiration_date, Some(ts("2026-12-13T12:17:52.525696Z")));
                assert_eq!(page.data[1].seat_type, Some(SeatType::Contributor));
                assert_eq!(page.data[1].is_internal, Some(false));
            }
            if m.name.contains("Display Contributor False") {
                assert_eq!(page.data[0].seat_type, Some(SeatType::Viewer));
            }
            if m.name.contains("Seat Type Filter") {
                assert_eq!(page.data[0].plan_id, Some(125));
            }
            serde_json::to_value(page)
        }
        "list-user-plans" => {
            let query = UserPlansQuery {
                include_plan_name: true,
                display_contributor_seat_type: query_matcher(&m.request, "displayContributorSeatType")
                    .map(|v| v.eq_ignore_ascii_case("true")),
                max_items: None,
            };
            let page = client.list_user_plans_page(USER_ID, &query, None).await.unwrap();
            if all {
                assert_eq!(page.last_key.as_deref(), Some("12345678901234569"));
                assert_eq!(page.data[0].plan_name.as_deref(), Some("Acme Corporation"));
                assert_eq!(page.data[1].seat_type, SeatType::Contributor);
            }
            if m.name.contains("Required") {
                assert_eq!(page.last_key, None);
                assert_eq!(page.data[0].plan_id, PLAN_ID);
            }
            serde_json::to_value(page)
        }
        "list-events" => {
            let since = Utc.with_ymd_and_hms(2024, 5, 6, 9, 0, 0).unwrap();
            let request = EventsRequest::new(EventsStart::Since { since, to: None });
            let page = client.events_page(&request).await.unwrap();
            let seen = stub.seen();
            assert_eq!(seen[0].query("since"), Some("2024-05-06T09:00:00Z"));
            assert_eq!(page.more_available, page.next_stream_position.is_some());
            let workspace = &page.data[1];
            assert_eq!(workspace.object_type, ObjectType::Workspace);
            assert_eq!(workspace.object_id, Some(BIG_ID));
            assert_eq!(workspace.source, EventSource::ApiUndefinedApp);
            assert_eq!(workspace.event_timestamp, Utc.with_ymd_and_hms(2024, 5, 6, 9, 15, 0).unwrap());
            let attachment = &page.data[3];
            assert_eq!(
                (&attachment.object_type, &attachment.action),
                (&ObjectType::Attachment, &Action::Create)
            );
            assert_eq!(attachment.additional_details.email_address.as_deref(), Some("test@test.com"));
            assert_eq!(attachment.additional_details.other["attachmentName"], "picture.jpg");
            serde_json::to_value(page)
        }
        "update-user" => {
            let update =
                UserUpdate { admin: Some(false), licensed_sheet_creator: Some(false), ..Default::default() };
            let result = client.update_user(USER_ID, &update).await.unwrap();
            assert_eq!(stub.seen()[0].json(), json!({"admin": false, "licensedSheetCreator": false}));
            let users: Vec<User> = serde_json::from_value(result.data.clone().unwrap()).unwrap();
            assert_eq!(users[0].id, USER_ID);
            write_result(result)
        }
        "upgrade-user" => {
            write_result(client.upgrade_user(USER_ID, PLAN_ID, UpgradeSeat::Member).await.unwrap())
        }
        "downgrade-user" => {
            let seat = if m.request["bodyPatterns"].is_array() {
                DowngradeSeat::Contributor
            } else {
                DowngradeSeat::Viewer
            };
            write_result(client.downgrade_user(USER_ID, PLAN_ID, seat).await.unwrap())
        }
        "deactivate-user" => write_result(client.deactivate_user(USER_ID).await.unwrap()),
        "reactivate-user" => write_result(client.reactivate_user(USER_ID).await.unwrap()),
        "remove-user" => {
            write_result(client.remove_user(USER_ID, &RemoveUserOptions::default()).await.unwrap())
        }
        "remove-user-from-plan" => {
            write_result(client.remove_user_from_plan(USER_ID, PLAN_ID).await.unwrap())
        }
        "errors" => {
            check_error(m, client.current_user().await.unwrap_err());
            assert_eq!(stub.seen().len(), 1, "{}: errors from these mappings are never retried", m.name);
            return None;
        }
        other => panic!("{}: no client method for {other}", m.name),
    };
    let seen = stub.seen();
    assert_eq!(seen.len(), 1, "{}", m.name);
    assert_request_matches(m, &seen[0]);
    Some(parsed.unwrap())
}

fn write_result(result: WriteResult) -> serde_json::Result<Value> {
    assert_eq!((result.message.as_str(), result.result_code), ("SUCCESS", 0));
    serde_json::to_value(result)
}

fn check_error(m: &Mapping, err: SmartsheetError) {
    let code = m.body["errorCode"].as_i64().unwrap();
    let message = m.body["message"].as_str().unwrap();
    let ref_id = m.body["refId"].as_str().map(str::to_owned);
    assert_eq!(err.code(), Some(code), "{}", m.name);
    match (&err, m.status) {
        (SmartsheetError::BadRequest { status: 400, message: msg, ref_id: r, .. }, 400)
        | (SmartsheetError::Forbidden { message: msg, ref_id: r, .. }, 403)
        | (SmartsheetError::NotFound { message: msg, ref_id: r, .. }, 404) => {
            assert_eq!((msg.as_str(), r), (message, &ref_id), "{}", m.name);
        }
        (SmartsheetError::Server { status: 500, code: Some(4000), message: msg, ref_id: r }, 500) => {
            assert_eq!((msg.as_str(), r), (message, &ref_id), "{}", m.name);
            assert!(!err.is_retryable());
        }
        _ => panic!("{}: unexpected {err:?}", m.name),
    }
    let text = err.to_string();
    assert!(text.contains(&format!("error {code}")), "{text}");
    if let Some(r) = &ref_id {
        assert!(text.contains(&format!("Smartsheet reference: {r}")), "{text}");
    }
    assert!(!text.contains(support::TOKEN));
}

/// Mappings for calls Seatkeeper does not make: parse the bodies into the models directly.
fn parse_directly(m: &Mapping) -> Value {
    match m.endpoint.as_str() {
        "add-user" => {
            let user: User = serde_json::from_value(m.body["result"].clone()).unwrap();
            assert_eq!(user.id, USER_ID);
            if m.name.contains("All Properties") {
                assert_eq!(user.seat_type_last_changed_at.unwrap().nanosecond(), 123_456_789);
            }
            lossless(&user, &m.body["result"], &m.name);
            serde_json::to_value(serde_json::from_value::<WriteResult>(m.body.clone()).unwrap()).unwrap()
        }
        "add-profile-image" => {
            let result: WriteResult = serde_json::from_value(m.body.clone()).unwrap();
            let users: Vec<User> = serde_json::from_value(result.data.clone().unwrap()).unwrap();
            assert_eq!(users[0].profile_image.as_ref().unwrap().height, Some(1050));
            lossless(&users, &m.body["data"], &m.name);
            serde_json::to_value(result).unwrap()
        }
        "get-event" => {
            // Mock-only endpoint (`GET /events/{id}`), but the event shape is the list's.
            let event: Event = serde_json::from_value(m.body.clone()).unwrap();
            assert_eq!(event.event_id, "4b12345678901234");
            assert_eq!(event.event_timestamp, Utc.with_ymd_and_hms(2024, 5, 6, 10, 30, 0).unwrap());
            if m.name.contains("All Properties") {
                assert_eq!(event.additional_details.email_address, None);
                assert_eq!(event.additional_details.other["rowId"], json!(BIG_ID));
            } else {
                assert_eq!(event.request_user_id, None);
            }
            serde_json::to_value(event).unwrap()
        }
        other => panic!("{}: not a direct-parse mapping: {other}", m.name),
    }
}

#[tokio::test]
async fn every_contract_mapping_parses_into_the_typed_models() {
    let mappings = load_mappings();
    assert_eq!(mappings.len(), 34, "a vendored contract mapping is missing or extra");

    let mut exercised = 0;
    for m in &mappings {
        let parsed = match m.endpoint.as_str() {
            "add-user" | "add-profile-image" | "get-event" => Some(parse_directly(m)),
            _ => replay(m).await,
        };
        if let Some(parsed) = parsed {
            assert_eq!(m.status, 200, "{}", m.name);
            assert_lossless(&parsed, &m.body, &m.name);
        }
        exercised += 1;
    }
    assert_eq!(exercised, 34);
}

#[test]
fn the_vendored_fixtures_keep_their_notice() {
    let root = Path::new(MAPPINGS).parent().unwrap();
    let notice = std::fs::read_to_string(root.join("NOTICE")).unwrap();
    assert!(notice.contains("Apache License, Version 2.0"));
    assert!(root.join("SOURCE.md").is_file() && root.join("README.md").is_file());
}
