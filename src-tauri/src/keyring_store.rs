//! The OS keyring as Peerdesk's [`SecretStore`]: the Secret Service (GNOME
//! Keyring, KWallet) on Linux. Every call asks the keyring afresh, so a keyring
//! that starts after the app is picked up without a restart.

use keyring::Entry;
use peerdesk_core::secrets::{KeyringStatus, Secret, SecretStore, SecretsError};

pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// `service` names Peerdesk's entries in the keyring; tests use their own.
    pub fn new(service: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<Entry, SecretsError> {
        Entry::new(&self.service, key).map_err(map_err)
    }
}

fn map_err(e: keyring::Error) -> SecretsError {
    match e {
        keyring::Error::NoStorageAccess(inner) => SecretsError::Unavailable(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => SecretsError::Unavailable(inner.to_string()),
        other => SecretsError::Failed(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretsError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn set(&self, key: &str, value: &Secret) -> Result<(), SecretsError> {
        self.entry(key)?
            .set_password(value.expose())
            .map_err(map_err)
    }

    fn delete(&self, key: &str) -> Result<(), SecretsError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    fn status(&self) -> KeyringStatus {
        // Reading an entry that is never written is the cheapest honest probe.
        match self.get("peerdesk-probe") {
            Ok(_) => KeyringStatus {
                available: true,
                backend: "secret-service".into(),
                message: None,
            },
            Err(e) => KeyringStatus {
                available: false,
                backend: "secret-service".into(),
                message: Some(e.to_string()),
            },
        }
    }
}
