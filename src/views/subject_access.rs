//! `/mentor mydata`: the readable summary of everything Tandem holds about one person (the JSON file carries the
//! same data in full). The partner appears by name only.

use super::limits::MAX_SECTION_TEXT;
use super::pair_common::{escape, mention};
use super::{context, header, section};
use crate::domain::subject_access::SubjectData;
use crate::domain::text::truncate;
use serde_json::{Value, json};

/// The name of the JSON file.
pub fn file_name(data: &SubjectData) -> String {
    format!(
        "tandem-mydata-{}.json",
        &crate::domain::subject_access::rfc3339(data.generated_at)[..10]
    )
}

/// What the command answers at once.
pub const ON_ITS_WAY: &str = "I'm sending you everything Tandem holds about you in a DM: a readable summary and a JSON file.";

/// What the command answers when Tandem holds nothing.
pub const NOTHING_HELD: &str =
    "You are not enrolled in Tandem, and Tandem holds nothing about you.";

fn date(t: i64) -> String {
    crate::domain::subject_access::rfc3339(t)[..10].to_string()
}

fn free(s: &Option<String>) -> String {
    s.as_deref()
        .map(|t| format!("“{}”", escape(&truncate(t, 300))))
        .unwrap_or_else(|| "—".to_string())
}

fn block(title: &str, lines: &[String]) -> Value {
    let body = if lines.is_empty() {
        "none".to_string()
    } else {
        lines.join("\n")
    };
    section(&truncate(&format!("*{title}*\n{body}"), MAX_SECTION_TEXT))
}

/// The summary DM: `(text, blocks)`.
pub fn summary(d: &SubjectData) -> (String, Value) {
    let text = "Everything Tandem holds about you (the JSON file below has all of it)".to_string();
    let mut blocks = vec![header("What Tandem holds about you")];
    let profile: Vec<String> = match &d.profile {
        None => vec!["You are not enrolled (no survey answers).".into()],
        Some(p) => vec![
            format!(
                "Name: {}",
                p.display_name
                    .as_deref()
                    .map(escape)
                    .unwrap_or_else(|| "—".into())
            ),
            format!(
                "Role: {}, {} years in practice, {}",
                escape(&p.role),
                p.years_in_practice,
                escape(&p.practice_group)
            ),
            format!("Can teach: {}", escape(&p.can_teach.join(", "))),
            format!("Wants to learn: {}", escape(&p.wants_to_learn.join(", "))),
            format!(
                "Time: {} hours a month, meeting {}",
                p.hours_per_month, p.cadence
            ),
            format!(
                "Reports to: {}",
                p.reports_to
                    .as_deref()
                    .map(mention)
                    .unwrap_or_else(|| "—".into())
            ),
            format!(
                "Time zone: {}; capacity: {}; paused: {}",
                escape(&p.time_zone),
                p.capacity,
                if p.paused { "yes" } else { "no" }
            ),
            format!("Joined: {}", date(p.joined_at)),
        ]
        .into_iter()
        .chain(
            p.waiting_reason
                .as_deref()
                .map(|r| format!("Why the last matching round left you out: {}", escape(r))),
        )
        .collect(),
    };
    blocks.push(block("Your survey answers", &profile));
    let pairs: Vec<String> = d
        .pairs
        .iter()
        .map(|p| {
            let mut s = format!(
                "Pair #{} as {} with {} ({}, since {}{})",
                p.pair_id,
                p.side.replace('_', " "),
                p.partner
                    .as_deref()
                    .map(
                        |n| match n.strip_prefix("<@").and_then(|n| n.strip_suffix('>')) {
                            Some(id) => mention(id),
                            None => escape(n),
                        }
                    )
                    .unwrap_or_else(|| "someone who has left".into()),
                p.status.replace('_', " "),
                date(p.started_at),
                p.ended_at
                    .map(|e| format!(", ended {}", date(e)))
                    .unwrap_or_default()
            );
            if let Some(plan) = &p.plan {
                s.push_str(&format!(
                    "\n    Plan: “{}”, {} until {}",
                    escape(&truncate(&plan.objective, 300)),
                    plan.cadence,
                    plan.end_date
                ));
            }
            s
        })
        .collect();
    blocks.push(block("Your pairs and plans", &pairs));
    let answers: Vec<String> = d
        .checkin_answers
        .iter()
        .map(|a| {
            let mut s = format!(
                "{} (pair #{}): {}",
                date(a.answered_at),
                a.pair_id,
                a.answer.replace('_', " ")
            );
            if let Some(m) = a.minutes {
                s.push_str(&format!(", {m} minutes"));
            }
            if let Some(u) = a.usefulness {
                s.push_str(&format!(", usefulness {u}/5"));
            }
            if a.covered.is_some() {
                s.push_str(&format!(", covered {}", free(&a.covered)));
            }
            s
        })
        .collect();
    blocks.push(block("Your check-in answers", &answers));
    let feedback: Vec<String> = d
        .feedback
        .iter()
        .map(|f| {
            format!(
                "Pair #{}: rating {}/5, would recommend: {}, learned: {}",
                f.pair_id,
                f.rating,
                if f.would_recommend { "yes" } else { "no" },
                free(&f.learned)
            )
        })
        .collect();
    blocks.push(block("Your closing feedback", &feedback));
    let help: Vec<String> = d
        .help_requests
        .iter()
        .map(|h| {
            format!(
                "{} (pair #{}): {}; the program team may tell the other person you asked: {}",
                date(h.asked_at),
                h.pair_id,
                free(&h.text),
                if h.other_may_be_told { "yes" } else { "no" }
            )
        })
        .collect();
    blocks.push(block("Your private help requests", &help));
    let jobs: Vec<String> = d
        .scheduled_messages
        .iter()
        .map(|j| format!("{} on {}", j.kind.replace('_', " "), date(j.due_at)))
        .collect();
    blocks.push(block("Messages Tandem has scheduled for you", &jobs));
    if let Some(i) = &d.invitation {
        let by = if crate::domain::slack_id::looks_like_slack_id(&i.invited_by, &['U', 'W']) {
            mention(&i.invited_by)
        } else {
            format!("`{}`", escape(&i.invited_by))
        };
        let mut line = format!(
            "Invited on {} by {by}, from {}",
            date(i.invited_at),
            escape(&i.source)
        );
        if let Some(s) = &i.suggested_supervisor {
            line.push_str(&format!(
                "; your survey suggests {} as the person you report to",
                mention(s)
            ));
        }
        blocks.push(block("Your invitation to join", &[line]));
    }
    blocks.push(context(
        "About other people Tandem shows you only the name of each person you were paired with. The admins' audit log, which records what admins did, is not part of this. `/mentor leave` deletes your answers.",
    ));
    (text, json!(blocks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::subject_access::*;

    #[test]
    fn the_summary_shows_each_part_and_fits_slack() {
        let d = SubjectData {
            user_id: "U1".into(),
            generated_at: 0,
            profile: None,
            pairs: vec![PairData {
                pair_id: 3,
                side: "reverse_mentor".into(),
                partner: Some("Sen <Ator>".into()),
                status: "active".into(),
                started_at: 0,
                ended_at: None,
                last_met_at: None,
                plan: None,
            }],
            checkin_answers: vec![OwnCheckinAnswer {
                pair_id: 3,
                asked_at: 0,
                answer: "met".into(),
                minutes: Some(45),
                covered: Some("x".repeat(5000)),
                usefulness: Some(4),
                answered_at: 0,
            }],
            feedback: vec![],
            help_requests: vec![OwnHelpRequest {
                pair_id: 3,
                text: Some("y".repeat(1000)),
                other_may_be_told: false,
                asked_at: 0,
            }],
            scheduled_messages: vec![],
            invitation: Some(InvitationData {
                invited_at: 0,
                invited_by: "tandem invite".into(),
                source: "people<>.csv".into(),
                suggested_supervisor: Some("U0BOSS".into()),
                status: "sent".into(),
            }),
        };
        let (_, blocks) = summary(&d);
        assert!(
            blocks.to_string().contains(
                "Invited on 1970-01-01 by `tandem invite`, from people&lt;&gt;.csv; your survey suggests <@U0BOSS>"
            ),
            "{blocks}"
        );
        let s = blocks.to_string();
        assert!(s.contains("Sen &lt;Ator&gt;") && s.contains("45 minutes"));
        for b in blocks.as_array().unwrap() {
            if let Some(t) = b["text"]["text"].as_str() {
                assert!(t.chars().count() <= MAX_SECTION_TEXT);
            }
        }
        assert_eq!(file_name(&d), "tandem-mydata-1970-01-01.json");
    }
}
