//! The seam between the drivers and a router: [`RouterTransport`] is what a
//! driver may do on a logged-in router (run a command, and the few file
//! operations BIRD's per-peer files need), and [`RouterConnector`] is how
//! Peerdesk gets one for a router. The default connector is the real SSH login
//! ([`super::ssh::RouterSession`], host key checked, credentials from the
//! keyring); tests install their own with
//! [`crate::Peerdesk::set_router_connector`] to drive the same pipeline
//! against a scripted shell. Nothing here knows a platform's CLI.

use super::ssh::{Output, RouterSession};
use super::Router;
use crate::error::Result;
use std::sync::Arc;

/// A logged-in router: one connection, reused for every command of a job.
pub trait RouterTransport {
    /// Runs one command (or one multi-line CLI script) and returns what it printed.
    fn exec(&self, command: &str) -> Result<Output>;
    /// Writes a whole file, atomically from the router's point of view.
    fn upload(&self, path: &str, bytes: &[u8]) -> Result<()>;
    /// Reads a file; `None` when it does not exist.
    fn read(&self, path: &str) -> Result<Option<String>>;
    /// Removes a file; a file that is not there is not an error.
    fn remove(&self, path: &str) -> Result<()>;
}

/// Opens a [`RouterTransport`] to a router.
pub trait RouterConnector: Send + Sync {
    fn connect(&self, router: &Router) -> Result<Box<dyn RouterTransport>>;
}

impl RouterTransport for RouterSession {
    fn exec(&self, command: &str) -> Result<Output> {
        RouterSession::exec(self, command)
    }
    fn upload(&self, path: &str, bytes: &[u8]) -> Result<()> {
        RouterSession::upload(self, path, bytes)
    }
    fn read(&self, path: &str) -> Result<Option<String>> {
        RouterSession::read(self, path)
    }
    fn remove(&self, path: &str) -> Result<()> {
        RouterSession::remove(self, path)
    }
}

impl<T: RouterTransport + ?Sized> RouterTransport for Box<T> {
    fn exec(&self, command: &str) -> Result<Output> {
        (**self).exec(command)
    }
    fn upload(&self, path: &str, bytes: &[u8]) -> Result<()> {
        (**self).upload(path, bytes)
    }
    fn read(&self, path: &str) -> Result<Option<String>> {
        (**self).read(path)
    }
    fn remove(&self, path: &str) -> Result<()> {
        (**self).remove(path)
    }
}

impl crate::Peerdesk {
    /// Replaces how routers are reached (tests: a scripted shell). Until this
    /// is called, routers are reached by SSH.
    pub fn set_router_connector(&self, connector: Arc<dyn RouterConnector>) {
        *self
            .router_connector
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(connector);
    }

    /// A transport to the router: the installed connector's, else an SSH login.
    /// A router waiting for its password (it came from an inventory file) is
    /// not contacted at all.
    pub(crate) fn connect_router(&self, router: &Router) -> Result<Box<dyn RouterTransport>> {
        if router.credential_needed {
            return Err(crate::error::Error::AuthFailed(format!(
                "{} needs its password: it came from an inventory file, which never carries one; enter it in Edit Router",
                router.name
            )));
        }
        let connector = self
            .router_connector
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match connector {
            Some(c) => c.connect(router),
            None => Ok(Box::new(self.login(router)?)),
        }
    }
}
