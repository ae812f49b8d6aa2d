//! The pair's plan: an objective, how often they meet, and by when. Either partner can set or change it; saving it
//! announces it in the pair's group DM, queues the calendar invite when the plan has a first meeting
//! ([`super::calendar`]) and reschedules check-ins and the closing, all in one transaction. With no
//! plan after five business days, Tandem sends one gentle reminder, then leaves it to the pair.

use super::calendar;
use super::delivery::{JobError, Ran, due_at, post_once, queue_message};
use super::pair_schedule;
use crate::context::App;
use crate::domain::forms::pair_forms::Plan;
use crate::domain::lateness;
use crate::domain::model::JobKind;
use crate::domain::model::MessagePayload;
use crate::domain::schedule;
use crate::outbound::store::{Job, StoreError};
use crate::views;

/// Opens the plan modal for a member of pair `pair_id` (pre-filled with the current plan, or the pair's defaults).
pub async fn open_modal(
    app: &App,
    pair_id: i64,
    user_id: &str,
    trigger_id: &str,
) -> Result<(), JobError> {
    let Some(pair) = app
        .store()
        .pair_of_member(pair_id, user_id)
        .await?
        .filter(|p| p.is_current())
    else {
        return Ok(());
    };
    let (sched, current) = {
        let mut tx = app.store().snapshot().await?;
        let sched = pair_schedule::read(app, &mut tx, &pair).await?;
        let current = tx.plan(pair_id).await?;
        (sched, current)
    };
    let Some(sched) = sched else {
        return Ok(());
    };
    let view = views::plan::plan_modal(pair_id, current.as_ref(), sched.cadence, sched.end_date);
    app.slack().open_view(trigger_id, &view).await?;
    Ok(())
}

/// What saving a plan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Saved,
    /// The person is not in a current pair with this ID (it ended, or it is not theirs).
    NotTheirs,
}

/// Saves `user_id`'s plan for pair `pair_id` and, in the same transaction, queues its announcement in the group DM
/// (and, with a first meeting, the calendar invite with the pair's next `SEQUENCE`) and reschedules the next check-in (following the maybe new cadence from the last one) and the closing.
pub async fn save(
    app: &App,
    pair_id: i64,
    user_id: &str,
    mut plan: Plan,
) -> Result<Saved, StoreError> {
    let now = app.clock().now();
    let mut tx = app.store().write().await?;
    tx.lock_pair(pair_id).await?;
    let Some(pair) = tx
        .pair(pair_id)
        .await?
        .filter(|p| p.has_member(user_id) && p.is_current())
    else {
        return Ok(Saved::NotTheirs);
    };
    let previous = tx.plan(pair_id).await?;
    if plan.first_meeting.is_none() {
        plan.first_meeting = previous.as_ref().and_then(|p| p.first_meeting);
    }
    let first_time = tx.save_plan(pair_id, &plan, now.timestamp()).await?;
    if let Some(channel) = &pair.channel {
        let (text, blocks) = views::plan::plan_set(&plan, user_id, first_time);
        let message = MessagePayload {
            to: channel.clone(),
            text,
            blocks: Some(blocks),
        };
        queue_message(&mut tx, &message, Some(pair.id), now.timestamp()).await?;
        if plan.first_meeting.is_some() {
            calendar::queue(&mut tx, pair.id, now.timestamp()).await?;
        }
    }
    if let Some(sched) = pair_schedule::read(app, &mut tx, &pair).await? {
        let last = tx
            .last_checkin_at(pair.id)
            .await?
            .unwrap_or(pair.created_at);
        let after = chrono::DateTime::from_timestamp(last, 0).unwrap_or(now);
        pair_schedule::schedule_next(&mut tx, pair.id, &sched, after, now.timestamp()).await?;
    }
    app.commit(tx).await?;
    Ok(Saved::Saved)
}

/// The [`JobKind::PlanReminder`] job: one gentle reminder when the pair has no plan yet. Dropped for a pair that
/// has ended, and when it is a week late (after an outage).
pub async fn remind(app: &App, job: &Job) -> Result<Ran, JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(Ran::Dropped("the pair no longer exists".into()));
    };
    if !pair.is_current() {
        return Ok(Ran::Dropped("the pair has ended".into()));
    }
    let Some(channel) = pair.channel.clone() else {
        return Ok(Ran::Done);
    };
    if app.store().plan(pair.id).await?.is_some() {
        return Ok(Ran::Done);
    }
    let late = lateness::overdue(
        JobKind::PlanReminder,
        due_at(job),
        app.clock().now(),
        chrono::TimeDelta::zero(),
    );
    if let Some(why) = late {
        return Ok(Ran::Dropped(why));
    }
    let (text, blocks) = views::plan::plan_reminder(pair.id);
    post_once(app, job, "post", &channel, &text, &blocks).await?;
    Ok(Ran::Done)
}

/// The default end date for a pair that starts today (four months out).
pub fn default_end(app: &App) -> chrono::NaiveDate {
    schedule::default_end_date(app.clock().now().date_naive())
}
