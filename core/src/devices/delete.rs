//! Delete a session together with its configuration on the router: the
//! neighbour is removed through the push pipeline first (verified, rolled back
//! on failure), and the session leaves Peerdesk only once the router no longer
//! has it. When the router cannot be reached, the removal is queued in its
//! outbox instead and the session stays. A plain delete that leaves the router
//! alone is [`crate::Peerdesk::delete_session`].

use super::push::PushOutcome;
use crate::error::{Error, Result};
use crate::sync::{OutboxItem, OutboxOverrides};
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
    /// outbox and the session stays. Once the sync has applied it the session
    /// is Not configured, and the user deletes it from the list.
    RemovalQueued { item: OutboxItem, message: String },
}

impl crate::Peerdesk {
    /// Removes the session's neighbour from its router, then deletes the
    /// session. A router that cannot be reached gets the removal queued
    /// (approved, as the push dialog does) and the session is kept: it cannot
    /// go before the router has dropped the neighbour. Any other failure
    /// (refused and rolled back, credentials, unsupported platform, ...)
    /// leaves the session and the outbox as they were and comes back.
    pub fn delete_session_from_router(
        &self,
        session_id: i64,
        wait: Duration,
    ) -> Result<DeleteOutcome> {
        let s = self.get_session(session_id)?;
        let router = self.router(s.router_id)?;
        let pushed = self.push_session_config(
            session_id,
            ConfigOperation::Remove,
            &ConfigOverrides::default(),
            wait,
        );
        match self.reach(&router, pushed) {
            Ok(push) => {
                self.delete_session(session_id)?;
                Ok(DeleteOutcome::Deleted { push })
            }
            Err(e @ Error::Unreachable(_)) => {
                let (item, queued) = self.queue_for_unreachable(
                    &router,
                    &s,
                    ConfigOperation::Remove,
                    &OutboxOverrides::default(),
                    &e,
                )?;
                Ok(DeleteOutcome::RemovalQueued {
                    item,
                    message: format!(
                        "{queued} The session stays until then; once it shows Not configured, delete it."
                    ),
                })
            }
            Err(e) => Err(e),
        }
    }
}
