//! SQL for `routers` and `router_exchanges`.

use super::{AttachmentFields, Router, RouterAttachment, RouterFields};
use crate::error::{Error, Result};
use crate::store::unique_as_conflict;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

const SELECT: &str = "SELECT id, name, mgmt_address, ssh_port, platform, username, auth_method,
    credential_ref, ssh_key_path, local_asn, notes, created_at, updated_at, control_command, config_dir,
    credential_needed
    FROM routers";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Router> {
    Ok(Router {
        id: r.get(0)?,
        name: r.get(1)?,
        mgmt_address: r.get(2)?,
        ssh_port: r.get(3)?,
        platform: r.get(4)?,
        username: r.get(5)?,
        auth_method: r.get(6)?,
        credential_ref: r.get(7)?,
        credential_needed: r.get(15)?,
        ssh_key_path: r.get(8)?,
        local_asn: r.get(9)?,
        notes: r.get(10)?,
        control_command: r.get(13)?,
        config_dir: r.get(14)?,
        attachments: Vec::new(),
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

fn attachments(conn: &Connection) -> Result<HashMap<i64, Vec<RouterAttachment>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.router_id, a.exchange_id, e.name, a.ipv4, a.ipv6
         FROM router_exchanges a JOIN exchanges e ON e.id = a.exchange_id
         ORDER BY e.name",
    )?;
    let mut map: HashMap<i64, Vec<RouterAttachment>> = HashMap::new();
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            RouterAttachment {
                exchange_id: r.get(1)?,
                exchange_name: r.get(2)?,
                ipv4: r.get(3)?,
                ipv6: r.get(4)?,
            },
        ))
    })?;
    for item in rows {
        let (router_id, a) = item?;
        map.entry(router_id).or_default().push(a);
    }
    Ok(map)
}

pub(crate) fn list_routers(conn: &Connection) -> Result<Vec<Router>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY name"))?;
    let mut routers = stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut att = attachments(conn)?;
    for r in &mut routers {
        r.attachments = att.remove(&r.id).unwrap_or_default();
    }
    Ok(routers)
}

pub(crate) fn get_router(conn: &Connection, id: i64) -> Result<Router> {
    let mut router = conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| Error::not_found("router", id))?;
    router.attachments = attachments(conn)?.remove(&id).unwrap_or_default();
    Ok(router)
}

/// Where a new router's row comes from: the Add Router form (a new id, now),
/// or an inventory file (the file's id and times, and whether the router
/// waits for its password).
pub(super) struct RouterOrigin<'a> {
    pub id: Option<i64>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    pub credential_needed: bool,
}

/// Inserts a router with validated fields; never a credential key name (that
/// is set once the secret is in the keyring). Returns its id.
pub(super) fn insert_router(conn: &Connection, f: &RouterFields, o: &RouterOrigin) -> Result<i64> {
    conn.execute(
        "INSERT INTO routers (id, name, mgmt_address, ssh_port, platform, username, auth_method,
            credential_ref, ssh_key_path, local_asn, notes, created_at, updated_at, control_command,
            config_dir, credential_needed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            o.id,
            f.name,
            f.mgmt_address,
            f.ssh_port,
            f.platform,
            f.username,
            f.auth_method,
            f.ssh_key_path,
            f.local_asn.get(),
            f.notes,
            o.created_at,
            o.updated_at,
            f.control_command,
            f.config_dir,
            o.credential_needed
        ],
    )
    .map_err(|e| unique_as_conflict(e, "name", || format!("a router named {} exists", f.name)))?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn update_router(conn: &Connection, id: i64, f: &RouterFields, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE routers SET name = ?2, mgmt_address = ?3, ssh_port = ?4, platform = ?5,
            username = ?6, auth_method = ?7, ssh_key_path = ?8, local_asn = ?9, notes = ?10,
            updated_at = ?11, control_command = ?12, config_dir = ?13
         WHERE id = ?1",
        params![
            id,
            f.name,
            f.mgmt_address,
            f.ssh_port,
            f.platform,
            f.username,
            f.auth_method,
            f.ssh_key_path,
            f.local_asn.get(),
            f.notes,
            now,
            f.control_command,
            f.config_dir
        ],
    )
    .map_err(|e| unique_as_conflict(e, "name", || format!("a router named {} exists", f.name)))?;
    Ok(())
}

/// Sets (or clears) the router's credential key name; either way the user has
/// now decided, so the router no longer waits for a password to be entered.
pub(super) fn set_credential_ref(conn: &Connection, id: i64, key: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE routers SET credential_ref = ?2, credential_needed = 0 WHERE id = ?1",
        params![id, key],
    )?;
    Ok(())
}

pub(crate) fn insert_attachment(
    conn: &Connection,
    router_id: i64,
    a: &AttachmentFields,
) -> Result<()> {
    conn.execute(
        "INSERT INTO router_exchanges (router_id, exchange_id, ipv4, ipv6) VALUES (?1, ?2, ?3, ?4)",
        params![
            router_id,
            a.exchange_id,
            a.ipv4.map(|ip| ip.to_string()),
            a.ipv6.map(|ip| ip.to_string())
        ],
    )?;
    Ok(())
}

pub(super) fn replace_attachments(
    conn: &Connection,
    router_id: i64,
    list: &[AttachmentFields],
) -> Result<()> {
    conn.execute(
        "DELETE FROM router_exchanges WHERE router_id = ?1",
        [router_id],
    )?;
    for a in list {
        insert_attachment(conn, router_id, a)?;
    }
    Ok(())
}

pub(super) fn sessions_at(conn: &Connection, router_id: i64, exchange_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM sessions WHERE router_id = ?1 AND exchange_id = ?2",
        [router_id, exchange_id],
        |r| r.get(0),
    )?)
}

pub(super) fn sessions_on(conn: &Connection, router_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM sessions WHERE router_id = ?1",
        [router_id],
        |r| r.get(0),
    )?)
}

pub(super) fn delete_router(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM peer_groups WHERE router_id = ?1", [id])?;
    conn.execute("DELETE FROM routers WHERE id = ?1", [id])?;
    Ok(())
}

pub(crate) fn host_key(conn: &Connection, router_id: i64) -> Result<Option<super::ssh::HostKey>> {
    Ok(conn
        .prepare_cached(
            "SELECT key_type, fingerprint, key_base64 FROM host_keys WHERE router_id = ?1",
        )?
        .query_row([router_id], |r| {
            Ok(super::ssh::HostKey {
                key_type: r.get(0)?,
                fingerprint: r.get(1)?,
                key_base64: r.get(2)?,
            })
        })
        .optional()?)
}

pub(crate) fn put_host_key(
    conn: &Connection,
    router_id: i64,
    k: &super::ssh::HostKey,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO host_keys (router_id, key_type, fingerprint, key_base64, trusted_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (router_id) DO UPDATE SET key_type = excluded.key_type, fingerprint = excluded.fingerprint,
            key_base64 = excluded.key_base64, trusted_at = excluded.trusted_at",
        params![router_id, k.key_type, k.fingerprint, k.key_base64, now],
    )?;
    Ok(())
}
