//! Connection & credential aliases: where and how to reach Smartsheet.
//!
//! A connection has a Name, a Connection URL (the region's API address) and an API Key. The key is
//! only ever in the system keychain, under a random key id that the database keeps; the database,
//! every returned struct, logs and errors only ever see its last four characters.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, SqliteConnection};
use ts_rs::TS;
use url::{Host, Url};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::jobs;
use crate::secrets::SecretStore;
use crate::smartsheet::{ApiToken, TokenError, BASE_URL_AU, BASE_URL_EU, BASE_URL_GOV, BASE_URL_US};

/// Longest Name of a connection, in characters.
pub const MAX_NAME_LEN: usize = 100;

/// A connection & credential alias as the UI sees it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, FromRow)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct Connection {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// The API key's last four characters ("…1a2b"); null for keys too short to show any.
    pub key_last_four: Option<String>,
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

/// The Smartsheet regions' API addresses, US first (the default).
pub fn connection_presets() -> Vec<ConnectionPreset> {
    [("US", BASE_URL_US), ("Gov", BASE_URL_GOV), ("Europe", BASE_URL_EU), ("Australia", BASE_URL_AU)]
        .into_iter()
        .map(|(label, url)| ConnectionPreset { label: label.to_owned(), url: url.to_owned() })
        .collect()
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
}

impl fmt::Debug for ConnectionInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionInput")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("api_key", &"[redacted]")
            .finish()
    }
}

/// Changes to a connection. A missing or blank `apiKey` keeps the current key.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "profiles.ts")]
pub struct ConnectionUpdate {
    pub name: String,
    pub url: String,
    #[ts(optional)]
    #[serde(default)]
    pub api_key: Option<String>,
}

impl fmt::Debug for ConnectionUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionUpdate")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// A validated new connection.
#[derive(Debug)]
pub(crate) struct NewConnection {
    pub name: String,
    pub url: String,
    pub token: ApiToken,
}

impl NewConnection {
    pub fn from_input(input: ConnectionInput) -> Result<Self> {
        let ConnectionInput { name, url, api_key } = input;
        Ok(Self { name: normalize_name(&name)?, url: normalize_url(&url)?, token: parse_api_key(api_key)? })
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
    let loopback = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return invalid("has no host name. Use for example https://api.smartsheet.com/2.0"),
    };
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

/// What the database knows about a connection's key.
#[derive(Debug, Clone, FromRow)]
pub(crate) struct ConnectionRow {
    pub id: i64,
    pub url: String,
    pub key_id: String,
}

const CONNECTION_COLUMNS: &str = "c.id, c.name, c.url, c.key_last_four, \
     (SELECT count(*) FROM profiles p WHERE p.connection_id = c.id) AS profile_count";

pub(crate) async fn load(conn: &mut SqliteConnection, id: i64) -> Result<Connection> {
    let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections c WHERE c.id = ?");
    sqlx::query_as::<_, Connection>(&sql).bind(id).fetch_optional(conn).await?.ok_or_else(|| not_found(id))
}

pub(crate) async fn load_row(conn: &mut SqliteConnection, id: i64) -> Result<ConnectionRow> {
    sqlx::query_as::<_, ConnectionRow>("SELECT id, url, key_id FROM connections WHERE id = ?")
        .bind(id)
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
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM connections WHERE name_key = ? AND id IS NOT ?")
            .bind(name_key(name))
            .bind(except)
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
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO connections (name, name_key, url, key_id, key_last_four, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&new.name)
    .bind(name_key(&new.name))
    .bind(&new.url)
    .bind(key_id)
    .bind(new.token.last_four())
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// All connections, by name.
pub async fn list_connections(db: &Db) -> Result<Vec<Connection>> {
    let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections c ORDER BY c.name_key, c.id");
    Ok(sqlx::query_as::<_, Connection>(&sql).fetch_all(db.pool()).await?)
}

/// Renames a connection and/or gives it a new URL or API key.
///
/// A new URL or key invalidates what was validated: every profile that uses the connection loses
/// its validation, and a Published one returns to Draft with its jobs disabled, until it is
/// validated and published again. The new key is stored under a new key id before the database is
/// changed (and removed again if that fails); the old key is removed afterwards.
pub async fn update_connection(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn crate::clock::Clock,
    id: i64,
    update: ConnectionUpdate,
) -> Result<Connection> {
    let ConnectionUpdate { name, url, api_key } = update;
    let name = normalize_name(&name)?;
    let url = normalize_url(&url)?;
    let token = api_key.filter(|key| !key.trim().is_empty()).map(parse_api_key).transpose()?;
    {
        // Report a missing connection or a taken name before touching the keychain.
        let mut conn = db.pool().acquire().await?;
        load_row(&mut conn, id).await?;
        ensure_name_free(&mut conn, &name, Some(id)).await?;
    }
    let new_key = token.map(|token| (new_key_id(), token));
    if let Some((key_id, token)) = &new_key {
        secrets.set(key_id, token).await?;
    }
    let now = clock.now();
    let saved = async {
        let mut tx = db.write().await?;
        let current = load_row(&mut tx, id).await?;
        ensure_name_free(&mut tx, &name, Some(id)).await?;
        let (key_id, last_four) = match &new_key {
            Some((key_id, token)) => (key_id.clone(), token.last_four().map(str::to_owned)),
            None => {
                let last_four: Option<String> =
                    sqlx::query_scalar("SELECT key_last_four FROM connections WHERE id = ?")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                (current.key_id.clone(), last_four)
            }
        };
        sqlx::query(
            "UPDATE connections SET name = ?, name_key = ?, url = ?, key_id = ?, key_last_four = ?, \
             updated_at = ? WHERE id = ?",
        )
        .bind(&name)
        .bind(name_key(&name))
        .bind(&url)
        .bind(&key_id)
        .bind(last_four)
        .bind(now)
        .bind(id)
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

/// After a connection's URL or key changed: no profile using it counts as validated any more,
/// and Published ones return to Draft with their jobs disabled.
async fn invalidate_profiles_of(
    conn: &mut SqliteConnection,
    connection_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM profile_validations WHERE profile_id IN (SELECT id FROM profiles WHERE connection_id = ?)",
    )
    .bind(connection_id)
    .execute(&mut *conn)
    .await?;
    let published: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM profiles WHERE connection_id = ? AND status = 'published'")
            .bind(connection_id)
            .fetch_all(&mut *conn)
            .await?;
    for profile_id in published {
        sqlx::query("UPDATE profiles SET status = 'draft', published_at = NULL, updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(profile_id)
            .execute(&mut *conn)
            .await?;
        jobs::disable_all(conn, profile_id).await?;
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
        let input = ConnectionInput { name: "n".into(), url: "u".into(), api_key: "s3cr3t-value".into() };
        let update =
            ConnectionUpdate { name: "n".into(), url: "u".into(), api_key: Some("s3cr3t-value".into()) };
        let printed = format!("{input:?} {update:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
    }

    #[test]
    fn key_ids_are_random() {
        assert_ne!(new_key_id(), new_key_id());
        assert!(new_key_id().starts_with("key-"));
    }
}
