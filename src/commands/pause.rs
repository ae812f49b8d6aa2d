//! `/mentor pause [weeks]`: no matching and no nudges for a while.

use crate::app::App;
use crate::dispatch::Reply;
use crate::ingress::payload::SlashCommand;

pub async fn apply(app: &App, cmd: &SlashCommand, weeks: Option<u32>) -> Reply {
    super::outcome(
        crate::enrolment::pause(app, &cmd.user_id, weeks).await,
        "pause",
    )
}
