//! The demo organization: a simulated Smartsheet organization served on loopback inside the app,
//! so that a first-time user can walk through the whole flow (connect, Validate Connection,
//! Publish, and later sync and reclaim) without a Smartsheet account.
//!
//! The simulated organization is generated from a fixed seed, so its API token is the same every
//! time; its port is kept in the demo connection's URL, and [`resume_demo`] starts it again on that
//! port when the app starts.

use smartsheet_sim::{SimConfig, SimHandle};
use tokio::sync::Mutex;
use url::Url;

use crate::clock::Clock;
use crate::connections::{list_connections, ConnectionInput};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::profiles::{create_profile, list_profiles, ConnectionChoice, Profile, ProfileInput};
use crate::secrets::SecretStore;

/// The demo's Connection & Credential name; how a demo connection is recognised.
pub const DEMO_CONNECTION_NAME: &str = "Demo organization (simulated Smartsheet)";
pub const DEMO_PROFILE_NAME: &str = "Demo organization";
const DEMO_SEED: u64 = 1;
const DEMO_USERS: u32 = 500;

/// The running demo organization, if any. One per app.
#[derive(Default)]
pub struct DemoServer {
    running: Mutex<Option<SimHandle>>,
}

impl DemoServer {
    /// Starts the simulated organization on `port` (0 = any free port) unless it runs already, and
    /// returns its base URL and the admin's API token.
    async fn ensure_running(&self, port: u16) -> Result<(String, String)> {
        let mut running = self.running.lock().await;
        if running.is_none() {
            let config = SimConfig { port, seed: DEMO_SEED, users: DEMO_USERS, ..SimConfig::default() };
            let handle = smartsheet_sim::spawn(config).await.map_err(|e| {
                Error::Internal(format!("The demo organization could not be started on this computer: {e}."))
            })?;
            tracing::info!(base_url = handle.base_url(), "demo organization started");
            *running = Some(handle);
        }
        let handle =
            running.as_ref().ok_or_else(|| Error::Internal("demo organization not running".into()))?;
        Ok((handle.base_url().to_owned(), handle.tokens().admin.clone()))
    }

    /// Stops the simulated organization (when the app quits).
    pub async fn stop(&self) {
        if let Some(handle) = self.running.lock().await.take() {
            handle.shutdown().await;
        }
    }
}

/// "Try the demo organization": starts the simulated organization and creates a Draft profile whose
/// connection points at it. The admin then validates and publishes it as with a real one.
pub async fn start_demo(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    server: &DemoServer,
) -> Result<Profile> {
    let (url, api_key) = server.ensure_running(0).await?;
    let taken: Vec<String> =
        list_profiles(db).await?.into_iter().map(|p| p.display_name.to_lowercase()).collect();
    let display_name = std::iter::once(DEMO_PROFILE_NAME.to_owned())
        .chain((2..).map(|n| format!("{DEMO_PROFILE_NAME} {n}")))
        .find(|name| !taken.contains(&name.to_lowercase()))
        .unwrap_or_else(|| DEMO_PROFILE_NAME.to_owned());
    let existing = list_connections(db).await?.into_iter().find(|c| c.name == DEMO_CONNECTION_NAME);
    let connection = match existing {
        // An earlier demo connection: point it at the organization that runs now.
        Some(c) if c.url == url => ConnectionChoice::Existing { connection_id: c.id },
        Some(c) => {
            crate::connections::update_connection(
                db,
                secrets,
                clock,
                c.id,
                crate::connections::ConnectionUpdate { name: c.name, url, api_key: Some(api_key) },
            )
            .await?;
            ConnectionChoice::Existing { connection_id: c.id }
        }
        None => {
            ConnectionChoice::New(ConnectionInput { name: DEMO_CONNECTION_NAME.to_owned(), url, api_key })
        }
    };
    let input = ProfileInput {
        display_name,
        download_activity: true,
        analyze_activity_from: None,
        reclaim_subscriptions: true,
    };
    create_profile(db, secrets, clock, input, connection).await
}

/// At app start: if a demo connection exists, starts the simulated organization again on the port
/// its URL names, so that the demo profile keeps working across restarts.
pub async fn resume_demo(db: &Db, server: &DemoServer) -> Result<()> {
    let Some(connection) = list_connections(db).await?.into_iter().find(|c| c.name == DEMO_CONNECTION_NAME)
    else {
        return Ok(());
    };
    let port = Url::parse(&connection.url).ok().and_then(|u| u.port()).unwrap_or(0);
    server.ensure_running(port).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::secrets::MemoryStore;
    use crate::validation::{validate_connection, ValidationOptions};

    #[tokio::test]
    async fn the_demo_profile_validates_against_the_simulated_organization() {
        let db = Db::open_in_memory().await.unwrap();
        let secrets = MemoryStore::default();
        let server = DemoServer::default();
        let profile = start_demo(&db, &secrets, &SystemClock, &server).await.unwrap();
        assert_eq!(profile.display_name, DEMO_PROFILE_NAME);
        assert_eq!(profile.connection.name, DEMO_CONNECTION_NAME);
        let result =
            validate_connection(&db, &secrets, &SystemClock, profile.id, &ValidationOptions::quick())
                .await
                .unwrap();
        assert!(result.ok, "{}", result.message);
        assert_eq!(result.event_reporting, Some(true));

        // A second demo shares the connection and gets a name of its own.
        let second = start_demo(&db, &secrets, &SystemClock, &server).await.unwrap();
        assert_eq!(second.display_name, "Demo organization 2");
        assert_eq!(second.connection.id, profile.connection.id);

        // After a restart of the app, the organization comes back on the same port.
        server.stop().await;
        let restarted = DemoServer::default();
        resume_demo(&db, &restarted).await.unwrap();
        let again = validate_connection(&db, &secrets, &SystemClock, profile.id, &ValidationOptions::quick())
            .await
            .unwrap();
        assert!(again.ok, "{}", again.message);
    }
}
