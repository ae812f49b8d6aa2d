//! What Tandem answers Slack with, and the one mapping from an outcome or a failure to what the person sees: an
//! ephemeral message, a modal's field errors, or an apology (never a stack trace).

use crate::outbound::store::StoreError;
use crate::views;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What Tandem answers Slack with: an HTTP response body, or a Socket Mode acknowledgement's payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// An empty 200 (or an envelope acknowledged without payload). For a modal submission: close the modal.
    Ack,
    /// A JSON body: a slash command's message or a view submission's `response_action`.
    Json(Value),
    /// The plain-text challenge of a `url_verification`.
    Challenge(String),
}

/// An ephemeral one-paragraph reply.
pub fn say(text: &str) -> Reply {
    Reply::Json(views::ephemeral(text, vec![views::section(text)]))
}

/// The reply when the store fails: an apology, never a stack trace.
pub fn sorry(e: impl std::fmt::Display) -> Reply {
    tracing::error!(error = %e, "a command failed");
    say(
        "Tandem could not do that just now. Please try again in a minute; if it keeps failing, tell a program admin.",
    )
}

/// A modal submission refused with a message under each named block (`response_action: errors`): Slack keeps the
/// modal open and shows the messages.
pub fn field_errors(errors: &BTreeMap<String, String>) -> Reply {
    Reply::Json(json!({ "response_action": "errors", "errors": errors }))
}

/// A modal submission that could not be saved: the modal stays open with `message` under `block_id`, so the person
/// knows nothing was saved and can try again.
pub fn not_saved(block_id: &str, e: &StoreError) -> Reply {
    tracing::error!(error = %e, "a form could not be saved");
    field_errors(&BTreeMap::from([(
        block_id.to_string(),
        "Tandem could not save this just now; nothing was saved. Please try again in a minute."
            .to_string(),
    )]))
}

/// The reply for a pause, resume or leave outcome.
pub fn outcome(result: Result<crate::flows::enrolment::Outcome, StoreError>, what: &str) -> Reply {
    match result {
        Ok(crate::flows::enrolment::Outcome::Done(message)) => say(&message),
        Ok(crate::flows::enrolment::Outcome::NotEnrolled) => {
            Reply::Json(views::enrolment::not_enrolled(what))
        }
        Err(e) => sorry(e),
    }
}
