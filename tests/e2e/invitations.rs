//! Issue 13, point 2: invitations to opt in. `/mentor invite #channel | @group` (admins) and `tandem invite --csv`
//! DM each person who has not joined with a Join button that opens the survey; nobody is enrolled by an invitation;
//! nobody is invited twice within 30 days.

use crate::common::*;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::Value;
use std::path::Path;
use tandem::cli::invite::{InviteOptions, InviteSummary};
use tandem::context::clock::Clock;
use tandem::domain::catalog::Catalog;
use tandem::domain::forms::survey_values::survey_values;
use tandem::domain::matching::Role;
use tandem::sandbox::{Fault, SANDBOX_BOT_TOKEN};

const ADMIN: &str = "U0ADMIN";
const CAROL: &str = "U0CAROL";
const DAN: &str = "U0DAN";
const ROBOT: &str = "U0ROBOT";
const CHANNEL: &str = "C0ASSOC";
const JOIN: &str = "invite_join";

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
        .unwrap()
        .to_utc()
}

/// An app with an admin, a manual clock, and a workspace of Alice (enrolled), Bob, Carol, Dan (deactivated) and a
/// bot, all in the public channel #associates.
async fn workspace() -> (TestApp, Clock) {
    let clock = Clock::manual(start());
    let c = clock.clone();
    let app = spawn_with(move |o| {
        o.admins = vec![ADMIN.to_string()];
        o.app.clock = c;
    })
    .await;
    let fake = &app.fake;
    fake.add_user(ADMIN, "Ada Admin", "Europe/London");
    fake.add_user(CAROL, "Carol Chen", "America/Chicago");
    fake.add_user(DAN, "Dan Doyle", "Europe/Dublin");
    fake.deactivate_user(DAN);
    fake.add_bot(ROBOT, "Docket Bot");
    fake.add_public_channel(CHANNEL, &[ALICE, BOB, CAROL, DAN, ROBOT]);
    joined(
        &app,
        ALICE,
        &answers(Role::Associate, 4, &["ai_drafting"], &["negotiation"]),
    )
    .await;
    (app, clock)
}

/// The reply's text (ephemeral JSON).
fn reply_text(r: &tandem::sandbox::DriverResponse) -> String {
    let body = r.json();
    assert_eq!(body["response_type"], "ephemeral", "{}", r.body);
    body["text"].as_str().unwrap_or_default().to_string()
}

async fn rows(app: &TestApp, sql: &str) -> Vec<String> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        sqlx::AssertSqlSafe(sql.to_string())
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn enrolled(app: &TestApp) -> Vec<String> {
    rows(app, "SELECT user_id FROM participants ORDER BY user_id").await
}

/// The invitation DMs each person has received: messages with a Join button.
fn invitations_to(app: &TestApp, user: &str) -> Vec<Value> {
    app.fake
        .dms_to(user)
        .into_iter()
        .filter(|m| m["blocks"].to_string().contains(JOIN))
        .collect()
}

/// When the pending invitation jobs are due, earliest first.
async fn invite_due(app: &TestApp) -> Vec<i64> {
    tandem::on_db!(app.app().store().pool(), |p| sqlx::query_scalar(
        "SELECT due_at FROM jobs WHERE kind = 'invite' AND state = 'pending' ORDER BY due_at",
    )
    .fetch_all(p)
    .await)
    .unwrap()
}

/// Delivers what a request or the command line queued, as time passes: runs what is due now (each invitation job
/// learns its invitee's zone and waits for their working slot, 10:00 local), then moves the clock to each slot in
/// turn until no invitation waits.
async fn deliver_invitations(app: &TestApp, clock: &Clock) {
    settle(app).await;
    while let Some(&due) = invite_due(app).await.first() {
        let due = DateTime::from_timestamp(due, 0).unwrap();
        assert!(due > clock.now(), "a due invitation did not run");
        clock.set(due);
        settle(app).await;
    }
}

/// `user` presses Join on the latest invitation in their DM.
async fn press_join(app: &TestApp, user: &str) {
    let dm = invitations_to(app, user).pop().expect("an invitation");
    let channel = app.fake.dm_channel_of(user).unwrap();
    let ts = dm["ts"].as_str().unwrap().to_string();
    let value = button_value(&dm["blocks"], JOIN);
    let r = app
        .driver
        .click(user, JOIN, &value, Some((&channel, &ts)))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_channel_invitation_dms_only_people_who_have_not_joined_with_a_join_button() {
    let (app, clock) = workspace().await;
    let r = app
        .driver
        .command(ADMIN, &format!("invite <#{CHANNEL}|associates>"))
        .await;
    let text = reply_text(&r);
    assert!(
        text.starts_with(&format!(
            "Inviting 4 people from <#{CHANNEL}>; 1 already enrolled."
        )),
        "{text}"
    );
    assert!(
        text.contains("nobody is enrolled unless they send it"),
        "{text}"
    );
    let lookup = app.fake.ok_calls_to("conversations.members");
    assert_eq!(lookup.len(), 1);
    assert_eq!(lookup[0].body["channel"], CHANNEL);
    assert_eq!(
        lookup[0].token.as_deref(),
        Some(SANDBOX_BOT_TOKEN),
        "read with the bot token"
    );
    assert_eq!(
        rows(&app, "SELECT user_id FROM invitations ORDER BY user_id").await,
        vec![BOB, CAROL, DAN, ROBOT]
    );
    assert_eq!(
        count(&app, "jobs WHERE kind = 'invite'").await,
        4,
        "the command only decides: the DMs go out through the outbox, one job each"
    );
    let audit = rows(
        &app,
        "SELECT actor || ' ' || action || ' ' || detail FROM audit_log",
    )
    .await;
    assert_eq!(
        audit,
        vec![format!(
            "{ADMIN} invite #associates: 4 invited, 1 already enrolled, 0 invited recently"
        )]
    );

    // Monday 2 March, 09:00 UTC: 04:00 in New York, 03:00 in Chicago. Each job learns its invitee's zone from
    // users.info and waits, as the same job, for 10:00 there; the bot and the deactivated account are noted at once.
    settle(&app).await;
    assert!(
        invitations_to(&app, BOB).is_empty() && invitations_to(&app, CAROL).is_empty(),
        "nobody is invited at 04:00"
    );
    let new_york_ten = DateTime::parse_from_rfc3339("2026-03-02T10:00:00-05:00").unwrap();
    let chicago_ten = DateTime::parse_from_rfc3339("2026-03-02T10:00:00-06:00").unwrap();
    assert_eq!(
        invite_due(&app).await,
        vec![new_york_ten.timestamp(), chicago_ten.timestamp()]
    );
    assert_eq!(
        count(&app, "jobs WHERE kind = 'invite'").await,
        4,
        "still one job per invitation"
    );
    deliver_invitations(&app, &clock).await;
    assert_eq!(
        count(
            &app,
            "deliveries WHERE job_id IN (SELECT id FROM jobs WHERE kind = 'invite')"
        )
        .await,
        2,
        "each DM was posted by its job"
    );
    let posted: Vec<(String, i64)> = tandem::on_db!(app.app().store().pool(), |p| sqlx::query_as(
        "SELECT channel, at FROM deliveries WHERE job_id IN (SELECT id FROM jobs WHERE kind = 'invite') ORDER BY at",
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(
        posted,
        vec![
            (
                app.fake.dm_channel_of(BOB).unwrap(),
                new_york_ten.timestamp()
            ),
            (
                app.fake.dm_channel_of(CAROL).unwrap(),
                chicago_ten.timestamp()
            )
        ],
        "each at 10:00 in their own zone"
    );
    for user in [BOB, CAROL] {
        let dms = invitations_to(&app, user);
        assert_eq!(dms.len(), 1, "{user}: {:?}", app.fake.dms_to(user));
        let text = dms[0]["text"].as_str().unwrap();
        assert!(
            text.contains("You are invited to Tandem") && text.contains(&format!("<@{ADMIN}>")),
            "{text}"
        );
    }
    assert!(
        invitations_to(&app, ALICE).is_empty(),
        "Alice has joined already"
    );
    assert!(
        app.fake.dms_to(DAN).is_empty(),
        "a deactivated account gets nothing"
    );
    assert!(app.fake.dms_to(ROBOT).is_empty(), "a bot gets nothing");
    assert_eq!(
        rows(&app, "SELECT user_id || ' ' || status || ' ' || CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END FROM invitations ORDER BY user_id").await,
        vec![
            format!("{BOB} sent 1"),
            format!("{CAROL} sent 1"),
            format!("{DAN} deactivated 0"),
            format!("{ROBOT} bot 0")
        ],
        "the bot and the deactivated account are noted, not invited"
    );
    assert_eq!(
        enrolled(&app).await,
        vec![ALICE],
        "an invitation enrols nobody"
    );
}

#[tokio::test]
async fn join_opens_the_survey_and_only_sending_it_enrols() {
    let (app, clock) = workspace().await;
    app.driver
        .command(ADMIN, &format!("invite <#{CHANNEL}>"))
        .await;
    deliver_invitations(&app, &clock).await;
    let opened = app.fake.ok_calls_to("views.open").len();

    press_join(&app, BOB).await;
    let open = app.fake.ok_calls_to("views.open");
    assert_eq!(
        open.len(),
        opened + 1,
        "the button's trigger_id opened a modal"
    );
    let modal = app.fake.last_modal_for(BOB).expect("Bob's survey");
    assert_eq!(modal["title"]["text"], "Join Tandem");
    assert_eq!(
        modal["callback_id"],
        open[opened].body["view"]["callback_id"]
    );
    assert!(
        modal["blocks"][8]["element"].get("initial_user").is_none(),
        "no supervisor is known for a channel invitation"
    );
    settle(&app).await;
    assert_eq!(
        enrolled(&app).await,
        vec![ALICE],
        "opening the survey enrols nobody"
    );

    let r = app
        .driver
        .submit_view(
            BOB,
            &modal,
            survey_values(
                &answers(Role::Partner, 25, &["negotiation"], &["ai_drafting"]),
                &Catalog::default(),
                true,
            ),
        )
        .await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    assert_eq!(enrolled(&app).await, vec![ALICE, BOB]);
    assert_eq!(
        rows(
            &app,
            "SELECT user_id FROM invitations WHERE status IN ('queued', 'sent') ORDER BY user_id"
        )
        .await,
        vec![CAROL],
        "Bob's invitation served its purpose"
    );
}

#[tokio::test]
async fn nobody_is_invited_twice_within_30_days_but_again_after_31() {
    let (app, clock) = workspace().await;
    let invite = format!("invite <#{CHANNEL}|associates>");
    app.driver.command(ADMIN, &invite).await;
    deliver_invitations(&app, &clock).await;
    assert_eq!(invitations_to(&app, BOB).len(), 1);

    clock.advance(Duration::days(29));
    let text = reply_text(&app.driver.command(ADMIN, &invite).await);
    assert_eq!(
        text,
        format!(
            "Nobody new to invite from <#{CHANNEL}>: 1 already enrolled, 2 invited in the last 30 days, 2 bots or deactivated accounts skipped."
        ),
        "Bob and Carol were invited 29 days ago; the bot and Dan are known"
    );
    settle(&app).await;
    assert_eq!(invitations_to(&app, BOB).len(), 1, "no second DM");

    clock.advance(Duration::days(2));
    let text = reply_text(&app.driver.command(ADMIN, &invite).await);
    assert!(
        text.starts_with(&format!(
            "Inviting 2 people from <#{CHANNEL}>; 1 already enrolled, 2 bots or deactivated accounts skipped."
        )),
        "{text}"
    );
    deliver_invitations(&app, &clock).await;
    assert_eq!(
        invitations_to(&app, BOB).len(),
        2,
        "invited again after 31 days"
    );
    assert_eq!(invitations_to(&app, CAROL).len(), 2);
    assert_eq!(enrolled(&app).await, vec![ALICE]);
}

#[tokio::test]
async fn a_user_group_is_invited_and_its_errors_are_explained() {
    let (app, clock) = workspace().await;
    app.fake.add_usergroup("S0LIT", &[BOB, CAROL, ALICE]);
    let text = reply_text(
        &app.driver
            .command(ADMIN, "invite <!subteam^S0LIT|@litigation>")
            .await,
    );
    assert!(
        text.starts_with("Inviting 2 people from <!subteam^S0LIT>; 1 already enrolled."),
        "{text}"
    );
    let calls = app.fake.ok_calls_to("usergroups.users.list");
    assert_eq!(calls[0].body["usergroup"], "S0LIT");
    deliver_invitations(&app, &clock).await;
    assert_eq!(invitations_to(&app, BOB).len(), 1);
    assert_eq!(invitations_to(&app, CAROL).len(), 1);

    let before = count(&app, "invitations").await;
    let text = reply_text(&app.driver.command(ADMIN, "invite <!subteam^S0GONE>").await);
    assert!(
        text.contains("Slack does not know the user group <!subteam^S0GONE>")
            && text.contains("Nobody was invited"),
        "{text}"
    );
    app.fake.withhold_scope("usergroups:read");
    let text = reply_text(&app.driver.command(ADMIN, "invite <!subteam^S0LIT>").await);
    assert!(
        text.contains("lacks a permission") && text.contains("manifest.yml"),
        "{text}"
    );
    let refused = app.fake.calls_to("usergroups.users.list").pop().unwrap();
    assert_eq!(refused.error.as_deref(), Some("missing_scope"));
    assert_eq!(refused.answer["needed"], "usergroups:read");
    assert_eq!(
        count(&app, "invitations").await,
        before,
        "a failed look-up records nothing"
    );
    assert_eq!(
        count(&app, "audit_log").await,
        1,
        "only the invitation that happened is audited"
    );
}

#[tokio::test]
async fn only_admins_invite_and_only_channels_slack_escaped() {
    let (app, _clock) = workspace().await;
    let text = reply_text(
        &app.driver
            .command(BOB, &format!("invite <#{CHANNEL}|associates>"))
            .await,
    );
    assert!(text.contains("only the program's admins"), "{text}");
    let text = reply_text(&app.driver.command(BOB, "invite #associates").await);
    assert!(
        text.contains("only the program's admins"),
        "non-admins learn nothing more: {text}"
    );

    let text = reply_text(&app.driver.command(ADMIN, "invite #associates").await);
    assert!(
        text.contains("Slack did not recognise `#associates` as a channel"),
        "{text}"
    );
    let text = reply_text(&app.driver.command(ADMIN, "invite @litigation").await);
    assert!(text.contains("`@litigation` as a user group"), "{text}");
    let text = reply_text(&app.driver.command(ADMIN, &format!("invite <@{BOB}>")).await);
    assert!(text.contains("not one person"), "{text}");

    app.fake.add_private_channel("G0WALL", &[BOB, CAROL], false);
    let text = reply_text(
        &app.driver
            .command(ADMIN, "invite <#G0WALL|partners-only>")
            .await,
    );
    assert!(
        text.contains("add Tandem to it first") && text.contains("Nobody was invited"),
        "{text}"
    );
    assert_eq!(
        app.fake.calls_to("conversations.members").len(),
        1,
        "only the admin's escaped channel reached Slack"
    );
    assert_eq!(count(&app, "invitations").await, 0);
    assert_eq!(count(&app, "jobs WHERE kind = 'invite'").await, 0);

    app.fake.add_private_channel("G0TEAM", &[BOB], true);
    let text = reply_text(&app.driver.command(ADMIN, "invite <#G0TEAM>").await);
    assert!(
        text.starts_with("Inviting 1 person from <#G0TEAM>."),
        "{text}"
    );
}

#[tokio::test]
async fn a_large_channel_is_read_page_by_page() {
    let (app, _clock) = workspace().await;
    let members: Vec<String> = (0..1201).map(|i| format!("U1{i:05}")).collect();
    let refs: Vec<&str> = members.iter().map(String::as_str).collect();
    app.fake.add_public_channel("C0ALLHANDS", &refs);
    let mut text = reply_text(
        &app.driver
            .command(ADMIN, "invite <#C0ALLHANDS|all-hands>")
            .await,
    );
    // On a busy machine the two pages can take longer than the command may (ANSWER_WITHIN): the answer then comes
    // through the response URL, with the same words.
    if text.starts_with("Looking up the members of <#C0ALLHANDS>") {
        app.app().background_idle().await;
        let responses = app.fake.responses();
        assert_eq!(responses.len(), 1, "{responses:?}");
        text = responses[0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
    assert!(
        text.starts_with("Inviting 1201 people from <#C0ALLHANDS>."),
        "{text}"
    );
    let pages = app.fake.ok_calls_to("conversations.members");
    assert_eq!(pages.len(), 2, "999 and then 202");
    assert!(pages[0].body.get("cursor").is_none());
    assert_eq!(
        pages[1].body["cursor"],
        pages[0].answer["response_metadata"]["next_cursor"]
    );
    assert_eq!(pages[1].answer["response_metadata"]["next_cursor"], "");
    assert_eq!(count(&app, "jobs WHERE kind = 'invite'").await, 1201);
}

#[tokio::test]
async fn a_slow_member_list_is_answered_through_the_response_url() {
    let clock = Clock::manual(start());
    let app = spawn_with(move |o| {
        o.admins = vec![ADMIN.to_string()];
        o.app.clock = clock;
        o.app.retry.timeout = std::time::Duration::from_secs(20);
    })
    .await;
    app.fake.add_public_channel(CHANNEL, &[ALICE, BOB]);
    app.fake.hang("conversations.members");
    let text = reply_text(
        &app.driver
            .command(ADMIN, &format!("invite <#{CHANNEL}>"))
            .await,
    );
    assert!(
        text.starts_with(&format!("Looking up the members of <#{CHANNEL}>")),
        "{text}"
    );
    app.fake.heal("conversations.members");
    app.app().background_idle().await;
    let responses = app.fake.responses();
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert!(
        responses[0]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Inviting 2 people from <#{CHANNEL}>.")),
        "{responses:?}"
    );
    assert_eq!(count(&app, "invitations").await, 2);
}

// --- tandem invite --csv -------------------------------------------------------------------------------------------

const HR_EXPORT: &str = "name,email,supervisor_email\r\n\
Carol Chen,carol@firm.com,bob@firm.com\r\n\
Nobody,,bob@firm.com\r\n\
Typo,not-an-email,\r\n\
Ghost,ghost@firm.com,\r\n\
Carol again,CAROL@firm.com,\r\n\
Alice Archer,alice@firm.com,\r\n\
Dan Doyle,dan@firm.com,\r\n\
Bob Brennan,bob@firm.com,boss@elsewhere.com\r\n";

fn write_csv(app: &TestApp, name: &str, text: &str) -> std::path::PathBuf {
    let path = app.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn cli_options(app: &TestApp, csv: &Path, dry_run: bool) -> InviteOptions {
    InviteOptions {
        csv: csv.to_path_buf(),
        dry_run,
        database_url: app.db_url(),
        slack_api_url: app.fake.api_url(),
        bot_token: SANDBOX_BOT_TOKEN.to_string(),
        progress_every: 3,
        retry: fast_retry(),
    }
}

async fn run_cli(app: &TestApp, options: &InviteOptions) -> (InviteSummary, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let summary = tandem::cli::invite::run(options, app.app().now(), &mut out, &mut err)
        .await
        .unwrap_or_else(|e| panic!("tandem invite failed: {e}"));
    (
        summary,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Emails for the workspace's people.
fn hr_workspace(app: &TestApp) {
    for (id, email) in [
        (ALICE, "alice@firm.com"),
        (BOB, "Bob@Firm.com"),
        (CAROL, "carol@firm.com"),
        (DAN, "dan@firm.com"),
    ] {
        app.fake.set_email(id, email);
    }
}

#[tokio::test]
async fn an_hr_export_reports_bad_rows_by_line_and_queues_the_good_ones() {
    let (app, clock) = workspace().await;
    hr_workspace(&app);
    let csv = write_csv(&app, "people.csv", HR_EXPORT);

    // A dry run looks everyone up and changes nothing.
    let (dry, out, err) = run_cli(&app, &cli_options(&app, &csv, true)).await;
    assert_eq!(dry.invited, vec![CAROL, BOB]);
    assert_eq!(dry.already_enrolled, 1);
    assert!(
        out.contains(&format!(
            "would invite carol@firm.com ({CAROL}, supervisor {BOB}) from line 2"
        )),
        "{out}"
    );
    assert!(
        err.contains("dry run: would invite 2 people") && err.contains("Nothing was changed"),
        "{err}"
    );
    assert_eq!(count(&app, "invitations").await, 0);
    assert_eq!(count(&app, "jobs WHERE kind = 'invite'").await, 0);
    assert_eq!(count(&app, "audit_log").await, 0);

    // Slack rate-limits the look-ups once: the run waits and goes on.
    let since = app.fake.call_count();
    app.fake.fail_next(
        "users.lookupByEmail",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    let (done, out, err) = run_cli(&app, &cli_options(&app, &csv, false)).await;
    assert_eq!(done.invited, vec![CAROL, BOB]);
    for line in [
        "people.csv: line 3: no e-mail address",
        "people.csv: line 4: 'not-an-email' is not an e-mail address",
        "people.csv: line 5: no Slack account has the e-mail ghost@firm.com (users_not_found)",
        "people.csv: line 6: carol@firm.com appears again (first on line 2)",
        "people.csv: line 8: dan@firm.com belongs to a deactivated Slack account",
        "people.csv: line 9: the supervisor's no Slack account has the e-mail boss@elsewhere.com (users_not_found); bob@firm.com is invited without a supervisor",
    ] {
        assert!(err.contains(line), "missing {line:?} in:\n{err}");
    }
    assert!(
        err.contains("tandem: looked up 3 of 5 people\ntandem: looked up 5 of 5 people"),
        "progress lines: {err}"
    );
    assert!(err.contains("2 invitation(s) queued"), "{err}");
    assert!(
        out.contains(&format!("invited bob@firm.com ({BOB}) from line 9")),
        "{out}"
    );
    let lookups: Vec<_> = app
        .fake
        .calls_since(since)
        .into_iter()
        .filter(|c| c.method == "users.lookupByEmail")
        .collect();
    assert_eq!(lookups[0].status, 429);
    assert!(
        lookups.iter().all(|c| c.body.get("email").is_some()),
        "the address travels in the query"
    );
    let asked: Vec<String> = lookups
        .iter()
        .skip(1)
        .map(|c| c.body["email"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        asked,
        vec![
            "carol@firm.com",
            "bob@firm.com",
            "ghost@firm.com",
            "alice@firm.com",
            "dan@firm.com",
            "boss@elsewhere.com"
        ],
        "after the 429, each distinct address once, in the file's order (Bob's second mention is remembered)"
    );
    assert_eq!(
        rows(&app, "SELECT user_id || ' ' || COALESCE(reports_to, '-') || ' ' || invited_by || ' ' || source FROM invitations ORDER BY user_id").await,
        vec![
            format!("{BOB} - tandem invite people.csv"),
            format!("{CAROL} {BOB} tandem invite people.csv")
        ]
    );
    assert_eq!(count(&app, "jobs WHERE kind = 'invite'").await, 2);
    assert_eq!(
        rows(&app, "SELECT actor || ': ' || detail FROM audit_log").await,
        vec!["tandem invite: people.csv: 2 invited, 1 already enrolled, 0 invited recently"]
    );
    assert_eq!(enrolled(&app).await, vec![ALICE]);

    // The server delivers (at 10:00 in each one's zone); Carol's survey names Bob as her supervisor, Bob's names
    // nobody.
    deliver_invitations(&app, &clock).await;
    let carol = invitations_to(&app, CAROL);
    assert_eq!(carol.len(), 1);
    assert!(
        !carol[0]["text"].as_str().unwrap().contains("<@"),
        "nobody is named for a CSV invitation"
    );
    press_join(&app, CAROL).await;
    let modal = app.fake.last_modal_for(CAROL).unwrap();
    assert_eq!(modal["blocks"][8]["block_id"], "reports_to");
    assert_eq!(modal["blocks"][8]["element"]["initial_user"], BOB);
    press_join(&app, BOB).await;
    let modal = app.fake.last_modal_for(BOB).unwrap();
    assert!(modal["blocks"][8]["element"].get("initial_user").is_none());

    // Run again the same day: nobody is invited twice.
    let (again, _, err) = run_cli(&app, &cli_options(&app, &csv, false)).await;
    assert!(again.invited.is_empty(), "{err}");
    assert_eq!(again.invited_recently, 2);
    assert_eq!(count(&app, "jobs WHERE kind = 'invite'").await, 2);
}

#[tokio::test]
async fn the_cli_refuses_what_it_cannot_use_and_changes_nothing() {
    let (app, _clock) = workspace().await;
    hr_workspace(&app);
    let no_column = write_csv(&app, "names.csv", "name,manager\nCarol,Bob\n");
    let mut err = Vec::new();
    let e = tandem::cli::invite::run(
        &cli_options(&app, &no_column, false),
        0,
        &mut Vec::new(),
        &mut err,
    )
    .await
    .unwrap_err();
    assert!(
        e.contains("names.csv: line 1: the header row has no `email` column"),
        "{e}"
    );

    app.fake.withhold_scope("users:read.email");
    let csv = write_csv(&app, "people.csv", HR_EXPORT);
    let e = tandem::cli::invite::run(
        &cli_options(&app, &csv, false),
        0,
        &mut Vec::new(),
        &mut Vec::new(),
    )
    .await
    .unwrap_err();
    assert!(
        e.contains("users:read.email") && e.contains("nothing was changed"),
        "{e}"
    );
    assert_eq!(count(&app, "invitations").await, 0);
    assert_eq!(count(&app, "audit_log").await, 0);
}

/// The real binary, against the sandbox's fake Slack and database.
async fn tandem(args: &[&str], env: &[(&str, String)]) -> std::process::Output {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_tandem"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().await.unwrap()
}

#[tokio::test]
async fn the_binary_invites_from_a_csv_with_progress_and_a_dry_run() {
    let (app, clock) = workspace().await;
    let mut text = String::from("email\n");
    for i in 0..30 {
        let id = format!("U2{i:05}");
        app.fake.add_user(&id, &format!("Person {i}"), "UTC");
        app.fake.set_email(&id, &format!("p{i}@firm.com"));
        text.push_str(&format!("p{i}@firm.com\n"));
    }
    text.push_str("stranger@firm.com\n");
    let csv = write_csv(&app, "hr.csv", &text);
    let env = [
        ("SLACK_BOT_TOKEN", SANDBOX_BOT_TOKEN.to_string()),
        ("SLACK_API_URL", app.fake.api_url()),
        ("DATABASE_URL", app.db_url()),
    ];
    let csv_arg = csv.display().to_string();

    let out = tandem(&["invite", "--csv", &csv_arg, "--dry-run"], &env).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("would invite"))
            .count(),
        30,
        "{stdout}"
    );
    assert!(
        stderr.contains("tandem: looked up 25 of 31 people"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 32: no Slack account has the e-mail stranger@firm.com"),
        "{stderr}"
    );
    assert_eq!(
        count(&app, "invitations").await,
        0,
        "--dry-run changes nothing"
    );

    let out = tandem(&["invite", "--csv", &csv_arg], &env).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("30 invitation(s) queued"));
    assert_eq!(
        count(&app, "jobs WHERE kind = 'invite' AND state = 'pending'").await,
        30
    );
    // The binary recorded them at the system's time; the server's clock catches up and delivers, at 10:00 UTC (the
    // zone of these 30) on a working day.
    clock.set(Utc::now() + Duration::minutes(1));
    deliver_invitations(&app, &clock).await;
    assert_eq!(invitations_to(&app, "U200007").len(), 1);
    let sent = clock.now();
    assert_eq!(
        sent.time(),
        chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap()
    );
    assert!(sent.weekday().num_days_from_monday() < 5, "{sent}");

    let out = tandem(&["invite", "--csv", &csv_arg], &env[1..]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("tandem: error: SLACK_BOT_TOKEN is not set")
    );

    let out = tandem(&["invite", "--help"], &[]).await;
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("queues the invitations in the database")
            && help.contains("tandem serve")
            && help.contains("--dry-run")
            && help.contains("supervisor_email"),
        "{help}"
    );
}

#[tokio::test]
async fn an_invitation_is_in_mydata_and_leaving_removes_every_trace_of_it() {
    let (app, clock) = workspace().await;
    hr_workspace(&app);
    let csv = write_csv(
        &app,
        "people.csv",
        "email,supervisor_email\ncarol@firm.com,bob@firm.com\nbob@firm.com,\n",
    );
    run_cli(&app, &cli_options(&app, &csv, false)).await;
    deliver_invitations(&app, &clock).await;

    let r = app.driver.command(CAROL, "mydata").await;
    assert!(
        !r.body.contains("holds nothing about you"),
        "an invitation is data Tandem holds: {}",
        r.body
    );
    settle(&app).await;
    let summary = app
        .fake
        .dms_to(CAROL)
        .iter()
        .map(|m| m["blocks"].to_string())
        .find(|b| b.contains("Your invitation to join"))
        .expect("the mydata summary shows the invitation");
    assert!(
        summary.contains("by `tandem invite`, from people.csv")
            && summary.contains(&format!("suggests <@{BOB}>")),
        "{summary}"
    );

    press_join(&app, BOB).await;
    let modal = app.fake.last_modal_for(BOB).unwrap();
    app.driver
        .submit_view(
            BOB,
            &modal,
            survey_values(
                &answers(Role::Partner, 25, &["negotiation"], &["ai_drafting"]),
                &Catalog::default(),
                true,
            ),
        )
        .await;
    settle(&app).await;
    app.driver.command(BOB, "leave").await;
    app.driver.click(BOB, "leave_confirm", "leave", None).await;
    settle(&app).await;
    assert_eq!(
        cells_containing_except(&app, BOB, &["audit_log"]).await,
        Vec::<String>::new(),
        "Bob's ID remains somewhere"
    );
    assert_eq!(
        rows(
            &app,
            "SELECT user_id || ' ' || COALESCE(reports_to, '-') FROM invitations"
        )
        .await,
        vec![format!("{CAROL} -")],
        "Carol's survey no longer suggests Bob"
    );
}

#[test]
fn the_fake_grants_exactly_the_scopes_the_manifest_asks_for() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.yml")).unwrap();
    let mut in_bot = false;
    let mut scopes = Vec::new();
    for line in manifest.lines() {
        let t = line.trim();
        if t == "bot:" {
            in_bot = true;
        } else if in_bot && t.starts_with("- ") {
            scopes.push(t[2..].split_whitespace().next().unwrap().to_string());
        } else if in_bot && !t.is_empty() && !t.starts_with('#') {
            break;
        }
    }
    let mut granted: Vec<String> = tandem::sandbox::GRANTED_SCOPES
        .iter()
        .map(|s| s.to_string())
        .collect();
    granted.sort();
    scopes.sort();
    assert_eq!(scopes, granted);
    for needed in [
        "channels:read",
        "groups:read",
        "usergroups:read",
        "users:read.email",
    ] {
        assert!(scopes.iter().any(|s| s == needed), "{needed}");
    }
}

#[tokio::test]
async fn retention_keeps_an_invitation_30_days_even_with_a_shorter_retention_period() {
    let clock = Clock::manual(start());
    let c = clock.clone();
    let app = spawn_with(move |o| {
        o.admins = vec![ADMIN.to_string()];
        o.app.clock = c;
        o.env.push(("TANDEM_RETENTION_DAYS".into(), "7".into()));
    })
    .await;
    app.fake.add_public_channel(CHANNEL, &[BOB]);
    app.driver
        .command(ADMIN, &format!("invite <#{CHANNEL}>"))
        .await;
    settle(&app).await;

    clock.advance(Duration::days(29));
    let done = tandem::flows::retention::run(app.app()).await.unwrap();
    assert_eq!(
        done.invitations, 0,
        "kept while it still stops a second invitation"
    );
    clock.advance(Duration::days(2));
    let done = tandem::flows::retention::run(app.app()).await.unwrap();
    assert_eq!(done.invitations, 1);
    assert_eq!(count(&app, "invitations").await, 0);
}

#[tokio::test]
async fn someone_who_joins_and_leaves_before_their_invitation_is_due_leaves_no_trace_in_its_job() {
    let (app, _clock) = workspace().await;
    app.driver
        .command(ADMIN, &format!("invite <#{CHANNEL}>"))
        .await;
    settle(&app).await;
    assert!(
        cells_containing(&app, BOB)
            .await
            .contains(&"jobs.payload".to_string()),
        "Bob's invitation waits for 10:00 in New York"
    );
    // Bob hears of Tandem from a colleague, joins at once, then leaves, all before 10:00 in New York.
    joined(
        &app,
        BOB,
        &answers(Role::Partner, 25, &["negotiation"], &["ai_drafting"]),
    )
    .await;
    app.driver.command(BOB, "leave").await;
    app.driver.click(BOB, "leave_confirm", "leave", None).await;
    settle(&app).await;
    assert_eq!(
        cells_containing_except(&app, BOB, &["audit_log"]).await,
        Vec::<String>::new(),
        "Bob's ID remains somewhere"
    );
    assert!(invitations_to(&app, BOB).is_empty());
}
