//! Issue 3: opt-in with a survey modal, validation, privacy, pause/resume, leave-with-deletion, Home tab.

use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use tandem::context::clock::Clock;
use tandem::domain::catalog::Catalog;
use tandem::domain::forms::survey::Answers;
use tandem::domain::forms::survey_values::survey_values;
use tandem::domain::matching::Role;
use tandem::domain::schedule::Cadence;
use tandem::sandbox::Fault;
use tandem::views::limits::check_view;

const NOTE: &str = "ZEBRA-PRIVATE-NOTE: mornings only";

fn answers() -> Answers {
    Answers {
        role: Role::JuniorAssociate,
        years: 2,
        practice_group: "Litigation and disputes".into(),
        teach: vec!["ai_drafting".into(), "ediscovery".into()],
        learn: vec!["client_management".into(), "firm_culture".into()],
        hours_per_month: 2,
        cadence: Cadence::Biweekly,
        reports_to: Some(BOB.into()),
    }
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
        .unwrap()
        .to_utc()
}

async fn manual_clock_app() -> (TestApp, Clock) {
    let clock = Clock::manual(start());
    let c = clock.clone();
    (spawn_with(move |o| o.app.clock = c).await, clock)
}

#[tokio::test]
async fn join_opens_the_survey_and_a_submission_enrols_with_dm_home_and_time_zone() {
    let app = spawn().await;
    let r = app.driver.command(ALICE, "join").await;
    assert_eq!(r.status, 200);
    let open = app.fake.ok_calls_to("views.open");
    assert_eq!(open.len(), 1, "{:?}", app.fake.calls_to("views.open"));
    let view = &open[0].body["view"];
    assert_eq!(check_view(view), Vec::<String>::new());
    assert!(view["title"]["text"].as_str().unwrap().chars().count() <= 24);
    assert!(view.get("submit").is_some());
    assert!(view["blocks"].as_array().unwrap().len() <= 100);

    let modal = app.fake.last_modal_for(ALICE).unwrap();
    let r = app
        .driver
        .submit_view(
            ALICE,
            &modal,
            survey_values(&answers(), &Catalog::default(), true),
        )
        .await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    let stored = app
        .app()
        .store()
        .participant(ALICE)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.answers, answers());

    settle(&app).await;
    assert_eq!(app.fake.ok_calls_to("users.info")[0].body["user"], ALICE);
    assert_eq!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .unwrap()
            .tz,
        "Europe/London"
    );
    let dm = app.fake.ok_calls_to("chat.postMessage");
    assert_eq!(dm.len(), 1);
    assert_eq!(dm[0].body["channel"], ALICE);
    let text = dm[0].body["text"].as_str().unwrap();
    assert!(
        text.contains("Thank you for joining")
            && text.contains("AI-assisted drafting")
            && text.contains("What happens next"),
        "{text}"
    );
    let home = app.fake.home_of(ALICE).expect("home published");
    assert!(
        home.to_string().contains("waiting to be paired")
            && home
                .to_string()
                .contains("Rounds are started by the program admins.")
    );
    assert_eq!(
        count(&app, "survey_views").await,
        0,
        "a used modal is forgotten"
    );
}

#[tokio::test]
async fn the_survey_collects_no_free_text_and_a_note_from_an_older_form_is_not_kept() {
    let app = spawn().await;
    app.driver.command(ALICE, "join").await;
    let modal = app.fake.last_modal_for(ALICE).unwrap();
    let form = modal.to_string();
    assert!(
        !form.contains("plain_text_input") && !form.contains("\"note\""),
        "the survey has no free-text field: {form}"
    );
    // A survey opened before the note was dropped still sends one: the answers are saved, the note is not.
    let mut values = survey_values(&answers(), &Catalog::default(), true);
    values["note"] = json!({ "value": { "type": "plain_text_input", "value": NOTE } });
    let r = app.driver.submit_view(ALICE, &modal, values).await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    settle(&app).await;
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        cells_containing(&app, "ZEBRA-PRIVATE-NOTE").await,
        Vec::<String>::new()
    );
    app.driver.command(ALICE, "mydata").await;
    settle(&app).await;
    let file = app.fake.uploaded_files();
    assert_eq!(file.len(), 1, "the mydata file");
    let everything = format!(
        "{}{}",
        String::from_utf8_lossy(&file[0].1),
        serde_json::to_string(&app.fake.dms_to(ALICE)).unwrap()
    );
    assert!(everything.contains("Your survey answers") || everything.contains("profile"));
    assert!(!everything.contains("ZEBRA-PRIVATE-NOTE") && !everything.contains("\"note\""));
}

#[tokio::test]
async fn validation_errors_come_back_on_the_right_block_and_store_nothing() {
    let app = spawn().await;
    app.driver.command(ALICE, "join").await;
    let modal = app.fake.last_modal_for(ALICE).unwrap();
    let r = app
        .driver
        .submit_view(
            ALICE,
            &modal,
            survey_values(&answers(), &Catalog::default(), false),
        )
        .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["response_action"], "errors");
    assert_eq!(
        body["errors"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["confirm"]
    );

    let mut no_skills = answers();
    no_skills.teach.clear();
    let r = app
        .driver
        .submit_view(
            ALICE,
            &modal,
            survey_values(&no_skills, &Catalog::default(), true),
        )
        .await;
    assert!(
        r.json()["errors"]["teach"]
            .as_str()
            .unwrap()
            .contains("at least one skill")
    );

    let mut values = survey_values(&answers(), &Catalog::default(), true);
    values["years"]["value"]["value"] = json!("71");
    let r = app.driver.submit_view(ALICE, &modal, values).await;
    assert!(r.json()["errors"]["years"].is_string());
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_none()
    );

    // The same modal can still be submitted once the answers are right.
    let r = app
        .driver
        .submit_view(
            ALICE,
            &modal,
            survey_values(&answers(), &Catalog::default(), true),
        )
        .await;
    assert_eq!(r.body, "");
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn tampered_submissions_are_refused() {
    let app = spawn().await;
    app.driver.command(ALICE, "join").await;
    let modal = app.fake.last_modal_for(ALICE).unwrap();
    let good = survey_values(&answers(), &Catalog::default(), true);

    // Another user submitting Alice's modal.
    let r = app.driver.submit_view(BOB, &modal, good.clone()).await;
    assert_eq!(r.json()["response_action"], "errors");
    // Alice's modal with forged private_metadata.
    let mut forged = modal.clone();
    forged["private_metadata"] = json!("guess");
    assert_eq!(
        app.driver
            .submit_view(ALICE, &forged, good.clone())
            .await
            .json()["response_action"],
        "errors"
    );
    // A view Tandem never opened.
    let mut other = modal.clone();
    other["id"] = json!("V0FORGED");
    assert_eq!(
        app.driver
            .submit_view(ALICE, &other, good.clone())
            .await
            .json()["response_action"],
        "errors"
    );
    // A skill that is not in the catalog.
    let mut values = good.clone();
    values["teach"]["value"]["selected_options"][0] =
        json!({"text": {"type": "plain_text", "text": "x"}, "value": "drop_tables"});
    assert!(
        app.driver.submit_view(ALICE, &modal, values).await.json()["errors"]["teach"]
            .as_str()
            .unwrap()
            .contains("catalog")
    );

    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.app().store().participant(BOB).await.unwrap().is_none());
}

#[tokio::test]
async fn profile_reopens_the_survey_prefilled_and_an_edit_updates_in_place() {
    let app = spawn().await;
    joined(&app, ALICE, &answers()).await;
    let r = app.driver.command(ALICE, "profile").await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    let modal = app.fake.last_modal_for(ALICE).unwrap();
    assert_eq!(modal["title"]["text"], "Edit my answers");
    let b = &modal["blocks"];
    assert_eq!(
        b[1]["element"]["initial_option"]["value"],
        "junior_associate"
    );
    assert_eq!(b[2]["element"]["initial_value"], "2");
    assert_eq!(
        b[4]["element"]["initial_options"].as_array().unwrap().len(),
        2
    );
    assert_eq!(b[8]["element"]["initial_user"], BOB);
    let mut changed = answers();
    changed.learn = vec!["negotiation".into()];
    let r = app
        .driver
        .submit_view(
            ALICE,
            &modal,
            survey_values(&changed, &Catalog::default(), true),
        )
        .await;
    assert_eq!(r.body, "");
    settle(&app).await;
    assert_eq!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .unwrap()
            .answers
            .learn,
        vec!["negotiation"]
    );
    let dms = app.fake.ok_calls_to("chat.postMessage");
    assert!(
        dms.last().unwrap().body["text"]
            .as_str()
            .unwrap()
            .contains("Your answers are updated")
    );
}

#[tokio::test]
async fn a_modal_slack_refuses_to_open_gets_a_clear_message() {
    let app = spawn().await;
    app.fake.fail_next(
        "views.open",
        Fault::SlackError("expired_trigger_id".into()),
        1,
    );
    let r = app.driver.command(ALICE, "join").await;
    assert_eq!(r.json()["response_type"], "ephemeral");
    assert!(
        r.json()["text"]
            .as_str()
            .unwrap()
            .contains("type `/mentor join` again")
    );
}

#[tokio::test]
async fn status_shows_only_the_persons_own_standing() {
    let app = spawn().await;
    joined(&app, ALICE, &answers()).await;
    let r = app.driver.command(ALICE, "status").await.json();
    assert_eq!(r["response_type"], "ephemeral");
    let text = r["text"].as_str().unwrap();
    assert!(
        text.contains("enrolled")
            && text.contains("E-discovery")
            && text.contains("Client management"),
        "{text}"
    );
    let pair_id = app
        .app()
        .store()
        .create_pair(ALICE, BOB, start().timestamp())
        .await
        .unwrap();
    assert!(pair_id > 0);
    let text = app.driver.command(ALICE, "status").await.json()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains(&format!("paired* with <@{BOB}>")), "{text}");
    // Bob never joined: his status says so and shows nothing of Alice's.
    let bob = app.driver.command(BOB, "status").await.json()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        bob.contains("not joined") && bob.contains("/mentor join") && !bob.contains("E-discovery")
    );
}

#[tokio::test]
async fn people_who_never_joined_get_a_clear_answer_to_everything() {
    let app = spawn().await;
    for sub in ["status", "pause", "pause 2", "resume", "leave", "profile"] {
        let r = app.driver.command(BOB, sub).await;
        assert_eq!(r.status, 200, "{sub}");
        let text = r.json()["text"].as_str().unwrap().to_string();
        assert!(
            text.contains("not joined") && text.contains("/mentor join"),
            "{sub}: {text}"
        );
    }
    assert!(app.fake.ok_calls_to("views.open").is_empty());
    assert_eq!(count(&app, "participants").await, 0);
}

#[tokio::test]
async fn a_pause_with_a_length_ends_by_itself() {
    let (app, clock) = manual_clock_app().await;
    joined(&app, ALICE, &answers()).await;
    let r = app.driver.command(ALICE, "pause 2").await.json();
    assert!(r["text"].as_str().unwrap().contains("paused until"), "{r}");
    let status = |app: &TestApp| {
        let d = app.driver.clone();
        async move {
            d.command(ALICE, "status").await.json()["text"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    assert!(status(&app).await.contains("*paused* until"));
    clock.advance(Duration::days(13));
    assert!(
        status(&app).await.contains("*paused* until"),
        "still paused after 13 days"
    );
    clock.advance(Duration::days(1));
    let text = status(&app).await;
    assert!(
        !text.contains("paused") && text.contains("waiting to be paired"),
        "{text}"
    );
    let r = app.driver.command(ALICE, "pause 0").await.json();
    assert!(
        r["text"].as_str().unwrap().contains("from 1 to 52"),
        "a mistake says what to fix"
    );
}

#[tokio::test]
async fn pause_without_a_length_lasts_until_resume() {
    let (app, clock) = manual_clock_app().await;
    joined(&app, ALICE, &answers()).await;
    app.driver.command(ALICE, "pause").await;
    clock.advance(Duration::days(400));
    let p = app.app().store().participant(ALICE).await.unwrap().unwrap();
    assert!(p.is_paused(clock.now().timestamp()));
    let r = app.driver.command(ALICE, "resume").await.json();
    assert!(r["text"].as_str().unwrap().contains("active again"));
    let p = app.app().store().participant(ALICE).await.unwrap().unwrap();
    assert!(!p.is_paused(clock.now().timestamp()));
    settle(&app).await;
    assert!(
        app.fake
            .home_of(ALICE)
            .unwrap()
            .to_string()
            .contains("home_pause"),
        "Home shows Pause again"
    );
}

#[tokio::test]
async fn leave_asks_first_then_deletes_every_trace_and_tells_the_partner_kindly() {
    let admin = "U0ADMIN";
    let app = spawn_with(|o| o.admins = vec![admin.to_string()]).await;
    let carol = "U0CAROL";
    app.fake.add_user(carol, "Carol Chen", "Asia/Tokyo");
    joined(&app, ALICE, &answers()).await;
    let mut bob = answers();
    bob.role = Role::Partner;
    bob.years = 30;
    bob.teach = vec!["client_management".into()];
    bob.learn = vec!["ediscovery".into()];
    bob.reports_to = None;
    joined(&app, BOB, &bob).await;
    let mut carols = bob.clone();
    carols.reports_to = Some(ALICE.into());
    joined(&app, carol, &carols).await;
    app.app()
        .store()
        .create_pair(ALICE, BOB, start().timestamp())
        .await
        .unwrap();
    app.driver.command(ALICE, "join").await; // an open, unsubmitted modal
    // An admin's act on Alice: the exclusion goes when she leaves, its audit row stays.
    app.driver
        .command(admin, &format!("exclude <@{ALICE}> <@{carol}>"))
        .await;
    assert!(
        !cells_containing(&app, ALICE).await.is_empty(),
        "the scan finds Alice before she leaves"
    );

    let r = app.driver.command(ALICE, "leave").await.json();
    assert_eq!(r["blocks"][1]["elements"][0]["action_id"], "leave_confirm");
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_some(),
        "nothing is deleted before the click"
    );

    let r = app
        .driver
        .click(ALICE, "leave_confirm", "leave", None)
        .await;
    assert_eq!(r.status, 200);
    settle(&app).await;
    assert!(
        app.fake.responses().last().unwrap()["text"]
            .as_str()
            .unwrap()
            .contains("You have left Tandem")
    );
    // The audit log is the one documented exception (README, "Data protection"): it records the admin's act
    // ("excluded Alice and Carol"), not Alice's answers, so leaving does not delete it. Every other table is scanned.
    assert_eq!(
        cells_containing_except(&app, ALICE, &["audit_log"]).await,
        Vec::<String>::new(),
        "Alice's ID remains somewhere"
    );
    let audited: Vec<(String, Option<String>, Option<String>, String)> = tandem::on_db!(
        app.app().store().pool(),
        |p| sqlx::query_as("SELECT action, subject, other, detail FROM audit_log")
            .fetch_all(p)
            .await
    )
    .unwrap();
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert_eq!(audited[0].0, "exclude");
    assert!(
        [&audited[0].1, &audited[0].2].contains(&&Some(ALICE.to_string())),
        "the audit row still names the person the admin acted on: {audited:?}"
    );

    let to_bob: Vec<Value> = app
        .fake
        .ok_calls_to("chat.postMessage")
        .into_iter()
        .map(|c| c.body)
        .filter(|b| b["channel"] == BOB)
        .collect();
    let last = to_bob.last().unwrap()["text"].as_str().unwrap();
    assert!(
        last.contains("Your Tandem pair has left") && !last.contains("Alice"),
        "{last}"
    );
    assert!(
        app.app().store().current_pair(BOB).await.unwrap().is_none(),
        "the pair has ended"
    );
    let left: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM program_events WHERE kind = 'left'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(left, 1, "an anonymous count remains");
    assert!(
        app.fake
            .home_of(ALICE)
            .unwrap()
            .to_string()
            .contains("home_join"),
        "Alice's Home offers Join again"
    );
}

#[tokio::test]
async fn cancelling_leave_changes_nothing() {
    let app = spawn().await;
    joined(&app, ALICE, &answers()).await;
    app.driver.command(ALICE, "leave").await;
    app.driver
        .click(ALICE, "leave_cancel", "cancel", None)
        .await;
    settle(&app).await;
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        app.fake.responses().last().unwrap()["text"]
            .as_str()
            .unwrap()
            .contains("still in Tandem")
    );
}

#[tokio::test]
async fn home_tab_buttons_use_the_same_handlers_as_the_commands() {
    let (app, clock) = manual_clock_app().await;
    app.driver
        .event("EvH", tandem::sandbox::driver::app_home_opened(ALICE), None)
        .await;
    settle(&app).await;
    assert!(
        app.fake
            .home_of(ALICE)
            .unwrap()
            .to_string()
            .contains("home_join")
    );

    app.driver.click(ALICE, "home_join", "join", None).await;
    let modal = app
        .fake
        .last_modal_for(ALICE)
        .expect("Join opens the survey");
    app.driver
        .submit_view(
            ALICE,
            &modal,
            survey_values(&answers(), &Catalog::default(), true),
        )
        .await;
    settle(&app).await;
    let home = app.fake.home_of(ALICE).unwrap().to_string();
    assert!(
        home.contains("home_edit") && home.contains("home_pause") && home.contains("home_leave")
    );

    app.driver.click(ALICE, "home_edit", "edit", None).await;
    assert_eq!(
        app.fake.last_modal_for(ALICE).unwrap()["title"]["text"],
        "Edit my answers"
    );

    app.driver.click(ALICE, "home_pause", "pause", None).await;
    settle(&app).await;
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .unwrap()
            .is_paused(clock.now().timestamp())
    );
    assert!(
        app.fake
            .home_of(ALICE)
            .unwrap()
            .to_string()
            .contains("home_resume")
    );

    app.driver.click(ALICE, "home_resume", "resume", None).await;
    settle(&app).await;
    assert!(
        !app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .unwrap()
            .is_paused(clock.now().timestamp())
    );

    app.driver.click(ALICE, "home_leave", "leave", None).await;
    settle(&app).await;
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.fake
            .home_of(ALICE)
            .unwrap()
            .to_string()
            .contains("home_join")
    );
}
