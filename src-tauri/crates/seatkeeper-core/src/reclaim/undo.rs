//! Undo, from the audit log: gives back the seat a reclaim took (upgrade to MEMBER, the legacy
//! license with the roles it cleared, or reactivation within Smartsheet's 30 days). Audited like
//! any write (intent, call, outcome), confirmed by the admin, and never run alongside the
//! profile's reclaim job (it holds that job's lock, across the app and the `seatkeeper` command).

use super::audit::{self, undo_blocked, AuditOutcome, AuditRecord, Intent, Outcome};
use super::seat::{self, read_seat, SeatWrite};
use crate::clock::Clock;
use crate::connections::{client_for, ClientOptions};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::jobs::{self, lock, JobKind};
use crate::secrets::SecretStore;

/// Undoes the write of audit record `audit_id`, confirmed by `confirmed_by`. Returns the undo's own
/// audit record (its outcome says whether Smartsheet carried it out). Refused, with the reason and
/// nothing written, when the record cannot be undone or the user's seat changed since.
pub async fn undo(
    db: &Db,
    secrets: &dyn SecretStore,
    clock: &dyn Clock,
    options: &ClientOptions,
    audit_id: i64,
    confirmed_by: &str,
) -> Result<AuditRecord> {
    let record = audit::get_audit(db, clock.now(), audit_id).await?;
    if let Some(reason) = &record.undo_blocked {
        return Err(Error::Conflict(format!("Audit record {audit_id} cannot be undone: {reason}")));
    }
    let profile_id = record.profile_id;
    let (name, usm_plan) = {
        let row = sqlx::query!(
            r#"SELECT p.display_name, coalesce(st.plan_model, 'usm') = 'usm' AS "usm!: bool", st.plan_id AS "plan_id?: i64"
               FROM profiles p LEFT JOIN sync_state st ON st.profile_id = p.id WHERE p.id = ?"#,
            profile_id
        )
        .fetch_one(db.pool())
        .await?;
        (row.display_name, if row.usm { row.plan_id } else { None })
    };
    let Some(write) = SeatWrite::undo(
        record.action,
        record.user_id,
        &record.seat_before,
        &record.seat_after,
        &record.request,
        usm_plan,
    ) else {
        return Err(Error::Conflict(format!(
            "Audit record {audit_id} cannot be undone: Seatkeeper does not know the plan of “{name}”. Refresh its \
             subscriptions first."
        )));
    };

    // Never alongside a reclaim run of the profile.
    let job_id = jobs::ensure_job(db, profile_id, JobKind::Reclaim, &name, clock.now()).await?;
    let Some(_lock) = lock::try_lock(db, job_id)? else {
        return Err(Error::Conflict(format!(
            "“{}” is running. Wait for it to finish, then undo.",
            JobKind::Reclaim.job_name(&name)
        )));
    };
    let client = client_for(db, secrets, profile_id, options).await?;

    // The seat must still be what Seatkeeper left: otherwise someone changed it since, and undo
    // would overwrite their change.
    let now_seat = read_seat(&client, record.user_id, &record.email, usm_plan).await?;
    if !seat::reached(record.action, &record.seat_after, &now_seat) {
        return Err(Error::Conflict(format!(
            "{}'s seat changed since Seatkeeper's change (it is now {}, Seatkeeper left {}). Undo would overwrite \
             that change, so nothing was written. Change the seat in Smartsheet's Admin Center if needed.",
            record.email,
            if now_seat.deactivated { seat::DEACTIVATED } else { now_seat.seat.as_str() },
            record.seat_after
        )));
    }

    let undo_id = {
        let mut tx = db.write().await?;
        let intent = Intent {
            profile_id,
            user_id: record.user_id,
            email: &record.email,
            name: record.name.as_deref(),
            write: &write,
            confirmed_by,
            candidate_id: record.candidate_id,
            undo_of: Some(record.id),
            job_result_id: None,
        };
        let id = audit::insert_intent(&mut tx, &intent, clock.now()).await.map_err(|e| match e {
            Error::Database(e) if e.to_string().contains("already undone") => Error::Conflict(format!(
                "Audit record {audit_id} is already undone, or its undo is in progress."
            )),
            other => other,
        })?;
        tx.commit().await?;
        id
    };
    let outcome = match write.send(&client).await {
        Ok(()) => Outcome::plain(AuditOutcome::Succeeded),
        Err(e) if seat::outcome_unknown(&e) => {
            // If the seat cannot be read either, the outcome stays unknown and the next reclaim run
            // of the profile settles it.
            let now_seat = read_seat(&client, record.user_id, &record.email, usm_plan).await?;
            let applied = write.reached(&now_seat);
            Outcome {
                outcome: if applied { AuditOutcome::Applied } else { AuditOutcome::NotApplied },
                error_code: e.code(),
                message: Some(e.to_string()),
                ref_id: None,
            }
        }
        Err(e) => Outcome {
            outcome: AuditOutcome::Failed,
            error_code: e.code(),
            message: Some(seat::explain(&e)),
            ref_id: e.ref_id().map(str::to_owned),
        },
    };
    let mut tx = db.write().await?;
    audit::insert_outcome(&mut tx, undo_id, &outcome, clock.now()).await?;
    tx.commit().await?;
    tracing::info!(audit = audit_id, undo = undo_id, outcome = ?outcome.outcome, "undo recorded");
    let undone = audit::get_audit(db, clock.now(), undo_id).await?;
    debug_assert!(undo_blocked(&undone, clock.now()).is_some());
    Ok(undone)
}
