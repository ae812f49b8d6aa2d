//! A pair's life after approval: its record, plan, check-ins and answers, and closing feedback.

use super::{Conn, Store, StoreError, Tx};
use crate::domain::forms::pair_forms::{CheckinAnswer, Feedback, MetAnswer, OwnAnswer, Plan};
use crate::domain::model::PairStatus;
use crate::domain::schedule::Cadence;
use chrono::NaiveDate;

/// A pair as stored. A member who left is `None`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PairRecord {
    pub id: i64,
    pub junior_id: Option<String>,
    pub senior_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: PairStatus,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub channel: Option<String>,
    pub last_met_at: Option<i64>,
    pub score: Option<i64>,
    /// JSON `{"for_senior", "for_junior"}`.
    pub explanation: Option<String>,
}

impl PairRecord {
    /// Both members, when both are still in the program.
    pub fn members(&self) -> Option<[&str; 2]> {
        Some([self.junior_id.as_deref()?, self.senior_id.as_deref()?])
    }
    pub fn has_member(&self, user_id: &str) -> bool {
        self.junior_id.as_deref() == Some(user_id) || self.senior_id.as_deref() == Some(user_id)
    }
    pub fn is_current(&self) -> bool {
        self.status.is_current()
    }
    /// The other member, seen from `user_id`.
    pub fn partner_of(&self, user_id: &str) -> Option<&str> {
        if self.junior_id.as_deref() == Some(user_id) {
            self.senior_id.as_deref()
        } else {
            self.junior_id.as_deref()
        }
    }
}

/// A check-in as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckinRecord {
    pub id: i64,
    pub pair_id: i64,
    pub since: i64,
    pub sent_at: i64,
    pub channel: Option<String>,
    pub ts: Option<String>,
}

/// What happened at one check-in, for stall detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckinOutcome {
    pub met: bool,
    pub answered: bool,
}

/// Someone's answer to a check-in.
#[derive(sqlx::FromRow)]
struct CheckinAnswerRow {
    user_id: String,
    #[sqlx(try_from = "String")]
    answer: CheckinAnswer,
}

/// One person's own answer to a check-in, with its details.
#[derive(sqlx::FromRow)]
struct OwnAnswerRow {
    #[sqlx(try_from = "String")]
    answer: CheckinAnswer,
    minutes: Option<i64>,
    covered: Option<String>,
    usefulness: Option<i64>,
    answered_at: i64,
}

impl From<OwnAnswerRow> for OwnAnswer {
    fn from(r: OwnAnswerRow) -> OwnAnswer {
        let met = match (r.answer, r.minutes, r.usefulness) {
            (CheckinAnswer::Met, Some(minutes), Some(usefulness)) => Some(MetAnswer {
                minutes: u16::try_from(minutes).unwrap_or(0),
                covered: r.covered,
                usefulness: u8::try_from(usefulness).unwrap_or(0),
            }),
            _ => None,
        };
        OwnAnswer {
            answer: r.answer,
            met,
            answered_at: r.answered_at,
        }
    }
}

/// A plan as stored: dates as `YYYY-MM-DD`, the cadence as spelled.
#[derive(sqlx::FromRow)]
struct PlanRow {
    objective: String,
    cadence: String,
    end_date: String,
    first_meeting: Option<String>,
}

impl TryFrom<PlanRow> for Plan {
    type Error = StoreError;
    fn try_from(r: PlanRow) -> Result<Plan, StoreError> {
        Ok(Plan {
            objective: r.objective,
            cadence: Cadence::parse(&r.cadence)
                .map_err(|_| StoreError::Corrupt("plans.cadence".into()))?,
            end_date: date(&r.end_date)?,
            first_meeting: r.first_meeting.as_deref().map(date).transpose()?,
        })
    }
}

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("bad date '{s}'")))
}

/// `SELECT <every pair column> FROM pairs <rest>`, as a static string.
macro_rules! select_pairs {
    ($rest:literal) => {
        concat!(
            "SELECT id, junior_id, senior_id, status, created_at, ended_at, channel, last_met_at, score, explanation FROM pairs ",
            $rest
        )
    };
}

impl Store {
    /// The pairs a matching round (proposal) formed, with when each was formed.
    pub async fn cohort_pairs(&self, proposal_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as("SELECT id, created_at FROM pairs WHERE proposal_id = $1 ORDER BY id")
                .bind(proposal_id)
                .fetch_all(p)
                .await?
        }))
    }

    /// Pair `id`, if `user_id` is one of its members (anyone else gets `None`).
    pub async fn pair_of_member(
        &self,
        id: i64,
        user_id: &str,
    ) -> Result<Option<PairRecord>, StoreError> {
        Ok(self.pair(id).await?.filter(|p| p.has_member(user_id)))
    }

    /// Every pair, oldest first (for reports). The match explanations are not read (`explanation` is `None`):
    /// no report shows them, and for a big firm they are most of the bytes.
    pub async fn pairs(&self) -> Result<Vec<PairRecord>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT id, junior_id, senior_id, status, created_at, ended_at, channel, last_met_at, score,
                        CAST(NULL AS TEXT) AS explanation
                 FROM pairs ORDER BY id",
            )
            .fetch_all(p)
            .await?
        }))
    }

    pub async fn set_pair_channel(&self, id: i64, channel: &str) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE pairs SET channel = $1 WHERE id = $2")
                .bind(channel)
                .bind(id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    pub async fn set_checkin_message(
        &self,
        id: i64,
        channel: &str,
        ts: &str,
    ) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE checkins SET channel = $1, ts = $2 WHERE id = $3")
                .bind(channel)
                .bind(ts)
                .bind(id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Answers to a check-in, in the order given.
    pub async fn answers(
        &self,
        checkin_id: i64,
    ) -> Result<Vec<(String, CheckinAnswer)>, StoreError> {
        let rows: Vec<CheckinAnswerRow> = on_db!(self.pool(), |p| {
            sqlx::query_as("SELECT user_id, answer FROM checkin_answers WHERE checkin_id = $1 AND user_id IS NOT NULL ORDER BY answered_at, rowid")
                .bind(checkin_id)
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().map(|r| (r.user_id, r.answer)).collect())
    }

    /// What `user_id` answered to check-in `checkin_id`, if they did.
    pub async fn own_answer(
        &self,
        checkin_id: i64,
        user_id: &str,
    ) -> Result<Option<OwnAnswer>, StoreError> {
        let row: Option<OwnAnswerRow> = on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT answer, minutes, covered, usefulness, answered_at FROM checkin_answers WHERE checkin_id = $1 AND user_id = $2",
            )
            .bind(checkin_id)
            .bind(user_id)
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(OwnAnswer::from))
    }

    /// Records someone's closing feedback. Returns `false` if they had already given it.
    pub async fn record_feedback(
        &self,
        pair_id: i64,
        user_id: &str,
        f: &Feedback,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_db!(self.pool(), |p| {
            sqlx::query(
                "INSERT INTO feedback (pair_id, user_id, rating, learned, recommend, at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (pair_id, user_id) DO NOTHING",
            )
            .bind(pair_id)
            .bind(user_id)
            .bind(i64::from(f.rating))
            .bind(&f.learned)
            .bind(i64::from(f.recommend))
            .bind(now)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }
}
impl Tx {
    /// The matching round (proposal) pair `pair_id` came from, when no pair of that round is still running: the
    /// round's cohort has just closed.
    /// On PostgreSQL the round's proposal row is locked first: two pairs of one round ending at once take turns, so
    /// the second sees the first ended (each alone would see the other still running, and nobody would report the
    /// cohort's end).
    pub async fn cohort_closed_by(&mut self, pair_id: i64) -> Result<Option<i64>, StoreError> {
        if let Conn::Postgres(c) = self.conn() {
            sqlx::query(
                "SELECT id FROM proposals WHERE id = (SELECT proposal_id FROM pairs WHERE id = $1) FOR UPDATE",
            )
            .bind(pair_id)
            .fetch_optional(c)
            .await?;
        }
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_scalar(
                "SELECT p.proposal_id FROM pairs p WHERE p.id = $1 AND p.proposal_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM pairs o WHERE o.proposal_id = p.proposal_id AND o.status IN ('active', 'at_risk'))",
            )
            .bind(pair_id)
            .fetch_optional(c)
            .await?
        }))
    }

    /// Moves a current pair to `status` (`active`, `at_risk`). Returns `false` if the pair is not current or had that
    /// status already. Back to active ends the at-risk episode: its nudge count starts again.
    pub async fn set_pair_risk(&mut self, id: i64, at_risk: bool) -> Result<bool, StoreError> {
        let status = if at_risk {
            PairStatus::AtRisk
        } else {
            PairStatus::Active
        };
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(
                "UPDATE pairs SET status = $1,
                        nudges = CASE WHEN $1 = 'active' THEN 0 ELSE nudges END,
                        nudged_at = CASE WHEN $1 = 'active' THEN NULL ELSE nudged_at END
                 WHERE id = $2 AND status IN ('active', 'at_risk') AND status != $1",
            )
            .bind(status.as_str())
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Ends a current pair as `completed` or `ended` (with an optional reason only admins see). Returns `false` if it
    /// was not current (already ended: a second request has no effect).
    pub async fn finish_pair(
        &mut self,
        id: i64,
        status: PairStatus,
        reason: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE pairs SET status = $1, ended_at = $2, end_reason = $3 WHERE id = $4 AND status IN ('active', 'at_risk')")
                .bind(status.as_str())
                .bind(now)
                .bind(reason)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Stores a pair's plan. Returns `true` when it is the pair's first: the insert that made the row says so (two
    /// saves at once on PostgreSQL cannot both see no plan and both call theirs the first).
    pub async fn save_plan(
        &mut self,
        pair_id: i64,
        plan: &Plan,
        now: i64,
    ) -> Result<bool, StoreError> {
        let end_date = plan.end_date.format("%Y-%m-%d").to_string();
        let first_meeting = plan.first_meeting.map(|d| d.format("%Y-%m-%d").to_string());
        on_conn!(self.conn(), |c| {
            let inserted = sqlx::query(
                "INSERT INTO plans (pair_id, objective, cadence, end_date, first_meeting, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (pair_id) DO NOTHING",
            )
            .bind(pair_id)
            .bind(&plan.objective)
            .bind(plan.cadence.as_str())
            .bind(&end_date)
            .bind(&first_meeting)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
                == 1;
            if !inserted {
                sqlx::query(
                    "UPDATE plans SET objective = $2, cadence = $3, end_date = $4, first_meeting = $5, updated_at = $6
                     WHERE pair_id = $1",
                )
                .bind(pair_id)
                .bind(&plan.objective)
                .bind(plan.cadence.as_str())
                .bind(&end_date)
                .bind(&first_meeting)
                .bind(now)
                .execute(&mut *c)
                .await?;
            }
            Ok(inserted)
        })
    }

    /// The `SEQUENCE` of the pair's next calendar invite: 0 the first time, then one more than the last.
    pub async fn next_calendar_sequence(
        &mut self,
        pair_id: i64,
        now: i64,
    ) -> Result<u32, StoreError> {
        let sequence: i64 = on_conn!(self.conn(), |c| {
            sqlx::query_scalar(
                "INSERT INTO calendar_invites (pair_id, sequence, updated_at) VALUES ($1, 0, $2)
                 ON CONFLICT (pair_id) DO UPDATE SET sequence = calendar_invites.sequence + 1, updated_at = excluded.updated_at
                 RETURNING sequence",
            )
            .bind(pair_id)
            .bind(now)
            .fetch_one(c)
            .await?
        });
        u32::try_from(sequence).map_err(|_| StoreError::Corrupt("calendar_invites.sequence".into()))
    }

    /// Records someone's answer to a check-in. Returns `false` if they had already answered (no second effect).
    pub async fn record_answer(
        &mut self,
        checkin_id: i64,
        user_id: &str,
        answer: CheckinAnswer,
        met: Option<&MetAnswer>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(
                "INSERT INTO checkin_answers (checkin_id, user_id, answer, minutes, covered, usefulness, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (checkin_id, user_id) DO NOTHING",
            )
            .bind(checkin_id)
            .bind(user_id)
            .bind(answer.as_str())
            .bind(met.map(|m| i64::from(m.minutes)))
            .bind(met.and_then(|m| m.covered.clone()))
            .bind(met.map(|m| i64::from(m.usefulness)))
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Replaces someone's answer to a check-in with a changed one (the same row: one answer per person per
    /// check-in), or records it if they had none. Returns `true` when an earlier answer was replaced.
    pub async fn replace_answer(
        &mut self,
        checkin_id: i64,
        user_id: &str,
        answer: CheckinAnswer,
        met: Option<&MetAnswer>,
        now: i64,
    ) -> Result<bool, StoreError> {
        if self
            .update_answer(checkin_id, user_id, answer, met, now)
            .await?
        {
            return Ok(true);
        }
        if !self
            .record_answer(checkin_id, user_id, answer, met, now)
            .await?
        {
            // Recorded by a request of theirs between the two statements (PostgreSQL): this one replaces it.
            self.update_answer(checkin_id, user_id, answer, met, now)
                .await?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Overwrites someone's answer to a check-in; `false` when they had none.
    async fn update_answer(
        &mut self,
        checkin_id: i64,
        user_id: &str,
        answer: CheckinAnswer,
        met: Option<&MetAnswer>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(
                "UPDATE checkin_answers SET answer = $1, minutes = $2, covered = $3, usefulness = $4, answered_at = $5
                 WHERE checkin_id = $6 AND user_id = $7",
            )
            .bind(answer.as_str())
            .bind(met.map(|m| i64::from(m.minutes)))
            .bind(met.and_then(|m| m.covered.clone()))
            .bind(met.map(|m| i64::from(m.usefulness)))
            .bind(now)
            .bind(checkin_id)
            .bind(user_id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Sets the pair's last meeting again from its answers (after an answer changed: a "we met" taken back may
    /// leave a pair that never met).
    pub async fn recompute_last_met(&mut self, pair_id: i64) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            sqlx::query(
                "UPDATE pairs SET last_met_at = (SELECT MAX(a.answered_at) FROM checkin_answers a
                   JOIN checkins c ON c.id = a.checkin_id WHERE c.pair_id = $1 AND a.answer = 'met')
                 WHERE id = $1",
            )
            .bind(pair_id)
            .execute(c)
            .await?;
        });
        Ok(())
    }

    pub async fn mark_met(&mut self, pair_id: i64, now: i64) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE pairs SET last_met_at = $1 WHERE id = $2")
                .bind(now)
                .bind(pair_id)
                .execute(c)
                .await?;
        });
        Ok(())
    }
}

pub(super) async fn pair_on(c: Conn<'_>, id: i64) -> Result<Option<PairRecord>, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(select_pairs!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub(super) async fn plan_on(c: Conn<'_>, pair_id: i64) -> Result<Option<Plan>, StoreError> {
    let r: Option<PlanRow> = on_conn!(c, |c| {
        sqlx::query_as(
            "SELECT objective, cadence, end_date, first_meeting FROM plans WHERE pair_id = $1",
        )
        .bind(pair_id)
        .fetch_optional(c)
        .await?
    });
    r.map(Plan::try_from).transpose()
}

/// The time of a pair's last check-in, if any.
pub(super) async fn last_checkin_at_on(
    c: Conn<'_>,
    pair_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar("SELECT MAX(sent_at) FROM checkins WHERE pair_id = $1")
            .bind(pair_id)
            .fetch_one(c)
            .await?
    }))
}

/// The pair's last `n` delivered check-ins (Slack has them), newest first, with whether anyone answered and whether
/// anyone said they met. A check-in still being retried is not one yet, so it never counts as missed.
pub(super) async fn recent_checkins_on(
    c: Conn<'_>,
    pair_id: i64,
    n: i64,
) -> Result<Vec<CheckinOutcome>, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM checkin_answers a WHERE a.checkin_id = c.id AND a.answer = 'met') AS met,
                    EXISTS (SELECT 1 FROM checkin_answers a WHERE a.checkin_id = c.id) AS answered
             FROM checkins c WHERE c.pair_id = $1 AND c.ts IS NOT NULL ORDER BY c.sent_at DESC, c.id DESC LIMIT $2",
        )
        .bind(pair_id)
        .bind(n)
        .fetch_all(c)
        .await?
    }))
}

pub(super) async fn checkin_on(c: Conn<'_>, id: i64) -> Result<Option<CheckinRecord>, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
            "SELECT id, pair_id, since, sent_at, channel, ts FROM checkins WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

/// The current pair of `user_id`, in full.
pub(super) async fn current_pair_of_on(
    c: Conn<'_>,
    user_id: &str,
) -> Result<Option<PairRecord>, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(select_pairs!("WHERE status IN ('active', 'at_risk') AND (junior_id = $1 OR senior_id = $1) ORDER BY id DESC LIMIT 1"))
            .bind(user_id)
            .fetch_optional(c)
            .await?
    }))
}

/// Every current pair of `user_id`, oldest first.
pub(super) async fn current_pairs_of_on(
    c: Conn<'_>,
    user_id: &str,
) -> Result<Vec<PairRecord>, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(select_pairs!(
            "WHERE status IN ('active', 'at_risk') AND (junior_id = $1 OR senior_id = $1) ORDER BY id"
        ))
        .bind(user_id)
        .fetch_all(c)
        .await?
    }))
}

impl Store {
    pub async fn pair(&self, id: i64) -> Result<Option<PairRecord>, StoreError> {
        pair_on(self.acquire().await?.conn(), id).await
    }

    pub async fn plan(&self, pair_id: i64) -> Result<Option<Plan>, StoreError> {
        plan_on(self.acquire().await?.conn(), pair_id).await
    }

    /// The `SEQUENCE` of the pair's latest calendar invite, if one was ever decided.
    pub async fn calendar_sequence(&self, pair_id: i64) -> Result<Option<u32>, StoreError> {
        let sequence: Option<i64> = on_db!(self.pool(), |p| {
            sqlx::query_scalar("SELECT sequence FROM calendar_invites WHERE pair_id = $1")
                .bind(pair_id)
                .fetch_optional(p)
                .await?
        });
        sequence
            .map(|s| {
                u32::try_from(s)
                    .map_err(|_| StoreError::Corrupt("calendar_invites.sequence".into()))
            })
            .transpose()
    }

    /// The time of a pair's last check-in, if any.
    pub async fn last_checkin_at(&self, pair_id: i64) -> Result<Option<i64>, StoreError> {
        last_checkin_at_on(self.acquire().await?.conn(), pair_id).await
    }

    /// The pair's last `n` delivered check-ins (Slack has them), newest first, with whether anyone answered and whether
    /// anyone said they met. A check-in still being retried is not one yet, so it never counts as missed.
    pub async fn recent_checkins(
        &self,
        pair_id: i64,
        n: i64,
    ) -> Result<Vec<CheckinOutcome>, StoreError> {
        recent_checkins_on(self.acquire().await?.conn(), pair_id, n).await
    }

    pub async fn checkin(&self, id: i64) -> Result<Option<CheckinRecord>, StoreError> {
        checkin_on(self.acquire().await?.conn(), id).await
    }

    /// The current pair of `user_id`, in full.
    pub async fn current_pair_of(&self, user_id: &str) -> Result<Option<PairRecord>, StoreError> {
        current_pair_of_on(self.acquire().await?.conn(), user_id).await
    }
}

impl Tx {
    pub async fn pair(&mut self, id: i64) -> Result<Option<PairRecord>, StoreError> {
        pair_on(self.conn(), id).await
    }

    /// Locks pair `id` until this transaction ends, for a flow that reads the pair (or what hangs off it: its plan,
    /// check-ins, nudges) and decides from it: on PostgreSQL `SELECT … FOR UPDATE`, so that two such flows on one
    /// pair take turns as they do on SQLite, whose write transaction holds the whole database already (a no-op
    /// there). Call it before the reads.
    pub async fn lock_pair(&mut self, id: i64) -> Result<(), StoreError> {
        if let Conn::Postgres(c) = self.conn() {
            sqlx::query("SELECT id FROM pairs WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(c)
                .await?;
        }
        Ok(())
    }

    pub async fn plan(&mut self, pair_id: i64) -> Result<Option<Plan>, StoreError> {
        plan_on(self.conn(), pair_id).await
    }

    /// The time of a pair's last check-in, if any.
    pub async fn last_checkin_at(&mut self, pair_id: i64) -> Result<Option<i64>, StoreError> {
        last_checkin_at_on(self.conn(), pair_id).await
    }

    /// The pair's last `n` delivered check-ins (Slack has them), newest first, with whether anyone answered and whether
    /// anyone said they met. A check-in still being retried is not one yet, so it never counts as missed.
    pub async fn recent_checkins(
        &mut self,
        pair_id: i64,
        n: i64,
    ) -> Result<Vec<CheckinOutcome>, StoreError> {
        recent_checkins_on(self.conn(), pair_id, n).await
    }

    pub async fn checkin(&mut self, id: i64) -> Result<Option<CheckinRecord>, StoreError> {
        checkin_on(self.conn(), id).await
    }

    /// The current pair of `user_id`, in full.
    pub async fn current_pair_of(
        &mut self,
        user_id: &str,
    ) -> Result<Option<PairRecord>, StoreError> {
        current_pair_of_on(self.conn(), user_id).await
    }
}

impl Tx {
    /// The check-in sent by `job_id`, created on the job's first run and found again on a re-run.
    pub async fn checkin_for_job(
        &mut self,
        job_id: i64,
        pair_id: i64,
        since: i64,
        sent_at: i64,
    ) -> Result<CheckinRecord, StoreError> {
        let id: i64 = on_conn!(self.conn(), |c| {
            sqlx::query(
                "INSERT INTO checkins (pair_id, job_id, since, sent_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (job_id) DO NOTHING",
            )
            .bind(pair_id)
            .bind(job_id)
            .bind(since)
            .bind(sent_at)
            .execute(&mut *c)
            .await?;
            sqlx::query_scalar("SELECT id FROM checkins WHERE job_id = $1")
                .bind(job_id)
                .fetch_one(&mut *c)
                .await?
        });
        checkin_on(self.conn(), id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("check-in vanished".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::PairView;

    use crate::outbound::store::test_store as store;

    #[tokio::test]
    async fn a_pair_reads_back_its_plan_check_ins_answers_and_feedback() {
        let (_d, s) = store().await;
        let id = s.create_pair("UJ", "US", 10).await.unwrap();
        assert_eq!(s.plan(id).await.unwrap(), None);
        let plan = Plan {
            objective: "Learn e-discovery".into(),
            cadence: Cadence::Biweekly,
            end_date: NaiveDate::from_ymd_opt(2030, 6, 30).unwrap(),
            first_meeting: Some(NaiveDate::from_ymd_opt(2030, 1, 2).unwrap()),
        };
        assert!(in_tx!(s, save_plan(id, &plan, 11)).await.unwrap());
        assert_eq!(s.plan(id).await.unwrap(), Some(plan));

        let c = in_tx!(s, checkin_for_job(7, id, 10, 20)).await.unwrap();
        assert_eq!(
            (c.pair_id, c.since, c.sent_at, c.channel.as_deref()),
            (id, 10, 20, None)
        );
        assert!(
            s.recent_checkins(id, 3).await.unwrap().is_empty(),
            "not delivered yet"
        );
        s.set_checkin_message(c.id, "D1", "1.2").await.unwrap();
        let met = MetAnswer {
            minutes: 30,
            covered: None,
            usefulness: 4,
        };
        in_tx!(
            s,
            record_answer(c.id, "US", CheckinAnswer::NotYet, None, 21)
        )
        .await
        .unwrap();
        in_tx!(
            s,
            record_answer(c.id, "UJ", CheckinAnswer::Met, Some(&met), 22)
        )
        .await
        .unwrap();
        assert_eq!(
            s.answers(c.id).await.unwrap(),
            vec![
                ("US".to_string(), CheckinAnswer::NotYet),
                ("UJ".to_string(), CheckinAnswer::Met)
            ]
        );
        assert_eq!(
            s.recent_checkins(id, 3).await.unwrap(),
            vec![CheckinOutcome {
                met: true,
                answered: true
            }]
        );
        assert_eq!(
            s.checkin(c.id).await.unwrap().unwrap().ts.as_deref(),
            Some("1.2")
        );
        let rows = s.checkin_answer_rows(0).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(s.checkin_answer_rows(20).await.unwrap(), rows, "sent at 20");
        assert!(s.checkin_answer_rows(21).await.unwrap().is_empty());
        assert_eq!(
            (
                rows[1].answer.as_deref(),
                rows[1].minutes,
                rows[1].usefulness
            ),
            (Some("met"), Some(30), Some(4))
        );

        assert_eq!(
            s.current_pair("US").await.unwrap(),
            Some(PairView {
                id,
                partner: Some("UJ".into()),
                as_junior: false,
                status: PairStatus::Active
            })
        );
        let f = Feedback {
            rating: 5,
            learned: Some("a lot".into()),
            recommend: true,
        };
        assert!(s.record_feedback(id, "UJ", &f, 30).await.unwrap());
        let fb = s.feedback_rows().await.unwrap();
        assert_eq!((fb.len(), fb[0].rating, fb[0].recommend), (1, 5, true));

        let gone = in_tx!(s, delete_participant("UJ", 40)).await.unwrap();
        assert_eq!(gone.ended_pairs, vec![(id, Some("US".to_string()))]);
        assert_eq!(s.current_pair("US").await.unwrap(), None);
        assert!(
            s.answers(c.id)
                .await
                .unwrap()
                .iter()
                .all(|(u, _)| u == "US")
        );
    }
}
