//! `/mentor feedback` (admins): what people learned and noted in pairs that have closed, anonymous and shuffled, with
//! the rating and usefulness distributions; for the admin's eyes only, and recorded in the audit log.

use crate::context::App;
use crate::inbound::reply::Reply;
use crate::views;

pub async fn apply(app: &App, admin: &str) -> Reply {
    match crate::flows::admin::feedback(app, admin).await {
        Ok(digest) => Reply::Json(views::feedback::slack(&digest)),
        Err(e) => super::sorry(e),
    }
}
