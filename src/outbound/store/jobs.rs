//! Durable jobs: scheduled, claimed atomically, retried, and the deliveries each one made.

use super::{Dialect, Store, StoreError, Tx};
use crate::domain::model::JobKind;

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    /// The stored spelling of its [`JobKind`] (a kind this version does not know fails the job, not the queue).
    pub kind: String,
    pub pair_id: Option<i64>,
    pub payload: String,
    pub due_at: i64,
    /// Including this attempt.
    pub attempts: i64,
}

impl Job {
    pub fn kind(&self) -> Option<JobKind> {
        JobKind::parse(&self.kind)
    }
}

/// A job that gave up, for the admins' report.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FailedJob {
    pub id: i64,
    pub kind: String,
    pub pair_id: Option<i64>,
    pub last_error: String,
    pub at: i64,
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: JobKind,
    pub pair_id: Option<i64>,
    pub payload: String,
    pub due_at: i64,
    /// With a key, a pending job with the same key is moved to the new time (and payload) instead of duplicated
    /// (one pending check-in per pair, one Home tab refresh per person, ...).
    pub key: Option<String>,
}

impl NewJob {
    pub fn new(kind: JobKind, due_at: i64) -> NewJob {
        NewJob {
            kind,
            pair_id: None,
            payload: "{}".into(),
            due_at,
            key: None,
        }
    }
    pub fn pair(mut self, pair_id: i64) -> NewJob {
        self.pair_id = Some(pair_id);
        self
    }
    pub fn key(mut self, key: impl Into<String>) -> NewJob {
        self.key = Some(key.into());
        self
    }
    /// The payload, as JSON.
    pub fn payload(mut self, payload: &impl serde::Serialize) -> NewJob {
        self.payload = serde_json::to_string(payload).unwrap_or_else(|_| "{}".into());
        self
    }
}

/// Inserts a job; `{}` is the conflict clause.
macro_rules! insert_job {
    ($on_conflict:literal) => {
        concat!(
            "INSERT INTO jobs (kind, pair_id, payload, due_at, state, key, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6) ",
            $on_conflict
        )
    };
}

impl Tx {
    /// Queues a job in this transaction (with a key: moves the pending job with that key instead). Returns its ID.
    pub async fn enqueue(&mut self, job: NewJob, now: i64) -> Result<i64, StoreError> {
        let id = on_conn!(self.conn(), |c| {
            sqlx::query_scalar(insert_job!(
                "ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, updated_at = excluded.updated_at
                 RETURNING id"
            ))
            .bind(job.kind.as_str())
            .bind(job.pair_id)
            .bind(&job.payload)
            .bind(job.due_at)
            .bind(&job.key)
            .bind(now)
            .fetch_one(c)
            .await?
        });
        self.note_queued(job.due_at);
        Ok(id)
    }

    /// Queues a keyed job unless one with that key is already waiting (which is kept as it is).
    pub async fn enqueue_if_absent(&mut self, job: NewJob, now: i64) -> Result<(), StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(insert_job!("ON CONFLICT (key) DO NOTHING"))
                .bind(job.kind.as_str())
                .bind(job.pair_id)
                .bind(&job.payload)
                .bind(job.due_at)
                .bind(&job.key)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
        });
        if done == 1 {
            self.note_queued(job.due_at);
        }
        Ok(())
    }

    /// Whether a job of `kind` for `user` (its payload's `user`) is waiting or being run.
    pub async fn job_for_user_in_hand(
        &mut self,
        kind: JobKind,
        user: &str,
    ) -> Result<bool, StoreError> {
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT EXISTS (SELECT 1 FROM jobs WHERE kind = $1 AND state IN ('pending', 'running')
                   AND json_extract(payload, '$.user') = $2)"
            }
            Dialect::Postgres => {
                "SELECT EXISTS (SELECT 1 FROM jobs WHERE kind = $1 AND state IN ('pending', 'running')
                   AND CAST(payload AS jsonb) ->> 'user' = $2)"
            }
        };
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_scalar(sql)
                .bind(kind.as_str())
                .bind(user)
                .fetch_one(c)
                .await?
        }))
    }

    /// Cancels a pair's pending jobs (the pair ended). Returns how many.
    pub async fn cancel_pair_jobs(&mut self, pair_id: i64, now: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE jobs SET state = 'cancelled', key = NULL, payload = '{}', updated_at = $1 WHERE pair_id = $2 AND state = 'pending'")
                .bind(now)
                .bind(pair_id)
                .execute(c)
                .await?
                .rows_affected()
        }))
    }
}

impl Store {
    /// Claims up to `limit` jobs due at `now` for the replica `holder`, marking them running with a lease until
    /// `lease_until`: pending jobs that are due, and running jobs whose lease expired (their holder died or stalled;
    /// a running job without a lease, left by a version without leases, waits for the start-up requeue). Two
    /// claims never take one job: on SQLite the single `UPDATE` runs under the one write lock (the outer `state`
    /// check is repeated on a row another claim changed); on PostgreSQL the rows are picked `FOR UPDATE SKIP
    /// LOCKED`, so replicas claiming at once take different jobs without waiting for each other.
    /// Work a request asked for (an introduction, a round, a message, a Home tab) comes before scheduled bulk
    /// (check-ins, nudges, closings, reminders, the summary, invitations), then the oldest first: a round asked for
    /// while ten thousand check-ins drain waits for one batch, not for all of them.
    /// A claimed job gives up its key, so it can schedule its own successor under the same key.
    pub async fn claim_due_jobs(
        &self,
        now: i64,
        limit: i64,
        holder: &str,
        lease_until: i64,
    ) -> Result<Vec<Job>, StoreError> {
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, key = NULL, updated_at = $1,
                        claimed_by = $3, lease_until = $4
                 WHERE (state = 'pending' OR (state = 'running' AND lease_until <= $1))
                   AND id IN (SELECT id FROM jobs WHERE (state = 'pending' AND due_at <= $1)
                                                     OR (state = 'running' AND lease_until <= $1)
                              ORDER BY kind IN ('checkin', 'nudge', 'closing', 'plan_reminder', 'summary', 'invite', 'unmatched_note'), due_at, id LIMIT $2)
                 RETURNING id, kind, pair_id, payload, due_at, attempts"
            }
            Dialect::Postgres => {
                "WITH picked AS (
                     SELECT id FROM jobs WHERE (state = 'pending' AND due_at <= $1)
                                            OR (state = 'running' AND lease_until <= $1)
                     ORDER BY kind IN ('checkin', 'nudge', 'closing', 'plan_reminder', 'summary', 'invite', 'unmatched_note'), due_at, id
                     LIMIT $2
                     FOR UPDATE SKIP LOCKED)
                 UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, key = NULL, updated_at = $1,
                        claimed_by = $3, lease_until = $4
                 FROM picked WHERE jobs.id = picked.id
                 RETURNING jobs.id, jobs.kind, jobs.pair_id, jobs.payload, jobs.due_at, jobs.attempts"
            }
        };
        let mut jobs: Vec<Job> = on_db!(self.pool(), |p| {
            sqlx::query_as(sql)
                .bind(now)
                .bind(limit)
                .bind(holder)
                .bind(lease_until)
                .fetch_all(p)
                .await?
        });
        jobs.sort_by_key(|j| (j.due_at, j.id));
        Ok(jobs)
    }

    /// Extends to `lease_until` the lease of every job `holder` still holds (running and claimed by it); a job
    /// another replica took over is not touched. Returns how many.
    pub async fn renew_leases(&self, holder: &str, lease_until: i64) -> Result<u64, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query(
                "UPDATE jobs SET lease_until = $1 WHERE state = 'running' AND claimed_by = $2 AND lease_until < $1",
            )
            .bind(lease_until)
            .bind(holder)
            .execute(p)
            .await?
            .rows_affected()
        }))
    }

    /// How many pending jobs are due at `now`, and when the oldest of them fell due.
    pub async fn due_queue(&self, now: i64) -> Result<(i64, Option<i64>), StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT COUNT(*), MIN(due_at) FROM jobs WHERE state = 'pending' AND due_at <= $1",
            )
            .bind(now)
            .fetch_one(p)
            .await?
        }))
    }

    /// When the jobs loop should look again: the earliest time a pending job falls due or a running job's lease
    /// expires (another replica's job to take over if that replica died), if any.
    pub async fn next_wake_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar(
                "SELECT MIN(CASE WHEN state = 'pending' THEN due_at ELSE lease_until END) FROM jobs
                 WHERE state = 'pending' OR (state = 'running' AND lease_until IS NOT NULL)",
            )
            .fetch_one(p)
            .await?
        }))
    }

    /// The earliest time a pending job is due, if any.
    pub async fn next_due_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar("SELECT MIN(due_at) FROM jobs WHERE state = 'pending'")
                .fetch_one(p)
                .await?
        }))
    }

    /// Ends a job `holder` runs. Returns false (and changes nothing) when `holder` no longer holds it: its lease
    /// expired and another replica took it over, whose outcome counts.
    async fn finish_job(
        &self,
        id: i64,
        holder: &str,
        state: &str,
        error: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_db!(self.pool(), |p| {
            sqlx::query(
                "UPDATE jobs SET state = $1, last_error = $2, key = NULL, payload = '{}', updated_at = $3, lease_until = NULL
                 WHERE id = $4 AND state = 'running' AND claimed_by = $5",
            )
            .bind(state)
            .bind(error)
            .bind(now)
            .bind(id)
            .bind(holder)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records that a job `holder` ran is done. False: another replica had taken it over (see `finish_job`).
    pub async fn complete_job(&self, id: i64, holder: &str, now: i64) -> Result<bool, StoreError> {
        self.finish_job(id, holder, "done", None, now).await
    }

    /// Records that a job was dropped: a scheduled message that no longer made sense (too late after an outage, or
    /// for a pair that ended). It is cancelled with `dropped: <reason>` as its last error, so it is neither retried
    /// nor counted as failed.
    pub async fn drop_job(
        &self,
        id: i64,
        holder: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.finish_job(
            id,
            holder,
            "cancelled",
            Some(&format!("dropped: {reason}")),
            now,
        )
        .await
    }

    /// Gives up on a job (a permanent error, or too many attempts); it shows in the admins' report.
    pub async fn fail_job(
        &self,
        id: i64,
        holder: &str,
        error: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.finish_job(id, holder, "failed", Some(error), now)
            .await
    }

    /// A job that ran before its time waits again, as the same job: pending at `due_at` with `payload`, its attempts
    /// counted afresh, and `key` back — unless another pending job took that key meanwhile (the same work queued
    /// again), which then does the work: this one is cancelled. Returns whether the job waits. (On PostgreSQL a
    /// job queued under that key at the same moment makes the key's unique constraint refuse this update: the
    /// same outcome.) A job `holder` no longer holds (taken over) is left to its new holder: false.
    pub async fn defer_job(
        &self,
        id: i64,
        holder: &str,
        due_at: i64,
        payload: &str,
        key: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_db!(self.pool(), |p| {
            sqlx::query(
                "UPDATE jobs SET state = 'pending', due_at = $1, payload = $2, key = $3, attempts = 0, last_error = NULL,
                        updated_at = $4, claimed_by = NULL, lease_until = NULL
                 WHERE id = $5 AND state = 'running' AND claimed_by = $6
                   AND NOT EXISTS (SELECT 1 FROM jobs WHERE key = $3 AND id != $5)",
            )
            .bind(due_at)
            .bind(payload)
            .bind(key)
            .bind(now)
            .bind(id)
            .bind(holder)
            .execute(p)
            .await
            .map(|d| d.rows_affected())
        });
        match done {
            Ok(1) => return Ok(true),
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
            Err(e) => return Err(e.into()),
        }
        self.finish_job(
            id,
            holder,
            "cancelled",
            Some("superseded: queued again"),
            now,
        )
        .await?;
        Ok(false)
    }

    /// Puts a job `holder` runs back to run again at `due_at`. False: another replica had taken it over.
    pub async fn retry_job(
        &self,
        id: i64,
        holder: &str,
        due_at: i64,
        error: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.reschedule_job(id, holder, due_at, error, now, 0).await
    }

    /// Like [`Store::retry_job`], but the attempt is given back: Slack said "later" (a 429), which is no failure of
    /// the job. However often a job is rate-limited, it never runs out of attempts because of it (with several
    /// replicas each pausing on its own, a job can meet many 429s in a row).
    pub async fn wait_job(
        &self,
        id: i64,
        holder: &str,
        due_at: i64,
        error: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.reschedule_job(id, holder, due_at, error, now, 1).await
    }

    async fn reschedule_job(
        &self,
        id: i64,
        holder: &str,
        due_at: i64,
        error: &str,
        now: i64,
        given_back: i64,
    ) -> Result<bool, StoreError> {
        let done = on_db!(self.pool(), |p| {
            sqlx::query(
                "UPDATE jobs SET state = 'pending', due_at = $1, last_error = $2, updated_at = $3, claimed_by = NULL,
                        lease_until = NULL, attempts = attempts - $6
                 WHERE id = $4 AND state = 'running' AND claimed_by = $5",
            )
            .bind(due_at)
            .bind(error)
            .bind(now)
            .bind(id)
            .bind(holder)
            .bind(given_back)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// At start-up, jobs left running by a stopped process are run again (their recorded deliveries are skipped).
    /// SQLite (one process): every running job. PostgreSQL (replicas may be running): only jobs whose lease has
    /// expired at `now`, or that have none (left by a version without leases), so a replica starting never takes
    /// the jobs another is running. Returns how many.
    pub async fn requeue_running_jobs(&self, now: i64) -> Result<u64, StoreError> {
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "UPDATE jobs SET state = 'pending', updated_at = $1, claimed_by = NULL, lease_until = NULL
                 WHERE state = 'running'"
            }
            Dialect::Postgres => {
                "UPDATE jobs SET state = 'pending', updated_at = $1, claimed_by = NULL, lease_until = NULL
                 WHERE state = 'running' AND (lease_until IS NULL OR lease_until <= $1)"
            }
        };
        Ok(on_db!(self.pool(), |p| {
            sqlx::query(sql).bind(now).execute(p).await?.rows_affected()
        }))
    }

    /// The message a job already delivered at `step`, if any: `(channel, ts)`.
    pub async fn delivery(
        &self,
        job_id: i64,
        step: &str,
    ) -> Result<Option<(Option<String>, Option<String>)>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as("SELECT channel, ts FROM deliveries WHERE job_id = $1 AND step = $2")
                .bind(job_id)
                .bind(step)
                .fetch_optional(p)
                .await?
        }))
    }

    pub async fn record_delivery(
        &self,
        job_id: i64,
        step: &str,
        channel: Option<&str>,
        ts: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("INSERT INTO deliveries (job_id, step, channel, ts, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job_id, step) DO NOTHING")
                .bind(job_id)
                .bind(step)
                .bind(channel)
                .bind(ts)
                .bind(now)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Forgets what a job recorded at `step` (so that a re-run does the step again).
    pub async fn forget_delivery(&self, job_id: i64, step: &str) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("DELETE FROM deliveries WHERE job_id = $1 AND step = $2")
                .bind(job_id)
                .bind(step)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Forgets finished jobs (done or cancelled) older than `before`, with their deliveries. Failed ones stay for
    /// the admins' report.
    pub async fn prune_finished_jobs(&self, before: i64) -> Result<u64, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query("DELETE FROM jobs WHERE state IN ('done', 'cancelled') AND updated_at < $1")
                .bind(before)
                .execute(p)
                .await?
                .rows_affected()
        }))
    }

    /// Jobs that gave up, newest first.
    pub async fn failed_jobs(&self, limit: i64) -> Result<Vec<FailedJob>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as("SELECT id, kind, pair_id, COALESCE(last_error, '') AS last_error, updated_at AS at FROM jobs WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(p)
                .await?
        }))
    }

    /// How many jobs are in each state (for tests, the demo and benchmarks).
    pub async fn job_counts(&self) -> Result<std::collections::BTreeMap<String, i64>, StoreError> {
        let rows: Vec<(String, i64)> = on_db!(self.pool(), |p| {
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state")
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn queue(s: &Store, kind: JobKind, due_at: i64, key: Option<&str>, now: i64) -> i64 {
        let mut job = NewJob::new(kind, due_at);
        job.key = key.map(str::to_string);
        let mut tx = s.write().await.unwrap();
        let id = tx.enqueue(job, now).await.unwrap();
        assert_eq!(
            tx.commit().await.unwrap(),
            Some(due_at),
            "the commit reports what it queued"
        );
        id
    }

    use crate::outbound::store::test_store as store;

    const R1: &str = "host-a:1:0001";
    const R2: &str = "host-b:2:0002";

    async fn state(s: &Store, id: i64) -> (String, Option<String>, Option<i64>) {
        on_db!(s.pool(), |p| {
            sqlx::query_as("SELECT state, claimed_by, lease_until FROM jobs WHERE id = $1")
                .bind(id)
                .fetch_one(p)
                .await
                .unwrap()
        })
    }

    #[tokio::test]
    async fn an_expired_lease_is_taken_over_and_the_old_holder_cannot_clobber_the_new_one() {
        let (_d, s) = store().await;
        let id = queue(&s, JobKind::Checkin, 0, Some("checkin:7"), 0).await;
        let mine = s.claim_due_jobs(0, 10, R1, 60).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(
            state(&s, id).await,
            ("running".into(), Some(R1.into()), Some(60))
        );
        assert!(
            s.claim_due_jobs(59, 10, R2, 119).await.unwrap().is_empty(),
            "a live lease is not taken"
        );
        assert_eq!(
            s.renew_leases(R1, 90).await.unwrap(),
            1,
            "the holder renews what it holds"
        );
        assert_eq!(
            s.renew_leases(R2, 200).await.unwrap(),
            0,
            "another replica renews nothing of it"
        );
        assert!(
            s.claim_due_jobs(89, 10, R2, 149).await.unwrap().is_empty(),
            "the renewed lease holds"
        );
        let taken = s.claim_due_jobs(90, 10, R2, 150).await.unwrap();
        assert_eq!(
            (taken.len(), taken[0].id, taken[0].attempts),
            (1, id, 2),
            "an expired lease is claimable"
        );
        assert_eq!(state(&s, id).await.1.as_deref(), Some(R2));
        // The first holder wakes up and reports: nothing it says changes the new holder's job.
        assert!(!s.complete_job(id, R1, 91).await.unwrap());
        assert!(!s.retry_job(id, R1, 500, "timeout", 91).await.unwrap());
        assert!(!s.fail_job(id, R1, "boom", 91).await.unwrap());
        assert!(!s.drop_job(id, R1, "late", 91).await.unwrap());
        assert!(
            !s.defer_job(id, R1, 900, "{}", Some("checkin:7"), 91)
                .await
                .unwrap()
        );
        assert_eq!(s.renew_leases(R1, 300).await.unwrap(), 0);
        assert_eq!(
            state(&s, id).await,
            ("running".into(), Some(R2.into()), Some(150))
        );
        assert!(s.complete_job(id, R2, 100).await.unwrap());
        assert_eq!(state(&s, id).await.0, "done");
        assert!(
            s.claim_due_jobs(10_000, 10, R1, 10_060)
                .await
                .unwrap()
                .is_empty(),
            "a done job is never claimed"
        );
    }

    #[tokio::test]
    async fn the_holder_defers_and_retries_its_own_job() {
        let (_d, s) = store().await;
        let id = queue(&s, JobKind::Checkin, 0, Some("checkin:8"), 0).await;
        s.claim_due_jobs(0, 10, R1, 60).await.unwrap();
        assert!(
            s.defer_job(id, R1, 50, "{}", Some("checkin:8"), 1)
                .await
                .unwrap()
        );
        assert_eq!(state(&s, id).await, ("pending".into(), None, None));
        s.claim_due_jobs(50, 10, R2, 110).await.unwrap();
        assert!(s.retry_job(id, R2, 80, "timeout", 51).await.unwrap());
        assert_eq!(state(&s, id).await, ("pending".into(), None, None));
        assert!(s.claim_due_jobs(79, 10, R1, 139).await.unwrap().is_empty());
        assert_eq!(
            s.claim_due_jobs(80, 10, R1, 140).await.unwrap()[0].attempts,
            2,
            "attempts counted afresh by the deferral, then one per claim"
        );
    }

    #[tokio::test]
    async fn start_up_requeues_only_expired_leases_where_replicas_may_run() {
        let (_d, s) = store().await;
        let id = queue(&s, JobKind::Intro, 0, None, 0).await;
        s.claim_due_jobs(0, 10, R1, 100).await.unwrap();
        match s.dialect() {
            Dialect::Postgres => {
                assert_eq!(
                    s.requeue_running_jobs(50).await.unwrap(),
                    0,
                    "another replica's live job stays with it"
                );
                assert_eq!(state(&s, id).await.0, "running");
                assert_eq!(
                    s.requeue_running_jobs(100).await.unwrap(),
                    1,
                    "an expired lease is put back"
                );
            }
            Dialect::Sqlite => {
                assert_eq!(
                    s.requeue_running_jobs(50).await.unwrap(),
                    1,
                    "one process: whatever ran is put back"
                );
            }
        }
        assert_eq!(state(&s, id).await, ("pending".into(), None, None));
    }

    #[tokio::test]
    async fn replicas_claiming_at_once_never_take_the_same_job() {
        let (_d, s) = store().await;
        let mut tx = s.write().await.unwrap();
        for _ in 0..300 {
            tx.enqueue(NewJob::new(JobKind::Checkin, 0), 0)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let claimers = (0..4).map(|r| {
            let s = s.clone();
            tokio::spawn(async move {
                let holder = format!("replica-{r}");
                let mut ids = Vec::new();
                loop {
                    let got = s.claim_due_jobs(1, 7, &holder, 61).await.unwrap();
                    if got.is_empty() {
                        return ids;
                    }
                    ids.extend(got.iter().map(|j| j.id));
                }
            })
        });
        let mut all = Vec::new();
        for c in claimers {
            all.extend(c.await.unwrap());
        }
        let distinct: std::collections::BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(
            (all.len(), distinct.len()),
            (300, 300),
            "each job claimed exactly once"
        );
    }

    #[tokio::test]
    async fn a_keyed_job_is_moved_not_duplicated_and_claimed_once() {
        let (_d, s) = store().await;
        let a = queue(
            &s,
            JobKind::parse("checkin").unwrap(),
            100,
            Some("checkin:1"),
            0,
        )
        .await;
        let b = queue(
            &s,
            JobKind::parse("checkin").unwrap(),
            50,
            Some("checkin:1"),
            1,
        )
        .await;
        assert_eq!(a, b);
        assert!(s.claim_due_jobs(49, 10, R1, 109).await.unwrap().is_empty());
        let claimed = s.claim_due_jobs(50, 10, R1, 110).await.unwrap();
        assert_eq!((claimed.len(), claimed[0].attempts), (1, 1));
        assert!(
            s.claim_due_jobs(109, 10, R1, 169).await.unwrap().is_empty(),
            "a running job is not claimed twice while its lease runs"
        );
        let successor = queue(
            &s,
            JobKind::parse("checkin").unwrap(),
            150,
            Some("checkin:1"),
            55,
        )
        .await;
        assert_ne!(
            successor, a,
            "a running job schedules its successor under its own key"
        );
        s.complete_job(a, R1, 60).await.unwrap();
        let c = queue(
            &s,
            JobKind::parse("checkin").unwrap(),
            200,
            Some("checkin:1"),
            61,
        )
        .await;
        assert_eq!(successor, c, "the successor is moved, not duplicated");
    }

    #[tokio::test]
    async fn requested_work_is_claimed_before_scheduled_bulk() {
        let (_d, s) = store().await;
        let checkin = queue(&s, JobKind::Checkin, 10, None, 0).await;
        let round = queue(&s, JobKind::ComputeRound, 50, None, 0).await;
        let intro = queue(&s, JobKind::Intro, 40, None, 0).await;
        let ids: Vec<i64> = s
            .claim_due_jobs(100, 2, R1, 160)
            .await
            .unwrap()
            .iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(
            ids,
            vec![intro, round],
            "requested work first, oldest first"
        );
        let ids: Vec<i64> = s
            .claim_due_jobs(100, 2, R1, 160)
            .await
            .unwrap()
            .iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(ids, vec![checkin]);
    }

    #[tokio::test]
    async fn running_jobs_are_requeued_after_a_crash_and_deliveries_remembered() {
        let (_d, s) = store().await;
        let id = queue(&s, JobKind::parse("intro").unwrap(), 0, None, 0).await;
        // The process dies; its lease runs out at 2, when it starts again.
        s.claim_due_jobs(0, 10, R1, 2).await.unwrap();
        s.record_delivery(id, "post", Some("G1"), Some("1.2"), 1)
            .await
            .unwrap();
        assert_eq!(s.requeue_running_jobs(2).await.unwrap(), 1);
        let again = s.claim_due_jobs(2, 10, R1, 62).await.unwrap();
        assert_eq!(again[0].attempts, 2);
        assert_eq!(
            s.delivery(id, "post").await.unwrap(),
            Some((Some("G1".into()), Some("1.2".into())))
        );
        assert_eq!(s.delivery(id, "other").await.unwrap(), None);
        s.fail_job(id, R1, "channel_not_found", 3).await.unwrap();
        let failed = s.failed_jobs(10).await.unwrap();
        assert_eq!(failed[0].last_error, "channel_not_found");
        let done = queue(&s, JobKind::parse("nudge").unwrap(), 0, None, 0).await;
        s.claim_due_jobs(4, 10, R1, 64).await.unwrap();
        s.complete_job(done, R1, 4).await.unwrap();
        assert_eq!(
            s.prune_finished_jobs(4).await.unwrap(),
            0,
            "not older than the cut-off"
        );
        assert_eq!(
            s.prune_finished_jobs(5).await.unwrap(),
            1,
            "the done job goes; the failed one stays"
        );
        assert_eq!(s.failed_jobs(10).await.unwrap().len(), 1);
    }
}
