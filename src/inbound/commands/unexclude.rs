//! `/mentor unexclude @a @b` (admins): removes an exclusion, so the two may be paired again. Audited.

use super::say;
use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand, a: String, b: String) -> Reply {
    match crate::flows::admin::unexclude(app, &cmd.user_id, &a, &b).await {
        Ok(true) => say(&format!(
            "Removed the exclusion: <@{a}> and <@{b}> may be paired again in the next round."
        )),
        Ok(false) => say(&format!(
            "<@{a}> and <@{b}> were not excluded, so there was nothing to remove."
        )),
        Err(e) => super::sorry(e),
    }
}
