//! Slack's sending side: requests into Tandem, form-encoded and signed exactly as Slack does it.

use super::FakeSlack;
use crate::inbound::signature;
use serde_json::{Value, json};

/// How to sign a request (tests use the wrong ways on purpose).
#[derive(Debug, Clone)]
pub enum Signing {
    /// Signed now with the right secret.
    Valid,
    /// Signed with the right secret but this timestamp (a stale request).
    At(i64),
    /// Signed with another secret.
    WrongSecret,
    /// No signature headers at all.
    Unsigned,
}

/// Tandem's answer to a request.
#[derive(Debug, Clone)]
pub struct DriverResponse {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl DriverResponse {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends Tandem what Slack would send, signed with the signing secret, to Tandem's HTTP listener.
#[derive(Clone)]
pub struct SlackDriver {
    base_url: String,
    signing_secret: String,
    http: reqwest::Client,
    fake: FakeSlack,
}

impl SlackDriver {
    pub fn new(
        base_url: &str,
        signing_secret: &str,
        fake: FakeSlack,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            signing_secret: signing_secret.to_string(),
            http: crate::outbound::slack_api::http_client()?,
            fake,
        })
    }

    /// Posts a raw body to `path` with the given signing; never panics on a transport error (status 0).
    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        signing: Signing,
    ) -> DriverResponse {
        self.post_with_headers(path, content_type, body, signing, &[])
            .await
    }

    pub async fn post_with_headers(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        signing: Signing,
        extra: &[(&str, String)],
    ) -> DriverResponse {
        let now = chrono::Utc::now().timestamp();
        let mut req = self
            .http
            .post(format!("{}{}", self.base_url, path))
            .header("content-type", content_type);
        let signed = match signing {
            Signing::Valid => Some((now, self.signing_secret.clone())),
            Signing::At(ts) => Some((ts, self.signing_secret.clone())),
            Signing::WrongSecret => Some((now, format!("{}-forged", self.signing_secret))),
            Signing::Unsigned => None,
        };
        if let Some((ts, secret)) = signed {
            let ts = ts.to_string();
            req = req
                .header("x-slack-signature", signature::sign(&secret, &ts, &body))
                .header("x-slack-request-timestamp", ts);
        }
        for (k, v) in extra {
            req = req.header(*k, v.as_str());
        }
        match req.body(body).send().await {
            Ok(r) => DriverResponse {
                status: r.status().as_u16(),
                content_type: r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string(),
                body: r.text().await.unwrap_or_default(),
            },
            Err(e) => DriverResponse {
                status: 0,
                content_type: String::new(),
                body: e.to_string(),
            },
        }
    }

    /// The form Slack posts for `/mentor {text}` typed by `user`, with a fresh `trigger_id`.
    pub fn command_form(&self, user: &str, text: &str) -> Vec<u8> {
        let trigger = self.fake.issue_trigger_id_for(user);
        let response_url = self.fake.response_url();
        serde_urlencoded::to_string([
            ("token", "legacy-verification-token"),
            ("team_id", super::TEAM_ID),
            ("team_domain", "sandbox"),
            ("channel_id", "C0GENERAL"),
            ("channel_name", "general"),
            ("user_id", user),
            ("user_name", user),
            ("command", "/mentor"),
            ("text", text),
            ("api_app_id", "A0TANDEM"),
            ("is_enterprise_install", "false"),
            ("response_url", response_url.as_str()),
            ("trigger_id", trigger.as_str()),
        ])
        .unwrap_or_default()
        .into_bytes()
    }

    /// `/mentor {text}` from `user`.
    pub async fn command(&self, user: &str, text: &str) -> DriverResponse {
        let form = self.command_form(user, text);
        self.post(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            form,
            Signing::Valid,
        )
        .await
    }

    /// An interaction payload (`block_actions`, `view_submission`, …), form-encoded as `payload=`.
    pub async fn interaction(&self, payload: &Value) -> DriverResponse {
        let form =
            serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap_or_default();
        self.post(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            form.into_bytes(),
            Signing::Valid,
        )
        .await
    }

    /// `user` presses a button (`action_id`, `value`) on the Home tab or in a message (`channel`, `message_ts`).
    pub async fn click(
        &self,
        user: &str,
        action_id: &str,
        value: &str,
        message: Option<(&str, &str)>,
    ) -> DriverResponse {
        let mut payload = json!({
            "type": "block_actions",
            "team": { "id": super::TEAM_ID, "domain": "sandbox" },
            "user": { "id": user, "username": user, "team_id": super::TEAM_ID },
            "api_app_id": "A0TANDEM",
            "trigger_id": self.fake.issue_trigger_id_for(user),
            "response_url": self.fake.response_url(),
            "actions": [{ "type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1700000000.000200" }],
        });
        match message {
            Some((channel, ts)) => {
                payload["container"] = json!({ "type": "message", "channel_id": channel, "message_ts": ts, "is_ephemeral": false });
                payload["channel"] = json!({ "id": channel });
            }
            None => payload["container"] = json!({ "type": "view", "view_id": "VHOME" }),
        }
        self.interaction(&payload).await
    }

    /// `user` submits `view` (as Slack holds it, with its `id` and `private_metadata`) with these state values.
    pub async fn submit_view(&self, user: &str, view: &Value, values: Value) -> DriverResponse {
        let mut submitted = view.clone();
        submitted["state"] = json!({ "values": values });
        let payload = json!({
            "type": "view_submission",
            "team": { "id": super::TEAM_ID, "domain": "sandbox" },
            "user": { "id": user, "username": user, "team_id": super::TEAM_ID },
            "api_app_id": "A0TANDEM",
            "trigger_id": self.fake.issue_trigger_id_for(user),
            "view": submitted,
        });
        self.interaction(&payload).await
    }

    /// The Events API body wrapping `event`, as Slack sends it.
    pub fn event_body(event_id: &str, event: Value) -> Vec<u8> {
        json!({
            "token": "legacy-verification-token", "team_id": super::TEAM_ID, "api_app_id": "A0TANDEM",
            "event": event, "type": "event_callback", "event_id": event_id, "event_time": chrono::Utc::now().timestamp(),
            "authorizations": [{ "team_id": super::TEAM_ID, "user_id": super::BOT_USER_ID, "is_bot": true }],
        })
        .to_string()
        .into_bytes()
    }

    /// An event; `retry` sets `X-Slack-Retry-Num` as Slack does when it redelivers.
    pub async fn event(&self, event_id: &str, event: Value, retry: Option<u32>) -> DriverResponse {
        let extra: Vec<(&str, String)> = match retry {
            Some(n) => vec![
                ("x-slack-retry-num", n.to_string()),
                ("x-slack-retry-reason", "http_timeout".to_string()),
            ],
            None => vec![],
        };
        self.post_with_headers(
            "/slack/events",
            "application/json",
            Self::event_body(event_id, event),
            Signing::Valid,
            &extra,
        )
        .await
    }

    /// A plain GET (for `/healthz`).
    pub async fn get(&self, path: &str) -> DriverResponse {
        match self
            .http
            .get(format!("{}{}", self.base_url, path))
            .send()
            .await
        {
            Ok(r) => DriverResponse {
                status: r.status().as_u16(),
                content_type: r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string(),
                body: r.text().await.unwrap_or_default(),
            },
            Err(e) => DriverResponse {
                status: 0,
                content_type: String::new(),
                body: e.to_string(),
            },
        }
    }
}

/// `app_home_opened` for `user`'s Home tab.
pub fn app_home_opened(user: &str) -> Value {
    json!({ "type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1700000000.000100" })
}

/// `user_change` for a deactivated member (what Slack sends when an admin deactivates an account).
pub fn user_deactivated(user: &str) -> Value {
    json!({ "type": "user_change", "user": { "id": user, "team_id": "T0TANDEM", "deleted": true, "is_bot": false, "profile": {} }, "event_ts": "1700000000.000200" })
}
