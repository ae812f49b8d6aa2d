//! `tandem`: the command line. Wiring only: parse arguments, load configuration, call into the library.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use tandem::app::{App, Options, Server};
use tandem::config::{self, Config};
use tandem::store::Store;
use tandem::telemetry;

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
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("tandem: error: {message}");
    ExitCode::from(2)
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
            let app = match App::build(config, Options::default()).await {
                Ok(a) => a,
                Err(e) => return fail(e),
            };
            let server = match Server::start(app).await {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
            server.shutdown().await;
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
                    println!("{url}: {n} migration(s) applied; the database is up to date");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}
