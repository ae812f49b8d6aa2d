//! What a Slack ID looks like, for checking configuration and form input before it reaches Slack.

/// A Slack user ID (U… or W…) or channel ID (C…, G…, D…): upper-case letters and digits after the prefix.
pub fn looks_like_slack_id(value: &str, prefixes: &[char]) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some(c) if prefixes.contains(&c))
        && value.len() >= 3
        && value.len() <= 32
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Whom `/mentor invite` reaches: the members of a channel, or of a user group. Parsed from the command text as
/// Slack escapes it (`should_escape: true` in the manifest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `<#C123|general>` or `<#C123>`: a public or private channel.
    Channel { id: String, name: Option<String> },
    /// `<!subteam^S123|@lawyers>` or `<!subteam^S123>`: a user group.
    UserGroup { id: String, handle: Option<String> },
}

impl Audience {
    /// How Slack shows it in a message: `<#C123>` renders as the channel's name, `<!subteam^S123>` as the group's
    /// handle (Slack fills in the current name).
    pub fn mrkdwn(&self) -> String {
        match self {
            Audience::Channel { id, .. } => format!("<#{id}>"),
            Audience::UserGroup { id, .. } => format!("<!subteam^{id}>"),
        }
    }

    /// A short plain label (for the audit log and logs): `#general`, `@lawyers`, or the ID when Slack sent no name.
    pub fn label(&self) -> String {
        match self {
            Audience::Channel { name: Some(n), .. } => format!("#{n}"),
            Audience::Channel { id, .. } => format!("#{id}"),
            Audience::UserGroup {
                handle: Some(h), ..
            } => format!("@{}", h.trim_start_matches('@')),
            Audience::UserGroup { id, .. } => format!("@{id}"),
        }
    }
}

/// Why the text after `/mentor invite` names no audience, each with words for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudienceError {
    /// Nothing after `invite`.
    Missing,
    /// More than one word.
    TooMany,
    /// `#general` as typed: Slack did not turn it into a channel link, so it is no channel Slack knows by that name.
    PlainChannel(String),
    /// `@lawyers` as typed: Slack did not turn it into a user group mention.
    PlainGroup(String),
    /// `<@U123>`: a person, not a channel or group.
    Person,
    /// Anything else.
    Unknown(String),
}

/// The longest name echoed back in a message.
const ECHO: usize = 40;

fn echo(s: &str) -> String {
    let cut: String = s
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '`'))
        .take(ECHO)
        .collect();
    cut
}

impl std::fmt::Display for AudienceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HOW: &str = "Type `#` or `@` and pick the channel or user group from the list Slack suggests, so that Slack sends it as a link: `/mentor invite #associates` or `/mentor invite @litigation`.";
        match self {
            AudienceError::Missing => write!(
                f,
                "`/mentor invite` takes one channel or user group whose members should be invited. {HOW}"
            ),
            AudienceError::TooMany => write!(
                f,
                "`/mentor invite` takes one channel or user group at a time. {HOW}"
            ),
            AudienceError::PlainChannel(name) => write!(
                f,
                "Slack did not recognise `{}` as a channel, so I cannot look up its members by that name. Check the spelling, and for a private channel add Tandem to it first. {HOW}",
                echo(name)
            ),
            AudienceError::PlainGroup(name) => write!(
                f,
                "Slack did not recognise `{}` as a user group, so I cannot look up its members by that name. Check the handle in Slack's list of user groups. {HOW}",
                echo(name)
            ),
            AudienceError::Person => write!(
                f,
                "`/mentor invite` invites the members of a channel or a user group, not one person. To invite someone on their own, tell them to type `/mentor join`. {HOW}"
            ),
            AudienceError::Unknown(word) => {
                write!(f, "`{}` is not a channel or user group. {HOW}", echo(word))
            }
        }
    }
}

/// An ID inside an escape, with the optional `|label` after it.
fn id_and_label(inner: &str) -> (&str, Option<String>) {
    match inner.split_once('|') {
        Some((id, label)) => (id, Some(label.to_string()).filter(|l| !l.is_empty())),
        None => (inner, None),
    }
}

/// Parses the text after `/mentor invite`: one escaped channel (`<#C123|general>`, `<#C123>`) or user group
/// (`<!subteam^S123|@lawyers>`, `<!subteam^S123>`).
pub fn parse_audience(text: &str) -> Result<Audience, AudienceError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let word = match words.as_slice() {
        [] => return Err(AudienceError::Missing),
        [one] => *one,
        _ => return Err(AudienceError::TooMany),
    };
    if let Some(inner) = word.strip_prefix("<#").and_then(|w| w.strip_suffix('>')) {
        let (id, name) = id_and_label(inner);
        if looks_like_slack_id(id, &['C', 'G']) {
            return Ok(Audience::Channel {
                id: id.to_string(),
                name,
            });
        }
    } else if let Some(inner) = word
        .strip_prefix("<!subteam^")
        .and_then(|w| w.strip_suffix('>'))
    {
        let (id, handle) = id_and_label(inner);
        if looks_like_slack_id(id, &['S']) {
            return Ok(Audience::UserGroup {
                id: id.to_string(),
                handle,
            });
        }
    } else if word.starts_with("<@") {
        return Err(AudienceError::Person);
    } else if word.starts_with('#') && word.len() > 1 {
        return Err(AudienceError::PlainChannel(word.to_string()));
    } else if word.starts_with('@') && word.len() > 1 {
        return Err(AudienceError::PlainGroup(word.to_string()));
    }
    Err(AudienceError::Unknown(word.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_need_a_known_prefix_and_upper_case_letters_or_digits() {
        for ok in ["U0ABC123", "W12", "UA1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P"] {
            assert!(looks_like_slack_id(ok, &['U', 'W']), "{ok}");
        }
        for bad in [
            "",
            "U1",
            "C0ABC123",
            "u0abc123",
            "U0abc",
            "U0 ABC",
            "#general",
            "U1> <!channel",
        ] {
            assert!(!looks_like_slack_id(bad, &['U', 'W']), "{bad}");
        }
        assert!(!looks_like_slack_id(
            &format!("U{}", "A".repeat(32)),
            &['U']
        ));
        assert!(looks_like_slack_id("C0CHANNEL", &['C', 'G']));
    }

    #[test]
    fn an_audience_is_a_channel_or_user_group_as_slack_escapes_it() {
        assert_eq!(
            parse_audience(" <#C0GENERAL|general> "),
            Ok(Audience::Channel {
                id: "C0GENERAL".into(),
                name: Some("general".into())
            })
        );
        assert_eq!(
            parse_audience("<#G0PRIVATE>"),
            Ok(Audience::Channel {
                id: "G0PRIVATE".into(),
                name: None
            })
        );
        assert_eq!(
            parse_audience("<#C0X|>"),
            Ok(Audience::Channel {
                id: "C0X".into(),
                name: None
            })
        );
        let group = parse_audience("<!subteam^S0LAWYERS|@lawyers>").unwrap();
        assert_eq!(
            group,
            Audience::UserGroup {
                id: "S0LAWYERS".into(),
                handle: Some("@lawyers".into())
            }
        );
        assert_eq!(group.label(), "@lawyers");
        assert_eq!(group.mrkdwn(), "<!subteam^S0LAWYERS>");
        assert_eq!(
            parse_audience("<!subteam^S0LAWYERS>").unwrap().label(),
            "@S0LAWYERS"
        );
        assert_eq!(
            parse_audience("<#C0GENERAL|general>").unwrap().mrkdwn(),
            "<#C0GENERAL>"
        );
    }

    #[test]
    fn what_slack_did_not_escape_is_refused_with_a_reason() {
        assert_eq!(parse_audience("  "), Err(AudienceError::Missing));
        assert_eq!(
            parse_audience("<#C1|a> <#C2|b>"),
            Err(AudienceError::TooMany)
        );
        assert_eq!(
            parse_audience("#general"),
            Err(AudienceError::PlainChannel("#general".into()))
        );
        assert_eq!(
            parse_audience("@lawyers"),
            Err(AudienceError::PlainGroup("@lawyers".into()))
        );
        assert_eq!(parse_audience("<@U0ALICE>"), Err(AudienceError::Person));
        for bad in [
            "general",
            "<#c0lower>",
            "<!subteam^U0ALICE>",
            "<!here>",
            "#",
            "<#C1",
        ] {
            assert!(
                matches!(parse_audience(bad), Err(AudienceError::Unknown(_))),
                "{bad}"
            );
        }
        let said = AudienceError::PlainChannel("#gen<!channel>eral".into()).to_string();
        assert!(
            said.contains("did not recognise `#gen!channeleral`"),
            "{said}"
        );
        assert!(said.contains("/mentor invite #associates"), "{said}");
    }
}
