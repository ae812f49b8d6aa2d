//! `/mentor report [all]` (admins): the managers' summary of the period so far (or of the whole program), ephemeral,
//! plus what Tandem could not deliver (only admins see that part); the weekly chart follows as a file in the admin's
//! DM. Each run is recorded in the audit log before the figures are read.

use crate::context::App;
use crate::domain::model::{AuditAction, AuditEntry};
use crate::flows::summaries::Span;
use crate::inbound::reply::Reply;
use crate::views;
use serde_json::{Value, json};

/// How many failed deliveries the report lists.
const FAILED_SHOWN: i64 = 5;

pub async fn apply(app: &App, admin: &str, span: Span) -> Reply {
    let detail = if span == Span::All { "all" } else { "period" };
    let entry = AuditEntry::new(admin, AuditAction::Report).detail(detail.to_string());
    if let Err(e) = crate::flows::admin::record(app, &entry).await {
        return super::sorry(e);
    }
    let now = app.clock().now();
    let summary = crate::flows::summaries::report(
        app.store(),
        app.catalog(),
        app.match_config(),
        &app.config().summary_schedule,
        span,
        now,
    )
    .await;
    if let Err(e) = crate::flows::summaries::queue_chart(app, admin).await {
        return super::sorry(e);
    }
    let failed = app.store().failed_jobs(FAILED_SHOWN).await;
    match (summary, failed) {
        (Ok((summary, _)), Ok(failed)) => {
            let mut blocks = views::summary::summary_blocks(&summary);
            if !failed.is_empty()
                && let Value::Array(list) = &mut blocks
            {
                let lines: Vec<String> = failed
                    .iter()
                    .map(|f| {
                        let pair = f
                            .pair_id
                            .map(|p| format!(" for pair #{p}"))
                            .unwrap_or_default();
                        format!(
                            "• {}{pair}: {}",
                            f.kind.replace('_', " "),
                            views::help::truncate(&f.last_error, 200)
                        )
                    })
                    .collect();
                list.push(views::section(&format!(
                    "*Messages that could not be delivered* (latest {})\n{}",
                    lines.len(),
                    lines.join("\n")
                )));
            }
            Reply::Json(
                json!({ "response_type": "ephemeral", "text": views::summary::summary_text(&summary), "blocks": blocks }),
            )
        }
        (Err(e), _) | (_, Err(e)) => super::sorry(e),
    }
}
