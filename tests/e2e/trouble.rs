//! Issue 12, points 3 and 4 (and the pause and closing words of 6 and 7): private help, the admins' alerts and
//! their confirmed buttons, pairs at risk with at most two nudges, never a check-in and a nudge in the same hour,
//! and a pause that tells the other person. Signed requests, the strict fake Slack, an injected clock.

use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tandem::context::clock::Clock;
use tandem::domain::forms::help::{
    AdminMessage, HelpRequest, Recipient, admin_message_values, help_values,
};
use tandem::domain::forms::pair_forms::MetAnswer;
use tandem::domain::forms::pair_values::met_values;
use tandem::domain::matching::Role;
use tandem::domain::model::PairStatus;
use tandem::domain::schedule::Cadence;

const ADMIN: &str = "U0ADMIN";
const ADMIN2: &str = "U0ADMIN2";
const MANAGERS: &str = "C0MANAGERS";
const J: &str = "U0JUNIOR";
const S: &str = "U0SENIOR";
const S2: &str = "U0SENIOR2";
/// Planted in the help form: it must reach the admins' DMs and nowhere else.
const PLANTED: &str = "QUOKKA-7 keeps cancelling on me";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn senior_answers() -> tandem::domain::forms::survey::Answers {
    let mut s = answers(
        Role::Partner,
        25,
        &["negotiation"],
        &["ai_drafting", "ediscovery"],
    );
    s.cadence = Cadence::Weekly;
    s
}

/// A junior in London and a senior in New York, paired weekly on Monday 2 March 2026 and introduced.
async fn paired() -> (TestApp, Clock) {
    let clock = Clock::manual(at("2026-03-02T09:00:00Z"));
    let c = clock.clone();
    let app = spawn_with(move |o| {
        o.app.clock = c;
        o.app.worker = tandem::startup::WorkerMode::Manual;
        o.admins = vec![ADMIN.to_string(), ADMIN2.to_string()];
        o.manager_channel = Some(MANAGERS.into());
    })
    .await;
    app.fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    app.fake.add_user(ADMIN2, "Abe Admin", "Europe/London");
    app.fake.add_user(J, "Jun Iper", "Europe/London");
    app.fake.add_user(S, "Sen Ator", "America/New_York");
    app.fake.add_user(S2, "Sue Perior", "America/New_York");
    let mut j = answers(
        Role::Associate,
        3,
        &["ai_drafting", "ediscovery"],
        &["negotiation"],
    );
    j.cadence = Cadence::Weekly;
    joined(&app, J, &j).await;
    joined(&app, S, &senior_answers()).await;
    assert_eq!(approve_round(&app, ADMIN).await, 1);
    run_jobs(&app).await;
    assert!(app.fake.messages_in_group(J, S).is_some(), "introduced");
    (app, clock)
}

async fn pair_id(app: &TestApp) -> i64 {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT id FROM pairs WHERE junior_id = $1 AND senior_id = $2"
    )
    .bind(J)
    .bind(S)
    .fetch_one(p)
    .await)
    .unwrap()
}

async fn status(app: &TestApp) -> PairStatus {
    let id = pair_id(app).await;
    app.app().store().pair(id).await.unwrap().unwrap().status
}

fn group(app: &TestApp) -> String {
    app.fake
        .messages_in_group(J, S)
        .expect("the pair's group DM")
}

fn text_of(m: &Value) -> String {
    m["text"].as_str().unwrap_or_default().to_string()
}

async fn due(app: &TestApp, kind: &str) -> Option<DateTime<Utc>> {
    let t: Option<i64> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT MIN(due_at) FROM jobs WHERE kind = $1 AND state = 'pending'"
    )
    .bind(kind)
    .fetch_one(p)
    .await)
    .unwrap();
    t.and_then(|t| DateTime::from_timestamp(t, 0))
}

/// Moves the clock to the next check-in and runs what is due; returns the check-ins and nudges the group DM got
/// (the plan reminder, also due in these weeks, is left out).
async fn next_checkin_time(app: &TestApp, clock: &Clock) -> Vec<Value> {
    let before = app.fake.messages_in(&group(app)).len();
    clock.set(due(app, "checkin").await.expect("a check-in is scheduled"));
    let stats = run_jobs(app).await;
    assert_eq!((stats.retried, stats.failed), (0, 0));
    app.fake.messages_in(&group(app))[before..]
        .iter()
        .filter(|m| is_checkin(m) || is_nudge(m))
        .cloned()
        .collect()
}

fn is_checkin(m: &Value) -> bool {
    text_of(m).contains("did you meet since")
}

fn is_nudge(m: &Value) -> bool {
    text_of(m).contains("friendly Tandem nudge")
}

/// The admins' alerts (help or at risk) in `admin`'s DM, oldest first.
fn alerts(app: &TestApp, admin: &str) -> Vec<Value> {
    app.fake
        .dms_to(admin)
        .into_iter()
        .filter(|m| m["blocks"].to_string().contains("trouble_message"))
        .collect()
}

fn button<'v>(blocks: &'v Value, action_id: &str) -> &'v Value {
    blocks
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["elements"].as_array().into_iter().flatten())
        .find(|e| e["action_id"] == action_id)
        .unwrap_or_else(|| panic!("no {action_id} in {blocks}"))
}

/// `who` presses an alert's button, in `admin_dm` (the DM the alert sits in).
async fn press_alert(app: &TestApp, who: &str, alert: &Value, admin_dm: &str, action_id: &str) {
    let value = button(&alert["blocks"], action_id)["value"]
        .as_str()
        .unwrap()
        .to_string();
    let ts = alert["ts"].as_str().unwrap().to_string();
    let r = app
        .driver
        .click(who, action_id, &value, Some((admin_dm, &ts)))
        .await;
    assert_eq!(r.status, 200);
    settle(app).await;
}

async fn audit_rows(
    app: &TestApp,
    action: &str,
) -> Vec<(String, Option<String>, Option<String>, String)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT actor, subject, other, detail FROM audit_log WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(p)
    .await)
    .unwrap()
}

/// The first check-in, at which the senior says they met (one meeting so far); returns the check-in message.
async fn first_checkin_with_a_meeting(app: &TestApp, clock: &Clock) -> Value {
    let got = next_checkin_time(app, clock).await;
    let m = got.into_iter().find(is_checkin).expect("a check-in");
    let id = button_value(&m["blocks"], "checkin_met");
    app.driver
        .click(
            S,
            "checkin_met",
            &id,
            Some((&group(app), m["ts"].as_str().unwrap())),
        )
        .await;
    let modal = app.fake.last_modal_for(S).unwrap();
    let met = MetAnswer {
        minutes: 30,
        covered: None,
        usefulness: 4,
    };
    assert_eq!(
        app.driver
            .submit_view(S, &modal, met_values(&met))
            .await
            .body,
        ""
    );
    settle(app).await;
    app.fake
        .messages_in(&group(app))
        .into_iter()
        .find(|x| x["ts"] == m["ts"])
        .unwrap()
}

/// The junior asks for help privately at `checkin` (with the planted text); returns the response to the submission.
async fn ask_for_help(
    app: &TestApp,
    checkin: &Value,
    may_tell: bool,
) -> tandem::sandbox::DriverResponse {
    let id = button_value(&checkin["blocks"], "checkin_help");
    let opened = app.fake.ok_calls_to("views.open").len();
    let r = app
        .driver
        .click(
            J,
            "checkin_help",
            &id,
            Some((&group(app), checkin["ts"].as_str().unwrap())),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        app.fake.ok_calls_to("views.open").len(),
        opened + 1,
        "the press opened a modal at once, with its fresh trigger_id"
    );
    let modal = app.fake.last_modal_for(J).expect("the help modal");
    assert_eq!(modal["callback_id"], "help_request");
    assert_eq!(modal["private_metadata"], id.as_str());
    let request = HelpRequest {
        text: Some(PLANTED.into()),
        may_tell,
    };
    let r = app
        .driver
        .submit_view(J, &modal, help_values(&request))
        .await;
    settle(app).await;
    r
}

#[tokio::test]
async fn help_is_private_and_the_admins_get_names_age_meetings_text_and_confirmed_buttons() {
    let (app, clock) = paired().await;
    let checkin = first_checkin_with_a_meeting(&app, &clock).await;
    let group_before = app.fake.messages_in(&group(&app));
    let updates_before = app.fake.ok_calls_to("chat.update").len();

    let r = ask_for_help(&app, &checkin, false).await;
    assert_eq!((r.status, r.body.as_str()), (200, ""), "the modal closes");

    // Nothing in the pair's group DM changed: no new message, no update of the check-in.
    assert_eq!(app.fake.messages_in(&group(&app)), group_before);
    assert_eq!(app.fake.ok_calls_to("chat.update").len(), updates_before);
    let in_group = app.fake.messages_in(&group(&app));
    assert!(!Value::from(in_group.clone()).to_string().contains("QUOKKA"));
    assert!(!Value::from(in_group).to_string().contains("🙋"));

    // Each admin: one alert with both names, the pair's age, meetings so far, who asked, the text, three buttons.
    let pair = pair_id(&app).await;
    let created: i64 = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT created_at FROM pairs WHERE id = $1"
    )
    .bind(pair)
    .fetch_one(p)
    .await)
    .unwrap();
    let days = (clock.now().timestamp() - created) / 86_400;
    assert!(days >= 7, "a week at least: {days}");
    for admin in [ADMIN, ADMIN2] {
        let a = alerts(&app, admin);
        assert_eq!(a.len(), 1, "one alert for {admin}");
        let all = a[0]["blocks"].to_string();
        for want in [
            "A Tandem pair asked for help.".to_string(),
            format!("<@{J}> (reverse mentor) and <@{S}> (senior)"),
            format!("Paired {days} days ago"),
            "1 meeting so far".to_string(),
            format!("<@{J}> asked, about their pairing with <@{S}>"),
            PLANTED.to_string(),
            "*not* be told".to_string(),
        ] {
            assert!(all.contains(&want), "{want:?} missing from {all}");
        }
        for action in ["trouble_message", "trouble_end", "trouble_rematch"] {
            let b = button(&a[0]["blocks"], action);
            let c = &b["confirm"];
            for part in ["title", "text", "confirm", "deny"] {
                assert!(
                    c[part]["text"].as_str().is_some_and(|t| !t.is_empty()),
                    "{action}.{part}"
                );
            }
            assert_eq!(b["value"], format!("{pair}:1"));
        }
    }
    // The asker is told privately; the other person hears nothing of it.
    let to_j: Vec<String> = app.fake.dms_to(J).iter().map(text_of).collect();
    assert!(
        to_j.iter()
            .any(|t| t.contains("will not be told that you asked")),
        "{to_j:?}"
    );
    let to_s = Value::from(app.fake.dms_to(S)).to_string();
    assert!(!to_s.contains("QUOKKA") && !to_s.contains("help"), "{to_s}");

    // A second press: no second form and no second alert, just a word that it is in hand.
    let opened = app.fake.ok_calls_to("views.open").len();
    app.driver
        .click(
            J,
            "checkin_help",
            &button_value(&checkin["blocks"], "checkin_help"),
            Some((&group(&app), checkin["ts"].as_str().unwrap())),
        )
        .await;
    settle(&app).await;
    assert_eq!(app.fake.ok_calls_to("views.open").len(), opened);
    assert!(text_of(app.fake.dms_to(J).last().unwrap()).contains("already asked"));
    assert_eq!(alerts(&app, ADMIN).len(), 1);

    // The text is stored (for the admins) but no report, summary, export or manager message shows it.
    assert!(!cells_containing(&app, "QUOKKA").await.is_empty());
    let report = app.driver.command(ADMIN, "report").await.body;
    assert!(
        !report.contains("QUOKKA") && report.contains("Tandem"),
        "{report}"
    );
    queue_job(&app, "summary", None, clock.now().timestamp()).await;
    run_jobs(&app).await;
    let managers = app.fake.messages_in(MANAGERS);
    assert!(!managers.is_empty(), "the managers' summary went out");
    assert!(!Value::from(managers).to_string().contains("QUOKKA"));
    let db = app.db_url();
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["report", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let cli = String::from_utf8_lossy(&cli.stdout);
    assert!(cli.contains("Tandem program summary") && !cli.contains("QUOKKA"));
    let out = app.dir.path().join("export");
    let export = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["export", "--format", "csv", "--out"])
        .arg(&out)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    for file in std::fs::read_dir(&out).unwrap() {
        let csv = std::fs::read_to_string(file.unwrap().path()).unwrap();
        assert!(!csv.contains("QUOKKA"));
    }
    // The asker's own copy: /mentor mydata.
    app.driver.command(J, "mydata").await;
    settle(&app).await;
    assert!(
        Value::from(app.fake.dms_to(J))
            .to_string()
            .contains("QUOKKA")
    );
    // Leaving deletes it.
    app.driver.click(J, "leave_confirm", "leave", None).await;
    settle(&app).await;
    assert!(cells_containing(&app, "QUOKKA").await.is_empty());
}

#[tokio::test]
async fn each_admin_button_is_admins_only_and_acts_once_with_an_audit_record() {
    let (app, clock) = paired().await;
    let checkin = first_checkin_with_a_meeting(&app, &clock).await;
    ask_for_help(&app, &checkin, false).await;
    let alert = alerts(&app, ADMIN).pop().unwrap();
    let admin_dm = app.fake.dm_channel_of(ADMIN).unwrap();

    // Someone who is not an admin: refused, nothing happens, nothing recorded.
    for action in ["trouble_end", "trouble_rematch", "trouble_message"] {
        let opened = app.fake.ok_calls_to("views.open").len();
        press_alert(&app, J, &alert, &admin_dm, action).await;
        assert_eq!(app.fake.ok_calls_to("views.open").len(), opened);
        assert!(text_of(app.fake.dms_to(J).last().unwrap()).contains("only the program's admins"));
    }
    assert_eq!(status(&app).await, PairStatus::Active);
    for action in ["message_pair", "end_pair", "rematch"] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }

    // Message them, privately to the person who asked.
    press_alert(&app, ADMIN, &alert, &admin_dm, "trouble_message").await;
    let modal = app.fake.last_modal_for(ADMIN).expect("the message modal");
    assert_eq!(modal["callback_id"], "trouble_message");
    assert!(
        modal.to_string().contains("do not mention it"),
        "the asker asked not to be named"
    );
    // A forged submission of the admin's form by someone else is refused.
    let private = AdminMessage {
        to: Recipient::Asker,
        text: "Shall we talk this week? WOMBAT".into(),
    };
    let forged = app
        .driver
        .submit_view(S, &modal, admin_message_values(&private, true))
        .await;
    assert!(
        forged.body.contains("only the program's admins"),
        "{}",
        forged.body
    );
    settle(&app).await;
    assert!(
        !Value::from(app.fake.dms_to(J))
            .to_string()
            .contains("WOMBAT")
    );
    let r = app
        .driver
        .submit_view(ADMIN, &modal, admin_message_values(&private, true))
        .await;
    assert_eq!(r.body, "");
    settle(&app).await;
    let to_j = text_of(app.fake.dms_to(J).last().unwrap());
    assert!(
        to_j.contains("A message from the program team") && to_j.contains("WOMBAT"),
        "{to_j}"
    );
    assert!(
        !Value::from(app.fake.messages_in(&group(&app)))
            .to_string()
            .contains("WOMBAT")
    );
    assert!(
        !Value::from(app.fake.dms_to(S))
            .to_string()
            .contains("WOMBAT")
    );
    let rows = audit_rows(&app, "message_pair").await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].0.as_str(), rows[0].1.as_deref()), (ADMIN, Some(J)));
    assert!(
        !rows[0].3.contains("WOMBAT"),
        "the audit log never holds the message"
    );

    // Message them, to both in their group DM.
    press_alert(&app, ADMIN, &alert, &admin_dm, "trouble_message").await;
    let modal = app.fake.last_modal_for(ADMIN).unwrap();
    let both = AdminMessage {
        to: Recipient::Pair,
        text: "Hello both, how is it going? KOALA".into(),
    };
    app.driver
        .submit_view(ADMIN, &modal, admin_message_values(&both, true))
        .await;
    settle(&app).await;
    let last = text_of(app.fake.messages_in(&group(&app)).last().unwrap());
    assert!(
        last.contains("KOALA") && last.contains("program team"),
        "{last}"
    );
    assert_eq!(audit_rows(&app, "message_pair").await.len(), 2);

    // End the pair kindly: once.
    press_alert(&app, ADMIN, &alert, &admin_dm, "trouble_end").await;
    assert_eq!(status(&app).await, PairStatus::Ended);
    assert_eq!(due(&app, "checkin").await, None, "its check-ins stop");
    for (me, other) in [(J, S), (S, J)] {
        let notes: Vec<String> = app
            .fake
            .dms_to(me)
            .iter()
            .map(text_of)
            .filter(|t| t.contains("The program team has ended your Tandem pairing"))
            .collect();
        assert_eq!(notes.len(), 1, "{me}");
        assert!(notes[0].contains(&format!("<@{other}>")) && notes[0].contains("not a judgement"));
        for word in ["help", "QUOKKA", "reason", "partner"] {
            assert!(!notes[0].contains(word), "{word}: {}", notes[0]);
        }
    }
    let rows = audit_rows(&app, "end_pair").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].0.as_str(),
            rows[0].1.as_deref(),
            rows[0].2.as_deref()
        ),
        (ADMIN, Some(J), Some(S))
    );
    // (The end-of-cohort report for this one-pair round may come before or after the admin's confirmation.)
    assert!(
        app.fake
            .dms_to(ADMIN)
            .iter()
            .any(|m| text_of(m).contains("has ended"))
    );

    // A second press (by either admin, on either button) changes nothing and records nothing.
    let notes_to_j = app.fake.dms_to(J).len();
    press_alert(&app, ADMIN, &alert, &admin_dm, "trouble_end").await;
    let admin2_dm = app.fake.dm_channel_of(ADMIN2).unwrap();
    let alert2 = alerts(&app, ADMIN2).pop().unwrap();
    press_alert(&app, ADMIN2, &alert2, &admin2_dm, "trouble_rematch").await;
    assert_eq!(audit_rows(&app, "end_pair").await.len(), 1);
    assert!(audit_rows(&app, "rematch").await.is_empty());
    assert_eq!(app.fake.dms_to(J).len(), notes_to_j);
    assert!(
        app.fake
            .dms_to(ADMIN2)
            .iter()
            .any(|m| text_of(m).contains("already ended"))
    );
    let audit = app.driver.command(ADMIN, "audit").await.body;
    assert!(
        audit.contains("ended a pair") && audit.contains("messaged a pair"),
        "{audit}"
    );
}

#[tokio::test]
async fn rematch_puts_both_forward_and_never_pairs_them_again() {
    let (app, clock) = paired().await;
    let checkin = first_checkin_with_a_meeting(&app, &clock).await;
    ask_for_help(&app, &checkin, true).await;
    let alert = alerts(&app, ADMIN).pop().unwrap();
    assert!(alert["blocks"].to_string().contains("may be told"));
    app.driver.command(S, "pause").await;
    settle(&app).await;
    let admin_dm = app.fake.dm_channel_of(ADMIN).unwrap();
    press_alert(&app, ADMIN, &alert, &admin_dm, "trouble_rematch").await;
    assert_eq!(status(&app).await, PairStatus::Ended);
    assert!(
        !app.app()
            .store()
            .participant(S)
            .await
            .unwrap()
            .unwrap()
            .paused,
        "re-matching lifts the pause"
    );
    for who in [J, S] {
        let last = text_of(app.fake.dms_to(who).last().unwrap());
        assert!(last.contains("next matching round"), "{last}");
    }
    let rows = audit_rows(&app, "rematch").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].3.contains("help request"), "{}", rows[0].3);

    // The next round: both are considered, and the junior gets someone new, never S again.
    joined(&app, S2, &senior_answers()).await;
    assert_eq!(approve_round(&app, ADMIN).await, 1);
    let current: Vec<(String, String)> =
        tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
            "SELECT junior_id, senior_id FROM pairs WHERE status IN ('active', 'at_risk')",
        )
        .fetch_all(p)
        .await)
        .unwrap();
    assert_eq!(current, vec![(J.to_string(), S2.to_string())]);
}

#[tokio::test]
async fn an_at_risk_pair_gets_one_alert_and_two_nudges_in_place_of_check_ins_then_only_check_ins() {
    let (app, clock) = paired().await;
    let mut seen = Vec::new();
    for _ in 0..7 {
        let got = next_checkin_time(&app, &clock).await;
        assert_eq!(
            got.len(),
            1,
            "one message at a time, never a check-in and a nudge: {got:?}"
        );
        seen.push(if is_checkin(&got[0]) {
            "check-in"
        } else if is_nudge(&got[0]) {
            "nudge"
        } else {
            panic!("unexpected {}", got[0])
        });
        if is_nudge(&got[0]) {
            let all = got[0]["blocks"].to_string();
            assert!(
                all.contains("first meeting"),
                "a pair that never met: {all}"
            );
            assert!(!all.contains("paused for a while"));
        }
    }
    assert_eq!(
        seen,
        vec![
            "check-in", "check-in", "nudge", "check-in", "nudge", "check-in", "check-in"
        ]
    );
    let nudges: Vec<String> = app
        .fake
        .messages_in(&group(&app))
        .iter()
        .filter(|m| is_nudge(m))
        .map(|m| m["blocks"].to_string())
        .collect();
    assert!(nudges[0].contains("You haven't had your first meeting yet"));
    assert!(nudges[1].contains("program team knows"));
    assert_eq!(status(&app).await, PairStatus::AtRisk);
    for admin in [ADMIN, ADMIN2] {
        let a = alerts(&app, admin);
        assert_eq!(a.len(), 1, "one alert per at-risk stretch for {admin}");
        let all = a[0]["blocks"].to_string();
        assert!(
            all.contains("is at risk") && all.contains("not had a first meeting"),
            "{all}"
        );
        assert!(
            all.contains(&format!("<@{J}> (reverse mentor)")) && all.contains("no meetings so far")
        );
        let end = &button(&a[0]["blocks"], "trouble_end")["confirm"]["text"]["text"];
        assert!(
            end.as_str().unwrap().contains("Jun Iper and Sen Ator"),
            "names in the dialog: {end}"
        );
        assert_eq!(
            button(&a[0]["blocks"], "trouble_rematch")["value"],
            pair_id(&app).await.to_string()
        );
        assert!(button(&a[0]["blocks"], "trouble_end")["confirm"].is_object());
    }
}

#[tokio::test]
async fn a_pair_that_stopped_meeting_is_nudged_as_such_and_a_meeting_ends_the_stretch() {
    let (app, clock) = paired().await;
    first_checkin_with_a_meeting(&app, &clock).await;
    next_checkin_time(&app, &clock).await;
    next_checkin_time(&app, &clock).await;
    let got = next_checkin_time(&app, &clock).await;
    assert_eq!(got.len(), 1);
    assert!(is_nudge(&got[0]));
    let nudge = got[0]["blocks"].to_string();
    assert!(
        nudge.contains("paused for a while") && !nudge.contains("first meeting"),
        "{nudge}"
    );
    let a = alerts(&app, ADMIN);
    assert_eq!(a.len(), 1);
    let all = a[0]["blocks"].to_string();
    assert!(
        all.contains("stopped meeting") && all.contains("1 meeting so far"),
        "{all}"
    );

    // They meet again: the stretch ends. Two more quiet check-ins make a new stretch, with its own alert.
    let got = next_checkin_time(&app, &clock).await;
    let m = got.iter().find(|m| is_checkin(m)).unwrap().clone();
    app.driver
        .click(
            J,
            "checkin_met",
            &button_value(&m["blocks"], "checkin_met"),
            Some((&group(&app), m["ts"].as_str().unwrap())),
        )
        .await;
    let modal = app.fake.last_modal_for(J).unwrap();
    app.driver
        .submit_view(
            J,
            &modal,
            met_values(&MetAnswer {
                minutes: 45,
                covered: None,
                usefulness: 5,
            }),
        )
        .await;
    settle(&app).await;
    assert_eq!(status(&app).await, PairStatus::Active);
    assert!(is_checkin(&next_checkin_time(&app, &clock).await[0]));
    assert!(is_checkin(&next_checkin_time(&app, &clock).await[0]));
    let got = next_checkin_time(&app, &clock).await;
    assert!(is_nudge(&got[0]), "a new stretch: {got:?}");
    assert!(got[0]["blocks"].to_string().contains("paused for a while"));
    assert_eq!(alerts(&app, ADMIN).len(), 2, "one alert per stretch");
}

#[tokio::test]
async fn a_check_in_never_follows_a_nudge_within_the_hour() {
    let (app, clock) = paired().await;
    next_checkin_time(&app, &clock).await;
    next_checkin_time(&app, &clock).await;
    let got = next_checkin_time(&app, &clock).await;
    assert!(is_nudge(&got[0]) && got.len() == 1);
    let nudged = clock.now();
    // Something brings the next check-in forward to ten minutes after the nudge (saving a plan can: the next
    // check-in is counted from the last one, which the nudge replaced).
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query(
        "UPDATE jobs SET due_at = $1 WHERE kind = 'checkin' AND state = 'pending'"
    )
    .bind((nudged + Duration::minutes(10)).timestamp())
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    let got = next_checkin_time(&app, &clock).await;
    assert!(
        got.is_empty(),
        "no check-in ten minutes after a nudge: {got:?}"
    );
    assert_eq!(
        due(&app, "checkin").await,
        Some(nudged + Duration::hours(1)),
        "moved to an hour after it"
    );
    let got = next_checkin_time(&app, &clock).await;
    assert_eq!(got.len(), 1);
    assert!(is_checkin(&got[0]));
    assert!(clock.now() - nudged >= Duration::hours(1));
}

#[tokio::test]
async fn pausing_tells_the_other_person_and_pauses_the_pairs_check_ins_until_they_resume() {
    let (app, clock) = paired().await;
    let reply = app.driver.command(S, "pause").await.body;
    assert!(
        reply.contains("check-ins are paused too") && reply.contains(&format!("<@{J}>")),
        "{reply}"
    );
    settle(&app).await;
    let note = text_of(app.fake.messages_in(&group(&app)).last().unwrap());
    assert!(
        note.contains(&format!("<@{S}>")) && note.contains("check-ins are paused"),
        "{note}"
    );
    assert!(!note.to_lowercase().contains("partner"));
    assert!(
        next_checkin_time(&app, &clock).await.is_empty(),
        "no check-in while paused"
    );
    assert!(next_checkin_time(&app, &clock).await.is_empty());

    let reply = app.driver.command(S, "resume").await.body;
    assert!(reply.contains("check-ins start again"), "{reply}");
    settle(&app).await;
    let note = text_of(app.fake.messages_in(&group(&app)).last().unwrap());
    assert!(
        note.contains("is back") && note.contains(&format!("<@{S}>")),
        "{note}"
    );
    let got = next_checkin_time(&app, &clock).await;
    assert_eq!(got.len(), 1);
    assert!(is_checkin(&got[0]), "check-ins resume: {got:?}");

    // A pause with an end date says until when.
    app.driver.command(J, "pause 2").await;
    settle(&app).await;
    let note = text_of(app.fake.messages_in(&group(&app)).last().unwrap());
    assert!(
        note.contains(&format!("<@{J}>")) && note.contains("until <!date^"),
        "{note}"
    );
}

#[tokio::test]
async fn the_closing_does_not_thank_a_pair_that_never_met() {
    let (app, clock) = paired().await;
    queue_job(
        &app,
        "closing",
        Some(pair_id(&app).await),
        clock.now().timestamp(),
    )
    .await;
    run_jobs(&app).await;
    let last = app.fake.messages_in(&group(&app)).pop().unwrap();
    let all = format!("{}{}", text_of(&last), last["blocks"]);
    assert!(all.contains("Your Tandem plan ends today"));
    assert!(
        !all.contains("Thank you both") && !all.contains("time and openness"),
        "{all}"
    );
    assert!(all.contains("did not get to meet"));
    assert_eq!(status(&app).await, PairStatus::Completed);
}
