//! Reconciliation: for each software model of a profile, rights owned against subscriptions in
//! use, and what that costs or could save. Every run is kept as a snapshot.
//!
//! Per model, at the moment of the run:
//! - **owned**: the purchased rights of its entitlements in use today (several add up);
//! - **used**: its open subscriptions (users listed and not deactivated), less the **excluded** ones
//!   (identifier and user exclusion rules), which are counted apart;
//! - **active / inactive**: used subscriptions whose last activity (the later of the last counted
//!   event and the last login) is within / older than the model's rule's last activity threshold;
//! - **compliance**: Not Compliant when used > owned. A free model without entitlements needs no
//!   rights and is Compliant;
//! - **over-licensed**: owned − used, when positive;
//! - money, per year, in the model's currency ([`super::costs`]): **true-up cost** (used − owned,
//!   when positive, × unit cost), **potential savings** (open removal candidates × unit cost) and
//!   **actual savings** (seats reclaimed since the term start of its entitlements in use — since
//!   ever without one — and not undone, × unit cost; from the audit log).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::costs;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::Result;
use crate::reclaim::money::Money;

/// The compliance position of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub enum Compliance {
    Compliant,
    NotCompliant,
}

impl Compliance {
    /// As ServiceNow names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Compliant => "Compliant",
            Self::NotCompliant => "Not Compliant",
        }
    }
}

/// What started a reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub enum Trigger {
    /// The end of a refresh.
    Refresh,
    /// The weekly scheduled job (or its Run now).
    Schedule,
    /// The admin (Reconcile now, or `seatkeeper reconcile`).
    OnDemand,
}

/// One model's reconciliation figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct ModelReconciliation {
    /// None once the model was deleted (in a snapshot).
    pub model_id: Option<i64>,
    pub model: String,
    pub identifier: Option<String>,
    pub paid: bool,
    /// How many entitlements the model has (any term).
    pub entitlements: i64,
    pub owned: i64,
    pub used: i64,
    pub excluded: i64,
    pub active: i64,
    pub inactive: i64,
    pub compliance: Compliance,
    pub over_licensed: i64,
    /// Rights to buy to be compliant (used − owned, when positive).
    pub rights_needed: i64,
    pub open_candidates: i64,
    pub reclaimed: i64,
    /// One seat per month; None without entitlement or cost per seat.
    pub unit_monthly: Option<Money>,
    /// Per year.
    pub true_up_cost: Option<Money>,
    /// Per year: over-licensed seats × unit cost.
    pub over_licensed_cost: Option<Money>,
    /// Per year.
    pub potential_savings: Option<Money>,
    /// Per year.
    pub actual_savings: Option<Money>,
}

/// A reconciliation run and its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct Reconciliation {
    pub run_id: i64,
    pub profile_id: i64,
    pub run_at: DateTime<Utc>,
    pub trigger: Trigger,
    pub models: Vec<ModelReconciliation>,
}

/// Runs a reconciliation of the profile and keeps it as a snapshot.
pub async fn reconcile(
    db: &Db,
    clock: &dyn Clock,
    profile_id: i64,
    trigger: Trigger,
) -> Result<Reconciliation> {
    let now = clock.now();
    db.write_detached(move |conn| {
        Box::pin(async move {
            crate::profiles::ensure_exists(conn, profile_id).await?;
            costs::refresh(conn, profile_id, now).await?;
            let models = compute(conn, profile_id, now).await?;
            let run_id = store(conn, profile_id, now, trigger, &models).await?;
            Ok(Reconciliation { run_id, profile_id, run_at: now, trigger, models })
        })
    })
    .await
}

/// The figures as they are now, without keeping a snapshot.
pub(crate) async fn compute(
    conn: &mut SqliteConnection,
    profile_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<ModelReconciliation>> {
    Ok(compute_with_activity(conn, profile_id, now).await?.0)
}

/// Open subscriptions by days since their last activity: under 30, 30–60, 60–90, 90–120, 120 and
/// more, and never active (the License Usage view's histogram).
pub(crate) type ActivityDays = [i64; 6];

/// The figures as they are now, and the paid models' open subscriptions (excluded ones included)
/// by days since their last activity, from the same pass over the subscriptions (the License
/// Usage view).
pub(crate) async fn compute_with_activity(
    conn: &mut SqliteConnection,
    profile_id: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<ModelReconciliation>, ActivityDays)> {
    let today = now.date_naive();
    let models = sqlx::query!(
        r#"SELECT m.id AS "id!", m.name, m.subscription_identifier, m.paid AS "paid: bool",
               m.unit_monthly_minor, m.unit_currency,
               (SELECT count(*) FROM software_entitlements e WHERE e.model_id = m.id) AS "entitlements!: i64",
               (SELECT coalesce(sum(e.purchased_rights), 0) FROM software_entitlements e
                 WHERE e.model_id = m.id AND e.term_start <= ?2 AND e.term_end >= ?2) AS "owned!: i64",
               (SELECT min(e.term_start) FROM software_entitlements e
                 WHERE e.model_id = m.id AND e.term_start <= ?2 AND e.term_end >= ?2) AS "term_start?: NaiveDate"
           FROM software_models m WHERE m.profile_id = ?1
           ORDER BY m.paid DESC, m.name"#,
        profile_id,
        today
    )
    .fetch_all(&mut *conn)
    .await?;
    let has_exclusions = crate::sync::exclusions::any_active(conn, profile_id).await?;
    // Subscriptions in use per model, in one pass over the profile's open subscriptions:
    // - in user order (the UNIQUE (profile_id, user_id) index), so that the lookups of their
    //   activity walk user_activity forward (in model order, through the open-seats index, they
    //   jump about and cost twice as much at 50,000 seats);
    // - the exclusion view is asked only when there are rules (CASE evaluates it only then);
    // - `LIMIT -1` keeps the inner query from being flattened into the outer one, which would
    //   compute `days` once per FILTER instead of once per row.
    let usage: HashMap<i64, ((i64, i64, i64), ActivityDays)> = sqlx::query!(
        r#"SELECT model_id AS "model_id!: i64",
               count(*) FILTER (WHERE NOT excluded) AS "used!: i64",
               count(*) FILTER (WHERE excluded) AS "excluded!: i64",
               count(*) FILTER (WHERE NOT excluded AND days < threshold) AS "active!: i64",
               count(*) FILTER (WHERE days < 30) AS "d30!: i64",
               count(*) FILTER (WHERE days >= 30 AND days < 60) AS "d60!: i64",
               count(*) FILTER (WHERE days >= 60 AND days < 90) AS "d90!: i64",
               count(*) FILTER (WHERE days >= 90 AND days < 120) AS "d120!: i64",
               count(*) FILTER (WHERE days >= 120) AS "older!: i64",
               count(*) FILTER (WHERE days IS NULL) AS "never!: i64"
           FROM (SELECT s.model_id,
                     CASE WHEN ?3 THEN EXISTS (SELECT 1 FROM subscription_exclusions x WHERE x.subscription_id = s.id)
                          ELSE 0 END AS excluded,
                     julianday(?2) - nullif(max(coalesce(julianday(a.last_activity_at), 0),
                                                coalesce(julianday(s.last_login), 0)), 0) AS days,
                     coalesce(r.last_activity_threshold_days, 60) AS threshold
                 FROM software_subscriptions s INDEXED BY sqlite_autoindex_software_subscriptions_1
                 LEFT JOIN user_activity a ON a.profile_id = s.profile_id AND a.user_id = s.user_id
                 LEFT JOIN reclamation_rules r ON r.model_id = s.model_id
                 WHERE s.profile_id = ?1 AND s.closed_at IS NULL AND s.model_id IS NOT NULL
                 LIMIT -1)
           GROUP BY model_id"#,
        profile_id,
        now,
        has_exclusions
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.model_id, ((r.used, r.excluded, r.active), [r.d30, r.d60, r.d90, r.d120, r.older, r.never])))
    .collect();
    let candidates: HashMap<i64, i64> = sqlx::query!(
        r#"SELECT model_id AS "model_id!: i64", count(*) AS "n!: i64" FROM removal_candidates
           WHERE profile_id = ? AND closed_at IS NULL AND model_id IS NOT NULL GROUP BY model_id"#,
        profile_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.model_id, r.n))
    .collect();
    // Seats reclaimed (Smartsheet confirmed it, or a read of the seat did) and not undone since.
    let reclaims = sqlx::query!(
        r#"SELECT c.model_id AS "model_id!: i64", l.requested_at AS "at: DateTime<Utc>"
           FROM audit_log l
           JOIN audit_outcomes o ON o.audit_id = l.id AND o.outcome IN ('succeeded', 'applied')
           JOIN removal_candidates c ON c.id = l.candidate_id
           WHERE l.profile_id = ? AND l.undo_of IS NULL AND c.model_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM audit_log u
                             JOIN audit_outcomes uo ON uo.audit_id = u.id AND uo.outcome IN ('succeeded', 'applied')
                             WHERE u.undo_of = l.id)"#,
        profile_id
    )
    .fetch_all(&mut *conn)
    .await?;

    let mut activity: ActivityDays = [0; 6];
    for m in models.iter().filter(|m| m.paid) {
        if let Some((_, days)) = usage.get(&m.id) {
            activity.iter_mut().zip(days).for_each(|(sum, n)| *sum += n);
        }
    }
    let models = models
        .into_iter()
        .map(|m| {
            let (used, excluded, active) = usage.get(&m.id).map(|u| u.0).unwrap_or_default();
            let open_candidates = candidates.get(&m.id).copied().unwrap_or_default();
            let since = m.term_start.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
            let reclaimed = reclaims
                .iter()
                .filter(|r| r.model_id == m.id && since.is_none_or(|since| r.at >= since))
                .count() as i64;
            let needs_rights = m.paid || m.entitlements > 0;
            let rights_needed = if needs_rights { (used - m.owned).max(0) } else { 0 };
            let unit = m.unit_monthly_minor.zip(m.unit_currency);
            let yearly = |seats: i64| unit.as_ref().map(|(minor, cur)| Money::new(cur, minor * 12 * seats));
            let over_licensed = (m.owned - used).max(0);
            ModelReconciliation {
                model_id: Some(m.id),
                model: m.name,
                identifier: m.subscription_identifier,
                paid: m.paid,
                entitlements: m.entitlements,
                owned: m.owned,
                used,
                excluded,
                active,
                inactive: used - active,
                compliance: if rights_needed > 0 { Compliance::NotCompliant } else { Compliance::Compliant },
                over_licensed,
                rights_needed,
                open_candidates,
                reclaimed,
                unit_monthly: unit.as_ref().map(|(minor, cur)| Money::new(cur, *minor)),
                true_up_cost: yearly(rights_needed),
                over_licensed_cost: yearly(over_licensed),
                potential_savings: yearly(open_candidates),
                actual_savings: yearly(reclaimed),
            }
        })
        .collect();
    Ok((models, activity))
}

async fn store(
    conn: &mut SqliteConnection,
    profile_id: i64,
    now: DateTime<Utc>,
    trigger: Trigger,
    models: &[ModelReconciliation],
) -> Result<i64> {
    let run_id = sqlx::query_scalar!(
        r#"INSERT INTO reconciliation_runs (profile_id, run_at, trigger) VALUES (?, ?, ?) RETURNING id AS "id!""#,
        profile_id,
        now,
        trigger
    )
    .fetch_one(&mut *conn)
    .await?;
    for m in models {
        let minor = |money: &Option<Money>| money.as_ref().map(|m| m.minor);
        let (unit, currency) = (minor(&m.unit_monthly), m.unit_monthly.as_ref().map(|u| u.currency.clone()));
        let (true_up, over, potential, actual) = (
            minor(&m.true_up_cost),
            minor(&m.over_licensed_cost),
            minor(&m.potential_savings),
            minor(&m.actual_savings),
        );
        let compliant = m.compliance == Compliance::Compliant;
        sqlx::query!(
            "INSERT INTO reconciliation_results (run_id, model_id, model_name, identifier, paid, entitlements, owned, \
               used, excluded, active, inactive, compliant, over_licensed, open_candidates, reclaimed, \
               unit_monthly_minor, currency, true_up_minor, over_licensed_minor, potential_minor, actual_minor) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            run_id,
            m.model_id,
            m.model,
            m.identifier,
            m.paid,
            m.entitlements,
            m.owned,
            m.used,
            m.excluded,
            m.active,
            m.inactive,
            compliant,
            m.over_licensed,
            m.open_candidates,
            m.reclaimed,
            unit,
            currency,
            true_up,
            over,
            potential,
            actual
        )
        .execute(&mut *conn)
        .await?;
    }
    // Keep a bounded history: the last 400 runs of the profile (more than a year of daily refreshes).
    sqlx::query!(
        "DELETE FROM reconciliation_runs WHERE profile_id = ?1 AND id NOT IN \
         (SELECT id FROM reconciliation_runs WHERE profile_id = ?1 ORDER BY run_at DESC, id DESC LIMIT 400)",
        profile_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(run_id)
}

/// The kept reconciliations of a profile, oldest first (at most `limit`, the latest ones).
pub async fn list_reconciliations(db: &Db, profile_id: i64, limit: i64) -> Result<Vec<Reconciliation>> {
    let runs = sqlx::query!(
        r#"SELECT id AS "id!", run_at AS "run_at: DateTime<Utc>", trigger AS "trigger: Trigger"
           FROM reconciliation_runs WHERE profile_id = ?1 ORDER BY run_at DESC, id DESC LIMIT ?2"#,
        profile_id,
        limit
    )
    .fetch_all(db.pool())
    .await?;
    let results = sqlx::query!(
        r#"SELECT r.run_id, r.model_id, r.model_name, r.identifier, r.paid AS "paid: bool", r.entitlements, r.owned,
               r.used, r.excluded, r.active, r.inactive, r.compliant AS "compliant: bool", r.over_licensed,
               r.open_candidates, r.reclaimed, r.unit_monthly_minor, r.currency, r.true_up_minor,
               r.over_licensed_minor, r.potential_minor, r.actual_minor
           FROM reconciliation_results r
           WHERE r.run_id IN (SELECT id FROM reconciliation_runs WHERE profile_id = ?1
                              ORDER BY run_at DESC, id DESC LIMIT ?2)
           ORDER BY r.run_id, r.paid DESC, r.model_name"#,
        profile_id,
        limit
    )
    .fetch_all(db.pool())
    .await?;
    let mut by_run: HashMap<i64, Vec<ModelReconciliation>> = HashMap::new();
    for r in results {
        let money = |minor: Option<i64>| r.currency.as_deref().zip(minor).map(|(c, m)| Money::new(c, m));
        by_run.entry(r.run_id).or_default().push(ModelReconciliation {
            model_id: r.model_id,
            model: r.model_name.clone(),
            identifier: r.identifier.clone(),
            paid: r.paid,
            entitlements: r.entitlements,
            owned: r.owned,
            used: r.used,
            excluded: r.excluded,
            active: r.active,
            inactive: r.inactive,
            compliance: if r.compliant { Compliance::Compliant } else { Compliance::NotCompliant },
            over_licensed: r.over_licensed,
            rights_needed: if r.compliant { 0 } else { (r.used - r.owned).max(0) },
            open_candidates: r.open_candidates,
            reclaimed: r.reclaimed,
            unit_monthly: money(r.unit_monthly_minor),
            true_up_cost: money(r.true_up_minor),
            over_licensed_cost: money(r.over_licensed_minor),
            potential_savings: money(r.potential_minor),
            actual_savings: money(r.actual_minor),
        });
    }
    let mut list: Vec<Reconciliation> = runs
        .into_iter()
        .map(|run| Reconciliation {
            run_id: run.id,
            profile_id,
            run_at: run.run_at,
            trigger: run.trigger,
            models: by_run.remove(&run.id).unwrap_or_default(),
        })
        .collect();
    list.reverse();
    Ok(list)
}
