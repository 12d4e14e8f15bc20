//! HTTP plumbing shared by the endpoints: Smartsheet's error shape, query and body parsing, JSON
//! answers and timestamp formatting.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// An error as Smartsheet answers it: HTTP status plus `{errorCode, message, refId}`.
///
/// Handlers return it as a response *marker*; the `finish_errors` middleware turns it into the
/// JSON body, adding a `refId` drawn from the simulator's seeded sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: Cow<'static, str>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<Cow<'static, str>>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }
    pub fn token_required() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 1001, "An Access Token is required.")
    }
    pub fn token_invalid() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 1002, "Your Access Token is invalid.")
    }
    pub fn token_expired() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 1003, "Your Access Token has expired.")
    }
    pub fn not_authorized() -> Self {
        Self::new(StatusCode::FORBIDDEN, 1004, "You are not authorized to perform this action.")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, 1006, "Not Found")
    }
    pub fn user_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, 1020, "User not found.")
    }
    pub fn malformed(why: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            1008,
            format!("Unable to parse request. The following error occurred: {why}"),
        )
    }
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            1009,
            format!("A required parameter is missing from your request: {name}."),
        )
    }
    pub fn missing_attribute(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            1012,
            format!("Required object attribute(s) are missing from your request: {name}."),
        )
    }
    pub fn invalid_value(name: &str, why: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 1018, format!("The value for {name} is invalid: {why}"))
    }
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, 1122, "Requested URL does not support this method.")
    }
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            1124,
            "Invalid Content-Type header. Media type not supported.",
        )
    }
    pub fn rate_limited(retry_after: Option<u64>) -> Self {
        Self { retry_after, ..Self::new(StatusCode::TOO_MANY_REQUESTS, 4003, "Rate limit exceeded.") }
    }

    /// The final answer, with its `refId`.
    pub fn render(&self, ref_id: &str) -> Response {
        let body = serde_json::json!({
            "errorCode": self.code,
            "message": self.message,
            "refId": ref_id,
        });
        let mut response = (self.status, json_bytes(&body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

pub type ApiResult = Result<Response, ApiError>;

fn json_bytes(value: &impl Serialize) -> Vec<u8> {
    // Serializing our own plain data cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// A 200 answer with a JSON body, as every successful Smartsheet call is.
pub fn ok(value: &impl Serialize) -> ApiResult {
    Ok(json_response(json_bytes(value)))
}

/// A 200 answer with a body that is already JSON.
pub fn json_response(body: impl Into<Body>) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// `{"message":"SUCCESS","resultCode":0}`, optionally with a `result`.
pub fn success(result: Option<Value>) -> ApiResult {
    let mut body = serde_json::json!({ "message": "SUCCESS", "resultCode": 0 });
    if let Some(result) = result {
        body["result"] = result;
    }
    ok(&body)
}

/// The query string, parsed the way Smartsheet reads it: names are case-sensitive, booleans are
/// not (`True` from the Python SDK, `true` from the others), lists are comma-separated.
pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Params(form_urlencoded::parse(query.as_bytes()).into_owned().collect()))
    }
}

impl Params {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.str(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid_value(name, format!("`{v}` is not true or false"))),
        }
    }

    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.str(name) else { return Ok(None) };
        match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => {
                Err(ApiError::invalid_value(name, format!("`{v}` is not a whole number from {min} to {max}")))
            }
        }
    }

    pub fn list(&self, name: &str) -> Vec<&str> {
        self.str(name)
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    /// A date-time: ISO-8601 (with `Z`, an offset, or none meaning UTC; any fractional digits), or
    /// epoch milliseconds when `numeric` (numericDates=true).
    pub fn datetime(&self, name: &str, numeric: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
        let Some(v) = self.str(name) else { return Ok(None) };
        let parsed = if numeric {
            v.parse::<i64>().ok().and_then(DateTime::from_timestamp_millis)
        } else {
            DateTime::parse_from_rfc3339(v).map(|d| d.to_utc()).ok().or_else(|| {
                NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc())
            })
        };
        parsed.map(Some).ok_or_else(|| {
            ApiError::invalid_value(
                name,
                if numeric {
                    "expected milliseconds since the epoch"
                } else {
                    "expected an ISO-8601 date-time"
                },
            )
        })
    }
}

/// A JSON request body; anything unparseable is 400/1008, a non-JSON Content-Type 415/1124.
pub fn json_body<T: DeserializeOwned + Default>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        if !ct.starts_with("application/json") {
            return Err(ApiError::unsupported_media_type());
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(ApiError::malformed)
}

/// A timestamp as Smartsheet writes it: ISO-8601 UTC, or epoch milliseconds with numericDates.
pub fn ts(t: DateTime<Utc>, numeric: bool) -> Value {
    if numeric {
        Value::from(t.timestamp_millis())
    } else {
        Value::from(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

/// The fractional-second form the User Subscription Model fields use.
pub fn ts_micros(t: DateTime<Utc>, numeric: bool) -> Value {
    if numeric {
        Value::from(t.timestamp_millis())
    } else {
        Value::from(t.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params(form_urlencoded::parse(q.as_bytes()).into_owned().collect())
    }

    #[test]
    fn booleans_are_case_insensitive_and_bad_ones_are_named() {
        let p = params("a=True&b=false&c=TRUE&d=yes");
        assert_eq!(p.bool("a").unwrap(), Some(true));
        assert_eq!(p.bool("b").unwrap(), Some(false));
        assert_eq!(p.bool("c").unwrap(), Some(true));
        assert_eq!(p.bool("missing").unwrap(), None);
        let err = p.bool("d").unwrap_err();
        assert_eq!((err.status, err.code), (StatusCode::BAD_REQUEST, 1018));
        assert!(err.message.contains('d'));
    }

    #[test]
    fn dates_accept_the_forms_clients_send() {
        let p = params("a=2026-07-30T10:00:00Z&b=2026-07-30T10:00:00&c=2026-07-30T10:00:00%2B00:00&d=2026-07-30T10:00:00.123456&e=1785405600000&f=July");
        let want = DateTime::parse_from_rfc3339("2026-07-30T10:00:00Z").unwrap().to_utc();
        assert_eq!(p.datetime("a", false).unwrap(), Some(want));
        assert_eq!(p.datetime("b", false).unwrap(), Some(want));
        assert_eq!(p.datetime("c", false).unwrap(), Some(want));
        assert!(p.datetime("d", false).unwrap().is_some());
        assert_eq!(p.datetime("e", true).unwrap(), Some(want));
        assert_eq!(p.datetime("f", false).unwrap_err().code, 1018);
    }

    #[test]
    fn lists_split_on_commas() {
        assert_eq!(params("email=a@x.com,%20b@x.com,").list("email"), vec!["a@x.com", "b@x.com"]);
    }
}
