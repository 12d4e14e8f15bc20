//! The simulated organization: its users, seats, plan and API tokens, generated deterministically
//! from a seed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use crate::config::{Region, SimConfig};

/// Mixes a value into a well-spread 64-bit hash (SplitMix64's finalizer). Used to derive
/// independent, reproducible seeds for every (user, day), id and token.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn rng_for(parts: &[u64]) -> Xoshiro256PlusPlus {
    let seed = parts.iter().fold(0x5EA7_CEE9_u64, |acc, p| mix(acc ^ mix(*p)));
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// A 16-digit Smartsheet-style id derived from `parts`.
pub fn derived_id(parts: &[u64]) -> i64 {
    let h = parts.iter().fold(0x1D5_u64, |acc, p| mix(acc ^ mix(*p)));
    1_000_000_000_000_000 + (h % 8_000_000_000_000_000) as i64
}

/// The day the VIEWER seat type was renamed CONTRIBUTOR in responses that ask for it.
pub fn contributor_introduced() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-04-30T00:00:00Z").map(|d| d.to_utc()).unwrap_or_default()
}

/// After this day VIEWER disappears from responses and is rejected in requests.
pub fn viewer_sunset() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-10-30T00:00:00Z").map(|d| d.to_utc()).unwrap_or_default()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Pending,
    Declined,
    Deactivated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Pending => "PENDING",
            Status::Declined => "DECLINED",
            Status::Deactivated => "DEACTIVATED",
        }
    }
}

/// A seat in the organization's plan. The free internal seat is stored as CONTRIBUTOR and shown as
/// VIEWER where Smartsheet still shows the old name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seat {
    Member,
    ProvisionalMember,
    Contributor,
    Guest,
}

impl Seat {
    pub fn is_paid(self) -> bool {
        matches!(self, Seat::Member)
    }

    /// A small number for the seat, stored in the event log's admin-write records.
    pub fn code(self) -> u16 {
        match self {
            Seat::Member => 1,
            Seat::ProvisionalMember => 2,
            Seat::Contributor => 3,
            Seat::Guest => 4,
        }
    }

    pub fn from_code(code: u16) -> Option<Seat> {
        [Seat::Member, Seat::ProvisionalMember, Seat::Contributor, Seat::Guest]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// How a user uses Smartsheet, which drives the activity generator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activity {
    /// Almost every working day.
    Power,
    /// A few days a week.
    Regular,
    /// A few days a month.
    Occasional,
    /// Used Smartsheet until `last_day` (a day index relative to the history's first day; may be
    /// negative, i.e. before the generated history), then stopped.
    StoppedAt { last_day: i64 },
    /// Never logged in.
    Never,
    /// An integration's account: API calls every day, no interactive logins.
    Service,
}

impl Activity {
    /// Relative share of a day's events for an active day of this kind of user.
    pub fn weight(self) -> f64 {
        match self {
            Activity::Power => 3.0,
            Activity::Regular => 1.6,
            Activity::Occasional | Activity::StoppedAt { .. } => 1.0,
            Activity::Service => 8.0,
            Activity::Never => 0.0,
        }
    }

    /// Chance of being active on a weekday and on a weekend day.
    pub fn day_chances(self) -> (f64, f64) {
        match self {
            Activity::Power => (0.92, 0.15),
            Activity::Regular => (0.45, 0.05),
            Activity::Occasional => (0.08, 0.02),
            Activity::StoppedAt { .. } => (0.2, 0.02),
            Activity::Service => (1.0, 1.0),
            Activity::Never => (0.0, 0.0),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SimUser {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub title: &'static str,
    pub department: &'static str,
    pub admin: bool,
    pub group_admin: bool,
    pub resource_viewer: bool,
    pub licensed_sheet_creator: bool,
    pub status: Status,
    pub internal: bool,
    pub seat: Seat,
    pub seat_changed_at: DateTime<Utc>,
    pub provisional_expires: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
    /// Last interactive login before the generated history (or inside it, before any login
    /// event); later logins come from the event log.
    pub login_before_history: Option<DateTime<Utc>>,
    /// Last login: the later of `login_before_history` and the last visible login event.
    pub last_login: Option<DateTime<Utc>>,
    pub activity: Activity,
    /// First day index (relative to the history's first day) on which the user can be active.
    pub first_day: i64,
    pub directory_managed: bool,
    pub owns_groups: bool,
    pub main_contact: bool,
    pub service_account: bool,
    pub has_profile_image: bool,
    pub in_org: bool,
    pub in_plan: bool,
}

impl SimUser {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn visible(&self) -> bool {
        self.in_org || self.in_plan
    }

    pub fn domain(&self) -> &str {
        self.email.rsplit('@').next().unwrap_or_default()
    }
}

/// The four tokens the simulator accepts, printed in its startup line.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Tokens {
    pub admin: String,
    pub member: String,
    pub expired: String,
    pub admin_no_event_reporting: String,
}

impl Tokens {
    /// The tokens a simulator of `region` with `seed` accepts. Tokens of other regions have the
    /// same form and are rejected, as Smartsheet rejects a token of another region.
    pub fn for_region(seed: u64, region: Region) -> Tokens {
        let region_salt = Region::ALL.iter().position(|r| *r == region).unwrap_or(0) as u64;
        let make = |role: u64| {
            const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            let mut rng = rng_for(&[seed, 0x70C3, region_salt, role]);
            (0..37).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
        };
        Tokens { admin: make(1), member: make(2), expired: make(3), admin_no_event_reporting: make(4) }
    }
}

/// What a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRole {
    Admin,
    Member,
    Expired,
    AdminNoEventReporting,
}

pub const ISP_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "aol.com",
    "icloud.com",
    "comcast.net",
    "charter.net",
    "verizon.net",
    "rocketmail.com",
    "web.de",
    "mail.com",
    "email.com",
    "usa.com",
    "duck.com",
    "mail.ru",
];

const ORGS: &[(&str, &str)] = &[
    ("Acme Corp", "acme.example"),
    ("Globex", "globex.example"),
    ("Initech", "initech.example"),
    ("Umbrella Health", "umbrella-health.example"),
    ("Stark Logistics", "stark-logistics.example"),
    ("Wayne Media", "waynemedia.example"),
];

const PARTNER_DOMAINS: &[&str] =
    &["northwind.example", "contoso-partners.example", "fabrikam.example", "tailspin.example"];

const FIRST: &[&str] = &[
    "Ava", "Liam", "Olivia", "Noah", "Emma", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia",
    "Lucas", "Amelia", "Mateo", "Harper", "Ethan", "Evelyn", "Aiden", "Priya", "Arjun", "Mei", "Wei", "Yuki",
    "Hiro", "Fatima", "Omar", "Leila", "Karim", "Sofia", "Diego", "Lucia", "Javier", "Ingrid", "Lars",
    "Anika", "Jonas", "Chloe", "Hugo", "Zoe", "Felix", "Nadia", "Ivan", "Grace", "Samuel", "Hannah",
    "Daniel", "Maya", "Kofi",
];

const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Patel",
    "Kim",
    "Chen",
    "Singh",
    "Okafor",
    "Schmidt",
    "Rossi",
    "Novak",
    "Dubois",
    "Tanaka",
];

const DEPARTMENTS: &[(&str, &[&str])] = &[
    ("Engineering", &["Software Engineer", "Engineering Manager", "QA Analyst"]),
    ("Marketing", &["Marketing Manager", "Content Strategist", "Campaign Analyst"]),
    ("Finance", &["Financial Analyst", "Controller", "Accountant"]),
    ("Operations", &["Operations Manager", "Project Coordinator", "Program Manager"]),
    ("Sales", &["Account Executive", "Sales Manager", "Sales Engineer"]),
    ("Human Resources", &["HR Business Partner", "Recruiter"]),
    ("PMO", &["Project Manager", "Portfolio Manager"]),
];

const SERVICE_PURPOSES: &[&str] =
    &["integration", "reporting", "backup", "jira-sync", "salesforce-sync", "etl", "automation"];

pub struct Org {
    pub name: String,
    pub domain: String,
    pub account_id: i64,
    /// The organization's User Subscription Model plan; `None` on a legacy plan.
    pub plan_id: Option<i64>,
    pub users: Vec<SimUser>,
    pub by_id: HashMap<i64, usize>,
    pub tokens: Tokens,
    /// Users whose tokens are `admin`, `member`, `expired` (same user as admin) and
    /// `admin_no_event_reporting`.
    pub admin_idx: usize,
    pub member_idx: usize,
    pub second_admin_idx: usize,
    /// The day the generated history starts (midnight UTC).
    pub origin: DateTime<Utc>,
}

impl Org {
    pub fn generate(config: &SimConfig) -> Org {
        let seed = config.seed;
        let mut rng = rng_for(&[seed, 0x0126]);
        let (name, domain) = ORGS[(mix(seed) % ORGS.len() as u64) as usize];
        let now = config.now;
        let origin = crate::activity::day_start(now) - Duration::days(i64::from(config.days));
        let plan_id = (!config.legacy).then(|| derived_id(&[seed, 0x9A1]));

        let n = config.users.max(3) as usize;
        let mut users = Vec::with_capacity(n);
        let mut emails = HashSet::with_capacity(n);
        let mut ids = HashSet::with_capacity(n);
        let extra_admins = (n / 400).max(1);
        for i in 0..n {
            let mut u = generate_user(&mut rng, i, n, extra_admins, domain, now, origin, config);
            u.id = loop {
                let id = derived_id(&[seed, 0x05E7, i as u64, ids.len() as u64]);
                if ids.insert(id) {
                    break id;
                }
            };
            let (local, dom) =
                u.email.split_once('@').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap_or_default();
            u.email = unique_email(&mut emails, &local, &dom);
            users.push(u);
        }
        if n >= CASES_FROM_USERS {
            ensure_cases(
                &mut users,
                &mut emails,
                seed,
                3 + extra_admins,
                now,
                origin,
                i64::from(config.days),
            );
        }
        if config.legacy {
            for u in &mut users {
                // No plan: the licence flag is the seat, and outside collaborators are not users of
                // the organization at all.
                u.licensed_sheet_creator = matches!(u.seat, Seat::Member | Seat::ProvisionalMember);
                u.in_plan = false;
            }
        }
        let by_id = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        Org {
            name: name.to_owned(),
            domain: domain.to_owned(),
            account_id: derived_id(&[seed, 0xACC7]),
            plan_id,
            users,
            by_id,
            tokens: Tokens::for_region(seed, config.region),
            admin_idx: 0,
            second_admin_idx: 1,
            member_idx: 2,
            origin,
        }
    }

    pub fn token_owner(&self, role: TokenRole) -> usize {
        match role {
            TokenRole::Admin | TokenRole::Expired => self.admin_idx,
            TokenRole::Member => self.member_idx,
            TokenRole::AdminNoEventReporting => self.second_admin_idx,
        }
    }

    pub fn user_index(&self, id: i64) -> Option<usize> {
        self.by_id.get(&id).copied().filter(|i| self.users[*i].visible())
    }
}

fn pick<T: Copy>(rng: &mut Xoshiro256PlusPlus, items: &[T]) -> T {
    *items.choose(rng).unwrap_or(&items[0])
}

/// Draws one of `options` by weight.
pub(crate) fn weighted<T: Copy>(rng: &mut Xoshiro256PlusPlus, options: &[(T, u32)]) -> T {
    let total: u32 = options.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (value, w) in options {
        if roll < *w {
            return *value;
        }
        roll -= w;
    }
    options[0].0
}

#[allow(clippy::too_many_arguments)]
fn generate_user(
    rng: &mut Xoshiro256PlusPlus,
    i: usize,
    n: usize,
    extra_admins: usize,
    domain: &str,
    now: DateTime<Utc>,
    origin: DateTime<Utc>,
    config: &SimConfig,
) -> SimUser {
    let (department, titles) = pick(rng, DEPARTMENTS);
    let mut first = pick(rng, FIRST).to_owned();
    let mut last = pick(rng, LAST).to_owned();
    let days_before_now = |d: i64| now - Duration::days(d) - Duration::seconds(rng_secs(d, i));
    let history_days = i64::from(config.days);

    // The three users the tokens belong to come first: the main contact (System Admin), a second
    // System Admin, and a regular licensed member.
    let role = match i {
        0 | 1 => "admin",
        2 => "member",
        _ if i <= 2 + extra_admins => "admin",
        _ if rng.random_bool(0.01) && n > 20 => "service",
        _ => "user",
    };
    let internal = matches!(role, "admin" | "member" | "service") || !rng.random_bool(0.08);
    let email_domain = if internal {
        domain.to_owned()
    } else if rng.random_bool(0.7) {
        pick(rng, PARTNER_DOMAINS).to_owned()
    } else {
        pick(rng, ISP_DOMAINS).to_owned()
    };
    if role == "service" {
        first = "svc".to_owned();
        last = pick(rng, SERVICE_PURPOSES).to_owned();
    }
    let email = format!("{}.{}@{}", first.to_ascii_lowercase(), last.to_ascii_lowercase(), email_domain);

    let status = match role {
        "user" => weighted(
            rng,
            &[
                (Status::Active, 940),
                (Status::Pending, 35),
                (Status::Declined, 10),
                (Status::Deactivated, 15),
            ],
        ),
        _ => Status::Active,
    };
    let seat = match (role, internal, status) {
        ("admin" | "member" | "service", _, _) => Seat::Member,
        (_, false, _) => weighted(rng, &[(Seat::Guest, 85), (Seat::Member, 15)]),
        (_, true, Status::Pending) => Seat::ProvisionalMember,
        (_, true, Status::Declined) => Seat::Contributor,
        (_, true, Status::Deactivated) => weighted(rng, &[(Seat::Member, 70), (Seat::Contributor, 30)]),
        _ => weighted(rng, &[(Seat::Member, 58), (Seat::Contributor, 30), (Seat::ProvisionalMember, 12)]),
    };
    let activity = match (role, status, seat) {
        ("admin", _, _) if i < 2 => Activity::Power,
        ("member", _, _) => Activity::Regular,
        ("admin", _, _) => weighted(rng, &[(Activity::Power, 1), (Activity::Regular, 1)]),
        ("service", _, _) => Activity::Service,
        (_, Status::Pending | Status::Declined, _) => Activity::Never,
        (_, _, Seat::ProvisionalMember) => weighted(rng, &[(Activity::Power, 1), (Activity::Regular, 2)]),
        _ => {
            let stopped = |rng: &mut Xoshiro256PlusPlus, lo: i64, hi: i64| Activity::StoppedAt {
                last_day: history_days - rng.random_range(lo..hi),
            };
            match rng.random_range(0..100) {
                0..=17 => Activity::Power,
                18..=47 => Activity::Regular,
                48..=63 => Activity::Occasional,
                64..=71 => stopped(rng, 30, 60),
                72..=78 => stopped(rng, 60, 90),
                79..=84 => stopped(rng, 90, 180),
                85..=91 => stopped(rng, 180, 420),
                _ => Activity::Never,
            }
        }
    };

    // Joined: recently for provisional and pending users, otherwise up to four years ago; never
    // after their last activity.
    let mut created_days_ago: i64 = match seat {
        Seat::ProvisionalMember => rng.random_range(3..28),
        _ if status == Status::Pending => rng.random_range(1..40),
        _ => rng.random_range(30..1500),
    };
    if let Activity::StoppedAt { last_day } = activity {
        created_days_ago = created_days_ago.max(history_days - last_day + rng.random_range(10..300));
    }
    let created_at = days_before_now(created_days_ago);
    let first_day = (created_at - origin).num_days();
    let mut activity = activity;
    let deactivated_at = (status == Status::Deactivated).then(|| {
        let ago = rng.random_range(2..created_days_ago.clamp(3, 80));
        activity = Activity::StoppedAt { last_day: history_days - ago - 1 };
        days_before_now(ago)
    });
    if let Activity::StoppedAt { last_day } = activity {
        if last_day < first_day {
            activity = Activity::StoppedAt { last_day: first_day };
        }
    }
    let seat_changed_at = match seat {
        Seat::ProvisionalMember => created_at,
        _ => days_before_now(rng.random_range(1..created_days_ago.max(2))),
    }
    .max(created_at);
    let provisional_expires = (seat == Seat::ProvisionalMember).then(|| seat_changed_at + Duration::days(30));

    // Users who logged in before the generated history: their last login then. For those who stopped
    // before the history began this is their real last login.
    let login_before_history = match activity {
        Activity::Never | Activity::Service => None,
        Activity::StoppedAt { last_day } if last_day < 0 => Some(
            origin + Duration::days(last_day) + Duration::seconds(rng.random_range(13 * 3600..22 * 3600)),
        ),
        _ if created_at < origin => Some(origin - Duration::seconds(rng.random_range(3600..20 * 86400))),
        _ => None,
    };

    let group_admin = seat == Seat::Member && internal && (i < 2 || rng.random_bool(0.05));
    SimUser {
        id: 0,
        email,
        first_name: first,
        last_name: last,
        title: if role == "admin" { "System Administrator" } else { pick(rng, titles) },
        department: if role == "admin" { "IT" } else { department },
        admin: role == "admin",
        group_admin,
        resource_viewer: seat == Seat::Member && rng.random_bool(0.03),
        licensed_sheet_creator: matches!(seat, Seat::Member | Seat::ProvisionalMember),
        status,
        internal,
        seat,
        seat_changed_at,
        provisional_expires,
        created_at,
        deactivated_at,
        login_before_history,
        last_login: login_before_history,
        activity,
        first_day,
        directory_managed: internal && i > 2 && rng.random_bool(0.15),
        owns_groups: group_admin && (i == 0 || rng.random_bool(0.6)),
        main_contact: i == 0,
        service_account: role == "service",
        has_profile_image: rng.random_bool(0.4),
        in_org: internal,
        in_plan: true,
    }
}

/// `local@domain`, or `local2@domain`, `local3@domain`… when the address is taken.
fn unique_email(emails: &mut HashSet<String>, local: &str, domain: &str) -> String {
    let mut email = format!("{local}@{domain}");
    let mut suffix = 1;
    while !emails.insert(email.to_ascii_lowercase()) {
        suffix += 1;
        email = format!("{local}{suffix}@{domain}");
    }
    email
}

/// Organizations of at least this many users always hold every [`Case`].
pub const CASES_FROM_USERS: usize = 100;

/// Kinds of users a reclamation tool must handle because Smartsheet refuses some write to them.
/// Organizations of [`CASES_FROM_USERS`] or more users hold at least one of each (see
/// [`Case::holds`]); the generator's mix makes most of them anyway, and the rest are made from
/// ordinary licensed members, chosen by the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// An active licensed member managed by a directory integration: deactivation is refused with
    /// 400/5697 (reactivation 5717, removal 5666).
    DirectoryManaged,
    /// An active licensed member of the organization whose address is on a common ISP domain
    /// (gmail.com…): deactivation is refused with 403/1359.
    IspDomain,
    /// An active licensed group admin (not a resource viewer): clearing the licence alone is
    /// refused with 403/1102.
    GroupAdmin,
    /// An active licensed resource viewer (not a group admin): clearing the licence alone is
    /// refused with 403/1097.
    ResourceViewer,
    /// Both of the above: 1097 until resource viewer is cleared, then 1102.
    GroupAdminAndResourceViewer,
    /// An outside collaborator holding a paid MEMBER seat: downgrade to GUEST works, to
    /// CONTRIBUTOR or VIEWER is refused with 400/1018.
    ExternalMember,
    /// Deactivated 2–20 days ago: reactivation works; seat changes and PUT are refused with
    /// 403/1188.
    DeactivatedRecently,
    /// Deactivated 40–80 days ago: reactivation is refused (400/1018, past the 30-day window).
    DeactivatedLongAgo,
}

impl Case {
    pub const ALL: [Case; 8] = [
        Case::DirectoryManaged,
        Case::IspDomain,
        Case::GroupAdmin,
        Case::ResourceViewer,
        Case::GroupAdminAndResourceViewer,
        Case::ExternalMember,
        Case::DeactivatedRecently,
        Case::DeactivatedLongAgo,
    ];

    /// Whether `u` is an example of this case at `now`. Examples are never System Admins.
    pub fn holds(self, u: &SimUser, now: DateTime<Utc>) -> bool {
        let active_member = !u.admin && u.status == Status::Active && u.seat == Seat::Member;
        let member_of_org = active_member && u.internal && u.in_org && !u.service_account;
        let deactivated_ago = |lo: i64, hi: i64| {
            !u.admin
                && u.status == Status::Deactivated
                && u.internal
                && u.in_org
                && !u.directory_managed
                && u.deactivated_at.is_some_and(|at| (lo..=hi).contains(&(now - at).num_days()))
        };
        match self {
            Case::DirectoryManaged => member_of_org && u.directory_managed,
            Case::IspDomain => member_of_org && !u.directory_managed && ISP_DOMAINS.contains(&u.domain()),
            Case::GroupAdmin => member_of_org && u.group_admin && !u.resource_viewer,
            Case::ResourceViewer => member_of_org && u.resource_viewer && !u.group_admin,
            Case::GroupAdminAndResourceViewer => member_of_org && u.group_admin && u.resource_viewer,
            Case::ExternalMember => active_member && !u.internal && u.in_plan,
            Case::DeactivatedRecently => deactivated_ago(2, 20),
            Case::DeactivatedLongAgo => deactivated_ago(40, 80),
        }
    }
}

/// Makes sure the organization holds an example of every [`Case`], turning ordinary licensed
/// members (never the token owners or the first `protected` users) into the missing ones. A
/// missing outside MEMBER is made from an outside GUEST when there is one.
fn ensure_cases(
    users: &mut [SimUser],
    emails: &mut HashSet<String>,
    seed: u64,
    protected: usize,
    now: DateTime<Utc>,
    origin: DateTime<Utc>,
    history_days: i64,
) {
    let mut taken: HashSet<usize> = HashSet::new();
    for (k, case) in Case::ALL.into_iter().enumerate() {
        if users.iter().any(|u| case.holds(u, now)) {
            continue;
        }
        let mut rng = rng_for(&[seed, 0xCA5E, k as u64]);
        let ordinary = |i: usize, u: &SimUser| {
            i >= protected
                && !taken.contains(&i)
                && Case::ALL.iter().all(|c| !c.holds(u, now))
                && u.status == Status::Active
                && u.seat == Seat::Member
                && u.internal
                && u.in_org
                && !u.admin
                && !u.service_account
                && !u.main_contact
                && !u.directory_managed
                && !u.group_admin
                && !u.resource_viewer
                && !u.owns_groups
                && !ISP_DOMAINS.contains(&u.domain())
                && u.activity != Activity::Never
                // Old enough to have been deactivated up to 80 days ago.
                && u.created_at < now - Duration::days(120)
        };
        let outside_guests: Vec<usize> = users
            .iter()
            .enumerate()
            .filter(|(i, u)| {
                *i >= protected
                    && !u.internal
                    && u.in_plan
                    && u.status == Status::Active
                    && u.seat == Seat::Guest
            })
            .map(|(i, _)| i)
            .collect();
        let candidates: Vec<usize> = if case == Case::ExternalMember && !outside_guests.is_empty() {
            outside_guests
        } else {
            users.iter().enumerate().filter(|(i, u)| ordinary(*i, u)).map(|(i, _)| i).collect()
        };
        let Some(&i) = candidates.choose(&mut rng) else { continue };
        taken.insert(i);
        let u = &mut users[i];
        match case {
            Case::DirectoryManaged => u.directory_managed = true,
            Case::IspDomain => {
                let local = u.email.split('@').next().unwrap_or_default().to_owned();
                emails.remove(&u.email.to_ascii_lowercase());
                u.email = unique_email(emails, &local, pick(&mut rng, &ISP_DOMAINS[..6]));
            }
            Case::GroupAdmin => u.group_admin = true,
            Case::ResourceViewer => u.resource_viewer = true,
            Case::GroupAdminAndResourceViewer => {
                u.group_admin = true;
                u.resource_viewer = true;
            }
            Case::ExternalMember if !u.internal => {
                u.seat = Seat::Member;
                u.licensed_sheet_creator = true;
            }
            Case::ExternalMember => {
                let local = u.email.split('@').next().unwrap_or_default().to_owned();
                emails.remove(&u.email.to_ascii_lowercase());
                u.email = unique_email(emails, &local, pick(&mut rng, PARTNER_DOMAINS));
                u.internal = false;
                u.in_org = false;
            }
            Case::DeactivatedRecently | Case::DeactivatedLongAgo => {
                let ago = if case == Case::DeactivatedRecently {
                    rng.random_range(3..=19)
                } else {
                    rng.random_range(41..=79)
                };
                u.status = Status::Deactivated;
                u.deactivated_at = Some(now - Duration::days(ago) - Duration::seconds(rng_secs(ago, i)));
                // As the generator does for its deactivated users: activity stops the day before.
                let last_day = (history_days - ago - 1).max(u.first_day);
                u.activity = Activity::StoppedAt { last_day };
                if last_day < 0 {
                    u.login_before_history = Some(
                        origin
                            + Duration::days(last_day)
                            + Duration::seconds(rng.random_range(13 * 3600..22 * 3600)),
                    );
                }
                u.last_login = u.login_before_history;
            }
        }
        debug_assert!(case.holds(u, now), "{case:?} made from {}", u.email);
    }
}

/// A reproducible number of seconds within a day, so that derived timestamps are not all at
/// midnight.
fn rng_secs(days: i64, i: usize) -> i64 {
    (mix(days as u64 ^ ((i as u64) << 20)) % 86_400) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(users: u32, legacy: bool) -> SimConfig {
        SimConfig {
            users,
            legacy,
            now: DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap().to_utc(),
            ..SimConfig::default()
        }
    }

    #[test]
    fn same_seed_same_org_and_unique_ids_and_emails() {
        let a = Org::generate(&config(2000, false));
        let b = Org::generate(&config(2000, false));
        assert_eq!(a.users.len(), 2000);
        for (x, y) in a.users.iter().zip(&b.users) {
            assert_eq!((x.id, &x.email, x.seat, x.status), (y.id, &y.email, y.seat, y.status));
        }
        let ids: HashSet<_> = a.users.iter().map(|u| u.id).collect();
        let emails: HashSet<_> = a.users.iter().map(|u| u.email.to_ascii_lowercase()).collect();
        assert_eq!((ids.len(), emails.len()), (2000, 2000));
    }

    #[test]
    fn the_mix_is_realistic() {
        let org = Org::generate(&config(5000, false));
        let count = |f: &dyn Fn(&SimUser) -> bool| org.users.iter().filter(|u| f(u)).count();
        assert!(org.users[0].admin && org.users[1].admin && !org.users[2].admin);
        assert!(org.users[0].main_contact);
        let admins = count(&|u| u.admin);
        assert!((3..60).contains(&admins), "admins {admins}");
        for (what, n) in [
            ("members", count(&|u| u.seat == Seat::Member)),
            ("provisional", count(&|u| u.seat == Seat::ProvisionalMember)),
            ("contributors", count(&|u| u.seat == Seat::Contributor)),
            ("guests", count(&|u| u.seat == Seat::Guest)),
            ("external", count(&|u| !u.internal)),
            ("pending", count(&|u| u.status == Status::Pending)),
            ("declined", count(&|u| u.status == Status::Declined)),
            ("deactivated", count(&|u| u.status == Status::Deactivated)),
            ("service", count(&|u| u.service_account)),
            ("never", count(&|u| u.activity == Activity::Never)),
            (
                "stopped 180+",
                count(&|u| matches!(u.activity, Activity::StoppedAt { last_day } if last_day < -60)),
            ),
            ("isp domains", count(&|u| ISP_DOMAINS.contains(&u.domain()))),
        ] {
            assert!(n > 5, "{what}: only {n}");
        }
        assert!(org.users.iter().all(|u| !u.internal || u.seat != Seat::Guest));
        assert!(org.users.iter().all(|u| u.internal || u.seat != Seat::Contributor));
    }

    #[test]
    fn every_refusal_case_is_in_every_organization_of_100_users_or_more() {
        for users in [100, 150, 200, 250, 300, 500] {
            for seed in 1..=12 {
                for legacy in [false, true] {
                    let org = Org::generate(&SimConfig { seed, ..config(users, legacy) });
                    let now = config(users, legacy).now;
                    for case in Case::ALL {
                        // On a legacy plan outside collaborators are not users of the organization.
                        if legacy && case == Case::ExternalMember {
                            continue;
                        }
                        let found = org.users.iter().filter(|u| u.visible() && case.holds(u, now)).count();
                        assert!(found > 0, "{users} users, seed {seed}, legacy {legacy}: no {case:?}");
                    }
                    assert!(org.users.iter().filter(|u| u.admin).count() >= 3);
                }
            }
        }
    }

    #[test]
    fn the_cases_are_made_consistently_and_the_same_for_a_seed() {
        let now = config(200, false).now;
        let a = Org::generate(&config(200, false));
        let b = Org::generate(&config(200, false));
        for case in Case::ALL {
            let ids =
                |org: &Org| org.users.iter().filter(|u| case.holds(u, now)).map(|u| u.id).collect::<Vec<_>>();
            assert_eq!(ids(&a), ids(&b), "{case:?}");
        }
        for u in &a.users {
            // Deactivated users stopped working before they were deactivated and had joined before.
            if let Some(at) = u.deactivated_at {
                assert_eq!(u.status, Status::Deactivated);
                assert!(u.created_at < at, "{}", u.email);
                if let Activity::StoppedAt { last_day } = u.activity {
                    assert!(a.origin + Duration::days(last_day) < at, "{}", u.email);
                } else {
                    panic!("{} deactivated but {:?}", u.email, u.activity);
                }
                assert!(u.login_before_history.is_none_or(|t| t < at), "{}", u.email);
            }
            if ISP_DOMAINS.contains(&u.domain()) && u.in_org {
                assert!(u.internal, "an organization member on an ISP domain is internal: {}", u.email);
            }
            assert!(!u.group_admin || u.seat == Seat::Member, "group admins are licensed: {}", u.email);
            assert!(
                !u.resource_viewer || u.seat == Seat::Member,
                "resource viewers are licensed: {}",
                u.email
            );
        }
        let emails: HashSet<_> = a.users.iter().map(|u| u.email.to_ascii_lowercase()).collect();
        assert_eq!(emails.len(), a.users.len(), "addresses stay unique");
        // Small organizations are left as the generator made them: it never puts an organization
        // member on an ISP domain.
        let small = Org::generate(&config(40, false));
        assert!(!small.users.iter().any(|u| u.in_org && ISP_DOMAINS.contains(&u.domain())));
    }

    #[test]
    fn tokens_differ_per_region_and_role() {
        let us = Tokens::for_region(1, Region::Us);
        let eu = Tokens::for_region(1, Region::Eu);
        assert_ne!(us.admin, eu.admin);
        assert_ne!(us.admin, us.member);
        assert_eq!(us.admin.len(), 37);
        assert_eq!(us, Tokens::for_region(1, Region::Us));
    }
}
