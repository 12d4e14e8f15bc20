//! The removal candidate's states (ServiceNow's) and every move between them: one function,
//! [`next`], that the rest of the crate goes through.
//!
//! ```text
//!              notify (rule has Notify user)        user answers "keep it"
//!   Ready ───────────────────────────▶ Awaiting User ─────────────────▶ Awaiting Approval
//!    ▲  ▲          no answer within "Days before      │                   │ keep → Closed Skipped
//!    │  └──────────── auto-reclamation" ◀─────────────┘                   │ decline → Ready
//!    │                                                                    ▼
//!    │ confirm Reclaim                         reclaimed / already free
//!    └──▶ Awaiting Revocation ───────────────────────────────────────▶ Closed Complete
//!              │  └─ refused by Smartsheet ──▶ Attention Required ── resume ──▶ Ready
//!              └─ run cancelled ──▶ Ready
//!   any open state: activity again → Closed Canceled; skip / no longer a paid seat it may take →
//!   Closed Skipped. A closed candidate never moves again.
//! ```

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a removal candidate stands. The names are ServiceNow's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum CandidateState {
    /// The admin may reclaim it.
    Ready,
    /// The user was notified; waiting for their answer.
    AwaitingUser,
    /// The user asked to keep the seat; the admin decides.
    AwaitingApproval,
    /// The admin confirmed the reclaim; the reclaim job has not finished it yet.
    AwaitingRevocation,
    /// The reclaim failed, with Smartsheet's reason in the note.
    AttentionRequired,
    /// Reclaimed (or found already free).
    ClosedComplete,
    /// Not reclaimed: skipped by the admin, or no longer a seat this candidate may take.
    ClosedSkipped,
    /// Not reclaimed because the user was active again.
    ClosedCanceled,
}

impl CandidateState {
    pub const ALL: [Self; 8] = [
        Self::Ready,
        Self::AwaitingUser,
        Self::AwaitingApproval,
        Self::AwaitingRevocation,
        Self::AttentionRequired,
        Self::ClosedComplete,
        Self::ClosedSkipped,
        Self::ClosedCanceled,
    ];

    pub fn is_closed(self) -> bool {
        matches!(self, Self::ClosedComplete | Self::ClosedSkipped | Self::ClosedCanceled)
    }

    /// As the screens name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ready => "Ready",
            Self::AwaitingUser => "Awaiting User",
            Self::AwaitingApproval => "Awaiting Approval",
            Self::AwaitingRevocation => "Awaiting Revocation",
            Self::AttentionRequired => "Attention Required",
            Self::ClosedComplete => "Closed Complete",
            Self::ClosedSkipped => "Closed Skipped",
            Self::ClosedCanceled => "Closed Canceled",
        }
    }

    /// The stored value (`ready`, `closed_complete`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::AwaitingUser => "awaiting_user",
            Self::AwaitingApproval => "awaiting_approval",
            Self::AwaitingRevocation => "awaiting_revocation",
            Self::AttentionRequired => "attention_required",
            Self::ClosedComplete => "closed_complete",
            Self::ClosedSkipped => "closed_skipped",
            Self::ClosedCanceled => "closed_canceled",
        }
    }
}

/// What happens to a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The admin marked the user notified (rule with Notify user).
    Notified,
    /// The user asked to keep the seat.
    UserKeeps,
    /// No answer within the rule's Days before auto-reclamation.
    NoAnswer,
    /// The admin declined the user's request to keep it.
    Declined,
    /// The admin confirmed Reclaim for it.
    Confirmed,
    /// The reclaim job freed the seat, or found it already free.
    Reclaimed,
    /// Smartsheet refused the reclaim (or its outcome could not be settled).
    Failed,
    /// The admin sends a failed candidate back to Ready (Resume Reclaim).
    Resumed,
    /// The reclaim run was cancelled before it reached the candidate.
    RunCancelled,
    /// The user was active again.
    ActivityDetected,
    /// Skipped by the admin, or the subscription is no longer one the rules would reclaim.
    Skipped,
}

/// Why a move is not allowed, as the admin reads it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAllowed(pub String);

/// The state after `event`, or why the event does not apply to a candidate in `state`.
pub fn next(state: CandidateState, event: Event) -> Result<CandidateState, NotAllowed> {
    use CandidateState as S;
    use Event as E;
    if state.is_closed() {
        return Err(NotAllowed(format!(
            "This candidate is {} and cannot change any more. If the user is inactive again, the next refresh \
             opens a new candidate.",
            state.label()
        )));
    }
    let to = match (state, event) {
        (_, E::ActivityDetected) => S::ClosedCanceled,
        (S::AwaitingRevocation, E::Skipped) => {
            return Err(NotAllowed(
                "This candidate is being reclaimed (Awaiting Revocation). Wait for the reclaim to finish, or cancel \
                 the reclaim job first."
                    .into(),
            ))
        }
        (_, E::Skipped) => S::ClosedSkipped,
        (S::Ready, E::Notified) => S::AwaitingUser,
        (S::AwaitingUser, E::UserKeeps) => S::AwaitingApproval,
        (S::AwaitingUser, E::NoAnswer) => S::Ready,
        (S::AwaitingApproval, E::Declined) => S::Ready,
        (S::Ready, E::Confirmed) => S::AwaitingRevocation,
        (S::AttentionRequired, E::Confirmed) => S::AwaitingRevocation,
        (S::AwaitingRevocation, E::Reclaimed) => S::ClosedComplete,
        (S::AwaitingRevocation, E::Failed) => S::AttentionRequired,
        (S::AwaitingRevocation, E::RunCancelled) => S::Ready,
        (S::AttentionRequired, E::Resumed) => S::Ready,
        (state, event) => return Err(NotAllowed(refusal(state, event))),
    };
    Ok(to)
}

fn refusal(state: CandidateState, event: Event) -> String {
    let what = match event {
        Event::Notified => "marked notified",
        Event::UserKeeps => "given the user's answer",
        Event::NoAnswer => "moved to Ready for lack of an answer",
        Event::Declined => "declined",
        Event::Confirmed => "reclaimed",
        Event::Reclaimed => "recorded as reclaimed",
        Event::Failed => "recorded as failed",
        Event::Resumed => "resumed",
        Event::RunCancelled => "returned to Ready",
        Event::ActivityDetected | Event::Skipped => "changed",
    };
    let hint = match (state, event) {
        (CandidateState::AwaitingUser | CandidateState::AwaitingApproval, Event::Confirmed) => {
            " The user was notified and has not been decided on yet: wait for the answer (or for the rule's Days \
             before auto-reclamation), or decline their request first."
        }
        (CandidateState::AwaitingRevocation, Event::Confirmed) => " It is already being reclaimed.",
        _ => "",
    };
    format!("A candidate that is {} cannot be {what}.{hint}", state.label())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CandidateState as S;
    use Event as E;

    #[test]
    fn the_notify_loop() {
        assert_eq!(next(S::Ready, E::Notified), Ok(S::AwaitingUser));
        assert_eq!(next(S::AwaitingUser, E::UserKeeps), Ok(S::AwaitingApproval));
        assert_eq!(next(S::AwaitingUser, E::NoAnswer), Ok(S::Ready));
        assert_eq!(next(S::AwaitingApproval, E::Declined), Ok(S::Ready));
        // Keeping it is a skip (with an optional protection).
        assert_eq!(next(S::AwaitingApproval, E::Skipped), Ok(S::ClosedSkipped));
    }

    #[test]
    fn the_reclaim_path() {
        assert_eq!(next(S::Ready, E::Confirmed), Ok(S::AwaitingRevocation));
        assert_eq!(next(S::AwaitingRevocation, E::Reclaimed), Ok(S::ClosedComplete));
        assert_eq!(next(S::AwaitingRevocation, E::Failed), Ok(S::AttentionRequired));
        assert_eq!(next(S::AttentionRequired, E::Confirmed), Ok(S::AwaitingRevocation));
        assert_eq!(next(S::AttentionRequired, E::Resumed), Ok(S::Ready));
        assert_eq!(next(S::AwaitingRevocation, E::RunCancelled), Ok(S::Ready));
    }

    #[test]
    fn activity_cancels_every_open_state() {
        for state in S::ALL.into_iter().filter(|s| !s.is_closed()) {
            assert_eq!(next(state, E::ActivityDetected), Ok(S::ClosedCanceled), "{state:?}");
        }
    }

    #[test]
    fn closed_candidates_never_move() {
        let events = [
            E::Notified,
            E::UserKeeps,
            E::NoAnswer,
            E::Declined,
            E::Confirmed,
            E::Reclaimed,
            E::Failed,
            E::Resumed,
            E::RunCancelled,
            E::ActivityDetected,
            E::Skipped,
        ];
        for state in [S::ClosedComplete, S::ClosedSkipped, S::ClosedCanceled] {
            for event in events {
                let refused = next(state, event).unwrap_err();
                assert!(refused.0.contains(state.label()), "{refused}");
            }
        }
    }

    #[test]
    fn nothing_skips_the_review() {
        // Only a Ready (or failed) candidate can be confirmed for reclaiming.
        for state in [S::AwaitingUser, S::AwaitingApproval, S::AwaitingRevocation] {
            assert!(next(state, E::Confirmed).is_err(), "{state:?}");
        }
        // A candidate being reclaimed cannot be skipped underneath the job.
        assert!(next(S::AwaitingRevocation, E::Skipped).is_err());
        // Only the job records outcomes.
        for state in [S::Ready, S::AwaitingUser, S::AwaitingApproval, S::AttentionRequired] {
            assert!(next(state, E::Reclaimed).is_err(), "{state:?}");
            assert!(next(state, E::Failed).is_err(), "{state:?}");
        }
    }

    #[test]
    fn stored_names_match_the_schema() {
        let schema = include_str!("../../migrations/20261203000100_reclamation.sql");
        for state in S::ALL {
            assert!(schema.contains(&format!("'{}'", state.as_str())), "{state:?}");
        }
    }
}
