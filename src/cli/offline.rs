//! `tandem match`: a matching round computed offline, for program managers.
//!
//! Reads a roster (the survey answers, see `docs/roster-format.md`), proposes pairs with the pure matching core and
//! renders the table, optionally writing the proposal as JSON and every candidate pair as CSV. Nothing is sent to
//! Slack and no database is opened. The firm's own matching rules (`--rules FILE` or `TANDEM_MATCHING_FILE`) and
//! skill catalog (`TANDEM_SKILLS_FILE`) apply when given, so a firm can preview its own round.
//!
//! Layers, so that another input source (e.g. the live program's database) can be added next to the file:
//! * [`read_roster`] — the only place the input is read: a file into a validated [`Roster`];
//! * [`match_cohort`] — pure: participants and a [`Context`] in, a [`MatchReport`] out (proposal, table, summary,
//!   and the CSV when asked for);
//! * [`write_outputs`] — the only place files are written;
//! * [`run_match`] — the three above for `--input FILE`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::domain::catalog::Catalog;
use crate::domain::matching::{
    Context, MatchConfig, MatchError, Participant, Proposal, Roster, RosterError, explain_all_csv,
    parse_roster, propose, render_table,
};

/// What `tandem match` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchArgs {
    /// The roster file (`--input`).
    pub input: PathBuf,
    /// Where to write the proposal as JSON (`--output`), if anywhere.
    pub output: Option<PathBuf>,
    /// Where to write every candidate pair as CSV (`--explain-all`), if anywhere.
    pub explain_all: Option<PathBuf>,
    /// The matching rules and weights: a TOML file (`--rules`, else `TANDEM_MATCHING_FILE`), or the defaults.
    pub rules: Option<PathBuf>,
    /// The skill catalog whose labels the table and explanations use (`TANDEM_SKILLS_FILE`), or the built-in one.
    pub skills: Option<PathBuf>,
}

/// Why `tandem match` stopped. Every message is one line and names the file concerned.
#[derive(Debug)]
pub enum OfflineError {
    /// The roster file could not be read (missing, a directory, not UTF-8, no permission...).
    Read {
        /// The roster file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The roster is not valid JSON, not the documented shape, or breaks a content rule.
    Roster {
        /// The roster file.
        path: PathBuf,
        /// What the roster parser said (with line and column for JSON errors).
        error: RosterError,
    },
    /// The matching core refused the cohort.
    Match {
        /// Where the cohort came from (the roster file).
        source_name: String,
        /// What the matching core said.
        error: MatchError,
    },
    /// An output file would overwrite the input, or two outputs name the same file.
    Clash {
        /// The option whose file is refused, e.g. `--output`.
        option: &'static str,
        /// Its file.
        path: PathBuf,
        /// What it clashes with, e.g. "the input file".
        with: String,
    },
    /// A matching rules or skill catalog file is missing or bad.
    Config {
        /// What went wrong, naming the file and the line.
        message: String,
    },
    /// The live database could not be read (`--from-db`), or a configuration file is bad.
    Database {
        /// What went wrong, naming the database or the file.
        message: String,
    },
    /// An output file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// What was being written, e.g. "the proposal".
        what: &'static str,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl fmt::Display for OfflineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OfflineError::Read { path, source } => {
                write!(f, "cannot read the roster {}: {source}", path.display())
            }
            OfflineError::Roster { path, error } => write!(f, "{}: {error}", path.display()),
            OfflineError::Match { source_name, error } => write!(f, "{source_name}: {error}"),
            OfflineError::Clash { option, path, with } => write!(
                f,
                "{option} {} is {with}; refusing to overwrite it",
                path.display()
            ),
            OfflineError::Write { path, what, source } => {
                write!(f, "cannot write {what} to {}: {source}", path.display())
            }
            OfflineError::Database { message } | OfflineError::Config { message } => {
                f.write_str(message)
            }
        }
    }
}

impl std::error::Error for OfflineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OfflineError::Read { source, .. } | OfflineError::Write { source, .. } => Some(source),
            OfflineError::Roster { error, .. } => Some(error),
            OfflineError::Match { error, .. } => Some(error),
            OfflineError::Clash { .. }
            | OfflineError::Database { .. }
            | OfflineError::Config { .. } => None,
        }
    }
}

/// A file `tandem match` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file.
    pub path: PathBuf,
    /// What it holds, e.g. "the proposal (16 pairs)".
    pub what: String,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wrote {} to {}", self.what, self.path.display())
    }
}

/// The result of one offline round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchReport {
    /// The proposal itself.
    pub proposal: Proposal,
    /// Number of participants in the cohort (paused ones included).
    pub participants: usize,
    /// The proposal as a plain-text table ([`render_table`]); ends with a newline.
    pub table: String,
    /// One line: where the cohort came from, pairs, unmatched, total score.
    pub summary: String,
    /// Every candidate pair as CSV ([`explain_all_csv`]), when it was asked for.
    pub explain_all_csv: Option<String>,
    /// What the admin should know about the input (one line each): no participants, skill ids the catalog does
    /// not know.
    pub warnings: Vec<String>,
    /// Files written by [`write_outputs`], in the order written.
    pub written: Vec<Written>,
}

/// Skill id → label from Tandem's default skill catalog, so that explanations read "AI-assisted drafting" rather
/// than "ai_drafting".
pub fn default_skill_labels() -> BTreeMap<String, String> {
    Catalog::default()
        .skills
        .into_iter()
        .map(|s| (s.id, s.label))
        .collect()
}

/// The context `tandem match` uses for a roster: default rules and weights, the roster's history and exclusions,
/// the default catalog's skill labels.
pub fn roster_context(roster: &Roster) -> Context {
    roster.context(MatchConfig::default(), default_skill_labels())
}

/// The matching rules and the skill labels for `args`: from the files named, else the defaults.
pub fn load_setup(
    rules: Option<&Path>,
    skills: Option<&Path>,
) -> Result<(MatchConfig, BTreeMap<String, String>), OfflineError> {
    let bad = |e: crate::domain::catalog::CatalogError| OfflineError::Config {
        message: format!("bad configuration file {e}"),
    };
    let config = crate::domain::matching::load_config(rules).map_err(bad)?;
    let labels = Catalog::load(skills, None)
        .map_err(bad)?
        .skills
        .into_iter()
        .map(|s| (s.id, s.label))
        .collect();
    Ok((config, labels))
}

/// Reads and validates a roster file. An empty file (or one of only blank space) says so.
pub fn read_roster(path: &Path) -> Result<Roster, OfflineError> {
    let text = std::fs::read_to_string(path).map_err(|source| OfflineError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if text.trim().is_empty() {
        return Err(OfflineError::Roster {
            path: path.to_path_buf(),
            error: RosterError::Invalid(
                "the file is empty; a roster is a JSON object with a \"participants\" list (docs/roster-format.md)"
                    .into(),
            ),
        });
    }
    parse_roster(&text).map_err(|error| OfflineError::Roster {
        path: path.to_path_buf(),
        error,
    })
}

/// `n thing` or `n things`.
fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The one-line summary of a round, e.g.
/// `roster.json: 40 participants, 16 pairs, 8 unmatched, total score 1234`.
pub fn summary_line(source_name: &str, participants: usize, proposal: &Proposal) -> String {
    format!(
        "{source_name}: {}, {}, {} unmatched, total score {}",
        count(participants, "participant"),
        count(proposal.pairs.len(), "pair"),
        proposal.unmatched.len(),
        proposal.total_score
    )
}

/// What the admin should know about a cohort before reading its proposal: nobody in it, or skill ids that are not in
/// the catalog (`ctx.skill_labels`; not checked when it is empty), each with how many people use it.
pub fn cohort_warnings(
    source_name: &str,
    participants: &[Participant],
    ctx: &Context,
) -> Vec<String> {
    let mut out = Vec::new();
    if participants.is_empty() {
        out.push(format!(
            "{source_name} has no participants, so there is nobody to match"
        ));
        return out;
    }
    if ctx.skill_labels.is_empty() {
        return out;
    }
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    for p in participants {
        let mine: std::collections::BTreeSet<&str> = p
            .can_teach
            .iter()
            .chain(&p.wants_to_learn)
            .map(String::as_str)
            .filter(|id| !ctx.skill_labels.contains_key(*id))
            .collect();
        for id in mine {
            *unknown.entry(id).or_default() += 1;
        }
    }
    if !unknown.is_empty() {
        let listed: Vec<String> = unknown
            .iter()
            .map(|(id, n)| match n {
                1 => format!("{id} (1 person)"),
                n => format!("{id} ({n} people)"),
            })
            .collect();
        out.push(format!(
            "{source_name}: {} not in the skill catalog: {}; they are matched as written and shown as ids (check the spelling, or set TANDEM_SKILLS_FILE to your catalog)",
            match unknown.len() {
                1 => "1 skill id is".to_string(),
                n => format!("{n} skill ids are"),
            },
            listed.join(", ")
        ));
    }
    out
}

/// Computes a round (pure): the proposal, its table and summary, and — if `with_csv` — every candidate pair as
/// CSV. `source_name` only names the cohort in the summary and in errors.
pub fn match_cohort(
    source_name: &str,
    participants: &[Participant],
    ctx: &Context,
    with_csv: bool,
) -> Result<MatchReport, OfflineError> {
    let proposal = propose(participants, ctx).map_err(|error| OfflineError::Match {
        source_name: source_name.to_owned(),
        error,
    })?;
    Ok(MatchReport {
        warnings: cohort_warnings(source_name, participants, ctx),
        table: render_table(&proposal, ctx),
        summary: summary_line(source_name, participants.len(), &proposal),
        explain_all_csv: with_csv.then(|| explain_all_csv(participants, ctx)),
        participants: participants.len(),
        proposal,
        written: Vec::new(),
    })
}

/// Whether `a` and `b` name the same existing file (through `.`/`..`, symbolic links, or — on Unix — hard links).
/// A path that does not exist yet is the same as nothing that exists.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Refuses outputs that would overwrite the input (`input`, when the cohort came from a file) or each other.
/// Call before computing, so that nothing is written when a path is wrong.
pub fn check_outputs(
    input: Option<&Path>,
    output: Option<&Path>,
    explain_all: Option<&Path>,
) -> Result<(), OfflineError> {
    let outputs = [("--output", output), ("--explain-all", explain_all)];
    for (option, path) in outputs {
        if let (Some(path), Some(input)) = (path, input)
            && same_file(path, input)
        {
            return Err(OfflineError::Clash {
                option,
                path: path.to_path_buf(),
                with: "the input file".into(),
            });
        }
    }
    if let (Some(o), Some(e)) = (output, explain_all)
        && same_file(o, e)
    {
        return Err(OfflineError::Clash {
            option: "--explain-all",
            path: e.to_path_buf(),
            with: "also the --output file".into(),
        });
    }
    Ok(())
}

/// The proposal as the JSON documented in `docs/roster-format.md` (pretty-printed, ending with a newline).
pub fn proposal_json(proposal: &Proposal) -> Result<String, serde_json::Error> {
    let mut json = serde_json::to_string_pretty(proposal)?;
    json.push('\n');
    Ok(json)
}

/// Writes the files asked for (creating or overwriting them) and records them in `report.written`. `explain_all`
/// needs a report computed with `with_csv`; directories are not created.
pub fn write_outputs(
    report: &mut MatchReport,
    output: Option<&Path>,
    explain_all: Option<&Path>,
) -> Result<(), OfflineError> {
    let write = |path: &Path, what: &'static str, text: &str| {
        std::fs::write(path, text).map_err(|source| OfflineError::Write {
            path: path.to_path_buf(),
            what,
            source,
        })
    };
    if let Some(path) = output {
        let json = proposal_json(&report.proposal).map_err(|e| OfflineError::Write {
            path: path.to_path_buf(),
            what: "the proposal",
            source: std::io::Error::other(e),
        })?;
        write(path, "the proposal", &json)?;
        report.written.push(Written {
            path: path.to_path_buf(),
            what: format!(
                "the proposal ({})",
                count(report.proposal.pairs.len(), "pair")
            ),
        });
    }
    if let Some(path) = explain_all {
        let Some(csv) = report.explain_all_csv.as_deref() else {
            return Err(OfflineError::Write {
                path: path.to_path_buf(),
                what: "the candidate pairs",
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "they were not computed (match_cohort was called without with_csv)",
                ),
            });
        };
        let rows = csv.lines().count().saturating_sub(1);
        write(path, "the candidate pairs", csv)?;
        report.written.push(Written {
            path: path.to_path_buf(),
            what: count(rows, "candidate pair"),
        });
    }
    Ok(())
}

/// `tandem match --input FILE [--output FILE] [--explain-all FILE] [--rules FILE]`: reads the rules and the roster,
/// checks the output paths, computes the round and writes the files. Printing is left to the caller.
pub fn run_match(args: &MatchArgs) -> Result<MatchReport, OfflineError> {
    let (config, labels) = load_setup(args.rules.as_deref(), args.skills.as_deref())?;
    let roster = read_roster(&args.input)?;
    let (output, explain_all) = (args.output.as_deref(), args.explain_all.as_deref());
    check_outputs(Some(&args.input), output, explain_all)?;
    let ctx = roster.context(config, labels);
    let source_name = args.input.display().to_string();
    let mut report = match_cohort(
        &source_name,
        &roster.participants,
        &ctx,
        explain_all.is_some(),
    )?;
    write_outputs(&mut report, output, explain_all)?;
    Ok(report)
}

/// `tandem match --from-db`: the same as [`run_match`], as a dry run over the live database at `database_url`
/// (people in a pair, paused people and history as `/mentor match` would see them). Writes nothing to the
/// database and sends nothing to Slack. Names are the Slack names Tandem stored, or user IDs.
pub async fn run_match_from_db(
    database_url: &str,
    catalog: &crate::domain::catalog::Catalog,
    config: &MatchConfig,
    output: Option<&Path>,
    explain_all: Option<&Path>,
) -> Result<MatchReport, OfflineError> {
    check_outputs(None, output, explain_all)?;
    let db = |e: crate::outbound::store::StoreError| OfflineError::Database {
        message: e.to_string(),
    };
    let store = crate::outbound::store::Store::open_read_only(database_url)
        .await
        .map_err(db)?;
    let pending = store.pending_migrations().await.map_err(db)?;
    if pending > 0 {
        return Err(OfflineError::Database {
            message: format!(
                "{} needs {pending} migration(s); run `tandem migrate` first",
                crate::outbound::store::shown_url(database_url)
            ),
        });
    }
    let round = crate::flows::proposals::load_round_from(
        &store,
        catalog,
        config,
        crate::domain::rounds::Naming::DisplayNames,
        chrono::Utc::now(),
    )
    .await
    .map_err(db)?;
    store.close().await;
    let mut report = match_cohort(
        database_url,
        &round.participants,
        &round.ctx,
        explain_all.is_some(),
    )?;
    write_outputs(&mut report, output, explain_all)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::{Cadence, Role};

    fn person(id: &str, role: Role, years: u8, teach: &[&str], learn: &[&str]) -> Participant {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        Participant {
            id: id.into(),
            name: format!("{id} Person"),
            role,
            years,
            can_teach: v(teach),
            wants_to_learn: v(learn),
            hours_per_month: 2,
            cadence: Cadence::Monthly,
            practice_group: "Litigation".into(),
            utc_offset_minutes: 0,
            reports_to: None,
            capacity: 1,
            paused: false,
        }
    }

    fn cohort() -> Vec<Participant> {
        vec![
            person(
                "S1",
                Role::Partner,
                20,
                &["client_management"],
                &["ai_drafting"],
            ),
            person(
                "J1",
                Role::Associate,
                3,
                &["ai_drafting"],
                &["client_management"],
            ),
            person("J2", Role::Associate, 2, &["ediscovery"], &["negotiation"]),
        ]
    }

    #[test]
    fn summary_counts_and_pluralises() {
        let ctx = Context::default();
        let r = match_cohort("r.json", &cohort(), &ctx, false).unwrap();
        assert_eq!(r.proposal.pairs.len(), 1);
        assert_eq!(
            r.summary,
            format!(
                "r.json: 3 participants, 1 pair, 1 unmatched, total score {}",
                r.proposal.total_score
            )
        );
        assert!(r.proposal.total_score > 0);
        assert_eq!(r.table, render_table(&r.proposal, &ctx));
        assert_eq!(r.warnings, Vec::<String>::new());
        assert_eq!(r.explain_all_csv, None);
        assert!(!r.summary.contains('\n'));
        let empty = summary_line("x", 0, &propose(&[], &ctx).unwrap());
        assert_eq!(
            empty,
            "x: 0 participants, 0 pairs, 0 unmatched, total score 0"
        );
    }

    #[test]
    fn csv_only_when_asked_and_one_row_per_candidate_pair() {
        let ctx = Context::default();
        let r = match_cohort("r.json", &cohort(), &ctx, true).unwrap();
        let csv = r.explain_all_csv.unwrap();
        // One senior × two reverse mentors, plus the header.
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.starts_with("junior_id,junior_name,senior_id,senior_name,score,rule"));
    }

    #[test]
    fn a_core_error_names_the_source() {
        let mut people = cohort();
        people[2].id = "J1".into();
        let e = match_cohort("team.json", &people, &Context::default(), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "team.json: participant id `J1` appears twice"
        );
    }

    #[test]
    fn explanations_use_the_catalog_labels() {
        let people = cohort();
        let roster = Roster {
            participants: people.clone(),
            history: vec![],
            exclusions: vec![],
        };
        let r = match_cohort("r", &people, &roster_context(&roster), false).unwrap();
        let e = &r.proposal.pairs[0].explanation;
        assert!(e.for_senior.contains("AI-assisted drafting"), "{e:?}");
        assert!(!e.for_senior.contains("ai_drafting"), "{e:?}");
        assert!(default_skill_labels().contains_key("ediscovery"));
    }

    #[test]
    fn roster_context_carries_history_and_exclusions() {
        let roster = Roster {
            participants: cohort(),
            history: vec![["S1".into(), "J1".into()]],
            exclusions: vec![["J2".into(), "S1".into()]],
        };
        let ctx = roster_context(&roster);
        assert!(ctx.history.contains("J1", "S1"));
        assert!(ctx.exclusions.contains("S1", "J2"));
        assert_eq!(ctx.config, MatchConfig::default());
    }

    #[test]
    fn the_proposal_json_round_trips() {
        let r = match_cohort("r", &cohort(), &Context::default(), false).unwrap();
        let text = proposal_json(&r.proposal).unwrap();
        assert!(text.ends_with('\n'));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v, serde_json::to_value(&r.proposal).unwrap());
    }

    #[test]
    fn errors_are_one_line_and_name_the_file() {
        let missing = Path::new("/no/such/dir/roster.json");
        let e = read_roster(missing).unwrap_err();
        let m = e.to_string();
        assert!(
            m.starts_with("cannot read the roster /no/such/dir/roster.json: "),
            "{m}"
        );
        assert!(!m.contains('\n'));

        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\n  \"participants\": [\n    {\"id\": }\n  ]\n}\n").unwrap();
        let m = read_roster(&bad).unwrap_err().to_string();
        assert!(
            m.starts_with(&format!("{}: roster: ", bad.display())),
            "{m}"
        );
        assert!(m.contains("line 3 column"), "{m}");
        assert!(!m.contains('\n'));
    }

    #[test]
    fn an_empty_file_says_so_and_rules_come_from_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("zero.json", ""), ("blank.json", " \n\t\n")] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let m = read_roster(&path).unwrap_err().to_string();
            assert!(
                m.starts_with(&format!("{}: roster: the file is empty", path.display())),
                "{m}"
            );
        }
        let rules = dir.path().join("rules.toml");
        std::fs::write(&rules, "min_gap_years = 30\n").unwrap();
        let (config, labels) = load_setup(Some(&rules), None).unwrap();
        assert_eq!(config.min_gap_years, 30);
        assert_eq!(labels, default_skill_labels());
        std::fs::write(&rules, "min_gap_years = 30\nbalanse = 1\n").unwrap();
        let m = load_setup(Some(&rules), None).unwrap_err().to_string();
        assert!(
            m.starts_with(&format!("bad configuration file {}:2: ", rules.display())),
            "{m}"
        );
    }

    #[test]
    fn nobody_or_unknown_skills_bring_a_warning() {
        let ctx = roster_context(&Roster {
            participants: vec![],
            history: vec![],
            exclusions: vec![],
        });
        assert_eq!(
            cohort_warnings("r.json", &[], &ctx),
            ["r.json has no participants, so there is nobody to match"]
        );
        let mut people = cohort();
        people[0].can_teach.push("made_up".into());
        people[1].wants_to_learn.push("made_up".into());
        people[2].can_teach.push("other_typo".into());
        let w = cohort_warnings("r.json", &people, &ctx);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("r.json: 2 skill ids are not in the skill catalog: made_up (2 people), other_typo (1 person)"),
            "{w:?}"
        );
        assert_eq!(
            cohort_warnings("r.json", &cohort(), &ctx),
            Vec::<String>::new()
        );
        assert_eq!(
            cohort_warnings("r.json", &people, &Context::default()),
            Vec::<String>::new(),
            "no catalog, nothing to check against"
        );
    }

    #[test]
    fn outputs_may_not_overwrite_the_input_or_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("roster.json");
        std::fs::write(&input, "{}").unwrap();
        let other = dir.path().join("proposal.json");
        // The same file through another spelling.
        let dotted = dir.path().join(".").join("roster.json");
        let e = check_outputs(Some(&input), Some(&dotted), None).unwrap_err();
        assert!(
            e.to_string().starts_with("--output ") && e.to_string().contains("is the input file"),
            "{e}"
        );
        let e = check_outputs(Some(&input), None, Some(&input)).unwrap_err();
        assert!(e.to_string().starts_with("--explain-all "), "{e}");
        // Two outputs naming one file, even one that does not exist yet.
        let e = check_outputs(Some(&input), Some(&other), Some(&other)).unwrap_err();
        assert!(e.to_string().contains("also the --output file"), "{e}");
        check_outputs(
            Some(&input),
            Some(&other),
            Some(&dir.path().join("all.csv")),
        )
        .unwrap();
        check_outputs(None, Some(&input), None).unwrap();
        #[cfg(unix)]
        {
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(check_outputs(Some(&input), Some(&link), None).is_err());
            let hard = dir.path().join("hard.json");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(check_outputs(Some(&input), Some(&hard), None).is_err());
        }
    }

    #[test]
    fn write_outputs_creates_overwrites_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("p.json");
        let csv = dir.path().join("all.csv");
        std::fs::write(&out, "old content that is longer than nothing").unwrap();
        let mut r = match_cohort("r", &cohort(), &Context::default(), true).unwrap();
        write_outputs(&mut r, Some(&out), Some(&csv)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            proposal_json(&r.proposal).unwrap()
        );
        assert_eq!(
            Some(std::fs::read_to_string(&csv).unwrap()),
            r.explain_all_csv
        );
        let lines: Vec<String> = r.written.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                format!("wrote the proposal (1 pair) to {}", out.display()),
                format!("wrote 2 candidate pairs to {}", csv.display()),
            ]
        );
        let mut r = match_cohort("r", &cohort(), &Context::default(), false).unwrap();
        let e = write_outputs(&mut r, Some(&dir.path().join("no/such/p.json")), None).unwrap_err();
        assert!(
            e.to_string().starts_with("cannot write the proposal to "),
            "{e}"
        );
        let e = write_outputs(&mut r, None, Some(&csv)).unwrap_err();
        assert!(e.to_string().contains("not computed"), "{e}");
        assert!(r.written.is_empty());
    }
}
