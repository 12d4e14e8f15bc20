//! Typed errors whose messages a license admin can act on.
//!
//! No error ever carries the API token or a response body wholesale.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use serde::Deserialize;

use super::token::TokenError;
use crate::server_text::{cap, cap_opt, MAX_MESSAGE, MAX_REF_ID};

pub type Result<T, E = SmartsheetError> = std::result::Result<T, E>;

/// Everything that can go wrong talking to Smartsheet.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmartsheetError {
    /// The token as entered cannot be a Smartsheet token.
    #[error(transparent)]
    InvalidToken(#[from] TokenError),

    #[error(
        "The Connection URL is not usable: {reason}. Use the API address of your Smartsheet \
         region, for example https://api.smartsheet.com/2.0."
    )]
    InvalidUrl { reason: String },

    /// HTTP 401: no, invalid or expired token, or SSO required.
    #[error(fmt = fmt_unauthorized)]
    Unauthorized { code: i64, message: String, ref_id: Option<String> },

    /// HTTP 403: the token's owner may not do this.
    #[error(fmt = fmt_forbidden)]
    Forbidden { code: i64, message: String, ref_id: Option<String> },

    /// HTTP 404 with a Smartsheet error body.
    #[error(
        "Smartsheet could not find the requested user or plan (error {code}: {message}). It may \
         have been removed already; refresh and try again.{}",
        RefSuffix(ref_id)
    )]
    NotFound { code: i64, message: String, ref_id: Option<String> },

    /// Any other 4xx with a Smartsheet error body (400 invalid request, 405, 410 retired, …).
    #[error("Smartsheet rejected the request (error {code}: {message}).{}", RefSuffix(ref_id))]
    BadRequest { status: u16, code: i64, message: String, ref_id: Option<String> },

    /// HTTP 429 / error 4003, after the retries allowed by the policy.
    #[error(fmt = fmt_rate_limited)]
    RateLimited { retry_after: Option<Duration>, ref_id: Option<String> },

    /// A server-side failure: 5xx, or error 4000/4001/4002/4004 with any status. `code` is `None`
    /// when the body was not a Smartsheet error (e.g. a gateway's 502 page).
    #[error(fmt = fmt_server)]
    Server { status: u16, code: Option<i64>, message: String, ref_id: Option<String> },

    /// A non-success answer that is not a Smartsheet error (wrong URL, a proxy, a redirect).
    #[error(
        "{host} answered {endpoint} with HTTP {status}, which is not an answer from the \
         Smartsheet API. Check that the Connection URL points at the Smartsheet API (for example \
         https://api.smartsheet.com/2.0) and that no proxy is in the way."
    )]
    UnexpectedResponse { host: String, endpoint: String, status: u16 },

    /// Smartsheet could not be reached, or the connection broke.
    #[error(
        "Could not reach Smartsheet at {host}: {kind} ({detail}). Check the Connection URL and \
         your network or proxy."
    )]
    Network {
        host: String,
        kind: NetworkFailure,
        detail: String,
        #[source]
        source: reqwest::Error,
    },

    /// A success answer Seatkeeper could not read.
    #[error(
        "Seatkeeper could not read Smartsheet's answer to {endpoint}: {detail}. Smartsheet may \
         have changed its API; check for a Seatkeeper update."
    )]
    Decode { endpoint: String, detail: String },

    /// An answer larger than Seatkeeper reads ([`super::ClientConfig::max_body_bytes`],
    /// [`super::ClientConfig::max_compressed_bytes`]). Reading stopped at the limit.
    #[error(fmt = fmt_too_large)]
    TooLarge { endpoint: String, limit: usize, compressed: bool },

    /// A call took longer in all than [`super::ClientConfig::deadline`], retries included.
    #[error(
        "Smartsheet did not answer {endpoint} within {} in all (retries and waits included), so \
         Seatkeeper stopped waiting. Try again later; if it keeps happening, check your network and \
         Smartsheet's status page.",
        HumanDuration(*limit)
    )]
    Deadline { endpoint: String, limit: Duration },

    /// A list whose pages never end: more pages than the organization's size allows, or a
    /// position (`lastKey`, `nextStreamPosition`) that came back again.
    #[error(
        "Smartsheet's answers to {endpoint} did not come to an end: {detail}. Seatkeeper stopped \
         reading; what it saved before is kept, and the next run starts again from there. If it \
         keeps happening, contact Smartsheet support."
    )]
    Paging { endpoint: String, detail: String },
}

/// A limit in bytes, as an admin reads it.
struct ByteSize(usize);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            n if n >= 1 << 20 && n % (1 << 20) == 0 => write!(f, "{} MiB", n >> 20),
            n if n >= 1 << 10 && n % (1 << 10) == 0 => write!(f, "{} KiB", n >> 10),
            n => write!(f, "{n} bytes"),
        }
    }
}

/// A duration, as an admin reads it.
struct HumanDuration(Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_secs() {
            s if s >= 60 && s % 60 == 0 => write!(f, "{} minutes", s / 60),
            s if s >= 1 => write!(f, "{s} seconds"),
            _ => write!(f, "{} ms", self.0.as_millis()),
        }
    }
}

fn fmt_too_large(
    endpoint: &str,
    limit: &usize,
    compressed: &bool,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let how = if *compressed { "as sent" } else { "unpacked" };
    write!(
        f,
        "Smartsheet's answer to {endpoint} was larger than Seatkeeper reads ({} {how}), so Seatkeeper \
         stopped reading it. Check that the Connection URL points at Smartsheet's API; if it does and this \
         keeps happening, contact Smartsheet support.",
        ByteSize(*limit)
    )
}

/// Which kind of transport failure a [`SmartsheetError::Network`] was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFailure {
    /// No connection could be opened (DNS, refused, TLS, firewall); nothing was sent.
    Connect,
    /// No complete answer within the time limit.
    Timeout,
    /// The connection was closed or reset before the answer was complete.
    Interrupted,
    /// The request could not be built or sent for another reason.
    Other,
}

impl fmt::Display for NetworkFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not open a connection",
            Self::Timeout => "no answer within the time limit",
            Self::Interrupted => "the connection broke off before the answer was complete",
            Self::Other => "the request failed",
        })
    }
}

impl SmartsheetError {
    /// The Smartsheet `errorCode`, when Smartsheet sent one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::NotFound { code, .. }
            | Self::BadRequest { code, .. } => Some(*code),
            Self::RateLimited { .. } => Some(4003),
            Self::Server { code, .. } => *code,
            _ => None,
        }
    }

    /// Smartsheet's `refId` (its support reference), when it sent one.
    pub fn ref_id(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { ref_id, .. }
            | Self::Forbidden { ref_id, .. }
            | Self::NotFound { ref_id, .. }
            | Self::BadRequest { ref_id, .. }
            | Self::RateLimited { ref_id, .. }
            | Self::Server { ref_id, .. } => ref_id.as_deref(),
            _ => None,
        }
    }

    /// Whether trying again later may succeed without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Network { .. } => true,
            Self::Server { code, .. } => matches!(code, None | Some(4001 | 4002 | 4004)),
            _ => false,
        }
    }

    /// Retryable, but the request may already have been carried out, so only idempotent requests
    /// may be repeated automatically.
    pub(crate) fn may_have_been_processed(&self) -> bool {
        match self {
            Self::Network { kind, .. } => *kind != NetworkFailure::Connect,
            Self::Server { code, .. } => code.is_none(),
            _ => false,
        }
    }

    pub(crate) fn network(host: &str, source: reqwest::Error) -> Self {
        let kind = if source.is_connect() {
            NetworkFailure::Connect
        } else if source.is_timeout() {
            NetworkFailure::Timeout
        } else if source.is_body() || source.is_decode() || source.is_request() {
            NetworkFailure::Interrupted
        } else {
            NetworkFailure::Other
        };
        let mut root: &dyn std::error::Error = &source;
        while let Some(next) = root.source() {
            root = next;
        }
        let detail = cap(&root.to_string(), MAX_MESSAGE);
        Self::Network { host: host.to_owned(), kind, detail, source: source.without_url() }
    }

    /// Classifies a non-success answer. `retry_after` is the parsed `Retry-After` header.
    pub(crate) fn from_response(
        status: StatusCode,
        body: &[u8],
        retry_after: Option<Duration>,
        host: &str,
        endpoint: &str,
    ) -> Self {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ErrorBody {
            error_code: i64,
            message: Option<String>,
            ref_id: Option<String>,
        }

        let Ok(ErrorBody { error_code: code, message, ref_id }) = serde_json::from_slice(body) else {
            return if status == StatusCode::TOO_MANY_REQUESTS {
                Self::RateLimited { retry_after, ref_id: None }
            } else if status.is_server_error() {
                let message = status.canonical_reason().unwrap_or("server error").to_owned();
                Self::Server { status: status.as_u16(), code: None, message, ref_id: None }
            } else {
                Self::UnexpectedResponse {
                    host: host.to_owned(),
                    endpoint: endpoint.to_owned(),
                    status: status.as_u16(),
                }
            };
        };
        // The server's text is kept short; the code and the reference are kept whole.
        let message = cap(&message.unwrap_or_default(), MAX_MESSAGE);
        let ref_id = cap_opt(ref_id, MAX_REF_ID);
        match (status.as_u16(), code) {
            (429, _) | (_, 4003) => Self::RateLimited { retry_after, ref_id },
            (500..=599, _) | (_, 4000..=4004) => {
                Self::Server { status: status.as_u16(), code: Some(code), message, ref_id }
            }
            (401, _) => Self::Unauthorized { code, message, ref_id },
            (403, _) => Self::Forbidden { code, message, ref_id },
            (404, _) => Self::NotFound { code, message, ref_id },
            (status, _) => Self::BadRequest { status, code, message, ref_id },
        }
    }
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date (a past date means "now").
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// " Smartsheet reference: …." when Smartsheet sent a `refId`.
struct RefSuffix<'a>(&'a Option<String>);

impl fmt::Display for RefSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " Smartsheet reference: {id}."),
            None => Ok(()),
        }
    }
}

fn fmt_unauthorized(
    code: &i64,
    message: &str,
    ref_id: &Option<String>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match code {
        1001 => f.write_str("Smartsheet received no API token (error 1001). Enter the token in Seatkeeper's connection settings.")?,
        1002 => f.write_str(
            "Smartsheet did not accept the API token (error 1002). Check that it was copied \
             completely, has not been revoked, and belongs to the Smartsheet region of the \
             Connection URL (US, EU, AU or Gov).",
        )?,
        1003 => f.write_str(
            "The API token has expired (error 1003). Generate a new token in Smartsheet's API \
             Access settings and enter it in Seatkeeper.",
        )?,
        1005 => f.write_str(
            "This Smartsheet account requires single sign-on (error 1005). Sign in to Smartsheet \
             through your company's single sign-on, generate the API token there, and enter it in \
             Seatkeeper.",
        )?,
        _ => write!(f, "Smartsheet did not accept Seatkeeper's credentials (error {code}: {message}).")?,
    }
    write!(f, "{}", RefSuffix(ref_id))
}

fn fmt_forbidden(
    code: &i64,
    message: &str,
    ref_id: &Option<String>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match code {
        1004 => f.write_str(
            "The token's owner is not allowed to do this in Smartsheet (error 1004). Reclaiming \
             and reading seats needs a System Admin token.",
        )?,
        _ => write!(f, "Smartsheet refused this action (error {code}: {message}).")?,
    }
    write!(f, "{}", RefSuffix(ref_id))
}

fn fmt_rate_limited(
    retry_after: &Option<Duration>,
    ref_id: &Option<String>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    f.write_str("Smartsheet is limiting requests (error 4003).")?;
    match retry_after {
        Some(wait) => write!(f, " Smartsheet asked to wait {} seconds before trying again.", wait.as_secs())?,
        None => f.write_str(
            " Seatkeeper slowed down and retried, but the limit held; try again in a few minutes.",
        )?,
    }
    write!(f, "{}", RefSuffix(ref_id))
}

fn fmt_server(
    status: &u16,
    code: &Option<i64>,
    message: &str,
    ref_id: &Option<String>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match code {
        Some(4001) => f.write_str("Smartsheet is offline for maintenance (error 4001). Try again later.")?,
        Some(4002) => f.write_str(
            "Smartsheet took too long to answer (error 4002). Seatkeeper retried; try again later.",
        )?,
        Some(4004) => f.write_str(
            "Smartsheet had a temporary problem (error 4004). Seatkeeper retried; try again later.",
        )?,
        Some(code) => write!(
            f,
            "Smartsheet had an unexpected error (error {code}: {message}). If it keeps happening, \
             contact Smartsheet support."
        )?,
        None => write!(
            f,
            "Smartsheet answered with HTTP {status} ({message}). This is usually temporary; try \
             again later."
        )?,
    }
    write!(f, "{}", RefSuffix(ref_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn classify(status: u16, body: serde_json::Value) -> SmartsheetError {
        let body = serde_json::to_vec(&body).unwrap();
        SmartsheetError::from_response(
            StatusCode::from_u16(status).unwrap(),
            &body,
            None,
            "api.smartsheet.com",
            "GET /users/me",
        )
    }

    #[test]
    fn classification_from_status_and_body() {
        use SmartsheetError as E;
        let e = classify(
            401,
            json!({"errorCode": 1002, "message": "Your Access Token is invalid.", "refId": "r1"}),
        );
        assert!(matches!(&e, E::Unauthorized { code: 1002, ref_id: Some(r), .. } if r == "r1"));
        assert!(!e.is_retryable());
        let text = e.to_string();
        assert!(
            text.contains("did not accept the API token (error 1002)")
                && text.contains("Smartsheet reference: r1."),
            "{text}"
        );

        assert!(classify(401, json!({"errorCode": 1003, "message": "expired"}))
            .to_string()
            .contains("expired (error 1003)"));
        let e = classify(403, json!({"errorCode": 1004, "message": "You are not authorized.", "refId": "x"}));
        assert!(matches!(e, E::Forbidden { code: 1004, .. }));
        assert!(e.to_string().contains("needs a System Admin token"));
        let e = classify(403, json!({"errorCode": 1336, "message": "You cannot deactivate yourself."}));
        assert_eq!(
            e.to_string(),
            "Smartsheet refused this action (error 1336: You cannot deactivate yourself.)."
        );
        assert!(matches!(
            classify(404, json!({"errorCode": 1020, "message": "User not found"})),
            E::NotFound { code: 1020, .. }
        ));
        let e = classify(400, json!({"errorCode": 1008, "message": "Malformed Request"}));
        assert!(matches!(&e, E::BadRequest { status: 400, code: 1008, ref_id: None, .. }));
        assert_eq!(e.to_string(), "Smartsheet rejected the request (error 1008: Malformed Request).");
        assert!(matches!(
            classify(410, json!({"errorCode": 4005, "message": "retired"})),
            E::BadRequest { status: 410, code: 4005, .. }
        ));

        let e = classify(429, json!({"errorCode": 4003, "message": "Rate limit exceeded."}));
        assert!(matches!(e, E::RateLimited { .. }) && e.is_retryable() && e.code() == Some(4003));
        assert!(e.to_string().starts_with("Smartsheet is limiting requests (error 4003)"));
        assert!(matches!(classify(429, json!("slow down")), E::RateLimited { .. }));

        let e = classify(500, json!({"errorCode": 4000, "message": "Internal Server Error"}));
        assert!(matches!(e, E::Server { status: 500, code: Some(4000), .. }) && !e.is_retryable());
        for (status, code) in [(503, 4001), (500, 4002), (500, 4004), (200, 4004)] {
            let e = classify(status, json!({"errorCode": code, "message": "m"}));
            assert!(matches!(e, E::Server { code: Some(c), .. } if c == code), "{status}/{code}");
            assert!(e.is_retryable() && !e.may_have_been_processed());
        }
        let e = SmartsheetError::from_response(
            StatusCode::BAD_GATEWAY,
            b"<html>bad gateway</html>",
            None,
            "h",
            "GET /users",
        );
        assert!(
            matches!(e, E::Server { status: 502, code: None, .. })
                && e.is_retryable()
                && e.may_have_been_processed()
        );
        assert_eq!(e.code(), None);
        let e = SmartsheetError::from_response(
            StatusCode::NOT_FOUND,
            b"<html>nope</html>",
            None,
            "app.smartsheet.com",
            "GET /users/me",
        );
        assert!(matches!(e, E::UnexpectedResponse { status: 404, .. }));
        assert!(e.to_string().starts_with("app.smartsheet.com answered GET /users/me with HTTP 404"), "{e}");
        assert!(!e.to_string().contains("nope"), "never echo the body");
    }

    #[test]
    fn rate_limited_message_mentions_the_wait() {
        let e = SmartsheetError::RateLimited {
            retry_after: Some(Duration::from_secs(90)),
            ref_id: Some("q".into()),
        };
        assert_eq!(
            e.to_string(),
            "Smartsheet is limiting requests (error 4003). Smartsheet asked to wait 90 seconds before \
             trying again. Smartsheet reference: q."
        );
    }

    #[test]
    fn retry_after_parsing() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_785_405_600);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
    }
}
