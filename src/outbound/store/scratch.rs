//! Throw-away databases for tests: with `TANDEM_TEST_DATABASE_URL=postgres://user@host:port/postgres` set, the store
//! tests and the end-to-end harness run each test on a fresh database of that server (`CREATE DATABASE
//! tandem_t_<random>`, dropped when the test is done); unset, they use a fresh SQLite file as before.

use super::{Dialect, StoreError, shown_url};
use sqlx::Connection;

/// The setting that points the tests at a PostgreSQL server.
pub const TEST_DATABASE_ENV: &str = "TANDEM_TEST_DATABASE_URL";

/// The PostgreSQL server the tests run on, when [`TEST_DATABASE_ENV`] names one (an empty value counts as unset).
/// A value that is not a `postgres://` URL stops the test with a message saying so.
pub fn test_server() -> Option<String> {
    let url = std::env::var(TEST_DATABASE_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    assert!(
        Dialect::of_url(&url) == Dialect::Postgres,
        "{TEST_DATABASE_ENV} must be a postgres:// URL (unset it to test on SQLite), not {}",
        shown_url(&url)
    );
    Some(url)
}

/// A database made for one test; dropped (with any connection still open to it) when this is dropped.
#[derive(Debug)]
pub struct ScratchDatabase {
    /// The URL of the new database.
    pub url: String,
    server: String,
    name: String,
}

/// `server` with its database name replaced by `name` (the query string kept).
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl ScratchDatabase {
    /// Creates an empty database `tandem_t_<random>` on the PostgreSQL server `server` names (connecting to the
    /// database the URL names, e.g. `postgres`) and returns it.
    pub async fn create(server: &str) -> Result<ScratchDatabase, StoreError> {
        let name = format!("tandem_t_{:016x}", rand::random::<u64>());
        let open_err = |source| StoreError::Open {
            url: shown_url(server),
            source,
        };
        let mut admin = sqlx::PgConnection::connect(server)
            .await
            .map_err(open_err)?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await?;
        let _ = admin.close().await;
        Ok(ScratchDatabase {
            url: with_database(server, &name),
            server: server.to_string(),
            name,
        })
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop may run inside the test's runtime, which cannot be blocked on: a thread of its own does the work.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server).await.ok()?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .ok()?;
                admin.close().await.ok()
            })
        });
        let _ = dropped.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_url_names_the_new_database() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5433/postgres", "t1"),
            "postgres://u:p@127.0.0.1:5433/t1"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
    }
}
