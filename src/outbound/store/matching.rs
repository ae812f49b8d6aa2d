//! What matching reads and writes: exclusions, capacity, pair history, proposals under review, approved pairs.

use super::{Conn, Dialect, Store, StoreError, Tx};
use crate::domain::model::{Exclusion, ProposalStatus};
use std::collections::BTreeMap;

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProposalRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub status: ProposalStatus,
    pub created_at: i64,
    pub channel: Option<String>,
    pub ts: Option<String>,
    /// The proposal as JSON while open; `{}` once decided.
    pub body: String,
    /// 1 when first computed; one more each time an admin removes a pair and the rest is re-matched.
    pub version: i64,
}

/// A pair to create on approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPair {
    pub junior_id: String,
    pub senior_id: String,
    pub score: i64,
    /// JSON `{"for_senior": …, "for_junior": …}`.
    pub explanation: String,
}

fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a < b { (a, b) } else { (b, a) }
}

impl Tx {
    /// Records that `a` and `b` must never be paired (`admin` added it). Returns `false` if it was already recorded.
    pub async fn add_exclusion(
        &mut self,
        a: &str,
        b: &str,
        admin: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (a, b) = ordered(a, b);
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(
                "INSERT INTO exclusions (user_a, user_b, created_at, added_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_a, user_b) DO NOTHING",
            )
            .bind(a)
            .bind(b)
            .bind(now)
            .bind(admin)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Removes the exclusion of `a` and `b`. Returns `false` if there was none.
    pub async fn remove_exclusion(&mut self, a: &str, b: &str) -> Result<bool, StoreError> {
        let (a, b) = ordered(a, b);
        let done = on_conn!(self.conn(), |c| {
            sqlx::query("DELETE FROM exclusions WHERE user_a = $1 AND user_b = $2")
                .bind(a)
                .bind(b)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Sets how many reverse mentors someone takes at once. Returns `false` when they are not enrolled.
    pub async fn set_capacity(&mut self, user_id: &str, capacity: u8) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE participants SET capacity = $1 WHERE user_id = $2")
                .bind(i64::from(capacity))
                .bind(user_id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }
}

impl Store {
    pub async fn exclusions(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as("SELECT user_a, user_b FROM exclusions ORDER BY user_a, user_b")
                .fetch_all(p)
                .await?
        }))
    }

    /// Every exclusion with who added it, oldest first. Who added it is recorded with it, else (an exclusion older
    /// than that column) taken from the latest `exclude` entry of the audit log naming the two, else unknown.
    pub async fn exclusions_listed(&self) -> Result<Vec<Exclusion>, StoreError> {
        let rows: Vec<(String, String, i64, Option<String>)> = on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT e.user_a, e.user_b, e.created_at,
                        COALESCE(e.added_by,
                                 (SELECT a.actor FROM audit_log a
                                  WHERE a.action = 'exclude'
                                    AND ((a.subject = e.user_a AND a.other = e.user_b)
                                      OR (a.subject = e.user_b AND a.other = e.user_a))
                                  ORDER BY a.id DESC LIMIT 1)) AS added_by
                 FROM exclusions e ORDER BY e.created_at, e.user_a, e.user_b",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(a, b, at, added_by)| Exclusion { a, b, at, added_by })
            .collect())
    }

    pub async fn set_display_name(&self, user_id: &str, name: &str) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE participants SET display_name = $1 WHERE user_id = $2")
                .bind(name)
                .bind(user_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Every pair ever made whose two people are still known (for "no repeat pairs").
    pub async fn pair_history(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as("SELECT junior_id, senior_id FROM pairs WHERE junior_id IS NOT NULL AND senior_id IS NOT NULL")
                .fetch_all(p)
                .await?
        }))
    }

    /// How many current (active or at-risk) pairs each person is in.
    pub async fn current_pair_counts(&self) -> Result<BTreeMap<String, u32>, StoreError> {
        let rows: Vec<(String, i64)> = on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT id, COUNT(*) AS n FROM (
                   SELECT junior_id AS id FROM pairs WHERE status IN ('active', 'at_risk') AND junior_id IS NOT NULL
                   UNION ALL
                   SELECT senior_id AS id FROM pairs WHERE status IN ('active', 'at_risk') AND senior_id IS NOT NULL
                 ) AS members GROUP BY id",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
            .collect())
    }

    pub async fn set_proposal_message(
        &self,
        id: i64,
        channel: &str,
        ts: &str,
    ) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE proposals SET channel = $1, ts = $2 WHERE id = $3")
                .bind(channel)
                .bind(ts)
                .bind(id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Records one admin's review message of proposal `id` (a scheduled round's review goes to every admin).
    pub async fn add_proposal_review(
        &self,
        id: i64,
        channel: &str,
        ts: &str,
    ) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query(
                "INSERT INTO proposal_reviews (proposal_id, channel, ts) VALUES ($1, $2, $3)
                 ON CONFLICT (proposal_id, channel) DO NOTHING",
            )
            .bind(id)
            .bind(channel)
            .bind(ts)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Every review message of proposal `id`, `(channel, ts)`: the one on the proposal and those of each admin.
    pub async fn proposal_reviews(&self, id: i64) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT channel, ts FROM proposals WHERE id = $1 AND channel IS NOT NULL AND ts IS NOT NULL
                 UNION
                 SELECT channel, ts FROM proposal_reviews WHERE proposal_id = $1
                 ORDER BY 1, 2",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        }))
    }
}

impl Tx {
    /// Starts a proposal (status `computing`). Returns `None` when another proposal is computing or open: the unique
    /// index `proposals_one_open` decides, on either engine, and `ON CONFLICT DO NOTHING` keeps the transaction
    /// usable (a failed statement would abort a PostgreSQL transaction, and the caller goes on to write in it).
    pub async fn begin_proposal(&mut self, now: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_scalar(
                "INSERT INTO proposals (status, created_at) VALUES ('computing', $1)
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(now)
            .fetch_optional(c)
            .await?
        }))
    }

    /// Stores a computed proposal's body and opens it for review. Returns `false` if it was not computing (decided
    /// or reset meanwhile).
    pub async fn open_proposal(&mut self, id: i64, body: &str) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(
                "UPDATE proposals SET status = 'open', body = $1 WHERE id = $2 AND status = 'computing'",
            )
            .bind(body)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Sends version `version` of an open proposal back to be computed again as the next version, with `body`
    /// (what it keeps meanwhile: the pairs removed so far). Returns `false` if that version is not the one open.
    pub async fn rematch_proposal(
        &mut self,
        id: i64,
        version: i64,
        body: &str,
    ) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(
                "UPDATE proposals SET status = 'computing', version = version + 1, body = $1
                 WHERE id = $2 AND status = 'open' AND version = $3",
            )
            .bind(body)
            .bind(id)
            .bind(version)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Closes an open proposal as `discarded` or `stale`. Returns `false` if it was not open (a second press).
    pub async fn close_proposal(
        &mut self,
        id: i64,
        status: ProposalStatus,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE proposals SET status = $1, decided_at = $2, body = '{}' WHERE id = $3 AND status = 'open'")
                .bind(status.as_str())
                .bind(now)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Approves version `version` of an open proposal and creates its pairs, atomically. Returns the new pair IDs,
    /// or `None` if that version is not the one open (already decided: a second press has no effect; or a pair
    /// was removed since and the rest re-matched).
    pub async fn approve_proposal(
        &mut self,
        id: i64,
        version: i64,
        pairs: &[NewPair],
        now: i64,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        if let Conn::Postgres(c) = self.conn() {
            // The people about to be paired are locked first, as leaving locks its leaver first: someone leaving at
            // this moment either finishes before (and made the proposal stale, so nothing is approved) or waits and
            // then ends the new pair, as on SQLite, where the two cannot overlap at all.
            let people: Vec<&str> = pairs
                .iter()
                .flat_map(|p| [p.junior_id.as_str(), p.senior_id.as_str()])
                .collect();
            sqlx::query("SELECT user_id FROM participants WHERE user_id = ANY($1) ORDER BY user_id FOR UPDATE")
                .bind(people)
                .fetch_all(c)
                .await?;
        }
        on_conn!(self.conn(), |c| {
            let done = sqlx::query("UPDATE proposals SET status = 'approved', decided_at = $1, body = '{}' WHERE id = $2 AND status = 'open' AND version = $3")
                .bind(now)
                .bind(id)
                .bind(version)
                .execute(&mut *c)
                .await?;
            if done.rows_affected() != 1 {
                return Ok(None);
            }
            let mut ids = Vec::with_capacity(pairs.len());
            for p in pairs {
                let pair_id: i64 = sqlx::query_scalar(
                    "INSERT INTO pairs (junior_id, senior_id, status, created_at, proposal_id, score, explanation)
                     VALUES ($1, $2, 'active', $3, $4, $5, $6) RETURNING id",
                )
                .bind(&p.junior_id)
                .bind(&p.senior_id)
                .bind(now)
                .bind(id)
                .bind(p.score)
                .bind(&p.explanation)
                .fetch_one(&mut *c)
                .await?;
                ids.push(pair_id);
            }
            Ok(Some(ids))
        })
    }

    /// Forgets a proposal that could not be computed or shown.
    pub async fn drop_proposal(&mut self, id: i64) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            sqlx::query("DELETE FROM proposals WHERE id = $1 AND status IN ('computing', 'open')")
                .bind(id)
                .execute(c)
                .await?;
        });
        Ok(())
    }
}

pub(super) async fn proposal_on(c: Conn<'_>, id: i64) -> Result<Option<ProposalRow>, StoreError> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as("SELECT * FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

impl Store {
    pub async fn proposal(&self, id: i64) -> Result<Option<ProposalRow>, StoreError> {
        proposal_on(self.acquire().await?.conn(), id).await
    }
}

impl Tx {
    pub async fn proposal(&mut self, id: i64) -> Result<Option<ProposalRow>, StoreError> {
        proposal_on(self.conn(), id).await
    }
}

impl Tx {
    /// The proposal being computed or under review, if any.
    pub async fn pending_proposal(&mut self) -> Result<Option<ProposalRow>, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_as("SELECT * FROM proposals WHERE status IN ('computing', 'open')")
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Tx {
    /// Proposals a crash left behind: computing, or open without a review message, with no compute job waiting or
    /// running for them.
    pub async fn stuck_proposals(&mut self) -> Result<Vec<ProposalRow>, StoreError> {
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT * FROM proposals p
                 WHERE (p.status = 'computing' OR (p.status = 'open' AND p.ts IS NULL))
                   AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'compute_round' AND j.state IN ('pending', 'running')
                                   AND json_extract(j.payload, '$.proposal_id') = p.id)"
            }
            Dialect::Postgres => {
                "SELECT * FROM proposals p
                 WHERE (p.status = 'computing' OR (p.status = 'open' AND p.ts IS NULL))
                   AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'compute_round' AND j.state IN ('pending', 'running')
                                   AND CAST(CAST(j.payload AS jsonb) ->> 'proposal_id' AS BIGINT) = p.id)"
            }
        };
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_as(sql).fetch_all(c).await?
        }))
    }

    /// Closes a computing or open proposal as `status` (a reset). Returns `false` if it was decided meanwhile.
    pub async fn abandon_proposal(
        &mut self,
        id: i64,
        status: ProposalStatus,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query("UPDATE proposals SET status = $1, decided_at = $2, body = '{}' WHERE id = $3 AND status IN ('computing', 'open')")
                .bind(status.as_str())
                .bind(now)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Current pairs with both members that were never introduced and have no introduction job (in any state but
    /// cancelled): approved, then lost before their introduction was queued.
    pub async fn unintroduced_pairs(&mut self) -> Result<Vec<i64>, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query_scalar(
                "SELECT id FROM pairs p
                 WHERE p.status IN ('active', 'at_risk') AND p.channel IS NULL
                   AND p.junior_id IS NOT NULL AND p.senior_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.pair_id = p.id AND j.kind = 'intro' AND j.state != 'cancelled')
                 ORDER BY id",
            )
            .fetch_all(c)
            .await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_rounds_begun_at_once_leave_one_open_proposal() {
        let (_d, s) = crate::outbound::store::test_store().await;
        let mut first = s.write().await.unwrap();
        let a = first.begin_proposal(0).await.unwrap();
        assert!(a.is_some());
        // Another replica begins a round while the first transaction is still open: it waits for it (SQLite's write
        // lock, PostgreSQL's unique index), then finds a proposal open.
        let other = {
            let s = s.clone();
            tokio::spawn(async move {
                let mut tx = s.write().await.unwrap();
                let b = tx.begin_proposal(1).await.unwrap();
                tx.commit().await.unwrap();
                b
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        first.commit().await.unwrap();
        assert_eq!(
            other.await.unwrap(),
            None,
            "one open proposal, whoever asked"
        );
    }

    use crate::outbound::store::test_store as store;

    #[tokio::test]
    async fn one_proposal_at_a_time_and_a_decision_is_final() {
        let (_d, s) = store().await;
        let id = in_tx!(s, begin_proposal(1)).await.unwrap().unwrap();
        assert_eq!(
            in_tx!(s, begin_proposal(2)).await.unwrap(),
            None,
            "computing blocks a second"
        );
        in_tx!(s, open_proposal(id, r#"{"pairs":[]}"#))
            .await
            .unwrap();
        assert_eq!(
            in_tx!(s, begin_proposal(3)).await.unwrap(),
            None,
            "open blocks a second"
        );
        let pairs = vec![NewPair {
            junior_id: "UJ".into(),
            senior_id: "US".into(),
            score: 42,
            explanation: "{}".into(),
        }];
        assert_eq!(
            in_tx!(s, approve_proposal(id, 2, &pairs, 4)).await.unwrap(),
            None,
            "only the version that is open"
        );
        assert_eq!(
            in_tx!(s, approve_proposal(id, 1, &pairs, 4))
                .await
                .unwrap()
                .map(|v| v.len()),
            Some(1)
        );
        assert_eq!(
            in_tx!(s, approve_proposal(id, 1, &pairs, 5)).await.unwrap(),
            None,
            "a second press creates nothing"
        );
        assert!(
            !in_tx!(
                s,
                close_proposal(id, crate::domain::model::ProposalStatus::Discarded, 6)
            )
            .await
            .unwrap()
        );
        assert_eq!(s.proposal(id).await.unwrap().unwrap().body, "{}");
        assert_eq!(
            s.pair_history().await.unwrap(),
            vec![("UJ".to_string(), "US".to_string())]
        );
        assert_eq!(s.current_pair_counts().await.unwrap().get("US"), Some(&1));
        assert!(
            in_tx!(s, begin_proposal(7)).await.unwrap().is_some(),
            "a new round after a decision"
        );
    }

    #[tokio::test]
    async fn pairs_read_once_give_what_the_round_queries_count() {
        let (_d, s) = store().await;
        let a = s.create_pair("UA", "US", 1).await.unwrap();
        s.create_pair("UB", "US", 2).await.unwrap();
        let c = s.create_pair("UC", "UT", 3).await.unwrap();
        s.create_pair("UD", "UT", 4).await.unwrap();
        on_db!(s.pool(), |p| {
            sqlx::query("UPDATE pairs SET status = 'ended', ended_at = 5 WHERE id = $1")
                .bind(a)
                .execute(p)
                .await
                .unwrap();
            sqlx::query("UPDATE pairs SET junior_id = NULL, status = 'at_risk' WHERE id = $1")
                .bind(c)
                .execute(p)
                .await
                .unwrap();
        });
        let pairs = s.pairs().await.unwrap();
        let (counts, mut history) = crate::domain::rounds::pair_state(
            pairs
                .iter()
                .map(|p| (p.junior_id.as_deref(), p.senior_id.as_deref(), p.status)),
        );
        let mut stored = s.pair_history().await.unwrap();
        history.sort();
        stored.sort();
        assert_eq!(history, stored);
        assert_eq!(counts, s.current_pair_counts().await.unwrap());
        assert_eq!(counts.get("UT"), Some(&2), "an at-risk pair is current");
        assert_eq!(counts.get("UA"), None, "an ended pair is not");
    }

    #[tokio::test]
    async fn a_rematch_makes_the_next_version_and_only_that_one_can_be_approved() {
        let (_d, s) = store().await;
        let id = in_tx!(s, begin_proposal(1)).await.unwrap().unwrap();
        assert!(
            !in_tx!(s, rematch_proposal(id, 1, "{}")).await.unwrap(),
            "not open yet"
        );
        assert!(in_tx!(s, open_proposal(id, r#"{"v":1}"#)).await.unwrap());
        assert!(
            in_tx!(s, rematch_proposal(id, 1, r#"{"removed":[]}"#))
                .await
                .unwrap()
        );
        let row = s.proposal(id).await.unwrap().unwrap();
        assert_eq!(
            (row.status, row.version, row.body.as_str()),
            (ProposalStatus::Computing, 2, r#"{"removed":[]}"#)
        );
        assert!(
            !in_tx!(s, rematch_proposal(id, 1, "{}")).await.unwrap(),
            "a second press on version 1 does nothing"
        );
        assert!(in_tx!(s, open_proposal(id, r#"{"v":2}"#)).await.unwrap());
        assert!(
            !in_tx!(s, open_proposal(id, r#"{"v":3}"#)).await.unwrap(),
            "open already"
        );
        assert_eq!(
            in_tx!(s, approve_proposal(id, 1, &[], 2)).await.unwrap(),
            None
        );
        assert_eq!(
            in_tx!(s, approve_proposal(id, 2, &[], 2)).await.unwrap(),
            Some(vec![])
        );
    }

    #[tokio::test]
    async fn exclusions_are_unordered_and_unique() {
        let (_d, s) = store().await;
        assert!(
            in_tx!(s, add_exclusion("UB", "UA", "UADMIN", 1))
                .await
                .unwrap()
        );
        assert!(
            !in_tx!(s, add_exclusion("UA", "UB", "UOTHER", 2))
                .await
                .unwrap()
        );
        assert_eq!(
            s.exclusions().await.unwrap(),
            vec![("UA".to_string(), "UB".to_string())]
        );
        assert_eq!(
            s.exclusions_listed().await.unwrap(),
            vec![Exclusion {
                a: "UA".into(),
                b: "UB".into(),
                at: 1,
                added_by: Some("UADMIN".into())
            }],
            "the first admin who added it"
        );
        assert!(in_tx!(s, remove_exclusion("UA", "UB")).await.unwrap());
        assert!(!in_tx!(s, remove_exclusion("UB", "UA")).await.unwrap());
        assert!(s.exclusions().await.unwrap().is_empty());
    }
}
