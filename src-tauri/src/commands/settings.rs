//! Commands of `core::settings`.

use super::{CmdResult, Core};
use peerdesk_core::settings::{Settings, SettingsChanges};
use peerdesk_core::values::AsnInfo;

#[tauri::command(async)]
pub fn get_settings(core: Core<'_>) -> CmdResult<Settings> {
    Ok(core.get_settings()?)
}

#[tauri::command(async)]
pub fn update_settings(core: Core<'_>, changes: SettingsChanges) -> CmdResult<Settings> {
    Ok(core.update_settings(&changes)?)
}

#[tauri::command(async)]
pub fn check_asn(core: Core<'_>, text: String) -> CmdResult<AsnInfo> {
    Ok(core.check_asn(&text)?)
}
