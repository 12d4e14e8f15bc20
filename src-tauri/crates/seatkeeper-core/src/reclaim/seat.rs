//! A user's seat as Smartsheet says it is now, and the writes that change it: the one place that
//! knows which call reclaims (or gives back) a seat, what it sends, and what the seat looks like
//! once the call took effect. The reclaim job and undo both go through it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use super::rules::ReclaimAction;
use crate::smartsheet::{
    DowngradeSeat, ListUsersQuery, SeatType, SmartsheetClient, SmartsheetError, UpgradeSeat, UserPlansQuery,
    UserStatus, UserUpdate,
};
use crate::sync::models::{LEGACY_LICENSED, LEGACY_UNLICENSED};

/// The seat shown for a deactivated user.
pub const DEACTIVATED: &str = "DEACTIVATED";

/// A write Seatkeeper makes to Smartsheet (the audit log's `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "reclaim.ts")]
pub enum SeatAction {
    /// USM: a paid seat (MEMBER) down to CONTRIBUTOR, or GUEST for an external user.
    Downgrade,
    /// Legacy plan: `licensedSheetCreator=false`.
    Unlicense,
    /// Blocks the user's access (reversible within 30 days).
    Deactivate,
    /// Undo of a downgrade: back to MEMBER.
    Upgrade,
    /// Undo of an unlicense: `licensedSheetCreator=true`.
    Relicense,
    /// Undo of a deactivation.
    Reactivate,
}

impl SeatAction {
    pub fn label(self) -> &'static str {
        match self {
            Self::Downgrade => "Downgrade seat",
            Self::Unlicense => "Remove license",
            Self::Deactivate => "Deactivate user",
            Self::Upgrade => "Upgrade seat (undo)",
            Self::Relicense => "Give license back (undo)",
            Self::Reactivate => "Reactivate user (undo)",
        }
    }
}

/// Where the user stands in Smartsheet now, read just before a write (or to settle one).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeatNow {
    /// False when Smartsheet no longer knows the user (404).
    pub exists: bool,
    pub deactivated: bool,
    pub admin: bool,
    /// The seat as the subscriptions name it: a USM seat type, "Licensed"/"Unlicensed" on a legacy
    /// plan, [`DEACTIVATED`].
    pub seat: String,
    /// A USM seat that is not in the profile's plan at all.
    pub in_plan: bool,
    pub is_internal: Option<bool>,
    pub group_admin: bool,
    pub resource_viewer: bool,
    pub last_login: Option<DateTime<Utc>>,
}

impl SeatNow {
    /// Whether the user holds a paid seat (MEMBER, or a legacy license).
    pub fn is_paid(&self) -> bool {
        self.exists
            && !self.deactivated
            && (self.seat == SeatType::Member.as_str() || self.seat == LEGACY_LICENSED)
    }
}

/// Reads the user's seat. One request in the usual case: `GET /users?email=…` (with the plan on
/// the User Subscription Model, and `lastLogin`), which answers seat, status, roles and last login
/// at once. When that finds no user of this id (the address changed, or the user holds no seat in
/// the plan), `GET /users/{id}` and, on a USM plan, `GET /users/{id}/plans` say where they stand.
pub(crate) async fn read_seat(
    client: &SmartsheetClient,
    user_id: i64,
    email: &str,
    usm_plan: Option<i64>,
) -> Result<SeatNow, SmartsheetError> {
    let query = ListUsersQuery {
        emails: vec![email.to_owned()],
        plan_id: usm_plan,
        include_last_login: true,
        display_contributor_seat_type: Some(true),
        ..ListUsersQuery::default()
    };
    let listed = client.list_users_page(&query, 1, 100).await?;
    if let Some(user) = listed.data.into_iter().find(|u| u.id == user_id) {
        let seat = match (usm_plan, user.seat_type.as_ref()) {
            (Some(_), Some(SeatType::Viewer)) => Some(SeatType::Contributor.as_str().to_owned()),
            (Some(_), Some(seat)) => Some(seat.as_str().to_owned()),
            (Some(_), None) => None,
            (None, _) => Some(
                if user.licensed_sheet_creator == Some(true) { LEGACY_LICENSED } else { LEGACY_UNLICENSED }
                    .into(),
            ),
        };
        if let Some(seat) = seat {
            return Ok(SeatNow {
                exists: true,
                deactivated: user.status.as_ref() == Some(&UserStatus::Deactivated),
                admin: user.admin == Some(true),
                seat,
                in_plan: true,
                is_internal: user.is_internal,
                group_admin: user.group_admin == Some(true),
                resource_viewer: user.resource_viewer == Some(true),
                last_login: user.last_login,
            });
        }
    }
    read_seat_by_id(client, user_id, usm_plan).await
}

/// [`read_seat`] by the user's id: `GET /users/{id}`, and on a USM plan `GET /users/{id}/plans`.
async fn read_seat_by_id(
    client: &SmartsheetClient,
    user_id: i64,
    usm_plan: Option<i64>,
) -> Result<SeatNow, SmartsheetError> {
    let user = match client.get_user(user_id).await {
        Ok(user) => user,
        Err(SmartsheetError::NotFound { .. }) => {
            return Ok(SeatNow {
                exists: false,
                deactivated: false,
                admin: false,
                seat: "REMOVED".into(),
                in_plan: false,
                is_internal: None,
                group_admin: false,
                resource_viewer: false,
                last_login: None,
            })
        }
        Err(e) => return Err(e),
    };
    let deactivated = user.status.as_ref() == Some(&UserStatus::Deactivated);
    let mut now = SeatNow {
        exists: true,
        deactivated,
        admin: user.is_system_admin(),
        seat: String::new(),
        in_plan: true,
        is_internal: None,
        group_admin: user.group_admin == Some(true),
        resource_viewer: user.resource_viewer == Some(true),
        last_login: user.last_login,
    };
    match usm_plan {
        Some(plan_id) => {
            let query =
                UserPlansQuery { display_contributor_seat_type: Some(true), ..UserPlansQuery::default() };
            let plans = client.list_user_plans_page(user_id, &query, None).await?;
            match plans.data.into_iter().find(|p| p.plan_id == plan_id) {
                Some(plan) => {
                    now.seat = match plan.seat_type {
                        SeatType::Viewer => SeatType::Contributor.as_str().to_owned(),
                        seat => seat.as_str().to_owned(),
                    };
                    now.is_internal = plan.is_internal;
                }
                None => {
                    now.in_plan = false;
                    now.seat = "NOT_IN_PLAN".into();
                }
            }
        }
        None => {
            now.seat =
                if user.licensed_sheet_creator == Some(true) { LEGACY_LICENSED } else { LEGACY_UNLICENSED }
                    .into()
        }
    }
    if deactivated && now.seat.is_empty() {
        now.seat = DEACTIVATED.into();
    }
    Ok(now)
}

/// One write: what it is, the seat before and after, and the request as sent (no credential).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeatWrite {
    pub action: SeatAction,
    pub user_id: i64,
    pub seat_before: String,
    pub seat_after: String,
    call: Call,
}

#[derive(Debug, Clone, PartialEq)]
enum Call {
    Downgrade { plan_id: i64, to: DowngradeSeat },
    Upgrade { plan_id: i64, to: UpgradeSeat },
    Update(UserUpdate),
    Deactivate,
    Reactivate,
}

impl SeatWrite {
    /// The write that reclaims the seat of `user_id` by the rule's action. On a legacy plan a group
    /// admin's or resource viewer's flags are cleared in the same request (Smartsheet refuses to
    /// unlicense them otherwise: 1102, 1097).
    pub fn reclaim(action: ReclaimAction, user_id: i64, now: &SeatNow, usm_plan: Option<i64>) -> Self {
        match (action, usm_plan) {
            (ReclaimAction::Deactivate, _) => Self {
                action: SeatAction::Deactivate,
                user_id,
                seat_before: now.seat.clone(),
                seat_after: DEACTIVATED.into(),
                call: Call::Deactivate,
            },
            (ReclaimAction::FreeSeat, Some(plan_id)) => {
                let to = if now.is_internal == Some(false) {
                    DowngradeSeat::Guest
                } else {
                    DowngradeSeat::Contributor
                };
                Self {
                    action: SeatAction::Downgrade,
                    user_id,
                    seat_before: now.seat.clone(),
                    seat_after: seat_name(&json!(to)),
                    call: Call::Downgrade { plan_id, to },
                }
            }
            (ReclaimAction::FreeSeat, None) => {
                let body = UserUpdate {
                    admin: Some(false),
                    licensed_sheet_creator: Some(false),
                    group_admin: now.group_admin.then_some(false),
                    resource_viewer: now.resource_viewer.then_some(false),
                    ..UserUpdate::default()
                };
                Self {
                    action: SeatAction::Unlicense,
                    user_id,
                    seat_before: now.seat.clone(),
                    seat_after: LEGACY_UNLICENSED.into(),
                    call: Call::Update(body),
                }
            }
        }
    }

    /// The write that undoes `action` (recorded with `seat_before` → `seat_after`), with the
    /// request that was sent (to give back group admin / resource viewer flags it cleared).
    pub fn undo(
        action: SeatAction,
        user_id: i64,
        seat_before: &str,
        seat_after: &str,
        request: &str,
        usm_plan: Option<i64>,
    ) -> Option<Self> {
        let (action, call) = match action {
            SeatAction::Downgrade => {
                let to =
                    if seat_before == SeatType::Member.as_str() { UpgradeSeat::Member } else { return None };
                (SeatAction::Upgrade, Call::Upgrade { plan_id: usm_plan?, to })
            }
            SeatAction::Unlicense => {
                // The request as recorded: "PUT /users/{id} {body}". Flags it cleared are given back.
                let sent: Value = request
                    .splitn(3, ' ')
                    .nth(2)
                    .and_then(|body| serde_json::from_str(body).ok())
                    .unwrap_or(Value::Null);
                let cleared = |flag: &str| (sent.get(flag) == Some(&json!(false))).then_some(true);
                let body = UserUpdate {
                    admin: Some(false),
                    licensed_sheet_creator: Some(true),
                    group_admin: cleared("groupAdmin"),
                    resource_viewer: cleared("resourceViewer"),
                    ..UserUpdate::default()
                };
                (SeatAction::Relicense, Call::Update(body))
            }
            SeatAction::Deactivate => (SeatAction::Reactivate, Call::Reactivate),
            SeatAction::Upgrade | SeatAction::Relicense | SeatAction::Reactivate => return None,
        };
        Some(Self {
            action,
            user_id,
            seat_before: seat_after.to_owned(),
            seat_after: seat_before.to_owned(),
            call,
        })
    }

    /// The request as the audit log keeps it: method, path and body. It never holds a credential
    /// (the token travels in a header the client adds).
    pub fn request_text(&self) -> String {
        let id = self.user_id;
        match &self.call {
            Call::Downgrade { plan_id, to } => {
                format!("POST /users/{id}/plans/{plan_id}/downgrade {}", json!({ "seatType": to }))
            }
            Call::Upgrade { plan_id, to } => {
                format!("POST /users/{id}/plans/{plan_id}/upgrade {}", json!({ "seatType": to }))
            }
            Call::Update(body) => format!("PUT /users/{id} {}", json!(body)),
            Call::Deactivate => format!("POST /users/{id}/deactivate"),
            Call::Reactivate => format!("POST /users/{id}/reactivate"),
        }
    }

    /// Sends the write.
    pub async fn send(&self, client: &SmartsheetClient) -> Result<(), SmartsheetError> {
        let id = self.user_id;
        match &self.call {
            Call::Downgrade { plan_id, to } => client.downgrade_user(id, *plan_id, *to).await.map(drop),
            Call::Upgrade { plan_id, to } => client.upgrade_user(id, *plan_id, *to).await.map(drop),
            Call::Update(body) => client.update_user(id, body).await.map(drop),
            Call::Deactivate => client.deactivate_user(id).await.map(drop),
            Call::Reactivate => client.reactivate_user(id).await.map(drop),
        }
    }

    /// Whether `now` shows the write as carried out.
    pub fn reached(&self, now: &SeatNow) -> bool {
        reached(self.action, &self.seat_after, now)
    }
}

/// Whether `now` shows a write of `action` to `seat_after` as carried out.
pub(crate) fn reached(action: SeatAction, seat_after: &str, now: &SeatNow) -> bool {
    match action {
        SeatAction::Deactivate => now.exists && now.deactivated,
        SeatAction::Reactivate => now.exists && !now.deactivated,
        _ => now.exists && !now.deactivated && now.seat == seat_after,
    }
}

/// `"CONTRIBUTOR"` from a serialized seat.
fn seat_name(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Smartsheet's refusal of a seat write, in words an admin can act on.
pub(crate) fn explain(error: &SmartsheetError) -> String {
    let what = match error.code() {
        Some(1049) => "Smartsheet does not let the API key's owner remove their own admin rights (error 1049). \
             The token's owner is never reclaimed; refresh the subscriptions and compute the candidates again."
            .to_owned(),
        Some(1188) => "The user's account is not active (error 1188): Smartsheet does not change the seat of a \
             deactivated or pending user. Reactivate the user in Smartsheet first, or Skip this candidate."
            .to_owned(),
        Some(5697) => "The user is managed by your identity provider's directory integration (error 5697), so \
             Smartsheet refuses to deactivate them here. Deactivate them in the directory (Okta, Azure AD), or set \
             the rule's reclaim action to Downgrade the seat."
            .to_owned(),
        Some(1359) => "The user's e-mail is on a public e-mail provider's domain (error 1359), and Smartsheet does \
             not deactivate such users. Set the rule's reclaim action to Downgrade the seat, or Skip this candidate."
            .to_owned(),
        Some(1097) => "The user is a resource viewer, which needs a license (error 1097). Remove the Resource \
             Viewer role in Smartsheet's Admin Center, then select Resume and reclaim again."
            .to_owned(),
        Some(1102) => "The user is a group admin, which needs a license (error 1102). Transfer or remove their \
             group admin role in Smartsheet's Admin Center, then select Resume and reclaim again."
            .to_owned(),
        Some(1048) => "The user declined the invitation to the account (error 1048), so Smartsheet does not \
             change them. Skip this candidate; the next refresh shows where they stand."
            .to_owned(),
        Some(1336) => "Smartsheet does not let the API key's owner deactivate themselves (error 1336).".to_owned(),
        Some(1004) => "The API key's owner is not allowed to change this user (error 1004). Check that they are \
             still a System Admin of the account, select Validate Connection, then Resume."
            .to_owned(),
        Some(1006 | 1020) => "Smartsheet no longer knows this user or plan (error 1006/1020): they may have been \
             removed. Refresh the subscriptions."
            .to_owned(),
        Some(1018) => format!(
            "Smartsheet refused the change as invalid (error 1018: {}). For example, an external user can only be \
             moved to GUEST; refresh the subscriptions so Seatkeeper knows who is external, then Resume.",
            raw_message(error)
        ),
        _ => format!("{error} Fix the cause in Smartsheet, then select Resume to try again, or Skip the candidate."),
    };
    crate::server_text::cap(&what, crate::server_text::MAX_MESSAGE)
}

/// Smartsheet's own message of an error (for the audit record).
pub(crate) fn raw_message(error: &SmartsheetError) -> String {
    match error {
        SmartsheetError::Unauthorized { message, .. }
        | SmartsheetError::Forbidden { message, .. }
        | SmartsheetError::NotFound { message, .. }
        | SmartsheetError::BadRequest { message, .. }
        | SmartsheetError::Server { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Whether a failed write says nothing definite about the seat (no answer, a server failure, a
/// rate limit that outlasted the retries): the seat is read to know whether it was carried out.
pub(crate) fn outcome_unknown(error: &SmartsheetError) -> bool {
    error.is_retryable() || matches!(error, SmartsheetError::Deadline { .. } | SmartsheetError::Decode { .. })
}
