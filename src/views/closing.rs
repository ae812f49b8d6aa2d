//! The end of a pairing: the closing message on the plan's end date, the feedback modal, and the messages when one
//! partner ends the pairing early with `/mentor end`.

use super::blocks::{
    actions, button, context, header, input, modal, multiline_input, option, radio_buttons,
    section, static_select,
};
use crate::domain::forms::pair_forms::*;
use serde_json::{Value, json};

/// The closing message for pair `pair_id`, sent on the plan's end date, with the **Give feedback** button
/// (`feedback_open`, value = the pair ID). A pair that met (`met`: someone answered "we met") is thanked for the
/// time they gave; one that never met is not thanked for meetings it did not have, and is asked what got in the way.
/// Returns the fallback text and the blocks.
pub fn closing(pair_id: i64, met: bool) -> (String, Value) {
    let (text, body) = if met {
        (
            "Your Tandem plan ends today. Thank you both! Two minutes of feedback would help the next pairs.",
            "Thank you both for the time and openness you brought. Teaching someone more senior, or learning from \
             someone more junior, takes generosity on both sides. You are welcome to keep meeting, of course.\n\n\
             Each of you, please take two minutes to tell us how it went: what you learned, and whether you would \
             recommend Tandem to a colleague. It shapes the next round.",
        )
    } else {
        (
            "Your Tandem plan ends today. Two minutes of feedback would help the next pairs.",
            "Your Tandem pairing ends today. It seems you did not get to meet this time: diaries, deadlines and \
             trials get in the way, and that is nobody's fault. You are still welcome to meet, of course.\n\n\
             Each of you, please take two minutes to tell us what got in the way and whether you would recommend \
             Tandem to a colleague. It helps us plan the next round better.",
        )
    };
    let blocks = json!([
        header("Your Tandem plan ends today"),
        section(body),
        actions(
            B_FEEDBACK_ACTIONS,
            vec![button(
                "Give feedback",
                ACTION_FEEDBACK_OPEN,
                &pair_id.to_string(),
                Some("primary"),
            )],
        ),
        context(
            "Your feedback is not posted here and your Tandem pair does not see it. Scores are only counted in the \
             program's figures; what you write is read by the program admins without your name, once at least 3 people \
             have written.",
        ),
    ]);
    (text.to_string(), blocks)
}

/// The feedback modal for pair `pair_id` (callback `feedback`, `private_metadata` `"{pair_id}"`): a 1–5
/// rating, what you learned (optional), and whether you would recommend it (yes/no).
pub fn feedback_modal(pair_id: i64) -> Value {
    let ratings: Vec<Value> = (1..=5u8)
        .rev()
        .map(|s| option(rating_label(s), &s.to_string()))
        .collect();
    let recommend = radio_buttons(vec![
        option(recommend_label(true), RECOMMEND_YES),
        option(recommend_label(false), RECOMMEND_NO),
    ]);
    modal(
        CALLBACK_FEEDBACK,
        "Your feedback",
        "Send",
        &metadata(pair_id),
        vec![
            section(
                "Thank you for taking part. *Who sees what:* your rating and whether you would recommend Tandem are only \
                 counted in the program's figures, never shown with your name. What you learned is read by the program \
                 admins without your name or the date, mixed with others', once at least 3 people have written. Your \
                 Tandem pair and the managers see none of it.",
            ),
            input(
                B_RATING,
                "Overall, how was your Tandem pairing?",
                static_select(ratings, None, "Choose 1 to 5"),
                false,
                None,
            ),
            input(
                B_LEARNED,
                "What did you learn?",
                multiline_input(
                    MAX_LEARNED,
                    "e.g. a tool I now use every week; how a partner prepares a pitch",
                ),
                true,
                Some("Optional, at most 1,000 characters."),
            ),
            input(
                B_RECOMMEND,
                "Would you recommend Tandem to a colleague?",
                recommend,
                false,
                None,
            ),
        ],
    )
}

/// The message to the other person when one ends the pairing early with `/mentor end`.
///
/// It never includes the reason: that goes only to admins. The wording is deliberately the same whether or not a
/// reason was given (`reason_given`), so the partner cannot even tell that one exists.
pub fn pair_ended(reason_given: bool) -> String {
    // Same text either way, on purpose (see above).
    let _ = reason_given;
    "Your Tandem pair has ended your pairing. Plans change (workloads, trials, new roles), and this is not a \
     judgement on you. Thank you for the time and openness you brought; what you taught and learned stays with you. \
     You are welcome in future rounds, and `/mentor status` shows where you stand."
        .to_string()
}

/// The confirmation to the person who ended the pairing with `/mentor end`.
pub fn ended_by_you() -> String {
    "You have ended your Tandem pairing. Thank you for the time you gave it. Your Tandem pair has been told kindly, \
     without any reason: a reason you gave goes only to the program team. `/mentor status` shows where you stand."
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::pair_values::feedback_values;
    use crate::views::limits::{check_message_blocks, check_view};

    #[test]
    fn closing_thanks_a_pair_that_met_and_offers_feedback() {
        let (text, blocks) = closing(5, true);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("Thank you"));
        let (never_text, never) = closing(5, false);
        assert_eq!(check_message_blocks(&never), Vec::<String>::new());
        let all = format!("{never_text}{never}").to_lowercase();
        assert!(
            !all.contains("thank you both") && !all.contains("time and openness"),
            "{all}"
        );
        assert!(all.contains("did not get to meet") && all.contains("what got in the way"));
        assert_eq!(never[2]["elements"][0]["action_id"], "feedback_open");
        let button = &blocks[2]["elements"][0];
        assert_eq!(button["text"]["text"], "Give feedback");
        assert_eq!(button["action_id"], "feedback_open");
        assert_eq!(button["value"], "5");
    }

    #[test]
    fn the_feedback_modal_is_valid_and_matches_its_parser() {
        let v = feedback_modal(5);
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(v["callback_id"], "feedback");
        assert_eq!(v["private_metadata"], "5");
        let blocks = v["blocks"].as_array().unwrap();
        let by_id = |id: &str| blocks.iter().find(|b| b["block_id"] == id).unwrap();
        let rating = &by_id(B_RATING)["element"];
        assert_eq!(rating["type"], "static_select");
        assert_eq!(rating["options"].as_array().unwrap().len(), 5);
        assert_eq!(by_id(B_LEARNED)["optional"], true);
        assert_eq!(by_id(B_LEARNED)["element"]["max_length"], 1000);
        let recommend = &by_id(B_RECOMMEND)["element"];
        assert_eq!(recommend["type"], "radio_buttons");
        for (r, yes) in [(1, false), (5, true)] {
            let f = Feedback {
                rating: r,
                learned: None,
                recommend: yes,
            };
            let sent = feedback_values(&f);
            assert!(
                rating["options"]
                    .as_array()
                    .unwrap()
                    .contains(&sent[B_RATING][ACTION]["selected_option"])
            );
            assert!(
                recommend["options"]
                    .as_array()
                    .unwrap()
                    .contains(&sent[B_RECOMMEND][ACTION]["selected_option"])
            );
        }
    }

    #[test]
    fn pair_ended_never_carries_a_reason() {
        let with = pair_ended(true);
        assert_eq!(
            with,
            pair_ended(false),
            "nothing reveals that a reason exists"
        );
        for word in ["reason", "because", "said", "note", "why"] {
            assert!(!with.to_lowercase().contains(word), "{word}");
        }
        assert!(with.contains("not a judgement on you"));
        assert!(ended_by_you().contains("program team"));
    }
}
