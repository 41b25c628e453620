//! SQL for `outbox_items` and `router_reachability`.

use super::{OutboxItem, OutboxStatus, RouterReachability};
use crate::error::{Error, Result};
use crate::templating::config::ConfigOverrides;
use crate::templating::config::{ConfigOperation, OPERATIONS};
use crate::templating::diff::{DiffKind, DiffLine};
use rusqlite::{params, Connection, OptionalExtension, Row};

crate::values::text_enum!(OutboxStatus {
    Review => "review", Approved => "approved", Applying => "applying", Applied => "applied",
    Failed => "failed", Interrupted => "interrupted", Discarded => "discarded"
});

/// Items that still need something from the user or the router.
pub(super) const OPEN: &str = "('review', 'approved', 'applying', 'failed', 'interrupted')";

const COLUMNS: &str = "o.id, o.router_id, r.name, o.session_id, s.peer_ip, n.asn, n.name,
    o.operation, o.overrides, o.rendered, o.reviewed_current, o.diff, o.status, o.position,
    o.approved_by, o.approved_at, o.created_at, o.updated_at, o.applied_at, o.last_error,
    o.then_delete";

const FROM: &str = "outbox_items o
    JOIN routers r ON r.id = o.router_id
    JOIN sessions s ON s.id = o.session_id
    JOIN networks n ON n.id = s.network_id";

pub(super) fn operation_from(text: &str) -> Option<ConfigOperation> {
    OPERATIONS.iter().copied().find(|o| o.as_str() == text)
}

/// The diff as stored: one line each, `  `, `+ ` or `- ` and the text.
pub(super) fn diff_text(diff: &[DiffLine]) -> String {
    diff.iter()
        .map(|d| {
            let mark = match d.kind {
                DiffKind::Same => "  ",
                DiffKind::Added => "+ ",
                DiffKind::Removed => "- ",
            };
            format!("{mark}{}\n", d.text)
        })
        .collect()
}

pub(super) fn diff_from(text: &str) -> Vec<DiffLine> {
    text.lines()
        .map(|l| {
            let (kind, rest) = match l.get(..2) {
                Some("+ ") => (DiffKind::Added, &l[2..]),
                Some("- ") => (DiffKind::Removed, &l[2..]),
                _ => (DiffKind::Same, l.get(2..).unwrap_or("")),
            };
            DiffLine {
                kind,
                text: rest.to_string(),
            }
        })
        .collect()
}

fn item_from(r: &Row<'_>) -> rusqlite::Result<OutboxItem> {
    let op: String = r.get(7)?;
    let overrides: String = r.get(8)?;
    let diff: String = r.get(11)?;
    Ok(OutboxItem {
        id: r.get(0)?,
        router_id: r.get(1)?,
        router_name: r.get(2)?,
        session_id: r.get(3)?,
        peer_ip: r.get(4)?,
        asn: r.get(5)?,
        network_name: r.get(6)?,
        operation: operation_from(&op).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                7,
                rusqlite::types::Type::Text,
                format!("unknown operation {op}").into(),
            )
        })?,
        overrides: serde_json::from_str::<ConfigOverrides>(&overrides).unwrap_or_default(),
        rendered: r.get(9)?,
        reviewed_current: r.get(10)?,
        diff: diff_from(&diff),
        status: r.get(12)?,
        position: r.get(13)?,
        approved_by: r.get(14)?,
        approved_at: r.get(15)?,
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
        applied_at: r.get(18)?,
        last_error: r.get(19)?,
        then_delete: r.get(20)?,
    })
}

pub(super) struct NewItem<'a> {
    pub router_id: i64,
    pub session_id: i64,
    pub operation: ConfigOperation,
    pub overrides: &'a ConfigOverrides,
    pub rendered: &'a str,
    pub then_delete: bool,
}

pub(super) fn insert(conn: &Connection, item: &NewItem<'_>, now: &str) -> Result<i64> {
    let position: i64 = conn.query_row(
        "SELECT coalesce(max(position), 0) + 1 FROM outbox_items WHERE router_id = ?1",
        [item.router_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO outbox_items (router_id, session_id, operation, overrides, rendered, status,
             position, created_at, updated_at, then_delete)
         VALUES (?1, ?2, ?3, ?4, ?5, 'review', ?6, ?7, ?7, ?8)",
        params![
            item.router_id,
            item.session_id,
            item.operation.as_str(),
            serde_json::to_string(item.overrides).unwrap_or_else(|_| "{}".into()),
            item.rendered,
            position,
            now,
            item.then_delete
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The item just inserted, with its creation recorded in the audit log.
pub(super) fn audited_new(
    conn: &Connection,
    id: i64,
    now: &str,
    summary: &str,
) -> Result<OutboxItem> {
    let item = get(conn, id)?;
    crate::audit::record(
        conn,
        now,
        "outbox_item",
        Some(id),
        crate::audit::AuditAction::Create,
        summary,
        None::<&()>,
        Some(&item),
    )?;
    Ok(item)
}

pub(super) fn get(conn: &Connection, id: i64) -> Result<OutboxItem> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE o.id = ?1"),
        [id],
        item_from,
    )
    .optional()?
    .ok_or_else(|| Error::not_found("outbox item", id))
}

/// Open items, by router and position; of one router when given.
pub(super) fn list_open(conn: &Connection, router_id: Option<i64>) -> Result<Vec<OutboxItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE o.status IN {OPEN} AND (?1 IS NULL OR o.router_id = ?1)
         ORDER BY r.name, o.router_id, o.position, o.id"
    ))?;
    let out = stmt
        .query_map([router_id], item_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// Finished items (applied or discarded), newest first; of one router when given.
pub(super) fn list_done(
    conn: &Connection,
    router_id: Option<i64>,
    limit: u32,
) -> Result<Vec<OutboxItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE o.status IN ('applied', 'discarded') AND (?1 IS NULL OR o.router_id = ?1)
         ORDER BY o.updated_at DESC, o.id DESC LIMIT ?2"
    ))?;
    let out = stmt
        .query_map(params![router_id, limit], item_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

pub(super) fn in_status(
    conn: &Connection,
    router_id: i64,
    status: OutboxStatus,
) -> Result<Vec<OutboxItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE o.router_id = ?1 AND o.status = ?2
         ORDER BY o.position, o.id"
    ))?;
    let out = stmt
        .query_map(params![router_id, status], item_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// An open item of the same session and operation, if any.
pub(super) fn open_duplicate(
    conn: &Connection,
    session_id: i64,
    op: ConfigOperation,
) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT id FROM outbox_items
                 WHERE session_id = ?1 AND operation = ?2 AND status IN {OPEN} LIMIT 1"
            ),
            params![session_id, op.as_str()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Moves an item from one of `from` to `to`; false when it was in none of them.
pub(super) fn transition(
    conn: &Connection,
    id: i64,
    from: &[OutboxStatus],
    to: OutboxStatus,
    last_error: &str,
    now: &str,
) -> Result<bool> {
    let list = from
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let n = conn.execute(
        &format!(
            "UPDATE outbox_items SET status = ?2, last_error = ?3, updated_at = ?4,
                 applied_at = CASE WHEN ?2 = 'applied' THEN ?4 ELSE applied_at END,
                 approved_by = CASE WHEN ?2 = 'review' THEN NULL ELSE approved_by END,
                 approved_at = CASE WHEN ?2 = 'review' THEN NULL ELSE approved_at END
             WHERE id = ?1 AND status IN ({list})"
        ),
        params![id, to, last_error, now],
    )?;
    Ok(n == 1)
}

pub(super) fn approve(conn: &Connection, id: i64, by: &str, now: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE outbox_items SET status = 'approved', approved_by = ?2, approved_at = ?3,
             updated_at = ?3, last_error = ''
         WHERE id = ?1 AND status IN ('review', 'failed')",
        params![id, by, now],
    )?;
    Ok(n == 1)
}

/// What the router had when the item was (re)reviewed, and the diff against it.
pub(super) fn set_reviewed(
    conn: &Connection,
    id: i64,
    current: Option<&str>,
    diff: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox_items SET reviewed_current = ?2, diff = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, current, diff, now],
    )?;
    Ok(())
}

pub(super) fn set_render(
    conn: &Connection,
    id: i64,
    overrides: &ConfigOverrides,
    rendered: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox_items SET overrides = ?2, rendered = ?3, diff = '', status = 'review',
             approved_by = NULL, approved_at = NULL, last_error = '', updated_at = ?4
         WHERE id = ?1",
        params![
            id,
            serde_json::to_string(overrides).unwrap_or_else(|_| "{}".into()),
            rendered,
            now
        ],
    )?;
    Ok(())
}

/// The ids of a router's open items in their order.
pub(super) fn open_order(conn: &Connection, router_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM outbox_items WHERE router_id = ?1 AND status IN {OPEN}
         ORDER BY position, id"
    ))?;
    let out = stmt
        .query_map([router_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(out)
}

pub(super) fn set_position(conn: &Connection, id: i64, position: i64, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox_items SET position = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, position, now],
    )?;
    Ok(())
}

/// Every item left applying by a process that is gone becomes interrupted.
pub(super) fn interrupt_applying(conn: &Connection, now: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE outbox_items SET status = 'interrupted', updated_at = ?1,
             last_error = 'Peerdesk stopped while this change was being applied'
         WHERE status = 'applying' RETURNING id",
    )?;
    let ids = stmt
        .query_map([now], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

const REACH_COLUMNS: &str = "r.id, r.name, x.reachable, x.failures, x.last_probe_at,
    x.last_seen_at, x.next_probe_at, x.last_error,
    (SELECT count(*) FROM outbox_items o WHERE o.router_id = r.id AND o.status = 'approved')";

fn reach_from(r: &Row<'_>) -> rusqlite::Result<RouterReachability> {
    Ok(RouterReachability {
        router_id: r.get(0)?,
        router_name: r.get(1)?,
        reachable: r.get(2)?,
        failures: r.get::<_, Option<u32>>(3)?.unwrap_or(0),
        last_probe_at: r.get(4)?,
        last_seen_at: r.get(5)?,
        next_probe_at: r.get(6)?,
        last_error: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
        approved_items: r.get(8)?,
    })
}

pub(super) fn reachability(conn: &Connection) -> Result<Vec<RouterReachability>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REACH_COLUMNS} FROM routers r
         LEFT JOIN router_reachability x ON x.router_id = r.id ORDER BY r.name"
    ))?;
    let out = stmt
        .query_map([], reach_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

pub(super) fn reachability_of(conn: &Connection, router_id: i64) -> Result<RouterReachability> {
    conn.query_row(
        &format!(
            "SELECT {REACH_COLUMNS} FROM routers r
             LEFT JOIN router_reachability x ON x.router_id = r.id WHERE r.id = ?1"
        ),
        [router_id],
        reach_from,
    )
    .optional()?
    .ok_or_else(|| Error::not_found("router", router_id))
}

/// Brings a router's next probe forward to `at` (never later than it was):
/// a change just queued for it should not wait out a long backoff.
pub(super) fn probe_soon(conn: &Connection, router_id: i64, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE router_reachability SET next_probe_at = ?2
         WHERE router_id = ?1 AND (next_probe_at IS NULL OR next_probe_at > ?2)",
        params![router_id, at],
    )?;
    Ok(())
}

/// Records a probe: a success resets the failure count and sets last seen.
pub(super) fn record_probe(
    conn: &Connection,
    router_id: i64,
    reachable: bool,
    error: &str,
    now: &str,
    next_probe_at: impl Fn(u32) -> String,
) -> Result<()> {
    let failures: u32 = if reachable {
        0
    } else {
        conn.query_row(
            "SELECT failures FROM router_reachability WHERE router_id = ?1",
            [router_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0)
            + 1
    };
    conn.execute(
        "INSERT INTO router_reachability
             (router_id, reachable, failures, last_probe_at, last_seen_at, next_probe_at, last_error)
         VALUES (?1, ?2, ?3, ?4, CASE WHEN ?2 THEN ?4 END, ?5, ?6)
         ON CONFLICT (router_id) DO UPDATE SET
             reachable = excluded.reachable, failures = excluded.failures,
             last_probe_at = excluded.last_probe_at,
             last_seen_at = coalesce(excluded.last_seen_at, router_reachability.last_seen_at),
             next_probe_at = excluded.next_probe_at, last_error = excluded.last_error",
        params![
            router_id,
            reachable,
            failures,
            now,
            next_probe_at(failures),
            error
        ],
    )?;
    Ok(())
}
