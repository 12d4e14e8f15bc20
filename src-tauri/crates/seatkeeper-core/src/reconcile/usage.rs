//! The License Usage view: a profile's figures and charts, aggregated in SQLite (never one row per
//! user sent to the UI), in one read.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::figures::{self, list_reconciliations, ModelReconciliation, Reconciliation};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::Result;
use crate::reclaim::money::Money;

/// How many days of daily active users the view charts.
pub const DAILY_ACTIVE_DAYS: i64 = 90;
/// How many kept reconciliations the view charts.
pub const HISTORY_RUNS: i64 = 120;

/// Users (on paid seats) by days since their last activity: 0–30, 30–60, 60–90, 90–120, 120+,
/// and never active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct ActivityBucket {
    /// "0–30 days", …, "Never".
    pub label: String,
    pub from_days: Option<i64>,
    /// Exclusive; None for the last bucket.
    pub to_days: Option<i64>,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct DailyActive {
    /// `YYYY-MM-DD` (UTC).
    #[ts(type = "string")]
    pub day: NaiveDate,
    pub users: i64,
}

/// The headline figures, over the paid models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct UsageTotals {
    /// Open subscriptions on paid models (excluded ones included).
    pub paid_seats: i64,
    pub owned: i64,
    pub active: i64,
    pub inactive: i64,
    pub excluded: i64,
    pub open_candidates: i64,
    /// Models Not Compliant.
    pub not_compliant: i64,
    /// One amount per currency.
    pub potential_monthly: Vec<Money>,
    pub potential_yearly: Vec<Money>,
    pub actual_monthly: Vec<Money>,
    pub actual_yearly: Vec<Money>,
    pub true_up_yearly: Vec<Money>,
    /// Paid seats whose model has no cost (entitlement or cost per seat): their savings are unknown.
    pub seats_without_cost: i64,
}

/// Everything the License Usage view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct LicenseUsage {
    pub profile_id: i64,
    pub computed_at: DateTime<Utc>,
    /// Whether the profile has downloaded any subscription (else the view has nothing to show).
    pub has_data: bool,
    pub totals: UsageTotals,
    pub models: Vec<ModelReconciliation>,
    pub last_activity: Vec<ActivityBucket>,
    pub daily_active: Vec<DailyActive>,
    /// The kept reconciliations, oldest first.
    pub history: Vec<Reconciliation>,
}

fn sum_by_currency(amounts: impl Iterator<Item = Money>) -> Vec<Money> {
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    for m in amounts {
        *by.entry(m.currency).or_default() += m.minor;
    }
    by.into_iter().map(|(currency, minor)| Money::new(&currency, minor)).collect()
}

/// The License Usage view of a profile, as of now.
pub async fn license_usage(db: &Db, clock: &dyn Clock, profile_id: i64) -> Result<LicenseUsage> {
    let now = clock.now();
    let mut conn = db.pool().acquire().await?;
    crate::profiles::ensure_exists(&mut conn, profile_id).await?;
    let (models, days) = figures::compute_with_activity(&mut conn, profile_id, now).await?;
    let has_data = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM software_subscriptions WHERE profile_id = ?) AS "any!: bool""#,
        profile_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let bucket = |label: &str, from: Option<i64>, to: Option<i64>, users: i64| ActivityBucket {
        label: label.to_owned(),
        from_days: from,
        to_days: to,
        users,
    };
    let [d30, d60, d90, d120, older, never] = days;
    let last_activity = vec![
        bucket("0–30 days", Some(0), Some(30), d30),
        bucket("30–60 days", Some(30), Some(60), d60),
        bucket("60–90 days", Some(60), Some(90), d90),
        bucket("90–120 days", Some(90), Some(120), d120),
        bucket("120+ days", Some(120), None, older),
        bucket("Never", None, None, never),
    ];
    let from = (now - Duration::days(DAILY_ACTIVE_DAYS)).date_naive().to_string();
    let daily_active = sqlx::query!(
        r#"SELECT day AS "day: NaiveDate", users FROM user_activity_days
           WHERE profile_id = ? AND day >= ? ORDER BY day"#,
        profile_id,
        from
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| DailyActive { day: r.day, users: r.users })
    .collect();
    drop(conn);
    let history = list_reconciliations(db, profile_id, HISTORY_RUNS).await?;

    let paid: Vec<&ModelReconciliation> = models.iter().filter(|m| m.paid).collect();
    let monthly = |f: fn(&ModelReconciliation) -> Option<&Money>| {
        sum_by_currency(paid.iter().filter_map(|m| f(m)).map(|y| Money::new(&y.currency, y.minor / 12)))
    };
    let yearly = |f: fn(&ModelReconciliation) -> Option<&Money>| {
        sum_by_currency(paid.iter().filter_map(|m| f(m)).cloned())
    };
    let totals = UsageTotals {
        paid_seats: paid.iter().map(|m| m.used + m.excluded).sum(),
        owned: paid.iter().map(|m| m.owned).sum(),
        active: paid.iter().map(|m| m.active).sum(),
        inactive: paid.iter().map(|m| m.inactive).sum(),
        excluded: paid.iter().map(|m| m.excluded).sum(),
        open_candidates: models.iter().map(|m| m.open_candidates).sum(),
        not_compliant: models.iter().filter(|m| m.compliance == figures::Compliance::NotCompliant).count()
            as i64,
        potential_monthly: monthly(|m| m.potential_savings.as_ref()),
        potential_yearly: yearly(|m| m.potential_savings.as_ref()),
        actual_monthly: monthly(|m| m.actual_savings.as_ref()),
        actual_yearly: yearly(|m| m.actual_savings.as_ref()),
        true_up_yearly: yearly(|m| m.true_up_cost.as_ref()),
        seats_without_cost: paid
            .iter()
            .filter(|m| m.unit_monthly.is_none())
            .map(|m| m.used + m.excluded)
            .sum(),
    };
    Ok(LicenseUsage {
        profile_id,
        computed_at: now,
        has_data,
        totals,
        models,
        last_activity,
        daily_active,
        history,
    })
}
