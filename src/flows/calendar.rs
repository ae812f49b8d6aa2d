//! Calendar invites: when a pair saves a plan with a first meeting, an `.ics` file (see [`crate::domain::calendar`])
//! goes into the pair's group DM, so either partner adds the series to their calendar in one click. A change of plan
//! sends the same event again (same `UID`) with the next `SEQUENCE`, which calendars take as an update.
//!
//! The plan flow queues the [`JobKind::PlanCalendar`] job in the plan's own transaction ([`queue`]); the job reads
//! both partners' e-mail addresses from Slack (`users.info`, scope `users:read.email`; an unknown address leaves
//! that partner out) and shares the file with the external upload flow. Tandem never stores the addresses.
//!
//! **Once only.** The job records two steps. `ics_uploaded` holds the file's ID as soon as the bytes are uploaded
//! (`files.getUploadURLExternal` and the upload: a private file, shown nowhere); `ics_shared` is recorded after
//! `files.completeUploadExternal` shared it. A re-run (after a 5xx, a timeout, a crash) skips what is recorded: it
//! never uploads a second file, it completes the recorded one. So a failure before Slack shared the file shares it
//! once. The one case that can show it twice: Slack shared it but the answer was lost (a 5xx or timeout after the
//! effect, or a crash before `ics_shared` was written); completing the same file ID again is then up to Slack,
//! which does not document whether a second completion shares it again. Even then it is the same file (same ID and
//! bytes, same `UID` and `SEQUENCE`), so a calendar that opens both keeps one event.
//!
//! If Slack no longer knows the uploaded file when it is completed (`file_not_found`: an upload left unfinished for
//! long), the recorded ID is forgotten and the next attempt uploads afresh: nothing was shared, so nothing repeats.

use super::delivery::{JobError, payload};
use super::pair_schedule;
use crate::context::App;
use crate::domain::calendar::{Attendee, Series};
use crate::domain::model::{CalendarPayload, JobKind};
use crate::outbound::store::{Job, NewJob, StoreError, Tx};
use crate::views;

/// The step that holds the uploaded file's ID (in the delivery's `ts` column).
const UPLOADED: &str = "ics_uploaded";
/// The step recorded once the file is shared in the pair's conversation.
const SHARED: &str = "ics_shared";

/// Queues the pair's calendar invite in the plan's transaction, with the pair's next `SEQUENCE`. Keyed per pair: a
/// second change before the worker ran replaces the waiting job (the later sequence goes out, once).
pub async fn queue(tx: &mut Tx, pair_id: i64, now: i64) -> Result<u32, StoreError> {
    let sequence = tx.next_calendar_sequence(pair_id, now).await?;
    tx.enqueue(
        NewJob::new(JobKind::PlanCalendar, now)
            .pair(pair_id)
            .key(format!("plan_calendar:{pair_id}"))
            .payload(&CalendarPayload { sequence }),
        now,
    )
    .await?;
    Ok(sequence)
}

/// The [`JobKind::PlanCalendar`] job: makes the file and shares it in the pair's group DM, each step once.
pub async fn run(app: &App, job: &Job) -> Result<(), JobError> {
    let CalendarPayload { sequence } = payload(job)?;
    let store = app.store();
    if store.delivery(job.id, SHARED).await?.is_some() {
        return Ok(());
    }
    let Some(pair) = store
        .pair(job.pair_id.unwrap_or_default())
        .await?
        .filter(|p| p.is_current())
    else {
        return Ok(());
    };
    let Some(channel) = pair.channel.clone() else {
        return Ok(());
    };
    // A later change of plan queued a newer invite: that one goes out instead (a calendar would ignore this one).
    if store
        .calendar_sequence(pair.id)
        .await?
        .is_some_and(|latest| latest > sequence)
    {
        return Ok(());
    }
    let Some(members) = pair.members().map(|m| m.map(str::to_string)) else {
        return Ok(());
    };
    let (sched, plan, people) = {
        let mut tx = store.snapshot().await?;
        let sched = pair_schedule::read(app, &mut tx, &pair).await?;
        let plan = tx.plan(pair.id).await?;
        let mut people = Vec::new();
        for id in &members {
            people.push(tx.participant(id).await?);
        }
        (sched, plan, people)
    };
    let (Some(sched), Some(plan)) = (sched, plan) else {
        return Ok(());
    };
    let Some(first_meeting) = plan.first_meeting else {
        return Ok(());
    };
    let series = Series {
        first_meeting,
        end_date: plan.end_date,
        cadence: plan.cadence,
        zones: sched.zones,
        local_time: sched.local_time,
    };
    let file_id = match store.delivery(job.id, UPLOADED).await? {
        Some((_, Some(id))) => id,
        _ => {
            let names: Vec<String> = members
                .iter()
                .zip(&people)
                .map(|(id, p)| {
                    p.as_ref()
                        .and_then(|p| p.display_name.clone())
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| id.clone())
                })
                .collect();
            let mut attendees = Vec::new();
            for (id, name) in members.iter().zip(&names) {
                if let Some(a) = email_of(app, id)
                    .await?
                    .and_then(|e| Attendee::new(name, &e))
                {
                    attendees.push(a);
                }
            }
            let names = [names[0].clone(), names[1].clone()];
            let invite = series.invite(pair.id, sequence, names, attendees, app.clock().now());
            let id = app
                .slack()
                .start_upload(
                    views::plan::CALENDAR_FILE_NAME,
                    invite.render().into_bytes(),
                )
                .await?;
            store
                .record_delivery(job.id, UPLOADED, None, Some(&id), app.now())
                .await?;
            id
        }
    };
    let (zone, start) = series.start();
    let comment = views::plan::calendar_comment(
        start.with_timezone(&zone),
        series.cadence,
        series.end_date,
        sequence > 0,
    );
    match app
        .slack()
        .complete_upload(
            &file_id,
            views::plan::CALENDAR_FILE_TITLE,
            &channel,
            Some(&comment),
        )
        .await
    {
        Ok(()) => {}
        Err(e) if e.code() == Some("file_not_found") => {
            store.forget_delivery(job.id, UPLOADED).await?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    }
    store
        .record_delivery(job.id, SHARED, Some(&channel), None, app.now())
        .await?;
    Ok(())
}

/// `user`'s e-mail from their Slack profile, if Slack gives one. A refusal (`user_not_found`, `missing_scope`, …)
/// means no address, not a failed invite; an outage or a rate limit is retried with the job.
async fn email_of(app: &App, user: &str) -> Result<Option<String>, JobError> {
    match app.slack().user_profile(user).await {
        Ok(p) => Ok(p.email.filter(|_| !p.deleted)),
        Err(e) if e.code().is_some() => {
            tracing::info!(error = %e, "no e-mail for a calendar attendee; left out");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}
