//! The application context: one cheap-to-clone [`App`] that every flow receives — configuration, store, Web API
//! client, clock, catalog, matching rules and working calendar, and the signal that wakes the jobs loop. No start-up code lives here
//! (see [`crate::startup`]).

pub mod clock;
pub mod config;

use crate::domain::catalog::Catalog;
use crate::domain::matching::MatchConfig;
use crate::domain::schedule::WorkingCalendar;
use crate::outbound::slack_api::SlackApi;
use crate::outbound::store::{Store, StoreError, Tx};
use clock::Clock;
use config::Config;
use std::sync::Arc;
use tokio::sync::{Mutex, Notify, watch};

/// The parts an [`App`] is made of (built by [`crate::startup::build`]).
pub struct Parts {
    pub metrics: Arc<crate::outbound::metrics::Metrics>,
    pub config: Config,
    pub catalog: Catalog,
    pub match_config: MatchConfig,
    /// Working days and holidays: when scheduled messages may go out.
    pub calendar: Arc<WorkingCalendar>,
    pub store: Store,
    pub slack: SlackApi,
    pub clock: Clock,
}

/// How the jobs loop is driven: woken by whoever queues work due now, and run one batch at a time.
#[derive(Debug)]
pub struct JobSignal {
    /// Held while a batch of jobs runs, so that two runs never overlap.
    pub running: Mutex<()>,
    wake: Notify,
    stopping: std::sync::atomic::AtomicBool,
    /// This process's name on the jobs it claims (see [`replica_id`]).
    replica: String,
}

impl Default for JobSignal {
    fn default() -> Self {
        Self {
            running: Mutex::new(()),
            wake: Notify::new(),
            stopping: Default::default(),
            replica: replica_id(),
        }
    }
}

/// A name for this process, unique among the replicas sharing a database: the host name, the process ID and a
/// random part (a restarted process, even with the same PID in a container, is another replica).
pub fn replica_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

impl JobSignal {
    /// The replica ID this process claims jobs under.
    pub fn replica(&self) -> &str {
        &self.replica
    }
    /// Tandem is stopping: no job starts any more (claimed ones not yet started go back to the queue).
    pub fn stop(&self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }
    /// Asks the loop to look for due jobs now (after queuing something due now).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
    /// Waits for [`JobSignal::wake`].
    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}

struct Inner {
    parts: Parts,
    /// How many background tasks started with [`App::spawn_background`] are still running.
    in_flight: watch::Sender<usize>,
    jobs: JobSignal,
}

/// Shared application state: configuration, store, Web API client and clock.
#[derive(Clone)]
pub struct App(Arc<Inner>);

impl App {
    pub fn new(parts: Parts) -> App {
        App(Arc::new(Inner {
            parts,
            in_flight: watch::channel(0).0,
            jobs: JobSignal::default(),
        }))
    }

    pub fn config(&self) -> &Config {
        &self.0.parts.config
    }
    pub fn catalog(&self) -> &Catalog {
        &self.0.parts.catalog
    }
    pub fn match_config(&self) -> &MatchConfig {
        &self.0.parts.match_config
    }
    /// The firm's working days (`TANDEM_HOLIDAYS_FILE`): every scheduled message goes out on one, by
    /// [`WorkingCalendar::next_working_slot`].
    pub fn calendar(&self) -> &Arc<WorkingCalendar> {
        &self.0.parts.calendar
    }
    pub fn store(&self) -> &Store {
        &self.0.parts.store
    }
    pub fn slack(&self) -> &SlackApi {
        &self.0.parts.slack
    }
    pub fn clock(&self) -> &Clock {
        &self.0.parts.clock
    }
    pub fn metrics(&self) -> &crate::outbound::metrics::Metrics {
        &self.0.parts.metrics
    }
    pub fn jobs(&self) -> &JobSignal {
        &self.0.jobs
    }
    /// The time now, in unix seconds, by the app's clock.
    pub fn now(&self) -> i64 {
        self.clock().now().timestamp()
    }

    /// Commits a flow's transaction and, when it queued a job that is due now, wakes the jobs loop.
    pub async fn commit(&self, tx: Tx) -> Result<(), StoreError> {
        if let Some(due) = tx.commit().await?
            && due <= self.now()
        {
            self.jobs().wake();
        }
        Ok(())
    }

    /// Runs slow work off the request path, counted so that shutdown and tests can wait for it.
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
