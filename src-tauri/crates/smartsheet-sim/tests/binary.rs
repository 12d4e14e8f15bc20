//! The `smartsheet-sim` binary's interface, which other tools and tests rely on exactly.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_smartsheet-sim");

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(args: &[&str]) -> (Running, serde_json::Value) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start smartsheet-sim");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read the startup line");
    let info =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("startup line is not JSON ({e}): {line:?}"));
    (Running(child), info)
}

#[tokio::test]
async fn serve_prints_one_json_line_and_answers_on_it() {
    let (_sim, info) =
        serve(&["--port", "0", "--seed", "3", "--users", "40", "--days", "10", "--region", "eu"]);
    let keys: Vec<&str> = info.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["base_url", "region", "tokens", "users", "events", "control_secret"]);
    assert_eq!(info["region"], "eu");
    assert_eq!(info["users"], 40);
    assert!(info["events"].as_u64().unwrap() > 0);
    let tokens = info["tokens"].as_object().unwrap();
    for role in ["admin", "member", "expired", "admin_no_event_reporting"] {
        assert_eq!(tokens[role].as_str().unwrap().len(), 37, "{role}");
    }
    let base = info["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with("/2.0"), "{base}");

    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/users/me"))
        .bearer_auth(tokens["admin"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["admin"], true);
}

/// `GET /__sim/state` on the simulator at `base`, with `secret` in `X-Sim-Control-Secret` if given.
async fn control_state(base: &str, secret: Option<&str>) -> (reqwest::StatusCode, String) {
    let mut req = reqwest::Client::new().get(format!("{}/__sim/state", base.trim_end_matches("/2.0")));
    if let Some(secret) = secret {
        req = req.header("X-Sim-Control-Secret", secret);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test]
async fn control_endpoints_need_the_secret_from_the_startup_line() {
    let (_sim, info) = serve(&["--seed", "3", "--users", "20", "--days", "3"]);
    let base = info["base_url"].as_str().unwrap();
    let secret = info["control_secret"].as_str().expect("a control_secret in the startup line");
    assert_eq!(secret.len(), 32, "{secret}");
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()), "{secret}");

    let (status, body) = control_state(base, Some(secret)).await;
    assert_eq!(status, 200, "{body}");
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(state["now"].is_string(), "{state}");
    assert_eq!(control_state(base, None).await.0, 403);
    assert_eq!(control_state(base, Some("0123456789abcdef0123456789abcdef")).await.0, 403);

    // A new secret every start.
    let (_other, again) = serve(&["--seed", "3", "--users", "20", "--days", "3"]);
    assert_ne!(again["control_secret"], info["control_secret"]);
}

#[tokio::test]
async fn control_off_serves_no_control_endpoints() {
    let (_sim, info) = serve(&["--users", "20", "--days", "3", "--control", "off"]);
    let keys: Vec<&str> = info.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["base_url", "region", "tokens", "users", "events"]);
    let (status, body) = control_state(info["base_url"].as_str().unwrap(), None).await;
    assert_eq!(status, 404, "{body}");
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    for (args, says) in [
        (vec!["--rate-limit", "fast"], "rate limit"),
        (vec!["--users", "1"], "users"),
        (vec!["--faults", "boom=1"], "unknown fault"),
        (vec!["--faults", "lost_write=2"], "lost_write"),
        (vec!["--faults", "lost_write=0.7,drop_after_write=0.7"], "more than 1"),
        (vec!["--region", "mars"], "region"),
        (vec!["--colour"], "--colour"),
        (vec!["--now", "yesterday"], "now"),
        (vec!["--control", "open"], "control"),
    ] {
        let out = Command::new(BIN).arg("serve").args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?} should mention {says}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}
