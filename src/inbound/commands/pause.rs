//! `/mentor pause [weeks]`: no matching and no nudges for a while.

use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand, weeks: Option<u32>) -> Reply {
    super::outcome(
        crate::flows::enrolment::pause(app, &cmd.user_id, weeks).await,
        "pause",
    )
}
