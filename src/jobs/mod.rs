//! The durable jobs loop.

pub mod kinds;
pub mod worker;
