//! `/mentor resume`: ends a pause.

use crate::app::App;
use crate::dispatch::Reply;
use crate::ingress::payload::SlashCommand;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    super::outcome(crate::enrolment::resume(app, &cmd.user_id).await, "resume")
}
