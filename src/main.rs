//! `tandem`: the command line. Wiring only: parse arguments, load configuration, call into the library.

#![forbid(unsafe_code)]

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tandem::cli::offline::{self, MatchArgs};
use tandem::context::config::{self, Config};
use tandem::outbound::store::Store;
use tandem::startup::telemetry;
use tandem::startup::{Options, Server};

/// See Cargo.toml: memory freed after a big report goes back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Tandem runs reverse-mentoring programs for law firms on Slack: attorneys opt in, Tandem pairs them so each teaches the other, introduces them, checks in, and reports to program managers.",
    after_help = "Run `tandem serve --help` for the environment variables."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the Slack app: HTTP listener (and Socket Mode when SLACK_APP_TOKEN is set), scheduler and store.
    #[command(after_help = config::environment_help())]
    Serve,
    /// Create or upgrade the database (DATABASE_URL, default sqlite://tandem.db), then exit.
    Migrate,
    /// Copy a program from its SQLite file to a PostgreSQL database (stop Tandem first), then verify every table's
    /// row count.
    #[command(
        name = "migrate-store",
        long_about = "Copy a program from its SQLite file to a PostgreSQL database, to run Tandem on PostgreSQL (for \
example several replicas behind a load balancer). Stop Tandem first: the copy is of the file as it is, and anything \
Tandem writes meanwhile would be lost (the command refuses while the file's -wal holds writes, the sign Tandem has \
it open, and its final count check catches writes during the copy).\n\n\
What it checks, in order, before writing anything:\n\
  - --from is an SQLite Tandem database, opened read-only (it is never changed), at the current schema: a file with \
pending migrations is refused (run `tandem migrate` on it first);\n\
  - --to is a PostgreSQL database that holds no Tandem row and no other application's table: a new database \
(CREATE DATABASE tandem OWNER tandem) or one only migrated; anything else is refused.\n\n\
Then it migrates --to to the current schema and copies every table, parents before children (foreign keys), in \
one PostgreSQL transaction, with a progress line per table on standard error; moves every id sequence past the \
copied ids (new rows get fresh ids); and compares every table's row count on both sides. It prints the table of \
counts on standard output. If any count differs the transaction is rolled back, the target stays empty, and the \
command exits with status 2 saying so. Passwords in URLs are never printed.",
        after_help = "Steps:\n  1. stop Tandem (systemctl stop tandem, or Ctrl-C)\n  2. tandem migrate-store --from sqlite:///var/lib/tandem/tandem.db --to postgres://tandem:PASSWORD@db.internal/tandem\n  \
3. check the table of counts (every line identical)\n  4. start Tandem with DATABASE_URL=postgres://tandem:PASSWORD@db.internal/tandem\n\n\
Keep the SQLite file as it is: it is the way back. Exit status 0 when the copy verified, 2 when nothing was copied."
    )]
    MigrateStore {
        /// The SQLite database Tandem ran on (sqlite://tandem.db, or its path).
        #[arg(long, value_name = "SQLITE_URL")]
        from: String,
        /// The PostgreSQL database to copy into: postgres://user:password@host:port/db (a new, empty database).
        #[arg(long, value_name = "POSTGRES_URL")]
        to: String,
        /// Copy even though the SQLite file's -wal file holds writes (only when you are sure Tandem is stopped).
        #[arg(long)]
        force: bool,
    },
    /// Propose pairs offline from a roster file (JSON survey answers); sends nothing to Slack.
    #[command(
        long_about = "Propose pairs offline from a roster file of survey answers, so a program manager can try \
matching on a spreadsheet export without Slack.\n\n\
Prints the proposed pairs as a table on standard output; the summary and the names of files written go to \
standard error, with a warning for a roster that names nobody or skill ids the catalog does not know. Nothing is \
sent to Slack and no database is opened.\n\n\
Matching rules and weights: the TOML file of --rules FILE, else of TANDEM_MATCHING_FILE (the file `tandem serve` \
uses), else the defaults; skill labels from TANDEM_SKILLS_FILE, else the built-in catalog. So a firm can preview \
its own rules on its own roster.\n\n\
The roster format (JSON) is documented in docs/roster-format.md; examples/roster.json is a full example with 40 \
fictional attorneys.",
        after_help = "Examples:\n  tandem match --input examples/roster.json --output proposal.json --explain-all pairs.csv\n  \
tandem match --input roster.json --rules matching.toml\n  tandem match --from-db --db /var/lib/tandem/tandem.db\n\n\
Roster format: docs/roster-format.md. Errors print one line naming the file and exit with status 2."
    )]
    Match(MatchCmd),
    /// Print the managers' summary of the program so far (the same as `/mentor report`), from the database.
    Report {
        /// The database file (or a sqlite: URL); default DATABASE_URL, then tandem.db.
        #[arg(long, value_name = "PATH")]
        db: Option<String>,
        /// Report as of this date or time instead of now (e.g. 2026-05-10, or 2026-05-10T09:00:00Z).
        #[arg(long, value_name = "WHEN")]
        as_of: Option<String>,
        /// Report on these days instead of the summary period so far: the first day (with --to), e.g. 2026-01-01.
        #[arg(long, value_name = "DATE", conflicts_with = "all")]
        from: Option<String>,
        /// The last day reported on, inclusive (with --from), e.g. 2026-03-31.
        #[arg(long, value_name = "DATE", conflicts_with = "all")]
        to: Option<String>,
        /// Report on the whole program, from the first enrolment.
        #[arg(long)]
        all: bool,
        /// Also write the weekly chart (12 weeks up to the report's end) to this PNG file.
        #[arg(long, value_name = "FILE.png")]
        chart: Option<PathBuf>,
    },
    /// Print the audit log: every admin action (when, who, what, on whom, detail), oldest first.
    Audit {
        /// Only actions from this date (from the start of that day, UTC) or time on, e.g. 2026-05-10.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// The database file (or a sqlite: URL); default DATABASE_URL, then tandem.db.
        #[arg(long, value_name = "PATH")]
        db: Option<String>,
    },
    /// Write pairs, check-ins and hours as CSV files for HR (no free text, no individual ratings).
    Export {
        /// The file format; only csv for now.
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// The folder to write pairs.csv, checkins.csv and hours.csv into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The database file (or a sqlite: URL); default DATABASE_URL, then tandem.db.
        #[arg(long, value_name = "PATH")]
        db: Option<String>,
    },
    /// Write a consistent copy of the database to FILE (safe while `tandem serve` runs); opens the database
    /// read-only.
    Backup {
        /// The copy to write; it must not exist unless --force.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The database file (or a sqlite: URL); default DATABASE_URL, then tandem.db.
        #[arg(long, value_name = "PATH")]
        db: Option<String>,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Bring back a backup: check it is a sound Tandem database, then put it in place of the database (stop
    /// `tandem serve` first).
    Restore {
        /// The backup written by `tandem backup`.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The database file to replace (or a sqlite: URL); default DATABASE_URL, then tandem.db.
        #[arg(long, value_name = "PATH")]
        db: Option<String>,
        /// Restore even though the database's -wal file exists (Tandem looks to be running).
        #[arg(long)]
        force: bool,
    },
    /// Invite the people of an HR export (CSV) to opt in: each gets a DM with a Join button that opens the survey.
    #[command(
        long_about = "Invite the people listed in an HR export (CSV) to opt in to Tandem. Nobody is enrolled by an \
invitation: each person gets a DM with a Join button that opens the same survey as `/mentor join`.\n\n\
The file needs a header row with an `email` column and may have a `supervisor_email` column (other columns are \
ignored; a spreadsheet's \"CSV UTF-8\" export works). Each person and supervisor is found in Slack with \
users.lookupByEmail (the app needs the users:read.email scope); the supervisor pre-fills \"who I report to\" in the \
person's survey. People already enrolled, and people invited in the last 30 days, are not invited again.\n\n\
This command sends no DM itself: it queues the invitations in the database (DATABASE_URL or --db), in one \
transaction, and the running `tandem serve` sends them at Slack's pace, each at the next TANDEM_CHECKIN_TIME (10:00) on \
a working day in the person's Slack time zone (if it is not running then, when it starts). With --dry-run it looks everyone up, prints who would be invited and changes nothing.\n\n\
Rows that cannot be used (no e-mail, a malformed or repeated one, nobody in Slack with it, a deactivated account, a \
bot) are reported on standard error with their line number and skipped; the other rows are still processed. \
Slack's rate limit on look-ups is waited out; a progress line goes to standard error every 25 people.",
        after_help = "Environment: SLACK_BOT_TOKEN (required), SLACK_API_URL, DATABASE_URL (as for `tandem serve`).\n\n\
Examples:\n  tandem invite --csv people.csv --dry-run\n  tandem invite --csv people.csv\n\n\
Who is invited goes to standard output, one line each; problems, progress and the summary to standard error. Exit \
status 0 when the file was processed (even with bad rows), 2 when nothing was changed because the file, the \
database or Slack could not be used."
    )]
    Invite {
        /// The HR export: CSV with an `email` column and optionally a `supervisor_email` column.
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        /// Look everyone up and print who would be invited; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The database file (or a sqlite: URL); default DATABASE_URL, then tandem.db. It must exist.
        #[arg(long, value_name = "PATH")]
        db: Option<String>,
    },
    /// Play a whole reverse-mentoring program in one command: Tandem's real server and store against a built-in
    /// Slack stand-in on loopback, with a fictional cohort and a simulated clock.
    #[command(
        long_about = "Play a whole reverse-mentoring program in one command, on Tandem's real code paths.\n\n\
Starts Tandem's real HTTP server, dispatcher, job worker and SQLite store against a built-in Slack stand-in on \
127.0.0.1 (the same one the tests use), then plays a program with a scripted cohort of fictional attorneys \
(partners, counsel, associates, in-house lawyers) through the signed requests Slack would send: opt-ins with the \
survey, a matching round in which the admin removes one proposed pair and approves the re-matched rest, \
introductions in group DMs, plans, and weeks of check-ins on a simulated clock (some pairs meet, some stall and go at \
risk and the admin answers the alert, one person asks for help privately, one person leaves, a few finish and give \
feedback), then a second matching round that starts on schedule (TANDEM_ROUND_CRON) for everyone free again, never \
repeating a pair. It ends with the managers' summary, program to date included.\n\n\
As it goes it prints what each person sees in Slack, messages and forms rendered as text (the first message of each \
kind in full, later ones as their one-line notification; --full shows all in full), with a line per simulated week. \
Nothing leaves this machine: no Slack workspace, no token, no network beyond loopback.",
        after_help = "Examples:\n  tandem demo\n  tandem demo --quiet --seed 7\n  tandem demo --people 12 --weeks 6 --db demo.db\n\n\
The database stays behind for you to inspect; the last lines say where it is."
    )]
    Demo(DemoCmd),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
}

/// The database, catalog, matching rules and summary schedule for the offline commands, from `--db` and the same
/// variables as `serve`.
struct Offline {
    url: String,
    catalog: tandem::domain::catalog::Catalog,
    rules: tandem::domain::matching::MatchConfig,
    schedule: tandem::domain::schedule::SummarySchedule,
}

/// `--db`, else `DATABASE_URL`, else `tandem.db`.
fn default_db(db: Option<String>) -> String {
    db.or_else(|| {
        std::env::var("DATABASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
    })
    .unwrap_or_else(|| "tandem.db".to_string())
}

fn offline_setup(db: Option<String>) -> Result<Offline, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let db = default_db(db);
    let url = tandem::flows::summaries::database_url(&db)?;
    let path = |name: &str| env(name).map(PathBuf::from);
    let bad = |e: tandem::domain::catalog::CatalogError| format!("bad configuration file {e}");
    let catalog = tandem::domain::catalog::Catalog::load(
        path("TANDEM_SKILLS_FILE").as_deref(),
        path("TANDEM_PRACTICE_GROUPS_FILE").as_deref(),
    )
    .map_err(bad)?;
    let rules = tandem::domain::matching::load_config(path("TANDEM_MATCHING_FILE").as_deref())
        .map_err(bad)?;
    let tz = tandem::domain::schedule::parse_tz(&env("TANDEM_TZ").unwrap_or_else(|| "UTC".into()))
        .map_err(|e| format!("TANDEM_TZ is malformed: {e}"))?;
    let schedule = tandem::domain::schedule::SummarySchedule::parse(
        &env("TANDEM_SUMMARY_CRON")
            .unwrap_or_else(|| tandem::domain::schedule::DEFAULT_SUMMARY_CRON.into()),
        tz,
    )
    .map_err(|e| format!("TANDEM_SUMMARY_CRON is malformed: {e}"))?;
    Ok(Offline {
        url,
        catalog,
        rules,
        schedule,
    })
}

#[derive(Args)]
struct DemoCmd {
    /// Create the program's SQLite database at PATH (it must not exist yet, or be empty). By default a fresh file
    /// in the system's temporary directory.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Seed for who meets, who stalls, who asks for help and who leaves; the same seed replays the same program.
    #[arg(long, value_name = "N", default_value_t = tandem::demo::DEFAULT_SEED)]
    seed: u64,
    /// How many attorneys take part (4 to 40).
    #[arg(long, value_name = "N", default_value_t = tandem::demo::DEFAULT_PEOPLE)]
    people: usize,
    /// How many weeks to play after the introductions (1 to 26).
    #[arg(long, value_name = "N", default_value_t = tandem::demo::DEFAULT_WEEKS)]
    weeks: u32,
    /// Print only the managers' summary and where the database is.
    #[arg(long)]
    quiet: bool,
    /// Print every message in full, not only the first of each kind.
    #[arg(long, conflicts_with = "quiet")]
    full: bool,
}

#[derive(Args)]
struct MatchCmd {
    /// The roster: a JSON file of survey answers (format: docs/roster-format.md).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present_any = ["from_db", "db"],
        conflicts_with_all = ["from_db", "db"]
    )]
    input: Option<PathBuf>,
    /// Instead of a file, a dry run over the live database (--db, else DATABASE_URL, else tandem.db): what
    /// `/mentor match` would propose now. Changes nothing and sends nothing.
    #[arg(long)]
    from_db: bool,
    /// With --from-db: the database file (or a sqlite: URL); giving it implies --from-db.
    #[arg(long, value_name = "PATH")]
    db: Option<String>,
    /// Matching rules and weights (TOML, the format of TANDEM_MATCHING_FILE); default: TANDEM_MATCHING_FILE if
    /// set, else the built-in rules.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Also write the proposal as JSON to FILE (created or overwritten).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write every candidate pair as CSV to FILE: both people, the score (empty where a hard rule forbids
    /// the pair) and the rule.
    #[arg(long, value_name = "FILE")]
    explain_all: Option<PathBuf>,
}

/// `tandem match --from-db`: the catalog and matching rules come from the same variables as `serve` (`--rules`
/// overrides the rules).
async fn match_from_db(
    m: &MatchCmd,
    rules: Option<&std::path::Path>,
) -> Result<offline::MatchReport, offline::OfflineError> {
    let mut o = offline_setup(m.db.clone())
        .map_err(|message| offline::OfflineError::Database { message })?;
    if let Some(file) = rules {
        o.rules = offline::load_setup(Some(file), None)?.0;
    }
    offline::run_match_from_db(
        &o.url,
        &o.catalog,
        &o.rules,
        m.output.as_deref(),
        m.explain_all.as_deref(),
    )
    .await
}

/// A file named by an environment variable (unset or blank: none).
fn env_file(name: &str) -> Option<PathBuf> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(PathBuf::from)
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("tandem: error: {message}");
    ExitCode::from(2)
}

/// Waits for SIGTERM (systemd's and Docker's stop) or SIGINT (Ctrl-C); returns which.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Serve => {
            let config = match Config::from_env() {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            telemetry::init(config.log_format);
            let app = match tandem::startup::build(config, &Options::default()).await {
                Ok(a) => a,
                Err(e) => return fail(e),
            };
            let server = match Server::start(app, &Options::default()).await {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let signal = stop_signal().await;
            tracing::info!(
                signal,
                grace_s = tandem::startup::server::STOP_GRACE.as_secs(),
                "stopping: no new work; in-flight work may finish"
            );
            server.shutdown().await;
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Cmd::Migrate => {
            let url =
                std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://tandem.db".to_string());
            let store = match Store::open(&url).await {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            match store.migrate().await {
                Ok(n) => {
                    println!(
                        "{}: {n} migration(s) applied; the database is up to date",
                        tandem::outbound::store::shown_url(&url)
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Cmd::MigrateStore { from, to, force } => {
            let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
            match tandem::cli::migrate_store::run(&from, &to, force, &mut out, &mut err).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Cmd::Report {
            db,
            as_of,
            from,
            to,
            all,
            chart,
        } => {
            let span = if all {
                tandem::flows::summaries::Span::All
            } else {
                match tandem::flows::summaries::Span::parse_days(from.as_deref(), to.as_deref()) {
                    Ok(span) => span,
                    Err(e) => return fail(e),
                }
            };
            let o = match offline_setup(db) {
                Ok(o) => o,
                Err(e) => return fail(e),
            };
            let now = match as_of
                .as_deref()
                .map(tandem::flows::summaries::parse_as_of)
                .transpose()
            {
                Ok(t) => t.unwrap_or_else(chrono::Utc::now),
                Err(e) => return fail(e),
            };
            match tandem::flows::summaries::report_text(
                &o.url,
                &o.catalog,
                &o.rules,
                &o.schedule,
                span,
                now,
                chart.as_deref(),
            )
            .await
            {
                Ok((text, charted)) => {
                    print!("{text}");
                    match (charted, &chart) {
                        (Some(Ok(())), Some(path)) => {
                            eprintln!("tandem: the chart is in {}", path.display());
                            ExitCode::SUCCESS
                        }
                        (Some(Err(e)), _) => {
                            eprintln!("tandem: {e}");
                            ExitCode::from(1)
                        }
                        _ => ExitCode::SUCCESS,
                    }
                }
                Err(e) => fail(e),
            }
        }
        Cmd::Audit { since, db } => {
            let o = match offline_setup(db) {
                Ok(o) => o,
                Err(e) => return fail(e),
            };
            let since = match since
                .as_deref()
                .map(tandem::flows::admin::parse_since)
                .transpose()
            {
                Ok(t) => t,
                Err(e) => return fail(e),
            };
            match tandem::flows::admin::audit_text(&o.url, since).await {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Cmd::Export {
            format: ExportFormat::Csv,
            out,
            db,
        } => {
            let o = match offline_setup(db) {
                Ok(o) => o,
                Err(e) => return fail(e),
            };
            match tandem::flows::summaries::export_csv(&o.url, &o.catalog, &o.rules, &out).await {
                Ok(files) => {
                    for f in files {
                        println!("wrote {}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Cmd::Backup { out, db, force } => {
            let url = match tandem::flows::summaries::database_url(&default_db(db)) {
                Ok(u) => u,
                Err(e) => return fail(e),
            };
            match tandem::cli::backup::backup(&url, &out, force).await {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Cmd::Restore { from, db, force } => {
            let db = default_db(db);
            let url = if db.starts_with("sqlite:") {
                db
            } else {
                format!("sqlite://{db}")
            };
            match tandem::cli::backup::restore(&from, &url, force).await {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Cmd::Match(m) => {
            let rules = m.rules.clone().or_else(|| env_file("TANDEM_MATCHING_FILE"));
            let result = match m.input.clone() {
                Some(input) => offline::run_match(&MatchArgs {
                    input,
                    output: m.output.clone(),
                    explain_all: m.explain_all.clone(),
                    rules: rules.clone(),
                    skills: env_file("TANDEM_SKILLS_FILE"),
                }),
                None => match_from_db(&m, rules.as_deref()).await,
            };
            match result {
                Ok(report) => {
                    print!("{}", report.table);
                    if let Some(file) = &rules {
                        eprintln!("tandem: matching rules from {}", file.display());
                    }
                    for w in &report.warnings {
                        eprintln!("tandem: warning: {w}");
                    }
                    eprintln!("tandem: {}", report.summary);
                    for w in &report.written {
                        eprintln!("tandem: {w}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Cmd::Invite { csv, dry_run, db } => {
            let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
            let Some(bot_token) = env("SLACK_BOT_TOKEN") else {
                return fail(
                    "SLACK_BOT_TOKEN is not set: tandem invite looks people up in Slack with the bot token",
                );
            };
            let database_url = match tandem::flows::summaries::database_url(&default_db(db)) {
                Ok(u) => u,
                Err(e) => return fail(e),
            };
            let options = tandem::cli::invite::InviteOptions {
                csv,
                dry_run,
                database_url,
                slack_api_url: env("SLACK_API_URL")
                    .unwrap_or_else(|| "https://slack.com/api".to_string()),
                bot_token,
                progress_every: tandem::cli::invite::PROGRESS_EVERY,
                retry: tandem::cli::invite::patient_retry(),
            };
            let now = chrono::Utc::now().timestamp();
            let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
            match tandem::cli::invite::run(&options, now, &mut out, &mut err).await {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Cmd::Demo(d) => {
            if std::env::var_os("RUST_LOG").is_some() {
                telemetry::init(config::LogFormat::Pretty);
            }
            let options = tandem::demo::DemoOptions {
                db: d.db,
                seed: d.seed,
                people: d.people,
                weeks: d.weeks,
                quiet: d.quiet,
                full: d.full,
                pool: None,
            };
            let mut stdout = std::io::stdout();
            match tandem::demo::run(&options, &mut stdout).await {
                Ok(_) => ExitCode::SUCCESS,
                // The reader went away (`tandem demo | head`): nothing more to say.
                Err(tandem::demo::DemoError::Output(e))
                    if e.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}
