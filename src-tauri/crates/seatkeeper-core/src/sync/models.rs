//! Software models, subscription identifiers and reclamation rules.
//!
//! A subscription identifier is Smartsheet's name for a kind of seat: a User Subscription Model
//! seat type (`MEMBER`, `PROVISIONAL_MEMBER`, `CONTRIBUTOR` — VIEWER is stored as CONTRIBUTOR —,
//! `GUEST`) or, on legacy plans, `Licensed` / `Unlicensed`. The first time a subscriptions download
//! sees a known identifier it creates its software model ("Smartsheet Member", …) with a default
//! reclamation rule (last activity threshold 60 days). An identifier Seatkeeper does not know
//! (a seat type Smartsheet added later) gets no model: it is Unrecognized until the admin maps it
//! with [`map_identifier`]; from then on every subscription with it uses that model.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, SqliteConnection};
use ts_rs::TS;

use crate::db::Db;
use crate::error::{Error, Result};

/// The default "Last activity threshold" of a generated reclamation rule, in days.
pub const DEFAULT_LAST_ACTIVITY_THRESHOLD_DAYS: i64 = 60;

/// Legacy plans' identifier for a licensed user (`licensedSheetCreator: true`).
pub const LEGACY_LICENSED: &str = "Licensed";
/// Legacy plans' identifier for a free user.
pub const LEGACY_UNLICENSED: &str = "Unlicensed";

/// The identifiers Seatkeeper knows: identifier, model name, paid.
const KNOWN: [(&str, &str, bool); 6] = [
    ("MEMBER", "Smartsheet Member", true),
    ("PROVISIONAL_MEMBER", "Smartsheet Provisional Member", false),
    ("CONTRIBUTOR", "Smartsheet Contributor", false),
    ("GUEST", "Smartsheet Guest", false),
    (LEGACY_LICENSED, "Smartsheet Licensed User", true),
    (LEGACY_UNLICENSED, "Smartsheet Unlicensed User", false),
];

/// The model name and whether it is paid, for a known identifier.
pub fn known_identifier(identifier: &str) -> Option<(&'static str, bool)> {
    KNOWN.iter().find(|(id, _, _)| *id == identifier).map(|(_, name, paid)| (*name, *paid))
}

/// A software model with its reclamation rule and how many open subscriptions use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, FromRow)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct SoftwareModel {
    pub id: i64,
    pub profile_id: i64,
    pub name: String,
    /// The identifier the model was generated for (none for a model the admin created).
    pub subscription_identifier: Option<String>,
    pub paid: bool,
    pub auto_created: bool,
    pub created_at: DateTime<Utc>,
    /// Open subscriptions linked to the model.
    pub subscription_count: i64,
    pub rule_id: Option<i64>,
    /// The reclamation rule's "Last activity threshold", in days.
    pub rule_last_activity_threshold_days: Option<i64>,
    pub rule_active: Option<bool>,
}

/// A subscription identifier with no software model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, FromRow)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "sync.ts")]
pub struct UnrecognizedIdentifier {
    pub id: i64,
    pub profile_id: i64,
    pub identifier: String,
    pub first_seen: DateTime<Utc>,
    /// Open subscriptions with this identifier.
    pub subscription_count: i64,
}

/// The software models of a profile, by name.
pub async fn list_models(db: &Db, profile_id: i64) -> Result<Vec<SoftwareModel>> {
    Ok(sqlx::query_as!(
        SoftwareModel,
        r#"SELECT m.id AS "id!", m.profile_id, m.name, m.subscription_identifier, m.paid AS "paid: bool",
               m.auto_created AS "auto_created: bool", m.created_at AS "created_at: DateTime<Utc>",
               -- Through the index of open seats by profile and model.
               (SELECT count(*) FROM software_subscriptions s
                 WHERE s.profile_id = m.profile_id AND s.model_id = m.id AND s.closed_at IS NULL)
                   AS "subscription_count!: i64",
               r.id AS "rule_id?", r.last_activity_threshold_days AS "rule_last_activity_threshold_days?",
               r.active AS "rule_active?: bool"
           FROM software_models m LEFT JOIN reclamation_rules r ON r.model_id = m.id
           WHERE m.profile_id = ? ORDER BY m.name, m.id"#,
        profile_id
    )
    .fetch_all(db.pool())
    .await?)
}

/// The profile's identifiers that no model covers yet.
pub async fn list_unrecognized_identifiers(db: &Db, profile_id: i64) -> Result<Vec<UnrecognizedIdentifier>> {
    Ok(sqlx::query_as::<_, UnrecognizedIdentifier>(
        "SELECT i.id, i.profile_id, i.identifier, i.first_seen, \
         (SELECT count(*) FROM software_subscriptions s WHERE s.profile_id = i.profile_id \
            AND s.identifier = i.identifier AND s.closed_at IS NULL) AS subscription_count \
         FROM subscription_identifiers i WHERE i.profile_id = ? AND i.model_id IS NULL ORDER BY i.identifier",
    )
    .bind(profile_id)
    .fetch_all(db.pool())
    .await?)
}

/// Maps an identifier of the profile to one of its models. The profile's subscriptions with that
/// identifier use the model at once, and every later download keeps using it.
pub async fn map_identifier(db: &Db, profile_id: i64, identifier: &str, model_id: i64) -> Result<()> {
    let mut tx = db.write().await?;
    map_in(&mut tx, profile_id, identifier, model_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a software model (see [`create_model`]) and maps the identifier to it, in one
/// transaction: either both are done, or neither. Returns the model's id.
pub async fn create_model_for_identifier(
    db: &Db,
    clock: &dyn crate::clock::Clock,
    profile_id: i64,
    identifier: &str,
    name: &str,
    paid: bool,
) -> Result<i64> {
    let mut tx = db.write().await?;
    let id = create_in(&mut tx, profile_id, name, paid, clock.now()).await?;
    map_in(&mut tx, profile_id, identifier, id).await?;
    tx.commit().await?;
    Ok(id)
}

async fn map_in(tx: &mut SqliteConnection, profile_id: i64, identifier: &str, model_id: i64) -> Result<()> {
    let owner: Option<i64> = sqlx::query_scalar("SELECT profile_id FROM software_models WHERE id = ?")
        .bind(model_id)
        .fetch_optional(&mut *tx)
        .await?;
    if owner != Some(profile_id) {
        return Err(Error::validation("modelId", "Choose a software model of this profile."));
    }
    let updated = sqlx::query(
        "UPDATE subscription_identifiers SET model_id = ? WHERE profile_id = ? AND identifier = ?",
    )
    .bind(model_id)
    .bind(profile_id)
    .bind(identifier)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(Error::NotFound(format!(
            "The subscription identifier “{identifier}” has not been seen for this profile. Refresh the list."
        )));
    }
    sqlx::query("UPDATE software_subscriptions SET model_id = ? WHERE profile_id = ? AND identifier = ?")
        .bind(model_id)
        .bind(profile_id)
        .bind(identifier)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Creates a software model by hand (to map an unrecognized identifier to), with a default
/// reclamation rule like the generated models. Returns its id.
pub async fn create_model(
    db: &Db,
    profile_id: i64,
    name: &str,
    paid: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = db.write().await?;
    let id = create_in(&mut tx, profile_id, name, paid, now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn create_in(
    tx: &mut SqliteConnection,
    profile_id: i64,
    name: &str,
    paid: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::validation("name", "Enter a name for the software model."));
    }
    if name.chars().count() > 100 {
        return Err(Error::validation("name", "A software model's name has at most 100 characters."));
    }
    crate::profiles::ensure_exists(&mut *tx, profile_id).await?;
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM software_models WHERE profile_id = ? AND name = ?")
            .bind(profile_id)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(Error::validation("name", format!("This profile already has a model named “{name}”.")));
    }
    insert_model(&mut *tx, profile_id, name, None, paid, false, now).await
}

/// The model of a known subscription identifier (`MEMBER`, `Licensed`) before any download has
/// seen it, made as a download would make it (the download then uses it). Returns its id; an
/// existing model of that identifier or name is returned as it is. For seeding (the demo's
/// entitlements).
pub async fn ensure_known_model(
    db: &Db,
    profile_id: i64,
    identifier: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (name, paid) = known_identifier(identifier).ok_or_else(|| {
        Error::validation("identifier", format!("“{identifier}” is not a Smartsheet seat type."))
    })?;
    let mut tx = db.write().await?;
    crate::profiles::ensure_exists(&mut tx, profile_id).await?;
    let id = match existing_model(&mut tx, profile_id, identifier, name).await? {
        Some(id) => id,
        None => insert_model(&mut tx, profile_id, name, Some(identifier), paid, true, now).await?,
    };
    tx.commit().await?;
    Ok(id)
}

/// A model of the profile made for `identifier` or named `name` (made by the admin, or generated
/// before for the same identifier): reused rather than made twice.
async fn existing_model(
    conn: &mut SqliteConnection,
    profile_id: i64,
    identifier: &str,
    name: &str,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM software_models WHERE profile_id = ? AND (subscription_identifier = ? OR name = ?)
           ORDER BY subscription_identifier IS NULL LIMIT 1"#,
        profile_id,
        identifier,
        name
    )
    .fetch_optional(conn)
    .await?)
}

async fn insert_model(
    conn: &mut SqliteConnection,
    profile_id: i64,
    name: &str,
    identifier: Option<&str>,
    paid: bool,
    auto_created: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO software_models (profile_id, name, subscription_identifier, paid, auto_created, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(profile_id)
    .bind(name)
    .bind(identifier)
    .bind(paid)
    .bind(auto_created)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO reclamation_rules (model_id, last_activity_threshold_days, active, created_at) \
         VALUES (?, ?, 1, ?)",
    )
    .bind(id)
    .bind(DEFAULT_LAST_ACTIVITY_THRESHOLD_DAYS)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// The identifiers of a profile as a download knows them: identifier → model (None = unrecognized).
pub(crate) struct Identifiers {
    profile_id: i64,
    known: HashMap<String, Option<i64>>,
}

impl Identifiers {
    pub(crate) async fn load(conn: &mut SqliteConnection, profile_id: i64) -> Result<Self> {
        let rows: Vec<(String, Option<i64>)> =
            sqlx::query_as("SELECT identifier, model_id FROM subscription_identifiers WHERE profile_id = ?")
                .bind(profile_id)
                .fetch_all(conn)
                .await?;
        Ok(Self { profile_id, known: rows.into_iter().collect() })
    }

    /// The model of `identifier`, recording the identifier (and, for a known one, creating its
    /// model and rule) on first sight. Returns the model and whether the identifier is new.
    pub(crate) async fn resolve(
        &mut self,
        conn: &mut SqliteConnection,
        identifier: &str,
        now: DateTime<Utc>,
    ) -> Result<(Option<i64>, bool)> {
        if let Some(model) = self.known.get(identifier) {
            return Ok((*model, false));
        }
        let model = match known_identifier(identifier) {
            Some((name, paid)) => match existing_model(conn, self.profile_id, identifier, name).await? {
                Some(id) => Some(id),
                None => {
                    Some(insert_model(conn, self.profile_id, name, Some(identifier), paid, true, now).await?)
                }
            },
            None => None,
        };
        sqlx::query(
            "INSERT INTO subscription_identifiers (profile_id, identifier, model_id, first_seen) VALUES (?, ?, ?, ?) \
             ON CONFLICT (profile_id, identifier) DO NOTHING",
        )
        .bind(self.profile_id)
        .bind(identifier)
        .bind(model)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        self.known.insert(identifier.to_owned(), model);
        Ok((model, true))
    }
}
