//! Whole-cohort matching: score matrix, optimal assignment, unmatched
//! reasons.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::config::Context;
use super::explain::explanation;
use super::model::{Participant, Side};
use super::rules::{Checks, Prepared, ScoreBreakdown};
use super::solver::{DenseMatrix, solve_max};

/// One proposed pair. "Junior" is the reverse mentor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// Slack id of the senior.
    pub senior_id: String,
    /// Display name of the senior.
    pub senior_name: String,
    /// Slack id of the reverse mentor (junior side).
    pub junior_id: String,
    /// Display name of the reverse mentor.
    pub junior_name: String,
    /// Total score (`breakdown.total`).
    pub score: i64,
    /// Every score component.
    pub breakdown: ScoreBreakdown,
    /// One sentence for each of the two people.
    pub explanation: Explanation,
}

/// What each person is told about their pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// For the senior, e.g. "Priya can show you Relativity and AI-assisted
    /// drafting; you can show Priya client management."
    pub for_senior: String,
    /// For the reverse mentor, e.g. "Morgan can show you client management;
    /// you can show Morgan Relativity and AI-assisted drafting."
    pub for_junior: String,
}

/// Why someone was left out, most specific first. The same situation gets the same reason whichever side the
/// person is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// The person is paused.
    Paused,
    /// A senior whose capacity is 0 this round.
    NoCapacity,
    /// The person offers fewer hours than the round's minimum.
    TooFewHours,
    /// Nobody (active) is on the other side.
    NobodyOnOtherSide,
    /// Every possible partner offers too few hours.
    PartnersShortOfHours,
    /// No possible partner is far enough apart in seniority.
    NoSeniorityGap,
    /// Nobody (with a large enough gap) wants to learn what the person
    /// offers.
    NobodyWantsYourSkills,
    /// Nobody (who wants the person's skills) can teach what they want.
    NobodyTeachesWhatYouWant,
    /// The only skill matches score zero or less under the weights.
    LowScore,
    /// The only suitable partners are their supervisor or report, an
    /// earlier partner, or excluded by an admin.
    OnlyBlockedPartners,
    /// A reverse mentor while every senior (not paused) has capacity 0.
    NoSeniorWithTimeLeft,
    /// Suitable partners exist, and every one of them was paired with
    /// someone who fits them better (for a reverse mentor: the seniors who
    /// fit are full).
    PartnersTakenElsewhere,
}

impl UnmatchedReason {
    /// Every reason, for parsing a stored code.
    pub const ALL: [UnmatchedReason; 12] = [
        UnmatchedReason::Paused,
        UnmatchedReason::NoCapacity,
        UnmatchedReason::TooFewHours,
        UnmatchedReason::NobodyOnOtherSide,
        UnmatchedReason::PartnersShortOfHours,
        UnmatchedReason::NoSeniorityGap,
        UnmatchedReason::NobodyWantsYourSkills,
        UnmatchedReason::NobodyTeachesWhatYouWant,
        UnmatchedReason::LowScore,
        UnmatchedReason::OnlyBlockedPartners,
        UnmatchedReason::NoSeniorWithTimeLeft,
        UnmatchedReason::PartnersTakenElsewhere,
    ];

    /// The reason as stored (the same spelling as in a stored proposal's JSON).
    pub fn code(&self) -> &'static str {
        match self {
            UnmatchedReason::Paused => "paused",
            UnmatchedReason::NoCapacity => "no_capacity",
            UnmatchedReason::TooFewHours => "too_few_hours",
            UnmatchedReason::NobodyOnOtherSide => "nobody_on_other_side",
            UnmatchedReason::PartnersShortOfHours => "partners_short_of_hours",
            UnmatchedReason::NoSeniorityGap => "no_seniority_gap",
            UnmatchedReason::NobodyWantsYourSkills => "nobody_wants_your_skills",
            UnmatchedReason::NobodyTeachesWhatYouWant => "nobody_teaches_what_you_want",
            UnmatchedReason::LowScore => "low_score",
            UnmatchedReason::OnlyBlockedPartners => "only_blocked_partners",
            UnmatchedReason::NoSeniorWithTimeLeft => "no_senior_with_time_left",
            UnmatchedReason::PartnersTakenElsewhere => "partners_taken_elsewhere",
        }
    }

    /// The reason a stored code names, if any.
    pub fn parse_code(code: &str) -> Option<UnmatchedReason> {
        UnmatchedReason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Human-readable reason, addressed to the admin who reads the
    /// proposal (it speaks of the person, not to them).
    pub fn text(&self) -> &'static str {
        match self {
            UnmatchedReason::Paused => "paused",
            UnmatchedReason::NoCapacity => "capacity 0 this round",
            UnmatchedReason::TooFewHours => "offered fewer hours a month than this round's minimum",
            UnmatchedReason::NobodyOnOtherSide => "nobody on the other side in this round",
            UnmatchedReason::PartnersShortOfHours => {
                "everyone they could be paired with offers too few hours a month"
            }
            UnmatchedReason::NoSeniorityGap => "nobody with a large enough seniority gap",
            UnmatchedReason::NobodyWantsYourSkills => {
                "nobody in this round wants to learn what they offer"
            }
            UnmatchedReason::NobodyTeachesWhatYouWant => {
                "nobody in this round can teach what they want to learn"
            }
            UnmatchedReason::LowScore => "no possible pairing scores above zero",
            UnmatchedReason::OnlyBlockedPartners => {
                "everyone suitable is ruled out (reports to / earlier pair / exclusion / removed)"
            }
            UnmatchedReason::NoSeniorWithTimeLeft => "every senior has capacity 0 this round",
            UnmatchedReason::PartnersTakenElsewhere => {
                "everyone who fits was paired with a better fit"
            }
        }
    }
}

impl fmt::Display for UnmatchedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// A participant left out of this round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    /// Slack id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Side under the round's [`SideRule`](super::SideRule).
    pub side: Side,
    /// Machine-readable reason.
    pub reason: UnmatchedReason,
    /// Human-readable reason (`reason.text()`).
    pub reason_text: String,
}

/// The result of a matching round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// Pairs, sorted by senior id then junior id.
    pub pairs: Vec<Pair>,
    /// Everyone not in a pair, sorted by id.
    pub unmatched: Vec<Unmatched>,
    /// Sum of the pairs' scores (the maximum possible for this cohort).
    pub total_score: i64,
}

/// Why a round could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchError {
    /// Two participants share an id.
    DuplicateId(String),
    /// A participant has an empty id.
    EmptyId,
    /// Internal invariant broken: the solver picked a forbidden pair or
    /// overfilled a senior. Never expected; reported instead of proposing.
    InvariantBroken(String),
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::DuplicateId(id) => write!(f, "participant id `{id}` appears twice"),
            MatchError::EmptyId => f.write_str("a participant has an empty id"),
            MatchError::InvariantBroken(m) => write!(f, "internal matching error: {m}"),
        }
    }
}

impl std::error::Error for MatchError {}

/// The assignment problem built from a cohort: an integer matrix where
/// entry = pair score for allowed pairs and 0 for forbidden ones (0 means
/// "leave unmatched", so maximising the total over this matrix is exactly
/// maximising the total score over valid matchings).
///
/// The smaller side is the rows, so every row is assigned by the solver.
/// Columns (or rows) of a senior with capacity `c` appear `c` times in a
/// row, one per slot.
#[derive(Debug, Clone)]
pub struct CohortMatrix {
    /// The score matrix.
    pub matrix: DenseMatrix,
    /// True if rows are reverse mentors and columns are senior slots; false
    /// for the transpose.
    pub rows_are_juniors: bool,
    /// Reverse-mentor ids in matrix order (sorted).
    pub junior_ids: Vec<String>,
    /// Senior id of each slot in matrix order (sorted, repeated per
    /// capacity).
    pub slot_senior_ids: Vec<String>,
}

struct Built<'a> {
    prep: Prepared<'a>,
    juniors: Vec<usize>,
    slots: Vec<usize>,
    cm: CohortMatrix,
}

fn check_ids(participants: &[Participant]) -> Result<(), MatchError> {
    let mut seen = BTreeSet::new();
    for p in participants {
        if p.id.is_empty() {
            return Err(MatchError::EmptyId);
        }
        if !seen.insert(p.id.as_str()) {
            return Err(MatchError::DuplicateId(p.id.clone()));
        }
    }
    Ok(())
}

fn build<'a>(participants: &'a [Participant], ctx: &'a Context) -> Result<Built<'a>, MatchError> {
    check_ids(participants)?;
    let mut sorted: Vec<&Participant> = participants.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let prep = Prepared::new(&sorted, ctx);
    let n = sorted.len();
    let juniors: Vec<usize> = (0..n)
        .filter(|&i| prep.side[i] == Side::ReverseMentor && !sorted[i].paused)
        .collect();
    let slots: Vec<usize> = (0..n)
        .filter(|&i| prep.side[i] == Side::Senior && !sorted[i].paused)
        .flat_map(|i| std::iter::repeat_n(i, usize::from(sorted[i].capacity)))
        .collect();
    let rows_are_juniors = juniors.len() <= slots.len();
    let (nr, nc) = if rows_are_juniors {
        (juniors.len(), slots.len())
    } else {
        (slots.len(), juniors.len())
    };
    let mut matrix = DenseMatrix::filled(nr, nc, 0);
    // Distinct seniors (ascending index) and the first slot of each.
    let mut seniors: Vec<usize> = slots.clone();
    seniors.dedup();
    let mut buf = Vec::new();
    if rows_are_juniors {
        buf.resize(seniors.len(), 0);
        let mut row = vec![0; nc];
        for (r, &j) in juniors.iter().enumerate() {
            prep.weights_against(j, &seniors, &mut buf);
            // Slots of one senior are contiguous and in senior order.
            let mut k = 0;
            for (c, cell) in row.iter_mut().enumerate() {
                if slots[c] != seniors[k] {
                    k += 1;
                }
                *cell = buf[k];
            }
            matrix.set_row(r, &row);
        }
    } else {
        buf.resize(juniors.len(), 0);
        for r in 0..nr {
            if r > 0 && slots[r - 1] == slots[r] {
                matrix.copy_row(r - 1, r);
            } else {
                prep.weights_against(slots[r], &juniors, &mut buf);
                matrix.set_row(r, &buf);
            }
        }
    }
    let cm = CohortMatrix {
        matrix,
        rows_are_juniors,
        junior_ids: juniors.iter().map(|&i| sorted[i].id.clone()).collect(),
        slot_senior_ids: slots.iter().map(|&i| sorted[i].id.clone()).collect(),
    };
    Ok(Built {
        prep,
        juniors,
        slots,
        cm,
    })
}

/// Builds the score matrix the solver sees (exposed for benchmarks and
/// cross-checks against other solvers).
pub fn cohort_matrix(
    participants: &[Participant],
    ctx: &Context,
) -> Result<CohortMatrix, MatchError> {
    build(participants, ctx).map(|b| b.cm)
}

/// Proposes the pairs that maximise the total score over the cohort,
/// subject to every hard rule, and explains everyone left out.
///
/// Deterministic: participants are sorted by id first, so input order does
/// not matter.
pub fn propose(participants: &[Participant], ctx: &Context) -> Result<Proposal, MatchError> {
    let built = build(participants, ctx)?;
    let assignment = solve_max(&built.cm.matrix);
    let prep = &built.prep;
    // (junior index, senior index) chosen, validated.
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for (r, c) in assignment.iter().enumerate() {
        let Some(c) = *c else { continue };
        if built.cm.matrix.get(r, c) <= 0 {
            continue; // 0 = "leave unmatched"
        }
        let (ji, si) = if built.cm.rows_are_juniors {
            (r, c)
        } else {
            (c, r)
        };
        chosen.push((built.juniors[ji], built.slots[si]));
    }
    // Real check, not only in debug builds: every chosen pair passes every
    // hard rule, nobody appears twice, no senior exceeds capacity.
    let mut junior_seen = BTreeSet::new();
    let mut load = vec![0usize; prep.people.len()];
    for &(j, s) in &chosen {
        let ok = prep.verdict(j, s);
        debug_assert!(ok.is_ok(), "solver chose a forbidden pair");
        if let Err(f) = ok {
            return Err(MatchError::InvariantBroken(format!(
                "pair {} / {} breaks rule {}",
                prep.people[j].id,
                prep.people[s].id,
                f.rule()
            )));
        }
        load[s] += 1;
        let over = load[s] > usize::from(prep.people[s].capacity);
        let twice = !junior_seen.insert(j);
        debug_assert!(!over && !twice, "capacity or uniqueness broken");
        if over || twice {
            return Err(MatchError::InvariantBroken(format!(
                "pair {} / {} overfills a senior or repeats a junior",
                prep.people[j].id, prep.people[s].id
            )));
        }
    }
    chosen.sort_by(|a, b| {
        let key = |(j, s): &(usize, usize)| (&prep.people[*s].id, &prep.people[*j].id);
        key(a).cmp(&key(b))
    });
    let pairs: Vec<Pair> = chosen
        .iter()
        .map(|&(j, s)| {
            let parts = prep.verdict(j, s).map_err(|f| {
                MatchError::InvariantBroken(format!("pair broke rule {}", f.rule()))
            })?;
            let breakdown = prep.breakdown(j, s, &parts);
            let (pj, ps) = (prep.people[j], prep.people[s]);
            Ok(Pair {
                senior_id: ps.id.clone(),
                senior_name: ps.name.clone(),
                junior_id: pj.id.clone(),
                junior_name: pj.name.clone(),
                score: breakdown.total,
                explanation: explanation(pj, ps, &breakdown, ctx),
                breakdown,
            })
        })
        .collect::<Result<_, MatchError>>()?;
    let mut matched = vec![false; prep.people.len()];
    for &(j, s) in &chosen {
        matched[j] = true;
        matched[s] = true;
    }
    let unmatched = (0..prep.people.len())
        .filter(|&i| !matched[i])
        .map(|i| {
            let reason = unmatched_reason(prep, i, &load);
            Unmatched {
                id: prep.people[i].id.clone(),
                name: prep.people[i].name.clone(),
                side: prep.side[i],
                reason,
                reason_text: reason.text().to_owned(),
            }
        })
        .collect();
    Ok(Proposal {
        total_score: pairs.iter().map(|p| p.score).sum(),
        pairs,
        unmatched,
    })
}

/// A stage filter of [`unmatched_reason`]: keep candidate `o`?
type Keep<'a> = dyn Fn(usize, &Checks) -> bool + 'a;

/// Explains why participant `i` is unmatched by filtering the candidates
/// on the other side stage by stage; the first stage that leaves nobody is
/// the reason.
fn unmatched_reason(prep: &Prepared<'_>, i: usize, load: &[usize]) -> UnmatchedReason {
    let me = prep.people[i];
    let my_side = prep.side[i];
    if me.paused {
        return UnmatchedReason::Paused;
    }
    if my_side == Side::Senior && me.capacity == 0 {
        return UnmatchedReason::NoCapacity;
    }
    if me.hours_per_month < prep.min_hours() {
        return UnmatchedReason::TooFewHours;
    }
    let others: Vec<usize> = (0..prep.people.len())
        .filter(|&o| prep.side[o] != my_side && !prep.people[o].paused)
        .collect();
    let with_capacity: Vec<usize> = others
        .iter()
        .copied()
        .filter(|&o| prep.side[o] == Side::ReverseMentor || prep.people[o].capacity > 0)
        .collect();
    if with_capacity.is_empty() {
        return if others.is_empty() {
            UnmatchedReason::NobodyOnOtherSide
        } else {
            UnmatchedReason::NoSeniorWithTimeLeft
        };
    }
    let checks: Vec<_> = with_capacity
        .iter()
        .map(|&o| (o, prep.checks(i, o)))
        .collect();
    let mine_first = my_side == Side::ReverseMentor;
    // Skills I can teach them / they can teach me.
    let offer = |c: &Checks| if mine_first { c.up } else { c.down };
    let want = |c: &Checks| if mine_first { c.down } else { c.up };
    let stages: [(UnmatchedReason, &Keep<'_>); 6] = [
        (UnmatchedReason::PartnersShortOfHours, &|_, c| !c.hours),
        (UnmatchedReason::NoSeniorityGap, &|_, c| !c.gap),
        (UnmatchedReason::NobodyWantsYourSkills, &|_, c| offer(c) > 0),
        (UnmatchedReason::NobodyTeachesWhatYouWant, &|_, c| {
            want(c) > 0
        }),
        (UnmatchedReason::LowScore, &|o, c| {
            prep.skill_score(i, o, c) > 0
        }),
        (UnmatchedReason::OnlyBlockedPartners, &|_, c| {
            !(c.reports_to || c.previous || c.excluded)
        }),
    ];
    let mut left: Vec<&(usize, Checks)> = checks.iter().collect();
    for (reason, keep) in stages {
        left.retain(|(o, c)| keep(*o, c));
        if left.is_empty() {
            return reason;
        }
    }
    // Allowed partners exist; all of them were paired with a better fit (for a reverse mentor: the seniors are
    // full). The same reason on both sides, for the same situation.
    debug_assert!(
        my_side == Side::Senior
            || left
                .iter()
                .all(|(o, _)| load[*o] >= usize::from(prep.people[*o].capacity))
    );
    UnmatchedReason::PartnersTakenElsewhere
}
