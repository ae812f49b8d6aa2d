//! Plain data: participants, roles, cadences, sides and unordered id pairs.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// A participant's job title. Serialized in `snake_case` (e.g. `"of_counsel"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Law-firm partner.
    Partner,
    /// Of counsel.
    OfCounsel,
    /// Senior associate.
    SeniorAssociate,
    /// Associate.
    Associate,
    /// Junior associate or trainee.
    JuniorAssociate,
    /// In-house general counsel.
    GeneralCounsel,
    /// In-house deputy general counsel.
    DeputyGc,
    /// In-house senior counsel.
    SeniorCounsel,
    /// In-house counsel.
    Counsel,
    /// Legal operations professional.
    LegalOperations,
    /// Paralegal.
    Paralegal,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 11] = [
        Role::Partner,
        Role::OfCounsel,
        Role::SeniorAssociate,
        Role::Associate,
        Role::JuniorAssociate,
        Role::GeneralCounsel,
        Role::DeputyGc,
        Role::SeniorCounsel,
        Role::Counsel,
        Role::LegalOperations,
        Role::Paralegal,
    ];

    /// Human-readable label, e.g. `"Of counsel"`.
    pub fn label(self) -> &'static str {
        match self {
            Role::Partner => "Partner",
            Role::OfCounsel => "Of counsel",
            Role::SeniorAssociate => "Senior associate",
            Role::Associate => "Associate",
            Role::JuniorAssociate => "Junior associate / trainee",
            Role::GeneralCounsel => "General counsel",
            Role::DeputyGc => "Deputy general counsel",
            Role::SeniorCounsel => "Senior counsel",
            Role::Counsel => "Counsel",
            Role::LegalOperations => "Legal operations",
            Role::Paralegal => "Paralegal",
        }
    }
}

/// How often a participant wants to meet: the schedule module's cadence, one type for the whole program.
pub use crate::domain::schedule::Cadence;

pub use crate::domain::model::Side;

fn default_capacity() -> u8 {
    1
}

fn is_default_capacity(c: &u8) -> bool {
    *c == 1
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One person in a matching round.
///
/// The caller leaves departed people out entirely; paused people may be
/// passed in with `paused: true` and are reported as unmatched with the
/// reason "paused".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// Slack user id (unique within a round).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Job title.
    pub role: Role,
    /// Years in practice.
    pub years: u8,
    /// Skill ids this person can teach.
    #[serde(default)]
    pub can_teach: Vec<String>,
    /// Skill ids this person wants to learn.
    #[serde(default)]
    pub wants_to_learn: Vec<String>,
    /// Hours a month the person can give (the survey offers 1, 2, 4 or 6).
    pub hours_per_month: u8,
    /// Preferred meeting cadence.
    pub cadence: Cadence,
    /// Practice group (free text, compared exactly after trimming and ASCII
    /// case folding).
    pub practice_group: String,
    /// Time zone as an offset from UTC in minutes (e.g. `-300` for New York
    /// in winter, `330` for India).
    pub utc_offset_minutes: i32,
    /// Slack id of the person this participant reports to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports_to: Option<String>,
    /// How many reverse mentors this person takes at once (only meaningful
    /// on the senior side; default 1, 0 means "none this round").
    #[serde(
        default = "default_capacity",
        skip_serializing_if = "is_default_capacity"
    )]
    pub capacity: u8,
    /// Paused people are left out with the reason "paused".
    #[serde(default, skip_serializing_if = "is_false")]
    pub paused: bool,
}

impl Participant {
    /// First word of the display name (falls back to the id), used in
    /// explanation sentences.
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.id)
    }
}

/// A set of unordered id pairs (pair history, admin exclusions).
///
/// Each pair is stored with the smaller id first, so `(a, b)` and `(b, a)`
/// are the same pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PairSet(BTreeSet<(String, String)>);

impl PairSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Normalised key for an unordered pair.
    fn key(a: &str, b: &str) -> (String, String) {
        if a <= b {
            (a.to_owned(), b.to_owned())
        } else {
            (b.to_owned(), a.to_owned())
        }
    }

    /// Adds the unordered pair `{a, b}`; returns false if it was present.
    pub fn insert(&mut self, a: &str, b: &str) -> bool {
        self.0.insert(Self::key(a, b))
    }

    /// Whether the unordered pair `{a, b}` is present.
    pub fn contains(&self, a: &str, b: &str) -> bool {
        let (x, y) = if a <= b { (a, b) } else { (b, a) };
        // BTreeSet<(String, String)> cannot be probed with (&str, &str)
        // without allocating; pairs sets are small, allocate.
        self.0.contains(&(x.to_owned(), y.to_owned()))
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Pairs in sorted order, smaller id first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }
}

impl<A: AsRef<str>, B: AsRef<str>> FromIterator<(A, B)> for PairSet {
    fn from_iter<T: IntoIterator<Item = (A, B)>>(iter: T) -> Self {
        let mut s = PairSet::new();
        for (a, b) in iter {
            s.insert(a.as_ref(), b.as_ref());
        }
        s
    }
}
