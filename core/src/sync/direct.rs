//! Changes sent now go through the outbox too. The push dialog, Configure
//! Sessions and Delete open an item approved by the coordinator and claimed
//! (applying) in one transaction before anything reaches the router, and
//! settle it from what the push did: applied; back to approved (queued) when
//! the router could not be reached; failed when the router refused it;
//! interrupted when the connection dropped with the router's state unknown
//! (the next sync reads the router); discarded when nothing was sent
//! (credentials, host key, or the router's lines changed since the review:
//! the user deals with those now). So every change
//! meant for a router has one record with its rendered text, the diff it was
//! reviewed against when there was one, who approved it and what became of
//! it, and a process killed mid-push leaves an item the next start
//! reconciles.

use super::{masked, store, OutboxItem, OutboxStatus};
use crate::devices::Router;
use crate::error::{Error, Result};
use crate::peering::Session;
use crate::templating::config::ConfigOperation;
use crate::templating::config::ConfigOverrides;
use crate::Peerdesk;

/// What became of a change sent now.
pub(crate) enum Settled {
    Applied(OutboxItem),
    /// The router could not be reached: the item waits, approved, for the sync.
    Queued(OutboxItem),
    /// Anything else: the item records it; the caller returns the error.
    NotApplied,
}

impl Peerdesk {
    /// The router was found unreachable by the last probe and does not answer
    /// a fresh one either (at most [`super::PROBE_TIMEOUT`]): the error to
    /// queue with, so no SSH login is tried (and waited for) in vain. `None`
    /// when the router was never probed, answered last time, or answers now.
    pub(crate) fn still_unreachable(&self, router: &Router) -> Result<Option<Error>> {
        let known = store::reachability_of(&*self.db()?, router.id)?;
        if known.reachable != Some(false) {
            return Ok(None);
        }
        let now = self.probe_router(router.id)?;
        Ok(if now.reachable == Some(false) {
            Some(Error::Unreachable(format!(
                "{}:{} does not answer ({})",
                router.mgmt_address, router.ssh_port, now.last_error
            )))
        } else {
            None
        })
    }

    /// Opens the record of a change sent now: approved by the coordinator in
    /// Settings and claimed applying, with the router's lines the user
    /// reviewed (the push dialog's preview) and the diff against them when
    /// given. An open item of the same session and operation that failed
    /// before is superseded (discarded); one still waiting (review, approved,
    /// interrupted) is a conflict: that one goes first, or is discarded.
    pub(crate) fn open_direct_item(
        &self,
        router: &Router,
        s: &Session,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
        reviewed_current: Option<&str>,
        then_delete: bool,
    ) -> Result<i64> {
        let rendered = self.render_with_md5_placeholder(s.id, op, overrides)?;
        let text = masked(&rendered.text);
        let diff = reviewed_current.map(|current| {
            crate::devices::push::review_diff(router.platform, op, &s.peer_ip, current, &text)
        });
        let by = self.get_settings()?.coordinator_name;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        if let Some(old) = store::open_duplicate(&tx, s.id, op)? {
            let superseded = store::transition(
                &tx,
                old,
                &[OutboxStatus::Failed],
                OutboxStatus::Discarded,
                "superseded by the same change sent again",
                &now,
            )?;
            if !superseded {
                return Err(Error::conflict(
                    "operation",
                    format!(
                        "{} of {} is already waiting in {}'s outbox: apply, edit or discard that item first",
                        op.as_str(),
                        s.peer_ip,
                        router.name
                    ),
                ));
            }
        }
        let id = store::insert(
            &tx,
            &store::NewItem {
                router_id: router.id,
                session_id: s.id,
                operation: op,
                overrides,
                rendered: &text,
                then_delete,
            },
            &now,
        )?;
        if let Some(diff) = &diff {
            store::set_reviewed(&tx, id, reviewed_current, &store::diff_text(diff), &now)?;
        }
        store::approve(&tx, id, &by, &now)?;
        store::transition(
            &tx,
            id,
            &[OutboxStatus::Approved],
            OutboxStatus::Applying,
            "",
            &now,
        )?;
        store::audited_new(
            &tx,
            id,
            &now,
            &format!(
                "{} {} on {}: approved by {by}, sent now",
                op.as_str(),
                s.peer_ip,
                router.name
            ),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Records what the push of a change sent now did (see the module).
    pub(crate) fn settle_direct_item(
        &self,
        item_id: i64,
        pushed: std::result::Result<(), &Error>,
    ) -> Result<Settled> {
        let now = self.now();
        let applying = [OutboxStatus::Applying];
        let e = match pushed {
            Ok(()) => {
                let conn = self.db()?;
                store::transition(&conn, item_id, &applying, OutboxStatus::Applied, "", &now)?;
                return Ok(Settled::Applied(store::get(&conn, item_id)?));
            }
            Err(e) => e,
        };
        let message = e.to_string();
        let (to, why) = match e {
            Error::Unreachable(_) => (OutboxStatus::Approved, message),
            Error::AuthFailed(_)
            | Error::HostKeyUnknown { .. }
            | Error::HostKeyMismatch { .. }
            | Error::Secrets(_)
            | Error::Conflict { .. } => (OutboxStatus::Discarded, format!("not sent: {message}")),
            Error::ConnectionLost {
                restored: false, ..
            } => (OutboxStatus::Interrupted, message),
            _ => (OutboxStatus::Failed, message),
        };
        let conn = self.db()?;
        store::transition(&conn, item_id, &applying, to, &why, &now)?;
        let item = store::get(&conn, item_id)?;
        if to == OutboxStatus::Approved {
            store::probe_soon(&conn, item.router_id, &now)?;
            return Ok(Settled::Queued(item));
        }
        Ok(Settled::NotApplied)
    }

    /// Records the router's lines for the neighbour as they were right before
    /// a change sent now with no review of its own (Configure Sessions), and
    /// the diff against them.
    pub(crate) fn record_before(&self, item_id: i64, router: &Router, current: &str) -> Result<()> {
        let conn = self.db()?;
        let item = store::get(&conn, item_id)?;
        if item.reviewed_current.is_some() {
            return Ok(());
        }
        let diff = crate::devices::push::review_diff(
            router.platform,
            item.operation,
            &item.peer_ip,
            current,
            &item.rendered,
        );
        store::set_reviewed(
            &conn,
            item_id,
            Some(current),
            &store::diff_text(&diff),
            &self.now(),
        )
    }

    /// The sentence for a change queued because its router cannot be reached.
    pub(crate) fn queued_message(
        router: &Router,
        s: &Session,
        op: ConfigOperation,
        e: &Error,
    ) -> String {
        format!(
            "{} cannot be reached ({e}). {} of {} is queued and will be applied when {} is reachable.",
            router.name,
            op.as_str(),
            s.peer_ip,
            router.name
        )
    }

    /// After an item with `then_delete` was applied (the router no longer has
    /// the neighbour): the session goes, with its outbox items.
    pub(crate) fn delete_after_removal(&self, item: &OutboxItem) -> Result<()> {
        if item.then_delete && item.operation == ConfigOperation::Remove {
            self.delete_session(item.session_id)?;
        }
        Ok(())
    }
}
