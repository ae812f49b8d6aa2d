//! The offline commands.

pub mod backup;
pub mod invite;
pub mod migrate_store;
pub mod offline;
