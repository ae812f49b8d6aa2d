//! Introductions: each approved pair gets a group DM with both people and an introduction that says who can teach
//! what, the program's guidelines and a suggested first agenda. Then Tandem steps back: it schedules a gentle plan
//! reminder (five working days later, at the check-in time), the first check-in and the closing. The introduction jobs are queued in the transaction that approves
//! the pairs ([`crate::flows::proposals::approve`]).

use super::delivery::{JobError, post_once};
use super::pair_schedule;
use crate::context::App;
use crate::domain::model::JobKind;
use crate::outbound::store::{Job, NewJob, StoreError, Tx};
use crate::views;
use serde_json::json;

/// Queues the introduction of a newly approved pair, due now.
pub async fn queue(tx: &mut Tx, pair_id: i64, now: i64) -> Result<(), StoreError> {
    tx.enqueue(
        NewJob::new(JobKind::Intro, now)
            .pair(pair_id)
            .key(format!("intro:{pair_id}")),
        now,
    )
    .await?;
    Ok(())
}

/// The [`JobKind::Intro`] job: open the group DM, post the introduction once, schedule what follows.
pub async fn run(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    if !pair.is_current() {
        return Ok(());
    }
    let Some([junior, senior]) = pair.members() else {
        return Ok(());
    };
    let channel = match &pair.channel {
        Some(c) => c.clone(),
        None => {
            let answer = app
                .slack()
                .call(
                    "conversations.open",
                    &json!({ "users": format!("{junior},{senior}") }),
                )
                .await?;
            let c = answer["channel"]["id"]
                .as_str()
                .ok_or_else(|| {
                    JobError::Invalid("conversations.open answered without a channel".into())
                })?
                .to_string();
            app.store().set_pair_channel(pair.id, &c).await?;
            c
        }
    };
    let explanation: serde_json::Value = pair
        .explanation
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default();
    let list = |key: &str| -> Vec<String> {
        explanation[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (text, blocks) = views::intro::intro(
        pair.id,
        junior,
        senior,
        &list("junior_teaches"),
        &list("senior_teaches"),
    );
    post_once(app, job, "intro", &channel, &text, &blocks).await?;

    let now = app.clock().now();
    let mut tx = app.store().write().await?;
    if let Some(sched) = pair_schedule::read(app, &mut tx, &pair).await? {
        let remind_at = sched.plan_reminder_at(now);
        tx.enqueue(
            NewJob::new(JobKind::PlanReminder, remind_at.timestamp())
                .pair(pair.id)
                .key(format!("plan_reminder:{}", pair.id)),
            now.timestamp(),
        )
        .await?;
        pair_schedule::schedule_next(&mut tx, pair.id, &sched, now, now.timestamp()).await?;
    }
    app.commit(tx).await?;
    Ok(())
}
