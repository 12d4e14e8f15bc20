//! Multi-page calls as async streams. Each stream ends after its last page or after the first
//! error (which it yields).

use std::future::Future;

use futures::stream::{self, FuturesOrdered, Stream, StreamExt, TryStreamExt};

use super::client::SmartsheetClient;
use super::error::Result;
use serde::de::DeserializeOwned;

use super::models::{EventPage, IndexResult, TokenPage, User, UserPlan};
use super::requests::{EventsRequest, EventsStart, ListUsersQuery, UserPlansQuery};

/// Page size of [`SmartsheetClient::list_users`]: Smartsheet only returns `lastLogin` on pages of
/// at most 100 users.
pub const USERS_PAGE_SIZE: u32 = 100;

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
    /// followed to its new end.
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
        // `requested`: the last page number asked for; `total`: the latest page's totalPages.
        let state = (FuturesOrdered::new(), 0_u32, 1_u32, false);
        stream::unfold(state, move |(mut in_flight, mut requested, mut total, done)| {
            let fetch = fetch.clone();
            async move {
                if done {
                    return None;
                }
                while in_flight.len() < concurrency && requested < total {
                    requested += 1;
                    in_flight.push_back(fetch(requested));
                }
                let page: Result<IndexResult<User>> = in_flight.next().await?;
                let done = match &page {
                    Ok(p) => {
                        total = p.total_pages;
                        in_flight.is_empty() && requested >= total
                    }
                    Err(_) => true,
                };
                Some((page, (in_flight, requested, total, done)))
            }
        })
    }

    /// [`Self::list_users`], one user at a time.
    pub fn all_users(&self, query: ListUsersQuery) -> impl Stream<Item = Result<User>> + Send + 'static {
        self.list_users(query).map_ok(|page| stream::iter(page.data.into_iter().map(Ok))).try_flatten()
    }

    /// All pages of `GET /users/{id}/plans`, following `lastKey` until it is absent.
    pub fn list_user_plans(
        &self,
        user_id: i64,
        query: UserPlansQuery,
    ) -> impl Stream<Item = Result<TokenPage<UserPlan>>> + Send + 'static {
        let client = self.clone();
        pages(None::<String>, move |last_key| {
            let (client, query) = (client.clone(), query.clone());
            async move {
                let result = client.list_user_plans_page(user_id, &query, last_key.as_deref()).await;
                let next = match &result {
                    Ok(page) => {
                        page.last_key.clone().filter(|key| !key.is_empty() && Some(key) != last_key.as_ref())
                    }
                    Err(_) => None,
                };
                (result, next.map(Some))
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
        let client = self.clone();
        pages(start, move |start| {
            let client = client.clone();
            async move {
                let request = EventsRequest { start, max_count, numeric_dates: false };
                let result = client.events_page_as::<E>(&request).await;
                let next = match &result {
                    Ok(page) if page.more_available => page
                        .next_stream_position
                        .clone()
                        .filter(|next| !matches!(&request.start, EventsStart::Position(sent) if sent == next))
                        .map(EventsStart::Position),
                    _ => None,
                };
                (result, next)
            }
        })
    }
}
