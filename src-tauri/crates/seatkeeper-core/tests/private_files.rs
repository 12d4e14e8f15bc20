//! What Seatkeeper creates is its user's alone: once `restrict_new_files` ran (the app and the
//! `seatkeeper` command call it first thing), every new file is 0600 and every new folder 0700,
//! whoever creates them (SQLite, the log appender, the webview). A binary of its own: the umask is
//! the process's.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;

use seatkeeper_core::private_files::{private_dir, restrict_new_files};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn files_and_folders_created_afterwards_are_private() {
    let dir = tempfile::tempdir().unwrap();
    restrict_new_files();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let log = logs.join("seatkeeper.2026-12-02.log");
    std::fs::write(&log, "a line").unwrap();
    assert_eq!(mode(&logs), 0o700);
    assert_eq!(mode(&log), 0o600);

    // A folder an older version made readable by others is tightened.
    let data = dir.path().join("com.seatkeeper.app");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    private_dir(&data).unwrap();
    assert_eq!(mode(&data), 0o700);
    private_dir(&dir.path().join("new/nested")).unwrap();
    assert_eq!(mode(&dir.path().join("new/nested")), 0o700);
}
