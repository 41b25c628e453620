//! Core's events delivered to the page with `AppHandle::emit`.

use peerdesk_core::events::EventSink;
use tauri::{Emitter, Runtime};

pub struct WebviewEvents<R: Runtime>(pub tauri::AppHandle<R>);

impl<R: Runtime> EventSink for WebviewEvents<R> {
    fn emit(&self, name: &str, payload: serde_json::Value) {
        // A window that is gone cannot be told; the work itself goes on.
        let _ = self.0.emit(name, payload);
    }
}
