//! `/mentor audit` (admins): the latest admin actions from the audit log, for the admin's eyes only.

use crate::context::App;
use crate::inbound::reply::Reply;
use crate::views;

pub async fn apply(app: &App) -> Reply {
    match crate::flows::admin::latest(app).await {
        Ok(rows) => Reply::Json(views::audit::slack(&rows)),
        Err(e) => super::sorry(e),
    }
}
