//! Pure Block Kit rendering: plain data in, Slack JSON out. Nothing here does I/O, so every view is unit-tested
//! against Slack's limits (see [`limits`], which the fake Slack also enforces). The views build their JSON with the
//! one set of builders in [`blocks`].

pub mod audit;
pub mod blocks;
pub mod checkin;
pub mod closing;
pub mod enrolment;
pub mod exclusions;
pub mod feedback;
pub mod help;
pub mod home;
pub mod intro;
pub mod invitations;
pub mod limits;
pub mod plan;
pub mod proposal;
pub mod rounds;
pub mod subject_access;
pub mod summary;
pub mod survey;
pub mod text;
pub mod trouble;

mod pair_common;

/// The builders flows and inbound reach as `views::section` and the like.
pub use blocks::{actions, button, context, divider, ephemeral, header, section};

/// The program's name as people see it.
pub const PRODUCT: &str = "Tandem";

/// "Partner" is a seniority in a law firm (a partner of the firm). No message to a person in a pair may call the
/// other person "your partner": it says "your Tandem pair" or their name.
#[cfg(test)]
mod pair_wording {
    use crate::domain::forms::pair_forms::{CheckinAnswer, MetAnswer, OwnAnswer, Plan};
    use crate::domain::matching::UnmatchedReason;
    use crate::domain::schedule::Cadence;
    use chrono::NaiveDate;
    use serde_json::Value;

    /// Ways of calling the other person of a pair a partner.
    const FORBIDDEN: [&str; 9] = [
        "your partner",
        "tandem partner",
        "their partner",
        "the partner",
        "earlier partner",
        "last partner",
        "a partner.",
        "partners before",
        "both partners",
    ];

    fn check(what: &str, rendered: &str) {
        let lower = rendered.to_lowercase();
        for bad in FORBIDDEN {
            assert!(!lower.contains(bad), "{what} says {bad:?}: {rendered}");
        }
    }

    fn check_json(what: &str, v: &Value) {
        check(what, &v.to_string());
    }

    #[test]
    fn no_message_to_a_pair_calls_the_other_person_a_partner() {
        let day = NaiveDate::from_ymd_opt(2026, 5, 5).unwrap();
        let members = ["U1".to_string(), "U2".to_string()];
        let (t, b) = super::intro::intro(1, "U1", "U2", &["Negotiation".into()], &[]);
        check("the introduction", &t);
        check_json("the introduction", &b);
        for answered in [
            vec![],
            vec![("U1".to_string(), CheckinAnswer::Met)],
            vec![
                ("U1".to_string(), CheckinAnswer::Met),
                ("U2".to_string(), CheckinAnswer::NotYet),
            ],
        ] {
            let (t, b) = super::checkin::checkin(3, day, &answered, &members);
            check("a check-in", &t);
            check_json("a check-in", &b);
        }
        let met = OwnAnswer {
            answer: CheckinAnswer::Met,
            met: Some(MetAnswer {
                minutes: 45,
                covered: None,
                usefulness: 4,
            }),
            answered_at: 0,
        };
        check_json(
            "the answer shown again",
            &super::checkin::answered_reply(3, &met),
        );
        check_json(
            "the changed answer",
            &super::checkin::answer_changed_reply(&met),
        );
        check_json("the we-met form", &super::checkin::met_modal(3, Some(&met)));
        for (never_met, nth) in [(true, 1), (true, 2), (false, 1), (false, 2)] {
            let (t, b) = super::checkin::at_risk_nudge(super::checkin::Nudge {
                pair_id: 1,
                never_met,
                nth,
            });
            check("a nudge", &t);
            check_json("a nudge", &b);
        }
        check("a pause note", &super::checkin::pair_paused("U1", Some(0)));
        check("a resume note", &super::checkin::pair_resumed("U1"));
        let plan = Plan {
            objective: "Relativity basics".into(),
            cadence: Cadence::Weekly,
            end_date: day,
            first_meeting: None,
        };
        check_json(
            "the plan form",
            &super::plan::plan_modal(1, Some(&plan), Cadence::Weekly, day),
        );
        for first in [true, false] {
            let (t, b) = super::plan::plan_set(&plan, "U1", first);
            check("the plan", &t);
            check_json("the plan", &b);
        }
        let (t, b) = super::plan::plan_reminder(1);
        check("the plan reminder", &t);
        check_json("the plan reminder", &b);
        for met in [true, false] {
            let (t, b) = super::closing::closing(1, met);
            check("the closing", &t);
            check_json("the closing", &b);
        }
        check_json("the feedback form", &super::closing::feedback_modal(1));
        for reason in [true, false] {
            check("an early end", &super::closing::pair_ended(reason));
        }
        check("an early end", &super::closing::ended_by_you());
        check(
            "a departure",
            &super::enrolment::pair_left_dm(Some(0), "UTC"),
        );
        check("a departure", &super::enrolment::pair_left_dm(None, "UTC"));
        check_json("leaving", &super::enrolment::leave_confirmation());
        check_json("the help form", &super::trouble::help_modal(3));
        for may_tell in [true, false] {
            check("the help receipt", &super::trouble::help_sent(may_tell));
        }
        check(
            "a message from the program team",
            &super::trouble::from_program("U9", "hello"),
        );
        for rematch in [true, false] {
            check(
                "an end by the program team",
                &super::trouble::ended_by_program("U2", rematch),
            );
        }
        use UnmatchedReason::*;
        for reason in [
            Paused,
            NoCapacity,
            TooFewHours,
            NobodyOnOtherSide,
            PartnersShortOfHours,
            NoSeniorityGap,
            NobodyWantsYourSkills,
            NobodyTeachesWhatYouWant,
            LowScore,
            OnlyBlockedPartners,
            NoSeniorWithTimeLeft,
            PartnersTakenElsewhere,
        ] {
            let (t, b) = super::rounds::unmatched_dm(reason, Some(0), "UTC");
            check("a left-out note", &t);
            check_json("a left-out note", &b);
        }
    }

    #[test]
    fn the_check_catches_the_old_wording() {
        let caught =
            std::panic::catch_unwind(|| check("old", "Your Tandem partner has left the program"));
        assert!(caught.is_err());
    }
}
