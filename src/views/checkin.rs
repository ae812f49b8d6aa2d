//! Check-ins: the scheduled "did you meet?" message (re-rendered after each answer), the "we met" details modal, the
//! private alert to program admins when a pair asks for help, and the friendly nudge for a pair that has stalled.

use super::blocks::{
    actions, button, context, input, modal, multiline_input, option, section, section_with_id,
    static_select, whole_number_input,
};
use super::pair_common::mention;
use crate::domain::forms::pair_forms::*;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// How the check-in message shows one person's answer, e.g. `we met ✓`.
fn shown(answer: CheckinAnswer) -> String {
    let mark = match answer {
        CheckinAnswer::Met => "✓",
        CheckinAnswer::NotYet => "⏳",
        CheckinAnswer::NeedHelp => "🙋",
    };
    format!("{} {mark}", answer.label())
}

/// The check-in message for check-in `checkin_id`: "Did you meet since {since}?" with **We met**, **Not yet** and
/// **We need help** (each with value = the check-in ID).
///
/// `answered` is who answered what so far (a later answer from the same person replaces an earlier one); `members`
/// are the pair's people. The same function renders the message again for `chat.update` after each answer: the
/// answers are listed (members first, in order), and once every member has answered the buttons are dropped.
/// Returns the fallback text and the blocks.
pub fn checkin(
    checkin_id: i64,
    since: NaiveDate,
    answered: &[(String, CheckinAnswer)],
    members: &[String],
) -> (String, Value) {
    // The latest answer per person, members first (in their order), then anyone else who answered.
    let mut order: Vec<&str> = members.iter().map(String::as_str).collect();
    for (user, _) in answered {
        if !order.contains(&user.as_str()) {
            order.push(user);
        }
    }
    let latest = |user: &str| {
        answered
            .iter()
            .rev()
            .find(|(u, _)| u == user)
            .map(|(_, a)| *a)
    };
    let lines: Vec<String> = order
        .iter()
        .filter_map(|u| latest(u).map(|a| format!("{}: {}", mention(u), shown(a))))
        .collect();
    let complete = !members.is_empty() && members.iter().all(|m| latest(m).is_some());
    let anyone_needs_help = order
        .iter()
        .any(|u| latest(u) == Some(CheckinAnswer::NeedHelp));

    let since = long_date(since);
    let question = format!("Did you meet since {since}?");
    let text = format!("Tandem check-in: did you meet since {since}?");
    let mut blocks = vec![section(&format!("🗓️ *Check-in.* {question}"))];
    if !lines.is_empty() {
        blocks.push(section(&lines.join("\n")));
    }
    if complete {
        let thanks = if anyone_needs_help {
            "Thank you both for answering. The program team has been asked to help and will be in touch."
        } else {
            "Thank you both for answering. See you at the next check-in."
        };
        blocks.push(context(thanks));
    } else {
        let id = checkin_id.to_string();
        blocks.push(actions(
            B_CHECKIN_ACTIONS,
            vec![
                button("We met", ACTION_CHECKIN_MET, &id, Some("primary")),
                button("Not yet", ACTION_CHECKIN_NOT_YET, &id, None),
                button("We need help", ACTION_CHECKIN_HELP, &id, None),
            ],
        ));
        blocks.push(context(
            "Each of you can answer; your partner sees your answer here. The details you add after *We met* are not posted.",
        ));
    }
    (text, json!(blocks))
}

/// The "we met" details modal for check-in `checkin_id` (callback `checkin_met`, `private_metadata`
/// `"{checkin_id}"`): minutes spent, what you covered (optional), how useful it was.
pub fn met_modal(checkin_id: i64) -> Value {
    let minutes = whole_number_input(u32::from(MIN_MINUTES), u32::from(MAX_MINUTES));
    let usefulness: Vec<Value> = (1..=5u8)
        .rev()
        .map(|s| option(usefulness_label(s), &s.to_string()))
        .collect();
    modal(
        CALLBACK_MET,
        "We met",
        "Save",
        &metadata(checkin_id),
        vec![
            section(
                "Glad to hear it. Three quick questions help the program team see what works. *Who sees what:* none of \
                 this is posted in your conversation. Minutes and usefulness are only counted in the program's figures; \
                 what you covered is read by the program admins without your name or the date, after your pair closes \
                 and once at least 3 people have written.",
            ),
            input(
                B_MINUTES,
                "Minutes we spent",
                minutes,
                false,
                Some("A whole number from 5 to 600."),
            ),
            input(
                B_COVERED,
                "What we covered",
                multiline_input(
                    MAX_COVERED,
                    "e.g. prompting for first drafts; how to prepare a client pitch",
                ),
                true,
                Some("Optional, at most 500 characters."),
            ),
            input(
                B_USEFULNESS,
                "How useful it was",
                static_select(usefulness, None, "Choose 1 to 5"),
                false,
                None,
            ),
        ],
    )
}

/// The private message to program admins when `asked_by` answers **We need help** for pair `pair_id`. It names the
/// pair and who asked, nothing else: no private answers.
pub fn help_alert(pair_id: i64, junior_id: &str, senior_id: &str, asked_by: &str) -> String {
    format!(
        "🙋 *A Tandem pair asked for help.* {asked} answered *We need help* at a check-in of pair #{pair_id}: \
         {junior} (reverse mentor) and {senior}. A short, friendly message to them may be all it takes.",
        asked = mention(asked_by),
        junior = mention(junior_id),
        senior = mention(senior_id),
    )
}

/// The friendly nudge for pair `pair_id` when it has stalled: concrete suggestions, no blame. Its first block's ID
/// is `at_risk:{pair_id}`. Returns the fallback text and the blocks.
pub fn at_risk_nudge(pair_id: i64) -> (String, Value) {
    let text = "A friendly Tandem nudge: a few ideas to get your next meeting in the diary.";
    let blocks = json!([
        section_with_id(
            &format!("at_risk:{pair_id}"),
            "👋 *A friendly nudge.* Your Tandem meetings seem to have paused for a while. That happens \
             to everyone, especially around deadlines and trials. A few ideas that help pairs get going again:",
        ),
        section(
            "• *Book a recurring 30-minute slot now.* It is easier to move a meeting than to find one.\n\
             • *Pick one small topic* for next time: one tool, one habit, one question each.\n\
             • *Swap roles for a session.* Whoever usually asks the questions leads this one.\n\
             • *If the timing is wrong*, either of you can take a break with `/mentor pause`, no explanation needed."
        ),
        context(
            "Something else in the way? Answer *We need help* at your next check-in and the program team will reach out."
        ),
    ]);
    (text.to_string(), blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::pair_values::met_values;
    use crate::views::limits::{check_message_blocks, check_view};

    fn since() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 5).unwrap()
    }

    fn members() -> Vec<String> {
        vec!["U1".into(), "U2".into()]
    }

    fn buttons(blocks: &Value) -> Vec<Value> {
        blocks
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["type"] == "actions")
            .flat_map(|b| b["elements"].as_array().unwrap().clone())
            .collect()
    }

    #[test]
    fn a_fresh_checkin_asks_and_has_three_buttons() {
        let (text, blocks) = checkin(31, since(), &[], &members());
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("did you meet since Tue 5 May 2026?"));
        assert!(
            blocks
                .to_string()
                .contains("Did you meet since Tue 5 May 2026?")
        );
        let b = buttons(&blocks);
        let ids: Vec<&str> = b.iter().map(|e| e["action_id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec!["checkin_met", "checkin_not_yet", "checkin_help"]);
        let labels: Vec<&str> = b
            .iter()
            .map(|e| e["text"]["text"].as_str().unwrap())
            .collect();
        assert_eq!(labels, vec!["We met", "Not yet", "We need help"]);
        assert!(b.iter().all(|e| e["value"] == "31"));
        assert!(!blocks.to_string().contains("<@U1>"));
    }

    #[test]
    fn answers_are_shown_and_the_buttons_stay_until_everyone_answered() {
        let one = [("U2".to_string(), CheckinAnswer::Met)];
        let (_, blocks) = checkin(31, since(), &one, &members());
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(blocks.to_string().contains("<@U2>: we met ✓"));
        assert_eq!(buttons(&blocks).len(), 3);

        let both = [
            ("U2".to_string(), CheckinAnswer::Met),
            ("U1".to_string(), CheckinAnswer::NotYet),
        ];
        let (_, blocks) = checkin(31, since(), &both, &members());
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let all = blocks.to_string();
        assert!(
            all.contains("<@U1>: not yet ⏳\\n<@U2>: we met ✓"),
            "members' order: {all}"
        );
        assert!(buttons(&blocks).is_empty(), "all answered: no buttons");
        assert!(all.contains("Thank you both"));
    }

    #[test]
    fn a_changed_answer_replaces_the_earlier_one_and_help_is_acknowledged() {
        let answers = [
            ("U1".to_string(), CheckinAnswer::NotYet),
            ("U2".to_string(), CheckinAnswer::Met),
            ("U1".to_string(), CheckinAnswer::NeedHelp),
        ];
        let (_, blocks) = checkin(31, since(), &answers, &members());
        let all = blocks.to_string();
        assert!(all.contains("<@U1>: we need help 🙋"));
        assert!(!all.contains("not yet"));
        assert!(all.contains("program team has been asked to help"));
        assert!(buttons(&blocks).is_empty());
    }

    #[test]
    fn someone_outside_the_members_does_not_complete_it() {
        let answers = [("U9".to_string(), CheckinAnswer::Met)];
        let (_, blocks) = checkin(31, since(), &answers, &members());
        assert_eq!(buttons(&blocks).len(), 3);
        let (_, blocks) = checkin(31, since(), &answers, &[]);
        assert_eq!(buttons(&blocks).len(), 3, "no members: never complete");
    }

    #[test]
    fn the_met_modal_is_valid_and_matches_its_parser() {
        let v = met_modal(31);
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(v["callback_id"], "checkin_met");
        assert_eq!(v["private_metadata"], "31");
        let blocks = v["blocks"].as_array().unwrap();
        let by_id = |id: &str| blocks.iter().find(|b| b["block_id"] == id).unwrap();
        let minutes = &by_id(B_MINUTES)["element"];
        assert_eq!(minutes["type"], "number_input");
        assert_eq!(minutes["is_decimal_allowed"], false);
        assert_eq!(
            (minutes["min_value"].as_str(), minutes["max_value"].as_str()),
            (Some("5"), Some("600"))
        );
        let covered = &by_id(B_COVERED);
        assert_eq!(covered["optional"], true);
        assert_eq!(covered["element"]["multiline"], true);
        assert_eq!(covered["element"]["max_length"], 500);
        let options = by_id(B_USEFULNESS)["element"]["options"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(options.len(), 5);
        assert_eq!(options[0]["text"]["text"], "5 – very useful");
        for usefulness in 1..=5 {
            let a = MetAnswer {
                minutes: 30,
                covered: None,
                usefulness,
            };
            let sent = met_values(&a)[B_USEFULNESS][ACTION]["selected_option"].clone();
            assert!(
                options.contains(&sent),
                "the test form sends the modal's own option"
            );
        }
    }

    #[test]
    fn the_help_alert_names_the_pair_and_nothing_private() {
        let alert = help_alert(12, "U0JR", "U0SR", "U0JR");
        assert!(alert.contains("pair #12"));
        assert!(alert.contains("<@U0JR>") && alert.contains("<@U0SR>"));
        assert!(alert.contains("We need help"));
        for private in ["minutes", "useful", "covered", "rating"] {
            assert!(!alert.contains(private), "{private}");
        }
    }

    #[test]
    fn the_nudge_is_concrete_and_friendly() {
        let (text, blocks) = at_risk_nudge(12);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("friendly"));
        assert_eq!(blocks[0]["block_id"], "at_risk:12");
        let all = blocks.to_string();
        for idea in [
            "recurring 30-minute slot",
            "one small topic",
            "Swap roles",
            "/mentor pause",
        ] {
            assert!(all.contains(idea), "{idea}");
        }
        for blame in ["failed", "should have", "you haven't", "overdue"] {
            assert!(!all.to_lowercase().contains(blame), "{blame}");
        }
    }
}
