//! The audit log as people read it: `/mentor audit` (Block Kit, mentions) and `tandem audit` (a plain table).

use super::pair_common::{escape, mention};
use super::{context, ephemeral, header, section};
use crate::domain::model::AuditRecord;
use crate::domain::subject_access::rfc3339;
use crate::domain::text::truncate;
use serde_json::Value;

fn on_whom(r: &AuditRecord, show: impl Fn(&str) -> String) -> String {
    match (&r.entry.subject, &r.entry.other) {
        (Some(a), Some(b)) => format!("{} and {}", show(a), show(b)),
        (Some(a), None) | (None, Some(a)) => show(a),
        (None, None) => String::new(),
    }
}

/// `/mentor audit`: the latest rows, oldest first, ephemeral.
pub fn slack(rows: &[AuditRecord]) -> Value {
    let title = format!("Audit log: the latest {} admin actions", rows.len());
    if rows.is_empty() {
        return ephemeral(
            "The audit log is empty: no admin action has been recorded yet.",
            vec![],
        );
    }
    let mut blocks = vec![header("Audit log")];
    for r in rows {
        let whom = on_whom(r, mention);
        let mut line = format!(
            "{} {} *{}*",
            super::home::slack_date(r.at),
            mention(&r.entry.actor),
            r.entry.action.label()
        );
        if !whom.is_empty() {
            line.push_str(&format!(" — {whom}"));
        }
        if !r.entry.detail.is_empty() {
            line.push_str(&format!(" ({})", escape(&truncate(&r.entry.detail, 200))));
        }
        blocks.push(section(&line));
    }
    blocks.push(context(
        "Oldest first. `tandem audit --since DATE` prints the whole log from the database.",
    ));
    ephemeral(&title, blocks)
}

/// `tandem audit`: one row per action, columns when, who, what, on whom, detail.
pub fn table(rows: &[AuditRecord]) -> String {
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                rfc3339(r.at),
                r.entry.actor.clone(),
                r.entry.action.as_str().to_string(),
                on_whom(r, str::to_string),
                r.entry.detail.clone(),
            ]
        })
        .collect();
    let head = ["when", "who", "what", "on whom", "detail"].map(str::to_string);
    let mut widths = head.clone().map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: &[String; 5]| {
        let mut s = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s + "\n"
    };
    let mut out = line(&head);
    for row in &cells {
        out.push_str(&line(row));
    }
    if cells.is_empty() {
        out.push_str("(no admin actions recorded)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{AuditAction, AuditEntry};

    fn rows() -> Vec<AuditRecord> {
        vec![
            AuditRecord {
                id: 1,
                at: 86_400,
                entry: AuditEntry::new("U0ADMIN", AuditAction::Exclude)
                    .on("U0A")
                    .and("U0B"),
            },
            AuditRecord {
                id: 2,
                at: 90_000,
                entry: AuditEntry::new("U0ADMIN", AuditAction::Approve)
                    .detail("proposal #1: 2 pairs"),
            },
        ]
    }

    #[test]
    fn the_table_has_a_column_per_field() {
        let t = table(&rows());
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("when") && lines[0].contains("on whom"));
        assert!(lines[1].starts_with("1970-01-02T00:00:00Z  U0ADMIN  exclude"));
        assert!(lines[1].contains("U0A and U0B"));
        assert!(lines[2].ends_with("proposal #1: 2 pairs"));
        assert!(table(&[]).contains("no admin actions"));
    }

    #[test]
    fn slack_lists_each_action_with_mentions() {
        let v = slack(&rows()).to_string();
        assert!(v.contains("<@U0A> and <@U0B>") && v.contains("approved a proposal"));
        assert_eq!(slack(&rows())["response_type"], "ephemeral");
    }
}
