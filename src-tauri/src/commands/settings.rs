//! Commands of `core::settings`.

use super::{CmdResult, Core};
use peerdesk_core::settings::{Role, RoleStatus, Settings, SettingsChanges};
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

#[tauri::command(async)]
pub fn get_role(core: Core<'_>) -> CmdResult<RoleStatus> {
    Ok(core.get_role()?)
}

#[tauri::command(async)]
pub fn switch_role(
    core: Core<'_>,
    role: Role,
    passphrase: Option<String>,
) -> CmdResult<RoleStatus> {
    Ok(core.switch_role(role, passphrase.as_deref())?)
}

#[tauri::command(async)]
pub fn set_admin_passphrase(
    core: Core<'_>,
    current: Option<String>,
    passphrase: String,
) -> CmdResult<RoleStatus> {
    Ok(core.set_admin_passphrase(current.as_deref(), &passphrase)?)
}

#[tauri::command(async)]
pub fn clear_admin_passphrase(core: Core<'_>, current: String) -> CmdResult<RoleStatus> {
    Ok(core.clear_admin_passphrase(&current)?)
}
