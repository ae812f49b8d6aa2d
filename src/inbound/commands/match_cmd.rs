//! `/mentor match` (admins): computes a proposal off the request path and sends it to the admin for review.

use super::say;
use crate::context::App;
use crate::flows::proposals::{self, Started};
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    match proposals::start_round(app, &cmd.user_id).await {
        Ok(Started::Computing) => say(
            "Working out the best pairs for everyone enrolled. I'll send you the proposal in a DM to review; nobody is told anything before you approve.",
        ),
        Ok(Started::AlreadyPending { created_at }) => say(&format!(
            "A proposal from {} is still waiting for review. Approve or discard it first (it is in the DM where Tandem sent it).",
            crate::views::home::slack_date(created_at)
        )),
        Err(e) => super::sorry(e),
    }
}
