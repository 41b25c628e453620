//! Starts core's offline-first task (probe routers, sync those that answer
//! and have approved changes) on Tauri's tokio runtime, with core reached
//! through the app's managed state and its events delivered to the page.
//! What is probed or synced when is decided in `peerdesk_core::sync`.

use crate::events::WebviewEvents;
use crate::scheduler::AppCore;
use std::sync::Arc;
use tauri::Runtime;

/// Probes and syncs for as long as the app is open.
pub fn start<R: Runtime>(app: tauri::AppHandle<R>) {
    let events = Arc::new(WebviewEvents(app.clone()));
    tauri::async_runtime::spawn(peerdesk_core::sync::run_sync_loop(AppCore(app), events));
}
