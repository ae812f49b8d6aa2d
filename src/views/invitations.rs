//! Invitations to opt in: the DM with its *Join* button, and what `/mentor invite` answers the admin.

use super::blocks::{actions, button, context, section};
use super::pair_common::mention;
use crate::domain::invitations::{INVITE_AGAIN_AFTER_DAYS, Sorted};
use crate::domain::slack_id::looks_like_slack_id;
use serde_json::{Value, json};

/// The invitation's *Join* button: opens the survey, exactly as `/mentor join` does.
pub const ACTION_JOIN: &str = "invite_join";

/// The invitation DM: what Tandem is, that joining is the person's choice, and a *Join* button. `invited_by` is the
/// admin who sent it (named), or anything else for the command line (then nobody is named).
pub fn invitation_dm(invited_by: &str) -> (String, Value) {
    let who = if looks_like_slack_id(invited_by, &['U', 'W']) {
        format!(
            "{} thought you might like to take part. ",
            mention(invited_by)
        )
    } else {
        String::new()
    };
    let opening = "*You are invited to Tandem, the firm's reverse-mentoring program.*";
    let body = format!(
        "{opening}\n{who}In Tandem a more junior attorney shows a senior one new tools and ways of working, and learns practice and leadership in return: each of you is both teacher and student, for an hour or two a month."
    );
    let choice = "Taking part is up to you. *Join* opens a short survey (about two minutes); you are signed up only if you send it, and you can leave at any time.";
    let text = format!("{body}\n{choice}");
    let blocks = json!([
        section(&body),
        section(choice),
        actions(
            "invitation",
            vec![button("Join Tandem", ACTION_JOIN, "join", Some("primary"))]
        ),
        context(
            "Not for you? Ignore this message: nothing happens, and nobody is told. You can also join later by typing `/mentor join`."
        ),
    ]);
    (text, blocks)
}

/// What `/mentor invite` answers: how many are invited from `audience` (Slack mrkdwn, e.g. `<#C123>`), how many
/// are already enrolled, how many were invited too recently, and how many are known bots or deactivated accounts;
/// and that the DMs arrive at the next `local_time` (`TANDEM_CHECKIN_TIME`) on a working day in each person's zone.
pub fn invite_reply(audience: &str, sorted: &Sorted, local_time: chrono::NaiveTime) -> String {
    let (invited, enrolled, recent, skipped) = (
        sorted.invite.len(),
        sorted.enrolled.len(),
        sorted.recent.len(),
        sorted.not_people.len(),
    );
    let people = |n: usize| {
        if n == 1 {
            "1 person".to_string()
        } else {
            format!("{n} people")
        }
    };
    let mut others = Vec::new();
    if enrolled > 0 {
        others.push(format!("{enrolled} already enrolled"));
    }
    if recent > 0 {
        others.push(format!(
            "{recent} invited in the last {INVITE_AGAIN_AFTER_DAYS} days"
        ));
    }
    if skipped > 0 {
        others.push(if skipped == 1 {
            "1 bot or deactivated account skipped".to_string()
        } else {
            format!("{skipped} bots or deactivated accounts skipped")
        });
    }
    let others = others.join(", ");
    if invited == 0 {
        return if others.is_empty() {
            format!("Nobody to invite from {audience}: it has no members I can see.")
        } else {
            format!("Nobody new to invite from {audience}: {others}.")
        };
    }
    let head = if others.is_empty() {
        format!("Inviting {} from {audience}.", people(invited))
    } else {
        format!("Inviting {} from {audience}; {others}.", people(invited))
    };
    format!(
        "{head} Each gets a DM with a *Join* button that opens the survey, at the next {} on a working day in their own time zone; nobody is enrolled unless they send it. Bots and deactivated accounts are skipped as the DMs go out.",
        local_time.format("%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invitations::Invitee;
    use crate::views::limits::check_message_blocks;

    #[test]
    fn the_invitation_has_a_join_button_and_names_the_admin() {
        let (text, blocks) = invitation_dm("U0ADMIN");
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("<@U0ADMIN> thought you might like"), "{text}");
        assert!(text.contains("signed up only if you send it"), "{text}");
        let button = &blocks[2]["elements"][0];
        assert_eq!(button["action_id"], ACTION_JOIN);
        assert_eq!(button["style"], "primary");
        let (text, _) = invitation_dm("tandem invite");
        assert!(
            !text.contains("<@") && !text.contains("thought you"),
            "{text}"
        );
    }

    fn sorted(invited: usize, enrolled: usize, recent: usize, skipped: usize) -> Sorted {
        let ids = |n: usize, p: &str| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        Sorted {
            invite: ids(invited, "UI").iter().map(|u| Invitee::new(u)).collect(),
            enrolled: ids(enrolled, "UE"),
            recent: ids(recent, "UR"),
            not_people: ids(skipped, "UB"),
        }
    }

    fn ten() -> chrono::NaiveTime {
        chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap()
    }

    #[test]
    fn the_reply_counts_who_is_invited_and_who_is_not() {
        assert!(
            invite_reply("<#C1>", &sorted(2, 0, 0, 0), ten())
                .contains("at the next 10:00 on a working day in their own time zone"),
        );
        assert_eq!(
            invite_reply("<#C1>", &sorted(42, 3, 5, 0), ten())
                .split(" Each")
                .next()
                .unwrap(),
            "Inviting 42 people from <#C1>; 3 already enrolled, 5 invited in the last 30 days."
        );
        assert!(
            invite_reply("<#C1>", &sorted(1, 0, 0, 0), ten())
                .starts_with("Inviting 1 person from <#C1>. Each")
        );
        assert_eq!(
            invite_reply("<!subteam^S1>", &sorted(0, 2, 0, 1), ten()),
            "Nobody new to invite from <!subteam^S1>: 2 already enrolled, 1 bot or deactivated account skipped."
        );
        assert!(invite_reply("<#C1>", &sorted(0, 0, 0, 0), ten()).contains("no members I can see"));
    }
}
