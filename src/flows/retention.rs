//! Retention (`TANDEM_RETENTION_DAYS`, default 365): run by the housekeeping loop, it removes the free text and
//! per-person answers of pairs that ended longer ago than that, keeping only anonymous counts so that the
//! program-to-date figures survive. README's "Data protection" says exactly what is kept and what is deleted.

use crate::context::App;
use crate::domain::invitations::recent_since;
use crate::outbound::store::{Retained, StoreError};

/// One retention pass, as of the app's clock, in one transaction. Invitations are kept for the retention period,
/// and never less than the 30 days in which nobody is invited twice.
pub async fn run(app: &App) -> Result<Retained, StoreError> {
    let now = app.now();
    let cutoff = now - i64::from(app.config().retention_days) * 24 * 3600;
    let mut tx = app.store().write().await?;
    let mut done = tx.apply_retention(cutoff).await?;
    done.invitations = tx.prune_invitations(cutoff.min(recent_since(now))).await?;
    app.commit(tx).await?;
    if done != Retained::default() {
        tracing::info!(
            pairs = done.pairs,
            plans = done.plans,
            answers = done.answers,
            feedback = done.feedback,
            audit = done.audit,
            invitations = done.invitations,
            retention_days = app.config().retention_days,
            "retention removed the personal data of pairs that ended long ago"
        );
    }
    Ok(done)
}
