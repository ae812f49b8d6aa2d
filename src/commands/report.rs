//! `/mentor report` (admins): the managers' summary of the period so far, ephemeral.

use crate::app::App;
use crate::dispatch::Reply;
use crate::views;
use serde_json::json;

pub async fn apply(app: &App) -> Reply {
    let now = app.clock().now();
    match crate::summaries::current(
        app.store(),
        app.catalog(),
        app.match_config(),
        &app.config().summary_schedule,
        now,
    )
    .await
    {
        Ok((summary, _)) => Reply::Json(json!({
            "response_type": "ephemeral",
            "text": views::summary::summary_text(&summary),
            "blocks": views::summary::summary_blocks(&summary),
        })),
        Err(e) => super::sorry(e),
    }
}
