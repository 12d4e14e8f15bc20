//! What the `seatkeeper` binary's tests share: running it on a `--db`, reading its output, the
//! real keychain (see `cli.rs`), and a Draft profile pointing at a simulator.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use seatkeeper_cli::APP_IDENTIFIER;
use seatkeeper_core::profiles::Profile;
use seatkeeper_core::services::create_profile;
use seatkeeper_core::smartsheet::ApiToken;
use seatkeeper_core::{Db, KeyringStore, SecretStore, SystemClock};

pub const BIN: &str = env!("CARGO_BIN_EXE_seatkeeper");

pub fn seatkeeper(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).output().expect("run seatkeeper")
}

/// Runs the binary off the async runtime (the simulator keeps serving on it meanwhile).
pub async fn seatkeeper_async(db: &Path, args: &[&str]) -> Output {
    let (db, args) = (db.to_owned(), args.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        seatkeeper(&db, &args)
    })
    .await
    .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

/// The one line of an error: `seatkeeper: <message>`.
pub fn error_line(out: &Output) -> String {
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {err:?}");
    assert!(lines[0].starts_with("seatkeeper: "), "{err:?}");
    lines[0].to_owned()
}

/// Whether a Secret Service can hold keys here (see the module comment of `cli.rs`).
pub async fn keychain_available() -> bool {
    let store = KeyringStore::new(APP_IDENTIFIER);
    let probe = format!("cli-test-probe-{}", std::process::id());
    let ok = match store.set(&probe, &ApiToken::new("ll352u9jujauoqz4gstvsae05Xz1a2b").unwrap()).await {
        Ok(()) => store.delete(&probe).await.is_ok(),
        Err(e) => {
            eprintln!("keychain unavailable: {e}");
            false
        }
    };
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "CI must run the CLI tests with a Secret Service (tests/with-keyring.sh)"
    );
    if !ok {
        eprintln!(
            "NOTICE: seatkeeper CLI keychain tests not run (run them under \
             `dbus-run-session -- sh tests/with-keyring.sh cargo test -p seatkeeper-cli`)"
        );
    }
    ok
}

/// A database in `dir` with a Draft profile `name` (download activity on) whose new connection
/// `connection` points at `sim` with its admin key, kept in the real keychain.
pub async fn draft_profile(
    sim: &smartsheet_sim::SimHandle,
    dir: &Path,
    name: &str,
    connection: &str,
) -> (PathBuf, Db, KeyringStore, Profile) {
    let path = dir.join("seatkeeper.db");
    let db = Db::open(&path).await.unwrap();
    let secrets = KeyringStore::new(APP_IDENTIFIER);
    let input = seatkeeper_testsupport::profile_input(name, true);
    let connection = seatkeeper_testsupport::new_connection(connection, sim.base_url(), &sim.tokens().admin);
    let profile = create_profile(&db, &secrets, &SystemClock, input, Some(connection)).await.unwrap();
    (path, db, secrets, profile)
}
