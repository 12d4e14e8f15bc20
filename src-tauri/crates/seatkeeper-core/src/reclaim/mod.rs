//! Reclamation: from the rules to the seats the admin decides to reclaim.
//!
//! - [`rules`]: one reclamation rule per software model (threshold, grace period, Active, Notify
//!   user, Days before auto-reclamation, the reclaim action) and the model's cost per seat;
//! - [`protected`]: the Protected users list (never reclaimed);
//! - [`candidates`]: who is a removal candidate ([`candidates::judge`], the one definition),
//!   keeping candidates in step with the data ([`candidates::compute`]), reading them in pages, and
//!   the review's moves;
//! - [`state`]: the candidate states (ServiceNow's) and every move between them;
//! - [`money`]: costs in minor units of an ISO 4217 currency;
//! - [`job`]: the dry run, the admin's confirmation, and the reclaim job that writes the seats;
//! - [`seat`]: a user's seat as Smartsheet says it is now, and the writes that change it;
//! - [`audit`]: the audit log (intent before each write, outcome after) and what can be undone;
//! - [`undo`]: giving a reclaimed seat back.

pub mod audit;
pub mod candidates;
pub mod job;
pub mod money;
pub mod protected;
pub mod rules;
pub mod seat;
pub mod state;
pub mod undo;

pub use audit::{get_audit, list_audit, AuditFilter, AuditOutcome, AuditPage, AuditRecord};
pub use candidates::{
    candidate_ids, compute, list_candidates, move_candidates, savings, skip, CandidateFilter, CandidatePage,
    CandidatePageRequest, CandidateSort, ComputeSummary, Justification, LastActivitySource, RemovalCandidate,
    ReviewMove, SavingsSummary,
};
pub use job::{
    confirm, confirm_and_run, os_user, preview, ReclaimConfirmation, ReclaimPreview, ReclaimPreviewItem,
    ReclaimRefusal,
};
pub use money::Money;
pub use protected::{
    add_protected, delete_protected, list_protected, protect_candidates, ProtectedUser, ProtectedUserInput,
};
pub use rules::{get_rule, list_rules, update_rule, ReclaimAction, ReclamationRule, RuleInput};
pub use seat::SeatAction;
pub use state::CandidateState;
pub use undo::undo;
