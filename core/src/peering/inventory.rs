//! The whole inventory as one JSON document (export and import through the
//! native file dialogs) and the Sessions list as CSV.
//!
//! An inventory file is outside input (a colleague's file, an edited export),
//! trusted no more than typing. Import: check the format and version; in one
//! transaction, clear the inventory, then write the records in dependency
//! order (settings, exchanges, routers with attachments, peer groups,
//! networks, sessions), each through the validation of its form against the
//! records already written; the first bad entry rolls everything back and is
//! named with its field. Secrets never travel: exports carry at most a key
//! name as a marker that a secret was set, and import drops every key name —
//! keys are named by Peerdesk from the object they belong to — marking the
//! router or session as needing its password entered again.

use super::{store, Exchange, Network, PeerGroup, Session, SessionFilter};
use crate::audit::{self, AuditAction};
use crate::devices::{self, Router};
use crate::error::{Error, Result};
use crate::settings::Settings;
use crate::values::{self, AddressFamily, Asn};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use ts_rs::TS;

const FORMAT: &str = "peerdesk-inventory";
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inventory {
    pub format: String,
    pub version: u32,
    pub exported_at: String,
    pub settings: Settings,
    pub exchanges: Vec<Exchange>,
    pub routers: Vec<Router>,
    pub peer_groups: Vec<PeerGroup>,
    pub networks: Vec<Network>,
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InventoryCounts {
    pub exchanges: u32,
    pub routers: u32,
    pub peer_groups: u32,
    pub networks: u32,
    pub sessions: u32,
}

pub type ImportSummary = InventoryCounts;

impl From<&Inventory> for InventoryCounts {
    fn from(i: &Inventory) -> Self {
        InventoryCounts {
            exchanges: i.exchanges.len() as u32,
            routers: i.routers.len() as u32,
            peer_groups: i.peer_groups.len() as u32,
            networks: i.networks.len() as u32,
            sessions: i.sessions.len() as u32,
        }
    }
}

fn refuse(message: impl std::fmt::Display) -> Error {
    Error::Invalid {
        field: None,
        message: format!("not a valid Peerdesk inventory: {message}"),
    }
}

/// Names the entry of the file an error is about, and its field: "router 3
/// (r1), controlCommand: …".
fn at(entry: String) -> impl Fn(Error) -> Error {
    move |e: Error| match e.field() {
        Some(field) => refuse(format!("{entry}, {field}: {e}")),
        None => refuse(format!("{entry}: {e}")),
    }
}

/// The file's format and version; the records are checked as they are written.
fn check_header(inv: &Inventory) -> Result<()> {
    if inv.format != FORMAT {
        return Err(refuse(format!(
            "format is '{}', expected '{FORMAT}'",
            inv.format
        )));
    }
    if inv.version != VERSION {
        return Err(refuse(format!(
            "version {} is not supported (this Peerdesk reads version {VERSION})",
            inv.version
        )));
    }
    Ok(())
}

fn optional_timestamp(text: &Option<String>, field: &'static str) -> Result<Option<String>> {
    text.as_deref()
        .map(|t| values::timestamp(t, field))
        .transpose()
}

fn positive_id(v: Option<i64>, field: &'static str) -> Result<Option<i64>> {
    match v {
        Some(n) if n <= 0 => Err(Error::invalid(field, "a positive id, or empty")),
        v => Ok(v),
    }
}

/// An exchange of the file, through the exchange form's validation.
fn exchange(e: &Exchange) -> Result<Exchange> {
    let f = super::NewExchange {
        name: e.name.clone(),
        city: e.city.clone(),
        country: e.country.clone(),
        peeringdb_ix_id: e.peeringdb_ix_id,
        peeringdb_ixlan_id: e.peeringdb_ixlan_id,
        prefix_v4: e.prefix_v4.clone(),
        prefix_v6: e.prefix_v6.clone(),
    }
    .validate()?;
    Ok(Exchange {
        id: e.id,
        name: f.name,
        city: f.city,
        country: f.country,
        peeringdb_ix_id: f.peeringdb_ix_id,
        peeringdb_ixlan_id: f.peeringdb_ixlan_id,
        prefix_v4: f.prefix_v4.map(|p| p.to_string()),
        prefix_v6: f.prefix_v6.map(|p| p.to_string()),
        created_at: values::timestamp(&e.created_at, "createdAt")?,
        updated_at: values::timestamp(&e.updated_at, "updatedAt")?,
    })
}

/// A peer group of the file, through the peer group form's validation, on a
/// router and exchange already written.
fn peer_group(conn: &rusqlite::Connection, g: &PeerGroup) -> Result<PeerGroup> {
    let f = super::NewPeerGroup {
        router_id: Some(g.router_id),
        name: g.name.clone(),
        exchange_id: g.exchange_id,
        family: g.family,
        import_policy: g.import_policy.clone(),
        export_policy: g.export_policy.clone(),
        max_prefix: g.max_prefix.map(i64::from),
        session_type: g.session_type,
    }
    .validate()?;
    devices::get_router(conn, f.router_id).map_err(|_| {
        Error::invalid("routerId", format!("no router {} in the file", f.router_id))
    })?;
    if let Some(ex) = f.exchange_id {
        store::get_exchange(conn, ex)
            .map_err(|_| Error::invalid("exchangeId", format!("no exchange {ex} in the file")))?;
    }
    Ok(PeerGroup {
        id: g.id,
        name: f.name,
        router_id: f.router_id,
        exchange_id: f.exchange_id,
        family: f.family,
        import_policy: f.import_policy,
        export_policy: f.export_policy,
        max_prefix: f.max_prefix,
        session_type: f.session_type,
        created_at: values::timestamp(&g.created_at, "createdAt")?,
        updated_at: values::timestamp(&g.updated_at, "updatedAt")?,
        ..g.clone()
    })
}

/// A network of the file, with the rules of the Add Session wizard.
fn network(n: &Network) -> Result<Network> {
    let positive = |v: Option<u32>, field| match v {
        Some(0) => Err(Error::invalid(field, "a positive number, or empty")),
        v => Ok(v),
    };
    Ok(Network {
        id: n.id,
        asn: Asn::new(i64::from(n.asn), "asn")?.get(),
        name: values::name(&n.name, "name", 200)?,
        as_set: values::as_set_list(&n.as_set, "asSet")?.to_string(),
        as_sets: Vec::new(),
        max_prefix_v4: positive(n.max_prefix_v4, "maxPrefixV4")?,
        max_prefix_v6: positive(n.max_prefix_v6, "maxPrefixV6")?,
        peeringdb_net_id: positive_id(n.peeringdb_net_id, "peeringdbNetId")?,
        local_peer: n.local_peer,
        session_count: 0,
        created_at: values::timestamp(&n.created_at, "createdAt")?,
        updated_at: values::timestamp(&n.updated_at, "updatedAt")?,
    })
}

/// A session of the file, with the checks of the Add Session wizard against
/// what is already written: its router, exchange (the router attached to it,
/// the address inside its LAN), peer group (same router, family, exchange) and
/// network, one session per router and address. It never carries an MD5 key
/// name: one it had is remembered as "MD5 password needed".
fn session(conn: &rusqlite::Connection, s: &Session) -> Result<Session> {
    let ip = values::ip(&s.peer_ip, "peerIp")?;
    if ip.to_string() != s.peer_ip {
        return Err(Error::invalid(
            "peerIp",
            format!("address {} is not in canonical form", s.peer_ip),
        ));
    }
    if AddressFamily::of(&ip).version() != i64::from(s.ip_version) {
        return Err(Error::invalid(
            "ipVersion",
            format!("ipVersion {} does not match {}", s.ip_version, s.peer_ip),
        ));
    }
    let notes = values::notes(&s.notes, "notes")?;
    devices::get_router(conn, s.router_id).map_err(|_| {
        Error::invalid("routerId", format!("no router {} in the file", s.router_id))
    })?;
    let net = store::get_network(conn, s.network_id).map_err(|_| {
        Error::invalid(
            "networkId",
            format!("no network {} in the file", s.network_id),
        )
    })?;
    if net.asn != s.asn {
        return Err(Error::invalid(
            "asn",
            format!("AS{} is not network {}'s AS{}", s.asn, net.id, net.asn),
        ));
    }
    let exchange = s
        .exchange_id
        .map(|id| {
            store::get_exchange(conn, id)
                .map_err(|_| Error::invalid("exchangeId", format!("no exchange {id} in the file")))
        })
        .transpose()?;
    if let Some(ex) = &exchange {
        if !store::router_on_exchange(conn, s.router_id, ex.id)? {
            return Err(Error::invalid(
                "routerId",
                format!("router {} is not attached to {}", s.router_id, ex.name),
            ));
        }
    }
    if let Some(pg) = s.peer_group_id {
        store::get_peer_group(conn, pg).map_err(|_| {
            Error::invalid("peerGroupId", format!("no peer group {pg} in the file"))
        })?;
    }
    super::check_address(
        conn,
        exchange.as_ref(),
        s.router_id,
        &super::SessionAddress {
            ip,
            peer_group_id: s.peer_group_id,
            field: "peerIp",
        },
        None,
    )?;
    let last_error = match &s.bgp_last_error {
        Some(text) => Some(values::name(text, "bgpLastError", 1000)?),
        None => None,
    };
    Ok(Session {
        peer_ip: ip.to_string(),
        md5_ref: None,
        md5_needed: s.md5_ref.is_some() || s.md5_needed,
        notes,
        bgp_refreshed_at: optional_timestamp(&s.bgp_refreshed_at, "bgpRefreshedAt")?,
        bgp_up_since: optional_timestamp(&s.bgp_up_since, "bgpUpSince")?,
        bgp_last_error: last_error,
        created_at: values::timestamp(&s.created_at, "createdAt")?,
        updated_at: values::timestamp(&s.updated_at, "updatedAt")?,
        ..s.clone()
    })
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so a
/// failed write never leaves half a file where a good one was.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("peerdesk-tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// One CSV field: quoted when needed, and a leading `= + - @`, TAB or CR
/// neutralised so a spreadsheet never runs a peer's name as a formula (a
/// spreadsheet skips a leading TAB or CR and then reads the `=` after it). A
/// plain number such as `-5` stays a number.
fn csv_field(value: &str) -> String {
    let starts_formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let is_number = value.parse::<f64>().is_ok_and(f64::is_finite);
    let v = if starts_formula && !is_number {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

impl crate::Peerdesk {
    pub fn inventory_counts(&self) -> Result<InventoryCounts> {
        let conn = self.db()?;
        let count = |table: &str| -> Result<u32> {
            Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        Ok(InventoryCounts {
            exchanges: count("exchanges")?,
            routers: count("routers")?,
            peer_groups: count("peer_groups")?,
            networks: count("networks")?,
            sessions: count("sessions")?,
        })
    }

    pub fn inventory(&self) -> Result<Inventory> {
        let settings = self.get_settings()?;
        let conn = self.db()?;
        Ok(Inventory {
            format: FORMAT.into(),
            version: VERSION,
            exported_at: self.now(),
            settings,
            exchanges: store::list_exchanges(&conn)?,
            routers: devices::list_routers(&conn)?,
            peer_groups: store::list_peer_groups(&conn)?,
            networks: store::list_networks(&conn)?,
            sessions: store::list_sessions(&conn, &SessionFilter::default())?,
        })
    }

    /// Writes the whole inventory to `path` as JSON. Returns what was written.
    pub fn export_inventory(&self, path: &Path) -> Result<InventoryCounts> {
        let inv = self.inventory()?;
        let json = serde_json::to_vec_pretty(&inv).map_err(|e| Error::Internal(e.to_string()))?;
        write_atomically(path, &json)?;
        Ok(InventoryCounts::from(&inv))
    }

    /// Replaces the inventory with the one in `path`. A file that is not a valid
    /// Peerdesk inventory is refused and nothing changes.
    pub fn import_inventory(&self, path: &Path) -> Result<ImportSummary> {
        let bytes = std::fs::read(path)?;
        let inv: Inventory = serde_json::from_slice(&bytes).map_err(refuse)?;
        self.replace_inventory(&inv)
    }

    /// Replaces the inventory with `inv` in one transaction. Every record goes
    /// through the validation of its form, against the records before it, so
    /// a file is trusted no more than typing: the first bad entry is refused
    /// with the entry and field named, and nothing changes. A file never names
    /// a keyring entry: key names in it are dropped, and a router or session
    /// that had a secret is marked as needing it entered again. Settings other
    /// than the PeeringDB URL are taken (a file cannot point the API key at
    /// another server).
    pub fn replace_inventory(&self, inv: &Inventory) -> Result<ImportSummary> {
        check_header(inv)?;
        let now = self.now();
        let current = self.get_settings()?;
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        for table in [
            "sessions",
            "peer_groups",
            "router_exchanges",
            "routers",
            "networks",
            "exchanges",
        ] {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        let settings =
            crate::settings::imported(&inv.settings, &current).map_err(at("settings".into()))?;
        crate::settings::store::put(&tx, &settings).map_err(at("settings".into()))?;
        for e in &inv.exchanges {
            let c = at(format!("exchange {} ({})", e.id, e.name.escape_debug()));
            let e = exchange(e).map_err(&c)?;
            store::insert_exchange_row(&tx, &e).map_err(&c)?;
        }
        for r in &inv.routers {
            let c = at(format!("router {} ({})", r.id, r.name.escape_debug()));
            devices::insert_imported_router(&tx, r).map_err(&c)?;
        }
        for g in &inv.peer_groups {
            let c = at(format!("peer group {} ({})", g.id, g.name.escape_debug()));
            let g = peer_group(&tx, g).map_err(&c)?;
            store::insert_peer_group_row(&tx, &g).map_err(&c)?;
        }
        for n in &inv.networks {
            let c = at(format!("network {} (AS{})", n.id, n.asn));
            let n = network(n).map_err(&c)?;
            store::insert_network_row(&tx, &n).map_err(&c)?;
        }
        for s in &inv.sessions {
            let c = at(format!("session {} ({})", s.id, s.peer_ip.escape_debug()));
            let s = session(&tx, s).map_err(&c)?;
            store::insert_session_row(&tx, &s).map_err(&c)?;
        }
        let summary = InventoryCounts::from(inv);
        audit::record(
            &tx,
            &now,
            "inventory",
            None,
            AuditAction::Import,
            &format!(
                "Inventory imported: {} routers, {} exchanges, {} sessions",
                summary.routers, summary.exchanges, summary.sessions
            ),
            None::<&()>,
            Some(&summary),
        )?;
        tx.commit()?;
        Ok(summary)
    }

    /// Writes the sessions matching `filter` to `path` as CSV. Returns the row count.
    pub fn export_sessions_csv(&self, path: &Path, filter: &SessionFilter) -> Result<u32> {
        let sessions = self.list_sessions(filter)?;
        let mut out = String::from(
            "exchange,router,peer_group,asn,peer,peer_ip,ip_version,type,admin_state,config_state,bgp_state,bgp_refreshed_at,notes\n",
        );
        for s in &sessions {
            let fields = [
                s.exchange_name
                    .clone()
                    .unwrap_or_else(|| "No Exchange".into()),
                s.router_name.clone(),
                s.peer_group_name.clone().unwrap_or_default(),
                s.asn.to_string(),
                s.network_name.clone(),
                s.peer_ip.clone(),
                s.ip_version.to_string(),
                s.session_type.as_str().into(),
                s.admin_state.as_str().into(),
                s.config_state.as_str().into(),
                s.bgp_state
                    .map(|b| b.as_str().to_string())
                    .unwrap_or_default(),
                s.bgp_refreshed_at.clone().unwrap_or_default(),
                s.notes.clone(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        write_atomically(path, out.as_bytes())?;
        Ok(sessions.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(super::csv_field("plain"), "plain");
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(super::csv_field("-5"), "-5");
        assert_eq!(super::csv_field("+5"), "+5");
        assert_eq!(super::csv_field("-1.5e3"), "-1.5e3");
    }

    #[test]
    fn csv_fields_starting_with_tab_or_cr_are_neutralised_too() {
        assert_eq!(super::csv_field("\t=HYPERLINK(1)"), "'\t=HYPERLINK(1)");
        assert_eq!(super::csv_field("\r=1+1"), "\"'\r=1+1\"");
        assert_eq!(super::csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::csv_field("+CMD|x"), "'+CMD|x");
        assert_eq!(super::csv_field("-inf"), "'-inf", "not a finite number");
        assert_eq!(super::csv_field("\t5"), "'\t5");
    }
}
