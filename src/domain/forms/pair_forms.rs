//! A pair's lifecycle forms: the plan, the "we met" check-in details and the closing feedback, and how each submitted
//! modal becomes plain data.
//!
//! Pure, like [`crate::domain::forms::survey`]: the parsers turn Slack's `view.state.values` into a [`Plan`], a [`MetAnswer`] or a
//! [`Feedback`], or into a per-block list of what to fix ([`FieldErrors`], for `response_action: errors`). They refuse
//! anything that is not on the form (a tampered payload). Nothing here reads the clock: [`parse_plan`] takes today's
//! date. The views in [`crate::views::plan`], [`crate::views::checkin`] and [`crate::views::closing`] use the IDs
//! defined here.

use crate::domain::forms::state::{date, score, selected, text};
use crate::domain::schedule::Cadence;
use chrono::{Months, NaiveDate};

pub use crate::domain::forms::state::{ACTION, FieldErrors, StateValues};

// ---------------------------------------------------------------------------
// IDs
// ---------------------------------------------------------------------------

/// The plan modal's `callback_id`.
pub const CALLBACK_PLAN: &str = "plan";
/// The "we met" modal's `callback_id`.
pub const CALLBACK_MET: &str = "checkin_met";
/// The closing feedback modal's `callback_id`.
pub const CALLBACK_FEEDBACK: &str = "feedback";

/// Button "Set our plan" (intro and plan reminder); its value is the pair ID.
pub const ACTION_PLAN_OPEN: &str = "plan_open";
/// Check-in button "We met"; its value is the check-in ID.
pub const ACTION_CHECKIN_MET: &str = "checkin_met";
/// Check-in button "Not yet"; its value is the check-in ID.
pub const ACTION_CHECKIN_NOT_YET: &str = "checkin_not_yet";
/// Check-in button "We need help"; its value is the check-in ID.
pub const ACTION_CHECKIN_HELP: &str = "checkin_help";
/// Check-in button "Change my answer", left once both have answered: shows the presser their answer and offers to
/// change it; its value is the check-in ID.
pub const ACTION_CHECKIN_REVIEW: &str = "checkin_review";
/// On the private reply to a second press: open the "we met" form to change one's answer (pre-filled when it was
/// "we met"); its value is the check-in ID.
pub const ACTION_CHECKIN_CHANGE_MET: &str = "checkin_change_met";
/// On the private reply to a second press: change one's "we met" answer to "not yet"; its value is the check-in ID.
pub const ACTION_CHECKIN_CHANGE_NOT_YET: &str = "checkin_change_not_yet";
/// Button "Give feedback" (closing message); its value is the pair ID.
pub const ACTION_FEEDBACK_OPEN: &str = "feedback_open";

/// Plan modal: the objective (multiline text).
pub const B_OBJECTIVE: &str = "objective";
/// Plan modal: how often to meet (static select).
pub const B_CADENCE: &str = "cadence";
/// Plan modal: by when the objective should be reached (datepicker).
pub const B_END_DATE: &str = "end_date";
/// Plan modal: the first meeting, if booked (optional datepicker).
pub const B_FIRST_MEETING: &str = "first_meeting";

/// "We met" modal: minutes spent (integer number input).
pub const B_MINUTES: &str = "minutes";
/// "We met" modal: what was covered (optional multiline text).
pub const B_COVERED: &str = "covered";
/// "We met" modal: how useful it was, 1 to 5 (static select).
pub const B_USEFULNESS: &str = "usefulness";

/// Feedback modal: overall rating, 1 to 5 (static select).
pub const B_RATING: &str = "rating";
/// Feedback modal: what you learned (optional multiline text).
pub const B_LEARNED: &str = "learned";
/// Feedback modal: would you recommend it (radio buttons yes/no).
pub const B_RECOMMEND: &str = "recommend";

/// The actions block holding "Set our plan" (intro, plan reminder).
pub const B_PLAN_ACTIONS: &str = "plan_actions";
/// The actions block holding the check-in buttons.
pub const B_CHECKIN_ACTIONS: &str = "checkin_actions";
/// The actions block holding "Give feedback".
pub const B_FEEDBACK_ACTIONS: &str = "feedback_actions";

// ---------------------------------------------------------------------------
// Limits and choices
// ---------------------------------------------------------------------------

/// The longest objective, in characters.
pub const MAX_OBJECTIVE: usize = 500;
/// How far ahead a plan's end date may be, in calendar months.
pub const MAX_PLAN_MONTHS: u32 = 12;
/// The fewest minutes a meeting may be reported as.
pub const MIN_MINUTES: u16 = 5;
/// The most minutes a meeting may be reported as.
pub const MAX_MINUTES: u16 = 600;
/// The longest "what you covered", in characters.
pub const MAX_COVERED: usize = 500;
/// The longest "what did you learn", in characters.
pub const MAX_LEARNED: usize = 1000;
/// Radio value for "yes, I would recommend it".
pub const RECOMMEND_YES: &str = "yes";
/// Radio value for "no".
pub const RECOMMEND_NO: &str = "no";

/// The label of a usefulness score (1..=5) as the "we met" modal shows it, e.g. `5 – very useful`.
pub fn usefulness_label(score: u8) -> &'static str {
    match score {
        5 => "5 – very useful",
        4 => "4 – useful",
        3 => "3 – somewhat useful",
        2 => "2 – a little useful",
        _ => "1 – not useful",
    }
}

/// The label of an overall rating (1..=5) as the feedback modal shows it, e.g. `5 – excellent`.
pub fn rating_label(score: u8) -> &'static str {
    match score {
        5 => "5 – excellent",
        4 => "4 – good",
        3 => "3 – fair",
        2 => "2 – disappointing",
        _ => "1 – poor",
    }
}

/// The label of a recommend answer as the feedback modal shows it.
pub fn recommend_label(yes: bool) -> &'static str {
    if yes {
        "Yes, I would recommend it"
    } else {
        "No, not as it is"
    }
}

/// A cadence as the plan modal's select shows it: `Weekly`, `Every two weeks`, `Monthly`.
pub fn cadence_option_label(c: Cadence) -> String {
    let label = c.label();
    let mut chars = label.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A date for people, unambiguous on both sides of the Atlantic: `Tue 5 May 2026`.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// A date as Slack's datepicker wants and sends it: `2026-05-05`.
pub fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `private_metadata` of the plan, "we met" and feedback modals: the pair's or check-in's ID. No nonce: a
/// submission is accepted only from a member of that pair, which is checked against the store.
pub fn metadata(id: i64) -> String {
    id.to_string()
}

/// The ID in `private_metadata` written by [`metadata`] (or `"{id}:{nonce}"`, from modals opened by an earlier
/// version). `None` if it is malformed.
pub fn parse_metadata(s: &str) -> Option<i64> {
    parse_id(s.split_once(':').map_or(s, |(id, _)| id))
}

/// A button's value (a pair or check-in ID) back to the ID. `None` unless it is a positive integer.
pub fn parse_id(value: &str) -> Option<i64> {
    value.parse::<i64>().ok().filter(|id| *id > 0)
}

// ---------------------------------------------------------------------------
// Domain types
// ---------------------------------------------------------------------------

/// What a pair agrees to: an objective, how often to meet, by when, and (if booked) the first meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What they want to reach, 1..=500 characters, trimmed.
    pub objective: String,
    /// How often they meet (check-ins follow it).
    pub cadence: Cadence,
    /// By when they expect to reach the objective (the closing message goes out that day).
    pub end_date: NaiveDate,
    /// The first meeting, if they have booked one.
    pub first_meeting: Option<NaiveDate>,
}

/// One person's details after answering "We met" at a check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetAnswer {
    /// Minutes spent together, 5..=600.
    pub minutes: u16,
    /// What they covered, at most 500 characters, trimmed; `None` if left empty.
    pub covered: Option<String>,
    /// How useful it was, 1 (not useful) to 5 (very useful).
    pub usefulness: u8,
}

/// What one person answered to one check-in, as recorded (one answer per person per check-in): shown back to them
/// when they press a check-in button again, and the "change my answer" form is pre-filled from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAnswer {
    pub answer: CheckinAnswer,
    /// The details given with "we met" (`None` for "not yet").
    pub met: Option<MetAnswer>,
    /// When the answer (or its latest change) was given, unix seconds.
    pub answered_at: i64,
}

/// One person's closing feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Overall rating, 1 (poor) to 5 (excellent).
    pub rating: u8,
    /// What they learned, at most 1000 characters, trimmed; `None` if left empty.
    pub learned: Option<String>,
    /// Whether they would recommend the program to a colleague.
    pub recommend: bool,
}

pub use crate::domain::model::CheckinAnswer;

/// How a check-in answer is shown and pressed.
impl CheckinAnswer {
    /// How the check-in message reports it: `we met`, `not yet`, `we need help`.
    pub fn label(self) -> &'static str {
        match self {
            CheckinAnswer::Met => "we met",
            CheckinAnswer::NotYet => "not yet",
            CheckinAnswer::NeedHelp => "we need help",
        }
    }

    /// The button's `action_id` for this answer.
    pub fn action_id(self) -> &'static str {
        match self {
            CheckinAnswer::Met => ACTION_CHECKIN_MET,
            CheckinAnswer::NotYet => ACTION_CHECKIN_NOT_YET,
            CheckinAnswer::NeedHelp => ACTION_CHECKIN_HELP,
        }
    }

    /// The answer a check-in button's `action_id` stands for.
    pub fn from_action_id(action_id: &str) -> Option<CheckinAnswer> {
        CheckinAnswer::ALL
            .iter()
            .copied()
            .find(|a| a.action_id() == action_id)
    }
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

fn too_long(what: &str, max: usize, n: usize) -> String {
    format!("Keep {what} to {max} characters (it has {n}).")
}

/// Parses and validates a submitted plan. `today` is the submitter's date; the end date must come after it and at
/// most [`MAX_PLAN_MONTHS`] months later, the first meeting (if given) on or after it and not after the end date.
/// Every problem is reported on its own block.
pub fn parse_plan(values: &StateValues, today: NaiveDate) -> Result<Plan, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut err = |block: &str, message: String| {
        errors.entry(block.to_string()).or_insert(message);
    };

    let objective = text(values, B_OBJECTIVE);
    match &objective {
        None => err(
            B_OBJECTIVE,
            "Write your objective: what each of you wants to be able to do by the end.".into(),
        ),
        Some(o) if o.chars().count() > MAX_OBJECTIVE => err(
            B_OBJECTIVE,
            too_long("the objective", MAX_OBJECTIVE, o.chars().count()),
        ),
        Some(_) => {}
    }

    let cadence = selected(values, B_CADENCE)
        .and_then(|v| Cadence::ALL.into_iter().find(|c| c.as_str() == v));
    if cadence.is_none() {
        err(
            B_CADENCE,
            "Choose how often you will meet: weekly, every two weeks or monthly.".into(),
        );
    }

    let latest_end = today
        .checked_add_months(Months::new(MAX_PLAN_MONTHS))
        .unwrap_or(NaiveDate::MAX);
    let end_date = match date(values, B_END_DATE) {
        None => {
            err(
                B_END_DATE,
                "Pick the date by which you expect to reach your objective.".into(),
            );
            None
        }
        Some(Err(())) => {
            err(B_END_DATE, "Pick the end date from the calendar.".into());
            None
        }
        Some(Ok(d)) if d <= today => {
            err(
                B_END_DATE,
                format!(
                    "The end date must be after today ({}); pick a later date.",
                    long_date(today)
                ),
            );
            None
        }
        Some(Ok(d)) if d > latest_end => {
            err(
                B_END_DATE,
                format!(
                    "Plans run for at most {MAX_PLAN_MONTHS} months: pick an end date on or before {}.",
                    long_date(latest_end)
                ),
            );
            None
        }
        Some(Ok(d)) => Some(d),
    };

    let first_meeting = match date(values, B_FIRST_MEETING) {
        None => None,
        Some(Err(())) => {
            err(
                B_FIRST_MEETING,
                "Pick the first meeting from the calendar, or leave it empty.".into(),
            );
            None
        }
        Some(Ok(d)) if d < today => {
            err(
                B_FIRST_MEETING,
                format!(
                    "That date has passed: pick today ({}) or later, or leave it empty if you have already met.",
                    long_date(today)
                ),
            );
            None
        }
        Some(Ok(d)) => {
            if let Some(end) = end_date
                && d > end
            {
                err(
                    B_FIRST_MEETING,
                    format!(
                        "The first meeting must be on or before the end date ({}).",
                        long_date(end)
                    ),
                );
            }
            Some(d)
        }
    };

    match (objective, cadence, end_date) {
        (Some(objective), Some(cadence), Some(end_date)) if errors.is_empty() => Ok(Plan {
            objective,
            cadence,
            end_date,
            first_meeting,
        }),
        _ => Err(errors),
    }
}

/// Parses and validates the "we met" modal. Every problem is reported on its own block.
pub fn parse_met(values: &StateValues) -> Result<MetAnswer, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut err = |block: &str, message: String| {
        errors.entry(block.to_string()).or_insert(message);
    };

    let minutes = text(values, B_MINUTES)
        .and_then(|v| v.parse::<u16>().ok())
        .filter(|m| (MIN_MINUTES..=MAX_MINUTES).contains(m));
    if minutes.is_none() {
        err(
            B_MINUTES,
            format!(
                "Enter the time you spent as a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}."
            ),
        );
    }

    let covered = text(values, B_COVERED);
    if let Some(c) = &covered
        && c.chars().count() > MAX_COVERED
    {
        err(
            B_COVERED,
            too_long("what you covered", MAX_COVERED, c.chars().count()),
        );
    }

    let usefulness = score(values, B_USEFULNESS);
    if usefulness.is_none() {
        err(
            B_USEFULNESS,
            "Choose how useful it was, from 1 (not useful) to 5 (very useful).".into(),
        );
    }

    match (minutes, usefulness) {
        (Some(minutes), Some(usefulness)) if errors.is_empty() => Ok(MetAnswer {
            minutes,
            covered,
            usefulness,
        }),
        _ => Err(errors),
    }
}

/// Parses and validates the closing feedback modal. Every problem is reported on its own block.
pub fn parse_feedback(values: &StateValues) -> Result<Feedback, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut err = |block: &str, message: String| {
        errors.entry(block.to_string()).or_insert(message);
    };

    let rating = score(values, B_RATING);
    if rating.is_none() {
        err(
            B_RATING,
            "Choose a rating from 1 (poor) to 5 (excellent).".into(),
        );
    }

    let learned = text(values, B_LEARNED);
    if let Some(l) = &learned
        && l.chars().count() > MAX_LEARNED
    {
        err(
            B_LEARNED,
            too_long("what you learned", MAX_LEARNED, l.chars().count()),
        );
    }

    let recommend = match selected(values, B_RECOMMEND).as_deref() {
        Some(RECOMMEND_YES) => Some(true),
        Some(RECOMMEND_NO) => Some(false),
        _ => None,
    };
    if recommend.is_none() {
        err(
            B_RECOMMEND,
            "Choose yes or no: would you recommend Tandem to a colleague?".into(),
        );
    }

    match (rating, recommend) {
        (Some(rating), Some(recommend)) if errors.is_empty() => Ok(Feedback {
            rating,
            learned,
            recommend,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 5, 5);

    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    fn opt(v: &str) -> Value {
        json!({"text": {"type": "plain_text", "text": v}, "value": v})
    }

    /// Builds state values from raw element states (so tests can send what the form would never offer).
    fn state(entries: &[(&str, Value)]) -> StateValues {
        entries
            .iter()
            .map(|(b, v)| {
                (
                    b.to_string(),
                    BTreeMap::from([(ACTION.to_string(), v.clone())]),
                )
            })
            .collect()
    }

    /// A plan form as raw strings.
    struct PlanForm<'a> {
        objective: Option<&'a str>,
        cadence: Option<&'a str>,
        end: Option<&'a str>,
        first: Option<&'a str>,
    }

    impl Default for PlanForm<'_> {
        fn default() -> Self {
            PlanForm {
                objective: Some(
                    "  Ana: run a first-draft review with our AI tools. Ben: negotiation.  ",
                ),
                cadence: Some("biweekly"),
                end: Some("2026-09-30"),
                first: Some("2026-05-12"),
            }
        }
    }

    fn plan_state(f: &PlanForm) -> StateValues {
        state(&[
            (
                B_OBJECTIVE,
                json!({"type": "plain_text_input", "value": f.objective}),
            ),
            (
                B_CADENCE,
                json!({"type": "static_select", "selected_option": f.cadence.map(opt)}),
            ),
            (
                B_END_DATE,
                json!({"type": "datepicker", "selected_date": f.end}),
            ),
            (
                B_FIRST_MEETING,
                json!({"type": "datepicker", "selected_date": f.first}),
            ),
        ])
    }

    fn plan_errors(f: PlanForm) -> FieldErrors {
        parse_plan(&plan_state(&f), today()).unwrap_err()
    }

    fn blocks(e: &FieldErrors) -> Vec<&str> {
        e.keys().map(String::as_str).collect()
    }

    #[test]
    fn a_complete_plan_parses_and_is_trimmed() {
        let p = parse_plan(&plan_state(&PlanForm::default()), today()).unwrap();
        assert_eq!(
            p.objective,
            "Ana: run a first-draft review with our AI tools. Ben: negotiation."
        );
        assert_eq!(p.cadence, Cadence::Biweekly);
        assert_eq!(p.end_date, d(2026, 9, 30));
        assert_eq!(p.first_meeting, Some(d(2026, 5, 12)));
        let no_first = PlanForm {
            first: None,
            ..PlanForm::default()
        };
        assert_eq!(
            parse_plan(&plan_state(&no_first), today())
                .unwrap()
                .first_meeting,
            None
        );
    }

    #[test]
    fn plan_edges_are_accepted() {
        let max = "é".repeat(MAX_OBJECTIVE);
        let one = "x";
        for objective in [one, max.as_str()] {
            let f = PlanForm {
                objective: Some(objective),
                ..PlanForm::default()
            };
            assert!(parse_plan(&plan_state(&f), today()).is_ok());
        }
        for cadence in ["weekly", "biweekly", "monthly"] {
            let f = PlanForm {
                cadence: Some(cadence),
                ..PlanForm::default()
            };
            assert!(parse_plan(&plan_state(&f), today()).is_ok(), "{cadence}");
        }
        // End date: tomorrow, and exactly twelve months out. First meeting: today, and on the end date.
        for (end, first) in [
            ("2026-05-06", Some("2026-05-05")),
            ("2026-05-06", Some("2026-05-06")),
            ("2027-05-05", Some("2027-05-05")),
            ("2027-05-05", None),
        ] {
            let f = PlanForm {
                end: Some(end),
                first,
                ..PlanForm::default()
            };
            assert!(
                parse_plan(&plan_state(&f), today()).is_ok(),
                "{end} {first:?}"
            );
        }
        // Twelve months from 31 Aug is 31 Aug; from 29 Feb 2028 it is 28 Feb 2029.
        let f = PlanForm {
            end: Some("2029-02-28"),
            first: None,
            ..PlanForm::default()
        };
        assert!(parse_plan(&plan_state(&f), d(2028, 2, 29)).is_ok());
    }

    #[test]
    fn plan_problems_are_reported_on_their_block() {
        for bad in [None, Some(""), Some("   \n ")] {
            let e = plan_errors(PlanForm {
                objective: bad,
                ..PlanForm::default()
            });
            assert_eq!(blocks(&e), vec![B_OBJECTIVE]);
            assert!(e[B_OBJECTIVE].contains("objective"));
        }
        let long = "x".repeat(MAX_OBJECTIVE + 1);
        let e = plan_errors(PlanForm {
            objective: Some(&long),
            ..PlanForm::default()
        });
        assert!(e[B_OBJECTIVE].contains("500") && e[B_OBJECTIVE].contains("501"));

        for (end, says) in [
            (None, "Pick the date"),
            (Some("2026-05-05"), "after today"),
            (Some("2026-01-01"), "after today"),
            (Some("2027-05-06"), "on or before Wed 5 May 2027"),
            (Some("2030-01-01"), "at most 12 months"),
            (Some("05/06/2026"), "from the calendar"),
            (Some("2026-02-30"), "from the calendar"),
        ] {
            let e = plan_errors(PlanForm {
                end,
                first: None,
                ..PlanForm::default()
            });
            assert_eq!(blocks(&e), vec![B_END_DATE], "{end:?}");
            assert!(e[B_END_DATE].contains(says), "{end:?}: {}", e[B_END_DATE]);
        }

        for (first, says) in [
            ("2026-05-04", "has passed"),
            ("2026-10-01", "on or before the end date (Wed 30 Sep 2026)"),
            ("tomorrow", "from the calendar"),
        ] {
            let e = plan_errors(PlanForm {
                first: Some(first),
                ..PlanForm::default()
            });
            assert_eq!(blocks(&e), vec![B_FIRST_MEETING], "{first}");
            assert!(e[B_FIRST_MEETING].contains(says), "{}", e[B_FIRST_MEETING]);
        }

        // Both dates wrong: each on its own block.
        let e = plan_errors(PlanForm {
            end: Some("2020-01-01"),
            first: Some("2020-01-01"),
            ..PlanForm::default()
        });
        assert_eq!(blocks(&e), vec![B_END_DATE, B_FIRST_MEETING]);
    }

    #[test]
    fn plan_values_not_on_the_form_are_refused() {
        for bad in ["daily", "fortnightly", "Weekly", "every two weeks", ""] {
            let e = plan_errors(PlanForm {
                cadence: Some(bad),
                ..PlanForm::default()
            });
            assert_eq!(blocks(&e), vec![B_CADENCE], "{bad}");
        }
        let e = parse_plan(&StateValues::new(), today()).unwrap_err();
        assert_eq!(blocks(&e), vec![B_CADENCE, B_END_DATE, B_OBJECTIVE]);
        // An element under another action ID is not the form's.
        let mut v = plan_state(&PlanForm::default());
        let moved = v.get_mut(B_CADENCE).and_then(|b| b.remove(ACTION)).unwrap();
        v.insert(
            B_CADENCE.to_string(),
            BTreeMap::from([("other".to_string(), moved)]),
        );
        assert_eq!(
            blocks(&parse_plan(&v, today()).unwrap_err()),
            vec![B_CADENCE]
        );
    }

    fn met_state(
        minutes: Option<&str>,
        covered: Option<&str>,
        useful: Option<&str>,
    ) -> StateValues {
        state(&[
            (B_MINUTES, json!({"type": "number_input", "value": minutes})),
            (
                B_COVERED,
                json!({"type": "plain_text_input", "value": covered}),
            ),
            (
                B_USEFULNESS,
                json!({"type": "static_select", "selected_option": useful.map(opt)}),
            ),
        ])
    }

    #[test]
    fn met_edges_and_errors() {
        let ok = parse_met(&met_state(
            Some("45"),
            Some(" Prompting; a deal review "),
            Some("4"),
        ))
        .unwrap();
        assert_eq!(
            ok,
            MetAnswer {
                minutes: 45,
                covered: Some("Prompting; a deal review".into()),
                usefulness: 4
            }
        );
        let max = "x".repeat(MAX_COVERED);
        for (m, c, u) in [
            ("5", None, "1"),
            ("600", Some(max.as_str()), "5"),
            ("30", Some("  "), "3"),
        ] {
            let a = parse_met(&met_state(Some(m), c, Some(u))).unwrap();
            assert_eq!(a.minutes.to_string(), m);
            assert_eq!(a.usefulness.to_string(), u);
        }
        assert_eq!(
            parse_met(&met_state(Some("30"), Some("  "), Some("3")))
                .unwrap()
                .covered,
            None
        );
        for bad in [
            None,
            Some(""),
            Some("4"),
            Some("601"),
            Some("-5"),
            Some("45.5"),
            Some("lots"),
            Some("70000"),
        ] {
            let e = parse_met(&met_state(bad, None, Some("3"))).unwrap_err();
            assert_eq!(blocks(&e), vec![B_MINUTES], "{bad:?}");
            assert!(e[B_MINUTES].contains("5 to 600"));
        }
        let long = "x".repeat(MAX_COVERED + 1);
        let e = parse_met(&met_state(Some("30"), Some(&long), Some("3"))).unwrap_err();
        assert_eq!(blocks(&e), vec![B_COVERED]);
        assert!(e[B_COVERED].contains("500"));
        for bad in [
            None,
            Some("0"),
            Some("6"),
            Some("03"),
            Some("+3"),
            Some("very"),
        ] {
            let e = parse_met(&met_state(Some("30"), None, bad)).unwrap_err();
            assert_eq!(blocks(&e), vec![B_USEFULNESS], "{bad:?}");
        }
    }

    fn feedback_state(
        rating: Option<&str>,
        learned: Option<&str>,
        rec: Option<&str>,
    ) -> StateValues {
        state(&[
            (
                B_RATING,
                json!({"type": "static_select", "selected_option": rating.map(opt)}),
            ),
            (
                B_LEARNED,
                json!({"type": "plain_text_input", "value": learned}),
            ),
            (
                B_RECOMMEND,
                json!({"type": "radio_buttons", "selected_option": rec.map(opt)}),
            ),
        ])
    }

    #[test]
    fn feedback_edges_and_errors() {
        let max = "x".repeat(MAX_LEARNED);
        for (r, l, rec, want) in [
            ("1", None, "no", false),
            ("5", Some(max.as_str()), "yes", true),
        ] {
            let f = parse_feedback(&feedback_state(Some(r), l, Some(rec))).unwrap();
            assert_eq!(f.rating.to_string(), r);
            assert_eq!(f.recommend, want);
            assert_eq!(f.learned.as_deref(), l);
        }
        for bad in [None, Some("0"), Some("6"), Some("5.0")] {
            let e = parse_feedback(&feedback_state(bad, None, Some("yes"))).unwrap_err();
            assert_eq!(blocks(&e), vec![B_RATING], "{bad:?}");
        }
        let long = "x".repeat(MAX_LEARNED + 1);
        let e = parse_feedback(&feedback_state(Some("4"), Some(&long), Some("yes"))).unwrap_err();
        assert_eq!(blocks(&e), vec![B_LEARNED]);
        assert!(e[B_LEARNED].contains("1000"));
        for bad in [None, Some("maybe"), Some("YES"), Some("true")] {
            let e = parse_feedback(&feedback_state(Some("4"), None, bad)).unwrap_err();
            assert_eq!(blocks(&e), vec![B_RECOMMEND], "{bad:?}");
        }
    }

    #[test]
    fn checkin_answers_round_trip() {
        for a in CheckinAnswer::ALL {
            assert_eq!(CheckinAnswer::parse(a.as_str()), Some(*a));
            assert_eq!(CheckinAnswer::from_action_id(a.action_id()), Some(*a));
            assert!(!a.label().is_empty());
        }
        assert_eq!(
            [
                CheckinAnswer::Met,
                CheckinAnswer::NotYet,
                CheckinAnswer::NeedHelp
            ]
            .map(|a| a.as_str()),
            ["met", "not_yet", "need_help"]
        );
        assert_eq!(CheckinAnswer::parse("Met"), None);
        assert_eq!(CheckinAnswer::from_action_id("plan_open"), None);
    }

    #[test]
    fn metadata_and_ids_round_trip_and_refuse_junk() {
        assert_eq!(parse_metadata(&metadata(42)), Some(42));
        assert_eq!(
            parse_metadata("42:n0nce"),
            Some(42),
            "an earlier version's modal"
        );
        for bad in ["", "x", "x:n", "-1:n", "0:n", ":n", "0"] {
            assert_eq!(parse_metadata(bad), None, "{bad}");
        }
        assert_eq!(parse_id("7"), Some(7));
        for bad in ["", "0", "-3", "7 ", "seven", "99999999999999999999"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn labels() {
        assert_eq!(long_date(d(2026, 5, 5)), "Tue 5 May 2026");
        assert_eq!(iso_date(d(2026, 5, 5)), "2026-05-05");
        assert_eq!(cadence_option_label(Cadence::Biweekly), "Every two weeks");
        assert_eq!(usefulness_label(5), "5 – very useful");
        assert!((1..=5).all(|s| rating_label(s).starts_with(&s.to_string())));
        assert!((1..=5).all(|s| usefulness_label(s).starts_with(&s.to_string())));
    }
}
