//! The one place that turns a verified inbound request into its effect, whichever transport brought it.
//!
//! The dispatcher answers fast: what a request decides is written with the jobs that deliver its messages, and the
//! worker does the slow part; only `views.open` calls Slack on the request path (a `trigger_id` lives 3 seconds).

use super::commands::Command;
use super::reply::Reply;
use crate::context::App;
use crate::inbound::payload::{Event, EventCallback, EventsBody, Inbound, Malformed};

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error("malformed request: {0}")]
    Malformed(#[from] Malformed),
    #[error("internal error: {0}")]
    Internal(String),
}

pub async fn dispatch(app: &App, inbound: Inbound) -> Result<Reply, DispatchError> {
    match inbound {
        Inbound::Command(cmd) => {
            if cmd.command != "/mentor" {
                return Err(Malformed(format!("unknown command '{}'", cmd.command)).into());
            }
            Ok(Command::parse(&cmd.text).apply(app, &cmd).await)
        }
        Inbound::Interaction(interaction) => {
            crate::inbound::interactions::handle(app, interaction).await
        }
        Inbound::Events(EventsBody::UrlVerification { challenge }) => {
            Ok(Reply::Challenge(challenge))
        }
        Inbound::Events(EventsBody::AppRateLimited) => {
            tracing::warn!(
                "Slack reports that it dropped events because Tandem answered too slowly"
            );
            Ok(Reply::Ack)
        }
        Inbound::Events(EventsBody::Callback(cb)) => on_event(app, cb).await,
    }
}

async fn on_event(app: &App, cb: EventCallback) -> Result<Reply, DispatchError> {
    match &cb.event {
        Event::Other { .. } | Event::UserChange { deleted: false, .. } => return Ok(Reply::Ack),
        // Recorded with its effect in one transaction: a failure leaves it unrecorded, for Slack's retry.
        Event::UserChange {
            user,
            deleted: true,
        } => {
            let first = crate::flows::departures::on_deactivated_event(app, &cb.event_id, user)
                .await
                .map_err(|e| DispatchError::Internal(e.to_string()))?;
            if !first {
                tracing::debug!(event_id = %cb.event_id, "duplicate event ignored");
            }
            return Ok(Reply::Ack);
        }
        Event::AppHomeOpened { .. } => {}
    }
    let first = app
        .store()
        .claim_event(&cb.event_id, app.clock().now().timestamp())
        .await
        .map_err(|e| DispatchError::Internal(e.to_string()))?;
    if !first {
        tracing::debug!(event_id = %cb.event_id, "duplicate event ignored");
        return Ok(Reply::Ack);
    }
    match cb.event {
        Event::AppHomeOpened { user, tab } if tab == "home" => {
            if let Err(e) = crate::flows::home::refresh_later(app, &user).await {
                tracing::warn!(error = %e, "could not queue a Home tab refresh");
            }
        }
        Event::AppHomeOpened { .. } | Event::UserChange { .. } | Event::Other { .. } => {}
    }
    Ok(Reply::Ack)
}
