//! Invitations to opt in (opt-in stays opt-in): `/mentor invite #channel | @group` and `tandem invite --csv` record
//! who is invited and, in the same transaction, queue one [`JobKind::Invite`] job per person; the job sends a DM with
//! a *Join* button that opens the survey (the same modal as `/mentor join`). Nobody is enrolled by an invitation.
//!
//! Who is invited is decided by [`crate::domain::invitations::sort`]: never anyone enrolled, never anyone invited in
//! the last 30 days. Bots and deactivated accounts cannot be told apart from a channel's member list (Slack lists
//! user IDs only), so the job asks `users.info` before posting; for a bot or a deactivated account it posts
//! nothing and the invitation row says so, which keeps that account out of later invitations while the row lasts. The jobs run in the bulk lane of the queue (after work someone is waiting for); a 429 pauses the method
//! and the job retries after `Retry-After` ([`crate::jobs::worker`]).

use super::delivery::{JobError, payload, post_once};
use crate::context::App;
use crate::domain::invitations::{Invitee, Sorted, recent_since, sort};
use crate::domain::model::{AuditAction, AuditEntry, JobKind, UserPayload};
use crate::outbound::store::{Job, NewJob, StoreError, Tx};
use crate::views;

/// Who records a command-line invitation (the audit log's "who"; the DM then names nobody).
pub const CLI_ACTOR: &str = "tandem invite";

/// Sorts `people` and, for each one to invite, records the invitation and queues its DM; appends one audit entry
/// (`by`, `source` and the counts). All in `tx`, which the caller commits. Returns who was invited and who not.
pub async fn invite_in(
    tx: &mut Tx,
    people: &[Invitee],
    by: &str,
    source: &str,
    now: i64,
) -> Result<Sorted, StoreError> {
    let enrolled = tx.enrolled_ids().await?;
    let recent = tx.invited_since(recent_since(now)).await?;
    let not_people = tx.not_people().await?;
    let sorted = sort(people, &enrolled, &recent, &not_people);
    for who in &sorted.invite {
        tx.record_invitation(who, by, source, now).await?;
        let job = NewJob::new(JobKind::Invite, now)
            .payload(&UserPayload {
                user: who.user.clone(),
                first_time: false,
            })
            .key(format!("invite:{}", who.user));
        tx.enqueue(job, now).await?;
    }
    let mut detail = format!(
        "{source}: {} invited, {} already enrolled, {} invited recently",
        sorted.invite.len(),
        sorted.enrolled.len(),
        sorted.recent.len()
    );
    if !sorted.not_people.is_empty() {
        detail.push_str(&format!(
            ", {} bots or deactivated accounts skipped",
            sorted.not_people.len()
        ));
    }
    tx.audit(
        &AuditEntry::new(by, AuditAction::Invite).detail(detail),
        now,
    )
    .await?;
    Ok(sorted)
}

/// `/mentor invite`: invites `members` (of the channel or user group named `source`) on behalf of `admin`, in one
/// transaction with their DMs' jobs.
pub async fn invite(
    app: &App,
    admin: &str,
    source: &str,
    members: &[String],
) -> Result<Sorted, StoreError> {
    let people: Vec<Invitee> = members.iter().map(|m| Invitee::new(m)).collect();
    let mut tx = app.store().write().await?;
    let sorted = invite_in(&mut tx, &people, admin, source, app.now()).await?;
    app.commit(tx).await?;
    Ok(sorted)
}

/// The supervisor to pre-fill in `user_id`'s survey: the one an HR export named in their invitation, if any.
pub async fn suggested_supervisor(app: &App, user_id: &str) -> Result<Option<String>, StoreError> {
    Ok(app
        .store()
        .invitation(user_id)
        .await?
        .and_then(|i| i.reports_to))
}

/// The [`JobKind::Invite`] job: unless the person joined in the meantime, or their invitation is gone (they left, or
/// retention removed it), or `users.info` says the account is a bot's or deactivated (noted on the invitation) or
/// unknown (the invitation is dropped), posts the invitation DM once and notes when Slack accepted it. If
/// `users.info` does not answer, the DM is posted anyway.
pub async fn run(app: &App, job: &Job) -> Result<(), JobError> {
    let UserPayload { user, .. } = payload(job)?;
    let store = app.store();
    let delivered = matches!(store.delivery(job.id, "invite").await?, Some((_, Some(_))));
    let Some(invitation) = store.invitation(&user).await? else {
        return Ok(());
    };
    if !delivered {
        if store.participant(&user).await?.is_some() {
            return Ok(());
        }
        match app.slack().user_profile(&user).await {
            Ok(p) if p.deleted || p.is_bot => {
                let why = if p.is_bot { "bot" } else { "deactivated" };
                store.mark_not_a_person(&user, why).await?;
                return Ok(());
            }
            Err(e) if e.code() == Some("user_not_found") => {
                store.forget_invitation(&user).await?;
                return Ok(());
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "users.info failed; sending the invitation without the check")
            }
        }
    }
    let (text, blocks) = views::invitations::invitation_dm(&invitation.invited_by);
    post_once(app, job, "invite", &user, &text, &blocks).await?;
    store.mark_invitation_sent(&user, app.now()).await?;
    Ok(())
}
