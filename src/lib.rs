//! Tandem: a self-hosted Slack bot that runs reverse-mentoring programs for law firms and legal departments.
//!
//! A functional core (views, signature) with an imperative shell (ingress, dispatch, store, Slack Web API client).
//! See `ARCHITECTURE` in README.md for the map.

#![forbid(unsafe_code)]

pub mod app;
pub mod catalog;
pub mod chart;
pub mod checkins;
pub mod clock;
pub mod commands;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod endings;
pub mod enrolment;
pub mod export;
pub mod ingress;
pub mod interactions;
pub mod introductions;
pub mod matching;
pub mod offline;
pub mod pair_forms;
pub mod plans;
pub mod proposals;
pub mod reports;
pub mod sandbox;
pub mod schedule;
pub mod signature;
pub mod slack_api;
pub mod store;
pub mod summaries;
pub mod survey;
pub mod telemetry;
pub mod views;
pub mod worker;
