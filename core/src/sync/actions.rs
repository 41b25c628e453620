//! What the user decides about drift that needs no router: marking a session
//! the router no longer has as removed. (Adopting goes through Data Import's
//! `import_sessions`; pushing again through the outbox.)

use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::peering::{ConfigState, Session};
use crate::Peerdesk;

impl Peerdesk {
    /// Records that a session is no longer on its router (drift "missing on
    /// the router", answered "Mark removed"): its configuration state becomes
    /// not configured, audited. Nothing else on the session changes and no
    /// router is contacted. A session already not configured is a conflict.
    pub fn mark_session_removed(&self, session_id: i64) -> Result<Session> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let before = crate::peering::get_session_in(&tx, session_id)?;
        if before.config_state == ConfigState::NotConfigured {
            return Err(Error::conflict(
                "configState",
                format!("{} is already not configured", before.peer_ip),
            ));
        }
        crate::peering::set_states(
            &tx,
            session_id,
            ConfigState::NotConfigured,
            before.bgp_state,
            before.bgp_refreshed_at.as_deref(),
        )?;
        let after = crate::peering::get_session_in(&tx, session_id)?;
        audit::record(
            &tx,
            &now,
            "session",
            Some(session_id),
            AuditAction::Update,
            &format!(
                "Session with AS{} {} ({}) marked removed from {}: not on the router",
                before.asn, before.network_name, before.peer_ip, before.router_name
            ),
            Some(&before),
            Some(&after),
        )?;
        tx.commit()?;
        Ok(after)
    }
}
