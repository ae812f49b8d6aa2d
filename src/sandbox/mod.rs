//! A stand-in for Slack on loopback, shared by the tests and `tandem demo`.
//!
//! [`FakeSlack`] serves the Web API methods Tandem calls, records every call (method, token, body), answers with
//! realistic JSON, and is as strict as Slack where it matters: it refuses a missing or wrong token, a reused or
//! expired `trigger_id`, views and messages that break Block Kit's limits ([`blockkit`]), unknown users and channels.
//! It can be told to answer 429 (with `Retry-After`) or 500 for a method, or to hang (hold a call open without
//! answering, to freeze Tandem mid-job for a crash test). It also serves Socket Mode.
//!
//! [`driver::SlackDriver`] plays Slack's other side: it sends Tandem requests signed exactly as Slack signs them.
//! [`Sandbox`] starts both with a Tandem server over a fresh SQLite file.

pub mod driver;
mod socket;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use driver::{DriverResponse, SlackDriver};

/// A `trigger_id` lives this long after the command or click that produced it.
pub const TRIGGER_LIFETIME: Duration = Duration::from_secs(3);
pub const TEAM_ID: &str = "T0TANDEM";
pub const BOT_USER_ID: &str = "U0TANDEMBOT";

/// One Web API call as the fake received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// The bearer token, if any (tests check it; it is never printed by Tandem).
    pub token: Option<String>,
    pub body: Value,
    /// The HTTP status the fake answered with; 0 for a call held open by [`Fault::Hang`] (it never takes effect).
    pub status: u16,
    /// `error` of an `ok: false` answer.
    pub error: Option<String>,
    /// When the fake received it.
    pub at: Instant,
    /// The JSON the fake answered with (`Null` for a 500), e.g. the `channel` and `ts` of a posted message.
    pub answer: Value,
}

/// A failure to inject into the next call(s) of a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `Retry-After` and `{"ok":false,"error":"ratelimited"}`.
    RateLimited { retry_after_secs: u64 },
    /// HTTP 500 with an HTML body, as a load balancer would send.
    ServerError,
    /// HTTP 200 with `{"ok":false,"error":code}`.
    SlackError(String),
    /// No answer: the call is recorded (status 0) and held open until [`FakeSlack::heal`] clears the method's faults
    /// or the fake is dropped. It never takes effect: once released it gets a 503, as from a load balancer that gave
    /// up waiting.
    Hang,
}

/// A member of the fake workspace.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: String,
    pub name: String,
    pub tz: String,
    /// Deactivated ([`FakeSlack::deactivate_user`]).
    pub deleted: bool,
    /// `profile.email` in `users.info`: `<id in lower case>@example.com` unless set with [`FakeSlack::set_email`];
    /// `None` leaves the field out, as Slack does for an account without one.
    pub email: Option<String>,
    /// An app's bot user ([`FakeSlack::add_bot`]).
    pub is_bot: bool,
}

/// A file as the fake holds it (the external upload flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeFile {
    pub id: String,
    /// The `filename` given to `files.getUploadURLExternal`.
    pub name: String,
    /// The declared length.
    pub length: u64,
    /// The uploaded bytes, once uploaded.
    pub bytes: Option<Vec<u8>>,
    /// The title given on completion.
    pub title: Option<String>,
    /// The channels it was shared in, once per `files.completeUploadExternal` that shared it.
    pub shared_in: Vec<String>,
    /// The `initial_comment` of the last completion, if any.
    pub comment: Option<String>,
}

/// A channel of the workspace with its members, for `conversations.members` ([`FakeSlack::add_public_channel`],
/// [`FakeSlack::add_private_channel`]).
#[derive(Debug, Clone)]
struct Room {
    private: bool,
    members: Vec<String>,
    /// Tandem's bot is a member (needed to read a private channel's members).
    bot_in: bool,
}

/// The bot scopes the fake grants Tandem's token: the ones `manifest.yml` requests. A method needing a scope not
/// granted (or withheld with [`FakeSlack::withhold_scope`]) answers `missing_scope`, as Slack does.
pub const GRANTED_SCOPES: &[&str] = &[
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "users:read",
    "users:read.email",
    "files:write",
    "channels:read",
    "groups:read",
    "usergroups:read",
];

/// Methods that read their arguments from the query string or a form only (Slack's read methods: "This method does
/// not currently accept application/json"): Slack ignores a JSON body for them, so the fake does too, and a client
/// sending its arguments as JSON gets Slack's answer for an absent required argument — `invalid_arguments`,
/// `[ERROR] missing required field: <name>` — instead of what it asked for.
pub const FORM_ONLY: &[&str] = &[
    "users.info",
    "users.lookupByEmail",
    "conversations.members",
    "usergroups.users.list",
    "files.getUploadURLExternal",
];

struct Trigger {
    issued: Instant,
    used: bool,
    user: Option<String>,
}

#[derive(Default)]
struct Data {
    calls: Vec<Call>,
    faults: HashMap<String, VecDeque<Fault>>,
    triggers: HashMap<String, Trigger>,
    users: BTreeMap<String, FakeUser>,
    channels: BTreeMap<String, Vec<String>>,
    /// Workspace channels by ID, for `conversations.members`.
    rooms: BTreeMap<String, Room>,
    /// User groups by ID: their members.
    usergroups: BTreeMap<String, Vec<String>>,
    /// Scopes taken away from the token ([`FakeSlack::withhold_scope`]).
    withheld: std::collections::BTreeSet<String>,
    /// (channel, ts) → the message as last posted or updated.
    messages: BTreeMap<(String, String), Value>,
    /// Home tabs as last published, by user.
    homes: BTreeMap<String, Value>,
    /// Open modals by view ID.
    views: BTreeMap<String, Value>,
    /// Files by ID.
    files: BTreeMap<String, FakeFile>,
    /// Modals opened, in order, with the user whose trigger opened them.
    opened: Vec<(Option<String>, String)>,
    limits: Option<MessageLimits>,
    /// When each channel last accepted a message, and the workspace's token bucket (tokens, last refill).
    last_post: HashMap<String, Instant>,
    bucket: (f64, Option<Instant>),
    rate_limited: u64,
    /// Methods whose every call hangs until healed ([`FakeSlack::hang`]).
    hanging: std::collections::HashSet<String>,
    /// How many times each method was healed: a hung call is released once its method's count moves on.
    heals: HashMap<String, u64>,
    /// The fake was dropped: every hung call is released.
    closed: bool,
}

/// Slack's limits on `chat.postMessage`, enforced when set: about one message a second per channel, and a
/// workspace-wide ceiling. A message over either gets 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MessageLimits {
    pub per_channel_per_sec: f64,
    pub workspace_per_min: f64,
}

impl Data {
    /// `Some(retry_after_secs)` when this message is over a limit; otherwise counts it.
    fn over_limit(&mut self, channel: &str, now: Instant) -> Option<u64> {
        let limits = self.limits?;
        if let Some(last) = self.last_post.get(channel) {
            let gap = std::time::Duration::from_secs_f64(1.0 / limits.per_channel_per_sec);
            if now.duration_since(*last) < gap {
                return Some(
                    gap.saturating_sub(now.duration_since(*last))
                        .as_secs_f64()
                        .ceil()
                        .max(1.0) as u64,
                );
            }
        }
        let per_sec = limits.workspace_per_min / 60.0;
        let capacity = per_sec.max(1.0);
        let (tokens, last) = self.bucket;
        let tokens = match last {
            Some(last) => (tokens + now.duration_since(last).as_secs_f64() * per_sec).min(capacity),
            None => capacity,
        };
        if tokens < 1.0 {
            self.bucket = (tokens, Some(now));
            return Some(((1.0 - tokens) / per_sec).ceil().max(1.0) as u64);
        }
        self.bucket = (tokens - 1.0, Some(now));
        self.last_post.insert(channel.to_string(), now);
        None
    }
}

pub(crate) struct Shared {
    bot_token: String,
    app_token: String,
    data: Mutex<Data>,
    seq: AtomicU64,
    calls_seen: watch::Sender<usize>,
    /// Bumped whenever hung calls may be released (a heal, or the fake dropped).
    releases: watch::Sender<u64>,
    addr: SocketAddr,
    recording: std::sync::atomic::AtomicBool,
    pub(crate) socket: socket::SocketSide,
}

impl Shared {
    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn next(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }
    /// Waits until `method` is healed after `heals` (its heal count when the call arrived), or the fake is dropped.
    async fn held(&self, method: &str, heals: u64, mut releases: watch::Receiver<u64>) {
        loop {
            {
                let data = self.data();
                if data.closed || data.heals.get(method).copied().unwrap_or(0) > heals {
                    return;
                }
            }
            if releases.changed().await.is_err() {
                return;
            }
        }
    }
    /// Releases every hung call.
    fn close(&self) {
        self.data().closed = true;
        self.releases.send_modify(|n| *n += 1);
    }
}

/// The fake Slack Web API (and Socket Mode endpoint) on loopback.
#[derive(Clone)]
pub struct FakeSlack {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _tasks: Arc<TaskGuard>,
}

/// Stops the fake's tasks and releases hung calls when the last clone of the [`FakeSlack`] goes.
struct TaskGuard {
    tasks: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
}
impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.shared.close();
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The fake's answer: status, optional `Retry-After`, JSON body.
type Answer = (StatusCode, Option<u64>, Value);

fn ok(mut extra: Value) -> Answer {
    extra["ok"] = json!(true);
    (StatusCode::OK, None, extra)
}

fn refuse(code: &str) -> Answer {
    (StatusCode::OK, None, json!({ "ok": false, "error": code }))
}

fn invalid(problems: Vec<String>, code: &str) -> Answer {
    let messages: Vec<String> = problems.iter().map(|p| format!("[ERROR] {p}")).collect();
    (
        StatusCode::OK,
        None,
        json!({ "ok": false, "error": code, "response_metadata": { "messages": messages } }),
    )
}

impl FakeSlack {
    /// Starts the fake on `127.0.0.1:0` with the tokens it accepts.
    pub async fn start(bot_token: &str, app_token: &str) -> std::io::Result<FakeSlack> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (socket_side, socket_task) = socket::SocketSide::start().await?;
        let shared = Arc::new(Shared {
            bot_token: bot_token.to_string(),
            app_token: app_token.to_string(),
            data: Mutex::new(Data::default()),
            seq: AtomicU64::new(0),
            calls_seen: watch::channel(0).0,
            releases: watch::channel(0).0,
            addr,
            recording: std::sync::atomic::AtomicBool::new(true),
            socket: socket_side,
        });
        let router = Router::new()
            .route("/api/{method}", post(api).get(api))
            .route("/hooks/{id}", post(hook))
            .route("/upload/{file_id}", post(upload))
            .route("/sandbox/stats", axum::routing::get(stats))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(FakeSlack {
            shared: shared.clone(),
            addr,
            _tasks: Arc::new(TaskGuard {
                tasks: vec![server, socket_task],
                shared,
            }),
        })
    }

    /// The base URL to give Tandem as `SLACK_API_URL`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// Adds a member of the workspace (for `users.info`, DMs and `conversations.open`).
    pub fn add_user(&self, id: &str, name: &str, tz: &str) {
        self.shared.data().users.insert(
            id.to_string(),
            FakeUser {
                id: id.to_string(),
                name: name.to_string(),
                tz: tz.to_string(),
                deleted: false,
                email: Some(format!("{}@example.com", id.to_lowercase())),
                is_bot: false,
            },
        );
    }

    /// Adds an app's bot user (`is_bot: true`, no e-mail address): it shows up among channel members.
    pub fn add_bot(&self, id: &str, name: &str) {
        self.shared.data().users.insert(
            id.to_string(),
            FakeUser {
                id: id.to_string(),
                name: name.to_string(),
                tz: "America/Los_Angeles".to_string(),
                deleted: false,
                email: None,
                is_bot: true,
            },
        );
    }

    /// Sets the e-mail address `users.lookupByEmail` finds a member by.
    pub fn set_email(&self, id: &str, email: &str) {
        if let Some(u) = self.shared.data().users.get_mut(id) {
            u.email = Some(email.to_string());
        }
    }

    /// Adds a public channel with these members; Tandem's bot is not one of them (with `channels:read` it can still
    /// list the members, as in Slack).
    pub fn add_public_channel(&self, id: &str, members: &[&str]) {
        self.add_room(id, false, members, false);
    }

    /// Adds a private channel with these members; only when `tandem_is_member` can Tandem list them (otherwise
    /// Slack answers `channel_not_found`, as if the channel did not exist).
    pub fn add_private_channel(&self, id: &str, members: &[&str], tandem_is_member: bool) {
        self.add_room(id, true, members, tandem_is_member);
    }

    fn add_room(&self, id: &str, private: bool, members: &[&str], bot_in: bool) {
        self.shared.data().rooms.insert(
            id.to_string(),
            Room {
                private,
                members: members.iter().map(|m| m.to_string()).collect(),
                bot_in,
            },
        );
    }

    /// Adds a user group (`S…`) with these members.
    pub fn add_usergroup(&self, id: &str, members: &[&str]) {
        self.shared.data().usergroups.insert(
            id.to_string(),
            members.iter().map(|m| m.to_string()).collect(),
        );
    }

    /// Takes a scope away from Tandem's token: methods that need it answer `missing_scope` (with `needed` and
    /// `provided`, as Slack does), e.g. an app installed before the manifest gained the scope.
    pub fn withhold_scope(&self, scope: &str) {
        self.shared.data().withheld.insert(scope.to_string());
    }

    /// Deactivates a member, as an admin does when someone leaves the firm: `users.info` answers `deleted: true`,
    /// `conversations.open` with them answers `user_disabled`, and a message to them (by user ID or in their DM)
    /// answers `user_not_found`. (Slack itself has been seen to accept such a post and deliver it nowhere; the fake
    /// refuses it so that a test notices a message Tandem should not have sent.) Sends no event: a test sends the
    /// `user_change` event itself ([`crate::sandbox::driver::user_deactivated`]), or not, to exercise the fallback.
    pub fn deactivate_user(&self, id: &str) {
        if let Some(u) = self.shared.data().users.get_mut(id) {
            u.deleted = true;
        }
    }

    /// Removes a member's e-mail address: `users.info` leaves it out, as Slack does for an account without one.
    pub fn remove_email(&self, id: &str) {
        if let Some(u) = self.shared.data().users.get_mut(id) {
            u.email = None;
        }
    }

    /// Adds a channel the bot is a member of (e.g. the managers' channel).
    pub fn add_channel(&self, id: &str) {
        self.shared
            .data()
            .channels
            .insert(id.to_string(), Vec::new());
    }

    /// Enforces Slack-like rate limits on `chat.postMessage` from now on.
    pub fn set_message_limits(&self, limits: MessageLimits) {
        self.shared.data().limits = Some(limits);
    }

    /// The files uploaded so far (shared or not): (file ID, bytes).
    pub fn uploaded_files(&self) -> Vec<(String, Vec<u8>)> {
        self.shared
            .data()
            .files
            .iter()
            .filter_map(|(id, f)| f.bytes.clone().map(|b| (id.clone(), b)))
            .collect()
    }

    /// Every file Slack was told about, in the order of their IDs (the order they were started).
    pub fn files(&self) -> Vec<FakeFile> {
        self.shared.data().files.values().cloned().collect()
    }

    /// The files shared in `channel`, once per share, in order.
    pub fn files_shared_in(&self, channel: &str) -> Vec<FakeFile> {
        let data = self.shared.data();
        let mut shares: Vec<(String, FakeFile)> = data
            .messages
            .iter()
            .filter(|((c, _), _)| c == channel)
            .flat_map(|((_, ts), m)| {
                m["files"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|f| f["id"].as_str().and_then(|id| data.files.get(id)).cloned())
                    .map(|f| (ts.clone(), f))
                    .collect::<Vec<_>>()
            })
            .collect();
        shares.sort_by(|a, b| a.0.cmp(&b.0));
        shares.into_iter().map(|(_, f)| f).collect()
    }

    /// How many `chat.postMessage` calls were refused with 429 by [`FakeSlack::set_message_limits`].
    pub fn rate_limited(&self) -> u64 {
        self.shared.data().rate_limited
    }

    /// Registers channels the bot is in, in bulk.
    pub fn add_channels<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut data = self.shared.data();
        for id in ids {
            data.channels.insert(id.to_string(), Vec::new());
        }
    }

    /// How many messages each channel received (for "none twice").
    pub fn message_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (channel, _) in self.shared.data().messages.keys() {
            *counts.entry(channel.clone()).or_default() += 1;
        }
        counts
    }

    /// Stops keeping a log of calls (a benchmark's thousands of calls need no log); messages are still kept.
    pub fn stop_recording(&self) {
        self.shared.recording.store(false, Ordering::Relaxed);
    }

    /// Makes the next `times` calls of `method` fail with `fault`.
    pub fn fail_next(&self, method: &str, fault: Fault, times: usize) {
        let mut data = self.shared.data();
        let queue = data.faults.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    /// Makes every call of `method` hang ([`Fault::Hang`]) until [`FakeSlack::heal`].
    pub fn hang(&self, method: &str) {
        self.shared.data().hanging.insert(method.to_string());
    }

    /// Clears `method`'s pending faults (and [`FakeSlack::hang`]) and releases its hung calls: they get a 503 and
    /// take no effect; later calls are answered normally.
    pub fn heal(&self, method: &str) {
        {
            let mut data = self.shared.data();
            data.faults.remove(method);
            data.hanging.remove(method);
            *data.heals.entry(method.to_string()).or_default() += 1;
        }
        self.shared.releases.send_modify(|n| *n += 1);
    }

    /// Waits (without polling) until `check` finds what it looks for in the fake's state, re-checking after every
    /// call the fake receives; gives up after `timeout` with the last thing `check` said was missing.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&FakeSlack) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut seen = self.shared.calls_seen.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let missing = match check(self) {
                Ok(found) => return Ok(found),
                Err(missing) => missing,
            };
            match tokio::time::timeout_at(deadline, seen.changed()).await {
                Ok(Ok(())) => continue,
                _ => return Err(format!("still after {timeout:?}: {missing}")),
            }
        }
    }

    /// A fresh `trigger_id`, as Slack puts in a slash command or a button press.
    pub fn issue_trigger_id(&self) -> String {
        self.issue_trigger_id_at(Instant::now())
    }

    /// A `trigger_id` issued at `issued` (in the past, to test expiry without waiting).
    pub fn issue_trigger_id_at(&self, issued: Instant) -> String {
        self.issue_trigger(issued, None)
    }

    /// A fresh `trigger_id` for something `user` did (so modals it opens are known to be theirs).
    pub fn issue_trigger_id_for(&self, user: &str) -> String {
        self.issue_trigger(Instant::now(), Some(user.to_string()))
    }

    fn issue_trigger(&self, issued: Instant, user: Option<String>) -> String {
        let id = format!(
            "{}.{}.{:032x}",
            1000 + self.shared.next(),
            4744562912u64,
            self.shared.next()
        );
        self.shared.data().triggers.insert(
            id.clone(),
            Trigger {
                issued,
                used: false,
                user,
            },
        );
        id
    }

    /// The modal most recently opened with a trigger from `user`, as Slack holds it (with its `id`).
    pub fn last_modal_for(&self, user: &str) -> Option<Value> {
        let data = self.shared.data();
        let (_, id) = data
            .opened
            .iter()
            .rev()
            .find(|(u, _)| u.as_deref() == Some(user))?;
        data.views.get(id).cloned()
    }

    /// A `response_url` for a command or a button; what Tandem posts there is recorded as method `response_url`.
    pub fn response_url(&self) -> String {
        format!("http://{}/hooks/{}", self.addr, self.shared.next())
    }

    /// What Tandem posted to response URLs, in order.
    pub fn responses(&self) -> Vec<Value> {
        self.calls_to("response_url")
            .into_iter()
            .map(|c| c.body)
            .collect()
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.data().calls.clone()
    }

    /// Calls of one method so far, in order.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.shared
            .data()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Successful calls of one method so far.
    pub fn ok_calls_to(&self, method: &str) -> Vec<Call> {
        self.calls_to(method)
            .into_iter()
            .filter(|c| c.status == 200 && c.error.is_none())
            .collect()
    }

    /// Waits (without polling) until at least `n` calls of `method` have been received; gives up after `timeout`.
    pub async fn wait_for_calls(
        &self,
        method: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Call>, String> {
        let mut seen = self.shared.calls_seen.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let calls = self.calls_to(method);
            if calls.len() >= n {
                return Ok(calls);
            }
            match tokio::time::timeout_at(deadline, seen.changed()).await {
                Ok(Ok(())) => continue,
                _ => {
                    return Err(format!(
                        "expected {n} call(s) to {method} within {timeout:?}, got {}; all calls: {:?}",
                        calls.len(),
                        self.calls()
                            .iter()
                            .map(|c| c.method.as_str())
                            .collect::<Vec<_>>()
                    ));
                }
            }
        }
    }

    /// The Home tab last published for `user`.
    pub fn home_of(&self, user: &str) -> Option<Value> {
        self.shared.data().homes.get(user).cloned()
    }

    /// The ID of the app's DM with `user`, once something was posted there.
    pub fn dm_channel_of(&self, user: &str) -> Option<String> {
        let data = self.shared.data();
        let members = vec![user.to_string()];
        data.channels
            .iter()
            .find(|(_, m)| **m == members)
            .map(|(id, _)| id.clone())
    }

    /// The group DM of exactly these members, once opened.
    pub fn messages_in_group(&self, a: &str, b: &str) -> Option<String> {
        let mut members = vec![a.to_string(), b.to_string()];
        members.sort();
        let data = self.shared.data();
        data.channels
            .iter()
            .find(|(_, m)| **m == members)
            .map(|(id, _)| id.clone())
    }

    /// Every message in the app's DM with `user`, oldest first.
    pub fn dms_to(&self, user: &str) -> Vec<Value> {
        self.dm_channel_of(user)
            .map(|c| self.messages_in(&c))
            .unwrap_or_default()
    }

    /// Every message in a channel, oldest first, as last posted or updated.
    pub fn messages_in(&self, channel: &str) -> Vec<Value> {
        self.shared
            .data()
            .messages
            .iter()
            .filter(|((c, _), _)| c == channel)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// The Socket Mode side: push envelopes to a connected Tandem.
    pub fn socket(&self) -> &socket::SocketSide {
        &self.shared.socket
    }

    /// How many calls have been recorded so far (a cursor for [`FakeSlack::calls_since`]).
    pub fn call_count(&self) -> usize {
        self.shared.data().calls.len()
    }

    /// The calls recorded after the first `start`, in order (cheaper than [`FakeSlack::calls`] in a long run).
    pub fn calls_since(&self, start: usize) -> Vec<Call> {
        self.shared
            .data()
            .calls
            .get(start..)
            .map(<[Call]>::to_vec)
            .unwrap_or_default()
    }

    /// A member of the workspace, by ID.
    pub fn user(&self, id: &str) -> Option<FakeUser> {
        self.shared.data().users.get(id).cloned()
    }

    /// The members of a DM or group DM (sorted), or an empty list for a channel; `None` when the channel is unknown.
    pub fn members_of(&self, channel: &str) -> Option<Vec<String>> {
        self.shared.data().channels.get(channel).cloned()
    }
}

fn record(shared: &Shared, call: Call) {
    if shared.recording.load(Ordering::Relaxed) {
        shared.data().calls.push(call);
    }
    shared.calls_seen.send_modify(|n| *n += 1);
}

/// Parses a Web API body: JSON, or a form whose JSON-valued fields (`view`, `blocks`, …) are decoded.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Option<Value> {
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if body.is_empty() {
        return Some(json!({}));
    }
    if ctype.starts_with("application/json") {
        return serde_json::from_slice(body).ok();
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let mut map = Map::new();
    for (k, v) in pairs {
        let value = if ["view", "blocks", "attachments"].contains(&k.as_str()) {
            serde_json::from_str(&v).unwrap_or(Value::String(v))
        } else {
            Value::String(v)
        };
        map.insert(k, value);
    }
    Some(Value::Object(map))
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let mut parsed = parse_body(&headers, &body);
    let json_body = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if json_body && FORM_ONLY.contains(&method.as_str()) && parsed.is_some() {
        parsed = Some(json!({}));
    }
    // GET methods carry their arguments in the query string.
    if let (Some(q), Some(Value::Object(map))) = (query.as_deref(), parsed.as_mut()) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        for (k, v) in pairs {
            map.entry(k).or_insert(Value::String(v));
        }
    }
    // Subscribed before the fault is taken, and the heal count read under the same lock: a heal that comes after
    // this call took a Hang always releases it.
    let releases = shared.releases.subscribe();
    let (fault, heals) = {
        let mut data = shared.data();
        let queued = data.faults.get_mut(&method).and_then(VecDeque::pop_front);
        let fault = queued.or_else(|| data.hanging.contains(&method).then_some(Fault::Hang));
        (fault, data.heals.get(&method).copied().unwrap_or(0))
    };
    if fault == Some(Fault::Hang) {
        record(
            &shared,
            Call {
                method: method.clone(),
                token,
                body: parsed.unwrap_or(Value::Null),
                status: 0,
                error: None,
                at: Instant::now(),
                answer: Value::Null,
            },
        );
        shared.held(&method, heals, releases).await;
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "text/html")],
            "<html><body>503 Service Unavailable</body></html>",
        )
            .into_response();
    }
    let limited = match (&parsed, method.as_str()) {
        (Some(body), "chat.postMessage") => {
            let mut data = shared.data();
            let over = body["channel"]
                .as_str()
                .and_then(|c| data.over_limit(c, Instant::now()));
            if over.is_some() {
                data.rate_limited += 1;
            }
            over
        }
        _ => None,
    };
    let fault = fault.or(limited.map(|retry_after_secs| Fault::RateLimited { retry_after_secs }));
    let (status, retry_after, answer) = match (&parsed, fault) {
        (_, Some(Fault::RateLimited { retry_after_secs })) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some(retry_after_secs),
            json!({ "ok": false, "error": "ratelimited" }),
        ),
        (_, Some(Fault::ServerError)) => (StatusCode::INTERNAL_SERVER_ERROR, None, Value::Null),
        (_, Some(Fault::SlackError(code))) => refuse(&code),
        (_, Some(Fault::Hang)) => unreachable!("a hung call was held above"),
        (None, None) => refuse("invalid_form_data"),
        (Some(body), None) => answer(&shared, &method, token.as_deref(), body),
    };
    record(
        &shared,
        Call {
            method,
            token,
            body: parsed.unwrap_or(Value::Null),
            status: status.as_u16(),
            error: answer["error"].as_str().map(str::to_string),
            at: Instant::now(),
            answer: answer.clone(),
        },
    );
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        return (
            status,
            [("content-type", "text/html")],
            "<html><body>500 Internal Server Error</body></html>",
        )
            .into_response();
    }
    let mut response = (status, Json(answer)).into_response();
    if let Some(secs) = retry_after
        && let Ok(v) = secs.to_string().parse()
    {
        response.headers_mut().insert("retry-after", v);
    }
    response
}

/// What the fake received, for a benchmark running it in another process.
async fn stats(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let data = shared.data();
    let mut per_channel: HashMap<&str, usize> = HashMap::new();
    for (channel, _) in data.messages.keys() {
        *per_channel.entry(channel.as_str()).or_default() += 1;
    }
    Json(json!({
        "messages": data.messages.len(),
        "channels_with_messages": per_channel.len(),
        "max_per_channel": per_channel.values().max().copied().unwrap_or(0),
        "rate_limited": data.rate_limited,
    }))
}

/// A post to a `response_url`: JSON with `text` or `blocks`, no token (the URL is the credential). Blocks that break
/// Block Kit's message limits are refused as Slack refuses them: HTTP 400, `invalid_blocks`.
async fn hook(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let parsed = parse_body(&headers, &body)
        .filter(|b| b.get("text").is_some() || b.get("blocks").is_some());
    let bad_blocks = parsed
        .as_ref()
        .and_then(|b| b.get("blocks"))
        .is_some_and(|b| !crate::views::limits::check_message_blocks(b).is_empty());
    let status = if parsed.is_some() && !bad_blocks {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    record(
        &shared,
        Call {
            method: "response_url".to_string(),
            token: None,
            body: parsed.unwrap_or(Value::Null),
            status: status.as_u16(),
            error: None,
            at: Instant::now(),
            answer: Value::Null,
        },
    );
    (
        status,
        if status == StatusCode::OK {
            "ok"
        } else if bad_blocks {
            "invalid_blocks"
        } else {
            "invalid_payload"
        },
    )
        .into_response()
}

fn answer(shared: &Shared, method: &str, token: Option<&str>, body: &Value) -> Answer {
    let wanted = if method == "apps.connections.open" {
        &shared.app_token
    } else {
        &shared.bot_token
    };
    match token {
        None => return refuse("not_authed"),
        Some(t) if t != wanted => return refuse("invalid_auth"),
        Some(_) => {}
    }
    match method {
        "auth.test" => ok(
            json!({ "url": "https://tandem-sandbox.slack.com/", "team": "Sandbox LLP", "user": "tandem", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "B0TANDEM" }),
        ),
        "apps.connections.open" => ok(json!({ "url": shared.socket.url() })),
        "views.open" => views_open(shared, body),
        "views.update" => views_update(shared, body),
        "views.publish" => views_publish(shared, body),
        "chat.postMessage" => post_message(shared, body),
        "chat.update" => chat_update(shared, body),
        "chat.postEphemeral" => post_ephemeral(shared, body),
        "conversations.open" => conversations_open(shared, body),
        "users.info" => users_info(shared, body),
        "conversations.members" => conversations_members(shared, body),
        "usergroups.users.list" => usergroups_users_list(shared, body),
        "users.lookupByEmail" => lookup_by_email(shared, body),
        "files.getUploadURLExternal" => get_upload_url(shared, body),
        "files.completeUploadExternal" => complete_upload(shared, body),
        _ => refuse("unknown_method"),
    }
}

fn view_answer(shared: &Shared, view: &Value, id: Option<&str>) -> Value {
    let id = id
        .map(str::to_string)
        .unwrap_or_else(|| format!("V{:010}", shared.next()));
    let mut v = view.clone();
    v["id"] = json!(id);
    v["team_id"] = json!(TEAM_ID);
    v["hash"] = json!(format!(
        "{}.{:08x}",
        1_700_000_000 + shared.next(),
        shared.next()
    ));
    v["app_id"] = json!("A0TANDEM");
    v["bot_id"] = json!("B0TANDEM");
    v["root_view_id"] = json!(id);
    v["state"] = json!({ "values": {} });
    for key in ["private_metadata", "callback_id", "external_id"] {
        if v.get(key).is_none() {
            v[key] = json!("");
        }
    }
    json!({ "view": v })
}

fn views_open(shared: &Shared, body: &Value) -> Answer {
    let Some(trigger_id) = body["trigger_id"].as_str() else {
        return refuse("invalid_arguments");
    };
    let user = {
        let mut data = shared.data();
        let Some(trigger) = data.triggers.get_mut(trigger_id) else {
            return refuse("invalid_trigger_id");
        };
        if trigger.used {
            return refuse("exchanged_trigger_id");
        }
        if trigger.issued.elapsed() > TRIGGER_LIFETIME {
            return refuse("expired_trigger_id");
        }
        trigger.used = true;
        trigger.user.clone()
    };
    let view = &body["view"];
    if view["type"] != "modal" {
        return invalid(
            vec!["view.type: views.open takes a modal".into()],
            "invalid_arguments",
        );
    }
    let problems = crate::views::limits::check_view(view);
    if !problems.is_empty() {
        return invalid(problems, "invalid_arguments");
    }
    let answer = view_answer(shared, view, None);
    if let Some(id) = answer["view"]["id"].as_str() {
        let mut data = shared.data();
        data.views.insert(id.to_string(), answer["view"].clone());
        data.opened.push((user, id.to_string()));
    }
    ok(answer)
}

fn views_update(shared: &Shared, body: &Value) -> Answer {
    let Some(id) = body["view_id"].as_str() else {
        return refuse("invalid_arguments");
    };
    if !shared.data().views.contains_key(id) {
        return refuse("not_found");
    }
    let problems = crate::views::limits::check_view(&body["view"]);
    if !problems.is_empty() {
        return invalid(problems, "invalid_arguments");
    }
    let answer = view_answer(shared, &body["view"], Some(id));
    shared
        .data()
        .views
        .insert(id.to_string(), answer["view"].clone());
    ok(answer)
}

fn views_publish(shared: &Shared, body: &Value) -> Answer {
    let Some(user) = body["user_id"].as_str() else {
        return refuse("invalid_arguments");
    };
    if !shared.data().users.contains_key(user) {
        return refuse("user_not_found");
    }
    let view = &body["view"];
    if view["type"] != "home" {
        return invalid(
            vec!["view.type: views.publish takes a home view".into()],
            "invalid_arguments",
        );
    }
    let problems = crate::views::limits::check_view(view);
    if !problems.is_empty() {
        return invalid(problems, "invalid_arguments");
    }
    shared.data().homes.insert(user.to_string(), view.clone());
    ok(view_answer(shared, view, None))
}

/// A channel the bot can post to: a known channel, an opened DM/group DM, or a user ID (Slack opens the DM).
fn known_channel(data: &Data, channel: &str) -> bool {
    data.channels.contains_key(channel) || data.users.contains_key(channel)
}

fn message_checks(body: &Value) -> Option<Answer> {
    let has_text = body["text"].as_str().is_some_and(|t| !t.is_empty());
    let blocks = body.get("blocks").filter(|b| !b.is_null());
    if !has_text && blocks.is_none() {
        return Some(refuse("no_text"));
    }
    if has_text
        && body["text"]
            .as_str()
            .map(|t| t.chars().count())
            .unwrap_or(0)
            > 40_000
    {
        return Some(refuse("msg_too_long"));
    }
    if let Some(b) = blocks {
        let problems = crate::views::limits::check_message_blocks(b);
        if !problems.is_empty() {
            return Some(invalid(problems, "invalid_blocks"));
        }
    }
    None
}

/// Slack posts a message addressed to a user ID into the app's DM with that user, and answers with the DM's ID.
fn resolve_channel(shared: &Shared, channel: &str) -> Option<String> {
    let mut data = shared.data();
    if data.channels.contains_key(channel) {
        return Some(channel.to_string());
    }
    if !data.users.contains_key(channel) {
        return None;
    }
    let members = vec![channel.to_string()];
    if let Some((id, _)) = data.channels.iter().find(|(_, m)| **m == members) {
        return Some(id.clone());
    }
    let id = format!("D{:09}", shared.next());
    data.channels.insert(id.clone(), members);
    Some(id)
}

/// A DM whose one member is deactivated.
fn to_deactivated(shared: &Shared, channel: &str) -> bool {
    let data = shared.data();
    match data.channels.get(channel).map(Vec::as_slice) {
        Some([only]) => data.users.get(only).is_some_and(|u| u.deleted),
        _ => false,
    }
}

fn post_message(shared: &Shared, body: &Value) -> Answer {
    let Some(channel) = body["channel"]
        .as_str()
        .and_then(|c| resolve_channel(shared, c))
    else {
        return refuse("channel_not_found");
    };
    let channel = channel.as_str();
    if to_deactivated(shared, channel) {
        return refuse("user_not_found");
    }
    if let Some(refused) = message_checks(body) {
        return refused;
    }
    let ts = format!(
        "{}.{:06}",
        1_700_000_000 + shared.next(),
        shared.next() % 1_000_000
    );
    let message = json!({
        "type": "message", "user": BOT_USER_ID, "bot_id": "B0TANDEM", "app_id": "A0TANDEM", "team": TEAM_ID,
        "text": body["text"], "blocks": body.get("blocks").cloned().unwrap_or(json!([])), "ts": ts,
    });
    shared
        .data()
        .messages
        .insert((channel.to_string(), ts.clone()), message.clone());
    ok(json!({ "channel": channel, "ts": ts, "message": message }))
}

fn chat_update(shared: &Shared, body: &Value) -> Answer {
    let (Some(channel), Some(ts)) = (body["channel"].as_str(), body["ts"].as_str()) else {
        return refuse("invalid_arguments");
    };
    let key = (channel.to_string(), ts.to_string());
    if !shared.data().messages.contains_key(&key) {
        return refuse("message_not_found");
    }
    if let Some(refused) = message_checks(body) {
        return refused;
    }
    let mut data = shared.data();
    let Some(message) = data.messages.get_mut(&key) else {
        return refuse("message_not_found");
    };
    message["text"] = body["text"].clone();
    message["blocks"] = body.get("blocks").cloned().unwrap_or(json!([]));
    message["edited"] = json!({ "user": BOT_USER_ID, "ts": ts });
    let message = message.clone();
    ok(json!({ "channel": channel, "ts": ts, "text": body["text"], "message": message }))
}

fn post_ephemeral(shared: &Shared, body: &Value) -> Answer {
    let (Some(channel), Some(user)) = (body["channel"].as_str(), body["user"].as_str()) else {
        return refuse("invalid_arguments");
    };
    let data = shared.data();
    if !known_channel(&data, channel) {
        return refuse("channel_not_found");
    }
    if !data.users.contains_key(user) {
        return refuse("user_not_found");
    }
    drop(data);
    if let Some(refused) = message_checks(body) {
        return refused;
    }
    ok(json!({ "message_ts": format!("{}.000100", 1_700_000_000 + shared.next()) }))
}

fn conversations_open(shared: &Shared, body: &Value) -> Answer {
    let users: Vec<String> = match &body["users"] {
        Value::String(s) => s
            .split(',')
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|u| u.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    if users.is_empty() || users.len() > 8 {
        return refuse(if users.is_empty() {
            "users_list_not_supplied"
        } else {
            "too_many_users"
        });
    }
    let mut data = shared.data();
    if let Some(unknown) = users.iter().find(|u| !data.users.contains_key(*u)) {
        let _ = unknown;
        return refuse("user_not_found");
    }
    if users.iter().any(|u| data.users[u].deleted) {
        return refuse("user_disabled");
    }
    let mut members = users.clone();
    members.sort();
    members.dedup();
    let existing = data
        .channels
        .iter()
        .find(|(_, m)| **m == members)
        .map(|(id, _)| id.clone());
    let id = existing.unwrap_or_else(|| {
        let prefix = if members.len() == 1 { 'D' } else { 'G' };
        let id = format!("{prefix}{:09}", shared.next());
        data.channels.insert(id.clone(), members.clone());
        id
    });
    ok(
        json!({ "channel": { "id": id, "is_im": members.len() == 1, "is_mpim": members.len() > 1 } }),
    )
}

/// Slack's answer to a call without a required argument (absent, not empty: an empty one names nothing, and gets the
/// method's own error for that).
fn missing(field: &str) -> Answer {
    invalid(
        vec![format!("missing required field: {field}")],
        "invalid_arguments",
    )
}

fn users_info(shared: &Shared, body: &Value) -> Answer {
    if body.get("user").is_none() {
        return missing("user");
    }
    let Some(id) = arg(body, "user") else {
        return refuse("user_not_found");
    };
    let data = shared.data();
    let Some(u) = data.users.get(&id) else {
        return refuse("user_not_found");
    };
    ok(json!({ "user": user_object(u) }))
}

/// Slack's user object, as `users.info` and `users.lookupByEmail` return it.
fn user_object(u: &FakeUser) -> Value {
    let offset = chrono_tz_offset(&u.tz);
    let mut profile = json!({ "real_name": u.name, "display_name": u.name });
    if let Some(e) = &u.email {
        profile["email"] = json!(e);
    }
    if u.is_bot {
        profile["bot_id"] = json!(format!("B{}", u.id.trim_start_matches('U')));
    }
    json!({
        "id": u.id, "team_id": TEAM_ID, "name": u.name.to_lowercase().replace(' ', "."), "real_name": u.name,
        "deleted": u.deleted, "is_bot": u.is_bot, "is_app_user": false, "tz": u.tz, "tz_label": u.tz,
        "tz_offset": offset, "profile": profile,
    })
}

/// `Some(answer)` when the token lacks `scope`: Slack's `missing_scope`, naming what was needed and what the token
/// has.
fn lacks_scope(shared: &Shared, scope: &str) -> Option<Answer> {
    let data = shared.data();
    let provided: Vec<&str> = GRANTED_SCOPES
        .iter()
        .copied()
        .filter(|s| !data.withheld.contains(*s))
        .collect();
    (!provided.contains(&scope)).then(|| {
        (
            StatusCode::OK,
            None,
            json!({ "ok": false, "error": "missing_scope", "needed": scope, "provided": provided.join(",") }),
        )
    })
}

/// An argument as a string (Slack reads query and form values as text; a number in JSON counts too).
fn arg(body: &Value, name: &str) -> Option<String> {
    match &body[name] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `conversations.members`: a page of a channel's member IDs (bots included) and the cursor of the next page
/// (`""` after the last). Needs `channels:read` for a public channel, `groups:read` and membership for a private one.
fn conversations_members(shared: &Shared, body: &Value) -> Answer {
    if body.get("channel").is_none() {
        return missing("channel");
    }
    let Some(channel) = arg(body, "channel") else {
        return refuse("channel_not_found");
    };
    let room = shared.data().rooms.get(&channel).cloned();
    let Some(room) = room else {
        return refuse("channel_not_found");
    };
    if let Some(refused) = lacks_scope(
        shared,
        if room.private {
            "groups:read"
        } else {
            "channels:read"
        },
    ) {
        return refused;
    }
    if room.private && !room.bot_in {
        return refuse("channel_not_found");
    }
    let limit = match arg(body, "limit").map(|l| l.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..1000).contains(&n) => n,
        Some(_) => return refuse("invalid_limit"),
    };
    let start = match arg(body, "cursor") {
        None => 0,
        Some(c) => match c
            .strip_prefix("dXNlcjpV")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) if n < room.members.len() => n,
            _ => return refuse("invalid_cursor"),
        },
    };
    let end = (start + limit).min(room.members.len());
    let next = if end < room.members.len() {
        format!("dXNlcjpV{end}")
    } else {
        String::new()
    };
    ok(json!({ "members": room.members[start..end], "response_metadata": { "next_cursor": next } }))
}

/// `usergroups.users.list`: the member IDs of a user group. Needs `usergroups:read`.
fn usergroups_users_list(shared: &Shared, body: &Value) -> Answer {
    if let Some(refused) = lacks_scope(shared, "usergroups:read") {
        return refused;
    }
    if body.get("usergroup").is_none() {
        return missing("usergroup");
    }
    let Some(group) = arg(body, "usergroup") else {
        return refuse("no_such_subteam");
    };
    match shared.data().usergroups.get(&group) {
        Some(members) => ok(json!({ "users": members })),
        None => refuse("no_such_subteam"),
    }
}

/// `users.lookupByEmail`: the member with this address (case ignored), deactivated ones included; `users_not_found`
/// otherwise. Needs `users:read.email`.
fn lookup_by_email(shared: &Shared, body: &Value) -> Answer {
    if let Some(refused) = lacks_scope(shared, "users:read.email") {
        return refused;
    }
    if body.get("email").is_none() {
        return missing("email");
    }
    let Some(email) = arg(body, "email") else {
        return refuse("users_not_found");
    };
    let data = shared.data();
    match data.users.values().find(|u| {
        u.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(email.trim()))
    }) {
        Some(u) => ok(json!({ "user": user_object(u) })),
        None => refuse("users_not_found"),
    }
}

fn chrono_tz_offset(tz: &str) -> i64 {
    use chrono::{Offset, TimeZone, Utc};
    tz.parse::<chrono_tz::Tz>()
        .map(|z| {
            i64::from(
                z.offset_from_utc_datetime(&Utc::now().naive_utc())
                    .fix()
                    .local_minus_utc(),
            )
        })
        .unwrap_or(0)
}

/// The bot token the sandbox's fake Slack accepts.
pub const SANDBOX_BOT_TOKEN: &str = "xoxb-0000-sandbox-bot-token";
/// The app-level token the sandbox's fake Slack accepts for Socket Mode.
pub const SANDBOX_APP_TOKEN: &str = "xapp-1-A0TANDEM-sandbox-app-token";
/// The signing secret the sandbox signs requests with.
pub const SANDBOX_SIGNING_SECRET: &str = "sandbox-signing-secret-0123456789";

/// How to start a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The SQLite file (created when missing), unless `database_url` names another database.
    pub database: std::path::PathBuf,
    /// The database's URL when it is not the SQLite file `database`: a PostgreSQL database (`postgres://…`, which
    /// must exist), as the tests on PostgreSQL give it.
    pub database_url: Option<String>,
    /// Receive requests over Socket Mode as well as HTTP.
    pub socket_mode: bool,
    pub admins: Vec<String>,
    pub manager_channel: Option<String>,
    /// Further configuration variables (e.g. `TANDEM_SUMMARY_CRON`), as the environment would give them.
    pub env: Vec<(String, String)>,
    pub app: crate::startup::Options,
}

impl SandboxOptions {
    /// The database's URL: `database_url`, else `sqlite://` and the file `database`.
    pub fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.database.display()))
    }

    pub fn new(database: impl Into<std::path::PathBuf>) -> Self {
        Self {
            database: database.into(),
            database_url: None,
            socket_mode: false,
            admins: Vec::new(),
            manager_channel: None,
            env: Vec::new(),
            app: crate::startup::Options::default(),
        }
    }
}

/// Tandem's real server on `127.0.0.1:0` over a SQLite file (or the database `database_url` names), talking to a
/// [`FakeSlack`], with a [`SlackDriver`].
pub struct Sandbox {
    pub fake: FakeSlack,
    pub driver: SlackDriver,
    pub server: crate::startup::Server,
    pub options: SandboxOptions,
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot start the fake Slack: {0}")]
    Fake(std::io::Error),
    #[error("{0}")]
    Config(#[from] crate::context::config::ConfigError),
    #[error("{0}")]
    Start(#[from] crate::startup::StartError),
    #[error("cannot build an HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

impl Sandbox {
    pub async fn start(options: SandboxOptions) -> Result<Sandbox, SandboxError> {
        let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
            .await
            .map_err(SandboxError::Fake)?;
        if let Some(c) = &options.manager_channel {
            fake.add_channel(c);
        }
        Self::start_with(fake, options).await
    }

    /// Starts Tandem against an existing fake (a restart over the same database keeps the fake's records).
    pub async fn start_with(
        fake: FakeSlack,
        options: SandboxOptions,
    ) -> Result<Sandbox, SandboxError> {
        let config = sandbox_config(&fake, &options)?;
        let app = crate::startup::build(config, &options.app).await?;
        let server = crate::startup::Server::start(app, &options.app).await?;
        let driver = SlackDriver::new(
            &format!("http://{}", server.addr()),
            SANDBOX_SIGNING_SECRET,
            fake.clone(),
        )?;
        Ok(Sandbox {
            fake,
            driver,
            server,
            options,
        })
    }

    /// Stops Tandem and starts it again over the same database and fake Slack.
    pub async fn restart(self) -> Result<Sandbox, SandboxError> {
        let Sandbox {
            fake,
            server,
            options,
            ..
        } = self;
        server.shutdown().await;
        Self::start_with(fake, options).await
    }

    pub fn app(&self) -> &crate::context::App {
        self.server.app()
    }
}

fn sandbox_config(
    fake: &FakeSlack,
    options: &SandboxOptions,
) -> Result<crate::context::config::Config, crate::context::config::ConfigError> {
    let db = options.url();
    let api = fake.api_url();
    let admins = options.admins.join(",");
    crate::context::config::Config::from_lookup(|name| match name {
        "SLACK_BOT_TOKEN" => Some(SANDBOX_BOT_TOKEN.to_string()),
        "SLACK_SIGNING_SECRET" => Some(SANDBOX_SIGNING_SECRET.to_string()),
        "SLACK_APP_TOKEN" if options.socket_mode => Some(SANDBOX_APP_TOKEN.to_string()),
        "SLACK_API_URL" => Some(api.clone()),
        "DATABASE_URL" => Some(db.clone()),
        "TANDEM_LISTEN" => Some("127.0.0.1:0".to_string()),
        "TANDEM_ADMINS" => Some(admins.clone()),
        "TANDEM_MANAGER_CHANNEL" => options.manager_channel.clone(),
        other => options
            .env
            .iter()
            .find(|(k, _)| k == other)
            .map(|(_, v)| v.clone()),
    })
}

/// `files.getUploadURLExternal`: a one-time upload URL for a file of the declared length.
fn get_upload_url(shared: &Shared, body: &Value) -> Answer {
    for field in ["filename", "length"] {
        if body.get(field).is_none() {
            return missing(field);
        }
    }
    let (Some(filename), Some(length)) = (
        body["filename"].as_str(),
        body["length"].as_str().and_then(|l| l.parse::<u64>().ok()),
    ) else {
        return refuse("invalid_arguments");
    };
    if filename.is_empty() || length == 0 {
        return refuse("invalid_arguments");
    }
    let id = format!("F{:010}", shared.next());
    shared.data().files.insert(
        id.clone(),
        FakeFile {
            id: id.clone(),
            name: filename.to_string(),
            length,
            bytes: None,
            title: None,
            shared_in: Vec::new(),
            comment: None,
        },
    );
    ok(json!({ "upload_url": format!("{}/upload/{id}", shared.base_url()), "file_id": id }))
}

/// The upload itself: the bytes must match the declared length.
async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(file_id): Path<String>,
    body: Bytes,
) -> Response {
    let status = {
        let mut data = shared.data();
        match data.files.get_mut(&file_id) {
            Some(f) if f.bytes.is_none() && f.length == body.len() as u64 => {
                f.bytes = Some(body.to_vec());
                StatusCode::OK
            }
            _ => StatusCode::BAD_REQUEST,
        }
    };
    record(
        &shared,
        Call {
            method: "files.upload".to_string(),
            token: None,
            body: json!({ "file_id": file_id, "bytes": body.len() }),
            status: status.as_u16(),
            error: None,
            answer: Value::Null,
            at: Instant::now(),
        },
    );
    (status, format!("OK - {}", body.len())).into_response()
}

/// `files.completeUploadExternal`: shares uploaded files in a channel.
fn complete_upload(shared: &Shared, body: &Value) -> Answer {
    let files: Vec<Value> = match &body["files"] {
        Value::Array(a) => a.clone(),
        Value::String(s) => serde_json::from_str(s).unwrap_or_default(),
        _ => Vec::new(),
    };
    if files.is_empty() {
        return refuse("invalid_arguments");
    }
    let mut data = shared.data();
    for f in &files {
        match f["id"].as_str().and_then(|id| data.files.get(id)) {
            Some(FakeFile { bytes: Some(_), .. }) => {}
            _ => return refuse("file_not_found"),
        }
    }
    let channel = body["channel_id"].as_str();
    if let Some(channel) = channel
        && !data.channels.contains_key(channel)
    {
        return refuse("channel_not_found");
    }
    let comment = body["initial_comment"].as_str().map(str::to_string);
    let mut described = Vec::new();
    for f in &files {
        let Some(stored) = f["id"].as_str().and_then(|id| data.files.get_mut(id)) else {
            continue;
        };
        if let Some(title) = f["title"].as_str() {
            stored.title = Some(title.to_string());
        }
        if let Some(c) = channel {
            stored.shared_in.push(c.to_string());
            stored.comment = comment.clone();
        }
        described.push(json!({ "id": stored.id, "name": stored.name, "title": stored.title }));
    }
    if let Some(channel) = channel {
        let ts = format!(
            "{}.{:06}",
            1_700_000_000 + shared.next(),
            shared.next() % 1_000_000
        );
        let message = json!({ "type": "message", "user": BOT_USER_ID, "text": comment.unwrap_or_default(), "files": described, "ts": ts });
        data.messages.insert((channel.to_string(), ts), message);
    }
    ok(json!({ "files": described }))
}
