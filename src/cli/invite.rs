//! `tandem invite --csv people.csv [--dry-run]`: invitations to opt in from an HR export.
//!
//! Reads the file ([`crate::domain::invitations::parse_roster`]), finds each person and their supervisor in Slack
//! with `users.lookupByEmail` (Tier 3: the client waits out a 429's `Retry-After` and goes on), then, in one
//! transaction, records the invitations and queues one DM job per person in the database. It sends no DM itself:
//! the running `tandem serve` delivers the queued jobs (the outbox), at Slack's pace and each at the invitee's working
//! slot (10:00 local on a working day, [`crate::flows::invitations::run`]), exactly like those of
//! `/mentor invite`. With `--dry-run` it does the look-ups and prints who would be invited, and changes nothing (the
//! database is opened read-only).
//!
//! Bad rows (no e-mail, a malformed one, a repeated one, nobody in Slack with it, a deactivated account or a bot)
//! are reported on standard error with their line and skipped; the good rows are still processed. Every
//! [`InviteOptions::progress_every`] look-ups a progress line goes to standard error.

use crate::domain::invitations::{Invitee, RowProblem, parse_roster, recent_since, sort};
use crate::flows::invitations::{CLI_ACTOR, invite_in};
use crate::outbound::slack_api::{ApiError, FoundUser, RetryPolicy, SlackApi};
use crate::outbound::store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// A progress line after every this many people looked up (on runs longer than that).
pub const PROGRESS_EVERY: usize = 25;

/// What `tandem invite` needs.
#[derive(Debug, Clone)]
pub struct InviteOptions {
    pub csv: PathBuf,
    pub dry_run: bool,
    /// A `sqlite:` URL of an existing, migrated Tandem database.
    pub database_url: String,
    pub slack_api_url: String,
    pub bot_token: String,
    pub progress_every: usize,
    pub retry: RetryPolicy,
}

/// How Slack's limits are waited out from the command line: nobody is waiting on a 3-second deadline, so a 429's
/// `Retry-After` of up to two minutes is slept through, up to ten times in a row.
pub fn patient_retry() -> RetryPolicy {
    RetryPolicy {
        rate_limit_retries: 10,
        max_inline_wait: Duration::from_secs(120),
        ..RetryPolicy::default()
    }
}

/// What a run did (the lines it printed say the same).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteSummary {
    /// Invited now (or, in a dry run, who would be): user IDs, in the file's order.
    pub invited: Vec<String>,
    pub already_enrolled: usize,
    pub invited_recently: usize,
    /// Rows not used, and notes on rows used without their supervisor, by line.
    pub problems: Vec<RowProblem>,
}

/// Why a looked-up address cannot be invited (nobody has it, a deactivated account, a bot), if so.
fn looked_up_problem(email: &str, found: &Option<FoundUser>) -> Option<String> {
    match found {
        None => Some(format!(
            "no Slack account has the e-mail {email} (users_not_found)"
        )),
        Some(u) if u.profile.deleted => {
            Some(format!("{email} belongs to a deactivated Slack account"))
        }
        Some(u) if u.profile.is_bot => Some(format!("{email} belongs to a bot, not a person")),
        Some(_) => None,
    }
}

/// Looks `email` up once (later rows naming the same address reuse the answer).
async fn lookup(
    slack: &SlackApi,
    cache: &mut BTreeMap<String, Option<FoundUser>>,
    email: &str,
    line: usize,
) -> Result<Option<FoundUser>, String> {
    if let Some(found) = cache.get(email) {
        return Ok(found.clone());
    }
    let found = slack.lookup_by_email(email).await.map_err(|e| {
        let why = match (&e, e.code()) {
            (_, Some("missing_scope")) => "the Slack app lacks the users:read.email scope; update it from manifest.yml and reinstall it".to_string(),
            (_, Some("invalid_auth" | "not_authed" | "token_revoked" | "account_inactive")) => {
                format!("Slack refused the bot token ({})", e.code().unwrap_or_default())
            }
            (ApiError::RateLimited { .. }, _) => "Slack kept rate-limiting users.lookupByEmail; try again later".to_string(),
            _ => e.to_string(),
        };
        format!("looking up line {line}: {why}; nothing was changed")
    })?;
    cache.insert(email.to_string(), found.clone());
    Ok(found)
}

/// Runs `tandem invite`: who is invited goes to `out`, one line each; progress, problems and the summary to `err`.
/// `now` is the time the invitations are recorded at (unix seconds). Returns an error (nothing changed) when the
/// file cannot be used at all, the database is not a current Tandem database, or Slack refuses the look-ups.
pub async fn run(
    options: &InviteOptions,
    now: i64,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<InviteSummary, String> {
    let shown = options.csv.display().to_string();
    let bytes = std::fs::read(&options.csv).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!("{shown} is not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\"")
    })?;
    let roster = parse_roster(&text).map_err(|e| format!("{shown}: {e}"))?;
    let store = crate::flows::summaries::open_for_report(&options.database_url).await?;
    let slack = SlackApi::new(&options.slack_api_url, &options.bot_token, options.retry)
        .map_err(|e| format!("cannot build the Slack client: {e}"))?;

    let mut problems = roster.problems.clone();
    let mut cache = BTreeMap::new();
    let mut people: Vec<Invitee> = Vec::new();
    let mut line_of: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let total = roster.rows.len();
    let looked_up = async {
        for (i, row) in roster.rows.iter().enumerate() {
            let problem = |message: String| RowProblem {
                line: row.line,
                message,
            };
            let found = lookup(&slack, &mut cache, &row.email, row.line).await?;
            if let Some(message) = looked_up_problem(&row.email, &found) {
                problems.push(problem(message));
            } else if let Some(person) = found {
                if let Some((earlier, _)) = line_of.get(&person.id) {
                    problems.push(problem(format!(
                        "{} is the same Slack account as line {earlier}; the row is skipped",
                        row.email
                    )));
                } else {
                    let mut reports_to = None;
                    if let Some(sup) = &row.supervisor_email {
                        let boss = lookup(&slack, &mut cache, sup, row.line).await?;
                        match (&boss, looked_up_problem(sup, &boss)) {
                            (_, Some(why)) => problems.push(problem(format!(
                                "the supervisor's {why}; {} is invited without a supervisor",
                                row.email
                            ))),
                            (Some(b), None) if b.id == person.id => {}
                            (Some(b), None) => reports_to = Some(b.id.clone()),
                            (None, None) => {}
                        }
                    }
                    line_of.insert(person.id.clone(), (row.line, row.email.clone()));
                    people.push(Invitee {
                        user: person.id,
                        reports_to,
                    });
                }
            }
            let done = i + 1;
            if total > options.progress_every
                && options.progress_every > 0
                && (done % options.progress_every == 0 || done == total)
            {
                let _ = writeln!(err, "tandem: looked up {done} of {total} people");
            }
        }
        Ok::<(), String>(())
    }
    .await;
    if let Err(e) = looked_up {
        store.close().await;
        return Err(e);
    }
    problems.sort_by_key(|p| p.line);
    for p in &problems {
        let _ = writeln!(err, "tandem: {shown}: {p}");
    }

    let db = |e: crate::outbound::store::StoreError| {
        format!(
            "{}: {e}",
            crate::outbound::store::shown_url(&options.database_url)
        )
    };
    let sorted = if options.dry_run {
        let enrolled = store.enrolled_ids().await.map_err(db);
        let recent = store.invited_since(recent_since(now)).await.map_err(db);
        let not_people = store.not_people().await.map_err(db);
        store.close().await;
        sort(&people, &enrolled?, &recent?, &not_people?)
    } else {
        store.close().await;
        let store = Store::open(&options.database_url).await.map_err(db)?;
        let source = options
            .csv
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        let written = async {
            let mut tx = store.write().await?;
            let sorted = invite_in(&mut tx, &people, CLI_ACTOR, &source, now).await?;
            tx.commit().await?;
            Ok::<_, crate::outbound::store::StoreError>(sorted)
        }
        .await;
        store.close().await;
        written.map_err(db)?
    };

    let verb = if options.dry_run {
        "would invite"
    } else {
        "invited"
    };
    for who in &sorted.invite {
        let (line, email) = line_of.get(&who.user).cloned().unwrap_or_default();
        let boss = who
            .reports_to
            .as_deref()
            .map(|b| format!(", supervisor {b}"))
            .unwrap_or_default();
        let _ = writeln!(out, "{verb} {email} ({}{boss}) from line {line}", who.user);
    }
    let summary = InviteSummary {
        invited: sorted.invite.iter().map(|i| i.user.clone()).collect(),
        already_enrolled: sorted.enrolled.len(),
        invited_recently: sorted.recent.len(),
        problems,
    };
    let rest = format!(
        "{} already enrolled, {} invited in the last {} days, {} row(s) with a problem (listed above)",
        summary.already_enrolled,
        summary.invited_recently,
        crate::domain::invitations::INVITE_AGAIN_AFTER_DAYS,
        summary.problems.len()
    );
    let _ = if options.dry_run {
        writeln!(
            err,
            "tandem: dry run: would invite {} people; {rest}. Nothing was changed.",
            summary.invited.len()
        )
    } else {
        writeln!(
            err,
            "tandem: {} invitation(s) queued in the database; `tandem serve` sends the DMs, each at the next TANDEM_CHECKIN_TIME (10:00) on a working day in the person's time zone. {rest}.",
            summary.invited.len()
        )
    };
    Ok(summary)
}
