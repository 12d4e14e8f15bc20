//! Smartsheet timestamps: `#[serde(with = ...)]` helpers for `DateTime<Utc>` fields.
//!
//! Accepted on input: RFC 3339 with any number of fractional digits (the USM fields carry
//! nanoseconds), any offset (`Z`, `+00:00`, `+02:00`), no offset at all (read as UTC), and integer
//! epoch milliseconds (what `numericDates=true` returns). Anything else is a decode error that
//! names the value. Output is RFC 3339 in UTC with `Z`.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;
use std::fmt;

/// Parses one timestamp string as described in the module docs.
pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc()))
        .map_err(|_| {
            format!("invalid timestamp {text:?}: expected an RFC 3339 date-time such as 2026-01-31T12:00:00Z")
        })
}

/// The form Seatkeeper sends: RFC 3339, whole seconds, `Z`.
pub(crate) fn to_query(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date-time or epoch milliseconds")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse(text).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, millis: i64) -> Result<Self::Value, E> {
        DateTime::from_timestamp_millis(millis)
            .ok_or_else(|| E::custom(format!("epoch milliseconds {millis} are out of range")))
    }

    fn visit_u64<E: de::Error>(self, millis: u64) -> Result<Self::Value, E> {
        let millis = i64::try_from(millis)
            .map_err(|_| E::custom(format!("epoch milliseconds {millis} are out of range")))?;
        self.visit_i64(millis)
    }
}

/// For required `DateTime<Utc>` fields.
pub(crate) mod required {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(time: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_any(TimestampVisitor)
    }
}

/// For `Option<DateTime<Utc>>` fields; use with `#[serde(default)]`. `null` reads as `None`, but a
/// malformed value is an error, not a silent `None`.
pub(crate) mod optional {
    use super::*;
    use serde::{Deserialize, Serialize};

    struct Wrapped(DateTime<Utc>);

    impl<'de> Deserialize<'de> for Wrapped {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            required::deserialize(d).map(Wrapped)
        }
    }

    pub(crate) fn serialize<S: Serializer>(time: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        time.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true)).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Ok(Option::<Wrapped>::deserialize(d)?.map(|w| w.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize, Serialize)]
    struct Probe {
        #[serde(with = "required")]
        at: DateTime<Utc>,
        #[serde(default, with = "optional")]
        maybe: Option<DateTime<Utc>>,
    }

    fn at(json: &str) -> Result<DateTime<Utc>, serde_json::Error> {
        serde_json::from_str::<Probe>(&format!(r#"{{"at":{json}}}"#)).map(|p| p.at)
    }

    #[test]
    fn accepts_every_documented_form() {
        let nanos = at(r#""2025-01-01T00:00:00.123456789Z""#).unwrap();
        assert_eq!(nanos.nanosecond(), 123_456_789);
        assert_eq!(nanos.timestamp(), 1_735_689_600);

        let micros = at(r#""2026-12-13T12:17:52.525696Z""#).unwrap();
        assert_eq!(micros.nanosecond(), 525_696_000);

        let plain = Utc.with_ymd_and_hms(2020, 10, 4, 18, 32, 47).unwrap();
        assert_eq!(at(r#""2020-10-04T18:32:47Z""#).unwrap(), plain);
        assert_eq!(at(r#""2020-10-04T18:32:47+00:00""#).unwrap(), plain);
        assert_eq!(at(r#""2020-10-04T20:32:47+02:00""#).unwrap(), plain);
        assert_eq!(at(r#""2020-10-04T18:32:47""#).unwrap(), plain, "no offset means UTC");
        assert_eq!(at(r#""2020-10-04T18:32:47.5""#).unwrap().nanosecond(), 500_000_000);
        assert_eq!(at("1601836367000").unwrap(), plain, "epoch milliseconds");
        assert_eq!(at("1601836367123").unwrap().nanosecond(), 123_000_000);
    }

    #[test]
    fn rejects_garbage_with_a_clear_message() {
        for bad in [r#""garbage""#, r#""2020-13-40T00:00:00Z""#, r#""2020-10-04""#, "1.5", "true", r#""""#] {
            let err = at(bad).unwrap_err().to_string();
            assert!(err.contains("timestamp") || err.contains("RFC 3339"), "{bad}: {err}");
        }
        assert!(at(r#""garbage""#).unwrap_err().to_string().contains("\"garbage\""));
    }

    #[test]
    fn optional_fields_accept_absent_and_null_but_not_garbage() {
        let p: Probe = serde_json::from_str(r#"{"at":0}"#).unwrap();
        assert_eq!(p.maybe, None);
        let p: Probe = serde_json::from_str(r#"{"at":0,"maybe":null}"#).unwrap();
        assert_eq!(p.maybe, None);
        let p: Probe = serde_json::from_str(r#"{"at":0,"maybe":"2026-12-13T12:17:52.525696Z"}"#).unwrap();
        assert_eq!(p.maybe.unwrap().nanosecond(), 525_696_000);
        assert!(serde_json::from_str::<Probe>(r#"{"at":0,"maybe":"soon"}"#).is_err());
    }

    #[test]
    fn serializes_as_utc_rfc3339_keeping_precision() {
        let p: Probe =
            serde_json::from_str(r#"{"at":"2025-01-01T02:00:00.123456789+02:00","maybe":null}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"at":"2025-01-01T00:00:00.123456789Z","maybe":null}"#
        );
        let t = Utc.with_ymd_and_hms(2026, 7, 30, 10, 0, 0).unwrap();
        assert_eq!(to_query(&t), "2026-07-30T10:00:00Z");
    }
}
