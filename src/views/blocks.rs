//! The Block Kit builders every view uses: text objects, blocks, interactive elements, surfaces and replies. Plain
//! data in, Slack JSON out; what Slack allows is checked by [`super::limits`].
//!
//! Every input element's `action_id` is the forms' [`ACTION`] (each input block holds one element), which is where
//! [`crate::domain::forms::state`] reads the submitted values.

use crate::domain::forms::pair_forms::iso_date;
use crate::domain::forms::state::ACTION;
use chrono::NaiveDate;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Text objects
// ---------------------------------------------------------------------------

/// A `plain_text` object (emoji shortcodes shown as emoji).
pub fn plain_text(text: &str) -> Value {
    json!({ "type": "plain_text", "text": text, "emoji": true })
}

/// A `mrkdwn` text object.
pub fn mrkdwn(text: &str) -> Value {
    json!({ "type": "mrkdwn", "text": text })
}

// ---------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------

pub fn header(text: &str) -> Value {
    json!({ "type": "header", "text": plain_text(text) })
}

pub fn section(mrkdwn_text: &str) -> Value {
    json!({ "type": "section", "text": mrkdwn(mrkdwn_text) })
}

/// A section with its own `block_id`.
pub fn section_with_id(block_id: &str, mrkdwn_text: &str) -> Value {
    json!({ "type": "section", "block_id": block_id, "text": mrkdwn(mrkdwn_text) })
}

/// A section of side-by-side `mrkdwn` fields.
pub fn section_fields(fields: &[&str]) -> Value {
    let fields: Vec<Value> = fields.iter().map(|f| mrkdwn(f)).collect();
    json!({ "type": "section", "fields": fields })
}

pub fn context(mrkdwn_text: &str) -> Value {
    json!({ "type": "context", "elements": [mrkdwn(mrkdwn_text)] })
}

pub fn divider() -> Value {
    json!({ "type": "divider" })
}

pub fn actions(block_id: &str, elements: Vec<Value>) -> Value {
    json!({ "type": "actions", "block_id": block_id, "elements": elements })
}

/// An input block holding one element (whose `action_id` is [`ACTION`]).
pub fn input(
    block_id: &str,
    label: &str,
    element: Value,
    optional: bool,
    hint: Option<&str>,
) -> Value {
    let mut b = json!({ "type": "input", "block_id": block_id, "label": plain_text(label), "element": element, "optional": optional });
    if let Some(h) = hint {
        b["hint"] = plain_text(h);
    }
    b
}

// ---------------------------------------------------------------------------
// Interactive elements
// ---------------------------------------------------------------------------

/// A button; `style` is `primary`, `danger` or `None`.
pub fn button(text: &str, action_id: &str, value: &str, style: Option<&str>) -> Value {
    let mut b = json!({
        "type": "button",
        "text": plain_text(text),
        "action_id": action_id,
        "value": value,
    });
    if let Some(s) = style {
        b["style"] = json!(s);
    }
    b
}

/// A confirmation dialog for a button (its `confirm` field); `style` is `danger` or `None`.
pub fn confirm(title: &str, text: &str, confirm: &str, deny: &str, style: Option<&str>) -> Value {
    let bare = |t: &str| json!({ "type": "plain_text", "text": t });
    let mut c = json!({ "title": bare(title), "text": mrkdwn(text), "confirm": bare(confirm), "deny": bare(deny) });
    if let Some(s) = style {
        c["style"] = json!(s);
    }
    c
}

/// An option for a select, a radio group or checkboxes.
pub fn option(text: &str, value: &str) -> Value {
    json!({ "text": plain_text(text), "value": value })
}

/// A labelled group of options, for a select's `option_groups`.
pub fn option_group(label: &str, options: Vec<Value>) -> Value {
    json!({ "label": plain_text(label), "options": options })
}

/// A static select over `options`, with an optional initial option (which must be one of them).
pub fn static_select(options: Vec<Value>, initial: Option<Value>, placeholder: &str) -> Value {
    let mut e = json!({ "type": "static_select", "action_id": ACTION, "options": options, "placeholder": plain_text(placeholder) });
    if let Some(i) = initial {
        e["initial_option"] = i;
    }
    e
}

/// A multi-select over `option_groups`, with the options chosen so far (`initial`, none if empty).
pub fn multi_static_select(
    option_groups: Vec<Value>,
    initial: Vec<Value>,
    placeholder: &str,
) -> Value {
    let mut e = json!({
        "type": "multi_static_select",
        "action_id": ACTION,
        "placeholder": plain_text(placeholder),
        "option_groups": option_groups,
    });
    if !initial.is_empty() {
        e["initial_options"] = json!(initial);
    }
    e
}

/// A multiline text input of at most `max_length` characters.
pub fn multiline_input(max_length: usize, placeholder: &str) -> Value {
    json!({ "type": "plain_text_input", "action_id": ACTION, "multiline": true, "max_length": max_length, "placeholder": plain_text(placeholder) })
}

/// A whole-number input from `min` to `max`.
pub fn whole_number_input(min: u32, max: u32) -> Value {
    json!({
        "type": "number_input",
        "action_id": ACTION,
        "is_decimal_allowed": false,
        "min_value": min.to_string(),
        "max_value": max.to_string(),
    })
}

/// A select of one person in the workspace.
pub fn users_select(placeholder: &str) -> Value {
    json!({ "type": "users_select", "action_id": ACTION, "placeholder": plain_text(placeholder) })
}

/// A date picker, with an optional initial date.
pub fn datepicker(initial: Option<NaiveDate>, placeholder: &str) -> Value {
    let mut e = json!({ "type": "datepicker", "action_id": ACTION, "placeholder": plain_text(placeholder) });
    if let Some(d) = initial {
        e["initial_date"] = json!(iso_date(d));
    }
    e
}

pub fn checkboxes(options: Vec<Value>) -> Value {
    json!({ "type": "checkboxes", "action_id": ACTION, "options": options })
}

pub fn radio_buttons(options: Vec<Value>) -> Value {
    json!({ "type": "radio_buttons", "action_id": ACTION, "options": options })
}

// ---------------------------------------------------------------------------
// Surfaces and replies
// ---------------------------------------------------------------------------

/// A modal with a submit and a cancel button.
pub fn modal(
    callback_id: &str,
    title: &str,
    submit: &str,
    private_metadata: &str,
    blocks: Vec<Value>,
) -> Value {
    json!({
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "title": plain_text(title),
        "submit": plain_text(submit),
        "close": plain_text("Cancel"),
        "blocks": blocks,
    })
}

/// The App Home tab.
pub fn home_tab(blocks: Vec<Value>) -> Value {
    json!({ "type": "home", "blocks": blocks })
}

/// A reply to a slash command that only the person who typed it sees.
pub fn ephemeral(text: &str, blocks: Vec<Value>) -> Value {
    json!({ "response_type": "ephemeral", "text": text, "blocks": blocks })
}

/// Replaces the ephemeral message a button was pressed in with `text`.
pub fn replace_ephemeral(text: &str) -> Value {
    json!({ "replace_original": true, "response_type": "ephemeral", "text": text })
}
