//! `/mentor end [reason]`: ends the member's current pair early.

use super::say;
use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand, reason: Option<&str>) -> Reply {
    match crate::flows::endings::end_early(app, &cmd.user_id, reason).await {
        Ok(true) => say(&crate::views::closing::ended_by_you()),
        Ok(false) => say(
            "You are not in a pair right now, so there is nothing to end. `/mentor status` shows where you stand.",
        ),
        Err(e) => super::sorry(e),
    }
}
