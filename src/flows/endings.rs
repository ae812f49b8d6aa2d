//! How pairs end: on their plan's end date, with a closing message and a short feedback form; or early, when a member
//! types `/mentor end` (the partner gets a kind message; the optional reason goes only to the admins).

use crate::context::App;
use crate::domain::forms::pair_forms;
use crate::inbound::dispatch::Reply;
use crate::inbound::payload::View;
use crate::jobs::worker::{JobError, post_once};
use crate::outbound::store::{Job, StoreError};
use crate::views;
use serde_json::json;

/// The "closing" job: thanks the pair, offers the feedback form, marks the pair completed (both free for the next
/// round) and cancels what else was scheduled for it.
pub async fn close(app: &App, job: &Job) -> Result<(), JobError> {
    let store = app.store();
    let Some(pair) = store.pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    if !pair.is_current() {
        return Ok(());
    }
    if let Some(channel) = &pair.channel {
        let (text, blocks) = views::closing::closing(pair.id);
        post_once(app, job, "post", channel, &text, &blocks).await?;
    }
    let now = app.clock().now().timestamp();
    store.finish_pair(pair.id, "completed", None, now).await?;
    store.cancel_pair_jobs(pair.id, now).await?;
    for m in [pair.junior_id.as_deref(), pair.senior_id.as_deref()]
        .into_iter()
        .flatten()
    {
        crate::flows::enrolment::refresh_home_later(app, m);
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
    let nonce = crate::flows::enrolment::nonce();
    app.slack()
        .open_view(trigger_id, &views::closing::feedback_modal(pair_id, &nonce))
        .await?;
    Ok(())
}

pub async fn submit_feedback(app: &App, user_id: &str, view: &View) -> Reply {
    let Some((pair_id, _)) = pair_forms::parse_metadata(&view.private_metadata) else {
        return Reply::Ack;
    };
    let feedback = match pair_forms::parse_feedback(&view.state.values) {
        Ok(f) => f,
        Err(errors) => {
            return Reply::Json(json!({ "response_action": "errors", "errors": errors }));
        }
    };
    match app.store().pair_of_member(pair_id, user_id).await {
        Ok(Some(_)) => {
            if let Err(e) = app
                .store()
                .record_feedback(pair_id, user_id, &feedback, app.clock().now().timestamp())
                .await
            {
                return crate::inbound::commands::sorry(e);
            }
            Reply::Ack
        }
        Ok(_) => Reply::Ack,
        Err(e) => crate::inbound::commands::sorry(e),
    }
}

/// `/mentor end [reason]`: ends the member's current pair early.
pub async fn end_early(
    app: &App,
    user_id: &str,
    reason: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let store = app.store();
    let Some(pair) = store.current_pair_of(user_id).await? else {
        return Ok(None);
    };
    let now = app.clock().now().timestamp();
    if !store.finish_pair(pair.id, "ended", reason, now).await? {
        return Ok(None);
    }
    store.cancel_pair_jobs(pair.id, now).await?;
    let partner = pair.partner_of(user_id).map(str::to_string);
    let worker = app.clone();
    let user = user_id.to_string();
    let reason = reason.map(str::to_string);
    app.spawn_background(async move {
        let slack = worker.slack();
        if let Some(p) = &partner {
            if let Err(e) = slack
                .post_message(p, &views::closing::pair_ended(reason.is_some()), None)
                .await
            {
                tracing::warn!(error = %e, "could not tell a partner their pair ended");
            }
            crate::flows::enrolment::refresh_home(&worker, p).await;
        }
        crate::flows::enrolment::refresh_home(&worker, &user).await;
        let note = format!(
            "A pair ended early: <@{}> and <@{}>.{}",
            user,
            partner.as_deref().unwrap_or("(someone who left)"),
            reason
                .as_deref()
                .map(|r| format!(" Reason given (only admins see this): {r}"))
                .unwrap_or_else(|| " No reason was given.".into())
        );
        for admin in &worker.config().admins {
            if let Err(e) = slack.post_message(admin, &note, None).await {
                tracing::warn!(error = %e, "could not tell an admin that a pair ended");
            }
        }
    });
    Ok(Some(views::closing::ended_by_you()))
}
