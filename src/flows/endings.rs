//! How pairs end: on their plan's end date, with a closing message and a short feedback form; or early, when a member
//! types `/mentor end` (the partner gets a kind message; the optional reason goes only to the admins). Ending a pair,
//! cancelling its jobs and queueing the messages it implies happen in one transaction.

use super::delivery::{JobError, Ran, due_at, post_once, queue_message, text_message};
use super::home;
use crate::context::App;
use crate::domain::forms::pair_forms::Feedback;
use crate::domain::lateness;
use crate::domain::model::{JobKind, PairStatus, ProposalPayload};
use crate::outbound::store::{Job, NewJob, PairRecord, StoreError, Tx};
use crate::views;

/// The [`JobKind::Closing`] job: thanks the pair (a pair that never met is not thanked for meetings), offers the
/// feedback form, then marks the pair completed (both free for the next round), cancels what else was scheduled for
/// it and refreshes both Home tabs. A closing note a day late (after an outage) is dropped — "your plan ends today"
/// would not be true — but the pair still completes.
pub async fn close(app: &App, job: &Job) -> Result<Ran, JobError> {
    let store = app.store();
    let Some(pair) = store.pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(Ran::Done);
    };
    if !pair.is_current() {
        return Ok(Ran::Done);
    }
    let late = lateness::overdue(
        JobKind::Closing,
        due_at(job),
        app.clock().now(),
        chrono::TimeDelta::zero(),
    );
    if let (Some(channel), None) = (&pair.channel, &late) {
        let (text, blocks) = views::closing::closing(pair.id, pair.last_met_at.is_some());
        post_once(app, job, "post", channel, &text, &blocks).await?;
    }
    let now = app.now();
    let mut tx = store.write().await?;
    if tx
        .finish_pair(pair.id, PairStatus::Completed, None, now)
        .await?
    {
        tx.cancel_pair_jobs(pair.id, now).await?;
        after_finish(&mut tx, pair.id, now).await?;
        for m in [pair.junior_id.as_deref(), pair.senior_id.as_deref()]
            .into_iter()
            .flatten()
        {
            home::queue_refresh(&mut tx, m, now).await?;
        }
    }
    app.commit(tx).await?;
    Ok(late.map_or(Ran::Done, Ran::Dropped))
}

/// After pair `pair_id` finished in `tx`: if it was the last running pair of its matching round, queues the
/// end-of-cohort report (once per round).
pub async fn after_finish(tx: &mut Tx, pair_id: i64, now: i64) -> Result<(), StoreError> {
    if let Some(round) = tx.cohort_closed_by(pair_id).await? {
        let job = NewJob::new(JobKind::CohortReport, now)
            .payload(&ProposalPayload {
                proposal_id: round,
                admin: String::new(),
                text: String::new(),
                scheduled: false,
            })
            .key(format!("cohort:{round}"));
        tx.enqueue_if_absent(job, now).await?;
    }
    Ok(())
}

/// Opens the feedback modal for a member of a pair that is ending or has ended.
pub async fn open_feedback(
    app: &App,
    pair_id: i64,
    user_id: &str,
    trigger_id: &str,
) -> Result<(), JobError> {
    if app
        .store()
        .pair_of_member(pair_id, user_id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    app.slack()
        .open_view(trigger_id, &views::closing::feedback_modal(pair_id))
        .await?;
    Ok(())
}

/// Records `user_id`'s closing feedback on pair `pair_id`. Returns `false` when they are not in that pair.
pub async fn record_feedback(
    app: &App,
    pair_id: i64,
    user_id: &str,
    feedback: &Feedback,
) -> Result<bool, StoreError> {
    if app
        .store()
        .pair_of_member(pair_id, user_id)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    app.store()
        .record_feedback(pair_id, user_id, feedback, app.now())
        .await?;
    Ok(true)
}

/// Ends current pair `pair` early in `tx` (the shared part of `/mentor end` and an admin's *End the pair kindly* or
/// *Re-match both*): the pair ends (with a reason only admins see, if given), its jobs are cancelled and both Home
/// tabs are refreshed. Returns `false`, changing nothing, when it was not current.
pub async fn finish_early(
    tx: &mut Tx,
    pair: &PairRecord,
    reason: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    if !tx
        .finish_pair(pair.id, PairStatus::Ended, reason, now)
        .await?
    {
        return Ok(false);
    }
    tx.cancel_pair_jobs(pair.id, now).await?;
    after_finish(tx, pair.id, now).await?;
    for m in [pair.junior_id.as_deref(), pair.senior_id.as_deref()]
        .into_iter()
        .flatten()
    {
        home::queue_refresh(tx, m, now).await?;
    }
    Ok(true)
}

/// `/mentor end [reason]`: ends the member's current pair early. In one transaction: the pair ends, its jobs are
/// cancelled, and the other person's kind DM, the admins' note and both Home tab refreshes are queued. Returns
/// `false` when the person has no current pair.
pub async fn end_early(app: &App, user_id: &str, reason: Option<&str>) -> Result<bool, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    let Some(pair) = tx.current_pair_of(user_id).await? else {
        return Ok(false);
    };
    if !finish_early(&mut tx, &pair, reason, now).await? {
        return Ok(false);
    }
    let partner = pair.partner_of(user_id);
    if let Some(p) = partner {
        let dm = text_message(p, &views::closing::pair_ended(reason.is_some()));
        queue_message(&mut tx, &dm, Some(pair.id), now).await?;
    }
    let note = format!(
        "A pair ended early: <@{}> and <@{}>.{}",
        user_id,
        partner.unwrap_or("(someone who left)"),
        reason
            .map(|r| format!(" Reason given (only admins see this): {r}"))
            .unwrap_or_else(|| " No reason was given.".into())
    );
    for admin in &app.config().admins {
        queue_message(&mut tx, &text_message(admin, &note), Some(pair.id), now).await?;
    }
    app.commit(tx).await?;
    tracing::info!(pair = pair.id, "pair ended early");
    Ok(true)
}
