//! Starts core's scheduler task on Tauri's tokio runtime, with core reached
//! through the app's managed state, delivers the scheduler's events to the
//! page, and shows a desktop notification when a job ends. Which job runs when
//! is decided in `peerdesk_core::jobs`, not here.

use peerdesk_core::events::EventSink;
use peerdesk_core::jobs::{CoreHandle, DefaultRunner, EVENT_JOB_FINISHED};
use peerdesk_core::Peerdesk;
use std::sync::Arc;
use tauri::{Emitter, Manager, Runtime};

/// Core as the app manages it, reachable from core's background tasks (the
/// scheduler here, the offline sync in `sync_task.rs`).
pub(crate) struct AppCore<R: Runtime>(pub(crate) tauri::AppHandle<R>);

impl<R: Runtime> Clone for AppCore<R> {
    fn clone(&self) -> Self {
        AppCore(self.0.clone())
    }
}

impl<R: Runtime> CoreHandle for AppCore<R> {
    fn core(&self) -> &Peerdesk {
        self.0.state::<Peerdesk>().inner()
    }
}

/// Scheduler events to the page.
struct JobEvents<R: Runtime>(tauri::AppHandle<R>);

impl<R: Runtime> EventSink for JobEvents<R> {
    fn emit(&self, name: &str, payload: serde_json::Value) {
        if worth_a_notification(name, &payload) {
            notify_finished(&self.0, &payload);
        }
        let _ = self.0.emit(name, payload);
    }
}

/// A job's end is worth a desktop notification, except the routine state
/// refresh (every few minutes it would be noise; its results show in the
/// Sessions list).
fn worth_a_notification(event: &str, job: &serde_json::Value) -> bool {
    event == EVENT_JOB_FINISHED && job["kind"] != "refreshStates"
}

/// The notification's title and body: the outcome with the job's title, and core's result.
fn notification_text(job: &serde_json::Value) -> (String, String) {
    let what = job["title"].as_str().unwrap_or("Scheduled job");
    let title = if job["status"] == "failed" {
        format!("Failed: {what}")
    } else {
        format!("Done: {what}")
    };
    (title, job["result"].as_str().unwrap_or("").to_string())
}

fn notify_finished<R: Runtime>(app: &tauri::AppHandle<R>, job: &serde_json::Value) {
    use tauri_plugin_notification::NotificationExt;
    let (title, body) = notification_text(job);
    // Without a notification service (a bare X session) there is nobody to tell;
    // the Scheduler tab still shows the outcome.
    let _ = app.notification().builder().title(title).body(body).show();
}

/// Runs due jobs for as long as the app is open.
pub fn start<R: Runtime>(app: tauri::AppHandle<R>) {
    let events = Arc::new(JobEvents(app.clone()));
    tauri::async_runtime::spawn(peerdesk_core::jobs::run_scheduler(
        AppCore(app),
        Arc::new(DefaultRunner::default()),
        events,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn configuration_and_sync_jobs_notify_and_the_routine_refresh_does_not() {
        let configure = json!({"kind": "configureSessions", "status": "done"});
        assert!(worth_a_notification(EVENT_JOB_FINISHED, &configure));
        assert!(worth_a_notification(
            EVENT_JOB_FINISHED,
            &json!({"kind": "peeringdbSync", "status": "failed"})
        ));
        assert!(!worth_a_notification(
            EVENT_JOB_FINISHED,
            &json!({"kind": "refreshStates", "status": "done"})
        ));
        assert!(
            !worth_a_notification("job-changed", &configure),
            "only a job's end notifies"
        );
    }

    #[test]
    fn a_failed_job_says_so_in_the_notification_title_with_cores_result_as_body() {
        let (title, body) = notification_text(&json!({
            "title": "Configure 2 sessions on edge1",
            "status": "failed",
            "result": "0 configured and Established, 2 failed",
        }));
        assert_eq!(title, "Failed: Configure 2 sessions on edge1");
        assert_eq!(body, "0 configured and Established, 2 failed");
        let (title, _) =
            notification_text(&json!({"title": "PeeringDB sync (daily)", "status": "done"}));
        assert_eq!(title, "Done: PeeringDB sync (daily)");
    }
}
