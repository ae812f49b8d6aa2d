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
