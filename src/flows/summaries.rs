//! The managers' summary in the live program: the store turned into plain report inputs (never free text), the
//! scheduled summary in the managers' channel with its chart, `/mentor report`, and `tandem report`/`export`.
//! The figures, the privacy rules and the rendering are pure: [`crate::domain::reports`], [`crate::views::summary`],
//! [`crate::domain::chart`], [`crate::domain::export`].

use super::delivery::{JobError, post_once};
use crate::context::App;
use crate::domain::catalog::Catalog;
use crate::domain::matching::{self, MatchConfig};
use crate::domain::model::CheckinAnswer;
use crate::domain::model::JobKind;
use crate::domain::reports::{self, Period, ReportInput, Summary};
use crate::domain::rounds::{self, Naming};
use crate::domain::schedule::SummarySchedule;
use crate::flows::proposals;
use crate::outbound::store::{Job, NewJob, Store, StoreError};
use crate::views;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap};

/// The period a summary covers and the one before it (pure). `end` closes the period; the period starts at the
/// schedule's last time before `end` (for a summary posted on schedule, the time before this one). Without a
/// schedule time in the last 100 days, periods are seven days.
pub fn periods(
    schedule: &SummarySchedule,
    end: DateTime<Utc>,
    posted_on_schedule: bool,
) -> (Period, Period) {
    let mut fires = Vec::new();
    let mut t = end - Duration::days(100);
    while let Some(next) = schedule.next_after(t) {
        if next > end || (posted_on_schedule && next >= end) {
            break;
        }
        fires.push(next);
        t = next;
    }
    let week = Duration::days(7);
    let start = fires
        .last()
        .copied()
        .filter(|s| *s < end)
        .unwrap_or(end - week);
    let before = fires
        .iter()
        .rev()
        .find(|f| **f < start)
        .copied()
        .unwrap_or(start - (end - start).max(Duration::hours(1)));
    (
        Period { start, end },
        Period {
            start: before,
            end: start,
        },
    )
}

/// The weeks the scheduled summary's chart shows.
const CHART_WEEKS: usize = crate::domain::chart::WEEKS;

fn at(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}

/// Reads everything a summary needs from the store, as plain data without any free text. Check-ins (and the
/// meetings logged on them) are read from `history_from` on: see [`reports::history_needed_from`].
pub async fn gather(
    store: &Store,
    catalog: &Catalog,
    config: &MatchConfig,
    (period, previous): (Period, Period),
    history_from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ReportInput, StoreError> {
    let people = store.participants().await?;
    let names: HashMap<String, String> = people
        .iter()
        .map(|p| {
            (
                p.user_id.clone(),
                p.display_name.clone().unwrap_or_else(|| p.user_id.clone()),
            )
        })
        .collect();
    let member = |id: &Option<String>| {
        id.as_ref().map(|u| reports::Member {
            user_id: u.clone(),
            display_name: names.get(u).cloned().unwrap_or_else(|| u.clone()),
        })
    };
    let participants = people
        .iter()
        .map(|p| reports::Participant {
            user_id: p.user_id.clone(),
            display_name: names.get(&p.user_id).cloned().unwrap_or_default(),
            side: config
                .side_rule
                .side_of(&rounds::to_matching(p, Naming::DisplayNames, now)),
            joined_at: at(p.joined_at),
            status: if p.is_paused(now.timestamp()) {
                reports::ParticipantStatus::Paused
            } else {
                reports::ParticipantStatus::Active
            },
            teaches: p.answers.teach.clone(),
            learns: p.answers.learn.clone(),
        })
        .collect();
    let pair_records = store.pairs().await?;
    let pairs: Vec<reports::Pair> = pair_records
        .iter()
        .map(|p| reports::Pair {
            id: p.id,
            junior: member(&p.junior_id),
            senior: member(&p.senior_id),
            status: p.status,
            created_at: at(p.created_at),
            ended_at: p.ended_at.map(at),
            last_met_at: p.last_met_at.map(at),
        })
        .collect();
    let members: HashMap<i64, Vec<String>> = pair_records
        .iter()
        .map(|p| {
            (
                p.id,
                [p.junior_id.clone(), p.senior_id.clone()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )
        })
        .collect();

    // Check-in rounds: every member's answer, or "no answer"; "we met" answers are also meetings.
    let anonymous = |rowid: Option<i64>| format!("(left #{})", rowid.unwrap_or_default());
    let mut rounds: BTreeMap<i64, reports::CheckinRound> = BTreeMap::new();
    let mut meetings = Vec::new();
    for row in store.checkin_answer_rows(history_from.timestamp()).await? {
        let round = rounds
            .entry(row.checkin_id)
            .or_insert_with(|| reports::CheckinRound {
                pair_id: row.pair_id,
                sent_at: at(row.sent_at),
                responses: Vec::new(),
            });
        let Some(answer) = row.answer.as_deref().and_then(CheckinAnswer::parse) else {
            continue;
        };
        let who = row
            .user_id
            .clone()
            .unwrap_or_else(|| anonymous(row.answer_rowid));
        if answer == CheckinAnswer::Met {
            meetings.push(reports::Meeting {
                pair_id: row.pair_id,
                logged_by: who.clone(),
                at: at(row.sent_at),
                minutes: u32::try_from(row.minutes.unwrap_or(0)).unwrap_or(0),
                usefulness: row.usefulness.and_then(|u| u8::try_from(u).ok()),
            });
        }
        round.responses.push(reports::CheckinResponse {
            user_id: who,
            answer: Some(answer),
        });
    }
    for round in rounds.values_mut() {
        for m in members.get(&round.pair_id).into_iter().flatten() {
            if !round.responses.iter().any(|r| &r.user_id == m) {
                round.responses.push(reports::CheckinResponse {
                    user_id: m.clone(),
                    answer: None,
                });
            }
        }
    }
    let feedback = store
        .feedback_rows()
        .await?
        .into_iter()
        .map(|f| reports::Feedback {
            pair_id: f.pair_id,
            user_id: f.user_id.unwrap_or_else(|| anonymous(Some(f.rowid))),
            rating: u8::try_from(f.rating).unwrap_or(0),
            would_recommend: f.recommend,
        })
        .collect();
    let departures = store
        .departures()
        .await?
        .into_iter()
        .map(|t| reports::Departure { at: at(t) })
        .collect();

    // Who waits for a match, and why: a dry run of the next round (paused people are not waiting).
    // The participants read above are reused, and matching runs off the async runtime.
    let round =
        proposals::round_of(store, &people, catalog, config, Naming::DisplayNames, now).await?;
    let proposed =
        tokio::task::spawn_blocking(move || matching::propose(&round.participants, &round.ctx))
            .await
            .map_err(|e| StoreError::Corrupt(format!("the matching task failed: {e}")))?;
    let waiting = match proposed {
        Ok(p) => p
            .unmatched
            .into_iter()
            .filter(|u| u.reason != matching::UnmatchedReason::Paused)
            .map(|u| reports::Waiting {
                user_id: u.id,
                reason: u.reason_text,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "could not compute who is waiting for a match");
            Vec::new()
        }
    };
    Ok(ReportInput {
        period,
        previous,
        participants,
        departures,
        pairs,
        checkins: rounds.into_values().collect(),
        meetings,
        feedback,
        waiting,
        skills: catalog
            .skills
            .iter()
            .map(|s| (s.id.clone(), s.label.clone()))
            .collect(),
    })
}

/// The summary as of `end` (for `/mentor report` and `tandem report`: the period so far).
pub async fn current(
    store: &Store,
    catalog: &Catalog,
    config: &MatchConfig,
    schedule: &SummarySchedule,
    now: DateTime<Utc>,
) -> Result<(Summary, ReportInput), StoreError> {
    let (period, previous) = periods(schedule, now, false);
    let from = reports::history_needed_from(&previous, now, None);
    let input = gather(store, catalog, config, (period, previous), from, now).await?;
    Ok((reports::summarize(&input, now), input))
}

/// Makes sure the next scheduled summary is queued (at start-up). A summary already queued — even overdue, after
/// downtime — is kept, so it runs once.
pub async fn ensure_scheduled(app: &App) -> Result<(), StoreError> {
    if app.config().manager_channel.is_none() {
        return Ok(());
    }
    queue_next(app, app.clock().now()).await
}

/// Queues the first summary due after `after`, unless one is queued already.
async fn queue_next(app: &App, after: DateTime<Utc>) -> Result<(), StoreError> {
    let Some(next) = app.config().summary_schedule.next_after(after) else {
        return Ok(());
    };
    let now = app.now();
    let mut tx = app.store().write().await?;
    tx.enqueue_if_absent(
        NewJob::new(JobKind::Summary, next.timestamp()).key("summary"),
        now,
    )
    .await?;
    app.commit(tx).await
}

/// The "summary" job: the summary of the period that just ended, with its chart, in the managers' channel; then the
/// next one is scheduled. If the chart cannot be uploaded, the summary is still posted.
pub async fn post_scheduled(app: &App, job: &Job) -> Result<(), JobError> {
    let Some(channel) = app.config().manager_channel.clone() else {
        return Ok(());
    };
    let schedule = &app.config().summary_schedule;
    let end = at(job.due_at);
    let now = app.clock().now();
    let (period, previous) = periods(schedule, end, true);
    let from = reports::history_needed_from(&previous, now, Some(CHART_WEEKS));
    let input = gather(
        app.store(),
        app.catalog(),
        app.match_config(),
        (period, previous),
        from,
        now,
    )
    .await?;
    let summary = reports::summarize(&input, now);
    let text = views::summary::summary_text(&summary);
    let blocks = views::summary::summary_blocks(&summary);
    let (posted_in, _) = post_once(app, job, "post", &channel, &text, &blocks).await?;
    if app.store().delivery(job.id, "chart").await?.is_none() {
        match reports::weekly_points(&input, now, CHART_WEEKS)
            .map(|w| crate::domain::chart::weekly_chart_png(&w))
        {
            Some(Ok(png)) => {
                let name = format!("tandem-{}.png", end.format("%Y-%m-%d"));
                match app
                    .slack()
                    .upload_file(
                        &posted_in,
                        &name,
                        "Meetings held and active pairs, last 12 weeks",
                        png,
                    )
                    .await
                {
                    Ok(()) => {
                        app.store()
                            .record_delivery(
                                job.id,
                                "chart",
                                Some(&posted_in),
                                None,
                                now.timestamp(),
                            )
                            .await?
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the chart could not be uploaded; the summary went without it")
                    }
                }
            }
            Some(Err(e)) => tracing::warn!(error = %e, "the chart could not be drawn"),
            None => tracing::debug!("too few people behind the chart; none this time"),
        }
    }
    queue_next(app, end.max(now)).await?;
    Ok(())
}

/// Where `--db` points: a `sqlite:` URL as given, or a file path (which must exist: a report never creates one).
pub fn database_url(db: &str) -> Result<String, String> {
    if db.starts_with("sqlite:") {
        return Ok(db.to_string());
    }
    if std::path::Path::new(db).is_file() {
        Ok(format!("sqlite://{db}"))
    } else {
        Err(format!(
            "no database at {db} (give the file Tandem uses, e.g. --db tandem.db)"
        ))
    }
}

/// Opens a database read-only for reading figures, refusing a file that is not a Tandem database and one that needs
/// migrations. The one place the offline commands (`tandem report`, `export`, `audit`) open a database.
pub(crate) async fn open_for_report(url: &str) -> Result<Store, String> {
    let store = Store::open_read_only(url)
        .await
        .map_err(|e| e.to_string())?;
    let pending = store
        .pending_migrations()
        .await
        .map_err(|e| e.to_string())?;
    if pending > 0 {
        return Err(format!(
            "{url} needs {pending} migration(s); run `tandem migrate` first"
        ));
    }
    Ok(store)
}

/// `tandem report`: the managers' summary of the period so far (as of `now`), as text.
pub async fn report_text(
    url: &str,
    catalog: &Catalog,
    config: &MatchConfig,
    schedule: &SummarySchedule,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let store = open_for_report(url).await?;
    let (summary, _) = current(&store, catalog, config, schedule, now)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(views::summary::summary_text(&summary))
}

/// `--as-of`: an RFC 3339 time, or a date (the end of that day, UTC).
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.to_utc());
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!(
                "--as-of '{s}' is neither a date (2026-05-10) nor a time (2026-05-10T09:00:00Z)"
            )
        })
}

/// `tandem export --format csv --out DIR`: pairs, check-ins and hours for HR (no free text). Returns the files
/// written.
pub async fn export_csv(
    url: &str,
    catalog: &Catalog,
    config: &MatchConfig,
    dir: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, String> {
    let store = open_for_report(url).await?;
    let now = Utc::now();
    let all_time = Period {
        start: DateTime::from_timestamp(0, 0).unwrap_or_default(),
        end: now + Duration::seconds(1),
    };
    let input = gather(
        &store,
        catalog,
        config,
        (all_time, all_time),
        all_time.start,
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    store.close().await;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let files = [
        ("pairs.csv", crate::domain::export::pairs_csv(&input.pairs)),
        (
            "checkins.csv",
            crate::domain::export::checkins_csv(&input.checkins, &all_time),
        ),
        (
            "hours.csv",
            crate::domain::export::hours_csv(&input.meetings, &input.pairs, &all_time),
        ),
    ];
    let mut written = Vec::new();
    for (name, csv) in files {
        let path = dir.join(name);
        std::fs::write(&path, csv).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_scheduled_summary_covers_the_week_that_just_ended() {
        let weekly = SummarySchedule::parse("0 9 * * 1", chrono_tz::Tz::UTC).unwrap();
        let (p, prev) = periods(&weekly, t("2026-03-09T09:00:00Z"), true);
        assert_eq!(
            (p.start, p.end),
            (t("2026-03-02T09:00:00Z"), t("2026-03-09T09:00:00Z"))
        );
        assert_eq!(
            (prev.start, prev.end),
            (t("2026-02-23T09:00:00Z"), t("2026-03-02T09:00:00Z"))
        );
        // On demand on Wednesday: the period so far, since Monday's summary.
        let (p, prev) = periods(&weekly, t("2026-03-11T12:00:00Z"), false);
        assert_eq!(p.start, t("2026-03-09T09:00:00Z"));
        assert_eq!(prev.start, t("2026-03-02T09:00:00Z"));
    }

    #[test]
    fn a_monthly_schedule_gives_monthly_periods() {
        let monthly = SummarySchedule::parse("0 8 1 * *", chrono_tz::Tz::UTC).unwrap();
        let (p, prev) = periods(&monthly, t("2026-04-01T08:00:00Z"), true);
        assert_eq!(
            (p.start, prev.start),
            (t("2026-03-01T08:00:00Z"), t("2026-02-01T08:00:00Z"))
        );
    }
}
