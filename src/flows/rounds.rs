//! Matching rounds over the life of a program: rounds started on schedule (`TANDEM_ROUND_CRON`), when the next one
//! is, and the kind note to each person a round left out.
//!
//! A scheduled round is a job per scheduled time, like the managers' summary: the next one is queued at start-up and
//! by each run (so one missed while Tandem was down runs once when it is back, and missed times are not replayed).
//! It starts a round exactly as `/mentor match` does ([`proposals::begin_scheduled_round`]): the proposal is computed
//! by the worker and waits for an admin's approval, and nothing reaches participants before that. While another
//! proposal is still computing or waiting for review, the scheduled round does not start: the admins get a note
//! saying so (one proposal at a time is the rule, and a proposal left open that long deserves a reminder).
//!
//! Approving a proposal queues, in the same transaction, one [`JobKind::UnmatchedNote`] per person left out (keyed,
//! so a proposal never queues two for one person). Each note says why in words meant for that person
//! ([`views::rounds`]) and when the next round is, or that an admin will be in touch when none is scheduled. Like
//! every scheduled message it arrives on a working day at `TANDEM_CHECKIN_TIME` in the person's zone
//! ([`unmatched_note_due`]); a note whose day passed while Tandem was down waits for the person's next slot, and one
//! more than [`crate::domain::lateness::UNMATCHED_NOTE_MAX_LATENESS`] late is dropped.

use super::delivery::{
    JobError, Later, Ran, due_at, payload, post_once, queue_message, text_message,
};
use super::departures;
use super::proposals;
use crate::context::App;
use crate::domain::lateness;
use crate::domain::model::{JobKind, Participant, ProposalStatus, UnmatchedPayload};
use crate::domain::rounds::Stored;
use crate::domain::schedule::{CronSchedule, SlotCheck, parse_tz};
use crate::outbound::store::{Job, NewJob, StoreError, Tx};
use crate::views;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

/// The key of the one pending scheduled round.
const ROUND_KEY: &str = "round";

/// When the next scheduled round starts (unix seconds), or `None` when rounds start only on demand.
pub fn next_round(app: &App) -> Option<i64> {
    next_after(app.config().round_schedule.as_ref(), app.clock().now())
}

fn next_after(schedule: Option<&CronSchedule>, after: DateTime<Utc>) -> Option<i64> {
    schedule
        .and_then(|s| s.next_after(after))
        .map(|t| t.timestamp())
}

/// Makes sure the next scheduled round is queued (at start-up). A round already queued — even overdue, after
/// downtime — is kept, so it runs once.
pub async fn ensure_scheduled(app: &App) -> Result<(), StoreError> {
    if app.config().round_schedule.is_none() {
        return Ok(());
    }
    let now = app.now();
    let mut tx = app.store().write().await?;
    queue_next(app, &mut tx, app.clock().now(), now).await?;
    app.commit(tx).await
}

/// Queues the first scheduled round after `after` in `tx`, unless one is queued already.
async fn queue_next(
    app: &App,
    tx: &mut Tx,
    after: DateTime<Utc>,
    now: i64,
) -> Result<(), StoreError> {
    let Some(next) = next_after(app.config().round_schedule.as_ref(), after) else {
        return Ok(());
    };
    tx.enqueue_if_absent(
        NewJob::new(JobKind::ScheduledRound, next).key(ROUND_KEY),
        now,
    )
    .await
}

/// The [`JobKind::ScheduledRound`] job: starts a round (or, while another proposal is pending, tells the admins it
/// did not start) and queues the next one, in one transaction.
pub async fn run_scheduled(app: &App, job: &Job) -> Result<(), JobError> {
    if app.config().round_schedule.is_none() {
        tracing::info!(
            "TANDEM_ROUND_CRON is no longer set: the round queued for it does not start"
        );
        return Ok(());
    }
    let now = app.now();
    let mut tx = app.store().write().await?;
    match proposals::begin_scheduled_round(&mut tx, now).await? {
        Some(id) => tracing::info!(proposal = id, "a scheduled matching round started"),
        None => {
            // A proposal created at or after this round's time is this job's own (a re-run after a crash) or one an
            // admin has just asked for: nothing to say about it.
            if let Some(pending) = tx
                .pending_proposal()
                .await?
                .filter(|p| p.created_at < job.due_at)
            {
                tracing::warn!(
                    pending = pending.id,
                    "the scheduled matching round did not start: another proposal is still pending"
                );
                let next = next_after(
                    app.config().round_schedule.as_ref(),
                    DateTime::from_timestamp(job.due_at.max(now), 0).unwrap_or_default(),
                );
                let note = views::rounds::round_skipped_note(
                    job.due_at,
                    pending.id,
                    pending.status == ProposalStatus::Computing,
                    pending.created_at,
                    next,
                );
                for admin in &app.config().admins {
                    queue_message(&mut tx, &text_message(admin, &note), None, now).await?;
                }
            }
        }
    }
    let after = DateTime::from_timestamp(job.due_at.max(now), 0).unwrap_or_default();
    queue_next(app, &mut tx, after, now).await?;
    app.commit(tx).await?;
    Ok(())
}

/// The person's zone, as pairs' schedules read it (UTC when the stored name is not a zone).
fn zone_of(person: &Participant) -> Tz {
    parse_tz(&person.tz).unwrap_or(Tz::UTC)
}

/// When the note to someone left out of a round approved at `decided_at` is due: the first working slot at or after
/// it, at `TANDEM_CHECKIN_TIME` in the person's zone (their profile's), by the rule every scheduled message follows
/// ([`crate::domain::schedule::WorkingCalendar::next_working_slot`]).
pub fn unmatched_note_due(app: &App, person: &Participant, decided_at: i64) -> i64 {
    let decided = DateTime::from_timestamp(decided_at, 0).unwrap_or_default();
    app.calendar()
        .next_working_slot(decided, &[zone_of(person)], app.config().checkin_time)
        .timestamp()
}

fn unmatched_key(proposal_id: i64, user: &str) -> String {
    format!("unmatched:{proposal_id}:{user}")
}

/// Queues, in the approving transaction `tx`, one note per person proposal `id` left out (not people who paused, nor
/// anyone who has left since). `people` are the enrolled participants as read for the approval. Returns how many.
pub async fn queue_unmatched_notes(
    app: &App,
    tx: &mut Tx,
    id: i64,
    stored: &Stored,
    people: &[Participant],
    now: i64,
) -> Result<usize, StoreError> {
    let mut told = 0;
    for (user, reason) in stored.to_tell() {
        let Some(person) = people.iter().find(|p| p.user_id == user) else {
            continue;
        };
        let due = unmatched_note_due(app, person, now);
        let job = NewJob::new(JobKind::UnmatchedNote, due)
            .payload(&UnmatchedPayload {
                user: user.to_string(),
                proposal_id: id,
                reason,
                slot: Some(due),
                due: Some(due),
            })
            .key(unmatched_key(id, user));
        tx.enqueue_if_absent(job, now).await?;
        told += 1;
    }
    Ok(told)
}

/// Records, in the approving transaction `tx`, why each person approved proposal `id` left out is waiting (what the
/// report counts), and forgets the old reason of everyone it paired or found paused.
pub async fn record_waiting_reasons(
    tx: &mut Tx,
    id: i64,
    stored: &Stored,
    now: i64,
) -> Result<(), StoreError> {
    let considered: Vec<&str> = stored
        .pairs
        .iter()
        .flat_map(|p| [p.junior_id.as_str(), p.senior_id.as_str()])
        .chain(stored.unmatched.iter().map(|u| u.id.as_str()))
        .collect();
    let left_out: Vec<(&str, &str)> = stored
        .to_tell()
        .into_iter()
        .map(|(user, reason)| (user, reason.code()))
        .collect();
    tx.record_waiting_reasons(id, &considered, &left_out, now)
        .await
}

/// The [`JobKind::UnmatchedNote`] job: the person's note, unless they have left, paused or been paired since (or
/// their account was deactivated: they depart instead, as for any direct message). A note that comes before its
/// slot, or whose slot's day has passed (after an outage), waits for the person's next working slot
/// ([`Ran::Later`]); one too late to make sense is dropped ([`lateness`]).
pub async fn send_unmatched_note(app: &App, job: &Job) -> Result<Ran, JobError> {
    let note: UnmatchedPayload = payload(job)?;
    let (user, reason) = (note.user.clone(), note.reason);
    if matches!(
        app.store().delivery(job.id, "post").await?,
        Some((_, Some(_)))
    ) {
        return Ok(Ran::Done);
    }
    let Some(person) = app.store().participant(&user).await? else {
        return Ok(Ran::Done);
    };
    if person.is_paused(app.now()) || app.store().current_pair(&user).await?.is_some() {
        return Ok(Ran::Done);
    }
    let now = app.clock().now();
    let time = |t: Option<i64>| t.and_then(|t| DateTime::from_timestamp(t, 0));
    let slot = time(note.slot).unwrap_or_else(|| due_at(job));
    let first = time(note.due).unwrap_or(slot);
    let too_late = |at| lateness::overdue(JobKind::UnmatchedNote, first, at, TimeDelta::zero());
    if let Some(why) = too_late(now) {
        return Ok(Ran::Dropped(why));
    }
    if let SlotCheck::Wait(at) =
        app.calendar()
            .check_slot(slot, now, &[zone_of(&person)], app.config().checkin_time)
    {
        // After an outage: a note that would arrive too late is dropped now rather than then.
        if let Some(why) = too_late(at) {
            return Ok(Ran::Dropped(why));
        }
        let key = unmatched_key(note.proposal_id, &user);
        let later = UnmatchedPayload {
            slot: Some(at.timestamp()),
            ..note
        };
        return Ok(Ran::Later(Later::new(at, &later).key(key)));
    }
    if departures::departed_if_deactivated(app, &user).await? {
        return Ok(Ran::Done);
    }
    let (text, blocks) = views::rounds::unmatched_dm(reason, next_round(app), &person.tz);
    post_once(app, job, "post", &user, &text, &blocks).await?;
    Ok(Ran::Done)
}
