//! Delete a session together with its configuration on the router: the
//! neighbour is removed through the push pipeline first (verified, rolled back
//! on failure), and the session leaves Peerdesk only once the router no longer
//! has it. A plain delete that leaves the router alone is
//! [`crate::Peerdesk::delete_session`].

use super::push::PushOutcome;
use crate::error::Result;
use crate::templating::config::{ConfigOperation, ConfigOverrides};
use std::time::Duration;

impl crate::Peerdesk {
    /// Removes the session's neighbour from its router, then deletes the
    /// session. When the push fails (unreachable, refused and rolled back,
    /// unsupported platform, ...) the session stays and the error comes back.
    /// The outcome describes the removal; its `session` is the session as it
    /// was just before it was deleted.
    pub fn delete_session_from_router(
        &self,
        session_id: i64,
        wait: Duration,
    ) -> Result<PushOutcome> {
        let outcome = self.push_session_config(
            session_id,
            ConfigOperation::Remove,
            &ConfigOverrides::default(),
            wait,
        )?;
        self.delete_session(session_id)?;
        Ok(outcome)
    }
}
