//! Multi-page calls as async streams. Each stream ends after its last page or after the first
//! error (which it yields).
//!
//! A server's paging is not trusted to end: every stream stops with [`SmartsheetError::Paging`]
//! when it is asked for more pages than the organization's size allows, or when a position
//! (`lastKey`, `nextStreamPosition`) comes back — at once or after any number of pages — or when a
//! page of events has no position to continue from. The page that would repeat is never yielded,
//! so a caller that saves each page's position resumes from the last good one.

use std::future::Future;

use futures::stream::{self, FuturesOrdered, Stream, StreamExt, TryStreamExt};

use tokio_util::task::AbortOnDropHandle;

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::client::{Answer, PrefixHook, SmartsheetClient};
use super::error::{Result, SmartsheetError};
use serde::de::DeserializeOwned;
use std::collections::HashSet;

use super::lenient::decode_events;
use super::models::{EventPage, IndexResult, TokenPage, User, UserPlan};
use super::requests::{EventsRequest, EventsStart, ListUsersQuery, UserPlansQuery};

/// Page size of [`SmartsheetClient::list_users`]: Smartsheet only returns `lastLogin` on pages of
/// at most 100 users.
pub const USERS_PAGE_SIZE: u32 = 100;

/// The most pages of `GET /users` read in one listing: 5,000,000 users, far beyond any
/// organization, whatever the first page announces.
pub const MAX_USER_PAGES: u32 = 50_000;

/// The most pages of `GET /users/{id}/plans` read for one user (a user has a handful of plans).
pub const MAX_PLAN_PAGES: usize = 100;

/// How many pages of `GET /users` a listing may read once the first page said how many there are:
/// twice that and ten more (a list that grows while it is read is followed), at most
/// [`MAX_USER_PAGES`].
pub fn user_page_limit(first_total_pages: u32) -> u32 {
    first_total_pages.saturating_mul(2).saturating_add(10).min(MAX_USER_PAGES)
}

/// A position for a message: long ones shortened.
fn short(position: &str) -> String {
    crate::server_text::cap(position, 40)
}

/// `fetch(cursor)` returns one page and the cursor of the next page, if there is one.
fn pages<C, T, F, Fut>(first: C, mut fetch: F) -> impl Stream<Item = Result<T>>
where
    F: FnMut(C) -> Fut,
    Fut: Future<Output = (Result<T>, Option<C>)>,
{
    stream::unfold(Some(first), move |cursor| {
        let next_page = cursor.map(&mut fetch);
        async move {
            let (page, next) = next_page?.await;
            let next = if page.is_ok() { next } else { None };
            Some((page, next))
        }
    })
}

impl SmartsheetClient {
    /// All pages of `GET /users`, [`USERS_PAGE_SIZE`] users each, in order. The first page tells
    /// how many there are; the rest are then requested up to
    /// [`super::ClientConfig::read_concurrency`] at a time (and paced by the rate limit). Stops when
    /// the page number reaches the latest page's `totalPages` (a too-high page number returns the
    /// last page again, so empty data is never the signal); a list that grows while it is read is
    /// followed to its new end, up to [`user_page_limit`] of the first page's `totalPages`.
    pub fn list_users(
        &self,
        query: ListUsersQuery,
    ) -> impl Stream<Item = Result<IndexResult<User>>> + Send + 'static {
        let client = self.clone();
        let concurrency = client.read_concurrency().max(1);
        let fetch = move |page: u32| {
            let (client, query) = (client.clone(), query.clone());
            async move { client.list_users_page(&query, page, USERS_PAGE_SIZE).await }
        };
        // `requested`: the last page number asked for; `total`: the latest page's totalPages;
        // `limit`: from the first page's totalPages.
        let state = (FuturesOrdered::new(), 0_u32, 1_u32, None::<(u32, u64)>, false);
        stream::unfold(state, move |(mut in_flight, mut requested, mut total, mut first, done)| {
            let fetch = fetch.clone();
            async move {
                if done {
                    return None;
                }
                let limit = first.map_or(1, |(pages, _)| user_page_limit(pages));
                while in_flight.len() < concurrency && requested < total.min(limit) {
                    requested += 1;
                    in_flight.push_back(fetch(requested));
                }
                if in_flight.is_empty() {
                    // More pages announced than the organization's size allows.
                    let (pages, count) = first.unwrap_or_default();
                    let error = SmartsheetError::Paging {
                        endpoint: "GET /users".into(),
                        detail: format!(
                            "after {requested} pages it still announced more ({total} in all), while the list \
                             began with {count} users on {pages} pages"
                        ),
                    };
                    return Some((Err(error), (in_flight, requested, total, first, true)));
                }
                let page: Result<IndexResult<User>> = in_flight.next().await?;
                let done = match &page {
                    Ok(p) => {
                        total = p.total_pages;
                        first.get_or_insert((p.total_pages, p.total_count));
                        in_flight.is_empty() && requested >= total
                    }
                    Err(_) => true,
                };
                Some((page, (in_flight, requested, total, first, done)))
            }
        })
    }

    /// [`Self::list_users`], one user at a time.
    pub fn all_users(&self, query: ListUsersQuery) -> impl Stream<Item = Result<User>> + Send + 'static {
        self.list_users(query).map_ok(|page| stream::iter(page.data.into_iter().map(Ok))).try_flatten()
    }

    /// All pages of `GET /users/{id}/plans`, following `lastKey` until it is absent — at most
    /// [`MAX_PLAN_PAGES`], and never to a `lastKey` seen before.
    pub fn list_user_plans(
        &self,
        user_id: i64,
        query: UserPlansQuery,
    ) -> impl Stream<Item = Result<TokenPage<UserPlan>>> + Send + 'static {
        let client = self.clone();
        // Every lastKey seen (a key that comes back at any distance means a loop), and how many
        // pages were read.
        let seen = Arc::new(Mutex::new((HashSet::<String>::new(), 0_usize)));
        pages(None::<String>, move |last_key| {
            let (client, query, seen) = (client.clone(), query.clone(), seen.clone());
            async move {
                let result = client.list_user_plans_page(user_id, &query, last_key.as_deref()).await;
                let next = match &result {
                    Ok(page) => page.last_key.clone().filter(|key| !key.is_empty()),
                    Err(_) => None,
                };
                let Some(next) = next else { return (result, None) };
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.1 += 1;
                let endpoint = format!("GET /users/{user_id}/plans");
                if !seen.0.insert(next.clone()) {
                    let detail = format!("the lastKey {} came back after {} pages", short(&next), seen.1);
                    return (Err(SmartsheetError::Paging { endpoint, detail }), None);
                }
                if seen.1 >= MAX_PLAN_PAGES {
                    let detail =
                        format!("after {} pages of one user's plans it still announced more", seen.1);
                    return (Err(SmartsheetError::Paging { endpoint, detail }), None);
                }
                (result, Some(Some(next)))
            }
        })
    }

    /// Pages of `GET /events` from `start`, following `nextStreamPosition` while `moreAvailable`
    /// is true. Ends after the first page that says no more events are available now (or that
    /// has no position). Store each page's `next_stream_position` after processing it and resume
    /// later with [`EventsStart::Position`].
    pub fn event_stream(
        &self,
        start: EventsStart,
        max_count: Option<u32>,
    ) -> impl Stream<Item = Result<EventPage>> + Send + 'static {
        self.event_stream_as(start, max_count)
    }

    /// [`Self::event_stream`] with the events read as `E` (e.g. [`super::ActivityEvent`]).
    pub fn event_stream_as<E: DeserializeOwned + Send + 'static>(
        &self,
        start: EventsStart,
        max_count: Option<u32>,
    ) -> impl Stream<Item = Result<EventPage<E>>> + Send + 'static {
        self.event_stream_within(start, max_count, u64::MAX)
    }

    /// [`Self::event_stream_as`], reading at most `max_pages` pages: one more ends the stream with
    /// [`SmartsheetError::Paging`] (a caller derives the limit from the organization's size).
    ///
    /// Each request needs the position the previous answer ends with, so the pages of a stream
    /// cannot be asked for in parallel. To keep Smartsheet busy while a page arrives and is
    /// decoded, the next page is asked for speculatively as soon as the head of the answer names
    /// its `nextStreamPosition` with `moreAvailable: true` (`peek_leading_position`; failing
    /// that, a scan of the whole body, `peek_next_position`). The decoded page has the last
    /// word: if it disagrees, the speculative request is dropped and the right one sent — pages
    /// are always yielded in stream order, exactly once. A page with unreadable events yields the
    /// readable ones ([`EventPage::skipped`]).
    /// The stream ends with [`SmartsheetError::Paging`], instead of the page, when a page names as
    /// its next position one that was asked for before (at once or after any number of pages) —
    /// while more events are available, or with events of its own — or when a page with events
    /// has no position to continue from: reading on, or saving that position, would count events
    /// twice. (A last page without events may repeat the position it was asked at: nothing new.)
    pub fn event_stream_within<E: DeserializeOwned + Send + 'static>(
        &self,
        start: EventsStart,
        max_count: Option<u32>,
        max_pages: u64,
    ) -> impl Stream<Item = Result<EventPage<E>>> + Send + 'static {
        let client = self.clone();
        let fetch = move |start: EventsStart| {
            let client = client.clone();
            let request = EventsRequest { start: start.clone(), max_count, numeric_dates: false };
            // The position at the head of the answer, as soon as it has arrived.
            let (early_send, early) = oneshot::channel();
            let early_send = Mutex::new(Some(early_send));
            let on_prefix: PrefixHook = Arc::new(move |prefix: &[u8]| match peek_leading_position(prefix) {
                Peek::NeedMore => false,
                Peek::Found(next) => {
                    if let Some(send) = early_send.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        let _ = send.send(next);
                    }
                    true
                }
                Peek::No => true,
            });
            // A task of its own, so that it runs while the caller decodes; aborted if dropped.
            let body = AbortOnDropHandle::new(tokio::spawn(async move {
                client.events_page_body(&request, on_prefix).await
            }));
            InFlight { start, early, body }
        };
        let mut asked = HashSet::new();
        if let EventsStart::Position(position) = &start {
            asked.insert(position.clone());
        }
        let state = (Some(fetch(start)), asked, 0_u64);
        stream::unfold(state, move |(in_flight, mut asked, mut read)| {
            let fetch = fetch.clone();
            async move {
                let InFlight { early, body, .. } = in_flight?;
                let fail = |detail: String, asked, read| {
                    let error = SmartsheetError::Paging { endpoint: "GET /events".into(), detail };
                    Some((Err(error), (None, asked, read)))
                };
                // Ask for the next page as soon as the head of this answer names it (the sender is
                // dropped without a value once the request ends, whatever its outcome) — unless it
                // was asked for before, which the decoded page then reports.
                let mut speculative = early
                    .await
                    .ok()
                    .filter(|next| !asked.contains(next))
                    .map(|next| fetch(EventsStart::Position(next)));
                let answer = match body.await {
                    Ok(Ok(answer)) => answer,
                    Ok(Err(e)) => return Some((Err(e), (None, asked, read))),
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                };
                if speculative.is_none() {
                    speculative = peek_next_position(&answer.body)
                        .filter(|next| !asked.contains(next))
                        .map(|next| fetch(EventsStart::Position(next)));
                }
                let page: Result<EventPage<E>> = decode_events(&answer.body).map(|mut page| {
                    page.server_time = answer.server_time;
                    page
                });
                read += 1;
                let page = match page {
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), (None, asked, read))),
                };
                let next = match (&page.next_stream_position, page.more_available) {
                    (None, _) if !page.data.is_empty() || page.more_available => {
                        return fail(
                            format!(
                                "a page of {} events came without a stream position, so where to continue could \
                                 not be saved; it was not counted",
                                page.data.len()
                            ),
                            asked,
                            read,
                        );
                    }
                    // Saved as where to continue, a position asked for before would read its
                    // events again: refused while there is more, or when this page has events.
                    (Some(next), more) if (more || !page.data.is_empty()) && asked.contains(next) => {
                        return fail(
                            format!(
                                "the stream position {} came back after {read} pages; the page that named it \
                                 again was not counted",
                                short(next)
                            ),
                            asked,
                            read,
                        );
                    }
                    (Some(next), true) => Some(next.clone()),
                    _ => None,
                };
                let next = match next {
                    Some(_) if read >= max_pages => {
                        let detail = format!(
                            "this run read {read} pages, more than an organization of this size should have; \
                             the next run continues from the last page read"
                        );
                        // The page itself is good: yield it, then stop.
                        let error = SmartsheetError::Paging { endpoint: "GET /events".into(), detail };
                        return Some((Ok(page), (Some(InFlight::failed(error)), asked, read)));
                    }
                    Some(next) => {
                        asked.insert(next.clone());
                        match speculative {
                            Some(guess) if guess.start == EventsStart::Position(next.clone()) => Some(guess),
                            // A wrong guess is dropped, which aborts its request.
                            _ => Some(fetch(EventsStart::Position(next))),
                        }
                    }
                    None => None,
                };
                Some((Ok(page), (next, asked, read)))
            }
        })
    }
}

/// A `GET /events` request under way, where it starts, and the position at the head of its
/// answer once that has arrived.
struct InFlight {
    start: EventsStart,
    early: oneshot::Receiver<String>,
    body: AbortOnDropHandle<Result<Answer>>,
}

impl InFlight {
    /// A request that fails with `error` at once (to end a stream after a last good page).
    fn failed(error: SmartsheetError) -> Self {
        let (_, early) = oneshot::channel();
        let start = EventsStart::Position(String::new());
        Self { start, early, body: AbortOnDropHandle::new(tokio::spawn(async move { Err(error) })) }
    }
}

/// What the head of a `GET /events` answer says about the next position.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Peek {
    /// `moreAvailable` is true and this is the `nextStreamPosition`.
    Found(String),
    /// The head is not complete yet.
    NeedMore,
    /// No more events, or the answer does not start with the two keys (then the whole body
    /// decides).
    No,
}

/// Reads the leading members of the top-level object — `nextStreamPosition` and
/// `moreAvailable`, in either order, before anything else — from the start of an answer. Exact,
/// unlike [`peek_next_position`]: only the top level is read, so a key inside an event cannot
/// mislead it; anything unexpected is [`Peek::No`].
pub(crate) fn peek_leading_position(head: &[u8]) -> Peek {
    let mut rest = head.trim_ascii_start();
    let Some(after) = rest.strip_prefix(b"{") else {
        return if rest.is_empty() { Peek::NeedMore } else { Peek::No };
    };
    rest = after;
    let (mut position, mut more) = (None, None);
    loop {
        rest = rest.trim_ascii_start();
        if rest.is_empty() {
            return Peek::NeedMore;
        }
        let Some(after) = rest.strip_prefix(b"\"") else { return Peek::No };
        let Some(end) = memchr::memchr2(b'"', b'\\', after) else { return Peek::NeedMore };
        if after[end] != b'"' {
            return Peek::No;
        }
        let key = &after[..end];
        rest = after[end + 1..].trim_ascii_start();
        let Some(after) = rest.strip_prefix(b":") else {
            return if rest.is_empty() { Peek::NeedMore } else { Peek::No };
        };
        rest = after.trim_ascii_start();
        match key {
            b"nextStreamPosition" => {
                let Some(after) = rest.strip_prefix(b"\"") else {
                    return if rest.is_empty() { Peek::NeedMore } else { Peek::No };
                };
                let Some(end) = memchr::memchr2(b'"', b'\\', after) else { return Peek::NeedMore };
                if after[end] != b'"' || end == 0 {
                    return Peek::No;
                }
                let Ok(value) = std::str::from_utf8(&after[..end]) else { return Peek::No };
                position = Some(value.to_owned());
                rest = &after[end + 1..];
            }
            b"moreAvailable" => {
                if rest.starts_with(b"true") {
                    more = Some(true);
                    rest = &rest[4..];
                } else if rest.starts_with(b"false") {
                    return Peek::No;
                } else if b"true".starts_with(rest) || b"false".starts_with(rest) {
                    return Peek::NeedMore;
                } else {
                    return Peek::No;
                }
            }
            _ => return Peek::No,
        }
        if let (Some(position), Some(true)) = (&position, more) {
            return Peek::Found(position.clone());
        }
        rest = rest.trim_ascii_start();
        match rest.first() {
            None => return Peek::NeedMore,
            Some(b',') => rest = &rest[1..],
            Some(_) => return Peek::No,
        }
    }
}

/// The `nextStreamPosition` of a raw `GET /events` answer that says `moreAvailable: true`,
/// found without decoding the page; None unless both keys occur exactly once (a key could also
/// appear inside an event's details) and the position is a plain JSON string.
pub(crate) fn peek_next_position(body: &[u8]) -> Option<String> {
    let more = value_after_unique_key(body, b"\"moreAvailable\"")?;
    if !more.starts_with(b"true") {
        return None;
    }
    let value = value_after_unique_key(body, b"\"nextStreamPosition\"")?;
    let rest = value.strip_prefix(b"\"")?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    if rest[end] != b'"' {
        return None;
    }
    String::from_utf8(rest[..end].to_vec()).ok().filter(|p| !p.is_empty())
}

/// What follows `key` and its colon, if `key` occurs exactly once in `body`.
fn value_after_unique_key<'a>(body: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut found = memchr::memmem::find_iter(body, key);
    let at = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let rest = body[at + key.len()..].trim_ascii_start().strip_prefix(b":")?;
    Some(rest.trim_ascii_start())
}

#[cfg(test)]
mod tests {
    use super::{peek_leading_position, peek_next_position, Peek};

    #[test]
    fn the_head_of_an_answer_names_the_next_position_as_soon_as_it_is_complete() {
        let full = br#"{"nextStreamPosition":"XyzA-1","moreAvailable":true,"data":[{"eventId":"e"}]}"#;
        let found = Peek::Found("XyzA-1".into());
        assert_eq!(peek_leading_position(full), found);
        // Every shorter prefix up to the end of `true` needs more; from there on it is found.
        let complete = full.windows(4).position(|w| w == b"true").unwrap() + 4;
        for end in 0..complete {
            assert_eq!(
                peek_leading_position(&full[..end]),
                Peek::NeedMore,
                "{:?}",
                std::str::from_utf8(&full[..end])
            );
        }
        assert_eq!(peek_leading_position(&full[..complete]), found);
        // Either order, with whitespace.
        let swapped = b" {\n  \"moreAvailable\" : true ,\n  \"nextStreamPosition\" : \"p2\", \"data\": [";
        assert_eq!(peek_leading_position(swapped), Peek::Found("p2".into()));
    }

    #[test]
    fn the_head_decides_nothing_unless_it_is_exactly_the_two_keys() {
        assert_eq!(
            peek_leading_position(br#"{"nextStreamPosition":"p","moreAvailable":false,"data":[]}"#),
            Peek::No
        );
        assert_eq!(
            peek_leading_position(br#"{"data":[{"nextStreamPosition":"x"}],"moreAvailable":true}"#),
            Peek::No
        );
        assert_eq!(
            peek_leading_position(br#"{"nextStreamPosition":"p","data":[],"moreAvailable":true}"#),
            Peek::No
        );
        assert_eq!(peek_leading_position(br#"{"nextStreamPosition":"a"b","moreAvailable":true}"#), Peek::No);
        assert_eq!(peek_leading_position(br#"{"nextStreamPosition":null,"moreAvailable":true}"#), Peek::No);
        assert_eq!(peek_leading_position(br#"{"nextStreamPosition":"","moreAvailable":true}"#), Peek::No);
        assert_eq!(peek_leading_position(br#"{"moreAvailable":maybe}"#), Peek::No);
        assert_eq!(peek_leading_position(b"[1,2]"), Peek::No);
        assert_eq!(peek_leading_position(b"  "), Peek::NeedMore);
    }

    #[test]
    fn the_next_position_is_peeked_from_a_plain_answer() {
        let body = br#"{"nextStreamPosition": "XyzA-1", "moreAvailable":true, "data": [{"eventId": "e1"}]}"#;
        assert_eq!(peek_next_position(body).as_deref(), Some("XyzA-1"));
        let body = br#"{"data":[],"moreAvailable" :  true ,"nextStreamPosition":"p2"}"#;
        assert_eq!(peek_next_position(body).as_deref(), Some("p2"));
    }

    #[test]
    fn nothing_is_guessed_when_the_answer_is_ambiguous_or_final() {
        // No more events.
        assert_eq!(
            peek_next_position(br#"{"nextStreamPosition":"p","moreAvailable":false,"data":[]}"#),
            None
        );
        // A key inside an event's details as well: which one is the answer's is not known.
        let twice = br#"{"nextStreamPosition":"p","moreAvailable":true,"data":[{"additionalDetails":{"nextStreamPosition":"q"}}]}"#;
        assert_eq!(peek_next_position(twice), None);
        // Escapes, an empty or missing position, or a position that is not a string.
        assert_eq!(peek_next_position(br#"{"nextStreamPosition":"a\"b","moreAvailable":true}"#), None);
        assert_eq!(peek_next_position(br#"{"nextStreamPosition":"","moreAvailable":true}"#), None);
        assert_eq!(peek_next_position(br#"{"moreAvailable":true,"data":[]}"#), None);
        assert_eq!(peek_next_position(br#"{"nextStreamPosition":null,"moreAvailable":true}"#), None);
        // A key that only occurs as text inside a string value is escaped, so it is not a key.
        let quoted =
            br#"{"nextStreamPosition":"p","moreAvailable":true,"data":[{"name":"\"moreAvailable\":true"}]}"#;
        assert_eq!(peek_next_position(quoted).as_deref(), Some("p"));
    }
}
