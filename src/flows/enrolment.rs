//! A person's enrolment, as operations shared by the slash commands and the Home tab's buttons: open the survey,
//! save its answers, pause, resume, leave. Each change and the messages it implies (the confirmation DM, a partner's
//! note, Home tab refreshes) are written in one transaction.

use super::delivery::{JobError, payload, queue_message, text_message};
use super::home;
use crate::context::App;
use crate::domain::forms::survey::Answers;
use crate::domain::model::{JobKind, UserPayload};
use crate::outbound::store::{Job, NewJob, StoreError};
use crate::views;

/// A fresh random nonce for the survey modal's `private_metadata` (checked on submission).
pub fn nonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Why the survey could not be opened, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotOpened(pub String);

/// Opens the survey modal (pre-filled when the person is enrolled, or with the supervisor their invitation names)
/// and remembers it, so that only this modal's submission is accepted. Must run on the request path: the trigger ID
/// lives 3 seconds.
pub async fn open_survey(app: &App, user_id: &str, trigger_id: &str) -> Result<(), NotOpened> {
    let unreadable = |e: StoreError| {
        tracing::error!(error = %e, "cannot read a participant");
        NotOpened(
            "Tandem could not read your answers just now; please try again in a minute.".into(),
        )
    };
    let current = app.store().participant(user_id).await.map_err(unreadable)?;
    let supervisor = match current {
        Some(_) => None,
        None => super::invitations::suggested_supervisor(app, user_id)
            .await
            .map_err(unreadable)?,
    };
    let nonce = nonce();
    let view = views::survey::survey_modal(
        app.catalog(),
        current.as_ref().map(|p| &p.answers),
        supervisor.as_deref(),
        &nonce,
    );
    match app.slack().open_view(trigger_id, &view).await {
        Ok(view_id) => app
            .store()
            .record_survey_view(&view_id, user_id, &nonce, app.now())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot record a survey view");
                NotOpened("Tandem could not open the survey just now; please try again.".into())
            }),
        Err(e) => {
            tracing::warn!(error = %e, "views.open failed");
            Err(NotOpened(
                "Slack did not let me open the survey in time. Please type `/mentor join` again."
                    .into(),
            ))
        }
    }
}

/// True when Tandem opened this survey modal for this user with this nonce.
pub async fn is_our_survey(
    app: &App,
    view_id: &str,
    user_id: &str,
    nonce: &str,
) -> Result<bool, StoreError> {
    app.store().is_survey_view_of(view_id, user_id, nonce).await
}

/// Saves validated survey answers and, in the same transaction, forgets the person's open survey modals and their
/// invitation (it has served), and queues the welcome (time zone and name from Slack, the confirmation DM, the Home
/// tab).
pub async fn save_survey(app: &App, user_id: &str, answers: &Answers) -> Result<(), StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    let first_time = tx.save_answers(user_id, answers, now).await?;
    tx.forget_survey_views(user_id).await?;
    tx.forget_invitation(user_id).await?;
    tx.enqueue(
        NewJob::new(JobKind::Welcome, now).payload(&UserPayload {
            user: user_id.to_string(),
            first_time,
        }),
        now,
    )
    .await?;
    app.commit(tx).await
}

/// The [`JobKind::Welcome`] job: the person's time zone and name from `users.info` (kept as they were if Slack does
/// not answer), the confirmation DM once, then the Home tab. If `users.info` says the account is deactivated, the
/// person departs instead ([`super::departures`]) and nothing is posted.
pub async fn welcome(app: &App, job: &Job) -> Result<(), JobError> {
    let UserPayload { user, first_time } = payload(job)?;
    let store = app.store();
    match app.slack().user_profile(&user).await {
        Ok(profile) if profile.deleted => {
            super::departures::depart(app, &user, super::departures::Reason::Deactivated).await?;
            return Ok(());
        }
        Ok(profile) => {
            if let Some(tz) = &profile.tz {
                store.set_timezone(&user, tz).await?;
            }
            if let Some(name) = &profile.name {
                store.set_display_name(&user, name).await?;
            }
        }
        Err(e) => tracing::warn!(error = %e, "users.info failed; keeping the stored time zone"),
    }
    let Some(p) = store.participant(&user).await? else {
        return Ok(()); // they left in the meantime
    };
    let (text, blocks) = views::enrolment::joined_dm(&p, app.catalog(), first_time);
    super::delivery::post_once(app, job, "dm", &user, &text, &blocks).await?;
    home::publish(app, &user).await
}

/// What a pause, resume or leave did, for the person's eyes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(String),
    NotEnrolled,
}

/// Pauses someone for `weeks` weeks, or until they resume. If they are in a pair, its check-ins pause too, and a note
/// in the pair's group DM (or, before the introduction, a DM) tells the other person, in the same transaction.
pub async fn pause(app: &App, user_id: &str, weeks: Option<u32>) -> Result<Outcome, StoreError> {
    let now_dt = app.clock().now();
    let now = now_dt.timestamp();
    let until = weeks.map(|w| crate::domain::schedule::pause_until(now_dt, w).timestamp());
    let mut tx = app.store().write().await?;
    if !tx.pause(user_id, until, now).await? {
        return Ok(Outcome::NotEnrolled);
    }
    let others = tell_pairs(
        &mut tx,
        user_id,
        &views::checkin::pair_paused(user_id, until),
        now,
    )
    .await?;
    home::queue_refresh(&mut tx, user_id, now).await?;
    app.commit(tx).await?;
    let pair_note = if others.is_empty() {
        String::new()
    } else {
        format!(
            " Your pair's check-ins are paused too, and {} has been told.",
            others
                .iter()
                .map(|o| format!("<@{o}>"))
                .collect::<Vec<_>>()
                .join(" and ")
        )
    };
    Ok(Outcome::Done(match until {
        Some(u) => format!(
            "You are paused until {}: no matching and no check-ins until then. It ends by itself; `/mentor resume` ends it sooner.{pair_note}",
            views::home::slack_date(u)
        ),
        None => format!(
            "You are paused: no matching and no check-ins until you type `/mentor resume`.{pair_note}"
        ),
    }))
}

/// Posts `note` about `user_id` to each of their current pairs (in the group DM, or to the other person before the
/// introduction). Returns the other people.
async fn tell_pairs(
    tx: &mut crate::outbound::store::Tx,
    user_id: &str,
    note: &str,
    now: i64,
) -> Result<Vec<String>, StoreError> {
    let mut others = Vec::new();
    for pair in tx.current_pairs_of(user_id).await? {
        let Some(other) = pair.partner_of(user_id).map(str::to_string) else {
            continue;
        };
        let to = pair.channel.clone().unwrap_or_else(|| other.clone());
        queue_message(tx, &text_message(&to, note), Some(pair.id), now).await?;
        others.push(other);
    }
    Ok(others)
}

/// Ends a pause. If they are in a pair and were paused, a note in the pair's group DM says its check-ins start
/// again.
pub async fn resume(app: &App, user_id: &str) -> Result<Outcome, StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    tx.lock_participant(user_id).await?;
    let was_paused = tx
        .participant(user_id)
        .await?
        .is_some_and(|p| p.is_paused(now));
    if !tx.resume(user_id, now).await? {
        return Ok(Outcome::NotEnrolled);
    }
    let paired = if was_paused {
        !tell_pairs(
            &mut tx,
            user_id,
            &views::checkin::pair_resumed(user_id),
            now,
        )
        .await?
        .is_empty()
    } else {
        !tx.current_pairs_of(user_id).await?.is_empty()
    };
    home::queue_refresh(&mut tx, user_id, now).await?;
    let tz = tx
        .participant(user_id)
        .await?
        .map(|p| p.tz)
        .unwrap_or_default();
    app.commit(tx).await?;
    Ok(Outcome::Done(if paired {
        "Welcome back: you are active again, and your Tandem pair's check-ins start again with the next one."
            .to_string()
    } else {
        format!(
            "Welcome back: you are active again. {}",
            views::rounds::considered_again(super::rounds::next_round(app), &tz)
        )
    }))
}

/// Deletes someone's answers and profile and ends their pair; in the same transaction, their partner's kind DM (no
/// reason) and the Home tab refreshes are queued ([`super::departures::depart`], shared with a deactivation).
pub async fn leave(app: &App, user_id: &str) -> Result<Outcome, StoreError> {
    if !super::departures::depart(app, user_id, super::departures::Reason::Left).await? {
        return Ok(Outcome::NotEnrolled);
    }
    Ok(Outcome::Done(
        "You have left Tandem and your answers are deleted.".to_string(),
    ))
}
