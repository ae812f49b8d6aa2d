//! Signed HTTP ingress: Slack's three request URLs and `/healthz`.
//!
//! Order of checks: body size (413), signature and freshness (401, nothing else happens), content type (415), then
//! parsing (400), then the dispatcher. Refused requests are counted by reason ([`Refusals`]): the first of each
//! reason is logged at once with its path, later ones as one summary line a minute, so a flood of bad requests
//! cannot flood the log. Nothing about a refused request is logged beyond its path, the reason and, for a
//! malformed one, a short escaped prefix of what was wrong ([`super::payload::echo`]).

use super::payload::{EventsBody, Inbound, Interaction, Malformed, SlashCommand, echo};
use crate::context::App;
use crate::inbound::dispatch::{DispatchError, dispatch};
use crate::inbound::reply::Reply;
use crate::inbound::signature::{self, SignatureError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Slack's bodies are small; anything over 1 MiB is refused with 413 before it is read further.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How often refused requests are summarised in the log.
pub const REFUSAL_SUMMARY_INTERVAL: Duration = Duration::from_secs(60);

pub fn router(app: App) -> Router {
    router_with(app, Refusals::new(REFUSAL_SUMMARY_INTERVAL))
}

/// [`router`] with its own refusal counter (tests pass a short summary interval).
pub fn router_with(app: App, refusals: Refusals) -> Router {
    let http_ingress = app.config().signing_secret().is_some();
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics));
    if http_ingress {
        router = router
            .route("/slack/events", post(events))
            .route("/slack/commands", post(commands))
            .route("/slack/interactions", post(interactions));
    }
    let state = Ingress { app, refusals };
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_request,
        ))
        .with_state(state)
}

#[derive(Clone)]
struct Ingress {
    app: App,
    refusals: Refusals,
}

/// Why a request was refused, as counted and logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `X-Slack-Request-Timestamp` or `X-Slack-Signature` (401).
    MissingSignature,
    /// The timestamp is not a number (401).
    BadTimestamp,
    /// The timestamp is more than five minutes away (401).
    Stale,
    /// The signature does not match the body (401).
    BadSignature,
    /// The body is over [`MAX_BODY_BYTES`] (413).
    TooLarge,
    /// Signed, but not the content type Slack sends to this URL (415).
    WrongContentType,
    /// Signed, but not a body Tandem understands (400).
    Malformed,
}

impl Refusal {
    pub const ALL: [Refusal; 7] = [
        Refusal::MissingSignature,
        Refusal::BadTimestamp,
        Refusal::Stale,
        Refusal::BadSignature,
        Refusal::TooLarge,
        Refusal::WrongContentType,
        Refusal::Malformed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::MissingSignature => "missing_signature",
            Refusal::BadTimestamp => "bad_timestamp",
            Refusal::Stale => "stale",
            Refusal::BadSignature => "bad_signature",
            Refusal::TooLarge => "too_large",
            Refusal::WrongContentType => "wrong_content_type",
            Refusal::Malformed => "malformed",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl From<&SignatureError> for Refusal {
    fn from(e: &SignatureError) -> Self {
        match e {
            SignatureError::Missing => Refusal::MissingSignature,
            SignatureError::BadTimestamp => Refusal::BadTimestamp,
            SignatureError::Stale => Refusal::Stale,
            SignatureError::Mismatch => Refusal::BadSignature,
        }
    }
}

const REASONS: usize = Refusal::ALL.len();

/// Counts refused requests by reason and keeps their logging bounded.
///
/// The first refusal of each reason is logged at once (with its path and detail); the ones after it are only
/// counted, and a task reports the counts in one line per interval while they keep coming. After a whole interval
/// without refusals the task stops, and the next refusal of each reason is logged at once again. So whatever
/// arrives, the log gets at most one line per reason plus one summary line per interval.
#[derive(Clone)]
pub struct Refusals(Arc<Counts>);

struct Counts {
    interval: Duration,
    /// Every refusal since start.
    total: [AtomicU64; REASONS],
    /// Refusals not yet logged, for the next summary.
    pending: [AtomicU64; REASONS],
    /// Whether a refusal of this reason was logged since the last quiet interval.
    announced: [AtomicBool; REASONS],
    /// Whether the summary task runs.
    summarising: AtomicBool,
}

impl Refusals {
    pub fn new(summary_interval: Duration) -> Self {
        Refusals(Arc::new(Counts {
            interval: summary_interval,
            total: Default::default(),
            pending: Default::default(),
            announced: Default::default(),
            summarising: AtomicBool::new(false),
        }))
    }

    /// Refusals of this reason since start.
    pub fn total(&self, reason: Refusal) -> u64 {
        self.0.total[reason.index()].load(Ordering::Relaxed)
    }

    /// Counts one refusal; logs it if it is the first of its reason for a while. `detail` must already be safe to
    /// log (short, escaped).
    pub fn record(&self, reason: Refusal, path: &str, detail: &str) {
        let i = reason.index();
        self.0.total[i].fetch_add(1, Ordering::Relaxed);
        if self.0.announced[i].swap(true, Ordering::AcqRel) {
            self.0.pending[i].fetch_add(1, Ordering::AcqRel);
        } else {
            tracing::warn!(
                path,
                reason = reason.as_str(),
                detail = %detail,
                "refused a request; more refusals are counted and summarised every {}s",
                self.0.interval.as_secs_f64()
            );
        }
        self.summarise_soon();
    }

    /// Starts the summary task unless it runs (or there is no runtime to run it on, as in a plain unit test).
    fn summarise_soon(&self) {
        if self.0.summarising.swap(true, Ordering::AcqRel) {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(self.clone().summarise());
            }
            Err(_) => self.0.summarising.store(false, Ordering::Release),
        }
    }

    async fn summarise(self) {
        let counts = &self.0;
        loop {
            tokio::time::sleep(counts.interval).await;
            if let Some(line) = self.take_pending() {
                tracing::warn!(
                    counts = %line,
                    "refused requests in the last {}s",
                    counts.interval.as_secs_f64()
                );
                continue;
            }
            // A quiet interval: the next refusal of each reason is worth a line of its own again.
            for a in &counts.announced {
                a.store(false, Ordering::Release);
            }
            counts.summarising.store(false, Ordering::Release);
            // A refusal counted after `take_pending` saw the task running and left its count to it.
            let late = counts.pending.iter().any(|p| p.load(Ordering::Acquire) > 0);
            // Go on with them, unless another refusal has started a new task meanwhile.
            if late && !counts.summarising.swap(true, Ordering::AcqRel) {
                continue;
            }
            return;
        }
    }

    /// The counts since the last summary as `reason=n …`, zeroing them; `None` when there were none.
    fn take_pending(&self) -> Option<String> {
        let parts: Vec<String> = Refusal::ALL
            .iter()
            .filter_map(|r| {
                let n = self.0.pending[r.index()].swap(0, Ordering::AcqRel);
                (n > 0).then(|| format!("{}={n}", r.as_str()))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// Counts every answered request by route (the matched path, never the raw URL) and status.
async fn count_request(
    State(ingress): State<Ingress>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let response = next.run(request).await;
    ingress
        .app
        .metrics()
        .http_request(&route, response.status().as_u16());
    response
}

/// `/metrics`: the Prometheus text exposition (no names, IDs or text in any label).
async fn metrics(State(ingress): State<Ingress>) -> Response {
    let app = &ingress.app;
    let now = app.now();
    let (depth, oldest) = app.store().due_queue(now).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read the job queue for /metrics");
        (0, None)
    });
    let body = app
        .metrics()
        .render(depth, oldest.map_or(0, |due| now - due));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

async fn healthz(State(ingress): State<Ingress>) -> Response {
    if ingress.app.store().ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Slack's three request URLs: where each is, what it is sent as, how its body is read.
#[derive(Clone, Copy)]
enum Route {
    Events,
    Commands,
    Interactions,
}

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

impl Route {
    fn path(self) -> &'static str {
        match self {
            Route::Events => "/slack/events",
            Route::Commands => "/slack/commands",
            Route::Interactions => "/slack/interactions",
        }
    }

    /// The media type Slack posts to this URL.
    fn media_type(self) -> &'static str {
        match self {
            Route::Events => JSON,
            Route::Commands | Route::Interactions => FORM,
        }
    }

    fn parse(self, body: &[u8]) -> Result<Inbound, Malformed> {
        match self {
            Route::Events => EventsBody::from_bytes(body).map(Inbound::Events),
            Route::Commands => SlashCommand::from_form(body).map(Inbound::Command),
            Route::Interactions => Interaction::from_form(body).map(Inbound::Interaction),
        }
    }
}

/// Whether a `Content-Type` value names `media_type`, with or without parameters (`; charset=utf-8`).
fn is_media_type(content_type: Option<&str>, media_type: &str) -> bool {
    content_type
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(media_type))
}

/// Verifies Slack's signature on the raw body.
fn verify(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    // The routes exist only when there is a signing secret; without one nothing can be verified.
    let Some(secret) = app.config().signing_secret() else {
        return Err(SignatureError::Missing);
    };
    signature::verify(
        secret.expose(),
        header(headers, "x-slack-request-timestamp"),
        header(headers, "x-slack-signature"),
        body,
        chrono::Utc::now().timestamp(),
    )
}

async fn handle(
    ingress: Ingress,
    route: Route,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let path = route.path();
    let refuse = |reason: Refusal, detail: &str| {
        ingress.app.metrics().refused(reason.as_str());
        ingress.refusals.record(reason, path, detail)
    };
    let body = match body {
        Ok(body) => body,
        Err(rejected) => {
            let reason = if rejected.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Refusal::TooLarge
            } else {
                Refusal::Malformed
            };
            refuse(reason, &echo(&rejected.body_text()));
            return rejected.into_response();
        }
    };
    if let Err(e) = verify(&ingress.app, &headers, &body) {
        refuse(Refusal::from(&e), &e.to_string());
        return (StatusCode::UNAUTHORIZED, "invalid or stale Slack signature").into_response();
    }
    let content_type = header(&headers, "content-type");
    if !is_media_type(content_type, route.media_type()) {
        let given = content_type.map_or_else(|| "none".to_string(), echo);
        refuse(Refusal::WrongContentType, &given);
        let text = format!("expected Content-Type: {}", route.media_type());
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, text).into_response();
    }
    if let Some(n) = header(&headers, "x-slack-retry-num") {
        tracing::debug!(
            path,
            retry = echo(n),
            reason = header(&headers, "x-slack-retry-reason").map(echo),
            "Slack retry"
        );
    }
    let malformed = |e: Malformed| {
        let reason = e.to_string();
        refuse(Refusal::Malformed, &reason);
        (StatusCode::BAD_REQUEST, reason).into_response()
    };
    let inbound = match route.parse(&body) {
        Ok(i) => i,
        Err(e) => return malformed(e),
    };
    match dispatch(&ingress.app, inbound).await {
        Ok(Reply::Ack) => StatusCode::OK.into_response(),
        Ok(Reply::Json(v)) => Json(v).into_response(),
        Ok(Reply::Challenge(c)) => Json(serde_json::json!({ "challenge": c })).into_response(),
        Err(DispatchError::Malformed(e)) => malformed(e),
        Err(DispatchError::Internal(e)) => {
            tracing::error!(path, error = %e, "request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

async fn events(
    State(ingress): State<Ingress>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    handle(ingress, Route::Events, headers, body).await
}

async fn commands(
    State(ingress): State<Ingress>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    handle(ingress, Route::Commands, headers, body).await
}

async fn interactions(
    State(ingress): State<Ingress>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    handle(ingress, Route::Interactions, headers, body).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Instant;

    /// Log output captured by a test's own subscriber.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn lines(&self) -> Vec<String> {
            String::from_utf8_lossy(&self.0.lock().unwrap())
                .lines()
                .map(str::to_string)
                .collect()
        }

        fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
            let writer = self.clone();
            tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .with_max_level(tracing::Level::INFO)
                .finish()
        }
    }

    async fn wait_for_lines(log: &Captured, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        while log.lines().len() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        log.lines()
    }

    #[tokio::test]
    async fn refusals_are_logged_once_per_reason_then_summarised_once_per_interval() {
        let log = Captured::default();
        let _guard = tracing::subscriber::set_default(log.subscriber());
        let interval = Duration::from_millis(100);
        let refusals = Refusals::new(interval);

        for i in 0..1000 {
            let reason = if i % 4 == 0 {
                Refusal::BadSignature
            } else {
                Refusal::MissingSignature
            };
            refusals.record(reason, "/slack/commands", "signature does not match");
        }
        let lines = log.lines();
        assert_eq!(
            lines.len(),
            2,
            "the first of each reason, at once: {lines:#?}"
        );
        assert!(
            lines[0].contains("reason=\"missing_signature\"")
                || lines[0].contains("reason=\"bad_signature\"")
        );
        assert!(lines.iter().all(|l| l.contains("path=\"/slack/commands\"")));
        assert_eq!(refusals.total(Refusal::MissingSignature), 750);
        assert_eq!(refusals.total(Refusal::BadSignature), 250);

        let lines = wait_for_lines(&log, 3).await;
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(
            lines[2].contains("counts=missing_signature=749 bad_signature=249"),
            "the rest, in one summary line: {}",
            lines[2]
        );

        // A steady flood for ten intervals: the first stale one at once, then one summary per interval (ten, or
        // eleven with the interval under way), never a line per request.
        let start = Instant::now();
        let mut sent = 0;
        while start.elapsed() < interval * 10 {
            refusals.record(
                Refusal::Stale,
                "/slack/events",
                "timestamp is more than five minutes away from now",
            );
            sent += 1;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let flood_lines = log.lines().len() - 3;
        assert!(sent > 50, "{sent}");
        assert!(
            (1..=1 + 12).contains(&flood_lines),
            "{sent} refusals over ten intervals gave {flood_lines} lines: {:#?}",
            log.lines()
        );

        // After a quiet interval the summary task stops, and the next refusal is logged at once again.
        let deadline = Instant::now() + Duration::from_secs(5);
        while refusals.0.summarising.load(Ordering::Acquire) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            !refusals.0.summarising.load(Ordering::Acquire),
            "the summary task stops when it is quiet"
        );
        let before = log.lines().len();
        let summarised: u64 = log.lines()[3..]
            .iter()
            .filter_map(|l| l.split("stale=").nth(1))
            .filter_map(|n| n.split_whitespace().next()?.parse::<u64>().ok())
            .sum();
        assert_eq!(
            summarised + 1,
            sent,
            "every refusal is either logged or summarised"
        );
        refusals.record(Refusal::TooLarge, "/slack/events", "length limit exceeded");
        refusals.record(Refusal::MissingSignature, "/slack/events", "missing header");
        assert_eq!(log.lines().len(), before + 2, "{:#?}", log.lines());
    }

    #[test]
    fn content_types_match_with_parameters_and_any_case() {
        assert!(is_media_type(Some("application/json"), JSON));
        assert!(is_media_type(Some("application/json; charset=utf-8"), JSON));
        assert!(is_media_type(Some("Application/JSON;charset=UTF-8"), JSON));
        assert!(is_media_type(
            Some(" application/x-www-form-urlencoded "),
            FORM
        ));
        assert!(!is_media_type(
            Some("application/x-www-form-urlencoded"),
            JSON
        ));
        assert!(!is_media_type(Some("application/jsonp"), JSON));
        assert!(!is_media_type(Some("text/plain"), FORM));
        assert!(!is_media_type(Some(""), FORM));
        assert!(!is_media_type(None, JSON));
    }
}
