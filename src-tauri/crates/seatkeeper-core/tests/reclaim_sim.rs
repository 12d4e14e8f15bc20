//! Reclaiming against a simulated organization, end to end: nothing is written without the
//! admin's confirmation; a confirmed reclaim changes the simulated seat, is audited before and
//! after, is seen by the next refresh and can be undone; a user active again is not reclaimed;
//! Smartsheet's refusals become Attention Required with words an admin can act on; lost answers,
//! rate-limit storms and a process killed mid-write leave no double and no missing action.

use seatkeeper_core::jobs::{JobKind, JobStatus};
use seatkeeper_core::reclaim::{
    self, AuditFilter, AuditOutcome, AuditRecord, CandidateFilter, CandidatePageRequest, CandidateSort,
    CandidateState, ReclaimAction, RemovalCandidate, RuleInput, SeatAction,
};
use seatkeeper_core::services::update_profile;
use seatkeeper_core::{Clock, ErrorCode};
use seatkeeper_testsupport::{self as support, Org};
use smartsheet_sim::config::FaultSpec;
use smartsheet_sim::org::{Seat, SimUser, Status};
use smartsheet_sim::SimConfig;

fn config(seed: u64, legacy: bool) -> SimConfig {
    SimConfig { legacy, ..support::sim_config(seed, 250, 120) }
}

/// A published profile whose subscriptions and activity were refreshed (and so its candidates
/// computed).
async fn refreshed(config: SimConfig) -> Org {
    let org = Org::published(config).await;
    refresh(&org).await;
    org
}

async fn refresh(org: &Org) {
    for kind in [JobKind::Subscriptions, JobKind::Events] {
        let result = org.run(kind).await;
        assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    }
}

async fn candidates(org: &Org, states: Vec<CandidateState>) -> Vec<RemovalCandidate> {
    let request = CandidatePageRequest {
        filter: CandidateFilter { profile_id: Some(org.profile), states, ..CandidateFilter::default() },
        sort: CandidateSort::User,
        descending: false,
        offset: 0,
        limit: 1000,
    };
    reclaim::list_candidates(&org.db, &*org.clock, &request).await.unwrap().rows
}

async fn ready(org: &Org) -> Vec<RemovalCandidate> {
    candidates(org, vec![CandidateState::Ready]).await
}

async fn candidate(org: &Org, id: i64) -> RemovalCandidate {
    candidates(org, CandidateState::ALL.to_vec()).await.into_iter().find(|c| c.id == id).unwrap()
}

async fn audit(org: &Org) -> Vec<AuditRecord> {
    let filter = AuditFilter { profile_id: Some(org.profile), ..AuditFilter::default() };
    reclaim::list_audit(&org.db, org.clock.now(), &filter, 0, 1000).await.unwrap().rows
}

fn sim_user(org: &Org, id: i64) -> SimUser {
    let sim = org.sim.sim().org.read();
    sim.users[sim.user_index(id).unwrap()].clone()
}

fn change_sim_user(org: &Org, id: i64, change: impl FnOnce(&mut SimUser)) {
    let mut sim = org.sim.sim().org.write();
    let idx = sim.user_index(id).unwrap();
    change(&mut sim.users[idx]);
}

/// Every user's seat, license, roles and status, to prove that nothing was written.
fn seats(org: &Org) -> Vec<(i64, Seat, bool, bool, bool, Status)> {
    let sim = org.sim.sim().org.read();
    sim.users
        .iter()
        .map(|u| (u.id, u.seat, u.licensed_sheet_creator, u.group_admin, u.resource_viewer, u.status))
        .collect()
}

fn ids(candidates: &[RemovalCandidate]) -> Vec<i64> {
    candidates.iter().map(|c| c.id).collect()
}

async fn set_action(org: &Org, action: ReclaimAction) {
    for rule in reclaim::list_rules(&org.db, org.profile).await.unwrap().into_iter().filter(|r| r.paid) {
        let input = RuleInput { reclaim_action: action, ..RuleInput::defaults() };
        reclaim::update_rule(&org.db, &*org.clock, rule.id, input).await.unwrap();
    }
}

#[tokio::test]
async fn nothing_is_written_without_a_valid_confirmation() {
    let org = refreshed(config(51, false)).await;
    let open = ready(&org).await;
    assert!(open.len() >= 5, "the organization has candidates: {}", open.len());
    let before = seats(&org);

    // The job with nothing confirmed writes nothing.
    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(result.candidates_reclaimed, 0);

    // A closed candidate in the selection: refused, all or nothing.
    reclaim::skip(&org.db, &*org.clock, &[open[0].id], "kept for the audit").await.unwrap();
    let err = reclaim::confirm(&org.db, &*org.clock, &[open[1].id, open[0].id], "alice").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains(&open[0].email) && err.to_string().contains("Closed Skipped"), "{err}");
    assert_eq!(candidate(&org, open[1].id).await.state, CandidateState::Ready);

    // A candidate that does not exist.
    let err = reclaim::confirm(&org.db, &*org.clock, &[open[1].id, 999_999], "alice").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let err = reclaim::confirm(&org.db, &*org.clock, &[], "alice").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);

    // Report-only: Reclaim subscriptions cleared. The dry run says why; confirming is refused.
    let mut input = support::profile_input("Acme", true);
    input.reclaim_subscriptions = false;
    update_profile(&org.db, &*org.clock, org.profile, input.clone()).await.unwrap();
    let preview = reclaim::preview(&org.db, &*org.clock, &[open[1].id]).await.unwrap();
    assert!(preview.items.is_empty());
    assert!(preview.refused[0].reason.contains("Reclaim subscriptions is cleared"), "{:?}", preview.refused);
    let err = reclaim::confirm(&org.db, &*org.clock, &[open[1].id], "alice").await.unwrap_err();
    assert!(err.to_string().contains("reported only"), "{err}");

    // A Draft profile (clearing Download activity returns it to Draft).
    input.reclaim_subscriptions = true;
    input.download_activity = false;
    update_profile(&org.db, &*org.clock, org.profile, input).await.unwrap();
    let err = reclaim::confirm(&org.db, &*org.clock, &[open[1].id], "alice").await.unwrap_err();
    assert!(err.to_string().contains("is a Draft"), "{err}");

    assert_eq!(seats(&org), before, "no seat changed");
    assert!(audit(&org).await.is_empty(), "no write was audited");
    assert_eq!(candidate(&org, open[1].id).await.state, CandidateState::Ready);
}

#[tokio::test]
async fn a_reclaim_frees_the_seat_is_audited_seen_by_the_next_refresh_and_undone() {
    let org = refreshed(config(52, false)).await;
    let open = ready(&org).await;
    // Four candidates, with an external user among them when there is one (GUEST, not CONTRIBUTOR).
    let mut chosen: Vec<RemovalCandidate> =
        open.iter().filter(|c| c.is_internal == Some(false)).take(1).cloned().collect();
    chosen.extend(open.iter().filter(|c| c.is_internal != Some(false)).take(4 - chosen.len()).cloned());
    let chosen_ids = ids(&chosen);
    let untouched: Vec<i64> =
        open.iter().filter(|c| !chosen_ids.contains(&c.id)).map(|c| c.user_id).collect();
    let free_seat = |c: &RemovalCandidate| if c.is_internal == Some(false) { "GUEST" } else { "CONTRIBUTOR" };

    let preview = reclaim::preview(&org.db, &*org.clock, &chosen_ids).await.unwrap();
    assert!(preview.refused.is_empty(), "{:?}", preview.refused);
    assert_eq!(preview.items.len(), 4);
    for item in &preview.items {
        let c = chosen.iter().find(|c| c.id == item.candidate_id).unwrap();
        assert_eq!((item.seat_before.as_str(), item.seat_after.as_str()), ("MEMBER", free_seat(c)));
        assert_eq!(item.action, SeatAction::Downgrade);
    }

    let confirmation = reclaim::confirm(&org.db, &*org.clock, &chosen_ids, "alice").await.unwrap();
    assert_eq!((confirmation.confirmed, confirmation.job_ids.len()), (4, 1));
    for id in &chosen_ids {
        let c = candidate(&org, *id).await;
        assert_eq!((c.state, c.approved_by.as_deref()), (CandidateState::AwaitingRevocation, Some("alice")));
        // Confirming wrote nothing yet.
        assert_eq!(sim_user(&org, c.user_id).seat, Seat::Member);
    }

    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(
        (result.candidates_reclaimed, result.candidates_canceled, result.candidates_failed),
        (4, 0, 0)
    );
    for c in &chosen {
        let user = sim_user(&org, c.user_id);
        assert_eq!(user.seat, if c.is_internal == Some(false) { Seat::Guest } else { Seat::Contributor });
        assert_eq!(candidate(&org, c.id).await.state, CandidateState::ClosedComplete);
    }
    for user_id in untouched {
        assert_eq!(sim_user(&org, user_id).seat, Seat::Member, "an unconfirmed candidate was not touched");
    }
    // Until the next refresh reads the new seats, the subscriptions still show the old ones: a
    // computation meanwhile opens no candidate for them.
    let summary = reclaim::compute(&org.db, &*org.clock, org.profile).await.unwrap();
    assert_eq!(summary.opened, 0);
    let reopened = ready(&org).await;
    assert!(chosen.iter().all(|c| reopened.iter().all(|r| r.subscription_id != c.subscription_id)));

    let records = audit(&org).await;
    assert_eq!(records.len(), 4);
    for r in &records {
        let c =
            chosen.iter().find(|c| Some(c.id) == r.candidate_id).expect("each record names its candidate");
        assert_eq!(r.outcome, Some(AuditOutcome::Succeeded));
        assert_eq!((r.seat_before.as_str(), r.seat_after.as_str()), ("MEMBER", free_seat(c)));
        assert_eq!((r.confirmed_by.as_str(), r.job_result_id), ("alice", Some(result.id)));
        assert!(r.request.contains("/downgrade"), "{}", r.request);
        assert!(!r.request.contains(&org.sim.tokens().admin), "no credential in the audit log");
        assert_eq!(r.undo_blocked, None);
    }

    // The next refresh reads the new seats; no candidate opens for them again.
    refresh(&org).await;
    let again = candidates(&org, vec![CandidateState::Ready]).await;
    assert!(again.iter().all(|c| !chosen.iter().any(|x| x.user_id == c.user_id)));
    let subscriptions =
        seatkeeper_core::sync::list_subscriptions(&org.db, &*org.clock, org.profile).await.unwrap();
    for c in &chosen {
        let s = subscriptions.iter().find(|s| s.user_id == c.user_id.to_string()).unwrap();
        assert_eq!(s.identifier, free_seat(c));
    }

    // Undo gives the seat back, audited itself; twice is refused.
    let first = records.iter().find(|r| r.seat_after == "CONTRIBUTOR").unwrap();
    let undo = reclaim::undo(&org.db, &*org.secrets, &*org.clock, &support::fast_options(), first.id, "bob")
        .await
        .unwrap();
    assert_eq!(
        (undo.action, undo.outcome, undo.undo_of),
        (SeatAction::Upgrade, Some(AuditOutcome::Succeeded), Some(first.id))
    );
    assert_eq!(
        (undo.seat_before.as_str(), undo.seat_after.as_str(), undo.confirmed_by.as_str()),
        ("CONTRIBUTOR", "MEMBER", "bob")
    );
    assert_eq!(sim_user(&org, first.user_id).seat, Seat::Member);
    let err = reclaim::undo(&org.db, &*org.secrets, &*org.clock, &support::fast_options(), first.id, "bob")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Already undone"), "{err}");
    let err = reclaim::undo(&org.db, &*org.secrets, &*org.clock, &support::fast_options(), undo.id, "bob")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("itself an undo"), "{err}");

    // A seat changed by someone else since is not overwritten by undo.
    let second = records.iter().find(|r| r.id != first.id && r.seat_after == "CONTRIBUTOR").unwrap();
    change_sim_user(&org, second.user_id, |u| u.seat = Seat::Member);
    let err = reclaim::undo(&org.db, &*org.secrets, &*org.clock, &support::fast_options(), second.id, "bob")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("changed since"), "{err}");
    assert_eq!(audit(&org).await.len(), 5, "the refused undo wrote nothing");
}

#[tokio::test]
async fn a_user_active_again_is_not_reclaimed_and_a_token_without_admin_rights_writes_nothing() {
    let org = refreshed(config(53, false)).await;
    let open = ready(&org).await;
    let (active, idle, later) = (&open[0], &open[1], &open[2]);
    reclaim::confirm(&org.db, &*org.clock, &[active.id, idle.id], "alice").await.unwrap();
    // Between review and reclaim, the user signs in.
    let now = org.sim.sim().now();
    change_sim_user(&org, active.user_id, |u| u.last_login = Some(now));

    let result = org.run(JobKind::Reclaim).await;
    assert_eq!((result.candidates_reclaimed, result.candidates_canceled), (1, 1));
    let c = candidate(&org, active.id).await;
    assert_eq!(c.state, CandidateState::ClosedCanceled);
    assert!(c.note.as_deref().unwrap_or_default().contains("Active again"), "{:?}", c.note);
    assert_eq!(sim_user(&org, active.user_id).seat, Seat::Member);
    assert!(audit(&org).await.iter().all(|r| r.user_id != active.user_id), "no write for the active user");
    assert_ne!(sim_user(&org, idle.user_id).seat, Seat::Member);

    // The token's owner lost System Admin since validation: the run writes nothing and gives the
    // candidates back to Ready with the reason.
    reclaim::confirm(&org.db, &*org.clock, &[later.id], "alice").await.unwrap();
    let owner = {
        let sim = org.sim.sim().org.read();
        sim.users[sim.admin_idx].id
    };
    change_sim_user(&org, owner, |u| u.admin = false);
    let before = seats(&org);
    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.status, JobStatus::Failed);
    assert!(
        result.error_message.as_deref().unwrap_or_default().contains("no longer a System Admin"),
        "{:?}",
        result.error_message
    );
    assert_eq!(seats(&org), before);
    let c = candidate(&org, later.id).await;
    assert_eq!(c.state, CandidateState::Ready);
    assert!(c.note.as_deref().unwrap_or_default().contains("no longer a System Admin"));
}

#[tokio::test]
async fn smartsheet_refusals_need_the_admins_attention_in_words_they_can_act_on() {
    let org = refreshed(config(54, false)).await;
    set_action(&org, ReclaimAction::Deactivate).await;
    // Members of the organization (Smartsheet deactivates only its own account's users).
    let open: Vec<_> = ready(&org).await.into_iter().filter(|c| c.is_internal == Some(true)).collect();
    let (managed, gone_quiet, plain) = (&open[0], &open[1], &open[2]);
    // A user managed by a directory integration (Smartsheet refuses to deactivate them), and one
    // deactivated in Smartsheet since the review.
    change_sim_user(&org, managed.user_id, |u| u.directory_managed = true);
    let preview = reclaim::preview(&org.db, &*org.clock, &[plain.id]).await.unwrap();
    assert_eq!(
        (preview.items[0].action, preview.items[0].seat_after.as_str()),
        (SeatAction::Deactivate, "DEACTIVATED")
    );
    assert!(preview.items[0].also.as_deref().unwrap_or_default().contains("can no longer sign in"));
    reclaim::confirm(&org.db, &*org.clock, &[managed.id, gone_quiet.id, plain.id], "alice").await.unwrap();
    change_sim_user(&org, gone_quiet.user_id, |u| {
        u.status = Status::Deactivated;
        u.deactivated_at = Some(u.seat_changed_at);
    });

    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!((result.candidates_reclaimed, result.candidates_failed), (2, 1));
    let c = candidate(&org, managed.id).await;
    assert_eq!(c.state, CandidateState::AttentionRequired);
    let note = c.note.unwrap_or_default();
    assert!(note.contains("5697") && note.contains("directory"), "{note}");
    let record = audit(&org).await.into_iter().find(|r| r.user_id == managed.user_id).unwrap();
    assert_eq!((record.outcome, record.error_code), (Some(AuditOutcome::Failed), Some(5697)));
    assert!(record.ref_id.is_some(), "Smartsheet's refId is kept");
    assert!(record.undo_blocked.as_deref().unwrap_or_default().contains("not changed"));
    assert_eq!(candidate(&org, gone_quiet.id).await.state, CandidateState::ClosedComplete);
    assert_eq!(sim_user(&org, plain.user_id).status, Status::Deactivated);

    // Undo of the deactivation: reactivated within Smartsheet's 30 days.
    let record = audit(&org).await.into_iter().find(|r| r.user_id == plain.user_id).unwrap();
    let undo = reclaim::undo(&org.db, &*org.secrets, &*org.clock, &support::fast_options(), record.id, "bob")
        .await
        .unwrap();
    assert_eq!((undo.action, undo.outcome), (SeatAction::Reactivate, Some(AuditOutcome::Succeeded)));
    assert_eq!(sim_user(&org, plain.user_id).status, Status::Active);

    // Resume sends it back to Ready, to be confirmed again once fixed.
    reclaim::move_candidates(&org.db, &*org.clock, &[managed.id], reclaim::ReviewMove::Resumed)
        .await
        .unwrap();
    assert_eq!(candidate(&org, managed.id).await.state, CandidateState::Ready);
}

#[tokio::test]
async fn legacy_reclaim_clears_the_license_and_the_roles_that_need_it_and_undo_gives_them_back() {
    let org = Org::published(config(55, true)).await;
    refresh(&org).await;
    let open = ready(&org).await;
    let target = open[0].clone();
    // A group admin and resource viewer: the unlicensing request clears both roles too.
    change_sim_user(&org, target.user_id, |u| {
        u.group_admin = true;
        u.resource_viewer = true;
    });
    refresh(&org).await;
    let preview = reclaim::preview(&org.db, &*org.clock, &[target.id]).await.unwrap();
    let item = &preview.items[0];
    assert_eq!(
        (item.action, item.seat_before.as_str(), item.seat_after.as_str()),
        (SeatAction::Unlicense, "Licensed", "Unlicensed")
    );
    assert!(
        item.also.as_deref().unwrap_or_default().contains("Group Admin and Resource Viewer"),
        "{:?}",
        item.also
    );

    reclaim::confirm(&org.db, &*org.clock, &[target.id], "alice").await.unwrap();
    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.candidates_reclaimed, 1, "{:?}", result.error_message);
    let user = sim_user(&org, target.user_id);
    assert_eq!(
        (user.licensed_sheet_creator, user.group_admin, user.resource_viewer, user.admin),
        (false, false, false, false)
    );
    let record = audit(&org).await.pop().unwrap();
    assert!(
        record.request.contains(r#""groupAdmin":false"#)
            && record.request.contains(r#""licensedSheetCreator":false"#),
        "{}",
        record.request
    );

    let undo = reclaim::undo(&org.db, &*org.secrets, &*org.clock, &support::fast_options(), record.id, "bob")
        .await
        .unwrap();
    assert_eq!((undo.action, undo.outcome), (SeatAction::Relicense, Some(AuditOutcome::Succeeded)));
    let user = sim_user(&org, target.user_id);
    assert_eq!((user.licensed_sheet_creator, user.group_admin, user.resource_viewer), (true, true, true));
}

/// How many times the user's seat changed in the last day, per Event Reporting.
async fn seat_changes(org: &Org, user_id: i64) -> usize {
    support::seat_changes(&org.client, org.clock.now() - chrono::Duration::days(1), user_id).await
}

#[tokio::test]
async fn lost_answers_and_rate_limit_storms_leave_no_double_and_no_missing_action() {
    let org = refreshed(config(56, false)).await;
    let open = ready(&org).await;
    let batch = |n: usize| open.iter().skip(n * 3).take(3).cloned().collect::<Vec<_>>();
    for (n, faults) in [
        // Applied, then answered 500: the answer is lost.
        FaultSpec { lost_write: 1.0, ..FaultSpec::none() },
        // Applied, then the connection closes without an answer.
        FaultSpec { drop_after_write: 1.0, ..FaultSpec::none() },
        // Of every 4 requests the first 3 are answered 429.
        FaultSpec { storm: Some((4, 3)), ..FaultSpec::none() },
    ]
    .into_iter()
    .enumerate()
    {
        let chosen = batch(n);
        reclaim::confirm(&org.db, &*org.clock, &ids(&chosen), "alice").await.unwrap();
        org.sim.sim().set_faults(faults.clone());
        let result = org.run(JobKind::Reclaim).await;
        org.sim.sim().set_faults(FaultSpec::none());
        assert_eq!(result.status, JobStatus::Succeeded, "{faults:?}: {:?}", result.error_message);
        assert_eq!(result.candidates_reclaimed, 3, "{faults:?}");
        let records = audit(&org).await;
        for c in &chosen {
            assert_eq!(candidate(&org, c.id).await.state, CandidateState::ClosedComplete);
            assert_ne!(sim_user(&org, c.user_id).seat, Seat::Member);
            let mine: Vec<_> = records.iter().filter(|r| r.candidate_id == Some(c.id)).collect();
            assert_eq!(mine.len(), 1, "{faults:?}: one intent per candidate");
            let want = if n < 2 { AuditOutcome::Applied } else { AuditOutcome::Succeeded };
            assert_eq!(mine[0].outcome, Some(want), "{faults:?}");
            assert_eq!(seat_changes(&org, c.user_id).await, 1, "{faults:?}: the seat changed once");
        }
    }
}

#[tokio::test]
async fn a_run_killed_mid_write_is_settled_by_reading_the_seat() {
    let org = refreshed(config(57, false)).await;
    let open = ready(&org).await;
    let (called, not_called) = (&open[0], &open[1]);
    reclaim::confirm(&org.db, &*org.clock, &[called.id, not_called.id], "alice").await.unwrap();
    let plan_id = org.sim.sim().org.read().plan_id.unwrap();
    // What a process killed (kill -9) mid-run leaves: for the first candidate the intent was
    // committed and the downgrade reached Smartsheet; for the second only the intent.
    for (c, call) in [(called, true), (not_called, false)] {
        sqlx::query(
            "INSERT INTO audit_log (profile_id, requested_at, user_id, email, action, seat_before, seat_after, request, \
             confirmed_by, candidate_id, job_result_id) VALUES (?, ?, ?, ?, 'downgrade', 'MEMBER', 'CONTRIBUTOR', ?, 'alice', ?, NULL)",
        )
        .bind(org.profile)
        .bind(org.clock.now())
        .bind(c.user_id)
        .bind(&c.email)
        .bind(format!("POST /users/{}/plans/{plan_id}/downgrade {{\"seatType\":\"CONTRIBUTOR\"}}", c.user_id))
        .bind(c.id)
        .execute(org.db.pool())
        .await
        .unwrap();
        if call {
            org.client
                .downgrade_user(c.user_id, plan_id, seatkeeper_core::smartsheet::DowngradeSeat::Contributor)
                .await
                .unwrap();
        }
    }
    let pending = audit(&org).await;
    assert!(pending
        .iter()
        .all(|r| r.outcome.is_none()
            && r.undo_blocked.as_deref().unwrap_or_default().contains("not known yet")));

    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.status, JobStatus::Succeeded, "{:?}", result.error_message);
    assert_eq!(result.candidates_reclaimed, 2);
    let records = audit(&org).await;
    let of = |c: &RemovalCandidate| {
        let mut mine: Vec<_> = records.iter().filter(|r| r.candidate_id == Some(c.id)).cloned().collect();
        mine.sort_by_key(|r| r.id);
        mine.into_iter().map(|r| r.outcome).collect::<Vec<_>>()
    };
    // Applied: settled by reading, never written again.
    assert_eq!(of(called), vec![Some(AuditOutcome::Applied)]);
    assert_eq!(seat_changes(&org, called.user_id).await, 1);
    // Not applied: settled, then written once by this run.
    assert_eq!(of(not_called), vec![Some(AuditOutcome::NotApplied), Some(AuditOutcome::Succeeded)]);
    assert_eq!(seat_changes(&org, not_called.user_id).await, 1);
    for c in [called, not_called] {
        assert_eq!(candidate(&org, c.id).await.state, CandidateState::ClosedComplete);
        assert_eq!(sim_user(&org, c.user_id).seat, Seat::Contributor);
    }
}

#[tokio::test]
async fn automatic_reclaim_confirms_only_the_rules_that_ask_for_it_and_writes_only_through_the_job() {
    let org = refreshed(config(58, false)).await;
    let open = ready(&org).await;
    assert!(!open.is_empty());
    // Off by default: a refresh leaves the candidates Ready.
    refresh(&org).await;
    assert_eq!(ready(&org).await.len(), open.len());

    for rule in reclaim::list_rules(&org.db, org.profile).await.unwrap().into_iter().filter(|r| r.paid) {
        let input = RuleInput { auto_reclaim: true, ..RuleInput::defaults() };
        reclaim::update_rule(&org.db, &*org.clock, rule.id, input).await.unwrap();
    }
    // Not on a report-only profile.
    let mut input = support::profile_input("Acme", true);
    input.reclaim_subscriptions = false;
    update_profile(&org.db, &*org.clock, org.profile, input.clone()).await.unwrap();
    refresh(&org).await;
    assert_eq!(ready(&org).await.len(), open.len());

    input.reclaim_subscriptions = true;
    update_profile(&org.db, &*org.clock, org.profile, input).await.unwrap();
    let before = seats(&org);
    refresh(&org).await;
    // The refresh confirmed them, and wrote nothing itself.
    assert_eq!(seats(&org), before);
    let waiting = candidates(&org, vec![CandidateState::AwaitingRevocation]).await;
    assert_eq!(ids(&waiting), ids(&open));
    assert!(waiting.iter().all(|c| c
        .approved_by
        .as_deref()
        .unwrap_or_default()
        .ends_with("(automatic reclaim)")));

    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.candidates_reclaimed, open.len() as i64, "{:?}", result.error_message);
    assert!(open.iter().all(|c| sim_user(&org, c.user_id).seat != Seat::Member));
}

#[tokio::test]
async fn protected_or_excluded_after_confirming_is_never_written_and_protect_is_all_or_nothing() {
    let org = refreshed(config(59, false)).await;
    let open = ready(&org).await;
    let (protected, excluded, pending, kept) = (&open[0], &open[1], &open[2], &open[3]);
    reclaim::confirm(&org.db, &*org.clock, &[protected.id, excluded.id, pending.id], "alice").await.unwrap();

    // Protecting a candidate being reclaimed is refused, and nobody in the selection is protected.
    let err =
        reclaim::protect_candidates(&org.db, &*org.clock, &[kept.id, pending.id], "CFO").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains(&pending.email), "{err}");
    assert!(reclaim::list_protected(&org.db, org.profile).await.unwrap().is_empty());
    // Protecting Ready candidates closes them; protecting twice adds nothing.
    assert_eq!(reclaim::protect_candidates(&org.db, &*org.clock, &[kept.id], "CFO").await.unwrap(), 1);
    assert_eq!(candidate(&org, kept.id).await.state, CandidateState::ClosedSkipped);
    let list = reclaim::list_protected(&org.db, org.profile).await.unwrap();
    assert_eq!(
        (list.len(), list[0].pattern.as_str(), list[0].note.as_str()),
        (1, kept.email.to_lowercase().as_str(), "CFO")
    );

    // After the confirmation, one user is protected (by the Protected users list) and one excluded.
    reclaim::add_protected(
        &org.db,
        &*org.clock,
        org.profile,
        reclaim::ProtectedUserInput { pattern: protected.email.clone(), note: "board".into() },
    )
    .await
    .unwrap();
    seatkeeper_core::sync::save_user_exclusion(
        &org.db,
        &*org.clock,
        org.profile,
        seatkeeper_core::sync::UserExclusionInput { id: None, pattern: excluded.email.clone(), active: true },
    )
    .await
    .unwrap();
    let result = org.run(JobKind::Reclaim).await;
    assert_eq!((result.candidates_reclaimed, result.candidates_failed), (1, 2), "{:?}", result.error_message);
    for (c, why) in [(protected, "protected"), (excluded, "excluded")] {
        let c2 = candidate(&org, c.id).await;
        assert_eq!(c2.state, CandidateState::AttentionRequired);
        assert!(c2.note.as_deref().unwrap_or_default().contains(why), "{:?}", c2.note);
        assert_eq!(sim_user(&org, c.user_id).seat, Seat::Member, "never written");
    }
    assert_eq!(audit(&org).await.len(), 1, "only the third candidate's write");
}

/// The re-read before a write looks the user up by e-mail (one request); a user whose address
/// changed since the refresh is found by id, and still reclaimed — never taken for "already free".
#[tokio::test]
async fn a_user_whose_address_changed_since_the_refresh_is_still_read_and_reclaimed() {
    let org = refreshed(config(60, false)).await;
    let c = ready(&org).await.into_iter().find(|c| c.is_internal == Some(true)).unwrap();
    reclaim::confirm(&org.db, &*org.clock, &[c.id], "alice").await.unwrap();
    change_sim_user(&org, c.user_id, |u| u.email = format!("renamed.{}", u.email));
    let result = org.run(JobKind::Reclaim).await;
    assert_eq!(result.candidates_reclaimed, 1, "{:?}", result.error_message);
    assert_eq!(sim_user(&org, c.user_id).seat, Seat::Contributor);
    let record = audit(&org).await.pop().unwrap();
    assert_eq!((record.outcome, record.seat_before.as_str()), (Some(AuditOutcome::Succeeded), "MEMBER"));
}
