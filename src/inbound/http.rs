//! Signed HTTP ingress: Slack's three request URLs and `/healthz`.
//!
//! Order of checks: body size (413), signature and freshness (401, nothing else happens), then parsing (400), then
//! the dispatcher. Nothing about a refused request is logged beyond its path and the reason.

use super::payload::{EventsBody, Inbound, Interaction, SlashCommand};
use crate::context::App;
use crate::inbound::dispatch::{DispatchError, dispatch};
use crate::inbound::reply::Reply;
use crate::inbound::signature;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

/// Slack's bodies are small; anything over 1 MiB is refused with 413 before it is read further.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router(app: App) -> Router {
    let mut router = Router::new().route("/healthz", get(healthz));
    if app.config().signing_secret().is_some() {
        router = router
            .route("/slack/events", post(events))
            .route("/slack/commands", post(commands))
            .route("/slack/interactions", post(interactions));
    }
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

async fn healthz(State(app): State<App>) -> Response {
    if app.store().ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Verifies Slack's signature on the raw body; `Err` is the status and text to send.
fn verify(
    app: &App,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), (StatusCode, &'static str)> {
    let Some(secret) = app.config().signing_secret() else {
        return Err((StatusCode::NOT_FOUND, "HTTP ingress is off"));
    };
    let now = chrono::Utc::now().timestamp();
    signature::verify(
        secret.expose(),
        header(headers, "x-slack-request-timestamp"),
        header(headers, "x-slack-signature"),
        body,
        now,
    )
    .map_err(|e| {
        tracing::warn!(path, reason = %e, "refused an unsigned or stale request");
        (StatusCode::UNAUTHORIZED, "invalid or stale Slack signature")
    })
}

async fn handle(
    app: App,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
    parse: fn(&[u8]) -> Result<Inbound, super::payload::Malformed>,
) -> Response {
    if let Err(refused) = verify(&app, path, &headers, &body) {
        return refused.into_response();
    }
    if let Some(n) = header(&headers, "x-slack-retry-num") {
        tracing::debug!(
            path,
            retry = n,
            reason = header(&headers, "x-slack-retry-reason"),
            "Slack retry"
        );
    }
    let inbound = match parse(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(path, reason = %e, "malformed request");
            return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
        }
    };
    match dispatch(&app, inbound).await {
        Ok(Reply::Ack) => StatusCode::OK.into_response(),
        Ok(Reply::Json(v)) => Json(v).into_response(),
        Ok(Reply::Challenge(c)) => Json(serde_json::json!({ "challenge": c })).into_response(),
        Err(DispatchError::Malformed(e)) => {
            (StatusCode::BAD_REQUEST, e.to_string()).into_response()
        }
        Err(DispatchError::Internal(e)) => {
            tracing::error!(path, error = %e, "request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

async fn events(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    handle(app, "/slack/events", headers, body, |b| {
        EventsBody::from_bytes(b).map(Inbound::Events)
    })
    .await
}

async fn commands(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    handle(app, "/slack/commands", headers, body, |b| {
        SlashCommand::from_form(b).map(Inbound::Command)
    })
    .await
}

async fn interactions(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    handle(app, "/slack/interactions", headers, body, |b| {
        Interaction::from_form(b).map(Inbound::Interaction)
    })
    .await
}
