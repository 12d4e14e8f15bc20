//! Parameters of the Smartsheet calls. Query strings use `true`/`false` for booleans,
//! comma-joined lists, and RFC 3339 `…Z` dates.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::models::SeatType;
use super::time;

pub(crate) type QueryPairs = Vec<(&'static str, String)>;

/// The most `maxCount` Smartsheet accepts on `GET /events`.
pub const MAX_EVENTS_PER_PAGE: u32 = 10_000;

/// Filters for `GET /users`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListUsersQuery {
    /// Only these primary email addresses (sent comma-separated).
    pub emails: Vec<String>,
    /// USM: seats in this plan (System Admin only). Send it on USM plans to get `seatType`.
    pub plan_id: Option<i64>,
    pub seat_type: Option<SeatType>,
    /// `include=lastLogin`; Smartsheet fills it only on pages of at most 100 users.
    pub include_last_login: bool,
    /// During the VIEWER→CONTRIBUTOR transition: `true` reports free internal seats as
    /// `CONTRIBUTOR`, `false` as `VIEWER`; `None` leaves Smartsheet's default.
    pub display_contributor_seat_type: Option<bool>,
    /// One page with everyone (drops `lastLogin` on large organizations).
    pub include_all: bool,
}

impl ListUsersQuery {
    pub(crate) fn pairs(&self, page: u32, page_size: u32) -> QueryPairs {
        let mut q = vec![("page", page.to_string()), ("pageSize", page_size.to_string())];
        if !self.emails.is_empty() {
            q.push(("email", self.emails.join(",")));
        }
        if self.include_last_login {
            q.push(("include", "lastLogin".into()));
        }
        if self.include_all {
            q.push(("includeAll", "true".into()));
        }
        if let Some(plan_id) = self.plan_id {
            q.push(("planId", plan_id.to_string()));
        }
        if let Some(seat) = &self.seat_type {
            q.push(("seatType", seat.to_string()));
        }
        if let Some(display) = self.display_contributor_seat_type {
            q.push(("displayContributorSeatType", display.to_string()));
        }
        q
    }
}

/// Options for `GET /users/{id}/plans`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPlansQuery {
    /// `include=planName`.
    pub include_plan_name: bool,
    /// As in [`ListUsersQuery::display_contributor_seat_type`].
    pub display_contributor_seat_type: Option<bool>,
    /// Page size (`maxItems`); Smartsheet's default and minimum is 100.
    pub max_items: Option<u32>,
}

impl UserPlansQuery {
    pub(crate) fn pairs(&self, last_key: Option<&str>) -> QueryPairs {
        let mut q = QueryPairs::new();
        if let Some(key) = last_key {
            q.push(("lastKey", key.to_owned()));
        }
        if let Some(max) = self.max_items {
            q.push(("maxItems", max.to_string()));
        }
        if self.include_plan_name {
            q.push(("include", "planName".into()));
        }
        if let Some(display) = self.display_contributor_seat_type {
            q.push(("displayContributorSeatType", display.to_string()));
        }
        q
    }
}

/// Target seat of `POST /users/{id}/plans/{planId}/upgrade`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UpgradeSeat {
    Member,
    /// External users only.
    Guest,
}

/// Target seat of `POST /users/{id}/plans/{planId}/downgrade` (license reclamation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DowngradeSeat {
    /// Rejected by Smartsheet after the 2026-10-30 sunset; use `Contributor`.
    Viewer,
    /// External users only.
    Guest,
    Contributor,
}

/// Body of `PUT /users/{id}`; only the fields that are `Some` are sent.
///
/// Smartsheet's docs call `admin` and `licensedSheetCreator` required; send both (with the user's
/// current `admin` value) to be safe. They are optional here so that a default value can never
/// silently revoke admin rights.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licensed_sheet_creator: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_viewer: Option<bool>,
}

/// Query of `DELETE /users/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoveUserOptions {
    /// Receives the user's groups (required if they own any) and, with `transfer_sheets`, their
    /// sheets.
    pub transfer_to: Option<i64>,
    pub transfer_sheets: bool,
    /// Also remove the user from all sharing in the organization.
    pub remove_from_sharing: bool,
}

impl RemoveUserOptions {
    pub(crate) fn pairs(&self) -> QueryPairs {
        let mut q = QueryPairs::new();
        if let Some(to) = self.transfer_to {
            q.push(("transferTo", to.to_string()));
        }
        q.push(("transferSheets", self.transfer_sheets.to_string()));
        q.push(("removeFromSharing", self.remove_from_sharing.to_string()));
        q
    }
}

/// Where `GET /events` starts: a time window (backfill, rounded to the hour by Smartsheet) or a
/// stored `nextStreamPosition`. Smartsheet requires exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsStart {
    Since { since: DateTime<Utc>, to: Option<DateTime<Utc>> },
    Position(String),
}

/// One `GET /events` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsRequest {
    pub start: EventsStart,
    /// Events per page, clamped to 1..=10 000 (Smartsheet's default is 1 000).
    pub max_count: Option<u32>,
    /// Send `numericDates=true` (dates as epoch milliseconds both ways).
    pub numeric_dates: bool,
}

impl EventsRequest {
    pub fn new(start: EventsStart) -> Self {
        Self { start, max_count: None, numeric_dates: false }
    }

    pub(crate) fn pairs(&self) -> QueryPairs {
        let date = |t: &DateTime<Utc>| {
            if self.numeric_dates {
                t.timestamp_millis().to_string()
            } else {
                time::to_query(t)
            }
        };
        let mut q = QueryPairs::new();
        match &self.start {
            EventsStart::Since { since, to } => {
                q.push(("since", date(since)));
                if let Some(to) = to {
                    q.push(("to", date(to)));
                }
            }
            EventsStart::Position(position) => q.push(("streamPosition", position.clone())),
        }
        if let Some(max) = self.max_count {
            q.push(("maxCount", max.clamp(1, MAX_EVENTS_PER_PAGE).to_string()));
        }
        if self.numeric_dates {
            q.push(("numericDates", "true".into()));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn owned(q: QueryPairs) -> Vec<(String, String)> {
        q.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn list_users_query() {
        assert_eq!(
            owned(ListUsersQuery::default().pairs(1, 100)),
            pairs(&[("page", "1"), ("pageSize", "100")])
        );
        let full = ListUsersQuery {
            emails: vec!["a@x.example".into(), "b+1@x.example".into()],
            plan_id: Some(9_876_543_210_987_654),
            seat_type: Some(SeatType::Contributor),
            include_last_login: true,
            display_contributor_seat_type: Some(false),
            include_all: true,
        };
        assert_eq!(
            owned(full.pairs(2, 50)),
            pairs(&[
                ("page", "2"),
                ("pageSize", "50"),
                ("email", "a@x.example,b+1@x.example"),
                ("include", "lastLogin"),
                ("includeAll", "true"),
                ("planId", "9876543210987654"),
                ("seatType", "CONTRIBUTOR"),
                ("displayContributorSeatType", "false"),
            ])
        );
    }

    #[test]
    fn events_query() {
        let since = Utc.with_ymd_and_hms(2026, 7, 30, 10, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 7, 30, 12, 0, 0).unwrap();
        let mut req = EventsRequest::new(EventsStart::Since { since, to: Some(to) });
        req.max_count = Some(50_000);
        assert_eq!(
            owned(req.pairs()),
            pairs(&[
                ("since", "2026-07-30T10:00:00Z"),
                ("to", "2026-07-30T12:00:00Z"),
                ("maxCount", "10000")
            ])
        );
        req.numeric_dates = true;
        req.max_count = Some(0);
        assert_eq!(
            owned(req.pairs()),
            pairs(&[
                ("since", "1785405600000"),
                ("to", "1785412800000"),
                ("maxCount", "1"),
                ("numericDates", "true")
            ])
        );
        let resume = EventsRequest::new(EventsStart::Position("XyZ.1".into()));
        assert_eq!(owned(resume.pairs()), pairs(&[("streamPosition", "XyZ.1")]));
    }

    #[test]
    fn write_parameters() {
        assert_eq!(
            owned(RemoveUserOptions::default().pairs()),
            pairs(&[("transferSheets", "false"), ("removeFromSharing", "false")])
        );
        let opts =
            RemoveUserOptions { transfer_to: Some(42), transfer_sheets: true, remove_from_sharing: true };
        assert_eq!(
            owned(opts.pairs()),
            pairs(&[("transferTo", "42"), ("transferSheets", "true"), ("removeFromSharing", "true")])
        );
        let update =
            UserUpdate { licensed_sheet_creator: Some(false), admin: Some(false), ..Default::default() };
        assert_eq!(
            serde_json::to_string(&update).unwrap(),
            r#"{"admin":false,"licensedSheetCreator":false}"#
        );
        assert_eq!(serde_json::to_string(&DowngradeSeat::Contributor).unwrap(), r#""CONTRIBUTOR""#);
        assert_eq!(serde_json::to_string(&UpgradeSeat::Member).unwrap(), r#""MEMBER""#);
        let plans = UserPlansQuery {
            include_plan_name: true,
            display_contributor_seat_type: Some(true),
            max_items: Some(100),
        };
        assert_eq!(
            owned(plans.pairs(Some("k1"))),
            pairs(&[
                ("lastKey", "k1"),
                ("maxItems", "100"),
                ("include", "planName"),
                ("displayContributorSeatType", "true")
            ])
        );
    }
}
