//! `/mentor mydata`: everything Tandem holds about the person, sent to them in a DM (a summary and a JSON file).

use super::say;
use crate::context::App;
use crate::flows::subject_access::{self, Requested};
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;
use crate::views::subject_access::{NOTHING_HELD, ON_ITS_WAY};

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    match subject_access::request(app, &cmd.user_id).await {
        Ok(Requested::Queued) => say(ON_ITS_WAY),
        Ok(Requested::NothingHeld) => say(NOTHING_HELD),
        Err(e) => super::sorry(e),
    }
}
