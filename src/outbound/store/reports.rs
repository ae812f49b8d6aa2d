//! What the managers' summary reads: check-in rounds and answers, departures, feedback. Never free text.

use super::{Dialect, Store, StoreError};
use crate::domain::feedback::{FeedbackInput, Scored, Written};
use crate::domain::forms::survey::parse_role;
use crate::domain::matching::Role;
use crate::domain::model::CheckinAnswer;
use crate::domain::reports::{
    ChartCounts, ChartWeek, CheckinTally, FeedbackCount, MIN_PEOPLE, MeetingTotals, PairCount,
    PairTally, PeopleGroup, PeopleTally, Side, SkillCounts, SkillTally,
};
use futures_util::TryStreamExt;
use std::collections::HashSet;

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

/// A pair at risk as the summary names it: its members' display names (or none).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AtRiskRow {
    pub id: i64,
    pub junior_id: Option<String>,
    pub junior_name: Option<String>,
    pub senior_id: Option<String>,
    pub senior_name: Option<String>,
    pub created_at: i64,
    pub last_met_at: Option<i64>,
}

/// A report's period and the one it is compared with, each `[start, end)` in whole unix seconds (see [`secs`]).
pub type Windows = ((i64, i64), (i64, i64));

/// `t` as whole unix seconds, rounded up: for a time `x` stored in whole seconds, `x < t` exactly when
/// `x < secs(t)` and `x >= t` exactly when `x >= secs(t)`, so SQL compares as the in-memory counts do.
pub fn secs(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

/// SQL that counts, to [`MIN_PEOPLE`], the distinct people of the pairs (`pairs` table) where `filter` holds: a
/// member's ID (0), or a stand-in for a member who left, the junior (2) or the senior (3) side of a pair.
fn pair_people(filter: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM (SELECT 0 AS k, junior_id AS who FROM pairs WHERE {filter} AND junior_id IS NOT NULL
             UNION SELECT 2, CAST(id AS TEXT) FROM pairs WHERE {filter} AND junior_id IS NULL
             UNION SELECT 0, senior_id FROM pairs WHERE {filter} AND senior_id IS NOT NULL
             UNION SELECT 3, CAST(id AS TEXT) FROM pairs WHERE {filter} AND senior_id IS NULL
             LIMIT {MIN_PEOPLE}) AS people)"
    )
}

/// SQL columns that count the pairs where `filter` holds, and their people (see [`pair_people`]).
fn pair_count(filter: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(CASE WHEN {filter} THEN 1 ELSE 0 END), 0) AS BIGINT), {}",
        pair_people(filter)
    )
}

/// SQL columns that count the feedback on the pairs where `filter` holds (over `pairs p`, `feedback f`): given,
/// ratings summed (a rating out of range counts 0), would recommend, and the distinct people who gave it, to
/// [`MIN_PEOPLE`] (a user ID (0), or a stand-in for someone who left: the row (1)).
fn feedback_count(filter: &str) -> String {
    let from = format!("FROM feedback f JOIN pairs p ON p.id = f.pair_id WHERE {filter}");
    format!(
        "(SELECT COUNT(*) {from}),
         (SELECT CAST(COALESCE(SUM(CASE WHEN f.rating BETWEEN 0 AND 255 THEN f.rating ELSE 0 END), 0) AS BIGINT) {from}),
         (SELECT CAST(COALESCE(SUM(CASE WHEN f.recommend <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT) {from}),
         (SELECT COUNT(*) FROM (SELECT 0 AS k, f.user_id AS who {from} AND f.user_id IS NOT NULL
             UNION SELECT 1, CAST(f.rowid AS TEXT) {from} AND f.user_id IS NULL LIMIT {MIN_PEOPLE}) AS people)"
    )
}

impl Store {
    /// The people enrolled now, counted here for a report's `windows` rather than read row by row: grouped by role,
    /// years of practice and whether paused at `now`, each group put on a side by `side_of`. The same as
    /// [`PeopleTally::of`] counts from rows (tested equal).
    pub async fn people_tally(
        &self,
        ((start, end), (prev_start, prev_end)): Windows,
        now: i64,
        side_of: impl Fn(Role, u8) -> Side,
    ) -> Result<PeopleTally, StoreError> {
        type Row = (String, i64, i64, i64, i64, i64, i64, i64, Option<i64>);
        let rows: Vec<Row> = on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT role, years, paused_now, COUNT(*),
                        CAST(SUM(CASE WHEN joined_at < $2 THEN 1 ELSE 0 END) AS BIGINT),
                        CAST(SUM(CASE WHEN joined_at < $4 THEN 1 ELSE 0 END) AS BIGINT),
                        CAST(SUM(CASE WHEN joined_at >= $1 AND joined_at < $2 THEN 1 ELSE 0 END) AS BIGINT),
                        CAST(SUM(CASE WHEN joined_at >= $3 AND joined_at < $4 THEN 1 ELSE 0 END) AS BIGINT),
                        MIN(CASE WHEN joined_at < $2 THEN joined_at END)
                 FROM (SELECT role, years, joined_at,
                              CAST(CASE WHEN paused <> 0 AND (paused_until IS NULL OR paused_until > $5) THEN 1 ELSE 0
                                   END AS BIGINT) AS paused_now
                       FROM participants) AS people
                 GROUP BY role, years, paused_now",
            )
            .bind(start)
            .bind(end)
            .bind(prev_start)
            .bind(prev_end)
            .bind(now)
            .fetch_all(p)
            .await?
        });
        let bad =
            |what: &str| StoreError::Corrupt(format!("participants.{what} has an unknown value"));
        let mut groups = Vec::with_capacity(rows.len());
        for (
            role,
            years,
            paused,
            people,
            enrolled,
            enrolled_before,
            joined,
            joined_before,
            first,
        ) in rows
        {
            let role = parse_role(&role).ok_or_else(|| bad("role"))?;
            let years = u8::try_from(years).map_err(|_| bad("years"))?;
            groups.push(PeopleGroup {
                side: side_of(role, years),
                paused: paused != 0,
                people,
                enrolled: [enrolled, enrolled_before],
                joined: [joined, joined_before],
                first_joined: first.and_then(|t| chrono::DateTime::from_timestamp(t, 0)),
            });
        }
        Ok(PeopleTally::of_groups(groups))
    }

    /// The pairs and their closing feedback, counted here for a report's `windows` rather than read row by row:
    /// the same as [`PairTally::of`] counts from rows (tested equal).
    pub async fn pair_tally(
        &self,
        ((start, end), (prev_start, prev_end)): Windows,
    ) -> Result<PairTally, StoreError> {
        // Tandem's own numbers, as literals: each appears in several subqueries.
        let running = |t: i64| {
            format!(
                "(created_at < {t} AND CASE WHEN ended_at IS NOT NULL THEN ended_at >= {t}
                                          ELSE status IN ('active', 'at_risk') END)"
            )
        };
        let completed_in = |s: i64, e: i64| {
            format!("(status = 'completed' AND ended_at >= {s} AND ended_at < {e})")
        };
        let ended_in = |s: i64, e: i64| format!("(p.ended_at >= {s} AND p.ended_at < {e})");
        let sql = format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM pairs",
            pair_count(&running(end)),
            pair_count(&running(prev_end)),
            pair_count(&completed_in(start, end)),
            pair_count(&completed_in(prev_start, prev_end)),
            pair_count(&format!("(created_at < {end})")),
            pair_count(&format!(
                "(created_at < {end} AND status = 'completed' AND ended_at < {end})"
            )),
            feedback_count(&ended_in(start, end)),
            feedback_count(&ended_in(prev_start, prev_end)),
            feedback_count(&format!("(p.created_at < {end} AND p.ended_at < {end})")),
        );
        let values: Vec<i64> = on_db!(self.pool(), |p| {
            // Built from constants and whole numbers only.
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_one(p)
                .await?;
            let mut values = Vec::with_capacity(24);
            for i in 0..24 {
                values.push(sqlx::Row::try_get::<i64, _>(&row, i)?);
            }
            values
        });
        let few = |n: i64| usize::try_from(n).unwrap_or(0).min(MIN_PEOPLE);
        let pairs = |i: usize| PairCount {
            pairs: values[i],
            people: few(values[i + 1]),
        };
        let feedback = |i: usize| FeedbackCount {
            given: values[i],
            ratings: values[i + 1],
            recommend: values[i + 2],
            people: few(values[i + 3]),
        };
        Ok(PairTally {
            active: [pairs(0), pairs(2)],
            completed: [pairs(4), pairs(6)],
            formed: pairs(8),
            completed_to_date: pairs(10),
            feedback: [feedback(12), feedback(16)],
            feedback_to_date: feedback(20),
        })
    }

    /// The pairs at risk, oldest first, with their members' display names (what the summary lists).
    pub async fn at_risk_pairs(&self) -> Result<Vec<AtRiskRow>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT p.id, p.junior_id, j.display_name AS junior_name, p.senior_id, s.display_name AS senior_name,
                        p.created_at, p.last_met_at
                 FROM pairs p LEFT JOIN participants j ON j.user_id = p.junior_id
                 LEFT JOIN participants s ON s.user_id = p.senior_id
                 WHERE p.status = 'at_risk' ORDER BY p.id",
            )
            .fetch_all(p)
            .await?
        }))
    }

    /// Every check-in sent at or after `since` (unix seconds) with each of its answers (a check-in nobody answered
    /// appears once, without an answer). A report reads only the weeks it shows, not the program's whole history.
    pub async fn checkin_answer_rows(&self, since: i64) -> Result<Vec<AnswerRow>, StoreError> {
        let sql = "SELECT c.id AS checkin_id, c.pair_id, c.sent_at, a.answer, a.user_id, a.rowid AS answer_rowid, a.minutes, a.usefulness
             FROM checkins c LEFT JOIN checkin_answers a ON a.checkin_id = c.id WHERE c.sent_at >= $1
             ORDER BY c.sent_at, c.id, a.rowid";
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
        let sql = "SELECT pair_id, user_id, rowid, rating, recommend <> 0 AS recommend FROM feedback ORDER BY rowid";
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
        let feedback_sql = "SELECT user_id, rowid, rating, learned FROM feedback
             WHERE pair_id IN (SELECT id FROM pairs WHERE status IN ('completed', 'ended'))";
        let answers_sql = "SELECT a.user_id, a.rowid, a.usefulness, a.covered FROM checkin_answers a
             JOIN checkins c ON c.id = a.checkin_id
             WHERE a.answer = 'met' AND c.pair_id IN (SELECT id FROM pairs WHERE status IN ('completed', 'ended'))";
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

    /// The skills market of a big program, from one row per person rather than every participant read in full
    /// (equal to [`SkillCounts::of`] over the same data): per skill, the distinct participants not paused at `now`
    /// who want to learn it and who can teach it; and the pairs formed before `before` (active, at risk or
    /// completed, both people still enrolled) in which one teaches it and the other wants it, with those pairs'
    /// distinct people. Counted by [`SkillTally`] from each person's skills as two lists.
    pub async fn skill_counts(&self, now: i64, before: i64) -> Result<SkillCounts, StoreError> {
        // Each person's skills as two lists, one row per person.
        let lists = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT user_id,
                        group_concat(CASE direction WHEN 'teach' THEN skill END, ','),
                        group_concat(CASE direction WHEN 'learn' THEN skill END, ',')
                 FROM participant_skills GROUP BY user_id"
            }
            Dialect::Postgres => {
                "SELECT user_id,
                        string_agg(CASE direction WHEN 'teach' THEN skill END, ','),
                        string_agg(CASE direction WHEN 'learn' THEN skill END, ',')
                 FROM participant_skills GROUP BY user_id"
            }
        };
        let mut conn = self.acquire().await?;
        let (tally, pairs) = on_conn!(conn.conn(), |c| {
            let paused: HashSet<String> = sqlx::query_scalar(
                "SELECT user_id FROM participants WHERE paused <> 0 AND (paused_until IS NULL OR paused_until > $1)",
            )
            .bind(now)
            .fetch_all(&mut *c)
            .await?
            .into_iter()
            .collect();
            let mut tally = SkillTally::default();
            {
                // The table's key is (user, direction, skill): grouping by person reads it in order, with no sort.
                let mut rows = sqlx::query_as::<_, (String, Option<String>, Option<String>)>(lists)
                    .fetch(&mut *c);
                while let Some((user, teaches, learns)) = rows.try_next().await? {
                    fn list(s: Option<&str>) -> impl Iterator<Item = &str> {
                        s.unwrap_or_default().split(',').filter(|k| !k.is_empty())
                    }
                    let active = !paused.contains(&user);
                    tally.person(
                        &user,
                        list(teaches.as_deref()),
                        list(learns.as_deref()),
                        active,
                    );
                }
            }
            let pairs: Vec<(String, String)> = sqlx::query_as(
                "SELECT junior_id, senior_id FROM pairs
                 WHERE status IN ('active', 'at_risk', 'completed') AND created_at < $1
                   AND junior_id IS NOT NULL AND senior_id IS NOT NULL",
            )
            .bind(before)
            .fetch_all(&mut *c)
            .await?;
            (tally, pairs)
        });
        Ok(tally.counts(pairs.iter().map(|(j, s)| (j.as_str(), s.as_str()))))
    }

    /// What the check-ins sent in `[start, end)` (unix seconds) add up to, counted here rather than read row by row
    /// (a big firm's fortnight is tens of thousands of answers): the same figures [`CheckinTally::of`] counts from
    /// rows (tested equal). An answer counts when it is one Tandem knows ("met", "not yet", "need help"); a member of
    /// the pair without one counts as asked and not answering; someone who left counts as one person per answer
    /// (or per side of their pair). People are counted only to [`MIN_PEOPLE`].
    pub async fn checkin_tally(&self, start: i64, end: i64) -> Result<CheckinTally, StoreError> {
        // The check-ins of the period, their answers Tandem knows, the members who gave none, and the meetings.
        let known = CheckinAnswer::ALL
            .iter()
            .map(|a| format!("'{}'", a.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let with = format!(
            "WITH c AS (SELECT id, pair_id, sent_at FROM checkins WHERE sent_at >= $1 AND sent_at < $2),
             a AS (SELECT x.checkin_id, x.user_id, x.rowid AS rid, x.answer, x.minutes FROM checkin_answers x
                   JOIN c ON c.id = x.checkin_id WHERE x.answer IN ({known})),
             silent AS (SELECT c.id, m.who FROM c JOIN (SELECT id AS pair_id, junior_id AS who FROM pairs
                                                        UNION ALL SELECT id, senior_id FROM pairs) m
                          ON m.pair_id = c.pair_id
                        WHERE m.who IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM a WHERE a.checkin_id = c.id AND a.user_id = m.who)),
             met AS (SELECT c.pair_id, c.sent_at, a.user_id, a.rid,
                            CASE WHEN a.minutes BETWEEN 0 AND 4294967295 THEN a.minutes ELSE 0 END AS minutes
                     FROM a JOIN c ON c.id = a.checkin_id WHERE a.answer = 'met')"
        );
        // One statement, so that the check-ins and answers of the period are read once. Distinct people are
        // (kind, ID): a user ID (0), or a stand-in for someone who left: an answer's row (1), the junior (2) or
        // senior (3) side of a pair.
        let tally = format!(
            "{with},
             mp AS (SELECT DISTINCT met.pair_id, p.id AS known, p.junior_id, p.senior_id, met.user_id, met.rid
                    FROM met LEFT JOIN pairs p ON p.id = met.pair_id)
             SELECT (SELECT COUNT(*) FROM a), (SELECT COUNT(*) FROM silent),
                    (SELECT COUNT(*) FROM (SELECT DISTINCT pair_id, sent_at FROM met) AS meetings),
                    (SELECT CAST(COALESCE(SUM(longest), 0) AS BIGINT) FROM
                        (SELECT MAX(minutes) AS longest FROM met GROUP BY pair_id, sent_at) AS meetings),
                    (SELECT COUNT(*) FROM (SELECT 0 AS k, user_id AS who FROM a WHERE user_id IS NOT NULL
                        UNION SELECT 1, CAST(rid AS TEXT) FROM a WHERE user_id IS NULL
                        UNION SELECT 0, who FROM silent LIMIT {MIN_PEOPLE}) AS people),
                    (SELECT COUNT(*) FROM (SELECT 0 AS k, junior_id AS who FROM mp WHERE known IS NOT NULL AND junior_id IS NOT NULL
                        UNION SELECT 2, CAST(pair_id AS TEXT) FROM mp WHERE known IS NOT NULL AND junior_id IS NULL
                        UNION SELECT 0, senior_id FROM mp WHERE known IS NOT NULL AND senior_id IS NOT NULL
                        UNION SELECT 3, CAST(pair_id AS TEXT) FROM mp WHERE known IS NOT NULL AND senior_id IS NULL
                        UNION SELECT 0, user_id FROM mp WHERE known IS NULL AND user_id IS NOT NULL
                        UNION SELECT 1, CAST(rid AS TEXT) FROM mp WHERE known IS NULL AND user_id IS NULL
                        LIMIT {MIN_PEOPLE}) AS people),
                    (SELECT COUNT(*) FROM (SELECT 0 AS k, user_id AS who FROM met WHERE user_id IS NOT NULL
                        UNION SELECT 1, CAST(rid AS TEXT) FROM met WHERE user_id IS NULL LIMIT {MIN_PEOPLE}) AS people)"
        );
        type Row = (i64, i64, i64, i64, i64, i64, i64);
        let (answered, silent, meetings, minutes, asked_people, meeting_people, loggers): Row =
            on_db!(self.pool(), |p| {
                // Built from constants only (the answers Tandem knows and MIN_PEOPLE); the period is bound.
                sqlx::query_as(sqlx::AssertSqlSafe(tally.as_str()))
                    .bind(start)
                    .bind(end)
                    .fetch_one(p)
                    .await?
            });
        let few = |n: i64| usize::try_from(n).unwrap_or(0).min(MIN_PEOPLE);
        Ok(CheckinTally {
            asked: answered + silent,
            answered,
            asked_people: few(asked_people),
            meetings,
            meeting_people: few(meeting_people),
            minutes,
            loggers: few(loggers),
        })
    }

    /// The weekly chart's counts, counted here rather than from rows: the `weeks` seven-day windows ending at `end`
    /// (unix seconds), oldest first, each with its meetings (pairs that said "we met" at a check-in sent in it) and
    /// the pairs running at its end; and the distinct people behind them all, to [`MIN_PEOPLE`]. The same as
    /// `reports::weekly_points` draws from rows (tested equal).
    pub async fn chart_counts(&self, end: i64, weeks: usize) -> Result<ChartCounts, StoreError> {
        const WEEK: i64 = 7 * 86_400;
        let weeks = i64::try_from(weeks).unwrap_or(0).clamp(0, 520);
        let start = end - weeks * WEEK;
        // Week k's end, as a literal: the numbers are Tandem's own.
        let ends: Vec<i64> = (1..=weeks).map(|k| start + k * WEEK).collect();
        let running = |t: i64| {
            format!(
                "(created_at < {t} AND CASE WHEN ended_at IS NOT NULL THEN ended_at >= {t}
                                          ELSE status IN ('active', 'at_risk') END)"
            )
        };
        let active = format!(
            "SELECT {} FROM pairs",
            ends.iter()
                .map(|t| format!(
                    "CAST(COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS BIGINT)",
                    running(*t)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let met = "SELECT DISTINCT c.pair_id, c.sent_at FROM checkins c JOIN checkin_answers a ON a.checkin_id = c.id
                   WHERE a.answer = 'met' AND c.sent_at >= $1 AND c.sent_at < $2";
        let meetings = format!(
            "SELECT CAST((sent_at - $1) / {WEEK} AS BIGINT) AS w, COUNT(*) FROM ({met}) AS m GROUP BY w"
        );
        let any_running = if ends.is_empty() {
            "0 = 1".to_string()
        } else {
            ends.iter()
                .map(|t| running(*t))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        // Distinct people, as (kind, ID): a user ID (0), someone who left: an answer's row (1), the junior (2) or
        // senior (3) side of a pair.
        let people = format!(
            "WITH p AS (SELECT id, junior_id, senior_id FROM pairs WHERE {any_running}
                        UNION SELECT id, junior_id, senior_id FROM pairs WHERE id IN (SELECT pair_id FROM ({met}) AS m)),
                  lost AS (SELECT a.user_id, a.rowid AS rid FROM checkins c JOIN checkin_answers a ON a.checkin_id = c.id
                           WHERE a.answer = 'met' AND c.sent_at >= $1 AND c.sent_at < $2
                             AND NOT EXISTS (SELECT 1 FROM pairs q WHERE q.id = c.pair_id))
             SELECT COUNT(*) FROM (SELECT 0 AS k, junior_id AS who FROM p WHERE junior_id IS NOT NULL
                 UNION SELECT 2, CAST(id AS TEXT) FROM p WHERE junior_id IS NULL
                 UNION SELECT 0, senior_id FROM p WHERE senior_id IS NOT NULL
                 UNION SELECT 3, CAST(id AS TEXT) FROM p WHERE senior_id IS NULL
                 UNION SELECT 0, user_id FROM lost WHERE user_id IS NOT NULL
                 UNION SELECT 1, CAST(rid AS TEXT) FROM lost WHERE user_id IS NULL
                 LIMIT {MIN_PEOPLE}) AS people"
        );
        let mut conn = self.acquire().await?;
        // Built from constants and Tandem's own numbers only; the window is bound.
        let (active, held, people): (Vec<i64>, Vec<(i64, i64)>, i64) = on_conn!(conn.conn(), |c| {
            let active = if ends.is_empty() {
                Vec::new()
            } else {
                let row = sqlx::query(sqlx::AssertSqlSafe(active.as_str()))
                    .fetch_one(&mut *c)
                    .await?;
                let mut counts = Vec::with_capacity(ends.len());
                for i in 0..ends.len() {
                    counts.push(sqlx::Row::try_get::<i64, _>(&row, i)?);
                }
                counts
            };
            let held = sqlx::query_as(sqlx::AssertSqlSafe(meetings.as_str()))
                .bind(start)
                .bind(end)
                .fetch_all(&mut *c)
                .await?;
            let people = sqlx::query_scalar(sqlx::AssertSqlSafe(people.as_str()))
                .bind(start)
                .bind(end)
                .fetch_one(&mut *c)
                .await?;
            (active, held, people)
        });
        let mut weeks: Vec<ChartWeek> = active
            .into_iter()
            .map(|n| ChartWeek {
                meetings: 0,
                active_pairs: u32::try_from(n).unwrap_or(u32::MAX),
            })
            .collect();
        for (w, n) in held {
            if let Some(week) = usize::try_from(w).ok().and_then(|w| weeks.get_mut(w)) {
                week.meetings = u32::try_from(n).unwrap_or(u32::MAX);
            }
        }
        Ok(ChartCounts {
            weeks,
            people: usize::try_from(people).unwrap_or(0).min(MIN_PEOPLE),
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
