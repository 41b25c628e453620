//! SQL for `exchanges`, `peer_groups`, `networks` and `sessions`.

use super::{
    AdminState, Exchange, ExchangeFields, ExchangeSummary, Network, NewPeerGroup, PeerGroup,
    PeerGroupFields, Session, SessionFilter, SessionType,
};
use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::store::unique_as_conflict;
use crate::values;
use rusqlite::{params, Connection, OptionalExtension};

// ---- exchanges ----

const EXCHANGE: &str = "SELECT id, name, city, country, peeringdb_ix_id, peeringdb_ixlan_id,
    prefix_v4, prefix_v6, created_at, updated_at FROM exchanges";

fn exchange_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Exchange> {
    Ok(Exchange {
        id: r.get(0)?,
        name: r.get(1)?,
        city: r.get(2)?,
        country: r.get(3)?,
        peeringdb_ix_id: r.get(4)?,
        peeringdb_ixlan_id: r.get(5)?,
        prefix_v4: r.get(6)?,
        prefix_v6: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub(crate) fn get_exchange(conn: &Connection, id: i64) -> Result<Exchange> {
    conn.prepare_cached(&format!("{EXCHANGE} WHERE id = ?1"))?
        .query_row([id], exchange_row)
        .optional()?
        .ok_or_else(|| Error::not_found("exchange", id))
}

pub(crate) fn list_exchanges(conn: &Connection) -> Result<Vec<Exchange>> {
    let mut stmt = conn.prepare_cached(&format!("{EXCHANGE} ORDER BY name"))?;
    let rows = stmt.query_map([], exchange_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn list_exchange_summaries(conn: &Connection) -> Result<Vec<ExchangeSummary>> {
    let mut out: Vec<ExchangeSummary> = list_exchanges(conn)?
        .into_iter()
        .map(|e| ExchangeSummary {
            exchange: Some(e),
            router_names: Vec::new(),
            sessions: 0,
            established: 0,
            configured: 0,
            pending: 0,
            failed: 0,
            not_configured: 0,
        })
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT a.exchange_id, r.name FROM router_exchanges a JOIN routers r ON r.id = a.router_id
         ORDER BY r.name",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (ex, name) = row?;
        if let Some(s) = out
            .iter_mut()
            .find(|s| s.exchange.as_ref().map(|e| e.id) == Some(ex))
        {
            s.router_names.push(name);
        }
    }
    let mut no_exchange = ExchangeSummary {
        exchange: None,
        router_names: Vec::new(),
        sessions: 0,
        established: 0,
        configured: 0,
        pending: 0,
        failed: 0,
        not_configured: 0,
    };
    let mut stmt = conn.prepare_cached(
        "SELECT exchange_id, count(*),
            sum(coalesce(bgp_state, '') = 'established'),
            sum(config_state = 'configured'),
            sum(config_state = 'pending'),
            sum(config_state = 'failed'),
            sum(config_state = 'not_configured')
         FROM sessions GROUP BY exchange_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<i64>>(0)?,
            [
                r.get::<_, u32>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ],
        ))
    })?;
    for row in rows {
        let (ex, c) = row?;
        let target = match ex {
            None => &mut no_exchange,
            Some(id) => match out
                .iter_mut()
                .find(|s| s.exchange.as_ref().map(|e| e.id) == Some(id))
            {
                Some(s) => s,
                None => continue,
            },
        };
        target.sessions = c[0];
        target.established = c[1];
        target.configured = c[2];
        target.pending = c[3];
        target.failed = c[4];
        target.not_configured = c[5];
    }
    if no_exchange.sessions > 0 {
        out.push(no_exchange);
    }
    Ok(out)
}

pub(super) fn insert_exchange(conn: &Connection, f: &ExchangeFields, now: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO exchanges (name, city, country, peeringdb_ix_id, peeringdb_ixlan_id,
            prefix_v4, prefix_v6, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            f.name,
            f.city,
            f.country,
            f.peeringdb_ix_id,
            f.peeringdb_ixlan_id,
            f.prefix_v4.map(|p| p.to_string()),
            f.prefix_v6.map(|p| p.to_string()),
            now
        ],
    )
    .map_err(|e| {
        unique_as_conflict(e, "name", || format!("an exchange named {} exists", f.name))
    })?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn update_exchange(
    conn: &Connection,
    id: i64,
    f: &ExchangeFields,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE exchanges SET name = ?2, city = ?3, country = ?4, peeringdb_ix_id = ?5,
            peeringdb_ixlan_id = ?6, prefix_v4 = ?7, prefix_v6 = ?8, updated_at = ?9
         WHERE id = ?1",
        params![
            id,
            f.name,
            f.city,
            f.country,
            f.peeringdb_ix_id,
            f.peeringdb_ixlan_id,
            f.prefix_v4.map(|p| p.to_string()),
            f.prefix_v6.map(|p| p.to_string()),
            now
        ],
    )
    .map_err(|e| {
        unique_as_conflict(e, "name", || format!("an exchange named {} exists", f.name))
    })?;
    Ok(())
}

pub(super) fn delete_exchange(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM exchanges WHERE id = ?1", [id])?;
    Ok(())
}

pub(crate) fn insert_exchange_row(conn: &Connection, e: &Exchange) -> Result<()> {
    conn.execute(
        "INSERT INTO exchanges (id, name, city, country, peeringdb_ix_id, peeringdb_ixlan_id,
            prefix_v4, prefix_v6, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.id,
            e.name,
            e.city,
            e.country,
            e.peeringdb_ix_id,
            e.peeringdb_ixlan_id,
            e.prefix_v4,
            e.prefix_v6,
            e.created_at,
            e.updated_at
        ],
    )?;
    Ok(())
}

pub(super) fn router_on_exchange(
    conn: &Connection,
    router_id: i64,
    exchange_id: i64,
) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM router_exchanges WHERE router_id = ?1 AND exchange_id = ?2")?
        .exists([router_id, exchange_id])?)
}

// ---- peer groups ----

const PEER_GROUP: &str = "SELECT g.id, g.name, g.router_id, r.name, g.exchange_id, e.name, g.family,
    g.import_policy, g.export_policy, g.max_prefix, g.session_type,
    (SELECT count(*) FROM sessions s WHERE s.peer_group_id = g.id), g.created_at, g.updated_at
    FROM peer_groups g JOIN routers r ON r.id = g.router_id LEFT JOIN exchanges e ON e.id = g.exchange_id";

fn peer_group_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PeerGroup> {
    Ok(PeerGroup {
        id: r.get(0)?,
        name: r.get(1)?,
        router_id: r.get(2)?,
        router_name: r.get(3)?,
        exchange_id: r.get(4)?,
        exchange_name: r.get(5)?,
        family: r.get(6)?,
        import_policy: r.get(7)?,
        export_policy: r.get(8)?,
        max_prefix: r.get(9)?,
        session_type: r.get(10)?,
        session_count: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

pub(super) fn get_peer_group(conn: &Connection, id: i64) -> Result<PeerGroup> {
    conn.prepare_cached(&format!("{PEER_GROUP} WHERE g.id = ?1"))?
        .query_row([id], peer_group_row)
        .optional()?
        .ok_or_else(|| Error::not_found("peer group", id))
}

pub(crate) fn list_peer_groups(conn: &Connection) -> Result<Vec<PeerGroup>> {
    let mut stmt = conn.prepare_cached(&format!("{PEER_GROUP} ORDER BY r.name, g.name"))?;
    let rows = stmt.query_map([], peer_group_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Validates and inserts a peer group inside the caller's transaction, with its audit entry.
pub(crate) fn insert_peer_group_in(
    conn: &Connection,
    new: &NewPeerGroup,
    now: &str,
) -> Result<PeerGroup> {
    let f = new.validate()?;
    crate::devices::get_router(conn, f.router_id)
        .map_err(|_| Error::invalid("routerId", "choose a router"))?;
    if let Some(ex) = f.exchange_id {
        get_exchange(conn, ex)?;
    }
    conn.execute(
        "INSERT INTO peer_groups (name, router_id, exchange_id, family, import_policy, export_policy,
            max_prefix, session_type, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            f.name,
            f.router_id,
            f.exchange_id,
            f.family,
            f.import_policy,
            f.export_policy,
            f.max_prefix,
            f.session_type,
            now
        ],
    )
    .map_err(|e| {
        unique_as_conflict(e, "name", || {
            format!("this router already has a peer group named {}", f.name)
        })
    })?;
    let pg = get_peer_group(conn, conn.last_insert_rowid())?;
    audit::record(
        conn,
        now,
        "peer_group",
        Some(pg.id),
        AuditAction::Create,
        &format!("Peer group {} added on {}", pg.name, pg.router_name),
        None::<&()>,
        Some(&pg),
    )?;
    Ok(pg)
}

pub(super) fn update_peer_group(
    conn: &Connection,
    id: i64,
    f: &PeerGroupFields,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE peer_groups SET name = ?2, router_id = ?3, exchange_id = ?4, family = ?5,
            import_policy = ?6, export_policy = ?7, max_prefix = ?8, session_type = ?9, updated_at = ?10
         WHERE id = ?1",
        params![
            id,
            f.name,
            f.router_id,
            f.exchange_id,
            f.family,
            f.import_policy,
            f.export_policy,
            f.max_prefix,
            f.session_type,
            now
        ],
    )
    .map_err(|e| {
        unique_as_conflict(e, "name", || {
            format!("this router already has a peer group named {}", f.name)
        })
    })?;
    Ok(())
}

pub(super) fn delete_peer_group(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM peer_groups WHERE id = ?1", [id])?;
    Ok(())
}

pub(crate) fn insert_peer_group_row(conn: &Connection, g: &PeerGroup) -> Result<()> {
    conn.execute(
        "INSERT INTO peer_groups (id, name, router_id, exchange_id, family, import_policy,
            export_policy, max_prefix, session_type, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            g.id,
            g.name,
            g.router_id,
            g.exchange_id,
            g.family,
            g.import_policy,
            g.export_policy,
            g.max_prefix,
            g.session_type,
            g.created_at,
            g.updated_at
        ],
    )?;
    Ok(())
}

// ---- networks ----

const NETWORK: &str = "SELECT n.id, n.asn, n.name, n.as_set, n.max_prefix_v4, n.max_prefix_v6,
    n.peeringdb_net_id, n.local_peer, (SELECT count(*) FROM sessions s WHERE s.network_id = n.id),
    n.created_at, n.updated_at FROM networks n";

fn network_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Network> {
    Ok(Network {
        id: r.get(0)?,
        asn: r.get(1)?,
        name: r.get(2)?,
        as_sets: values::AsSetList::lenient(&r.get::<_, String>(3)?).names(),
        as_set: r.get(3)?,
        max_prefix_v4: r.get(4)?,
        max_prefix_v6: r.get(5)?,
        peeringdb_net_id: r.get(6)?,
        local_peer: r.get(7)?,
        session_count: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

pub(crate) fn list_networks(conn: &Connection) -> Result<Vec<Network>> {
    let mut stmt = conn.prepare_cached(&format!("{NETWORK} ORDER BY n.asn"))?;
    let rows = stmt.query_map([], network_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn get_network(conn: &Connection, id: i64) -> Result<Network> {
    conn.prepare_cached(&format!("{NETWORK} WHERE n.id = ?1"))?
        .query_row([id], network_row)
        .optional()?
        .ok_or_else(|| Error::not_found("network", id))
}

pub(crate) fn network_by_asn(conn: &Connection, asn: u32) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM networks WHERE asn = ?1")?
        .query_row([asn], |r| r.get(0))
        .optional()?)
}

pub(super) fn insert_network(
    conn: &Connection,
    asn: u32,
    name: &str,
    as_set: &str,
    now: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO networks (asn, name, as_set, local_peer, created_at, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?4)",
        params![asn, name, as_set, now],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn insert_network_row(conn: &Connection, n: &Network) -> Result<()> {
    conn.execute(
        "INSERT INTO networks (id, asn, name, as_set, max_prefix_v4, max_prefix_v6, peeringdb_net_id,
            local_peer, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            n.id,
            n.asn,
            n.name,
            values::AsSetList::lenient(&n.as_set).to_string(),
            n.max_prefix_v4,
            n.max_prefix_v6,
            n.peeringdb_net_id,
            n.local_peer,
            n.created_at,
            n.updated_at
        ],
    )?;
    Ok(())
}

// ---- sessions ----

/// The columns of a new session that come from the form.
pub(super) struct SessionRow {
    pub session_type: SessionType,
    pub exchange_id: Option<i64>,
    pub router_id: i64,
    pub peer_group_id: Option<i64>,
    pub network_id: i64,
    pub peer_ip: String,
    pub ip_version: i64,
    pub admin_state: AdminState,
    pub notes: String,
}

const SESSION: &str = "SELECT s.id, s.session_type, s.exchange_id, e.name, s.router_id, r.name,
    s.peer_group_id, g.name, s.network_id, n.asn, n.name, s.peer_ip, s.ip_version, s.md5_ref,
    s.admin_state, s.config_state, s.bgp_state, s.bgp_refreshed_at, s.notes, s.created_at, s.updated_at,
    s.bgp_up_since, s.prefixes_received, s.bgp_last_error, s.md5_needed
    FROM sessions s
    JOIN routers r ON r.id = s.router_id
    JOIN networks n ON n.id = s.network_id
    LEFT JOIN exchanges e ON e.id = s.exchange_id
    LEFT JOIN peer_groups g ON g.id = s.peer_group_id";

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: r.get(0)?,
        session_type: r.get(1)?,
        exchange_id: r.get(2)?,
        exchange_name: r.get(3)?,
        router_id: r.get(4)?,
        router_name: r.get(5)?,
        peer_group_id: r.get(6)?,
        peer_group_name: r.get(7)?,
        network_id: r.get(8)?,
        asn: r.get(9)?,
        network_name: r.get(10)?,
        peer_ip: r.get(11)?,
        ip_version: r.get(12)?,
        md5_ref: r.get(13)?,
        md5_needed: r.get(24)?,
        admin_state: r.get(14)?,
        config_state: r.get(15)?,
        bgp_state: r.get(16)?,
        bgp_refreshed_at: r.get(17)?,
        notes: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
        bgp_up_since: r.get(21)?,
        prefixes_received: r.get(22)?,
        bgp_last_error: r.get(23)?,
    })
}

pub(crate) fn get_session(conn: &Connection, id: i64) -> Result<Session> {
    conn.prepare_cached(&format!("{SESSION} WHERE s.id = ?1"))?
        .query_row([id], session_row)
        .optional()?
        .ok_or_else(|| Error::not_found("session", id))
}

/// The WHERE clause shared by the session list, page and count queries;
/// parameters ?1..?10 are [`filter_params`].
const SESSION_WHERE: &str = "
         WHERE (?1 IS NULL OR s.exchange_id = ?1)
           AND (?2 = 0 OR s.exchange_id IS NULL)
           AND (?3 IS NULL OR s.router_id = ?3)
           AND (?4 IS NULL OR s.network_id = ?4)
           AND (?5 IS NULL OR n.name LIKE ?5 ESCAPE '\\' OR CAST(n.asn AS TEXT) LIKE ?5 ESCAPE '\\'
                OR s.peer_ip LIKE ?5 ESCAPE '\\')
           AND (?6 IS NULL OR s.ip_version = ?6)
           AND (?7 IS NULL OR s.session_type = ?7)
           AND (?8 IS NULL OR s.config_state = ?8)
           AND (?9 IS NULL OR s.bgp_state = ?9)
           AND (?10 IS NULL OR s.admin_state = ?10)";

/// The text filter as a LIKE pattern; "AS64500" matches the number too.
fn text_pattern(f: &SessionFilter) -> Option<String> {
    f.text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let t = t
                .strip_prefix("AS")
                .or_else(|| t.strip_prefix("as"))
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .unwrap_or(t);
            format!(
                "%{}%",
                t.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        })
}

fn filter_params(f: &SessionFilter) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value as V;
    let opt_i = |v: Option<i64>| v.map(V::Integer).unwrap_or(V::Null);
    let opt_t = |v: Option<&str>| v.map(|t| V::Text(t.to_string())).unwrap_or(V::Null);
    vec![
        opt_i(f.exchange_id),
        V::Integer(i64::from(f.no_exchange)),
        opt_i(f.router_id),
        opt_i(f.network_id),
        opt_t(text_pattern(f).as_deref()),
        opt_i(f.ip_version.map(i64::from)),
        opt_t(f.session_type.map(|v| v.as_str())),
        opt_t(f.config_state.map(|v| v.as_str())),
        opt_t(f.bgp_state.map(|v| v.as_str())),
        opt_t(f.admin_state.map(|v| v.as_str())),
    ]
}

/// How many sessions match `filter`.
pub(crate) fn count_sessions(conn: &Connection, f: &SessionFilter) -> Result<u32> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT count(*) FROM sessions s JOIN networks n ON n.id = s.network_id {SESSION_WHERE}"
    ))?;
    Ok(stmt.query_row(rusqlite::params_from_iter(filter_params(f)), |r| r.get(0))?)
}

/// One window of the sessions matching `filter`, in `order` (an ORDER BY list
/// from [`super::SessionSort`], never user text).
pub(crate) fn session_window(
    conn: &Connection,
    f: &SessionFilter,
    order: &str,
    offset: u32,
    limit: u32,
) -> Result<Vec<Session>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SESSION} {SESSION_WHERE} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter_params(f)), session_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sessions matching `filter`, ordered by exchange, peer ASN and address.
pub(crate) fn list_sessions(conn: &Connection, f: &SessionFilter) -> Result<Vec<Session>> {
    let mut stmt = conn.prepare_cached(&format!("{SESSION} {SESSION_WHERE}"))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter_params(f)), session_row)?;
    let mut sessions: Vec<Session> = rows.collect::<rusqlite::Result<_>>()?;
    // Sorting here is several times faster than ORDER BY over the joined rows.
    sessions.sort_unstable_by(|a, b| {
        (&a.exchange_name, a.asn, a.ip_version, &a.peer_ip, a.id).cmp(&(
            &b.exchange_name,
            b.asn,
            b.ip_version,
            &b.peer_ip,
            b.id,
        ))
    });
    Ok(sessions)
}

pub(super) fn session_by_router_ip(
    conn: &Connection,
    router_id: i64,
    ip: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM sessions WHERE router_id = ?1 AND peer_ip = ?2")?
        .query_row(params![router_id, ip], |r| r.get(0))
        .optional()?)
}

pub(super) fn insert_session(conn: &Connection, s: &SessionRow, now: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO sessions (session_type, exchange_id, router_id, peer_group_id, network_id,
            peer_ip, ip_version, admin_state, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            s.session_type,
            s.exchange_id,
            s.router_id,
            s.peer_group_id,
            s.network_id,
            s.peer_ip,
            s.ip_version,
            s.admin_state,
            s.notes,
            now
        ],
    )
    .map_err(|e| {
        unique_as_conflict(e, "peerIp", || {
            format!("this router already has a session with {}", s.peer_ip)
        })
    })?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn insert_session_row(conn: &Connection, s: &Session) -> Result<()> {
    conn.execute(
        "INSERT INTO sessions (id, session_type, exchange_id, router_id, peer_group_id, network_id,
            peer_ip, ip_version, md5_ref, admin_state, config_state, bgp_state, bgp_refreshed_at,
            notes, created_at, updated_at, bgp_up_since, prefixes_received, bgp_last_error, md5_needed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
            ?20)",
        params![
            s.id,
            s.session_type,
            s.exchange_id,
            s.router_id,
            s.peer_group_id,
            s.network_id,
            s.peer_ip,
            s.ip_version,
            s.md5_ref,
            s.admin_state,
            s.config_state,
            s.bgp_state,
            s.bgp_refreshed_at,
            s.notes,
            s.created_at,
            s.updated_at,
            s.bgp_up_since,
            s.prefixes_received,
            s.bgp_last_error,
            s.md5_needed
        ],
    )?;
    Ok(())
}

/// Sets (or clears) the session's MD5 key name; either way the user has now
/// decided, so the session no longer waits for a password to be entered.
pub(super) fn set_md5_ref(conn: &Connection, id: i64, key: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET md5_ref = ?2, md5_needed = 0 WHERE id = ?1",
        params![id, key],
    )?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn update_session(
    conn: &Connection,
    id: i64,
    session_type: SessionType,
    peer_group_id: Option<i64>,
    peer_ip: &str,
    ip_version: i64,
    admin_state: AdminState,
    notes: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET session_type = ?2, peer_group_id = ?3, peer_ip = ?4, ip_version = ?5,
            admin_state = ?6, notes = ?7, updated_at = ?8
         WHERE id = ?1",
        params![
            id,
            session_type,
            peer_group_id,
            peer_ip,
            ip_version,
            admin_state,
            notes,
            now
        ],
    )
    .map_err(|e| {
        unique_as_conflict(e, "peerIp", || {
            format!("this router already has a session with {peer_ip}")
        })
    })?;
    Ok(())
}

/// Moves a session to another router, peer group or peer type (Configure Sessions).
pub(super) fn set_session_placement(
    conn: &Connection,
    id: i64,
    router_id: i64,
    peer_group_id: Option<i64>,
    session_type: SessionType,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET router_id = ?2, peer_group_id = ?3, session_type = ?4, updated_at = ?5
         WHERE id = ?1",
        params![id, router_id, peer_group_id, session_type, now],
    )?;
    Ok(())
}

pub(crate) fn set_session_states(
    conn: &Connection,
    id: i64,
    config_state: super::ConfigState,
    bgp_state: Option<super::BgpState>,
    refreshed_at: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET config_state = ?2, bgp_state = ?3, bgp_refreshed_at = ?4 WHERE id = ?1",
        params![id, config_state, bgp_state, refreshed_at],
    )?;
    Ok(())
}

/// What a state read found besides the state; all cleared when it found nothing.
pub(crate) fn set_session_details(
    conn: &Connection,
    id: i64,
    up_since: Option<&str>,
    prefixes_received: Option<u32>,
    last_error: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET bgp_up_since = ?2, prefixes_received = ?3, bgp_last_error = ?4 WHERE id = ?1",
        params![id, up_since, prefixes_received, last_error],
    )?;
    Ok(())
}

pub(super) fn delete_session(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM sessions WHERE id = ?1", [id])?;
    Ok(())
}

pub(crate) fn set_admin_state(conn: &Connection, id: i64, state: AdminState) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET admin_state = ?2 WHERE id = ?1",
        params![id, state],
    )?;
    Ok(())
}
