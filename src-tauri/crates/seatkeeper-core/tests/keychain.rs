//! The system keychain for real (Secret Service).
//!
//! - The round trips run only with `SEATKEEPER_REAL_KEYRING=1`, under a session bus with an
//!   unlocked keyring:
//!   `dbus-run-session -- sh tests/with-keyring.sh env SEATKEEPER_REAL_KEYRING=1 cargo test -p seatkeeper-core --test keychain`
//!   Without the variable they print a notice and do nothing — except in CI, where they fail.
//! - "No keychain" always runs: it re-runs this test binary as a child process whose
//!   `DBUS_SESSION_BUS_ADDRESS` points nowhere, so the process-wide environment of the other tests
//!   is left alone.

use seatkeeper_testsupport as support;

use std::process::Command;

use seatkeeper_core::connections::ClientOptions;
use seatkeeper_core::services::*;
use seatkeeper_core::smartsheet::ApiToken;
use seatkeeper_core::{Db, Error, ErrorCode, FixedClock, KeyringStore, SecretStore};
use smartsheet_sim::SimConfig;

const KEY: &str = "ll352u9jujauoqz4gstvsae05Xz1a2b";

/// Whether the real keychain is there to test. In CI it must be: `npm test` runs the tests under a
/// private D-Bus session with an unlocked GNOME Keyring, so a CI run without it is a broken setup.
fn real_keyring() -> bool {
    let on = std::env::var("SEATKEEPER_REAL_KEYRING").is_ok_and(|v| v == "1");
    assert!(
        on || std::env::var_os("CI").is_none(),
        "CI must run the real keychain tests: run them through `npm test` (tests/with-keyring.sh)"
    );
    if !on {
        eprintln!(
            "NOTICE: real keychain test not run (set SEATKEEPER_REAL_KEYRING=1 and run under \
             `dbus-run-session -- sh tests/with-keyring.sh …`)"
        );
    }
    on
}

/// A service name of its own per run, so that runs never see each other's entries.
fn test_identifier() -> String {
    format!("com.seatkeeper.test-{}-{}", std::process::id(), uuid_like())
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_service_round_trip() {
    if !real_keyring() {
        return;
    }
    let identifier = test_identifier();
    let store = KeyringStore::new(&identifier);
    let token = ApiToken::new(KEY).unwrap();
    store.set("key-round-trip", &token).await.unwrap();

    // A fresh store instance (a fresh Entry) sees it: it is persisted, not held in memory.
    let fresh = KeyringStore::new(&identifier);
    let read = fresh.get("key-round-trip").await.unwrap().expect("the key is in the keychain");
    assert_eq!(read.to_string(), "…1a2b");
    assert!(KeyringStore::new("com.seatkeeper.other").get("key-round-trip").await.unwrap().is_none());

    // The whole value went into the Secret Service itself (libsecret-tools' secret-tool, when
    // installed, asks it directly).
    match Command::new("secret-tool")
        .args(["lookup", "service", fresh.service(), "username", "key-round-trip"])
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "secret-tool lookup failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), KEY);
        }
        Err(e) => eprintln!("NOTICE: secret-tool not available ({e}); skipped the direct lookup"),
    }

    fresh.delete("key-round-trip").await.unwrap();
    assert!(store.get("key-round-trip").await.unwrap().is_none());
    store.delete("key-round-trip").await.unwrap(); // deleting twice is fine
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_lives_through_the_real_keychain() {
    if !real_keyring() {
        return;
    }
    let sim = smartsheet_sim::spawn(SimConfig { users: 10, days: 3, ..SimConfig::default() }).await.unwrap();
    let store = KeyringStore::new(&test_identifier());
    let db = Db::open_in_memory().await.unwrap();
    let clock = FixedClock::new(sim.sim().now());
    let (input, connection) = support::new_profile("Acme", true, sim.base_url(), &sim.tokens().admin);
    let profile = create_profile(&db, &store, &clock, input, Some(connection)).await.unwrap();
    // Validation reads the key back from the keychain; Smartsheet accepts only the exact key.
    let result = validate_connection(&db, &store, &clock, profile.id, &ClientOptions::quick()).await.unwrap();
    assert!(result.ok, "{}", result.message);

    let key_id: String =
        sqlx::query_scalar("SELECT key_id FROM connections").fetch_one(db.pool()).await.unwrap();
    assert!(store.get(&key_id).await.unwrap().is_some());
    delete_profile(&db, &store, profile.id).await.unwrap();
    assert!(store.get(&key_id).await.unwrap().is_none(), "deleting the last profile removed the key");
}

const CHILD: &str = "SEATKEEPER_KEYCHAIN_CHILD";

#[test]
fn no_keychain_is_reported_as_unavailable_with_what_to_do() {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["--exact", "no_keychain_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/seatkeeper-test-bus")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("no-keychain checks passed"),
        "the child did not run the checks:\n{stdout}\n{stderr}"
    );
}

/// Runs only as the child of the test above.
#[tokio::test(flavor = "multi_thread")]
async fn no_keychain_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let store = KeyringStore::new(&test_identifier());
    let token = ApiToken::new(KEY).unwrap();
    for result in
        [store.set("k", &token).await.err(), store.get("k").await.err(), store.delete("k").await.err()]
    {
        match result {
            Some(Error::KeychainUnavailable(message)) => {
                assert_eq!(
                    message,
                    "The system keychain is not available (no Secret Service is running). Install and unlock \
                     GNOME Keyring or KWallet (Debian: apt install gnome-keyring), then try again."
                );
            }
            other => panic!("expected KeychainUnavailable, got {other:?}"),
        }
    }

    // Creating a profile with a new connection then writes nothing at all.
    let db = Db::open_in_memory().await.unwrap();
    let clock = FixedClock::new(chrono::Utc::now());
    let (input, connection) = support::new_profile("Acme", true, "https://api.smartsheet.com/2.0", KEY);
    let err = create_profile(&db, &store, &clock, input, Some(connection)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert!(!err.to_string().contains(KEY));
    assert!(list_profiles(&db).await.unwrap().is_empty());
    assert!(list_connections(&db).await.unwrap().is_empty());
    println!("no-keychain checks passed");
}
