//! What one seat of a software model costs per month: the one place that decides it.
//!
//! - With entitlements: the rights-weighted average of the unit costs of its entitlements in use
//!   today (else of its entitlement that ended last, else started first), each per month (an annual
//!   price ÷ 12) and converted to the model's reporting currency with the entitlement's rate.
//! - Without: the cost per seat the admin set on the model's reclamation rule.
//! - Else none ("no cost set").
//!
//! The result is kept on `software_models` (`unit_monthly_minor`, `unit_currency`) so that the lists
//! of removal candidates sum their savings in SQL; [`refresh`] recomputes it for a profile whenever
//! an entitlement or a cost changes, and at every reconciliation (a term may have begun or ended).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::SqliteConnection;

use super::entitlements::BillingPeriod;
use crate::error::Result;
use crate::reclaim::money::exponent;

/// One entitlement as the cost needs it.
#[derive(Debug, Clone)]
pub(crate) struct Priced {
    pub rights: i64,
    pub unit_minor: i64,
    pub currency: String,
    pub rate_micros: Option<i64>,
    pub billing_period: BillingPeriod,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
}

/// The monthly cost of one seat of `e`, in millionths of a minor unit of `reporting`.
fn monthly_micro_minor(e: &Priced, reporting: &str) -> i128 {
    let (own, rep) = (i32::from(exponent(&e.currency)), i32::from(exponent(reporting)));
    let rate = i128::from(e.rate_micros.unwrap_or(1_000_000));
    let months = match e.billing_period {
        BillingPeriod::Monthly => 1,
        BillingPeriod::Annual => 12,
    };
    // unit × rate/1e6 × 10^(rep − own) ÷ months, × 1e6.
    let mut value = i128::from(e.unit_minor) * rate;
    let mut divisor = i128::from(months);
    if rep >= own {
        value *= 10_i128.pow((rep - own) as u32);
    } else {
        divisor *= 10_i128.pow((own - rep) as u32);
    }
    (value + divisor / 2) / divisor
}

/// The entitlements whose price is the model's today: those in use, else the one that ended last,
/// else the one that starts first.
pub(crate) fn pricing(entitlements: &[Priced], today: NaiveDate) -> Vec<&Priced> {
    let in_use: Vec<_> =
        entitlements.iter().filter(|e| e.term_start <= today && today <= e.term_end).collect();
    if !in_use.is_empty() {
        return in_use;
    }
    let ended = entitlements.iter().filter(|e| e.term_end < today).max_by_key(|e| e.term_end);
    let next = entitlements.iter().filter(|e| e.term_start > today).min_by_key(|e| e.term_start);
    ended.or(next).into_iter().collect()
}

/// The monthly cost of one seat, in minor units of `reporting`, from the model's entitlements.
pub(crate) fn unit_monthly(entitlements: &[Priced], reporting: &str, today: NaiveDate) -> Option<i64> {
    let pricing = pricing(entitlements, today);
    if pricing.is_empty() {
        return None;
    }
    let rights: i128 = pricing.iter().map(|e| i128::from(e.rights)).sum();
    let (sum, weight) = if rights > 0 {
        (
            pricing.iter().map(|e| i128::from(e.rights) * monthly_micro_minor(e, reporting)).sum::<i128>(),
            rights,
        )
    } else {
        (pricing.iter().map(|e| monthly_micro_minor(e, reporting)).sum::<i128>(), pricing.len() as i128)
    };
    let divisor = weight * 1_000_000;
    i64::try_from((sum + divisor / 2) / divisor).ok()
}

/// Recomputes the unit cost of every model of the profile (see the module docs).
pub(crate) async fn refresh(conn: &mut SqliteConnection, profile_id: i64, now: DateTime<Utc>) -> Result<()> {
    let today = now.date_naive();
    let rows = sqlx::query!(
        r#"SELECT e.model_id, e.purchased_rights, e.unit_cost_minor, e.currency, e.rate_micros,
               e.billing_period AS "billing_period: BillingPeriod", e.term_start AS "term_start: NaiveDate",
               e.term_end AS "term_end: NaiveDate"
           FROM software_entitlements e WHERE e.profile_id = ?"#,
        profile_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_model: HashMap<i64, Vec<Priced>> = HashMap::new();
    for r in rows {
        by_model.entry(r.model_id).or_default().push(Priced {
            rights: r.purchased_rights,
            unit_minor: r.unit_cost_minor,
            currency: r.currency,
            rate_micros: r.rate_micros,
            billing_period: r.billing_period,
            term_start: r.term_start,
            term_end: r.term_end,
        });
    }
    let models = sqlx::query!(
        r#"SELECT id AS "id!", reporting_currency, monthly_cost_minor, currency FROM software_models WHERE profile_id = ?"#,
        profile_id
    )
    .fetch_all(&mut *conn)
    .await?;
    for m in models {
        let (unit, currency) = match (by_model.get(&m.id), m.reporting_currency) {
            (Some(entitlements), Some(reporting)) => {
                (unit_monthly(entitlements, &reporting, today), Some(reporting))
            }
            _ => (m.monthly_cost_minor, m.monthly_cost_minor.map(|_| m.currency)),
        };
        let currency = unit.and(currency);
        sqlx::query!(
            "UPDATE software_models SET unit_monthly_minor = ?, unit_currency = ? WHERE id = ? \
             AND (unit_monthly_minor IS NOT ? OR unit_currency IS NOT ?)",
            unit,
            currency,
            m.id,
            unit,
            currency
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn priced(rights: i64, unit: i64, currency: &str, period: BillingPeriod, from: &str, to: &str) -> Priced {
        Priced {
            rights,
            unit_minor: unit,
            currency: currency.into(),
            rate_micros: None,
            billing_period: period,
            term_start: day(from),
            term_end: day(to),
        }
    }

    #[test]
    fn annual_prices_are_per_month_and_rights_weigh_the_average() {
        let today = day("2026-06-01");
        // 100 seats at 25.00/month and 300 at 240.00/year (20.00/month): (100×25 + 300×20) / 400 = 21.25.
        let e = [
            priced(100, 2500, "USD", BillingPeriod::Monthly, "2026-01-01", "2026-12-31"),
            priced(300, 24000, "USD", BillingPeriod::Annual, "2026-01-01", "2026-12-31"),
        ];
        assert_eq!(unit_monthly(&e, "USD", today), Some(2125));
    }

    #[test]
    fn other_currencies_convert_with_their_rate_and_minor_units() {
        let today = day("2026-06-01");
        // 3,000 JPY a month at 0.0064 USD per yen = 19.20 USD.
        let mut yen = priced(10, 3000, "JPY", BillingPeriod::Monthly, "2026-01-01", "2026-12-31");
        yen.rate_micros = Some(6_400);
        assert_eq!(unit_monthly(&[yen.clone()], "USD", today), Some(1920));
        // 20.00 EUR at 1.08 = 21.60 USD.
        let mut euro = priced(10, 2000, "EUR", BillingPeriod::Monthly, "2026-01-01", "2026-12-31");
        euro.rate_micros = Some(1_080_000);
        assert_eq!(unit_monthly(&[euro], "USD", today), Some(2160));
        // 19.20 USD into yen at 156.25 = 3,000 JPY.
        let mut dollars = priced(1, 1920, "USD", BillingPeriod::Monthly, "2026-01-01", "2026-12-31");
        dollars.rate_micros = Some(156_250_000);
        assert_eq!(unit_monthly(&[dollars], "JPY", today), Some(3000));
    }

    #[test]
    fn the_price_is_that_of_the_entitlements_in_use() {
        let old = priced(100, 3000, "USD", BillingPeriod::Monthly, "2025-01-01", "2025-12-31");
        let current = priced(100, 2500, "USD", BillingPeriod::Monthly, "2026-01-01", "2026-12-31");
        let next = priced(100, 2000, "USD", BillingPeriod::Monthly, "2027-01-01", "2027-12-31");
        let all = [old, current, next];
        assert_eq!(unit_monthly(&all, "USD", day("2026-06-01")), Some(2500));
        // Between terms: the one that ended last.
        assert_eq!(unit_monthly(&all[..1], "USD", day("2026-06-01")), Some(3000));
        // Before any term: the one that starts first.
        assert_eq!(unit_monthly(&all[2..], "USD", day("2026-06-01")), Some(2000));
        assert_eq!(unit_monthly(&[], "USD", day("2026-06-01")), None);
    }
}
