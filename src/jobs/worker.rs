//! The durable jobs loop: claim what is due, deliver, record, retry.
//!
//! Jobs live in SQLite ([`crate::outbound::store::Job`]), so schedules survive restarts. A job due while Tandem was down runs
//! once after restart (each recurring job schedules its successor only when it runs, from the time it ran) — unless it
//! is a scheduled message that no longer makes sense that late ([`crate::domain::lateness`]): then it is dropped, and
//! the drop is recorded (the job cancelled with the reason, an INFO line with its kind and pair, the metric). Every
//! message a job posts is recorded right after Slack accepts it ([`crate::flows::delivery::post_once`]), so a crash between sending and
//! recording repeats at most that one message. Failures retry with exponential backoff and honour a 429's
//! `Retry-After`; a permanent Slack error (`user_not_found`, `channel_not_found`, `is_archived`, `account_inactive`,
//! ...) fails the job at once, and failed jobs show in the admins' report.
//!
//! Time comes from the app's clock, so tests and the demo move time and call [`run_due`] instead of sleeping.

use crate::context::App;
use crate::flows::delivery::{JobError, Ran};
use crate::outbound::slack_api::ApiError;
use crate::outbound::store::{Job, Store, StoreError};
use futures_util::StreamExt;

/// How many jobs run at once (Slack's rate limits, not this, set the pace).
pub const CONCURRENCY: usize = 16;
/// Attempts before a job that keeps failing with a transient error is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a job waits after a 429 that named no `Retry-After` (or an unreadable one).
const RATE_LIMITED_WAIT_SECS: i64 = 60;
/// The first retry waits this long; each later one twice as long, up to [`MAX_BACKOFF_SECS`].
pub const FIRST_BACKOFF_SECS: i64 = 30;
pub const MAX_BACKOFF_SECS: i64 = 3600;

/// What one [`run_due`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunStats {
    pub done: usize,
    pub retried: usize,
    pub failed: usize,
    /// Scheduled messages that came too late to make sense, and were not sent.
    pub dropped: usize,
    /// Jobs that ran before their time and wait again ([`Ran::Later`]).
    pub deferred: usize,
}

/// The retry delay after `attempts` attempts.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_BACKOFF_SECS
        .saturating_mul(2i64.saturating_pow(exp))
        .min(MAX_BACKOFF_SECS)
}

/// Runs every job due now (by the app's clock), including jobs they schedule for now, then returns.
pub async fn run_due(app: &App) -> Result<RunStats, StoreError> {
    let _one_at_a_time = app.jobs().running.lock().await;
    let mut stats = RunStats::default();
    loop {
        if app.jobs().is_stopping() {
            return Ok(stats);
        }
        let now = app.clock().now().timestamp();
        let holder = app.jobs().replica();
        let lease = i64::from(app.config().job_lease_secs);
        let jobs = app
            .store()
            .claim_due_jobs(now, 256, holder, now + lease)
            .await?;
        if jobs.is_empty() {
            return Ok(stats);
        }
        // One pair's jobs run in order (an overdue reminder before the closing); different pairs run concurrently.
        let mut by_pair: std::collections::BTreeMap<Option<i64>, Vec<Job>> = Default::default();
        for job in jobs {
            by_pair.entry(job.pair_id).or_default().push(job);
        }
        let groups: Vec<Vec<Job>> = by_pair
            .into_iter()
            .flat_map(|(pair, jobs)| {
                if pair.is_some() {
                    vec![jobs]
                } else {
                    jobs.into_iter().map(|j| vec![j]).collect()
                }
            })
            .collect();
        // Each job's outcome is recorded as soon as it ran, so a stop or a crash later in the batch re-runs only what
        // had not finished.
        let batch = futures_util::stream::iter(groups)
            .map(|group| async move {
                let mut stats = RunStats::default();
                for job in group {
                    if app.jobs().is_stopping() {
                        // Claimed but not started when the stop came: back to the queue, as it was.
                        app.store()
                            .retry_job(
                                job.id,
                                holder,
                                job.due_at,
                                "not started before a stop",
                                app.now(),
                            )
                            .await?;
                        continue;
                    }
                    let result = super::kinds::run(app, &job).await;
                    record_outcome(app, &job, result, &mut stats).await?;
                }
                Ok(stats)
            })
            .buffer_unordered(CONCURRENCY)
            .collect::<Vec<Result<RunStats, StoreError>>>();
        let outcomes = with_renewed_leases(app, batch).await;
        for outcome in outcomes {
            let s = outcome?;
            stats.done += s.done;
            stats.retried += s.retried;
            stats.failed += s.failed;
            stats.dropped += s.dropped;
            stats.deferred += s.deferred;
        }
    }
}

/// Runs `batch` while renewing, every third of `TANDEM_JOB_LEASE_SECS`, the leases of the jobs this replica holds,
/// so that no other replica takes over a job that is slow but alive.
async fn with_renewed_leases<T>(app: &App, batch: impl std::future::Future<Output = T>) -> T {
    let lease = i64::from(app.config().job_lease_secs);
    let period = std::time::Duration::from_secs(u64::try_from(lease / 3).unwrap_or(1).max(1));
    renewing_leases(
        app.store(),
        app.jobs().replica(),
        period,
        || app.now() + lease,
        batch,
    )
    .await
}

/// Runs `batch`, renewing `holder`'s leases until `until()` every `period` meanwhile. The renewal runs *beside* the
/// batch, never in its place: while it waits for a connection, the batch's jobs go on and release theirs. (Run
/// inside the batch's task instead — in a `select!` arm — it paused every job holding a transaction until its own
/// wait for a connection timed out: a batch that held the whole pool stalled for the acquire timeout.)
async fn renewing_leases<T>(
    store: &Store,
    holder: &str,
    period: std::time::Duration,
    until: impl Fn() -> i64,
    batch: impl std::future::Future<Output = T>,
) -> T {
    let renew = async {
        loop {
            tokio::time::sleep(period).await;
            match store.renew_leases(holder, until()).await {
                Ok(n) => tracing::debug!(renewed = n, "job leases renewed"),
                Err(e) => tracing::warn!(error = %e, "job leases could not be renewed"),
            }
        }
    };
    tokio::select! {
        out = batch => out,
        never = renew => never,
    }
}

/// Says in the log that a job's outcome was not recorded here: its lease had expired and another replica took it
/// over (this replica stalled longer than `TANDEM_JOB_LEASE_SECS`).
fn note_taken_over(job: &Job, held: bool) {
    if !held {
        tracing::warn!(job = job.id, kind = %job.kind, "job taken over by another replica (its lease expired): its outcome here is not recorded");
    }
}

async fn record_outcome(
    app: &App,
    job: &Job,
    result: Result<Ran, JobError>,
    stats: &mut RunStats,
) -> Result<(), StoreError> {
    let now = app.clock().now().timestamp();
    let store = app.store();
    let holder = app.jobs().replica();
    let held = match result {
        Ok(Ran::Dropped(reason)) => {
            // Never names or text: the kind, the pair and why.
            tracing::info!(job = job.id, kind = %job.kind, pair = job.pair_id, reason = %reason, "job dropped");
            app.metrics().job(&job.kind, "dropped");
            stats.dropped += 1;
            store.drop_job(job.id, holder, &reason, now).await
        }
        Ok(Ran::Later(later)) => {
            // Never names or text: the kind and when it runs again.
            let waits = store
                .defer_job(
                    job.id,
                    holder,
                    later.due_at,
                    &later.payload,
                    later.key.as_deref(),
                    now,
                )
                .await?;
            tracing::info!(job = job.id, kind = %job.kind, due_at = later.due_at, waits, "job deferred to its slot");
            app.metrics().job(&job.kind, "deferred");
            stats.deferred += 1;
            Ok(true)
        }
        Ok(Ran::Done) => {
            // One line per delivered job; never names or text.
            tracing::info!(job = job.id, kind = %job.kind, pair = job.pair_id, attempt = job.attempts, "job done");
            app.metrics().job(&job.kind, "done");
            stats.done += 1;
            store.complete_job(job.id, holder, now).await
        }
        Err(JobError::Api(e)) if e.is_permanent() => {
            tracing::warn!(job = job.id, kind = %job.kind, error = %e, "job failed permanently");
            app.metrics().job(&job.kind, "failed");
            stats.failed += 1;
            store.fail_job(job.id, holder, &e.to_string(), now).await
        }
        Err(JobError::Invalid(e)) => {
            tracing::error!(job = job.id, kind = %job.kind, error = %e, "job cannot run");
            app.metrics().job(&job.kind, "failed");
            stats.failed += 1;
            store.fail_job(job.id, holder, &e, now).await
        }
        // Slack said "later": wait as long as it asks, without spending an attempt (a rate limit is no failure).
        Err(JobError::Api(
            e @ ApiError::RateLimited {
                retry_after_secs, ..
            },
        )) => {
            let wait = retry_after_secs
                .and_then(|s| i64::try_from(s).ok())
                .map_or(RATE_LIMITED_WAIT_SECS, |s| s.max(1));
            tracing::info!(job = job.id, kind = %job.kind, wait_secs = wait, error = %e, "job waits for Slack's rate limit");
            app.metrics().job(&job.kind, "retry");
            stats.retried += 1;
            store
                .wait_job(job.id, holder, now + wait, &e.to_string(), now)
                .await
        }
        Err(e) if job.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %e, "job gave up");
            app.metrics().job(&job.kind, "failed");
            stats.failed += 1;
            store.fail_job(job.id, holder, &e.to_string(), now).await
        }
        Err(e) => {
            let wait = backoff_secs(job.attempts);
            tracing::info!(job = job.id, kind = %job.kind, wait_secs = wait, error = %e, "job will retry");
            app.metrics().job(&job.kind, "retry");
            stats.retried += 1;
            store
                .retry_job(job.id, holder, now + wait, &e.to_string(), now)
                .await
        }
    }?;
    note_taken_over(job, held);
    Ok(())
}

/// Runs everything that is due now, including what that work queues, and waits for background tasks: what a test
/// or the demo calls after a request (the manual worker's counterpart of being woken). Returns what ran.
pub async fn settle(app: &App) -> Result<RunStats, StoreError> {
    let mut total = RunStats::default();
    loop {
        app.background_idle().await;
        let s = run_due(app).await?;
        if s == RunStats::default() {
            return Ok(total);
        }
        total.done += s.done;
        total.retried += s.retried;
        total.failed += s.failed;
        total.dropped += s.dropped;
        total.deferred += s.deferred;
    }
}

/// The background loop: runs due jobs at once when woken (a request queued work due now), and every `interval` when
/// one is given (scheduled work), until shutdown. Without an interval it runs only when woken: tests and the demo
/// move the clock and run scheduled jobs themselves.
pub async fn run_loop(
    app: App,
    interval: Option<std::time::Duration>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut woken = interval.is_some();
    loop {
        if !woken {
            tokio::select! {
                _ = app.jobs().woken() => {}
                _ = async { let _ = shutdown.wait_for(|s| *s).await; } => return,
            }
        }
        match run_due(&app).await {
            Ok(s) if s != RunStats::default() => tracing::debug!(
                done = s.done,
                retried = s.retried,
                failed = s.failed,
                "jobs run"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the job store failed"),
        }
        let Some(interval) = interval else {
            woken = false;
            continue;
        };
        // Sleep until the next job falls due (a check-in at 10:00 goes out at 10:00) or another replica's lease
        // expires (its jobs are taken over at once if it died), at most `interval`.
        let until_next = match app.store().next_wake_at().await {
            Ok(Some(due)) => u64::try_from(due - app.now()).unwrap_or(0),
            _ => interval.as_secs(),
        };
        let nap = interval.min(std::time::Duration::from_secs(until_next.max(1)));
        tokio::select! {
            _ = tokio::time::sleep(nap) => {}
            _ = app.jobs().woken() => {}
            _ = async { let _ = shutdown.wait_for(|s| *s).await; } => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::JobKind;
    use crate::on_db;
    use crate::outbound::store::{NewJob, PoolSize, test_store_with};
    use std::time::{Duration, Instant};

    const HOLDER: &str = "host-a:1:0001";

    #[test]
    fn the_postgres_pool_holds_a_whole_batch_and_the_request_path() {
        let pool = usize::try_from(PoolSize::POSTGRES.max_connections).unwrap();
        assert!(
            pool > CONCURRENCY,
            "{pool} connections for {CONCURRENCY} jobs at once and the requests"
        );
        assert!(
            pool <= 2 * CONCURRENCY,
            "a modest pool: {pool} connections per replica"
        );
    }

    /// The regression test for a worker that needed one connection more than it held: the lease renewal used to run
    /// in the batch's own task and pause it while waiting for a connection, so jobs holding open transactions (every
    /// connection of the pool) could not commit until the renewal's wait timed out; a batch of 16 jobs starved a
    /// pool of 8. Here the pool has one connection and the jobs of a batch take turns holding it in a transaction
    /// while renewals fall due: every job commits at once, and the leases are renewed while the batch runs.
    #[tokio::test]
    async fn renewing_leases_never_stalls_a_batch_that_holds_every_connection() {
        const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(4);
        let (_db, store) = test_store_with(PoolSize {
            max_connections: 1,
            acquire_timeout: ACQUIRE_TIMEOUT,
        })
        .await;
        let now = 1_000;
        for _ in 0..3 {
            let mut tx = store.write().await.unwrap();
            tx.enqueue(NewJob::new(JobKind::Message, now), now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let jobs = store
            .claim_due_jobs(now, 10, HOLDER, now + 60)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 3);
        let lease_of = async |id: i64| -> i64 {
            on_db!(store.pool(), |p| sqlx::query_scalar::<_, i64>(
                "SELECT lease_until FROM jobs WHERE id = $1"
            )
            .bind(id)
            .fetch_one(p)
            .await
            .unwrap())
        };
        let period = Duration::from_millis(100);
        let renewed_until = now + 120;
        let started = Instant::now();
        let batch = futures_util::future::join_all(jobs.iter().map(|job| {
            let store = &store;
            async move {
                // A job's transaction, open across a renewal.
                let mut tx = store.write().await?;
                tx.enqueue(NewJob::new(JobKind::Message, now), now).await?;
                tokio::time::sleep(period * 2).await;
                tx.commit().await?;
                Ok::<_, crate::outbound::store::StoreError>(job.id)
            }
        }));
        let batch = async {
            let done = batch.await;
            // The batch ends once a renewal has gone through beside it (each renewal queues for the connection).
            let deadline = Instant::now() + ACQUIRE_TIMEOUT / 2;
            while lease_of(jobs[0].id).await != renewed_until && Instant::now() < deadline {
                tokio::time::sleep(period / 4).await;
            }
            done
        };
        let done = renewing_leases(&store, HOLDER, period, || renewed_until, batch).await;
        let took = started.elapsed();
        for d in done {
            d.expect("every job of the batch commits");
        }
        assert!(
            took < ACQUIRE_TIMEOUT / 2,
            "the batch waited {took:?} for the lease renewal (a wait for a connection it held itself)"
        );
        for job in &jobs {
            assert_eq!(
                lease_of(job.id).await,
                renewed_until,
                "the leases were renewed while the batch ran"
            );
        }
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(5), 480);
        assert_eq!(backoff_secs(8), 3600);
        assert_eq!(backoff_secs(1000), 3600);
        assert_eq!(backoff_secs(0), 30);
    }
}
