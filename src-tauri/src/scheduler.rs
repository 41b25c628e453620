//! Starts core's scheduler task on Tauri's tokio runtime, with core reached
//! through the app's managed state, and delivers the scheduler's events to the
//! page. Which job runs when is decided in `peerdesk_core::jobs`, not here.

use peerdesk_core::events::EventSink;
use peerdesk_core::jobs::{CoreHandle, DefaultRunner};
use peerdesk_core::Peerdesk;
use std::sync::Arc;
use tauri::{Emitter, Manager, Runtime};

/// Core as the app manages it, reachable from the scheduler task.
struct AppCore<R: Runtime>(tauri::AppHandle<R>);

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
        let _ = self.0.emit(name, payload);
    }
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
