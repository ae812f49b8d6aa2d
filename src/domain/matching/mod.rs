//! Tandem's pure matching core: reverse-mentoring pairs for a cohort.
//!
//! No I/O happens here. The caller passes
//! * the participants ([`Participant`]; departed people are left out by the
//!   caller, paused ones may be passed with `paused: true`),
//! * a [`Context`]: [`MatchConfig`] (side rule, minimum seniority gap,
//!   minimum hours, [`Weights`]), earlier pairs and admin exclusions as
//!   [`PairSet`]s, and optional skill labels,
//!
//! and gets a [`Proposal`]: the pairs that maximise the total score subject
//! to every hard rule, each with a [`ScoreBreakdown`] and an
//! [`Explanation`], and everyone unmatched with an [`UnmatchedReason`].
//!
//! Hard rules (see [`Forbidden`] and [`pair_verdict`]): one reverse mentor
//! and one senior per pair; nobody with the person they report to; no
//! repeat of an earlier pair; admin exclusions; paused people left out; a
//! senior takes at most `capacity` reverse mentors; the senior is at least
//! `min_gap_years` ahead; each teaches the other at least one wanted skill;
//! both offer at least `min_hours` a month.
//!
//! Optimality: the cohort becomes a rectangular matrix (reverse mentors ×
//! senior slots, one slot per unit of capacity) holding the pair score for
//! allowed pairs and 0 otherwise, solved exactly by [`solve_max`]
//! (shortest augmenting path). Results are deterministic: participants are
//! sorted by id first and ties are broken by index.
//!
//! Also here: the roster JSON format ([`Roster`], [`parse_roster`]), a
//! text table ([`render_table`]) and a CSV of every candidate pair
//! ([`explain_all_csv`]).

#![warn(missing_docs)]

mod config;
mod explain;
mod model;
mod propose;
mod roster;
mod rules;
mod solver;

#[cfg(test)]
mod tests;

pub use config::{Context, MatchConfig, SideRule, Weights};
pub use explain::{explain_all_csv, join_labels, render_table, score_words};
pub use model::{Cadence, PairSet, Participant, Role, Side};
pub use propose::{
    CohortMatrix, Explanation, MatchError, Pair, Proposal, Unmatched, UnmatchedReason,
    cohort_matrix, propose,
};
pub use roster::{ALLOWED_HOURS, Roster, RosterError, parse_roster};
pub use rules::{Forbidden, ScoreBreakdown, overlap_minutes, pair_verdict};
pub use solver::{
    DenseMatrix, MAX_ABS_ENTRY, MatrixError, assignment_total, solve_max, solve_max_rows,
};

/// Loads matching weights and rules from a TOML file (`TANDEM_MATCHING_FILE`); anything left out keeps its default.
pub fn load_config(
    path: Option<&std::path::Path>,
) -> Result<MatchConfig, crate::domain::catalog::CatalogError> {
    match path {
        Some(p) => crate::domain::catalog::load_toml(p),
        None => Ok(MatchConfig::default()),
    }
}
