//! Departures: a person's data deleted and their pair ended, whether they chose to leave (`/mentor leave`, confirmed)
//! or left the firm (Slack deactivated their account). Both go through [`depart`]: one transaction ends the pair,
//! deletes the person's answers and removes their ID from every table, and queues the partner's kind DM (no reason
//! given) and the Home tab refreshes.
//!
//! A deactivation is noticed two ways:
//! - the `user_change` event with `user.deleted: true` ([`on_deactivated_event`]), at most once per `event_id`;
//! - as a fallback (the event was missed, or arrived while Tandem was down for longer than Slack retries), when a
//!   job is about to DM the person: the welcome job reads `users.info` anyway, and the generic message job
//!   ([`run_message`]) asks `users.info` before posting to a user ID.
//!
//! Why ask before posting rather than react to the post's error: Slack accepts `chat.postMessage` to a deactivated
//! user's DM (the message goes nowhere; see slackapi/python-slack-sdk#1156, where Slack's answer is "check the
//! user's `deleted` before sending"), so an error-driven check would never fire. And the error codes that do exist
//! are not safe triggers: `account_inactive` means *Tandem's own token* belongs to a deactivated account, and acting
//! on it would delete everyone. One `users.info` per direct message is cheap (a tier-4 method; a person gets a few
//! DMs a week) and the answer is unambiguous. If `users.info` fails, the message is posted as before: the fallback
//! never blocks delivery.

use super::delivery::{self, JobError, payload, queue_message, text_message};
use super::home;
use crate::context::App;
use crate::domain::model::MessagePayload;
use crate::domain::slack_id::looks_like_slack_id;
use crate::outbound::store::{Job, StoreError, Tx};
use crate::views;

/// Why someone departs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// `/mentor leave`, confirmed (or the Home tab's button).
    Left,
    /// Slack reports the account deactivated: no confirmation, and no Home tab to refresh for them.
    Deactivated,
}

/// Ends `user_id`'s pair and deletes their data, queuing what that implies, in `tx`. Returns `false` (and changes
/// nothing) when they are not enrolled. `next_round` (when the next scheduled round starts) goes into the partner's
/// note.
pub async fn depart_in(
    tx: &mut Tx,
    user_id: &str,
    reason: Reason,
    next_round: Option<i64>,
    now: i64,
) -> Result<bool, StoreError> {
    tx.lock_participant(user_id).await?;
    if tx.participant(user_id).await?.is_none() {
        return Ok(false);
    }
    let departure = tx.delete_participant(user_id, now).await?;
    for (pair_id, partner) in departure.ended_pairs {
        super::endings::after_finish(tx, pair_id, now).await?;
        if let Some(partner) = partner {
            let tz = tx
                .participant(&partner)
                .await?
                .map(|p| p.tz)
                .unwrap_or_default();
            let dm = text_message(&partner, &views::enrolment::pair_left_dm(next_round, &tz));
            queue_message(tx, &dm, Some(pair_id), now).await?;
            home::queue_refresh(tx, &partner, now).await?;
        }
    }
    if reason == Reason::Left {
        home::queue_refresh(tx, user_id, now).await?;
    }
    Ok(true)
}

/// [`depart_in`] in its own transaction. Returns `false` when `user_id` was not enrolled (nothing changed).
pub async fn depart(app: &App, user_id: &str, reason: Reason) -> Result<bool, StoreError> {
    let mut tx = app.store().write().await?;
    let next = super::rounds::next_round(app);
    let departed = depart_in(&mut tx, user_id, reason, next, app.now()).await?;
    app.commit(tx).await?;
    if departed && reason == Reason::Deactivated {
        tracing::info!("a deactivated participant's data was deleted and their pair ended");
    }
    Ok(departed)
}

/// A `user_change` event with `deleted: true`: records `event_id` and departs `user_id` in one transaction, so a
/// retried or repeated event has no second effect and a failure leaves the event unrecorded (Slack's retry tries
/// again). Returns `false` for a repeated event.
pub async fn on_deactivated_event(
    app: &App,
    event_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    if !tx.claim_event(event_id, now).await? {
        return Ok(false);
    }
    let next = super::rounds::next_round(app);
    let departed = depart_in(&mut tx, user_id, Reason::Deactivated, next, now).await?;
    app.commit(tx).await?;
    if departed {
        tracing::info!("a deactivated participant's data was deleted and their pair ended");
    }
    Ok(true)
}

/// True (after departing them, if enrolled) when Slack's `users.info` says `user_id` is deactivated. False when it
/// says otherwise or does not answer.
pub async fn departed_if_deactivated(app: &App, user_id: &str) -> Result<bool, StoreError> {
    match app.slack().user_profile(user_id).await {
        Ok(profile) if profile.deleted => {
            depart(app, user_id, Reason::Deactivated).await?;
            Ok(true)
        }
        Ok(_) => Ok(false),
        Err(e) => {
            tracing::warn!(error = %e, "users.info failed; posting without the deactivation check");
            Ok(false)
        }
    }
}

/// The [`crate::domain::model::JobKind::Message`] job: a message to a user ID (`U…`/`W…`) is first checked with
/// `users.info` (see the module's notes); a deactivated recipient departs instead and the message is dropped. Channel
/// messages and re-runs of a delivered message go straight to [`delivery::run_message`].
pub async fn run_message(app: &App, job: &Job) -> Result<(), JobError> {
    let m: MessagePayload = payload(job)?;
    let delivered = matches!(
        app.store().delivery(job.id, "post").await?,
        Some((_, Some(_)))
    );
    if !delivered
        && looks_like_slack_id(&m.to, &['U', 'W'])
        && departed_if_deactivated(app, &m.to).await?
    {
        return Ok(());
    }
    delivery::run_message(app, job).await
}
