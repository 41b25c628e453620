//! Commands of `core::templating` (Admin → Templates).

use super::{CmdResult, Core};
use peerdesk_core::templating::{Template, TemplateInfo, TemplateRevision};

#[tauri::command(async)]
pub fn list_templates(core: Core<'_>) -> CmdResult<Vec<TemplateInfo>> {
    Ok(core.list_templates()?)
}

#[tauri::command(async)]
pub fn get_template(core: Core<'_>, name: String) -> CmdResult<Template> {
    Ok(core.get_template(&name)?)
}

#[tauri::command(async)]
pub fn save_template(core: Core<'_>, name: String, body: String) -> CmdResult<Template> {
    Ok(core.save_template(&name, &body)?)
}

#[tauri::command(async)]
pub fn template_revisions(core: Core<'_>, name: String) -> CmdResult<Vec<TemplateRevision>> {
    Ok(core.template_revisions(&name)?)
}

#[tauri::command(async)]
pub fn revert_template(core: Core<'_>, name: String, revision_id: i64) -> CmdResult<Template> {
    Ok(core.revert_template(&name, revision_id)?)
}

#[tauri::command(async)]
pub fn reset_template(core: Core<'_>, name: String) -> CmdResult<Template> {
    Ok(core.reset_template(&name)?)
}

#[tauri::command(async)]
pub fn preview_email_template(
    core: Core<'_>,
    name: String,
    body: String,
    asn: u32,
) -> CmdResult<String> {
    Ok(core.preview_email_template(&name, &body, asn)?)
}

/// A router configuration template's unsaved text rendered for a stored session.
#[tauri::command(async)]
pub fn preview_config_template(
    core: Core<'_>,
    name: String,
    body: String,
    session_id: i64,
) -> CmdResult<String> {
    Ok(core.preview_config_template(&name, &body, session_id)?)
}

#[tauri::command(async)]
pub fn render_peer_group_config(core: Core<'_>, peer_group_id: i64) -> CmdResult<String> {
    Ok(core.render_peer_group_config(peer_group_id)?)
}
