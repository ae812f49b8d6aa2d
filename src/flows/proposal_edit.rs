//! Editing a proposal under review: an admin removes one pair; the rest is re-matched without pairing those two (for
//! this round only: the removed pair is kept in the proposal's body, never stored as an exclusion) and the review
//! message shows the new version. Each removal makes the next version; Approve names its version, so a press on an
//! older one approves nothing (see [`super::proposals::approve`]).
//!
//! The removal, the job that re-computes the proposal off the request path ([`JobKind::ComputeRound`], as for a new
//! round) and the update of the review message are written in one transaction; the review message is re-rendered
//! from the proposal as it is when the update job runs, so updates that run out of order still show the latest.

use crate::context::App;
use crate::domain::model::{AuditAction, AuditEntry, JobKind, ProposalPayload, ProposalStatus};
use crate::domain::rounds::{RemovedPair, Stored};
use crate::outbound::store::{NewJob, ProposalRow, StoreError, Tx};
use crate::views;
use crate::views::proposal::RemoveTarget;
use serde_json::{Value, json};

/// The outcome of a *Remove* press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// Removed: the rest is being re-matched as the next version, which replaces the review message.
    Rematching { version: i64 },
    /// The press was on an older version (a pair was removed since), or named a pair not in it.
    Outdated { current: i64 },
    /// The proposal is being re-matched after another removal.
    Busy,
    /// Approved, discarded, gone stale, or unknown.
    Closed,
}

/// Queues the re-rendering of proposal `id`'s review message (one pending at a time): the job renders the proposal
/// as it is when it runs.
pub async fn queue_refresh(tx: &mut Tx, id: i64, now: i64) -> Result<(), StoreError> {
    let job = NewJob::new(JobKind::ProposalUpdate, now)
        .key(format!("proposal_review:{id}"))
        .payload(&ProposalPayload {
            proposal_id: id,
            admin: String::new(),
            text: String::new(),
            scheduled: false,
        });
    tx.enqueue(job, now).await?;
    Ok(())
}

/// Removes one pair from the version of a proposal the admin looked at, and starts re-matching the rest.
pub async fn remove_pair(
    app: &App,
    target: &RemoveTarget,
    admin: &str,
) -> Result<Removal, StoreError> {
    let now = app.now();
    let id = target.proposal_id;
    let mut tx = app.store().write().await?;
    let Some(row) = tx.proposal(id).await? else {
        return Ok(Removal::Closed);
    };
    match row.status {
        ProposalStatus::Open => {}
        ProposalStatus::Computing => return Ok(Removal::Busy),
        _ => return Ok(Removal::Closed),
    }
    let outdated = Removal::Outdated {
        current: row.version,
    };
    if row.version != target.version {
        return Ok(outdated);
    }
    let mut stored: Stored = serde_json::from_str(&row.body)
        .map_err(|e| StoreError::Corrupt(format!("proposal body: {e}")))?;
    if !stored
        .pairs
        .iter()
        .any(|p| p.junior_id == target.junior_id && p.senior_id == target.senior_id)
    {
        return Ok(outdated);
    }
    stored.removed.push(RemovedPair {
        junior_id: target.junior_id.clone(),
        senior_id: target.senior_id.clone(),
        by: admin.to_string(),
    });
    let body = serde_json::to_string(&stored).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if !tx.rematch_proposal(id, row.version, &body).await? {
        return Ok(outdated);
    }
    let next = row.version + 1;
    let compute = NewJob::new(JobKind::ComputeRound, now).payload(&ProposalPayload {
        proposal_id: id,
        admin: admin.to_string(),
        text: String::new(),
        scheduled: false,
    });
    tx.enqueue(compute, now).await?;
    queue_refresh(&mut tx, id, now).await?;
    tx.audit(
        &AuditEntry::new(admin, AuditAction::RemovePair)
            .on(&target.junior_id)
            .and(&target.senior_id)
            .detail(format!(
                "proposal #{id}: removed from version {}; the rest re-matched as version {next}",
                row.version
            )),
        now,
    )
    .await?;
    app.commit(tx).await?;
    tracing::info!(
        proposal = id,
        version = next,
        "a pair was removed from a proposal"
    );
    Ok(Removal::Rematching { version: next })
}

/// The review message as the proposal is now, `(text, blocks)`: its current version while open, a note while it is
/// re-matched after a removal; `None` once decided (the decision's own update says what happened).
pub fn current_review(row: &ProposalRow) -> Result<Option<(String, Value)>, StoreError> {
    Ok(match row.status {
        ProposalStatus::Open => {
            let stored: Stored = serde_json::from_str(&row.body)
                .map_err(|e| StoreError::Corrupt(format!("proposal body: {e}")))?;
            Some(views::proposal::review(row.id, row.version, &stored))
        }
        ProposalStatus::Computing => {
            crate::domain::rounds::removed_of(&row.body)
                .last()
                .map(|last| {
                    let text =
                        views::proposal::rematching_text(row.id, &last.junior_id, &last.senior_id);
                    let blocks = json!([views::section(&text)]);
                    (text, blocks)
                })
        }
        _ => None,
    })
}
