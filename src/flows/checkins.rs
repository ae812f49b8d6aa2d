//! Check-ins: what they ask ("Did you meet since …?"), how answers are recorded (one per person; a second press has
//! no second effect), and stalled pairs (two delivered check-ins in a row without a meeting mark the pair at risk,
//! with one nudge). When they are scheduled lives in [`super::pair_schedule`].

use super::delivery::{JobError, Ran, due_at, payload, post_once};
use super::pair_schedule::{self, closing_at};
use crate::context::App;
use crate::domain::forms::pair_forms::{CheckinAnswer, MetAnswer};
use crate::domain::lateness;
use crate::domain::model::{CheckinPayload, JobKind, PairStatus};
use crate::outbound::store::{CheckinOutcome, Job, NewJob, StoreError};
use crate::views;
use chrono::DateTime;
use serde_json::json;

/// How many check-ins in a row without a meeting make a pair "at risk".
pub const STALL_AFTER: usize = 2;

/// Stalled (pure): the last [`STALL_AFTER`] check-ins (newest first) all passed without anyone saying they met.
pub fn stalled(recent: &[CheckinOutcome]) -> bool {
    recent.len() >= STALL_AFTER && recent.iter().take(STALL_AFTER).all(|c| !c.met)
}

fn date_of(unix: i64) -> chrono::NaiveDate {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .date_naive()
}

/// The [`JobKind::Checkin`] job: mark the pair at risk (with one nudge) if it stalled, ask whether they met, and
/// queue the next check-in. A check-in a whole period late (after an outage) is dropped, and the pair's series goes
/// on at its next slot.
pub async fn run(app: &App, job: &Job) -> Result<Ran, JobError> {
    let store = app.store();
    let Some(pair) = store.pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(Ran::Done);
    };
    let (Some(members), Some(channel)) = (pair.members(), pair.channel.clone()) else {
        return Ok(Ran::Done);
    };
    if !pair.is_current() {
        return Ok(Ran::Done);
    }
    let now = app.clock().now();
    let mut tx = store.write().await?;
    let Some(sched) = pair_schedule::read(app, &mut tx, &pair).await? else {
        return Ok(Ran::Done);
    };
    let due = due_at(job);
    if let Some(why) = lateness::overdue(JobKind::Checkin, due, now, sched.period()) {
        // The series goes on at its next slot, unless the plan has ended meanwhile (its closing is queued).
        if now < closing_at(&sched) {
            let next = sched.calendar.next_checkin_from_missed(
                due,
                now,
                sched.cadence,
                &sched.zones,
                sched.local_time,
            );
            pair_schedule::queue_checkin_and_closing(
                &mut tx,
                pair.id,
                &sched,
                next,
                now.timestamp(),
            )
            .await?;
            app.commit(tx).await?;
        }
        return Ok(Ran::Dropped(why));
    }
    if now >= closing_at(&sched) {
        return Ok(Ran::Done); // the closing takes over
    }
    let checkin = if sched.paused {
        None
    } else {
        let recent = tx.recent_checkins(pair.id, STALL_AFTER as i64).await?;
        if stalled(&recent)
            && pair.status == PairStatus::Active
            && tx.set_pair_risk(pair.id, true).await?
        {
            tracing::info!(pair = pair.id, "pair at risk");
            // With the check-in it follows: its slot is a working slot already.
            tx.enqueue(
                NewJob::new(JobKind::Nudge, sched.slot(due).timestamp())
                    .pair(pair.id)
                    .key(format!("nudge:{}", pair.id)),
                now.timestamp(),
            )
            .await?;
        }
        let since = tx
            .last_checkin_at(pair.id)
            .await?
            .unwrap_or(pair.created_at);
        Some(
            tx.checkin_for_job(job.id, pair.id, since, now.timestamp())
                .await?,
        )
    };
    app.commit(tx).await?;
    if let Some(checkin) = checkin {
        let (text, blocks) = views::checkin::checkin(
            checkin.id,
            date_of(checkin.since),
            &[],
            &members.map(str::to_string),
        );
        let (posted_in, ts) = post_once(app, job, "post", &channel, &text, &blocks).await?;
        store
            .set_checkin_message(checkin.id, &posted_in, &ts)
            .await?;
    }
    let mut tx = store.write().await?;
    pair_schedule::schedule_next(&mut tx, pair.id, &sched, now, now.timestamp()).await?;
    app.commit(tx).await?;
    Ok(Ran::Done)
}

/// The [`JobKind::Nudge`] job: one message with concrete suggestions to a pair that stalled (dropped when it is a
/// whole period of the pair's cadence late).
pub async fn nudge(app: &App, job: &Job) -> Result<Ran, JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(Ran::Done);
    };
    let Some(channel) = pair
        .channel
        .clone()
        .filter(|_| pair.status == PairStatus::AtRisk)
    else {
        return Ok(Ran::Done);
    };
    let sched = {
        let mut tx = app.store().snapshot().await?;
        pair_schedule::read(app, &mut tx, &pair).await?
    };
    let Some(sched) = sched else {
        return Ok(Ran::Done);
    };
    if let Some(why) = lateness::overdue(
        JobKind::Nudge,
        due_at(job),
        app.clock().now(),
        sched.period(),
    ) {
        return Ok(Ran::Dropped(why));
    }
    let (text, blocks) = views::checkin::at_risk_nudge(pair.id);
    post_once(app, job, "post", &channel, &text, &blocks).await?;
    tracing::info!(pair = pair.id, "nudge sent");
    Ok(Ran::Done)
}

/// The [`JobKind::HelpAlert`] job: tells every program admin privately that a pair asked for help.
pub async fn alert_admins(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    let CheckinPayload { checkin_id } = payload(job)?;
    let asked_by = app
        .store()
        .answers(checkin_id)
        .await?
        .into_iter()
        .find(|(_, a)| *a == CheckinAnswer::NeedHelp)
        .map(|(u, _)| u);
    let (Some([junior, senior]), Some(asked_by)) = (pair.members(), asked_by) else {
        return Ok(());
    };
    let text = views::checkin::help_alert(pair.id, junior, senior, &asked_by);
    for (i, admin) in app.config().admins.iter().enumerate() {
        post_once(
            app,
            job,
            &format!("admin:{i}"),
            admin,
            &text,
            &json!([views::section(&text)]),
        )
        .await?;
    }
    if app.config().admins.is_empty() {
        tracing::warn!(
            pair = pair.id,
            "a pair asked for help but TANDEM_ADMINS is empty"
        );
    }
    Ok(())
}

/// What an answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Recorded,
    /// They had answered this check-in already (a second press has no second effect).
    AlreadyAnswered,
    /// No such check-in, or the person is not in its pair.
    NotTheirs,
}

/// Records `user_id`'s answer to check-in `checkin_id` (if they are in the pair and had not answered) and, in the
/// same transaction, queues the refresh of the check-in message for both and, for "we need help", the admins' alert.
pub async fn answer(
    app: &App,
    checkin_id: i64,
    user_id: &str,
    answer: CheckinAnswer,
    met: Option<&MetAnswer>,
) -> Result<Answered, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    let Some(checkin) = tx.checkin(checkin_id).await? else {
        return Ok(Answered::NotTheirs);
    };
    let Some(pair) = tx
        .pair(checkin.pair_id)
        .await?
        .filter(|p| p.has_member(user_id))
    else {
        tracing::warn!("a check-in answer from someone outside the pair was refused");
        return Ok(Answered::NotTheirs);
    };
    if !tx
        .record_answer(checkin_id, user_id, answer, met, now)
        .await?
    {
        return Ok(Answered::AlreadyAnswered);
    }
    let about = CheckinPayload { checkin_id };
    match answer {
        CheckinAnswer::Met => {
            tx.mark_met(pair.id, now).await?;
            if pair.status == PairStatus::AtRisk {
                tx.set_pair_risk(pair.id, false).await?;
            }
        }
        CheckinAnswer::NeedHelp => {
            tx.enqueue(
                NewJob::new(JobKind::HelpAlert, now)
                    .pair(pair.id)
                    .payload(&about),
                now,
            )
            .await?;
        }
        CheckinAnswer::NotYet => {}
    }
    tx.enqueue(
        NewJob::new(JobKind::CheckinRefresh, now)
            .pair(pair.id)
            .payload(&about)
            .key(format!("checkin_refresh:{checkin_id}")),
        now,
    )
    .await?;
    app.commit(tx).await?;
    Ok(Answered::Recorded)
}

/// The [`JobKind::CheckinRefresh`] job: re-renders a check-in message with who answered what (`chat.update`).
pub async fn refresh_message(app: &App, job: &Job) -> Result<(), JobError> {
    let CheckinPayload { checkin_id } = payload(job)?;
    let store = app.store();
    let Some(c) = store.checkin(checkin_id).await? else {
        return Ok(());
    };
    let (Some(channel), Some(ts)) = (c.channel, c.ts) else {
        return Ok(());
    };
    let Some(pair) = store.pair(c.pair_id).await? else {
        return Ok(());
    };
    let members: Vec<String> = [pair.junior_id, pair.senior_id]
        .into_iter()
        .flatten()
        .collect();
    let answers = store.answers(checkin_id).await?;
    let (text, blocks) = views::checkin::checkin(checkin_id, date_of(c.since), &answers, &members);
    app.slack()
        .call(
            "chat.update",
            &json!({ "channel": channel, "ts": ts, "text": text, "blocks": blocks }),
        )
        .await?;
    Ok(())
}

/// Opens the "We met" modal for a member of the check-in's pair (on the request path: the trigger lives 3 s).
pub async fn open_met_modal(
    app: &App,
    checkin_id: i64,
    user_id: &str,
    trigger_id: &str,
) -> Result<(), JobError> {
    let Some(c) = app.store().checkin(checkin_id).await? else {
        return Ok(());
    };
    if app
        .store()
        .pair_of_member(c.pair_id, user_id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    app.slack()
        .open_view(trigger_id, &views::checkin::met_modal(checkin_id))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(met: bool, answered: bool) -> CheckinOutcome {
        CheckinOutcome { met, answered }
    }

    #[test]
    fn two_check_ins_in_a_row_without_a_meeting_stall_a_pair() {
        assert!(!stalled(&[]));
        assert!(
            !stalled(&[c(false, false)]),
            "one quiet check-in is not a pattern"
        );
        assert!(
            stalled(&[c(false, false), c(false, true)]),
            "no answer, then 'not yet'"
        );
        assert!(
            stalled(&[c(false, true), c(false, true), c(true, true)]),
            "only the last two count"
        );
        assert!(
            !stalled(&[c(true, true), c(false, false)]),
            "the latest check-in says they met"
        );
        assert!(!stalled(&[c(false, true), c(true, true)]));
    }
}
