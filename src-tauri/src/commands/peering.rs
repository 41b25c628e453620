//! Commands of `core::peering`.

use super::{CmdResult, Core};
use peerdesk_core::peering::*;
use std::path::PathBuf;

#[tauri::command(async)]
pub fn list_exchanges(core: Core<'_>) -> CmdResult<Vec<ExchangeSummary>> {
    Ok(core.list_exchanges()?)
}

#[tauri::command(async)]
pub fn add_exchange(core: Core<'_>, exchange: NewExchange) -> CmdResult<Exchange> {
    Ok(core.add_exchange(&exchange)?)
}

#[tauri::command(async)]
pub fn update_exchange(core: Core<'_>, id: i64, changes: ExchangeChanges) -> CmdResult<Exchange> {
    Ok(core.update_exchange(id, &changes)?)
}

#[tauri::command(async)]
pub fn delete_exchange(core: Core<'_>, id: i64) -> CmdResult<()> {
    Ok(core.delete_exchange(id)?)
}

#[tauri::command(async)]
pub fn list_peer_groups(core: Core<'_>) -> CmdResult<Vec<PeerGroup>> {
    Ok(core.list_peer_groups()?)
}

#[tauri::command(async)]
pub fn add_peer_group(core: Core<'_>, group: NewPeerGroup) -> CmdResult<PeerGroup> {
    Ok(core.add_peer_group(&group)?)
}

#[tauri::command(async)]
pub fn update_peer_group(
    core: Core<'_>,
    id: i64,
    changes: PeerGroupChanges,
) -> CmdResult<PeerGroup> {
    Ok(core.update_peer_group(id, &changes)?)
}

#[tauri::command(async)]
pub fn delete_peer_group(core: Core<'_>, id: i64) -> CmdResult<()> {
    Ok(core.delete_peer_group(id)?)
}

#[tauri::command(async)]
pub fn list_networks(core: Core<'_>) -> CmdResult<Vec<Network>> {
    Ok(core.list_networks()?)
}

#[tauri::command(async)]
pub fn list_sessions(core: Core<'_>, filter: SessionFilter) -> CmdResult<Vec<Session>> {
    Ok(core.list_sessions(&filter)?)
}

#[tauri::command(async)]
pub fn list_sessions_page(core: Core<'_>, request: SessionPageRequest) -> CmdResult<SessionPage> {
    Ok(core.list_sessions_page(&request)?)
}

#[tauri::command(async)]
pub fn add_session(core: Core<'_>, session: NewSession) -> CmdResult<Vec<Session>> {
    Ok(core.add_session(&session)?)
}

#[tauri::command(async)]
pub fn update_session(core: Core<'_>, id: i64, changes: SessionChanges) -> CmdResult<Session> {
    Ok(core.update_session(id, &changes)?)
}

#[tauri::command(async)]
pub fn delete_session(core: Core<'_>, id: i64) -> CmdResult<()> {
    Ok(core.delete_session(id)?)
}

#[tauri::command(async)]
pub fn inventory_counts(core: Core<'_>) -> CmdResult<InventoryCounts> {
    Ok(core.inventory_counts()?)
}

#[tauri::command(async)]
pub fn load_demo_data(core: Core<'_>) -> CmdResult<InventoryCounts> {
    Ok(core.load_demo_data()?)
}

#[tauri::command(async)]
pub fn export_inventory(core: Core<'_>, path: PathBuf) -> CmdResult<InventoryCounts> {
    Ok(core.export_inventory(&path)?)
}

#[tauri::command(async)]
pub fn import_inventory(core: Core<'_>, path: PathBuf) -> CmdResult<InventoryCounts> {
    Ok(core.import_inventory(&path)?)
}

#[tauri::command(async)]
pub fn export_sessions_csv(core: Core<'_>, path: PathBuf, filter: SessionFilter) -> CmdResult<u32> {
    Ok(core.export_sessions_csv(&path, &filter)?)
}

/// Configure Sessions: the peer's exchanges, sessions and candidates (`onlySession`: one session).
#[tauri::command(async)]
pub fn configure_sessions_candidates(
    core: Core<'_>,
    asn: u32,
    only_session: Option<i64>,
) -> CmdResult<ConfigureSessionsView> {
    Ok(core.configure_sessions_candidates(asn, only_session)?)
}

#[tauri::command(async)]
pub fn prepare_configure_sessions(
    core: Core<'_>,
    selection: ConfigureSelection,
) -> CmdResult<Vec<i64>> {
    Ok(core.prepare_configure_sessions(&selection)?)
}

#[tauri::command(async)]
pub fn preview_configure_sessions(
    core: Core<'_>,
    session_ids: Vec<i64>,
) -> CmdResult<Vec<RouterConfigPreview>> {
    Ok(core.preview_configure_sessions(&session_ids)?)
}
