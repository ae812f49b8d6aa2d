//! The `tandem` binary itself: help, version, configuration errors, migrate, and a real `serve` over Socket Mode
//! whose logs must not contain a token.

use crate::common::*;
use serde_json::json;
use std::process::{Command, Stdio};
use tandem::sandbox::{FakeSlack, SANDBOX_APP_TOKEN, SANDBOX_BOT_TOKEN};

fn tandem() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tandem"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

#[test]
fn help_and_version_answer() {
    let out = tandem().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("serve") && text.contains("migrate") && text.contains("reverse-mentoring")
    );
    let out = tandem().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("tandem {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn serve_help_and_readme_document_every_variable() {
    let out = tandem().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for v in tandem::context::config::VARIABLES {
        assert!(
            help.contains(v.name),
            "`tandem serve --help` does not mention {}",
            v.name
        );
        assert!(
            readme.contains(&format!("| `{}` |", v.name)),
            "README.md's table does not mention {}",
            v.name
        );
    }
}

#[test]
fn a_missing_or_malformed_variable_stops_start_up_with_one_line_naming_it() {
    let out = tandem().arg("serve").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("SLACK_BOT_TOKEN"), "{err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"));

    let out = tandem()
        .arg("serve")
        .env("SLACK_BOT_TOKEN", "xoxb-secret-value-123")
        .env("SLACK_SIGNING_SECRET", "shh")
        .env("TANDEM_LISTEN", "not-an-address")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.starts_with("tandem: error: TANDEM_LISTEN"), "{err}");
    assert!(!err.contains("xoxb-secret-value-123"));
}

#[test]
fn migrate_creates_the_database_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let first = tandem()
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert!(
        String::from_utf8_lossy(&first.stdout)
            .contains(&format!("{migrations} migration(s) applied")),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let again = tandem()
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 migration(s) applied"));
    let bad = tandem()
        .arg("migrate")
        .env("DATABASE_URL", "sqlite:///no/such/dir/x.db")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).starts_with("tandem: error: cannot open the database")
    );
}

/// Kills the child when the test ends, even on failure.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

#[tokio::test]
async fn serve_runs_over_socket_mode_and_never_logs_a_secret() {
    let fake = FakeSlack::start(SANDBOX_BOT_TOKEN, SANDBOX_APP_TOKEN)
        .await
        .unwrap();
    fake.add_user(ALICE, "Alice Archer", "Europe/London");
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("stderr.log");
    let child = tandem()
        .arg("serve")
        .env("SLACK_BOT_TOKEN", SANDBOX_BOT_TOKEN)
        .env("SLACK_APP_TOKEN", SANDBOX_APP_TOKEN)
        .env("SLACK_SIGNING_SECRET", "signing-secret-never-logged")
        .env("SLACK_API_URL", fake.api_url())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("t.db").display()),
        )
        .env("TANDEM_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "debug")
        .env("TANDEM_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut child = Child(child);
    fake.socket()
        .wait_connections(1, WAIT)
        .await
        .expect("the binary connects over Socket Mode");
    let event = json!({"type": "event_callback", "event_id": "EvBin", "team_id": "T0TANDEM", "event": tandem::sandbox::driver::app_home_opened(ALICE)});
    fake.socket().send("events_api", event, WAIT).await.unwrap();
    fake.wait_for_calls("views.publish", 1, WAIT).await.unwrap();
    let ack = fake
        .socket()
        .send(
            "slash_commands",
            json!({"user_id": ALICE, "command": "/mentor", "text": "help"}),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    let _ = child.0.kill();
    let _ = child.0.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("Socket Mode connected"), "{log}");
    for line in log.lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not a JSON log line: {line}"
        );
    }
    for secret in [
        SANDBOX_BOT_TOKEN,
        SANDBOX_APP_TOKEN,
        "signing-secret-never-logged",
    ] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
}

#[test]
fn a_bad_configuration_file_stops_start_up_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let skills = dir.path().join("skills.toml");
    std::fs::write(
        &skills,
        "[[skill]]\nid = \"a\"\nlabel = \"A\"\ngroup = \"cooking\"\n",
    )
    .unwrap();
    let rules = dir.path().join("matching.toml");
    std::fs::write(&rules, "[weights]\nteach_up = \"ten\"\n").unwrap();
    let holidays = dir.path().join("holidays.toml");
    std::fs::write(
        &holidays,
        "holidays = [\n  \"2026-12-25\",\n  \"2026-02-30\",\n]\n",
    )
    .unwrap();
    let calendar = dir.path().join("holidays.ics");
    std::fs::write(
        &calendar,
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261225\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    for (var, file, line) in [
        ("TANDEM_SKILLS_FILE", &skills, 4),
        ("TANDEM_MATCHING_FILE", &rules, 2),
        ("TANDEM_HOLIDAYS_FILE", &holidays, 3),
        ("TANDEM_HOLIDAYS_FILE", &calendar, 4),
    ] {
        let out = tandem()
            .arg("serve")
            .env("SLACK_BOT_TOKEN", "xoxb-1")
            .env("SLACK_SIGNING_SECRET", "s")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("t.db").display()),
            )
            .env(var, file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("{}:{line}: ", file.display())),
            "{var}: {err}"
        );
    }
}
