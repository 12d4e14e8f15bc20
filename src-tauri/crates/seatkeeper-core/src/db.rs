//! The SQLite database: opening it, pragmas, migrations.

use std::collections::HashSet;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::error::{Error, Result};

/// A time as sqlx stores a `DateTime<Utc>` (RFC 3339, `+00:00`): for values a statement reads from
/// JSON (`json_each`) rather than from a bound parameter, so both compare and sort alike.
pub(crate) fn db_time(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// The migrations in `migrations/`, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// A pool of connections to Seatkeeper's database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
    locks: Arc<Locks>,
}

/// Where [`DbLock`]s live: files next to a database file, shared by every process that opens it
/// (the app and the `seatkeeper` command), or — for an in-memory database — this process only.
#[derive(Debug)]
enum Locks {
    Dir(PathBuf),
    Memory(Mutex<HashSet<String>>),
}

/// A named lock on the database, held by one holder at a time across processes. Released when
/// dropped, or by the OS when the process ends in any way (a killed process included), so a lock
/// is never left behind.
#[derive(Debug)]
pub struct DbLock {
    _file: Option<File>,
    memory: Option<(Arc<Locks>, String)>,
}

impl Drop for DbLock {
    fn drop(&mut self) {
        if let Some((locks, name)) = &self.memory {
            if let Locks::Memory(held) = &**locks {
                held.lock().unwrap_or_else(|e| e.into_inner()).remove(name);
            }
        }
    }
}

impl Db {
    /// Opens (creating it if missing) the database file at `path` and brings its schema up to date.
    /// WAL journal, foreign keys on, 5 s busy timeout, at most 4 connections, statement journals
    /// in memory and a page cache of up to 16 MiB per connection.
    ///
    /// The file is created private to its user (0600), and an existing one — with its WAL and
    /// shared-memory files, which SQLite creates with the database file's permissions — is
    /// tightened to that if others could read it.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let unusable = |e: std::io::Error| {
            Error::Internal(format!(
                "Seatkeeper could not open its database {} ({e}). Check that its folder exists and is yours.",
                path.display()
            ))
        };
        crate::private_files::open_private_file(path).map_err(unusable)?;
        for suffix in ["-wal", "-shm"] {
            let mut companion = path.as_os_str().to_owned();
            companion.push(suffix);
            crate::private_files::tighten_file(Path::new(&companion)).map_err(unusable)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // A multi-row upsert inside a transaction keeps a statement journal; in a temp file it
            // cost the events sync a write syscall per page touched.
            .pragma("temp_store", "memory")
            // The default 2 MiB cache made the sync re-read the activity tables from the OS for
            // every page of events (negative = KiB). The cache grows only as pages are used.
            .pragma("cache_size", "-16384");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        let mut dir = path.as_os_str().to_owned();
        dir.push(".locks");
        Self::migrated(pool, Locks::Dir(dir.into())).await
    }

    /// A private in-memory database (for tests). It lives as long as this `Db` and its clones.
    pub async fn open_in_memory() -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection that is never closed: every connection to `:memory:` is its own database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Self::migrated(pool, Locks::Memory(Mutex::default())).await
    }

    async fn migrated(pool: SqlitePool, locks: Locks) -> Result<Self> {
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool, locks: Arc::new(locks) })
    }

    /// Takes the lock named `name` (letters, digits and `-`) if no one holds it: None while another
    /// holder — in this process or another one on the same database — has it. For a database file
    /// the locks are files `<database>.locks/<name>.lock` (OS file locks); for an in-memory
    /// database they are this process's.
    pub fn try_lock(&self, name: &str) -> Result<Option<DbLock>> {
        debug_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{name}");
        match &*self.locks {
            Locks::Memory(held) => {
                let taken = held.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_owned());
                Ok(taken.then(|| DbLock { _file: None, memory: Some((self.locks.clone(), name.to_owned())) }))
            }
            Locks::Dir(dir) => {
                let path = dir.join(format!("{name}.lock"));
                let unusable = |e: std::io::Error| {
                    Error::Internal(format!(
                        "Seatkeeper could not use its lock file {} ({e}). Check that the folder of its database \
                         is writable.",
                        path.display()
                    ))
                };
                crate::private_files::private_dir(dir).map_err(unusable)?;
                let file = crate::private_files::open_private_file(&path).map_err(unusable)?;
                match file.try_lock() {
                    Ok(()) => Ok(Some(DbLock { _file: Some(file), memory: None })),
                    Err(TryLockError::WouldBlock) => Ok(None),
                    Err(TryLockError::Error(e)) => Err(unusable(e)),
                }
            }
        }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction. `BEGIN IMMEDIATE` takes the write lock up front, so two writers wait
    /// for each other (up to the busy timeout) instead of failing when a reader upgrades.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Runs `work` in a write transaction (see [`Self::write`]) in a task of its own, and commits
    /// if it succeeds. The transaction ends whole — committed, or rolled back on an error — even if
    /// the caller's future is dropped meanwhile (a cancelled job): a transaction dropped half-way
    /// leaves sqlx's pooled connection out of step with SQLite.
    pub(crate) async fn write_detached<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let db = self.clone();
        tokio::spawn(async move {
            let mut tx = db.write().await?;
            let value = work(&mut tx).await?;
            tx.commit().await?;
            Ok(value)
        })
        .await
        .map_err(|e| Error::Internal(format!("a database write stopped: {e}")))?
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reclaim job's migration rebuilds `scheduled_jobs`; dropping the old table must not take
    /// the job results with it (ON DELETE CASCADE), and the new kind must be accepted.
    #[tokio::test]
    async fn rebuilding_the_jobs_table_keeps_every_job_result() {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap().foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).idle_timeout(None).max_lifetime(None);
        let pool = pool.connect_with(options).await.unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: MIGRATOR.migrations.iter().filter(|m| m.version < 20261203000000).cloned().collect(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        for sql in [
            "INSERT INTO connections (id, name, name_key, url, key_id, created_at, updated_at, key_origin) \
             VALUES (1, 'c', 'c', 'https://api.smartsheet.com/2.0', 'k', 't', 't', 'https://api.smartsheet.com')",
            "INSERT INTO profiles VALUES (1, 'p', 'p', 'published', 1, 1, 't', 1, 't', 't', 't')",
            "INSERT INTO scheduled_jobs (id, profile_id, kind, name, schedule, enabled, created_at) \
             VALUES (5, 1, 'events', 'Refresh p Events', 'daily', 1, 't')",
            "INSERT INTO job_results (job_id, number, started_at, status) VALUES (5, 1, 't', 'succeeded'), \
             (5, 2, 't', 'failed')",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        MIGRATOR.run(&pool).await.unwrap();
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM job_results WHERE job_id = 5")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(kept, 2);
        sqlx::query(
            "INSERT INTO scheduled_jobs (profile_id, kind, name, schedule, enabled, created_at) \
             VALUES (1, 'reclaim', 'Reclaim p Subscriptions', 'on_demand', 1, 't')",
        )
        .execute(&pool)
        .await
        .unwrap();
        // The foreign key still cascades from the rebuilt table.
        sqlx::query("DELETE FROM scheduled_jobs WHERE id = 5").execute(&pool).await.unwrap();
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM job_results").fetch_one(&pool).await.unwrap();
        assert_eq!(left, 0);
    }

    /// Save first lets a Draft have no connection (the NOT NULL is removed from the schema's text).
    /// Every table hanging off a profile (ON DELETE CASCADE) keeps its rows, the foreign keys still
    /// hold and cascade, and the migrating connection itself already accepts the NULL.
    #[tokio::test]
    async fn a_draft_without_a_connection_keeps_everything_that_hangs_off_a_profile() {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap().foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).idle_timeout(None).max_lifetime(None);
        let pool = pool.connect_with(options).await.unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: MIGRATOR.migrations.iter().filter(|m| m.version < 20261209000000).cloned().collect(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        for sql in [
            "INSERT INTO connections (id, name, name_key, url, key_id, created_at, updated_at, key_origin) \
             VALUES (1, 'c', 'c', 'https://api.smartsheet.com/2.0', 'k', 't', 't', 'https://api.smartsheet.com')",
            "INSERT INTO profiles VALUES (1, 'p', 'p', 'published', 1, 1, 't', 1, 't', 't', 't')",
            "INSERT INTO scheduled_jobs (id, profile_id, kind, name, schedule, enabled, created_at) \
             VALUES (5, 1, 'events', 'Refresh p Events', 'daily', 1, 't')",
            "INSERT INTO job_results (job_id, number, started_at, status) VALUES (5, 1, 't', 'succeeded')",
            "INSERT INTO software_models (id, profile_id, name, paid, auto_created, created_at) \
             VALUES (3, 1, 'Smartsheet Member', 1, 1, 't')",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        MIGRATOR.run(&pool).await.unwrap();

        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
        };
        assert_eq!(count("SELECT count(*) FROM job_results").await, 1);
        assert_eq!(count("SELECT count(*) FROM scheduled_jobs").await, 1);
        assert_eq!(count("SELECT count(*) FROM software_models").await, 1);
        assert_eq!(count("SELECT connection_id FROM profiles WHERE id = 1").await, 1);
        assert_eq!(count("PRAGMA foreign_keys").await, 1);
        assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check").await, 0);
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
        assert_eq!(integrity, "ok");

        // A Draft may have no connection; a Published profile may not.
        sqlx::query("INSERT INTO profiles VALUES (2, 'd', 'd', 'draft', NULL, 1, 't', 1, 't', 't', NULL)")
            .execute(&pool)
            .await
            .unwrap();
        let published =
            "INSERT INTO profiles VALUES (3, 'x', 'x', 'published', NULL, 1, 't', 1, 't', 't', 't')";
        assert!(sqlx::query(published).execute(&pool).await.is_err());
        let publish = "UPDATE profiles SET status = 'published' WHERE id = 2";
        assert!(sqlx::query(publish).execute(&pool).await.is_err());
        let unset = "UPDATE profiles SET connection_id = NULL WHERE id = 1";
        assert!(sqlx::query(unset).execute(&pool).await.is_err());
        // The connection is still protected while a profile uses it.
        assert!(sqlx::query("DELETE FROM connections WHERE id = 1").execute(&pool).await.is_err());
        // And deleting the profile still takes what hangs off it.
        sqlx::query("DELETE FROM profiles WHERE id = 1").execute(&pool).await.unwrap();
        assert_eq!(count("SELECT count(*) FROM job_results").await, 0);
        assert_eq!(count("SELECT count(*) FROM software_models").await, 0);
    }

    /// The candidates' table, rebuilt for cheaper CHECKs, keeps every candidate, its indexes and its
    /// foreign keys, and still refuses what the old CHECKs refused.
    #[tokio::test]
    async fn rebuilding_the_candidates_table_keeps_them_and_their_checks() {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap().foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).idle_timeout(None).max_lifetime(None);
        let pool = pool.connect_with(options).await.unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: MIGRATOR.migrations.iter().filter(|m| m.version < 20261214000000).cloned().collect(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        let candidate = |id: i64, state: &str, source: &str, closed: &str| {
            format!(
                "INSERT INTO removal_candidates (id, profile_id, subscription_id, model_id, user_id, email, identifier, \
                 justification, activity_source, inactive_since, state, opened_at, updated_at, closed_at) \
                 VALUES ({id}, 1, 7, 3, 70, 'a@example.com', 'a@example.com', 'low_usage', '{source}', 't', '{state}', \
                 't', 't', {closed})"
            )
        };
        for sql in [
            "INSERT INTO connections (id, name, name_key, url, key_id, created_at, updated_at, key_origin) \
             VALUES (1, 'c', 'c', 'https://api.smartsheet.com/2.0', 'k', 't', 't', 'https://api.smartsheet.com')"
                .to_owned(),
            "INSERT INTO profiles VALUES (1, 'p', 'p', 'published', 1, 1, 't', 1, 't', 't', 't')".to_owned(),
            "INSERT INTO software_models (id, profile_id, name, paid, auto_created, created_at) \
             VALUES (3, 1, 'Smartsheet Member', 1, 1, 't')"
                .to_owned(),
            "INSERT INTO software_subscriptions (id, profile_id, user_id, email, identifier, model_id, first_seen, \
             last_seen) VALUES (7, 1, 70, 'a@example.com', 'a@example.com', 3, 't', 't')"
                .to_owned(),
            candidate(10, "closed_complete", "events", "'t'"),
            candidate(11, "ready", "last_login", "NULL"),
        ] {
            sqlx::query(&sql).execute(&pool).await.unwrap();
        }
        MIGRATOR.run(&pool).await.unwrap();

        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
        };
        assert_eq!(count("SELECT count(*) FROM removal_candidates WHERE id IN (10, 11)").await, 2);
        assert_eq!(count("SELECT state = 'ready' FROM removal_candidates WHERE id = 11").await, 1);
        assert_eq!(
            count(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'removal_candidates' \
                 AND name IN ('removal_candidates_one_open', 'removal_candidates_by_state', \
                              'removal_candidates_by_subscription')"
            )
            .await,
            3
        );
        assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check").await, 0);
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
        assert_eq!(integrity, "ok");

        // Every state and source is still accepted; anything else is refused, as is an open state
        // with a closing time and a second open candidate of the same subscription.
        sqlx::query("DELETE FROM removal_candidates WHERE id = 11").execute(&pool).await.unwrap();
        for state in crate::reclaim::CandidateState::ALL {
            for source in ["events", "last_login", "none"] {
                let closed = if state.is_closed() { "'t'" } else { "NULL" };
                let sql = candidate(20, state.as_str(), source, closed);
                sqlx::query(&sql).execute(&pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
                sqlx::query("DELETE FROM removal_candidates WHERE id = 20").execute(&pool).await.unwrap();
            }
        }
        sqlx::query(&candidate(11, "ready", "none", "NULL")).execute(&pool).await.unwrap();
        for sql in [
            candidate(40, "closed_reclaimed", "events", "'t'"),
            candidate(41, "closed_complete", "login", "'t'"),
            candidate(42, "awaiting_user", "events", "'t'"),
            candidate(43, "ready", "events", "NULL"),
        ] {
            assert!(sqlx::query(&sql).execute(&pool).await.is_err(), "{sql}");
        }
        // Deleting the subscription still takes its candidates.
        sqlx::query("DELETE FROM software_subscriptions WHERE id = 7").execute(&pool).await.unwrap();
        assert_eq!(count("SELECT count(*) FROM removal_candidates").await, 0);
    }

    /// Values written from JSON are stored exactly as sqlx would store them bound.
    #[tokio::test]
    async fn stored_values_match_what_sqlx_stores() {
        use crate::reclaim::{CandidateState, Justification, LastActivitySource};
        let db = Db::open_in_memory().await.unwrap();
        let stored = |q: sqlx::query::QueryScalar<'static, Sqlite, String, _>| {
            let pool = db.pool().clone();
            async move { q.fetch_one(&pool).await.unwrap() }
        };
        for time in ["2026-12-01T10:00:00Z", "2026-12-01T10:00:00.25Z", "2026-12-01T10:00:00.000001Z"] {
            let time = chrono::DateTime::parse_from_rfc3339(time).unwrap().to_utc();
            assert_eq!(stored(sqlx::query_scalar("SELECT ?").bind(time)).await, db_time(time));
        }
        for state in CandidateState::ALL {
            assert_eq!(stored(sqlx::query_scalar("SELECT ?").bind(state)).await, state.as_str());
        }
        for j in [Justification::LowUsage, Justification::NeverUsed] {
            assert_eq!(stored(sqlx::query_scalar("SELECT ?").bind(j)).await, j.as_str());
        }
        for s in [LastActivitySource::Events, LastActivitySource::LastLogin, LastActivitySource::None] {
            assert_eq!(stored(sqlx::query_scalar("SELECT ?").bind(s)).await, s.as_str());
        }
    }

    /// Audit records are written once: never changed, and deleted only with their profile.
    #[tokio::test]
    async fn audit_records_are_never_changed() {
        let db = Db::open_in_memory().await.unwrap();
        for sql in [
            "INSERT INTO connections (id, name, name_key, url, key_id, created_at, updated_at, key_origin) \
             VALUES (1, 'c', 'c', 'https://api.smartsheet.com/2.0', 'k', 't', 't', 'https://api.smartsheet.com')",
            "INSERT INTO profiles VALUES (1, 'p', 'p', 'published', 1, 1, 't', 1, 't', 't', 't')",
            "INSERT INTO audit_log (id, profile_id, requested_at, user_id, email, action, seat_before, seat_after, \
             request, confirmed_by) VALUES (1, 1, 't', 7, 'a@x.example', 'downgrade', 'MEMBER', 'CONTRIBUTOR', \
             'POST /users/7/plans/1/downgrade', 'admin')",
            "INSERT INTO audit_outcomes (audit_id, finished_at, outcome) VALUES (1, 't', 'succeeded')",
        ] {
            sqlx::query(sql).execute(db.pool()).await.unwrap();
        }
        for sql in [
            "UPDATE audit_log SET seat_after = 'MEMBER'",
            "DELETE FROM audit_log",
            "UPDATE audit_outcomes SET outcome = 'failed'",
            "DELETE FROM audit_outcomes",
        ] {
            let error = sqlx::query(sql).execute(db.pool()).await.unwrap_err().to_string();
            assert!(error.contains("audit records are"), "{sql}: {error}");
        }
        sqlx::query("DELETE FROM profiles WHERE id = 1").execute(db.pool()).await.unwrap();
        let left: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM audit_outcomes)",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(left, 0);
    }

    #[tokio::test]
    async fn a_lock_is_held_by_one_holder_at_a_time_across_handles_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seatkeeper.db");
        // Two handles on one file stand for two processes (file locks do not tell them apart).
        let (app, cli) = (Db::open(&path).await.unwrap(), Db::open(&path).await.unwrap());
        let held = app.try_lock("job-7").unwrap().expect("free at first");
        assert!(cli.try_lock("job-7").unwrap().is_none(), "taken by the other handle");
        assert!(app.try_lock("job-7").unwrap().is_none(), "taken, also for its own holder's handle");
        assert!(cli.try_lock("job-8").unwrap().is_some(), "another name is free");
        assert!(dir.path().join("seatkeeper.db.locks/job-7.lock").exists());
        drop(held);
        assert!(cli.try_lock("job-7").unwrap().is_some(), "free again once dropped");

        let memory = Db::open_in_memory().await.unwrap();
        let held = memory.try_lock("job-7").unwrap().expect("free at first");
        assert!(memory.clone().try_lock("job-7").unwrap().is_none());
        drop(held);
        assert!(memory.try_lock("job-7").unwrap().is_some());
    }

    #[tokio::test]
    async fn file_database_is_created_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seatkeeper.db");
        let db = Db::open(&path).await.unwrap();
        assert!(path.exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(db.pool()).await.unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(db.pool()).await.unwrap();
        assert_eq!(fk, 1);
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(db.pool()).await.unwrap();
        assert_eq!(timeout, 5000);
        db.close().await;
        // Reopening an up-to-date database runs no migration and keeps the data.
        let db = Db::open(&path).await.unwrap();
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN \
             ('connections', 'profiles', 'profile_validations', 'scheduled_jobs')",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(tables, 4);
    }

    #[cfg(unix)]
    fn mode(path: &std::path::Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_database_its_wal_and_its_locks_are_private_to_their_user() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seatkeeper.db");
        // Opening migrates it: the WAL and shared-memory files exist from then on.
        let db = Db::open(&path).await.unwrap();
        let _lock = db.try_lock("job-1").unwrap().unwrap();
        for file in
            ["seatkeeper.db", "seatkeeper.db-wal", "seatkeeper.db-shm", "seatkeeper.db.locks/job-1.lock"]
        {
            assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
        }
        assert_eq!(mode(&dir.path().join("seatkeeper.db.locks")), 0o700);
        db.close().await;

        // Files an older version left readable by others are tightened when opened again.
        use std::os::unix::fs::PermissionsExt;
        for file in ["seatkeeper.db", "seatkeeper.db-wal", "seatkeeper.db-shm"] {
            let path = dir.path().join(file);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        std::fs::set_permissions(
            dir.path().join("seatkeeper.db.locks"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let db = Db::open(&path).await.unwrap();
        let _lock = db.try_lock("job-2").unwrap().unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("seatkeeper.db.locks")), 0o700);
        for file in ["seatkeeper.db-wal", "seatkeeper.db-shm"] {
            let path = dir.path().join(file);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{file}");
            }
        }
    }

    #[tokio::test]
    async fn in_memory_database_keeps_its_data_across_queries() {
        let db = Db::open_in_memory().await.unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(db.pool()).await.unwrap();
        assert_eq!(fk, 1);
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM profiles").fetch_one(db.pool()).await.unwrap();
        assert_eq!(n, 0);
    }
}
