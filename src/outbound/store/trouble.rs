//! Pairs in trouble: private help requests, the nudges of an at-risk episode, and the few facts the admins' alert
//! shows (meetings so far).

use super::pairs::{CheckinOutcome, PairRecord, current_pairs_of_on};
use super::{Conn, Store, StoreError, Tx};
use crate::domain::forms::help::HelpRequest;

/// A help request as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HelpRecord {
    pub id: i64,
    pub pair_id: i64,
    pub checkin_id: i64,
    /// Who asked (`None` once they left).
    pub user_id: Option<String>,
    pub text: Option<String>,
    pub may_tell: bool,
    pub at: i64,
}

/// How far a pair's current at-risk episode has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct NudgeState {
    /// Nudges queued in this episode (0, 1 or 2).
    pub nudges: i64,
    /// When the last one was queued.
    pub nudged_at: Option<i64>,
}

async fn meetings_on(c: Conn<'_>, pair_id: i64) -> Result<i64, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(DISTINCT a.checkin_id) FROM checkin_answers a JOIN checkins c ON c.id = a.checkin_id
             WHERE c.pair_id = $1 AND a.answer = 'met'",
        )
        .bind(pair_id)
        .fetch_one(c)
        .await?
    }))
}

/// Every column of a help request, `may_tell` (0 or 1) read as a boolean.
macro_rules! select_help {
    ($rest:literal) => {
        concat!(
            "SELECT id, pair_id, checkin_id, user_id, text, may_tell <> 0 AS may_tell, at FROM help_requests ",
            $rest
        )
    };
}

impl Tx {
    /// Records `user_id`'s help request at check-in `checkin_id`. Returns its ID, or `None` when they had asked at
    /// this check-in already (no second effect).
    pub async fn record_help(
        &mut self,
        pair_id: i64,
        checkin_id: i64,
        user_id: &str,
        r: &HelpRequest,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_scalar(
                "INSERT INTO help_requests (pair_id, checkin_id, user_id, text, may_tell, at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (checkin_id, user_id) DO NOTHING RETURNING id",
            )
            .bind(pair_id)
            .bind(checkin_id)
            .bind(user_id)
            .bind(&r.text)
            .bind(i64::from(r.may_tell))
            .bind(now)
            .fetch_optional(c)
            .await?
        }))
    }

    pub async fn nudge_state(&mut self, pair_id: i64) -> Result<NudgeState, StoreError> {
        let state: Option<NudgeState> = on_conn!(self.conn(), |c| {
            sqlx::query_as("SELECT nudges, nudged_at FROM pairs WHERE id = $1")
                .bind(pair_id)
                .fetch_optional(c)
                .await?
        });
        Ok(state.unwrap_or_default())
    }

    /// Notes that the `nth` nudge of the pair's at-risk episode was queued at `now`.
    pub async fn note_nudge(&mut self, pair_id: i64, nth: i64, now: i64) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE pairs SET nudges = $1, nudged_at = $2 WHERE id = $3")
                .bind(nth)
                .bind(now)
                .bind(pair_id)
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// The pair's delivered check-ins sent after `after`, newest first (as [`Tx::recent_checkins`] reads them).
    pub async fn checkins_after(
        &mut self,
        pair_id: i64,
        after: i64,
    ) -> Result<Vec<CheckinOutcome>, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM checkin_answers a WHERE a.checkin_id = c.id AND a.answer = 'met') AS met,
                        EXISTS (SELECT 1 FROM checkin_answers a WHERE a.checkin_id = c.id) AS answered
                 FROM checkins c WHERE c.pair_id = $1 AND c.ts IS NOT NULL AND c.sent_at > $2
                 ORDER BY c.sent_at DESC, c.id DESC",
            )
            .bind(pair_id)
            .bind(after)
            .fetch_all(c)
            .await?
        }))
    }

    /// True when check-in job `job_id` created its check-in already (it is being run again).
    pub async fn job_sent_checkin(&mut self, job_id: i64) -> Result<bool, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM checkins WHERE job_id = $1)")
                .bind(job_id)
                .fetch_one(c)
                .await?
        }))
    }

    /// Every current pair of `user_id`, oldest first.
    pub async fn current_pairs_of(&mut self, user_id: &str) -> Result<Vec<PairRecord>, StoreError> {
        current_pairs_of_on(self.conn(), user_id).await
    }

    /// How many check-ins of the pair someone answered "we met".
    pub async fn meetings(&mut self, pair_id: i64) -> Result<i64, StoreError> {
        meetings_on(self.conn(), pair_id).await
    }
}

impl Store {
    pub async fn help_request(&self, id: i64) -> Result<Option<HelpRecord>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(select_help!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(p)
                .await?
        }))
    }

    /// True when `user_id` asked for help at check-in `checkin_id`.
    pub async fn asked_for_help(&self, checkin_id: i64, user_id: &str) -> Result<bool, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM help_requests WHERE checkin_id = $1 AND user_id = $2)",
            )
            .bind(checkin_id)
            .bind(user_id)
            .fetch_one(p)
            .await?
        }))
    }

    /// How many check-ins of the pair someone answered "we met".
    pub async fn meetings(&self, pair_id: i64) -> Result<i64, StoreError> {
        meetings_on(self.acquire().await?.conn(), pair_id).await
    }

    /// `user_id`'s own help requests, oldest first (for `/mentor mydata`).
    pub async fn help_requests_of(&self, user_id: &str) -> Result<Vec<HelpRecord>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(select_help!("WHERE user_id = $1 ORDER BY at, id"))
                .bind(user_id)
                .fetch_all(p)
                .await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbound::store::test_store as store;

    #[tokio::test]
    async fn a_help_request_is_recorded_once_per_person_and_check_in() {
        let (_d, s) = store().await;
        let pair = s.create_pair("UJ", "US", 10).await.unwrap();
        let c = in_tx!(s, checkin_for_job(7, pair, 10, 20)).await.unwrap();
        let r = HelpRequest {
            text: Some("We never found a time".into()),
            may_tell: false,
        };
        let id = in_tx!(s, record_help(pair, c.id, "UJ", &r, 30))
            .await
            .unwrap()
            .expect("recorded");
        assert_eq!(
            in_tx!(s, record_help(pair, c.id, "UJ", &r, 31))
                .await
                .unwrap(),
            None,
            "a second request at the same check-in has no effect"
        );
        assert!(s.asked_for_help(c.id, "UJ").await.unwrap());
        assert!(!s.asked_for_help(c.id, "US").await.unwrap());
        let h = s.help_request(id).await.unwrap().unwrap();
        assert_eq!(
            (
                h.pair_id,
                h.user_id.as_deref(),
                h.text.as_deref(),
                h.may_tell,
                h.at
            ),
            (pair, Some("UJ"), Some("We never found a time"), false, 30)
        );
        assert_eq!(s.help_requests_of("UJ").await.unwrap(), vec![h]);
        assert!(s.help_requests_of("US").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn nudges_are_counted_per_episode_and_reset_when_the_pair_meets() {
        let (_d, s) = store().await;
        let pair = s.create_pair("UJ", "US", 10).await.unwrap();
        assert_eq!(
            in_tx!(s, nudge_state(pair)).await.unwrap(),
            NudgeState::default()
        );
        assert!(in_tx!(s, set_pair_risk(pair, true)).await.unwrap());
        in_tx!(s, note_nudge(pair, 1, 50)).await.unwrap();
        assert_eq!(
            in_tx!(s, nudge_state(pair)).await.unwrap(),
            NudgeState {
                nudges: 1,
                nudged_at: Some(50)
            }
        );
        assert!(in_tx!(s, set_pair_risk(pair, false)).await.unwrap());
        assert_eq!(
            in_tx!(s, nudge_state(pair)).await.unwrap(),
            NudgeState::default(),
            "meeting again ends the episode"
        );
    }
}
