//! Commands of `core::devices`.

use super::{CmdResult, Core};
use peerdesk_core::devices::delete::DeleteOutcome;
use peerdesk_core::devices::import::{ImportPreview, ImportResult};
use peerdesk_core::devices::push::{BatchOutcome, PushPreview, RefreshSummary};
use peerdesk_core::devices::ssh::HostKey;
use peerdesk_core::devices::{NewRouter, Router, RouterChanges};
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides, RenderedConfig};
use std::time::Duration;

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

#[tauri::command(async)]
pub fn router_host_key(core: Core<'_>, router_id: i64) -> CmdResult<Option<HostKey>> {
    Ok(core.router_host_key(router_id)?)
}

#[tauri::command(async)]
pub fn probe_router_host_key(core: Core<'_>, router_id: i64) -> CmdResult<HostKey> {
    Ok(core.probe_router_host_key(router_id)?)
}

#[tauri::command(async)]
pub fn trust_router_host_key(
    core: Core<'_>,
    router_id: i64,
    fingerprint: String,
) -> CmdResult<HostKey> {
    Ok(core.trust_router_host_key(router_id, &fingerprint)?)
}

#[tauri::command(async)]
pub fn render_session_config(
    core: Core<'_>,
    session_id: i64,
    operation: ConfigOperation,
    overrides: ConfigOverrides,
) -> CmdResult<RenderedConfig> {
    Ok(core.render_session_config(session_id, operation, &overrides)?)
}

#[tauri::command(async)]
pub fn preview_push(
    core: Core<'_>,
    session_id: i64,
    operation: ConfigOperation,
    overrides: ConfigOverrides,
) -> CmdResult<PushPreview> {
    Ok(core.preview_push(session_id, operation, &overrides)?)
}

#[tauri::command(async)]
pub fn refresh_session_states(core: Core<'_>, router_id: i64) -> CmdResult<RefreshSummary> {
    Ok(core.refresh_session_states(router_id)?)
}

#[tauri::command(async)]
pub fn refresh_exchange_states(core: Core<'_>, exchange_id: i64) -> CmdResult<Vec<RefreshSummary>> {
    Ok(core.refresh_exchange_states(exchange_id)?)
}

#[tauri::command(async)]
pub fn scan_router_sessions(core: Core<'_>, router_id: i64) -> CmdResult<ImportPreview> {
    Ok(core.scan_router_sessions(router_id)?)
}

#[tauri::command(async)]
pub fn import_sessions(
    core: Core<'_>,
    router_id: i64,
    peer_ips: Vec<String>,
) -> CmdResult<ImportResult> {
    Ok(core.import_sessions(router_id, &peer_ips)?)
}

/// Several sessions of one FRR router in one connection and one step.
#[tauri::command(async)]
pub fn push_batch(
    core: Core<'_>,
    router_id: i64,
    session_ids: Vec<i64>,
    operation: ConfigOperation,
    wait_seconds: Option<u64>,
) -> CmdResult<BatchOutcome> {
    let wait = Duration::from_secs(wait_seconds.unwrap_or(60).min(600));
    Ok(core.push_batch(router_id, &session_ids, operation, wait)?)
}

/// Delete with "Also remove from the router": removed there first, then here;
/// queued (session kept) when the router cannot be reached.
#[tauri::command(async)]
pub fn delete_session_from_router(
    core: Core<'_>,
    session_id: i64,
    wait_seconds: Option<u64>,
) -> CmdResult<DeleteOutcome> {
    let wait = Duration::from_secs(wait_seconds.unwrap_or(10).min(600));
    Ok(core.delete_session_from_router(session_id, wait)?)
}
