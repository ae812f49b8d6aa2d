//! A big firm (issue 11, point 8): the real release `tandem serve` over a database seeded with 20,000 participants
//! and 10,000 active pairs, against the sandbox's fake Slack with Slack-like message limits.
//!
//!     cargo bench --bench bigfirm
//!     cargo bench --bench bigfirm -- --participants 2000 --pairs 1000      # a quick run
//!
//! Options: `--participants N` (20000), `--pairs N` (10000), `--unpaired N` (participants / 10: people in no
//! current pair, so a matching round has work), `--ceiling N` (600 messages a minute, the workspace ceiling, as in
//! the delivery bench; 1 a second per channel), `--status-requests N` (200), `--report-requests N` (20),
//! `--seed N`, `--no-checkins` (skip the last phase), `--keep` (keep the database and Tandem's log).
//!
//! On PostgreSQL (issue 15, point 6): `--postgres URL` (a server, e.g. what `scripts/pg-test-server.sh start` prints)
//! seeds the usual SQLite file, copies it with `tandem migrate-store` to a fresh database `tandem_t_<random>` on
//! that server (dropped at the end unless `--keep`), and runs `tandem serve` with `DATABASE_URL` naming it.
//! `--replicas N` (1; more needs `--postgres`) starts N `tandem serve` processes on that one database and sends
//! the requests to each in turn; the memory figures are then the largest of the replicas'.
//!
//!     cargo bench --bench bigfirm -- --postgres "$(scripts/pg-test-server.sh start)" --replicas 2
//!
//! Everything goes through public interfaces: `tandem migrate` and `tandem serve` as child processes configured by
//! environment variables, the database schema (seeded with sqlx in one transaction before Tandem starts; jobs made
//! due with SQL), signed HTTP requests (`tandem::inbound::signature`), and the sandbox's fake Slack in another child
//! process (this binary re-executed with `--fake`), so the memory figures are Tandem's alone.
//! From the library it takes only the built-in skill catalog and practice groups (`Catalog::default()`), to seed
//! valid answers, and the HTTP client the delivery bench uses.
//!
//! Phases: start (time to `/healthz`, idle RSS); `/mentor status` latency; `/mentor report` latency (an admin);
//! a live round (`/mentor match` until the fake receives the review DM to the admin, with `/mentor help` every
//! 50 ms meanwhile); every pair's check-in made due at once (SQL) and delivered against the rate-limited fake, with
//! `/mentor status` twice a second and a second round asked for while the batch drains. Prints a table of figures
//! against the targets; exits non-zero if a check-in is missing or delivered twice, or a phase fails outright.

use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tandem::inbound::signature;
use tandem::outbound::store::scratch::ScratchDatabase;
use tandem::outbound::store::{Store, shown_url};
use tandem::sandbox::{FakeSlack, MessageLimits, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN};
use tokio::sync::mpsc;

const ADMIN: &str = "U0ADMIN01";
const MANAGER_CHANNEL: &str = "C0MANAGERS";
const SIGNING_SECRET: &str = "bigfirm-bench-signing-secret";
const DAY: i64 = 86_400;

// ---------------------------------------------------------------------------------------------------------------
// Options

#[derive(Debug, Clone)]
struct Opts {
    participants: usize,
    pairs: usize,
    unpaired: usize,
    ceiling: f64,
    status_requests: usize,
    report_requests: usize,
    seed: u64,
    checkins: bool,
    keep: bool,
    /// A PostgreSQL server to run on (a fresh database is made on it), instead of the SQLite file.
    postgres: Option<String>,
    replicas: usize,
}

impl Opts {
    fn parse() -> Opts {
        let args: Vec<String> = std::env::args().collect();
        let value = |name: &str| {
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1))
                .cloned()
        };
        let num = |name: &str, default: f64| -> f64 {
            value(name)
                .map(|v| {
                    v.replace(['_', ','], "").parse().unwrap_or_else(|_| {
                        eprintln!("bigfirm: {name} takes a number, not {v:?}");
                        std::process::exit(2)
                    })
                })
                .unwrap_or(default)
        };
        let participants = num("--participants", 20_000.0) as usize;
        let pairs = num("--pairs", 10_000.0) as usize;
        Opts {
            participants,
            pairs,
            unpaired: num("--unpaired", (participants / 10) as f64) as usize,
            ceiling: num("--ceiling", 600.0),
            status_requests: num("--status-requests", 200.0) as usize,
            report_requests: num("--report-requests", 20.0) as usize,
            seed: num("--seed", 11.0) as u64,
            checkins: !args.iter().any(|a| a == "--no-checkins"),
            keep: args.iter().any(|a| a == "--keep"),
            postgres: value("--postgres"),
            replicas: (num("--replicas", 1.0) as usize).max(1),
        }
    }

    /// Pairs of an earlier cohort, finished (history for matching, feedback for the report).
    fn completed(&self) -> usize {
        self.pairs / 5
    }
}

/// A pair's group DM, known to the fake (current pairs first, then the earlier cohort's).
fn channel(i: usize) -> String {
    format!("G{i:09}")
}

fn user(i: usize) -> String {
    format!("U{i:08}")
}

// ---------------------------------------------------------------------------------------------------------------
// The fake Slack, in its own process. Commands on stdin, one a line; answers on stdout, one a line:
//   watch USER  → later "review <text>" once a new message reaches USER's DM (or "review-timeout")
//   stats       → "stats {json}" about the pairs' group DMs (channels G…)

async fn fake_main(opts: Opts) {
    use tokio::io::AsyncBufReadExt;
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .expect("the fake starts");
    fake.stop_recording();
    for i in 0..opts.participants {
        fake.add_user(&user(i), &format!("Attorney {i}"), "America/New_York");
    }
    fake.add_user(ADMIN, "Program Admin", "America/New_York");
    let channels: Vec<String> = (0..opts.pairs + opts.completed()).map(channel).collect();
    fake.add_channels(channels.iter().map(String::as_str));
    fake.add_channel(MANAGER_CHANNEL);
    fake.set_message_limits(MessageLimits {
        per_channel_per_sec: 1.0,
        workspace_per_min: opts.ceiling,
    });
    println!("{}", fake.api_url());
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["watch", who] => {
                let who = who.to_string();
                let before = fake.dms_to(&who).len();
                let fake = fake.clone();
                tokio::spawn(async move {
                    let found = fake
                        .wait_until(Duration::from_secs(3600), |f| {
                            // The charts that follow `/mentor report` also reach the admin's DM (a caption, then
                            // the file): not a review.
                            f.dms_to(&who)
                                .iter()
                                .skip(before)
                                .filter(|m| m.get("files").is_none())
                                .map(|m| m["text"].as_str().unwrap_or_default().to_string())
                                .find(|t| {
                                    !t.is_empty()
                                        && t != tandem::views::summary::CHART_CAPTION
                                        && !t.starts_with("No chart with this report")
                                })
                                .ok_or_else(|| format!("no new DM to {who}"))
                        })
                        .await;
                    match found {
                        Ok(text) => println!(
                            "review {}",
                            text.chars()
                                .take(120)
                                .collect::<String>()
                                .replace('\n', " ")
                        ),
                        Err(_) => println!("review-timeout"),
                    }
                });
            }
            ["stats"] => {
                let (mut channels, mut messages, mut max) = (0u64, 0u64, 0u64);
                for (c, n) in fake.message_counts() {
                    if c.starts_with('G') {
                        channels += 1;
                        messages += n as u64;
                        max = max.max(n as u64);
                    }
                }
                println!(
                    "stats {}",
                    json!({ "channels": channels, "messages": messages, "max_per_channel": max,
                            "rate_limited": fake.rate_limited(), "admin_dms": fake.dms_to(ADMIN).len() })
                );
            }
            _ => eprintln!("fake: unknown command {line:?}"),
        }
    }
}

/// The parent's handle on the fake: its stdin, and its stdout lines with the instant each arrived.
struct Fake {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<(String, Instant)>,
    /// Lines received while waiting for another kind.
    stash: Vec<(String, Instant)>,
    api_url: String,
}

impl Fake {
    async fn start(opts: &Opts) -> Fake {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .args([
                "--fake",
                "--participants",
                &opts.participants.to_string(),
                "--pairs",
                &opts.pairs.to_string(),
                "--ceiling",
                &opts.ceiling.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the fake starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, mut lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((line, Instant::now())).is_err() {
                    break;
                }
            }
        });
        let api_url = match tokio::time::timeout(Duration::from_secs(60), lines.recv()).await {
            Ok(Some((url, _))) => url.trim().to_string(),
            _ => fail("the fake Slack did not start"),
        };
        Fake {
            child,
            stdin,
            lines,
            stash: Vec::new(),
            api_url,
        }
    }

    fn send(&mut self, command: &str) {
        let _ = writeln!(self.stdin, "{command}");
        let _ = self.stdin.flush();
    }

    /// A line starting with `prefix` already received (others stay for later), with when it arrived.
    fn take(&mut self, prefix: &str) -> Option<(String, Instant)> {
        while let Ok(line) = self.lines.try_recv() {
            self.stash.push(line);
        }
        let i = self.stash.iter().position(|(l, _)| l.starts_with(prefix))?;
        let (line, at) = self.stash.remove(i);
        Some((line[prefix.len()..].trim().to_string(), at))
    }

    /// The next line starting with `prefix` (others stay for later), with when it arrived.
    async fn expect(&mut self, prefix: &str, timeout: Duration) -> Option<(String, Instant)> {
        if let Some(found) = self.take(prefix) {
            return Some(found);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some((line, at))) if line.starts_with(prefix) => {
                    return Some((line[prefix.len()..].trim().to_string(), at));
                }
                Ok(Some(other)) => self.stash.push(other),
                _ => return None,
            }
        }
    }

    async fn stats(&mut self) -> Value {
        self.send("stats");
        match self.expect("stats ", Duration::from_secs(30)).await {
            Some((json, _)) => serde_json::from_str(&json).unwrap_or(Value::Null),
            None => Value::Null,
        }
    }

    fn stop(mut self) {
        drop(self.stdin);
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A deterministic generator (splitmix64), so every run seeds the same firm.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    /// An item by weight.
    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total as usize) as u32;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
    /// `k` distinct items, popular ones (early in the list) more often (weight 1/(rank+1)).
    fn zipf_distinct(&mut self, items: &[String], k: usize) -> Vec<String> {
        let weighted: Vec<(usize, u32)> = (0..items.len())
            .map(|r| (r, 1000 / (r as u32 + 1)))
            .collect();
        let mut picked: Vec<String> = Vec::new();
        for _ in 0..k * 8 {
            if picked.len() == k.min(items.len()) {
                break;
            }
            let s = &items[*self.weighted(&weighted)];
            if !picked.contains(s) {
                picked.push(s.clone());
            }
        }
        picked.sort();
        picked
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding

const JUNIOR_ROLES: &[((&str, i64, i64), u32)] = &[
    (("junior_associate", 0, 3), 25),
    (("associate", 2, 6), 35),
    (("senior_associate", 5, 9), 20),
    (("counsel", 6, 11), 8),
    (("legal_operations", 1, 10), 7),
    (("paralegal", 0, 10), 5),
];
const SENIOR_ROLES: &[((&str, i64, i64), u32)] = &[
    (("partner", 12, 40), 60),
    (("of_counsel", 15, 40), 15),
    (("senior_counsel", 12, 30), 10),
    (("general_counsel", 18, 38), 5),
    (("deputy_gc", 14, 32), 10),
];
const ZONES: &[(&str, u32)] = &[
    ("America/New_York", 35),
    ("Europe/London", 25),
    ("America/Chicago", 10),
    ("America/Los_Angeles", 10),
    ("Europe/Berlin", 8),
    ("Asia/Singapore", 5),
    ("Asia/Hong_Kong", 4),
    ("Australia/Sydney", 3),
];
const HOURS: &[(i64, u32)] = &[(1, 20), (2, 45), (4, 25), (6, 10)];
const CADENCES: &[((&str, i64), u32)] = &[
    (("weekly", 7), 25),
    (("biweekly", 14), 50),
    (("monthly", 30), 25),
];
/// Given names and surnames for display names, space-separated.
const FIRST: &str = "Alex Priya Jordan Mei Samuel Fatima Noah Elena Omar Grace Lucas Aisha Daniel Sofia Kenji Hannah";
const LAST: &str = "Okafor Lindqvist Chen Alvarez Murphy Nakamura Schmidt Haddad Brennan Kowalski Patel Rossi Osei";
const OBJECTIVES: &[&str] = &[
    "Get comfortable with our e-discovery platform and AI research tools; in return, learn how to run a client call.",
    "Build a personal brand on LinkedIn; learn how partners think about business development.",
    "Use the CLM tool for the next two deals; learn to delegate and give feedback on drafts.",
    "Set up a shared matter workspace; learn negotiation from live deals.",
];

struct Person {
    id: String,
    senior: bool,
    cadence: (&'static str, i64),
    capacity: i64,
    paused: bool,
}

/// What the seeding produced that the phases need.
struct Seeded {
    /// Users for `/mentor status`: paired juniors, paired seniors, unpaired people, in turn.
    status_users: Vec<String>,
    rows: u64,
}

async fn open_pool(url: &str) -> SqlitePool {
    let options = SqliteConnectOptions::from_str(url)
        .expect("database URL")
        .busy_timeout(Duration::from_secs(30));
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("the database opens")
}

/// Seeds the firm in one transaction: participants with survey answers and skills, the current pairs (group DM,
/// plan for most, past check-ins with answers, the next check-in and the closing queued), an earlier cohort's
/// finished pairs with feedback, anonymous program events and some exclusions.
async fn seed(pool: &SqlitePool, opts: &Opts, now: i64) -> Seeded {
    let mut rng = Rng(opts.seed);
    let catalog = tandem::domain::catalog::Catalog::default();
    let tech: Vec<String> = catalog
        .skills
        .iter()
        .filter(|s| s.group == tandem::domain::catalog::SkillGroup::Technology)
        .map(|s| s.id.clone())
        .collect();
    let practice: Vec<String> = catalog
        .skills
        .iter()
        .filter(|s| s.group == tandem::domain::catalog::SkillGroup::Practice)
        .map(|s| s.id.clone())
        .collect();
    let groups = catalog.practice_groups.clone();
    let first: Vec<&str> = FIRST.split_whitespace().collect();
    let last: Vec<&str> = LAST.split_whitespace().collect();

    let (n, k, u) = (opts.participants, opts.pairs, opts.unpaired);
    let paired_seniors = n.saturating_sub(u).saturating_sub(k);
    if paired_seniors == 0 || paired_seniors > k || k == 0 {
        fail(&format!(
            "{n} participants, {k} pairs and {u} unpaired do not fit: the {} paired seniors must be between 1 and the number of pairs",
            n as i64 - u as i64 - k as i64
        ));
    }
    // Shuffled IDs, so paired and unpaired people interleave in user-ID order.
    let mut ids: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i + 1);
        ids.swap(i, j);
    }
    let unpaired_juniors = u * 55 / 100;
    let mut people: Vec<Person> = Vec::with_capacity(n);
    for (slot, &id) in ids.iter().enumerate() {
        let senior = slot >= k
            && (slot < k + paired_seniors || slot >= k + paired_seniors + unpaired_juniors);
        let unpaired = slot >= k + paired_seniors;
        let cadence = *rng.weighted(CADENCES);
        people.push(Person {
            id: user(id),
            senior,
            cadence,
            capacity: if !senior {
                1
            } else if unpaired {
                *rng.weighted(&[(1i64, 75), (2, 20), (3, 5)])
            } else {
                1
            },
            paused: unpaired && rng.chance(0.03),
        });
    }
    let juniors: Vec<usize> = (0..k).collect();
    let seniors: Vec<usize> = (k..k + paired_seniors).collect();
    // Pair j: junior j with senior j mod S; a senior with two pairs has capacity two.
    for j in 0..k {
        let s = seniors[j % paired_seniors];
        if j >= paired_seniors {
            people[s].capacity += 1;
        }
    }
    // 5% of paired seniors have room for one more (they come into the round).
    for &s in &seniors {
        if rng.chance(0.05) {
            people[s].capacity += 1;
        }
    }
    let all_seniors: Vec<usize> = (0..n).filter(|&i| people[i].senior).collect();

    let mut tx = pool.begin().await.expect("transaction");
    let mut rows = 0u64;
    for p in &people {
        let (role, lo, hi) = if p.senior {
            *rng.weighted(SENIOR_ROLES)
        } else {
            *rng.weighted(JUNIOR_ROLES)
        };
        let years = rng.range(lo, hi);
        let reports_to = (!p.senior && rng.chance(0.08))
            .then(|| people[all_seniors[rng.below(all_seniors.len())]].id.clone());
        let joined = now - rng.range(30, 365) * DAY;
        // The survey had a free-text note until migration 0013; the draw stays so that a seed gives the same firm.
        let _note = rng.chance(0.1);
        sqlx::query(
            "INSERT INTO participants (user_id, role, years, practice_group, hours_per_month, cadence, reports_to, tz,
                                       capacity, paused, paused_until, joined_at, updated_at, display_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
        )
        .bind(&p.id)
        .bind(role)
        .bind(years)
        .bind(&groups[rng.below(groups.len())])
        .bind(*rng.weighted(HOURS))
        .bind(p.cadence.0)
        .bind(reports_to)
        .bind(*rng.weighted(ZONES))
        .bind(p.capacity)
        .bind(p.paused)
        .bind(joined)
        .bind(joined)
        .bind(format!(
            "{} {}",
            first[rng.below(first.len())],
            last[rng.below(last.len())]
        ))
        .execute(&mut *tx)
        .await
        .expect("participant");
        rows += 1;
        let (teach_n, learn_n) = if p.senior {
            (2 + rng.below(4), 1 + rng.below(3))
        } else {
            (2 + rng.below(3), 2 + rng.below(3))
        };
        let (own, other) = if p.senior {
            (&practice, &tech)
        } else {
            (&tech, &practice)
        };
        let mut teach = rng.zipf_distinct(own, teach_n);
        if rng.chance(if p.senior { 0.1 } else { 0.15 }) {
            teach.extend(rng.zipf_distinct(other, 1));
        }
        let mut learn = rng.zipf_distinct(other, learn_n);
        learn.retain(|s| !teach.contains(s));
        for (direction, skills) in [("teach", teach), ("learn", learn)] {
            for skill in skills {
                sqlx::query("INSERT OR IGNORE INTO participant_skills (user_id, direction, skill) VALUES (?, ?, ?)")
                    .bind(&p.id)
                    .bind(direction)
                    .bind(skill)
                    .execute(&mut *tx)
                    .await
                    .expect("skill");
                rows += 1;
            }
        }
        sqlx::query("INSERT INTO program_events (kind, at) VALUES ('joined', ?)")
            .bind(joined)
            .execute(&mut *tx)
            .await
            .expect("event");
        rows += 1;
        if p.paused {
            sqlx::query("INSERT INTO program_events (kind, at) VALUES ('paused', ?)")
                .bind(now - rng.range(1, 30) * DAY)
                .execute(&mut *tx)
                .await
                .expect("event");
            rows += 1;
        }
    }
    // People who joined and left (anonymous events only).
    for _ in 0..n / 50 {
        let joined = now - rng.range(60, 365) * DAY;
        for (kind, at) in [
            ("joined", joined),
            ("left", joined + rng.range(7, 50) * DAY),
        ] {
            sqlx::query("INSERT INTO program_events (kind, at) VALUES (?, ?)")
                .bind(kind)
                .bind(at)
                .execute(&mut *tx)
                .await
                .expect("event");
            rows += 1;
        }
    }

    // The earlier cohort: finished pairs with check-ins and feedback (IDs first, so current pairs come after).
    let mut ts_seq = 0u64;
    let mut ts = || {
        ts_seq += 1;
        format!("{}.{:06}", 1_690_000_000 + ts_seq, ts_seq % 1_000_000)
    };
    for c in 0..opts.completed() {
        let j = juniors[rng.below(juniors.len())];
        let s = all_seniors[rng.below(all_seniors.len())];
        let created = now - rng.range(220, 300) * DAY;
        let ended = created + 120 * DAY;
        let pair: i64 = sqlx::query_scalar(
            "INSERT INTO pairs (junior_id, senior_id, status, created_at, ended_at, channel, last_met_at, score, explanation)
             VALUES (?, ?, 'completed', ?, ?, ?, ?, ?, '{}') RETURNING id",
        )
        .bind(&people[j].id)
        .bind(&people[s].id)
        .bind(created)
        .bind(ended)
        .bind(channel(opts.pairs + c))
        .bind(ended - 10 * DAY)
        .bind(rng.range(40, 140))
        .fetch_one(&mut *tx)
        .await
        .expect("completed pair");
        rows += 1;
        for w in 1..=4 {
            rows += insert_checkin(
                &mut tx,
                &mut rng,
                pair,
                [&people[j].id, &people[s].id],
                created + (w - 1) * 28 * DAY,
                created + w * 28 * DAY,
                false,
                &ts(),
            )
            .await;
        }
        for who in [&people[j].id, &people[s].id] {
            if rng.chance(0.8) {
                sqlx::query("INSERT INTO feedback (pair_id, user_id, rating, learned, recommend, at) VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(pair)
                    .bind(who)
                    .bind(rng.range(3, 5))
                    .bind(rng.chance(0.5).then_some("How to use the research tools properly; how clients think."))
                    .bind(rng.chance(0.9))
                    .bind(ended)
                    .execute(&mut *tx)
                    .await
                    .expect("feedback");
                rows += 1;
            }
        }
    }

    // The current pairs.
    for j in 0..k {
        let (jp, sp) = (&people[juniors[j]], &people[seniors[j % paired_seniors]]);
        let created = now - rng.range(14, 98) * DAY;
        let at_risk = rng.chance(0.03);
        let explanation = json!({
            "for_senior": format!("<@{}> can show you {} and wants to learn what you know about clients.", jp.id, "the firm's AI research tools"),
            "for_junior": format!("<@{}> has years of client work to share and wants to learn {}.", sp.id, "e-discovery platforms"),
            "junior_teaches": ["AI-assisted legal research", "E-discovery platforms (Relativity, Everlaw, ...)"],
            "senior_teaches": ["Client management", "Negotiation"],
        });
        let pair: i64 = sqlx::query_scalar(
            "INSERT INTO pairs (junior_id, senior_id, status, created_at, channel, score, explanation) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&jp.id)
        .bind(&sp.id)
        .bind(if at_risk { "at_risk" } else { "active" })
        .bind(created)
        .bind(channel(j))
        .bind(rng.range(40, 140))
        .bind(explanation.to_string())
        .fetch_one(&mut *tx)
        .await
        .expect("pair");
        rows += 1;
        // The slower cadence of the two, or the plan's; the end date from the plan, or four months after the start.
        let mut interval = jp.cadence.1.max(sp.cadence.1);
        let mut end = created + 120 * DAY;
        if rng.chance(0.7) {
            let (cadence, days) = *rng.weighted(CADENCES);
            interval = days;
            end = created + rng.range(150, 200) * DAY;
            let date = |t: i64| {
                chrono::DateTime::from_timestamp(t, 0)
                    .unwrap_or_default()
                    .format("%Y-%m-%d")
                    .to_string()
            };
            sqlx::query("INSERT INTO plans (pair_id, objective, cadence, end_date, first_meeting, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(pair)
                .bind(OBJECTIVES[rng.below(OBJECTIVES.len())])
                .bind(cadence)
                .bind(date(end))
                .bind(date(created + 7 * DAY))
                .bind(created + 3 * DAY)
                .execute(&mut *tx)
                .await
                .expect("plan");
            rows += 1;
        }
        // Past check-ins; an active pair's last one has a "met" (so no stall nudge follows the next one).
        let past = ((now - created) / (interval * DAY)).clamp(0, 10);
        let mut since = created;
        let mut last_met = None;
        for w in 1..=past {
            let sent = created + w * interval * DAY;
            let last = w == past;
            rows += insert_checkin(
                &mut tx,
                &mut rng,
                pair,
                [&jp.id, &sp.id],
                since,
                sent,
                last && !at_risk,
                &ts(),
            )
            .await;
            if !(at_risk && w + 1 >= past) {
                last_met = Some(sent + 2 * 3600);
            }
            since = sent;
        }
        if let Some(met) = last_met {
            sqlx::query("UPDATE pairs SET last_met_at = ? WHERE id = ?")
                .bind(met)
                .bind(pair)
                .execute(&mut *tx)
                .await
                .expect("last met");
        }
        // The next check-in (in the coming week; the check-in phase makes them all due) and the closing.
        for (kind, due) in [("checkin", now + rng.range(1, 7) * DAY), ("closing", end)] {
            sqlx::query("INSERT INTO jobs (kind, pair_id, due_at, state, key, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)")
                .bind(kind)
                .bind(pair)
                .bind(due)
                .bind(format!("{kind}:{pair}"))
                .bind(created)
                .execute(&mut *tx)
                .await
                .expect("job");
            rows += 1;
        }
    }
    // Ethical walls.
    for _ in 0..n / 200 {
        let a = &people[juniors[rng.below(juniors.len())]].id;
        let b = &people[all_seniors[rng.below(all_seniors.len())]].id;
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        sqlx::query(
            "INSERT OR IGNORE INTO exclusions (user_a, user_b, created_at) VALUES (?, ?, ?)",
        )
        .bind(a)
        .bind(b)
        .bind(now - 30 * DAY)
        .execute(&mut *tx)
        .await
        .expect("exclusion");
        rows += 1;
    }
    tx.commit().await.expect("commit");

    let unpaired: Vec<usize> = (k + paired_seniors..n).collect();
    let status_users = (0..opts.status_requests)
        .map(|i| {
            let group: &[usize] = match i % 3 {
                0 => &juniors,
                1 => &seniors,
                _ => &unpaired,
            };
            people[group[rng.below(group.len())]].id.clone()
        })
        .collect();
    Seeded { status_users, rows }
}

/// One check-in with each member's answer (most answer; a "met" mostly). `met_last` forces a "met" from the junior.
#[allow(clippy::too_many_arguments)]
async fn insert_checkin(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    rng: &mut Rng,
    pair: i64,
    members: [&str; 2],
    since: i64,
    sent: i64,
    met_last: bool,
    ts: &str,
) -> u64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO checkins (pair_id, since, sent_at, channel, ts) VALUES (?, ?, ?, NULL, ?) RETURNING id",
    )
    .bind(pair)
    .bind(since)
    .bind(sent)
    .bind(ts)
    .fetch_one(&mut **tx)
    .await
    .expect("checkin");
    let mut rows = 1;
    for (m, who) in members.iter().enumerate() {
        let forced = met_last && m == 0;
        if !forced && !rng.chance(0.75) {
            continue;
        }
        let answer = if forced {
            "met"
        } else {
            *rng.weighted(&[("met", 70), ("not_yet", 26), ("need_help", 4)])
        };
        let met = answer == "met";
        sqlx::query(
            "INSERT INTO checkin_answers (checkin_id, user_id, answer, minutes, covered, usefulness, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(*who)
        .bind(answer)
        .bind(met.then(|| *rng.weighted(&[(30i64, 30), (45, 30), (60, 30), (90, 10)])))
        .bind((met && rng.chance(0.3)).then_some("Walked through the research tool on a live matter."))
        .bind(met.then(|| rng.range(3, 5)))
        .bind(sent + rng.range(1, 48) * 3600)
        .execute(&mut **tx)
        .await
        .expect("answer");
        rows += 1;
    }
    rows
}

// ---------------------------------------------------------------------------------------------------------------
// Slack's side of the wire: signed `/mentor` commands.

#[derive(Clone)]
struct Slack {
    http: reqwest::Client,
    /// Each replica's `/slack/commands`; requests go to each in turn.
    urls: Vec<String>,
    hooks: String,
    seq: Arc<AtomicU64>,
}

struct Answer {
    latency: Duration,
    status: u16,
    body: String,
}

impl Answer {
    fn ok(&self) -> bool {
        self.status == 200 && !self.body.contains("could not do that just now")
    }
}

impl Slack {
    async fn command(&self, user: &str, text: &str) -> Answer {
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let response_url = format!("{}/{n}", self.hooks);
        let trigger = format!("{n}.4744562912.{n:032x}");
        let body = serde_urlencoded::to_string([
            ("token", "legacy-verification-token"),
            ("team_id", "T0TANDEM"),
            ("team_domain", "bigfirm"),
            ("channel_id", "C0GENERAL"),
            ("channel_name", "general"),
            ("user_id", user),
            ("user_name", user),
            ("command", "/mentor"),
            ("text", text),
            ("api_app_id", "A0TANDEM"),
            ("is_enterprise_install", "false"),
            ("response_url", response_url.as_str()),
            ("trigger_id", trigger.as_str()),
        ])
        .expect("form");
        let ts = chrono::Utc::now().timestamp().to_string();
        let sig = signature::sign(SIGNING_SECRET, &ts, body.as_bytes());
        let started = Instant::now();
        let sent = self
            .http
            .post(&self.urls[n as usize % self.urls.len()])
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", sig)
            .body(body)
            .send()
            .await;
        let (status, body) = match sent {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(e) => (0, e.to_string()),
        };
        Answer {
            latency: started.elapsed(),
            status,
            body,
        }
    }
}

/// Sends `/mentor help` every `every` until `stop`, returning each latency (and how many answers were wrong).
fn sample_help(
    slack: Slack,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(Vec<Duration>, usize)> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let (mut latencies, mut bad) = (Vec::new(), 0);
        while !stop.load(Ordering::Relaxed) {
            tick.tick().await;
            let a = slack.command("U00000000", "help").await;
            if !a.ok() || !a.body.contains("ephemeral") {
                bad += 1;
            }
            latencies.push(a.latency);
        }
        (latencies, bad)
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Tandem, the real binary

fn tandem_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tandem"))
}

fn status_kb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
}

fn rss_mb(pid: u32) -> f64 {
    status_kb(pid, "VmRSS:") / 1024.0
}

fn hwm_mb(pid: u32) -> f64 {
    status_kb(pid, "VmHWM:") / 1024.0
}

/// The largest resident set of the replicas (one process unless --replicas).
fn rss_max(pids: &[u32]) -> f64 {
    pids.iter().map(|p| rss_mb(*p)).fold(0.0, f64::max)
}

/// The largest peak resident set of the replicas.
fn hwm_max(pids: &[u32]) -> f64 {
    pids.iter().map(|p| hwm_mb(*p)).fold(0.0, f64::max)
}

/// Starts a phase's own peak: the kernel resets `VmHWM` to the current resident set when 5 is written to
/// `/proc/PID/clear_refs` (Linux ≥ 4.0), so [`hwm_max`] afterwards is the peak of what ran since.
fn reset_hwm(pids: &[u32]) {
    for p in pids {
        if let Err(e) = std::fs::write(format!("/proc/{p}/clear_refs"), "5") {
            eprintln!("  (cannot reset the peak of {p}: {e}; peaks below are since the start)");
        }
    }
}

/// The 1, 5 and 15-minute load averages (other work on the machine shows here).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn fail(message: &str) -> ! {
    eprintln!("bigfirm: FAILED: {message}");
    std::process::exit(1)
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Sorted latencies' quantile.
fn q(sorted: &[Duration], quantile: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * quantile).round() as usize]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// The "matching proposal computed" log lines of Tandem: (people, pairs, ms).
fn matching_logs(log: &Path) -> Vec<(i64, i64, i64)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["message"] == "matching proposal computed")
        .map(|v| {
            (
                v["people"].as_i64().unwrap_or(0),
                v["pairs"].as_i64().unwrap_or(0),
                v["ms"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------

struct Row {
    figure: String,
    value: String,
    target: String,
    ok: Option<bool>,
}

fn row(figure: &str, value: String, target: &str, ok: Option<bool>) -> Row {
    Row {
        figure: figure.to_string(),
        value,
        target: target.to_string(),
        ok,
    }
}

#[tokio::main]
async fn main() {
    let opts = Opts::parse();
    if std::env::args().any(|a| a == "--fake") {
        return fake_main(opts).await;
    }
    if opts.replicas > 1 && opts.postgres.is_none() {
        fail(
            "--replicas needs --postgres URL: replicas share one PostgreSQL database, not an SQLite file",
        );
    }
    let bench_started = Instant::now();
    let load_start = loadavg();
    let mut table: Vec<Row> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    eprintln!(
        "bigfirm: {} participants, {} active pairs ({} unpaired, {} finished pairs from an earlier cohort); ceiling {}/min, 1/s per channel; {} cores",
        opts.participants,
        opts.pairs,
        opts.unpaired,
        opts.completed(),
        opts.ceiling,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    let mut fake = Fake::start(&opts).await;
    let dir = std::env::temp_dir().join(format!("tandem-bigfirm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db_path = dir.join("bigfirm.db");
    let db = format!("sqlite://{}", db_path.display());
    let logs: Vec<PathBuf> = (0..opts.replicas)
        .map(|r| match r {
            0 => dir.join("tandem.log"),
            _ => dir.join(format!("tandem-{}.log", r + 1)),
        })
        .collect();

    // --- Seed, before Tandem starts.
    let t = Instant::now();
    let migrated = Command::new(tandem_bin())
        .arg("migrate")
        .env("DATABASE_URL", &db)
        .stdout(Stdio::null())
        .status()
        .expect("tandem migrate runs");
    if !migrated.success() {
        fail("tandem migrate failed");
    }
    let pool = open_pool(&db).await;
    let now = chrono::Utc::now().timestamp();
    let seeded = seed(&pool, &opts, now).await;
    let db_mb = std::fs::metadata(&db_path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    eprintln!(
        "  seeded {} rows in {:.1} s ({db_mb:.0} MB database, plus WAL)",
        seeded.rows,
        t.elapsed().as_secs_f64()
    );
    pool.close().await;

    // --- On PostgreSQL: the seeded file copied to a fresh database with `tandem migrate-store`.
    let (serve_db, pg_db) = match &opts.postgres {
        None => (db.clone(), None),
        Some(server) => {
            let scratch = ScratchDatabase::create(server).await.unwrap_or_else(|e| {
                fail(&format!(
                    "cannot make a database on {}: {e}",
                    shown_url(server)
                ))
            });
            let t = Instant::now();
            let out = Command::new(tandem_bin())
                .args([
                    "migrate-store",
                    "--from",
                    &db,
                    "--to",
                    &scratch.url,
                    "--force",
                ])
                .output()
                .expect("tandem migrate-store runs");
            if !out.status.success() {
                fail(&format!(
                    "tandem migrate-store failed:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let took = t.elapsed();
            eprintln!(
                "  copied to {} with tandem migrate-store in {}",
                shown_url(&scratch.url),
                ms(took)
            );
            table.push(row(
                "copy SQLite → PostgreSQL (tandem migrate-store)",
                ms(took),
                "",
                None,
            ));
            (scratch.url.clone(), Some(scratch))
        }
    };
    let pool = Store::open(&serve_db).await.expect("the database opens");

    // --- Start `tandem serve`: one process, or --replicas on one PostgreSQL database.
    let spawned = Instant::now();
    let mut children: Vec<Child> = Vec::new();
    let mut bases: Vec<String> = Vec::new();
    for log_path in &logs {
        let port = free_port();
        let log = std::fs::File::create(log_path).expect("log file");
        let tandem = Command::new(tandem_bin())
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SLACK_BOT_TOKEN", SANDBOX_BOT_TOKEN)
            .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
            .env("SLACK_API_URL", &fake.api_url)
            .env("DATABASE_URL", &serve_db)
            .env("TANDEM_LISTEN", format!("127.0.0.1:{port}"))
            .env("TANDEM_ADMINS", ADMIN)
            .env("TANDEM_MANAGER_CHANNEL", MANAGER_CHANNEL)
            .env("TANDEM_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn,tandem::flows::proposals=info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("tandem serve starts");
        children.push(tandem);
        bases.push(format!("http://127.0.0.1:{port}"));
    }
    let pids: Vec<u32> = children.iter().map(Child::id).collect();
    let http = tandem::outbound::slack_api::http_client().expect("HTTP client");
    for ((base, child), log_path) in bases.iter().zip(children.iter_mut()).zip(&logs) {
        let mut healthy = false;
        while spawned.elapsed() < Duration::from_secs(180) {
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                healthy = true;
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                fail(&format!(
                    "tandem serve exited ({status}):\n{}",
                    tail(log_path, 20)
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !healthy {
            fail("tandem serve did not answer /healthz within 180 s");
        }
    }
    let startup = spawned.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle_rss = rss_max(&pids);
    eprintln!(
        "  tandem serve ×{} (pids {pids:?}) on {} healthy after {}; idle RSS {idle_rss:.1} MB",
        pids.len(),
        shown_url(&serve_db),
        ms(startup)
    );
    if pids.len() > 1 {
        table.push(row(
            "replicas (memory figures: the largest)",
            pids.len().to_string(),
            "",
            None,
        ));
    }
    table.push(row(
        "start: spawn → /healthz answers",
        ms(startup),
        "",
        None,
    ));
    table.push(row(
        "RSS idle (VmRSS, 3 s after start)",
        format!("{idle_rss:.1} MB"),
        "< 100 MB",
        Some(idle_rss < 100.0),
    ));

    let slack = Slack {
        http: http.clone(),
        urls: bases
            .iter()
            .map(|b| format!("{b}/slack/commands"))
            .collect(),
        hooks: format!("{}/hooks", fake.api_url.trim_end_matches("/api")),
        seq: Arc::new(AtomicU64::new(0)),
    };

    // --- `/mentor status`, one at a time.
    let mut lat = Vec::new();
    let mut bad = 0;
    for who in &seeded.status_users {
        let a = slack.command(who, "status").await;
        if !a.ok() {
            bad += 1;
        }
        lat.push(a.latency);
    }
    lat.sort();
    eprintln!(
        "  /mentor status ×{}: p50 {}, p99 {}, max {} ({bad} wrong)",
        lat.len(),
        ms(q(&lat, 0.5)),
        ms(q(&lat, 0.99)),
        ms(q(&lat, 1.0))
    );
    table.push(row(
        &format!("/mentor status p50 / p99 / max (×{})", lat.len()),
        format!(
            "{} / {} / {}",
            ms(q(&lat, 0.5)),
            ms(q(&lat, 0.99)),
            ms(q(&lat, 1.0))
        ),
        "",
        None,
    ));
    if bad > 0 {
        failed.push(format!("{bad} /mentor status answers were wrong"));
    }

    // --- `/mentor report` (admin), one at a time.
    let mut lat = Vec::new();
    let mut bad = 0;
    let mut report_bytes = 0;
    let mut first_report_rss = 0.0;
    let before_reports = hwm_max(&pids);
    reset_hwm(&pids);
    for i in 0..opts.report_requests {
        let a = slack.command(ADMIN, "report").await;
        if !a.ok() || !a.body.contains("blocks") {
            bad += 1;
        }
        report_bytes = a.body.len();
        lat.push(a.latency);
        if i == 0 {
            first_report_rss = rss_max(&pids);
        }
    }
    lat.sort();
    let report_rss = rss_max(&pids);
    let report_hwm = hwm_max(&pids);
    eprintln!(
        "  /mentor report ×{}: p50 {}, max {} ({report_bytes} bytes; {bad} wrong); RSS now {report_rss:.1} MB, \
         peak during the reports {report_hwm:.1} MB (before them {before_reports:.1} MB)",
        lat.len(),
        ms(q(&lat, 0.5)),
        ms(q(&lat, 1.0))
    );
    table.push(row(
        &format!("/mentor report p50 / max (×{})", lat.len()),
        format!("{} / {}", ms(q(&lat, 0.5)), ms(q(&lat, 1.0))),
        "< 1 s",
        Some(q(&lat, 1.0) < Duration::from_secs(1)),
    ));
    table.push(row(
        "RSS after the first report / after all / peak meanwhile",
        format!("{first_report_rss:.1} MB / {report_rss:.1} MB / {report_hwm:.1} MB"),
        "< 100 MB",
        Some(report_hwm < 100.0),
    ));
    if bad > 0 {
        failed.push(format!("{bad} /mentor report answers were wrong"));
    }

    // --- A live round: `/mentor match` until the review reaches the admin's DM, `/mentor help` every 50 ms meanwhile.
    fake.send(&format!("watch {ADMIN}"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = sample_help(slack.clone(), Duration::from_millis(50), stop.clone());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before_round = hwm_max(&pids).max(report_hwm).max(before_reports);
    reset_hwm(&pids);
    let asked = Instant::now();
    let answer = slack.command(ADMIN, "match").await;
    if !answer.ok() || !answer.body.contains("Working out") {
        failed.push(format!(
            "/mentor match answered {}: {}",
            answer.status, answer.body
        ));
    }
    let review = fake.expect("review", Duration::from_secs(600)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut help, help_bad) = sampler.await.unwrap_or_default();
    help.sort();
    let round_rss = rss_max(&pids);
    let round_peak = hwm_max(&pids);
    let round_hwm = round_peak.max(before_round);
    let round = match &review {
        Some((text, at)) if !text.starts_with("-timeout") => {
            let took = at.duration_since(asked);
            eprintln!(
                "  round: /mentor match answered in {}, review after {} ({text:?})",
                ms(answer.latency),
                ms(took)
            );
            Some(took)
        }
        _ => {
            failed.push("the round's review never reached the admin".into());
            None
        }
    };
    let computed: Vec<(i64, i64, i64)> = logs.iter().flat_map(|l| matching_logs(l)).collect();
    let (people, proposed, matching_ms) = computed.first().copied().unwrap_or_default();
    eprintln!(
        "  round: {people} people considered, {proposed} pairs proposed, matching {matching_ms} ms (Tandem's log); \
         /mentor help ×{}: p50 {}, max {} ({help_bad} wrong); RSS {round_rss:.1} MB, peak during the round \
         {round_peak:.1} MB, peak so far {round_hwm:.1} MB",
        help.len(),
        ms(q(&help, 0.5)),
        ms(q(&help, 1.0)),
    );
    table.push(row(
        "round: /mentor match → review DM",
        round.map(ms).unwrap_or_else(|| "never".into()),
        "< 10 s",
        Some(round.is_some_and(|r| r < Duration::from_secs(10))),
    ));
    table.push(row(
        "  (people considered / pairs proposed / matching)",
        format!("{people} / {proposed} / {matching_ms} ms"),
        "",
        None,
    ));
    table.push(row("  /mentor match answer", ms(answer.latency), "", None));
    table.push(row(
        &format!("/mentor help during the round: max (p50; ×{})", help.len()),
        format!("{} ({})", ms(q(&help, 1.0)), ms(q(&help, 0.5))),
        "< 100 ms",
        Some(!help.is_empty() && q(&help, 1.0) < Duration::from_millis(100) && help_bad == 0),
    ));
    table.push(row(
        "RSS after the round / its peak / peak so far",
        format!("{round_rss:.1} MB / {round_peak:.1} MB / {round_hwm:.1} MB"),
        "< 100 MB",
        Some(round_hwm < 100.0),
    ));

    // --- Every pair's check-in due at once, delivered against the rate-limited fake.
    let mut checkins_ok = true;
    let before_checkins = hwm_max(&pids).max(round_hwm);
    reset_hwm(&pids);
    if opts.checkins {
        let due = chrono::Utc::now().timestamp();
        const MAKE_DUE: &str = "UPDATE jobs SET due_at = $1, updated_at = $1 WHERE kind = 'checkin' AND state = 'pending'";
        let made_due = tandem::on_db!(pool.pool(), |p| sqlx::query(MAKE_DUE)
            .bind(due)
            .execute(p)
            .await
            .expect("make check-ins due")
            .rows_affected());
        let started = Instant::now();
        let expected_secs = opts.pairs as f64 / (opts.ceiling / 60.0);
        eprintln!(
            "  {made_due} check-ins due now (the ceiling allows them in {expected_secs:.0} s); delivering..."
        );
        let mut status_lat: Vec<Duration> = Vec::new();
        let (mut first, mut last_progress, mut last_count) = (None, Instant::now(), 0u64);
        let mut last_report = Instant::now();
        let mut second_round: Option<(Instant, bool)> = None;
        let mut second_round_took: Option<Duration> = None;
        let mut done_at = None;
        let mut status_i = 0usize;
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let stats = fake.stats().await;
            let delivered = stats["channels"].as_u64().unwrap_or(0);
            if delivered > 0 && first.is_none() {
                first = Some(started.elapsed());
            }
            if delivered != last_count {
                last_count = delivered;
                last_progress = Instant::now();
            }
            // Requests keep being answered while the batch drains.
            let who = &seeded.status_users[status_i % seeded.status_users.len().max(1)];
            status_i += 1;
            let a = slack.command(who, "status").await;
            status_lat.push(a.latency);
            // A second round, asked for while the batch drains (the first proposal is discarded with SQL first).
            if second_round.is_none()
                && started.elapsed() > Duration::from_secs(30)
                && delivered > 0
            {
                let at = chrono::Utc::now().timestamp();
                tandem::on_db!(pool.pool(), |p| {
                    let _ = sqlx::query(
                        "UPDATE proposals SET status = 'discarded', decided_at = $1, body = '{}' WHERE status IN ('computing', 'open')",
                    )
                    .bind(at)
                    .execute(p)
                    .await;
                });
                fake.send(&format!("watch {ADMIN}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                let asked = Instant::now();
                let a = slack.command(ADMIN, "match").await;
                second_round = Some((asked, a.ok() && a.body.contains("Working out")));
                eprintln!(
                    "  {:>5.0} s: a second /mentor match while the batch drains (answered in {})",
                    started.elapsed().as_secs_f64(),
                    ms(a.latency)
                );
            }
            if let Some((asked, true)) = second_round
                && second_round_took.is_none()
                && let Some((_, at)) = fake.take("review")
            {
                second_round_took = Some(at.duration_since(asked));
                eprintln!(
                    "  {:>5.0} s: its review reached the admin after {}",
                    started.elapsed().as_secs_f64(),
                    ms(at.duration_since(asked))
                );
            }
            if last_report.elapsed() > Duration::from_secs(30) {
                eprintln!(
                    "  {:>5.0} s: {delivered} delivered ({} 429s), RSS {:.1} MB",
                    started.elapsed().as_secs_f64(),
                    stats["rate_limited"],
                    rss_max(&pids)
                );
                last_report = Instant::now();
            }
            if delivered >= opts.pairs as u64 && done_at.is_none() {
                done_at = Some(started.elapsed());
            }
            let settled = done_at.is_some_and(|d| started.elapsed() > d + Duration::from_secs(20))
                && (second_round_took.is_some()
                    || !matches!(second_round, Some((_, true)))
                    || started.elapsed() > done_at.unwrap_or_default() + Duration::from_secs(120));
            if settled || last_progress.elapsed() > Duration::from_secs(300) {
                break;
            }
        }
        let stats = fake.stats().await;
        let delivered = stats["channels"].as_u64().unwrap_or(0);
        let messages = stats["messages"].as_u64().unwrap_or(0);
        let max_per_channel = stats["max_per_channel"].as_u64().unwrap_or(0);
        let missing = opts.pairs as u64 - delivered.min(opts.pairs as u64);
        let duplicates = messages - delivered;
        let elapsed = done_at.unwrap_or_else(|| started.elapsed());
        let secs = elapsed.as_secs_f64();
        let pct = 100.0 * expected_secs / secs;
        let from_first = first.map(|f| secs - f.as_secs_f64()).unwrap_or(secs);
        let failed_jobs: i64 = tandem::on_db!(pool.pool(), |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'checkin' AND state = 'failed'",
        )
        .fetch_one(p)
        .await
        .unwrap_or(-1));
        let recorded: (i64, i64) = tandem::on_db!(pool.pool(), |p| sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT pair_id) FROM checkins WHERE sent_at >= $1",
        )
        .bind(due)
        .fetch_one(p)
        .await
        .unwrap_or((-1, -1)));
        status_lat.sort();
        eprintln!(
            "  check-ins: {delivered}/{} pairs got one ({messages} messages, at most {max_per_channel} in a channel, \
             {} 429s); {failed_jobs} jobs failed; Tandem recorded {} check-ins for {} pairs",
            opts.pairs, stats["rate_limited"], recorded.0, recorded.1
        );
        table.push(row(
            "check-ins delivered (missing / twice)",
            format!("{delivered} / {} ({missing} / {duplicates})", opts.pairs),
            "all, none twice",
            Some(missing == 0 && duplicates == 0),
        ));
        table.push(row(
            "check-ins: due → last delivered",
            format!("{secs:.1} s (ceiling allows {expected_secs:.1} s)"),
            "",
            None,
        ));
        table.push(row(
            "check-in throughput (share of the ceiling)",
            format!(
                "{:.1}/min = {pct:.1}% (from the first message: {:.1}%)",
                delivered as f64 / secs * 60.0,
                100.0 * (opts.pairs as f64 - 1.0) / (opts.ceiling / 60.0) / from_first.max(0.001)
            ),
            ">= 90%",
            Some(pct >= 90.0),
        ));
        table.push(row(
            "  first check-in after they came due",
            first.map(ms).unwrap_or_else(|| "never".into()),
            "",
            None,
        ));
        table.push(row(
            "  429s answered by the fake",
            stats["rate_limited"].to_string(),
            "",
            None,
        ));
        table.push(row(
            &format!(
                "/mentor status during delivery p50 / max (×{})",
                status_lat.len()
            ),
            format!("{} / {}", ms(q(&status_lat, 0.5)), ms(q(&status_lat, 1.0))),
            "",
            None,
        ));
        table.push(row(
            "second round asked during delivery → review",
            match (second_round, second_round_took) {
                (Some(_), Some(t)) => ms(t),
                (Some((_, false)), _) => "not started".into(),
                (Some(_), None) => "not within the batch (+120 s)".into(),
                (None, _) => "not asked".into(),
            },
            "",
            None,
        ));
        if missing > 0 || duplicates > 0 || max_per_channel > 1 {
            checkins_ok = false;
        }
    }

    // --- The end: peak memory, stop Tandem (SIGINT, as Ctrl-C), stop the fake.
    let end_rss = rss_max(&pids);
    let last_peak = hwm_max(&pids);
    let hwm = last_peak.max(before_checkins);
    table.push(row(
        "RSS at the end / peak of the check-ins / of the run",
        format!("{end_rss:.1} MB / {last_peak:.1} MB / {hwm:.1} MB"),
        "< 100 MB",
        Some(hwm < 100.0),
    ));
    for pid in &pids {
        let _ = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status();
    }
    for tandem in &mut children {
        let stopping = Instant::now();
        while stopping.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = tandem.try_wait() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if tandem.try_wait().ok().flatten().is_none() {
            let _ = tandem.kill();
            let _ = tandem.wait();
        }
    }
    fake.stop();
    let errors: Vec<String> = logs
        .iter()
        .flat_map(|l| {
            std::fs::read_to_string(l)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("\"level\":\"ERROR\""))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    pool.close().await;
    if opts.keep {
        eprintln!(
            "  kept {} and Tandem's log(s) in {}",
            db_path.display(),
            dir.display()
        );
        if let Some(pg) = pg_db {
            eprintln!("  kept the PostgreSQL database {}", shown_url(&pg.url));
            // Not dropped: the database stays for inspection.
            std::mem::forget(pg);
        }
    } else {
        drop(pg_db);
        let _ = std::fs::remove_dir_all(&dir);
    }

    let total = bench_started.elapsed();
    println!();
    println!(
        "load average at the start {load_start}, at the end {}",
        loadavg()
    );
    println!(
        "Tandem big-firm benchmark: {} participants, {} active pairs, ceiling {}/min ({} cores, whole run {:.0} s)",
        opts.participants,
        opts.pairs,
        opts.ceiling,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        total.as_secs_f64()
    );
    let w = table.iter().map(|r| r.figure.len()).max().unwrap_or(0);
    let v = table.iter().map(|r| r.value.len()).max().unwrap_or(0);
    for r in &table {
        let verdict = match r.ok {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "{:<w$}  {:<v$}  {:<16} {verdict}",
            r.figure, r.value, r.target
        );
    }
    if !errors.is_empty() {
        println!(
            "Tandem logged {} error(s); the first: {}",
            errors.len(),
            errors[0]
        );
    }
    for f in &failed {
        println!("FAILED: {f}");
    }
    if !checkins_ok {
        println!("FAILED: every check-in must be delivered exactly once");
    }
    if !checkins_ok || !failed.is_empty() {
        std::process::exit(1);
    }
}
