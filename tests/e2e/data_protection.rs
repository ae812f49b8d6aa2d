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
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT status FROM pairs WHERE id = $1"
    )
    .bind(pair)
    .fetch_one(p)
    .await)
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
        .filter(|t| t.contains("Your Tandem pair has left"))
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

// ---- Backups and safe file handling -------------------------------------------------------------------------

fn tandem_bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

async fn tandem_run(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || tandem_bin().args(&args).output().unwrap())
        .await
        .unwrap()
}

/// Runs `tandem ARGS` and asserts that it succeeded (showing its stderr if not).
async fn tandem_ok(args: &[&str]) -> std::process::Output {
    let out = tandem_run(args.iter().map(|a| a.to_string()).collect()).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A read-only pool on a file, for checking a backup from outside Tandem.
async fn inspect(path: &std::path::Path) -> sqlx::SqlitePool {
    let o = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    sqlx::SqlitePool::connect_with(o).await.unwrap()
}

async fn scalar(pool: &sqlx::SqlitePool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

const LOAD: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_is_consistent_and_restores_with_nothing_lost() {
    // `tandem backup` and `restore` copy an SQLite file: SQLite only (PostgreSQL has pg_dump).
    let app = spawn_sqlite().await;
    let db = app.dir.path().join("tandem.db");
    let store = app.app().store().clone();
    let now = app.app().now();
    // A writer enrols people (answers and skills in one transaction each) while the backup runs.
    let (started, load_started) = tokio::sync::oneshot::channel::<()>();
    let mut started = Some(started);
    let writer = tokio::spawn(async move {
        for i in 0..LOAD {
            let mut tx = store.write().await.unwrap();
            tx.save_answers(
                &format!("U0LOAD{i:04}"),
                &answers(
                    Role::Associate,
                    3,
                    &["ediscovery", "ai_drafting"],
                    &["negotiation"],
                ),
                now,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            if i == 10
                && let Some(s) = started.take()
            {
                let _ = s.send(());
            }
            tokio::task::yield_now().await;
        }
    });
    // The backup starts once the load is under way (a signal from the writer, not a sleep).
    load_started.await.expect("the writer commits");
    let backups = tempfile::tempdir().unwrap();
    let during = backups.path().join("during.db");
    let out = tandem_ok(&[
        "backup",
        "--db",
        &db.display().to_string(),
        "--out",
        &during.display().to_string(),
    ])
    .await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("wrote ") && said.contains("participants"),
        "{said}"
    );
    writer.await.unwrap();

    let copy = inspect(&during).await;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let people = scalar(&copy, "SELECT COUNT(*) FROM participants").await;
    assert!(people <= LOAD as i64);
    eprintln!("the backup taken under load holds {people} of {LOAD} participants");
    assert_eq!(
        scalar(&copy, "SELECT COUNT(*) FROM participant_skills WHERE user_id NOT IN (SELECT user_id FROM participants)").await,
        0,
        "every skill row's participant is in the copy: a single point in time"
    );
    assert_eq!(
        scalar(&copy, "SELECT COUNT(*) FROM participant_skills").await,
        people * 3,
        "every participant in the copy has all their skills"
    );
    copy.close().await;

    // A second backup refuses to overwrite the first without --force.
    let before = std::fs::read(&during).unwrap();
    let again = tandem_run(vec![
        "backup".into(),
        "--db".into(),
        db.display().to_string(),
        "--out".into(),
        during.display().to_string(),
    ])
    .await;
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read(&during).unwrap(), before);

    // After the load (and the jobs it queued): back up, restore onto a fresh path, start Tandem on it; every table
    // holds what it held.
    settle(&app).await;
    let every_table = all_counts(&app).await;
    let after = backups.path().join("after.db");
    tandem_ok(&[
        "backup",
        "--db",
        &db.display().to_string(),
        "--out",
        &after.display().to_string(),
    ])
    .await;
    let live = count(&app, "participants").await;
    let live_skills = count(&app, "participant_skills").await;
    assert_eq!(live, LOAD as i64);
    // Restoring over the database Tandem is running on is refused.
    let busy = tandem_run(vec![
        "restore".into(),
        "--from".into(),
        after.display().to_string(),
        "--db".into(),
        db.display().to_string(),
    ])
    .await;
    assert_eq!(busy.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&busy.stderr).contains("stop it first"));
    assert_eq!(count(&app, "participants").await, live);
    drop(app);
    let restored_dir = tempfile::tempdir().unwrap();
    let restored = restored_dir.path().join("tandem.db");
    tandem_ok(&[
        "restore",
        "--from",
        &after.display().to_string(),
        "--db",
        &restored.display().to_string(),
    ])
    .await;
    let mut o = options(&restored_dir);
    o.database = restored.clone();
    let sandbox = tandem::sandbox::Sandbox::start(o)
        .await
        .expect("starts on the restored file");
    let restored_app = TestApp {
        sandbox,
        dir: restored_dir,
        pg: None,
    };
    assert_eq!(count(&restored_app, "participants").await, live);
    assert_eq!(
        count(&restored_app, "participant_skills").await,
        live_skills
    );
    assert_eq!(all_counts(&restored_app).await, every_table);
    assert!(
        restored_app
            .app()
            .store()
            .participant(&format!("U0LOAD{:04}", LOAD - 1))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn offline_commands_refuse_a_file_that_is_not_a_tandem_database_and_leave_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(
        &text,
        b"Minutes of the partners' meeting\nnothing to see here\n",
    )
    .unwrap();
    // An SQLite file that is not Tandem's.
    let other = dir.path().join("other.db");
    {
        let o = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&other)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(o).await.unwrap();
        sqlx::query("CREATE TABLE clients (name TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let backup_out = dir.path().join("copy.db");
    let export_out = dir.path().join("csv");
    for file in [&empty, &text, &other] {
        let before = std::fs::read(file).unwrap();
        let f = file.display().to_string();
        for (args, env) in [
            (vec!["report", "--db", &f], None),
            (vec!["audit", "--db", &f], None),
            (
                vec![
                    "export",
                    "--format",
                    "csv",
                    "--out",
                    export_out.to_str().unwrap(),
                    "--db",
                    &f,
                ],
                None,
            ),
            (vec!["match", "--from-db"], Some(format!("sqlite://{f}"))),
            (
                vec!["backup", "--out", backup_out.to_str().unwrap(), "--db", &f],
                None,
            ),
            (
                vec![
                    "restore",
                    "--from",
                    &f,
                    "--db",
                    dir.path().join("target.db").to_str().unwrap(),
                ],
                None,
            ),
        ] {
            let mut c = tandem_bin();
            c.args(&args);
            if let Some(url) = env {
                c.env("DATABASE_URL", url);
            }
            let out = c.output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(
                err.starts_with("tandem: error: ") && err.contains("is not a Tandem database"),
                "{args:?}: {err}"
            );
            assert_eq!(std::fs::read(file).unwrap(), before, "{args:?} changed {f}");
        }
        assert!(!backup_out.exists() && !export_out.exists());
        assert!(!dir.path().join("target.db").exists());
    }
}

/// The row count of every table.
async fn all_counts(app: &TestApp) -> std::collections::BTreeMap<String, i64> {
    let tables: Vec<String> = app.app().store().table_names().await.unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for t in tables {
        counts.insert(t.clone(), count(app, &format!("\"{t}\"")).await);
    }
    counts
}
