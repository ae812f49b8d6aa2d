//! Data protection: the audit log of admin actions (`/mentor audit`, `tandem audit`) and subject access
//! (`/mentor mydata`: a summary DM and a JSON file of everything Tandem holds about the person, nothing about the
//! partner beyond their name).

use crate::common::*;
use serde_json::Value;
use tandem::domain::forms::pair_forms::{Feedback, MetAnswer, Plan};
use tandem::domain::matching::Role;
use tandem::domain::model::CheckinAnswer;
use tandem::domain::schedule::Cadence;

const ADMIN: &str = "U0ADMIN";
const J: &str = "U0JUNE";
const S: &str = "U0SENA";

/// An admin, and a reverse mentor and a senior who have answered the survey (not yet paired).
async fn cohort() -> TestApp {
    let app = spawn_with(|o| o.admins = vec![ADMIN.to_string()]).await;
    app.fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    app.fake.add_user(J, "Jun Iper", "Europe/London");
    app.fake.add_user(S, "Sen Ator", "America/New_York");
    let j = answers(
        Role::Associate,
        3,
        &["ai_drafting", "ediscovery"],
        &["negotiation"],
    );
    let s = answers(
        Role::Partner,
        25,
        &["negotiation"],
        &["ai_drafting", "ediscovery"],
    );
    joined(&app, J, &j).await;
    joined(&app, S, &s).await;
    app
}

/// The audit log as stored: (action, actor, subject, other, detail), in order.
async fn audit_rows(
    app: &TestApp,
) -> Vec<(String, String, Option<String>, Option<String>, String)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT action, actor, subject, other, detail FROM audit_log ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

#[tokio::test]
async fn every_admin_action_is_audited_once_and_shown_to_admins_only() {
    let app = cohort().await;
    // A round discarded, then a round approved.
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    let channel = app.fake.dm_channel_of(ADMIN).expect("the admin's DM");
    let review = app.fake.messages_in(&channel).pop().expect("the proposal");
    let id = button_value(&review["blocks"], "proposal_discard");
    let ts = review["ts"].as_str().unwrap().to_string();
    app.driver
        .click(ADMIN, "proposal_discard", &id, Some((&channel, &ts)))
        .await;
    settle(&app).await;
    assert_eq!(approve_round(&app, ADMIN).await, 1);
    for cmd in [
        format!("exclude <@{J}> <@{ALICE}>"),
        format!("unexclude <@{ALICE}> <@{J}>"),
        format!("capacity <@{S}> 2"),
        "report".to_string(),
    ] {
        let r = app.driver.command(ADMIN, &cmd).await;
        assert_eq!(r.status, 200, "{cmd}");
    }
    // Refused and no-op commands leave no row.
    app.driver
        .command(J, &format!("exclude <@{S}> <@{ALICE}>"))
        .await;
    app.driver.command(J, "report").await;
    app.driver
        .command(ADMIN, &format!("unexclude <@{ALICE}> <@{BOB}>"))
        .await;

    let rows = audit_rows(&app).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "match",
            "discard",
            "match",
            "approve",
            "exclude",
            "unexclude",
            "capacity",
            "report"
        ],
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|r| r.1 == ADMIN),
        "every row names the admin: {rows:?}"
    );
    let (j, alice) = (Some(J.to_string()), Some(ALICE.to_string()));
    let exclude = &rows[4];
    assert!(
        (exclude.2 == j && exclude.3 == alice) || (exclude.2 == alice && exclude.3 == j),
        "{exclude:?}"
    );
    assert_eq!(rows[6].2.as_deref(), Some(S));
    assert_eq!(rows[6].4, "capacity 2");
    assert!(rows[1].4.starts_with("proposal #1"), "{:?}", rows[1]);
    assert!(rows[3].4.contains("1 pair"), "{:?}", rows[3]);
    assert_eq!((rows[7].2.as_deref(), rows[7].3.as_deref()), (None, None));

    // /mentor audit: admins only, ephemeral, every action listed.
    let refused = app.driver.command(J, "audit").await.json();
    assert!(
        refused["text"]
            .as_str()
            .unwrap()
            .contains("only the program's admins"),
        "{refused}"
    );
    let shown = app.driver.command(ADMIN, "audit").await.json();
    assert_eq!(shown["response_type"], "ephemeral");
    let text = shown["blocks"].to_string();
    for (label, n) in [
        ("started a matching round", 2),
        ("discarded a proposal", 1),
        ("approved a proposal", 1),
        ("excluded a pairing", 1),
        ("removed an exclusion", 1),
        ("set a capacity", 1),
        ("ran the report", 1),
    ] {
        assert_eq!(text.matches(label).count(), n, "{label} in {text}");
    }
    assert!(text.contains(&format!("<@{S}>")) && text.contains("capacity 2"));
    assert_eq!(
        audit_rows(&app).await.len(),
        8,
        "viewing the log adds nothing"
    );

    // tandem audit prints the same rows from the database.
    let db = app.db_url();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["audit", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("when") && lines[0].contains("on whom"),
        "{table}"
    );
    assert_eq!(lines.len(), 9, "a header and eight rows: {table}");
    assert!(lines[7].contains(ADMIN) && lines[7].contains("capacity") && lines[7].contains(S));
    let later = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["audit", "--since", "2999-01-01", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&later.stdout).contains("no admin actions"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["audit", "--since", "yesterday", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test]
async fn mydata_sends_a_summary_and_a_json_file_with_nothing_of_the_partner_but_the_name() {
    let app = cohort().await;
    assert_eq!(approve_round(&app, ADMIN).await, 1);
    settle(&app).await;
    let store = app.app().store();
    let pair = store.current_pair_of(J).await.unwrap().expect("paired").id;
    let now = app.app().now();
    let mut tx = store.write().await.unwrap();
    let plan = Plan {
        objective: "PLAN-OBJECTIVE: Relativity basics".into(),
        cadence: Cadence::Biweekly,
        end_date: chrono::NaiveDate::from_ymd_opt(2099, 6, 30).unwrap(),
        first_meeting: None,
    };
    tx.save_plan(pair, &plan, now).await.unwrap();
    let checkin = tx
        .checkin_for_job(999_999, pair, now - 86_400, now)
        .await
        .unwrap();
    let met = |covered: &str| MetAnswer {
        minutes: 45,
        covered: Some(covered.into()),
        usefulness: 4,
    };
    tx.record_answer(
        checkin.id,
        J,
        CheckinAnswer::Met,
        Some(&met("J-COVERED the review protocol")),
        now,
    )
    .await
    .unwrap();
    tx.record_answer(
        checkin.id,
        S,
        CheckinAnswer::Met,
        Some(&met("PARTNER-SECRET covered")),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for (who, learned, rating) in [
        (J, "J-LEARNED patience", 5),
        (S, "PARTNER-SECRET learned", 2),
    ] {
        let f = Feedback {
            rating,
            learned: Some(learned.into()),
            recommend: true,
        };
        assert!(store.record_feedback(pair, who, &f, now).await.unwrap());
    }

    let r = app.driver.command(J, "mydata").await.json();
    assert!(
        r["text"]
            .as_str()
            .unwrap()
            .contains("I'm sending you everything Tandem holds about you in a DM"),
        "{r}"
    );
    settle(&app).await;

    let dms = app.fake.dms_to(J);
    let summary = dms
        .iter()
        .find(|m| {
            m["text"]
                .as_str()
                .unwrap_or_default()
                .contains("Everything Tandem holds about you")
        })
        .expect("the summary DM")
        .to_string();
    for own in [
        "PLAN-OBJECTIVE",
        "J-COVERED",
        "J-LEARNED",
        "Sen Ator",
        "45 minutes",
    ] {
        assert!(summary.contains(own), "{own} in the summary: {summary}");
    }
    assert!(
        dms.iter().any(|m| m["files"].is_array()),
        "the JSON file is shared in the same DM"
    );
    let files: Vec<Value> = app
        .fake
        .uploaded_files()
        .into_iter()
        .filter_map(|(_, bytes)| serde_json::from_slice::<Value>(&bytes).ok())
        .collect();
    assert_eq!(files.len(), 1, "one JSON file");
    let doc = &files[0];
    assert_eq!(doc["user_id"], J);
    assert!(
        doc["profile"].get("note").is_none(),
        "the survey has no note any more"
    );
    assert_eq!(doc["profile"]["years_in_practice"], 3);
    assert_eq!(doc["profile"]["practice_group"], "Tax");
    assert_eq!(doc["pairs"][0]["pair_id"], pair);
    assert!(
        doc["profile"]["waiting_reason"].is_null(),
        "paired: no reason to wait"
    );
    assert_eq!(doc["pairs"][0]["partner"], "Sen Ator");
    assert_eq!(doc["pairs"][0]["side"], "reverse_mentor");
    assert_eq!(
        doc["pairs"][0]["plan"]["objective"],
        "PLAN-OBJECTIVE: Relativity basics"
    );
    assert_eq!(
        doc["checkin_answers"].as_array().unwrap().len(),
        1,
        "only their own answer"
    );
    assert_eq!(
        doc["checkin_answers"][0]["covered"],
        "J-COVERED the review protocol"
    );
    assert_eq!(
        doc["feedback"].as_array().unwrap().len(),
        1,
        "only their own feedback"
    );
    assert_eq!(doc["feedback"][0]["learned"], "J-LEARNED patience");
    assert!(
        doc["scheduled_messages"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "the pair's next check-in or closing is listed: {doc}"
    );
    let whole = doc.to_string();
    for theirs in ["PARTNER-SECRET", S] {
        assert!(!whole.contains(theirs), "{theirs} in the file: {whole}");
        assert!(
            !summary.contains(theirs),
            "{theirs} in the summary: {summary}"
        );
    }

    // Someone Tandem knows nothing about is told so at once; nothing is queued.
    let jobs = count(&app, "jobs").await;
    let r = app.driver.command(BOB, "mydata").await.json();
    assert!(
        r["text"]
            .as_str()
            .unwrap()
            .contains("holds nothing about you"),
        "{r}"
    );
    assert_eq!(count(&app, "jobs").await, jobs);
}
