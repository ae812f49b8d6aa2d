//! The store tests' database: a fresh SQLite file, or a fresh PostgreSQL database when
//! `TANDEM_TEST_DATABASE_URL` names a server (see [`super::scratch`]).

use super::scratch::{ScratchDatabase, test_server};
use super::{PoolSize, Store};

/// What keeps a test's database alive: its temporary directory, or its PostgreSQL database (dropped with it).
pub(crate) enum TestDb {
    #[allow(dead_code)] // held for its Drop
    Sqlite(tempfile::TempDir),
    #[allow(dead_code)] // held for its Drop
    Postgres(ScratchDatabase),
}

impl TestDb {
    /// A new empty database and its URL.
    pub(crate) async fn new() -> (TestDb, String) {
        match test_server() {
            Some(server) => {
                let db = ScratchDatabase::create(&server)
                    .await
                    .expect("a scratch database on the test server");
                let url = db.url.clone();
                (TestDb::Postgres(db), url)
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("t.db").display());
                (TestDb::Sqlite(dir), url)
            }
        }
    }
}

/// In tests: a fresh, migrated store (kept alive by the returned guard).
pub(crate) async fn test_store() -> (TestDb, Store) {
    let (db, url) = TestDb::new().await;
    let size = PoolSize::for_url(&url);
    test_store_sized(db, &url, size).await
}

/// In tests: a fresh, migrated store whose pool holds `size` (e.g. one connection, to show that a path never needs
/// two at once).
pub(crate) async fn test_store_with(size: PoolSize) -> (TestDb, Store) {
    let (db, url) = TestDb::new().await;
    test_store_sized(db, &url, size).await
}

async fn test_store_sized(db: TestDb, url: &str, size: PoolSize) -> (TestDb, Store) {
    let store = Store::open_with(url, size).await.expect("open");
    store.migrate().await.expect("migrate");
    (db, store)
}
