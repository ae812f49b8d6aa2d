//! Socket Mode: the same commands, events and interactions arrive over a WebSocket and go through the same dispatcher.

use crate::common::*;
use serde_json::json;
use std::time::{Duration, Instant};
use tandem::inbound::socket::SocketTimings;
use tandem::sandbox::driver::app_home_opened;

/// Short enough that a dead connection is noticed in well under a second.
const FAST: SocketTimings = SocketTimings {
    ping_interval: Duration::from_millis(200),
    read_timeout: Duration::from_millis(600),
    backoff_min: Duration::from_millis(100),
    backoff_max: Duration::from_secs(2),
};

async fn socket_app() -> TestApp {
    let app = spawn_with(|o| {
        o.socket_mode = true;
        // Short Socket Mode timings make tests of a bad network fast.
        o.app.socket = FAST;
    })
    .await;
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

/// `/mentor help` over the newest connection, answered.
async fn help_over_socket(app: &TestApp) {
    let payload = json!({"user_id": ALICE, "command": "/mentor", "text": "help"});
    let ack = app
        .fake
        .socket()
        .send("slash_commands", payload, WAIT)
        .await
        .expect("the command is acknowledged");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
}

#[tokio::test]
async fn tandem_reconnects_when_slack_asks_it_to() {
    for reason in ["refresh_requested", "warning"] {
        let app = socket_app().await;
        let socket = app.fake.socket();
        socket.send_disconnect_because(reason).unwrap();
        socket.wait_connections(2, WAIT).await.unwrap();
        // The old connection is closed by Tandem once the new one is open, not before.
        socket.wait_open(1, WAIT).await.unwrap();
        assert_eq!(
            socket.counts().peak_open,
            2,
            "{reason}: the next connection opened before the old one closed"
        );
        help_over_socket(&app).await;
    }
}

#[tokio::test]
async fn a_silent_server_is_given_up_and_tandem_reconnects() {
    let app = socket_app().await;
    let socket = app.fake.socket();
    help_over_socket(&app).await;
    // Pings go unanswered and nothing arrives, but the TCP connection stays open: only the read timeout notices.
    let silenced = Instant::now();
    socket.go_silent().unwrap();
    socket.wait_connections(2, WAIT).await.unwrap();
    let noticed = silenced.elapsed();
    assert!(
        noticed >= FAST.read_timeout - FAST.ping_interval,
        "the silent connection was given up after {noticed:?}, before the read timeout"
    );
    // Tandem dropped the silent connection (the fake saw its TCP connection close).
    socket.wait_open(1, WAIT).await.unwrap();
    help_over_socket(&app).await;
    assert_eq!(socket.connections(), 2);
}

#[tokio::test]
async fn a_healthy_connection_survives_many_ping_intervals() {
    let app = socket_app().await;
    help_over_socket(&app).await;
    // Pongs keep an idle connection alive well past the read timeout (an observation window, not synchronisation).
    tokio::time::sleep(FAST.read_timeout * 3).await;
    assert_eq!(
        app.fake.socket().connections(),
        1,
        "no reconnection while Slack answers pings"
    );
    help_over_socket(&app).await;
}

#[tokio::test]
async fn link_disabled_is_retried_with_backoff() {
    let app = socket_app().await;
    let socket = app.fake.socket();
    socket.send_disconnect_because("link_disabled").unwrap();
    socket.wait_connections(2, WAIT).await.unwrap();
    socket.wait_open(1, WAIT).await.unwrap();
    help_over_socket(&app).await;
}

/// `wss://` works from Tandem's own features: the client starts a TLS handshake (a ClientHello arrives) rather than
/// failing with "TLS support not compiled in". Against a plain TCP listener on loopback: no network needed.
#[tokio::test]
async fn wss_support_is_compiled_in() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first_bytes = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 3];
        tcp.read_exact(&mut head).await.map(|_| head)
    });
    let url = format!("wss://127.0.0.1:{port}/link/?ticket=x");
    let result = tandem::inbound::socket::connect_websocket(&url, Duration::from_secs(5)).await;
    let Err(err) = result else {
        panic!("a plain TCP listener cannot complete a TLS handshake");
    };
    assert!(
        !matches!(
            err,
            tokio_tungstenite::tungstenite::Error::Url(
                tokio_tungstenite::tungstenite::error::UrlError::TlsFeatureNotEnabled
            )
        ),
        "wss:// is not supported: {err}"
    );
    let head = first_bytes
        .await
        .unwrap()
        .expect("the client sent something");
    assert_eq!(
        (head[0], head[1]),
        (0x16, 0x03),
        "a TLS handshake record opens the connection ({err})"
    );
}

/// The TLS feature is declared by Tandem itself, not inherited from another crate's features (which a dependency
/// bump could drop while every test stays green).
#[test]
fn wss_support_is_declared_in_tandems_own_manifest() {
    let manifest: toml::Table =
        toml::from_str(include_str!("../../Cargo.toml")).expect("Cargo.toml parses");
    let features = manifest["dependencies"]["tokio-tungstenite"]["features"]
        .as_array()
        .expect("tokio-tungstenite is declared with features");
    assert!(
        features
            .iter()
            .any(|f| f.as_str().is_some_and(|f| f.starts_with("rustls-tls"))),
        "tokio-tungstenite's rustls feature is enabled by Tandem's Cargo.toml: {features:?}"
    );
}
