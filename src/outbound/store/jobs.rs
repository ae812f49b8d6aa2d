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
    /// Claims up to `limit` jobs due at `now`, marking them running. Two workers never claim one job (the outer
    /// `state = 'pending'` is checked again on a row another claim changed meanwhile). Work a request
    /// asked for (an introduction, a round, a message, a Home tab) comes before scheduled bulk (check-ins, nudges,
    /// closings, reminders, the summary, invitations), then the oldest first: a round asked for while ten thousand check-ins drain
    /// waits for one batch, not for all of them.
    /// A claimed job gives up its key, so it can schedule its own successor under the same key.
    pub async fn claim_due_jobs(&self, now: i64, limit: i64) -> Result<Vec<Job>, StoreError> {
        let mut jobs: Vec<Job> = on_db!(self.pool(), |p| {
            sqlx::query_as(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, key = NULL, updated_at = $1
                 WHERE state = 'pending' AND id IN (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= $1
                              ORDER BY kind IN ('checkin', 'nudge', 'closing', 'plan_reminder', 'summary', 'invite', 'unmatched_note'), due_at, id LIMIT $2)
                 RETURNING id, kind, pair_id, payload, due_at, attempts",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(p)
            .await?
        });
        jobs.sort_by_key(|j| (j.due_at, j.id));
        Ok(jobs)
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

    /// The earliest time a pending job is due, if any.
    pub async fn next_due_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar("SELECT MIN(due_at) FROM jobs WHERE state = 'pending'")
                .fetch_one(p)
                .await?
        }))
    }

    async fn finish_job(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query(
                "UPDATE jobs SET state = $1, last_error = $2, key = NULL, payload = '{}', updated_at = $3 WHERE id = $4",
            )
            .bind(state)
            .bind(error)
            .bind(now)
            .bind(id)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    pub async fn complete_job(&self, id: i64, now: i64) -> Result<(), StoreError> {
        self.finish_job(id, "done", None, now).await
    }

    /// Records that a job was dropped: a scheduled message that no longer made sense (too late after an outage, or
    /// for a pair that ended). It is cancelled with `dropped: <reason>` as its last error, so it is neither retried
    /// nor counted as failed.
    pub async fn drop_job(&self, id: i64, reason: &str, now: i64) -> Result<(), StoreError> {
        self.finish_job(id, "cancelled", Some(&format!("dropped: {reason}")), now)
            .await
    }

    /// Gives up on a job (a permanent error, or too many attempts); it shows in the admins' report.
    pub async fn fail_job(&self, id: i64, error: &str, now: i64) -> Result<(), StoreError> {
        self.finish_job(id, "failed", Some(error), now).await
    }

    /// A job that ran before its time waits again, as the same job: pending at `due_at` with `payload`, its attempts
    /// counted afresh, and `key` back — unless another pending job took that key meanwhile (the same work queued
    /// again), which then does the work: this one is cancelled. Returns whether the job waits. (On PostgreSQL a
    /// job queued under that key at the same moment makes the key's unique constraint refuse this update: the
    /// same outcome.)
    pub async fn defer_job(
        &self,
        id: i64,
        due_at: i64,
        payload: &str,
        key: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_db!(self.pool(), |p| {
            sqlx::query(
                "UPDATE jobs SET state = 'pending', due_at = $1, payload = $2, key = $3, attempts = 0, last_error = NULL,
                        updated_at = $4
                 WHERE id = $5 AND NOT EXISTS (SELECT 1 FROM jobs WHERE key = $3 AND id != $5)",
            )
            .bind(due_at)
            .bind(payload)
            .bind(key)
            .bind(now)
            .bind(id)
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
        self.finish_job(id, "cancelled", Some("superseded: queued again"), now)
            .await?;
        Ok(false)
    }

    /// Puts a job back to run again at `due_at`.
    pub async fn retry_job(
        &self,
        id: i64,
        due_at: i64,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE jobs SET state = 'pending', due_at = $1, last_error = $2, updated_at = $3 WHERE id = $4")
                .bind(due_at)
                .bind(error)
                .bind(now)
                .bind(id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// After a crash, jobs left running are run again (their recorded deliveries are skipped). Returns how many.
    pub async fn requeue_running_jobs(&self, now: i64) -> Result<u64, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query(
                "UPDATE jobs SET state = 'pending', updated_at = $1 WHERE state = 'running'",
            )
            .bind(now)
            .execute(p)
            .await?
            .rows_affected()
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
        assert!(s.claim_due_jobs(49, 10).await.unwrap().is_empty());
        let claimed = s.claim_due_jobs(50, 10).await.unwrap();
        assert_eq!((claimed.len(), claimed[0].attempts), (1, 1));
        assert!(
            s.claim_due_jobs(1000, 10).await.unwrap().is_empty(),
            "a running job is not claimed twice"
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
        s.complete_job(a, 60).await.unwrap();
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
            .claim_due_jobs(100, 2)
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
            .claim_due_jobs(100, 2)
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
        s.claim_due_jobs(0, 10).await.unwrap();
        s.record_delivery(id, "post", Some("G1"), Some("1.2"), 1)
            .await
            .unwrap();
        assert_eq!(s.requeue_running_jobs(2).await.unwrap(), 1);
        let again = s.claim_due_jobs(2, 10).await.unwrap();
        assert_eq!(again[0].attempts, 2);
        assert_eq!(
            s.delivery(id, "post").await.unwrap(),
            Some((Some("G1".into()), Some("1.2".into())))
        );
        assert_eq!(s.delivery(id, "other").await.unwrap(), None);
        s.fail_job(id, "channel_not_found", 3).await.unwrap();
        let failed = s.failed_jobs(10).await.unwrap();
        assert_eq!(failed[0].last_error, "channel_not_found");
        let done = queue(&s, JobKind::parse("nudge").unwrap(), 0, None, 0).await;
        s.claim_due_jobs(4, 10).await.unwrap();
        s.complete_job(done, 4).await.unwrap();
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
