//! Socket Mode: Tandem opens a WebSocket to Slack (no public URL needed) and receives the same events, commands and
//! interactions as over HTTP, as envelopes. Each envelope goes through the same parser and dispatcher as HTTP, and is
//! acknowledged with the dispatcher's reply as its payload (so a slash command's message or a view submission's
//! errors work the same way).
//!
//! Written on tokio-tungstenite rather than slack-morphism's listener so that acknowledgements can carry any reply
//! and the envelope's retry fields are visible.

use super::payload::{EventsBody, Inbound, Interaction, Malformed, SlashCommand};
use crate::context::App;
use crate::inbound::dispatch::{DispatchError, dispatch};
use crate::inbound::reply::Reply;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// Turns an envelope's `type` and `payload` into what the HTTP ingress would have parsed.
pub fn envelope_to_inbound(kind: &str, payload: Value) -> Result<Inbound, Malformed> {
    match kind {
        "events_api" => EventsBody::from_json(payload).map(Inbound::Events),
        "slash_commands" => SlashCommand::from_json(payload).map(Inbound::Command),
        "interactive" => Interaction::from_json(payload).map(Inbound::Interaction),
        other => Err(Malformed(format!("unknown envelope type '{other}'"))),
    }
}

/// Runs Socket Mode until `shutdown` turns true: connects, serves, and reconnects with backoff.
pub async fn run(app: App, app_token: String, mut shutdown: watch::Receiver<bool>) {
    let mut backoff = Duration::from_millis(250);
    loop {
        if *shutdown.borrow() {
            return;
        }
        let connected = tokio::select! {
            r = connect_and_serve(&app, &app_token, &mut backoff) => r,
            _ = shutdown.changed() => return,
        };
        match connected {
            Ok(()) => tracing::info!("Socket Mode connection closed by Slack; reconnecting"),
            Err(e) => {
                tracing::warn!(error = %e, wait_ms = backoff.as_millis() as u64, "Socket Mode connection failed; retrying")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.changed() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

async fn connect_and_serve(
    app: &App,
    app_token: &str,
    backoff: &mut Duration,
) -> Result<(), String> {
    let url = app
        .slack()
        .open_socket_url(app_token)
        .await
        .map_err(|e| e.to_string())?;
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .map_err(|e| format!("WebSocket connect failed: {e}"))?;
    *backoff = Duration::from_millis(250);
    let (mut sink, mut stream) = ws.split();
    let (ack_tx, mut ack_rx) = mpsc::channel::<String>(64);
    loop {
        tokio::select! {
            Some(ack) = ack_rx.recv() => {
                sink.send(Message::text(ack)).await.map_err(|e| format!("WebSocket send failed: {e}"))?;
            }
            msg = stream.next() => {
                let Some(msg) = msg else { return Ok(()) };
                match msg.map_err(|e| format!("WebSocket read failed: {e}"))? {
                    Message::Text(text) => {
                        let Ok(envelope) = serde_json::from_str::<Value>(text.as_str()) else {
                            tracing::warn!("Socket Mode message is not JSON; ignored");
                            continue;
                        };
                        match envelope["type"].as_str() {
                            Some("hello") => tracing::info!("Socket Mode connected"),
                            Some("disconnect") => {
                                tracing::info!(reason = envelope["reason"].as_str(), "Slack asked to reconnect");
                                return Ok(());
                            }
                            _ => {
                                let app = app.clone();
                                let ack_tx = ack_tx.clone();
                                tokio::spawn(async move {
                                    if let Some(ack) = handle_envelope(&app, envelope).await {
                                        let _ = ack_tx.send(ack).await;
                                    }
                                });
                            }
                        }
                    }
                    Message::Ping(p) => sink.send(Message::Pong(p)).await.map_err(|e| e.to_string())?,
                    Message::Close(_) => return Ok(()),
                    _ => {}
                }
            }
        }
    }
}

/// Handles one envelope; returns the acknowledgement to send, or `None` to leave it unacknowledged (Slack retries).
async fn handle_envelope(app: &App, envelope: Value) -> Option<String> {
    let envelope_id = envelope["envelope_id"].as_str()?.to_string();
    let kind = envelope["type"].as_str().unwrap_or_default().to_string();
    if let Some(n) = envelope["retry_attempt"].as_u64().filter(|n| *n > 0) {
        tracing::debug!(
            retry = n,
            reason = envelope["retry_reason"].as_str(),
            "Socket Mode retry"
        );
    }
    let payload = envelope.get("payload").cloned().unwrap_or(Value::Null);
    let reply = match envelope_to_inbound(&kind, payload) {
        Ok(inbound) => dispatch(app, inbound).await,
        Err(e) => Err(DispatchError::Malformed(e)),
    };
    let ack = match reply {
        Ok(Reply::Json(payload)) => json!({ "envelope_id": envelope_id, "payload": payload }),
        Ok(Reply::Ack) | Ok(Reply::Challenge(_)) => json!({ "envelope_id": envelope_id }),
        Err(DispatchError::Malformed(e)) => {
            // Acknowledge anyway: redelivering a malformed envelope cannot help.
            tracing::warn!(kind, reason = %e, "malformed Socket Mode envelope");
            json!({ "envelope_id": envelope_id })
        }
        Err(DispatchError::Internal(e)) => {
            tracing::error!(kind, error = %e, "Socket Mode envelope failed; leaving it for Slack to retry");
            return None;
        }
    };
    Some(ack.to_string())
}
