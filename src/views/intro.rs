//! The introduction posted in a new pair's group DM once an admin approves the pairs.

use super::blocks::{context, divider, header, section};
use super::pair_common::{escape, mention};
use super::plan::set_plan_actions;
use crate::domain::text::truncate;
use serde_json::{Value, json};

/// Skills listed per person; the rest are summarised as "and N more".
const MAX_SKILLS_SHOWN: usize = 8;
/// The longest skill label shown, in characters. With escaping (`&` becomes `&amp;`) a person's section stays under
/// Slack's 3,000 characters even in the worst case: 8 × (60 × 5 + 3) plus a heading.
const MAX_SKILL_LABEL: usize = 60;

/// A bulleted list of skill labels (escaped, truncated, capped), or a line saying none were given.
fn skills(labels: &[String]) -> String {
    if labels.is_empty() {
        return "• _to be discussed in your first meeting_".to_string();
    }
    let mut lines: Vec<String> = labels
        .iter()
        .take(MAX_SKILLS_SHOWN)
        .map(|l| format!("• {}", escape(&truncate(l.trim(), MAX_SKILL_LABEL))))
        .collect();
    if labels.len() > MAX_SKILLS_SHOWN {
        lines.push(format!("• _and {} more_", labels.len() - MAX_SKILLS_SHOWN));
    }
    lines.join("\n")
}

/// The introduction for pair `pair_id`: who is paired, who can teach what (`junior_teaches` and `senior_teaches` are
/// skill labels), how Tandem works best (both teach and learn; agree an objective, a cadence and an end date), the
/// confidentiality and privilege ground rules, a first-meeting agenda and the **Set our plan** button (`plan_open`,
/// value = the pair ID). Returns the notification fallback text and the blocks.
pub fn intro(
    pair_id: i64,
    junior_id: &str,
    senior_id: &str,
    junior_teaches: &[String],
    senior_teaches: &[String],
) -> (String, Value) {
    let junior = mention(junior_id);
    let senior = mention(senior_id);
    let text = format!(
        "{junior} and {senior}, welcome to your Tandem pair: each of you teaches and each of you learns. Meet, then set your plan together."
    );
    let blocks = json!([
        header("Welcome to your Tandem pair"),
        section(&format!(
            "{junior} and {senior}, you have been paired in *Tandem*, the firm's reverse mentoring program. \
             Here *each of you teaches and each of you learns*: neither of you is only the mentor."
        )),
        section(&format!(
            "*{junior} can share:*\n{}",
            skills(junior_teaches)
        )),
        section(&format!(
            "*{senior} can share:*\n{}",
            skills(senior_teaches)
        )),
        divider(),
        section(
            "*How Tandem works best*\n\
             • *Each of you teaches and learns.* Bring something to show and something to ask.\n\
             • *Respect and patience, both ways.* No question is too basic, whichever side it comes from; \
             seniority in the firm is not seniority in every skill.\n\
             • *Talk openly about roles.* In your first meeting, talk about who is usually the \"teacher\" and who \
             the \"student\", and why here it goes both ways.\n\
             • *Agree a plan.* An objective, how often you will meet, and by when you expect to reach it."
        ),
        section(
            "*Confidentiality and privilege: ground rules*\n\
             • *What is discussed in your pair stays in your pair.* Neither of you repeats it to anyone else \
             without the other's agreement. Tandem does not read your conversations.\n\
             • *No client confidences or privileged matter* cross an ethical wall or go beyond the people who need \
             to know. Being someone's Tandem pair is not a need to know, whatever your seniority.\n\
             • *When in doubt, talk about the skill, not the matter.* Use a public example or a made-up one, and \
             leave out client names and facts."
        ),
        section(
            "*A suggested agenda for your first meeting* (30–45 minutes)\n\
             1. Introductions: your practice, your path, how you like to work.\n\
             2. Roles: how it feels to be the one learning, and what makes it easy.\n\
             3. Skills: one thing each of you wants to learn, and one thing each can show.\n\
             4. Your plan: an objective, a cadence and an end date, then press *Set our plan*.\n\
             5. Book your next meeting before you leave."
        ),
        set_plan_actions(pair_id),
        context(
            "Either of you can set the plan, and you will both see it. Need a break? `/mentor pause`. All commands: `/mentor help`."
        ),
    ]);
    (text, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::limits::{MAX_SECTION_TEXT, check_message_blocks};

    fn all_text(blocks: &Value) -> String {
        blocks.to_string()
    }

    #[test]
    fn introduces_both_with_their_skills_guidelines_and_the_plan_button() {
        let (text, blocks) = intro(
            42,
            "U0JUNIOR",
            "U0SENIOR",
            &[
                "AI-assisted drafting".into(),
                "E-discovery platforms".into(),
            ],
            &["Client management".into(), "Negotiation".into()],
        );
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("<@U0JUNIOR>") && text.contains("<@U0SENIOR>"));
        let all = all_text(&blocks);
        for needle in [
            "<@U0JUNIOR> can share:*\\n• AI-assisted drafting\\n• E-discovery platforms",
            "<@U0SENIOR> can share:*\\n• Client management\\n• Negotiation",
            "each of you teaches and each of you learns",
            "Each of you teaches and learns.",
            "Respect and patience, both ways.",
            "who is usually the \\\"teacher\\\"",
            "why here it goes both ways",
            "how often you will meet, and by when you expect to reach it",
            "first meeting",
            "Confidentiality and privilege: ground rules",
            "What is discussed in your pair stays in your pair.",
            "No client confidences or privileged matter* cross an ethical wall or go beyond the people who need to know",
            "When in doubt, talk about the skill, not the matter.",
        ] {
            assert!(all.contains(needle), "missing {needle}");
        }
        let buttons: Vec<&Value> = blocks
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["type"] == "actions")
            .flat_map(|b| b["elements"].as_array().unwrap())
            .collect();
        assert_eq!(buttons.len(), 1);
        assert_eq!(buttons[0]["text"]["text"], "Set our plan");
        assert_eq!(buttons[0]["action_id"], "plan_open");
        assert_eq!(buttons[0]["value"], "42");
        assert_eq!(buttons[0]["style"], "primary");
    }

    #[test]
    fn agenda_has_three_to_five_items() {
        let (_, blocks) = intro(1, "U1", "U2", &[], &[]);
        let agenda = blocks
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["text"]["text"].as_str())
            .find(|t| t.contains("agenda"))
            .unwrap();
        let items = agenda
            .lines()
            .filter(|l| l.starts_with(char::is_numeric))
            .count();
        assert!((3..=5).contains(&items), "{items}");
    }

    #[test]
    fn no_skills_huge_lists_and_hostile_labels_stay_valid_and_escaped() {
        let (_, blocks) = intro(1, "U1", "U2", &[], &[]);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(all_text(&blocks).contains("to be discussed"));

        let many: Vec<String> = (0..200)
            .map(|i| format!("{i} {}", "é".repeat(500)))
            .collect();
        let mut hostile = vec!["<!channel> & <https://evil|click>".to_string()];
        hostile.extend((0..20).map(|_| "&".repeat(100)));
        let (_, blocks) = intro(1, "U1", "U2", &many, &hostile);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        for b in blocks.as_array().unwrap() {
            if let Some(t) = b["text"]["text"].as_str() {
                assert!(t.chars().count() <= MAX_SECTION_TEXT);
            }
        }
        let all = all_text(&blocks);
        assert!(all.contains("and 192 more") && all.contains("and 13 more"));
        assert!(all.contains("&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"));
        assert!(!all.contains("<!channel>"));
    }
}
