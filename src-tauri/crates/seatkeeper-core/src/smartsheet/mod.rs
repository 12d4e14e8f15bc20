//! A typed client for the parts of the Smartsheet API 2.0 that Seatkeeper uses: users, USM plans
//! and seats, and Event Reporting.
//!
//! - [`SmartsheetClient`] is built from a [`ClientConfig`] (regional base URL, [`ApiToken`],
//!   timeouts, a client-side rate limit and a [`RetryPolicy`]).
//! - Failed requests are retried with exponential backoff and jitter when Smartsheet says so
//!   (429/4003, 4001, 4002, 4004, honouring `Retry-After`), and after transport failures when the
//!   request is idempotent (GET, PUT and the seat upgrade/downgrade POSTs — never DELETE,
//!   deactivate or reactivate, unless no connection could be opened at all).
//! - Lists are async streams of pages ([`SmartsheetClient::list_users`],
//!   [`SmartsheetClient::list_user_plans`], [`SmartsheetClient::event_stream`]).
//! - Errors are [`SmartsheetError`]s whose messages tell an admin what to do. The token never
//!   appears in `Debug` output, logs or errors.

mod client;
mod error;
mod lenient;
mod models;
mod open_enum;
mod paging;
mod requests;
mod time;
mod token;

pub use client::{
    is_loopback, ClientConfig, ClientStats, RetryPolicy, SmartsheetClient, BASE_URL_AU, BASE_URL_EU,
    BASE_URL_GOV, BASE_URL_US,
};
pub use error::{NetworkFailure, Result, SmartsheetError};
pub use models::{
    Account, Action, ActivityEvent, AlternateEmail, Event, EventDetails, EventPage, EventSource, IndexResult,
    ObjectType, ProfileImage, SeatType, ServerInfo, SkippedEvents, SkippedItem, TokenPage, User, UserPlan,
    UserProfile, UserStatus, WriteResult,
};
pub use paging::{user_page_limit, MAX_PLAN_PAGES, MAX_USER_PAGES, USERS_PAGE_SIZE};
pub use requests::{
    DowngradeSeat, EventsRequest, EventsStart, ListUsersQuery, RemoveUserOptions, UpgradeSeat,
    UserPlansQuery, UserUpdate, MAX_EVENTS_PER_PAGE,
};
pub use token::{ApiToken, TokenError};
