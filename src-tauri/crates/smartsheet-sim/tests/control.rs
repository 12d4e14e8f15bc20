//! The control endpoints under `/__sim`: absent unless asked for, and then only for a caller that
//! shows the secret and is not a web page.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use smartsheet_sim::{spawn, ControlAccess, RateLimit, SimConfig, SimHandle};

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const HEADER: &str = "X-Sim-Control-Secret";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap().to_utc()
}

fn config(control: ControlAccess) -> SimConfig {
    SimConfig {
        seed: 5,
        users: 20,
        days: 3,
        now: now(),
        rate_limit: RateLimit::Off,
        control,
        ..SimConfig::default()
    }
}

fn control_url(sim: &SimHandle, path: &str) -> String {
    format!("http://{}/__sim/{path}", sim.addr())
}

async fn status_and_text(req: reqwest::RequestBuilder) -> (StatusCode, String) {
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// `GET /2.0/serverinfo`: 200 unless a fault spec of `500=1` has been let through.
async fn serverinfo(http: &Client, sim: &SimHandle) -> StatusCode {
    http.get(format!("{}/serverinfo", sim.base_url())).send().await.unwrap().status()
}

#[tokio::test]
async fn off_by_default_every_control_path_is_an_unknown_path() {
    let sim = spawn(SimConfig { seed: 5, users: 20, days: 3, ..SimConfig::default() }).await.unwrap();
    assert_eq!(sim.control_secret(), None);
    assert_eq!(sim.info().control_secret, None);
    let info = serde_json::to_value(sim.info()).unwrap();
    assert!(info.get("control_secret").is_none(), "{info}");

    let http = Client::new();
    let (status, unknown) = status_and_text(http.get(format!("http://{}/no/such/path", sim.addr()))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let unknown: Value = serde_json::from_str(&unknown).unwrap();
    for path in ["state", "clock/advance?hours=24", "faults", "", "anything"] {
        for method in [Method::GET, Method::POST] {
            // Even with the header a secret would travel in: there is no secret to match.
            let req =
                http.request(method.clone(), control_url(&sim, path)).header(HEADER, SECRET).body("500=1");
            let (status, body) = status_and_text(req).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} /__sim/{path}: {body}");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                (&body["errorCode"], &body["message"]),
                (&unknown["errorCode"], &unknown["message"]),
                "{method} /__sim/{path} answers as any unknown path"
            );
        }
    }
    assert_eq!(serverinfo(&http, &sim).await, StatusCode::OK, "no fault was set");
}

#[tokio::test]
async fn with_a_secret_only_requests_that_show_it_get_through() {
    let sim = spawn(config(ControlAccess::Secret(SECRET.into()))).await.unwrap();
    assert_eq!(sim.control_secret(), Some(SECRET));
    let http = Client::new();

    for path in ["state", "clock/advance?hours=1", "faults"] {
        let method = if path == "state" { Method::GET } else { Method::POST };
        for secret in
            [None, Some(""), Some("wrong"), Some(&SECRET[1..]), Some("0123456789abcdef0123456789abcdeF")]
        {
            let mut req = http.request(method.clone(), control_url(&sim, path)).body("500=1");
            if let Some(secret) = secret {
                req = req.header(HEADER, secret);
            }
            let (status, body) = status_and_text(req).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} /__sim/{path} with {secret:?}: {body}");
            assert!(body.contains("X-Sim-Control-Secret"), "says what is needed: {body}");
            assert!(!body.contains(SECRET), "never shows the secret: {body}");
        }
    }

    let (status, body) = status_and_text(http.get(control_url(&sim, "state")).header(HEADER, SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let state: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["now"].as_str().unwrap(), now().to_rfc3339(), "the clock never moved");
    assert_eq!(state["users"], 20);
    assert_eq!(serverinfo(&http, &sim).await, StatusCode::OK, "no fault was set");

    let (status, body) =
        status_and_text(http.post(control_url(&sim, "clock/advance?hours=1")).header(HEADER, SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let advanced: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(advanced["now"].as_str().unwrap(), (now() + Duration::hours(1)).to_rfc3339());
}

#[tokio::test]
async fn a_web_page_can_never_set_faults() {
    let sim = spawn(config(ControlAccess::Secret(SECRET.into()))).await.unwrap();
    let http = Client::new();
    let faults = || {
        http.post(control_url(&sim, "faults"))
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body("500=1")
    };

    // What `fetch(url, {method: "POST", body, mode: "no-cors"})` sends: no preflight, an Origin.
    let (status, body) =
        status_and_text(faults().header(reqwest::header::ORIGIN, "http://evil.example")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("Origin"), "{body}");
    assert_eq!(serverinfo(&http, &sim).await, StatusCode::OK, "the faults did not change");

    // An Origin is refused even with the right secret, and a preflight gets no CORS grant.
    let with_origin = faults().header(reqwest::header::ORIGIN, "http://evil.example").header(HEADER, SECRET);
    let (status, body) = status_and_text(with_origin).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(!body.contains(SECRET), "never shows the secret: {body}");
    assert_eq!(serverinfo(&http, &sim).await, StatusCode::OK, "the faults did not change");
    let preflight = http
        .request(Method::OPTIONS, control_url(&sim, "faults"))
        .header(reqwest::header::ORIGIN, "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "x-sim-control-secret")
        .send()
        .await
        .unwrap();
    assert_ne!(preflight.status(), StatusCode::OK);
    assert!(
        !preflight.headers().keys().any(|k| k.as_str().starts_with("access-control-")),
        "{:?}",
        preflight.headers()
    );

    // The same request from a test (the secret, no Origin) does set them: the check above can see
    // a change.
    let (status, body) = status_and_text(faults().header(HEADER, SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(serverinfo(&http, &sim).await, StatusCode::INTERNAL_SERVER_ERROR, "every answer fails now");
    let (status, body) = status_and_text(http.post(control_url(&sim, "faults")).header(HEADER, SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(serverinfo(&http, &sim).await, StatusCode::OK, "faults cleared");
}

#[tokio::test]
async fn a_secret_that_cannot_travel_in_a_header_is_refused_at_start() {
    for bad in ["", "two words", "line\nbreak", "naïve"] {
        let Err(err) = spawn(config(ControlAccess::Secret(bad.into()))).await else {
            panic!("{bad:?} was accepted")
        };
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{bad:?}");
        assert!(err.to_string().contains("control secret"), "{err}");
    }
}
