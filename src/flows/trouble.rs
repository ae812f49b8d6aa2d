//! A pair in trouble: a private help request, the admins' alerts (a help request, or a pair gone at risk: see
//! [`super::checkins`]), and what an admin can do from an alert: *Message them*, *End the pair kindly*, *Re-match
//! both*.
//!
//! - **Help is private.** *We need help* on a check-in opens a modal ([`open_help`], on the request path: the trigger
//!   lives 3 s). The submission ([`request_help`]) records the request (what is wrong, optional; whether the other
//!   person may be told that they asked) and, in the same transaction, queues the admins' alert and a short note to
//!   the person who asked. Nothing is posted in the pair's group DM and the check-in does not change, so nothing
//!   there singles anyone out. The admins' alert names who asked; whether the other person learns it is up to the
//!   admins, who are shown what the asker allowed.
//! - **Admin actions** are admins-only (checked here as well as where the button arrives), confirmed by a Block Kit
//!   `confirm` dialog on each button, done at most once (a pair that has ended is not ended again), and recorded in
//!   the audit log in the same transaction as the action. The admin is told the outcome by DM.
//! - **Message them** sends the admin's message, signed as from the program team, either to the pair's group DM
//!   (both see it) or, on a help alert, privately to the person who asked: the admin chooses in the modal.
//! - **End the pair kindly** ends the pair through the ending flow ([`super::endings::finish_early`]) and sends each
//!   person a kind DM (no reason, no blame). **Re-match both** does the same and lifts a pause either has, so that
//!   both are considered in the next matching round; the rounds never pair them with each other again (a pair's
//!   history is a hard rule of matching).

use super::delivery::{JobError, payload, post_once, queue_message, text_message};
use super::endings;
use crate::context::App;
use crate::domain::forms::help::{AdminMessage, AlertRef, HelpRequest, Recipient};
use crate::domain::model::{
    AuditAction, AuditEntry, CheckinAnswer, HelpPayload, JobKind, PairStatus,
};
use crate::outbound::store::{Job, NewJob, PairRecord, Store, StoreError};
use crate::views;
use crate::views::trouble::{Alert, Cause, Done, Named};

/// What pressing *We need help* did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpOpened {
    Opened,
    /// They asked at this check-in already.
    AlreadyAsked,
    /// No such check-in, the person is not in its pair, or the pair is no longer running.
    NotTheirs,
}

/// Opens the private help modal for a member of the check-in's running pair (on the request path).
pub async fn open_help(
    app: &App,
    checkin_id: i64,
    user_id: &str,
    trigger_id: &str,
) -> Result<HelpOpened, JobError> {
    let store = app.store();
    let Some(c) = store.checkin(checkin_id).await? else {
        return Ok(HelpOpened::NotTheirs);
    };
    if store
        .pair_of_member(c.pair_id, user_id)
        .await?
        .is_none_or(|p| !p.is_current())
    {
        return Ok(HelpOpened::NotTheirs);
    }
    if store.asked_for_help(checkin_id, user_id).await? {
        return Ok(HelpOpened::AlreadyAsked);
    }
    app.slack()
        .open_view(trigger_id, &views::trouble::help_modal(checkin_id))
        .await?;
    Ok(HelpOpened::Opened)
}

/// What a help request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Recorded,
    /// They had asked at this check-in already (no second alert).
    AlreadyAsked,
    /// No such check-in, the person is not in its pair, or the pair is no longer running.
    NotTheirs,
}

/// Records `user_id`'s private help request at check-in `checkin_id` and, in the same transaction, queues the
/// admins' alert and the asker's acknowledgement.
pub async fn request_help(
    app: &App,
    checkin_id: i64,
    user_id: &str,
    request: &HelpRequest,
) -> Result<Asked, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    let Some(checkin) = tx.checkin(checkin_id).await? else {
        return Ok(Asked::NotTheirs);
    };
    tx.lock_pair(checkin.pair_id).await?;
    let Some(pair) = tx
        .pair(checkin.pair_id)
        .await?
        .filter(|p| p.has_member(user_id) && p.is_current())
    else {
        return Ok(Asked::NotTheirs);
    };
    let Some(help_id) = tx
        .record_help(pair.id, checkin_id, user_id, request, now)
        .await?
    else {
        return Ok(Asked::AlreadyAsked);
    };
    tx.enqueue(
        NewJob::new(JobKind::HelpAlert, now)
            .pair(pair.id)
            .payload(&HelpPayload {
                help_id: Some(help_id),
                checkin_id: None,
            }),
        now,
    )
    .await?;
    // No pair ID on the acknowledgement: nothing about it is listed for the other person (`/mentor mydata`).
    let ack = text_message(user_id, &views::trouble::help_sent(request.may_tell));
    queue_message(&mut tx, &ack, None, now).await?;
    app.commit(tx).await?;
    tracing::info!(pair = pair.id, "a private help request was recorded");
    Ok(Asked::Recorded)
}

/// The name of `user_id` as stored (from Slack), if known.
async fn named(store: &Store, user_id: &str) -> Result<Named, StoreError> {
    Ok(Named {
        id: user_id.to_string(),
        name: store
            .participant(user_id)
            .await?
            .and_then(|p| p.display_name),
    })
}

/// Both people of `pair`, named, when both are still in the program.
async fn both(store: &Store, pair: &PairRecord) -> Result<Option<(Named, Named)>, StoreError> {
    let Some([j, s]) = pair.members() else {
        return Ok(None);
    };
    Ok(Some((named(store, j).await?, named(store, s).await?)))
}

/// The facts an alert shows about `pair`. `None` when a member has left.
async fn alert_for(
    app: &App,
    pair: &PairRecord,
    cause: Cause,
) -> Result<Option<Alert>, StoreError> {
    let store = app.store();
    let Some((junior, senior)) = both(store, pair).await? else {
        return Ok(None);
    };
    Ok(Some(Alert {
        pair_id: pair.id,
        junior,
        senior,
        days: (app.now() - pair.created_at).max(0) / 86_400,
        meetings: store.meetings(pair.id).await?,
        last_met_at: pair.last_met_at,
        cause,
    }))
}

/// Posts `alert` to every admin's DM, once each (a re-run skips those already sent).
async fn post_alert(app: &App, job: &Job, alert: &Alert) -> Result<(), JobError> {
    let (text, blocks) = views::trouble::alert(alert);
    for (i, admin) in app.config().admins.iter().enumerate() {
        post_once(app, job, &format!("admin:{i}"), admin, &text, &blocks).await?;
    }
    if app.config().admins.is_empty() {
        tracing::warn!(
            pair = alert.pair_id,
            "an alert about a pair has nobody to go to: TANDEM_ADMINS is empty"
        );
    }
    Ok(())
}

/// The [`JobKind::HelpAlert`] job: tells every program admin privately that someone asked for help, with both
/// names, the pair's age, its meetings so far, who asked, what they wrote, and the three buttons.
pub async fn alert_help(app: &App, job: &Job) -> Result<(), JobError> {
    let store = app.store();
    let Some(pair) = store.pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    let p: HelpPayload = payload(job)?;
    let cause = match (p.help_id, p.checkin_id) {
        (Some(id), _) => {
            let Some(h) = store.help_request(id).await? else {
                return Ok(());
            };
            let Some(asker) = h.user_id else {
                return Ok(()); // they left in the meantime
            };
            Cause::Help {
                help_id: Some(h.id),
                asker,
                may_tell: h.may_tell,
                text: h.text,
            }
        }
        // Queued by an earlier version, when "we need help" was a check-in answer: who asked, nothing more.
        (None, Some(checkin_id)) => {
            let asker = store
                .answers(checkin_id)
                .await?
                .into_iter()
                .find(|(_, a)| *a == CheckinAnswer::NeedHelp)
                .map(|(u, _)| u);
            let Some(asker) = asker else {
                return Ok(());
            };
            Cause::Help {
                help_id: None,
                asker,
                may_tell: false,
                text: None,
            }
        }
        (None, None) => return Err(JobError::Invalid("a help alert names no request".into())),
    };
    let Some(alert) = alert_for(app, &pair, cause).await? else {
        return Ok(());
    };
    post_alert(app, job, &alert).await
}

/// The [`JobKind::RiskAlert`] job: tells every program admin privately that a pair went at risk (queued once per
/// at-risk stretch), with the same facts and buttons as a help alert.
pub async fn alert_risk(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(pair) = app.store().pair(job.pair_id.unwrap_or_default()).await? else {
        return Ok(());
    };
    if pair.status != PairStatus::AtRisk {
        return Ok(()); // they met again (or it ended) before the alert went out
    }
    let cause = Cause::AtRisk {
        missed: super::checkins::STALL_AFTER,
    };
    let Some(alert) = alert_for(app, &pair, cause).await? else {
        return Ok(());
    };
    post_alert(app, job, &alert).await
}

/// What an admin's action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acted {
    Done,
    /// The pair has ended already: nothing changed, nothing recorded (the admin is told).
    AlreadyOver,
    /// Not a program admin: refused, nothing changed.
    NotAdmin,
    /// No such pair (or the help request is not this pair's).
    NotFound,
}

/// The asker of help request `help_id` on pair `pair_id`, if it is that pair's.
async fn asker_of(app: &App, r: AlertRef) -> Result<Option<(String, bool)>, StoreError> {
    let Some(id) = r.help_id else {
        return Ok(None);
    };
    Ok(app
        .store()
        .help_request(id)
        .await?
        .filter(|h| h.pair_id == r.pair_id)
        .and_then(|h| h.user_id.map(|u| (u, h.may_tell))))
}

/// *Message them*: opens the message modal for an admin (on the request path). A pair that has ended gets a DM to
/// the admin instead.
pub async fn open_message_modal(
    app: &App,
    admin: &str,
    r: AlertRef,
    trigger_id: &str,
) -> Result<Acted, JobError> {
    if !app.config().is_admin(admin) {
        return Ok(Acted::NotAdmin);
    }
    let Some(pair) = app.store().pair(r.pair_id).await? else {
        return Ok(Acted::NotFound);
    };
    let asker = asker_of(app, r).await?;
    let names = both(app.store(), &pair).await?;
    let asker_named = match &asker {
        Some((u, _)) => Some(named(app.store(), u).await?),
        None => None,
    };
    let (Some((j, s)), true) = (names, pair.is_current()) else {
        tell_admin(
            app,
            admin,
            &views::trouble::done(Done::AlreadyOver, &pair_label(&pair)),
        )
        .await?;
        return Ok(Acted::AlreadyOver);
    };
    let view = views::trouble::message_modal(
        AlertRef {
            pair_id: r.pair_id,
            help_id: asker.as_ref().and(r.help_id),
        },
        &j,
        &s,
        asker_named.as_ref(),
        asker.as_ref().is_some_and(|(_, t)| *t),
    );
    app.slack().open_view(trigger_id, &view).await?;
    Ok(Acted::Done)
}

/// "pair #5" with its people when known.
fn pair_label(pair: &PairRecord) -> String {
    match pair.members() {
        Some([j, s]) => format!("<@{j}> and <@{s}>"),
        None => format!("pair #{}", pair.id),
    }
}

/// A DM to an admin, queued in its own transaction (no decision to go with it).
async fn tell_admin(app: &App, admin: &str, text: &str) -> Result<(), StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    queue_message(&mut tx, &text_message(admin, text), None, now).await?;
    app.commit(tx).await
}

/// The *Message them* submission: queues the admin's message (to the group DM, or privately to the person who
/// asked), the admin's confirmation and the audit record, in one transaction.
pub async fn send_message(
    app: &App,
    admin: &str,
    r: AlertRef,
    message: &AdminMessage,
) -> Result<Acted, StoreError> {
    if !app.config().is_admin(admin) {
        return Ok(Acted::NotAdmin);
    }
    let asker = asker_of(app, r).await?;
    let now = app.now();
    let mut tx = app.store().write().await?;
    tx.lock_pair(r.pair_id).await?;
    let Some(pair) = tx.pair(r.pair_id).await? else {
        return Ok(Acted::NotFound);
    };
    let Some([j, s]) = pair.members().filter(|_| pair.is_current()) else {
        return Ok(Acted::AlreadyOver);
    };
    let text = views::trouble::from_program(admin, &message.text);
    let (to, entry) = match (message.to, &asker) {
        (Recipient::Asker, Some((asker, _))) => (
            vec![asker.clone()],
            AuditEntry::new(admin, AuditAction::MessagePair)
                .on(asker)
                .detail(format!(
                    "pair #{}, privately to the person who asked for help",
                    pair.id
                )),
        ),
        (Recipient::Asker, None) => return Ok(Acted::NotFound),
        (Recipient::Pair, _) => (
            match &pair.channel {
                Some(c) => vec![c.clone()],
                None => vec![j.to_string(), s.to_string()], // not introduced yet: each by DM
            },
            AuditEntry::new(admin, AuditAction::MessagePair)
                .on(j)
                .and(s)
                .detail(format!("pair #{}, in their group DM", pair.id)),
        ),
    };
    // A private message carries no pair ID: nothing about it is listed for the other person (`/mentor mydata`).
    let ordered_with = (message.to == Recipient::Pair).then_some(pair.id);
    for dest in &to {
        queue_message(&mut tx, &text_message(dest, &text), ordered_with, now).await?;
    }
    tx.audit(&entry, now).await?;
    let whom = match (message.to, &asker) {
        (Recipient::Asker, Some((asker, _))) => format!("<@{asker}>"),
        _ => pair_label(&pair),
    };
    let done = views::trouble::done(Done::Messaged(message.to), &whom);
    queue_message(&mut tx, &text_message(admin, &done), None, now).await?;
    app.commit(tx).await?;
    tracing::info!(pair = pair.id, "an admin messaged a pair");
    Ok(Acted::Done)
}

/// *End the pair kindly* (`rematch` false) or *Re-match both* (true): ends the pair through the ending flow, sends
/// each person a kind DM, (re-match) lifts a pause either has so both are in the next round, records the action and
/// tells the admin, in one transaction. A pair that has ended already is left alone (the admin is told so).
pub async fn end_pair(
    app: &App,
    admin: &str,
    r: AlertRef,
    rematch: bool,
) -> Result<Acted, StoreError> {
    if !app.config().is_admin(admin) {
        return Ok(Acted::NotAdmin);
    }
    let now = app.now();
    let mut tx = app.store().write().await?;
    tx.lock_pair(r.pair_id).await?;
    let Some(pair) = tx.pair(r.pair_id).await? else {
        return Ok(Acted::NotFound);
    };
    let members = pair.members().map(|[j, s]| (j.to_string(), s.to_string()));
    let ended = match &members {
        Some(_) => endings::finish_early(&mut tx, &pair, None, now).await?,
        None => false,
    };
    let Some((j, s)) = members.filter(|_| ended) else {
        drop(tx);
        tell_admin(
            app,
            admin,
            &views::trouble::done(Done::AlreadyOver, &pair_label(&pair)),
        )
        .await?;
        return Ok(Acted::AlreadyOver);
    };
    for (me, other) in [(&j, &s), (&s, &j)] {
        let note = text_message(me, &views::trouble::ended_by_program(other, rematch));
        queue_message(&mut tx, &note, Some(pair.id), now).await?;
        if rematch && tx.participant(me).await?.is_some_and(|p| p.is_paused(now)) {
            tx.resume(me, now).await?;
        }
    }
    let (action, done) = if rematch {
        (AuditAction::Rematch, Done::Rematched)
    } else {
        (AuditAction::EndPair, Done::Ended)
    };
    let why = if r.help_id.is_some() {
        "after a help request"
    } else {
        "at risk"
    };
    tx.audit(
        &AuditEntry::new(admin, action)
            .on(&j)
            .and(&s)
            .detail(format!("pair #{}, {why}", pair.id)),
        now,
    )
    .await?;
    let text = views::trouble::done(done, &format!("<@{j}> and <@{s}>"));
    queue_message(&mut tx, &text_message(admin, &text), None, now).await?;
    app.commit(tx).await?;
    tracing::info!(pair = pair.id, rematch, "an admin ended a pair");
    Ok(Acted::Done)
}
