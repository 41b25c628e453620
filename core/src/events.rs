//! Progress and state events from long-running core work (PeeringDB sync now;
//! pushes and jobs later). Core emits through [`EventSink`]; the shell forwards
//! events to the page, tests collect them.

use std::sync::Mutex;

pub trait EventSink: Send + Sync {
    /// `name` is the event channel (e.g. `peeringdb-sync`), `payload` its JSON body.
    fn emit(&self, name: &str, payload: serde_json::Value);
}

/// Drops every event.
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _name: &str, _payload: serde_json::Value) {}
}

/// Keeps every event, for tests.
#[derive(Default)]
pub struct CollectedEvents(pub Mutex<Vec<(String, serde_json::Value)>>);

impl EventSink for CollectedEvents {
    fn emit(&self, name: &str, payload: serde_json::Value) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name.to_string(), payload));
    }
}

impl CollectedEvents {
    pub fn take(&self) -> Vec<(String, serde_json::Value)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
