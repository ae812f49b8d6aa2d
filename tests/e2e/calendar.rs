//! Issue 13, point 3: calendar invites. A pair saves its plan through the real signed modal submission; the group DM
//! receives an `.ics` that a real parser (the `icalendar` crate, with `rrule` behind it) reads back; a change of plan
//! sends the same event with a higher SEQUENCE; a 5xx on the share does not share the file twice.

use crate::common::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, Event, EventLike};
use tandem::context::clock::Clock;
use tandem::domain::forms::pair_forms::Plan;
use tandem::domain::forms::pair_values::plan_values;
use tandem::domain::matching::Role;
use tandem::domain::schedule::Cadence;
use tandem::sandbox::{FakeFile, Fault};

const ADMIN: &str = "U0ADMIN";
const J: &str = "U0JUNIOR";
const S: &str = "U0SENIOR";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A junior in London and a senior in New York, paired and introduced on Monday 2 March 2026; returns the app, its
/// clock, the pair and its group DM.
async fn introduced() -> (TestApp, Clock, i64, String) {
    let clock = Clock::manual(at("2026-03-02T09:00:00Z"));
    let c = clock.clone();
    let app = spawn_with(move |o| {
        o.app.clock = c;
        o.app.worker = tandem::startup::WorkerMode::Manual;
        o.admins = vec![ADMIN.to_string()];
    })
    .await;
    app.fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    app.fake.add_user(J, "Jun Iper", "Europe/London");
    app.fake.add_user(S, "Sen Ator", "America/New_York");
    let j = answers(
        Role::Associate,
        3,
        &["ai_drafting", "ediscovery"],
        &["negotiation"],
    );
    let s = answers(
        Role::Partner,
        25,
        &["negotiation"],
        &["ai_drafting", "ediscovery"],
    );
    joined(&app, J, &j).await;
    joined(&app, S, &s).await;
    assert_eq!(approve_round(&app, ADMIN).await, 1);
    run_jobs(&app).await;
    let pair: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT id FROM pairs"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let channel = app
        .fake
        .messages_in_group(J, S)
        .expect("the pair's group DM");
    (app, clock, pair, channel)
}

/// `who` opens the plan modal from the introduction and submits `plan` (signed, as Slack sends it).
async fn save_plan(app: &TestApp, who: &str, pair: i64, channel: &str, plan: &Plan) {
    app.driver
        .click(who, "plan_open", &pair.to_string(), Some((channel, "1")))
        .await;
    let modal = app.fake.last_modal_for(who).expect("the plan modal");
    let r = app.driver.submit_view(who, &modal, plan_values(plan)).await;
    assert_eq!((r.status, r.body.as_str()), (200, ""), "the plan is saved");
}

fn plan() -> Plan {
    Plan {
        objective: "SECRET-OBJECTIVE: Jun drafts with AI tools; Sen leads a client call".into(),
        cadence: Cadence::Biweekly,
        end_date: day("2026-06-30"),
        first_meeting: Some(day("2026-03-05")),
    }
}

/// The file's text and its one event, read by the real parser.
fn parse(file: &FakeFile) -> (String, Calendar, Event) {
    let text = String::from_utf8(file.bytes.clone().expect("uploaded")).expect("UTF-8");
    let calendar: Calendar = text.parse().expect("a valid iCalendar file");
    let events: Vec<Event> = calendar.events().cloned().collect();
    assert_eq!(events.len(), 1, "one VEVENT");
    let event = events[0].clone();
    (text, calendar, event)
}

/// The RRULE's parts, as `NAME=value`.
fn rrule(event: &Event) -> Vec<String> {
    let mut parts: Vec<String> = event
        .property_value("RRULE")
        .expect("an RRULE")
        .split(';')
        .map(str::to_string)
        .collect();
    parts.sort();
    parts
}

fn start_instant(event: &Event) -> DateTime<Utc> {
    match event.get_start() {
        Some(DatePerhapsTime::DateTime(dt @ CalendarDateTime::WithTimezone { .. })) => {
            let CalendarDateTime::WithTimezone { tzid, .. } = &dt else {
                unreachable!()
            };
            assert_eq!(
                tzid, "America/New_York",
                "kept on the later partner's clock"
            );
            dt.try_into_utc().expect("a known zone")
        }
        other => panic!("DTSTART should carry a TZID: {other:?}"),
    }
}

fn attendees(event: &Event) -> Vec<String> {
    let mut a: Vec<String> = event
        .get_attendees()
        .into_iter()
        .map(|a| a.cal_address)
        .collect();
    a.sort();
    a
}

async fn jobs_of(app: &TestApp, state: &str) -> i64 {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'plan_calendar' AND state = $1"
    )
    .bind(state)
    .fetch_one(p)
    .await)
    .unwrap()
}

#[tokio::test]
async fn a_saved_plan_puts_an_invite_in_the_group_dm_and_a_change_sends_it_again_with_a_higher_sequence()
 {
    let (app, _clock, pair, channel) = introduced().await;
    save_plan(&app, J, pair, &channel, &plan()).await;
    let stats = run_jobs(&app).await;
    assert_eq!((stats.retried, stats.failed), (0, 0));

    let shared = app.fake.files_shared_in(&channel);
    assert_eq!(shared.len(), 1, "one file in the pair's conversation");
    let file = &shared[0];
    assert_eq!(file.name, "tandem-meetings.ics");
    assert_eq!(file.shared_in, vec![channel.clone()], "shared there only");
    let comment = file.comment.clone().unwrap_or_default();
    assert!(
        comment.contains(
            "first meeting Thu 5 Mar 2026 at 10:00 (New York time), then every two weeks"
        ),
        "{comment}"
    );
    let (text, calendar, event) = parse(file);
    assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'));
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    assert_eq!(
        event.get_uid(),
        Some(format!("pair-{pair}@tandem").as_str())
    );
    assert_eq!(event.get_sequence(), Some(0));
    // Thursday 5 March at 10:00 in New York (the later of the two zones) is 15:00 UTC, 15:00 in London.
    assert_eq!(start_instant(&event), at("2026-03-05T15:00:00Z"));
    assert_eq!(
        rrule(&event),
        ["FREQ=WEEKLY", "INTERVAL=2", "UNTIL=20260701T035959Z"],
        "every two weeks until the end of 30 June in New York"
    );
    assert_eq!(
        attendees(&event),
        ["mailto:u0junior@example.com", "mailto:u0senior@example.com"]
    );
    // The series as a calendar expands it: 10:00 New York throughout, across the change to summer time on 8 March.
    let dates = event
        .get_recurrence()
        .expect("a valid series")
        .all(50)
        .dates;
    let utc: Vec<DateTime<Utc>> = dates.iter().map(|d| d.with_timezone(&Utc)).collect();
    assert_eq!(utc.len(), 9, "5 March to 25 June, every two weeks");
    assert_eq!(utc[1], at("2026-03-19T14:00:00Z"));
    assert_eq!(utc[8], at("2026-06-25T14:00:00Z"));
    assert!(
        !text.contains("SECRET-OBJECTIVE"),
        "the objective stays in Slack"
    );

    // The senior changes the cadence and leaves the first meeting empty (the stored one is kept).
    let mut changed = plan();
    changed.cadence = Cadence::Monthly;
    changed.first_meeting = None;
    save_plan(&app, S, pair, &channel, &changed).await;
    run_jobs(&app).await;
    let shared = app.fake.files_shared_in(&channel);
    assert_eq!(shared.len(), 2, "an updated invite");
    assert_ne!(shared[0].id, shared[1].id, "a new file");
    let (_, _, updated) = parse(&shared[1]);
    assert_eq!(updated.get_uid(), event.get_uid(), "the same event");
    assert_eq!(updated.get_sequence(), Some(1), "one higher");
    assert_eq!(start_instant(&updated), at("2026-03-05T15:00:00Z"));
    assert_eq!(
        rrule(&updated),
        ["FREQ=MONTHLY", "INTERVAL=1", "UNTIL=20260701T035959Z"]
    );
    assert!(
        shared[1]
            .comment
            .clone()
            .unwrap_or_default()
            .contains("updated calendar invite")
    );
    assert_eq!(jobs_of(&app, "done").await, 2);
    // Tandem keeps no e-mail address.
    assert!(cells_containing(&app, "@example.com").await.is_empty());
}

#[tokio::test]
async fn a_plan_without_a_first_meeting_sends_no_invite_and_an_unknown_email_leaves_that_person_out()
 {
    let (app, _clock, pair, channel) = introduced().await;
    let mut undated = plan();
    undated.first_meeting = None;
    save_plan(&app, J, pair, &channel, &undated).await;
    run_jobs(&app).await;
    assert!(app.fake.files_shared_in(&channel).is_empty());
    assert_eq!(
        jobs_of(&app, "done").await + jobs_of(&app, "pending").await,
        0
    );

    // Slack has no e-mail for the senior: the invite goes out with the junior only.
    app.fake.remove_email(S);
    save_plan(&app, J, pair, &channel, &plan()).await;
    let stats = run_jobs(&app).await;
    assert_eq!((stats.retried, stats.failed), (0, 0));
    let shared = app.fake.files_shared_in(&channel);
    assert_eq!(shared.len(), 1);
    let (_, calendar, event) = parse(&shared[0]);
    assert_eq!(event.get_sequence(), Some(0), "the pair's first invite");
    assert_eq!(attendees(&event), ["mailto:u0junior@example.com"]);
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));

    // Nobody's e-mail known: still a valid series, published without attendees.
    app.fake.remove_email(J);
    save_plan(&app, J, pair, &channel, &plan()).await;
    run_jobs(&app).await;
    let shared = app.fake.files_shared_in(&channel);
    assert_eq!(shared.len(), 2);
    let (_, calendar, event) = parse(&shared[1]);
    assert_eq!(event.get_sequence(), Some(1));
    assert!(attendees(&event).is_empty());
    assert_eq!(calendar.property_value("METHOD"), Some("PUBLISH"));
}

#[tokio::test]
async fn a_5xx_on_the_share_is_retried_with_the_same_file_which_is_shared_once() {
    let (app, clock, pair, channel) = introduced().await;
    let before = app.fake.call_count();
    // Three 500s: the client's own retries (two, in the tests) are used up and the job retries later.
    app.fake
        .fail_next("files.completeUploadExternal", Fault::ServerError, 3);
    save_plan(&app, J, pair, &channel, &plan()).await;
    let stats = run_jobs(&app).await;
    assert_eq!(stats.retried, 1, "the invite job waits for a retry");
    assert!(app.fake.files_shared_in(&channel).is_empty());

    clock.advance(Duration::seconds(31));
    let stats = run_jobs(&app).await;
    assert_eq!((stats.done, stats.retried, stats.failed), (1, 0, 0));
    clock.advance(Duration::hours(2));
    run_jobs(&app).await;

    let calls = app.fake.calls_since(before);
    let count = |method: &str, status: u16| {
        calls
            .iter()
            .filter(|c| c.method == method && c.status == status)
            .count()
    };
    assert_eq!(
        count("files.getUploadURLExternal", 200),
        1,
        "the retry does not upload another file"
    );
    assert_eq!(count("files.upload", 200), 1);
    assert_eq!(count("files.completeUploadExternal", 500), 3);
    assert_eq!(count("files.completeUploadExternal", 200), 1);
    let shared = app.fake.files_shared_in(&channel);
    assert_eq!(shared.len(), 1, "shared once");
    assert_eq!(app.fake.files().len(), 1, "one file in all");
    assert_eq!(shared[0].shared_in, vec![channel.clone()]);
    let (_, _, event) = parse(&shared[0]);
    assert_eq!(event.get_sequence(), Some(0));
    assert_eq!(jobs_of(&app, "done").await, 1);
}
