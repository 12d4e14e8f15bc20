//! Validate Connection against the Smartsheet simulator: one simulator per test, each failure
//! class with its message, the key never in a message, and nothing written to Smartsheet.

use seatkeeper_testsupport as support;

use futures::future::BoxFuture;
use seatkeeper_core::connections::{ClientOptions, ConnectionPreset};
use seatkeeper_core::services::*;
use seatkeeper_core::smartsheet::ApiToken;
use seatkeeper_core::validation::{ValidationFailure, ValidationResult};
use seatkeeper_core::{Db, ErrorCode, FixedClock, MemoryStore, SecretStore};
use smartsheet_sim::{Region, SimConfig, SimHandle, Tokens};

const SEED: u64 = 7;

struct Case {
    sim: SimHandle,
    db: Db,
    secrets: MemoryStore,
    clock: FixedClock,
}

async fn case() -> Case {
    let sim = smartsheet_sim::spawn(SimConfig { seed: SEED, users: 15, days: 5, ..SimConfig::default() })
        .await
        .unwrap();
    let clock = FixedClock::new(sim.sim().now());
    Case { sim, db: Db::open_in_memory().await.unwrap(), secrets: MemoryStore::new(), clock }
}

impl Case {
    /// Creates a profile with `token` against `url` (the simulator by default), validates it, and
    /// checks what every validation must satisfy: the result is stored, no message contains the
    /// key, and Smartsheet's state did not change.
    async fn validate_with(&self, url: Option<&str>, token: &str) -> ValidationResult {
        let (input, connection) =
            support::new_profile("Acme", true, url.unwrap_or(self.sim.base_url()), token);
        let profile =
            create_profile(&self.db, &self.secrets, &self.clock, input, Some(connection)).await.unwrap();

        let users_before = self.users();
        let requests_before = self.sim.requests();
        let result =
            validate_connection(&self.db, &self.secrets, &self.clock, profile.id, &ClientOptions::quick())
                .await
                .unwrap();
        assert_eq!(self.users(), users_before, "validation changed the organization");
        assert!(
            self.sim.requests() - requests_before <= 3,
            "serverinfo, users/me and one events page at most"
        );

        assert_eq!(result.validated_at, seatkeeper_core::Clock::now(&self.clock));
        assert_eq!(result.ok, result.failure.is_none());
        let stored = get_profile(&self.db, profile.id).await.unwrap().last_validation;
        assert_eq!(stored.as_ref(), Some(&result));
        let printed = format!("{result:?} {}", serde_json::to_string(&result).unwrap());
        assert!(!printed.contains(token), "the key leaked: {printed}");
        assert!(!printed.contains(&token[..token.len() - 4]), "the key leaked: {printed}");
        result
    }

    async fn validate(&self, token: &str) -> ValidationResult {
        self.validate_with(None, token).await
    }

    fn users(&self) -> String {
        format!("{:?}", self.sim.sim().org.read().users)
    }

    fn tokens(&self) -> Tokens {
        self.sim.tokens().clone()
    }

    fn email_of(&self, index: impl Fn(&smartsheet_sim::org::Org) -> usize) -> String {
        let org = self.sim.sim().org.read();
        org.users[index(&org)].email.clone()
    }

    fn org_name(&self) -> String {
        self.sim.sim().org.read().name.clone()
    }
}

#[tokio::test]
async fn an_admin_token_with_event_reporting_validates() {
    let case = case().await;
    let result = case.validate(&case.tokens().admin).await;
    assert!(result.ok, "{}", result.message);
    let email = case.email_of(|org| org.admin_idx);
    assert_eq!(result.owner_email.as_deref(), Some(email.as_str()));
    assert!(result.owner_name.as_deref().is_some_and(|name| !name.is_empty()));
    assert_eq!(result.owner_is_admin, Some(true));
    assert_eq!(result.organization, Some(case.org_name()));
    assert_eq!(result.event_reporting, Some(true));
    assert_eq!(
        result.message,
        format!(
            "Connected to Smartsheet as {email} (System Admin) in {}. Event Reporting is available, so user \
             activity will come from Smartsheet's event stream.",
            case.org_name()
        )
    );
}

#[tokio::test]
async fn without_event_reporting_validation_succeeds_with_last_login_fallback() {
    let case = case().await;
    let result = case.validate(&case.tokens().admin_no_event_reporting).await;
    assert!(result.ok, "{}", result.message);
    assert_eq!(result.event_reporting, Some(false));
    assert_eq!(result.owner_email, Some(case.email_of(|org| org.second_admin_idx)));
    assert!(result.message.contains("Event Reporting is not available"), "{}", result.message);
    assert!(result.message.contains("fall back to last-login dates"), "{}", result.message);
}

#[tokio::test]
async fn a_member_token_is_not_a_system_admin() {
    let case = case().await;
    let result = case.validate(&case.tokens().member).await;
    assert!(!result.ok);
    assert_eq!(result.failure, Some(ValidationFailure::NotSystemAdmin));
    let email = case.email_of(|org| org.member_idx);
    assert_eq!(result.owner_email.as_deref(), Some(email.as_str()));
    assert_eq!(result.owner_is_admin, Some(false));
    assert!(
        result.message.starts_with(&format!(
            "The API key belongs to {email}, who is not a System Admin. Seatkeeper needs a System Admin's \
             token to read seats and reclaim them."
        )),
        "{}",
        result.message
    );
    assert_eq!(result.event_reporting, None, "not checked");
}

#[tokio::test]
async fn an_expired_token() {
    let case = case().await;
    let result = case.validate(&case.tokens().expired).await;
    assert_eq!(result.failure, Some(ValidationFailure::TokenExpired));
    assert!(result.message.starts_with("The API key has expired (error 1003)."), "{}", result.message);
    assert!(result.message.contains("Smartsheet > Apps & Integrations > API Access"), "{}", result.message);
    assert!(result.message.contains("Smartsheet reference:"), "{}", result.message);
}

#[tokio::test]
async fn a_token_of_another_region() {
    let case = case().await;
    let eu_admin = Tokens::for_region(SEED, Region::Eu).admin;
    assert_ne!(eu_admin, case.tokens().admin);
    let result = case.validate(&eu_admin).await;
    assert_eq!(result.failure, Some(ValidationFailure::InvalidToken));
    assert!(
        result.message.starts_with("Smartsheet did not accept the API key (error 1002)."),
        "{}",
        result.message
    );
    assert!(
        result.message.contains("If your organization is on Smartsheet Gov, Europe or Australia, choose that region's Connection URL."),
        "{}",
        result.message
    );
}

/// Find the key's region: after the US simulator refuses a Europe key, the Europe simulator (posing
/// as that region) accepts it, and the answer names the region. The key goes to no host that is
/// neither Smartsheet's nor loopback, and never back to the connection's own.
#[tokio::test]
async fn find_the_region_a_refused_key_belongs_to() {
    let case = case().await;
    let eu = smartsheet_sim::spawn(SimConfig {
        seed: SEED,
        users: 15,
        days: 5,
        region: Region::Eu,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let eu_admin = Tokens::for_region(SEED, Region::Eu).admin;
    let refused = case.validate(&eu_admin).await;
    assert_eq!(refused.failure, Some(ValidationFailure::InvalidToken));
    let profile = list_profiles(&case.db).await.unwrap()[0].id;

    let preset = |label: &str, url: &str| ConnectionPreset { label: label.into(), url: url.into() };
    let regions = [
        preset("US", case.sim.base_url()),
        preset("Elsewhere", "https://seatkeeper-probe.invalid/2.0"),
        preset("Europe", eu.base_url()),
    ];
    let (us_before, eu_before) = (case.sim.requests(), eu.requests());
    let found =
        find_key_region(&case.db, &case.secrets, profile, &regions, &ClientOptions::quick()).await.unwrap();
    assert_eq!(found.region, Some(preset("Europe", eu.base_url())));
    assert_eq!(
        found.message,
        format!(
            "This API key belongs to Smartsheet Europe ({url}): Smartsheet there accepted it, as {email}. Change the \
             connection's Connection URL to {url}, enter the API key again, then Validate Connection.",
            url = eu.base_url(),
            email = { let org = eu.sim().org.read(); org.users[org.admin_idx].email.clone() },
        )
    );
    assert_eq!(case.sim.requests(), us_before, "the connection's own host is not asked again");
    assert_eq!(eu.requests() - eu_before, 1, "one read-only GET /users/me");
    assert!(!found.message.contains(&eu_admin));

    // A key no region accepts: each region that refused it is named; the host that is not
    // Smartsheet's was never contacted (it would be named as unreachable).
    let connection = support::new_connection("Other", case.sim.base_url(), "wrongwrongwrongwrongwrong1");
    let input = support::profile_input("Other", true);
    let other = create_profile(&case.db, &case.secrets, &case.clock, input, Some(connection)).await.unwrap();
    let none =
        find_key_region(&case.db, &case.secrets, other.id, &regions, &ClientOptions::quick()).await.unwrap();
    assert_eq!(none.region, None);
    assert_eq!(
        none.message,
        "Smartsheet Europe did not accept this API key either. Check that it was copied completely and has not \
         been revoked, or generate a new one (Apps & Integrations > API Access)."
    );

    // A profile saved without a connection has nothing to look for.
    let draft =
        create_profile(&case.db, &case.secrets, &case.clock, support::profile_input("Draft", true), None)
            .await
            .unwrap();
    let err = find_key_region(&case.db, &case.secrets, draft.id, &regions, &ClientOptions::quick())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
}

#[tokio::test]
async fn an_unreachable_url() {
    let case = case().await;
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // closed again: nothing listens there now
    let url = format!("http://127.0.0.1:{port}/2.0");
    let result = case.validate_with(Some(&url), &case.tokens().admin).await;
    assert_eq!(result.failure, Some(ValidationFailure::Unreachable));
    assert!(
        result.message.starts_with(&format!(
            "Could not reach Smartsheet at 127.0.0.1:{port}: could not open a connection"
        )),
        "{}",
        result.message
    );
    assert!(result.message.contains("Check the Connection URL"), "{}", result.message);
    assert!(result.message.contains("proxy"), "{}", result.message);
}

#[tokio::test]
async fn a_smartsheet_server_error_gives_the_reference() {
    let case = case().await;
    case.sim.set_faults("4000=1".parse().unwrap());
    let result = case.validate(&case.tokens().admin).await;
    assert_eq!(result.failure, Some(ValidationFailure::ServerError));
    assert!(result.message.starts_with("Smartsheet had an internal error (error 4000"), "{}", result.message);
    assert!(
        result.message.contains("contact Smartsheet support and give them the reference "),
        "{}",
        result.message
    );
}

#[tokio::test]
async fn rate_limiting_has_its_own_message() {
    let case = case().await;
    case.sim.set_faults("429=1".parse().unwrap());
    let result = case.validate(&case.tokens().admin).await;
    assert_eq!(result.failure, Some(ValidationFailure::RateLimited));
    assert!(
        result.message.starts_with("Smartsheet is limiting requests for this API key (error 4003)"),
        "{}",
        result.message
    );
    assert!(result.message.contains("Wait a minute and validate again"), "{}", result.message);
}

#[tokio::test]
async fn a_key_missing_from_the_keychain() {
    let case = case().await;
    let first = case.validate(&case.tokens().admin).await;
    assert!(first.ok);
    for key_id in case.secrets.key_ids() {
        case.secrets.delete(&key_id).await.unwrap();
    }
    let profile = list_profiles(&case.db).await.unwrap().remove(0);
    let result =
        validate_connection(&case.db, &case.secrets, &case.clock, profile.id, &ClientOptions::quick())
            .await
            .unwrap();
    assert_eq!(result.failure, Some(ValidationFailure::MissingApiKey));
    assert!(result.message.contains("missing from the system keychain"), "{}", result.message);
    assert_eq!(get_profile(&case.db, profile.id).await.unwrap().last_validation, Some(result));
}

/// A keychain whose `get` lets the connection change while the validation is running.
struct ChangingStore {
    inner: MemoryStore,
    db: Db,
}

impl SecretStore for ChangingStore {
    fn set<'a>(&'a self, key_id: &'a str, token: &'a ApiToken) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        self.inner.set(key_id, token)
    }
    fn get<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<Option<ApiToken>>> {
        Box::pin(async move {
            sqlx::query("UPDATE connections SET url = 'https://api.smartsheet.eu/2.0'")
                .execute(self.db.pool())
                .await
                .unwrap();
            self.inner.get(key_id).await
        })
    }
    fn delete<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, seatkeeper_core::Result<()>> {
        self.inner.delete(key_id)
    }
}

#[tokio::test]
async fn a_result_for_a_connection_that_changed_meanwhile_is_not_stored() {
    let case = case().await;
    let store = ChangingStore { inner: MemoryStore::new(), db: case.db.clone() };
    let (input, connection) = support::new_profile("Acme", true, case.sim.base_url(), &case.tokens().admin);
    let profile = create_profile(&case.db, &store, &case.clock, input, Some(connection)).await.unwrap();
    let err = validate_connection(&case.db, &store, &case.clock, profile.id, &ClientOptions::quick())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("changed while it was being validated"), "{err}");
    assert!(get_profile(&case.db, profile.id).await.unwrap().last_validation.is_none());
}
