//! Reclamation rules: one per software model, created with the model at sync and edited on the
//! Reclamation Rules screen (and the profile's related list). Every range is checked here with a
//! message on the field; the database's CHECKs are the last line.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::money::{check_currency, parse_amount, Money};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};

pub const MAX_THRESHOLD_DAYS: i64 = 3650;
pub const MAX_GRACE_DAYS: i64 = 3650;
pub const MAX_DAYS_BEFORE_AUTO_RECLAMATION: i64 = 365;

/// What reclaiming a seat does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum ReclaimAction {
    /// User Subscription Model: downgrade the paid seat (MEMBER) to CONTRIBUTOR, or to GUEST for an
    /// external user. Legacy plan: clear `licensedSheetCreator` (and group admin and resource
    /// viewer, which need a license). The user keeps their access and their items.
    FreeSeat,
    /// Deactivate the user: they can no longer sign in to Smartsheet at all; their items stay theirs.
    /// Reversible within 30 days. Smartsheet does not document that it frees a paid seat.
    Deactivate,
}

/// A software model's reclamation rule, with what the screen shows beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct ReclamationRule {
    pub id: i64,
    pub profile_id: i64,
    pub model_id: i64,
    /// "Applies to": the software model.
    pub model_name: String,
    /// Only paid models' subscriptions become removal candidates.
    pub paid: bool,
    pub subscription_count: i64,
    pub open_candidates: i64,
    pub last_activity_threshold_days: i64,
    pub grace_period_days: i64,
    pub active: bool,
    pub notify_user: bool,
    pub days_before_auto_reclamation: i64,
    /// Reclaim Ready candidates without a review (default off).
    pub auto_reclaim: bool,
    pub reclaim_action: ReclaimAction,
    /// One seat per month, used while the model has no entitlement (entitlements give the cost).
    pub monthly_cost: Option<Money>,
    pub currency: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The rule form. Field errors name these fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub struct RuleInput {
    pub last_activity_threshold_days: i64,
    pub grace_period_days: i64,
    pub active: bool,
    pub notify_user: bool,
    pub days_before_auto_reclamation: i64,
    pub auto_reclaim: bool,
    pub reclaim_action: ReclaimAction,
    /// As typed, e.g. "25.00"; empty for none.
    pub monthly_cost: String,
    pub currency: String,
}

impl RuleInput {
    /// The defaults of a generated rule.
    pub fn defaults() -> Self {
        Self {
            last_activity_threshold_days: crate::sync::models::DEFAULT_LAST_ACTIVITY_THRESHOLD_DAYS,
            grace_period_days: 30,
            active: true,
            notify_user: false,
            days_before_auto_reclamation: 14,
            auto_reclaim: false,
            reclaim_action: ReclaimAction::FreeSeat,
            monthly_cost: String::new(),
            currency: "USD".into(),
        }
    }
}

fn in_range(field: &str, what: &str, value: i64, min: i64, max: i64) -> Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Error::validation(field, format!("{what} must be between {min} and {max} days (it is {value}).")))
    }
}

/// The rules of a profile, one per model, by model name.
pub async fn list_rules(db: &Db, profile_id: i64) -> Result<Vec<ReclamationRule>> {
    crate::profiles::ensure_exists(&mut *db.pool().acquire().await?, profile_id).await?;
    select(db, profile_id, None).await
}

pub async fn get_rule(db: &Db, rule_id: i64) -> Result<ReclamationRule> {
    let profile_id = sqlx::query_scalar!(
        "SELECT m.profile_id FROM reclamation_rules r JOIN software_models m ON m.id = r.model_id WHERE r.id = ?",
        rule_id
    )
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| not_found(rule_id))?;
    select(db, profile_id, Some(rule_id)).await?.pop().ok_or_else(|| not_found(rule_id))
}

fn not_found(rule_id: i64) -> Error {
    Error::NotFound(format!(
        "The reclamation rule (id {rule_id}) no longer exists; its model or profile may have been deleted. \
         Refresh the list."
    ))
}

async fn select(db: &Db, profile_id: i64, rule_id: Option<i64>) -> Result<Vec<ReclamationRule>> {
    let rows = sqlx::query!(
        r#"SELECT r.id AS "id!", m.profile_id, m.id AS "model_id!", m.name AS model_name, m.paid AS "paid: bool",
               -- Through the index of open seats by profile and model.
               (SELECT count(*) FROM software_subscriptions s
                 WHERE s.profile_id = m.profile_id AND s.model_id = m.id AND s.closed_at IS NULL)
                   AS "subscription_count!: i64",
               coalesce(o.open_candidates, 0) AS "open_candidates!: i64",
               r.last_activity_threshold_days, r.grace_period_days, r.active AS "active: bool",
               r.notify_user AS "notify_user: bool", r.days_before_auto_reclamation,
               r.auto_reclaim AS "auto_reclaim: bool", r.reclaim_action AS "reclaim_action: ReclaimAction",
               m.monthly_cost_minor, m.currency, r.updated_at AS "updated_at: DateTime<Utc>"
           FROM reclamation_rules r JOIN software_models m ON m.id = r.model_id
           -- The profile's open candidates counted in one pass, not once per model: without the
           -- profile, each count read every seat or candidate of the database (at 50,000 seats and
           -- 20,000 candidates the list took a quarter of a second while the app drew a screen).
           LEFT JOIN (SELECT model_id, count(*) AS open_candidates FROM removal_candidates
                      WHERE profile_id = ?1 AND closed_at IS NULL GROUP BY model_id) o ON o.model_id = m.id
           WHERE m.profile_id = ?1 AND (?2 IS NULL OR r.id = ?2)
           ORDER BY m.paid DESC, m.name, m.id"#,
        profile_id,
        rule_id
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReclamationRule {
            id: r.id,
            profile_id: r.profile_id,
            model_id: r.model_id,
            model_name: r.model_name,
            paid: r.paid,
            subscription_count: r.subscription_count,
            open_candidates: r.open_candidates,
            last_activity_threshold_days: r.last_activity_threshold_days,
            grace_period_days: r.grace_period_days,
            active: r.active,
            notify_user: r.notify_user,
            days_before_auto_reclamation: r.days_before_auto_reclamation,
            auto_reclaim: r.auto_reclaim,
            reclaim_action: r.reclaim_action,
            monthly_cost: r.monthly_cost_minor.map(|minor| Money::new(&r.currency, minor)),
            currency: r.currency,
            updated_at: r.updated_at,
        })
        .collect())
}

/// Checks a rule form; returns the cost in minor units and the currency as stored.
pub fn check(input: &RuleInput) -> Result<(Option<i64>, String)> {
    in_range(
        "lastActivityThresholdDays",
        "The last activity threshold",
        input.last_activity_threshold_days,
        1,
        MAX_THRESHOLD_DAYS,
    )?;
    in_range(
        "gracePeriodDays",
        "The grace period for new accounts",
        input.grace_period_days,
        0,
        MAX_GRACE_DAYS,
    )?;
    in_range(
        "daysBeforeAutoReclamation",
        "Days before auto-reclamation",
        input.days_before_auto_reclamation,
        1,
        MAX_DAYS_BEFORE_AUTO_RECLAMATION,
    )?;
    if input.auto_reclaim && !input.active {
        return Err(Error::validation(
            "autoReclaim",
            "An inactive rule produces no candidates, so it cannot reclaim automatically. Make the rule Active, or \
             turn automatic reclaim off.",
        ));
    }
    let currency = check_currency("currency", &input.currency)?;
    let cost = parse_amount("monthlyCost", &input.monthly_cost, &currency)?;
    Ok((cost, currency))
}

/// Saves a rule (and its model's cost) as a whole, or nothing.
pub async fn update_rule(
    db: &Db,
    clock: &dyn Clock,
    rule_id: i64,
    input: RuleInput,
) -> Result<ReclamationRule> {
    let (cost, currency) = check(&input)?;
    let now = clock.now();
    let mut tx = db.write().await?;
    let model_id = sqlx::query_scalar!("SELECT model_id FROM reclamation_rules WHERE id = ?", rule_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| not_found(rule_id))?;
    sqlx::query!(
        "UPDATE reclamation_rules SET last_activity_threshold_days = ?, grace_period_days = ?, active = ?, \
         notify_user = ?, days_before_auto_reclamation = ?, auto_reclaim = ?, reclaim_action = ?, updated_at = ? \
         WHERE id = ?",
        input.last_activity_threshold_days,
        input.grace_period_days,
        input.active,
        input.notify_user,
        input.days_before_auto_reclamation,
        input.auto_reclaim,
        input.reclaim_action,
        now,
        rule_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE software_models SET monthly_cost_minor = ?, currency = ? WHERE id = ?",
        cost,
        currency,
        model_id
    )
    .execute(&mut *tx)
    .await?;
    let profile_id = sqlx::query_scalar!("SELECT profile_id FROM software_models WHERE id = ?", model_id)
        .fetch_one(&mut *tx)
        .await?;
    crate::reconcile::costs::refresh(&mut tx, profile_id, now).await?;
    tx.commit().await?;
    get_rule(db, rule_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_name_their_field() {
        let bad = |edit: fn(&mut RuleInput)| {
            let mut input = RuleInput::defaults();
            edit(&mut input);
            let e = check(&input).unwrap_err();
            (e.field().unwrap().to_owned(), e.to_string())
        };
        let (field, message) = bad(|i| i.last_activity_threshold_days = 0);
        assert_eq!(field, "lastActivityThresholdDays");
        assert!(message.contains("between 1 and 3650"), "{message}");
        assert_eq!(bad(|i| i.grace_period_days = -1).0, "gracePeriodDays");
        assert_eq!(bad(|i| i.days_before_auto_reclamation = 400).0, "daysBeforeAutoReclamation");
        assert_eq!(bad(|i| i.currency = "DOLLARS".into()).0, "currency");
        assert_eq!(bad(|i| i.monthly_cost = "-3".into()).0, "monthlyCost");
        assert_eq!(
            bad(|i| {
                i.active = false;
                i.auto_reclaim = true;
            })
            .0,
            "autoReclaim"
        );
        assert_eq!(check(&RuleInput::defaults()).unwrap(), (None, "USD".to_owned()));
    }
}
