//! The survey modal (`/mentor join`, `/mentor profile`, the Home tab's Join and Edit buttons).

use super::blocks::{
    checkboxes, input, modal, multi_static_select, option, option_group, section, static_select,
    users_select, whole_number_input,
};
use crate::domain::catalog::{Catalog, SkillGroup};
use crate::domain::forms::pair_forms::cadence_option_label;
use crate::domain::forms::survey::*;
use crate::domain::matching::Role;
use crate::domain::schedule::Cadence;
use serde_json::{Value, json};

fn skills_select(catalog: &Catalog, chosen: &[String], placeholder: &str) -> Value {
    let group = |g: SkillGroup| {
        let options: Vec<Value> = catalog
            .skills
            .iter()
            .filter(|s| s.group == g)
            .map(|s| option(&s.label, &s.id))
            .collect();
        option_group(g.label(), options)
    };
    let initial: Vec<Value> = chosen
        .iter()
        .filter_map(|id| catalog.skill(id))
        .map(|s| option(&s.label, &s.id))
        .collect();
    multi_static_select(
        vec![group(SkillGroup::Technology), group(SkillGroup::Practice)],
        initial,
        placeholder,
    )
}

/// The survey modal. `current` pre-fills it (editing); otherwise `supervisor` (from an invitation made from an HR
/// export) pre-fills "who I report to". `nonce` goes in `private_metadata` to tie the submission to this very modal.
pub fn survey_modal(
    catalog: &Catalog,
    current: Option<&Answers>,
    supervisor: Option<&str>,
    nonce: &str,
) -> Value {
    let role_opt = |r: Role| option(r.label(), role_value(r));
    let roles: Vec<Value> = Role::ALL.into_iter().map(role_opt).collect();
    let groups: Vec<Value> = catalog
        .practice_groups
        .iter()
        .map(|g| option(g, g))
        .collect();
    let hours: Vec<Value> = HOURS
        .iter()
        .map(|h| option(&hours_label(*h), &h.to_string()))
        .collect();
    let cadences: Vec<Value> = Cadence::ALL
        .iter()
        .map(|c| option(&cadence_option_label(*c), c.as_str()))
        .collect();

    let mut years = whole_number_input(0, u32::from(MAX_YEARS));
    let mut reports_to = users_select("Your direct supervisor");
    let mut confirm = checkboxes(vec![option(CONFIRM_TEXT, CONFIRM_VALUE)]);
    if let Some(a) = current {
        years["initial_value"] = json!(a.years.to_string());
        if let Some(r) = &a.reports_to {
            reports_to["initial_user"] = json!(r);
        }
        confirm["initial_options"] = json!([option(CONFIRM_TEXT, CONFIRM_VALUE)]);
    } else if let Some(s) =
        supervisor.filter(|s| crate::domain::slack_id::looks_like_slack_id(s, &['U', 'W']))
    {
        reports_to["initial_user"] = json!(s);
    }
    let initial_group = current
        .filter(|a| catalog.practice_groups.contains(&a.practice_group))
        .map(|a| option(&a.practice_group, &a.practice_group));
    let editing = current.is_some();

    modal(
        CALLBACK_ID,
        if editing {
            "Edit my answers"
        } else {
            "Join Tandem"
        },
        if editing { "Save" } else { "Join" },
        nonce,
        vec![
            section(
                "In Tandem each of you is both *teacher and student*: a more junior attorney shows a senior one new tools and ways of working, and learns practice and leadership in return. Your answers are seen only by you and used only for matching.",
            ),
            input(
                B_ROLE,
                "Your role",
                static_select(roles, current.map(|a| role_opt(a.role)), "Choose your role"),
                false,
                None,
            ),
            input(
                B_YEARS,
                "Years in practice",
                years,
                false,
                Some("Whole years, 0 to 70"),
            ),
            input(
                B_GROUP,
                "Practice group",
                static_select(groups, initial_group, "Choose your group"),
                false,
                None,
            ),
            input(
                B_TEACH,
                "Skills I can teach",
                skills_select(
                    catalog,
                    current.map(|a| a.teach.as_slice()).unwrap_or(&[]),
                    "What you could show someone",
                ),
                false,
                None,
            ),
            input(
                B_LEARN,
                "Skills I want to learn",
                skills_select(
                    catalog,
                    current.map(|a| a.learn.as_slice()).unwrap_or(&[]),
                    "What you would like to learn",
                ),
                false,
                None,
            ),
            input(
                B_HOURS,
                "Hours a month I can give",
                static_select(
                    hours,
                    current.map(|a| {
                        option(
                            &hours_label(a.hours_per_month),
                            &a.hours_per_month.to_string(),
                        )
                    }),
                    "Hours a month",
                ),
                false,
                None,
            ),
            input(
                B_CADENCE,
                "How often I'd like to meet",
                static_select(
                    cadences,
                    current.map(|a| option(&cadence_option_label(a.cadence), a.cadence.as_str())),
                    "Meeting cadence",
                ),
                false,
                None,
            ),
            input(
                B_REPORTS_TO,
                "Who I report to directly",
                reports_to,
                true,
                Some("So that nobody is paired with their own supervisor"),
            ),
            input(B_CONFIRM, "Taking part", confirm, false, None),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::limits::check_view;

    fn answers() -> Answers {
        Answers {
            role: Role::Partner,
            years: 25,
            practice_group: "Tax".into(),
            teach: vec!["client_management".into()],
            learn: vec!["ai_drafting".into(), "ediscovery".into()],
            hours_per_month: 4,
            cadence: Cadence::Monthly,
            reports_to: Some("U0MANAGING".into()),
        }
    }

    #[test]
    fn the_empty_modal_is_within_slacks_limits_and_has_every_field() {
        let v = survey_modal(&Catalog::default(), None, None, "nonce-1");
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(v["title"]["text"], "Join Tandem");
        assert_eq!(v["private_metadata"], "nonce-1");
        let ids: Vec<&str> = v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["block_id"].as_str())
            .collect();
        assert_eq!(
            ids,
            vec![
                B_ROLE,
                B_YEARS,
                B_GROUP,
                B_TEACH,
                B_LEARN,
                B_HOURS,
                B_CADENCE,
                B_REPORTS_TO,
                B_CONFIRM
            ]
        );
        let teach = &v["blocks"][4]["element"];
        assert_eq!(
            teach["option_groups"][0]["label"]["text"],
            "Technology and new ways of working"
        );
        assert_eq!(
            teach["option_groups"][1]["label"]["text"],
            "Practice and leadership"
        );
        assert_eq!(
            v["blocks"][1]["element"]["options"]
                .as_array()
                .unwrap()
                .len(),
            11,
            "firm and in-house roles"
        );
        assert_eq!(
            v["blocks"][3]["element"]["options"]
                .as_array()
                .unwrap()
                .len(),
            11,
            "ten groups and Other"
        );
    }

    #[test]
    fn the_edit_modal_is_prefilled_with_the_current_answers() {
        let v = survey_modal(&Catalog::default(), Some(&answers()), Some("U0OTHER"), "n");
        assert_eq!(
            check_view(&v),
            Vec::<String>::new(),
            "initial options must be among the options"
        );
        assert_eq!(v["title"]["text"], "Edit my answers");
        let b = &v["blocks"];
        assert_eq!(b[1]["element"]["initial_option"]["value"], "partner");
        assert_eq!(b[2]["element"]["initial_value"], "25");
        assert_eq!(b[3]["element"]["initial_option"]["value"], "Tax");
        assert_eq!(
            b[5]["element"]["initial_options"].as_array().unwrap().len(),
            2
        );
        assert_eq!(b[6]["element"]["initial_option"]["value"], "4");
        assert_eq!(b[7]["element"]["initial_option"]["value"], "monthly");
        assert_eq!(b[8]["element"]["initial_user"], "U0MANAGING");
    }

    #[test]
    fn a_group_dropped_from_the_catalog_is_not_prefilled() {
        let mut a = answers();
        a.practice_group = "Maritime".into();
        let v = survey_modal(&Catalog::default(), Some(&a), None, "n");
        assert!(v["blocks"][3]["element"].get("initial_option").is_none());
        assert_eq!(check_view(&v), Vec::<String>::new());
    }

    #[test]
    fn an_invitation_from_an_hr_export_pre_fills_the_supervisor_of_a_new_survey() {
        let v = survey_modal(&Catalog::default(), None, Some("U0BOSS"), "n");
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(v["title"]["text"], "Join Tandem");
        assert_eq!(v["blocks"][8]["block_id"], B_REPORTS_TO);
        assert_eq!(v["blocks"][8]["element"]["initial_user"], "U0BOSS");
        assert!(v["blocks"][9]["element"].get("initial_options").is_none());
        let odd = survey_modal(&Catalog::default(), None, Some("not an id"), "n");
        assert!(odd["blocks"][8]["element"].get("initial_user").is_none());
    }
}
