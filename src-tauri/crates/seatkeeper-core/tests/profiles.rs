//! The integration-profile lifecycle: field rules, the Draft/Published status machine, jobs,
//! shared connections, and that nothing is half-saved when the keychain or the database fails.
//! Successful validations come from a small simulator on loopback.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::future::BoxFuture;
use seatkeeper_core::connections::ClientOptions;
use seatkeeper_core::connections::{ConnectionInput, ConnectionUpdate};
use seatkeeper_core::jobs::{JobKind, JobSchedule};
use seatkeeper_core::profiles::{ConnectionChoice, ProfileInput, ProfileStatus, ProfileType};
use seatkeeper_core::services::*;
use seatkeeper_core::smartsheet::ApiToken;
use seatkeeper_core::{AppError, Db, Error, ErrorCode, FixedClock, MemoryStore, SecretStore};
use seatkeeper_testsupport::{new_connection, ProfileConnection};
use smartsheet_sim::{SimConfig, SimHandle};

const KEY: &str = "ll352u9jujauoqz4gstvsae05Xz1a2b";
const US: &str = "https://api.smartsheet.com/2.0";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 15, 0, 0).unwrap()
}

struct Env {
    db: Db,
    secrets: MemoryStore,
    clock: FixedClock,
}

async fn env() -> Env {
    Env {
        db: Db::open_in_memory().await.unwrap(),
        secrets: MemoryStore::new(),
        clock: FixedClock::new(now()),
    }
}

/// A profile form with Download activity on.
fn form(name: &str) -> ProfileInput {
    seatkeeper_testsupport::profile_input(name, true)
}

async fn create(
    env: &Env,
    input: ProfileInput,
    connection: ConnectionChoice,
) -> seatkeeper_core::Result<seatkeeper_core::profiles::Profile> {
    create_profile(&env.db, &env.secrets, &env.clock, input, Some(connection)).await
}

fn field_error(result: seatkeeper_core::Result<impl std::fmt::Debug>) -> (String, String) {
    match result {
        Err(Error::Validation { field, message }) => (field, message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(db.pool()).await.unwrap()
}

async fn small_sim() -> SimHandle {
    smartsheet_sim::spawn(SimConfig { users: 12, days: 3, ..SimConfig::default() }).await.unwrap()
}

#[tokio::test]
async fn display_name_rules() {
    let env = env().await;
    let conn = || new_connection("Main", US, KEY);

    for (bad, expected) in [
        ("", "Enter a Display Name for the profile."),
        ("   ", "Enter a Display Name for the profile."),
        ("two\nlines", "cannot contain line breaks"),
        (&"x".repeat(101), "at most 100 characters long (this one has 101)"),
    ] {
        let (field, message) = field_error(create(&env, form(bad), conn()).await);
        assert_eq!(field, "displayName");
        assert!(message.contains(expected), "{bad:?}: {message}");
    }
    assert_eq!(count(&env.db, "profiles").await, 0);
    assert!(env.secrets.is_empty(), "a rejected form stores no key");

    let profile = create(&env, form("  Acme Smartsheet  "), conn()).await.unwrap();
    assert_eq!(profile.display_name, "Acme Smartsheet");
    let long = "é".repeat(100);
    let other = create(&env, form(&long), ConnectionChoice::Existing { connection_id: profile.conn().id })
        .await
        .unwrap();
    assert_eq!(other.display_name, long);

    // Unique regardless of case, also for non-ASCII letters.
    let (field, message) = field_error(
        create(
            &env,
            form("ACME smartsheet"),
            ConnectionChoice::Existing { connection_id: profile.conn().id },
        )
        .await,
    );
    assert_eq!(field, "displayName");
    assert_eq!(message, "A profile named “ACME smartsheet” already exists. Choose another Display Name.");
    let (field, _) = field_error(
        create(&env, form(&"É".repeat(100)), ConnectionChoice::Existing { connection_id: profile.conn().id })
            .await,
    );
    assert_eq!(field, "displayName");

    // Renaming onto another profile's name is refused; changing only the case of its own is fine.
    let (field, message) =
        field_error(update_profile(&env.db, &env.clock, other.id, form("acme SMARTSHEET")).await);
    assert_eq!((field.as_str(), message.contains("already exists")), ("displayName", true));
    let renamed = update_profile(&env.db, &env.clock, profile.id, form("ACME Smartsheet")).await.unwrap();
    assert_eq!(renamed.display_name, "ACME Smartsheet");
}

#[tokio::test]
async fn connection_rules() {
    let env = env().await;
    for (connection, field, expected) in [
        (new_connection(" ", US, KEY), "name", "Enter a Name for the connection."),
        (new_connection(&"n".repeat(101), US, KEY), "name", "at most 100 characters"),
        (new_connection("Main", "", KEY), "url", "Enter the Connection URL"),
        (new_connection("Main", "api.smartsheet.com", KEY), "url", "not a valid web address"),
        (new_connection("Main", "http://api.smartsheet.com/2.0", KEY), "url", "must start with https://"),
        (new_connection("Main", "https://u:p@api.smartsheet.com/2.0", KEY), "url", "user name or password"),
        (new_connection("Main", "https://api.smartsheet.com/2.0?a=b", KEY), "url", "'?' or '#'"),
        (new_connection("Main", US, ""), "apiKey", "Enter the API Key"),
        (new_connection("Main", US, "ll352u9jujauoqz4 gstvsae05Xz1a2b"), "apiKey", "spaces, line breaks"),
        (new_connection("Main", US, "ll352u9jujauoqz4\tgstvsae05Xz1a2b"), "apiKey", "spaces, line breaks"),
    ] {
        let (got_field, message) = field_error(create(&env, form("Acme"), connection).await);
        assert_eq!(got_field, field, "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("gstvsae05"), "never echo the key: {message}");
    }
    assert_eq!(count(&env.db, "connections").await, 0);
    assert!(env.secrets.is_empty());

    // Presets and the procedure's bare region hosts are accepted; a pasted key is trimmed.
    let eu = create(
        &env,
        form("EU"),
        new_connection("Europe", "https://api.smartsheet.eu/", &format!(" {KEY}\n")),
    )
    .await
    .unwrap();
    assert_eq!(eu.conn().url, "https://api.smartsheet.eu/2.0");
    assert_eq!(eu.conn().key_last_four.as_deref(), Some("1a2b"));
    let local =
        create(&env, form("Sim"), new_connection("Simulator", "http://127.0.0.1:9/2.0/", KEY)).await.unwrap();
    assert_eq!(local.conn().url, "http://127.0.0.1:9/2.0");

    // Connection names are unique regardless of case.
    let (field, message) = field_error(create(&env, form("Other"), new_connection("EUROPE", US, KEY)).await);
    assert_eq!(field, "name");
    assert!(message.starts_with("A connection named “EUROPE” already exists."), "{message}");
    // An unknown existing connection is a field error on connectionId.
    let (field, _) =
        field_error(create(&env, form("Other"), ConnectionChoice::Existing { connection_id: 999 }).await);
    assert_eq!(field, "connectionId");
    assert_eq!(env.secrets.len(), 2);

    let presets = connection_presets();
    assert_eq!(presets.len(), 4);
    assert!(presets.iter().any(|p| p.label == "Europe" && p.url == "https://api.smartsheet.eu/2.0"));
}

#[tokio::test]
async fn analyze_activity_from_rules() {
    let env = env().await;
    let earliest = Utc.with_ymd_and_hms(2026, 9, 30, 0, 0, 0).unwrap();
    assert_eq!(default_activity_start(&env.clock), earliest);

    let profile = create(&env, form("Default"), new_connection("Main", US, KEY)).await.unwrap();
    assert_eq!(profile.analyze_activity_from, earliest, "60 days before today by default");
    let shared = || ConnectionChoice::Existing { connection_id: profile.conn().id };

    let with_from =
        |name: &str, from: DateTime<Utc>| ProfileInput { analyze_activity_from: Some(from), ..form(name) };
    for (from, expected) in [
        (
            now() + Duration::seconds(1),
            "cannot be in the future. Choose a date between 2026-09-30 and today.",
        ),
        (earliest - Duration::seconds(1), "can go back at most 60 days. Choose 2026-09-30 or later."),
    ] {
        let (field, message) = field_error(create(&env, with_from("Bad", from), shared()).await);
        assert_eq!(field, "analyzeActivityFrom");
        assert!(message.contains(expected), "{message}");
    }
    let at_limit = create(&env, with_from("Limit", earliest), shared()).await.unwrap();
    assert_eq!(at_limit.analyze_activity_from, earliest);
    let today = create(&env, with_from("Now", now()), shared()).await.unwrap();
    assert_eq!(today.analyze_activity_from, now());

    // Time passes: the stored value stays valid (unchanged or omitted), a new old value does not.
    env.clock.advance(Duration::days(30));
    let kept = update_profile(&env.db, &env.clock, at_limit.id, with_from("Limit", earliest)).await.unwrap();
    assert_eq!(kept.analyze_activity_from, earliest);
    let kept = update_profile(&env.db, &env.clock, at_limit.id, form("Limit")).await.unwrap();
    assert_eq!(kept.analyze_activity_from, earliest);
    let (field, _) = field_error(
        update_profile(&env.db, &env.clock, today.id, with_from("Now", earliest + Duration::days(1))).await,
    );
    assert_eq!(field, "analyzeActivityFrom");
}

#[tokio::test]
async fn a_new_profile_is_a_draft_and_the_key_is_only_in_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("seatkeeper.db")).await.unwrap();
    let env = Env { db, secrets: MemoryStore::new(), clock: FixedClock::new(now()) };

    let profile = create(&env, form("Acme"), new_connection("Main", US, KEY)).await.unwrap();
    assert_eq!(profile.status, ProfileStatus::Draft);
    assert_eq!(profile.profile_type, ProfileType::SmartsheetSubscription);
    assert!(profile.download_subscriptions && profile.download_activity && profile.reclaim_subscriptions);
    assert_eq!((profile.created_at, profile.updated_at, profile.published_at), (now(), now(), None));
    assert!(profile.last_validation.is_none() && profile.jobs.is_empty());
    assert_eq!(profile.conn().name, "Main");
    assert_eq!(profile.conn().key_last_four.as_deref(), Some("1a2b"));
    assert_eq!(profile.conn().profile_count, 1);
    assert_eq!(get_profile(&env.db, profile.id).await.unwrap(), profile);
    assert_eq!(list_profiles(&env.db).await.unwrap(), vec![profile.clone()]);

    let key_ids = env.secrets.key_ids();
    assert_eq!(key_ids.len(), 1);
    assert_eq!(env.secrets.get(&key_ids[0]).await.unwrap().unwrap().to_string(), "…1a2b");

    let json = serde_json::to_string(&(
        list_profiles(&env.db).await.unwrap(),
        list_connections(&env.db).await.unwrap(),
    ))
    .unwrap();
    assert!(json.contains("\"profileType\":\"Smartsheet Subscription\""), "{json}");
    assert!(!json.contains(&KEY[..20]), "{json}");

    // Not in the database file either (nor in its WAL).
    env.db.close().await;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        // SQLite may remove its -wal/-shm files while the pool finishes closing.
        let bytes = match std::fs::read(entry.unwrap().path()) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            read => read.unwrap(),
        };
        assert!(!bytes.windows(20).any(|w| w == &KEY.as_bytes()[..20]), "the key reached the database");
    }
}

#[tokio::test]
async fn draft_published_draft_with_jobs() {
    let sim = small_sim().await;
    let env = env().await;
    let options = ClientOptions::quick();
    let profile = create(&env, form("Acme"), new_connection("Main", sim.base_url(), &sim.tokens().admin))
        .await
        .unwrap();

    // Publishing needs a validation first.
    let err = publish_profile(&env.db, &env.clock, profile.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("has not been validated"), "{err}");

    let validation =
        validate_connection(&env.db, &env.secrets, &env.clock, profile.id, &options).await.unwrap();
    assert!(validation.ok, "{}", validation.message);
    env.clock.advance(Duration::minutes(5));
    let published = publish_profile(&env.db, &env.clock, profile.id).await.unwrap();
    assert_eq!(published.status, ProfileStatus::Published);
    assert_eq!(published.published_at, Some(env.clock_now()));
    assert_eq!(published.last_validation, Some(validation.clone()));
    let jobs: Vec<_> =
        published.jobs.iter().map(|j| (j.kind, j.name.as_str(), j.schedule, j.enabled)).collect();
    assert_eq!(
        jobs,
        [
            (JobKind::Subscriptions, "Refresh Acme Subscriptions", JobSchedule::Daily, true),
            (JobKind::Events, "Refresh Acme Events", JobSchedule::Daily, true),
            (JobKind::Reclaim, "Reclaim Acme Subscriptions", JobSchedule::OnDemand, true),
            (JobKind::Reconcile, "Reconcile Acme Subscriptions", JobSchedule::Weekly, true),
        ]
    );
    // The daily and weekly jobs are due at once; the reclaim job runs only when a reclaim is
    // confirmed.
    assert!(published.jobs.iter().all(|j| j.profile_id == profile.id
        && j.next_run_at == (j.schedule != JobSchedule::OnDemand).then(|| env.clock_now())));
    // Publishing again changes nothing.
    assert_eq!(publish_profile(&env.db, &env.clock, profile.id).await.unwrap(), published);

    // Renaming renames the jobs and keeps the profile published.
    let renamed = update_profile(&env.db, &env.clock, profile.id, form("Acme Corp")).await.unwrap();
    assert_eq!(renamed.status, ProfileStatus::Published);
    let names: Vec<_> = renamed.jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Refresh Acme Corp Subscriptions",
            "Refresh Acme Corp Events",
            "Reclaim Acme Corp Subscriptions",
            "Reconcile Acme Corp Subscriptions"
        ]
    );
    assert!(renamed.last_validation.is_some());
    // Reclaim and the start date are not part of what was validated.
    let mut no_reclaim = form("Acme Corp");
    no_reclaim.reclaim_subscriptions = false;
    let still = update_profile(&env.db, &env.clock, profile.id, no_reclaim.clone()).await.unwrap();
    assert_eq!(still.status, ProfileStatus::Published);
    assert!(!still.reclaim_subscriptions && still.last_validation.is_some());

    // Clearing Download activity: back to Draft, events job deleted, validation cleared.
    let mut no_activity = no_reclaim;
    no_activity.download_activity = false;
    let draft = update_profile(&env.db, &env.clock, profile.id, no_activity.clone()).await.unwrap();
    assert_eq!(draft.status, ProfileStatus::Draft);
    assert_eq!(draft.published_at, None);
    assert!(draft.last_validation.is_none());
    let jobs: Vec<_> = draft.jobs.iter().map(|j| (j.kind, j.enabled)).collect();
    assert_eq!(
        jobs,
        [(JobKind::Subscriptions, false), (JobKind::Reclaim, false), (JobKind::Reconcile, false)],
        "events job deleted, the others stopped"
    );
    let err = publish_profile(&env.db, &env.clock, profile.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);

    // Revalidate and republish: only the subscriptions job, enabled again.
    validate_connection(&env.db, &env.secrets, &env.clock, profile.id, &options).await.unwrap();
    let republished = publish_profile(&env.db, &env.clock, profile.id).await.unwrap();
    assert_eq!(republished.status, ProfileStatus::Published);
    let jobs: Vec<_> = republished.jobs.iter().map(|j| (j.kind, j.enabled)).collect();
    assert_eq!(jobs, [(JobKind::Subscriptions, true), (JobKind::Reclaim, true), (JobKind::Reconcile, true)]);

    // Turning Download activity back on while published adds the events job.
    let mut activity = no_activity;
    activity.download_activity = true;
    let with_events = update_profile(&env.db, &env.clock, profile.id, activity).await.unwrap();
    assert_eq!(with_events.status, ProfileStatus::Published);
    let jobs: Vec<_> = with_events.jobs.iter().map(|j| (j.kind, j.name.as_str(), j.enabled)).collect();
    assert_eq!(
        jobs,
        [
            (JobKind::Subscriptions, "Refresh Acme Corp Subscriptions", true),
            (JobKind::Events, "Refresh Acme Corp Events", true),
            (JobKind::Reclaim, "Reclaim Acme Corp Subscriptions", true),
            (JobKind::Reconcile, "Reconcile Acme Corp Subscriptions", true)
        ]
    );

    // Deleting the profile deletes its jobs, validation, connection and key.
    delete_profile(&env.db, &env.secrets, profile.id).await.unwrap();
    for table in ["profiles", "connections", "profile_validations", "scheduled_jobs"] {
        assert_eq!(count(&env.db, table).await, 0, "{table}");
    }
    assert!(env.secrets.is_empty());
    assert_eq!(get_profile(&env.db, profile.id).await.unwrap_err().code(), ErrorCode::NotFound);
}

impl Env {
    fn clock_now(&self) -> DateTime<Utc> {
        seatkeeper_core::Clock::now(&self.clock)
    }
}

#[tokio::test]
async fn publish_is_refused_after_a_failed_validation_or_a_connection_change() {
    let sim = small_sim().await;
    let env = env().await;
    let options = ClientOptions::quick();
    let tokens = sim.tokens().clone();
    let profile =
        create(&env, form("Acme"), new_connection("Main", sim.base_url(), &tokens.expired)).await.unwrap();

    let failed = validate_connection(&env.db, &env.secrets, &env.clock, profile.id, &options).await.unwrap();
    assert!(!failed.ok);
    let err = publish_profile(&env.db, &env.clock, profile.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("the last connection validation failed"), "{err}");
    assert!(err.to_string().contains("expired"), "{err}");

    // A new key: the old validation no longer counts, even though it failed.
    let update = |url: &str, key: Option<&str>| ConnectionUpdate {
        name: "Main".into(),
        url: url.into(),
        api_key: key.map(str::to_owned),
        trusted_host: None,
    };
    let connection = update_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        profile.conn().id,
        update(sim.base_url(), Some(&tokens.admin)),
    )
    .await
    .unwrap();
    assert_eq!(connection.key_last_four.as_deref(), Some(&tokens.admin[tokens.admin.len() - 4..]));
    assert!(get_profile(&env.db, profile.id).await.unwrap().last_validation.is_none());

    validate_connection(&env.db, &env.secrets, &env.clock, profile.id, &options).await.unwrap();
    let published = publish_profile(&env.db, &env.clock, profile.id).await.unwrap();
    assert_eq!(published.status, ProfileStatus::Published);

    // Renaming the connection keeps everything; a changed URL sends the profile back to Draft.
    let renamed = ConnectionUpdate { name: "Main (US)".into(), ..update(sim.base_url(), None) };
    update_connection(&env.db, &env.secrets, &env.clock, profile.conn().id, renamed).await.unwrap();
    let still = get_profile(&env.db, profile.id).await.unwrap();
    assert_eq!((still.status, still.last_validation.is_some()), (ProfileStatus::Published, true));
    assert_eq!(still.conn().name, "Main (US)");

    // A new path on the same address keeps the key (a blank API Key keeps it) but needs validating.
    let same_origin = format!("{}/", sim.base_url());
    let trailing = update_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        profile.conn().id,
        update(&same_origin, Some("  ")),
    )
    .await
    .unwrap();
    assert_eq!(trailing.key_last_four, connection.key_last_four, "a blank API Key keeps the key");
    assert_eq!(get_profile(&env.db, profile.id).await.unwrap().status, ProfileStatus::Published, "same URL");
    validate_connection(&env.db, &env.secrets, &env.clock, profile.id, &options).await.unwrap();

    // Another address (here another host name for this computer): the key is not sent there
    // until it is entered again, and nothing changes before.
    let moved = sim.base_url().replace("127.0.0.1", "localhost");
    let (field, message) = field_error(
        update_connection(&env.db, &env.secrets, &env.clock, profile.conn().id, update(&moved, Some("  ")))
            .await,
    );
    assert_eq!(field, "apiKey");
    assert!(message.contains("Enter the API key again") && message.contains("http://localhost"), "{message}");
    let unchanged = get_profile(&env.db, profile.id).await.unwrap();
    assert_eq!((unchanged.status, unchanged.conn().url.as_str()), (ProfileStatus::Published, sim.base_url()));
    update_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        profile.conn().id,
        update(&moved, Some(&tokens.admin)),
    )
    .await
    .unwrap();
    let draft = get_profile(&env.db, profile.id).await.unwrap();
    assert_eq!(draft.status, ProfileStatus::Draft);
    assert!(draft.last_validation.is_none());
    assert!(draft.jobs.iter().all(|j| !j.enabled), "jobs stop until published again");
    assert_eq!(
        publish_profile(&env.db, &env.clock, profile.id).await.unwrap_err().code(),
        ErrorCode::Conflict
    );
    assert_eq!(env.secrets.len(), 1, "the replaced key was removed from the keychain");
}

#[tokio::test]
async fn profiles_sharing_a_connection() {
    let env = env().await;
    let first = create(&env, form("Production"), new_connection("Main", US, KEY)).await.unwrap();
    let second = create(&env, form("Sandbox"), ConnectionChoice::Existing { connection_id: first.conn().id })
        .await
        .unwrap();
    assert_eq!(second.conn().id, first.conn().id);
    assert_eq!(env.secrets.len(), 1, "one key for the shared connection");
    let connections = list_connections(&env.db).await.unwrap();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].profile_count, 2);
    // A child alias: a third profile with its own connection.
    let third = create(&env, form("Europe"), new_connection("EU", "https://api.smartsheet.eu/2.0", KEY))
        .await
        .unwrap();
    assert_ne!(third.conn().id, first.conn().id);
    assert_eq!(env.secrets.len(), 2);
    let names: Vec<_> = list_profiles(&env.db).await.unwrap().into_iter().map(|p| p.display_name).collect();
    assert_eq!(names, ["Europe", "Production", "Sandbox"]);

    // Deleting one of two users of a connection keeps the connection and its key.
    delete_profile(&env.db, &env.secrets, first.id).await.unwrap();
    assert_eq!(env.secrets.len(), 2);
    let remaining = get_profile(&env.db, second.id).await.unwrap();
    assert_eq!(remaining.conn().profile_count, 1);
    // Deleting the last one removes both.
    delete_profile(&env.db, &env.secrets, second.id).await.unwrap();
    assert_eq!(env.secrets.len(), 1);
    let connections = list_connections(&env.db).await.unwrap();
    assert_eq!(connections.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["EU"]);
    assert_eq!(
        delete_profile(&env.db, &env.secrets, second.id).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
}

/// Save first, as in the procedure: a Draft is saved without a Connection & Credential, which is
/// created on the saved profile afterwards; Validate Connection and Publish need it.
#[tokio::test]
async fn save_first_then_create_new_connection_validate_and_publish() {
    let env = env().await;
    let sim = small_sim().await;
    let options = ClientOptions::quick();
    let draft = create_profile(&env.db, &env.secrets, &env.clock, form("Acme"), None).await.unwrap();
    assert_eq!((draft.status, draft.connection.as_ref()), (ProfileStatus::Draft, None));
    assert_eq!((count(&env.db, "connections").await, env.secrets.len()), (0, 0));

    let refused =
        validate_connection(&env.db, &env.secrets, &env.clock, draft.id, &options).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Conflict);
    assert_eq!(
        refused.to_string(),
        "“Acme” has no Connection & Credential yet. Select Create New Connection & Credential on the profile (or \
         use an existing connection), then Validate Connection and Publish."
    );
    let refused = publish_profile(&env.db, &env.clock, draft.id).await.unwrap_err();
    assert!(refused.to_string().contains("has no Connection & Credential yet"), "{refused}");
    assert_eq!(count(&env.db, "profile_validations").await, 0);

    let tokens = sim.tokens();
    let with = set_profile_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        draft.id,
        new_connection("Main", sim.base_url(), &tokens.admin),
    )
    .await
    .unwrap();
    assert_eq!(with.status, ProfileStatus::Draft);
    assert_eq!((with.conn().name.as_str(), with.conn().profile_count), ("Main", 1));
    assert_eq!(env.secrets.len(), 1);
    assert!(validate_connection(&env.db, &env.secrets, &env.clock, draft.id, &options).await.unwrap().ok);
    let published = publish_profile(&env.db, &env.clock, draft.id).await.unwrap();
    assert_eq!(published.status, ProfileStatus::Published);
    assert!(published.jobs.iter().all(|j| j.enabled));

    // A Draft without a connection is deleted like any other.
    let other = create_profile(&env.db, &env.secrets, &env.clock, form("Other"), None).await.unwrap();
    delete_profile(&env.db, &env.secrets, other.id).await.unwrap();
    assert_eq!(count(&env.db, "profiles").await, 1);
    assert_eq!(env.secrets.len(), 1, "the other profile's connection and key are untouched");
}

/// A saved profile moves to another connection (a new child alias or an existing one): it returns
/// to Draft without its validation, and the connection it left stays until it is deleted.
#[tokio::test]
async fn a_profile_moves_to_another_connection_and_returns_to_draft() {
    let env = env().await;
    let sim = small_sim().await;
    let tokens = sim.tokens();
    let options = ClientOptions::quick();
    let profile =
        create(&env, form("Acme"), new_connection("Main", sim.base_url(), &tokens.admin)).await.unwrap();
    validate_connection(&env.db, &env.secrets, &env.clock, profile.id, &options).await.unwrap();
    publish_profile(&env.db, &env.clock, profile.id).await.unwrap();
    let main = profile.conn().id;

    // The same connection again changes nothing.
    let same = set_profile_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        profile.id,
        ConnectionChoice::Existing { connection_id: main },
    )
    .await
    .unwrap();
    assert_eq!((same.status, same.last_validation.is_some()), (ProfileStatus::Published, true));

    // A new child alias: Draft, no validation, jobs stopped; the old connection stays, unused.
    let moved = set_profile_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        profile.id,
        new_connection("Child", sim.base_url(), &tokens.admin),
    )
    .await
    .unwrap();
    assert_eq!(moved.conn().name, "Child");
    assert_eq!((moved.status, moved.last_validation.is_none()), (ProfileStatus::Draft, true));
    assert!(moved.jobs.iter().all(|j| !j.enabled), "jobs stop until published again");
    let counts: Vec<_> =
        list_connections(&env.db).await.unwrap().into_iter().map(|c| (c.name, c.profile_count)).collect();
    assert_eq!(counts, [("Child".to_owned(), 1), ("Main".to_owned(), 0)]);
    assert_eq!(env.secrets.len(), 2);

    // Back to the existing one.
    let back = set_profile_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        profile.id,
        ConnectionChoice::Existing { connection_id: main },
    )
    .await
    .unwrap();
    assert_eq!(back.conn().id, main);

    // Refusals change nothing: a taken name (before the keychain is touched), a connection that
    // no longer exists, a profile that no longer exists.
    let (field, message) = field_error(
        set_profile_connection(
            &env.db,
            &env.secrets,
            &env.clock,
            profile.id,
            new_connection("main", US, KEY),
        )
        .await,
    );
    assert_eq!(field, "name");
    assert!(message.contains("already exists"), "{message}");
    let (field, _) = field_error(
        set_profile_connection(
            &env.db,
            &env.secrets,
            &env.clock,
            profile.id,
            ConnectionChoice::Existing { connection_id: 999 },
        )
        .await,
    );
    assert_eq!(field, "connectionId");
    let gone =
        set_profile_connection(&env.db, &env.secrets, &env.clock, 999, new_connection("X", US, KEY)).await;
    assert_eq!(gone.unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(env.secrets.len(), 2, "no key was stored for a refused change");
    assert_eq!(get_profile(&env.db, profile.id).await.unwrap().conn().id, main);
}

/// A connection in use cannot be deleted (the message names its profiles); an unused one goes
/// with its key.
#[tokio::test]
async fn only_an_unused_connection_is_deleted_with_its_key() {
    let env = env().await;
    let first = create(&env, form("Production"), new_connection("Main", US, KEY)).await.unwrap();
    let main = first.conn().id;
    create(&env, form("Sandbox"), ConnectionChoice::Existing { connection_id: main }).await.unwrap();
    let err = delete_connection(&env.db, &env.secrets, main).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(
        err.to_string(),
        "The connection “Main” is used by 2 profiles (“Production”, “Sandbox”). Move them to another \
         connection, or delete them, before deleting it."
    );
    assert_eq!((count(&env.db, "connections").await, env.secrets.len()), (1, 1));

    set_profile_connection(&env.db, &env.secrets, &env.clock, first.id, new_connection("EU", US, KEY))
        .await
        .unwrap();
    let err = delete_connection(&env.db, &env.secrets, main).await.unwrap_err();
    assert!(err.to_string().contains("used by a profile (“Sandbox”). Move it"), "{err}");

    let sandbox =
        list_profiles(&env.db).await.unwrap().into_iter().find(|p| p.display_name == "Sandbox").unwrap();
    delete_profile(&env.db, &env.secrets, sandbox.id).await.unwrap();
    // Deleting the profile took its last connection with it already; "EU" is used, so make an
    // unused one by moving Production back and forth.
    let eu = get_profile(&env.db, first.id).await.unwrap().conn().id;
    set_profile_connection(&env.db, &env.secrets, &env.clock, first.id, new_connection("Main 2", US, KEY))
        .await
        .unwrap();
    assert_eq!(env.secrets.len(), 2);
    delete_connection(&env.db, &env.secrets, eu).await.unwrap();
    assert_eq!(env.secrets.len(), 1, "its key left the keychain");
    let names: Vec<_> = list_connections(&env.db).await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Main 2"]);
    assert_eq!(delete_connection(&env.db, &env.secrets, eu).await.unwrap_err().code(), ErrorCode::NotFound);
}

/// A keychain that fails on demand, like a locked or absent Secret Service.
#[derive(Default)]
struct FlakyStore {
    inner: MemoryStore,
    fail_set: AtomicBool,
    fail_delete: AtomicBool,
}

fn unavailable() -> Error {
    Error::KeychainUnavailable("The system keychain is not available (test).".into())
}

impl SecretStore for FlakyStore {
    fn set<'a>(&'a self, key_id: &'a str, token: &'a ApiToken) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        if self.fail_set.load(Ordering::SeqCst) {
            return Box::pin(async { Err(unavailable()) });
        }
        self.inner.set(key_id, token)
    }
    fn get<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<Option<ApiToken>>> {
        self.inner.get(key_id)
    }
    fn delete<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        if self.fail_delete.load(Ordering::SeqCst) {
            return Box::pin(async { Err(unavailable()) });
        }
        self.inner.delete(key_id)
    }
}

#[tokio::test]
async fn nothing_is_half_saved_when_the_keychain_fails() {
    let db = Db::open_in_memory().await.unwrap();
    let clock = FixedClock::new(now());
    let store = FlakyStore::default();

    store.fail_set.store(true, Ordering::SeqCst);
    let err = create_profile(&db, &store, &clock, form("Acme"), Some(new_connection("Main", US, KEY)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert_eq!(AppError::from(&err).code, ErrorCode::KeychainUnavailable);
    assert_eq!((count(&db, "profiles").await, count(&db, "connections").await), (0, 0));
    assert!(store.inner.is_empty());

    store.fail_set.store(false, Ordering::SeqCst);
    let profile = create_profile(&db, &store, &clock, form("Acme"), Some(new_connection("Main", US, KEY)))
        .await
        .unwrap();
    let key_before = store.inner.key_ids();

    // A new key that cannot be stored changes nothing.
    store.fail_set.store(true, Ordering::SeqCst);
    let update = ConnectionUpdate {
        name: "Renamed".into(),
        url: US.into(),
        api_key: Some(format!("{KEY}9")),
        trusted_host: None,
    };
    let err = update_connection(&db, &store, &clock, profile.conn().id, update).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert_eq!(get_profile(&db, profile.id).await.unwrap(), profile);
    assert_eq!(store.inner.key_ids(), key_before);
    store.fail_set.store(false, Ordering::SeqCst);

    // Deleting the last profile of a connection while the keychain is unavailable deletes nothing.
    store.fail_delete.store(true, Ordering::SeqCst);
    let err = delete_profile(&db, &store, profile.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable);
    assert_eq!(get_profile(&db, profile.id).await.unwrap(), profile);
    assert_eq!(store.inner.key_ids(), key_before);
    store.fail_delete.store(false, Ordering::SeqCst);
    delete_profile(&db, &store, profile.id).await.unwrap();
    assert!(store.inner.is_empty());
}

/// A keychain whose `set` lets a competing save take the connection name in between, so that the
/// database write after the keychain write fails.
struct RacingStore {
    inner: MemoryStore,
    db: Db,
}

impl SecretStore for RacingStore {
    fn set<'a>(&'a self, key_id: &'a str, token: &'a ApiToken) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO connections (name, name_key, url, key_id, created_at, updated_at) \
                 VALUES ('Main', 'main', 'https://api.smartsheet.com/2.0', 'other', '2026-01-01T00:00:00Z', \
                 '2026-01-01T00:00:00Z')",
            )
            .execute(self.db.pool())
            .await
            .unwrap();
            self.inner.set(key_id, token).await
        })
    }
    fn get<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<Option<ApiToken>>> {
        self.inner.get(key_id)
    }
    fn delete<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        self.inner.delete(key_id)
    }
}

#[tokio::test]
async fn the_key_is_removed_again_when_the_database_write_fails() {
    let db = Db::open_in_memory().await.unwrap();
    let store = RacingStore { inner: MemoryStore::new(), db: db.clone() };
    let clock = FixedClock::new(now());
    let (field, message) = field_error(
        create_profile(&db, &store, &clock, form("Acme"), Some(new_connection("Main", US, KEY))).await,
    );
    assert_eq!(field, "name");
    assert!(message.contains("already exists"), "{message}");
    assert!(store.inner.is_empty(), "the key stored for the failed save was removed");
    assert_eq!(count(&db, "profiles").await, 0);
}

#[tokio::test]
async fn missing_things_are_not_found() {
    let env = env().await;
    let err = get_profile(&env.db, 42).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert!(err.to_string().contains("no longer exists"), "{err}");
    assert_eq!(
        update_profile(&env.db, &env.clock, 42, form("x")).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(publish_profile(&env.db, &env.clock, 42).await.unwrap_err().code(), ErrorCode::NotFound);
    let options = ClientOptions::quick();
    let err = validate_connection(&env.db, &env.secrets, &env.clock, 42, &options).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let update = ConnectionUpdate { name: "n".into(), url: US.into(), api_key: None, trusted_host: None };
    let err = update_connection(&env.db, &env.secrets, &env.clock, 42, update).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);

    let app = AppError::from(field_error_app(create(&env, form(""), new_connection("Main", US, KEY)).await));
    assert_eq!((app.code, app.field.as_deref()), (ErrorCode::Validation, Some("displayName")));
}

fn field_error_app<T>(result: seatkeeper_core::Result<T>) -> Error {
    match result {
        Err(e) => e,
        Ok(_) => panic!("expected an error"),
    }
}

/// The API key only goes where the admin said: a host that is not one of Smartsheet's four API
/// hosts (nor this computer) needs a confirmation that names it, and a key goes only to the
/// address it was entered for.
#[tokio::test]
async fn a_host_that_is_not_smartsheets_needs_a_confirmation_that_names_it() {
    const PROBE: &str = "https://seatkeeper-probe.invalid/2.0";
    let env = env().await;
    let with_host = |url: &str, trusted: Option<&str>| {
        ConnectionChoice::New(ConnectionInput {
            name: "Gateway".into(),
            url: url.into(),
            api_key: KEY.into(),
            trusted_host: trusted.map(str::to_owned),
        })
    };

    // Not confirmed, or another host confirmed: refused on the URL, naming the host; nothing saved.
    for trusted in [None, Some("api.smartsheet.com"), Some("probe.invalid")] {
        let (field, message) = field_error(create(&env, form("Acme"), with_host(PROBE, trusted)).await);
        assert_eq!(field, "url");
        assert!(
            message.starts_with("seatkeeper-probe.invalid is not one of Smartsheet's API hosts"),
            "{message}"
        );
        assert!(message.contains("would send your API key to seatkeeper-probe.invalid"), "{message}");
    }
    assert_eq!((count(&env.db, "connections").await, env.secrets.len()), (0, 0));

    // Smartsheet's hosts and loopback need none.
    for url in
        [US, "https://api.smartsheetgov.com/2.0", "https://api.smartsheet.eu", "http://localhost:9/2.0"]
    {
        assert_eq!(seatkeeper_core::connections::host_needing_confirmation(url), None, "{url}");
    }

    // Confirmed: saved, with the confirmed host.
    let gateway =
        create(&env, form("Acme"), with_host(PROBE, Some(" Seatkeeper-Probe.invalid "))).await.unwrap();
    assert_eq!(gateway.conn().trusted_host.as_deref(), Some("seatkeeper-probe.invalid"));

    // The confirmation stays while the URL keeps the host (a rename, another path)...
    let update = |url: &str, key: Option<&str>, trusted: Option<&str>| ConnectionUpdate {
        name: "Gateway".into(),
        url: url.into(),
        api_key: key.map(str::to_owned),
        trusted_host: trusted.map(str::to_owned),
    };
    let id = gateway.conn().id;
    let kept = update_connection(
        &env.db,
        &env.secrets,
        &env.clock,
        id,
        update("https://seatkeeper-probe.invalid/v2", None, None),
    )
    .await
    .unwrap();
    assert_eq!(kept.trusted_host.as_deref(), Some("seatkeeper-probe.invalid"));
    // ...and goes when the URL is Smartsheet's again (with the key entered again: another address).
    let back =
        update_connection(&env.db, &env.secrets, &env.clock, id, update(US, Some(KEY), None)).await.unwrap();
    assert_eq!(back.trusted_host, None);

    // From Smartsheet to another host: the key must be entered again, and the host confirmed.
    let (field, message) = field_error(
        update_connection(&env.db, &env.secrets, &env.clock, id, update(PROBE, None, None)).await,
    );
    assert_eq!(field, "url", "{message}");
    let (field, message) = field_error(
        update_connection(
            &env.db,
            &env.secrets,
            &env.clock,
            id,
            update(PROBE, None, Some("seatkeeper-probe.invalid")),
        )
        .await,
    );
    assert_eq!(field, "apiKey");
    assert!(
        message
            .contains("now points at https://seatkeeper-probe.invalid instead of https://api.smartsheet.com"),
        "{message}"
    );
    let still = list_connections(&env.db).await.unwrap();
    assert_eq!(still[0].url, US, "nothing changed");
}

/// A connection stored before hosts needed confirming, or whose URL no longer matches its key
/// (changed behind Seatkeeper's back), is not used: Validate Connection says what to do and sends
/// nothing.
#[tokio::test]
async fn validation_never_sends_the_key_where_it_was_not_entered_for() {
    let env = env().await;
    let sim = small_sim().await;
    let profile = create(&env, form("Acme"), new_connection("Main", sim.base_url(), &sim.tokens().admin))
        .await
        .unwrap();
    let options = ClientOptions::quick();
    let validate = || validate_connection(&env.db, &env.secrets, &env.clock, profile.id, &options);
    assert!(validate().await.unwrap().ok);

    // The URL points elsewhere, the key was entered for the simulator.
    let elsewhere = sim.base_url().replace("127.0.0.1", "localhost");
    sqlx::query("UPDATE connections SET url = ?").bind(&elsewhere).execute(env.db.pool()).await.unwrap();
    let requests = sim.requests();
    let result = validate().await.unwrap();
    assert_eq!(result.failure, Some(seatkeeper_core::validation::ValidationFailure::InvalidUrl));
    assert!(result.message.contains("The API key was entered for http://127.0.0.1:"), "{}", result.message);
    assert!(result.message.contains("enter the API key again"), "{}", result.message);

    // A host nobody confirmed (as a connection saved by an older Seatkeeper may have).
    sqlx::query(
        "UPDATE connections SET url = 'https://seatkeeper-probe.invalid/2.0', \
                 key_origin = 'https://seatkeeper-probe.invalid', trusted_host = NULL",
    )
    .execute(env.db.pool())
    .await
    .unwrap();
    let result = validate().await.unwrap();
    assert_eq!(result.failure, Some(seatkeeper_core::validation::ValidationFailure::InvalidUrl));
    assert!(
        result.message.contains("seatkeeper-probe.invalid is not one of Smartsheet's API hosts"),
        "{}",
        result.message
    );
    assert_eq!(sim.requests(), requests, "nothing was sent anywhere");
}
