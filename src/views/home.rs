//! The App Home tab: what the program is, the person's standing, and buttons for what they can do next.

use super::blocks::{actions, button, confirm, context, divider, header, home_tab, section};
use crate::domain::catalog::Catalog;
use crate::domain::model::{PairView, Participant};
use serde_json::Value;

pub const ACTION_JOIN: &str = "home_join";
pub const ACTION_EDIT: &str = "home_edit";
pub const ACTION_PAUSE: &str = "home_pause";
pub const ACTION_RESUME: &str = "home_resume";
pub const ACTION_LEAVE: &str = "home_leave";

const ABOUT: &str = "Attorneys of different generations teach each other. A junior associate shows a partner the newest \
e-discovery platform or AI drafting tool; the partner shows the associate how to handle a difficult client or run a \
project team. *Each of you is both teacher and student.*";

const HOW: &str = "*How it works*\n1. Opt in with `/mentor join` and answer a short survey: what you can teach, what you \
want to learn, how much time you have.\n2. Program admins review the proposed pairs before anyone is introduced.\n\
3. You and your Tandem pair get a group DM with guidelines: agree an objective, how often you will meet, and by when.\n\
4. Tandem checks in now and then, and otherwise steps back.";

/// Slack renders this in the reader's own time zone.
pub fn slack_date(unix: i64) -> String {
    format!(
        "<!date^{unix}^{{date_long}}|{}>",
        chrono::DateTime::from_timestamp(unix, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    )
}

/// One line on someone's standing: enrolled, paused (until when), paired (with whom).
pub fn standing_line(p: Option<&Participant>, pair: Option<&PairView>, now: i64) -> String {
    match (p, pair) {
        (None, _) => "You have not joined Tandem yet.".to_string(),
        (Some(p), _) if p.is_paused(now) => match p.paused_until {
            Some(until) => format!(
                "You are *paused* until {}: no matching and no nudges until then.",
                slack_date(until)
            ),
            None => "You are *paused* until you resume: no matching and no nudges.".to_string(),
        },
        (Some(_), Some(pair)) => match &pair.partner {
            Some(partner) => format!("You are *paired* with <@{partner}>."),
            None => "You are *enrolled*; the person you were paired with has left the program."
                .to_string(),
        },
        (Some(_), None) => "You are *enrolled* and waiting to be paired.".to_string(),
    }
}

/// What someone teaches and wants to learn, for their own eyes only.
pub fn skills_line(p: &Participant, catalog: &Catalog) -> String {
    format!(
        "You can teach: {}.\nYou want to learn: {}.",
        catalog.labels(&p.answers.teach),
        catalog.labels(&p.answers.learn)
    )
}

/// The Home tab for someone's current standing. `next_round`: when the next scheduled matching round starts, if one
/// is scheduled.
pub fn home(
    p: Option<&Participant>,
    pair: Option<&PairView>,
    catalog: &Catalog,
    now: i64,
    next_round: Option<i64>,
) -> Value {
    let mut blocks = vec![header("Tandem: reverse mentoring"), section(ABOUT)];
    match p {
        None => {
            blocks.push(section(HOW));
            blocks.push(context(&super::rounds::next_round_line(next_round, "UTC")));
            blocks.push(divider());
            blocks.push(actions(
                "home_actions",
                vec![button(
                    "Join the program",
                    ACTION_JOIN,
                    "join",
                    Some("primary"),
                )],
            ));
        }
        Some(p) => {
            blocks.push(divider());
            blocks.push(section(&format!(
                "{}\n{}\n{}",
                standing_line(Some(p), pair, now),
                skills_line(p, catalog),
                super::rounds::next_round_line(next_round, &p.tz)
            )));
            let pause_or_resume = if p.is_paused(now) {
                button("Resume", ACTION_RESUME, "resume", Some("primary"))
            } else {
                button("Pause", ACTION_PAUSE, "pause", None)
            };
            let mut leave = button("Leave", ACTION_LEAVE, "leave", Some("danger"));
            leave["confirm"] = confirm(
                "Leave Tandem?",
                "Your answers and profile will be deleted. If you are in a pair, it ends and your Tandem pair is told kindly, without a reason.",
                "Delete my answers",
                "Stay",
                Some("danger"),
            );
            blocks.push(actions(
                "home_actions",
                vec![
                    button("Edit my answers", ACTION_EDIT, "edit", None),
                    pause_or_resume,
                    leave,
                ],
            ));
        }
    }
    blocks.push(context(
        "Taking part is voluntary. Your answers are seen only by you and used only for matching; `/mentor leave` deletes them. Type `/mentor help` for every command.",
    ));
    home_tab(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::survey::Answers;
    use crate::domain::matching::Role;
    use crate::domain::schedule::Cadence;
    use crate::views::limits::check_view;

    fn participant(paused: bool, until: Option<i64>) -> Participant {
        Participant {
            user_id: "U1".into(),
            answers: Answers {
                role: Role::Associate,
                years: 2,
                practice_group: "Tax".into(),
                teach: vec!["ediscovery".into()],
                learn: vec!["negotiation".into(), "networking".into()],
                hours_per_month: 2,
                cadence: Cadence::Weekly,
                reports_to: None,
            },
            tz: "UTC".into(),
            capacity: 1,
            paused,
            paused_until: until,
            joined_at: 0,
            display_name: None,
        }
    }

    fn action_ids(v: &Value) -> Vec<String> {
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| e["action_id"].as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn each_standing_shows_its_buttons() {
        let c = Catalog::default();
        let v = home(None, None, &c, 0, None);
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(action_ids(&v), vec![ACTION_JOIN]);
        assert!(v.to_string().contains("/mentor join"));

        let active = participant(false, None);
        let v = home(Some(&active), None, &c, 0, None);
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(
            action_ids(&v),
            vec![ACTION_EDIT, ACTION_PAUSE, ACTION_LEAVE]
        );
        let text = v.to_string();
        assert!(
            text.contains("waiting to be paired")
                && text.contains("Rounds are started by the program admins.")
                && !text.contains("next matching round")
                && text.contains("E-discovery")
                && text.contains("Negotiation and Networking")
        );

        let paused = participant(true, Some(86_400 * 30));
        let v = home(Some(&paused), None, &c, 0, None);
        assert_eq!(
            action_ids(&v),
            vec![ACTION_EDIT, ACTION_RESUME, ACTION_LEAVE]
        );
        assert!(v.to_string().contains("paused* until <!date^2592000^"));
        let v = home(Some(&paused), None, &c, 86_400 * 30, None);
        assert_eq!(
            action_ids(&v),
            vec![ACTION_EDIT, ACTION_PAUSE, ACTION_LEAVE],
            "the pause has ended"
        );

        let pair = PairView {
            id: 1,
            partner: Some("U2".into()),
            as_junior: true,
            status: crate::domain::model::PairStatus::Active,
        };
        let text = home(Some(&active), Some(&pair), &c, 0, Some(86_400)).to_string();
        assert!(text.contains("paired* with <@U2>"));
        assert!(
            text.contains(
                "Next matching round: *<!date^86400^{date_long}|Friday 2 January 1970>*."
            ),
            "{text}"
        );
        assert!(
            home(None, None, &c, 0, Some(86_400))
                .to_string()
                .contains("Next matching round"),
            "someone who has not joined sees it too"
        );
    }
}
