//! `tandem demo`: a whole reverse-mentoring program in one command, on the real code paths.
//!
//! The demo starts Tandem's real server, dispatcher, job worker and SQLite store against the sandbox's fake Slack on
//! loopback ([`crate::sandbox::Sandbox`], the same stand-in the tests use), then plays a program with a fictional
//! cohort ([`cohort`]) through the requests Slack would send, signed as Slack signs them: opt-ins with the survey, a
//! matching round whose proposal the admin edits (one pair removed, the rest re-matched) and approves,
//! introductions, plans, weeks of check-ins on a manual clock (some pairs meet, some stall and the admin answers the
//! at-risk alert, one asks for help privately, one person leaves, a few finish and give feedback), a second round
//! that starts on schedule (`TANDEM_ROUND_CRON`) for everyone free by then, and the managers' summary with the
//! program to date.
//!
//! Who does what is decided by a seeded generator ([`SeededRng`]), so a seed replays the same program. The
//! transcript ([`transcript`]) is read back from what the fake Slack received, not told separately.

pub mod cohort;
mod transcript;

use crate::context::App;
use crate::context::clock::Clock;
use crate::domain::forms::help::{
    self, AdminMessage, HelpRequest, Recipient, admin_message_values, help_values,
};
use crate::domain::forms::pair_forms::{
    self, ACTION_CHECKIN_HELP, ACTION_CHECKIN_MET, ACTION_CHECKIN_NOT_YET, ACTION_FEEDBACK_OPEN,
    ACTION_PLAN_OPEN, Feedback, MetAnswer, Plan,
};
use crate::domain::forms::pair_values::{feedback_values, met_values, plan_values};
use crate::domain::rng::SeededRng;
use crate::domain::schedule::Cadence;
use crate::outbound::store::StoreError;
use crate::sandbox::{DriverResponse, Sandbox, SandboxError, SandboxOptions};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use cohort::{ADMIN, MANAGER_CHANNEL, Person};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
pub use transcript::Out;
use transcript::Transcript;

pub const DEFAULT_SEED: u64 = 42;
pub const DEFAULT_PEOPLE: usize = 30;
pub const DEFAULT_WEEKS: u32 = 10;
pub const MAX_WEEKS: u32 = 26;

/// What to play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// The SQLite file to create; `None` makes a fresh one in the system's temporary directory.
    pub db: Option<PathBuf>,
    pub seed: u64,
    /// How many people of the cast take part ([`cohort::MIN_PEOPLE`] to [`cohort::MAX_PEOPLE`]).
    pub people: usize,
    /// How many weeks to play after the introductions (1 to [`MAX_WEEKS`]).
    pub weeks: u32,
    /// Print only the managers' summary and where the database is.
    pub quiet: bool,
    /// Print every message in full (by default, repeats of a kind of message show as one line).
    pub full: bool,
    /// The store's pool, when not the default (a test plays the whole program on one connection).
    pub pool: Option<crate::outbound::store::PoolSize>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            db: None,
            seed: DEFAULT_SEED,
            people: DEFAULT_PEOPLE,
            weeks: DEFAULT_WEEKS,
            quiet: false,
            full: false,
            pool: None,
        }
    }
}

/// Why the demo could not run. Each message is one line.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "--people must be from {min} to {max} (got {got})",
        min = cohort::MIN_PEOPLE,
        max = cohort::MAX_PEOPLE,
        got = .0
    )]
    People(usize),
    #[error("--weeks must be from 1 to {MAX_WEEKS} (got {0})")]
    Weeks(u32),
    #[error(
        "{} already holds data; the demo plays a new program in a fresh database. Give --db a new path, or delete that file",
        .0.display()
    )]
    DatabaseInUse(PathBuf),
    #[error("cannot use {}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the sandbox: {0}")]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the transcript: {0}")]
    Output(#[from] std::io::Error),
    /// Tandem did not do what Slack's side expected (a bug the demo surfaces rather than hides).
    #[error("the demo stopped: {0}")]
    Step(String),
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOutcome {
    /// The managers' summary, as printed.
    pub summary: String,
    /// The program's figures, read from the store at the end.
    pub figures: Figures,
    /// The SQLite file that holds the program.
    pub database: PathBuf,
}

/// The program's figures at the end, from the store (and, for the admins' alerts, from what Slack received).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub joined: i64,
    pub left: i64,
    pub enrolled: i64,
    /// Enrolled, not paused, and in no current pair.
    pub waiting: i64,
    pub pairs: i64,
    pub active: i64,
    pub at_risk: i64,
    pub completed: i64,
    pub ended: i64,
    pub plans: i64,
    pub checkins: i64,
    /// Check-ins at which the pair said they met.
    pub meetings: i64,
    /// Minutes of those meetings (the longer answer when both partners gave one).
    pub minutes: i64,
    /// Private "We need help" requests.
    pub help_requests: i64,
    pub nudges: i64,
    pub feedback: i64,
    pub recommend: i64,
    /// Sum of feedback ratings (for the average).
    pub rating_sum: i64,
    /// Private messages to the admin saying a pair asked for help.
    pub help_alerts: usize,
    /// Matching rounds approved.
    pub rounds: i64,
    /// Pairs made in a round after the first.
    pub later_pairs: i64,
    /// Two people paired together more than once (never, by the rules).
    pub repeated_pairs: i64,
}

impl Figures {
    /// Reads the figures from the store.
    pub async fn read(app: &App) -> Result<Figures, StoreError> {
        let store = app.store();
        let one = |sql: &'static str| async move {
            Ok::<i64, StoreError>(crate::on_db!(store.pool(), |p| {
                sqlx::query_scalar(sql).fetch_one(p).await?
            }))
        };
        let mut f = Figures {
            joined: one("SELECT COUNT(*) FROM program_events WHERE kind = 'joined'").await?,
            left: one("SELECT COUNT(*) FROM program_events WHERE kind = 'left'").await?,
            enrolled: one("SELECT COUNT(*) FROM participants").await?,
            waiting: one(
                "SELECT COUNT(*) FROM participants p WHERE p.paused = 0 AND NOT EXISTS (SELECT 1 FROM pairs \
                 WHERE status IN ('active', 'at_risk') AND (junior_id = p.user_id OR senior_id = p.user_id))",
            )
            .await?,
            pairs: one("SELECT COUNT(*) FROM pairs").await?,
            plans: one("SELECT COUNT(*) FROM plans").await?,
            checkins: one("SELECT COUNT(*) FROM checkins").await?,
            meetings: one(
                "SELECT COUNT(DISTINCT checkin_id) FROM checkin_answers WHERE answer = 'met'",
            )
            .await?,
            minutes: one(
                "SELECT CAST(COALESCE(SUM(m), 0) AS BIGINT) FROM (SELECT MAX(COALESCE(minutes, 0)) AS m \
                 FROM checkin_answers WHERE answer = 'met' GROUP BY checkin_id) AS meetings",
            )
            .await?,
            help_requests: one("SELECT COUNT(*) FROM help_requests").await?,
            nudges: one("SELECT COUNT(*) FROM jobs WHERE kind = 'nudge' AND state = 'done'")
                .await?,
            feedback: one("SELECT COUNT(*) FROM feedback").await?,
            recommend: one("SELECT COUNT(*) FROM feedback WHERE recommend = 1").await?,
            rating_sum: one("SELECT CAST(COALESCE(SUM(rating), 0) AS BIGINT) FROM feedback").await?,
            rounds: one("SELECT COUNT(*) FROM proposals WHERE status = 'approved'").await?,
            later_pairs: one(
                "SELECT COUNT(*) FROM pairs WHERE proposal_id > (SELECT MIN(id) FROM proposals WHERE status = 'approved')",
            )
            .await?,
            repeated_pairs: one(
                "SELECT COUNT(*) FROM (SELECT 1 AS repeated FROM pairs \
                 WHERE junior_id IS NOT NULL AND senior_id IS NOT NULL \
                 GROUP BY CASE WHEN junior_id < senior_id THEN junior_id ELSE senior_id END, \
                          CASE WHEN junior_id < senior_id THEN senior_id ELSE junior_id END \
                 HAVING COUNT(*) > 1) AS repeats",
            )
            .await?,
            ..Figures::default()
        };
        let rows: Vec<(String, i64)> = crate::on_db!(store.pool(), |p| {
            sqlx::query_as("SELECT status, COUNT(*) AS n FROM pairs GROUP BY status")
                .fetch_all(p)
                .await?
        });
        for (status, n) in rows {
            match status.as_str() {
                "active" => f.active = n,
                "at_risk" => f.at_risk = n,
                "completed" => f.completed = n,
                "ended" => f.ended = n,
                _ => {}
            }
        }
        Ok(f)
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The managers' summary of the program so far: the same summary as `/mentor report`, `tandem report` and the
/// scheduled post to the managers' channel (figures from fewer than three people read "fewer than 3").
pub async fn managers_summary(app: &App) -> Result<String, StoreError> {
    let (summary, _) = crate::flows::summaries::current(
        app.store(),
        app.catalog(),
        app.match_config(),
        &app.config().summary_schedule,
        app.clock().now(),
    )
    .await?;
    Ok(crate::views::summary::summary_text(&summary))
}

/// How a pair behaves at check-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Temperament {
    /// Meets most weeks.
    Steady,
    /// Meets about every other time.
    Patchy,
    /// Never gets going: at risk after two quiet check-ins, and stays there.
    Stalled,
    /// Stalls for two check-ins (at risk, nudged), then meets again (the flag lifts).
    Recovering,
}

/// One pair's part in the script.
#[derive(Debug, Clone)]
struct PairPart {
    id: i64,
    junior: &'static Person,
    senior: &'static Person,
    channel: String,
    intro_ts: String,
    temperament: Temperament,
    asks_help: bool,
    short_plan: bool,
    plan_day: Option<u32>,
    /// Messages in the group DM already acted on (by `ts`).
    handled: HashSet<String>,
    checkins: u32,
    helped: bool,
    over: bool,
}

/// The Monday the program's first week starts (a fixed date, so a seed replays the same calendar).
fn first_monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default()
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default())
        .and_utc()
}

/// The Monday after the program's last week: the second matching round starts then, at 08:00 (before that Monday's
/// managers' summary, so the summary the demo ends with covers the whole last week).
fn second_round_day(weeks: u32) -> NaiveDate {
    first_monday() + Duration::days(i64::from(weeks) * 7)
}

/// The demo firm's `TANDEM_ROUND_CRON` (`TANDEM_TZ` is UTC): a round every quarter on the day of the second round,
/// or once a year on that day when a quarterly round would already fall inside the demo.
fn round_cron(weeks: u32) -> String {
    use chrono::Datelike;
    let day = second_round_day(weeks);
    let months: Vec<String> = (0..4)
        .map(|k| ((day.month0() + 3 * k) % 12 + 1).to_string())
        .collect();
    let quarterly = format!("0 8 {} {} *", day.day(), months.join(","));
    let start = at(first_monday() - Duration::days(7), 0, 0);
    let fits = crate::domain::schedule::CronSchedule::parse(&quarterly, chrono_tz::UTC)
        .ok()
        .and_then(|s| s.next_after(start))
        == Some(at(day, 8, 0));
    if fits {
        quarterly
    } else {
        format!("0 8 {} {} *", day.day(), day.month())
    }
}

/// The database to create: the one asked for (refused when it already holds data), or a fresh temporary file.
fn prepare_database(asked: Option<&Path>) -> Result<PathBuf, DemoError> {
    if let Some(path) = asked {
        return match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Err(DemoError::File {
                path: path.to_path_buf(),
                source: std::io::Error::other("it is a directory"),
            }),
            Ok(m) if m.len() > 0 => Err(DemoError::DatabaseInUse(path.to_path_buf())),
            Ok(_) => Ok(path.to_path_buf()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(path.to_path_buf()),
            Err(source) => Err(DemoError::File {
                path: path.to_path_buf(),
                source,
            }),
        };
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let dir = std::env::temp_dir();
    let mut n = 0u32;
    loop {
        let name = format!("tandem-demo-{stamp}-{}-{n}.db", std::process::id());
        let path = dir.join(name);
        if !path.exists() {
            return Ok(path);
        }
        n += 1;
    }
}

/// Plays the demo and writes the transcript (unless quiet), then the managers' summary and where the database is,
/// to `out`.
pub async fn run(options: &DemoOptions, out: Out<'_>) -> Result<DemoOutcome, DemoError> {
    if !(cohort::MIN_PEOPLE..=cohort::MAX_PEOPLE).contains(&options.people) {
        return Err(DemoError::People(options.people));
    }
    if !(1..=MAX_WEEKS).contains(&options.weeks) {
        return Err(DemoError::Weeks(options.weeks));
    }
    let database = prepare_database(options.db.as_deref())?;
    let clock = Clock::manual(at(first_monday() - Duration::days(7), 9, 0));
    let mut sandbox_options = SandboxOptions::new(&database);
    sandbox_options.app.clock = clock.clone();
    sandbox_options.app.worker = crate::startup::WorkerMode::OnWake;
    sandbox_options.app.pool = options.pool;
    sandbox_options.admins = vec![ADMIN.id.to_string()];
    sandbox_options.manager_channel = Some(MANAGER_CHANNEL.to_string());
    sandbox_options.env = vec![("TANDEM_ROUND_CRON".to_string(), round_cron(options.weeks))];
    let sandbox = Sandbox::start(sandbox_options).await?;

    let played = {
        let mut play = Play::new(&sandbox, clock, options, &mut *out);
        play.program().await
    };
    let summary = match played {
        Ok(()) => managers_summary(sandbox.app()).await,
        Err(e) => {
            sandbox.server.shutdown().await;
            return Err(e);
        }
    };
    let ended_at = sandbox.app().clock().now();
    let figures = Figures::read(sandbox.app()).await;
    let help_alerts = sandbox
        .fake
        .dms_to(ADMIN.id)
        .iter()
        .filter(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains("asked for help"))
        })
        .count();
    sandbox.server.shutdown().await;
    let (summary, mut figures) = (summary?, figures?);
    figures.help_alerts = help_alerts;

    if !options.quiet {
        writeln!(out)?;
        writeln!(out, "━━ The managers' summary ━━")?;
    }
    writeln!(out, "{summary}")?;
    writeln!(out)?;
    writeln!(out, "Database: {}", database.display())?;
    let as_of = ended_at.format("%Y-%m-%dT%H:%M:%SZ");
    writeln!(
        out,
        "Inspect it with: tandem report --db {} --as-of {as_of}",
        database.display()
    )?;
    writeln!(
        out,
        "  (from the source tree: cargo run --release -- report --db {} --as-of {as_of})",
        database.display()
    )?;
    Ok(DemoOutcome {
        summary,
        figures,
        database,
    })
}

/// The script, played against one sandbox.
struct Play<'s, 'o> {
    sandbox: &'s Sandbox,
    clock: Clock,
    options: &'s DemoOptions,
    t: Transcript<'o>,
    rng: SeededRng,
    people: &'static [Person],
    pairs: Vec<PairPart>,
    leaver: Option<&'static str>,
    /// The admins' alerts the admin has looked at (by `ts`), and whether they answered an at-risk one yet.
    alerts_seen: HashSet<String>,
    risk_answered: bool,
}

fn button<'v>(message: &'v Value, action_id: &str) -> Option<&'v Value> {
    message["blocks"]
        .as_array()?
        .iter()
        .flat_map(|b| b["elements"].as_array().into_iter().flatten())
        .find(|e| e["action_id"] == action_id)
}

fn button_value(message: &Value, action_id: &str) -> Option<String> {
    button(message, action_id).and_then(|b| b["value"].as_str().map(str::to_string))
}

/// The value of a proposal's Approve button (`"proposal:version"`), or empty.
fn value_of_approve(message: &Value) -> String {
    button_value(message, crate::views::proposal::ACTION_APPROVE).unwrap_or_default()
}

fn button_label(message: &Value, action_id: &str) -> String {
    button(message, action_id)
        .and_then(|b| b["text"]["text"].as_str())
        .unwrap_or(action_id)
        .to_string()
}

/// The element of a modal's input block `block_id`.
fn modal_element<'v>(modal: &'v Value, block_id: &str) -> Option<&'v Value> {
    modal["blocks"]
        .as_array()?
        .iter()
        .find(|b| b["block_id"] == block_id)
        .map(|b| &b["element"])
}

/// The skill one teaches the other: the first the teacher offers that the learner wants, else the learner's first.
fn sentence_case(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_string(),
    }
}

fn shared_skill(teacher: &Person, learner: &Person) -> &'static str {
    teacher
        .teach
        .iter()
        .find(|s| learner.learn.contains(s))
        .or(learner.learn.first())
        .copied()
        .unwrap_or("client_management")
}

impl<'s, 'o> Play<'s, 'o> {
    fn new(sandbox: &'s Sandbox, clock: Clock, options: &'s DemoOptions, out: Out<'o>) -> Self {
        let mut t = Transcript::new(out, !options.quiet, options.full, sandbox.fake.clone());
        t.name_channel(MANAGER_CHANNEL, "#program-managers");
        Self {
            sandbox,
            clock,
            options,
            t,
            rng: SeededRng::new(options.seed),
            people: cohort::cohort(options.people),
            pairs: Vec::new(),
            leaver: None,
            alerts_seen: HashSet::new(),
            risk_answered: false,
        }
    }

    fn app(&self) -> &App {
        self.sandbox.app()
    }

    fn label(&self, skill: &str) -> String {
        self.app().catalog().label(skill).to_string()
    }

    /// Runs every job due now and waits for the work it and earlier requests started, until nothing more is due.
    async fn settle(&mut self) -> Result<(), DemoError> {
        loop {
            self.app().background_idle().await;
            let stats = crate::jobs::worker::run_due(self.app()).await?;
            self.app().background_idle().await;
            if stats.retried > 0 || stats.failed > 0 {
                let counts = self.app().store().job_counts().await?;
                return Err(DemoError::Step(format!(
                    "a scheduled job failed or had to retry ({} failed, {} retried; jobs by state: {counts:?})",
                    stats.failed, stats.retried
                )));
            }
            if stats.done == 0 && stats.dropped == 0 {
                return Ok(());
            }
        }
    }

    /// Settles, then prints what Slack received.
    async fn show(&mut self) -> Result<(), DemoError> {
        self.settle().await?;
        self.t.flush()?;
        Ok(())
    }

    fn expect_ok(r: DriverResponse, what: &str) -> Result<DriverResponse, DemoError> {
        if r.status == 200 {
            Ok(r)
        } else {
            Err(DemoError::Step(format!(
                "Tandem answered HTTP {} to {what}: {}",
                r.status, r.body
            )))
        }
    }

    /// `user` types `/mentor {text}`; returns Tandem's answer.
    async fn command(&mut self, user: &str, text: &str) -> Result<DriverResponse, DemoError> {
        self.t.act(user, &format!("types /mentor {text}"))?;
        let r = self.sandbox.driver.command(user, text).await;
        let r = Self::expect_ok(r, &format!("/mentor {text}"))?;
        self.t.reply(user, &r)?;
        Ok(r)
    }

    /// `user` presses a button on a message in `channel`.
    async fn press(
        &mut self,
        user: &str,
        message: &Value,
        channel: &str,
        action_id: &str,
    ) -> Result<(), DemoError> {
        let value = button_value(message, action_id).ok_or_else(|| {
            DemoError::Step(format!(
                "no {action_id} button on the message {user} was to press"
            ))
        })?;
        let label = button_label(message, action_id);
        self.t.act(user, &format!("presses [{label}]"))?;
        let ts = message["ts"].as_str().unwrap_or_default();
        let r = self
            .sandbox
            .driver
            .click(user, action_id, &value, Some((channel, ts)))
            .await;
        Self::expect_ok(r, &format!("the {label} button"))?;
        Ok(())
    }

    /// Submits the modal Slack last opened for `user` with `values`, printing it; it must be accepted.
    async fn fill_in(&mut self, user: &str, values: Value, what: &str) -> Result<(), DemoError> {
        let modal =
            self.sandbox.fake.last_modal_for(user).ok_or_else(|| {
                DemoError::Step(format!("Slack opened no {what} form for {user}"))
            })?;
        self.t.form(user, &modal, &values)?;
        let r = self.sandbox.driver.submit_view(user, &modal, values).await;
        let r = Self::expect_ok(r, what)?;
        if !r.body.is_empty() {
            return Err(DemoError::Step(format!(
                "Tandem refused the {what} form: {}",
                r.body
            )));
        }
        Ok(())
    }

    /// The modal Slack last opened for `user`.
    fn modal_for(&self, user: &str, what: &str) -> Result<Value, DemoError> {
        self.sandbox
            .fake
            .last_modal_for(user)
            .ok_or_else(|| DemoError::Step(format!("Slack opened no {what} form for {user}")))
    }

    async fn program(&mut self) -> Result<(), DemoError> {
        for p in std::iter::once(&ADMIN).chain(self.people) {
            self.sandbox.fake.add_user(p.id, p.name, p.tz);
        }
        self.t.line(&format!(
            "Tandem demo: a reverse-mentoring program at a fictional firm, {} attorneys, {} weeks (seed {}).",
            self.people.len(),
            self.options.weeks,
            self.options.seed
        ))?;
        self.t.note(&format!(
            "Everything below is Tandem's real server, job worker and SQLite store, driven through signed Slack requests \
             against a Slack stand-in on 127.0.0.1; time runs on a simulated clock. {} is the program admin; the \
             program managers read #program-managers.",
            ADMIN.name
        ))?;
        self.enrol().await?;
        self.match_round().await?;
        self.cast_pairs().await?;
        for week in 1..=self.options.weeks {
            self.week(week).await?;
        }
        self.second_round().await?;
        self.epilogue().await
    }

    async fn enrol(&mut self) -> Result<(), DemoError> {
        let monday = first_monday() - Duration::days(7);
        self.t.heading(&format!(
            "Enrolment · {} – {}",
            monday.format("%A %-d %B"),
            (monday + Duration::days(3)).format("%A %-d %B %Y")
        ))?;
        self.t.note("Each attorney types /mentor join, answers Tandem's survey in the form Slack opens, and gets a confirmation.")?;
        let n = self.people.len();
        let per_day = n.div_ceil(4).max(1);
        for (i, p) in self.people.iter().enumerate() {
            let day = i64::try_from(i / per_day).unwrap_or(0);
            let slot = i64::try_from(i % per_day).unwrap_or(0);
            self.clock.set(
                at(monday, 9, 0)
                    + Duration::days(day)
                    + Duration::minutes(slot * 480 / per_day as i64),
            );
            self.t.line("")?;
            self.t
                .act(p.id, &format!("({}) types /mentor join", p.describe()))?;
            let r = self.sandbox.driver.command(p.id, "join").await;
            let r = Self::expect_ok(r, "/mentor join")?;
            self.t.reply(p.id, &r)?;
            let values = crate::domain::forms::survey_values::survey_values(
                &p.answers(),
                self.app().catalog(),
                true,
            );
            self.fill_in(p.id, values, "survey").await?;
            self.show().await?;
        }
        Ok(())
    }

    async fn match_round(&mut self) -> Result<(), DemoError> {
        let friday = first_monday() - Duration::days(3);
        self.clock.set(at(friday, 9, 30));
        self.t.heading(&format!(
            "{} · the admin runs matching, takes one pair out and approves",
            friday.format("%A %-d %B")
        ))?;
        self.command(ADMIN.id, "match").await?;
        self.show().await?;
        let channel = self
            .sandbox
            .fake
            .dm_channel_of(ADMIN.id)
            .ok_or_else(|| DemoError::Step("no proposal reached the admin".into()))?;
        let proposal = self
            .sandbox
            .fake
            .messages_in(&channel)
            .into_iter()
            .rev()
            .find(|m| button(m, crate::views::proposal::ACTION_APPROVE).is_some())
            .ok_or_else(|| DemoError::Step("the admin's DM holds no proposal to approve".into()))?;
        let proposal = self.remove_one_pair(&channel, proposal).await?;
        self.clock.advance(Duration::minutes(20));
        self.t.line("")?;
        self.press(
            ADMIN.id,
            &proposal,
            &channel,
            crate::views::proposal::ACTION_APPROVE,
        )
        .await?;
        self.t
            .note("(Slack asks “Introduce these pairs?” and the admin confirms.)")?;
        self.show().await
    }

    /// The admin takes one proposed pair out of the first round with *Remove*: the lowest-scored pair of two people
    /// in the same practice group and office (a trial team that keeps them busy together for a while), else the
    /// lowest-scored pair.
    /// Tandem re-matches everyone else without pairing those two, and the review message shows the new version,
    /// which is returned. Without a pair to remove, the proposal is returned as it is.
    async fn remove_one_pair(
        &mut self,
        channel: &str,
        proposal: Value,
    ) -> Result<Value, DemoError> {
        use crate::views::proposal::{ACTION_APPROVE, ACTION_REMOVE, RemoveTarget};
        let targets: Vec<(String, RemoveTarget)> = proposal["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["accessory"]["action_id"] == ACTION_REMOVE)
            .filter_map(|b| b["accessory"]["value"].as_str())
            .filter_map(|v| RemoveTarget::parse(v).map(|t| (v.to_string(), t)))
            .collect();
        let people =
            |t: &RemoveTarget| cohort::by_id(&t.junior_id).zip(cohort::by_id(&t.senior_id));
        let side_by_side =
            |t: &RemoveTarget| people(t).is_some_and(|(j, s)| j.group == s.group && j.tz == s.tz);
        let Some((value, target)) = targets
            .iter()
            .rev()
            .find(|(_, t)| side_by_side(t))
            .or(targets.last())
            .cloned()
        else {
            return Ok(proposal);
        };
        let name = |id: &str| cohort::by_id(id).map_or(id.to_string(), |p| p.name.to_string());
        let (junior, senior) = (name(&target.junior_id), name(&target.senior_id));
        self.clock.advance(Duration::minutes(10));
        self.t.line("")?;
        self.t.note(&format!(
            "{} knows that {junior} and {senior} are about to spend the next months on the same trial team, so \
             this is not the moment to pair them. The admin removes the pair from this round only: neither is \
             excluded for good, either may be paired with someone else, and the two may be paired together in a \
             later round.",
            ADMIN.name
        ))?;
        self.t.act(
            ADMIN.id,
            &format!("presses [Remove] beside {junior} ↔ {senior}"),
        )?;
        let ts = proposal["ts"].as_str().unwrap_or_default().to_string();
        let r = self
            .sandbox
            .driver
            .click(ADMIN.id, ACTION_REMOVE, &value, Some((channel, &ts)))
            .await;
        Self::expect_ok(r, "the Remove button")?;
        self.t.note(
            "(Slack asks “Remove pair?” and the admin confirms. Nobody is told; Tandem re-matches the others.)",
        )?;
        self.t.expand_updates(channel, &ts);
        self.show().await?;
        self.t.collapse_updates(channel, &ts);
        let updated = self
            .sandbox
            .fake
            .messages_in(channel)
            .into_iter()
            .find(|m| m["ts"].as_str() == Some(ts.as_str()))
            .filter(|m| {
                button_value(m, ACTION_APPROVE).is_some_and(|v| v != value_of_approve(&proposal))
            })
            .ok_or_else(|| {
                DemoError::Step("the review message shows no new version after Remove".into())
            })?;
        Ok(updated)
    }

    /// The Monday after the last week, `TANDEM_ROUND_CRON` starts the next round by itself: whoever was left out of
    /// the first and everyone whose pair has ended are considered (earlier partners are never paired again); the
    /// admin approves it (or discards it when nobody can be paired), and the pairs are introduced and the people left
    /// out told why.
    async fn second_round(&mut self) -> Result<(), DemoError> {
        let monday = second_round_day(self.options.weeks);
        let cron = self
            .app()
            .config()
            .round_schedule
            .as_ref()
            .map(|s| s.expression().to_string())
            .unwrap_or_default();
        self.t.heading(&format!(
            "{} · the next matching round starts on schedule",
            monday.format("%A %-d %B")
        ))?;
        self.t.note(&format!(
            "TANDEM_ROUND_CRON is `{cron}`, so Tandem starts this round by itself and sends the proposal to the admin. \
             Everyone free is considered (whoever was left out last time and everyone whose pair has ended), and \
             nobody is paired again with someone they were paired with before."
        ))?;
        self.run_until(at(monday, 8, 0)).await?;
        self.t.flush()?;
        let channel = self
            .sandbox
            .fake
            .dm_channel_of(ADMIN.id)
            .ok_or_else(|| DemoError::Step("no proposal reached the admin".into()))?;
        let Some(review) = self
            .sandbox
            .fake
            .messages_in(&channel)
            .into_iter()
            .rev()
            .find(|m| button(m, crate::views::proposal::ACTION_DISCARD).is_some())
        else {
            return Err(DemoError::Step(
                "the scheduled round sent the admin no proposal".into(),
            ));
        };
        self.clock.set(at(monday, 8, 30));
        self.t.line("")?;
        if button(&review, crate::views::proposal::ACTION_APPROVE).is_some() {
            self.press(
                ADMIN.id,
                &review,
                &channel,
                crate::views::proposal::ACTION_APPROVE,
            )
            .await?;
            self.t
                .note("(Slack asks “Introduce these pairs?” and the admin confirms.)")?;
        } else {
            self.press(
                ADMIN.id,
                &review,
                &channel,
                crate::views::proposal::ACTION_DISCARD,
            )
            .await?;
        }
        self.show().await?;
        // The notes to whoever this round left out go on the next working morning in each one's zone.
        let last: Option<i64> = crate::on_db!(self.app().store().pool(), |p| {
            sqlx::query_scalar(
                "SELECT MAX(due_at) FROM jobs WHERE kind = 'unmatched_note' AND state = 'pending'",
            )
            .fetch_one(p)
            .await
            .map_err(StoreError::from)?
        });
        if let Some(last) = last.and_then(|t| DateTime::from_timestamp(t, 0)) {
            self.run_until(last).await?;
            self.show().await?;
        }
        Ok(())
    }

    /// Gives every approved pair its part, from the seed: most meet steadily or patchily; some stall; one
    /// recovers after a nudge; one asks for help; a few agree a short plan and finish within the demo; one sets its
    /// plan only after Tandem's reminder; and someone in one pair leaves halfway through.
    async fn cast_pairs(&mut self) -> Result<(), DemoError> {
        let records = self.app().store().pairs().await?;
        let mut parts = Vec::new();
        for r in records {
            let (Some([j, s]), Some(channel)) = (r.members(), r.channel.clone()) else {
                continue;
            };
            let (Some(junior), Some(senior)) = (cohort::by_id(j), cohort::by_id(s)) else {
                continue;
            };
            let intro_ts = self
                .sandbox
                .fake
                .messages_in(&channel)
                .iter()
                .find(|m| button(m, ACTION_PLAN_OPEN).is_some())
                .and_then(|m| m["ts"].as_str().map(str::to_string))
                .ok_or_else(|| DemoError::Step(format!("pair #{} got no introduction", r.id)))?;
            parts.push(PairPart {
                id: r.id,
                junior,
                senior,
                channel,
                handled: HashSet::from([intro_ts.clone()]),
                intro_ts,
                temperament: Temperament::Steady,
                asks_help: false,
                short_plan: false,
                plan_day: None,
                checkins: 0,
                helped: false,
                over: false,
            });
        }
        if parts.is_empty() {
            return Err(DemoError::Step("the admin approved no pairs".into()));
        }
        let n = parts.len();
        let mut order: Vec<usize> = (0..n).collect();
        self.rng.shuffle(&mut order);
        // The first pairs in the shuffled order stall (one of them recovers after the nudge); the others meet
        // steadily (seven in ten) or patchily.
        let stalled = if n >= 10 { 2 } else { 1 };
        let recovering = usize::from(n >= 5);
        for (k, &i) in order.iter().enumerate() {
            parts[i].temperament = if k < stalled {
                Temperament::Stalled
            } else if k < stalled + recovering {
                Temperament::Recovering
            } else if self.rng.chance(70) {
                Temperament::Steady
            } else {
                Temperament::Patchy
            };
        }
        let rest: Vec<usize> = order.iter().copied().skip(stalled + recovering).collect();
        let is = |i: &usize, t: Temperament| parts[*i].temperament == t;
        // A steady pair asks for help once; someone in a patchy pair leaves; about a third of the pairs that meet
        // agree a short plan and finish within the demo (so the second round has people to pair again); another pair
        // sets its plan only after Tandem's reminder.
        let help = rest
            .iter()
            .find(|i| is(i, Temperament::Steady))
            .or(rest.first())
            .copied();
        let leaver_pair = rest
            .iter()
            .find(|i| Some(**i) != help && is(i, Temperament::Patchy))
            .or_else(|| rest.iter().find(|i| Some(**i) != help))
            .or(order.first())
            .copied();
        let short: Vec<usize> = if self.options.weeks >= 4 {
            rest.iter()
                .copied()
                .filter(|i| {
                    Some(*i) != help
                        && Some(*i) != leaver_pair
                        && (is(i, Temperament::Steady) || is(i, Temperament::Patchy))
                })
                .take((n / 3).max(1))
                .collect()
        } else {
            Vec::new()
        };
        let late = rest
            .iter()
            .copied()
            .find(|i| Some(*i) != help && Some(*i) != leaver_pair && !short.contains(i));
        if let Some(h) = help {
            parts[h].asks_help = true;
        }
        for i in &short {
            parts[*i].short_plan = true;
        }
        if let Some(l) = leaver_pair {
            self.leaver = Some(if self.rng.chance(50) {
                parts[l].junior.id
            } else {
                parts[l].senior.id
            });
        }
        for (i, part) in parts.iter_mut().enumerate() {
            // Plans are set Monday to Thursday of the first week; the late pair waits for the reminder.
            part.plan_day = if Some(i) == late {
                None
            } else {
                Some(u32::try_from(self.rng.below(4)).unwrap_or(0))
            };
        }
        parts.sort_by_key(|p| p.id);
        self.pairs = parts;
        Ok(())
    }

    /// Plays one week, a day at a time; each day's scheduled messages go out before people act on them.
    async fn week(&mut self, week: u32) -> Result<(), DemoError> {
        let monday = first_monday() + Duration::days(i64::from(week - 1) * 7);
        self.t.heading(&format!(
            "Week {week} of {} · {} – {}",
            self.options.weeks,
            monday.format("%A %-d %B"),
            (monday + Duration::days(6)).format("%A %-d %B %Y")
        ))?;
        let checkins_before = self.count("SELECT COUNT(*) FROM checkins").await?;
        let meetings_before = self
            .count("SELECT COUNT(DISTINCT checkin_id) FROM checkin_answers WHERE answer = 'met'")
            .await?;
        for d in 0..7u32 {
            let day = (week - 1) * 7 + d;
            let date = monday + Duration::days(i64::from(d));
            self.t.day(&date.format("%A %-d %B").to_string());
            self.run_until(at(date, 18, 0)).await?;
            self.t.flush()?;
            self.act_on_day(day).await?;
        }
        let f = Figures::read(self.app()).await?;
        self.t.line("")?;
        self.t.line(&format!(
            "  ▪ Week {week}: {}, {} · pairs: {} active, {} at risk, {} completed, {} ended",
            plural(f.checkins - checkins_before, "check-in", "check-ins"),
            plural(f.meetings - meetings_before, "meeting", "meetings"),
            f.active,
            f.at_risk,
            f.completed,
            f.ended
        ))?;
        Ok(())
    }

    /// Moves the clock to `end`, stopping at each job's due time on the way, so that every scheduled message goes
    /// out when it is due (a check-in at 10:00 in Singapore, another at 10:00 in New York).
    async fn run_until(&mut self, end: DateTime<Utc>) -> Result<(), DemoError> {
        loop {
            let now = self.clock.now();
            let next = self.app().store().next_due_at().await?;
            match next.and_then(|t| DateTime::from_timestamp(t, 0)) {
                Some(due) if due <= end && due > now => {
                    self.clock.set(due);
                    self.settle().await?;
                }
                _ => break,
            }
        }
        self.clock.set(end);
        self.settle().await
    }

    async fn count(&self, sql: &'static str) -> Result<i64, DemoError> {
        Ok(crate::on_db!(self.app().store().pool(), |p| {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(p)
                .await
                .map_err(StoreError::from)?
        }))
    }

    /// What the people do on `day` (0 is the first Monday), pair by pair in a fixed order.
    async fn act_on_day(&mut self, day: u32) -> Result<(), DemoError> {
        for i in 0..self.pairs.len() {
            if self.pairs[i].over {
                continue;
            }
            if self.pairs[i].plan_day == Some(day) {
                self.set_plan(i).await?;
            }
            let channel = self.pairs[i].channel.clone();
            let fresh: Vec<Value> = self
                .sandbox
                .fake
                .messages_in(&channel)
                .into_iter()
                .filter(|m| {
                    m["ts"]
                        .as_str()
                        .is_some_and(|ts| !self.pairs[i].handled.contains(ts))
                })
                .collect();
            for m in fresh {
                if let Some(ts) = m["ts"].as_str() {
                    self.pairs[i].handled.insert(ts.to_string());
                }
                if button(&m, ACTION_FEEDBACK_OPEN).is_some() {
                    self.give_feedback(i, &m).await?;
                } else if button(&m, ACTION_CHECKIN_MET).is_some() {
                    self.answer_checkin(i, &m, day).await?;
                } else if button(&m, ACTION_PLAN_OPEN).is_some() && self.pairs[i].plan_day.is_none()
                {
                    // The reminder: they set the plan on the next working day.
                    let next = if day % 7 >= 4 {
                        day + 7 - day % 7
                    } else {
                        day + 1
                    };
                    self.pairs[i].plan_day = Some(next);
                }
            }
        }
        self.admin_acts().await?;
        let halfway = 7 * (self.options.weeks / 2) + 2;
        if day == halfway
            && let Some(leaver) = self.leaver.take()
        {
            self.leave(leaver).await?;
        }
        Ok(())
    }

    /// The admin answers each private help request, privately to the person who asked, and the first at-risk alert,
    /// in the pair's group DM, with *Message them*.
    async fn admin_acts(&mut self) -> Result<(), DemoError> {
        let Some(channel) = self.sandbox.fake.dm_channel_of(ADMIN.id) else {
            return Ok(());
        };
        let alerts: Vec<Value> = self
            .sandbox
            .fake
            .messages_in(&channel)
            .into_iter()
            .filter(|m| button(m, help::ACTION_MESSAGE).is_some())
            .collect();
        for m in alerts {
            let Some(ts) = m["ts"].as_str().map(str::to_string) else {
                continue;
            };
            if !self.alerts_seen.insert(ts) {
                continue;
            }
            let asked = m["text"]
                .as_str()
                .is_some_and(|t| t.contains("asked for help"));
            if !asked && self.risk_answered {
                continue;
            }
            let message = if asked {
                AdminMessage {
                    to: Recipient::Asker,
                    text: "Thank you for telling me. Could we have a quick call this week? Nothing changes \
                           unless you want it to."
                        .into(),
                }
            } else {
                self.risk_answered = true;
                AdminMessage {
                    to: Recipient::Pair,
                    text: "Hello both, I run the Tandem program. Busy weeks happen: would a 20-minute first \
                           call next week work? Tell me if the timing or the pairing should change."
                        .into(),
                }
            };
            self.t.line("")?;
            self.press(ADMIN.id, &m, &channel, help::ACTION_MESSAGE)
                .await?;
            self.fill_in(ADMIN.id, admin_message_values(&message, asked), "message")
                .await?;
            self.show().await?;
        }
        Ok(())
    }

    async fn set_plan(&mut self, i: usize) -> Result<(), DemoError> {
        let part = self.pairs[i].clone();
        let who = if self.rng.chance(50) {
            part.junior
        } else {
            part.senior
        };
        let intro = self
            .sandbox
            .fake
            .messages_in(&part.channel)
            .into_iter()
            .find(|m| m["ts"].as_str() == Some(part.intro_ts.as_str()))
            .ok_or_else(|| DemoError::Step(format!("pair #{}'s introduction is gone", part.id)))?;
        self.t.line("")?;
        self.press(who.id, &intro, &part.channel, ACTION_PLAN_OPEN)
            .await?;
        let modal = self.modal_for(who.id, "plan")?;
        let suggested_cadence = modal_element(&modal, pair_forms::B_CADENCE)
            .and_then(|e| e["initial_option"]["value"].as_str())
            .and_then(|c| Cadence::parse(c).ok())
            .unwrap_or(Cadence::Biweekly);
        let suggested_end = modal_element(&modal, pair_forms::B_END_DATE)
            .and_then(|e| e["initial_date"].as_str())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or_else(|| crate::flows::plans::default_end(self.app()));
        let today = self.clock.now().date_naive();
        let cadence = match part.temperament {
            // Pairs that stall had agreed to meet weekly: two quiet weeks are noticed.
            Temperament::Stalled | Temperament::Recovering => Cadence::Weekly,
            _ => suggested_cadence,
        };
        let end_date = if part.short_plan {
            let weeks = i64::from(self.options.weeks.saturating_sub(2).max(2));
            first_monday() + Duration::days(weeks * 7 - 3)
        } else {
            suggested_end
        };
        let (j, s) = (part.junior, part.senior);
        let objective = format!(
            "{} gets hands-on with {}; {} learns {} from {}.",
            s.first_name(),
            sentence_case(&self.label(shared_skill(j, s))),
            j.first_name(),
            sentence_case(&self.label(shared_skill(s, j))),
            s.first_name()
        );
        let plan = Plan {
            objective,
            cadence,
            end_date,
            first_meeting: Some(
                today + Duration::days(1 + i64::try_from(self.rng.below(3)).unwrap_or(0)),
            ),
        };
        self.fill_in(who.id, plan_values(&plan), "plan").await?;
        self.show().await
    }

    async fn answer_checkin(&mut self, i: usize, m: &Value, day: u32) -> Result<(), DemoError> {
        self.pairs[i].checkins += 1;
        let part = self.pairs[i].clone();
        let (first, second) = if self.rng.chance(50) {
            (part.junior, part.senior)
        } else {
            (part.senior, part.junior)
        };
        if part.asks_help && !part.helped && day >= 7 {
            self.pairs[i].helped = true;
            self.t.line("")?;
            self.press(first.id, m, &part.channel, ACTION_CHECKIN_HELP)
                .await?;
            let request = HelpRequest {
                text: Some(format!(
                    "We keep moving our sessions and I am not sure the pairing works for {}. I would rather \
                     not make a fuss.",
                    second.first_name()
                )),
                may_tell: false,
            };
            self.fill_in(first.id, help_values(&request), "help")
                .await?;
            self.show().await?;
            self.press(second.id, m, &part.channel, ACTION_CHECKIN_NOT_YET)
                .await?;
            return self.show().await;
        }
        let met = match part.temperament {
            Temperament::Steady => self.rng.chance(85),
            Temperament::Patchy => self.rng.chance(50),
            Temperament::Stalled => false,
            Temperament::Recovering => part.checkins >= 3 && self.rng.chance(90),
        };
        if !met {
            // Some say "not yet"; some let the check-in pass unanswered.
            if self.rng.chance(60) {
                self.t.line("")?;
                self.press(first.id, m, &part.channel, ACTION_CHECKIN_NOT_YET)
                    .await?;
                self.show().await?;
            }
            return Ok(());
        }
        let minutes = *self.rng.pick(&[30u16, 45, 45, 60, 60, 90]).unwrap_or(&45);
        let usefulness = 3 + u8::try_from(self.rng.below(3)).unwrap_or(0);
        let topic = if self.rng.chance(50) {
            format!(
                "{} showed {}: {}",
                part.junior.first_name(),
                part.senior.first_name(),
                self.label(shared_skill(part.junior, part.senior))
            )
        } else {
            format!(
                "{} walked {} through {}",
                part.senior.first_name(),
                part.junior.first_name(),
                sentence_case(&self.label(shared_skill(part.senior, part.junior)))
            )
        };
        let answer = MetAnswer {
            minutes,
            covered: Some(topic),
            usefulness,
        };
        self.t.line("")?;
        self.press(first.id, m, &part.channel, ACTION_CHECKIN_MET)
            .await?;
        self.fill_in(first.id, met_values(&answer), "We met")
            .await?;
        self.show().await?;
        if self.rng.chance(60) {
            let also = MetAnswer {
                covered: None,
                usefulness: 3 + u8::try_from(self.rng.below(3)).unwrap_or(0),
                ..answer
            };
            self.press(second.id, m, &part.channel, ACTION_CHECKIN_MET)
                .await?;
            self.fill_in(second.id, met_values(&also), "We met").await?;
            self.show().await?;
        }
        Ok(())
    }

    async fn give_feedback(&mut self, i: usize, m: &Value) -> Result<(), DemoError> {
        let part = self.pairs[i].clone();
        self.pairs[i].over = true;
        for (who, other) in [(part.junior, part.senior), (part.senior, part.junior)] {
            let feedback = Feedback {
                rating: 4 + u8::try_from(self.rng.below(2)).unwrap_or(0),
                learned: Some(format!(
                    "{} from {}",
                    self.label(shared_skill(other, who)),
                    other.first_name()
                )),
                recommend: self.rng.chance(90),
            };
            self.t.line("")?;
            self.press(who.id, m, &part.channel, ACTION_FEEDBACK_OPEN)
                .await?;
            self.fill_in(who.id, feedback_values(&feedback), "feedback")
                .await?;
            self.show().await?;
        }
        Ok(())
    }

    async fn leave(&mut self, leaver: &'static str) -> Result<(), DemoError> {
        self.t.line("")?;
        let r = self.command(leaver, "leave").await?;
        let confirm = r.json();
        self.t.act(
            leaver,
            &format!(
                "presses [{}]",
                button_label(&confirm, crate::views::enrolment::ACTION_LEAVE_CONFIRM)
            ),
        )?;
        let value = button_value(&confirm, crate::views::enrolment::ACTION_LEAVE_CONFIRM)
            .ok_or_else(|| DemoError::Step("/mentor leave asked for no confirmation".into()))?;
        let r = self
            .sandbox
            .driver
            .click(
                leaver,
                crate::views::enrolment::ACTION_LEAVE_CONFIRM,
                &value,
                None,
            )
            .await;
        Self::expect_ok(r, "the leave confirmation")?;
        self.show().await?;
        for part in &mut self.pairs {
            if part.junior.id == leaver || part.senior.id == leaver {
                part.over = true;
            }
        }
        Ok(())
    }

    /// The end: what one participant's Home tab shows now (Slack asks Tandem for it when they open it).
    async fn epilogue(&mut self) -> Result<(), DemoError> {
        let Some(someone) = self.pairs.iter().find(|p| !p.over).map(|p| p.junior) else {
            return Ok(());
        };
        self.t
            .heading(&format!("{} opens Tandem's Home tab", someone.name))?;
        let event = crate::sandbox::driver::app_home_opened(someone.id);
        let r = self
            .sandbox
            .driver
            .event(&format!("EvDEMOHOME{}", someone.id), event, None)
            .await;
        Self::expect_ok(r, "app_home_opened")?;
        self.settle().await?;
        self.t.flush()?;
        if let Some(home) = self.sandbox.fake.home_of(someone.id) {
            self.t.view(&home)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_labels_read_well_mid_sentence() {
        assert_eq!(sentence_case("Negotiation"), "negotiation");
        assert_eq!(
            sentence_case("AI-assisted drafting"),
            "AI-assisted drafting"
        );
        assert_eq!(
            sentence_case("E-discovery platforms"),
            "e-discovery platforms"
        );
    }

    #[test]
    fn the_second_round_is_the_first_scheduled_time_in_the_demo() {
        assert_eq!(round_cron(10), "0 8 11 5,8,11,2 *");
        for weeks in 1..=MAX_WEEKS {
            let cron = round_cron(weeks);
            let s = crate::domain::schedule::CronSchedule::parse(&cron, chrono_tz::UTC).unwrap();
            let start = at(first_monday() - Duration::days(7), 0, 0);
            assert_eq!(
                s.next_after(start),
                Some(at(second_round_day(weeks), 8, 0)),
                "{weeks} weeks: {cron}"
            );
        }
    }

    #[test]
    fn a_database_that_holds_data_is_refused_and_a_fresh_one_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(prepare_database(Some(&empty)).unwrap(), empty);
        let new = dir.path().join("new.db");
        assert_eq!(prepare_database(Some(&new)).unwrap(), new);
        let used = dir.path().join("used.db");
        std::fs::write(&used, b"SQLite format 3").unwrap();
        let e = prepare_database(Some(&used)).unwrap_err().to_string();
        assert!(
            e.contains("used.db already holds data") && !e.contains('\n'),
            "{e}"
        );
        assert!(
            prepare_database(Some(dir.path()))
                .unwrap_err()
                .to_string()
                .ends_with("it is a directory")
        );
        let fresh = prepare_database(None).unwrap();
        assert!(!fresh.exists() && fresh.starts_with(std::env::temp_dir()));
    }
}
