//! `/mentor feedback` (admins): the anonymous words of closed pairs and the score distributions, ephemeral.

use super::limits::{MAX_MESSAGE_BLOCKS, MAX_SECTION_TEXT};
use super::pair_common::quote;
use super::{context, ephemeral, header, section};
use crate::domain::feedback::{Distribution, FeedbackDigest, Shown};
use crate::domain::reports::MIN_PEOPLE;
use serde_json::Value;

/// What the program team is told about who reads what: the wording the forms use too.
pub const WHO_SEES: &str = "Anonymous: no names, no dates, in no particular order, from pairs that have closed. \
     Shown only once at least 3 people have written; managers never see these words.";

fn distribution_line(title: &str, labels: fn(usize) -> String, d: &Shown<Distribution>) -> String {
    match d {
        Shown::TooFew => format!("*{title}*: fewer than {MIN_PEOPLE} people so far"),
        Shown::Shown(d) => {
            let total: u32 = d.counts.iter().sum();
            let parts: Vec<String> = d
                .counts
                .iter()
                .enumerate()
                .rev()
                .map(|(i, n)| format!("{}: {n}", labels(i + 1)))
                .collect();
            format!(
                "*{title}* ({total} answers from {} people)\n{}",
                d.people,
                parts.join(" · ")
            )
        }
    }
}

/// Escaped, quoted free text that fits one section (text longer than that is cut, with an ellipsis).
fn fitted(text: &str) -> String {
    let budget = MAX_SECTION_TEXT - 10;
    let quoted = quote(text);
    if quoted.chars().count() <= budget {
        return quoted;
    }
    let mut raw: Vec<char> = text.chars().collect();
    while !raw.is_empty() {
        let cut = raw.len().saturating_sub((raw.len() / 10).max(1));
        raw.truncate(cut);
        let candidate = quote(&format!("{}…", raw.iter().collect::<String>()));
        if candidate.chars().count() <= budget {
            return candidate;
        }
    }
    String::from(">…")
}

/// Texts packed into as few sections as fit, at most `max_blocks`; returns the blocks and how many texts fitted.
fn packed(texts: &[String], max_blocks: usize) -> (Vec<Value>, usize) {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut shown = 0;
    for t in texts {
        let q = fitted(t);
        if !current.is_empty() && current.chars().count() + 2 + q.chars().count() > MAX_SECTION_TEXT
        {
            if blocks.len() + 1 >= max_blocks {
                break;
            }
            blocks.push(section(&current));
            current.clear();
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(&q);
        shown += 1;
    }
    if !current.is_empty() {
        blocks.push(section(&current));
    }
    (blocks, shown)
}

fn texts_blocks(title: &str, texts: &Shown<Vec<String>>, max_blocks: usize) -> Vec<Value> {
    match texts {
        Shown::TooFew => vec![section(&format!(
            "*{title}*: not shown until at least {MIN_PEOPLE} people have written"
        ))],
        Shown::Shown(list) => {
            let (body, shown) = packed(list, max_blocks.saturating_sub(2));
            let mut out = vec![section(&format!("*{title}* ({})", list.len()))];
            out.extend(body);
            if shown < list.len() {
                out.push(context(&format!(
                    "{} more not shown here (Slack limits one message's length).",
                    list.len() - shown
                )));
            }
            out
        }
    }
}

/// The ephemeral answer to `/mentor feedback`.
pub fn slack(d: &FeedbackDigest) -> Value {
    let mut blocks = vec![
        header("Feedback from closed pairs"),
        context(WHO_SEES),
        section(&distribution_line(
            "How people rated the program",
            |s| format!("{s}★"),
            &d.ratings,
        )),
        section(&distribution_line(
            "How useful meetings were",
            |s| format!("{s}/5"),
            &d.usefulness,
        )),
    ];
    // What is left, shared by the two lists (each list's title and "more" line included).
    let room = MAX_MESSAGE_BLOCKS - blocks.len();
    let learned = texts_blocks("What people learned", &d.learned, room / 2);
    let room = room - learned.len();
    blocks.extend(learned);
    blocks.extend(texts_blocks("Meeting notes", &d.covered, room));
    ephemeral("Feedback from closed pairs (anonymous)", blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::limits::check_message_blocks;

    fn digest(learned: Shown<Vec<String>>) -> FeedbackDigest {
        FeedbackDigest {
            learned,
            covered: Shown::TooFew,
            ratings: Shown::Shown(Distribution {
                counts: [0, 0, 1, 2, 4],
                people: 5,
            }),
            usefulness: Shown::TooFew,
        }
    }

    fn all_text(v: &Value) -> String {
        v.to_string()
    }

    #[test]
    fn too_few_people_show_nothing_written() {
        let v = slack(&digest(Shown::TooFew));
        let text = all_text(&v);
        assert!(text.contains("not shown until at least 3 people"));
        assert!(text.contains("5★: 4 · 4★: 2 · 3★: 1 · 2★: 0 · 1★: 0"));
        assert!(text.contains("7 answers from 5 people"));
        assert!(check_message_blocks(&v["blocks"]).is_empty());
    }

    #[test]
    fn texts_are_quoted_escaped_and_kept_within_slack_limits() {
        let mut list: Vec<String> = (0..300)
            .map(|i| format!("lesson {i} <@U123> & more {}", "x".repeat(900)))
            .collect();
        list.push("&".repeat(1000));
        let v = slack(&digest(Shown::Shown(list)));
        let problems = check_message_blocks(&v["blocks"]);
        assert!(problems.is_empty(), "{problems:?}");
        let text = all_text(&v);
        assert!(
            text.contains("&lt;@U123&gt; &amp; more"),
            "mentions cannot ping"
        );
        assert!(!text.contains("<@U123>"));
        assert!(text.contains("more not shown here"));
        assert!(text.contains("What people learned* (301)"));
        let worst = fitted(&"&".repeat(1000));
        assert!(worst.chars().count() <= MAX_SECTION_TEXT && worst.ends_with('…'));
        assert_eq!(fitted("a\nb"), ">a\n>b");
    }
}
