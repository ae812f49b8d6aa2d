//! `/mentor profile`: reopens the survey pre-filled with the current answers.

use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;
use crate::views;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    match app.store().participant(&cmd.user_id).await {
        Ok(Some(_)) => super::join::apply(app, cmd).await,
        Ok(None) => Reply::Json(views::enrolment::not_enrolled("edit")),
        Err(e) => super::sorry(e),
    }
}
