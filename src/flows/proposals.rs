//! Matching rounds in the live program: a round is asked for (the proposal row and the job that computes it are
//! written together), computed by the worker off the async runtime, shown to the admin who asked, and approved or
//! discarded. Approving writes the pairs, their introductions and the update of the review message in one
//! transaction, with a note to each person left out ([`super::rounds`]); a proposal that went stale is re-checked and
//! replaced by a fresh round instead. Nothing reaches participants before approval. A round started on schedule
//! (`TANDEM_ROUND_CRON`, [`super::rounds`]) is the same, except that its review goes to every admin.

use super::delivery::{JobError, payload, post_once};
use super::introductions;
use crate::context::App;
use crate::domain::catalog::Catalog;
use crate::domain::matching::{self, MatchConfig};
use crate::domain::model::{AuditAction, AuditEntry, JobKind, ProposalPayload, ProposalStatus};
use crate::domain::rounds::{self, Naming, Round, RoundInputs, Stored};
use crate::outbound::store::{
    Job, NewJob, NewPair, Participant, ProposalRow, Store, StoreError, Tx,
};
use crate::views;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;

/// Reads the round from the live store.
pub async fn load_round(app: &App, naming: Naming) -> Result<Round, StoreError> {
    load_round_from(
        app.store(),
        app.catalog(),
        app.match_config(),
        naming,
        app.clock().now(),
    )
    .await
}

/// Reads the round from any store (the live app's, or `tandem match --from-db`'s).
pub async fn load_round_from(
    store: &Store,
    catalog: &Catalog,
    config: &MatchConfig,
    naming: Naming,
    now: DateTime<Utc>,
) -> Result<Round, StoreError> {
    let people = store.round_candidates().await?;
    round_of(store, &people, catalog, config, naming, now).await
}

/// The round for `people` already read from `store` (the rest — current pairs, history, exclusions — is read here).
pub async fn round_of(
    store: &Store,
    people: &[Participant],
    catalog: &Catalog,
    config: &MatchConfig,
    naming: Naming,
    now: DateTime<Utc>,
) -> Result<Round, StoreError> {
    let counts = store.current_pair_counts().await?;
    let history = store.pair_history().await?;
    let exclusions = store.exclusions().await?;
    let inputs = RoundInputs {
        people,
        pair_counts: &counts,
        history: &history,
        exclusions: &exclusions,
    };
    Ok(rounds::build_round(
        inputs,
        config,
        skill_labels(catalog),
        naming,
        now,
    ))
}

/// Skill ID → label, as rounds explain matches.
pub fn skill_labels(catalog: &Catalog) -> BTreeMap<String, String> {
    catalog
        .skills
        .iter()
        .map(|s| (s.id.clone(), s.label.clone()))
        .collect()
}

/// What happened when a round was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// The proposal will be sent to the admin in a DM.
    Computing,
    /// Another proposal is being computed or waits for review.
    AlreadyPending { created_at: i64 },
}

/// Starts a round in `tx`: the proposal row and the job that computes it, due now. `admin` asked for it (the review
/// goes to them); an empty `admin` with `scheduled` sends the review to every admin.
async fn begin_round(
    tx: &mut Tx,
    admin: &str,
    scheduled: bool,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let Some(id) = tx.begin_proposal(now).await? else {
        return Ok(None);
    };
    let job = NewJob::new(JobKind::ComputeRound, now).payload(&ProposalPayload {
        proposal_id: id,
        admin: admin.to_string(),
        text: String::new(),
        scheduled,
    });
    tx.enqueue(job, now).await?;
    Ok(Some(id))
}

/// Starts a round on schedule (`TANDEM_ROUND_CRON`) in `tx`, exactly as `/mentor match` does, except that the review
/// goes to every admin. Returns `None` (and changes nothing) while another proposal is computing or under review.
pub async fn begin_scheduled_round(tx: &mut Tx, now: i64) -> Result<Option<i64>, StoreError> {
    begin_round(tx, "", true, now).await
}

/// Starts a round for `admin`: the worker computes it and sends the review.
pub async fn start_round(app: &App, admin: &str) -> Result<Started, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    let Some(id) = begin_round(&mut tx, admin, false, now).await? else {
        let pending = tx.pending_proposal().await?;
        return Ok(Started::AlreadyPending {
            created_at: pending.map(|p| p.created_at).unwrap_or(now),
        });
    };
    tx.audit(
        &AuditEntry::new(admin, AuditAction::StartRound).detail(format!("proposal #{id}")),
        now,
    )
    .await?;
    app.commit(tx).await?;
    Ok(Started::Computing)
}

/// The [`JobKind::ComputeRound`] job: computes the proposal (on a blocking thread: seconds for a big firm), opens
/// it for review, and posts the review to the admin once. A re-run after a crash picks up where the last run
/// stopped (a proposal already computed is shown, not computed again).
pub async fn compute(app: &App, job: &Job) -> Result<(), JobError> {
    let ProposalPayload {
        proposal_id: id,
        admin,
        scheduled,
        ..
    } = payload(job)?;
    // Who reviews it: the admin who asked, or every admin for a scheduled round.
    let reviewers = if scheduled {
        app.config().admins.clone()
    } else {
        vec![admin]
    };
    let Some(row) = app.store().proposal(id).await? else {
        return Ok(());
    };
    if row.status == ProposalStatus::Computing {
        // After a removal: the pairs removed so far stay apart, for this round only.
        let removed = rounds::removed_of(&row.body);
        let round = load_round(app, Naming::Mentions).await?.without(&removed);
        let started = std::time::Instant::now();
        let people = round.participants.len();
        let computed = tokio::task::spawn_blocking(move || {
            matching::propose(&round.participants, &round.ctx)
                .map(|p| Stored::from_proposal(&p, &round.ctx, round.participants.len()))
        })
        .await
        .map_err(|e| JobError::Invalid(format!("the matching task failed: {e}")))?;
        let mut tx = app.store().write().await?;
        match computed {
            Ok(mut stored) => {
                stored.removed = removed;
                tracing::info!(
                    proposal = id,
                    people,
                    pairs = stored.pairs.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "matching proposal computed"
                );
                let body =
                    serde_json::to_string(&stored).map_err(|e| JobError::Invalid(e.to_string()))?;
                // A re-match (the review message exists): show the new version in its place.
                if tx.open_proposal(id, &body).await? && row.ts.is_some() {
                    super::proposal_edit::queue_refresh(&mut tx, id, app.now()).await?;
                }
            }
            Err(e) => {
                tracing::error!(proposal = id, error = %e, "a matching round failed");
                if row.ts.is_some() {
                    // A re-match after a removal: the review message says so instead of "re-matching…".
                    tx.abandon_proposal(id, ProposalStatus::Stale, app.now())
                        .await?;
                    let text = format!(
                        "Proposal #{id} could not be re-matched. Nobody was introduced; run `/mentor match` for a new one."
                    );
                    queue_update(&mut tx, id, text, app.now()).await?;
                } else {
                    tx.drop_proposal(id).await?;
                }
                let text = "Tandem could not compute a matching proposal just now; please try `/mentor match` again.";
                for reviewer in &reviewers {
                    super::delivery::queue_message(
                        &mut tx,
                        &super::delivery::text_message(reviewer, text),
                        None,
                        app.now(),
                    )
                    .await?;
                }
                app.commit(tx).await?;
                return Ok(());
            }
        }
        app.commit(tx).await?;
    }
    let Some(row) = app
        .store()
        .proposal(id)
        .await?
        .filter(|r| r.status == ProposalStatus::Open)
    else {
        return Ok(()); // decided or dropped meanwhile
    };
    if row.ts.is_some() && !scheduled {
        return Ok(());
    }
    let stored: Stored = serde_json::from_str(&row.body)
        .map_err(|e| StoreError::Corrupt(format!("proposal body: {e}")))?;
    let (text, blocks) = views::proposal::review_for(id, row.version, &stored, scheduled);
    // One review per reviewer, each recorded (a re-run after a crash posts only what is missing).
    for (k, reviewer) in reviewers.iter().enumerate() {
        let step = if scheduled {
            format!("review:{reviewer}")
        } else {
            "review".to_string()
        };
        let (channel, ts) = post_once(app, job, &step, reviewer, &text, &blocks).await?;
        if k == 0 {
            app.store().set_proposal_message(id, &channel, &ts).await?;
        }
        app.store().add_proposal_review(id, &channel, &ts).await?;
    }
    Ok(())
}

/// Queues the replacement of a decided proposal's review message with `text` (no buttons left to press).
async fn queue_update(tx: &mut Tx, id: i64, text: String, now: i64) -> Result<(), StoreError> {
    let job = NewJob::new(JobKind::ProposalUpdate, now).payload(&ProposalPayload {
        proposal_id: id,
        admin: String::new(),
        text,
        scheduled: false,
    });
    tx.enqueue(job, now).await?;
    Ok(())
}

/// The [`JobKind::ProposalUpdate`] job: `chat.update` on every review message of the proposal (one for a round an
/// admin asked for, one per admin for a scheduled round), with the payload's text, or (no text) with the proposal as
/// it is now, so no stale button is left to press.
pub async fn update_review(app: &App, job: &Job) -> Result<(), JobError> {
    let ProposalPayload {
        proposal_id, text, ..
    } = payload(job)?;
    let Some(row) = app.store().proposal(proposal_id).await? else {
        return Ok(());
    };
    let content = if text.is_empty() {
        super::proposal_edit::current_review(&row)?
    } else {
        let blocks = json!([views::section(&text)]);
        Some((text, blocks))
    };
    let Some((text, blocks)) = content else {
        return Ok(());
    };
    for (channel, ts) in app.store().proposal_reviews(proposal_id).await? {
        app.slack()
            .call(
                "chat.update",
                &json!({ "channel": channel, "ts": ts, "text": text, "blocks": blocks }),
            )
            .await?;
    }
    Ok(())
}

/// The outcome of an Approve press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    Approved {
        pair_ids: Vec<i64>,
    },
    /// The proposal no longer holds; a fresh one is on its way.
    Stale {
        problems: Vec<String>,
    },
    /// The press was on an older version: a pair was removed since and version `current` replaced it.
    Outdated {
        current: i64,
    },
    /// A pair was just removed and the rest is being re-matched; nothing to approve until the new version shows.
    Rematching,
    /// Already decided (a second press), or unknown.
    NotOpen,
}

/// Where version `version` of a proposal stands, for an Approve press on it: `None` when it is the open one.
fn not_approvable(row: Option<&ProposalRow>, version: i64) -> Option<Approval> {
    match row {
        Some(r) if r.status == ProposalStatus::Computing => Some(Approval::Rematching),
        Some(r) if r.status == ProposalStatus::Open && r.version != version => {
            Some(Approval::Outdated { current: r.version })
        }
        Some(r) if r.status == ProposalStatus::Open => None,
        _ => Some(Approval::NotOpen),
    }
}

/// Approves version `version` of proposal `id` for `admin` (only the current version: an older one approves
/// nothing): re-checks it against the program as it is now, then, in one transaction, stores the pairs, queues
/// their introductions and the update of the review message. A stale proposal is closed and a fresh round started
/// in the same way.
pub async fn approve(
    app: &App,
    id: i64,
    version: i64,
    admin: &str,
) -> Result<Approval, StoreError> {
    let row = app.store().proposal(id).await?;
    if let Some(refused) = not_approvable(row.as_ref(), version) {
        return Ok(refused);
    }
    let Some(row) = row else {
        return Ok(Approval::NotOpen);
    };
    let stored: Stored = serde_json::from_str(&row.body)
        .map_err(|e| StoreError::Corrupt(format!("proposal body: {e}")))?;
    // Read the round before the write transaction (which must not wait for a second connection).
    let people = app.store().round_candidates().await?;
    let round = round_of(
        app.store(),
        &people,
        app.catalog(),
        app.match_config(),
        Naming::Mentions,
        app.clock().now(),
    )
    .await?;
    let problems = rounds::recheck(&stored, &round);
    let now = app.now();
    let mut tx = app.store().write().await?;
    // The version may have changed between the read above and this transaction.
    if let Some(refused) = not_approvable(tx.proposal(id).await?.as_ref(), version) {
        return Ok(refused);
    }
    if !problems.is_empty() {
        if !tx.close_proposal(id, ProposalStatus::Stale, now).await? {
            return Ok(Approval::NotOpen);
        }
        let text = format!(
            "This proposal went stale before approval, so nobody was introduced:\n• {}\nA fresh proposal follows.",
            problems.join("\n• ")
        );
        queue_update(&mut tx, id, text, now).await?;
        let fresh = begin_round(&mut tx, admin, false, now).await?;
        let detail = match fresh {
            Some(next) => {
                format!("proposal #{id}: stale, nobody introduced; proposal #{next} started")
            }
            None => format!("proposal #{id}: stale, nobody introduced"),
        };
        tx.audit(
            &AuditEntry::new(admin, AuditAction::Approve).detail(detail),
            now,
        )
        .await?;
        app.commit(tx).await?;
        return Ok(Approval::Stale { problems });
    }
    // Created in a stable order (senior, then reverse mentor), whatever order the review showed them in.
    let mut ordered: Vec<&rounds::StoredPair> = stored.pairs.iter().collect();
    ordered.sort_by(|a, b| (&a.senior_id, &a.junior_id).cmp(&(&b.senior_id, &b.junior_id)));
    let pairs: Vec<NewPair> = ordered
        .into_iter()
        .map(|p| NewPair {
            junior_id: p.junior_id.clone(),
            senior_id: p.senior_id.clone(),
            score: p.score,
            explanation: json!({ "for_senior": p.for_senior, "for_junior": p.for_junior, "junior_teaches": p.junior_teaches, "senior_teaches": p.senior_teaches })
                .to_string(),
        })
        .collect();
    let Some(pair_ids) = tx.approve_proposal(id, version, &pairs, now).await? else {
        return Ok(Approval::NotOpen);
    };
    for pair in &pair_ids {
        introductions::queue(&mut tx, *pair, now).await?;
    }
    let told =
        super::rounds::queue_unmatched_notes(app, &mut tx, id, &stored, &people, now).await?;
    super::rounds::record_waiting_reasons(&mut tx, id, &stored, now).await?;
    let text = views::proposal::approved_text(admin, pair_ids.len(), told);
    queue_update(&mut tx, id, text, now).await?;
    let n = pair_ids.len();
    tx.audit(
        &AuditEntry::new(admin, AuditAction::Approve).detail(format!(
            "proposal #{id}: {n} pair{}",
            if n == 1 { "" } else { "s" }
        )),
        now,
    )
    .await?;
    app.commit(tx).await?;
    tracing::info!(proposal = id, pairs = pair_ids.len(), "proposal approved");
    Ok(Approval::Approved { pair_ids })
}

/// Discards proposal `id` (open, or being re-matched after a removal), queueing the update of its review message.
/// Returns `false` when it was decided already.
pub async fn discard(app: &App, id: i64, admin: &str) -> Result<bool, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    if !tx
        .abandon_proposal(id, ProposalStatus::Discarded, now)
        .await?
    {
        return Ok(false);
    }
    let text = format!(
        "Proposal discarded by <@{admin}>. Nobody was introduced. Run `/mentor match` for a new one."
    );
    queue_update(&mut tx, id, text, now).await?;
    tx.audit(
        &AuditEntry::new(admin, AuditAction::Discard).detail(format!("proposal #{id}")),
        now,
    )
    .await?;
    app.commit(tx).await?;
    Ok(true)
}
