//! Crash and stop tests: the real `tandem serve` binary as a child process against the fake Slack, driven by signed
//! requests as Slack sends them, killed with SIGKILL or stopped with SIGTERM at chosen moments and restarted over the
//! same SQLite file. What a test asserts is what people see in Slack (the fake's messages), what the process logged
//! and how it exited, and what the database still holds.
//!
//! Nothing here sleeps to synchronise: a test waits on a log line of the child, on a call reaching the fake
//! ([`FakeSlack::wait_for_calls`], [`FakeSlack::wait_until`]), on the child's exit (its stderr closing), or polls the
//! database or the listening port against a deadline.

use crate::common::{ALICE, BOB, WAIT, answers};
use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tandem::domain::forms::survey::Answers;
use tandem::domain::matching::Role;
use tandem::sandbox::driver::Signing;
use tandem::sandbox::{
    FakeSlack, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN, SANDBOX_SIGNING_SECRET, SlackDriver,
};
use tandem::startup::server::STOP_GRACE;
use tokio::sync::watch;

const ADMIN: &str = "U0ADMIN";
const FORM: &str = "application/x-www-form-urlencoded";

/// What the child wrote to stderr so far, and whether it closed (the process is gone).
#[derive(Default)]
struct Stderr {
    lines: Vec<String>,
    closed: bool,
}

/// `tandem serve` running as a child process on a loopback port, over a SQLite file, talking to a [`FakeSlack`].
/// The child is killed when this is dropped, so a failing test leaves no process behind.
pub struct Tandem {
    pub fake: FakeSlack,
    /// Signed requests to the running child (rebuilt on restart: a killed server's pooled connections are dead).
    pub driver: SlackDriver,
    pub db: PathBuf,
    port: u16,
    child: Child,
    stderr: watch::Receiver<Stderr>,
    /// Some once the child was killed and reaped.
    exited: Option<std::process::ExitStatus>,
}

/// A loopback port nobody listens on right now (the child binds it a moment later, and again after a restart).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The `tandem` binary with a clean environment: none of the variables `tandem serve` reads leak in from the
/// environment running the tests.
fn tandem_command(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tandem"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .stdin(Stdio::null());
    c
}

/// `tandem migrate` on `db`, as an operator would run it before the first start.
pub fn migrate(db: &Path) {
    let out = tandem_command(db)
        .arg("migrate")
        .output()
        .expect("tandem migrate runs");
    assert!(
        out.status.success(),
        "tandem migrate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn spawn(fake: &FakeSlack, db: &Path, port: u16) -> (Child, watch::Receiver<Stderr>) {
    let mut child = tandem_command(db)
        .arg("serve")
        .env("SLACK_BOT_TOKEN", SANDBOX_BOT_TOKEN)
        .env("SLACK_SIGNING_SECRET", SANDBOX_SIGNING_SECRET)
        .env("SLACK_API_URL", fake.api_url())
        .env("TANDEM_LISTEN", format!("127.0.0.1:{port}"))
        .env("TANDEM_ADMINS", ADMIN)
        .env("TANDEM_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tandem serve starts");
    let pipe = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = watch::channel(Stderr::default());
    // Ends when the child's stderr closes, i.e. when the process is gone.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines() {
            match line {
                Ok(line) => tx.send_modify(|s| s.lines.push(line)),
                Err(_) => break,
            }
        }
        tx.send_modify(|s| s.closed = true);
    });
    (child, rx)
}

impl Tandem {
    /// Starts `tandem serve` over `db` (created when missing) and waits until it logs that it is listening.
    pub async fn start(fake: &FakeSlack, db: &Path) -> Tandem {
        let port = free_port();
        let (child, stderr) = spawn(fake, db, port);
        let mut t = Tandem {
            fake: fake.clone(),
            driver: driver(fake, port),
            db: db.to_path_buf(),
            port,
            child,
            stderr,
            exited: None,
        };
        t.wait_until_listening().await;
        t
    }

    async fn wait_until_listening(&mut self) {
        let line = self.wait_for_log("Tandem is listening").await;
        assert!(
            line.contains(&format!("127.0.0.1:{}", self.port)),
            "listening elsewhere: {line}"
        );
    }

    /// Waits until the child logs a line containing `needle` (in this run) and returns the line. Fails at once if
    /// the child exits first, and after [`WAIT`] otherwise, with everything it logged.
    pub async fn wait_for_log(&self, needle: &str) -> String {
        let mut rx = self.stderr.clone();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            {
                let s = rx.borrow_and_update();
                if let Some(line) = s.lines.iter().find(|l| l.contains(needle)) {
                    return line.clone();
                }
                if s.closed {
                    panic!(
                        "tandem exited before logging {needle:?}:\n{}",
                        s.lines.join("\n")
                    );
                }
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => panic!("tandem's stderr reader stopped:\n{}", self.stderr()),
                Err(_) => panic!(
                    "tandem did not log {needle:?} within {WAIT:?}:\n{}",
                    self.stderr()
                ),
            }
        }
    }

    /// Everything the current run logged so far.
    pub fn stderr(&self) -> String {
        self.stderr.borrow().lines.join("\n")
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown hook runs, in-flight work is lost mid-way.
    pub fn kill9(&mut self) {
        self.child.kill().expect("tandem was running");
        let status = self.child.wait().expect("reap the killed tandem");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                status.signal(),
                Some(9),
                "tandem ended by SIGKILL, not on its own ({status}):\n{}",
                self.stderr()
            );
        }
        self.exited = Some(status);
    }

    /// SIGTERM, as systemd and Docker stop a service (sent with kill(1): the tests use no unsafe code).
    pub fn terminate(&self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(&pid)
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -TERM {pid} failed: {status}");
    }

    /// Waits until the process exits on its own (its stderr closes), for at most `within`, and reaps it.
    pub async fn wait_for_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let mut rx = self.stderr.clone();
        let closed =
            tokio::time::timeout(
                within,
                async move { rx.wait_for(|s| s.closed).await.is_ok() },
            )
            .await;
        assert!(
            matches!(closed, Ok(true)),
            "tandem did not exit within {within:?}:\n{}",
            self.stderr()
        );
        // Its stderr closed because it is exiting: this wait is short.
        let status = self.child.wait().expect("reap tandem");
        self.exited = Some(status);
        status
    }

    /// Whether the process is still alive (reaps it if it is not).
    pub fn is_running(&mut self) -> bool {
        match self.child.try_wait().expect("query tandem's state") {
            None => true,
            Some(status) => {
                self.exited = Some(status);
                false
            }
        }
    }

    /// Waits until a new connection to the port is refused (a stopping server closed its listener), polling every
    /// 25 ms for at most [`WAIT`].
    pub async fn wait_until_refusing(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return,
                other => assert!(
                    tokio::time::Instant::now() < deadline,
                    "new connections still get {other:?} {WAIT:?} later:\n{}",
                    self.stderr()
                ),
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The current run's log lines that are JSON events (`TANDEM_LOG_FORMAT=json`, fields flattened).
    pub fn events(&self) -> Vec<Value> {
        self.stderr
            .borrow()
            .lines
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The current run's events whose message is `message`.
    pub fn events_saying(&self, message: &str) -> Vec<Value> {
        self.events()
            .into_iter()
            .filter(|e| e["message"] == message)
            .collect()
    }

    /// Starts `tandem serve` again on the same port over the same database (killing the running one first, if any).
    pub async fn restart(&mut self) {
        if self.exited.is_none() {
            self.kill9();
        }
        let (child, stderr) = spawn(&self.fake, &self.db, self.port);
        self.child = child;
        self.stderr = stderr;
        self.exited = None;
        self.driver = driver(&self.fake, self.port);
        self.wait_until_listening().await;
    }

    /// A read-only connection to the database (never kept across a kill).
    pub async fn read_db(&self) -> sqlx::SqlitePool {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&self.db)
            .read_only(true);
        sqlx::SqlitePool::connect_with(options)
            .await
            .expect("open the database read-only")
    }
}

impl Drop for Tandem {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!("--- tandem's stderr (last run) ---\n{}", self.stderr());
        }
    }
}

fn driver(fake: &FakeSlack, port: u16) -> SlackDriver {
    SlackDriver::new(
        &format!("http://127.0.0.1:{port}"),
        SANDBOX_SIGNING_SECRET,
        fake.clone(),
    )
    .expect("an HTTP client")
}

/// The fake Slack with the admin, Alice and Bob in the workspace.
async fn fake_slack() -> FakeSlack {
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .expect("the fake Slack starts");
    fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    fake.add_user(ALICE, "Alice Archer", "Europe/London");
    fake.add_user(BOB, "Bob Brennan", "America/New_York");
    fake
}

/// `/mentor join` and a submission of `a` through the modal Slack opened, both acknowledged.
async fn join(t: &Tandem, user: &str, a: &Answers) {
    let r = t.driver.command(user, "join").await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, ""),
        "join answers with an empty 200 once the modal is open"
    );
    let modal = t.fake.last_modal_for(user).expect("the survey modal");
    let values = tandem::domain::forms::survey_values::survey_values(
        a,
        &tandem::domain::catalog::Catalog::default(),
        true,
    );
    let r = t.driver.submit_view(user, &modal, values).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, ""),
        "a valid survey closes the modal"
    );
}

/// Joins and waits for the follow-up (the confirmation DM, then the Home tab), so that no enrolment call is still
/// on its way to the fake when a test injects a fault.
async fn enrolled(t: &Tandem, user: &str, a: &Answers) {
    join(t, user, a).await;
    t.fake
        .wait_until(WAIT, |f| {
            f.ok_calls_to("views.publish")
                .iter()
                .any(|c| c.body["user_id"] == user)
                .then_some(())
                .ok_or(format!("no Home tab published for {user}"))
        })
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
}

/// A junior and a senior who pair with each other (and with every other junior and senior made here).
fn junior() -> Answers {
    answers(Role::Associate, 2, &["ai_drafting"], &["client_management"])
}
fn senior(i: u8) -> Answers {
    answers(
        Role::Partner,
        20 + i,
        &["client_management"],
        &["ai_drafting"],
    )
}

/// Adds juniors `U0JUN{i}` and seniors `U0SEN{i}` to the workspace and enrols them; returns their IDs.
async fn enrol_pairs(t: &Tandem, range: std::ops::RangeInclusive<u8>) -> Vec<String> {
    let mut people = Vec::new();
    for i in range {
        let (j, s) = (format!("U0JUN{i}"), format!("U0SEN{i}"));
        t.fake.add_user(&j, &format!("Junior {i}"), "Europe/London");
        t.fake.add_user(&s, &format!("Senior {i}"), "Europe/London");
        enrolled(t, &j, &junior()).await;
        enrolled(t, &s, &senior(i)).await;
        people.extend([j, s]);
    }
    people
}

/// The value of the button `action_id` in a message, if it has one.
fn button(message: &Value, action_id: &str) -> Option<String> {
    message["blocks"]
        .as_array()?
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .and_then(|e| e["value"].as_str().map(str::to_string))
}

/// A review message an admin can still act on: (proposal ID, channel, ts).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Review {
    id: String,
    channel: String,
    ts: String,
}

/// The review messages in the admin's DM that still carry an Approve button.
fn open_reviews(fake: &FakeSlack) -> Vec<Review> {
    let Some(channel) = fake.dm_channel_of(ADMIN) else {
        return Vec::new();
    };
    fake.messages_in(&channel)
        .iter()
        .filter_map(|m| {
            Some(Review {
                id: button(m, "proposal_approve")?,
                channel: channel.clone(),
                ts: m["ts"].as_str()?.to_string(),
            })
        })
        .collect()
}

/// Waits for a review of a proposal other than those in `seen`.
async fn new_review(t: &Tandem, seen: &[String]) -> Review {
    t.fake
        .wait_until(WAIT, |f| {
            open_reviews(f)
                .into_iter()
                .find(|r| !seen.contains(&r.id))
                .ok_or_else(|| format!("no new review in the admin's DM: {:?}", f.dms_to(ADMIN)))
        })
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()))
}

/// `/mentor match` is accepted: the round is computing (not "still waiting for review").
async fn match_starts(t: &Tandem) {
    let r = t.driver.command(ADMIN, "match").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let text = r.json()["text"].as_str().unwrap_or_default().to_string();
    assert!(
        text.starts_with("Working out the best pairs"),
        "`/mentor match` is blocked: {text}"
    );
}

fn text_of(message: &Value) -> String {
    message["text"].as_str().unwrap_or_default().to_string()
}

/// A DM telling the admin that an interrupted round was reset.
fn says_round_was_reset(message: &Value) -> bool {
    let text = text_of(message).to_lowercase();
    text.contains("reset") || text.contains("interrupted")
}

/// Polls `check` against the database every 25 ms until it holds, for at most [`WAIT`].
async fn db_eventually<T>(
    t: &Tandem,
    what: &str,
    mut check: impl AsyncFnMut(&sqlx::SqlitePool) -> Option<T>,
) -> T {
    let pool = t.read_db().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(found) = check(&pool).await {
            pool.close().await;
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {WAIT:?}\n{}",
            t.stderr()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The approved pairs, (junior, senior).
async fn pairs(t: &Tandem) -> Vec<(String, String)> {
    let pool = t.read_db().await;
    let rows = sqlx::query_as("SELECT junior_id, senior_id FROM pairs ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("read pairs");
    pool.close().await;
    rows
}

/// Waits until every introduction job has run to the end (nothing pending or running, none failed).
async fn introductions_settled(t: &Tandem, expected: usize) {
    db_eventually(t, "every introduction job done", async |pool| {
        let states: Vec<String> =
            sqlx::query_scalar("SELECT state FROM jobs WHERE kind = 'intro' ORDER BY id")
                .fetch_all(pool)
                .await
                .ok()?;
        (states.len() == expected && states.iter().all(|s| s == "done")).then_some(())
    })
    .await;
}

/// Each pair's group DM holds exactly one message, the introduction of both people.
fn assert_each_pair_introduced_once(fake: &FakeSlack, pairs: &[(String, String)]) {
    for (j, s) in pairs {
        let channel = fake
            .messages_in_group(j, s)
            .unwrap_or_else(|| panic!("no group DM for {j} and {s}"));
        let messages = fake.messages_in(&channel);
        let texts: Vec<String> = messages.iter().map(text_of).collect();
        assert_eq!(
            texts.len(),
            1,
            "{j} and {s} should see exactly one introduction: {texts:#?}"
        );
        assert!(
            texts[0].contains(&format!("<@{j}> and <@{s}>, welcome to your Tandem pair")),
            "{texts:?}"
        );
    }
}

#[tokio::test]
async fn a_hung_call_hangs_until_healed_and_never_takes_effect() {
    let fake = fake_slack().await;
    let http = tandem::outbound::slack_api::http_client().unwrap();
    let post = |text: &str| {
        http.post(format!("{}/chat.postMessage", fake.api_url()))
            .bearer_auth(SANDBOX_BOT_TOKEN)
            .timeout(Duration::from_secs(1))
            .json(&serde_json::json!({ "channel": ALICE, "text": text }))
            .send()
    };

    fake.hang("chat.postMessage");
    let e = post("first").await.expect_err("a hung call gets no answer");
    assert!(e.is_timeout(), "{e}");
    let hung = fake
        .wait_for_calls("chat.postMessage", 1, WAIT)
        .await
        .unwrap();
    assert_eq!(
        (hung[0].status, hung[0].body["text"].as_str()),
        (0, Some("first"))
    );
    // One still waiting when the fake is healed: released with a 503, and nothing is posted.
    let waiting = tokio::spawn(
        http.post(format!("{}/chat.postMessage", fake.api_url()))
            .bearer_auth(SANDBOX_BOT_TOKEN)
            .timeout(WAIT)
            .json(&serde_json::json!({ "channel": ALICE, "text": "second" }))
            .send(),
    );
    fake.wait_for_calls("chat.postMessage", 2, WAIT)
        .await
        .unwrap();
    assert!(!waiting.is_finished());
    fake.heal("chat.postMessage");
    let released = waiting.await.unwrap().expect("released, not timed out");
    assert_eq!(released.status(), 503);
    assert!(fake.dms_to(ALICE).is_empty(), "a hung call took effect");

    let ok: Value = post("third").await.unwrap().json().await.unwrap();
    assert_eq!(ok["ok"], true, "{ok}");
    let texts: Vec<String> = fake.dms_to(ALICE).iter().map(text_of).collect();
    assert_eq!(texts, ["third"]);

    // A counted fault: only the next call hangs; other methods never did.
    fake.fail_next("chat.postMessage", tandem::sandbox::Fault::Hang, 1);
    assert!(post("fourth").await.unwrap_err().is_timeout());
    let ok: Value = post("fifth").await.unwrap().json().await.unwrap();
    assert_eq!(ok["ok"], true, "{ok}");
    let info: Value = http
        .post(format!("{}/users.info", fake.api_url()))
        .bearer_auth(SANDBOX_BOT_TOKEN)
        .form(&[("user", BOB)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["user"]["id"], BOB);
}

#[tokio::test]
async fn the_real_binary_killed_with_sigkill_restarts_over_the_same_database() {
    let fake = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tandem::start(&fake, &dir.path().join("tandem.db")).await;

    let help = t.driver.command(ALICE, "help").await;
    assert_eq!(help.status, 200, "{}", help.body);
    let text = help.json()["text"].as_str().unwrap_or_default().to_string();
    assert!(
        text.contains("`/mentor join`") && text.contains("`/mentor status`"),
        "{text}"
    );
    assert!(
        !text.contains("For program admins"),
        "Alice is no admin: {text}"
    );
    let forged = t
        .driver
        .post(
            "/slack/commands",
            FORM,
            t.driver.command_form(ALICE, "help"),
            Signing::WrongSecret,
        )
        .await;
    assert_eq!(forged.status, 401, "{}", forged.body);

    // Alice's survey is acknowledged; the process dies before anything else happens.
    join(&t, ALICE, &junior()).await;
    t.kill9();
    assert_eq!(
        t.driver.get("/healthz").await.status,
        0,
        "nothing answers once the process is killed"
    );

    t.restart().await;
    assert_eq!(t.driver.get("/healthz").await.status, 200);
    let status = t.driver.command(ALICE, "status").await;
    let text = status.json()["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        text.starts_with("You are *enrolled* and waiting to be paired."),
        "{text}"
    );
    assert!(text.contains("You can teach: "), "{text}");
    let bob = t.driver.command(BOB, "status").await;
    assert!(
        bob.json()["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("You have not joined Tandem yet"),
        "{}",
        bob.body
    );
    // The admin list came through the environment.
    let help = t.driver.command(ADMIN, "help").await;
    assert!(help.body.contains("For program admins"), "{}", help.body);
}

/// Introductions are durable jobs: the one the kill interrupted runs again after the restart, and what it already
/// delivered is not delivered twice.
#[tokio::test]
async fn approved_pairs_are_introduced_exactly_once_across_a_kill() {
    let fake = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tandem::start(&fake, &dir.path().join("tandem.db")).await;
    enrol_pairs(&t, 1..=2).await;

    fake.hang("conversations.open");
    match_starts(&t).await;
    let review = new_review(&t, &[]).await;
    let click = t
        .driver
        .click(
            ADMIN,
            "proposal_approve",
            &review.id,
            Some((&review.channel, &review.ts)),
        )
        .await;
    assert_eq!(click.status, 200, "{}", click.body);
    // The first introduction is under way: its group DM is being opened when the process dies.
    fake.wait_for_calls("conversations.open", 1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
    t.kill9();
    let approved = pairs(&t).await;
    assert_eq!(approved.len(), 2, "the approval was stored before the kill");
    assert!(
        approved
            .iter()
            .all(|(j, s)| fake.messages_in_group(j, s).is_none()),
        "nobody was introduced before the kill"
    );

    fake.heal("conversations.open");
    t.restart().await;
    fake.wait_until(WAIT, |f| {
        approved
            .iter()
            .all(|(j, s)| {
                f.messages_in_group(j, s)
                    .is_some_and(|c| !f.messages_in(&c).is_empty())
            })
            .then_some(())
            .ok_or("not every approved pair has its introduction yet".to_string())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
    introductions_settled(&t, approved.len()).await;
    assert_each_pair_introduced_once(&fake, &approved);
    let opened = fake.ok_calls_to("conversations.open");
    assert_eq!(opened.len(), approved.len(), "one group DM per pair");

    // A new round is not blocked by the one the kill interrupted.
    enrol_pairs(&t, 3..=3).await;
    match_starts(&t).await;
    new_review(&t, &[review.id]).await;
}

/// Killed while the round's review is on its way: the compute job is re-run at start-up and the admin gets exactly
/// one review (or, if the round was reset, a note and then a fresh round); `/mentor match` is never blocked for good.
#[tokio::test]
async fn a_round_killed_mid_computation_recovers() {
    let fake = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tandem::start(&fake, &dir.path().join("tandem.db")).await;
    enrol_pairs(&t, 1..=1).await;
    let posted = fake.calls_to("chat.postMessage").len();

    fake.hang("chat.postMessage");
    match_starts(&t).await;
    // The review is on its way to the admin when the process dies.
    fake.wait_for_calls("chat.postMessage", posted + 1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
    t.kill9();
    assert!(
        fake.dms_to(ADMIN).is_empty(),
        "the review never reached the admin"
    );
    fake.heal("chat.postMessage");
    t.restart().await;

    // Either the review is sent again, or the admin is told the round was reset and a fresh one gives a review.
    let reset = fake
        .wait_until(WAIT, |f| {
            let dms = f.dms_to(ADMIN);
            if !open_reviews(f).is_empty() {
                Ok(false)
            } else if dms.iter().any(says_round_was_reset) {
                Ok(true)
            } else {
                Err(format!(
                    "neither a review nor a reset in the admin's DM: {dms:?}"
                ))
            }
        })
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
    if reset {
        match_starts(&t).await;
    }
    let review = new_review(&t, &[]).await;
    assert_eq!(
        open_reviews(&fake),
        std::slice::from_ref(&review),
        "exactly one review"
    );

    // The review works: approving it introduces the pair.
    t.driver
        .click(
            ADMIN,
            "proposal_approve",
            &review.id,
            Some((&review.channel, &review.ts)),
        )
        .await;
    introductions_settled(&t, 1).await;
    let approved = pairs(&t).await;
    assert_eq!(approved.len(), 1);
    assert_each_pair_introduced_once(&fake, &approved);
    let reviews: Vec<String> = fake
        .dms_to(ADMIN)
        .iter()
        .map(text_of)
        .filter(|m| m.contains("proposed from") || m.starts_with("Approved by"))
        .collect();
    assert_eq!(
        reviews.len(),
        1,
        "the admin saw one review for the round: {reviews:#?}"
    );

    // And `/mentor match` is not blocked for good.
    match_starts(&t).await;
}

/// A `computing` round with no job to finish it (left by an older version's crash) is reset at start-up, the admin
/// is told, and `/mentor match` works again.
#[tokio::test]
async fn a_round_left_computing_by_an_older_crash_is_reset() {
    let fake = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tandem.db");
    migrate(&db);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query("INSERT INTO proposals (status, created_at) VALUES ('computing', ?)")
        .bind(chrono::Utc::now().timestamp())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let t = Tandem::start(&fake, &db).await;
    fake.wait_until(WAIT, |f| {
        f.dms_to(ADMIN)
            .iter()
            .any(says_round_was_reset)
            .then_some(())
            .ok_or(format!(
                "no reset message for the admin: {:?}",
                f.dms_to(ADMIN)
            ))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));

    enrol_pairs(&t, 1..=1).await;
    match_starts(&t).await;
    new_review(&t, &[]).await;
}

/// The admin approves the proposal under review.
async fn approve(t: &Tandem, review: &Review) {
    let click = t
        .driver
        .click(
            ADMIN,
            "proposal_approve",
            &review.id,
            Some((&review.channel, &review.ts)),
        )
        .await;
    assert_eq!(click.status, 200, "{}", click.body);
}

/// An introduction's `chat.postMessage` call.
fn is_introduction(call: &tandem::sandbox::Call) -> bool {
    call.body["text"]
        .as_str()
        .is_some_and(|t| t.contains("welcome to your Tandem pair"))
}

/// The states of the introduction jobs, by job ID.
async fn introduction_states(t: &Tandem) -> Vec<String> {
    let pool = t.read_db().await;
    let states = sqlx::query_scalar("SELECT state FROM jobs WHERE kind = 'intro' ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("read the introduction jobs");
    pool.close().await;
    states
}

/// SIGTERM while two introductions are being posted: the listener closes at once (new connections are refused while
/// the process still finishes its work), the posts complete once Slack answers, the jobs are recorded as done, and
/// the process exits 0 within the grace, saying it stopped. A restart finds nothing to redo.
#[tokio::test]
async fn sigterm_finishes_in_flight_work_and_exits_0() {
    let fake = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tandem::start(&fake, &dir.path().join("tandem.db")).await;
    enrol_pairs(&t, 1..=2).await;
    match_starts(&t).await;
    let review = new_review(&t, &[]).await;

    // Slack does not answer the introductions yet: both are in flight when the stop comes.
    fake.hang("chat.postMessage");
    approve(&t, &review).await;
    fake.wait_until(WAIT, |f| {
        let hung = f
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.status == 0 && is_introduction(c))
            .count();
        (hung == 2)
            .then_some(())
            .ok_or(format!("{hung} of 2 introductions waiting on Slack"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
    let approved = pairs(&t).await;
    assert_eq!(approved.len(), 2);

    let stopped_at = tokio::time::Instant::now();
    t.terminate();
    let stopping = t.wait_for_log("stopping: no new work").await;
    assert!(stopping.contains("SIGTERM"), "{stopping}");
    // Stopping, not gone: new connections are refused while the introductions are still waiting on Slack.
    t.wait_until_refusing().await;
    assert!(
        t.is_running(),
        "tandem exited before its in-flight work was done"
    );
    assert_eq!(
        t.driver.get("/healthz").await.status,
        0,
        "a request reached the stopping server"
    );
    assert!(
        approved.iter().all(|(j, s)| fake
            .messages_in_group(j, s)
            .is_some_and(|c| fake.messages_in(&c).is_empty())),
        "nothing is posted while Slack hangs"
    );

    // Slack answers (the held calls get a 503, and the client's retry goes through): the work finishes and the
    // process exits 0, within the grace.
    fake.heal("chat.postMessage");
    let status = t
        .wait_for_exit(STOP_GRACE.saturating_sub(stopped_at.elapsed()))
        .await;
    assert!(status.success(), "exit status {status}:\n{}", t.stderr());
    assert_eq!(
        t.events_saying("in-flight work finished").len(),
        1,
        "{}",
        t.stderr()
    );
    assert!(
        t.events_saying("in-flight work did not finish in time; it runs again on the next start")
            .is_empty(),
        "{}",
        t.stderr()
    );
    assert_eq!(t.events_saying("stopped").len(), 1, "{}", t.stderr());
    let done: Vec<Value> = t
        .events_saying("job done")
        .into_iter()
        .filter(|e| e["kind"] == "intro")
        .collect();
    assert_eq!(
        done.len(),
        2,
        "one INFO line per delivered introduction: {done:?}"
    );

    // Before any restart: both introductions are in Slack, once, and recorded as done.
    assert_each_pair_introduced_once(&fake, &approved);
    assert_eq!(introduction_states(&t).await, ["done", "done"]);

    // A restart over the same database has nothing to redo.
    t.restart().await;
    assert!(
        t.events_saying("jobs interrupted by the last stop will run again")
            .is_empty(),
        "the stop left a job running:\n{}",
        t.stderr()
    );
    let status = t.driver.command(approved[0].0.as_str(), "status").await;
    assert_eq!(status.status, 200, "{}", status.body);
    introductions_settled(&t, approved.len()).await;
    assert_each_pair_introduced_once(&fake, &approved);
    assert_eq!(
        fake.ok_calls_to("chat.postMessage")
            .iter()
            .filter(|c| is_introduction(c))
            .count(),
        approved.len(),
        "no introduction was posted again"
    );
}

/// SIGTERM while an introduction cannot finish within the grace (Slack rate-limits it for 9 s, then never answers):
/// the process still exits 0 after the grace, saying the work will run again; the job is left for the next start,
/// which re-queues it and, with Slack healthy, introduces the pair exactly once.
#[tokio::test]
async fn sigterm_with_work_stuck_past_the_grace_exits_0_and_the_work_runs_after_a_restart() {
    let fake = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tandem::start(&fake, &dir.path().join("tandem.db")).await;
    enrol_pairs(&t, 1..=1).await;
    match_starts(&t).await;
    let review = new_review(&t, &[]).await;

    // A plain hang would end at the call's own 10 s timeout (a retry 30 s later); a 429 waited out inline first
    // keeps the job busy past the grace.
    fake.fail_next(
        "chat.postMessage",
        tandem::sandbox::Fault::RateLimited {
            retry_after_secs: 9,
        },
        1,
    );
    fake.hang("chat.postMessage");
    approve(&t, &review).await;
    fake.wait_until(WAIT, |f| {
        f.calls_to("chat.postMessage")
            .iter()
            .any(|c| c.status == 429 && is_introduction(c))
            .then_some(())
            .ok_or("the introduction was not rate-limited yet".to_string())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));

    t.terminate();
    t.wait_for_log("stopping: no new work").await;
    t.wait_until_refusing().await;
    let status = t.wait_for_exit(Duration::from_secs(20)).await;
    assert!(status.success(), "exit status {status}:\n{}", t.stderr());
    assert_eq!(
        t.events_saying("in-flight work did not finish in time; it runs again on the next start")
            .len(),
        1,
        "{}",
        t.stderr()
    );
    assert_eq!(t.events_saying("stopped").len(), 1, "{}", t.stderr());
    assert!(
        t.events_saying("job done")
            .iter()
            .all(|e| e["kind"] != "intro"),
        "{}",
        t.stderr()
    );
    let approved = pairs(&t).await;
    assert_eq!(approved.len(), 1);
    assert!(
        fake.ok_calls_to("chat.postMessage")
            .iter()
            .all(|c| !is_introduction(c)),
        "the introduction never went through"
    );
    assert_eq!(
        introduction_states(&t).await,
        ["running"],
        "the cut-short job is left for the next start"
    );

    fake.heal("chat.postMessage");
    t.restart().await;
    let requeued = t.events_saying("jobs interrupted by the last stop will run again");
    assert_eq!(requeued.len(), 1, "{}", t.stderr());
    // The introduction, and whatever else its batch claimed: outcomes are recorded when the whole batch is through.
    assert!(requeued[0]["requeued"].as_u64() >= Some(1), "{requeued:?}");
    introductions_settled(&t, 1).await;
    assert_each_pair_introduced_once(&fake, &approved);
    assert_eq!(
        fake.ok_calls_to("chat.postMessage")
            .iter()
            .filter(|c| is_introduction(c))
            .count(),
        1
    );
}

/// What a check-in message says first.
const CHECKIN_TEXT: &str = "Tandem check-in: did you meet since";

/// Migrates `db` and seeds `n` active pairs (a junior and a senior each, both enrolled), each with its group DM and
/// its first check-in due now, queued as the pair's schedule queues it. Returns the pairs' channels.
async fn seed_checkins_due(db: &Path, n: usize) -> Vec<String> {
    use tandem::domain::forms::survey::role_value;
    migrate(db);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp();
    let started = now - 14 * 24 * 3600;
    let mut channels = Vec::new();
    let mut tx = pool.begin().await.unwrap();
    for i in 1..=n {
        let (junior, senior, channel) = (
            format!("U0CJ{i:03}"),
            format!("U0CS{i:03}"),
            format!("C0PAIR{i:03}"),
        );
        for (user, role, years) in [(&junior, Role::Associate, 2), (&senior, Role::Partner, 25)] {
            sqlx::query(
                "INSERT INTO participants (user_id, role, years, practice_group, hours_per_month, cadence, tz, joined_at, updated_at)
                 VALUES (?, ?, ?, 'litigation', 2, 'weekly', 'Europe/London', ?, ?)",
            )
            .bind(user)
            .bind(role_value(role))
            .bind(years)
            .bind(started)
            .bind(started)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        let pair: i64 = sqlx::query_scalar(
            "INSERT INTO pairs (junior_id, senior_id, status, created_at, channel) VALUES (?, ?, 'active', ?, ?) RETURNING id",
        )
        .bind(&junior)
        .bind(&senior)
        .bind(started)
        .bind(&channel)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO jobs (kind, pair_id, due_at, state, key, updated_at) VALUES ('checkin', ?, ?, 'pending', ?, ?)",
        )
        .bind(pair)
        .bind(now)
        .bind(format!("checkin:{pair}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        channels.push(channel);
    }
    tx.commit().await.unwrap();
    pool.close().await;
    channels
}

/// How many check-in messages Slack accepted in each channel.
fn checkins_posted(fake: &FakeSlack) -> std::collections::BTreeMap<String, usize> {
    let mut per_channel = std::collections::BTreeMap::new();
    for c in fake.ok_calls_to("chat.postMessage") {
        if c.body["text"]
            .as_str()
            .is_some_and(|t| t.starts_with(CHECKIN_TEXT))
        {
            let channel = c.answer["channel"].as_str().unwrap_or_default().to_string();
            *per_channel.entry(channel).or_default() += 1;
        }
    }
    per_channel
}

/// A kill -9 during a batch of 40 check-ins, with the real binary: none is lost, at most the delivery concurrency is
/// duplicated (a message Slack accepted but whose delivery was not recorded yet), and no pair gets one twice more
/// than once.
#[tokio::test]
async fn a_kill_during_a_batch_of_40_check_ins_loses_none() {
    use tandem::jobs::worker::CONCURRENCY;
    const PAIRS: usize = 40;
    // More delivered before the kill than the bound allows duplicated: a re-run that repeated what it had delivered
    // would break the bound.
    const KILL_AFTER: usize = CONCURRENCY + 4;

    let fake = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tandem.db");
    let channels = seed_checkins_due(&db, PAIRS).await;
    fake.add_channels(channels.iter().map(String::as_str));
    // Slack's workspace ceiling, low: ten messages at once, then about ten a second, so the batch is in flight for
    // seconds.
    fake.set_message_limits(tandem::sandbox::MessageLimits {
        per_channel_per_sec: 1.0,
        workspace_per_min: 600.0,
    });

    let mut t = Tandem::start(&fake, &db).await;
    fake.wait_until(WAIT, |f| {
        let posted: usize = checkins_posted(f).values().sum();
        (posted >= KILL_AFTER)
            .then_some(())
            .ok_or(format!("{posted} of {KILL_AFTER} check-ins posted"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
    t.kill9();
    let before: usize = checkins_posted(&fake).values().sum();
    assert!(
        before < PAIRS,
        "the kill came after the whole batch ({before} check-ins posted); nothing was in flight"
    );
    assert!(fake.rate_limited() > 0, "the batch was never held up");

    fake.set_message_limits(tandem::sandbox::MessageLimits {
        per_channel_per_sec: 1e6,
        workspace_per_min: 1e9,
    });
    t.restart().await;
    fake.wait_until(WAIT, |f| {
        let posted = checkins_posted(f);
        let missing: Vec<&String> = channels
            .iter()
            .filter(|c| !posted.contains_key(*c))
            .collect();
        missing
            .is_empty()
            .then_some(())
            .ok_or(format!("no check-in yet in {missing:?}"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", t.stderr()));
    // Every check-in job ran to the end (so no re-run can still post), and each queued its successor.
    let now = chrono::Utc::now().timestamp();
    db_eventually(&t, "every check-in job done", async |pool| {
        let (done, unfinished, later): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE state = 'done'),
                    COUNT(*) FILTER (WHERE state IN ('running', 'failed') OR (state = 'pending' AND due_at <= ?)),
                    COUNT(*) FILTER (WHERE state = 'pending' AND due_at > ?)
             FROM jobs WHERE kind = 'checkin'",
        )
        .bind(now)
        .bind(now)
        .fetch_one(pool)
        .await
        .ok()?;
        (done == PAIRS as i64 && unfinished == 0 && later == PAIRS as i64).then_some(())
    })
    .await;

    let posted = checkins_posted(&fake);
    assert_eq!(
        posted.keys().collect::<Vec<_>>(),
        channels.iter().collect::<Vec<_>>(),
        "check-ins only in the pairs' channels"
    );
    let duplicates: usize = posted.values().map(|n| n - 1).sum();
    let twice: Vec<(&String, &usize)> = posted.iter().filter(|(_, n)| **n > 1).collect();
    eprintln!(
        "{before} check-ins posted before the kill; {duplicates} duplicated after the restart: {twice:?}"
    );
    assert!(
        duplicates <= CONCURRENCY,
        "{duplicates} duplicated check-ins (at most {CONCURRENCY}): {twice:?}"
    );
    assert!(
        posted.values().all(|n| *n <= 2),
        "a pair got its check-in more than twice: {twice:?}"
    );
    // One check-in per pair in the database, pointing at a message Slack holds.
    let pool = t.read_db().await;
    let rows: Vec<(i64, i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT pair_id, COUNT(*), MAX(channel), MAX(ts) FROM checkins GROUP BY pair_id ORDER BY pair_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(rows.len(), PAIRS);
    for (pair, count, channel, ts) in rows {
        assert_eq!(count, 1, "pair {pair} has {count} check-ins recorded");
        let (channel, ts) = (channel.unwrap_or_default(), ts.unwrap_or_default());
        assert!(
            fake.messages_in(&channel).iter().any(|m| m["ts"] == ts),
            "pair {pair}'s check-in points at no message ({channel}, {ts})"
        );
    }
}
