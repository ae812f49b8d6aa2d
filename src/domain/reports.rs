//! The program managers' summary, computed from plain data: no database, no clock, no network.
//!
//! The caller (the store layer) maps what it keeps into a [`ReportInput`] and passes the current time; [`summarize`]
//! returns a [`Summary`] that the views render ([`crate::views::summary`]) and the CLI prints.
//!
//! # What the inputs carry, and what they do not
//! The input types hold **no free text written by people**: no meeting notes, no free-text check-in answers, no
//! feedback comments. The only strings are user IDs, display names, skill IDs and labels, and the matcher's reason
//! for leaving someone unmatched (a short, system-generated phrase such as "no senior teaches what they want to
//! learn"; callers must not put anything a person typed there). Individual ratings (meeting usefulness, feedback
//! rating) are carried only to be aggregated; no output of this crate shows one.
//!
//! # Privacy rules (the "fewer than 3" rule)
//! Every figure below is *people-derived*: it is computed while counting the distinct people it was drawn from, and
//! it becomes [`Figure::FewerThan3`] when that number is 1 or 2.
//!
//! | figure | drawn from |
//! | --- | --- |
//! | enrolled, reverse mentors, senior attorneys, new this period, paused, left this period | the people counted (a count of 1 or 2 people is itself a figure from fewer than 3 people) |
//! | people waiting for a match | the people counted |
//! | main reason for waiting | the people who have that reason: the reason is shown only when at least 3 people share it, and its count only when the people waiting for other reasons are none or at least 3 |
//! | pairs active, pairs completed | both members of each pair counted (so one pair is "fewer than 3", two pairs are shown) |
//! | check-ins answered (%) | the distinct people asked in the period's check-in rounds |
//! | meetings held | the members of the pairs that held them |
//! | mentoring hours logged | the distinct people who logged them |
//! | average rating, share who would recommend | the distinct people who gave feedback |
//! | skills most wanted | a skill is listed only when at least 3 active participants want it; the number who can teach it is itself a figure |
//! | skills most exchanged | a skill is listed only when the pairs exchanging it have at least 3 distinct members |
//!
//! A count of **zero** is shown as 0 (it describes no one); a rate or average with nobody behind it is
//! [`Figure::NoData`].
//!
//! Secondary suppression, so that a hidden figure cannot be worked out from shown ones:
//! - reverse mentors + senior attorneys = enrolled, so when one side is hidden, both are;
//! - a change against the previous period is shown only when both periods' figures are shown; a change in a count
//!   of people (or of pairs, at two people each) is itself a count of people, so it is hidden when it stands for 1 or
//!   2 people; except the change in "enrolled", which (for adjacent periods) is exactly new − left: it is shown when
//!   "new" and "left" are, and hidden when either is.
//!
//! The at-risk list is the one place that names people: it names *pairs* (both display names), by design, because
//! managers act on it. It shows the days since the pair last met and nothing else; its length is therefore not
//! suppressed. Nothing here can stop someone comparing two summaries from different dates by hand.
//!
//! # Periods and history
//! Participants and pairs are today's snapshot. Figures "at the end of a period" are rebuilt from timestamps:
//! enrolled at `T` = participants who joined before `T` + departures at or after `T` (departures carry only a
//! timestamp, so someone who joined after `T` and left again is counted at `T`; and their side is unknown, so the
//! by-side figures count only people still enrolled). "Paused", "waiting" and "at risk" exist only as of now and have
//! no previous value.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The smallest number of distinct people a figure may be drawn from to be shown.
pub const MIN_PEOPLE: usize = 3;
/// How many skills the "most wanted" list keeps.
pub const MOST_WANTED_LEN: usize = 5;

// ---------------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------------

/// A half-open interval of time, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    /// Whether `t` is in `[start, end)`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// A period with no time in it: "nothing to compare with".
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

pub use crate::domain::model::{CheckinAnswer, Side};

/// Whether a participant currently takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantStatus {
    Active,
    Paused,
}

/// One enrolled person, as of now. No survey notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub user_id: String,
    pub display_name: String,
    pub side: Side,
    pub joined_at: DateTime<Utc>,
    pub status: ParticipantStatus,
    /// Skill IDs this person can teach.
    pub teaches: Vec<String>,
    /// Skill IDs this person wants to learn.
    pub learns: Vec<String>,
}

/// Someone who left the program: the time only, no ID, no side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Departure {
    pub at: DateTime<Utc>,
}

/// A pair's member. `None` in a [`Pair`] when that person has left (the store removes their ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: String,
    pub display_name: String,
}

pub use crate::domain::model::PairStatus;

/// A pair: a reverse mentor (junior) and a senior attorney.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub id: i64,
    pub junior: Option<Member>,
    pub senior: Option<Member>,
    pub status: PairStatus,
    pub created_at: DateTime<Utc>,
    /// When a completed or ended pair stopped.
    pub ended_at: Option<DateTime<Utc>>,
    pub last_met_at: Option<DateTime<Utc>>,
}

/// One person asked in a check-in round, and what they answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinResponse {
    pub user_id: String,
    /// `None`: they did not answer.
    pub answer: Option<CheckinAnswer>,
}

/// A check-in sent to a pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinRound {
    pub pair_id: i64,
    pub sent_at: DateTime<Utc>,
    pub responses: Vec<CheckinResponse>,
}

/// A meeting as one person logged it. Both members of a pair may log the same meeting (same pair, same `at`): it
/// is one meeting held, and each log is that person's own time. No notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub pair_id: i64,
    pub logged_by: String,
    pub at: DateTime<Utc>,
    pub minutes: u32,
    /// This person's own rating, 1–5. Individual: never shown, never exported.
    pub usefulness: Option<u8>,
}

/// One person's feedback at the end of a pair's plan. Counted in the period in which the pair ended. No comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub pair_id: i64,
    pub user_id: String,
    /// 1–5; individual: only ever shown as an average of at least 3 people.
    pub rating: u8,
    pub would_recommend: bool,
}

/// Someone waiting for a match, with the matcher's reason (system-generated, never typed by a person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub user_id: String,
    pub reason: String,
}

/// Meetings counted over a stretch of time: a meeting is one pair meeting once (both people logging it is still
/// one), and its length is the longest either of them logged, so hours are *hours per pair*, never summed over the
/// two people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingTotals {
    pub meetings: i64,
    pub minutes: i64,
    /// Distinct people in the pairs that met (someone who left counts as one more person).
    pub people: usize,
}

impl MeetingTotals {
    /// The totals of `meetings` (what the store counts in SQL, for data already in memory).
    pub fn of(meetings: &[Meeting], pairs: &[Pair]) -> MeetingTotals {
        let mut longest: BTreeMap<(i64, DateTime<Utc>), u32> = BTreeMap::new();
        for m in meetings {
            let e = longest.entry((m.pair_id, m.at)).or_default();
            *e = (*e).max(m.minutes);
        }
        let by_id: HashMap<i64, &Pair> = pairs.iter().map(|p| (p.id, p)).collect();
        let mut people = BTreeSet::new();
        for (pair_id, _) in longest.keys() {
            if let Some(p) = by_id.get(pair_id) {
                people.extend(pair_people(p));
            }
        }
        MeetingTotals {
            meetings: longest.len() as i64,
            minutes: longest.values().map(|m| i64::from(*m)).sum(),
            people: people.len(),
        }
    }
}

/// Skills counted over a program: what the skills market shows, before its rules (fewer than 3 people) apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillCounts {
    /// Skill ID → (distinct active participants who want to learn it, who can teach it).
    pub supply: BTreeMap<String, (usize, usize)>,
    /// Skill ID → (active, at-risk or completed pairs formed before the period's end in which one member teaches it
    /// and the other wants to learn it, the distinct people of those pairs).
    pub exchanged: BTreeMap<String, (i64, usize)>,
}

/// Everything [`summarize`] needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    /// The period reported on.
    pub period: Period,
    /// The period compared with (usually the one just before).
    pub previous: Period,
    pub participants: Vec<Participant>,
    pub departures: Vec<Departure>,
    pub pairs: Vec<Pair>,
    /// Check-ins sent since the start of the earliest window read from rows: the chart's weeks, an export's or a
    /// cohort's whole span (older ones may be left out); none when `checkin_tallies` holds the periods' figures.
    pub checkins: Vec<CheckinRound>,
    /// Meetings logged on those check-ins.
    pub meetings: Vec<Meeting>,
    pub feedback: Vec<Feedback>,
    pub waiting: Vec<Waiting>,
    /// Meetings over the program's whole history up to the period's end, counted by the store (a report reads only
    /// the check-ins of the weeks it shows).
    pub meetings_to_date: MeetingTotals,
    /// Skill ID → label. IDs missing here are shown as the ID.
    pub skills: BTreeMap<String, String>,
    /// The skills market's counts as the store counted them (a big program's participants are read without their
    /// skills); `None`: count them from `participants` and `pairs` ([`SkillCounts::of`]).
    #[serde(default)]
    pub skill_counts: Option<SkillCounts>,
    /// The check-in tallies of `period` and `previous` as the store counted them (a report reads no check-in row by
    /// row); `None`: count them from `checkins` and `meetings` ([`CheckinTally::of`]).
    #[serde(default)]
    pub checkin_tallies: Option<(CheckinTally, CheckinTally)>,
    /// The people of `period` and `previous` as the store counted them (a report reads no participant row by row);
    /// `None`: count them from `participants` ([`PeopleTally::of`]).
    #[serde(default)]
    pub people_tally: Option<PeopleTally>,
    /// The pairs and feedback of `period` and `previous` as the store counted them; `pairs` then holds only the
    /// pairs at risk, which the summary names. `None`: count them from `pairs` and `feedback` ([`PairTally::of`]).
    #[serde(default)]
    pub pair_tally: Option<PairTally>,
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------------------------

/// A figure as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Figure<T> {
    /// Drawn from at least [`MIN_PEOPLE`] people (or a count of zero).
    Value(T),
    /// Drawn from 1 or 2 people: shown as "fewer than 3".
    FewerThan3,
    /// A rate or average with nobody behind it.
    NoData,
}

impl<T: Copy> Figure<T> {
    /// The value, when it may be shown.
    pub fn value(&self) -> Option<T> {
        match self {
            Figure::Value(v) => Some(*v),
            _ => None,
        }
    }
}

impl<T> Figure<T> {
    /// Applies the rule: `None` → no data; drawn from 1–2 people → fewer than 3; otherwise the value (a count of
    /// zero, from zero people, is shown).
    pub fn from_people(value: Option<T>, people: usize) -> Figure<T> {
        match value {
            None => Figure::NoData,
            Some(_) if (1..MIN_PEOPLE).contains(&people) => Figure::FewerThan3,
            Some(v) => Figure::Value(v),
        }
    }
}

/// A figure for this period and the previous one, with the change when it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat<T> {
    pub now: Figure<T>,
    pub previous: Figure<T>,
    /// `now − previous`; `None` when either is hidden or the change itself would describe fewer than 3 people.
    pub change: Option<T>,
}

/// Who is enrolled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Enrolled at the end of the period.
    pub enrolled: Stat<i64>,
    pub reverse_mentors: Stat<i64>,
    pub seniors: Stat<i64>,
    /// Joined during the period (and still enrolled).
    pub new_this_period: Stat<i64>,
    /// Paused now.
    pub paused: Figure<i64>,
    pub left_this_period: Stat<i64>,
}

/// The commonest reason people wait for a match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonCount {
    pub reason: String,
    /// How many people give it; `FewerThan3` (though it is at least 3) when the people waiting for *other*
    /// reasons are 1 or 2, who could otherwise be counted as waiting − this.
    pub people: Figure<i64>,
}

/// Pairs and the people not yet paired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matching {
    /// Pairs running (active or at risk) at the end of the period.
    pub pairs_active: Stat<i64>,
    /// Waiting for a match now.
    pub waiting: Figure<i64>,
    /// The most common reason (ties: alphabetical); `FewerThan3` unless at least 3 people share it.
    pub main_reason: Figure<ReasonCount>,
}

/// A pair whose status is at risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtRiskPair {
    pub pair_id: i64,
    /// The reverse mentor's display name, or `None` if they have left.
    pub junior_name: Option<String>,
    pub senior_name: Option<String>,
    /// Whole days since they last met (or, if they never met, since they were paired).
    pub days_since_met: i64,
    pub never_met: bool,
}

/// What happened in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Share of people asked in the period's check-ins who answered, in whole percent.
    pub checkins_answered_pct: Stat<i64>,
    pub meetings_held: Stat<i64>,
    /// Hours per pair (see [`MeetingTotals`]), one decimal.
    pub hours_logged: Stat<f64>,
    /// Every at-risk pair, longest since meeting first (the views cut the list).
    pub at_risk: Vec<AtRiskPair>,
}

/// How pairs ended up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Pairs completed during the period.
    pub pairs_completed: Stat<i64>,
    /// Average feedback rating (1–5, one decimal) of pairs that ended in the period.
    pub average_rating: Stat<f64>,
    /// Share of feedback givers who would recommend the program, in whole percent.
    pub recommend_pct: Stat<i64>,
}

/// A skill more people want to learn than can teach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillGap {
    pub skill_id: String,
    pub label: String,
    /// Active participants who want to learn it (always at least 3).
    pub wanted_by: i64,
    /// Active participants who can teach it.
    pub taught_by: Figure<i64>,
}

/// A skill being exchanged in pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillExchange {
    pub skill_id: String,
    pub label: String,
    /// Pairs (active, at risk or completed) in which one member teaches it to the other.
    pub pairs: i64,
}

/// The program from its first enrolment to the end of the period: what managers mean by "so far".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramToDate {
    /// The day the first person joined (`None` before anyone has).
    pub since: Option<NaiveDate>,
    /// Everyone who ever joined, including those who left since.
    pub joined: Figure<i64>,
    pub pairs_formed: Figure<i64>,
    pub meetings: Figure<i64>,
    /// Hours per pair (see [`MeetingTotals`]), one decimal.
    pub hours: Figure<f64>,
    pub pairs_completed: Figure<i64>,
    pub average_rating: Figure<f64>,
    pub recommend_pct: Figure<i64>,
}

/// Supply and demand of skills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillsMarket {
    /// At most [`MOST_WANTED_LEN`], biggest gap (wanted − taught) first.
    pub most_wanted: Vec<SkillGap>,
    /// Further skills with a gap that could be listed.
    pub most_wanted_more: usize,
    /// Every skill that may be shown, most pairs first (the views cut the list).
    pub most_exchanged: Vec<SkillExchange>,
}

/// The managers' summary. Holds no free text, no individual rating and no ID; names appear only in
/// [`Activity::at_risk`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub period: Period,
    pub previous: Period,
    pub generated_at: DateTime<Utc>,
    pub enrolment: Enrolment,
    pub matching: Matching,
    pub activity: Activity,
    pub outcomes: Outcomes,
    /// The program from its start to the end of the period.
    pub to_date: ProgramToDate,
    pub skills: SkillsMarket,
}

/// One week of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekPoint {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    pub meetings: u32,
    pub active_pairs: u32,
}

// ---------------------------------------------------------------------------------------------------------------
// Computing
// ---------------------------------------------------------------------------------------------------------------

/// A value with the distinct people it was drawn from.
struct Drawn<T> {
    value: Option<T>,
    people: usize,
}

impl<T> Drawn<T> {
    fn figure(self) -> Figure<T> {
        Figure::from_people(self.value, self.people)
    }
}

/// A count of people: the value is the number of people.
fn people_count(n: usize) -> Drawn<i64> {
    Drawn {
        value: Some(n as i64),
        people: n,
    }
}

/// How many people one unit of a count stands for, for the rule on changes.
#[derive(Clone, Copy)]
enum Unit {
    /// Counts of people: a change of 1 or 2 is hidden.
    People,
    /// Counts of pairs: a change of 1 pair (2 people) is hidden.
    Pairs,
    /// Rates, averages, meetings and hours: the change is shown whenever both figures are.
    Aggregate,
}

fn count_stat(now: Drawn<i64>, previous: Drawn<i64>, unit: Unit) -> Stat<i64> {
    let (now, previous) = (now.figure(), previous.figure());
    let change = match (now, previous) {
        (Figure::Value(a), Figure::Value(b)) => {
            let d = a - b;
            let people = match unit {
                Unit::People => d.unsigned_abs() as usize,
                Unit::Pairs => 2 * d.unsigned_abs() as usize,
                Unit::Aggregate => MIN_PEOPLE,
            };
            (d == 0 || people >= MIN_PEOPLE).then_some(d)
        }
        _ => None,
    };
    Stat {
        now,
        previous,
        change,
    }
}

fn decimal_stat(now: Drawn<f64>, previous: Drawn<f64>) -> Stat<f64> {
    let (now, previous) = (now.figure(), previous.figure());
    let change = match (now, previous) {
        (Figure::Value(a), Figure::Value(b)) => Some(round1(a - b)),
        _ => None,
    };
    Stat {
        now,
        previous,
        change,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `part / whole` in whole percent, rounded half up.
fn percent(part: usize, whole: usize) -> i64 {
    ((part * 200 + whole) / (2 * whole)) as i64
}

/// The people of a pair: member IDs, or a stand-in for a member who left (still a distinct person).
/// Distinct people, counted only as far as the privacy rule reads them: 0, 1, 2, or "3 or more" (a figure is
/// hidden when drawn from 1 or 2 people). Once three are known it stops looking, so a figure over thousands of pairs
/// costs no set of thousands of names.
#[derive(Debug, Default)]
struct FewPeople(Vec<String>);

impl FewPeople {
    fn full(&self) -> bool {
        self.0.len() >= MIN_PEOPLE
    }

    fn add(&mut self, who: &str) {
        if !self.full() && !self.0.iter().any(|p| p == who) {
            self.0.push(who.to_string());
        }
    }

    /// The two people of `pair` (see [`pair_people`]), looked at only while fewer than three are known.
    fn add_pair(&mut self, pair: &Pair) {
        if !self.full() {
            for who in pair_people(pair) {
                self.add(&who);
            }
        }
    }

    /// At most [`MIN_PEOPLE`]: enough for [`Figure::from_people`].
    fn len(&self) -> usize {
        self.0.len()
    }
}

fn pair_people(pair: &Pair) -> [String; 2] {
    let who = |m: &Option<Member>, side: &str| match m {
        Some(m) => m.user_id.clone(),
        None => format!("\u{0}left:{}:{side}", pair.id),
    };
    [who(&pair.junior, "junior"), who(&pair.senior, "senior")]
}

fn running_at(pair: &Pair, t: DateTime<Utc>) -> bool {
    if pair.created_at >= t {
        return false;
    }
    match (pair.status, pair.ended_at) {
        (_, Some(end)) => end >= t,
        (PairStatus::Active | PairStatus::AtRisk, None) => true,
        // Completed or ended without a date: not running.
        (_, None) => false,
    }
}

/// People of one side and status, counted for the enrolment figures. The store counts them in SQL by role and years
/// of practice (a big firm's participants are not read one by one); [`PeopleTally::of`] makes one group per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeopleGroup {
    pub side: Side,
    /// Paused now.
    pub paused: bool,
    /// How many people the group holds.
    pub people: i64,
    /// How many joined before the end of the period, and before the end of the one compared with.
    pub enrolled: [i64; 2],
    /// How many joined in the period, and in the one compared with.
    pub joined: [i64; 2],
    /// When the first of those who joined before the end of the period joined.
    pub first_joined: Option<DateTime<Utc>>,
}

/// What the enrolment figures read of the people enrolled now (those who left are [`Departure`]s): the store's
/// count ([`PeopleTally::of_groups`]), or [`PeopleTally::of`] the participants in memory (tested equal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleTally {
    /// Joined before the end of the period, and before the end of the one compared with.
    pub enrolled: [i64; 2],
    /// Of those, reverse mentors and seniors (by their side now).
    pub reverse_mentors: [i64; 2],
    pub seniors: [i64; 2],
    /// Joined in the period, and in the one compared with.
    pub joined: [i64; 2],
    /// Paused now.
    pub paused: i64,
    /// When the first person enrolled now joined, if before the end of the period.
    pub first_joined: Option<DateTime<Utc>>,
}

impl PeopleTally {
    /// The sum of `groups`.
    pub fn of_groups(groups: impl IntoIterator<Item = PeopleGroup>) -> PeopleTally {
        let mut t = PeopleTally::default();
        for g in groups {
            let side = match g.side {
                Side::ReverseMentor => &mut t.reverse_mentors,
                Side::Senior => &mut t.seniors,
            };
            for (k, enrolled) in g.enrolled.into_iter().enumerate() {
                t.enrolled[k] += enrolled;
                side[k] += enrolled;
                t.joined[k] += g.joined[k];
            }
            if g.paused {
                t.paused += g.people;
            }
            t.first_joined = match (t.first_joined, g.first_joined) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        t
    }

    /// The tally of `participants` for the period `cur`, compared with `prev`.
    pub fn of(participants: &[Participant], cur: &Period, prev: &Period) -> PeopleTally {
        PeopleTally::of_groups(participants.iter().map(|p| PeopleGroup {
            side: p.side,
            paused: p.status == ParticipantStatus::Paused,
            people: 1,
            enrolled: [
                i64::from(p.joined_at < cur.end),
                i64::from(p.joined_at < prev.end),
            ],
            joined: [
                i64::from(cur.contains(p.joined_at)),
                i64::from(prev.contains(p.joined_at)),
            ],
            first_joined: (p.joined_at < cur.end).then_some(p.joined_at),
        }))
    }
}

/// A number of pairs and the distinct people in them, counted to [`MIN_PEOPLE`] (a member who left is one more
/// person).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairCount {
    pub pairs: i64,
    pub people: usize,
}

impl PairCount {
    fn of<'a>(pairs: impl Iterator<Item = &'a Pair>) -> PairCount {
        let mut n = 0;
        let mut people = FewPeople::default();
        for p in pairs {
            n += 1;
            people.add_pair(p);
        }
        PairCount {
            pairs: n,
            people: people.len(),
        }
    }

    fn drawn(self) -> Drawn<i64> {
        Drawn {
            value: Some(self.pairs),
            people: self.people,
        }
    }
}

/// Closing feedback on some pairs: how many gave it, their ratings summed, how many would recommend the program, and
/// the distinct people who gave it, counted to [`MIN_PEOPLE`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackCount {
    pub given: i64,
    pub ratings: i64,
    pub recommend: i64,
    pub people: usize,
}

impl FeedbackCount {
    fn of(fb: &[&Feedback]) -> FeedbackCount {
        FeedbackCount {
            given: fb.len() as i64,
            ratings: fb.iter().map(|f| i64::from(f.rating)).sum(),
            recommend: fb.iter().filter(|f| f.would_recommend).count() as i64,
            people: distinct_givers(fb).min(MIN_PEOPLE),
        }
    }
}

/// What the pair and outcome figures read of the pairs and their feedback: the store's count (in SQL), or
/// [`PairTally::of`] the pairs in memory (tested equal). Index 0 is the period, 1 the one compared with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairTally {
    /// Running at the end of each period.
    pub active: [PairCount; 2],
    /// Completed in each period.
    pub completed: [PairCount; 2],
    /// Formed before the end of the period.
    pub formed: PairCount,
    /// Of those, completed before the end of the period.
    pub completed_to_date: PairCount,
    /// Feedback on the pairs that ended in each period (completed or not).
    pub feedback: [FeedbackCount; 2],
    /// Feedback on the pairs formed and ended before the end of the period.
    pub feedback_to_date: FeedbackCount,
}

impl PairTally {
    /// The tally of `pairs` and `feedback` for the period `cur`, compared with `prev`.
    pub fn of(pairs: &[Pair], feedback: &[Feedback], cur: &Period, prev: &Period) -> PairTally {
        let completed_in = |period: &Period| {
            PairCount::of(pairs.iter().filter(|p| {
                p.status == PairStatus::Completed && p.ended_at.is_some_and(|t| period.contains(t))
            }))
        };
        let ended_at: HashMap<i64, Option<DateTime<Utc>>> =
            pairs.iter().map(|p| (p.id, p.ended_at)).collect();
        let ended_in = |period: &Period| {
            let fb: Vec<&Feedback> = feedback
                .iter()
                .filter(|f| {
                    ended_at
                        .get(&f.pair_id)
                        .copied()
                        .flatten()
                        .is_some_and(|t| period.contains(t))
                })
                .collect();
            FeedbackCount::of(&fb)
        };
        let end = cur.end;
        PairTally {
            active: [
                PairCount::of(pairs.iter().filter(|p| running_at(p, cur.end))),
                PairCount::of(pairs.iter().filter(|p| running_at(p, prev.end))),
            ],
            completed: [completed_in(cur), completed_in(prev)],
            formed: PairCount::of(pairs.iter().filter(|p| p.created_at < end)),
            completed_to_date: PairCount::of(pairs.iter().filter(|p| {
                p.created_at < end
                    && p.status == PairStatus::Completed
                    && p.ended_at.is_some_and(|t| t < end)
            })),
            feedback: [ended_in(cur), ended_in(prev)],
            feedback_to_date: {
                let ids: HashSet<i64> = pairs
                    .iter()
                    .filter(|p| p.created_at < end && p.ended_at.is_some_and(|t| t < end))
                    .map(|p| p.id)
                    .collect();
                let fb: Vec<&Feedback> = feedback
                    .iter()
                    .filter(|f| ids.contains(&f.pair_id))
                    .collect();
                FeedbackCount::of(&fb)
            },
        }
    }
}

/// The people and pair tallies of `input`'s periods: the store's, or counted from its rows.
fn tallies(input: &ReportInput) -> (PeopleTally, PairTally) {
    let (cur, prev) = (&input.period, &input.previous);
    (
        input
            .people_tally
            .unwrap_or_else(|| PeopleTally::of(&input.participants, cur, prev)),
        input
            .pair_tally
            .unwrap_or_else(|| PairTally::of(&input.pairs, &input.feedback, cur, prev)),
    )
}

fn people_figure(n: i64) -> Drawn<i64> {
    people_count(usize::try_from(n).unwrap_or(0))
}

/// Enrolled at the end of period `k` (0: the period, 1: the one compared with): those still here who had joined,
/// and those who left after it.
fn enrolled_at(input: &ReportInput, people: &PeopleTally, k: usize) -> Drawn<i64> {
    let t = [input.period.end, input.previous.end][k];
    let since_left = input.departures.iter().filter(|d| d.at >= t).count();
    people_count(usize::try_from(people.enrolled[k]).unwrap_or(0) + since_left)
}

fn left_in(input: &ReportInput, period: &Period) -> Drawn<i64> {
    people_count(
        input
            .departures
            .iter()
            .filter(|d| period.contains(d.at))
            .count(),
    )
}

fn pairs_count<'a>(pairs: impl Iterator<Item = &'a Pair>) -> Drawn<i64> {
    PairCount::of(pairs).drawn()
}

/// What one period's check-ins add up to: everything the activity figures (check-ins answered, meetings held, hours
/// logged) read. The store counts it in SQL for a report (`Store::checkin_tally`: no check-in is read row by row);
/// [`CheckinTally::of`] counts it from check-ins in memory. People are counted only to [`MIN_PEOPLE`], as far as the
/// privacy rule reads them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinTally {
    /// Answers a period's check-ins asked for: one per answer given, plus one per member of the pair who gave none.
    pub asked: i64,
    /// Of those, answers given.
    pub answered: i64,
    /// The distinct people asked (0, 1, 2 or 3 for "3 or more").
    pub asked_people: usize,
    /// Meetings: pairs that said "we met" at a check-in (both saying it is one meeting).
    pub meetings: i64,
    /// The distinct people of the pairs that met (to 3).
    pub meeting_people: usize,
    /// Each meeting's length, the longest either person logged, summed.
    pub minutes: i64,
    /// The distinct people who logged a meeting (to 3).
    pub loggers: usize,
}

impl CheckinTally {
    /// The tally of the check-ins in `input` sent in `period` (the store's count in SQL, for data already in
    /// memory).
    pub fn of(input: &ReportInput, period: &Period) -> CheckinTally {
        let mut t = CheckinTally::default();
        let mut asked = FewPeople::default();
        for round in input.checkins.iter().filter(|r| period.contains(r.sent_at)) {
            for r in &round.responses {
                t.asked += 1;
                if r.answer.is_some() {
                    t.answered += 1;
                }
                asked.add(&r.user_id);
            }
        }
        t.asked_people = asked.len();
        let pairs: HashMap<i64, &Pair> = input.pairs.iter().map(|p| (p.id, p)).collect();
        let mut longest: HashMap<(i64, DateTime<Utc>), u32> = HashMap::new();
        let (mut met, mut loggers) = (FewPeople::default(), FewPeople::default());
        for m in input.meetings.iter().filter(|m| period.contains(m.at)) {
            let e = longest.entry((m.pair_id, m.at)).or_default();
            *e = (*e).max(m.minutes);
            match pairs.get(&m.pair_id) {
                Some(p) => met.add_pair(p),
                None => met.add(&m.logged_by),
            }
            loggers.add(&m.logged_by);
        }
        t.meetings = longest.len() as i64;
        t.minutes = longest.values().map(|m| i64::from(*m)).sum();
        t.meeting_people = met.len();
        t.loggers = loggers.len();
        t
    }

    fn answered_pct(&self) -> Drawn<i64> {
        Drawn {
            value: (self.asked > 0).then(|| {
                percent(
                    usize::try_from(self.answered).unwrap_or(0),
                    usize::try_from(self.asked).unwrap_or(1),
                )
            }),
            people: self.asked_people,
        }
    }

    fn meetings_held(&self) -> Drawn<i64> {
        Drawn {
            value: Some(self.meetings),
            people: self.meeting_people,
        }
    }

    /// Hours per pair: each meeting counts once, for the longest time either person logged.
    fn hours_logged(&self) -> Drawn<f64> {
        Drawn {
            value: Some(hours(u64::try_from(self.minutes).unwrap_or(0))),
            people: self.loggers,
        }
    }
}

/// The tallies of the period reported on and the one compared with: the store's, or counted from `input`.
fn checkin_tallies(input: &ReportInput) -> (CheckinTally, CheckinTally) {
    input.checkin_tallies.unwrap_or_else(|| {
        (
            CheckinTally::of(input, &input.period),
            CheckinTally::of(input, &input.previous),
        )
    })
}

fn hours(minutes: u64) -> f64 {
    round1(minutes as f64 / 60.0)
}

/// The program from its start to `end`.
fn program_to_date(input: &ReportInput, people: &PeopleTally, pairs: &PairTally) -> ProgramToDate {
    let end = input.period.end;
    let left_before = input.departures.iter().filter(|d| d.at < end).count();
    let totals = &input.meetings_to_date;
    let met = |value| Drawn {
        value: Some(value),
        people: totals.people,
    };
    ProgramToDate {
        since: people
            .first_joined
            .into_iter()
            .chain(input.departures.iter().map(|d| d.at))
            .filter(|t| *t < end)
            .min()
            .map(|t| t.date_naive()),
        // Departures are anonymous, but each was a person who joined.
        joined: people_count(usize::try_from(people.enrolled[0]).unwrap_or(0) + left_before)
            .figure(),
        pairs_formed: pairs.formed.drawn().figure(),
        meetings: met(totals.meetings).figure(),
        hours: Drawn {
            value: Some(hours(u64::try_from(totals.minutes).unwrap_or(0))),
            people: totals.people,
        }
        .figure(),
        pairs_completed: pairs.completed_to_date.drawn().figure(),
        average_rating: average_rating(&pairs.feedback_to_date).figure(),
        recommend_pct: recommend_pct(&pairs.feedback_to_date).figure(),
    }
}

fn distinct_givers(fb: &[&Feedback]) -> usize {
    fb.iter()
        .map(|f| f.user_id.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

fn average_rating(fb: &FeedbackCount) -> Drawn<f64> {
    Drawn {
        value: (fb.given > 0).then(|| round1(fb.ratings as f64 / fb.given as f64)),
        people: fb.people,
    }
}

fn recommend_pct(fb: &FeedbackCount) -> Drawn<i64> {
    Drawn {
        value: (fb.given > 0).then(|| {
            percent(
                usize::try_from(fb.recommend).unwrap_or(0),
                usize::try_from(fb.given).unwrap_or(1),
            )
        }),
        people: fb.people,
    }
}

fn label(input: &ReportInput, id: &str) -> String {
    input
        .skills
        .get(id)
        .cloned()
        .unwrap_or_else(|| id.to_string())
}

impl SkillCounts {
    /// The counts from what is in memory: the participants' skills (active people only) and the pairs created
    /// before `before` (what the store counts in SQL for a big program; the two are tested equal).
    pub fn of(input: &ReportInput, before: DateTime<Utc>) -> SkillCounts {
        let mut supply: BTreeMap<String, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
        for p in input
            .participants
            .iter()
            .filter(|p| p.status == ParticipantStatus::Active)
        {
            for s in &p.learns {
                supply.entry(s.clone()).or_default().0.insert(&p.user_id);
            }
            for s in &p.teaches {
                supply.entry(s.clone()).or_default().1.insert(&p.user_id);
            }
        }
        let by_id: HashMap<&str, &Participant> = input
            .participants
            .iter()
            .map(|p| (p.user_id.as_str(), p))
            .collect();
        let person = |m: &Option<Member>| {
            m.as_ref()
                .and_then(|m| by_id.get(m.user_id.as_str()).copied())
        };
        let mut exchanged: BTreeMap<String, (i64, BTreeSet<String>)> = BTreeMap::new();
        for pair in input.pairs.iter().filter(|p| {
            p.created_at < before
                && matches!(
                    p.status,
                    PairStatus::Active | PairStatus::AtRisk | PairStatus::Completed
                )
        }) {
            let (j, s) = (person(&pair.junior), person(&pair.senior));
            let mut skills = BTreeSet::new();
            if let (Some(j), Some(s)) = (j, s) {
                for (teacher, learner) in [(j, s), (s, j)] {
                    skills.extend(
                        teacher
                            .teaches
                            .iter()
                            .filter(|t| learner.learns.contains(t))
                            .cloned(),
                    );
                }
            }
            for skill in skills {
                let e = exchanged.entry(skill).or_default();
                e.0 += 1;
                e.1.extend(pair_people(pair));
            }
        }
        SkillCounts {
            supply: supply
                .into_iter()
                .map(|(id, (wanted, taught))| (id, (wanted.len(), taught.len())))
                .collect(),
            exchanged: exchanged
                .into_iter()
                .map(|(id, (pairs, people))| (id, (pairs, people.len())))
                .collect(),
        }
    }
}

/// The skills market counted from one row per person (their skill IDs) and the pairs as user-ID pairs: what the
/// store feeds a big program through, without the people or pairs of a [`ReportInput`]. People and skills are kept
/// as small numbers, so a program of 20,000 people takes a few megabytes. Equal to [`SkillCounts::of`] (tested).
#[derive(Debug, Default)]
pub struct SkillTally {
    people: HashMap<String, u32>,
    skill_ids: HashMap<String, u16>,
    skills: Vec<String>,
    /// Per person (by index): the skills they teach, and want to learn, sorted.
    teaches: Vec<Vec<u16>>,
    learns: Vec<Vec<u16>>,
    /// Per skill: (distinct active people who want it, who teach it).
    supply: Vec<(usize, usize)>,
}

impl SkillTally {
    fn skill(&mut self, id: &str) -> u16 {
        if let Some(&n) = self.skill_ids.get(id) {
            return n;
        }
        let n = u16::try_from(self.skills.len()).unwrap_or(u16::MAX);
        self.skill_ids.insert(id.to_string(), n);
        self.skills.push(id.to_string());
        self.supply.push((0, 0));
        n
    }

    /// One person's skills; `active`: not paused (only active people count in supply and demand). A person given
    /// twice keeps the first.
    pub fn person<'a>(
        &mut self,
        user_id: &str,
        teaches: impl IntoIterator<Item = &'a str>,
        learns: impl IntoIterator<Item = &'a str>,
        active: bool,
    ) {
        if self.people.contains_key(user_id) {
            return;
        }
        let mut ids = |list: &mut dyn Iterator<Item = &'a str>| {
            let mut v: Vec<u16> = list.map(|s| self.skill(s)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let t = ids(&mut teaches.into_iter());
        let l = ids(&mut learns.into_iter());
        if active {
            for &k in &l {
                self.supply[usize::from(k)].0 += 1;
            }
            for &k in &t {
                self.supply[usize::from(k)].1 += 1;
            }
        }
        let n = u32::try_from(self.teaches.len()).unwrap_or(u32::MAX);
        self.people.insert(user_id.to_string(), n);
        self.teaches.push(t);
        self.learns.push(l);
    }

    /// The counts, with `pairs` (junior, senior user IDs) as the pairs that may exchange skills: the caller has
    /// chosen them (active, at risk or completed, formed before the period's end). A member with no row counts as
    /// teaching and learning nothing.
    pub fn counts<'a>(self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> SkillCounts {
        let common = |a: &[u16], b: &[u16], out: &mut Vec<u16>| {
            out.extend(a.iter().filter(|k| b.binary_search(k).is_ok()));
        };
        let mut exchanged: Vec<(i64, Vec<u32>)> = vec![(0, Vec::new()); self.skills.len()];
        let mut shared = Vec::new();
        for (junior, senior) in pairs {
            let (Some(&j), Some(&s)) = (self.people.get(junior), self.people.get(senior)) else {
                continue;
            };
            let (ju, su) = (j as usize, s as usize);
            shared.clear();
            common(&self.teaches[ju], &self.learns[su], &mut shared);
            common(&self.teaches[su], &self.learns[ju], &mut shared);
            shared.sort_unstable();
            shared.dedup();
            for &k in &shared {
                let e = &mut exchanged[usize::from(k)];
                e.0 += 1;
                e.1.extend([j, s]);
            }
        }
        let mut counts = SkillCounts::default();
        for (k, id) in self.skills.iter().enumerate() {
            let (wanted, taught) = self.supply[k];
            if wanted + taught > 0 {
                counts.supply.insert(id.clone(), (wanted, taught));
            }
            let (n, people) = &mut exchanged[k];
            if *n > 0 {
                people.sort_unstable();
                people.dedup();
                counts.exchanged.insert(id.clone(), (*n, people.len()));
            }
        }
        counts
    }
}

fn skills_market(input: &ReportInput, counts: &SkillCounts) -> SkillsMarket {
    // Demand and supply among active (not paused) participants; each person counts once per skill.
    let mut gaps: Vec<(i64, i64, String, SkillGap)> = counts
        .supply
        .iter()
        .filter(|&(_, &(w, t))| w > t && w >= MIN_PEOPLE)
        .map(|(id, &(w, t))| {
            let label = label(input, id);
            (
                (w - t) as i64,
                w as i64,
                label.clone(),
                SkillGap {
                    skill_id: id.to_string(),
                    label,
                    wanted_by: w as i64,
                    taught_by: people_count(t).figure(),
                },
            )
        })
        .collect();
    gaps.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let most_wanted_more = gaps.len().saturating_sub(MOST_WANTED_LEN);
    let most_wanted = gaps
        .into_iter()
        .take(MOST_WANTED_LEN)
        .map(|g| g.3)
        .collect();

    // Exchanged: in each active, at-risk or completed pair, a skill one of them teaches and the other wants.
    let mut most_exchanged: Vec<SkillExchange> = counts
        .exchanged
        .iter()
        .filter(|(_, (_, people))| *people >= MIN_PEOPLE)
        .map(|(id, (n, _))| SkillExchange {
            label: label(input, id),
            skill_id: id.clone(),
            pairs: *n,
        })
        .collect();
    most_exchanged.sort_by(|a, b| b.pairs.cmp(&a.pairs).then(a.label.cmp(&b.label)));
    SkillsMarket {
        most_wanted,
        most_wanted_more,
        most_exchanged,
    }
}

fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_days().max(0)
}

/// Computes the managers' summary for `input.period`, compared with `input.previous`. `now` is the time of the
/// snapshot (what is paused, waiting or at risk now; days since pairs met). Pure and deterministic.
pub fn summarize(input: &ReportInput, now: DateTime<Utc>) -> Summary {
    let (cur, prev) = (&input.period, &input.previous);
    let (people, pairs) = tallies(input);

    // Enrolment.
    let new_this_period = count_stat(
        people_figure(people.joined[0]),
        people_figure(people.joined[1]),
        Unit::People,
    );
    let left_this_period = count_stat(left_in(input, cur), left_in(input, prev), Unit::People);
    // With adjacent periods the change in "enrolled" is exactly new − left: shown when both of those are.
    let adjacent = prev.end == cur.start;
    let mut enrolled = count_stat(
        enrolled_at(input, &people, 0),
        enrolled_at(input, &people, 1),
        if adjacent {
            Unit::Aggregate
        } else {
            Unit::People
        },
    );
    if !matches!(new_this_period.now, Figure::Value(_))
        || !matches!(left_this_period.now, Figure::Value(_))
    {
        enrolled.change = None;
    }
    let mut reverse_mentors = count_stat(
        people_figure(people.reverse_mentors[0]),
        people_figure(people.reverse_mentors[1]),
        Unit::People,
    );
    let mut seniors = count_stat(
        people_figure(people.seniors[0]),
        people_figure(people.seniors[1]),
        Unit::People,
    );
    // One side hidden means both are: the other is the total minus the shown one.
    for which in [0, 1] {
        let (r, s) = if which == 0 {
            (&mut reverse_mentors.now, &mut seniors.now)
        } else {
            (&mut reverse_mentors.previous, &mut seniors.previous)
        };
        if *r == Figure::FewerThan3 || *s == Figure::FewerThan3 {
            *r = Figure::FewerThan3;
            *s = Figure::FewerThan3;
        }
    }
    for stat in [&mut reverse_mentors, &mut seniors] {
        if stat.now.value().is_none() || stat.previous.value().is_none() {
            stat.change = None;
        }
    }
    let paused = people_figure(people.paused).figure();

    // Matching.
    let pairs_active = count_stat(
        pairs.active[0].drawn(),
        pairs.active[1].drawn(),
        Unit::Pairs,
    );
    let waiting = people_count(input.waiting.len()).figure();
    let mut reasons: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for w in &input.waiting {
        reasons.entry(&w.reason).or_default().insert(&w.user_id);
    }
    // Most people first; ties go to the alphabetically first reason (BTreeMap order, stable max). Its count is
    // hidden when the people waiting for other reasons are 1 or 2 (waiting − main would reveal them).
    let main_reason = reasons
        .iter()
        .rev()
        .max_by_key(|(_, who)| who.len())
        .map(|(reason, who)| {
            let rest = input.waiting.len() - who.len();
            Drawn {
                value: Some(ReasonCount {
                    reason: reason.to_string(),
                    people: if (1..MIN_PEOPLE).contains(&rest) {
                        Figure::FewerThan3
                    } else {
                        Figure::Value(who.len() as i64)
                    },
                }),
                people: who.len(),
            }
        })
        .map_or(Figure::NoData, Drawn::figure);

    // Activity.
    let mut at_risk: Vec<AtRiskPair> = input
        .pairs
        .iter()
        .filter(|p| p.status == PairStatus::AtRisk)
        .map(|p| AtRiskPair {
            pair_id: p.id,
            junior_name: p.junior.as_ref().map(|m| m.display_name.clone()),
            senior_name: p.senior.as_ref().map(|m| m.display_name.clone()),
            days_since_met: days_between(p.last_met_at.unwrap_or(p.created_at), now),
            never_met: p.last_met_at.is_none(),
        })
        .collect();
    at_risk.sort_by(|a, b| {
        b.days_since_met
            .cmp(&a.days_since_met)
            .then(a.pair_id.cmp(&b.pair_id))
    });
    let (tally_now, tally_prev) = checkin_tallies(input);
    let activity = Activity {
        checkins_answered_pct: count_stat(
            tally_now.answered_pct(),
            tally_prev.answered_pct(),
            Unit::Aggregate,
        ),
        meetings_held: count_stat(
            tally_now.meetings_held(),
            tally_prev.meetings_held(),
            Unit::Aggregate,
        ),
        hours_logged: decimal_stat(tally_now.hours_logged(), tally_prev.hours_logged()),
        at_risk,
    };

    // Outcomes.
    let [fb_now, fb_prev] = &pairs.feedback;
    let outcomes = Outcomes {
        pairs_completed: count_stat(
            pairs.completed[0].drawn(),
            pairs.completed[1].drawn(),
            Unit::Pairs,
        ),
        average_rating: decimal_stat(average_rating(fb_now), average_rating(fb_prev)),
        recommend_pct: count_stat(
            recommend_pct(fb_now),
            recommend_pct(fb_prev),
            Unit::Aggregate,
        ),
    };

    // Skills: pairs that exist by the end of the period.
    let counted;
    let skill_counts = match &input.skill_counts {
        Some(c) => c,
        None => {
            counted = SkillCounts::of(input, cur.end);
            &counted
        }
    };

    let mut summary = Summary {
        period: *cur,
        previous: *prev,
        generated_at: now,
        enrolment: Enrolment {
            enrolled,
            reverse_mentors,
            seniors,
            new_this_period,
            paused,
            left_this_period,
        },
        matching: Matching {
            pairs_active,
            waiting,
            main_reason,
        },
        activity,
        outcomes,
        to_date: program_to_date(input, &people, &pairs),
        skills: skills_market(input, skill_counts),
    };
    if prev.is_empty() {
        summary.drop_comparison();
    }
    summary
}

impl Summary {
    /// Forgets every change since the previous period (for a report with nothing to compare with).
    fn drop_comparison(&mut self) {
        let e = &mut self.enrolment;
        for stat in [
            &mut e.enrolled,
            &mut e.reverse_mentors,
            &mut e.seniors,
            &mut e.new_this_period,
            &mut e.left_this_period,
            &mut self.matching.pairs_active,
            &mut self.activity.checkins_answered_pct,
            &mut self.activity.meetings_held,
            &mut self.outcomes.pairs_completed,
            &mut self.outcomes.recommend_pct,
        ] {
            stat.change = None;
        }
        self.activity.hours_logged.change = None;
        self.outcomes.average_rating.change = None;
    }
}

/// The end of a cohort: the pairs one matching round formed, once the last of them has closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortReport {
    /// The proposal (matching round) that formed the pairs.
    pub round: i64,
    /// The first pair's start and the last pair's end.
    pub started: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
    pub pairs: Figure<i64>,
    pub completed: Figure<i64>,
    pub ended_early: Figure<i64>,
    /// Pairs that never logged a meeting.
    pub never_met: Figure<i64>,
    pub meetings: Figure<i64>,
    /// Hours per pair (see [`MeetingTotals`]).
    pub hours: Figure<f64>,
    pub average_rating: Figure<f64>,
    pub recommend_pct: Figure<i64>,
}

/// The report on the cohort of `round`, made of the pairs `pair_ids` (their meetings must all be in `input`).
pub fn cohort_report(input: &ReportInput, round: i64, pair_ids: &BTreeSet<i64>) -> CohortReport {
    let pairs: Vec<&Pair> = input
        .pairs
        .iter()
        .filter(|p| pair_ids.contains(&p.id))
        .collect();
    let with =
        |status: PairStatus| pairs_count(pairs.iter().copied().filter(move |p| p.status == status));
    let meetings: Vec<Meeting> = input
        .meetings
        .iter()
        .filter(|m| pair_ids.contains(&m.pair_id))
        .cloned()
        .collect();
    let owned: Vec<Pair> = pairs.iter().map(|p| (*p).clone()).collect();
    let totals = MeetingTotals::of(&meetings, &owned);
    let met: BTreeSet<i64> = meetings.iter().map(|m| m.pair_id).collect();
    let fb: Vec<&Feedback> = input
        .feedback
        .iter()
        .filter(|f| pair_ids.contains(&f.pair_id))
        .collect();
    CohortReport {
        round,
        started: pairs
            .iter()
            .map(|p| p.created_at)
            .min()
            .map(|t| t.date_naive()),
        closed: pairs
            .iter()
            .filter_map(|p| p.ended_at)
            .max()
            .map(|t| t.date_naive()),
        pairs: pairs_count(pairs.iter().copied()).figure(),
        completed: with(PairStatus::Completed).figure(),
        ended_early: with(PairStatus::Ended).figure(),
        never_met: pairs_count(pairs.iter().copied().filter(|p| !met.contains(&p.id))).figure(),
        meetings: Drawn {
            value: Some(totals.meetings),
            people: totals.people,
        }
        .figure(),
        hours: Drawn {
            value: Some(hours(u64::try_from(totals.minutes).unwrap_or(0))),
            people: totals.people,
        }
        .figure(),
        average_rating: average_rating(&FeedbackCount::of(&fb)).figure(),
        recommend_pct: recommend_pct(&FeedbackCount::of(&fb)).figure(),
    }
}

/// The `weeks` seven-day windows that end where the summary's period ends (`end`), oldest first, for
/// [`crate::domain::chart::weekly_chart_png`]: meetings held in each window and pairs running at its end. So the
/// chart covers the same weeks as the summary's text: for a weekly summary its last point is the period the text
/// describes (the same "meetings held" and "pairs active" figures) and the point before it the period the text
/// compares with. Each point is labelled with its window's first day in `tz` (the summary's zone). Returns `None`
/// when the meetings and pairs of the whole window come from fewer than 3 people, so a chart never shows a figure
/// the summary would hide.
pub fn weekly_points(
    input: &ReportInput,
    end: DateTime<Utc>,
    tz: chrono_tz::Tz,
    weeks: usize,
) -> Option<Vec<WeekPoint>> {
    let pairs_by_id: HashMap<i64, &Pair> = input.pairs.iter().map(|p| (p.id, p)).collect();
    let mut people = FewPeople::default();
    let mut counts = Vec::with_capacity(weeks);
    for back in (0..weeks as i64).rev() {
        let week_end = end.checked_sub_signed(Duration::weeks(back))?;
        let week = Period {
            start: week_end.checked_sub_signed(Duration::weeks(1))?,
            end: week_end,
        };
        let mut held = BTreeSet::new();
        for m in input.meetings.iter().filter(|m| week.contains(m.at)) {
            held.insert((m.pair_id, m.at));
            match pairs_by_id.get(&m.pair_id) {
                Some(p) => people.add_pair(p),
                None => people.add(&m.logged_by),
            }
        }
        let mut active = 0u32;
        for p in input.pairs.iter().filter(|p| running_at(p, week.end)) {
            active += 1;
            people.add_pair(p);
        }
        counts.push(ChartWeek {
            meetings: held.len() as u32,
            active_pairs: active,
        });
    }
    chart_points(
        end,
        tz,
        &ChartCounts {
            weeks: counts,
            people: people.len(),
        },
    )
}

/// One of the chart's weeks, counted: meetings held in it and pairs running at its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChartWeek {
    pub meetings: u32,
    pub active_pairs: u32,
}

/// The chart's weeks, oldest first, as the store counts them in SQL (`Store::chart_counts`), and the distinct people
/// behind all of them (to [`MIN_PEOPLE`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartCounts {
    pub weeks: Vec<ChartWeek>,
    pub people: usize,
}

/// The chart's points from its counts: the weeks end where the period ends (`end`), labelled in `tz`; `None` when
/// they come from fewer than 3 people (see [`weekly_points`]).
pub fn chart_points(
    end: DateTime<Utc>,
    tz: chrono_tz::Tz,
    counts: &ChartCounts,
) -> Option<Vec<WeekPoint>> {
    if (1..MIN_PEOPLE).contains(&counts.people) {
        return None;
    }
    let weeks = counts.weeks.len() as i64;
    counts
        .weeks
        .iter()
        .zip((0..weeks).rev())
        .map(|(w, back)| {
            let start = end.checked_sub_signed(Duration::weeks(back + 1))?;
            Some(WeekPoint {
                week_start: start.with_timezone(&tz).date_naive(),
                meetings: w.meetings,
                active_pairs: w.active_pairs,
            })
        })
        .collect()
}

/// A hand-built program with a known history, shared by the tests of every module. The expected figures are
/// worked out by hand in `tests::the_known_history_gives_exact_figures`.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use chrono::TimeZone;

    pub fn t(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    pub fn march() -> Period {
        Period {
            start: t(2025, 3, 1, 0),
            end: t(2025, 4, 1, 0),
        }
    }

    pub fn february() -> Period {
        Period {
            start: t(2025, 2, 1, 0),
            end: t(2025, 3, 1, 0),
        }
    }

    /// 1 April 2025, 09:00 UTC.
    pub fn now() -> DateTime<Utc> {
        t(2025, 4, 1, 9)
    }

    pub fn person(
        id: &str,
        side: Side,
        joined: DateTime<Utc>,
        status: ParticipantStatus,
        teaches: &[&str],
        learns: &[&str],
    ) -> Participant {
        Participant {
            user_id: id.to_string(),
            display_name: format!("Name of {id}"),
            side,
            joined_at: joined,
            status,
            teaches: teaches.iter().map(|s| s.to_string()).collect(),
            learns: learns.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn member(id: &str) -> Option<Member> {
        Some(Member {
            user_id: id.to_string(),
            display_name: format!("Name of {id}"),
        })
    }

    pub fn pair(
        id: i64,
        junior: Option<Member>,
        senior: Option<Member>,
        status: PairStatus,
        created: DateTime<Utc>,
        ended: Option<DateTime<Utc>>,
        last_met: Option<DateTime<Utc>>,
    ) -> Pair {
        Pair {
            id,
            junior,
            senior,
            status,
            created_at: created,
            ended_at: ended,
            last_met_at: last_met,
        }
    }

    pub fn round(
        pair_id: i64,
        sent: DateTime<Utc>,
        answers: &[(&str, Option<CheckinAnswer>)],
    ) -> CheckinRound {
        CheckinRound {
            pair_id,
            sent_at: sent,
            responses: answers
                .iter()
                .map(|(u, a)| CheckinResponse {
                    user_id: u.to_string(),
                    answer: *a,
                })
                .collect(),
        }
    }

    pub fn meeting(
        pair_id: i64,
        by: &str,
        at: DateTime<Utc>,
        minutes: u32,
        usefulness: u8,
    ) -> Meeting {
        Meeting {
            pair_id,
            logged_by: by.to_string(),
            at,
            minutes,
            usefulness: Some(usefulness),
        }
    }

    pub fn feedback(pair_id: i64, by: &str, rating: u8, recommend: bool) -> Feedback {
        Feedback {
            pair_id,
            user_id: by.to_string(),
            rating,
            would_recommend: recommend,
        }
    }

    pub fn waiting(id: &str, reason: &str) -> Waiting {
        Waiting {
            user_id: id.to_string(),
            reason: reason.to_string(),
        }
    }

    pub const NO_TEACHER: &str = "no senior teaches what they want to learn";

    /// Reporting on March 2025 against February, on 1 April 09:00.
    pub fn input() -> ReportInput {
        const NO_ANSWER: Option<CheckinAnswer> = None;
        let (met, not_yet, need_help) = (
            Some(CheckinAnswer::Met),
            Some(CheckinAnswer::NotYet),
            Some(CheckinAnswer::NeedHelp),
        );
        use PairStatus::*;
        use ParticipantStatus::{Active as On, Paused};
        use Side::{ReverseMentor as R, Senior as S};
        let participants = vec![
            person(
                "r1",
                R,
                t(2025, 1, 10, 0),
                On,
                &["ai_drafting", "ediscovery"],
                &["client_mgmt"],
            ),
            person(
                "r2",
                R,
                t(2025, 1, 15, 0),
                On,
                &["ediscovery"],
                &["client_mgmt", "negotiation"],
            ),
            person(
                "r3",
                R,
                t(2025, 2, 5, 0),
                On,
                &["ai_drafting"],
                &["client_mgmt"],
            ),
            person(
                "r4",
                R,
                t(2025, 3, 3, 0),
                On,
                &["legal_tech"],
                &["negotiation"],
            ),
            person(
                "r5",
                R,
                t(2025, 3, 20, 0),
                Paused,
                &["ai_drafting"],
                &["client_mgmt"],
            ),
            person(
                "r6",
                R,
                t(2025, 2, 20, 0),
                On,
                &["ediscovery", "ai_drafting"],
                &["negotiation"],
            ),
            person(
                "s1",
                S,
                t(2025, 1, 5, 0),
                On,
                &["client_mgmt"],
                &["ai_drafting"],
            ),
            person(
                "s2",
                S,
                t(2025, 1, 20, 0),
                On,
                &["negotiation"],
                &["ediscovery", "ai_drafting"],
            ),
            person(
                "s3",
                S,
                t(2025, 2, 10, 0),
                On,
                &["client_mgmt"],
                &["ai_drafting", "legal_tech"],
            ),
            person(
                "s4",
                S,
                t(2025, 3, 10, 0),
                On,
                &[],
                &["ai_drafting", "ediscovery"],
            ),
            person(
                "s5",
                S,
                t(2025, 3, 15, 0),
                On,
                &["negotiation"],
                &["legal_tech"],
            ),
            person("s6", S, t(2025, 3, 8, 0), On, &[], &["ai_drafting"]),
        ];
        let departures = [
            t(2025, 2, 14, 0),
            t(2025, 3, 5, 0),
            t(2025, 3, 12, 0),
            t(2025, 3, 25, 0),
        ]
        .into_iter()
        .map(|at| Departure { at })
        .collect();
        let pairs = vec![
            pair(
                1,
                member("r1"),
                member("s1"),
                Active,
                t(2025, 1, 20, 0),
                None,
                Some(t(2025, 3, 28, 0)),
            ),
            pair(
                2,
                member("r2"),
                member("s2"),
                AtRisk,
                t(2025, 2, 1, 0),
                None,
                Some(t(2025, 3, 2, 10)),
            ),
            pair(
                3,
                member("r3"),
                member("s3"),
                Completed,
                t(2025, 2, 12, 0),
                Some(t(2025, 3, 20, 0)),
                Some(t(2025, 3, 18, 0)),
            ),
            pair(
                4,
                member("r4"),
                member("s4"),
                AtRisk,
                t(2025, 3, 12, 0),
                None,
                None,
            ),
            pair(
                5,
                None,
                member("s2"),
                Ended,
                t(2025, 1, 25, 0),
                Some(t(2025, 2, 14, 0)),
                None,
            ),
            pair(
                6,
                member("r1"),
                member("s3"),
                Completed,
                t(2025, 1, 10, 0),
                Some(t(2025, 2, 20, 0)),
                None,
            ),
            pair(
                7,
                member("r3"),
                member("s2"),
                Completed,
                t(2025, 1, 5, 0),
                Some(t(2025, 3, 25, 0)),
                None,
            ),
        ];
        let checkins = vec![
            round(1, t(2025, 3, 10, 9), &[("r1", met), ("s1", met)]),
            round(
                2,
                t(2025, 3, 10, 9),
                &[("r2", NO_ANSWER), ("s2", need_help)],
            ),
            round(4, t(2025, 3, 24, 9), &[("r4", not_yet), ("s4", NO_ANSWER)]),
            round(1, t(2025, 3, 24, 9), &[("r1", met), ("s1", NO_ANSWER)]),
            round(1, t(2025, 2, 10, 9), &[("r1", met), ("s1", met)]),
            round(2, t(2025, 2, 10, 9), &[("r2", met), ("s2", NO_ANSWER)]),
        ];
        let meetings = vec![
            meeting(1, "r1", t(2025, 3, 5, 10), 60, 5),
            meeting(1, "s1", t(2025, 3, 5, 10), 60, 4),
            meeting(1, "r1", t(2025, 3, 28, 0), 45, 3),
            meeting(3, "s3", t(2025, 3, 18, 0), 90, 2),
            meeting(2, "r2", t(2025, 3, 2, 10), 30, 1),
            meeting(1, "r1", t(2025, 2, 12, 0), 60, 4),
            meeting(2, "s2", t(2025, 2, 20, 0), 60, 4),
            meeting(3, "r3", t(2025, 2, 25, 0), 30, 4),
        ];
        let feedback = vec![
            feedback(3, "r3", 5, true),
            feedback(3, "s3", 4, true),
            feedback(7, "r3", 3, false),
            feedback(7, "s2", 4, true),
            feedback(6, "r1", 2, false),
            feedback(6, "s3", 5, true),
            feedback(5, "s2", 3, true),
        ];
        let waiting = vec![
            waiting("s5", NO_TEACHER),
            waiting("r6", NO_TEACHER),
            waiting("s6", NO_TEACHER),
            waiting("r5", "paused"),
        ];
        let skills = [
            ("ai_drafting", "AI-assisted drafting"),
            ("ediscovery", "E-discovery platforms"),
            ("client_mgmt", "Client management"),
            ("negotiation", "Negotiation"),
            ("legal_tech", "Legal tech"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        ReportInput {
            period: march(),
            previous: february(),
            participants,
            departures,
            meetings_to_date: MeetingTotals::of(&meetings, &pairs),
            pairs,
            checkins,
            meetings,
            feedback,
            waiting,
            skills,
            skill_counts: None,
            checkin_tallies: None,
            people_tally: None,
            pair_tally: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::*;
    use super::*;

    fn v<T>(x: T) -> Figure<T> {
        Figure::Value(x)
    }

    #[test]
    fn few_people_counts_distinct_people_up_to_three_and_no_further() {
        let mut f = FewPeople::default();
        assert_eq!(f.len(), 0);
        f.add("a");
        f.add("a");
        assert_eq!(f.len(), 1);
        f.add_pair(&Pair {
            id: 9,
            junior: member("b"),
            senior: None,
            status: PairStatus::Active,
            created_at: now(),
            ended_at: None,
            last_met_at: None,
        });
        // "b" and a stand-in for the senior who left: three distinct people, and then it stops.
        assert!(f.full() && f.len() == MIN_PEOPLE);
        f.add("c");
        assert_eq!(f.len(), MIN_PEOPLE);
        assert_eq!(Figure::from_people(Some(1), f.len()), Figure::Value(1));
    }

    #[test]
    fn the_tally_counts_a_skill_once_per_pair_and_skips_what_it_cannot_know() {
        let mut t = SkillTally::default();
        t.person("J", ["ai", "ediscovery"], ["negotiation"], true);
        t.person("S", ["negotiation", "ai"], ["ai", "ediscovery"], true);
        t.person("P", ["ai"], ["culture"], false); // paused: no supply or demand
        t.person("J", ["culture"], ["culture"], true); // given twice: the first row stands
        let c = t.counts([("J", "S"), ("J", "GONE"), ("P", "S")]);
        // J teaches ai and ediscovery to S, S teaches negotiation to J; "ai" goes both ways and counts once.
        // P (paused) teaches ai to S: still an exchange.
        assert_eq!(
            c.exchanged,
            BTreeMap::from([
                ("ai".to_string(), (2, 3)),
                ("ediscovery".to_string(), (1, 2)),
                ("negotiation".to_string(), (1, 2)),
            ])
        );
        assert_eq!(
            c.supply,
            BTreeMap::from([
                ("ai".to_string(), (1, 2)),
                ("ediscovery".to_string(), (1, 1)),
                ("negotiation".to_string(), (1, 1)),
            ])
        );
    }
    #[test]
    fn the_known_history_gives_exact_figures() {
        let s = summarize(&input(), now());
        let e = &s.enrolment;
        // Joined before 1 Apr: 12; none left after it.
        assert_eq!(e.enrolled.now, v(12));
        // Joined before 1 Mar: r1 r2 r3 r6 s1 s2 s3 = 7, plus the 3 who left in March.
        assert_eq!(e.enrolled.previous, v(10));
        // Adjacent periods, "new" (5) and "left" (3) both shown: the change is shown.
        assert_eq!(e.enrolled.change, Some(2));
        assert_eq!(e.reverse_mentors.now, v(6));
        assert_eq!(e.reverse_mentors.previous, v(4));
        // +2 reverse mentors would describe 2 people.
        assert_eq!(e.reverse_mentors.change, None);
        assert_eq!(
            (e.seniors.now, e.seniors.previous, e.seniors.change),
            (v(6), v(3), Some(3))
        );
        // March: r4 r5 s4 s5 s6; February: r3 r6 s3. A change of 2 people is hidden.
        assert_eq!(
            (e.new_this_period.now, e.new_this_period.previous),
            (v(5), v(3))
        );
        assert_eq!(e.new_this_period.change, None);
        // Only r5 is paused.
        assert_eq!(e.paused, Figure::FewerThan3);
        // 3 left in March, 1 in February.
        assert_eq!(e.left_this_period.now, v(3));
        assert_eq!(e.left_this_period.previous, Figure::FewerThan3);
        assert_eq!(e.left_this_period.change, None);

        let m = &s.matching;
        // Running on 1 Apr: pairs 1, 2, 4. On 1 Mar: 1, 2, 3, 7. A change of one pair (2 people) is hidden.
        assert_eq!((m.pairs_active.now, m.pairs_active.previous), (v(3), v(4)));
        assert_eq!(m.pairs_active.change, None);
        assert_eq!(m.waiting, v(4));
        assert_eq!(
            m.main_reason,
            v(ReasonCount {
                reason: NO_TEACHER.to_string(),
                // 3 share it, but the 1 other person waiting would be 4 − 3.
                people: Figure::FewerThan3
            })
        );

        let a = &s.activity;
        // March: 8 people-prompts, 5 answered = 62.5% → 63%; February: 3 of 4 = 75%.
        assert_eq!(
            a.checkins_answered_pct,
            Stat {
                now: v(63),
                previous: v(75),
                change: Some(-12)
            }
        );
        // March: pair 1 on 5 Mar (logged twice, one meeting) and 28 Mar, pair 3, pair 2 = 4; February: 3.
        assert_eq!(
            a.meetings_held,
            Stat {
                now: v(4),
                previous: v(3),
                change: Some(1)
            }
        );
        // Hours per pair: pair 1's 5 Mar meeting, logged by both for 60 minutes, counts once. March: 60 + 45 + 90 +
        // 30 = 225 min = 3.75 h → 3.8; February: 150 min = 2.5 h.
        assert_eq!(
            a.hours_logged,
            Stat {
                now: v(3.8),
                previous: v(2.5),
                change: Some(1.3)
            }
        );
        // Pair 2 last met 2 Mar 10:00 (29 days 23 h before now); pair 4 never met, paired 12 Mar (20 days 9 h).
        assert_eq!(
            a.at_risk,
            vec![
                AtRiskPair {
                    pair_id: 2,
                    junior_name: Some("Name of r2".into()),
                    senior_name: Some("Name of s2".into()),
                    days_since_met: 29,
                    never_met: false
                },
                AtRiskPair {
                    pair_id: 4,
                    junior_name: Some("Name of r4".into()),
                    senior_name: Some("Name of s4".into()),
                    days_since_met: 20,
                    never_met: true
                },
            ]
        );

        let o = &s.outcomes;
        // Completed in March: pairs 3 and 7 (r3, s3, s2: 3 people); in February only pair 6.
        assert_eq!(o.pairs_completed.now, v(2));
        assert_eq!(o.pairs_completed.previous, Figure::FewerThan3);
        assert_eq!(o.pairs_completed.change, None);
        // March (pairs 3, 7): 5 4 3 4 → 4.0, 3 of 4 recommend = 75%. February (pairs 5, 6): 2 5 3 → 3.3, 2 of 3 = 67%.
        assert_eq!(
            o.average_rating,
            Stat {
                now: v(4.0),
                previous: v(3.3),
                change: Some(0.7)
            }
        );
        assert_eq!(
            o.recommend_pct,
            Stat {
                now: v(75),
                previous: v(67),
                change: Some(8)
            }
        );

        // Active participants (r5 is paused). AI drafting: wanted by s1 s2 s3 s4 s6, taught by r1 r3 r6 (gap 2).
        // Client management: r1 r2 r3 / s1 s3 (gap 1); negotiation: r2 r4 r6 / s2 s5 (gap 1), label order.
        // Legal tech has a gap but only 2 want it; e-discovery has no gap.
        let wanted: Vec<(&str, i64, Figure<i64>)> = s
            .skills
            .most_wanted
            .iter()
            .map(|g| (g.skill_id.as_str(), g.wanted_by, g.taught_by))
            .collect();
        assert_eq!(
            wanted,
            vec![
                ("ai_drafting", 5, v(3)),
                ("client_mgmt", 3, Figure::FewerThan3),
                ("negotiation", 3, Figure::FewerThan3)
            ]
        );
        assert_eq!(s.skills.most_wanted[0].label, "AI-assisted drafting");
        assert_eq!(s.skills.most_wanted_more, 0);
        // AI drafting in pairs 1, 3, 6, 7; client management in 1, 3, 6; e-discovery and negotiation only in
        // pair 2 (2 people): not shown. Pair 5 ended; pair 4 exchanges nothing.
        let exchanged: Vec<(&str, i64)> = s
            .skills
            .most_exchanged
            .iter()
            .map(|x| (x.skill_id.as_str(), x.pairs))
            .collect();
        assert_eq!(exchanged, vec![("ai_drafting", 4), ("client_mgmt", 3)]);
        assert_eq!(s.generated_at, now());
    }

    #[test]
    fn summarize_is_deterministic_and_order_independent() {
        let a = summarize(&input(), now());
        let mut shuffled = input();
        shuffled.participants.reverse();
        shuffled.pairs.reverse();
        shuffled.meetings.reverse();
        shuffled.feedback.reverse();
        shuffled.waiting.reverse();
        shuffled.checkins.reverse();
        assert_eq!(summarize(&shuffled, now()), a);
    }

    /// A program of `n` reverse mentors who joined, paused and are waiting in March, and `n` who left in March.
    fn people_program(n: usize) -> ReportInput {
        let mut inp = input();
        inp.participants = (0..n)
            .map(|i| {
                person(
                    &format!("p{i}"),
                    Side::ReverseMentor,
                    t(2025, 3, 2, 0),
                    ParticipantStatus::Paused,
                    &[],
                    &[],
                )
            })
            .collect();
        inp.departures = (0..n)
            .map(|_| Departure {
                at: t(2025, 3, 3, 0),
            })
            .collect();
        inp.waiting = (0..n)
            .map(|i| waiting(&format!("p{i}"), "paused"))
            .collect();
        inp.pairs.clear();
        inp.checkins.clear();
        inp.meetings.clear();
        inp.feedback.clear();
        inp
    }

    #[test]
    fn counts_of_people_follow_the_fewer_than_3_rule() {
        for (n, expect) in [
            (1, Figure::FewerThan3),
            (2, Figure::FewerThan3),
            (3, v(3)),
            (0, v(0)),
        ] {
            let s = summarize(&people_program(n), now());
            let e = &s.enrolment;
            // Enrolled at the end of March = the n still here (the n who left did so before the end).
            assert_eq!(e.enrolled.now, expect, "enrolled, {n} people");
            assert_eq!(e.reverse_mentors.now, expect, "reverse mentors, {n} people");
            assert_eq!(e.new_this_period.now, expect, "new, {n} people");
            assert_eq!(e.paused, expect, "paused, {n} people");
            assert_eq!(e.left_this_period.now, expect, "left, {n} people");
            assert_eq!(s.matching.waiting, expect, "waiting, {n} people");
            let reason = if n == 0 {
                Figure::NoData
            } else if n < 3 {
                Figure::FewerThan3
            } else {
                v(ReasonCount {
                    reason: "paused".into(),
                    people: v(3),
                })
            };
            assert_eq!(s.matching.main_reason, reason, "main reason, {n} people");
        }
    }

    #[test]
    fn one_hidden_side_hides_the_other() {
        let mut inp = people_program(5);
        inp.participants.truncate(3);
        inp.participants.push(person(
            "sx",
            Side::Senior,
            t(2025, 3, 2, 0),
            ParticipantStatus::Active,
            &[],
            &[],
        ));
        let s = summarize(&inp, now());
        // 4 enrolled: 3 reverse mentors and 1 senior. Showing "3" would reveal the senior count as 4 − 3.
        assert_eq!(s.enrolment.enrolled.now, v(4));
        assert_eq!(s.enrolment.reverse_mentors.now, Figure::FewerThan3);
        assert_eq!(s.enrolment.seniors.now, Figure::FewerThan3);
    }

    #[test]
    fn the_enrolled_change_is_hidden_when_new_or_left_is() {
        // The known history, but only 2 left in March: the change (+3 = 5 new − 2 left) would reveal "left".
        let mut inp = input();
        inp.departures.retain(|d| d.at != t(2025, 3, 25, 0));
        let s = summarize(&inp, now());
        assert_eq!(s.enrolment.left_this_period.now, Figure::FewerThan3);
        assert_eq!(s.enrolment.enrolled.change, None);
    }

    /// `n` distinct people asked, logging, giving feedback, in pairs of their own (people pair with themselves'
    /// twin "x{i}" only when `pairs`).
    fn activity_program(people: usize) -> ReportInput {
        let mut inp = input();
        inp.pairs = vec![pair(
            100,
            member("a"),
            member("b"),
            PairStatus::Completed,
            t(2025, 1, 1, 0),
            Some(t(2025, 3, 15, 0)),
            Some(t(2025, 3, 10, 0)),
        )];
        let ids: Vec<String> = (0..people).map(|i| format!("u{i}")).collect();
        inp.checkins = vec![CheckinRound {
            pair_id: 100,
            sent_at: t(2025, 3, 5, 0),
            responses: ids
                .iter()
                .map(|u| CheckinResponse {
                    user_id: u.clone(),
                    answer: Some(CheckinAnswer::Met),
                })
                .collect(),
        }];
        inp.meetings = ids
            .iter()
            .map(|u| meeting(999, u, t(2025, 3, 6, 0), 60, 5))
            .collect();
        inp.feedback = ids.iter().map(|u| feedback(100, u, 4, true)).collect();
        inp
    }

    #[test]
    fn rates_and_averages_follow_the_fewer_than_3_rule() {
        for (n, ok) in [(1, false), (2, false), (3, true)] {
            let s = summarize(&activity_program(n), now());
            let a = &s.activity;
            let o = &s.outcomes;
            let check = |f: Figure<f64>, want: f64, what: &str| {
                assert_eq!(
                    f,
                    if ok { v(want) } else { Figure::FewerThan3 },
                    "{what}, {n} people"
                );
            };
            check(
                a.checkins_answered_pct
                    .now
                    .value()
                    .map_or(Figure::FewerThan3, |x| v(x as f64)),
                100.0,
                "check-ins",
            );
            // Meetings of an unknown pair count their loggers; all at the same time: one meeting.
            check(
                a.meetings_held
                    .now
                    .value()
                    .map_or(Figure::FewerThan3, |x| v(x as f64)),
                1.0,
                "meetings",
            );
            // Everyone logged the same meeting of one pair: one hour, however many logged it.
            check(a.hours_logged.now, 1.0, "hours");
            check(o.average_rating.now, 4.0, "average rating");
            check(
                o.recommend_pct
                    .now
                    .value()
                    .map_or(Figure::FewerThan3, |x| v(x as f64)),
                100.0,
                "recommend",
            );
        }
        // Nobody behind a rate: no data, not zero.
        let s = summarize(&activity_program(0), now());
        assert_eq!(s.activity.checkins_answered_pct.now, Figure::NoData);
        assert_eq!(s.outcomes.average_rating.now, Figure::NoData);
        assert_eq!(s.outcomes.recommend_pct.now, Figure::NoData);
        assert_eq!(s.activity.hours_logged.now, v(0.0));
    }

    #[test]
    fn pair_counts_need_two_pairs() {
        let mut inp = input();
        let running = |id, j: &str, s: &str| {
            pair(
                id,
                member(j),
                member(s),
                PairStatus::Active,
                t(2025, 1, 1, 0),
                None,
                None,
            )
        };
        let done = |id, j: &str, s: &str| {
            pair(
                id,
                member(j),
                member(s),
                PairStatus::Completed,
                t(2025, 1, 1, 0),
                Some(t(2025, 3, 9, 0)),
                None,
            )
        };
        inp.pairs = vec![running(1, "a", "b"), done(2, "c", "d")];
        let s = summarize(&inp, now());
        assert_eq!(s.matching.pairs_active.now, Figure::FewerThan3);
        assert_eq!(s.outcomes.pairs_completed.now, Figure::FewerThan3);
        inp.pairs.extend([running(3, "e", "f"), done(4, "g", "h")]);
        let s = summarize(&inp, now());
        assert_eq!(s.matching.pairs_active.now, v(2));
        assert_eq!(s.outcomes.pairs_completed.now, v(2));
        // A member who left is still a person: one pair with a departed member is still 2 people.
        inp.pairs = vec![pair(
            9,
            None,
            member("b"),
            PairStatus::Active,
            t(2025, 1, 1, 0),
            None,
            None,
        )];
        assert_eq!(
            summarize(&inp, now()).matching.pairs_active.now,
            Figure::FewerThan3
        );
    }

    #[test]
    fn a_skill_wanted_by_fewer_than_3_is_not_listed() {
        let mut inp = input();
        let p = |id: &str| {
            person(
                id,
                Side::Senior,
                t(2025, 1, 1, 0),
                ParticipantStatus::Active,
                &[],
                &["rare"],
            )
        };
        inp.participants = vec![p("a"), p("b")];
        assert!(summarize(&inp, now()).skills.most_wanted.is_empty());
        inp.participants.push(p("c"));
        let s = summarize(&inp, now());
        assert_eq!(s.skills.most_wanted.len(), 1);
        assert_eq!(s.skills.most_wanted[0].label, "rare");
        assert_eq!(s.skills.most_wanted[0].taught_by, v(0));
    }

    #[test]
    fn most_wanted_keeps_five_and_counts_the_rest() {
        let mut inp = input();
        inp.participants = (0..4)
            .map(|i| {
                let learns: Vec<String> = (0..8).map(|k| format!("skill{k}")).collect();
                let learns: Vec<&str> = learns.iter().map(String::as_str).collect();
                person(
                    &format!("x{i}"),
                    Side::Senior,
                    t(2025, 1, 1, 0),
                    ParticipantStatus::Active,
                    &[],
                    &learns,
                )
            })
            .collect();
        let s = summarize(&inp, now());
        assert_eq!(s.skills.most_wanted.len(), MOST_WANTED_LEN);
        assert_eq!(s.skills.most_wanted_more, 3);
    }

    #[test]
    fn weekly_points_cover_the_weeks_of_the_summary_text() {
        // A weekly summary posted on Monday 31 March 2025 at 09:00 UTC describes 24 March 09:00 – 31 March 09:00 and
        // compares it with the week before: the chart's last two points are exactly those weeks.
        let end = t(2025, 3, 31, 9);
        let london = chrono_tz::Europe::London;
        let pts = weekly_points(&input(), end, london, 12).unwrap();
        assert_eq!(pts.len(), 12);
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        assert_eq!(pts[11].week_start, day(3, 24));
        assert_eq!(pts[10].week_start, day(3, 17));
        assert_eq!(pts[0].week_start, day(1, 6));
        let this = Period {
            start: t(2025, 3, 24, 9),
            end,
        };
        let before = Period {
            start: t(2025, 3, 17, 9),
            end: this.start,
        };
        let inp = input();
        for (point, period) in [(&pts[11], &this), (&pts[10], &before)] {
            assert_eq!(
                Some(i64::from(point.meetings)),
                CheckinTally::of(&inp, period).meetings_held().value,
                "the text's meetings held, {period:?}"
            );
            assert_eq!(
                Some(i64::from(point.active_pairs)),
                pairs_count(inp.pairs.iter().filter(|p| running_at(p, period.end))).value,
                "the text's active pairs, {period:?}"
            );
        }
        // 28 March in the text's week, 18 March in the week before; the 5 March meeting (logged twice) once.
        assert_eq!(
            (pts[11].meetings, pts[10].meetings, pts[8].meetings),
            (1, 1, 1)
        );
        assert_eq!(pts.iter().map(|p| p.meetings).sum::<u32>(), 7);
        // Labels are the first day of each week in the summary's zone: Monday 09:00 in Tokyo is Monday 00:00 UTC.
        let tokyo = weekly_points(&input(), t(2025, 3, 31, 0), chrono_tz::Asia::Tokyo, 12).unwrap();
        assert_eq!(tokyo[11].week_start, day(3, 24));
        let la = weekly_points(
            &input(),
            t(2025, 3, 31, 16),
            chrono_tz::America::Los_Angeles,
            12,
        )
        .unwrap();
        assert_eq!(la[11].week_start, day(3, 24));
        // Only one pair's members in the window: no chart data.
        let mut one = input();
        one.pairs.truncate(1);
        one.meetings.retain(|m| m.pair_id == 1);
        assert_eq!(weekly_points(&one, end, london, 12), None);
    }

    #[test]
    fn the_program_to_date_counts_everything_before_the_period_end() {
        let s = summarize(&input(), now());
        // 12 enrolled + 4 who left; the first joined on 5 January. Seven pairs, three completed (3, 6, 7). Meetings:
        // seven (pair 1's 5 March meeting once), 375 minutes per pair = 6.25 h; all seven feedback rows are of pairs
        // that ended: ratings 26 / 7 = 3.7, 5 of 7 would recommend.
        assert_eq!(
            s.to_date,
            ProgramToDate {
                since: NaiveDate::from_ymd_opt(2025, 1, 5),
                joined: v(16),
                pairs_formed: v(7),
                meetings: v(7),
                hours: v(6.3),
                pairs_completed: v(3),
                average_rating: v(3.7),
                recommend_pct: v(71),
            }
        );
        assert_eq!(
            input().meetings_to_date,
            MeetingTotals {
                meetings: 7,
                minutes: 375,
                people: 6
            }
        );
        // As of 1 February: four pairs formed (1, 5, 6, 7), none ended; the meetings are as the store counted them.
        let mut early = input();
        early.period = Period {
            start: t(2025, 1, 1, 0),
            end: t(2025, 2, 1, 0),
        };
        early.meetings_to_date = MeetingTotals {
            meetings: 1,
            minutes: 30,
            people: 2,
        };
        let e = summarize(&early, now()).to_date;
        assert_eq!(
            (
                e.joined,
                e.pairs_formed,
                e.pairs_completed,
                e.average_rating
            ),
            (v(4), v(4), v(0), Figure::NoData)
        );
        assert_eq!(
            (e.meetings, e.hours),
            (Figure::FewerThan3, Figure::FewerThan3)
        );
    }

    #[test]
    fn a_cohort_report_counts_only_its_pairs() {
        // Pairs 3, 6 and 7 (all closed): six people, three completed; pair 3 met twice (30 + 90 minutes).
        let c = cohort_report(&input(), 9, &[3, 6, 7].into_iter().collect());
        assert_eq!(
            c,
            CohortReport {
                round: 9,
                started: NaiveDate::from_ymd_opt(2025, 1, 5),
                closed: NaiveDate::from_ymd_opt(2025, 3, 25),
                pairs: v(3),
                completed: v(3),
                ended_early: v(0),
                never_met: v(2),
                meetings: Figure::FewerThan3,
                hours: Figure::FewerThan3,
                // r3, s3 (pair 3), r3, s2 (7), r1, s3 (6): five people, ratings 5 4 3 4 2 5 → 23 / 6.
                average_rating: v(3.8),
                recommend_pct: v(67),
            }
        );
        // Pairs 1 and 2 (four people) met: 60 + 45 + 60 and 30 + 60 minutes = 4.25 h.
        let c = cohort_report(&input(), 1, &[1, 2].into_iter().collect());
        assert_eq!((c.meetings, c.hours, c.never_met), (v(5), v(4.3), v(0)));
    }
}
