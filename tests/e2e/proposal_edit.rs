//! Issue 12.5: a proposal admins can edit. *Remove* re-matches the rest without that pair (this round only) and
//! the review message shows the new version; Approve approves only the current version; pairs best first with the
//! score in words; `/mentor exclusions`, `unexclude`, and `exclude @a @b | @c @d` (ethical walls), audited.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use tandem::domain::matching::Role;

const ADMIN: &str = "U0ADMIN";
// The "A" pair scores lower than the "B" pair and sorts first by ID and by join order: the review lists B first.
const JA: &str = "U0JUNA";
const JB: &str = "U0JUNB";
const SA: &str = "U0SENA";
const SB: &str = "U0SENB";

/// Every cross pair is allowed: JB–SB scores best (two skills each way), then JA–SA, JA–SB and JB–SA (one each).
/// With JB–SB removed, the best is JB–SA and JA–SB: the two removed are matched with others, not with each other.
async fn program() -> TestApp {
    let app = spawn_with(|o| {
        o.admins = vec![ADMIN.to_string()];
        o.app.worker = tandem::startup::WorkerMode::Manual;
    })
    .await;
    for (id, name) in [
        (ADMIN, "Ada Admin"),
        (JA, "Jun A"),
        (JB, "Jun B"),
        (SA, "Sen A"),
        (SB, "Sen B"),
    ] {
        app.fake.add_user(id, name, "Europe/London");
    }
    joined(
        &app,
        JA,
        &answers(Role::Associate, 3, &["ediscovery"], &["client_management"]),
    )
    .await;
    joined(
        &app,
        SA,
        &answers(Role::Partner, 25, &["client_management"], &["ediscovery"]),
    )
    .await;
    joined(
        &app,
        JB,
        &answers(
            Role::Associate,
            2,
            &["ai_drafting", "ediscovery"],
            &["negotiation", "client_management"],
        ),
    )
    .await;
    joined(
        &app,
        SB,
        &answers(
            Role::Partner,
            22,
            &["negotiation", "client_management"],
            &["ai_drafting", "ediscovery"],
        ),
    )
    .await;
    app
}

/// The review message as Slack holds it now (after any `chat.update`): (channel, ts, blocks).
fn review(app: &TestApp) -> (String, String, Value) {
    let channel = app.fake.dm_channel_of(ADMIN).expect("the admin's DM");
    let message = app
        .fake
        .messages_in(&channel)
        .into_iter()
        .rev()
        .find(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains("roposal") || t.starts_with("Approved"))
        })
        .expect("a review message");
    let ts = message["ts"].as_str().unwrap_or_default().to_string();
    (channel, ts, message["blocks"].clone())
}

/// The pairs shown with a *Remove* button, in the order shown: (junior, senior, button value).
fn shown_pairs(blocks: &Value) -> Vec<(String, String, String)> {
    blocks
        .as_array()
        .expect("blocks")
        .iter()
        .filter(|b| b["accessory"]["action_id"] == "proposal_remove")
        .map(|b| {
            let value = b["accessory"]["value"].as_str().unwrap().to_string();
            let parts: Vec<&str> = value.split(':').collect();
            (parts[2].to_string(), parts[3].to_string(), value)
        })
        .collect()
}

fn pair_set(blocks: &Value) -> BTreeSet<(String, String)> {
    shown_pairs(blocks)
        .into_iter()
        .map(|(j, s, _)| (j, s))
        .collect()
}

fn set(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(j, s)| (j.to_string(), s.to_string()))
        .collect()
}

async fn pairs_made(app: &TestApp) -> BTreeSet<(String, String)> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as::<
        _,
        (String, String),
    >(
        "SELECT junior_id, senior_id FROM pairs"
    )
    .fetch_all(p)
    .await)
    .unwrap()
    .into_iter()
    .collect()
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

/// The text of the latest ephemeral answer to a button press.
fn last_response(app: &TestApp) -> String {
    app.fake
        .responses()
        .last()
        .and_then(|r| r["text"].as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn press(app: &TestApp, action: &str, value: &str) {
    let (channel, ts, _) = review(app);
    let r = app
        .driver
        .click(ADMIN, action, value, Some((&channel, &ts)))
        .await;
    assert_eq!(r.status, 200);
    app.app().background_idle().await;
}

#[tokio::test]
async fn removing_a_pair_rematches_the_rest_and_only_the_current_version_can_be_approved() {
    let app = program().await;
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    let (_, _, v1) = review(&app);

    // Best first (not join or ID order), the score in words, no jargon.
    let order: Vec<(String, String)> = shown_pairs(&v1)
        .into_iter()
        .map(|(j, s, _)| (j, s))
        .collect();
    assert_eq!(
        order,
        vec![
            (JB.to_string(), SB.to_string()),
            (JA.to_string(), SA.to_string())
        ],
        "{v1}"
    );
    let text = v1.to_string();
    assert!(
        text.contains("each can teach the other 2 skills · same time zone · same cadence"),
        "{text}"
    );
    assert!(text.contains("each can teach the other 1 skill · same time zone"));
    for jargon in ["balance", "overlap", "cross-group"] {
        assert!(!text.contains(jargon), "{jargon}: {text}");
    }
    let approve_v1 = button_value(&v1, "proposal_approve");
    let id = approve_v1.split(':').next().unwrap().to_string();
    assert_eq!(approve_v1, format!("{id}:1"));
    let remove_b = shown_pairs(&v1)[0].2.clone();

    // Remove JB–SB: recorded and audited at once; the re-match runs as a job.
    press(&app, "proposal_remove", &remove_b).await;
    let removed = audit_rows(&app, "remove_pair").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(
        (
            removed[0].0.as_str(),
            removed[0].1.as_deref(),
            removed[0].2.as_deref()
        ),
        (ADMIN, Some(JB), Some(SB))
    );
    assert!(
        removed[0].3.contains(&format!("proposal #{id}")),
        "{removed:?}"
    );

    // Approve on the old version while the rest is re-matched: refused, with a clear message.
    press(&app, "proposal_approve", &approve_v1).await;
    let said = last_response(&app);
    assert!(
        said.contains("Nothing was approved") && said.contains("being re-matched"),
        "{said}"
    );
    // A second Remove on the same version before the new one shows: refused too.
    press(&app, "proposal_remove", &shown_pairs(&v1)[1].2).await;
    assert!(
        last_response(&app).contains("being re-matched"),
        "{}",
        last_response(&app)
    );
    assert_eq!(audit_rows(&app, "remove_pair").await.len(), 1);

    settle(&app).await;
    assert!(pairs_made(&app).await.is_empty(), "nothing approved so far");
    assert_eq!(
        count(&app, "exclusions").await,
        0,
        "a removal is not a lasting exclusion"
    );

    // The review message now shows version 2: the removed two matched with others, never with each other.
    let (_, _, v2) = review(&app);
    let text = v2.to_string();
    assert!(
        text.contains(&format!("Matching proposal #{id} · version 2")),
        "{text}"
    );
    assert!(
        text.contains("Removed from this round") && text.contains(&format!("<@{JB}> ↔ <@{SB}>"))
    );
    assert_eq!(pair_set(&v2), set(&[(JB, SA), (JA, SB)]), "{text}");
    assert!(
        app.fake
            .calls_to("chat.update")
            .iter()
            .all(|c| c.error.is_none()),
        "every update of the review message was accepted"
    );
    let approve_v2 = button_value(&v2, "proposal_approve");
    assert_eq!(approve_v2, format!("{id}:2"));

    // A stale press on version 1 (Approve or Remove) changes nothing and says why.
    press(&app, "proposal_approve", &approve_v1).await;
    let said = last_response(&app);
    assert!(
        said.contains("version 1") && said.contains("version 2 has replaced it"),
        "{said}"
    );
    press(&app, "proposal_remove", &remove_b).await;
    assert!(
        last_response(&app).contains("Nothing was removed"),
        "{}",
        last_response(&app)
    );
    settle(&app).await;
    assert!(pairs_made(&app).await.is_empty());
    assert_eq!(audit_rows(&app, "approve").await.len(), 0);

    // Approving version 2 introduces exactly its pairs.
    press(&app, "proposal_approve", &approve_v2).await;
    settle(&app).await;
    assert_eq!(pairs_made(&app).await, set(&[(JB, SA), (JA, SB)]));
    let (_, _, after) = review(&app);
    assert!(
        after
            .to_string()
            .contains("Approved by <@U0ADMIN>: 2 pairs"),
        "{after}"
    );
    assert!(app.fake.messages_in_group(JB, SA).is_some(), "introduced");
    assert!(app.fake.messages_in_group(JB, SB).is_none());
    // A second press on the approved version: nothing more, and it says so.
    press(&app, "proposal_approve", &approve_v2).await;
    assert!(
        last_response(&app).contains("already approved"),
        "{}",
        last_response(&app)
    );
    settle(&app).await;
    assert_eq!(pairs_made(&app).await.len(), 2);
}

#[tokio::test]
async fn a_removal_lasts_for_its_round_only_and_a_rematch_can_be_discarded() {
    let app = program().await;
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    let (_, _, v1) = review(&app);
    press(&app, "proposal_remove", &shown_pairs(&v1)[0].2).await;
    // Discard while it is re-matched: the round ends there.
    press(
        &app,
        "proposal_discard",
        &button_value(&v1, "proposal_discard"),
    )
    .await;
    settle(&app).await;
    let (_, _, gone) = review(&app);
    assert!(gone.to_string().contains("discarded"), "{gone}");
    assert_eq!(
        tandem::on_db!(app.app().store().pool(), |p| {
            sqlx::query_scalar::<_, String>("SELECT status FROM proposals")
                .fetch_one(p)
                .await
        })
        .unwrap(),
        "discarded"
    );

    // The next round may pair JB and SB again: the removal belonged to the discarded round.
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    let (_, _, next) = review(&app);
    assert!(
        pair_set(&next).contains(&(JB.to_string(), SB.to_string())),
        "{next}"
    );
    assert!(!next.to_string().contains("Removed from this round"));
}

#[tokio::test]
async fn a_firm_sized_proposal_renders_and_updates_within_slacks_limits() {
    let app = program().await;
    // 40 more pairs planted straight in the store (the survey is tested elsewhere): 42 pairs in all.
    let now = app.app().now();
    let mut tx = app.app().store().write().await.unwrap();
    for i in 0..40 {
        tx.save_answers(
            &format!("U1J{i:04}"),
            &answers(Role::Associate, 2, &["social_media"], &["networking"]),
            now,
        )
        .await
        .unwrap();
        tx.save_answers(
            &format!("U1S{i:04}"),
            &answers(Role::Partner, 20, &["networking"], &["social_media"]),
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    let (_, _, v1) = review(&app);
    assert!(v1.to_string().contains("*42 pairs*"), "{v1}");
    let blocks = v1.as_array().unwrap().len();
    assert!(blocks <= 50, "{blocks} blocks");
    let shown = shown_pairs(&v1);
    assert_eq!(shown.len(), 30, "the first 30 pairs have a Remove button");
    assert_eq!(
        (shown[0].0.as_str(), shown[0].1.as_str()),
        (JB, SB),
        "best first"
    );
    assert!(v1.to_string().contains("have no *Remove* button"));

    let (j, s) = (shown[5].0.clone(), shown[5].1.clone());
    press(&app, "proposal_remove", &shown[5].2).await;
    settle(&app).await;
    let (_, _, v2) = review(&app);
    let text = v2.to_string();
    assert!(text.contains("Matching proposal #1 · version 2"));
    // Everyone else fits anyone on the other side: the two removed are re-matched with others, so 42 pairs still.
    assert!(text.contains("*42 pairs*"));
    assert!(!text.contains(&format!("<@{j}> ↔ <@{s}> · score")));
    assert!(
        text.contains(&format!("<@{j}> ↔ <@U1S")) && text.contains(&format!("↔ <@{s}> · score"))
    );
    assert!(v2.as_array().unwrap().len() <= 50);
    assert!(
        app.fake
            .calls_to("chat.update")
            .iter()
            .all(|c| c.error.is_none()),
        "Slack (the fake, as strict) accepted every update"
    );
}

#[tokio::test]
async fn exclusions_are_listed_removed_and_walls_exclude_every_pair_across() {
    let app = program().await;
    let say = |r: tandem::sandbox::DriverResponse| {
        let v = r.json();
        assert_eq!(v["response_type"], "ephemeral", "{v}");
        v["text"].as_str().unwrap_or_default().to_string()
    };

    // Bad input: clear, private, and nothing written.
    for (args, expect) in [
        ("exclude", "Name the people"),
        (
            &format!("exclude <@{JA}|a> <@{JB}> <@{SA}>") as &str,
            "without a `|`",
        ),
        (
            &format!("exclude <@{JA}|a> | <@{SA}> <@{JA}|a>"),
            "is on both sides",
        ),
        (&format!("exclude <@{JA}> <@{JB}> |"), "each side"),
        (&format!("exclude @jun <@{SA}>"), "`@jun`"),
    ] {
        let text = say(app.driver.command(ADMIN, args).await);
        assert!(text.contains(expect), "{args}: {text}");
    }
    assert_eq!(count(&app, "exclusions").await, 0);
    assert!(audit_rows(&app, "exclude").await.is_empty());

    // One exclusion first, then a wall that includes it.
    let text = say(app
        .driver
        .command(ADMIN, &format!("exclude <@{JA}|jun.a> <@{SA}|sen.a>"))
        .await);
    assert!(text.contains("will never be paired"), "{text}");
    let text = say(app
        .driver
        .command(
            ADMIN,
            &format!("exclude <@{JA}|jun.a> <@{JB}> | <@{SA}|sen.a> <@{SB}|sen.b>"),
        )
        .await);
    assert!(
        text.contains("Ethical wall recorded")
            && text.contains("3 pairs excluded")
            && text.contains("1 pair already were"),
        "{text}"
    );
    let stored: BTreeSet<(String, String)> =
        tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
            "SELECT user_a, user_b FROM exclusions"
        )
        .fetch_all(p)
        .await)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(stored, set(&[(JA, SA), (JA, SB), (JB, SA), (JB, SB)]));
    let audited = audit_rows(&app, "exclude").await;
    assert_eq!(audited.len(), 4, "one row per pair newly excluded");
    assert!(audited.iter().all(|r| r.0 == ADMIN));
    assert_eq!(
        audited
            .iter()
            .filter(|r| r.3.contains("ethical wall: 2 | 2 people"))
            .count(),
        3
    );

    // An exclusion from before who-added-it was stored: the audit log says who.
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query(
        "INSERT INTO exclusions (user_a, user_b, created_at) VALUES ('U0OLDA', 'U0OLDB', 5)",
    )
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query("INSERT INTO audit_log (at, actor, action, subject, other) VALUES (5, 'U0FORMER', 'exclude', 'U0OLDB', 'U0OLDA')")
        .execute(p)
        .await
.map(|_| ()))
        .unwrap();

    // Admins list them: both people, who added it, when. Others may not.
    let listed = app.driver.command(ADMIN, "exclusions").await.json();
    assert_eq!(listed["response_type"], "ephemeral");
    let all = listed["blocks"].to_string();
    assert!(
        listed["text"].as_str().unwrap().starts_with("5 exclusions"),
        "{listed}"
    );
    for (a, b) in [(JA, SA), (JA, SB), (JB, SA), (JB, SB)] {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        assert!(
            all.contains(&format!("<@{a}> and <@{b}> — added by <@{ADMIN}>, <!date^")),
            "{a} {b}: {all}"
        );
    }
    assert!(
        all.contains("<@U0OLDA> and <@U0OLDB> — added by <@U0FORMER>"),
        "{all}"
    );
    assert!(all.contains("/mentor unexclude @a @b"));
    let refused = say(app.driver.command(JA, "exclusions").await);
    assert!(refused.contains("only the program's admins"), "{refused}");

    // Unexclude removes one (either order), audited; a second time says there was nothing.
    let text = say(app
        .driver
        .command(ADMIN, &format!("unexclude <@{SB}|sen.b> <@{JA}>"))
        .await);
    assert!(text.contains("may be paired again"), "{text}");
    let text = say(app
        .driver
        .command(ADMIN, &format!("unexclude <@{JA}> <@{SB}>"))
        .await);
    assert!(text.contains("nothing to remove"), "{text}");
    let un = audit_rows(&app, "unexclude").await;
    assert_eq!(un.len(), 1);
    assert_eq!(
        (un[0].1.as_deref(), un[0].2.as_deref()),
        (Some(SB), Some(JA))
    );
    let listed = app.driver.command(ADMIN, "exclusions").await.json();
    assert!(listed["text"].as_str().unwrap().starts_with("4 exclusions"));
    assert!(
        !listed["blocks"]
            .to_string()
            .contains(&format!("<@{JA}> and <@{SB}>"))
    );

    // Help lists the three to admins.
    let help = app.driver.command(ADMIN, "help").await.json()["text"]
        .as_str()
        .unwrap()
        .to_string();
    for usage in [
        "`/mentor exclude @a @b`",
        "`/mentor unexclude @a @b`",
        "`/mentor exclusions`",
    ] {
        assert!(help.contains(usage), "{usage}: {help}");
    }
    assert!(help.contains("@a @b | @c @d"), "{help}");

    // The wall holds in matching: JB may now only be paired with nobody (JA–SB is free again).
    app.driver.command(ADMIN, "match").await;
    settle(&app).await;
    let (_, _, proposal) = review(&app);
    assert_eq!(pair_set(&proposal), set(&[(JA, SB)]), "{proposal}");
}
