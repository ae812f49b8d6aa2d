//! `/mentor exclusions` (admins): every exclusion, with who added it and when, for the admin's eyes only.

use crate::context::App;
use crate::inbound::reply::Reply;
use crate::views;

pub async fn apply(app: &App) -> Reply {
    match crate::flows::admin::exclusions(app).await {
        Ok(rows) => Reply::Json(views::exclusions::slack(&rows)),
        Err(e) => super::sorry(e),
    }
}
