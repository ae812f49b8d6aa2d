//! The Web API client against the fake Slack: retries, rate limits, permanent errors, and the fake's strictness.

use crate::common::*;
use serde_json::json;
use std::time::{Duration, Instant};
use tandem::outbound::slack_api::{ApiError, SlackApi};
use tandem::sandbox::driver::app_home_opened;
use tandem::sandbox::{FakeSlack, Fault, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN};

/// A client that reports a 429 at once instead of waiting it out.
fn no_inline_rate_limit_retries(fake: &FakeSlack) -> SlackApi {
    SlackApi::new(
        &fake.api_url(),
        SANDBOX_BOT_TOKEN,
        tandem::outbound::slack_api::RetryPolicy {
            rate_limit_retries: 0,
            ..fast_retry()
        },
    )
    .unwrap()
}

async fn fake_and_client() -> (FakeSlack, SlackApi) {
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .unwrap();
    fake.add_user(ALICE, "Alice Archer", "Europe/London");
    let api = SlackApi::new(&fake.api_url(), SANDBOX_BOT_TOKEN, fast_retry()).unwrap();
    (fake, api)
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after() {
    let app = spawn().await;
    app.fake.fail_next(
        "views.publish",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    app.driver
        .event("Ev429", app_home_opened(ALICE), None)
        .await;
    let calls = app
        .fake
        .wait_for_calls("views.publish", 2, WAIT)
        .await
        .unwrap();
    assert_eq!((calls[0].status, calls[1].status), (429, 200));
    let gap = calls[1].at.duration_since(calls[0].at);
    assert!(
        gap >= Duration::from_millis(950),
        "retried after {gap:?}, before Retry-After: 1"
    );
    assert!(app.fake.home_of(ALICE).is_some());
}

#[tokio::test]
async fn a_5xx_is_retried_with_backoff_then_succeeds() {
    let (fake, api) = fake_and_client().await;
    fake.fail_next("chat.postMessage", Fault::ServerError, 2);
    let ts = api.post_message(ALICE, "hello", None).await.unwrap();
    assert!(!ts.is_empty());
    let statuses: Vec<u16> = fake
        .calls_to("chat.postMessage")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, vec![500, 500, 200]);
}

#[tokio::test]
async fn a_5xx_that_persists_is_reported_after_a_bounded_number_of_tries() {
    let (fake, api) = fake_and_client().await;
    fake.fail_next("chat.postMessage", Fault::ServerError, 10);
    let err = api.post_message(ALICE, "hello", None).await.unwrap_err();
    assert_eq!(
        err,
        ApiError::Http {
            method: "chat.postMessage".into(),
            status: 500
        }
    );
    assert_eq!(
        fake.calls_to("chat.postMessage").len(),
        3,
        "one try and two retries"
    );
}

#[tokio::test]
async fn rate_limits_that_persist_are_reported_with_retry_after() {
    let (fake, _) = fake_and_client().await;
    let api = no_inline_rate_limit_retries(&fake);
    fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 30,
        },
        1,
    );
    let err = api.post_message(ALICE, "hello", None).await.unwrap_err();
    assert_eq!(
        err,
        ApiError::RateLimited {
            method: "chat.postMessage".into(),
            retry_after_secs: Some(30)
        }
    );
}

/// Slack's limits are per method: once one caller is told to wait, every caller of that method waits too, without
/// calling Slack; other methods go on.
#[tokio::test]
async fn a_429_pauses_the_method_for_every_caller() {
    let (fake, _) = fake_and_client().await;
    let api = no_inline_rate_limit_retries(&fake);
    fake.fail_next(
        "chat.postMessage",
        Fault::RateLimited {
            retry_after_secs: 20,
        },
        1,
    );
    let first = api.post_message(ALICE, "one", None).await.unwrap_err();
    assert!(
        matches!(
            first,
            ApiError::RateLimited {
                retry_after_secs: Some(20),
                ..
            }
        ),
        "{first:?}"
    );
    let before = fake.calls_to("chat.postMessage").len();
    let other = api.clone();
    let second = tokio::spawn(async move { other.post_message(BOB, "two", None).await })
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(second, ApiError::RateLimited { retry_after_secs: Some(s), .. } if (19..=20).contains(&s)),
        "{second:?}"
    );
    assert_eq!(
        fake.calls_to("chat.postMessage").len(),
        before,
        "a paused method is not called at all"
    );
    assert!(api.paused_for("chat.postMessage").is_some());
    assert!(api.paused_for("users.info").is_none());
    api.user_profile(ALICE)
        .await
        .expect("another method goes on");
}

/// A call Slack never answers is given up after the timeout instead of holding its caller for ever.
#[tokio::test]
async fn a_hung_call_times_out() {
    let (fake, _) = fake_and_client().await;
    let api = SlackApi::new(
        &fake.api_url(),
        SANDBOX_BOT_TOKEN,
        tandem::outbound::slack_api::RetryPolicy {
            timeout: Duration::from_millis(300),
            ..fast_retry()
        },
    )
    .unwrap();
    fake.fail_next("chat.postMessage", Fault::Hang, 1);
    let err = api.post_message(ALICE, "hello", None).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Transport { message, .. } if message.contains("no answer")),
        "{err:?}"
    );
    assert_eq!(
        fake.calls_to("chat.postMessage").len(),
        1,
        "a call that may have taken effect is not repeated inline"
    );
    api.post_message(ALICE, "again", None)
        .await
        .expect("the next call goes through");
}

#[tokio::test]
async fn permanent_slack_errors_are_not_retried() {
    let (fake, api) = fake_and_client().await;
    let err = api
        .post_message("U0NOBODY", "hello", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("channel_not_found"));
    assert!(err.is_permanent());
    fake.fail_next(
        "chat.postMessage",
        Fault::SlackError("account_inactive".into()),
        1,
    );
    let err = api.post_message(ALICE, "hello", None).await.unwrap_err();
    assert!(err.is_permanent());
    assert_eq!(fake.calls_to("chat.postMessage").len(), 2);
}

#[tokio::test]
async fn the_fake_refuses_a_missing_or_wrong_token() {
    let (fake, _) = fake_and_client().await;
    let http = tandem::outbound::slack_api::http_client().unwrap();
    let url = format!("{}/chat.postMessage", fake.api_url());
    let none: serde_json::Value = http
        .post(&url)
        .json(&json!({"channel": ALICE, "text": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none["error"], "not_authed");
    let wrong = SlackApi::new(&fake.api_url(), "xoxb-wrong", fast_retry()).unwrap();
    assert_eq!(
        wrong
            .post_message(ALICE, "x", None)
            .await
            .unwrap_err()
            .code(),
        Some("invalid_auth")
    );
    let app_token_for_bot_call =
        SlackApi::new(&fake.api_url(), SANDBOX_APP_TOKEN, fast_retry()).unwrap();
    assert_eq!(
        app_token_for_bot_call
            .post_message(ALICE, "x", None)
            .await
            .unwrap_err()
            .code(),
        Some("invalid_auth")
    );
}

fn modal(blocks: serde_json::Value) -> serde_json::Value {
    json!({"type": "modal", "title": {"type": "plain_text", "text": "Survey"}, "submit": {"type": "plain_text", "text": "Save"}, "blocks": blocks})
}

#[tokio::test]
async fn the_fake_refuses_reused_expired_and_unknown_trigger_ids() {
    let (fake, api) = fake_and_client().await;
    let view = modal(json!([]));
    let fresh = fake.issue_trigger_id();
    api.open_view(&fresh, &view).await.unwrap();
    assert_eq!(
        api.open_view(&fresh, &view).await.unwrap_err().code(),
        Some("exchanged_trigger_id")
    );
    let old = fake.issue_trigger_id_at(
        Instant::now()
            .checked_sub(Duration::from_millis(3100))
            .unwrap(),
    );
    assert_eq!(
        api.open_view(&old, &view).await.unwrap_err().code(),
        Some("expired_trigger_id")
    );
    assert_eq!(
        api.open_view("123.456.made-up", &view)
            .await
            .unwrap_err()
            .code(),
        Some("invalid_trigger_id")
    );
}

#[tokio::test]
async fn the_fake_refuses_block_kit_over_its_limits() {
    let (fake, api) = fake_and_client().await;
    let input = json!({"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "Note"}, "element": {"type": "plain_text_input", "action_id": "a"}});
    let mut no_submit = modal(json!([input]));
    no_submit.as_object_mut().unwrap().remove("submit");
    let err = api
        .open_view(&fake.issue_trigger_id(), &no_submit)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("invalid_arguments"));
    let long_title = json!({"type": "modal", "title": {"type": "plain_text", "text": "A title that is far too long"}, "blocks": []});
    assert!(
        api.open_view(&fake.issue_trigger_id(), &long_title)
            .await
            .is_err()
    );
    let blocks: Vec<_> = (0..51).map(|_| json!({"type": "divider"})).collect();
    let err = api
        .post_message(ALICE, "x", Some(&json!(blocks)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("invalid_blocks"));
    let refused = fake.calls_to("chat.postMessage");
    assert_eq!(refused.len(), 1, "invalid_blocks is permanent: not retried");
}

#[tokio::test]
async fn users_and_group_dms_behave_like_slack() {
    let (fake, api) = fake_and_client().await;
    fake.add_user(BOB, "Bob Brennan", "America/New_York");
    let info = api.call_get("users.info", &[("user", BOB)]).await.unwrap();
    assert_eq!(info["user"]["tz"], "America/New_York");
    assert_eq!(
        api.user_profile("U0GHOST").await.unwrap_err().code(),
        Some("user_not_found")
    );
    let a = api
        .call(
            "conversations.open",
            &json!({"users": format!("{ALICE},{BOB}")}),
        )
        .await
        .unwrap();
    let b = api
        .call(
            "conversations.open",
            &json!({"users": format!("{BOB},{ALICE}")}),
        )
        .await
        .unwrap();
    assert_eq!(
        a["channel"]["id"], b["channel"]["id"],
        "the same pair gets the same group DM"
    );
    let channel = a["channel"]["id"].as_str().unwrap();
    assert!(channel.starts_with('G'));
    let ts = api.post_message(channel, "hello both", None).await.unwrap();
    api.call(
        "chat.update",
        &json!({"channel": channel, "ts": ts, "text": "edited"}),
    )
    .await
    .unwrap();
    assert_eq!(fake.messages_in(channel)[0]["text"], "edited");
    assert_eq!(
        api.call(
            "chat.update",
            &json!({"channel": channel, "ts": "1.2", "text": "x"})
        )
        .await
        .unwrap_err()
        .code(),
        Some("message_not_found")
    );
}

#[tokio::test]
async fn the_fake_enforces_per_channel_and_workspace_message_limits() {
    let (fake, _) = fake_and_client().await;
    // A fresh client for each phase: Tandem's own client would pause chat.postMessage after the first 429, and this
    // test is about what the fake refuses.
    let client = || no_inline_rate_limit_retries(&fake);
    let api = client();
    let channels: Vec<String> = (0..40).map(|i| format!("G{i:09}")).collect();
    fake.add_channels(channels.iter().map(String::as_str));
    fake.set_message_limits(tandem::sandbox::MessageLimits {
        per_channel_per_sec: 1.0,
        workspace_per_min: 600.0,
    });
    api.post_message(&channels[0], "one", None).await.unwrap();
    let again = api
        .post_message(&channels[0], "two", None)
        .await
        .unwrap_err();
    assert_eq!(
        again,
        ApiError::RateLimited {
            method: "chat.postMessage".into(),
            retry_after_secs: Some(1)
        },
        "one a second per channel"
    );
    // The workspace bucket holds ten and refills ten a second: a burst to fresh channels passes ten (plus what
    // refilled while it ran, on a slow machine) and then is refused.
    let api = client();
    let started = Instant::now();
    let mut passed = 1; // the first message above
    for c in &channels[1..] {
        match api.post_message(c, "burst", None).await {
            Ok(_) => passed += 1,
            Err(ApiError::RateLimited { .. }) => break,
            Err(e) => panic!("{e}"),
        }
    }
    let refilled = (started.elapsed().as_secs_f64() * 10.0).ceil() as usize;
    assert!(
        (10..=10 + refilled).contains(&passed) && passed < channels.len(),
        "{passed} passed in {:?}",
        started.elapsed()
    );
    assert_eq!(fake.rate_limited(), 2);
    assert_eq!(fake.message_counts().values().sum::<usize>(), passed);
}

#[tokio::test]
async fn read_methods_take_their_arguments_in_the_query_and_a_json_body_is_not_read() {
    let (fake, api) = fake_and_client().await;
    fake.add_user(BOB, "Bob Brennan", "America/New_York");
    fake.set_email(BOB, "bob@firm.com");
    fake.add_public_channel("C0ROOM", &[ALICE, BOB]);
    fake.add_usergroup("S0TEAM", &[BOB]);

    // Every read the client makes sends its arguments in the query string, and Slack (the fake) reads them.
    let profile = api.user_profile(BOB).await.unwrap();
    assert_eq!(profile.tz.as_deref(), Some("America/New_York"));
    let found = api.lookup_by_email("bob@firm.com").await.unwrap().unwrap();
    assert_eq!(found.id, BOB);
    assert_eq!(
        api.conversation_members("C0ROOM").await.unwrap(),
        vec![ALICE, BOB]
    );
    assert_eq!(api.usergroup_members("S0TEAM").await.unwrap(), vec![BOB]);
    let file = api
        .start_upload("plan.ics", b"BEGIN".to_vec())
        .await
        .unwrap();
    assert!(file.starts_with('F'));
    for method in tandem::sandbox::FORM_ONLY {
        let calls = fake.ok_calls_to(method);
        assert_eq!(calls.len(), 1, "{method}: {calls:?}");
    }

    // The same arguments as a JSON body: Slack does not read JSON for read methods ("This method does not currently
    // accept application/json"), so the call lacks its required argument and is refused.
    for (method, args, field) in [
        ("users.info", json!({ "user": BOB }), "user"),
        (
            "users.lookupByEmail",
            json!({ "email": "bob@firm.com" }),
            "email",
        ),
        (
            "conversations.members",
            json!({ "channel": "C0ROOM" }),
            "channel",
        ),
        (
            "usergroups.users.list",
            json!({ "usergroup": "S0TEAM" }),
            "usergroup",
        ),
        (
            "files.getUploadURLExternal",
            json!({ "filename": "plan.ics", "length": "5" }),
            "filename",
        ),
    ] {
        let err = api.call(method, &args).await.unwrap_err();
        assert_eq!(err.code(), Some("invalid_arguments"), "{method}: {err}");
        let refused = fake.calls_to(method).pop().unwrap();
        assert_eq!(
            refused.answer["response_metadata"]["messages"],
            json!([format!("[ERROR] missing required field: {field}")]),
            "{method}"
        );
    }
    assert_eq!(
        fake.calls_to("users.info").len(),
        2,
        "invalid_arguments is permanent: not retried"
    );

    // An argument that is there but empty names nothing: the method's own error, as Slack answers.
    for (method, field, code) in [
        ("users.info", "user", "user_not_found"),
        ("users.lookupByEmail", "email", "users_not_found"),
        ("conversations.members", "channel", "channel_not_found"),
        ("usergroups.users.list", "usergroup", "no_such_subteam"),
    ] {
        let err = api.call_get(method, &[(field, "")]).await.unwrap_err();
        assert_eq!(err.code(), Some(code), "{method}");
    }
    // Write methods still take JSON.
    api.post_message(BOB, "hello", None).await.unwrap();
}
