//! Issue 5: introductions, plans, check-ins on a durable time-zone-aware schedule, stalled pairs, endings, and
//! delivery you can trust (restart, missed runs, 429, permanent errors). Time moves by the injected clock.

use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tandem::context::clock::Clock;
use tandem::domain::forms::pair_forms::{Feedback, MetAnswer, Plan};
use tandem::domain::forms::pair_values::{feedback_values, met_values, plan_values};
use tandem::domain::matching::Role;
use tandem::domain::model::PairStatus;
use tandem::domain::schedule::Cadence;
use tandem::sandbox::Fault;
use tandem::views::limits as blockkit;

pub(crate) const ADMIN: &str = "U0ADMIN";
pub(crate) const J: &str = "U0JUNIOR";
pub(crate) const S: &str = "U0SENIOR";

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A junior in London and a senior in New York, both enrolled at `start`, paired and approved (not yet introduced).
async fn paired_at(start: &str, cadence: Cadence) -> (TestApp, Clock) {
    paired_with(start, cadence, &[]).await
}

pub(crate) async fn paired_with(
    start: &str,
    cadence: Cadence,
    env: &[(&str, &str)],
) -> (TestApp, Clock) {
    let clock = Clock::manual(at(start));
    let c = clock.clone();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let app = spawn_with(move |o| {
        o.app.clock = c;
        // Only the test runs jobs, so a pair can be left approved and not yet introduced.
        o.app.worker = tandem::startup::WorkerMode::Manual;
        o.admins = vec![ADMIN.to_string()];
        o.env = env;
    })
    .await;
    app.fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    app.fake.add_user(J, "Jun Iper", "Europe/London");
    app.fake.add_user(S, "Sen Ator", "America/New_York");
    let mut j = answers(
        Role::Associate,
        3,
        &["ai_drafting", "ediscovery"],
        &["negotiation"],
    );
    j.cadence = cadence;
    let mut s = answers(
        Role::Partner,
        25,
        &["negotiation"],
        &["ai_drafting", "ediscovery"],
    );
    s.cadence = cadence;
    joined(&app, J, &j).await;
    joined(&app, S, &s).await;
    assert_eq!(approve_round(&app, ADMIN).await, 1);
    (app, clock)
}

pub(crate) async fn pair_id(app: &TestApp) -> i64 {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT id FROM pairs"
    )
    .fetch_one(p)
    .await)
    .unwrap()
}

pub(crate) fn group_channel(app: &TestApp) -> String {
    let opened = app.fake.ok_calls_to("conversations.open");
    assert_eq!(opened.len(), 1, "one group DM per pair");
    assert_eq!(opened[0].body["users"], format!("{J},{S}"));
    let all = app.fake.calls();
    let _ = all;
    app.fake
        .messages_in_group(J, S)
        .expect("the pair's group DM")
}

pub(crate) fn texts(app: &TestApp, channel: &str) -> Vec<String> {
    app.fake
        .messages_in(channel)
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

pub(crate) async fn due(app: &TestApp, kind: &str) -> Option<DateTime<Utc>> {
    let t: Option<i64> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind = $1 AND state = 'pending'"
    )
    .bind(kind)
    .fetch_optional(p)
    .await)
    .unwrap();
    t.and_then(|t| DateTime::from_timestamp(t, 0))
}

/// Runs due jobs and checks that none of them failed or had to retry (no faults are injected here).
pub(crate) async fn run_clean(app: &TestApp) -> tandem::jobs::worker::RunStats {
    let stats = run_jobs(app).await;
    assert_eq!(
        (stats.retried, stats.failed),
        (0, 0),
        "a job failed: {:?}",
        app.app().store().job_counts().await
    );
    stats
}

pub(crate) fn last_message(app: &TestApp, channel: &str) -> Value {
    app.fake.messages_in(channel).pop().expect("a message")
}

/// The last message posted in `channel`, leaving out file shares (the calendar invite that follows a plan).
fn last_post(app: &TestApp, channel: &str) -> Value {
    app.fake
        .messages_in(channel)
        .into_iter()
        .rfind(|m| m.get("files").is_none())
        .expect("a message")
}

#[tokio::test]
async fn approval_introduces_each_pair_in_a_group_dm_with_both_people() {
    let (app, _) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    assert!(
        app.fake.calls_to("conversations.open").is_empty(),
        "nothing before the worker runs"
    );
    let stats = run_clean(&app).await;
    assert_eq!(
        stats.done, 2,
        "the introduction and the update of the admin's review message"
    );
    let channel = group_channel(&app);
    let intro = last_message(&app, &channel);
    let text = intro.to_string();
    assert!(text.contains(&format!("<@{J}>")) && text.contains(&format!("<@{S}>")));
    assert!(
        text.contains("AI-assisted drafting") && text.contains("Negotiation"),
        "who can teach what"
    );
    assert!(text.contains("plan_open"), "a Set our plan button");
    for rule in [
        "each of you teaches and each of you learns",
        "An objective, how often you will meet, and by when",
        "What is discussed in your pair stays in your pair.",
        "No client confidences or privileged matter",
        "ethical wall",
        "When in doubt, talk about the skill, not the matter.",
    ] {
        assert!(
            text.contains(rule),
            "the introduction's ground rules: {rule}"
        );
    }
    assert_eq!(
        blockkit::check_message_blocks(&intro["blocks"]),
        Vec::<String>::new()
    );
    assert!(
        due(&app, "checkin").await.is_some()
            && due(&app, "plan_reminder").await.is_some()
            && due(&app, "closing").await.is_some()
    );
    assert_eq!(run_clean(&app).await.done, 0, "nothing else is due yet");
    assert_eq!(
        app.fake.messages_in(&channel).len(),
        1,
        "then Tandem steps back"
    );
}

#[tokio::test]
async fn check_ins_arrive_on_a_weekday_at_ten_in_the_later_zone_across_a_dst_change() {
    // Monday 2 March 2026. New York moves to summer time on 8 March, London on 29 March.
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    // 10:00 in New York is the later of the two 10:00s: 15:00 UTC in winter, 14:00 UTC after 8 March.
    assert_eq!(due(&app, "checkin").await, Some(at("2026-03-09T14:00:00Z")));
    let checkins = |app: &TestApp| {
        texts(app, &channel)
            .iter()
            .filter(|t| t.contains("did you meet since"))
            .count()
    };
    clock.set(at("2026-03-09T13:59:00Z"));
    run_clean(&app).await;
    assert_eq!(checkins(&app), 0, "not a minute early");
    clock.set(at("2026-03-09T14:00:00Z"));
    run_clean(&app).await;
    assert_eq!(checkins(&app), 1);
    assert_eq!(due(&app, "checkin").await, Some(at("2026-03-16T14:00:00Z")));
}

#[tokio::test]
async fn a_check_in_due_on_a_weekend_moves_to_monday() {
    // Approved on Saturday 7 March: a week later is a Saturday again.
    let (app, _) = paired_at("2026-03-07T12:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    assert_eq!(due(&app, "checkin").await, Some(at("2026-03-16T14:00:00Z")));
}

#[tokio::test]
async fn either_partner_sets_the_plan_and_both_are_told_of_a_change() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    let pair = pair_id(&app).await;
    app.driver
        .click(J, "plan_open", &pair.to_string(), Some((&channel, "1")))
        .await;
    let modal = app.fake.last_modal_for(J).expect("the plan modal");
    assert_eq!(blockkit::check_view(&modal), Vec::<String>::new());
    let plan = Plan {
        objective: "Jun drafts with AI tools; Sen leads a client call".into(),
        cadence: Cadence::Biweekly,
        end_date: at("2026-06-30T00:00:00Z").date_naive(),
        first_meeting: Some(at("2026-03-05T00:00:00Z").date_naive()),
    };
    let r = app.driver.submit_view(J, &modal, plan_values(&plan)).await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    settle(&app).await;
    assert_eq!(
        app.app().store().plan(pair).await.unwrap(),
        Some(plan.clone())
    );
    assert!(
        last_post(&app, &channel)
            .to_string()
            .contains("every two weeks")
    );
    // The next check-in follows the new cadence: two weeks after the intro, on New York's 10:00.
    assert_eq!(due(&app, "checkin").await, Some(at("2026-03-16T14:00:00Z")));
    assert_eq!(due(&app, "closing").await, Some(at("2026-06-30T14:00:00Z")));

    // The senior edits it; the message in the group DM names who changed it.
    app.driver
        .click(S, "plan_open", &pair.to_string(), Some((&channel, "1")))
        .await;
    let modal = app.fake.last_modal_for(S).unwrap();
    let mut changed = plan.clone();
    changed.cadence = Cadence::Monthly;
    changed.first_meeting = None;
    app.driver
        .submit_view(S, &modal, plan_values(&changed))
        .await;
    settle(&app).await;
    let stored = app.app().store().plan(pair).await.unwrap().unwrap();
    assert_eq!(stored.cadence, Cadence::Monthly);
    assert_eq!(
        stored.first_meeting, plan.first_meeting,
        "an unset first meeting keeps the stored one"
    );
    assert!(
        last_post(&app, &channel)
            .to_string()
            .contains(&format!("<@{S}>"))
    );

    // Someone outside the pair cannot open or submit it; a past end date is refused on its block.
    let outsider = "U0OUTSIDE";
    app.fake.add_user(outsider, "Out Sider", "UTC");
    let opened = app.fake.ok_calls_to("views.open").len();
    app.driver
        .click(outsider, "plan_open", &pair.to_string(), None)
        .await;
    settle(&app).await;
    assert_eq!(app.fake.ok_calls_to("views.open").len(), opened);
    app.driver
        .submit_view(outsider, &modal, plan_values(&plan))
        .await;
    assert_eq!(
        app.app().store().plan(pair).await.unwrap().unwrap().cadence,
        Cadence::Monthly
    );
    let mut past = plan.clone();
    past.end_date = (clock.now() - Duration::days(1)).date_naive();
    let r = app
        .driver
        .submit_view(J, &modal, plan_values(&past))
        .await
        .json();
    assert!(r["errors"]["end_date"].is_string(), "{r}");
}

#[tokio::test]
async fn no_plan_after_five_business_days_gets_one_gentle_reminder() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Biweekly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    assert_eq!(
        due(&app, "plan_reminder").await,
        Some(at("2026-03-09T14:00:00Z")),
        "Monday + 5 business days, at 10:00 in New York (the later zone; summer time from 8 March)"
    );
    clock.set(at("2026-03-09T13:59:00Z"));
    run_clean(&app).await;
    assert!(
        !texts(&app, &channel)
            .iter()
            .any(|t| t.contains("set your Tandem plan")),
        "not before 10:00 in New York"
    );
    clock.set(at("2026-03-09T14:00:00Z"));
    run_clean(&app).await;
    assert!(
        last_message(&app, &channel)["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("plan")
    );
    assert_eq!(due(&app, "plan_reminder").await, None, "only one reminder");
}

async fn first_checkin(app: &TestApp, clock: &Clock) -> (String, Value, i64) {
    run_clean(app).await;
    let channel = group_channel(app);
    let when = due(app, "checkin").await.unwrap();
    clock.set(when);
    run_clean(app).await;
    let m = last_message(app, &channel);
    let id: i64 = button_value(&m["blocks"], "checkin_not_yet")
        .parse()
        .unwrap();
    (channel, m, id)
}

#[tokio::test]
async fn answers_are_recorded_per_person_shown_to_both_and_a_second_press_does_nothing() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let (channel, m, id) = first_checkin(&app, &clock).await;
    let ts = m["ts"].as_str().unwrap().to_string();
    app.driver
        .click(J, "checkin_not_yet", &id.to_string(), Some((&channel, &ts)))
        .await;
    settle(&app).await;
    app.driver
        .click(J, "checkin_not_yet", &id.to_string(), Some((&channel, &ts)))
        .await;
    settle(&app).await;
    let updates = |app: &TestApp| {
        app.fake
            .ok_calls_to("chat.update")
            .into_iter()
            .filter(|c| c.body["channel"] == channel.as_str())
            .count()
    };
    assert_eq!(updates(&app), 1, "the second press changed nothing");
    assert_eq!(count(&app, "checkin_answers").await, 1);
    app.driver
        .click(
            "U0STRANGER",
            "checkin_not_yet",
            &id.to_string(),
            Some((&channel, &ts)),
        )
        .await;
    settle(&app).await;
    assert_eq!(
        count(&app, "checkin_answers").await,
        1,
        "only the pair answers"
    );

    app.driver
        .click(S, "checkin_met", &id.to_string(), Some((&channel, &ts)))
        .await;
    let modal = app
        .fake
        .last_modal_for(S)
        .expect("We met opens a small modal");
    let met = MetAnswer {
        minutes: 45,
        covered: Some("ZEBRA covered notes".into()),
        usefulness: 5,
    };
    let r = app.driver.submit_view(S, &modal, met_values(&met)).await;
    assert_eq!(r.body, "");
    settle(&app).await;
    let updated = last_message(&app, &channel).to_string();
    assert!(
        updated.contains(&format!("<@{J}>")) && updated.contains(&format!("<@{S}>")),
        "{updated}"
    );
    assert!(
        !updated.contains("checkin_not_yet"),
        "everyone answered: no buttons left"
    );
    assert!(
        !updated.contains("ZEBRA"),
        "what was covered is not posted in the pair's conversation"
    );
    let minutes: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT minutes FROM checkin_answers WHERE answer = 'met'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(minutes, 45);
    assert!(
        app.app()
            .store()
            .pair(pair_id(&app).await)
            .await
            .unwrap()
            .unwrap()
            .last_met_at
            .is_some()
    );
}

/// `tandem export` of the test's database: `hours.csv`'s row for `user`.
fn exported_hours(app: &TestApp, user: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["export", "--format", "csv", "--out"])
        .arg(dir.path())
        .arg("--db")
        .arg(app.db_url())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("hours.csv")).unwrap();
    csv.lines()
        .find(|l| l.starts_with(user))
        .unwrap_or_else(|| panic!("no row for {user} in {csv}"))
        .to_string()
}

/// The latest private reply to a button press, which Slack accepted.
fn last_reply(app: &TestApp) -> Value {
    let call = app
        .fake
        .calls_to("response_url")
        .pop()
        .expect("a private reply");
    assert_eq!(call.status, 200, "Slack accepted it: {:?}", call.body);
    call.body
}

async fn answer_rows(app: &TestApp) -> Vec<(String, String, Option<i64>, Option<i64>)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT user_id, answer, minutes, usefulness FROM checkin_answers ORDER BY rowid",
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

#[tokio::test]
async fn a_second_press_shows_the_recorded_answer_and_a_change_replaces_it() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let (channel, m, id) = first_checkin(&app, &clock).await;
    let ts = m["ts"].as_str().unwrap().to_string();
    let on = Some((channel.as_str(), ts.as_str()));
    let id = id.to_string();
    app.driver.click(J, "checkin_met", &id, on).await;
    let modal = app.fake.last_modal_for(J).expect("the we-met form");
    let first = MetAnswer {
        minutes: 45,
        covered: Some("first notes".into()),
        usefulness: 4,
    };
    assert_eq!(
        app.driver
            .submit_view(J, &modal, met_values(&first))
            .await
            .body,
        ""
    );
    settle(&app).await;
    assert_eq!(exported_hours(&app, J), format!("{J},Jun Iper,1,45,0.75"));
    let updates = |app: &TestApp| app.fake.ok_calls_to("chat.update").len();
    let (forms, refreshed) = (app.fake.ok_calls_to("views.open").len(), updates(&app));

    // A second press of either button: no form, nothing recorded, and a private reply saying what was recorded.
    for button in ["checkin_met", "checkin_not_yet"] {
        app.driver.click(J, button, &id, on).await;
        settle(&app).await;
        let reply = last_reply(&app);
        assert_eq!(reply["response_type"], "ephemeral");
        assert_eq!(
            reply["replace_original"], false,
            "the check-in message stays"
        );
        let text = reply["text"].as_str().unwrap();
        assert!(
            text.starts_with("You answered this check-in on <!date^")
                && text.contains("|Mon 9 Mar 2026>: we met, 45 minutes, 4 – useful."),
            "{button}: {text}"
        );
        assert_eq!(button_value(&reply["blocks"], "checkin_change_met"), id);
        assert_eq!(button_value(&reply["blocks"], "checkin_change_not_yet"), id);
    }
    assert_eq!(
        app.fake.ok_calls_to("views.open").len(),
        forms,
        "no form opened"
    );
    assert_eq!(
        updates(&app),
        refreshed,
        "the check-in message did not change"
    );
    assert_eq!(answer_rows(&app).await.len(), 1);

    // Change the details: the form says what was recorded and comes pre-filled; saving replaces the answer.
    let reply = last_reply(&app);
    app.driver
        .click(
            J,
            "checkin_change_met",
            &button_value(&reply["blocks"], "checkin_change_met"),
            None,
        )
        .await;
    let modal = app.fake.last_modal_for(J).expect("the change form");
    assert_eq!(modal["title"]["text"], "Change my answer");
    let element = |block: &str| {
        modal["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["block_id"] == block)
            .unwrap()["element"]
            .clone()
    };
    assert_eq!(element("minutes")["initial_value"], "45");
    assert_eq!(element("covered")["initial_value"], "first notes");
    assert_eq!(element("usefulness")["initial_option"]["value"], "4");
    let clock_at_change = clock.now() + Duration::hours(2);
    clock.set(clock_at_change);
    let changed = MetAnswer {
        minutes: 90,
        covered: Some("changed notes".into()),
        usefulness: 5,
    };
    assert_eq!(
        app.driver
            .submit_view(J, &modal, met_values(&changed))
            .await
            .body,
        ""
    );
    settle(&app).await;
    assert_eq!(
        answer_rows(&app).await,
        vec![(J.to_string(), "met".to_string(), Some(90), Some(5))],
        "one answer per person per check-in, replaced"
    );
    assert_eq!(exported_hours(&app, J), format!("{J},Jun Iper,1,90,1.50"));
    assert!(
        cells_containing(&app, "first notes").await.is_empty(),
        "the old note is gone"
    );
    let pair = app
        .app()
        .store()
        .pair(pair_id(&app).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pair.last_met_at, Some(clock_at_change.timestamp()));

    // We did not meet after all: the meeting is taken back everywhere.
    app.driver.click(J, "checkin_met", &id, on).await;
    settle(&app).await;
    let reply = last_reply(&app);
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .contains("we met, 90 minutes, 5 – very useful")
    );
    app.driver
        .click(
            J,
            "checkin_change_not_yet",
            &button_value(&reply["blocks"], "checkin_change_not_yet"),
            None,
        )
        .await;
    settle(&app).await;
    let reply = last_reply(&app);
    assert_eq!(reply["replace_original"], true);
    assert!(
        reply["text"].as_str().unwrap().contains("now not yet"),
        "{reply}"
    );
    assert_eq!(
        answer_rows(&app).await,
        vec![(J.to_string(), "not_yet".to_string(), None, None)]
    );
    assert!(cells_containing(&app, "changed notes").await.is_empty());
    assert_eq!(exported_hours(&app, J), format!("{J},Jun Iper,0,0,0.00"));
    let pair = app
        .app()
        .store()
        .pair(pair_id(&app).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pair.last_met_at, None, "they never met after all");
    let message = last_message(&app, &channel).to_string();
    assert!(message.contains(&format!("<@{J}>: not yet")), "{message}");

    // From "not yet", a second press offers "We met after all", which opens the empty form.
    app.driver.click(J, "checkin_not_yet", &id, on).await;
    settle(&app).await;
    let reply = last_reply(&app);
    assert!(reply["text"].as_str().unwrap().contains(": not yet."));
    assert!(!reply.to_string().contains("checkin_change_not_yet"));
    app.driver
        .click(
            J,
            "checkin_change_met",
            &button_value(&reply["blocks"], "checkin_change_met"),
            None,
        )
        .await;
    let modal = app.fake.last_modal_for(J).unwrap();
    assert_eq!(modal["title"]["text"], "Change my answer");
    assert!(
        modal
            .to_string()
            .contains("not yet. Saving this form replaces")
    );

    // Once both answered, the buttons give way to "Change my answer", which shows each their own answer.
    app.driver.click(S, "checkin_not_yet", &id, on).await;
    settle(&app).await;
    let done = last_message(&app, &channel);
    let review = button_value(&done["blocks"], "checkin_review");
    app.driver.click(S, "checkin_review", &review, on).await;
    settle(&app).await;
    let reply = last_reply(&app);
    assert!(
        reply["text"].as_str().unwrap().contains(": not yet."),
        "{reply}"
    );
    assert_eq!(answer_rows(&app).await.len(), 2);
    // Someone outside the pair learns nothing.
    let replies = app.fake.responses().len();
    app.driver
        .click("U0STRANGER", "checkin_review", &review, on)
        .await;
    app.driver
        .click("U0STRANGER", "checkin_change_not_yet", &review, on)
        .await;
    settle(&app).await;
    assert_eq!(app.fake.responses().len(), replies);
    assert_eq!(answer_rows(&app).await.len(), 2);
}

#[tokio::test]
async fn we_need_help_tells_the_admins_privately() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let (channel, m, id) = first_checkin(&app, &clock).await;
    app.driver
        .click(
            J,
            "checkin_help",
            &id.to_string(),
            Some((&channel, m["ts"].as_str().unwrap())),
        )
        .await;
    // A private form (see tests/e2e/trouble.rs for all of it).
    let modal = app.fake.last_modal_for(J).expect("the help form");
    let request = tandem::domain::forms::help::HelpRequest {
        text: None,
        may_tell: true,
    };
    app.driver
        .submit_view(
            J,
            &modal,
            tandem::domain::forms::help::help_values(&request),
        )
        .await;
    settle(&app).await;
    run_clean(&app).await;
    let to_admin = app.fake.dms_to(ADMIN);
    let alert = to_admin.last().expect("an alert to the admin").to_string();
    assert!(
        alert.contains(&format!("<@{J}>")) && alert.contains(&format!("<@{S}>")),
        "{alert}"
    );
    assert!(
        app.fake
            .messages_in(&channel)
            .iter()
            .all(|msg| msg["text"] != to_admin.last().unwrap()["text"]),
        "the alert is not in the pair's DM"
    );
}

#[tokio::test]
async fn two_check_ins_without_a_meeting_mark_the_pair_at_risk_with_a_nudge_instead_of_a_check_in()
{
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let (channel, _, _) = first_checkin(&app, &clock).await;
    let pair = pair_id(&app).await;
    for _ in 0..2 {
        clock.set(due(&app, "checkin").await.unwrap());
        run_clean(&app).await;
    }
    let status = |app: &TestApp| {
        let store = app.app().store().clone();
        async move { store.pair(pair).await.unwrap().unwrap().status }
    };
    assert_eq!(status(&app).await, PairStatus::AtRisk);
    let all = texts(&app, &channel);
    assert!(
        all.last().unwrap().contains("friendly Tandem nudge"),
        "the nudge stands in for the third check-in: {all:?}"
    );
    assert_eq!(
        all.iter()
            .filter(|t| t.contains("did you meet since"))
            .count(),
        2
    );
    let before = app.fake.messages_in(&channel).len();
    clock.set(due(&app, "checkin").await.unwrap());
    run_clean(&app).await;
    assert_eq!(
        app.fake.messages_in(&channel).len(),
        before + 1,
        "then a check-in (a second nudge only after it passes without a meeting)"
    );

    let m = last_message(&app, &channel);
    let id = button_value(&m["blocks"], "checkin_met");
    app.driver
        .click(
            J,
            "checkin_met",
            &id,
            Some((&channel, m["ts"].as_str().unwrap())),
        )
        .await;
    let modal = app.fake.last_modal_for(J).unwrap();
    app.driver
        .submit_view(
            J,
            &modal,
            met_values(&MetAnswer {
                minutes: 30,
                covered: None,
                usefulness: 4,
            }),
        )
        .await;
    settle(&app).await;
    assert_eq!(
        status(&app).await,
        PairStatus::Active,
        "meeting again lifts the flag"
    );
}

#[tokio::test]
async fn the_end_date_brings_a_closing_and_feedback_and_frees_both() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Monthly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    let pair = pair_id(&app).await;
    let closing = due(&app, "closing").await.unwrap();
    assert_eq!(
        closing,
        at("2026-07-02T14:00:00Z"),
        "four months out, 10:00 New York"
    );
    clock.set(closing);
    run_clean(&app).await;
    let msg = last_message(&app, &channel);
    let record = app.app().store().pair(pair).await.unwrap().unwrap();
    assert_eq!(record.status, PairStatus::Completed);
    assert_eq!(due(&app, "checkin").await, None, "nothing else scheduled");
    app.driver
        .click(
            J,
            "feedback_open",
            &button_value(&msg["blocks"], "feedback_open"),
            Some((&channel, msg["ts"].as_str().unwrap())),
        )
        .await;
    let modal = app.fake.last_modal_for(J).expect("the feedback modal");
    let f = Feedback {
        rating: 5,
        learned: Some("client calls".into()),
        recommend: true,
    };
    assert_eq!(
        app.driver
            .submit_view(J, &modal, feedback_values(&f))
            .await
            .body,
        ""
    );
    assert_eq!(count(&app, "feedback").await, 1);
    assert!(
        app.driver.command(J, "status").await.json()["text"]
            .as_str()
            .unwrap()
            .contains("waiting to be paired")
    );
}

#[tokio::test]
async fn mentor_end_ends_early_kindly_and_only_admins_see_the_reason() {
    let (app, _) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let r = app
        .driver
        .command(J, "end our schedules never matched")
        .await
        .json();
    assert_eq!(r["response_type"], "ephemeral");
    settle(&app).await;
    let to_partner = app.fake.dms_to(S).last().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !to_partner.contains("schedules never matched"),
        "{to_partner}"
    );
    // The admins' note (the pair was its round's only one, so the end-of-cohort report may come before or after it).
    let to_admin: Vec<String> = app
        .fake
        .dms_to(ADMIN)
        .iter()
        .filter_map(|m| m["text"].as_str().map(str::to_string))
        .collect();
    assert!(
        to_admin
            .iter()
            .any(|t| t.contains("A pair ended early") && t.contains("our schedules never matched")),
        "{to_admin:?}"
    );
    assert_eq!(
        app.app()
            .store()
            .pair(pair_id(&app).await)
            .await
            .unwrap()
            .unwrap()
            .status,
        PairStatus::Ended
    );
    assert_eq!(due(&app, "checkin").await, None, "its jobs are cancelled");
    let again = app.driver.command(J, "end").await.json();
    assert!(again["text"].as_str().unwrap().contains("not in a pair"));
}

/// Enrols and approves a second pair (Jo Two and Sam Two), not yet introduced.
async fn second_pair_approved(app: &TestApp) {
    for (id, name, role, years, teach, learn) in [
        (
            "U0J2",
            "Jo Two",
            Role::JuniorAssociate,
            1,
            &["social_media"][..],
            &["client_management"][..],
        ),
        (
            "U0S2",
            "Sam Two",
            Role::Partner,
            30,
            &["client_management"][..],
            &["social_media"][..],
        ),
    ] {
        app.fake.add_user(id, name, "Europe/Paris");
        joined(app, id, &answers(role, years, teach, learn)).await;
    }
    assert_eq!(approve_round(app, ADMIN).await, 1);
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_batch_loses_nothing_and_duplicates_nothing() {
    let (app, _) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    // A second pair, so the batch has two introductions.
    second_pair_approved(&app).await;
    // The worker claims both, delivers the first introduction, and the process dies before recording it done.
    let now = app.app().clock().now().timestamp();
    // (A dead replica's lease runs out now: on PostgreSQL the restart requeues only expired leases.)
    let claimed = app
        .app()
        .store()
        .claim_due_jobs(now, 10, "dead-replica", now)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    tandem::flows::introductions::run(app.app(), &claimed[0])
        .await
        .unwrap();
    let TestApp { sandbox, dir, pg } = app;
    let sandbox = sandbox.restart().await.unwrap();
    let app = TestApp { sandbox, dir, pg };
    let stats = run_clean(&app).await;
    assert_eq!(stats.done, 2);
    let intros: Vec<_> = app
        .fake
        .ok_calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| {
            c.body["text"]
                .as_str()
                .unwrap_or("")
                .contains("welcome to your Tandem pair")
        })
        .collect();
    assert_eq!(intros.len(), 2, "each pair introduced exactly once");
    assert_ne!(intros[0].body["channel"], intros[1].body["channel"]);
}

#[tokio::test]
async fn a_check_in_missed_while_down_is_sent_once_or_skipped_when_a_whole_cadence_late() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    let checkins = |app: &TestApp| {
        texts(app, &channel)
            .iter()
            .filter(|t| t.contains("did you meet since"))
            .count()
    };
    // Due Monday 9 March; back on Wednesday 11th: two days late, sent once.
    clock.set(at("2026-03-11T12:00:00Z"));
    run_clean(&app).await;
    assert_eq!(checkins(&app), 1);
    let next = due(&app, "checkin").await.unwrap();
    assert_eq!(next, at("2026-03-18T14:00:00Z"), "a week after it was sent");
    // Down again for three weeks: three check-ins were due meanwhile. None is sent late; the series goes on.
    clock.set(at("2026-04-08T12:00:00Z"));
    let stats = run_clean(&app).await;
    assert_eq!((stats.done, stats.dropped), (0, 1));
    assert_eq!(checkins(&app), 1, "nothing sent a cadence late");
    assert_eq!(
        due(&app, "checkin").await,
        Some(at("2026-04-08T14:00:00Z")),
        "the next Wednesday of the series, in the future"
    );
}

/// A 429 is Slack saying "later", not a failure: a job rate-limited more often than it may fail is still delivered,
/// once (with several replicas, each pausing on its own, a job can meet many 429s in a row; the big-firm bench on two
/// replicas lost three check-ins this way before).
#[tokio::test]
async fn a_job_rate_limited_more_often_than_it_may_fail_is_still_delivered() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let times = usize::try_from(tandem::jobs::worker::MAX_ATTEMPTS).unwrap() + 2;
    app.fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 120,
        },
        times,
    );
    for round in 0..times {
        let stats = run_jobs(&app).await;
        assert_eq!(
            (stats.retried, stats.failed),
            (1, 0),
            "rate-limited time {}",
            round + 1
        );
        clock.advance(Duration::seconds(120));
    }
    let stats = run_jobs(&app).await;
    assert_eq!((stats.retried, stats.failed), (0, 0));
    let posts = app.fake.calls_to("chat.postMessage");
    let first = posts
        .iter()
        .position(|c| c.status == 429)
        .expect("a rate-limited post");
    let channel = posts[first].body["channel"].clone();
    let to_pair: Vec<u16> = posts[first..]
        .iter()
        .filter(|c| c.body["channel"] == channel)
        .map(|c| c.status)
        .collect();
    let mut expected = vec![429; times];
    expected.push(200);
    assert_eq!(
        to_pair, expected,
        "rate-limited {times} times, then delivered once"
    );
    let (failed, most_attempts): (i64, i64) = tandem::on_db!(app.app().store().pool(), |p| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM jobs WHERE state = 'failed'),
                    (SELECT MAX(attempts) FROM jobs WHERE state = 'done')",
        )
        .fetch_one(p)
        .await
    })
    .unwrap();
    assert_eq!(
        (failed, most_attempts),
        (0, 1),
        "nothing failed; no attempt spent on a 429"
    );
}

#[tokio::test]
async fn rate_limits_are_honoured_and_permanent_errors_are_not_retried() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    // Rate-limited more times than the client retries: the job waits for Retry-After, then succeeds.
    app.fake.fail_next(
        "conversations.open",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    app.fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 120,
        },
        1,
    );
    let stats = run_jobs(&app).await;
    assert_eq!(stats.retried, 1);
    let opened = app.fake.calls_to("conversations.open");
    assert_eq!(
        (opened[0].status, opened[1].status),
        (429, 200),
        "the client retried the 429 itself"
    );
    let retry_at: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind = 'intro'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(
        retry_at,
        clock.now().timestamp() + 120,
        "Retry-After is honoured"
    );
    clock.advance(Duration::seconds(120));
    assert_eq!(run_jobs(&app).await.done, 1);

    // A permanent error fails the job after one call and shows in the failed list.
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query(
        "UPDATE jobs SET state = 'cancelled' WHERE kind = 'plan_reminder'"
    )
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    let before = app.fake.calls_to("chat.postMessage").len();
    app.fake.fail_next(
        "chat.postMessage",
        Fault::SlackError("channel_not_found".into()),
        1,
    );
    clock.set(due(&app, "checkin").await.unwrap());
    let stats = run_jobs(&app).await;
    assert_eq!(stats.failed, 1);
    assert_eq!(
        app.fake.calls_to("chat.postMessage").len(),
        before + 1,
        "not retried"
    );
    let failed = app.app().store().failed_jobs(10).await.unwrap();
    assert_eq!(
        (
            failed[0].kind.as_str(),
            failed[0].last_error.contains("channel_not_found")
        ),
        ("checkin", true)
    );
    // A 5xx is retried later with backoff instead.
    app.fake
        .fail_next("chat.postMessage", Fault::ServerError, 10);
    queue_job(
        &app,
        "nudge",
        Some(pair_id(&app).await),
        clock.now().timestamp(),
    )
    .await;
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query(
        "UPDATE pairs SET status = 'at_risk'"
    )
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    let stats = run_jobs(&app).await;
    assert_eq!(stats.retried, 1);
}

/// The first check-in, then J sets a plan with `objective` and answers "We met" with `covered`; returns the pair.
async fn plan_and_meeting(app: &TestApp, clock: &Clock, objective: &str, covered: &str) -> i64 {
    let (channel, m, id) = first_checkin(app, clock).await;
    let pair = pair_id(app).await;
    app.driver
        .click(J, "plan_open", &pair.to_string(), None)
        .await;
    let modal = app.fake.last_modal_for(J).unwrap();
    let plan = Plan {
        objective: objective.into(),
        cadence: Cadence::Weekly,
        end_date: at("2026-06-30T00:00:00Z").date_naive(),
        first_meeting: None,
    };
    assert_eq!(
        app.driver
            .submit_view(J, &modal, plan_values(&plan))
            .await
            .body,
        ""
    );
    app.driver
        .click(
            J,
            "checkin_met",
            &id.to_string(),
            Some((&channel, m["ts"].as_str().unwrap())),
        )
        .await;
    let modal = app.fake.last_modal_for(J).unwrap();
    let met = MetAnswer {
        minutes: 60,
        covered: Some(covered.into()),
        usefulness: 4,
    };
    assert_eq!(
        app.driver
            .submit_view(J, &modal, met_values(&met))
            .await
            .body,
        ""
    );
    pair
}

#[tokio::test]
async fn leaving_mid_pair_clears_the_person_from_plans_answers_and_jobs() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    plan_and_meeting(&app, &clock, "ZEBRA objective with Jun", "ZEBRA covered").await;
    settle(&app).await;
    app.driver.command(J, "leave").await;
    app.driver.click(J, "leave_confirm", "leave", None).await;
    settle(&app).await;
    assert_eq!(cells_containing(&app, J).await, Vec::<String>::new());
    assert_eq!(cells_containing(&app, "ZEBRA").await, Vec::<String>::new());
    let minutes: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT CAST(SUM(minutes) AS BIGINT) FROM checkin_answers"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(minutes, 60, "the anonymous count of hours stays");
    assert_eq!(
        due(&app, "checkin").await,
        None,
        "the ended pair's jobs are cancelled"
    );
}

#[tokio::test]
async fn the_check_in_time_is_configurable() {
    let (app, _) = paired_with(
        "2026-03-02T09:00:00Z",
        Cadence::Weekly,
        &[("TANDEM_CHECKIN_TIME", "08:30")],
    )
    .await;
    run_clean(&app).await;
    assert_eq!(
        due(&app, "checkin").await,
        Some(at("2026-03-09T12:30:00Z")),
        "08:30 in New York"
    );
}

#[tokio::test]
async fn failed_deliveries_show_in_the_admins_report() {
    let (app, _) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    app.fake.fail_next(
        "conversations.open",
        Fault::SlackError("user_not_found".into()),
        1,
    );
    assert_eq!(run_jobs(&app).await.failed, 1);
    let report = app.driver.command(ADMIN, "report").await.json().to_string();
    assert!(
        report.contains("could not be delivered") && report.contains("user_not_found"),
        "{report}"
    );
}

#[tokio::test]
async fn a_paused_partner_gets_no_check_ins_until_they_resume() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    run_clean(&app).await;
    let channel = group_channel(&app);
    let checkins = |app: &TestApp| {
        texts(app, &channel)
            .iter()
            .filter(|t| t.contains("did you meet since"))
            .count()
    };
    app.driver.command(S, "pause").await;
    clock.set(due(&app, "checkin").await.unwrap());
    run_clean(&app).await;
    assert_eq!(checkins(&app), 0, "nothing while paused");
    assert!(
        due(&app, "checkin").await.unwrap() > clock.now(),
        "the schedule carries on"
    );
    app.driver.command(S, "resume").await;
    clock.set(due(&app, "checkin").await.unwrap());
    run_clean(&app).await;
    assert_eq!(checkins(&app), 1);
}

/// A check-in is a check-in once Slack has it: a retried one is neither counted as missed (which would mark the pair
/// at risk one check-in early) nor sent twice.
#[tokio::test]
async fn a_retried_check_in_is_delivered_once_and_never_counts_as_missed() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let (channel, _, _) = first_checkin(&app, &clock).await; // left unanswered
    let pair = pair_id(&app).await;
    clock.set(due(&app, "checkin").await.unwrap());
    // The next one meets an outage (a 500 on every inline try) ...
    app.fake
        .fail_next("chat.postMessage", Fault::ServerError, 3);
    let stats = run_jobs(&app).await;
    assert_eq!(
        (stats.done, stats.retried),
        (0, 1),
        "the check-in waits to retry"
    );
    // ... then a long rate limit ...
    app.fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 20,
        },
        1,
    );
    clock.set(due(&app, "checkin").await.unwrap());
    assert_eq!(run_jobs(&app).await.retried, 1);
    // ... and goes through once the rate limit has passed.
    clock.advance(Duration::seconds(20));
    let stats = run_clean(&app).await;
    assert!(stats.done >= 1);
    let asked = texts(&app, &channel)
        .iter()
        .filter(|t| t.contains("did you meet since"))
        .count();
    assert_eq!(asked, 2, "the first check-in and this one, once");
    let rows: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM checkins WHERE pair_id = $1"
    )
    .bind(pair)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(rows, 2, "the retries found their check-in again");
    let status = app.app().store().pair(pair).await.unwrap().unwrap().status;
    assert_eq!(
        status,
        PairStatus::Active,
        "one missed check-in is not a stall"
    );
    assert!(
        !texts(&app, &channel)
            .iter()
            .any(|t| t.contains("friendly Tandem nudge")),
        "no nudge"
    );
    let nudges: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'nudge'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(nudges, 0);
}

/// Makes the store refuse (`on`) or accept again every new check-in answer, with a trigger of the store's engine.
async fn refuse_answers(app: &TestApp, on: bool) {
    use tandem::outbound::store::Pool;
    let sql = match (app.app().store().pool(), on) {
        (Pool::Sqlite(_), true) => {
            "CREATE TRIGGER refuse_answers BEFORE INSERT ON checkin_answers BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        }
        (Pool::Sqlite(_), false) => "DROP TRIGGER refuse_answers",
        (Pool::Postgres(_), true) => {
            "CREATE FUNCTION refuse_answers() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
             CREATE TRIGGER refuse_answers BEFORE INSERT ON checkin_answers FOR EACH ROW EXECUTE FUNCTION refuse_answers()"
        }
        (Pool::Postgres(_), false) => {
            "DROP TRIGGER refuse_answers ON checkin_answers; DROP FUNCTION refuse_answers()"
        }
    };
    tandem::on_db!(app.app().store().pool(), |p| sqlx::raw_sql(sql)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
}

/// A failed save is never shown as success: the modal stays open with a message on the right block, and nothing was
/// recorded. A form for a pair that has ended says so instead of closing silently.
#[tokio::test]
async fn a_modal_whose_save_fails_stays_open_and_says_nothing_was_saved() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let (channel, m, id) = first_checkin(&app, &clock).await;
    let ts = m["ts"].as_str().unwrap().to_string();
    app.driver
        .click(S, "checkin_met", &id.to_string(), Some((&channel, &ts)))
        .await;
    let modal = app.fake.last_modal_for(S).expect("the We met modal");
    // The store refuses the write (as a full disk or a locked file would).
    refuse_answers(&app, true).await;
    let met = MetAnswer {
        minutes: 30,
        covered: None,
        usefulness: 4,
    };
    let r = app.driver.submit_view(S, &modal, met_values(&met)).await;
    let body = r.json();
    assert_eq!(body["response_action"], "errors", "{body}");
    assert!(
        body["errors"]["minutes"]
            .as_str()
            .unwrap_or_default()
            .contains("nothing was saved"),
        "{body}"
    );
    assert_eq!(count(&app, "checkin_answers").await, 0);

    // Once the store works again the same form saves; after the pair has ended, the plan form says so.
    refuse_answers(&app, false).await;
    let r = app.driver.submit_view(S, &modal, met_values(&met)).await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    assert_eq!(count(&app, "checkin_answers").await, 1);
    let pair = pair_id(&app).await;
    app.driver
        .click(J, "plan_open", &pair.to_string(), None)
        .await;
    let plan_modal = app.fake.last_modal_for(J).expect("the plan modal");
    assert_eq!(app.driver.command(J, "end").await.status, 200);
    let plan = Plan {
        objective: "Learn e-discovery".into(),
        cadence: Cadence::Weekly,
        end_date: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        first_meeting: None,
    };
    let r = app
        .driver
        .submit_view(J, &plan_modal, plan_values(&plan))
        .await;
    assert_eq!(r.json()["response_action"], "errors", "{}", r.body);
    assert_eq!(count(&app, "plans").await, 0);
}

/// A Slack call that never answers holds only its own job: the other pairs' jobs run and are recorded meanwhile, and
/// the hung one is given up at the call timeout and retried later.
#[tokio::test]
async fn a_hung_call_does_not_stop_other_jobs() {
    let (app, _) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    second_pair_approved(&app).await;
    // The first group DM Slack is asked for never comes.
    app.fake.fail_next("conversations.open", Fault::Hang, 1);
    let worker = tandem::jobs::worker::run_due(app.app());
    tokio::pin!(worker);
    let store = app.app().store().clone();
    let jobs_by_state = || {
        let store = store.clone();
        async move {
            tandem::on_db!(store.pool(), |p| sqlx::query_as::<_, (String, i64)>(
                "SELECT state, COUNT(*) FROM jobs WHERE kind = 'intro' GROUP BY state ORDER BY state",
            )
            .fetch_all(p)
            .await)
            .unwrap()
        }
    };
    // While the worker is held by the hung call, the other introduction is delivered and recorded.
    let both = async {
        app.fake
            .wait_until(WAIT, |f| {
                let intros = f
                    .ok_calls_to("chat.postMessage")
                    .iter()
                    .filter(|c| {
                        c.body["text"]
                            .as_str()
                            .unwrap_or("")
                            .contains("welcome to your Tandem pair")
                    })
                    .count();
                (intros == 1)
                    .then_some(())
                    .ok_or("no introduction yet".to_string())
            })
            .await
            .unwrap();
        loop {
            let states = jobs_by_state().await;
            if states == vec![("done".to_string(), 1), ("running".to_string(), 1)] {
                return states;
            }
            tokio::task::yield_now().await;
        }
    };
    tokio::select! {
        states = both => assert_eq!(states.len(), 2),
        _ = &mut worker => panic!("the batch ended before the hung call was given up"),
    }
    // The hung call times out; its job waits to retry and the batch ends.
    let stats = worker.await.unwrap();
    assert_eq!((stats.done >= 1, stats.retried), (true, 1));
    assert_eq!(
        jobs_by_state().await,
        vec![("done".to_string(), 1), ("pending".to_string(), 1)]
    );
}

/// Retention (`TANDEM_RETENTION_DAYS`, 365 by default): a year after a pair ended, its plan, what its members wrote
/// and who answered what are gone; the anonymous counts behind the figures (and the HR export) are unchanged.
#[tokio::test]
async fn retention_removes_an_old_pairs_personal_data_and_keeps_the_figures() {
    let (app, clock) = paired_at("2026-03-02T09:00:00Z", Cadence::Weekly).await;
    let pair = plan_and_meeting(&app, &clock, "QUOKKA objective", "QUOKKA covered").await;
    assert_eq!(app.driver.command(S, "end QUOKKA reason").await.status, 200);
    settle(&app).await;
    app.driver
        .click(S, "feedback_open", &pair.to_string(), None)
        .await;
    let modal = app.fake.last_modal_for(S).expect("the feedback modal");
    let f = Feedback {
        rating: 4,
        learned: Some("QUOKKA learned".into()),
        recommend: true,
    };
    assert_eq!(
        app.driver
            .submit_view(S, &modal, feedback_values(&f))
            .await
            .body,
        ""
    );
    let mut planted = cells_containing(&app, "QUOKKA").await;
    planted.sort();
    assert_eq!(
        planted,
        vec![
            "checkin_answers.covered",
            "feedback.learned",
            "pairs.end_reason",
            "plans.objective"
        ]
    );
    let url = app.db_url();
    let catalog = tandem::domain::catalog::Catalog::default();
    let rules = tandem::domain::matching::MatchConfig::default();
    let export = |dir: &std::path::Path| {
        let (url, catalog, rules, dir) = (
            url.clone(),
            catalog.clone(),
            rules.clone(),
            dir.to_path_buf(),
        );
        async move {
            tandem::flows::summaries::export_csv(&url, &catalog, &rules, &dir)
                .await
                .unwrap()
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .collect::<Vec<_>>()
        }
    };
    let before = export(&app.dir.path().join("before")).await;

    // A day short of a year after the pair ended: its data stays (only the admin's round and approval, a week older
    // than the ending, leave the audit log).
    clock.advance(Duration::days(364));
    let done = tandem::flows::retention::run(app.app()).await.unwrap();
    assert_eq!(
        (
            done.pairs,
            done.plans,
            done.answers,
            done.feedback,
            done.audit
        ),
        (0, 0, 0, 0, 2)
    );
    assert_eq!(cells_containing(&app, "QUOKKA").await.len(), 4);
    // A year and a day: the free text and who said what go; the counts stay.
    clock.advance(Duration::days(2));
    let done = tandem::flows::retention::run(app.app()).await.unwrap();
    assert_eq!(
        (done.pairs, done.plans, done.answers, done.feedback),
        (1, 1, 1, 1)
    );
    assert!(cells_containing(&app, "QUOKKA").await.is_empty());
    assert_eq!(count(&app, "plans").await, 0);
    assert_eq!(
        count(&app, "checkin_answers").await,
        1,
        "the answer is counted, anonymously"
    );
    assert_eq!(
        count(&app, "feedback").await,
        1,
        "the rating is counted, anonymously"
    );
    let named: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM checkin_answers WHERE user_id IS NOT NULL) + (SELECT COUNT(*) FROM feedback WHERE user_id IS NOT NULL)",
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(named, 0, "nobody's answer is tied to them any more");
    assert_eq!(
        cells_containing(&app, J)
            .await
            .iter()
            .filter(|c| c.starts_with("pairs."))
            .count(),
        1,
        "who was paired with whom stays, so nobody is paired twice with the same person"
    );
    let after = export(&app.dir.path().join("after")).await;
    assert_eq!(before.len(), after.len());
    assert_eq!(before[0], after[0], "pairs.csv");
    // hours.csv is per person: the hours stay, no longer under a name (both are still enrolled: listed with 0).
    let totals = |csv: &str| -> (u32, u32) {
        csv.lines().skip(1).fold((0, 0), |(m, min), line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                m + cells[2].parse::<u32>().unwrap(),
                min + cells[3].parse::<u32>().unwrap(),
            )
        })
    };
    assert_eq!(totals(&before[2]), (1, 60));
    assert_eq!(
        totals(&after[2]),
        (1, 60),
        "the meeting and its minutes still count"
    );
    for who in [J, S] {
        assert!(after[2].contains(&format!("{who},")), "{}", after[2]);
        assert!(
            !after[2]
                .lines()
                .any(|l| l.starts_with(who) && !l.contains(",0,0,0.00")),
            "{}",
            after[2]
        );
    }
    // A second pass has nothing left to do.
    assert_eq!(
        tandem::flows::retention::run(app.app()).await.unwrap(),
        Default::default()
    );
}
