//! The one error type every core operation returns, and the small stable set of
//! kinds the UI branches on. Messages are for people; `kind` and `field` are for code.

use serde::Serialize;
use ts_rs::TS;

/// What the UI does differently for an error. Small and stable: add a kind only
/// when some caller treats it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// Input was refused; `field` names the form field when there is one.
    Invalid,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The change clashes with what is stored (duplicate, still in use).
    Conflict,
    /// The OS keyring cannot be reached; everything not needing a secret still works.
    KeyringUnavailable,
    /// Reading or writing a file failed.
    Io,
    /// A remote service (PeeringDB, a router, a mail server) could not be reached.
    Unreachable,
    /// The connection to a router dropped in the middle of a change; the
    /// message says whether the router was found as before or is unknown.
    ConnectionLost,
    /// A remote service refused our credentials.
    AuthFailed,
    /// A remote service answered, but with an error or with data we refuse.
    Rejected,
    /// The user cancelled the operation; nothing was changed.
    Cancelled,
    /// First connection to a router: the user must confirm its host key.
    HostKeyUnknown,
    /// The router's host key changed since the user trusted it: refused.
    HostKeyMismatch,
    /// The action needs the Admin role and the user is a Coordinator.
    Forbidden,
    /// Something that should not happen: the store or a bug.
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    Invalid {
        field: Option<&'static str>,
        message: String,
    },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    #[error("{message}")]
    Conflict {
        field: Option<&'static str>,
        message: String,
    },
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Unreachable(String),
    #[error("{message}")]
    ConnectionLost {
        message: String,
        /// The router was read again afterwards and holds what it held before.
        restored: bool,
    },
    #[error("{0}")]
    AuthFailed(String),
    #[error("{0}")]
    Rejected(String),
    #[error("cancelled; nothing was changed")]
    Cancelled,
    #[error("the router's {key_type} host key {fingerprint} is not trusted yet: compare it with the router and trust it to connect")]
    HostKeyUnknown {
        key_type: String,
        fingerprint: String,
    },
    #[error("the router's {key_type} host key changed: it is now {fingerprint}, the trusted one is {trusted}; connection refused until you accept the new key")]
    HostKeyMismatch {
        key_type: String,
        fingerprint: String,
        trusted: String,
    },
    #[error("{0}")]
    Forbidden(String),
    #[error("database error: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::Secrets(e) => e.kind(),
            Error::Io(_) => ErrorKind::Io,
            Error::Unreachable(_) => ErrorKind::Unreachable,
            Error::ConnectionLost { .. } => ErrorKind::ConnectionLost,
            Error::AuthFailed(_) => ErrorKind::AuthFailed,
            Error::Rejected(_) => ErrorKind::Rejected,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::HostKeyUnknown { .. } => ErrorKind::HostKeyUnknown,
            Error::HostKeyMismatch { .. } => ErrorKind::HostKeyMismatch,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::Store(_) | Error::Migration(_) | Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The form field the error is about, so the UI can show it inline.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } | Error::Conflict { field, .. } => *field,
            _ => None,
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: Some(field),
            message: message.into(),
        }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            field: Some(field),
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, id: i64) -> Self {
        Error::NotFound { what, id }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The shape every failed IPC command takes: the UI branches on `kind`, shows
/// `message`, and puts it next to `field` when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub field: Option<String>,
}

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        CommandError {
            kind: e.kind(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }
}
