//! What Slack sends, parsed into plain types. Both transports (signed HTTP and Socket Mode) produce the same
//! [`Inbound`] values here, so the dispatcher cannot tell them apart.
//!
//! Parsing is strict about what Tandem relies on and lenient about the rest: Slack adds fields over time.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A malformed request: the ingress answers 400 with this reason.
///
/// However it was built, the reason displays (in the 400 body and in log lines) cut to [`MALFORMED_CHARS`]
/// characters, with control, bidi and other invisible characters escaped as [`echo`] escapes them. Parts of it that
/// come from the request should still go through [`echo`], which cuts them much shorter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", shown(.0, MALFORMED_CHARS))]
pub struct Malformed(pub String);

/// How much of a request's own text a message or log line may repeat.
pub const ECHO_CHARS: usize = 40;

/// The longest reason a [`Malformed`] shows.
pub const MALFORMED_CHARS: usize = 160;

/// A short, safe copy of request text to repeat in a message or a log line: at most [`ECHO_CHARS`] characters
/// (then `…`), with control, bidi and format characters, unusual spaces and backslashes escaped (`\u{202e}`,
/// `\n`, `\\`), so that what a sender typed can neither flood a log nor reorder or hide what is around it.
pub fn echo(text: &str) -> String {
    escaped(text, ECHO_CHARS, true)
}

/// `text` with what [`echo`] escapes escaped (backslashes kept as they are) and cut to `max` characters.
fn shown(text: &str, max: usize) -> String {
    escaped(text, max, false)
}

fn escaped(text: &str, max: usize, backslash: bool) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let piece: String = match c {
            // Quotes frame echoed text in our own messages; they are printable and left alone.
            '\'' | '"' => c.to_string(),
            '\\' if !backslash => c.to_string(),
            // `escape_debug` escapes backslashes, controls (`\n`, `\u{7}`), combining marks and every character
            // that is not printable: format characters (bidi overrides and isolates, zero-width ones, tags), line
            // and paragraph separators, spaces other than ' ', private-use and unassigned code points.
            _ => c.escape_debug().collect(),
        };
        let w = piece.chars().count();
        if width + w > max {
            out.push('…');
            return out;
        }
        width += w;
        out.push_str(&piece);
    }
    out
}

fn malformed(what: impl std::fmt::Display) -> Malformed {
    Malformed(what.to_string())
}

/// What Slack sends never holds a NUL character, which PostgreSQL cannot store in any text column: a payload with
/// one anywhere (a value or a key, however deep) is refused before anything reads it.
fn refuse_nul(v: &Value) -> Result<(), Malformed> {
    let nul = || malformed("payload holds a NUL character");
    match v {
        Value::String(s) if s.contains('\0') => Err(nul()),
        Value::Array(items) => items.iter().try_for_each(refuse_nul),
        Value::Object(fields) => fields.iter().try_for_each(|(k, x)| {
            if k.contains('\0') {
                Err(nul())
            } else {
                refuse_nul(x)
            }
        }),
        _ => Ok(()),
    }
}

/// A slash command (`/mentor …`), form-encoded over HTTP or a JSON object over Socket Mode.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SlashCommand {
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub channel_id: String,
    pub user_id: String,
    pub command: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub response_url: String,
    #[serde(default)]
    pub trigger_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    pub id: String,
}

/// A modal or Home tab as Slack sends it back with an interaction.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct View {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub callback_id: String,
    #[serde(default)]
    pub private_metadata: String,
    #[serde(default)]
    pub state: ViewState,
}

/// `view.state.values`: block ID → action ID → the element's value object.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ViewState {
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, Value>>,
}

/// One pressed button or changed element in a `block_actions` payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Action {
    pub action_id: String,
    #[serde(default)]
    pub block_id: String,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Container {
    #[serde(default)]
    pub channel_id: Option<String>,
    #[serde(default)]
    pub message_ts: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Interaction {
    BlockActions {
        user: User,
        trigger_id: Option<String>,
        actions: Vec<Action>,
        view: Option<View>,
        container: Option<Container>,
        response_url: Option<String>,
    },
    ViewSubmission {
        user: User,
        view: View,
    },
    ViewClosed {
        user: User,
        view: View,
    },
    /// A payload type Slack documents but Tandem does not use (shortcuts, suggestions, …): acknowledged, no effect.
    Ignored {
        kind: String,
    },
}

/// Interaction payload types Slack documents. Anything else is malformed.
const KNOWN_INTERACTIONS: &[&str] = &[
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "interactive_message",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
    "workflow_step_edit",
];

#[derive(Deserialize)]
struct BlockActionsRaw {
    user: User,
    #[serde(default)]
    trigger_id: Option<String>,
    #[serde(default)]
    actions: Vec<Action>,
    #[serde(default)]
    view: Option<View>,
    #[serde(default)]
    container: Option<Container>,
    #[serde(default)]
    response_url: Option<String>,
}

#[derive(Deserialize)]
struct ViewPayloadRaw {
    user: User,
    view: View,
}

impl Interaction {
    /// Parses an interaction payload (the JSON inside the `payload=` form field, or a Socket Mode envelope).
    pub fn from_json(payload: Value) -> Result<Self, Malformed> {
        refuse_nul(&payload)?;
        let kind = payload["type"]
            .as_str()
            .ok_or_else(|| malformed("interaction payload has no type"))?
            .to_string();
        let parse = |what: &str| malformed(format!("bad {what} payload"));
        Ok(match kind.as_str() {
            "block_actions" => {
                let raw: BlockActionsRaw =
                    serde_json::from_value(payload).map_err(|_| parse("block_actions"))?;
                Interaction::BlockActions {
                    user: raw.user,
                    trigger_id: raw.trigger_id,
                    actions: raw.actions,
                    view: raw.view,
                    container: raw.container,
                    response_url: raw.response_url,
                }
            }
            "view_submission" => {
                let raw: ViewPayloadRaw =
                    serde_json::from_value(payload).map_err(|_| parse("view_submission"))?;
                Interaction::ViewSubmission {
                    user: raw.user,
                    view: raw.view,
                }
            }
            "view_closed" => {
                let raw: ViewPayloadRaw =
                    serde_json::from_value(payload).map_err(|_| parse("view_closed"))?;
                Interaction::ViewClosed {
                    user: raw.user,
                    view: raw.view,
                }
            }
            k if KNOWN_INTERACTIONS.contains(&k) => Interaction::Ignored { kind },
            other => {
                return Err(malformed(format!(
                    "unknown interaction type '{}'",
                    echo(other)
                )));
            }
        })
    }

    /// Parses the form body Slack posts to the interactivity URL: one field, `payload`, holding JSON.
    pub fn from_form(body: &[u8]) -> Result<Self, Malformed> {
        #[derive(Deserialize)]
        struct Form {
            payload: String,
        }
        let form: Form = serde_urlencoded::from_bytes(body)
            .map_err(|_| malformed("expected a form with a payload field"))?;
        let json: Value =
            serde_json::from_str(&form.payload).map_err(|_| malformed("payload is not JSON"))?;
        Self::from_json(json)
    }
}

/// An event inside an `event_callback`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    AppHomeOpened {
        user: String,
        tab: String,
    },
    /// `user_change`: a member's profile or account changed. Tandem reads only the ID and `deleted` (the account
    /// was deactivated).
    UserChange {
        user: String,
        deleted: bool,
    },
    /// An event type Tandem does not subscribe to or use: acknowledged, no effect.
    Other {
        kind: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCallback {
    pub event_id: String,
    pub team_id: String,
    pub event: Event,
}

/// A body posted to the Events API URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsBody {
    UrlVerification {
        challenge: String,
    },
    Callback(EventCallback),
    /// Slack tells us it is dropping events because we were slow (`app_rate_limited`).
    AppRateLimited,
}

impl EventsBody {
    pub fn from_json(body: Value) -> Result<Self, Malformed> {
        refuse_nul(&body)?;
        match body["type"].as_str() {
            Some("url_verification") => Ok(EventsBody::UrlVerification {
                challenge: body["challenge"]
                    .as_str()
                    .ok_or_else(|| malformed("url_verification without challenge"))?
                    .to_string(),
            }),
            Some("app_rate_limited") => Ok(EventsBody::AppRateLimited),
            Some("event_callback") => {
                // Slack's event IDs are short ASCII tokens ("Ev0A1B2C3D4E"); anything else (a NUL, which PostgreSQL
                // cannot store, a control or bidi character) is not Slack's and is refused before it is recorded.
                let event_id = body["event_id"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| malformed("event_callback without event_id"))?;
                if event_id.len() > 255 || !event_id.chars().all(|c| c.is_ascii_graphic()) {
                    return Err(malformed("event_callback whose event_id is not Slack's"));
                }
                let event_id = event_id.to_string();
                let team_id = body["team_id"].as_str().unwrap_or_default().to_string();
                let inner = &body["event"];
                let kind = inner["type"]
                    .as_str()
                    .ok_or_else(|| malformed("event_callback without event.type"))?;
                let event = match kind {
                    "app_home_opened" => Event::AppHomeOpened {
                        user: inner["user"]
                            .as_str()
                            .ok_or_else(|| malformed("app_home_opened without user"))?
                            .to_string(),
                        tab: inner["tab"].as_str().unwrap_or("home").to_string(),
                    },
                    "user_change" => Event::UserChange {
                        user: inner["user"]["id"]
                            .as_str()
                            .filter(|s| !s.is_empty())
                            .ok_or_else(|| malformed("user_change without user.id"))?
                            .to_string(),
                        deleted: inner["user"]["deleted"].as_bool().unwrap_or(false),
                    },
                    other => Event::Other {
                        kind: other.to_string(),
                    },
                };
                Ok(EventsBody::Callback(EventCallback {
                    event_id,
                    team_id,
                    event,
                }))
            }
            Some(other) => Err(malformed(format!(
                "unknown event body type '{}'",
                echo(other)
            ))),
            None => Err(malformed("event body has no type")),
        }
    }

    pub fn from_bytes(body: &[u8]) -> Result<Self, Malformed> {
        let json: Value =
            serde_json::from_slice(body).map_err(|_| malformed("body is not JSON"))?;
        Self::from_json(json)
    }
}

impl SlashCommand {
    pub fn from_form(body: &[u8]) -> Result<Self, Malformed> {
        let command: SlashCommand = serde_urlencoded::from_bytes(body)
            .map_err(|_| malformed("expected a slash command form with user_id and command"))?;
        command.refuse_nul()
    }

    pub fn from_json(body: Value) -> Result<Self, Malformed> {
        let command: SlashCommand =
            serde_json::from_value(body).map_err(|_| malformed("bad slash command payload"))?;
        command.refuse_nul()
    }

    /// Itself, unless a field holds a NUL character (see [`refuse_nul`]).
    fn refuse_nul(self) -> Result<Self, Malformed> {
        let fields = [
            &self.team_id,
            &self.channel_id,
            &self.user_id,
            &self.command,
            &self.text,
            &self.response_url,
            &self.trigger_id,
        ];
        if fields.iter().any(|f| f.contains('\0')) {
            return Err(malformed("slash command holds a NUL character"));
        }
        Ok(self)
    }
}

/// Everything Slack can send, whichever way it came in.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    Command(SlashCommand),
    Interaction(Interaction),
    Events(EventsBody),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_form_encoded_slash_command() {
        let body = b"team_id=T1&channel_id=C1&user_id=U1&command=%2Fmentor&text=help+me&response_url=https%3A%2F%2Fx&trigger_id=1.2.3";
        let c = SlashCommand::from_form(body).unwrap();
        assert_eq!(
            (
                c.user_id.as_str(),
                c.command.as_str(),
                c.text.as_str(),
                c.trigger_id.as_str()
            ),
            ("U1", "/mentor", "help me", "1.2.3")
        );
        assert!(SlashCommand::from_form(b"text=no+user").is_err());
        assert!(SlashCommand::from_form(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn a_nul_character_anywhere_is_refused_on_every_path() {
        assert!(
            SlashCommand::from_form(b"user_id=U1&command=%2Fmentor&text=feedback+a%00b").is_err()
        );
        assert!(SlashCommand::from_form(b"user_id=U1&command=%2Fmentor&text=feedback+ab").is_ok());
        assert!(
            SlashCommand::from_json(json!({"user_id": "U\u{0}1", "command": "/mentor"})).is_err()
        );
        let view = |value: &str, key: &str| {
            json!({"type": "view_submission", "user": {"id": "U2"}, "view": {"id": "V1", "callback_id": "plan",
                "state": {"values": {"b": {key: {"type": "plain_text_input", "value": value}}}}}})
        };
        assert!(Interaction::from_json(view("a goal", "a")).is_ok());
        assert!(Interaction::from_json(view("a\u{0}goal", "a")).is_err());
        assert!(Interaction::from_json(view("a goal", "a\u{0}")).is_err());
        let form = format!("payload={}", urlencode(&view("x\u{0}", "a").to_string()));
        assert!(Interaction::from_form(form.as_bytes()).is_err());
        let event = |user: &str| json!({"type": "event_callback", "event_id": "Ev1", "event": {"type": "user_change", "user": {"id": user}}});
        assert!(EventsBody::from_json(event("U3")).is_ok());
        assert!(EventsBody::from_json(event("U\u{0}3")).is_err());
    }

    #[test]
    fn parses_interactions_and_refuses_unknown_types() {
        let p = json!({"type": "block_actions", "user": {"id": "U1"}, "trigger_id": "t", "actions": [{"action_id": "join", "block_id": "b", "value": "v"}]});
        let form = format!("payload={}", urlencode(&p.to_string()));
        match Interaction::from_form(form.as_bytes()).unwrap() {
            Interaction::BlockActions { user, actions, .. } => {
                assert_eq!(user.id, "U1");
                assert_eq!(actions[0].action_id, "join");
            }
            other => panic!("{other:?}"),
        }
        let sub = json!({"type": "view_submission", "user": {"id": "U2"}, "view": {"id": "V1", "callback_id": "survey", "private_metadata": "m", "state": {"values": {"b": {"a": {"type": "plain_text_input", "value": "x"}}}}}});
        match Interaction::from_json(sub).unwrap() {
            Interaction::ViewSubmission { view, .. } => {
                assert_eq!(view.state.values["b"]["a"]["value"], "x")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            Interaction::from_json(json!({"type": "shortcut", "user": {"id": "U"}})).unwrap(),
            Interaction::Ignored {
                kind: "shortcut".into()
            }
        );
        assert!(Interaction::from_json(json!({"type": "made_up"})).is_err());
        assert!(
            Interaction::from_json(json!({"type": "view_submission", "user": {"id": "U"}}))
                .is_err()
        );
        assert!(Interaction::from_form(b"payload=%7Bnot+json").is_err());
        assert!(Interaction::from_form(b"nopayload=1").is_err());
    }

    #[test]
    fn parses_event_bodies() {
        assert_eq!(
            EventsBody::from_json(
                json!({"type": "url_verification", "challenge": "abc", "token": "x"})
            )
            .unwrap(),
            EventsBody::UrlVerification {
                challenge: "abc".into()
            }
        );
        let cb = json!({"type": "event_callback", "event_id": "Ev1", "team_id": "T1", "event": {"type": "app_home_opened", "user": "U1", "tab": "home"}});
        assert_eq!(
            EventsBody::from_json(cb).unwrap(),
            EventsBody::Callback(EventCallback {
                event_id: "Ev1".into(),
                team_id: "T1".into(),
                event: Event::AppHomeOpened {
                    user: "U1".into(),
                    tab: "home".into()
                }
            })
        );
        assert!(
            EventsBody::from_json(json!({"type": "event_callback", "event": {"type": "x"}}))
                .is_err(),
            "no event_id"
        );
        for bad in ["Ev\u{0}1", "Ev 1", "\u{202e}Ev1", "Ev\n1"] {
            assert!(
                EventsBody::from_json(
                    json!({"type": "event_callback", "event_id": bad, "event": {"type": "x"}})
                )
                .is_err(),
                "{bad:?} is not an event ID Slack sends"
            );
        }
        assert!(EventsBody::from_json(json!({"type": "nonsense"})).is_err());
        let gone = json!({"type": "event_callback", "event_id": "Ev2", "event": {"type": "user_change", "user": {"id": "U1", "deleted": true, "profile": {"real_name": "X"}}}});
        match EventsBody::from_json(gone).unwrap() {
            EventsBody::Callback(cb) => assert_eq!(
                cb.event,
                Event::UserChange {
                    user: "U1".into(),
                    deleted: true
                }
            ),
            other => panic!("{other:?}"),
        }
        let renamed = json!({"type": "event_callback", "event_id": "Ev3", "event": {"type": "user_change", "user": {"id": "U1"}}});
        assert!(matches!(
            EventsBody::from_json(renamed).unwrap(),
            EventsBody::Callback(EventCallback {
                event: Event::UserChange { deleted: false, .. },
                ..
            })
        ));
        assert!(
            EventsBody::from_json(json!({"type": "event_callback", "event_id": "Ev4", "event": {"type": "user_change", "user": "U1"}}))
                .is_err(),
            "user_change's user is an object"
        );
        assert!(EventsBody::from_bytes(b"{").is_err());
    }

    #[test]
    fn echo_cuts_and_escapes_what_it_repeats() {
        assert_eq!(echo("block_actions"), "block_actions");
        assert_eq!(echo("it's \"quoted\""), "it's \"quoted\"");
        assert_eq!(echo("a\\b"), "a\\\\b", "a backslash cannot fake an escape");
        assert_eq!(
            echo("abc\u{202e}fed\u{2066}\u{200b}\u{feff}\u{e0041}"),
            "abc\\u{202e}fed\\u{2066}\\u{200b}\\u{feff}…",
            "cut at 40 characters of output, before an escape that would not fit"
        );
        assert_eq!(
            echo("\u{e0041}\n\r\t\u{1b}[31m\u{7}"),
            "\\u{e0041}\\n\\r\\t\\u{1b}[31m\\u{7}"
        );
        assert_eq!(
            echo("\u{2028}\u{a0}\u{e000}\u{378}"),
            "\\u{2028}\\u{a0}\\u{e000}\\u{378}"
        );
        assert_eq!(echo("naïve café, 日本語"), "naïve café, 日本語");
        let long = "x".repeat(200_000);
        assert_eq!(echo(&long), format!("{}…", "x".repeat(ECHO_CHARS)));
        assert_eq!(
            echo(&"x".repeat(ECHO_CHARS)),
            "x".repeat(ECHO_CHARS),
            "exactly the limit is not cut"
        );
        // An escape is never split: it fits whole or the cut comes before it.
        let e = echo(&format!("{}\u{202e}", "x".repeat(ECHO_CHARS - 3)));
        assert_eq!(e, format!("{}…", "x".repeat(ECHO_CHARS - 3)));
        let bidi = "\u{202e}".repeat(1000);
        assert!(echo(&bidi).chars().count() <= ECHO_CHARS + 1);
    }

    #[test]
    fn a_malformed_reason_displays_short_and_escaped_however_it_was_built() {
        let built_elsewhere =
            Malformed(format!("unknown command '{}'", "\u{202e}x".repeat(100_000)));
        let shown = built_elsewhere.to_string();
        assert!(shown.chars().count() <= MALFORMED_CHARS + 1, "{shown}");
        assert!(!shown.contains('\u{202e}'));
        assert!(shown.starts_with("unknown command '\\u{202e}x"), "{shown}");
        assert!(shown.ends_with('…'));
        let e = Interaction::from_json(json!({"type": format!("\u{202e}{}", "t".repeat(200_000))}))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "unknown interaction type '\\u{{202e}}{}…'",
                "t".repeat(ECHO_CHARS - 8)
            )
        );
        let e = EventsBody::from_json(json!({"type": "line\nbreak"}))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "unknown event body type 'line\\nbreak'");
    }

    fn urlencode(s: &str) -> String {
        serde_urlencoded::to_string([("x", s)])
            .unwrap()
            .trim_start_matches("x=")
            .to_string()
    }
}
