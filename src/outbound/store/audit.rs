//! The audit log: appended by the flow of each admin action, in that action's transaction; read by `/mentor audit`
//! and `tandem audit`. `delete_participant` never touches it (it records the admin's act, not anyone's answers).

use super::{Store, StoreError, Tx};
use crate::domain::model::{AuditAction, AuditEntry, AuditRecord};

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    actor: String,
    #[sqlx(try_from = "String")]
    action: AuditAction,
    subject: Option<String>,
    other: Option<String>,
    detail: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> AuditRecord {
        AuditRecord {
            id: r.id,
            at: r.at,
            entry: AuditEntry {
                actor: r.actor,
                action: r.action,
                subject: r.subject,
                other: r.other,
                detail: r.detail,
            },
        }
    }
}

impl Tx {
    /// Appends `entry` to the audit log, at `now`, in this transaction (so the action and its record commit together).
    pub async fn audit(&mut self, entry: &AuditEntry, now: i64) -> Result<(), StoreError> {
        on_conn!(self.conn(), |c| {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, subject, other, detail) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(now)
            .bind(&entry.actor)
            .bind(entry.action.as_str())
            .bind(&entry.subject)
            .bind(&entry.other)
            .bind(&entry.detail)
            .execute(c)
            .await?;
        });
        Ok(())
    }
}

impl Store {
    /// The audit log from `since` (unix seconds) on, oldest first.
    pub async fn audit_since(&self, since: i64) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<AuditRow> = on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT id, at, actor, action, subject, other, detail FROM audit_log WHERE at >= $1 ORDER BY at, id",
            )
            .bind(since)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    /// The latest `n` audit rows, oldest first.
    pub async fn audit_latest(&self, n: i64) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<AuditRow> = on_db!(self.pool(), |p| {
            sqlx::query_as(
                "SELECT * FROM (SELECT id, at, actor, action, subject, other, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT $1) AS latest ORDER BY at, id",
            )
            .bind(n)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbound::store::test_store as store;

    #[tokio::test]
    async fn entries_read_back_in_order_and_the_latest_n() {
        let (_d, s) = store().await;
        for (i, action) in [
            AuditAction::Exclude,
            AuditAction::Capacity,
            AuditAction::Report,
        ]
        .into_iter()
        .enumerate()
        {
            let e = AuditEntry::new("U0ADMIN", action)
                .on("U1")
                .detail(format!("#{i}"));
            in_tx!(s, audit(&e, 100 + i as i64)).await.unwrap();
        }
        let all = s.audit_since(0).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].entry.action, AuditAction::Exclude);
        assert_eq!(all[0].entry.subject.as_deref(), Some("U1"));
        assert_eq!(s.audit_since(101).await.unwrap().len(), 2);
        let latest = s.audit_latest(2).await.unwrap();
        assert_eq!(
            latest.iter().map(|r| r.at).collect::<Vec<_>>(),
            vec![101, 102]
        );
    }
}
