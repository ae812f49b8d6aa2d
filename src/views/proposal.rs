//! The proposal an admin reviews before anyone is introduced: one line a pair, the totals, who is left unmatched and
//! why, and Approve / Discard. Long lists are cut to stay within Slack's 50 blocks.

use super::blocks::{actions, button, confirm, context, header, section};
use crate::domain::rounds::Stored;
use crate::domain::text::truncate;
use serde_json::{Value, json};

pub const ACTION_APPROVE: &str = "proposal_approve";
pub const ACTION_DISCARD: &str = "proposal_discard";
/// Room for pair lines and unmatched lines; the rest of the 50 blocks hold the header, totals and buttons.
const MAX_PAIR_BLOCKS: usize = 30;
const MAX_UNMATCHED_BLOCKS: usize = 12;
/// Below Slack's 3,000 characters per section, with room for an "and N more" line.
const SECTION_BUDGET: usize = 2_800;

/// Packs lines into sections of at most [`SECTION_BUDGET`] characters and at most `max_blocks` sections; returns the
/// blocks and how many lines did not fit.
pub fn packed_sections(lines: &[String], max_blocks: usize) -> (Vec<Value>, usize) {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for line in lines {
        let line = truncate(line, SECTION_BUDGET);
        if !current.is_empty()
            && current.chars().count() + 1 + line.chars().count() > SECTION_BUDGET
        {
            if blocks.len() + 1 == max_blocks {
                break;
            }
            blocks.push(section(&current));
            current.clear();
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
        used += 1;
    }
    if !current.is_empty() {
        blocks.push(section(&current));
    }
    (blocks, lines.len() - used)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        crate::domain::catalog::join_and(&items.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

/// The review message for proposal `id` (a round an admin asked for): `(fallback text, blocks)`.
pub fn review(id: i64, p: &Stored) -> (String, Value) {
    review_for(id, p, false)
}

/// The review message for proposal `id`; `scheduled`: the round was started by `TANDEM_ROUND_CRON` and every admin
/// gets this review.
pub fn review_for(id: i64, p: &Stored, scheduled: bool) -> (String, Value) {
    let totals = format!(
        "*{} pair{}* proposed from {} people considered; total score {}. *{} unmatched.*\nNothing has been sent to anyone. Approve to introduce every pair (each person left out then gets a kind note saying why, in their own words), or discard.",
        p.pairs.len(),
        if p.pairs.len() == 1 { "" } else { "s" },
        p.considered,
        p.total_score,
        p.unmatched.len()
    );
    let pair_lines: Vec<String> = p
        .pairs
        .iter()
        .map(|x| {
            format!(
                "• <@{}> ↔ <@{}> (score {}{}): <@{}> teaches {}; <@{}> teaches {}",
                x.junior_id,
                x.senior_id,
                x.score,
                if x.breakdown.is_empty() {
                    String::new()
                } else {
                    format!(" = {}", x.breakdown)
                },
                x.junior_id,
                list(&x.junior_teaches),
                x.senior_id,
                list(&x.senior_teaches)
            )
        })
        .collect();
    let unmatched_lines: Vec<String> = p
        .unmatched
        .iter()
        .map(|u| format!("• <@{}>: {}", u.id, u.reason))
        .collect();

    let mut blocks = vec![header(&format!("Matching proposal #{id}"))];
    if scheduled {
        blocks.push(context(
            "This round started on schedule (`TANDEM_ROUND_CRON`) and went to every program admin: the first decision counts.",
        ));
    }
    blocks.push(section(&totals));
    let (pair_blocks, pairs_left) = packed_sections(&pair_lines, MAX_PAIR_BLOCKS);
    blocks.extend(pair_blocks);
    if pairs_left > 0 {
        blocks.push(context(&format!(
            "…and {pairs_left} more pairs. `tandem match --from-db` on the server lists them all."
        )));
    }
    if !unmatched_lines.is_empty() {
        blocks.push(section("*Unmatched, and why*"));
        let (u_blocks, u_left) = packed_sections(&unmatched_lines, MAX_UNMATCHED_BLOCKS);
        blocks.extend(u_blocks);
        if u_left > 0 {
            blocks.push(context(&format!("…and {u_left} more.")));
        }
    }
    let mut approve = button(
        "Approve and introduce",
        ACTION_APPROVE,
        &id.to_string(),
        Some("primary"),
    );
    approve["confirm"] = confirm(
        "Introduce these pairs?",
        &format!(
            "Each of the {} pairs gets a group DM introducing them.",
            p.pairs.len()
        ),
        "Approve",
        "Not yet",
        None,
    );
    let mut elements = vec![button(
        "Discard",
        ACTION_DISCARD,
        &id.to_string(),
        Some("danger"),
    )];
    if !p.pairs.is_empty() {
        elements.insert(0, approve);
    }
    blocks.push(actions(&format!("proposal_{id}"), elements));
    let text = format!(
        "Matching proposal #{id}: {} pairs, {} unmatched. Review it in Slack to approve or discard.",
        p.pairs.len(),
        p.unmatched.len()
    );
    (text, json!(blocks))
}

pub fn approved_text(admin: &str, pairs: usize, told: usize) -> String {
    let notes = match told {
        0 => String::new(),
        1 => " The one person left out will get a note saying why.".to_string(),
        n => format!(" The {n} people left out will each get a note saying why."),
    };
    format!(
        "Approved by <@{admin}>: {pairs} pair{} will be introduced in group DMs.{notes}",
        if pairs == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rounds::{StoredPair, StoredUnmatched};
    use crate::views::limits::check_message_blocks;

    fn stored(pairs: usize, unmatched: usize) -> Stored {
        Stored {
            pairs: (0..pairs)
                .map(|i| StoredPair {
                    junior_id: format!("UJ{i:05}"),
                    senior_id: format!("US{i:05}"),
                    score: 40,
                    junior_teaches: vec![
                        "AI-assisted drafting".into(),
                        "E-discovery platforms".into(),
                    ],
                    senior_teaches: vec!["Client management".into()],
                    for_senior: String::new(),
                    for_junior: String::new(),
                    breakdown: "teaching 30 · balance 10".into(),
                })
                .collect(),
            unmatched: (0..unmatched)
                .map(|i| StoredUnmatched {
                    id: format!("UU{i:05}"),
                    reason: "no senior with time left".into(),
                    code: None,
                })
                .collect(),
            total_score: 40 * pairs as i64,
            considered: pairs * 2 + unmatched,
        }
    }

    #[test]
    fn a_small_proposal_lists_every_pair_and_reason() {
        let (text, blocks) = review(7, &stored(2, 1));
        assert!(text.contains("2 pairs, 1 unmatched"));
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let all = blocks.to_string();
        assert!(all.contains("<@UJ00000> ↔ <@US00000> (score 40 = teaching 30 · balance 10): <@UJ00000> teaches AI-assisted drafting and E-discovery platforms; <@US00000> teaches Client management"));
        assert!(all.contains("<@UU00000>: no senior with time left"));
        let buttons = blocks.as_array().unwrap().last().unwrap()["elements"].clone();
        assert_eq!(buttons[0]["action_id"], ACTION_APPROVE);
        assert_eq!(buttons[0]["value"], "7");
        assert_eq!(buttons[1]["action_id"], ACTION_DISCARD);
    }

    #[test]
    fn a_scheduled_round_says_so_and_the_approval_counts_the_notes() {
        let (_, blocks) = review_for(4, &stored(1, 1), true);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(blocks.to_string().contains("started on schedule"));
        assert!(
            !review(4, &stored(1, 1))
                .1
                .to_string()
                .contains("started on schedule")
        );
        assert_eq!(
            approved_text("U1", 2, 3),
            "Approved by <@U1>: 2 pairs will be introduced in group DMs. The 3 people left out will each get a note saying why."
        );
        assert!(approved_text("U1", 1, 0).ends_with("1 pair will be introduced in group DMs."));
    }

    #[test]
    fn a_firm_sized_proposal_stays_within_block_kit_limits() {
        let (_, blocks) = review(1, &stored(5_000, 2_000));
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let all = blocks.to_string();
        assert!(all.contains("more pairs") && all.contains("…and "));
    }

    #[test]
    fn no_pairs_means_no_approve_button() {
        let (_, blocks) = review(3, &stored(0, 4));
        let buttons = blocks.as_array().unwrap().last().unwrap()["elements"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(buttons.len(), 1);
        assert_eq!(buttons[0]["action_id"], ACTION_DISCARD);
    }

    #[test]
    fn packing_counts_what_did_not_fit() {
        let lines: Vec<String> = (0..100).map(|i| format!("{i:0>100}")).collect();
        let (blocks, left) = packed_sections(&lines, 2);
        assert_eq!(blocks.len(), 2);
        let shown: usize = blocks
            .iter()
            .map(|b| b["text"]["text"].as_str().unwrap().lines().count())
            .sum();
        assert_eq!(shown + left, 100);
        assert!(
            blocks
                .iter()
                .all(|b| b["text"]["text"].as_str().unwrap().chars().count() <= 2_800)
        );
    }
}
