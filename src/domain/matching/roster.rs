//! The roster JSON format read by `tandem match --input roster.json`.
//! See `docs/roster-format.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::config::{Context, MatchConfig};
use super::model::{PairSet, Participant};

/// Hours a month the survey offers.
pub const ALLOWED_HOURS: [u8; 4] = [1, 2, 4, 6];

/// Everything one matching round needs besides configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// The people in the round (paused ones may be included).
    pub participants: Vec<Participant>,
    /// Unordered pairs of ids that were paired in earlier rounds. Ids of
    /// people no longer in the roster are allowed.
    #[serde(default)]
    pub history: Vec<[String; 2]>,
    /// Unordered pairs of ids an admin excluded. Both ids must be in
    /// `participants`.
    #[serde(default)]
    pub exclusions: Vec<[String; 2]>,
}

/// Why a roster was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterError {
    /// Not valid JSON, or not the expected shape (unknown field, missing
    /// field, wrong type, unknown role...). Has 1-based line and column.
    Json {
        /// serde_json's message.
        message: String,
        /// 1-based line (0 if unknown).
        line: usize,
        /// 1-based column (0 if unknown).
        column: usize,
    },
    /// Well-formed JSON whose content breaks a rule.
    Invalid(String),
}

impl fmt::Display for RosterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RosterError::Json {
                message,
                line,
                column,
            } => {
                // serde_json appends " at line L column C" itself.
                if *line > 0 && !message.contains(" at line ") {
                    write!(f, "roster: {message} at line {line} column {column}")
                } else {
                    write!(f, "roster: {message}")
                }
            }
            RosterError::Invalid(m) => write!(f, "roster: {m}"),
        }
    }
}

impl std::error::Error for RosterError {}

/// Parses and validates a roster.
///
/// Checks, besides the JSON shape (unknown fields are rejected): ids are
/// non-empty, free of whitespace and unique; names non-empty;
/// `hours_per_month` is 1, 2, 4 or 6; `utc_offset_minutes` is within
/// −720..=840; `years` ≤ 70; skill ids are non-empty and not repeated within
/// a list; nobody reports to themselves; history and exclusion pairs name
/// two different ids; exclusion ids are in `participants`.
pub fn parse_roster(json: &str) -> Result<Roster, RosterError> {
    let roster: Roster = serde_json::from_str(json).map_err(|e| RosterError::Json {
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })?;
    roster.validate()?;
    Ok(roster)
}

impl Roster {
    /// Checks the rules listed on [`parse_roster`].
    pub fn validate(&self) -> Result<(), RosterError> {
        let bad = |k: usize, p: &Participant, msg: String| {
            Err(RosterError::Invalid(format!(
                "participants[{k}] (id \"{}\"): {msg}",
                p.id
            )))
        };
        let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, p) in self.participants.iter().enumerate() {
            if p.id.is_empty() || p.id.chars().any(char::is_whitespace) {
                return bad(k, p, "id must be non-empty and contain no spaces".into());
            }
            if let Some(first) = ids.insert(&p.id, k) {
                return bad(k, p, format!("id also used by participants[{first}]"));
            }
            if p.name.trim().is_empty() {
                return bad(k, p, "name must not be empty".into());
            }
            if !ALLOWED_HOURS.contains(&p.hours_per_month) {
                return bad(
                    k,
                    p,
                    format!(
                        "hours_per_month must be 1, 2, 4 or 6, got {}",
                        p.hours_per_month
                    ),
                );
            }
            if !(-720..=840).contains(&p.utc_offset_minutes) {
                return bad(
                    k,
                    p,
                    format!(
                        "utc_offset_minutes must be between -720 and 840, got {}",
                        p.utc_offset_minutes
                    ),
                );
            }
            if p.years > 70 {
                return bad(k, p, format!("years must be at most 70, got {}", p.years));
            }
            for (field, list) in [
                ("can_teach", &p.can_teach),
                ("wants_to_learn", &p.wants_to_learn),
            ] {
                let mut seen = BTreeSet::new();
                for s in list {
                    if s.trim().is_empty() {
                        return bad(k, p, format!("{field} contains an empty skill id"));
                    }
                    if !seen.insert(s.as_str()) {
                        return bad(k, p, format!("{field} lists skill \"{s}\" twice"));
                    }
                }
            }
            if p.reports_to.as_deref() == Some(p.id.as_str()) {
                return bad(k, p, "reports_to names the participant themself".into());
            }
        }
        for (field, pairs, must_exist) in [
            ("history", &self.history, false),
            ("exclusions", &self.exclusions, true),
        ] {
            for (k, [a, b]) in pairs.iter().enumerate() {
                if a.is_empty() || b.is_empty() || a == b {
                    return Err(RosterError::Invalid(format!(
                        "{field}[{k}]: a pair needs two different non-empty ids, got [\"{a}\", \"{b}\"]"
                    )));
                }
                if must_exist
                    && let Some(missing) =
                        [a, b].into_iter().find(|x| !ids.contains_key(x.as_str()))
                {
                    return Err(RosterError::Invalid(format!(
                        "{field}[{k}]: unknown participant id \"{missing}\""
                    )));
                }
            }
        }
        Ok(())
    }

    /// A matching context from this roster's history and exclusions.
    pub fn context(&self, config: MatchConfig, skill_labels: BTreeMap<String, String>) -> Context {
        let set = |v: &[[String; 2]]| v.iter().map(|[a, b]| (a, b)).collect::<PairSet>();
        Context {
            config,
            history: set(&self.history),
            exclusions: set(&self.exclusions),
            skill_labels,
        }
    }
}
