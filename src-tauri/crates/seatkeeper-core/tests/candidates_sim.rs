//! Removal candidates on a simulated organization: after a refresh, the candidates are exactly
//! the paid seats that the test itself finds unused from the simulator's own state (its users,
//! their last logins and the events of the analysis window); exclusions, protections and renewed
//! activity close them; the review's moves follow the state rules; the list is read in windows.

use std::collections::{BTreeMap, BTreeSet};

use seatkeeper_core::jobs::{self, JobKind, JobStatus, RunContext};
use seatkeeper_core::reclaim::{
    self, CandidateFilter, CandidatePageRequest, CandidateSort, CandidateState, Justification,
    ProtectedUserInput, RemovalCandidate, ReviewMove,
};
use seatkeeper_core::sync::{self, SyncOptions, UserExclusionInput};
use seatkeeper_core::{Clock, ErrorCode};
use seatkeeper_testsupport::{self as support, Org};
use smartsheet_sim::org::{Seat, Status};
use tokio_util::sync::CancellationToken;

async fn refreshed(seed: u64) -> Org {
    let org = Org::published(support::sim_config(seed, 250, 120)).await;
    let options = SyncOptions::default();
    for kind in [JobKind::Subscriptions, JobKind::Events] {
        let context = RunContext {
            db: &org.db,
            client: &org.client,
            profile_id: org.profile,
            clock: &*org.clock,
            options: &options,
            progress: &sync::no_progress,
            cancel: &CancellationToken::new(),
        };
        let result = jobs::run(kind, context).await.unwrap();
        assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    }
    org
}

/// user id → justification, computed from the simulator alone: internal or external users with a
/// MEMBER seat, not admins, not deactivated; last activity = the later of their last login and their
/// last event since the analysis start (system users' events are not people's); the account known
/// since the earliest of that, its seat change and the first refresh (now); threshold 60 days,
/// grace period 30 days.
async fn expected(org: &Org) -> BTreeMap<i64, Justification> {
    let now = org.clock.now();
    let last_event = support::last_events(org).await;
    let sim = org.sim.sim().org.read();
    let mut out = BTreeMap::new();
    for user in sim.users.iter().filter(|u| u.visible() && u.in_plan) {
        if user.seat != Seat::Member || user.admin || user.status == Status::Deactivated {
            continue;
        }
        let last = [user.last_login, last_event.get(&user.id).copied()].into_iter().flatten().max();
        let known = [Some(now), Some(user.seat_changed_at), last].into_iter().flatten().min().unwrap();
        if (now - known).num_days() < 30 {
            continue;
        }
        let since = last.unwrap_or(known);
        if (now - since).num_days() >= 60 {
            out.insert(
                user.id,
                if last.is_some() { Justification::LowUsage } else { Justification::NeverUsed },
            );
        }
    }
    out
}

async fn all(org: &Org, filter: CandidateFilter) -> Vec<RemovalCandidate> {
    let mut rows = Vec::new();
    loop {
        let request = CandidatePageRequest {
            filter: filter.clone(),
            sort: CandidateSort::InactiveDays,
            descending: true,
            offset: rows.len() as i64,
            limit: 7,
        };
        let page = reclaim::list_candidates(&org.db, &*org.clock, &request).await.unwrap();
        if page.rows.is_empty() {
            assert_eq!(page.total, rows.len() as i64, "the total counts what the windows hold");
            return rows;
        }
        rows.extend(page.rows);
    }
}

fn open_for(profile: i64) -> CandidateFilter {
    CandidateFilter { profile_id: Some(profile), ..CandidateFilter::default() }
}

#[tokio::test]
async fn candidates_are_the_unused_paid_seats_and_nothing_else() {
    let org = refreshed(41).await;
    let want = expected(&org).await;
    assert!(want.len() >= 10, "the organization has unused paid seats to find: {}", want.len());
    assert!(want.values().any(|j| *j == Justification::LowUsage));

    // Each refresh ends by computing the candidates: they are there without asking.
    let got: BTreeMap<i64, Justification> =
        all(&org, open_for(org.profile)).await.into_iter().map(|c| (c.user_id, c.justification)).collect();
    assert_eq!(got, want);

    // Computing again (on demand) changes nothing.
    let again = reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    assert_eq!((again.opened, again.updated, again.canceled, again.skipped), (0, 0, 0, 0));

    // The list is in windows, sorted by inactive days, every candidate once, all Ready.
    let rows = all(&org, open_for(org.profile)).await;
    assert!(rows.windows(2).all(|w| w[0].inactive_days >= w[1].inactive_days));
    assert!(rows.iter().all(|c| c.state == CandidateState::Ready && c.inactive_days >= 60));
    let ids: BTreeSet<i64> = rows.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), rows.len());

    // A filter by id reads exactly those candidates (in every reading: windows, ids, savings).
    let some = vec![rows[3].id, rows[0].id, 987_654];
    let by_id = CandidateFilter { ids: Some(some.clone()), ..open_for(org.profile) };
    let got: BTreeSet<i64> = all(&org, by_id.clone()).await.into_iter().map(|c| c.id).collect();
    assert_eq!(got, BTreeSet::from([rows[0].id, rows[3].id]));
    let mut want = vec![rows[0].id, rows[3].id];
    want.sort_unstable();
    assert_eq!(reclaim::candidate_ids(&org.db, &*org.clock, &by_id).await.unwrap(), want);
    assert_eq!(reclaim::savings(&org.db, &*org.clock, &by_id, None).await.unwrap().seats, 2);
}

#[tokio::test]
async fn exclusions_protections_and_activity_close_candidates_for_good() {
    let org = refreshed(43).await;
    reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    let rows = all(&org, open_for(org.profile)).await;
    assert!(rows.len() >= 3, "{}", rows.len());
    let (excluded, protected, active) = (&rows[0], &rows[1], &rows[2]);

    sync::save_user_exclusion(
        &org.db,
        &*org.clock,
        org.profile,
        UserExclusionInput { id: None, pattern: excluded.email.clone(), active: true },
    )
    .await
    .unwrap();
    // Protecting closes at once.
    reclaim::add_protected(
        &org.db,
        &*org.clock,
        org.profile,
        ProtectedUserInput { pattern: protected.email.to_uppercase(), note: "CFO".into() },
    )
    .await
    .unwrap();
    // The user was active a moment ago.
    let now = org.clock.now();
    sqlx::query(
        "INSERT OR REPLACE INTO user_activity (profile_id, user_id, last_activity_at, source, updated_at) \
         VALUES (?, ?, ?, 'events', ?)",
    )
    .bind(org.profile)
    .bind(active.user_id)
    .bind(now)
    .bind(now)
    .execute(org.db.pool())
    .await
    .unwrap();
    let summary = reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    assert_eq!((summary.canceled, summary.skipped, summary.opened), (1, 1, 0));

    let closed = all(
        &org,
        CandidateFilter {
            profile_id: Some(org.profile),
            states: vec![CandidateState::ClosedSkipped, CandidateState::ClosedCanceled],
            ..CandidateFilter::default()
        },
    )
    .await;
    let by_id = |id| closed.iter().find(|c| c.id == id).unwrap();
    assert_eq!(by_id(excluded.id).state, CandidateState::ClosedSkipped);
    assert!(
        by_id(excluded.id).note.as_deref().unwrap().contains("Excluded"),
        "{:?}",
        by_id(excluded.id).note
    );
    assert_eq!(by_id(protected.id).state, CandidateState::ClosedSkipped);
    assert!(by_id(protected.id).note.as_deref().unwrap().contains("Protected"));
    assert_eq!(by_id(active.id).state, CandidateState::ClosedCanceled);
    assert!(by_id(active.id).closed_at.is_some());

    // A closed candidate never moves again, and nothing is half-done when one of several cannot move.
    let ready = all(&org, open_for(org.profile)).await;
    let error = reclaim::skip(&org.db, &*org.clock, &[ready[0].id, active.id], "kept").await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert!(error.to_string().contains("Closed Canceled"), "{error}");
    assert_eq!(all(&org, open_for(org.profile)).await.len(), ready.len(), "the first one was not skipped");
    let error = reclaim::skip(&org.db, &*org.clock, &[ready[0].id], "  ").await.unwrap_err();
    assert_eq!(error.field(), Some("reason"));

    // Removing the exclusion does not reopen the closed candidate: a new one opens.
    let rules = sync::list_exclusion_rules(&org.db, org.profile).await.unwrap();
    sync::delete_exclusion_rule(&org.db, sync::ExclusionKind::User, rules.user_rules[0].id).await.unwrap();
    let summary = reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    assert_eq!(summary.opened, 1);
    let reopened = all(&org, open_for(org.profile)).await;
    let new = reopened.iter().find(|c| c.user_id == excluded.user_id).unwrap();
    assert_ne!(new.id, excluded.id);
}

#[tokio::test]
async fn the_notify_loop_and_the_answer_deadline() {
    let org = refreshed(47).await;
    reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    let rows = all(&org, open_for(org.profile)).await;
    let (a, b) = (rows[0].id, rows[1].id);
    reclaim::move_candidates(&org.db, &*org.clock, &[a, b], ReviewMove::Notified).await.unwrap();
    reclaim::move_candidates(&org.db, &*org.clock, &[b], ReviewMove::UserKeeps).await.unwrap();
    // Declining an answer that was never given is refused.
    let error = reclaim::move_candidates(&org.db, &*org.clock, &[a], ReviewMove::Declined).await.unwrap_err();
    assert!(error.to_string().contains("Awaiting User"), "{error}");

    // Days before auto-reclamation (14 by default) pass without an answer from a.
    org.clock.advance(chrono::TimeDelta::days(15));
    let summary = reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    assert_eq!(summary.no_answer, 1);
    let now_rows =
        all(&org, CandidateFilter { profile_id: Some(org.profile), ..CandidateFilter::default() }).await;
    let find = |id: i64| now_rows.iter().find(|c| c.id == id).unwrap();
    assert_eq!(find(a).state, CandidateState::Ready);
    assert!(find(a).notified_at.is_some());
    assert_eq!(find(b).state, CandidateState::AwaitingApproval);
    reclaim::move_candidates(&org.db, &*org.clock, &[b], ReviewMove::Declined).await.unwrap();
}

/// An admin's write appears in the event stream as the admin's action; the activity fold counts it
/// for the admin, never for the user whose seat changed, so reclaiming a seat never makes its user
/// look active.
#[tokio::test]
async fn an_admins_write_is_not_the_target_users_activity() {
    let org = refreshed(53).await;
    reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    let target = all(&org, open_for(org.profile)).await.remove(0);
    let activity_of = |rows: &[seatkeeper_core::sync::activity::UserActivity], id: i64| {
        rows.iter().find(|a| a.user_id == id.to_string()).map(|a| a.last_activity_at)
    };
    let before = seatkeeper_core::sync::activity::list_user_activity(&org.db, org.profile).await.unwrap();
    let plan_id = org.sim.sim().org.read().plan_id.unwrap();
    let (admin_id, events_before) = {
        let sim = org.sim.sim();
        let o = sim.org.read();
        (o.users[o.admin_idx].id, sim.log.read().visible().len())
    };
    org.client
        .downgrade_user(target.user_id, plan_id, seatkeeper_core::smartsheet::DowngradeSeat::Contributor)
        .await
        .unwrap();
    assert_eq!(org.sim.sim().log.read().visible().len(), events_before + 1, "the write is an event");
    let context = RunContext {
        db: &org.db,
        client: &org.client,
        profile_id: org.profile,
        clock: &*org.clock,
        options: &SyncOptions::default(),
        progress: &sync::no_progress,
        cancel: &CancellationToken::new(),
    };
    let result = jobs::run(JobKind::Events, context).await.unwrap();
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert!(result.events_read >= 1);
    let after = seatkeeper_core::sync::activity::list_user_activity(&org.db, org.profile).await.unwrap();
    assert_eq!(activity_of(&after, target.user_id), activity_of(&before, target.user_id));
    let admin_last = activity_of(&after, admin_id).expect("the admin's own activity");
    assert!(org.sim.sim().now() - admin_last < chrono::TimeDelta::minutes(1), "{admin_last}");
}

/// Every candidate read window after window in `sort`, `descending` (windows of 7).
async fn walk(
    org: &Org,
    filter: &CandidateFilter,
    sort: CandidateSort,
    descending: bool,
) -> Vec<RemovalCandidate> {
    let mut rows = Vec::new();
    loop {
        let request = CandidatePageRequest {
            filter: filter.clone(),
            sort,
            descending,
            offset: rows.len() as i64,
            limit: 7,
        };
        let page = reclaim::list_candidates(&org.db, &*org.clock, &request).await.unwrap();
        if page.rows.is_empty() {
            assert_eq!(
                page.total,
                rows.len() as i64,
                "{sort:?} {descending}: the total counts what the windows hold"
            );
            return rows;
        }
        assert!(page.rows.len() <= 7);
        rows.extend(page.rows);
    }
}

#[tokio::test]
async fn windows_hold_every_candidate_once_in_every_order_and_filter() {
    let org = refreshed(43).await;
    let open = all(&org, open_for(org.profile)).await;
    assert!(open.len() >= 20, "enough candidates to sort: {}", open.len());
    // Some candidates in other states: two skipped (closed), two notified (Awaiting User).
    reclaim::skip(&org.db, &*org.clock, &[open[1].id, open[5].id], "kept").await.unwrap();
    reclaim::move_candidates(&org.db, &*org.clock, &[open[2].id, open[8].id], ReviewMove::Notified)
        .await
        .unwrap();
    let every_state = CandidateFilter {
        states: vec![
            CandidateState::Ready,
            CandidateState::AwaitingUser,
            CandidateState::AwaitingApproval,
            CandidateState::AwaitingRevocation,
            CandidateState::AttentionRequired,
            CandidateState::ClosedComplete,
            CandidateState::ClosedSkipped,
            CandidateState::ClosedCanceled,
        ],
        ..open_for(org.profile)
    };
    let reference = walk(&org, &every_state, CandidateSort::Opened, false).await;
    let ids: BTreeSet<i64> = reference.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), reference.len(), "no candidate twice");
    assert!(open.iter().all(|c| ids.contains(&c.id)), "the open ones among them");

    // Each order, both ways: every candidate once, in the order's key (then id), as the test reads it.
    let state_key =
        |c: &RemovalCandidate| serde_json::to_value(c.state).unwrap().as_str().unwrap().to_owned();
    for sort in [
        CandidateSort::InactiveDays,
        CandidateSort::User,
        CandidateSort::Model,
        CandidateSort::State,
        CandidateSort::Opened,
    ] {
        for descending in [false, true] {
            let rows = walk(&org, &every_state, sort, descending).await;
            let got: Vec<i64> = rows.iter().map(|c| c.id).collect();
            assert_eq!(
                got.iter().copied().collect::<BTreeSet<_>>(),
                ids,
                "{sort:?} {descending}: every candidate"
            );
            assert_eq!(got.len(), ids.len(), "{sort:?} {descending}: each once");
            let ordered = rows.windows(2).all(|w| {
                let (a, b) = (&w[0], &w[1]);
                let keys = match sort {
                    // Sorted on the exact time since inactive: whole days are only ever in order.
                    CandidateSort::InactiveDays => {
                        return if descending {
                            a.inactive_days >= b.inactive_days
                        } else {
                            a.inactive_days <= b.inactive_days
                        };
                    }
                    CandidateSort::User => a.email.to_lowercase().cmp(&b.email.to_lowercase()),
                    // No model (none here) would come first in ascending order.
                    CandidateSort::Model => a.model_name.cmp(&b.model_name),
                    CandidateSort::State => state_key(a).cmp(&state_key(b)),
                    CandidateSort::Opened => a.opened_at.cmp(&b.opened_at),
                };
                let keys = if descending { keys.reverse() } else { keys };
                keys.then(a.id.cmp(&b.id)).is_lt()
            });
            assert!(ordered, "{sort:?} {descending}: {got:?}");
        }
    }

    // Each filter: what the windows hold is what the test picks from the whole list.
    let model = reference.iter().find_map(|c| c.model_id).unwrap();
    let search = "an";
    type Keep = Box<dyn Fn(&RemovalCandidate) -> bool>;
    let cases: Vec<(CandidateFilter, Keep)> = vec![
        (open_for(org.profile), Box::new(|c| !c.state.is_closed())),
        (
            CandidateFilter { states: vec![CandidateState::ClosedSkipped], ..open_for(org.profile) },
            Box::new(|c| c.state == CandidateState::ClosedSkipped),
        ),
        (
            CandidateFilter { model_id: Some(model), ..every_state.clone() },
            Box::new(move |c| c.model_id == Some(model)),
        ),
        (
            CandidateFilter { justification: Some(Justification::LowUsage), ..every_state.clone() },
            Box::new(|c| c.justification == Justification::LowUsage),
        ),
        (
            CandidateFilter { min_inactive_days: Some(100), ..every_state.clone() },
            Box::new(|c| c.inactive_days >= 100),
        ),
        (
            CandidateFilter { search: search.to_uppercase(), ..every_state.clone() },
            Box::new(move |c| {
                c.email.to_lowercase().contains(search)
                    || c.name.as_deref().unwrap_or("").to_lowercase().contains(search)
            }),
        ),
        (CandidateFilter { profile_id: Some(org.profile + 1), ..every_state.clone() }, Box::new(|_| false)),
    ];
    for (filter, keep) in cases {
        let want: BTreeSet<i64> = reference.iter().filter(|c| keep(c)).map(|c| c.id).collect();
        for sort in [CandidateSort::InactiveDays, CandidateSort::User] {
            let got: Vec<i64> = walk(&org, &filter, sort, true).await.iter().map(|c| c.id).collect();
            assert_eq!(got.len(), want.len(), "{filter:?}: each once");
            assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), want, "{filter:?} by {sort:?}");
        }
    }
}
