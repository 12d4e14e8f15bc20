//! The client: configuration, transport, retries, rate limiting and the single-request calls.

use std::fmt;
use std::io::Write as _;
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use flate2::write::GzDecoder;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use url::{Host, Url};

use super::error::{parse_retry_after, Result, SmartsheetError};
use super::models::{
    EventPage, IndexResult, ServerInfo, TokenPage, User, UserPlan, UserProfile, WriteResult,
};
use super::requests::{
    DowngradeSeat, EventsRequest, ListUsersQuery, QueryPairs, RemoveUserOptions, UpgradeSeat, UserPlansQuery,
    UserUpdate,
};
use super::token::{ApiToken, TokenError};

/// API base URLs of the Smartsheet regions. A token only works in its own region.
pub const BASE_URL_US: &str = "https://api.smartsheet.com/2.0";
pub const BASE_URL_EU: &str = "https://api.smartsheet.eu/2.0";
pub const BASE_URL_AU: &str = "https://api.smartsheet.au/2.0";
pub const BASE_URL_GOV: &str = "https://api.smartsheetgov.com/2.0";

/// `TYPE,OrgName,SourceName`, as Smartsheet asks integrations to identify themselves.
const INTEGRATION_SOURCE: &str = "APPLICATION,Seatkeeper,Seatkeeper";

/// How the client talks to Smartsheet.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The regional API base, e.g. [`BASE_URL_US`]; with or without a trailing slash. Must be
    /// `https`, except on loopback (a local simulator).
    pub base_url: Url,
    pub token: ApiToken,
    /// Limit for one attempt, from connecting to the end of the answer.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout: Duration,
    /// Limit for one call in all: every attempt, and the waits between them.
    pub deadline: Duration,
    /// The largest answer read, as sent (compressed or not).
    pub max_compressed_bytes: usize,
    /// The largest answer read, unpacked.
    pub max_body_bytes: usize,
    /// Client-side limit, awaited before every attempt (retries included); `None` = off.
    /// Smartsheet allows 300 requests per minute per token.
    pub rate_limit_per_minute: Option<NonZeroU32>,
    pub retry: RetryPolicy,
    /// Pages of a numbered list (`GET /users`) requested at once once the first page told how many
    /// there are. Reads only; the rate limit still paces every request. `1` = one after another.
    pub read_concurrency: NonZeroUsize,
    pub user_agent: String,
}

impl ClientConfig {
    /// Defaults: 60 s per attempt, 15 s to connect, 30 s between bytes, 20 minutes per call
    /// (retries included), answers of at most 32 MiB as sent and 128 MiB unpacked (a full page of
    /// 10,000 events is about 5 MiB unpacked), 300 requests per minute, [`RetryPolicy::default`],
    /// 4 pages read at once, `User-Agent: Seatkeeper/<version>`.
    pub fn new(base_url: Url, token: ApiToken) -> Self {
        Self {
            base_url,
            token,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(20 * 60),
            max_compressed_bytes: 32 << 20,
            max_body_bytes: 128 << 20,
            rate_limit_per_minute: NonZeroU32::new(300),
            retry: RetryPolicy::default(),
            read_concurrency: NonZeroUsize::new(4).expect("4 is not zero"),
            user_agent: concat!("Seatkeeper/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Exponential backoff with jitter for retryable failures (rate limiting, Smartsheet errors
/// 4001/4002/4004, transport failures of idempotent requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; `0` never retries.
    pub max_retries: usize,
    /// First backoff; each further one doubles, and jitter adds up to the same again.
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` that is waited out in place. A longer one ends the retries and
    /// surfaces [`SmartsheetError::RateLimited`] with the requested wait.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
    }
}

/// Counters since the client was built (shared by its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP attempts sent, retries included.
    pub requests: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Answers that said Smartsheet was limiting requests.
    pub rate_limited: u64,
}

/// A typed Smartsheet API client. Cheap to clone; clones share the connection pool, the rate
/// limiter and the counters.
#[derive(Clone)]
pub struct SmartsheetClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    /// `host[:port]`, for messages.
    host: String,
    /// `Bearer …`, marked sensitive so that it is never logged.
    auth: HeaderValue,
    limiter: Option<DefaultDirectRateLimiter>,
    retry: RetryPolicy,
    deadline: Duration,
    max_compressed_bytes: usize,
    max_body_bytes: usize,
    read_concurrency: NonZeroUsize,
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
}

/// One call, as data, so that it can be attempted repeatedly.
struct Request {
    method: Method,
    /// Relative to the base URL, no leading slash.
    path: String,
    query: QueryPairs,
    body: Option<Value>,
    authenticated: bool,
    /// Whether repeating it after a transport failure is harmless.
    idempotent: bool,
    /// Shown the start of a success body as it arrives, until it returns true.
    on_prefix: Option<PrefixHook>,
}

/// See [`SmartsheetClient::events_page_body`].
pub(super) type PrefixHook = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

impl Request {
    fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path, true)
    }

    fn new(method: Method, path: impl Into<String>, idempotent: bool) -> Self {
        Self {
            method,
            path: path.into(),
            query: QueryPairs::new(),
            body: None,
            authenticated: true,
            idempotent,
            on_prefix: None,
        }
    }

    fn query(self, query: QueryPairs) -> Self {
        Self { query, ..self }
    }

    fn body(self, body: Value) -> Self {
        Self { body: Some(body), ..self }
    }
}

/// A failed attempt, with the server's `Retry-After` for the backoff.
struct Failure {
    error: SmartsheetError,
    retry_after: Option<Duration>,
}

impl From<SmartsheetError> for Failure {
    fn from(error: SmartsheetError) -> Self {
        Self { error, retry_after: None }
    }
}

impl SmartsheetClient {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let (base, host) = normalize_base_url(config.base_url)?;
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.expose()))
            .map_err(|_| TokenError::InvalidCharacters)?;
        auth.set_sensitive(true);

        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        // Unpacked here, not by reqwest, so that both the packed and the unpacked size are bounded.
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert("smartsheet-integration-source", HeaderValue::from_static(INTEGRATION_SOURCE));
        let mut http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(config.user_agent)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(false);
        if is_loopback(&base) {
            // A simulator on this computer: never through a proxy, which would see the token in
            // plain http. Real hosts keep the system's proxy (corporate networks need it).
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| SmartsheetError::network(&host, e))?;

        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                host,
                auth,
                limiter: config.rate_limit_per_minute.map(|n| RateLimiter::direct(Quota::per_minute(n))),
                retry: config.retry,
                deadline: config.deadline,
                max_compressed_bytes: config.max_compressed_bytes,
                max_body_bytes: config.max_body_bytes,
                read_concurrency: config.read_concurrency,
                requests: AtomicU64::new(0),
                retries: AtomicU64::new(0),
                rate_limited: AtomicU64::new(0),
            }),
        })
    }

    /// [`ClientConfig::read_concurrency`].
    pub(super) fn read_concurrency(&self) -> usize {
        self.inner.read_concurrency.get()
    }

    /// The normalized base URL (always ending in `/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub fn stats(&self) -> ClientStats {
        let inner = &self.inner;
        ClientStats {
            requests: inner.requests.load(Relaxed),
            retries: inner.retries.load(Relaxed),
            rate_limited: inner.rate_limited.load(Relaxed),
        }
    }

    /// `GET /serverinfo`, without the token: proves that the base URL reaches Smartsheet.
    pub async fn server_info(&self) -> Result<ServerInfo> {
        self.send(Request { authenticated: false, ..Request::get("serverinfo") }).await
    }

    /// `GET /users/me`: the token's owner. Check [`UserProfile::is_system_admin`].
    pub async fn current_user(&self) -> Result<UserProfile> {
        self.send(Request::get("users/me")).await
    }

    /// `GET /users/{id}`.
    pub async fn get_user(&self, user_id: i64) -> Result<UserProfile> {
        self.send(Request::get(format!("users/{user_id}"))).await
    }

    /// `GET /users`, one page (`page` starts at 1). See [`Self::list_users`] for all pages.
    pub async fn list_users_page(
        &self,
        query: &ListUsersQuery,
        page: u32,
        page_size: u32,
    ) -> Result<IndexResult<User>> {
        // A user that cannot be read is left out and listed in `skipped`, not a failed page.
        let answer = self.send_raw(Request::get("users").query(query.pairs(page, page_size))).await?;
        let mut page = super::lenient::decode_index(&answer.body, "GET /users")?;
        page.server_time = answer.server_time;
        Ok(page)
    }

    /// `GET /users/{id}/plans`, one page. See [`Self::list_user_plans`] for all pages.
    pub async fn list_user_plans_page(
        &self,
        user_id: i64,
        query: &UserPlansQuery,
        last_key: Option<&str>,
    ) -> Result<TokenPage<UserPlan>> {
        self.send(Request::get(format!("users/{user_id}/plans")).query(query.pairs(last_key))).await
    }

    /// `POST /users/{id}/plans/{planId}/upgrade`. Idempotent: upgrading to the current seat succeeds.
    pub async fn upgrade_user(&self, user_id: i64, plan_id: i64, seat: UpgradeSeat) -> Result<WriteResult> {
        let path = format!("users/{user_id}/plans/{plan_id}/upgrade");
        self.send(Request::new(Method::POST, path, true).body(json!({ "seatType": seat }))).await
    }

    /// `POST /users/{id}/plans/{planId}/downgrade`: releases a paid USM seat. Idempotent.
    pub async fn downgrade_user(
        &self,
        user_id: i64,
        plan_id: i64,
        seat: DowngradeSeat,
    ) -> Result<WriteResult> {
        let path = format!("users/{user_id}/plans/{plan_id}/downgrade");
        self.send(Request::new(Method::POST, path, true).body(json!({ "seatType": seat }))).await
    }

    /// `PUT /users/{id}`, e.g. `licensedSheetCreator: false` to free a legacy license.
    pub async fn update_user(&self, user_id: i64, update: &UserUpdate) -> Result<WriteResult> {
        self.send(Request::new(Method::PUT, format!("users/{user_id}"), true).body(json!(update))).await
    }

    /// `POST /users/{id}/deactivate`. Reversible for 30 days; not available on Smartsheet Gov.
    pub async fn deactivate_user(&self, user_id: i64) -> Result<WriteResult> {
        self.send(Request::new(Method::POST, format!("users/{user_id}/deactivate"), false)).await
    }

    /// `POST /users/{id}/reactivate`.
    pub async fn reactivate_user(&self, user_id: i64) -> Result<WriteResult> {
        self.send(Request::new(Method::POST, format!("users/{user_id}/reactivate"), false)).await
    }

    /// `DELETE /users/{id}`: removes the user from the organization. Irreversible.
    pub async fn remove_user(&self, user_id: i64, options: &RemoveUserOptions) -> Result<WriteResult> {
        let request = Request::new(Method::DELETE, format!("users/{user_id}"), false).query(options.pairs());
        self.send(request).await
    }

    /// `DELETE /users/{id}/plans/{planId}`. Irreversible.
    pub async fn remove_user_from_plan(&self, user_id: i64, plan_id: i64) -> Result<WriteResult> {
        self.send(Request::new(Method::DELETE, format!("users/{user_id}/plans/{plan_id}"), false)).await
    }

    /// `GET /events`, one page. See [`Self::event_stream`] to follow the stream.
    pub async fn events_page(&self, request: &EventsRequest) -> Result<EventPage> {
        self.events_page_as(request).await
    }

    /// [`Self::events_page`] with the events read as `E`.
    pub async fn events_page_as<E: DeserializeOwned>(&self, request: &EventsRequest) -> Result<EventPage<E>> {
        let answer = self.send_raw(Request::get("events").query(request.pairs())).await?;
        let mut page: EventPage<E> = decode(&answer.body, "GET /events")?;
        page.server_time = answer.server_time;
        Ok(page)
    }

    async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        let endpoint = format!("{} /{}", request.method, request.path);
        let answer = self.send_raw(request).await?;
        decode(&answer.body, &endpoint)
    }

    /// [`Self::events_page_as`] before decoding: the success body of `GET /events`. `on_prefix` is
    /// shown the body received so far after each chunk of a success answer, until it returns true
    /// (so that the next page can be asked for before this one has fully arrived).
    pub(super) async fn events_page_body(
        &self,
        request: &EventsRequest,
        on_prefix: PrefixHook,
    ) -> Result<Answer> {
        let request = Request { on_prefix: Some(on_prefix), ..Request::get("events").query(request.pairs()) };
        self.send_raw(request).await
    }

    /// Sends `request` (with the rate limit and retries) and returns its success answer. The call
    /// ends with [`SmartsheetError::Deadline`] once [`ClientConfig::deadline`] has passed, however
    /// many attempts and waits it took.
    async fn send_raw(&self, request: Request) -> Result<Answer> {
        let inner = &*self.inner;
        let mut url = inner
            .base
            .join(&request.path)
            .map_err(|e| SmartsheetError::InvalidUrl { reason: e.to_string() })?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        let endpoint = format!("{} /{}", request.method, request.path);
        let policy = inner.retry;

        let call = (|| inner.attempt(&request, &url, &endpoint))
            .retry(policy.backoff())
            .sleep(tokio::time::sleep)
            .when(|failure: &Failure| {
                failure.error.is_retryable() && (request.idempotent || !failure.error.may_have_been_processed())
            })
            .adjust(|failure, backoff| match (backoff, failure.retry_after) {
                (None, _) => None,
                (Some(_), Some(wait)) if wait > policy.max_retry_after => None,
                (Some(backoff), Some(wait)) => Some(backoff.max(wait)),
                (Some(backoff), None) => Some(backoff),
            })
            .notify(|failure, delay| {
                inner.retries.fetch_add(1, Relaxed);
                tracing::warn!(%endpoint, delay_ms = delay.as_millis() as u64, error = %failure.error, "retrying Smartsheet request");
            });
        match tokio::time::timeout(inner.deadline, call).await {
            Ok(answer) => answer.map_err(|failure| failure.error),
            Err(_) => Err(SmartsheetError::Deadline { endpoint, limit: inner.deadline }),
        }
    }
}

/// A success answer: its body (unpacked) and the server's clock when it answered.
pub(super) struct Answer {
    pub body: Bytes,
    pub server_time: Option<DateTime<Utc>>,
}

impl Inner {
    async fn attempt(&self, request: &Request, url: &Url, endpoint: &str) -> Result<Answer, Failure> {
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        self.requests.fetch_add(1, Relaxed);

        let mut builder = self.http.request(request.method.clone(), url.clone());
        if request.authenticated {
            builder = builder.header(header::AUTHORIZATION, self.auth.clone());
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder.send().await.map_err(|e| SmartsheetError::network(&self.host, e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let server_time = response
            .headers()
            .get(header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| httpdate::parse_http_date(value).ok())
            .map(DateTime::<Utc>::from);
        let hook = request.on_prefix.as_ref().filter(|_| status.is_success());
        let body = self.read_body(response, endpoint, hook).await?;
        tracing::debug!(endpoint, status = status.as_u16(), bytes = body.len(), "Smartsheet answered");

        if status.is_success() {
            return Ok(Answer { body, server_time });
        }
        let error = SmartsheetError::from_response(status, &body, retry_after, &self.host, endpoint);
        if matches!(error, SmartsheetError::RateLimited { .. }) {
            self.rate_limited.fetch_add(1, Relaxed);
        }
        Err(Failure { error, retry_after })
    }

    /// Reads an answer's body as it arrives, unpacking gzip, and stops with
    /// [`SmartsheetError::TooLarge`] as soon as it is larger than allowed, as sent or unpacked —
    /// so that a small answer that unpacks to gigabytes never reaches memory. `hook` is shown the
    /// unpacked body so far after each piece, until it returns true.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        endpoint: &str,
        hook: Option<&PrefixHook>,
    ) -> Result<Bytes, SmartsheetError> {
        let too_large = |compressed: bool| SmartsheetError::TooLarge {
            endpoint: endpoint.to_owned(),
            limit: if compressed { self.max_compressed_bytes } else { self.max_body_bytes },
            compressed,
        };
        let gzip = match response.headers().get(header::CONTENT_ENCODING).map(HeaderValue::as_bytes) {
            None => false,
            Some(v) if v.eq_ignore_ascii_case(b"identity") => false,
            Some(v) if v.eq_ignore_ascii_case(b"gzip") => true,
            Some(v) => {
                return Err(SmartsheetError::Decode {
                    endpoint: endpoint.to_owned(),
                    detail: format!(
                        "the answer is packed as “{}”, which Seatkeeper did not ask for",
                        crate::server_text::cap(&String::from_utf8_lossy(v), 40)
                    ),
                })
            }
        };
        if response.content_length().is_some_and(|n| n > self.max_compressed_bytes as u64) {
            return Err(too_large(true));
        }
        let capped = Capped { data: Vec::new(), max: self.max_body_bytes, exceeded: false };
        let mut sink = if gzip { Sink::Gzip(Box::new(GzDecoder::new(capped))) } else { Sink::Plain(capped) };
        let mut received = 0_usize;
        let mut watching = hook.is_some();
        while let Some(chunk) = response.chunk().await.map_err(|e| SmartsheetError::network(&self.host, e))? {
            received += chunk.len();
            if received > self.max_compressed_bytes {
                return Err(too_large(true));
            }
            if let Err(e) = sink.write(&chunk) {
                return Err(if sink.exceeded() { too_large(false) } else { unreadable_gzip(endpoint, &e) });
            }
            if let Some(hook) = hook.filter(|_| watching) {
                watching = !hook(sink.so_far());
            }
        }
        if received == 0 {
            // No body at all (a 204, or an error without one) is not a gzip stream.
            return Ok(Bytes::new());
        }
        sink.finish().map(Bytes::from).map_err(|e| unreadable_gzip(endpoint, &e))
    }
}

fn unreadable_gzip(endpoint: &str, error: &std::io::Error) -> SmartsheetError {
    SmartsheetError::Decode {
        endpoint: endpoint.to_owned(),
        detail: format!("the answer could not be unpacked (gzip: {error})"),
    }
}

/// Collects an unpacked body, refusing to grow past `max`.
struct Capped {
    data: Vec<u8>,
    max: usize,
    exceeded: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.data.len() + buf.len() > self.max {
            self.exceeded = true;
            return Err(std::io::Error::other("the answer is too large"));
        }
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the pieces of a body go: as they are, or through a gzip decoder.
enum Sink {
    Plain(Capped),
    Gzip(Box<GzDecoder<Capped>>),
}

impl Sink {
    fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Plain(capped) => capped.write_all(chunk),
            Self::Gzip(decoder) => {
                decoder.write_all(chunk)?;
                // Everything unpacked so far, for the hook (and for the size check).
                decoder.flush()
            }
        }
    }

    fn exceeded(&self) -> bool {
        match self {
            Self::Plain(capped) => capped.exceeded,
            Self::Gzip(decoder) => decoder.get_ref().exceeded,
        }
    }

    fn so_far(&self) -> &[u8] {
        match self {
            Self::Plain(capped) => &capped.data,
            Self::Gzip(decoder) => &decoder.get_ref().data,
        }
    }

    fn finish(self) -> std::io::Result<Vec<u8>> {
        match self {
            Self::Plain(capped) => Ok(capped.data),
            Self::Gzip(decoder) => (*decoder).finish().map(|capped| capped.data),
        }
    }
}

/// Whether `url` is on this computer (localhost, 127.0.0.0/8, ::1).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Reads a success body, naming the field that could not be read. The fast path decodes directly;
/// only a body that fails is decoded again with path tracking, for the message.
pub(super) fn decode<T: DeserializeOwned>(body: &[u8], endpoint: &str) -> Result<T> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let fail = |path: String, error: serde_json::Error| {
        // serde quotes the value it could not read, which may be of any length.
        let error = crate::server_text::cap(&error.to_string(), crate::server_text::MAX_MESSAGE);
        let path = crate::server_text::cap(&path, crate::server_text::MAX_NAME);
        let detail = if path == "." { error } else { format!("field `{path}`: {error}") };
        SmartsheetError::Decode { endpoint: endpoint.to_owned(), detail }
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| fail(e.path().to_string(), e.into_inner()))?;
    deserializer.end().map_err(|e| fail(".".into(), e))?;
    Ok(value)
}

/// Checks the base URL and makes sure it ends in `/`, so that relative paths join below it.
/// Returns it with `host[:port]` for messages.
fn normalize_base_url(mut url: Url) -> Result<(Url, String)> {
    let invalid = |reason: &str| Err(SmartsheetError::InvalidUrl { reason: reason.to_owned() });
    if url.host().is_none() {
        return invalid("it has no host name");
    }
    let loopback = is_loopback(&url);
    if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
        return invalid("it must start with https://");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return invalid("it must not contain a user name or password");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return invalid("it must not contain '?' or '#'");
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    Ok((url, host))
}

impl fmt::Debug for SmartsheetClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartsheetClient")
            .field("base_url", &self.inner.base.as_str())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(url: &str) -> Result<String> {
        normalize_base_url(Url::parse(url).unwrap()).map(|(u, host)| format!("{u} {host}"))
    }

    #[test]
    fn base_url_normalization() {
        assert_eq!(normalized(BASE_URL_US).unwrap(), "https://api.smartsheet.com/2.0/ api.smartsheet.com");
        assert_eq!(
            normalized("https://api.smartsheet.eu/2.0/").unwrap(),
            "https://api.smartsheet.eu/2.0/ api.smartsheet.eu"
        );
        assert_eq!(
            normalized("http://127.0.0.1:8082/2.0").unwrap(),
            "http://127.0.0.1:8082/2.0/ 127.0.0.1:8082"
        );
        assert_eq!(normalized("http://localhost:9/2.0").unwrap(), "http://localhost:9/2.0/ localhost:9");
        assert_eq!(normalized("http://[::1]:9/2.0").unwrap(), "http://[::1]:9/2.0/ [::1]:9");
        for (bad, why) in [
            ("http://api.smartsheet.com/2.0", "https://"),
            ("ftp://api.smartsheet.com/2.0", "https://"),
            ("https://user:pw@api.smartsheet.com/2.0", "user name or password"),
            ("https://api.smartsheet.com/2.0?x=1", "'?'"),
            ("https://api.smartsheet.com/2.0#x", "'#'"),
            ("mailto:admin@example.com", "no host"),
        ] {
            let err = normalized(bad).unwrap_err();
            assert!(matches!(err, SmartsheetError::InvalidUrl { .. }), "{bad}");
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn decode_errors_name_the_endpoint_and_field_but_not_the_body() {
        let body = br#"{"pageNumber":1,"totalPages":1,"totalCount":1,"data":[{"id":1,"email":"private@x.example","lastLogin":"yesterday"}]}"#;
        let err = decode::<IndexResult<User>>(body, "GET /users").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("GET /users") && text.contains("`data[0].lastLogin`") && text.contains("yesterday"),
            "{text}"
        );
        assert!(!text.contains("private@x.example"));

        let err = decode::<UserProfile>(b"<html>", "GET /users/me").unwrap_err().to_string();
        assert!(err.contains("GET /users/me: expected value"), "{err}");
        assert!(decode::<ServerInfo>(b"{} trailing", "GET /serverinfo").is_err());
        assert!(decode::<ServerInfo>(b"{}", "GET /serverinfo").is_ok());
    }

    #[test]
    fn debug_output_never_contains_the_token() {
        let token = ApiToken::new("ll352u9jujauoqz4gstvsae05Xz1a2b").unwrap();
        let config = ClientConfig::new(Url::parse(BASE_URL_US).unwrap(), token);
        let client = SmartsheetClient::new(config.clone()).unwrap();
        let printed = format!("{config:?} {client:?} {:?}", client.inner.auth);
        assert!(!printed.contains("ll352u9jujauoqz4gstvsae05Xz"), "{printed}");
        assert!(printed.contains("…1a2b"));
    }
}
