//! A matching round as plain data: who can be matched now (built from what the store holds), the proposal as kept
//! while an admin reviews it, and the re-check that tells whether it still holds. Pure: the live flow
//! ([`crate::flows::proposals`]) and `tandem match --from-db` read the store and call these.

use crate::domain::matching::{self, Context, MatchConfig, PairSet, Side};
use crate::domain::model::Participant;
use chrono::{DateTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How people are named in explanations: Slack mentions for messages, stored names for the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    Mentions,
    DisplayNames,
}

/// Everyone who can be matched this round, and the rules that apply.
#[derive(Debug, Clone)]
pub struct Round {
    pub participants: Vec<matching::Participant>,
    pub ctx: Context,
}

fn utc_offset_minutes(tz: &str, at: DateTime<Utc>) -> i32 {
    tz.parse::<chrono_tz::Tz>()
        .map(|z| {
            z.offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc()
                / 60
        })
        .unwrap_or(0)
}

/// Builds a round (pure): people already in a pair are left out, except seniors with capacity to spare (who bring
/// only what is left). Paused people stay in, marked paused, so the proposal can say why they are not matched.
/// What a round is built from, as read from the store.
#[derive(Debug, Clone, Copy)]
pub struct RoundInputs<'a> {
    pub people: &'a [Participant],
    /// How many current pairs each person is in.
    pub pair_counts: &'a BTreeMap<String, u32>,
    pub history: &'a [(String, String)],
    pub exclusions: &'a [(String, String)],
}

/// From every pair ever made (junior, senior, status): how many current pairs each person is in, and the pairs
/// whose two people are both still known (for "no repeat pairs") — what the store would count, for pairs already
/// read.
pub fn pair_state<'p>(
    pairs: impl IntoIterator<
        Item = (
            Option<&'p str>,
            Option<&'p str>,
            crate::domain::model::PairStatus,
        ),
    >,
) -> (BTreeMap<String, u32>, Vec<(String, String)>) {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    let mut history = Vec::new();
    for (junior, senior, status) in pairs {
        if status.is_current() {
            for who in [junior, senior].into_iter().flatten() {
                *counts.entry(who.to_string()).or_default() += 1;
            }
        }
        if let (Some(j), Some(s)) = (junior, senior) {
            history.push((j.to_string(), s.to_string()));
        }
    }
    (counts, history)
}

/// A stored participant as the matching core sees them.
pub fn to_matching(p: &Participant, naming: Naming, now: DateTime<Utc>) -> matching::Participant {
    let name = match naming {
        Naming::Mentions => format!("<@{}>", p.user_id),
        Naming::DisplayNames => p.display_name.clone().unwrap_or_else(|| p.user_id.clone()),
    };
    matching::Participant {
        id: p.user_id.clone(),
        name,
        role: p.answers.role,
        years: p.answers.years,
        can_teach: p.answers.teach.clone(),
        wants_to_learn: p.answers.learn.clone(),
        hours_per_month: p.answers.hours_per_month,
        cadence: p.answers.cadence,
        practice_group: p.answers.practice_group.clone(),
        utc_offset_minutes: utc_offset_minutes(&p.tz, now),
        reports_to: p.answers.reports_to.clone(),
        capacity: p.capacity,
        paused: p.is_paused(now.timestamp()),
    }
}

pub fn build_round(
    inputs: RoundInputs<'_>,
    config: &MatchConfig,
    skill_labels: BTreeMap<String, String>,
    naming: Naming,
    now: DateTime<Utc>,
) -> Round {
    let RoundInputs {
        people,
        pair_counts,
        history,
        exclusions,
    } = inputs;
    let mut participants = Vec::new();
    for p in people {
        let mut mp = to_matching(p, naming, now);
        let busy = pair_counts.get(&p.user_id).copied().unwrap_or(0);
        if busy > 0 {
            match config.side_rule.side_of(&mp) {
                Side::ReverseMentor => continue,
                Side::Senior => {
                    let left = u32::from(mp.capacity).saturating_sub(busy);
                    if left == 0 {
                        continue;
                    }
                    mp.capacity = u8::try_from(left).unwrap_or(u8::MAX);
                }
            }
        }
        participants.push(mp);
    }
    let mut h = PairSet::new();
    for (a, b) in history {
        h.insert(a, b);
    }
    let mut x = PairSet::new();
    for (a, b) in exclusions {
        x.insert(a, b);
    }
    Round {
        participants,
        ctx: Context {
            config: config.clone(),
            history: h,
            exclusions: x,
            skill_labels,
        },
    }
}

impl Round {
    /// Keeps the pairs an admin removed from this round's proposal apart, for this round only (as exclusions of
    /// this round's context; nothing is stored as an exclusion).
    pub fn without(mut self, removed: &[RemovedPair]) -> Round {
        for r in removed {
            self.ctx.exclusions.insert(&r.junior_id, &r.senior_id);
        }
        self
    }
}

/// A proposal as kept while an admin reviews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// Best score first.
    pub pairs: Vec<StoredPair>,
    pub unmatched: Vec<StoredUnmatched>,
    pub total_score: i64,
    /// How many people the round considered.
    pub considered: usize,
    /// Pairs an admin removed from this proposal, oldest first: kept apart for this round only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<RemovedPair>,
}

/// A pair an admin removed from a proposal (the rest was re-matched without pairing these two).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedPair {
    pub junior_id: String,
    pub senior_id: String,
    /// The admin who removed it.
    pub by: String,
}

/// The pairs removed so far from a proposal, from its stored body (whatever state it is in: `{}` has none).
pub fn removed_of(body: &str) -> Vec<RemovedPair> {
    #[derive(Deserialize)]
    struct Removals {
        #[serde(default)]
        removed: Vec<RemovedPair>,
    }
    serde_json::from_str::<Removals>(body)
        .map(|r| r.removed)
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPair {
    pub junior_id: String,
    pub senior_id: String,
    pub score: i64,
    /// What the junior (reverse mentor) teaches the senior, as labels.
    pub junior_teaches: Vec<String>,
    /// What the senior teaches the junior, as labels.
    pub senior_teaches: Vec<String>,
    pub for_senior: String,
    pub for_junior: String,
    /// The score's parts, e.g. "teaching 20 · balance 15 · cross-group 5 · overlap 8".
    #[serde(default)]
    pub breakdown: String,
    /// The score in words for the admin, e.g. "each can teach the other 2 skills · same time zone · same cadence".
    #[serde(default)]
    pub words: String,
}

/// The non-zero parts of a score, for the admin's review.
pub fn breakdown_text(b: &matching::ScoreBreakdown) -> String {
    let parts = [
        ("teaching", b.teach_up + b.teach_down),
        ("balance", b.balance),
        ("cross-group", b.cross_group),
        ("same hours", b.same_hours),
        ("same cadence", b.same_cadence),
        ("overlap", b.overlap),
    ];
    parts
        .iter()
        .filter(|(_, v)| *v != 0)
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredUnmatched {
    pub id: String,
    /// The reason as the admins read it.
    pub reason: String,
    /// The reason as data, from which the person's own note is worded (absent in proposals stored before it was
    /// kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<matching::UnmatchedReason>,
}

impl Stored {
    /// Who is told, after approval, that they were left out this round, and why: everyone unmatched except people
    /// who paused (they asked for no matching and no messages) and entries without a reason code.
    pub fn to_tell(&self) -> Vec<(&str, matching::UnmatchedReason)> {
        self.unmatched
            .iter()
            .filter_map(|u| u.code.map(|c| (u.id.as_str(), c)))
            .filter(|(_, c)| *c != matching::UnmatchedReason::Paused)
            .collect()
    }
}

impl Stored {
    /// The proposal as kept for review: pairs best score first (ties in the proposal's order).
    pub fn from_proposal(p: &matching::Proposal, ctx: &Context, considered: usize) -> Stored {
        let labels = |ids: &[String]| ids.iter().map(|id| ctx.skill_label(id)).collect();
        let mut ranked: Vec<&matching::Pair> = p.pairs.iter().collect();
        ranked.sort_by_key(|pair| std::cmp::Reverse(pair.score));
        Stored {
            pairs: ranked
                .into_iter()
                .map(|pair| StoredPair {
                    junior_id: pair.junior_id.clone(),
                    senior_id: pair.senior_id.clone(),
                    score: pair.score,
                    junior_teaches: labels(&pair.breakdown.teach_up_skills),
                    senior_teaches: labels(&pair.breakdown.teach_down_skills),
                    for_senior: pair.explanation.for_senior.clone(),
                    for_junior: pair.explanation.for_junior.clone(),
                    breakdown: breakdown_text(&pair.breakdown),
                    words: matching::score_words(&pair.breakdown, &ctx.config),
                })
                .collect(),
            unmatched: p
                .unmatched
                .iter()
                .map(|u| StoredUnmatched {
                    id: u.id.clone(),
                    reason: u.reason_text.clone(),
                    code: Some(u.reason),
                })
                .collect(),
            total_score: p.total_score,
            considered,
            removed: Vec::new(),
        }
    }
}

/// Re-checks a proposal against the round as it is now (pure). Returns what changed, one line each; empty when the
/// proposal still holds.
pub fn recheck(stored: &Stored, now: &Round) -> Vec<String> {
    let by_id: BTreeMap<&str, &matching::Participant> = now
        .participants
        .iter()
        .map(|p| (p.id.as_str(), p))
        .collect();
    let mut problems = BTreeSet::new();
    let mut load: BTreeMap<&str, u32> = BTreeMap::new();
    for pair in &stored.pairs {
        let (j, s) = (
            by_id.get(pair.junior_id.as_str()),
            by_id.get(pair.senior_id.as_str()),
        );
        for (id, p) in [(&pair.junior_id, j), (&pair.senior_id, s)] {
            match p {
                None => {
                    problems.insert(format!("<@{id}> left the program or was paired elsewhere"));
                }
                Some(p) if p.paused => {
                    problems.insert(format!("<@{id}> paused"));
                }
                Some(_) => {}
            }
        }
        if let (Some(j), Some(s)) = (j, s) {
            if let Err(why) = matching::pair_verdict(j, s, &now.ctx)
                && !matches!(why, matching::Forbidden::Paused)
            {
                problems.insert(format!(
                    "<@{}> and <@{}> can no longer be paired: {}",
                    j.id,
                    s.id,
                    why.reason()
                ));
            }
            let n = load.entry(s.id.as_str()).or_default();
            *n += 1;
            if *n > u32::from(s.capacity) {
                problems.insert(format!(
                    "<@{}> has no time left for another reverse mentor",
                    s.id
                ));
            }
        }
    }
    problems.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::survey::Answers;
    use crate::domain::matching::Role;
    use crate::domain::schedule::Cadence;

    fn person(id: &str, role: Role, years: u8, teach: &[&str], learn: &[&str]) -> Participant {
        Participant {
            user_id: id.into(),
            answers: Answers {
                role,
                years,
                practice_group: "Tax".into(),
                teach: teach.iter().map(|s| s.to_string()).collect(),
                learn: learn.iter().map(|s| s.to_string()).collect(),
                hours_per_month: 2,
                cadence: Cadence::Weekly,
                reports_to: None,
            },
            tz: "Europe/London".into(),
            capacity: 1,
            paused: false,
            paused_until: None,
            joined_at: 0,
            display_name: Some(format!("Name {id}")),
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T09:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn round(people: &[Participant], counts: &[(&str, u32)], exclusions: &[(&str, &str)]) -> Round {
        let counts = counts.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let x: Vec<(String, String)> = exclusions
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let inputs = RoundInputs {
            people,
            pair_counts: &counts,
            history: &[],
            exclusions: &x,
        };
        build_round(
            inputs,
            &MatchConfig::default(),
            BTreeMap::new(),
            Naming::Mentions,
            now(),
        )
    }

    fn cohort() -> Vec<Participant> {
        vec![
            person(
                "UJ1",
                Role::Associate,
                3,
                &["ai_drafting"],
                &["negotiation"],
            ),
            person(
                "UJ2",
                Role::Associate,
                2,
                &["ediscovery"],
                &["client_management"],
            ),
            person(
                "US1",
                Role::Partner,
                25,
                &["negotiation", "client_management"],
                &["ai_drafting", "ediscovery"],
            ),
        ]
    }

    #[test]
    fn the_round_leaves_out_busy_people_and_keeps_spare_senior_capacity() {
        let mut people = cohort();
        people[2].capacity = 2;
        let r = round(&people, &[("UJ1", 1), ("US1", 1)], &[]);
        let ids: Vec<&str> = r.participants.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["UJ2", "US1"],
            "a junior in a pair is out; the senior keeps one place"
        );
        assert_eq!(r.participants[1].capacity, 1);
        assert_eq!(r.participants[0].name, "<@UJ2>");
        assert_eq!(r.participants[0].utc_offset_minutes, 60, "London in June");
        let r = round(&people, &[("US1", 2)], &[]);
        assert!(
            r.participants.iter().all(|p| p.id != "US1"),
            "a senior at capacity is out"
        );
    }

    #[test]
    fn pairs_are_kept_best_first_with_their_score_in_words() {
        let mut people = cohort();
        people.push(person(
            "US2",
            Role::Partner,
            30,
            &["negotiation"],
            &["ai_drafting"],
        ));
        people[2].capacity = 1;
        let r = round(&people, &[], &[]);
        let p = matching::propose(&r.participants, &r.ctx).unwrap();
        let stored = Stored::from_proposal(&p, &r.ctx, people.len());
        assert_eq!(stored.pairs.len(), 2);
        assert!(
            stored.pairs.windows(2).all(|w| w[0].score >= w[1].score),
            "{:?}",
            stored.pairs
        );
        assert!(
            stored.pairs.iter().all(|x| x
                .words
                .starts_with("each can teach the other 1 skill · same time zone")),
            "{:?}",
            stored.pairs
        );
    }

    #[test]
    fn a_removed_pair_is_kept_apart_for_this_round_only() {
        let people = cohort();
        let removed = vec![RemovedPair {
            junior_id: "UJ1".into(),
            senior_id: "US1".into(),
            by: "UADMIN".into(),
        }];
        let r = round(&people, &[], &[]).without(&removed);
        assert!(r.ctx.exclusions.contains("US1", "UJ1"));
        let p = matching::propose(&r.participants, &r.ctx).unwrap();
        assert!(
            p.pairs
                .iter()
                .all(|x| !(x.junior_id == "UJ1" && x.senior_id == "US1"))
        );
        let mut stored = Stored::from_proposal(&p, &r.ctx, 3);
        stored.removed = removed.clone();
        let body = serde_json::to_string(&stored).unwrap();
        assert_eq!(removed_of(&body), removed);
        assert_eq!(removed_of("{}"), vec![]);
        assert_eq!(removed_of("not json"), vec![]);
        assert!(
            round(&people, &[], &[]).ctx.exclusions.is_empty(),
            "the next round starts without it"
        );
    }

    #[test]
    fn a_proposal_still_holds_until_someone_pauses_leaves_or_is_excluded() {
        let people = cohort();
        let r = round(&people, &[], &[]);
        let p = matching::propose(&r.participants, &r.ctx).unwrap();
        assert_eq!(p.pairs.len(), 1);
        let stored = Stored::from_proposal(&p, &r.ctx, 3);
        assert_eq!(recheck(&stored, &r), Vec::<String>::new());

        let mut paused = people.clone();
        let j = stored.pairs[0].junior_id.clone();
        paused.iter_mut().find(|x| x.user_id == j).unwrap().paused = true;
        assert_eq!(
            recheck(&stored, &round(&paused, &[], &[])),
            vec![format!("<@{j}> paused")]
        );

        let left: Vec<Participant> = people
            .iter()
            .filter(|x| x.user_id != "US1")
            .cloned()
            .collect();
        assert!(recheck(&stored, &round(&left, &[], &[]))[0].contains("<@US1> left"));

        let excluded = round(&people, &[], &[(j.as_str(), "US1")]);
        assert!(recheck(&stored, &excluded)[0].contains("can no longer be paired"));
    }

    #[test]
    fn a_second_round_considers_people_whose_pair_ended_and_never_repeats_a_pair() {
        // Round 1 paired UJ1 with US1; that pair has ended (it is in the history, not in the current counts).
        // UJ2 was left out, and a new senior US2 who fits UJ1 and UJ2 alike has joined.
        let mut people = cohort();
        people.push(person(
            "US2",
            Role::Partner,
            22,
            &["negotiation", "client_management"],
            &["ai_drafting", "ediscovery"],
        ));
        let history = vec![("UJ1".to_string(), "US1".to_string())];
        let inputs = RoundInputs {
            people: &people,
            pair_counts: &BTreeMap::new(),
            history: &history,
            exclusions: &[],
        };
        let r = build_round(
            inputs,
            &MatchConfig::default(),
            BTreeMap::new(),
            Naming::Mentions,
            now(),
        );
        let ids: Vec<&str> = r.participants.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["UJ1", "UJ2", "US1", "US2"],
            "everyone free is considered"
        );
        let p = matching::propose(&r.participants, &r.ctx).unwrap();
        let pairs: Vec<(&str, &str)> = p
            .pairs
            .iter()
            .map(|x| (x.junior_id.as_str(), x.senior_id.as_str()))
            .collect();
        assert_eq!(pairs.len(), 2, "{pairs:?}");
        assert!(
            !pairs.contains(&("UJ1", "US1")),
            "earlier partners are never paired again: {pairs:?}"
        );
        assert!(pairs.contains(&("UJ1", "US2")) && pairs.contains(&("UJ2", "US1")));

        // With only the earlier partner left for UJ1, UJ1 waits, and is told why in their own words.
        let inputs = RoundInputs {
            people: &people[..3],
            pair_counts: &[("UJ2".to_string(), 1), ("US2".to_string(), 1)]
                .into_iter()
                .collect(),
            history: &history,
            exclusions: &[],
        };
        let r = build_round(
            inputs,
            &MatchConfig::default(),
            BTreeMap::new(),
            Naming::Mentions,
            now(),
        );
        let p = matching::propose(&r.participants, &r.ctx).unwrap();
        assert!(p.pairs.is_empty());
        let stored = Stored::from_proposal(&p, &r.ctx, r.participants.len());
        assert_eq!(
            stored.to_tell(),
            vec![
                ("UJ1", matching::UnmatchedReason::OnlyBlockedPartners),
                ("US1", matching::UnmatchedReason::OnlyBlockedPartners)
            ]
        );
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    /// The example in README.md is a valid matching file, and it spells out the defaults.
    #[test]
    fn the_readme_example_parses_to_the_defaults() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```toml\nmin_gap_years")
            .expect("README has the matching example");
        let body = &readme[start + "```toml\n".len()..];
        let body = &body[..body.find("```").expect("closed")];
        let parsed: MatchConfig = crate::domain::catalog::parse_toml("README.md", body).unwrap();
        assert_eq!(parsed, MatchConfig::default());
    }

    #[test]
    fn a_partial_file_keeps_other_defaults_and_a_typo_names_its_line() {
        let c: MatchConfig = crate::domain::catalog::parse_toml(
            "m.toml",
            "min_gap_years = 8\n[weights]\nbalance = 20\n",
        )
        .unwrap();
        assert_eq!(
            (c.min_gap_years, c.weights.balance, c.weights.teach_up),
            (8, 20, 10)
        );
        let e = crate::domain::catalog::parse_toml::<MatchConfig>(
            "m.toml",
            "min_gap_years = 8\n[weights]\nbalanse = 20\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.to_string().starts_with("m.toml:3: "), "{e}");
    }
}
