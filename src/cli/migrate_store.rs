//! `tandem migrate-store --from sqlite://tandem.db --to postgres://…`: moves a program from its SQLite file to a
//! PostgreSQL database (issue 15, point 5). The copy itself is [`crate::outbound::store::copy`]; this file checks
//! the two URLs, refuses a source that looks in use, and prints the progress and the table of counts.

use crate::outbound::store::copy::{self, CopyError, TableCount};
use crate::outbound::store::{Dialect, Store, shown_url};
use std::io::Write;

/// `--from`: an `sqlite:` URL, or the path of an existing file.
fn source_url(from: &str) -> Result<String, String> {
    if Dialect::of_url(from) == Dialect::Postgres {
        return Err(format!(
            "--from must be the SQLite database Tandem used (sqlite://tandem.db), not {}",
            shown_url(from)
        ));
    }
    if from.starts_with("sqlite:") {
        return Ok(from.to_string());
    }
    if std::path::Path::new(from).is_file() {
        Ok(format!("sqlite://{from}"))
    } else {
        Err(format!(
            "no database at {from} (give the file Tandem uses, e.g. --from sqlite://tandem.db)"
        ))
    }
}

/// The table of counts: one line per table, source and target side by side.
pub fn counts_table(counts: &[TableCount]) -> String {
    let w = counts
        .iter()
        .map(|c| c.table.len())
        .chain(["table".len()])
        .max()
        .unwrap_or(5);
    let mut s = format!("{:<w$}  {:>10}  {:>10}\n", "table", "SQLite", "PostgreSQL");
    for c in counts {
        let mark = if c.same() { "" } else { "  DIFFERS" };
        s.push_str(&format!(
            "{:<w$}  {:>10}  {:>10}{mark}\n",
            c.table, c.source, c.target
        ));
    }
    s
}

/// Runs the command: progress on `err`, the table of counts and the next step on `out`. `force` copies even though
/// the source's `-wal` file exists. The error is the one line to print (no password in it).
pub async fn run(
    from: &str,
    to: &str,
    force: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<(), String> {
    let source = source_url(from)?;
    if Dialect::of_url(to) != Dialect::Postgres {
        return Err(format!(
            "--to must be a PostgreSQL database (postgres://user:password@host/db), not {}",
            shown_url(to)
        ));
    }
    let file = super::backup::file_of(&source)?;
    let mut wal = file.clone().into_os_string();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    // A non-empty -wal holds writes not yet checkpointed into the file: Tandem has it open (or stopped uncleanly).
    // An empty one is what a read-only open (`tandem report`) leaves behind.
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    if wal_bytes > 0 && !force {
        return Err(format!(
            "{} is not empty: Tandem looks to be running on {}; stop it first (add --force if you are sure it is stopped)",
            wal.display(),
            file.display()
        ));
    }
    let shown_to = shown_url(to);
    let src = Store::open_read_only(&source)
        .await
        .map_err(|e| e.to_string())?;
    let dst = match Store::open(to).await {
        Ok(s) => s,
        Err(e) => {
            src.close().await;
            return Err(e.to_string());
        }
    };
    let _ = writeln!(err, "tandem: copying {} to {shown_to}", file.display());
    let result = copy::sqlite_to_postgres(&src, &source, &dst, to, |c| {
        let _ = writeln!(
            err,
            "tandem: [{:>2}/{}] {}: {} row(s) in {:.2} s",
            c.index,
            c.of,
            c.table,
            c.rows,
            c.took.as_secs_f64()
        );
    })
    .await;
    src.close().await;
    dst.close().await;
    match result {
        Ok(report) => {
            let _ = write!(out, "{}", counts_table(&report.counts));
            let rows: i64 = report.counts.iter().map(|c| c.target).sum();
            let _ = writeln!(
                out,
                "Verified: every table's row count is identical ({} tables, {rows} rows); {} identity sequence(s) moved past the copied ids; {} migration(s) applied to the target.",
                report.counts.len(),
                report.sequences.len(),
                report.migrated
            );
            let _ = writeln!(
                out,
                "Next: start Tandem with DATABASE_URL={shown_to} (keep {} as it is, as a backup).",
                file.display()
            );
            Ok(())
        }
        Err(CopyError::CountsDiffer(counts)) => {
            let _ = write!(out, "{}", counts_table(&counts));
            Err(CopyError::CountsDiffer(counts).to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_urls_are_checked_before_anything_is_opened() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let said = run(
            "postgres://u:secret@127.0.0.1:1/a",
            "postgres://u:secret@127.0.0.1:1/b",
            false,
            &mut out,
            &mut err,
        )
        .await
        .unwrap_err();
        assert!(
            said.contains("--from must be the SQLite") && !said.contains("secret"),
            "{said}"
        );
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        std::fs::write(&db, b"").unwrap();
        let said = run(
            db.to_str().unwrap(),
            "sqlite://other.db",
            false,
            &mut out,
            &mut err,
        )
        .await
        .unwrap_err();
        assert!(said.contains("--to must be a PostgreSQL"), "{said}");
        let said = run("missing.db", "postgres://x@h/db", false, &mut out, &mut err)
            .await
            .unwrap_err();
        assert!(said.contains("no database at missing.db"), "{said}");
        // A non-empty -wal beside the file: Tandem looks to be running.
        std::fs::write(dir.path().join("t.db-wal"), b"frames").unwrap();
        let said = run(
            db.to_str().unwrap(),
            "postgres://u:secret@127.0.0.1:1/b",
            false,
            &mut out,
            &mut err,
        )
        .await
        .unwrap_err();
        assert!(
            said.contains("stop it first") && said.contains("--force"),
            "{said}"
        );
        assert!(out.is_empty());
    }

    #[test]
    fn the_table_marks_a_difference() {
        let t = counts_table(&[
            TableCount {
                table: "pairs".into(),
                source: 6,
                target: 6,
            },
            TableCount {
                table: "checkin_answers".into(),
                source: 40,
                target: 39,
            },
        ]);
        assert!(t.lines().next().unwrap().contains("SQLite"));
        assert!(t.contains("pairs") && !t.lines().nth(1).unwrap().contains("DIFFERS"));
        assert!(t.lines().nth(2).unwrap().ends_with("DIFFERS"), "{t}");
    }
}
