//! A person's enrolment, as operations shared by the slash commands and the Home tab's buttons: open the survey,
//! take its answers, pause, resume, leave, and re-publish the Home tab.

use crate::context::App;
use crate::domain::forms::survey::{self, FieldErrors};
use crate::inbound::dispatch::Reply;
use crate::inbound::payload::View;
use crate::views;
use serde_json::json;

fn now(app: &App) -> i64 {
    app.clock().now().timestamp()
}

/// A fresh random nonce for a modal's `private_metadata`.
pub fn nonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Opens the survey modal (pre-filled when the person is enrolled). Must run on the request path: the trigger ID
/// lives 3 seconds. Returns a message for the person when Slack refuses.
pub async fn open_survey(app: &App, user_id: &str, trigger_id: &str) -> Result<(), String> {
    let current = app.store().participant(user_id).await.map_err(|e| {
        tracing::error!(error = %e, "cannot read a participant");
        "Tandem could not read your answers just now; please try again in a minute.".to_string()
    })?;
    let nonce = nonce();
    let view =
        views::survey::survey_modal(app.catalog(), current.as_ref().map(|p| &p.answers), &nonce);
    match app.slack().open_view(trigger_id, &view).await {
        Ok(view_id) => app
            .store()
            .record_survey_view(&view_id, user_id, &nonce, now(app))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot record a survey view");
                "Tandem could not open the survey just now; please try again.".to_string()
            }),
        Err(e) => {
            tracing::warn!(error = %e, "views.open failed");
            Err(
                "Slack did not let me open the survey in time. Please type `/mentor join` again."
                    .to_string(),
            )
        }
    }
}

/// A submitted survey: refused unless it is the modal Tandem opened for this user; validated; stored; then (off the
/// request path) the time zone is fetched, a confirmation DM sent and the Home tab re-published.
pub async fn submit_survey(app: &App, user_id: &str, view: &View) -> Reply {
    let ours = app
        .store()
        .is_survey_view_of(&view.id, user_id, &view.private_metadata)
        .await;
    match ours {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(
                "refused a survey submission for a modal Tandem did not open for this user"
            );
            return errors(FieldErrors::from([(
                survey::B_ROLE.to_string(),
                "This form is out of date. Close it and type `/mentor join` again.".to_string(),
            )]));
        }
        Err(e) => return internal(e),
    }
    let answers = match survey::parse_submission(&view.state.values, app.catalog(), user_id) {
        Ok(a) => a,
        Err(field_errors) => return errors(field_errors),
    };
    let first_time = match app.store().save_answers(user_id, &answers, now(app)).await {
        Ok(f) => f,
        Err(e) => return internal(e),
    };
    if let Err(e) = app.store().forget_survey_views(user_id).await {
        tracing::warn!(error = %e, "could not forget survey views");
    }
    let worker = app.clone();
    let user = user_id.to_string();
    app.spawn_background(async move {
        match worker.slack().user_profile(&user).await {
            Ok(profile) => {
                let store = worker.store();
                if let Some(tz) = &profile.tz
                    && let Err(e) = store.set_timezone(&user, tz).await
                {
                    tracing::warn!(error = %e, "could not store a time zone");
                }
                if let Some(name) = &profile.name
                    && let Err(e) = store.set_display_name(&user, name).await
                {
                    tracing::warn!(error = %e, "could not store a name");
                }
            }
            Err(e) => tracing::warn!(error = %e, "users.info failed; keeping the stored time zone"),
        }
        if let Ok(Some(p)) = worker.store().participant(&user).await {
            let (text, blocks) = views::enrolment::joined_dm(&p, worker.catalog(), first_time);
            if let Err(e) = worker
                .slack()
                .post_message(&user, &text, Some(&blocks))
                .await
            {
                tracing::warn!(error = %e, "could not send the confirmation DM");
            }
        }
        refresh_home(&worker, &user).await;
    });
    Reply::Ack
}

fn errors(field_errors: FieldErrors) -> Reply {
    Reply::Json(json!({ "response_action": "errors", "errors": field_errors }))
}

fn internal(e: impl std::fmt::Display) -> Reply {
    tracing::error!(error = %e, "store failed while handling a survey");
    errors(FieldErrors::from([(
        survey::B_ROLE.to_string(),
        "Tandem could not save your answers just now; please try again in a minute.".to_string(),
    )]))
}

/// Re-publishes someone's Home tab from their current standing. Failures are logged, not raised.
pub async fn refresh_home(app: &App, user_id: &str) {
    // Read and publish under the person's lock: two refreshes racing could otherwise publish an older state last.
    let now = now(app);
    let (p, pair) = match (
        app.store().participant(user_id).await,
        app.store().current_pair(user_id).await,
    ) {
        (Ok(p), Ok(pair)) => (p, pair),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot read standing for the Home tab");
            return;
        }
    };
    let view = views::home::home(p.as_ref(), pair.as_ref(), app.catalog(), now);
    if let Err(e) = app.slack().publish_home(user_id, &view).await {
        tracing::warn!(error = %e, "could not publish the Home tab");
    }
}

/// Re-publishes the Home tab off the request path.
pub fn refresh_home_later(app: &App, user_id: &str) {
    let worker = app.clone();
    let user = user_id.to_string();
    app.spawn_background(async move { refresh_home(&worker, &user).await });
}

/// What a pause, resume or leave did, for the person's eyes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(String),
    NotEnrolled,
}

/// Pauses someone for `weeks` weeks, or until they resume.
pub async fn pause(
    app: &App,
    user_id: &str,
    weeks: Option<u32>,
) -> Result<Outcome, crate::outbound::store::StoreError> {
    let now_dt = app.clock().now();
    let until = weeks.map(|w| crate::domain::schedule::pause_until(now_dt, w).timestamp());
    if !app
        .store()
        .pause(user_id, until, now_dt.timestamp())
        .await?
    {
        return Ok(Outcome::NotEnrolled);
    }
    refresh_home_later(app, user_id);
    Ok(Outcome::Done(match until {
        Some(u) => format!(
            "You are paused until {}: no matching and no nudges until then. It ends by itself; `/mentor resume` ends it sooner.",
            views::home::slack_date(u)
        ),
        None => {
            "You are paused: no matching and no nudges until you type `/mentor resume`.".to_string()
        }
    }))
}

pub async fn resume(
    app: &App,
    user_id: &str,
) -> Result<Outcome, crate::outbound::store::StoreError> {
    if !app.store().resume(user_id, now(app)).await? {
        return Ok(Outcome::NotEnrolled);
    }
    refresh_home_later(app, user_id);
    Ok(Outcome::Done(
        "Welcome back: you are active again and will be considered in the next matching round."
            .to_string(),
    ))
}

/// Deletes someone's answers and profile and ends their pair; their partner gets a kind DM (no reason).
pub async fn leave(
    app: &App,
    user_id: &str,
) -> Result<Outcome, crate::outbound::store::StoreError> {
    if app.store().participant(user_id).await?.is_none() {
        return Ok(Outcome::NotEnrolled);
    }
    let departure = app.store().delete_participant(user_id, now(app)).await?;
    let worker = app.clone();
    let user = user_id.to_string();
    app.spawn_background(async move {
        for (_, partner) in departure.ended_pairs {
            if let Some(partner) = partner {
                if let Err(e) = worker
                    .slack()
                    .post_message(&partner, &views::enrolment::partner_left_dm(), None)
                    .await
                {
                    tracing::warn!(error = %e, "could not tell a partner their pair ended");
                }
                refresh_home(&worker, &partner).await;
            }
        }
        refresh_home(&worker, &user).await;
    });
    Ok(Outcome::Done(
        "You have left Tandem and your answers are deleted.".to_string(),
    ))
}
