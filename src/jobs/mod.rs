//! The durable jobs loop.

pub mod worker;
