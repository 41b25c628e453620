//! Offline first: the per-router outbox, reachability, and sync with drift.
//!
//! A change meant for a router becomes an [`OutboxItem`]: the session, the
//! operation and its one-time overrides, the configuration rendered when it
//! was queued (MD5 masked), the router's lines it was reviewed against and the
//! diff, who approved it and when. Items are reviewed, edited, approved,
//! reordered or discarded with no network at all.
//!
//! [`Peerdesk::sync_router`] is what happens when a router is reachable: pull
//! its neighbours and states first, report drift against the database (never
//! acting on it), reconcile items a crash cut off, then apply the approved
//! items in order through the push pipeline. Right before an item is applied
//! the router's lines for its neighbour are read again; when they are not
//! what the item was reviewed against, the item goes back to review with the
//! new lines and diff instead. An item is marked applying in its own
//! transaction before the push, so a process that dies mid-push leaves it
//! applying; [`Peerdesk::start_sync`] (at open) makes it interrupted, and the
//! next sync reads the router and records what it really has.
//!
//! Reachability is a TCP connect to the router's SSH port with a short
//! timeout; failures back off ([`next_probe_delay`]). This module stops at the
//! push pipeline (`devices::push`) and the neighbour reader (`devices::import`).

mod actions;
mod direct;
mod drift;
mod store;

pub use drift::{compute_drift, Drift, DriftDifference, MissingSession};

use crate::audit::{self, AuditAction};
use crate::devices::import::DiscoveredNeighbor;
use crate::devices::push::PushOutcome;
use crate::devices::{Platform, Router};
use crate::error::{Error, Result};
use crate::peering::{AdminState, ConfigState, Session, SessionFilter};
use crate::templating::config::{ConfigOperation, ConfigOverrides, MD5_PLACEHOLDER};
use crate::templating::diff::DiffLine;
use crate::Peerdesk;
use chrono::Duration as Span;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;
use ts_rs::TS;

const MASK: &str = "********";

/// How long a reachability probe waits for the SSH port to answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a sync waits for each applied session to reach Established
/// (the push pipeline's default).
pub const PEER_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum OutboxStatus {
    /// Waiting for the user to look at it (new, edited, or sent back by a sync).
    Review,
    /// Approved: the next sync applies it.
    Approved,
    /// Being pushed now.
    Applying,
    /// The router has it.
    Applied,
    /// The router refused it (and was rolled back); edit, approve again or discard.
    Failed,
    /// Peerdesk stopped during the push; the next sync reads the router and decides.
    Interrupted,
    /// Dropped by the user; kept for the record.
    Discarded,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    pub id: i64,
    pub router_id: i64,
    pub router_name: String,
    pub session_id: i64,
    pub peer_ip: String,
    pub asn: u32,
    pub network_name: String,
    pub operation: ConfigOperation,
    /// The one-time overrides (Config Manager's fields). No secret: the MD5
    /// password is filled in from the keyring at push time only.
    pub overrides: ConfigOverrides,
    /// The configuration to send, MD5 password masked.
    pub rendered: String,
    /// The router's lines for this neighbour when the item was reviewed;
    /// `None` until they were read (queued with no network).
    pub reviewed_current: Option<String>,
    /// `reviewed_current` against what the neighbour will be after the change.
    pub diff: Vec<DiffLine>,
    pub status: OutboxStatus,
    /// Order among the router's items (lower first).
    pub position: i64,
    /// The coordinator (Settings) who approved it.
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub applied_at: Option<String>,
    /// Why it is not applied (refused, sent back to review, interrupted), in words.
    pub last_error: String,
    /// Delete ("Also remove from the router") queued this removal: once the
    /// router no longer has the neighbour, the session is deleted too.
    pub then_delete: bool,
}

/// What Peerdesk knows about reaching a router.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterReachability {
    pub router_id: i64,
    pub router_name: String,
    /// `None` while the router was never probed.
    pub reachable: Option<bool>,
    /// Probes failed in a row.
    pub failures: u32,
    pub last_probe_at: Option<String>,
    pub last_seen_at: Option<String>,
    pub next_probe_at: Option<String>,
    pub last_error: String,
    /// Approved items waiting for this router.
    pub approved_items: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ItemOutcome {
    /// Pushed and verified (or found on the router after an interruption).
    Applied,
    /// Not applied: the router or the rendered text changed since review.
    ReturnedToReview,
    /// The router refused it; it was rolled back.
    Failed,
    /// Not tried in this sync (the router went away, or an earlier item of
    /// the same session did not go through); stays approved.
    Held,
    /// The push was cut off and the router's state is unknown.
    Interrupted,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ItemResult {
    pub item_id: i64,
    pub session_id: i64,
    pub peer_ip: String,
    pub operation: ConfigOperation,
    pub outcome: ItemOutcome,
    pub message: String,
}

/// What [`Peerdesk::push_or_queue`] did with a change.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum PushOrQueued {
    /// The router answered: the change went through the push pipeline;
    /// `item` is its outbox record, applied.
    Pushed {
        push: Box<PushOutcome>,
        item: OutboxItem,
    },
    /// The router could not be reached: the change waits in its outbox,
    /// approved, for the background sync.
    Queued { item: OutboxItem, message: String },
}

/// What one sync with a router found and did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub router_id: i64,
    pub router_name: String,
    /// Neighbours the router has now.
    pub neighbours: u32,
    pub drift: Drift,
    /// Interrupted items settled from what the router has.
    pub reconciled: Vec<ItemResult>,
    /// Approved items, in the order they were taken.
    pub items: Vec<ItemResult>,
    pub message: String,
    pub log: Vec<String>,
}

/// When to probe a router again after `failures` failed probes in a row: once
/// a minute while it answers; 5 s after a first failure, doubling up to 5 minutes.
pub fn next_probe_delay(failures: u32) -> Span {
    if failures == 0 {
        return Span::seconds(60);
    }
    let secs = 5i64.saturating_mul(1i64 << (failures - 1).min(16));
    Span::seconds(secs.min(300))
}

fn masked(text: &str) -> String {
    text.replace(MD5_PLACEHOLDER, MASK)
}

/// The errors after which nothing changed on the router and the item waits
/// for the next sync as it was.
fn leaves_router_untouched(e: &Error) -> bool {
    matches!(
        e,
        Error::Unreachable(_)
            | Error::AuthFailed(_)
            | Error::HostKeyUnknown { .. }
            | Error::HostKeyMismatch { .. }
            | Error::ConnectionLost { restored: true, .. }
            | Error::Secrets(_)
    )
}

fn ip_key(ip: &str) -> String {
    ip.parse::<IpAddr>()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| ip.to_string())
}

impl Peerdesk {
    /// Queues a change for the session's router. Renders now (no router is
    /// contacted, so this works with no network); the router's lines are read
    /// at review or sync. The item waits in review.
    pub fn queue_change(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
    ) -> Result<OutboxItem> {
        self.enqueue(session_id, op, overrides, false, false)
    }

    /// Sends a change now, through the outbox (see `direct`): an item approved
    /// by the coordinator in Settings and claimed before the push, settled
    /// from what the push did. `reviewed_current` is the router's lines the
    /// user reviewed (the push dialog's preview), kept with the diff. When the
    /// router cannot be reached (known from its last probe and a fresh one,
    /// or found by the push) the item stays approved for the background sync,
    /// which is asked to probe that router at its next round. With
    /// `reviewed_current`, the router's lines are read again first: when they
    /// changed since the review, nothing is sent and the error is a conflict
    /// (field `reviewedCurrent`). Any other error (refused, credentials, host
    /// key) is returned as from the push: those need the user now, not a
    /// retry later; the item records it.
    pub fn push_or_queue(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
        reviewed_current: Option<&str>,
        wait_for_peer: Duration,
    ) -> Result<PushOrQueued> {
        self.send_now(
            session_id,
            op,
            overrides,
            reviewed_current,
            false,
            wait_for_peer,
        )
    }

    /// [`Self::push_or_queue`], and for Delete: `then_delete` deletes the
    /// session once its removal is applied (here, or by the sync when queued).
    pub(crate) fn send_now(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
        reviewed_current: Option<&str>,
        then_delete: bool,
        wait_for_peer: Duration,
    ) -> Result<PushOrQueued> {
        let s = self.get_session(session_id)?;
        let router = self.router(s.router_id)?;
        if let Some(e) = self.still_unreachable(&router)? {
            let (item, message) =
                self.queue_for_unreachable(&router, &s, op, overrides, &e, then_delete)?;
            return Ok(PushOrQueued::Queued { item, message });
        }
        let id =
            self.open_direct_item(&router, &s, op, overrides, reviewed_current, then_delete)?;
        // A step that failed: the item records it; when the router could not
        // be reached, it waits approved and the change is queued.
        let not_sent = |e: Error| match self.settle_direct_item(id, Err(&e))? {
            direct::Settled::Queued(item) => Ok(PushOrQueued::Queued {
                message: Self::queued_message(&router, &s, op, &e),
                item,
            }),
            _ => Err(e),
        };
        // What the user reviewed must still be what the router has: someone
        // may have changed the neighbour since the dialog read it.
        if let Some(reviewed) = reviewed_current {
            let now = match self.reach(&router, self.preview_push(session_id, op, overrides)) {
                Ok(now) => now,
                Err(e) => return not_sent(e),
            };
            if !drift::still_matches(Some(reviewed), op, &now.current) {
                return not_sent(Error::conflict(
                    "reviewedCurrent",
                    format!(
                        "{}'s configuration of {} changed since it was reviewed; nothing was sent: review the new diff and send again",
                        router.name, s.peer_ip
                    ),
                ));
            }
        }
        let pushed = self.push_session_config(session_id, op, overrides, wait_for_peer);
        match self.reach(&router, pushed) {
            Ok(push) => match self.settle_direct_item(id, Ok(()))? {
                direct::Settled::Applied(item) => {
                    self.delete_after_removal(&item)?;
                    Ok(PushOrQueued::Pushed {
                        push: Box::new(push),
                        item,
                    })
                }
                _ => unreachable!("a push that went through settles applied"),
            },
            Err(e) => not_sent(e),
        }
    }

    /// The change of a session whose router cannot be reached (`e`): queued
    /// approved, as the user asked for it now, and the router due for a probe
    /// at the background task's next round. Returns the item and a sentence
    /// naming the router. `then_delete`: the session goes once the removal
    /// is applied (Delete).
    pub(crate) fn queue_for_unreachable(
        &self,
        router: &Router,
        s: &Session,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
        e: &Error,
        then_delete: bool,
    ) -> Result<(OutboxItem, String)> {
        let item = self.enqueue(s.id, op, overrides, true, then_delete)?;
        store::probe_soon(&*self.db()?, router.id, &self.now())?;
        Ok((item, Self::queued_message(router, s, op, e)))
    }

    fn enqueue(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
        approved: bool,
        then_delete: bool,
    ) -> Result<OutboxItem> {
        let s = self.get_session(session_id)?;
        let router = self.router(s.router_id)?;
        if router.platform == Platform::Sros {
            return Err(Error::invalid(
                "platform",
                format!(
                    "{} routers are rendered only: copy the configuration instead",
                    router.platform.as_str()
                ),
            ));
        }
        let rendered = self.render_with_md5_placeholder(session_id, op, overrides)?;
        let approver = if approved {
            Some(self.get_settings()?.coordinator_name)
        } else {
            None
        };
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        if store::open_duplicate(&tx, session_id, op)?.is_some() {
            return Err(Error::conflict(
                "operation",
                format!(
                    "{} of {} is already in the outbox: edit or discard that item",
                    op.as_str(),
                    s.peer_ip
                ),
            ));
        }
        let id = store::insert(
            &tx,
            &store::NewItem {
                router_id: router.id,
                session_id,
                operation: op,
                overrides,
                rendered: &masked(&rendered.text),
                then_delete,
            },
            &now,
        )?;
        if let Some(by) = &approver {
            store::approve(&tx, id, by, &now)?;
        }
        let item = store::audited_new(
            &tx,
            id,
            &now,
            &format!(
                "Queued {} {} for {}{}",
                op.as_str(),
                s.peer_ip,
                router.name,
                if approved {
                    " (approved: the router could not be reached)"
                } else {
                    ""
                }
            ),
        )?;
        tx.commit()?;
        Ok(item)
    }

    /// The items still needing something (review, approved, applying, failed,
    /// interrupted), by router and position; of one router when given.
    pub fn list_router_outbox(&self, router_id: Option<i64>) -> Result<Vec<OutboxItem>> {
        store::list_open(&*self.db()?, router_id)
    }

    /// Finished items (applied or discarded), newest first, at most `limit`;
    /// of one router when given. Items of a deleted session went with it.
    pub fn list_outbox_history(
        &self,
        router_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>> {
        store::list_done(&*self.db()?, router_id, limit.min(1000))
    }

    pub fn get_outbox_item(&self, item_id: i64) -> Result<OutboxItem> {
        store::get(&*self.db()?, item_id)
    }

    /// Approves an item in review (or a failed one, to try again); the
    /// coordinator named in Settings is recorded as the approver.
    pub fn approve_outbox_item(&self, item_id: i64) -> Result<OutboxItem> {
        let by = self.get_settings()?.coordinator_name;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let before = store::get(&tx, item_id)?;
        if !store::approve(&tx, item_id, &by, &now)? {
            return Err(Error::conflict(
                "status",
                format!(
                    "only an item in review or failed can be approved; this one is {}",
                    before.status.as_str()
                ),
            ));
        }
        let after = store::get(&tx, item_id)?;
        audit::record(
            &tx,
            &now,
            "outbox_item",
            Some(item_id),
            AuditAction::Update,
            &format!(
                "Approved {} {} for {}",
                before.operation.as_str(),
                before.peer_ip,
                before.router_name
            ),
            Some(&before),
            Some(&after),
        )?;
        tx.commit()?;
        Ok(after)
    }

    /// Moves an item to `index` (0 = first) among its router's open items.
    pub fn reorder_outbox_item(&self, item_id: i64, index: u32) -> Result<Vec<OutboxItem>> {
        let now = self.now();
        let router_id = {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            let item = store::get(&tx, item_id)?;
            let mut order = store::open_order(&tx, item.router_id)?;
            let Some(at) = order.iter().position(|id| *id == item_id) else {
                return Err(Error::conflict(
                    "status",
                    format!("a {} item is no longer in the outbox", item.status.as_str()),
                ));
            };
            order.remove(at);
            order.insert((index as usize).min(order.len()), item_id);
            for (pos, id) in order.iter().enumerate() {
                store::set_position(&tx, *id, pos as i64 + 1, &now)?;
            }
            tx.commit()?;
            item.router_id
        };
        self.list_router_outbox(Some(router_id))
    }

    /// Discards an item that is not being applied; it is kept for the record.
    pub fn discard_outbox_item(&self, item_id: i64) -> Result<OutboxItem> {
        self.transition_item(
            item_id,
            &[
                OutboxStatus::Review,
                OutboxStatus::Approved,
                OutboxStatus::Failed,
                OutboxStatus::Interrupted,
            ],
            OutboxStatus::Discarded,
            "Discarded",
        )
    }

    fn transition_item(
        &self,
        item_id: i64,
        from: &[OutboxStatus],
        to: OutboxStatus,
        verb: &str,
    ) -> Result<OutboxItem> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let before = store::get(&tx, item_id)?;
        if !store::transition(&tx, item_id, from, to, "", &now)? {
            return Err(Error::conflict(
                "status",
                format!("a {} item cannot be {verb}", before.status.as_str()).to_lowercase(),
            ));
        }
        let after = store::get(&tx, item_id)?;
        audit::record(
            &tx,
            &now,
            "outbox_item",
            Some(item_id),
            AuditAction::Update,
            &format!(
                "{verb} {} {} for {}",
                before.operation.as_str(),
                before.peer_ip,
                before.router_name
            ),
            Some(&before),
            Some(&after),
        )?;
        tx.commit()?;
        Ok(after)
    }

    /// Renders the item again with new overrides; it goes back to review (its
    /// approval no longer covers what will be sent). The diff is shown again
    /// after the router's lines are next read (review or sync).
    pub fn edit_outbox_item(
        &self,
        item_id: i64,
        overrides: &ConfigOverrides,
    ) -> Result<OutboxItem> {
        let item = self.get_outbox_item(item_id)?;
        if !matches!(
            item.status,
            OutboxStatus::Review | OutboxStatus::Approved | OutboxStatus::Failed
        ) {
            return Err(Error::conflict(
                "status",
                format!("a {} item cannot be edited", item.status.as_str()),
            ));
        }
        let rendered =
            self.render_with_md5_placeholder(item.session_id, item.operation, overrides)?;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        // Checked again inside the transaction: a sync may have claimed it meanwhile.
        let before = store::get(&tx, item_id)?;
        if before.status != item.status {
            return Err(Error::conflict(
                "status",
                format!("the item became {} meanwhile", before.status.as_str()),
            ));
        }
        store::set_render(&tx, item_id, overrides, &masked(&rendered.text), &now)?;
        let after = store::get(&tx, item_id)?;
        audit::record(
            &tx,
            &now,
            "outbox_item",
            Some(item_id),
            AuditAction::Update,
            &format!(
                "Edited {} {} for {}",
                item.operation.as_str(),
                item.peer_ip,
                item.router_name
            ),
            Some(&before),
            Some(&after),
        )?;
        tx.commit()?;
        Ok(after)
    }

    /// Reads the router's lines for every item of the router in review (one
    /// connection) and stores them with the diff, so the review shows what
    /// the router really has.
    pub fn review_outbox(&self, router_id: i64) -> Result<Vec<OutboxItem>> {
        let router = self.router(router_id)?;
        let items = store::in_status(&*self.db()?, router_id, OutboxStatus::Review)?;
        if !items.is_empty() {
            let ssh = self.reach(&router, self.connect_router(&router))?;
            for item in &items {
                let s = self.get_session(item.session_id)?;
                let rendered =
                    self.render_with_md5_placeholder(s.id, item.operation, &item.overrides)?;
                let preview =
                    self.preview_on(&*ssh, &router, &s, item.operation, &rendered.text)?;
                let now = self.now();
                let conn = self.db()?;
                store::set_reviewed(
                    &conn,
                    item.id,
                    Some(&preview.current),
                    &store::diff_text(&preview.diff),
                    &now,
                )?;
            }
        }
        self.list_router_outbox(Some(router_id))
    }

    /// What the app does on open, before any router is contacted: items a
    /// dead process left applying become interrupted. The next sync with
    /// their router reads it and records what it has.
    pub fn start_sync(&self) -> Result<Vec<i64>> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let ids = store::interrupt_applying(&tx, &now)?;
        tx.commit()?;
        Ok(ids)
    }

    /// Reachable / unreachable / last seen for every router.
    pub fn router_reachability(&self) -> Result<Vec<RouterReachability>> {
        store::reachability(&*self.db()?)
    }

    /// Probes one router now: a TCP connect to its SSH port.
    pub fn probe_router(&self, router_id: i64) -> Result<RouterReachability> {
        let router = self.router(router_id)?;
        let result = tcp_probe(&router.mgmt_address, router.ssh_port, PROBE_TIMEOUT);
        self.record_probe(router_id, result.as_ref().err().map(String::as_str))?;
        store::reachability_of(&*self.db()?, router_id)
    }

    /// Probes every router whose next probe time has come (or that was never
    /// probed): the background loop calls this and syncs the routers that
    /// answer and have approved items.
    pub fn probe_due_routers(&self) -> Result<Vec<RouterReachability>> {
        let now = self.now();
        let due: Vec<i64> = self
            .router_reachability()?
            .into_iter()
            .filter(|r| r.next_probe_at.as_deref().is_none_or(|t| t <= now.as_str()))
            .map(|r| r.router_id)
            .collect();
        due.into_iter().map(|id| self.probe_router(id)).collect()
    }

    fn record_probe(&self, router_id: i64, error: Option<&str>) -> Result<()> {
        let now = self.clock.now();
        let conn = self.db()?;
        store::record_probe(
            &conn,
            router_id,
            error.is_none(),
            error.unwrap_or(""),
            &crate::clock::stamp(now),
            |failures| crate::clock::stamp(now + next_probe_delay(failures)),
        )
    }

    /// Passes a router call's result through, noting reachability on the way:
    /// an answer means reachable, `unreachable` means down.
    pub(crate) fn reach<T>(&self, router: &Router, result: Result<T>) -> Result<T> {
        match &result {
            Ok(_) => self.record_probe(router.id, None)?,
            Err(e @ Error::Unreachable(_)) => self.record_probe(router.id, Some(&e.to_string()))?,
            Err(_) => {}
        }
        result
    }

    /// Syncs with a router: pull, drift, reconcile interrupted items, then
    /// apply the approved items in order. Drift is only reported.
    pub fn sync_router(&self, router_id: i64) -> Result<SyncReport> {
        self.sync_router_with(router_id, PEER_WAIT)
    }

    /// [`Self::sync_router`] with how long each push waits for its session.
    pub fn sync_router_with(&self, router_id: i64, peer_wait: Duration) -> Result<SyncReport> {
        let router = self.router(router_id)?;
        let mut log = Vec::new();
        let neighbours = self.reach(&router, self.discover(&router))?;
        log.push(format!(
            "read {} neighbours from {}",
            neighbours.len(),
            router.name
        ));
        let sessions = self.list_sessions(&SessionFilter {
            router_id: Some(router_id),
            ..Default::default()
        })?;
        self.record_pulled_states(&neighbours, &sessions)?;
        let drift = compute_drift(&neighbours, &sessions);
        log.push(format!(
            "drift: {} on the router only, {} missing on the router, {} differing",
            drift.on_router_only.len(),
            drift.missing_on_router.len(),
            drift.differing.len()
        ));
        let reconciled = self.reconcile_interrupted_items(&router, &neighbours, &mut log)?;
        let items = self.apply_approved(&router, peer_wait, &mut log)?;
        let applied = items
            .iter()
            .filter(|i| i.outcome == ItemOutcome::Applied)
            .count();
        let returned = items
            .iter()
            .filter(|i| i.outcome == ItemOutcome::ReturnedToReview)
            .count();
        let failed = items
            .iter()
            .filter(|i| i.outcome == ItemOutcome::Failed)
            .count();
        let mut message = format!("{}: {applied} applied", router.name);
        if returned > 0 {
            message.push_str(&format!(", {returned} back to review"));
        }
        if failed > 0 {
            message.push_str(&format!(", {failed} refused"));
        }
        if !drift.is_empty() {
            message.push_str("; the router differs from Peerdesk (see drift)");
        }
        Ok(SyncReport {
            router_id,
            router_name: router.name,
            neighbours: neighbours.len() as u32,
            drift,
            reconciled,
            items,
            message,
            log,
        })
    }

    /// The pull's BGP states go onto the sessions (as Update Session States
    /// would); their configuration state is left alone.
    fn record_pulled_states(
        &self,
        neighbours: &[DiscoveredNeighbor],
        sessions: &[Session],
    ) -> Result<()> {
        let by_ip: HashMap<String, &DiscoveredNeighbor> =
            neighbours.iter().map(|n| (ip_key(&n.peer_ip), n)).collect();
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        for s in sessions {
            let state = by_ip.get(&ip_key(&s.peer_ip)).and_then(|n| n.bgp_state);
            crate::peering::set_states(&tx, s.id, s.config_state, state, Some(&now))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Interrupted items of this router: the session gets the state the
    /// router shows (configured only when the router has the neighbour); an
    /// item whose change the router shows is applied, any other goes back to
    /// review. Nothing is pushed.
    fn reconcile_interrupted_items(
        &self,
        router: &Router,
        neighbours: &[DiscoveredNeighbor],
        log: &mut Vec<String>,
    ) -> Result<Vec<ItemResult>> {
        let items = store::in_status(&*self.db()?, router.id, OutboxStatus::Interrupted)?;
        let mut out = Vec::new();
        for item in items {
            let n = neighbours
                .iter()
                .find(|n| ip_key(&n.peer_ip) == ip_key(&item.peer_ip));
            let done = drift::router_has_change(item.operation, n);
            let s = self.get_session(item.session_id)?;
            let now = self.now();
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            let config_state = if n.is_some() {
                ConfigState::Configured
            } else {
                ConfigState::NotConfigured
            };
            crate::peering::set_states(
                &tx,
                s.id,
                config_state,
                n.and_then(|n| n.bgp_state),
                Some(&now),
            )?;
            if let Some(n) = n {
                crate::peering::set_admin_state(
                    &tx,
                    s.id,
                    if n.admin_down {
                        AdminState::Down
                    } else {
                        AdminState::Up
                    },
                )?;
            }
            let (to, outcome, message) = if done {
                (
                    OutboxStatus::Applied,
                    ItemOutcome::Applied,
                    "interrupted; the router has the change".to_string(),
                )
            } else {
                (
                    OutboxStatus::Review,
                    ItemOutcome::ReturnedToReview,
                    "interrupted before the router took the change: review and approve it again"
                        .to_string(),
                )
            };
            store::transition(
                &tx,
                item.id,
                &[OutboxStatus::Interrupted],
                to,
                if done { "" } else { &message },
                &now,
            )?;
            let after = crate::peering::get_session_in(&tx, s.id)?;
            audit::record(
                &tx,
                &now,
                "session",
                Some(s.id),
                AuditAction::Update,
                &format!(
                    "Reconciled {} on {} after an interruption: {}",
                    s.peer_ip,
                    router.name,
                    if n.is_some() {
                        "the router has the neighbour"
                    } else {
                        "the router does not have the neighbour"
                    }
                ),
                Some(&s),
                Some(&after),
            )?;
            tx.commit()?;
            drop(conn);
            let mut message = message;
            if done && item.then_delete {
                self.delete_after_removal(&item)?;
                message.push_str("; the session is deleted, as asked");
            }
            log.push(format!(
                "{} {}: {message}",
                item.operation.as_str(),
                item.peer_ip
            ));
            out.push(ItemResult {
                item_id: item.id,
                session_id: item.session_id,
                peer_ip: item.peer_ip,
                operation: item.operation,
                outcome,
                message,
            });
        }
        Ok(out)
    }

    /// Sends a checked item back to review with what the router has now.
    fn back_to_review(
        &self,
        item: &OutboxItem,
        current: Option<&str>,
        diff: &[DiffLine],
        why: &str,
    ) -> Result<()> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        if current.is_some() {
            store::set_reviewed(&tx, item.id, current, &store::diff_text(diff), &now)?;
        }
        store::transition(
            &tx,
            item.id,
            &[OutboxStatus::Approved],
            OutboxStatus::Review,
            why,
            &now,
        )?;
        audit::record(
            &tx,
            &now,
            "outbox_item",
            Some(item.id),
            AuditAction::Update,
            &format!(
                "Not applied {} {} on {}: {why}",
                item.operation.as_str(),
                item.peer_ip,
                item.router_name
            ),
            None::<&()>,
            None::<&()>,
        )?;
        tx.commit()?;
        Ok(())
    }

    fn apply_approved(
        &self,
        router: &Router,
        peer_wait: Duration,
        log: &mut Vec<String>,
    ) -> Result<Vec<ItemResult>> {
        let items = store::in_status(&*self.db()?, router.id, OutboxStatus::Approved)?;
        let mut out = Vec::new();
        if items.is_empty() {
            return Ok(out);
        }
        let ssh = self.reach(router, self.connect_router(router))?;
        // A session whose earlier item did not go through keeps its later
        // items: they were ordered after it on purpose.
        let mut held_sessions: Vec<i64> = Vec::new();
        let mut router_gone: Option<String> = None;
        for item in items {
            let result = |outcome, message: String| ItemResult {
                item_id: item.id,
                session_id: item.session_id,
                peer_ip: item.peer_ip.clone(),
                operation: item.operation,
                outcome,
                message,
            };
            if let Some(why) = &router_gone {
                out.push(result(ItemOutcome::Held, why.clone()));
                continue;
            }
            if held_sessions.contains(&item.session_id) {
                out.push(result(
                    ItemOutcome::Held,
                    "an earlier item of this session did not go through".into(),
                ));
                continue;
            }
            let s = self.get_session(item.session_id)?;
            let overrides = item.overrides.clone();
            let rendered = self.render_with_md5_placeholder(s.id, item.operation, &overrides)?;
            if masked(&rendered.text) != item.rendered {
                let why = "the configuration renders differently now (template or session changed): review it again";
                self.store_render(&item, &rendered.text, why)?;
                log.push(format!("{} {}: {why}", item.operation.as_str(), s.peer_ip));
                out.push(result(ItemOutcome::ReturnedToReview, why.into()));
                held_sessions.push(s.id);
                continue;
            }
            let preview = match self.preview_on(&*ssh, router, &s, item.operation, &rendered.text) {
                Ok(p) => p,
                Err(e) if leaves_router_untouched(&e) => {
                    let why = format!("not tried: {e}");
                    router_gone = Some(why.clone());
                    out.push(result(ItemOutcome::Held, why));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !drift::still_matches(
                item.reviewed_current.as_deref(),
                item.operation,
                &preview.current,
            ) {
                let why = "the router's configuration of this neighbour changed since it was reviewed: review the new diff";
                self.back_to_review(&item, Some(&preview.current), &preview.diff, why)?;
                log.push(format!("{} {}: {why}", item.operation.as_str(), s.peer_ip));
                out.push(result(ItemOutcome::ReturnedToReview, why.into()));
                held_sessions.push(s.id);
                continue;
            }
            // Claimed in its own transaction before anything is sent: if the
            // process dies during the push, the item is found applying.
            {
                let now = self.now();
                let mut conn = self.db()?;
                let tx = conn.transaction()?;
                let claimed = store::transition(
                    &tx,
                    item.id,
                    &[OutboxStatus::Approved],
                    OutboxStatus::Applying,
                    "",
                    &now,
                )?;
                if claimed && item.reviewed_current.is_none() {
                    store::set_reviewed(
                        &tx,
                        item.id,
                        Some(&preview.current),
                        &store::diff_text(&preview.diff),
                        &now,
                    )?;
                }
                tx.commit()?;
                if !claimed {
                    continue;
                }
            }
            let pushed = self.push_session_config(s.id, item.operation, &overrides, peer_wait);
            let now = self.now();
            let conn = self.db()?;
            let applying = [OutboxStatus::Applying];
            match pushed {
                Ok(o) => {
                    store::transition(&conn, item.id, &applying, OutboxStatus::Applied, "", &now)?;
                    drop(conn);
                    let mut message = o.message;
                    if item.then_delete {
                        self.delete_after_removal(&item)?;
                        message.push_str("; the session is deleted, as asked");
                    }
                    log.push(format!(
                        "{} {}: {message}",
                        item.operation.as_str(),
                        s.peer_ip
                    ));
                    out.push(result(ItemOutcome::Applied, message));
                }
                Err(e) => {
                    let message = e.to_string();
                    let (to, outcome) = if leaves_router_untouched(&e) {
                        router_gone = Some(format!("not tried: {message}"));
                        (OutboxStatus::Approved, ItemOutcome::Held)
                    } else if matches!(e, Error::ConnectionLost { .. }) {
                        router_gone = Some(format!("not tried: {message}"));
                        (OutboxStatus::Interrupted, ItemOutcome::Interrupted)
                    } else {
                        (OutboxStatus::Failed, ItemOutcome::Failed)
                    };
                    store::transition(&conn, item.id, &applying, to, &message, &now)?;
                    log.push(format!(
                        "{} {}: {message}",
                        item.operation.as_str(),
                        s.peer_ip
                    ));
                    held_sessions.push(s.id);
                    out.push(result(outcome, message));
                }
            }
        }
        Ok(out)
    }

    /// An approved item whose text renders differently now goes back to
    /// review with the new text: the approval covered the old one.
    fn store_render(&self, item: &OutboxItem, rendered: &str, why: &str) -> Result<()> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        store::set_render(&tx, item.id, &item.overrides, &masked(rendered), &now)?;
        store::transition(
            &tx,
            item.id,
            &[OutboxStatus::Review],
            OutboxStatus::Review,
            why,
            &now,
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Event channels: a router's reachability changed (payload
/// [`RouterReachability`]), and a sync ended (payload [`SyncReport`]).
pub const EVENT_REACHABILITY: &str = "router-reachability";
pub const EVENT_SYNC_FINISHED: &str = "sync-finished";
/// A sync could not run (payload `{ routerId, kind, message }`).
pub const EVENT_SYNC_FAILED: &str = "sync-failed";

/// How often the background task looks at the probe times and the outbox.
const TICK: Duration = Duration::from_secs(5);

/// The background side of offline first, for as long as the app runs: at
/// start, items a dead process left applying become interrupted; then every
/// few seconds the routers due for a probe are probed, and every router that
/// answers and has approved or interrupted items is synced. A router whose
/// sync fails for another reason than being down (credentials, host key) is
/// tried again on the probe backoff, not every tick.
pub async fn run_sync_loop<H: crate::jobs::CoreHandle>(
    handle: H,
    events: std::sync::Arc<dyn crate::events::EventSink>,
) {
    {
        let h = handle.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || h.core().start_sync()).await {
            events.emit(
                EVENT_SYNC_FAILED,
                serde_json::json!({ "routerId": null, "kind": e.kind(), "message": e.to_string() }),
            );
        }
    }
    let mut known: HashMap<i64, Option<bool>> = HashMap::new();
    let mut retry_after: HashMap<i64, (u32, tokio::time::Instant)> = HashMap::new();
    loop {
        let (h, ev) = (handle.clone(), events.clone());
        let previous = known.clone();
        let pending = retry_after
            .iter()
            .filter(|(_, (_, at))| *at > tokio::time::Instant::now())
            .map(|(id, _)| *id)
            .collect::<Vec<i64>>();
        let ran =
            tokio::task::spawn_blocking(move || sync_tick(h.core(), &*ev, &previous, &pending))
                .await;
        if let Ok(Ok((now_known, outcomes))) = ran {
            known = now_known;
            for (router_id, ok) in outcomes {
                if ok {
                    retry_after.remove(&router_id);
                } else {
                    let failures = retry_after.get(&router_id).map_or(0, |(f, _)| *f) + 1;
                    let wait = next_probe_delay(failures)
                        .to_std()
                        .unwrap_or(Duration::from_secs(300));
                    retry_after.insert(router_id, (failures, tokio::time::Instant::now() + wait));
                }
            }
        }
        tokio::time::sleep(TICK).await;
    }
}

/// One round of the background task: probes, reachability events, syncs.
/// Returns what each router's reachability is now and, per router synced,
/// whether the sync ran.
#[allow(clippy::type_complexity)]
fn sync_tick(
    core: &Peerdesk,
    events: &dyn crate::events::EventSink,
    previous: &HashMap<i64, Option<bool>>,
    waiting: &[i64],
) -> Result<(HashMap<i64, Option<bool>>, Vec<(i64, bool)>)> {
    core.probe_due_routers()?;
    let all = core.router_reachability()?;
    for r in &all {
        if previous.get(&r.router_id) != Some(&r.reachable) {
            events.emit(
                EVENT_REACHABILITY,
                serde_json::to_value(r).unwrap_or_default(),
            );
        }
    }
    // A router that could not be reached answers again: the network is
    // likely back, so a PeeringDB sync waiting to retry goes now.
    if all
        .iter()
        .any(|r| r.reachable == Some(true) && previous.get(&r.router_id) == Some(&Some(false)))
    {
        core.network_returned()?;
    }
    // What was reported now: a change during the syncs below shows next round.
    let reported = all.iter().map(|r| (r.router_id, r.reachable)).collect();
    let mut outcomes = Vec::new();
    for r in all.iter().filter(|r| r.reachable == Some(true)) {
        if waiting.contains(&r.router_id) {
            continue;
        }
        let interrupted = store::in_status(&*core.db()?, r.router_id, OutboxStatus::Interrupted)?;
        if r.approved_items == 0 && interrupted.is_empty() {
            continue;
        }
        match core.sync_router(r.router_id) {
            Ok(report) => {
                events.emit(
                    EVENT_SYNC_FINISHED,
                    serde_json::to_value(&report).unwrap_or_default(),
                );
                // Items held back (the router went away mid-sync) wait for the backoff too.
                let all_tried = !report.items.iter().any(|i| i.outcome == ItemOutcome::Held);
                outcomes.push((r.router_id, all_tried));
            }
            Err(e) => {
                events.emit(
                    EVENT_SYNC_FAILED,
                    serde_json::json!({
                        "routerId": r.router_id,
                        "kind": e.kind(),
                        "message": e.to_string(),
                    }),
                );
                outcomes.push((r.router_id, false));
            }
        }
    }
    Ok((reported, outcomes))
}

/// A TCP connect to the router's SSH port within `timeout`; the error in words.
fn tcp_probe(host: &str, port: u16, timeout: Duration) -> std::result::Result<(), String> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("{host} cannot be resolved: {e}"))?
        .collect();
    let mut last = format!("{host} has no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return Ok(()),
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_back_off_from_five_seconds_doubling_to_five_minutes() {
        let secs: Vec<i64> = (0..=10)
            .map(|f| next_probe_delay(f).num_seconds())
            .collect();
        assert_eq!(secs, vec![60, 5, 10, 20, 40, 80, 160, 300, 300, 300, 300]);
        assert_eq!(
            next_probe_delay(u32::MAX).num_seconds(),
            300,
            "no overflow after a long outage"
        );
    }

    #[test]
    fn a_closed_port_is_unreachable_and_a_listening_one_reachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(tcp_probe("127.0.0.1", port, Duration::from_secs(2)), Ok(()));
        drop(listener);
        assert!(tcp_probe("127.0.0.1", port, Duration::from_secs(2)).is_err());
    }

    #[test]
    fn stored_diffs_read_back_as_they_were() {
        use crate::templating::diff::line_diff;
        let diff = line_diff("a\nb\n", "a\nc\n");
        assert_eq!(store::diff_from(&store::diff_text(&diff)), diff);
    }
}
