//! Commands of `core::audit`.

use super::{CmdResult, Core};
use peerdesk_core::audit::{AuditEntry, AuditFilter};

#[tauri::command(async)]
pub fn list_audit(core: Core<'_>, filter: AuditFilter) -> CmdResult<Vec<AuditEntry>> {
    Ok(core.list_audit(&filter)?)
}
