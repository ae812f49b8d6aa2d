//! Invitations to opt in (opt-in stays opt-in): `/mentor invite #channel | @group` and `tandem invite --csv` record
//! who is invited and, in the same transaction, queue one [`JobKind::Invite`] job per person; the job sends a DM with
//! a *Join* button that opens the survey (the same modal as `/mentor join`). Nobody is enrolled by an invitation.
//!
//! Who is invited is decided by [`crate::domain::invitations::sort`]: never anyone enrolled, never anyone invited in
//! the last 30 days. Bots and deactivated accounts cannot be told apart from a channel's member list (Slack lists
//! user IDs only), so the job asks `users.info` before posting; for a bot or a deactivated account it posts
//! nothing and the invitation row says so, which keeps that account out of later invitations while the row lasts.
//!
//! An invitation is a scheduled message like any other: it arrives on a working day at `TANDEM_CHECKIN_TIME` in the
//! invitee's zone ([`crate::domain::schedule::WorkingCalendar::check_slot`]). Tandem holds no profile for an
//! invitee, so the job learns the zone from the same `users.info` answer (`TANDEM_TZ` when Slack gives none or does
//! not answer) and, when the slot is still to come, waits for it as the same job ([`Ran::Later`]): one job per
//! invitation, no DM early. A job whose slot's day has passed (Tandem was down) waits for the next slot instead of
//! arriving on a weekend; it is never dropped, since an admin asked for it. The jobs run in the bulk lane of the
//! queue (after work someone is waiting for); a 429 pauses the method and the job retries after `Retry-After`
//! ([`crate::jobs::worker`]), still at the slot it was placed at (the payload keeps it, whatever the retries do to
//! the due time).

use super::delivery::{JobError, Later, Ran, due_at, payload, post_once};
use crate::context::App;
use crate::domain::invitations::{Invitee, Sorted, recent_since, sort};
use crate::domain::model::{AuditAction, AuditEntry, InvitePayload, JobKind};
use crate::domain::schedule::{SlotCheck, parse_tz};
use crate::outbound::slack_api::ApiError;
use crate::outbound::store::{Job, NewJob, StoreError, Tx};
use crate::views;
use chrono::DateTime;

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
    let mut sorted = sort(people, &enrolled, &recent, &not_people);
    let mut invited = Vec::with_capacity(sorted.invite.len());
    for who in std::mem::take(&mut sorted.invite) {
        if !tx
            .record_invitation(&who, by, source, now, recent_since(now))
            .await?
        {
            // Invited by another request a moment ago (on PostgreSQL the two can overlap; the row decided).
            sorted.recent.push(who.user);
            continue;
        }
        let job = NewJob::new(JobKind::Invite, now)
            .payload(&InvitePayload {
                user: who.user.clone(),
                slot: None,
            })
            .key(invite_key(&who.user));
        tx.enqueue(job, now).await?;
        invited.push(who);
    }
    sorted.invite = invited;
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

/// The key of `user`'s invitation job (one at a time).
fn invite_key(user: &str) -> String {
    format!("invite:{user}")
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
/// unknown (the invitation is dropped), posts the invitation DM once — at the invitee's working slot: before it, the
/// job waits for it ([`Ran::Later`]) — and notes when Slack accepted it. If `users.info` does not answer, the DM is
/// posted anyway, at the slot in `TANDEM_TZ`; if it is rate-limited, the job retries after `Retry-After`.
pub async fn run(app: &App, job: &Job) -> Result<Ran, JobError> {
    let InvitePayload { user, slot } = payload(job)?;
    let store = app.store();
    let delivered = matches!(store.delivery(job.id, "invite").await?, Some((_, Some(_))));
    let Some(invitation) = store.invitation(&user).await? else {
        return Ok(Ran::Done);
    };
    if !delivered {
        if store.participant(&user).await?.is_some() {
            return Ok(Ran::Done);
        }
        let firm_zone = app.config().summary_schedule.timezone();
        let zone = match app.slack().user_profile(&user).await {
            Ok(p) if p.deleted || p.is_bot => {
                let why = if p.is_bot { "bot" } else { "deactivated" };
                store.mark_not_a_person(&user, why).await?;
                return Ok(Ran::Done);
            }
            Err(e) if e.code() == Some("user_not_found") => {
                store.forget_invitation(&user).await?;
                return Ok(Ran::Done);
            }
            Err(e @ ApiError::RateLimited { .. }) => return Err(e.into()),
            Ok(p) => {
                p.tz.as_deref()
                    .and_then(|tz| parse_tz(tz).ok())
                    .unwrap_or(firm_zone)
            }
            Err(e) => {
                tracing::warn!(error = %e, "users.info failed; sending the invitation without the check, at the slot in TANDEM_TZ");
                firm_zone
            }
        };
        let anchor = slot
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .unwrap_or_else(|| due_at(job));
        let local_time = app.config().checkin_time;
        if let SlotCheck::Wait(at) =
            app.calendar()
                .check_slot(anchor, app.clock().now(), &[zone], local_time)
        {
            let payload = InvitePayload {
                user: user.clone(),
                slot: Some(at.timestamp()),
            };
            return Ok(Ran::Later(Later::new(at, &payload).key(invite_key(&user))));
        }
    }
    let (text, blocks) = views::invitations::invitation_dm(&invitation.invited_by);
    post_once(app, job, "invite", &user, &text, &blocks).await?;
    store.mark_invitation_sent(&user, app.now()).await?;
    Ok(Ran::Done)
}
