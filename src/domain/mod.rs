//! The pure core: plain data and pure functions, no async, no I/O beyond reading a configuration file.

pub mod calendar;
pub mod catalog;
pub mod chart;
pub mod csv;
pub mod export;
pub mod feedback;
pub mod forms;
pub mod holidays;
pub mod invitations;
pub mod lateness;
pub mod matching;
pub mod model;
pub mod reports;
pub mod rng;
pub mod rounds;
pub mod schedule;
pub mod slack_id;
pub mod subject_access;
pub mod text;
