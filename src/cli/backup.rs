//! `tandem backup` and `tandem restore`: a consistent copy of the live database, and bringing one back.

use crate::outbound::store::{Dialect, Store, StoreError};
use std::path::{Path, PathBuf};

/// The file a `sqlite:` URL names.
pub(crate) fn file_of(url: &str) -> Result<PathBuf, String> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| PathBuf::from(rest.split('?').next().unwrap_or(rest)))
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| format!("{url} does not name a database file"))
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Opens `path` read-only and checks it is a sound Tandem database; returns its table counts.
async fn verified(url: &str) -> Result<Vec<(String, i64)>, String> {
    let store = Store::open_read_only(url)
        .await
        .map_err(|e| e.to_string())?;
    let result = async {
        if let Err(problem) = store.integrity_check().await? {
            return Ok(Err(format!(
                "{url} fails SQLite's integrity check: {problem}"
            )));
        }
        Ok::<_, StoreError>(Ok(store.table_counts().await?))
    }
    .await;
    store.close().await;
    result.map_err(|e| e.to_string())?
}

fn describe(path: &Path, counts: &[(String, i64)]) -> String {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let shown: Vec<String> = counts
        .iter()
        .filter(|(t, _)| !t.starts_with('_'))
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    format!(
        "{}: {size} bytes, {} tables ({})",
        path.display(),
        counts.len(),
        shown.join(", ")
    )
}

/// `tandem backup --out FILE`: `VACUUM INTO` a temporary file next to FILE (a snapshot as of one moment, while
/// `tandem serve` keeps writing), checks it, then renames it to FILE. Refuses an existing FILE unless `force`.
/// Returns the line to print.
pub async fn backup(url: &str, out: &Path, force: bool) -> Result<String, String> {
    if Dialect::of_url(url) == Dialect::Postgres {
        return Err(
            "tandem backup copies an SQLite file; a PostgreSQL database is backed up with pg_dump"
                .into(),
        );
    }
    if out.exists() && !force {
        return Err(format!(
            "{} exists; choose a new file, or add --force to replace it",
            out.display()
        ));
    }
    let store = Store::open_read_only(url)
        .await
        .map_err(|e| e.to_string())?;
    let partial = sidecar(out, &format!(".partial-{}", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let written = store.vacuum_into(&partial).await;
    store.close().await;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("cannot write {}: {e}", out.display()));
    }
    let partial_url = format!("sqlite://{}", partial.display());
    let counts = match verified(&partial_url).await {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        format!("cannot write {}: {e}", out.display())
    })?;
    Ok(format!("wrote {}", describe(out, &counts)))
}

/// `tandem restore --from FILE`: checks FILE is a sound Tandem database, refuses while the target looks in use (its
/// `-wal` file exists: Tandem is running on it, or stopped uncleanly) unless `force`, then copies FILE next to the
/// target, removes the target's `-wal`/`-shm` and renames the copy over it. Returns the line to print.
pub async fn restore(from: &Path, target_url: &str, force: bool) -> Result<String, String> {
    if Dialect::of_url(target_url) == Dialect::Postgres {
        return Err(
            "tandem restore puts back an SQLite file; a PostgreSQL database is restored with pg_restore".into(),
        );
    }
    let counts = verified(&format!("sqlite://{}", from.display())).await?;
    let target = file_of(target_url)?;
    let wal = sidecar(&target, "-wal");
    if wal.exists() && !force {
        return Err(format!(
            "{} exists: Tandem looks to be running on {}; stop it first (add --force if you are sure it is stopped)",
            wal.display(),
            target.display()
        ));
    }
    let partial = sidecar(&target, &format!(".restoring-{}", std::process::id()));
    let copied = std::fs::copy(from, &partial)
        .and_then(|_| std::fs::File::open(&partial)?.sync_all())
        .and_then(|_| {
            for s in ["-wal", "-shm"] {
                match std::fs::remove_file(sidecar(&target, s)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
            std::fs::rename(&partial, &target)
        });
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("cannot restore onto {}: {e}", target.display()));
    }
    Ok(format!(
        "restored {} from {}; start Tandem on it",
        describe(&target, &counts),
        from.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_postgres_database_is_sent_to_pg_dump_and_pg_restore() {
        let url = "postgres://tandem:pw@127.0.0.1:1/tandem";
        let out = std::env::temp_dir().join("tandem-never-written.db");
        let said = backup(url, &out, false).await.unwrap_err();
        assert!(said.contains("pg_dump") && !said.contains("pw"), "{said}");
        assert!(!out.exists());
        let said = restore(&out, url, false).await.unwrap_err();
        assert!(said.contains("pg_restore"), "{said}");
    }
}
