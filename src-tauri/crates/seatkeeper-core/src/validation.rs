//! Validate Connection: proves, read-only, that a profile's connection can do Seatkeeper's work.
//!
//! In order: the Connection URL reaches the Smartsheet API (`GET /serverinfo`), Smartsheet accepts
//! the API key (`GET /users/me`), the key's owner is a System Admin, and whether Event Reporting is
//! available (`GET /events`, one event of the last hour; a 403 means "not available" and is not a
//! failure). Only GET requests are made: nothing in Smartsheet changes.
//!
//! Each failure class has its own message telling the admin what to do. The latest result is
//! stored per profile (see [`crate::profiles`] for when it stops counting).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::clock::Clock;
use crate::connections::{client_for, region_clients, route, ClientOptions, ConnectionPreset};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::server_text;
use crate::smartsheet::{EventsRequest, EventsStart, SmartsheetClient, SmartsheetError, UserProfile};

/// Why a validation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[ts(export, export_to = "profiles.ts")]
pub enum ValidationFailure {
    /// The Connection URL cannot be used at all.
    InvalidUrl,
    /// Nothing answered at the Connection URL (DNS, refused, TLS, timeout, proxy).
    Unreachable,
    /// Something answered, but not the Smartsheet API.
    NotSmartsheet,
    /// Smartsheet did not accept the key (wrong, revoked, or another region's).
    InvalidToken,
    TokenExpired,
    SingleSignOnRequired,
    /// The key works but its owner is not a System Admin.
    NotSystemAdmin,
    RateLimited,
    /// Smartsheet failed on its side.
    ServerError,
    /// The key is not in the keychain any more.
    MissingApiKey,
    /// Anything else (an unexpected answer).
    Unexpected,
}

/// The latest Validate Connection result of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct ValidationResult {
    pub validated_at: DateTime<Utc>,
    pub ok: bool,
    pub failure: Option<ValidationFailure>,
    /// What was found, or what went wrong and what to do.
    pub message: String,
    /// The token owner's Smartsheet user id (never a removal candidate).
    pub owner_user_id: Option<i64>,
    pub owner_email: Option<String>,
    pub owner_name: Option<String>,
    pub owner_is_admin: Option<bool>,
    pub organization: Option<String>,
    /// Whether the organization's Event Reporting can be read with this key (null when the check
    /// was not reached).
    pub event_reporting: Option<bool>,
}

/// Validates the connection of a profile against Smartsheet and stores the result as the
/// profile's latest validation. A failed check is a result (`ok: false`), not an `Err`; errors are
/// for what prevents validating at all (no such profile, the keychain unavailable, the connection
/// changed meanwhile, the database).
pub async fn validate_connection(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    profile_id: i64,
    options: &ClientOptions,
) -> Result<ValidationResult> {
    let before = route(&mut *db.pool().acquire().await?, profile_id).await?;
    let now = clock.now();
    let result = match client_for(db, secrets, profile_id, options).await {
        Ok(client) => check(&client, now).await,
        Err(Error::KeyMissing(message)) => failed(now, ValidationFailure::MissingApiKey, message),
        // The Connection URL cannot be used with the stored key (a host not confirmed, a key
        // entered for another address).
        Err(Error::Conflict(message)) => failed(now, ValidationFailure::InvalidUrl, message),
        Err(Error::Smartsheet(e)) => from_error(now, &e, None),
        Err(e) => return Err(e),
    };
    // What the server said is kept at a readable length (a message may quote it).
    let result = ValidationResult {
        message: server_text::cap(&result.message, server_text::MAX_MESSAGE),
        owner_email: result.owner_email.map(|t| server_text::cap(&t, server_text::MAX_NAME)),
        owner_name: result.owner_name.map(|t| server_text::cap(&t, server_text::MAX_NAME)),
        organization: result.organization.map(|t| server_text::cap(&t, server_text::MAX_NAME)),
        ..result
    };
    tracing::info!(profile = profile_id, ok = result.ok, failure = ?result.failure, "validated connection");

    let mut tx = db.write().await?;
    let after = route(&mut tx, profile_id).await?;
    if (after.connection_id, &after.url, &after.key_id) != (before.connection_id, &before.url, &before.key_id)
    {
        return Err(Error::Conflict(format!(
            "The connection of “{}” changed while it was being validated. Validate it again.",
            after.display_name
        )));
    }
    sqlx::query!(
        "INSERT OR REPLACE INTO profile_validations (profile_id, validated_at, ok, failure, message, \
         owner_user_id, owner_email, owner_name, owner_is_admin, organization, event_reporting) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        profile_id,
        result.validated_at,
        result.ok,
        result.failure,
        result.message,
        result.owner_user_id,
        result.owner_email,
        result.owner_name,
        result.owner_is_admin,
        result.organization,
        result.event_reporting
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(result)
}

/// What Find the key's region found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct RegionSearch {
    /// The region whose Smartsheet accepted the key, if one did.
    pub region: Option<ConnectionPreset>,
    /// What was found and what to do.
    pub message: String,
}

/// After Smartsheet refused a profile's key, asks Smartsheet's other regions whether the key is
/// theirs (`GET /users/me` at each region's API host, read-only), and says which region it belongs
/// to. The key goes to those hosts only because the admin asked for this (see
/// [`region_clients`]). Nothing is stored: the admin changes the Connection URL and validates again.
pub async fn find_key_region(
    db: &Db,
    secrets: &dyn SecretStore,
    profile_id: i64,
    regions: &[ConnectionPreset],
    options: &ClientOptions,
) -> Result<RegionSearch> {
    let clients = region_clients(db, secrets, profile_id, regions, options).await?;
    let mut unreachable = Vec::new();
    let mut refused = Vec::new();
    for (region, client) in clients {
        match client.current_user().await {
            Ok(owner) => {
                let email = server_text::cap(&owner.email, server_text::MAX_NAME);
                let message = format!(
                    "This API key belongs to Smartsheet {} ({}): Smartsheet there accepted it, as {email}. Change \
                     the connection's Connection URL to {}, enter the API key again, then Validate Connection.",
                    region.label, region.url, region.url
                );
                tracing::info!(profile = profile_id, region = %region.label, "the key belongs to another region");
                return Ok(RegionSearch { region: Some(region), message });
            }
            Err(SmartsheetError::Unauthorized { .. }) => refused.push(region.label),
            Err(e) => {
                tracing::warn!(profile = profile_id, region = %region.label, "region check failed: {e}");
                unreachable.push(region.label);
            }
        }
    }
    let mut message = if refused.is_empty() {
        "No other Smartsheet region could be asked about this API key.".to_owned()
    } else {
        format!(
            "Smartsheet {} did not accept this API key either. Check that it was copied completely and has not \
             been revoked, or generate a new one (Apps & Integrations > API Access).",
            refused.join(", ")
        )
    };
    if !unreachable.is_empty() {
        message.push_str(&format!(
            " Smartsheet {} could not be reached; check this computer's network connection and try again.",
            unreachable.join(", ")
        ));
    }
    Ok(RegionSearch { region: None, message })
}

/// The checks themselves, read-only.
async fn check(client: &SmartsheetClient, now: DateTime<Utc>) -> ValidationResult {
    if let Err(e) = client.server_info().await {
        return from_error(now, &e, None);
    }
    let owner = match client.current_user().await {
        Ok(owner) => owner,
        Err(e) => return from_error(now, &e, None),
    };
    if !owner.is_system_admin() {
        let message = format!(
            "The API key belongs to {}, who is not a System Admin. Seatkeeper needs a System Admin's token \
             to read seats and reclaim them. Ask a System Admin to generate a token (Apps & Integrations > \
             API Access) and enter it as this connection's API Key.",
            owner.email
        );
        return with_owner(failed(now, ValidationFailure::NotSystemAdmin, message), &owner);
    }

    let mut probe =
        EventsRequest::new(EventsStart::Since { since: now - chrono::Duration::hours(1), to: None });
    probe.max_count = Some(1);
    let event_reporting = match client.events_page(&probe).await {
        Ok(_) => true,
        Err(SmartsheetError::Forbidden { .. }) => false,
        Err(e) => return from_error(now, &e, Some(&owner)),
    };

    let organization = owner.account.as_ref().and_then(|a| a.name.clone());
    let in_org = organization.as_deref().map(|name| format!(" in {name}")).unwrap_or_default();
    let activity = if event_reporting {
        "Event Reporting is available, so user activity will come from Smartsheet's event stream."
    } else {
        "Event Reporting is not available for this organization, so user activity will fall back to \
         last-login dates. For detailed activity, your organization needs Smartsheet's Event Reporting \
         add-on."
    };
    let message = format!("Connected to Smartsheet as {} (System Admin){in_org}. {activity}", owner.email);
    with_owner(
        ValidationResult {
            validated_at: now,
            ok: true,
            failure: None,
            message,
            owner_user_id: None,
            owner_email: None,
            owner_name: None,
            owner_is_admin: None,
            organization: None,
            event_reporting: Some(event_reporting),
        },
        &owner,
    )
}

fn failed(now: DateTime<Utc>, failure: ValidationFailure, message: String) -> ValidationResult {
    ValidationResult {
        validated_at: now,
        ok: false,
        failure: Some(failure),
        message,
        owner_user_id: None,
        owner_email: None,
        owner_name: None,
        owner_is_admin: None,
        organization: None,
        event_reporting: None,
    }
}

fn with_owner(mut result: ValidationResult, owner: &UserProfile) -> ValidationResult {
    let name = [owner.first_name.as_deref(), owner.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    result.owner_user_id = Some(owner.id);
    result.owner_email = Some(owner.email.clone());
    result.owner_name = (!name.is_empty()).then_some(name);
    result.owner_is_admin = Some(owner.is_system_admin());
    result.organization = owner.account.as_ref().and_then(|a| a.name.clone());
    result
}

fn reference(ref_id: &Option<String>) -> String {
    ref_id.as_deref().map(|id| format!(" Smartsheet reference: {id}.")).unwrap_or_default()
}

/// The failure class and message of a failed call.
fn from_error(now: DateTime<Utc>, error: &SmartsheetError, owner: Option<&UserProfile>) -> ValidationResult {
    use ValidationFailure as F;
    let (failure, message) = match error {
        SmartsheetError::InvalidUrl { .. } => (F::InvalidUrl, error.to_string()),
        SmartsheetError::Network { host, kind, detail, .. } => (
            F::Unreachable,
            format!(
                "Could not reach Smartsheet at {host}: {kind} ({detail}). Check the Connection URL, this \
                 computer's network connection, and any proxy or firewall between it and Smartsheet."
            ),
        ),
        SmartsheetError::UnexpectedResponse { .. } => (F::NotSmartsheet, error.to_string()),
        SmartsheetError::Unauthorized { code: 1002, ref_id, .. } => (
            F::InvalidToken,
            format!(
                "Smartsheet did not accept the API key (error 1002). Check that it was copied completely and \
                 has not been revoked. If your organization is on Smartsheet Gov, Europe or Australia, choose \
                 that region's Connection URL.{}",
                reference(ref_id)
            ),
        ),
        SmartsheetError::Unauthorized { code: 1003, ref_id, .. } => (
            F::TokenExpired,
            format!(
                "The API key has expired (error 1003). Generate a new token in Smartsheet > Apps & \
                 Integrations > API Access and enter it as this connection's API Key.{}",
                reference(ref_id)
            ),
        ),
        SmartsheetError::Unauthorized { code: 1005, .. } => (F::SingleSignOnRequired, error.to_string()),
        SmartsheetError::Unauthorized { .. } => (F::InvalidToken, error.to_string()),
        SmartsheetError::RateLimited { retry_after, ref_id } => (
            F::RateLimited,
            format!(
                "Smartsheet is limiting requests for this API key (error 4003){}. Wait a minute and validate \
                 again; other tools that use the same token share its limit of 300 requests per minute.{}",
                retry_after.map(|wait| format!(" and asked to wait {} seconds", wait.as_secs())).unwrap_or_default(),
                reference(ref_id)
            ),
        ),
        SmartsheetError::Server { status, code, message, ref_id } => {
            let what = match code {
                Some(4001) => "Smartsheet is offline for maintenance (error 4001)".to_owned(),
                Some(code) => format!("Smartsheet had an internal error (error {code}: {message})"),
                None => format!("Smartsheet answered with HTTP {status} ({message})"),
            };
            let contact = match ref_id {
                Some(id) => format!("contact Smartsheet support and give them the reference {id}"),
                None => "contact Smartsheet support".to_owned(),
            };
            (F::ServerError, format!("{what}. Validate again in a few minutes; if it keeps happening, {contact}."))
        }
        other => (F::Unexpected, other.to_string()),
    };
    let result = failed(now, failure, message);
    match owner {
        Some(owner) => with_owner(result, owner),
        None => result,
    }
}

pub(crate) async fn load(conn: &mut SqliteConnection, profile_id: i64) -> Result<Option<ValidationResult>> {
    Ok(sqlx::query_as!(
        ValidationResult,
        r#"SELECT validated_at AS "validated_at: DateTime<Utc>", ok AS "ok: bool",
               failure AS "failure: ValidationFailure", message, owner_user_id, owner_email, owner_name,
               owner_is_admin AS "owner_is_admin: bool", organization, event_reporting AS "event_reporting: bool"
           FROM profile_validations WHERE profile_id = ?"#,
        profile_id
    )
    .fetch_optional(conn)
    .await?)
}

pub(crate) async fn delete(conn: &mut SqliteConnection, profile_id: i64) -> Result<()> {
    sqlx::query!("DELETE FROM profile_validations WHERE profile_id = ?", profile_id).execute(conn).await?;
    Ok(())
}
