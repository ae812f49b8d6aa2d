//! `tandem demo`: the whole program plays on the real code paths, its figures are those the seed decides, the same
//! seed replays the same program, a second round on schedule pairs people who are free again without repeating a
//! pair, and the command line refuses a database that already holds data.

use tandem::demo::{DemoOptions, DemoOutcome, run};

fn small(dir: &tempfile::TempDir, name: &str, quiet: bool) -> DemoOptions {
    DemoOptions {
        db: Some(dir.path().join(name)),
        seed: 42,
        people: 12,
        weeks: 6,
        quiet,
        full: false,
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
    // Enrolment, matching and approval: 12 people, 6 pairs; one person leaves halfway.
    assert_eq!((f.joined, f.left, f.enrolled), (12, 1, 11));
    // The lifecycle: two pairs complete (and all four give feedback), one ends because someone left, one stalls and
    // stays at risk; the others are active.
    // Then the second round, on schedule: of the five people free again, two who were never partners are paired.
    assert_eq!((f.rounds, f.pairs, f.later_pairs), (2, 7, 1), "{f:?}");
    assert_eq!(
        f.repeated_pairs, 0,
        "nobody is paired twice with the same partner"
    );
    assert_eq!(
        (f.active, f.at_risk, f.completed, f.ended),
        (3, 1, 2, 1),
        "{f:?}"
    );
    assert_eq!((f.feedback, f.recommend), (4, 4), "{f:?}");
    // Plans through the modal (the leaver's pair's plan is deleted with them), check-ins, meetings, nudges (each in
    // place of a check-in).
    assert_eq!(f.plans, 5, "{f:?}");
    assert_eq!((f.checkins, f.meetings, f.minutes), (20, 12, 705), "{f:?}");
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
    let pairs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pairs")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(pairs, f.pairs);
    // The second round's pair: both people were free again (their first pairs had ended), and neither was ever
    // paired with the other.
    let second: Vec<(String, String)> =
        sqlx::query_as("SELECT junior_id, senior_id FROM pairs WHERE proposal_id = 2")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(second.len(), 1);
    for who in [&second[0].0, &second[0].1] {
        let first: Vec<(String,)> = sqlx::query_as(
            "SELECT status FROM pairs WHERE proposal_id = 1 AND (junior_id = ? OR senior_id = ?)",
        )
        .bind(who)
        .bind(who)
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert!(
            first.iter().all(|(s,)| s == "completed" || s == "ended"),
            "{who} was free again: {first:?}"
        );
    }
}

#[tokio::test]
async fn the_same_seed_replays_the_same_program_and_the_transcript_shows_what_people_see() {
    let dir = tempfile::tempdir().unwrap();
    let (quiet, _) = play(&small(&dir, "one.db", true)).await;
    // Every message in full, so that the wording check below reads all of them.
    let mut everything = small(&dir, "two.db", false);
    everything.full = true;
    let (loud, transcript) = play(&everything).await;
    assert_eq!(quiet.summary, loud.summary);
    assert_eq!(quiet.figures, loud.figures);

    for seen in [
        "Margaret Ashworth (Partner, Litigation and disputes, London) types /mentor join",
        "# Join Tandem",
        "Skills I can teach: Client management, Courtroom advocacy, Negotiation",
        "✉ Tandem → Margaret Ashworth (DM):",
        "Morgan Ellery types /mentor match",
        "# Matching proposal #1",
        "presses [Approve and introduce]",
        "# Welcome to your Tandem pair",
        "presses [Set our plan]",
        "# Our plan",
        "Tandem check-in: did you meet since",
        "presses [We met]",
        "# We met",
        "presses [We need help]",
        "🙋 A Tandem pair asked for help.",
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
        "next matching round, on Monday 13 July 2026.",
        "━━ The managers' summary ━━",
    ] {
        assert!(transcript.contains(seen), "the transcript lacks {seen:?}");
    }
    assert!(transcript.contains(&loud.summary));
    // "Partner" is a law-firm seniority (the cast's role labels, the "Writing for partners" skill): no message
    // calls the other person of a pair a partner.
    let lower = transcript.to_lowercase();
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
    assert!(
        !transcript.contains("<@U"),
        "mentions are shown as names, not raw IDs"
    );

    // Another seed plays another program over the same cast.
    let mut other = small(&dir, "three.db", true);
    other.seed = 7;
    let (different, _) = play(&other).await;
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
