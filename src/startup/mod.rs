//! Start-up: build the [`App`] (configuration files, store, migrations, re-queued jobs, reconciliation, the Slack
//! client) and run it ([`server::Server`]). The only layer that knows every other.

pub mod server;
pub mod telemetry;

pub use server::Server;

use crate::context::clock::Clock;
use crate::context::config::Config;
use crate::context::{App, Parts};
use crate::domain::catalog::Catalog;
use crate::outbound::slack_api::{RetryPolicy, SlackApi};
use crate::outbound::store::{PoolSize, Store, StoreError};
use std::net::SocketAddr;
use std::time::Duration;

/// What can stop Tandem from starting. Each message is one line and names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr} (TANDEM_LISTEN): {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot set up TLS for the Slack client: {0}")]
    Tls(std::io::Error),
    #[error("bad configuration file {0}")]
    Catalog(#[from] crate::domain::catalog::CatalogError),
}

/// How the jobs loop runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerMode {
    /// Looks for due jobs every interval, and at once when a request queues work due now.
    Poll(Duration),
    /// Runs only when a request queues work due now: tests and the demo move the clock and run scheduled jobs
    /// themselves ([`crate::jobs::worker::run_due`], or [`crate::jobs::worker::settle`]).
    OnWake,
    /// No loop at all: only [`crate::jobs::worker::run_due`] and [`crate::jobs::worker::settle`] run jobs (tests
    /// that stop between a decision and its delivery).
    Manual,
}

/// Knobs that production leaves at their defaults and tests or the demo turn.
#[derive(Debug, Clone)]
pub struct Options {
    pub clock: Clock,
    pub retry: RetryPolicy,
    pub worker: WorkerMode,
    /// Socket Mode's keep-alive and reconnection timings.
    pub socket: crate::inbound::socket::SocketTimings,
    /// The store's pool, when not the engine's default ([`PoolSize::for_url`]): tests run on one connection to show
    /// that no path needs a second while it holds one.
    pub pool: Option<PoolSize>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            clock: Clock::System,
            retry: RetryPolicy::default(),
            worker: WorkerMode::Poll(Duration::from_secs(15)),
            socket: crate::inbound::socket::SocketTimings::default(),
            pool: None,
        }
    }
}

/// Reads `TANDEM_HOLIDAYS_FILE` (no holidays without it) and says in the log what it found: how many holidays fall
/// on weekdays in the coming year and which is next, and which timed events it skipped.
fn load_holidays(
    config: &Config,
    today: chrono::NaiveDate,
) -> Result<crate::domain::schedule::WorkingCalendar, StartError> {
    let Some(path) = config.holidays_file.as_deref() else {
        return Ok(Default::default());
    };
    let file = crate::domain::holidays::load(path)?;
    let coming: Vec<_> = file
        .calendar
        .holidays_between(today, 365)
        .into_iter()
        .filter(|(d, _)| {
            !matches!(
                chrono::Datelike::weekday(d),
                chrono::Weekday::Sat | chrono::Weekday::Sun
            )
        })
        .collect();
    match coming.first() {
        Some((date, name)) => tracing::info!(
            file = %path.display(),
            weekday_holidays_this_year = coming.len(),
            next = %format!("{date} {name}").trim_end(),
            "holidays loaded"
        ),
        None => tracing::warn!(
            file = %path.display(),
            "the holidays file has no holiday on a weekday in the coming year"
        ),
    }
    if !file.timed_events_skipped.is_empty() {
        tracing::warn!(
            file = %path.display(),
            lines = ?file.timed_events_skipped,
            "events with a time of day are not holidays and were skipped (holidays are all-day events)"
        );
    }
    Ok(file.calendar)
}

/// Loads the configuration files, opens the store, applies migrations, re-queues the jobs a stop interrupted,
/// reconciles what a crash left half done, and builds the Web API client.
pub async fn build(config: Config, options: &Options) -> Result<App, StartError> {
    let catalog = Catalog::load(
        config.skills_file.as_deref(),
        config.practice_groups_file.as_deref(),
    )?;
    let match_config = crate::domain::matching::load_config(config.matching_file.as_deref())?;
    let calendar = load_holidays(&config, options.clock.now().date_naive())?;
    let pool = options
        .pool
        .unwrap_or_else(|| PoolSize::for_url(&config.database_url));
    let store = Store::open_with(&config.database_url, pool).await?;
    let applied = store.migrate().await?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    let requeued = store
        .requeue_running_jobs(options.clock.now().timestamp())
        .await?;
    if requeued > 0 {
        tracing::info!(requeued, "jobs interrupted by the last stop will run again");
    }
    let metrics = std::sync::Arc::new(crate::outbound::metrics::Metrics::default());
    let slack = SlackApi::new(
        &config.slack_api_url,
        config.bot_token.expose(),
        options.retry,
    )
    .map_err(StartError::Tls)?
    .with_clock({
        let clock = options.clock.clone();
        std::sync::Arc::new(move || clock.now())
    })
    .with_metrics(metrics.clone());
    let app = App::new(Parts {
        metrics,
        config,
        catalog,
        match_config,
        calendar: std::sync::Arc::new(calendar),
        store,
        slack,
        clock: options.clock.clone(),
    });
    crate::flows::summaries::ensure_scheduled(&app).await?;
    crate::flows::rounds::ensure_scheduled(&app).await?;
    crate::flows::reconcile::run(&app).await?;
    Ok(app)
}
