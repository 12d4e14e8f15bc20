//! `/users` endpoints: listing with Smartsheet's visibility rules, plans and seats, and the
//! writes that change a user's seat, licence, status or membership.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::activity::{WriteDetail, USER_ACTIVATE, USER_DEACTIVATE, USER_REMOVE_FROM_ACCOUNT, USER_UPDATE};
use crate::config::Region;
use crate::http::{json_body, ok, success, ts, ts_micros, ApiError, ApiResult, Params};
use crate::org::{contributor_introduced, mix, viewer_sunset, Org, Seat, SimUser, Status, ISP_DOMAINS};
use crate::state::{Caller, Sim};

/// How a user object is shown.
#[derive(Clone, Copy)]
struct View {
    /// The caller is a System Admin: admin-only fields are shown.
    admin: bool,
    /// Seat fields are shown (User Subscription Model, asked for through planId or seatType).
    seats: bool,
    /// Show CONTRIBUTOR rather than VIEWER during the deprecation window.
    display_contributor: bool,
    last_login: bool,
    numeric: bool,
    now: DateTime<Utc>,
}

fn seat_name(seat: Seat, now: DateTime<Utc>, display_contributor: bool) -> &'static str {
    match seat {
        Seat::Member => "MEMBER",
        Seat::ProvisionalMember => "PROVISIONAL_MEMBER",
        Seat::Guest => "GUEST",
        Seat::Contributor if now >= viewer_sunset() => "CONTRIBUTOR",
        Seat::Contributor if display_contributor && now >= contributor_introduced() => "CONTRIBUTOR",
        Seat::Contributor => "VIEWER",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileImage {
    image_id: String,
    height: u32,
    width: u32,
}

fn profile_image(user: &SimUser) -> Option<ProfileImage> {
    user.has_profile_image.then(|| {
        let h = mix(user.id as u64);
        ProfileImage {
            image_id: format!(
                "u!1!{}!{}",
                URL_SAFE_NO_PAD.encode(h.to_le_bytes()),
                URL_SAFE_NO_PAD.encode(mix(h).to_le_bytes())
            ),
            height: 1050,
            width: 1050,
        }
    })
}

/// A user as `GET /users` lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserOut<'a> {
    id: i64,
    email: &'a str,
    name: String,
    first_name: &'a str,
    last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    licensed_sheet_creator: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_viewer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_internal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seat_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seat_type_last_changed_at: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provisional_expiration_date: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile_image: Option<ProfileImage>,
}

fn user_out(user: &SimUser, view: View) -> UserOut<'_> {
    let admin = |v| view.admin.then_some(v);
    let seats = view.admin && view.seats;
    UserOut {
        id: user.id,
        email: &user.email,
        name: user.name(),
        first_name: &user.first_name,
        last_name: &user.last_name,
        admin: admin(user.admin),
        group_admin: admin(user.group_admin),
        licensed_sheet_creator: admin(user.licensed_sheet_creator),
        resource_viewer: admin(user.resource_viewer),
        status: view.admin.then_some(user.status.as_str()),
        is_internal: admin(user.internal),
        seat_type: seats.then(|| seat_name(user.seat, view.now, view.display_contributor)),
        seat_type_last_changed_at: seats.then(|| ts_micros(user.seat_changed_at, view.numeric)),
        provisional_expiration_date: seats
            .then(|| user.provisional_expires.map(|t| ts_micros(t, view.numeric)).unwrap_or(Value::Null)),
        sheet_count: (view.admin && user.status == Status::Active).then_some(-1),
        last_login: if view.admin && view.last_login {
            user.last_login.map(|t| ts(t, view.numeric))
        } else {
            None
        },
        profile_image: profile_image(user),
    }
}

/// A user as `GET /users/me` and `GET /users/{id}` show it (Smartsheet's UserProfile).
fn profile(org: &Org, user: &SimUser, view: View, me: bool) -> Value {
    let mut v = json!({
        "id": user.id,
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "account": { "id": org.account_id, "name": org.name },
        "alternateEmails": [],
        "company": if user.internal { org.name.as_str() } else { "" },
        "department": user.department,
        "title": user.title,
        "workPhone": "",
        "mobilePhone": "",
        "locale": "en_US",
        "timeZone": "US/Pacific",
        "jiraAdmin": false,
        "salesforceAdmin": false,
        "salesforceUser": false,
    });
    // Your own role flags are always yours to see; other users' only a System Admin sees.
    if me || view.admin {
        v["admin"] = user.admin.into();
        v["licensedSheetCreator"] = user.licensed_sheet_creator.into();
        v["groupAdmin"] = user.group_admin.into();
        v["resourceViewer"] = user.resource_viewer.into();
    }
    if view.admin {
        if !me {
            v["status"] = user.status.as_str().into();
        }
        if user.status == Status::Active {
            v["sheetCount"] = (-1).into();
        }
        if let Some(t) = user.last_login {
            v["lastLogin"] = ts(t, view.numeric);
        }
    }
    if let Some(image) = profile_image(user) {
        v["profileImage"] = json!(image);
    }
    v
}

fn require_admin(org: &Org, caller: Caller) -> Result<(), ApiError> {
    if org.users[caller.user].admin {
        Ok(())
    } else {
        Err(ApiError::not_authorized())
    }
}

fn parse_seat(name: &str, value: &str, now: DateTime<Utc>) -> Result<Seat, ApiError> {
    match value {
        "MEMBER" => Ok(Seat::Member),
        "PROVISIONAL_MEMBER" => Ok(Seat::ProvisionalMember),
        "GUEST" => Ok(Seat::Guest),
        "CONTRIBUTOR" => Ok(Seat::Contributor),
        "VIEWER" if now >= viewer_sunset() => Err(ApiError::invalid_value(
            name,
            "the VIEWER seat type was retired on 2026-10-30; use CONTRIBUTOR",
        )),
        "VIEWER" => Ok(Seat::Contributor),
        other => Err(ApiError::invalid_value(name, format!("`{other}` is not a seat type"))),
    }
}

pub async fn me(State(sim): State<Arc<Sim>>, Extension(caller): Extension<Caller>, p: Params) -> ApiResult {
    let org = sim.org.read();
    let user = &org.users[caller.user];
    let view = View {
        admin: user.admin,
        seats: false,
        display_contributor: false,
        last_login: true,
        numeric: p.bool("numericDates")?.unwrap_or(false),
        now: sim.now(),
    };
    let mut body = profile(&org, user, view, true);
    if p.list("include").contains(&"groups") {
        body["data"] = json!([]);
    }
    ok(&body)
}

pub async fn list(State(sim): State<Arc<Sim>>, Extension(caller): Extension<Caller>, p: Params) -> ApiResult {
    let now = sim.now();
    let org = sim.org.read();
    let admin = org.users[caller.user].admin;
    let include_all = p.bool("includeAll")?.unwrap_or(false);
    let page = p.int("page", 1, i64::from(i32::MAX))?.unwrap_or(1) as usize;
    let page_size = p.int("pageSize", 1, 10_000)?.unwrap_or(100) as usize;
    let numeric = p.bool("numericDates")?.unwrap_or(false);
    let display_contributor = p.bool("displayContributorSeatType")?.unwrap_or(false);
    let mut last_login = false;
    for include in p.list("include") {
        match include {
            "lastLogin" => last_login = true,
            other => return Err(ApiError::invalid_value("include", format!("`{other}` is not supported"))),
        }
    }
    let plan = match p.str("planId") {
        None => None,
        Some(v) => {
            let id = v.parse::<i64>().map_err(|_| ApiError::invalid_value("planId", "not a plan id"))?;
            require_admin(&org, caller)?;
            if org.plan_id != Some(id) {
                return Err(ApiError::invalid_value(
                    "planId",
                    "no plan with this id belongs to your organization",
                ));
            }
            Some(id)
        }
    };
    let seat_filter = match p.str("seatType") {
        None => None,
        Some(v) => {
            require_admin(&org, caller)?;
            if org.plan_id.is_none() {
                return Err(ApiError::invalid_value(
                    "seatType",
                    "your plan is not on the User Subscription Model",
                ));
            }
            Some(parse_seat("seatType", v, now)?)
        }
    };
    let emails: Vec<String> = p.list("email").iter().map(|e| e.to_ascii_lowercase()).collect();
    let matching: Vec<&SimUser> = org
        .users
        .iter()
        .filter(|u| if plan.is_some() { u.in_plan } else { u.in_org })
        .filter(|u| emails.is_empty() || emails.contains(&u.email.to_ascii_lowercase()))
        .filter(|u| seat_filter.is_none_or(|s| u.seat == s))
        .collect();

    let total = matching.len();
    let (page_number, data) = if include_all {
        (1, &matching[..])
    } else {
        let total_pages = total.div_ceil(page_size).max(1);
        let page = page.min(total_pages);
        let start = (page - 1) * page_size;
        (page, &matching[start..(start + page_size).min(total)])
    };
    let view = View {
        admin,
        seats: org.plan_id.is_some() && (plan.is_some() || seat_filter.is_some()),
        display_contributor,
        // Smartsheet includes lastLogin only for System Admins and only on pages of at most 100.
        last_login: last_login && data.len() <= 100,
        numeric,
        now,
    };
    let users: Vec<UserOut> = data.iter().map(|u| user_out(u, view)).collect();
    let mut body = json!({
        "pageNumber": page_number,
        "totalPages": if include_all { usize::from(total > 0) } else { total.div_ceil(page_size) },
        "totalCount": total,
        "data": users,
    });
    if !include_all {
        body["pageSize"] = page_size.into();
    }
    ok(&body)
}

fn path_user(org: &Org, id: &str) -> Result<usize, ApiError> {
    id.parse::<i64>().ok().and_then(|id| org.user_index(id)).ok_or_else(ApiError::not_found)
}

pub async fn get(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let org = sim.org.read();
    let idx = path_user(&org, &id)?;
    let view = View {
        admin: org.users[caller.user].admin,
        seats: false,
        display_contributor: false,
        last_login: true,
        numeric: p.bool("numericDates")?.unwrap_or(false),
        now: sim.now(),
    };
    ok(&profile(&org, &org.users[idx], view, idx == caller.user))
}

/// A user addressed by a write: must exist (1020 otherwise) and the caller must be a System Admin.
fn target_for_write(org: &Org, caller: Caller, id: &str) -> Result<usize, ApiError> {
    require_admin(org, caller)?;
    id.parse::<i64>().ok().and_then(|id| org.user_index(id)).ok_or_else(ApiError::user_not_found)
}

fn require_plan(org: &Org, plan_id: &str) -> Result<(), ApiError> {
    match (plan_id.parse::<i64>().ok(), org.plan_id) {
        (Some(id), Some(plan)) if id == plan => Ok(()),
        _ => Err(ApiError::new(StatusCode::NOT_FOUND, 1006, "Not Found: no such plan in your organization.")),
    }
}

/// Records a write that changed something in the Event Reporting stream, as the caller's action
/// on `target`. Call it with the organization still locked for writing, so that the event and the
/// change are seen together.
fn record(sim: &Sim, caller: Caller, kind: u8, target: usize, detail: WriteDetail) {
    sim.log.write().record_write(caller.user, kind, target, detail);
}

/// Smartsheet's refusal of a write to a deactivated user.
fn not_active() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, 1188, "The account status of this user is not active.")
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SeatBody {
    seat_type: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum SeatChange {
    Upgrade,
    Downgrade,
}

/// Upgrade and downgrade: the same checks, different allowed moves. Changing to the current seat
/// succeeds without a change, as Smartsheet documents.
fn change_seat(
    sim: &Sim,
    caller: Caller,
    (id, plan_id): (String, String),
    headers: &HeaderMap,
    body: &[u8],
    change: SeatChange,
) -> ApiResult {
    let body: SeatBody = json_body(headers, body)?;
    let now = sim.now();
    let mut org = sim.org.write();
    let idx = target_for_write(&org, caller, &id)?;
    require_plan(&org, &plan_id)?;
    let wanted = match (body.seat_type, change) {
        (Some(seat), _) => seat,
        (None, SeatChange::Upgrade) => "MEMBER".to_owned(),
        (None, SeatChange::Downgrade) => return Err(ApiError::missing_attribute("seatType")),
    };
    let seat = parse_seat("seatType", &wanted, now)?;
    let user = &mut org.users[idx];
    if !user.in_plan {
        return Err(ApiError::user_not_found());
    }
    if user.status == Status::Deactivated {
        return Err(not_active());
    }
    if seat == Seat::Guest && user.internal {
        return Err(ApiError::invalid_value(
            "seatType",
            "GUEST is only for users outside your organization's domains",
        ));
    }
    if seat == Seat::Contributor && !user.internal {
        return Err(ApiError::invalid_value(
            "seatType",
            format!(
                "{wanted} is only for users of your organization's domains; GUEST is the free seat for external users"
            ),
        ));
    }
    let allowed = user.seat == seat
        || match change {
            SeatChange::Downgrade => matches!(seat, Seat::Guest | Seat::Contributor),
            SeatChange::Upgrade => matches!(
                (user.seat, seat),
                (Seat::ProvisionalMember | Seat::Contributor | Seat::Guest, Seat::Member)
                    | (Seat::Contributor, Seat::Guest)
            ),
        };
    if !allowed {
        let verb = if change == SeatChange::Upgrade { "upgrade" } else { "downgrade" };
        return Err(ApiError::invalid_value(
            "seatType",
            format!("cannot {verb} a {} seat to {wanted}", seat_name(user.seat, now, true)),
        ));
    }
    if user.seat != seat {
        let from = user.seat;
        user.seat = seat;
        user.seat_changed_at = now;
        user.provisional_expires = None;
        user.licensed_sheet_creator = seat == Seat::Member;
        record(sim, caller, USER_UPDATE, idx, WriteDetail::Seat { from, to: seat });
    }
    success(None)
}

pub async fn downgrade(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    change_seat(&sim, caller, path, &headers, &body, SeatChange::Downgrade)
}

pub async fn upgrade(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    change_seat(&sim, caller, path, &headers, &body, SeatChange::Upgrade)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UserUpdate {
    admin: Option<bool>,
    licensed_sheet_creator: Option<bool>,
    first_name: Option<String>,
    last_name: Option<String>,
    group_admin: Option<bool>,
    resource_viewer: Option<bool>,
}

pub async fn update(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let change: UserUpdate = json_body(&headers, &body)?;
    let now = sim.now();
    let mut org = sim.org.write();
    let idx = target_for_write(&org, caller, &id)?;
    let user = &org.users[idx];
    if change.admin.is_none()
        && change.licensed_sheet_creator.is_none()
        && change.first_name.is_none()
        && change.last_name.is_none()
        && change.group_admin.is_none()
        && change.resource_viewer.is_none()
    {
        return Err(ApiError::missing_attribute("admin, licensedSheetCreator"));
    }
    if user.status == Status::Declined {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            1048,
            "This user has declined the invitation and cannot be modified.",
        ));
    }
    if user.status == Status::Deactivated {
        return Err(not_active());
    }
    if idx == caller.user && change.admin == Some(false) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            1049,
            "You cannot remove admin permissions from yourself.",
        ));
    }
    let licensed = change.licensed_sheet_creator.unwrap_or(user.licensed_sheet_creator);
    if !licensed && change.resource_viewer.unwrap_or(user.resource_viewer) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            1097,
            "To be a resource viewer the user must be licensed.",
        ));
    }
    if !licensed && change.group_admin.unwrap_or(user.group_admin) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            1102,
            "To be a group admin the user must be licensed.",
        ));
    }
    let legacy = org.plan_id.is_none();
    let user = &mut org.users[idx];
    let flags = |u: &SimUser| [u.admin, u.licensed_sheet_creator, u.group_admin, u.resource_viewer];
    let before = (flags(user), user.first_name.clone(), user.last_name.clone());
    if let Some(v) = change.admin {
        user.admin = v;
    }
    if let Some(v) = change.group_admin {
        user.group_admin = v;
    }
    if let Some(v) = change.resource_viewer {
        user.resource_viewer = v;
    }
    if let Some(v) = change.first_name {
        user.first_name = v;
    }
    if let Some(v) = change.last_name {
        user.last_name = v;
    }
    if licensed != user.licensed_sheet_creator {
        user.licensed_sheet_creator = licensed;
        if legacy {
            // On a legacy plan the licence is the seat.
            user.seat = if licensed { Seat::Member } else { Seat::Contributor };
            user.seat_changed_at = now;
        }
    }
    let after = flags(user);
    let mut changed = 0u8;
    let mut values = 0u8;
    for (bit, (old, new)) in before.0.iter().zip(after).enumerate() {
        changed |= u8::from(*old != new) << bit;
        values |= u8::from(new) << bit;
    }
    changed |= u8::from(before.1 != user.first_name) << 4 | u8::from(before.2 != user.last_name) << 5;
    let user = &org.users[idx];
    let result = json!(user_out(
        user,
        View {
            admin: true,
            seats: false,
            display_contributor: false,
            last_login: false,
            numeric: false,
            now
        },
    ));
    if changed != 0 {
        record(&sim, caller, USER_UPDATE, idx, WriteDetail::Profile { changed, values });
    }
    success(Some(result))
}

/// Deactivation and reactivation do not exist in Smartsheet Gov.
fn not_on_gov(sim: &Sim) -> Result<(), ApiError> {
    if sim.config.region == Region::Gov {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            1013,
            "This operation is not available in Smartsheet Gov.",
        ));
    }
    Ok(())
}

pub async fn deactivate(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    not_on_gov(&sim)?;
    let now = sim.now();
    let mut org = sim.org.write();
    let idx = target_for_write(&org, caller, &id)?;
    let user = &mut org.users[idx];
    if idx == caller.user {
        return Err(ApiError::new(StatusCode::FORBIDDEN, 1336, "You cannot deactivate yourself."));
    }
    if !user.internal || !user.in_org {
        return Err(ApiError::not_authorized());
    }
    if ISP_DOMAINS.contains(&user.domain()) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, 1359, "Users with an email address on a common ISP domain cannot be deactivated; remove them from the organization instead."));
    }
    if user.directory_managed {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            5697,
            "This user is managed by your directory integration; deactivate them in your identity provider.",
        ));
    }
    if user.status != Status::Deactivated {
        user.status = Status::Deactivated;
        user.deactivated_at = Some(now);
        record(&sim, caller, USER_DEACTIVATE, idx, WriteDetail::Nothing);
        // A deactivated user can no longer use Smartsheet: no more events from them.
        sim.log.write().forget_future_of(idx);
    }
    success(None)
}

pub async fn reactivate(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    not_on_gov(&sim)?;
    let now = sim.now();
    let mut org = sim.org.write();
    let idx = target_for_write(&org, caller, &id)?;
    let user = &mut org.users[idx];
    if !user.internal || !user.in_org {
        return Err(ApiError::new(StatusCode::FORBIDDEN, 1354, "The user is not a member of your account."));
    }
    if user.directory_managed {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            5717,
            "This user is managed by your directory integration; reactivate them in your identity provider.",
        ));
    }
    if user.status == Status::Deactivated {
        if user.deactivated_at.is_some_and(|at| now - at >= Duration::days(30)) {
            // Smartsheet documents the 30-day window but not the code of this refusal.
            return Err(ApiError::invalid_value(
                "userId",
                "users can only be reactivated within 30 days of deactivation",
            ));
        }
        user.status = Status::Active;
        user.deactivated_at = None;
        record(&sim, caller, USER_ACTIVATE, idx, WriteDetail::Nothing);
    }
    success(None)
}

pub async fn remove(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let mut org = sim.org.write();
    let idx = target_for_write(&org, caller, &id)?;
    let transfer_to = match p.str("transferTo") {
        None => None,
        Some(v) => {
            Some(v.parse::<i64>().map_err(|_| ApiError::invalid_value("transferTo", "not a user id"))?)
        }
    };
    let transfer_sheets = p.bool("transferSheets")?.unwrap_or(false);
    let _remove_from_sharing = p.bool("removeFromSharing")?.unwrap_or(false);
    let user = &org.users[idx];
    if idx == caller.user {
        return Err(ApiError::not_authorized());
    }
    if user.main_contact {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            5687,
            "This user is the plan's main contact and cannot be removed. Change the main contact first.",
        ));
    }
    if user.directory_managed {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            5666,
            "This user is managed by your directory service and cannot be removed here.",
        ));
    }
    if user.in_org {
        if transfer_sheets && transfer_to.is_none() {
            return Err(ApiError::missing_parameter("transferTo"));
        }
        if let Some(to) = transfer_to {
            if to == user.id {
                return Err(ApiError::invalid_value(
                    "transferTo",
                    "cannot transfer to the user being removed",
                ));
            }
            let recipient = org.by_id.get(&to).map(|i| &org.users[*i]).ok_or_else(|| {
                ApiError::new(StatusCode::BAD_REQUEST, 1019, "The transfer recipient was not found.")
            })?;
            if !recipient.in_org {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    1021,
                    "The transfer recipient is not a member of your account.",
                ));
            }
            if user.owns_groups && !recipient.group_admin {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    1107,
                    "The transfer recipient must be a group admin.",
                ));
            }
        } else if user.owns_groups {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                1121,
                "This user owns groups; transferTo is required.",
            ));
        }
        // First call: out of the organization. On the User Subscription Model an internal user stays
        // on the plan until a second call removes them from it.
        let user = &mut org.users[idx];
        user.in_org = false;
        user.owns_groups = false;
        record(&sim, caller, USER_REMOVE_FROM_ACCOUNT, idx, WriteDetail::Removed { from_plan: false });
    } else {
        org.users[idx].in_plan = false;
        record(&sim, caller, USER_REMOVE_FROM_ACCOUNT, idx, WriteDetail::Removed { from_plan: true });
    }
    if !org.users[idx].visible() {
        sim.log.write().forget_future_of(idx);
    }
    success(None)
}

pub async fn remove_from_plan(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path((id, plan_id)): Path<(String, String)>,
) -> ApiResult {
    let mut org = sim.org.write();
    let idx = target_for_write(&org, caller, &id)?;
    require_plan(&org, &plan_id)?;
    if !org.users[idx].in_plan || idx == caller.user {
        return Err(ApiError::user_not_found());
    }
    org.users[idx].in_plan = false;
    record(&sim, caller, USER_REMOVE_FROM_ACCOUNT, idx, WriteDetail::Removed { from_plan: true });
    if !org.users[idx].visible() {
        sim.log.write().forget_future_of(idx);
    }
    success(None)
}

/// The position in a user's plan list, made opaque.
fn encode_key(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("plans:{offset}"))
}

fn decode_key(key: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(key).ok()?;
    String::from_utf8(raw).ok()?.strip_prefix("plans:")?.parse().ok()
}

pub async fn plans(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let now = sim.now();
    let org = sim.org.read();
    require_admin(&org, caller)?;
    let idx = path_user(&org, &id)?;
    let user = &org.users[idx];
    let max_items = p.int("maxItems", 1, 10_000)?.unwrap_or(100) as usize;
    let display_contributor = p.bool("displayContributorSeatType")?.unwrap_or(false);
    let mut plan_name = false;
    for include in p.list("include") {
        match include {
            "planName" if !plan_name => plan_name = true,
            other => {
                return Err(ApiError::invalid_value(
                    "include",
                    format!("`{other}` is not supported or repeated"),
                ))
            }
        }
    }
    let offset = match p.str("lastKey") {
        None => 0,
        Some(k) => decode_key(k)
            .ok_or_else(|| ApiError::invalid_value("lastKey", "not a key from a previous page"))?,
    };
    let numeric = p.bool("numericDates")?.unwrap_or(false);
    let mut all = Vec::new();
    if let (Some(plan), true) = (org.plan_id, user.in_plan) {
        let mut entry = json!({
            "planId": plan,
            "seatType": seat_name(user.seat, now, display_contributor),
            "seatTypeLastChangedAt": ts_micros(user.seat_changed_at, numeric),
            "isInternal": user.internal,
            "provisionalExpirationDate": user.provisional_expires.map(|t| ts_micros(t, numeric)),
        });
        if plan_name {
            entry["planName"] = org.name.clone().into();
        }
        all.push(entry);
    }
    if !user.internal {
        // An outside collaborator holds a seat in their own company's plan too.
        let mut entry = json!({
            "planId": crate::org::derived_id(&[sim.config.seed, 0x9A2, user.domain().len() as u64, mix(user.domain().as_bytes().iter().map(|b| u64::from(*b)).sum())]),
            "seatType": "MEMBER",
            "seatTypeLastChangedAt": ts_micros(user.created_at, numeric),
            "isInternal": true,
            "provisionalExpirationDate": null,
        });
        if plan_name {
            entry["planName"] = format!("{} plan", user.domain()).into();
        }
        all.push(entry);
    }
    let end = (offset + max_items).min(all.len());
    let page = all.get(offset.min(end)..end).unwrap_or_default();
    let mut body = json!({ "data": page });
    if end < all.len() {
        body["lastKey"] = encode_key(end).into();
    }
    ok(&body)
}
