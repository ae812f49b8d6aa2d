//! The Home tab: re-published from the person's current standing by a job, queued (one per person) in the
//! transaction that changed that standing.

use super::delivery::{JobError, payload};
use crate::context::App;
use crate::domain::model::{JobKind, UserPayload};
use crate::outbound::store::{Job, NewJob, StoreError, Tx};
use crate::views;

/// Queues a refresh of `user_id`'s Home tab, due now. A refresh already waiting for them is kept (it will read the
/// latest standing when it runs), so a burst of changes publishes once.
pub async fn queue_refresh(tx: &mut Tx, user_id: &str, now: i64) -> Result<(), StoreError> {
    let job = NewJob::new(JobKind::HomeRefresh, now)
        .payload(&UserPayload {
            user: user_id.to_string(),
            first_time: false,
        })
        .key(format!("home:{user_id}"));
    tx.enqueue(job, now).await?;
    Ok(())
}

/// Queues a Home tab refresh on its own (an `app_home_opened` event).
pub async fn refresh_later(app: &App, user_id: &str) -> Result<(), StoreError> {
    let mut tx = app.store().write().await?;
    queue_refresh(&mut tx, user_id, app.now()).await?;
    app.commit(tx).await
}

/// The [`JobKind::HomeRefresh`] job: read the standing, publish the tab. Jobs run one batch at a time and one
/// refresh per person waits at most, so the last publication shows the latest state.
pub async fn run(app: &App, job: &Job) -> Result<(), JobError> {
    let UserPayload { user, .. } = payload(job)?;
    publish(app, &user).await
}

/// Publishes `user_id`'s Home tab now.
pub async fn publish(app: &App, user_id: &str) -> Result<(), JobError> {
    let p = app.store().participant(user_id).await?;
    let pair = app.store().current_pair(user_id).await?;
    let view = views::home::home(
        p.as_ref(),
        pair.as_ref(),
        app.catalog(),
        app.now(),
        super::rounds::next_round(app),
    );
    app.slack().publish_home(user_id, &view).await?;
    Ok(())
}
