//! What `/mentor mydata` reads: one person's pairs, their own check-in answers and feedback, the name of a partner,
//! and the pending jobs that will message them. Never another person's answers or free text.

use super::pairs::PairRecord;
use super::{Dialect, Store, StoreError};
use crate::domain::subject_access::{OwnCheckinAnswer, OwnFeedback, ScheduledMessage};

#[derive(sqlx::FromRow)]
struct OwnAnswerRow {
    pair_id: i64,
    sent_at: i64,
    answer: String,
    minutes: Option<i64>,
    covered: Option<String>,
    usefulness: Option<i64>,
    answered_at: i64,
}

#[derive(sqlx::FromRow)]
struct OwnFeedbackRow {
    pair_id: i64,
    rating: i64,
    learned: Option<String>,
    recommend: bool,
    at: i64,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    kind: String,
    pair_id: Option<i64>,
    due_at: i64,
}

impl Store {
    /// Every pair `user_id` is or was in, oldest first.
    pub async fn pairs_of_member(&self, user_id: &str) -> Result<Vec<PairRecord>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT id, junior_id, senior_id, status, created_at, ended_at, channel, last_met_at, score, explanation
                 FROM pairs WHERE junior_id = $1 OR senior_id = $1 ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Someone's name as Slack gave it, if they are enrolled and it is known (nothing else of theirs is read).
    pub async fn display_name_of(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let name: Option<Option<String>> = on_db!(self.pool(), |p| {
            sqlx::query_scalar("SELECT display_name FROM participants WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(p)
                .await?
        });
        Ok(name.flatten())
    }

    /// `user_id`'s own check-in answers, oldest first.
    pub async fn own_checkin_answers(
        &self,
        user_id: &str,
    ) -> Result<Vec<OwnCheckinAnswer>, StoreError> {
        let sql = "SELECT c.pair_id, c.sent_at, a.answer, a.minutes, a.covered, a.usefulness, a.answered_at
             FROM checkin_answers a JOIN checkins c ON c.id = a.checkin_id
             WHERE a.user_id = $1 ORDER BY a.answered_at, a.rowid";
        let rows: Vec<OwnAnswerRow> = on_db!(self.pool(), |p| {
            sqlx::query_as(sql).bind(user_id).fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| OwnCheckinAnswer {
                pair_id: r.pair_id,
                asked_at: r.sent_at,
                answer: r.answer,
                minutes: r.minutes,
                covered: r.covered,
                usefulness: r.usefulness,
                answered_at: r.answered_at,
            })
            .collect())
    }

    /// `user_id`'s own closing feedback, oldest first.
    pub async fn own_feedback(&self, user_id: &str) -> Result<Vec<OwnFeedback>, StoreError> {
        let sql = "SELECT pair_id, rating, learned, recommend <> 0 AS recommend, at FROM feedback WHERE user_id = $1
             ORDER BY at, rowid";
        let rows: Vec<OwnFeedbackRow> = on_db!(self.pool(), |p| {
            sqlx::query_as(sql).bind(user_id).fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| OwnFeedback {
                pair_id: r.pair_id,
                rating: r.rating,
                learned: r.learned,
                would_recommend: r.recommend,
                given_at: r.at,
            })
            .collect())
    }

    /// Pending jobs that will message `user_id`: their current pairs' (not the admins' help and at-risk alerts) and those whose
    /// payload names them (a DM, their Home tab). Kind and due time only.
    pub async fn pending_jobs_for(
        &self,
        user_id: &str,
    ) -> Result<Vec<ScheduledMessage>, StoreError> {
        // Their ID in quotes anywhere in the payload (`instr` and `strpos` compare exactly, unlike LIKE).
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT kind, pair_id, due_at FROM jobs
                 WHERE state = 'pending' AND kind NOT IN ('help_alert', 'risk_alert', 'summary')
                   AND (pair_id IN (SELECT id FROM pairs WHERE (junior_id = $1 OR senior_id = $1) AND status IN ('active', 'at_risk'))
                        OR instr(payload, '\"' || $1 || '\"') > 0)
                 ORDER BY due_at, id"
            }
            Dialect::Postgres => {
                "SELECT kind, pair_id, due_at FROM jobs
                 WHERE state = 'pending' AND kind NOT IN ('help_alert', 'risk_alert', 'summary')
                   AND (pair_id IN (SELECT id FROM pairs WHERE (junior_id = $1 OR senior_id = $1) AND status IN ('active', 'at_risk'))
                        OR strpos(payload, '\"' || $1 || '\"') > 0)
                 ORDER BY due_at, id"
            }
        };
        let rows: Vec<PendingRow> = on_db!(self.pool(), |p| {
            sqlx::query_as(sql).bind(user_id).fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| ScheduledMessage {
                kind: r.kind,
                pair_id: r.pair_id,
                due_at: r.due_at,
            })
            .collect())
    }
}
