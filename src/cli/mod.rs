//! The offline commands.

pub mod backup;
pub mod invite;
pub mod offline;
