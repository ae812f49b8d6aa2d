//! `/mentor join`: opens the survey at once (the trigger ID lives 3 seconds).

use super::say;
use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    if cmd.trigger_id.is_empty() {
        return say(
            "Slack did not send what I need to open the survey. Please type `/mentor join` again.",
        );
    }
    match crate::flows::enrolment::open_survey(app, &cmd.user_id, &cmd.trigger_id).await {
        Ok(()) => Reply::Ack,
        Err(crate::flows::enrolment::NotOpened(message)) => say(&message),
    }
}
