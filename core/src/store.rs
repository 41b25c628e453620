//! Opening the SQLite database: file location, pragmas and embedded migrations.
//! SQL for a table lives in its domain's `store.rs`, not here.

use crate::error::{Error, Result};
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::{Path, PathBuf};

/// Migrations are append-only; a shipped file is never edited.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_foundation.sql")),
        M::up(include_str!("../migrations/0002_peeringdb.sql")),
        M::up(include_str!("../migrations/0003_messaging.sql")),
        M::up(include_str!("../migrations/0004_devices.sql")),
        M::up(include_str!("../migrations/0005_roles.sql")),
        M::up(include_str!("../migrations/0006_jobs.sql")),
        M::up(include_str!("../migrations/0007_outbox.sql")),
        M::up(include_str!("../migrations/0008_session_details.sql")),
        M::up(include_str!("../migrations/0009_outbox_then_delete.sql")),
        M::up(include_str!("../migrations/0010_pdb_search_fold.sql")),
        M::up(include_str!("../migrations/0011_sync_warnings.sql")),
        M::up(include_str!("../migrations/0012_secret_needed.sql")),
    ])
}

/// Where the database lives unless `--db` or `PEERDESK_DB` says otherwise:
/// `~/.local/share/peerdesk/peerdesk.db` on Linux.
pub fn default_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("peerdesk")
        .join("peerdesk.db")
}

/// Opens (creating if needed) and migrates the database at `path`.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut conn = Connection::open(path)?;
    prepare(&mut conn)?;
    Ok(conn)
}

/// An in-memory database with the full schema, for tests and benchmarks.
pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    prepare(&mut conn)?;
    Ok(conn)
}

fn prepare(conn: &mut Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Reads of the large lists (20,000 sessions) go through memory-mapped pages
    // and a 32 MiB page cache instead of read() calls.
    conn.pragma_update(None, "mmap_size", 268_435_456i64)?;
    conn.pragma_update(None, "cache_size", -32_000i64)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrations().to_latest(conn)?;
    Ok(())
}

/// True when a rusqlite error is a UNIQUE constraint failure.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Maps a UNIQUE failure to a conflict on `field`, anything else to a store error.
pub(crate) fn unique_as_conflict(
    e: rusqlite::Error,
    field: &'static str,
    message: impl FnOnce() -> String,
) -> Error {
    if is_unique_violation(&e) {
        Error::conflict(field, message())
    } else {
        Error::Store(e)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
