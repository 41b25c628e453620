//! SQL for `settings` and `own_asns`.

use super::Settings;
use crate::error::Result;
use rusqlite::{params, Connection};

pub(super) fn get(conn: &Connection) -> Result<Settings> {
    let (
        org_name,
        coordinator_name,
        coordinator_email,
        peeringdb_url,
        max_prefix_extra,
        max_prefix_factor,
    ) = conn.query_row(
        "SELECT org_name, coordinator_name, coordinator_email, peeringdb_url, max_prefix_extra,
                max_prefix_factor FROM settings WHERE id = 1",
        [],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let mut stmt = conn.prepare_cached("SELECT asn FROM own_asns ORDER BY position")?;
    let own_asns = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<u32>>>()?;
    Ok(Settings {
        own_asns,
        org_name,
        coordinator_name,
        coordinator_email,
        peeringdb_url,
        max_prefix_extra,
        max_prefix_factor,
    })
}

pub(crate) fn put(conn: &Connection, s: &Settings) -> Result<()> {
    conn.execute(
        "UPDATE settings SET org_name = ?1, coordinator_name = ?2, coordinator_email = ?3,
            peeringdb_url = ?4, max_prefix_extra = ?5, max_prefix_factor = ?6 WHERE id = 1",
        params![
            s.org_name,
            s.coordinator_name,
            s.coordinator_email,
            s.peeringdb_url,
            s.max_prefix_extra,
            s.max_prefix_factor
        ],
    )?;
    conn.execute("DELETE FROM own_asns", [])?;
    let mut stmt = conn.prepare_cached("INSERT INTO own_asns (asn, position) VALUES (?1, ?2)")?;
    for (i, asn) in s.own_asns.iter().enumerate() {
        stmt.execute(params![asn, i as i64])?;
    }
    Ok(())
}
