//! Check-ins: the scheduled "did you meet?" message (re-rendered after each answer), the "we met" details modal, and
//! the friendly nudge for a pair that has stalled. The private help form and the admins' alerts are in
//! [`super::trouble`].

use super::blocks::{
    actions, button, confirm, context, input, modal, multiline_input, option, section,
    section_with_id, static_select, whole_number_input,
};
use super::pair_common::mention;
use crate::domain::forms::pair_forms::*;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// How the check-in message shows one person's answer, e.g. `we met ✓`. "We need help" is never shown: it is a
/// private request to the program team (an answer recorded by an earlier version is left out, see [`checkin`]).
fn shown(answer: CheckinAnswer) -> Option<String> {
    let mark = match answer {
        CheckinAnswer::Met => "✓",
        CheckinAnswer::NotYet => "⏳",
        CheckinAnswer::NeedHelp => return None,
    };
    Some(format!("{} {mark}", answer.label()))
}

/// The check-in message for check-in `checkin_id`: "Did you meet since {since}?" with **We met**, **Not yet** and
/// **We need help** (each with value = the check-in ID).
///
/// `answered` is who answered what so far (a later answer from the same person replaces an earlier one); `members`
/// are the pair's people. The same function renders the message again for `chat.update` after each answer: the
/// answers are listed (members first, in order), and once every member has answered the three buttons give way to
/// **Change my answer** (`checkin_review`). A second press of *We met* or *Not yet* by someone who answered records
/// nothing: they get [`answered_reply`].
///
/// **We need help** opens a private form and records no answer here, so the message never shows who asked, or that
/// anyone did: a "we need help" answer stored by an earlier version counts as no answer (not listed, and it does
/// not complete the check-in). Returns the fallback text and the blocks.
pub fn checkin(
    checkin_id: i64,
    since: NaiveDate,
    answered: &[(String, CheckinAnswer)],
    members: &[String],
) -> (String, Value) {
    let answered: Vec<&(String, CheckinAnswer)> = answered
        .iter()
        .filter(|(_, a)| *a != CheckinAnswer::NeedHelp)
        .collect();
    // The latest answer per person, members first (in their order), then anyone else who answered.
    let mut order: Vec<&str> = members.iter().map(String::as_str).collect();
    for (user, _) in &answered {
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
        .filter_map(|u| {
            latest(u)
                .and_then(shown)
                .map(|a| format!("{}: {a}", mention(u)))
        })
        .collect();
    let complete = !members.is_empty() && members.iter().all(|m| latest(m).is_some());

    let since = long_date(since);
    let question = format!("Did you meet since {since}?");
    let text = format!("Tandem check-in: did you meet since {since}?");
    let mut blocks = vec![section(&format!("🗓️ *Check-in.* {question}"))];
    if !lines.is_empty() {
        blocks.push(section(&lines.join("\n")));
    }
    if complete {
        blocks.push(actions(
            B_CHECKIN_ACTIONS,
            vec![button(
                "Change my answer",
                ACTION_CHECKIN_REVIEW,
                &checkin_id.to_string(),
                None,
            )],
        ));
        blocks.push(context(
            "Thank you both for answering. See you at the next check-in. Got something wrong? *Change my answer* \
             shows you yours, privately.",
        ));
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
            "Each of you can answer (press again to see or change your answer); your Tandem pair sees your answer \
             here. The details you add after *We met* are not posted. *We need help* is private: it opens a form \
             only the program team sees, and nothing about it appears here.",
        ));
    }
    (text, json!(blocks))
}

/// One's own recorded answer in words, e.g. `we met, 45 minutes, 4 – useful` or `not yet`.
pub fn own_answer_words(own: &OwnAnswer) -> String {
    match (&own.answer, &own.met) {
        (CheckinAnswer::Met, Some(m)) => format!(
            "we met, {} minutes, {}",
            m.minutes,
            usefulness_label(m.usefulness)
        ),
        (answer, _) => answer.label().to_string(),
    }
}

/// When an answer was given, as Slack shows dates in the reader's own time zone (`Tue 3 Nov 2026` where it cannot).
fn answered_on(unix: i64) -> String {
    let fallback = chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| long_date(d.date_naive()))
        .unwrap_or_default();
    format!("<!date^{unix}^{{date_short_pretty}}|{fallback}>")
}

/// The private reply to a second press on a check-in its presser has answered: what was recorded, and buttons to
/// change it. A "we met" answer can have its details changed (**Change the details**: the form, pre-filled) or be
/// taken back (**We did not meet**, with a confirmation); a "not yet" can become "we met" (**We met after all**: the
/// form). Each button's value is the check-in ID. Returns the body for the button's `response_url` (ephemeral,
/// leaving the check-in message as it is).
pub fn answered_reply(checkin_id: i64, own: &OwnAnswer) -> Value {
    let id = checkin_id.to_string();
    let words = own_answer_words(own);
    let text = format!(
        "You answered this check-in on {}: {words}. It stays as it is unless you change it.",
        answered_on(own.answered_at)
    );
    let mut detail = format!(
        "*You answered this check-in on {}:* {words}.",
        answered_on(own.answered_at)
    );
    if own.met.as_ref().is_some_and(|m| m.covered.is_some()) {
        detail.push_str(" (You also noted what you covered.)");
    }
    detail.push_str("\nIt stays as it is unless you change it here.");
    let buttons = match own.answer {
        CheckinAnswer::Met => vec![
            button(
                "Change the details",
                ACTION_CHECKIN_CHANGE_MET,
                &id,
                Some("primary"),
            ),
            {
                let mut b = button("We did not meet", ACTION_CHECKIN_CHANGE_NOT_YET, &id, None);
                b["confirm"] = confirm(
                    "Change your answer?",
                    "Your answer becomes *not yet*, and the minutes, usefulness and notes you gave for this \
                     check-in are removed.",
                    "Change to not yet",
                    "Keep it",
                    None,
                );
                b
            },
        ],
        _ => vec![button(
            "We met after all",
            ACTION_CHECKIN_CHANGE_MET,
            &id,
            Some("primary"),
        )],
    };
    let blocks = json!([
        section(&detail),
        actions("checkin_change", buttons),
        context(
            "Only you see this. One answer per person per check-in: a change replaces your earlier answer."
        ),
    ]);
    json!({ "response_type": "ephemeral", "replace_original": false, "text": text, "blocks": blocks })
}

/// Replaces the private reply of [`answered_reply`] once the answer was changed to `own`.
pub fn answer_changed_reply(own: &OwnAnswer) -> Value {
    json!({
        "response_type": "ephemeral",
        "replace_original": true,
        "text": format!("Changed: your answer to this check-in is now {}.", own_answer_words(own)),
    })
}

/// The "we met" details modal for check-in `checkin_id` (callback `checkin_met`, `private_metadata`
/// `"{checkin_id}"`): minutes spent, what you covered (optional), how useful it was. With `earlier` (a change of
/// one's recorded answer) it says what was recorded and is pre-filled from it when it was "we met"; saving replaces
/// that answer.
pub fn met_modal(checkin_id: i64, earlier: Option<&OwnAnswer>) -> Value {
    let mut minutes = whole_number_input(u32::from(MIN_MINUTES), u32::from(MAX_MINUTES));
    let mut covered = multiline_input(
        MAX_COVERED,
        "e.g. prompting for first drafts; how to prepare a client pitch",
    );
    let usefulness: Vec<Value> = (1..=5u8)
        .rev()
        .map(|s| option(usefulness_label(s), &s.to_string()))
        .collect();
    let met = earlier.and_then(|e| e.met.as_ref());
    if let Some(m) = met {
        minutes["initial_value"] = json!(m.minutes.to_string());
        if let Some(c) = &m.covered {
            covered["initial_value"] = json!(crate::domain::text::truncate(c, MAX_COVERED));
        }
    }
    let initial_usefulness = met
        .filter(|m| (1..=5).contains(&m.usefulness))
        .map(|m| option(usefulness_label(m.usefulness), &m.usefulness.to_string()));
    let mut blocks = Vec::new();
    let title = match earlier {
        Some(e) => {
            blocks.push(section(&format!(
                "*You answered on {}:* {}. Saving this form replaces that answer with the one below.",
                answered_on(e.answered_at),
                own_answer_words(e)
            )));
            "Change my answer"
        }
        None => "We met",
    };
    blocks.extend([
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
            covered,
            true,
            Some("Optional, at most 500 characters."),
        ),
        input(
            B_USEFULNESS,
            "How useful it was",
            static_select(usefulness, initial_usefulness, "Choose 1 to 5"),
            false,
            None,
        ),
    ]);
    modal(CALLBACK_MET, title, "Save", &metadata(checkin_id), blocks)
}

/// Which nudge of an at-risk stretch, and for which kind of pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nudge {
    pub pair_id: i64,
    /// They have not had a first meeting yet (no one ever answered "we met").
    pub never_met: bool,
    /// 1 for the first nudge of the stretch, 2 for the second (and last).
    pub nth: u8,
}

/// The friendly nudge for a pair that has stalled: concrete suggestions, no blame, and words that fit a pair that
/// never met ("you haven't had your first meeting yet") or one that stopped. The second (and last) one says the
/// program team knows. It stands in for that day's check-in (never both in one hour). Its first block's
/// ID is `at_risk:{pair_id}`. Returns the fallback text and the blocks.
pub fn at_risk_nudge(n: Nudge) -> (String, Value) {
    let (text, opening) = match (n.never_met, n.nth >= 2) {
        (true, false) => (
            "A friendly Tandem nudge: a few ideas to get your first meeting in the diary.",
            "👋 *A friendly nudge.* You haven't had your first meeting yet. That is common: diaries fill up, \
             especially around deadlines and trials. A few ideas that help pairs get started:",
        ),
        (false, false) => (
            "A friendly Tandem nudge: a few ideas to get your next meeting in the diary.",
            "👋 *A friendly nudge.* Your Tandem meetings seem to have paused for a while. That happens \
             to everyone, especially around deadlines and trials. A few ideas that help pairs get going again:",
        ),
        (true, true) => (
            "A friendly Tandem nudge: still no first meeting? The program team knows and may be in touch.",
            "👋 *A friendly nudge.* You still haven't had your first meeting. No one is keeping score: the \
             program team knows and may get in touch to see whether the timing or the pairing needs to change. Meanwhile:",
        ),
        (false, true) => (
            "A friendly Tandem nudge: still no meeting? The program team knows and may be in touch.",
            "👋 *A friendly nudge.* Your Tandem meetings are still on pause. No one is keeping score: the \
             program team knows and may get in touch to see whether the timing or the pairing needs to change. Meanwhile:",
        ),
    };
    let ideas = if n.never_met {
        "• *Book a 20-minute first call now.* A short first meeting is easier to fit in than an hour.\n\
         • *Pick one small topic* for it: one tool, one habit, one question each.\n\
         • *Set your plan together* (the *Set our plan* button in your introduction) and agree how often to meet.\n\
         • *If the timing is wrong*, either of you can take a break with `/mentor pause`, no explanation needed."
    } else {
        "• *Book a recurring 30-minute slot now.* It is easier to move a meeting than to find one.\n\
         • *Pick one small topic* for next time: one tool, one habit, one question each.\n\
         • *Swap roles for a session.* Whoever usually asks the questions leads this one.\n\
         • *If the timing is wrong*, either of you can take a break with `/mentor pause`, no explanation needed."
    };
    let blocks = json!([
        section_with_id(&format!("at_risk:{}", n.pair_id), opening),
        section(ideas),
        context(
            "This message stands in for today's check-in. Something else in the way? Press *We need help* on your \
             next check-in: it goes privately to the program team, not to this conversation."
        ),
    ]);
    (text.to_string(), blocks)
}

/// The note in a pair's group DM when `who` pauses (`until`: unix seconds, or until they resume): the other person
/// is told, and the pair's check-ins stop until `who` is back.
pub fn pair_paused(who: &str, until: Option<i64>) -> String {
    let until = match until {
        Some(t) => format!("until {}", super::home::slack_date(t)),
        None => "for a while".to_string(),
    };
    format!(
        "⏸️ {} is taking a break from Tandem {until}. Your pair's check-ins are paused until they are back, and \
         start again by themselves then. Nothing for either of you to do; you are welcome to keep meeting.",
        mention(who)
    )
}

/// The note in a pair's group DM when `who` resumes after a pause.
pub fn pair_resumed(who: &str) -> String {
    format!(
        "▶️ {} is back from their break. Your pair's check-ins start again with the next one.",
        mention(who)
    )
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
        let left: Vec<String> = buttons(&blocks)
            .iter()
            .map(|b| b["action_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            left,
            vec![ACTION_CHECKIN_REVIEW],
            "all answered: only the way to see and change one's own answer"
        );
        assert!(all.contains("Thank you both"));
    }

    #[test]
    fn a_changed_answer_replaces_the_earlier_one_and_need_help_is_never_shown() {
        let answers = [
            ("U1".to_string(), CheckinAnswer::Met),
            ("U2".to_string(), CheckinAnswer::NotYet),
            ("U1".to_string(), CheckinAnswer::NotYet),
        ];
        let (_, blocks) = checkin(31, since(), &answers, &members());
        let all = blocks.to_string();
        assert!(all.contains("<@U1>: not yet"));
        assert!(!all.contains("we met"));
        // A "we need help" answer stored by an earlier version: not listed, and the check-in is not complete.
        let legacy = [
            ("U1".to_string(), CheckinAnswer::NeedHelp),
            ("U2".to_string(), CheckinAnswer::Met),
        ];
        let (_, blocks) = checkin(31, since(), &legacy, &members());
        let all = blocks.to_string();
        assert!(!all.contains("<@U1>"), "{all}");
        assert!(!all.contains("🙋") && !all.to_lowercase().contains("asked to help"));
        assert_eq!(buttons(&blocks).len(), 3, "U1 can still answer");
        assert!(all.contains("private"));
        assert!(!all.to_lowercase().contains("partner"));
    }

    fn own(answer: CheckinAnswer, met: Option<MetAnswer>) -> OwnAnswer {
        OwnAnswer {
            answer,
            met,
            // Tue 3 Nov 2026, 10:00 UTC
            answered_at: 1_793_700_000,
        }
    }

    fn forty_five() -> MetAnswer {
        MetAnswer {
            minutes: 45,
            covered: Some("prompting".into()),
            usefulness: 4,
        }
    }

    #[test]
    fn a_second_press_shows_the_recorded_answer_and_offers_a_change() {
        let met = own(CheckinAnswer::Met, Some(forty_five()));
        let reply = answered_reply(31, &met);
        assert_eq!(check_message_blocks(&reply["blocks"]), Vec::<String>::new());
        assert_eq!(reply["response_type"], "ephemeral");
        assert_eq!(reply["replace_original"], false);
        let text = reply["text"].as_str().unwrap();
        assert!(
            text.starts_with("You answered this check-in on <!date^1793700000^{date_short_pretty}|Tue 3 Nov 2026>: we met, 45 minutes, 4 – useful."),
            "{text}"
        );
        let b = buttons(&reply["blocks"]);
        let ids: Vec<&str> = b.iter().map(|e| e["action_id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            vec![ACTION_CHECKIN_CHANGE_MET, ACTION_CHECKIN_CHANGE_NOT_YET]
        );
        assert!(b.iter().all(|e| e["value"] == "31"));
        assert!(
            b[1]["confirm"].is_object(),
            "taking back a meeting is confirmed"
        );
        assert!(
            !reply.to_string().contains("prompting"),
            "the note itself is only in the form"
        );

        let not_yet = own(CheckinAnswer::NotYet, None);
        let reply = answered_reply(31, &not_yet);
        assert_eq!(check_message_blocks(&reply["blocks"]), Vec::<String>::new());
        assert!(reply["text"].as_str().unwrap().contains(": not yet."));
        let b = buttons(&reply["blocks"]);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0]["action_id"], ACTION_CHECKIN_CHANGE_MET);
        assert_eq!(b[0]["text"]["text"], "We met after all");

        let changed = answer_changed_reply(&not_yet);
        assert_eq!(changed["replace_original"], true);
        assert!(changed["text"].as_str().unwrap().contains("now not yet"));
    }

    #[test]
    fn the_change_form_says_what_was_recorded_and_is_pre_filled() {
        let v = met_modal(31, Some(&own(CheckinAnswer::Met, Some(forty_five()))));
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(v["callback_id"], "checkin_met");
        assert_eq!(v["private_metadata"], "31");
        assert_eq!(v["title"]["text"], "Change my answer");
        let all = v.to_string();
        assert!(
            all.contains("we met, 45 minutes, 4 – useful") && all.contains("replaces that answer")
        );
        let blocks = v["blocks"].as_array().unwrap();
        let el = |id: &str| &blocks.iter().find(|b| b["block_id"] == id).unwrap()["element"];
        assert_eq!(el(B_MINUTES)["initial_value"], "45");
        assert_eq!(el(B_COVERED)["initial_value"], "prompting");
        assert_eq!(el(B_USEFULNESS)["initial_option"]["value"], "4");
        // What the pre-filled form sends back parses to the same answer.
        let sent = crate::domain::forms::pair_values::met_values(&forty_five());
        assert_eq!(
            parse_met(&serde_json::from_value(sent).unwrap()),
            Ok(forty_five())
        );

        // From "not yet": the form is empty, and says what it replaces.
        let v = met_modal(31, Some(&own(CheckinAnswer::NotYet, None)));
        assert_eq!(check_view(&v), Vec::<String>::new());
        let blocks = v["blocks"].as_array().unwrap();
        let minutes = &blocks.iter().find(|b| b["block_id"] == B_MINUTES).unwrap()["element"];
        assert!(minutes.get("initial_value").is_none());
        assert!(
            v.to_string()
                .contains(":* not yet. Saving this form replaces")
        );
        // A first answer: no such line.
        assert!(!met_modal(31, None).to_string().contains("replaces"));
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
        let v = met_modal(31, None);
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
    fn the_nudge_is_concrete_friendly_and_fits_the_pair() {
        let nudge = |never_met, nth| {
            at_risk_nudge(Nudge {
                pair_id: 12,
                never_met,
                nth,
            })
        };
        for never_met in [true, false] {
            for nth in [1, 2] {
                let (text, blocks) = nudge(never_met, nth);
                assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
                assert!(text.contains("friendly"));
                assert_eq!(blocks[0]["block_id"], "at_risk:12");
                let all = blocks.to_string();
                assert!(all.contains("A friendly nudge."));
                for idea in ["one small topic", "/mentor pause", "We need help"] {
                    assert!(all.contains(idea), "{idea}");
                }
                for blame in ["failed", "should have", "overdue", "partner"] {
                    assert!(!all.to_lowercase().contains(blame), "{blame}");
                }
                assert_eq!(
                    all.contains("first meeting yet")
                        || all.contains("still haven't had your first"),
                    never_met,
                    "{all}"
                );
                assert_eq!(all.contains("program team knows"), nth == 2, "{all}");
            }
        }
        let never = nudge(true, 1).1.to_string();
        assert!(never.contains("You haven't had your first meeting yet"));
        assert!(!never.contains("paused for a while") && !never.contains("Swap roles"));
        let stopped = nudge(false, 1).1.to_string();
        assert!(
            stopped.contains("paused for a while") && stopped.contains("recurring 30-minute slot")
        );
    }

    #[test]
    fn a_pause_note_says_who_until_when_and_that_check_ins_pause() {
        let note = pair_paused("U1", None);
        assert!(note.contains("<@U1>") && note.contains("check-ins are paused"));
        let dated = pair_paused("U1", Some(1_780_000_000));
        assert!(dated.contains("until <!date^1780000000^"), "{dated}");
        assert!(pair_resumed("U1").contains("check-ins start again"));
        assert!(!format!("{note}{dated}").to_lowercase().contains("partner"));
    }
}
