//! After an outage: which overdue scheduled messages still make sense (pure).
//!
//! A job that runs late (Tandem was down, the machine slept) is judged by its kind and how late it is. A message
//! that no longer makes sense is **dropped**: not sent, recorded as dropped (the job's outcome, an INFO log line with
//! its kind and pair, the `tandem_jobs_total{outcome="dropped"}` metric), never lost silently. The rule per kind:
//!
//! | kind | dropped when it is at least this late | and then |
//! | --- | --- | --- |
//! | check-in | one period of the pair's cadence (the next one is due) | the series goes on at its next slot |
//! | nudge | one period of the pair's cadence | — (the next check-in asks again) |
//! | plan reminder | [`PLAN_REMINDER_MAX_LATENESS`] (a week; check-ins have taken over) | — |
//! | closing note | [`CLOSING_MAX_LATENESS`] (a day: "your plan ends today" is no longer true) | the pair still completes |
//! | managers' summary | one period of `TANDEM_SUMMARY_CRON` (the next summary is due) | the next one is queued |
//! | note to someone a round left out | [`UNMATCHED_NOTE_MAX_LATENESS`] (a week: the round is old news by then) | — |
//! | invitation | never: an admin asked for it, and an opt-in offer does not go stale | — |
//! | anything else | never: it was asked for by someone (an introduction, a reply, a DM an action decided) | — |
//!
//! A late invitation or note that is still sent does not go out the moment Tandem is back either: when the day of
//! its slot has passed it waits for the recipient's next working slot
//! ([`crate::domain::schedule::WorkingCalendar::check_slot`]). A kind added later picks its row in
//! [`max_lateness`], which the compiler makes it do.

use crate::domain::model::JobKind;
use chrono::{DateTime, TimeDelta, Utc};

/// A plan reminder ("you have not set a plan yet") this late is dropped: by then the pair's check-ins have taken
/// over.
pub const PLAN_REMINDER_MAX_LATENESS: TimeDelta = TimeDelta::days(7);

/// A closing note ("your plan ends today") this late is dropped: it would no longer be true.
pub const CLOSING_MAX_LATENESS: TimeDelta = TimeDelta::days(1);

/// A note to someone left out of a round ("this round's pairs have been introduced, and you were not paired this
/// time") this late is dropped: the pairs were introduced a week before, and `/mentor status` and the Home tab say
/// where the person stands and when the next round is.
pub const UNMATCHED_NOTE_MAX_LATENESS: TimeDelta = TimeDelta::days(7);

/// How late a job of `kind` may run and still be sent; `None` when any lateness is fine.
///
/// `period` is how often that message recurs for its recipients: the pair's cadence for check-ins and nudges, the
/// time between two summaries for the summary. Other kinds ignore it.
pub fn max_lateness(kind: JobKind, period: TimeDelta) -> Option<TimeDelta> {
    match kind {
        JobKind::Checkin | JobKind::Nudge | JobKind::Summary => Some(period),
        JobKind::PlanReminder => Some(PLAN_REMINDER_MAX_LATENESS),
        JobKind::Closing => Some(CLOSING_MAX_LATENESS),
        JobKind::UnmatchedNote => Some(UNMATCHED_NOTE_MAX_LATENESS),
        JobKind::Intro
        | JobKind::HelpAlert
        | JobKind::ComputeRound
        | JobKind::ProposalUpdate
        | JobKind::CheckinRefresh
        | JobKind::Message
        | JobKind::HomeRefresh
        | JobKind::Welcome
        | JobKind::SubjectAccess
        | JobKind::ReportChart
        | JobKind::CohortReport
        | JobKind::PlanCalendar
        | JobKind::Invite
        | JobKind::RiskAlert
        | JobKind::ScheduledRound => None,
    }
}

/// Why a job of `kind` due at `due` must be dropped at `now` (see [`max_lateness`]), or `None` when it may still
/// run. The reason is one line for the log and the job's record, e.g. `152 days late (a closing note goes out at
/// most 1 day late)`.
pub fn overdue(
    kind: JobKind,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    period: TimeDelta,
) -> Option<String> {
    let max = max_lateness(kind, period)?;
    let late = now - due;
    (late >= max && max > TimeDelta::zero()).then(|| {
        format!(
            "{} late (a {} goes out at most {} late)",
            human(late),
            noun(kind),
            human(max)
        )
    })
}

fn noun(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Checkin => "check-in",
        JobKind::Nudge => "nudge",
        JobKind::PlanReminder => "plan reminder",
        JobKind::Closing => "closing note",
        JobKind::Summary => "managers' summary",
        JobKind::UnmatchedNote => "note to someone a round left out",
        _ => "message",
    }
}

/// "152 days", "1 day", "5 hours", "12 minutes".
fn human(d: TimeDelta) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if d.num_days() >= 1 {
        plural(d.num_days(), "day")
    } else if d.num_hours() >= 1 {
        plural(d.num_hours(), "hour")
    } else {
        plural(d.num_minutes(), "minute")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    const WEEK: TimeDelta = TimeDelta::days(7);

    #[test]
    fn each_kind_has_its_limit() {
        // A check-in or a nudge: up to one period late.
        assert_eq!(overdue(JobKind::Checkin, t(2, 10), t(8, 10), WEEK), None);
        assert_eq!(
            overdue(JobKind::Checkin, t(2, 10), t(9, 10), WEEK).as_deref(),
            Some("7 days late (a check-in goes out at most 7 days late)")
        );
        assert!(overdue(JobKind::Checkin, t(2, 10), t(9, 9), TimeDelta::days(14)).is_none());
        assert!(overdue(JobKind::Nudge, t(2, 10), t(9, 10), WEEK).is_some());
        // A closing note: less than a day.
        assert_eq!(overdue(JobKind::Closing, t(2, 10), t(3, 9), WEEK), None);
        assert_eq!(
            overdue(JobKind::Closing, t(2, 10), t(3, 10), WEEK).as_deref(),
            Some("1 day late (a closing note goes out at most 1 day late)")
        );
        // A plan reminder: less than a week, whatever the cadence.
        assert!(
            overdue(
                JobKind::PlanReminder,
                t(2, 10),
                t(8, 10),
                TimeDelta::days(30)
            )
            .is_none()
        );
        assert!(
            overdue(
                JobKind::PlanReminder,
                t(2, 10),
                t(9, 10),
                TimeDelta::days(30)
            )
            .is_some()
        );
        // The summary: until the next one is due.
        assert!(overdue(JobKind::Summary, t(2, 9), t(9, 8), WEEK).is_none());
        assert!(overdue(JobKind::Summary, t(2, 9), t(9, 9), WEEK).is_some());
        // A note to someone a round left out: less than a week, whatever the period.
        assert!(overdue(JobKind::UnmatchedNote, t(2, 10), t(9, 9), TimeDelta::zero()).is_none());
        assert_eq!(
            overdue(
                JobKind::UnmatchedNote,
                t(2, 10),
                t(9, 10),
                TimeDelta::zero()
            )
            .as_deref(),
            Some("7 days late (a note to someone a round left out goes out at most 7 days late)")
        );
    }

    #[test]
    fn work_someone_asked_for_is_never_dropped() {
        for kind in [
            JobKind::Intro,
            JobKind::HelpAlert,
            JobKind::ComputeRound,
            JobKind::ProposalUpdate,
            JobKind::CheckinRefresh,
            JobKind::Message,
            JobKind::HomeRefresh,
            JobKind::Welcome,
            JobKind::SubjectAccess,
            JobKind::Invite,
        ] {
            assert_eq!(max_lateness(kind, WEEK), None, "{kind}");
            assert_eq!(overdue(kind, t(1, 0), t(31, 0), WEEK), None, "{kind}");
        }
    }

    #[test]
    fn a_message_on_time_or_early_is_never_dropped() {
        for kind in JobKind::ALL {
            assert_eq!(overdue(*kind, t(2, 10), t(2, 10), WEEK), None, "{kind}");
            assert_eq!(overdue(*kind, t(2, 10), t(1, 10), WEEK), None, "{kind}");
        }
        // A zero period never drops (a degenerate schedule must not drop every summary).
        assert_eq!(
            overdue(JobKind::Summary, t(2, 10), t(9, 10), TimeDelta::zero()),
            None
        );
    }

    #[test]
    fn a_closing_note_five_months_late_is_dropped() {
        let due = Utc.with_ymd_and_hms(2026, 6, 30, 14, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 14, 0, 0).unwrap();
        assert_eq!(
            overdue(JobKind::Closing, due, now, WEEK).as_deref(),
            Some("153 days late (a closing note goes out at most 1 day late)")
        );
    }
}
