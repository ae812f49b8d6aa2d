//! Two replicas, one outcome (issue 15): two real `tandem serve` processes on one fresh PostgreSQL database, one
//! fake Slack. Requests go to both; a scheduled summary and a scheduled round fall due while both run; 200 check-ins
//! fall due, the replica holding most of them is killed with SIGKILL while its deliveries are in flight, and the
//! other takes its jobs over once their leases (`TANDEM_JOB_LEASE_SECS=5`) expire.
//!
//! In Socket Mode, each of two replicas holds its own connection: envelopes spread across both are each handled once,
//! and an event Slack re-delivers on the other connection has one effect.
//!
//! Skipped, with one line, when `TANDEM_TEST_DATABASE_URL` is unset (SQLite is one process). Nothing sleeps to
//! synchronise: the test waits on log lines, on the fake's recorded calls and on the database, with deadlines.

use crate::common::{ALICE, BOB, answers};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tandem::domain::forms::survey::Answers;
use tandem::domain::matching::Role;
use tandem::outbound::store::Store;
use tandem::outbound::store::scratch::{ScratchDatabase, test_server};
use tandem::sandbox::{
    FakeSlack, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN, SANDBOX_SIGNING_SECRET, SlackDriver,
};
use tokio::sync::watch;

const ADMIN: &str = "U0ADMIN";
const MANAGERS: &str = "C0MANAGERS";
const PAIRS: usize = 200;
/// What one replica runs at once (jobs::worker::CONCURRENCY): the most a dead replica can leave half-sent.
const IN_FLIGHT: usize = tandem::jobs::worker::CONCURRENCY;
const DEADLINE: Duration = Duration::from_secs(40);

struct Replica {
    child: Child,
    driver: SlackDriver,
    log: watch::Receiver<Vec<String>>,
    killed: bool,
}

impl Replica {
    fn start(fake: &FakeSlack, url: &str) -> Replica {
        Replica::start_with(fake, url, &[])
    }

    /// A replica with further environment variables (e.g. `SLACK_APP_TOKEN` for Socket Mode).
    fn start_with(fake: &FakeSlack, url: &str, env: &[(&str, &str)]) -> Replica {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", url)
            .env("SLACK_BOT_TOKEN", SANDBOX_BOT_TOKEN)
            .env("SLACK_SIGNING_SECRET", SANDBOX_SIGNING_SECRET)
            .env("SLACK_API_URL", fake.api_url())
            .env("TANDEM_LISTEN", format!("127.0.0.1:{port}"))
            .env("TANDEM_ADMINS", ADMIN)
            .env("TANDEM_MANAGER_CHANNEL", MANAGERS)
            // Far away: the test moves the queued summary and round to now (an injected schedule).
            .env("TANDEM_SUMMARY_CRON", "0 9 1 1 *")
            .env("TANDEM_ROUND_CRON", "0 9 1 1 *")
            .env("TANDEM_JOB_LEASE_SECS", "5")
            .env("TANDEM_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tandem serve starts");
        let pipe = child.stderr.take().expect("stderr is piped");
        let (tx, log) = watch::channel(Vec::new());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                tx.send_modify(|l| l.push(line));
            }
        });
        let driver = SlackDriver::new(
            &format!("http://127.0.0.1:{port}"),
            SANDBOX_SIGNING_SECRET,
            fake.clone(),
        )
        .expect("an HTTP client");
        Replica {
            child,
            driver,
            log,
            killed: false,
        }
    }

    async fn wait_for_log(&self, needle: &str) {
        let mut rx = self.log.clone();
        let found = tokio::time::timeout(
            DEADLINE,
            rx.wait_for(|l| l.iter().any(|x| x.contains(needle))),
        )
        .await;
        assert!(
            matches!(found, Ok(Ok(_))),
            "no {needle:?} in the log:\n{}",
            self.log.borrow().join("\n")
        );
    }

    fn kill9(&mut self) {
        self.child.kill().expect("the replica was running");
        let _ = self.child.wait();
        self.killed = true;
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if !self.killed {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "--- replica {} ---\n{}",
                self.child.id(),
                self.log.borrow().join("\n")
            );
        }
    }
}

async fn join(r: &Replica, fake: &FakeSlack, user: &str, a: &Answers) {
    let res = r.driver.command(user, "join").await;
    assert_eq!((res.status, res.body.as_str()), (200, ""));
    let modal = fake.last_modal_for(user).expect("the survey modal");
    let values = tandem::domain::forms::survey_values::survey_values(
        a,
        &tandem::domain::catalog::Catalog::default(),
        true,
    );
    let res = r.driver.submit_view(user, &modal, values).await;
    assert_eq!(
        (res.status, res.body.as_str()),
        (200, ""),
        "the survey is accepted"
    );
}

fn group(i: usize) -> String {
    format!("G{i:08}")
}

/// 200 introduced pairs, each with a check-in queued far in the future (moved to now later).
async fn seed(store: &Store, fake: &FakeSlack) {
    let now = chrono::Utc::now().timestamp();
    let tandem::outbound::store::Pool::Postgres(pool) = store.pool() else {
        panic!("the replica test runs on PostgreSQL");
    };
    for i in 0..PAIRS {
        let (j, s) = (format!("UJ{i:08}"), format!("US{i:08}"));
        fake.add_user(&j, &format!("Junior {i}"), "Europe/London");
        fake.add_user(&s, &format!("Senior {i}"), "Europe/London");
        fake.add_channel(&group(i));
        for (who, role, years) in [(&j, "associate", 3i64), (&s, "partner", 25)] {
            sqlx::query("INSERT INTO participants (user_id, role, years, practice_group, hours_per_month, cadence, tz, joined_at, updated_at) VALUES ($1, $2, $3, 'Tax', 2, 'weekly', 'Europe/London', $4, $4)")
                .bind(who)
                .bind(role)
                .bind(years)
                .bind(now)
                .execute(pool)
                .await
                .expect("participant");
        }
        let pair: i64 = sqlx::query_scalar("INSERT INTO pairs (junior_id, senior_id, status, created_at, channel) VALUES ($1, $2, 'active', $3, $4) RETURNING id")
            .bind(&j)
            .bind(&s)
            .bind(now - 7 * 86_400)
            .bind(group(i))
            .fetch_one(pool)
            .await
            .expect("pair");
        sqlx::query("INSERT INTO jobs (kind, pair_id, due_at, state, key, updated_at) VALUES ('checkin', $1, $2, 'pending', $3, $4)")
            .bind(pair)
            .bind(now + 86_400)
            .bind(format!("checkin:{pair}"))
            .bind(now)
            .execute(pool)
            .await
            .expect("job");
    }
}

/// Moves the pending jobs of `kind` to `at`.
async fn make_due(store: &Store, kind: &str, at: i64) -> u64 {
    let tandem::outbound::store::Pool::Postgres(pool) = store.pool() else {
        unreachable!()
    };
    sqlx::query("UPDATE jobs SET due_at = $1 WHERE kind = $2 AND state = 'pending'")
        .bind(at)
        .bind(kind)
        .execute(pool)
        .await
        .expect("move jobs")
        .rows_affected()
}

async fn wait_db<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(t) = check().await {
            return t;
        }
        assert!(Instant::now() < deadline, "still waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn posts_in(fake: &FakeSlack, channel: &str) -> usize {
    fake.ok_calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.body["channel"] == channel)
        .count()
}

#[tokio::test]
async fn two_replicas_share_the_work_and_one_takes_over_when_the_other_dies() {
    let Some(server) = test_server() else {
        println!(
            "replicas: skipped (TANDEM_TEST_DATABASE_URL is not set; the two-replica test needs PostgreSQL)"
        );
        return;
    };
    let started = Instant::now();
    let db = ScratchDatabase::create(&server)
        .await
        .expect("a scratch database");
    let store = Store::open(&db.url).await.expect("open");
    store.migrate().await.expect("migrate");
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .expect("the fake Slack starts");
    fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    fake.add_user(ALICE, "Alice Archer", "Europe/London");
    fake.add_user(BOB, "Bob Brennan", "Europe/London");
    fake.add_channel(MANAGERS);
    seed(&store, &fake).await;

    let mut replicas = [
        Replica::start(&fake, &db.url),
        Replica::start(&fake, &db.url),
    ];
    for r in &replicas {
        r.wait_for_log("Tandem is listening").await;
    }
    // Requests to both: status and joins, alternating.
    for (i, r) in replicas.iter().enumerate() {
        let res = r.driver.command(ADMIN, "status").await;
        assert_eq!(res.status, 200, "replica {i} answers /mentor status");
    }
    join(
        &replicas[0],
        &fake,
        ALICE,
        &answers(Role::Associate, 2, &["ai_drafting"], &["client_management"]),
    )
    .await;
    join(
        &replicas[1],
        &fake,
        BOB,
        &answers(Role::Partner, 20, &["client_management"], &["ai_drafting"]),
    )
    .await;

    // The scheduled summary and round fall due while both run (each was queued once, by whichever started first).
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        make_due(&store, "summary", now).await,
        1,
        "one summary queued by two replicas"
    );
    assert_eq!(
        make_due(&store, "scheduled_round", now).await,
        1,
        "one round queued by two replicas"
    );
    // Wake both (their loops sleep until the next due job): a request to each queues work due now.
    for r in &replicas {
        let _ = r.driver.command(ADMIN, "status").await;
    }
    fake.wait_until(DEADLINE, |f| {
        (posts_in(f, MANAGERS) >= 1)
            .then_some(())
            .ok_or("no summary".to_string())
    })
    .await
    .expect("the summary is posted");
    wait_db("the round's review message", async || {
        let tandem::outbound::store::Pool::Postgres(pool) = store.pool() else {
            unreachable!()
        };
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposal_reviews")
            .fetch_one(pool)
            .await
            .ok()?;
        (n >= 1).then_some(())
    })
    .await;

    println!(
        "replicas: {:.1}s: summary and review posted",
        started.elapsed().as_secs_f64()
    );
    // 200 check-ins fall due while every delivery hangs: each replica has its claimed batch in flight.
    fake.hang("chat.postMessage");
    let due = chrono::Utc::now().timestamp();
    assert_eq!(make_due(&store, "checkin", due).await, PAIRS as u64);
    for r in &replicas {
        let _ = r.driver.command(ADMIN, "status").await;
    }
    fake.wait_until(DEADLINE, |f| {
        let hung = f
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.status == 0)
            .count();
        (hung >= IN_FLIGHT)
            .then_some(())
            .ok_or(format!("{hung} deliveries in flight"))
    })
    .await
    .expect("deliveries in flight");
    // The replica holding most check-ins dies mid-batch.
    let held: Vec<(String, i64)> = wait_db("claimed check-ins", async || {
        let tandem::outbound::store::Pool::Postgres(pool) = store.pool() else { unreachable!() };
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT claimed_by, COUNT(*) FROM jobs WHERE kind = 'checkin' AND state = 'running' GROUP BY claimed_by ORDER BY 2 DESC")
            .fetch_all(pool).await.ok()?;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    let victim_pid = held[0]
        .0
        .split(':')
        .nth(1)
        .expect("host:pid:random")
        .to_string();
    let victim = replicas
        .iter()
        .position(|r| r.child.id().to_string() == victim_pid)
        .expect("the holder is one of the two replicas");
    let survivor = 1 - victim;
    let victim_id = held[0].0.clone();
    println!(
        "replicas: {:.1}s: replica {victim} holds {} check-ins, killing it",
        started.elapsed().as_secs_f64(),
        held[0].1
    );
    let dead_in_flight = fake.calls_to("chat.postMessage").len();
    replicas[victim].kill9();
    fake.heal("chat.postMessage");
    let _ = replicas[survivor].driver.command(ADMIN, "status").await;

    // Every check-in is delivered, by the survivor (its own and, once their leases expire, the dead one's).
    fake.wait_until(DEADLINE, |f| {
        let missing = (0..PAIRS).filter(|i| posts_in(f, &group(*i)) == 0).count();
        (missing == 0)
            .then_some(())
            .ok_or(format!("{missing} pairs without a check-in"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "replicas: {:.1}s: every check-in delivered",
        started.elapsed().as_secs_f64()
    );
    let per_pair: Vec<usize> = (0..PAIRS).map(|i| posts_in(&fake, &group(i))).collect();
    let duplicates: usize = per_pair.iter().map(|n| n - 1).sum();
    assert!(
        duplicates <= IN_FLIGHT,
        "{duplicates} duplicate check-ins; at most {IN_FLIGHT} were in flight on the dead replica ({dead_in_flight} calls before the kill)"
    );
    let tandem::outbound::store::Pool::Postgres(pool) = store.pool() else {
        unreachable!()
    };
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'checkin' AND pair_id IS NOT NULL AND state IN ('pending', 'running') AND due_at <= $1")
        .bind(due)
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(left, 0, "no check-in due now is left undone");
    let by_victim: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'checkin' AND state = 'done' AND claimed_by = $1",
    )
    .bind(&victim_id)
    .fetch_one(pool)
    .await
    .expect("count");
    assert_eq!(
        by_victim, 0,
        "the dead replica's check-ins were taken over and done by the survivor"
    );
    // Once each: one summary at its time, one review message for the round (one admin).
    assert_eq!(
        posts_in(&fake, MANAGERS),
        1,
        "one summary per scheduled time"
    );
    let reviews: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposal_reviews")
        .fetch_one(pool)
        .await
        .expect("count");
    let proposals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposals")
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(
        (proposals, reviews),
        (1, 1),
        "one round, one review message"
    );
    store.close().await;
    println!(
        "replicas: passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// Two replicas in Socket Mode on one database: each opens its own connection to Slack, the envelopes Slack spreads
/// across them are handled by both, and an event delivered on both connections at once (Slack re-delivering it on
/// the other connection) has one effect: one replica handles it, the other finds it handled.
#[tokio::test]
async fn in_socket_mode_each_replica_holds_a_connection_and_a_redelivered_event_acts_once() {
    let Some(server) = test_server() else {
        println!(
            "replicas (Socket Mode): skipped (TANDEM_TEST_DATABASE_URL is not set; the two-replica test needs PostgreSQL)"
        );
        return;
    };
    let db = ScratchDatabase::create(&server)
        .await
        .expect("a scratch database");
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .expect("the fake Slack starts");
    let people: Vec<String> = (0..6).map(|i| format!("UHOME{i:04}")).collect();
    for p in &people {
        fake.add_user(p, p, "Europe/London");
    }
    let socket_env = [
        ("SLACK_APP_TOKEN", SANDBOX_APP_TOKEN),
        // Says which replica found an event already handled.
        ("RUST_LOG", "info,tandem::inbound::dispatch=debug"),
    ];
    let replicas = [
        Replica::start_with(&fake, &db.url, &socket_env),
        Replica::start_with(&fake, &db.url, &socket_env),
    ];
    let socket = fake.socket();
    socket
        .wait_open(2, DEADLINE)
        .await
        .expect("each replica opens its own Socket Mode connection");
    let opened = fake.calls_to("apps.connections.open");
    assert_eq!(opened.len(), 2, "one apps.connections.open per replica");
    assert!(
        opened
            .iter()
            .all(|c| c.token.as_deref() == Some(SANDBOX_APP_TOKEN)),
        "opened with the app token"
    );

    // Envelopes spread across both connections: each replica acknowledges its share, and every event has its effect.
    let home = |id: &str, user: &str| serde_json::json!({"type": "event_callback", "event_id": id, "team_id": "T0TANDEM", "event": tandem::sandbox::driver::app_home_opened(user)});
    for (i, p) in people.iter().enumerate() {
        socket
            .send("events_api", home(&format!("EvSpread{i}"), p), DEADLINE)
            .await
            .expect("acknowledged");
    }
    assert_eq!(
        socket.acks_by_connection(),
        vec![3, 3],
        "both replicas acknowledged their share of the envelopes"
    );
    let published = |f: &FakeSlack, user: &str| {
        f.ok_calls_to("views.publish")
            .iter()
            .filter(|c| c.body["user_id"] == user)
            .count()
    };
    fake.wait_until(DEADLINE, |f| {
        let missing = people.iter().filter(|p| published(f, p) == 0).count();
        (missing == 0)
            .then_some(())
            .ok_or(format!("{missing} Home tabs not published"))
    })
    .await
    .expect("every event handled by the replica that received it");

    // The same event on both connections at once: acknowledged on both, handled once.
    let twice = &people[0];
    let before = published(&fake, twice);
    let acks = socket
        .send_on_each("events_api", home("EvTwice", twice), DEADLINE)
        .await
        .expect("acknowledged on both connections");
    assert_eq!(acks.len(), 2);
    let duplicates = |r: &Replica| {
        r.log
            .borrow()
            .iter()
            .filter(|l| l.contains("duplicate event ignored") && l.contains("EvTwice"))
            .count()
    };
    // Both handlers have returned (both acknowledged), so each replica's verdict is in its log or never will be.
    let deadline = Instant::now() + DEADLINE;
    let (mut rx0, mut rx1) = (replicas[0].log.clone(), replicas[1].log.clone());
    let dups = loop {
        let dups = duplicates(&replicas[0]) + duplicates(&replicas[1]);
        if dups >= 1 || Instant::now() >= deadline {
            break dups;
        }
        // Wait for either log to grow.
        let _ = tokio::time::timeout(deadline - Instant::now(), async {
            tokio::select! {
                _ = rx0.changed() => {}
                _ = rx1.changed() => {}
            }
        })
        .await;
    };
    assert_eq!(
        dups, 1,
        "exactly one replica found the re-delivered event already handled"
    );
    fake.wait_until(DEADLINE, |f| {
        (published(f, twice) > before)
            .then_some(())
            .ok_or("the event had no effect".to_string())
    })
    .await
    .expect("the event has its effect");
    // The effect is done (no Home tab refresh left queued), so the count is final.
    let store = Store::open(&db.url).await.expect("open");
    wait_db("every Home tab refresh done", async || {
        let tandem::outbound::store::Pool::Postgres(pool) = store.pool() else {
            unreachable!()
        };
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'home_refresh' AND state IN ('pending', 'running')",
        )
        .fetch_one(pool)
        .await
        .ok()?;
        (n == 0).then_some(())
    })
    .await;
    assert_eq!(
        published(&fake, twice),
        before + 1,
        "one Home tab publication for the event delivered twice"
    );
    store.close().await;
}
