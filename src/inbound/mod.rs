//! Slack's requests: both transports, verified and parsed, dispatched to the flows, answered with a [`reply::Reply`].

pub mod commands;
pub mod dispatch;
pub mod http;
pub mod interactions;
pub mod payload;
pub mod reply;
pub mod signature;
pub mod socket;
