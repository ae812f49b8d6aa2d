//! Small building blocks shared by the pair lifecycle views ([`super::intro`], [`super::plan`], [`super::checkin`],
//! [`super::closing`]): text objects, options, input blocks, modals, and safe mrkdwn for mentions and free text.

use crate::domain::forms::pair_forms::ACTION;
use serde_json::{Value, json};

/// A `plain_text` object.
pub(crate) fn plain(text: &str) -> Value {
    json!({ "type": "plain_text", "text": text, "emoji": true })
}

/// An option for a select or radio group.
pub(crate) fn option(text: &str, value: &str) -> Value {
    json!({ "text": plain(text), "value": value })
}

/// An input block holding one element (whose `action_id` is [`ACTION`]).
pub(crate) fn input(
    block_id: &str,
    label: &str,
    element: Value,
    optional: bool,
    hint: Option<&str>,
) -> Value {
    let mut b = json!({ "type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional });
    if let Some(h) = hint {
        b["hint"] = plain(h);
    }
    b
}

/// A multiline text input of at most `max_length` characters.
pub(crate) fn multiline(max_length: usize, placeholder: &str) -> Value {
    json!({ "type": "plain_text_input", "action_id": ACTION, "multiline": true, "max_length": max_length, "placeholder": plain(placeholder) })
}

/// A static select over `options`, with an optional initial option (which must be one of them).
pub(crate) fn select(options: Vec<Value>, initial: Option<Value>, placeholder: &str) -> Value {
    let mut e = json!({ "type": "static_select", "action_id": ACTION, "options": options, "placeholder": plain(placeholder) });
    if let Some(i) = initial {
        e["initial_option"] = i;
    }
    e
}

/// A modal with a submit and a cancel button.
pub(crate) fn modal(
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
        "title": plain(title),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "blocks": blocks,
    })
}

/// A user mention, `<@U123>`. Anything but letters and digits is dropped, so an odd ID cannot inject mrkdwn.
pub(crate) fn mention(user_id: &str) -> String {
    let id: String = user_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("<@{id}>")
}

/// Escapes text for mrkdwn, so that `<`, `>` and `&` show as typed (no stray links or mentions).
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Free text as an escaped mrkdwn block quote, one `>` per line.
pub(crate) fn quote(s: &str) -> String {
    escape(s)
        .lines()
        .map(|l| format!(">{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_free_text_cannot_inject_mrkdwn() {
        assert_eq!(mention("U0ABC123"), "<@U0ABC123>");
        assert_eq!(mention("U1> <!channel"), "<@U1channel>");
        assert_eq!(escape("a <b> & c"), "a &lt;b&gt; &amp; c");
        assert_eq!(quote("one\n<!here>"), ">one\n>&lt;!here&gt;");
    }
}
