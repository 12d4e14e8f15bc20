//! How a simulated organization and server are set up: region, size, plan model, rate limit,
//! faults and the simulated clock.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use serde::Serialize;

/// The Smartsheet region the simulator poses as. A token minted for another region is rejected
/// with 401/1002, as Smartsheet rejects a token of another region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    Us,
    Eu,
    Au,
    Gov,
}

impl Region {
    pub const ALL: [Region; 4] = [Region::Us, Region::Eu, Region::Au, Region::Gov];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
            Region::Gov => "gov",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Requests per minute per token, or no limit at all (benchmarks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimit {
    Off,
    PerMinute(u32),
}

impl FromStr for RateLimit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("off") {
            return Ok(RateLimit::Off);
        }
        match s.parse::<u32>() {
            Ok(n) if n > 0 => Ok(RateLimit::PerMinute(n)),
            _ => Err(format!(
                "invalid rate limit `{s}`: give requests per minute (a whole number above 0) or `off`"
            )),
        }
    }
}

/// Faults injected into answers under `/2.0`, decided per request from a seeded generator so that
/// the same request sequence meets the same faults. Every key applies to reads and writes alike
/// unless it says otherwise; the ones that answer without running the handler (the errors,
/// `drop`, `429`, `storm`) leave a write unapplied, and `latency` delays it.
///
/// Written as comma-separated `key=value` pairs, e.g.
/// `latency=20ms,500=0.05,503=0.05,drop=0.01,truncate=0.01,429=0.1,storm=100/20,lost_write=0.05`:
/// - `latency=MS` or `latency=MIN-MAX` (milliseconds, `ms` suffix optional): delay before answering;
/// - `500=P`: share of answers replaced by HTTP 500 / errorCode 4004 (retryable);
/// - `503=P`: share replaced by HTTP 503 / errorCode 4001 (maintenance, retryable);
/// - `4000=P`: share replaced by HTTP 500 / errorCode 4000 (not retryable);
/// - `4002=P`: share replaced by HTTP 500 / errorCode 4002 (server timeout, retryable);
/// - `drop=P`: share of connections dropped before any answer byte is sent;
/// - `truncate=P`: share of answers whose body is cut off halfway (the connection then closes);
/// - `429=P`: share answered 429 / errorCode 4003;
/// - `storm=EVERY/LEN`: of every EVERY requests, the first LEN are answered 429 (a rate-limit storm);
/// - `lost_write=P`: share of writes (POST, PUT and DELETE under `/2.0`) that are applied and then
///   answered HTTP 500 / errorCode 4004 instead of their success: the change is kept, the answer
///   is lost. Reads, and writes that were refused, are answered as usual;
/// - `drop_after_write=P`: share of writes that are applied and then get no answer at all (the
///   connection is closed). Reads and refused writes are answered as usual.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSpec {
    pub latency: Option<(Duration, Duration)>,
    pub error_500: f64,
    pub error_503: f64,
    pub error_4000: f64,
    pub error_4002: f64,
    pub drop: f64,
    pub truncate: f64,
    pub rate_limited: f64,
    pub storm: Option<(u64, u64)>,
    pub lost_write: f64,
    pub drop_after_write: f64,
}

impl FaultSpec {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }
}

fn parse_share(key: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("fault `{key}` needs a share between 0 and 1, got `{v}`")),
    }
}

fn parse_ms(v: &str) -> Result<Duration, String> {
    let n = v.trim().trim_end_matches("ms");
    n.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("latency `{v}` is not a number of milliseconds"))
}

impl FromStr for FaultSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "none" {
                continue;
            }
            let (key, value) =
                part.split_once('=').ok_or_else(|| format!("fault `{part}` is not of the form key=value"))?;
            match key {
                "latency" => {
                    let (lo, hi) = match value.split_once('-') {
                        Some((a, b)) => (parse_ms(a)?, parse_ms(b)?),
                        None => {
                            let d = parse_ms(value)?;
                            (d, d)
                        }
                    };
                    if lo > hi {
                        return Err(format!("latency range `{value}` runs backwards"));
                    }
                    spec.latency = Some((lo, hi));
                }
                "500" => spec.error_500 = parse_share(key, value)?,
                "503" => spec.error_503 = parse_share(key, value)?,
                "4000" => spec.error_4000 = parse_share(key, value)?,
                "4002" => spec.error_4002 = parse_share(key, value)?,
                "drop" => spec.drop = parse_share(key, value)?,
                "truncate" => spec.truncate = parse_share(key, value)?,
                "429" => spec.rate_limited = parse_share(key, value)?,
                "lost_write" => spec.lost_write = parse_share(key, value)?,
                "drop_after_write" => spec.drop_after_write = parse_share(key, value)?,
                "storm" => {
                    let (every, len) = value
                        .split_once('/')
                        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
                        .filter(|(every, len)| *every > 0 && len <= every)
                        .ok_or_else(|| format!("storm `{value}` must be EVERY/LEN with 0 < LEN <= EVERY"))?;
                    spec.storm = Some((every, len));
                }
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (known: latency, 500, 503, 4000, 4002, drop, truncate, 429, storm, lost_write, drop_after_write)"
                    ))
                }
            }
        }
        let total = spec.error_500
            + spec.error_503
            + spec.error_4000
            + spec.error_4002
            + spec.drop
            + spec.truncate
            + spec.rate_limited
            + spec.lost_write
            + spec.drop_after_write;
        if total > 1.0 {
            return Err(format!("fault shares add up to {total}, more than 1"));
        }
        Ok(spec)
    }
}

/// Whether the control endpoints (`/__sim/state`, `/__sim/clock/advance`, `/__sim/faults`) are
/// served, and what a caller must show to use them.
///
/// They let any caller read the simulator's state, move its clock and make it fail, so they are
/// never open: `Off` (the default, and what the demo organization uses) does not serve them at all
/// (they answer 404 like any unknown path); `Secret` serves them only to requests that carry the
/// secret in the `X-Sim-Control-Secret` header and no `Origin` header. A custom header cannot be
/// sent by a web page without a CORS preflight, which the simulator never grants, and browsers
/// send `Origin` with every cross-origin POST, so a web page can never use them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControlAccess {
    /// No control endpoints.
    Off,
    /// Control endpoints for requests with `X-Sim-Control-Secret: <secret>`. The secret must be
    /// non-empty visible ASCII (no spaces); `spawn` refuses any other.
    Secret(String),
}

impl ControlAccess {
    /// The secret, when the control endpoints are on.
    pub fn secret(&self) -> Option<&str> {
        match self {
            ControlAccess::Off => None,
            ControlAccess::Secret(s) => Some(s),
        }
    }
}

/// Everything that defines one simulated Smartsheet.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Loopback port to listen on; 0 picks a free one.
    pub port: u16,
    pub region: Region,
    /// Same seed, same organization, same answers.
    pub seed: u64,
    pub users: u32,
    /// Days of activity history generated before `now`.
    pub days: u32,
    /// Legacy Collaborator Model (licensedSheetCreator) instead of the User Subscription Model.
    pub legacy: bool,
    /// Whether the organization has the Event Reporting add-on.
    pub event_reporting: bool,
    pub rate_limit: RateLimit,
    /// Send `Retry-After` (seconds) with 429 answers.
    pub retry_after: bool,
    pub faults: FaultSpec,
    /// The simulated clock. It stands still unless advanced (`/__sim/clock/advance`, when `control`
    /// allows it).
    pub now: DateTime<Utc>,
    /// How far back `GET /events?since=` may reach.
    pub retention_days: u32,
    /// The control endpoints under `/__sim`: off by default.
    pub control: ControlAccess,
}

impl SimConfig {
    /// Midnight UTC of today: the default simulated "now", so the demo organization looks current
    /// while answers stay identical all day.
    pub fn today() -> DateTime<Utc> {
        Utc.from_utc_datetime(&Utc::now().date_naive().and_time(NaiveTime::MIN))
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            port: 0,
            region: Region::Us,
            seed: 1,
            users: 500,
            days: 120,
            legacy: false,
            event_reporting: true,
            rate_limit: RateLimit::PerMinute(300),
            retry_after: true,
            faults: FaultSpec::none(),
            now: Self::today(),
            retention_days: 365,
            control: ControlAccess::Off,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_spec_parses_every_key() {
        let spec: FaultSpec =
            "latency=5-20ms,500=0.1,503=0.05,4000=0.01,4002=0.04,drop=0.02,truncate=0.03,429=0.1,storm=50/10"
                .parse()
                .unwrap();
        assert_eq!(spec.latency, Some((Duration::from_millis(5), Duration::from_millis(20))));
        assert_eq!(spec.error_500, 0.1);
        assert_eq!(spec.error_503, 0.05);
        assert_eq!(spec.error_4000, 0.01);
        assert_eq!(spec.error_4002, 0.04);
        assert_eq!(spec.drop, 0.02);
        assert_eq!(spec.truncate, 0.03);
        assert_eq!(spec.rate_limited, 0.1);
        assert_eq!(spec.storm, Some((50, 10)));
        assert_eq!((spec.lost_write, spec.drop_after_write), (0.0, 0.0));
        assert!("".parse::<FaultSpec>().unwrap().is_none());
    }

    #[test]
    fn fault_spec_parses_the_write_faults() {
        let spec: FaultSpec = "lost_write=0.25,drop_after_write=0.5".parse().unwrap();
        assert_eq!((spec.lost_write, spec.drop_after_write), (0.25, 0.5));
        assert_eq!(FaultSpec { lost_write: 0.25, drop_after_write: 0.5, ..FaultSpec::none() }, spec);
        assert!(!spec.is_none());
        let spec: FaultSpec = "lost_write=1".parse().unwrap();
        assert_eq!((spec.lost_write, spec.drop_after_write, spec.error_500), (1.0, 0.0, 0.0));
        for (bad, why) in [
            ("lost_write=1.5", "between 0 and 1"),
            ("drop_after_write=-0.1", "between 0 and 1"),
            ("lost_write=x", "between 0 and 1"),
            ("lost_write=0.6,drop_after_write=0.6", "more than 1"),
            ("lost_write=0.5,500=0.6", "more than 1"),
            ("lost-write=0.1", "unknown fault"),
        ] {
            let err = bad.parse::<FaultSpec>().unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
        let err = "nope=1".parse::<FaultSpec>().unwrap_err();
        assert!(err.contains("lost_write") && err.contains("drop_after_write"), "{err}");
    }

    #[test]
    fn fault_spec_rejects_bad_input_with_a_reason() {
        for (bad, why) in [
            ("500=2", "between 0 and 1"),
            ("boom=1", "unknown fault"),
            ("latency", "key=value"),
            ("storm=5/10", "EVERY/LEN"),
            ("500=0.6,503=0.6", "more than 1"),
            ("latency=9-3", "backwards"),
        ] {
            let err = bad.parse::<FaultSpec>().unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn control_endpoints_are_off_by_default() {
        assert_eq!(SimConfig::default().control, ControlAccess::Off);
        assert_eq!(ControlAccess::Off.secret(), None);
        assert_eq!(ControlAccess::Secret("s3cret".into()).secret(), Some("s3cret"));
    }

    #[test]
    fn rate_limit_parses_off_and_numbers() {
        assert_eq!("off".parse::<RateLimit>().unwrap(), RateLimit::Off);
        assert_eq!("300".parse::<RateLimit>().unwrap(), RateLimit::PerMinute(300));
        assert!("0".parse::<RateLimit>().is_err());
        assert!("fast".parse::<RateLimit>().is_err());
    }
}
