//! The demo organization: it validates like a real one, comes back after a restart, is recognised
//! by its flag (never by its name), and its simulator offers no control endpoints.

use seatkeeper_core::connections::{client_for, list_connections, ClientOptions};
use seatkeeper_core::jobs::{JobKind, JobStatus};
use seatkeeper_core::profiles::{create_profile, get_profile, Profile, ProfileStatus};
use seatkeeper_core::reclaim::{
    self, CandidateFilter, CandidatePageRequest, CandidateSort, CandidateState, Justification,
};
use seatkeeper_core::reconcile::{self, Compliance};
use seatkeeper_core::services::{publish_profile, validate_connection};
use seatkeeper_core::{Db, MemoryStore, SecretStore, SystemClock};
use seatkeeper_demo::{resume_demo, start_demo, DemoServer, DEMO_CONNECTION_NAME, DEMO_PROFILE_NAME};
use seatkeeper_testsupport as support;
use support::ProfileConnection;

/// A fresh app (database, keychain) after "Try the demo organization".
struct Demo {
    db: Db,
    secrets: MemoryStore,
    server: DemoServer,
    profile: Profile,
}

impl Demo {
    async fn start() -> Self {
        let db = Db::open_in_memory().await.unwrap();
        let secrets = MemoryStore::default();
        let server = DemoServer::default();
        let profile = start_demo(&db, &secrets, &SystemClock, &server).await.unwrap();
        Self { db, secrets, server, profile }
    }
}

#[tokio::test]
async fn the_demo_profile_validates_against_the_simulated_organization() {
    let Demo { db, secrets, server, profile } = Demo::start().await;
    assert_eq!(profile.display_name, DEMO_PROFILE_NAME);
    assert_eq!(profile.conn().name, DEMO_CONNECTION_NAME);
    assert!(profile.conn().is_demo);
    let result =
        validate_connection(&db, &secrets, &SystemClock, profile.id, &ClientOptions::quick()).await.unwrap();
    assert!(result.ok, "{}", result.message);
    assert_eq!(result.event_reporting, Some(true));

    // A second demo shares the connection and gets a name of its own.
    let second = start_demo(&db, &secrets, &SystemClock, &server).await.unwrap();
    assert_eq!(second.display_name, "Demo organization 2");
    assert_eq!(second.conn().id, profile.conn().id);

    // After a restart of the app, the organization comes back on the same port.
    server.stop().await;
    let restarted = DemoServer::default();
    resume_demo(&db, &restarted).await.unwrap();
    let again =
        validate_connection(&db, &secrets, &SystemClock, profile.id, &ClientOptions::quick()).await.unwrap();
    assert!(again.ok, "{}", again.message);
    restarted.stop().await;
}

/// The demo is for trying the whole loop: once published and refreshed, it has removal candidates
/// of both kinds, Ready for review.
#[tokio::test]
async fn the_demo_has_removal_candidates_out_of_the_box() {
    let Demo { db, secrets, server, profile } = Demo::start().await;
    let options = ClientOptions::quick();
    validate_connection(&db, &secrets, &SystemClock, profile.id, &options).await.unwrap();
    publish_profile(&db, &SystemClock, profile.id).await.unwrap();
    let client = client_for(&db, &secrets, profile.id, &options).await.unwrap();
    for kind in [JobKind::Subscriptions, JobKind::Events] {
        let result = support::run_job(&db, &client, profile.id, &SystemClock, kind).await;
        assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    }
    let request = CandidatePageRequest {
        filter: CandidateFilter { profile_id: Some(profile.id), ..CandidateFilter::default() },
        sort: CandidateSort::InactiveDays,
        descending: true,
        offset: 0,
        limit: 1000,
    };
    let page = reclaim::list_candidates(&db, &SystemClock, &request).await.unwrap();
    assert!(page.total >= 20, "{} candidates", page.total);
    assert!(page.rows.iter().all(|c| c.state == CandidateState::Ready));
    for kind in [Justification::LowUsage, Justification::NeverUsed] {
        assert!(page.rows.iter().any(|c| c.justification == kind), "no {kind:?} candidate");
    }

    // It ships with entitlements: the License Usage view has a compliance position and savings.
    let usage = reconcile::license_usage(&db, &SystemClock, profile.id).await.unwrap();
    let members = usage.models.iter().find(|m| m.identifier.as_deref() == Some("MEMBER")).unwrap();
    assert_eq!(members.entitlements, 2);
    assert_eq!(members.owned + 12, members.used + members.excluded, "a dozen seats short: {members:?}");
    assert_eq!(members.compliance, Compliance::NotCompliant);
    // (300.00 a year × (n − 20) + 30.00 a month × 8) / (n − 12) per month, in cents.
    let n = members.used + members.excluded;
    let unit = ((2500 * (n - 20) + 3000 * 8) as f64 / (n - 12) as f64).round() as i64;
    assert_eq!(members.unit_monthly.as_ref().map(|u| u.minor), Some(unit));
    assert_eq!(usage.totals.potential_yearly.iter().map(|m| m.minor).sum::<i64>(), page.total * unit * 12);
    assert!(!usage.history.is_empty(), "each refresh kept a reconciliation");
    server.stop().await;
}

/// An admin named a real connection like the demo's: the demo must not take it over (repoint it,
/// replace its key, send its profiles back to Draft). The demo is recognised by its flag.
#[tokio::test]
async fn a_real_connection_named_like_the_demo_is_left_alone() {
    // A simulator stands in for the admin's real Smartsheet.
    let real = support::sim(support::sim_config(3, 20, 3)).await;
    let db = Db::open_in_memory().await.unwrap();
    let secrets = MemoryStore::default();
    let input = support::profile_input("Production", true);
    let connection = support::new_connection(DEMO_CONNECTION_NAME, real.base_url(), &real.tokens().admin);
    let production = create_profile(&db, &secrets, &SystemClock, input, Some(connection)).await.unwrap();
    assert!(!production.conn().is_demo);
    assert!(
        validate_connection(&db, &secrets, &SystemClock, production.id, &ClientOptions::quick())
            .await
            .unwrap()
            .ok
    );
    publish_profile(&db, &SystemClock, production.id).await.unwrap();
    let key_id: String = sqlx::query_scalar("SELECT key_id FROM connections WHERE id = ?")
        .bind(production.conn().id)
        .fetch_one(db.pool())
        .await
        .unwrap();

    let server = DemoServer::default();
    let demo = start_demo(&db, &secrets, &SystemClock, &server).await.unwrap();
    assert_ne!(demo.conn().id, production.conn().id, "the demo has a connection of its own");
    assert!(demo.conn().is_demo);
    assert_eq!(demo.conn().name, format!("{DEMO_CONNECTION_NAME} 2"));

    let after = get_profile(&db, production.id).await.unwrap();
    assert_eq!(after.status, ProfileStatus::Published, "still published");
    assert_eq!(after.conn().url, real.base_url(), "still pointing at the real organization");
    assert!(after.last_validation.as_ref().is_some_and(|v| v.ok), "still validated");
    let token = secrets.get(&key_id).await.unwrap().expect("its key is still in the keychain");
    assert_eq!(token.last_four(), after.conn().key_last_four.as_deref());

    // At the next start, only the demo's own connection brings the simulator back.
    server.stop().await;
    let restarted = DemoServer::default();
    resume_demo(&db, &restarted).await.unwrap();
    let connections = list_connections(&db).await.unwrap();
    assert_eq!(connections.iter().filter(|c| c.is_demo).count(), 1);
    assert!(
        validate_connection(&db, &secrets, &SystemClock, demo.id, &ClientOptions::quick()).await.unwrap().ok
    );
    restarted.stop().await;
}

/// The demo's simulator runs inside the app: nothing on this computer — another process, or a web
/// page posting to it — may move its clock, make it fail or read its state.
#[tokio::test]
async fn the_demo_has_no_control_endpoints() {
    let Demo { db, secrets, server, profile: demo } = Demo::start().await;
    let base = demo.conn().url.trim_end_matches("/2.0").to_owned();
    let http = reqwest::Client::new();
    for path in ["/__sim/state", "/__sim/clock/advance?days=1", "/__sim/faults"] {
        let get = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(get.status(), 404, "GET {path}");
        // A web page's no-preflight POST.
        let post = http
            .post(format!("{base}{path}"))
            .header("Content-Type", "text/plain")
            .header("Origin", "http://evil.example")
            .body("500=1")
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 404, "POST {path}");
    }
    // And the organization still answers as before.
    assert!(
        validate_connection(&db, &secrets, &SystemClock, demo.id, &ClientOptions::quick()).await.unwrap().ok
    );
    server.stop().await;
}
