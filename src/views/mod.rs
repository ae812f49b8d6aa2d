//! Pure Block Kit rendering: plain data in, Slack JSON out. Nothing here does I/O, so every view is unit-tested
//! against Slack's limits (see [`limits`], which the fake Slack also enforces).

pub mod checkin;
pub mod closing;
pub mod enrolment;
pub mod help;
pub mod home;
pub mod intro;
pub mod limits;
pub mod plan;
pub mod proposal;
pub mod summary;
pub mod survey;
pub mod text;

mod pair_common;

use serde_json::{Value, json};

/// The program's name as people see it.
pub const PRODUCT: &str = "Tandem";

pub fn header(text: &str) -> Value {
    json!({ "type": "header", "text": { "type": "plain_text", "text": text, "emoji": true } })
}

pub fn section(mrkdwn: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": mrkdwn } })
}

pub fn context(mrkdwn: &str) -> Value {
    json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": mrkdwn }] })
}

pub fn divider() -> Value {
    json!({ "type": "divider" })
}

/// A button; `style` is `primary`, `danger` or `None`.
pub fn button(text: &str, action_id: &str, value: &str, style: Option<&str>) -> Value {
    let mut b = json!({
        "type": "button",
        "text": { "type": "plain_text", "text": text, "emoji": true },
        "action_id": action_id,
        "value": value,
    });
    if let Some(s) = style {
        b["style"] = json!(s);
    }
    b
}

pub fn actions(block_id: &str, elements: Vec<Value>) -> Value {
    json!({ "type": "actions", "block_id": block_id, "elements": elements })
}

/// A reply to a slash command that only the person who typed it sees.
pub fn ephemeral(text: &str, blocks: Vec<Value>) -> Value {
    json!({ "response_type": "ephemeral", "text": text, "blocks": blocks })
}
