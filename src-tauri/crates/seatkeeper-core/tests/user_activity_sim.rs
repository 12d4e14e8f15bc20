//! One user's activity (the Software Subscriptions list's side panel) on a simulated organization:
//! the per-day counts and the last events by kind equal this test's own fold of the simulator's
//! events for that user, excluded kinds are not counted, an incremental run adds up, and another
//! profile's subscription is not found.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use seatkeeper_core::jobs::{JobKind, JobStatus};
use seatkeeper_core::services::{
    create_profile, get_profile, list_subscriptions, set_excluded_event_kinds, user_activity_detail,
};
use seatkeeper_core::smartsheet::Event;
use seatkeeper_core::sync::activity::ActivitySource;
use seatkeeper_core::sync::{self, DailyCount, KindActivity, UserActivityDetail};
use seatkeeper_core::Error;
use seatkeeper_testsupport::{self as support, Org};

/// A user's expected activity: counts per UTC day, and per (object type, action) the latest event
/// and how many.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    daily: BTreeMap<NaiveDate, i64>,
    kinds: BTreeMap<(String, String), (DateTime<Utc>, i64)>,
}

/// The fold of `events` per user, without Smartsheet's system users and the `excluded` kinds.
fn fold(events: &[Event], excluded: &[(&str, &str)]) -> BTreeMap<i64, Expected> {
    let mut users: BTreeMap<i64, Expected> = BTreeMap::new();
    for e in events {
        let (object, action) = (e.object_type.as_str(), e.action.as_str());
        if sync::is_system_user(e.user_id) || excluded.iter().any(|(o, a)| *o == object && *a == action) {
            continue;
        }
        let user = users.entry(e.user_id).or_default();
        *user.daily.entry(e.event_timestamp.date_naive()).or_default() += 1;
        let kind = user.kinds.entry((object.to_owned(), action.to_owned())).or_insert((e.event_timestamp, 0));
        kind.0 = kind.0.max(e.event_timestamp);
        kind.1 += 1;
    }
    users
}

/// What the detail should say for `user`: its days oldest first, its kinds latest first.
fn as_detail(user: Option<&Expected>) -> (Vec<DailyCount>, Vec<KindActivity>) {
    let Some(user) = user else { return (Vec::new(), Vec::new()) };
    let daily =
        user.daily.iter().map(|(day, count)| DailyCount { day: day.to_string(), count: *count }).collect();
    let mut kinds: Vec<KindActivity> = user
        .kinds
        .iter()
        .map(|((object_type, action), (last_at, count))| KindActivity {
            object_type: object_type.clone(),
            action: action.clone(),
            last_at: *last_at,
            count: *count,
        })
        .collect();
    kinds.sort_by(|a, b| {
        b.last_at
            .cmp(&a.last_at)
            .then_with(|| a.object_type.cmp(&b.object_type))
            .then_with(|| a.action.cmp(&b.action))
    });
    (daily, kinds)
}

async fn run(org: &Org, kind: JobKind) {
    let result = org.run(kind).await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
}

/// Every subscription's detail, by user id.
async fn details(org: &Org) -> BTreeMap<i64, UserActivityDetail> {
    let mut out = BTreeMap::new();
    for s in list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap() {
        let detail = user_activity_detail(&org.db, &*org.clock, org.profile, s.id).await.unwrap();
        assert_eq!(detail.subscription, s, "the subscription as the list shows it");
        out.insert(s.user_id.parse().unwrap(), detail);
    }
    out
}

/// Every user's detail says what `expected` says of them.
fn assert_details(details: &BTreeMap<i64, UserActivityDetail>, expected: &BTreeMap<i64, Expected>) {
    for (user, detail) in details {
        let (daily, kinds) = as_detail(expected.get(user));
        assert_eq!(detail.daily, daily, "user {user}: per-day counts");
        assert_eq!(detail.kinds, kinds, "user {user}: last events by kind");
    }
}

#[tokio::test]
async fn the_detail_is_the_fold_of_the_users_events_and_a_later_run_adds_up() {
    let org = Org::published(support::sim_config(41, 150, 30)).await;
    run(&org, JobKind::Subscriptions).await;
    run(&org, JobKind::Events).await;
    let since = get_profile(&org.db, org.profile).await.unwrap().analyze_activity_from;
    let events = support::events_since_analysis_start(&org).await;
    let expected = fold(&events, &[]);

    let first = details(&org).await;
    assert_details(&first, &expected);
    // The data gives the comparison something to do.
    assert!(first.values().filter(|d| !d.daily.is_empty()).count() > 50);
    assert!(first.values().any(|d| d.kinds.len() > 2 && d.daily.len() > 2));
    assert!(first.values().any(|d| d.daily.is_empty()), "some users have no counted event");
    for detail in first.values() {
        assert_eq!((detail.since, detail.activity_source), (since, Some(ActivitySource::Events)));
        assert!(detail.daily.iter().all(|d| d.day >= since.date_naive().to_string() && d.count > 0));
    }

    // Two days later: the new events are added to what was kept.
    org.sim.sim().advance(chrono::Duration::days(2));
    org.clock.set(org.sim.sim().now());
    run(&org, JobKind::Events).await;
    let all = support::events_since_analysis_start(&org).await;
    assert!(all.len() > events.len());
    let after = fold(&all, &[]);
    let second = details(&org).await;
    assert_details(&second, &after);
    // Kinds kept by the first run moved on: more counted, a later last event.
    let grown = |user: &i64, k: &KindActivity| {
        first[user].kinds.iter().any(|old| {
            (&old.object_type, &old.action) == (&k.object_type, &k.action)
                && old.count < k.count
                && old.last_at < k.last_at
        })
    };
    assert!(second.iter().any(|(user, d)| d.kinds.iter().any(|k| grown(user, k))));
}

#[tokio::test]
async fn excluded_kinds_are_not_counted_and_a_change_clears_the_kinds_kept() {
    let org = Org::published(support::sim_config(42, 120, 20)).await;
    run(&org, JobKind::Subscriptions).await;
    run(&org, JobKind::Events).await;
    let events = support::events_since_analysis_start(&org).await;
    let before = details(&org).await;
    assert_details(&before, &fold(&events, &[]));
    let has = |details: &BTreeMap<i64, UserActivityDetail>, object: &str, action: &str| {
        details.values().any(|d| d.kinds.iter().any(|k| k.object_type == object && k.action == action))
    };
    assert!(has(&before, "SHEET", "LOAD") && has(&before, "USER", "LOGIN"), "both kinds occur");

    set_excluded_event_kinds(&org.db, org.profile, &["SHEET:LOAD".into(), "USER:LOGIN".into()])
        .await
        .unwrap();
    run(&org, JobKind::Events).await;
    let after = details(&org).await;
    assert_details(&after, &fold(&events, &[("SHEET", "LOAD"), ("USER", "LOGIN")]));
    assert!(!has(&after, "SHEET", "LOAD") && !has(&after, "USER", "LOGIN"));
}

#[tokio::test]
async fn another_profiles_subscription_is_not_found() {
    let org = Org::published(support::sim_config(43, 30, 5)).await;
    run(&org, JobKind::Subscriptions).await;
    let subscription = list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap()[0].id;
    let other =
        create_profile(&org.db, &*org.secrets, &*org.clock, support::profile_input("Other", true), None)
            .await
            .unwrap();
    // Its own profile has it (before the first Events refresh: no activity source, nothing counted).
    let detail = user_activity_detail(&org.db, &*org.clock, org.profile, subscription).await.unwrap();
    assert_eq!((detail.activity_source, detail.daily.len(), detail.kinds.len()), (None, 0, 0));
    for (profile, id) in
        [(other.id, subscription), (org.profile, subscription + 100_000), (999, subscription)]
    {
        match user_activity_detail(&org.db, &*org.clock, profile, id).await {
            Err(Error::NotFound(message)) => {
                assert!(
                    message.contains(&format!("Subscription {id}")) && message.contains("Refresh"),
                    "{message}"
                )
            }
            other => panic!("profile {profile}, subscription {id}: {other:?}"),
        }
    }
}
