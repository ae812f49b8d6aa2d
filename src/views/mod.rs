//! Pure Block Kit rendering: plain data in, Slack JSON out. Nothing here does I/O, so every view is unit-tested
//! against Slack's limits (see [`limits`], which the fake Slack also enforces). The views build their JSON with the
//! one set of builders in [`blocks`].

pub mod audit;
pub mod blocks;
pub mod checkin;
pub mod closing;
pub mod enrolment;
pub mod exclusions;
pub mod feedback;
pub mod help;
pub mod home;
pub mod intro;
pub mod invitations;
pub mod limits;
pub mod plan;
pub mod proposal;
pub mod rounds;
pub mod subject_access;
pub mod summary;
pub mod survey;
pub mod text;
pub mod trouble;

mod pair_common;

/// The builders flows and inbound reach as `views::section` and the like.
pub use blocks::{actions, button, context, divider, ephemeral, header, section};

/// The program's name as people see it.
pub const PRODUCT: &str = "Tandem";
