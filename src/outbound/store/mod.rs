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
mod jobs;
mod matching;
mod pairs;
mod participants;
mod reports;
mod retention;
mod subject_access;

pub use crate::domain::model::{Departure, PairView, Participant};
pub use jobs::{FailedJob, Job, NewJob};
pub use matching::{NewPair, ProposalRow};
pub use pairs::{CheckinOutcome, CheckinRecord, PairRecord};
pub use reports::{AnswerRow, FeedbackRow};
pub use retention::Retained;

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
}

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

    /// Applies every migration not yet applied; returns how many were applied now.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let migrator = sqlx::migrate!("./migrations");
        let before: i64 = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let after = self.applied_migrations().await?;
        Ok(usize::try_from(after - before).unwrap_or(0))
    }

    /// How many of the embedded migrations this database has not applied yet (0 for an up-to-date database).
    pub async fn pending_migrations(&self) -> Result<usize, StoreError> {
        let known = sqlx::migrate!("./migrations").iter().count();
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
