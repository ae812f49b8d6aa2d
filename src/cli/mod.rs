//! The offline commands.

pub mod offline;
