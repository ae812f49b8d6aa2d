//! `/mentor` subcommands: one enum, one file per subcommand; parse the text, then apply.

pub mod audit;
pub mod capacity;
pub mod end;
pub mod exclude;
pub mod exclusions;
pub mod feedback;
pub mod help;
pub mod invite;
pub mod join;
pub mod leave;
pub mod match_cmd;
pub mod mydata;
pub mod pause;
pub mod profile;
pub mod report;
pub mod resume;
pub mod status;
pub mod unexclude;

use crate::context::App;
use crate::domain::slack_id::{Audience, AudienceError, parse_audience};
use crate::flows::summaries::Span;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

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
    (
        "end [reason]",
        "end your current pair early (a reason, if you give one, goes only to the admins)",
    ),
    ("leave", "leave the program and delete your answers"),
    (
        "mydata",
        "everything Tandem holds about you, sent to you in a DM (a summary and a JSON file)",
    ),
    ("help", "this list"),
];

/// Subcommands only program admins (`TANDEM_ADMINS`) may use; `/mentor help` lists them to admins only.
pub const ADMIN_SUBCOMMANDS: &[(&str, &str)] = &[
    (
        "match",
        "compute a matching proposal and send it to you for review",
    ),
    (
        "report [all]",
        "the managers' summary of this period so far (or of the whole program), for your eyes only, with the weekly chart in a DM",
    ),
    (
        "feedback",
        "what people learned and noted in closed pairs: anonymous, shuffled, shown once 3 people have written",
    ),
    (
        "exclude @a @b",
        "never pair these two people (conflicts); `exclude @a @b | @c @d` walls off two groups (ethical walls)",
    ),
    (
        "exclusions",
        "every exclusion: both people, who added it and when",
    ),
    (
        "unexclude @a @b",
        "remove an exclusion, so these two may be paired again",
    ),
    (
        "capacity @senior N",
        "let a senior attorney take N reverse mentors at once (0 to 5)",
    ),
    (
        "audit",
        "the latest 20 admin actions (who did what, when, on whom)",
    ),
    (
        "invite #channel | @group",
        "DM the members of a channel or user group who have not joined an invitation with a Join button (nobody is enrolled by it; nobody is invited twice in 30 days)",
    ),
];

/// The most reverse mentors one senior can take at once.
pub const MAX_CAPACITY: u8 = 5;

/// The longest reason `/mentor end` takes.
pub const MAX_REASON: usize = 500;

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
    End {
        reason: Option<String>,
    },
    Match,
    Report {
        span: crate::flows::summaries::Span,
    },
    Feedback,
    /// Everyone in `left` is never paired with anyone in `right` (one each: a single exclusion).
    Exclude {
        left: Vec<String>,
        right: Vec<String>,
    },
    Exclusions,
    Unexclude {
        a: String,
        b: String,
    },
    Audit,
    MyData,
    Capacity {
        user: String,
        capacity: u8,
    },
    /// `/mentor invite <#C…>` or `<!subteam^S…>`; what was not understood is kept to say why (to admins only).
    Invite(Result<Audience, AudienceError>),
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
            "match" if rest.is_empty() => Command::Match,
            "report" => match rest.iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().as_slice() {
                [] => Command::Report { span: Span::SoFar },
                [w] if w == "period" => Command::Report { span: Span::SoFar },
                [w] if w == "all" => Command::Report { span: Span::All },
                _ => Command::Usage("`/mentor report` shows the summary period so far; `/mentor report all` the whole program.".into()),
            },
            "audit" if rest.is_empty() => Command::Audit,
            "feedback" if rest.is_empty() => Command::Feedback,
            "mydata" if rest.is_empty() => Command::MyData,
            "invite" => Command::Invite(parse_audience(&text.trim()[first.len()..])),
            "end" => {
                let reason = text.trim()[first.len()..].trim();
                if reason.chars().count() > MAX_REASON {
                    Command::Usage(format!("Keep the reason to {MAX_REASON} characters, or leave it out: `/mentor end`."))
                } else {
                    Command::End { reason: (!reason.is_empty()).then(|| reason.to_string()) }
                }
            }
            "exclude" => exclude::parse(&text.trim()[first.len()..]),
            "exclusions" if rest.is_empty() => Command::Exclusions,
            "unexclude" => match rest.iter().map(|w| parse_user(w)).collect::<Vec<_>>().as_slice() {
                [Some(a), Some(b)] if a != b => Command::Unexclude { a: a.clone(), b: b.clone() },
                _ => Command::Usage("`/mentor unexclude @person @other` names the two people whose exclusion to remove.".into()),
            },
            "capacity" => match rest {
                [who, n] => match (parse_user(who), n.parse::<u8>()) {
                    (Some(user), Ok(capacity)) if capacity <= MAX_CAPACITY => Command::Capacity { user, capacity },
                    _ => Command::Usage(format!("`/mentor capacity @senior N` takes a person and a number from 0 to {MAX_CAPACITY}.")),
                },
                _ => Command::Usage(format!("`/mentor capacity @senior N` takes a person and a number from 0 to {MAX_CAPACITY}.")),
            },
            sub @ ("join" | "signup" | "opt-in" | "profile" | "edit" | "status" | "resume"
            | "leave" | "match" | "audit" | "mydata" | "feedback" | "exclusions") => Command::Usage(format!(
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
            Command::Help { unknown } => {
                help::apply(unknown.as_deref(), app.config().is_admin(&cmd.user_id))
            }
            Command::Join => join::apply(app, cmd).await,
            Command::Profile => profile::apply(app, cmd).await,
            Command::Status => status::apply(app, cmd).await,
            Command::Pause { weeks } => pause::apply(app, cmd, weeks).await,
            Command::Resume => resume::apply(app, cmd).await,
            Command::Leave => leave::apply(app, cmd).await,
            Command::End { reason } => end::apply(app, cmd, reason.as_deref()).await,
            Command::Match => admin_only(app, cmd, match_cmd::apply(app, cmd)).await,
            Command::Report { span } => {
                admin_only(app, cmd, report::apply(app, &cmd.user_id, span)).await
            }
            Command::Audit => admin_only(app, cmd, audit::apply(app)).await,
            Command::Feedback => admin_only(app, cmd, feedback::apply(app, &cmd.user_id)).await,
            Command::MyData => mydata::apply(app, cmd).await,
            Command::Exclude { left, right } => {
                admin_only(app, cmd, exclude::apply(app, cmd, left, right)).await
            }
            Command::Exclusions => admin_only(app, cmd, exclusions::apply(app)).await,
            Command::Unexclude { a, b } => {
                admin_only(app, cmd, unexclude::apply(app, cmd, a, b)).await
            }
            Command::Capacity { user, capacity } => {
                admin_only(app, cmd, capacity::apply(app, cmd, user, capacity)).await
            }
            Command::Invite(target) => {
                admin_only(app, cmd, async {
                    match target {
                        Ok(audience) => invite::apply(app, cmd, audience).await,
                        Err(why) => say(&why.to_string()),
                    }
                })
                .await
            }
            Command::Usage(message) => say(&message),
        }
    }
}

/// A Slack user in command text: `<@U123|name>` (how Slack escapes a mention), `<@U123>` or a bare `U123`.
pub fn parse_user(word: &str) -> Option<String> {
    let inner = word
        .strip_prefix("<@")
        .and_then(|w| w.strip_suffix('>'))
        .unwrap_or(word);
    let id = inner.split('|').next().unwrap_or_default();
    crate::context::config::looks_like_slack_id(id, &['U', 'W']).then(|| id.to_string())
}

/// Runs `action` only for program admins; everyone else gets a polite refusal.
async fn admin_only(
    app: &App,
    cmd: &SlashCommand,
    action: impl std::future::Future<Output = Reply>,
) -> Reply {
    if app.config().is_admin(&cmd.user_id) {
        action.await
    } else {
        say(
            "Sorry, only the program's admins can do that. If you think you should be one, ask whoever runs Tandem at your firm.",
        )
    }
}

pub use super::reply::{outcome, say, sorry};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifests_usage_hint_names_every_subcommand() {
        let manifest = include_str!("../../../manifest.yml");
        let hint = manifest
            .lines()
            .find_map(|l| l.trim().strip_prefix("usage_hint:"))
            .expect("a usage hint");
        for (usage, _) in SUBCOMMANDS.iter().chain(ADMIN_SUBCOMMANDS) {
            let name = usage.split_whitespace().next().unwrap_or_default();
            assert!(
                hint.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w == name),
                "`{name}` is missing from manifest.yml's usage_hint: {hint}"
            );
        }
    }

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
        assert_eq!(Command::parse("match"), Command::Match);
        assert_eq!(Command::parse("audit"), Command::Audit);
        assert_eq!(Command::parse("Feedback"), Command::Feedback);
        assert_eq!(
            Command::parse("report"),
            Command::Report { span: Span::SoFar }
        );
        assert_eq!(
            Command::parse("report period"),
            Command::Report { span: Span::SoFar }
        );
        assert_eq!(
            Command::parse("report ALL"),
            Command::Report { span: Span::All }
        );
        assert!(matches!(Command::parse("report 2026"), Command::Usage(_)));
        assert!(matches!(Command::parse("feedback all"), Command::Usage(_)));
        assert_eq!(Command::parse("mydata"), Command::MyData);
        assert!(matches!(Command::parse("audit all"), Command::Usage(_)));
        assert_eq!(
            Command::parse("unexclude <@U0A> U0B"),
            Command::Unexclude {
                a: "U0A".into(),
                b: "U0B".into()
            }
        );
        assert!(matches!(
            Command::parse("unexclude <@U0A>"),
            Command::Usage(_)
        ));
        assert_eq!(Command::parse("end"), Command::End { reason: None });
        assert_eq!(
            Command::parse("end  we never found the time "),
            Command::End {
                reason: Some("we never found the time".into())
            }
        );
        assert!(matches!(
            Command::parse(&format!("end {}", "x".repeat(501))),
            Command::Usage(_)
        ));
        assert_eq!(
            Command::parse("exclude <@U0A|alice> <@U0B>"),
            Command::Exclude {
                left: vec!["U0A".into()],
                right: vec!["U0B".into()]
            }
        );
        assert_eq!(
            Command::parse("EXCLUDE <@U0A|alice> <@U0B> | <@U0C>"),
            Command::Exclude {
                left: vec!["U0A".into(), "U0B".into()],
                right: vec!["U0C".into()]
            }
        );
        assert_eq!(Command::parse("exclusions"), Command::Exclusions);
        assert!(matches!(
            Command::parse("exclusions all"),
            Command::Usage(_)
        ));
        for bad in [
            "exclude <@U0A>",
            "exclude <@U0A> <@U0A>",
            "exclude @alice @bob",
            "exclude <@U0A> <#C0GENERAL>",
        ] {
            assert!(matches!(Command::parse(bad), Command::Usage(_)), "{bad}");
        }
        assert_eq!(
            Command::parse("capacity <@U0S|sam> 2"),
            Command::Capacity {
                user: "U0S".into(),
                capacity: 2
            }
        );
        for bad in [
            "capacity <@U0S> 6",
            "capacity <@U0S>",
            "capacity 2 <@U0S>",
            "capacity <@U0S> -1",
        ] {
            assert!(matches!(Command::parse(bad), Command::Usage(_)), "{bad}");
        }
    }

    #[test]
    fn invite_takes_one_escaped_channel_or_user_group() {
        assert_eq!(
            Command::parse("invite <#C0GENERAL|general>"),
            Command::Invite(Ok(Audience::Channel {
                id: "C0GENERAL".into(),
                name: Some("general".into())
            }))
        );
        assert_eq!(
            Command::parse("INVITE <!subteam^S0LAW|@lawyers>"),
            Command::Invite(Ok(Audience::UserGroup {
                id: "S0LAW".into(),
                handle: Some("@lawyers".into())
            }))
        );
        assert_eq!(
            Command::parse("invite #general"),
            Command::Invite(Err(AudienceError::PlainChannel("#general".into())))
        );
        assert_eq!(
            Command::parse("invite"),
            Command::Invite(Err(AudienceError::Missing))
        );
    }

    #[test]
    fn help_lists_every_subcommand_that_parses() {
        for (usage, _) in SUBCOMMANDS.iter().chain(ADMIN_SUBCOMMANDS) {
            let word = usage.split_whitespace().next().unwrap();
            assert!(
                !matches!(Command::parse(word), Command::Help { unknown: Some(_) }),
                "{word} is listed but not parsed"
            );
        }
    }
}
