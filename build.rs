//! Rebuilds the binary when a migration is added or changed: `sqlx::migrate!` embeds `migrations/sqlite/` at compile
//! time, and cargo would not otherwise notice a new file there. Cargo watches a directory recursively, so
//! `migrations` covers both `migrations/sqlite/` and `migrations/postgres/`.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
