//! Every job kind and the flow step that runs it.

use crate::context::App;
use crate::domain::model::JobKind;
use crate::flows::delivery::{JobError, Ran};
use crate::flows::{
    calendar, checkins, departures, endings, enrolment, home, introductions, invitations, plans,
    proposals, rounds, subject_access, summaries, trouble,
};
use crate::outbound::store::Job;

/// Runs one claimed job. The scheduled messages (check-ins, nudges, plan reminders, closing notes, the managers'
/// summary, the notes to people a round left out) judge their own lateness by [`crate::domain::lateness`] and may
/// answer [`Ran::Dropped`]; the worker records that. Invitations and those notes check their working slot when they
/// run and may answer [`Ran::Later`] (the same job waits for it). Everything else runs whenever it is due.
pub async fn run(app: &App, job: &Job) -> Result<Ran, JobError> {
    let Some(kind) = job.kind() else {
        return Err(JobError::Invalid(format!(
            "unknown job kind '{}'",
            job.kind
        )));
    };
    match kind {
        JobKind::PlanReminder => plans::remind(app, job).await,
        JobKind::Checkin => checkins::run(app, job).await,
        JobKind::Nudge => checkins::nudge(app, job).await,
        JobKind::HelpAlert => trouble::alert_help(app, job).await.map(Ran::from),
        JobKind::RiskAlert => trouble::alert_risk(app, job).await.map(Ran::from),
        JobKind::Closing => endings::close(app, job).await,
        JobKind::Summary => summaries::post_scheduled(app, job).await,
        JobKind::Intro => introductions::run(app, job).await.map(Ran::from),
        JobKind::CheckinRefresh => checkins::refresh_message(app, job).await.map(Ran::from),
        JobKind::ComputeRound => proposals::compute(app, job).await.map(Ran::from),
        JobKind::ProposalUpdate => proposals::update_review(app, job).await.map(Ran::from),
        JobKind::Message => departures::run_message(app, job).await.map(Ran::from),
        JobKind::HomeRefresh => home::run(app, job).await.map(Ran::from),
        JobKind::Welcome => enrolment::welcome(app, job).await.map(Ran::from),
        JobKind::SubjectAccess => subject_access::run(app, job).await.map(Ran::from),
        JobKind::ReportChart => summaries::send_chart(app, job).await.map(Ran::from),
        JobKind::CohortReport => summaries::post_cohort(app, job).await.map(Ran::from),
        JobKind::PlanCalendar => calendar::run(app, job).await.map(Ran::from),
        JobKind::Invite => invitations::run(app, job).await,
        JobKind::ScheduledRound => rounds::run_scheduled(app, job).await.map(Ran::from),
        JobKind::UnmatchedNote => rounds::send_unmatched_note(app, job).await,
    }
}
