//! `/mentor` subcommands: one enum, one file per subcommand; parse the text, then apply.

pub mod help;

use crate::app::App;
use crate::dispatch::Reply;
use crate::ingress::payload::SlashCommand;

/// Every subcommand with its usage and one line of help, in the order `/mentor help` lists them.
pub const SUBCOMMANDS: &[(&str, &str)] =
    &[("help", "what Tandem does and the commands you can use")];

/// A parsed `/mentor` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/mentor`, `/mentor help`, or anything Tandem does not understand (kept to say so).
    Help { unknown: Option<String> },
}

impl Command {
    /// Parses the text after `/mentor`. Never fails: what is not understood becomes help that says so.
    pub fn parse(text: &str) -> Command {
        let mut words = text.split_whitespace();
        match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("help") | Some("-h") | Some("--help") | Some("?") => {
                Command::Help { unknown: None }
            }
            Some(_) => Command::Help {
                unknown: Some(text.trim().to_string()),
            },
        }
    }

    /// Carries the command out and returns the reply Slack shows the person.
    pub async fn apply(self, _app: &App, _cmd: &SlashCommand) -> Reply {
        match self {
            Command::Help { unknown } => help::apply(unknown.as_deref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_help_forms_and_keeps_unknown_text() {
        for t in ["", "  ", "help", "HELP", "help me", "?"] {
            assert_eq!(Command::parse(t), Command::Help { unknown: None }, "{t:?}");
        }
        assert_eq!(
            Command::parse(" dance  now "),
            Command::Help {
                unknown: Some("dance  now".into())
            }
        );
    }
}
