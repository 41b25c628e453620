//! Commands of `core::jobs`: the Scheduler tab and Configure Now. Configure Now
//! reports progress on `configure-progress`; the scheduler task itself is
//! started in `lib.rs`.

use super::{CmdResult, Core};
use crate::events::WebviewEvents;
use peerdesk_core::jobs::{ConfigureReport, Job, JobSettings};
use std::time::Duration;

#[tauri::command(async)]
pub fn list_jobs(core: Core<'_>, include_finished: bool) -> CmdResult<Vec<Job>> {
    Ok(core.list_jobs(include_finished)?)
}

#[tauri::command(async)]
pub fn schedule_configure_sessions(
    core: Core<'_>,
    session_ids: Vec<i64>,
    run_at: String,
) -> CmdResult<Job> {
    Ok(core.schedule_configure_sessions(&session_ids, &run_at)?)
}

#[tauri::command(async)]
pub fn reschedule_job(core: Core<'_>, id: i64, run_at: String) -> CmdResult<Job> {
    Ok(core.reschedule_job(id, &run_at)?)
}

#[tauri::command(async)]
pub fn cancel_job(core: Core<'_>, id: i64) -> CmdResult<Job> {
    Ok(core.cancel_job(id)?)
}

#[tauri::command(async)]
pub fn run_job_now(core: Core<'_>, id: i64) -> CmdResult<Job> {
    Ok(core.run_job_now(id)?)
}

#[tauri::command(async)]
pub fn job_settings(core: Core<'_>) -> CmdResult<JobSettings> {
    Ok(core.job_settings()?)
}

#[tauri::command(async)]
pub fn update_job_settings(core: Core<'_>, changes: JobSettings) -> CmdResult<JobSettings> {
    Ok(core.update_job_settings(&changes)?)
}

#[tauri::command(async)]
pub fn configure_sessions_now<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: Core<'_>,
    session_ids: Vec<i64>,
    wait_seconds: Option<u64>,
) -> CmdResult<ConfigureReport> {
    let wait = Duration::from_secs(wait_seconds.unwrap_or(60).min(600));
    Ok(core.configure_sessions_now(&session_ids, wait, &WebviewEvents(app))?)
}
