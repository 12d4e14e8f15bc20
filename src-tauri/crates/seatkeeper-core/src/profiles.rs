//! Integration profiles: one Smartsheet organization being managed, and its lifecycle
//! (Draft → validated → Published → …).
//!
//! Rules, all checked here (the UI only mirrors them):
//! - Display Name: required, trimmed, single line, at most 100 characters, unique regardless of case.
//! - "Analyze user activity from": defaults to 60 days before today (start of that UTC day); may not
//!   be earlier than that nor in the future. An unchanged stored value stays valid as time passes.
//! - New profiles are Draft, saved with or without a Connection & Credential (the procedure saves
//!   the profile first and sets up its connection afterwards). Validate Connection and Publish need
//!   one; a Published profile always has one (the database refuses otherwise).
//! - A saved profile can be given a connection, or moved to another one ([`set_profile_connection`]):
//!   its validation is deleted and a Published profile returns to Draft.
//! - Publishing needs a successful validation of the profile as it is now
//!   (the validation is deleted whenever the connection's URL or key changes or Download activity is
//!   cleared) and creates the daily jobs.
//! - Clearing Download activity deletes the events job and the validation; a Published profile
//!   returns to Draft (its remaining job is disabled until it is published again). Returning to
//!   Draft, for this or for a changed connection, is [`return_to_draft`].
//! - Renaming renames the jobs.
//! - Deleting a profile deletes its jobs and validation, and its connection (with the key in the
//!   keychain) when no other profile uses it.

use chrono::{DateTime, Days, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::clock::Clock;
use crate::connections::{self, check_name, name_key, Connection, ConnectionInput, NewConnection};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::jobs::{self, JobKind, ScheduledJob};
use crate::secrets::SecretStore;
use crate::validation::{self, ValidationResult};

/// How far back "Analyze user activity from" may reach, in days.
pub const ACTIVITY_LOOKBACK_DAYS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[ts(export, export_to = "profiles.ts")]
pub enum ProfileStatus {
    Draft,
    Published,
}

/// The only profile type: "Smartsheet Subscription".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "profiles.ts")]
pub enum ProfileType {
    #[serde(rename = "Smartsheet Subscription")]
    SmartsheetSubscription,
}

/// An integration profile with everything the profile page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct Profile {
    pub id: i64,
    pub display_name: String,
    pub status: ProfileStatus,
    pub profile_type: ProfileType,
    /// Not set (null) for a Draft saved before its Connection & Credential was set up.
    pub connection: Option<Connection>,
    /// Always on (the procedure's "you can't clear it").
    pub download_subscriptions: bool,
    pub download_activity: bool,
    pub analyze_activity_from: DateTime<Utc>,
    pub reclaim_subscriptions: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// The latest Validate Connection result that still applies.
    pub last_validation: Option<ValidationResult>,
    pub jobs: Vec<ScheduledJob>,
    /// When a refresh job of this profile last succeeded (the profile list's "last sync").
    pub last_sync_at: Option<DateTime<Utc>>,
}

/// The profile form. Field errors name `displayName` or `analyzeActivityFrom`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct ProfileInput {
    pub display_name: String,
    pub download_activity: bool,
    /// `null`: the default on create (60 days back), unchanged on update.
    pub analyze_activity_from: Option<DateTime<Utc>>,
    pub reclaim_subscriptions: bool,
}

/// Which connection a profile uses: a new one, or one that other profiles already use.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind")]
#[ts(export, export_to = "profiles.ts")]
pub enum ConnectionChoice {
    #[serde(rename = "new")]
    New(ConnectionInput),
    /// Field errors name `connectionId`.
    #[serde(rename = "existing")]
    Existing {
        #[serde(rename = "connectionId")]
        connection_id: i64,
    },
}

/// The earliest allowed (and the default) "Analyze user activity from": the start of the UTC day
/// 60 days before `now`.
pub fn earliest_activity_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.date_naive().checked_sub_days(Days::new(ACTIVITY_LOOKBACK_DAYS)).expect("date in range");
    day.and_time(NaiveTime::MIN).and_utc()
}

/// A checked profile form.
struct ProfileFields {
    display_name: String,
    download_activity: bool,
    analyze_activity_from: DateTime<Utc>,
    reclaim_subscriptions: bool,
}

impl ProfileFields {
    fn check(input: ProfileInput, current: Option<&ProfileRow>, now: DateTime<Utc>) -> Result<Self> {
        const FIELD: &str = "analyzeActivityFrom";
        let display_name = check_name("displayName", "Display Name", "profile", &input.display_name)?;
        let earliest = earliest_activity_start(now);
        let analyze_activity_from = match (input.analyze_activity_from, current) {
            (None, None) => earliest,
            (None, Some(current)) => current.analyze_activity_from,
            (Some(from), Some(current)) if from == current.analyze_activity_from => from,
            (Some(from), _) if from > now => {
                return Err(Error::validation(
                    FIELD,
                    format!(
                        "“Analyze user activity from” cannot be in the future. Choose a date between {} and today.",
                        earliest.format("%Y-%m-%d")
                    ),
                ))
            }
            (Some(from), _) if from < earliest => {
                return Err(Error::validation(
                    FIELD,
                    format!(
                        "“Analyze user activity from” can go back at most {ACTIVITY_LOOKBACK_DAYS} days. Choose \
                         {} or later.",
                        earliest.format("%Y-%m-%d")
                    ),
                ))
            }
            (Some(from), _) => from,
        };
        Ok(Self {
            display_name,
            download_activity: input.download_activity,
            analyze_activity_from,
            reclaim_subscriptions: input.reclaim_subscriptions,
        })
    }
}

#[derive(Debug, Clone)]
struct ProfileRow {
    id: i64,
    display_name: String,
    status: ProfileStatus,
    connection_id: Option<i64>,
    download_activity: bool,
    analyze_activity_from: DateTime<Utc>,
    reclaim_subscriptions: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
}

async fn load_row(conn: &mut SqliteConnection, id: i64) -> Result<ProfileRow> {
    sqlx::query_as!(
        ProfileRow,
        r#"SELECT id, display_name, status AS "status: ProfileStatus", connection_id,
               download_activity AS "download_activity: bool", analyze_activity_from AS "analyze_activity_from: DateTime<Utc>",
               reclaim_subscriptions AS "reclaim_subscriptions: bool", created_at AS "created_at: DateTime<Utc>",
               updated_at AS "updated_at: DateTime<Utc>", published_at AS "published_at: DateTime<Utc>"
           FROM profiles WHERE id = ?"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| not_found(id))
}

/// `Ok` when the profile exists, else the NotFound error every profile-scoped call gives.
pub(crate) async fn ensure_exists(conn: &mut SqliteConnection, id: i64) -> Result<()> {
    let exists = sqlx::query_scalar!("SELECT id FROM profiles WHERE id = ?", id).fetch_optional(conn).await?;
    exists.map(|_| ()).ok_or_else(|| not_found(id))
}

/// What Validate Connection and Publish say of a Draft saved without its Connection & Credential.
pub(crate) fn no_connection(display_name: &str) -> Error {
    Error::Conflict(format!(
        "“{display_name}” has no Connection & Credential yet. Select Create New Connection & Credential on the \
         profile (or use an existing connection), then Validate Connection and Publish."
    ))
}

pub(crate) fn not_found(id: i64) -> Error {
    Error::NotFound(format!(
        "The integration profile (id {id}) no longer exists; it may have been deleted. Refresh the list of \
         profiles."
    ))
}

async fn assemble(conn: &mut SqliteConnection, row: ProfileRow) -> Result<Profile> {
    let connection = match row.connection_id {
        Some(id) => Some(connections::load(conn, id).await?),
        None => None,
    };
    let last_validation = validation::load(conn, row.id).await?;
    let jobs = jobs::list_for_profile(conn, row.id).await?;
    let last_sync_at = sqlx::query_scalar!(
        r#"SELECT MAX(r.finished_at) AS "last_sync_at?: DateTime<Utc>" FROM job_results r
           JOIN scheduled_jobs j ON j.id = r.job_id WHERE j.profile_id = ? AND r.status = 'succeeded'"#,
        row.id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Profile {
        id: row.id,
        display_name: row.display_name,
        status: row.status,
        profile_type: ProfileType::SmartsheetSubscription,
        connection,
        download_subscriptions: true,
        download_activity: row.download_activity,
        analyze_activity_from: row.analyze_activity_from,
        reclaim_subscriptions: row.reclaim_subscriptions,
        created_at: row.created_at,
        updated_at: row.updated_at,
        published_at: row.published_at,
        last_validation,
        jobs,
        last_sync_at,
    })
}

async fn load(conn: &mut SqliteConnection, id: i64) -> Result<Profile> {
    let row = load_row(conn, id).await?;
    assemble(conn, row).await
}

async fn ensure_display_name_free(
    conn: &mut SqliteConnection,
    name: &str,
    except: Option<i64>,
) -> Result<()> {
    let key = name_key(name);
    let taken = sqlx::query_scalar!(
        "SELECT id FROM profiles WHERE display_name_key = ? AND id IS NOT ?",
        key,
        except
    )
    .fetch_optional(conn)
    .await?;
    match taken {
        Some(_) => Err(Error::validation(
            "displayName",
            format!("A profile named “{name}” already exists. Choose another Display Name."),
        )),
        None => Ok(()),
    }
}

async fn insert(
    conn: &mut SqliteConnection,
    fields: &ProfileFields,
    connection_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let key = name_key(&fields.display_name);
    let id = sqlx::query_scalar!(
        "INSERT INTO profiles (display_name, display_name_key, status, connection_id, download_activity, \
         analyze_activity_from, reclaim_subscriptions, created_at, updated_at) \
         VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?) RETURNING id AS \"id!\"",
        fields.display_name,
        key,
        connection_id,
        fields.download_activity,
        fields.analyze_activity_from,
        fields.reclaim_subscriptions,
        now,
        now
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Creates a Draft profile: with no connection yet (Save first, as in the procedure), with a new
/// connection (its key goes to the keychain first; nothing is written to the database if that
/// fails, and the key is removed again if the database write fails), or sharing an existing one.
pub async fn create_profile(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    input: ProfileInput,
    connection: Option<ConnectionChoice>,
) -> Result<Profile> {
    let now = clock.now();
    let fields = ProfileFields::check(input, None, now)?;
    // Taken names are reported before the keychain is touched.
    ensure_display_name_free(&mut *db.pool().acquire().await?, &fields.display_name, None).await?;
    let chosen = match connection {
        Some(choice) => Some(Chosen::prepare(db, secrets, choice).await?),
        None => None,
    };
    let written = async {
        let mut tx = db.write().await?;
        ensure_display_name_free(&mut tx, &fields.display_name, None).await?;
        let connection_id = match &chosen {
            Some(chosen) => Some(chosen.resolve(&mut tx, now).await?),
            None => None,
        };
        let id = insert(&mut tx, &fields, connection_id, now).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    let id = Chosen::settle(chosen, secrets, written).await?;
    get_profile(db, id).await
}

/// Gives a saved profile its Connection & Credential, or moves it to another one (a new one, or one
/// that other profiles use: the procedure's child aliases). A changed connection voids what was
/// validated: the validation is deleted and a Published profile returns to Draft with its jobs
/// disabled, until it is validated and published again. The connection it leaves stays, for the
/// profiles that still use it or to be deleted on the Connection & Credential screen.
pub async fn set_profile_connection(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    id: i64,
    choice: ConnectionChoice,
) -> Result<Profile> {
    let now = clock.now();
    ensure_exists(&mut *db.pool().acquire().await?, id).await?;
    let chosen = Chosen::prepare(db, secrets, choice).await?;
    let written = async {
        let mut tx = db.write().await?;
        let current = load_row(&mut tx, id).await?;
        let connection_id = chosen.resolve(&mut tx, now).await?;
        if current.connection_id != Some(connection_id) {
            sqlx::query!(
                "UPDATE profiles SET connection_id = ?, updated_at = ? WHERE id = ?",
                connection_id,
                now,
                id
            )
            .execute(&mut *tx)
            .await?;
            validation::delete(&mut tx, id).await?;
            return_to_draft(&mut tx, id, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    Chosen::settle(Some(chosen), secrets, written).await?;
    get_profile(db, id).await
}

/// A connection choice made ready to be saved with a profile: an existing connection, or a new
/// one whose key is already in the keychain under `key_id`.
enum Chosen {
    Existing(i64),
    New { new: NewConnection, key_id: String },
}

impl Chosen {
    /// Checks the choice and, for a new connection, stores its key in the keychain (after checking
    /// that its Name is free, so that a taken name touches nothing).
    async fn prepare(db: &Db, secrets: &dyn SecretStore, choice: ConnectionChoice) -> Result<Self> {
        match choice {
            ConnectionChoice::Existing { connection_id } => Ok(Self::Existing(connection_id)),
            ConnectionChoice::New(input) => {
                let new = NewConnection::from_input(input)?;
                connections::ensure_name_free(&mut *db.pool().acquire().await?, &new.name, None).await?;
                let key_id = connections::store_new_key(secrets, &new.token).await?;
                Ok(Self::New { new, key_id })
            }
        }
    }

    /// The connection's id, in the transaction that saves the profile: an existing connection must
    /// still exist (a field error on `connectionId` otherwise); a new one is inserted.
    async fn resolve(&self, tx: &mut SqliteConnection, now: DateTime<Utc>) -> Result<i64> {
        match self {
            Self::Existing(connection_id) => {
                connections::load_row(tx, *connection_id).await.map_err(|e| match e {
                    Error::NotFound(message) => Error::validation("connectionId", message),
                    other => other,
                })?;
                Ok(*connection_id)
            }
            Self::New { new, key_id } => {
                connections::ensure_name_free(tx, &new.name, None).await?;
                connections::insert(tx, new, key_id, false, now).await
            }
        }
    }

    /// After the transaction: a new key whose save failed is removed from the keychain again, so
    /// that a failed save leaves neither the row nor the key.
    async fn settle<T>(chosen: Option<Self>, secrets: &dyn SecretStore, written: Result<T>) -> Result<T> {
        if let (Err(_), Some(Self::New { key_id, .. })) = (&written, &chosen) {
            connections::forget_key(secrets, key_id).await;
        }
        written
    }
}

/// Saves the profile form. See the module documentation for what a change does to the status,
/// the validation and the jobs.
pub async fn update_profile(db: &Db, clock: &dyn Clock, id: i64, input: ProfileInput) -> Result<Profile> {
    let now = clock.now();
    let mut tx = db.write().await?;
    let current = load_row(&mut tx, id).await?;
    let fields = ProfileFields::check(input, Some(&current), now)?;
    ensure_display_name_free(&mut tx, &fields.display_name, Some(id)).await?;

    if fields.display_name != current.display_name {
        jobs::rename(&mut tx, id, &fields.display_name).await?;
    }
    let mut published = current.status == ProfileStatus::Published;
    if current.download_activity && !fields.download_activity {
        // The procedure: revalidate and republish; the activity job is deleted.
        validation::delete(&mut tx, id).await?;
        jobs::delete(&mut tx, id, JobKind::Events).await?;
        return_to_draft(&mut tx, id, now).await?;
        published = false;
    }
    if !current.download_activity && fields.download_activity && published {
        jobs::add(&mut tx, id, JobKind::Events, &fields.display_name, now).await?;
    }
    let key = name_key(&fields.display_name);
    sqlx::query!(
        "UPDATE profiles SET display_name = ?, display_name_key = ?, download_activity = ?, analyze_activity_from = ?, \
         reclaim_subscriptions = ?, updated_at = ? WHERE id = ?",
        fields.display_name,
        key,
        fields.download_activity,
        fields.analyze_activity_from,
        fields.reclaim_subscriptions,
        now,
        id
    )
    .execute(&mut *tx)
    .await?;
    let profile = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(profile)
}

/// Returns a profile to Draft (it must be validated and published again before its jobs run):
/// Draft, not published, its jobs disabled. A Draft stays as it is. The caller removes the
/// validation when what it vouched for changed.
pub(crate) async fn return_to_draft(conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<()> {
    let changed = sqlx::query!(
        "UPDATE profiles SET status = 'draft', published_at = NULL, updated_at = ? WHERE id = ? AND status = 'published'",
        now,
        id
    )
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() > 0 {
        jobs::disable_all(conn, id).await?;
    }
    Ok(())
}

/// Publishes a Draft profile whose latest validation succeeded, and creates its jobs. Publishing a
/// Published profile changes nothing.
pub async fn publish_profile(db: &Db, clock: &dyn Clock, id: i64) -> Result<Profile> {
    let now = clock.now();
    let mut tx = db.write().await?;
    let row = load_row(&mut tx, id).await?;
    if row.status == ProfileStatus::Published {
        return load(&mut tx, id).await;
    }
    if row.connection_id.is_none() {
        return Err(no_connection(&row.display_name));
    }
    match validation::load(&mut tx, id).await? {
        None => {
            return Err(Error::Conflict(format!(
                "“{}” cannot be published yet: its connection has not been validated since it was last \
                 changed. Select Validate Connection, then Publish.",
                row.display_name
            )))
        }
        Some(v) if !v.ok => {
            return Err(Error::Conflict(format!(
                "“{}” cannot be published: the last connection validation failed ({}) Fix the connection, \
                 validate it again, then Publish.",
                row.display_name, v.message
            )))
        }
        Some(_) => {}
    }
    sqlx::query!(
        "UPDATE profiles SET status = 'published', published_at = ?, updated_at = ? WHERE id = ?",
        now,
        now,
        id
    )
    .execute(&mut *tx)
    .await?;
    let settings = jobs::JobSettings { download_activity: row.download_activity };
    jobs::publish(&mut tx, id, &row.display_name, settings, now).await?;
    let profile = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(profile)
}

/// Deletes a profile with its jobs and validation. When no other profile uses its connection, the
/// connection goes too, and its key is removed from the keychain before the deletion is committed
/// (if the keychain cannot be reached, nothing is deleted).
pub async fn delete_profile(db: &Db, secrets: &dyn SecretStore, id: i64) -> Result<()> {
    let mut tx = db.write().await?;
    let row = load_row(&mut tx, id).await?;
    sqlx::query!("DELETE FROM profiles WHERE id = ?", id).execute(&mut *tx).await?;
    if let Some(connection_id) = row.connection_id {
        let connection = connections::load_row(&mut tx, connection_id).await?;
        let others =
            sqlx::query_scalar!("SELECT count(*) FROM profiles WHERE connection_id = ?", connection.id)
                .fetch_one(&mut *tx)
                .await?;
        if others == 0 {
            sqlx::query!("DELETE FROM connections WHERE id = ?", connection.id).execute(&mut *tx).await?;
            secrets.delete(&connection.key_id).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn get_profile(db: &Db, id: i64) -> Result<Profile> {
    let mut conn = db.pool().acquire().await?;
    load(&mut conn, id).await
}

/// All profiles, by Display Name.
pub async fn list_profiles(db: &Db) -> Result<Vec<Profile>> {
    let mut conn = db.pool().acquire().await?;
    let rows = sqlx::query_as!(
        ProfileRow,
        r#"SELECT id AS "id!", display_name, status AS "status: ProfileStatus", connection_id,
               download_activity AS "download_activity: bool", analyze_activity_from AS "analyze_activity_from: DateTime<Utc>",
               reclaim_subscriptions AS "reclaim_subscriptions: bool", created_at AS "created_at: DateTime<Utc>",
               updated_at AS "updated_at: DateTime<Utc>", published_at AS "published_at: DateTime<Utc>"
           FROM profiles ORDER BY display_name_key, id"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut profiles = Vec::with_capacity(rows.len());
    for row in rows {
        profiles.push(assemble(&mut conn, row).await?);
    }
    Ok(profiles)
}

/// The default "Analyze user activity from" for a new profile, for the form.
pub fn default_activity_start(clock: &dyn Clock) -> DateTime<Utc> {
    earliest_activity_start(clock.now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn earliest_activity_start_is_the_start_of_the_day_60_days_back() {
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 15, 30, 0).unwrap();
        assert_eq!(earliest_activity_start(now), Utc.with_ymd_and_hms(2026, 9, 30, 0, 0, 0).unwrap());
    }

    #[test]
    fn serialized_enums() {
        assert_eq!(
            serde_json::to_value(ProfileType::SmartsheetSubscription).unwrap(),
            "Smartsheet Subscription"
        );
        assert_eq!(serde_json::to_value(ProfileStatus::Draft).unwrap(), "Draft");
        let choice: ConnectionChoice =
            serde_json::from_value(serde_json::json!({"kind": "existing", "connectionId": 4})).unwrap();
        assert!(matches!(choice, ConnectionChoice::Existing { connection_id: 4 }));
        let choice: ConnectionChoice = serde_json::from_value(
            serde_json::json!({"kind": "new", "name": "n", "url": "u", "apiKey": "k"}),
        )
        .unwrap();
        assert!(
            matches!(choice, ConnectionChoice::New(ConnectionInput { ref api_key, .. }) if api_key == "k")
        );
    }
}
