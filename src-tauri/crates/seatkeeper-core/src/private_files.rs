//! Seatkeeper's files hold every user's e-mail address and activity: they are the admin's alone.
//! Files are created readable and writable by their owner only (0600), in folders only the owner
//! can enter (0700); files and folders an older version left open to others are tightened when
//! they are next opened.

use std::io;
use std::path::Path;

/// Makes every file and folder this process creates from now on private to its user (umask
/// 077): the database, its WAL, lock files and log files — including those that libraries create
/// (SQLite, the log appender, the webview's storage). The app and the `seatkeeper` command call it
/// first thing.
pub fn restrict_new_files() {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
    }
}

/// Creates `dir` (and its parents) if missing, and makes it private to its owner (0700).
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Makes an existing file private to its owner (0600) if others could read or write it. A missing
/// file is fine.
pub fn tighten_file(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(_) => set_mode(path, 0o600),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens `path` for writing (nothing is truncated), creating it as a file only its owner may read
/// and write; an existing one is tightened to that.
pub(crate) fn open_private_file(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    tighten_file(path)?;
    Ok(file)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & 0o077 != 0 || current & mode != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}
