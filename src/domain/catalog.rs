//! The skill catalog and the practice groups people choose from in the survey.
//!
//! A default catalog of legal skills ships with Tandem. Admins can replace it with TOML files
//! (`TANDEM_SKILLS_FILE`, `TANDEM_PRACTICE_GROUPS_FILE`); a bad file stops start-up with an error naming the file and
//! the line. Parsing is pure ([`Catalog::parse_skills`], [`Catalog::parse_practice_groups`]); only [`Catalog::load`]
//! reads files.
//!
//! Skills file:
//! ```toml
//! [[skill]]
//! id = "ediscovery"                    # letters, digits and _ ; at most 40 characters; unique
//! label = "E-discovery platforms"      # what people see; at most 75 characters
//! group = "technology"                 # "technology" or "practice"
//! ```
//! Practice groups file:
//! ```toml
//! groups = ["Litigation", "Corporate and M&A"]   # "Other" is always added
//! ```

use serde::Deserialize;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

/// The two option groups of the survey's skill pickers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SkillGroup {
    /// "Technology and new ways of working": what reverse mentors usually teach.
    Technology,
    /// "Practice and leadership": what senior attorneys usually teach.
    Practice,
}

impl SkillGroup {
    pub fn label(self) -> &'static str {
        match self {
            SkillGroup::Technology => "Technology and new ways of working",
            SkillGroup::Practice => "Practice and leadership",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    pub id: String,
    pub label: String,
    pub group: SkillGroup,
}

/// The practice group everyone can choose when theirs is not listed.
pub const OTHER_PRACTICE_GROUP: &str = "Other";
/// Slack allows at most 100 options in a select; each group of the skill pickers is one option group.
pub const MAX_SKILLS_PER_GROUP: usize = 100;
pub const MAX_PRACTICE_GROUPS: usize = 99;
pub const MAX_LABEL: usize = 75;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub skills: Vec<Skill>,
    /// Practice groups in display order, ending with [`OTHER_PRACTICE_GROUP`].
    pub practice_groups: Vec<String>,
}

const DEFAULT_SKILLS: &[(&str, &str, SkillGroup)] = &[
    (
        "ediscovery",
        "E-discovery platforms (Relativity, Everlaw, ...)",
        SkillGroup::Technology,
    ),
    (
        "ai_drafting",
        "AI-assisted drafting",
        SkillGroup::Technology,
    ),
    (
        "ai_research",
        "AI-assisted legal research",
        SkillGroup::Technology,
    ),
    (
        "clm_tools",
        "Contract lifecycle management tools",
        SkillGroup::Technology,
    ),
    (
        "collaboration_tools",
        "Collaboration tools (Teams, Slack, shared workspaces)",
        SkillGroup::Technology,
    ),
    (
        "data_spreadsheets",
        "Data and spreadsheets",
        SkillGroup::Technology,
    ),
    (
        "social_media",
        "Social media and personal brand",
        SkillGroup::Technology,
    ),
    (
        "remote_work",
        "Flexible and remote work practices",
        SkillGroup::Technology,
    ),
    (
        "legal_tech_eval",
        "Evaluating new legal tech",
        SkillGroup::Technology,
    ),
    (
        "cybersecurity_hygiene",
        "Cybersecurity and client-data hygiene",
        SkillGroup::Technology,
    ),
    (
        "client_management",
        "Client management",
        SkillGroup::Practice,
    ),
    (
        "business_development",
        "Business development",
        SkillGroup::Practice,
    ),
    (
        "firm_culture",
        "Firm culture and politics",
        SkillGroup::Practice,
    ),
    (
        "project_management",
        "Managing project teams",
        SkillGroup::Practice,
    ),
    ("negotiation", "Negotiation", SkillGroup::Practice),
    (
        "courtroom_advocacy",
        "Courtroom advocacy",
        SkillGroup::Practice,
    ),
    (
        "billing_matters",
        "Billing and matter management",
        SkillGroup::Practice,
    ),
    (
        "writing_for_partners",
        "Writing for partners and clients",
        SkillGroup::Practice,
    ),
    (
        "delegation_feedback",
        "Delegating and giving feedback",
        SkillGroup::Practice,
    ),
    (
        "networking",
        "Networking and building a reputation",
        SkillGroup::Practice,
    ),
];

const DEFAULT_PRACTICE_GROUPS: &[&str] = &[
    "Litigation and disputes",
    "Corporate and M&A",
    "Finance and banking",
    "Real estate",
    "Employment",
    "Intellectual property",
    "Tax",
    "Regulatory and compliance",
    "Private client",
    "In-house legal",
];

/// A catalog file that cannot be used. The message names the file and the line and fits on one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Parses a whole TOML file into `T`; errors name the file and the line.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, CatalogError> {
    toml::from_str(text).map_err(|e| CatalogError {
        file: file.to_string(),
        line: line_of(text, e.span()),
        message: e.message().trim().replace('\n', " "),
    })
}

/// Reads and parses a TOML file into `T`.
pub fn load_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|e| CatalogError {
        file: path.display().to_string(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse_toml(&path.display().to_string(), &text)
}

fn line_of(text: &str, span: Option<Range<usize>>) -> usize {
    let at = span.map(|s| s.start).unwrap_or(0).min(text.len());
    text[..at].matches('\n').count() + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillsFile {
    skill: Vec<toml::Spanned<SkillEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillEntry {
    id: String,
    label: String,
    group: SkillGroup,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupsFile {
    groups: Vec<toml::Spanned<String>>,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            skills: DEFAULT_SKILLS
                .iter()
                .map(|(id, label, group)| Skill {
                    id: id.to_string(),
                    label: label.to_string(),
                    group: *group,
                })
                .collect(),
            practice_groups: DEFAULT_PRACTICE_GROUPS
                .iter()
                .map(|g| g.to_string())
                .chain([OTHER_PRACTICE_GROUP.to_string()])
                .collect(),
        }
    }
}

impl Catalog {
    /// Loads the catalog: the defaults, with each file given replacing its part.
    pub fn load(
        skills_file: Option<&Path>,
        practice_groups_file: Option<&Path>,
    ) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::default();
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|e| CatalogError {
                file: path.display().to_string(),
                line: 0,
                message: format!("cannot read: {e}"),
            })
        };
        if let Some(path) = skills_file {
            catalog.skills = Self::parse_skills(&path.display().to_string(), &read(path)?)?;
        }
        if let Some(path) = practice_groups_file {
            catalog.practice_groups =
                Self::parse_practice_groups(&path.display().to_string(), &read(path)?)?;
        }
        Ok(catalog)
    }

    /// Parses a skills file; `file` only names it in errors.
    pub fn parse_skills(file: &str, text: &str) -> Result<Vec<Skill>, CatalogError> {
        let err = |span: Option<Range<usize>>, message: String| CatalogError {
            file: file.to_string(),
            line: line_of(text, span),
            message,
        };
        let parsed: SkillsFile = toml::from_str(text)
            .map_err(|e| err(e.span(), e.message().trim().replace('\n', " ")))?;
        let mut ids = BTreeSet::new();
        let mut skills = Vec::new();
        for entry in parsed.skill {
            let span = Some(entry.span());
            let s = entry.into_inner();
            if !valid_id(&s.id) {
                return Err(err(
                    span,
                    format!("skill id '{}' must be 1 to 40 letters, digits or _", s.id),
                ));
            }
            if !ids.insert(s.id.clone()) {
                return Err(err(span, format!("skill id '{}' appears twice", s.id)));
            }
            let n = s.label.trim().chars().count();
            if n == 0 || n > MAX_LABEL {
                return Err(err(
                    span,
                    format!(
                        "label of '{}' must be 1 to {MAX_LABEL} characters (Slack's limit), not {n}",
                        s.id
                    ),
                ));
            }
            skills.push(Skill {
                id: s.id,
                label: s.label.trim().to_string(),
                group: s.group,
            });
        }
        for group in [SkillGroup::Technology, SkillGroup::Practice] {
            let n = skills.iter().filter(|s| s.group == group).count();
            if n == 0 || n > MAX_SKILLS_PER_GROUP {
                return Err(err(
                    None,
                    format!(
                        "group '{}' needs 1 to {MAX_SKILLS_PER_GROUP} skills, has {n}",
                        group.label()
                    ),
                ));
            }
        }
        Ok(skills)
    }

    /// Parses a practice groups file; "Other" is added at the end unless listed.
    pub fn parse_practice_groups(file: &str, text: &str) -> Result<Vec<String>, CatalogError> {
        let err = |span: Option<Range<usize>>, message: String| CatalogError {
            file: file.to_string(),
            line: line_of(text, span),
            message,
        };
        let parsed: GroupsFile = toml::from_str(text)
            .map_err(|e| err(e.span(), e.message().trim().replace('\n', " ")))?;
        let mut seen = BTreeSet::new();
        let mut groups = Vec::new();
        for g in parsed.groups {
            let span = Some(g.span());
            let name = g.into_inner().trim().to_string();
            let n = name.chars().count();
            if n == 0 || n > MAX_LABEL {
                return Err(err(
                    span,
                    format!("practice group names must be 1 to {MAX_LABEL} characters, not {n}"),
                ));
            }
            if !seen.insert(name.to_lowercase()) {
                return Err(err(span, format!("practice group '{name}' appears twice")));
            }
            groups.push(name);
        }
        if !seen.contains(&OTHER_PRACTICE_GROUP.to_lowercase()) {
            groups.push(OTHER_PRACTICE_GROUP.to_string());
        }
        if groups.len() > MAX_PRACTICE_GROUPS + 1 {
            return Err(err(
                None,
                format!("at most {MAX_PRACTICE_GROUPS} practice groups fit in Slack's select"),
            ));
        }
        Ok(groups)
    }

    pub fn skill(&self, id: &str) -> Option<&Skill> {
        self.skills.iter().find(|s| s.id == id)
    }

    /// The label of a skill, or its ID if the catalog no longer has it.
    pub fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.skill(id).map(|s| s.label.as_str()).unwrap_or(id)
    }

    /// Labels joined for a sentence: "A", "A and B", "A, B and C".
    pub fn labels(&self, ids: &[String]) -> String {
        let labels: Vec<&str> = ids.iter().map(|id| self.label(id)).collect();
        join_and(&labels)
    }
}

/// "A", "A and B", "A, B and C".
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalog_fits_slack_and_has_both_groups() {
        let c = Catalog::default();
        assert_eq!(c.skills.len(), 20);
        assert!(
            c.skills
                .iter()
                .all(|s| s.label.chars().count() <= MAX_LABEL && valid_id(&s.id))
        );
        assert_eq!(
            c.skills
                .iter()
                .filter(|s| s.group == SkillGroup::Technology)
                .count(),
            10
        );
        assert_eq!(c.practice_groups.last().map(String::as_str), Some("Other"));
        assert_eq!(c.label("negotiation"), "Negotiation");
        assert_eq!(
            c.labels(&[
                "negotiation".into(),
                "tax_magic".into(),
                "networking".into()
            ]),
            "Negotiation, tax_magic and Networking and building a reputation"
        );
    }

    #[test]
    fn a_good_skills_file_replaces_the_defaults() {
        let text = "[[skill]]\nid = \"ediscovery\"\nlabel = \"E-discovery\"\ngroup = \"technology\"\n\n[[skill]]\nid = \"pitching\"\nlabel = \"Pitching\"\ngroup = \"practice\"\n";
        let skills = Catalog::parse_skills("skills.toml", text).unwrap();
        assert_eq!(skills.len(), 2);
        assert_eq!(
            skills[1],
            Skill {
                id: "pitching".into(),
                label: "Pitching".into(),
                group: SkillGroup::Practice
            }
        );
    }

    #[test]
    fn bad_skills_files_name_the_line() {
        let dup = "[[skill]]\nid = \"a\"\nlabel = \"A\"\ngroup = \"technology\"\n[[skill]]\nid = \"a\"\nlabel = \"B\"\ngroup = \"practice\"\n";
        let e = Catalog::parse_skills("s.toml", dup).unwrap_err();
        assert_eq!(
            (e.line, e.to_string().contains("appears twice")),
            (5, true),
            "{e}"
        );

        let bad_group = "[[skill]]\nid = \"a\"\nlabel = \"A\"\ngroup = \"cooking\"\n";
        let e = Catalog::parse_skills("s.toml", bad_group).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.to_string().starts_with("s.toml:4: "), "{e}");
        assert!(!e.to_string().contains('\n'));

        let syntax = "[[skill]]\nid = \"a\"\nlabel = \"A\n";
        assert_eq!(Catalog::parse_skills("s.toml", syntax).unwrap_err().line, 3);

        let long = format!(
            "[[skill]]\nid = \"a\"\nlabel = \"{}\"\ngroup = \"technology\"\n",
            "x".repeat(76)
        );
        assert!(
            Catalog::parse_skills("s.toml", &long)
                .unwrap_err()
                .message
                .contains("75")
        );

        let one_group = "[[skill]]\nid = \"a\"\nlabel = \"A\"\ngroup = \"technology\"\n";
        assert!(
            Catalog::parse_skills("s.toml", one_group)
                .unwrap_err()
                .message
                .contains("Practice and leadership")
        );

        let unknown_key =
            "[[skill]]\nid = \"a\"\nlabel = \"A\"\ngroup = \"technology\"\ncolour = \"red\"\n";
        assert!(Catalog::parse_skills("s.toml", unknown_key).is_err());
    }

    #[test]
    fn practice_groups_file_adds_other_and_refuses_duplicates() {
        let g = Catalog::parse_practice_groups("g.toml", "groups = [\"Tax\", \"Litigation\"]\n")
            .unwrap();
        assert_eq!(g, vec!["Tax", "Litigation", "Other"]);
        let e = Catalog::parse_practice_groups("g.toml", "groups = [\n  \"Tax\",\n  \"tax\",\n]\n")
            .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn load_reads_files_and_names_a_missing_one() {
        let e = Catalog::load(Some(Path::new("/no/such/skills.toml")), None).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/no/such/skills.toml:0: cannot read")
        );
        assert_eq!(Catalog::load(None, None).unwrap(), Catalog::default());
    }
}
