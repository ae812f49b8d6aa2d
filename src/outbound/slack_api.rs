//! Outbound only: the one Slack Web API client.
//!
//! Built in one place ([`SlackApi::new`]) on slack-morphism's hyper connector, pointed at `SLACK_API_URL`, with
//! slack-morphism's rate control on: a 429 is retried after its `Retry-After`. A 5xx or a dropped connection is retried
//! here with exponential backoff a bounded number of times, then reported. Write methods take plain JSON bodies built
//! by [`crate::views`], so what is tested is exactly what is sent; read methods take their arguments in the query
//! string ([`SlackApi::call_get`]), since Slack reads no JSON body for them.

use super::metrics::Metrics;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Once};
use std::time::Duration;

type Connector = SlackClientHyperHttpsConnector;

/// How calls are bounded and retried. Slack's rate limits are per method and workspace, so a 429 pauses the method
/// for every caller until its `Retry-After` has passed: a call made during the pause waits it out when the wait is at
/// most `max_inline_wait` (up to `rate_limit_retries` times), and otherwise returns [`ApiError::RateLimited`] at once,
/// without calling Slack, so that the caller (the jobs loop) reschedules instead of holding a worker. 5xx and
/// connection errors are retried waiting about `backoff`, `2 × backoff`, … (each wait drawn from half to one and a
/// half times that, so callers spread out). No call waits for an answer longer than `timeout`.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub rate_limit_retries: usize,
    pub max_inline_wait: Duration,
    pub server_error_retries: u32,
    pub backoff: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            rate_limit_retries: 3,
            max_inline_wait: Duration::from_secs(10),
            server_error_retries: 3,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The longest single wait between two attempts after a 5xx.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// `base × 2^(attempt-1)`, drawn from half to one and a half times that (jitter), at most [`MAX_BACKOFF`].
pub fn jittered_backoff(base: Duration, attempt: u32, unit: f64) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    exp.mul_f64(0.5 + unit.clamp(0.0, 1.0)).min(MAX_BACKOFF)
}

/// A failed Web API call. Never carries a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Slack answered `ok: false` with this error code.
    #[error("{method}: Slack refused the call: {code}")]
    Slack { method: String, code: String },
    /// Still rate-limited after the retries.
    #[error("{method}: rate-limited by Slack (retry after {retry_after_secs:?} s)")]
    RateLimited {
        method: String,
        retry_after_secs: Option<u64>,
    },
    /// An HTTP status other than 200/429, after the retries for 5xx.
    #[error("{method}: Slack answered HTTP {status}")]
    Http { method: String, status: u16 },
    /// The request did not get an answer (connection refused, reset, unparseable body).
    #[error("{method}: {message}")]
    Transport { method: String, message: String },
}

impl ApiError {
    /// The Slack error code, if Slack answered `ok: false`.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Slack { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Errors that will not go away by retrying: the user, channel or token is gone or wrong.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.code(),
            Some(
                "user_not_found"
                    | "channel_not_found"
                    | "is_archived"
                    | "account_inactive"
                    | "user_disabled"
                    | "not_in_channel"
                    | "cannot_dm_bot"
                    | "invalid_auth"
                    | "not_authed"
                    | "token_revoked"
                    | "missing_scope"
                    | "invalid_blocks"
                    | "invalid_arguments"
                    | "expired_trigger_id"
                    | "invalid_trigger_id"
                    | "exchanged_trigger_id"
            )
        )
    }
}

static CRYPTO: Once = Once::new();

/// Installs rustls' ring provider as the process default, once. Every HTTP client Tandem builds calls this first:
/// with both ring and aws-lc-rs in a dependency graph rustls cannot choose and panics at run time.
pub fn install_crypto_provider() {
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The hyper connector for the Web API: https for Slack, plain http for a local stand-in on loopback.
fn connector() -> Result<Connector, std::io::Error> {
    install_crypto_provider();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    Ok(SlackClientHyperConnector::with_connector(https))
}

/// A plain reqwest client (for `response_url` posts and file uploads), with the same crypto provider.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
}

/// How a call's arguments travel: a JSON body (`POST`), or the query string (`GET`).
#[derive(Clone, Copy)]
enum Request<'a> {
    Json(&'a Value),
    Query(&'a [(&'a str, &'a str)]),
}

/// What Tandem reads of a Slack user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProfile {
    pub tz: Option<String>,
    pub name: Option<String>,
    /// Slack's `deleted`: the account is deactivated (the person left the workspace).
    pub deleted: bool,
    /// `profile.email`, which Slack gives only with the `users:read.email` scope (and not for every account).
    pub email: Option<String>,
    /// Slack's `is_bot`: an app's bot user, not a person.
    pub is_bot: bool,
}

impl UserProfile {
    /// Reads Slack's user object (from `users.info` or `users.lookupByEmail`).
    fn from_user(user: &Value) -> UserProfile {
        let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        UserProfile {
            tz: text(&user["tz"]),
            name: text(&user["real_name"])
                .or_else(|| text(&user["profile"]["real_name"]))
                .or_else(|| text(&user["name"])),
            deleted: user["deleted"].as_bool().unwrap_or(false),
            email: text(&user["profile"]["email"]),
            is_bot: user["is_bot"].as_bool().unwrap_or(false)
                || user["id"].as_str() == Some("USLACKBOT"),
        }
    }
}

/// A Slack user found by e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundUser {
    pub id: String,
    pub profile: UserProfile,
}

/// How many members `conversations.members` is asked for per page: Slack's most (under 1,000), so that even a
/// large channel takes few calls while the admin waits for the answer.
const MEMBERS_PAGE: &str = "999";
/// At most this many pages are read from one channel (200,000 members): a guard against a cursor that never ends.
const MAX_PAGES: usize = 1000;

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    http: reqwest::Client,
    bot_token: SlackApiToken,
    retry: RetryPolicy,
    /// Until when each method is rate-limited (shared by every caller), by [`SlackApi::with_clock`]'s clock.
    paused: Arc<std::sync::Mutex<HashMap<String, DateTime<Utc>>>>,
    now: Now,
    metrics: Arc<Metrics>,
}

/// Where the client reads the time for rate-limit pauses: the system clock, or the app's (tests move it).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApi")
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// A call's result as a metric label: `ok`, Slack's error code (a short fixed vocabulary), `http_5xx`/`http_4xx`,
/// `rate_limited` or `transport`.
fn call_result(result: &Result<Value, SlackClientError>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(SlackClientError::ApiError(e)) => e
            .code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect(),
        Err(SlackClientError::HttpError(e)) if e.status_code.is_server_error() => "http_5xx".into(),
        Err(SlackClientError::HttpError(_)) => "http_4xx".into(),
        Err(SlackClientError::RateLimitError(_)) => "rate_limited".into(),
        Err(_) => "transport".into(),
    }
}

fn transport(method: &str, message: impl ToString) -> ApiError {
    ApiError::Transport {
        method: method.to_string(),
        message: message.to_string(),
    }
}

impl SlackApi {
    /// The Web API client, pointed at `api_url` (e.g. `https://slack.com/api`).
    pub fn new(api_url: &str, bot_token: &str, retry: RetryPolicy) -> Result<Self, std::io::Error> {
        // Rate limits are handled in `call_as` (slack-morphism's controller would sleep through any Retry-After).
        let connector = connector()?.with_slack_api_url(api_url.trim_end_matches('/'));
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            http: http_client().map_err(std::io::Error::other)?,
            bot_token: SlackApiToken::new(SlackApiTokenValue::new(bot_token.to_string())),
            retry,
            paused: Default::default(),
            now: Arc::new(Utc::now),
            metrics: Arc::default(),
        })
    }

    /// Counts calls, retries and pauses in `metrics` (the app's).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Measures rate-limit pauses with `now` (the app's clock) instead of the system clock.
    pub fn with_clock(mut self, now: Now) -> Self {
        self.now = now;
        self
    }

    /// How long `method` stays paused by an earlier 429, if it is.
    pub fn paused_for(&self, method: &str) -> Option<Duration> {
        let paused = self.paused.lock().unwrap_or_else(|p| p.into_inner());
        let until = *paused.get(method)?;
        (until - (self.now)())
            .to_std()
            .ok()
            .filter(|d| !d.is_zero())
    }

    fn pause(&self, method: &str, wait: Duration) {
        let until =
            (self.now)() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        let mut paused = self.paused.lock().unwrap_or_else(|p| p.into_inner());
        let entry = paused.entry(method.to_string()).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Calls a Web API method with the bot token and a JSON body; returns Slack's answer when `ok` is true. Only
    /// for write methods (`chat.*`, `views.*`, `conversations.open`, `files.completeUploadExternal`, ...): Slack
    /// reads no JSON body for read methods, which go through [`SlackApi::call_get`].
    pub async fn call(&self, method: &str, body: &Value) -> Result<Value, ApiError> {
        self.call_as(&self.bot_token, method, body).await
    }

    /// Calls a Web API method with another token (the app-level token for `apps.connections.open`).
    pub async fn call_with_token(
        &self,
        token: &str,
        method: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let token = SlackApiToken::new(SlackApiTokenValue::new(token.to_string()));
        self.call_as(&token, method, body).await
    }

    /// Calls a read method with its arguments in the query string (`GET`), as Slack documents for methods such as
    /// `users.info`, `users.lookupByEmail`, `conversations.members` and `usergroups.users.list`, which accept only
    /// `application/x-www-form-urlencoded` arguments: a JSON body is not read, so the call would miss its arguments.
    /// Same timeouts, retries and rate-limit pauses as [`SlackApi::call`].
    pub async fn call_get(&self, method: &str, params: &[(&str, &str)]) -> Result<Value, ApiError> {
        self.send(&self.bot_token, method, Request::Query(params))
            .await
    }

    async fn call_as(
        &self,
        token: &SlackApiToken,
        method: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        self.send(token, method, Request::Json(body)).await
    }

    async fn send(
        &self,
        token: &SlackApiToken,
        method: &str,
        request: Request<'_>,
    ) -> Result<Value, ApiError> {
        let (mut server_errors, mut rate_limits) = (0u32, 0usize);
        let mut waited_out = false;
        loop {
            // A pause this caller has just slept through is served: it calls Slack (which says if it is not over).
            if let Some(wait) = self.paused_for(method).filter(|_| !waited_out) {
                if rate_limits >= self.retry.rate_limit_retries || wait > self.retry.max_inline_wait
                {
                    return Err(ApiError::RateLimited {
                        method: method.to_string(),
                        retry_after_secs: Some((wait.as_secs_f64().ceil() as u64).max(1)),
                    });
                }
                rate_limits += 1;
                tokio::time::sleep(wait).await;
                waited_out = true;
                continue;
            }
            waited_out = false;
            let session = self.client.open_session(token);
            let call = async {
                match request {
                    Request::Json(body) => {
                        session.http_session_api.http_post(method, body, None).await
                    }
                    Request::Query(params) => {
                        let params: Vec<(&str, Option<&str>)> =
                            params.iter().map(|(k, v)| (*k, Some(*v))).collect();
                        session
                            .http_session_api
                            .http_get(method, &params, None)
                            .await
                    }
                }
            };
            let result: Result<Value, SlackClientError> =
                match tokio::time::timeout(self.retry.timeout, call).await {
                    Ok(r) => r,
                    Err(_) => {
                        // The call may have taken effect: no inline retry (the caller's job retries later).
                        self.metrics.slack_call(method, "timeout");
                        tracing::warn!(
                            method,
                            timeout_ms = self.retry.timeout.as_millis() as u64,
                            "Slack did not answer in time"
                        );
                        return Err(transport(
                            method,
                            format!("no answer within {} s", self.retry.timeout.as_secs_f32()),
                        ));
                    }
                };
            self.metrics.slack_call(method, &call_result(&result));
            let wait = match &result {
                Err(SlackClientError::HttpError(e)) if e.status_code.is_server_error() => {
                    (server_errors < self.retry.server_error_retries).then(|| {
                        server_errors += 1;
                        jittered_backoff(self.retry.backoff, server_errors, rand::random::<f64>())
                    })
                }
                Err(SlackClientError::HttpProtocolError(_)) => {
                    (server_errors < self.retry.server_error_retries).then(|| {
                        server_errors += 1;
                        jittered_backoff(self.retry.backoff, server_errors, rand::random::<f64>())
                    })
                }
                Err(SlackClientError::RateLimitError(e)) => {
                    let after = e.retry_after.unwrap_or(Duration::from_secs(1));
                    tracing::info!(
                        method,
                        retry_after_s = after.as_secs(),
                        "rate-limited by Slack; pausing the method for every caller"
                    );
                    self.pause(method, after);
                    self.metrics.rate_limit_pause(method);
                    continue;
                }
                _ => None,
            };
            if let Some(wait) = wait {
                self.metrics.slack_retry(method);
                tracing::info!(
                    method,
                    wait_ms = wait.as_millis() as u64,
                    "Slack call failed; retrying"
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            return result.map_err(|e| map_error(method, e));
        }
    }

    /// `chat.postMessage`; returns the message's `ts`.
    pub async fn post_message(
        &self,
        channel: &str,
        text: &str,
        blocks: Option<&Value>,
    ) -> Result<String, ApiError> {
        let mut body = json!({ "channel": channel, "text": text, "unfurl_links": false });
        if let Some(b) = blocks {
            body["blocks"] = b.clone();
        }
        let answer = self.call("chat.postMessage", &body).await?;
        answer["ts"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| transport("chat.postMessage", "answer without ts"))
    }

    /// `views.open` with a trigger ID (which lives 3 seconds: call this on the request path).
    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<String, ApiError> {
        let answer = self
            .call(
                "views.open",
                &json!({ "trigger_id": trigger_id, "view": view }),
            )
            .await?;
        view_id("views.open", &answer)
    }

    /// `views.publish`: the user's Home tab.
    pub async fn publish_home(&self, user_id: &str, view: &Value) -> Result<String, ApiError> {
        let answer = self
            .call(
                "views.publish",
                &json!({ "user_id": user_id, "view": view }),
            )
            .await?;
        view_id("views.publish", &answer)
    }

    /// Posts to a slash command's or button's `response_url` (replaces or adds an ephemeral message).
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), ApiError> {
        let method = "response_url";
        let r = self
            .http
            .post(response_url)
            .json(body)
            .send()
            .await
            .map_err(|e| transport(method, e.without_url()))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(ApiError::Http {
                method: method.to_string(),
                status: r.status().as_u16(),
            })
        }
    }

    /// Shares a file in a channel with Slack's external upload flow: `files.getUploadURLExternal`, the upload itself,
    /// then `files.completeUploadExternal`.
    pub async fn upload_file(
        &self,
        channel: &str,
        filename: &str,
        title: &str,
        bytes: Vec<u8>,
    ) -> Result<(), ApiError> {
        let file_id = self.start_upload(filename, bytes).await?;
        self.complete_upload(&file_id, title, channel, None).await
    }

    /// The first two steps of the external upload flow: `files.getUploadURLExternal`, then the bytes to the URL it
    /// gave. Returns the file's ID; the file is private (shared nowhere) until [`SlackApi::complete_upload`].
    pub async fn start_upload(&self, filename: &str, bytes: Vec<u8>) -> Result<String, ApiError> {
        let method = "files.getUploadURLExternal";
        let length = bytes.len().to_string();
        let params = vec![
            ("filename", Some(filename)),
            ("length", Some(length.as_str())),
        ];
        let session = self.client.open_session(&self.bot_token);
        let answer: Value = session
            .http_session_api
            .http_get(method, &params, None)
            .await
            .map_err(|e| map_error(method, e))?;
        let (Some(url), Some(file_id)) =
            (answer["upload_url"].as_str(), answer["file_id"].as_str())
        else {
            return Err(transport(method, "answer without upload_url or file_id"));
        };
        let upload = "files.upload";
        let r = self
            .http
            .post(url)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .map_err(|e| transport(upload, e.without_url()))?;
        if !r.status().is_success() {
            return Err(ApiError::Http {
                method: upload.to_string(),
                status: r.status().as_u16(),
            });
        }
        Ok(file_id.to_string())
    }

    /// `files.completeUploadExternal`: shares an uploaded file in `channel`, with `comment` as the message's text.
    pub async fn complete_upload(
        &self,
        file_id: &str,
        title: &str,
        channel: &str,
        comment: Option<&str>,
    ) -> Result<(), ApiError> {
        let mut body =
            json!({ "files": [{ "id": file_id, "title": title }], "channel_id": channel });
        if let Some(c) = comment {
            body["initial_comment"] = json!(c);
        }
        self.call("files.completeUploadExternal", &body).await?;
        Ok(())
    }

    /// `users.info`: the person's IANA time zone, name and e-mail, as far as Slack knows them, and whether the account
    /// is deactivated. A read method: its argument travels in the query string (Slack reads no JSON body for it).
    pub async fn user_profile(&self, user_id: &str) -> Result<UserProfile, ApiError> {
        let answer = self.call_get("users.info", &[("user", user_id)]).await?;
        Ok(UserProfile::from_user(&answer["user"]))
    }

    /// `conversations.members`: every member of a channel (user IDs, bots included), reading every page.
    pub async fn conversation_members(&self, channel: &str) -> Result<Vec<String>, ApiError> {
        let method = "conversations.members";
        let mut members = Vec::new();
        let mut cursor = String::new();
        for _ in 0..MAX_PAGES {
            let mut params = vec![("channel", channel), ("limit", MEMBERS_PAGE)];
            if !cursor.is_empty() {
                params.push(("cursor", cursor.as_str()));
            }
            let answer = self.call_get(method, &params).await?;
            let page = answer["members"]
                .as_array()
                .ok_or_else(|| transport(method, "answer without members"))?;
            members.extend(page.iter().filter_map(|m| m.as_str().map(str::to_string)));
            cursor = answer["response_metadata"]["next_cursor"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if cursor.is_empty() {
                return Ok(members);
            }
        }
        Err(transport(method, "the member list did not end"))
    }

    /// `usergroups.users.list`: every member of a user group (user IDs).
    pub async fn usergroup_members(&self, usergroup: &str) -> Result<Vec<String>, ApiError> {
        let method = "usergroups.users.list";
        let answer = self.call_get(method, &[("usergroup", usergroup)]).await?;
        let users = answer["users"]
            .as_array()
            .ok_or_else(|| transport(method, "answer without users"))?;
        Ok(users
            .iter()
            .filter_map(|u| u.as_str().map(str::to_string))
            .collect())
    }

    /// `users.lookupByEmail`: the Slack user with this e-mail address (`Ok(None)` when Slack answers
    /// `users_not_found`). Needs the `users:read.email` scope.
    pub async fn lookup_by_email(&self, email: &str) -> Result<Option<FoundUser>, ApiError> {
        let method = "users.lookupByEmail";
        match self.call_get(method, &[("email", email)]).await {
            Ok(answer) => {
                let user = &answer["user"];
                let id = user["id"]
                    .as_str()
                    .ok_or_else(|| transport(method, "answer without user.id"))?;
                Ok(Some(FoundUser {
                    id: id.to_string(),
                    profile: UserProfile::from_user(user),
                }))
            }
            Err(e) if e.code() == Some("users_not_found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `apps.connections.open`: a WebSocket URL for Socket Mode.
    pub async fn open_socket_url(&self, app_token: &str) -> Result<String, ApiError> {
        let answer = self
            .call_with_token(app_token, "apps.connections.open", &json!({}))
            .await?;
        answer["url"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| transport("apps.connections.open", "answer without url"))
    }
}

fn view_id(method: &str, answer: &Value) -> Result<String, ApiError> {
    answer["view"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| transport(method, "answer without view.id"))
}

fn map_error(method: &str, e: SlackClientError) -> ApiError {
    let method = method.to_string();
    match e {
        SlackClientError::ApiError(e) => ApiError::Slack {
            method,
            code: e.code,
        },
        SlackClientError::RateLimitError(e) => ApiError::RateLimited {
            method,
            retry_after_secs: e.retry_after.map(|d| d.as_secs()),
        },
        SlackClientError::HttpError(e) => ApiError::Http {
            method,
            status: e.status_code.as_u16(),
        },
        other => ApiError::Transport {
            method,
            message: other
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stays_bounded() {
        let base = Duration::from_millis(500);
        assert_eq!(jittered_backoff(base, 1, 0.0), Duration::from_millis(250));
        assert_eq!(jittered_backoff(base, 1, 1.0), Duration::from_millis(750));
        assert_eq!(jittered_backoff(base, 3, 0.5), Duration::from_secs(2));
        assert_eq!(jittered_backoff(base, 40, 1.0), MAX_BACKOFF);
        assert_eq!(
            jittered_backoff(base, 2, 7.0),
            Duration::from_millis(1500),
            "the draw is clamped"
        );
    }

    /// Guards against rustls' "Could not automatically determine the process-level CryptoProvider" panic:
    /// builds every HTTP client the program builds.
    #[test]
    fn every_http_client_builds_without_a_tls_provider_panic() {
        SlackApi::new("https://slack.com/api", "xoxb-test", RetryPolicy::default()).unwrap();
        SlackApi::new(
            "http://127.0.0.1:9/api",
            "xoxb-test",
            RetryPolicy::default(),
        )
        .unwrap();
        http_client().unwrap();
    }

    #[test]
    fn permanent_errors_are_the_ones_retrying_cannot_fix() {
        let slack = |code: &str| ApiError::Slack {
            method: "chat.postMessage".into(),
            code: code.into(),
        };
        for code in [
            "user_not_found",
            "channel_not_found",
            "is_archived",
            "account_inactive",
        ] {
            assert!(slack(code).is_permanent(), "{code}");
        }
        assert!(!slack("internal_error").is_permanent());
        assert!(
            !ApiError::Http {
                method: "x".into(),
                status: 503
            }
            .is_permanent()
        );
        assert!(
            !ApiError::RateLimited {
                method: "x".into(),
                retry_after_secs: Some(1)
            }
            .is_permanent()
        );
    }
}
