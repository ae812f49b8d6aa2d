//! The offline commands.

pub mod backup;
pub mod offline;
