//! The forms of a pair in trouble: the private "We need help" modal a member fills in, and the admins' *Message
//! them* modal; the IDs of the admins' buttons on a help or at-risk alert; how each submitted form becomes plain data,
//! and (for the tests and the demo) the state values Slack would send for it.
//!
//! Pure, like [`crate::domain::forms::pair_forms`]: the parsers refuse anything that is not on the form.

use crate::domain::forms::pair_forms::parse_id;
use crate::domain::forms::state::{element_state, option_state, selected, text};
use serde_json::{Value, json};

pub use crate::domain::forms::state::{ACTION, FieldErrors, StateValues};

// ---------------------------------------------------------------------------
// IDs
// ---------------------------------------------------------------------------

/// The private "We need help" modal's `callback_id` (its `private_metadata` is the check-in's ID).
pub const CALLBACK_HELP: &str = "help_request";
/// Help modal: what is wrong (optional multiline text).
pub const B_HELP_WHAT: &str = "help_what";
/// Help modal: may the other person be told that you asked (radio buttons yes/no).
pub const B_HELP_TELL: &str = "help_tell";
/// Radio value: the other person may be told.
pub const TELL_YES: &str = "yes";
/// Radio value: the other person must not be told.
pub const TELL_NO: &str = "no";

/// Admin button *Message them* on an alert; its value is [`alert_value`].
pub const ACTION_MESSAGE: &str = "trouble_message";
/// Admin button *End the pair kindly*; its value is [`alert_value`].
pub const ACTION_END: &str = "trouble_end";
/// Admin button *Re-match both*; its value is [`alert_value`].
pub const ACTION_REMATCH: &str = "trouble_rematch";
/// The actions block holding the three admin buttons.
pub const B_ALERT_ACTIONS: &str = "trouble_actions";

/// The admins' *Message them* modal's `callback_id` (its `private_metadata` is [`alert_value`]).
pub const CALLBACK_MESSAGE: &str = "trouble_message";
/// Message modal: to whom (radio buttons: the pair's group DM, or only the person who asked).
pub const B_MESSAGE_TO: &str = "message_to";
/// Message modal: the message (multiline text).
pub const B_MESSAGE_TEXT: &str = "message_text";
/// Radio value: post in the pair's group DM.
pub const TO_PAIR: &str = "pair";
/// Radio value: send only to the person who asked for help.
pub const TO_ASKER: &str = "asker";

/// The longest "what is wrong", in characters.
pub const MAX_HELP_TEXT: usize = 1000;
/// The longest message an admin can send a pair, in characters.
pub const MAX_MESSAGE: usize = 2000;

/// The label of an answer to "may the other person be told?".
pub fn tell_label(yes: bool) -> &'static str {
    if yes {
        "Yes, they may know I asked"
    } else {
        "No, please keep it between me and the program team"
    }
}

/// The label of a recipient in the *Message them* modal.
pub fn to_label(to: Recipient) -> &'static str {
    match to {
        Recipient::Pair => "Both of them, in their group DM",
        Recipient::Asker => "Only the person who asked for help, privately",
    }
}

// ---------------------------------------------------------------------------
// Domain types
// ---------------------------------------------------------------------------

/// What someone wrote when asking for help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequest {
    /// What is wrong, at most [`MAX_HELP_TEXT`] characters, trimmed; `None` if left empty.
    pub text: Option<String>,
    /// Whether the other person in the pair may be told that they asked.
    pub may_tell: bool,
}

/// Where an admin's message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The pair's group DM: both see it.
    Pair,
    /// Only the person who asked for help (a DM from Tandem).
    Asker,
}

/// An admin's message to a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminMessage {
    pub to: Recipient,
    /// 1..=[`MAX_MESSAGE`] characters, trimmed.
    pub text: String,
}

/// What an alert's buttons act on: the pair, and the help request when the alert is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRef {
    pub pair_id: i64,
    pub help_id: Option<i64>,
}

/// An alert's button value (and the message modal's `private_metadata`): `"{pair_id}"` or `"{pair_id}:{help_id}"`.
pub fn alert_value(r: AlertRef) -> String {
    match r.help_id {
        Some(h) => format!("{}:{h}", r.pair_id),
        None => r.pair_id.to_string(),
    }
}

/// [`alert_value`] read back. `None` when it is malformed.
pub fn parse_alert_value(s: &str) -> Option<AlertRef> {
    match s.split_once(':') {
        None => Some(AlertRef {
            pair_id: parse_id(s)?,
            help_id: None,
        }),
        Some((p, h)) => Some(AlertRef {
            pair_id: parse_id(p)?,
            help_id: Some(parse_id(h)?),
        }),
    }
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// Parses the help modal. Every problem is reported on its own block.
pub fn parse_help(values: &StateValues) -> Result<HelpRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let what = text(values, B_HELP_WHAT);
    if let Some(w) = &what
        && w.chars().count() > MAX_HELP_TEXT
    {
        errors.insert(
            B_HELP_WHAT.to_string(),
            format!(
                "Keep it to {MAX_HELP_TEXT} characters (it has {}).",
                w.chars().count()
            ),
        );
    }
    let may_tell = match selected(values, B_HELP_TELL).as_deref() {
        Some(TELL_YES) => Some(true),
        Some(TELL_NO) => Some(false),
        _ => None,
    };
    if may_tell.is_none() {
        errors.insert(
            B_HELP_TELL.to_string(),
            "Choose yes or no: may the program team tell your Tandem pair that you asked?".into(),
        );
    }
    match may_tell {
        Some(may_tell) if errors.is_empty() => Ok(HelpRequest {
            text: what,
            may_tell,
        }),
        _ => Err(errors),
    }
}

/// Parses the admins' message modal. `asker_offered` is whether the modal offered "only the person who asked" (it
/// does on a help alert); without it, the message goes to the pair.
pub fn parse_admin_message(
    values: &StateValues,
    asker_offered: bool,
) -> Result<AdminMessage, FieldErrors> {
    let mut errors = FieldErrors::new();
    let to = if asker_offered {
        match selected(values, B_MESSAGE_TO).as_deref() {
            Some(TO_PAIR) => Some(Recipient::Pair),
            Some(TO_ASKER) => Some(Recipient::Asker),
            _ => {
                errors.insert(
                    B_MESSAGE_TO.to_string(),
                    "Choose who gets the message.".into(),
                );
                None
            }
        }
    } else {
        Some(Recipient::Pair)
    };
    let message = text(values, B_MESSAGE_TEXT);
    match &message {
        None => {
            errors.insert(
                B_MESSAGE_TEXT.to_string(),
                "Write the message Tandem should send.".into(),
            );
        }
        Some(m) if m.chars().count() > MAX_MESSAGE => {
            errors.insert(
                B_MESSAGE_TEXT.to_string(),
                format!(
                    "Keep the message to {MAX_MESSAGE} characters (it has {}).",
                    m.chars().count()
                ),
            );
        }
        Some(_) => {}
    }
    match (to, message) {
        (Some(to), Some(text)) if errors.is_empty() => Ok(AdminMessage { to, text }),
        _ => Err(errors),
    }
}

// ---------------------------------------------------------------------------
// What Slack sends back (tests and the demo)
// ---------------------------------------------------------------------------

/// The help modal's state values for this request.
pub fn help_values(r: &HelpRequest) -> Value {
    let tell = if r.may_tell { TELL_YES } else { TELL_NO };
    json!({
        B_HELP_WHAT: element_state("plain_text_input", "value", json!(r.text)),
        B_HELP_TELL: element_state("radio_buttons", "selected_option", option_state(tell_label(r.may_tell), tell)),
    })
}

/// The message modal's state values for this message (`with_recipient`: the modal offered the choice).
pub fn admin_message_values(m: &AdminMessage, with_recipient: bool) -> Value {
    let mut v = json!({
        B_MESSAGE_TEXT: element_state("plain_text_input", "value", json!(m.text)),
    });
    if with_recipient {
        let value = match m.to {
            Recipient::Pair => TO_PAIR,
            Recipient::Asker => TO_ASKER,
        };
        v[B_MESSAGE_TO] = element_state(
            "radio_buttons",
            "selected_option",
            option_state(to_label(m.to), value),
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(v: Value) -> StateValues {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_help_request_parses_back_and_is_trimmed() {
        for may_tell in [true, false] {
            let r = HelpRequest {
                text: Some("  We never found a time.  ".into()),
                may_tell,
            };
            let parsed = parse_help(&state(help_values(&r))).unwrap();
            assert_eq!(parsed.text.as_deref(), Some("We never found a time."));
            assert_eq!(parsed.may_tell, may_tell);
        }
        let empty = HelpRequest {
            text: Some("   ".into()),
            may_tell: false,
        };
        assert_eq!(parse_help(&state(help_values(&empty))).unwrap().text, None);
        let max = HelpRequest {
            text: Some("é".repeat(MAX_HELP_TEXT)),
            may_tell: true,
        };
        assert!(parse_help(&state(help_values(&max))).is_ok());
    }

    #[test]
    fn help_problems_are_reported_on_their_block() {
        let long = HelpRequest {
            text: Some("x".repeat(MAX_HELP_TEXT + 1)),
            may_tell: true,
        };
        let e = parse_help(&state(help_values(&long))).unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), vec![B_HELP_WHAT]);
        assert!(e[B_HELP_WHAT].contains("1000") && e[B_HELP_WHAT].contains("1001"));
        let e = parse_help(&StateValues::new()).unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), vec![B_HELP_TELL]);
        let forged = state(json!({
            B_HELP_TELL: element_state("radio_buttons", "selected_option", option_state("maybe", "maybe")),
        }));
        assert!(parse_help(&forged).unwrap_err().contains_key(B_HELP_TELL));
    }

    #[test]
    fn an_admin_message_parses_back_with_or_without_the_choice() {
        for to in [Recipient::Pair, Recipient::Asker] {
            let m = AdminMessage {
                to,
                text: "How can we help?".into(),
            };
            assert_eq!(
                parse_admin_message(&state(admin_message_values(&m, true)), true).unwrap(),
                m
            );
        }
        let m = AdminMessage {
            to: Recipient::Asker,
            text: "Hello".into(),
        };
        assert_eq!(
            parse_admin_message(&state(admin_message_values(&m, true)), false)
                .unwrap()
                .to,
            Recipient::Pair,
            "without the choice on the form, the pair gets it"
        );
        let e = parse_admin_message(&state(admin_message_values(&m, false)), true).unwrap_err();
        assert!(e.contains_key(B_MESSAGE_TO));
        let blank = AdminMessage {
            to: Recipient::Pair,
            text: "  ".into(),
        };
        let e =
            parse_admin_message(&state(admin_message_values(&blank, false)), false).unwrap_err();
        assert!(e.contains_key(B_MESSAGE_TEXT));
        let long = AdminMessage {
            to: Recipient::Pair,
            text: "x".repeat(MAX_MESSAGE + 1),
        };
        let e = parse_admin_message(&state(admin_message_values(&long, false)), false).unwrap_err();
        assert!(e[B_MESSAGE_TEXT].contains("2000"));
    }

    #[test]
    fn alert_values_round_trip_and_refuse_junk() {
        for r in [
            AlertRef {
                pair_id: 5,
                help_id: None,
            },
            AlertRef {
                pair_id: 5,
                help_id: Some(9),
            },
        ] {
            assert_eq!(parse_alert_value(&alert_value(r)), Some(r));
        }
        for bad in ["", "x", "5:", ":9", "0", "5:x", "-5", "5:9:1"] {
            assert_eq!(parse_alert_value(bad), None, "{bad}");
        }
    }
}
