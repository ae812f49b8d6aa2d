//! Retention (`TANDEM_RETENTION_DAYS`, default 365): run by the housekeeping loop, it removes the free text and
//! per-person answers of pairs that ended longer ago than that, keeping only anonymous counts so that the
//! program-to-date figures survive. README's "Data protection" says exactly what is kept and what is deleted.

use crate::context::App;
use crate::outbound::store::{Retained, StoreError};

/// One retention pass, as of the app's clock, in one transaction.
pub async fn run(app: &App) -> Result<Retained, StoreError> {
    let cutoff = app.now() - i64::from(app.config().retention_days) * 24 * 3600;
    let mut tx = app.store().write().await?;
    let done = tx.apply_retention(cutoff).await?;
    app.commit(tx).await?;
    if done != Retained::default() {
        tracing::info!(
            pairs = done.pairs,
            plans = done.plans,
            answers = done.answers,
            feedback = done.feedback,
            audit = done.audit,
            retention_days = app.config().retention_days,
            "retention removed the personal data of pairs that ended long ago"
        );
    }
    Ok(done)
}
