//! `/mentor help`.

use super::SUBCOMMANDS;
use crate::dispatch::Reply;
use crate::views;

pub fn apply(unknown: Option<&str>) -> Reply {
    Reply::Json(views::help::help(SUBCOMMANDS, unknown))
}
