//! `/mentor resume`: ends a pause.

use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    super::outcome(
        crate::flows::enrolment::resume(app, &cmd.user_id).await,
        "resume",
    )
}
