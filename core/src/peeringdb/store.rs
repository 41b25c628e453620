//! SQL over the `pdb_*` mirror tables and the sync history.

use super::{
    AvailablePeer, CommonExchange, PdbContact, PdbExchange, PdbNetwork, PdbPresence,
    PeeringDbStatus, SyncRun, SyncWarning,
};
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

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
        memberships: count("pdb_netixlan")?,
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
        .prepare_cached(&format!("{NET} WHERE asn = ?1 ORDER BY id LIMIT 1"))?
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

pub(super) fn networks_by_name(conn: &Connection, q: &str, limit: u32) -> Result<Vec<PdbNetwork>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{NET} WHERE name LIKE ?1 ESCAPE '\\' OR aka LIKE ?1 ESCAPE '\\'
         ORDER BY (name LIKE ?2 ESCAPE '\\') DESC, name LIMIT ?3"
    ))?;
    let prefix = format!(
        "{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = stmt.query_map(params![like(q), prefix, limit], net_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const PRESENCE: &str =
    "SELECT n.ix_id, ix.name, n.asn, n.ipaddr4, n.ipaddr6, n.speed, n.is_rs_peer, n.operational
    FROM pdb_netixlan n JOIN pdb_ix ix ON ix.id = n.ix_id";

fn presence_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PdbPresence> {
    Ok(PdbPresence {
        ix_id: r.get(0)?,
        ix_name: r.get(1)?,
        asn: r.get(2)?,
        ipaddr4: r.get(3)?,
        ipaddr6: r.get(4)?,
        speed: r
            .get::<_, Option<i64>>(5)?
            .and_then(|v| u32::try_from(v).ok()),
        is_rs_peer: r.get(6)?,
        operational: r.get(7)?,
    })
}

pub(super) fn presences_of(
    conn: &Connection,
    asn: u32,
    ix: Option<i64>,
) -> Result<Vec<PdbPresence>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{PRESENCE} WHERE n.asn = ?1 AND (?2 IS NULL OR n.ix_id = ?2) ORDER BY ix.name, n.id"
    ))?;
    let rows = stmt.query_map(params![asn, ix], presence_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Contacts in the order to write to them: Policy, NOC, Technical, then the
/// exchange's policy address. Private contacts are left out.
pub(super) fn contacts(conn: &Connection, net_id: i64, ix: Option<i64>) -> Result<Vec<PdbContact>> {
    let mut stmt = conn.prepare_cached(
        "SELECT role, name, email, phone FROM pdb_poc
         WHERE net_id = ?1 AND visible <> 'Private' AND email <> ''
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
                "SELECT name, policy_email FROM pdb_ix WHERE id = ?1",
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

const IX: &str = "SELECT ix.id,
    (SELECT min(l.id) FROM pdb_ixlan l WHERE l.ix_id = ix.id),
    ix.name, ix.name_long, ix.city, ix.country,
    (SELECT p.prefix FROM pdb_ixpfx p JOIN pdb_ixlan l ON l.id = p.ixlan_id
        WHERE l.ix_id = ix.id AND p.protocol = 'IPv4' ORDER BY p.id LIMIT 1),
    (SELECT p.prefix FROM pdb_ixpfx p JOIN pdb_ixlan l ON l.id = p.ixlan_id
        WHERE l.ix_id = ix.id AND p.protocol = 'IPv6' ORDER BY p.id LIMIT 1),
    (SELECT count(*) FROM pdb_netixlan n WHERE n.ix_id = ix.id),
    ix.policy_email
    FROM pdb_ix ix";

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
        policy_email: r.get(9)?,
    })
}

pub(super) fn exchanges_by_name(
    conn: &Connection,
    q: &str,
    limit: u32,
) -> Result<Vec<PdbExchange>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{IX} WHERE ix.name LIKE ?1 ESCAPE '\\' OR ix.name_long LIKE ?1 ESCAPE '\\' OR ix.city LIKE ?1 ESCAPE '\\'
         ORDER BY ix.name LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![like(q), limit], ix_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn exchange(conn: &Connection, ix_id: i64) -> Result<Option<PdbExchange>> {
    Ok(conn
        .prepare_cached(&format!("{IX} WHERE ix.id = ?1"))?
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
    let ours_sql = format!(
        "{PRESENCE} WHERE n.asn IN ({}) ORDER BY n.ix_id, n.id",
        own_list(own)
    );
    let ours: Vec<PdbPresence> = conn
        .prepare(&ours_sql)?
        .query_map([], presence_row)?
        .collect::<rusqlite::Result<_>>()?;
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

pub(super) fn available_peers(
    conn: &Connection,
    exchange_id: i64,
    ix: i64,
    own: &[u32],
) -> Result<Vec<AvailablePeer>> {
    let sql = format!(
        "SELECT net.id, n.asn, net.name, net.policy_general, max(n.is_rs_peer),
                net.info_never_via_route_servers, net.info_prefixes4, net.info_prefixes6,
                min(n.ipaddr4), min(n.ipaddr6)
         FROM pdb_netixlan n JOIN pdb_net net ON net.id = n.net_id
         WHERE n.ix_id = ?1
           AND n.asn NOT IN ({})
           AND n.asn NOT IN (SELECT asn FROM hidden_peers WHERE exchange_id = ?2)
           AND n.asn NOT IN (SELECT nw.asn FROM sessions s JOIN networks nw ON nw.id = s.network_id
                             WHERE s.exchange_id = ?2)
         GROUP BY n.asn ORDER BY net.name",
        own_list(own)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![ix, exchange_id], |r| {
        Ok(AvailablePeer {
            net_id: r.get(0)?,
            asn: r.get(1)?,
            name: r.get(2)?,
            policy_general: r.get(3)?,
            is_rs_peer: r.get(4)?,
            never_via_route_servers: r.get(5)?,
            info_prefixes4: r
                .get::<_, Option<i64>>(6)?
                .and_then(|v| u32::try_from(v).ok()),
            info_prefixes6: r
                .get::<_, Option<i64>>(7)?
                .and_then(|v| u32::try_from(v).ok()),
            ipaddr4: r.get(8)?,
            ipaddr6: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
