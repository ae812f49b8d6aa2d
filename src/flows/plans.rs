//! The pair's plan: an objective, how often they meet, and by when. Either partner can set or change it (both are
//! told in their group DM); with no plan after five business days, Tandem sends one gentle reminder, then leaves it to
//! the pair.

use crate::context::App;
use crate::domain::forms::pair_forms;
use crate::domain::schedule;
use crate::flows::introductions::pair_schedule;
use crate::inbound::dispatch::Reply;
use crate::inbound::payload::View;
use crate::jobs::worker::{JobError, post_once};
use crate::outbound::store::Job;
use crate::views;
use serde_json::json;

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
    let Some(sched) = pair_schedule(app, &pair).await? else {
        return Ok(());
    };
    let current = app.store().plan(pair_id).await?;
    let nonce = crate::flows::enrolment::nonce();
    let view = views::plan::plan_modal(
        pair_id,
        current.as_ref(),
        sched.cadence,
        sched.end_date,
        &nonce,
    );
    app.slack().open_view(trigger_id, &view).await?;
    Ok(())
}

/// The plan modal's submission: validated; stored; both partners told; check-ins and the closing rescheduled.
pub async fn submit(app: &App, user_id: &str, view: &View) -> Reply {
    let Some((pair_id, _)) = pair_forms::parse_metadata(&view.private_metadata) else {
        return Reply::Ack;
    };
    let store = app.store();
    let pair = match store.pair_of_member(pair_id, user_id).await {
        Ok(Some(p)) if p.is_current() => p,
        Ok(_) => return Reply::Ack,
        Err(e) => return crate::inbound::commands::sorry(e),
    };
    let today = app.clock().now().date_naive();
    let mut plan = match pair_forms::parse_plan(&view.state.values, today) {
        Ok(p) => p,
        Err(errors) => {
            return Reply::Json(json!({ "response_action": "errors", "errors": errors }));
        }
    };
    let previous = store.plan(pair_id).await.ok().flatten();
    if plan.first_meeting.is_none() {
        plan.first_meeting = previous.and_then(|p| p.first_meeting);
    }
    let now = app.clock().now();
    let first_time = match store.save_plan(pair_id, &plan, now.timestamp()).await {
        Ok(f) => f,
        Err(e) => return crate::inbound::commands::sorry(e),
    };
    let worker = app.clone();
    let user = user_id.to_string();
    app.spawn_background(async move {
        if let Err(e) = after_plan(&worker, pair, &plan, &user, first_time).await {
            tracing::warn!(error = %e, "could not announce or schedule a plan");
        }
    });
    Reply::Ack
}

async fn after_plan(
    app: &App,
    pair: crate::outbound::store::PairRecord,
    plan: &pair_forms::Plan,
    user: &str,
    first_time: bool,
) -> Result<(), JobError> {
    if let Some(channel) = &pair.channel {
        let (text, blocks) = views::plan::plan_set(plan, user, first_time);
        app.slack()
            .call(
                "chat.postMessage",
                &json!({ "channel": channel, "text": text, "blocks": blocks }),
            )
            .await?;
    }
    if let Some(sched) = pair_schedule(app, &pair).await? {
        // The next check-in follows the (maybe new) cadence from the last one; a due date already past runs now.
        let last = app
            .store()
            .last_checkin_at(pair.id)
            .await?
            .unwrap_or(pair.created_at);
        let after = chrono::DateTime::from_timestamp(last, 0).unwrap_or_else(|| app.clock().now());
        crate::flows::checkins::schedule_next(app, &pair, &sched, after).await?;
    }
    Ok(())
}

/// The "plan_reminder" job: one gentle reminder when the pair has no plan yet.
pub async fn remind(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    let Some(channel) = pair.channel.clone().filter(|_| pair.is_current()) else {
        return Ok(());
    };
    if app.store().plan(pair.id).await?.is_some() {
        return Ok(());
    }
    let (text, blocks) = views::plan::plan_reminder(pair.id);
    post_once(app, job, "post", &channel, &text, &blocks).await?;
    Ok(())
}

/// The default end date for a pair that starts today (four months out).
pub fn default_end(app: &App) -> chrono::NaiveDate {
    schedule::default_end_date(app.clock().now().date_naive())
}
