//! Configuration from the environment, parsed once into a typed [`Config`].
//!
//! Every variable Tandem reads is listed in [`VARIABLES`]; `tandem serve --help` and README.md are written from the same
//! list (a test keeps README.md honest). A missing or malformed variable gives a [`ConfigError`] whose one-line message
//! names it and never repeats a secret's value.

use std::fmt;
use std::net::SocketAddr;

/// Moved to the core, where the survey checks it too; kept here for the callers that reach it through the config.
pub use crate::domain::slack_id::looks_like_slack_id;

/// A secret from the environment. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The value itself, for the one place that sends it (an HTTP header or an HMAC key).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// One environment variable: its name, its default (if any) and what it is for.
pub struct Variable {
    pub name: &'static str,
    pub default: Option<&'static str>,
    pub help: &'static str,
}

/// Every variable Tandem reads, in the order README.md and `--help` show them.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "SLACK_BOT_TOKEN",
        default: None,
        help: "Bot token of the Slack app (xoxb-...). Required.",
    },
    Variable {
        name: "SLACK_SIGNING_SECRET",
        default: None,
        help: "Signing secret of the Slack app; required in HTTP mode (when SLACK_APP_TOKEN is not set).",
    },
    Variable {
        name: "SLACK_APP_TOKEN",
        default: None,
        help: "App-level token (xapp-...) with connections:write. When set, Tandem uses Socket Mode and needs no public URL.",
    },
    Variable {
        name: "SLACK_API_URL",
        default: Some("https://slack.com/api"),
        help: "Base URL of Slack's Web API. Tests and the demo point it at a local stand-in.",
    },
    Variable {
        name: "DATABASE_URL",
        default: Some("sqlite://tandem.db"),
        help: "The database: sqlite://FILE (created when missing), or postgres://USER:PASSWORD@HOST:PORT/DB for a PostgreSQL database that exists (no TLS: a loopback port or a unix socket, e.g. postgres://tandem@%2Frun%2Fpostgresql/tandem).",
    },
    Variable {
        name: "TANDEM_LISTEN",
        default: Some("0.0.0.0:3000"),
        help: "Address for the HTTP listener (Slack's request URLs and /healthz).",
    },
    Variable {
        name: "TANDEM_ADMINS",
        default: Some(""),
        help: "Comma-separated Slack user IDs of program admins (U...), who may run matching and reports.",
    },
    Variable {
        name: "TANDEM_MANAGER_CHANNEL",
        default: None,
        help: "Channel ID (C... or G...) where manager summaries are posted.",
    },
    Variable {
        name: "TANDEM_SUMMARY_CRON",
        default: Some("0 9 * * 1"),
        help: "When the managers' summary is posted: a crontab line (minute hour day month weekday), in TANDEM_TZ.",
    },
    Variable {
        name: "TANDEM_ROUND_CRON",
        default: None,
        help: "When a matching round starts by itself: a crontab line in TANDEM_TZ (e.g. 0 9 1 */3 * for quarterly); the proposal still waits for an admin's approval. Unset: rounds start only with /mentor match.",
    },
    Variable {
        name: "TANDEM_TZ",
        default: Some("UTC"),
        help: "Time zone of TANDEM_SUMMARY_CRON and TANDEM_ROUND_CRON (IANA name, e.g. Europe/London).",
    },
    Variable {
        name: "TANDEM_CHECKIN_TIME",
        default: Some("10:00"),
        help: "Local time of day (HH:MM) every scheduled message arrives (check-ins, nudges, plan reminders, closing notes, invitations, the notes to people a round left out), in the recipient's time zone (for a pair, whichever of the two it is latest for), on a working day.",
    },
    Variable {
        name: "TANDEM_HOLIDAYS_FILE",
        default: None,
        help: "The firm's holidays, on which no scheduled message goes out: a TOML list of dates or an .ics calendar (see README). Without it, only weekends are off.",
    },
    Variable {
        name: "TANDEM_RETENTION_DAYS",
        default: Some("365"),
        help: "Days after a pair ends before its free text and per-person answers are deleted (1 to 3650; see README).",
    },
    Variable {
        name: "TANDEM_JOB_LEASE_SECS",
        default: Some("60"),
        help: "Seconds a replica holds a job it claimed before another replica may take it over (5 to 3600); the holder renews it every third of that while the job runs (see README, Several replicas).",
    },
    Variable {
        name: "TANDEM_SKILLS_FILE",
        default: None,
        help: "TOML file that replaces the default skill catalog (see README).",
    },
    Variable {
        name: "TANDEM_PRACTICE_GROUPS_FILE",
        default: None,
        help: "TOML file that replaces the default list of practice groups (see README).",
    },
    Variable {
        name: "TANDEM_MATCHING_FILE",
        default: None,
        help: "TOML file with matching weights and rules (side rule, seniority gap); omitted keys keep their defaults.",
    },
    Variable {
        name: "RUST_LOG",
        default: Some("info"),
        help: "Log filter, e.g. info or tandem=debug.",
    },
    Variable {
        name: "TANDEM_LOG_FORMAT",
        default: Some("pretty"),
        help: "Log format: pretty (for people) or json (for log shippers).",
    },
];

/// The text `tandem serve --help` shows after its options.
pub fn environment_help() -> String {
    let mut out = String::from("Environment variables:\n");
    // Two spaces after the longest name, so every description starts in the same column.
    let width = VARIABLES.iter().map(|v| v.name.len()).max().unwrap_or(0) + 2;
    for v in VARIABLES {
        out.push_str(&format!("  {:<width$}{}", v.name, v.help));
        if let Some(d) = v.default.filter(|d| !d.is_empty()) {
            out.push_str(&format!(" [default: {d}]"));
        }
        out.push('\n');
    }
    out
}

/// How Slack reaches Tandem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingress {
    /// Slack posts signed HTTP requests to our public URL.
    Http { signing_secret: Secret },
    /// Tandem opens a WebSocket to Slack with an app-level token; a signing secret, if given, also enables HTTP.
    SocketMode {
        app_token: Secret,
        signing_secret: Option<Secret>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bot_token: Secret,
    pub ingress: Ingress,
    pub slack_api_url: String,
    pub database_url: String,
    pub listen: SocketAddr,
    pub admins: Vec<String>,
    pub manager_channel: Option<String>,
    /// When the managers' summary is posted.
    pub summary_schedule: crate::domain::schedule::SummarySchedule,
    /// When a matching round starts by itself; `None`: only on demand (`/mentor match`).
    pub round_schedule: Option<crate::domain::schedule::CronSchedule>,
    /// The local time of day check-ins arrive.
    pub checkin_time: chrono::NaiveTime,
    /// Days after a pair ends before its free text and per-person answers are deleted.
    pub retention_days: u32,
    /// `TANDEM_JOB_LEASE_SECS`: how long a claimed job stays with its replica without a renewal.
    pub job_lease_secs: u32,
    pub skills_file: Option<std::path::PathBuf>,
    pub practice_groups_file: Option<std::path::PathBuf>,
    pub matching_file: Option<std::path::PathBuf>,
    /// The firm's holidays (TOML or iCalendar); none without it.
    pub holidays_file: Option<std::path::PathBuf>,
    pub log_format: LogFormat,
}

impl Config {
    /// The signing secret used to verify HTTP requests, if HTTP ingress is on.
    pub fn signing_secret(&self) -> Option<&Secret> {
        match &self.ingress {
            Ingress::Http { signing_secret } => Some(signing_secret),
            Ingress::SocketMode { signing_secret, .. } => signing_secret.as_ref(),
        }
    }

    pub fn is_admin(&self, user_id: &str) -> bool {
        self.admins.iter().any(|a| a == user_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set: {1}")]
    Missing(&'static str, &'static str),
    #[error("{name} is malformed: {reason}")]
    Invalid { name: &'static str, reason: String },
}

fn help_of(name: &'static str) -> &'static str {
    VARIABLES
        .iter()
        .find(|v| v.name == name)
        .map(|v| v.help)
        .unwrap_or("")
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

fn token(
    name: &'static str,
    prefix: &str,
    value: Option<String>,
) -> Result<Option<Secret>, ConfigError> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(v) if v.starts_with(prefix) && v.len() > prefix.len() => Ok(Some(Secret(v))),
        Some(_) => Err(invalid(
            name,
            format!("expected a token starting with {prefix}"),
        )),
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment in production, a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &'static str| {
            lookup(name).filter(|v| !v.trim().is_empty()).or_else(|| {
                VARIABLES
                    .iter()
                    .find(|v| v.name == name)
                    .and_then(|v| v.default)
                    .map(str::to_string)
            })
        };

        let bot_token = token("SLACK_BOT_TOKEN", "xoxb-", lookup("SLACK_BOT_TOKEN"))?.ok_or(
            ConfigError::Missing("SLACK_BOT_TOKEN", help_of("SLACK_BOT_TOKEN")),
        )?;
        let app_token = token("SLACK_APP_TOKEN", "xapp-", lookup("SLACK_APP_TOKEN"))?;
        let signing_secret = lookup("SLACK_SIGNING_SECRET")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(Secret);
        let ingress = match (app_token, signing_secret) {
            (Some(app_token), signing_secret) => Ingress::SocketMode {
                app_token,
                signing_secret,
            },
            (None, Some(signing_secret)) => Ingress::Http { signing_secret },
            (None, None) => {
                return Err(ConfigError::Missing(
                    "SLACK_SIGNING_SECRET",
                    "required in HTTP mode; or set SLACK_APP_TOKEN (xapp-...) to use Socket Mode",
                ));
            }
        };

        let slack_api_url = get("SLACK_API_URL").unwrap_or_default();
        let slack_api_url = slack_api_url.trim().trim_end_matches('/').to_string();
        if !(slack_api_url.starts_with("https://") || slack_api_url.starts_with("http://")) {
            return Err(invalid(
                "SLACK_API_URL",
                "expected an http:// or https:// URL",
            ));
        }

        let database_url = get("DATABASE_URL").unwrap_or_default().trim().to_string();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "DATABASE_URL",
                "expected a sqlite: or postgres:// URL, e.g. sqlite://tandem.db",
            ));
        }

        let listen_raw = get("TANDEM_LISTEN").unwrap_or_default();
        let listen: SocketAddr = listen_raw.trim().parse().map_err(|_| {
            invalid(
                "TANDEM_LISTEN",
                "expected host:port with an IP address, e.g. 0.0.0.0:3000",
            )
        })?;

        let admins: Vec<String> = get("TANDEM_ADMINS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(bad) = admins.iter().find(|a| !looks_like_slack_id(a, &['U', 'W'])) {
            return Err(invalid(
                "TANDEM_ADMINS",
                format!("'{bad}' is not a Slack user ID (U... or W...)"),
            ));
        }

        let manager_channel = get("TANDEM_MANAGER_CHANNEL").map(|c| c.trim().to_string());
        if let Some(c) = manager_channel
            .as_ref()
            .filter(|c| !looks_like_slack_id(c, &['C', 'G']))
        {
            return Err(invalid(
                "TANDEM_MANAGER_CHANNEL",
                format!("'{c}' is not a channel ID (C... or G...); use the ID, not the #name"),
            ));
        }

        let log_format = match get("TANDEM_LOG_FORMAT").unwrap_or_default().trim() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "TANDEM_LOG_FORMAT",
                    format!("'{other}' is neither pretty nor json"),
                ));
            }
        };

        let tz = crate::domain::schedule::parse_tz(&get("TANDEM_TZ").unwrap_or_default())
            .map_err(|e| invalid("TANDEM_TZ", e.to_string()))?;
        let summary_schedule = crate::domain::schedule::SummarySchedule::parse(
            &get("TANDEM_SUMMARY_CRON").unwrap_or_default(),
            tz,
        )
        .map_err(|e| invalid("TANDEM_SUMMARY_CRON", e.to_string()))?;
        let round_schedule = get("TANDEM_ROUND_CRON")
            .map(|expr| crate::domain::schedule::CronSchedule::parse(&expr, tz))
            .transpose()
            .map_err(|e| invalid("TANDEM_ROUND_CRON", e.to_string()))?;
        if round_schedule.is_some() && admins.is_empty() {
            return Err(invalid(
                "TANDEM_ROUND_CRON",
                "a scheduled round waits for an admin's approval, so TANDEM_ADMINS must name at least one admin",
            ));
        }
        let checkin_raw = get("TANDEM_CHECKIN_TIME").unwrap_or_default();
        let checkin_time =
            chrono::NaiveTime::parse_from_str(checkin_raw.trim(), "%H:%M").map_err(|_| {
                invalid(
                    "TANDEM_CHECKIN_TIME",
                    format!("'{}' is not a time of day like 10:00", checkin_raw.trim()),
                )
            })?;
        let retention_raw = get("TANDEM_RETENTION_DAYS").unwrap_or_default();
        let retention_days = retention_raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .ok_or_else(|| {
                invalid(
                    "TANDEM_RETENTION_DAYS",
                    format!(
                        "'{}' is not a number of days from 1 to 3650",
                        retention_raw.trim()
                    ),
                )
            })?;
        let lease_raw = get("TANDEM_JOB_LEASE_SECS").unwrap_or_default();
        let job_lease_secs = lease_raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|s| (5..=3600).contains(s))
            .ok_or_else(|| {
                invalid(
                    "TANDEM_JOB_LEASE_SECS",
                    format!(
                        "'{}' is not a number of seconds from 5 to 3600",
                        lease_raw.trim()
                    ),
                )
            })?;
        let file = |name: &'static str| get(name).map(|f| std::path::PathBuf::from(f.trim()));
        Ok(Config {
            job_lease_secs,
            summary_schedule,
            round_schedule,
            checkin_time,
            retention_days,
            skills_file: file("TANDEM_SKILLS_FILE"),
            practice_groups_file: file("TANDEM_PRACTICE_GROUPS_FILE"),
            matching_file: file("TANDEM_MATCHING_FILE"),
            holidays_file: file("TANDEM_HOLIDAYS_FILE"),
            bot_token,
            ingress,
            slack_api_url,
            database_url,
            listen,
            admins,
            manager_channel,
            log_format,
        })
    }
}

#[cfg(test)]
mod help_tests {
    use super::*;

    #[test]
    fn every_description_starts_in_one_column() {
        let help = environment_help();
        let columns: std::collections::BTreeSet<usize> = help
            .lines()
            .skip(1)
            .map(|l| {
                let name = l.trim_start().split(' ').next().unwrap_or_default();
                let after = &l[l.find(name).unwrap_or(0) + name.len()..];
                l.len() - after.trim_start().len()
            })
            .collect();
        assert_eq!(columns.len(), 1, "{help}");
        assert_eq!(help.lines().count(), VARIABLES.len() + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const MINIMAL: &[(&str, &str)] = &[
        ("SLACK_BOT_TOKEN", "xoxb-1-2-abc"),
        ("SLACK_SIGNING_SECRET", "s3cr3t"),
    ];

    #[test]
    fn minimal_http_config_takes_documented_defaults() {
        let c = load(MINIMAL).unwrap();
        assert_eq!(c.slack_api_url, "https://slack.com/api");
        assert_eq!(c.database_url, "sqlite://tandem.db");
        assert_eq!(c.listen.to_string(), "0.0.0.0:3000");
        assert!(c.admins.is_empty());
        assert_eq!(c.manager_channel, None);
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert!(matches!(c.ingress, Ingress::Http { .. }));
    }

    #[test]
    fn app_token_selects_socket_mode_without_signing_secret() {
        let c = load(&[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("SLACK_APP_TOKEN", "xapp-1-A"),
        ])
        .unwrap();
        assert!(matches!(
            c.ingress,
            Ingress::SocketMode {
                signing_secret: None,
                ..
            }
        ));
        assert!(c.signing_secret().is_none());
    }

    #[test]
    fn each_error_names_its_variable_on_one_line_without_the_value() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("SLACK_SIGNING_SECRET", "x")], "SLACK_BOT_TOKEN"),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxp-user-token-value"),
                    ("SLACK_SIGNING_SECRET", "x"),
                ],
                "SLACK_BOT_TOKEN",
            ),
            (&[("SLACK_BOT_TOKEN", "xoxb-1")], "SLACK_SIGNING_SECRET"),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_APP_TOKEN", "xoxb-wrong"),
                ],
                "SLACK_APP_TOKEN",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_LISTEN", "localhost"),
                ],
                "TANDEM_LISTEN",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("SLACK_API_URL", "slack.com"),
                ],
                "SLACK_API_URL",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("DATABASE_URL", "mysql://x"),
                ],
                "DATABASE_URL",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_ADMINS", "U1ABC, bob"),
                ],
                "TANDEM_ADMINS",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_MANAGER_CHANNEL", "#mentoring"),
                ],
                "TANDEM_MANAGER_CHANNEL",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_LOG_FORMAT", "xml"),
                ],
                "TANDEM_LOG_FORMAT",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_SUMMARY_CRON", "every monday"),
                ],
                "TANDEM_SUMMARY_CRON",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_SUMMARY_CRON", "0 9 * * 9"),
                ],
                "TANDEM_SUMMARY_CRON",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_TZ", "Mars/Olympus"),
                ],
                "TANDEM_TZ",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_ADMINS", "U0ADMIN"),
                    ("TANDEM_ROUND_CRON", "quarterly"),
                ],
                "TANDEM_ROUND_CRON",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_ROUND_CRON", "0 9 1 */3 *"),
                ],
                "TANDEM_ROUND_CRON",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_CHECKIN_TIME", "25:00"),
                ],
                "TANDEM_CHECKIN_TIME",
            ),
            (
                &[
                    ("SLACK_BOT_TOKEN", "xoxb-1"),
                    ("SLACK_SIGNING_SECRET", "x"),
                    ("TANDEM_RETENTION_DAYS", "0"),
                ],
                "TANDEM_RETENTION_DAYS",
            ),
        ];
        for (pairs, name) in cases {
            let msg = load(pairs).unwrap_err().to_string();
            assert!(msg.starts_with(name), "{msg:?} should name {name}");
            assert!(!msg.contains('\n'), "{msg:?} should be one line");
            assert!(
                !msg.contains("xoxp-user-token-value"),
                "{msg:?} leaks a value"
            );
        }
    }

    #[test]
    fn a_postgres_url_selects_postgresql() {
        for url in [
            "postgres://tandem:pw@127.0.0.1:5432/tandem",
            "postgresql://tandem@%2Frun%2Fpostgresql/tandem",
        ] {
            let mut pairs = MINIMAL.to_vec();
            pairs.push(("DATABASE_URL", url));
            assert_eq!(load(&pairs).unwrap().database_url, url);
        }
    }

    #[test]
    fn admins_and_channel_parse() {
        let mut pairs = MINIMAL.to_vec();
        pairs.push(("TANDEM_ADMINS", " U01ADMIN ,W02OTHER,"));
        pairs.push(("TANDEM_MANAGER_CHANNEL", "C0MANAGERS"));
        let c = load(&pairs).unwrap();
        assert_eq!(c.admins, vec!["U01ADMIN", "W02OTHER"]);
        assert!(c.is_admin("W02OTHER") && !c.is_admin("U999"));
        assert_eq!(c.manager_channel.as_deref(), Some("C0MANAGERS"));
    }

    #[test]
    fn rounds_are_on_demand_unless_a_round_cron_is_set_in_tandem_tz() {
        assert!(load(MINIMAL).unwrap().round_schedule.is_none());
        let mut pairs = MINIMAL.to_vec();
        pairs.push(("TANDEM_ADMINS", "U0ADMIN"));
        pairs.push(("TANDEM_TZ", "America/Chicago"));
        pairs.push(("TANDEM_ROUND_CRON", " 0 9 1 */3 * "));
        let c = load(&pairs).unwrap();
        let s = c.round_schedule.expect("a schedule");
        assert_eq!(s.expression(), "0 9 1 */3 *");
        assert_eq!(s.timezone(), chrono_tz::America::Chicago);
        let after = chrono::DateTime::parse_from_rfc3339("2026-02-10T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            s.next_after(after).map(|t| t.to_rfc3339()),
            Some("2026-04-01T14:00:00+00:00".to_string()),
            "1 April 09:00 in Chicago (CDT)"
        );
        let msg = load(&[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("SLACK_SIGNING_SECRET", "x"),
            ("TANDEM_ROUND_CRON", "0 9 1 */3 *"),
        ])
        .unwrap_err()
        .to_string();
        assert!(msg.contains("TANDEM_ADMINS"), "{msg}");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let c = load(MINIMAL).unwrap();
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("xoxb-1-2-abc") && !dbg.contains("s3cr3t"),
            "{dbg}"
        );
    }

    #[test]
    fn help_lists_every_variable() {
        let help = environment_help();
        for v in VARIABLES {
            assert!(help.contains(v.name), "{} missing from help", v.name);
        }
    }
}
