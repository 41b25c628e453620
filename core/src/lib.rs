//! Peerdesk's core: everything the desktop app does, as a plain Rust library.
//!
//! [`Peerdesk`] is the one handle the shell (and the tests) hold: a SQLite
//! database, a [`secrets::SecretStore`] and a [`clock::Clock`]. Operations are
//! methods on it, grouped by domain module (`peering`, `devices`, `settings`,
//! `audit`, `secrets`); each validates its input into typed values before
//! anything is written, writes in one transaction, and records what changed in
//! the audit log. There are no process globals: two handles on two databases
//! are independent.

pub mod audit;
pub mod bindings;
pub mod clock;
pub mod devices;
pub mod error;
pub mod events;
#[cfg(test)]
mod fuzzing;
pub mod jobs;
pub mod messaging;
pub mod peering;
pub mod peeringdb;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod sync;
pub mod templating;
pub mod values;

pub use error::{CommandError, Error, ErrorKind, Result};

use clock::Clock;
use rusqlite::Connection;
use secrets::SecretStore;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

pub struct Peerdesk {
    conn: Mutex<Connection>,
    /// The database file, for work that needs a connection of its own (sync).
    path: Option<std::path::PathBuf>,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    /// Wakes the scheduler task early when jobs change (see `jobs`).
    jobs_wake: tokio::sync::Notify,
    /// How routers are reached; `None` is SSH (see `devices::transport`).
    router_connector: RwLock<Option<Arc<dyn devices::transport::RouterConnector>>>,
}

impl Peerdesk {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path, secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Result<Self> {
        let mut core = Self::with_connection(store::open(path)?, secrets, clock);
        core.path = Some(path.to_path_buf());
        Ok(core)
    }

    /// A handle on a fresh in-memory database, for tests and benchmarks.
    pub fn in_memory(secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self::with_connection(
            store::open_in_memory()?,
            secrets,
            clock,
        ))
    }

    fn with_connection(
        conn: Connection,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Peerdesk {
            conn: Mutex::new(conn),
            path: None,
            secrets,
            clock,
            jobs_wake: tokio::sync::Notify::new(),
            router_connector: RwLock::new(None),
        }
    }

    pub fn keyring_status(&self) -> secrets::KeyringStatus {
        self.secrets.status()
    }

    pub(crate) fn db(&self) -> Result<MutexGuard<'_, Connection>> {
        // A panic while holding the lock leaves SQLite consistent (the transaction
        // rolled back on drop), so a poisoned lock is safe to reuse.
        Ok(self.conn.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub(crate) fn now(&self) -> String {
        clock::stamp(self.clock.now())
    }

    pub(crate) fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }
}
