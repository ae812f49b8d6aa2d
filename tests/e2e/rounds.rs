//! Issue 13, point 1: matching rounds over a program's life. A round on schedule (`TANDEM_ROUND_CRON`, injected
//! clock) goes to every admin for review and reaches nobody else before approval; after approval each person left
//! out gets a note in their own words with the next round's date in their zone (or that an admin will be in touch);
//! a second round after a pair ends never repeats a pair; a scheduled round never opens a second proposal, and one
//! missed while Tandem was down runs once.

use crate::common::*;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tandem::context::clock::Clock;
use tandem::domain::matching::Role;

const ADMIN: &str = "U0ADMIN";
const ADMIN2: &str = "U0ADMIN2";
/// J1 fits S1 best; J2 fits only S2; J3 fits only S1 (less well than J1), so round 1 leaves J3 out.
const J1: &str = "U0JUNIOR1";
const J2: &str = "U0JUNIOR2";
const J3: &str = "U0JUNIOR3";
const S1: &str = "U0SENIOR1";
const S2: &str = "U0SENIOR2";
/// Mondays at 00:30 London: Sunday evening in Chicago, where J3 lives.
const CRON: &str = "30 0 * * 1";
const NOTE: &str = "you were not paired this time";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// Five people enrolled on Sunday 1 March 2026, two admins, rounds on `cron` (or on demand).
async fn program(cron: Option<&str>) -> (TestApp, Clock) {
    program_with(cron, tandem::startup::WorkerMode::OnWake).await
}

async fn program_with(cron: Option<&str>, worker: tandem::startup::WorkerMode) -> (TestApp, Clock) {
    let clock = Clock::manual(at("2026-03-01T10:00:00Z"));
    let c = clock.clone();
    let mut env = vec![("TANDEM_TZ".to_string(), "Europe/London".to_string())];
    if let Some(cron) = cron {
        env.push(("TANDEM_ROUND_CRON".to_string(), cron.to_string()));
    }
    let app = spawn_with(move |o| {
        o.app.clock = c;
        o.app.worker = worker;
        o.admins = vec![ADMIN.into(), ADMIN2.into()];
        o.env = env;
    })
    .await;
    for (id, name, tz) in [
        (ADMIN, "Ada Admin", "Europe/London"),
        (ADMIN2, "Abe Admin", "Europe/London"),
        (J1, "Jun One", "Europe/London"),
        (J2, "Jun Two", "America/New_York"),
        (J3, "Jun Three", "America/Chicago"),
        (S1, "Sen One", "Europe/London"),
        (S2, "Sen Two", "Europe/Berlin"),
    ] {
        app.fake.add_user(id, name, tz);
    }
    let people = [
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
            J2,
            answers(
                Role::JuniorAssociate,
                1,
                &["social_media"],
                &["firm_culture"],
            ),
        ),
        (
            J3,
            answers(Role::Associate, 2, &["ai_drafting"], &["negotiation"]),
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
            S2,
            answers(Role::Partner, 20, &["firm_culture"], &["social_media"]),
        ),
    ];
    for (id, a) in &people {
        joined(&app, id, a).await;
    }
    (app, clock)
}

/// The latest review in `admin`'s DM that still has an Approve button: (channel, ts, blocks).
fn review_of(app: &TestApp, admin: &str) -> Option<(String, String, Value)> {
    let channel = app.fake.dm_channel_of(admin)?;
    app.fake
        .messages_in(&channel)
        .into_iter()
        .rev()
        .find(|m| m.to_string().contains("proposal_approve"))
        .map(|m| {
            (
                channel.clone(),
                m["ts"].as_str().unwrap_or_default().to_string(),
                m["blocks"].clone(),
            )
        })
}

async fn approve(app: &TestApp, admin: &str) {
    let (channel, ts, blocks) = review_of(app, admin).expect("a review to approve");
    let id = button_value(&blocks, "proposal_approve");
    let r = app
        .driver
        .click(admin, "proposal_approve", &id, Some((&channel, &ts)))
        .await;
    assert_eq!(r.status, 200);
    settle(app).await;
}

/// Every message Tandem posted to a participant's DM or a pair's group DM.
fn posted_to_participants(app: &TestApp) -> usize {
    app.fake
        .ok_calls_to("chat.postMessage")
        .iter()
        .filter(|c| ![ADMIN, ADMIN2].contains(&c.body["channel"].as_str().unwrap_or("")))
        .count()
}

/// The texts of the notes about being left out that `user` received.
fn notes_to(app: &TestApp, user: &str) -> Vec<String> {
    app.fake
        .dms_to(user)
        .iter()
        .filter_map(|m| m["text"].as_str().map(str::to_string))
        .filter(|t| t.contains(NOTE))
        .collect()
}

/// When the pending notes to people left out are due, earliest first.
async fn notes_due(app: &TestApp) -> Vec<i64> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind = 'unmatched_note' AND state = 'pending' ORDER BY due_at",
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

/// Why each person is waiting for a match, as the last approved round recorded it (what the report counts).
async fn waiting_reasons(app: &TestApp) -> Vec<(String, String, i64)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT user_id, reason, proposal_id FROM waiting_reasons ORDER BY user_id"
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

/// Lets time pass until every note to someone left out has gone out: each at 10:00 on a working day in its
/// recipient's zone.
async fn deliver_notes(app: &TestApp, clock: &Clock) {
    settle(app).await;
    while let Some(&due) = notes_due(app).await.first() {
        clock.set(DateTime::from_timestamp(due, 0).unwrap().max(clock.now()));
        settle(app).await;
    }
}

async fn pairs(app: &TestApp) -> Vec<(String, String, String, i64)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT junior_id, senior_id, status, proposal_id FROM pairs ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn pending_round_due(app: &TestApp) -> Vec<i64> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind = 'scheduled_round' AND state = 'pending' ORDER BY due_at",
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn proposals(app: &TestApp) -> Vec<(i64, String)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT id, status FROM proposals ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

fn status_text(r: &tandem::sandbox::DriverResponse) -> String {
    r.json()["text"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_scheduled_round_goes_to_every_admin_and_the_left_out_hear_why_and_when_the_next_round_is()
 {
    let (app, clock) = program(Some(CRON)).await;
    // Monday 2 March 00:30 GMT is the first time after Sunday's start.
    let first = at("2026-03-02T00:30:00Z").timestamp();
    let second = at("2026-03-09T00:30:00Z").timestamp();
    assert_eq!(pending_round_due(&app).await, vec![first]);
    let status = status_text(&app.driver.command(J3, "status").await);
    assert!(
        status.contains(&format!(
            "Next matching round: *<!date^{first}^{{date_long}}|Sunday 1 March 2026>*"
        )),
        "in J3's zone (Chicago) it is still Sunday: {status}"
    );
    let before = posted_to_participants(&app);

    clock.set(at("2026-03-02T00:29:00Z"));
    run_jobs(&app).await;
    assert!(proposals(&app).await.is_empty(), "not a minute early");
    clock.set(at("2026-03-02T00:30:00Z"));
    run_jobs(&app).await;
    assert_eq!(proposals(&app).await, vec![(1, "open".to_string())]);
    for admin in [ADMIN, ADMIN2] {
        let (_, _, blocks) = review_of(&app, admin).expect("each admin gets the review");
        let text = blocks.to_string();
        assert!(
            text.contains("started on schedule")
                && text.contains("*2 pairs* proposed from 5 people"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "<@{J3}>: everyone who fits was paired with a better fit"
            )),
            "the admins read the reason as it is: {text}"
        );
    }
    assert_eq!(
        posted_to_participants(&app),
        before,
        "nothing reaches participants before approval"
    );
    assert!(pairs(&app).await.is_empty());
    assert_eq!(
        pending_round_due(&app).await,
        vec![second],
        "the next one is queued"
    );

    // The second admin approves at 08:00; both reviews lose their buttons.
    clock.set(at("2026-03-02T08:00:00Z"));
    approve(&app, ADMIN2).await;
    let made = pairs(&app).await;
    assert_eq!(
        made.iter()
            .map(|(j, s, _, _)| (j.as_str(), s.as_str()))
            .collect::<Vec<_>>(),
        vec![(J1, S1), (J2, S2)]
    );
    for admin in [ADMIN, ADMIN2] {
        assert!(
            review_of(&app, admin).is_none(),
            "{admin}'s review still has buttons"
        );
        let last = app.fake.dms_to(admin).pop().unwrap();
        assert!(
            last["text"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Approved by <@{ADMIN2}>: 2 pairs")),
            "{last}"
        );
    }
    // J3, left out, hears why in words meant for them, and the next round's date as it falls in Chicago — at 10:00
    // in Chicago (16:00 UTC), not at 02:00 when the admin approved.
    assert!(notes_to(&app, J3).is_empty(), "not at 02:00 in Chicago");
    let ten_in_chicago = at("2026-03-02T16:00:00Z");
    assert_eq!(notes_due(&app).await, vec![ten_in_chicago.timestamp()]);
    clock.set(ten_in_chicago - chrono::Duration::minutes(1));
    run_jobs(&app).await;
    assert!(notes_to(&app, J3).is_empty(), "not a minute early");
    clock.set(ten_in_chicago);
    run_jobs(&app).await;
    let notes = notes_to(&app, J3);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("paired with someone who suited them even more closely")
            && !notes[0].contains("everyone who fits was paired with a better fit"),
        "{}",
        notes[0]
    );
    assert!(
        notes[0].contains(&format!(
            "<!date^{second}^{{date_long}}|Sunday 8 March 2026>"
        )),
        "{}",
        notes[0]
    );
    for paired in [J1, J2, S1, S2] {
        assert!(notes_to(&app, paired).is_empty(), "{paired} was paired");
    }
    // A second press (the other admin's stale button) has no second effect.
    let (channel, ts) = {
        let channel = app.fake.dm_channel_of(ADMIN).unwrap();
        let ts = app.fake.messages_in(&channel).last().unwrap()["ts"]
            .as_str()
            .unwrap()
            .to_string();
        (channel, ts)
    };
    app.driver
        .click(ADMIN, "proposal_approve", "1", Some((&channel, &ts)))
        .await;
    settle(&app).await;
    assert_eq!(pairs(&app).await.len(), 2);
    assert_eq!(notes_to(&app, J3).len(), 1, "one note per person per round");
}

#[tokio::test]
async fn without_a_round_cron_the_left_out_hear_that_an_admin_will_be_in_touch() {
    let (app, clock) = program(None).await;
    assert!(pending_round_due(&app).await.is_empty());
    // A sixth person paused before the round: they asked for no matching and hear nothing about it.
    let j4 = "U0JUNIOR4";
    app.fake.add_user(j4, "Jun Four", "Europe/Paris");
    joined(
        &app,
        j4,
        &answers(Role::Associate, 2, &["ai_drafting"], &["negotiation"]),
    )
    .await;
    app.driver.command(j4, "pause").await;
    settle(&app).await;

    // Approved on Sunday: the note waits for Monday, 10:00 in Chicago.
    assert_eq!(approve_round(&app, ADMIN).await, 2);
    settle(&app).await;
    assert_eq!(
        notes_due(&app).await,
        vec![at("2026-03-02T16:00:00Z").timestamp()]
    );
    deliver_notes(&app, &clock).await;
    let notes = notes_to(&app, J3);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].contains("a program admin will be in touch") && !notes[0].contains("<!date"),
        "{}",
        notes[0]
    );
    assert!(notes_to(&app, j4).is_empty(), "a paused person is not told");
    let status = status_text(&app.driver.command(J3, "status").await);
    assert!(
        status.contains("Rounds are started by the program admins.")
            && !status.contains("next matching round"),
        "{status}"
    );
    app.driver
        .event(
            "EvHomeJ3",
            tandem::sandbox::driver::app_home_opened(J3),
            None,
        )
        .await;
    settle(&app).await;
    let home = app.fake.home_of(J3).unwrap().to_string();
    assert!(
        home.contains("Rounds are started by the program admins."),
        "{home}"
    );

    // Someone whose partner leaves is not promised a round that is not scheduled.
    app.driver.command(S2, "leave").await;
    app.driver.click(S2, "leave_confirm", "leave", None).await;
    settle(&app).await;
    let told = app.fake.dms_to(J2).pop().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        told.contains("Your Tandem pair has left")
            && told.contains("when the program admins next run matching")
            && !told.contains("next matching round"),
        "{told}"
    );
}

#[tokio::test]
async fn a_second_round_after_a_pair_ends_matches_the_free_and_never_repeats_a_pair() {
    let (app, clock) = program(Some(CRON)).await;
    clock.set(at("2026-03-02T00:30:00Z"));
    run_jobs(&app).await;
    clock.set(at("2026-03-02T08:00:00Z"));
    assert!(
        waiting_reasons(&app).await.is_empty(),
        "nothing before an approval"
    );
    approve(&app, ADMIN).await;
    // The approval recorded why J3 waits (the report counts it), and nothing for the four it paired.
    assert_eq!(
        waiting_reasons(&app).await,
        vec![(J3.to_string(), "partners_taken_elsewhere".to_string(), 1)]
    );
    deliver_notes(&app, &clock).await;
    assert_eq!(notes_to(&app, J3).len(), 1);
    // J1 ends their pair with S1 on Thursday; both are free again, and J3 still waits.
    clock.set(at("2026-03-05T12:00:00Z"));
    app.driver.command(J1, "end").await;
    settle(&app).await;
    let status = status_text(&app.driver.command(J1, "status").await);
    assert!(status.contains("waiting to be paired"), "{status}");

    clock.set(at("2026-03-09T00:30:00Z"));
    run_jobs(&app).await;
    let (_, _, blocks) = review_of(&app, ADMIN).expect("the second round's review");
    let text = blocks.to_string();
    assert!(text.contains("Matching proposal #2"), "{text}");
    assert!(
        text.contains("proposed from 3 people"),
        "J1, S1 and J3 are free; J2 and S2 are still paired: {text}"
    );
    clock.set(at("2026-03-09T08:00:00Z"));
    approve(&app, ADMIN).await;
    let made = pairs(&app).await;
    let round2: Vec<(&str, &str)> = made
        .iter()
        .filter(|p| p.3 == 2)
        .map(|(j, s, _, _)| (j.as_str(), s.as_str()))
        .collect();
    assert_eq!(round2, vec![(J3, S1)], "S1 gets J3, not J1 again");
    // J3's old reason went when round 2 paired them; J1's is round 2's.
    assert_eq!(
        waiting_reasons(&app).await,
        vec![(J1.to_string(), "only_blocked_partners".to_string(), 2)]
    );
    // J1's own data says why they wait (words meant for the admins, about them; system text, no one else's data).
    app.driver.command(J1, "mydata").await;
    settle(&app).await;
    let summary = app
        .fake
        .dms_to(J1)
        .into_iter()
        .find(|m| m.to_string().contains("Everything Tandem holds about you"))
        .expect("the subject-access summary")
        .to_string();
    assert!(
        summary
            .contains("Why the last matching round left you out: everyone suitable is ruled out"),
        "{summary}"
    );
    let file: Value = app
        .fake
        .uploaded_files()
        .into_iter()
        .find_map(|(_, bytes)| serde_json::from_slice::<Value>(&bytes).ok())
        .expect("the JSON file");
    assert_eq!(
        file["profile"]["waiting_reason"],
        "everyone suitable is ruled out (reports to / earlier pair / exclusion / removed)"
    );
    // J1's note: 10:00 in London that Monday.
    assert_eq!(
        notes_due(&app).await,
        vec![at("2026-03-09T10:00:00Z").timestamp()]
    );
    deliver_notes(&app, &clock).await;
    let mut seen = std::collections::BTreeSet::new();
    for (j, s, _, _) in &made {
        assert!(
            seen.insert((j.clone(), s.clone())),
            "{j} and {s} were paired twice"
        );
    }
    // J1 waits, and is told why without any admin's wording; J3, left out last time, is told nothing now.
    let notes = notes_to(&app, J1);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("you have been paired before"),
        "{}",
        notes[0]
    );
    let next = at("2026-03-16T00:30:00Z").timestamp();
    assert!(
        notes[0].contains(&format!(
            "<!date^{next}^{{date_long}}|Monday 16 March 2026>"
        )),
        "J1 is in London: {}",
        notes[0]
    );
    assert_eq!(notes_to(&app, J3).len(), 1, "only round 1's note");
}

#[tokio::test]
async fn a_scheduled_round_never_opens_a_second_proposal_and_one_missed_while_down_runs_once() {
    let (app, clock) = program(Some(CRON)).await;
    // An admin asks for a round on Sunday and leaves it open.
    clock.set(at("2026-03-01T12:00:00Z"));
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    assert_eq!(proposals(&app).await, vec![(1, "open".to_string())]);
    let before = posted_to_participants(&app);

    clock.set(at("2026-03-02T00:30:00Z"));
    run_jobs(&app).await;
    assert_eq!(
        proposals(&app).await,
        vec![(1, "open".to_string())],
        "no second proposal"
    );
    for admin in [ADMIN, ADMIN2] {
        let last = app.fake.dms_to(admin).pop().unwrap();
        let text = last["text"].as_str().unwrap();
        assert!(
            text.contains("did not start: proposal #1") && text.contains("waiting for review"),
            "{admin}: {text}"
        );
    }
    assert_eq!(posted_to_participants(&app), before);
    assert_eq!(
        pending_round_due(&app).await,
        vec![at("2026-03-09T00:30:00Z").timestamp()]
    );

    // The admin discards it; Tandem is down from 3 to 25 March (three scheduled rounds missed), then starts again.
    let (channel, ts, blocks) = review_of(&app, ADMIN).unwrap();
    app.driver
        .click(
            ADMIN,
            "proposal_discard",
            &button_value(&blocks, "proposal_discard"),
            Some((&channel, &ts)),
        )
        .await;
    settle(&app).await;
    clock.set(at("2026-03-25T12:00:00Z"));
    let TestApp { sandbox, dir, pg } = app;
    let sandbox = sandbox.restart().await.unwrap();
    let app = TestApp { sandbox, dir, pg };
    run_jobs(&app).await;
    // (PostgreSQL's ids may skip: a round refused while #1 was open used one.)
    let statuses: Vec<String> = proposals(&app).await.into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        statuses,
        vec!["discarded", "open"],
        "the missed round runs once"
    );
    // The next is Monday 30 March 00:30 in London, which is on British Summer Time by then.
    assert_eq!(
        pending_round_due(&app).await,
        vec![at("2026-03-29T23:30:00Z").timestamp()]
    );
    assert_eq!(posted_to_participants(&app), before);
}

#[tokio::test]
async fn someone_who_leaves_before_their_note_is_sent_gets_none_and_leaves_no_trace_in_it() {
    // No worker loop: the approval's jobs wait until the test runs them.
    let (app, _clock) = program_with(None, tandem::startup::WorkerMode::Manual).await;
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    let (channel, ts, blocks) = review_of(&app, ADMIN).unwrap();
    app.driver
        .click(
            ADMIN,
            "proposal_approve",
            &button_value(&blocks, "proposal_approve"),
            Some((&channel, &ts)),
        )
        .await;
    app.app().background_idle().await;
    let cells = cells_containing(&app, J3).await;
    assert!(
        cells.contains(&"jobs.payload".to_string()) && cells.contains(&"jobs.key".to_string()),
        "J3's note is queued: {cells:?}"
    );
    app.driver.command(J3, "leave").await;
    app.driver.click(J3, "leave_confirm", "leave", None).await;
    app.app().background_idle().await;
    let note: (String, String, Option<String>) =
        tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
            "SELECT state, payload, key FROM jobs WHERE kind = 'unmatched_note'"
        )
        .fetch_one(p)
        .await)
        .unwrap();
    assert_eq!(note, ("cancelled".into(), "{}".into(), None));
    settle(&app).await;
    assert!(notes_to(&app, J3).is_empty());
    assert_eq!(
        cells_containing_except(&app, J3, &["audit_log"]).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_note_whose_day_passed_while_tandem_was_down_waits_for_a_working_day_and_one_a_week_late_is_dropped()
 {
    // Approved on Sunday 1 March: J3's note is due on Monday 2 March, 10:00 in Chicago (16:00 UTC).
    let (app, clock) = program(None).await;
    assert_eq!(approve_round(&app, ADMIN).await, 2);
    settle(&app).await;
    assert_eq!(
        notes_due(&app).await,
        vec![at("2026-03-02T16:00:00Z").timestamp()]
    );
    // Tandem is down until Saturday 7 March: the note does not go out on a Saturday but on Monday 9 March, 10:00 in
    // Chicago — on summer time since the 8th, so 15:00 UTC.
    clock.set(at("2026-03-07T12:00:00Z"));
    let stats = settle(&app).await;
    assert_eq!((stats.deferred, stats.dropped), (1, 0), "{stats:?}");
    assert!(notes_to(&app, J3).is_empty(), "not on a Saturday");
    assert_eq!(
        notes_due(&app).await,
        vec![at("2026-03-09T15:00:00Z").timestamp()]
    );
    clock.set(at("2026-03-09T15:00:00Z"));
    settle(&app).await;
    assert_eq!(notes_to(&app, J3).len(), 1);

    // Down until Tuesday 10 March instead: a week after its time the round is old news, and the note is dropped.
    let (app, clock) = program(None).await;
    assert_eq!(approve_round(&app, ADMIN).await, 2);
    settle(&app).await;
    clock.set(at("2026-03-10T12:00:00Z"));
    let stats = settle(&app).await;
    assert_eq!((stats.deferred, stats.dropped), (0, 1), "{stats:?}");
    assert!(notes_to(&app, J3).is_empty());
    let reason: String = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT last_error FROM jobs WHERE kind = 'unmatched_note' AND state = 'cancelled'",
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(
        reason,
        "dropped: 7 days late (a note to someone a round left out goes out at most 7 days late)"
    );
}
