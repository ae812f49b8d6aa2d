//! `/mentor help`: the subcommands, one line each.

use super::blocks::{context, ephemeral, section};
use serde_json::Value;

/// Moved to [`crate::domain::text`]; kept here for the callers that reach it through the views.
pub use crate::domain::text::truncate;

/// The ephemeral help message. `unknown` is what the person typed when it was not a subcommand.
pub fn help(subcommands: &[(&str, &str)], admin: &[(&str, &str)], unknown: Option<&str>) -> Value {
    let mut lines = String::new();
    for (usage, what) in subcommands {
        lines.push_str(&format!("`/mentor {usage}` — {what}\n"));
    }
    if !admin.is_empty() {
        lines.push_str("*For program admins*\n");
        for (usage, what) in admin {
            lines.push_str(&format!("`/mentor {usage}` — {what}\n"));
        }
    }
    let intro = match unknown {
        Some(u) => format!(
            "I don't know `/mentor {}`. Here is what I can do:",
            truncate(u, 60)
        ),
        None => "*Tandem* pairs attorneys of different generations so that each teaches the other. Here is what I can do:".to_string(),
    };
    let text = format!("{intro}\n{lines}");
    ephemeral(
        &text,
        vec![
            section(&intro),
            section(lines.trim_end()),
            context(
                "Your answers are private: only you see them, and `/mentor leave` deletes them.",
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_subcommand_and_names_the_unknown_one() {
        let subs = [("help", "this list"), ("join", "opt in")];
        let v = help(&subs, &[], None);
        assert_eq!(v["response_type"], "ephemeral");
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains("`/mentor help` — this list") && text.contains("`/mentor join` — opt in")
        );
        assert!(!text.contains("For program admins"));
        let admin = help(&subs, &[("match", "pairs")], None);
        assert!(
            admin["text"]
                .as_str()
                .unwrap()
                .contains("*For program admins*\n`/mentor match` — pairs")
        );
        let v = help(&subs, &[], Some("dance"));
        assert!(
            v["blocks"][0]["text"]["text"]
                .as_str()
                .unwrap()
                .contains("I don't know `/mentor dance`")
        );
    }
}
