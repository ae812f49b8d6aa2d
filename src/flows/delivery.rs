//! What a job step needs to send and record one message: [`post_once`], the error type every job step returns, and
//! the generic message job (a DM or channel message rendered when it was decided, queued in the deciding
//! transaction with [`queue_message`]).

use crate::context::App;
use crate::domain::model::{JobKind, MessagePayload};
use crate::outbound::slack_api::ApiError;
use crate::outbound::store::{Job, NewJob, StoreError, Tx};
use serde_json::{Value, json};

/// Why a job step failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The job cannot succeed (unknown kind, bad payload).
    #[error("{0}")]
    Invalid(String),
}

/// What a job step did when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    /// It did its work (which may be nothing, e.g. a plan reminder for a pair that has a plan).
    Done,
    /// It was a scheduled message that no longer made sense — too late after an outage
    /// ([`crate::domain::lateness`]), or for a pair that has ended — and was not sent. The reason is one line for
    /// the log and the job's record.
    Dropped(String),
    /// It ran before its time — a message for a working slot that a job can only work out when it runs (an
    /// invitation learns the invitee's zone from Slack then) — and sent nothing: the same job waits again.
    Later(Later),
}

/// When, and with what, a job that ran early runs again ([`Ran::Later`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Later {
    /// Unix seconds.
    pub due_at: i64,
    /// The job's payload from then on (JSON).
    pub payload: String,
    /// The key the job had when it was queued (a claimed job gives it up), so that queuing the same work again
    /// moves this job instead of adding a second one.
    pub key: Option<String>,
}

impl Later {
    pub fn new(due_at: chrono::DateTime<chrono::Utc>, payload: &impl serde::Serialize) -> Later {
        Later {
            due_at: due_at.timestamp(),
            payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
            key: None,
        }
    }
    pub fn key(mut self, key: impl Into<String>) -> Later {
        self.key = Some(key.into());
        self
    }
}

impl From<()> for Ran {
    fn from((): ()) -> Ran {
        Ran::Done
    }
}

/// When `job` was due.
pub fn due_at(job: &Job) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(job.due_at, 0).unwrap_or_default()
}

/// Reads a job's JSON payload.
pub fn payload<T: serde::de::DeserializeOwned>(job: &Job) -> Result<T, JobError> {
    serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Invalid(format!("bad {} payload: {e}", job.kind)))
}

/// Posts a message for `job` once: if this step was delivered before (a re-run after a crash), returns the recorded
/// message instead of posting again. Returns `(channel, ts)`.
pub async fn post_once(
    app: &App,
    job: &Job,
    step: &str,
    channel: &str,
    text: &str,
    blocks: &Value,
) -> Result<(String, String), JobError> {
    if let Some((c, Some(ts))) = app.store().delivery(job.id, step).await? {
        return Ok((c.unwrap_or_else(|| channel.to_string()), ts));
    }
    let mut body = json!({ "channel": channel, "text": text, "unfurl_links": false });
    if !blocks.is_null() {
        body["blocks"] = blocks.clone();
    }
    let answer = app.slack().call("chat.postMessage", &body).await?;
    let posted_in = answer["channel"].as_str().unwrap_or(channel).to_string();
    let ts = answer["ts"].as_str().unwrap_or_default().to_string();
    app.store()
        .record_delivery(job.id, step, Some(&posted_in), Some(&ts), app.now())
        .await?;
    Ok((posted_in, ts))
}

/// Queues one message (to a user's DM or a channel) in the deciding transaction, due now. `pair_id` orders it with
/// the pair's other jobs.
pub async fn queue_message(
    tx: &mut Tx,
    message: &MessagePayload,
    pair_id: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    let mut job = NewJob::new(JobKind::Message, now).payload(message);
    job.pair_id = pair_id;
    tx.enqueue(job, now).await?;
    Ok(())
}

/// A plain-text message (no blocks).
pub fn text_message(to: &str, text: &str) -> MessagePayload {
    MessagePayload {
        to: to.to_string(),
        text: text.to_string(),
        blocks: None,
    }
}

/// The [`JobKind::Message`] job.
pub async fn run_message(app: &App, job: &Job) -> Result<(), JobError> {
    let m: MessagePayload = payload(job)?;
    post_once(
        app,
        job,
        "post",
        &m.to,
        &m.text,
        m.blocks.as_ref().unwrap_or(&Value::Null),
    )
    .await?;
    Ok(())
}
