//! The fake Slack's Socket Mode endpoint: `apps.connections.open` hands out its `ws://` URL; a connected client
//! receives `hello`, then the envelopes a test pushes with [`SocketSide::send`], and answers each with an ack.
//!
//! Like Slack, it answers the client's pings (tungstenite does so while reading) and accepts several connections at
//! once; envelopes go to the newest. For tests of a bad network it can go silent on the newest connection
//! ([`SocketSide::go_silent`]: no pongs, no messages, the TCP connection left open) and send Slack's `disconnect`
//! envelope ([`SocketSide::send_disconnect_because`]). Connection counts are signals a test can wait on.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// One open client connection.
struct Link {
    id: u64,
    tx: mpsc::UnboundedSender<Message>,
    silent: watch::Sender<bool>,
}

#[derive(Default)]
struct Inner {
    /// Open connections, oldest first.
    links: Mutex<Vec<Link>>,
    pending: Mutex<HashMap<String, oneshot::Sender<Value>>>,
    seq: AtomicU64,
}

impl Inner {
    fn links(&self) -> std::sync::MutexGuard<'_, Vec<Link>> {
        self.links.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Connection counts: opened so far, open now, and the most open at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketCounts {
    pub opened: u64,
    pub open: u64,
    pub peak_open: u64,
}

/// Socket Mode as Slack runs it.
pub struct SocketSide {
    addr: SocketAddr,
    inner: Arc<Inner>,
    counts: watch::Sender<SocketCounts>,
}

impl SocketSide {
    pub(crate) async fn start() -> std::io::Result<(SocketSide, JoinHandle<()>)> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner::default());
        let counts = watch::channel(SocketCounts::default()).0;
        let (accept_inner, accept_counts) = (inner.clone(), counts.clone());
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    continue;
                };
                let (tx, rx) = mpsc::unbounded_channel::<Message>();
                let (silent, silent_rx) = watch::channel(false);
                let id = accept_inner.seq.fetch_add(1, Ordering::Relaxed);
                let num_connections = {
                    let mut links = accept_inner.links();
                    links.push(Link {
                        id,
                        tx: tx.clone(),
                        silent,
                    });
                    links.len()
                };
                let hello = json!({ "type": "hello", "num_connections": num_connections, "debug_info": { "host": "sandbox", "approximate_connection_time": 18060 }, "connection_info": { "app_id": "A0TANDEM" } });
                let _ = tx.send(Message::text(hello.to_string()));
                accept_counts.send_modify(|c| {
                    c.opened += 1;
                    c.open += 1;
                    c.peak_open = c.peak_open.max(c.open);
                });
                let (inner, counts) = (accept_inner.clone(), accept_counts.clone());
                tokio::spawn(async move {
                    serve(ws, rx, silent_rx, &inner).await;
                    inner.links().retain(|l| l.id != id);
                    counts.send_modify(|c| c.open -= 1);
                });
            }
        });
        Ok((
            SocketSide {
                addr,
                inner,
                counts,
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
        self.counts.borrow().opened
    }

    /// Connections opened so far, open now, and the most open at once.
    pub fn counts(&self) -> SocketCounts {
        *self.counts.borrow()
    }

    /// Waits until at least `n` connections have been opened.
    pub async fn wait_connections(&self, n: u64, timeout: Duration) -> Result<(), String> {
        self.wait_counts(|c| c.opened >= n, timeout)
            .await
            .map_err(|c| format!("no Socket Mode connection #{n} within {timeout:?} ({c:?})"))
    }

    /// Waits until exactly `n` connections are open (the fake saw the others close).
    pub async fn wait_open(&self, n: u64, timeout: Duration) -> Result<(), String> {
        self.wait_counts(|c| c.open == n, timeout)
            .await
            .map_err(|c| format!("not {n} open Socket Mode connections within {timeout:?} ({c:?})"))
    }

    async fn wait_counts(
        &self,
        done: impl FnMut(&SocketCounts) -> bool,
        timeout: Duration,
    ) -> Result<(), SocketCounts> {
        let mut rx = self.counts.subscribe();
        match tokio::time::timeout(timeout, rx.wait_for(done)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(self.counts()),
        }
    }

    fn newest(&self) -> Result<(mpsc::UnboundedSender<Message>, watch::Sender<bool>), String> {
        self.inner
            .links()
            .iter()
            .rev()
            .find(|l| !*l.silent.borrow())
            .map(|l| (l.tx.clone(), l.silent.clone()))
            .ok_or_else(|| "no Socket Mode client is connected".to_string())
    }

    fn push(&self, message: Value) -> Result<(), String> {
        self.newest()?
            .0
            .send(Message::text(message.to_string()))
            .map_err(|_| "the Socket Mode client went away".to_string())
    }

    /// Sends an envelope (`events_api`, `slash_commands` or `interactive`) on the newest connection and waits for its
    /// acknowledgement.
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

    /// Asks the client to reconnect, as Slack does every few hours (`refresh_requested`).
    pub fn send_disconnect(&self) -> Result<(), String> {
        self.send_disconnect_because("refresh_requested")
    }

    /// Sends Slack's `disconnect` envelope with `reason` (`refresh_requested`, `warning`, `link_disabled`) on the
    /// newest connection. Like Slack, the fake leaves the closing to the client.
    pub fn send_disconnect_because(&self, reason: &str) -> Result<(), String> {
        self.push(
            json!({ "type": "disconnect", "reason": reason, "debug_info": { "host": "sandbox" } }),
        )
    }

    /// Makes the newest connection go silent, as behind a dead NAT entry: no more pongs, no messages, nothing read,
    /// but the TCP connection stays open until the client drops it. Later connections are served normally.
    pub fn go_silent(&self) -> Result<(), String> {
        let (_, silent) = self.newest()?;
        silent.send_replace(true);
        Ok(())
    }
}

async fn silenced(silent: &mut watch::Receiver<bool>) {
    if silent.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Serves one connection until it closes: forwards what the test pushes, routes acknowledgements to their waiters
/// and, by reading, answers pings. Once silenced, it reads the raw TCP stream only to notice the client leaving.
async fn serve(
    mut ws: WebSocketStream<TcpStream>,
    mut rx: mpsc::UnboundedReceiver<Message>,
    mut silent: watch::Receiver<bool>,
    inner: &Inner,
) {
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Some(m) => {
                    if ws.send(m).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
            _ = silenced(&mut silent) => break,
            msg = ws.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return,
                };
                let Ok(ack) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                let Some(id) = ack["envelope_id"].as_str() else {
                    continue;
                };
                let waiter = inner
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(id);
                if let Some(w) = waiter {
                    let _ = w.send(ack);
                }
            }
        }
    }
    // Silent: bytes (pings, acks) are read and dropped below the WebSocket layer, so nothing is ever answered.
    let tcp = ws.get_mut();
    let mut buf = [0u8; 4096];
    while let Ok(n) = tcp.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}
