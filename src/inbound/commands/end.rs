//! `/mentor end [reason]`: ends the member's current pair early.

use super::say;
use crate::context::App;
use crate::inbound::dispatch::Reply;
use crate::inbound::payload::SlashCommand;

pub async fn apply(app: &App, cmd: &SlashCommand, reason: Option<&str>) -> Reply {
    match crate::flows::endings::end_early(app, &cmd.user_id, reason).await {
        Ok(Some(message)) => say(&message),
        Ok(None) => say(
            "You are not in a pair right now, so there is nothing to end. `/mentor status` shows where you stand.",
        ),
        Err(e) => super::sorry(e),
    }
}
