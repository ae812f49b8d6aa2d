//! Subject access (`/mentor mydata`): the command queues a job; the job gathers everything Tandem holds about the
//! person (their answers, pairs, plans, their own check-in answers and feedback, the jobs that will message them),
//! DMs them a readable summary and uploads the same as a JSON file, each step recorded so a re-run sends neither
//! twice. About anyone else only the partner's name is read.

use super::delivery::{JobError, payload, post_once};
use crate::context::App;
use crate::domain::matching::UnmatchedReason;
use crate::domain::model::{JobKind, Side, UserPayload};
use crate::domain::subject_access::{
    self, InvitationData, OwnHelpRequest, PairData, PlanData, Profile, SubjectData,
};
use crate::outbound::store::{Job, NewJob, StoreError};
use crate::views;

/// What `/mentor mydata` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// The DM and the file are on their way.
    Queued,
    /// Tandem holds nothing about the person.
    NothingHeld,
}

/// `/mentor mydata`: queues the [`JobKind::SubjectAccess`] job, unless Tandem holds nothing about `user`.
pub async fn request(app: &App, user: &str) -> Result<Requested, StoreError> {
    if gather(app, user).await?.is_empty() {
        return Ok(Requested::NothingHeld);
    }
    let now = app.now();
    let mut tx = app.store().write().await?;
    let job = NewJob::new(JobKind::SubjectAccess, now).payload(&UserPayload {
        user: user.to_string(),
        first_time: false,
    });
    tx.enqueue(job, now).await?;
    app.commit(tx).await?;
    Ok(Requested::Queued)
}

/// Everything Tandem holds about `user`, read now.
pub async fn gather(app: &App, user: &str) -> Result<SubjectData, StoreError> {
    let store = app.store();
    let catalog = app.catalog();
    let waiting_reason = store
        .waiting_reason_of(user)
        .await?
        .as_deref()
        .and_then(UnmatchedReason::parse_code)
        .map(|r| r.text().to_string());
    let profile = store.participant(user).await?.map(|p| {
        let a = p.answers;
        let labels = |ids: &[String]| ids.iter().map(|id| catalog.label(id).to_string()).collect();
        Profile {
            display_name: p.display_name,
            role: a.role.label().to_string(),
            years_in_practice: a.years,
            practice_group: a.practice_group,
            can_teach: labels(&a.teach),
            wants_to_learn: labels(&a.learn),
            hours_per_month: a.hours_per_month,
            cadence: a.cadence.as_str().to_string(),
            reports_to: a.reports_to,
            time_zone: p.tz,
            capacity: p.capacity,
            paused: p.paused,
            paused_until: p.paused_until,
            joined_at: p.joined_at,
            waiting_reason,
        }
    });
    let mut pairs = Vec::new();
    for p in store.pairs_of_member(user).await? {
        let partner = match p.partner_of(user) {
            Some(id) => Some(
                store
                    .display_name_of(id)
                    .await?
                    .unwrap_or_else(|| format!("<@{id}>")),
            ),
            None => None,
        };
        let plan = store.plan(p.id).await?.map(|plan| PlanData {
            objective: plan.objective,
            cadence: plan.cadence.as_str().to_string(),
            end_date: plan.end_date.format("%Y-%m-%d").to_string(),
            first_meeting: plan.first_meeting.map(|d| d.format("%Y-%m-%d").to_string()),
        });
        let side = if p.junior_id.as_deref() == Some(user) {
            Side::ReverseMentor
        } else {
            Side::Senior
        };
        pairs.push(PairData {
            pair_id: p.id,
            side: side.as_str().to_string(),
            partner,
            status: p.status.as_str().to_string(),
            started_at: p.created_at,
            ended_at: p.ended_at,
            last_met_at: p.last_met_at,
            plan,
        });
    }
    Ok(SubjectData {
        user_id: user.to_string(),
        generated_at: app.now(),
        profile,
        pairs,
        checkin_answers: store.own_checkin_answers(user).await?,
        feedback: store.own_feedback(user).await?,
        help_requests: store
            .help_requests_of(user)
            .await?
            .into_iter()
            .map(|h| OwnHelpRequest {
                pair_id: h.pair_id,
                text: h.text,
                other_may_be_told: h.may_tell,
                asked_at: h.at,
            })
            .collect(),
        scheduled_messages: store.pending_jobs_for(user).await?,
        invitation: store.invitation(user).await?.map(|i| InvitationData {
            invited_at: i.invited_at,
            invited_by: i.invited_by,
            source: i.source,
            suggested_supervisor: i.reports_to,
            status: i.status,
        }),
    })
}

/// The [`JobKind::SubjectAccess`] job: the summary DM, then the JSON file in the same DM.
pub async fn run(app: &App, job: &Job) -> Result<(), JobError> {
    let UserPayload { user, .. } = payload(job)?;
    let data = gather(app, &user).await?;
    if data.is_empty() {
        post_once(
            app,
            job,
            "summary",
            &user,
            views::subject_access::NOTHING_HELD,
            &serde_json::Value::Null,
        )
        .await?;
        return Ok(());
    }
    let (text, blocks) = views::subject_access::summary(&data);
    let (channel, _) = post_once(app, job, "summary", &user, &text, &blocks).await?;
    if app.store().delivery(job.id, "file").await?.is_none() {
        let json = subject_access::to_json(&data);
        app.slack()
            .upload_file(
                &channel,
                &views::subject_access::file_name(&data),
                "Everything Tandem holds about you (JSON)",
                json.into_bytes(),
            )
            .await?;
        app.store()
            .record_delivery(job.id, "file", Some(&channel), None, app.now())
            .await?;
    }
    Ok(())
}
