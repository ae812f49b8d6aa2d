use std::time::Duration;
use tandem::outbound::slack_api::RetryPolicy;
use tandem::outbound::store::scratch::{ScratchDatabase, test_server};
use tandem::sandbox::{Sandbox, SandboxOptions};
use tandem::startup::Options;

/// How long a test waits for an expected Web API call before failing.
pub const WAIT: Duration = Duration::from_secs(10);

pub const ALICE: &str = "U0ALICE";
pub const BOB: &str = "U0BOB";

/// A running sandbox, the temporary directory that holds its SQLite database (and the test's other files), and,
/// when the tests run on PostgreSQL (`TANDEM_TEST_DATABASE_URL`), the test's own PostgreSQL database instead.
pub struct TestApp {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    /// Dropped (with the database) after the sandbox.
    pub pg: Option<ScratchDatabase>,
}

impl TestApp {
    /// The URL of the test's database, as `--db` or `DATABASE_URL` takes it.
    pub fn db_url(&self) -> String {
        self.sandbox.options.url()
    }
}

impl std::ops::Deref for TestApp {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

/// Retries fast, so that tests of 5xx backoff take milliseconds (429s still wait for `Retry-After`).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        rate_limit_retries: 3,
        max_inline_wait: Duration::from_secs(5),
        server_error_retries: 2,
        backoff: Duration::from_millis(20),
        timeout: Duration::from_secs(2),
    }
}

pub fn options(dir: &tempfile::TempDir) -> SandboxOptions {
    let mut o = SandboxOptions::new(dir.path().join("tandem.db"));
    o.app = Options {
        retry: fast_retry(),
        // Tests move the clock and run due jobs themselves (`run_jobs`), so nothing runs behind their back.
        worker: tandem::startup::WorkerMode::OnWake,
        ..Options::default()
    };
    o
}

/// Starts a sandbox on a fresh database: SQLite, or a new database on the PostgreSQL server
/// `TANDEM_TEST_DATABASE_URL` names.
pub async fn spawn_with(configure: impl FnOnce(&mut SandboxOptions)) -> TestApp {
    let pg = match test_server() {
        Some(server) => Some(
            ScratchDatabase::create(&server)
                .await
                .expect("a scratch database on the test server"),
        ),
        None => None,
    };
    start(pg, configure).await
}

/// Like [`spawn_with`], always on SQLite: for tests of what only an SQLite file has (the file itself, its backup,
/// its integrity check), which run on SQLite whatever `TANDEM_TEST_DATABASE_URL` says.
pub async fn spawn_sqlite_with(configure: impl FnOnce(&mut SandboxOptions)) -> TestApp {
    start(None, configure).await
}

async fn start(
    pg: Option<ScratchDatabase>,
    configure: impl FnOnce(&mut SandboxOptions),
) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut o = options(&dir);
    o.database_url = pg.as_ref().map(|db| db.url.clone());
    configure(&mut o);
    let sandbox = Sandbox::start(o).await.expect("sandbox starts");
    sandbox
        .fake
        .add_user(ALICE, "Alice Archer", "Europe/London");
    sandbox
        .fake
        .add_user(BOB, "Bob Brennan", "America/New_York");
    TestApp { sandbox, dir, pg }
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// [`spawn`], always on SQLite (see [`spawn_sqlite_with`]).
pub async fn spawn_sqlite() -> TestApp {
    spawn_sqlite_with(|_| {}).await
}

/// Rows in a table, for "no effect" assertions.
pub async fn count(app: &TestApp, table: &str) -> i64 {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))
    )
    .fetch_one(p)
    .await)
    .expect("count")
}

/// `/mentor join` then a submission of `answers` through the modal Slack opened; returns the submission's response.
pub async fn join(
    app: &TestApp,
    user: &str,
    a: &tandem::domain::forms::survey::Answers,
) -> tandem::sandbox::DriverResponse {
    let r = app.driver.command(user, "join").await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, ""),
        "join answers with an empty 200 once the modal is open"
    );
    let modal = app
        .fake
        .last_modal_for(user)
        .expect("a modal was opened for the user");
    let values = tandem::domain::forms::survey_values::survey_values(
        a,
        &tandem::domain::catalog::Catalog::default(),
        true,
    );
    app.driver.submit_view(user, &modal, values).await
}

/// Enrols `user` with `answers` and waits for the follow-up (DM, Home tab).
pub async fn joined(app: &TestApp, user: &str, a: &tandem::domain::forms::survey::Answers) {
    let r = join(app, user, a).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, ""),
        "a valid survey closes the modal"
    );
    settle(app).await;
}

/// Survey answers for a test person.
pub fn answers(
    role: tandem::domain::matching::Role,
    years: u8,
    teach: &[&str],
    learn: &[&str],
) -> tandem::domain::forms::survey::Answers {
    tandem::domain::forms::survey::Answers {
        role,
        years,
        practice_group: "Tax".into(),
        teach: teach.iter().map(|s| s.to_string()).collect(),
        learn: learn.iter().map(|s| s.to_string()).collect(),
        hours_per_month: 2,
        cadence: tandem::domain::schedule::Cadence::Biweekly,
        reports_to: None,
    }
}

/// Runs every job due by the app's clock (and what they queue for now), then waits for the background work.
pub async fn run_jobs(app: &TestApp) -> tandem::jobs::worker::RunStats {
    settle(app).await
}

/// The buttons' action IDs and values in a message's or view's blocks.
pub fn button_value(blocks: &serde_json::Value, action_id: &str) -> String {
    blocks
        .as_array()
        .expect("blocks")
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .and_then(|e| e["value"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no {action_id} button in {blocks}"))
}

/// `admin` runs `/mentor match` and approves the proposal; returns how many pairs were approved.
pub async fn approve_round(app: &TestApp, admin: &str) -> usize {
    app.driver.command(admin, "match").await;
    settle(app).await;
    let channel = app.fake.dm_channel_of(admin).expect("the admin's DM");
    let message = app.fake.messages_in(&channel).pop().expect("the proposal");
    let id = button_value(&message["blocks"], "proposal_approve");
    let ts = message["ts"].as_str().unwrap_or_default().to_string();
    app.driver
        .click(admin, "proposal_approve", &id, Some((&channel, &ts)))
        .await;
    // The decision is committed when the click is answered; its jobs (introductions, the review's update) are left
    // to the worker (or to the test, with a manual worker).
    app.app().background_idle().await;
    // The button's value is "proposal:version".
    let proposal = id.split(':').next().unwrap_or_default();
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM pairs WHERE proposal_id = $1"
    )
    .bind(proposal.parse::<i64>().expect("a proposal ID"))
    .fetch_one(p)
    .await)
    .unwrap_or_default() as usize
}

/// Every text cell of every table that contains `needle`, as "table.column".
pub async fn cells_containing(app: &TestApp, needle: &str) -> Vec<String> {
    cells_containing_except(app, needle, &[]).await
}

/// Like [`cells_containing`], skipping the tables named in `except`.
pub async fn cells_containing_except(app: &TestApp, needle: &str, except: &[&str]) -> Vec<String> {
    let store = app.app().store();
    let tables: Vec<String> = store
        .table_names()
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t != "_sqlx_migrations" && !except.contains(&t.as_str()))
        .collect();
    let mut found = Vec::new();
    for t in tables {
        for c in store.column_names(&t).await.unwrap() {
            let sql = format!(
                "SELECT COUNT(*) FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE '%' || $1 || '%'"
            );
            let n: i64 = tandem::on_db!(store.pool(), |p| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(needle)
                    .fetch_one(p)
                    .await
            })
            .unwrap();
            if n > 0 {
                found.push(format!("{t}.{c}"));
            }
        }
    }
    found
}

/// Queues a job as a flow would (in its own write transaction).
pub async fn queue_job(app: &TestApp, kind: &str, pair_id: Option<i64>, due_at: i64) {
    let kind = tandem::domain::model::JobKind::parse(kind).expect("a known job kind");
    let mut job = tandem::outbound::store::NewJob::new(kind, due_at);
    job.pair_id = pair_id;
    let mut tx = app.app().store().write().await.expect("write");
    tx.enqueue(job, app.app().now()).await.expect("enqueue");
    tx.commit().await.expect("commit");
}

/// Waits for what a request set going: runs every job due now (what the woken worker would run) and waits for
/// background tasks.
pub async fn settle(app: &TestApp) -> tandem::jobs::worker::RunStats {
    tandem::jobs::worker::settle(app.app())
        .await
        .expect("the job store answers")
}
