//! `/mentor status`: where someone stands, for their eyes only.

use crate::context::App;
use crate::inbound::payload::SlashCommand;
use crate::inbound::reply::Reply;
use crate::views;

pub async fn apply(app: &App, cmd: &SlashCommand) -> Reply {
    let store = app.store();
    match (
        store.participant(&cmd.user_id).await,
        store.current_pair(&cmd.user_id).await,
    ) {
        (Ok(p), Ok(pair)) => Reply::Json(views::enrolment::status(
            p.as_ref(),
            pair.as_ref(),
            app.catalog(),
            app.clock().now().timestamp(),
            crate::flows::rounds::next_round(app),
        )),
        (Err(e), _) | (_, Err(e)) => super::sorry(e),
    }
}
