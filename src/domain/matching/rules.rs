//! Hard rules and scoring for one candidate pair.
//!
//! [`pair_verdict`] is the public entry point for a single pair. Whole
//! cohorts go through [`Prepared`], which interns skills into bit sets so a
//! pair can be judged in a few nanoseconds; `pair_verdict` runs through the
//! very same code on a two-person cohort, so both always agree.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::config::{Context, MatchConfig};
use super::model::{Participant, Side};

/// Why a pair may never be proposed. Checked in declaration order; the
/// first rule that fails is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Forbidden {
    /// Both entries are the same person.
    SamePerson,
    /// At least one of the two is paused.
    Paused,
    /// Both are on the same side (two seniors or two reverse mentors).
    SameSide,
    /// One reports to the other (either direction).
    ReportsTo,
    /// They were paired in an earlier round.
    PreviousPair,
    /// An admin excluded this pair.
    Excluded,
    /// The senior's capacity is 0 this round.
    NoCapacity,
    /// One of them offers fewer hours a month than the configured minimum.
    NotEnoughHours,
    /// The senior is not enough years ahead of the reverse mentor.
    SeniorityGap,
    /// One-way: the reverse mentor can teach nothing the senior wants.
    NothingForSenior,
    /// One-way: the senior can teach nothing the reverse mentor wants.
    NothingForReverseMentor,
    /// Neither can teach the other anything they want.
    NoSkillMatch,
    /// The weights make this pair's total score zero or negative.
    ScoreNotPositive,
}

impl Forbidden {
    /// Short machine-readable rule name (used in CSV and JSON).
    pub fn rule(&self) -> &'static str {
        match self {
            Forbidden::SamePerson => "same_person",
            Forbidden::Paused => "paused",
            Forbidden::SameSide => "same_side",
            Forbidden::ReportsTo => "supervisor",
            Forbidden::PreviousPair => "earlier_pair",
            Forbidden::Excluded => "exclusion",
            Forbidden::NoCapacity => "no_capacity",
            Forbidden::NotEnoughHours => "hours",
            Forbidden::SeniorityGap => "seniority_gap",
            Forbidden::NothingForSenior
            | Forbidden::NothingForReverseMentor
            | Forbidden::NoSkillMatch => "one_way",
            Forbidden::ScoreNotPositive => "score_not_positive",
        }
    }

    /// Human-readable reason.
    pub fn reason(&self) -> &'static str {
        match self {
            Forbidden::SamePerson => "same person",
            Forbidden::Paused => "one of them is paused",
            Forbidden::SameSide => "both are on the same side",
            Forbidden::ReportsTo => "one reports to the other",
            Forbidden::PreviousPair => "already paired in an earlier round",
            Forbidden::Excluded => "excluded by an admin",
            Forbidden::NoCapacity => "the senior takes nobody this round",
            Forbidden::NotEnoughHours => "not enough hours a month on one side",
            Forbidden::SeniorityGap => "seniority gap too small",
            Forbidden::NothingForSenior => {
                "one-way: the reverse mentor can teach nothing the senior wants"
            }
            Forbidden::NothingForReverseMentor => {
                "one-way: the senior can teach nothing the reverse mentor wants"
            }
            Forbidden::NoSkillMatch => "neither can teach the other anything they want",
            Forbidden::ScoreNotPositive => "score is not positive under the current weights",
        }
    }
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for Forbidden {}

/// Every component of an allowed pair's score. `total` is the sum of the
/// point fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreBreakdown {
    /// Skill ids the reverse mentor can teach that the senior wants (sorted).
    pub teach_up_skills: Vec<String>,
    /// Skill ids the senior can teach that the reverse mentor wants (sorted).
    pub teach_down_skills: Vec<String>,
    /// `weights.teach_up × teach_up_skills.len()`.
    pub teach_up: i64,
    /// `weights.teach_down × teach_down_skills.len()`.
    pub teach_down: i64,
    /// `weights.balance × min(up, down)`.
    pub balance: i64,
    /// `weights.cross_group` if the practice groups differ, else 0.
    pub cross_group: i64,
    /// `weights.same_hours` if both offer the same hours, else 0.
    pub same_hours: i64,
    /// `weights.same_cadence` if both prefer the same cadence, else 0.
    pub same_cadence: i64,
    /// `weights.overlap_per_hour × whole hours of working-day overlap`.
    pub overlap: i64,
    /// Minutes of working-day overlap.
    pub overlap_minutes: u32,
    /// Sum of the point fields.
    pub total: i64,
}

/// Judges one candidate pair (in either order): the score breakdown if
/// every hard rule passes, else the first rule broken.
///
/// Capacity across the cohort is not a pair property; only a senior with
/// capacity 0 is rejected here.
pub fn pair_verdict(
    a: &Participant,
    b: &Participant,
    ctx: &Context,
) -> Result<ScoreBreakdown, Forbidden> {
    if a.id == b.id {
        return Err(Forbidden::SamePerson);
    }
    let people = [a, b];
    let prep = Prepared::new(&people, ctx);
    prep.verdict(0, 1).map(|parts| prep.breakdown(0, 1, &parts))
}

/// Result of every hard-rule check on one pair (used for verdicts and for
/// explaining why someone stayed unmatched).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Checks {
    pub paused: bool,
    pub same_side: bool,
    pub reports_to: bool,
    pub previous: bool,
    pub excluded: bool,
    pub no_capacity: bool,
    pub hours: bool,
    pub gap: bool,
    /// Count of skills the reverse mentor can teach the senior.
    pub up: u32,
    /// Count of skills the senior can teach the reverse mentor.
    pub down: u32,
}

/// Counts and flags of an allowed pair; cheap to compute for every pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    pub up: u32,
    pub down: u32,
    pub cross_group: bool,
    pub same_hours: bool,
    pub same_cadence: bool,
    pub overlap_minutes: u32,
    pub total: i64,
}

/// A cohort prepared for fast pair checks: skills interned into bit sets,
/// practice groups interned, relations resolved to indices. The order of
/// `people` is the order given (callers sort by id first).
pub(crate) struct Prepared<'a> {
    pub people: Vec<&'a Participant>,
    pub side: Vec<Side>,
    cfg: &'a MatchConfig,
    /// Skill ids in sorted order; bit `k` stands for `skills[k]`.
    skills: Vec<String>,
    words: usize,
    teach: Vec<u64>,
    learn: Vec<u64>,
    group: Vec<u32>,
    boss: Vec<Option<u32>>,
    /// Sorted partner indices per person.
    previous: Vec<Vec<u32>>,
    excluded: Vec<Vec<u32>>,
    /// Sorted union of `previous`, `excluded`, the boss and the direct
    /// reports of each person (the relationship rules, for the fast path).
    blocked: Vec<Vec<u32>>,
    /// Compact copies of the fields the fast path reads.
    packed: Vec<Packed>,
}

/// The fields of one person the cohort fast path reads, in one cache line.
#[derive(Debug, Clone, Copy)]
struct Packed {
    /// First 64 skill bits (all of them when `words == 1`).
    teach: u64,
    learn: u64,
    years: i32,
    offset: i32,
    group: u32,
    hours: u8,
    cadence: u8,
    /// Not paused, enough hours, and (for seniors) capacity > 0.
    usable: bool,
}

impl<'a> Prepared<'a> {
    /// Prepares `people` (any order; ids are assumed unique).
    pub fn new(people: &[&'a Participant], ctx: &'a Context) -> Self {
        let cfg = &ctx.config;
        let mut skill_set: BTreeMap<&str, u32> = BTreeMap::new();
        for p in people {
            for s in p.can_teach.iter().chain(p.wants_to_learn.iter()) {
                skill_set.insert(s.as_str(), 0);
            }
        }
        let skills: Vec<String> = skill_set.keys().map(|s| (*s).to_owned()).collect();
        for (k, v) in skill_set.values_mut().enumerate() {
            *v = k as u32;
        }
        let words = skills.len().div_ceil(64).max(1);
        let n = people.len();
        let mut teach = vec![0u64; n * words];
        let mut learn = vec![0u64; n * words];
        for (i, p) in people.iter().enumerate() {
            for s in &p.can_teach {
                let k = skill_set[s.as_str()] as usize;
                teach[i * words + k / 64] |= 1 << (k % 64);
            }
            for s in &p.wants_to_learn {
                let k = skill_set[s.as_str()] as usize;
                learn[i * words + k / 64] |= 1 << (k % 64);
            }
        }
        let mut groups: BTreeMap<String, u32> = BTreeMap::new();
        let group: Vec<u32> = people
            .iter()
            .map(|p| {
                let g = p.practice_group.trim().to_ascii_lowercase();
                let next = groups.len() as u32;
                *groups.entry(g).or_insert(next)
            })
            .collect();
        let index: BTreeMap<&str, u32> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u32))
            .collect();
        let boss: Vec<Option<u32>> = people
            .iter()
            .map(|p| p.reports_to.as_deref().and_then(|b| index.get(b).copied()))
            .collect();
        let resolve = |set: &super::model::PairSet| {
            let mut lists = vec![Vec::new(); n];
            for (a, b) in set.iter() {
                if let (Some(&x), Some(&y)) = (index.get(a), index.get(b)) {
                    lists[x as usize].push(y);
                    lists[y as usize].push(x);
                }
            }
            for l in &mut lists {
                l.sort_unstable();
                l.dedup();
            }
            lists
        };
        let previous = resolve(&ctx.history);
        let excluded = resolve(&ctx.exclusions);
        let mut blocked: Vec<Vec<u32>> = previous
            .iter()
            .zip(&excluded)
            .map(|(a, b)| a.iter().chain(b).copied().collect())
            .collect();
        for (i, b) in boss.iter().enumerate() {
            if let Some(b) = *b {
                blocked[i].push(b);
                blocked[b as usize].push(i as u32);
            }
        }
        for l in &mut blocked {
            l.sort_unstable();
            l.dedup();
        }
        let side: Vec<Side> = people.iter().map(|p| cfg.side_rule.side_of(p)).collect();
        let packed = (0..n)
            .map(|i| {
                let p = people[i];
                Packed {
                    teach: teach[i * words],
                    learn: learn[i * words],
                    years: i32::from(p.years),
                    offset: p.utc_offset_minutes,
                    group: group[i],
                    hours: p.hours_per_month,
                    cadence: p.cadence as u8,
                    usable: !p.paused
                        && p.hours_per_month >= cfg.min_hours
                        && (side[i] == Side::ReverseMentor || p.capacity > 0),
                }
            })
            .collect();
        Prepared {
            packed,
            blocked,
            side,
            people: people.to_vec(),
            cfg,
            skills,
            words,
            teach,
            learn,
            group,
            boss,
            previous,
            excluded,
        }
    }

    fn mask(v: &[u64], i: usize, words: usize) -> &[u64] {
        &v[i * words..(i + 1) * words]
    }

    fn common(&self, teacher: usize, learner: usize) -> u32 {
        let t = Self::mask(&self.teach, teacher, self.words);
        let l = Self::mask(&self.learn, learner, self.words);
        t.iter().zip(l).map(|(x, y)| (x & y).count_ones()).sum()
    }

    fn common_ids(&self, teacher: usize, learner: usize) -> Vec<String> {
        let t = Self::mask(&self.teach, teacher, self.words);
        let l = Self::mask(&self.learn, learner, self.words);
        let mut out = Vec::new();
        for (w, (x, y)) in t.iter().zip(l).enumerate() {
            let mut bits = x & y;
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                out.push(self.skills[w * 64 + b].clone());
                bits &= bits - 1;
            }
        }
        out
    }

    /// Orders `(a, b)` as `(reverse mentor, senior)` if they are on
    /// different sides.
    pub fn orient(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        match (self.side[a], self.side[b]) {
            (Side::ReverseMentor, Side::Senior) => Some((a, b)),
            (Side::Senior, Side::ReverseMentor) => Some((b, a)),
            _ => None,
        }
    }

    /// Runs every hard-rule check on `(a, b)` (any order).
    pub fn checks(&self, a: usize, b: usize) -> Checks {
        let (pa, pb) = (self.people[a], self.people[b]);
        let (jr, sr) = self.orient(a, b).unwrap_or((a, b));
        let (pj, ps) = (self.people[jr], self.people[sr]);
        let gap = i32::from(ps.years) - i32::from(pj.years);
        Checks {
            paused: pa.paused || pb.paused,
            same_side: self.side[a] == self.side[b],
            reports_to: self.boss[a] == Some(b as u32) || self.boss[b] == Some(a as u32),
            previous: self.previous[a].binary_search(&(b as u32)).is_ok(),
            excluded: self.excluded[a].binary_search(&(b as u32)).is_ok(),
            no_capacity: ps.capacity == 0,
            hours: pa.hours_per_month < self.cfg.min_hours
                || pb.hours_per_month < self.cfg.min_hours,
            gap: gap < i32::from(self.cfg.min_gap_years),
            up: self.common(jr, sr),
            down: self.common(sr, jr),
        }
    }

    /// Score parts of `(a, b)` ignoring hard rules (given up/down counts).
    fn parts(&self, a: usize, b: usize, up: u32, down: u32) -> Parts {
        let (pa, pb) = (self.people[a], self.people[b]);
        let w = &self.cfg.weights;
        let cross_group = self.group[a] != self.group[b];
        let same_hours = pa.hours_per_month == pb.hours_per_month;
        let same_cadence = pa.cadence == pb.cadence;
        let overlap_minutes = overlap_minutes(
            pa.utc_offset_minutes,
            pb.utc_offset_minutes,
            self.cfg.work_day_minutes,
        );
        let total = w.teach_up * i64::from(up)
            + w.teach_down * i64::from(down)
            + w.balance * i64::from(up.min(down))
            + if cross_group { w.cross_group } else { 0 }
            + if same_hours { w.same_hours } else { 0 }
            + if same_cadence { w.same_cadence } else { 0 }
            + w.overlap_per_hour * i64::from(overlap_minutes / 60);
        Parts {
            up,
            down,
            cross_group,
            same_hours,
            same_cadence,
            overlap_minutes,
            total,
        }
    }

    /// The round's minimum hours a month.
    pub fn min_hours(&self) -> u8 {
        self.cfg.min_hours
    }

    /// Score `(a, b)` would get from its skills, hours, cadence, groups and
    /// time zones, ignoring hard rules.
    pub fn skill_score(&self, a: usize, b: usize, c: &Checks) -> i64 {
        self.parts(a, b, c.up, c.down).total
    }

    /// Hard rules in [`Forbidden`] declaration order, then the score.
    pub fn verdict(&self, a: usize, b: usize) -> Result<Parts, Forbidden> {
        if a == b {
            return Err(Forbidden::SamePerson);
        }
        let c = self.checks(a, b);
        let first = [
            (c.paused, Forbidden::Paused),
            (c.same_side, Forbidden::SameSide),
            (c.reports_to, Forbidden::ReportsTo),
            (c.previous, Forbidden::PreviousPair),
            (c.excluded, Forbidden::Excluded),
            (c.no_capacity, Forbidden::NoCapacity),
            (c.hours, Forbidden::NotEnoughHours),
            (c.gap, Forbidden::SeniorityGap),
            (c.up == 0 && c.down == 0, Forbidden::NoSkillMatch),
            (c.up == 0, Forbidden::NothingForSenior),
            (c.down == 0, Forbidden::NothingForReverseMentor),
        ]
        .into_iter()
        .find(|(broken, _)| *broken);
        if let Some((_, f)) = first {
            return Err(f);
        }
        let parts = self.parts(a, b, c.up, c.down);
        if parts.total <= 0 {
            return Err(Forbidden::ScoreNotPositive);
        }
        Ok(parts)
    }

    /// Scores of `a` against each of `others` (all on the other side of
    /// `a`, sorted ascending): the pair's total where every hard rule
    /// passes, else 0. Writes into `out` (same length as `others`). Gives
    /// the same numbers as [`Self::verdict`] (checked by tests) but is
    /// written branch-free over struct-of-arrays data for whole cohorts.
    pub fn weights_against(&self, a: usize, others: &[usize], out: &mut [i64]) {
        debug_assert_eq!(others.len(), out.len());
        if self.side[a] == Side::ReverseMentor {
            self.weights_inner::<true>(a, others, out);
        } else {
            self.weights_inner::<false>(a, others, out);
        }
        for &b in &self.blocked[a] {
            if let Ok(k) = others.binary_search(&(b as usize)) {
                out[k] = 0;
            }
        }
    }

    /// Relationship rules are left to the caller. `A_JUNIOR`: whether `a`
    /// is the reverse mentor of each pair.
    fn weights_inner<const A_JUNIOR: bool>(&self, a: usize, others: &[usize], out: &mut [i64]) {
        let words = self.words;
        let me = &self.packed[a];
        let (at, al) = (
            Self::mask(&self.teach, a, words),
            Self::mask(&self.learn, a, words),
        );
        for (o, &x) in out.iter_mut().zip(others) {
            let other = &self.packed[x];
            // a teaches x / x teaches a.
            let (a_to_x, x_to_a) = if words == 1 {
                (
                    (me.teach & other.learn).count_ones(),
                    (other.teach & me.learn).count_ones(),
                )
            } else {
                let (xt, xl) = (
                    Self::mask(&self.teach, x, words),
                    Self::mask(&self.learn, x, words),
                );
                (
                    at.iter().zip(xl).map(|(p, q)| (p & q).count_ones()).sum(),
                    xt.iter().zip(al).map(|(p, q)| (p & q).count_ones()).sum(),
                )
            };
            *o = if A_JUNIOR {
                self.packed_total(me, other, a_to_x, x_to_a)
            } else {
                self.packed_total(other, me, x_to_a, a_to_x)
            };
        }
    }

    /// Branch-free total of junior `j` with senior `s` (0 if a
    /// non-relationship hard rule fails).
    #[inline(always)]
    fn packed_total(&self, j: &Packed, s: &Packed, up: u32, down: u32) -> i64 {
        let w = &self.cfg.weights;
        let gap = s.years - j.years;
        let ok = j.usable
            & s.usable
            & (gap >= i32::from(self.cfg.min_gap_years))
            & (up > 0)
            & (down > 0);
        let overlap = overlap_minutes(j.offset, s.offset, self.cfg.work_day_minutes);
        let total = w.teach_up * i64::from(up)
            + w.teach_down * i64::from(down)
            + w.balance * i64::from(up.min(down))
            + w.cross_group * i64::from(j.group != s.group)
            + w.same_hours * i64::from(j.hours == s.hours)
            + w.same_cadence * i64::from(j.cadence == s.cadence)
            + w.overlap_per_hour * i64::from(overlap / 60);
        total.clamp(0, super::solver::MAX_ABS_ENTRY) * i64::from(ok)
    }

    /// Full breakdown of an allowed pair (`parts` from [`Self::verdict`]).
    pub fn breakdown(&self, a: usize, b: usize, parts: &Parts) -> ScoreBreakdown {
        let w = &self.cfg.weights;
        let (jr, sr) = self.orient(a, b).unwrap_or((a, b));
        ScoreBreakdown {
            teach_up_skills: self.common_ids(jr, sr),
            teach_down_skills: self.common_ids(sr, jr),
            teach_up: w.teach_up * i64::from(parts.up),
            teach_down: w.teach_down * i64::from(parts.down),
            balance: w.balance * i64::from(parts.up.min(parts.down)),
            cross_group: if parts.cross_group { w.cross_group } else { 0 },
            same_hours: if parts.same_hours { w.same_hours } else { 0 },
            same_cadence: if parts.same_cadence {
                w.same_cadence
            } else {
                0
            },
            overlap: w.overlap_per_hour * i64::from(parts.overlap_minutes / 60),
            overlap_minutes: parts.overlap_minutes,
            total: parts.total,
        }
    }
}

/// Minutes two people's working days overlap, given their UTC offsets and
/// the length of the working day (both assumed to start at the same local
/// time). The offset difference is taken around the 24-hour clock.
pub fn overlap_minutes(a_offset: i32, b_offset: i32, work_day_minutes: u16) -> u32 {
    let mut diff = (i64::from(a_offset) - i64::from(b_offset)).abs();
    if diff >= 1440 {
        diff %= 1440;
    }
    let diff = diff.min(1440 - diff);
    (i64::from(work_day_minutes) - diff).max(0) as u32
}
