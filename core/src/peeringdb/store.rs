//! SQL over the `pdb_*` mirror tables and the sync history.
//!
//! Only rows PeeringDB marks `ok` are live: every query here filters
//! `status = 'ok'` on each mirror table it reads, so a `pending` (or any other)
//! row is invisible to lookups, counts, the wizard and contacts. Addresses
//! read from the mirror are parsed back into `IpAddr` before they are shown,
//! and ports are ordered by address as numbers, not as text. Name search
//! compares Unicode case-folded keys (see [`fold`]), filled in here.

use super::{
    AvailablePeer, CommonExchange, PdbContact, PdbExchange, PdbNetwork, PdbPresence,
    PeeringDbStatus, SyncRun, SyncWarning,
};
use crate::error::Result;
use crate::values::AsSetList;
use rusqlite::{params, Connection, OptionalExtension};
use std::net::IpAddr;

pub(super) fn record_run(
    conn: &Connection,
    started: &str,
    finished: &str,
    outcome: &str,
    message: &str,
    warnings: &[SyncWarning],
) -> Result<()> {
    let warnings = serde_json::to_string(warnings).expect("warnings serialise");
    conn.execute(
        "INSERT INTO pdb_sync_runs (started_at, finished_at, outcome, message, warnings)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![started, finished, outcome, message, warnings],
    )?;
    Ok(())
}

pub(super) fn status(conn: &Connection) -> Result<PeeringDbStatus> {
    let run = |sql: &str| -> Result<Option<SyncRun>> {
        Ok(conn
            .query_row(sql, [], |r| {
                let warnings: String = r.get(4)?;
                Ok(SyncRun {
                    started_at: r.get(0)?,
                    finished_at: r.get(1)?,
                    outcome: r.get(2)?,
                    message: r.get(3)?,
                    warnings: serde_json::from_str(&warnings).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            4,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                })
            })
            .optional()?)
    };
    let last_run = run("SELECT started_at, finished_at, outcome, message, warnings FROM pdb_sync_runs ORDER BY id DESC LIMIT 1")?;
    let last_ok = run("SELECT started_at, finished_at, outcome, message, warnings FROM pdb_sync_runs WHERE outcome = 'ok' ORDER BY id DESC LIMIT 1")?;
    let count = |t: &str| -> Result<u32> {
        // Live rows only: a pending row is in the mirror but not shown.
        Ok(conn.query_row(
            &format!("SELECT count(*) FROM {t} WHERE status = 'ok'"),
            [],
            |r| r.get(0),
        )?)
    };
    Ok(PeeringDbStatus {
        last_success_at: last_ok.map(|r| r.finished_at),
        last_run,
        networks: count("pdb_net")?,
        exchanges: count("pdb_ix")?,
        memberships: conn.query_row(
            "SELECT count(*) FROM pdb_netixlan n JOIN pdb_net net ON net.id = n.net_id
             JOIN pdb_ix ix ON ix.id = n.ix_id
             WHERE n.status = 'ok' AND net.status = 'ok' AND ix.status = 'ok'",
            [],
            |r| r.get(0),
        )?,
    })
}

const NET: &str = "SELECT id, asn, name, aka, irr_as_set, info_prefixes4, info_prefixes6, info_type,
    info_never_via_route_servers, policy_general, policy_url, policy_locations, website, looking_glass, updated
    FROM pdb_net";

fn net_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PdbNetwork> {
    Ok(PdbNetwork {
        net_id: r.get(0)?,
        asn: r.get(1)?,
        name: r.get(2)?,
        aka: r.get(3)?,
        irr_as_sets: AsSetList::lenient(&r.get::<_, String>(4)?).names(),
        irr_as_set: r.get(4)?,
        info_prefixes4: r
            .get::<_, Option<i64>>(5)?
            .and_then(|v| u32::try_from(v).ok()),
        info_prefixes6: r
            .get::<_, Option<i64>>(6)?
            .and_then(|v| u32::try_from(v).ok()),
        info_type: r.get(7)?,
        never_via_route_servers: r.get(8)?,
        policy_general: r.get(9)?,
        policy_url: r.get(10)?,
        policy_locations: r.get(11)?,
        website: r.get(12)?,
        looking_glass: r.get(13)?,
        updated: r.get(14)?,
    })
}

pub(super) fn network_by_asn(conn: &Connection, asn: u32) -> Result<Option<PdbNetwork>> {
    Ok(conn
        .prepare_cached(&format!(
            "{NET} WHERE asn = ?1 AND status = 'ok' ORDER BY id LIMIT 1"
        ))?
        .query_row([asn], net_row)
        .optional()?)
}

fn like(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// The search form of a name: each character lower-cased with Unicode's full
/// mappings (`Ü` → `ü`, `Ω` → `ω`, `İ` → `i̇`), then the two folds that
/// lower-casing leaves out: final sigma to sigma and sharp s to `ss`. Both the
/// stored key and the query go through this, so case never matters, in any
/// script. (Composed and decomposed forms of one letter are not unified.)
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ς' => out.push('σ'),
            'ß' => out.push_str("ss"),
            _ => out.push(c),
        }
    }
    out
}

/// Fills the search keys of rows written since the last search (the sync
/// writes rows with NULL keys; see migration 0010). Costs one index probe
/// when there is nothing to do.
pub(super) fn refresh_search_keys(conn: &Connection) -> Result<()> {
    let nets: Vec<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT id, name, aka FROM pdb_net WHERE search_name IS NULL OR search_aka IS NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let ixs: Vec<(i64, String, String, String)> = conn
        .prepare_cached(
            "SELECT id, name, name_long, city FROM pdb_ix
             WHERE search_name IS NULL OR search_name_long IS NULL OR search_city IS NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if nets.is_empty() && ixs.is_empty() {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    {
        let mut net = tx
            .prepare_cached("UPDATE pdb_net SET search_name = ?2, search_aka = ?3 WHERE id = ?1")?;
        for (id, name, aka) in &nets {
            net.execute(params![id, fold(name), fold(aka)])?;
        }
        let mut ix = tx.prepare_cached(
            "UPDATE pdb_ix SET search_name = ?2, search_name_long = ?3, search_city = ?4
             WHERE id = ?1",
        )?;
        for (id, name, long, city) in &ixs {
            ix.execute(params![id, fold(name), fold(long), fold(city)])?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn networks_by_name(conn: &Connection, q: &str, limit: u32) -> Result<Vec<PdbNetwork>> {
    refresh_search_keys(conn)?;
    let mut stmt = conn.prepare_cached(&format!(
        "{NET} WHERE status = 'ok'
           AND (search_name LIKE ?1 ESCAPE '\\' OR search_aka LIKE ?1 ESCAPE '\\')
         ORDER BY (search_name LIKE ?2 ESCAPE '\\') DESC, name LIMIT ?3"
    ))?;
    let q = fold(q);
    let prefix = format!(
        "{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = stmt.query_map(params![like(&q), prefix, limit], net_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Live ports: the port, its exchange and its network all `ok`. A caller adds
/// its own conditions after `WHERE ... AND`.
const PRESENCE: &str =
    "SELECT n.ix_id, ix.name, n.asn, n.ipaddr4, n.ipaddr6, n.speed, n.is_rs_peer, n.operational, n.id
    FROM pdb_netixlan n JOIN pdb_ix ix ON ix.id = n.ix_id
    JOIN pdb_net net ON net.id = n.net_id
    WHERE n.status = 'ok' AND ix.status = 'ok' AND net.status = 'ok'";

/// A stored address as shown: parsed back, in canonical form, and only in
/// its own family's column; anything else is left out rather than shown.
fn checked_address(text: Option<String>, v4: bool) -> Option<String> {
    text.and_then(|t| t.trim().parse::<IpAddr>().ok())
        .filter(|ip| ip.is_ipv4() == v4)
        .map(|ip| ip.to_string())
}

/// A port's place in address order: its IPv4 then IPv6 address as numbers
/// (`…2` before `…16`); a port without an address of a family comes after
/// those with one. Computed once per port (sorts cache it), not per comparison.
type AddressKey = (bool, Option<IpAddr>, bool, Option<IpAddr>);

fn address_key(v4: &Option<String>, v6: &Option<String>) -> AddressKey {
    let ip = |v: &Option<String>| v.as_deref().and_then(|t| t.parse::<IpAddr>().ok());
    let (a, b) = (ip(v4), ip(v6));
    (a.is_none(), a, b.is_none(), b)
}

fn presence_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PdbPresence> {
    Ok(PdbPresence {
        ix_id: r.get(0)?,
        ix_name: r.get(1)?,
        asn: r.get(2)?,
        ipaddr4: checked_address(r.get(3)?, true),
        ipaddr6: checked_address(r.get(4)?, false),
        speed: r
            .get::<_, Option<i64>>(5)?
            .and_then(|v| u32::try_from(v).ok()),
        is_rs_peer: r.get(6)?,
        operational: r.get(7)?,
        netixlan_id: r.get(8)?,
    })
}

fn sort_ports(ports: &mut [PdbPresence]) {
    ports.sort_by_cached_key(|p| {
        (
            p.ix_name.clone(),
            p.ix_id,
            address_key(&p.ipaddr4, &p.ipaddr6),
            p.netixlan_id,
        )
    });
}

pub(super) fn presences_of(
    conn: &Connection,
    asn: u32,
    ix: Option<i64>,
) -> Result<Vec<PdbPresence>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{PRESENCE} AND n.asn = ?1 AND (?2 IS NULL OR n.ix_id = ?2)"
    ))?;
    let rows = stmt.query_map(params![asn, ix], presence_row)?;
    let mut ports: Vec<PdbPresence> = rows.collect::<rusqlite::Result<_>>()?;
    sort_ports(&mut ports);
    Ok(ports)
}

/// Contacts in the order to write to them: Policy, NOC, Technical, then the
/// exchange's policy address. Private contacts are left out.
pub(super) fn contacts(conn: &Connection, net_id: i64, ix: Option<i64>) -> Result<Vec<PdbContact>> {
    let mut stmt = conn.prepare_cached(
        "SELECT role, name, email, phone FROM pdb_poc
         WHERE net_id = ?1 AND status = 'ok' AND visible <> 'Private' AND email <> ''
           AND role IN ('Policy', 'NOC', 'Technical')
         ORDER BY CASE role WHEN 'Policy' THEN 0 WHEN 'NOC' THEN 1 ELSE 2 END, id",
    )?;
    let mut out: Vec<PdbContact> = stmt
        .query_map([net_id], |r| {
            Ok(PdbContact {
                role: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                phone: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(ix) = ix {
        let ixc: Option<(String, String)> = conn
            .query_row(
                "SELECT name, policy_email FROM pdb_ix WHERE id = ?1 AND status = 'ok'",
                [ix],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((name, email)) = ixc.filter(|(_, e)| !e.is_empty()) {
            out.push(PdbContact {
                role: "Exchange policy".into(),
                name,
                email,
                phone: String::new(),
            });
        }
    }
    Ok(out)
}

/// Live exchanges with their first live LAN and prefixes, members counted as
/// networks and ports separately (a network may have several ports). A
/// caller adds its own conditions after `WHERE ... AND`.
const IX: &str = "SELECT ix.id,
    (SELECT min(l.id) FROM pdb_ixlan l WHERE l.ix_id = ix.id AND l.status = 'ok'),
    ix.name, ix.name_long, ix.city, ix.country,
    (SELECT p.prefix FROM pdb_ixpfx p JOIN pdb_ixlan l ON l.id = p.ixlan_id
        WHERE l.ix_id = ix.id AND p.protocol = 'IPv4' AND p.status = 'ok' AND l.status = 'ok'
        ORDER BY p.id LIMIT 1),
    (SELECT p.prefix FROM pdb_ixpfx p JOIN pdb_ixlan l ON l.id = p.ixlan_id
        WHERE l.ix_id = ix.id AND p.protocol = 'IPv6' AND p.status = 'ok' AND l.status = 'ok'
        ORDER BY p.id LIMIT 1),
    (SELECT count(DISTINCT n.net_id) FROM pdb_netixlan n JOIN pdb_net net ON net.id = n.net_id
        WHERE n.ix_id = ix.id AND n.status = 'ok' AND net.status = 'ok'),
    (SELECT count(*) FROM pdb_netixlan n JOIN pdb_net net ON net.id = n.net_id
        WHERE n.ix_id = ix.id AND n.status = 'ok' AND net.status = 'ok'),
    ix.policy_email
    FROM pdb_ix ix
    WHERE ix.status = 'ok'";

fn ix_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PdbExchange> {
    Ok(PdbExchange {
        ix_id: r.get(0)?,
        ixlan_id: r.get(1)?,
        name: r.get(2)?,
        name_long: r.get(3)?,
        city: r.get(4)?,
        country: r.get(5)?,
        prefix_v4: r.get(6)?,
        prefix_v6: r.get(7)?,
        members: r.get(8)?,
        ports: r.get(9)?,
        policy_email: r.get(10)?,
    })
}

pub(super) fn exchanges_by_name(
    conn: &Connection,
    q: &str,
    limit: u32,
) -> Result<Vec<PdbExchange>> {
    refresh_search_keys(conn)?;
    let mut stmt = conn.prepare_cached(&format!(
        "{IX} AND (ix.search_name LIKE ?1 ESCAPE '\\' OR ix.search_name_long LIKE ?1 ESCAPE '\\'
                   OR ix.search_city LIKE ?1 ESCAPE '\\')
         ORDER BY ix.name LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![like(&fold(q)), limit], ix_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn exchange(conn: &Connection, ix_id: i64) -> Result<Option<PdbExchange>> {
    Ok(conn
        .prepare_cached(&format!("{IX} AND ix.id = ?1"))?
        .query_row([ix_id], ix_row)
        .optional()?)
}

fn own_list(own: &[u32]) -> String {
    let v: Vec<String> = own.iter().map(u32::to_string).collect();
    if v.is_empty() {
        "NULL".into()
    } else {
        v.join(",")
    }
}

pub(super) fn common_exchanges(
    conn: &Connection,
    own: &[u32],
    asn: u32,
) -> Result<Vec<CommonExchange>> {
    // `own` are validated integers, safe to inline.
    let ours_sql = format!("{PRESENCE} AND n.asn IN ({})", own_list(own));
    let mut ours: Vec<PdbPresence> = conn
        .prepare(&ours_sql)?
        .query_map([], presence_row)?
        .collect::<rusqlite::Result<_>>()?;
    sort_ports(&mut ours);
    let theirs = presences_of(conn, asn, None)?;
    let mut out: Vec<CommonExchange> = Vec::new();
    for t in theirs {
        if !ours.iter().any(|o| o.ix_id == t.ix_id) {
            continue;
        }
        if let Some(c) = out.iter_mut().find(|c| c.ix_id == t.ix_id) {
            c.theirs.push(t);
            continue;
        }
        let (city, country): (String, String) = conn.query_row(
            "SELECT city, country FROM pdb_ix WHERE id = ?1",
            [t.ix_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let local: Option<i64> = conn
            .query_row(
                "SELECT id FROM exchanges WHERE peeringdb_ix_id = ?1",
                [t.ix_id],
                |r| r.get(0),
            )
            .optional()?;
        out.push(CommonExchange {
            ix_id: t.ix_id,
            name: t.ix_name.clone(),
            city,
            country,
            local_exchange_id: local,
            ours: ours
                .iter()
                .filter(|o| o.ix_id == t.ix_id)
                .cloned()
                .collect(),
            theirs: vec![t],
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// One row per live port at the exchange, with the IPv4 and IPv6 of that same
/// port; our own networks and hidden ones left out, and so is a port one of
/// whose addresses already has a session at this exchange (a network's other
/// ports stay available: a second router's session is still to be made).
/// Ordered by network name, then by address as numbers.
pub(super) fn available_peers(
    conn: &Connection,
    exchange_id: i64,
    ix: i64,
    own: &[u32],
) -> Result<Vec<AvailablePeer>> {
    let sql = format!(
        "SELECT n.id, net.id, n.asn, net.name, net.policy_general, n.is_rs_peer,
                net.info_never_via_route_servers, net.info_prefixes4, net.info_prefixes6,
                n.ipaddr4, n.ipaddr6, n.speed
         FROM pdb_netixlan n JOIN pdb_net net ON net.id = n.net_id
         WHERE n.ix_id = ?1 AND n.status = 'ok' AND net.status = 'ok'
           AND EXISTS (SELECT 1 FROM pdb_ix WHERE id = ?1 AND status = 'ok')
           AND n.asn NOT IN ({})
           AND n.asn NOT IN (SELECT asn FROM hidden_peers WHERE exchange_id = ?2)",
        own_list(own)
    );
    let peered: std::collections::HashSet<IpAddr> = conn
        .prepare_cached("SELECT peer_ip FROM sessions WHERE exchange_id = ?1")?
        .query_map([exchange_id], |r| r.get::<_, String>(0))?
        .filter_map(|ip| ip.ok().and_then(|t| t.parse().ok()))
        .collect();
    let is_peered = |a: &Option<String>| {
        a.as_deref()
            .and_then(|t| t.parse::<IpAddr>().ok())
            .is_some_and(|ip| peered.contains(&ip))
    };
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![ix, exchange_id], |r| {
        Ok(AvailablePeer {
            netixlan_id: r.get(0)?,
            net_id: r.get(1)?,
            asn: r.get(2)?,
            name: r.get(3)?,
            policy_general: r.get(4)?,
            is_rs_peer: r.get(5)?,
            never_via_route_servers: r.get(6)?,
            info_prefixes4: r
                .get::<_, Option<i64>>(7)?
                .and_then(|v| u32::try_from(v).ok()),
            info_prefixes6: r
                .get::<_, Option<i64>>(8)?
                .and_then(|v| u32::try_from(v).ok()),
            ipaddr4: checked_address(r.get(9)?, true),
            ipaddr6: checked_address(r.get(10)?, false),
            speed: r
                .get::<_, Option<i64>>(11)?
                .and_then(|v| u32::try_from(v).ok()),
        })
    })?;
    let mut peers: Vec<AvailablePeer> = Vec::new();
    for row in rows {
        let p = row?;
        if !is_peered(&p.ipaddr4) && !is_peered(&p.ipaddr6) {
            peers.push(p);
        }
    }
    peers.sort_by_cached_key(|p| {
        (
            p.name.clone(),
            p.asn,
            address_key(&p.ipaddr4, &p.ipaddr6),
            p.netixlan_id,
        )
    });
    Ok(peers)
}

pub(super) fn set_hidden(
    conn: &Connection,
    exchange_id: i64,
    asn: u32,
    hidden: bool,
) -> Result<()> {
    if hidden {
        conn.execute(
            "INSERT OR IGNORE INTO hidden_peers (exchange_id, asn) VALUES (?1, ?2)",
            params![exchange_id, asn],
        )?;
    } else {
        conn.execute(
            "DELETE FROM hidden_peers WHERE exchange_id = ?1 AND asn = ?2",
            params![exchange_id, asn],
        )?;
    }
    Ok(())
}
