//! `/mentor exclude @a @b` (admins): these two are never paired (ethical walls, conflicts). Audited.

use super::say;
use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand, a: String, b: String) -> Reply {
    match crate::flows::admin::exclude(app, &cmd.user_id, &a, &b).await {
        Ok(true) => say(&format!(
            "Noted: <@{a}> and <@{b}> will never be paired. Any open proposal is re-checked before approval."
        )),
        Ok(false) => say(&format!(
            "<@{a}> and <@{b}> were already excluded from being paired."
        )),
        Err(e) => super::sorry(e),
    }
}
