//! A pair's schedule: its cadence, both time zones and end date (from its plan, or from both surveys), and the
//! check-in and closing jobs that follow from it. Shared by introductions, plans and check-ins.

use crate::context::App;
use crate::domain::model::JobKind;
use crate::domain::schedule::{self, Cadence, CheckinPolicy};
use crate::outbound::store::{NewJob, PairRecord, StoreError, Tx};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

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

/// When the pair's closing happens: its end date at the check-in time in the later partner's zone.
pub fn closing_at(sched: &PairSchedule) -> DateTime<Utc> {
    schedule::checkin_slot(sched.end_date, &sched.zones, sched.local_time).1
}

/// A pair's schedule, read in `tx`: from its plan when it has one, otherwise from both surveys (the slower cadence,
/// four months). `None` when a member has left.
pub async fn read(
    app: &App,
    tx: &mut Tx,
    pair: &PairRecord,
) -> Result<Option<PairSchedule>, StoreError> {
    let Some([j, s]) = pair.members() else {
        return Ok(None);
    };
    let (Some(pj), Some(ps)) = (tx.participant(j).await?, tx.participant(s).await?) else {
        return Ok(None);
    };
    let zones = [&pj, &ps]
        .iter()
        .map(|p| schedule::parse_tz(&p.tz).unwrap_or(Tz::UTC))
        .collect();
    let local_time = app.config().checkin_time;
    let now = app.now();
    let paused = pj.is_paused(now) || ps.is_paused(now);
    let started = DateTime::from_timestamp(pair.created_at, 0)
        .unwrap_or_default()
        .date_naive();
    Ok(Some(match tx.plan(pair.id).await? {
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

/// Queues the pair's next check-in after `after` (or, when the plan ends first, moves it to the closing, where it
/// finds the pair done) and its closing.
pub async fn schedule_next(
    tx: &mut Tx,
    pair_id: i64,
    sched: &PairSchedule,
    after: DateTime<Utc>,
    now: i64,
) -> Result<(), StoreError> {
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
    let checkin_at = if next < closing { next } else { closing };
    tx.enqueue(
        NewJob::new(JobKind::Checkin, checkin_at.timestamp())
            .pair(pair_id)
            .key(format!("checkin:{pair_id}")),
        now,
    )
    .await?;
    tx.enqueue(
        NewJob::new(JobKind::Closing, closing.timestamp())
            .pair(pair_id)
            .key(format!("closing:{pair_id}")),
        now,
    )
    .await?;
    Ok(())
}
