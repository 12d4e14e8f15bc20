//! The demo organization: a simulated Smartsheet organization served on loopback inside the app,
//! so that a first-time user can walk through the whole flow (connect, Validate Connection,
//! Publish, and later sync and reclaim) without a Smartsheet account.
//!
//! This crate is the only place where the app meets the simulator: the Tauri shell depends on it,
//! the core and the `seatkeeper` command do not. The simulator runs with its control endpoints
//! off, so nothing on this computer can change the demo's clock or faults.
//!
//! The simulated organization is generated from a fixed seed, so its API token is the same every
//! time. Its connection is marked as the demo's in the database (never recognised by its name);
//! the port is kept in that connection's URL, and [`resume_demo`] starts the organization again on
//! that port when the app starts.

use chrono::Duration;
use seatkeeper_core::connections::{demo_connection, set_demo_connection};
use seatkeeper_core::profiles::{create_profile, list_profiles, ConnectionChoice, Profile, ProfileInput};
use seatkeeper_core::reconcile::{create_entitlement, BillingPeriod, EntitlementInput};
use seatkeeper_core::sync::ensure_known_model;
use seatkeeper_core::{Clock, Db, Error, Result, SecretStore};
use smartsheet_sim::{ControlAccess, SimConfig, SimHandle};
use tokio::sync::Mutex;
use url::Url;

/// The name the demo's Connection & Credential gets (a name only; the demo is recognised by its
/// flag).
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
            let config = SimConfig {
                port,
                seed: DEMO_SEED,
                users: DEMO_USERS,
                control: ControlAccess::Off,
                ..SimConfig::default()
            };
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

    /// How many paid seats (MEMBER, listed in the plan, not deactivated) the organization has now.
    async fn member_seats(&self) -> i64 {
        let running = self.running.lock().await;
        let Some(handle) = running.as_ref() else { return 0 };
        let org = handle.sim().org.read();
        org.users
            .iter()
            .filter(|u| {
                u.in_plan
                    && u.seat == smartsheet_sim::org::Seat::Member
                    && u.status != smartsheet_sim::org::Status::Deactivated
            })
            .count() as i64
    }

    /// Stops the simulated organization (when the app quits).
    pub async fn stop(&self) {
        if let Some(handle) = self.running.lock().await.take() {
            handle.shutdown().await;
        }
    }
}

/// "Try the demo organization": starts the simulated organization and creates a Draft profile whose
/// connection (the demo's one) points at it. The admin then validates and publishes it as with a
/// real one.
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
    let connection_id =
        set_demo_connection(db, secrets, clock, &demo_connection_name(db).await?, &url, &api_key).await?;
    let input = ProfileInput {
        display_name,
        download_activity: true,
        analyze_activity_from: None,
        reclaim_subscriptions: true,
    };
    let profile =
        create_profile(db, secrets, clock, input, Some(ConnectionChoice::Existing { connection_id })).await?;
    ship_entitlements(db, clock, server, profile.id).await?;
    Ok(profile)
}

/// The demo ships with what a license admin would have entered: an annual subscription for most of
/// the organization's paid seats and a few monthly seats bought since, together a dozen short of
/// the seats in use. So the License Usage view shows a compliance position, a true-up cost and
/// savings from the first refresh on.
async fn ship_entitlements(db: &Db, clock: &dyn Clock, server: &DemoServer, profile_id: i64) -> Result<()> {
    let members = server.member_seats().await;
    let model_id = ensure_known_model(db, profile_id, "MEMBER", clock.now()).await?;
    let start = clock.now().date_naive() - Duration::days(60);
    let entitlement =
        |name: &str, rights: i64, cost: &str, period, end: chrono::NaiveDate, notes: &str| EntitlementInput {
            model_id,
            display_name: name.into(),
            purchased_rights: rights,
            unit_cost: cost.into(),
            currency: "USD".into(),
            rate: String::new(),
            billing_period: period,
            term_start: start.to_string(),
            term_end: end.to_string(),
            notes: notes.into(),
        };
    let year_end = start + Duration::days(364);
    let annual = entitlement(
        "Smartsheet Business, annual",
        (members - 20).max(0),
        "300.00",
        BillingPeriod::Annual,
        year_end,
        "Demo: the organization's annual subscription.",
    );
    create_entitlement(db, clock, profile_id, annual).await?;
    let monthly = entitlement(
        "Smartsheet Business, monthly add-on",
        8,
        "30.00",
        BillingPeriod::Monthly,
        year_end,
        "Demo: seats added during the term.",
    );
    create_entitlement(db, clock, profile_id, monthly).await?;
    Ok(())
}

/// The name for a new demo connection: [`DEMO_CONNECTION_NAME`], or with a number when the admin
/// already named a connection so.
async fn demo_connection_name(db: &Db) -> Result<String> {
    let taken: Vec<String> = seatkeeper_core::connections::list_connections(db)
        .await?
        .into_iter()
        .filter(|c| !c.is_demo)
        .map(|c| c.name.to_lowercase())
        .collect();
    Ok(std::iter::once(DEMO_CONNECTION_NAME.to_owned())
        .chain((2..).map(|n| format!("{DEMO_CONNECTION_NAME} {n}")))
        .find(|name| !taken.contains(&name.to_lowercase()))
        .unwrap_or_else(|| DEMO_CONNECTION_NAME.to_owned()))
}

/// At app start: if there is a demo connection, starts the simulated organization again on the
/// port its URL names, so that the demo profile keeps working across restarts.
pub async fn resume_demo(db: &Db, server: &DemoServer) -> Result<()> {
    let Some(connection) = demo_connection(db).await? else {
        return Ok(());
    };
    let port = Url::parse(&connection.url).ok().and_then(|u| u.port()).unwrap_or(0);
    server.ensure_running(port).await.map(|_| ())
}
