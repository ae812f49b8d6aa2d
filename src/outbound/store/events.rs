//! Handled Slack event IDs: the durable record behind at-most-once effects.

use super::{Store, StoreError, Tx};

/// How long an event ID is remembered. Slack retries for about five minutes; a day is ample.
pub const EVENT_MEMORY_SECS: i64 = 24 * 60 * 60;

/// Records an event ID unless it is recorded already (the primary key decides, on either engine).
const CLAIM_EVENT: &str = "INSERT INTO handled_events (event_id, received_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING";

impl Store {
    /// Records `event_id` as handled. Returns `true` the first time, `false` when it was already recorded.
    pub async fn claim_event(&self, event_id: &str, now_unix: i64) -> Result<bool, StoreError> {
        let done = on_db!(self.pool(), |p| {
            sqlx::query(CLAIM_EVENT)
                .bind(event_id)
                .bind(now_unix)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Forgets event IDs older than a day; returns how many were removed.
    pub async fn prune_events(&self, now_unix: i64) -> Result<u64, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query("DELETE FROM handled_events WHERE received_at < $1")
                .bind(now_unix - EVENT_MEMORY_SECS)
                .execute(p)
                .await?
                .rows_affected()
        }))
    }
}

impl Tx {
    /// [`Store::claim_event`] inside a write transaction, so the record and the event's effect commit together.
    pub async fn claim_event(&mut self, event_id: &str, now_unix: i64) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(CLAIM_EVENT)
                .bind(event_id)
                .bind(now_unix)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::outbound::store::testing::TestDb;

    async fn store() -> (TestDb, String, Store) {
        let (db, url) = TestDb::new().await;
        let store = Store::open(&url).await.unwrap();
        store.migrate().await.unwrap();
        (db, url, store)
    }

    #[tokio::test]
    async fn an_event_is_claimed_once_and_forgotten_after_a_day() {
        let (_db, _url, store) = store().await;
        assert!(store.claim_event("Ev1", 1_000).await.unwrap());
        assert!(!store.claim_event("Ev1", 1_001).await.unwrap());
        assert!(
            store
                .claim_event("Ev2", 1_000 + EVENT_MEMORY_SECS)
                .await
                .unwrap()
        );
        // At exactly one day, Ev1 is still remembered; one second later it is pruned, Ev2 stays.
        assert_eq!(
            store.prune_events(1_000 + EVENT_MEMORY_SECS).await.unwrap(),
            0
        );
        assert_eq!(
            store.prune_events(1_001 + EVENT_MEMORY_SECS).await.unwrap(),
            1
        );
        assert!(
            !store
                .claim_event("Ev2", 2_000 + EVENT_MEMORY_SECS)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn migrate_is_idempotent_and_survives_reopen() {
        let (_db, url, store) = store().await;
        assert_eq!(store.migrate().await.unwrap(), 0);
        assert!(store.claim_event("Ev1", 1).await.unwrap());
        store.close().await;
        let again = Store::open(&url).await.unwrap();
        assert_eq!(again.migrate().await.unwrap(), 0);
        assert!(
            !again.claim_event("Ev1", 2).await.unwrap(),
            "the record is durable"
        );
        assert!(again.ping().await);
    }
}
