//! Invitations to opt in: one row per person (the latest invitation), so that nobody is invited twice within 30
//! days and the survey can be pre-filled with the supervisor an HR export named. An invitation enrols nobody.

use super::{Conn, Store, StoreError, Tx};
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
async fn enrolled_on(c: Conn<'_>) -> Result<BTreeSet<String>, StoreError> {
    let ids: Vec<String> = on_conn!(c, |c| {
        sqlx::query_scalar("SELECT user_id FROM participants")
            .fetch_all(c)
            .await?
    });
    Ok(ids.into_iter().collect())
}

/// Everyone invited at or after `since` (queued or sent).
async fn invited_since_on(c: Conn<'_>, since: i64) -> Result<BTreeSet<String>, StoreError> {
    let ids: Vec<String> = on_conn!(c, |c| {
        sqlx::query_scalar(
            "SELECT user_id FROM invitations WHERE invited_at >= $1 AND status IN ('queued', 'sent')",
        )
        .bind(since)
        .fetch_all(c)
        .await?
    });
    Ok(ids.into_iter().collect())
}

/// Accounts found to be bots or deactivated when an invitation was about to go out.
async fn not_people_on(c: Conn<'_>) -> Result<BTreeSet<String>, StoreError> {
    let ids: Vec<String> = on_conn!(c, |c| {
        sqlx::query_scalar("SELECT user_id FROM invitations WHERE status IN ('bot', 'deactivated')")
            .fetch_all(c)
            .await?
    });
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

    /// Records an invitation of `who` (replacing an older one: the DM is to be sent again), unless they were invited
    /// at or after `recent_since` (queued or sent) or are known to be no person (a bot or deactivated account).
    /// Returns whether it was recorded: the row decides, so two invitations of one person at once (on PostgreSQL,
    /// where they may overlap) record one.
    pub async fn record_invitation(
        &mut self,
        who: &Invitee,
        invited_by: &str,
        source: &str,
        now: i64,
        recent_since: i64,
    ) -> Result<bool, StoreError> {
        let done = on_conn!(self.conn(), |c| {
            sqlx::query(
                "INSERT INTO invitations (user_id, invited_at, invited_by, source, reports_to, status, sent_at) VALUES ($1, $2, $3, $4, $5, 'queued', NULL)
                 ON CONFLICT (user_id) DO UPDATE SET invited_at = excluded.invited_at, invited_by = excluded.invited_by,
                   source = excluded.source, reports_to = excluded.reports_to, status = 'queued', sent_at = NULL
                 WHERE invitations.status NOT IN ('bot', 'deactivated')
                   AND NOT (invitations.status IN ('queued', 'sent') AND invitations.invited_at >= $6)",
            )
            .bind(&who.user)
            .bind(now)
            .bind(invited_by)
            .bind(source)
            .bind(&who.reports_to)
            .bind(recent_since)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Deletes `user_id`'s invitation (they joined: the survey was pre-filled, nothing more is needed of it).
    pub async fn forget_invitation(&mut self, user_id: &str) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            sqlx::query("DELETE FROM invitations WHERE user_id = $1")
                .bind(user_id)
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// Retention: deletes invitations made before `cutoff` (unix seconds). Returns how many.
    pub async fn prune_invitations(&mut self, cutoff: i64) -> Result<u64, StoreError> {
        Ok(on_conn!(self.conn(), |c| {
            sqlx::query("DELETE FROM invitations WHERE invited_at < $1")
                .bind(cutoff)
                .execute(c)
                .await?
                .rows_affected()
        }))
    }
}

impl Store {
    /// The user IDs of everyone enrolled (for `tandem invite --dry-run`, on a read-only store).
    pub async fn enrolled_ids(&self) -> Result<BTreeSet<String>, StoreError> {
        enrolled_on(self.acquire().await?.conn()).await
    }

    /// The user IDs of everyone invited at or after `since` (for `tandem invite --dry-run`).
    pub async fn invited_since(&self, since: i64) -> Result<BTreeSet<String>, StoreError> {
        invited_since_on(self.acquire().await?.conn(), since).await
    }

    /// Accounts found to be bots or deactivated (for `tandem invite --dry-run`).
    pub async fn not_people(&self) -> Result<BTreeSet<String>, StoreError> {
        not_people_on(self.acquire().await?.conn()).await
    }

    /// `user_id`'s latest invitation, if any.
    pub async fn invitation(&self, user_id: &str) -> Result<Option<InvitationRecord>, StoreError> {
        Ok(on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT user_id, invited_at, invited_by, source, reports_to, status, sent_at FROM invitations WHERE user_id = $1",
            )
            .bind(user_id)
            .fetch_optional(p)
            .await?
        }))
    }

    /// Notes that Slack accepted `user_id`'s invitation DM.
    pub async fn mark_invitation_sent(&self, user_id: &str, now: i64) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE invitations SET status = 'sent', sent_at = $1 WHERE user_id = $2")
                .bind(now)
                .bind(user_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Deletes `user_id`'s invitation (Slack does not know the account: nobody was invited).
    pub async fn forget_invitation(&self, user_id: &str) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("DELETE FROM invitations WHERE user_id = $1")
                .bind(user_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Notes that `user_id` is no person to invite: `bot` or `deactivated` (the supervisor is forgotten too).
    pub async fn mark_not_a_person(&self, user_id: &str, why: &str) -> Result<(), StoreError> {
        on_db!(self.pool(), |p| {
            sqlx::query("UPDATE invitations SET status = $1, reports_to = NULL WHERE user_id = $2")
                .bind(why)
                .bind(user_id)
                .execute(p)
                .await?;
        });
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
        assert!(
            in_tx!(s, record_invitation(&boss, "U0ADMIN", "#general", 100, 0))
                .await
                .unwrap()
        );
        assert!(
            !in_tx!(s, record_invitation(&boss, "U0OTHER", "#general", 101, 100))
                .await
                .unwrap(),
            "invited since the cut-off: not again"
        );
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

        assert!(
            in_tx!(
                s,
                record_invitation(
                    &Invitee::new("U1"),
                    "tandem invite",
                    "people.csv",
                    5000,
                    101
                )
            )
            .await
            .unwrap()
        );
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
            !in_tx!(
                s,
                record_invitation(&Invitee::new("U1"), "U0ADMIN", "#general", 5001, 5001)
            )
            .await
            .unwrap(),
            "a bot is never invited"
        );
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
