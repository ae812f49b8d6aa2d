//! A pair's meetings as an iCalendar file (RFC 5545) that either partner opens to add the series to Outlook,
//! Google or Apple Calendar. Pure: plain data in, the file's text out.
//!
//! # What the file says, and why
//!
//! * **One `VEVENT`**: the first meeting, recurring at the plan's cadence until its end date (`RRULE`). Weekly is
//!   `FREQ=WEEKLY;INTERVAL=1`, every two weeks `FREQ=WEEKLY;INTERVAL=2`, monthly `FREQ=MONTHLY;INTERVAL=1`. A
//!   monthly series that starts on the 29th, 30th or 31st adds `BYMONTHDAY=28,…,day;BYSETPOS=-1` so that it falls on
//!   the month's last day in shorter months (31 January, 28 February, 31 March) instead of skipping them, as a bare
//!   `FREQ=MONTHLY` would (RFC 5545 ignores invalid dates).
//! * **When**: the first meeting date at Tandem's check-in time (`TANDEM_CHECKIN_TIME`, 10:00 by default) in the zone
//!   of the partner for whom that comes latest ([`crate::domain::schedule::checkin_slot`]): nobody is asked to
//!   meet before that time in their own morning, and the other partner gets it later in their working day (London
//!   and New York: 10:00 New York, 15:00 London). It is the slot check-ins already use, so the pair sees one rhythm.
//!   Partners more than about eight hours apart get a time late in the day for one of them; they move it in their
//!   calendar. A meeting lasts [`MEETING_MINUTES`].
//! * **Time zone**: `DTSTART`/`DTEND` carry `TZID` of that zone, with a `VTIMEZONE` describing its offsets over the
//!   series. A series in UTC would drift by an hour for whoever changes clocks (10:00 in New York in winter becomes
//!   11:00 in summer); with the zone, the meeting stays at 10:00 local across daylight-saving changes, as check-ins
//!   do. A pair whose zone is UTC gets plain UTC times (`…Z`) and no `VTIMEZONE`. `UNTIL` is in UTC, as RFC 5545
//!   requires with a zoned `DTSTART`: the last second of the end date in the meeting's zone (inclusive).
//! * **`METHOD:REQUEST`**, not `PUBLISH`: iTIP (RFC 5546, 3.2.1) forbids `ATTENDEE` in a `PUBLISH`, and the point of
//!   the file is that both people are on the event. A `REQUEST` is also what calendar clients treat as an invitation
//!   that a later file with the same `UID` and a higher `SEQUENCE` updates. With no attendee e-mail known at all the
//!   file falls back to `PUBLISH` (no attendees), which is still a valid series either partner can add.
//! * **`ORGANIZER`** is Tandem at an address in the reserved `.invalid` domain (RFC 2606): Tandem has no mailbox,
//!   attendees are marked `RSVP=FALSE` so no client asks for a reply, and a reply sent anyway can go nowhere. Making
//!   one partner the organizer would make that partner's client treat the event as one they must send out.
//! * **`UID`** `pair-<id>@tandem` is stable for the pair; `SEQUENCE` starts at 0 and goes up by one with every change
//!   of plan, so a client replaces the event rather than adding a second one.
//! * **Privacy**: `SUMMARY` names the two partners (the attendee list does anyway) and `DESCRIPTION` gives the rhythm
//!   and end date, but **not** the plan's objective. The file is shared only in the pair's own conversation, where
//!   the objective is already shown, but once imported a calendar is often visible to assistants, delegates and
//!   colleagues; what a pair wants to learn stays in Slack. The event is also `CLASS:PRIVATE`, which Outlook and
//!   Google show to others as busy time without details.
//! * **Format**: CRLF line endings, lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped
//!   (backslash, semicolon, comma, newline), control characters dropped.

use crate::domain::forms::pair_forms::long_date;
use crate::domain::schedule::{self, Cadence};
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// How long each meeting is in the invite.
pub const MEETING_MINUTES: i64 = 60;

/// The organizer's address: Tandem has no mailbox, and `.invalid` can never resolve (RFC 2606).
pub const ORGANIZER: &str = "mailto:tandem@tandem.invalid";

/// The product identifier in every file.
pub const PRODID: &str = "-//Tandem//Reverse mentoring//EN";

/// One partner as an attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    /// The address from the person's Slack profile.
    pub email: String,
}

impl Attendee {
    /// An attendee, if `email` looks like an address that can stand in a `mailto:` URI unescaped (one `@`, no
    /// spaces, no characters with a meaning in iCalendar or URIs). Anything else is left out, not guessed at.
    pub fn new(name: &str, email: &str) -> Option<Attendee> {
        let email = email.trim();
        let (local, domain) = email.split_once('@')?;
        let fine = |c: char| c.is_ascii_alphanumeric() || "._+-'".contains(c);
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && local.chars().all(fine)
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        ok.then(|| Attendee {
            name: name.to_string(),
            email: email.to_string(),
        })
    }
}

/// Everything a pair's invite is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub pair_id: i64,
    /// 0 for the first file, one more for each change of plan.
    pub sequence: u32,
    /// The first meeting, as an instant.
    pub start: DateTime<Utc>,
    /// The zone whose wall clock the series keeps.
    pub zone: Tz,
    pub cadence: Cadence,
    /// The last instant a meeting may start: the end of the plan's end date in `zone`.
    pub until: DateTime<Utc>,
    /// The two partners' names, for the title.
    pub names: [String; 2],
    pub end_date: NaiveDate,
    /// Those whose e-mail is known (at most two).
    pub attendees: Vec<Attendee>,
    /// When the file was made (`DTSTAMP`).
    pub stamp: DateTime<Utc>,
}

/// What a pair's plan says about its meetings, in plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub first_meeting: NaiveDate,
    pub end_date: NaiveDate,
    pub cadence: Cadence,
    /// Both partners' zones.
    pub zones: Vec<Tz>,
    /// `TANDEM_CHECKIN_TIME`.
    pub local_time: NaiveTime,
}

impl Series {
    /// The first meeting's zone and instant: the check-in slot of its date (see the module documentation).
    pub fn start(&self) -> (Tz, DateTime<Utc>) {
        schedule::checkin_slot(self.first_meeting, &self.zones, self.local_time)
    }

    /// The last second of the end date in `zone`, in UTC.
    pub fn until(&self, zone: Tz) -> DateTime<Utc> {
        let last = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
        schedule::at_local(self.end_date, last, zone)
    }

    /// The invite for pair `pair_id` at `sequence`.
    pub fn invite(
        &self,
        pair_id: i64,
        sequence: u32,
        names: [String; 2],
        attendees: Vec<Attendee>,
        stamp: DateTime<Utc>,
    ) -> Invite {
        let (zone, start) = self.start();
        Invite {
            pair_id,
            sequence,
            start,
            zone,
            cadence: self.cadence,
            until: self.until(zone),
            names,
            end_date: self.end_date,
            attendees,
            stamp,
        }
    }
}

impl Invite {
    /// The pair's stable `UID`.
    pub fn uid(&self) -> String {
        uid(self.pair_id)
    }

    /// `REQUEST` when someone is invited, `PUBLISH` (which forbids attendees) when no e-mail is known.
    pub fn method(&self) -> &'static str {
        if self.attendees.is_empty() {
            "PUBLISH"
        } else {
            "REQUEST"
        }
    }

    /// The event's title.
    pub fn summary(&self) -> String {
        format!(
            "Tandem reverse mentoring: {} and {}",
            self.names[0], self.names[1]
        )
    }

    /// The event's description: the rhythm and the end date, never the plan's objective.
    pub fn description(&self) -> String {
        format!(
            "Your Tandem reverse-mentoring meetings, {}, until {}.\n\
             Your plan, its objective and the check-ins are in your Slack conversation with each other; \
             Tandem keeps them out of calendars, which others may see.\n\
             Move a meeting in your calendar if this time does not suit you both.",
            self.cadence.label(),
            long_date(self.end_date)
        )
    }

    /// The `RRULE` value.
    pub fn rrule(&self) -> String {
        rrule(
            self.cadence,
            self.start.with_timezone(&self.zone).day(),
            self.until,
        )
    }

    /// The whole file.
    pub fn render(&self) -> String {
        let mut lines: Vec<String> = vec![
            "BEGIN:VCALENDAR".into(),
            "VERSION:2.0".into(),
            format!("PRODID:{PRODID}"),
            "CALSCALE:GREGORIAN".into(),
            format!("METHOD:{}", self.method()),
        ];
        let end = self.start + Duration::minutes(MEETING_MINUTES);
        let zoned = self.zone != Tz::UTC;
        if zoned {
            lines.extend(vtimezone(self.zone, self.start, self.until));
        }
        let when = |name: &str, at: DateTime<Utc>| {
            if zoned {
                format!(
                    "{name};TZID={}:{}",
                    self.zone.name(),
                    local_stamp(at.with_timezone(&self.zone).naive_local())
                )
            } else {
                format!("{name}:{}", utc_stamp(at))
            }
        };
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}", self.uid()),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", utc_stamp(self.stamp)),
            when("DTSTART", self.start),
            when("DTEND", end),
            format!("RRULE:{}", self.rrule()),
            format!("SUMMARY:{}", escape_text(&self.summary())),
            format!("DESCRIPTION:{}", escape_text(&self.description())),
            "CLASS:PRIVATE".into(),
            "STATUS:CONFIRMED".into(),
            "TRANSP:OPAQUE".into(),
            format!("ORGANIZER;CN=Tandem:{ORGANIZER}"),
        ]);
        for a in &self.attendees {
            lines.push(format!(
                "ATTENDEE;CN={};CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{}",
                param_value(&a.name),
                a.email
            ));
        }
        lines.extend(["END:VEVENT".into(), "END:VCALENDAR".into()]);
        let mut out = String::new();
        for l in lines {
            out.push_str(&fold(&l));
        }
        out
    }
}

/// The pair's stable event `UID`.
pub fn uid(pair_id: i64) -> String {
    format!("pair-{pair_id}@tandem")
}

/// The `RRULE` value for `cadence`, starting on day-of-month `day` (local), bounded by `until` (inclusive).
pub fn rrule(cadence: Cadence, day: u32, until: DateTime<Utc>) -> String {
    let until = utc_stamp(until);
    match cadence {
        Cadence::Weekly => format!("FREQ=WEEKLY;INTERVAL=1;UNTIL={until}"),
        Cadence::Biweekly => format!("FREQ=WEEKLY;INTERVAL=2;UNTIL={until}"),
        Cadence::Monthly if day > 28 => {
            let days: Vec<String> = (28..=day).map(|d| d.to_string()).collect();
            format!(
                "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY={};BYSETPOS=-1;UNTIL={until}",
                days.join(",")
            )
        }
        Cadence::Monthly => format!("FREQ=MONTHLY;INTERVAL=1;UNTIL={until}"),
    }
}

/// `YYYYMMDDTHHMMSSZ`.
pub fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local_stamp(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

/// Escapes a TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma and newline; CR and other control characters
/// (which TEXT may not hold) are dropped, a tab kept.
pub fn escape_text(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (e.g. `CN`), always quoted: a quoted string may hold `:`, `;` and `,` but no `"` and no
/// control characters, so those become `'` and nothing.
pub fn param_value(s: &str) -> String {
    let inner: String = s
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    format!("\"{inner}\"")
}

/// One content line, folded (RFC 5545, 3.1): at most 75 octets per physical line, continuation lines start with one
/// space, a UTF-8 character is never split; every line ends with CRLF.
pub fn fold(line: &str) -> String {
    const MAX: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > MAX {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// One change of a zone's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The first instant of the new offset.
    pub at: DateTime<Utc>,
    /// Offsets in seconds east of UTC, before and after.
    pub from: i32,
    pub to: i32,
    /// The new offset is daylight-saving time.
    pub daylight: bool,
}

fn offset_at(zone: Tz, at: DateTime<Utc>) -> (i32, bool) {
    let o = zone.offset_from_utc_datetime(&at.naive_utc());
    (o.fix().local_minus_utc(), !o.dst_offset().is_zero())
}

fn abbreviation_at(zone: Tz, at: DateTime<Utc>) -> Option<String> {
    zone.offset_from_utc_datetime(&at.naive_utc())
        .abbreviation()
        .map(str::to_string)
}

/// Every change of `zone`'s offset in `(from, to]`, in order. Offsets are sampled every six hours (zones change at
/// most a few times a year) and each change is then found to the second.
pub fn transitions(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let step = Duration::hours(6);
    let mut found = Vec::new();
    let mut t = from;
    let mut before = offset_at(zone, t);
    while t < to {
        let next = (t + step).min(to);
        let after = offset_at(zone, next);
        if after.0 != before.0 {
            // The offset at `lo` is the old one, at `hi` the new one.
            let (mut lo, mut hi) = (t.timestamp(), next.timestamp());
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let at = DateTime::from_timestamp(mid, 0).unwrap_or(next);
                if offset_at(zone, at).0 == before.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            found.push(Transition {
                at: DateTime::from_timestamp(hi, 0).unwrap_or(next),
                from: before.0,
                to: after.0,
                daylight: after.1,
            });
        }
        before = after;
        t = next;
    }
    found
}

/// `+hhmm` / `-hhmm` (with seconds when the offset has them).
fn utc_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// The `VTIMEZONE` for a series in `zone` from `start` to `until`: the observance in force at `start` (from its
/// last change within the year before, or a fixed one since 1970 for a zone that did not change), then one
/// observance per change up to `until`. Each observance is explicit (a `DTSTART`, no `RRULE`), which describes the
/// zone exactly for the series' span whatever its rules.
pub fn vtimezone(zone: Tz, start: DateTime<Utc>, until: DateTime<Utc>) -> Vec<String> {
    let mut lines = vec![
        "BEGIN:VTIMEZONE".to_string(),
        format!("TZID:{}", zone.name()),
    ];
    let mut observance = |t: &Transition, onset: NaiveDateTime| {
        let kind = if t.daylight { "DAYLIGHT" } else { "STANDARD" };
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", local_stamp(onset)));
        lines.push(format!("TZOFFSETFROM:{}", utc_offset(t.from)));
        lines.push(format!("TZOFFSETTO:{}", utc_offset(t.to)));
        if let Some(name) = abbreviation_at(zone, t.at) {
            lines.push(format!("TZNAME:{}", escape_text(&name)));
        }
        lines.push(format!("END:{kind}"));
    };
    // The onset is the local time of the change on the clock before it (RFC 5545, 3.6.5).
    let onset = |t: &Transition| (t.at + Duration::seconds(i64::from(t.from))).naive_utc();
    let earlier = transitions(zone, start - Duration::days(400), start);
    match earlier.last() {
        Some(t) => observance(t, onset(t)),
        None => {
            let (offset, daylight) = offset_at(zone, start);
            let fixed = Transition {
                at: start,
                from: offset,
                to: offset,
                daylight,
            };
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
                .unwrap_or_default()
                .and_time(NaiveTime::MIN);
            observance(&fixed, epoch);
        }
    }
    for t in transitions(zone, start, until) {
        observance(&t, onset(&t));
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn ten() -> NaiveTime {
        NaiveTime::from_hms_opt(10, 0, 0).unwrap()
    }
    fn series(cadence: Cadence, zones: &[&str]) -> Series {
        Series {
            first_meeting: d(2026, 3, 5),
            end_date: d(2026, 6, 30),
            cadence,
            zones: zones.iter().map(|z| z.parse().unwrap()).collect(),
            local_time: ten(),
        }
    }
    fn invite(s: &Series, sequence: u32) -> Invite {
        s.invite(
            42,
            sequence,
            ["Jun Iper".into(), "Sen Ator".into()],
            vec![
                Attendee::new("Jun Iper", "jun@firm.example").unwrap(),
                Attendee::new("Sen Ator", "sen@firm.example").unwrap(),
            ],
            at("2026-03-02T09:00:00Z"),
        )
    }
    /// The file's logical lines, unfolded.
    fn unfolded(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
    fn value<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
        lines
            .iter()
            .filter(|l| l.starts_with(name))
            .map(|l| l.as_str())
            .collect()
    }

    #[test]
    fn the_first_meeting_is_at_ten_in_the_later_zone_and_keeps_that_zone() {
        let s = series(Cadence::Weekly, &["Europe/London", "America/New_York"]);
        let (zone, start) = s.start();
        assert_eq!(zone, chrono_tz::America::New_York);
        assert_eq!(start, at("2026-03-05T15:00:00Z"), "10:00 EST, 15:00 London");
        let ics = invite(&s, 0).render();
        let lines = unfolded(&ics);
        assert_eq!(
            value(&lines, "DTSTART;"),
            ["DTSTART;TZID=America/New_York:20260305T100000"]
        );
        assert_eq!(
            value(&lines, "DTEND;"),
            ["DTEND;TZID=America/New_York:20260305T110000"]
        );
        assert_eq!(value(&lines, "TZID:"), ["TZID:America/New_York"]);
    }

    #[test]
    fn the_time_zone_describes_the_daylight_saving_change_inside_the_series() {
        let s = series(Cadence::Weekly, &["America/New_York"]);
        let lines = unfolded(&invite(&s, 0).render());
        let tz: Vec<&str> = lines
            .iter()
            .skip_while(|l| *l != "BEGIN:VTIMEZONE")
            .take_while(|l| *l != "END:VTIMEZONE")
            .map(|l| l.as_str())
            .collect();
        assert_eq!(
            tz,
            [
                "BEGIN:VTIMEZONE",
                "TZID:America/New_York",
                // In force at the start: standard time since 2 November 2025, 02:00 EDT.
                "BEGIN:STANDARD",
                "DTSTART:20251102T020000",
                "TZOFFSETFROM:-0400",
                "TZOFFSETTO:-0500",
                "TZNAME:EST",
                "END:STANDARD",
                // Clocks go forward on 8 March 2026 at 02:00 EST, inside the series.
                "BEGIN:DAYLIGHT",
                "DTSTART:20260308T020000",
                "TZOFFSETFROM:-0500",
                "TZOFFSETTO:-0400",
                "TZNAME:EDT",
                "END:DAYLIGHT",
            ]
        );
    }

    #[test]
    fn a_zone_without_changes_gets_one_fixed_observance_and_utc_gets_none() {
        let tokyo = vtimezone(
            chrono_tz::Asia::Tokyo,
            at("2026-03-05T01:00:00Z"),
            at("2026-06-30T14:59:59Z"),
        );
        assert_eq!(
            tokyo,
            [
                "BEGIN:VTIMEZONE",
                "TZID:Asia/Tokyo",
                "BEGIN:STANDARD",
                "DTSTART:19700101T000000",
                "TZOFFSETFROM:+0900",
                "TZOFFSETTO:+0900",
                "TZNAME:JST",
                "END:STANDARD",
                "END:VTIMEZONE"
            ]
        );
        let s = series(Cadence::Weekly, &["UTC"]);
        let lines = unfolded(&invite(&s, 0).render());
        assert!(!lines.iter().any(|l| l == "BEGIN:VTIMEZONE"));
        assert_eq!(value(&lines, "DTSTART"), ["DTSTART:20260305T100000Z"]);
        assert_eq!(value(&lines, "DTEND"), ["DTEND:20260305T110000Z"]);
    }

    #[test]
    fn transitions_are_found_to_the_second_in_both_directions() {
        let london = transitions(
            chrono_tz::Europe::London,
            at("2026-01-01T00:00:00Z"),
            at("2027-01-01T00:00:00Z"),
        );
        assert_eq!(
            london,
            [
                Transition {
                    at: at("2026-03-29T01:00:00Z"),
                    from: 0,
                    to: 3600,
                    daylight: true
                },
                Transition {
                    at: at("2026-10-25T01:00:00Z"),
                    from: 3600,
                    to: 0,
                    daylight: false
                },
            ]
        );
        assert_eq!(utc_offset(-9000), "-0230");
        assert_eq!(utc_offset(20700), "+0545");
        assert_eq!(utc_offset(-3601), "-010001");
    }

    #[test]
    fn the_rrule_follows_the_cadence_until_the_end_of_the_end_date() {
        let until = at("2026-07-01T03:59:59Z");
        assert_eq!(
            rrule(Cadence::Weekly, 5, until),
            "FREQ=WEEKLY;INTERVAL=1;UNTIL=20260701T035959Z"
        );
        assert_eq!(
            rrule(Cadence::Biweekly, 5, until),
            "FREQ=WEEKLY;INTERVAL=2;UNTIL=20260701T035959Z"
        );
        assert_eq!(
            rrule(Cadence::Monthly, 28, until),
            "FREQ=MONTHLY;INTERVAL=1;UNTIL=20260701T035959Z"
        );
        assert_eq!(
            rrule(Cadence::Monthly, 31, until),
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=28,29,30,31;BYSETPOS=-1;UNTIL=20260701T035959Z"
        );
        assert_eq!(
            rrule(Cadence::Monthly, 29, until),
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=28,29;BYSETPOS=-1;UNTIL=20260701T035959Z"
        );
        // The end date's last second in New York (EDT, UTC-4) is 03:59:59 UTC the next day.
        let s = series(Cadence::Biweekly, &["Europe/London", "America/New_York"]);
        let i = invite(&s, 0);
        assert_eq!(i.until, until);
        assert_eq!(
            value(&unfolded(&i.render()), "RRULE:"),
            ["RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20260701T035959Z"]
        );
    }

    #[test]
    fn uid_is_stable_and_sequence_and_method_are_as_given() {
        let s = series(Cadence::Monthly, &["Europe/London"]);
        let first = unfolded(&invite(&s, 0).render());
        let second = unfolded(&invite(&s, 1).render());
        assert_eq!(value(&first, "UID:"), ["UID:pair-42@tandem"]);
        assert_eq!(value(&second, "UID:"), ["UID:pair-42@tandem"]);
        assert_eq!(value(&first, "SEQUENCE:"), ["SEQUENCE:0"]);
        assert_eq!(value(&second, "SEQUENCE:"), ["SEQUENCE:1"]);
        assert_eq!(value(&first, "METHOD:"), ["METHOD:REQUEST"]);
        assert_eq!(value(&first, "DTSTAMP:"), ["DTSTAMP:20260302T090000Z"]);
        assert_eq!(
            value(&first, "ATTENDEE"),
            [
                "ATTENDEE;CN=\"Jun Iper\";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:jun@firm.example",
                "ATTENDEE;CN=\"Sen Ator\";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:sen@firm.example",
            ]
        );
        assert_eq!(
            value(&first, "ORGANIZER"),
            ["ORGANIZER;CN=Tandem:mailto:tandem@tandem.invalid"]
        );
        // Without any known e-mail: PUBLISH, which may not carry attendees.
        let mut nobody = invite(&s, 0);
        nobody.attendees.clear();
        let lines = unfolded(&nobody.render());
        assert_eq!(value(&lines, "METHOD:"), ["METHOD:PUBLISH"]);
        assert!(value(&lines, "ATTENDEE").is_empty());
    }

    #[test]
    fn the_description_leaves_the_objective_out_and_the_event_is_private() {
        let s = series(Cadence::Biweekly, &["Europe/London"]);
        let lines = unfolded(&invite(&s, 0).render());
        assert_eq!(
            value(&lines, "SUMMARY:"),
            ["SUMMARY:Tandem reverse mentoring: Jun Iper and Sen Ator"]
        );
        let description = value(&lines, "DESCRIPTION:")[0];
        assert!(
            description.starts_with(
                "DESCRIPTION:Your Tandem reverse-mentoring meetings\\, every two weeks\\, until "
            ),
            "{description}"
        );
        assert!(description.contains("\\n"), "newlines are escaped");
        assert_eq!(value(&lines, "CLASS:"), ["CLASS:PRIVATE"]);
    }

    #[test]
    fn text_is_escaped_and_names_are_quoted() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg\u{7}h\ti"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti"
        );
        assert_eq!(param_value("O\"Brien, Ann; Esq:"), "\"O'Brien, Ann; Esq:\"");
        let s = series(Cadence::Weekly, &["Europe/London"]);
        let mut i = invite(&s, 0);
        i.names = ["Smith, Ann; Jr.".into(), "Back\\slash".into()];
        let lines = unfolded(&i.render());
        assert_eq!(
            value(&lines, "SUMMARY:"),
            ["SUMMARY:Tandem reverse mentoring: Smith\\, Ann\\; Jr. and Back\\\\slash"]
        );
    }

    #[test]
    fn lines_fold_at_75_octets_without_splitting_a_character() {
        let s = series(Cadence::Weekly, &["Europe/London"]);
        let mut i = invite(&s, 0);
        i.names = ["Zoë Çelik-Ångström".repeat(4), "José Müller".into()];
        let ics = i.render();
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "only CRLF endings");
        for physical in ics.split("\r\n") {
            assert!(
                physical.len() <= 75,
                "{physical:?} is {} octets",
                physical.len()
            );
        }
        // Unfolding gives back the logical line exactly (a split character would not even be valid UTF-8 here).
        let lines = unfolded(&ics);
        assert_eq!(
            value(&lines, "SUMMARY:"),
            [format!(
                "SUMMARY:Tandem reverse mentoring: {} and José Müller",
                "Zoë Çelik-Ångström".repeat(4)
            )
            .as_str()]
        );
        assert_eq!(fold("short"), "short\r\n");
        let exact = "x".repeat(75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
        assert_eq!(
            fold(&"x".repeat(76)),
            format!("{}\r\n x\r\n", "x".repeat(75))
        );
        // A two-octet character that would cross the 75th octet moves to the next line whole.
        let folded = fold(&format!("{}é", "x".repeat(74)));
        assert_eq!(folded, format!("{}\r\n é\r\n", "x".repeat(74)));
    }

    /// A real parser (the `icalendar` crate, with the `rrule` crate behind it) reads the file back, and the series
    /// it expands keeps 10:00 New York time across the change to daylight-saving time on 8 March.
    #[test]
    fn a_real_parser_reads_the_file_and_the_series_keeps_local_time_across_dst() {
        use icalendar::{Calendar, Component, EventLike};
        let s = series(Cadence::Weekly, &["Europe/London", "America/New_York"]);
        let ics = invite(&s, 3).render();
        let parsed: Calendar = ics.parse().expect("the file parses");
        let events: Vec<_> = parsed.events().collect();
        assert_eq!(events.len(), 1);
        let e = events[0];
        assert_eq!(e.get_uid(), Some("pair-42@tandem"));
        assert_eq!(e.get_sequence(), Some(3));
        let occurrences = e.get_recurrence().expect("a valid RRULE").all(100);
        let dates = occurrences.dates;
        assert_eq!(dates.len(), 17, "5 March to 25 June, weekly");
        let utc: Vec<DateTime<Utc>> = dates.iter().map(|d| d.with_timezone(&Utc)).collect();
        assert_eq!(utc[0], at("2026-03-05T15:00:00Z"), "10:00 EST");
        assert_eq!(
            utc[1],
            at("2026-03-12T14:00:00Z"),
            "10:00 EDT, after the change"
        );
        assert_eq!(utc[16], at("2026-06-25T14:00:00Z"));
    }

    /// A monthly series from the 31st falls on each month's last day, as read by the real `rrule` expansion.
    #[test]
    fn a_monthly_series_from_the_31st_keeps_to_month_ends() {
        use icalendar::{Calendar, EventLike};
        let mut s = series(Cadence::Monthly, &["Europe/London"]);
        s.first_meeting = d(2027, 1, 29);
        s.end_date = d(2027, 5, 31);
        let parsed: Calendar = invite(&s, 0).render().parse().unwrap();
        let e = parsed.events().next().unwrap();
        let days: Vec<NaiveDate> = e
            .get_recurrence()
            .unwrap()
            .all(20)
            .dates
            .iter()
            .map(|d| d.date_naive())
            .collect();
        assert_eq!(
            days,
            [
                d(2027, 1, 29),
                d(2027, 2, 28),
                d(2027, 3, 29),
                d(2027, 4, 29),
                d(2027, 5, 29)
            ]
        );
        s.first_meeting = d(2027, 1, 31);
        let parsed: Calendar = invite(&s, 0).render().parse().unwrap();
        let e = parsed.events().next().unwrap();
        let days: Vec<u32> = e
            .get_recurrence()
            .unwrap()
            .all(20)
            .dates
            .iter()
            .map(|d| d.day())
            .collect();
        assert_eq!(days, [31, 28, 31, 30, 31]);
    }

    #[test]
    fn only_plain_addresses_become_attendees() {
        assert!(Attendee::new("A", "ann.lee+tandem@firm.co.uk").is_some());
        for bad in [
            "",
            "ann",
            "@firm.com",
            "ann@",
            "ann@firm",
            "ann lee@firm.com",
            "ann@firm.com;x=y",
            "ann:x@firm.com",
            "ann@firm.com\r\nX-EVIL:1",
            "ann,bob@firm.com",
        ] {
            assert_eq!(Attendee::new("A", bad), None, "{bad:?}");
        }
    }
}
