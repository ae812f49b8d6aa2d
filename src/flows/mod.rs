//! Use cases. Each decides with the pure core and writes its decision, and every message the decision implies, to
//! the store in one transaction; the worker delivers the messages afterwards.

pub mod admin;
pub mod calendar;
pub mod checkins;
pub mod delivery;
pub mod departures;
pub mod endings;
pub mod enrolment;
pub mod home;
pub mod introductions;
pub mod invitations;
pub mod pair_schedule;
pub mod plans;
pub mod proposal_edit;
pub mod proposals;
pub mod reconcile;
pub mod retention;
pub mod rounds;
pub mod subject_access;
pub mod summaries;
pub mod trouble;
