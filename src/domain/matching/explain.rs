//! Human-facing text: pair explanations, the proposal table and the
//! "every candidate pair" CSV.

use std::fmt::Write as _;

use super::config::{Context, MatchConfig};
use super::model::{Participant, Side};
use super::propose::{Explanation, Proposal};
use super::rules::{Prepared, ScoreBreakdown};
use crate::domain::csv::Writer;
use crate::domain::text::truncate;

/// Joins labels as "A", "A and B", "A, B and C".
pub fn join_labels(labels: &[String]) -> String {
    match labels {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// The two sentences for a pair (`junior` is the reverse mentor).
pub(crate) fn explanation(
    junior: &Participant,
    senior: &Participant,
    b: &ScoreBreakdown,
    ctx: &Context,
) -> Explanation {
    let labels = |ids: &[String]| {
        let l: Vec<String> = ids.iter().map(|s| ctx.skill_label(s)).collect();
        join_labels(&l)
    };
    let up = labels(&b.teach_up_skills);
    let down = labels(&b.teach_down_skills);
    let (j, s) = (junior.first_name(), senior.first_name());
    Explanation {
        for_senior: format!("{j} can show you {up}; you can show {j} {down}."),
        for_junior: format!("{s} can show you {down}; you can show {s} {up}."),
    }
}

/// `n skill` or `n skills`.
fn skills(n: usize) -> String {
    if n == 1 {
        "1 skill".to_owned()
    } else {
        format!("{n} skills")
    }
}

/// What makes a pair's score, in words for the admin who reviews it, most important first, e.g.
/// "each can teach the other 2 skills · same time zone · same cadence". Only what the weights count (a part worth
/// 0 points is left out), except the time zones, which are always said.
pub fn score_words(b: &ScoreBreakdown, config: &MatchConfig) -> String {
    let (up, down) = (b.teach_up_skills.len(), b.teach_down_skills.len());
    let mut parts = vec![if up == down {
        format!("each can teach the other {}", skills(up))
    } else {
        format!(
            "one can teach {}, the other {}",
            skills(up.max(down)),
            up.min(down)
        )
    }];
    let day = u32::from(config.work_day_minutes);
    parts.push(if b.overlap_minutes >= day {
        "same time zone".to_owned()
    } else if b.overlap_minutes >= 60 {
        let h = b.overlap_minutes / 60;
        format!(
            "{h} working hour{} in common",
            if h == 1 { "" } else { "s" }
        )
    } else {
        "almost no working hours in common".to_owned()
    });
    if b.same_cadence != 0 {
        parts.push("same cadence".to_owned());
    }
    if b.same_hours != 0 {
        parts.push("same hours a month".to_owned());
    }
    if b.cross_group != 0 {
        parts.push("different practice groups".to_owned());
    }
    parts.join(" · ")
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Pads or truncates (with "…") to exactly `w` characters.
fn fit(s: &str, w: usize) -> String {
    format!("{:<w$}", truncate(s, w))
}

/// A fixed-width plain-text table of a proposal: one line per pair (people,
/// score, what each teaches the other, as the skill labels of `ctx`), the
/// totals, then everyone unmatched with the reason.
pub fn render_table(p: &Proposal, ctx: &Context) -> String {
    let labels = |ids: &[String]| {
        ids.iter()
            .map(|id| ctx.skill_label(id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    const MAX: usize = 40;
    let people = |name: &str, id: &str| format!("{name} ({id})");
    let rows: Vec<[String; 5]> = p
        .pairs
        .iter()
        .enumerate()
        .map(|(k, pair)| {
            [
                (k + 1).to_string(),
                people(&pair.senior_name, &pair.senior_id),
                people(&pair.junior_name, &pair.junior_id),
                pair.score.to_string(),
                format!(
                    "to the senior: {} | to the reverse mentor: {}",
                    labels(&pair.breakdown.teach_up_skills),
                    labels(&pair.breakdown.teach_down_skills)
                ),
            ]
        })
        .collect();
    let head = ["#", "Senior", "Reverse mentor", "Score", "Teaches"];
    let mut w: Vec<usize> = head.iter().map(|h| width(h)).collect();
    for r in &rows {
        for (c, cell) in r.iter().enumerate() {
            w[c] = w[c].max(width(cell));
        }
    }
    for x in w.iter_mut().take(3).skip(1) {
        *x = (*x).min(MAX);
    }
    let mut out = String::new();
    let line = |cells: &[&str], out: &mut String| {
        let mut l = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let last = c + 1 == cells.len();
            let txt = if c == 0 || c == 3 {
                format!("{cell:>width$}", width = w[c])
            } else if last {
                (*cell).to_owned()
            } else {
                fit(cell, w[c])
            };
            l.push_str(&txt);
            if !last {
                l.push_str("  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&head, &mut out);
    let rule: usize = w.iter().sum::<usize>() + 2 * (w.len() - 1);
    out.push_str(&"-".repeat(rule));
    out.push('\n');
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&cells, &mut out);
    }
    let _ = writeln!(
        out,
        "\nTotal: {} pairs, score {}, {} unmatched",
        p.pairs.len(),
        p.total_score,
        p.unmatched.len()
    );
    if !p.unmatched.is_empty() {
        out.push_str("\nUnmatched:\n");
        let names: Vec<String> = p.unmatched.iter().map(|u| people(&u.name, &u.id)).collect();
        let nw = names.iter().map(|n| width(n)).max().unwrap_or(0).min(MAX);
        for (u, n) in p.unmatched.iter().zip(&names) {
            let side = match u.side {
                Side::Senior => "senior",
                Side::ReverseMentor => "reverse mentor",
            };
            let _ = writeln!(out, "  {}  {:<14}  {}", fit(n, nw), side, u.reason_text);
        }
    }
    out
}

/// Every candidate pair of the cohort (each reverse mentor × each senior,
/// paused people included) as CSV with a header row:
/// `junior_id,junior_name,senior_id,senior_name,score,rule,reason,teach_up,teach_down`.
///
/// `score` is empty and `rule`/`reason` name the first hard rule broken
/// where a pair is forbidden; `rule` and `reason` are empty for allowed
/// pairs. `teach_up`/`teach_down` count skills in each direction whatever
/// the verdict. Rows are sorted by junior id, then senior id; ids are
/// expected to be unique. Written through [`crate::domain::csv::Writer`] (CRLF line ends, every cell through its
/// formula guard).
pub fn explain_all_csv(participants: &[Participant], ctx: &Context) -> String {
    let mut sorted: Vec<&Participant> = participants.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let prep = Prepared::new(&sorted, ctx);
    let by_side = |side: Side| -> Vec<usize> {
        (0..sorted.len())
            .filter(|&i| prep.side[i] == side)
            .collect()
    };
    let (juniors, seniors) = (by_side(Side::ReverseMentor), by_side(Side::Senior));
    let mut out = Writer::new();
    out.row(&[
        "junior_id",
        "junior_name",
        "senior_id",
        "senior_name",
        "score",
        "rule",
        "reason",
        "teach_up",
        "teach_down",
    ]);
    for &j in &juniors {
        for &s in &seniors {
            let c = prep.checks(j, s);
            let (score, rule, reason) = match prep.verdict(j, s) {
                Ok(parts) => (parts.total.to_string(), "", ""),
                Err(f) => (String::new(), f.rule(), f.reason()),
            };
            let (pj, ps) = (sorted[j], sorted[s]);
            out.row(&[
                &pj.id,
                &pj.name,
                &ps.id,
                &ps.name,
                &score,
                rule,
                reason,
                &c.up.to_string(),
                &c.down.to_string(),
            ]);
        }
    }
    out.finish()
}
