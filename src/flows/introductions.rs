//! Introductions: when a proposal is approved, each pair gets a group DM with both people and an introduction that
//! says who can teach what, the program's guidelines and a suggested first agenda. Then Tandem steps back: it
//! schedules a gentle plan reminder, the first check-in and the closing.

use crate::context::App;
use crate::domain::schedule::{self, Cadence};
use crate::jobs::worker::{JobError, post_once};
use crate::outbound::store::{Job, PairRecord, Participant};
use crate::views;
use chrono::DateTime;
use chrono_tz::Tz;
use serde_json::json;

/// Queues an introduction for each approved pair and wakes the worker. Runs off the request path.
pub fn introduce_later(app: &App, pair_ids: Vec<i64>) {
    let worker = app.clone();
    app.spawn_background(async move {
        let now = worker.clock().now().timestamp();
        for id in pair_ids {
            if let Err(e) = worker
                .store()
                .schedule_job(
                    "intro",
                    Some(id),
                    "{}",
                    now,
                    Some(&format!("intro:{id}")),
                    now,
                )
                .await
            {
                tracing::error!(pair = id, error = %e, "could not queue an introduction");
            }
        }
        worker.jobs().wake();
    });
}

/// What scheduling a pair needs: its cadence, both time zones, and when it ends.
#[derive(Debug, Clone)]
pub struct PairSchedule {
    pub cadence: Cadence,
    pub zones: Vec<Tz>,
    pub end_date: chrono::NaiveDate,
    /// The local time of day check-ins and the closing arrive (`TANDEM_CHECKIN_TIME`).
    pub local_time: chrono::NaiveTime,
    /// Either partner is paused now (no nudges while paused).
    pub paused: bool,
}

/// The less frequent of two cadences: a pair meets as often as the busier person can.
pub fn slower(a: Cadence, b: Cadence) -> Cadence {
    if a.interval_days() >= b.interval_days() {
        a
    } else {
        b
    }
}

/// A pair's schedule: from its plan when it has one, otherwise from both surveys (the slower cadence, four months).
pub async fn pair_schedule(app: &App, pair: &PairRecord) -> Result<Option<PairSchedule>, JobError> {
    let Some([j, s]) = pair.members() else {
        return Ok(None);
    };
    let (Some(pj), Some(ps)) = (
        app.store().participant(j).await?,
        app.store().participant(s).await?,
    ) else {
        return Ok(None);
    };
    let zones = [&pj, &ps]
        .iter()
        .map(|p: &&Participant| schedule::parse_tz(&p.tz).unwrap_or(Tz::UTC))
        .collect();
    let local_time = app.config().checkin_time;
    let now = app.clock().now().timestamp();
    let paused = pj.is_paused(now) || ps.is_paused(now);
    let started = DateTime::from_timestamp(pair.created_at, 0)
        .unwrap_or_default()
        .date_naive();
    Ok(Some(match app.store().plan(pair.id).await? {
        Some(plan) => PairSchedule {
            cadence: plan.cadence,
            zones,
            end_date: plan.end_date,
            local_time,
            paused,
        },
        None => PairSchedule {
            cadence: slower(pj.answers.cadence, ps.answers.cadence),
            zones,
            end_date: schedule::default_end_date(started),
            local_time,
            paused,
        },
    }))
}

/// The "intro" job: open the group DM, post the introduction once, schedule what follows.
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
    if let Some(sched) = pair_schedule(app, &pair).await? {
        let remind_at =
            schedule::add_business_days(now, schedule::PLAN_REMINDER_BUSINESS_DAYS, sched.zones[0]);
        let key = format!("plan_reminder:{}", pair.id);
        app.store()
            .schedule_job(
                "plan_reminder",
                Some(pair.id),
                "{}",
                remind_at.timestamp(),
                Some(&key),
                now.timestamp(),
            )
            .await?;
        crate::flows::checkins::schedule_next(app, &pair, &sched, now).await?;
    }
    Ok(())
}
