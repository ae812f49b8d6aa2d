//! Slack's Block Kit limits, as pure checks. The fake Slack refuses what breaks them (as real Slack does), and the
//! views' unit tests call them directly.
//!
//! Covered: view and message block counts, modal title/submit/close, `submit` required with inputs, block IDs
//! (length, uniqueness), text lengths for sections, headers, labels, hints, placeholders, buttons (and their
//! confirmation dialogs), option text and
//! value, options per select and per checkbox group, `initial_option(s)` among the options, `private_metadata` and
//! `callback_id` lengths.

use serde_json::Value;
use std::collections::BTreeSet;

pub const MAX_VIEW_BLOCKS: usize = 100;
pub const MAX_MESSAGE_BLOCKS: usize = 50;
pub const MAX_MODAL_TITLE: usize = 24;
pub const MAX_SECTION_TEXT: usize = 3000;
pub const MAX_LABEL: usize = 2000;
pub const MAX_PLACEHOLDER: usize = 150;
pub const MAX_OPTION_TEXT: usize = 75;
pub const MAX_OPTION_VALUE: usize = 150;
pub const MAX_SELECT_OPTIONS: usize = 100;
pub const MAX_CHECKBOX_OPTIONS: usize = 10;
pub const MAX_BLOCK_ID: usize = 255;
pub const MAX_PRIVATE_METADATA: usize = 3000;

/// Problems found, each as `path: what is wrong`. Empty means Slack would accept it.
pub type Problems = Vec<String>;

fn len(v: &Value) -> usize {
    v.as_str().map(|s| s.chars().count()).unwrap_or(0)
}

/// A text object: `{type: plain_text|mrkdwn, text}` with a non-empty text of at most `max` characters.
fn text_object(path: &str, v: &Value, max: usize, plain_only: bool, out: &mut Problems) {
    let kind = v["type"].as_str().unwrap_or("");
    if kind != "plain_text" && (plain_only || kind != "mrkdwn") {
        out.push(format!(
            "{path}: must be a {} text object",
            if plain_only {
                "plain_text"
            } else {
                "plain_text or mrkdwn"
            }
        ));
        return;
    }
    let n = len(&v["text"]);
    if n == 0 {
        out.push(format!("{path}.text: must not be empty"));
    } else if n > max {
        out.push(format!("{path}.text: {n} characters, more than {max}"));
    }
}

fn option(path: &str, o: &Value, out: &mut Problems) {
    text_object(
        &format!("{path}.text"),
        &o["text"],
        MAX_OPTION_TEXT,
        false,
        out,
    );
    let n = len(&o["value"]);
    if n == 0 || n > MAX_OPTION_VALUE {
        out.push(format!(
            "{path}.value: must be 1..={MAX_OPTION_VALUE} characters"
        ));
    }
}

/// Options (or option groups) of a select-like element; returns every option value seen.
fn options(path: &str, el: &Value, max: usize, out: &mut Problems) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    let mut all = Vec::new();
    if let Some(groups) = el["option_groups"].as_array() {
        if groups.len() > max {
            out.push(format!(
                "{path}.option_groups: {} groups, more than {max}",
                groups.len()
            ));
        }
        for (g, group) in groups.iter().enumerate() {
            text_object(
                &format!("{path}.option_groups[{g}].label"),
                &group["label"],
                MAX_OPTION_TEXT,
                true,
                out,
            );
            let opts = group["options"].as_array().cloned().unwrap_or_default();
            if opts.is_empty() || opts.len() > max {
                out.push(format!(
                    "{path}.option_groups[{g}].options: {} options, expected 1..={max}",
                    opts.len()
                ));
            }
            all.extend(
                opts.into_iter()
                    .map(|o| (format!("{path}.option_groups[{g}]"), o)),
            );
        }
    } else if let Some(opts) = el["options"].as_array() {
        if opts.is_empty() || opts.len() > max {
            out.push(format!(
                "{path}.options: {} options, expected 1..={max}",
                opts.len()
            ));
        }
        all.extend(opts.iter().cloned().map(|o| (path.to_string(), o)));
    } else {
        out.push(format!("{path}: needs options or option_groups"));
    }
    for (i, (p, o)) in all.iter().enumerate() {
        option(&format!("{p}.options[{i}]"), o, out);
        if !values.insert(o["value"].as_str().unwrap_or_default().to_string()) {
            out.push(format!("{p}.options[{i}].value: duplicate value"));
        }
    }
    values
}

fn initial_among(path: &str, el: &Value, values: &BTreeSet<String>, out: &mut Problems) {
    let mut initial: Vec<&Value> = el["initial_options"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if el.get("initial_option").is_some() {
        initial.push(&el["initial_option"]);
    }
    for o in initial {
        if !values.contains(o["value"].as_str().unwrap_or_default()) {
            out.push(format!(
                "{path}: initial option {} is not among the options",
                o["value"]
            ));
        }
    }
}

/// A confirmation dialog object: title (plain, 100), text (300), confirm and deny (plain, 30), style.
fn confirm_dialog(path: &str, c: &Value, out: &mut Problems) {
    text_object(&format!("{path}.title"), &c["title"], 100, true, out);
    text_object(&format!("{path}.text"), &c["text"], 300, false, out);
    text_object(&format!("{path}.confirm"), &c["confirm"], 30, true, out);
    text_object(&format!("{path}.deny"), &c["deny"], 30, true, out);
    if let Some(s) = c["style"]
        .as_str()
        .filter(|s| *s != "primary" && *s != "danger")
    {
        out.push(format!("{path}.style: '{s}' is not primary or danger"));
    }
}

fn element(path: &str, el: &Value, action_ids: &mut BTreeSet<String>, out: &mut Problems) {
    if let Some(id) = el["action_id"].as_str() {
        if id.chars().count() > MAX_BLOCK_ID {
            out.push(format!("{path}.action_id: longer than {MAX_BLOCK_ID}"));
        }
        if !action_ids.insert(id.to_string()) {
            out.push(format!("{path}.action_id: duplicate '{id}' in one block"));
        }
    }
    if let Some(c) = el.get("confirm") {
        // A confirmation dialog: title 100, text 300, the two buttons 30 characters each.
        for (field, max, plain_only) in [
            ("title", 100, true),
            ("text", 300, false),
            ("confirm", 30, true),
            ("deny", 30, true),
        ] {
            text_object(
                &format!("{path}.confirm.{field}"),
                &c[field],
                max,
                plain_only,
                out,
            );
        }
    }
    if el.get("placeholder").is_some() {
        text_object(
            &format!("{path}.placeholder"),
            &el["placeholder"],
            MAX_PLACEHOLDER,
            true,
            out,
        );
    }
    match el["type"].as_str().unwrap_or("") {
        "button" => {
            text_object(&format!("{path}.text"), &el["text"], 75, true, out);
            if len(&el["value"]) > 2000 {
                out.push(format!("{path}.value: longer than 2000"));
            }
            if let Some(s) = el["style"]
                .as_str()
                .filter(|s| *s != "primary" && *s != "danger")
            {
                out.push(format!("{path}.style: '{s}' is not primary or danger"));
            }
            if el.get("confirm").is_some() {
                confirm_dialog(&format!("{path}.confirm"), &el["confirm"], out);
            }
        }
        "static_select" | "multi_static_select" => {
            let values = options(path, el, MAX_SELECT_OPTIONS, out);
            initial_among(path, el, &values, out);
        }
        "checkboxes" | "radio_buttons" => {
            let values = options(path, el, MAX_CHECKBOX_OPTIONS, out);
            initial_among(path, el, &values, out);
        }
        "plain_text_input" => {
            let max = el["max_length"].as_u64();
            if max.is_some_and(|m| m > 3000) {
                out.push(format!("{path}.max_length: more than 3000"));
            }
            let initial = el["initial_value"]
                .as_str()
                .map(|v| v.chars().count() as u64);
            if let (Some(n), Some(m)) = (initial, max)
                && n > m
            {
                out.push(format!("{path}.initial_value: longer than max_length"));
            }
        }
        "number_input" => {
            if el["is_decimal_allowed"].as_bool().is_none() {
                out.push(format!("{path}.is_decimal_allowed: required"));
            }
        }
        "users_select"
        | "multi_users_select"
        | "conversations_select"
        | "channels_select"
        | "datepicker"
        | "timepicker"
        | "image"
        | "overflow"
        | "email_text_input"
        | "url_text_input"
        | "rich_text_input" => {}
        other => out.push(format!("{path}.type: unknown element type '{other}'")),
    }
}

/// Checks a list of blocks; `max` is 100 for views and 50 for messages. Returns whether any input block was seen.
fn blocks(path: &str, blocks: &Value, max: usize, out: &mut Problems) -> bool {
    let Some(list) = blocks.as_array() else {
        out.push(format!("{path}: must be an array"));
        return false;
    };
    if list.len() > max {
        out.push(format!("{path}: {} blocks, more than {max}", list.len()));
    }
    let mut block_ids = BTreeSet::new();
    let mut has_input = false;
    for (i, b) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if let Some(id) = b["block_id"].as_str() {
            if id.is_empty() || id.chars().count() > MAX_BLOCK_ID {
                out.push(format!(
                    "{p}.block_id: must be 1..={MAX_BLOCK_ID} characters"
                ));
            }
            if !block_ids.insert(id.to_string()) {
                out.push(format!("{p}.block_id: duplicate '{id}'"));
            }
        }
        let mut action_ids = BTreeSet::new();
        match b["type"].as_str().unwrap_or("") {
            "section" => {
                if b.get("text").is_none() && b.get("fields").is_none() {
                    out.push(format!("{p}: a section needs text or fields"));
                }
                if b.get("text").is_some() {
                    text_object(
                        &format!("{p}.text"),
                        &b["text"],
                        MAX_SECTION_TEXT,
                        false,
                        out,
                    );
                }
                if let Some(fields) = b["fields"].as_array() {
                    if fields.len() > 10 {
                        out.push(format!("{p}.fields: more than 10"));
                    }
                    for (f, field) in fields.iter().enumerate() {
                        text_object(&format!("{p}.fields[{f}]"), field, 2000, false, out);
                    }
                }
                if b.get("accessory").is_some() {
                    element(
                        &format!("{p}.accessory"),
                        &b["accessory"],
                        &mut action_ids,
                        out,
                    );
                }
            }
            "header" => text_object(&format!("{p}.text"), &b["text"], 150, true, out),
            "divider" => {}
            "context" => {
                let n = b["elements"].as_array().map(Vec::len).unwrap_or(0);
                if n == 0 || n > 10 {
                    out.push(format!("{p}.elements: {n} elements, expected 1..=10"));
                }
            }
            "actions" => {
                let els = b["elements"].as_array().cloned().unwrap_or_default();
                if els.is_empty() || els.len() > 25 {
                    out.push(format!(
                        "{p}.elements: {} elements, expected 1..=25",
                        els.len()
                    ));
                }
                for (e, el) in els.iter().enumerate() {
                    element(&format!("{p}.elements[{e}]"), el, &mut action_ids, out);
                }
            }
            "input" => {
                has_input = true;
                text_object(&format!("{p}.label"), &b["label"], MAX_LABEL, true, out);
                if b.get("hint").is_some() {
                    text_object(&format!("{p}.hint"), &b["hint"], MAX_LABEL, true, out);
                }
                if b.get("element").is_none() {
                    out.push(format!("{p}.element: required"));
                } else {
                    element(&format!("{p}.element"), &b["element"], &mut action_ids, out);
                }
            }
            "image" | "rich_text" | "file" | "video" => {}
            other => out.push(format!("{p}.type: unknown block type '{other}'")),
        }
    }
    has_input
}

/// Checks a view for `views.open`, `views.update`, `views.push` or `views.publish`.
pub fn check_view(view: &Value) -> Problems {
    let mut out = Vec::new();
    let kind = view["type"].as_str().unwrap_or("");
    if kind != "modal" && kind != "home" {
        out.push(format!("view.type: '{kind}' is not modal or home"));
    }
    let has_input = blocks("view.blocks", &view["blocks"], MAX_VIEW_BLOCKS, &mut out);
    if kind == "modal" {
        text_object(
            "view.title",
            &view["title"],
            MAX_MODAL_TITLE,
            true,
            &mut out,
        );
        for key in ["submit", "close"] {
            if view.get(key).is_some() {
                text_object(
                    &format!("view.{key}"),
                    &view[key],
                    MAX_MODAL_TITLE,
                    true,
                    &mut out,
                );
            }
        }
        if has_input && view.get("submit").is_none() {
            out.push(
                "view.submit: a modal with input blocks must have a submit button".to_string(),
            );
        }
    }
    if len(&view["private_metadata"]) > MAX_PRIVATE_METADATA {
        out.push(format!(
            "view.private_metadata: longer than {MAX_PRIVATE_METADATA}"
        ));
    }
    if len(&view["callback_id"]) > MAX_BLOCK_ID {
        out.push(format!("view.callback_id: longer than {MAX_BLOCK_ID}"));
    }
    out
}

/// Checks a message's blocks for `chat.postMessage`, `chat.update`, `chat.postEphemeral` or a command reply.
pub fn check_message_blocks(message_blocks: &Value) -> Problems {
    let mut out = Vec::new();
    if blocks("blocks", message_blocks, MAX_MESSAGE_BLOCKS, &mut out) {
        out.push("blocks: input blocks are not allowed in messages".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn modal(blocks: Value) -> Value {
        json!({"type": "modal", "title": {"type": "plain_text", "text": "Join Tandem"}, "submit": {"type": "plain_text", "text": "Save"}, "blocks": blocks})
    }

    fn input(block_id: &str, element: Value) -> Value {
        json!({"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": "Label"}, "element": element})
    }

    fn opts(n: usize, text_len: usize) -> Vec<Value> {
        (0..n).map(|i| json!({"text": {"type": "plain_text", "text": format!("{i:0>width$}", width = text_len)}, "value": format!("v{i}")})).collect()
    }

    #[test]
    fn a_well_formed_modal_passes() {
        let v = modal(json!([input(
            "role",
            json!({"type": "static_select", "action_id": "a", "options": opts(3, 5), "initial_option": opts(3, 5)[1]})
        )]));
        assert_eq!(check_view(&v), Vec::<String>::new());
    }

    #[test]
    fn catches_each_limit() {
        let mut title = modal(json!([]));
        title["title"]["text"] = json!("x".repeat(25));
        assert!(check_view(&title)[0].contains("view.title.text"));

        let mut no_submit = modal(json!([input(
            "b",
            json!({"type": "plain_text_input", "action_id": "a"})
        )]));
        no_submit.as_object_mut().unwrap().remove("submit");
        assert!(check_view(&no_submit)[0].contains("submit"));

        let many: Vec<Value> = (0..101).map(|_| json!({"type": "divider"})).collect();
        assert!(check_view(&modal(json!(many.clone())))[0].contains("101 blocks"));
        assert!(check_message_blocks(&json!(many[..51].to_vec()))[0].contains("51 blocks"));

        let long_option = modal(json!([input(
            "b",
            json!({"type": "static_select", "options": opts(2, 76)})
        )]));
        assert!(
            check_view(&long_option)
                .iter()
                .any(|p| p.contains("76 characters"))
        );

        let too_many = modal(json!([input(
            "b",
            json!({"type": "multi_static_select", "options": opts(101, 3)})
        )]));
        assert!(
            check_view(&too_many)
                .iter()
                .any(|p| p.contains("101 options"))
        );

        let checkboxes = modal(json!([input(
            "b",
            json!({"type": "checkboxes", "options": opts(11, 3)})
        )]));
        assert!(
            check_view(&checkboxes)
                .iter()
                .any(|p| p.contains("11 options"))
        );

        let dup = modal(
            json!([{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}]),
        );
        assert!(check_view(&dup)[0].contains("duplicate"));

        let section =
            json!([{"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}}]);
        assert!(check_message_blocks(&section)[0].contains("3001"));

        let placeholder = modal(json!([input(
            "b",
            json!({"type": "plain_text_input", "placeholder": {"type": "plain_text", "text": "p".repeat(151)}})
        )]));
        assert!(check_view(&placeholder)[0].contains("placeholder"));

        let stray = modal(json!([input(
            "b",
            json!({"type": "static_select", "options": opts(2, 3), "initial_option": {"text": {"type": "plain_text", "text": "zz"}, "value": "nope"}})
        )]));
        assert!(check_view(&stray)[0].contains("not among the options"));

        let plain = |t: &str| json!({"type": "plain_text", "text": t});
        let confirmed = |c: Value| json!([{"type": "actions", "elements": [{"type": "button", "text": plain("Go"), "action_id": "a", "confirm": c}]}]);
        let good = json!({"title": plain("Sure?"), "text": {"type": "mrkdwn", "text": "*Really*"}, "confirm": plain("Yes"), "deny": plain("No"), "style": "danger"});
        assert_eq!(
            check_message_blocks(&confirmed(good.clone())),
            Vec::<String>::new()
        );
        let mut long = good.clone();
        long["confirm"] = plain(&"y".repeat(31));
        assert!(check_message_blocks(&confirmed(long))[0].contains("confirm.confirm.text: 31"));
        let mut no_deny = good.clone();
        no_deny.as_object_mut().unwrap().remove("deny");
        assert!(check_message_blocks(&confirmed(no_deny))[0].contains("confirm.deny"));
        let mut text = good;
        text["text"]["text"] = json!("t".repeat(301));
        assert!(check_message_blocks(&confirmed(text))[0].contains("301"));

        let mut meta = modal(json!([]));
        meta["private_metadata"] = json!("m".repeat(3001));
        assert!(check_view(&meta)[0].contains("private_metadata"));

        let long_confirm = json!([{"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": "v",
            "text": {"type": "plain_text", "text": "Go"},
            "confirm": {"title": {"type": "plain_text", "text": "Sure?"}, "text": {"type": "plain_text", "text": "t".repeat(301)},
                        "confirm": {"type": "plain_text", "text": "Yes"}, "deny": {"type": "plain_text", "text": "n".repeat(31)}}}]}]);
        let problems = check_message_blocks(&long_confirm);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("confirm.text.text: 301"))
                && problems.iter().any(|p| p.contains("confirm.deny.text: 31")),
            "{problems:?}"
        );

        let input_in_message = json!([input("b", json!({"type": "plain_text_input"}))]);
        assert!(
            check_message_blocks(&input_in_message)
                .iter()
                .any(|p| p.contains("not allowed"))
        );
    }
}
