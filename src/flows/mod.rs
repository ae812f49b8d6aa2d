//! Use cases. Each decides with the pure core and writes its decision, and every message the decision implies, to
//! the store in one transaction; the worker delivers the messages afterwards.

pub mod checkins;
pub mod endings;
pub mod enrolment;
pub mod introductions;
pub mod plans;
pub mod proposals;
pub mod reconcile;
pub mod summaries;
