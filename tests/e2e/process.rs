//! Crash tests: the real `tandem serve` binary as a child process against the fake Slack, driven by signed requests
//! as Slack sends them, killed with SIGKILL at chosen moments and restarted over the same SQLite file. What a test
//! asserts is what people see in Slack (the fake's messages) and what the database still holds.
//!
//! Nothing here sleeps to synchronise: a test waits on a log line of the child, on a call reaching the fake
//! ([`FakeSlack::wait_for_calls`], [`FakeSlack::wait_until`]), or polls the database against a deadline.

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
        text.starts_with("You are *enrolled* and waiting for the next matching round."),
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
