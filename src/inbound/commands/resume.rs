//! `/mentor resume`: ends a pause.

use crate::context::App;
use crate::inbound::reply::Reply;
use crate::inbound::payload::SlashCommand;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    super::outcome(
        crate::flows::enrolment::resume(app, &cmd.user_id).await,
        "resume",
    )
}
