//! `/mentor leave`: asks for confirmation with a button; the button (see `interactions`) deletes the answers.

use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;
use crate::views;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    match app.store().participant(&cmd.user_id).await {
        Ok(Some(_)) => Reply::Json(views::enrolment::leave_confirmation()),
        Ok(None) => Reply::Json(views::enrolment::not_enrolled("leave")),
        Err(e) => super::sorry(e),
    }
}
