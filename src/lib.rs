//! Tandem: a self-hosted Slack bot that runs reverse-mentoring programs for law firms and legal departments.
//!
//! The modules are listed top to bottom: each imports only modules listed below it (`tests/architecture.rs` checks
//! this). The pure core (`domain`, `views`) sits at the bottom; Slack's requests (`inbound`) and the clock (`jobs`)
//! sit at the top and call the use cases (`flows`), which write each decision and the messages it implies in one
//! transaction for the worker to deliver. README's "How it is built" is the map.

#![forbid(unsafe_code)]

/// The offline commands (`tandem match`, `report`, `export`).
pub mod cli;
/// The application context every flow needs: configuration, store, Slack client, clock, catalog.
pub mod context;
/// `tandem demo`: a scripted program against the sandbox.
pub mod demo;
/// The pure core: shared types, matching, schedules, reports, forms, catalog, CSV, chart.
pub mod domain;
/// Use cases: each a state change and the jobs it queues, in one transaction.
pub mod flows;
/// Slack's requests in: HTTP, Socket Mode, signatures, parsing, dispatch, commands, interactions, replies.
pub mod inbound;
/// The durable jobs loop: claim, run, settle, wake-up; job kinds mapped to their flow.
pub mod jobs;
/// The edges: the store (SQLite) and the one Slack Web API client.
pub mod outbound;
/// The Slack stand-in shared by the tests and the demo.
pub mod sandbox;
/// Start-up and the running server: build, listeners, loops, signals, reconciliation.
pub mod startup;
/// Pure Block Kit rendering.
pub mod views;
