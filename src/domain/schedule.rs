//! Pure scheduling logic for Tandem: check-in times, business days, end dates,
//! pauses and the managers' summary cron.
//!
//! Everything here is a pure function of its arguments: no I/O and no clock
//! reads. Callers pass "now" (or the previous event) explicitly and get plain
//! values back. All instants are `DateTime<Utc>`; local calendars come from
//! `chrono_tz::Tz`.
//!
//! # Local times that do not exist or occur twice
//!
//! Whenever a local wall-clock time is turned into an instant ([`at_local`] and
//! everything built on it) the result is deterministic:
//! * ambiguous local time (the repeated hour when clocks go back): the
//!   **earliest** of the two instants;
//! * nonexistent local time (the skipped hour when clocks go forward): the
//!   **first instant after the gap**, e.g. 02:30 on the US spring-forward day is
//!   03:00 EDT.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Default managers' summary schedule: Mondays at 09:00 (five-field Unix form).
pub const DEFAULT_SUMMARY_CRON: &str = "0 9 * * 1";

/// Business days without a plan after which a pair gets its single reminder.
pub const PLAN_REMINDER_BUSINESS_DAYS: u32 = 5;

/// Default program length in calendar months (see [`default_end_date`]).
pub const DEFAULT_PROGRAM_MONTHS: u32 = 4;

// ---------------------------------------------------------------------------
// Cadence
// ---------------------------------------------------------------------------

/// How often a pair checks in. Serialized as `"weekly"`, `"biweekly"`,
/// `"monthly"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Every 7 days.
    Weekly,
    /// Every two weeks (14 days) — not "twice a week".
    Biweekly,
    /// Every calendar month (same day-of-month, clamped to the month's end).
    Monthly,
}

/// An unrecognised cadence name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown cadence '{input}': expected weekly, biweekly (every two weeks) or monthly")]
pub struct CadenceError {
    /// The text that was given.
    pub input: String,
}

impl Cadence {
    /// All cadences, in increasing period.
    pub const ALL: [Cadence; 3] = [Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly];

    /// Stable machine key, identical to the serde form: `weekly`, `biweekly`,
    /// `monthly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Monthly => "monthly",
        }
    }

    /// Human label for messages: `weekly`, `every two weeks`, `monthly`.
    pub fn label(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "every two weeks",
            Cadence::Monthly => "monthly",
        }
    }

    /// Parses user or stored text, case-insensitively, ignoring surrounding
    /// whitespace. Accepts the keys (`weekly`, `biweekly`, `monthly`), the
    /// labels, and `bi-weekly`, `fortnightly`, `every 2 weeks`, `every week`,
    /// `every month`.
    pub fn parse(input: &str) -> Result<Cadence, CadenceError> {
        let normalized = input
            .to_lowercase()
            .replace(['-', '_'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match normalized.as_str() {
            "weekly" | "every week" => Ok(Cadence::Weekly),
            "biweekly" | "bi weekly" | "fortnightly" | "every two weeks" | "every 2 weeks" => {
                Ok(Cadence::Biweekly)
            }
            "monthly" | "every month" => Ok(Cadence::Monthly),
            _ => Err(CadenceError {
                input: input.to_string(),
            }),
        }
    }

    /// Nominal length of one period in days: 7, 14, or 30 for monthly. Use
    /// this only for rough comparisons ("overdue by more than a period");
    /// scheduling uses [`Cadence::advance`], which is calendar-exact.
    pub fn interval_days(self) -> u32 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Biweekly => 14,
            Cadence::Monthly => 30,
        }
    }

    /// The calendar date one period after `date`: +7 days, +14 days, or the
    /// same day-of-month next month, clamped to that month's last day
    /// (Jan 31 → Feb 28 or Feb 29). Saturates at `NaiveDate::MAX`.
    pub fn advance(self, date: NaiveDate) -> NaiveDate {
        let next = match self {
            Cadence::Weekly => date.checked_add_days(Days::new(7)),
            Cadence::Biweekly => date.checked_add_days(Days::new(14)),
            Cadence::Monthly => date.checked_add_months(Months::new(1)),
        };
        next.unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Cadence {
    type Err = CadenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cadence::parse(s)
    }
}

// ---------------------------------------------------------------------------
// Local time helpers
// ---------------------------------------------------------------------------

/// The instant at which `date` + `time` happens on the wall clocks of `tz`.
///
/// Guaranteed DST-safe and total: an ambiguous local time (clocks going back)
/// gives the earliest instant; a nonexistent one (clocks going forward) gives
/// the first instant after the gap (02:30 in a 02:00→03:00 gap is 03:00).
pub fn at_local(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    resolve_local(date.and_time(time), tz)
}

fn resolve_local(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => dt.with_timezone(&Utc),
        LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        LocalResult::None => first_instant_after_gap(local, tz),
    }
}

/// `local` never occurs in `tz`: find the transition instant that jumps over
/// it, i.e. the first instant whose local wall-clock time is later than
/// `local`. Binary search over whole seconds (tz transitions are on whole
/// seconds) within ±26 h, which brackets every real UTC offset.
fn first_instant_after_gap(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    const BRACKET_SECS: i64 = 26 * 3600;
    let is_past = |secs: i64| {
        tz.from_utc_datetime(&utc_from_secs(secs).naive_utc())
            .naive_local()
            > local
    };
    let base = local.and_utc().timestamp();
    // Invariant: !is_past(lo) && is_past(hi). Since `local` itself never
    // occurs, the wall clock can only cross it by jumping over it, so the
    // boundary found is a gap transition.
    let (mut lo, mut hi) = (base - BRACKET_SECS, base + BRACKET_SECS);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if is_past(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    utc_from_secs(hi)
}

fn utc_from_secs(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(if secs < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

fn is_weekend(day: Weekday) -> bool {
    matches!(day, Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(NaiveDate::MAX)
}

/// Parses an IANA time zone name (`America/New_York`, `Europe/London`, `UTC`),
/// ignoring surrounding whitespace. Names are case-sensitive.
pub fn parse_tz(name: &str) -> Result<Tz, TimeZoneError> {
    name.trim().parse::<Tz>().map_err(|_| TimeZoneError {
        name: name.to_string(),
    })
}

/// An unknown time zone name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown time zone '{name}': expected an IANA time zone name such as 'America/New_York' or 'Europe/London' (case-sensitive)"
)]
pub struct TimeZoneError {
    /// The text that was given.
    pub name: String,
}

// ---------------------------------------------------------------------------
// Check-ins
// ---------------------------------------------------------------------------

/// When check-in messages may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckinPolicy {
    /// Local wall-clock time of the check-in, in the zone of the partner for
    /// whom it comes latest. Default 10:00.
    pub local_time: NaiveTime,
    /// Only send on days that are Monday–Friday for every partner. Default
    /// `true`.
    pub weekdays_only: bool,
}

impl Default for CheckinPolicy {
    fn default() -> Self {
        CheckinPolicy {
            local_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN),
            weekdays_only: true,
        }
    }
}

/// Days searched for a slot satisfying the weekday rule. Real zones are at
/// most 26 h apart, so a Monday–Thursday slot is always valid and the search
/// ends within 4 days; 14 is a generous bound.
const SLOT_SEARCH_DAYS: usize = 14;

/// The check-in slot on calendar date `date`: `local_time` on `date` in each
/// partner's zone, taking the **latest** of those instants, so that no
/// partner gets it before `local_time` on `date` in their own zone.
///
/// Returns the chosen zone (the first listed on a tie) and the instant. An
/// empty `zones` is treated as `[UTC]`. No weekday rule is applied here.
pub fn checkin_slot(date: NaiveDate, zones: &[Tz], local_time: NaiveTime) -> (Tz, DateTime<Utc>) {
    zones_or_utc(zones)
        .iter()
        .map(|&tz| (tz, at_local(date, local_time, tz)))
        .fold(None, |best: Option<(Tz, DateTime<Utc>)>, cand| match best {
            Some(b) if b.1 >= cand.1 => Some(b),
            _ => Some(cand),
        })
        .unwrap_or((Tz::UTC, at_local(date, local_time, Tz::UTC)))
}

/// The next check-in, due one `cadence` period after `after` (the previous
/// check-in, or the pair's start).
///
/// Rule:
/// 1. The base date is `after`'s calendar date in the westernmost partner's
///    zone (the earliest of the partners' local dates). For a previous
///    check-in produced by this function that is the date it was held on.
/// 2. The due date is the base date advanced by [`Cadence::advance`]
///    (calendar months for monthly, clamped: Jan 31 → Feb 28/29).
/// 3. The check-in is the [`checkin_slot`] of the first date on or after the
///    due date that passes the weekday rule.
///
/// Guarantees (with `policy.weekdays_only`, the default):
/// * the result is strictly after `after`;
/// * it is `policy.local_time` on the wall clock of the chosen zone (the
///   zone where that time comes latest), so no partner receives it before
///   `policy.local_time` of that date in their own zone — London + New York
///   gets 10:00 New York (15:00 London);
/// * it falls on Monday–Friday in **every** partner's zone. A target date on
///   Saturday/Sunday moves to the next Monday. For pairs so far apart that
///   the chosen time is already the next day for the other partner (e.g.
///   Los Angeles + Tokyo: Friday 10:00 LA is Saturday 02:00/03:00 Tokyo) the
///   date also moves on, so such pairs meet Monday–Thursday (LA time). This is
///   always satisfiable for real zones (at most 26 h apart); if it ever were
///   not within 14 days, the rule falls back to "weekday in the chosen zone".
/// * daylight-saving changes are respected: the local time stays fixed and
///   the UTC instant shifts (see module docs for gaps and repeats).
///
/// With `weekdays_only == false` the due date's slot is used as is.
/// Note that a weekend shift carries forward: the following check-in is one
/// period after the shifted date. An empty `zones` is treated as `[UTC]`.
pub fn next_checkin(
    after: DateTime<Utc>,
    cadence: Cadence,
    zones: &[Tz],
    policy: &CheckinPolicy,
) -> DateTime<Utc> {
    let due = cadence.advance(base_date(after, zones));
    first_valid_slot(due, after, zones, policy)
}

/// The earliest valid check-in slot strictly after `after` (same zone and
/// weekday rules as [`next_checkin`], without adding a period). Useful when a
/// pair resumes after a pause, or for a first check-in "as soon as allowed".
pub fn first_slot_after(
    after: DateTime<Utc>,
    zones: &[Tz],
    policy: &CheckinPolicy,
) -> DateTime<Utc> {
    first_valid_slot(base_date(after, zones), after, zones, policy)
}

fn zones_or_utc(zones: &[Tz]) -> &[Tz] {
    if zones.is_empty() { &[Tz::UTC] } else { zones }
}

/// Earliest local calendar date of `at` among the zones.
fn base_date(at: DateTime<Utc>, zones: &[Tz]) -> NaiveDate {
    zones_or_utc(zones)
        .iter()
        .map(|tz| at.with_timezone(tz).date_naive())
        .min()
        .unwrap_or(at.date_naive())
}

fn first_valid_slot(
    from: NaiveDate,
    after: DateTime<Utc>,
    zones: &[Tz],
    policy: &CheckinPolicy,
) -> DateTime<Utc> {
    let zones = zones_or_utc(zones);
    let candidates = || {
        from.iter_days()
            .take(SLOT_SEARCH_DAYS)
            .map(|date| (date, checkin_slot(date, zones, policy.local_time).1))
            .filter(|&(_, slot)| slot > after)
    };
    let weekday_everywhere = |slot: DateTime<Utc>| {
        zones
            .iter()
            .all(|tz| !is_weekend(slot.with_timezone(tz).weekday()))
    };
    let found = if policy.weekdays_only {
        candidates()
            .find(|&(_, slot)| weekday_everywhere(slot))
            .or_else(|| candidates().find(|&(date, _)| !is_weekend(date.weekday())))
    } else {
        candidates().next()
    };
    found.map(|(_, slot)| slot).unwrap_or_else(|| {
        // Unreachable for real zones; stay total and strictly after `after`.
        let last = from
            .checked_add_days(Days::new(SLOT_SEARCH_DAYS as u64))
            .unwrap_or(NaiveDate::MAX);
        checkin_slot(last, zones, policy.local_time).1.max(after)
    })
}

// ---------------------------------------------------------------------------
// Business days, end dates, pauses
// ---------------------------------------------------------------------------

/// `date` plus `n` business days (Monday–Friday; no holiday calendar).
///
/// Counting starts on the day after `date`: Friday + 1 = Monday,
/// Thursday + 5 = next Thursday. A weekend `date` counts from the following
/// Monday: Saturday + 1 = Monday, Saturday + 5 = Friday. `n == 0` returns
/// `date` unchanged. Saturates at `NaiveDate::MAX`.
pub fn add_business_days_to_date(date: NaiveDate, n: u32) -> NaiveDate {
    if n == 0 {
        return date;
    }
    // From a weekend, counting is the same as from the preceding Friday.
    let anchor = match date.weekday() {
        Weekday::Sat => date.pred_opt().unwrap_or(date),
        Weekday::Sun => date.checked_sub_days(Days::new(2)).unwrap_or(date),
        _ => date,
    };
    let whole_weeks = anchor
        .checked_add_days(Days::new(u64::from(n / 5) * 7))
        .unwrap_or(NaiveDate::MAX);
    (0..n % 5).fold(whole_weeks, |d, _| {
        let mut next = next_day(d);
        while is_weekend(next.weekday()) && next != NaiveDate::MAX {
            next = next_day(next);
        }
        next
    })
}

/// `start` plus `n` business days (Monday–Friday) counted on the calendar of
/// `tz`, at the same local wall-clock time as `start` (DST-safe via
/// [`at_local`]'s rules). Used for "no plan after five business days → one
/// reminder". See [`add_business_days_to_date`] for the counting rule;
/// `n == 0` returns `start` unchanged.
pub fn add_business_days(start: DateTime<Utc>, n: u32, tz: Tz) -> DateTime<Utc> {
    if n == 0 {
        return start;
    }
    let local = start.with_timezone(&tz).naive_local();
    let date = add_business_days_to_date(local.date(), n);
    resolve_local(date.and_time(local.time()), tz)
}

/// Default program end date: [`DEFAULT_PROGRAM_MONTHS`] (four) calendar
/// months after `start_date`, clamped to the end of the month
/// (Oct 31 → Feb 28/29). Saturates at `NaiveDate::MAX`.
pub fn default_end_date(start_date: NaiveDate) -> NaiveDate {
    start_date
        .checked_add_months(Months::new(DEFAULT_PROGRAM_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// End of a pause of `weeks` weeks starting `now`: exactly `now + weeks × 7
/// days` (absolute time, not wall-clock). Saturates at the maximum instant.
pub fn pause_until(now: DateTime<Utc>, weeks: u32) -> DateTime<Utc> {
    TimeDelta::try_weeks(i64::from(weeks))
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whole weeks from `from` to `to`, truncated toward zero (negative when `to`
/// is earlier).
pub fn weeks_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_weeks()
}

// ---------------------------------------------------------------------------
// Managers' summary cron
// ---------------------------------------------------------------------------

/// A field of the five-field Unix cron form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronField {
    /// 0–59.
    Minute,
    /// 0–23.
    Hour,
    /// 1–31.
    DayOfMonth,
    /// 1–12 or JAN–DEC.
    Month,
    /// 0–7 (0 or 7 = Sunday) or SUN–SAT.
    DayOfWeek,
}

impl CronField {
    const ALL: [CronField; 5] = [
        CronField::Minute,
        CronField::Hour,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
    ];

    /// Name used in error messages, e.g. `day-of-week`.
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
        }
    }

    fn bounds(self) -> (u32, u32) {
        match self {
            CronField::Minute => (0, 59),
            CronField::Hour => (0, 23),
            CronField::DayOfMonth => (1, 31),
            CronField::Month => (1, 12),
            CronField::DayOfWeek => (0, 7),
        }
    }

    fn range_text(self) -> &'static str {
        match self {
            CronField::Minute => "0-59",
            CronField::Hour => "0-23",
            CronField::DayOfMonth => "1-31",
            CronField::Month => "1-12",
            CronField::DayOfWeek => "0-7 (0 or 7 = Sunday)",
        }
    }

    fn expected_text(self) -> &'static str {
        match self {
            CronField::Minute => "a number 0-59",
            CronField::Hour => "a number 0-23",
            CronField::DayOfMonth => "a number 1-31",
            CronField::Month => "a number 1-12 or a month name JAN-DEC",
            CronField::DayOfWeek => "a number 0-7 (0 or 7 = Sunday) or a day name SUN-SAT",
        }
    }

    fn value_of_name(self, name: &str) -> Option<u32> {
        const MONTHS: [&str; 12] = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        const DAYS: [&str; 7] = [
            "sunday",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        ];
        let names: &[&str] = match self {
            CronField::Month => &MONTHS,
            CronField::DayOfWeek => &DAYS,
            _ => return None,
        };
        let first = u32::from(self == CronField::Month);
        let lower = name.to_lowercase();
        // Three-letter abbreviation or the full name.
        (first..)
            .zip(names)
            .find(|(_, full)| lower == **full || (lower.len() == 3 && full.starts_with(&lower)))
            .map(|(value, _)| value)
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a summary cron expression was rejected. The `Display` text is meant
/// for the person who typed the expression.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CronError {
    /// Neither 5 (Unix) nor 6–7 (Quartz) fields.
    #[error(
        "expected 5 fields (minute hour day-of-month month day-of-week), e.g. '0 9 * * 1' for Mondays 09:00, or 6-7 fields (second minute hour day-of-month month day-of-week [year]); got {got}"
    )]
    FieldCount {
        /// Number of whitespace-separated fields found.
        got: usize,
    },
    /// A bad value in one field of the five-field form.
    #[error("{}", describe_field_error(*.field, .text, .value, .problem))]
    Field {
        /// Which field.
        field: CronField,
        /// The whole field as written.
        text: String,
        /// The offending part of it (equal to `text` when it is the whole).
        value: String,
        /// What is wrong, e.g. `is out of range 0-7 (0 or 7 = Sunday)`.
        problem: String,
    },
    /// An `@` shorthand other than @hourly/@daily/@midnight/@weekly/@monthly/
    /// @yearly/@annually.
    #[error(
        "unsupported shorthand '{0}': expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually, or a 5-field expression such as '0 9 * * 1'"
    )]
    Shorthand(String),
    /// The cron crate rejected a 6/7-field (Quartz) expression.
    #[error(
        "invalid 6/7-field cron expression '{expression}': {message} (this form starts with a seconds field and numbers day-of-week 1-7 with 1 = Sunday; names SUN-SAT are safest)"
    )]
    Quartz {
        /// The expression as given.
        expression: String,
        /// The cron crate's message, flattened to one line.
        message: String,
    },
}

fn describe_field_error(field: CronField, text: &str, value: &str, problem: &str) -> String {
    if text == value {
        format!("{field} field '{text}' {problem}")
    } else {
        format!("{field} field '{text}': '{value}' {problem}")
    }
}

/// The managers' summary schedule: a cron expression evaluated on the wall
/// clock of a configured time zone.
///
/// Accepted forms (see [`SummarySchedule::parse`]):
/// * five-field Unix crontab `minute hour day-of-month month day-of-week`,
///   with Unix day-of-week numbering (0 or 7 = Sunday, 1 = Monday), `*`,
///   ranges `1-5`, lists `1,3,5`, steps `*/15` and `1-5/2`, names `MON-FRI`,
///   `jan,jul` (case-insensitive, 3-letter or full). As in Vixie cron/cronie,
///   when both day-of-month and day-of-week are restricted (neither starts
///   with `*`) a day matches if **either** matches; otherwise both must;
/// * `@hourly`, `@daily`/`@midnight`, `@weekly` (Sunday 00:00),
///   `@monthly`, `@yearly`/`@annually`;
/// * the cron crate's own 6/7-field Quartz form (seconds first, optional
///   year), passed through unchanged with that crate's semantics —
///   **day-of-week 1 = Sunday** there, and day-of-month/day-of-week are
///   both required to match.
#[derive(Debug, Clone)]
pub struct SummarySchedule {
    expression: String,
    tz: Tz,
    /// The fire times are the union of these (two only for the Unix
    /// "day-of-month OR day-of-week" case).
    schedules: Vec<cron::Schedule>,
}

impl SummarySchedule {
    /// Parses `expr` (see the type docs for the accepted forms) for the zone
    /// `tz`. Never panics on user input; errors name the field, the value and
    /// the expected form, e.g. `day-of-week field '9' is out of range 0-7 (0
    /// or 7 = Sunday)`.
    pub fn parse(expr: &str, tz: Tz) -> Result<SummarySchedule, CronError> {
        let trimmed = expr.trim();
        let five_fields = match trimmed.strip_prefix('@') {
            Some(name) => {
                Some(shorthand(name).ok_or_else(|| CronError::Shorthand(trimmed.to_string()))?)
            }
            None => None,
        };
        let fields: Vec<&str> = five_fields.unwrap_or(trimmed).split_whitespace().collect();
        let crate_exprs = match fields.len() {
            5 => unix_to_quartz(&fields)?,
            6 | 7 => vec![trimmed.to_string()],
            got => return Err(CronError::FieldCount { got }),
        };
        let schedules = crate_exprs
            .iter()
            .map(|e| {
                cron::Schedule::from_str(e).map_err(|err| CronError::Quartz {
                    expression: trimmed.to_string(),
                    message: flatten_crate_message(&err.to_string(), e),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SummarySchedule {
            expression: trimmed.to_string(),
            tz,
            schedules,
        })
    }

    /// The expression as given (trimmed).
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The zone whose wall clock the expression is evaluated on.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The cron-crate (Quartz, seconds-first) expressions actually used; two
    /// for the Unix "day-of-month OR day-of-week" case. For logs and tests.
    pub fn cron_expressions(&self) -> Vec<&str> {
        self.schedules.iter().map(|s| s.source()).collect()
    }

    /// The first fire instant strictly after `after`, or `None` if there is
    /// none (the cron crate stops at year 2100, and e.g. `0 0 30 2 *` never
    /// fires).
    ///
    /// The expression is matched against wall-clock time in the configured
    /// zone, then each matching wall-clock time is turned into an instant by
    /// [`at_local`]'s rules: a time skipped by a spring-forward change fires
    /// at the first instant after the gap (02:30 → 03:00), so it is not lost;
    /// a time repeated by a fall-back change fires once, at its first
    /// occurrence (so `*/15 * * * *` pauses during the repeated hour).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedules
            .iter()
            .filter_map(|s| next_fire(s, self.tz, after))
            .min()
    }
}

/// A crontab line on a zone's wall clock, whatever it schedules: the managers' summary (`TANDEM_SUMMARY_CRON`) and
/// the matching rounds (`TANDEM_ROUND_CRON`) share one parser. The summary's name is kept for its callers.
pub type CronSchedule = SummarySchedule;

/// Evaluates `schedule` on naive wall-clock time (as fake UTC, where every
/// time exists once), maps each match to an instant with `resolve_local`,
/// and returns the first one after `after`. `resolve_local` is monotone, and
/// the wall-clock time of `after` maps to an instant no later than `after`,
/// so matches up to that wall-clock time can be skipped.
fn next_fire(schedule: &cron::Schedule, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let wall_after = after.with_timezone(&tz).naive_local().and_utc();
    schedule
        .after(&wall_after)
        .map(|wall| resolve_local(wall.naive_utc(), tz))
        .find(|&instant| instant > after)
}

fn shorthand(name: &str) -> Option<&'static str> {
    match name.to_lowercase().as_str() {
        "hourly" => Some("0 * * * *"),
        "daily" | "midnight" => Some("0 0 * * *"),
        "weekly" => Some("0 0 * * 0"),
        "monthly" => Some("0 0 1 * *"),
        "yearly" | "annually" => Some("0 0 1 1 *"),
        _ => None,
    }
}

fn flatten_crate_message(message: &str, expression: &str) -> String {
    let kept: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && *line != expression && !line.chars().all(|c| c == '^'))
        .collect();
    if kept.is_empty() {
        "syntax error".to_string()
    } else {
        kept.join(" ")
    }
}

/// A parsed Unix field: the set of values and whether it was written
/// starting with `*` (which matters for the day-of-month/day-of-week rule).
struct UnixField {
    star: bool,
    values: BTreeSet<u32>,
}

/// Translates five Unix fields into one or two cron-crate expressions. Each
/// field is expanded to an explicit list, and day-of-week is written with
/// names (SUN..SAT), so the crate's 1 = Sunday numbering never applies.
fn unix_to_quartz(fields: &[&str]) -> Result<Vec<String>, CronError> {
    let parsed = CronField::ALL
        .iter()
        .zip(fields)
        .map(|(&field, text)| parse_unix_field(field, text))
        .collect::<Result<Vec<_>, _>>()?;
    let rendered: Vec<String> = CronField::ALL
        .iter()
        .zip(&parsed)
        .map(|(&field, p)| render_field(field, p))
        .collect();
    let [minute, hour, dom, month, dow] = [0, 1, 2, 3, 4].map(|i| rendered[i].as_str());
    let either_day = !parsed[2].star && !parsed[4].star;
    Ok(if either_day {
        vec![
            format!("0 {minute} {hour} {dom} {month} *"),
            format!("0 {minute} {hour} * {month} {dow}"),
        ]
    } else {
        vec![format!("0 {minute} {hour} {dom} {month} {dow}")]
    })
}

fn render_field(field: CronField, parsed: &UnixField) -> String {
    const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let (min, max) = field.bounds();
    let full = (min..=max).all(|v| parsed.values.contains(&v))
        || (field == CronField::DayOfWeek && (0..=6).all(|v| parsed.values.contains(&v)));
    if full {
        return "*".to_string();
    }
    let items: Vec<String> = parsed
        .values
        .iter()
        .map(|&v| match field {
            CronField::DayOfWeek => DAY_NAMES[(v % 7) as usize].to_string(),
            _ => v.to_string(),
        })
        .collect();
    items.join(",")
}

fn parse_unix_field(field: CronField, text: &str) -> Result<UnixField, CronError> {
    let err = |value: &str, problem: String| CronError::Field {
        field,
        text: text.to_string(),
        value: value.to_string(),
        problem,
    };
    let (min, max) = field.bounds();
    let value = |s: &str| -> Result<u32, CronError> {
        if s.is_empty() {
            return Err(err(
                s,
                format!("has an empty value (expected {})", field.expected_text()),
            ));
        }
        let n = if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u32>().ok()
        } else {
            field.value_of_name(s)
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            Some(_) => Err(err(s, format!("is out of range {}", field.range_text()))),
            None if s.bytes().all(|b| b.is_ascii_digit()) => {
                Err(err(s, format!("is out of range {}", field.range_text())))
            }
            None if s == "?" => Err(err(
                s,
                "is only allowed in the 6/7-field form; use '*'".to_string(),
            )),
            None => Err(err(
                s,
                format!("is not valid (expected {})", field.expected_text()),
            )),
        }
    };
    let mut values = BTreeSet::new();
    for item in text.split(',') {
        if item.is_empty() {
            return Err(err(
                text,
                "has an empty list item (lists look like '1,3,5')".to_string(),
            ));
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step_text)) => {
                let step = if step_text.bytes().all(|b| b.is_ascii_digit()) {
                    step_text.parse::<u32>().ok()
                } else {
                    None
                };
                match step {
                    Some(s) if s >= 1 => (base, Some(s)),
                    _ => {
                        return Err(err(
                            item,
                            "has an invalid step (expected a whole number of at least 1 after '/', e.g. '*/15')"
                                .to_string(),
                        ));
                    }
                }
            }
            None => (item, None),
        };
        let (lo, hi) = if base == "*" {
            (min, max)
        } else if let Some((a, b)) = base.split_once('-') {
            if a.is_empty() || b.is_empty() {
                return Err(err(
                    item,
                    "is a range with a missing start or end (ranges look like '1-5'; negative numbers are not allowed)"
                        .to_string(),
                ));
            }
            let (lo, hi) = (value(a)?, value(b)?);
            if lo > hi {
                return Err(err(
                    item,
                    "is a range whose start is after its end (ranges do not wrap around)"
                        .to_string(),
                ));
            }
            (lo, hi)
        } else {
            let v = value(base)?;
            if let Some(s) = step {
                return Err(err(
                    item,
                    format!("has a step without a range (write '{base}-{max}/{s}' or '*/{s}')"),
                ));
            }
            (v, v)
        };
        let step = step.unwrap_or(1) as usize;
        values.extend((lo..=hi).step_by(step));
    }
    if field == CronField::DayOfWeek && values.remove(&7) {
        values.insert(0);
    }
    Ok(UnixField {
        star: text.starts_with('*'),
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use chrono_tz::America::{Los_Angeles, New_York};
    use chrono_tz::Asia::Tokyo;
    use chrono_tz::Europe::{Berlin, London};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid UTC time")
    }

    fn date(y: i32, mo: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, mo, d).expect("valid date")
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }

    fn local(t: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
        t.with_timezone(&tz).naive_local()
    }

    fn default_policy() -> CheckinPolicy {
        CheckinPolicy::default()
    }

    // --- facts about the cron crate that the translation relies on -------

    #[test]
    fn cron_crate_facts_seconds_first_and_one_is_sunday() {
        assert!(
            cron::Schedule::from_str("30 9 * * 1-5").is_err(),
            "5 fields rejected"
        );
        let s = cron::Schedule::from_str("0 0 9 * * 1").expect("6 fields accepted");
        let from = New_York.with_ymd_and_hms(2025, 6, 4, 12, 0, 0).unwrap(); // Wednesday
        let next = s.after(&from).next().unwrap();
        assert_eq!(
            next.weekday(),
            Weekday::Sun,
            "numeric 1 is Sunday in cron 0.17"
        );
    }

    // --- cadence ---------------------------------------------------------

    #[test]
    fn cadence_parse_label_and_serde() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StrDeserializer};
        for c in Cadence::ALL {
            assert_eq!(Cadence::parse(c.as_str()), Ok(c));
            assert_eq!(Cadence::parse(c.label()), Ok(c));
            let de: StrDeserializer<'_, DeError> = c.as_str().into_deserializer();
            assert_eq!(Cadence::deserialize(de), Ok(c));
        }
        assert_eq!(Cadence::parse("  Bi-Weekly "), Ok(Cadence::Biweekly));
        assert_eq!("Fortnightly".parse::<Cadence>(), Ok(Cadence::Biweekly));
        let err = Cadence::parse("daily").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown cadence 'daily': expected weekly, biweekly (every two weeks) or monthly"
        );
        assert_eq!(Cadence::Biweekly.label(), "every two weeks");
        assert_eq!(Cadence::Weekly.interval_days(), 7);
        assert_eq!(Cadence::Biweekly.interval_days(), 14);
        assert_eq!(
            Cadence::Monthly.advance(date(2025, 1, 31)),
            date(2025, 2, 28)
        );
        assert_eq!(
            Cadence::Monthly.advance(date(2024, 1, 31)),
            date(2024, 2, 29)
        );
        assert_eq!(Cadence::Weekly.advance(NaiveDate::MAX), NaiveDate::MAX);
    }

    // --- at_local ----------------------------------------------------------

    #[test]
    fn at_local_plain_ambiguous_and_gap() {
        assert_eq!(
            at_local(date(2025, 6, 2), hm(10, 0), New_York),
            utc(2025, 6, 2, 14, 0)
        );
        // US fall back 2025-11-02: 01:30 happens twice -> earliest (EDT).
        assert_eq!(
            at_local(date(2025, 11, 2), hm(1, 30), New_York),
            utc(2025, 11, 2, 5, 30)
        );
        // US spring forward 2025-03-09: 02:30 does not exist -> 03:00 EDT.
        assert_eq!(
            at_local(date(2025, 3, 9), hm(2, 30), New_York),
            utc(2025, 3, 9, 7, 0)
        );
        // EU spring forward 2025-03-30: 01:30 London -> 02:00 BST = 01:00 UTC.
        assert_eq!(
            at_local(date(2025, 3, 30), hm(1, 30), London),
            utc(2025, 3, 30, 1, 0)
        );
        // Lord Howe has a 30-minute gap 02:00 -> 02:30 (+10:30 -> +11).
        let lord_howe = chrono_tz::Australia::Lord_Howe;
        let t = at_local(date(2025, 10, 5), hm(2, 10), lord_howe);
        assert_eq!(t, utc(2025, 10, 4, 15, 30));
        assert_eq!(local(t, lord_howe).time(), hm(2, 30));
    }

    // --- check-ins ----------------------------------------------------------

    #[test]
    fn london_new_york_gets_ten_new_york_time() {
        // Previous check-in Monday 2025-06-02 10:00 EDT (= 15:00 London).
        let prev = utc(2025, 6, 2, 14, 0);
        let next = next_checkin(
            prev,
            Cadence::Weekly,
            &[London, New_York],
            &default_policy(),
        );
        assert_eq!(next, utc(2025, 6, 9, 14, 0));
        assert_eq!(local(next, New_York), date(2025, 6, 9).and_time(hm(10, 0)));
        assert_eq!(local(next, London), date(2025, 6, 9).and_time(hm(15, 0)));
        // Order of the zones does not matter.
        let swapped = next_checkin(
            prev,
            Cadence::Weekly,
            &[New_York, London],
            &default_policy(),
        );
        assert_eq!(swapped, next);
        assert_eq!(
            checkin_slot(date(2025, 6, 9), &[London, New_York], hm(10, 0)).0,
            New_York
        );
    }

    #[test]
    fn berlin_tokyo_gets_ten_berlin_time() {
        let start = utc(2025, 6, 4, 9, 0); // Wednesday
        let next = next_checkin(
            start,
            Cadence::Biweekly,
            &[Tokyo, Berlin],
            &default_policy(),
        );
        assert_eq!(local(next, Berlin), date(2025, 6, 18).and_time(hm(10, 0)));
        assert_eq!(local(next, Tokyo), date(2025, 6, 18).and_time(hm(17, 0)));
    }

    #[test]
    fn single_zone_and_empty_zones() {
        let start = utc(2025, 6, 4, 9, 0);
        let ny = next_checkin(start, Cadence::Weekly, &[New_York], &default_policy());
        assert_eq!(ny, utc(2025, 6, 11, 14, 0));
        let none = next_checkin(start, Cadence::Weekly, &[], &default_policy());
        assert_eq!(none, utc(2025, 6, 11, 10, 0), "empty zones = UTC");
    }

    #[test]
    fn weekend_target_moves_to_monday() {
        // Pair started on Saturday 2025-06-07: one week later is Saturday.
        let start = utc(2025, 6, 7, 12, 0);
        let next = next_checkin(
            start,
            Cadence::Weekly,
            &[London, New_York],
            &default_policy(),
        );
        assert_eq!(local(next, New_York), date(2025, 6, 16).and_time(hm(10, 0)));
        assert_eq!(next.with_timezone(&New_York).weekday(), Weekday::Mon);
        // Friday stays Friday for London + New York (Friday afternoon in London).
        let fri = utc(2025, 6, 6, 14, 0);
        let next = next_checkin(fri, Cadence::Weekly, &[London, New_York], &default_policy());
        assert_eq!(next, utc(2025, 6, 13, 14, 0));
        assert_eq!(local(next, London).time(), hm(15, 0));
    }

    #[test]
    fn weekdays_only_off_allows_saturday() {
        let policy = CheckinPolicy {
            weekdays_only: false,
            ..CheckinPolicy::default()
        };
        let start = utc(2025, 6, 7, 12, 0);
        let next = next_checkin(start, Cadence::Weekly, &[London, New_York], &policy);
        assert_eq!(local(next, New_York), date(2025, 6, 14).and_time(hm(10, 0)));
    }

    #[test]
    fn tokyo_los_angeles_uses_la_time_and_avoids_tokyo_saturday() {
        let zones = [Tokyo, Los_Angeles];
        // Monday 10:00 LA (17:00 UTC) is Tuesday 02:00 Tokyo: allowed.
        let mon = utc(2025, 6, 2, 17, 0);
        let next = next_checkin(mon, Cadence::Weekly, &zones, &default_policy());
        assert_eq!(next, utc(2025, 6, 9, 17, 0));
        assert_eq!(
            local(next, Los_Angeles),
            date(2025, 6, 9).and_time(hm(10, 0))
        );
        assert_eq!(local(next, Tokyo), date(2025, 6, 10).and_time(hm(2, 0)));
        // Friday 10:00 LA would be Saturday 02:00 in Tokyo: moved to Monday.
        let fri = utc(2025, 6, 6, 17, 0);
        let next = next_checkin(fri, Cadence::Weekly, &zones, &default_policy());
        assert_eq!(next, utc(2025, 6, 16, 17, 0));
        assert_eq!(next.with_timezone(&Los_Angeles).weekday(), Weekday::Mon);
    }

    #[test]
    fn us_dst_start_keeps_ten_new_york_and_shifts_utc() {
        let zones = [London, New_York];
        // Monday 2025-03-03 10:00 EST = 15:00 UTC; US switches on 2025-03-09.
        let prev = utc(2025, 3, 3, 15, 0);
        assert_eq!(local(prev, New_York).time(), hm(10, 0));
        let next = next_checkin(prev, Cadence::Weekly, &zones, &default_policy());
        assert_eq!(next, utc(2025, 3, 10, 14, 0), "one hour earlier in UTC");
        assert_eq!(local(next, New_York), date(2025, 3, 10).and_time(hm(10, 0)));
        // London has not switched yet (2025-03-30): 14:00 there.
        assert_eq!(local(next, London).time(), hm(14, 0));
    }

    #[test]
    fn eu_dst_end_keeps_ten_berlin_and_shifts_utc() {
        let zones = [Berlin, Tokyo];
        // Monday 2025-10-20 10:00 CEST = 08:00 UTC; EU switches on 2025-10-26.
        let prev = utc(2025, 10, 20, 8, 0);
        let next = next_checkin(prev, Cadence::Weekly, &zones, &default_policy());
        assert_eq!(next, utc(2025, 10, 27, 9, 0), "one hour later in UTC");
        assert_eq!(local(next, Berlin), date(2025, 10, 27).and_time(hm(10, 0)));
        assert_eq!(local(next, Tokyo).time(), hm(18, 0));
    }

    #[test]
    fn checkin_time_in_dst_gap_goes_to_first_valid_instant() {
        let policy = CheckinPolicy {
            local_time: hm(2, 30),
            weekdays_only: false,
        };
        // Sunday 2025-03-02 02:30 EST; a week later 02:30 does not exist.
        let prev = utc(2025, 3, 2, 7, 30);
        let next = next_checkin(prev, Cadence::Weekly, &[New_York], &policy);
        assert_eq!(next, utc(2025, 3, 9, 7, 0));
        assert_eq!(local(next, New_York), date(2025, 3, 9).and_time(hm(3, 0)));
    }

    #[test]
    fn monthly_clamps_to_end_of_month() {
        let zones = [London, New_York];
        // Friday 2025-01-31 10:00 EST -> Friday 2025-02-28.
        let next = next_checkin(
            utc(2025, 1, 31, 15, 0),
            Cadence::Monthly,
            &zones,
            &default_policy(),
        );
        assert_eq!(next, utc(2025, 2, 28, 15, 0));
        // Wednesday 2024-01-31 -> leap day Thursday 2024-02-29.
        let next = next_checkin(
            utc(2024, 1, 31, 15, 0),
            Cadence::Monthly,
            &zones,
            &default_policy(),
        );
        assert_eq!(next, utc(2024, 2, 29, 15, 0));
        // Wednesday 2025-01-15 -> Saturday 2025-02-15 -> Monday 2025-02-17.
        let next = next_checkin(
            utc(2025, 1, 15, 15, 0),
            Cadence::Monthly,
            &zones,
            &default_policy(),
        );
        assert_eq!(next, utc(2025, 2, 17, 15, 0));
    }

    #[test]
    fn first_slot_after_respects_time_and_weekends() {
        let zones = [London, New_York];
        // Wednesday 09:00 New York -> 10:00 the same day.
        let t = first_slot_after(utc(2025, 6, 4, 13, 0), &zones, &default_policy());
        assert_eq!(t, utc(2025, 6, 4, 14, 0));
        // Exactly at the slot -> strictly after, so next day.
        let t = first_slot_after(utc(2025, 6, 4, 14, 0), &zones, &default_policy());
        assert_eq!(t, utc(2025, 6, 5, 14, 0));
        // Friday after the slot -> Monday.
        let t = first_slot_after(utc(2025, 6, 6, 20, 0), &zones, &default_policy());
        assert_eq!(t, utc(2025, 6, 9, 14, 0));
    }

    /// Exhaustive check of the documented guarantees over a year of start
    /// instants (every 7 hours) and a spread of zone pairs.
    #[test]
    fn checkin_guarantees_hold_across_a_year() {
        let pairs: [[Tz; 2]; 6] = [
            [London, New_York],
            [Berlin, Tokyo],
            [Tokyo, Los_Angeles],
            [chrono_tz::Australia::Sydney, Los_Angeles],
            [
                chrono_tz::Pacific::Kiritimati,
                chrono_tz::Pacific::Pago_Pago,
            ],
            [chrono_tz::America::Sao_Paulo, chrono_tz::Asia::Kolkata],
        ];
        let policy = default_policy();
        for zones in pairs {
            for cadence in Cadence::ALL {
                for step in 0..(366 * 24 / 7) {
                    let after = utc(2025, 1, 1, 0, 0) + TimeDelta::hours(7 * step);
                    let next = next_checkin(after, cadence, &zones, &policy);
                    assert!(next > after);
                    let min_gap = match cadence {
                        Cadence::Weekly => 6,
                        Cadence::Biweekly => 13,
                        Cadence::Monthly => 27,
                    };
                    assert!(next - after > TimeDelta::days(min_gap), "{zones:?} {after}");
                    assert!(next - after < TimeDelta::days(i64::from(cadence.interval_days()) + 6));
                    for tz in zones {
                        assert!(
                            !is_weekend(next.with_timezone(&tz).weekday()),
                            "{zones:?} {after}"
                        );
                    }
                    // Local time is 10:00 in one zone and no earlier than
                    // 10:00 of that date in the others.
                    let d = zones
                        .iter()
                        .map(|tz| local(next, *tz).date())
                        .min()
                        .unwrap();
                    assert!(
                        zones
                            .iter()
                            .any(|tz| local(next, *tz) == d.and_time(hm(10, 0)))
                    );
                    assert!(
                        zones
                            .iter()
                            .all(|tz| local(next, *tz) >= d.and_time(hm(10, 0)))
                    );
                }
            }
        }
    }

    // --- business days, end dates, pauses --------------------------------

    #[test]
    fn business_days_skip_weekends() {
        let d = add_business_days_to_date;
        assert_eq!(d(date(2025, 6, 5), 5), date(2025, 6, 12)); // Thu -> Thu
        assert_eq!(d(date(2025, 6, 6), 1), date(2025, 6, 9)); // Fri -> Mon
        assert_eq!(d(date(2025, 6, 5), 2), date(2025, 6, 9)); // Thu -> Mon
        assert_eq!(d(date(2025, 6, 7), 1), date(2025, 6, 9)); // Sat -> Mon
        assert_eq!(d(date(2025, 6, 8), 5), date(2025, 6, 13)); // Sun -> Fri
        assert_eq!(d(date(2025, 6, 7), 0), date(2025, 6, 7));
        assert_eq!(d(date(2025, 6, 7), 5), date(2025, 6, 13)); // Sat -> Fri
        assert_eq!(d(date(2025, 6, 7), 6), date(2025, 6, 16)); // Sat -> Mon
        assert_eq!(d(date(2025, 6, 2), 12), date(2025, 6, 18)); // Mon + 12 -> Wed
        assert_eq!(d(date(2025, 6, 2), u32::MAX), NaiveDate::MAX, "saturates");
    }

    #[test]
    fn business_days_keep_local_time_across_dst() {
        // Friday 2025-03-07 09:00 EST + 1 business day = Monday 09:00 EDT.
        let start = utc(2025, 3, 7, 14, 0);
        let t = add_business_days(start, 1, New_York);
        assert_eq!(t, utc(2025, 3, 10, 13, 0));
        assert_eq!(local(t, New_York).time(), hm(9, 0));
        // Five business days from Wednesday afternoon in London.
        let start = utc(2025, 6, 4, 15, 30);
        assert_eq!(
            add_business_days(start, PLAN_REMINDER_BUSINESS_DAYS, London),
            utc(2025, 6, 11, 15, 30)
        );
        // The calendar of the zone decides: Friday 23:00 UTC is Saturday in Tokyo.
        let start = utc(2025, 6, 6, 23, 0);
        assert_eq!(add_business_days(start, 1, Tokyo), utc(2025, 6, 8, 23, 0)); // Mon 08:00 Tokyo
        assert_eq!(
            add_business_days(start, 1, New_York),
            utc(2025, 6, 9, 23, 0)
        ); // Mon 19:00 NY
        assert_eq!(add_business_days(start, 0, New_York), start);
    }

    #[test]
    fn default_end_date_is_four_months_clamped() {
        assert_eq!(default_end_date(date(2025, 1, 15)), date(2025, 5, 15));
        assert_eq!(default_end_date(date(2025, 10, 31)), date(2026, 2, 28));
        assert_eq!(default_end_date(date(2023, 10, 31)), date(2024, 2, 29));
        assert_eq!(default_end_date(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn pause_helpers() {
        let now = utc(2025, 3, 3, 15, 0);
        assert_eq!(pause_until(now, 2), utc(2025, 3, 17, 15, 0));
        assert_eq!(pause_until(now, 0), now);
        assert_eq!(pause_until(now, u32::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(weeks_between(now, utc(2025, 3, 17, 14, 59)), 1);
        assert_eq!(weeks_between(now, utc(2025, 3, 17, 15, 0)), 2);
        assert_eq!(weeks_between(utc(2025, 3, 17, 15, 0), now), -2);
    }

    // --- summary cron ------------------------------------------------------

    fn fires(expr: &str, tz: Tz, from: DateTime<Utc>, n: usize) -> Vec<NaiveDateTime> {
        let s = SummarySchedule::parse(expr, tz).unwrap_or_else(|e| panic!("{expr}: {e}"));
        std::iter::successors(s.next_after(from), |t| s.next_after(*t))
            .take(n)
            .map(|t| local(t, tz))
            .collect()
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        date(y, mo, d).and_time(hm(h, mi))
    }

    #[test]
    fn default_summary_fires_monday_nine_local() {
        let s = SummarySchedule::parse(DEFAULT_SUMMARY_CRON, New_York).unwrap();
        assert_eq!(s.cron_expressions(), vec!["0 0 9 * * MON"]);
        assert_eq!(s.expression(), "0 9 * * 1");
        assert_eq!(s.timezone(), New_York);
        // From Wednesday 2025-03-05: Mondays 03-10 (EDT) and 03-17.
        let first = s.next_after(utc(2025, 3, 5, 12, 0)).unwrap();
        assert_eq!(first, utc(2025, 3, 10, 13, 0));
        assert_eq!(first.with_timezone(&New_York).weekday(), Weekday::Mon);
        assert_eq!(first.with_timezone(&New_York).hour(), 9);
        // Strictly after: from the fire instant itself -> next week.
        assert_eq!(s.next_after(first), Some(utc(2025, 3, 17, 13, 0)));
        // Before the US switch the same wall-clock time is 14:00 UTC.
        assert_eq!(
            s.next_after(utc(2025, 2, 26, 12, 0)),
            Some(utc(2025, 3, 3, 14, 0))
        );
    }

    #[test]
    fn cron_is_evaluated_on_the_zone_wall_clock() {
        // 09:30 EDT = 13:30 UTC: the 11:00 New York run is still ahead today.
        let s = SummarySchedule::parse("0 11 * * *", New_York).unwrap();
        assert_eq!(
            s.next_after(utc(2025, 6, 4, 13, 30)),
            Some(utc(2025, 6, 4, 15, 0))
        );
        // 23:00 UTC is already 08:00 the next day in Tokyo.
        let s = SummarySchedule::parse("0 9 * * *", Tokyo).unwrap();
        assert_eq!(
            s.next_after(utc(2025, 6, 4, 23, 0)),
            Some(utc(2025, 6, 5, 0, 0))
        );
        let s = SummarySchedule::parse("0 7 * * *", Tokyo).unwrap();
        assert_eq!(
            s.next_after(utc(2025, 6, 4, 23, 0)),
            Some(utc(2025, 6, 5, 22, 0))
        );
    }

    #[test]
    fn five_field_weekdays_range() {
        let s = SummarySchedule::parse("30 9 * * 1-5", London).unwrap();
        assert_eq!(s.cron_expressions(), vec!["0 30 9 * * MON,TUE,WED,THU,FRI"]);
        // From Friday 2025-06-06 08:00 London.
        let got = fires("30 9 * * 1-5", London, utc(2025, 6, 6, 7, 0), 3);
        assert_eq!(
            got,
            vec![
                at(2025, 6, 6, 9, 30),
                at(2025, 6, 9, 9, 30),
                at(2025, 6, 10, 9, 30)
            ]
        );
    }

    #[test]
    fn five_field_sunday_as_zero_and_seven() {
        for expr in ["0 9 * * 0", "0 9 * * 7", "0 9 * * SUN", "0 9 * * sunday"] {
            let got = fires(expr, Berlin, utc(2025, 6, 4, 0, 0), 2);
            assert_eq!(
                got,
                vec![at(2025, 6, 8, 9, 0), at(2025, 6, 15, 9, 0)],
                "{expr}"
            );
        }
    }

    #[test]
    fn five_field_names_lists_steps_and_ranges_with_seven() {
        let cases: [(&str, &str); 8] = [
            ("0 9 * * Mon-Fri", "0 0 9 * * MON,TUE,WED,THU,FRI"),
            ("0 9 * * MON", "0 0 9 * * MON"),
            ("0 9 * * mon,wed,FRI", "0 0 9 * * MON,WED,FRI"),
            ("0 9 * * 1,3,5", "0 0 9 * * MON,WED,FRI"),
            ("0 9 * * 5-7", "0 0 9 * * SUN,FRI,SAT"),
            ("0 9 * * */2", "0 0 9 * * SUN,TUE,THU,SAT"),
            ("0 9 * * 1-5/2", "0 0 9 * * MON,WED,FRI"),
            ("*/15 9-17/4 * jan,Jul *", "0 0,15,30,45 9,13,17 * 1,7 *"),
        ];
        for (expr, quartz) in cases {
            let s = SummarySchedule::parse(expr, London).unwrap_or_else(|e| panic!("{expr}: {e}"));
            assert_eq!(s.cron_expressions(), vec![quartz], "{expr}");
        }
        let got = fires("0 9 * * 5-7", London, utc(2025, 6, 4, 0, 0), 4);
        assert_eq!(
            got,
            vec![
                at(2025, 6, 6, 9, 0),
                at(2025, 6, 7, 9, 0),
                at(2025, 6, 8, 9, 0),
                at(2025, 6, 13, 9, 0)
            ]
        );
        let got = fires("*/15 9 * * *", London, utc(2025, 6, 4, 0, 0), 5);
        assert_eq!(
            got,
            vec![
                at(2025, 6, 4, 9, 0),
                at(2025, 6, 4, 9, 15),
                at(2025, 6, 4, 9, 30),
                at(2025, 6, 4, 9, 45),
                at(2025, 6, 5, 9, 0)
            ]
        );
    }

    #[test]
    fn five_field_day_of_month_or_day_of_week() {
        // Unix rule: both restricted -> either matches.
        let s = SummarySchedule::parse("0 9 1 * 1", London).unwrap();
        assert_eq!(s.cron_expressions(), vec!["0 0 9 1 * *", "0 0 9 * * MON"]);
        let got = fires("0 9 1 * 1", London, utc(2025, 6, 24, 0, 0), 3);
        // Mon 06-30, Tue 07-01 (1st), Mon 07-07.
        assert_eq!(
            got,
            vec![
                at(2025, 6, 30, 9, 0),
                at(2025, 7, 1, 9, 0),
                at(2025, 7, 7, 9, 0)
            ]
        );
        // Day-of-month written with '*' -> both must match (Vixie rule).
        let got = fires("0 9 */2 * 1", London, utc(2025, 6, 1, 0, 0), 2);
        assert_eq!(got, vec![at(2025, 6, 9, 9, 0), at(2025, 6, 23, 9, 0)]);
    }

    #[test]
    fn shorthands() {
        let got = fires("@weekly", New_York, utc(2025, 6, 4, 0, 0), 1);
        assert_eq!(got, vec![at(2025, 6, 8, 0, 0)]);
        let got = fires(" @Monthly ", New_York, utc(2025, 6, 4, 0, 0), 1);
        assert_eq!(got, vec![at(2025, 7, 1, 0, 0)]);
        let err = SummarySchedule::parse("@reboot", New_York).unwrap_err();
        assert_eq!(err, CronError::Shorthand("@reboot".into()));
        assert!(
            err.to_string()
                .starts_with("unsupported shorthand '@reboot': expected @hourly")
        );
    }

    #[test]
    fn cron_across_dst_gap_and_repeat() {
        // 02:30 does not exist on 2025-03-09 in New York: fires at 03:00 EDT.
        let got = fires("30 2 * * *", New_York, utc(2025, 3, 8, 0, 0), 3);
        assert_eq!(
            got,
            vec![
                at(2025, 3, 8, 2, 30),
                at(2025, 3, 9, 3, 0),
                at(2025, 3, 10, 2, 30)
            ]
        );
        // 01:30 happens twice on 2025-11-02: fires once, at the first (EDT).
        let s = SummarySchedule::parse("30 1 * * *", New_York).unwrap();
        let first = s.next_after(utc(2025, 11, 2, 0, 0)).unwrap();
        assert_eq!(first, utc(2025, 11, 2, 5, 30));
        assert_eq!(s.next_after(first), Some(utc(2025, 11, 3, 6, 30)));
        // From inside the repeated hour (01:15 EST), never returns the past.
        assert_eq!(
            s.next_after(utc(2025, 11, 2, 6, 15)),
            Some(utc(2025, 11, 3, 6, 30))
        );
    }

    #[test]
    fn quartz_six_and_seven_fields_pass_through() {
        let s = SummarySchedule::parse("0 30 9 * * MON-FRI", London).unwrap();
        assert_eq!(s.cron_expressions(), vec!["0 30 9 * * MON-FRI"]);
        let got = fires("0 30 9 * * MON-FRI", London, utc(2025, 6, 7, 0, 0), 1);
        assert_eq!(got, vec![at(2025, 6, 9, 9, 30)]);
        // The crate's own numbering: 1 = Sunday in this form.
        let got = fires("0 0 9 * * 1", London, utc(2025, 6, 4, 0, 0), 1);
        assert_eq!(got, vec![at(2025, 6, 8, 9, 0)]);
        let got = fires("0 0 9 * * * 2026", London, utc(2025, 6, 4, 0, 0), 1);
        assert_eq!(got, vec![at(2026, 1, 1, 9, 0)]);
        let err = SummarySchedule::parse("0 0 9 * * 0", London).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("invalid 6/7-field cron expression '0 0 9 * * 0': "),
            "{msg}"
        );
        assert!(
            msg.contains("Days of Week must be greater than or equal to 1"),
            "{msg}"
        );
        assert!(!msg.contains('\n') && !msg.contains('^'), "{msg}");
    }

    #[test]
    fn never_firing_and_end_of_range() {
        let s = SummarySchedule::parse("0 9 30 2 *", London).unwrap();
        assert_eq!(s.next_after(utc(2025, 1, 1, 0, 0)), None);
        let s = SummarySchedule::parse("0 9 * * 1", London).unwrap();
        assert_eq!(s.next_after(utc(2101, 1, 1, 0, 0)), None);
    }

    #[test]
    fn bad_expressions_explain_what_is_wrong() {
        let msg = |e: &str| match SummarySchedule::parse(e, London) {
            Ok(_) => panic!("{e:?} should be rejected"),
            Err(err) => err.to_string(),
        };
        assert_eq!(
            msg("0 9 *"),
            "expected 5 fields (minute hour day-of-month month day-of-week), e.g. '0 9 * * 1' for Mondays 09:00, or 6-7 fields (second minute hour day-of-month month day-of-week [year]); got 3"
        );
        assert!(msg("   ").ends_with("got 0"));
        assert!(msg("0 0 9 * * * * *").ends_with("got 8"));
        assert_eq!(
            msg("0 9 * * 9"),
            "day-of-week field '9' is out of range 0-7 (0 or 7 = Sunday)"
        );
        assert_eq!(
            msg("0 9 * * 1,9"),
            "day-of-week field '1,9': '9' is out of range 0-7 (0 or 7 = Sunday)"
        );
        assert_eq!(msg("60 9 * * 1"), "minute field '60' is out of range 0-59");
        assert_eq!(msg("0 24 * * 1"), "hour field '24' is out of range 0-23");
        assert_eq!(
            msg("0 9 0 * *"),
            "day-of-month field '0' is out of range 1-31"
        );
        assert_eq!(msg("0 9 * 13 *"), "month field '13' is out of range 1-12");
        assert_eq!(
            msg("0 9 * * 99999999999"),
            "day-of-week field '99999999999' is out of range 0-7 (0 or 7 = Sunday)"
        );
        assert_eq!(
            msg("0 9 * * FOO"),
            "day-of-week field 'FOO' is not valid (expected a number 0-7 (0 or 7 = Sunday) or a day name SUN-SAT)"
        );
        assert_eq!(
            msg("0 9 * Mon *"),
            "month field 'Mon' is not valid (expected a number 1-12 or a month name JAN-DEC)"
        );
        assert_eq!(
            msg("x 9 * * *"),
            "minute field 'x' is not valid (expected a number 0-59)"
        );
        assert_eq!(
            msg("-1 9 * * *"),
            "minute field '-1' is a range with a missing start or end (ranges look like '1-5'; negative numbers are not allowed)"
        );
        assert_eq!(
            msg("/5 9 * * *"),
            "minute field '/5': '' has an empty value (expected a number 0-59)"
        );
        assert_eq!(
            msg("0 9 * * 5-1"),
            "day-of-week field '5-1' is a range whose start is after its end (ranges do not wrap around)"
        );
        assert_eq!(
            msg("*/0 9 * * *"),
            "minute field '*/0' has an invalid step (expected a whole number of at least 1 after '/', e.g. '*/15')"
        );
        assert_eq!(
            msg("5/15 9 * * *"),
            "minute field '5/15' has a step without a range (write '5-59/15' or '*/15')"
        );
        assert_eq!(
            msg("0 9 1,,2 * *"),
            "day-of-month field '1,,2' has an empty list item (lists look like '1,3,5')"
        );
        assert_eq!(
            msg("0 9 ? * 1"),
            "day-of-month field '?' is only allowed in the 6/7-field form; use '*'"
        );
        // Errors are structured too.
        assert_eq!(
            SummarySchedule::parse("0 9 * * 8", London).unwrap_err(),
            CronError::Field {
                field: CronField::DayOfWeek,
                text: "8".into(),
                value: "8".into(),
                problem: "is out of range 0-7 (0 or 7 = Sunday)".into(),
            }
        );
    }

    #[test]
    fn parse_tz_accepts_iana_names_and_explains_errors() {
        assert_eq!(parse_tz("America/New_York"), Ok(New_York));
        assert_eq!(parse_tz(" Europe/London "), Ok(London));
        assert_eq!(parse_tz("UTC"), Ok(Tz::UTC));
        let err = parse_tz("Mars/Olympus").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown time zone 'Mars/Olympus': expected an IANA time zone name such as 'America/New_York' or 'Europe/London' (case-sensitive)"
        );
        assert!(parse_tz("").is_err());
    }
}
