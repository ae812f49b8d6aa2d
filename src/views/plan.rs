//! The pair's plan: the modal behind **Set our plan**, the message that announces a plan (or a change to it), and the
//! single reminder when no plan has been set.

use super::blocks::{
    actions, button, context, datepicker, input, modal, multiline_input, option, section,
    section_fields, static_select,
};
use super::pair_common::{mention, quote};
use crate::domain::forms::pair_forms::*;
use crate::domain::schedule::Cadence;
use crate::domain::text::truncate;
use chrono::NaiveDate;
use serde_json::{Value, json};

fn cadence_option(c: Cadence) -> Value {
    option(&cadence_option_label(c), c.as_str())
}

/// The plan modal for pair `pair_id` (callback `plan`, `private_metadata` `"{pair_id}"`).
///
/// `current` pre-fills it when the pair changes an existing plan; otherwise the cadence starts at `default_cadence`
/// and the end date at `default_end`. The first meeting is never pre-filled: Slack's datepicker cannot be cleared, and
/// a first meeting already past would be refused by [`parse_plan`], trapping the pair. So an edited plan comes back
/// with `first_meeting: None` unless they pick a date; the handler may keep the stored one in that case.
pub fn plan_modal(
    pair_id: i64,
    current: Option<&Plan>,
    default_cadence: Cadence,
    default_end: NaiveDate,
) -> Value {
    let mut objective = multiline_input(
        MAX_OBJECTIVE,
        "e.g. Ana: confident first drafts with our AI tools. Ben: leading a client call.",
    );
    if let Some(p) = current {
        objective["initial_value"] = json!(truncate(&p.objective, MAX_OBJECTIVE));
    }
    let cadence = current.map_or(default_cadence, |p| p.cadence);
    let end = current.map_or(default_end, |p| p.end_date);
    let cadences: Vec<Value> = Cadence::ALL.into_iter().map(cadence_option).collect();
    let editing = current.is_some();
    let first_hint = if editing {
        "Optional. Leave empty if you have already had your first meeting."
    } else {
        "Optional: the date you have booked for your first meeting."
    };

    modal(
        CALLBACK_PLAN,
        if editing {
            "Change our plan"
        } else {
            "Our plan"
        },
        "Save plan",
        &metadata(pair_id),
        vec![
            section(
                "Agree this together, ideally in your first meeting. You will both see the plan in your conversation, \
                 and either of you can change it later.",
            ),
            input(
                B_OBJECTIVE,
                "Our objective",
                objective,
                false,
                Some("What will each of you be able to do by the end? At most 500 characters."),
            ),
            input(
                B_CADENCE,
                "How often we will meet",
                static_select(cadences, Some(cadence_option(cadence)), "Choose a rhythm"),
                false,
                None,
            ),
            input(
                B_END_DATE,
                "By when we expect to reach it",
                datepicker(Some(end), "Choose an end date"),
                false,
                Some("At most 12 months from today."),
            ),
            input(
                B_FIRST_MEETING,
                "Our first meeting",
                datepicker(None, "Choose a date"),
                true,
                Some(first_hint),
            ),
        ],
    )
}

/// The message to the pair announcing `plan`, set by `by_user`. When not `first_time` it says that `by_user`
/// changed the plan; it is posted in the pair's conversation, so both partners are told. Returns the fallback text
/// and the blocks.
pub fn plan_set(plan: &Plan, by_user: &str, first_time: bool) -> (String, Value) {
    let by = mention(by_user);
    let cadence = cadence_option_label(plan.cadence);
    let end = long_date(plan.end_date);
    let first = plan
        .first_meeting
        .map_or_else(|| "Not booked yet".to_string(), long_date);
    let (text, lead) = if first_time {
        (
            format!(
                "Your Tandem plan is set: meet {}, until {end}. {by} saved it for you both.",
                plan.cadence.label()
            ),
            format!("📌 *Your plan is set.* {by} saved it for you both."),
        )
    } else {
        (
            format!(
                "{by} changed your Tandem plan: meet {}, until {end}.",
                plan.cadence.label()
            ),
            format!("✏️ {by} *changed your plan*. Here it is now:"),
        )
    };
    let blocks = json!([
        section(&lead),
        section(&format!(
            "*Objective*\n{}",
            quote(&truncate(&plan.objective, MAX_OBJECTIVE))
        )),
        section_fields(&[
            &format!("*How often*\n{cadence}"),
            &format!("*Until*\n{end}"),
            &format!("*First meeting*\n{first}"),
        ]),
        context(&format!(
            "I will check in with you {} and send a short closing note on {end}. Either of you can change the plan \
             with *Set our plan* in your introduction; you will both be told.",
            plan.cadence.label()
        )),
    ]);
    (text, blocks)
}

/// The actions block with **Set our plan** (`plan_open`, value = the pair ID), in the introduction and the reminder.
pub fn set_plan_actions(pair_id: i64) -> Value {
    actions(
        B_PLAN_ACTIONS,
        vec![button(
            "Set our plan",
            ACTION_PLAN_OPEN,
            &pair_id.to_string(),
            Some("primary"),
        )],
    )
}

/// The single gentle reminder when pair `pair_id` has no plan
/// [`PLAN_REMINDER_BUSINESS_DAYS`](crate::domain::schedule::PLAN_REMINDER_BUSINESS_DAYS) business days after the introduction, with the **Set our plan** button. Returns the fallback text and the blocks.
pub fn plan_reminder(pair_id: i64) -> (String, Value) {
    let text = "A gentle reminder: when you have had your first conversation, set your Tandem plan together.";
    let blocks = json!([
        section(
            "👋 A gentle reminder: your Tandem plan is not set yet. When you have had your first conversation, take \
             two minutes to set it together: an objective, how often you will meet, and by when you expect to reach \
             it. It helps you both keep the momentum."
        ),
        set_plan_actions(pair_id),
        context("This is the only reminder about it. Busy period? `/mentor pause` takes a break."),
    ]);
    (text.to_string(), blocks)
}

/// The calendar file's name in the pair's conversation.
pub const CALENDAR_FILE_NAME: &str = "tandem-meetings.ics";

/// The calendar file's title.
pub const CALENDAR_FILE_TITLE: &str = "Your Tandem meetings (calendar invite)";

/// The text that comes with the calendar file in the pair's conversation: when the first meeting is (on the clock of
/// `first`'s zone, which the series keeps), how often, until when, and what to do with the file. `update` when it
/// replaces an earlier invite.
pub fn calendar_comment(
    first: chrono::DateTime<chrono_tz::Tz>,
    cadence: Cadence,
    end: NaiveDate,
    update: bool,
) -> String {
    let zone = first.timezone();
    let place = zone
        .name()
        .rsplit('/')
        .next()
        .unwrap_or("UTC")
        .replace('_', " ");
    let when = format!(
        "{} at {} ({place} time), then {} until {}",
        long_date(first.date_naive()),
        first.format("%H:%M"),
        cadence.label(),
        long_date(end)
    );
    if update {
        format!(
            "📅 Your plan changed, so here is your updated calendar invite: first meeting {when}. Open it to update \
             the meetings you added before (your calendar replaces them)."
        )
    } else {
        format!(
            "📅 Your meetings as a calendar invite: first meeting {when}. Open the file to add them to Outlook, \
             Google or Apple Calendar, and move any meeting there if the time does not suit you both."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::pair_values::plan_values;
    use crate::views::limits::{check_message_blocks, check_view};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn plan() -> Plan {
        Plan {
            objective: "Ana: AI-assisted first drafts <fast> & safe.\nBen: running a client call."
                .into(),
            cadence: Cadence::Monthly,
            end_date: d(2026, 9, 30),
            first_meeting: Some(d(2026, 5, 12)),
        }
    }

    fn block<'a>(v: &'a Value, id: &str) -> &'a Value {
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["block_id"] == id)
            .unwrap()
    }

    #[test]
    fn the_new_plan_modal_is_valid_and_uses_the_defaults() {
        let v = plan_modal(7, None, Cadence::Biweekly, d(2026, 9, 5));
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert!(v["title"]["text"].as_str().unwrap().chars().count() <= 24);
        assert_eq!(v["callback_id"], "plan");
        assert_eq!(v["private_metadata"], "7");
        assert!(v.get("submit").is_some());
        let objective = &block(&v, B_OBJECTIVE)["element"];
        assert_eq!(objective["type"], "plain_text_input");
        assert_eq!(objective["multiline"], true);
        assert_eq!(objective["max_length"], 500);
        assert!(objective.get("initial_value").is_none());
        let cadence = &block(&v, B_CADENCE)["element"];
        assert_eq!(cadence["type"], "static_select");
        assert_eq!(cadence["initial_option"]["value"], "biweekly");
        assert_eq!(cadence["options"].as_array().unwrap().len(), 3);
        let end = &block(&v, B_END_DATE)["element"];
        assert_eq!(end["type"], "datepicker");
        assert_eq!(end["initial_date"], "2026-09-05");
        assert_eq!(block(&v, B_FIRST_MEETING)["optional"], true);
        assert_eq!(block(&v, B_FIRST_MEETING)["element"]["type"], "datepicker");
        for id in [B_OBJECTIVE, B_CADENCE, B_END_DATE, B_FIRST_MEETING] {
            assert_eq!(block(&v, id)["element"]["action_id"], ACTION);
        }
    }

    #[test]
    fn the_edit_modal_is_prefilled_and_round_trips() {
        let p = plan();
        let v = plan_modal(7, Some(&p), Cadence::Weekly, d(2026, 12, 1));
        assert_eq!(check_view(&v), Vec::<String>::new());
        assert_eq!(v["title"]["text"], "Change our plan");
        assert_eq!(
            block(&v, B_OBJECTIVE)["element"]["initial_value"],
            p.objective
        );
        assert_eq!(
            block(&v, B_CADENCE)["element"]["initial_option"]["value"],
            "monthly"
        );
        assert_eq!(
            block(&v, B_END_DATE)["element"]["initial_date"],
            "2026-09-30"
        );
        // The form's own option for the cadence is what the test form builder sends back.
        let options = block(&v, B_CADENCE)["element"]["options"]
            .as_array()
            .unwrap()
            .clone();
        let sent = plan_values(&p)[B_CADENCE][ACTION]["selected_option"].clone();
        assert!(options.contains(&sent));
        let state: StateValues = serde_json::from_value(plan_values(&p)).unwrap();
        assert_eq!(parse_plan(&state, d(2026, 5, 5)), Ok(p));
    }

    #[test]
    fn an_overlong_stored_objective_still_gives_a_valid_modal() {
        let mut p = plan();
        p.objective = "x".repeat(900);
        let v = plan_modal(7, Some(&p), Cadence::Weekly, d(2026, 12, 1));
        assert_eq!(check_view(&v), Vec::<String>::new());
    }

    #[test]
    fn plan_set_announces_the_plan_and_who_changed_it() {
        let (text, blocks) = plan_set(&plan(), "U0ANA", true);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        let all = blocks.to_string();
        assert!(text.contains("is set") && text.contains("Wed 30 Sep 2026"));
        assert!(all.contains("Your plan is set") && all.contains("<@U0ANA>"));
        assert!(all.contains(
            ">Ana: AI-assisted first drafts &lt;fast&gt; &amp; safe.\\n>Ben: running a client call."
        ));
        assert!(all.contains("Monthly") && all.contains("Tue 12 May 2026"));
        assert!(!all.contains("changed"));

        let mut p = plan();
        p.first_meeting = None;
        let (text, blocks) = plan_set(&p, "U0BEN", false);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("<@U0BEN> changed your Tandem plan"));
        let all = blocks.to_string();
        assert!(all.contains("<@U0BEN> *changed your plan*"));
        assert!(all.contains("Not booked yet"));
    }

    #[test]
    fn the_reminder_is_gentle_and_has_the_button() {
        let (text, blocks) = plan_reminder(9);
        assert_eq!(check_message_blocks(&blocks), Vec::<String>::new());
        assert!(text.contains("gentle reminder"));
        let button = &blocks[1]["elements"][0];
        assert_eq!(button["text"]["text"], "Set our plan");
        assert_eq!(button["action_id"], "plan_open");
        assert_eq!(button["value"], "9");
    }

    #[test]
    fn the_calendar_comment_gives_the_first_meeting_on_the_series_clock() {
        use chrono::TimeZone;
        let first = chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 3, 5, 10, 0, 0)
            .unwrap();
        let text = calendar_comment(first, Cadence::Biweekly, d(2026, 6, 30), false);
        assert!(
            text.contains(
                "first meeting Thu 5 Mar 2026 at 10:00 (New York time), then every two weeks until Tue 30 Jun 2026"
            ),
            "{text}"
        );
        assert!(text.contains("Outlook"));
        let update = calendar_comment(first, Cadence::Monthly, d(2026, 6, 30), true);
        assert!(update.contains("updated calendar invite") && update.contains("then monthly"));
    }
}
