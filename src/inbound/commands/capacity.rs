//! `/mentor capacity @senior N` (admins): how many reverse mentors a senior takes at once.

use super::say;
use crate::context::App;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, user: String, capacity: u8) -> Reply {
    match app.store().set_capacity(&user, capacity).await {
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
