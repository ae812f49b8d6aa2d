//! Every job kind and the flow step that runs it.

use crate::context::App;
use crate::domain::model::JobKind;
use crate::flows::delivery::JobError;
use crate::flows::{
    checkins, departures, endings, enrolment, home, introductions, plans, proposals, rounds,
    subject_access, summaries,
};
use crate::outbound::store::Job;

/// Runs one claimed job.
pub async fn run(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(kind) = job.kind() else {
        return Err(JobError::Invalid(format!(
            "unknown job kind '{}'",
            job.kind
        )));
    };
    match kind {
        JobKind::Intro => introductions::run(app, job).await,
        JobKind::PlanReminder => plans::remind(app, job).await,
        JobKind::Checkin => checkins::run(app, job).await,
        JobKind::Nudge => checkins::nudge(app, job).await,
        JobKind::HelpAlert => checkins::alert_admins(app, job).await,
        JobKind::CheckinRefresh => checkins::refresh_message(app, job).await,
        JobKind::Closing => endings::close(app, job).await,
        JobKind::Summary => summaries::post_scheduled(app, job).await,
        JobKind::ComputeRound => proposals::compute(app, job).await,
        JobKind::ProposalUpdate => proposals::update_review(app, job).await,
        JobKind::Message => departures::run_message(app, job).await,
        JobKind::HomeRefresh => home::run(app, job).await,
        JobKind::Welcome => enrolment::welcome(app, job).await,
        JobKind::SubjectAccess => subject_access::run(app, job).await,
        JobKind::ScheduledRound => rounds::run_scheduled(app, job).await,
        JobKind::UnmatchedNote => rounds::send_unmatched_note(app, job).await,
    }
}
