//! SQL for `audit_log`.

use super::{AuditAction, AuditEntry, AuditFilter};
use crate::error::Result;
use rusqlite::{params, Connection};
use serde::Serialize;

#[allow(clippy::too_many_arguments)]
pub(crate) fn record<O: Serialize, N: Serialize>(
    conn: &Connection,
    at: &str,
    entity: &str,
    entity_id: Option<i64>,
    action: AuditAction,
    summary: &str,
    old: Option<&O>,
    new: Option<&N>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, entity, entity_id, action, summary, old_value, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            at,
            entity,
            entity_id,
            action,
            summary,
            old.map(json),
            new.map(json),
        ],
    )?;
    Ok(())
}

fn json<T: Serialize>(value: &T) -> String {
    // Record types are plain data; serialising them cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

pub(super) fn list(conn: &Connection, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let limit = i64::from(filter.limit.unwrap_or(500).min(10_000));
    let like = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            format!(
                "%{}%",
                t.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, entity, entity_id, action, summary, old_value, new_value
         FROM audit_log
         WHERE (?1 IS NULL OR entity = ?1)
           AND (?2 IS NULL OR action = ?2)
           AND (?3 IS NULL OR summary LIKE ?3 ESCAPE '\\' OR old_value LIKE ?3 ESCAPE '\\'
                OR new_value LIKE ?3 ESCAPE '\\')
         ORDER BY id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![filter.entity, filter.action, like, limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            entity: r.get(2)?,
            entity_id: r.get(3)?,
            action: r.get(4)?,
            summary: r.get(5)?,
            old_value: r.get(6)?,
            new_value: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
