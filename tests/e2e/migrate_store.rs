//! `tandem migrate-store` (issue 15, point 5): the demo's SQLite database moves to a fresh PostgreSQL database with
//! every table's count identical, `tandem report` prints the same summary from both, copied ids and rowids are kept
//! and new rows get fresh ones; a target with data, another application's database and a source with pending
//! migrations are refused before anything is written. These need a PostgreSQL server: without
//! `TANDEM_TEST_DATABASE_URL` each test prints a line saying it is skipped and passes.

use std::collections::BTreeMap;
use std::process::{Command, Output};
use tandem::demo::{DemoOptions, run};
use tandem::outbound::store::Store;
use tandem::outbound::store::scratch::{ScratchDatabase, TEST_DATABASE_ENV, test_server};

/// The PostgreSQL server to copy into, or `None` after printing that the test is skipped.
fn server(test: &str) -> Option<String> {
    let server = test_server();
    if server.is_none() {
        eprintln!(
            "migrate_store::{test}: skipped: {TEST_DATABASE_ENV} is not set (export {TEST_DATABASE_ENV}=\"$(scripts/pg-test-server.sh start)\" to run it)"
        );
    }
    server
}

/// `url` with a password in it (the test server trusts loopback, so any password is accepted): it must never be
/// printed.
const PASSWORD: &str = "n0t-shown-pw";
fn with_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    match rest.split_once('@') {
        Some((user, host)) if !user.contains(':') => format!("{scheme}://{user}:{PASSWORD}@{host}"),
        _ => url.to_string(),
    }
}

fn tandem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(args)
        .output()
        .expect("tandem runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every table's row count but sqlx's own record.
async fn counts(url: &str) -> BTreeMap<String, i64> {
    let store = Store::open_read_only(url).await.expect("opens");
    let counts = store.table_counts().await.expect("counts");
    store.close().await;
    counts
        .into_iter()
        .filter(|(t, _)| t != "_sqlx_migrations")
        .collect()
}

async fn scalar(store: &Store, sql: &'static str) -> i64 {
    tandem::on_db!(store.pool(), |p| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(p)
        .await
        .expect(sql))
}

async fn rows(store: &Store, sql: &'static str) -> Vec<(i64, i64, Option<String>, String)> {
    tandem::on_db!(store.pool(), |p| sqlx::query_as(sql)
        .fetch_all(p)
        .await
        .expect(sql))
}

#[tokio::test]
async fn the_demo_moves_to_postgres_with_every_count_identical_and_the_same_report() {
    let Some(server) = server("the_demo_moves_to_postgres") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.db");
    let options = DemoOptions {
        db: Some(file.clone()),
        seed: 42,
        people: 12,
        weeks: 6,
        quiet: true,
        full: false,
        pool: None,
    };
    let mut printed = Vec::new();
    let outcome = run(&options, &mut printed).await.expect("the demo plays");
    let printed = text(&printed);
    let as_of = printed
        .lines()
        .find_map(|l| l.split("--as-of ").nth(1))
        .expect("the demo prints its end")
        .trim()
        .to_string();
    let source = format!("sqlite://{}", file.display());
    let target = ScratchDatabase::create(&server).await.unwrap();
    let to = with_password(&target.url);

    let out = tandem(&["migrate-store", "--from", &source, "--to", &to]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "a password was printed:\n{stdout}\n{stderr}"
    );
    let before = counts(&source).await;
    let after = counts(&target.url).await;
    assert_eq!(before, after, "every table's count is identical");
    assert!(before["pairs"] > 0 && before["checkin_answers"] > 0 && before["jobs"] > 0);
    // A progress line per table (stderr) and a line per table in the printed table of counts (stdout).
    for (table, n) in &before {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(&format!("] {table}: {n} row(s)"))),
            "no progress line for {table}:\n{stderr}"
        );
        assert!(
            stdout.lines().any(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                cells == [table.as_str(), &n.to_string(), &n.to_string()]
            }),
            "no count line for {table}:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("Verified: every table's row count is identical"),
        "{stdout}"
    );

    // The same summary from both databases, as of the demo's end.
    let report = |db: &str| tandem(&["report", "--db", db, "--as-of", &as_of]);
    let from_file = report(&source);
    let from_pg = report(&to);
    assert!(from_pg.status.success(), "{}", text(&from_pg.stderr));
    assert_eq!(text(&from_pg.stdout), text(&from_file.stdout));
    assert_eq!(text(&from_pg.stdout).trim_end(), outcome.summary.trim_end());

    // Ids and SQLite's hidden rowids are copied as they were; new rows get fresh ones (the sequences moved).
    let src = Store::open_read_only(&source).await.unwrap();
    let dst = Store::open(&target.url).await.unwrap();
    let answers = "SELECT rowid, checkin_id, user_id, answer FROM checkin_answers ORDER BY rowid";
    assert_eq!(rows(&src, answers).await, rows(&dst, answers).await);
    let jobs = "SELECT id, due_at, key, payload FROM jobs ORDER BY id";
    assert_eq!(rows(&src, jobs).await, rows(&dst, jobs).await);
    let max_audit = scalar(&src, "SELECT MAX(id) FROM audit_log").await;
    let max_event = scalar(&src, "SELECT MAX(id) FROM program_events").await;
    let max_answer = scalar(&src, "SELECT MAX(rowid) FROM checkin_answers").await;
    let new_audit = scalar(
        &dst,
        "INSERT INTO audit_log (at, actor, action) VALUES (1, 'U0ADMIN', 'test') RETURNING id",
    )
    .await;
    let new_event = scalar(
        &dst,
        "INSERT INTO program_events (kind, at) VALUES ('joined', 1) RETURNING id",
    )
    .await;
    let new_answer = scalar(
        &dst,
        "INSERT INTO checkin_answers (checkin_id, answer, answered_at)
         SELECT MIN(id), 'met', 1 FROM checkins RETURNING rowid",
    )
    .await;
    assert_eq!(new_audit, max_audit + 1);
    assert_eq!(new_event, max_event + 1);
    assert_eq!(new_answer, max_answer + 1);
    src.close().await;
    dst.close().await;

    // Run again: the target now holds the program, so the copy is refused and nothing changes.
    let again = tandem(&["migrate-store", "--from", &source, "--to", &to]);
    let said = text(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{said}");
    assert!(
        said.contains("already holds Tandem data") && !said.contains(PASSWORD),
        "{said}"
    );
    assert_eq!(
        counts(&target.url).await["audit_log"],
        before["audit_log"] + 1
    );
}

#[tokio::test]
async fn a_source_with_pending_migrations_and_a_target_not_empty_are_refused_before_anything_is_written()
 {
    let Some(server) = server("refusals") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tandem.db");
    let source = format!("sqlite://{}", file.display());
    // A file left at an older version: only the first migrations applied (those of the first release).
    let store = Store::open(&source).await.unwrap();
    let migrator = sqlx::migrate!("./migrations/sqlite");
    let known = migrator.iter().count();
    migrator
        .run_to(4, store.sqlite_pool().unwrap())
        .await
        .unwrap();
    assert!(known > 4);
    store.close().await;
    let target = ScratchDatabase::create(&server).await.unwrap();
    let out = tandem(&["migrate-store", "--from", &source, "--to", &target.url]);
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!(
            "needs {} migration(s); run `tandem migrate`",
            known - 4
        )),
        "{said}"
    );
    let empty = Store::open(&target.url).await.unwrap();
    assert!(
        empty.table_names().await.unwrap().is_empty(),
        "the target was not touched"
    );

    // Migrated, the file copies.
    let store = Store::open(&source).await.unwrap();
    assert_eq!(store.migrate().await.unwrap(), known - 4);
    tandem::on_db!(store.pool(), |p| sqlx::query(
        "INSERT INTO audit_log (at, actor, action) VALUES (1, 'U0ADMIN', 'test')"
    )
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    store.close().await;
    let out = tandem(&["migrate-store", "--from", &source, "--to", &target.url]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Another application's database is refused, and left as it was.
    let other = ScratchDatabase::create(&server).await.unwrap();
    let foreign = Store::open(&other.url).await.unwrap();
    tandem::on_db!(foreign.pool(), |p| sqlx::query(
        "CREATE TABLE invoices (id BIGINT)"
    )
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    let out = tandem(&["migrate-store", "--from", &source, "--to", &other.url]);
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("not a Tandem database (it has the table invoices)"),
        "{said}"
    );
    assert_eq!(foreign.table_names().await.unwrap(), ["invoices"]);
    foreign.close().await;
    empty.close().await;
}
