//! Issue 2: signed HTTP ingress, at-most-once events, `/mentor help`, Home tab, health, the CLI's errors.

use crate::common::*;
use serde_json::json;
use tandem::domain::matching::Role;
use tandem::sandbox::SlackDriver;
use tandem::sandbox::driver::{Signing, app_home_opened};

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn help_answers_ephemerally_with_every_subcommand() {
    let app = spawn().await;
    for text in ["help", "", "HELP"] {
        let r = app.driver.command(ALICE, text).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.content_type.starts_with("application/json"));
        let body = r.json();
        assert_eq!(body["response_type"], "ephemeral");
        for (usage, _) in tandem::inbound::commands::SUBCOMMANDS {
            assert!(
                body["text"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/mentor {usage}")),
                "{usage} missing"
            );
        }
        assert!(tandem::views::limits::check_message_blocks(&body["blocks"]).is_empty());
    }
    let r = app.driver.command(ALICE, "frobnicate now").await;
    assert!(
        r.json()["text"]
            .as_str()
            .unwrap()
            .contains("I don't know `/mentor frobnicate now`")
    );
    // Help is answered in the response: no Web API call was needed.
    assert!(app.fake.calls().is_empty(), "{:?}", app.fake.calls());
}

#[tokio::test]
async fn forged_stale_and_unsigned_requests_get_401_and_change_nothing() {
    let app = spawn().await;
    let event = SlackDriver::event_body("EvForged", app_home_opened(ALICE));
    let command = app.driver.command_form(ALICE, "help");
    let interaction = serde_urlencoded::to_string([(
        "payload",
        json!({"type": "block_actions", "user": {"id": ALICE}, "actions": []}).to_string(),
    )])
    .unwrap();
    let stale = chrono::Utc::now().timestamp() - 5 * 60 - 5;
    let future = chrono::Utc::now().timestamp() + 5 * 60 + 5;
    for signing in [
        Signing::WrongSecret,
        Signing::At(stale),
        Signing::At(future),
        Signing::Unsigned,
    ] {
        for (path, ctype, body) in [
            ("/slack/events", "application/json", event.clone()),
            ("/slack/commands", FORM, command.clone()),
            (
                "/slack/interactions",
                FORM,
                interaction.clone().into_bytes(),
            ),
        ] {
            let r = app.driver.post(path, ctype, body, signing.clone()).await;
            assert_eq!(r.status, 401, "{path} with {signing:?}: {}", r.body);
            assert!(
                !r.body.contains("ephemeral"),
                "no command output leaks: {}",
                r.body
            );
        }
    }
    settle(&app).await;
    assert!(
        app.fake.calls().is_empty(),
        "a refused request reached Slack: {:?}",
        app.fake.calls()
    );
    assert_eq!(
        count(&app, "handled_events").await,
        0,
        "a refused event was recorded"
    );
    // The same event, signed properly, does take effect: the refusals above were about the signature.
    let r = app
        .driver
        .post("/slack/events", "application/json", event, Signing::Valid)
        .await;
    assert_eq!(r.status, 200);
    app.fake
        .wait_for_calls("views.publish", 1, WAIT)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_body_signed_for_one_request_cannot_be_replayed_with_another_body() {
    let app = spawn().await;
    let ts = chrono::Utc::now().timestamp().to_string();
    let good = app.driver.command_form(ALICE, "help");
    let sig = tandem::inbound::signature::sign(tandem::sandbox::SANDBOX_SIGNING_SECRET, &ts, &good);
    let other = app.driver.command_form(BOB, "help");
    let r = app
        .driver
        .post_with_headers(
            "/slack/commands",
            FORM,
            other,
            Signing::Unsigned,
            &[
                ("x-slack-signature", sig),
                ("x-slack-request-timestamp", ts),
            ],
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn malformed_bodies_get_400_never_a_panic_or_5xx() {
    let app = spawn().await;
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("/slack/events", "application/json", b"{not json".to_vec()),
        ("/slack/events", "application/json", b"[]".to_vec()),
        (
            "/slack/events",
            "application/json",
            br#"{"type":"mystery"}"#.to_vec(),
        ),
        (
            "/slack/events",
            "application/json",
            br#"{"type":"event_callback","event":{"type":"app_home_opened"}}"#.to_vec(),
        ),
        ("/slack/commands", FORM, b"text=help".to_vec()),
        ("/slack/commands", FORM, vec![0xff, 0xfe, 0x00]),
        (
            "/slack/commands",
            FORM,
            b"user_id=U1&command=%2Fother".to_vec(),
        ),
        // A NUL character (never in what Slack sends; PostgreSQL cannot store it) anywhere in a payload.
        (
            "/slack/commands",
            FORM,
            b"user_id=U1&command=%2Fmentor&text=feedback+great%00pair".to_vec(),
        ),
        (
            "/slack/interactions",
            FORM,
            format!(
                "payload={}",
                urlencode(
                    r#"{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","callback_id":"survey","state":{"values":{"b":{"a":{"type":"plain_text_input","value":"a\u0000b"}}}}}}"#
                )
            )
            .into_bytes(),
        ),
        ("/slack/interactions", FORM, b"payload=%7Bbad".to_vec()),
        ("/slack/interactions", FORM, b"nothing=here".to_vec()),
        (
            "/slack/interactions",
            FORM,
            format!("payload={}", urlencode(r#"{"type":"telepathy"}"#)).into_bytes(),
        ),
        (
            "/slack/interactions",
            FORM,
            format!(
                "payload={}",
                urlencode(r#"{"type":"view_submission","user":{"id":"U1"}}"#)
            )
            .into_bytes(),
        ),
    ];
    for (path, ctype, body) in cases {
        let shown = String::from_utf8_lossy(&body).to_string();
        let r = app.driver.post(path, ctype, body, Signing::Valid).await;
        assert_eq!(r.status, 400, "{path} {shown}: {}", r.body);
    }
    assert!(app.fake.calls().is_empty());
    assert_eq!(
        app.driver.get("/healthz").await.status,
        200,
        "the server is still up"
    );
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

#[tokio::test]
async fn a_body_over_one_mebibyte_gets_413() {
    let app = spawn().await;
    let mut body = b"user_id=U1&command=%2Fmentor&text=".to_vec();
    body.extend(std::iter::repeat_n(b'a', 1024 * 1024));
    let r = app
        .driver
        .post("/slack/commands", FORM, body, Signing::Valid)
        .await;
    assert_eq!(r.status, 413);
}

#[tokio::test]
async fn url_verification_is_answered_with_its_challenge() {
    let app = spawn().await;
    let body = json!({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"});
    let r = app
        .driver
        .post(
            "/slack/events",
            "application/json",
            body.to_string().into_bytes(),
            Signing::Valid,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
}

#[tokio::test]
async fn app_home_opened_publishes_the_home_tab_with_the_bot_token() {
    let app = spawn().await;
    let r = app
        .driver
        .event("EvHome1", app_home_opened(ALICE), None)
        .await;
    assert_eq!(r.status, 200);
    let calls = app
        .fake
        .wait_for_calls("views.publish", 1, WAIT)
        .await
        .unwrap();
    assert_eq!(calls[0].status, 200);
    assert_eq!(calls[0].error, None, "{:?}", calls[0].body);
    assert_eq!(
        calls[0].token.as_deref(),
        Some(tandem::sandbox::SANDBOX_BOT_TOKEN)
    );
    assert_eq!(calls[0].body["user_id"], ALICE);
    let home = app.fake.home_of(ALICE).expect("published");
    assert!(home.to_string().contains("/mentor join"));
    // The messages tab is not the home tab: no publish for it.
    let r = app
        .driver
        .event(
            "EvHome2",
            json!({"type": "app_home_opened", "user": BOB, "tab": "messages"}),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    settle(&app).await;
    assert_eq!(app.fake.calls_to("views.publish").len(), 1);
}

#[tokio::test]
async fn a_retried_or_repeated_event_has_its_effect_once() {
    let app = spawn().await;
    assert_eq!(
        app.driver
            .event("EvDup", app_home_opened(ALICE), None)
            .await
            .status,
        200
    );
    assert_eq!(
        app.driver
            .event("EvDup", app_home_opened(ALICE), Some(1))
            .await
            .status,
        200
    );
    assert_eq!(
        app.driver
            .event("EvDup", app_home_opened(ALICE), Some(2))
            .await
            .status,
        200
    );
    assert_eq!(
        app.driver
            .event("EvDup", app_home_opened(ALICE), None)
            .await
            .status,
        200
    );
    settle(&app).await;
    assert_eq!(app.fake.calls_to("views.publish").len(), 1);
    assert_eq!(count(&app, "handled_events").await, 1);
    // A different event for the same person is a new effect.
    app.driver
        .event("EvOther", app_home_opened(ALICE), None)
        .await;
    settle(&app).await;
    assert_eq!(app.fake.calls_to("views.publish").len(), 2);
}

#[tokio::test]
async fn handled_events_survive_a_restart() {
    let app = spawn().await;
    app.driver
        .event("EvRestart", app_home_opened(ALICE), None)
        .await;
    app.fake
        .wait_for_calls("views.publish", 1, WAIT)
        .await
        .unwrap();
    let TestApp {
        sandbox,
        dir,
        pg: _pg,
    } = app;
    let sandbox = sandbox.restart().await.unwrap();
    sandbox
        .driver
        .event("EvRestart", app_home_opened(ALICE), Some(1))
        .await;
    tandem::jobs::worker::settle(sandbox.app())
        .await
        .expect("jobs run");
    assert_eq!(sandbox.fake.calls_to("views.publish").len(), 1);
    drop(dir);
}

#[tokio::test]
async fn healthz_answers_200_only_while_the_database_answers() {
    let app = spawn().await;
    let r = app.driver.get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (200, "ok"));
    app.app().store().close().await;
    assert_eq!(app.driver.get("/healthz").await.status, 503);
}

#[tokio::test]
async fn an_unknown_event_type_is_acknowledged_without_effect() {
    let app = spawn().await;
    let r = app
        .driver
        .event(
            "EvX",
            json!({"type": "reaction_added", "user": ALICE}),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    settle(&app).await;
    assert!(app.fake.calls().is_empty());
}

/// Row counts of every table, for "no effect" assertions.
async fn row_counts(app: &TestApp) -> Vec<(String, i64)> {
    let tables: Vec<String> = app.app().store().table_names().await.expect("tables");
    let mut counts = Vec::new();
    for t in tables {
        let n = count(app, &format!("\"{t}\"")).await;
        counts.push((t, n));
    }
    counts
}

#[tokio::test]
async fn a_body_of_the_wrong_content_type_gets_415_and_changes_nothing() {
    let app = spawn().await;
    let command = app.driver.command_form(ALICE, "join");
    let interaction = serde_urlencoded::to_string([(
        "payload",
        json!({"type": "block_actions", "user": {"id": ALICE}, "trigger_id": "t", "actions": [{"action_id": "home_join", "block_id": "b", "value": "x"}]}).to_string(),
    )])
    .unwrap()
    .into_bytes();
    let event = SlackDriver::event_body("EvType", app_home_opened(ALICE));
    let before = row_counts(&app).await;
    for (path, ctype, body) in [
        // A form sent as JSON, and JSON sent as a form.
        ("/slack/commands", "application/json", command.clone()),
        (
            "/slack/interactions",
            "application/json",
            interaction.clone(),
        ),
        ("/slack/events", FORM, event.clone()),
        ("/slack/commands", "text/plain", command.clone()),
        ("/slack/events", "text/json", event.clone()),
        ("/slack/events", "", event.clone()),
        (
            "/slack/commands",
            "multipart/form-data; boundary=x",
            command.clone(),
        ),
    ] {
        let r = app
            .driver
            .post(path, ctype, body.clone(), Signing::Valid)
            .await;
        assert_eq!(r.status, 415, "{path} as {ctype:?}: {}", r.body);
        assert!(
            r.content_type.starts_with("text/plain"),
            "{}",
            r.content_type
        );
        assert!(r.body.len() < 100, "a short plain answer: {}", r.body);
        // The signature still comes first: unsigned, the same request is 401 whatever its type.
        let r = app.driver.post(path, ctype, body, Signing::Unsigned).await;
        assert_eq!(r.status, 401, "{path} as {ctype:?} unsigned: {}", r.body);
    }
    settle(&app).await;
    assert!(app.fake.calls().is_empty(), "{:?}", app.fake.calls());
    assert_eq!(
        row_counts(&app).await,
        before,
        "a refused request changed the database"
    );

    // Slack's own content types, with parameters, are accepted.
    let r = app
        .driver
        .post(
            "/slack/commands",
            "application/x-www-form-urlencoded; charset=UTF-8",
            app.driver.command_form(ALICE, "help"),
            Signing::Valid,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .driver
        .post(
            "/slack/events",
            "application/json; charset=utf-8",
            event,
            Signing::Valid,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.fake
        .wait_for_calls("views.publish", 1, WAIT)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_malformed_payload_is_echoed_short_and_escaped() {
    let app = spawn().await;
    let long = format!("\u{202e}{}", "gnol".repeat(50_000));
    assert!(long.chars().count() > 200_000);
    let interaction = serde_urlencoded::to_string([(
        "payload",
        json!({"type": long, "user": {"id": ALICE}}).to_string(),
    )])
    .unwrap()
    .into_bytes();
    let event = json!({"type": long}).to_string().into_bytes();
    let command = serde_urlencoded::to_string([
        ("user_id", ALICE),
        ("command", long.as_str()),
        ("text", "help"),
    ])
    .unwrap()
    .into_bytes();
    for (path, ctype, body) in [
        ("/slack/interactions", FORM, interaction),
        ("/slack/events", "application/json", event),
        ("/slack/commands", FORM, command),
    ] {
        let r = app.driver.post(path, ctype, body, Signing::Valid).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(
            r.body.len() < 200,
            "{path}: {} bytes: {}",
            r.body.len(),
            r.body
        );
        assert!(
            !r.body.contains('\u{202e}'),
            "{path}: a raw override: {}",
            r.body
        );
        assert!(
            r.body.contains("\\u{202e}gnolgnol"),
            "{path}: escaped: {}",
            r.body
        );
        assert!(
            r.body.ends_with("…'") || r.body.ends_with('…'),
            "{path}: marked as cut: {}",
            r.body
        );
    }
    assert!(app.fake.calls().is_empty());
}

/// Runs the real `tandem serve` with its log going to a file (not a terminal) until `f` is done; returns the log.
async fn with_logging_binary<F, Fut>(f: F) -> String
where
    F: FnOnce(SlackDriver) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use tandem::sandbox::{
        FakeSlack, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN, SANDBOX_SIGNING_SECRET,
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .expect("the fake Slack starts");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let log_path = dir.path().join("tandem.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("tandem.db").display()),
        )
        .env("SLACK_BOT_TOKEN", SANDBOX_BOT_TOKEN)
        .env("SLACK_SIGNING_SECRET", SANDBOX_SIGNING_SECRET)
        .env("SLACK_API_URL", fake.api_url())
        .env("TANDEM_LISTEN", format!("127.0.0.1:{port}"))
        .env("TANDEM_LOG_FORMAT", "pretty")
        .env("RUST_LOG", "info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("tandem serve starts");
    let read = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let deadline = std::time::Instant::now() + WAIT;
    while !read().contains("Tandem is listening") {
        assert!(
            std::time::Instant::now() < deadline,
            "tandem serve did not start:\n{}",
            read()
        );
        assert!(
            child.try_wait().expect("child status").is_none(),
            "tandem serve exited:\n{}",
            read()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let driver = SlackDriver::new(
        &format!("http://127.0.0.1:{port}"),
        SANDBOX_SIGNING_SECRET,
        fake.clone(),
    )
    .expect("an HTTP client");
    f(driver).await;
    let _ = child.kill();
    let _ = child.wait();
    read()
}

#[tokio::test]
async fn a_flood_of_refused_requests_writes_a_few_plain_log_lines() {
    let long = format!("\u{202e}{}", "x".repeat(200_000));
    let log = with_logging_binary(|driver| async move {
        let command = driver.command_form(ALICE, "help");
        let stale = chrono::Utc::now().timestamp() - 3600;
        for i in 0..500 {
            let signing = match i % 3 {
                0 => Signing::Unsigned,
                1 => Signing::WrongSecret,
                _ => Signing::At(stale),
            };
            let r = driver
                .post("/slack/commands", FORM, command.clone(), signing)
                .await;
            assert_eq!(r.status, 401, "{}", r.body);
        }
        for _ in 0..50 {
            let body = json!({ "type": long }).to_string().into_bytes();
            let r = driver
                .post("/slack/events", "application/json", body, Signing::Valid)
                .await;
            assert_eq!(r.status, 400);
        }
        for _ in 0..50 {
            let r = driver
                .post("/slack/events", FORM, b"a=b".to_vec(), Signing::Valid)
                .await;
            assert_eq!(r.status, 415);
        }
        assert_eq!(driver.get("/healthz").await.status, 200);
    })
    .await;
    let after_start: Vec<&str> = log
        .lines()
        .skip_while(|l| !l.contains("Tandem is listening"))
        .skip(1)
        .collect();
    assert!(
        after_start.len() <= 6,
        "600 refused requests wrote {} log lines:\n{}",
        after_start.len(),
        after_start.join("\n")
    );
    let refused: Vec<&&str> = after_start
        .iter()
        .filter(|l| l.contains("refused a request"))
        .collect();
    assert_eq!(
        refused.len(),
        5,
        "one line for each reason (missing, bad and stale signature, malformed, content type):\n{}",
        log
    );
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log file:\n{log}"
    );
    assert!(!log.contains('\u{202e}'), "a raw override in the log");
    assert!(
        log.lines().all(|l| l.len() < 500),
        "a long line: {}",
        log.lines().map(str::len).max().unwrap_or_default()
    );
    assert!(log.contains("\\u{202e}xxxx"), "the echo is escaped:\n{log}");
}

/// `/metrics` in the Prometheus text format: requests by route and status, refusals by reason, jobs by kind and
/// outcome, Web API calls by method and result, and the queue; no user ID anywhere.
#[tokio::test]
async fn metrics_are_scraped_in_the_prometheus_text_format() {
    let app = spawn().await;
    assert_eq!(app.driver.command(ALICE, "help").await.status, 200);
    let forged = app
        .driver
        .post(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            b"command=%2Fmentor&text=help".to_vec(),
            Signing::WrongSecret,
        )
        .await;
    assert_eq!(forged.status, 401);
    joined(
        &app,
        ALICE,
        &answers(Role::Associate, 3, &["ai_drafting"], &["negotiation"]),
    )
    .await;
    let r = app.driver.get("/metrics").await;
    assert_eq!(r.status, 200);
    assert!(
        r.content_type.starts_with("application/openmetrics-text"),
        "{}",
        r.content_type
    );
    let text = r.body;
    let value = |line_start: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {line_start} in\n{text}"))
    };
    assert!(value(r#"tandem_http_requests_total{route="/slack/commands",status="200"}"#) >= 2.0);
    assert_eq!(
        value(r#"tandem_http_requests_total{route="/slack/commands",status="401"}"#),
        1.0
    );
    assert_eq!(
        value(r#"tandem_refused_requests_total{reason="bad_signature"}"#),
        1.0
    );
    assert_eq!(
        value(r#"tandem_jobs_total{kind="welcome",outcome="done"}"#),
        1.0
    );
    assert!(value(r#"tandem_slack_api_calls_total{method="views.open",result="ok"}"#) >= 1.0);
    assert_eq!(value("tandem_job_queue_depth"), 0.0);
    assert_eq!(value("tandem_job_oldest_due_age_seconds"), 0.0);
    assert!(!text.contains(ALICE), "no user ID in any label");
    assert!(text.trim_end().ends_with("# EOF"));
}
