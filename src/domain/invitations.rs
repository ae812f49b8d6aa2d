//! Invitations to opt in (`/mentor invite`, `tandem invite --csv`), as pure rules: who of a channel's, a user
//! group's or an HR export's people gets an invitation, and how an HR export is read. An invitation never enrols
//! anyone: it is a DM with a *Join* button that opens the same survey as `/mentor join`.

use super::csv::records;
use std::collections::{BTreeMap, BTreeSet};

/// Someone invited less than this many days ago is not invited again.
pub const INVITE_AGAIN_AFTER_DAYS: i64 = 30;

/// The earliest `invited_at` (unix seconds) that still counts as "invited recently" at `now`.
pub fn recent_since(now: i64) -> i64 {
    now - INVITE_AGAIN_AFTER_DAYS * 24 * 3600
}

/// One person to invite, with the supervisor an HR export named for them (pre-fills "who I report to").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub user: String,
    pub reports_to: Option<String>,
}

impl Invitee {
    pub fn new(user: &str) -> Invitee {
        Invitee {
            user: user.to_string(),
            reports_to: None,
        }
    }
}

/// Who of a list of people is invited now, and why the others are not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sorted {
    /// In the order given, each once.
    pub invite: Vec<Invitee>,
    /// Already enrolled.
    pub enrolled: Vec<String>,
    /// Invited less than [`INVITE_AGAIN_AFTER_DAYS`] days ago.
    pub recent: Vec<String>,
    /// Found to be bots or deactivated accounts when an earlier invitation was about to go out.
    pub not_people: Vec<String>,
}

/// Sorts `people` (repeats ignored: the first one counts) into those to invite, those already enrolled, those
/// invited recently and the accounts known to be bots or deactivated. Nobody enrolled is ever invited.
pub fn sort(
    people: &[Invitee],
    enrolled: &BTreeSet<String>,
    invited_recently: &BTreeSet<String>,
    not_people: &BTreeSet<String>,
) -> Sorted {
    let mut seen = BTreeSet::new();
    let mut out = Sorted::default();
    for p in people {
        if !seen.insert(p.user.as_str()) {
            continue;
        }
        if enrolled.contains(&p.user) {
            out.enrolled.push(p.user.clone());
        } else if invited_recently.contains(&p.user) {
            out.recent.push(p.user.clone());
        } else if not_people.contains(&p.user) {
            out.not_people.push(p.user.clone());
        } else {
            out.invite.push(p.clone());
        }
    }
    out
}

/// One usable row of an HR export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: usize,
    /// Lower-cased.
    pub email: String,
    pub supervisor_email: Option<String>,
}

/// A row that cannot be used, or a note about one, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// An HR export read: the usable rows, and the rows that are not (each reported, none fatal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub rows: Vec<RosterRow>,
    pub problems: Vec<RowProblem>,
}

/// Column names the header may use for the person's e-mail, and for their supervisor's (case and spaces ignored).
const EMAIL_COLUMNS: [&str; 3] = ["email", "e-mail", "email address"];
const SUPERVISOR_COLUMNS: [&str; 3] = ["supervisor_email", "supervisor e-mail", "supervisor email"];

/// The longest cell echoed back in a message.
const ECHO: usize = 60;

fn shown(cell: &str) -> String {
    let mut s: String = cell
        .chars()
        .filter(|c| !c.is_control())
        .take(ECHO)
        .collect();
    if cell.chars().count() > ECHO {
        s.push('…');
    }
    s
}

/// A plausible e-mail address: one `@`, a local part and a dotted domain, no spaces or angle brackets, at most
/// 254 characters. (Slack decides whether anyone has it.)
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
}

/// Reads an HR export: a header row naming an `email` column and optionally a `supervisor_email` column (other
/// columns are ignored), then one person a row. Rows without an e-mail, with a malformed one or repeating an
/// earlier row's e-mail are reported with their line and skipped; a malformed supervisor e-mail is reported and
/// the row kept without it. Only a file that cannot be read as such (no header, no e-mail column, an unclosed
/// quote) is an error.
pub fn parse_roster(text: &str) -> Result<Roster, String> {
    let records = records(text)?;
    let Some((header, rows)) = records.split_first() else {
        return Err("the file is empty: it needs a header row with an `email` column".into());
    };
    let norm = |c: &str| c.trim().to_lowercase();
    let find = |names: &[&str]| {
        header
            .cells
            .iter()
            .position(|c| names.contains(&norm(c).as_str()))
    };
    let Some(email_at) = find(&EMAIL_COLUMNS) else {
        return Err(format!(
            "line {}: the header row has no `email` column (it has: {})",
            header.line,
            header
                .cells
                .iter()
                .map(|c| shown(c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let supervisor_at = find(&SUPERVISOR_COLUMNS);
    let mut roster = Roster::default();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows {
        let cell = |i: Option<usize>| {
            i.and_then(|i| r.cells.get(i))
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
        };
        let problem = |message: String| RowProblem {
            line: r.line,
            message,
        };
        if r.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Some(email) = cell(Some(email_at)) else {
            roster.problems.push(problem("no e-mail address".into()));
            continue;
        };
        if !is_email(&email) {
            roster.problems.push(problem(format!(
                "'{}' is not an e-mail address",
                shown(&email)
            )));
            continue;
        }
        let email = email.to_lowercase();
        if let Some(earlier) = first_line.get(&email) {
            roster.problems.push(problem(format!(
                "{email} appears again (first on line {earlier}); the row is skipped"
            )));
            continue;
        }
        first_line.insert(email.clone(), r.line);
        let supervisor_email = match cell(supervisor_at) {
            Some(s) if !is_email(&s) => {
                roster.problems.push(problem(format!(
                    "the supervisor's '{}' is not an e-mail address; {email} is invited without a supervisor",
                    shown(&s)
                )));
                None
            }
            Some(s) if s.eq_ignore_ascii_case(&email) => {
                roster.problems.push(problem(format!(
                    "{email} is named as their own supervisor; invited without a supervisor"
                )));
                None
            }
            other => other.map(|s| s.to_lowercase()),
        };
        roster.rows.push(RosterRow {
            line: r.line,
            email,
            supervisor_email,
        });
    }
    Ok(roster)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn nobody_enrolled_or_invited_recently_is_invited() {
        let people: Vec<Invitee> = ["U1", "U2", "U3", "U1", "U4"]
            .into_iter()
            .map(Invitee::new)
            .collect();
        let s = sort(&people, &set(&["U2"]), &set(&["U3", "U9"]), &set(&["U4"]));
        assert_eq!(
            s.invite.iter().map(|i| i.user.as_str()).collect::<Vec<_>>(),
            vec!["U1"],
            "in order, once each"
        );
        assert_eq!(s.enrolled, vec!["U2"]);
        assert_eq!(s.recent, vec!["U3"]);
        assert_eq!(s.not_people, vec!["U4"]);
        assert_eq!(recent_since(40 * 86_400), 10 * 86_400);
    }

    #[test]
    fn e_mail_addresses_are_checked_for_shape_only() {
        for ok in ["a@firm.com", "jane.doe+hr@law.co.uk", "X@Y.ORG"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "jane",
            "@firm.com",
            "jane@",
            "jane@firm",
            "jane@@firm.com",
            "jane doe@firm.com",
            "jane@.firm.com",
            "jane@firm..com",
            "<jane@firm.com>",
            "a@b.com,c@d.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(!is_email(&format!("{}@firm.com", "a".repeat(65))));
    }

    #[test]
    fn an_hr_export_is_read_with_bad_rows_reported_by_line() {
        let text = "Name,E-mail,Supervisor_Email\r\n\
                    Ann,ann@firm.com,boss@firm.com\r\n\
                    Nobody,,boss@firm.com\r\n\
                    Typo,bob(at)firm.com,\r\n\
                    Again,ANN@firm.com,\r\n\
                    \r\n\
                    Cy,cy@firm.com,not-an-email\r\n\
                    Di,di@firm.com,DI@firm.com\r\n\
                    Ed,ed@firm.com\r\n";
        let r = parse_roster(text).unwrap();
        let emails: Vec<(usize, &str, Option<&str>)> = r
            .rows
            .iter()
            .map(|r| (r.line, r.email.as_str(), r.supervisor_email.as_deref()))
            .collect();
        assert_eq!(
            emails,
            vec![
                (2, "ann@firm.com", Some("boss@firm.com")),
                (7, "cy@firm.com", None),
                (8, "di@firm.com", None),
                (9, "ed@firm.com", None),
            ]
        );
        let problems: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert_eq!(problems[0], "line 3: no e-mail address");
        assert_eq!(
            problems[1],
            "line 4: 'bob(at)firm.com' is not an e-mail address"
        );
        assert!(problems[2].starts_with("line 5: ann@firm.com appears again (first on line 2)"));
        assert!(problems[3].starts_with("line 7: the supervisor's 'not-an-email'"));
        assert!(problems[4].starts_with("line 8: di@firm.com is named as their own supervisor"));
    }

    #[test]
    fn a_file_without_an_email_column_is_refused_whole() {
        let e = parse_roster("name,manager\nAnn,Bob\n").unwrap_err();
        assert!(
            e.contains("no `email` column") && e.contains("name, manager"),
            "{e}"
        );
        assert!(parse_roster("").unwrap_err().contains("empty"));
        assert!(parse_roster("\u{feff}email\n").unwrap().rows.is_empty());
        let only = parse_roster("email\njo@firm.com\n").unwrap();
        assert_eq!(only.rows[0].supervisor_email, None);
    }
}
