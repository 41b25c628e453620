//! Commands of `core::peeringdb`. A sync runs on a blocking thread and reports
//! progress on the `peeringdb-sync` event; `cancel_peeringdb_sync` stops it.

use super::{CmdResult, Core};
use crate::events::WebviewEvents;
use peerdesk_core::peering::NewExchange;
use peerdesk_core::peeringdb::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The cancel flag of the sync in progress, if any.
#[derive(Default)]
pub struct SyncControl(Mutex<Option<Arc<AtomicBool>>>);

impl SyncControl {
    fn begin(&self) -> Result<Arc<AtomicBool>, peerdesk_core::CommandError> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(peerdesk_core::Error::Conflict {
                field: None,
                message: "a PeeringDB sync is already running".into(),
            }
            .into());
        }
        let flag = Arc::new(AtomicBool::new(false));
        *slot = Some(flag.clone());
        Ok(flag)
    }

    fn end(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

#[tauri::command(async)]
pub fn sync_peeringdb<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: Core<'_>,
    control: tauri::State<'_, SyncControl>,
) -> CmdResult<SyncSummary> {
    let mut opts = core.peeringdb_options()?;
    opts.cancel = control.begin()?;
    let result = core.sync_peeringdb(&opts, &WebviewEvents(app));
    control.end();
    Ok(result?)
}

#[tauri::command(async)]
pub fn cancel_peeringdb_sync(control: tauri::State<'_, SyncControl>) -> bool {
    let slot = control.0.lock().unwrap_or_else(|p| p.into_inner());
    slot.as_ref()
        .map(|f| f.store(true, Ordering::Relaxed))
        .is_some()
}

#[tauri::command(async)]
pub fn peeringdb_status(core: Core<'_>) -> CmdResult<PeeringDbStatus> {
    Ok(core.peeringdb_status()?)
}

#[tauri::command(async)]
pub fn set_peeringdb_api_key(core: Core<'_>, key: String) -> CmdResult<()> {
    Ok(core.set_peeringdb_api_key(&key)?)
}

#[tauri::command(async)]
pub fn search_pdb_networks(
    core: Core<'_>,
    query: String,
    limit: u32,
) -> CmdResult<Vec<PdbNetwork>> {
    Ok(core.search_pdb_networks(&query, limit)?)
}

#[tauri::command(async)]
pub fn pdb_network(core: Core<'_>, asn: u32) -> CmdResult<PdbNetworkDetail> {
    Ok(core.pdb_network(asn)?)
}

#[tauri::command(async)]
pub fn peer_addresses(core: Core<'_>, asn: u32, exchange_id: i64) -> CmdResult<Vec<PdbPresence>> {
    Ok(core.peer_addresses(asn, exchange_id)?)
}

#[tauri::command(async)]
pub fn search_pdb_exchanges(
    core: Core<'_>,
    query: String,
    limit: u32,
) -> CmdResult<Vec<PdbExchange>> {
    Ok(core.search_pdb_exchanges(&query, limit)?)
}

#[tauri::command(async)]
pub fn exchange_from_pdb(core: Core<'_>, ix_id: i64) -> CmdResult<NewExchange> {
    Ok(core.exchange_from_pdb(ix_id)?)
}

#[tauri::command(async)]
pub fn common_exchanges(core: Core<'_>, asn: u32) -> CmdResult<Vec<CommonExchange>> {
    Ok(core.common_exchanges(asn)?)
}

#[tauri::command(async)]
pub fn available_peers(core: Core<'_>, exchange_id: i64) -> CmdResult<Vec<AvailablePeer>> {
    Ok(core.available_peers(exchange_id)?)
}

#[tauri::command(async)]
pub fn hide_peer(core: Core<'_>, exchange_id: i64, asn: u32, hidden: bool) -> CmdResult<()> {
    Ok(core.hide_peer(exchange_id, asn, hidden)?)
}

#[tauri::command(async)]
pub fn suggest_max_prefix(core: Core<'_>, asn: u32) -> CmdResult<MaxPrefixSuggestion> {
    Ok(core.suggest_max_prefix(asn)?)
}

#[tauri::command(async)]
pub fn contacts_for(
    core: Core<'_>,
    asn: u32,
    exchange_id: Option<i64>,
) -> CmdResult<Vec<PdbContact>> {
    Ok(core.contacts_for(asn, exchange_id)?)
}
