//! Connection & credential aliases: where and how to reach Smartsheet, and the one route from a
//! profile to its Smartsheet client ([`client_for`]).
//!
//! A connection has a Name, a Connection URL (the region's API address) and an API Key. The key is
//! only ever in the system keychain, under a random key id that the database keeps; the database,
//! every returned struct, logs and errors only ever see its last four characters.
//!
//! Where the key may go, checked when a connection is saved and again before every use:
//! - the Connection URL's host is one of Smartsheet's four regional API hosts, loopback (a
//!   simulator on this computer), or a host the admin confirmed after a warning that names it
//!   (`trustedHost`);
//! - the key goes only to the origin (scheme, host and port) it was entered for: a Connection URL
//!   on another origin needs the key entered again;
//! - loopback requests never go through a proxy (see the Smartsheet client).
//!
//! The demo organization's connection is marked as such (`isDemo`), never recognised by its name.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;
use url::Url;

use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::smartsheet::{
    is_loopback, ApiToken, ClientConfig, RetryPolicy, SmartsheetClient, TokenError, BASE_URL_AU, BASE_URL_EU,
    BASE_URL_GOV, BASE_URL_US,
};

/// Longest Name of a connection, in characters.
pub const MAX_NAME_LEN: usize = 100;

/// A connection & credential alias as the UI sees it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct Connection {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// The API key's last four characters ("…1a2b"); null for keys too short to show any.
    pub key_last_four: Option<String>,
    /// A host that is not one of Smartsheet's, which the admin confirmed the key may go to.
    pub trusted_host: Option<String>,
    /// The demo organization's connection (its URL always points at the simulated organization).
    pub is_demo: bool,
    /// How many profiles use this connection.
    pub profile_count: i64,
}

/// A Connection URL offered in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "profiles.ts")]
pub struct ConnectionPreset {
    pub label: String,
    pub url: String,
}

const REGIONS: [(&str, &str); 4] =
    [("US", BASE_URL_US), ("Gov", BASE_URL_GOV), ("Europe", BASE_URL_EU), ("Australia", BASE_URL_AU)];

/// The Smartsheet regions' API addresses, US first (the default).
pub fn connection_presets() -> Vec<ConnectionPreset> {
    REGIONS
        .into_iter()
        .map(|(label, url)| ConnectionPreset { label: label.to_owned(), url: url.to_owned() })
        .collect()
}

/// Smartsheet's API hosts, one per region.
fn smartsheet_hosts() -> impl Iterator<Item = &'static str> {
    REGIONS.into_iter().filter_map(|(_, url)| url.strip_prefix("https://")?.split('/').next())
}

/// The host of a (valid) Connection URL that is neither one of Smartsheet's API hosts nor
/// loopback, so that sending the key there needs the admin's confirmation; None when it is one of
/// them (or the URL is not valid at all, which [`normalize_url`] reports).
pub fn host_needing_confirmation(url: &str) -> Option<String> {
    let url = Url::parse(url.trim()).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    if is_loopback(&url) || smartsheet_hosts().any(|known| known == host) {
        return None;
    }
    Some(host)
}

/// What may be stored as the confirmed host of `url` (already normalized): None for Smartsheet's
/// hosts and loopback; the host when the admin confirmed exactly it (`trusted`); otherwise a field
/// error on `url` that names the host and says what confirming means.
fn check_host(url: &str, trusted: Option<&str>) -> Result<Option<String>> {
    let Some(host) = host_needing_confirmation(url) else { return Ok(None) };
    if trusted.is_some_and(|t| t.trim().eq_ignore_ascii_case(&host)) {
        return Ok(Some(host));
    }
    let known = smartsheet_hosts().collect::<Vec<_>>().join(", ");
    Err(Error::validation(
        "url",
        format!(
            "{host} is not one of Smartsheet's API hosts ({known}). Seatkeeper would send your API key to \
             {host}. Choose your region's Connection URL, or, only if you are sure the key should go there \
             (for example a gateway your company runs in front of Smartsheet), confirm it under the Connection \
             URL."
        ),
    ))
}

/// The origin a key is bound to: `scheme://host[:port]` of a Connection URL.
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// [`origin`] of a Connection URL already normalized (so it parses).
fn origin_of(url: &str) -> Result<String> {
    Url::parse(url).map(|url| origin(&url)).map_err(|e| Error::Internal(format!("{url}: {e}")))
}

/// A new connection as entered in the form. Field errors name `name`, `url` or `apiKey`.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct ConnectionInput {
    pub name: String,
    pub url: String,
    /// The API access token as pasted; turned into an [`ApiToken`] at once.
    pub api_key: String,
    /// The Connection URL's host, when it is not one of Smartsheet's and the admin confirmed that
    /// the key may go there (see [`host_needing_confirmation`]).
    #[ts(optional)]
    #[serde(default)]
    pub trusted_host: Option<String>,
}

impl fmt::Debug for ConnectionInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionInput")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("api_key", &"[redacted]")
            .field("trusted_host", &self.trusted_host)
            .finish()
    }
}

/// Changes to a connection. A missing or blank `apiKey` keeps the current key, unless the
/// Connection URL moves to another origin (then the key must be entered again).
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct ConnectionUpdate {
    pub name: String,
    pub url: String,
    #[ts(optional)]
    #[serde(default)]
    pub api_key: Option<String>,
    /// As in [`ConnectionInput::trusted_host`]. A host confirmed earlier stays confirmed while
    /// the URL keeps it.
    #[ts(optional)]
    #[serde(default)]
    pub trusted_host: Option<String>,
}

impl fmt::Debug for ConnectionUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionUpdate")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("trusted_host", &self.trusted_host)
            .finish()
    }
}

/// A validated new connection.
#[derive(Debug)]
pub(crate) struct NewConnection {
    pub name: String,
    pub url: String,
    pub token: ApiToken,
    pub trusted_host: Option<String>,
}

impl NewConnection {
    pub fn from_input(input: ConnectionInput) -> Result<Self> {
        let ConnectionInput { name, url, api_key, trusted_host } = input;
        let name = normalize_name(&name)?;
        let url = normalize_url(&url)?;
        let trusted_host = check_host(&url, trusted_host.as_deref())?;
        Ok(Self { name, url, token: parse_api_key(api_key)?, trusted_host })
    }
}

/// The case-folded form of a name, for uniqueness regardless of case.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A required, trimmed, single-line name of at most 100 characters.
pub(crate) fn check_name(field: &str, label: &str, what: &str, value: &str) -> Result<String> {
    let name = value.trim();
    if name.is_empty() {
        return Err(Error::validation(field, format!("Enter a {label} for the {what}.")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            format!("The {label} cannot contain line breaks, tabs or other control characters."),
        ));
    }
    let len = name.chars().count();
    if len > MAX_NAME_LEN {
        return Err(Error::validation(
            field,
            format!("The {label} can be at most {MAX_NAME_LEN} characters long (this one has {len})."),
        ));
    }
    Ok(name.to_owned())
}

fn normalize_name(value: &str) -> Result<String> {
    check_name("name", "Name", "connection", value)
}

/// Checks a Connection URL and returns it normalized, without a trailing slash. A bare host (as in
/// the procedure, e.g. `https://api.smartsheet.eu/`) gets the API path `/2.0`.
pub fn normalize_url(value: &str) -> Result<String> {
    const FIELD: &str = "url";
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::validation(
            FIELD,
            format!("Enter the Connection URL of your Smartsheet region, for example {BASE_URL_US} (US)."),
        ));
    }
    let invalid = |why: &str| Err(Error::validation(FIELD, format!("The Connection URL {why}.")));
    let mut url = match Url::parse(value) {
        Ok(url) => url,
        Err(_) => {
            return invalid(&format!(
                "is not a valid web address. Use the API address of your Smartsheet region, for example \
                 {BASE_URL_US}"
            ))
        }
    };
    if url.host().is_none() {
        return invalid("has no host name. Use for example https://api.smartsheet.com/2.0");
    }
    let loopback = is_loopback(&url);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return invalid(
                "must start with https:// (plain http:// is only allowed for a simulator on this computer)",
            )
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return invalid("must not contain a user name or password. Enter the API key in the API Key field");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return invalid("must not contain '?' or '#'. Use only the API address, for example https://api.smartsheet.com/2.0");
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(if path.is_empty() { "/2.0" } else { &path });
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Turns the pasted API key into a token, or a field error on `apiKey`.
pub(crate) fn parse_api_key(value: String) -> Result<ApiToken> {
    ApiToken::new(value).map_err(|e| {
        let message = match e {
            TokenError::Empty => "Enter the API Key: the API access token you generated in Smartsheet \
                                  (Apps & Integrations > API Access)."
                .to_owned(),
            TokenError::InvalidCharacters => e.to_string(),
        };
        Error::validation("apiKey", message)
    })
}

/// A fresh, random keychain id for a key.
pub(crate) fn new_key_id() -> String {
    format!("key-{}", uuid::Uuid::new_v4().simple())
}

/// What the database knows about a connection's key and where it may go.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub key_id: String,
    pub key_origin: String,
    pub key_last_four: Option<String>,
    pub trusted_host: Option<String>,
    pub is_demo: bool,
}

pub(crate) async fn load(conn: &mut SqliteConnection, id: i64) -> Result<Connection> {
    sqlx::query_as!(
        Connection,
        r#"SELECT c.id, c.name, c.url, c.key_last_four, c.trusted_host, c.is_demo AS "is_demo: bool",
               (SELECT count(*) FROM profiles p WHERE p.connection_id = c.id) AS "profile_count!: i64"
           FROM connections c WHERE c.id = ?"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| not_found(id))
}

pub(crate) async fn load_row(conn: &mut SqliteConnection, id: i64) -> Result<ConnectionRow> {
    sqlx::query_as!(
        ConnectionRow,
        r#"SELECT id, name, url, key_id, key_origin, key_last_four, trusted_host, is_demo AS "is_demo: bool"
           FROM connections WHERE id = ?"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| not_found(id))
}

fn not_found(id: i64) -> Error {
    Error::NotFound(format!(
        "The connection (id {id}) no longer exists; it may have been deleted with its last profile. \
         Refresh and choose another connection or create a new one."
    ))
}

/// Refuses a Name that another connection already has (ignoring case).
pub(crate) async fn ensure_name_free(
    conn: &mut SqliteConnection,
    name: &str,
    except: Option<i64>,
) -> Result<()> {
    let key = name_key(name);
    let taken =
        sqlx::query_scalar!("SELECT id FROM connections WHERE name_key = ? AND id IS NOT ?", key, except)
            .fetch_optional(conn)
            .await?;
    match taken {
        Some(_) => Err(Error::validation(
            "name",
            format!(
                "A connection named “{name}” already exists. Choose another Name, or use that connection."
            ),
        )),
        None => Ok(()),
    }
}

pub(crate) async fn insert(
    conn: &mut SqliteConnection,
    new: &NewConnection,
    key_id: &str,
    is_demo: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let key = name_key(&new.name);
    let key_origin = origin_of(&new.url)?;
    let last_four = new.token.last_four();
    let id = sqlx::query_scalar!(
        "INSERT INTO connections (name, name_key, url, key_id, key_origin, key_last_four, trusted_host, is_demo, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        new.name,
        key,
        new.url,
        key_id,
        key_origin,
        last_four,
        new.trusted_host,
        is_demo,
        now,
        now
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// All connections, by name.
pub async fn list_connections(db: &Db) -> Result<Vec<Connection>> {
    Ok(sqlx::query_as!(
        Connection,
        r#"SELECT c.id AS "id!", c.name, c.url, c.key_last_four, c.trusted_host, c.is_demo AS "is_demo: bool",
               (SELECT count(*) FROM profiles p WHERE p.connection_id = c.id) AS "profile_count!: i64"
           FROM connections c ORDER BY c.name_key, c.id"#
    )
    .fetch_all(db.pool())
    .await?)
}

/// Renames a connection and/or gives it a new URL or API key.
///
/// - A URL on another origin (scheme, host or port) needs the API key entered again: the stored
///   key is never sent anywhere but where it was entered for.
/// - A host that is not one of Smartsheet's needs the admin's confirmation (`trustedHost`).
/// - The demo organization's URL cannot be changed (it always points at the simulated
///   organization).
/// - A new URL or key invalidates what was validated: every profile that uses the connection
///   loses its validation, and a Published one returns to Draft with its jobs disabled, until it
///   is validated and published again.
///
/// The new key is stored under a new key id before the database is changed (and removed again if
/// that fails); the old key is removed afterwards.
pub async fn update_connection(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    id: i64,
    update: ConnectionUpdate,
) -> Result<Connection> {
    change_connection(db, secrets, clock, id, update, DemoUrl::Fixed).await
}

/// Deletes a connection that no profile uses, with its API key: the key is removed from the
/// keychain before the deletion is committed (if the keychain cannot be reached, nothing is
/// deleted). A connection in use is refused with the names of the profiles that use it.
pub async fn delete_connection(db: &Db, secrets: &dyn SecretStore, id: i64) -> Result<()> {
    let mut tx = db.write().await?;
    let row = load_row(&mut tx, id).await?;
    let users = sqlx::query_scalar!(
        "SELECT display_name FROM profiles WHERE connection_id = ? ORDER BY display_name_key",
        id
    )
    .fetch_all(&mut *tx)
    .await?;
    if !users.is_empty() {
        let names = users.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", ");
        return Err(Error::Conflict(format!(
            "The connection “{}” is used by {} ({names}). Move {} to another connection, or delete {}, before \
             deleting it.",
            row.name,
            if users.len() == 1 { "a profile".to_owned() } else { format!("{} profiles", users.len()) },
            if users.len() == 1 { "it" } else { "them" },
            if users.len() == 1 { "it" } else { "them" },
        )));
    }
    sqlx::query!("DELETE FROM connections WHERE id = ?", id).execute(&mut *tx).await?;
    secrets.delete(&row.key_id).await?;
    tx.commit().await?;
    tracing::info!(connection = id, "deleted an unused connection");
    Ok(())
}

/// Whether a change may move the demo organization's connection (only the demo itself does).
#[derive(Clone, Copy, PartialEq, Eq)]
enum DemoUrl {
    Fixed,
    Movable,
}

/// [`update_connection`], and the demo moving its own connection to where its organization runs.
async fn change_connection(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    id: i64,
    update: ConnectionUpdate,
    demo_url: DemoUrl,
) -> Result<Connection> {
    let ConnectionUpdate { name, url, api_key, trusted_host } = update;
    let name = normalize_name(&name)?;
    let url = normalize_url(&url)?;
    let token = api_key.filter(|key| !key.trim().is_empty()).map(parse_api_key).transpose()?;
    let checked = |current: &ConnectionRow| -> Result<Option<String>> {
        if demo_url == DemoUrl::Fixed && current.is_demo && current.url != url {
            return Err(Error::validation(
                "url",
                "This is the demo organization's connection: its Connection URL always points at the simulated \
                 organization. To connect your own Smartsheet organization, create a new connection.",
            ));
        }
        check_change(current, &url, token.is_some(), trusted_host.as_deref())
    };
    {
        // Report a missing connection, a refused change or a taken name before touching the
        // keychain.
        let mut conn = db.pool().acquire().await?;
        checked(&load_row(&mut conn, id).await?)?;
        ensure_name_free(&mut conn, &name, Some(id)).await?;
    }
    let new_key = token.as_ref().map(|token| (new_key_id(), token));
    if let Some((key_id, token)) = &new_key {
        secrets.set(key_id, token).await?;
    }
    let now = clock.now();
    let saved = async {
        let mut tx = db.write().await?;
        let current = load_row(&mut tx, id).await?;
        let trusted_host = checked(&current)?;
        ensure_name_free(&mut tx, &name, Some(id)).await?;
        let (key_id, key_origin, last_four) = match &new_key {
            Some((key_id, token)) => (key_id.clone(), origin_of(&url)?, token.last_four().map(str::to_owned)),
            None => (current.key_id.clone(), current.key_origin.clone(), current.key_last_four.clone()),
        };
        let key = name_key(&name);
        sqlx::query!(
            "UPDATE connections SET name = ?, name_key = ?, url = ?, key_id = ?, key_origin = ?, key_last_four = ?, \
             trusted_host = ?, updated_at = ? WHERE id = ?",
            name,
            key,
            url,
            key_id,
            key_origin,
            last_four,
            trusted_host,
            now,
            id
        )
        .execute(&mut *tx)
        .await?;
        if current.url != url || new_key.is_some() {
            invalidate_profiles_of(&mut tx, id, now).await?;
        }
        tx.commit().await?;
        Ok::<_, Error>(current.key_id)
    }
    .await;
    match saved {
        Ok(old_key_id) => {
            if new_key.is_some() {
                if let Err(e) = secrets.delete(&old_key_id).await {
                    tracing::warn!(connection = id, error = %e, "could not remove the replaced API key from the keychain");
                }
            }
            let mut conn = db.pool().acquire().await?;
            load(&mut conn, id).await
        }
        Err(e) => {
            if let Some((key_id, _)) = &new_key {
                forget_key(secrets, key_id).await;
            }
            Err(e)
        }
    }
}

/// Whether `current` may get the (normalized) `url`, with or without a new key: returns the host
/// to store as confirmed, or the field error that says why not.
fn check_change(
    current: &ConnectionRow,
    url: &str,
    new_key: bool,
    trusted_host: Option<&str>,
) -> Result<Option<String>> {
    // A host confirmed earlier stays confirmed while the URL keeps it.
    let trusted = trusted_host.or(current.trusted_host.as_deref());
    let trusted_host = check_host(url, trusted)?;
    let origin = origin_of(url)?;
    if !new_key && origin != current.key_origin {
        return Err(Error::validation(
            "apiKey",
            format!(
                "The Connection URL now points at {origin} instead of {}. Enter the API key again: Seatkeeper sends \
                 a key only to the address it was entered for.",
                current.key_origin
            ),
        ));
    }
    Ok(trusted_host)
}

/// After a connection's URL or key changed: no profile using it counts as validated any more,
/// and Published ones return to Draft with their jobs disabled.
async fn invalidate_profiles_of(
    conn: &mut SqliteConnection,
    connection_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let profiles =
        sqlx::query_scalar!(r#"SELECT id AS "id!" FROM profiles WHERE connection_id = ?"#, connection_id)
            .fetch_all(&mut *conn)
            .await?;
    for profile_id in profiles {
        crate::validation::delete(conn, profile_id).await?;
        crate::profiles::return_to_draft(conn, profile_id, now).await?;
    }
    Ok(())
}

/// Removes a key that was stored for a change that did not happen. Best effort: the key id is
/// random and referenced nowhere, so a leftover entry is unreachable.
pub(crate) async fn forget_key(secrets: &dyn SecretStore, key_id: &str) {
    if let Err(e) = secrets.delete(key_id).await {
        tracing::warn!(error = %e, "could not remove an unused API key from the keychain");
    }
}

/// The demo organization's connection, if there is one.
pub async fn demo_connection(db: &Db) -> Result<Option<Connection>> {
    Ok(list_connections(db).await?.into_iter().find(|c| c.is_demo))
}

/// Makes the demo organization's connection (marked `isDemo`; there is at most one) point at the
/// simulated organization at `url` with its `api_key`, creating it as `name` if there is none.
/// Returns its id. A new URL or key invalidates its profiles' validation, as for any connection.
pub async fn set_demo_connection(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    name: &str,
    url: &str,
    api_key: &str,
) -> Result<i64> {
    let url = normalize_url(url)?;
    if host_needing_confirmation(&url).is_some() {
        return Err(Error::Internal(format!(
            "the demo organization must run on this computer, not at {url}"
        )));
    }
    match demo_connection(db).await? {
        Some(c) if c.url == url => Ok(c.id),
        Some(c) => {
            let update =
                ConnectionUpdate { name: c.name, url, api_key: Some(api_key.to_owned()), trusted_host: None };
            Ok(change_connection(db, secrets, clock, c.id, update, DemoUrl::Movable).await?.id)
        }
        None => {
            let new = NewConnection {
                name: normalize_name(name)?,
                url,
                token: parse_api_key(api_key.to_owned())?,
                trusted_host: None,
            };
            ensure_name_free(&mut *db.pool().acquire().await?, &new.name, None).await?;
            let now = clock.now();
            let new = &new;
            with_new_key(secrets, &new.token, |key_id| async move {
                let mut tx = db.write().await?;
                let id = insert(&mut tx, new, &key_id, true, now).await?;
                tx.commit().await?;
                Ok(id)
            })
            .await
        }
    }
}

/// Stores `token` in the keychain under a new, random key id, and returns the id.
pub(crate) async fn store_new_key(secrets: &dyn SecretStore, token: &ApiToken) -> Result<String> {
    let key_id = new_key_id();
    secrets.set(&key_id, token).await?;
    Ok(key_id)
}

/// Stores `token` in the keychain under a new key id, then lets `write` save the database with
/// that id; if the write fails, the key is removed again (so a failed save leaves neither).
pub(crate) async fn with_new_key<T, F, Fut>(
    secrets: &dyn SecretStore,
    token: &ApiToken,
    write: F,
) -> Result<T>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let key_id = store_new_key(secrets, token).await?;
    let written = write(key_id.clone()).await;
    if written.is_err() {
        forget_key(secrets, &key_id).await;
    }
    written
}

/// How patient a Smartsheet client is: retries, timeouts and its own rate limit.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub retry: RetryPolicy,
    /// Longest one attempt may take, from connecting to the end of the answer.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout: Duration,
    /// Longest one call may take in all, retries and their waits included.
    pub deadline: Duration,
    /// Requests per minute the client allows itself (Smartsheet allows 300 per token); None = off.
    pub rate_limit_per_minute: Option<NonZeroU32>,
}

impl Default for ClientOptions {
    /// Validate Connection's: a few quick retries, an answer within half a minute.
    fn default() -> Self {
        Self {
            retry: RetryPolicy {
                max_retries: 2,
                min_delay: Duration::from_millis(500),
                max_delay: Duration::from_secs(4),
                max_retry_after: Duration::from_secs(15),
            },
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            deadline: Duration::from_secs(60),
            rate_limit_per_minute: NonZeroU32::new(300),
        }
    }
}

impl ClientOptions {
    /// The jobs': patient with a busy or rate-limiting Smartsheet.
    pub fn jobs() -> Self {
        Self {
            retry: RetryPolicy {
                max_retries: 8,
                min_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(60),
                max_retry_after: Duration::from_secs(120),
            },
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            // Eight retries with backoff, or Retry-After waits of up to two minutes each.
            deadline: Duration::from_secs(20 * 60),
            rate_limit_per_minute: NonZeroU32::new(300),
        }
    }

    /// No retries and short timeouts (tests).
    pub fn quick() -> Self {
        Self {
            retry: RetryPolicy {
                max_retries: 0,
                min_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(10),
                max_retry_after: Duration::ZERO,
            },
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            ..Self::default()
        }
    }

    fn config(&self, base: Url, token: ApiToken) -> ClientConfig {
        ClientConfig {
            retry: self.retry,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            deadline: self.deadline,
            rate_limit_per_minute: self.rate_limit_per_minute,
            ..ClientConfig::new(base, token)
        }
    }
}

/// What [`route`] found: the connection a profile uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub display_name: String,
    pub connection_id: i64,
    pub connection_name: String,
    pub url: String,
    pub key_id: String,
}

/// The connection of a profile, as it is now. A Draft saved without a connection has no route
/// (a Conflict that says to set one up).
pub(crate) async fn route(conn: &mut SqliteConnection, profile_id: i64) -> Result<Route> {
    let found = sqlx::query!(
        r#"SELECT p.display_name, c.id AS "connection_id?", c.name AS "connection_name?", c.url AS "url?",
               c.key_id AS "key_id?"
           FROM profiles p LEFT JOIN connections c ON c.id = p.connection_id WHERE p.id = ?"#,
        profile_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| crate::profiles::not_found(profile_id))?;
    match (found.connection_id, found.connection_name, found.url, found.key_id) {
        (Some(connection_id), Some(connection_name), Some(url), Some(key_id)) => {
            Ok(Route { display_name: found.display_name, connection_id, connection_name, url, key_id })
        }
        _ => Err(crate::profiles::no_connection(&found.display_name)),
    }
}

/// The Smartsheet client of a profile's connection — the one route from a stored key to
/// Smartsheet (Validate Connection, the jobs and the `seatkeeper` command all take it). It checks
/// again where the key may go, then reads the key from the keychain. Errors say what to fix:
/// [`Error::KeyMissing`] when the keychain has no key, [`Error::Conflict`] when the URL cannot be
/// used with the stored key.
pub async fn client_for(
    db: &Db,
    secrets: &dyn SecretStore,
    profile_id: i64,
    options: &ClientOptions,
) -> Result<SmartsheetClient> {
    let (route, row) = {
        let mut conn = db.pool().acquire().await?;
        let route = route(&mut conn, profile_id).await?;
        let row = load_row(&mut conn, route.connection_id).await?;
        (route, row)
    };
    let fix = |why: String| {
        Error::Conflict(format!(
            "{why} Open the connection “{}” (Connection & Credential), check its Connection URL and enter the \
             API key again.",
            row.name
        ))
    };
    let base = Url::parse(&row.url)
        .map_err(|e| fix(format!("The Connection URL {} is not a valid web address ({e}).", row.url)))?;
    if let Err(Error::Validation { message, .. }) = check_host(&row.url, row.trusted_host.as_deref()) {
        return Err(fix(message));
    }
    if origin(&base) != row.key_origin {
        return Err(fix(format!(
            "The API key was entered for {}, but the Connection URL points at {}; Seatkeeper does not send it there.",
            row.key_origin,
            origin(&base)
        )));
    }
    let Some(token) = secrets.get(&row.key_id).await? else {
        return Err(Error::KeyMissing(missing_key_message(&route.connection_name)));
    };
    Ok(SmartsheetClient::new(options.config(base, token))?)
}

/// Clients that send the profile's key to other regions' API hosts: only for Find the key's region,
/// which the admin asks for explicitly after a refused key (the key goes nowhere else unasked). A
/// region is skipped when it is the connection's own origin, or when its URL is neither one of
/// Smartsheet's API hosts nor loopback (a simulator posing as a region): the key never goes to a
/// host the admin did not choose or Smartsheet does not run.
pub(crate) async fn region_clients(
    db: &Db,
    secrets: &dyn SecretStore,
    profile_id: i64,
    regions: &[ConnectionPreset],
    options: &ClientOptions,
) -> Result<Vec<(ConnectionPreset, SmartsheetClient)>> {
    let route = route(&mut *db.pool().acquire().await?, profile_id).await?;
    let own = origin_of(&route.url)?;
    let Some(token) = secrets.get(&route.key_id).await? else {
        return Err(Error::KeyMissing(missing_key_message(&route.connection_name)));
    };
    let mut clients = Vec::new();
    for region in regions {
        let allowed = normalize_url(&region.url)
            .ok()
            .filter(|url| host_needing_confirmation(url).is_none())
            .and_then(|url| Url::parse(&url).ok());
        let Some(base) = allowed else {
            tracing::warn!(region = %region.label, "not a Smartsheet API host: the key is not sent there");
            continue;
        };
        if origin(&base) == own {
            continue;
        }
        clients.push((region.clone(), SmartsheetClient::new(options.config(base, token.clone()))?));
    }
    Ok(clients)
}

/// What to do when a connection's key is no longer in the keychain.
pub(crate) fn missing_key_message(connection_name: &str) -> String {
    format!(
        "The API key of the connection “{connection_name}” is missing from the system keychain (it may have been \
         removed there). Enter the API key again in the connection's settings, then validate."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_error(value: &str) -> String {
        match normalize_url(value).unwrap_err() {
            Error::Validation { field, message } => {
                assert_eq!(field, "url");
                message
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn presets_are_the_four_regions() {
        let presets = connection_presets();
        let urls: Vec<&str> = presets.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://api.smartsheet.com/2.0",
                "https://api.smartsheetgov.com/2.0",
                "https://api.smartsheet.eu/2.0",
                "https://api.smartsheet.au/2.0"
            ]
        );
        assert_eq!(presets[0].label, "US");
        for preset in &presets {
            assert_eq!(normalize_url(&preset.url).unwrap(), preset.url);
        }
    }

    #[test]
    fn urls_are_normalized() {
        for (given, stored) in [
            (" https://api.smartsheet.com/2.0/ ", "https://api.smartsheet.com/2.0"),
            ("https://api.smartsheet.eu/", "https://api.smartsheet.eu/2.0"),
            ("https://API.smartsheet.au", "https://api.smartsheet.au/2.0"),
            ("http://127.0.0.1:8082/2.0", "http://127.0.0.1:8082/2.0"),
            ("http://localhost:9/2.0", "http://localhost:9/2.0"),
            ("http://[::1]:9/2.0", "http://[::1]:9/2.0"),
        ] {
            assert_eq!(normalize_url(given).unwrap(), stored, "{given}");
        }
    }

    #[test]
    fn bad_urls_say_why() {
        assert!(url_error("").contains("Enter the Connection URL"));
        assert!(url_error("api.smartsheet.com").contains("not a valid web address"));
        assert!(url_error("http://api.smartsheet.com/2.0").contains("must start with https://"));
        assert!(url_error("ftp://api.smartsheet.com/2.0").contains("must start with https://"));
        assert!(url_error("http://10.0.0.1/2.0").contains("must start with https://"));
        assert!(url_error("https://me:pw@api.smartsheet.com/2.0").contains("user name or password"));
        assert!(url_error("https://api.smartsheet.com/2.0?x=1").contains("'?' or '#'"));
        assert!(url_error("https://api.smartsheet.com/2.0#top").contains("'?' or '#'"));
        assert!(url_error("mailto:admin@example.com").contains("no host name"));
    }

    #[test]
    fn api_key_errors_are_field_errors_that_never_echo_the_key() {
        for (bad, expected) in [
            ("", "Enter the API Key"),
            ("abc def", "spaces, line breaks"),
            ("abc\u{7}def", "spaces, line breaks"),
        ] {
            match parse_api_key(bad.to_owned()).unwrap_err() {
                Error::Validation { field, message } => {
                    assert_eq!(field, "apiKey");
                    assert!(message.contains(expected), "{message}");
                    assert!(bad.is_empty() || !message.contains(bad));
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(parse_api_key(" tok3n1234567890abcd\n".into()).unwrap().last_four(), Some("abcd"));
    }

    #[test]
    fn inputs_never_print_the_key() {
        let input = ConnectionInput {
            name: "n".into(),
            url: "u".into(),
            api_key: "s3cr3t-value".into(),
            trusted_host: None,
        };
        let update = ConnectionUpdate {
            name: "n".into(),
            url: "u".into(),
            api_key: Some("s3cr3t-value".into()),
            trusted_host: None,
        };
        let printed = format!("{input:?} {update:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
    }

    #[test]
    fn key_ids_are_random() {
        assert_ne!(new_key_id(), new_key_id());
        assert!(new_key_id().starts_with("key-"));
    }
}
