//! Copying a Tandem database from SQLite to PostgreSQL (`tandem migrate-store`, issue 15 point 5).
//!
//! Generic over the schema: the tables, their columns and declared types, and the foreign keys are read from the
//! SQLite file itself, so a new migration needs nothing here. What it does, in order:
//! 1. the source (opened read-only) must be at the current schema ([`Store::pending_migrations`] is 0);
//! 2. the target must hold no Tandem row (it is then migrated to the current schema) and no other application's
//!    tables;
//! 3. one PostgreSQL transaction locks every Tandem table, checks again that they are empty, copies every table in
//!    foreign-key order (parents first) from one SQLite read transaction (a consistent snapshot), values by
//!    declared type (`INTEGER` → `i64`, `TEXT` → `String`, `REAL` → `f64`, `BLOB` → bytes, NULLs kept), SQLite's
//!    hidden `rowid` into PostgreSQL's explicit `rowid` column where the target has one (`checkin_answers`,
//!    `feedback`), moves every identity sequence past the copied maximum, and compares every table's row count in
//!    the target with a fresh count of the source: any difference (Tandem still writing to the file) rolls the
//!    whole copy back, leaving the target as it was.

use super::{Pool, Store, StoreError, shown_url};
use futures_util::TryStreamExt;
use sqlx::{Postgres, QueryBuilder, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// sqlx's record of applied migrations: each engine has its own (the two sets' checksums differ), so it is not
/// copied; the target gets its own by being migrated.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// At most this many bind parameters per `INSERT` (PostgreSQL allows 65,535).
const MAX_PARAMS: usize = 30_000;
/// At most this many rows per `INSERT`.
const MAX_ROWS: usize = 1_000;

/// Why a copy did not happen (nothing was written to the target), or did not verify (rolled back).
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the source must be an SQLite database (sqlite://…), not {0}")]
    SourceNotSqlite(String),
    #[error("the target must be a PostgreSQL database (postgres://…), not {0}")]
    TargetNotPostgres(String),
    #[error(
        "{url} needs {pending} migration(s); run `tandem migrate` on it first (DATABASE_URL={url} tandem migrate), then copy again"
    )]
    SourcePending { url: String, pending: usize },
    #[error(
        "{url} already holds Tandem data ({rows} row(s) in {table}); the target must be a new, empty database (CREATE DATABASE …)"
    )]
    TargetNotEmpty {
        url: String,
        table: String,
        rows: i64,
    },
    #[error(
        "{url} is not empty and not a Tandem database (it has the table {table}); the target must be a new, empty database (CREATE DATABASE …)"
    )]
    TargetForeign { url: String, table: String },
    #[error(
        "the two databases' schemas differ in {table}: the source has the columns ({source_columns}), the target ({target_columns}); is the source from another Tandem version?"
    )]
    SchemaDiffers {
        table: String,
        source_columns: String,
        target_columns: String,
    },
    #[error("{table}.{column} has the type {declared}, which the copy does not handle")]
    UnsupportedType {
        table: String,
        column: String,
        declared: String,
    },
    #[error("the source's foreign keys form a cycle among {0}; cannot order the copy")]
    Cycle(String),
    /// The row counts differ after the copy: the transaction was rolled back.
    #[error(
        "row counts differ after the copy ({}); nothing was kept in the target. Was Tandem still running on the source? Stop it and copy again",
        .0.iter().filter(|c| !c.same()).map(|c| format!("{}: {} in the source, {} copied", c.table, c.source, c.target)).collect::<Vec<_>>().join("; ")
    )]
    CountsDiffer(Vec<TableCount>),
}

/// One table's row count on both sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub source: i64,
    pub target: i64,
}

impl TableCount {
    pub fn same(&self) -> bool {
        self.source == self.target
    }
}

/// One table copied, for a progress line.
#[derive(Clone, Debug)]
pub struct Copied {
    pub table: String,
    /// Its place in the copy order (1-based) and the number of tables.
    pub index: usize,
    pub of: usize,
    pub rows: i64,
    pub took: Duration,
}

/// What a copy did.
#[derive(Clone, Debug)]
pub struct CopyReport {
    /// Migrations applied to the target before the copy.
    pub migrated: usize,
    /// Every copied table's count in the source and in the target, in copy order; all equal.
    pub counts: Vec<TableCount>,
    /// Identity sequences moved past the copied maximum (`table.column`).
    pub sequences: Vec<String>,
}

/// How a column's values are read from SQLite and written to PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Real,
    Blob,
}

impl Kind {
    /// SQLite's type affinity rules (<https://www.sqlite.org/datatype3.html>, 3.1) for a declared type; `ANY`
    /// (a STRICT table's untyped column) is refused: its values could be of any type.
    fn of(declared: &str) -> Option<Kind> {
        let d = declared.to_ascii_uppercase();
        if d.contains("INT") {
            Some(Kind::Integer)
        } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
            Some(Kind::Text)
        } else if d.is_empty() || d.contains("BLOB") {
            Some(Kind::Blob)
        } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
            Some(Kind::Real)
        } else {
            None
        }
    }
}

/// One value read from SQLite.
enum Value {
    Integer(Option<i64>),
    Text(Option<String>),
    Real(Option<f64>),
    Blob(Option<Vec<u8>>),
}

/// A table to copy: its columns as selected from SQLite (`rowid` for the hidden rowid) and their kinds.
struct Plan {
    table: String,
    columns: Vec<(String, Kind)>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The tables in an order where every table comes after those its foreign keys name (ties alphabetical).
fn copy_order(
    tables: &[String],
    parents: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<String>, CopyError> {
    let mut left: BTreeSet<&String> = tables.iter().collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::new();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .copied()
            .filter(|t| {
                parents.get(*t).is_none_or(|ps| {
                    ps.iter()
                        .all(|p| p == *t || done.contains(p) || !tables.contains(p))
                })
            })
            .collect();
        if ready.is_empty() {
            let cycle: Vec<&str> = left.iter().map(|t| t.as_str()).collect();
            return Err(CopyError::Cycle(cycle.join(", ")));
        }
        for t in ready {
            left.remove(t);
            done.insert(t.clone());
            order.push(t.clone());
        }
    }
    Ok(order)
}

/// Copies the SQLite database `source` (open it with [`Store::open_read_only`]) into the PostgreSQL database
/// `target` (opened with [`Store::open`]); `progress` is called after each table. See the module's comment.
pub async fn sqlite_to_postgres(
    source: &Store,
    source_url: &str,
    target: &Store,
    target_url: &str,
    mut progress: impl FnMut(&Copied),
) -> Result<CopyReport, CopyError> {
    let Pool::Sqlite(src) = source.pool() else {
        return Err(CopyError::SourceNotSqlite(shown_url(source_url)));
    };
    let Pool::Postgres(dst) = target.pool() else {
        return Err(CopyError::TargetNotPostgres(shown_url(target_url)));
    };

    // 1. The source is at the current schema.
    let pending = source.pending_migrations().await?;
    if pending > 0 {
        return Err(CopyError::SourcePending {
            url: shown_url(source_url),
            pending,
        });
    }

    // 2. The target holds no Tandem row and no other application's table; then it is migrated.
    let target_tables = target.table_names().await?;
    if !target_tables.is_empty() {
        if !target_tables.iter().any(|t| t == MIGRATIONS_TABLE) {
            return Err(CopyError::TargetForeign {
                url: shown_url(target_url),
                table: target_tables[0].clone(),
            });
        }
        refuse_rows(target, target_url).await?;
    }
    let migrated = target.migrate().await?;

    // The plan: every source table but sqlx's, its columns and their kinds, in foreign-key order.
    let mut tables = source.table_names().await?;
    tables.retain(|t| t != MIGRATIONS_TABLE);
    let mut parents = BTreeMap::new();
    for t in &tables {
        let ps: Vec<String> =
            sqlx::query_scalar(r#"SELECT "table" FROM pragma_foreign_key_list($1)"#)
                .bind(t)
                .fetch_all(src)
                .await
                .map_err(StoreError::from)?;
        parents.insert(t.clone(), ps.into_iter().collect::<BTreeSet<_>>());
    }
    let order = copy_order(&tables, &parents)?;
    let target_now: BTreeSet<String> = target.table_names().await?.into_iter().collect();
    let mut plans = Vec::new();
    for t in &order {
        let declared: Vec<(String, String)> =
            sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(t)
                .fetch_all(src)
                .await
                .map_err(StoreError::from)?;
        let mut columns = Vec::new();
        for (name, ty) in declared {
            let kind = Kind::of(&ty).ok_or_else(|| CopyError::UnsupportedType {
                table: t.clone(),
                column: name.clone(),
                declared: ty.clone(),
            })?;
            columns.push((name, kind));
        }
        let target_columns = if target_now.contains(t) {
            target.column_names(t).await?
        } else {
            Vec::new()
        };
        // SQLite's hidden rowid, which the store reads, is an explicit column in PostgreSQL.
        if target_columns.iter().any(|c| c == "rowid") && !columns.iter().any(|(c, _)| c == "rowid")
        {
            columns.push(("rowid".to_string(), Kind::Integer));
        }
        let mut ours: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
        let mut theirs: Vec<&str> = target_columns.iter().map(String::as_str).collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        if ours != theirs {
            return Err(CopyError::SchemaDiffers {
                table: t.clone(),
                source_columns: ours.join(", "),
                target_columns: theirs.join(", "),
            });
        }
        plans.push(Plan {
            table: t.clone(),
            columns,
        });
    }

    // 3. One transaction on each side: a snapshot of the file, everything or nothing in PostgreSQL.
    let mut tx = dst.begin().await.map_err(StoreError::from)?;
    let all: Vec<String> = plans.iter().map(|p| quoted(&p.table)).collect();
    if !all.is_empty() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE",
            all.join(", ")
        )))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    }
    for p in &plans {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            quoted(&p.table)
        )))
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if n > 0 {
            return Err(CopyError::TargetNotEmpty {
                url: shown_url(target_url),
                table: p.table.clone(),
                rows: n,
            });
        }
    }
    let mut read = src.acquire().await.map_err(StoreError::from)?;
    sqlx::raw_sql("BEGIN")
        .execute(&mut *read)
        .await
        .map_err(StoreError::from)?;
    let copied = copy_tables(&plans, &mut read, &mut tx, &mut progress).await;
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *read).await;
    drop(read);
    let copied = copied?;

    // Identity sequences past the copied maximum, so new rows get fresh ids.
    let mut sequences = Vec::new();
    for p in &plans {
        let identity: Vec<String> = sqlx::query_scalar(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES' ORDER BY ordinal_position",
        )
        .bind(&p.table)
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        for c in identity {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT max({}) AS m FROM {}) s WHERE m IS NOT NULL",
                quoted(&c),
                quoted(&p.table)
            )))
            .bind(quoted(&p.table))
            .bind(&c)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            sequences.push(format!("{}.{c}", p.table));
        }
    }

    // Verify: the target's counts (inside the transaction) against a fresh count of the source.
    let mut counts = Vec::new();
    for (p, _) in plans.iter().zip(&copied) {
        let sql = format!("SELECT COUNT(*) FROM {}", quoted(&p.table));
        let target_n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let source_n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(src)
            .await
            .map_err(StoreError::from)?;
        counts.push(TableCount {
            table: p.table.clone(),
            source: source_n,
            target: target_n,
        });
    }
    if counts.iter().any(|c| !c.same()) {
        tx.rollback().await.map_err(StoreError::from)?;
        return Err(CopyError::CountsDiffer(counts));
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(CopyReport {
        migrated,
        counts,
        sequences,
    })
}

/// Refuses `target` if any of its tables but sqlx's holds a row.
async fn refuse_rows(target: &Store, target_url: &str) -> Result<(), CopyError> {
    for (table, rows) in target.table_counts().await? {
        if table != MIGRATIONS_TABLE && rows > 0 {
            return Err(CopyError::TargetNotEmpty {
                url: shown_url(target_url),
                table,
                rows,
            });
        }
    }
    Ok(())
}

/// Copies every planned table from the SQLite connection `read` into the PostgreSQL transaction `tx`; returns each
/// table's number of rows.
async fn copy_tables(
    plans: &[Plan],
    read: &mut sqlx::SqliteConnection,
    tx: &mut sqlx::PgConnection,
    progress: &mut impl FnMut(&Copied),
) -> Result<Vec<i64>, CopyError> {
    let mut copied = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        let started = Instant::now();
        let select: Vec<String> = p
            .columns
            .iter()
            .map(|(c, _)| {
                if c == "rowid" {
                    "rowid".to_string()
                } else {
                    quoted(c)
                }
            })
            .collect();
        let names: Vec<String> = p.columns.iter().map(|(c, _)| quoted(c)).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY rowid",
            select.join(", "),
            quoted(&p.table)
        );
        let insert = format!("INSERT INTO {} ({}) ", quoted(&p.table), names.join(", "));
        let per_batch = (MAX_PARAMS / p.columns.len().max(1)).clamp(1, MAX_ROWS);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
        let mut rows = 0i64;
        let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *read);
        while let Some(row) = stream.try_next().await.map_err(StoreError::from)? {
            let mut values = Vec::with_capacity(p.columns.len());
            for (j, (_, kind)) in p.columns.iter().enumerate() {
                let v = match kind {
                    Kind::Integer => Value::Integer(row.try_get(j).map_err(StoreError::from)?),
                    Kind::Text => Value::Text(row.try_get(j).map_err(StoreError::from)?),
                    Kind::Real => Value::Real(row.try_get(j).map_err(StoreError::from)?),
                    Kind::Blob => Value::Blob(row.try_get(j).map_err(StoreError::from)?),
                };
                values.push(v);
            }
            batch.push(values);
            rows += 1;
            if batch.len() >= per_batch {
                insert_batch(&insert, std::mem::take(&mut batch), &mut *tx).await?;
            }
        }
        drop(stream);
        if !batch.is_empty() {
            insert_batch(&insert, batch, &mut *tx).await?;
        }
        let done = Copied {
            table: p.table.clone(),
            index: i + 1,
            of: plans.len(),
            rows,
            took: started.elapsed(),
        };
        progress(&done);
        copied.push(rows);
    }
    Ok(copied)
}

async fn insert_batch(
    insert: &str,
    batch: Vec<Vec<Value>>,
    tx: &mut sqlx::PgConnection,
) -> Result<(), CopyError> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(insert);
    q.push_values(batch, |mut b, row| {
        for v in row {
            match v {
                Value::Integer(x) => b.push_bind(x),
                Value::Text(x) => b.push_bind(x),
                Value::Real(x) => b.push_bind(x),
                Value::Blob(x) => b.push_bind(x),
            };
        }
    });
    q.build()
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tables_are_copied_after_the_tables_their_foreign_keys_name() {
        let tables = names(&[
            "checkins",
            "deliveries",
            "jobs",
            "pairs",
            "participants",
            "plans",
        ]);
        let mut parents = BTreeMap::new();
        parents.insert("checkins".to_string(), ["pairs".to_string()].into());
        parents.insert("deliveries".to_string(), ["jobs".to_string()].into());
        parents.insert("jobs".to_string(), ["pairs".to_string()].into());
        parents.insert(
            "plans".to_string(),
            ["pairs".to_string(), "plans".to_string()].into(),
        );
        parents.insert("pairs".to_string(), ["proposals".to_string()].into()); // not copied: ignored
        let order = copy_order(&tables, &parents).unwrap();
        let at = |t: &str| order.iter().position(|o| o == t).unwrap();
        assert_eq!(order.len(), tables.len());
        assert!(
            at("pairs") < at("checkins") && at("pairs") < at("jobs") && at("pairs") < at("plans")
        );
        assert!(at("jobs") < at("deliveries"));

        parents.insert("pairs".to_string(), ["plans".to_string()].into());
        let err = copy_order(&tables, &parents).unwrap_err().to_string();
        assert!(
            err.contains("cycle") && err.contains("pairs") && err.contains("plans"),
            "{err}"
        );
    }

    #[test]
    fn values_are_read_by_their_declared_type() {
        assert_eq!(Kind::of("INTEGER"), Some(Kind::Integer));
        assert_eq!(Kind::of("bigint"), Some(Kind::Integer));
        assert_eq!(Kind::of("TEXT"), Some(Kind::Text));
        assert_eq!(Kind::of("VARCHAR(20)"), Some(Kind::Text));
        assert_eq!(Kind::of("REAL"), Some(Kind::Real));
        assert_eq!(Kind::of("DOUBLE PRECISION"), Some(Kind::Real));
        assert_eq!(Kind::of("BLOB"), Some(Kind::Blob));
        assert_eq!(Kind::of("ANY"), None);
    }
}
