//! `/mentor invite #channel | @group` (admins): invites the members of a channel or user group who have not joined
//! to take the survey. Audited.
//!
//! The members come from Slack (`conversations.members`, `usergroups.users.list`), which is the one Web API read this
//! command makes besides the decision itself. It runs off the request path, in a background task, and the command
//! waits for it at most [`ANSWER_WITHIN`]: usually the answer (with the counts) is the command's own reply; for a
//! very large channel, or a slow Slack, the command answers that the lookup is under way and the background task
//! posts the counts through the command's `response_url` when done. Either way the invitations and their DMs' jobs
//! are written in one transaction ([`crate::flows::invitations::invite`]), and nothing is written when the lookup
//! fails.

use super::say;
use crate::context::App;
use crate::domain::slack_id::Audience;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;
use crate::outbound::slack_api::ApiError;
use crate::views;
use serde_json::Value;
use std::time::Duration;

/// How long the command waits for the member list and the decision before answering that it is under way (Slack
/// wants an answer within 3 seconds).
pub const ANSWER_WITHIN: Duration = Duration::from_millis(2000);

pub async fn apply(app: &App, cmd: &SlashCommand, audience: Audience) -> Reply {
    let (tx, mut rx) = tokio::sync::oneshot::channel::<Value>();
    let worker = app.clone();
    let admin = cmd.user_id.clone();
    let response_url = cmd.response_url.clone();
    let target = audience.clone();
    app.spawn_background(async move {
        let answer = invite(&worker, &admin, &target).await;
        // The command stopped waiting: the answer goes through the response URL instead.
        if let Err(answer) = tx.send(answer)
            && !response_url.is_empty()
            && let Err(e) = worker.slack().respond(&response_url, &answer).await
        {
            tracing::warn!(error = %e, "could not answer /mentor invite through response_url");
        }
    });
    match tokio::time::timeout(ANSWER_WITHIN, &mut rx).await {
        Ok(Ok(answer)) => Reply::Json(answer),
        Ok(Err(_)) => super::sorry("the invitation task ended without an answer"),
        Err(_) => {
            rx.close();
            match rx.try_recv() {
                Ok(answer) => Reply::Json(answer),
                Err(_) => say(&format!(
                    "Looking up the members of {}; I will tell you here how many are invited in a moment.",
                    audience.mrkdwn()
                )),
            }
        }
    }
}

/// Reads the members, invites them, and returns the ephemeral answer for the admin.
async fn invite(app: &App, admin: &str, audience: &Audience) -> Value {
    let members = match audience {
        Audience::Channel { id, .. } => app.slack().conversation_members(id).await,
        Audience::UserGroup { id, .. } => app.slack().usergroup_members(id).await,
    };
    let members = match members {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the members to invite");
            let text = lookup_failed(audience, &e);
            return views::ephemeral(&text, vec![views::section(&text)]);
        }
    };
    match crate::flows::invitations::invite(app, admin, &audience.label(), &members).await {
        Ok(sorted) => {
            let text = views::invitations::invite_reply(
                &audience.mrkdwn(),
                &sorted,
                app.config().checkin_time,
            );
            views::ephemeral(&text, vec![views::section(&text)])
        }
        Err(e) => match super::sorry(e) {
            Reply::Json(v) => v,
            _ => Value::Null,
        },
    }
}

/// Why the members could not be read, in words for the admin.
fn lookup_failed(audience: &Audience, e: &ApiError) -> String {
    let name = audience.mrkdwn();
    let nothing = "Nobody was invited.";
    match (audience, e.code()) {
        (Audience::Channel { .. }, Some("channel_not_found")) => format!(
            "I cannot see the members of {name}. If it is a private channel, add Tandem to it first (`/invite @Tandem` in the channel), then try again. {nothing}"
        ),
        (Audience::Channel { .. }, Some("method_not_supported_for_channel_type")) => {
            format!(
                "{name} is not a channel I can invite from; pick a public or private channel. {nothing}"
            )
        }
        (Audience::UserGroup { .. }, Some("no_such_subteam")) => {
            format!("Slack does not know the user group {name} (was it deleted?). {nothing}")
        }
        (Audience::UserGroup { .. }, Some("plan_upgrade_required")) => format!(
            "This workspace's Slack plan has no user groups; invite from a channel instead. {nothing}"
        ),
        (_, Some("missing_scope")) => format!(
            "Tandem is not allowed to read the members of {name}: the app lacks a permission (scope) that the current `manifest.yml` asks for. Ask whoever installed Tandem to update the app from the manifest and reinstall it. {nothing}"
        ),
        (_, _) if matches!(e, ApiError::RateLimited { .. }) => format!(
            "Slack asked Tandem to slow down while reading the members of {name}. Please try again in a minute. {nothing}"
        ),
        _ => format!(
            "Slack did not give me the members of {name} just now. Please try again in a minute. {nothing}"
        ),
    }
}
