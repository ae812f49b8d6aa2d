//! Buttons and modal submissions: routed by `action_id` and `callback_id` to the same operations the slash commands
//! use ([`crate::enrolment`]).

use crate::app::App;
use crate::dispatch::{DispatchError, Reply};
use crate::enrolment::{self, Outcome};
use crate::ingress::payload::{Action, Interaction};
use crate::survey;
use crate::views::{enrolment as ev, home};
use serde_json::Value;

pub async fn handle(app: &App, interaction: Interaction) -> Result<Reply, DispatchError> {
    match interaction {
        Interaction::BlockActions {
            user,
            trigger_id,
            actions,
            response_url,
            ..
        } => {
            let Some(action) = actions.first() else {
                return Ok(Reply::Ack);
            };
            on_action(
                app,
                &user.id,
                action,
                trigger_id.as_deref(),
                response_url.as_deref(),
            )
            .await;
            Ok(Reply::Ack)
        }
        Interaction::ViewSubmission { user, view } if view.callback_id == survey::CALLBACK_ID => {
            Ok(enrolment::submit_survey(app, &user.id, &view).await)
        }
        Interaction::ViewSubmission { .. }
        | Interaction::ViewClosed { .. }
        | Interaction::Ignored { .. } => Ok(Reply::Ack),
    }
}

/// Replies to the message a button sat on, off the request path.
fn respond_later(app: &App, response_url: Option<&str>, body: Value) {
    let Some(url) = response_url.map(str::to_string) else {
        return;
    };
    let worker = app.clone();
    app.spawn_background(async move {
        if let Err(e) = worker.slack().respond(&url, &body).await {
            tracing::warn!(error = %e, "could not answer through response_url");
        }
    });
}

/// Tells someone privately (in their DM with Tandem) what happened, when there is no message to reply to.
fn tell_later(app: &App, user_id: &str, text: String) {
    let worker = app.clone();
    let user = user_id.to_string();
    app.spawn_background(async move {
        if let Err(e) = worker.slack().post_message(&user, &text, None).await {
            tracing::warn!(error = %e, "could not send a DM");
        }
    });
}

async fn on_action(
    app: &App,
    user_id: &str,
    action: &Action,
    trigger_id: Option<&str>,
    response_url: Option<&str>,
) {
    let report = |result: Result<Outcome, crate::store::StoreError>| match result {
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "a Home tab action failed");
            tell_later(
                app,
                user_id,
                "Tandem could not do that just now. Please try again in a minute.".into(),
            );
        }
    };
    match action.action_id.as_str() {
        home::ACTION_JOIN | home::ACTION_EDIT => {
            let result = match trigger_id {
                Some(t) => enrolment::open_survey(app, user_id, t).await,
                None => Err("Slack did not send what I need to open the survey. Please type `/mentor join`.".into()),
            };
            if let Err(message) = result {
                tell_later(app, user_id, message);
            }
        }
        home::ACTION_PAUSE => report(enrolment::pause(app, user_id, None).await),
        home::ACTION_RESUME => report(enrolment::resume(app, user_id).await),
        home::ACTION_LEAVE => report(enrolment::leave(app, user_id).await),
        ev::ACTION_LEAVE_CONFIRM => match enrolment::leave(app, user_id).await {
            Ok(Outcome::Done(_)) | Ok(Outcome::NotEnrolled) => {
                respond_later(app, response_url, ev::left())
            }
            Err(e) => report(Err(e)),
        },
        ev::ACTION_LEAVE_CANCEL => respond_later(app, response_url, ev::leave_cancelled()),
        other => tracing::debug!(action = other, "unknown action ignored"),
    }
}
