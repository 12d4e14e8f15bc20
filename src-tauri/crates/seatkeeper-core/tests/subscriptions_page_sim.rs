//! The Software Subscriptions list read in windows, on a simulated organization after both
//! refreshes, with exclusion rules: the windows hold every row exactly once, the total is right,
//! and every filter and sort gives what this test computes from the whole list
//! (`list_subscriptions`). The inactive days are the removal candidates'.

use std::cmp::Ordering;

use seatkeeper_core::jobs::{JobKind, JobStatus};
use seatkeeper_core::reclaim::{
    list_rules, update_rule, CandidateFilter, CandidatePageRequest, CandidateSort, Justification,
    LastActivitySource, RuleInput,
};
use seatkeeper_core::services::{
    compute_candidates, list_candidates, list_subscriptions, list_subscriptions_page,
    save_identifier_exclusion, save_user_exclusion, subscription_facets,
};
use seatkeeper_core::sync::activity::ActivitySource;
use seatkeeper_core::sync::{
    ActivitySourceFilter, IdentifierExclusionInput, SoftwareSubscription, SubscriptionFilter,
    SubscriptionPageRequest, SubscriptionSort, UserExclusionInput,
};
use seatkeeper_testsupport::{self as support, Org};

const SORTS: [SubscriptionSort; 13] = [
    SubscriptionSort::User,
    SubscriptionSort::Email,
    SubscriptionSort::Identifier,
    SubscriptionSort::Model,
    SubscriptionSort::Status,
    SubscriptionSort::Internal,
    SubscriptionSort::LastLogin,
    SubscriptionSort::LastActivity,
    SubscriptionSort::ActivitySource,
    SubscriptionSort::FirstSeen,
    SubscriptionSort::LastSeen,
    SubscriptionSort::Closed,
    SubscriptionSort::Excluded,
];

/// 300 users and 120 days of history, both refreshes run, the most common external domain and the
/// GUEST identifier excluded.
async fn refreshed() -> Org {
    let org = Org::published(support::sim_config(23, 300, 120)).await;
    for kind in [JobKind::Subscriptions, JobKind::Events] {
        let result = org.run(kind).await;
        assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    }
    let all = list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap();
    let mut domains = std::collections::BTreeMap::<&str, usize>::new();
    for s in all.iter().filter(|s| s.is_internal == Some(false)) {
        *domains.entry(s.email.rsplit('@').next().unwrap()).or_default() += 1;
    }
    let (domain, _) =
        domains.into_iter().max_by_key(|(_, n)| *n).expect("the organization has external users");
    let rule = UserExclusionInput { id: None, pattern: format!("@{domain}"), active: true };
    save_user_exclusion(&org.db, &*org.clock, org.profile, rule).await.unwrap();
    let rule = IdentifierExclusionInput { id: None, identifier: "GUEST".into(), active: true };
    save_identifier_exclusion(&org.db, &*org.clock, org.profile, rule).await.unwrap();
    org
}

fn request(
    org: &Org,
    filter: &SubscriptionFilter,
    sort: SubscriptionSort,
    descending: bool,
) -> SubscriptionPageRequest {
    SubscriptionPageRequest {
        profile_id: org.profile,
        filter: filter.clone(),
        sort,
        descending,
        offset: 0,
        limit: 0,
    }
}

/// Every window of `limit` rows, in order, until one comes back empty; each says the same total.
async fn windows(org: &Org, mut request: SubscriptionPageRequest, limit: i64) -> Vec<SoftwareSubscription> {
    let mut rows = Vec::new();
    let mut total = None;
    loop {
        request.offset = rows.len() as i64;
        request.limit = limit;
        let page = list_subscriptions_page(&org.db, &*org.clock, &request).await.unwrap();
        assert_eq!(page.offset, request.offset);
        assert!(page.rows.len() as i64 <= limit);
        assert_eq!(*total.get_or_insert(page.total), page.total, "every window counts the same rows");
        if page.rows.is_empty() {
            assert_eq!(page.total, rows.len() as i64, "the total counts what the windows hold");
            return rows;
        }
        rows.extend(page.rows);
    }
}

/// A sort key as SQLite compares it: numbers, then text as bytes; None for an empty value.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Number(i64),
    Text(String),
}

fn key(s: &SoftwareSubscription, sort: SubscriptionSort) -> Option<Key> {
    let text = |t: Option<&str>| t.map(|t| Key::Text(t.to_owned()));
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| Key::Number(d.timestamp_micros()));
    match sort {
        SubscriptionSort::User => s.name.as_deref().map(|n| Key::Text(n.to_ascii_lowercase())),
        SubscriptionSort::Email => Some(Key::Text(s.email.to_ascii_lowercase())),
        SubscriptionSort::Identifier => text(Some(&s.identifier)),
        SubscriptionSort::Model => text(s.model_name.as_deref()),
        SubscriptionSort::Status => text(s.status.as_deref()),
        SubscriptionSort::Internal => s.is_internal.map(|i| Key::Number(i64::from(i))),
        SubscriptionSort::LastLogin => date(s.last_login),
        SubscriptionSort::LastActivity => date(s.last_activity_at),
        SubscriptionSort::ActivitySource => s.activity_source.map(|a| {
            Key::Text(match a {
                ActivitySource::Events => "events".into(),
                ActivitySource::LastLogin => "last_login".into(),
            })
        }),
        SubscriptionSort::FirstSeen => date(Some(s.first_seen)),
        SubscriptionSort::LastSeen => date(Some(s.last_seen)),
        SubscriptionSort::Closed => date(s.closed_at),
        SubscriptionSort::Excluded => Some(Key::Number(i64::from(s.excluded))),
    }
}

/// The list's order: empty values last either way, then the key (reversed when descending), then
/// the e-mail address (any case) and the id.
fn sorted(
    mut rows: Vec<SoftwareSubscription>,
    sort: SubscriptionSort,
    descending: bool,
) -> Vec<SoftwareSubscription> {
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a, sort), key(b, sort));
        let by_key = match (&ka, &kb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) if descending => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
        };
        by_key
            .then_with(|| a.email.to_ascii_lowercase().cmp(&b.email.to_ascii_lowercase()))
            .then(a.id.cmp(&b.id))
    });
    rows
}

fn ids(rows: &[SoftwareSubscription]) -> Vec<i64> {
    rows.iter().map(|s| s.id).collect()
}

#[tokio::test]
async fn windows_hold_every_row_once_in_every_order() {
    let org = refreshed().await;
    let all = list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap();
    assert!(all.len() >= 250, "{}", all.len());
    // The data gives each sort something to do.
    assert!(all.iter().any(|s| s.excluded) && all.iter().any(|s| !s.excluded));
    assert!(
        all.iter().any(|s| s.activity_source.is_none()) && all.iter().any(|s| s.activity_source.is_some())
    );
    assert!(
        all.iter().any(|s| s.is_internal == Some(false)) && all.iter().any(|s| s.is_internal == Some(true))
    );
    assert!(all.iter().any(|s| s.last_login.is_none()) && all.iter().any(|s| s.last_login.is_some()));

    // The default order (e-mail), in windows of 7: every row once, each whole (as the full list reads it).
    let default = SubscriptionPageRequest {
        profile_id: org.profile,
        filter: SubscriptionFilter::default(),
        sort: SubscriptionSort::default(),
        descending: false,
        offset: 0,
        limit: 0,
    };
    let read = windows(&org, default, 7).await;
    assert_eq!(read, sorted(all.clone(), SubscriptionSort::Email, false));
    let mut unique = ids(&read);
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "no row twice");

    for sort in SORTS {
        for descending in [false, true] {
            let read =
                windows(&org, request(&org, &SubscriptionFilter::default(), sort, descending), 41).await;
            let want = sorted(all.clone(), sort, descending);
            assert_eq!(ids(&read), ids(&want), "{sort:?} descending={descending}");
        }
    }
}

#[tokio::test]
async fn each_filter_selects_what_the_full_list_says() {
    let org = refreshed().await;
    let all = list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap();
    let some_name = all.iter().find_map(|s| s.name.clone()).expect("a user with a name");
    let part_of_name = some_name.split_whitespace().last().unwrap().to_uppercase();
    let external_domain = all.iter().find(|s| s.excluded && s.identifier != "GUEST").unwrap().email.clone();
    let external_domain = external_domain.rsplit('@').next().unwrap().to_owned();
    type Predicate = Box<dyn Fn(&SoftwareSubscription) -> bool>;
    fn contains(s: &SoftwareSubscription, text: &str) -> bool {
        s.email.to_lowercase().contains(text) || s.name.as_deref().unwrap_or("").to_lowercase().contains(text)
    }
    let lower_name = part_of_name.to_lowercase();
    let domain = external_domain.clone();
    let cases: Vec<(SubscriptionFilter, Predicate)> = vec![
        (
            SubscriptionFilter { search: format!("  {part_of_name} "), ..Default::default() },
            Box::new(move |s| contains(s, &lower_name)),
        ),
        (
            SubscriptionFilter { search: format!("@{}", domain.to_uppercase()), ..Default::default() },
            Box::new(move |s| contains(s, &format!("@{domain}"))),
        ),
        (
            SubscriptionFilter { identifier: Some("MEMBER".into()), ..Default::default() },
            Box::new(|s| s.identifier == "MEMBER"),
        ),
        (
            SubscriptionFilter { status: Some("ACTIVE".into()), ..Default::default() },
            Box::new(|s| s.status.as_deref() == Some("ACTIVE")),
        ),
        (
            SubscriptionFilter { internal: Some(true), ..Default::default() },
            Box::new(|s| s.is_internal == Some(true)),
        ),
        (
            SubscriptionFilter { internal: Some(false), ..Default::default() },
            Box::new(|s| s.is_internal == Some(false)),
        ),
        (
            SubscriptionFilter { activity_source: Some(ActivitySourceFilter::Events), ..Default::default() },
            Box::new(|s| s.activity_source == Some(ActivitySource::Events)),
        ),
        (
            SubscriptionFilter { activity_source: Some(ActivitySourceFilter::None), ..Default::default() },
            Box::new(|s| s.activity_source.is_none()),
        ),
        (SubscriptionFilter { excluded: Some(true), ..Default::default() }, Box::new(|s| s.excluded)),
        (SubscriptionFilter { excluded: Some(false), ..Default::default() }, Box::new(|s| !s.excluded)),
        // Filters combine.
        (
            SubscriptionFilter {
                identifier: Some("MEMBER".into()),
                internal: Some(true),
                excluded: Some(false),
                activity_source: Some(ActivitySourceFilter::Events),
                ..Default::default()
            },
            Box::new(|s| {
                s.identifier == "MEMBER"
                    && s.is_internal == Some(true)
                    && !s.excluded
                    && s.activity_source == Some(ActivitySource::Events)
            }),
        ),
        // Only spaces: no search at all.
        (SubscriptionFilter { search: "   ".into(), ..Default::default() }, Box::new(|_| true)),
        // LIKE's wildcards are plain characters.
        (SubscriptionFilter { search: "%".into(), ..Default::default() }, Box::new(|s| contains(s, "%"))),
        (SubscriptionFilter { search: "_".into(), ..Default::default() }, Box::new(|s| contains(s, "_"))),
    ];
    for (filter, predicate) in cases {
        let want: Vec<_> = all.iter().filter(|s| predicate(s)).cloned().collect();
        if !filter.search.is_empty() && filter.search.trim().is_empty() {
            assert_eq!(want.len(), all.len());
        } else if !filter.search.contains(['%', '_']) {
            assert!(
                !want.is_empty() && want.len() < all.len(),
                "{filter:?} selects {} of {}",
                want.len(),
                all.len()
            );
        }
        for sort in [SubscriptionSort::Email, SubscriptionSort::LastActivity, SubscriptionSort::Excluded] {
            let read = windows(&org, request(&org, &filter, sort, true), 50).await;
            assert_eq!(ids(&read), ids(&sorted(want.clone(), sort, true)), "{filter:?} by {sort:?}");
        }
    }
}

/// Without Event Reporting, last activity is the last login: the activity source filter there.
#[tokio::test]
async fn the_activity_source_filter_where_activity_is_the_last_login() {
    let config = support::sim_config(23, 300, 120);
    let org = Org::with_token(config, |sim| sim.tokens().admin_no_event_reporting.clone()).await;
    for kind in [JobKind::Subscriptions, JobKind::Events] {
        let result = org.run(kind).await;
        assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    }
    let logins = org.profile;
    let all = list_subscriptions(&org.db, &*org.clock, logins).await.unwrap();
    for (source, want) in [
        (ActivitySourceFilter::LastLogin, Some(ActivitySource::LastLogin)),
        (ActivitySourceFilter::Events, Some(ActivitySource::Events)),
        (ActivitySourceFilter::None, None),
    ] {
        let filter = SubscriptionFilter { activity_source: Some(source), ..Default::default() };
        let mut request = request(&org, &filter, SubscriptionSort::LastActivity, false);
        request.profile_id = logins;
        let read = windows(&org, request, 50).await;
        let want: Vec<_> = all.iter().filter(|s| s.activity_source == want).cloned().collect();
        assert_eq!(
            ids(&read),
            ids(&sorted(want.clone(), SubscriptionSort::LastActivity, false)),
            "{source:?}"
        );
        if source == ActivitySourceFilter::Events {
            assert!(want.is_empty());
        } else {
            assert!(
                !want.is_empty() && want.len() < all.len(),
                "{source:?}: {} of {}",
                want.len(),
                all.len()
            );
        }
    }
}

#[tokio::test]
async fn windows_are_bounded_and_facets_list_the_options() {
    let org = refreshed().await;
    let all = list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap();
    let total = all.len() as i64;
    let base = request(&org, &SubscriptionFilter::default(), SubscriptionSort::Email, false);

    // At most 500 rows a window, at least one; a negative offset is the start.
    let page = list_subscriptions_page(
        &org.db,
        &*org.clock,
        &SubscriptionPageRequest { limit: 100_000, ..base.clone() },
    )
    .await
    .unwrap();
    assert_eq!((page.rows.len() as i64, page.total), (total.min(500), total));
    let page = list_subscriptions_page(
        &org.db,
        &*org.clock,
        &SubscriptionPageRequest { limit: 0, offset: -5, ..base.clone() },
    )
    .await
    .unwrap();
    assert_eq!((page.rows.len(), page.offset, page.total), (1, 0, total));

    // A window past the end is empty and still counts the matches.
    let members = all.iter().filter(|s| s.identifier == "MEMBER").count() as i64;
    let past = SubscriptionPageRequest {
        filter: SubscriptionFilter { identifier: Some("MEMBER".into()), ..Default::default() },
        offset: 10_000,
        limit: 50,
        ..base.clone()
    };
    let page = list_subscriptions_page(&org.db, &*org.clock, &past).await.unwrap();
    assert_eq!((page.rows.len(), page.total, page.offset), (0, members, 10_000));

    // The filters' options.
    let facets = subscription_facets(&org.db, org.profile).await.unwrap();
    let mut identifiers: Vec<String> = all.iter().map(|s| s.identifier.clone()).collect();
    identifiers.sort();
    identifiers.dedup();
    let mut statuses: Vec<String> = all.iter().filter_map(|s| s.status.clone()).collect();
    statuses.sort();
    statuses.dedup();
    assert!(identifiers.len() > 1 && statuses.len() > 1, "{identifiers:?} {statuses:?}");
    assert_eq!((facets.total, facets.identifiers, facets.statuses), (total, identifiers, statuses));

    // An unknown profile has no subscriptions.
    let page = list_subscriptions_page(
        &org.db,
        &*org.clock,
        &SubscriptionPageRequest { profile_id: 999, limit: 50, ..base },
    )
    .await
    .unwrap();
    assert_eq!((page.rows.len(), page.total), (0, 0));
    let facets = subscription_facets(&org.db, 999).await.unwrap();
    assert_eq!((facets.total, facets.identifiers.len(), facets.statuses.len()), (0, 0, 0));
}

/// The list's inactive days are the removal candidates' (one definition of inactivity): every open
/// subscription has them, and those the candidates computation opened a candidate for say the
/// candidate's number of days; a closed subscription has none.
#[tokio::test]
async fn inactive_days_are_the_removal_candidates_and_closed_subscriptions_have_none() {
    let org = refreshed().await;
    // Every paid seat inactive for a day is a candidate: most of the open ones are compared.
    for rule in list_rules(&org.db, org.profile).await.unwrap().into_iter().filter(|r| r.paid) {
        let input =
            RuleInput { last_activity_threshold_days: 1, grace_period_days: 0, ..RuleInput::defaults() };
        update_rule(&org.db, &*org.clock, rule.id, input).await.unwrap();
    }
    compute_candidates(&org.db, &*org.clock, org.profile).await.unwrap();
    let mut candidates = Vec::new();
    loop {
        let request = CandidatePageRequest {
            filter: CandidateFilter { profile_id: Some(org.profile), ..Default::default() },
            sort: CandidateSort::InactiveDays,
            descending: false,
            offset: candidates.len() as i64,
            limit: 500,
        };
        let page = list_candidates(&org.db, &*org.clock, &request).await.unwrap();
        if page.rows.is_empty() {
            break;
        }
        candidates.extend(page.rows);
    }
    let read =
        windows(&org, request(&org, &SubscriptionFilter::default(), SubscriptionSort::Email, false), 97)
            .await;
    assert_eq!(
        read,
        sorted(
            list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap(),
            SubscriptionSort::Email,
            false
        )
    );
    let by_id: std::collections::HashMap<i64, &SoftwareSubscription> =
        read.iter().map(|s| (s.id, s)).collect();
    // The data gives the comparison something to do: candidates of both kinds, and closed seats.
    assert!(candidates.len() >= 10, "{} candidates", candidates.len());
    assert!(candidates.iter().any(|c| c.justification == Justification::NeverUsed));
    assert!(candidates.iter().any(|c| c.activity_source == LastActivitySource::Events));
    assert!(candidates.iter().any(|c| c.activity_source == LastActivitySource::LastLogin));
    assert!(read.iter().any(|s| s.closed_at.is_some()), "some subscriptions are closed");
    for c in &candidates {
        let s = by_id[&c.subscription_id];
        assert_eq!(s.user_id, c.user_id.to_string());
        assert_eq!(s.inactive_days, Some(c.inactive_days), "{}", s.email);
    }
    for s in &read {
        assert_eq!(s.inactive_days.is_some(), s.closed_at.is_none(), "{}: {:?}", s.email, s.inactive_days);
    }
    // The days of an active user are few: not every open seat is counted from when it was known.
    assert!(read.iter().any(|s| s.inactive_days.is_some_and(|d| d < 7)));
}
