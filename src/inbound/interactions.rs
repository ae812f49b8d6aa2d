//! Buttons and modal submissions: routed by `action_id` and `callback_id` to the flows the slash commands use.
//! Submissions are parsed and validated here (with the pure form parsers); a flow's outcome or failure becomes the
//! modal's answer: closed when saved, field errors when not (a failed save is never shown as success).

use super::reply::{Reply, field_errors, not_saved};
use crate::context::App;
use crate::domain::forms::help;
use crate::domain::forms::pair_forms::{self, CheckinAnswer};
use crate::domain::forms::survey;
use crate::flows::checkins::{Answered, MetOpened, Taking};
use crate::flows::delivery::{queue_message, text_message};
use crate::flows::enrolment::{self, NotOpened, Outcome};
use crate::flows::plans::Saved;
use crate::flows::trouble::{Acted, Asked, HelpOpened};
use crate::inbound::dispatch::DispatchError;
use crate::inbound::payload::{Action, Interaction, View};
use crate::outbound::store::StoreError;
use crate::views::{self, enrolment as ev, home, proposal};
use serde_json::Value;
use std::collections::BTreeMap;

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
            survey::CALLBACK_ID => submit_survey(app, &user.id, &view).await,
            pair_forms::CALLBACK_PLAN => submit_plan(app, &user.id, &view).await,
            pair_forms::CALLBACK_MET => submit_met(app, &user.id, &view).await,
            pair_forms::CALLBACK_FEEDBACK => submit_feedback(app, &user.id, &view).await,
            help::CALLBACK_HELP => submit_help(app, &user.id, &view).await,
            help::CALLBACK_MESSAGE => submit_admin_message(app, &user.id, &view).await,
            _ => Reply::Ack,
        }),
        Interaction::ViewClosed { .. } | Interaction::Ignored { .. } => Ok(Reply::Ack),
    }
}

/// One message under one block of a modal.
fn error_on(block: &str, message: &str) -> Reply {
    field_errors(&BTreeMap::from([(block.to_string(), message.to_string())]))
}

/// A survey submission: refused unless it is the modal Tandem opened for this user; validated; saved with its
/// follow-up (time zone, confirmation DM, Home tab) queued in the same transaction.
async fn submit_survey(app: &App, user_id: &str, view: &View) -> Reply {
    match enrolment::is_our_survey(app, &view.id, user_id, &view.private_metadata).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(
                "refused a survey submission for a modal Tandem did not open for this user"
            );
            return error_on(
                survey::B_ROLE,
                "This form is out of date. Close it and type `/mentor join` again.",
            );
        }
        Err(e) => return not_saved(survey::B_ROLE, &e),
    }
    let answers = match survey::parse_submission(&view.state.values, app.catalog(), user_id) {
        Ok(a) => a,
        Err(errors) => return field_errors(&errors),
    };
    match enrolment::save_survey(app, user_id, &answers).await {
        Ok(()) => Reply::Ack,
        Err(e) => not_saved(survey::B_ROLE, &e),
    }
}

/// The pair's or check-in's ID in a pair modal's `private_metadata`.
fn pair_modal_id(view: &View) -> Option<i64> {
    pair_forms::parse_metadata(&view.private_metadata)
}

const PAIR_GONE: &str = "This pair is no longer running, so nothing was saved.";

async fn submit_plan(app: &App, user_id: &str, view: &View) -> Reply {
    let Some(pair_id) = pair_modal_id(view) else {
        return Reply::Ack;
    };
    let today = app.clock().now().date_naive();
    let plan = match pair_forms::parse_plan(&view.state.values, today) {
        Ok(p) => p,
        Err(errors) => return field_errors(&errors),
    };
    match crate::flows::plans::save(app, pair_id, user_id, plan).await {
        Ok(Saved::Saved) => Reply::Ack,
        Ok(Saved::NotTheirs) => error_on(pair_forms::B_OBJECTIVE, PAIR_GONE),
        Err(e) => not_saved(pair_forms::B_OBJECTIVE, &e),
    }
}

async fn submit_met(app: &App, user_id: &str, view: &View) -> Reply {
    let Some(checkin_id) = pair_modal_id(view) else {
        return Reply::Ack;
    };
    let met = match pair_forms::parse_met(&view.state.values) {
        Ok(m) => m,
        Err(errors) => return field_errors(&errors),
    };
    // The form is the person's answer as they last gave it: it replaces an earlier one (one answer per check-in).
    match crate::flows::checkins::answer(
        app,
        checkin_id,
        user_id,
        CheckinAnswer::Met,
        Some(&met),
        Taking::Replacing,
    )
    .await
    {
        Ok(Answered::Recorded | Answered::Changed | Answered::AlreadyAnswered) => Reply::Ack,
        Ok(Answered::NotTheirs) => error_on(pair_forms::B_MINUTES, PAIR_GONE),
        Err(e) => not_saved(pair_forms::B_MINUTES, &e),
    }
}

async fn submit_feedback(app: &App, user_id: &str, view: &View) -> Reply {
    let Some(pair_id) = pair_modal_id(view) else {
        return Reply::Ack;
    };
    let feedback = match pair_forms::parse_feedback(&view.state.values) {
        Ok(f) => f,
        Err(errors) => return field_errors(&errors),
    };
    match crate::flows::endings::record_feedback(app, pair_id, user_id, &feedback).await {
        Ok(true) => Reply::Ack,
        Ok(false) => error_on(
            pair_forms::B_RATING,
            "This form is not for one of your pairs.",
        ),
        Err(e) => not_saved(pair_forms::B_RATING, &e),
    }
}

/// The private help modal's submission: recorded, and the admins alerted, without a word in the pair's DM.
async fn submit_help(app: &App, user_id: &str, view: &View) -> Reply {
    let Some(checkin_id) = pair_modal_id(view) else {
        return Reply::Ack;
    };
    let request = match help::parse_help(&view.state.values) {
        Ok(r) => r,
        Err(errors) => return field_errors(&errors),
    };
    match crate::flows::trouble::request_help(app, checkin_id, user_id, &request).await {
        Ok(Asked::Recorded | Asked::AlreadyAsked) => Reply::Ack,
        Ok(Asked::NotTheirs) => error_on(help::B_HELP_TELL, PAIR_GONE),
        Err(e) => not_saved(help::B_HELP_TELL, &e),
    }
}

/// An admin's *Message them* submission (admins only, like the button that opened it).
async fn submit_admin_message(app: &App, user_id: &str, view: &View) -> Reply {
    let Some(r) = help::parse_alert_value(&view.private_metadata) else {
        return Reply::Ack;
    };
    let message = match help::parse_admin_message(&view.state.values, r.help_id.is_some()) {
        Ok(m) => m,
        Err(errors) => return field_errors(&errors),
    };
    match crate::flows::trouble::send_message(app, user_id, r, &message).await {
        Ok(Acted::Done) => Reply::Ack,
        Ok(Acted::NotAdmin) => {
            tracing::warn!("a non-admin submitted an admin's message form");
            error_on(help::B_MESSAGE_TEXT, crate::views::trouble::ADMINS_ONLY)
        }
        Ok(Acted::AlreadyOver | Acted::NotFound) => error_on(
            help::B_MESSAGE_TEXT,
            "This pairing has ended, so nothing was sent.",
        ),
        Err(e) => not_saved(help::B_MESSAGE_TEXT, &e),
    }
}

/// Replies to the message a button sat on: the request's own reply, sent through its `response_url` once the
/// decision is committed.
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

/// Tells someone privately (in their DM with Tandem) what happened when there is no message to reply to: queued as
/// a job like every other message. If even that fails (the store is down), it is logged.
async fn tell(app: &App, user_id: &str, text: &str) {
    let queued = async {
        let now = app.now();
        let mut tx = app.store().write().await?;
        queue_message(&mut tx, &text_message(user_id, text), None, now).await?;
        app.commit(tx).await
    };
    if let Err(e) = queued.await {
        tracing::error!(error = %e, "could not queue a message to someone who pressed a button");
    }
}

async fn on_action(
    app: &App,
    user_id: &str,
    action: &Action,
    trigger_id: Option<&str>,
    response_url: Option<&str>,
) {
    let failed = "Tandem could not do that just now. Please try again in a minute.";
    let report = async |result: Result<Outcome, StoreError>| {
        if let Err(e) = result {
            tracing::error!(error = %e, "a Home tab action failed");
            tell(app, user_id, failed).await;
        }
    };
    match action.action_id.as_str() {
        home::ACTION_JOIN | home::ACTION_EDIT | views::invitations::ACTION_JOIN => {
            let result = match trigger_id {
                Some(t) => enrolment::open_survey(app, user_id, t).await,
                None => Err(NotOpened(
                    "Slack did not send what I need to open the survey. Please type `/mentor join`."
                        .into(),
                )),
            };
            if let Err(NotOpened(message)) = result {
                tell(app, user_id, &message).await;
            }
        }
        home::ACTION_PAUSE => report(enrolment::pause(app, user_id, None).await).await,
        home::ACTION_RESUME => report(enrolment::resume(app, user_id).await).await,
        home::ACTION_LEAVE => report(enrolment::leave(app, user_id).await).await,
        ev::ACTION_LEAVE_CONFIRM => match enrolment::leave(app, user_id).await {
            Ok(Outcome::Done(_)) | Ok(Outcome::NotEnrolled) => {
                respond_later(app, response_url, ev::left())
            }
            Err(e) => report(Err(e)).await,
        },
        ev::ACTION_LEAVE_CANCEL => respond_later(app, response_url, ev::leave_cancelled()),
        proposal::ACTION_APPROVE | proposal::ACTION_DISCARD | proposal::ACTION_REMOVE => {
            on_proposal(app, user_id, action, response_url).await
        }
        pair_forms::ACTION_PLAN_OPEN | pair_forms::ACTION_FEEDBACK_OPEN => {
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
                _ => crate::flows::endings::open_feedback(app, id, user_id, trigger).await,
            };
            if let Err(e) = opened {
                tracing::warn!(error = %e, "could not open a pair modal");
                tell(
                    app,
                    user_id,
                    "Slack did not let me open that form in time. Please press the button again.",
                )
                .await;
            }
        }
        pair_forms::ACTION_CHECKIN_MET | pair_forms::ACTION_CHECKIN_CHANGE_MET => {
            on_met(app, user_id, action, trigger_id, response_url).await
        }
        pair_forms::ACTION_CHECKIN_HELP => {
            let (Some(id), Some(trigger)) = (
                action.value.as_deref().and_then(pair_forms::parse_id),
                trigger_id,
            ) else {
                return;
            };
            match crate::flows::trouble::open_help(app, id, user_id, trigger).await {
                Ok(HelpOpened::Opened | HelpOpened::NotTheirs) => {}
                Ok(HelpOpened::AlreadyAsked) => {
                    tell(app, user_id, crate::views::trouble::HELP_ALREADY).await
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not open the help form");
                    tell(
                        app,
                        user_id,
                        "Slack did not let me open the help form in time. Please press *We need help* again.",
                    )
                    .await;
                }
            }
        }
        help::ACTION_MESSAGE | help::ACTION_END | help::ACTION_REMATCH => {
            on_alert(app, user_id, action, trigger_id).await
        }
        pair_forms::ACTION_CHECKIN_REVIEW => {
            let Some(id) = action.value.as_deref().and_then(pair_forms::parse_id) else {
                return;
            };
            match crate::flows::checkins::own_answer(app, id, user_id).await {
                Ok(Some(own)) => {
                    reply_privately(
                        app,
                        user_id,
                        response_url,
                        views::checkin::answered_reply(id, &own),
                    )
                    .await
                }
                Ok(None) => {}
                Err(e) => report(Err(e)).await,
            }
        }
        pair_forms::ACTION_CHECKIN_NOT_YET | pair_forms::ACTION_CHECKIN_CHANGE_NOT_YET => {
            on_not_yet(app, user_id, action, response_url).await
        }
        other => tracing::debug!(action = other, "unknown action ignored"),
    }
}

/// *We met* on a check-in (the form; or, for someone who answered already, their answer and an offer to change it),
/// or *Change the details* / *We met after all* on that offer (the form, saying what was recorded, pre-filled).
async fn on_met(
    app: &App,
    user_id: &str,
    action: &Action,
    trigger_id: Option<&str>,
    response_url: Option<&str>,
) {
    let (Some(id), Some(trigger)) = (
        action.value.as_deref().and_then(pair_forms::parse_id),
        trigger_id,
    ) else {
        return;
    };
    let taking = if action.action_id == pair_forms::ACTION_CHECKIN_MET {
        Taking::FirstOnly
    } else {
        Taking::Replacing
    };
    match crate::flows::checkins::open_met_modal(app, id, user_id, trigger, taking).await {
        Ok(MetOpened::Opened | MetOpened::NotTheirs) => {}
        Ok(MetOpened::AlreadyAnswered(own)) => {
            reply_privately(
                app,
                user_id,
                response_url,
                views::checkin::answered_reply(id, &own),
            )
            .await
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not open the we-met form");
            tell(
                app,
                user_id,
                "Slack did not let me open that form in time. Please press the button again.",
            )
            .await;
        }
    }
}

/// *Not yet* on a check-in (recorded once; a second press shows the answer and offers to change it), or *We did
/// not meet* on that offer (the answer becomes "not yet").
async fn on_not_yet(app: &App, user_id: &str, action: &Action, response_url: Option<&str>) {
    use crate::flows::checkins::{answer, own_answer};
    let Some(id) = action.value.as_deref().and_then(pair_forms::parse_id) else {
        return;
    };
    let changing = action.action_id == pair_forms::ACTION_CHECKIN_CHANGE_NOT_YET;
    let taking = if changing {
        Taking::Replacing
    } else {
        Taking::FirstOnly
    };
    let answered = async {
        let outcome = answer(app, id, user_id, CheckinAnswer::NotYet, None, taking).await?;
        let own = match outcome {
            Answered::AlreadyAnswered => own_answer(app, id, user_id).await?,
            Answered::Changed | Answered::Recorded if changing => {
                own_answer(app, id, user_id).await?
            }
            _ => None,
        };
        Ok::<_, StoreError>((outcome, own))
    };
    match answered.await {
        Ok((Answered::AlreadyAnswered, Some(own))) => {
            reply_privately(
                app,
                user_id,
                response_url,
                views::checkin::answered_reply(id, &own),
            )
            .await
        }
        Ok((_, Some(own))) => {
            reply_privately(
                app,
                user_id,
                response_url,
                views::checkin::answer_changed_reply(&own),
            )
            .await
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "could not record a check-in answer");
            tell(app, user_id, "Tandem could not record your answer just now. Please press the button again in a minute.").await;
        }
    }
}

/// Replies privately with a whole body (text and blocks) through the button's `response_url`, or, when Slack sent
/// none, its text as a DM.
async fn reply_privately(app: &App, user_id: &str, response_url: Option<&str>, body: Value) {
    match response_url {
        Some(_) => respond_later(app, response_url, body),
        None => {
            let text = body["text"].as_str().unwrap_or_default().to_string();
            tell(app, user_id, &text).await
        }
    }
}

/// Answers a press privately: an ephemeral reply through the button's `response_url` (the message stays as it is),
/// or a DM when Slack sent none.
async fn answer_press(app: &App, user_id: &str, response_url: Option<&str>, text: &str) {
    match response_url {
        Some(_) => respond_later(
            app,
            response_url,
            serde_json::json!({ "response_type": "ephemeral", "replace_original": false, "text": text }),
        ),
        None => tell(app, user_id, text).await,
    }
}

/// Approve, Discard or Remove on a proposal: admins only; a second press has no second effect, and a press on an
/// older version of the proposal changes nothing and says so. The decision is committed at once; the review
/// message is updated (and the pairs introduced, or the rest re-matched) by jobs.
async fn on_proposal(app: &App, user_id: &str, action: &Action, response_url: Option<&str>) {
    use crate::flows::proposal_edit::{self, Removal};
    use crate::flows::proposals::{self, Approval};
    if !app.config().is_admin(user_id) {
        tracing::warn!("a non-admin pressed a proposal button");
        tell(
            app,
            user_id,
            "Sorry, only the program's admins can approve, change or discard a proposal.",
        )
        .await;
        return;
    }
    let value = action.value.as_deref().unwrap_or_default();
    let decided = |id: i64| {
        format!(
            "Proposal #{id} was already approved or discarded (or replaced), so this press changed nothing."
        )
    };
    let answer: Result<Option<String>, StoreError> = match action.action_id.as_str() {
        proposal::ACTION_APPROVE => {
            let Some((id, version)) = proposal::parse_approve_value(value) else {
                return;
            };
            proposals::approve(app, id, version, user_id).await.map(|a| match a {
                Approval::Approved { .. } | Approval::Stale { .. } => None,
                Approval::NotOpen => Some(decided(id)),
                Approval::Rematching => Some(format!(
                    "Nothing was approved: a pair was just removed from proposal #{id} and the rest is being re-matched. Approve the new version when it replaces the message."
                )),
                Approval::Outdated { current } => Some(format!(
                    "Nothing was approved: you pressed Approve on version {version} of proposal #{id}, and version {current} has replaced it since a pair was removed. Review and approve the latest version."
                )),
            })
        }
        proposal::ACTION_REMOVE => {
            let Some(target) = proposal::RemoveTarget::parse(value) else {
                return;
            };
            let id = target.proposal_id;
            proposal_edit::remove_pair(app, &target, user_id).await.map(|r| match r {
                Removal::Rematching { .. } => None,
                Removal::Busy => Some(format!(
                    "Proposal #{id} is being re-matched after another removal; remove more pairs from the new version when it replaces the message."
                )),
                Removal::Outdated { current } => Some(format!(
                    "Nothing was removed: that button is from version {} of proposal #{id}, and version {current} has replaced it. Use the latest version.",
                    target.version
                )),
                Removal::Closed => Some(decided(id)),
            })
        }
        _ => {
            let Some(id) = value.parse::<i64>().ok() else {
                return;
            };
            proposals::discard(app, id, user_id)
                .await
                .map(|done| (!done).then(|| decided(id)))
        }
    };
    match answer {
        Ok(Some(text)) => answer_press(app, user_id, response_url, &text).await,
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "a proposal decision failed");
            tell(app, user_id, "Tandem could not record that decision just now. Please press the button again in a minute.").await;
        }
    }
}

/// A button on an admins' alert (help or at risk): admins only. *Message them* opens the message modal; *End the
/// pair kindly* and *Re-match both* act at once (Slack asked the admin to confirm before sending the click). The
/// admin is told the outcome by DM.
async fn on_alert(app: &App, user_id: &str, action: &Action, trigger_id: Option<&str>) {
    if !app.config().is_admin(user_id) {
        tracing::warn!("a non-admin pressed a button of an admins' alert");
        tell(app, user_id, crate::views::trouble::ADMINS_ONLY).await;
        return;
    }
    let Some(r) = action.value.as_deref().and_then(help::parse_alert_value) else {
        return;
    };
    let failed = "Tandem could not do that just now. Please press the button again in a minute.";
    let result = match action.action_id.as_str() {
        help::ACTION_MESSAGE => {
            let Some(trigger) = trigger_id else {
                tell(app, user_id, failed).await;
                return;
            };
            crate::flows::trouble::open_message_modal(app, user_id, r, trigger)
                .await
                .map_err(|e| e.to_string())
        }
        rematch => {
            crate::flows::trouble::end_pair(app, user_id, r, rematch == help::ACTION_REMATCH)
                .await
                .map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(Acted::NotFound) => tell(app, user_id, "That pair no longer exists.").await,
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "an admin's action on a pair failed");
            tell(app, user_id, failed).await;
        }
    }
}
