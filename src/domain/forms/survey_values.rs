//! What Slack sends back when someone fills in Tandem's modals: `view.state.values` built from plain answers, so the
//! tests and the demo submit forms exactly as a person in Slack would.

use crate::domain::catalog::Catalog;
use crate::domain::forms::state::{element_state, option_state};
use crate::domain::forms::survey::*;
use serde_json::{Value, json};

/// The survey's state values for these answers (`confirmed` ticks the willingness box).
pub fn survey_values(a: &Answers, catalog: &Catalog, confirmed: bool) -> Value {
    let skills = |ids: &[String]| {
        json!(
            ids.iter()
                .map(|id| option_state(catalog.label(id), id))
                .collect::<Vec<_>>()
        )
    };
    json!({
        B_ROLE: element_state("static_select", "selected_option", option_state(a.role.label(), role_value(a.role))),
        B_YEARS: element_state("number_input", "value", json!(a.years.to_string())),
        B_GROUP: element_state("static_select", "selected_option", option_state(&a.practice_group, &a.practice_group)),
        B_TEACH: element_state("multi_static_select", "selected_options", skills(&a.teach)),
        B_LEARN: element_state("multi_static_select", "selected_options", skills(&a.learn)),
        B_HOURS: element_state("static_select", "selected_option", option_state(&hours_label(a.hours_per_month), &a.hours_per_month.to_string())),
        B_CADENCE: element_state("static_select", "selected_option", option_state(a.cadence.label(), a.cadence.as_str())),
        B_REPORTS_TO: element_state("users_select", "selected_user", json!(a.reports_to)),
        B_CONFIRM: element_state("checkboxes", "selected_options", if confirmed { json!([option_state(CONFIRM_TEXT, CONFIRM_VALUE)]) } else { json!([]) }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::Role;
    use crate::domain::schedule::Cadence;

    #[test]
    fn filled_forms_parse_back_to_the_same_answers() {
        let a = Answers {
            role: Role::SeniorCounsel,
            years: 14,
            practice_group: "In-house legal".into(),
            teach: vec!["negotiation".into()],
            learn: vec!["ai_research".into(), "clm_tools".into()],
            hours_per_month: 6,
            cadence: Cadence::Monthly,
            reports_to: None,
        };
        let c = Catalog::default();
        let values: StateValues = serde_json::from_value(survey_values(&a, &c, true)).unwrap();
        assert_eq!(parse_submission(&values, &c, "U1").unwrap(), a);
        let unticked: StateValues = serde_json::from_value(survey_values(&a, &c, false)).unwrap();
        assert!(
            parse_submission(&unticked, &c, "U1")
                .unwrap_err()
                .contains_key(B_CONFIRM)
        );
    }
}
