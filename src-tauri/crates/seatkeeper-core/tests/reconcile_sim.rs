//! Reconciliation on a simulated organization. The figures per model are checked against values
//! this test computes itself from the simulator's own state (its users' seats, licenses, status,
//! last logins and events) and from the entitlements it created: entitlements above and below
//! use, an expired one, one in another currency, an exclusion, inactive users, seats reclaimed and
//! one undone, several models, USM and legacy plans. Each run is kept as a snapshot.

use std::collections::BTreeMap;

use chrono::Duration;
use seatkeeper_core::jobs::{JobKind, JobSchedule, JobStatus};
use seatkeeper_core::reclaim::{
    self, AuditFilter, CandidateFilter, CandidatePageRequest, CandidateSort, CandidateState,
};
use seatkeeper_core::reconcile::{
    self, BillingPeriod, Compliance, EntitlementInput, ModelReconciliation, Reconciliation, Trigger,
};
use seatkeeper_core::services::get_profile;
use seatkeeper_core::sync::{self, UserExclusionInput};
use seatkeeper_core::{Clock, ErrorCode};
use seatkeeper_testsupport::{self as support, Org};
use smartsheet_sim::org::{Seat, Status};
use smartsheet_sim::SimConfig;

fn config(seed: u64, legacy: bool) -> SimConfig {
    SimConfig { legacy, ..support::sim_config(seed, 250, 120) }
}

async fn refresh(org: &Org) {
    for kind in [JobKind::Subscriptions, JobKind::Events] {
        let result = org.run(kind).await;
        assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    }
}

/// What the test expects of one model, from the simulator alone.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Usage {
    used: i64,
    excluded: i64,
    active: i64,
    /// Its seats, excluded ones included, by days since the last activity: under 30, 30–60,
    /// 60–90, 90–120, 120 and more, never.
    by_days: [i64; 6],
}

/// identifier → usage: users listed (in the plan; legacy: in the organization) and not deactivated
/// hold a seat (USM: their seat
/// type; legacy: Licensed / Unlicensed); `excluded` emails are counted apart; a user is active
/// when the later of their last login and their last event since the analysis start is less than
/// 60 days old. `by_days` counts every seat, excluded ones too.
async fn expected(org: &Org, legacy: bool, excluded: &[String]) -> BTreeMap<&'static str, Usage> {
    let now = org.clock.now();
    let last_event = support::last_events(org).await;
    let sim = org.sim.sim().org.read();
    let mut out: BTreeMap<&'static str, Usage> = BTreeMap::new();
    // Smartsheet lists a plan's users (USM), or the organization's (legacy: no plan).
    let listed = |u: &&smartsheet_sim::org::SimUser| if legacy { u.in_org } else { u.in_plan };
    for user in sim.users.iter().filter(listed).filter(|u| u.status != Status::Deactivated) {
        let identifier = match (legacy, user.seat) {
            (true, _) if user.licensed_sheet_creator => "Licensed",
            (true, _) => "Unlicensed",
            (false, Seat::Member) => "MEMBER",
            (false, Seat::ProvisionalMember) => "PROVISIONAL_MEMBER",
            (false, Seat::Contributor) => "CONTRIBUTOR",
            (false, Seat::Guest) => "GUEST",
        };
        let usage = out.entry(identifier).or_default();
        let last = [user.last_login, last_event.get(&user.id).copied()].into_iter().flatten().max();
        let bucket = match last.map(|at| (now - at).num_seconds() as f64 / 86_400.0) {
            None => 5,
            Some(days) => [30.0, 60.0, 90.0, 120.0].iter().take_while(|&&limit| days >= limit).count(),
        };
        usage.by_days[bucket] += 1;
        if excluded.iter().any(|e| e.eq_ignore_ascii_case(&user.email)) {
            usage.excluded += 1;
            continue;
        }
        usage.used += 1;
        if last.is_some_and(|at| now - at < Duration::days(60)) {
            usage.active += 1;
        }
    }
    out
}

async fn model_id(org: &Org, identifier: &str) -> i64 {
    sync::list_models(&org.db, org.profile)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.subscription_identifier.as_deref() == Some(identifier))
        .unwrap_or_else(|| panic!("a model for {identifier}"))
        .id
}

fn entitlement(
    model_id: i64,
    rights: i64,
    cost: &str,
    currency: &str,
    from: &str,
    to: &str,
) -> EntitlementInput {
    EntitlementInput {
        model_id,
        display_name: format!("{rights} seats {from}"),
        purchased_rights: rights,
        unit_cost: cost.into(),
        currency: currency.into(),
        rate: String::new(),
        billing_period: BillingPeriod::Monthly,
        term_start: from.into(),
        term_end: to.into(),
        notes: String::new(),
    }
}

fn row<'a>(run: &'a Reconciliation, identifier: &str) -> &'a ModelReconciliation {
    run.models.iter().find(|m| m.identifier.as_deref() == Some(identifier)).unwrap()
}

async fn open_candidates(org: &Org, model_id: i64) -> i64 {
    let request = CandidatePageRequest {
        filter: CandidateFilter {
            profile_id: Some(org.profile),
            model_id: Some(model_id),
            ..CandidateFilter::default()
        },
        sort: CandidateSort::User,
        descending: false,
        offset: 0,
        limit: 1,
    };
    reclaim::list_candidates(&org.db, &*org.clock, &request).await.unwrap().total
}

/// `YYYY-MM-DD`, `days` from the organization's now.
fn day(org: &Org, days: i64) -> String {
    (org.clock.now() + Duration::days(days)).date_naive().to_string()
}

#[tokio::test]
async fn usm_figures_match_the_organization_and_the_entitlements() {
    let org = Org::published(config(61, false)).await;
    refresh(&org).await;
    let member = model_id(&org, "MEMBER").await;
    let contributor = model_id(&org, "CONTRIBUTOR").await;

    // One member is excluded by a user exclusion rule.
    let excluded_email = {
        let sim = org.sim.sim().org.read();
        let u = sim
            .users
            .iter()
            .find(|u| {
                u.visible() && u.in_plan && u.status == Status::Active && u.seat == Seat::Member && !u.admin
            })
            .unwrap();
        u.email.clone()
    };
    let input = UserExclusionInput { id: None, pattern: excluded_email.clone(), active: true };
    sync::save_user_exclusion(&org.db, &*org.clock, org.profile, input).await.unwrap();

    let before = expected(&org, false, std::slice::from_ref(&excluded_email)).await;
    let members = before["MEMBER"];
    assert!(
        members.used > 30 && members.used > members.active,
        "an organization with idle members: {members:?}"
    );

    // Members: 25.00 USD a month for (used − 10) seats, 5 more in EUR at 240.00 a year (rate 1.10
    // → 22.00 USD a month), and an expired entitlement that no longer counts. Contributors (free):
    // 20 more rights than used, at no cost.
    let below = members.used - 10;
    reconcile::create_entitlement(
        &org.db,
        &*org.clock,
        org.profile,
        entitlement(member, below, "25.00", "USD", &day(&org, -100), &day(&org, 265)),
    )
    .await
    .unwrap();
    let mut euro = entitlement(member, 5, "240.00", "EUR", &day(&org, -30), &day(&org, 335));
    euro.billing_period = BillingPeriod::Annual;
    // Without a rate, another currency is refused on its field, and nothing is saved.
    let err =
        reconcile::create_entitlement(&org.db, &*org.clock, org.profile, euro.clone()).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (ErrorCode::Validation, Some("rate")));
    assert!(err.to_string().contains("USD"), "{err}");
    euro.rate = "1.10".into();
    reconcile::create_entitlement(&org.db, &*org.clock, org.profile, euro).await.unwrap();
    reconcile::create_entitlement(
        &org.db,
        &*org.clock,
        org.profile,
        entitlement(member, 1000, "30.00", "USD", &day(&org, -500), &day(&org, -135)),
    )
    .await
    .unwrap();
    let contributors = before["CONTRIBUTOR"];
    reconcile::create_entitlement(
        &org.db,
        &*org.clock,
        org.profile,
        entitlement(contributor, contributors.used + 20, "0", "USD", &day(&org, -100), &day(&org, 265)),
    )
    .await
    .unwrap();
    assert_eq!(
        reconcile::list_entitlements(&org.db, &*org.clock, Some(org.profile), None).await.unwrap().len(),
        4
    );

    // The unit cost: (below × 25.00 + 5 × 22.00) / (below + 5), in cents.
    let unit = ((below * 2500 + 5 * 2200) as f64 / (below + 5) as f64).round() as i64;

    // Reclaim three Ready members, then undo one of them; refresh to read the new seats.
    let ready: Vec<i64> = {
        let request = CandidatePageRequest {
            filter: CandidateFilter {
                profile_id: Some(org.profile),
                model_id: Some(member),
                states: vec![CandidateState::Ready],
                ..CandidateFilter::default()
            },
            sort: CandidateSort::User,
            descending: false,
            offset: 0,
            limit: 3,
        };
        reclaim::list_candidates(&org.db, &*org.clock, &request)
            .await
            .unwrap()
            .rows
            .iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(ready.len(), 3);
    reclaim::confirm(&org.db, &*org.clock, &ready, "alice").await.unwrap();
    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.candidates_reclaimed, 3, "{:?}", result.error_message);
    let audit = reclaim::list_audit(
        &org.db,
        org.clock.now(),
        &AuditFilter { profile_id: Some(org.profile), ..AuditFilter::default() },
        0,
        100,
    )
    .await
    .unwrap()
    .rows;
    reclaim::undo(&org.db, &*org.secrets, &*org.clock, &support::fast_options(), audit[0].id, "alice")
        .await
        .unwrap();
    refresh(&org).await;

    let now = expected(&org, false, std::slice::from_ref(&excluded_email)).await;
    assert_eq!(now["MEMBER"].used, members.used - 2, "two seats reclaimed, one given back");
    let run = reconcile::reconcile(&org.db, &*org.clock, org.profile, Trigger::OnDemand).await.unwrap();

    let m = row(&run, "MEMBER");
    let owned = below + 5;
    let want = now["MEMBER"];
    assert_eq!(
        (m.owned, m.used, m.excluded, m.active, m.inactive),
        (owned, want.used, 1, want.active, want.used - want.active)
    );
    let needed = (want.used - owned).max(0);
    assert_eq!(m.compliance, if needed > 0 { Compliance::NotCompliant } else { Compliance::Compliant });
    assert_eq!((m.rights_needed, m.over_licensed), (needed, (owned - want.used).max(0)));
    assert_eq!(m.unit_monthly.as_ref().map(|u| (u.currency.as_str(), u.minor)), Some(("USD", unit)));
    assert_eq!(m.true_up_cost.as_ref().unwrap().minor, needed * unit * 12);
    assert_eq!(m.reclaimed, 2, "three reclaimed, one undone");
    assert_eq!(m.actual_savings.as_ref().unwrap().minor, 2 * unit * 12);
    let open = open_candidates(&org, member).await;
    assert_eq!(m.open_candidates, open);
    assert_eq!(m.potential_savings.as_ref().unwrap().minor, open * unit * 12);

    // The free model: more rights than used, Compliant, over-licensed by 20.
    let c = row(&run, "CONTRIBUTOR");
    let want = now["CONTRIBUTOR"];
    assert_eq!(
        (c.owned, c.used, c.over_licensed, c.compliance),
        (contributors.used + 20, want.used, contributors.used + 20 - want.used, Compliance::Compliant)
    );
    // A free model without entitlements needs no rights.
    let g = row(&run, "GUEST");
    assert_eq!(
        (g.owned, g.used, g.compliance, g.rights_needed),
        (0, now["GUEST"].used, Compliance::Compliant, 0)
    );

    // Removal candidates' savings now come from the entitlements' unit cost.
    let filter = CandidateFilter {
        profile_id: Some(org.profile),
        model_id: Some(member),
        ..CandidateFilter::default()
    };
    let savings = reclaim::savings(&org.db, &*org.clock, &filter, None).await.unwrap();
    assert_eq!(
        savings.monthly.iter().map(|m| (m.currency.as_str(), m.minor)).collect::<Vec<_>>(),
        [("USD", open * unit)]
    );

    // Every run is kept: the ones after each refresh, then this one, oldest first.
    let history = reconcile::list_reconciliations(&org.db, org.profile, 100).await.unwrap();
    assert!(history.len() >= 5, "two refreshes of two jobs each, and on demand: {}", history.len());
    assert!(history.windows(2).all(|w| w[0].run_at <= w[1].run_at));
    assert_eq!(history.last().unwrap(), &run);
    assert_eq!(history[0].trigger, Trigger::Refresh);
    // The first run came before the exclusion rule and any entitlement.
    let first_members = row(&history[0], "MEMBER");
    assert_eq!(
        (first_members.used, first_members.excluded, first_members.owned),
        (members.used + members.excluded, 0, 0)
    );

    // The License Usage view adds the paid models up.
    let usage = reconcile::license_usage(&org.db, &*org.clock, org.profile).await.unwrap();
    assert!(usage.has_data);
    let paid_seats: i64 =
        now.iter().filter(|(id, _)| *id == &"MEMBER").map(|(_, u)| u.used + u.excluded).sum();
    assert_eq!(usage.totals.paid_seats, paid_seats);
    assert_eq!(usage.totals.potential_yearly.iter().map(|m| m.minor).sum::<i64>(), open * unit * 12);
    assert_eq!(usage.totals.potential_monthly.iter().map(|m| m.minor).sum::<i64>(), open * unit);
    assert_eq!(usage.last_activity.iter().map(|b| b.users).collect::<Vec<_>>(), now["MEMBER"].by_days);
    assert_eq!(usage.last_activity.iter().map(|b| b.users).sum::<i64>(), paid_seats);
    // Daily active users: per day, the users with a counted event that day (from the simulator's
    // events, as the fold counts them), for the last 90 days.
    let want_daily = support::daily_active_users(&org).await;
    let since = (org.clock.now() - Duration::days(90)).date_naive();
    let want_daily: Vec<(chrono::NaiveDate, i64)> =
        want_daily.into_iter().filter(|(day, _)| *day >= since).collect();
    assert!(want_daily.len() > 20, "{want_daily:?}");
    assert_eq!(usage.daily_active.iter().map(|d| (d.day, d.users)).collect::<Vec<_>>(), want_daily);
}

#[tokio::test]
async fn legacy_plans_reconcile_licensed_users() {
    let org = Org::published(config(62, true)).await;
    refresh(&org).await;
    let licensed = model_id(&org, "Licensed").await;
    let all = expected(&org, true, &[]).await;
    let want = *all.get("Licensed").unwrap_or_else(|| panic!("licensed users in {all:?}"));
    assert!(want.used > 10, "{want:?}");
    // More rights than licensed users, billed annually.
    let mut input = entitlement(licensed, want.used + 7, "300.00", "USD", &day(&org, -10), &day(&org, 355));
    input.billing_period = BillingPeriod::Annual;
    reconcile::create_entitlement(&org.db, &*org.clock, org.profile, input).await.unwrap();
    let run = reconcile::reconcile(&org.db, &*org.clock, org.profile, Trigger::OnDemand).await.unwrap();
    let m = row(&run, "Licensed");
    assert_eq!((m.owned, m.used, m.active, m.over_licensed), (want.used + 7, want.used, want.active, 7));
    assert_eq!((m.compliance, m.rights_needed), (Compliance::Compliant, 0));
    assert_eq!(m.unit_monthly.as_ref().unwrap().minor, 2500);
    assert_eq!(m.over_licensed_cost.as_ref().unwrap().minor, 7 * 2500 * 12);
    assert_eq!(m.true_up_cost.as_ref().unwrap().minor, 0);
}

#[tokio::test]
async fn the_weekly_job_reconciles_and_names_what_is_not_compliant() {
    let org = Org::published(config(63, false)).await;
    refresh(&org).await;
    let jobs = get_profile(&org.db, org.profile).await.unwrap().jobs;
    let job = jobs
        .iter()
        .find(|j| j.kind == JobKind::Reconcile)
        .expect("publishing creates the reconciliation job");
    assert_eq!((job.name.as_str(), job.schedule), ("Reconcile Acme Subscriptions", JobSchedule::Weekly));
    assert!(job.enabled && job.next_run_at.is_some());

    // Members without entitlements are Not Compliant: the run says so as a warning.
    let result = org.run(JobKind::Reconcile).await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    let warnings = result.warning_text.unwrap_or_default();
    assert!(warnings.contains("Smartsheet Member is Not Compliant"), "{warnings}");
    let history = reconcile::list_reconciliations(&org.db, org.profile, 10).await.unwrap();
    assert_eq!(history.last().unwrap().trigger, Trigger::Schedule);

    // Deleting an entitlement gives the model's cost back to its rule, and frees its currency.
    let member = model_id(&org, "MEMBER").await;
    let e = reconcile::create_entitlement(
        &org.db,
        &*org.clock,
        org.profile,
        entitlement(member, 5, "10.00", "EUR", &day(&org, -1), &day(&org, 30)),
    )
    .await
    .unwrap();
    assert_eq!(e.reporting_currency, "EUR");
    reconcile::delete_entitlements(&org.db, &*org.clock, &[e.id]).await.unwrap();
    let e = reconcile::create_entitlement(
        &org.db,
        &*org.clock,
        org.profile,
        entitlement(member, 5, "10.00", "USD", &day(&org, -1), &day(&org, 30)),
    )
    .await
    .unwrap();
    assert_eq!((e.reporting_currency.as_str(), e.rate), ("USD", None));
    // Deleting is all or nothing.
    let err = reconcile::delete_entitlements(&org.db, &*org.clock, &[e.id, 999_999]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(
        reconcile::list_entitlements(&org.db, &*org.clock, Some(org.profile), None).await.unwrap().len(),
        1
    );
}
