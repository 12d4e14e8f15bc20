//! Software entitlements: what the organization bought for a software model (purchased rights,
//! unit cost, billing period, term). Several entitlements of one model add up. Every field is
//! checked here with a message on the field; nothing is saved unless all of it is valid.
//!
//! A model's entitlements are reconciled in one currency, its *reporting currency*: the currency of
//! its first entitlement. An entitlement in another currency carries a rate ("1 EUR = 1.08 USD");
//! without one it is refused.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::costs;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::reclaim::money::{check_currency, parse_amount, plain, Money};

/// The most rights one entitlement may hold: more than any Smartsheet organization has users.
pub const MAX_RIGHTS: i64 = 1_000_000;
/// The longest display name and notes kept.
pub const MAX_NAME: usize = 200;
pub const MAX_NOTES: usize = 2000;
/// Rates are kept to 6 decimals, and at most this large.
const MAX_RATE_MICROS: i64 = 1_000_000_000_000;

/// How often the unit cost is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub enum BillingPeriod {
    Monthly,
    Annual,
}

impl BillingPeriod {
    pub fn label(self) -> &'static str {
        match self {
            Self::Monthly => "Monthly",
            Self::Annual => "Annual",
        }
    }
}

/// How rights are consumed. Smartsheet seats are User Subscriptions: one right per active, unique
/// subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub enum LicenseMetric {
    UserSubscription,
}

/// Where an entitlement's term stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub enum TermState {
    /// Starts later: its rights are not owned yet.
    Future,
    /// Its rights count as owned.
    InUse,
    Expired,
}

/// A software entitlement, as the Software Entitlements screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct Entitlement {
    pub id: i64,
    pub profile_id: i64,
    pub model_id: i64,
    pub model_name: String,
    pub display_name: String,
    pub purchased_rights: i64,
    /// Per seat and billing period.
    pub unit_cost: Money,
    /// "1 <currency> = <rate> <reportingCurrency>", when the currency is not the model's.
    pub rate: Option<String>,
    pub reporting_currency: String,
    pub billing_period: BillingPeriod,
    #[ts(type = "string")]
    pub term_start: NaiveDate,
    #[ts(type = "string")]
    pub term_end: NaiveDate,
    pub license_metric: LicenseMetric,
    pub notes: Option<String>,
    pub state: TermState,
    /// Purchased rights × unit cost, per billing period.
    pub total_cost: Money,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The entitlement form, as typed. Field errors name these fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reconcile.ts")]
pub struct EntitlementInput {
    pub model_id: i64,
    pub display_name: String,
    pub purchased_rights: i64,
    /// Per seat and billing period, e.g. "25.00".
    pub unit_cost: String,
    pub currency: String,
    /// How many of the model's reporting currency one `currency` is worth; empty when the same.
    pub rate: String,
    pub billing_period: BillingPeriod,
    /// `YYYY-MM-DD`.
    pub term_start: String,
    pub term_end: String,
    pub notes: String,
}

/// An input that passed every check.
struct Checked {
    display_name: String,
    rights: i64,
    unit_minor: i64,
    currency: String,
    rate_micros: Option<i64>,
    start: NaiveDate,
    end: NaiveDate,
    notes: Option<String>,
}

fn date(field: &str, what: &str, input: &str) -> Result<NaiveDate> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Error::validation(field, format!("Enter the {what}, for example 2026-01-01.")));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Error::validation(
            field,
            format!("“{text}” is not a date. Enter the {what} as YYYY-MM-DD, for example 2026-01-01."),
        )
    })?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&day)) {
        return Err(Error::validation(field, format!("The {what} must be between the years 2000 and 2100.")));
    }
    Ok(day)
}

/// A rate as typed ("1.08", "0.0064") → millionths. Empty → None.
fn parse_rate(input: &str) -> Result<Option<i64>> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || {
        Error::validation(
            "rate",
            format!("“{text}” is not a rate. Enter a positive number such as 1.08, with at most 6 decimals."),
        )
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 6
        || whole.len() > 7
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| bad())?;
    let micros = whole * 1_000_000 + fraction;
    if micros == 0 || micros > MAX_RATE_MICROS {
        return Err(bad());
    }
    Ok(Some(micros))
}

/// "1.08" for 1,080,000 millionths.
pub(crate) fn rate_text(micros: i64) -> String {
    let text = plain(micros, 6);
    let text = text.trim_end_matches('0');
    text.trim_end_matches('.').to_owned()
}

/// Checks everything that does not need the database.
fn check(input: &EntitlementInput) -> Result<Checked> {
    let display_name = input.display_name.trim();
    if display_name.is_empty() {
        return Err(Error::validation(
            "displayName",
            "Enter a display name, for example “Smartsheet Business 2026”.",
        ));
    }
    if display_name.chars().count() > MAX_NAME {
        return Err(Error::validation(
            "displayName",
            format!("A display name has at most {MAX_NAME} characters."),
        ));
    }
    if input.purchased_rights < 0 {
        return Err(Error::validation("purchasedRights", "Purchased rights cannot be negative."));
    }
    if input.purchased_rights > MAX_RIGHTS {
        return Err(Error::validation(
            "purchasedRights",
            format!(
                "{} rights is more than Seatkeeper accepts (at most {MAX_RIGHTS}); check the number.",
                input.purchased_rights
            ),
        ));
    }
    let currency = check_currency("currency", &input.currency)?;
    let unit_minor = parse_amount("unitCost", &input.unit_cost, &currency)?.ok_or_else(|| {
        Error::validation("unitCost", "Enter the unit cost per seat, for example 25.00 (0 if free).")
    })?;
    let rate_micros = parse_rate(&input.rate)?;
    let start = date("termStart", "term start", &input.term_start)?;
    let end = date("termEnd", "term end", &input.term_end)?;
    if end < start {
        return Err(Error::validation(
            "termEnd",
            format!("The term ends ({end}) before it starts ({start})."),
        ));
    }
    let notes = input.notes.trim();
    if notes.chars().count() > MAX_NOTES {
        return Err(Error::validation("notes", format!("Notes have at most {MAX_NOTES} characters.")));
    }
    Ok(Checked {
        display_name: display_name.to_owned(),
        rights: input.purchased_rights,
        unit_minor,
        currency,
        rate_micros,
        start,
        end,
        notes: (!notes.is_empty()).then(|| notes.to_owned()),
    })
}

fn not_found(id: i64) -> Error {
    Error::NotFound(format!(
        "The software entitlement (id {id}) no longer exists; it may have been deleted. Refresh the list."
    ))
}

/// The model's reporting currency after this entitlement is saved, and the rate to keep: none when
/// the entitlement is in that currency, else the rate it must carry.
async fn currency_of(
    conn: &mut SqliteConnection,
    profile_id: i64,
    model_id: i64,
    editing: Option<i64>,
    checked: &Checked,
) -> Result<(String, Option<i64>)> {
    let model = sqlx::query!(
        r#"SELECT m.name, m.reporting_currency,
               (SELECT count(*) FROM software_entitlements e WHERE e.model_id = m.id AND e.id IS NOT ?3) AS "others!: i64"
           FROM software_models m WHERE m.id = ?1 AND m.profile_id = ?2"#,
        model_id,
        profile_id,
        editing
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        Error::validation("modelId", "Choose a software model of this profile; the one chosen no longer exists.")
    })?;
    let reporting = match model.reporting_currency {
        Some(code) if model.others > 0 => code,
        // The first (or only) entitlement sets the model's currency.
        _ => return Ok((checked.currency.clone(), None)),
    };
    if checked.currency == reporting {
        return Ok((reporting, None));
    }
    match checked.rate_micros {
        Some(rate) => Ok((reporting, Some(rate))),
        None => Err(Error::validation(
            "rate",
            format!(
                "{}’s entitlements are in {reporting}. Enter how many {reporting} one {} is worth (for example 1.08), \
                 or enter this entitlement in {reporting}.",
                model.name, checked.currency
            ),
        )),
    }
}

/// Adds an entitlement to a software model of the profile.
pub async fn create_entitlement(
    db: &Db,
    clock: &dyn Clock,
    profile_id: i64,
    input: EntitlementInput,
) -> Result<Entitlement> {
    let checked = check(&input)?;
    let now = clock.now();
    let mut tx = db.write().await?;
    crate::profiles::ensure_exists(&mut tx, profile_id).await?;
    let (reporting, rate) = currency_of(&mut tx, profile_id, input.model_id, None, &checked).await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO software_entitlements (profile_id, model_id, display_name, purchased_rights, unit_cost_minor,
               currency, rate_micros, billing_period, term_start, term_end, notes, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id AS "id!""#,
        profile_id,
        input.model_id,
        checked.display_name,
        checked.rights,
        checked.unit_minor,
        checked.currency,
        rate,
        input.billing_period,
        checked.start,
        checked.end,
        checked.notes,
        now,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("UPDATE software_models SET reporting_currency = ? WHERE id = ?", reporting, input.model_id)
        .execute(&mut *tx)
        .await?;
    costs::refresh(&mut tx, profile_id, now).await?;
    tx.commit().await?;
    get_entitlement(db, clock, id).await
}

/// Changes an entitlement (its model too).
pub async fn update_entitlement(
    db: &Db,
    clock: &dyn Clock,
    id: i64,
    input: EntitlementInput,
) -> Result<Entitlement> {
    let checked = check(&input)?;
    let now = clock.now();
    let mut tx = db.write().await?;
    let old = sqlx::query!("SELECT profile_id, model_id FROM software_entitlements WHERE id = ?", id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| not_found(id))?;
    let (reporting, rate) = currency_of(&mut tx, old.profile_id, input.model_id, Some(id), &checked).await?;
    sqlx::query!(
        "UPDATE software_entitlements SET model_id = ?, display_name = ?, purchased_rights = ?, unit_cost_minor = ?, \
           currency = ?, rate_micros = ?, billing_period = ?, term_start = ?, term_end = ?, notes = ?, updated_at = ? \
         WHERE id = ?",
        input.model_id,
        checked.display_name,
        checked.rights,
        checked.unit_minor,
        checked.currency,
        rate,
        input.billing_period,
        checked.start,
        checked.end,
        checked.notes,
        now,
        id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE software_models SET reporting_currency = ? WHERE id = ?", reporting, input.model_id)
        .execute(&mut *tx)
        .await?;
    if old.model_id != input.model_id {
        release_currency(&mut tx, old.model_id).await?;
    }
    costs::refresh(&mut tx, old.profile_id, now).await?;
    tx.commit().await?;
    get_entitlement(db, clock, id).await
}

/// A model left without entitlements has no reporting currency any more.
async fn release_currency(conn: &mut SqliteConnection, model_id: i64) -> Result<()> {
    sqlx::query!(
        "UPDATE software_models SET reporting_currency = NULL WHERE id = ?1 \
         AND NOT EXISTS (SELECT 1 FROM software_entitlements WHERE model_id = ?1)",
        model_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes entitlements. All or nothing: an id that does not exist removes none.
pub async fn delete_entitlements(db: &Db, clock: &dyn Clock, ids: &[i64]) -> Result<usize> {
    let mut tx = db.write().await?;
    let mut profiles = Vec::new();
    for &id in ids {
        let row =
            sqlx::query!("DELETE FROM software_entitlements WHERE id = ? RETURNING profile_id, model_id", id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| not_found(id))?;
        release_currency(&mut tx, row.model_id).await?;
        profiles.push(row.profile_id);
    }
    profiles.sort_unstable();
    profiles.dedup();
    for profile_id in profiles {
        costs::refresh(&mut tx, profile_id, clock.now()).await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

struct Row {
    id: i64,
    profile_id: i64,
    model_id: i64,
    model_name: String,
    display_name: String,
    purchased_rights: i64,
    unit_cost_minor: i64,
    currency: String,
    rate_micros: Option<i64>,
    reporting_currency: Option<String>,
    billing_period: BillingPeriod,
    term_start: NaiveDate,
    term_end: NaiveDate,
    license_metric: LicenseMetric,
    notes: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn into_entitlement(self, today: NaiveDate) -> Entitlement {
        let state = if today < self.term_start {
            TermState::Future
        } else if today > self.term_end {
            TermState::Expired
        } else {
            TermState::InUse
        };
        Entitlement {
            id: self.id,
            profile_id: self.profile_id,
            model_id: self.model_id,
            model_name: self.model_name,
            display_name: self.display_name,
            purchased_rights: self.purchased_rights,
            unit_cost: Money::new(&self.currency, self.unit_cost_minor),
            total_cost: Money::new(
                &self.currency,
                self.unit_cost_minor.saturating_mul(self.purchased_rights),
            ),
            rate: self.rate_micros.map(rate_text),
            reporting_currency: self.reporting_currency.unwrap_or_else(|| self.currency.clone()),
            billing_period: self.billing_period,
            term_start: self.term_start,
            term_end: self.term_end,
            license_metric: self.license_metric,
            notes: self.notes,
            state,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// The entitlements of a profile (every profile: None), optionally of one model, by model and term.
pub async fn list_entitlements(
    db: &Db,
    clock: &dyn Clock,
    profile_id: Option<i64>,
    model_id: Option<i64>,
) -> Result<Vec<Entitlement>> {
    read(db, clock, profile_id, model_id, None).await
}

pub async fn get_entitlement(db: &Db, clock: &dyn Clock, id: i64) -> Result<Entitlement> {
    read(db, clock, None, None, Some(id)).await?.pop().ok_or_else(|| not_found(id))
}

async fn read(
    db: &Db,
    clock: &dyn Clock,
    profile_id: Option<i64>,
    model_id: Option<i64>,
    id: Option<i64>,
) -> Result<Vec<Entitlement>> {
    let today = clock.now().date_naive();
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT e.id AS "id!", e.profile_id, e.model_id, m.name AS model_name, e.display_name, e.purchased_rights,
               e.unit_cost_minor, e.currency, e.rate_micros, m.reporting_currency,
               e.billing_period AS "billing_period: BillingPeriod", e.term_start AS "term_start: NaiveDate",
               e.term_end AS "term_end: NaiveDate", e.license_metric AS "license_metric: LicenseMetric", e.notes,
               e.created_at AS "created_at: DateTime<Utc>", e.updated_at AS "updated_at: DateTime<Utc>"
           FROM software_entitlements e JOIN software_models m ON m.id = e.model_id
           WHERE (?1 IS NULL OR e.profile_id = ?1) AND (?2 IS NULL OR e.model_id = ?2) AND (?3 IS NULL OR e.id = ?3)
           ORDER BY e.profile_id, m.paid DESC, m.name, e.term_start, e.id"#,
        profile_id,
        model_id,
        id
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| r.into_entitlement(today)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EntitlementInput {
        EntitlementInput {
            model_id: 1,
            display_name: "Smartsheet Business 2026".into(),
            purchased_rights: 100,
            unit_cost: "25.00".into(),
            currency: "USD".into(),
            rate: String::new(),
            billing_period: BillingPeriod::Monthly,
            term_start: "2026-01-01".into(),
            term_end: "2026-12-31".into(),
            notes: String::new(),
        }
    }

    fn field_of(edit: fn(&mut EntitlementInput)) -> (String, String) {
        let mut i = input();
        edit(&mut i);
        let e = check(&i).err().expect("refused");
        (e.field().unwrap_or_default().to_owned(), e.to_string())
    }

    #[test]
    fn bad_input_is_refused_on_its_field() {
        assert_eq!(field_of(|i| i.purchased_rights = -1).0, "purchasedRights");
        let (field, message) = field_of(|i| i.purchased_rights = 5_000_000);
        assert_eq!(field, "purchasedRights");
        assert!(message.contains("more than Seatkeeper accepts"), "{message}");
        let (field, message) = field_of(|i| i.term_end = "2025-12-31".into());
        assert_eq!(field, "termEnd");
        assert!(message.contains("before it starts"), "{message}");
        let (field, message) = field_of(|i| i.currency = "DOLLARS".into());
        assert_eq!(field, "currency");
        assert!(message.contains("ISO 4217"), "{message}");
        assert_eq!(field_of(|i| i.unit_cost = "-3".into()).0, "unitCost");
        assert_eq!(field_of(|i| i.unit_cost = String::new()).0, "unitCost");
        assert_eq!(field_of(|i| i.term_start = "01/02/2026".into()).0, "termStart");
        assert_eq!(field_of(|i| i.term_start = "1850-01-01".into()).0, "termStart");
        assert_eq!(field_of(|i| i.display_name = "  ".into()).0, "displayName");
        assert_eq!(field_of(|i| i.rate = "-1".into()).0, "rate");
        assert_eq!(field_of(|i| i.rate = "1.1234567".into()).0, "rate");
        assert_eq!(field_of(|i| i.rate = "0".into()).0, "rate");
    }

    #[test]
    fn rates_are_kept_in_millionths() {
        assert_eq!(parse_rate("1.08").unwrap(), Some(1_080_000));
        assert_eq!(parse_rate(" 0.0064 ").unwrap(), Some(6_400));
        assert_eq!(parse_rate("").unwrap(), None);
        assert_eq!(rate_text(1_080_000), "1.08");
        assert_eq!(rate_text(2_000_000), "2");
        assert_eq!(rate_text(6_400), "0.0064");
    }
}
