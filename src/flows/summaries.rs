//! The managers' summary in the live program: the store turned into plain report inputs (never free text), the
//! scheduled summary in the managers' channel with its chart, `/mentor report`, and `tandem report`/`export`.
//! The figures, the privacy rules and the rendering are pure: [`crate::domain::reports`], [`crate::views::summary`],
//! [`crate::domain::chart`], [`crate::domain::export`].

use super::delivery::{JobError, Ran, payload, post_once};
use crate::context::App;
use crate::domain::catalog::Catalog;
use crate::domain::lateness;
use crate::domain::matching::{self, MatchConfig};
use crate::domain::model::CheckinAnswer;
use crate::domain::model::{JobKind, ProposalPayload, UserPayload};
use crate::domain::reports::{self, Period, ReportInput, Summary};
use crate::domain::schedule::SummarySchedule;
use crate::outbound::store::{AtRiskRow, Job, NewJob, Store, StoreError, Windows, secs};
use crate::views;
use chrono::{DateTime, Duration, NaiveDate, Utc};
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

/// The stand-in for someone who left, by the row that still counts them: distinct rows, distinct people.
fn anonymous(rowid: Option<i64>) -> String {
    format!("(left #{})", rowid.unwrap_or_default())
}

fn at(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}

/// The pairs as the report sees them (names from `names`, or the ID).
fn report_pairs(
    records: &[crate::outbound::store::PairRecord],
    names: &HashMap<&str, &str>,
) -> Vec<reports::Pair> {
    let member = |id: &Option<String>| {
        id.as_ref().map(|u| reports::Member {
            user_id: u.clone(),
            display_name: names.get(u.as_str()).unwrap_or(&u.as_str()).to_string(),
        })
    };
    records
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
        .collect()
}

/// A pair at risk as the summary shows it (a member without a display name is shown by ID).
fn at_risk_pair(row: AtRiskRow) -> reports::Pair {
    let member = |id: Option<String>, name: Option<String>| {
        id.map(|u| reports::Member {
            display_name: name.unwrap_or_else(|| u.clone()),
            user_id: u,
        })
    };
    reports::Pair {
        id: row.id,
        junior: member(row.junior_id, row.junior_name),
        senior: member(row.senior_id, row.senior_name),
        status: reports::PairStatus::AtRisk,
        created_at: at(row.created_at),
        ended_at: None,
        last_met_at: row.last_met_at.map(at),
    }
}

/// Each pair's current members (those who left are not asked at a check-in).
fn pair_members(records: &[crate::outbound::store::PairRecord]) -> HashMap<i64, Vec<String>> {
    records
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
        .collect()
}

/// The meeting a "we met" answer logged, by `who`.
fn meeting(row: &crate::outbound::store::AnswerRow, who: String) -> reports::Meeting {
    reports::Meeting {
        pair_id: row.pair_id,
        logged_by: who,
        at: at(row.sent_at),
        minutes: u32::try_from(row.minutes.unwrap_or(0)).unwrap_or(0),
        usefulness: row.usefulness.and_then(|u| u8::try_from(u).ok()),
    }
}

/// Check-in rounds from the store's `rows`: every member's answer, or "no answer"; "we met" answers are also meetings.
fn checkin_rounds(
    rows: Vec<crate::outbound::store::AnswerRow>,
    members: &HashMap<i64, Vec<String>>,
) -> (Vec<reports::CheckinRound>, Vec<reports::Meeting>) {
    let mut rounds: BTreeMap<i64, reports::CheckinRound> = BTreeMap::new();
    let mut meetings = Vec::new();
    for row in rows {
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
            meetings.push(meeting(&row, who.clone()));
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
    (rounds.into_values().collect(), meetings)
}

/// The reason shown for someone waiting whom no approved round has left out (they joined, or their pair ended,
/// after the last round).
pub const WAITING_FOR_NEXT_ROUND: &str = "waiting for the next matching round";

/// Who waits for a match, and why: everyone enrolled, not paused and in no running pair, with the reason the last
/// approved round gave for leaving them out (stored when it was approved: no matcher runs for a report).
fn waiting_for_a_match(rows: Vec<crate::outbound::store::WaitingRow>) -> Vec<reports::Waiting> {
    rows.into_iter()
        .map(|w| reports::Waiting {
            reason: w
                .reason
                .as_deref()
                .and_then(matching::UnmatchedReason::parse_code)
                .map_or(WAITING_FOR_NEXT_ROUND, |r| r.text())
                .to_string(),
            user_id: w.user_id,
        })
        .collect()
}

/// How much of the program a report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The summary's figures, counted in SQL: of the participants, pairs, feedback and check-ins, only the pairs at
    /// risk (which the summary names) are read row by row, so a big firm's report holds no program-sized list.
    Figures,
    /// Every participant, pair and feedback row too, and the check-ins sent from `checkins_from` on (and the meetings
    /// logged on them): what a cohort report or an export reads.
    Rows { checkins_from: DateTime<Utc> },
}

/// Reads everything a summary needs from the store, as plain data without any free text: the figures counted in
/// SQL, or the rows as well (see [`Detail`]). The check-ins of the two periods are always tallied in SQL.
pub async fn gather(
    store: &Store,
    catalog: &Catalog,
    config: &MatchConfig,
    (period, previous): (Period, Period),
    detail: Detail,
    now: DateTime<Utc>,
) -> Result<ReportInput, StoreError> {
    let windows: Windows = (
        (secs(period.start), secs(period.end)),
        (secs(previous.start), secs(previous.end)),
    );
    let side_of = |role, years| config.side_rule.side_for(role, years);
    // Three independent reads at once, each on its own connection (SQLite answers them in parallel):
    // the people (counted, or one light row each without answers or skills), with the skills market counted in SQL;
    let people_and_skills = async {
        let people = match detail {
            Detail::Figures => (
                Some(
                    store
                        .people_tally(windows, now.timestamp(), side_of)
                        .await?,
                ),
                Vec::new(),
            ),
            Detail::Rows { .. } => (None, store.report_people(now.timestamp()).await?),
        };
        let skills = store
            .skill_counts(now.timestamp(), secs(period.end))
            .await?;
        Ok::<_, StoreError>((people, skills))
    };
    // the pairs (counted with their feedback, and those at risk; or all of them), who waits for a match, and the
    // meetings to date counted in SQL;
    let pairs_and_waiting = async {
        let pairs = match detail {
            Detail::Figures => (
                Some(store.pair_tally(windows).await?),
                store.at_risk_pairs().await?,
                Vec::new(),
            ),
            Detail::Rows { .. } => (None, Vec::new(), store.pairs().await?),
        };
        let waiting = waiting_for_a_match(store.waiting(now.timestamp()).await?);
        let totals = store.meeting_totals(secs(period.end)).await?;
        Ok::<_, StoreError>((pairs, waiting, totals))
    };
    // and the check-ins of both periods counted in SQL, departures, and the feedback and check-ins themselves
    // only when asked for.
    let history = async {
        let ((start, end), (prev_start, prev_end)) = windows;
        let tallies = (
            store.checkin_tally(start, end).await?,
            store.checkin_tally(prev_start, prev_end).await?,
        );
        let (rows, feedback) = match detail {
            Detail::Figures => (Vec::new(), Vec::new()),
            Detail::Rows { checkins_from } => (
                store.checkin_answer_rows(secs(checkins_from)).await?,
                store.feedback_rows().await?,
            ),
        };
        let departures = store.departures().await?;
        Ok::<_, StoreError>((tallies, rows, feedback, departures))
    };
    let (
        ((people_tally, people), skill_counts),
        ((pair_tally, at_risk, pair_records), waiting, totals),
        (tallies, rows, feedback, departures),
    ) = tokio::try_join!(people_and_skills, pairs_and_waiting, history)?;

    let pairs = if pair_tally.is_some() {
        at_risk.into_iter().map(at_risk_pair).collect()
    } else {
        let names: HashMap<&str, &str> = people
            .iter()
            .map(|p| {
                (
                    p.user_id.as_str(),
                    p.display_name.as_deref().unwrap_or(&p.user_id),
                )
            })
            .collect();
        report_pairs(&pair_records, &names)
    };
    // Check-in rows only for an export or cohort report: a summary's own figures come from the tallies.
    let (checkins, meetings) = if rows.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        checkin_rounds(rows, &pair_members(&pair_records))
    };
    drop(pair_records);
    let participants = people
        .into_iter()
        .map(|p| reports::Participant {
            display_name: p.display_name.unwrap_or_else(|| p.user_id.clone()),
            user_id: p.user_id,
            side: side_of(p.role, p.years),
            joined_at: at(p.joined_at),
            status: if p.paused {
                reports::ParticipantStatus::Paused
            } else {
                reports::ParticipantStatus::Active
            },
            teaches: Vec::new(),
            learns: Vec::new(),
        })
        .collect();
    let feedback = feedback
        .into_iter()
        .map(|f| reports::Feedback {
            pair_id: f.pair_id,
            user_id: f.user_id.unwrap_or_else(|| anonymous(Some(f.rowid))),
            rating: u8::try_from(f.rating).unwrap_or(0),
            would_recommend: f.recommend,
        })
        .collect();
    let departures = departures
        .into_iter()
        .map(|t| reports::Departure { at: at(t) })
        .collect();

    Ok(ReportInput {
        period,
        previous,
        participants,
        departures,
        pairs,
        checkins,
        meetings,
        feedback,
        waiting,
        meetings_to_date: totals,
        skills: catalog
            .skills
            .iter()
            .map(|s| (s.id.clone(), s.label.clone()))
            .collect(),
        skill_counts: Some(skill_counts),
        checkin_tallies: Some(tallies),
        people_tally,
        pair_tally,
    })
}

/// Which stretch of time a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// The summary period so far (the schedule's), compared with the one before.
    SoFar,
    /// Everything from the first enrolment, with nothing to compare with.
    All,
    /// Whole days, `from` to `to` inclusive (UTC), compared with as many days just before.
    Days { from: NaiveDate, to: NaiveDate },
}

impl Span {
    /// The periods reported on and compared with, as of `now` (pure).
    pub fn periods(self, schedule: &SummarySchedule, now: DateTime<Utc>) -> (Period, Period) {
        match self {
            Span::SoFar => periods(schedule, now, false),
            Span::All => {
                let start = at(0);
                (Period { start, end: now }, Period { start, end: start })
            }
            Span::Days { from, to } => {
                let start = from.and_time(chrono::NaiveTime::MIN).and_utc();
                let end = (to.succ_opt().unwrap_or(to))
                    .and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .min(now.max(start + Duration::seconds(1)));
                let length = end - start;
                (
                    Period { start, end },
                    Period {
                        start: start - length,
                        end: start,
                    },
                )
            }
        }
    }

    /// `--from DATE --to DATE` (both or neither) for `tandem report`.
    pub fn parse_days(from: Option<&str>, to: Option<&str>) -> Result<Span, String> {
        let day = |flag: &str, s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| format!("{flag} '{s}' is not a date like 2026-05-10"))
        };
        match (from, to) {
            (None, None) => Ok(Span::SoFar),
            (Some(f), Some(t)) => {
                let (from, to) = (day("--from", f)?, day("--to", t)?);
                if to < from {
                    return Err(format!("--to {to} is before --from {from}"));
                }
                Ok(Span::Days { from, to })
            }
            _ => Err(
                "give both --from and --to (e.g. --from 2026-01-01 --to 2026-03-31), or neither"
                    .into(),
            ),
        }
    }
}

/// The summary of `span` as of `now` (for `/mentor report` and `tandem report`).
pub async fn report(
    store: &Store,
    catalog: &Catalog,
    config: &MatchConfig,
    schedule: &SummarySchedule,
    span: Span,
    now: DateTime<Utc>,
) -> Result<(Summary, ReportInput), StoreError> {
    let (period, previous) = span.periods(schedule, now);
    let input = gather(
        store,
        catalog,
        config,
        (period, previous),
        Detail::Figures,
        now,
    )
    .await?;
    Ok((reports::summarize(&input, now), input))
}

/// The summary of the period so far, as of `now`.
pub async fn current(
    store: &Store,
    catalog: &Catalog,
    config: &MatchConfig,
    schedule: &SummarySchedule,
    now: DateTime<Utc>,
) -> Result<(Summary, ReportInput), StoreError> {
    report(store, catalog, config, schedule, Span::SoFar, now).await
}

/// `/mentor report`: queues the weekly chart for `admin`'s DM (the report itself is the command's answer).
pub async fn queue_chart(app: &App, admin: &str) -> Result<(), StoreError> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    // One chart per admin in hand: reports asked in a row share the chart waiting or being drawn (twelve weeks drawn
    // a moment apart are the same picture), so a burst of reports neither fills the admin's DM nor draws the chart
    // again beside every report.
    if tx.job_for_user_in_hand(JobKind::ReportChart, admin).await? {
        return Ok(());
    }
    let job = NewJob::new(JobKind::ReportChart, now)
        .payload(&UserPayload {
            user: admin.to_string(),
            first_time: false,
        })
        .key(format!("report_chart:{admin}"));
    tx.enqueue_if_absent(job, now).await?;
    app.commit(tx).await
}

/// A report's input with nothing in it, for `period` (what the tests fill in).
#[cfg(test)]
fn empty_input(period: Period) -> ReportInput {
    ReportInput {
        period,
        previous: Period {
            start: period.start,
            end: period.start,
        },
        participants: Vec::new(),
        departures: Vec::new(),
        pairs: Vec::new(),
        checkins: Vec::new(),
        meetings: Vec::new(),
        feedback: Vec::new(),
        waiting: Vec::new(),
        meetings_to_date: reports::MeetingTotals::default(),
        skills: BTreeMap::new(),
        skill_counts: None,
        checkin_tallies: None,
        people_tally: None,
        pair_tally: None,
    }
}

/// The "report_chart" job: the twelve weeks up to now as a PNG in the admin's DM, after one line saying what it is
/// (or why there is no chart). Each step is recorded, so a re-run sends neither twice.
pub async fn send_chart(app: &App, job: &Job) -> Result<(), JobError> {
    let UserPayload { user, .. } = payload(job)?;
    let now = app.clock().now();
    // Counted in SQL: the chart job holds twelve pairs of numbers, not the program's pairs and meetings.
    let png = weekly_chart(app.store(), now, app.config().summary_schedule.timezone())
        .await?
        .unwrap_or_else(|| Err(NO_CHART_FEW_PEOPLE.to_string()));
    let text = match &png {
        Ok(_) => views::summary::CHART_CAPTION.to_string(),
        Err(why) => format!("No chart with this report: {why}."),
    };
    let (channel, _) = post_once(app, job, "note", &user, &text, &serde_json::Value::Null).await?;
    if let Ok(png) = png
        && app.store().delivery(job.id, "chart").await?.is_none()
    {
        let name = format!("tandem-{}.png", now.format("%Y-%m-%d"));
        app.slack()
            .upload_file(&channel, &name, views::summary::CHART_CAPTION, png)
            .await?;
        app.store()
            .record_delivery(job.id, "chart", Some(&channel), None, now.timestamp())
            .await?;
    }
    Ok(())
}

/// The "cohort_report" job: once the last pair of a matching round has closed, the cohort's report goes to the
/// managers' channel (or, without one, to each admin's DM).
pub async fn post_cohort(app: &App, job: &Job) -> Result<(), JobError> {
    let ProposalPayload { proposal_id, .. } = payload(job)?;
    let cohort = app.store().cohort_pairs(proposal_id).await?;
    let Some(first) = cohort.iter().map(|(_, created)| *created).min() else {
        return Ok(());
    };
    let ids: std::collections::BTreeSet<i64> = cohort.iter().map(|(id, _)| *id).collect();
    let now = app.clock().now();
    let start = at(first);
    let period = Period { start, end: now };
    let input = gather(
        app.store(),
        app.catalog(),
        app.match_config(),
        (period, Period { start, end: start }),
        Detail::Rows {
            checkins_from: start,
        },
        now,
    )
    .await?;
    let report = reports::cohort_report(&input, proposal_id, &ids);
    let (text, blocks) = views::summary::cohort(&report);
    let targets: Vec<String> = match &app.config().manager_channel {
        Some(channel) => vec![channel.clone()],
        None => app.config().admins.clone(),
    };
    for (i, to) in targets.iter().enumerate() {
        post_once(app, job, &format!("post:{i}"), to, &text, &blocks).await?;
    }
    tracing::info!(round = proposal_id, "end-of-cohort report posted");
    Ok(())
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

/// The latest time `schedule` fired at or before `now`, after `since` (a summary overdue since `since`): the summary
/// that replaces it. `None` when none did.
pub fn latest_due(
    schedule: &SummarySchedule,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut latest = None;
    let mut t = since;
    // Bounded: a minutely schedule over a year of outage is half a million steps; stop well before.
    for _ in 0..100_000 {
        match schedule.next_after(t) {
            Some(next) if next <= now => {
                latest = Some(next);
                t = next;
            }
            _ => break,
        }
    }
    latest
}

/// The "summary" job: the summary of the period that just ended, with its chart covering the weeks up to the end of
/// that period, in the managers' channel; then the next one is scheduled. If the chart cannot be uploaded, the
/// summary is still posted. A summary a whole period late (after an outage, when a later one is due too) is dropped
/// in favour of the latest one due, which is posted at once.
pub async fn post_scheduled(app: &App, job: &Job) -> Result<Ran, JobError> {
    let Some(channel) = app.config().manager_channel.clone() else {
        return Ok(Ran::Done);
    };
    let schedule = &app.config().summary_schedule;
    let end = at(job.due_at);
    let now = app.clock().now();
    let period_length = schedule
        .next_after(end)
        .map_or(Duration::zero(), |next| next - end);
    if let Some(why) = lateness::overdue(JobKind::Summary, end, now, period_length) {
        if let Some(latest) = latest_due(schedule, end, now) {
            let mut tx = app.store().write().await?;
            tx.enqueue(
                NewJob::new(JobKind::Summary, latest.timestamp()).key("summary"),
                now.timestamp(),
            )
            .await?;
            app.commit(tx).await?;
        }
        return Ok(Ran::Dropped(why));
    }
    let (period, previous) = periods(schedule, end, true);
    let input = gather(
        app.store(),
        app.catalog(),
        app.match_config(),
        (period, previous),
        Detail::Figures,
        now,
    )
    .await?;
    let summary = reports::summarize(&input, now);
    let text = views::summary::summary_text(&summary);
    let blocks = views::summary::summary_blocks(&summary);
    let (posted_in, _) = post_once(app, job, "post", &channel, &text, &blocks).await?;
    if app.store().delivery(job.id, "chart").await?.is_none() {
        match weekly_chart(app.store(), period.end, schedule.timezone()).await? {
            Some(Ok(png)) => {
                let name = format!("tandem-{}.png", end.format("%Y-%m-%d"));
                match app
                    .slack()
                    .upload_file(&posted_in, &name, views::summary::CHART_CAPTION, png)
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
    Ok(Ran::Done)
}

/// Where `--db` points: a `sqlite:` or `postgres://` URL as given, or a file path (which must exist: a report never
/// creates one).
pub fn database_url(db: &str) -> Result<String, String> {
    if db.starts_with("sqlite:") || db.starts_with("postgres://") || db.starts_with("postgresql://")
    {
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
            "{} needs {pending} migration(s); run `tandem migrate` first",
            crate::outbound::store::shown_url(url)
        ));
    }
    Ok(store)
}

/// `tandem report`: the managers' summary of `span` (as of `now`), as text; with `chart`, the weekly chart of the
/// twelve weeks up to the period's end is written there as a PNG, and the second value says whether it was (or why
/// not: a report without its chart is still a report).
pub async fn report_text(
    url: &str,
    catalog: &Catalog,
    config: &MatchConfig,
    schedule: &SummarySchedule,
    span: Span,
    now: DateTime<Utc>,
    chart: Option<&std::path::Path>,
) -> Result<(String, Option<Result<(), String>>), String> {
    let store = open_for_report(url).await?;
    let (period, previous) = span.periods(schedule, now);
    let input = gather(
        &store,
        catalog,
        config,
        (period, previous),
        Detail::Figures,
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    let charted = match chart {
        Some(path) => {
            let png = weekly_chart(&store, period.end, schedule.timezone())
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_else(|| Err(NO_CHART_FEW_PEOPLE.to_string()));
            Some(png.and_then(|png| {
                std::fs::write(path, png)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            }))
        }
        None => None,
    };
    store.close().await;
    let summary = reports::summarize(&input, now);
    Ok((views::summary::summary_text(&summary), charted))
}

/// The weekly chart of the [`CHART_WEEKS`] weeks up to `end` (labelled in `tz`), counted in SQL: `None` when its
/// weeks come from fewer than 3 people, or why it could not be drawn.
async fn weekly_chart(
    store: &Store,
    end: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Option<Result<Vec<u8>, String>>, StoreError> {
    let counts = store.chart_counts(secs(end), CHART_WEEKS).await?;
    Ok(reports::chart_points(end, tz, &counts).map(|points| draw(&points)))
}

/// Why a chart is not drawn when its weeks come from fewer than 3 people.
const NO_CHART_FEW_PEOPLE: &str = "no chart: the weeks it would show come from fewer than 3 people";

fn draw(points: &[reports::WeekPoint]) -> Result<Vec<u8>, String> {
    crate::domain::chart::weekly_chart_png(points)
        .map_err(|e| format!("the chart could not be drawn: {e}"))
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
        Detail::Rows {
            checkins_from: all_time.start,
        },
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
            crate::domain::export::hours_csv(&input, &all_time),
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
    use crate::domain::rounds::Naming;
    use crate::flows::proposals;

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

    /// A small program with every case the counting queries must get right: paused people (with and without an end
    /// to the pause, one already over), shared and one-sided skills, pairs of each status formed before and after the
    /// period's end, a senior with two reverse mentors, and a pair whose member left.
    async fn varied_program() -> (crate::outbound::store::testing::TestDb, Store) {
        use crate::domain::forms::survey::Answers;
        use crate::domain::matching::Role;
        use crate::domain::schedule::Cadence;
        let (dir, store) = crate::outbound::store::test_store().await;
        let skills = [
            "ai",
            "ediscovery",
            "negotiation",
            "clients",
            "culture",
            "teams",
        ];
        for i in 0..24usize {
            let pick = |seed: usize| -> Vec<String> {
                (0..skills.len())
                    .filter(|k| (seed >> k) & 1 == 1)
                    .map(|k| skills[k].to_string())
                    .collect()
            };
            let senior = i % 3 == 0;
            let answers = Answers {
                role: if senior {
                    Role::Partner
                } else {
                    Role::Associate
                },
                years: if senior {
                    20
                } else {
                    u8::try_from(i % 7).unwrap()
                },
                practice_group: "Tax".into(),
                teach: pick(i * 7 + 3),
                learn: pick(i * 11 + 5),
                hours_per_month: 2,
                cadence: Cadence::Weekly,
                reports_to: None,
            };
            let id = format!("U{i:02}");
            let mut tx = store.write().await.unwrap();
            tx.save_answers(&id, &answers, 100 + i as i64)
                .await
                .unwrap();
            match i % 8 {
                1 => assert!(tx.pause(&id, None, 200).await.unwrap()),
                2 => assert!(tx.pause(&id, Some(5_000), 200).await.unwrap()),
                3 => assert!(tx.pause(&id, Some(900), 200).await.unwrap()),
                _ => {}
            }
            tx.commit().await.unwrap();
        }
        for (j, s, at, status) in [
            ("U01", "U00", 300, "active"),
            ("U02", "U00", 310, "at_risk"),
            ("U04", "U03", 320, "completed"),
            ("U05", "U06", 330, "ended"),
            ("U07", "U09", 340, "active"),
            ("U08", "U12", 2_000, "active"),
            ("U10", "U15", 350, "completed"),
            ("U11", "U18", 360, "active"),
        ] {
            let id = store.create_pair(j, s, at).await.unwrap();
            crate::on_db!(store.pool(), |p| {
                sqlx::query("UPDATE pairs SET status = $1 WHERE id = $2")
                    .bind(status)
                    .bind(id)
                    .execute(p)
                    .await
                    .unwrap();
            });
        }
        crate::on_db!(store.pool(), |p| {
            sqlx::query("UPDATE pairs SET junior_id = NULL WHERE junior_id = 'U11'")
                .execute(p)
                .await
                .unwrap();
        });
        (dir, store)
    }

    #[tokio::test]
    async fn the_skills_market_counted_in_sql_equals_the_count_in_memory() {
        let (_d, store) = varied_program().await;
        let people = store.participants().await.unwrap();
        let names = HashMap::new();
        let pairs = report_pairs(&store.pairs().await.unwrap(), &names);
        for (now, before) in [(1_000, 1_000), (1_000, 3_000), (6_000, 325), (150, 3_000)] {
            let mut input = empty_input(Period {
                start: at(now),
                end: at(now),
            });
            input.pairs = pairs.clone();
            input.participants = people
                .iter()
                .map(|p| reports::Participant {
                    user_id: p.user_id.clone(),
                    display_name: p.user_id.clone(),
                    side: reports::Side::Senior,
                    joined_at: at(p.joined_at),
                    status: if p.is_paused(now) {
                        reports::ParticipantStatus::Paused
                    } else {
                        reports::ParticipantStatus::Active
                    },
                    teaches: p.answers.teach.clone(),
                    learns: p.answers.learn.clone(),
                })
                .collect();
            let in_memory = reports::SkillCounts::of(&input, at(before));
            assert!(!in_memory.supply.is_empty() && !in_memory.exchanged.is_empty());
            assert_eq!(
                store.skill_counts(now, before).await.unwrap(),
                in_memory,
                "now {now}, pairs before {before}"
            );
        }
    }

    /// Check-ins over `weeks` weeks for every pair of the program, an hour apart: both members met, one did, not
    /// yet, need help (with a "met" by someone who left), nobody answered, an outsider's "met" with a negative time, a
    /// time too long to be one, and two answers by people who left.
    async fn seed_checkins(store: &Store, weeks: i64) {
        let week = 7 * 86_400;
        let pairs: Vec<(i64, Option<String>, Option<String>)> = crate::on_db!(store.pool(), |p| {
            sqlx::query_as("SELECT id, junior_id, senior_id FROM pairs ORDER BY id")
                .fetch_all(p)
                .await
                .unwrap()
        });
        for w in 0..weeks {
            for (k, (pair, junior, senior)) in pairs.iter().enumerate() {
                let sent = w * week + 3_600 * k as i64;
                let id: i64 = crate::on_db!(store.pool(), |p| {
                    sqlx::query_scalar(
                        "INSERT INTO checkins (pair_id, since, sent_at) VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(pair)
                    .bind(sent - week)
                    .bind(sent)
                    .fetch_one(p)
                    .await
                    .unwrap()
                });
                let (j, s) = (junior.as_deref(), senior.as_deref());
                let answers: Vec<(Option<&str>, &str, i64)> = match (w + k as i64) % 8 {
                    0 => vec![(j, "met", 30), (s, "met", 45)],
                    1 => vec![(j, "met", 60)],
                    2 => vec![(s, "not_yet", 0)],
                    3 => vec![(None, "met", 20), (s, "need_help", 0)],
                    4 => vec![],
                    5 => vec![(Some("UX"), "met", -5), (s, "need_help", 0)],
                    6 => vec![(j, "met", 5_000_000_000)],
                    _ => vec![(None, "not_yet", 0), (None, "met", 15), (s, "met", 25)],
                };
                for (who, answer, minutes) in answers {
                    crate::on_db!(store.pool(), |p| {
                        sqlx::query("INSERT INTO checkin_answers (checkin_id, user_id, answer, minutes, answered_at) VALUES ($1, $2, $3, $4, $5)")
                            .bind(id)
                            .bind(who)
                            .bind(answer)
                            .bind(minutes)
                            .bind(sent)
                            .execute(p)
                            .await
                            .unwrap();
                    });
                }
            }
        }
    }

    /// The whole program up to `end`, with every check-in read row by row.
    async fn everything(store: &Store, end: DateTime<Utc>) -> ReportInput {
        let all = Period { start: at(0), end };
        gather(
            store,
            &Catalog::default(),
            &MatchConfig::default(),
            (all, all),
            Detail::Rows {
                checkins_from: at(0),
            },
            end,
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn the_checkin_tally_counted_in_sql_equals_the_count_in_memory() {
        let (_d, store) = varied_program().await;
        seed_checkins(&store, 6).await;
        let week = 7 * 86_400;
        let now = at(6 * week);
        let all = Period {
            start: at(0),
            end: now,
        };
        let full = everything(&store, now).await;
        assert_eq!(
            full.checkin_tallies.map(|t| t.0),
            Some(reports::CheckinTally::of(&full, &all))
        );
        let hour = 3_600;
        let mut periods = vec![(0, 0), (0, 6 * week), (2 * hour, 2 * hour + 1)];
        periods.extend((0..6).map(|w| (w * week, (w + 1) * week)));
        periods.extend((0..12).map(|h| (3 * week + h * hour, 3 * week + (h + 1) * hour)));
        let mut seen = std::collections::BTreeSet::new();
        for (start, end) in periods {
            let period = Period {
                start: at(start),
                end: at(end),
            };
            let in_memory = reports::CheckinTally::of(&full, &period);
            seen.insert((
                in_memory.asked_people,
                in_memory.meeting_people,
                in_memory.loggers,
            ));
            assert_eq!(
                store.checkin_tally(start, end).await.unwrap(),
                in_memory,
                "[{start}, {end})"
            );
        }
        // The periods cover no people, few people and three or more, for each count.
        for k in 0..3 {
            let counts: std::collections::BTreeSet<usize> =
                seen.iter().map(|c| [c.0, c.1, c.2][k]).collect();
            assert!(
                counts.contains(&0) && counts.contains(&3),
                "{k}: {counts:?}"
            );
            assert!(counts.iter().any(|n| (1..3).contains(n)), "{k}: {counts:?}");
        }
    }

    #[tokio::test]
    async fn the_summary_counted_in_sql_is_the_summary_of_the_rows() {
        let (_d, store) = varied_program().await;
        // Pairs end (completed ones at 400 and 2_500, the ended one at 450, one at-risk pair without an end); their
        // people give feedback; someone in a completed pair leaves (their feedback stays, anonymous), as does
        // someone in a running pair; names are known for some.
        crate::on_db!(store.pool(), |p| {
            for sql in [
                "UPDATE pairs SET ended_at = CASE WHEN junior_id = 'U04' THEN 400 WHEN junior_id = 'U10' THEN 2500
                                              ELSE 450 END WHERE status IN ('completed', 'ended')",
                "INSERT INTO feedback (pair_id, user_id, rating, recommend, at)
                 SELECT id, junior_id, 4, 1, 500 FROM pairs WHERE status IN ('completed', 'ended')
                 UNION ALL SELECT id, senior_id, 2, 0, 500 FROM pairs WHERE status IN ('completed', 'ended')",
                "UPDATE participants SET display_name = 'Name of ' || user_id WHERE user_id IN ('U02', 'U01', 'U04')",
            ] {
                sqlx::query(sql).execute(p).await.unwrap();
            }
        });
        let mut tx = store.write().await.unwrap();
        tx.delete_participant("U10", 2_600).await.unwrap();
        tx.delete_participant("U07", 700).await.unwrap();
        tx.commit().await.unwrap();

        let config = MatchConfig::default();
        let catalog = Catalog::default();
        let p = |s: i64, e: i64| Period {
            start: at(s),
            end: at(e),
        };
        let fraction = |t: i64| at(t) + Duration::milliseconds(500);
        let mut cases = vec![
            (p(0, 1_000), p(0, 0), 1_000),
            (p(300, 1_000), p(0, 300), 1_000),
            (p(350, 460), p(240, 350), 460),
            (p(400, 2_600), p(0, 400), 6_000),
            (p(2_000, 3_000), p(1_000, 2_000), 3_000),
            (p(100, 115), p(85, 100), 150),
            (p(0, 100), p(0, 0), 150),
        ];
        // Bounds between whole seconds: someone who joined at 110 joined before 110.5 and after 109.5.
        cases.push((
            Period {
                start: fraction(109),
                end: fraction(110),
            },
            p(100, 109),
            150,
        ));
        cases.push((
            Period {
                start: fraction(111),
                end: fraction(113),
            },
            p(100, 111),
            150,
        ));
        cases.push((
            Period {
                start: fraction(399),
                end: fraction(2_500),
            },
            Period {
                start: fraction(300),
                end: fraction(399),
            },
            2_600,
        ));
        let mut shown = std::collections::BTreeSet::new();
        for (cur, prev, now) in cases {
            let read = |detail| gather(&store, &catalog, &config, (cur, prev), detail, at(now));
            let counted = read(Detail::Figures).await.unwrap();
            let rows = read(Detail::Rows {
                checkins_from: at(0),
            })
            .await
            .unwrap();
            assert!(counted.participants.is_empty() && rows.people_tally.is_none());
            assert_eq!(
                counted.people_tally,
                Some(reports::PeopleTally::of(&rows.participants, &cur, &prev)),
                "{cur:?}"
            );
            assert_eq!(
                counted.pair_tally,
                Some(reports::PairTally::of(
                    &rows.pairs,
                    &rows.feedback,
                    &cur,
                    &prev
                )),
                "{cur:?}"
            );
            let (a, b) = (
                reports::summarize(&counted, at(now)),
                reports::summarize(&rows, at(now)),
            );
            assert_eq!(a, b, "{cur:?}");
            let o = &a.outcomes;
            shown.insert((
                matches!(a.enrolment.new_this_period.now, reports::Figure::Value(_)),
                matches!(o.pairs_completed.now, reports::Figure::Value(_)),
                matches!(o.average_rating.now, reports::Figure::Value(_)),
                matches!(a.to_date.recommend_pct, reports::Figure::Value(_)),
            ));
            assert_eq!(
                a.activity
                    .at_risk
                    .iter()
                    .map(|r| r.junior_name.clone())
                    .collect::<Vec<_>>(),
                vec![Some("Name of U02".to_string())]
            );
        }
        // Each of these figures is shown in some periods and hidden (or missing) in others.
        for k in 0..4 {
            let seen: std::collections::BTreeSet<bool> =
                shown.iter().map(|s| [s.0, s.1, s.2, s.3][k]).collect();
            assert_eq!(seen.len(), 2, "figure {k}: {shown:?}");
        }
    }

    #[tokio::test]
    async fn the_chart_counted_in_sql_draws_the_weeks_the_rows_draw() {
        let (_d, store) = varied_program().await;
        let week = 7 * 86_400;
        seed_checkins(&store, 20).await;
        // Two pairs end: they run up to and at their end, not after it.
        crate::on_db!(store.pool(), |p| {
            sqlx::query(
                "UPDATE pairs SET ended_at = CASE status WHEN 'ended' THEN $1 ELSE $2 END
                 WHERE status IN ('ended', 'completed')",
            )
            .bind(10 * week)
            .bind(15 * week + 3)
            .execute(p)
            .await
            .unwrap();
        });
        let full = everything(&store, at(40 * week)).await;
        let (mut drawn, mut hidden) = (0, 0);
        for tz in [chrono_tz::Tz::UTC, chrono_tz::Asia::Tokyo] {
            for (end, weeks) in [
                (20 * week, CHART_WEEKS),
                (20 * week + 5 * 3_600, CHART_WEEKS),
                (10 * week, CHART_WEEKS),
                (15 * week + 3, 1),
                (3 * week, CHART_WEEKS),
                (5 * week + 7, 4),
                (40 * week, CHART_WEEKS),
                (0, CHART_WEEKS),
                (20 * week, 1),
                (20 * week, 0),
                // Only the first pair (two people) runs: no chart; a moment later a third person is in a pair.
                (305, 1),
                (315, 1),
            ] {
                let counts = store.chart_counts(end, weeks).await.unwrap();
                assert_eq!(counts.weeks.len(), weeks);
                let in_memory = reports::weekly_points(&full, at(end), tz, weeks);
                match &in_memory {
                    Some(points) if points.iter().any(|p| p.meetings > 0) => drawn += 1,
                    None => hidden += 1,
                    Some(_) => {}
                }
                assert_eq!(
                    reports::chart_points(at(end), tz, &counts),
                    in_memory,
                    "end {end}, {weeks} weeks"
                );
            }
        }
        assert!(drawn >= 8 && hidden == 2, "{drawn} drawn, {hidden} hidden");
    }

    #[tokio::test]
    async fn a_round_of_the_candidates_is_the_round_of_everyone() {
        let (_d, store) = varied_program().await;
        crate::on_db!(store.pool(), |p| {
            sqlx::query("UPDATE participants SET capacity = 2 WHERE user_id IN ('U00', 'U09')")
                .execute(p)
                .await
                .unwrap();
        });
        let config = MatchConfig::default();
        let catalog = Catalog::default();
        let now = at(1_000);
        let everyone = store.participants().await.unwrap();
        let candidates = store.round_candidates().await.unwrap();
        assert!(candidates.len() < everyone.len());
        let ids = |people: &[crate::domain::model::Participant]| -> Vec<String> {
            people.iter().map(|p| p.user_id.clone()).collect()
        };
        let (all, few) = (
            proposals::round_of(&store, &everyone, &catalog, &config, Naming::Mentions, now)
                .await
                .unwrap(),
            proposals::round_of(
                &store,
                &candidates,
                &catalog,
                &config,
                Naming::Mentions,
                now,
            )
            .await
            .unwrap(),
        );
        assert_eq!(few.participants, all.participants);
        let considered: Vec<String> = all.participants.iter().map(|p| p.id.clone()).collect();
        assert!(
            considered.contains(&"U09".to_string()),
            "a senior with room left"
        );
        assert!(
            considered.contains(&"U03".to_string()),
            "a pair that completed"
        );
        let read = ids(&candidates);
        assert!(
            !read.contains(&"U00".to_string()),
            "a senior whose pairs fill their capacity"
        );
        assert!(!read.contains(&"U07".to_string()), "in an active pair");
        assert!(!read.contains(&"U02".to_string()), "in an at-risk pair");
    }

    #[tokio::test]
    async fn who_waits_is_everyone_free_with_the_reason_the_last_approved_round_gave() {
        use crate::domain::matching::UnmatchedReason;
        let (_d, store) = varied_program().await;
        let now = at(1_000);
        let report = |store: Store| async move {
            let (p, prev) = (
                Period {
                    start: at(0),
                    end: now,
                },
                Period {
                    start: at(0),
                    end: at(0),
                },
            );
            gather(
                &store,
                &Catalog::default(),
                &MatchConfig::default(),
                (p, prev),
                Detail::Figures,
                now,
            )
            .await
            .unwrap()
            .waiting
        };
        // Free: enrolled, not paused at `now`, in no active or at-risk pair (worked out here from the plain rows).
        let running: Vec<String> = store
            .pairs()
            .await
            .unwrap()
            .into_iter()
            .filter(|p| {
                matches!(
                    p.status,
                    reports::PairStatus::Active | reports::PairStatus::AtRisk
                )
            })
            .flat_map(|p| [p.junior_id, p.senior_id].into_iter().flatten())
            .collect();
        let free: Vec<String> = store
            .participants()
            .await
            .unwrap()
            .into_iter()
            .filter(|p| !p.is_paused(now.timestamp()) && !running.contains(&p.user_id))
            .map(|p| p.user_id)
            .collect();
        assert!(free.len() >= 6, "{free:?}");
        assert!(
            free.contains(&"U11".to_string()),
            "a pair whose member left is not running"
        );
        let waiting = report(store.clone()).await;
        assert_eq!(
            waiting
                .iter()
                .map(|w| w.user_id.clone())
                .collect::<Vec<_>>(),
            free
        );
        assert!(waiting.iter().all(|w| w.reason == WAITING_FOR_NEXT_ROUND));

        // A round left every free person but the last two out (and, stale, a paired person and a paused one; and
        // someone who left before it was approved).
        let why = UnmatchedReason::NobodyTeachesWhatYouWant;
        let (a, b, c) = (free[0].as_str(), free[1].as_str(), free[2].as_str());
        let left_out: Vec<&str> = free[..free.len() - 2].iter().map(String::as_str).collect();
        let mut considered = left_out.clone();
        considered.extend(["U07", "U01"]);
        let mut reasons: Vec<(&str, &str)> = left_out.iter().map(|u| (*u, why.code())).collect();
        reasons.extend([
            ("U07", why.code()),
            ("U01", why.code()),
            ("U99", why.code()),
        ]);
        let mut tx = store.write().await.unwrap();
        tx.record_waiting_reasons(1, &considered, &reasons, 900)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let waiting = report(store.clone()).await;
        assert_eq!(
            waiting.len(),
            free.len(),
            "the paired and the paused are not waiting"
        );
        let reason_of = |w: &[reports::Waiting], id: &str| {
            w.iter().find(|x| x.user_id == id).map(|x| x.reason.clone())
        };
        for id in [a, b, c] {
            assert_eq!(reason_of(&waiting, id).as_deref(), Some(why.text()));
        }
        assert_eq!(
            reason_of(&waiting, &free[free.len() - 1]).as_deref(),
            Some(WAITING_FOR_NEXT_ROUND)
        );
        let summary = reports::summarize(
            &ReportInput {
                waiting,
                ..empty_input(Period {
                    start: now,
                    end: now,
                })
            },
            now,
        );
        match summary.matching.main_reason {
            reports::Figure::Value(main) => assert_eq!(main.reason, why.text()),
            other => panic!("three people share a reason: {other:?}"),
        }

        // The next approved round paired `a` (their old reason goes) and left `b` out for another reason.
        let other = UnmatchedReason::PartnersTakenElsewhere;
        let mut tx = store.write().await.unwrap();
        tx.record_waiting_reasons(2, &[a, b], &[(b, other.code())], 950)
            .await
            .unwrap();
        // `c` leaves: their reason goes with them.
        tx.delete_participant(c, 960).await.unwrap();
        tx.commit().await.unwrap();
        let waiting = report(store.clone()).await;
        assert_eq!(
            reason_of(&waiting, a).as_deref(),
            Some(WAITING_FOR_NEXT_ROUND)
        );
        assert_eq!(reason_of(&waiting, b).as_deref(), Some(other.text()));
        assert_eq!(reason_of(&waiting, c), None);
        let rows: i64 = crate::on_db!(store.pool(), |p| {
            sqlx::query_scalar("SELECT COUNT(*) FROM waiting_reasons")
                .fetch_one(p)
                .await
                .unwrap()
        });
        assert_eq!(
            usize::try_from(rows).unwrap(),
            left_out.len() - 2 + 2,
            "b and the others left out, and the stale rows of U07 and U01; none for a, c or U99"
        );
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
