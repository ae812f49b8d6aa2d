//! Retention: what is deleted from pairs that ended long enough ago. See README's "Data protection" for the list.

use super::{StoreError, Tx};

/// What one retention pass deleted or anonymised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retained {
    /// Pairs whose personal data was removed in this pass.
    pub pairs: u64,
    pub plans: u64,
    pub answers: u64,
    pub feedback: u64,
    /// Audit log entries older than the cut-off.
    pub audit: u64,
    /// Invitations older than their cut-off ([`Tx::prune_invitations`], run by the retention flow).
    pub invitations: u64,
    /// Help requests from which who asked and what they wrote were removed.
    pub help: u64,
}

impl Tx {
    /// For every pair that ended before `cutoff` and still holds personal data: deletes its plan (the objective is
    /// free text), and removes from its check-in answers and feedback who gave them and what they wrote (`covered`,
    /// `learned`) and from its help requests who asked and what they wrote (`text`), so only anonymous counts remain (meetings, minutes, usefulness, ratings, would-recommend); clears
    /// the pair's explanation and end reason. The pair itself (who was paired with whom, for "no repeat pairs") and
    /// its check-in times stay. Audit log entries older than `cutoff` are deleted.
    pub async fn apply_retention(&mut self, cutoff: i64) -> Result<Retained, StoreError> {
        let expired =
            "SELECT id FROM pairs WHERE status IN ('completed', 'ended') AND ended_at < $1";
        let statements = [
            format!("DELETE FROM plans WHERE pair_id IN ({expired})"),
            format!(
                "UPDATE checkin_answers SET user_id = NULL, covered = NULL
                 WHERE (user_id IS NOT NULL OR covered IS NOT NULL)
                   AND checkin_id IN (SELECT id FROM checkins WHERE pair_id IN ({expired}))"
            ),
            format!(
                "UPDATE feedback SET user_id = NULL, learned = NULL
                 WHERE (user_id IS NOT NULL OR learned IS NOT NULL) AND pair_id IN ({expired})"
            ),
            format!(
                "UPDATE help_requests SET user_id = NULL, text = NULL
                 WHERE (user_id IS NOT NULL OR text IS NOT NULL) AND pair_id IN ({expired})"
            ),
            format!(
                "UPDATE pairs SET explanation = NULL, end_reason = NULL
                 WHERE (explanation IS NOT NULL OR end_reason IS NOT NULL) AND id IN ({expired})"
            ),
            "DELETE FROM audit_log WHERE at < $1".to_string(),
        ];
        let mut n = [0u64; 6];
        on_conn!(self.conn(), |c| {
            for (sql, n) in statements.into_iter().zip(n.iter_mut()) {
                *n = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(cutoff)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
            }
        });
        let [plans, answers, feedback, help, pairs, audit] = n;
        Ok(Retained {
            pairs,
            plans,
            answers,
            feedback,
            audit,
            invitations: 0,
            help,
        })
    }
}
