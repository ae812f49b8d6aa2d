//! The SQLite store: one pool, migrations embedded from `migrations/`, and one repository file per concern.
//!
//! Every connection runs with WAL, foreign keys on and a busy timeout, so the worker and the request handlers can
//! write at the same time without "database is locked" errors.

/// In tests: runs one [`Tx`] method in its own committed write transaction: `in_tx!(store, pause("U1", None, 0))`.
#[cfg(test)]
macro_rules! in_tx {
    ($store:expr, $method:ident ( $($arg:expr),* $(,)? )) => {
        async {
            let mut tx = $store.write().await?;
            let r = tx.$method($($arg),*).await?;
            tx.commit().await?;
            Ok::<_, $crate::outbound::store::StoreError>(r)
        }
    };
}

/// In tests: a fresh, migrated store in a temporary directory (kept alive by the returned guard).
#[cfg(test)]
pub(crate) async fn test_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    (dir, store)
}

mod audit;
mod events;
mod invitations;
mod jobs;
mod matching;
mod pairs;
mod participants;
mod reports;
mod retention;
mod subject_access;
mod trouble;
mod waiting;

pub use crate::domain::model::{Departure, PairView, Participant};
pub use invitations::InvitationRecord;
pub use jobs::{FailedJob, Job, NewJob};
pub use matching::{NewPair, ProposalRow};
pub use pairs::{CheckinOutcome, CheckinRecord, PairRecord};
pub use participants::ReportPerson;
pub use reports::{AnswerRow, FeedbackRow};
pub use retention::Retained;
pub use trouble::{HelpRecord, NudgeState};
pub use waiting::WaitingRow;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// Errors from the store. The message never contains query parameters (which may hold personal answers).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database holds an unexpected value: {0}")]
    Corrupt(String),
    /// The file is missing, empty, not SQLite, or a SQLite file without Tandem's tables. Nothing was written to it.
    #[error("{path} is not a Tandem database ({why})")]
    NotTandem { path: String, why: String },
}

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Tables every Tandem database has, whatever its migration level: sqlx's record and the first migration's table.
const TANDEM_TABLES: [&str; 2] = ["_sqlx_migrations", "handled_events"];

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// A write transaction, begun with `BEGIN IMMEDIATE`: it holds SQLite's write lock from its first statement, so a
/// read-then-write inside it never fails with `SQLITE_BUSY_SNAPSHOT` (the busy timeout waits for the lock instead).
/// A flow writes its decision and the jobs that deliver its messages through one `Tx`, then commits: both or neither.
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Sqlite>,
    /// The earliest due time of the jobs queued in this transaction, if any.
    queued_due: Option<i64>,
}

impl Tx {
    /// The connection the transaction runs on.
    pub(crate) fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.inner
    }

    /// Commits. Returns the earliest due time of the jobs it queued, so the caller can wake the worker.
    pub async fn commit(self) -> Result<Option<i64>, StoreError> {
        self.inner.commit().await?;
        Ok(self.queued_due)
    }

    pub(crate) fn note_queued(&mut self, due_at: i64) {
        self.queued_due = Some(self.queued_due.map_or(due_at, |d| d.min(due_at)));
    }
}

impl Store {
    /// Opens (creating it if missing) the SQLite database at `url`, e.g. `sqlite://tandem.db`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        Ok(Self { pool })
    }

    /// Opens an existing Tandem database for reading only, for the offline commands (`report`, `export`,
    /// `match --from-db`, `audit`, `backup`). It never creates, migrates or writes to the file: a missing or empty
    /// file, a file that is not SQLite, and a SQLite file without Tandem's tables are refused with
    /// [`StoreError::NotTandem`] before or right after a read-only open (`mode=ro`, no journal-mode change). Callers
    /// that need the current schema check [`Store::pending_migrations`] themselves.
    pub async fn open_read_only(url: &str) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .read_only(true)
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(5));
        let path = options.get_filename().to_path_buf();
        let shown = path.display().to_string();
        let not_tandem = |why: &str| StoreError::NotTandem {
            path: shown.clone(),
            why: why.to_string(),
        };
        let mut header = [0u8; 16];
        {
            use std::io::Read;
            let mut file = std::fs::File::open(&path)
                .map_err(|e| not_tandem(&format!("cannot read it: {e}")))?;
            let mut read = 0;
            while read < header.len() {
                match file.read(&mut header[read..]) {
                    Ok(0) => break,
                    Ok(n) => read += n,
                    Err(e) => return Err(not_tandem(&format!("cannot read it: {e}"))),
                }
            }
            if read == 0 {
                return Err(not_tandem("the file is empty"));
            }
            if read < header.len() || &header != SQLITE_HEADER {
                return Err(not_tandem("not an SQLite file"));
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        let store = Self { pool };
        let found: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'handled_events')",
        )
        .fetch_all(&store.pool)
        .await
        .map_err(|e| not_tandem(&format!("unreadable: {e}")))?;
        if let Some(missing) = TANDEM_TABLES
            .iter()
            .find(|t| !found.iter().any(|f| f == *t))
        {
            store.close().await;
            return Err(not_tandem(&format!(
                "an SQLite file without the {missing} table"
            )));
        }
        Ok(store)
    }

    /// Writes a consistent copy of the database to `out` with `VACUUM INTO` (a snapshot as of one point in time,
    /// taken while other connections keep writing; works on a read-only store). `out` must not exist.
    pub async fn vacuum_into(&self, out: &std::path::Path) -> Result<(), StoreError> {
        let target = out
            .to_str()
            .ok_or_else(|| StoreError::Corrupt(format!("{} is not a UTF-8 path", out.display())))?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every table (but SQLite's own) with its row count, by name.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut counts = Vec::new();
        for t in tables {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM \"{}\"",
                t.replace('"', "\"\"")
            )))
            .fetch_one(&self.pool)
            .await?;
            counts.push((t, n));
        }
        Ok(counts)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when SQLite finds the file sound, else its first complaint.
    pub async fn integrity_check(&self) -> Result<Result<(), String>, StoreError> {
        let answer: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        Ok(if answer == "ok" { Ok(()) } else { Err(answer) })
    }

    /// Applies every migration not yet applied; returns how many were applied now.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let migrator = sqlx::migrate!("./migrations/sqlite");
        let before: i64 = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let after = self.applied_migrations().await?;
        Ok(usize::try_from(after - before).unwrap_or(0))
    }

    /// How many of the embedded migrations this database has not applied yet (0 for an up-to-date database).
    pub async fn pending_migrations(&self) -> Result<usize, StoreError> {
        let known = sqlx::migrate!("./migrations/sqlite").iter().count();
        let applied = self.applied_migrations().await.unwrap_or(0);
        Ok(known.saturating_sub(usize::try_from(applied).unwrap_or(0)))
    }

    async fn applied_migrations(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(&self.pool)
            .await
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .is_ok()
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE`).
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            inner: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            queued_due: None,
        })
    }

    /// Begins a read-only snapshot (a deferred transaction): consistent reads without taking the write lock. Writing
    /// through it is a mistake (it may fail with `SQLITE_BUSY_SNAPSHOT`); use [`Store::write`].
    pub async fn snapshot(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            inner: self.pool.begin().await?,
            queued_due: None,
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
