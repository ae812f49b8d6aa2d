//! `/mentor exclude @a @b` (admins): these two are never paired (ethical walls, conflicts).

use super::say;
use crate::context::App;
use crate::inbound::reply::Reply;

pub async fn apply(app: &App, a: String, b: String) -> Reply {
    match app
        .store()
        .add_exclusion(&a, &b, app.clock().now().timestamp())
        .await
    {
        Ok(true) => say(&format!(
            "Noted: <@{a}> and <@{b}> will never be paired. Any open proposal is re-checked before approval."
        )),
        Ok(false) => say(&format!(
            "<@{a}> and <@{b}> were already excluded from being paired."
        )),
        Err(e) => super::sorry(e),
    }
}
