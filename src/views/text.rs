//! Block Kit as plain text: how a message, a modal or a Home tab reads, for a terminal (the demo's transcript).
//!
//! Pure: JSON in, lines out. Mentions become names through a lookup the caller provides; mrkdwn emphasis is dropped,
//! links show their label, `<!date…|fallback>` shows its fallback. Blocks render as: headers `# Title`, sections as
//! their text (fields joined with ` · `), context in parentheses, dividers as a rule, buttons as `[Label]`, inputs as
//! `Label: ____` (or the value submitted, when the caller passes the view's state values).

use serde_json::Value;

/// Looks a user ID up to a display name; `None` shows the ID.
pub type Names<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What an unfilled input shows.
pub const BLANK: &str = "____";
/// A divider.
pub const RULE: &str = "────────────────────";

/// Slack's mrkdwn as plain text: mentions resolved, links to their label, emphasis markers dropped, entities decoded.
pub fn mrkdwn(s: &str, names: Names) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        out.push_str(&angle(&after[..close], names));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    let plain = drop_emphasis(&drop_emphasis(&out, '*'), '_');
    plain
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The inside of `<…>`: a mention, a channel, a special (`!here`, `!date`), or a link.
fn angle(inner: &str, names: Names) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        return format!(
            "@{}",
            names(id)
                .or(label.map(str::to_string))
                .unwrap_or_else(|| id.to_string())
        );
    }
    if let Some(id) = target.strip_prefix('#') {
        return format!("#{}", label.unwrap_or(id));
    }
    if let Some(special) = target.strip_prefix('!') {
        return match label {
            Some(l) => l.to_string(),
            None => format!("@{}", special.split('^').next().unwrap_or(special)),
        };
    }
    label.unwrap_or(target).to_string()
}

/// Removes an emphasis marker (`*` or `_`) where it opens or closes a run of text, keeping it inside words
/// (`TANDEM_ADMINS`) and where it stands alone (`2 * 3`).
fn drop_emphasis(s: &str, marker: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let edge = |c: Option<&char>| {
        c.is_none_or(|c| c.is_whitespace() || "([{\"'“‘.,;:!?)]}”’-—/".contains(*c))
    };
    let mut out = String::with_capacity(s.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == marker {
            let before = if i == 0 { None } else { chars.get(i - 1) };
            let after = chars.get(i + 1);
            let opens = edge(before) && after.is_some_and(|a| !a.is_whitespace() && *a != marker);
            let closes = before.is_some_and(|b| !b.is_whitespace() && *b != marker) && edge(after);
            if opens || closes {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

/// A text object (`plain_text` or `mrkdwn`) as plain text.
pub fn text_object(t: &Value, names: Names) -> String {
    let raw = t["text"].as_str().unwrap_or_default();
    if t["type"] == "mrkdwn" {
        mrkdwn(raw, names)
    } else {
        raw.to_string()
    }
}

fn lines_of(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

/// An interactive element as text: `[Label]` for a button, `[placeholder ▾]` for a select or picker.
fn element(e: &Value, names: Names) -> String {
    match e["type"].as_str().unwrap_or_default() {
        "button" => format!("[{}]", text_object(&e["text"], names)),
        "overflow" => "[⋯]".to_string(),
        _ => {
            let placeholder = e["placeholder"]["text"].as_str().unwrap_or("Choose");
            format!("[{placeholder} ▾]")
        }
    }
}

/// The value an input element holds in a view's `state.values` (`{block_id: {action_id: state}}`).
fn submitted(state: &Value, names: Names) -> Option<String> {
    let option_text = |o: &Value| o["text"]["text"].as_str().unwrap_or_default().to_string();
    let shown = match state["type"].as_str().unwrap_or_default() {
        "static_select" | "radio_buttons" | "external_select" => state["selected_option"]
            .as_object()
            .map(|_| option_text(&state["selected_option"])),
        "multi_static_select" | "checkboxes" | "multi_external_select" => state["selected_options"]
            .as_array()
            .map(|a| a.iter().map(option_text).collect::<Vec<_>>().join(", ")),
        "users_select" => state["selected_user"]
            .as_str()
            .map(|u| format!("@{}", names(u).unwrap_or_else(|| u.to_string()))),
        "datepicker" => state["selected_date"].as_str().map(pretty_date),
        _ => state["value"].as_str().map(str::to_string),
    };
    shown.filter(|s| !s.trim().is_empty())
}

/// `2026-06-30` as `30 June 2026` (anything else as given).
pub fn pretty_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// One input block: `Label: value` or `Label: ____`, with `(optional)` when it may stay empty.
fn input(block: &Value, values: Option<&Value>, names: Names) -> String {
    let label = text_object(&block["label"], names);
    let state = values.and_then(|v| {
        let by_action = v.get(block["block_id"].as_str().unwrap_or_default())?;
        by_action.as_object()?.values().next().cloned()
    });
    let value = state.and_then(|s| {
        let mut s = s;
        if s.get("type").is_none() {
            s["type"] = block["element"]["type"].clone();
        }
        submitted(&s, names)
    });
    let optional = if block["optional"] == true && value.is_none() {
        " (optional)"
    } else {
        ""
    };
    format!(
        "{label}: {}{optional}",
        value.unwrap_or_else(|| BLANK.to_string())
    )
}

/// One block as lines of text. `values` (a view's `state.values`) fills in inputs.
pub fn block(b: &Value, values: Option<&Value>, names: Names) -> Vec<String> {
    match b["type"].as_str().unwrap_or_default() {
        "header" => vec![format!("# {}", text_object(&b["text"], names))],
        "section" => {
            let mut out = Vec::new();
            if b["text"].is_object() {
                out.extend(lines_of(&text_object(&b["text"], names)));
            }
            if let Some(fields) = b["fields"].as_array() {
                let shown: Vec<String> = fields
                    .iter()
                    .map(|f| text_object(f, names).trim().replace('\n', ": "))
                    .collect();
                out.push(shown.join(" · "));
            }
            if b["accessory"].is_object() {
                let accessory = element(&b["accessory"], names);
                match out.last_mut() {
                    Some(last) => {
                        last.push_str("  ");
                        last.push_str(&accessory);
                    }
                    None => out.push(accessory),
                }
            }
            out
        }
        "context" => {
            let parts: Vec<String> = b["elements"]
                .as_array()
                .map(|els| {
                    els.iter()
                        .map(|e| match e["type"].as_str() {
                            Some("image") => {
                                format!("[{}]", e["alt_text"].as_str().unwrap_or("image"))
                            }
                            _ => text_object(e, names),
                        })
                        .collect()
                })
                .unwrap_or_default();
            lines_of(&format!("({})", parts.join(" ")))
        }
        "divider" => vec![RULE.to_string()],
        "actions" => {
            let parts: Vec<String> = b["elements"]
                .as_array()
                .map(|els| els.iter().map(|e| element(e, names)).collect())
                .unwrap_or_default();
            vec![parts.join(" ")]
        }
        "input" => vec![input(b, values, names)],
        "image" => vec![format!(
            "[image: {}]",
            b["alt_text"].as_str().unwrap_or_default()
        )],
        other => vec![format!("[{other}]")],
    }
}

/// A list of blocks as lines of text.
pub fn blocks(blocks: &Value, values: Option<&Value>, names: Names) -> Vec<String> {
    blocks
        .as_array()
        .map(|bs| bs.iter().flat_map(|b| block(b, values, names)).collect())
        .unwrap_or_default()
}

/// A message (`text` and `blocks`, as posted) as lines: its blocks, or its text when it has none.
pub fn message(m: &Value, names: Names) -> Vec<String> {
    let has_blocks = m["blocks"].as_array().is_some_and(|b| !b.is_empty());
    if has_blocks {
        blocks(&m["blocks"], None, names)
    } else {
        lines_of(&mrkdwn(m["text"].as_str().unwrap_or_default(), names))
    }
}

/// A message's notification text (its `text` fallback, first line), for a one-line mention of it.
pub fn notification(m: &Value, names: Names) -> String {
    let text = mrkdwn(m["text"].as_str().unwrap_or_default(), names);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim();
    if first.is_empty() {
        message(m, names).into_iter().next().unwrap_or_default()
    } else {
        first.to_string()
    }
}

/// A modal or Home tab as lines: its title, its blocks (inputs filled from `values` when given), then its submit and
/// close buttons.
pub fn view(v: &Value, values: Option<&Value>, names: Names) -> Vec<String> {
    let mut out = Vec::new();
    if v["title"].is_object() {
        out.push(format!("# {}", text_object(&v["title"], names)));
    }
    out.extend(blocks(&v["blocks"], values, names));
    let buttons: Vec<String> = ["submit", "close"]
        .iter()
        .filter(|k| v[**k].is_object())
        .map(|k| format!("[{}]", text_object(&v[*k], names)))
        .collect();
    if !buttons.is_empty() {
        out.push(buttons.join(" "));
    }
    out
}

/// The filled-in inputs of a submitted view, as `Label: value` (empty ones left out), for a one-line account.
pub fn answers(v: &Value, values: &Value, names: Names) -> Vec<String> {
    v["blocks"]
        .as_array()
        .map(|bs| {
            bs.iter()
                .filter(|b| b["type"] == "input")
                .map(|b| input(b, Some(values), names))
                .filter(|l| !l.ends_with(BLANK) && !l.ends_with("(optional)"))
                .collect()
        })
        .unwrap_or_default()
}

/// Wraps `line` to `width` characters at spaces (a longer word stays whole).
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let indent: String = line.chars().take_while(|c| *c == ' ').collect();
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
            current.push_str(&indent);
            current.push_str("  ");
        } else if len > 0 {
            current.push(' ');
        } else {
            current.push_str(&indent);
        }
        current.push_str(word);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(id: &str) -> Option<String> {
        (id == "U1").then(|| "Ada Lovelace".to_string())
    }

    #[test]
    fn mrkdwn_reads_as_plain_text() {
        assert_eq!(
            mrkdwn(
                "*Hello* <@U1>, see <https://x.test|the guide> by <!date^0^{date_long}|1970-01-01> &amp; _soon_.",
                &names
            ),
            "Hello @Ada Lovelace, see the guide by 1970-01-01 & soon."
        );
        assert_eq!(
            mrkdwn("<@U9|sam> in <#C1|general> <!here>", &names),
            "@sam in #general @here"
        );
        assert_eq!(
            mrkdwn("TANDEM_ADMINS and 2 * 3, `/mentor join`", &names),
            "TANDEM_ADMINS and 2 * 3, `/mentor join`"
        );
        assert_eq!(mrkdwn("a < b", &names), "a < b");
    }

    #[test]
    fn blocks_render_as_lines() {
        let b = json!([
            { "type": "header", "text": { "type": "plain_text", "text": "Hi" } },
            { "type": "section", "text": { "type": "mrkdwn", "text": "*One*\ntwo" } },
            { "type": "section", "fields": [{ "type": "mrkdwn", "text": "*How often*\nweekly" }, { "type": "mrkdwn", "text": "*Until*\nJune" }] },
            { "type": "divider" },
            { "type": "actions", "elements": [
                { "type": "button", "text": { "type": "plain_text", "text": "We met" }, "action_id": "a" },
                { "type": "static_select", "placeholder": { "type": "plain_text", "text": "Pick" } },
            ] },
            { "type": "context", "elements": [{ "type": "mrkdwn", "text": "only <@U1>" }] },
        ]);
        assert_eq!(
            blocks(&b, None, &names),
            vec![
                "# Hi",
                "One",
                "two",
                "How often: weekly · Until: June",
                RULE,
                "[We met] [Pick ▾]",
                "(only @Ada Lovelace)"
            ]
        );
    }

    #[test]
    fn a_modal_shows_blanks_or_the_values_submitted() {
        let v = json!({
            "type": "modal", "title": { "type": "plain_text", "text": "Our plan" },
            "submit": { "type": "plain_text", "text": "Save plan" }, "close": { "type": "plain_text", "text": "Cancel" },
            "blocks": [
                { "type": "input", "block_id": "objective", "label": { "type": "plain_text", "text": "Our objective" }, "element": { "type": "plain_text_input" } },
                { "type": "input", "block_id": "when", "label": { "type": "plain_text", "text": "Until" }, "element": { "type": "datepicker" }, "optional": true },
                { "type": "input", "block_id": "who", "label": { "type": "plain_text", "text": "Boss" }, "element": { "type": "users_select" }, "optional": true },
            ],
        });
        assert_eq!(
            view(&v, None, &names),
            vec![
                "# Our plan",
                "Our objective: ____",
                "Until: ____ (optional)",
                "Boss: ____ (optional)",
                "[Save plan] [Cancel]"
            ]
        );
        let values = json!({
            "objective": { "value": { "type": "plain_text_input", "value": "Learn AI drafting" } },
            "when": { "value": { "type": "datepicker", "selected_date": "2026-06-30" } },
            "who": { "value": { "type": "users_select", "selected_user": "U1" } },
        });
        assert_eq!(
            answers(&v, &values, &names),
            vec![
                "Our objective: Learn AI drafting",
                "Until: 30 June 2026",
                "Boss: @Ada Lovelace"
            ]
        );
    }

    #[test]
    fn notifications_are_one_line_and_lines_wrap() {
        let m = json!({ "text": "*Check-in* for <@U1>\nmore", "blocks": [] });
        assert_eq!(notification(&m, &names), "Check-in for @Ada Lovelace");
        assert_eq!(
            message(&m, &names),
            vec!["Check-in for @Ada Lovelace", "more"]
        );
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "  ccc"]);
        assert_eq!(wrap("", 7), vec![""]);
    }
}
