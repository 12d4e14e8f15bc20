//! `GET /events`: the Event Reporting stream.

use std::sync::Arc;

use axum::extract::State;
use axum::Extension;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::activity::{EventLog, EventRec, KINDS, SOURCES};
use crate::http::{ok, ts, ApiError, ApiResult, Params};
use crate::org::{derived_id, mix, Org, TokenRole};
use crate::state::{Caller, Sim};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    email_address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachment_name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventOut {
    event_id: String,
    object_type: &'static str,
    action: &'static str,
    object_id: i64,
    object_id_str: String,
    event_timestamp: Value,
    user_id: i64,
    request_user_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token_name: Option<String>,
    source: &'static str,
    additional_details: Details,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StreamResult {
    next_stream_position: String,
    more_available: bool,
    data: Vec<EventOut>,
}

/// Stream positions are opaque to clients: an index into the log, sealed with a check so a
/// made-up or damaged position is refused.
fn encode_position(seed: u64, index: usize) -> String {
    let mut bytes = (index as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(&(mix(seed ^ 0x57E4 ^ index as u64) as u32).to_le_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode_position(seed: u64, position: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(position).ok()?;
    let index = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
    let check = u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
    (bytes.len() == 12 && check == mix(seed ^ 0x57E4 ^ index as u64) as u32).then_some(index)
}

/// Smartsheet resolves `since` and `to` to the nearest hour.
fn nearest_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_round(Duration::hours(1)).unwrap_or(t)
}

fn render(sim: &Sim, org: &Org, log: &EventLog, index: usize, rec: &EventRec, numeric: bool) -> EventOut {
    let seed = sim.config.seed;
    let kind = &KINDS[rec.kind as usize];
    let source = SOURCES[rec.source as usize];
    let (user_id, email, token_name) = match rec.system_user() {
        Some((id, _)) => (id, "no-reply@smartsheet.com".to_owned(), None),
        None => {
            let user = &org.users[rec.actor as usize];
            let token_name = match source {
                "API_INTEGRATED_APP" if user.service_account => Some(format!("{} token", user.last_name)),
                "API_INTEGRATED_APP" => Some("Personal automation".to_owned()),
                _ => None,
            };
            (user.id, user.email.clone(), token_name)
        }
    };
    let (object_id, object_id_str) = match kind.object_type {
        "USER" => (user_id, user_id.to_string()),
        // Access tokens have non-numeric ids: Smartsheet then sends objectId -1.
        "ACCESS_TOKEN" => (-1, format!("tkn-{:012x}", mix(seed ^ u64::from(rec.object)) >> 16)),
        other => {
            let pool = org.users.len() as u64 * 3 + 50;
            let id = derived_id(&[seed, other.len() as u64, other.as_bytes()[0].into(), u64::from(rec.object) % pool]);
            (id, id.to_string())
        }
    };
    let mut details = Details { email_address: email, source_ip_address: None, sheet_id: None, attachment_name: None };
    if source == "WEB_APP" {
        let h = mix(seed ^ rec.actor as u64);
        details.source_ip_address = Some(format!("203.0.{}.{}", 113 + (h % 3), 1 + (h >> 8) % 254));
    }
    if kind.object_type == "ATTACHMENT" {
        let sheet = derived_id(&[seed, 5, u64::from(b'S'), u64::from(rec.object) % (org.users.len() as u64 * 3 + 50)]);
        details.sheet_id = Some(sheet.to_string());
        details.attachment_name = Some(format!("file-{}.pdf", rec.object % 997));
    }
    EventOut {
        event_id: log.event_id(index),
        object_type: kind.object_type,
        action: kind.action,
        object_id,
        object_id_str,
        event_timestamp: ts(log.time_of(rec), numeric),
        user_id,
        request_user_id: user_id,
        access_token_name: token_name,
        source,
        additional_details: details,
    }
}

pub async fn list(State(sim): State<Arc<Sim>>, Extension(caller): Extension<Caller>, p: Params) -> ApiResult {
    let now = sim.now();
    let org = sim.org.read();
    if !org.users[caller.user].admin {
        return Err(ApiError::not_authorized());
    }
    if !sim.config.event_reporting || caller.role == TokenRole::AdminNoEventReporting {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            1004,
            "You are not authorized to perform this action. Event Reporting is not enabled for your organization.",
        ));
    }
    let numeric = p.bool("numericDates")?.unwrap_or(false);
    let max_count = p.int("maxCount", 1, 10_000)?.unwrap_or(1000) as usize;
    let since = p.datetime("since", numeric)?;
    let to = p.datetime("to", numeric)?;
    let position = p.str("streamPosition");
    let log = sim.log.read();
    let visible = log.visible().len();
    let (start, end) = match (since, position) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_value("since", "give either since or streamPosition, not both"))
        }
        (None, None) => return Err(ApiError::missing_parameter("since or streamPosition")),
        (None, Some(position)) => {
            if to.is_some() {
                return Err(ApiError::invalid_value("to", "to can only be used with since"));
            }
            let start = decode_position(sim.config.seed, position)
                .filter(|i| *i <= visible)
                .ok_or_else(|| ApiError::invalid_value("streamPosition", "not a position this stream returned"))?;
            (start, visible)
        }
        (Some(since), None) => {
            let since = nearest_hour(since);
            let retention = Duration::days(i64::from(sim.config.retention_days));
            if since < now - retention {
                return Err(ApiError::invalid_value(
                    "since",
                    format!("events are kept for {} days; since must be after {}", sim.config.retention_days, (now - retention).to_rfc3339()),
                ));
            }
            let end = match to.map(nearest_hour) {
                Some(to) if to < since => return Err(ApiError::invalid_value("to", "to is before since")),
                Some(to) => log.position_at(to.min(now)),
                None => visible,
            };
            (log.position_at(since).min(end), end)
        }
    };
    let stop = (start + max_count).min(end);
    let data = (start..stop).map(|i| render(&sim, &org, &log, i, &log.visible()[i], numeric)).collect();
    ok(&StreamResult {
        next_stream_position: encode_position(sim.config.seed, stop),
        more_available: stop < end,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_forgeries_are_refused() {
        let p = encode_position(7, 12345);
        assert_eq!(decode_position(7, &p), Some(12345));
        assert_eq!(decode_position(8, &p), None, "another simulator's position");
        assert_eq!(decode_position(7, "bm90LWEtcG9zaXRpb24"), None);
        assert_eq!(decode_position(7, "!!"), None);
    }

    #[test]
    fn since_is_resolved_to_the_nearest_hour() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(nearest_hour(t("2026-11-01T10:29:59Z")), t("2026-11-01T10:00:00Z"));
        assert_eq!(nearest_hour(t("2026-11-01T10:30:00Z")), t("2026-11-01T11:00:00Z"));
    }
}
