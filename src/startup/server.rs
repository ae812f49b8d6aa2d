//! A running Tandem: the HTTP listener, Socket Mode (if configured), the jobs loop and housekeeping, stopped
//! together.

use super::{StartError, WorkerMode};
use crate::context::App;
use crate::context::config::Ingress;
use crate::inbound;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running Tandem: the HTTP listener, Socket Mode (if configured), the jobs loop and housekeeping.
pub struct Server {
    addr: SocketAddr,
    app: App,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// Binds the listener and starts every task. Returns once the server accepts connections.
    pub async fn start(app: App, options: &super::Options) -> Result<Server, StartError> {
        let worker = options.worker;
        let addr = app.config().listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let (shutdown, rx) = watch::channel(false);
        let mut tasks = Vec::new();

        let router = inbound::http::router(app.clone());
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
            tasks.push(tokio::spawn(inbound::socket::run(
                app.clone(),
                app_token.expose().to_string(),
                rx.clone(),
                options.socket,
            )));
        }

        let interval = match worker {
            WorkerMode::Poll(interval) => Some(Some(interval)),
            WorkerMode::OnWake => Some(None),
            WorkerMode::Manual => None,
        };
        if let Some(interval) = interval {
            tasks.push(tokio::spawn(crate::jobs::worker::run_loop(
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

    /// Stops gracefully: no new requests, connections or jobs are taken; in-flight requests, jobs and background
    /// work get up to [`STOP_GRACE`] to finish. Whatever is cut short is re-run on the next start (a job left running
    /// is re-queued; its recorded deliveries are not repeated).
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        self.app.jobs().stop();
        let started = tokio::time::Instant::now();
        let finished = tokio::time::timeout(STOP_GRACE, async {
            for t in &mut self.tasks {
                let _ = t.await;
            }
            self.app.background_idle().await;
        })
        .await;
        match finished {
            Ok(()) => tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "in-flight work finished"
            ),
            Err(_) => {
                tracing::warn!(
                    grace_s = STOP_GRACE.as_secs(),
                    "in-flight work did not finish in time; it runs again on the next start"
                );
                for t in &self.tasks {
                    t.abort();
                }
            }
        }
        self.app.store().close().await;
    }
}

/// How long a stop waits for in-flight requests, jobs and background work: a little longer than a Web API call may
/// take (10 s), so that a call in flight when the stop came always ends (answered or timed out) before the grace does.
pub const STOP_GRACE: Duration = Duration::from_secs(12);

/// How long finished jobs and their deliveries are kept.
const JOB_MEMORY_SECS: i64 = 30 * 24 * 3600;

/// Hourly upkeep: forget handled event IDs and unsubmitted survey modals older than a day, and finished jobs older
/// than thirty days; reconcile what a crash may have left half done; apply retention.
async fn housekeeping(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = app.now();
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
                if let Err(e) = crate::flows::reconcile::run(&app).await {
                    tracing::warn!(error = %e, "reconciliation failed");
                }
                if let Err(e) = crate::flows::retention::run(&app).await {
                    tracing::warn!(error = %e, "retention failed");
                }
            }
            _ = async { let _ = shutdown.wait_for(|s| *s).await; } => return,
        }
    }
}
