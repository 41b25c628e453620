//! Commands of `core::sync`: the per-router outbox, reachability and sync.
//! The background probing and syncing task is started in `sync_task.rs`.

use super::{CmdResult, Core};
use peerdesk_core::peering::Session;
use peerdesk_core::sync::{OutboxItem, PushOrQueued, RouterReachability, SyncReport};
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides};
use std::time::Duration;

#[tauri::command(async)]
pub fn queue_change(
    core: Core<'_>,
    session_id: i64,
    operation: ConfigOperation,
    overrides: Option<ConfigOverrides>,
) -> CmdResult<OutboxItem> {
    Ok(core.queue_change(session_id, operation, &overrides.unwrap_or_default())?)
}

/// Sends the change now through the outbox, or queues it approved when the
/// router cannot be reached; `reviewedCurrent` is the router's lines the push
/// dialog showed (kept with the item's diff). Waits up to `waitSeconds`
/// (default 60) for the session.
#[tauri::command(async)]
pub fn push_or_queue(
    core: Core<'_>,
    session_id: i64,
    operation: ConfigOperation,
    overrides: Option<ConfigOverrides>,
    reviewed_current: Option<String>,
    wait_seconds: Option<u64>,
) -> CmdResult<PushOrQueued> {
    let wait = Duration::from_secs(wait_seconds.unwrap_or(60).min(600));
    Ok(core.push_or_queue(
        session_id,
        operation,
        &overrides.unwrap_or_default(),
        reviewed_current.as_deref(),
        wait,
    )?)
}

/// Applied and discarded items, newest first (at most `limit`, default 50).
#[tauri::command(async)]
pub fn list_outbox_history(
    core: Core<'_>,
    router_id: Option<i64>,
    limit: Option<u32>,
) -> CmdResult<Vec<OutboxItem>> {
    Ok(core.list_outbox_history(router_id, limit.unwrap_or(50))?)
}

#[tauri::command(async)]
pub fn list_router_outbox(core: Core<'_>, router_id: Option<i64>) -> CmdResult<Vec<OutboxItem>> {
    Ok(core.list_router_outbox(router_id)?)
}

#[tauri::command(async)]
pub fn approve_outbox_item(core: Core<'_>, id: i64) -> CmdResult<OutboxItem> {
    Ok(core.approve_outbox_item(id)?)
}

#[tauri::command(async)]
pub fn reorder_outbox_item(core: Core<'_>, id: i64, index: u32) -> CmdResult<Vec<OutboxItem>> {
    Ok(core.reorder_outbox_item(id, index)?)
}

#[tauri::command(async)]
pub fn discard_outbox_item(core: Core<'_>, id: i64) -> CmdResult<OutboxItem> {
    Ok(core.discard_outbox_item(id)?)
}

#[tauri::command(async)]
pub fn edit_outbox_item(
    core: Core<'_>,
    id: i64,
    overrides: ConfigOverrides,
) -> CmdResult<OutboxItem> {
    Ok(core.edit_outbox_item(id, &overrides)?)
}

#[tauri::command(async)]
pub fn review_outbox(core: Core<'_>, router_id: i64) -> CmdResult<Vec<OutboxItem>> {
    Ok(core.review_outbox(router_id)?)
}

#[tauri::command(async)]
pub fn router_reachability(core: Core<'_>) -> CmdResult<Vec<RouterReachability>> {
    Ok(core.router_reachability()?)
}

#[tauri::command(async)]
pub fn probe_router(core: Core<'_>, router_id: i64) -> CmdResult<RouterReachability> {
    Ok(core.probe_router(router_id)?)
}

#[tauri::command(async)]
pub fn sync_router(core: Core<'_>, router_id: i64) -> CmdResult<SyncReport> {
    Ok(core.sync_router(router_id)?)
}

/// Drift "missing on the router" answered "Mark removed": the session becomes
/// not configured, audited; no router is contacted.
#[tauri::command(async)]
pub fn mark_session_removed(core: Core<'_>, session_id: i64) -> CmdResult<Session> {
    Ok(core.mark_session_removed(session_id)?)
}
