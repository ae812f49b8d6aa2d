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
/// Distinctive free text is planted in notes, plans, check-ins and feedback.
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
        ja.note = Some(format!("{SECRET} note {i}"));
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
        sqlx::query_as("SELECT id, junior_id, senior_id, channel FROM pairs ORDER BY junior_id")
            .fetch_all(app.app().store().pool())
            .await
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
        "Mentoring hours logged (non-billable): 4.5 (+4.5)",
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
    let dropped: Vec<String> = sqlx::query_scalar(
        "SELECT last_error FROM jobs WHERE kind = 'summary' AND last_error LIKE 'dropped:%'",
    )
    .fetch_all(app.app().store().pool())
    .await
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
    let next: i64 =
        sqlx::query_scalar("SELECT due_at FROM jobs WHERE kind = 'summary' AND state = 'pending'")
            .fetch_one(app.app().store().pool())
            .await
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
    let next: i64 =
        sqlx::query_scalar("SELECT due_at FROM jobs WHERE kind = 'summary' AND state = 'pending'")
            .fetch_one(app.app().store().pool())
            .await
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
    let pair: i64 = sqlx::query_scalar("SELECT id FROM pairs ORDER BY junior_id LIMIT 1")
        .fetch_one(app.app().store().pool())
        .await
        .unwrap();
    let j = "U0JUN1";
    let channel: String = sqlx::query_scalar("SELECT channel FROM pairs WHERE id = ?")
        .bind(pair)
        .fetch_one(app.app().store().pool())
        .await
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
    let db = app.dir.path().join("tandem.db");
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
    assert!(hours.contains("1.50"), "45 + 45 minutes of pair 1: {hours}");
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["report", "--db", "/no/such.db"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no database at /no/such.db"));
}
