//! Pure scheduling logic for Tandem: working days and the one rule for when a
//! scheduled message goes out ([`WorkingCalendar::next_working_slot`]),
//! check-in times, end dates, pauses and the managers' summary cron.
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

use std::collections::{BTreeMap, BTreeSet};
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
// Working days: the one rule for when a scheduled message goes out
// ---------------------------------------------------------------------------

/// Days searched for a slot on a working day. Real zones are at most 26 h
/// apart, so without holidays a Monday–Thursday slot is always valid and the
/// search ends within 4 days; a firm's longest closure (say two weeks over
/// the new year) ends well within this bound.
const SLOT_SEARCH_DAYS: usize = 400;

/// More working days than this saturate [`WorkingCalendar::add_working_days`]
/// at `NaiveDate::MAX` (about 380 years; it counts day by day).
const MAX_WORKING_DAYS: u32 = 100_000;

/// The slot on calendar date `date`: `local_time` on `date` in each zone,
/// taking the **latest** of those instants, so that nobody gets it before
/// `local_time` on `date` in their own zone.
///
/// Returns the chosen zone (the first listed on a tie) and the instant. An
/// empty `zones` is treated as `[UTC]`. No working-day rule is applied here:
/// see [`WorkingCalendar::next_working_slot`].
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

/// A holiday that comes back every year (an `.ics` event with
/// `RRULE:FREQ=YEARLY`), as RFC 5545 expands it for all-day events.
///
/// Without `months`, `month_days` and `weekdays` it falls on `first`'s month
/// and day each year (a 29 February only in leap years). `months` (BYMONTH)
/// picks months; `month_days` (BYMONTHDAY, negative counts from the month's
/// end) picks days of those months, or of every month without `months`;
/// `weekdays` (BYDAY) picks the n-th weekday of each month in `months`
/// (`(4, Thu)` in November is US Thanksgiving, `(-1, Mon)` in May is the
/// last Monday), or of the year without `months`; ordinal 0 means every such
/// weekday. With `month_days` as well, `weekdays` only filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearlyHoliday {
    /// What the holiday is called (the event's SUMMARY; may be empty).
    pub name: String,
    /// The first occurrence (DTSTART); none before it.
    pub first: NaiveDate,
    /// How many days each occurrence lasts (1 or more).
    pub days: u32,
    /// Every how many years (INTERVAL, 1 or more).
    pub every_years: u32,
    /// No occurrence starts after this date (UNTIL).
    pub until: Option<NaiveDate>,
    /// At most this many occurrences (COUNT), counted from `first`.
    pub count: Option<u32>,
    /// BYMONTH: 1–12.
    pub months: Vec<u32>,
    /// BYMONTHDAY: 1–31 or −31–−1.
    pub month_days: Vec<i32>,
    /// BYDAY: (ordinal, weekday); ordinal 0 = every such weekday.
    pub weekdays: Vec<(i32, Weekday)>,
    /// Occurrences that do not happen (EXDATE), by their first day.
    pub except: BTreeSet<NaiveDate>,
}

impl YearlyHoliday {
    /// The same calendar day every year from `first` on, one day long.
    pub fn every_year(name: impl Into<String>, first: NaiveDate) -> YearlyHoliday {
        YearlyHoliday {
            name: name.into(),
            first,
            days: 1,
            every_years: 1,
            until: None,
            count: None,
            months: Vec::new(),
            month_days: Vec::new(),
            weekdays: Vec::new(),
            except: BTreeSet::new(),
        }
    }

    /// The first days of the occurrences the rule generates in `year`, in
    /// order (before `first`, UNTIL, COUNT and EXDATE are applied).
    fn starts_in(&self, year: i32) -> Vec<NaiveDate> {
        let month_len = |m: u32| -> u32 {
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, m + 1, 1)
            };
            next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
        };
        let nth_weekday = |days: &mut dyn Iterator<Item = NaiveDate>, ord: i32, wd: Weekday| {
            let all: Vec<NaiveDate> = days.filter(|d| d.weekday() == wd).collect();
            match ord {
                0 => all,
                n if n > 0 => all.get(n as usize - 1).copied().into_iter().collect(),
                n => all
                    .len()
                    .checked_sub(n.unsigned_abs() as usize)
                    .and_then(|i| all.get(i).copied())
                    .into_iter()
                    .collect(),
            }
        };
        let mut out: Vec<NaiveDate> = Vec::new();
        if !self.weekdays.is_empty() && self.months.is_empty() && self.month_days.is_empty() {
            // BYDAY over the whole year.
            let (Some(jan1), Some(dec31)) = (
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31),
            ) else {
                return out;
            };
            for &(ord, wd) in &self.weekdays {
                out.extend(nth_weekday(
                    &mut jan1.iter_days().take_while(|d| *d <= dec31),
                    ord,
                    wd,
                ));
            }
        } else {
            let months: Vec<u32> = if !self.months.is_empty() {
                self.months.clone()
            } else if !self.month_days.is_empty() {
                (1..=12).collect()
            } else {
                vec![self.first.month()]
            };
            for m in months {
                let len = month_len(m);
                let day = |d: u32| NaiveDate::from_ymd_opt(year, m, d);
                if !self.month_days.is_empty() {
                    for &md in &self.month_days {
                        let d = if md > 0 {
                            md.unsigned_abs()
                        } else {
                            (len + 1).saturating_sub(md.unsigned_abs())
                        };
                        let Some(date) = (d >= 1 && d <= len).then(|| day(d)).flatten() else {
                            continue;
                        };
                        if self.weekdays.is_empty()
                            || self.weekdays.iter().any(|&(_, wd)| date.weekday() == wd)
                        {
                            out.push(date);
                        }
                    }
                } else if !self.weekdays.is_empty() {
                    for &(ord, wd) in &self.weekdays {
                        out.extend(nth_weekday(&mut (1..=len).filter_map(day), ord, wd));
                    }
                } else if let Some(date) = day(self.first.day()) {
                    out.push(date);
                }
            }
        }
        if year == self.first.year() && !out.contains(&self.first) {
            // RFC 5545: DTSTART is always the first occurrence.
            out.push(self.first);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether `date` falls within one of the occurrences.
    pub fn covers(&self, date: NaiveDate) -> bool {
        if date < self.first {
            return false;
        }
        let every = i32::try_from(self.every_years.max(1)).unwrap_or(i32::MAX);
        // Without COUNT only the occurrences that could still last until
        // `date` matter; with it, every occurrence from the first counts.
        let reach_back_years = i32::try_from(self.days / 365 + 1).unwrap_or(i32::MAX);
        let from_year = match self.count {
            Some(_) => self.first.year(),
            None => date
                .year()
                .saturating_sub(reach_back_years)
                .max(self.first.year()),
        };
        let mut seen: u32 = 0;
        for year in from_year..=date.year() {
            if (year - self.first.year()) % every != 0 {
                continue;
            }
            for start in self.starts_in(year) {
                if start < self.first {
                    continue;
                }
                if self.until.is_some_and(|u| start > u) || start > date {
                    return false;
                }
                seen += 1;
                if self.count.is_some_and(|c| seen > c) {
                    return false;
                }
                let last = start
                    .checked_add_days(Days::new(u64::from(self.days.max(1) - 1)))
                    .unwrap_or(NaiveDate::MAX);
                if date <= last && !self.except.contains(&start) {
                    return true;
                }
            }
        }
        false
    }
}

/// The firm's working days: Monday to Friday, except its holidays
/// (`TANDEM_HOLIDAYS_FILE`; none by default, see
/// [`crate::domain::holidays`]).
///
/// [`WorkingCalendar::next_working_slot`] is **the** rule for when every
/// scheduled message goes out (check-ins, nudges, plan reminders, closing
/// notes and the feedback they ask for, invitations, the notes to people a
/// round left out; anything new that is sent on a schedule should use it
/// too): at the configured local time
/// (`TANDEM_CHECKIN_TIME`) of the recipient — or of the partner of a pair for
/// whom that time comes latest — on a day that is a working day for everyone
/// it is addressed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Single holidays by date, with their names (may be empty).
    dates: BTreeMap<NaiveDate, String>,
    /// Holidays that come back every year.
    yearly: Vec<YearlyHoliday>,
}

/// What [`WorkingCalendar::check_slot`] says of a message whose job runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotCheck {
    /// Its slot has come: send it.
    Now,
    /// Not yet (or its day has passed): it waits until this slot.
    Wait(DateTime<Utc>),
}

impl WorkingCalendar {
    /// A calendar whose holidays are `dates` (with their names, which may be
    /// empty) and nothing else.
    pub fn with_dates(dates: impl IntoIterator<Item = (NaiveDate, String)>) -> WorkingCalendar {
        WorkingCalendar {
            dates: dates.into_iter().collect(),
            yearly: Vec::new(),
        }
    }

    /// Adds one holiday (a second name for a date already there is ignored).
    pub fn add_date(&mut self, date: NaiveDate, name: impl Into<String>) {
        self.dates.entry(date).or_insert_with(|| name.into());
    }

    /// Adds a holiday that comes back every year.
    pub fn add_yearly(&mut self, holiday: YearlyHoliday) {
        self.yearly.push(holiday);
    }

    /// No holidays at all (weekends are still not working days).
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty() && self.yearly.is_empty()
    }

    /// The name of the holiday on `date` (`Some("")` for an unnamed one), or
    /// `None` when `date` is not a holiday. Weekends are not holidays.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.dates.get(&date).map(String::as_str).or_else(|| {
            self.yearly
                .iter()
                .find(|h| h.covers(date))
                .map(|h| h.name.as_str())
        })
    }

    /// Monday to Friday and not a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date.weekday()) && self.holiday(date).is_none()
    }

    /// The holidays from `from` for `days` days, in order (for start-up logs).
    pub fn holidays_between(&self, from: NaiveDate, days: u64) -> Vec<(NaiveDate, String)> {
        from.iter_days()
            .take(usize::try_from(days).unwrap_or(usize::MAX))
            .filter_map(|d| self.holiday(d).map(|name| (d, name.to_string())))
            .collect()
    }

    /// `date` plus `n` working days. Counting starts on the day after `date`
    /// and skips weekends and holidays: Friday + 1 = Monday, Thursday + 5 =
    /// next Thursday, Saturday + 1 = Monday, and with a holiday on Monday,
    /// Friday + 1 = Tuesday. `n == 0` returns `date` unchanged. Saturates at
    /// `NaiveDate::MAX`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        if n > MAX_WORKING_DAYS {
            return NaiveDate::MAX;
        }
        let mut d = date;
        for _ in 0..n {
            d = next_day(d);
            while !self.is_working_day(d) && d != NaiveDate::MAX {
                d = next_day(d);
            }
        }
        d
    }

    /// **The** rule for when a scheduled message goes out: the earliest
    /// instant at or after `earliest` that is `local_time` on a working day.
    ///
    /// * `zones` are the time zones of the people it is for (one person, or
    ///   both partners of a pair); an empty list means UTC. The instant is
    ///   `local_time` on the wall clock of the zone where that comes
    ///   **latest** ([`checkin_slot`]), so nobody receives it before
    ///   `local_time` of that day in their own zone: London + New York gets
    ///   10:00 New York (15:00 London).
    /// * It falls on a working day — Monday to Friday and not a holiday of
    ///   this calendar — in **every** zone. A slot on Saturday, Sunday or a
    ///   holiday moves to the next working day. For people so far apart that
    ///   the chosen time is already the next day for the other (Friday 10:00
    ///   Los Angeles is Saturday 03:00 Tokyo) the date moves on as well.
    ///   Should no such day exist within 400 days (a calendar of nothing but
    ///   holidays), the rule relaxes to "working day in the chosen zone", and
    ///   then to the first slot at or after `earliest`.
    /// * Daylight-saving changes keep the local time and shift the UTC
    ///   instant (module docs: a time in a gap moves to the end of the gap; a
    ///   repeated time is taken at its first occurrence).
    /// * `earliest` itself is returned when it is such a slot (a message due
    ///   at its slot stays there: applying the rule twice changes nothing).
    ///
    /// Callers pick `earliest`: "now" for "as soon as allowed", or the
    /// `local_time` slot of the day the message is meant for
    /// ([`checkin_slot`]) — e.g. a plan's end date for its closing note, which
    /// then moves on to the next working day when that day is not one.
    pub fn next_working_slot(
        &self,
        earliest: DateTime<Utc>,
        zones: &[Tz],
        local_time: NaiveTime,
    ) -> DateTime<Utc> {
        let zones = zones_or_utc(zones);
        let from = base_date(earliest, zones);
        let candidates = || {
            from.iter_days()
                .take(SLOT_SEARCH_DAYS)
                .map(|date| checkin_slot(date, zones, local_time))
                .filter(|&(_, slot)| slot >= earliest)
        };
        let works_in =
            |slot: DateTime<Utc>, tz: &Tz| self.is_working_day(slot.with_timezone(tz).date_naive());
        candidates()
            .find(|&(_, slot)| zones.iter().all(|tz| works_in(slot, tz)))
            .or_else(|| candidates().find(|(tz, slot)| works_in(*slot, tz)))
            .map(|(_, slot)| slot)
            .unwrap_or_else(|| {
                candidates()
                    .map(|(_, slot)| slot)
                    .next()
                    .unwrap_or(earliest)
            })
    }

    /// Whether a message meant for its working slot may go out at `now`,
    /// for a job that finds out when it runs (an invitation learns the
    /// invitee's zone from Slack only then) or that may run late.
    ///
    /// `anchor` is the slot the message was placed at, or, before it was
    /// placed, the moment it was decided. The message's slot is
    /// [`WorkingCalendar::next_working_slot`] from `anchor`:
    /// * still to come: [`SlotCheck::Wait`] until then (nothing goes out early);
    /// * come, and `now` is still on that slot's day (the same local date in
    ///   every zone — a retry after a rate limit, a worker a few minutes
    ///   behind): [`SlotCheck::Now`];
    /// * its day is over (an outage): [`SlotCheck::Wait`] for the next slot
    ///   after `now`, so a late message still arrives on a working day at the
    ///   local time, never on the Saturday the machine came back.
    pub fn check_slot(
        &self,
        anchor: DateTime<Utc>,
        now: DateTime<Utc>,
        zones: &[Tz],
        local_time: NaiveTime,
    ) -> SlotCheck {
        let slot = self.next_working_slot(anchor, zones, local_time);
        if slot > now {
            return SlotCheck::Wait(slot);
        }
        let same_day = zones_or_utc(zones)
            .iter()
            .all(|tz| slot.with_timezone(tz).date_naive() == now.with_timezone(tz).date_naive());
        let next = self.next_working_slot(now, zones, local_time);
        if same_day || next <= now {
            SlotCheck::Now
        } else {
            SlotCheck::Wait(next)
        }
    }

    /// The slot `n` working days after the day of `from` (the earliest local
    /// date among `zones`), by [`WorkingCalendar::next_working_slot`]: "five
    /// working days after the introduction, at 10:00". Introduced on Monday
    /// 2 March at any hour, London + New York: Monday 9 March, 10:00 New York.
    pub fn working_days_later(
        &self,
        from: DateTime<Utc>,
        n: u32,
        zones: &[Tz],
        local_time: NaiveTime,
    ) -> DateTime<Utc> {
        let date = self.add_working_days(base_date(from, zones), n);
        let slot = checkin_slot(date, zones, local_time).1.max(from);
        self.next_working_slot(slot, zones, local_time)
    }

    /// The next check-in, due one `cadence` period after `after` (the
    /// previous check-in, or the pair's start).
    ///
    /// 1. The base date is `after`'s calendar date in the westernmost
    ///    partner's zone (the earliest of the partners' local dates). For a
    ///    previous check-in produced by this function that is the date it was
    ///    held on.
    /// 2. The due date is the base date advanced by [`Cadence::advance`]
    ///    (calendar months for monthly, clamped: Jan 31 → Feb 28/29).
    /// 3. The check-in is [`WorkingCalendar::next_working_slot`] from the
    ///    due date's slot: `local_time` in the later zone, on the first
    ///    working day on or after the due date.
    ///
    /// The result is strictly after `after`. A shift carries forward: the
    /// following check-in is one period after the shifted date.
    pub fn next_checkin(
        &self,
        after: DateTime<Utc>,
        cadence: Cadence,
        zones: &[Tz],
        local_time: NaiveTime,
    ) -> DateTime<Utc> {
        let due = cadence.advance(base_date(after, zones));
        let slot = checkin_slot(due, zones, local_time).1;
        let just_after = after
            .checked_add_signed(TimeDelta::seconds(1))
            .unwrap_or(after);
        self.next_working_slot(slot.max(just_after), zones, local_time)
    }

    /// The first check-in of a pair's series at or after `now`, following on
    /// from a check-in that was due at `missed` and is skipped (it came too
    /// late, after an outage): the pair keeps its rhythm instead of getting
    /// a check-in at once.
    pub fn next_checkin_from_missed(
        &self,
        missed: DateTime<Utc>,
        now: DateTime<Utc>,
        cadence: Cadence,
        zones: &[Tz],
        local_time: NaiveTime,
    ) -> DateTime<Utc> {
        let mut t = missed;
        // Each step is at least 7 days: 20 000 steps cover any real outage.
        for _ in 0..20_000 {
            t = self.next_checkin(t, cadence, zones, local_time);
            if t >= now {
                return t;
            }
        }
        self.next_working_slot(now, zones, local_time)
    }
}

// ---------------------------------------------------------------------------
// End dates, pauses
// ---------------------------------------------------------------------------

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

    fn ten() -> NaiveTime {
        hm(10, 0)
    }

    /// The check-in rule with no holidays.
    fn next_checkin(
        after: DateTime<Utc>,
        cadence: Cadence,
        zones: &[Tz],
        local_time: NaiveTime,
    ) -> DateTime<Utc> {
        WorkingCalendar::default().next_checkin(after, cadence, zones, local_time)
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
        let next = next_checkin(prev, Cadence::Weekly, &[London, New_York], ten());
        assert_eq!(next, utc(2025, 6, 9, 14, 0));
        assert_eq!(local(next, New_York), date(2025, 6, 9).and_time(hm(10, 0)));
        assert_eq!(local(next, London), date(2025, 6, 9).and_time(hm(15, 0)));
        // Order of the zones does not matter.
        let swapped = next_checkin(prev, Cadence::Weekly, &[New_York, London], ten());
        assert_eq!(swapped, next);
        assert_eq!(
            checkin_slot(date(2025, 6, 9), &[London, New_York], hm(10, 0)).0,
            New_York
        );
    }

    #[test]
    fn berlin_tokyo_gets_ten_berlin_time() {
        let start = utc(2025, 6, 4, 9, 0); // Wednesday
        let next = next_checkin(start, Cadence::Biweekly, &[Tokyo, Berlin], ten());
        assert_eq!(local(next, Berlin), date(2025, 6, 18).and_time(hm(10, 0)));
        assert_eq!(local(next, Tokyo), date(2025, 6, 18).and_time(hm(17, 0)));
    }

    #[test]
    fn single_zone_and_empty_zones() {
        let start = utc(2025, 6, 4, 9, 0);
        let ny = next_checkin(start, Cadence::Weekly, &[New_York], ten());
        assert_eq!(ny, utc(2025, 6, 11, 14, 0));
        let none = next_checkin(start, Cadence::Weekly, &[], ten());
        assert_eq!(none, utc(2025, 6, 11, 10, 0), "empty zones = UTC");
    }

    #[test]
    fn weekend_target_moves_to_monday() {
        // Pair started on Saturday 2025-06-07: one week later is Saturday.
        let start = utc(2025, 6, 7, 12, 0);
        let next = next_checkin(start, Cadence::Weekly, &[London, New_York], ten());
        assert_eq!(local(next, New_York), date(2025, 6, 16).and_time(hm(10, 0)));
        assert_eq!(next.with_timezone(&New_York).weekday(), Weekday::Mon);
        // Friday stays Friday for London + New York (Friday afternoon in London).
        let fri = utc(2025, 6, 6, 14, 0);
        let next = next_checkin(fri, Cadence::Weekly, &[London, New_York], ten());
        assert_eq!(next, utc(2025, 6, 13, 14, 0));
        assert_eq!(local(next, London).time(), hm(15, 0));
    }

    #[test]
    fn tokyo_los_angeles_uses_la_time_and_avoids_tokyo_saturday() {
        let zones = [Tokyo, Los_Angeles];
        // Monday 10:00 LA (17:00 UTC) is Tuesday 02:00 Tokyo: allowed.
        let mon = utc(2025, 6, 2, 17, 0);
        let next = next_checkin(mon, Cadence::Weekly, &zones, ten());
        assert_eq!(next, utc(2025, 6, 9, 17, 0));
        assert_eq!(
            local(next, Los_Angeles),
            date(2025, 6, 9).and_time(hm(10, 0))
        );
        assert_eq!(local(next, Tokyo), date(2025, 6, 10).and_time(hm(2, 0)));
        // Friday 10:00 LA would be Saturday 02:00 in Tokyo: moved to Monday.
        let fri = utc(2025, 6, 6, 17, 0);
        let next = next_checkin(fri, Cadence::Weekly, &zones, ten());
        assert_eq!(next, utc(2025, 6, 16, 17, 0));
        assert_eq!(next.with_timezone(&Los_Angeles).weekday(), Weekday::Mon);
    }

    #[test]
    fn us_dst_start_keeps_ten_new_york_and_shifts_utc() {
        let zones = [London, New_York];
        // Monday 2025-03-03 10:00 EST = 15:00 UTC; US switches on 2025-03-09.
        let prev = utc(2025, 3, 3, 15, 0);
        assert_eq!(local(prev, New_York).time(), hm(10, 0));
        let next = next_checkin(prev, Cadence::Weekly, &zones, ten());
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
        let next = next_checkin(prev, Cadence::Weekly, &zones, ten());
        assert_eq!(next, utc(2025, 10, 27, 9, 0), "one hour later in UTC");
        assert_eq!(local(next, Berlin), date(2025, 10, 27).and_time(hm(10, 0)));
        assert_eq!(local(next, Tokyo).time(), hm(18, 0));
    }

    #[test]
    fn checkin_time_in_dst_gap_goes_to_first_valid_instant() {
        // Cairo springs forward at midnight on the last Friday of April (a
        // working day): 00:30 does not exist on 2025-04-25.
        let cairo = chrono_tz::Africa::Cairo;
        let prev = utc(2025, 4, 17, 22, 30); // Friday 18 April 00:30 EET
        assert_eq!(local(prev, cairo), date(2025, 4, 18).and_time(hm(0, 30)));
        let next = next_checkin(prev, Cadence::Weekly, &[cairo], hm(0, 30));
        assert_eq!(next, utc(2025, 4, 24, 22, 0));
        assert_eq!(local(next, cairo), date(2025, 4, 25).and_time(hm(1, 0)));
    }

    #[test]
    fn monthly_clamps_to_end_of_month() {
        let zones = [London, New_York];
        // Friday 2025-01-31 10:00 EST -> Friday 2025-02-28.
        let next = next_checkin(utc(2025, 1, 31, 15, 0), Cadence::Monthly, &zones, ten());
        assert_eq!(next, utc(2025, 2, 28, 15, 0));
        // Wednesday 2024-01-31 -> leap day Thursday 2024-02-29.
        let next = next_checkin(utc(2024, 1, 31, 15, 0), Cadence::Monthly, &zones, ten());
        assert_eq!(next, utc(2024, 2, 29, 15, 0));
        // Wednesday 2025-01-15 -> Saturday 2025-02-15 -> Monday 2025-02-17.
        let next = next_checkin(utc(2025, 1, 15, 15, 0), Cadence::Monthly, &zones, ten());
        assert_eq!(next, utc(2025, 2, 17, 15, 0));
    }

    #[test]
    fn next_working_slot_respects_time_and_weekends() {
        let cal = WorkingCalendar::default();
        let zones = [London, New_York];
        // Wednesday 09:00 New York -> 10:00 the same day.
        let t = cal.next_working_slot(utc(2025, 6, 4, 13, 0), &zones, ten());
        assert_eq!(t, utc(2025, 6, 4, 14, 0));
        // Exactly at the slot -> that slot (the rule applied twice changes nothing).
        let t = cal.next_working_slot(utc(2025, 6, 4, 14, 0), &zones, ten());
        assert_eq!(t, utc(2025, 6, 4, 14, 0));
        // A second later -> the next day.
        let t = cal.next_working_slot(
            utc(2025, 6, 4, 14, 0) + TimeDelta::seconds(1),
            &zones,
            ten(),
        );
        assert_eq!(t, utc(2025, 6, 5, 14, 0));
        // Friday after the slot, or Saturday morning -> Monday.
        let t = cal.next_working_slot(utc(2025, 6, 6, 20, 0), &zones, ten());
        assert_eq!(t, utc(2025, 6, 9, 14, 0));
        let t = cal.next_working_slot(utc(2025, 6, 7, 8, 0), &zones, ten());
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
        for zones in pairs {
            for cadence in Cadence::ALL {
                for step in 0..(366 * 24 / 7) {
                    let after = utc(2025, 1, 1, 0, 0) + TimeDelta::hours(7 * step);
                    let next = next_checkin(after, cadence, &zones, ten());
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

    // --- working days ------------------------------------------------------

    fn holidays(dates: &[NaiveDate]) -> WorkingCalendar {
        WorkingCalendar::with_dates(dates.iter().map(|d| (*d, String::new())))
    }

    #[test]
    fn working_days_skip_weekends() {
        let c = WorkingCalendar::default();
        let d = |from, n| c.add_working_days(from, n);
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
    fn working_days_skip_holidays() {
        // Good Friday 3 April and Easter Monday 6 April 2026.
        let c = holidays(&[date(2026, 4, 3), date(2026, 4, 6)]);
        assert!(!c.is_working_day(date(2026, 4, 3)));
        assert!(!c.is_working_day(date(2026, 4, 4)), "a Saturday");
        assert!(c.is_working_day(date(2026, 4, 2)));
        assert_eq!(c.holiday(date(2026, 4, 3)), Some(""));
        assert_eq!(
            c.holiday(date(2026, 4, 4)),
            None,
            "weekends are not holidays"
        );
        assert_eq!(c.add_working_days(date(2026, 4, 2), 1), date(2026, 4, 7)); // Thu -> Tue
        // Mon 30 March + 5: Tue 31, Wed 1, Thu 2, Tue 7, Wed 8.
        assert_eq!(c.add_working_days(date(2026, 3, 30), 5), date(2026, 4, 8));
        assert_eq!(
            c.holidays_between(date(2026, 4, 1), 7),
            vec![
                (date(2026, 4, 3), String::new()),
                (date(2026, 4, 6), String::new())
            ]
        );
    }

    #[test]
    fn a_slot_on_a_weekend_or_a_holiday_moves_to_the_next_working_day() {
        // Friday 1 May 2026 (May Day) in Berlin, asked for on Thursday afternoon.
        let thursday = utc(2026, 4, 30, 12, 0);
        let none = WorkingCalendar::default();
        assert_eq!(
            none.next_working_slot(thursday, &[Berlin], ten()),
            utc(2026, 5, 1, 8, 0),
            "Friday 10:00 CEST without holidays"
        );
        let may_day = holidays(&[date(2026, 5, 1)]);
        let t = may_day.next_working_slot(thursday, &[Berlin], ten());
        assert_eq!(t, utc(2026, 5, 4, 8, 0), "over the holiday and the weekend");
        assert_eq!(local(t, Berlin), date(2026, 5, 4).and_time(ten()));
        // A slot already on a working day stays where it is.
        assert_eq!(may_day.next_working_slot(t, &[Berlin], ten()), t);
    }

    #[test]
    fn the_local_time_holds_across_dst_changes() {
        let c = WorkingCalendar::default();
        let after = |t: DateTime<Utc>| t + TimeDelta::seconds(1);
        // New York, March: Friday 6 March 10:00 EST (15:00 UTC) -> Monday 9 March 10:00 EDT (14:00 UTC).
        let t = c.next_working_slot(after(utc(2026, 3, 6, 15, 0)), &[New_York], ten());
        assert_eq!(t, utc(2026, 3, 9, 14, 0));
        assert_eq!(local(t, New_York), date(2026, 3, 9).and_time(ten()));
        // New York, November: Friday 30 October 10:00 EDT (14:00 UTC) -> Monday 2 November 10:00 EST (15:00 UTC).
        let t = c.next_working_slot(after(utc(2026, 10, 30, 14, 0)), &[New_York], ten());
        assert_eq!(t, utc(2026, 11, 2, 15, 0));
        assert_eq!(local(t, New_York), date(2026, 11, 2).and_time(ten()));
        // London, March: Friday 27 March 10:00 GMT -> Monday 30 March 10:00 BST (09:00 UTC).
        let t = c.next_working_slot(after(utc(2026, 3, 27, 10, 0)), &[London], ten());
        assert_eq!(t, utc(2026, 3, 30, 9, 0));
        // London, October: Friday 23 October 10:00 BST -> Monday 26 October 10:00 GMT.
        let t = c.next_working_slot(after(utc(2026, 10, 23, 9, 0)), &[London], ten());
        assert_eq!(t, utc(2026, 10, 26, 10, 0));
        // London + New York between the two changes: 10:00 New York is 14:00 London.
        let t = c.next_working_slot(utc(2026, 3, 16, 0, 0), &[London, New_York], ten());
        assert_eq!(t, utc(2026, 3, 16, 14, 0));
        assert_eq!(local(t, London).time(), hm(14, 0));
    }

    #[test]
    fn a_job_that_runs_early_waits_and_one_whose_day_has_passed_waits_for_the_next_slot() {
        // Good Friday 3 April 2026 is a holiday; Chicago is on summer time (10:00 CDT = 15:00 UTC).
        let c = holidays(&[date(2026, 4, 3)]);
        let chicago = [chrono_tz::America::Chicago];
        // Decided on Thursday 2 April at 16:00 UTC (11:00 in Chicago, past the slot): Monday 6 April, 10:00 CDT.
        let decided = utc(2026, 4, 2, 16, 0);
        let monday = utc(2026, 4, 6, 15, 0);
        assert_eq!(
            c.check_slot(decided, decided, &chicago, ten()),
            SlotCheck::Wait(monday)
        );
        // Run at its slot, or later that day (a retry): it goes.
        assert_eq!(
            c.check_slot(monday, monday, &chicago, ten()),
            SlotCheck::Now
        );
        assert_eq!(
            c.check_slot(monday, utc(2026, 4, 6, 22, 30), &chicago, ten()),
            SlotCheck::Now,
            "17:30 in Chicago, still Monday"
        );
        // A minute early: it waits for its slot.
        assert_eq!(
            c.check_slot(monday, monday - TimeDelta::minutes(1), &chicago, ten()),
            SlotCheck::Wait(monday)
        );
        // Decided at 04:00 in Chicago on a working day: the same day's slot.
        let early = utc(2026, 4, 1, 9, 0);
        assert_eq!(
            c.check_slot(early, early, &chicago, ten()),
            SlotCheck::Wait(utc(2026, 4, 1, 15, 0))
        );
        // Tandem was down from Monday until Saturday 11 April: not on Saturday but on Monday 13 April, 10:00.
        assert_eq!(
            c.check_slot(monday, utc(2026, 4, 11, 12, 0), &chicago, ten()),
            SlotCheck::Wait(utc(2026, 4, 13, 15, 0))
        );
        // Back on Tuesday 7 April at 09:00 in Chicago: that day's slot.
        assert_eq!(
            c.check_slot(monday, utc(2026, 4, 7, 14, 0), &chicago, ten()),
            SlotCheck::Wait(utc(2026, 4, 7, 15, 0))
        );
        // Applying the rule to its own answer changes nothing (a placed slot stays placed).
        let SlotCheck::Wait(t) = c.check_slot(decided, decided, &[Tokyo], ten()) else {
            panic!("Tokyo's slot is still to come");
        };
        assert_eq!(c.check_slot(t, t, &[Tokyo], ten()), SlotCheck::Now);
        assert_eq!(
            local(t, Tokyo),
            date(2026, 4, 6).and_time(ten()),
            "Friday 3 April is a holiday"
        );
    }

    #[test]
    fn far_apart_zones_need_a_working_day_in_both() {
        let zones = [Tokyo, Los_Angeles];
        let thursday = utc(2026, 4, 2, 12, 0); // 05:00 in Los Angeles
        // Thursday 10:00 Los Angeles (17:00 UTC) is Friday 02:00 in Tokyo.
        let none = WorkingCalendar::default();
        assert_eq!(
            none.next_working_slot(thursday, &zones, ten()),
            utc(2026, 4, 2, 17, 0)
        );
        // With Good Friday a holiday: Thursday is Good Friday in Tokyo, Friday is one in Los Angeles, then the
        // weekend: Monday 10:00 Los Angeles, Tuesday 02:00 Tokyo.
        let good_friday = holidays(&[date(2026, 4, 3)]);
        let t = good_friday.next_working_slot(thursday, &zones, ten());
        assert_eq!(t, utc(2026, 4, 6, 17, 0));
        assert_eq!(local(t, Los_Angeles), date(2026, 4, 6).and_time(ten()));
        assert_eq!(local(t, Tokyo), date(2026, 4, 7).and_time(hm(2, 0)));
    }

    #[test]
    fn yearly_holidays_recur_within_their_limits() {
        let mut c = WorkingCalendar::default();
        c.add_yearly(YearlyHoliday::every_year(
            "Christmas Day",
            date(2020, 12, 25),
        ));
        assert_eq!(c.holiday(date(2026, 12, 25)), Some("Christmas Day"));
        assert_eq!(c.holiday(date(2019, 12, 25)), None, "none before the first");
        // Thursday 24 December 2026, after the slot: Friday is Christmas, so Monday 28th.
        let t = c.next_working_slot(utc(2026, 12, 24, 12, 0), &[London], ten());
        assert_eq!(t, utc(2026, 12, 28, 10, 0));

        // US Thanksgiving (fourth Thursday of November) and Memorial Day (last Monday of May).
        let mut thanksgiving = YearlyHoliday::every_year("Thanksgiving", date(2020, 11, 26));
        thanksgiving.months = vec![11];
        thanksgiving.weekdays = vec![(4, Weekday::Thu)];
        assert!(thanksgiving.covers(date(2026, 11, 26)));
        assert!(thanksgiving.covers(date(2027, 11, 25)));
        assert!(!thanksgiving.covers(date(2027, 11, 26)));
        let mut memorial = YearlyHoliday::every_year("Memorial Day", date(2020, 5, 25));
        memorial.months = vec![5];
        memorial.weekdays = vec![(-1, Weekday::Mon)];
        assert!(memorial.covers(date(2026, 5, 25)) && memorial.covers(date(2027, 5, 31)));
        assert!(!memorial.covers(date(2027, 5, 24)));

        // Three days each year (24–26 December) until 2027; a COUNT of two; every other year; an exception.
        let mut closure = YearlyHoliday::every_year("Closure", date(2025, 12, 24));
        closure.days = 3;
        closure.until = Some(date(2027, 1, 1));
        assert!(closure.covers(date(2026, 12, 24)) && closure.covers(date(2026, 12, 26)));
        assert!(!closure.covers(date(2026, 12, 27)));
        assert!(!closure.covers(date(2027, 12, 25)), "after UNTIL");
        let mut twice = YearlyHoliday::every_year("Anniversary", date(2025, 6, 5));
        twice.count = Some(2);
        assert!(twice.covers(date(2025, 6, 5)) && twice.covers(date(2026, 6, 5)));
        assert!(!twice.covers(date(2027, 6, 5)), "after COUNT");
        let mut biennial = YearlyHoliday::every_year("Retreat", date(2024, 9, 1));
        biennial.every_years = 2;
        assert!(biennial.covers(date(2026, 9, 1)) && !biennial.covers(date(2025, 9, 1)));
        let mut except = YearlyHoliday::every_year("Founders' Day", date(2024, 3, 2));
        except.except.insert(date(2026, 3, 2));
        assert!(except.covers(date(2025, 3, 2)) && !except.covers(date(2026, 3, 2)));
        // 29 February only in leap years.
        let leap = YearlyHoliday::every_year("Leap Day", date(2024, 2, 29));
        assert!(leap.covers(date(2028, 2, 29)) && !leap.covers(date(2027, 3, 1)));
    }

    #[test]
    fn a_yearly_holiday_moves_a_check_in_only_in_the_years_it_falls_on_a_weekday() {
        // New Year's Day from 2020: Friday in 2027, Saturday in 2028.
        let mut c = WorkingCalendar::default();
        c.add_yearly(YearlyHoliday::every_year(
            "New Year's Day",
            date(2020, 1, 1),
        ));
        // Weekly check-ins held on Fridays: 25 December 2026 -> 1 January 2027 is the holiday -> Monday 4th.
        let zones = [London, New_York];
        let prev = utc(2026, 12, 25, 15, 0);
        assert_eq!(
            c.next_checkin(prev, Cadence::Weekly, &zones, ten()),
            utc(2027, 1, 4, 15, 0)
        );
        assert_eq!(
            WorkingCalendar::default().next_checkin(prev, Cadence::Weekly, &zones, ten()),
            utc(2027, 1, 1, 15, 0)
        );
    }

    #[test]
    fn working_days_later_lands_at_the_local_time() {
        let c = holidays(&[date(2026, 3, 6)]);
        let zones = [London, New_York];
        // Introduced Monday 2 March 2026 at 09:00 UTC: five working days (Friday 6th a holiday) -> Tuesday 10th,
        // 10:00 New York (already on summer time).
        let t = c.working_days_later(
            utc(2026, 3, 2, 9, 0),
            PLAN_REMINDER_BUSINESS_DAYS,
            &zones,
            ten(),
        );
        assert_eq!(t, utc(2026, 3, 10, 14, 0));
        let t = WorkingCalendar::default().working_days_later(
            utc(2026, 3, 2, 9, 0),
            PLAN_REMINDER_BUSINESS_DAYS,
            &zones,
            ten(),
        );
        assert_eq!(t, utc(2026, 3, 9, 14, 0));
        assert_eq!(
            c.working_days_later(utc(2026, 3, 2, 9, 0), 0, &zones, ten()),
            utc(2026, 3, 2, 15, 0)
        );
    }

    #[test]
    fn a_missed_check_in_gives_way_to_the_next_in_its_series() {
        let c = WorkingCalendar::default();
        let zones = [London, New_York];
        // Due Monday 9 March 2026 (14:00 UTC); Tandem back on Tuesday 31 March: the series goes on Monday 6 April.
        let missed = utc(2026, 3, 9, 14, 0);
        let next = c.next_checkin_from_missed(
            missed,
            utc(2026, 3, 31, 12, 0),
            Cadence::Weekly,
            &zones,
            ten(),
        );
        assert_eq!(next, utc(2026, 4, 6, 14, 0));
        // Back the same day, after the slot: the next in the series.
        let next = c.next_checkin_from_missed(
            missed,
            utc(2026, 3, 9, 18, 0),
            Cadence::Weekly,
            &zones,
            ten(),
        );
        assert_eq!(next, utc(2026, 3, 16, 14, 0));
    }

    // --- end dates, pauses ------------------------------------------------

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
