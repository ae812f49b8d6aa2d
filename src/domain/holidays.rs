//! The firm's holidays (`TANDEM_HOLIDAYS_FILE`) read into a [`WorkingCalendar`]: a TOML list of dates, or an
//! iCalendar (`.ics`) file such as a holiday calendar exported from Outlook or Google Calendar. Without a file there
//! are no holidays (weekends are never working days).
//!
//! **TOML** (any file not recognised as iCalendar):
//!
//! ```toml
//! holidays = [
//!     "2026-12-25",                                   # a date as text
//!     2026-12-28,                                     # or as a TOML date
//!     { date = "2027-01-01", name = "New Year's Day" },
//! ]
//! ```
//!
//! **iCalendar** (a name ending in `.ics`, or text starting with `BEGIN:VCALENDAR`): every all-day `VEVENT` is a
//! holiday — `DTSTART;VALUE=DATE:20261224`, lasting until its `DTEND` (exclusive, as RFC 5545 has it) or for its
//! `DURATION` (`P3D`, `P1W`), one day without either. `RRULE:FREQ=YEARLY` repeats it (with `INTERVAL`, `COUNT`,
//! `UNTIL`, `BYMONTH`, `BYMONTHDAY` and `BYDAY`, e.g. `FREQ=YEARLY;BYMONTH=11;BYDAY=4TH` for US Thanksgiving),
//! `RDATE` adds dates and `EXDATE` removes them; `STATUS:CANCELLED` events are skipped. Events with a time of day
//! are not holidays: they are skipped and their lines reported, so that start-up can warn about them. Other
//! recurrence frequencies are refused (list such dates one by one).
//!
//! The iCalendar reader is written here rather than taken from a crate: the subset above is small, errors must
//! name the file and the line (`holidays.ics:14: ...`, as every configuration file's do), and the Rust crates
//! either only parse (no recurrence) or expand recurrences of timed events through their own time-zone handling,
//! which all-day holidays do not need.

use crate::domain::catalog::CatalogError;
use crate::domain::schedule::{WorkingCalendar, YearlyHoliday};
use chrono::{NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

/// The longest event taken as a holiday, in days.
pub const MAX_HOLIDAY_DAYS: u32 = 366;

/// A holidays file, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayFile {
    pub calendar: WorkingCalendar,
    /// Lines of iCalendar events with a time of day, which are not holidays and were skipped.
    pub timed_events_skipped: Vec<usize>,
}

/// Reads `path` (TOML or iCalendar, see the module docs).
pub fn load(path: &Path) -> Result<HolidayFile, CatalogError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| CatalogError {
        file: file.clone(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| CatalogError {
        file: file.clone(),
        line: 0,
        message: "is not UTF-8 text".into(),
    })?;
    parse(&file, &text)
}

/// Parses a holidays file; `file` names it in errors and tells iCalendar (`.ics`) from TOML.
pub fn parse(file: &str, text: &str) -> Result<HolidayFile, CatalogError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let looks_ics = text
        .trim_start()
        .get(..15)
        .is_some_and(|s| s.eq_ignore_ascii_case("BEGIN:VCALENDAR"));
    if file.to_ascii_lowercase().ends_with(".ics") || looks_ics {
        parse_ics(file, text)
    } else {
        parse_toml(file, text).map(|calendar| HolidayFile {
            calendar,
            timed_events_skipped: Vec::new(),
        })
    }
}

// ---------------------------------------------------------------------------
// TOML
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    holidays: Vec<toml::Spanned<toml::Value>>,
}

fn line_of(text: &str, span: Option<Range<usize>>) -> usize {
    let at = span.map(|s| s.start).unwrap_or(0).min(text.len());
    text[..at].matches('\n').count() + 1
}

/// A TOML value as the file wrote it (near enough), for error messages.
fn shown(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("\"{}\"", clip(s)),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

fn parse_toml(file: &str, text: &str) -> Result<WorkingCalendar, CatalogError> {
    let err = |span: Option<Range<usize>>, message: String| CatalogError {
        file: file.to_string(),
        line: line_of(text, span),
        message,
    };
    let parsed: TomlFile =
        toml::from_str(text).map_err(|e| err(e.span(), e.message().trim().replace('\n', " ")))?;
    let expected = "expected a date like \"2026-12-25\", or { date = \"2026-12-25\", name = \"Christmas Day\" }";
    let date_of = |value: &toml::Value| -> Option<NaiveDate> {
        match value {
            toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                let d = dt.date?;
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        }
    };
    let mut calendar = WorkingCalendar::default();
    for entry in parsed.holidays {
        let span = Some(entry.span());
        let (date, name) = match entry.get_ref() {
            toml::Value::Table(t) => {
                if let Some(key) = t.keys().find(|k| *k != "date" && *k != "name") {
                    return Err(err(
                        span,
                        format!("unknown key '{key}' in a holiday (only date and name)"),
                    ));
                }
                let date = t.get("date").ok_or_else(|| {
                    err(
                        span.clone(),
                        format!("a holiday without a date: {expected}"),
                    )
                })?;
                let name = match t.get("name") {
                    None => String::new(),
                    Some(toml::Value::String(n)) => n.trim().to_string(),
                    Some(_) => return Err(err(span, "a holiday's name must be text".into())),
                };
                (
                    date_of(date).ok_or_else(|| {
                        err(
                            span.clone(),
                            format!("{} is not a date: {expected}", shown(date)),
                        )
                    })?,
                    name,
                )
            }
            other => (
                date_of(other).ok_or_else(|| {
                    err(
                        span.clone(),
                        format!("{} is not a date: {expected}", shown(other)),
                    )
                })?,
                String::new(),
            ),
        };
        calendar.add_date(date, name);
    }
    Ok(calendar)
}

// ---------------------------------------------------------------------------
// iCalendar
// ---------------------------------------------------------------------------

/// One content line after unfolding: where it started, its name (upper case), parameters and value.
struct ContentLine {
    line: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl ContentLine {
    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Unfolds lines (a line starting with a space or a tab continues the one before) and splits each into name,
/// parameters and value. Blank lines are skipped.
fn content_lines(file: &str, text: &str) -> Result<Vec<ContentLine>, CatalogError> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), logical.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ if raw.trim().is_empty() => {}
            _ => logical.push((i + 1, raw.to_string())),
        }
    }
    logical
        .into_iter()
        .map(|(line, text)| split_content_line(file, line, &text))
        .collect()
}

fn split_content_line(file: &str, line: usize, text: &str) -> Result<ContentLine, CatalogError> {
    let err = |message: String| CatalogError {
        file: file.to_string(),
        line,
        message,
    };
    // The value starts after the first ':' outside a quoted parameter value.
    let mut quoted = false;
    let colon = text.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        ':' if !quoted => Some(i),
        _ => None,
    });
    let Some(colon) = colon else {
        return Err(err(format!(
            "'{}' is not an iCalendar line (NAME:value)",
            clip(text)
        )));
    };
    let (head, value) = (&text[..colon], &text[colon + 1..]);
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in head.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    let name = parts.remove(0).trim().to_ascii_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(err(format!(
            "'{}' is not an iCalendar line (NAME:value)",
            clip(text)
        )));
    }
    let params = parts
        .into_iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().to_string()),
            None => (p.trim().to_ascii_uppercase(), String::new()),
        })
        .collect();
    Ok(ContentLine {
        line,
        name,
        params,
        value: value.to_string(),
    })
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// A DTSTART/DTEND/RDATE/EXDATE value: a date, or a date with a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Date(NaiveDate),
    Timed(NaiveDate),
}

impl When {
    fn date(self) -> NaiveDate {
        match self {
            When::Date(d) | When::Timed(d) => d,
        }
    }
}

fn parse_when(value: &str, value_type: Option<&str>) -> Option<When> {
    let v = value.trim();
    let date = NaiveDate::parse_from_str(v.get(..8)?, "%Y%m%d").ok()?;
    match (v.len(), value_type.map(str::to_ascii_uppercase).as_deref()) {
        (8, None | Some("DATE")) => Some(When::Date(date)),
        (n, None | Some("DATE-TIME")) if n > 8 && v.as_bytes()[8] == b'T' => {
            Some(When::Timed(date))
        }
        _ => None,
    }
}

/// What one VEVENT said, until its END.
#[derive(Default)]
struct Event {
    begin: usize,
    start: Option<(usize, When)>,
    end: Option<(usize, When)>,
    duration: Option<(usize, String)>,
    rrule: Option<(usize, String)>,
    rdates: Vec<(usize, NaiveDate)>,
    exdates: BTreeSet<NaiveDate>,
    summary: String,
    cancelled: bool,
}

fn parse_ics(file: &str, text: &str) -> Result<HolidayFile, CatalogError> {
    let err = |line: usize, message: String| CatalogError {
        file: file.to_string(),
        line,
        message,
    };
    let lines = content_lines(file, text)?;
    let first = lines.first().map(|l| l.line).unwrap_or(1);
    if !lines
        .first()
        .is_some_and(|l| l.name == "BEGIN" && l.value.trim().eq_ignore_ascii_case("VCALENDAR"))
    {
        return Err(err(
            first,
            "not an iCalendar file: it must start with BEGIN:VCALENDAR".into(),
        ));
    }
    let mut out = HolidayFile::default();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut event: Option<Event> = None;
    for l in &lines {
        let value = l.value.trim();
        match l.name.as_str() {
            "BEGIN" => {
                let component = value.to_ascii_uppercase();
                if stack.is_empty() && component != "VCALENDAR" {
                    return Err(err(
                        l.line,
                        format!("BEGIN:{component} outside BEGIN:VCALENDAR … END:VCALENDAR"),
                    ));
                }
                if component == "VEVENT" && stack.len() == 1 {
                    event = Some(Event {
                        begin: l.line,
                        ..Event::default()
                    });
                }
                stack.push((component, l.line));
                continue;
            }
            "END" => {
                let component = value.to_ascii_uppercase();
                match stack.pop() {
                    Some((open, _)) if open == component => {}
                    Some((open, at)) => {
                        return Err(err(
                            l.line,
                            format!("END:{component} does not close BEGIN:{open} of line {at}"),
                        ));
                    }
                    None => {
                        return Err(err(l.line, format!("END:{component} without a BEGIN")));
                    }
                }
                if component == "VEVENT"
                    && stack.len() == 1
                    && let Some(e) = event.take()
                {
                    add_event(file, e, &mut out)?;
                }
                continue;
            }
            _ if stack.is_empty() => {
                return Err(err(
                    l.line,
                    format!("{} outside BEGIN:VCALENDAR … END:VCALENDAR", l.name),
                ));
            }
            _ => {}
        }
        // Properties of the event itself (not of a VALARM inside it).
        let Some(e) = event
            .as_mut()
            .filter(|_| stack.len() == 2 && stack[1].0 == "VEVENT")
        else {
            continue;
        };
        let bad_date = |what: &str| {
            err(
                l.line,
                format!(
                    "{what} '{}' is not a date (YYYYMMDD, e.g. DTSTART;VALUE=DATE:20261225)",
                    clip(value)
                ),
            )
        };
        match l.name.as_str() {
            "DTSTART" => {
                let when =
                    parse_when(value, l.param("VALUE")).ok_or_else(|| bad_date("DTSTART"))?;
                e.start = Some((l.line, when));
            }
            "DTEND" => {
                let when = parse_when(value, l.param("VALUE")).ok_or_else(|| bad_date("DTEND"))?;
                e.end = Some((l.line, when));
            }
            "DURATION" => e.duration = Some((l.line, value.to_string())),
            "RRULE" => {
                if e.rrule.is_some() {
                    return Err(err(l.line, "an event with more than one RRULE".into()));
                }
                e.rrule = Some((l.line, value.to_string()));
            }
            "RDATE" | "EXDATE" => {
                for item in value.split(',').filter(|s| !s.trim().is_empty()) {
                    let when =
                        parse_when(item, l.param("VALUE")).ok_or_else(|| bad_date(&l.name))?;
                    if l.name == "RDATE" {
                        e.rdates.push((l.line, when.date()));
                    } else {
                        e.exdates.insert(when.date());
                    }
                }
            }
            "SUMMARY" => e.summary = unescape(value),
            "STATUS" => e.cancelled = value.eq_ignore_ascii_case("CANCELLED"),
            _ => {}
        }
    }
    if let Some((open, at)) = stack.last() {
        return Err(err(
            *at,
            format!("BEGIN:{open} is never closed (END:{open} is missing)"),
        ));
    }
    Ok(out)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Adds one finished VEVENT to the calendar (or notes a timed one as skipped).
fn add_event(file: &str, e: Event, out: &mut HolidayFile) -> Result<(), CatalogError> {
    let err = |line: usize, message: String| CatalogError {
        file: file.to_string(),
        line,
        message,
    };
    if e.cancelled {
        return Ok(());
    }
    let Some((start_line, start)) = e.start else {
        return Err(err(e.begin, "an event without DTSTART".into()));
    };
    let start = match start {
        When::Date(d) => d,
        When::Timed(_) => {
            out.timed_events_skipped.push(start_line);
            return Ok(());
        }
    };
    let days = match (e.end, &e.duration) {
        (Some(_), Some((line, _))) => {
            return Err(err(*line, "an event with both DTEND and DURATION".into()));
        }
        (Some((line, When::Timed(_))), None) => {
            return Err(err(
                line,
                "DTEND has a time of day but DTSTART is a date; an all-day event ends on a date"
                    .into(),
            ));
        }
        (Some((line, When::Date(end))), None) => {
            let days = (end - start).num_days();
            if days < 1 {
                return Err(err(
                    line,
                    format!(
                        "DTEND {} is not after DTSTART {start} (DTEND is the day after the last day: a holiday on \
                         25 December ends on 26 December)",
                        end
                    ),
                ));
            }
            days
        }
        (None, Some((line, text))) => parse_days(text).ok_or_else(|| {
            err(
                *line,
                format!(
                    "DURATION '{}' is not a whole number of days or weeks (P1D, P3D, P1W)",
                    clip(text)
                ),
            )
        })?,
        (None, None) => 1,
    };
    let days = u32::try_from(days)
        .ok()
        .filter(|d| (1..=MAX_HOLIDAY_DAYS).contains(d))
        .ok_or_else(|| {
            err(
                start_line,
                format!(
                    "an event of {days} days is not a holiday (at most {MAX_HOLIDAY_DAYS} days)"
                ),
            )
        })?;
    let span = |first: NaiveDate| {
        first
            .iter_days()
            .take(days as usize)
            .collect::<Vec<NaiveDate>>()
    };
    match e.rrule {
        None => {
            if !e.exdates.contains(&start) {
                for d in span(start) {
                    out.calendar.add_date(d, e.summary.clone());
                }
            }
        }
        Some((line, rule)) => {
            let mut yearly = parse_rrule(&rule).map_err(|m| err(line, m))?;
            yearly.name = e.summary.clone();
            yearly.first = start;
            yearly.days = days;
            yearly.except = e.exdates.clone();
            out.calendar.add_yearly(yearly);
        }
    }
    for (_, d) in e.rdates {
        if !e.exdates.contains(&d) {
            for day in span(d) {
                out.calendar.add_date(day, e.summary.clone());
            }
        }
    }
    Ok(())
}

/// `P3D`, `P1W`, `+P2D` (and `P1DT0H0M0S`, which exports sometimes write) as days.
fn parse_days(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches('+').to_ascii_uppercase();
    let t = t.strip_prefix('P')?;
    let (date_part, time_part) = t.split_once('T').unwrap_or((t, ""));
    if !time_part.is_empty() && time_part.chars().any(|c| c.is_ascii_digit() && c != '0') {
        return None;
    }
    let (n, unit) = date_part.split_at(date_part.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    match unit {
        "D" => Some(n),
        "W" => n.checked_mul(7),
        _ => None,
    }
}

/// An `RRULE` value as a [`YearlyHoliday`] (name, first day, length and exceptions are filled in by the caller).
fn parse_rrule(rule: &str) -> Result<YearlyHoliday, String> {
    let mut h = YearlyHoliday::every_year("", NaiveDate::MIN);
    let mut freq = None;
    let number = |key: &str, v: &str| -> Result<u32, String> {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("RRULE {key}={v} is not a whole number of at least 1"))
    };
    let list = |key: &str, v: &str, range: std::ops::RangeInclusive<i32>, signed: bool| {
        v.split(',')
            .map(|item| {
                item.trim()
                    .trim_start_matches('+')
                    .parse::<i32>()
                    .ok()
                    .filter(|n| range.contains(&n.abs()) && (signed || *n > 0))
                    .ok_or_else(|| format!("RRULE {key}={v}: '{item}' is out of range"))
            })
            .collect::<Result<Vec<i32>, String>>()
    };
    for part in rule.split(';').filter(|p| !p.trim().is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(format!("RRULE part '{}' is not KEY=VALUE", clip(part)));
        };
        let key = key.trim().to_ascii_uppercase();
        let value = value.trim();
        match key.as_str() {
            "FREQ" => freq = Some(value.to_ascii_uppercase()),
            "INTERVAL" => h.every_years = number(&key, value)?,
            "COUNT" => h.count = Some(number(&key, value)?),
            "UNTIL" => {
                h.until = Some(parse_when(value, None).map(When::date).ok_or_else(|| {
                    format!("RRULE UNTIL={} is not a date (YYYYMMDD)", clip(value))
                })?)
            }
            "BYMONTH" => {
                h.months = list(&key, value, 1..=12, false)?
                    .into_iter()
                    .map(|m| m.unsigned_abs())
                    .collect()
            }
            "BYMONTHDAY" => h.month_days = list(&key, value, 1..=31, true)?,
            "BYDAY" => {
                h.weekdays = value
                    .split(',')
                    .map(|item| parse_byday(item.trim()))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        format!(
                            "RRULE BYDAY={} is not a list of days like MO, 4TH or -1MO",
                            clip(value)
                        )
                    })?
            }
            "WKST" => {}
            "BYSETPOS" | "BYWEEKNO" | "BYYEARDAY" | "BYHOUR" | "BYMINUTE" | "BYSECOND" => {
                return Err(format!(
                    "RRULE {key} is not supported for holidays (FREQ=YEARLY with INTERVAL, COUNT, UNTIL, BYMONTH, \
                     BYMONTHDAY and BYDAY is); list such dates one by one"
                ));
            }
            other => return Err(format!("RRULE has an unknown part '{}'", clip(other))),
        }
    }
    match freq.as_deref() {
        Some("YEARLY") => Ok(h),
        Some(other) => Err(format!(
            "RRULE FREQ={other}: only yearly holidays (FREQ=YEARLY) can repeat; list other dates one by one"
        )),
        None => Err("RRULE without FREQ".into()),
    }
}

fn parse_byday(item: &str) -> Option<(i32, Weekday)> {
    let split = item.len().checked_sub(2)?;
    let (ord, day) = item.split_at(split);
    let day = match day.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    };
    let ord = match ord.trim_start_matches('+') {
        "" => 0,
        n => n
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=53).contains(&n.abs()))?,
    };
    Some((ord, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ics(body: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Firm//Holidays//EN\r\n{body}END:VCALENDAR\r\n"
        )
    }

    fn event(lines: &[&str]) -> String {
        let mut s = String::from("BEGIN:VEVENT\r\n");
        for l in lines {
            s.push_str(l);
            s.push_str("\r\n");
        }
        s.push_str("END:VEVENT\r\n");
        s
    }

    fn bad(file: &str, text: &str) -> (usize, String) {
        let e = parse(file, text).expect_err("should be refused");
        assert_eq!(e.file, file);
        assert!(!e.to_string().contains('\n'), "{e}");
        (e.line, e.message)
    }

    #[test]
    fn a_toml_list_of_dates_with_optional_names() {
        let text = "# the firm's holidays\nholidays = [\n  \"2026-12-25\",\n  2026-12-28,\n  { date = \"2027-01-01\", name = \"New Year's Day\" },\n]\n";
        let f = parse("holidays.toml", text).unwrap();
        let c = &f.calendar;
        assert_eq!(c.holiday(date(2026, 12, 25)), Some(""));
        assert_eq!(c.holiday(date(2026, 12, 28)), Some(""));
        assert_eq!(c.holiday(date(2027, 1, 1)), Some("New Year's Day"));
        assert_eq!(
            c.holiday(date(2027, 12, 25)),
            None,
            "a list date is one year only"
        );
        assert!(f.timed_events_skipped.is_empty());
        assert!(
            parse("h.toml", "holidays = []")
                .unwrap()
                .calendar
                .is_empty()
        );
    }

    #[test]
    fn bad_toml_names_the_line() {
        assert_eq!(
            bad("h.toml", "holidays = [\n  \"2026-12-25\",\n  \"2026-13-01\",\n]\n"),
            (
                3,
                "\"2026-13-01\" is not a date: expected a date like \"2026-12-25\", or { date = \"2026-12-25\", name = \"Christmas Day\" }".into()
            )
        );
        assert_eq!(
            bad("h.toml", "holidays = [\n  { day = \"2026-12-25\" },\n]").0,
            2
        );
        assert!(
            bad("h.toml", "holidays = [\n  { day = \"2026-12-25\" },\n]")
                .1
                .contains("unknown key 'day'")
        );
        assert_eq!(
            bad("h.toml", "holidays = [\n  2026-12-25T09:00:00,\n]").0,
            2
        );
        assert_eq!(bad("h.toml", "holiday = [\"2026-12-25\"]\n").0, 1);
        assert_eq!(
            bad("h.toml", "\n\nholidays = [\"2026-12-25\"\n").0,
            3,
            "a syntax error"
        );
        assert!(
            bad("h.toml", "holidays = [{ date = \"2026-12-25\", name = 3 }]")
                .1
                .contains("name must be text")
        );
    }

    #[test]
    fn an_ics_of_all_day_events_single_multi_day_and_yearly() {
        let text = ics(&[
            event(&[
                "UID:1",
                "DTSTART;VALUE=DATE:20260403",
                "SUMMARY:Good Friday",
            ]),
            // 24–26 December 2026: DTEND is exclusive.
            event(&[
                "UID:2",
                "DTSTART;VALUE=DATE:20261224",
                "DTEND;VALUE=DATE:20261227",
                "SUMMARY:Winter closure",
            ]),
            // Every year from 2020, folded over two lines, with an alarm inside.
            event(&[
                "UID:3",
                "DTSTART;VALUE=DATE:20200101",
                "RRULE:FREQ=YEARLY;",
                " INTERVAL=1",
                "SUMMARY:New Year\\, again",
                "BEGIN:VALARM",
                "TRIGGER:-P1D",
                "DTSTART:20200101T090000Z",
                "END:VALARM",
            ]),
            // US Thanksgiving, with its day after (DURATION) and one year off.
            event(&[
                "UID:4",
                "DTSTART;VALUE=DATE:20201126",
                "DURATION:P2D",
                "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
                "EXDATE;VALUE=DATE:20271125",
                "SUMMARY:Thanksgiving",
            ]),
            event(&["UID:5", "DTSTART;VALUE=DATE:20260504", "STATUS:CANCELLED"]),
            event(&[
                "UID:6",
                "DTSTART;TZID=Europe/London:20260505T090000",
                "SUMMARY:Town hall",
            ]),
        ]
        .concat());
        let f = parse("firm.ics", &text).unwrap();
        let c = &f.calendar;
        assert_eq!(c.holiday(date(2026, 4, 3)), Some("Good Friday"));
        assert_eq!(c.holiday(date(2027, 4, 3)), None);
        for d in [24, 25, 26] {
            assert_eq!(c.holiday(date(2026, 12, d)), Some("Winter closure"));
        }
        assert_eq!(c.holiday(date(2026, 12, 27)), None);
        assert_eq!(c.holiday(date(2031, 1, 1)), Some("New Year, again"));
        assert_eq!(c.holiday(date(2019, 1, 1)), None);
        assert_eq!(c.holiday(date(2026, 11, 26)), Some("Thanksgiving"));
        assert_eq!(c.holiday(date(2026, 11, 27)), Some("Thanksgiving"));
        assert_eq!(c.holiday(date(2027, 11, 25)), None, "EXDATE");
        assert_eq!(c.holiday(date(2028, 11, 23)), Some("Thanksgiving"));
        assert_eq!(c.holiday(date(2026, 5, 4)), None, "cancelled");
        assert_eq!(
            c.holiday(date(2026, 5, 5)),
            None,
            "timed events are not holidays"
        );
        assert_eq!(
            f.timed_events_skipped,
            vec![text.lines().position(|l| l.contains("20260505T")).unwrap() + 1]
        );
        // LF line endings and a byte-order mark work too; the name need not end in .ics.
        let lf = format!("\u{feff}{}", text.replace("\r\n", "\n"));
        assert_eq!(parse("holidays.txt", &lf).unwrap(), f);
    }

    #[test]
    fn bad_ics_names_the_line() {
        let with = |lines: &[&str]| ics(&event(lines));
        // Lines: 1 BEGIN:VCALENDAR, 2 VERSION, 3 PRODID, 4 BEGIN:VEVENT, 5.. the event's lines.
        assert_eq!(
            bad("h.ics", &with(&["DTSTART;VALUE=DATE:2026-12-25"])),
            (
                5,
                "DTSTART '2026-12-25' is not a date (YYYYMMDD, e.g. DTSTART;VALUE=DATE:20261225)"
                    .into()
            )
        );
        assert_eq!(
            bad("h.ics", &with(&["SUMMARY:x"])),
            (4, "an event without DTSTART".into())
        );
        let (line, msg) = bad(
            "h.ics",
            &with(&["DTSTART;VALUE=DATE:20261225", "RRULE:FREQ=WEEKLY"]),
        );
        assert_eq!(line, 6);
        assert!(
            msg.starts_with("RRULE FREQ=WEEKLY: only yearly holidays"),
            "{msg}"
        );
        let (line, msg) = bad(
            "h.ics",
            &with(&[
                "DTSTART;VALUE=DATE:20261225",
                "RRULE:FREQ=YEARLY;BYSETPOS=1",
            ]),
        );
        assert_eq!(line, 6);
        assert!(msg.contains("BYSETPOS is not supported"), "{msg}");
        let (line, msg) = bad(
            "h.ics",
            &with(&["DTSTART;VALUE=DATE:20261225", "DTEND;VALUE=DATE:20261225"]),
        );
        assert_eq!(line, 6);
        assert!(msg.contains("is not after DTSTART"), "{msg}");
        assert_eq!(
            bad(
                "h.ics",
                &with(&["DTSTART;VALUE=DATE:20261225", "DURATION:PT1H"])
            )
            .0,
            6
        );
        assert_eq!(
            bad(
                "h.ics",
                &with(&["DTSTART;VALUE=DATE:20261225", "DURATION:P400D"])
            )
            .0,
            5
        );
        assert_eq!(
            bad(
                "h.ics",
                &with(&["DTSTART;VALUE=DATE:20261225", "RRULE:FREQ=YEARLY;BYDAY=XX"])
            )
            .0,
            6
        );
        assert_eq!(
            bad(
                "h.ics",
                &with(&["DTSTART;VALUE=DATE:20261225", "no colon here"])
            )
            .0,
            6
        );
        // Structure.
        assert_eq!(bad("h.ics", "VERSION:2.0\n").0, 1);
        assert_eq!(bad("h.ics", "\n\nnot a calendar\n").0, 3);
        let (line, msg) = bad(
            "h.ics",
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\n",
        );
        assert_eq!(
            (line, msg.as_str()),
            (2, "BEGIN:VEVENT is never closed (END:VEVENT is missing)")
        );
        assert_eq!(
            bad("h.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n"),
            (
                3,
                "END:VCALENDAR does not close BEGIN:VEVENT of line 2".into()
            )
        );
    }
}
