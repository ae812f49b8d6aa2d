//! `/mentor help`: everyone's subcommands, and the admins' ones for admins.

use super::{ADMIN_SUBCOMMANDS, SUBCOMMANDS};
use crate::inbound::reply::Reply;
use crate::views;

pub fn apply(unknown: Option<&str>, is_admin: bool) -> Reply {
    let admin: &[(&str, &str)] = if is_admin { ADMIN_SUBCOMMANDS } else { &[] };
    Reply::Json(views::help::help(SUBCOMMANDS, admin, unknown))
}
