//! `/mentor exclude @a @b` (admins): these two are never paired (conflicts). `/mentor exclude @a @b | @c @d`: an
//! ethical wall, nobody on the left is ever paired with anybody on the right (every pair across, in one transaction).
//! Audited, one row per pair newly excluded.

use super::{Command, parse_user, say};
use crate::context::App;
use crate::inbound::payload::{SlashCommand, echo};
use crate::inbound::reply::Reply;

/// The most people on one side of a wall.
pub const MAX_SIDE: usize = 50;

const HOW: &str = "`/mentor exclude @a @b` keeps two people from ever being paired; `/mentor exclude @a @b | @c @d` walls off two groups (nobody on the left is paired with anybody on the right).";

/// A piece of the command text: a word (a `<…>` mention stays whole, even with a `|` or spaces inside), or the `|`
/// between the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Word(String),
    Bar,
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_angle = false;
    let flush = |word: &mut String, out: &mut Vec<Piece>| {
        if !word.is_empty() {
            out.push(Piece::Word(std::mem::take(word)));
        }
    };
    for c in text.chars() {
        match c {
            '<' if !in_angle => {
                flush(&mut word, &mut out);
                in_angle = true;
                word.push(c);
            }
            '>' if in_angle => {
                in_angle = false;
                word.push(c);
                flush(&mut word, &mut out);
            }
            '|' if !in_angle => {
                flush(&mut word, &mut out);
                out.push(Piece::Bar);
            }
            c if c.is_whitespace() && !in_angle => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Text someone typed, safe to repeat inside a code span.
fn shown(word: &str) -> String {
    echo(word)
        .replace('`', "'")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Parses what follows `/mentor exclude`: two people, or two groups separated by `|`. Mentions arrive as
/// `<@U123|name>` or `<@U123>` (a bare `U123` works too). Anything else gets a usage message saying what to fix.
pub fn parse(args: &str) -> Command {
    let usage = |what: String| Command::Usage(format!("{what} {HOW}"));
    let mut sides: Vec<Vec<String>> = vec![Vec::new()];
    for piece in pieces(args) {
        match piece {
            Piece::Bar => sides.push(Vec::new()),
            Piece::Word(w) => match parse_user(&w) {
                Some(id) => {
                    let side = sides.last_mut().expect("starts with one side");
                    if !side.contains(&id) {
                        side.push(id);
                    }
                }
                None => {
                    return usage(format!(
                        "I could not read `{}` as a person: pick people from Slack's @ menu so that they arrive as mentions.",
                        shown(&w)
                    ));
                }
            },
        }
    }
    match sides.as_slice() {
        [people] => match people.as_slice() {
            [] => usage("Name the people to keep apart.".into()),
            [_] => usage("Name two different people.".into()),
            [a, b] => Command::Exclude {
                left: vec![a.clone()],
                right: vec![b.clone()],
            },
            _ => usage(format!(
                "You named {} people without a `|`: put a `|` between the two sides of the wall.",
                people.len()
            )),
        },
        [left, right] => {
            if left.is_empty() || right.is_empty() {
                return usage("Name at least one person on each side of the `|`.".into());
            }
            if let Some(both) = left.iter().find(|p| right.contains(p)) {
                return usage(format!(
                    "<@{both}> is on both sides of the `|`; nobody can be walled off from themself."
                ));
            }
            if left.len() > MAX_SIDE || right.len() > MAX_SIDE {
                return usage(format!("Name at most {MAX_SIDE} people on each side."));
            }
            Command::Exclude {
                left: left.clone(),
                right: right.clone(),
            }
        }
        _ => usage("Use one `|`, between the two sides.".into()),
    }
}

fn mentions(ids: &[String]) -> String {
    let m: Vec<String> = ids.iter().map(|id| format!("<@{id}>")).collect();
    crate::domain::catalog::join_and(&m.iter().map(String::as_str).collect::<Vec<_>>())
}

pub async fn apply(app: &App, cmd: &SlashCommand, left: Vec<String>, right: Vec<String>) -> Reply {
    let done = match crate::flows::admin::exclude(app, &cmd.user_id, &left, &right).await {
        Ok(done) => done,
        Err(e) => return super::sorry(e),
    };
    if let ([a], [b]) = (left.as_slice(), right.as_slice()) {
        return if done.added == 0 {
            say(&format!(
                "<@{a}> and <@{b}> were already excluded from being paired."
            ))
        } else {
            say(&format!(
                "Noted: <@{a}> and <@{b}> will never be paired. Any open proposal is re-checked before approval. `/mentor exclusions` lists every exclusion."
            ))
        };
    }
    let pairs = |n: usize| {
        if n == 1 {
            "1 pair".to_string()
        } else {
            format!("{n} pairs")
        }
    };
    let mut text = format!(
        "Ethical wall recorded: {} will never be paired with {}. {} excluded",
        mentions(&left),
        mentions(&right),
        pairs(done.added)
    );
    if done.already > 0 {
        text.push_str(&format!(" ({} already were)", pairs(done.already)));
    }
    text.push_str(
        ". Any open proposal is re-checked before approval. `/mentor exclusions` lists every exclusion.",
    );
    say(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(left: &[&str], right: &[&str]) -> Command {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        Command::Exclude {
            left: v(left),
            right: v(right),
        }
    }

    fn usage(args: &str) -> String {
        match parse(args) {
            Command::Usage(m) => m,
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn two_people_or_two_groups_as_slack_escapes_them() {
        assert_eq!(parse("<@U0A|alice> <@U0B>"), ex(&["U0A"], &["U0B"]));
        assert_eq!(parse("U0A W0B"), ex(&["U0A"], &["W0B"]));
        assert_eq!(parse("<@U0A> | <@U0B>"), ex(&["U0A"], &["U0B"]));
        assert_eq!(
            parse("<@U0A|alice> <@U0B|bob>|<@U0C|carol> <@U0D|dan smith>"),
            ex(&["U0A", "U0B"], &["U0C", "U0D"]),
            "a `|` inside a mention is part of it"
        );
        assert_eq!(
            parse("<@U0A> <@U0A> | <@U0C>"),
            ex(&["U0A"], &["U0C"]),
            "named twice on one side: once"
        );
    }

    #[test]
    fn bad_input_says_what_to_fix() {
        assert!(usage("").contains("Name the people"));
        assert!(usage("   ").contains("Name the people"));
        assert!(usage("<@U0A>").contains("two different people"));
        assert!(usage("<@U0A> <@U0A>").contains("two different people"));
        assert!(usage("<@U0A> <@U0B> <@U0C>").contains("without a `|`"));
        assert!(usage("<@U0A> <@U0B> |").contains("each side"));
        assert!(usage("| <@U0B>").contains("each side"));
        assert!(usage("<@U0A> | <@U0B> | <@U0C>").contains("one `|`"));
        let both = usage("<@U0A> <@U0B> | <@U0C|c> <@U0A|a>");
        assert!(both.contains("<@U0A> is on both sides"), "{both}");
        let odd = usage("@alice <@U0B>");
        assert!(odd.contains("`@alice`") && odd.contains("@ menu"), "{odd}");
        assert!(usage("<#C0GENERAL> <@U0B>").contains("&lt;#C0GENERAL&gt;"));
        let long = usage(&format!("{} <@U0B>", "x".repeat(200)));
        assert!(long.chars().count() < 400, "echo is cut: {long}");
        let many: Vec<String> = (0..=MAX_SIDE).map(|i| format!("<@U{i:04}>")).collect();
        assert!(usage(&format!("{} | <@U0ZZ>", many.join(" "))).contains("at most 50"));
        for args in ["", "<@U0A> <@U0B> <@U0C>"] {
            assert!(usage(args).contains("/mentor exclude @a @b | @c @d"));
        }
    }
}
