//! Check-ins: when they are scheduled (each pair's cadence, on a weekday at 10:00 in the later partner's time zone),
//! what they ask ("Did you meet since …?"), how answers are recorded (one per person; a second press has no second
//! effect), and stalled pairs (two check-ins in a row without a meeting mark the pair at risk, with one nudge).

use crate::context::App;
use crate::domain::forms::pair_forms::{self, CheckinAnswer, MetAnswer};
use crate::domain::schedule::{self, CheckinPolicy};
use crate::flows::introductions::{PairSchedule, pair_schedule};
use crate::jobs::worker::{JobError, post_once};
use crate::outbound::store::{CheckinOutcome, Job, PairRecord, StoreError};
use crate::views;
use chrono::{DateTime, Utc};
use serde_json::json;

/// How many check-ins in a row without a meeting make a pair "at risk".
pub const STALL_AFTER: usize = 2;

/// Stalled (pure): the last [`STALL_AFTER`] check-ins (newest first) all passed without anyone saying they met.
pub fn stalled(recent: &[CheckinOutcome]) -> bool {
    recent.len() >= STALL_AFTER && recent.iter().take(STALL_AFTER).all(|c| !c.met)
}

/// When the pair's closing happens: its end date at the check-in time in the later partner's zone.
pub fn closing_at(sched: &PairSchedule) -> DateTime<Utc> {
    schedule::checkin_slot(sched.end_date, &sched.zones, sched.local_time).1
}

/// Schedules the pair's next check-in after `after` (or none, when the plan ends first) and its closing.
pub async fn schedule_next(
    app: &App,
    pair: &PairRecord,
    sched: &PairSchedule,
    after: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = app.clock().now().timestamp();
    let store = app.store();
    let next = schedule::next_checkin(
        after,
        sched.cadence,
        &sched.zones,
        &CheckinPolicy {
            local_time: sched.local_time,
            ..CheckinPolicy::default()
        },
    );
    let closing = closing_at(sched);
    let key = format!("checkin:{}", pair.id);
    if next < closing {
        store
            .schedule_job(
                "checkin",
                Some(pair.id),
                "{}",
                next.timestamp(),
                Some(&key),
                now,
            )
            .await?;
    } else {
        // No check-in before the end: move the pending one (if any) to the closing, where it finds the pair done.
        store
            .schedule_job(
                "checkin",
                Some(pair.id),
                "{}",
                closing.timestamp(),
                Some(&key),
                now,
            )
            .await?;
    }
    store
        .schedule_job(
            "closing",
            Some(pair.id),
            "{}",
            closing.timestamp(),
            Some(&format!("closing:{}", pair.id)),
            now,
        )
        .await?;
    Ok(())
}

fn date_of(unix: i64) -> chrono::NaiveDate {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .date_naive()
}

/// The "checkin" job: ask the pair whether they met, after checking whether they have stalled.
pub async fn run(app: &App, job: &Job) -> Result<(), JobError> {
    let store = app.store();
    let Some(pair) = store.pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    let (Some(members), Some(channel)) = (pair.members(), pair.channel.clone()) else {
        return Ok(());
    };
    if !pair.is_current() {
        return Ok(());
    }
    let Some(sched) = pair_schedule(app, &pair).await? else {
        return Ok(());
    };
    let now = app.clock().now();
    if now >= closing_at(&sched) {
        return Ok(()); // the closing takes over
    }
    if !sched.paused {
        let recent = store.recent_checkins(pair.id, STALL_AFTER as i64).await?;
        if stalled(&recent) && pair.status == "active" && store.set_pair_risk(pair.id, true).await?
        {
            let key = format!("nudge:{}", pair.id);
            store
                .schedule_job(
                    "nudge",
                    Some(pair.id),
                    "{}",
                    now.timestamp(),
                    Some(&key),
                    now.timestamp(),
                )
                .await?;
        }
        let since = store
            .last_checkin_at(pair.id)
            .await?
            .unwrap_or(pair.created_at);
        let checkin = store
            .checkin_for_job(job.id, pair.id, since, now.timestamp())
            .await?;
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
    schedule_next(app, &pair, &sched, now).await?;
    Ok(())
}

/// The "nudge" job: one message with concrete suggestions to a pair that stalled.
pub async fn nudge(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    let Some(channel) = pair.channel.clone().filter(|_| pair.status == "at_risk") else {
        return Ok(());
    };
    let (text, blocks) = views::checkin::at_risk_nudge(pair.id);
    post_once(app, job, "post", &channel, &text, &blocks).await?;
    Ok(())
}

/// The "help_alert" job: tells every program admin privately that a pair asked for help.
pub async fn alert_admins(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
    let checkin_id = payload["checkin_id"].as_i64().unwrap_or_default();
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

/// Records `user_id`'s answer to check-in `checkin_id` (if they are in the pair and had not answered), then updates
/// the message for both and, for "we need help", alerts the admins. Returns `false` when nothing was recorded.
pub async fn answer(
    app: &App,
    checkin_id: i64,
    user_id: &str,
    answer: CheckinAnswer,
    met: Option<&MetAnswer>,
) -> Result<bool, StoreError> {
    let store = app.store();
    let Some(checkin) = store.checkin(checkin_id).await? else {
        return Ok(false);
    };
    let Some(pair) = store.pair_of_member(checkin.pair_id, user_id).await? else {
        tracing::warn!("a check-in answer from someone outside the pair was refused");
        return Ok(false);
    };
    let now = app.clock().now().timestamp();
    if !store
        .record_answer(checkin_id, user_id, answer, met, now)
        .await?
    {
        return Ok(false);
    }
    match answer {
        CheckinAnswer::Met => {
            store.mark_met(pair.id, now).await?;
            if pair.status == "at_risk" {
                store.set_pair_risk(pair.id, false).await?;
            }
        }
        CheckinAnswer::NeedHelp => {
            let payload = json!({ "checkin_id": checkin_id }).to_string();
            store
                .schedule_job("help_alert", Some(pair.id), &payload, now, None, now)
                .await?;
            app.jobs().wake();
        }
        CheckinAnswer::NotYet => {}
    }
    let worker = app.clone();
    app.spawn_background(async move {
        if let Err(e) = refresh_message(&worker, checkin_id).await {
            tracing::warn!(error = %e, "could not update a check-in message");
        }
    });
    Ok(true)
}

/// Re-renders a check-in message with who answered what (`chat.update`).
async fn refresh_message(app: &App, checkin_id: i64) -> Result<(), JobError> {
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

/// Opens the "We met" modal for a member of the check-in's pair.
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
    let nonce = crate::flows::enrolment::nonce();
    app.slack()
        .open_view(trigger_id, &views::checkin::met_modal(checkin_id, &nonce))
        .await?;
    Ok(())
}

/// The "We met" modal's submission: validated, then recorded as the person's answer.
pub async fn submit_met(
    app: &App,
    user_id: &str,
    view: &crate::inbound::payload::View,
) -> crate::inbound::dispatch::Reply {
    let Some((checkin_id, _)) = pair_forms::parse_metadata(&view.private_metadata) else {
        return crate::inbound::dispatch::Reply::Ack;
    };
    match pair_forms::parse_met(&view.state.values) {
        Err(errors) => crate::inbound::dispatch::Reply::Json(
            json!({ "response_action": "errors", "errors": errors }),
        ),
        Ok(met) => {
            if let Err(e) = answer(app, checkin_id, user_id, CheckinAnswer::Met, Some(&met)).await {
                tracing::error!(error = %e, "could not record a check-in answer");
            }
            crate::inbound::dispatch::Reply::Ack
        }
    }
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
