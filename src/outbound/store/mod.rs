//! The store: one API over SQLite (the default: one file on one server) and PostgreSQL (`postgres://…`), chosen by
//! the database URL at start-up; migrations embedded from `migrations/`, and one repository file per concern.
//!
//! Each query is written once and compiled for both engines: [`on_db!`] and `on_conn!` expand the same body once per
//! engine, so both drivers type-check it (no `sqlx::Any`: native drivers decode each engine's own types without a
//! copy per value). SQL is written in the dialect both engines accept (`$1` placeholders, `ON CONFLICT`, `CASE`,
//! `RETURNING`, `CAST(SUM(..) AS BIGINT)`); the few statements that must differ branch on [`Store::dialect`].
//!
//! SQLite: every connection runs with WAL, foreign keys on and a busy timeout, so the worker and the request handlers
//! can write at the same time without "database is locked" errors. PostgreSQL: no TLS (a loopback port or a unix
//! socket; `sslmode=require` is refused), a write transaction is a plain `BEGIN` (READ COMMITTED); the few flows that
//! read and then write what they read lock or constrain those rows themselves (see `Tx` and the flows' comments).

/// Runs `$body` once per engine, with `$p` bound to the pool of the store's engine (`&SqlitePool` or `&PgPool`):
/// `on_db!(self.pool(), |p| sqlx::query("…").execute(p).await?)`. Both expansions must compile, so a query written
/// in it is checked against both drivers' types.
#[macro_export]
macro_rules! on_db {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::outbound::store::Pool::Sqlite($p) => $body,
            $crate::outbound::store::Pool::Postgres($p) => $body,
        }
    };
}

/// Like [`on_db!`] over one connection (a transaction's, or one taken from the pool): `$c` is `&mut SqliteConnection`
/// or `&mut PgConnection`; write `&mut *c` to use it more than once.
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::outbound::store::Conn::Sqlite($c) => $body,
            $crate::outbound::store::Conn::Postgres($c) => $body,
        }
    };
}

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

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
pub(crate) use testing::{test_store, test_store_with};

mod audit;
pub mod copy;
mod events;
mod invitations;
mod jobs;
mod matching;
mod pairs;
mod participants;
mod reports;
mod retention;
pub mod scratch;
mod subject_access;
mod trouble;
mod waiting;

pub use crate::domain::model::{Departure, PairView, Participant};
pub use invitations::InvitationRecord;
pub use jobs::{FailedJob, Job, NewJob};
pub use matching::{NewPair, ProposalRow};
pub use pairs::{CheckinOutcome, CheckinRecord, PairRecord};
pub use participants::ReportPerson;
pub use reports::{AnswerRow, AtRiskRow, FeedbackRow, Windows, secs};
pub use retention::Retained;
pub use trouble::{HelpRecord, NudgeState};
pub use waiting::WaitingRow;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Errors from the store. The message never contains query parameters (which may hold personal answers), nor a
/// PostgreSQL URL's password.
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
    /// The file is missing, empty, not SQLite, or a SQLite file without Tandem's tables (or a PostgreSQL database
    /// without them). Nothing was written to it.
    #[error("{path} is not a Tandem database ({why})")]
    NotTandem { path: String, why: String },
    /// What this engine does not do (an SQLite file operation asked of PostgreSQL); the message says what to use.
    #[error("{0}")]
    Unsupported(String),
}

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Tables every Tandem database has, whatever its migration level: sqlx's record and the first migration's table.
const TANDEM_TABLES: [&str; 2] = ["_sqlx_migrations", "handled_events"];

/// Which engine a store runs on, for the few statements whose SQL must differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The engine a database URL names: `postgres://` or `postgresql://` is PostgreSQL, anything else SQLite.
    pub fn of_url(url: &str) -> Dialect {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        }
    }
}

/// `url` as it may be shown: a PostgreSQL URL's password is replaced by `***`.
pub fn shown_url(url: &str) -> String {
    if Dialect::of_url(url) == Dialect::Sqlite {
        return url.to_string();
    }
    // A password may also be given as a query parameter (`?password=…`, which sqlx reads).
    let url = &match url.split_once('?') {
        Some((base, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{base}?{}", query.join("&"))
        }
        None => url.to_string(),
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The store's connection pool, one per engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// One connection of either engine, borrowed: what [`on_conn!`] runs a body on.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// A connection taken from the pool for a few reads in a row (outside any transaction).
pub(crate) enum PoolConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PoolConn {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            PoolConn::Sqlite(c) => Conn::Sqlite(c),
            PoolConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
}

/// The transaction a [`Tx`] runs on.
enum TxConn {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Work that one transaction at a time may do across every replica ([`Tx::serialize`]); the value is the
/// PostgreSQL advisory lock's key (arbitrary, fixed: "TANDEM" and a number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum Exclusive {
    /// Reconciliation (start-up and hourly): resets stuck rounds, queues missing introductions.
    Reconcile = 0x5441_4E44_454D_0001,
}

/// A write transaction. On SQLite it is begun with `BEGIN IMMEDIATE`: it holds the write lock from its first
/// statement, so a read-then-write inside it never fails with `SQLITE_BUSY_SNAPSHOT` (the busy timeout waits for
/// the lock instead) and transactions never interleave. On PostgreSQL it is a plain `BEGIN` (READ COMMITTED):
/// writers do interleave, so a flow that decides from rows it read locks them (`FOR UPDATE`) or lets a unique
/// constraint decide. A flow writes its decision and the jobs that deliver its messages through one `Tx`, then
/// commits: both or neither.
pub struct Tx {
    inner: TxConn,
    /// The earliest due time of the jobs queued in this transaction, if any.
    queued_due: Option<i64>,
}

impl Tx {
    /// The connection the transaction runs on.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            TxConn::Sqlite(t) => Conn::Sqlite(t),
            TxConn::Postgres(t) => Conn::Postgres(t),
        }
    }

    /// The engine this transaction runs on.
    pub fn dialect(&self) -> Dialect {
        match self.inner {
            TxConn::Sqlite(_) => Dialect::Sqlite,
            TxConn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Commits. Returns the earliest due time of the jobs it queued, so the caller can wake the worker.
    pub async fn commit(self) -> Result<Option<i64>, StoreError> {
        match self.inner {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(self.queued_due)
    }

    /// Makes this transaction the only one doing `what` until it ends, whichever replica runs it: on PostgreSQL a
    /// transaction-level advisory lock (`pg_advisory_xact_lock`, released at commit or rollback), so a second
    /// replica doing the same waits and then reads what the first committed; on SQLite nothing more is needed
    /// (`BEGIN IMMEDIATE` already serialises writers). Call it before the transaction reads what it decides from.
    pub async fn serialize(&mut self, what: Exclusive) -> Result<(), StoreError> {
        if let Conn::Postgres(c) = self.conn() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(what as i64)
                .execute(c)
                .await?;
        }
        Ok(())
    }

    pub(crate) fn note_queued(&mut self, due_at: i64) {
        self.queued_due = Some(self.queued_due.map_or(due_at, |d| d.min(due_at)));
    }
}

/// How many connections a store's pool holds at most, and how long a caller waits for one before failing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSize {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl PoolSize {
    /// PostgreSQL: every job of a batch (`jobs::worker::CONCURRENCY`, 16) holds at most one connection at a time
    /// (a transaction, or one read; no path takes a second connection while it holds one: the worker's lease
    /// renewal runs beside the batch rather than pausing it), plus 4 for the request path, the lease renewal and
    /// housekeeping. A request may wait a few milliseconds for a job's connection when all are busy; nothing
    /// waits on itself. Two replicas use at most 40 of PostgreSQL's default 100 connections.
    pub const POSTGRES: PoolSize = PoolSize {
        max_connections: 20,
        acquire_timeout: Duration::from_secs(10),
    };
    /// SQLite: one writer at a time (`BEGIN IMMEDIATE`) and a few readers beside it (WAL).
    pub const SQLITE: PoolSize = PoolSize {
        max_connections: 4,
        acquire_timeout: Duration::from_secs(30),
    };

    /// The pool size [`Store::open`] uses for `url`'s engine.
    pub fn for_url(url: &str) -> PoolSize {
        match Dialect::of_url(url) {
            Dialect::Postgres => PoolSize::POSTGRES,
            Dialect::Sqlite => PoolSize::SQLITE,
        }
    }
}

/// Each SQLite connection's page cache, in KiB (2 MiB; the pool's four connections: 8 MiB). Past it, SQLite reuses
/// cached pages; the file itself stays in the OS's page cache, so a page read again costs a copy, not a disk read.
/// A cap for the whole process (`soft_heap_limit`) would need SQLite's memory statistics, which are compiled out
/// for speed (see `.cargo/config.toml`).
const SQLITE_CACHE_KIB: i64 = 2048;

impl Store {
    /// Opens the database at `url`: `sqlite://tandem.db` (the file is created when missing) or
    /// `postgres://user:password@host/db` (the database must exist).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, PoolSize::for_url(url)).await
    }

    /// [`Store::open`] with a pool of `size` (tests cap it to find a path that needs two connections at once).
    pub async fn open_with(url: &str, size: PoolSize) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            url: shown_url(url),
            source,
        };
        if Dialect::of_url(url) == Dialect::Postgres {
            let options = PgConnectOptions::from_str(url)
                .map_err(open_err)?
                .application_name("tandem");
            let pool = PgPoolOptions::new()
                .max_connections(size.max_connections)
                .min_connections(1)
                .acquire_timeout(size.acquire_timeout)
                .connect_with(options)
                .await
                .map_err(open_err)?;
            return Ok(Self {
                pool: Pool::Postgres(pool),
            });
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
        let pool = SqlitePoolOptions::new()
            .max_connections(size.max_connections)
            .min_connections(1)
            .acquire_timeout(size.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        Ok(Self {
            pool: Pool::Sqlite(pool),
        })
    }

    /// Opens an existing Tandem database for reading only, for the offline commands (`report`, `export`,
    /// `match --from-db`, `audit`, `backup`). It never creates, migrates or writes to the database. SQLite: a missing
    /// or empty file, a file that is not SQLite, and a SQLite file without Tandem's tables are refused with
    /// [`StoreError::NotTandem`] before or right after a read-only open (`mode=ro`, no journal-mode change).
    /// PostgreSQL: every session is read-only (`default_transaction_read_only`), and a database without Tandem's
    /// tables is refused the same way. Callers that need the current schema check [`Store::pending_migrations`].
    pub async fn open_read_only(url: &str) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            url: shown_url(url),
            source,
        };
        if Dialect::of_url(url) == Dialect::Postgres {
            let options = PgConnectOptions::from_str(url)
                .map_err(open_err)?
                .application_name("tandem (read-only)")
                .options([("default_transaction_read_only", "on")]);
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(open_err)?;
            let store = Self {
                pool: Pool::Postgres(pool),
            };
            return store.refuse_unless_tandem(&shown_url(url)).await;
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .read_only(true)
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(5))
            .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
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
        Self {
            pool: Pool::Sqlite(pool),
        }
        .refuse_unless_tandem(&shown)
        .await
    }

    /// `self` if it holds Tandem's tables; else it is closed and refused as [`StoreError::NotTandem`].
    async fn refuse_unless_tandem(self, shown: &str) -> Result<Self, StoreError> {
        let not_tandem = |why: String| StoreError::NotTandem {
            path: shown.to_string(),
            why,
        };
        let found = match self.table_names().await {
            Ok(found) => found,
            Err(e) => {
                self.close().await;
                return Err(not_tandem(format!("unreadable: {e}")));
            }
        };
        if let Some(missing) = TANDEM_TABLES
            .iter()
            .find(|t| !found.iter().any(|f| f == *t))
        {
            self.close().await;
            let what = match self.dialect() {
                Dialect::Sqlite => "an SQLite file",
                Dialect::Postgres => "a PostgreSQL database",
            };
            return Err(not_tandem(format!("{what} without the {missing} table")));
        }
        Ok(self)
    }

    /// The engine this store runs on.
    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Every table of the database but the engine's own, by name (sqlx's `_sqlx_migrations` included).
    pub async fn table_names(&self) -> Result<Vec<String>, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT CAST(tablename AS TEXT) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
                )
                .fetch_all(p)
                .await?
            }
        })
    }

    /// Every column of `table`, by name, in table order.
    pub async fn column_names(&self, table: &str) -> Result<Vec<String>, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(p)
                    .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(p)
                .await?
            }
        })
    }

    /// Writes a consistent copy of the database to `out` with `VACUUM INTO` (a snapshot as of one point in time,
    /// taken while other connections keep writing; works on a read-only store). `out` must not exist. SQLite only:
    /// a PostgreSQL database is backed up with `pg_dump`.
    pub async fn vacuum_into(&self, out: &std::path::Path) -> Result<(), StoreError> {
        let target = out
            .to_str()
            .ok_or_else(|| StoreError::Corrupt(format!("{} is not a UTF-8 path", out.display())))?;
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(p)
                    .await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::Unsupported(
                "a backup file is not available on PostgreSQL; use pg_dump".into(),
            )),
        }
    }

    /// Every table (but the engine's own) with its row count, by name.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut counts = Vec::new();
        for t in self.table_names().await? {
            let sql = format!("SELECT COUNT(*) FROM \"{}\"", t.replace('"', "\"\""));
            let n: i64 = on_db!(&self.pool, |p| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_one(p)
                    .await?
            });
            counts.push((t, n));
        }
        Ok(counts)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when SQLite finds the file sound, else its first complaint. SQLite only:
    /// PostgreSQL checks its own pages (`pg_amcheck`).
    pub async fn integrity_check(&self) -> Result<Result<(), String>, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let answer: String = sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_one(p)
                    .await?;
                Ok(if answer == "ok" { Ok(()) } else { Err(answer) })
            }
            Pool::Postgres(_) => Err(StoreError::Unsupported(
                "SQLite's integrity check is not available on PostgreSQL; use pg_amcheck".into(),
            )),
        }
    }

    /// The migrations embedded for this store's engine.
    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.dialect() {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres"),
        }
    }

    /// Applies every migration not yet applied; returns how many were applied now.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let migrator = self.migrator();
        let before: i64 = self.applied_migrations().await.unwrap_or(0);
        on_db!(&self.pool, |p| migrator.run(p).await?);
        let after = self.applied_migrations().await?;
        Ok(usize::try_from(after - before).unwrap_or(0))
    }

    /// How many of the embedded migrations this database has not applied yet (0 for an up-to-date database).
    pub async fn pending_migrations(&self) -> Result<usize, StoreError> {
        let known = self.migrator().iter().count();
        let applied = self.applied_migrations().await.unwrap_or(0);
        Ok(known.saturating_sub(usize::try_from(applied).unwrap_or(0)))
    }

    async fn applied_migrations(&self) -> Result<i64, sqlx::Error> {
        on_db!(&self.pool, |p| {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(p)
                .await
        })
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_db!(&self.pool, |p| {
            sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)")
                .fetch_one(p)
                .await
                .is_ok()
        })
    }

    /// Begins a write transaction (see [`Tx`]): `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            inner,
            queued_due: None,
        })
    }

    /// Begins a read-only snapshot: consistent reads without taking SQLite's write lock (a deferred transaction; on
    /// PostgreSQL `REPEATABLE READ, READ ONLY`). Writing through it is a mistake (SQLite may fail with
    /// `SQLITE_BUSY_SNAPSHOT`, PostgreSQL refuses); use [`Store::write`].
    pub async fn snapshot(&self) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin().await?),
            Pool::Postgres(p) => TxConn::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
        };
        Ok(Tx {
            inner,
            queued_due: None,
        })
    }

    /// The pool, for code that runs its own SQL on either engine with [`on_db!`] (tests, the demo).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The SQLite pool, for SQLite-only code (benchmarks seeding a file); `None` on PostgreSQL.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// One connection from the pool, for several reads in a row.
    pub(crate) async fn acquire(&self) -> Result<PoolConn, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => PoolConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => PoolConn::Postgres(p.acquire().await?),
        })
    }

    pub async fn close(&self) {
        on_db!(&self.pool, |p| p.close().await)
    }
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn a_postgres_password_is_never_shown() {
        assert_eq!(
            shown_url("postgres://tandem:s3cret@db.example:5432/tandem?sslmode=disable"),
            "postgres://tandem:***@db.example:5432/tandem?sslmode=disable"
        );
        assert_eq!(
            shown_url("postgresql://tandem@localhost/tandem"),
            "postgresql://tandem@localhost/tandem"
        );
        assert_eq!(
            shown_url("postgres://tandem@db/tandem?sslmode=disable&password=s3cret"),
            "postgres://tandem@db/tandem?sslmode=disable&password=***"
        );
        assert_eq!(
            shown_url("postgres://tandem:pw@db/tandem?password=s3cret"),
            "postgres://tandem:***@db/tandem?password=***"
        );
        assert_eq!(shown_url("sqlite://a:b@c.db"), "sqlite://a:b@c.db");
        assert_eq!(Dialect::of_url("postgresql://x/y"), Dialect::Postgres);
        assert_eq!(Dialect::of_url("sqlite://tandem.db"), Dialect::Sqlite);
        assert_eq!(Dialect::of_url("tandem.db"), Dialect::Sqlite);
    }
}

#[cfg(test)]
mod sqlite_build_tests {
    use super::*;

    /// SQLite is built as `.cargo/config.toml` asks: without memory statistics (so no allocation takes a
    /// process-wide mutex) and with a page cache per connection (not one shared behind a mutex), each capped.
    #[tokio::test]
    async fn sqlite_is_built_without_memory_statistics_and_caps_each_cache() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("b.db").display());
        let store = Store::open(&url).await.unwrap();
        let Pool::Sqlite(pool) = store.pool() else {
            panic!("a sqlite URL opens SQLite");
        };
        let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options")
            .fetch_all(pool)
            .await
            .unwrap();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0")
                && !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "SQLite was built without LIBSQLITE3_FLAGS from .cargo/config.toml: {options:?}"
        );
        let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(cache, -SQLITE_CACHE_KIB);
    }
}
