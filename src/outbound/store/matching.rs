//! What matching reads and writes: exclusions, capacity, pair history, proposals under review, approved pairs.

use super::{Store, StoreError};
use sqlx::Row;
use std::collections::BTreeMap;

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRow {
    pub id: i64,
    pub status: String,
    pub created_at: i64,
    pub channel: Option<String>,
    pub ts: Option<String>,
    /// The proposal as JSON while open; `{}` once decided.
    pub body: String,
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

fn proposal_row(r: &sqlx::sqlite::SqliteRow) -> Result<ProposalRow, sqlx::Error> {
    Ok(ProposalRow {
        id: r.try_get("id")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        channel: r.try_get("channel")?,
        ts: r.try_get("ts")?,
        body: r.try_get("body")?,
    })
}

impl Store {
    /// Records that `a` and `b` must never be paired. Returns `false` if it was already recorded.
    pub async fn add_exclusion(&self, a: &str, b: &str, now: i64) -> Result<bool, StoreError> {
        let (a, b) = ordered(a, b);
        let done = sqlx::query(
            "INSERT OR IGNORE INTO exclusions (user_a, user_b, created_at) VALUES (?, ?, ?)",
        )
        .bind(a)
        .bind(b)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn exclusions(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT user_a, user_b FROM exclusions ORDER BY user_a, user_b")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("user_a")?, r.try_get("user_b")?)))
            .collect()
    }

    /// Sets how many reverse mentors someone takes at once. Returns `false` when they are not enrolled.
    pub async fn set_capacity(&self, user_id: &str, capacity: u8) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE participants SET capacity = ? WHERE user_id = ?")
            .bind(i64::from(capacity))
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_display_name(&self, user_id: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE participants SET display_name = ? WHERE user_id = ?")
            .bind(name)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Every pair ever made whose two people are still known (for "no repeat pairs").
    pub async fn pair_history(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT junior_id, senior_id FROM pairs WHERE junior_id IS NOT NULL AND senior_id IS NOT NULL")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("junior_id")?, r.try_get("senior_id")?)))
            .collect()
    }

    /// How many current (active or at-risk) pairs each person is in.
    pub async fn current_pair_counts(&self) -> Result<BTreeMap<String, u32>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, COUNT(*) AS n FROM (
               SELECT junior_id AS id FROM pairs WHERE status IN ('active', 'at_risk') AND junior_id IS NOT NULL
               UNION ALL
               SELECT senior_id AS id FROM pairs WHERE status IN ('active', 'at_risk') AND senior_id IS NOT NULL
             ) GROUP BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("id")?,
                    u32::try_from(r.try_get::<i64, _>("n")?).unwrap_or(u32::MAX),
                ))
            })
            .collect()
    }

    /// Starts a proposal (status `computing`). Returns `None` when another proposal is computing or open.
    pub async fn begin_proposal(&self, now: i64) -> Result<Option<i64>, StoreError> {
        let r = sqlx::query_scalar(
            "INSERT INTO proposals (status, created_at) VALUES ('computing', ?) RETURNING id",
        )
        .bind(now)
        .fetch_one(self.pool())
        .await;
        match r {
            Ok(id) => Ok(Some(id)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a computed proposal's body and opens it for review.
    pub async fn open_proposal(&self, id: i64, body: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE proposals SET status = 'open', body = ? WHERE id = ? AND status = 'computing'",
        )
        .bind(body)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn set_proposal_message(
        &self,
        id: i64,
        channel: &str,
        ts: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE proposals SET channel = ?, ts = ? WHERE id = ?")
            .bind(channel)
            .bind(ts)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets a proposal that could not be computed or shown.
    pub async fn drop_proposal(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM proposals WHERE id = ? AND status IN ('computing', 'open')")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The proposal being computed or under review, if any.
    pub async fn pending_proposal(&self) -> Result<Option<ProposalRow>, StoreError> {
        let r = sqlx::query("SELECT * FROM proposals WHERE status IN ('computing', 'open')")
            .fetch_optional(self.pool())
            .await?;
        Ok(r.as_ref().map(proposal_row).transpose()?)
    }

    pub async fn proposal(&self, id: i64) -> Result<Option<ProposalRow>, StoreError> {
        let r = sqlx::query("SELECT * FROM proposals WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(r.as_ref().map(proposal_row).transpose()?)
    }

    /// Closes an open proposal as `discarded` or `stale`. Returns `false` if it was not open (a second press).
    pub async fn close_proposal(
        &self,
        id: i64,
        status: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE proposals SET status = ?, decided_at = ?, body = '{}' WHERE id = ? AND status = 'open'")
            .bind(status)
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Approves an open proposal and creates its pairs, atomically. Returns the new pair IDs, or `None` if the
    /// proposal was not open (already decided: a second press has no effect).
    pub async fn approve_proposal(
        &self,
        id: i64,
        pairs: &[NewPair],
        now: i64,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query("UPDATE proposals SET status = 'approved', decided_at = ?, body = '{}' WHERE id = ? AND status = 'open'")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(pairs.len());
        for p in pairs {
            let pair_id: i64 = sqlx::query_scalar(
                "INSERT INTO pairs (junior_id, senior_id, status, created_at, proposal_id, score, explanation)
                 VALUES (?, ?, 'active', ?, ?, ?, ?) RETURNING id",
            )
            .bind(&p.junior_id)
            .bind(&p.senior_id)
            .bind(now)
            .bind(id)
            .bind(p.score)
            .bind(&p.explanation)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(pair_id);
        }
        tx.commit().await?;
        Ok(Some(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn one_proposal_at_a_time_and_a_decision_is_final() {
        let (_d, s) = store().await;
        let id = s.begin_proposal(1).await.unwrap().unwrap();
        assert_eq!(
            s.begin_proposal(2).await.unwrap(),
            None,
            "computing blocks a second"
        );
        s.open_proposal(id, r#"{"pairs":[]}"#).await.unwrap();
        assert_eq!(
            s.begin_proposal(3).await.unwrap(),
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
            s.approve_proposal(id, &pairs, 4)
                .await
                .unwrap()
                .map(|v| v.len()),
            Some(1)
        );
        assert_eq!(
            s.approve_proposal(id, &pairs, 5).await.unwrap(),
            None,
            "a second press creates nothing"
        );
        assert!(!s.close_proposal(id, "discarded", 6).await.unwrap());
        assert_eq!(s.proposal(id).await.unwrap().unwrap().body, "{}");
        assert_eq!(
            s.pair_history().await.unwrap(),
            vec![("UJ".to_string(), "US".to_string())]
        );
        assert_eq!(s.current_pair_counts().await.unwrap().get("US"), Some(&1));
        assert!(
            s.begin_proposal(7).await.unwrap().is_some(),
            "a new round after a decision"
        );
    }

    #[tokio::test]
    async fn exclusions_are_unordered_and_unique() {
        let (_d, s) = store().await;
        assert!(s.add_exclusion("UB", "UA", 1).await.unwrap());
        assert!(!s.add_exclusion("UA", "UB", 2).await.unwrap());
        assert_eq!(
            s.exclusions().await.unwrap(),
            vec![("UA".to_string(), "UB".to_string())]
        );
    }
}
