//! The commands over Tauri's IPC (mock runtime, the real config and capabilities): what the UI
//! receives on success and on error.

use seatkeeper_app::{with_commands, AppState, COMMANDS};
use seatkeeper_demo::DemoServer;
use std::sync::Arc;

use seatkeeper_app::events::TauriEvents;
use seatkeeper_core::{Db, JobEngine, KeyringStore, SystemClock};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn app() -> (tauri::App<tauri::test::MockRuntime>, tauri::WebviewWindow<tauri::test::MockRuntime>) {
    let app = with_commands(mock_builder()).build(tauri::generate_context!()).unwrap();
    let (_, log) = tracing_appender::non_blocking(std::io::sink());
    let db = tauri::async_runtime::block_on(Db::open_in_memory()).unwrap();
    let secrets = KeyringStore::new("com.seatkeeper.app.test");
    let engine = JobEngine::new(
        db.clone(),
        Arc::new(secrets.clone()),
        Arc::new(SystemClock),
        Arc::new(TauriEvents::new(app.handle().clone())),
    );
    app.manage(AppState { db, secrets, clock: SystemClock, demo: DemoServer::default(), engine, _log: log });
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, window)
}

#[test]
fn commands_answer_with_json() {
    let (_app, window) = app();
    let profiles = get_ipc_response(&window, request("list_profiles", json!({}))).unwrap();
    assert_eq!(profiles.deserialize::<Value>().unwrap(), json!([]));
    let presets = get_ipc_response(&window, request("connection_presets", json!({}))).unwrap();
    let presets = presets.deserialize::<Value>().unwrap();
    assert_eq!(presets[0]["url"], "https://api.smartsheet.com/2.0");
    assert_eq!(presets.as_array().unwrap().len(), 4);
}

#[test]
fn errors_cross_as_code_message_and_field() {
    let (_app, window) = app();
    let input = json!({
        "input": { "displayName": "  ", "downloadActivity": true, "analyzeActivityFrom": null, "reclaimSubscriptions": true },
        "connection": { "kind": "new", "name": "Main", "url": "https://api.smartsheet.com/2.0", "apiKey": "abcdefghijklmnopqrstuvwxyz1234" },
    });
    let err = get_ipc_response(&window, request("create_profile", input)).unwrap_err();
    assert_eq!(err["code"], "Validation");
    assert_eq!(err["field"], "displayName");
    assert!(err["message"].as_str().unwrap().contains("Display Name"), "{err}");
    assert!(!err.to_string().contains("abcdefghijklmnopqrstuvwxyz"));

    let err = get_ipc_response(&window, request("get_profile", json!({ "id": 42 }))).unwrap_err();
    assert_eq!(err["code"], "NotFound");
    assert_eq!(err.as_object().unwrap().len(), 3, "{err}");
}

#[test]
fn the_webview_can_call_nothing_but_our_commands() {
    let (_app, window) = app();
    for cmd in [
        "plugin:shell|execute",
        "plugin:fs|read_file",
        "plugin:http|fetch",
        // Registered for the failure notifications Rust shows; never granted to the webview.
        "plugin:notification|notify",
        "plugin:notification|request_permission",
        "plugin:notification|is_permission_granted",
        // The page listens to the app's events; it may not emit them (a job-finished of its own).
        "plugin:event|emit",
        "plugin:event|emit_to",
        // Of the opener, only open_url is granted (for mailto: links, see below).
        "plugin:opener|open_path",
        "plugin:opener|reveal_item_in_dir",
        "no_such_command",
    ] {
        let err = get_ipc_response(&window, request(cmd, json!({}))).expect_err(cmd);
        assert!(
            err.to_string().contains("not allowed") || err.to_string().contains("not found"),
            "{cmd}: {err}"
        );
    }
    // Listening is granted: a call may fail on its arguments, never as not allowed.
    for cmd in ["plugin:event|listen", "plugin:event|unlisten"] {
        if let Err(err) = get_ipc_response(&window, request(cmd, json!({}))) {
            assert!(!err.to_string().contains("not allowed"), "{cmd}: {err}");
        }
    }
}

/// The page may load nothing but the app's own files: no `<base>` to redirect relative URLs, no
/// form posted anywhere, no framing, no plugins.
///
/// `freezePrototype` was considered and is off: with `Object.prototype` frozen, dayjs (under
/// Mantine's date inputs) fails as it loads — `proto.toString = …` on its own prototype throws in
/// strict mode (the "override mistake") — and the window stays blank.
#[test]
fn the_content_security_policy_closes_what_the_app_does_not_use() {
    let config: Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    let security = &config["app"]["security"];
    let csp = security["csp"].as_str().expect("a CSP string");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for expected in [
        "default-src 'self'",
        "script-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(directives.contains(&expected), "{expected} missing from {csp}");
    }
}

/// Every command of the one list (src/commands/list.rs) is registered and granted: a call may fail
/// on its arguments, never as unknown or not allowed. (The UI's typed map is written from the same
/// list, and `npm test` checks it fresh.)
#[test]
fn every_command_is_registered_and_granted() {
    assert!(COMMANDS.len() >= 50, "{COMMANDS:?}");
    let (_app, window) = app();
    for cmd in COMMANDS {
        if let Err(err) = get_ipc_response(&window, request(cmd, json!({}))) {
            let text = err.to_string();
            assert!(!text.contains("not found") && !text.contains("not allowed"), "{cmd}: {text}");
        }
    }
}

#[test]
fn sync_and_exclusion_commands_answer_with_json() {
    let (_app, window) = app();
    let call = |cmd: &str, body: Value| get_ipc_response(&window, request(cmd, body));
    // An unknown profile: NotFound, as `{code, message, field}`.
    for cmd in ["list_job_results", "list_exclusion_rules"] {
        let err = call(cmd, json!({ "profileId": 7 })).unwrap_err();
        assert_eq!(err["code"], "NotFound", "{cmd}: {err}");
    }
    for cmd in ["list_models", "list_unrecognized_identifiers"] {
        let list = call(cmd, json!({ "profileId": 7 })).unwrap().deserialize::<Value>().unwrap();
        assert_eq!(list, json!([]), "{cmd}");
    }
    // The Software Subscriptions list is read in windows; filter, sort and direction have defaults.
    let page =
        call("list_subscriptions_page", json!({ "request": { "profileId": 7, "offset": 0, "limit": 200 } }))
            .unwrap()
            .deserialize::<Value>()
            .unwrap();
    assert_eq!(page, json!({ "rows": [], "total": 0, "offset": 0 }));
    let request = json!({ "profileId": 7, "offset": 400, "limit": 200, "sort": "lastActivity", "descending": true,
        "filter": { "search": "ann", "identifier": "MEMBER", "status": "ACTIVE", "internal": false,
                    "activitySource": "none", "excluded": true } });
    let page = call("list_subscriptions_page", json!({ "request": request })).unwrap().deserialize::<Value>();
    assert_eq!(page.unwrap(), json!({ "rows": [], "total": 0, "offset": 400 }));
    let err = call(
        "list_subscriptions_page",
        json!({ "request": { "profileId": 7, "offset": 0, "limit": 9, "sort": "salary" } }),
    )
    .unwrap_err();
    assert!(err.to_string().contains("salary"), "{err}");
    let facets =
        call("subscription_facets", json!({ "profileId": 7 })).unwrap().deserialize::<Value>().unwrap();
    assert_eq!(facets, json!({ "total": 0, "identifiers": [], "statuses": [] }));
    // A user's activity (the list's side panel): a subscription that is not the profile's.
    let err = call("user_activity_detail", json!({ "profileId": 7, "subscriptionId": 12 })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    assert!(err["message"].as_str().unwrap().contains("Subscription 12"), "{err}");
    let err = call("run_job", json!({ "jobId": 3 })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    let err = call("cancel_job", json!({ "jobId": 3 })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    let err = call("set_job_time_of_day", json!({ "jobId": 3, "timeOfDay": "02:30" })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    let err = call("set_job_time_of_day", json!({ "jobId": 3, "timeOfDay": "2.30" })).unwrap_err();
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("Validation"), Some("timeOfDay")),
        "{err}"
    );
    let err = call(
        "save_user_exclusion",
        json!({ "profileId": 7, "rule": { "id": null, "pattern": "not a domain", "active": true } }),
    )
    .unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("Validation"), Some("pattern")), "{err}");
    let err = call(
        "save_identifier_exclusion",
        json!({ "profileId": 7, "rule": { "identifier": "GUEST", "active": true } }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    let err = call("delete_exclusion_rule", json!({ "kind": "user", "id": 5 })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
}

#[test]
fn activity_settings_commands_validate_patterns_and_name_the_field() {
    let (_app, window) = app();
    let call = |cmd: &str, body: Value| get_ipc_response(&window, request(cmd, body));
    let err = call("get_activity_settings", json!({ "profileId": 7 })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    // The patterns are checked before anything else: a bad one is a Validation error on the field.
    for bad in ["SHEET LOAD", "", "SHEET:", "*:*"] {
        let err = call(
            "set_activity_settings",
            json!({ "profileId": 7, "excludedEventKinds": ["USER:LOGIN", bad] }),
        )
        .unwrap_err();
        assert_eq!(
            (err["code"].as_str(), err["field"].as_str()),
            (Some("Validation"), Some("excludedEventKinds")),
            "{bad:?}: {err}"
        );
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
    let err = call("set_activity_settings", json!({ "profileId": 7, "excludedEventKinds": ["SHEET:LOAD"] }))
        .unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
}

/// Notify user opens `mailto:` links through the opener plugin: the webview may open those and no
/// other URL, and only with the default program.
#[test]
fn the_webview_may_open_mailto_links_and_nothing_else() {
    let (_app, window) = app();
    for url in [
        "https://example.com/",
        "http://127.0.0.1:8080/",
        "file:///etc/passwd",
        "tel:+15550100",
        "javascript:alert(1)",
        "smb://server/share",
        " mailto:ann@example.com",
    ] {
        let err = get_ipc_response(&window, request("plugin:opener|open_url", json!({ "url": url })))
            .expect_err(url);
        assert!(err.to_string().contains("Not allowed to open url"), "{url}: {err}");
    }
    // A mailto: link with a program of the page's choosing is refused too.
    let err = get_ipc_response(
        &window,
        request("plugin:opener|open_url", json!({ "url": "mailto:ann@example.com", "with": "sh" })),
    )
    .unwrap_err();
    assert!(err.to_string().contains("Not allowed to open url"), "{err}");

    // The capability grants exactly that: open_url, scoped to mailto:.
    let capability: Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    let opener: Vec<&Value> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.as_str().unwrap_or_else(|| p["identifier"].as_str().unwrap()).starts_with("opener:"))
        .collect();
    assert_eq!(
        opener,
        [&json!({ "identifier": "opener:allow-open-url", "allow": [{ "url": "mailto:*" }] })],
        "{opener:?}"
    );
}

#[test]
fn reclaim_commands_answer_with_json() {
    let (_app, window) = app();
    let call = |cmd: &str, body: Value| get_ipc_response(&window, request(cmd, body));
    for cmd in ["list_reclamation_rules", "list_protected_users", "compute_candidates"] {
        let err = call(cmd, json!({ "profileId": 7 })).unwrap_err();
        assert_eq!(err["code"], "NotFound", "{cmd}: {err}");
    }
    // A window of an empty list; the filter's fields all have defaults.
    let page = call(
        "list_candidates",
        json!({ "request": { "filter": {}, "sort": "inactiveDays", "descending": true, "offset": 0, "limit": 200 } }),
    )
    .unwrap()
    .deserialize::<Value>()
    .unwrap();
    assert_eq!(page, json!({ "rows": [], "total": 0, "offset": 0 }));
    let filter = json!({ "profileId": 7, "modelId": null, "states": ["ready", "awaitingUser"],
        "justification": "neverUsed", "minInactiveDays": 90, "search": "ann" });
    let ids = call("candidate_ids", json!({ "filter": filter })).unwrap().deserialize::<Value>().unwrap();
    assert_eq!(ids, json!([]));
    let savings = call("candidate_savings", json!({ "filter": filter, "ids": [1, 2] }))
        .unwrap()
        .deserialize::<Value>()
        .unwrap();
    assert_eq!(savings, json!({ "seats": 0, "seatsWithoutCost": 0, "monthly": [], "yearly": [] }));
    let savings =
        call("candidate_savings", json!({ "filter": {}, "ids": null })).unwrap().deserialize::<Value>();
    assert_eq!(savings.unwrap()["seats"], 0);

    // Reclaiming: an empty selection is refused on its field, an unknown candidate is named; the
    // audit log reads in windows; an unknown record cannot be undone.
    for cmd in ["preview_reclaim", "confirm_reclaim"] {
        let err = call(cmd, json!({ "ids": [] })).unwrap_err();
        assert_eq!(
            (err["code"].as_str(), err["field"].as_str()),
            (Some("Validation"), Some("candidateIds")),
            "{err}"
        );
        let err = call(cmd, json!({ "ids": [41] })).unwrap_err();
        assert_eq!(err["code"], "NotFound", "{cmd}: {err}");
        assert!(err["message"].as_str().unwrap().contains("41"), "{err}");
    }
    let audit = call(
        "list_audit",
        json!({ "filter": { "profileId": 7, "action": "downgrade", "search": "ann" },
        "offset": 0, "limit": 100 }),
    )
    .unwrap()
    .deserialize::<Value>()
    .unwrap();
    assert_eq!(audit, json!({ "rows": [], "total": 0, "offset": 0 }));
    let err = call("undo_audit", json!({ "auditId": 9 })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    let err = call("protect_candidates", json!({ "ids": [5], "note": "CFO" })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");

    // The reason is checked first, on its field; then the candidates.
    let err = call("skip_candidates", json!({ "ids": [1], "reason": "  " })).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("Validation"), Some("reason")), "{err}");
    let err = call("skip_candidates", json!({ "ids": [1], "reason": "Needed for the audit" })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    for review_move in ["notified", "userKeeps", "declined", "resumed"] {
        let err = call("move_candidates", json!({ "ids": [1], "reviewMove": review_move })).unwrap_err();
        assert_eq!(err["code"], "NotFound", "{review_move}: {err}");
    }

    let rule = json!({ "lastActivityThresholdDays": 0, "gracePeriodDays": 30, "active": true, "notifyUser": false,
        "daysBeforeAutoReclamation": 14, "autoReclaim": false, "reclaimAction": "freeSeat", "monthlyCost": "",
        "currency": "USD" });
    let err = call("update_reclamation_rule", json!({ "ruleId": 1, "input": rule })).unwrap_err();
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("Validation"), Some("lastActivityThresholdDays")),
        "{err}"
    );
    let mut rule = rule;
    rule["lastActivityThresholdDays"] = json!(60);
    let err = call("update_reclamation_rule", json!({ "ruleId": 1, "input": rule })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");

    let err = call(
        "add_protected_user",
        json!({ "profileId": 7, "input": { "pattern": "not a domain", "note": "" } }),
    )
    .unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("Validation"), Some("pattern")), "{err}");
    let err = call(
        "add_protected_user",
        json!({ "profileId": 7, "input": { "pattern": "ceo@example.com", "note": "" } }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
    let err = call("delete_protected_user", json!({ "id": 3 })).unwrap_err();
    assert_eq!(err["code"], "NotFound", "{err}");
}
