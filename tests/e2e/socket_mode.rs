//! Socket Mode: the same commands, events and interactions arrive over a WebSocket and go through the same dispatcher.

use crate::common::*;
use serde_json::json;
use tandem::sandbox::driver::app_home_opened;

async fn socket_app() -> TestApp {
    let app = spawn_with(|o| o.socket_mode = true).await;
    app.fake
        .socket()
        .wait_connections(1, WAIT)
        .await
        .expect("Tandem connects over Socket Mode");
    app
}

#[tokio::test]
async fn a_slash_command_over_socket_mode_is_acknowledged_with_the_reply() {
    let app = socket_app().await;
    let opened = app.fake.calls_to("apps.connections.open");
    assert_eq!(
        opened[0].token.as_deref(),
        Some(tandem::sandbox::SANDBOX_APP_TOKEN),
        "opened with the app token"
    );
    let payload = json!({"team_id": "T0TANDEM", "channel_id": "C0GENERAL", "user_id": ALICE, "command": "/mentor", "text": "help", "trigger_id": app.fake.issue_trigger_id(), "response_url": "https://hooks.slack.com/x"});
    let ack = app
        .fake
        .socket()
        .send("slash_commands", payload, WAIT)
        .await
        .unwrap();
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("/mentor help")
    );
}

#[tokio::test]
async fn events_over_socket_mode_are_deduplicated_like_http_ones() {
    let app = socket_app().await;
    let envelope = |id: &str| json!({"type": "event_callback", "event_id": id, "team_id": "T0TANDEM", "event": app_home_opened(ALICE)});
    let ack = app
        .fake
        .socket()
        .send("events_api", envelope("EvSock"), WAIT)
        .await
        .unwrap();
    assert!(ack.get("payload").is_none());
    app.fake
        .socket()
        .send("events_api", envelope("EvSock"), WAIT)
        .await
        .unwrap();
    // The same event over HTTP is a duplicate too: one store, one dispatcher.
    app.driver
        .event("EvSock", app_home_opened(ALICE), Some(1))
        .await;
    settle(&app).await;
    assert_eq!(app.fake.calls_to("views.publish").len(), 1);
}

#[tokio::test]
async fn malformed_envelopes_are_acknowledged_without_effect() {
    let app = socket_app().await;
    let ack = app
        .fake
        .socket()
        .send("interactive", json!({"type": "telepathy"}), WAIT)
        .await
        .unwrap();
    assert!(ack.get("payload").is_none());
    let ack = app
        .fake
        .socket()
        .send("events_api", json!({"nonsense": true}), WAIT)
        .await
        .unwrap();
    assert!(ack["envelope_id"].is_string());
    settle(&app).await;
    assert!(app.fake.calls_to("views.publish").is_empty());
}

#[tokio::test]
async fn tandem_reconnects_when_slack_asks_it_to() {
    let app = socket_app().await;
    app.fake.socket().send_disconnect().unwrap();
    app.fake.socket().wait_connections(2, WAIT).await.unwrap();
    let payload = json!({"user_id": ALICE, "command": "/mentor", "text": ""});
    let ack = app
        .fake
        .socket()
        .send("slash_commands", payload, WAIT)
        .await
        .unwrap();
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
}
