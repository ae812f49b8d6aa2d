//! What the managers' summary reads: check-in rounds and answers, departures, feedback. Never free text.

use super::{Store, StoreError};

/// One check-in and one answer to it (none when nobody answered). `user_id` is `None` for someone who left.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AnswerRow {
    pub checkin_id: i64,
    pub pair_id: i64,
    pub sent_at: i64,
    /// `Some` when this row carries an answer.
    pub answer: Option<String>,
    pub user_id: Option<String>,
    /// A stable stand-in for an anonymous answerer, so they still count as one person.
    pub answer_rowid: Option<i64>,
    pub minutes: Option<i64>,
    pub usefulness: Option<i64>,
}

/// One person's closing feedback, without what they wrote.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedbackRow {
    pub pair_id: i64,
    pub user_id: Option<String>,
    pub rowid: i64,
    pub rating: i64,
    pub recommend: bool,
}

impl Store {
    /// Every check-in sent at or after `since` (unix seconds) with each of its answers (a check-in nobody answered
    /// appears once, without an answer). A report reads only the weeks it shows, not the program's whole history.
    pub async fn checkin_answer_rows(&self, since: i64) -> Result<Vec<AnswerRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.id AS checkin_id, c.pair_id, c.sent_at, a.answer, a.user_id, a.rowid AS answer_rowid, a.minutes, a.usefulness
             FROM checkins c LEFT JOIN checkin_answers a ON a.checkin_id = c.id WHERE c.sent_at >= ?
             ORDER BY c.sent_at, c.id, a.rowid",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }

    /// When people left (anonymous).
    pub async fn departures(&self) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT at FROM program_events WHERE kind = 'left' ORDER BY at")
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn feedback_rows(&self) -> Result<Vec<FeedbackRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT pair_id, user_id, rowid, rating, recommend FROM feedback ORDER BY rowid",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
