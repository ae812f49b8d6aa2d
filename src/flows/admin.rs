//! Admin actions outside matching rounds (exclusions, capacity) and the audit log they write: every admin action is
//! appended to `audit_log` in the same transaction as the action itself (approve and discard do so in
//! `proposals`). Also `tandem audit`, which prints the log from the database.

use crate::context::App;
use crate::domain::model::{AuditAction, AuditEntry, AuditRecord, Exclusion};
use crate::outbound::store::StoreError;
use crate::views;
use chrono::{DateTime, Utc};

/// `/mentor feedback`: records that `admin` read the anonymous feedback, then reads it (closed pairs only; see
/// [`crate::domain::feedback`] for what is withheld).
pub async fn feedback(
    app: &App,
    admin: &str,
) -> Result<crate::domain::feedback::FeedbackDigest, StoreError> {
    record(app, &AuditEntry::new(admin, AuditAction::Feedback)).await?;
    let input = app.store().closed_pair_feedback().await?;
    // The order must not follow the store's (which follows time); any seed that changes between reads will do.
    let seed = app.clock().now().timestamp_nanos_opt().unwrap_or_default() as u64;
    Ok(crate::domain::feedback::digest(&input, seed))
}

/// What `/mentor exclude` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Excluded {
    /// How many pairs were newly excluded.
    pub added: usize,
    /// How many of the pairs were excluded already (nothing changed, nothing recorded for them).
    pub already: usize,
}

/// `/mentor exclude @a @b | @c @d`: excludes every pair across the two sides (an ethical wall; one person on each
/// side is a single exclusion), in one transaction, with an audit row for each pair newly excluded. The caller
/// checks that nobody is on both sides.
pub async fn exclude(
    app: &App,
    admin: &str,
    left: &[String],
    right: &[String],
) -> Result<Excluded, StoreError> {
    let now = app.now();
    let wall = left.len() > 1 || right.len() > 1;
    let mut done = Excluded::default();
    let mut tx = app.store().write().await?;
    for a in left {
        for b in right {
            if a == b {
                continue;
            }
            if !tx.add_exclusion(a, b, admin, now).await? {
                done.already += 1;
                continue;
            }
            let mut entry = AuditEntry::new(admin, AuditAction::Exclude).on(a).and(b);
            if wall {
                entry = entry.detail(format!(
                    "ethical wall: {} | {} people",
                    left.len(),
                    right.len()
                ));
            }
            tx.audit(&entry, now).await?;
            done.added += 1;
        }
    }
    if done.added == 0 {
        return Ok(done);
    }
    app.commit(tx).await?;
    Ok(done)
}

/// `/mentor exclusions`: every exclusion, oldest first, with who added it.
pub async fn exclusions(app: &App) -> Result<Vec<Exclusion>, StoreError> {
    app.store().exclusions_listed().await
}

/// `/mentor unexclude @a @b`: removes the exclusion and records it. Returns `false` when there was none.
pub async fn unexclude(app: &App, admin: &str, a: &str, b: &str) -> Result<bool, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    if !tx.remove_exclusion(a, b).await? {
        return Ok(false);
    }
    tx.audit(
        &AuditEntry::new(admin, AuditAction::Unexclude).on(a).and(b),
        now,
    )
    .await?;
    app.commit(tx).await?;
    Ok(true)
}

/// `/mentor capacity @senior N`: sets the capacity and records it. Returns `false` when they are not enrolled.
pub async fn set_capacity(
    app: &App,
    admin: &str,
    user: &str,
    capacity: u8,
) -> Result<bool, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    if !tx.set_capacity(user, capacity).await? {
        return Ok(false);
    }
    tx.audit(
        &AuditEntry::new(admin, AuditAction::Capacity)
            .on(user)
            .detail(format!("capacity {capacity}")),
        now,
    )
    .await?;
    app.commit(tx).await?;
    Ok(true)
}

/// Records an admin action that writes nothing else (`/mentor report` reads only), in its own transaction.
pub async fn record(app: &App, entry: &AuditEntry) -> Result<(), StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    tx.audit(entry, now).await?;
    app.commit(tx).await?;
    Ok(())
}

/// How many rows `/mentor audit` shows.
pub const SHOWN_IN_SLACK: i64 = 20;

/// The latest rows for `/mentor audit`, oldest first.
pub async fn latest(app: &App) -> Result<Vec<AuditRecord>, StoreError> {
    app.store().audit_latest(SHOWN_IN_SLACK).await
}

/// `--since`: a date (from the start of that day, UTC) or an RFC 3339 time.
pub fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.to_utc());
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!(
                "--since '{s}' is neither a date (2026-05-10) nor a time (2026-05-10T09:00:00Z)"
            )
        })
}

/// `tandem audit [--since DATE]`: the audit log from the database at `url`, as a table.
pub async fn audit_text(url: &str, since: Option<DateTime<Utc>>) -> Result<String, String> {
    let store = super::summaries::open_for_report(url).await?;
    let rows = store
        .audit_since(since.map_or(i64::MIN, |t| t.timestamp()))
        .await
        .map_err(|e| e.to_string());
    store.close().await;
    Ok(views::audit::table(&rows?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_date_or_a_time() {
        assert_eq!(
            parse_since("2026-05-10").unwrap().to_rfc3339(),
            "2026-05-10T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-05-10T09:30:00Z").unwrap().timestamp(),
            parse_since("2026-05-10").unwrap().timestamp() + 9 * 3600 + 1800
        );
        assert!(parse_since("last week").is_err());
    }
}
