//! Where API keys are kept: the system keychain (Secret Service on Linux), never the database.
//!
//! A key is stored under a random key id; the database only holds that id and the key's last four
//! characters.

use std::collections::HashMap;
use std::sync::Mutex;

use futures::future::BoxFuture;

use crate::error::{Error, Result};
use crate::smartsheet::ApiToken;

/// A store of API keys by key id.
pub trait SecretStore: Send + Sync {
    /// Stores (or replaces) the key under `key_id`.
    fn set<'a>(&'a self, key_id: &'a str, token: &'a ApiToken) -> BoxFuture<'a, Result<()>>;
    /// The key stored under `key_id`, or `None` if there is none.
    fn get<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<Option<ApiToken>>>;
    /// Removes the key under `key_id`; removing a key that is not there succeeds.
    fn delete<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<()>>;
}

/// A shared store is a store.
impl<T: SecretStore + ?Sized> SecretStore for std::sync::Arc<T> {
    fn set<'a>(&'a self, key_id: &'a str, token: &'a ApiToken) -> BoxFuture<'a, Result<()>> {
        (**self).set(key_id, token)
    }
    fn get<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<Option<ApiToken>>> {
        (**self).get(key_id)
    }
    fn delete<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<()>> {
        (**self).delete(key_id)
    }
}

pub(crate) const KEYCHAIN_NOT_RUNNING: &str = "The system keychain is not available (no Secret Service is \
     running). Install and unlock GNOME Keyring or KWallet (Debian: apt install gnome-keyring), then \
     try again.";

pub(crate) const KEYCHAIN_LOCKED: &str = "The system keychain is locked, so Seatkeeper cannot read or \
     store the API key. Unlock your keyring (for example by logging in to your desktop session, or in \
     the Passwords and Keys app), then try again.";

/// The operating system's keychain, through the `keyring` crate (Secret Service on Linux).
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// `app_identifier` is the Tauri identifier (e.g. `com.seatkeeper.app`), so that a dev build
    /// with another identifier never sees the keys of the installed app.
    pub fn new(app_identifier: &str) -> Self {
        Self { service: format!("{app_identifier}.smartsheet-api-key") }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs a blocking keyring call off the async runtime.
    async fn blocking<T: Send + 'static>(
        &self,
        key_id: &str,
        call: impl FnOnce(keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (service, user) = (self.service.clone(), key_id.to_owned());
        tokio::task::spawn_blocking(move || keyring::Entry::new(&service, &user).and_then(call))
            .await
            .map_err(|e| Error::Internal(format!("The keychain call did not complete ({e}).")))?
            .map_err(keychain_error)
    }
}

impl SecretStore for KeyringStore {
    fn set<'a>(&'a self, key_id: &'a str, token: &'a ApiToken) -> BoxFuture<'a, Result<()>> {
        let token = token.clone();
        Box::pin(self.blocking(key_id, move |entry| entry.set_password(token.expose())))
    }

    fn get<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<Option<ApiToken>>> {
        Box::pin(async move {
            let stored = self
                .blocking(key_id, |entry| match entry.get_password() {
                    Ok(password) => Ok(Some(password)),
                    Err(keyring::Error::NoEntry) => Ok(None),
                    Err(e) => Err(e),
                })
                .await?;
            stored
                .map(|password| {
                    ApiToken::new(password).map_err(|_| {
                        Error::Keychain(
                            "The API key stored in the system keychain is not a valid Smartsheet token. \
                             Enter the API key again in the connection settings."
                                .into(),
                        )
                    })
                })
                .transpose()
        })
    }

    fn delete<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.blocking(key_id, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        }))
    }
}

/// Rewrites a keyring error as an admin-readable one. Platform details are logged, never shown
/// (and `BadEncoding`/`Ambiguous` carry secret material, so they are never formatted at all).
fn keychain_error(error: keyring::Error) -> Error {
    match error {
        keyring::Error::PlatformFailure(detail) => {
            tracing::warn!(%detail, "system keychain unavailable");
            Error::KeychainUnavailable(KEYCHAIN_NOT_RUNNING.into())
        }
        keyring::Error::NoStorageAccess(detail) => {
            tracing::warn!(%detail, "system keychain locked");
            Error::KeychainUnavailable(KEYCHAIN_LOCKED.into())
        }
        keyring::Error::NoEntry => {
            Error::Internal("The API key was not found in the system keychain.".into())
        }
        keyring::Error::BadEncoding(_) => Error::Keychain(
            "The API key stored in the system keychain could not be read. Enter the API key again in the \
             connection settings."
                .into(),
        ),
        keyring::Error::Ambiguous(_) => Error::Keychain(
            "The system keychain holds several entries for this API key. Remove the duplicates (Passwords \
             and Keys app) or enter the API key again."
                .into(),
        ),
        other => {
            // TooLong / Invalid name an attribute (service or key id), never the secret.
            Error::Keychain(format!("The system keychain refused the API key: {other}."))
        }
    }
}

/// An in-memory store for tests of other modules. Not persistent.
#[derive(Debug, Default)]
pub struct MemoryStore {
    keys: Mutex<HashMap<String, ApiToken>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The key ids currently stored.
    pub fn key_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.keys.lock().expect("memory store lock").keys().cloned().collect();
        ids.sort();
        ids
    }

    pub fn len(&self) -> usize {
        self.keys.lock().expect("memory store lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SecretStore for MemoryStore {
    fn set<'a>(&'a self, key_id: &'a str, token: &'a ApiToken) -> BoxFuture<'a, Result<()>> {
        self.keys.lock().expect("memory store lock").insert(key_id.to_owned(), token.clone());
        Box::pin(async { Ok(()) })
    }

    fn get<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<Option<ApiToken>>> {
        let token = self.keys.lock().expect("memory store lock").get(key_id).cloned();
        Box::pin(async { Ok(token) })
    }

    fn delete<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<()>> {
        self.keys.lock().expect("memory store lock").remove(key_id);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_round_trip() {
        let store = MemoryStore::new();
        let token = ApiToken::new("ll352u9jujauoqz4gstvsae05Xz1a2b").unwrap();
        store.set("k1", &token).await.unwrap();
        assert_eq!(store.get("k1").await.unwrap().unwrap().expose(), token.expose());
        assert!(store.get("k2").await.unwrap().is_none());
        store.delete("k1").await.unwrap();
        store.delete("k1").await.unwrap();
        assert!(store.get("k1").await.unwrap().is_none());
        assert!(store.is_empty());
    }

    #[test]
    fn keyring_errors_become_actionable_messages() {
        let e = keychain_error(keyring::Error::PlatformFailure("no bus".into()));
        assert!(matches!(&e, Error::KeychainUnavailable(m) if m.contains("apt install gnome-keyring")));
        let e = keychain_error(keyring::Error::NoStorageAccess("locked".into()));
        assert!(matches!(&e, Error::KeychainUnavailable(m) if m.contains("Unlock your keyring")));
        let e = keychain_error(keyring::Error::BadEncoding(b"secret-bytes".to_vec()));
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn service_name_follows_the_app_identifier() {
        assert_eq!(
            KeyringStore::new("com.seatkeeper.app").service(),
            "com.seatkeeper.app.smartsheet-api-key"
        );
        assert_ne!(
            KeyringStore::new("com.seatkeeper.app").service(),
            KeyringStore::new("com.seatkeeper.dev").service()
        );
    }
}
