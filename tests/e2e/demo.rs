//! `tandem demo`: the whole program plays on the real code paths (one pair removed from the first proposal, a
//! private help request, an at-risk alert the admin answers, the program-to-date summary), its figures are those
//! the seed decides, the same seed replays the same program, a second round on schedule pairs people who are free
//! without repeating a pair, and the command line refuses a database that already holds data.

use tandem::demo::{DemoOptions, DemoOutcome, run};

fn small(dir: &tempfile::TempDir, name: &str, quiet: bool) -> DemoOptions {
    DemoOptions {
        db: Some(dir.path().join(name)),
        seed: 42,
        people: 12,
        weeks: 6,
        quiet,
        full: false,
        pool: None,
    }
}

async fn play(options: &DemoOptions) -> (DemoOutcome, String) {
    let mut out = Vec::new();
    let outcome = run(options, &mut out).await.expect("the demo plays");
    (outcome, String::from_utf8(out).expect("UTF-8 output"))
}

#[tokio::test]
async fn a_small_cohort_plays_every_path_and_ends_with_the_figures_its_seed_decides() {
    let dir = tempfile::tempdir().unwrap();
    let options = small(&dir, "demo.db", true);
    let (outcome, printed) = play(&options).await;
    let f = &outcome.figures;
    // Enrolment, matching and approval: 12 people; of the 6 pairs proposed, the admin removes one (for this round
    // only) and approves the re-matched version: 5 pairs, the removed two wait. One person leaves halfway.
    assert_eq!((f.joined, f.left, f.enrolled), (12, 1, 11));
    // The lifecycle: one pair completes (and both give feedback), one ends because someone left, one stalls and
    // stays at risk; the others are active.
    // Then the second round, on schedule: of the five people free, the two removed from the first round's proposal
    // are paired (the removal held for that round only).
    assert_eq!((f.rounds, f.pairs, f.later_pairs), (2, 6, 1), "{f:?}");
    assert_eq!(
        f.repeated_pairs, 0,
        "nobody is paired twice with the same person"
    );
    assert_eq!(
        (f.active, f.at_risk, f.completed, f.ended),
        (3, 1, 1, 1),
        "{f:?}"
    );
    assert_eq!((f.feedback, f.recommend), (2, 2), "{f:?}");
    // Plans through the modal (the leaver's pair's plan is deleted with them; the second round's pair has none
    // yet), check-ins, meetings, nudges (each in place of a check-in).
    assert_eq!(f.plans, 4, "{f:?}");
    assert_eq!((f.checkins, f.meetings, f.minutes), (19, 10, 600), "{f:?}");
    assert!(
        f.nudges >= f.at_risk,
        "every stalled pair was nudged: {f:?}"
    );
    // One pair asks for help, once, and the admin is told privately, once.
    assert_eq!((f.help_requests, f.help_alerts), (1, 1), "{f:?}");
    assert_eq!(
        f.waiting, 3,
        "the three the second round could not pair: {f:?}"
    );

    // Quiet: only the summary and where the database is.
    assert!(printed.starts_with(&outcome.summary), "{printed}");
    assert!(!printed.contains('▸'), "no transcript when quiet");
    let db = options.db.clone().unwrap();
    assert!(printed.contains(&format!("Database: {}", db.display())));
    assert!(printed.contains(&format!("tandem report --db {}", db.display())));
    assert_eq!(outcome.database, db);
    // The printed hint reproduces the same summary from the database, as of the demo's simulated end.
    let hint = printed
        .lines()
        .find(|l| l.starts_with("Inspect it with: tandem report"))
        .unwrap();
    let args: Vec<&str> = hint
        .trim_start_matches("Inspect it with: tandem ")
        .split_whitespace()
        .collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        outcome.summary.trim_end()
    );

    // The database is left behind, closed and complete: a fresh store over it reads the same figures.
    let store = tandem::outbound::store::Store::open(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let pairs: i64 = tandem::on_db!(store.pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM pairs"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(pairs, f.pairs);
    // The admin removed one pair from the first round's proposal (recorded in the audit log); the second round
    // pairs those two (free, never paired with anyone before), which the removal allowed: it held for that round
    // only.
    let removed: Vec<(String, String)> = tandem::on_db!(store.pool(), |p| sqlx::query_as(
        "SELECT subject, other FROM audit_log WHERE action = 'remove_pair' AND detail LIKE 'proposal #1:%'",
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(removed.len(), 1, "one Remove, in the audit log");
    let version: i64 = tandem::on_db!(store.pool(), |p| sqlx::query_scalar(
        "SELECT version FROM proposals WHERE id = 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(version, 2, "the approved version is the re-matched one");
    let first: Vec<(String, String)> = tandem::on_db!(store.pool(), |p| sqlx::query_as(
        "SELECT junior_id, senior_id FROM pairs WHERE proposal_id = 1"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(first.len(), 5);
    assert!(
        !first.contains(&removed[0]),
        "the removed pair was not introduced: {first:?}"
    );
    let second: Vec<(String, String)> = tandem::on_db!(store.pool(), |p| sqlx::query_as(
        "SELECT junior_id, senior_id FROM pairs WHERE proposal_id = 2"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(second, removed);
}

#[tokio::test]
async fn the_same_seed_replays_the_same_program_and_the_transcript_shows_what_people_see() {
    let dir = tempfile::tempdir().unwrap();
    let (quiet, _) = play(&small(&dir, "one.db", true)).await;
    let (loud, transcript) = play(&small(&dir, "two.db", false)).await;
    assert_eq!(quiet.summary, loud.summary);
    assert_eq!(quiet.figures, loud.figures);

    for seen in [
        "Margaret Ashworth (Partner, Litigation and disputes, London) types /mentor join",
        "# Join Tandem",
        "Skills I can teach: Client management, Courtroom advocacy, Negotiation",
        "✉ Tandem → Margaret Ashworth (DM):",
        "Morgan Ellery types /mentor match",
        "# Matching proposal #1",
        "presses [Remove] beside Mei Lin Koh ↔ Richard Tan",
        "↻ Tandem replaces its message in Morgan Ellery (DM) with:",
        "# Matching proposal #1 · version 2",
        "Removed from this round",
        "presses [Approve and introduce]",
        "# Welcome to your Tandem pair",
        "presses [Set our plan]",
        "# Our plan",
        "Tandem check-in: did you meet since",
        "presses [We met]",
        "# We met",
        "presses [We need help]",
        "🙋 A Tandem pair asked for help.",
        "⚠️ A Tandem pair is at risk",
        "presses [Message them]",
        "📣 A message from the program team",
        "Hello both, I run the Tandem program.",
        "Program to date (since",
        "A friendly nudge.",
        "types /mentor leave",
        "Your Tandem pair has left the program",
        "# Your Tandem plan ends today",
        "# Your feedback",
        "▪ Week 6:",
        "the next matching round starts on schedule",
        "# Matching proposal #2",
        "This round started on schedule",
        "you were not paired this time.",
        "next matching round, on Monday 13 April 2026.",
        "━━ The managers' summary ━━",
    ] {
        assert!(transcript.contains(seen), "the transcript lacks {seen:?}");
    }
    assert!(transcript.contains(&loud.summary));
    assert!(
        !transcript.contains("<@U"),
        "mentions are shown as names, not raw IDs"
    );

    // Another seed plays another program over the same cast, printed with every message in full.
    let mut other = small(&dir, "three.db", false);
    other.seed = 7;
    other.full = true;
    let (different, everything) = play(&other).await;
    // "Partner" is a law-firm seniority (the cast's role labels, the "Writing for partners" skill): no message
    // calls the other person of a pair a partner.
    let lower = everything.to_lowercase();
    assert!(lower.contains("did you meet since") && lower.contains("welcome to your tandem pair"));
    for bad in [
        "your partner",
        "tandem partner",
        "earlier partner",
        "last partner",
        "partner has left",
        "partners before",
        "waiting for a partner",
    ] {
        assert!(!lower.contains(bad), "the transcript says {bad:?}");
    }
    assert_eq!(
        different.figures.pairs - different.figures.later_pairs,
        quiet.figures.pairs - quiet.figures.later_pairs,
        "the first round does not depend on the seed"
    );
    assert_eq!(different.figures.repeated_pairs, 0);
    assert_ne!(
        different.figures, quiet.figures,
        "the seed decides who meets"
    );
}

/// Every path of the program (requests, jobs, the worker's batches) works with one database connection: no path
/// takes a second connection while it holds one (a transaction, or a connection for reads), which would make N
/// concurrent jobs need 2N connections and wait on themselves. A path that did would wait for the pool's acquire
/// timeout here and fail.
#[tokio::test]
async fn the_whole_program_plays_the_same_on_one_database_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (usual, _) = play(&small(&dir, "usual.db", true)).await;
    let mut one = small(&dir, "one.db", true);
    one.pool = Some(tandem::outbound::store::PoolSize {
        max_connections: 1,
        acquire_timeout: std::time::Duration::from_secs(5),
    });
    let started = std::time::Instant::now();
    let (single, _) = play(&one).await;
    assert_eq!(single.figures, usual.figures);
    assert_eq!(single.summary, usual.summary);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "no path waited for a connection it held"
    );
}

#[tokio::test]
async fn bad_options_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = small(&dir, "x.db", true);
    o.people = 3;
    let e = run(&o, &mut std::io::sink()).await.unwrap_err().to_string();
    assert_eq!(e, "--people must be from 4 to 40 (got 3)");
    o.people = 12;
    o.weeks = 0;
    let e = run(&o, &mut std::io::sink()).await.unwrap_err().to_string();
    assert!(e.starts_with("--weeks must be from 1 to"), "{e}");
    assert!(!dir.path().join("x.db").exists(), "nothing was created");
}

#[test]
fn the_command_plays_quietly_and_refuses_a_database_that_holds_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let demo = |db: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args(["demo", "--quiet", "--people", "10", "--weeks", "4", "--db"])
            .arg(db)
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    let out = demo(&db);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only the summary (whatever its wording), then where the database is.
    let (summary, rest) = stdout
        .split_once(&format!("\n\nDatabase: {}\n", db.display()))
        .unwrap_or_else(|| panic!("no database line: {stdout}"));
    assert!(summary.lines().count() >= 3, "{stdout}");
    assert!(!stdout.contains('▸'), "no transcript when quiet");
    assert!(rest.contains("tandem report --db"), "{rest}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let again = demo(&db);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("tandem: error: ") && err.contains("already holds data"),
        "{err}"
    );
    assert!(again.stdout.is_empty());
}
