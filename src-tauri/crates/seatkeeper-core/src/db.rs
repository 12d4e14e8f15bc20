//! The SQLite database: opening it, pragmas, migrations.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::error::{Error, Result};

/// The migrations in `migrations/`, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// A pool of connections to Seatkeeper's database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens (creating it if missing) the database file at `path` and brings its schema up to date.
    /// WAL journal, foreign keys on, 5 s busy timeout, at most 4 connections, statement journals
    /// in memory and a page cache of up to 16 MiB per connection.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path.as_ref())
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
        Self::migrated(pool).await
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
        Self::migrated(pool).await
    }

    async fn migrated(pool: SqlitePool) -> Result<Self> {
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
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

    #[tokio::test]
    async fn in_memory_database_keeps_its_data_across_queries() {
        let db = Db::open_in_memory().await.unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(db.pool()).await.unwrap();
        assert_eq!(fk, 1);
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM profiles").fetch_one(db.pool()).await.unwrap();
        assert_eq!(n, 0);
    }
}
