//! Introductions of approved pairs (issue 5 fills this in): for now, approved pairs are stored and logged.

use crate::app::App;

/// Introduces the approved pairs off the request path.
pub fn introduce_later(_app: &App, pair_ids: Vec<i64>) {
    tracing::info!(
        pairs = pair_ids.len(),
        "pairs approved; introductions are not sent yet"
    );
}
