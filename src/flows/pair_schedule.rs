//! A pair's schedule: its cadence, both time zones and end date (from its plan, or from both surveys), and when each
//! message to the pair goes out — always by the one rule, [`WorkingCalendar::next_working_slot`]: at
//! `TANDEM_CHECKIN_TIME` in the later partner's zone, on a working day for both. Shared by introductions, plans and
//! check-ins.

use crate::context::App;
use crate::domain::model::JobKind;
use crate::domain::schedule::{self, Cadence, PLAN_REMINDER_BUSINESS_DAYS, WorkingCalendar};
use crate::outbound::store::{NewJob, PairRecord, StoreError, Tx};
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use std::sync::Arc;

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
    /// The firm's working days.
    pub calendar: Arc<WorkingCalendar>,
}

impl PairSchedule {
    /// The first moment at or after `earliest` when a message may go to this pair: the check-in time in the later
    /// partner's zone, on a working day for both.
    pub fn slot(&self, earliest: DateTime<Utc>) -> DateTime<Utc> {
        self.calendar
            .next_working_slot(earliest, &self.zones, self.local_time)
    }

    /// The slot on `date` itself, or on the first working day after it.
    pub fn slot_on(&self, date: chrono::NaiveDate) -> DateTime<Utc> {
        self.slot(schedule::checkin_slot(date, &self.zones, self.local_time).1)
    }

    /// When the single plan reminder goes: [`PLAN_REMINDER_BUSINESS_DAYS`] working days after `introduced`.
    pub fn plan_reminder_at(&self, introduced: DateTime<Utc>) -> DateTime<Utc> {
        self.calendar.working_days_later(
            introduced,
            PLAN_REMINDER_BUSINESS_DAYS,
            &self.zones,
            self.local_time,
        )
    }

    /// One period of the pair's cadence (how late a check-in or a nudge may still go out).
    pub fn period(&self) -> TimeDelta {
        TimeDelta::days(i64::from(self.cadence.interval_days()))
    }
}

/// The less frequent of two cadences: a pair meets as often as the busier person can.
pub fn slower(a: Cadence, b: Cadence) -> Cadence {
    if a.interval_days() >= b.interval_days() {
        a
    } else {
        b
    }
}

/// When the pair's closing note (and its feedback request) goes out: its end date at the check-in time in the later
/// partner's zone, or the first working day after it when the end date is a weekend day or a holiday.
pub fn closing_at(sched: &PairSchedule) -> DateTime<Utc> {
    sched.slot_on(sched.end_date)
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
            calendar: app.calendar().clone(),
        },
        None => PairSchedule {
            cadence: slower(pj.answers.cadence, ps.answers.cadence),
            zones,
            end_date: schedule::default_end_date(started),
            local_time,
            paused,
            calendar: app.calendar().clone(),
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
    let next = sched
        .calendar
        .next_checkin(after, sched.cadence, &sched.zones, sched.local_time);
    queue_checkin_and_closing(tx, pair_id, sched, next, now).await
}

/// Queues the pair's next check-in at `next` (a slot by [`PairSchedule::slot`]; moved to the closing when the plan
/// ends first) and its closing.
pub async fn queue_checkin_and_closing(
    tx: &mut Tx,
    pair_id: i64,
    sched: &PairSchedule,
    next: DateTime<Utc>,
    now: i64,
) -> Result<(), StoreError> {
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
