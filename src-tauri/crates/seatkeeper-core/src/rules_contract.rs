//! The field rules the UI mirrors for instant form feedback (`ui/src/lib/rules.ts`) are checked
//! against the core's own on shared cases (`ui/src/lib/rules.cases.json`); the UI's vitest runs
//! the same cases through `rules.ts`. A rule changed on one side only fails one of the two.

use serde::Deserialize;
use serde_json::Value;

use crate::connections::{check_name, host_needing_confirmation, normalize_url, parse_api_key};
use crate::smartsheet::ApiToken;
use crate::sync::exclusions::{check_identifier, normalize_pattern};

const CASES: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../ui/src/lib/rules.cases.json"));

#[derive(Deserialize)]
struct Case {
    value: String,
    ok: bool,
}

fn cases(rule: &str) -> Vec<Case> {
    let all: Value = serde_json::from_str(CASES).expect("rules.cases.json is JSON");
    let cases: Vec<Case> = serde_json::from_value(all[rule].clone()).expect("a list of {value, ok}");
    assert!(!cases.is_empty(), "no cases for {rule}");
    cases
}

fn check(rule: &str, accepts: impl Fn(&str) -> bool) {
    for case in cases(rule) {
        assert_eq!(accepts(&case.value), case.ok, "{rule}: {:?} should be ok = {}", case.value, case.ok);
    }
}

#[test]
fn names() {
    check("name", |v| check_name("name", "Name", "connection", v).is_ok());
}

#[test]
fn connection_urls() {
    check("connectionUrl", |v| normalize_url(v).is_ok());
}

#[test]
fn api_keys() {
    check("apiKey", |v| parse_api_key(v.to_owned()).is_ok());
}

#[test]
fn key_hints() {
    let all: Value = serde_json::from_str(CASES).unwrap();
    let cases = all["keyLastFour"].as_array().expect("keyLastFour cases");
    assert!(!cases.is_empty());
    for case in cases {
        let token = ApiToken::new(case["value"].as_str().unwrap()).unwrap();
        assert_eq!(token.last_four(), case["lastFour"].as_str(), "{case}");
    }
}

#[test]
fn exclusion_identifiers() {
    check("exclusionIdentifier", |v| check_identifier(v).is_ok());
}

#[test]
fn user_patterns() {
    check("userPattern", |v| normalize_pattern(v).is_ok());
}

#[test]
fn hosts_needing_confirmation() {
    let all: Value = serde_json::from_str(CASES).unwrap();
    let cases = all["hostNeedingConfirmation"].as_array().expect("hostNeedingConfirmation cases");
    assert!(cases.len() >= 10);
    for case in cases {
        let url = case["value"].as_str().unwrap();
        assert_eq!(host_needing_confirmation(url).as_deref(), case["host"].as_str(), "{url}");
    }
}
