//! Reconciliation, at start-up and hourly: what a crash (of this version or an older one) left half done is reset or
//! finished. A matching round stuck in `computing`, or open without a review message, with no job left to finish
//! it, is reset and the admins told; an approved pair that was never introduced, with no introduction job, gets
//! one. Jobs left running by a dead process are re-queued at start-up (see [`crate::startup::build`]).

use super::delivery::{queue_message, text_message};
use super::introductions;
use crate::context::App;
use crate::domain::model::ProposalStatus;
use crate::outbound::store::{Exclusive, StoreError};

/// What one reconciliation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub rounds_reset: usize,
    pub pairs_introduced: usize,
}

/// Resets stuck rounds and queues missing introductions, in one transaction. Replicas starting together reconcile
/// one after the other (an advisory lock on PostgreSQL): the second finds nothing left to do, so the admins are
/// told of a reset once.
pub async fn run(app: &App) -> Result<Reconciled, StoreError> {
    let mut tx = app.store().write().await?;
    tx.serialize(Exclusive::Reconcile).await?;
    let now = app.now();
    let mut done = Reconciled::default();
    for proposal in tx.stuck_proposals().await? {
        if !tx
            .abandon_proposal(proposal.id, ProposalStatus::Stale, now)
            .await?
        {
            continue;
        }
        done.rounds_reset += 1;
        let text = "A matching round was interrupted before its proposal could be shown, so Tandem reset it. \
                    Nobody was introduced. Type `/mentor match` to start a new round.";
        for admin in &app.config().admins {
            queue_message(&mut tx, &text_message(admin, text), None, now).await?;
        }
    }
    for pair_id in tx.unintroduced_pairs().await? {
        introductions::queue(&mut tx, pair_id, now).await?;
        done.pairs_introduced += 1;
    }
    app.commit(tx).await?;
    if done != Reconciled::default() {
        tracing::warn!(
            rounds_reset = done.rounds_reset,
            pairs_introduced = done.pairs_introduced,
            "reconciled what an earlier stop left half done"
        );
    }
    Ok(done)
}
