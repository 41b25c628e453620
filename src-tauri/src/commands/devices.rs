//! Commands of `core::devices`.

use super::{CmdResult, Core};
use peerdesk_core::devices::{NewRouter, Router, RouterChanges};

#[tauri::command(async)]
pub fn list_routers(core: Core<'_>) -> CmdResult<Vec<Router>> {
    Ok(core.list_routers()?)
}

#[tauri::command(async)]
pub fn add_router(core: Core<'_>, router: NewRouter) -> CmdResult<Router> {
    Ok(core.add_router(&router)?)
}

#[tauri::command(async)]
pub fn update_router(core: Core<'_>, id: i64, changes: RouterChanges) -> CmdResult<Router> {
    Ok(core.update_router(id, &changes)?)
}

#[tauri::command(async)]
pub fn delete_router(core: Core<'_>, id: i64) -> CmdResult<()> {
    Ok(core.delete_router(id)?)
}
