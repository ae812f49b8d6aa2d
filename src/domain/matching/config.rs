//! Configuration: side rule, hard-rule thresholds, score weights, and the
//! round context (history, exclusions, skill labels).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{PairSet, Participant, Role, Side};

/// Decides which side a participant is on.
///
/// A person is on the **senior** side if their role is in `senior_roles`
/// **or** they have at least `senior_min_years` years in practice; everyone
/// else is a reverse mentor.
///
/// Defaults: `senior_roles = [Partner, OfCounsel, GeneralCounsel, DeputyGc,
/// SeniorCounsel]`, `senior_min_years = 12`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SideRule {
    /// Roles that are always on the senior side.
    pub senior_roles: Vec<Role>,
    /// Years in practice from which anyone is on the senior side.
    pub senior_min_years: u8,
}

impl Default for SideRule {
    fn default() -> Self {
        SideRule {
            senior_roles: vec![
                Role::Partner,
                Role::OfCounsel,
                Role::GeneralCounsel,
                Role::DeputyGc,
                Role::SeniorCounsel,
            ],
            senior_min_years: 12,
        }
    }
}

impl SideRule {
    /// The side `p` is on under this rule.
    pub fn side_of(&self, p: &Participant) -> Side {
        self.side_for(p.role, p.years)
    }

    /// The side of someone with this role and these years in practice.
    pub fn side_for(&self, role: Role, years: u8) -> Side {
        if self.senior_roles.contains(&role) || years >= self.senior_min_years {
            Side::Senior
        } else {
            Side::ReverseMentor
        }
    }
}

/// Score weights. Every component of a pair's score is an integer so that
/// totals compare exactly. Negative weights are allowed but a pair whose
/// total is not positive is never proposed (rule `score_not_positive`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Points per skill the reverse mentor can teach that the senior wants
    /// to learn ("teach up"). Default 10.
    pub teach_up: i64,
    /// Points per skill the senior can teach that the reverse mentor wants
    /// to learn ("teach down"). Default 10.
    pub teach_down: i64,
    /// Balance bonus: points per unit of `min(teach_up, teach_down)`, so a
    /// 2-and-2 pair beats a 3-and-1 pair. Default 15.
    pub balance: i64,
    /// Bonus when the two people are in different practice groups
    /// (cross-pollination). Default 5.
    pub cross_group: i64,
    /// Bonus when both offer the same number of hours a month. Default 3.
    pub same_hours: i64,
    /// Bonus when both prefer the same cadence. Default 3.
    pub same_cadence: i64,
    /// Points per full hour of overlapping working day (from the UTC
    /// offset difference, see [`MatchConfig::work_day_minutes`]).
    /// Default 1 (at most 9 points with a 9-hour day).
    pub overlap_per_hour: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            teach_up: 10,
            teach_down: 10,
            balance: 15,
            cross_group: 5,
            same_hours: 3,
            same_cadence: 3,
            overlap_per_hour: 1,
        }
    }
}

/// Thresholds of the hard rules plus the weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchConfig {
    /// Who is senior. See [`SideRule`].
    pub side_rule: SideRule,
    /// Minimum difference in years in practice between the senior and the
    /// reverse mentor of a pair. Default 5.
    pub min_gap_years: u8,
    /// Minimum hours a month each person must offer. Default 1 (i.e. every
    /// survey answer passes; the rule is kept so a round can raise it).
    pub min_hours: u8,
    /// Length of the working day in minutes, used to compute working-hour
    /// overlap from the UTC offset difference. Default 540 (9 hours).
    pub work_day_minutes: u16,
    /// Score weights.
    pub weights: Weights,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            side_rule: SideRule::default(),
            min_gap_years: 5,
            min_hours: 1,
            work_day_minutes: 540,
            weights: Weights::default(),
        }
    }
}

/// Everything besides the participants that a round needs: configuration,
/// earlier pairs, admin exclusions and skill labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Rules and weights.
    pub config: MatchConfig,
    /// Pairs that have already been paired in an earlier round.
    pub history: PairSet,
    /// Pairs an admin excluded.
    pub exclusions: PairSet,
    /// Skill id → human label used in explanations. A missing id is shown
    /// as the id itself. The catalog lives outside this module.
    pub skill_labels: BTreeMap<String, String>,
}

impl Context {
    /// Label of a skill id (the id itself if unknown).
    pub fn skill_label(&self, id: &str) -> String {
        self.skill_labels
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }
}
