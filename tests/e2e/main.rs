//! End-to-end tests: Tandem's real server on loopback, a fresh SQLite file, the fake Slack, signed requests.
//! One test binary with a module per area keeps linking time down.

mod audit_mydata;
mod business_days;
mod calendar;
mod cli;
mod common;
mod data_protection;
mod demo;
mod enrolment;
mod foundation;
mod ingress_props;
mod invitations;
mod lifecycle;
mod matching;
mod migrate_store;
mod offline_match;
mod process;
mod proposal_edit;
mod replicas;
mod rounds;
mod socket_mode;
mod summaries;
mod trouble;
mod web_api;
