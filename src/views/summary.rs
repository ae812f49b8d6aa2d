//! The program managers' summary as a Slack message ([`summary_blocks`]) and as plain text ([`summary_text`], for
//! `tandem report` and the message's `text` fallback).
//!
//! Guarantees, whatever the size of the firm: at most [`MAX_BLOCKS`] blocks (Slack allows 50 in a message); every
//! section's text at most [`MAX_SECTION_CHARS`] characters (Slack allows 3,000); long lists (pairs at risk, skills)
//! are cut with "and N more". Names, skill labels and reasons are escaped for mrkdwn (`&`, `<`, `>`) and clipped, so
//! no input can inject a mention or a link. Only what [`Summary`] holds is shown: no free text, no individual
//! rating, no ID; figures hidden by the fewer-than-3 rule read "fewer than 3".

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::PRODUCT;
use super::blocks::{context, divider, header, section};
use crate::domain::reports::{AtRiskPair, Figure, Period, Stat, Summary};

/// Blocks a summary message can have at most (Slack's limit is 50).
pub const MAX_BLOCKS: usize = 12;
/// Characters a section's text can have at most (Slack's limit is 3,000).
pub const MAX_SECTION_CHARS: usize = 2_900;
/// Pairs at risk listed before "and N more".
pub const AT_RISK_SHOWN: usize = 20;
/// Skills exchanged listed before "and N more".
pub const EXCHANGED_SHOWN: usize = 10;
/// A display name, skill label or reason is clipped to this many characters.
const MAX_NAME: usize = 80;
/// What a hidden figure reads.
pub const FEWER_THAN_3: &str = "fewer than 3";

fn clip(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= MAX_NAME {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX_NAME - 1).collect();
        out.push('…');
        out
    }
}

/// Escapes the three characters Slack's mrkdwn treats as markup.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn figure<T: Copy>(f: &Figure<T>, show: impl Fn(T) -> String) -> String {
    match f {
        Figure::Value(v) => show(*v),
        Figure::FewerThan3 => FEWER_THAN_3.to_string(),
        Figure::NoData => "no data".to_string(),
    }
}

fn count(n: i64) -> String {
    n.to_string()
}

fn signed(d: i64, suffix: &str) -> String {
    match d {
        0 => "±0".to_string(),
        d if d > 0 => format!("+{d}{suffix}"),
        d => format!("-{}{suffix}", d.unsigned_abs()),
    }
}

fn signed_decimal(d: f64) -> String {
    if d.abs() < 0.05 {
        "±0".to_string()
    } else if d > 0.0 {
        format!("+{d:.1}")
    } else {
        format!("-{:.1}", d.abs())
    }
}

/// "12 (+3)" for counts.
fn count_stat(s: &Stat<i64>) -> String {
    let mut out = figure(&s.now, count);
    if let Some(d) = s.change {
        out.push_str(&format!(" ({})", signed(d, "")));
    }
    out
}

/// "80% (+5 pts)" for percentages.
fn pct_stat(s: &Stat<i64>) -> String {
    let mut out = figure(&s.now, |v| format!("{v}%"));
    if let Some(d) = s.change {
        out.push_str(&format!(" ({})", signed(d, " pts")));
    }
    out
}

/// "4.3 (+0.2)" for decimals; `unit` follows the number.
fn decimal_stat(s: &Stat<f64>, unit: &str) -> String {
    let mut out = figure(&s.now, |v| format!("{v:.1}{unit}"));
    if let Some(d) = s.change {
        out.push_str(&format!(" ({})", signed_decimal(d)));
    }
    out
}

fn day_range(p: &Period) -> String {
    let first = p.start.date_naive();
    let last = (p.end - Duration::seconds(1)).date_naive().max(first);
    let fmt = |d: chrono::NaiveDate| d.format("%-d %b %Y").to_string();
    if first == last {
        fmt(first)
    } else {
        format!("{} – {}", fmt(first), fmt(last))
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

fn at_risk_line(p: &AtRiskPair) -> String {
    let name = |n: &Option<String>| n.as_deref().map_or("(left the program)".to_string(), clip);
    let when = if p.never_met {
        format!("never met, paired {} ago", days(p.days_since_met))
    } else {
        format!("last met {} ago", days(p.days_since_met))
    };
    format!(
        "{} & {}: {when}",
        name(&p.junior_name),
        name(&p.senior_name)
    )
}

/// A titled group of lines, in plain text. Rendering escapes and formats it.
struct Part {
    title: String,
    lines: Vec<String>,
    /// List items: cut to fit, with "and N more".
    items: Vec<String>,
    /// Items not in `items` at all (already cut by the summary).
    more: usize,
    /// Items to show at most.
    shown: usize,
}

impl Part {
    fn lines(title: &str, lines: Vec<String>) -> Part {
        Part {
            title: title.to_string(),
            lines,
            items: Vec::new(),
            more: 0,
            shown: 0,
        }
    }
}

fn when_line(s: &Summary) -> String {
    if s.previous.is_empty() {
        let range = if s.period.start.timestamp() <= 0 {
            "The whole program".to_string()
        } else {
            day_range(&s.period)
        };
        return format!("{range} · as of {}", stamp(s.generated_at));
    }
    format!(
        "{} · compared with {} · as of {}",
        day_range(&s.period),
        day_range(&s.previous),
        stamp(s.generated_at)
    )
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
}

/// The title of the weekly chart wherever it is posted.
pub const CHART_CAPTION: &str = "Meetings held and active pairs, last 12 weeks";

const PRIVACY_NOTE: &str = "Figures drawn from fewer than 3 people are shown as “fewer than 3”. \
    No notes, free-text answers or individual ratings are included.";

fn parts(s: &Summary, at_risk_shown: usize) -> Vec<Part> {
    let e = &s.enrolment;
    let m = &s.matching;
    let a = &s.activity;
    let o = &s.outcomes;
    let mut waiting = format!("Waiting for a match: {}", figure(&m.waiting, count));
    match &m.main_reason {
        Figure::Value(r) => {
            waiting.push_str(&format!(" (main reason: {}", clip(&r.reason)));
            if let Figure::Value(n) = r.people {
                waiting.push_str(&format!(", {n} people"));
            }
            waiting.push(')');
        }
        Figure::FewerThan3 => waiting.push_str(" (no reason shared by 3 or more people)"),
        Figure::NoData => {}
    }
    let mut out = vec![
        Part::lines(
            "Enrolment",
            vec![
                format!("Enrolled: {}", count_stat(&e.enrolled)),
                format!(
                    "Reverse mentors: {} · Senior attorneys: {}",
                    count_stat(&e.reverse_mentors),
                    count_stat(&e.seniors)
                ),
                format!("New this period: {}", count_stat(&e.new_this_period)),
                format!("Paused now: {}", figure(&e.paused, count)),
                format!("Left this period: {}", count_stat(&e.left_this_period)),
            ],
        ),
        Part::lines(
            "Matching",
            vec![
                format!("Pairs active: {}", count_stat(&m.pairs_active)),
                waiting,
            ],
        ),
        Part::lines(
            "Activity",
            vec![
                format!("Check-ins answered: {}", pct_stat(&a.checkins_answered_pct)),
                format!("Meetings held: {}", count_stat(&a.meetings_held)),
                format!(
                    "Mentoring hours logged (per pair, non-billable): {}",
                    decimal_stat(&a.hours_logged, "")
                ),
                format!("Pairs at risk now: {}", a.at_risk.len()),
            ],
        ),
    ];
    if !a.at_risk.is_empty() {
        out.push(Part {
            title: "Pairs at risk (longest since meeting first)".to_string(),
            lines: Vec::new(),
            items: a.at_risk.iter().map(at_risk_line).collect(),
            more: 0,
            shown: at_risk_shown,
        });
    }
    out.push(Part::lines(
        "Outcomes",
        vec![
            format!("Pairs completed: {}", count_stat(&o.pairs_completed)),
            format!(
                "Average rating: {}",
                decimal_stat(&o.average_rating, " / 5")
            ),
            format!("Would recommend it: {}", pct_stat(&o.recommend_pct)),
        ],
    ));
    let t = &s.to_date;
    let decimal = |x: f64| format!("{x:.1}");
    out.push(Part::lines(
        &match t.since {
            Some(d) => format!("Program to date (since {})", d.format("%-d %b %Y")),
            None => "Program to date".to_string(),
        },
        vec![
            format!(
                "Joined: {} · Pairs formed: {} · Pairs completed: {}",
                figure(&t.joined, count),
                figure(&t.pairs_formed, count),
                figure(&t.pairs_completed, count)
            ),
            format!(
                "Meetings held: {} · Mentoring hours (per pair): {}",
                figure(&t.meetings, count),
                figure(&t.hours, decimal)
            ),
            format!(
                "Average rating: {} · Would recommend it: {}",
                figure(&t.average_rating, |x| format!("{x:.1} / 5")),
                figure(&t.recommend_pct, |p| format!("{p}%"))
            ),
        ],
    ));
    let wanted: Vec<String> = s
        .skills
        .most_wanted
        .iter()
        .map(|g| {
            format!(
                "{}: {} want to learn it, {} can teach it",
                clip(&g.label),
                g.wanted_by,
                figure(&g.taught_by, count)
            )
        })
        .collect();
    out.push(Part {
        title: "Skills most wanted, with too few to teach them".to_string(),
        lines: if wanted.is_empty() {
            vec!["None: every skill wanted by 3 or more people has enough teachers.".to_string()]
        } else {
            Vec::new()
        },
        items: wanted,
        more: s.skills.most_wanted_more,
        shown: usize::MAX,
    });
    let exchanged: Vec<String> = s
        .skills
        .most_exchanged
        .iter()
        .map(|x| {
            let pairs = if x.pairs == 1 { "pair" } else { "pairs" };
            format!("{}: {} {pairs}", clip(&x.label), x.pairs)
        })
        .collect();
    out.push(Part {
        title: "Skills most exchanged".to_string(),
        lines: if exchanged.is_empty() {
            vec!["None to show yet.".to_string()]
        } else {
            Vec::new()
        },
        items: exchanged,
        more: 0,
        shown: EXCHANGED_SHOWN,
    });
    out
}

/// Joins `title`, `lines` and as many `items` as fit in `max_chars` (and `part.shown`), then "and N more".
/// `esc` is applied to every line and item before measuring.
fn render_part(part: &Part, bold: bool, esc: fn(&str) -> String, max_chars: usize) -> String {
    let mut text = if bold {
        format!("*{}*", esc(&part.title))
    } else {
        esc(&part.title)
    };
    for l in &part.lines {
        text.push('\n');
        text.push_str(&esc(l));
    }
    let total = part.items.len() + part.more;
    let more_line = |n: usize| format!("\nand {n} more");
    let mut len = text.chars().count();
    let mut shown = 0;
    for item in part.items.iter().take(part.shown) {
        let line = format!("\n• {}", esc(item));
        let n = line.chars().count();
        // Keep room for the "and N more" line that follows if this is not the last item.
        let reserve = if shown + 1 < total {
            more_line(total).chars().count()
        } else {
            0
        };
        if len + n + reserve > max_chars {
            break;
        }
        text.push_str(&line);
        len += n;
        shown += 1;
    }
    if shown < total {
        text.push_str(&more_line(total - shown));
    }
    text
}

fn plain(s: &str) -> String {
    s.to_string()
}

/// The summary as Block Kit message blocks (a JSON array). At most [`MAX_BLOCKS`] blocks and
/// [`MAX_SECTION_CHARS`] characters per section, whatever the input; passes Tandem's `check_message_blocks`.
pub fn summary_blocks(s: &Summary) -> Value {
    let mut blocks = vec![
        header(&format!("{PRODUCT} program summary")),
        context(&escape(&when_line(s))),
    ];
    for part in parts(s, AT_RISK_SHOWN) {
        blocks.push(section(&render_part(
            &part,
            true,
            escape,
            MAX_SECTION_CHARS,
        )));
    }
    blocks.push(divider());
    blocks.push(context(PRIVACY_NOTE));
    debug_assert!(blocks.len() <= MAX_BLOCKS);
    json!(blocks)
}

/// The end-of-cohort report: `(text, blocks)`, under the same privacy rules as the summary.
pub fn cohort(c: &crate::domain::reports::CohortReport) -> (String, Value) {
    let day = |d: Option<chrono::NaiveDate>| {
        d.map_or("?".to_string(), |d| d.format("%-d %b %Y").to_string())
    };
    let title = format!("A cohort has finished: matching round #{}", c.round);
    let lines = [
        format!("{} – {}", day(c.started), day(c.closed)),
        format!(
            "Pairs: {} · completed: {} · ended early: {} · never met: {}",
            figure(&c.pairs, count),
            figure(&c.completed, count),
            figure(&c.ended_early, count),
            figure(&c.never_met, count)
        ),
        format!(
            "Meetings held: {} · Mentoring hours (per pair): {}",
            figure(&c.meetings, count),
            figure(&c.hours, |x| format!("{x:.1}"))
        ),
        format!(
            "Average rating: {} · Would recommend it: {}",
            figure(&c.average_rating, |x| format!("{x:.1} / 5")),
            figure(&c.recommend_pct, |p| format!("{p}%"))
        ),
    ];
    let text = format!("{title}\n{}\n\n{PRIVACY_NOTE}", lines.join("\n"));
    let blocks = json!([
        header(&title),
        section(&escape(&lines.join("\n"))),
        context(PRIVACY_NOTE),
    ]);
    (text, blocks)
}

/// The summary as plain text, for the CLI and the message's `text` fallback. Lists are cut as in the blocks, so the
/// text stays short for any firm.
pub fn summary_text(s: &Summary) -> String {
    let mut out = format!("{PRODUCT} program summary\n{}\n", when_line(s));
    for part in parts(s, AT_RISK_SHOWN) {
        out.push('\n');
        out.push_str(&render_part(&part, false, plain, MAX_SECTION_CHARS));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(PRIVACY_NOTE);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reports::fixture::*;
    use crate::domain::reports::{
        Departure, Member, Pair, PairStatus, Participant, ParticipantStatus, ReportInput, Side,
        summarize,
    };
    use crate::views::limits::{MAX_MESSAGE_BLOCKS, MAX_SECTION_TEXT, check_message_blocks};

    fn sections(blocks: &Value) -> Vec<String> {
        blocks
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["type"] == "section")
            .map(|b| b["text"]["text"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn the_known_history_renders_with_changes() {
        let s = summarize(&input(), now());
        let text = summary_text(&s);
        for line in [
            "1 Mar 2025 – 31 Mar 2025 · compared with 1 Feb 2025 – 28 Feb 2025 · as of 1 Apr 2025 09:00 UTC",
            "Enrolled: 12 (+2)",
            "Reverse mentors: 6 · Senior attorneys: 6 (+3)",
            "New this period: 5\n",
            "Paused now: fewer than 3",
            "Left this period: 3\n",
            "Pairs active: 3\n",
            "Waiting for a match: 4 (main reason: no senior teaches what they want to learn)\n",
            "Check-ins answered: 63% (-12 pts)",
            "Meetings held: 4 (+1)",
            "Mentoring hours logged (per pair, non-billable): 3.8 (+1.3)",
            "Program to date (since 5 Jan 2025)",
            "Joined: 16 · Pairs formed: 7 · Pairs completed: 3",
            "Meetings held: 7 · Mentoring hours (per pair): 6.3",
            "Average rating: 3.7 / 5 · Would recommend it: 71%",
            "Pairs at risk now: 2",
            "• Name of r2 & Name of s2: last met 29 days ago",
            "• Name of r4 & Name of s4: never met, paired 20 days ago",
            "Pairs completed: 2\n",
            "Average rating: 4.0 / 5 (+0.7)",
            "Would recommend it: 75% (+8 pts)",
            "• AI-assisted drafting: 5 want to learn it, 3 can teach it",
            "• Client management: 3 want to learn it, fewer than 3 can teach it",
            "• AI-assisted drafting: 4 pairs",
            "• Client management: 3 pairs",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        assert!(!text.contains("more"), "nothing is cut:\n{text}");
        let blocks = summary_blocks(&s);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let all = sections(&blocks).join("\n");
        assert!(all.contains("*Enrolment*\nEnrolled: 12 (+2)"));
        assert!(all.contains("Senior attorneys: 6 (+3)"));
        assert!(all.contains("Average rating: 4.0 / 5 (+0.7)"));
        assert!(all.contains("• Name of r2 &amp; Name of s2: last met 29 days ago"));
    }

    #[test]
    fn changes_read_plus_minus_and_zero() {
        let mut s = summarize(&input(), now());
        s.enrolment.enrolled.change = Some(0);
        s.activity.meetings_held.change = Some(-3);
        s.activity.hours_logged.change = Some(-0.5);
        if let Figure::Value(r) = &mut s.matching.main_reason {
            r.people = Figure::Value(3);
        }
        let text = summary_text(&s);
        assert!(text.contains("they want to learn, 3 people)"));
        assert!(text.contains("Enrolled: 12 (±0)"));
        assert!(text.contains("Meetings held: 4 (-3)"));
        assert!(text.contains("3.8 (-0.5)"));
    }

    /// Names, IDs, usefulness ratings and individual feedback ratings must not reach any rendering.
    #[test]
    fn no_name_id_or_individual_rating_leaks() {
        let mut inp = input();
        // A distinctive name and ID in an active (not at-risk) pair, in the participants and in the waiting list.
        for p in &mut inp.participants {
            if p.user_id == "r1" {
                p.display_name = "ZEBRA-SECRET-NAME".into();
            }
        }
        for p in &mut inp.pairs {
            if let Some(m) = p.junior.as_mut().filter(|m| m.user_id == "r1") {
                m.display_name = "ZEBRA-SECRET-NAME".into();
            }
        }
        inp.waiting.push(crate::domain::reports::Waiting {
            user_id: "UZEBRAID".into(),
            reason: "paused".into(),
        });
        // Only two people gave feedback in March: their ratings must not show, not even as an average.
        inp.feedback.retain(|f| f.pair_id != 7);
        let render = |inp: &ReportInput| {
            let mut s = summarize(inp, now());
            // The program-to-date average and share are drawn from the five people who ever gave feedback, so they
            // may move with any one rating; what is compared below is everything else.
            assert_eq!(
                s.to_date.average_rating.value().is_some(),
                s.to_date.recommend_pct.value().is_some()
            );
            s.to_date.average_rating = Figure::NoData;
            s.to_date.recommend_pct = Figure::NoData;
            (summary_blocks(&s).to_string(), summary_text(&s))
        };
        let (blocks, text) = render(&inp);
        for out in [&blocks, &text] {
            assert!(!out.contains("ZEBRA"), "{out}");
            assert!(!out.contains("Name of s3") && !out.contains("Name of r3"));
        }
        assert!(text.contains("Average rating: fewer than 3"));
        assert!(text.contains("Would recommend it: fewer than 3"));
        // Changing any hidden individual rating (and every usefulness rating) changes nothing rendered.
        let mut other = inp.clone();
        for f in &mut other.feedback {
            f.rating = 6 - f.rating;
            f.would_recommend = !f.would_recommend;
        }
        for m in &mut other.meetings {
            m.usefulness = Some(1);
        }
        // February's feedback (3 people) is shown as an average; keep it so only hidden ratings differ.
        for (o, i) in other.feedback.iter_mut().zip(&inp.feedback) {
            if [5, 6].contains(&i.pair_id) {
                *o = i.clone();
            }
        }
        assert_eq!(render(&other), render(&inp));
    }

    fn big_firm() -> ReportInput {
        let mut inp = input();
        let long = "Very-Long-Name ".repeat(10);
        inp.participants = (0..5_000)
            .map(|i| Participant {
                user_id: format!("U{i}"),
                display_name: format!("<@U{i}> & {long}{i}"),
                side: if i % 2 == 0 {
                    Side::ReverseMentor
                } else {
                    Side::Senior
                },
                joined_at: t(2025, 1, 1, 0),
                status: ParticipantStatus::Active,
                teaches: (0..20)
                    .map(|k| format!("skill_{}", (i + k) % 300))
                    .collect(),
                learns: (0..20)
                    .map(|k| format!("skill_{}", (i * 7 + k) % 300))
                    .collect(),
            })
            .collect();
        let m = |i: usize| {
            Some(Member {
                user_id: format!("U{i}"),
                display_name: format!("<@U{i}> & {long}{i}"),
            })
        };
        inp.pairs = (0..2_000)
            .map(|k| Pair {
                id: k as i64,
                junior: m(2 * k),
                senior: m(2 * k + 1),
                status: if k < 400 {
                    PairStatus::AtRisk
                } else {
                    PairStatus::Active
                },
                created_at: t(2025, 1, 2, 0),
                ended_at: None,
                last_met_at: Some(t(2025, 2, 1, 0)),
            })
            .collect();
        inp.skills = (0..300)
            .map(|k| {
                (
                    format!("skill_{k}"),
                    format!("A rather long skill label number {k} {}", "x".repeat(60)),
                )
            })
            .collect();
        inp.departures = (0..700)
            .map(|_| Departure {
                at: t(2025, 3, 3, 0),
            })
            .collect();
        inp
    }

    #[test]
    fn a_firm_of_5000_with_400_pairs_at_risk_fits_slack() {
        let s = summarize(&big_firm(), now());
        assert_eq!(s.activity.at_risk.len(), 400);
        assert!(s.skills.most_exchanged.len() > EXCHANGED_SHOWN);
        let blocks = summary_blocks(&s);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let list = blocks.as_array().unwrap();
        assert!(list.len() <= MAX_MESSAGE_BLOCKS && list.len() <= MAX_BLOCKS);
        let secs = sections(&blocks);
        for text in &secs {
            assert!(text.chars().count() <= MAX_SECTION_TEXT);
            assert!(text.chars().count() <= MAX_SECTION_CHARS);
        }
        let at_risk = secs
            .iter()
            .find(|t| t.starts_with("*Pairs at risk"))
            .unwrap();
        let shown = at_risk.matches("\n• ").count();
        assert!((5..=AT_RISK_SHOWN).contains(&shown), "{shown} shown");
        assert!(at_risk.ends_with(&format!("\nand {} more", 400 - shown)));
        // Names cannot mention anyone or open a link.
        assert!(!at_risk.contains("<@") && at_risk.contains("&lt;@"));
        let exchanged = secs
            .iter()
            .find(|t| t.starts_with("*Skills most exchanged"))
            .unwrap();
        assert!(exchanged.contains(&format!(
            "and {} more",
            s.skills.most_exchanged.len() - EXCHANGED_SHOWN
        )));
        let wanted = secs
            .iter()
            .find(|t| t.starts_with("*Skills most wanted"))
            .unwrap();
        if s.skills.most_wanted_more > 0 {
            assert!(wanted.contains(&format!("and {} more", s.skills.most_wanted_more)));
        }
        let text = summary_text(&s);
        assert!(text.contains("more") && text.chars().count() < 12_000);
    }

    #[test]
    fn an_empty_program_renders() {
        let inp = ReportInput {
            participants: vec![],
            departures: vec![],
            pairs: vec![],
            checkins: vec![],
            meetings: vec![],
            feedback: vec![],
            waiting: vec![],
            ..input()
        };
        let s = summarize(&inp, now());
        let blocks = summary_blocks(&s);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let text = summary_text(&s);
        assert!(text.contains("Enrolled: 0 (±0)"));
        assert!(text.contains("Average rating: no data"));
        assert!(!text.contains("Pairs at risk (longest"));
    }
}
