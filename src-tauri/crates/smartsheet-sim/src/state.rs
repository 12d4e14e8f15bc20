//! The running simulator's state: the organization, its event log, the clock, the rate limiter and
//! the fault generator.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use parking_lot::{Mutex, RwLock};
use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::activity::EventLog;
use crate::config::{FaultSpec, RateLimit, Region, SimConfig};
use crate::http::ApiError;
use crate::org::{mix, rng_for, Org, TokenRole, Tokens};

/// Who is calling, from the bearer token.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub user: usize,
    pub role: TokenRole,
}

/// What the fault generator decided for one request.
pub enum Fault {
    Pass,
    /// Close the connection without an answer, before the handler runs.
    Drop,
    /// Run the handler, send half the answer, then close the connection.
    Truncate,
    /// Answer this error without running the handler.
    Fail(ApiError),
    /// Run the (write) handler; if it succeeded, answer this error instead.
    LostWrite(ApiError),
    /// Run the (write) handler; if it succeeded, close the connection without an answer.
    DropAfterWrite,
}

struct FaultState {
    spec: FaultSpec,
    rng: Xoshiro256PlusPlus,
    requests: u64,
}

pub struct Sim {
    pub config: SimConfig,
    pub org: RwLock<Org>,
    pub log: RwLock<EventLog>,
    now: RwLock<DateTime<Utc>>,
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    faults: Mutex<FaultState>,
    refs: AtomicU64,
    pub requests: AtomicU64,
}

impl Sim {
    /// Generates the organization and its history. For large organizations this takes a moment;
    /// call it off the async runtime.
    pub fn new(config: SimConfig, events: Option<u64>) -> Sim {
        let mut org = Org::generate(&config);
        let log = EventLog::generate(config.seed, org.origin, config.days, config.now, &org.users, events);
        refresh_last_logins(&mut org, &log);
        let limiter = match config.rate_limit {
            RateLimit::Off => None,
            RateLimit::PerMinute(n) => {
                Some(RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))))
            }
        };
        Sim {
            faults: Mutex::new(FaultState {
                spec: config.faults.clone(),
                rng: rng_for(&[config.seed, 0xFA17]),
                requests: 0,
            }),
            now: RwLock::new(config.now),
            org: RwLock::new(org),
            log: RwLock::new(log),
            limiter,
            refs: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            config,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.now.read()
    }

    /// Moves the simulated clock forward; the people of the organization go on working meanwhile.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let mut now = self.now.write();
        *now += by.max(Duration::zero());
        let mut org = self.org.write();
        let mut log = self.log.write();
        log.extend_to(*now, &org.users, true);
        refresh_last_logins(&mut org, &log);
        *now
    }

    pub fn set_faults(&self, spec: FaultSpec) {
        self.faults.lock().spec = spec;
    }

    /// A support reference in Smartsheet's style, from the seeded sequence.
    pub fn next_ref_id(&self) -> String {
        let n = self.refs.fetch_add(1, Ordering::Relaxed);
        let mut h = mix(self.config.seed ^ 0x4EF ^ mix(n));
        (0..12)
            .map(|_| {
                let c = b"abcdefghijklmnopqrstuvwxyz0123456789"[(h % 36) as usize] as char;
                h /= 36;
                c
            })
            .collect()
    }

    /// Resolves a bearer token: 1002 for unknown tokens and for tokens of another region, 1003
    /// for the expired one.
    pub fn authenticate(&self, token: &str) -> Result<Caller, ApiError> {
        let org = self.org.read();
        let t = &org.tokens;
        let role = if token == t.admin {
            TokenRole::Admin
        } else if token == t.member {
            TokenRole::Member
        } else if token == t.admin_no_event_reporting {
            TokenRole::AdminNoEventReporting
        } else if token == t.expired {
            return Err(ApiError::token_expired());
        } else {
            if Region::ALL
                .iter()
                .filter(|r| **r != self.config.region)
                .any(|r| Tokens::for_region(self.config.seed, *r).admin == token)
            {
                tracing::debug!("token of another region rejected");
            }
            return Err(ApiError::token_invalid());
        };
        Ok(Caller { user: org.token_owner(role), role })
    }

    /// Takes one request from the token's bucket, or says how long to wait.
    pub fn rate_limit(&self, token: &str) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        limiter.check_key(&token.to_owned()).map_err(|not_until| {
            let wait = not_until
                .wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            ApiError::rate_limited(self.config.retry_after.then(|| wait.as_secs().max(1)))
        })
    }

    /// Decides the fault for the next request (`write`: a POST, PUT or DELETE under `/2.0`), and
    /// the latency before answering. Reads and writes draw from the same sequence; the write-only
    /// faults come out as `Pass` for a read.
    pub fn next_fault(&self, write: bool) -> (std::time::Duration, Fault) {
        let mut state = self.faults.lock();
        let n = state.requests;
        state.requests += 1;
        let spec = state.spec.clone();
        let latency = match spec.latency {
            Some((lo, hi)) if hi > lo => state.rng.random_range(lo..=hi),
            Some((lo, _)) => lo,
            None => std::time::Duration::ZERO,
        };
        if let Some((every, len)) = spec.storm {
            if n % every < len {
                return (latency, Fault::Fail(ApiError::rate_limited(self.config.retry_after.then_some(1))));
            }
        }
        let roll: f64 = state.rng.random();
        let mut edge = 0.0;
        let mut hit = |share: f64| {
            edge += share;
            roll < edge
        };
        use axum::http::StatusCode as S;
        let retryable = || {
            ApiError::new(S::INTERNAL_SERVER_ERROR, 4004, "An unexpected error has occurred. Please retry your request. If you encounter this error repeatedly, please contact api@smartsheet.com for assistance.")
        };
        let fault = if hit(spec.error_500) {
            Fault::Fail(retryable())
        } else if hit(spec.error_503) {
            Fault::Fail(ApiError::new(S::SERVICE_UNAVAILABLE, 4001, "Smartsheet.com is currently offline for system maintenance. Please check back again shortly."))
        } else if hit(spec.error_4000) {
            Fault::Fail(ApiError::new(
                S::INTERNAL_SERVER_ERROR,
                4000,
                "An unexpected error has occurred. Please contact api@smartsheet.com for assistance.",
            ))
        } else if hit(spec.error_4002) {
            Fault::Fail(ApiError::new(
                S::INTERNAL_SERVER_ERROR,
                4002,
                "Server timeout exceeded. Request has failed.",
            ))
        } else if hit(spec.drop) {
            Fault::Drop
        } else if hit(spec.truncate) {
            Fault::Truncate
        } else if hit(spec.rate_limited) {
            Fault::Fail(ApiError::rate_limited(self.config.retry_after.then_some(1)))
        } else if hit(spec.lost_write) {
            if write {
                Fault::LostWrite(retryable())
            } else {
                Fault::Pass
            }
        } else if hit(spec.drop_after_write) {
            if write {
                Fault::DropAfterWrite
            } else {
                Fault::Pass
            }
        } else {
            Fault::Pass
        };
        (latency, fault)
    }
}

/// Last login of every user: the later of their login before the history and their last visible
/// login event.
fn refresh_last_logins(org: &mut Org, log: &EventLog) {
    for user in &mut org.users {
        user.last_login = user.login_before_history;
    }
    for rec in log.visible() {
        if rec.kind == crate::activity::LOGIN {
            if let Some(user) = org.users.get_mut(rec.actor as usize) {
                user.last_login = Some(log.time_of(rec));
            }
        }
    }
}
