//! SQL for `templates` and `template_revisions`.

use super::TemplateRevision;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

pub(super) fn get(conn: &Connection, name: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT body, updated_at FROM templates WHERE name = ?1")?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub(super) fn put(conn: &Connection, name: &str, body: &str, now: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO templates (name, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        params![name, body, now],
    )?;
    conn.execute(
        "INSERT INTO template_revisions (name, body, saved_at) VALUES (?1, ?2, ?3)",
        params![name, body, now],
    )?;
    Ok(())
}

pub(super) fn delete(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM templates WHERE name = ?1", [name])?;
    Ok(())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TemplateRevision> {
    Ok(TemplateRevision {
        id: r.get(0)?,
        name: r.get(1)?,
        body: r.get(2)?,
        saved_at: r.get(3)?,
    })
}

pub(super) fn revisions(conn: &Connection, name: &str) -> Result<Vec<TemplateRevision>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, body, saved_at FROM template_revisions WHERE name = ?1 ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([name], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn revision(conn: &Connection, id: i64) -> Result<TemplateRevision> {
    conn.prepare_cached("SELECT id, name, body, saved_at FROM template_revisions WHERE id = ?1")?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| Error::not_found("template revision", id))
}
