//! CSV exports for HR: pairs, check-ins and mentoring hours. Pure: data in, text out.
//!
//! Written through [`crate::domain::csv::Writer`]: RFC 4180 with a header row and CRLF line ends, every cell through
//! its formula guard and quoted when needed. No free text is exported (the inputs carry none) and no individual rating: meeting usefulness and
//! feedback ratings are never written.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::domain::csv::Writer;
use crate::domain::model::CheckinAnswer;
use crate::domain::reports::{CheckinRound, Pair, Period, ReportInput};

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn opt_time(t: Option<DateTime<Utc>>) -> String {
    t.map(time).unwrap_or_default()
}

/// Every pair, by ID: `pair_id, reverse_mentor_id, reverse_mentor_name, senior_id, senior_name, status, created_at,
/// ended_at, last_met_at`. A member who left has empty ID and name. Times are RFC 3339 UTC.
pub fn pairs_csv(pairs: &[Pair]) -> String {
    let mut out = Writer::new();
    out.row(&[
        "pair_id",
        "reverse_mentor_id",
        "reverse_mentor_name",
        "senior_id",
        "senior_name",
        "status",
        "created_at",
        "ended_at",
        "last_met_at",
    ]);
    let mut sorted: Vec<&Pair> = pairs.iter().collect();
    sorted.sort_by_key(|p| p.id);
    for p in sorted {
        let id = |m: &Option<crate::domain::reports::Member>| m.as_ref().map(|m| m.user_id.clone());
        let name =
            |m: &Option<crate::domain::reports::Member>| m.as_ref().map(|m| m.display_name.clone());
        out.row(&[
            &p.id.to_string(),
            &id(&p.junior).unwrap_or_default(),
            &name(&p.junior).unwrap_or_default(),
            &id(&p.senior).unwrap_or_default(),
            &name(&p.senior).unwrap_or_default(),
            p.status.as_str(),
            &time(p.created_at),
            &opt_time(p.ended_at),
            &opt_time(p.last_met_at),
        ]);
    }
    out.finish()
}

/// One row per person asked in each check-in round sent in `period`, by time then pair then user:
/// `pair_id, sent_at, user_id, answer` (`met`, `not_yet`, `need_help` or `no_answer`).
pub fn checkins_csv(rounds: &[CheckinRound], period: &Period) -> String {
    let mut out = Writer::new();
    out.row(&["pair_id", "sent_at", "user_id", "answer"]);
    let mut rows: Vec<(DateTime<Utc>, i64, &str, &str)> = rounds
        .iter()
        .filter(|r| period.contains(r.sent_at))
        .flat_map(|r| {
            r.responses.iter().map(move |a| {
                (
                    r.sent_at,
                    r.pair_id,
                    a.user_id.as_str(),
                    a.answer.map_or("no_answer", CheckinAnswer::as_str),
                )
            })
        })
        .collect();
    rows.sort();
    for (sent, pair, user, answer) in rows {
        out.row(&[&pair.to_string(), &time(sent), user, answer]);
    }
    out.finish()
}

/// Mentoring hours per person for meetings in `period` (what firms credit as non-billable time), by user ID:
/// `user_id, name, meetings, minutes, hours` (hours with two decimals). Everyone enrolled is listed, with 0 when they
/// logged no meeting, and so is anyone who logged one and is no longer known by name (under the report's stand-in).
/// A meeting counts once for each person who logged it, for the pair's length of it (the longest either logged:
/// the *hours per pair* rule every figure follows). Usefulness ratings are not exported.
pub fn hours_csv(input: &ReportInput, period: &Period) -> String {
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for p in &input.participants {
        names.insert(&p.user_id, &p.display_name);
    }
    for m in input
        .pairs
        .iter()
        .flat_map(|p| [&p.junior, &p.senior])
        .flatten()
    {
        names.insert(&m.user_id, &m.display_name);
    }
    // One meeting per pair and time (the key), lasting the longest either logged; who logged it.
    type Logged<'a> = (u64, BTreeSet<&'a str>);
    let mut meetings: BTreeMap<(i64, DateTime<Utc>), Logged> = BTreeMap::new();
    for m in input.meetings.iter().filter(|m| period.contains(m.at)) {
        let e = meetings.entry((m.pair_id, m.at)).or_default();
        e.0 = e.0.max(u64::from(m.minutes));
        e.1.insert(&m.logged_by);
    }
    let mut per_person: BTreeMap<&str, (u64, u64)> = input
        .participants
        .iter()
        .map(|p| (p.user_id.as_str(), (0, 0)))
        .collect();
    for (minutes, people) in meetings.values() {
        for who in people {
            let e = per_person.entry(who).or_default();
            e.0 += 1;
            e.1 += minutes;
        }
    }
    let mut out = Writer::new();
    out.row(&["user_id", "name", "meetings", "minutes", "hours"]);
    for (user, (n, minutes)) in per_person {
        out.row(&[
            user,
            names.get(user).copied().unwrap_or_default(),
            &n.to_string(),
            &minutes.to_string(),
            &format!("{:.2}", minutes as f64 / 60.0),
        ]);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reports::fixture::*;

    #[test]
    fn pairs_csv_lists_every_pair() {
        let mut inp = input();
        inp.pairs[0].junior.as_mut().unwrap().display_name = "=cmd|' /C calc'!A0, \"Jr\"".into();
        let csv = pairs_csv(&inp.pairs);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "pair_id,reverse_mentor_id,reverse_mentor_name,senior_id,senior_name,status,created_at,ended_at,last_met_at"
        );
        assert_eq!(lines.len(), 1 + 7 + 1);
        assert_eq!(
            lines[1],
            "1,r1,\"'=cmd|' /C calc'!A0, \"\"Jr\"\"\",s1,Name of s1,active,2025-01-20T00:00:00Z,,2025-03-28T00:00:00Z"
        );
        assert_eq!(
            lines[5],
            "5,,,s2,Name of s2,ended,2025-01-25T00:00:00Z,2025-02-14T00:00:00Z,"
        );
        assert_eq!(lines[8], "");
    }

    #[test]
    fn checkins_csv_has_one_row_per_person_asked() {
        let inp = input();
        let csv = checkins_csv(&inp.checkins, &march());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "pair_id,sent_at,user_id,answer");
        assert_eq!(lines.len(), 1 + 8);
        assert_eq!(lines[1], "1,2025-03-10T09:00:00Z,r1,met");
        assert!(lines.contains(&"2,2025-03-10T09:00:00Z,s2,need_help"));
        assert!(lines.contains(&"4,2025-03-24T09:00:00Z,r4,not_yet"));
        assert!(lines.contains(&"1,2025-03-24T09:00:00Z,s1,no_answer"));
    }

    #[test]
    fn hours_csv_totals_each_person_without_ratings() {
        let inp = input();
        let csv = hours_csv(&inp, &march());
        // Pair 1 met on 5 March (both logged 60 minutes: one meeting each) and 28 March (45, logged by r1); pair 2 on
        // 2 March (30, r2); pair 3 on 18 March (90, s3). Everyone else enrolled has 0.
        assert_eq!(
            csv,
            "user_id,name,meetings,minutes,hours\r\n\
             r1,Name of r1,2,105,1.75\r\n\
             r2,Name of r2,1,30,0.50\r\n\
             r3,Name of r3,0,0,0.00\r\n\
             r4,Name of r4,0,0,0.00\r\n\
             r5,Name of r5,0,0,0.00\r\n\
             r6,Name of r6,0,0,0.00\r\n\
             s1,Name of s1,1,60,1.00\r\n\
             s2,Name of s2,0,0,0.00\r\n\
             s3,Name of s3,1,90,1.50\r\n\
             s4,Name of s4,0,0,0.00\r\n\
             s5,Name of s5,0,0,0.00\r\n\
             s6,Name of s6,0,0,0.00\r\n"
        );
    }

    #[test]
    fn exports_carry_no_rating() {
        let inp = input();
        let all = |inp: &crate::domain::reports::ReportInput| {
            [
                pairs_csv(&inp.pairs),
                checkins_csv(&inp.checkins, &march()),
                hours_csv(inp, &march()),
            ]
        };
        let before = all(&inp);
        for csv in &before {
            let header = csv.lines().next().unwrap();
            assert!(
                !header.contains("useful")
                    && !header.contains("rating")
                    && !header.contains("note")
            );
        }
        let mut other = inp.clone();
        for m in &mut other.meetings {
            m.usefulness = Some(1);
        }
        for f in &mut other.feedback {
            f.rating = 1;
        }
        assert_eq!(all(&other), before);
    }
}
