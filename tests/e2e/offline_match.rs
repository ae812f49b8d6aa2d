//! `tandem match`: the offline command, run as the real binary and checked against the matching core called
//! in-process on the same roster, so that a test cannot pass by accident.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tandem::domain::catalog::Catalog;
use tandem::domain::matching::{
    Context, MatchConfig, Participant, Proposal, Roster, Side, pair_verdict, parse_roster, propose,
    render_table,
};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.json");

fn tandem() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tandem"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

fn run(args: &[&str]) -> Output {
    tandem().arg("match").args(args).output().expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// The example roster and the context the command is documented to use (default rules, the catalog's labels),
/// built here from the core's public API rather than through `tandem::cli::offline`.
fn example() -> (Roster, Context) {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let roster = parse_roster(&text).unwrap();
    let labels: BTreeMap<String, String> = Catalog::default()
        .skills
        .into_iter()
        .map(|s| (s.id, s.label))
        .collect();
    let ctx = roster.context(MatchConfig::default(), labels);
    (roster, ctx)
}

fn example_proposal() -> Proposal {
    let (roster, ctx) = example();
    propose(&roster.participants, &ctx).unwrap()
}

/// Splits one CSV record (RFC 4180 quoting; no line breaks inside fields).
fn csv_record(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut().unwrap();
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(String::new()),
            (c, _) => field.push(c),
        }
    }
    fields
}

fn assert_one_error_line(o: &Output, must_contain: &[&str]) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("tandem: error: "), "{err}");
    for s in must_contain {
        assert!(err.contains(s), "{err:?} does not contain {s:?}");
    }
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing on stdout on error");
}

#[test]
fn the_example_roster_prints_the_proposal_table() {
    let expected = example_proposal();
    assert!(
        expected.pairs.len() >= 10 && !expected.unmatched.is_empty(),
        "the example should exercise pairs and unmatched people"
    );
    let o = run(&["--input", EXAMPLE]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert_eq!(table, render_table(&expected, &example().1));
    // One numbered line per pair.
    let numbered = table
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.parse::<usize>().is_ok())
        })
        .count();
    assert_eq!(numbered, expected.pairs.len());
    for pair in &expected.pairs {
        assert!(table.contains(&pair.senior_id) && table.contains(&pair.junior_id));
    }
    // The one-line summary goes to stderr, so stdout stays the table.
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        err.trim_end(),
        format!(
            "tandem: {EXAMPLE}: 40 participants, {} pairs, {} unmatched, total score {}",
            expected.pairs.len(),
            expected.unmatched.len(),
            expected.total_score
        )
    );
}

#[test]
fn output_writes_the_proposal_as_json_and_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("proposal.json");
    std::fs::write(&out, "stale content from an earlier run").unwrap();
    let o = run(&["--input", EXAMPLE, "--output", path_str(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = example_proposal();
    let text = std::fs::read_to_string(&out).unwrap();
    let written: serde_json::Value = serde_json::from_str(&text).expect("the output is JSON");
    assert_eq!(
        written["pairs"],
        serde_json::to_value(&expected.pairs).unwrap()
    );
    assert_eq!(written, serde_json::to_value(&expected).unwrap());
    // Explanations use the catalog's labels, not skill ids.
    let first = &written["pairs"][0]["explanation"]["for_senior"];
    assert!(first.as_str().is_some_and(|s| !s.contains('_')), "{first}");
    // Where it was written is said on stderr; stdout is still exactly the table.
    assert_eq!(stdout(&o), render_table(&expected, &example().1));
    let err = stderr(&o);
    assert!(
        err.lines().any(|l| l
            == format!(
                "tandem: wrote the proposal ({} pairs) to {}",
                expected.pairs.len(),
                out.display()
            )),
        "{err}"
    );
}

#[test]
fn explain_all_writes_every_candidate_pair_with_the_verdict_of_pair_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("pairs.csv");
    let o = run(&["--input", EXAMPLE, "--explain-all", path_str(&csv_path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (roster, ctx) = example();
    let by_id: BTreeMap<&str, &Participant> = roster
        .participants
        .iter()
        .map(|p| (p.id.as_str(), p))
        .collect();
    let side = |p: &Participant| ctx.config.side_rule.side_of(p);
    let juniors: Vec<&str> = roster
        .participants
        .iter()
        .filter(|p| side(p) == Side::ReverseMentor)
        .map(|p| p.id.as_str())
        .collect();
    let seniors: Vec<&str> = roster
        .participants
        .iter()
        .filter(|p| side(p) == Side::Senior)
        .map(|p| p.id.as_str())
        .collect();

    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = text.lines();
    let header = csv_record(lines.next().expect("a header row"));
    assert_eq!(
        header,
        [
            "junior_id",
            "junior_name",
            "senior_id",
            "senior_name",
            "score",
            "rule",
            "reason",
            "teach_up",
            "teach_down"
        ]
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (cj, cjn, cs, csn, cscore, crule) = (
        col("junior_id"),
        col("junior_name"),
        col("senior_id"),
        col("senior_name"),
        col("score"),
        col("rule"),
    );
    let mut seen = BTreeSet::new();
    let (mut allowed, mut forbidden) = (0, 0);
    for line in lines {
        let row = csv_record(line);
        assert_eq!(row.len(), header.len(), "{line}");
        let (j, s) = (by_id[row[cj].as_str()], by_id[row[cs].as_str()]);
        assert_eq!(
            (row[cjn].as_str(), row[csn].as_str()),
            (j.name.as_str(), s.name.as_str())
        );
        assert_eq!(side(j), Side::ReverseMentor, "{line}");
        assert_eq!(side(s), Side::Senior, "{line}");
        assert!(
            seen.insert((j.id.clone(), s.id.clone())),
            "repeated: {line}"
        );
        match pair_verdict(j, s, &ctx) {
            Ok(b) => {
                allowed += 1;
                assert_eq!(row[cscore], b.total.to_string(), "{line}");
                assert_eq!(row[crule], "", "{line}");
            }
            Err(f) => {
                forbidden += 1;
                assert_eq!(row[cscore], "", "{line}");
                assert_eq!(row[crule], f.rule(), "{line}");
                assert!(!row[crule].is_empty());
            }
        }
    }
    assert_eq!(seen.len(), juniors.len() * seniors.len());
    assert!(allowed > 0 && forbidden > 0, "{allowed} / {forbidden}");
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "tandem: wrote {} candidate pairs to {}",
            seen.len(),
            csv_path.display()
        )),
        "{err}"
    );
}

#[test]
fn a_missing_file_fails_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-roster.json");
    let o = run(&["--input", path_str(&missing)]);
    assert_one_error_line(&o, &[path_str(&missing), "cannot read the roster"]);
}

#[test]
fn a_malformed_roster_fails_with_one_line_naming_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, "{\n  \"participants\": [\n    {\"id\": }\n  ]\n}\n").unwrap();
    let o = run(&["--input", path_str(&bad)]);
    assert_one_error_line(&o, &[path_str(&bad), "line 3 column"]);

    // Valid JSON that breaks a roster rule: the parser's own message, after the file name.
    let mut roster: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    roster["participants"][1]["hours_per_month"] = serde_json::json!(3);
    let id = roster["participants"][1]["id"].as_str().unwrap().to_owned();
    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, roster.to_string()).unwrap();
    let expected = parse_roster(&roster.to_string()).unwrap_err().to_string();
    assert_eq!(
        expected,
        format!(
            "roster: participants[1] (id \"{id}\"): hours_per_month must be 1, 2, 4 or 6, got 3"
        )
    );
    let o = run(&["--input", path_str(&invalid)]);
    assert_one_error_line(&o, &[&format!("{}: {expected}", invalid.display())]);

    // An unknown field.
    std::fs::write(&invalid, r#"{"participants": [], "cohort": 1}"#).unwrap();
    let o = run(&["--input", path_str(&invalid)]);
    assert_one_error_line(&o, &[path_str(&invalid), "unknown field `cohort`"]);
}

#[test]
fn outputs_never_overwrite_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("roster.json");
    std::fs::copy(EXAMPLE, &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let same: PathBuf = dir.path().join(".").join("roster.json");
    for option in ["--output", "--explain-all"] {
        let o = run(&["--input", path_str(&input), option, path_str(&same)]);
        assert_one_error_line(&o, &[option, path_str(&same), "input file"]);
        assert_eq!(std::fs::read(&input).unwrap(), before);
    }
    // Nothing is written when one of two outputs is refused.
    let out = dir.path().join("proposal.json");
    let o = run(&[
        "--input",
        path_str(&input),
        "--output",
        path_str(&out),
        "--explain-all",
        path_str(&input),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn an_unwritable_output_fails_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-dir").join("proposal.json");
    let o = run(&["--input", EXAMPLE, "--output", path_str(&out)]);
    assert_one_error_line(&o, &["cannot write the proposal", path_str(&out)]);
}

#[test]
fn help_documents_the_command_and_the_roster_format() {
    let top = tandem().arg("--help").output().unwrap();
    assert!(stdout(&top).contains("match"), "{}", stdout(&top));
    for flag in ["--help", "-h"] {
        let o = tandem().args(["match", flag]).output().unwrap();
        assert!(o.status.success());
        let help = stdout(&o);
        for s in [
            "docs/roster-format.md",
            "Slack",
            "--input",
            "--output",
            "--explain-all",
            "tandem match --input examples/roster.json",
        ] {
            assert!(
                help.contains(s),
                "`tandem match {flag}` lacks {s:?}:\n{help}"
            );
        }
    }
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2), "--input is required");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("tandem match --input"));
}

// ------------------------------------------------------------------ issue 12.7: what an admin reads

fn write_roster(dir: &Path, name: &str, roster: &serde_json::Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, roster.to_string()).unwrap();
    path
}

fn person(id: &str, role: &str, years: u8, teach: &[&str], learn: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": format!("{id} Person"), "role": role, "years": years,
        "can_teach": teach, "wants_to_learn": learn, "hours_per_month": 2, "cadence": "monthly",
        "practice_group": "Tax", "utc_offset_minutes": 0, "capacity": 1, "paused": false
    })
}

#[test]
fn the_table_shows_skill_labels_and_reasons_addressed_to_the_admin() {
    let o = run(&["--input", EXAMPLE]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    let (roster, ctx) = example();
    // Every skill a pair teaches appears by its catalog label, never by its id.
    for pair in &example_proposal().pairs {
        for id in pair
            .breakdown
            .teach_up_skills
            .iter()
            .chain(&pair.breakdown.teach_down_skills)
        {
            assert!(table.contains(&ctx.skill_label(id)), "{id}: {table}");
            assert!(!table.contains(id.as_str()), "{id} shown as an id: {table}");
        }
    }
    assert!(table.contains("to the senior: ") && table.contains("to the reverse mentor: "));
    assert!(!table.contains("up: ") && !table.contains("down: "));
    // Reasons speak of the person to the admin ("capacity 0 this round"), never to them ("your", "you").
    let unmatched = &table[table.find("Unmatched:").expect("an unmatched list")..];
    assert!(unmatched.contains("capacity 0 this round"), "{unmatched}");
    for line in unmatched.lines().skip(1) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(
            !words
                .iter()
                .any(|w| ["you", "your", "you.", "yourself"].contains(w)),
            "{line}"
        );
    }
    assert!(roster.participants.len() == 40);
}

#[test]
fn the_same_situation_gets_the_same_reason_on_either_side() {
    let dir = tempfile::tempdir().unwrap();
    // One senior and two reverse mentors who fit it, then one reverse mentor and two seniors who fit it: in both
    // rounds one person is left out because everyone who fits them was paired with a better fit.
    let two_juniors = serde_json::json!({ "participants": [
        person("S1", "partner", 20, &["negotiation"], &["ediscovery"]),
        person("J1", "associate", 3, &["ediscovery"], &["negotiation"]),
        person("J2", "associate", 2, &["ediscovery"], &["negotiation"]),
    ]});
    let two_seniors = serde_json::json!({ "participants": [
        person("J1", "associate", 3, &["ediscovery"], &["negotiation"]),
        person("S1", "partner", 20, &["negotiation"], &["ediscovery"]),
        person("S2", "partner", 21, &["negotiation"], &["ediscovery"]),
    ]});
    let reason_of = |roster: &serde_json::Value, name: &str| {
        let path = write_roster(dir.path(), name, roster);
        let o = run(&["--input", path_str(&path)]);
        assert!(o.status.success(), "{}", stderr(&o));
        let table = stdout(&o);
        let line = table
            .lines()
            .skip_while(|l| !l.starts_with("Unmatched:"))
            .nth(1)
            .expect("one unmatched")
            .to_string();
        let side = if line.contains("reverse mentor") {
            "reverse mentor"
        } else {
            "senior"
        };
        (
            side,
            line[line.find(side).unwrap() + side.len()..]
                .trim()
                .to_string(),
        )
    };
    let (side_a, a) = reason_of(&two_juniors, "a.json");
    let (side_b, b) = reason_of(&two_seniors, "b.json");
    assert_eq!((side_a, side_b), ("reverse mentor", "senior"));
    assert_eq!(a, b);
    assert_eq!(a, "everyone who fits was paired with a better fit");
}

#[test]
fn a_firms_own_rules_apply_from_rules_or_tandem_matching_file() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("matching.toml");
    std::fs::write(&rules, "min_gap_years = 20\n[weights]\nbalance = 40\n").unwrap();
    let (roster, _) = example();
    let labels: BTreeMap<String, String> = Catalog::default()
        .skills
        .into_iter()
        .map(|s| (s.id, s.label))
        .collect();
    let config: MatchConfig = tandem::domain::catalog::parse_toml(
        "matching.toml",
        &std::fs::read_to_string(&rules).unwrap(),
    )
    .unwrap();
    let ctx = roster.context(config, labels);
    let expected = propose(&roster.participants, &ctx).unwrap();
    assert_ne!(
        expected.pairs.len(),
        example_proposal().pairs.len(),
        "the rules must change the result for this test to mean anything"
    );
    let by_flag = run(&["--input", EXAMPLE, "--rules", path_str(&rules)]);
    let by_env = tandem()
        .args(["match", "--input", EXAMPLE])
        .env("TANDEM_MATCHING_FILE", &rules)
        .output()
        .unwrap();
    for o in [&by_flag, &by_env] {
        assert!(o.status.success(), "{}", stderr(o));
        assert_eq!(stdout(o), render_table(&expected, &ctx));
        assert!(
            stderr(o).contains(&format!("tandem: matching rules from {}", rules.display())),
            "{}",
            stderr(o)
        );
    }
    // --rules wins over the variable.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "min_gap_years = 40\n").unwrap();
    let both = tandem()
        .args(["match", "--input", EXAMPLE, "--rules", path_str(&rules)])
        .env("TANDEM_MATCHING_FILE", &other)
        .output()
        .unwrap();
    assert_eq!(stdout(&both), stdout(&by_flag));
    // A bad rules file: one line naming the file and the line.
    std::fs::write(&other, "min_gap_years = 5\nbalanse = 3\n").unwrap();
    let o = run(&["--input", EXAMPLE, "--rules", path_str(&other)]);
    assert_one_error_line(&o, &[&format!("{}:2", other.display())]);
}

#[test]
fn an_empty_roster_nobody_or_unknown_skills_are_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let o = run(&["--input", path_str(&empty)]);
    assert_one_error_line(&o, &[path_str(&empty), "the file is empty"]);
    assert!(!stderr(&o).contains("EOF"), "{}", stderr(&o));

    let nobody = write_roster(
        dir.path(),
        "nobody.json",
        &serde_json::json!({ "participants": [] }),
    );
    let o = run(&["--input", path_str(&nobody)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "tandem: warning: {} has no participants, so there is nobody to match",
            nobody.display()
        )),
        "{}",
        stderr(&o)
    );

    let mut roster: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    roster["participants"][0]["can_teach"]
        .as_array_mut()
        .unwrap()
        .push("ai_draftng".into());
    let typo = write_roster(dir.path(), "typo.json", &roster);
    let o = run(&["--input", path_str(&typo)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("tandem: warning: ")
            && err.contains("1 skill id is not in the skill catalog: ai_draftng (1 person)"),
        "{err}"
    );
    // The example roster itself uses only catalog skills: no warning.
    assert!(!stderr(&run(&["--input", EXAMPLE])).contains("warning"));
}

#[test]
fn from_db_hints_at_a_flag_that_exists() {
    let dir = tempfile::tempdir().unwrap();
    let o = tandem()
        .args(["match", "--from-db"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_one_error_line(&o, &["no database at tandem.db", "--db tandem.db"]);
    // The flag the hint names is one `tandem match` takes: on a fresh database it runs (and says nobody is there).
    let db = dir.path().join("fresh.db");
    let migrated = tandem()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    let o = run(&["--db", path_str(&db)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 participants, 0 pairs"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("warning: ") && stderr(&o).contains("no participants"));
    let o = run(&["--from-db", "--db", path_str(&db)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["--input", EXAMPLE, "--db", path_str(&db)]);
    assert_eq!(o.status.code(), Some(2), "--input and --db do not mix");
}
