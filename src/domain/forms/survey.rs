//! The survey: what a person answers when they opt in, and how a submitted modal becomes those answers.
//!
//! Pure: [`parse_submission`] turns Slack's `view.state.values` into [`Answers`] or a per-block list of what to fix,
//! refusing anything that is not on the form (a tampered payload). [`crate::views::survey`] renders the modal with the
//! block and action IDs defined here.

use crate::domain::catalog::Catalog;
use crate::domain::forms::state::{selected, selected_many, selected_user, text};
use crate::domain::matching::Role;
use crate::domain::schedule::Cadence;
use crate::domain::slack_id::looks_like_slack_id;
use crate::domain::text::truncate;

pub use crate::domain::forms::state::{ACTION, FieldErrors, StateValues};

/// The modal's `callback_id`.
pub const CALLBACK_ID: &str = "survey";

pub const B_ROLE: &str = "role";
pub const B_YEARS: &str = "years";
pub const B_GROUP: &str = "practice_group";
pub const B_TEACH: &str = "teach";
pub const B_LEARN: &str = "learn";
pub const B_HOURS: &str = "hours";
pub const B_CADENCE: &str = "cadence";
pub const B_REPORTS_TO: &str = "reports_to";
pub const B_CONFIRM: &str = "confirm";

pub const CONFIRM_VALUE: &str = "willing";
pub const CONFIRM_TEXT: &str = "I'm willing to teach and to learn, as a peer";
pub const MAX_YEARS: u8 = 70;
/// The choices for hours a month; 6 stands for "6 or more".
pub const HOURS: [u8; 4] = [1, 2, 4, 6];

pub fn hours_label(h: u8) -> String {
    if h >= 6 {
        "6+ hours".to_string()
    } else if h == 1 {
        "1 hour".to_string()
    } else {
        format!("{h} hours")
    }
}

/// A role's value in the form (its serde name).
pub fn role_value(role: Role) -> &'static str {
    match role {
        Role::Partner => "partner",
        Role::OfCounsel => "of_counsel",
        Role::SeniorAssociate => "senior_associate",
        Role::Associate => "associate",
        Role::JuniorAssociate => "junior_associate",
        Role::GeneralCounsel => "general_counsel",
        Role::DeputyGc => "deputy_gc",
        Role::SeniorCounsel => "senior_counsel",
        Role::Counsel => "counsel",
        Role::LegalOperations => "legal_operations",
        Role::Paralegal => "paralegal",
    }
}

pub fn parse_role(value: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| role_value(*r) == value)
}

/// Someone's survey answers. There is no free-text field: everything here is used for matching, and nothing is
/// collected that no one would read (a "note" block sent by a form opened before it was dropped is ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub role: Role,
    pub years: u8,
    pub practice_group: String,
    /// Skill IDs, sorted.
    pub teach: Vec<String>,
    /// Skill IDs, sorted.
    pub learn: Vec<String>,
    pub hours_per_month: u8,
    pub cadence: Cadence,
    pub reports_to: Option<String>,
}

/// Parses and validates a submitted survey for `user_id`. Every problem is reported on its own block.
pub fn parse_submission(
    values: &StateValues,
    catalog: &Catalog,
    user_id: &str,
) -> Result<Answers, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut err = |block: &str, message: String| {
        errors.entry(block.to_string()).or_insert(message);
    };

    let role = selected(values, B_ROLE).and_then(|v| parse_role(&v));
    if role.is_none() {
        err(B_ROLE, "Choose your role from the list.".into());
    }

    let years = text(values, B_YEARS)
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|y| *y <= MAX_YEARS);
    if years.is_none() {
        err(
            B_YEARS,
            format!("Enter your years in practice as a whole number from 0 to {MAX_YEARS}."),
        );
    }

    let group = selected(values, B_GROUP).filter(|g| catalog.practice_groups.contains(g));
    if group.is_none() {
        err(
            B_GROUP,
            "Choose a practice group from the list (or Other).".into(),
        );
    }

    let teach = selected_many(values, B_TEACH);
    let learn = selected_many(values, B_LEARN);
    for (block, chosen, what) in [
        (B_TEACH, &teach, "you can teach"),
        (B_LEARN, &learn, "you want to learn"),
    ] {
        if chosen.is_empty() {
            err(block, format!("Choose at least one skill {what}."));
        } else if let Some(bad) = chosen.iter().find(|s| catalog.skill(s).is_none()) {
            err(
                block,
                format!(
                    "'{}' is not in the skill catalog; choose from the list.",
                    truncate(bad, 40)
                ),
            );
        }
    }
    let both: Vec<&str> = teach
        .iter()
        .filter(|s| learn.contains(s))
        .map(|s| catalog.label(s))
        .collect();
    if !both.is_empty() {
        err(
            B_LEARN,
            format!(
                "You chose {} both to teach and to learn; keep each skill on one side.",
                crate::domain::catalog::join_and(&both)
            ),
        );
    }

    let hours = selected(values, B_HOURS)
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|h| HOURS.contains(h));
    if hours.is_none() {
        err(
            B_HOURS,
            "Choose how many hours a month you can give.".into(),
        );
    }

    let cadence = selected(values, B_CADENCE).and_then(|v| Cadence::parse(&v).ok());
    if cadence.is_none() {
        err(B_CADENCE, "Choose how often you would like to meet.".into());
    }

    let reports_to = selected_user(values, B_REPORTS_TO);
    match &reports_to {
        Some(u) if u == user_id => err(
            B_REPORTS_TO,
            "You can't report to yourself; leave this empty if nobody fits.".into(),
        ),
        Some(u) if !looks_like_slack_id(u, &['U', 'W']) => {
            err(B_REPORTS_TO, "Choose a person from the list.".into())
        }
        _ => {}
    }

    if !selected_many(values, B_CONFIRM)
        .iter()
        .any(|v| v == CONFIRM_VALUE)
    {
        err(
            B_CONFIRM,
            "Tandem pairs peers who teach each other: tick this to take part.".into(),
        );
    }

    match (role, years, group, hours, cadence) {
        (Some(role), Some(years), Some(practice_group), Some(hours_per_month), Some(cadence))
            if errors.is_empty() =>
        {
            Ok(Answers {
                role,
                years,
                practice_group,
                teach,
                learn,
                hours_per_month,
                cadence,
                reports_to,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    /// A filled-in form, as raw strings (so tests can send what the form would never offer).
    struct Form<'a> {
        role: &'a str,
        years: &'a str,
        group: &'a str,
        teach: &'a [&'a str],
        learn: &'a [&'a str],
        hours: &'a str,
        cadence: &'a str,
        reports_to: Option<&'a str>,
        confirm: bool,
        note: Option<&'a str>,
    }

    impl Default for Form<'_> {
        fn default() -> Self {
            Form {
                role: "associate",
                years: "3",
                group: "Tax",
                teach: &["ai_drafting", "ediscovery"],
                learn: &["client_management"],
                hours: "2",
                cadence: "biweekly",
                reports_to: Some("U0BOSS"),
                confirm: true,
                note: Some("Happy to help"),
            }
        }
    }

    /// `view.state.values` as Slack would send it for this form.
    fn values(f: &Form) -> StateValues {
        let opt = |v: &str| json!({"text": {"type": "plain_text", "text": v}, "value": v});
        let many = |vs: &[&str]| json!(vs.iter().map(|v| opt(v)).collect::<Vec<_>>());
        let mut m = BTreeMap::new();
        let mut put = |block: &str, v: Value| {
            m.insert(block.to_string(), BTreeMap::from([(ACTION.to_string(), v)]));
        };
        put(
            B_ROLE,
            json!({"type": "static_select", "selected_option": opt(f.role)}),
        );
        put(B_YEARS, json!({"type": "number_input", "value": f.years}));
        put(
            B_GROUP,
            json!({"type": "static_select", "selected_option": opt(f.group)}),
        );
        put(
            B_TEACH,
            json!({"type": "multi_static_select", "selected_options": many(f.teach)}),
        );
        put(
            B_LEARN,
            json!({"type": "multi_static_select", "selected_options": many(f.learn)}),
        );
        put(
            B_HOURS,
            json!({"type": "static_select", "selected_option": opt(f.hours)}),
        );
        put(
            B_CADENCE,
            json!({"type": "static_select", "selected_option": opt(f.cadence)}),
        );
        put(
            B_REPORTS_TO,
            json!({"type": "users_select", "selected_user": f.reports_to}),
        );
        let confirm = if f.confirm {
            many(&[CONFIRM_VALUE])
        } else {
            json!([])
        };
        put(
            B_CONFIRM,
            json!({"type": "checkboxes", "selected_options": confirm}),
        );
        // A form opened before the note was dropped still sends it.
        put("note", json!({"type": "plain_text_input", "value": f.note}));
        m
    }

    fn errors(f: Form) -> FieldErrors {
        parse_submission(&values(&f), &Catalog::default(), "U0ME").unwrap_err()
    }

    fn blocks(e: &FieldErrors) -> Vec<&str> {
        e.keys().map(String::as_str).collect()
    }

    #[test]
    fn a_complete_survey_parses() {
        let a = parse_submission(&values(&Form::default()), &Catalog::default(), "U0ME").unwrap();
        assert_eq!(a.role, Role::Associate);
        assert_eq!(a.years, 3);
        assert_eq!(a.teach, vec!["ai_drafting", "ediscovery"]);
        assert_eq!(a.learn, vec!["client_management"]);
        assert_eq!((a.hours_per_month, a.cadence), (2, Cadence::Biweekly));
        assert_eq!(a.reports_to.as_deref(), Some("U0BOSS"));

        let edge = Form {
            years: "70",
            group: "Other",
            hours: "6",
            cadence: "monthly",
            reports_to: None,
            note: None,
            ..Form::default()
        };
        assert!(parse_submission(&values(&edge), &Catalog::default(), "U0ME").is_ok());
    }

    #[test]
    fn each_problem_is_reported_on_its_block() {
        let e = errors(Form {
            teach: &[],
            learn: &[],
            ..Form::default()
        });
        assert!(e[B_TEACH].contains("at least one") && e[B_LEARN].contains("at least one"));
        for bad in ["71", "-1", "2.5", "many", ""] {
            assert_eq!(
                blocks(&errors(Form {
                    years: bad,
                    ..Form::default()
                })),
                vec![B_YEARS],
                "{bad}"
            );
        }
        assert_eq!(
            blocks(&errors(Form {
                confirm: false,
                ..Form::default()
            })),
            vec![B_CONFIRM]
        );
        assert!(
            errors(Form {
                reports_to: Some("U0ME"),
                ..Form::default()
            })[B_REPORTS_TO]
                .contains("yourself")
        );
        // A note from a form opened before the note was dropped is ignored, however long.
        let long = "x".repeat(5000);
        assert!(
            parse_submission(
                &values(&Form {
                    note: Some(&long),
                    ..Form::default()
                }),
                &Catalog::default(),
                "U0ME"
            )
            .is_ok()
        );
        let both = errors(Form {
            teach: &["negotiation"],
            learn: &["negotiation"],
            ..Form::default()
        });
        assert!(both[B_LEARN].contains("both to teach and to learn"));
    }

    #[test]
    fn values_not_on_the_form_are_refused() {
        assert_eq!(
            blocks(&errors(Form {
                role: "emperor",
                ..Form::default()
            })),
            vec![B_ROLE]
        );
        assert_eq!(
            blocks(&errors(Form {
                group: "Astrology",
                ..Form::default()
            })),
            vec![B_GROUP]
        );
        assert!(
            errors(Form {
                teach: &["ediscovery", "mind_reading"],
                ..Form::default()
            })[B_TEACH]
                .contains("mind_reading")
        );
        assert_eq!(
            blocks(&errors(Form {
                hours: "3",
                cadence: "daily",
                ..Form::default()
            })),
            vec![B_CADENCE, B_HOURS]
        );
        assert_eq!(
            blocks(&errors(Form {
                reports_to: Some("#general"),
                ..Form::default()
            })),
            vec![B_REPORTS_TO]
        );
        assert!(
            parse_submission(&BTreeMap::new(), &Catalog::default(), "U")
                .unwrap_err()
                .len()
                >= 8,
            "an empty form has many errors"
        );
    }

    #[test]
    fn every_role_round_trips_through_its_form_value() {
        for r in Role::ALL {
            assert_eq!(parse_role(role_value(r)), Some(r));
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                json!(role_value(r)),
                "form values are the serde names"
            );
        }
    }
}
