//! `/mentor capacity @senior N` (admins): how many reverse mentors a senior takes at once. Audited.

use super::say;
use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand, user: String, capacity: u8) -> Reply {
    match crate::flows::admin::set_capacity(app, &cmd.user_id, &user, capacity).await {
        Ok(true) => say(&format!(
            "<@{user}> can now take {capacity} reverse mentor{} at once.",
            if capacity == 1 { "" } else { "s" }
        )),
        Ok(false) => say(&format!(
            "<@{user}> has not joined Tandem, so there is no capacity to set."
        )),
        Err(e) => super::sorry(e),
    }
}
