//! The organization's event log (Event Reporting), generated day by day from the seed.
//!
//! Events are stored compactly (16 bytes each) in time order, so a 2,000,000-event organization
//! takes about 32 MB; their JSON is made only when a page is served. Every (user, day) draws from its
//! own seeded generator, so the log up to a moment is the same whether it was generated at start or
//! grown later by advancing the clock.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use rand::Rng;
use rand_distr::{Distribution, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::org::{mix, rng_for, weighted, Activity, Seat, SimUser, Status};

/// Ids Smartsheet uses as `userId` for actions of its own components.
pub const SYSTEM_USERS: [(i64, &str); 8] = [
    (1_688_855_062_570_884, "Skype action"),
    (2_814_754_969_413_508, "Trello import"),
    (3_377_704_922_834_820, "cell link"),
    (3_940_654_876_256_132, "Automation system"),
    (5_066_554_783_098_756, "item published to the organization"),
    (5_629_504_736_520_068, "item published to anyone"),
    (6_192_454_689_941_380, "Notification system"),
    (7_881_304_550_205_316, "Form submission"),
];

/// `EventRec::actor` values at or above this stand for `SYSTEM_USERS[actor - SYSTEM_ACTOR_BASE]`.
pub const SYSTEM_ACTOR_BASE: u32 = u32::MAX - 15;

pub const SOURCES: [&str; 6] =
    ["WEB_APP", "MOBILE_IOS", "MOBILE_ANDROID", "API_INTEGRATED_APP", "API_UNDEFINED_APP", "UNKNOWN"];
const WEB_APP: u8 = 0;
const API_INTEGRATED_APP: u8 = 3;
const API_UNDEFINED_APP: u8 = 4;
const UNKNOWN: u8 = 5;

/// One kind of event: what was done to what.
pub struct Kind {
    pub object_type: &'static str,
    pub action: &'static str,
}

/// Every kind the log holds; an event stores its index here. The generator makes the first
/// [`FIRST_ADMIN_WRITE`]; the rest are System Admins' writes to users, recorded when the API is
/// asked to make them.
pub const KINDS: [Kind; 23] = [
    // Smartsheet's Jun-2026 authentication events. Their exact strings are not public; USER/LOGIN is
    // this simulator's reading (see the README's fidelity notes).
    Kind { object_type: "USER", action: "LOGIN" },
    Kind { object_type: "SHEET", action: "LOAD" },
    Kind { object_type: "SHEET", action: "UPDATE" },
    Kind { object_type: "SHEET", action: "CREATE" },
    Kind { object_type: "REPORT", action: "LOAD" },
    Kind { object_type: "DASHBOARD", action: "LOAD" },
    Kind { object_type: "SHEET", action: "EXPORT" },
    Kind { object_type: "REPORT", action: "EXPORT" },
    Kind { object_type: "ATTACHMENT", action: "CREATE" },
    Kind { object_type: "ATTACHMENT", action: "LOAD" },
    Kind { object_type: "DISCUSSION", action: "CREATE" },
    Kind { object_type: "FOLDER", action: "CREATE" },
    Kind { object_type: "WORKSPACE", action: "CREATE" },
    Kind { object_type: "SHEET", action: "ADD_SHARE" },
    Kind { object_type: "SHEET", action: "RENAME" },
    Kind { object_type: "SHEET", action: "DELETE" },
    Kind { object_type: "DASHBOARD", action: "UPDATE" },
    Kind { object_type: "ACCESS_TOKEN", action: "REFRESH" },
    Kind { object_type: "SHEET", action: "SEND_ROW" },
    // A System Admin's writes to a user (see `EventLog::record_write`).
    Kind { object_type: "USER", action: "UPDATE" },
    Kind { object_type: "USER", action: "DEACTIVATE" },
    Kind { object_type: "USER", action: "ACTIVATE" },
    Kind { object_type: "USER", action: "REMOVE_FROM_ACCOUNT" },
];
pub const LOGIN: u8 = 0;
pub const ACCESS_TOKEN_REFRESH: u8 = 17;
/// `PUT /users/{id}` and seat changes (upgrade, downgrade).
pub const USER_UPDATE: u8 = 19;
pub const USER_DEACTIVATE: u8 = 20;
pub const USER_ACTIVATE: u8 = 21;
/// `DELETE /users/{id}` and `DELETE /users/{id}/plans/{planId}`.
pub const USER_REMOVE_FROM_ACCOUNT: u8 = 22;
/// Kinds from here on are admin writes: `actor` is the token's owner, `object` the index of the
/// user written to, and `detail` what changed (see [`WriteDetail`]).
pub const FIRST_ADMIN_WRITE: u8 = USER_UPDATE;

/// Whether events of `kind` are System Admins' writes to users.
pub fn is_admin_write(kind: u8) -> bool {
    kind >= FIRST_ADMIN_WRITE
}

/// The source Seatkeeper-style API writes are recorded with: a request made with an API access
/// token (Smartsheet's documentation does not say which of `API_INTEGRATED_APP` and
/// `API_UNDEFINED_APP` a raw token's calls get; this simulator says the former).
pub const ADMIN_WRITE_SOURCE: u8 = API_INTEGRATED_APP;

/// What an admin write changed, packed into [`EventRec::detail`]'s 16 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteDetail {
    /// Deactivation, reactivation: nothing more to say.
    Nothing,
    /// A seat change in the organization's plan.
    Seat { from: Seat, to: Seat },
    /// `PUT /users/{id}`: which of [`PROFILE_FIELDS`] changed, and the new values of the
    /// boolean ones (the first four), each as a bit mask over the fields' positions.
    Profile { changed: u8, values: u8 },
    /// Out of the organization (first `DELETE /users/{id}`), or off the plan.
    Removed { from_plan: bool },
}

/// The fields `PUT /users/{id}` may change, in the bit order of [`WriteDetail::Profile`].
pub const PROFILE_FIELDS: [&str; 6] =
    ["admin", "licensedSheetCreator", "groupAdmin", "resourceViewer", "firstName", "lastName"];

const SEAT_FLAG: u16 = 1 << 15;
const PROFILE_FLAG: u16 = 1 << 14;
const REMOVED_FLAG: u16 = 1 << 13;

impl WriteDetail {
    pub fn encode(self) -> u16 {
        match self {
            WriteDetail::Nothing => 0,
            WriteDetail::Seat { from, to } => SEAT_FLAG | from.code() << 4 | to.code(),
            WriteDetail::Profile { changed, values } => {
                PROFILE_FLAG | u16::from(values & 0x3f) << 6 | u16::from(changed & 0x3f)
            }
            WriteDetail::Removed { from_plan } => REMOVED_FLAG | u16::from(from_plan),
        }
    }

    pub fn decode(bits: u16) -> WriteDetail {
        if bits & SEAT_FLAG != 0 {
            match (Seat::from_code(bits >> 4 & 0xf), Seat::from_code(bits & 0xf)) {
                (Some(from), Some(to)) => WriteDetail::Seat { from, to },
                _ => WriteDetail::Nothing,
            }
        } else if bits & PROFILE_FLAG != 0 {
            WriteDetail::Profile { changed: (bits & 0x3f) as u8, values: (bits >> 6 & 0x3f) as u8 }
        } else if bits & REMOVED_FLAG != 0 {
            WriteDetail::Removed { from_plan: bits & 1 != 0 }
        } else {
            WriteDetail::Nothing
        }
    }
}

/// What people do, by weight.
const HUMAN_KINDS: [(u8, u32); 16] = [
    (1, 300),
    (2, 140),
    (3, 15),
    (4, 90),
    (5, 80),
    (6, 15),
    (7, 8),
    (8, 25),
    (9, 25),
    (10, 30),
    (11, 6),
    (12, 3),
    (13, 20),
    (14, 5),
    (15, 5),
    (16, 10),
];
/// What integrations do, by weight.
const SERVICE_KINDS: [(u8, u32); 6] = [(1, 40), (2, 50), (3, 3), (4, 5), (8, 2), (ACCESS_TOKEN_REFRESH, 1)];
const HUMAN_SOURCES: [(u8, u32); 5] =
    [(WEB_APP, 82), (1, 8), (2, 5), (API_INTEGRATED_APP, 3), (API_UNDEFINED_APP, 2)];

/// Share of all events made by Smartsheet's own system users.
const SYSTEM_SHARE: f64 = 0.05;

/// A compact event: 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventRec {
    /// Seconds since the log's origin.
    pub ts: u32,
    /// Index of the acting user, or a system user (see `SYSTEM_ACTOR_BASE`).
    pub actor: u32,
    pub kind: u8,
    pub source: u8,
    /// Index of the object acted on, within its type's pool; for admin writes
    /// ([`is_admin_write`]) the index of the user written to.
    pub object: u32,
    /// For admin writes, what changed ([`WriteDetail::encode`]); 0 for generated events. It fills
    /// what would otherwise be padding, so the record stays 16 bytes.
    pub detail: u16,
}

impl EventRec {
    pub fn system_user(&self) -> Option<(i64, &'static str)> {
        self.actor.checked_sub(SYSTEM_ACTOR_BASE).and_then(|k| SYSTEM_USERS.get(k as usize).copied())
    }
}

pub fn day_start(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t.date_naive().and_time(NaiveTime::MIN))
}

pub struct EventLog {
    seed: u64,
    pub origin: DateTime<Utc>,
    recs: Vec<EventRec>,
    /// Days `[0, days_generated)` after the origin are in `recs`.
    days_generated: i64,
    /// `recs[..visible]` happened at or before the simulated now.
    visible: usize,
    /// The simulated now, in seconds since the origin, as of the last `extend_to`.
    now_secs: i64,
    /// Mean events on an active day per unit of user weight.
    lambda: f64,
    system_per_day: f64,
}

impl EventLog {
    /// Generates the history from `origin` up to `now`. The density is calibrated on the first
    /// `days` days so that they hold about `target` events; by default a third of an event per user
    /// per day, the density of a 50,000-user / 2,000,000-event organization over 120 days.
    pub fn generate(
        seed: u64,
        origin: DateTime<Utc>,
        days: u32,
        now: DateTime<Utc>,
        users: &[SimUser],
        target: Option<u64>,
    ) -> Self {
        let days = i64::from(days.max(1));
        let target = target.unwrap_or_else(|| users.len() as u64 * days as u64 / 3) as f64;
        // Calibrate: the total weight of all active user-days, so that the expected count meets the
        // target.
        let mut weight = 0.0;
        for (u, user) in users.iter().enumerate() {
            for d in 0..days {
                if active_day(seed, u, user, d, origin).is_some() {
                    weight += user.activity.weight();
                }
            }
        }
        let lambda = if weight > 0.0 { target * (1.0 - SYSTEM_SHARE) / weight } else { 1.0 };
        let mut log = EventLog {
            seed,
            origin,
            recs: Vec::with_capacity(target as usize + target as usize / 8),
            days_generated: 0,
            visible: 0,
            now_secs: 0,
            lambda,
            system_per_day: target * SYSTEM_SHARE / days as f64,
        };
        log.extend_to(now, users, false);
        log
    }

    /// Grows the log so that it covers `now`. With `live_status`, users who are no longer active
    /// members (deactivated or removed since start) make no new events.
    pub fn extend_to(&mut self, now: DateTime<Utc>, users: &[SimUser], live_status: bool) {
        let last_day = (day_start(now) - self.origin).num_days();
        while self.days_generated <= last_day {
            let d = self.days_generated;
            let start = self.recs.len();
            for (u, user) in users.iter().enumerate() {
                if live_status && (user.status != Status::Active || !user.visible()) {
                    continue;
                }
                if let Some(rng) = active_day(self.seed, u, user, d, self.origin) {
                    self.user_day(rng, u, user, d);
                }
            }
            self.system_day(d, users.len());
            self.recs[start..].sort_unstable();
            self.days_generated += 1;
        }
        let now_secs = self.secs(now);
        self.now_secs = now_secs;
        self.visible = self.recs.partition_point(|r| i64::from(r.ts) <= now_secs);
    }

    /// Records a System Admin's write at the simulated now: `actor` (the token's owner) did `kind`
    /// to the user at index `target`. The event goes at the end of what has happened so far, before
    /// the rest of today's generated events (which are still in the future), so the log stays in
    /// time order and every stream position already handed out still points where it did.
    pub fn record_write(&mut self, actor: usize, kind: u8, target: usize, detail: WriteDetail) {
        debug_assert!(is_admin_write(kind));
        // Never before what is already visible (the clock only moves forward).
        let floor = self.recs[..self.visible].last().map_or(0, |r| i64::from(r.ts));
        let rec = EventRec {
            ts: self.now_secs.max(floor).clamp(0, i64::from(u32::MAX)) as u32,
            actor: actor as u32,
            kind,
            source: ADMIN_WRITE_SOURCE,
            object: target as u32,
            detail: detail.encode(),
        };
        self.recs.insert(self.visible, rec);
        self.visible += 1;
    }

    /// Drops the generated events of user `u` that have not happened yet (the rest of today), for
    /// a user who can no longer use Smartsheet. Nothing served is touched.
    pub fn forget_future_of(&mut self, u: usize) {
        let future = self.recs.split_off(self.visible);
        self.recs.extend(future.into_iter().filter(|r| r.actor != u as u32));
    }

    fn secs(&self, t: DateTime<Utc>) -> i64 {
        (t - self.origin).num_seconds()
    }

    pub fn visible(&self) -> &[EventRec] {
        &self.recs[..self.visible]
    }

    /// The generated events of the rest of today: they have not happened yet.
    pub fn pending(&self) -> &[EventRec] {
        &self.recs[self.visible..]
    }

    pub fn time_of(&self, rec: &EventRec) -> DateTime<Utc> {
        self.origin + Duration::seconds(i64::from(rec.ts))
    }

    /// Index of the first visible event at or after `t`.
    pub fn position_at(&self, t: DateTime<Utc>) -> usize {
        let secs = self.secs(t);
        self.visible().partition_point(|r| i64::from(r.ts) < secs)
    }

    /// A stable, opaque-looking id for the event at `index`.
    pub fn event_id(&self, index: usize) -> String {
        let mut id = String::with_capacity(44);
        self.push_event_id(&mut id, index);
        id
    }

    /// Appends [`Self::event_id`] (without allocating: the hot path of a page of events).
    pub fn push_event_id(&self, out: &mut String, index: usize) {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut h = mix(self.seed ^ 0xE7E7 ^ mix(index as u64));
        out.push_str("2.1.");
        for i in 0..40 {
            if i % 10 == 0 {
                h = mix(h);
            }
            out.push(ALPHABET[(h & 63) as usize] as char);
            h >>= 6;
        }
    }

    fn user_day(&mut self, mut rng: Xoshiro256PlusPlus, u: usize, user: &SimUser, d: i64) {
        let mean = (self.lambda * user.activity.weight()).max(1.0);
        let extra = Poisson::new(mean - 1.0 + 1e-6).map(|p| p.sample(&mut rng) as u32).unwrap_or(0);
        let day_secs = d * 86_400;
        let service = user.activity == Activity::Service;
        // People start in (US-centred) working hours; integrations run around the clock.
        let hour = if service { rng.random_range(0..24) } else { weighted(&mut rng, &WORK_HOURS) };
        let mut t = day_secs + hour * 3600 + rng.random_range(0..3600);
        for k in 0..=extra {
            let (kind, source) = if service {
                let source = if rng.random_bool(0.9) { API_INTEGRATED_APP } else { API_UNDEFINED_APP };
                (weighted(&mut rng, &SERVICE_KINDS), source)
            } else if k == 0 && rng.random_bool(0.6) {
                (LOGIN, if rng.random_bool(0.85) { WEB_APP } else { 1 + rng.random_range(0..2) })
            } else {
                (weighted(&mut rng, &HUMAN_KINDS), weighted(&mut rng, &HUMAN_SOURCES))
            };
            let object = if kind == LOGIN { u as u32 } else { rng.random_range(0..u32::MAX) };
            self.recs.push(EventRec {
                ts: t.min(day_secs + 86_399) as u32,
                actor: u as u32,
                kind,
                source,
                object,
                detail: 0,
            });
            t += rng.random_range(15..2400);
        }
    }

    fn system_day(&mut self, d: i64, users: usize) {
        let mut rng = rng_for(&[self.seed, 0x5757, d as u64]);
        let count =
            Poisson::new(self.system_per_day.max(1e-6)).map(|p| p.sample(&mut rng) as u64).unwrap_or(0);
        for _ in 0..count {
            let k = weighted(&mut rng, &[(3u32, 40), (6, 30), (7, 15), (2, 8), (5, 5), (4, 2)]);
            let kind = match k {
                3 | 2 | 7 => 2, // automation, cell links and forms update sheets
                6 => 18,        // notifications send rows
                _ => weighted(&mut rng, &[(1u8, 2), (4, 1), (5, 2)]), // published items are loaded
            };
            self.recs.push(EventRec {
                ts: (d * 86_400 + rng.random_range(0..86_400)) as u32,
                actor: SYSTEM_ACTOR_BASE + k,
                kind,
                source: UNKNOWN,
                object: rng.random_range(0..u32::MAX) % (users as u32 * 3 + 50),
                detail: 0,
            });
        }
    }
}

const WORK_HOURS: [(i64, u32); 12] = [
    (12, 4),
    (13, 10),
    (14, 14),
    (15, 14),
    (16, 12),
    (17, 10),
    (18, 12),
    (19, 12),
    (20, 10),
    (21, 8),
    (22, 4),
    (7, 3),
];

/// Whether `user` is active on day `d`, with the generator for that day's events if so.
fn active_day(
    seed: u64,
    u: usize,
    user: &SimUser,
    d: i64,
    origin: DateTime<Utc>,
) -> Option<Xoshiro256PlusPlus> {
    if d < user.first_day {
        return None;
    }
    let (weekday_chance, weekend_chance) = user.activity.day_chances();
    let chance = match user.activity {
        Activity::Never => return None,
        Activity::StoppedAt { last_day } if d > last_day => return None,
        Activity::StoppedAt { last_day } if d == last_day => 1.0,
        _ => match (origin + Duration::days(d)).weekday() {
            Weekday::Sat | Weekday::Sun => weekend_chance,
            _ => weekday_chance,
        },
    };
    let mut rng = rng_for(&[seed, 0xDA7, u as u64, d as u64]);
    rng.random_bool(chance).then_some(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::org::Org;

    fn setup(users: u32, days: u32) -> (Org, EventLog, DateTime<Utc>) {
        let now = DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap().to_utc();
        let config = SimConfig { users, days, now, ..SimConfig::default() };
        let org = Org::generate(&config);
        let log = EventLog::generate(1, org.origin, days, now, &org.users, None);
        (org, log, now)
    }

    #[test]
    fn density_meets_the_target_and_events_are_in_time_order() {
        let (_, log, now) = setup(3000, 120);
        let n = log.visible().len() as f64;
        let target = 3000.0 * 120.0 / 3.0;
        assert!((n - target).abs() / target < 0.1, "{n} events for a target of {target}");
        assert!(log.visible().windows(2).all(|w| w[0].ts <= w[1].ts));
        assert!(log.visible().iter().all(|r| log.time_of(r) <= now));
        assert!(log.visible().iter().any(|r| r.system_user().is_some()));
        assert!(log.visible().iter().any(|r| r.kind == LOGIN));
        assert!(log.visible().iter().any(|r| r.kind == ACCESS_TOKEN_REFRESH));
    }

    #[test]
    fn users_who_stopped_or_never_started_make_no_later_events() {
        let (org, log, _) = setup(2000, 120);
        for rec in log.visible() {
            let Some(user) = org.users.get(rec.actor as usize) else { continue };
            let day = i64::from(rec.ts) / 86_400;
            assert_ne!(user.activity, Activity::Never, "{} never logged in", user.email);
            if let Activity::StoppedAt { last_day } = user.activity {
                assert!(day <= last_day, "{} active on day {day} after {last_day}", user.email);
            }
        }
    }

    #[test]
    fn a_record_is_16_bytes() {
        assert_eq!(std::mem::size_of::<EventRec>(), 16);
    }

    #[test]
    fn write_details_round_trip() {
        let seats = [Seat::Member, Seat::ProvisionalMember, Seat::Contributor, Seat::Guest];
        let mut all = vec![
            WriteDetail::Nothing,
            WriteDetail::Removed { from_plan: false },
            WriteDetail::Removed { from_plan: true },
        ];
        for from in seats {
            for to in seats {
                all.push(WriteDetail::Seat { from, to });
            }
        }
        for changed in 0..64u8 {
            all.push(WriteDetail::Profile { changed, values: changed ^ 0x2a });
        }
        for d in all {
            assert_eq!(WriteDetail::decode(d.encode()), d);
        }
    }

    #[test]
    fn a_write_goes_at_now_before_the_future_and_moves_no_served_position() {
        let (org, mut log, now) = setup(300, 10);
        // Stand mid-afternoon, so that part of today is still to come.
        let afternoon = now + Duration::hours(15);
        log.extend_to(afternoon, &org.users, false);
        let served: Vec<EventRec> = log.visible().to_vec();
        let ids: Vec<String> = (0..served.len()).map(|i| log.event_id(i)).collect();
        let future = log.recs.len() - log.visible;
        assert!(future > 0, "the rest of the day is generated already");

        log.record_write(0, USER_UPDATE, 7, WriteDetail::Seat { from: Seat::Member, to: Seat::Contributor });
        log.record_write(1, USER_DEACTIVATE, 8, WriteDetail::Nothing);
        assert_eq!(&log.visible()[..served.len()], &served[..], "what was served is unchanged");
        assert_eq!((0..served.len()).map(|i| log.event_id(i)).collect::<Vec<_>>(), ids);
        let new = &log.visible()[served.len()..];
        assert_eq!(new.len(), 2);
        assert_eq!((new[0].actor, new[0].object, new[0].kind), (0, 7, USER_UPDATE));
        assert_eq!((new[1].actor, new[1].object, new[1].kind), (1, 8, USER_DEACTIVATE));
        assert!(new.iter().all(|r| log.time_of(r) == afternoon && r.source == ADMIN_WRITE_SOURCE));
        assert_eq!(log.recs.len() - log.visible, future, "future events stay in the future");
        assert!(log.recs.windows(2).all(|w| w[0].ts <= w[1].ts), "the whole log stays in time order");

        // Later in the day the future arrives after the writes, still in order.
        log.extend_to(afternoon + Duration::hours(9), &org.users, false);
        assert!(log.visible().len() >= served.len() + 2 + future);
        assert!(log.visible().windows(2).all(|w| w[0].ts <= w[1].ts));
        assert_eq!(log.visible()[served.len()].kind, USER_UPDATE);
    }

    #[test]
    fn forgetting_a_users_future_leaves_the_past_and_others_alone() {
        let (org, mut log, now) = setup(300, 10);
        log.extend_to(now + Duration::hours(12), &org.users, false);
        let busy = log.recs[log.visible..].iter().map(|r| r.actor).find(|a| (*a as usize) < org.users.len());
        let busy = busy.expect("someone works this afternoon") as usize;
        let past = log.visible().to_vec();
        let others: Vec<EventRec> =
            log.recs[log.visible..].iter().filter(|r| r.actor as usize != busy).copied().collect();
        log.forget_future_of(busy);
        assert_eq!(log.visible(), &past[..]);
        assert_eq!(&log.recs[log.visible..], &others[..]);
    }

    #[test]
    fn growing_the_log_later_gives_the_same_events_as_generating_it_at_once() {
        let (org, mut grown, now) = setup(300, 30);
        let before = grown.visible().len();
        let later = now + Duration::hours(30);
        grown.extend_to(later, &org.users, false);
        assert!(grown.visible().len() > before, "a day and a quarter passed without events");
        let at_once = EventLog::generate(1, org.origin, 30, later, &org.users, None);
        assert_eq!(grown.visible(), at_once.visible());
        assert_eq!(grown.event_id(5), at_once.event_id(5));
        assert_ne!(grown.event_id(5), grown.event_id(6));
    }
}
