//! Invitations to opt in: one row per person (the latest invitation), so that nobody is invited twice within 30
//! days and the survey can be pre-filled with the supervisor an HR export named. An invitation enrols nobody.

use super::{Store, StoreError, Tx};
use crate::domain::invitations::Invitee;
use std::collections::BTreeSet;

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationRecord {
    pub user_id: String,
    /// Unix seconds.
    pub invited_at: i64,
    /// The admin's user ID, or `tandem invite` for the command line.
    pub invited_by: String,
    /// `#general`, `@lawyers` or the CSV file's name.
    pub source: String,
    pub reports_to: Option<String>,
    /// `queued`, `sent`, or `bot` / `deactivated` when Slack said so as the DM was about to go out.
    pub status: String,
    /// When Slack accepted the DM.
    pub sent_at: Option<i64>,
}

/// Everyone enrolled.
async fn enrolled_on(c: &mut sqlx::SqliteConnection) -> Result<BTreeSet<String>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT user_id FROM participants")
        .fetch_all(c)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Everyone invited at or after `since` (queued or sent).
async fn invited_since_on(
    c: &mut sqlx::SqliteConnection,
    since: i64,
) -> Result<BTreeSet<String>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM invitations WHERE invited_at >= ? AND status IN ('queued', 'sent')",
    )
    .bind(since)
    .fetch_all(c)
    .await?;
    Ok(ids.into_iter().collect())
}

/// Accounts found to be bots or deactivated when an invitation was about to go out.
async fn not_people_on(c: &mut sqlx::SqliteConnection) -> Result<BTreeSet<String>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM invitations WHERE status IN ('bot', 'deactivated')",
    )
    .fetch_all(c)
    .await?;
    Ok(ids.into_iter().collect())
}

impl Tx {
    /// The user IDs of everyone enrolled, read in this transaction.
    pub async fn enrolled_ids(&mut self) -> Result<BTreeSet<String>, StoreError> {
        enrolled_on(self.conn()).await
    }

    /// The user IDs of everyone invited at or after `since` (unix seconds), read in this transaction.
    pub async fn invited_since(&mut self, since: i64) -> Result<BTreeSet<String>, StoreError> {
        invited_since_on(self.conn(), since).await
    }

    /// Accounts found to be bots or deactivated (never invited while their row lasts), read in this transaction.
    pub async fn not_people(&mut self) -> Result<BTreeSet<String>, StoreError> {
        not_people_on(self.conn()).await
    }

    /// Records an invitation of `who` (replacing an older one: the DM is to be sent again).
    pub async fn record_invitation(
        &mut self,
        who: &Invitee,
        invited_by: &str,
        source: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO invitations (user_id, invited_at, invited_by, source, reports_to, status, sent_at) VALUES (?, ?, ?, ?, ?, 'queued', NULL)
             ON CONFLICT (user_id) DO UPDATE SET invited_at = excluded.invited_at, invited_by = excluded.invited_by,
               source = excluded.source, reports_to = excluded.reports_to, status = 'queued', sent_at = NULL",
        )
        .bind(&who.user)
        .bind(now)
        .bind(invited_by)
        .bind(source)
        .bind(&who.reports_to)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Deletes `user_id`'s invitation (they joined: the survey was pre-filled, nothing more is needed of it).
    pub async fn forget_invitation(&mut self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM invitations WHERE user_id = ?")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Retention: deletes invitations made before `cutoff` (unix seconds). Returns how many.
    pub async fn prune_invitations(&mut self, cutoff: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM invitations WHERE invited_at < ?")
            .bind(cutoff)
            .execute(self.conn())
            .await?
            .rows_affected())
    }
}

impl Store {
    /// The user IDs of everyone enrolled (for `tandem invite --dry-run`, on a read-only store).
    pub async fn enrolled_ids(&self) -> Result<BTreeSet<String>, StoreError> {
        enrolled_on(&mut *self.pool().acquire().await?).await
    }

    /// The user IDs of everyone invited at or after `since` (for `tandem invite --dry-run`).
    pub async fn invited_since(&self, since: i64) -> Result<BTreeSet<String>, StoreError> {
        invited_since_on(&mut *self.pool().acquire().await?, since).await
    }

    /// Accounts found to be bots or deactivated (for `tandem invite --dry-run`).
    pub async fn not_people(&self) -> Result<BTreeSet<String>, StoreError> {
        not_people_on(&mut *self.pool().acquire().await?).await
    }

    /// `user_id`'s latest invitation, if any.
    pub async fn invitation(&self, user_id: &str) -> Result<Option<InvitationRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT user_id, invited_at, invited_by, source, reports_to, status, sent_at FROM invitations WHERE user_id = ?",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Notes that Slack accepted `user_id`'s invitation DM.
    pub async fn mark_invitation_sent(&self, user_id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE invitations SET status = 'sent', sent_at = ? WHERE user_id = ?")
            .bind(now)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Deletes `user_id`'s invitation (Slack does not know the account: nobody was invited).
    pub async fn forget_invitation(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM invitations WHERE user_id = ?")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Notes that `user_id` is no person to invite: `bot` or `deactivated` (the supervisor is forgotten too).
    pub async fn mark_not_a_person(&self, user_id: &str, why: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE invitations SET status = ?, reports_to = NULL WHERE user_id = ?")
            .bind(why)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbound::store::test_store as store;

    #[tokio::test]
    async fn an_invitation_is_recorded_once_per_person_and_replaced_by_the_next() {
        let (_d, s) = store().await;
        let boss = Invitee {
            user: "U1".into(),
            reports_to: Some("U0BOSS".into()),
        };
        in_tx!(s, record_invitation(&boss, "U0ADMIN", "#general", 100))
            .await
            .unwrap();
        s.mark_invitation_sent("U1", 110).await.unwrap();
        let got = s.invitation("U1").await.unwrap().unwrap();
        assert_eq!(
            (
                got.invited_at,
                got.reports_to.as_deref(),
                got.status.as_str(),
                got.sent_at
            ),
            (100, Some("U0BOSS"), "sent", Some(110))
        );
        assert_eq!(
            s.invited_since(100).await.unwrap(),
            BTreeSet::from(["U1".to_string()])
        );
        assert!(s.invited_since(101).await.unwrap().is_empty());

        in_tx!(
            s,
            record_invitation(&Invitee::new("U1"), "tandem invite", "people.csv", 5000)
        )
        .await
        .unwrap();
        let again = s.invitation("U1").await.unwrap().unwrap();
        assert_eq!(
            (
                again.invited_at,
                again.reports_to,
                again.sent_at,
                again.source.as_str()
            ),
            (5000, None, None, "people.csv"),
            "one row per person: the latest invitation"
        );
        s.mark_not_a_person("U1", "bot").await.unwrap();
        assert!(
            s.invited_since(0).await.unwrap().is_empty(),
            "a bot was never invited"
        );
        assert_eq!(
            s.not_people().await.unwrap(),
            BTreeSet::from(["U1".to_string()])
        );
        assert_eq!(in_tx!(s, prune_invitations(5000)).await.unwrap(), 0);
        assert_eq!(in_tx!(s, prune_invitations(5001)).await.unwrap(), 1);
        assert_eq!(s.invitation("U1").await.unwrap(), None);
    }
}
