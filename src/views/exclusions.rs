//! `/mentor exclusions` (admins): every pair that must never be paired, with who added it and when, and how to
//! remove one. Long lists are cut to stay within Slack's 50 blocks.

use super::pair_common::mention;
use super::proposal::packed_sections;
use super::{context, ephemeral, header, section};
use crate::domain::model::Exclusion;
use serde_json::Value;

/// Sections of exclusion lines; the rest of the 50 blocks hold the header, the count and the notes.
const MAX_LINE_BLOCKS: usize = 40;

/// One line: both people, who added it, when.
fn line(x: &Exclusion) -> String {
    let by = match &x.added_by {
        Some(admin) => format!("added by {}", mention(admin)),
        None => "added by an admin (no longer in the audit log)".to_string(),
    };
    format!(
        "• {} and {} — {by}, {}",
        mention(&x.a),
        mention(&x.b),
        super::home::slack_date(x.at)
    )
}

/// The ephemeral answer to `/mentor exclusions`.
pub fn slack(rows: &[Exclusion]) -> Value {
    if rows.is_empty() {
        let text = "No exclusions: anyone may be paired with anyone the matching rules allow. `/mentor exclude @a @b` keeps two people apart; `/mentor exclude @a @b | @c @d` walls off two groups.";
        return ephemeral(text, vec![section(text)]);
    }
    let n = rows.len();
    let title = format!(
        "{n} exclusion{}: these people are never paired with each other",
        if n == 1 { "" } else { "s" }
    );
    let lines: Vec<String> = rows.iter().map(line).collect();
    let (blocks_of_lines, left) = packed_sections(&lines, MAX_LINE_BLOCKS);
    let mut blocks = vec![header("Exclusions"), section(&format!("*{title}*"))];
    blocks.extend(blocks_of_lines);
    if left > 0 {
        blocks.push(context(&format!(
            "…and {left} more. `tandem audit` prints every `exclude` and `unexclude` with its date."
        )));
    }
    blocks.push(context(
        "Oldest first. `/mentor unexclude @a @b` removes one, so the two may be paired again.",
    ));
    ephemeral(&title, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::limits::check_message_blocks;

    fn x(i: usize, by: Option<&str>) -> Exclusion {
        Exclusion {
            a: format!("UA{i:05}"),
            b: format!("UB{i:05}"),
            at: 1_780_000_000,
            added_by: by.map(str::to_string),
        }
    }

    #[test]
    fn lists_both_people_who_added_it_and_when() {
        let v = slack(&[x(1, Some("U0ADMIN")), x(2, None)]);
        assert_eq!(check_message_blocks(&v["blocks"]), Vec::<String>::new());
        let all = v["blocks"].to_string();
        assert!(
            all.contains("<@UA00001> and <@UB00001> — added by <@U0ADMIN>, <!date^1780000000^"),
            "{all}"
        );
        assert!(all.contains(
            "<@UA00002> and <@UB00002> — added by an admin (no longer in the audit log)"
        ));
        assert!(all.contains("/mentor unexclude @a @b"));
        assert_eq!(v["response_type"], "ephemeral");
        assert!(v["text"].as_str().unwrap().starts_with("2 exclusions"));
    }

    #[test]
    fn none_says_how_to_add_one_and_many_stay_within_limits() {
        assert!(slack(&[]).to_string().contains("No exclusions"));
        let many: Vec<Exclusion> = (0..5_000).map(|i| x(i, Some("U0ADMIN"))).collect();
        let v = slack(&many);
        assert_eq!(check_message_blocks(&v["blocks"]), Vec::<String>::new());
        assert!(v["blocks"].to_string().contains("more. `tandem audit`"));
    }
}
