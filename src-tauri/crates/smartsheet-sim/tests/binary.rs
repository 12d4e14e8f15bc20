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
    assert_eq!(keys, ["base_url", "region", "tokens", "users", "events"]);
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

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    for (args, says) in [
        (vec!["--rate-limit", "fast"], "rate limit"),
        (vec!["--users", "1"], "users"),
        (vec!["--faults", "boom=1"], "unknown fault"),
        (vec!["--region", "mars"], "region"),
        (vec!["--colour"], "--colour"),
        (vec!["--now", "yesterday"], "now"),
    ] {
        let out = Command::new(BIN).arg("serve").args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?} should mention {says}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}
