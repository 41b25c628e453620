//! Commands of `core::secrets`.

use super::Core;
use peerdesk_core::secrets::KeyringStatus;

#[tauri::command(async)]
pub fn keyring_status(core: Core<'_>) -> KeyringStatus {
    core.keyring_status()
}
