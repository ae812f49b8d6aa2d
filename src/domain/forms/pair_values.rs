//! What Slack sends back when a pair fills in the plan, "we met" and feedback modals: `view.state.values` built from
//! plain answers, so the tests and the demo submit these forms exactly as a person in Slack would (the survey's
//! counterpart is [`crate::domain::forms::survey_values`]).

use crate::domain::forms::pair_forms::*;
use crate::domain::forms::state::{element_state, option_state};
use serde_json::{Value, json};

/// The plan modal's state values for this plan.
pub fn plan_values(p: &Plan) -> Value {
    json!({
        B_OBJECTIVE: element_state("plain_text_input", "value", json!(p.objective)),
        B_CADENCE: element_state("static_select", "selected_option", option_state(&cadence_option_label(p.cadence), p.cadence.as_str())),
        B_END_DATE: element_state("datepicker", "selected_date", json!(iso_date(p.end_date))),
        B_FIRST_MEETING: element_state("datepicker", "selected_date", json!(p.first_meeting.map(iso_date))),
    })
}

/// The "we met" modal's state values for these details.
pub fn met_values(a: &MetAnswer) -> Value {
    json!({
        B_MINUTES: element_state("number_input", "value", json!(a.minutes.to_string())),
        B_COVERED: element_state("plain_text_input", "value", json!(a.covered)),
        B_USEFULNESS: element_state("static_select", "selected_option", option_state(usefulness_label(a.usefulness), &a.usefulness.to_string())),
    })
}

/// The feedback modal's state values for this feedback.
pub fn feedback_values(f: &Feedback) -> Value {
    let recommend = if f.recommend {
        RECOMMEND_YES
    } else {
        RECOMMEND_NO
    };
    json!({
        B_RATING: element_state("static_select", "selected_option", option_state(rating_label(f.rating), &f.rating.to_string())),
        B_LEARNED: element_state("plain_text_input", "value", json!(f.learned)),
        B_RECOMMEND: element_state("radio_buttons", "selected_option", option_state(recommend_label(f.recommend), recommend)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schedule::Cadence;
    use chrono::NaiveDate;

    fn state(v: Value) -> StateValues {
        serde_json::from_value(v).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn filled_plans_parse_back_to_the_same_plan() {
        let today = d(2026, 5, 5);
        for cadence in Cadence::ALL {
            for first_meeting in [None, Some(today), Some(d(2026, 6, 1))] {
                let p = Plan {
                    objective: "Learn AI-assisted review; teach client pitching".into(),
                    cadence,
                    end_date: d(2026, 9, 30),
                    first_meeting,
                };
                assert_eq!(parse_plan(&state(plan_values(&p)), today), Ok(p));
            }
        }
    }

    #[test]
    fn filled_met_answers_parse_back() {
        for usefulness in 1..=5 {
            for (minutes, covered) in [(5, None), (600, Some("Redlining with Copilot".to_string()))]
            {
                let a = MetAnswer {
                    minutes,
                    covered,
                    usefulness,
                };
                assert_eq!(parse_met(&state(met_values(&a))), Ok(a));
            }
        }
    }

    #[test]
    fn filled_feedback_parses_back() {
        for rating in 1..=5 {
            for (learned, recommend) in [
                (None, false),
                (Some("How partners price a matter".to_string()), true),
            ] {
                let f = Feedback {
                    rating,
                    learned,
                    recommend,
                };
                assert_eq!(parse_feedback(&state(feedback_values(&f))), Ok(f));
            }
        }
    }
}
