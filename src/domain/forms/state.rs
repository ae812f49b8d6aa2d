//! Slack's `view.state.values`, both ways: the readers every form's parser uses ([`crate::domain::forms::survey`],
//! [`crate::domain::forms::pair_forms`]), and the element states the `*_values` modules build to submit a form as a
//! person in Slack would.
//!
//! Every input block of Tandem's modals holds one element whose `action_id` is [`ACTION`]; an element under any
//! other action ID is not the form's and reads as missing.

use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Slack's `view.state.values`: block ID → action ID → element state.
pub type StateValues = BTreeMap<String, BTreeMap<String, Value>>;

/// What to fix, by block ID, as Slack's `response_action: errors` wants it.
pub type FieldErrors = BTreeMap<String, String>;

/// Every input's `action_id` (each block holds one element).
pub const ACTION: &str = "value";

/// The state of block `block`'s element.
pub fn element<'a>(values: &'a StateValues, block: &str) -> Option<&'a Value> {
    values.get(block).and_then(|b| b.get(ACTION))
}

/// A select's or radio group's chosen option value.
pub fn selected(values: &StateValues, block: &str) -> Option<String> {
    element(values, block)
        .and_then(|e| e["selected_option"]["value"].as_str())
        .map(str::to_string)
}

/// A multi-select's or checkbox group's chosen option values, sorted, without repeats.
pub fn selected_many(values: &StateValues, block: &str) -> Vec<String> {
    let mut out: Vec<String> = element(values, block)
        .and_then(|e| e["selected_options"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|o| o["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

/// A users select's chosen user ID (`None` when empty).
pub fn selected_user(values: &StateValues, block: &str) -> Option<String> {
    element(values, block)
        .and_then(|e| e["selected_user"].as_str())
        .filter(|u| !u.is_empty())
        .map(str::to_string)
}

/// A text or number input's value, trimmed (`None` when empty or blank).
pub fn text(values: &StateValues, block: &str) -> Option<String> {
    element(values, block)
        .and_then(|e| e["value"].as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A datepicker's state: `None` if nothing was picked, `Some(Err(()))` if what came is not a date.
pub fn date(values: &StateValues, block: &str) -> Option<Result<NaiveDate, ()>> {
    element(values, block)
        .and_then(|e| e["selected_date"].as_str())
        .filter(|s| !s.is_empty())
        .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ()))
}

/// A score from a 1-to-5 select; only the exact option values `1`..`5` count.
pub fn score(values: &StateValues, block: &str) -> Option<u8> {
    selected(values, block)
        .filter(|v| v.len() == 1)
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|s| (1..=5).contains(s))
}

/// A chosen option as Slack sends it back.
pub fn option_state(text: &str, value: &str) -> Value {
    json!({ "text": { "type": "plain_text", "text": text, "emoji": true }, "value": value })
}

/// A block's entry in `view.state.values`: one element of `element_type` under [`ACTION`], with `key` set to
/// `value`.
pub fn element_state(element_type: &str, key: &str, value: Value) -> Value {
    json!({ ACTION: { "type": element_type, key: value } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(v: Value) -> StateValues {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn readers_take_only_the_forms_action_id() {
        let v = state(json!({
            "a": element_state("plain_text_input", "value", json!("  hi  ")),
            "b": element_state("static_select", "selected_option", option_state("Three", "3")),
            "c": element_state("checkboxes", "selected_options", json!([option_state("y", "y"), option_state("x", "x"), option_state("y", "y")])),
            "d": element_state("datepicker", "selected_date", json!("2026-02-30")),
            "e": element_state("users_select", "selected_user", json!("")),
            "f": { "other": { "type": "plain_text_input", "value": "not ours" } },
        }));
        assert_eq!(text(&v, "a").as_deref(), Some("hi"));
        assert_eq!(selected(&v, "b").as_deref(), Some("3"));
        assert_eq!(score(&v, "b"), Some(3));
        assert_eq!(selected_many(&v, "c"), ["x", "y"]);
        assert_eq!(date(&v, "d"), Some(Err(())));
        assert_eq!(selected_user(&v, "e"), None);
        assert_eq!(text(&v, "f"), None);
        assert_eq!(element(&v, "missing"), None);
    }
}
