//! `GET /events`: the Event Reporting stream.

use std::sync::Arc;

use bytes::Bytes;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::Extension;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, DurationRound, Utc};
use futures::StreamExt;
use std::fmt::Write;

use crate::activity::{is_admin_write, EventLog, EventRec, WriteDetail, KINDS, PROFILE_FIELDS, SOURCES};
use crate::http::{json_response, ApiError, ApiResult, Params};
use crate::org::{contributor_introduced, derived_id, mix, Org, Seat, TokenRole};
use crate::state::{Caller, Sim};

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

/// Whether the client accepts a gzip answer (`Accept-Encoding: gzip`, not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            parts.next().is_some_and(|coding| coding.eq_ignore_ascii_case("gzip") || coding == "*")
                && !parts.any(|p| p.replace(' ', "") == "q=0")
        })
}

/// Smartsheet resolves `since` and `to` to the nearest hour.
fn nearest_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_round(Duration::hours(1)).unwrap_or(t)
}

/// Appends `s` as a JSON string.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
    } else {
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// Appends an integer (itoa: `write!` was a visible share of rendering a page).
fn push_int(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Writes one event as JSON. Pages of 10,000 events are the hot path of a large sync, so the JSON
/// is written directly rather than through intermediate values.
fn render(
    out: &mut String,
    sim: &Sim,
    org: &Org,
    log: &EventLog,
    index: usize,
    rec: &EventRec,
    numeric: bool,
) {
    let seed = sim.config.seed;
    let kind = &KINDS[rec.kind as usize];
    let source = SOURCES[rec.source as usize];
    let user = rec.system_user().is_none().then(|| &org.users[rec.actor as usize]);
    let user_id = rec.system_user().map_or_else(|| user.map_or(0, |u| u.id), |(id, _)| id);
    // An admin's write to a user: the object is the user written to; the actor is the admin.
    let target = is_admin_write(rec.kind).then(|| &org.users[rec.object as usize]);
    let time = log.time_of(rec);
    out.push_str("{\"eventId\":\"");
    log.push_event_id(out, index);
    out.push_str("\",\"objectType\":\"");
    out.push_str(kind.object_type);
    out.push_str("\",\"action\":\"");
    out.push_str(kind.action);
    out.push_str("\",");
    let id_pair = |out: &mut String, id: i64| {
        out.push_str("\"objectId\":");
        push_int(out, id);
        out.push_str(",\"objectIdStr\":\"");
        push_int(out, id);
        out.push('"');
    };
    match kind.object_type {
        "USER" => id_pair(out, target.map_or(user_id, |t| t.id)),
        // Access tokens have non-numeric ids: Smartsheet then sends objectId -1.
        "ACCESS_TOKEN" => {
            let _ = write!(
                out,
                "\"objectId\":-1,\"objectIdStr\":\"tkn-{:012x}\"",
                mix(seed ^ u64::from(rec.object)) >> 16
            );
        }
        other => id_pair(out, object_id(seed, org, other, rec.object)),
    }
    out.push_str(",\"eventTimestamp\":");
    if numeric {
        push_int(out, time.timestamp_millis());
    } else {
        push_timestamp(out, time);
    }
    out.push_str(",\"userId\":");
    push_int(out, user_id);
    out.push_str(",\"requestUserId\":");
    push_int(out, user_id);
    if let (Some(user), "API_INTEGRATED_APP") = (user, source) {
        out.push_str(",\"accessTokenName\":");
        if target.is_some() {
            out.push_str("\"Admin API token\"");
        } else if user.service_account {
            push_json_str(out, &format!("{} token", user.last_name));
        } else {
            out.push_str("\"Personal automation\"");
        }
    }
    out.push_str(",\"source\":\"");
    out.push_str(source);
    out.push_str("\",\"additionalDetails\":{\"emailAddress\":");
    push_json_str(out, user.map_or("no-reply@smartsheet.com", |u| u.email.as_str()));
    if source == "WEB_APP" {
        let h = mix(seed ^ u64::from(rec.actor));
        let _ = write!(out, ",\"sourceIpAddress\":\"203.0.{}.{}\"", 113 + (h % 3), 1 + (h >> 8) % 254);
    }
    if let Some(target) = target {
        write_details(out, org, time, target, WriteDetail::decode(rec.detail));
    }
    if kind.object_type == "ATTACHMENT" {
        let sheet = object_id(seed, org, "SHEET", rec.object);
        let _ = write!(out, ",\"sheetId\":\"{sheet}\",\"attachmentName\":\"file-{}.pdf\"", rec.object % 997);
    }
    out.push_str("}}");
}

/// The `additionalDetails` of an admin's write to `target` (after the actor's `emailAddress`):
/// the user written to (`userId` as a string, `userEmail`) and what changed.
fn write_details(
    out: &mut String,
    org: &Org,
    time: DateTime<Utc>,
    target: &crate::org::SimUser,
    detail: WriteDetail,
) {
    out.push_str(",\"userId\":\"");
    push_int(out, target.id);
    out.push_str("\",\"userEmail\":");
    push_json_str(out, &target.email);
    // Seat names as Smartsheet wrote them at the time (VIEWER before CONTRIBUTOR was introduced).
    let seat = |seat: Seat| match seat {
        Seat::Member => "MEMBER",
        Seat::ProvisionalMember => "PROVISIONAL_MEMBER",
        Seat::Guest => "GUEST",
        Seat::Contributor if time >= contributor_introduced() => "CONTRIBUTOR",
        Seat::Contributor => "VIEWER",
    };
    let plan = |out: &mut String| {
        if let Some(plan) = org.plan_id {
            out.push_str(",\"planId\":\"");
            push_int(out, plan);
            out.push('"');
        }
    };
    match detail {
        WriteDetail::Nothing => {}
        WriteDetail::Seat { from, to } => {
            let _ = write!(out, ",\"seatType\":\"{}\",\"previousSeatType\":\"{}\"", seat(to), seat(from));
            plan(out);
        }
        WriteDetail::Profile { changed, values } => {
            for (bit, field) in PROFILE_FIELDS.iter().enumerate() {
                if changed & (1 << bit) == 0 {
                    continue;
                }
                if bit < 4 {
                    let _ = write!(out, ",\"{field}\":{}", values & (1 << bit) != 0);
                } else {
                    // Names are not kept in the 16-byte record: only that they changed.
                    let _ = write!(out, ",\"{field}Changed\":true");
                }
            }
        }
        WriteDetail::Removed { from_plan } => {
            out.push_str(if from_plan {
                ",\"removedFrom\":\"PLAN\""
            } else {
                ",\"removedFrom\":\"ORGANIZATION\""
            });
            if from_plan {
                plan(out);
            }
        }
    }
}

/// Appends `"YYYY-MM-DDTHH:MM:SSZ"` (chrono's formatter is several times slower on this hot path).
fn push_timestamp(out: &mut String, t: DateTime<Utc>) {
    use chrono::{Datelike, Timelike};
    let two = |out: &mut String, n: u32| {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    };
    out.push('"');
    push_int(out, t.year());
    out.push('-');
    two(out, t.month());
    out.push('-');
    two(out, t.day());
    out.push('T');
    two(out, t.hour());
    out.push(':');
    two(out, t.minute());
    out.push(':');
    two(out, t.second());
    out.push_str("Z\"");
}

/// The id of object `object` of `object_type`, from a pool sized to the organization.
fn object_id(seed: u64, org: &Org, object_type: &str, object: u32) -> i64 {
    let pool = org.users.len() as u64 * 3 + 50;
    derived_id(&[seed, object_type.len() as u64, object_type.as_bytes()[0].into(), u64::from(object) % pool])
}

pub async fn list(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    p: Params,
) -> ApiResult {
    let gzip = accepts_gzip(&headers);
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
            let start =
                decode_position(sim.config.seed, position).filter(|i| *i <= visible).ok_or_else(|| {
                    ApiError::invalid_value("streamPosition", "not a position this stream returned")
                })?;
            (start, visible)
        }
        (Some(since), None) => {
            let since = nearest_hour(since);
            let retention = Duration::days(i64::from(sim.config.retention_days));
            if since < now - retention {
                return Err(ApiError::invalid_value(
                    "since",
                    format!(
                        "events are kept for {} days; since must be after {}",
                        sim.config.retention_days,
                        (now - retention).to_rfc3339()
                    ),
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
    let head = format!(
        "{{\"nextStreamPosition\":\"{}\",\"moreAvailable\":{},\"data\":[",
        encode_position(sim.config.seed, stop),
        stop < end
    );
    drop((org, log));
    Ok(stream_events(sim, head, start, stop, numeric, gzip))
}

/// Events per piece of a streamed page (about 400 KB of JSON).
const EVENTS_PER_PIECE: usize = 1000;

/// Pieces rendered (and compressed) at once.
const PIECES_AT_ONCE: usize = 2;

/// The page — `head`, events `start..stop`, then `]}` — as a streamed answer. Pieces of
/// [`EVENTS_PER_PIECE`] events are rendered on the blocking pool, [`PIECES_AT_ONCE`] at a time,
/// and sent in order, so the head (with the position) goes out before the last event is written.
/// With `gzip` the pieces are compressed where they are rendered, pigz-style: each is raw DEFLATE
/// ending in a sync flush (the last in a final block), so together they are one DEFLATE stream,
/// framed by a gzip header and a trailer with the combined CRC-32. Compressing in parallel matters
/// on loopback, where compression, not the network, is what a page costs. The log only changes
/// after what had happened when the page was asked for (writes go in at that end, forgotten events
/// were still in the future) and users are never removed, so the indices stay valid after the
/// handler's locks are released.
fn stream_events(
    sim: Arc<Sim>,
    head: String,
    start: usize,
    stop: usize,
    numeric: bool,
    gzip: bool,
) -> Response {
    let mut bounds: Vec<usize> = (start..stop).step_by(EVENTS_PER_PIECE).collect();
    bounds.push(stop);
    if bounds.len() == 1 {
        bounds.push(stop);
    }
    let last = bounds.len() - 2;
    let head = Arc::new(head);
    let pieces =
        futures::stream::iter(bounds.windows(2).map(|w| (w[0], w[1])).enumerate().collect::<Vec<_>>())
            .map(move |(i, (from, to))| {
                let (sim, head) = (sim.clone(), head.clone());
                tokio::task::spawn_blocking(move || {
                    let mut json =
                        String::with_capacity(if i == 0 { head.len() } else { 0 } + (to - from) * 400 + 2);
                    if i == 0 {
                        json.push_str(&head);
                    }
                    {
                        let org = sim.org.read();
                        let log = sim.log.read();
                        for (k, rec) in log.visible()[from..to].iter().enumerate() {
                            if from + k > start {
                                json.push(',');
                            }
                            render(&mut json, &sim, &org, &log, from + k, rec, numeric);
                        }
                    }
                    if i == last {
                        json.push_str("]}");
                    }
                    if gzip {
                        Piece::deflate(json.as_bytes(), i == last)
                    } else {
                        Piece::plain(json)
                    }
                })
            })
            .buffered(PIECES_AT_ONCE);
    let body = if gzip {
        const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        let header = futures::stream::once(async { Ok(Bytes::from_static(&GZIP_HEADER)) });
        let framed = pieces.scan((crc32fast::Hasher::new(), 0u32), move |(crc, size), piece| {
            let item = piece.map_err(std::io::Error::other).map(|piece| {
                crc.combine(&piece.crc);
                *size = size.wrapping_add(piece.len as u32);
                if piece.last {
                    let mut bytes = piece.bytes;
                    bytes.extend_from_slice(&crc.clone().finalize().to_le_bytes());
                    bytes.extend_from_slice(&size.to_le_bytes());
                    Bytes::from(bytes)
                } else {
                    Bytes::from(piece.bytes)
                }
            });
            futures::future::ready(Some(item))
        });
        Body::from_stream(header.chain(framed))
    } else {
        Body::from_stream(
            pieces.map(|piece| piece.map(|p| Bytes::from(p.bytes)).map_err(std::io::Error::other)),
        )
    };
    let mut response = json_response(body);
    if gzip {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// One rendered piece of a page, compressed or not.
struct Piece {
    bytes: Vec<u8>,
    crc: crc32fast::Hasher,
    /// Uncompressed length.
    len: usize,
    last: bool,
}

impl Piece {
    fn plain(json: String) -> Self {
        Self { len: json.len(), bytes: json.into_bytes(), crc: crc32fast::Hasher::new(), last: false }
    }

    /// Raw DEFLATE at gzip's fastest level: a sync flush at the end, or the final block if `last`.
    fn deflate(data: &[u8], last: bool) -> Self {
        use std::io::Write;
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        let mut encoder = flate2::write::DeflateEncoder::new(
            Vec::with_capacity(data.len() / 4),
            flate2::Compression::fast(),
        );
        let bytes = (|| -> std::io::Result<Vec<u8>> {
            encoder.write_all(data)?;
            if last {
                return encoder.finish();
            }
            encoder.flush()?;
            Ok(std::mem::take(encoder.get_mut()))
        })()
        .expect("writing to a Vec cannot fail");
        Self { bytes, crc, len: data.len(), last }
    }
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
    fn timestamps_are_written_as_smartsheet_writes_them() {
        let mut out = String::new();
        push_timestamp(&mut out, DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().to_utc());
        assert_eq!(out, "\"2026-01-02T03:04:05Z\"");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = String::new();
        push_json_str(&mut out, "a\"b\\c\nd");
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), "a\"b\\c\nd");
    }

    #[test]
    fn since_is_resolved_to_the_nearest_hour() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(nearest_hour(t("2026-11-01T10:29:59Z")), t("2026-11-01T10:00:00Z"));
        assert_eq!(nearest_hour(t("2026-11-01T10:30:00Z")), t("2026-11-01T11:00:00Z"));
    }
}
