//! Data protection: a deactivated Slack account departs (pair ended, partner told kindly, data deleted), by the
//! `user_change` event or, as a fallback, when a job is about to message them.

use crate::common::*;
use serde_json::Value;
use tandem::domain::matching::Role;
use tandem::sandbox::driver::user_deactivated;

/// Only the test runs jobs, so a deactivation can come between a decision and its messages.
async fn manual() -> TestApp {
    spawn_with(|o| o.app.worker = tandem::startup::WorkerMode::Manual).await
}

/// Alice (associate) and Bob (partner) enrolled and paired; returns the app and the pair's ID.
async fn paired() -> (TestApp, i64) {
    let app = manual().await;
    joined(
        &app,
        ALICE,
        &answers(Role::Associate, 3, &["ediscovery"], &["negotiation"]),
    )
    .await;
    joined(
        &app,
        BOB,
        &answers(Role::Partner, 30, &["negotiation"], &["ediscovery"]),
    )
    .await;
    let pair = app
        .app()
        .store()
        .create_pair(ALICE, BOB, app.app().now())
        .await
        .unwrap();
    (app, pair)
}

async fn pair_status(app: &TestApp, pair: i64) -> String {
    sqlx::query_scalar("SELECT status FROM pairs WHERE id = ?")
        .bind(pair)
        .fetch_one(app.app().store().pool())
        .await
        .unwrap()
}

fn texts(messages: Vec<Value>) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The pair ended, Bob got one kind note without a reason, Alice's ID is nowhere, nothing was posted to her.
async fn assert_alice_departed(app: &TestApp, pair: i64, posts_to_alice_before: usize) {
    assert_eq!(pair_status(app, pair).await, "ended");
    let to_bob = texts(app.fake.dms_to(BOB));
    let notes: Vec<&String> = to_bob
        .iter()
        .filter(|t| t.contains("partner has left"))
        .collect();
    assert_eq!(notes.len(), 1, "one note to Bob: {to_bob:?}");
    for word in ["deactivat", "because", "left the firm", "Alice"] {
        assert!(
            !notes[0].contains(word),
            "the note gives no reason: {}",
            notes[0]
        );
    }
    assert_eq!(
        cells_containing(app, ALICE).await,
        Vec::<String>::new(),
        "Alice's ID remains somewhere"
    );
    assert!(
        app.app()
            .store()
            .participant(ALICE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.app().store().participant(BOB).await.unwrap().is_some());
    assert_eq!(
        app.fake.dms_to(ALICE).len(),
        posts_to_alice_before,
        "nothing more reached Alice"
    );
}

#[tokio::test]
async fn a_deactivated_account_departs_on_the_user_change_event_once() {
    let (app, pair) = paired().await;
    let before = app.fake.dms_to(ALICE).len();
    app.fake.deactivate_user(ALICE);
    let r = app
        .driver
        .event("EvGone", user_deactivated(ALICE), None)
        .await;
    assert_eq!(r.status, 200);
    settle(&app).await;
    assert_alice_departed(&app, pair, before).await;

    // The same event again (a Slack retry), and a second event for the same account: no second effect.
    let calls = app.fake.call_count();
    let events = count(&app, "handled_events").await;
    let r = app
        .driver
        .event("EvGone", user_deactivated(ALICE), Some(1))
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .driver
        .event("EvGone2", user_deactivated(ALICE), None)
        .await;
    assert_eq!(r.status, 200);
    settle(&app).await;
    assert_eq!(app.fake.call_count(), calls, "no Slack call for a repeat");
    assert_eq!(count(&app, "handled_events").await, events + 1);
    assert_alice_departed(&app, pair, before).await;

    // A profile change that is not a deactivation changes nothing.
    let r = app
        .driver
        .event(
            "EvRename",
            serde_json::json!({"type": "user_change", "user": {"id": BOB, "deleted": false}}),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    settle(&app).await;
    assert!(app.app().store().participant(BOB).await.unwrap().is_some());
}

#[tokio::test]
async fn a_job_about_to_message_a_deactivated_account_departs_them_instead() {
    let (app, pair) = paired().await;
    let before = app.fake.dms_to(ALICE).len();
    let posts_to_alice = || {
        app.fake
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.body["channel"] == ALICE)
            .count()
    };
    let posts_before = posts_to_alice();
    // No event arrives (missed while Tandem was down); a message to Alice is due.
    app.fake.deactivate_user(ALICE);
    let mut tx = app.app().store().write().await.unwrap();
    let dm = tandem::flows::delivery::text_message(ALICE, "A reminder for Alice");
    tandem::flows::delivery::queue_message(&mut tx, &dm, None, app.app().now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stats = run_jobs(&app).await;
    assert_eq!((stats.retried, stats.failed), (0, 0));
    assert_eq!(
        posts_to_alice(),
        posts_before,
        "Tandem checked users.info before posting, and did not post"
    );
    assert!(
        app.fake
            .ok_calls_to("users.info")
            .iter()
            .any(|c| c.body["user"] == ALICE)
    );
    assert_alice_departed(&app, pair, before).await;
}

#[tokio::test]
async fn a_welcome_for_an_account_deactivated_meanwhile_deletes_the_answers() {
    let app = manual().await;
    let r = join(
        &app,
        ALICE,
        &answers(Role::Associate, 3, &["ediscovery"], &["negotiation"]),
    )
    .await;
    assert_eq!(r.status, 200);
    app.fake.deactivate_user(ALICE);
    settle(&app).await;
    assert!(app.fake.dms_to(ALICE).is_empty(), "no welcome DM");
    assert_eq!(cells_containing(&app, ALICE).await, Vec::<String>::new());
}
