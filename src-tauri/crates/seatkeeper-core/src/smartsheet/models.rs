//! Wire types of the Smartsheet API responses Seatkeeper reads.
//!
//! All ids are `i64` (some exceed 2^53), unknown fields are ignored, enums are open (unknown
//! values become `Other`), and fields that Smartsheet omits for non-admin callers, for users who
//! never logged in, or for plans outside the User Subscription Model are `Option`s.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::open_enum::open_enum;
use super::time;

open_enum! {
    /// A user's seat in a User Subscription Model plan. Only `Member` is paid.
    pub enum SeatType {
        Member = "MEMBER",
        ProvisionalMember = "PROVISIONAL_MEMBER",
        Guest = "GUEST",
        Viewer = "VIEWER",
        Contributor = "CONTRIBUTOR",
    }
}

open_enum! {
    /// A user's status in the organization.
    pub enum UserStatus {
        Active = "ACTIVE",
        Pending = "PENDING",
        Declined = "DECLINED",
        Deactivated = "DEACTIVATED",
    }
}

open_enum! {
    /// Where an event came from.
    pub enum EventSource {
        WebApp = "WEB_APP",
        MobileIos = "MOBILE_IOS",
        MobileAndroid = "MOBILE_ANDROID",
        ApiIntegratedApp = "API_INTEGRATED_APP",
        ApiUndefinedApp = "API_UNDEFINED_APP",
        Unknown = "UNKNOWN",
    }
}

open_enum! {
    /// The kind of object an event is about.
    pub enum ObjectType {
        AccessToken = "ACCESS_TOKEN",
        Account = "ACCOUNT",
        Attachment = "ATTACHMENT",
        Dashboard = "DASHBOARD",
        Discussion = "DISCUSSION",
        Folder = "FOLDER",
        Form = "FORM",
        Group = "GROUP",
        Sheet = "SHEET",
        Report = "REPORT",
        UpdateRequest = "UPDATE_REQUEST",
        User = "USER",
        Workspace = "WORKSPACE",
    }
}

open_enum! {
    /// What happened in an event (the official SDKs' list; the server adds more over time).
    pub enum Action {
        Create = "CREATE",
        Update = "UPDATE",
        Load = "LOAD",
        Delete = "DELETE",
        Purge = "PURGE",
        Restore = "RESTORE",
        Rename = "RENAME",
        Activate = "ACTIVATE",
        Deactivate = "DEACTIVATE",
        Export = "EXPORT",
        Move = "MOVE",
        MoveRow = "MOVE_ROW",
        CopyRow = "COPY_ROW",
        SaveAsNew = "SAVE_AS_NEW",
        SaveAsTemplate = "SAVE_AS_TEMPLATE",
        AddPublish = "ADD_PUBLISH",
        RemovePublish = "REMOVE_PUBLISH",
        AddShare = "ADD_SHARE",
        RemoveShare = "REMOVE_SHARE",
        AddShareMember = "ADD_SHARE_MEMBER",
        RemoveShareMember = "REMOVE_SHARE_MEMBER",
        AddWorkspaceShare = "ADD_WORKSPACE_SHARE",
        RemoveWorkspaceShare = "REMOVE_WORKSPACE_SHARE",
        AddMember = "ADD_MEMBER",
        RemoveMember = "REMOVE_MEMBER",
        TransferOwnership = "TRANSFER_OWNERSHIP",
        CreateCellLink = "CREATE_CELL_LINK",
        RemoveShares = "REMOVE_SHARES",
        TransferOwnedGroups = "TRANSFER_OWNED_GROUPS",
        TransferOwnedItems = "TRANSFER_OWNED_ITEMS",
        DownloadSheetAccessReport = "DOWNLOAD_SHEET_ACCESS_REPORT",
        DownloadUserList = "DOWNLOAD_USER_LIST",
        DownloadLoginHistory = "DOWNLOAD_LOGIN_HISTORY",
        DownloadPublishedItemsReport = "DOWNLOAD_PUBLISHED_ITEMS_REPORT",
        UpdateMainContact = "UPDATE_MAIN_CONTACT",
        ImportUsers = "IMPORT_USERS",
        BulkUpdate = "BULK_UPDATE",
        ListSheets = "LIST_SHEETS",
        RequestBackup = "REQUEST_BACKUP",
        CreateRecurringBackup = "CREATE_RECURRING_BACKUP",
        UpdateRecurringBackup = "UPDATE_RECURRING_BACKUP",
        DeleteRecurringBackup = "DELETE_RECURRING_BACKUP",
        RemoveFromGroups = "REMOVE_FROM_GROUPS",
        SendAsAttachment = "SEND_AS_ATTACHMENT",
        SendRow = "SEND_ROW",
        Send = "SEND",
        SendComment = "SEND_COMMENT",
        SendInvite = "SEND_INVITE",
        DeclineInvite = "DECLINE_INVITE",
        AcceptInvite = "ACCEPT_INVITE",
        SendPasswordReset = "SEND_PASSWORD_RESET",
        RemoveFromAccount = "REMOVE_FROM_ACCOUNT",
        AddToAccount = "ADD_TO_ACCOUNT",
        Authorize = "AUTHORIZE",
        Revoke = "REVOKE",
    }
}

/// `GET /serverinfo`. Any JSON object is accepted: the call is a reachability probe.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    pub supported_locales: Option<Vec<String>>,
}

/// The organization account a user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Account {
    pub id: i64,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlternateEmail {
    pub id: i64,
    pub email: String,
    #[serde(default)]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileImage {
    pub image_id: String,
    pub height: Option<u32>,
    pub width: Option<u32>,
}

/// A user in full: `GET /users/me` and `GET /users/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub id: i64,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub account: Option<Account>,
    /// System Admin. Omitted when the caller is not a System Admin.
    pub admin: Option<bool>,
    /// The legacy paid-license flag.
    pub licensed_sheet_creator: Option<bool>,
    pub group_admin: Option<bool>,
    pub resource_viewer: Option<bool>,
    pub status: Option<UserStatus>,
    #[serde(default)]
    pub alternate_emails: Vec<AlternateEmail>,
    pub company: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub role: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    pub profile_image: Option<ProfileImage>,
    #[serde(default, with = "time::optional")]
    pub last_login: Option<DateTime<Utc>>,
    #[serde(default, with = "time::optional")]
    pub custom_welcome_screen_viewed: Option<DateTime<Utc>>,
    /// Sunset by Smartsheet: `-1` when present.
    pub sheet_count: Option<i64>,
}

impl UserProfile {
    /// Whether Smartsheet reports this user as a System Admin.
    pub fn is_system_admin(&self) -> bool {
        self.admin == Some(true)
    }
}

/// A user as listed by `GET /users`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub admin: Option<bool>,
    pub group_admin: Option<bool>,
    pub licensed_sheet_creator: Option<bool>,
    pub resource_viewer: Option<bool>,
    pub status: Option<UserStatus>,
    pub is_internal: Option<bool>,
    pub seat_type: Option<SeatType>,
    #[serde(default, with = "time::optional")]
    pub seat_type_last_changed_at: Option<DateTime<Utc>>,
    /// When a provisional member's free period ends.
    #[serde(default, with = "time::optional")]
    pub provisional_expiration_date: Option<DateTime<Utc>>,
    pub sheet_count: Option<i64>,
    /// Only with `include=lastLogin`, an admin caller, at most 100 users per page, and a user who
    /// has logged in.
    #[serde(default, with = "time::optional")]
    pub last_login: Option<DateTime<Utc>>,
    #[serde(default, with = "time::optional")]
    pub custom_welcome_screen_viewed: Option<DateTime<Utc>>,
    /// Seen in one contract mapping only.
    pub plan_id: Option<i64>,
    pub profile_image: Option<ProfileImage>,
}

/// A user's seat in one plan: `GET /users/{id}/plans`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPlan {
    pub plan_id: i64,
    /// Only with `include=planName`.
    pub plan_name: Option<String>,
    pub seat_type: SeatType,
    #[serde(default, with = "time::optional")]
    pub seat_type_last_changed_at: Option<DateTime<Utc>>,
    pub is_internal: Option<bool>,
    #[serde(default, with = "time::optional")]
    pub provisional_expiration_date: Option<DateTime<Utc>>,
}

/// An offset-paged list (`page`/`pageSize`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexResult<T> {
    pub page_number: u32,
    /// Absent with `includeAll=true`.
    pub page_size: Option<u32>,
    pub total_pages: u32,
    pub total_count: u64,
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Items of the answer that could not be read as `T` and were left out of `data` (set by the
    /// client for `GET /users`, never sent by Smartsheet).
    #[serde(skip)]
    pub skipped: Vec<SkippedItem>,
    /// The server's clock when it answered (its `Date` header), if it said (set by the client).
    #[serde(skip)]
    pub server_time: Option<DateTime<Utc>>,
}

/// An item of a list that could not be read: what could still be made out of it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedItem {
    pub id: Option<i64>,
    pub email: Option<String>,
    pub problem: String,
}

/// A token-paged list (`lastKey`/`maxItems`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPage<T> {
    /// Pass back to get the next page; absent or `null` on the last page.
    pub last_key: Option<String>,
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// One page of `GET /events`, with the events read as `E` ([`Event`], or a leaner type such as
/// [`ActivityEvent`] where only a few fields matter).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventPage<E = Event> {
    /// Where to resume; store it after processing the page.
    pub next_stream_position: Option<String>,
    /// More events are available right now (the page was full).
    #[serde(default)]
    pub more_available: bool,
    #[serde(default = "Vec::new")]
    pub data: Vec<E>,
    /// Events of the answer that could not be read as `E` (a missing field, an odd date) and were
    /// left out of `data`: how many, and what was wrong with the first. Set by the client's
    /// event stream, never sent by Smartsheet.
    #[serde(skip)]
    pub skipped: Option<SkippedEvents>,
    /// The server's clock when it answered (its `Date` header), if it said (set by the client).
    #[serde(skip)]
    pub server_time: Option<DateTime<Utc>>,
}

/// See [`EventPage::skipped`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEvents {
    pub count: usize,
    pub first_problem: String,
}

/// The fields of an event that user activity needs. Reading pages of 10,000 events as these
/// instead of [`Event`] skips the allocations of ids, names and `additionalDetails`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEvent {
    pub object_type: ObjectType,
    pub action: Action,
    #[serde(alias = "eventTimeStamp", with = "time::required")]
    pub event_timestamp: DateTime<Utc>,
    /// The acting user; may be a system user id.
    pub user_id: i64,
}

/// One Event Reporting event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub event_id: String,
    pub object_type: ObjectType,
    pub action: Action,
    /// Deprecated by Smartsheet; `-1` when the id is not numeric. Prefer `object_id_str`.
    pub object_id: Option<i64>,
    pub object_id_str: Option<String>,
    #[serde(alias = "eventTimeStamp", with = "time::required")]
    pub event_timestamp: DateTime<Utc>,
    /// The acting user; may be a system user id.
    pub user_id: i64,
    /// The owner of the credential used.
    pub request_user_id: Option<i64>,
    pub access_token_name: Option<String>,
    pub source: EventSource,
    #[serde(default)]
    pub additional_details: EventDetails,
}

/// `additionalDetails` of an event: the responsible user's email plus event-specific fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDetails {
    pub email_address: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The result of a write: `{"message":"SUCCESS","resultCode":0}`, sometimes with the changed
/// object under `result` (object or array) or `data` (array), depending on the endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteResult {
    /// `SUCCESS` or `PARTIAL_SUCCESS`.
    pub message: String,
    /// `0` for success, `3` for partial success.
    pub result_code: i64,
    pub result: Option<Value>,
    pub data: Option<Value>,
    pub version: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn open_enums_keep_unknown_values_and_round_trip() {
        let seat: SeatType = serde_json::from_value(json!("PROVISIONAL_MEMBER")).unwrap();
        assert_eq!(seat, SeatType::ProvisionalMember);
        let future: SeatType = serde_json::from_value(json!("ENTERPRISE_MEMBER")).unwrap();
        assert_eq!(future, SeatType::Other("ENTERPRISE_MEMBER".into()));
        assert_eq!(serde_json::to_value(&future).unwrap(), json!("ENTERPRISE_MEMBER"));
        assert_eq!(serde_json::to_value(SeatType::Contributor).unwrap(), json!("CONTRIBUTOR"));
        assert_eq!(future.to_string(), "ENTERPRISE_MEMBER");
        assert_eq!(SeatType::from("member"), SeatType::Other("member".into()), "case-sensitive");

        let action: Action = serde_json::from_value(json!("LOGIN")).unwrap();
        assert_eq!(action.as_str(), "LOGIN");
        assert_eq!(Action::from("DOWNLOAD_LOGIN_HISTORY"), Action::DownloadLoginHistory);
        assert_eq!(UserStatus::from("DEACTIVATED"), UserStatus::Deactivated);
        assert_eq!(EventSource::from("UNKNOWN"), EventSource::Unknown);
        assert_eq!(EventSource::from("SMART_AGENT"), EventSource::Other("SMART_AGENT".into()));
        assert_eq!(ObjectType::from("UPDATE_REQUEST"), ObjectType::UpdateRequest);
        assert!(serde_json::from_value::<SeatType>(json!(3)).is_err());
    }

    #[test]
    fn event_accepts_both_timestamp_spellings_and_keeps_details() {
        let mut raw = json!({
            "eventId": "e1", "objectType": "USER", "action": "LOGIN", "objectId": 9876543210987654_i64,
            "eventTimeStamp": "2026-07-30T10:35:15Z", "userId": 1, "source": "WEB_APP",
            "additionalDetails": {"emailAddress": "a@b.example", "sourceIpAddress": "203.0.113.24"},
            "someNewField": true
        });
        let event: Event = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(event.object_id, Some(9_876_543_210_987_654));
        assert_eq!(event.action, Action::Other("LOGIN".into()));
        assert_eq!(event.additional_details.email_address.as_deref(), Some("a@b.example"));
        assert_eq!(event.additional_details.other["sourceIpAddress"], json!("203.0.113.24"));
        let out = serde_json::to_value(&event).unwrap();
        assert_eq!(out["eventTimestamp"], json!("2026-07-30T10:35:15Z"));
        assert_eq!(out["additionalDetails"]["sourceIpAddress"], json!("203.0.113.24"));

        let lean: ActivityEvent = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!((lean.user_id, lean.event_timestamp), (event.user_id, event.event_timestamp));
        assert_eq!((&lean.object_type, &lean.action), (&event.object_type, &event.action));

        raw["eventTimestamp"] = raw["eventTimeStamp"].take();
        raw.as_object_mut().unwrap().remove("eventTimeStamp");
        assert_eq!(serde_json::from_value::<Event>(raw.clone()).unwrap(), event);
        let page: EventPage<ActivityEvent> =
            serde_json::from_value(json!({"moreAvailable": false, "data": [raw]})).unwrap();
        assert_eq!(page.data, vec![lean]);
    }

    #[test]
    fn ids_beyond_2_pow_53_survive_exactly() {
        // 2^53 + 1 is the first integer an f64 cannot hold (the contract's 9876543210987654 is even
        // and happens to be exact as a double).
        let user: User = serde_json::from_str(
            r#"{"id": 9007199254740993, "email": "a@b.example", "planId": 9223372036854775807}"#,
        )
        .unwrap();
        assert_eq!((user.id, user.plan_id), (9_007_199_254_740_993, Some(i64::MAX)));
        assert!(serde_json::to_string(&user).unwrap().contains("\"id\":9007199254740993,"));
    }

    #[test]
    fn a_bad_timestamp_in_an_optional_field_is_an_error() {
        let raw = json!({"id": 1, "email": "a@b.example", "lastLogin": "yesterday"});
        let err = serde_json::from_value::<User>(raw).unwrap_err().to_string();
        assert!(err.contains("yesterday"), "{err}");
    }
}
