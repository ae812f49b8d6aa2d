//! Issue 6: the managers' summary on schedule with its chart, `/mentor report`, `tandem report` and `export`, and
//! privacy (no free text, no individual rating, fewer than 3).

use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use tandem::context::clock::Clock;
use tandem::domain::forms::pair_forms::{Feedback, MetAnswer, Plan};
use tandem::domain::forms::pair_values::{feedback_values, met_values, plan_values};
use tandem::domain::matching::Role;
use tandem::domain::schedule::Cadence;
use tandem::sandbox::Fault;
use tandem::views::limits as blockkit;

const ADMIN: &str = "U0ADMIN";
const MANAGERS: &str = "C0MANAGERS";
const SECRET: &str = "ZEBRA-PRIVATE";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// Four pairs approved on Monday 2 March 2026 (London), introduced, at their first weekly check-in a week later:
/// pairs 1 and 2 met (45 and 90 minutes, both partners answering), pair 3 said "not yet", pair 4 did not answer.
/// Distinctive free text is planted in plans, check-ins, feedback and an early end's reason.
async fn program(env: &[(&str, &str)]) -> (TestApp, Clock) {
    let clock = Clock::manual(at("2026-03-01T10:00:00Z"));
    let c = clock.clone();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let app = spawn_with(move |o| {
        o.app.clock = c;
        o.admins = vec![ADMIN.into()];
        o.manager_channel = Some(MANAGERS.into());
        o.env = env;
    })
    .await;
    app.fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    clock.set(at("2026-03-02T08:00:00Z"));
    for i in 1..=4 {
        let (j, s) = (format!("U0JUN{i}"), format!("U0SEN{i}"));
        app.fake
            .add_user(&j, &format!("Junior {i}"), "Europe/London");
        app.fake
            .add_user(&s, &format!("Senior {i}"), "Europe/London");
        let mut ja = answers(Role::Associate, 2, &["ai_drafting"], &["client_management"]);
        ja.cadence = Cadence::Weekly;
        joined(&app, &j, &ja).await;
        let mut sa = answers(
            Role::Partner,
            20 + i,
            &["client_management"],
            &["ai_drafting"],
        );
        sa.cadence = Cadence::Weekly;
        joined(&app, &s, &sa).await;
    }
    assert_eq!(approve_round(&app, ADMIN).await, 4);
    run_jobs(&app).await;
    let pairs: Vec<(i64, String, String, String)> =
        tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
            "SELECT id, junior_id, senior_id, channel FROM pairs ORDER BY junior_id"
        )
        .fetch_all(p)
        .await)
        .unwrap();
    let (id, j, _, _) = &pairs[0];
    app.driver
        .click(j, "plan_open", &id.to_string(), None)
        .await;
    let modal = app.fake.last_modal_for(j).unwrap();
    let plan = Plan {
        objective: format!("{SECRET} objective"),
        cadence: Cadence::Weekly,
        end_date: at("2026-06-30T00:00:00Z").date_naive(),
        first_meeting: None,
    };
    app.driver.submit_view(j, &modal, plan_values(&plan)).await;
    settle(&app).await;
    clock.set(at("2026-03-09T10:00:00Z"));
    run_jobs(&app).await;
    for (k, (_, j, s, channel)) in pairs.iter().enumerate() {
        let m = app.fake.messages_in(channel).pop().unwrap();
        let checkin = button_value(&m["blocks"], "checkin_met");
        let ts = m["ts"].as_str().unwrap().to_string();
        match k {
            0 | 1 => {
                for who in [j, s] {
                    app.driver
                        .click(who, "checkin_met", &checkin, Some((channel, &ts)))
                        .await;
                    let modal = app.fake.last_modal_for(who).unwrap();
                    let met = MetAnswer {
                        minutes: 45 * (k as u16 + 1),
                        covered: Some(format!("{SECRET} covered")),
                        usefulness: 5 - k as u8,
                    };
                    app.driver.submit_view(who, &modal, met_values(&met)).await;
                }
            }
            2 => {
                app.driver
                    .click(j, "checkin_not_yet", &checkin, Some((channel, &ts)))
                    .await;
            }
            _ => {}
        }
    }
    settle(&app).await;
    (app, clock)
}

fn report_text(app: &TestApp, r: &serde_json::Value) -> String {
    let _ = app;
    r["text"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn mentor_report_gives_admins_the_exact_figures_and_refuses_others() {
    let (app, clock) = program(&[]).await;
    clock.advance(Duration::hours(1));
    let refused = app.driver.command("U0JUN1", "report").await.json();
    assert!(
        refused["text"]
            .as_str()
            .unwrap()
            .contains("only the program's admins")
    );
    let r = app.driver.command(ADMIN, "report").await.json();
    assert_eq!(r["response_type"], "ephemeral");
    assert_eq!(
        blockkit::check_message_blocks(&r["blocks"]),
        Vec::<String>::new()
    );
    let text = report_text(&app, &r);
    for expected in [
        "Enrolled: 8",
        "Reverse mentors: 4",
        "Senior attorneys: 4",
        "Pairs active: 4",
        "Check-ins answered: 63%",
        "Meetings held: 2 (+2)",
        "Mentoring hours logged (per pair, non-billable): 2.3 (+2.3)",
        "Program to date (since 2 Mar 2026)",
        "Joined: 8 · Pairs formed: 4 · Pairs completed: 0",
        "Meetings held: 2 · Mentoring hours (per pair): 2.3",
        "Pairs at risk now: 0",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(!text.contains(SECRET), "{text}");
}

#[tokio::test]
async fn the_summary_is_posted_on_schedule_with_its_chart() {
    let (app, clock) = program(&[
        ("TANDEM_SUMMARY_CRON", "30 8 * * 1-5"),
        ("TANDEM_TZ", "Europe/London"),
    ])
    .await;
    let summaries = |app: &TestApp| {
        app.fake
            .messages_in(MANAGERS)
            .into_iter()
            .filter(|m| {
                m["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Tandem program summary")
            })
            .collect::<Vec<_>>()
    };
    // Weekdays 08:30 London. The clock jumped from Monday 2 March to Monday 9 March: the summary due on 2 March was
    // dropped in favour of the latest one due (9 March), which ran once.
    assert_eq!(
        summaries(&app).len(),
        1,
        "summaries missed while time jumped give way to one"
    );
    let dropped: Vec<String> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT last_error FROM jobs WHERE kind = 'summary' AND last_error LIKE 'dropped:%'",
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert!(
        summaries(&app)[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("6 Mar 2026 – 9 Mar 2026"),
        "the summary of the latest period (Friday to Monday): {:?}",
        summaries(&app)[0]["text"]
    );
    let next: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind = 'summary' AND state = 'pending'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(
        next,
        at("2026-03-10T08:30:00Z").timestamp(),
        "Tuesday 08:30 London (GMT)"
    );
    clock.set(at("2026-03-10T08:29:00Z"));
    run_jobs(&app).await;
    assert_eq!(summaries(&app).len(), 1, "not a minute early");
    let uploads_before = app.fake.ok_calls_to("files.completeUploadExternal").len();
    clock.set(at("2026-03-10T08:30:00Z"));
    run_jobs(&app).await;
    let posted = summaries(&app);
    assert_eq!(posted.len(), 2);
    assert_eq!(
        blockkit::check_message_blocks(&posted[1]["blocks"]),
        Vec::<String>::new()
    );
    for method in [
        "files.getUploadURLExternal",
        "files.upload",
        "files.completeUploadExternal",
    ] {
        assert_eq!(
            app.fake.ok_calls_to(method).len(),
            uploads_before + 1,
            "{method}"
        );
    }
    let files = app.fake.uploaded_files();
    assert!(
        files
            .iter()
            .all(|(_, bytes)| bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
        "PNG charts"
    );
    assert!(
        app.fake
            .messages_in(MANAGERS)
            .iter()
            .any(|m| m.get("files").is_some()),
        "the chart is shared in the managers' channel"
    );
    assert!(
        !app.fake
            .messages_in(MANAGERS)
            .iter()
            .any(|m| m.to_string().contains(SECRET))
    );
    // After the European clock change (29 March), 08:30 London is 07:30 UTC.
    clock.set(at("2026-03-30T07:29:00Z"));
    run_jobs(&app).await;
    let next: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind = 'summary' AND state = 'pending'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(next, at("2026-03-30T07:30:00Z").timestamp());
}

#[tokio::test]
async fn a_failed_chart_upload_still_posts_the_summary() {
    let (app, clock) = program(&[("TANDEM_SUMMARY_CRON", "0 12 * * 1")]).await;
    let before = app.fake.messages_in(MANAGERS).len();
    let shared = app.fake.ok_calls_to("files.completeUploadExternal").len();
    app.fake.fail_next(
        "files.getUploadURLExternal",
        Fault::SlackError("internal_error".into()),
        1,
    );
    clock.set(at("2026-03-09T12:00:00Z"));
    let stats = run_jobs(&app).await;
    assert_eq!(stats.failed, 0);
    let posted = app.fake.messages_in(MANAGERS);
    assert_eq!(posted.len(), before + 1, "the summary, without a chart");
    assert!(
        posted.last().unwrap()["text"]
            .as_str()
            .unwrap()
            .contains("program summary")
    );
    assert_eq!(
        app.fake.ok_calls_to("files.completeUploadExternal").len(),
        shared
    );
}

#[tokio::test]
async fn no_summary_report_or_export_contains_free_text_or_an_individual_rating() {
    let (app, clock) = program(&[]).await;
    // Closing feedback with free text, and an early end with a reason.
    let pair: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT id FROM pairs ORDER BY junior_id LIMIT 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let j = "U0JUN1";
    let channel: String = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT channel FROM pairs WHERE id = $1"
    )
    .bind(pair)
    .fetch_one(p)
    .await)
    .unwrap();
    queue_job(&app, "closing", Some(pair), clock.now().timestamp()).await;
    run_jobs(&app).await;
    let m = app.fake.messages_in(&channel).pop().unwrap();
    app.driver
        .click(
            j,
            "feedback_open",
            &button_value(&m["blocks"], "feedback_open"),
            None,
        )
        .await;
    let modal = app.fake.last_modal_for(j).unwrap();
    app.driver
        .submit_view(
            j,
            &modal,
            feedback_values(&Feedback {
                rating: 2,
                learned: Some(format!("{SECRET} learned")),
                recommend: false,
            }),
        )
        .await;
    app.driver
        .command("U0JUN3", &format!("end {SECRET} reason"))
        .await;
    settle(&app).await;
    assert!(
        !cells_containing(&app, SECRET).await.is_empty(),
        "the secret text is in the database"
    );

    let slack = app.driver.command(ADMIN, "report").await.json().to_string();
    assert!(!slack.contains(SECRET));
    let db = app.db_url();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["report", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        cli.contains("Tandem program summary") && !cli.contains(SECRET),
        "{cli}"
    );
    assert!(
        cli.contains("fewer than 3"),
        "one person's feedback is not shown: {cli}"
    );
    let dir = app.dir.path().join("export");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["export", "--format", "csv", "--out"])
        .arg(&dir)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in ["pairs.csv", "checkins.csv", "hours.csv"] {
        let csv = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(csv.lines().count() > 1, "{file} has rows");
        assert!(!csv.contains(SECRET), "{file}");
    }
    let hours = std::fs::read_to_string(dir.join("hours.csv")).unwrap();
    // Pair 1 both logged the same 45 minutes: one meeting each, not 90 minutes; pair 3 never met but is listed.
    for row in [
        "U0JUN1,Junior 1,1,45,0.75",
        "U0SEN1,Senior 1,1,45,0.75",
        "U0JUN3,Junior 3,0,0,0.00",
    ] {
        assert!(hours.contains(row), "{row} in {hours}");
    }
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["report", "--db", "/no/such.db"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no database at /no/such.db"));
}

/// Closes `pair` (its closing job) and has `who` send feedback with `learned`.
async fn close_with_feedback(app: &TestApp, clock: &Clock, pair: i64, feedback: &[(&str, &str)]) {
    let channel: String = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT channel FROM pairs WHERE id = $1"
    )
    .bind(pair)
    .fetch_one(p)
    .await)
    .unwrap();
    queue_job(app, "closing", Some(pair), clock.now().timestamp()).await;
    run_jobs(app).await;
    let m = app.fake.messages_in(&channel).pop().unwrap();
    for (who, learned) in feedback {
        app.driver
            .click(
                who,
                "feedback_open",
                &button_value(&m["blocks"], "feedback_open"),
                None,
            )
            .await;
        let modal = app.fake.last_modal_for(who).unwrap();
        let f = Feedback {
            rating: 4,
            learned: Some(learned.to_string()),
            recommend: true,
        };
        app.driver
            .submit_view(who, &modal, feedback_values(&f))
            .await;
    }
    settle(app).await;
}

#[tokio::test]
async fn mentor_feedback_shows_admins_closed_pairs_words_without_names_once_three_wrote() {
    let (app, clock) = program(&[]).await;
    let pairs: Vec<i64> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT id FROM pairs ORDER BY junior_id"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    let refused = app
        .driver
        .command("U0JUN1", "feedback")
        .await
        .json()
        .to_string();
    assert!(refused.contains("only the program's admins"), "{refused}");

    // Pairs 1 and 2 met and wrote notes, but are still running: nothing of theirs is shown.
    let early = app
        .driver
        .command(ADMIN, "feedback")
        .await
        .json()
        .to_string();
    assert!(!early.contains(SECRET), "{early}");
    assert!(
        early.contains("not shown until at least 3 people"),
        "{early}"
    );

    // Pair 1 closes with two people's feedback: still fewer than three people wrote what they learned.
    close_with_feedback(
        &app,
        &clock,
        pairs[0],
        &[("U0JUN1", "LEARNED-ONE"), ("U0SEN1", "LEARNED-TWO")],
    )
    .await;
    let two = app
        .driver
        .command(ADMIN, "feedback")
        .await
        .json()
        .to_string();
    assert!(!two.contains("LEARNED-"), "two people only: {two}");
    // Pair 1's two meeting notes are from two people: withheld too.
    assert!(!two.contains(SECRET), "{two}");

    close_with_feedback(
        &app,
        &clock,
        pairs[1],
        &[("U0JUN2", "LEARNED-<@U0XYZ> three")],
    )
    .await;
    let shown = app.driver.command(ADMIN, "feedback").await.json();
    let text = shown.to_string();
    for t in [
        "LEARNED-ONE",
        "LEARNED-TWO",
        "LEARNED-&lt;@U0XYZ&gt; three",
        &format!("{SECRET} covered"),
    ] {
        assert!(text.contains(t), "{t} in {text}");
    }
    assert!(
        text.contains("What people learned* (3)") && text.contains("Meeting notes* (4)"),
        "{text}"
    );
    assert!(
        text.contains("How people rated the program* (3 answers from 3 people)"),
        "{text}"
    );
    assert!(
        text.contains("How useful meetings were* (4 answers from 4 people)"),
        "{text}"
    );
    for name in ["U0JUN", "U0SEN", "Junior", "Senior", "2026"] {
        assert!(!text.contains(name), "{name} must not appear: {text}");
    }
    assert!(blockkit::check_message_blocks(&shown["blocks"]).is_empty());
    // Pairs 3 and 4 never met: nothing of theirs exists; the managers' channel never sees any of it.
    for m in app.fake.messages_in(MANAGERS) {
        assert!(!m.to_string().contains("LEARNED-"));
    }
    let reads: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'feedback' AND actor = $1",
    )
    .bind(ADMIN)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(
        reads, 3,
        "every read by an admin is recorded; the refused one is not"
    );
}

#[tokio::test]
async fn mentor_report_all_covers_the_whole_program_and_the_chart_reaches_the_admins_dm() {
    let (app, clock) = program(&[]).await;
    clock.advance(Duration::hours(1));
    let uploads = app.fake.uploaded_files().len();
    let all = app.driver.command(ADMIN, "report all").await.json();
    let text = report_text(&app, &all);
    assert!(
        text.contains("The whole program · as of 9 Mar 2026 11:00 UTC"),
        "{text}"
    );
    assert!(
        text.contains("Enrolled: 8\n") && text.contains("Meetings held: 2\n"),
        "no comparison: {text}"
    );
    assert!(!text.contains("(+") && !text.contains("(±"), "{text}");
    assert!(blockkit::check_message_blocks(&all["blocks"]).is_empty());
    let period = app.driver.command(ADMIN, "report period").await.json();
    assert!(report_text(&app, &period).contains("Meetings held: 2 (+2)"));
    let usage = app
        .driver
        .command(ADMIN, "report everything")
        .await
        .json()
        .to_string();
    assert!(usage.contains("`/mentor report all`"), "{usage}");

    // Each report queued its chart (two reports in a row may share one waiting chart): a note and a PNG in the
    // admin's DM for each chart, none twice on a re-run.
    settle(&app).await;
    run_jobs(&app).await;
    let dms = app.fake.dms_to(ADMIN);
    let notes = dms
        .iter()
        .filter(|m| m["text"] == tandem::views::summary::CHART_CAPTION)
        .count();
    assert!((1..=2).contains(&notes), "{dms:?}");
    let files = app.fake.uploaded_files();
    assert_eq!(files.len(), uploads + notes);
    assert!(
        files
            .iter()
            .all(|(_, b)| b.starts_with(b"\x89PNG\r\n\x1a\n"))
    );
    assert!(
        dms.iter().any(|m| m["files"].is_array()),
        "shared in the DM"
    );
    let audit: Vec<String> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'report' ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(audit, vec!["all", "period"]);
}

#[tokio::test]
async fn reports_in_a_row_share_the_chart_in_hand() {
    // No worker loop: the test plays the worker's part (claiming, finishing) itself.
    let app = spawn_with(|o| {
        o.app.worker = tandem::startup::WorkerMode::Manual;
        o.admins = vec![ADMIN.into()];
    })
    .await;
    app.fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    let charts = || async {
        tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as::<_, (String, i64)>(
            "SELECT state, COUNT(*) FROM jobs WHERE kind = 'report_chart' GROUP BY state ORDER BY state",
        )
        .fetch_all(p)
        .await)
        .unwrap()
    };
    app.driver.command(ADMIN, "report").await.json();
    assert_eq!(charts().await, vec![("pending".to_string(), 1)]);
    // The worker has claimed it (as a claim does: running, key cleared) and is drawing it: a report now shares it.
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query(
        "UPDATE jobs SET state = 'running', key = NULL WHERE kind = 'report_chart'"
    )
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    app.driver.command(ADMIN, "report").await.json();
    assert_eq!(charts().await, vec![("running".to_string(), 1)]);
    // Once it is drawn, the next report asks for a new one.
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query("UPDATE jobs SET state = 'done', payload = '{}' WHERE kind = 'report_chart' AND state = 'running'")
        .execute(p)
        .await
.map(|_| ()))
        .unwrap();
    app.driver.command(ADMIN, "report").await.json();
    assert_eq!(
        charts().await,
        vec![("done".to_string(), 1), ("pending".to_string(), 1)]
    );
}

#[tokio::test]
async fn tandem_report_takes_dates_and_writes_the_chart() {
    let (app, _clock) = program(&[]).await;
    let db = app.db_url();
    let png = app.dir.path().join("chart.png");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
            .arg("report")
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-15",
        "--as-of",
        "2026-03-20",
        "--chart",
    ]);
    assert!(!out.status.success(), "--chart needs a file");
    let out = run(&[
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-15",
        "--as-of",
        "2026-03-20",
        "--chart",
        png.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("2 Mar 2026 – 15 Mar 2026 · compared with 16 Feb 2026 – 1 Mar 2026"),
        "{stdout}"
    );
    assert!(stdout.contains("Meetings held: 2 (+2)"), "{stdout}");
    assert!(stderr.contains("the chart is in"), "{stderr}");
    assert!(
        std::fs::read(&png)
            .unwrap()
            .starts_with(b"\x89PNG\r\n\x1a\n")
    );
    let all = run(&["--all"]);
    assert!(String::from_utf8_lossy(&all.stdout).contains("The whole program"));
    for (args, says) in [
        (vec!["--from", "2026-03-02"], "give both --from and --to"),
        (
            vec!["--from", "2026-03-09", "--to", "2026-03-02"],
            "is before --from",
        ),
        (
            vec!["--from", "March", "--to", "2026-03-02"],
            "--from 'March' is not a date",
        ),
    ] {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(says),
            "{args:?}: {stderr}"
        );
    }
}

#[tokio::test]
async fn the_end_of_a_cohort_is_reported_once_when_its_last_pair_closes() {
    let (app, clock) = program(&[]).await;
    let pairs: Vec<i64> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT id FROM pairs ORDER BY junior_id"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    let cohort_posts = || {
        app.fake
            .messages_in(MANAGERS)
            .into_iter()
            .filter(|m| m.to_string().contains("A cohort has finished"))
            .collect::<Vec<_>>()
    };
    close_with_feedback(&app, &clock, pairs[0], &[("U0JUN1", "x"), ("U0SEN1", "y")]).await;
    close_with_feedback(&app, &clock, pairs[1], &[("U0JUN2", "z")]).await;
    app.driver
        .command("U0JUN3", &format!("end {SECRET} reason"))
        .await;
    settle(&app).await;
    assert!(cohort_posts().is_empty(), "pair 4 still runs");
    // The last pair ends because one of them leaves the program.
    app.driver.command("U0SEN4", "leave").await;
    app.driver
        .click("U0SEN4", "leave_confirm", "leave", None)
        .await;
    settle(&app).await;
    run_jobs(&app).await;
    let posts = cohort_posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    let text = posts[0]["text"].as_str().unwrap();
    for expected in [
        "Pairs: 4 · completed: 2 · ended early: 2 · never met: 2",
        "Meetings held: 2",
        "Meetings held: 2 · Mentoring hours (per pair): 2.3",
        "Average rating: 4.0 / 5 · Would recommend it: 100%",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(!posts[0].to_string().contains(SECRET));
    assert!(blockkit::check_message_blocks(&posts[0]["blocks"]).is_empty());
    clock.advance(Duration::days(1));
    run_jobs(&app).await;
    assert_eq!(cohort_posts().len(), 1, "once per round");
}
