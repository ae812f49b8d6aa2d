//! Messages about someone's own enrolment: status, the confirmation after the survey, leaving.

use super::blocks::{actions, button, context, ephemeral, replace_ephemeral, section};
use super::home::{skills_line, standing_line};
use crate::domain::catalog::Catalog;
use crate::domain::forms::survey::hours_label;
use crate::domain::model::{PairView, Participant};
use serde_json::{Value, json};

pub const ACTION_LEAVE_CONFIRM: &str = "leave_confirm";
pub const ACTION_LEAVE_CANCEL: &str = "leave_cancel";

/// `/mentor status`, ephemeral. `next_round`: when the next scheduled matching round starts, if one is scheduled.
pub fn status(
    p: Option<&Participant>,
    pair: Option<&PairView>,
    catalog: &Catalog,
    now: i64,
    next_round: Option<i64>,
) -> Value {
    match p {
        None => {
            let text = "You have not joined Tandem yet. Type `/mentor join` to take part: it takes two minutes.";
            ephemeral(text, vec![section(text)])
        }
        Some(p) => {
            let text = format!(
                "{}\n{}\nTime: {} a month, meeting {}.\n{}",
                standing_line(Some(p), pair, now),
                skills_line(p, catalog),
                hours_label(p.answers.hours_per_month),
                p.answers.cadence.label(),
                super::rounds::next_round_line(next_round, &p.tz)
            );
            ephemeral(
                &text,
                vec![
                    section(&text),
                    context("Only you can see this. `/mentor profile` edits your answers."),
                ],
            )
        }
    }
}

/// The answer to `status`, `pause`, `resume`, `leave` or `profile` from someone who never joined.
pub fn not_enrolled(what: &str) -> Value {
    let text = format!(
        "You have not joined Tandem yet, so there is nothing to {what}. Type `/mentor join` to take part: it takes two minutes."
    );
    ephemeral(&text, vec![section(&text)])
}

/// The DM after a successful survey.
pub fn joined_dm(p: &Participant, catalog: &Catalog, first_time: bool) -> (String, Value) {
    let opening = if first_time {
        "*Thank you for joining Tandem.* Here is what you told us:"
    } else {
        "*Your answers are updated.* Here is what Tandem now has:"
    };
    let summary = format!(
        "{opening}\n{}\nTime: {} a month, meeting {}.",
        skills_line(p, catalog),
        hours_label(p.answers.hours_per_month),
        p.answers.cadence.label()
    );
    let next = "*What happens next*: the program admins run a matching round and review every proposed pair before \
                anyone is introduced. When you are paired, you and your Tandem pair get a group DM with a few guidelines. \
                Meanwhile: `/mentor status` shows where you stand, `/mentor profile` edits your answers, \
                `/mentor pause` takes a break, `/mentor leave` deletes your answers.";
    let text = format!("{summary}\n\n{next}");
    (text, json!([section(&summary), section(next)]))
}

/// `/mentor leave`: asks first.
pub fn leave_confirmation() -> Value {
    let text = "Leaving deletes your answers and your profile. If you are in a pair, it ends, and your Tandem pair gets a kind note without any reason. Are you sure?";
    ephemeral(
        text,
        vec![
            section(text),
            actions(
                "leave_actions",
                vec![
                    button(
                        "Yes, delete my answers",
                        ACTION_LEAVE_CONFIRM,
                        "leave",
                        Some("danger"),
                    ),
                    button("Cancel", ACTION_LEAVE_CANCEL, "cancel", None),
                ],
            ),
        ],
    )
}

/// Replaces the confirmation once someone has left.
pub fn left() -> Value {
    replace_ephemeral(
        "You have left Tandem and your answers are deleted. Thank you for taking part; `/mentor join` welcomes you back any time.",
    )
}

/// Replaces the confirmation when someone thinks better of it.
pub fn leave_cancelled() -> Value {
    replace_ephemeral("Good: you are still in Tandem. Nothing has changed.")
}

/// The DM to someone whose Tandem pair (the other person) left. No reason is given. `next_round` and `tz` say when they can be paired again
/// (no round is promised when none is scheduled).
pub fn pair_left_dm(next_round: Option<i64>, tz: &str) -> String {
    format!(
        "Your Tandem pair has left the program, so your pairing has ended. Thank you for the time and the teaching \
         you both gave. You stay enrolled. {} `/mentor status` shows where you stand.",
        super::rounds::considered_again(next_round, tz)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::limits::check_message_blocks;

    #[test]
    fn messages_fit_slack_and_say_what_to_do() {
        let v = not_enrolled("pause");
        assert!(v["text"].as_str().unwrap().contains("/mentor join"));
        let catalog = Catalog::default();
        let v = status(None, None, &catalog, 0, None);
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains("/mentor join") && !text.contains("nothing to"),
            "{text}"
        );
        let v = leave_confirmation();
        assert_eq!(check_message_blocks(&v["blocks"]), Vec::<String>::new());
        assert_eq!(
            v["blocks"][1]["elements"][0]["action_id"],
            ACTION_LEAVE_CONFIRM
        );
        assert!(!pair_left_dm(None, "UTC").contains("because"));
        assert!(!pair_left_dm(None, "UTC").contains("next matching round"));
        assert!(pair_left_dm(Some(0), "UTC").contains("next matching round, on <!date^0^"));
    }
}
