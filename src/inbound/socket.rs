//! Socket Mode: Tandem opens a WebSocket to Slack (no public URL needed) and receives the same events, commands and
//! interactions as over HTTP, as envelopes. Each envelope goes through the same parser and dispatcher as HTTP, and is
//! acknowledged with the dispatcher's reply as its payload (so a slash command's message or a view submission's
//! errors work the same way).
//!
//! Written on tokio-tungstenite rather than slack-morphism's listener so that acknowledgements can carry any reply
//! and the envelope's retry fields are visible.
//!
//! Surviving real networks: Tandem pings Slack every [`SocketTimings::ping_interval`] and gives a connection up when
//! nothing at all (no frame, no pong) has arrived for [`SocketTimings::read_timeout`], so a half-open connection
//! cannot hang it. A lost connection is reopened with exponential backoff (reset after a connection that stayed
//! healthy). When Slack announces that it will close a connection (a `disconnect` envelope with `refresh_requested`
//! or `warning`), Tandem opens the next connection at once and retires the old one only when the new one is up;
//! `link_disabled` (Socket Mode turned off for the app) is logged as an error and retried with backoff.
//! `wss://` comes from this crate's own tokio-tungstenite feature (`rustls-tls-native-roots`):
//! [`connect_websocket`] calls an API that exists only when TLS support is compiled in.

use super::payload::{EventsBody, Inbound, Interaction, Malformed, SlashCommand};
use crate::context::App;
use crate::inbound::dispatch::{DispatchError, dispatch};
use crate::inbound::reply::Reply;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A Socket Mode WebSocket.
pub type SocketStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How Tandem keeps a Socket Mode connection alive and how it reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketTimings {
    /// How often Tandem sends Slack a WebSocket ping.
    pub ping_interval: Duration,
    /// A connection is given up when nothing (no message, no pong) has arrived for this long. Also bounds the
    /// WebSocket handshake.
    pub read_timeout: Duration,
    /// The first wait before reconnecting after a lost connection; it doubles on each failure up to `backoff_max`,
    /// and starts again from here after a connection that stayed healthy (heard from Slack for at least a ping
    /// interval).
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

impl Default for SocketTimings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            backoff_min: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// How long a retired connection may wait for the acknowledgements of envelopes it is still handling (Slack
/// redelivers anything unacknowledged after 3 seconds anyway).
const DRAIN_LIMIT: Duration = Duration::from_secs(3);
/// How long a Close frame may take to go out when a connection is retired or Tandem stops.
const CLOSE_LIMIT: Duration = Duration::from_secs(1);

/// Turns an envelope's `type` and `payload` into what the HTTP ingress would have parsed.
pub fn envelope_to_inbound(kind: &str, payload: Value) -> Result<Inbound, Malformed> {
    match kind {
        "events_api" => EventsBody::from_json(payload).map(Inbound::Events),
        "slash_commands" => SlashCommand::from_json(payload).map(Inbound::Command),
        "interactive" => Interaction::from_json(payload).map(Inbound::Interaction),
        other => Err(Malformed(format!("unknown envelope type '{other}'"))),
    }
}

/// Runs Socket Mode until `shutdown` turns true: connects, serves, keeps the connection alive, and reconnects.
pub async fn run(
    app: App,
    app_token: String,
    mut shutdown: watch::Receiver<bool>,
    timings: SocketTimings,
) {
    let mut backoff = timings.backoff_min;
    let mut number = 0u64;
    // A connection Slack said it will close: it keeps serving until its successor is open.
    let mut outgoing: Option<Connection> = None;
    // Connections told to close, finishing their acknowledgements.
    let mut retired: Vec<JoinHandle<Outcome>> = Vec::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let opened = tokio::select! {
            r = open(&app, &app_token, &timings) => r,
            _ = shutdown.changed() => break,
        };
        let ws = match opened {
            Ok(ws) => ws,
            Err(reason) => {
                tracing::warn!(
                    reason,
                    retry_in_ms = millis(backoff),
                    "cannot open a Socket Mode connection; retrying"
                );
                if !pause(&mut shutdown, backoff).await {
                    break;
                }
                backoff = (backoff * 2).min(timings.backoff_max);
                continue;
            }
        };
        number += 1;
        retired.retain(|t| !t.is_finished());
        if let Some(old) = outgoing.take() {
            retired.push(old.retire());
        }
        tracing::info!(connection = number, "Socket Mode connected");
        let mut conn = Connection::start(ws, app.clone(), timings, shutdown.clone());
        let outcome = tokio::select! {
            Ok(reason) = &mut conn.refresh => {
                tracing::info!(connection = number, reason, "Slack will close this Socket Mode connection; opening the next one");
                outgoing = Some(conn);
                backoff = timings.backoff_min;
                continue;
            }
            outcome = &mut conn.task => outcome.unwrap_or_else(|e| Outcome {
                ended: Ended::Lost(format!("connection task failed: {e}")),
                healthy: false,
            }),
        };
        match outcome.ended {
            Ended::Shutdown => break,
            Ended::LinkDisabled => tracing::error!(
                connection = number,
                retry_in_ms = millis(backoff),
                "Slack disabled Socket Mode for this app (link_disabled); retrying with backoff"
            ),
            Ended::Lost(reason) => {
                if outcome.healthy {
                    backoff = timings.backoff_min;
                }
                tracing::warn!(
                    connection = number,
                    reason,
                    retry_in_ms = millis(backoff),
                    "Socket Mode connection given up; reconnecting"
                );
            }
            Ended::Retired => {}
        }
        if !pause(&mut shutdown, backoff).await {
            break;
        }
        backoff = (backoff * 2).min(timings.backoff_max);
    }
    // Every connection closes by itself on `shutdown`; wait for them briefly.
    for task in outgoing.map(|c| c.task).into_iter().chain(retired) {
        let _ = tokio::time::timeout(CLOSE_LIMIT * 2, task).await;
    }
}

fn millis(d: Duration) -> u64 {
    d.as_millis().try_into().unwrap_or(u64::MAX)
}

/// Waits `wait`; false if Tandem is stopping.
async fn pause(shutdown: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(wait) => !*shutdown.borrow(),
        _ = shutdown.changed() => false,
    }
}

/// Asks Slack for a connection URL and opens it.
async fn open(app: &App, app_token: &str, timings: &SocketTimings) -> Result<SocketStream, String> {
    let url = app
        .slack()
        .open_socket_url(app_token)
        .await
        .map_err(|e| e.to_string())?;
    connect_websocket(&url, timings.read_timeout)
        .await
        // The URL's query holds a connection ticket: never let it reach a log.
        .map_err(|e| {
            let shown = url.split('?').next().unwrap_or_default();
            format!(
                "WebSocket connect failed: {}",
                e.to_string().replace(&url, shown)
            )
        })
}

/// Opens a WebSocket (`wss://` for Slack, `ws://` for a local stand-in) within `timeout`.
///
/// Goes through tokio-tungstenite's TLS entry point, which exists only when its TLS support is compiled in: without
/// the `rustls-tls-native-roots` feature in this crate's Cargo.toml this does not build, rather than failing on
/// Slack's `wss://` URL in production.
pub async fn connect_websocket(
    url: &str,
    timeout: Duration,
) -> Result<SocketStream, tungstenite::Error> {
    crate::outbound::slack_api::install_crypto_provider();
    let connecting = tokio_tungstenite::connect_async_tls_with_config(url, None, true, None);
    match tokio::time::timeout(timeout, connecting).await {
        Ok(connected) => connected.map(|(ws, _)| ws),
        Err(_) => Err(tungstenite::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no WebSocket handshake within {timeout:?}"),
        ))),
    }
}

/// One open connection, served by its own task.
struct Connection {
    task: JoinHandle<Outcome>,
    /// Fires when Slack announces that it will close the connection (`refresh_requested`, `warning`).
    refresh: oneshot::Receiver<String>,
    retire: oneshot::Sender<()>,
}

impl Connection {
    fn start(
        ws: SocketStream,
        app: App,
        timings: SocketTimings,
        shutdown: watch::Receiver<bool>,
    ) -> Connection {
        let (refresh_tx, refresh) = oneshot::channel();
        let (retire, retire_rx) = oneshot::channel();
        let task = tokio::spawn(serve(ws, app, timings, retire_rx, shutdown, refresh_tx));
        Connection {
            task,
            refresh,
            retire,
        }
    }

    /// Tells the connection to finish the envelopes it is handling and close.
    fn retire(self) -> JoinHandle<Outcome> {
        let _ = self.retire.send(());
        self.task
    }
}

/// How a connection ended.
enum Ended {
    /// Closed by Slack, failed, or silent for too long.
    Lost(String),
    /// Slack turned Socket Mode off for the app.
    LinkDisabled,
    /// Closed by Tandem once its successor was open.
    Retired,
    Shutdown,
}

struct Outcome {
    ended: Ended,
    /// Slack was heard from for at least a ping interval: the backoff starts again from the beginning.
    healthy: bool,
}

/// Serves one connection: pings, watches for silence, hands envelopes to the dispatcher and sends their acks.
async fn serve(
    mut ws: SocketStream,
    app: App,
    timings: SocketTimings,
    mut retire: oneshot::Receiver<()>,
    mut shutdown: watch::Receiver<bool>,
    refresh: oneshot::Sender<String>,
) -> Outcome {
    let opened = Instant::now();
    let mut last_heard = opened;
    let mut ping = tokio::time::interval_at(opened + timings.ping_interval, timings.ping_interval);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (ack_tx, mut ack_rx) = mpsc::channel::<Option<String>>(64);
    let mut in_flight = 0usize;
    let mut refresh = Some(refresh);
    let mut draining_until: Option<Instant> = None;
    let ended = loop {
        if draining_until.is_some() && in_flight == 0 {
            close(&mut ws).await;
            break Ended::Retired;
        }
        let silent_until = last_heard + timings.read_timeout;
        tokio::select! {
            _ = tokio::time::sleep_until(silent_until) => {
                break Ended::Lost(format!("nothing from Slack for {:?}, not even a pong", timings.read_timeout));
            }
            _ = tokio::time::sleep_until(draining_until.unwrap_or(silent_until)), if draining_until.is_some() => {
                tracing::warn!(unacknowledged = in_flight, "closing a retired Socket Mode connection with envelopes unacknowledged; Slack will redeliver them");
                close(&mut ws).await;
                break Ended::Retired;
            }
            _ = shutdown.changed() => {
                close(&mut ws).await;
                break Ended::Shutdown;
            }
            _ = &mut retire, if draining_until.is_none() => {
                draining_until = Some(Instant::now() + DRAIN_LIMIT);
            }
            _ = ping.tick() => {
                if let Err(e) = send(&mut ws, Message::Ping(Default::default()), silent_until).await {
                    break Ended::Lost(e);
                }
            }
            Some(ack) = ack_rx.recv() => {
                in_flight = in_flight.saturating_sub(1);
                if let Some(ack) = ack
                    && let Err(e) = send(&mut ws, Message::text(ack), silent_until).await
                {
                    break Ended::Lost(e);
                }
            }
            msg = ws.next() => {
                last_heard = Instant::now();
                let text = match msg {
                    None => break Ended::Lost("Slack closed the connection".to_string()),
                    Some(Err(e)) => break Ended::Lost(format!("WebSocket read failed: {e}")),
                    Some(Ok(Message::Close(frame))) => {
                        let why = frame.map(|f| format!(" ({} {})", f.code, f.reason)).unwrap_or_default();
                        break Ended::Lost(format!("Slack closed the connection{why}"));
                    }
                    Some(Ok(Message::Text(text))) => text,
                    // Pongs (and pings, which tungstenite answers itself) only show that the link is alive.
                    Some(Ok(_)) => continue,
                };
                let Ok(envelope) = serde_json::from_str::<Value>(text.as_str()) else {
                    tracing::warn!("Socket Mode message is not JSON; ignored");
                    continue;
                };
                match envelope["type"].as_str() {
                    Some("hello") => tracing::debug!(
                        num_connections = envelope["num_connections"].as_u64(),
                        "Socket Mode hello"
                    ),
                    Some("disconnect") => match envelope["reason"].as_str().unwrap_or_default() {
                        reason @ ("refresh_requested" | "warning") => {
                            if let Some(tx) = refresh.take() {
                                let _ = tx.send(reason.to_string());
                            }
                        }
                        "link_disabled" => break Ended::LinkDisabled,
                        other => break Ended::Lost(format!("Slack sent disconnect ({other})")),
                    },
                    _ => {
                        in_flight += 1;
                        let app = app.clone();
                        let ack_tx = ack_tx.clone();
                        tokio::spawn(async move {
                            let ack = handle_envelope(&app, envelope).await;
                            let _ = ack_tx.send(ack).await;
                        });
                    }
                }
            }
        }
    };
    Outcome {
        healthy: last_heard.duration_since(opened) >= timings.ping_interval,
        ended,
    }
}

/// Sends a message, giving up at `deadline` (a full send buffer on a dead link must not block for ever).
async fn send(ws: &mut SocketStream, message: Message, deadline: Instant) -> Result<(), String> {
    match tokio::time::timeout_at(deadline, ws.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("WebSocket send failed: {e}")),
        Err(_) => Err("WebSocket send timed out".to_string()),
    }
}

/// Sends a Close frame, briefly: the link may already be dead.
async fn close(ws: &mut SocketStream) {
    let _ = tokio::time::timeout(CLOSE_LIMIT, ws.close(None)).await;
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
