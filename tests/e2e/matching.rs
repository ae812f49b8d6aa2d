//! Issue 4: the admin's matching round through the fake Slack: proposal, approve, discard, stale, one at a time,
//! exclusions, capacity, non-admins refused, and the offline dry run over the live database.

use crate::common::*;
use serde_json::Value;
use tandem::domain::matching::Role;

const ADMIN: &str = "U0ADMIN";
const J1: &str = "U0JUNIOR1";
const J2: &str = "U0JUNIOR2";
const S1: &str = "U0SENIOR1";
const S2: &str = "U0SENIOR2";

async fn program() -> TestApp {
    let app = spawn_with(|o| o.admins = vec![ADMIN.to_string()]).await;
    for (id, name, tz) in [
        (ADMIN, "Ada Admin", "Europe/London"),
        (J1, "Jun One", "Europe/London"),
        (J2, "Jun Two", "America/New_York"),
        (S1, "Sen One", "Europe/London"),
        (S2, "Sen Two", "Europe/Berlin"),
    ] {
        app.fake.add_user(id, name, tz);
    }
    // J1 fits S1 best (AI drafting <-> negotiation), J2 fits S2 (e-discovery <-> client management).
    joined(
        &app,
        J1,
        &answers(Role::Associate, 3, &["ai_drafting"], &["negotiation"]),
    )
    .await;
    joined(
        &app,
        J2,
        &answers(
            Role::JuniorAssociate,
            1,
            &["ediscovery"],
            &["client_management"],
        ),
    )
    .await;
    joined(
        &app,
        S1,
        &answers(Role::Partner, 25, &["negotiation"], &["ai_drafting"]),
    )
    .await;
    joined(
        &app,
        S2,
        &answers(Role::Partner, 20, &["client_management"], &["ediscovery"]),
    )
    .await;
    app
}

/// The latest proposal DM sent to the admin: (channel, ts, blocks).
fn proposal_message(app: &TestApp) -> (String, String, Value) {
    let call = app
        .fake
        .ok_calls_to("chat.postMessage")
        .into_iter()
        .rev()
        .find(|c| {
            c.body["channel"] == ADMIN
                && c.body["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Matching proposal"))
        })
        .expect("a proposal DM to the admin");
    let channel = app.fake.dm_channel_of(ADMIN).expect("the admin's DM");
    let answer = app.fake.messages_in(&channel);
    let ts = answer
        .last()
        .and_then(|m| m["ts"].as_str())
        .unwrap_or_default()
        .to_string();
    (channel, ts, call.body["blocks"].clone())
}

async fn run_match(app: &TestApp) -> (String, String, Value) {
    let r = app.driver.command(ADMIN, "match").await.json();
    assert!(
        r["text"]
            .as_str()
            .unwrap()
            .contains("Working out the best pairs"),
        "{r}"
    );
    settle(app).await;
    proposal_message(app)
}

async fn pairs(app: &TestApp) -> Vec<(String, String, String)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT junior_id, senior_id, status FROM pairs ORDER BY junior_id"
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

fn messages_to_participants(app: &TestApp) -> usize {
    app.fake
        .ok_calls_to("chat.postMessage")
        .iter()
        .filter(|c| {
            c.body["channel"] != ADMIN
                && !c.body["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Thank you for joining")
        })
        .count()
}

#[tokio::test]
async fn non_admins_are_politely_refused() {
    let app = program().await;
    for cmd in [
        "match",
        "exclude <@U0JUNIOR1> <@U0SENIOR1>",
        "capacity <@U0SENIOR1> 2",
    ] {
        let text = app.driver.command(J1, cmd).await.json()["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(text.contains("only the program's admins"), "{cmd}: {text}");
    }
    settle(&app).await;
    assert_eq!(count(&app, "proposals").await, 0);
    assert_eq!(count(&app, "exclusions").await, 0);
    assert!(
        !app.driver.command(J1, "help").await.json()["text"]
            .as_str()
            .unwrap()
            .contains("For program admins")
    );
    assert!(
        app.driver.command(ADMIN, "help").await.json()["text"]
            .as_str()
            .unwrap()
            .contains("/mentor match")
    );
}

#[tokio::test]
async fn the_admin_reviews_the_proposal_before_anyone_is_introduced_then_approves_once() {
    let app = program().await;
    let (channel, ts, blocks) = run_match(&app).await;
    let text = blocks.to_string();
    assert!(
        text.contains(&format!("<@{J1}> ↔ <@{S1}>"))
            && text.contains(&format!("<@{J2}> ↔ <@{S2}>")),
        "{text}"
    );
    assert!(text.contains("*2 pairs* proposed from 4 people"));
    assert!(text.contains("AI-assisted drafting") && text.contains("Negotiation"));
    assert_eq!(
        messages_to_participants(&app),
        0,
        "nothing reaches participants before approval"
    );
    assert!(pairs(&app).await.is_empty());

    let id = button_value(&blocks, "proposal_approve");
    let r = app
        .driver
        .click(J1, "proposal_approve", &id, Some((&channel, &ts)))
        .await;
    assert_eq!(r.status, 200);
    settle(&app).await;
    assert!(
        pairs(&app).await.is_empty(),
        "a non-admin's press approves nothing"
    );

    app.driver
        .click(ADMIN, "proposal_approve", &id, Some((&channel, &ts)))
        .await;
    settle(&app).await;
    let made = pairs(&app).await;
    assert_eq!(
        made,
        vec![
            (J1.into(), S1.into(), "active".into()),
            (J2.into(), S2.into(), "active".into())
        ]
    );
    let updated = app.fake.ok_calls_to("chat.update");
    assert!(
        updated.last().unwrap().body["text"]
            .as_str()
            .unwrap()
            .contains("Approved by <@U0ADMIN>: 2 pairs")
    );

    app.driver
        .click(ADMIN, "proposal_approve", &id, Some((&channel, &ts)))
        .await;
    settle(&app).await;
    assert_eq!(
        pairs(&app).await.len(),
        2,
        "a second press has no second effect"
    );
    assert!(
        app.driver.command(J1, "status").await.json()["text"]
            .as_str()
            .unwrap()
            .contains("paired* with <@U0SENIOR1>")
    );
}

#[tokio::test]
async fn discard_introduces_nobody_and_frees_the_next_round() {
    let app = program().await;
    let (channel, ts, blocks) = run_match(&app).await;
    let again = app.driver.command(ADMIN, "match").await.json();
    assert!(
        again["text"]
            .as_str()
            .unwrap()
            .contains("still waiting for review"),
        "one open proposal at a time"
    );
    app.driver
        .click(
            ADMIN,
            "proposal_discard",
            &button_value(&blocks, "proposal_discard"),
            Some((&channel, &ts)),
        )
        .await;
    settle(&app).await;
    assert!(pairs(&app).await.is_empty());
    assert!(
        app.fake.ok_calls_to("chat.update").last().unwrap().body["text"]
            .as_str()
            .unwrap()
            .contains("discarded")
    );
    let (_, _, fresh) = run_match(&app).await;
    assert_ne!(
        button_value(&fresh, "proposal_approve"),
        button_value(&blocks, "proposal_approve")
    );
}

#[tokio::test]
async fn a_stale_proposal_is_rechecked_and_replaced_instead_of_approved() {
    let app = program().await;
    let (channel, ts, blocks) = run_match(&app).await;
    app.driver.command(J1, "pause").await;
    app.driver
        .click(
            ADMIN,
            "proposal_approve",
            &button_value(&blocks, "proposal_approve"),
            Some((&channel, &ts)),
        )
        .await;
    settle(&app).await;
    assert!(
        pairs(&app).await.is_empty(),
        "nothing approved from a stale proposal"
    );
    let update = app.fake.ok_calls_to("chat.update").last().unwrap().body["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        update.contains("went stale") && update.contains("<@U0JUNIOR1> paused"),
        "{update}"
    );
    let (_, _, fresh) = proposal_message(&app);
    let text = fresh.to_string();
    assert!(
        text.contains(&format!("<@{J2}> ↔ <@{S2}>")) && !text.contains(&format!("<@{J1}> ↔")),
        "{text}"
    );
    assert!(text.contains("<@U0JUNIOR1>: paused"));
}

#[tokio::test]
async fn exclusions_and_capacity_shape_the_proposal() {
    let app = program().await;
    let r = app
        .driver
        .command(ADMIN, &format!("exclude <@{J1}|jun> <@{S1}|sen>"))
        .await
        .json();
    assert!(r["text"].as_str().unwrap().contains("will never be paired"));
    let r = app
        .driver
        .command(ADMIN, &format!("capacity <@{S2}> 2"))
        .await
        .json();
    assert!(
        r["text"].as_str().unwrap().contains("2 reverse mentors"),
        "{r}"
    );
    let (_, _, blocks) = run_match(&app).await;
    let text = blocks.to_string();
    assert!(
        !text.contains(&format!("<@{J1}> ↔ <@{S1}>")),
        "an excluded pair is never proposed"
    );
    assert!(text.contains(&format!("<@{J2}> ↔ <@{S2}>")));
    let r = app
        .driver
        .command(ADMIN, "capacity <@U0NOBODY> 2")
        .await
        .json();
    assert!(r["text"].as_str().unwrap().contains("has not joined"));
}

#[tokio::test]
async fn people_already_paired_are_not_matched_again() {
    let app = program().await;
    let (channel, ts, blocks) = run_match(&app).await;
    app.driver
        .click(
            ADMIN,
            "proposal_approve",
            &button_value(&blocks, "proposal_approve"),
            Some((&channel, &ts)),
        )
        .await;
    settle(&app).await;
    let (_, _, next) = run_match(&app).await;
    assert!(
        next.to_string()
            .contains("*0 pairs* proposed from 0 people"),
        "{next}"
    );
}

#[tokio::test]
async fn tandem_match_from_db_is_a_dry_run_over_the_live_database() {
    let app = program().await;
    let db = app.db_url();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["match", "--from-db"])
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("Jun One") && table.contains("Sen One"),
        "stored Slack names are used: {table}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 participants, 2 pairs"));
    assert_eq!(
        count(&app, "proposals").await,
        0,
        "a dry run stores nothing"
    );
    assert!(pairs(&app).await.is_empty());
}
