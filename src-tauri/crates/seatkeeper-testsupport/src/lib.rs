//! What Seatkeeper's tests share, in the manner of GitButler's `but-testsupport`: a fixed clock, a
//! test token, fast client settings, the simulator, a scripted HTTP server ([`stub`]), and a
//! profile validated and published against a simulator ([`Org`]). A dev-dependency only: nothing
//! here ships.
//!
//! Every helper uses the real things — a SQLite database, HTTP on loopback, the simulator — only
//! faster (no client-side rate limit, millisecond retries) and on a fixed clock.

pub mod stub;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use seatkeeper_core::connections::{ClientOptions, ConnectionInput};
use seatkeeper_core::jobs::{self, JobKind, JobResult, RunContext};
use seatkeeper_core::profiles::{ConnectionChoice, ProfileInput};
use seatkeeper_core::services::{create_profile, publish_profile, validate_connection};
use seatkeeper_core::smartsheet::{
    Action, ApiToken, ClientConfig, EventsStart, RetryPolicy, SmartsheetClient,
};
use seatkeeper_core::sync::{no_progress, SyncOptions};
use seatkeeper_core::{Clock, Db, FixedClock, MemoryStore};
use smartsheet_sim::{RateLimit, SimConfig, SimHandle};
use tokio_util::sync::CancellationToken;
use url::Url;

pub use stub::{Fault, Reply, Seen, Stub};

/// The connection of a profile that has one (every profile a test made with a connection).
pub trait ProfileConnection {
    fn conn(&self) -> &seatkeeper_core::connections::Connection;
}

impl ProfileConnection for seatkeeper_core::profiles::Profile {
    fn conn(&self) -> &seatkeeper_core::connections::Connection {
        self.connection.as_ref().expect("the profile has a Connection & Credential")
    }
}

/// A token of the shape Smartsheet issues, for tests that need one that no server knows.
pub const TOKEN: &str = "ll352u9jujauoqz4gstvsae05Xz1a2b";

/// The tests' "now": after Smartsheet's VIEWER sunset, so the free internal seat is CONTRIBUTOR.
pub fn now() -> DateTime<Utc> {
    at("2026-11-29T00:00:00Z")
}

/// An RFC 3339 time.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}")).to_utc()
}

/// Retries that give up late but wait only milliseconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 10,
        min_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    }
}

/// Client settings for tests: fast retries, short timeouts, no client-side rate limit.
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        retry: fast_retry(),
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(10),
        deadline: Duration::from_secs(30),
        rate_limit_per_minute: None,
    }
}

/// A client configuration for `base_url` with [`TOKEN`]: no client-side rate limit, three retries
/// with millisecond delays.
pub fn fast_config(base_url: Url) -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        rate_limit_per_minute: None,
        retry: RetryPolicy { max_retries: 3, ..fast_retry() },
        ..ClientConfig::new(base_url, ApiToken::new(TOKEN).unwrap())
    }
}

/// A client of `base` with `token` and [`fast_retry`], no client-side rate limit.
pub fn client(base: &str, token: &str) -> SmartsheetClient {
    client_with(base, token, fast_retry())
}

/// [`client`] with other retries. Each call builds a fresh client (its own connection pool and
/// counters).
pub fn client_with(base: &str, token: &str, retry: RetryPolicy) -> SmartsheetClient {
    SmartsheetClient::new(ClientConfig {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        rate_limit_per_minute: None,
        retry,
        ..ClientConfig::new(Url::parse(base).unwrap(), ApiToken::new(token).unwrap())
    })
    .unwrap()
}

/// A simulated organization generated from `seed` at [`now`], without rate limiting, whose
/// history reaches `days` back.
pub fn sim_config(seed: u64, users: u32, days: u32) -> SimConfig {
    SimConfig {
        now: now(),
        seed,
        users,
        days,
        rate_limit: RateLimit::Off,
        retry_after: false,
        ..SimConfig::default()
    }
}

/// Starts a simulator.
pub async fn sim(config: SimConfig) -> SimHandle {
    smartsheet_sim::spawn(config).await.expect("the simulator starts")
}

/// A profile form: `display_name`, with Download activity as given, the default "Analyze user
/// activity from" and Reclaim subscriptions on.
pub fn profile_input(display_name: &str, download_activity: bool) -> ProfileInput {
    ProfileInput {
        display_name: display_name.into(),
        download_activity,
        analyze_activity_from: None,
        reclaim_subscriptions: true,
    }
}

/// A new connection `name` to `url` with `api_key` (no host to confirm).
pub fn new_connection(name: &str, url: &str, api_key: &str) -> ConnectionChoice {
    ConnectionChoice::New(ConnectionInput {
        name: name.into(),
        url: url.into(),
        api_key: api_key.into(),
        trusted_host: None,
    })
}

/// A new profile's input and its new connection "Main" to `url` with `api_key` (what most tests
/// create first).
pub fn new_profile(
    display_name: &str,
    download_activity: bool,
    url: &str,
    api_key: &str,
) -> (ProfileInput, ConnectionChoice) {
    (profile_input(display_name, download_activity), new_connection("Main", url, api_key))
}

/// A simulated organization and Seatkeeper's side of it: an in-memory database, an in-memory
/// keychain, the simulator's clock, and a profile "Acme" (Download activity on) validated and
/// published with a token of the simulator.
pub struct Org {
    pub sim: SimHandle,
    pub db: Db,
    pub secrets: Arc<MemoryStore>,
    pub clock: Arc<FixedClock>,
    pub profile: i64,
    /// A fast client with the profile's token.
    pub client: SmartsheetClient,
}

impl Org {
    /// [`Org::with_token`] with the simulator's admin token.
    pub async fn published(config: SimConfig) -> Self {
        Self::with_token(config, |sim| sim.tokens().admin.clone()).await
    }

    /// A simulator from `config`, and the profile published with the token `token` picks.
    pub async fn with_token(config: SimConfig, token: impl Fn(&SimHandle) -> String) -> Self {
        let sim = sim(config).await;
        let db = Db::open_in_memory().await.unwrap();
        let secrets = Arc::new(MemoryStore::new());
        let clock = Arc::new(FixedClock::new(sim.sim().now()));
        let token = token(&sim);
        let (input, connection) = new_profile("Acme", true, sim.base_url(), &token);
        let profile = create_profile(&db, &*secrets, &*clock, input, Some(connection)).await.unwrap();
        let validation =
            validate_connection(&db, &*secrets, &*clock, profile.id, &ClientOptions::quick()).await.unwrap();
        assert!(validation.ok, "{}", validation.message);
        publish_profile(&db, &*clock, profile.id).await.unwrap();
        let client = client(sim.base_url(), &token);
        Self { sim, db, secrets, clock, profile: profile.id, client }
    }

    /// Runs the profile's job of `kind` once with the fast client, as the engine would, and
    /// returns its result (whatever its status).
    pub async fn run(&self, kind: JobKind) -> JobResult {
        run_job(&self.db, &self.client, self.profile, &*self.clock, kind).await
    }
}

/// Runs the job of `kind` of profile `profile_id` once with `client`, as the engine would, and
/// returns its result (whatever its status).
pub async fn run_job(
    db: &Db,
    client: &SmartsheetClient,
    profile_id: i64,
    clock: &dyn Clock,
    kind: JobKind,
) -> JobResult {
    let options = SyncOptions::default();
    let context = RunContext {
        db,
        client,
        profile_id,
        clock,
        options: &options,
        progress: &no_progress,
        cancel: &CancellationToken::new(),
    };
    jobs::run(kind, context).await.expect("the job runs and records a result")
}

/// Every event since the profile's "Analyze user activity from", read through the organization's
/// client as Smartsheet's Event Reporting tells it.
pub async fn events_since_analysis_start(org: &Org) -> Vec<seatkeeper_core::smartsheet::Event> {
    let from =
        seatkeeper_core::services::get_profile(&org.db, org.profile).await.unwrap().analyze_activity_from;
    let pages: Vec<_> = org
        .client
        .event_stream(seatkeeper_core::smartsheet::EventsStart::Since { since: from, to: None }, Some(1000))
        .try_collect()
        .await
        .unwrap();
    pages.into_iter().flat_map(|p| p.data).collect()
}

/// Each user's last event since the profile's "Analyze user activity from", as Smartsheet's Event
/// Reporting tells it through the organization's client: what the tests compare activity with.
pub async fn last_events(org: &Org) -> std::collections::BTreeMap<i64, DateTime<Utc>> {
    let mut last = std::collections::BTreeMap::new();
    for event in events_since_analysis_start(org).await {
        let slot = last.entry(event.user_id).or_insert(event.event_timestamp);
        *slot = (*slot).max(event.event_timestamp);
    }
    last
}

/// Per day (UTC), how many users had an event since the profile's "Analyze user activity from",
/// as Smartsheet's Event Reporting tells it (Smartsheet's system users left out, as the activity
/// fold leaves them): what the tests compare daily active users with.
pub async fn daily_active_users(org: &Org) -> Vec<(chrono::NaiveDate, i64)> {
    let mut users: std::collections::BTreeMap<chrono::NaiveDate, std::collections::BTreeSet<i64>> =
        std::collections::BTreeMap::new();
    for event in events_since_analysis_start(org).await {
        if !seatkeeper_core::sync::is_system_user(event.user_id) {
            users.entry(event.event_timestamp.date_naive()).or_default().insert(event.user_id);
        }
    }
    users.into_iter().map(|(day, users)| (day, users.len() as i64)).collect()
}

/// How many times the user's seat changed since `since`, as Smartsheet's Event Reporting tells it
/// through `client`: the admin's USER UPDATE events that name the user and a new `seatType`.
pub async fn seat_changes(client: &SmartsheetClient, since: DateTime<Utc>, user_id: i64) -> usize {
    let pages: Vec<_> = client
        .event_stream(EventsStart::Since { since, to: None }, Some(1000))
        .try_collect()
        .await
        .expect("the event stream reads");
    let id = user_id.to_string();
    pages
        .into_iter()
        .flat_map(|p| p.data)
        .filter(|e| {
            let other = &e.additional_details.other;
            e.action == Action::Update
                && other.get("userId").and_then(|v| v.as_str()) == Some(id.as_str())
                && other.contains_key("seatType")
        })
        .count()
}
