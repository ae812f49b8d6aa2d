//! The edges Tandem writes to: its store and Slack's Web API. Nothing here knows the application context.

pub mod metrics;
pub mod slack_api;
pub mod store;
