//! Secrets (router passwords, key passphrases, BGP MD5 keys) live only in a
//! [`SecretStore`]: the OS keyring in the app, memory in tests. The database holds
//! only the key name under which a secret is stored. [`Secret`] redacts itself in
//! `Debug` and cannot be serialised, so it cannot leak into logs, exports or IPC.

use crate::error::ErrorKind;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use ts_rs::TS;

/// A secret value. Not `Serialize`, not `Display`; `Debug` prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The plain value, for handing to the keyring or a router. Callers must not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("no keyring is available ({0}); secrets cannot be stored or read until it is")]
    Unavailable(String),
    #[error("the keyring refused the operation: {0}")]
    Failed(String),
}

impl SecretsError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            SecretsError::Unavailable(_) => ErrorKind::KeyringUnavailable,
            SecretsError::Failed(_) => ErrorKind::Internal,
        }
    }
}

/// Where secrets are kept. Keys are opaque names such as `router/3/password`.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretsError>;
    fn set(&self, key: &str, value: &Secret) -> Result<(), SecretsError>;
    /// Removing a key that does not exist is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretsError>;
    /// Whether the store can be used right now, and if not, why.
    fn status(&self) -> KeyringStatus;
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyringStatus {
    pub available: bool,
    pub backend: String,
    pub message: Option<String>,
}

/// Secrets in process memory, for tests and for a session without a keyring.
#[derive(Default)]
pub struct MemorySecretStore {
    values: Mutex<HashMap<String, Secret>>,
}

impl MemorySecretStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The keys currently held, for tests that check nothing is left behind.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.lock().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.values.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretsError> {
        Ok(self.lock().get(key).cloned())
    }

    fn set(&self, key: &str, value: &Secret) -> Result<(), SecretsError> {
        self.lock().insert(key.to_string(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretsError> {
        self.lock().remove(key);
        Ok(())
    }

    fn status(&self) -> KeyringStatus {
        KeyringStatus {
            available: true,
            backend: "memory".into(),
            message: None,
        }
    }
}

/// A store that has no keyring behind it: every secret operation says so.
pub struct NoKeyring(pub String);

impl SecretStore for NoKeyring {
    fn get(&self, _key: &str) -> Result<Option<Secret>, SecretsError> {
        Err(SecretsError::Unavailable(self.0.clone()))
    }
    fn set(&self, _key: &str, _value: &Secret) -> Result<(), SecretsError> {
        Err(SecretsError::Unavailable(self.0.clone()))
    }
    fn delete(&self, _key: &str) -> Result<(), SecretsError> {
        Err(SecretsError::Unavailable(self.0.clone()))
    }
    fn status(&self) -> KeyringStatus {
        KeyringStatus {
            available: false,
            backend: "none".into(),
            message: Some(format!("No keyring is available: {}", self.0)),
        }
    }
}

/// The key under which a router's SSH password or key passphrase is stored.
pub fn router_credential_key(router_id: i64) -> String {
    format!("router/{router_id}/credential")
}

/// The key under which a session's BGP MD5 password is stored.
pub fn session_md5_key(session_id: i64) -> String {
    format!("session/{session_id}/md5")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_output_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
    }
}
