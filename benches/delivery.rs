//! Delivery benchmark (issue 5): N check-ins all due at once, delivered by Tandem's jobs loop to the sandbox's fake
//! Slack enforcing about one message a second per channel and a workspace-wide ceiling.
//!
//!     cargo bench --bench delivery -- [--pairs 10000] [--ceiling 600]
//!
//! The fake runs in a child process (this binary re-executed with `--fake`), so the peak memory reported is
//! Tandem's alone. Reports: delivered, duplicates (from the fake's side), elapsed time, throughput as a share of the
//! ceiling, Tandem's peak RSS. Exits non-zero if a check-in is missing or delivered twice.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tandem::context::clock::Clock;
use tandem::context::config::Config;
use tandem::sandbox::{FakeSlack, MessageLimits, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN};
use tandem::startup::Options;

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn channel(i: usize) -> String {
    format!("G{i:09}")
}

/// The child: a fake Slack with limits and `pairs` group DMs, until stdin closes.
async fn fake(pairs: usize, ceiling: f64) {
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .expect("fake starts");
    fake.stop_recording();
    let ids: Vec<String> = (0..pairs).map(channel).collect();
    fake.add_channels(ids.iter().map(String::as_str));
    fake.set_message_limits(MessageLimits {
        per_channel_per_sec: 1.0,
        workspace_per_min: ceiling,
    });
    println!("{}", fake.api_url());
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await;
}

#[tokio::main]
async fn main() {
    let pairs = arg("--pairs", 10_000.0) as usize;
    let ceiling = arg("--ceiling", 600.0);
    if std::env::args().any(|a| a == "--fake") {
        return fake(pairs, ceiling).await;
    }
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .args([
            "--fake",
            "--pairs",
            &pairs.to_string(),
            "--ceiling",
            &ceiling.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the fake starts");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the fake's URL");
    let api_url = url.trim().to_string();

    let dir = std::env::temp_dir().join(format!("tandem-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let db = format!("sqlite://{}", dir.join("bench.db").display());
    let config = Config::from_lookup(|k| match k {
        "SLACK_BOT_TOKEN" => Some(SANDBOX_BOT_TOKEN.into()),
        "SLACK_SIGNING_SECRET" => Some("bench".into()),
        "SLACK_API_URL" => Some(api_url.clone()),
        "DATABASE_URL" => Some(db.clone()),
        _ => None,
    })
    .expect("config");
    let app = tandem::startup::build(
        config,
        &Options {
            clock: Clock::System,
            worker: tandem::startup::WorkerMode::OnWake,
            ..Options::default()
        },
    )
    .await
    .expect("app");

    // N pairs, introduced, each with a check-in due now.
    let now = chrono::Utc::now().timestamp();
    let pool = app
        .store()
        .sqlite_pool()
        .expect("the delivery benchmark seeds an SQLite file");
    let mut tx = pool.begin().await.expect("tx");
    let zones = [
        "Europe/London",
        "America/New_York",
        "Europe/Berlin",
        "Asia/Singapore",
    ];
    for i in 0..pairs {
        for (who, role, years) in [("J", "associate", 3), ("S", "partner", 25)] {
            sqlx::query("INSERT INTO participants (user_id, role, years, practice_group, hours_per_month, cadence, tz, joined_at, updated_at) VALUES (?, ?, ?, 'Tax', 2, 'weekly', ?, ?, ?)")
                .bind(format!("U{who}{i:08}"))
                .bind(role)
                .bind(years)
                .bind(zones[i % zones.len()])
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await
                .expect("participant");
        }
        let pair: i64 = sqlx::query_scalar("INSERT INTO pairs (junior_id, senior_id, status, created_at, channel) VALUES (?, ?, 'active', ?, ?) RETURNING id")
            .bind(format!("UJ{i:08}"))
            .bind(format!("US{i:08}"))
            .bind(now - 7 * 86_400)
            .bind(channel(i))
            .fetch_one(&mut *tx)
            .await
            .expect("pair");
        sqlx::query("INSERT INTO jobs (kind, pair_id, due_at, state, key, updated_at) VALUES ('checkin', ?, ?, 'pending', ?, ?)")
            .bind(pair)
            .bind(now)
            .bind(format!("checkin:{pair}"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .expect("job");
    }
    tx.commit().await.expect("commit");
    eprintln!(
        "{pairs} pairs with a check-in due; ceiling {ceiling}/min, 1/s per channel; delivering..."
    );

    let started = Instant::now();
    let mut last_report = Instant::now();
    let (mut done, mut failed, mut retried) = (0, 0, 0);
    loop {
        let stats = tandem::jobs::worker::run_due(&app).await.expect("run");
        done += stats.done;
        failed += stats.failed;
        retried += stats.retried;
        let finished: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'checkin' AND state IN ('done', 'failed')",
        )
        .fetch_one(pool)
        .await
        .expect("count");
        let pending = pairs as i64 - finished;
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!(
                "  {:>6.0}s: {done} delivered, {retried} rescheduled after 429, {pending} to go",
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats: serde_json::Value = reqwest_get(&format!(
        "{}/sandbox/stats",
        api_url.trim_end_matches("/api")
    ))
    .await;
    drop(child.stdin.take());
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);

    let messages = stats["messages"].as_u64().unwrap_or(0);
    let max_per_channel = stats["max_per_channel"].as_u64().unwrap_or(0);
    let expected_secs = pairs as f64 / (ceiling / 60.0);
    println!("pairs                 {pairs}");
    println!(
        "delivered (Slack)     {messages} in {} channels, at most {max_per_channel} per channel",
        stats["channels_with_messages"]
    );
    println!(
        "jobs done/failed      {done}/{failed} ({retried} rescheduled after 429; {} 429s from the fake)",
        stats["rate_limited"]
    );
    println!("elapsed               {elapsed:.1} s (the ceiling allows {expected_secs:.1} s)");
    println!(
        "throughput            {:.1}/min = {:.1}% of the ceiling",
        messages as f64 / elapsed * 60.0,
        100.0 * expected_secs / elapsed
    );
    println!("Tandem peak RSS       {:.1} MB", vm_hwm_mb());
    if messages != pairs as u64 || max_per_channel != 1 || failed > 0 {
        eprintln!("FAILED: every check-in must be delivered exactly once");
        std::process::exit(1);
    }
}

async fn reqwest_get(url: &str) -> serde_json::Value {
    let client = tandem::outbound::slack_api::http_client().expect("client");
    match client.get(url).send().await {
        Ok(r) => r.json().await.unwrap_or_default(),
        Err(_) => serde_json::Value::Null,
    }
}
