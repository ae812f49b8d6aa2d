//! The proposal an admin reviews before anyone is introduced: one block a pair (best score first, the score in words,
//! what each teaches, and *Remove*), the totals, who is left unmatched and why, and Approve / Discard. Long lists are
//! cut to stay within Slack's 50 blocks.

use super::blocks::{actions, button, confirm, context, header, section};
use super::pair_common::mention;
use crate::domain::rounds::{Stored, StoredPair};
use crate::domain::text::truncate;
use serde_json::{Value, json};

pub const ACTION_APPROVE: &str = "proposal_approve";
pub const ACTION_DISCARD: &str = "proposal_discard";
pub const ACTION_REMOVE: &str = "proposal_remove";
/// Pairs shown with their own *Remove* button (one section each).
const MAX_REMOVABLE: usize = 30;
/// Room for the pairs after those, as packed lines; the rest of the 50 blocks hold the header, totals, the removed
/// pairs, unmatched people and buttons.
const MAX_PAIR_BLOCKS: usize = 3;
const MAX_UNMATCHED_BLOCKS: usize = 8;
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

/// The value of the *Approve* button of version `version`: `"7:2"` (a message from before versions is `"7"`).
pub fn approve_value(id: i64, version: i64) -> String {
    format!("{id}:{version}")
}

/// Reads an *Approve* button's value: `(proposal, version)`; a bare ID is version 1.
pub fn parse_approve_value(value: &str) -> Option<(i64, i64)> {
    match value.split_once(':') {
        Some((id, v)) => Some((id.parse().ok()?, v.parse().ok()?)),
        None => Some((value.parse().ok()?, 1)),
    }
}

/// What a *Remove* button names: a pair of one version of a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveTarget {
    pub proposal_id: i64,
    pub version: i64,
    pub junior_id: String,
    pub senior_id: String,
}

impl RemoveTarget {
    /// `"7:2:UJ:US"`.
    pub fn value(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.proposal_id, self.version, self.junior_id, self.senior_id
        )
    }

    pub fn parse(value: &str) -> Option<RemoveTarget> {
        let mut parts = value.split(':');
        let target = RemoveTarget {
            proposal_id: parts.next()?.parse().ok()?,
            version: parts.next()?.parse().ok()?,
            junior_id: parts.next().filter(|s| !s.is_empty())?.to_string(),
            senior_id: parts.next().filter(|s| !s.is_empty())?.to_string(),
        };
        parts.next().is_none().then_some(target)
    }
}

/// One pair as the admin reads it: who, the score in words, what each teaches.
fn pair_text(k: usize, x: &StoredPair) -> String {
    let (j, s) = (mention(&x.junior_id), mention(&x.senior_id));
    let mut text = format!("*{k}.* {j} ↔ {s} · score {}", x.score);
    if !x.words.is_empty() {
        text.push_str(&format!("\n{}", x.words));
    }
    text.push_str(&format!(
        "\n{j} teaches {}; {s} teaches {}",
        list(&x.junior_teaches),
        list(&x.senior_teaches)
    ));
    text
}

/// The review message for version `version` of proposal `id`: `(fallback text, blocks)`.
pub fn review(id: i64, version: i64, p: &Stored) -> (String, Value) {
    review_for(id, version, p, false)
}

/// The review message for version `version` of proposal `id`; `scheduled`: the round was started by
/// `TANDEM_ROUND_CRON` and every admin gets this review.
pub fn review_for(id: i64, version: i64, p: &Stored, scheduled: bool) -> (String, Value) {
    let mut pairs: Vec<&StoredPair> = p.pairs.iter().collect();
    pairs.sort_by_key(|x| std::cmp::Reverse(x.score));
    let mut totals = format!(
        "*{} pair{}* proposed from {} people considered; total score {}. *{} unmatched.*\nNothing has been sent to anyone. *Remove* a pair to re-match the rest without it; approve to introduce every pair (each person left out then gets a kind note saying why, in their own words), or discard.",
        pairs.len(),
        if pairs.len() == 1 { "" } else { "s" },
        p.considered,
        p.total_score,
        p.unmatched.len()
    );
    if scheduled {
        // In the same section, not a block of its own: a big proposal uses every block a message may hold.
        totals.push_str(
            "\nThis round started on schedule (`TANDEM_ROUND_CRON`) and went to every program admin: the first decision counts.",
        );
    }
    let title = if version > 1 {
        format!("Matching proposal #{id} · version {version}")
    } else {
        format!("Matching proposal #{id}")
    };
    let mut blocks = vec![header(&title), section(&totals)];
    if !p.removed.is_empty() {
        let removed: Vec<String> = p
            .removed
            .iter()
            .map(|r| {
                format!(
                    "{} ↔ {} (by {})",
                    mention(&r.junior_id),
                    mention(&r.senior_id),
                    mention(&r.by)
                )
            })
            .collect();
        blocks.push(context(&truncate(
            &format!(
                "Removed from this round (each may still be paired with someone else; not a lasting exclusion): {}",
                removed.join(", ")
            ),
            2_000,
        )));
    }
    for (k, x) in pairs.iter().take(MAX_REMOVABLE).enumerate() {
        let target = RemoveTarget {
            proposal_id: id,
            version,
            junior_id: x.junior_id.clone(),
            senior_id: x.senior_id.clone(),
        };
        let mut remove = button("Remove", ACTION_REMOVE, &target.value(), None);
        remove["confirm"] = confirm(
            &format!("Remove pair {}?", k + 1),
            "Tandem re-matches everyone else and shows a new version of this proposal. These two are not paired with each other this round (either may be paired with someone else). Nobody is told.",
            "Remove and re-match",
            "Keep it",
            Some("danger"),
        );
        let mut block = section(&truncate(&pair_text(k + 1, x), SECTION_BUDGET));
        block["accessory"] = remove;
        blocks.push(block);
    }
    if pairs.len() > MAX_REMOVABLE {
        let lines: Vec<String> = pairs
            .iter()
            .enumerate()
            .skip(MAX_REMOVABLE)
            .map(|(k, x)| pair_text(k + 1, x).replace('\n', " · "))
            .collect();
        let (pair_blocks, left) = packed_sections(&lines, MAX_PAIR_BLOCKS);
        blocks.extend(pair_blocks);
        let mut note = format!(
            "Pairs after #{MAX_REMOVABLE} have no *Remove* button (a Slack message holds 50 blocks)."
        );
        if left > 0 {
            note.push_str(&format!(
                " …and {left} more pairs: `tandem match --from-db` on the server lists them all."
            ));
        }
        blocks.push(context(&note));
    }
    let unmatched_lines: Vec<String> = p
        .unmatched
        .iter()
        .map(|u| format!("• {}: {}", mention(&u.id), u.reason))
        .collect();
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
        &approve_value(id, version),
        Some("primary"),
    );
    approve["confirm"] = confirm(
        "Introduce these pairs?",
        &format!(
            "Each of the {} pairs gets a group DM introducing them.",
            pairs.len()
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
    if !pairs.is_empty() {
        elements.insert(0, approve);
    }
    blocks.push(actions(&format!("proposal_{id}_{version}"), elements));
    let text = format!(
        "Matching proposal #{id}: {} pairs, {} unmatched. Review it in Slack to approve or discard.",
        pairs.len(),
        p.unmatched.len()
    );
    (text, json!(blocks))
}

/// What the review message says while the proposal is re-matched after `junior` and `senior` were removed.
pub fn rematching_text(id: i64, junior: &str, senior: &str) -> String {
    format!(
        "Proposal #{id}: removed {} ↔ {}; re-matching everyone else. The new version replaces this message in a moment.",
        mention(junior),
        mention(senior)
    )
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
    use crate::domain::rounds::{RemovedPair, StoredPair, StoredUnmatched};
    use crate::views::limits::check_message_blocks;

    fn stored(pairs: usize, unmatched: usize) -> Stored {
        Stored {
            pairs: (0..pairs)
                .map(|i| StoredPair {
                    junior_id: format!("UJ{i:05}"),
                    senior_id: format!("US{i:05}"),
                    // Stored out of order on purpose: the view lists the best first.
                    score: 40 + (i as i64 % 7),
                    junior_teaches: vec![
                        "AI-assisted drafting".into(),
                        "E-discovery platforms".into(),
                    ],
                    senior_teaches: vec!["Client management".into()],
                    for_senior: String::new(),
                    for_junior: String::new(),
                    breakdown: "teaching 30 · balance 10".into(),
                    words: "one can teach 2 skills, the other 1 · same time zone · same cadence"
                        .into(),
                })
                .collect(),
            unmatched: (0..unmatched)
                .map(|i| StoredUnmatched {
                    id: format!("UU{i:05}"),
                    reason: "capacity 0 this round".into(),
                    code: None,
                })
                .collect(),
            total_score: 40 * pairs as i64,
            considered: pairs * 2 + unmatched,
            removed: Vec::new(),
        }
    }

    fn texts(blocks: &Value) -> Vec<String> {
        blocks
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["text"]["text"].as_str().map(str::to_string))
            .collect()
    }

    fn last_buttons(blocks: &Value) -> Vec<Value> {
        blocks.as_array().unwrap().last().unwrap()["elements"]
            .as_array()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_small_proposal_lists_every_pair_best_first_in_words_with_remove() {
        let (text, blocks) = review(7, 1, &stored(2, 1));
        assert!(text.contains("2 pairs, 1 unmatched"));
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let all = texts(&blocks).join("\n");
        assert!(
            all.contains("*1.* <@UJ00001> ↔ <@US00001> · score 41\none can teach 2 skills, the other 1 · same time zone · same cadence\n<@UJ00001> teaches AI-assisted drafting and E-discovery platforms; <@US00001> teaches Client management"),
            "{all}"
        );
        assert!(all.find("<@UJ00001>").unwrap() < all.find("<@UJ00000>").unwrap());
        for jargon in ["balance", "overlap", "teaching 30"] {
            assert!(!all.contains(jargon), "{jargon} in {all}");
        }
        assert!(all.contains("<@UU00000>: capacity 0 this round"));
        let remove = &blocks[2]["accessory"];
        assert_eq!(remove["action_id"], ACTION_REMOVE);
        assert_eq!(
            RemoveTarget::parse(remove["value"].as_str().unwrap()),
            Some(RemoveTarget {
                proposal_id: 7,
                version: 1,
                junior_id: "UJ00001".into(),
                senior_id: "US00001".into()
            })
        );
        assert_eq!(remove["confirm"]["title"]["text"], "Remove pair 1?");
        assert!(
            remove["confirm"]["text"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 300
        );
        let buttons = last_buttons(&blocks);
        assert_eq!(buttons[0]["action_id"], ACTION_APPROVE);
        assert_eq!(buttons[0]["value"], "7:1");
        assert_eq!(buttons[1]["action_id"], ACTION_DISCARD);
    }

    #[test]
    fn a_new_version_names_itself_its_removals_and_approves_only_itself() {
        let mut p = stored(1, 0);
        p.removed = vec![RemovedPair {
            junior_id: "UJX".into(),
            senior_id: "USX".into(),
            by: "UADMIN".into(),
        }];
        let (_, blocks) = review(7, 3, &p);
        let all = blocks.to_string();
        assert!(all.contains("Matching proposal #7 · version 3"));
        assert!(
            all.contains("Removed from this round")
                && all.contains("<@UJX> ↔ <@USX> (by <@UADMIN>)")
        );
        assert_eq!(last_buttons(&blocks)[0]["value"], "7:3");
        assert_eq!(parse_approve_value("7:3"), Some((7, 3)));
        assert_eq!(
            parse_approve_value("7"),
            Some((7, 1)),
            "a message from before versions"
        );
        for bad in ["", "x", "7:", "7:x", ":3"] {
            assert_eq!(parse_approve_value(bad), None, "{bad}");
        }
        for bad in ["7:1:UJ", "7:1::US", "7:1:UJ:US:extra", "x:1:UJ:US"] {
            assert_eq!(RemoveTarget::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_firm_sized_proposal_stays_within_block_kit_limits() {
        let (_, blocks) = review(1, 2, &stored(5_000, 2_000));
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let n = blocks.as_array().unwrap().len();
        assert!(n <= 50, "{n} blocks");
        let all = blocks.to_string();
        assert!(all.contains("more pairs") && all.contains("…and "));
        let removable = blocks
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["accessory"]["action_id"] == ACTION_REMOVE)
            .count();
        assert_eq!(removable, MAX_REMOVABLE);
        assert!(all.contains("have no *Remove* button"));
        // Best first across the cut: every pair with a button scores at least as much as every pair without.
        let scores: Vec<i64> = texts(&blocks)
            .iter()
            .flat_map(|t| {
                t.split("· score ")
                    .skip(1)
                    .map(|r| {
                        r.split(|c: char| !c.is_ascii_digit())
                            .next()
                            .unwrap()
                            .parse::<i64>()
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }

    #[test]
    fn no_pairs_means_no_approve_button() {
        let (_, blocks) = review(3, 1, &stored(0, 4));
        let buttons = last_buttons(&blocks);
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

    #[test]
    fn a_scheduled_round_says_so_and_the_approval_counts_the_notes() {
        let (_, blocks) = review_for(4, 1, &stored(1, 1), true);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(blocks.to_string().contains("started on schedule"));
        assert!(
            !review(4, 1, &stored(1, 1))
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
}
