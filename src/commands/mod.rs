//! `/mentor` subcommands: one enum, one file per subcommand; parse the text, then apply.

pub mod help;
pub mod join;
pub mod leave;
pub mod pause;
pub mod profile;
pub mod resume;
pub mod status;

use crate::app::App;
use crate::dispatch::Reply;
use crate::ingress::payload::SlashCommand;
use crate::views;

/// Every subcommand with its usage and one line of help, in the order `/mentor help` lists them.
pub const SUBCOMMANDS: &[(&str, &str)] = &[
    (
        "join",
        "opt in: a short survey on what you can teach and want to learn",
    ),
    ("profile", "see and edit your survey answers"),
    ("status", "where you stand: enrolled, paused, paired"),
    (
        "pause [weeks]",
        "take a break from matching and nudges (for some weeks, or until you resume)",
    ),
    ("resume", "end a pause"),
    ("leave", "leave the program and delete your answers"),
    ("help", "this list"),
];

/// The longest pause, in weeks.
pub const MAX_PAUSE_WEEKS: u32 = 52;

/// A parsed `/mentor` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/mentor`, `/mentor help`, or anything Tandem does not understand (kept to say so).
    Help {
        unknown: Option<String>,
    },
    Join,
    Profile,
    Status,
    Pause {
        weeks: Option<u32>,
    },
    Resume,
    Leave,
    /// A known subcommand used the wrong way: the message says how to use it.
    Usage(String),
}

impl Command {
    /// Parses the text after `/mentor`. Never fails: what is not understood becomes help or usage that says so.
    pub fn parse(text: &str) -> Command {
        let words: Vec<&str> = text.split_whitespace().collect();
        let Some(first) = words.first() else {
            return Command::Help { unknown: None };
        };
        let rest = &words[1..];
        match first.to_ascii_lowercase().as_str() {
            "help" | "-h" | "--help" | "?" => Command::Help { unknown: None },
            "join" | "signup" | "opt-in" if rest.is_empty() => Command::Join,
            "profile" | "edit" if rest.is_empty() => Command::Profile,
            "status" if rest.is_empty() => Command::Status,
            "resume" if rest.is_empty() => Command::Resume,
            "leave" if rest.is_empty() => Command::Leave,
            "pause" => match rest {
                [] => Command::Pause { weeks: None },
                [w] => match w.parse::<u32>() {
                    Ok(n) if (1..=MAX_PAUSE_WEEKS).contains(&n) => {
                        Command::Pause { weeks: Some(n) }
                    }
                    _ => Command::Usage(format!(
                        "`/mentor pause` takes a number of weeks from 1 to {MAX_PAUSE_WEEKS}, for example `/mentor pause 4`. Without a number it pauses until you type `/mentor resume`."
                    )),
                },
                _ => Command::Usage(
                    "`/mentor pause` takes at most one number: the weeks, e.g. `/mentor pause 4`."
                        .into(),
                ),
            },
            sub @ ("join" | "signup" | "opt-in" | "profile" | "edit" | "status" | "resume"
            | "leave") => Command::Usage(format!(
                "`/mentor {sub}` takes nothing after it; type just `/mentor {sub}`."
            )),
            _ => Command::Help {
                unknown: Some(text.trim().to_string()),
            },
        }
    }

    /// Carries the command out and returns the reply Slack shows the person.
    pub async fn apply(self, app: &App, cmd: &SlashCommand) -> Reply {
        match self {
            Command::Help { unknown } => help::apply(unknown.as_deref()),
            Command::Join => join::apply(app, cmd).await,
            Command::Profile => profile::apply(app, cmd).await,
            Command::Status => status::apply(app, cmd).await,
            Command::Pause { weeks } => pause::apply(app, cmd, weeks).await,
            Command::Resume => resume::apply(app, cmd).await,
            Command::Leave => leave::apply(app, cmd).await,
            Command::Usage(message) => say(&message),
        }
    }
}

/// An ephemeral one-paragraph reply.
pub fn say(text: &str) -> Reply {
    Reply::Json(views::ephemeral(text, vec![views::section(text)]))
}

/// The reply when the store fails: an apology, never a stack trace.
pub fn sorry(e: impl std::fmt::Display) -> Reply {
    tracing::error!(error = %e, "a command failed");
    say(
        "Tandem could not do that just now. Please try again in a minute; if it keeps failing, tell a program admin.",
    )
}

/// The reply for a pause, resume or leave outcome.
pub fn outcome(
    result: Result<crate::enrolment::Outcome, crate::store::StoreError>,
    what: &str,
) -> Reply {
    match result {
        Ok(crate::enrolment::Outcome::Done(message)) => say(&message),
        Ok(crate::enrolment::Outcome::NotEnrolled) => {
            Reply::Json(views::enrolment::not_enrolled(what))
        }
        Err(e) => sorry(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_subcommand_and_its_misuse() {
        for t in ["", "  ", "help", "HELP", "help me", "?"] {
            assert_eq!(Command::parse(t), Command::Help { unknown: None }, "{t:?}");
        }
        assert_eq!(
            Command::parse(" dance  now "),
            Command::Help {
                unknown: Some("dance  now".into())
            }
        );
        assert_eq!(Command::parse("JOIN"), Command::Join);
        assert_eq!(Command::parse("profile"), Command::Profile);
        assert_eq!(Command::parse("status"), Command::Status);
        assert_eq!(Command::parse("pause"), Command::Pause { weeks: None });
        assert_eq!(Command::parse("pause 3"), Command::Pause { weeks: Some(3) });
        assert_eq!(
            Command::parse("pause 52"),
            Command::Pause { weeks: Some(52) }
        );
        for bad in ["pause 0", "pause 53", "pause two", "pause -1", "pause 2 3"] {
            assert!(matches!(Command::parse(bad), Command::Usage(_)), "{bad}");
        }
        assert_eq!(Command::parse("resume"), Command::Resume);
        assert_eq!(Command::parse("leave"), Command::Leave);
        assert!(
            matches!(Command::parse("leave now"), Command::Usage(m) if m.contains("/mentor leave"))
        );
    }

    #[test]
    fn help_lists_every_subcommand_that_parses() {
        for (usage, _) in SUBCOMMANDS {
            let word = usage.split_whitespace().next().unwrap();
            assert!(
                !matches!(Command::parse(word), Command::Help { unknown: Some(_) }),
                "{word} is listed but not parsed"
            );
        }
    }
}
