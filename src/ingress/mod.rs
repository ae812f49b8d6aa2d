//! Inbound only: how Slack's requests reach the dispatcher. `http` verifies signed HTTP requests; `socket` runs
//! Socket Mode; `payload` parses what both deliver into the same types.

pub mod http;
pub mod payload;
pub mod socket;
