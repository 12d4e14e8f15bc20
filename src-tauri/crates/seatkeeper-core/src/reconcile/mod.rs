//! Entitlements and reconciliation: what the organization owns, what it uses, and what that costs
//! or could save.
//!
//! - [`entitlements`]: Software Entitlements (purchased rights, unit cost, term), checked field by field;
//! - [`costs`]: the one definition of what one seat of a model costs per month (entitlements, else the
//!   rule's cost per seat), kept on the model for the candidates' savings;
//! - [`figures`]: reconciliation per model (owned, used, excluded, active, compliance, true-up,
//!   savings), run on demand, after every refresh and weekly, each run kept as a snapshot;
//! - [`usage`]: the License Usage view (headline figures, the table, the charts' aggregates);
//! - [`job`]: the weekly "Reconcile `<name>` Subscriptions" job.

pub mod costs;
pub mod entitlements;
pub mod figures;
pub mod job;
pub mod usage;

pub use entitlements::{
    create_entitlement, delete_entitlements, get_entitlement, list_entitlements, update_entitlement,
    BillingPeriod, Entitlement, EntitlementInput, LicenseMetric, TermState,
};
pub use figures::{
    list_reconciliations, reconcile, Compliance, ModelReconciliation, Reconciliation, Trigger,
};
pub use usage::{license_usage, ActivityBucket, DailyActive, LicenseUsage, UsageTotals};
