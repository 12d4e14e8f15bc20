//! Reading answers whose items may be individually unreadable (a field missing, an odd date):
//! one bad item must not fail a whole page — and with it every later run at the same place. The
//! whole answer is decoded first (the fast path); only if that fails is it read again one item at
//! a time, the unreadable items left out and reported.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::client::decode;
use super::error::Result;
use super::models::{EventPage, IndexResult, SkippedEvents, SkippedItem};
use crate::server_text::{cap, MAX_MESSAGE, MAX_NAME};

/// Decodes a page of events. A page with events that cannot be read as `E` (a field missing, an
/// odd date) is read again one event at a time: the unreadable ones are left out and counted in
/// [`EventPage::skipped`], so one bad event never blocks the stream. Only an answer that is not a
/// page at all is an error.
pub(super) fn decode_events<E: DeserializeOwned>(body: &[u8]) -> Result<EventPage<E>> {
    const ENDPOINT: &str = "GET /events";
    let whole = decode::<EventPage<E>>(body, ENDPOINT);
    if whole.is_ok() {
        return whole;
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct RawPage<'a> {
        next_stream_position: Option<String>,
        #[serde(default)]
        more_available: bool,
        #[serde(default, borrow)]
        data: Vec<&'a RawValue>,
    }
    let Ok(raw) = serde_json::from_slice::<RawPage<'_>>(body) else { return whole };
    let mut data = Vec::with_capacity(raw.data.len());
    let mut skipped: Option<SkippedEvents> = None;
    for event in raw.data {
        match decode::<E>(event.get().as_bytes(), ENDPOINT) {
            Ok(event) => data.push(event),
            Err(e) => match &mut skipped {
                Some(s) => s.count += 1,
                None => {
                    skipped =
                        Some(SkippedEvents { count: 1, first_problem: cap(&e.to_string(), MAX_MESSAGE) })
                }
            },
        }
    }
    Ok(EventPage {
        next_stream_position: raw.next_stream_position,
        more_available: raw.more_available,
        data,
        skipped,
        server_time: None,
    })
}

/// Decodes a page of an offset-paged list. A page with items that cannot be read as `T` is read
/// again one item at a time: the unreadable ones are left out and listed in
/// [`IndexResult::skipped`], with their `id` and `email` where those can still be read. Only an
/// answer that is not such a page at all is an error.
pub(super) fn decode_index<T: DeserializeOwned>(body: &[u8], endpoint: &str) -> Result<IndexResult<T>> {
    let whole = decode::<IndexResult<T>>(body, endpoint);
    if whole.is_ok() {
        return whole;
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct RawIndex<'a> {
        page_number: u32,
        page_size: Option<u32>,
        total_pages: u32,
        total_count: u64,
        #[serde(default, borrow)]
        data: Vec<&'a RawValue>,
    }
    /// What can be made out of an item that is not a whole `T`.
    #[derive(Deserialize, Default)]
    struct Identity {
        id: Option<i64>,
        email: Option<String>,
    }
    let Ok(raw) = serde_json::from_slice::<RawIndex<'_>>(body) else { return whole };
    let mut data = Vec::with_capacity(raw.data.len());
    let mut skipped = Vec::new();
    for item in raw.data {
        match decode::<T>(item.get().as_bytes(), endpoint) {
            Ok(item) => data.push(item),
            Err(e) => {
                let Identity { id, email } = serde_json::from_str(item.get()).unwrap_or_default();
                let email = email.map(|e| cap(&e, MAX_NAME));
                skipped.push(SkippedItem { id, email, problem: cap(&e.to_string(), MAX_MESSAGE) });
            }
        }
    }
    Ok(IndexResult {
        page_number: raw.page_number,
        page_size: raw.page_size,
        total_pages: raw.total_pages,
        total_count: raw.total_count,
        data,
        skipped,
        server_time: None,
    })
}
