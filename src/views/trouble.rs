//! A pair in trouble: the private "We need help" modal, the admins' alert (a help request, or a pair gone at risk)
//! with its three confirmed buttons, the *Message them* modal, and the messages those actions send.
//!
//! Nothing here is ever posted in the pair's group DM except what an admin chose to send there and the neutral "a
//! message from the program team"; who asked for help, and what they wrote, appear only in the admins' alert.

use super::blocks::{
    actions, button, confirm, context, input, modal, multiline_input, option, radio_buttons,
    section,
};
use super::pair_common::{escape, mention, quote};
use crate::domain::forms::help::*;
use crate::domain::text::truncate;
use serde_json::{Value, json};

/// One person of a pair, as an alert names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    /// Their name in Slack, once known: for plain-text places (a confirmation dialog, a modal's title line) where a
    /// mention does not show as a name.
    pub name: Option<String>,
}

impl Named {
    /// In a message: the mention, which Slack shows as the person's current name.
    fn shown(&self) -> String {
        mention(&self.id)
    }
}

/// Why the admins are alerted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// Someone asked for help privately.
    Help {
        /// `None` for an alert queued by an earlier version (its buttons then act on the pair only).
        help_id: Option<i64>,
        asker: String,
        may_tell: bool,
        text: Option<String>,
    },
    /// The pair went at risk: check-ins in a row without a meeting.
    AtRisk { missed: usize },
}

/// What an admins' alert says about a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub pair_id: i64,
    /// The reverse mentor.
    pub junior: Named,
    pub senior: Named,
    /// Whole days since the pair was approved.
    pub days: i64,
    /// Check-ins at which they said they met.
    pub meetings: i64,
    /// When someone last answered "we met" (unix seconds).
    pub last_met_at: Option<i64>,
    pub cause: Cause,
}

impl Alert {
    fn reference(&self) -> AlertRef {
        AlertRef {
            pair_id: self.pair_id,
            help_id: match self.cause {
                Cause::Help { help_id, .. } => help_id,
                Cause::AtRisk { .. } => None,
            },
        }
    }
}

fn days(n: i64) -> String {
    match n {
        0 => "today".to_string(),
        1 => "1 day ago".to_string(),
        n => format!("{n} days ago"),
    }
}

fn meetings(n: i64) -> String {
    match n {
        0 => "no meetings so far".to_string(),
        1 => "1 meeting so far".to_string(),
        n => format!("{n} meetings so far"),
    }
}

/// The most a quoted text may take in a section (Slack allows 3,000 characters).
const MAX_QUOTE: usize = 2800;

/// Free text as an escaped block quote that fits a section whatever it holds.
fn fitted_quote(text: &str) -> String {
    let mut n = text.chars().count();
    loop {
        let q = quote(&truncate(text, n));
        if q.chars().count() <= MAX_QUOTE || n <= 1 {
            return q;
        }
        n = n * 3 / 4;
    }
}

/// The three admin buttons, each with a confirmation dialog (Slack shows it before the click is sent).
pub fn alert_buttons(r: AlertRef, names: &str) -> Value {
    let value = alert_value(r);
    actions(
        B_ALERT_ACTIONS,
        vec![
            with_confirm(
                button("Message them", ACTION_MESSAGE, &value, Some("primary")),
                confirm(
                    "Write to this pair?",
                    &format!(
                        "Tandem opens a form for your message to {names}. Nothing is sent until you press Send."
                    ),
                    "Write a message",
                    "Cancel",
                    None,
                ),
            ),
            with_confirm(
                button("End the pair kindly", ACTION_END, &value, None),
                confirm(
                    "End this pair?",
                    &format!(
                        "The pairing of {names} ends now. Both get a kind note from Tandem with no reason and no blame, \
                         and their check-ins stop. This cannot be undone."
                    ),
                    "End the pair",
                    "Keep it",
                    Some("danger"),
                ),
            ),
            with_confirm(
                button("Re-match both", ACTION_REMATCH, &value, None),
                confirm(
                    "End this pair and re-match both?",
                    &format!(
                        "The pairing of {names} ends now, kindly and without blame. Both are put forward for the \
                         next matching round (a pause is lifted); they will never be paired with each other again."
                    ),
                    "End and re-match",
                    "Keep it",
                    Some("danger"),
                ),
            ),
        ],
    )
}

fn with_confirm(mut button: Value, c: Value) -> Value {
    button["confirm"] = c;
    button
}

/// Both names for a confirmation dialog or a modal (where mentions do not show as names), escaped for mrkdwn, at
/// most about 120 characters.
fn plain_names(a: &Named, b: &Named) -> String {
    let n = |p: &Named| escape(&truncate(p.name.as_deref().unwrap_or("one person"), 50));
    format!("{} and {}", n(a), n(b))
}

/// The admins' private alert. Returns the fallback text and the blocks.
pub fn alert(a: &Alert) -> (String, Value) {
    let pair = format!(
        "{} (reverse mentor) and {} (senior)",
        a.junior.shown(),
        a.senior.shown()
    );
    let facts = format!(
        "Paired {} · {}{}",
        days(a.days),
        meetings(a.meetings),
        match a.last_met_at {
            Some(t) if a.meetings > 0 => format!(" · last met {}", super::home::slack_date(t)),
            _ => String::new(),
        }
    );
    let who = |id: &str| {
        if id == a.junior.id {
            a.junior.shown()
        } else if id == a.senior.id {
            a.senior.shown()
        } else {
            mention(id)
        }
    };
    let mut blocks = Vec::new();
    let text = match &a.cause {
        Cause::Help {
            asker,
            may_tell,
            text,
            ..
        } => {
            let other = if *asker == a.junior.id {
                &a.senior
            } else {
                &a.junior
            };
            blocks.push(section(&format!(
                "🙋 *A Tandem pair asked for help.* Privately: {} asked, about their pairing with {}.",
                who(asker),
                other.shown()
            )));
            blocks.push(section(&format!("{pair}\n{facts}")));
            blocks.push(section(&match text {
                Some(t) => format!("*What is wrong, in their words:*\n{}", fitted_quote(t)),
                None => "They did not say what is wrong.".to_string(),
            }));
            blocks.push(context(&if *may_tell {
                format!("{} may be told that {} asked.", other.shown(), who(asker))
            } else {
                format!(
                    "🔒 {} asked that {} *not* be told they asked: keep it between you and them.",
                    who(asker),
                    other.shown()
                )
            }));
            "🙋 A Tandem pair asked for help, privately: only the program admins see this."
                .to_string()
        }
        Cause::AtRisk { missed } => {
            let why = if a.meetings == 0 {
                format!(
                    "They have not had a first meeting yet, and {missed} check-ins in a row passed without one."
                )
            } else {
                format!(
                    "They have stopped meeting: {missed} check-ins in a row passed without a meeting."
                )
            };
            blocks.push(section(&format!("⚠️ *A Tandem pair is at risk.* {why}")));
            blocks.push(section(&format!("{pair}\n{facts}")));
            blocks.push(context(
                "Tandem has sent them a friendly nudge and sends one more after the next check-in without a \
                 meeting; after that, it is your call. You get this alert once for this stretch.",
            ));
            "⚠️ A Tandem pair is at risk: only the program admins see this.".to_string()
        }
    };
    blocks.push(alert_buttons(
        a.reference(),
        &plain_names(&a.junior, &a.senior),
    ));
    blocks.push(context(
        "Every action here asks you to confirm and is recorded in the audit log (`/mentor audit`).",
    ));
    (text, json!(blocks))
}

/// The private "We need help" modal for check-in `checkin_id` (callback [`CALLBACK_HELP`], `private_metadata` the
/// check-in's ID): what is wrong (optional) and whether the other person may be told that they asked.
pub fn help_modal(checkin_id: i64) -> Value {
    modal(
        CALLBACK_HELP,
        "Ask for help",
        "Send privately",
        &checkin_id.to_string(),
        vec![
            section(
                "This goes *only to the program team*. Nothing is posted in your conversation with your Tandem \
                 pair, and the check-in does not show that you asked.",
            ),
            input(
                B_HELP_WHAT,
                "What is wrong?",
                multiline_input(
                    MAX_HELP_TEXT,
                    "e.g. we cannot find a time; the sessions are not what I hoped for",
                ),
                true,
                Some("Optional, at most 1,000 characters. Only the program team reads it."),
            ),
            input(
                B_HELP_TELL,
                "May the program team tell your Tandem pair that you asked?",
                radio_buttons(vec![
                    option(tell_label(true), TELL_YES),
                    option(tell_label(false), TELL_NO),
                ]),
                false,
                None,
            ),
        ],
    )
}

/// What the person who asked sees once their request is sent (a DM from Tandem).
pub fn help_sent(may_tell: bool) -> String {
    format!(
        "Thank you for telling us. The program team has your request and will be in touch with you privately. \
         {}",
        if may_tell {
            "They may tell your Tandem pair that you asked."
        } else {
            "Your Tandem pair will not be told that you asked."
        }
    )
}

/// When someone presses *We need help* again at a check-in where they already asked.
pub const HELP_ALREADY: &str = "You have already asked the program team for help at this check-in; they have your \
request and will be in touch with you privately.";

/// The admins' *Message them* modal for the pair of `junior` and `senior`. `asker` is who asked for help (then the
/// admin chooses: both, or only them); `may_tell` whether the other may know they asked.
pub fn message_modal(
    r: AlertRef,
    junior: &Named,
    senior: &Named,
    asker: Option<&Named>,
    may_tell: bool,
) -> Value {
    let mut blocks = vec![section(&format!(
        "Tandem sends your message as *a message from the program team*, signed with your name, to {} \
         (reverse mentor and senior).",
        plain_names(junior, senior)
    ))];
    if let Some(asker) = asker {
        blocks.push(input(
            B_MESSAGE_TO,
            "Send it to",
            radio_buttons(vec![
                option(to_label(Recipient::Pair), TO_PAIR),
                option(to_label(Recipient::Asker), TO_ASKER),
            ]),
            false,
            None,
        ));
        if !may_tell {
            blocks.push(context(&format!(
                "🔒 {} asked that their Tandem pair not be told they asked for help. In the group DM, do not \
                 mention it.",
                asker.shown()
            )));
        }
    }
    blocks.push(input(
        B_MESSAGE_TEXT,
        "Your message",
        multiline_input(
            MAX_MESSAGE,
            "e.g. How is it going? Would a short call with me help you find a rhythm?",
        ),
        false,
        Some("At most 2,000 characters."),
    ));
    modal(
        CALLBACK_MESSAGE,
        "Message them",
        "Send",
        &alert_value(r),
        blocks,
    )
}

/// An admin's message as Tandem posts it (in the pair's group DM, or to the asker's DM). The text is escaped.
pub fn from_program(admin: &str, text: &str) -> String {
    format!(
        "📣 *A message from the program team* ({}):\n{}",
        mention(admin),
        quote(&truncate(text, MAX_MESSAGE))
    )
}

/// The kind note to each person when an admin ends their pair (`other` is the other person). No reason, no blame.
/// With `rematch`, they are told they will be put forward for the next matching round.
pub fn ended_by_program(other: &str, rematch: bool) -> String {
    let next = if rematch {
        "You will be put forward for the next matching round, with someone new. If you would rather wait, \
         `/mentor pause` holds you back until you resume."
    } else {
        "You are welcome in future rounds; `/mentor status` shows where you stand, and `/mentor pause` holds you \
         back until you resume."
    };
    format!(
        "The program team has ended your Tandem pairing with {}. Pairings sometimes do not find their rhythm \
         (workloads, trials, timing), and this is not a judgement on either of you. Thank you for the time you gave \
         it. {next}",
        mention(other)
    )
}

/// What the admin is told after acting (a DM). `pair` names the pair (for a private message: the person it went to).
pub fn done(action: Done, pair: &str) -> String {
    match action {
        Done::Ended => format!("Done: the pairing of {pair} has ended, and both were told kindly."),
        Done::Rematched => format!(
            "Done: the pairing of {pair} has ended, both were told kindly, and both will be put forward for the next \
             matching round (never with each other)."
        ),
        Done::Messaged(Recipient::Pair) => {
            format!("Sent: your message is in the group DM of {pair}.")
        }
        Done::Messaged(Recipient::Asker) => format!("Sent: your message went privately to {pair}."),
        Done::AlreadyOver => {
            format!("Nothing changed: the pairing of {pair} has already ended.")
        }
    }
}

/// What an admin action did, for [`done`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Ended,
    Rematched,
    Messaged(Recipient),
    AlreadyOver,
}

/// Refusal when someone who is not a program admin presses an alert's button.
pub const ADMINS_ONLY: &str = "Sorry, only the program's admins can act on a pair (TANDEM_ADMINS).";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::limits::{check_message_blocks, check_view};

    fn named(id: &str, name: &str) -> Named {
        Named {
            id: id.into(),
            name: Some(name.into()),
        }
    }

    fn help_alert(text: Option<&str>, may_tell: bool) -> Alert {
        Alert {
            pair_id: 5,
            junior: named("U0J", "Jun Iper"),
            senior: named("U0S", "Sen Ator"),
            days: 23,
            meetings: 2,
            last_met_at: Some(1_700_000_000),
            cause: Cause::Help {
                help_id: Some(9),
                asker: "U0J".into(),
                may_tell,
                text: text.map(str::to_string),
            },
        }
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
    fn a_help_alert_names_both_the_asker_the_age_the_meetings_and_the_text() {
        let (text, blocks) = alert(&help_alert(Some("He <never> & shows up"), false));
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("asked for help"));
        let all = blocks.to_string();
        for want in [
            "<@U0J> (reverse mentor) and <@U0S> (senior)",
            "<@U0J> asked",
            "23 days ago",
            "2 meetings so far",
            "&lt;never&gt; &amp; shows up",
            "*not* be told",
        ] {
            assert!(all.contains(want), "{want}: {all}");
        }
        let b = buttons(&blocks);
        let ids: Vec<&str> = b.iter().map(|e| e["action_id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![ACTION_MESSAGE, ACTION_END, ACTION_REMATCH]);
        assert!(b.iter().all(|e| e["value"] == "5:9"));
        assert!(
            b.iter()
                .all(|e| e["confirm"]["confirm"]["text"].is_string()),
            "every action is confirmed"
        );
        let (_, blocks) = alert(&help_alert(None, true));
        let all = blocks.to_string();
        assert!(all.contains("did not say") && all.contains("may be told"));
    }

    #[test]
    fn an_at_risk_alert_says_whether_they_ever_met() {
        let mut a = help_alert(None, true);
        a.cause = Cause::AtRisk { missed: 2 };
        a.meetings = 0;
        let (text, blocks) = alert(&a);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("at risk"));
        let all = blocks.to_string();
        assert!(all.contains("not had a first meeting yet"), "{all}");
        assert!(!all.contains("last met"));
        assert!(buttons(&blocks).iter().all(|e| e["value"] == "5"));
        a.meetings = 3;
        let all = alert(&a).1.to_string();
        assert!(all.contains("stopped meeting") && all.contains("last met"));
    }

    #[test]
    fn the_longest_worst_case_text_still_fits_a_section() {
        let text = "&<>\n".repeat(MAX_HELP_TEXT / 4);
        let (_, blocks) = alert(&help_alert(Some(&text), true));
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
    }

    #[test]
    fn the_modals_are_valid() {
        let v = help_modal(31);
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(v["callback_id"], CALLBACK_HELP);
        assert_eq!(v["private_metadata"], "31");
        let all = v.to_string();
        assert!(all.contains("only to the program team") && all.contains("your Tandem pair"));
        assert!(!all.to_lowercase().contains("partner"));
        let r = AlertRef {
            pair_id: 5,
            help_id: Some(9),
        };
        let asker = named("U0J", "Jun Iper");
        let (j, sr) = (named("U0J", "Jun <Iper>"), named("U0S", "Sen Ator"));
        let with = message_modal(r, &j, &sr, Some(&asker), false);
        assert_eq!(check_view(&with), Vec::<String>::new());
        assert_eq!(with["private_metadata"], "5:9");
        assert!(with.to_string().contains(B_MESSAGE_TO));
        assert!(with.to_string().contains("do not mention it"));
        assert!(with.to_string().contains("Jun &lt;Iper&gt; and Sen Ator"));
        let without = message_modal(
            AlertRef {
                pair_id: 5,
                help_id: None,
            },
            &j,
            &sr,
            None,
            true,
        );
        assert_eq!(check_view(&without), Vec::<String>::new());
        assert!(!without.to_string().contains(B_MESSAGE_TO));
    }

    #[test]
    fn the_kind_notes_carry_no_blame_and_no_jargon() {
        for rematch in [false, true] {
            let note = ended_by_program("U0S", rematch).to_lowercase();
            for word in ["partner", "fault", "failed", "complain", "help", "reason"] {
                assert!(!note.contains(word), "{word}: {note}");
            }
            assert!(note.contains("<@u0s>") && note.contains("not a judgement"));
        }
        assert!(ended_by_program("U0S", true).contains("next matching round"));
        assert!(from_program("U0A", "<!channel> hi").contains("&lt;!channel&gt; hi"));
    }
}
