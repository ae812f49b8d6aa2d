//! The application: one cheap-to-clone state ([`App`]) and the running server ([`Server`]) that owns its tasks.

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::config::{Config, Ingress};
use crate::ingress;
use crate::slack_api::{RetryPolicy, SlackApi};
use crate::store::{Store, StoreError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

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
    Catalog(#[from] crate::catalog::CatalogError),
}

/// How many locks order Home tab refreshes (people share a lock by hash; refreshes are short).
const HOME_LOCK_STRIPES: usize = 64;

/// Knobs that production leaves at their defaults and tests or the demo turn.
#[derive(Debug, Clone)]
pub struct Options {
    pub clock: Clock,
    pub retry: RetryPolicy,
    /// How often the jobs loop looks for due jobs (it is also woken when something is due at once). `None` runs no
    /// loop: tests and the demo call [`crate::worker::run_due`] themselves after moving the clock.
    pub worker_interval: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            clock: Clock::System,
            retry: RetryPolicy::default(),
            worker_interval: Some(Duration::from_secs(15)),
        }
    }
}

struct Inner {
    config: Config,
    catalog: Catalog,
    match_config: crate::matching::MatchConfig,
    store: Store,
    slack: SlackApi,
    clock: Clock,
    /// How many background tasks started with [`App::spawn_background`] are still running.
    in_flight: watch::Sender<usize>,
    worker: crate::worker::Worker,
    worker_interval: Option<Duration>,
    /// Striped locks that keep one person's Home tab refreshes in order (read, then publish, one at a time).
    home_locks: Vec<tokio::sync::Mutex<()>>,
}

/// Shared application state: configuration, store, Web API client and clock.
#[derive(Clone)]
pub struct App(Arc<Inner>);

impl App {
    /// Opens the store, applies migrations and builds the Web API client.
    pub async fn build(config: Config, options: Options) -> Result<App, StartError> {
        let catalog = Catalog::load(
            config.skills_file.as_deref(),
            config.practice_groups_file.as_deref(),
        )?;
        let match_config = crate::proposals::load_config(config.matching_file.as_deref())?;
        let store = Store::open(&config.database_url).await?;
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
        let slack = SlackApi::new(
            &config.slack_api_url,
            config.bot_token.expose(),
            options.retry,
        )
        .map_err(StartError::Tls)?;
        let app = App(Arc::new(Inner {
            config,
            catalog,
            match_config,
            store,
            slack,
            clock: options.clock,
            in_flight: watch::channel(0).0,
            worker: crate::worker::Worker::default(),
            worker_interval: options.worker_interval,
            home_locks: (0..HOME_LOCK_STRIPES)
                .map(|_| tokio::sync::Mutex::new(()))
                .collect(),
        }));
        crate::summaries::ensure_scheduled(&app).await?;
        Ok(app)
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }
    pub fn catalog(&self) -> &Catalog {
        &self.0.catalog
    }
    pub fn match_config(&self) -> &crate::matching::MatchConfig {
        &self.0.match_config
    }
    pub fn store(&self) -> &Store {
        &self.0.store
    }
    pub fn slack(&self) -> &SlackApi {
        &self.0.slack
    }
    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }
    pub fn worker(&self) -> &crate::worker::Worker {
        &self.0.worker
    }

    /// The lock that orders `user_id`'s Home tab refreshes, so that the last one published shows the latest state.
    pub fn home_lock(&self, user_id: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        user_id.hash(&mut h);
        &self.0.home_locks[(h.finish() % HOME_LOCK_STRIPES as u64) as usize]
    }

    /// Runs slow work (Web API calls) off the request path, counted so that shutdown and tests can wait for it.
    pub fn spawn_background<F>(&self, work: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let counter = self.0.in_flight.clone();
        counter.send_modify(|n| *n += 1);
        tokio::spawn(async move {
            // Decrement even if `work` panics: the guard runs on drop.
            struct Done(watch::Sender<usize>);
            impl Drop for Done {
                fn drop(&mut self) {
                    self.0.send_modify(|n| *n = n.saturating_sub(1));
                }
            }
            let _done = Done(counter);
            work.await;
        });
    }

    /// Waits until no background work is running (a signal, not a sleep).
    pub async fn background_idle(&self) {
        let mut rx = self.0.in_flight.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

/// A running Tandem: the HTTP listener, Socket Mode (if configured) and housekeeping.
pub struct Server {
    addr: SocketAddr,
    app: App,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// Binds the listener and starts every task. Returns once the server accepts connections.
    pub async fn start(app: App) -> Result<Server, StartError> {
        let addr = app.config().listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let (shutdown, rx) = watch::channel(false);
        let mut tasks = Vec::new();

        let router = ingress::http::router(app.clone());
        let mut http_rx = rx.clone();
        tasks.push(tokio::spawn(async move {
            let stop = async move {
                let _ = http_rx.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(error = %e, "HTTP server stopped");
            }
        }));

        if let Ingress::SocketMode { app_token, .. } = &app.config().ingress {
            tasks.push(tokio::spawn(ingress::socket::run(
                app.clone(),
                app_token.expose().to_string(),
                rx.clone(),
            )));
        }

        if let Some(interval) = app.0.worker_interval {
            tasks.push(tokio::spawn(crate::worker::run_loop(
                app.clone(),
                interval,
                rx.clone(),
            )));
        }
        tasks.push(tokio::spawn(housekeeping(app.clone(), rx)));
        tracing::info!(%addr, socket_mode = matches!(app.config().ingress, Ingress::SocketMode { .. }), "Tandem is listening");
        Ok(Server {
            addr,
            app,
            shutdown,
            tasks,
        })
    }

    /// The address the HTTP listener is bound to (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// Stops every task and waits for them (in-flight HTTP requests finish first).
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.app.background_idle()).await;
        self.app.store().close().await;
    }
}

/// How long finished jobs and their deliveries are kept.
const JOB_MEMORY_SECS: i64 = 30 * 24 * 3600;

/// Hourly upkeep: forget handled event IDs and unsubmitted survey modals older than a day, and finished jobs older
/// than thirty days.
async fn housekeeping(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = app.clock().now().timestamp();
                let store = app.store();
                let pruned = match store.prune_events(now).await {
                    Ok(n) => store.prune_survey_views(now).await.map(|m| n + m),
                    Err(e) => Err(e),
                };
                let pruned = match pruned {
                    Ok(n) => store.prune_finished_jobs(now - JOB_MEMORY_SECS).await.map(|m| n + m),
                    Err(e) => Err(e),
                };
                match pruned {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(pruned = n, "forgot old event IDs and survey modals"),
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                }
            }
            _ = async { let _ = shutdown.wait_for(|s| *s).await; } => return,
        }
    }
}
