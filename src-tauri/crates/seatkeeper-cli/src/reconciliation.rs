//! The reconciliation verbs of `seatkeeper`: `reconcile` (run one, print the figures per model)
//! and `entitlements` (list, add, remove), on the same core as the app's License Usage view and
//! Software Entitlements screen.
//!
//! Money in the figures is per year, in each model's currency (`currency`): true-up cost, potential
//! savings (open removal candidates) and actual savings (seats reclaimed since the term start).

use std::io::Write;

use seatkeeper_core::profiles::Profile;
use seatkeeper_core::reclaim::money::{self, Money};
use seatkeeper_core::reconcile::{
    self, BillingPeriod, Entitlement, EntitlementInput, ModelReconciliation, Reconciliation, Trigger,
};
use seatkeeper_core::{Db, SystemClock};
use serde::Serialize;

use crate::reclamation::{find_model, table};
use crate::{write_all, CliResult};

/// One model's figures as `reconcile --json` and `--csv` print them (snake_case, money as plain
/// amounts per year in `currency`).
#[derive(Debug, Serialize)]
pub struct ModelFigures {
    pub model: String,
    pub owned: i64,
    pub used: i64,
    pub excluded: i64,
    pub active: i64,
    pub inactive: i64,
    /// "Compliant" or "Not Compliant".
    pub compliance: &'static str,
    pub over_licensed: i64,
    pub rights_needed: i64,
    pub open_candidates: i64,
    pub reclaimed: i64,
    pub unit_cost_per_month: Option<String>,
    pub true_up_cost: Option<String>,
    pub potential_savings: Option<String>,
    pub actual_savings: Option<String>,
    pub currency: Option<String>,
}

/// The columns of `reconcile --csv`, as [`ModelFigures`] names them.
pub const FIGURES_HEADER: &[&str] = &[
    "model",
    "owned",
    "used",
    "excluded",
    "active",
    "inactive",
    "compliance",
    "over_licensed",
    "rights_needed",
    "open_candidates",
    "reclaimed",
    "unit_cost_per_month",
    "true_up_cost",
    "potential_savings",
    "actual_savings",
    "currency",
];

fn plain(m: &Option<Money>) -> Option<String> {
    m.as_ref().map(|m| money::plain(m.minor, m.exponent))
}

pub fn figures(run: &Reconciliation) -> Vec<ModelFigures> {
    run.models
        .iter()
        .map(|m: &ModelReconciliation| ModelFigures {
            model: m.model.clone(),
            owned: m.owned,
            used: m.used,
            excluded: m.excluded,
            active: m.active,
            inactive: m.inactive,
            compliance: m.compliance.label(),
            over_licensed: m.over_licensed,
            rights_needed: m.rights_needed,
            open_candidates: m.open_candidates,
            reclaimed: m.reclaimed,
            unit_cost_per_month: plain(&m.unit_monthly),
            true_up_cost: plain(&m.true_up_cost),
            potential_savings: plain(&m.potential_savings),
            actual_savings: plain(&m.actual_savings),
            currency: m.unit_monthly.as_ref().map(|u| u.currency.clone()),
        })
        .collect()
}

/// Runs a reconciliation of the profile now (kept as a snapshot, as the app's Reconcile now).
pub async fn run(db: &Db, profile: &Profile) -> CliResult<Reconciliation> {
    Ok(reconcile::reconcile(db, &SystemClock, profile.id, Trigger::OnDemand).await?)
}

/// The figures as a table, for people.
pub fn figures_table(profile: &Profile, run: &Reconciliation) -> String {
    let header = [
        "Model",
        "Owned",
        "Used",
        "Excluded",
        "Active",
        "Inactive",
        "Compliance",
        "Over-licensed",
        "True-up/yr",
        "Potential savings/yr",
        "Actual savings/yr",
    ];
    let money = |m: &Option<Money>| m.as_ref().map_or_else(|| "—".into(), ToString::to_string);
    let body = run
        .models
        .iter()
        .map(|m| {
            vec![
                m.model.clone(),
                m.owned.to_string(),
                m.used.to_string(),
                m.excluded.to_string(),
                m.active.to_string(),
                m.inactive.to_string(),
                m.compliance.label().into(),
                m.over_licensed.to_string(),
                money(&m.true_up_cost),
                money(&m.potential_savings),
                money(&m.actual_savings),
            ]
        })
        .collect();
    let mut out = format!(
        "Reconciliation of “{}” at {} (kept as run {}).\n",
        profile.display_name,
        run.run_at.format("%Y-%m-%d %H:%M UTC"),
        run.run_id
    );
    out.push_str(&table(&header, body));
    let not = run.models.iter().filter(|m| m.compliance == reconcile::Compliance::NotCompliant).count();
    if not > 0 {
        out.push_str(&format!(
            "{not} model{} Not Compliant: more seats used than owned. Add entitlements (`seatkeeper entitlements … add`) \
             or reclaim unused seats (`seatkeeper candidates …`).\n",
            if not == 1 { " is" } else { "s are" }
        ));
    }
    out
}

/// Writes the figures as CSV (text made spreadsheet-safe).
pub fn write_figures_csv(run: &Reconciliation, out: impl Write) -> CliResult<usize> {
    csv_out(out, FIGURES_HEADER, &figures(run))
}

fn csv_out<T: Serialize>(out: impl Write, header: &[&str], rows: &[T]) -> CliResult<usize> {
    let mut w = csv::Writer::from_writer(out);
    let n = write_all(&mut w, header, rows)?;
    w.flush()?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// entitlements

/// An entitlement as `entitlements --json` / `--csv` print it.
#[derive(Debug, Serialize)]
pub struct EntitlementRow {
    pub id: i64,
    pub model: String,
    pub display_name: String,
    pub purchased_rights: i64,
    pub unit_cost: String,
    pub currency: String,
    pub rate: Option<String>,
    pub reporting_currency: String,
    pub billing_period: &'static str,
    pub term_start: String,
    pub term_end: String,
    pub state: &'static str,
    pub license_metric: &'static str,
    pub notes: Option<String>,
}

pub const ENTITLEMENT_HEADER: &[&str] = &[
    "id",
    "model",
    "display_name",
    "purchased_rights",
    "unit_cost",
    "currency",
    "rate",
    "reporting_currency",
    "billing_period",
    "term_start",
    "term_end",
    "state",
    "license_metric",
    "notes",
];

pub fn entitlement_rows(list: &[Entitlement]) -> Vec<EntitlementRow> {
    list.iter()
        .map(|e| EntitlementRow {
            id: e.id,
            model: e.model_name.clone(),
            display_name: e.display_name.clone(),
            purchased_rights: e.purchased_rights,
            unit_cost: money::plain(e.unit_cost.minor, e.unit_cost.exponent),
            currency: e.unit_cost.currency.clone(),
            rate: e.rate.clone(),
            reporting_currency: e.reporting_currency.clone(),
            billing_period: e.billing_period.label(),
            term_start: e.term_start.to_string(),
            term_end: e.term_end.to_string(),
            state: match e.state {
                reconcile::TermState::Future => "Future",
                reconcile::TermState::InUse => "In use",
                reconcile::TermState::Expired => "Expired",
            },
            license_metric: "User Subscription",
            notes: e.notes.clone(),
        })
        .collect()
}

pub async fn list(db: &Db, profile: &Profile) -> CliResult<Vec<Entitlement>> {
    Ok(reconcile::list_entitlements(db, &SystemClock, Some(profile.id), None).await?)
}

pub fn entitlement_table(list: &[Entitlement]) -> String {
    if list.is_empty() {
        return "No software entitlements. Add one with `seatkeeper entitlements <profile> add`.\n".into();
    }
    let header = ["ID", "Model", "Display name", "Rights", "Unit cost", "Billing", "Term", "State"];
    let rows = entitlement_rows(list)
        .into_iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.model,
                e.display_name,
                e.purchased_rights.to_string(),
                match &e.rate {
                    Some(rate) => {
                        format!("{} {} (1 = {rate} {})", e.unit_cost, e.currency, e.reporting_currency)
                    }
                    None => format!("{} {}", e.unit_cost, e.currency),
                },
                e.billing_period.into(),
                format!("{} – {}", e.term_start, e.term_end),
                e.state.into(),
            ]
        })
        .collect();
    table(&header, rows)
}

pub fn write_entitlements_csv(list: &[Entitlement], out: impl Write) -> CliResult<usize> {
    csv_out(out, ENTITLEMENT_HEADER, &entitlement_rows(list))
}

/// What `entitlements <profile> add` was given.
#[derive(Debug, Clone)]
pub struct NewEntitlement {
    pub model: String,
    pub display_name: Option<String>,
    pub rights: i64,
    pub unit_cost: String,
    pub currency: String,
    pub rate: Option<String>,
    pub annual: bool,
    pub start: String,
    pub end: String,
    pub notes: Option<String>,
}

pub async fn add(db: &Db, profile: &Profile, new: NewEntitlement) -> CliResult<Entitlement> {
    let model_id = find_model(db, profile, &new.model).await?;
    let display_name = new.display_name.unwrap_or_else(|| format!("{} seats from {}", new.rights, new.start));
    let input = EntitlementInput {
        model_id,
        display_name,
        purchased_rights: new.rights,
        unit_cost: new.unit_cost,
        currency: new.currency,
        rate: new.rate.unwrap_or_default(),
        billing_period: if new.annual { BillingPeriod::Annual } else { BillingPeriod::Monthly },
        term_start: new.start,
        term_end: new.end,
        notes: new.notes.unwrap_or_default(),
    };
    Ok(reconcile::create_entitlement(db, &SystemClock, profile.id, input).await?)
}

/// Removes entitlements of the profile, all or none: an id of another profile is refused.
pub async fn remove(db: &Db, profile: &Profile, ids: &[i64]) -> CliResult<usize> {
    let own = list(db, profile).await?;
    if let Some(id) = ids.iter().find(|id| !own.iter().any(|e| e.id == **id)) {
        return Err(crate::CliError::new(
            crate::EXIT_NOT_FOUND,
            format!(
                "“{}” has no software entitlement {id}; `seatkeeper entitlements {}` lists them. Nothing was removed.",
                profile.display_name, profile.id
            ),
        ));
    }
    Ok(reconcile::delete_entitlements(db, &SystemClock, ids).await?)
}
