//! The fake Slack's Socket Mode endpoint: `apps.connections.open` hands out its `ws://` URL; a connected client
//! receives `hello`, then the envelopes a test pushes with [`SocketSide::send`], and answers each with an ack.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

#[derive(Default)]
struct Inner {
    client: Mutex<Option<mpsc::UnboundedSender<Message>>>,
    pending: Mutex<HashMap<String, oneshot::Sender<Value>>>,
    seq: AtomicU64,
}

/// Socket Mode as Slack runs it, for one client at a time.
pub struct SocketSide {
    addr: SocketAddr,
    inner: Arc<Inner>,
    connections: watch::Sender<u64>,
}

impl SocketSide {
    pub(crate) async fn start() -> std::io::Result<(SocketSide, JoinHandle<()>)> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner::default());
        let connections = watch::channel(0u64).0;
        let (accept_inner, accept_connections) = (inner.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    continue;
                };
                let (mut sink, mut stream) = ws.split();
                let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
                let hello = json!({ "type": "hello", "num_connections": 1, "debug_info": { "host": "sandbox" }, "connection_info": { "app_id": "A0TANDEM" } });
                let _ = tx.send(Message::text(hello.to_string()));
                *accept_inner
                    .client
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(tx);
                accept_connections.send_modify(|n| *n += 1);
                tokio::spawn(async move {
                    while let Some(m) = rx.recv().await {
                        if sink.send(m).await.is_err() {
                            break;
                        }
                    }
                });
                let reader_inner = accept_inner.clone();
                tokio::spawn(async move {
                    while let Some(Ok(msg)) = stream.next().await {
                        let Message::Text(text) = msg else { continue };
                        let Ok(ack) = serde_json::from_str::<Value>(text.as_str()) else {
                            continue;
                        };
                        let Some(id) = ack["envelope_id"].as_str() else {
                            continue;
                        };
                        let waiter = reader_inner
                            .pending
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(id);
                        if let Some(w) = waiter {
                            let _ = w.send(ack);
                        }
                    }
                });
            }
        });
        Ok((
            SocketSide {
                addr,
                inner,
                connections,
            },
            task,
        ))
    }

    /// The URL `apps.connections.open` returns.
    pub fn url(&self) -> String {
        format!(
            "ws://{}/link/?ticket={:016x}",
            self.addr,
            self.inner.seq.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// How many WebSocket connections clients have opened so far.
    pub fn connections(&self) -> u64 {
        *self.connections.borrow()
    }

    /// Waits until at least `n` connections have been opened.
    pub async fn wait_connections(&self, n: u64, timeout: Duration) -> Result<(), String> {
        let mut rx = self.connections.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|c| *c >= n))
            .await
            .map(|_| ())
            .map_err(|_| format!("no Socket Mode connection #{n} within {timeout:?}"))
    }

    fn push(&self, message: Value) -> Result<(), String> {
        let client = self
            .inner
            .client
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let client = client.ok_or("no Socket Mode client is connected")?;
        client
            .send(Message::text(message.to_string()))
            .map_err(|_| "the Socket Mode client went away".to_string())
    }

    /// Sends an envelope (`events_api`, `slash_commands` or `interactive`) and waits for its acknowledgement.
    pub async fn send(
        &self,
        kind: &str,
        payload: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let id = format!("env-{:08x}", self.inner.seq.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = oneshot::channel();
        self.inner
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), tx);
        self.push(json!({
            "envelope_id": id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": "",
        }))?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(ack)) => Ok(ack),
            _ => {
                self.inner
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
                Err(format!(
                    "envelope {id} ({kind}) was not acknowledged within {timeout:?}"
                ))
            }
        }
    }

    /// Asks the client to reconnect, as Slack does every few hours.
    pub fn send_disconnect(&self) -> Result<(), String> {
        self.push(json!({ "type": "disconnect", "reason": "refresh_requested", "debug_info": { "host": "sandbox" } }))
    }
}
