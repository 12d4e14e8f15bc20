//! The Smartsheet client against the Smartsheet simulator over loopback HTTP: every endpoint, every
//! error code the typed client can meet, paging edge cases, event stream resumption, and retries
//! under the simulator's faults.
//!
//! Each test starts its own small simulator, so the tests run in parallel. The simulator's own
//! state (`SimHandle::sim()`) is the truth that answers are compared with.
//!
//! Not covered here: 1001 (the client always sends its token) and 1008 (the typed client cannot
//! send a malformed body); the contract fixtures and the simulator's own tests cover those.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use chrono::TimeDelta;
use futures::{Stream, StreamExt, TryStreamExt};
use seatkeeper_core::smartsheet::{
    ClientStats, DowngradeSeat, Event, EventPage, EventsRequest, EventsStart, ListUsersQuery, NetworkFailure,
    RemoveUserOptions, RetryPolicy, SeatType, SmartsheetClient, SmartsheetError, UpgradeSeat, User, UserPlan,
    UserPlansQuery, UserStatus, UserUpdate, USERS_PAGE_SIZE,
};
use seatkeeper_testsupport::{self as support, now};
use smartsheet_sim::org::{Org, Seat, SimUser, Status};
use smartsheet_sim::{FaultSpec, RateLimit, Region, SimConfig, SimHandle, Tokens};

// ---------------------------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------------------------

/// The simulated "now": after the VIEWER sunset, so the free internal seat is CONTRIBUTOR.
/// A small organization without a server-side rate limit. `Retry-After` is off so that rate-limit
/// storms are waited out with the client's own (millisecond) backoff.
fn config(seed: u64, users: u32, days: u32) -> SimConfig {
    support::sim_config(seed, users, days)
}

async fn start(config: SimConfig) -> SimHandle {
    support::sim(config).await
}

fn faults(spec: &str) -> FaultSpec {
    spec.parse().unwrap_or_else(|e| panic!("fault spec {spec}: {e}"))
}

/// Millisecond backoff with enough retries to outlast the seeded fault bursts.
fn fast_retry() -> RetryPolicy {
    RetryPolicy { max_retries: 20, ..support::fast_retry() }
}

/// A fresh client (own connection pool and counters) for `token`, without a client-side rate limit.
fn client_with(sim: &SimHandle, token: &str, retry: RetryPolicy) -> SmartsheetClient {
    support::client_with(sim.base_url(), token, retry)
}

fn client(sim: &SimHandle, token: &str) -> SmartsheetClient {
    client_with(sim, token, fast_retry())
}

fn admin(sim: &SimHandle) -> SmartsheetClient {
    client(sim, &sim.tokens().admin)
}

/// The generated users as the simulator holds them right now.
fn sim_users(sim: &SimHandle) -> Vec<SimUser> {
    sim.sim().org.read().users.clone()
}

fn sim_plan_id(sim: &SimHandle) -> i64 {
    sim.sim().org.read().plan_id.expect("a User Subscription Model plan")
}

fn sim_user(sim: &SimHandle, id: i64) -> SimUser {
    sim_users(sim).into_iter().find(|u| u.id == id).expect("a generated user")
}

/// The seat type Smartsheet shows for a simulator seat after the VIEWER sunset.
fn seat_type(seat: Seat) -> SeatType {
    match seat {
        Seat::Member => SeatType::Member,
        Seat::ProvisionalMember => SeatType::ProvisionalMember,
        Seat::Contributor => SeatType::Contributor,
        Seat::Guest => SeatType::Guest,
    }
}

fn user_status(status: Status) -> UserStatus {
    match status {
        Status::Active => UserStatus::Active,
        Status::Pending => UserStatus::Pending,
        Status::Declined => UserStatus::Declined,
        Status::Deactivated => UserStatus::Deactivated,
    }
}

/// Every user of every page of `GET /users`.
async fn all_users(client: &SmartsheetClient, query: ListUsersQuery) -> Vec<User> {
    let pages: Vec<_> = client.list_users(query).try_collect().await.expect("all pages of GET /users");
    pages.into_iter().flat_map(|page| page.data).collect()
}

async fn users_by_email(client: &SmartsheetClient, email: &str, plan_id: Option<i64>) -> Vec<User> {
    let query = ListUsersQuery { emails: vec![email.to_owned()], plan_id, ..Default::default() };
    client.list_users_page(&query, 1, 100).await.expect("GET /users?email=").data
}

/// The user's seat as the plan listing shows it.
async fn listed_seat(client: &SmartsheetClient, email: &str, plan_id: i64) -> Option<SeatType> {
    let found = users_by_email(client, email, Some(plan_id)).await;
    assert_eq!(found.len(), 1, "{email} in plan {plan_id}: {found:?}");
    found[0].seat_type.clone()
}

async fn read_stream(client: &SmartsheetClient, start: EventsStart, max_count: u32) -> Vec<EventPage> {
    client.event_stream(start, Some(max_count)).try_collect().await.expect("the event stream")
}

async fn first_item<S: Stream>(stream: S) -> S::Item {
    std::pin::pin!(stream).next().await.expect("the stream yields something")
}

fn events(pages: &[EventPage]) -> Vec<&Event> {
    pages.iter().flat_map(|page| &page.data).collect()
}

fn event_ids(pages: &[EventPage]) -> Vec<String> {
    events(pages).into_iter().map(|e| e.event_id.clone()).collect()
}

fn last_position(pages: &[EventPage]) -> String {
    pages.last().and_then(|p| p.next_stream_position.clone()).expect("the last page has a position")
}

/// The start of the generated history: reading from here yields every event.
fn history_start(days: u32) -> EventsStart {
    EventsStart::Since { since: now() - TimeDelta::days(i64::from(days)), to: None }
}

fn visible_events(sim: &SimHandle) -> usize {
    sim.sim().log.read().visible().len()
}

fn assert_unique(ids: &[String]) {
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "an event was served twice");
}

/// What every error must offer: the expected code, a message an admin can read, and never the
/// token (neither in the message nor in `Debug`).
fn assert_error_code(err: &SmartsheetError, code: i64, token: &str) {
    assert_eq!(err.code(), Some(code), "{err:?}");
    let shown = err.to_string();
    assert!(!shown.trim().is_empty(), "{err:?}");
    assert!(!shown.contains(token), "the message shows the token: {shown}");
    assert!(!format!("{err:?}").contains(token), "Debug shows the token: {err:?}");
}

// ---------------------------------------------------------------------------------------------
// Every endpoint
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn server_info_answers_without_a_token() {
    let sim = start(config(1, 50, 5)).await;
    // A client whose token the simulator would refuse: serverinfo must not need it.
    let client = client(&sim, &sim.tokens().expired);
    let before = sim.requests();
    let info = client.server_info().await.unwrap();
    let locales = info.supported_locales.expect("supportedLocales");
    assert!(locales.iter().any(|l| l == "en_US"), "{locales:?}");
    assert_eq!(sim.requests() - before, 1);
    assert_eq!(client.stats().requests, 1);
}

#[tokio::test]
async fn current_user_tells_a_system_admin_from_a_member() {
    let sim = start(config(2, 60, 5)).await;
    let (account_id, account_name, admin_id, member_id) = {
        let org = sim.sim().org.read();
        (org.account_id, org.name.clone(), org.users[org.admin_idx].id, org.users[org.member_idx].id)
    };

    let me = admin(&sim).current_user().await.unwrap();
    assert!(me.is_system_admin());
    assert_eq!(me.id, admin_id);
    let account = me.account.expect("the account");
    assert_eq!((account.id, account.name.as_deref()), (account_id, Some(account_name.as_str())));
    assert_eq!(me.last_login, sim_user(&sim, admin_id).last_login);

    let member = client(&sim, &sim.tokens().member).current_user().await.unwrap();
    assert!(!member.is_system_admin());
    assert_eq!(member.admin, Some(false), "your own role flags are always shown");
    assert_eq!(member.id, member_id);
    assert_eq!(member.account.and_then(|a| a.name), Some(account_name));
    assert_eq!(member.last_login, None, "lastLogin is for System Admins");

    let second = client(&sim, &sim.tokens().admin_no_event_reporting).current_user().await.unwrap();
    assert!(second.is_system_admin());
    assert_ne!(second.id, admin_id);
}

#[tokio::test]
async fn get_user_returns_what_the_simulator_holds() {
    let sim = start(config(3, 120, 10)).await;
    let admin = admin(&sim);
    let member = client(&sim, &sim.tokens().member);
    let users = sim_users(&sim);
    let internal = users.iter().rev().find(|u| u.in_org && u.status == Status::Active).unwrap();
    let outside = users.iter().find(|u| !u.internal && u.in_plan).expect("an outside collaborator");
    // Not a token owner: for them `GET /users/{id}` is their own profile, without `status`.
    let with_login = users.iter().skip(3).find(|u| u.in_org && u.last_login.is_some()).unwrap();
    let deactivated = users.iter().find(|u| u.status == Status::Deactivated);

    for truth in [internal, outside, with_login].into_iter().chain(deactivated) {
        let got = admin.get_user(truth.id).await.unwrap();
        assert_eq!(got.id, truth.id);
        assert_eq!(got.email, truth.email);
        assert_eq!(got.first_name.as_deref(), Some(truth.first_name.as_str()));
        assert_eq!(got.last_name.as_deref(), Some(truth.last_name.as_str()));
        assert_eq!(got.status, Some(user_status(truth.status)), "{}", truth.email);
        assert_eq!(got.admin, Some(truth.admin));
        assert_eq!(got.licensed_sheet_creator, Some(truth.licensed_sheet_creator));
        assert_eq!(got.last_login, truth.last_login, "{}", truth.email);
    }
    assert!(admin.get_user(with_login.id).await.unwrap().last_login.is_some());

    // A member sees the profile but none of the admin-only fields.
    let seen_by_member = member.get_user(internal.id).await.unwrap();
    assert_eq!(seen_by_member.email, internal.email);
    assert_eq!((seen_by_member.admin, seen_by_member.status, seen_by_member.last_login), (None, None, None));
}

#[tokio::test]
async fn list_users_yields_every_member_exactly_once_with_last_login() {
    let sim = start(config(4, 250, 12)).await;
    let client = admin(&sim);
    let truth: HashMap<i64, SimUser> =
        sim_users(&sim).into_iter().filter(|u| u.in_org).map(|u| (u.id, u)).collect();
    assert!(truth.len() > 200, "{} members", truth.len());

    let pages: Vec<_> = client
        .list_users(ListUsersQuery { include_last_login: true, ..Default::default() })
        .try_collect()
        .await
        .unwrap();
    let expected_pages = truth.len().div_ceil(USERS_PAGE_SIZE as usize);
    assert_eq!(pages.len(), expected_pages);
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(page.page_number as usize, i + 1);
        assert_eq!(page.total_count as usize, truth.len());
        assert!(page.data.len() <= USERS_PAGE_SIZE as usize);
    }
    let streamed: Vec<User> = pages.into_iter().flat_map(|p| p.data).collect();
    let ids: Vec<i64> = streamed.iter().map(|u| u.id).collect();
    let distinct: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len(), "a user was listed twice");
    assert_eq!(distinct, truth.keys().copied().collect::<HashSet<_>>());

    // Pages of 100: lastLogin is there for everyone who has one, and matches the simulator.
    let mut logged_in = 0;
    for user in &streamed {
        let sim_user = &truth[&user.id];
        assert_eq!(user.email, sim_user.email);
        assert_eq!(user.status, Some(user_status(sim_user.status)));
        assert_eq!(user.is_internal, Some(true));
        assert_eq!(user.last_login, sim_user.last_login, "{}", user.email);
        assert_eq!(user.seat_type, None, "seat fields only with planId or seatType");
        logged_in += usize::from(user.last_login.is_some());
    }
    assert!(logged_in > 0 && logged_in < streamed.len(), "{logged_in} of {} logged in", streamed.len());

    // The same users on one includeAll page, which is too large for lastLogin.
    let everyone = client
        .list_users_page(
            &ListUsersQuery { include_all: true, include_last_login: true, ..Default::default() },
            1,
            100,
        )
        .await
        .unwrap();
    assert_eq!(everyone.page_size, None);
    assert_eq!(everyone.total_pages, 1);
    assert_eq!(everyone.data.iter().map(|u| u.id).collect::<Vec<_>>(), ids, "same users, same order");
    assert!(everyone.data.iter().all(|u| u.last_login.is_none()), "lastLogin only on pages of ≤ 100");

    // all_users flattens the same pages.
    let flat: Vec<User> = client.all_users(ListUsersQuery::default()).try_collect().await.unwrap();
    assert_eq!(flat.iter().map(|u| u.id).collect::<Vec<_>>(), ids);
}

#[tokio::test]
async fn plan_listing_shows_every_seat_including_outside_collaborators() {
    let sim = start(config(5, 200, 5)).await;
    let client = admin(&sim);
    let plan_id = sim_plan_id(&sim);
    let truth: HashMap<i64, SimUser> =
        sim_users(&sim).into_iter().filter(|u| u.in_plan).map(|u| (u.id, u)).collect();

    let seats = all_users(&client, ListUsersQuery { plan_id: Some(plan_id), ..Default::default() }).await;
    assert_eq!(seats.len(), truth.len());
    let members = all_users(&client, ListUsersQuery::default()).await;
    assert!(seats.len() > members.len(), "outside collaborators are listed only with planId");
    let mut kinds = BTreeSet::new();
    for user in &seats {
        let sim_user = &truth[&user.id];
        assert_eq!(user.seat_type, Some(seat_type(sim_user.seat)), "{}", user.email);
        assert_eq!(user.is_internal, Some(sim_user.internal));
        assert_eq!(user.seat_type_last_changed_at, Some(sim_user.seat_changed_at));
        assert_eq!(user.provisional_expiration_date, sim_user.provisional_expires);
        kinds.insert(user.seat_type.clone().unwrap().as_str().to_owned());
    }
    for kind in ["MEMBER", "CONTRIBUTOR", "GUEST", "PROVISIONAL_MEMBER"] {
        assert!(kinds.contains(kind), "no {kind} seat among {kinds:?}");
    }

    // The seatType filter picks one kind of seat.
    let guest_query =
        ListUsersQuery { plan_id: Some(plan_id), seat_type: Some(SeatType::Guest), ..Default::default() };
    let guests = all_users(&client, guest_query).await;
    let sim_guests = truth.values().filter(|u| u.seat == Seat::Guest).count();
    assert_eq!(guests.len(), sim_guests);
    assert!(guests.iter().all(|u| u.seat_type == Some(SeatType::Guest)));
}

#[tokio::test]
async fn user_plans_page_through_last_key() {
    let sim = start(config(6, 150, 5)).await;
    let client = admin(&sim);
    let plan_id = sim_plan_id(&sim);
    let users = sim_users(&sim);
    let guest = users.iter().find(|u| !u.internal && u.in_plan && u.seat == Seat::Guest).expect("a GUEST");
    let internal = users.iter().find(|u| u.internal && u.in_plan).unwrap();

    // One plan per page: the stream follows lastKey to the second page and stops.
    let one_by_one = UserPlansQuery { max_items: Some(1), include_plan_name: true, ..Default::default() };
    let pages: Vec<_> = client.list_user_plans(guest.id, one_by_one).try_collect().await.unwrap();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[0].last_key.is_some() && pages[1].last_key.is_none());
    assert!(pages.iter().all(|p| p.data.len() == 1));
    let (ours, theirs) = (&pages[0].data[0], &pages[1].data[0]);
    assert_eq!((ours.plan_id, &ours.seat_type, ours.is_internal), (plan_id, &SeatType::Guest, Some(false)));
    assert_eq!((&theirs.seat_type, theirs.is_internal), (&SeatType::Member, Some(true)));
    assert_ne!(theirs.plan_id, plan_id, "their own company's plan");
    assert!(ours.plan_name.is_some() && theirs.plan_name.is_some());

    // The default page holds both.
    let single: Vec<_> =
        client.list_user_plans(guest.id, UserPlansQuery::default()).try_collect().await.unwrap();
    assert_eq!(single.len(), 1);
    let unnamed: Vec<UserPlan> =
        pages.iter().flat_map(|p| &p.data).map(|p| UserPlan { plan_name: None, ..p.clone() }).collect();
    assert_eq!(single[0].data, unnamed);

    // An internal user holds one seat, in the organization's plan.
    let page = client.list_user_plans_page(internal.id, &UserPlansQuery::default(), None).await.unwrap();
    assert_eq!(page.last_key, None);
    assert_eq!(page.data.len(), 1);
    assert_eq!((page.data[0].plan_id, &page.data[0].seat_type), (plan_id, &seat_type(internal.seat)));
}

#[tokio::test]
async fn seat_changes_read_back_through_the_plan_listing() {
    let sim = start(config(7, 150, 5)).await;
    let client = admin(&sim);
    let plan_id = sim_plan_id(&sim);
    let (me_id, users) = (client.current_user().await.unwrap().id, sim_users(&sim));
    let member = users
        .iter()
        .rev()
        .find(|u| u.internal && u.in_org && u.seat == Seat::Member && !u.admin && u.id != me_id)
        .unwrap();
    let guest = users.iter().find(|u| !u.internal && u.in_plan && u.seat == Seat::Guest).unwrap();

    // Reclaim a paid seat, then give it back.
    assert_eq!(listed_seat(&client, &member.email, plan_id).await, Some(SeatType::Member));
    let done = client.downgrade_user(member.id, plan_id, DowngradeSeat::Contributor).await.unwrap();
    assert_eq!((done.message.as_str(), done.result_code), ("SUCCESS", 0));
    assert_eq!(listed_seat(&client, &member.email, plan_id).await, Some(SeatType::Contributor));
    let changed = users_by_email(&client, &member.email, Some(plan_id)).await[0].seat_type_last_changed_at;
    assert_eq!(changed, Some(now()), "the change is stamped with the simulated now");
    // Downgrading to the seat already held succeeds and changes nothing.
    client.downgrade_user(member.id, plan_id, DowngradeSeat::Contributor).await.unwrap();
    assert_eq!(sim_user(&sim, member.id).seat, Seat::Contributor);

    client.upgrade_user(member.id, plan_id, UpgradeSeat::Member).await.unwrap();
    assert_eq!(listed_seat(&client, &member.email, plan_id).await, Some(SeatType::Member));
    assert!(sim_user(&sim, member.id).licensed_sheet_creator);

    // An outside collaborator: GUEST → MEMBER → GUEST.
    assert_eq!(listed_seat(&client, &guest.email, plan_id).await, Some(SeatType::Guest));
    client.upgrade_user(guest.id, plan_id, UpgradeSeat::Member).await.unwrap();
    assert_eq!(listed_seat(&client, &guest.email, plan_id).await, Some(SeatType::Member));
    client.downgrade_user(guest.id, plan_id, DowngradeSeat::Guest).await.unwrap();
    assert_eq!(listed_seat(&client, &guest.email, plan_id).await, Some(SeatType::Guest));
}

#[tokio::test]
async fn update_user_releases_a_legacy_licence() {
    let sim = start(SimConfig { legacy: true, ..config(8, 120, 5) }).await;
    let client = admin(&sim);
    assert_eq!(sim.sim().org.read().plan_id, None, "a legacy plan");
    let users = all_users(&client, ListUsersQuery::default()).await;
    let target = users
        .iter()
        .rev()
        .find(|u| {
            u.status == Some(UserStatus::Active)
                && u.licensed_sheet_creator == Some(true)
                && u.admin == Some(false)
                && u.group_admin == Some(false)
                && u.resource_viewer == Some(false)
        })
        .expect("a licensed, active, non-admin user");

    let update = UserUpdate { admin: Some(false), licensed_sheet_creator: Some(false), ..Default::default() };
    let done = client.update_user(target.id, &update).await.unwrap();
    assert_eq!((done.message.as_str(), done.result_code), ("SUCCESS", 0));
    let result = done.result.expect("the changed user");
    assert_eq!(result["id"].as_i64(), Some(target.id));
    assert_eq!(result["licensedSheetCreator"], serde_json::Value::Bool(false));

    let read_back = users_by_email(&client, &target.email, None).await;
    assert_eq!(read_back.len(), 1);
    assert_eq!(read_back[0].licensed_sheet_creator, Some(false));
    assert_eq!(client.get_user(target.id).await.unwrap().licensed_sheet_creator, Some(false));
    assert!(!sim_user(&sim, target.id).licensed_sheet_creator);
    // Nothing else changed.
    assert_eq!(read_back[0].admin, Some(false));
    assert_eq!(read_back[0].status, Some(UserStatus::Active));
}

/// Deactivates the first active, internal, non-admin user (from the end of the list) who is not
/// managed by a directory integration (those answer 400/5697). Returns the user and how many
/// directory-managed users were met on the way.
async fn deactivate_someone(client: &SmartsheetClient) -> (User, usize) {
    let users = all_users(client, ListUsersQuery::default()).await;
    let mut directory_managed = 0;
    for user in users.into_iter().rev().filter(|u| {
        u.status == Some(UserStatus::Active) && u.is_internal == Some(true) && u.admin == Some(false)
    }) {
        match client.deactivate_user(user.id).await {
            Ok(done) => {
                assert_eq!(done.result_code, 0);
                return (user, directory_managed);
            }
            Err(SmartsheetError::BadRequest { status: 400, code: 5697, .. }) => directory_managed += 1,
            Err(other) => panic!("deactivating {}: {other:?}", user.email),
        }
    }
    panic!("no user could be deactivated");
}

#[tokio::test]
async fn deactivate_and_reactivate_round_trip() {
    let sim = start(config(9, 150, 5)).await;
    let client = admin(&sim);
    let (user, _) = deactivate_someone(&client).await;

    assert_eq!(client.get_user(user.id).await.unwrap().status, Some(UserStatus::Deactivated));
    let listed = users_by_email(&client, &user.email, None).await;
    assert_eq!(listed[0].status, Some(UserStatus::Deactivated));
    assert_eq!(sim_user(&sim, user.id).status, Status::Deactivated);

    let done = client.reactivate_user(user.id).await.unwrap();
    assert_eq!((done.message.as_str(), done.result_code), ("SUCCESS", 0));
    assert_eq!(client.get_user(user.id).await.unwrap().status, Some(UserStatus::Active));
    assert_eq!(sim_user(&sim, user.id).status, Status::Active);
}

#[tokio::test]
async fn removing_an_internal_user_takes_two_steps_on_the_subscription_model() {
    let sim = start(config(10, 150, 5)).await;
    let client = admin(&sim);
    let plan_id = sim_plan_id(&sim);
    let members = all_users(&client, ListUsersQuery::default()).await;
    let mut removed = None;
    for user in members.iter().rev().filter(|u| u.is_internal == Some(true) && u.admin == Some(false)) {
        match client.remove_user(user.id, &RemoveUserOptions::default()).await {
            Ok(done) => {
                assert_eq!(done.result_code, 0);
                removed = Some(user.clone());
                break;
            }
            // Directory-managed (5666) or owning groups without a transferTo (1121): the next one.
            Err(SmartsheetError::BadRequest { status: 400, code: 5666 | 1121, .. }) => {}
            Err(other) => panic!("removing {}: {other:?}", user.email),
        }
    }
    let user = removed.expect("a removable user");

    // Out of the organization, still on the plan.
    assert!(users_by_email(&client, &user.email, None).await.is_empty());
    let seat = seat_type(sim_user(&sim, user.id).seat);
    assert_eq!(listed_seat(&client, &user.email, plan_id).await, Some(seat));
    assert_eq!(client.get_user(user.id).await.unwrap().id, user.id);

    // Off the plan too: gone.
    client.remove_user_from_plan(user.id, plan_id).await.unwrap();
    assert!(users_by_email(&client, &user.email, Some(plan_id)).await.is_empty());
    let err = client.get_user(user.id).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::NotFound { code: 1006, .. }), "{err:?}");
    let again = client.remove_user_from_plan(user.id, plan_id).await.unwrap_err();
    assert!(matches!(again, SmartsheetError::NotFound { code: 1020, .. }), "{again:?}");
    let truth = sim_user(&sim, user.id);
    assert!(!truth.in_org && !truth.in_plan);
}

#[tokio::test]
async fn events_page_and_event_stream_cover_the_whole_history() {
    let days = 10;
    let sim = start(config(11, 150, days)).await;
    let client = admin(&sim);
    let total = sim.info().events;
    assert!(total > 300, "{total} events");

    let first = client
        .events_page(&EventsRequest { max_count: Some(100), ..EventsRequest::new(history_start(days)) })
        .await
        .unwrap();
    assert_eq!(first.data.len(), 100);
    assert!(first.more_available);
    assert!(first.next_stream_position.is_some());

    let pages = read_stream(&client, history_start(days), 100).await;
    assert_eq!(pages.len(), total.div_ceil(100));
    assert!(pages[..pages.len() - 1].iter().all(|p| p.more_available && p.data.len() == 100));
    assert!(!pages.last().unwrap().more_available);
    let ids = event_ids(&pages);
    assert_eq!(ids.len(), total, "every event of the history");
    assert_unique(&ids);
    assert_eq!(ids[..100].to_vec(), first.data.iter().map(|e| e.event_id.clone()).collect::<Vec<_>>());
    let all = events(&pages);
    let since = now() - TimeDelta::days(i64::from(days));
    assert!(all.windows(2).all(|w| w[0].event_timestamp <= w[1].event_timestamp), "time order");
    assert!(all.iter().all(|e| e.event_timestamp >= since && e.event_timestamp <= now()));
    let user_ids: HashSet<i64> = sim_users(&sim).iter().map(|u| u.id).collect();
    assert!(all.iter().any(|e| user_ids.contains(&e.user_id)), "events of the organization's users");

    // A window: exactly the events in [since, to).
    let (from, to) = (now() - TimeDelta::days(3), now() - TimeDelta::days(2));
    let window = read_stream(&client, EventsStart::Since { since: from, to: Some(to) }, 1000).await;
    let expected: Vec<&String> = all
        .iter()
        .filter(|e| e.event_timestamp >= from && e.event_timestamp < to)
        .map(|e| &e.event_id)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(events(&window).iter().map(|e| &e.event_id).collect::<Vec<_>>(), expected);

    // numericDates: the same events with epoch-millisecond timestamps.
    let numeric = client
        .events_page(&EventsRequest {
            max_count: Some(100),
            numeric_dates: true,
            ..EventsRequest::new(history_start(days))
        })
        .await
        .unwrap();
    assert_eq!(numeric.data, first.data);
}

// ---------------------------------------------------------------------------------------------
// Every error code
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refused_tokens_are_1002_and_1003() {
    let seed = 12;
    let sim = start(config(seed, 50, 5)).await;
    let eu_admin = Tokens::for_region(seed, Region::Eu).admin;
    assert_ne!(eu_admin, sim.tokens().admin);
    for (token, code) in [
        ("Zq0nT8rW1x5uV7yA3bC9dE2fG4hJ6kL8mN0pQ", 1002),
        (eu_admin.as_str(), 1002),
        (sim.tokens().expired.as_str(), 1003),
    ] {
        let client = client(&sim, token);
        let before = sim.requests();
        let err = client.current_user().await.unwrap_err();
        assert!(matches!(err, SmartsheetError::Unauthorized { .. }), "{err:?}");
        assert_error_code(&err, code, token);
        assert!(!err.is_retryable());
        assert_eq!(sim.requests() - before, 1, "a refused token is not retried");
        assert_eq!(client.stats().retries, 0);
    }
}

#[tokio::test]
async fn a_member_and_an_admin_without_event_reporting_get_1004() {
    let sim = start(config(13, 60, 5)).await;
    let plan_id = sim_plan_id(&sim);
    let tokens = sim.tokens().clone();
    let member = client(&sim, &tokens.member);
    let target = sim_users(&sim).iter().rev().find(|u| u.internal && u.seat == Seat::Member).unwrap().id;
    let events = EventsRequest::new(history_start(5));

    let forbidden = [
        member.downgrade_user(target, plan_id, DowngradeSeat::Contributor).await.unwrap_err(),
        member.deactivate_user(target).await.unwrap_err(),
        member.remove_user(target, &RemoveUserOptions::default()).await.unwrap_err(),
        member.events_page(&events).await.unwrap_err(),
        member
            .list_users_page(&ListUsersQuery { plan_id: Some(plan_id), ..Default::default() }, 1, 100)
            .await
            .unwrap_err(),
    ];
    for err in &forbidden {
        assert!(matches!(err, SmartsheetError::Forbidden { .. }), "{err:?}");
        assert_error_code(err, 1004, &tokens.member);
    }
    assert_eq!(member.stats().retries, 0);
    assert_eq!(sim_user(&sim, target).seat, Seat::Member, "nothing changed");

    let no_reporting = client(&sim, &tokens.admin_no_event_reporting);
    assert!(no_reporting.current_user().await.unwrap().is_system_admin());
    let err = no_reporting.events_page(&events).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Forbidden { .. }), "{err:?}");
    assert_error_code(&err, 1004, &tokens.admin_no_event_reporting);
    let err = first_item(no_reporting.event_stream(history_start(5), None)).await.unwrap_err();
    assert_error_code(&err, 1004, &tokens.admin_no_event_reporting);
}

#[tokio::test]
async fn unknown_users_and_plans_are_1006_on_reads_and_1020_on_writes() {
    let sim = start(config(14, 50, 5)).await;
    let client = admin(&sim);
    let token = sim.tokens().admin.clone();
    let plan_id = sim_plan_id(&sim);
    let unknown = 4_242_424_242_i64;
    assert!(sim_users(&sim).iter().all(|u| u.id != unknown));
    let known = sim_users(&sim).iter().rev().find(|u| u.internal && u.seat == Seat::Contributor).unwrap().id;

    let not_found_on_read = [
        client.get_user(unknown).await.unwrap_err(),
        client.list_user_plans_page(unknown, &UserPlansQuery::default(), None).await.unwrap_err(),
        // An unknown plan on a seat change.
        client.upgrade_user(known, plan_id + 1, UpgradeSeat::Member).await.unwrap_err(),
    ];
    for err in &not_found_on_read {
        assert!(matches!(err, SmartsheetError::NotFound { .. }), "{err:?}");
        assert_error_code(err, 1006, &token);
    }
    let not_found_on_write = [
        client.upgrade_user(unknown, plan_id, UpgradeSeat::Member).await.unwrap_err(),
        client.downgrade_user(unknown, plan_id, DowngradeSeat::Contributor).await.unwrap_err(),
        client
            .update_user(unknown, &UserUpdate { first_name: Some("X".into()), ..Default::default() })
            .await
            .unwrap_err(),
        client.deactivate_user(unknown).await.unwrap_err(),
        client.reactivate_user(unknown).await.unwrap_err(),
        client.remove_user(unknown, &RemoveUserOptions::default()).await.unwrap_err(),
        client.remove_user_from_plan(unknown, plan_id).await.unwrap_err(),
    ];
    for err in &not_found_on_write {
        assert!(matches!(err, SmartsheetError::NotFound { .. }), "{err:?}");
        assert_error_code(err, 1020, &token);
    }
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn invalid_values_are_1018_and_max_count_is_clamped_by_the_client() {
    let days = 20;
    let sim = start(config(15, 150, days)).await;
    let client = admin(&sim);
    let token = sim.tokens().admin.clone();
    let plan_id = sim_plan_id(&sim);
    let users = sim_users(&sim);
    let internal =
        users.iter().rev().find(|u| u.internal && u.in_org && u.seat == Seat::Member && !u.admin).unwrap();
    let since = now() - TimeDelta::days(2);
    let position = client
        .events_page(&EventsRequest::new(history_start(days)))
        .await
        .unwrap()
        .next_stream_position
        .unwrap();
    let invalid = [
        // GUEST is only for users outside the organization's domains.
        client.downgrade_user(internal.id, plan_id, DowngradeSeat::Guest).await.unwrap_err(),
        client.upgrade_user(internal.id, plan_id, UpgradeSeat::Guest).await.unwrap_err(),
        // VIEWER was retired on 2026-10-30.
        client.downgrade_user(internal.id, plan_id, DowngradeSeat::Viewer).await.unwrap_err(),
        client
            .list_users_page(
                &ListUsersQuery { seat_type: Some(SeatType::Viewer), ..Default::default() },
                1,
                100,
            )
            .await
            .unwrap_err(),
        // Beyond the retention window, a window that ends before it starts, a made-up position.
        client
            .events_page(&EventsRequest::new(EventsStart::Since {
                since: now() - TimeDelta::days(400),
                to: None,
            }))
            .await
            .unwrap_err(),
        client
            .events_page(&EventsRequest::new(EventsStart::Since {
                since,
                to: Some(since - TimeDelta::days(1)),
            }))
            .await
            .unwrap_err(),
        client
            .events_page(&EventsRequest::new(EventsStart::Position(format!("{position}x"))))
            .await
            .unwrap_err(),
    ];
    for err in &invalid {
        assert!(matches!(err, SmartsheetError::BadRequest { status: 400, .. }), "{err:?}");
        assert_error_code(err, 1018, &token);
    }
    assert_eq!(sim_user(&sim, internal.id).seat, Seat::Member, "nothing changed");

    // maxCount outside 1..=10000 would be 400/1018; the client clamps it instead.
    let one = client
        .events_page(&EventsRequest { max_count: Some(0), ..EventsRequest::new(history_start(days)) })
        .await
        .unwrap();
    assert_eq!(one.data.len(), 1);
    let all = client
        .events_page(&EventsRequest { max_count: Some(50_000), ..EventsRequest::new(history_start(days)) })
        .await
        .unwrap();
    assert_eq!(all.data.len(), sim.info().events.min(10_000));
    assert_eq!(client.stats().retries, 0);

    // Reactivation more than 30 days after deactivation.
    let (user, _) = deactivate_someone(&client).await;
    let state = sim.sim().clone();
    tokio::task::spawn_blocking(move || state.advance(TimeDelta::days(31))).await.unwrap();
    let err = client.reactivate_user(user.id).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::BadRequest { status: 400, .. }), "{err:?}");
    assert_error_code(&err, 1018, &token);
    assert_eq!(sim_user(&sim, user.id).status, Status::Deactivated);
}

#[tokio::test]
async fn other_refusals_keep_their_codes() {
    let sim = start(config(16, 200, 5)).await;
    let client = admin(&sim);
    let token = sim.tokens().admin.clone();
    let me = client.current_user().await.unwrap();
    let directory_managed = sim_users(&sim)
        .into_iter()
        .find(|u| u.directory_managed && u.in_org && u.status == Status::Active)
        .expect("a directory-managed user");

    let err = client.deactivate_user(directory_managed.id).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::BadRequest { status: 400, .. }), "{err:?}");
    assert_error_code(&err, 5697, &token);
    let err = client.deactivate_user(me.id).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Forbidden { .. }), "{err:?}");
    assert_error_code(&err, 1336, &token);
    let err = client
        .update_user(me.id, &UserUpdate { admin: Some(false), ..Default::default() })
        .await
        .unwrap_err();
    assert!(matches!(err, SmartsheetError::Forbidden { .. }), "{err:?}");
    assert_error_code(&err, 1049, &token);
    assert!(me.is_system_admin(), "still an admin");
}

#[tokio::test]
async fn a_rate_limit_with_a_long_retry_after_surfaces_as_4003() {
    let sim =
        start(SimConfig { rate_limit: RateLimit::PerMinute(3), retry_after: true, ..config(17, 50, 5) })
            .await;
    let token = sim.tokens().admin.clone();
    let retry = RetryPolicy { max_retry_after: Duration::from_millis(10), ..fast_retry() };
    let client = client_with(&sim, &token, retry);
    for _ in 0..3 {
        client.current_user().await.expect("within the burst");
    }
    let before = sim.requests();
    let err = client.current_user().await.unwrap_err();
    let SmartsheetError::RateLimited { retry_after: Some(wait), .. } = &err else {
        panic!("expected RateLimited with a wait, got {err:?}")
    };
    assert!(*wait >= Duration::from_secs(1) && *wait <= Duration::from_secs(60), "{wait:?}");
    assert_error_code(&err, 4003, &token);
    assert!(err.is_retryable());
    assert_eq!(sim.requests() - before, 1, "a wait longer than max_retry_after is not waited out");
    assert_eq!(client.stats(), ClientStats { requests: 4, retries: 0, rate_limited: 1 });
}

#[tokio::test]
async fn error_4000_is_not_retried() {
    let sim = start(config(18, 50, 5)).await;
    sim.set_faults(faults("4000=1"));
    let token = sim.tokens().admin.clone();
    let client = admin(&sim);
    let before = sim.requests();
    let err = client.list_users_page(&ListUsersQuery::default(), 1, 100).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Server { status: 500, .. }), "{err:?}");
    assert_error_code(&err, 4000, &token);
    assert!(!err.is_retryable());
    assert_eq!(sim.requests() - before, 1, "exactly one request reached the simulator");
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn persistent_4001_and_4004_surface_after_the_retry_budget() {
    let sim = start(config(19, 50, 5)).await;
    let token = sim.tokens().admin.clone();
    for (spec, status, code) in [("503=1", 503, 4001), ("500=1", 500, 4004)] {
        sim.set_faults(faults(spec));
        let client = client_with(&sim, &token, RetryPolicy { max_retries: 2, ..fast_retry() });
        let before = sim.requests();
        let err = client.current_user().await.unwrap_err();
        assert!(matches!(&err, SmartsheetError::Server { status: s, .. } if *s == status), "{err:?}");
        assert_error_code(&err, code, &token);
        assert!(err.is_retryable());
        assert_eq!(sim.requests() - before, 3, "{spec}: the first attempt and two retries");
        assert_eq!(client.stats().retries, 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Paging edge cases
// ---------------------------------------------------------------------------------------------

fn members_of(config: &SimConfig) -> usize {
    Org::generate(config).users.iter().filter(|u| u.in_org).count()
}

#[tokio::test]
async fn a_member_count_that_fills_pages_exactly() {
    // The organization size whose member count is exactly two pages.
    let users = (200..=260)
        .find(|n| members_of(&config(20, *n, 5)) == 2 * USERS_PAGE_SIZE as usize)
        .expect("an organization of exactly 200 members");
    let sim = start(config(20, users, 5)).await;
    let client = admin(&sim);

    let before = sim.requests();
    let pages: Vec<_> = client.list_users(ListUsersQuery::default()).try_collect().await.unwrap();
    assert_eq!(sim.requests() - before, 2, "no request for a third page");
    assert_eq!(pages.len(), 2);
    for (i, page) in pages.iter().enumerate() {
        assert_eq!((page.page_number, page.total_pages, page.total_count), (i as u32 + 1, 2, 200));
        assert_eq!(page.data.len(), 100);
    }
    let ids: HashSet<i64> = pages.iter().flat_map(|p| p.data.iter().map(|u| u.id)).collect();
    assert_eq!(ids.len(), 200);

    // Other page sizes that divide 200: the last page is full and nothing is lost.
    for page_size in [8, 25, 40] {
        let query = ListUsersQuery::default();
        let mut seen = Vec::new();
        let pages = 200 / page_size;
        for page in 1..=pages {
            let got = client.list_users_page(&query, page, page_size).await.unwrap();
            assert_eq!((got.total_pages, got.data.len() as u32), (pages, page_size));
            seen.extend(got.data.into_iter().map(|u| u.id));
        }
        assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), ids, "page size {page_size}");
        assert_eq!(seen.len(), 200);
    }
}

#[tokio::test]
async fn page_size_one_on_an_organization_of_three() {
    let sim = start(config(21, 3, 5)).await;
    let client = admin(&sim);
    let truth: Vec<i64> = sim_users(&sim).iter().map(|u| u.id).collect();
    assert_eq!(truth.len(), 3);

    let pages: Vec<_> = client.list_users(ListUsersQuery::default()).try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].data.iter().map(|u| u.id).collect::<Vec<_>>(), truth);

    let query = ListUsersQuery::default();
    let mut seen = Vec::new();
    for page in 1..=3 {
        let got = client.list_users_page(&query, page, 1).await.unwrap();
        assert_eq!((got.page_number, got.page_size, got.total_pages, got.total_count), (page, Some(1), 3, 3));
        assert_eq!(got.data.len(), 1);
        seen.push(got.data[0].id);
    }
    assert_eq!(seen, truth);
    let past = client.list_users_page(&query, 4, 1).await.unwrap();
    assert_eq!((past.page_number, past.data[0].id), (3, truth[2]), "a page past the end is the last page");

    let everyone =
        client.list_users_page(&ListUsersQuery { include_all: true, ..query }, 1, 1).await.unwrap();
    assert_eq!(everyone.data.iter().map(|u| u.id).collect::<Vec<_>>(), truth);
}

#[tokio::test]
async fn a_page_past_the_end_is_the_last_page_and_the_stream_still_ends() {
    let sim = start(config(22, 250, 5)).await;
    let client = admin(&sim);
    let query = ListUsersQuery::default();
    let first = client.list_users_page(&query, 1, 100).await.unwrap();
    let last_page = first.total_pages;
    assert!(last_page >= 3);
    let last = client.list_users_page(&query, last_page, 100).await.unwrap();
    for page in [last_page + 1, 999] {
        let past = client.list_users_page(&query, page, 100).await.unwrap();
        assert_eq!(past.page_number, last_page, "page {page}");
        assert_eq!(past.data, last.data, "page {page}");
    }

    // Bounded: a stream that kept asking past the end would yield more pages than exist.
    let pages: Vec<_> = client.list_users(query).take(last_page as usize + 3).collect().await;
    assert_eq!(pages.len(), last_page as usize);
    assert!(pages.iter().all(Result::is_ok));
}

// ---------------------------------------------------------------------------------------------
// Event stream resumption
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_event_stream_resumes_from_a_stored_position_with_a_new_client() {
    let days = 12;
    let sim = start(config(23, 150, days)).await;
    let uninterrupted = read_stream(&admin(&sim), history_start(days), 60).await;
    let all = event_ids(&uninterrupted);
    assert_eq!(all.len(), sim.info().events);
    assert!(uninterrupted.len() >= 6, "{} pages", uninterrupted.len());

    // First half: stop after some pages and keep the last position.
    let first_client = admin(&sim);
    let stop_after = uninterrupted.len() / 2;
    let first_half: Vec<EventPage> = first_client
        .event_stream(history_start(days), Some(60))
        .take(stop_after)
        .try_collect()
        .await
        .unwrap();
    assert!(first_half.last().unwrap().more_available);
    let stored = last_position(&first_half);
    drop(first_client);

    // Second half: a new client, a different page size, from the stored position.
    let second_half = read_stream(&admin(&sim), EventsStart::Position(stored), 45).await;
    let mut resumed = event_ids(&first_half);
    resumed.extend(event_ids(&second_half));
    assert_unique(&resumed);
    assert_eq!(resumed, all, "same events, same order, nothing missing");
}

#[tokio::test]
async fn after_catching_up_only_newer_events_follow_the_stored_position() {
    let days = 6;
    let sim = start(config(24, 120, days)).await;
    let client = admin(&sim);
    let old = read_stream(&client, history_start(days), 500).await;
    let old_ids: HashSet<String> = event_ids(&old).into_iter().collect();
    let newest_old = events(&old).iter().map(|e| e.event_timestamp).max().unwrap();
    let stored = last_position(&old);

    // Caught up: the stored position yields nothing new yet.
    let idle = client.events_page(&EventsRequest::new(EventsStart::Position(stored.clone()))).await.unwrap();
    assert!(idle.data.is_empty() && !idle.more_available);

    let before = visible_events(&sim);
    let state = sim.sim().clone();
    let new_now = tokio::task::spawn_blocking(move || state.advance(TimeDelta::days(1))).await.unwrap();
    let added = visible_events(&sim) - before;
    assert!(added > 0, "a day of work makes events");

    let fresh = read_stream(&admin(&sim), EventsStart::Position(stored), 100).await;
    let fresh_events = events(&fresh);
    assert_eq!(fresh_events.len(), added);
    assert!(fresh_events.iter().all(|e| !old_ids.contains(&e.event_id)), "an old event came again");
    assert!(
        fresh_events.iter().all(|e| e.event_timestamp > newest_old && e.event_timestamp <= new_now),
        "only events after {newest_old} and up to {new_now}"
    );
    assert_unique(&event_ids(&fresh));
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_rate_limit_storm_is_survived() {
    let sim = start(config(25, 300, 5)).await;
    let query =
        ListUsersQuery { plan_id: Some(sim_plan_id(&sim)), include_last_login: true, ..Default::default() };
    let calm = all_users(&admin(&sim), query.clone()).await;

    sim.set_faults(faults("storm=10/6"));
    let client = admin(&sim);
    let before = sim.requests();
    let stormy = all_users(&client, query).await;
    assert_eq!(stormy, calm, "the same users despite the storm");
    let stats = client.stats();
    assert!(stats.retries > 0 && stats.rate_limited > 0, "{stats:?}");
    assert_eq!(stats.requests, sim.requests() - before, "every attempt reached the simulator");
    assert_eq!(stats.requests - stats.retries, calm.len().div_ceil(100) as u64, "one success per page");
}

#[tokio::test]
async fn bursts_of_4004_and_4001_are_survived_by_the_event_stream() {
    let days = 8;
    let sim = start(config(26, 150, days)).await;
    let calm = event_ids(&read_stream(&admin(&sim), history_start(days), 50).await);
    for spec in ["500=0.3", "503=0.3"] {
        sim.set_faults(faults(spec));
        let client = admin(&sim);
        let stormy = read_stream(&client, history_start(days), 50).await;
        assert_eq!(event_ids(&stormy), calm, "{spec}: the same events");
        assert!(client.stats().retries > 0, "{spec}: {:?}", client.stats());
    }
}

#[tokio::test]
async fn dropped_and_truncated_answers_are_retried_for_reads() {
    let days = 8;
    let sim = start(config(27, 200, days)).await;
    let calm_users = all_users(&admin(&sim), ListUsersQuery::default()).await;
    let calm_events = event_ids(&read_stream(&admin(&sim), history_start(days), 50).await);
    for spec in ["drop=0.2", "truncate=0.2"] {
        sim.set_faults(faults(spec));
        let client = admin(&sim);
        assert_eq!(all_users(&client, ListUsersQuery::default()).await, calm_users, "{spec}");
        assert_eq!(event_ids(&read_stream(&client, history_start(days), 50).await), calm_events, "{spec}");
        assert!(client.stats().retries > 0, "{spec}: {:?}", client.stats());
    }
}

#[tokio::test]
async fn a_permanent_401_makes_exactly_one_request() {
    let sim = start(config(28, 50, 5)).await;
    let token = sim.tokens().expired.clone();
    let client = client(&sim, &token);
    let before = sim.requests();
    let err = first_item(client.list_users(ListUsersQuery::default())).await.unwrap_err();
    assert_error_code(&err, 1003, &token);
    assert_eq!(sim.requests() - before, 1);

    let before = sim.requests();
    let pages: Vec<_> = client.event_stream(history_start(5), None).collect().await;
    assert_eq!(pages.len(), 1, "the stream ends with its first error");
    assert_error_code(pages[0].as_ref().unwrap_err(), 1003, &token);
    assert_eq!(sim.requests() - before, 1);
    assert_eq!(client.stats(), ClientStats { requests: 2, retries: 0, rate_limited: 0 });
}

#[tokio::test]
async fn writes_that_are_not_idempotent_are_not_retried_after_a_broken_connection() {
    let sim = start(config(29, 150, 5)).await;
    let client = client_with(&sim, &sim.tokens().admin, RetryPolicy { max_retries: 3, ..fast_retry() });
    // A user that can be deactivated, back to active.
    let (user, _) = deactivate_someone(&client).await;
    client.reactivate_user(user.id).await.unwrap();

    // No answer at all: the deactivation is not repeated (the simulator never carried it out).
    sim.set_faults(faults("drop=1"));
    let before = (sim.requests(), client.stats().retries);
    let err = client.deactivate_user(user.id).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Network { kind: NetworkFailure::Interrupted, .. }), "{err:?}");
    assert!(err.code().is_none() && !err.to_string().contains(&sim.tokens().admin));
    assert_eq!((sim.requests(), client.stats().retries), (before.0 + 1, before.1), "exactly one request");
    let err = client.remove_user(user.id, &RemoveUserOptions::default()).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Network { .. }), "{err:?}");
    assert_eq!(sim.requests(), before.0 + 2, "DELETE is not retried either");
    // A read under the same fault is retried, up to the budget.
    let before = sim.requests();
    assert!(matches!(client.get_user(user.id).await, Err(SmartsheetError::Network { .. })));
    assert_eq!(sim.requests() - before, 4, "the first attempt and three retries");

    // A cut-off answer: the deactivation happened, which is why it must not be repeated blindly.
    sim.set_faults(faults("truncate=1"));
    let before = sim.requests();
    let err = client.deactivate_user(user.id).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Network { kind: NetworkFailure::Interrupted, .. }), "{err:?}");
    assert_eq!(sim.requests() - before, 1);

    sim.set_faults(FaultSpec::none());
    let truth = sim_user(&sim, user.id);
    assert_eq!(truth.status, Status::Deactivated, "the cut-off deactivation was carried out once");
    assert!(truth.in_org, "the dropped removal never reached the organization");
}
