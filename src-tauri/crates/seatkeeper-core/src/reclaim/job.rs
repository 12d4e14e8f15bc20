//! Reclaiming: the dry run ([`preview`]), the admin's confirmation ([`confirm`]: Ready →
//! Awaiting Revocation, nothing written to Smartsheet), and the job "Reclaim `<name>` Subscriptions"
//! ([`run`]) that writes the confirmed seats.
//!
//! The job, for each candidate Awaiting Revocation, in this order:
//! 1. reads the user again (`GET /users/{id}`, and `/plans` on the User Subscription Model): a
//!    user who signed in since the candidate's inactivity began → Closed Canceled; a seat already
//!    free or a user gone → Closed Complete with a note; a user now a System Admin or deactivated
//!    → Attention Required;
//! 2. commits an audit intent;
//! 3. makes the call;
//! 4. records, in one transaction, the outcome, the candidate's new state and the run's counts:
//!    Closed Complete, or Attention Required with Smartsheet's refusal in words an admin can act
//!    on. When the answer is lost (no answer, a server failure), it reads the seat to know.
//!
//! Killed at any moment (kill -9), an intent may be left without an outcome: the next run first
//! reads those users' seats and records what happened (applied or not) before anything else, so no
//! seat is written twice and none is left unaccounted for. Candidates never confirmed are never
//! touched. Cancelled, the run returns the candidates it did not reach to Ready.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::audit::{self, AuditOutcome, Intent, Outcome};
use super::candidates::{candidate_not_found, close, savings, CandidateFilter, SavingsSummary};
use super::money::Money;
use super::protected::covers;
use super::rules::ReclaimAction;
use super::seat::{self, read_seat, SeatAction, SeatNow, SeatWrite};
use super::state::{self, CandidateState, Event};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::jobs::results::{Counts, Recorder};
use crate::jobs::{self, JobEngine, JobKind, RunContext};
use crate::smartsheet::SmartsheetClient;
use crate::sync::{SyncPhase, SyncProgress};

/// The most candidates one confirmation takes.
pub const MAX_CONFIRM: usize = 100_000;

/// The operating-system user running Seatkeeper: who confirmed a reclaim or an undo.
pub fn os_user() -> String {
    let name = whoami::username();
    if name.trim().is_empty() {
        "unknown".into()
    } else {
        name
    }
}

/// What confirming would do to one candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ReclaimPreviewItem {
    pub candidate_id: i64,
    pub profile_id: i64,
    pub profile_name: String,
    pub user_id: i64,
    pub email: String,
    pub name: Option<String>,
    pub model_name: Option<String>,
    pub action: SeatAction,
    /// The seat as the last refresh saw it, and the seat after the reclaim.
    pub seat_before: String,
    pub seat_after: String,
    /// What else the write changes (a legacy group admin's or resource viewer's role).
    pub also: Option<String>,
    pub monthly_savings: Option<Money>,
}

/// A selected candidate that confirming would not take, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ReclaimRefusal {
    pub candidate_id: i64,
    pub email: String,
    pub reason: String,
}

/// The dry run of a reclaim: exactly who is affected and what happens to each, and what it saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ReclaimPreview {
    pub items: Vec<ReclaimPreviewItem>,
    /// Selected candidates that cannot be reclaimed now. Confirming refuses while there are any.
    pub refused: Vec<ReclaimRefusal>,
    /// Of `items`.
    pub savings: SavingsSummary,
}

/// What the candidate, its profile and its rule say, for the dry run and the confirmation.
struct Selected {
    id: i64,
    profile_id: i64,
    profile_name: String,
    published: bool,
    reclaim_subscriptions: bool,
    user_id: i64,
    email: String,
    name: Option<String>,
    model_name: Option<String>,
    identifier: String,
    is_internal: Option<bool>,
    group_admin: bool,
    resource_viewer: bool,
    usm: bool,
    plan_id: Option<i64>,
    action: ReclaimAction,
    state: CandidateState,
    monthly_cost_minor: Option<i64>,
    currency: Option<String>,
}

async fn load_selected(conn: &mut SqliteConnection, ids: &[i64]) -> Result<Vec<Selected>> {
    let json = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let rows = sqlx::query!(
        r#"SELECT c.id AS "id!", c.profile_id, p.display_name AS profile_name, p.status = 'published' AS "published!: bool",
               p.reclaim_subscriptions AS "reclaim_subscriptions: bool", c.user_id, c.email, c.name,
               m.name AS "model_name?", s.identifier, s.is_internal AS "is_internal: bool",
               coalesce(s.is_group_admin, 0) AS "group_admin!: bool",
               coalesce(s.is_resource_viewer, 0) AS "resource_viewer!: bool",
               coalesce(st.plan_model, 'usm') = 'usm' AS "usm!: bool", st.plan_id AS "plan_id?: i64",
               coalesce(r.reclaim_action, 'free_seat') AS "action!: ReclaimAction", c.state AS "state: CandidateState",
               m.unit_monthly_minor AS "monthly_cost_minor?: i64", m.unit_currency AS "currency?: String"
           FROM removal_candidates c
           JOIN profiles p ON p.id = c.profile_id
           JOIN software_subscriptions s ON s.id = c.subscription_id
           LEFT JOIN software_models m ON m.id = c.model_id
           LEFT JOIN reclamation_rules r ON r.model_id = c.model_id
           LEFT JOIN sync_state st ON st.profile_id = c.profile_id
           WHERE c.id IN (SELECT value FROM json_each(?1))
           ORDER BY c.profile_id, lower(c.email), c.id"#,
        json
    )
    .fetch_all(conn)
    .await?;
    let selected: Vec<Selected> = rows
        .into_iter()
        .map(|r| Selected {
            id: r.id,
            profile_id: r.profile_id,
            profile_name: r.profile_name,
            published: r.published,
            reclaim_subscriptions: r.reclaim_subscriptions,
            user_id: r.user_id,
            email: r.email,
            name: r.name,
            model_name: r.model_name,
            identifier: r.identifier,
            is_internal: r.is_internal,
            group_admin: r.group_admin,
            resource_viewer: r.resource_viewer,
            usm: r.usm,
            plan_id: r.plan_id,
            action: r.action,
            state: r.state,
            monthly_cost_minor: r.monthly_cost_minor,
            currency: r.currency,
        })
        .collect();
    if let Some(missing) = ids.iter().find(|id| !selected.iter().any(|s| s.id == **id)) {
        return Err(candidate_not_found(*missing));
    }
    Ok(selected)
}

/// Why `s` cannot be confirmed now (None: it can).
fn refusal(s: &Selected) -> Option<String> {
    if !s.published {
        return Some(format!(
            "“{}” is a Draft. Validate Connection and Publish the profile before reclaiming seats.",
            s.profile_name
        ));
    }
    if !s.reclaim_subscriptions {
        return Some(format!(
            "Reclaim subscriptions is cleared on “{}”, so its candidates are reported only. Select Reclaim \
             subscriptions on the profile to reclaim seats.",
            s.profile_name
        ));
    }
    if s.usm && s.plan_id.is_none() {
        return Some(format!(
            "Seatkeeper does not know the plan of “{}” yet. Run “Refresh {} Subscriptions” first.",
            s.profile_name, s.profile_name
        ));
    }
    state::next(s.state, Event::Confirmed).err().map(|e| e.0)
}

/// The write that confirming would make for `s`, as the last refresh knows the user.
fn planned_write(s: &Selected) -> SeatWrite {
    let now = SeatNow {
        exists: true,
        deactivated: false,
        admin: false,
        seat: s.identifier.clone(),
        in_plan: true,
        is_internal: s.is_internal,
        group_admin: s.group_admin,
        resource_viewer: s.resource_viewer,
        last_login: None,
    };
    SeatWrite::reclaim(s.action, s.user_id, &now, if s.usm { Some(s.plan_id.unwrap_or(0)) } else { None })
}

fn also(s: &Selected, write: &SeatWrite) -> Option<String> {
    let mut roles = Vec::new();
    if write.action == SeatAction::Unlicense && s.group_admin {
        roles.push("Group Admin");
    }
    if write.action == SeatAction::Unlicense && s.resource_viewer {
        roles.push("Resource Viewer");
    }
    if write.action == SeatAction::Deactivate {
        return Some(
            "The user can no longer sign in to Smartsheet; their sheets stay theirs. Reactivation is possible for 30 \
             days."
                .into(),
        );
    }
    (!roles.is_empty())
        .then(|| format!("Also removes the {} role, which needs a license.", roles.join(" and ")))
}

fn check_ids(ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Err(Error::validation("candidateIds", "Select at least one removal candidate to reclaim."));
    }
    if ids.len() > MAX_CONFIRM {
        return Err(Error::validation(
            "candidateIds",
            format!("Select at most {MAX_CONFIRM} candidates at once; filter the list and reclaim in parts."),
        ));
    }
    Ok(())
}

/// The dry run of reclaiming `ids`: who, what happens to each seat, and the savings. Writes nothing.
pub async fn preview(db: &Db, clock: &dyn Clock, ids: &[i64]) -> Result<ReclaimPreview> {
    check_ids(ids)?;
    let selected = load_selected(&mut *db.pool().acquire().await?, ids).await?;
    let mut preview = ReclaimPreview {
        items: Vec::new(),
        refused: Vec::new(),
        savings: SavingsSummary { seats: 0, seats_without_cost: 0, monthly: Vec::new(), yearly: Vec::new() },
    };
    for s in &selected {
        if let Some(reason) = refusal(s) {
            preview.refused.push(ReclaimRefusal { candidate_id: s.id, email: s.email.clone(), reason });
            continue;
        }
        let write = planned_write(s);
        preview.items.push(ReclaimPreviewItem {
            candidate_id: s.id,
            profile_id: s.profile_id,
            profile_name: s.profile_name.clone(),
            user_id: s.user_id,
            email: s.email.clone(),
            name: s.name.clone(),
            model_name: s.model_name.clone(),
            action: write.action,
            also: also(s, &write),
            seat_before: write.seat_before,
            seat_after: write.seat_after,
            monthly_savings: s.monthly_cost_minor.zip(s.currency.as_deref()).map(|(m, c)| Money::new(c, m)),
        });
    }
    let taken: Vec<i64> = preview.items.iter().map(|i| i.candidate_id).collect();
    if !taken.is_empty() {
        let all = CandidateFilter { states: CandidateState::ALL.to_vec(), ..CandidateFilter::default() };
        preview.savings = savings(db, clock, &all, Some(&taken)).await?;
    }
    Ok(preview)
}

/// What a confirmation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ReclaimConfirmation {
    /// Candidates now Awaiting Revocation.
    pub confirmed: i64,
    /// The reclaim job of each profile concerned, to run now.
    pub job_ids: Vec<i64>,
    pub confirmed_by: String,
}

/// The admin's confirmation: the candidates `ids` → Awaiting Revocation, approved by
/// `confirmed_by` now. All or nothing: if one cannot be confirmed (a Draft or report-only profile,
/// a closed or notified candidate), none is, and the error names it. Writes nothing to
/// Smartsheet; the returned jobs do, once started.
pub async fn confirm(
    db: &Db,
    clock: &dyn Clock,
    ids: &[i64],
    confirmed_by: &str,
) -> Result<ReclaimConfirmation> {
    check_ids(ids)?;
    let now = clock.now();
    let mut tx = db.write().await?;
    let selected = load_selected(&mut tx, ids).await?;
    for s in &selected {
        if let Some(reason) = refusal(s) {
            return Err(Error::Conflict(format!(
                "{} (candidate {}): {reason} Nothing was reclaimed.",
                s.email, s.id
            )));
        }
    }
    let json = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let done = sqlx::query!(
        "UPDATE removal_candidates SET state = 'awaiting_revocation', approved_at = ?1, approved_by = ?2, \
         updated_at = ?1, note = NULL WHERE id IN (SELECT value FROM json_each(?3)) AND closed_at IS NULL",
        now,
        confirmed_by,
        json
    )
    .execute(&mut *tx)
    .await?;
    let mut job_ids = Vec::new();
    let mut profiles: Vec<(i64, &str)> =
        selected.iter().map(|s| (s.profile_id, s.profile_name.as_str())).collect();
    profiles.dedup();
    for (profile_id, name) in profiles {
        // Profiles published before the reclaim job existed get it now.
        job_ids.push(jobs::job_id_creating(&mut tx, profile_id, JobKind::Reclaim, name, now).await?);
    }
    tx.commit().await?;
    tracing::info!(candidates = done.rows_affected(), by = confirmed_by, "reclaim confirmed");
    Ok(ReclaimConfirmation {
        confirmed: done.rows_affected() as i64,
        job_ids,
        confirmed_by: confirmed_by.to_owned(),
    })
}

/// Automatic reclaim, for rules on which the admin turned it on (default off): after a refresh, the
/// profile's Ready candidates of those rules are confirmed as the admin would confirm them, and
/// the reclaim job — the same job, re-checks and audit — writes them (the app's engine starts it
/// after the refresh; the `seatkeeper` command with `reclaim --resume`). Only for a published
/// profile with Reclaim subscriptions selected, and not while its events job is paused. Returns
/// how many were confirmed.
pub(crate) async fn auto_confirm(db: &Db, clock: &dyn Clock, profile_id: i64) -> Result<i64> {
    let ids = sqlx::query_scalar!(
        r#"SELECT c.id AS "id!" FROM removal_candidates c
           JOIN reclamation_rules r ON r.model_id = c.model_id
           JOIN profiles p ON p.id = c.profile_id
           WHERE c.profile_id = ? AND c.state = 'ready' AND r.auto_reclaim = 1 AND r.active = 1
             AND p.status = 'published' AND p.reclaim_subscriptions = 1
             -- Held while the events job is paused: the activity behind the candidates is stale.
             AND NOT EXISTS (SELECT 1 FROM scheduled_jobs e WHERE e.profile_id = p.id AND e.kind = 'events'
                             AND e.active = 0)
           ORDER BY c.id"#,
        profile_id
    )
    .fetch_all(db.pool())
    .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let by = format!("{} (automatic reclaim)", os_user());
    Ok(confirm(db, clock, &ids, &by).await?.confirmed)
}

/// [`confirm`], then starts each profile's reclaim job on `engine` (the app's way; the
/// `seatkeeper` command runs the job itself). A run already going in this app takes the new
/// candidates on its own (it reads them until none are left); should it end before it sees them,
/// the job runs again once it has finished.
pub async fn confirm_and_run(
    engine: &JobEngine,
    db: &Db,
    clock: &dyn Clock,
    ids: &[i64],
    confirmed_by: &str,
) -> Result<ReclaimConfirmation> {
    let confirmation = confirm(db, clock, ids, confirmed_by).await?;
    for &job_id in &confirmation.job_ids {
        match engine.run_now(job_id).await {
            Ok(()) => {}
            Err(_) if engine.is_running(job_id) => {
                let (engine, db) = (engine.clone(), db.clone());
                tokio::spawn(async move {
                    engine.wait(job_id).await;
                    match awaiting_for_job(&db, job_id).await {
                        Ok(0) => {}
                        Ok(_) => {
                            if let Err(e) = engine.run_now(job_id).await {
                                tracing::warn!(job = job_id, "the reclaim could not start again: {e}");
                            }
                        }
                        Err(e) => {
                            tracing::warn!(job = job_id, "the reclaim's candidates could not be read: {e}")
                        }
                    }
                });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(confirmation)
}

async fn awaiting_for_job(db: &Db, job_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!: i64" FROM removal_candidates c JOIN scheduled_jobs j ON j.profile_id = c.profile_id
           WHERE j.id = ? AND c.state = 'awaiting_revocation'"#,
        job_id
    )
    .fetch_one(db.pool())
    .await?)
}

// ---------------------------------------------------------------------------------------------
// The job

/// The job's code ([`crate::jobs::JobSpec::run`]).
pub(crate) fn run<'a>(context: RunContext<'a>, recorder: &'a mut Recorder) -> BoxFuture<'a, Result<()>> {
    Box::pin(reclaim(context, recorder))
}

/// A candidate being reclaimed, as the job needs it.
struct Target {
    id: i64,
    user_id: i64,
    email: String,
    name: Option<String>,
    inactive_since: DateTime<Utc>,
    last_event: Option<DateTime<Utc>>,
    action: ReclaimAction,
    approved_by: String,
    /// Protected or excluded since the reclaim was confirmed: the protection or exclusion, as the
    /// admin reads it.
    kept_by: Option<String>,
}

async fn reclaim(context: RunContext<'_>, recorder: &mut Recorder) -> Result<()> {
    let RunContext { db, client, profile_id, clock, progress, cancel, .. } = context;
    let mut status = SyncProgress::new(SyncPhase::Reclaiming);
    progress(status);
    let profile = sqlx::query!(
        r#"SELECT p.display_name, p.reclaim_subscriptions AS "reclaim_subscriptions: bool",
               coalesce(st.plan_model, 'usm') = 'usm' AS "usm!: bool", st.plan_id AS "plan_id?: i64"
           FROM profiles p LEFT JOIN sync_state st ON st.profile_id = p.id WHERE p.id = ?"#,
        profile_id
    )
    .fetch_one(db.pool())
    .await?;

    // Settle first what a stopped run left unknown: no seat is written twice.
    let usm_plan = if profile.usm { profile.plan_id } else { None };
    settle_pending(db, client, clock, recorder.id, profile_id, usm_plan).await?;

    let refuse = |why: String| async move {
        return_to_ready(db, profile_id, None, &why, clock.now()).await?;
        Err::<(), _>(Error::Conflict(format!(
            "{why} The confirmed candidates are Ready again; nothing was written."
        )))
    };
    if !profile.reclaim_subscriptions {
        return refuse(format!(
            "Reclaim subscriptions is cleared on “{}” (report-only mode), so Seatkeeper does not reclaim its seats.",
            profile.display_name
        ))
        .await;
    }
    if profile.usm && profile.plan_id.is_none() {
        return refuse(
            "Seatkeeper does not know the account's plan yet: refresh the subscriptions first.".into(),
        )
        .await;
    }
    // The token's owner must still be a System Admin: Smartsheet would refuse every write, and a
    // lost admin right is the admin's to look into, not something to try a thousand times.
    let me = client.current_user().await?;
    if !me.is_system_admin() {
        return refuse(format!(
            "The API key belongs to {}, who is no longer a System Admin of the Smartsheet account. Use the key of a \
             System Admin (Connection & Credential), select Validate Connection, then reclaim again.",
            me.email
        ))
        .await;
    }

    let mut attempted = HashSet::new();
    loop {
        // Candidates confirmed while the run is going are taken too.
        let targets = awaiting(db, profile_id, &attempted).await?;
        if targets.is_empty() {
            break;
        }
        status.candidates_total = attempted.len() as u64 + targets.len() as u64;
        for target in targets {
            if cancel.is_cancelled() {
                let note =
                    "The reclaim was cancelled before this seat was reached; confirm it again to reclaim it.";
                return_to_ready(db, profile_id, Some(&attempted), note, clock.now()).await?;
                return Err(Error::Cancelled);
            }
            attempted.insert(target.id);
            reclaim_one(db, client, clock, recorder.id, profile_id, usm_plan, &target).await?;
            status.candidates_done += 1;
            progress(status);
        }
    }
    progress(SyncProgress { phase: SyncPhase::Done, ..status });
    Ok(())
}

async fn awaiting(db: &Db, profile_id: i64, attempted: &HashSet<i64>) -> Result<Vec<Target>> {
    let rows = sqlx::query!(
        r#"SELECT c.id AS "id!", c.user_id, c.email, c.name, c.inactive_since AS "inactive_since: DateTime<Utc>",
               a.last_activity_at AS "last_event?: DateTime<Utc>",
               coalesce(r.reclaim_action, 'free_seat') AS "action!: ReclaimAction",
               coalesce(c.approved_by, 'unknown') AS "approved_by!: String",
               e.excluded_by AS "excluded_by?: String"
           FROM removal_candidates c
           LEFT JOIN reclamation_rules r ON r.model_id = c.model_id
           LEFT JOIN user_activity a ON a.profile_id = c.profile_id AND a.user_id = c.user_id
           LEFT JOIN subscription_exclusions e ON e.subscription_id = c.subscription_id
           WHERE c.profile_id = ? AND c.state = 'awaiting_revocation'
           ORDER BY c.approved_at, c.id"#,
        profile_id
    )
    .fetch_all(db.pool())
    .await?;
    let protected =
        sqlx::query_scalar!("SELECT pattern FROM protected_users WHERE profile_id = ?", profile_id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .filter(|r| !attempted.contains(&r.id))
        .map(|r| Target {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            inactive_since: r.inactive_since,
            last_event: r.last_event,
            action: r.action,
            approved_by: r.approved_by,
            kept_by: match (protected.iter().find(|p| covers(p, &r.email)), r.excluded_by) {
                (Some(pattern), _) => Some(format!("protected ({pattern})")),
                (None, Some(rule)) => Some(format!("excluded ({rule})")),
                (None, None) => None,
            },
            email: r.email,
        })
        .collect())
}

/// Candidates Awaiting Revocation (all of the profile's, or those not in `attempted`) → Ready.
async fn return_to_ready(
    db: &Db,
    profile_id: i64,
    attempted: Option<&HashSet<i64>>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let skip: Vec<i64> = attempted.map(|a| a.iter().copied().collect()).unwrap_or_default();
    let skip = serde_json::to_string(&skip).map_err(|e| Error::Internal(e.to_string()))?;
    let to = state::next(CandidateState::AwaitingRevocation, Event::RunCancelled)
        .map_err(|e| Error::Internal(e.0))?;
    let mut tx = db.write().await?;
    sqlx::query!(
        "UPDATE removal_candidates SET state = ?1, note = ?2, updated_at = ?3, approved_at = NULL, approved_by = NULL \
         WHERE profile_id = ?4 AND state = 'awaiting_revocation' AND id NOT IN (SELECT value FROM json_each(?5))",
        to,
        note,
        now,
        profile_id,
        skip
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How one candidate ended.
enum Settled {
    Complete(String),
    Canceled(String),
    Attention(String),
}

async fn reclaim_one(
    db: &Db,
    client: &SmartsheetClient,
    clock: &dyn Clock,
    result_id: i64,
    profile_id: i64,
    usm_plan: Option<i64>,
    target: &Target,
) -> Result<()> {
    // Protected or excluded after the confirmation: never reclaimed.
    if let Some(kept_by) = &target.kept_by {
        let note = format!(
            "{} is {kept_by} since this reclaim was confirmed, so nothing was written. Skip this candidate.",
            target.email
        );
        return finish(db, clock, result_id, target.id, None, Settled::Attention(note)).await;
    }
    // 1. Where the user stands now. A failed read stops the run: the candidate stays Awaiting
    //    Revocation, untouched, for the next run.
    let now_seat = read_seat(client, target.user_id, &target.email, usm_plan).await?;
    if let Some(settled) = verdict_before_write(target, &now_seat) {
        return finish(db, clock, result_id, target.id, None, settled).await;
    }
    // 2. The intent, committed before the call.
    let write = SeatWrite::reclaim(target.action, target.user_id, &now_seat, usm_plan);
    let audit_id = {
        let mut tx = db.write().await?;
        let intent = Intent {
            profile_id,
            user_id: target.user_id,
            email: &target.email,
            name: target.name.as_deref(),
            write: &write,
            confirmed_by: &target.approved_by,
            candidate_id: Some(target.id),
            undo_of: None,
            job_result_id: Some(result_id),
        };
        let id = audit::insert_intent(&mut tx, &intent, clock.now()).await?;
        tx.commit().await?;
        id
    };
    // 3. The call, and 4. its outcome.
    let (outcome, settled) = match write.send(client).await {
        Ok(()) => (
            Outcome::plain(AuditOutcome::Succeeded),
            Settled::Complete(format!("Reclaimed: {} → {}.", write.seat_before, write.seat_after)),
        ),
        Err(e) if seat::outcome_unknown(&e) => {
            // The answer was lost: the seat says whether the write was carried out. If it cannot
            // be read either, the intent stays open and the next run settles it.
            let now_seat = read_seat(client, target.user_id, &target.email, usm_plan).await?;
            let message = Some(e.to_string());
            if write.reached(&now_seat) {
                let outcome =
                    Outcome { outcome: AuditOutcome::Applied, error_code: e.code(), message, ref_id: None };
                (
                    outcome,
                    Settled::Complete(format!("Reclaimed: {} → {}.", write.seat_before, write.seat_after)),
                )
            } else {
                let outcome = Outcome {
                    outcome: AuditOutcome::NotApplied,
                    error_code: e.code(),
                    message,
                    ref_id: None,
                };
                let note = format!(
                    "Smartsheet did not carry out the change ({e}). The seat is unchanged; select Resume and reclaim again."
                );
                (outcome, Settled::Attention(note))
            }
        }
        Err(e) => {
            let outcome = Outcome {
                outcome: AuditOutcome::Failed,
                error_code: e.code(),
                message: Some(seat::raw_message(&e)),
                ref_id: e.ref_id().map(str::to_owned),
            };
            (outcome, Settled::Attention(seat::explain(&e)))
        }
    };
    finish(db, clock, result_id, target.id, Some((audit_id, outcome)), settled).await
}

/// What the fresh read decides before any write, if anything.
fn verdict_before_write(target: &Target, now: &SeatNow) -> Option<Settled> {
    if !now.exists {
        return Some(Settled::Complete(
            "The user is no longer in the Smartsheet account; the seat is free.".into(),
        ));
    }
    let active = [now.last_login, target.last_event]
        .into_iter()
        .flatten()
        .filter(|at| *at > target.inactive_since)
        .max();
    if let Some(at) = active {
        return Some(Settled::Canceled(format!(
            "Active again on {} (checked just before reclaiming); the seat was left as it is.",
            at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    if now.admin {
        return Some(Settled::Attention(
            "The user is a System Admin now; Seatkeeper never reclaims admins. Skip this candidate.".into(),
        ));
    }
    match target.action {
        ReclaimAction::Deactivate if now.deactivated => {
            Some(Settled::Complete("The user was already deactivated; nothing was written.".into()))
        }
        ReclaimAction::FreeSeat if now.deactivated => Some(Settled::Attention(
            "The user was deactivated since the review, and Smartsheet does not change the seat of a deactivated user \
             (error 1188). Reactivate them first, or Skip this candidate."
                .into(),
        )),
        _ if !now.is_paid() => Some(Settled::Complete(format!(
            "The seat was already free ({}); nothing was written.",
            if now.seat == crate::sync::models::LEGACY_UNLICENSED { "unlicensed" } else { now.seat.as_str() }
        ))),
        _ => None,
    }
}

/// Records how a candidate ended, with the write's outcome if one was made, in one transaction.
async fn finish(
    db: &Db,
    clock: &dyn Clock,
    result_id: i64,
    candidate_id: i64,
    outcome: Option<(i64, Outcome)>,
    settled: Settled,
) -> Result<()> {
    let now = clock.now();
    let mut tx = db.write().await?;
    if let Some((audit_id, outcome)) = &outcome {
        audit::insert_outcome(&mut tx, *audit_id, outcome, now).await?;
    }
    let mut counts = Counts::default();
    match settled {
        Settled::Complete(note) => {
            counts.reclaimed = 1;
            let to = next(Event::Reclaimed)?;
            close(&mut tx, candidate_id, to, &note, now).await?;
        }
        Settled::Canceled(note) => {
            counts.canceled = 1;
            let to = next(Event::ActivityDetected)?;
            close(&mut tx, candidate_id, to, &note, now).await?;
        }
        Settled::Attention(note) => {
            counts.failed = 1;
            let to = next(Event::Failed)?;
            let note = crate::server_text::cap(&note, crate::server_text::MAX_MESSAGE);
            sqlx::query!(
                "UPDATE removal_candidates SET state = ?, note = ?, updated_at = ? WHERE id = ? AND state = 'awaiting_revocation'",
                to,
                note,
                now,
                candidate_id
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    Recorder::add_counts_to(&mut tx, result_id, counts).await?;
    tx.commit().await?;
    Ok(())
}

fn next(event: Event) -> Result<CandidateState> {
    state::next(CandidateState::AwaitingRevocation, event).map_err(|e| Error::Internal(e.0))
}

/// Settles the profile's intents left without an outcome by reading each user's seat: applied
/// (the candidate, if still Awaiting Revocation, is Closed Complete) or not applied (it stays
/// Awaiting Revocation and this run writes it again).
async fn settle_pending(
    db: &Db,
    client: &SmartsheetClient,
    clock: &dyn Clock,
    result_id: i64,
    profile_id: i64,
    usm_plan: Option<i64>,
) -> Result<()> {
    let pending = audit::pending(&mut *db.pool().acquire().await?, profile_id).await?;
    for p in pending {
        let now_seat = read_seat(client, p.user_id, &p.email, usm_plan).await?;
        let applied = seat::reached(p.action, &p.seat_after, &now_seat);
        let message =
            "Seatkeeper stopped during this call; the user's seat was read afterwards to settle it.";
        let outcome = Outcome {
            outcome: if applied { AuditOutcome::Applied } else { AuditOutcome::NotApplied },
            error_code: None,
            message: Some(message.into()),
            ref_id: None,
        };
        tracing::info!(audit = p.audit_id, applied, "an intent without outcome was settled");
        let candidate_waits = match p.candidate_id {
            Some(id) => sqlx::query_scalar!(
                r#"SELECT state AS "state: CandidateState" FROM removal_candidates WHERE id = ?"#,
                id
            )
            .fetch_optional(db.pool())
            .await?
            .is_some_and(|s| s == CandidateState::AwaitingRevocation),
            None => false,
        };
        match (p.candidate_id, applied && candidate_waits) {
            (Some(candidate_id), true) => {
                let note =
                    format!("Reclaimed: {} → {} (settled by reading the seat).", p.seat_before, p.seat_after);
                finish(
                    db,
                    clock,
                    result_id,
                    candidate_id,
                    Some((p.audit_id, outcome)),
                    Settled::Complete(note),
                )
                .await?;
            }
            _ => {
                let mut tx = db.write().await?;
                audit::insert_outcome(&mut tx, p.audit_id, &outcome, clock.now()).await?;
                tx.commit().await?;
            }
        }
    }
    Ok(())
}
