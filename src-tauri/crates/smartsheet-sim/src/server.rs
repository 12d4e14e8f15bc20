//! The HTTP server: routes under `/2.0`, the middleware that authenticates, rate-limits, injects
//! faults and finishes error bodies, and the `/__sim` control endpoints tests use (served only
//! with a secret; see `ControlAccess`).

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Router, ServiceExt};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::Layer;
use tower_http::compression::CompressionLayer;

use crate::config::{ControlAccess, FaultSpec, Region, SimConfig};
use crate::http::{ok, ApiError, ApiResult};
use crate::org::Tokens;
use crate::state::{Fault, Sim};
use crate::{events, users};

/// What the simulator prints once listening (one JSON line), and what `SimHandle` offers.
#[derive(Clone, Debug, Serialize)]
pub struct StartupInfo {
    pub base_url: String,
    pub region: Region,
    pub tokens: Tokens,
    pub users: usize,
    pub events: usize,
    /// The secret the control endpoints need (`X-Sim-Control-Secret`); absent when they are off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_secret: Option<String>,
}

async fn server_info() -> ApiResult {
    ok(&serde_json::json!({
        "formats": {
            "defaults": " ,,,,,,,,,,,,,,,,",
            "bold": ["none", "on"],
            "italic": ["none", "on"],
            "currency": [{ "code": "none", "symbol": "" }, { "code": "USD", "symbol": "$" }, { "code": "EUR", "symbol": "€" }],
            "dateFormat": ["LOCALE_BASED", "MMMM_D_YYYY", "MMM_D_YYYY", "D_MMM_YYYY", "YYYY_MM_DD_HYPHEN"],
        },
        "supportedLocales": ["de_DE", "en_AU", "en_CA", "en_GB", "en_US", "es_ES", "fr_FR", "it_IT", "ja_JP", "pt_BR"],
    }))
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// Authenticates the bearer token and takes one request from its rate-limit bucket.
async fn authenticate(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let Some(token) = token else { return ApiError::token_required().into_response() };
    let caller = match sim.authenticate(&token) {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = sim.rate_limit(&token) {
        return e.into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// Every answer carries the simulated clock as its `Date`, as Smartsheet's carry its own clock:
/// clients judge the dates in an answer against it.
async fn server_date(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let date = sim.now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

/// Turns `ApiError` markers into Smartsheet's JSON error body with a `refId`.
async fn finish_errors(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    match response.extensions().get::<ApiError>() {
        Some(err) => err.render(&sim.next_ref_id()),
        None => response,
    }
}

/// A body that sends `prefix` and then breaks the connection. With an empty prefix nothing at all
/// is sent; otherwise the prefix is given time to reach the client first.
fn broken_body(prefix: Bytes) -> Body {
    use futures::StreamExt;
    let sent = !prefix.is_empty();
    let head = futures::stream::iter((sent).then_some(Ok::<_, io::Error>(prefix)));
    let cut = futures::stream::once(async move {
        if sent {
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
        Err(io::Error::new(io::ErrorKind::ConnectionAborted, "simulated connection drop"))
    });
    Body::from_stream(head.chain(cut))
}

/// Whether a request asks for a change: POST, PUT and DELETE under `/2.0`.
fn is_write(req: &Request) -> bool {
    matches!(*req.method(), Method::POST | Method::PUT | Method::DELETE)
        && req.uri().path().starts_with("/2.0/")
}

/// Latency, dropped connections, cut-off bodies and injected errors, as `--faults` asks. Latency,
/// errors, 429s and drops come before the handler runs (a write is then not applied); a truncated
/// answer and the write-only faults come after (a write is then applied, its answer lost).
async fn inject_faults(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    sim.requests.fetch_add(1, Ordering::Relaxed);
    let (latency, fault) = sim.next_fault(is_write(&req));
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Fault::Pass => next.run(req).await,
        Fault::Fail(err) => err.render(&sim.next_ref_id()),
        // No answer at all: the body fails before its first byte, so the server closes the
        // connection without sending a response.
        Fault::Drop => Response::new(broken_body(Bytes::new())),
        Fault::Truncate => {
            let response = next.run(req).await;
            let (mut parts, body) = response.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
                return Response::from_parts(parts, Body::empty());
            };
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            Response::from_parts(parts, broken_body(bytes.slice(..bytes.len() / 2)))
        }
        // Only a write that succeeded loses its answer; a refusal changed nothing and is answered.
        Fault::LostWrite(err) => {
            let response = next.run(req).await;
            if response.status() == StatusCode::OK {
                err.render(&sim.next_ref_id())
            } else {
                response
            }
        }
        Fault::DropAfterWrite => {
            let response = next.run(req).await;
            if response.status() == StatusCode::OK {
                Response::new(broken_body(Bytes::new()))
            } else {
                response
            }
        }
    }
}

/// The request header that carries the control secret.
const CONTROL_SECRET_HEADER: &str = "x-sim-control-secret";

/// Compares in time that depends only on the lengths, never on where the first difference is.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    if expected.is_empty() || given.len() != expected.len() {
        return false;
    }
    let diff = given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(diff) == 0
}

/// Lets a control request through only without an `Origin` header (browsers send one with every
/// cross-origin POST) and with the secret in `X-Sim-Control-Secret`. Refusals are 403 with a short
/// plain-text reason that never contains the secret.
async fn control_guard(State(secret): State<Arc<str>>, req: Request, next: Next) -> Response {
    if req.headers().contains_key(header::ORIGIN) {
        return (
            StatusCode::FORBIDDEN,
            "control requests from a web page (with an Origin header) are refused\n",
        )
            .into_response();
    }
    let given = req.headers().get(CONTROL_SECRET_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
    if !same_secret(given, secret.as_bytes()) {
        return (
            StatusCode::FORBIDDEN,
            "control requests need the header X-Sim-Control-Secret with the control_secret from the startup line\n",
        )
            .into_response();
    }
    next.run(req).await
}

/// Refuses a control secret that cannot travel in a header as it is.
fn check_control(control: &ControlAccess) -> io::Result<()> {
    match control {
        ControlAccess::Secret(s) if s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic()) => {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the control secret must be non-empty visible ASCII without spaces",
            ))
        }
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
struct Advance {
    hours: Option<i64>,
    days: Option<i64>,
}

#[derive(Serialize)]
struct SimState {
    now: String,
    users: usize,
    events: usize,
    requests: u64,
}

fn sim_state(sim: &Sim) -> SimState {
    SimState {
        now: sim.now().to_rfc3339(),
        users: sim.org.read().users.iter().filter(|u| u.visible()).count(),
        events: sim.log.read().visible().len(),
        requests: sim.requests.load(Ordering::Relaxed),
    }
}

async fn control_state(State(sim): State<Arc<Sim>>) -> Response {
    axum::Json(sim_state(&sim)).into_response()
}

async fn control_advance(State(sim): State<Arc<Sim>>, Query(q): Query<Advance>) -> Response {
    let hours = q.hours.unwrap_or(0) + 24 * q.days.unwrap_or(0);
    if hours <= 0 {
        return (StatusCode::BAD_REQUEST, "give hours=N or days=N, more than 0").into_response();
    }
    let sim2 = sim.clone();
    match tokio::task::spawn_blocking(move || sim2.advance(Duration::hours(hours))).await {
        Ok(_) => axum::Json(sim_state(&sim)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn control_faults(State(sim): State<Arc<Sim>>, body: String) -> Response {
    match body.parse::<FaultSpec>() {
        Ok(spec) => {
            sim.set_faults(spec);
            StatusCode::OK.into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, e).into_response(),
    }
}

pub fn router(sim: Arc<Sim>) -> Router {
    let authed = Router::new()
        .route("/2.0/users", get(users::list))
        .route("/2.0/users/me", get(users::me))
        .route("/2.0/users/{id}", get(users::get).put(users::update).delete(users::remove))
        .route("/2.0/users/{id}/plans", get(users::plans))
        .route("/2.0/users/{id}/plans/{plan_id}", delete(users::remove_from_plan))
        .route("/2.0/users/{id}/plans/{plan_id}/upgrade", post(users::upgrade))
        .route("/2.0/users/{id}/plans/{plan_id}/downgrade", post(users::downgrade))
        .route("/2.0/users/{id}/deactivate", post(users::deactivate))
        .route("/2.0/users/{id}/reactivate", post(users::reactivate))
        .route("/2.0/events", get(events::list))
        .route_layer(middleware::from_fn_with_state(sim.clone(), authenticate));
    let api = Router::new()
        .route("/2.0/serverinfo", get(server_info))
        .merge(authed)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(sim.clone(), finish_errors))
        // Loopback is fast and pages of events are large: compress quickly rather than tightly.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        .layer(middleware::from_fn_with_state(sim.clone(), inject_faults))
        .layer(middleware::from_fn_with_state(sim.clone(), server_date));
    // Off: not mounted at all, so `/__sim/...` is an unknown path like any other.
    let Some(secret) = sim.config.control.secret().map(Arc::<str>::from) else {
        return api.with_state(sim);
    };
    let control = Router::new()
        .route("/__sim/state", get(control_state))
        .route("/__sim/clock/advance", post(control_advance))
        .route("/__sim/faults", post(control_faults))
        .route_layer(middleware::from_fn_with_state(secret, control_guard));
    control.merge(api).with_state(sim)
}

/// Accepts the base URL with or without a trailing slash: `/2.0//users/` is `/2.0/users`.
fn normalize_path(mut req: Request) -> Request {
    let path = req.uri().path();
    if path.contains("//") || (path.len() > 1 && path.ends_with('/')) {
        let mut clean = String::with_capacity(path.len());
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            clean.push('/');
            clean.push_str(segment);
        }
        if clean.is_empty() {
            clean.push('/');
        }
        if let Some(q) = req.uri().query() {
            clean.push('?');
            clean.push_str(q);
        }
        if let Ok(uri) = clean.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    info: StartupInfo,
    sim: Arc<Sim>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<io::Result<()>>>,
}

impl SimHandle {
    pub fn info(&self) -> &StartupInfo {
        &self.info
    }
    pub fn base_url(&self) -> &str {
        &self.info.base_url
    }
    pub fn tokens(&self) -> &Tokens {
        &self.info.tokens
    }
    /// The secret the control endpoints need, or `None` when they are off.
    pub fn control_secret(&self) -> Option<&str> {
        self.info.control_secret.as_deref()
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The simulator's state, for tests that look behind the API (seats after a write, say).
    pub fn sim(&self) -> &Arc<Sim> {
        &self.sim
    }
    /// Requests received under `/2.0` so far.
    pub fn requests(&self) -> u64 {
        self.sim.requests.load(Ordering::Relaxed)
    }
    pub fn set_faults(&self, spec: FaultSpec) {
        self.sim.set_faults(spec);
    }
    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
    /// Serves until the process is killed (the binary's mode).
    pub async fn wait(mut self) -> io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Generates the organization and starts serving it on loopback.
pub async fn spawn(config: SimConfig) -> io::Result<SimHandle> {
    spawn_with_events(config, None).await
}

/// As `spawn`, aiming the generated history at about `events` events.
pub async fn spawn_with_events(config: SimConfig, events: Option<u64>) -> io::Result<SimHandle> {
    check_control(&config.control)?;
    let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let sim = Arc::new(
        tokio::task::spawn_blocking(move || Sim::new(config, events)).await.map_err(io::Error::other)?,
    );
    let info = {
        let org = sim.org.read();
        StartupInfo {
            base_url: format!("http://{addr}/2.0"),
            region: sim.config.region,
            tokens: org.tokens.clone(),
            users: org.users.iter().filter(|u| u.visible()).count(),
            events: sim.log.read().visible().len(),
            control_secret: sim.config.control.secret().map(str::to_owned),
        }
    };
    let app = tower::util::MapRequestLayer::new(normalize_path).layer(router(sim.clone()));
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service())
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(SimHandle { info, sim, addr, shutdown: Some(tx), task: Some(task) })
}
