//! Check-ins: what they ask ("Did you meet since …?"), how answers are recorded (one per person per check-in; a
//! second press of *We met* or *Not yet* has no second effect: it shows the person what was recorded and offers to
//! change it, and a change replaces the answer), and stalled pairs. When they are scheduled lives in
//! [`super::pair_schedule`].
//!
//! **A pair in trouble.** Two delivered check-ins in a row without a meeting mark a pair *at risk* ([`stalled`]).
//! At the check-in job that finds it (pure: [`step`]), in one transaction: the pair is marked, the admins' alert is
//! queued (once per at-risk stretch: only the change to at risk queues it), and the first nudge is queued *instead
//! of that check-in*. If the next check-in also passes without a meeting, the second (and last) nudge again replaces
//! the check-in after it; from then on the pair gets only check-ins, and the admins decide (the alert's buttons,
//! [`super::trouble`]). A meeting ends the stretch. So a pair never gets a check-in and a nudge at once, and a
//! check-in that falls due less than an hour after a nudge (a plan saved just after one can bring it forward) is
//! moved to one hour after the nudge ([`NUDGE_GAP`]).

use super::delivery::{JobError, Ran, due_at, payload, post_once};
use super::pair_schedule::{self, closing_at};
use crate::context::App;
use crate::domain::forms::pair_forms::{CheckinAnswer, MetAnswer, OwnAnswer};
use crate::domain::lateness;
use crate::domain::model::{CheckinPayload, JobKind, NudgePayload, PairStatus};
use crate::outbound::store::{CheckinOutcome, Job, NewJob, StoreError, Tx};
use crate::views;
use chrono::DateTime;
use serde_json::json;

/// How many check-ins in a row without a meeting make a pair "at risk".
pub const STALL_AFTER: usize = 2;

/// How many nudges an at-risk stretch brings at most.
pub const MAX_NUDGES: i64 = 2;

/// The least time between a nudge and the next check-in, in seconds.
pub const NUDGE_GAP: i64 = 3600;

/// Stalled (pure): the last [`STALL_AFTER`] check-ins (newest first) all passed without anyone saying they met.
pub fn stalled(recent: &[CheckinOutcome]) -> bool {
    recent.len() >= STALL_AFTER && recent.iter().take(STALL_AFTER).all(|c| !c.met)
}

/// What a check-in job sends a pair that is not paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Ask whether they met.
    Checkin,
    /// It just stalled: mark it at risk, alert the admins, and send the first nudge instead of the check-in.
    AtRisk,
    /// At risk, and the check-in after the first nudge passed without a meeting too: the second (last) nudge
    /// instead of the check-in.
    SecondNudge,
}

/// The step for a pair (pure). `recent`: its last delivered check-ins, newest first; `since_nudge`: those delivered
/// after its last nudge, newest first; `nudges`: the nudges of its at-risk stretch so far.
pub fn step(
    status: PairStatus,
    nudges: i64,
    recent: &[CheckinOutcome],
    since_nudge: &[CheckinOutcome],
) -> Step {
    match status {
        PairStatus::Active if stalled(recent) => Step::AtRisk,
        // (At risk with no nudge counted: marked by an earlier version, which sent the first one.)
        PairStatus::AtRisk
            if nudges < MAX_NUDGES && since_nudge.first().is_some_and(|c| !c.met) =>
        {
            Step::SecondNudge
        }
        _ => Step::Checkin,
    }
}

fn date_of(unix: i64) -> chrono::NaiveDate {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .date_naive()
}

/// The [`JobKind::Checkin`] job: a check-in, or (for a pair that stalled) a nudge in its place, then the next
/// check-in is queued. See the module's notes. A check-in a whole period late (after an outage) is dropped, and the
/// pair's series goes on at its next slot.
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
    let ts = now.timestamp();
    let mut tx = store.write().await?;
    // The answers, nudges and status this decides from stay as read until it commits.
    tx.lock_pair(pair.id).await?;
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
            pair_schedule::queue_checkin_and_closing(&mut tx, pair.id, &sched, next, ts).await?;
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
        let nudged = tx.nudge_state(pair.id).await?;
        let recent = tx.recent_checkins(pair.id, STALL_AFTER as i64).await?;
        let since_nudge = tx
            .checkins_after(pair.id, nudged.nudged_at.unwrap_or(0))
            .await?;
        match step(pair.status, nudged.nudges, &recent, &since_nudge) {
            Step::AtRisk => {
                if tx.set_pair_risk(pair.id, true).await? {
                    tracing::info!(pair = pair.id, "pair at risk");
                    queue_nudge(&mut tx, pair.id, 1, ts).await?;
                    tx.enqueue(
                        NewJob::new(JobKind::RiskAlert, ts)
                            .pair(pair.id)
                            .key(format!("risk_alert:{}", pair.id)),
                        ts,
                    )
                    .await?;
                }
                None
            }
            Step::SecondNudge => {
                queue_nudge(&mut tx, pair.id, MAX_NUDGES, ts).await?;
                None
            }
            Step::Checkin => {
                if let Some(at) = nudged.nudged_at.filter(|at| ts - at < NUDGE_GAP)
                    && !tx.job_sent_checkin(job.id).await?
                {
                    // Never a check-in in the same hour as a nudge: this one moves to an hour after it.
                    tx.enqueue(
                        NewJob::new(JobKind::Checkin, at + NUDGE_GAP)
                            .pair(pair.id)
                            .key(format!("checkin:{}", pair.id)),
                        ts,
                    )
                    .await?;
                    app.commit(tx).await?;
                    tracing::info!(pair = pair.id, "check-in moved to an hour after the nudge");
                    return Ok(Ran::Done);
                }
                let since = tx
                    .last_checkin_at(pair.id)
                    .await?
                    .unwrap_or(pair.created_at);
                Some(tx.checkin_for_job(job.id, pair.id, since, ts).await?)
            }
        }
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

/// Queues the `nth` nudge of the pair's at-risk stretch, due now, and notes it.
async fn queue_nudge(tx: &mut Tx, pair_id: i64, nth: i64, now: i64) -> Result<(), StoreError> {
    tx.note_nudge(pair_id, nth, now).await?;
    tx.enqueue(
        NewJob::new(JobKind::Nudge, now)
            .pair(pair_id)
            .payload(&NudgePayload {
                nth: u8::try_from(nth).unwrap_or(1),
            })
            .key(format!("nudge:{pair_id}")),
        now,
    )
    .await?;
    Ok(())
}

/// The [`JobKind::Nudge`] job: one message with concrete suggestions to a pair that stalled, worded for a pair that
/// never met or one that stopped meeting (dropped when it is a whole period of the pair's cadence late).
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
    let NudgePayload { nth } = payload(job).unwrap_or(NudgePayload { nth: 1 });
    let (text, blocks) = views::checkin::at_risk_nudge(views::checkin::Nudge {
        pair_id: pair.id,
        never_met: pair.last_met_at.is_none(),
        nth,
    });
    post_once(app, job, "post", &channel, &text, &blocks).await?;
    tracing::info!(pair = pair.id, nth, "nudge sent");
    Ok(Ran::Done)
}

/// What an answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Recorded,
    /// It replaced the person's earlier answer to this check-in (one answer per person per check-in).
    Changed,
    /// They had answered this check-in already and this was no change (a second press of *We met* or *Not yet*
    /// has no second effect: the person is shown what was recorded, [`own_answer`], and offered to change it).
    AlreadyAnswered,
    /// No such check-in, or the person is not in its pair.
    NotTheirs,
}

/// Whether an answer may replace the person's earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taking {
    /// A press of a check-in button: recorded only if they had not answered.
    FirstOnly,
    /// A submitted "we met" form, or *We did not meet* on the reply to a second press: replaces an earlier answer.
    Replacing,
}

/// Records `user_id`'s answer to check-in `checkin_id` (if they are in the pair; once, unless `taking` replaces)
/// and, in the same transaction, queues the refresh of the check-in message for both. A change replaces the
/// person's one answer row, so the program's meetings, minutes and usefulness follow it, and the pair's last meeting
/// is worked out again. Answers are the participants' own, not admin actions: they are not in the audit log.
/// "We need help" is not an answer here: it is a private request ([`super::trouble::request_help`]); a `NeedHelp`
/// passed in is recorded as "not yet".
pub async fn answer(
    app: &App,
    checkin_id: i64,
    user_id: &str,
    answer: CheckinAnswer,
    met: Option<&MetAnswer>,
    taking: Taking,
) -> Result<Answered, StoreError> {
    let answer = match answer {
        CheckinAnswer::NeedHelp => CheckinAnswer::NotYet,
        other => other,
    };
    let met = met.filter(|_| answer == CheckinAnswer::Met);
    let now = app.now();
    let mut tx = app.store().write().await?;
    let Some(checkin) = tx.checkin(checkin_id).await? else {
        return Ok(Answered::NotTheirs);
    };
    tx.lock_pair(checkin.pair_id).await?;
    let Some(pair) = tx
        .pair(checkin.pair_id)
        .await?
        .filter(|p| p.has_member(user_id))
    else {
        tracing::warn!("a check-in answer from someone outside the pair was refused");
        return Ok(Answered::NotTheirs);
    };
    let outcome = match taking {
        Taking::FirstOnly => {
            if !tx
                .record_answer(checkin_id, user_id, answer, met, now)
                .await?
            {
                return Ok(Answered::AlreadyAnswered);
            }
            Answered::Recorded
        }
        Taking::Replacing => {
            if tx
                .replace_answer(checkin_id, user_id, answer, met, now)
                .await?
            {
                tracing::info!(
                    pair = pair.id,
                    checkin = checkin_id,
                    "check-in answer changed"
                );
                Answered::Changed
            } else {
                Answered::Recorded
            }
        }
    };
    let about = CheckinPayload { checkin_id };
    if outcome == Answered::Changed {
        tx.recompute_last_met(pair.id).await?;
    } else if answer == CheckinAnswer::Met {
        tx.mark_met(pair.id, now).await?;
    }
    if answer == CheckinAnswer::Met && pair.status == PairStatus::AtRisk {
        tx.set_pair_risk(pair.id, false).await?;
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
    Ok(outcome)
}

/// What `user_id` answered to check-in `checkin_id`, if they are in its pair and answered.
pub async fn own_answer(
    app: &App,
    checkin_id: i64,
    user_id: &str,
) -> Result<Option<OwnAnswer>, StoreError> {
    let store = app.store();
    let Some(c) = store.checkin(checkin_id).await? else {
        return Ok(None);
    };
    if store.pair_of_member(c.pair_id, user_id).await?.is_none() {
        return Ok(None);
    }
    store.own_answer(checkin_id, user_id).await
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

/// What pressing a button that opens the "we met" form did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetOpened {
    Opened,
    /// *We met* on a check-in they had answered: nothing opened; the person is shown this (and offered a change).
    AlreadyAnswered(OwnAnswer),
    /// No such check-in, or the person is not in its pair.
    NotTheirs,
}

/// Opens the "We met" form for a member of the check-in's pair (on the request path: the trigger lives 3 s). With
/// `taking` = [`Taking::FirstOnly`] (the check-in's own *We met* button) a person who answered already gets their
/// answer back instead of a form; with [`Taking::Replacing`] (*Change the details*, *We met after all*) the form
/// says what was recorded and is pre-filled from it, and saving it replaces it.
pub async fn open_met_modal(
    app: &App,
    checkin_id: i64,
    user_id: &str,
    trigger_id: &str,
    taking: Taking,
) -> Result<MetOpened, JobError> {
    let Some(c) = app.store().checkin(checkin_id).await? else {
        return Ok(MetOpened::NotTheirs);
    };
    if app
        .store()
        .pair_of_member(c.pair_id, user_id)
        .await?
        .is_none()
    {
        return Ok(MetOpened::NotTheirs);
    }
    let earlier = app.store().own_answer(checkin_id, user_id).await?;
    if let (Some(own), Taking::FirstOnly) = (&earlier, taking) {
        return Ok(MetOpened::AlreadyAnswered(own.clone()));
    }
    app.slack()
        .open_view(
            trigger_id,
            &views::checkin::met_modal(checkin_id, earlier.as_ref()),
        )
        .await?;
    Ok(MetOpened::Opened)
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

    #[test]
    fn a_stalled_pair_gets_a_nudge_then_one_more_after_the_next_missed_check_in_then_none() {
        use PairStatus::{Active, AtRisk};
        let missed = [c(false, false), c(false, true)];
        assert_eq!(step(Active, 0, &missed, &missed), Step::AtRisk);
        assert_eq!(step(Active, 0, &missed[..1], &missed[..1]), Step::Checkin);
        assert_eq!(
            step(Active, 0, &[c(true, true), c(false, false)], &[]),
            Step::Checkin
        );
        // At risk, first nudge sent: no check-in since it, so the next one is a check-in ...
        assert_eq!(step(AtRisk, 1, &missed, &[]), Step::Checkin);
        // ... and once that one passed without a meeting, the second nudge replaces the check-in after it.
        assert_eq!(step(AtRisk, 1, &missed, &missed[..1]), Step::SecondNudge);
        // Then only check-ins: the admins decide.
        assert_eq!(step(AtRisk, 2, &missed, &missed[..1]), Step::Checkin);
        assert_eq!(step(AtRisk, 2, &missed, &missed), Step::Checkin);
        // Marked at risk by an earlier version (no nudge counted): one more nudge, then none.
        assert_eq!(step(AtRisk, 0, &missed, &missed), Step::SecondNudge);
        // A pair that has ended gets nothing but the (ignored) check-in step.
        assert_eq!(step(PairStatus::Ended, 0, &missed, &missed), Step::Checkin);
    }
}
