use std::time::Duration;
use tandem::app::Options;
use tandem::sandbox::{Sandbox, SandboxOptions};
use tandem::slack_api::RetryPolicy;

/// How long a test waits for an expected Web API call before failing.
pub const WAIT: Duration = Duration::from_secs(10);

pub const ALICE: &str = "U0ALICE";
pub const BOB: &str = "U0BOB";

/// A running sandbox and the temporary directory that holds its database.
pub struct TestApp {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
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
        server_error_retries: 2,
        backoff: Duration::from_millis(20),
    }
}

pub fn options(dir: &tempfile::TempDir) -> SandboxOptions {
    let mut o = SandboxOptions::new(dir.path().join("tandem.db"));
    o.app = Options {
        retry: fast_retry(),
        ..Options::default()
    };
    o
}

pub async fn spawn_with(configure: impl FnOnce(&mut SandboxOptions)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut o = options(&dir);
    configure(&mut o);
    let sandbox = Sandbox::start(o).await.expect("sandbox starts");
    sandbox
        .fake
        .add_user(ALICE, "Alice Archer", "Europe/London");
    sandbox
        .fake
        .add_user(BOB, "Bob Brennan", "America/New_York");
    TestApp { sandbox, dir }
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// Rows in a table, for "no effect" assertions.
pub async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(app.app().store().pool())
        .await
        .expect("count")
}

/// `/mentor join` then a submission of `answers` through the modal Slack opened; returns the submission's response.
pub async fn join(
    app: &TestApp,
    user: &str,
    a: &tandem::survey::Answers,
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
    let values =
        tandem::sandbox::forms::survey_values(a, &tandem::catalog::Catalog::default(), true);
    app.driver.submit_view(user, &modal, values).await
}

/// Enrols `user` with `answers` and waits for the follow-up (DM, Home tab).
pub async fn joined(app: &TestApp, user: &str, a: &tandem::survey::Answers) {
    let r = join(app, user, a).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, ""),
        "a valid survey closes the modal"
    );
    app.app().background_idle().await;
}

/// Survey answers for a test person.
pub fn answers(
    role: tandem::matching::Role,
    years: u8,
    teach: &[&str],
    learn: &[&str],
) -> tandem::survey::Answers {
    tandem::survey::Answers {
        role,
        years,
        practice_group: "Tax".into(),
        teach: teach.iter().map(|s| s.to_string()).collect(),
        learn: learn.iter().map(|s| s.to_string()).collect(),
        hours_per_month: 2,
        cadence: tandem::schedule::Cadence::Biweekly,
        reports_to: None,
        note: None,
    }
}
