//! The fake Slack's Socket Mode endpoint: `apps.connections.open` hands out its `ws://` URL; a connected client
//! receives `hello`, then the envelopes a test pushes with [`SocketSide::send`], and answers each with an ack.
//!
//! Like Slack, it answers the client's pings (tungstenite does so while reading) and accepts several connections at
//! once (one per replica, or an old and a new one while a client reconnects), spreading envelopes across them in
//! turn; a connection told to `disconnect`, or gone silent, gets no more. [`SocketSide::send_on_each`] delivers one
//! envelope on every connection at once, as Slack re-delivers an envelope it saw no acknowledgement for on another
//! connection. For tests of a bad network it can go silent on the newest connection ([`SocketSide::go_silent`]: no
//! pongs, no messages, the TCP connection left open) and send Slack's `disconnect` envelope
//! ([`SocketSide::send_disconnect_because`]). Connection counts are signals a test can wait on.

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
    /// Told to `disconnect`: Slack sends it nothing more.
    retiring: bool,
    /// Envelopes acknowledged on it.
    acks: Arc<AtomicU64>,
}

impl Link {
    /// Whether envelopes may go to it.
    fn usable(&self) -> bool {
        !self.retiring && !*self.silent.borrow()
    }
}

#[derive(Default)]
struct Inner {
    /// Open connections, oldest first.
    links: Mutex<Vec<Link>>,
    /// Acknowledgement waiters, by connection and envelope ID (one envelope may be out on several connections).
    pending: Mutex<HashMap<(u64, String), oneshot::Sender<Value>>>,
    seq: AtomicU64,
    /// How many envelopes were spread so far: the next goes to the next usable connection.
    turn: AtomicU64,
}

impl Inner {
    fn links(&self) -> std::sync::MutexGuard<'_, Vec<Link>> {
        self.links.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<(u64, String), oneshot::Sender<Value>>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
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
                let acks = Arc::new(AtomicU64::new(0));
                let num_connections = {
                    let mut links = accept_inner.links();
                    links.push(Link {
                        id,
                        tx: tx.clone(),
                        silent,
                        retiring: false,
                        acks: acks.clone(),
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
                    serve(ws, rx, silent_rx, &inner, id, &acks).await;
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

    /// The newest connection envelopes may go to.
    fn newest(&self) -> Result<(u64, mpsc::UnboundedSender<Message>), String> {
        self.inner
            .links()
            .iter()
            .rev()
            .find(|l| l.usable())
            .map(|l| (l.id, l.tx.clone()))
            .ok_or_else(|| "no Socket Mode client is connected".to_string())
    }

    /// The connection whose turn it is, as Slack spreads envelopes across an app's connections.
    fn next_in_turn(&self) -> Result<(u64, mpsc::UnboundedSender<Message>), String> {
        let links = self.inner.links();
        let usable: Vec<&Link> = links.iter().filter(|l| l.usable()).collect();
        if usable.is_empty() {
            return Err("no Socket Mode client is connected".to_string());
        }
        let turn = self.inner.turn.fetch_add(1, Ordering::Relaxed);
        let link = usable[usize::try_from(turn).unwrap_or(0) % usable.len()];
        Ok((link.id, link.tx.clone()))
    }

    fn envelope_id(&self) -> String {
        format!("env-{:08x}", self.inner.seq.fetch_add(1, Ordering::Relaxed))
    }

    /// Sends `envelope` (its `envelope_id` is `id`) on connection `link` and waits for that connection's
    /// acknowledgement.
    async fn deliver(
        &self,
        (link, tx): (u64, mpsc::UnboundedSender<Message>),
        id: &str,
        envelope: &Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let key = (link, id.to_string());
        let (ack_tx, ack_rx) = oneshot::channel();
        self.inner.pending().insert(key.clone(), ack_tx);
        if tx.send(Message::text(envelope.to_string())).is_err() {
            self.inner.pending().remove(&key);
            return Err("the Socket Mode client went away".to_string());
        }
        match tokio::time::timeout(timeout, ack_rx).await {
            Ok(Ok(ack)) => Ok(ack),
            _ => {
                self.inner.pending().remove(&key);
                Err(format!(
                    "envelope {id} ({}) was not acknowledged within {timeout:?}",
                    envelope["type"]
                ))
            }
        }
    }

    fn envelope(id: &str, kind: &str, payload: Value, retry_attempt: u32) -> Value {
        json!({
            "envelope_id": id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": retry_attempt,
            "retry_reason": if retry_attempt > 0 { "timeout" } else { "" },
        })
    }

    /// Sends an envelope (`events_api`, `slash_commands` or `interactive`) on the connection whose turn it is (in
    /// turn across the usable connections, as Slack spreads them) and waits for its acknowledgement.
    pub async fn send(
        &self,
        kind: &str,
        payload: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let id = self.envelope_id();
        let envelope = Self::envelope(&id, kind, payload, 0);
        let link = self.next_in_turn()?;
        self.deliver(link, &id, &envelope, timeout).await
    }

    /// Sends one envelope (one `envelope_id`) on every usable connection at once — what a client sees when Slack,
    /// missing the first acknowledgement, re-delivers the envelope on another connection (`retry_attempt` 1 there)
    /// — and waits for every acknowledgement. Returns them by connection, oldest first.
    pub async fn send_on_each(
        &self,
        kind: &str,
        payload: Value,
        timeout: Duration,
    ) -> Result<Vec<Value>, String> {
        let links: Vec<(u64, mpsc::UnboundedSender<Message>)> = self
            .inner
            .links()
            .iter()
            .filter(|l| l.usable())
            .map(|l| (l.id, l.tx.clone()))
            .collect();
        if links.is_empty() {
            return Err("no Socket Mode client is connected".to_string());
        }
        let id = self.envelope_id();
        let sends = links.into_iter().enumerate().map(|(n, link)| {
            let envelope = Self::envelope(&id, kind, payload.clone(), u32::from(n > 0));
            let id = id.clone();
            async move { self.deliver(link, &id, &envelope, timeout).await }
        });
        futures_util::future::join_all(sends)
            .await
            .into_iter()
            .collect()
    }

    /// Envelopes acknowledged so far on each open connection, oldest first.
    pub fn acks_by_connection(&self) -> Vec<u64> {
        self.inner
            .links()
            .iter()
            .map(|l| l.acks.load(Ordering::Relaxed))
            .collect()
    }

    /// Asks the client to reconnect, as Slack does every few hours (`refresh_requested`).
    pub fn send_disconnect(&self) -> Result<(), String> {
        self.send_disconnect_because("refresh_requested")
    }

    /// Sends Slack's `disconnect` envelope with `reason` (`refresh_requested`, `warning`, `link_disabled`) on the
    /// newest connection. Like Slack, the fake leaves the closing to the client.
    pub fn send_disconnect_because(&self, reason: &str) -> Result<(), String> {
        let (link, tx) = self.newest()?;
        let message =
            json!({ "type": "disconnect", "reason": reason, "debug_info": { "host": "sandbox" } });
        tx.send(Message::text(message.to_string()))
            .map_err(|_| "the Socket Mode client went away".to_string())?;
        if let Some(l) = self.inner.links().iter_mut().find(|l| l.id == link) {
            l.retiring = true;
        }
        Ok(())
    }

    /// Makes the newest connection go silent, as behind a dead NAT entry: no more pongs, no messages, nothing read,
    /// but the TCP connection stays open until the client drops it. Later connections are served normally.
    pub fn go_silent(&self) -> Result<(), String> {
        let (link, _) = self.newest()?;
        if let Some(l) = self.inner.links().iter().find(|l| l.id == link) {
            l.silent.send_replace(true);
        }
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
    link: u64,
    acks: &AtomicU64,
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
                let waiter = inner.pending().remove(&(link, id.to_string()));
                if let Some(w) = waiter {
                    acks.fetch_add(1, Ordering::Relaxed);
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
