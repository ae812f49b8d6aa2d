//! Issue 11: property tests over the three signed request URLs, against one running sandbox per property.
//!
//! Arbitrary bodies (raw bytes, and form- and JSON-shaped ones close to what Slack sends), content types and
//! signature headers. Whatever arrives: never a panic (a dropped connection), never a 5xx; without a valid signature
//! 401 and no effect; validly signed, 415 exactly when the content type is not Slack's for that URL, and any 400 or
//! 415 answer short and free of control and bidi characters.
//!
//! Each property reuses one sandbox across its cases (a tokio runtime outside the runner, `block_on` per case).
//! `PROPTEST_CASES` does not apply: the case counts are fixed to keep the file under a few seconds.

use crate::common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tandem::sandbox::SANDBOX_SIGNING_SECRET;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const CASES: u32 = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Events,
    Commands,
    Interactions,
}

impl Route {
    fn path(self) -> &'static str {
        match self {
            Route::Events => "/slack/events",
            Route::Commands => "/slack/commands",
            Route::Interactions => "/slack/interactions",
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Route::Events => JSON,
            _ => FORM,
        }
    }
}

fn route() -> impl Strategy<Value = Route> {
    prop_oneof![
        Just(Route::Events),
        Just(Route::Commands),
        Just(Route::Interactions)
    ]
}

/// The Content-Type header a case sends.
#[derive(Debug, Clone)]
enum ContentType {
    /// Slack's own for the URL, as given (`application/json; charset=utf-8`, …).
    Right(&'static str),
    /// The other one of Slack's two.
    Swapped,
    /// Any header value.
    Raw(Vec<u8>),
    Missing,
}

impl ContentType {
    fn value(&self, route: Route) -> Option<Vec<u8>> {
        match self {
            ContentType::Right(params) => Some(format!("{}{params}", route.media_type()).into()),
            ContentType::Swapped => Some(
                if route.media_type() == JSON {
                    FORM
                } else {
                    JSON
                }
                .into(),
            ),
            ContentType::Raw(v) => Some(v.clone()),
            ContentType::Missing => None,
        }
    }
}

/// Whether a Content-Type value names Slack's media type for `route` (parameters allowed, case ignored).
fn is_slacks(value: Option<&[u8]>, route: Route) -> bool {
    value
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(route.media_type()))
}

/// Bytes a header value may hold (visible ASCII, tab, obs-text).
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![8 => 0x20u8..0x7f, 1 => 0x80u8..=0xff, 1 => Just(b'\t')],
        0..48,
    )
}

fn content_type() -> impl Strategy<Value = ContentType> {
    prop_oneof![
        12 => prop::sample::select(vec!["", "; charset=utf-8", ";charset=UTF-8", " ; q=1"]).prop_map(ContentType::Right),
        1 => Just(ContentType::Swapped),
        1 => prop::sample::select(vec!["text/plain", "multipart/form-data; boundary=x", "application/jsonx", "application/json-seq", "*/*"])
            .prop_map(|v| ContentType::Raw(v.into())),
        1 => header_bytes().prop_map(ContentType::Raw),
        1 => Just(ContentType::Missing),
    ]
}

const WORDS: &[&str] = &[
    "",
    "U0ALICE",
    "U0BOB",
    "U0NOBODY",
    "/mentor",
    "event_callback",
    "url_verification",
    "app_rate_limited",
    "app_home_opened",
    "home",
    "messages",
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "survey",
    "plan",
    "checkin_met",
    "feedback",
    "help_request",
    "trouble_message",
    "home_join",
    "home_edit",
    "home_pause",
    "home_resume",
    "home_leave",
    "proposal_approve",
    "proposal_discard",
    "leave_confirm",
    "leave_cancel",
    "1",
    "0",
    "-1",
    "1:x",
    "99999999999999999999",
    "null",
];

/// Text for a field: a word Tandem knows, printable ASCII or any Unicode (bidi overrides included).
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_string),
        2 => "[ -~]{0,24}",
        2 => any::<String>(),
        1 => Just("\u{202e}\u{2066}x\u{0}\n".to_string()),
    ]
    .boxed()
}

/// Mostly one of `known`, sometimes any text.
fn one_of(known: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(known).prop_map(str::to_string),
        1 => text(),
    ]
    .boxed()
}

/// A key of an object is dropped with a probability of about 1/8.
fn sparse_mask() -> impl Strategy<Value = u32> {
    any::<u32>().prop_map(|m| m & m.rotate_left(7) & m.rotate_left(13))
}

const USERS: &[&str] = &["U0ALICE", "U0BOB", "U0NOBODY"];

/// A `response_url`: the fake's, or text that is no URL. Tandem posts to a request's `response_url`, so a test may
/// only ever put the fake's address there.
fn response_url(hook: &str) -> BoxedStrategy<String> {
    prop_oneof![Just(hook.to_string()), Just(String::new()), "[a-z ]{0,12}"].boxed()
}

/// Any key but `response_url`.
fn key() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec![
            "type",
            "event",
            "event_id",
            "team_id",
            "challenge",
            "user",
            "id",
            "tab",
            "actions",
            "action_id",
            "block_id",
            "value",
            "view",
            "callback_id",
            "private_metadata",
            "state",
            "values",
            "trigger_id",
            "container",
            "channel_id",
            "message_ts",
            "payload",
            "command",
            "text",
            "user_id",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,8}",
    ]
    .boxed()
}

/// Any JSON, a few levels deep, with keys Tandem reads among others.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Drops the keys of `v` (an object) whose bit in `mask` is set.
fn drop_keys(mut v: Value, mask: u32) -> Value {
    if let Value::Object(map) = &mut v {
        let keys: Vec<String> = map.keys().cloned().collect();
        for (i, k) in keys.iter().enumerate() {
            if mask & (1 << (i % 32)) != 0 {
                map.remove(k);
            }
        }
    }
    v
}

/// An Events API body shaped like Slack's, with arbitrary values and missing keys.
fn event_body() -> BoxedStrategy<Vec<u8>> {
    (
        one_of(&["event_callback", "url_verification", "app_rate_limited"]),
        text(),
        text(),
        text(),
        (one_of(&["app_home_opened", "reaction_added"]), one_of(USERS), one_of(&["home", "messages"])),
        (sparse_mask(), sparse_mask()),
    )
        .prop_map(|(kind, event_id, team, challenge, (inner, user, tab), (outer_mask, inner_mask))| {
            let event = drop_keys(json!({ "type": inner, "user": user, "tab": tab }), inner_mask);
            drop_keys(
                json!({ "type": kind, "event_id": event_id, "team_id": team, "challenge": challenge, "event": event }),
                outer_mask,
            )
            .to_string()
            .into_bytes()
        })
        .boxed()
}

fn command_text() -> BoxedStrategy<String> {
    let word = prop::sample::select(vec![
        "join",
        "profile",
        "status",
        "pause",
        "resume",
        "end",
        "leave",
        "help",
        "match",
        "report",
        "exclude",
        "unexclude",
        "capacity",
        "audit",
        "mydata",
        "HELP",
        "",
    ]);
    let arg = prop_oneof![
        prop::sample::select(vec![
            "<@U0BOB>",
            "<@U0ALICE|alice>",
            "@U0BOB",
            "3",
            "0",
            "-1",
            "99999999999999999999",
            "5",
            "6"
        ])
        .prop_map(str::to_string),
        text(),
    ];
    (word, prop::collection::vec(arg, 0..3))
        .prop_map(|(w, args)| {
            std::iter::once(w.to_string())
                .chain(args)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .boxed()
}

/// A slash command form shaped like Slack's, with arbitrary values, fields missing, repeated or extra.
fn command_body(hook: &str) -> BoxedStrategy<Vec<u8>> {
    let fields = (
        one_of(USERS),
        prop_oneof![4 => Just("/mentor".to_string()), 1 => text()],
        command_text(),
        (text(), text(), text()),
        response_url(hook),
        sparse_mask(),
        prop::collection::vec((key(), text()), 0..2),
    );
    fields
        .prop_map(
            |(user, command, text, (team, channel, trigger), url, mask, extra)| {
                let named = [
                    ("user_id", user),
                    ("command", command),
                    ("text", text),
                    ("team_id", team),
                    ("channel_id", channel),
                    ("trigger_id", trigger),
                    ("response_url", url),
                ];
                let mut pairs: Vec<(String, String)> = named
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) == 0)
                    .map(|(_, (k, v))| (k.to_string(), v))
                    .collect();
                pairs.extend(extra);
                serde_urlencoded::to_string(pairs)
                    .unwrap_or_default()
                    .into_bytes()
            },
        )
        .boxed()
}

/// A modal's `state.values`: block → action → an element's value object.
fn state_values() -> BoxedStrategy<Value> {
    let element = (
        prop::sample::select(vec![
            "plain_text_input",
            "static_select",
            "multi_static_select",
            "checkboxes",
            "number_input",
            "datepicker",
            "radio_buttons",
            "users_select",
        ]),
        text(),
        text(),
        prop::collection::vec(text(), 0..3),
        any::<u32>(),
    )
        .prop_map(|(kind, value, date, many, mask)| {
            let options: Vec<Value> = many.into_iter().map(|v| json!({ "value": v })).collect();
            drop_keys(
                json!({
                    "type": kind, "value": value, "selected_option": { "value": date.clone() },
                    "selected_options": options, "selected_date": date, "selected_user": "U0BOB",
                }),
                mask,
            )
        });
    prop::collection::btree_map(
        text(),
        prop::collection::btree_map(text(), element, 0..3),
        0..4,
    )
    .prop_map(|m| json!(m))
    .boxed()
}

/// An interaction payload shaped like Slack's, with arbitrary values and missing keys.
fn interaction_payload(hook: &str) -> BoxedStrategy<Value> {
    let action = (
        one_of(&[
            "home_join", "home_edit", "home_pause", "home_resume", "home_leave", "proposal_approve",
            "proposal_discard", "leave_confirm", "leave_cancel", "checkin_met", "checkin_not_yet", "checkin_help", "plan_open",
            "checkin_review", "checkin_change_met", "checkin_change_not_yet", "feedback_open", "trouble_message", "trouble_end", "trouble_rematch",
        ]),
        text(),
        one_of(&["1", "2", "0", "-1", "99999999999999999999", "1:x"]),
    )
        .prop_map(|(action_id, block_id, value)| {
            json!({ "type": "button", "action_id": action_id, "block_id": block_id, "value": value })
        });
    let view = (
        text(),
        one_of(&["survey", "plan", "checkin_met", "feedback"]),
        one_of(&["1", "2", "1:x", ""]),
        state_values(),
    )
        .prop_map(|(id, callback_id, metadata, values)| {
            json!({ "id": id, "type": "modal", "callback_id": callback_id, "private_metadata": metadata,
                    "state": { "values": values } })
        });
    (
        one_of(&["block_actions", "view_submission", "view_closed", "shortcut", "block_suggestion"]),
        one_of(USERS),
        text(),
        prop::collection::vec(action, 0..3),
        view,
        (text(), text()),
        response_url(hook),
        sparse_mask(),
    )
        .prop_map(|(kind, user, trigger, actions, view, (channel, ts), url, mask)| {
            drop_keys(
                json!({
                    "type": kind, "user": { "id": user }, "trigger_id": trigger, "actions": actions, "view": view,
                    "container": { "channel_id": channel, "message_ts": ts }, "response_url": url,
                }),
                mask,
            )
        })
        .boxed()
}

fn interaction_body(hook: &str) -> BoxedStrategy<Vec<u8>> {
    let payload = prop_oneof![
        3 => interaction_payload(hook).prop_map(|v| v.to_string()),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => text(),
    ];
    prop_oneof![
        4 => payload.prop_map(|p| serde_urlencoded::to_string([("payload", p)]).unwrap_or_default().into_bytes()),
        1 => prop::collection::vec((key(), text()), 0..4)
            .prop_map(|kv| serde_urlencoded::to_string(kv).unwrap_or_default().into_bytes()),
    ]
    .boxed()
}

/// Any body for any URL: bytes, form-ish and JSON-ish text, and bodies shaped for each of the three URLs.
fn any_body(hook: &str) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        "[a-z_=&%0-9A-F+.]{0,80}".prop_map(String::into_bytes),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        event_body(),
        command_body(hook),
        interaction_body(hook),
    ]
    .boxed()
}

/// A URL and a body for it: mostly shaped for that URL, sometimes anything.
fn routed_body(hook: &str) -> BoxedStrategy<(Route, Vec<u8>)> {
    prop_oneof![
        2 => (Just(Route::Events), event_body()),
        2 => (Just(Route::Commands), command_body(hook)),
        2 => (Just(Route::Interactions), interaction_body(hook)),
        1 => (route(), any_body(hook)),
    ]
    .boxed()
}

/// How a request without a valid signature is made up.
#[derive(Debug, Clone)]
enum Unsigned {
    /// Whatever timestamp and signature headers, each possibly missing.
    Raw {
        timestamp: Option<Vec<u8>>,
        signature: Option<Vec<u8>>,
    },
    /// A fresh timestamp (this many seconds off now, well inside five minutes) and a signature that is wrong.
    Forged { skew: i64, how: Forgery },
    /// The right secret over the right body and timestamp, but the timestamp is over five minutes away.
    Stale { skew: i64 },
}

#[derive(Debug, Clone)]
enum Forgery {
    Missing,
    RandomMac([u8; 32]),
    WrongSecret(String),
    /// Signed over another body (this appended).
    OtherBody(Vec<u8>),
    /// Signed over another timestamp (this many seconds off the one sent).
    OtherTimestamp(i64),
    /// The right signature with its last characters cut.
    Truncated(usize),
    /// The right hex without `v0=`.
    NoPrefix,
    /// The right signature with one hex digit changed.
    Flipped(usize),
}

fn unsigned() -> impl Strategy<Value = Unsigned> {
    let forgery = prop_oneof![
        Just(Forgery::Missing),
        any::<[u8; 32]>().prop_map(Forgery::RandomMac),
        any::<String>()
            .prop_filter("another secret", |s| s != SANDBOX_SIGNING_SECRET)
            .prop_map(Forgery::WrongSecret),
        prop::collection::vec(any::<u8>(), 1..8).prop_map(Forgery::OtherBody),
        (1i64..100_000)
            .prop_flat_map(|d| prop_oneof![Just(d), Just(-d)])
            .prop_map(Forgery::OtherTimestamp),
        (1usize..67).prop_map(Forgery::Truncated),
        Just(Forgery::NoPrefix),
        (0usize..64).prop_map(Forgery::Flipped),
    ];
    let stale = prop_oneof![
        (5 * 60 + 5i64..10_000_000_000),
        (-10_000_000_000i64..-(5 * 60 + 5)),
    ];
    prop_oneof![
        2 => (prop::option::of(header_bytes()), prop::option::of(header_bytes()))
            .prop_map(|(timestamp, signature)| Unsigned::Raw { timestamp, signature }),
        3 => (-240i64..240, forgery).prop_map(|(skew, how)| Unsigned::Forged { skew, how }),
        1 => stale.prop_map(|skew| Unsigned::Stale { skew }),
    ]
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn sign(ts: &str, body: &[u8]) -> String {
    tandem::inbound::signature::sign(SANDBOX_SIGNING_SECRET, ts, body)
}

/// The (timestamp, signature) headers a case sends.
fn unsigned_headers(u: &Unsigned, body: &[u8]) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    match u {
        Unsigned::Raw {
            timestamp,
            signature,
        } => (timestamp.clone(), signature.clone()),
        Unsigned::Stale { skew } => {
            let ts = (now() + skew).to_string();
            let sig = sign(&ts, body);
            (Some(ts.into()), Some(sig.into()))
        }
        Unsigned::Forged { skew, how } => {
            let ts = (now() + skew).to_string();
            let right = sign(&ts, body);
            let sig = match how {
                Forgery::Missing => None,
                Forgery::RandomMac(mac) => Some(format!("v0={}", hex::encode(mac))),
                Forgery::WrongSecret(secret) => {
                    Some(tandem::inbound::signature::sign(secret, &ts, body))
                }
                Forgery::OtherBody(extra) => Some(sign(&ts, &[body, extra.as_slice()].concat())),
                Forgery::OtherTimestamp(d) => Some(sign(&(now() + skew + d).to_string(), body)),
                Forgery::Truncated(n) => Some(right[..right.len() - n].to_string()),
                Forgery::NoPrefix => Some(right[3..].to_string()),
                Forgery::Flipped(i) => {
                    let mut s = right.into_bytes();
                    let at = 3 + i;
                    s[at] = if s[at] == b'0' { b'1' } else { b'0' };
                    String::from_utf8(s).ok()
                }
            };
            (Some(ts.into()), sig.map(String::into_bytes))
        }
    }
}

struct Answer {
    status: u16,
    body: String,
}

/// Posts a request with exactly these headers (values as raw bytes); status 0 when the connection fails, as it does
/// when the handler panics.
async fn send(
    sut: &Sut,
    route: Route,
    content_type: Option<Vec<u8>>,
    headers: &[(&'static str, Option<Vec<u8>>)],
    body: Vec<u8>,
) -> Answer {
    use reqwest::header::{HeaderName, HeaderValue};
    let mut req = sut
        .http
        .post(format!("http://{}{}", sut.app.server.addr(), route.path()));
    let all = std::iter::once(("content-type", content_type)).chain(headers.iter().cloned());
    for (name, value) in all {
        if let Some(v) = value.and_then(|v| HeaderValue::from_bytes(&v).ok()) {
            req = req.header(HeaderName::from_static(name), v);
        }
    }
    match req.body(body).send().await {
        Ok(r) => Answer {
            status: r.status().as_u16(),
            body: r.text().await.unwrap_or_default(),
        },
        Err(e) => Answer {
            status: 0,
            body: e.to_string(),
        },
    }
}

/// What a request could have changed: the row count of every table and the number of Web API calls.
async fn effects(app: &TestApp) -> (Vec<(String, i64)>, usize) {
    let tables: Vec<String> = app.app().store().table_names().await.expect("tables");
    let mut rows = Vec::new();
    for t in tables {
        let n = count(app, &format!("\"{t}\"")).await;
        rows.push((t, n));
    }
    (rows, app.fake.calls().len())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    })
}

/// The system under test: one sandbox and a client for it.
struct Sut {
    app: TestApp,
    http: reqwest::Client,
}

/// Runs `check` for each case of `strategy` against one sandbox (`ALICE` an admin); panics with the smallest
/// failing case.
fn for_all<S: Strategy>(
    strategy: impl FnOnce(&str) -> S,
    check: impl AsyncFn(&Sut, S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let rt = runtime();
    let sut = rt.block_on(async {
        Sut {
            app: spawn_with(|o| o.admins = vec![ALICE.to_string()]).await,
            http: tandem::outbound::slack_api::http_client().expect("an HTTP client"),
        }
    });
    let hook = sut.app.fake.response_url();
    let result = runner().run(&strategy(&hook), |case| rt.block_on(check(&sut, case)));
    rt.block_on(async move {
        // Whatever the requests set going finishes, and the server is still up.
        settle(&sut.app).await;
        assert_eq!(sut.app.driver.get("/healthz").await.status, 200);
        drop(sut);
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A 400 or 415 answer: short, and no control or bidi character from the request in it.
fn plain_and_short(a: &Answer) -> Result<(), TestCaseError> {
    prop_assert!(a.body.len() < 200, "{} bytes: {:?}", a.body.len(), a.body);
    let hidden = |c: char| {
        c.is_control()
            || ('\u{200b}'..='\u{200f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || c == '\u{feff}'
    };
    prop_assert!(!a.body.chars().any(hidden), "{:?}", a.body);
    Ok(())
}

#[test]
fn without_a_valid_signature_every_request_gets_401_and_changes_nothing() {
    let strategy = |hook: &str| {
        (
            routed_body(hook),
            content_type(),
            unsigned(),
            prop::option::of(header_bytes()),
        )
    };
    let baseline = std::sync::OnceLock::new();
    for_all(strategy, async |sut, ((route, body), ct, how, retry)| {
        let before = match baseline.get() {
            Some(b) => b,
            None => {
                let b = effects(&sut.app).await;
                baseline.get_or_init(|| b)
            }
        };
        let (ts, sig) = unsigned_headers(&how, &body);
        let headers = [
            ("x-slack-request-timestamp", ts),
            ("x-slack-signature", sig),
            ("x-slack-retry-num", retry),
        ];
        let a = send(sut, route, ct.value(route), &headers, body).await;
        prop_assert_eq!(a.status, 401, "{}", a.body);
        prop_assert_eq!(
            &effects(&sut.app).await,
            before,
            "a refused request had an effect"
        );
        Ok(())
    });
}

#[test]
fn validly_signed_garbage_never_panics_or_gets_a_5xx() {
    let strategy = |hook: &str| {
        (
            routed_body(hook),
            content_type(),
            prop::option::of(header_bytes()),
        )
    };
    for_all(strategy, async |sut, ((route, body), ct, retry)| {
        let ts = now().to_string();
        let sig = sign(&ts, &body);
        let ct = ct.value(route);
        let right_type = is_slacks(ct.as_deref(), route);
        let headers = [
            ("x-slack-request-timestamp", Some(ts.into_bytes())),
            ("x-slack-signature", Some(sig.into_bytes())),
            ("x-slack-retry-num", retry),
        ];
        // What earlier cases set going is done, so that what this one changes can be seen.
        settle(&sut.app).await;
        let before = effects(&sut.app).await;
        let a = send(sut, route, ct, &headers, body).await;
        prop_assert!(
            [200, 400, 415].contains(&a.status),
            "status {}: {}",
            a.status,
            a.body
        );
        prop_assert_eq!(a.status == 415, !right_type, "{}", a.body);
        if a.status != 200 {
            plain_and_short(&a)?;
            prop_assert_eq!(
                &effects(&sut.app).await,
                &before,
                "a refused request had an effect"
            );
        }
        Ok(())
    });
}
