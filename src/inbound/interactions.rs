//! Buttons and modal submissions: routed by `action_id` and `callback_id` to the same operations the slash commands
//! use ([`crate::flows::enrolment`]).

use crate::context::App;
use crate::domain::forms::pair_forms::{self, CheckinAnswer};
use crate::domain::forms::survey;
use crate::flows::enrolment::{self, Outcome};
use crate::inbound::dispatch::{DispatchError, Reply};
use crate::inbound::payload::{Action, Interaction};
use crate::views::{enrolment as ev, home, proposal};
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
        Interaction::ViewSubmission { user, view } => Ok(match view.callback_id.as_str() {
            survey::CALLBACK_ID => enrolment::submit_survey(app, &user.id, &view).await,
            pair_forms::CALLBACK_PLAN => crate::flows::plans::submit(app, &user.id, &view).await,
            pair_forms::CALLBACK_MET => {
                crate::flows::checkins::submit_met(app, &user.id, &view).await
            }
            pair_forms::CALLBACK_FEEDBACK => {
                crate::flows::endings::submit_feedback(app, &user.id, &view).await
            }
            _ => Reply::Ack,
        }),
        Interaction::ViewClosed { .. } | Interaction::Ignored { .. } => Ok(Reply::Ack),
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
    let report = |result: Result<Outcome, crate::outbound::store::StoreError>| match result {
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
        proposal::ACTION_APPROVE | proposal::ACTION_DISCARD => {
            on_proposal(app, user_id, action).await
        }
        pair_forms::ACTION_PLAN_OPEN
        | pair_forms::ACTION_CHECKIN_MET
        | pair_forms::ACTION_FEEDBACK_OPEN => {
            let (Some(id), Some(trigger)) = (
                action.value.as_deref().and_then(pair_forms::parse_id),
                trigger_id,
            ) else {
                return;
            };
            let opened = match action.action_id.as_str() {
                pair_forms::ACTION_PLAN_OPEN => {
                    crate::flows::plans::open_modal(app, id, user_id, trigger).await
                }
                pair_forms::ACTION_CHECKIN_MET => {
                    crate::flows::checkins::open_met_modal(app, id, user_id, trigger).await
                }
                _ => crate::flows::endings::open_feedback(app, id, user_id, trigger).await,
            };
            if let Err(e) = opened {
                tracing::warn!(error = %e, "could not open a pair modal");
                tell_later(
                    app,
                    user_id,
                    "Slack did not let me open that form in time. Please press the button again."
                        .into(),
                );
            }
        }
        pair_forms::ACTION_CHECKIN_NOT_YET | pair_forms::ACTION_CHECKIN_HELP => {
            let Some(id) = action.value.as_deref().and_then(pair_forms::parse_id) else {
                return;
            };
            let answer =
                CheckinAnswer::from_action_id(&action.action_id).unwrap_or(CheckinAnswer::NotYet);
            if let Err(e) = crate::flows::checkins::answer(app, id, user_id, answer, None).await {
                tracing::error!(error = %e, "could not record a check-in answer");
            }
        }
        other => tracing::debug!(action = other, "unknown action ignored"),
    }
}

/// Approve or Discard on a proposal: admins only; a second press has no second effect.
async fn on_proposal(app: &App, user_id: &str, action: &Action) {
    if !app.config().is_admin(user_id) {
        tracing::warn!("a non-admin pressed a proposal button");
        tell_later(
            app,
            user_id,
            "Sorry, only the program's admins can approve or discard a proposal.".into(),
        );
        return;
    }
    let Some(id) = action.value.as_deref().and_then(|v| v.parse::<i64>().ok()) else {
        return;
    };
    let result = if action.action_id == proposal::ACTION_APPROVE {
        crate::flows::proposals::approve(app, id, user_id)
            .await
            .map(|outcome| {
                if let crate::flows::proposals::Approval::Approved { pair_ids } = outcome {
                    crate::flows::introductions::introduce_later(app, pair_ids);
                }
            })
    } else {
        crate::flows::proposals::discard(app, id, user_id)
            .await
            .map(|_| ())
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "a proposal decision failed");
        tell_later(app, user_id, "Tandem could not record that decision just now. Please press the button again in a minute.".into());
    }
}
