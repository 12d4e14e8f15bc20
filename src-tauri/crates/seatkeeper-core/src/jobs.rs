//! Scheduled jobs of published profiles: their rows (`engine.rs` runs them).
//!
//! A published profile has "Refresh `<Display Name>` Subscriptions" and, with Download activity on,
//! "Refresh `<Display Name>` Events", both daily. When a profile returns to Draft its jobs are
//! disabled (and the events job deleted when Download activity was cleared); publishing again
//! re-enables them and creates the missing ones.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, SqliteConnection};
use ts_rs::TS;

use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[ts(export, export_to = "jobs.ts")]
pub enum JobKind {
    Subscriptions,
    Events,
}

impl JobKind {
    /// The job's name for a profile, as the procedure names it.
    pub fn job_name(self, display_name: &str) -> String {
        match self {
            Self::Subscriptions => format!("Refresh {display_name} Subscriptions"),
            Self::Events => format!("Refresh {display_name} Events"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "jobs.ts")]
pub enum JobSchedule {
    Daily,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, FromRow)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "jobs.ts")]
pub struct ScheduledJob {
    pub id: i64,
    pub profile_id: i64,
    pub kind: JobKind,
    pub name: String,
    pub schedule: JobSchedule,
    pub enabled: bool,
    /// When the engine should run it next; the first run is due at publishing.
    pub next_run_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, profile_id, kind, name, schedule, enabled, next_run_at";

pub(crate) async fn list_for_profile(
    conn: &mut SqliteConnection,
    profile_id: i64,
) -> Result<Vec<ScheduledJob>> {
    let sql = format!("SELECT {COLUMNS} FROM scheduled_jobs WHERE profile_id = ? ORDER BY kind DESC");
    Ok(sqlx::query_as::<_, ScheduledJob>(&sql).bind(profile_id).fetch_all(conn).await?)
}

/// Makes the jobs of a profile that is being published exist, enabled and correctly named:
/// subscriptions always, events only with Download activity (an events job is removed otherwise).
pub(crate) async fn publish(
    conn: &mut SqliteConnection,
    profile_id: i64,
    display_name: &str,
    download_activity: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut kinds = vec![JobKind::Subscriptions];
    if download_activity {
        kinds.push(JobKind::Events);
    } else {
        delete(conn, profile_id, JobKind::Events).await?;
    }
    for kind in kinds {
        sqlx::query(
            "INSERT INTO scheduled_jobs (profile_id, kind, name, schedule, enabled, next_run_at, created_at) \
             VALUES (?, ?, ?, 'daily', 1, ?, ?) \
             ON CONFLICT (profile_id, kind) DO UPDATE SET name = excluded.name, enabled = 1, \
             next_run_at = excluded.next_run_at",
        )
        .bind(profile_id)
        .bind(kind)
        .bind(kind.job_name(display_name))
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Adds the events job to a published profile whose Download activity was turned on.
pub(crate) async fn add_events(
    conn: &mut SqliteConnection,
    profile_id: i64,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO scheduled_jobs (profile_id, kind, name, schedule, enabled, next_run_at, created_at) \
         VALUES (?, 'events', ?, 'daily', 1, ?, ?) ON CONFLICT (profile_id, kind) DO UPDATE SET enabled = 1",
    )
    .bind(profile_id)
    .bind(JobKind::Events.job_name(display_name))
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn delete(conn: &mut SqliteConnection, profile_id: i64, kind: JobKind) -> Result<()> {
    sqlx::query("DELETE FROM scheduled_jobs WHERE profile_id = ? AND kind = ?")
        .bind(profile_id)
        .bind(kind)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops all jobs of a profile that returned to Draft.
pub(crate) async fn disable_all(conn: &mut SqliteConnection, profile_id: i64) -> Result<()> {
    sqlx::query("UPDATE scheduled_jobs SET enabled = 0 WHERE profile_id = ?")
        .bind(profile_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Renames the jobs after the profile was renamed.
pub(crate) async fn rename(conn: &mut SqliteConnection, profile_id: i64, display_name: &str) -> Result<()> {
    for kind in [JobKind::Subscriptions, JobKind::Events] {
        sqlx::query("UPDATE scheduled_jobs SET name = ? WHERE profile_id = ? AND kind = ?")
            .bind(kind.job_name(display_name))
            .bind(profile_id)
            .bind(kind)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_follow_the_procedure() {
        assert_eq!(JobKind::Subscriptions.job_name("Acme"), "Refresh Acme Subscriptions");
        assert_eq!(JobKind::Events.job_name("Acme"), "Refresh Acme Events");
    }

    #[test]
    fn serialized_shape() {
        assert_eq!(serde_json::to_value(JobKind::Subscriptions).unwrap(), "Subscriptions");
        assert_eq!(serde_json::to_value(JobSchedule::Daily).unwrap(), "daily");
    }
}
