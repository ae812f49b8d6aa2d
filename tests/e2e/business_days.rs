//! Issue 13, point 4: every scheduled message goes out on a working day at 10:00 in its recipient's zone, across a
//! daylight-saving change and the firm's holidays (`TANDEM_HOLIDAYS_FILE`); after a long outage, what no longer
//! makes sense is dropped, not sent. Every kind the issue lists is covered, by two tests:
//!
//! | kind | test |
//! | --- | --- |
//! | check-in, nudge, plan reminder, closing note with its feedback request (to a pair: the later partner's zone) | [`every_message_to_a_pair_lands_on_a_working_day_at_ten_in_the_later_zone`] |
//! | invitation (`/mentor invite`; `tandem invite --csv` queues the same job), note to someone a round left out | [`invitations_and_round_results_land_on_a_working_day_at_ten_in_each_recipients_zone`] |
//!
//! Time moves by the injected clock; each message is looked for a minute before its time and at it.

use crate::common::*;
use crate::lifecycle::{
    ADMIN, J, at, due, group_channel, last_message, pair_id, paired_with, run_clean, texts,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::America::New_York;
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use tandem::context::clock::Clock;
use tandem::domain::forms::pair_forms::Plan;
use tandem::domain::forms::pair_values::plan_values;
use tandem::domain::matching::Role;
use tandem::domain::model::PairStatus;
use tandem::domain::schedule::Cadence;
use tandem::sandbox::Fault;

/// The firm's holidays as its calendar exports them: a one-off firm day on Monday 9 March 2026 (the day after New
/// York moves to summer time), Good Friday (3 April 2026), and Christmas every year.
const HOLIDAYS_ICS: &str = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//Example LLP//Holidays//EN\r\n\
BEGIN:VEVENT\r\n\
UID:firm-day-2026@example.com\r\n\
DTSTART;VALUE=DATE:20260309\r\n\
DTEND;VALUE=DATE:20260310\r\n\
SUMMARY:Firm day\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:good-friday-2026@example.com\r\n\
DTSTART;VALUE=DATE:20260403\r\n\
SUMMARY:Good Friday\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:christmas@example.com\r\n\
DTSTART;VALUE=DATE:20201225\r\n\
RRULE:FREQ=YEARLY\r\n\
SUMMARY:Christmas Day\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

fn holidays() -> [NaiveDate; 3] {
    [
        NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
        NaiveDate::from_ymd_opt(2026, 4, 3).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
    ]
}

/// The pair of the lifecycle tests (Jun in London, Sen in New York), approved at `start`, with the holidays above.
async fn paired_with_holidays(
    start: &str,
    cadence: Cadence,
) -> (TestApp, Clock, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("holidays.ics");
    std::fs::write(&file, HOLIDAYS_ICS).unwrap();
    let (app, clock) = paired_with(
        start,
        cadence,
        &[("TANDEM_HOLIDAYS_FILE", file.to_str().unwrap())],
    )
    .await;
    (app, clock, dir)
}

/// `t` is 10:00 in New York (the later of the two zones), on a day that is a working day in New York and London.
fn assert_working_slot(t: DateTime<Utc>, what: &str) {
    let ny = t.with_timezone(&New_York);
    assert_eq!(
        ny.time(),
        NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        "{what} at {t}: not 10:00 in New York"
    );
    for tz in [New_York, London] {
        let local = t.with_timezone::<Tz>(&tz).date_naive();
        assert!(
            !matches!(local.weekday(), Weekday::Sat | Weekday::Sun),
            "{what} at {t}: a weekend in {tz}"
        );
        assert!(
            !holidays().contains(&local),
            "{what} at {t}: a holiday in {tz}"
        );
    }
}

/// Moves the clock to a minute before `when` (nothing new may appear in `channel`), then to `when`, runs what is due
/// and returns the texts that appeared.
async fn deliver_at(
    app: &TestApp,
    clock: &Clock,
    channel: &str,
    when: DateTime<Utc>,
) -> Vec<String> {
    let before = texts(app, channel).len();
    clock.set(when - Duration::minutes(1));
    run_clean(app).await;
    assert_eq!(
        texts(app, channel).len(),
        before,
        "nothing goes out before {when}"
    );
    clock.set(when);
    run_clean(app).await;
    texts(app, channel)[before..].to_vec()
}

#[tokio::test]
async fn every_message_to_a_pair_lands_on_a_working_day_at_ten_in_the_later_zone() {
    // Approved on Monday 2 March 2026; New York moves to summer time on Sunday 8 March, London on 29 March.
    let (app, clock, _holidays) =
        paired_with_holidays("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    let pair = pair_id(&app).await;

    // The plan reminder: five working days after the introduction, skipping the firm day on Monday 9 March, is
    // Tuesday 10 March — at 10:00 New York, which is now summer time (14:00 UTC, not 15:00). Before this change it
    // was due at the introduction's hour, 09:00 UTC (04:00 in New York).
    let reminder = due(&app, "plan_reminder").await.unwrap();
    assert_eq!(reminder, at("2026-03-10T14:00:00Z"));
    assert_working_slot(reminder, "the plan reminder");
    // The first weekly check-in would be the firm day: it moves to the same Tuesday.
    let checkin = due(&app, "checkin").await.unwrap();
    assert_eq!(checkin, at("2026-03-10T14:00:00Z"));
    assert_working_slot(checkin, "the first check-in");
    let sent = deliver_at(&app, &clock, &channel, checkin).await;
    assert!(
        sent.iter().any(|t| t.contains("set your Tandem plan"))
            && sent.iter().any(|t| t.contains("did you meet since")),
        "{sent:?}"
    );

    // The pair sets a plan ending on Good Friday, a holiday.
    app.driver
        .click(J, "plan_open", &pair.to_string(), Some((&channel, "1")))
        .await;
    let modal = app.fake.last_modal_for(J).expect("the plan modal");
    let plan = Plan {
        objective: "Jun shows AI drafting; Sen shows how to run a client call".into(),
        cadence: Cadence::Weekly,
        end_date: NaiveDate::from_ymd_opt(2026, 4, 3).unwrap(),
        first_meeting: None,
    };
    let r = app.driver.submit_view(J, &modal, plan_values(&plan)).await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    settle(&app).await;

    // No answers: the check-in of 17 March; on 24 March, the third without a meeting, the nudge goes out in its
    // place (never a check-in and a nudge together), at the same working slot.
    for (expected, what) in [
        ("2026-03-17T14:00:00Z", "did you meet since"),
        ("2026-03-24T14:00:00Z", "friendly Tandem nudge"),
    ] {
        let checkin = due(&app, "checkin").await.unwrap();
        assert_eq!(checkin, at(expected));
        assert_working_slot(checkin, "a check-in");
        let sent = deliver_at(&app, &clock, &channel, checkin).await;
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].contains(what), "{sent:?}");
    }
    let sent = texts(&app, &channel);
    let nudge = sent
        .iter()
        .position(|t| t.contains("friendly Tandem nudge"))
        .expect("the nudge");
    assert_eq!(
        nudge,
        sent.len() - 1,
        "sent in place of the check-in of 24 March"
    );
    let nudged_at: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT updated_at FROM jobs WHERE kind = 'nudge'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(nudged_at, at("2026-03-24T14:00:00Z").timestamp());
    assert_working_slot(at("2026-03-24T14:00:00Z"), "the nudge");

    // After London's change (29 March) 10:00 New York is 15:00 London again; the check-in stays at 14:00 UTC.
    let checkin = due(&app, "checkin").await.unwrap();
    assert_eq!(checkin, at("2026-03-31T14:00:00Z"));
    assert_eq!(
        checkin.with_timezone(&London).time(),
        NaiveTime::from_hms_opt(15, 0, 0).unwrap()
    );
    deliver_at(&app, &clock, &channel, checkin).await;

    // The plan ends on Good Friday: the closing note and its feedback request come on Monday 6 April, 10:00 New
    // York; the check-in that would have been due on 7 April gives way to it.
    let closing = due(&app, "closing").await.unwrap();
    assert_eq!(closing, at("2026-04-06T14:00:00Z"));
    assert_working_slot(closing, "the closing note");
    let sent = deliver_at(&app, &clock, &channel, closing).await;
    assert_eq!(sent.len(), 1, "only the closing note: {sent:?}");
    assert!(sent[0].contains("plan ends today"), "{sent:?}");
    let closing_message = last_message(&app, &channel);
    button_value(&closing_message["blocks"], "feedback_open");
    let status = app.app().store().pair(pair).await.unwrap().unwrap().status;
    assert_eq!(status, PairStatus::Completed);
    let dropped: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE last_error LIKE 'dropped:%'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(dropped, 0, "nothing was late, nothing was dropped");
}

#[tokio::test]
async fn a_closing_note_overdue_after_a_long_outage_is_dropped_not_sent() {
    let (app, clock, _holidays) =
        paired_with_holidays("2026-03-02T09:00:00Z", Cadence::Monthly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    let pair = pair_id(&app).await;
    // Four months out: Thursday 2 July 2026, 10:00 New York.
    let closing = due(&app, "closing").await.unwrap();
    assert_eq!(closing, at("2026-07-02T14:00:00Z"));
    assert_working_slot(closing, "the closing note");
    let before = texts(&app, &channel);

    // Tandem is down from 3 March until 1 December: the reminder, the check-ins and the closing are all overdue.
    clock.set(at("2026-12-01T12:00:00Z"));
    let stats = run_clean(&app).await;
    let after = texts(&app, &channel);
    assert_eq!(after, before, "nothing is sent months late");
    assert!(stats.dropped >= 2, "{stats:?}");
    let record = app.app().store().pair(pair).await.unwrap().unwrap();
    assert_eq!(record.status, PairStatus::Completed, "the pair still ends");
    let rows: Vec<(String, String, String)> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT kind, state, COALESCE(last_error, '') FROM jobs WHERE pair_id = $1 AND kind IN ('closing', 'checkin', 'plan_reminder') ORDER BY id",
    )
    .bind(pair)
    .fetch_all(p)
    .await)
    .unwrap();
    let closing_row = rows
        .iter()
        .find(|(k, _, e)| k == "closing" && e.starts_with("dropped:"))
        .unwrap_or_else(|| panic!("the closing is recorded as dropped: {rows:?}"));
    assert_eq!(closing_row.1, "cancelled");
    assert!(
        closing_row
            .2
            .contains("days late (a closing note goes out at most 1 day late)"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|(k, _, e)| k == "plan_reminder" && e.starts_with("dropped:")),
        "{rows:?}"
    );
    assert!(
        !rows
            .iter()
            .any(|(_, state, _)| state == "pending" || state == "failed"),
        "nothing left to send: {rows:?}"
    );
    // Counted for the operators too.
    let metrics = app.driver.get("/metrics").await.body;
    assert!(
        metrics.contains(r#"tandem_jobs_total{kind="closing",outcome="dropped"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_check_in_a_whole_cadence_late_gives_way_to_the_next_in_its_series() {
    let (app, clock, _holidays) =
        paired_with_holidays("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    // Due Tuesday 10 March; Tandem is down until Monday 23 March, 12:00 UTC (two weeks).
    assert_eq!(due(&app, "checkin").await, Some(at("2026-03-10T14:00:00Z")));
    clock.set(at("2026-03-23T12:00:00Z"));
    let stats = run_clean(&app).await;
    assert_eq!(
        stats.dropped, 2,
        "the check-in and the plan reminder: {stats:?}"
    );
    assert!(
        !texts(&app, &channel)
            .iter()
            .any(|t| t.contains("did you meet since") || t.contains("set your Tandem plan")),
        "nothing late"
    );
    // The series goes on: Tuesdays at 10:00 New York.
    let next = due(&app, "checkin").await.unwrap();
    assert_eq!(next, at("2026-03-24T14:00:00Z"));
    assert_working_slot(next, "the next check-in");
    let sent = deliver_at(&app, &clock, &channel, next).await;
    assert!(sent.iter().any(|t| t.contains("did you meet since")));
}

#[tokio::test]
async fn a_plan_reminder_for_a_pair_that_ended_is_dropped() {
    let (app, clock, _holidays) =
        paired_with_holidays("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let pair = pair_id(&app).await;
    app.driver.command(J, "end").await;
    settle(&app).await;
    assert_eq!(due(&app, "plan_reminder").await, None, "ending cancels it");
    // A reminder still queued for the ended pair (as a crash between two steps could leave one) is dropped.
    queue_job(&app, "plan_reminder", Some(pair), clock.now().timestamp()).await;
    let stats = run_clean(&app).await;
    assert_eq!(stats.dropped, 1);
    let reason: String = tandem::on_db!(app.app().store().pool(), |p| {
        sqlx::query_scalar(
        "SELECT last_error FROM jobs WHERE kind = 'plan_reminder' AND last_error LIKE 'dropped:%'",
    )
    .fetch_one(p)
    .await
    })
    .unwrap();
    assert_eq!(reason, "dropped: the pair has ended");
    assert!(
        !texts(&app, &group_channel(&app))
            .iter()
            .any(|t| t.contains("set your Tandem plan"))
    );
}

#[tokio::test]
async fn a_bad_holidays_file_stops_start_up_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("firm.ics");
    std::fs::write(
        &file,
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nRRULE:FREQ=MONTHLY\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    .unwrap();
    let mut o = options(&dir);
    o.env = vec![("TANDEM_HOLIDAYS_FILE".into(), file.display().to_string())];
    let err = match tandem::sandbox::Sandbox::start(o).await {
        Ok(_) => panic!("a bad holidays file must stop start-up"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        err,
        format!(
            "bad configuration file {}:4: RRULE FREQ=MONTHLY: only yearly holidays (FREQ=YEARLY) can repeat; list other dates one by one",
            file.display()
        )
    );
}

/// The texts of the DMs `user` received that contain `needle`.
fn dms_containing(app: &TestApp, user: &str, needle: &str) -> Vec<String> {
    app.fake
        .dms_to(user)
        .iter()
        .map(|m| m.to_string())
        .filter(|m| m.contains(needle))
        .collect()
}

/// How many jobs of `kind` exist, in any state.
async fn jobs_of(app: &TestApp, kind: &str) -> i64 {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1"
    )
    .bind(kind)
    .fetch_one(p)
    .await)
    .unwrap()
}

#[tokio::test]
async fn invitations_and_round_results_land_on_a_working_day_at_ten_in_each_recipients_zone() {
    const INVITE: &str = "invite_join";
    const NOTE: &str = "you were not paired this time";
    const NORA: &str = "U0NORA";
    const LEO: &str = "U0LEO";
    const KEN: &str = "U0KEN";
    const J1: &str = "U0JUNIOR1";
    const S1: &str = "U0SENIOR1";
    const J3: &str = "U0JUNIOR3";
    // Friday 6 March 2026, 18:00 UTC: 13:00 in New York, 12:00 in Chicago, 18:00 in London, Saturday 03:00 in Tokyo.
    // New York and Chicago move to summer time on Sunday 8 March; Monday 9 March is the firm's holiday.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("holidays.ics");
    std::fs::write(&file, HOLIDAYS_ICS).unwrap();
    let clock = Clock::manual(at("2026-03-06T18:00:00Z"));
    let c = clock.clone();
    let holidays_file = file.display().to_string();
    let app = spawn_with(move |o| {
        o.app.clock = c;
        o.admins = vec![ADMIN.to_string()];
        o.env = vec![("TANDEM_HOLIDAYS_FILE".into(), holidays_file)];
    })
    .await;
    for (id, name, tz) in [
        (ADMIN, "Ada Admin", "Europe/London"),
        (NORA, "Nora Nash", "America/New_York"),
        (LEO, "Leo Lamb", "Europe/London"),
        (KEN, "Ken Kato", "Asia/Tokyo"),
        (J1, "Jun One", "Europe/London"),
        (S1, "Sen One", "Europe/London"),
        (J3, "Jun Three", "America/Chicago"),
    ] {
        app.fake.add_user(id, name, tz);
    }
    // Three enrolled: J1 and J3 both suit S1, who takes one reverse mentor; J1 suits better, so J3 is left out.
    for (id, a) in [
        (
            J1,
            answers(
                Role::Associate,
                3,
                &["ai_drafting", "ediscovery"],
                &["negotiation", "client_management"],
            ),
        ),
        (
            S1,
            answers(
                Role::Partner,
                25,
                &["negotiation", "client_management"],
                &["ai_drafting", "ediscovery"],
            ),
        ),
        (
            J3,
            answers(Role::Associate, 2, &["ai_drafting"], &["negotiation"]),
        ),
    ] {
        joined(&app, id, &a).await;
    }
    app.fake.add_public_channel("C0FIRM", &[NORA, LEO, KEN, J1]);

    // The admin invites the channel and approves a round, on Friday evening in London.
    let r = app.driver.command(ADMIN, "invite <#C0FIRM|firm>").await;
    assert!(r.body.contains("Inviting 3 people"), "{}", r.body);
    assert_eq!(approve_round(&app, ADMIN).await, 1);
    settle(&app).await;
    assert_eq!(
        (
            jobs_of(&app, "invite").await,
            jobs_of(&app, "unmatched_note").await
        ),
        (3, 1)
    );
    for who in [NORA, LEO, KEN] {
        assert!(
            dms_containing(&app, who, INVITE).is_empty(),
            "{who}: nothing on Friday evening"
        );
    }
    assert!(dms_containing(&app, J3, NOTE).is_empty());

    // Each waits for Tuesday 10 March, 10:00 in their own zone: Friday's 10:00 has passed everywhere, Monday is the
    // firm's holiday, and New York and Chicago are on summer time by then (10:00 EDT is 14:00 UTC, not 15:00 as on
    // Friday; 10:00 CDT is 15:00 UTC, not 16:00).
    let expected: [(&str, &str, Tz, &str); 4] = [
        (KEN, INVITE, chrono_tz::Asia::Tokyo, "2026-03-10T01:00:00Z"),
        (LEO, INVITE, London, "2026-03-10T10:00:00Z"),
        (NORA, INVITE, New_York, "2026-03-10T14:00:00Z"),
        (
            J3,
            NOTE,
            chrono_tz::America::Chicago,
            "2026-03-10T15:00:00Z",
        ),
    ];
    let mut pending: Vec<i64> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind IN ('invite', 'unmatched_note') AND state = 'pending' ORDER BY due_at",
    )
    .fetch_all(p)
    .await)
    .unwrap();
    pending.dedup();
    assert_eq!(
        pending,
        expected
            .iter()
            .map(|(_, _, _, t)| at(t).timestamp())
            .collect::<Vec<_>>(),
        "one job each, waiting for its slot"
    );
    // Slack rate-limits the first DM at its slot (Retry-After 30 s): the job retries at once after it, the same
    // morning, not at the next slot.
    app.fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 30,
        },
        1,
    );
    for (who, needle, tz, when) in expected {
        let when = at(when);
        clock.set(when - Duration::minutes(1));
        settle(&app).await;
        assert!(
            dms_containing(&app, who, needle).is_empty(),
            "{who}: nothing before {when}"
        );
        clock.set(when);
        let stats = settle(&app).await;
        if who == KEN {
            assert_eq!(stats.retried, 1, "{stats:?}");
            assert!(dms_containing(&app, who, needle).is_empty());
            clock.set(when + Duration::seconds(30));
            settle(&app).await;
        }
        assert_eq!(
            dms_containing(&app, who, needle).len(),
            1,
            "{who} at {when}"
        );
        let local = when.with_timezone(&tz);
        assert_eq!(local.time(), NaiveTime::from_hms_opt(10, 0, 0).unwrap());
        assert_eq!(local.date_naive().weekday(), Weekday::Tue);
        assert!(!holidays().contains(&local.date_naive()));
    }
    assert_eq!(
        (
            jobs_of(&app, "invite").await,
            jobs_of(&app, "unmatched_note").await
        ),
        (3, 1),
        "no job was added on the way"
    );
    let left: i64 = tandem::on_db!(app.app().store().pool(), |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind IN ('invite', 'unmatched_note') AND state != 'done'",
    )
    .fetch_one(p)
    .await
    })
    .unwrap();
    assert_eq!(left, 0, "all delivered");
    let metrics = app.driver.get("/metrics").await.body;
    assert!(
        metrics.contains(r#"tandem_jobs_total{kind="invite",outcome="deferred"} 3"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_invitation_whose_day_passed_while_tandem_was_down_waits_for_the_next_working_slot() {
    // Thursday 2 April 2026, 12:00 UTC (13:00 in London, on summer time since 29 March): the slot is Monday 6 April,
    // Good Friday being a holiday. Tandem is down from Monday morning until Saturday 11 April at noon.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("holidays.ics");
    std::fs::write(&file, HOLIDAYS_ICS).unwrap();
    let clock = Clock::manual(at("2026-04-02T12:00:00Z"));
    let c = clock.clone();
    let holidays_file = file.display().to_string();
    let app = spawn_with(move |o| {
        o.app.clock = c;
        o.admins = vec![ADMIN.to_string()];
        o.env = vec![("TANDEM_HOLIDAYS_FILE".into(), holidays_file)];
    })
    .await;
    app.fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    app.fake.add_public_channel("C0FIRM", &[ALICE]);
    app.driver.command(ADMIN, "invite <#C0FIRM>").await;
    settle(&app).await;
    assert_eq!(due(&app, "invite").await, Some(at("2026-04-06T09:00:00Z")));

    clock.set(at("2026-04-11T12:00:00Z"));
    let stats = settle(&app).await;
    assert_eq!((stats.deferred, stats.dropped), (1, 0), "{stats:?}");
    assert!(app.fake.dms_to(ALICE).is_empty(), "not on a Saturday");
    // Monday 13 April, 10:00 BST.
    assert_eq!(due(&app, "invite").await, Some(at("2026-04-13T09:00:00Z")));
    clock.set(at("2026-04-13T09:00:00Z"));
    settle(&app).await;
    assert_eq!(app.fake.dms_to(ALICE).len(), 1);
}
