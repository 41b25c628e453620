//! Commands of `core::messaging`. Mail goes out through the real SMTP client;
//! the outbox is retried by a background loop started in `lib.rs`.

use super::{CmdResult, Core};
use peerdesk_core::messaging::*;

#[tauri::command(async)]
pub fn list_peers(core: Core<'_>, filter: PeerFilter) -> CmdResult<Vec<PeerRow>> {
    Ok(core.list_peers(&filter)?)
}

#[tauri::command(async)]
pub fn apply_peer_action(core: Core<'_>, asn: u32, action: PeerAction) -> CmdResult<PeerStatus> {
    Ok(core.apply_peer_action(asn, action)?)
}

#[tauri::command(async)]
pub fn peer_history(core: Core<'_>, asn: u32) -> CmdResult<Vec<HistoryEntry>> {
    Ok(core.peer_history(asn)?)
}

#[tauri::command(async)]
pub fn list_messages(core: Core<'_>, asn: u32) -> CmdResult<Vec<StoredMessage>> {
    Ok(core.list_messages(asn)?)
}

#[tauri::command(async)]
pub fn list_outbox(core: Core<'_>) -> CmdResult<Vec<StoredMessage>> {
    Ok(core.list_outbox()?)
}

#[tauri::command(async)]
pub fn draft_request(core: Core<'_>, asn: u32) -> CmdResult<EmailDraft> {
    Ok(core.draft_request(asn)?)
}

#[tauri::command(async)]
pub fn draft_resend(core: Core<'_>, asn: u32) -> CmdResult<EmailDraft> {
    Ok(core.draft_resend(asn)?)
}

#[tauri::command(async)]
pub fn draft_session_email(
    core: Core<'_>,
    session_id: i64,
    kind: MessageKind,
) -> CmdResult<EmailDraft> {
    Ok(core.draft_session_email(session_id, kind)?)
}

#[tauri::command(async)]
pub fn send_email(core: Core<'_>, draft: EmailDraft) -> CmdResult<SendOutcome> {
    Ok(core.send_email(&draft, &SmtpMailer)?)
}

#[tauri::command(async)]
pub fn drain_outbox(core: Core<'_>) -> CmdResult<u32> {
    Ok(core.drain_outbox(&SmtpMailer)?)
}

#[tauri::command(async)]
pub fn get_smtp_settings(core: Core<'_>) -> CmdResult<SmtpSettings> {
    Ok(core.get_smtp_settings()?)
}

#[tauri::command(async)]
pub fn update_smtp_settings(
    core: Core<'_>,
    changes: SmtpSettingsChanges,
) -> CmdResult<SmtpSettings> {
    Ok(core.update_smtp_settings(&changes)?)
}
