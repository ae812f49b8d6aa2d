//! Who is waiting for a match, and why: the reason codes the last approved round gave (`waiting_reasons`), kept so
//! that a report counts the people waiting without running the matcher.

use super::{Store, StoreError, Tx};

/// Someone enrolled, not paused, and in no running pair, with the reason code the last approved round gave for
/// leaving them out (`None`: no round has left them out since they joined or since their last pair).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WaitingRow {
    pub user_id: String,
    pub reason: Option<String>,
}

impl Tx {
    /// Records what approved round `proposal_id` decided for the people it considered: everyone in `considered`
    /// loses their old reason, then each of `left_out` (user ID, reason code) gets this round's.
    pub async fn record_waiting_reasons(
        &mut self,
        proposal_id: i64,
        considered: &[&str],
        left_out: &[(&str, &str)],
        now: i64,
    ) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            for user in considered {
                sqlx::query("DELETE FROM waiting_reasons WHERE user_id = $1")
                    .bind(*user)
                    .execute(&mut *c)
                    .await?;
            }
            for (user, reason) in left_out {
                // Only enrolled people: someone who left while the proposal was open has no row to hang it on.
                sqlx::query(
                    "INSERT INTO waiting_reasons (user_id, reason, proposal_id, recorded_at)
                     SELECT user_id, $2, $3, $4 FROM participants WHERE user_id = $1",
                )
                .bind(*user)
                .bind(*reason)
                .bind(proposal_id)
                .bind(now)
                .execute(&mut *c)
                .await?;
            }
        });
        Ok(())
    }
}

impl Store {
    /// The reason code the last approved round gave for leaving `user_id` out, if it did (for `/mentor mydata`).
    pub async fn waiting_reason_of(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_scalar("SELECT reason FROM waiting_reasons WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Everyone waiting for a match at `now`: enrolled, not paused, in no active or at-risk pair; with the reason
    /// code the last round gave them, if it left them out. Ordered by user ID.
    pub async fn waiting(&self, now: i64) -> Result<Vec<WaitingRow>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT p.user_id, w.reason FROM participants p
                 LEFT JOIN waiting_reasons w ON w.user_id = p.user_id
                 WHERE NOT (p.paused <> 0 AND (p.paused_until IS NULL OR p.paused_until > $1))
                   AND NOT EXISTS (SELECT 1 FROM pairs WHERE junior_id = p.user_id AND status IN ('active', 'at_risk'))
                   AND NOT EXISTS (SELECT 1 FROM pairs WHERE senior_id = p.user_id AND status IN ('active', 'at_risk'))
                 ORDER BY p.user_id",
            )
            .bind(now)
            .fetch_all(p)
            .await?
        }))
    }
}
