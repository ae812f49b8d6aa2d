//! What the managers' summary reads: check-in rounds and answers, departures, feedback. Never free text.

use super::{Store, StoreError};
use crate::domain::feedback::{FeedbackInput, Scored, Written};
use crate::domain::reports::{MeetingTotals, SkillCounts};

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
        let sql = rowid_sql!(self.dialect();
            "SELECT c.id AS checkin_id, c.pair_id, c.sent_at, a.answer, a.user_id, a." ROWID " AS answer_rowid, a.minutes, a.usefulness
             FROM checkins c LEFT JOIN checkin_answers a ON a.checkin_id = c.id WHERE c.sent_at >= $1
             ORDER BY c.sent_at, c.id, a." ROWID
        );
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(sql).bind(since).fetch_all(p).await?
        }))
    }

    /// The "we met" answers to check-ins sent at or after `since` (what the weekly chart needs: no unanswered
    /// check-in, no other answer).
    pub async fn met_answer_rows(&self, since: i64) -> Result<Vec<AnswerRow>, StoreError> {
        let sql = rowid_sql!(self.dialect();
            "SELECT c.id AS checkin_id, c.pair_id, c.sent_at, a.answer, a.user_id, a." ROWID " AS answer_rowid, a.minutes, a.usefulness
             FROM checkins c JOIN checkin_answers a ON a.checkin_id = c.id WHERE c.sent_at >= $1 AND a.answer = 'met'
             ORDER BY c.sent_at, c.id, a." ROWID
        );
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(sql).bind(since).fetch_all(p).await?
        }))
    }

    /// When people left (anonymous).
    pub async fn departures(&self) -> Result<Vec<i64>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar("SELECT at FROM program_events WHERE kind = 'left' ORDER BY at")
                .fetch_all(p)
                .await?
        }))
    }

    pub async fn feedback_rows(&self) -> Result<Vec<FeedbackRow>, StoreError> {
        let sql = rowid_sql!(self.dialect();
            "SELECT pair_id, user_id, " ROWID " AS rowid, rating, recommend <> 0 AS recommend FROM feedback ORDER BY " ROWID
        );
        Ok(on_db!(self.pool(), |p| sqlx::query_as(sql)
            .fetch_all(p)
            .await?))
    }

    /// The pairs' own words and scores for `/mentor feedback`, from pairs that have closed (completed or ended) only:
    /// "what I learned", meeting notes, closing ratings and meeting usefulness. Authors are user IDs (or a stand-in
    /// for someone who left) so that distinct people can be counted; nothing else about them is read.
    pub async fn closed_pair_feedback(&self) -> Result<FeedbackInput, StoreError> {
        // (author, rowid, score, text) rows of each table.
        type Rows = Vec<(Option<String>, i64, Option<i64>, Option<String>)>;
        let feedback_sql = rowid_sql!(self.dialect();
            "SELECT user_id, " ROWID ", rating, learned FROM feedback
             WHERE pair_id IN (SELECT id FROM pairs WHERE status IN ('completed', 'ended'))"
        );
        let answers_sql = rowid_sql!(self.dialect();
            "SELECT a.user_id, a." ROWID ", a.usefulness, a.covered FROM checkin_answers a
             JOIN checkins c ON c.id = a.checkin_id
             WHERE a.answer = 'met' AND c.pair_id IN (SELECT id FROM pairs WHERE status IN ('completed', 'ended'))"
        );
        let mut conn = self.acquire().await?;
        let (feedback, answers): (Rows, Rows) = on_conn!(conn.conn(), |c| {
            (
                sqlx::query_as(feedback_sql).fetch_all(&mut *c).await?,
                sqlx::query_as(answers_sql).fetch_all(&mut *c).await?,
            )
        });
        let who = |user: Option<String>, table: &str, rowid: i64| {
            user.unwrap_or_else(|| format!("(left {table} #{rowid})"))
        };
        let mut input = FeedbackInput::default();
        for (user, rowid, rating, learned) in feedback {
            let author = who(user, "feedback", rowid);
            if let Some(text) = learned {
                input.learned.push(Written {
                    author: author.clone(),
                    text,
                });
            }
            if let Some(score) = rating {
                input.ratings.push(Scored {
                    author,
                    score: u8::try_from(score).unwrap_or(0),
                });
            }
        }
        for (user, rowid, usefulness, covered) in answers {
            let author = who(user, "answer", rowid);
            if let Some(text) = covered {
                input.covered.push(Written {
                    author: author.clone(),
                    text,
                });
            }
            if let Some(score) = usefulness {
                input.usefulness.push(Scored {
                    author,
                    score: u8::try_from(score).unwrap_or(0),
                });
            }
        }
        Ok(input)
    }

    /// The skills market counted here rather than from every participant's skills in memory (equal to
    /// [`SkillCounts::of`] over the same data): per skill, the distinct participants not paused at `now` who want to
    /// learn it and who can teach it; and the pairs formed before `before` (active, at risk or completed, both people
    /// still enrolled) in which one teaches it and the other wants it, with those pairs' distinct people.
    pub async fn skill_counts(&self, now: i64, before: i64) -> Result<SkillCounts, StoreError> {
        let mut conn = self.acquire().await?;
        // (skill, count, count) rows of each query.
        type Counts = Vec<(String, i64, i64)>;
        let (supply, exchanged): (Counts, Counts) = on_conn!(conn.conn(), |c| {
            let supply = sqlx::query_as(
                    // One row per person, direction and skill (the table's key), so sums count distinct people.
                    "SELECT skill, CAST(SUM(CASE WHEN direction = 'learn' THEN 1 ELSE 0 END) AS BIGINT),
                            CAST(SUM(CASE WHEN direction = 'teach' THEN 1 ELSE 0 END) AS BIGINT)
                     FROM participant_skills
                     WHERE user_id NOT IN (SELECT user_id FROM participants
                                           WHERE paused <> 0 AND (paused_until IS NULL OR paused_until > $1))
                     GROUP BY skill",
                )
                .bind(now)
                .fetch_all(&mut *c)
                .await?;
            let exchanged = sqlx::query_as(
                    "WITH p AS (SELECT id, junior_id, senior_id FROM pairs
                                WHERE status IN ('active', 'at_risk', 'completed') AND created_at < $1
                                  AND junior_id IS NOT NULL AND senior_id IS NOT NULL),
                          ex AS MATERIALIZED (
                              SELECT DISTINCT t.skill, p.id, p.junior_id, p.senior_id FROM p
                              JOIN participant_skills t ON t.direction = 'teach' AND t.user_id IN (p.junior_id, p.senior_id)
                              JOIN participant_skills l ON l.direction = 'learn' AND l.skill = t.skill
                                   AND l.user_id = CASE WHEN t.user_id = p.junior_id THEN p.senior_id ELSE p.junior_id END),
                          n AS (SELECT skill, COUNT(*) AS pairs FROM ex GROUP BY skill),
                          m AS (SELECT skill, COUNT(DISTINCT who) AS people FROM (
                                    SELECT skill, junior_id AS who FROM ex UNION ALL SELECT skill, senior_id FROM ex
                                ) AS members GROUP BY skill)
                     SELECT skill, pairs, people FROM n JOIN m USING (skill)",
                )
                .bind(before)
                .fetch_all(&mut *c)
                .await?;
            (supply, exchanged)
        });
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok(SkillCounts {
            supply: supply
                .into_iter()
                .map(|(skill, wanted, taught)| (skill, (count(wanted), count(taught))))
                .collect(),
            exchanged: exchanged
                .into_iter()
                .map(|(skill, pairs, people)| (skill, (pairs, count(people))))
                .collect(),
        })
    }

    /// Meetings at check-ins sent before `until` (unix seconds), over the whole history, counted here rather than
    /// read row by row: one meeting per check-in with a "met" answer, lasting the longest either person logged; and
    /// the distinct people of the pairs that met (a member who left counts as one more person).
    pub async fn meeting_totals(&self, until: i64) -> Result<MeetingTotals, StoreError> {
        let mut conn = self.acquire().await?;
        let ((meetings, minutes), people): ((i64, i64), i64) = on_conn!(conn.conn(), |c| {
            let totals = sqlx::query_as(
                "SELECT COUNT(*), CAST(COALESCE(SUM(longest), 0) AS BIGINT) FROM (
                     SELECT MAX(COALESCE(a.minutes, 0)) AS longest FROM checkins c
                     JOIN checkin_answers a ON a.checkin_id = c.id
                     WHERE a.answer = 'met' AND c.sent_at < $1 GROUP BY c.id) AS meetings",
            )
            .bind(until)
            .fetch_one(&mut *c)
            .await?;
            let people = sqlx::query_scalar(
                "WITH met AS (SELECT DISTINCT c.pair_id FROM checkins c JOIN checkin_answers a ON a.checkin_id = c.id
                              WHERE a.answer = 'met' AND c.sent_at < $1),
                      members AS (SELECT junior_id AS who FROM pairs WHERE id IN (SELECT pair_id FROM met)
                                  UNION ALL SELECT senior_id FROM pairs WHERE id IN (SELECT pair_id FROM met))
                 SELECT COUNT(DISTINCT who) + CAST(COALESCE(SUM(CASE WHEN who IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT)
                 FROM members",
            )
            .bind(until)
            .fetch_one(&mut *c)
            .await?;
            (totals, people)
        });
        Ok(MeetingTotals {
            meetings,
            minutes,
            people: usize::try_from(people).unwrap_or(0),
        })
    }
}
