//! Delete a session together with its configuration on the router: the
//! neighbour is removed through the push pipeline first (verified, rolled back
//! on failure), and the session leaves Peerdesk only once the router no longer
//! has it. When the router cannot be reached, the removal is queued in its
//! outbox instead and the session stays. A plain delete that leaves the router
//! alone is [`crate::Peerdesk::delete_session`].

use super::push::PushOutcome;
use crate::error::Result;
use crate::sync::{OutboxItem, PushOrQueued};
use crate::templating::config::{ConfigOperation, ConfigOverrides};
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;

/// What Delete with "Also remove from the router" did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum DeleteOutcome {
    /// Removed from the router, then deleted; `push.session` is the session as
    /// it was just before it was deleted.
    Deleted { push: PushOutcome },
    /// The router could not be reached: the Remove waits, approved, in its
    /// outbox and the session stays. Once the sync has applied it (the
    /// router no longer has the neighbour) the session is deleted.
    RemovalQueued { item: OutboxItem, message: String },
}

impl crate::Peerdesk {
    /// Removes the session's neighbour from its router, then deletes the
    /// session. The removal goes through the outbox like any change sent now
    /// (`sync::direct`): a router that cannot be reached gets it queued
    /// (approved, as the push dialog does) and the session is kept until the
    /// sync has applied it, then deleted. Any other failure (refused and
    /// rolled back, credentials, unsupported platform, ...) keeps the session
    /// and comes back; the outbox item records it.
    pub fn delete_session_from_router(
        &self,
        session_id: i64,
        wait: Duration,
    ) -> Result<DeleteOutcome> {
        let sent = self.send_now(
            session_id,
            ConfigOperation::Remove,
            &ConfigOverrides::default(),
            None,
            true,
            wait,
        )?;
        Ok(match sent {
            PushOrQueued::Pushed { push, .. } => DeleteOutcome::Deleted { push: *push },
            PushOrQueued::Queued { item, message } => DeleteOutcome::RemovalQueued {
                message: format!(
                    "{message} The session stays until then, and is deleted once the router has dropped it."
                ),
                item,
            },
        })
    }
}
