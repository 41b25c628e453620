//! The whole inventory as one JSON document (export and import through the
//! native file dialogs) and the Sessions list as CSV. Exports carry keyring key
//! names, never secrets. Import replaces the inventory in one transaction after
//! checking every record, so a bad or foreign file changes nothing.

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

/// Checks the values an inventory file carries with the same rules as the forms.
fn check(inv: &Inventory) -> Result<()> {
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
    let ctx = |what: String| move |e: Error| refuse(format!("{what}: {e}"));
    for a in &inv.settings.own_asns {
        Asn::new(i64::from(*a), "ownAsns").map_err(ctx("own ASN".into()))?;
    }
    for e in &inv.exchanges {
        let c = ctx(format!("exchange {}", e.id));
        values::name(&e.name, "name", 100).map_err(&c)?;
        values::optional_prefix(e.prefix_v4.as_deref(), AddressFamily::Ipv4, "prefixV4")
            .map_err(&c)?;
        values::optional_prefix(e.prefix_v6.as_deref(), AddressFamily::Ipv6, "prefixV6")
            .map_err(&c)?;
    }
    for r in &inv.routers {
        let c = ctx(format!("router {}", r.id));
        values::name(&r.name, "name", 64).map_err(&c)?;
        Asn::new(i64::from(r.local_asn), "localAsn").map_err(&c)?;
        for a in &r.attachments {
            values::optional_ip(a.ipv4.as_deref(), "ipv4").map_err(&c)?;
            values::optional_ip(a.ipv6.as_deref(), "ipv6").map_err(&c)?;
        }
    }
    for g in &inv.peer_groups {
        let c = ctx(format!("peer group {}", g.id));
        values::identifier(&g.name, "name").map_err(&c)?;
        values::identifier(&g.import_policy, "importPolicy").map_err(&c)?;
        values::identifier(&g.export_policy, "exportPolicy").map_err(&c)?;
    }
    for n in &inv.networks {
        let c = ctx(format!("network {}", n.id));
        Asn::new(i64::from(n.asn), "asn").map_err(&c)?;
        values::name(&n.name, "name", 200).map_err(&c)?;
        values::as_set_list(&n.as_set, "asSet").map_err(&c)?;
    }
    for s in &inv.sessions {
        let c = ctx(format!("session {}", s.id));
        let ip = values::ip(&s.peer_ip, "peerIp").map_err(&c)?;
        if AddressFamily::of(&ip).version() != i64::from(s.ip_version) {
            return Err(refuse(format!(
                "session {}: ipVersion does not match {}",
                s.id, s.peer_ip
            )));
        }
        if ip.to_string() != s.peer_ip {
            return Err(refuse(format!(
                "session {}: address {} is not in canonical form",
                s.id, s.peer_ip
            )));
        }
        values::notes(&s.notes, "notes").map_err(&c)?;
    }
    Ok(())
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

/// One CSV field: quoted when needed, and a leading `= + - @` neutralised so a
/// spreadsheet never runs a peer's name as a formula.
fn csv_field(value: &str) -> String {
    let v = if value.starts_with(['=', '+', '-', '@']) && value.parse::<f64>().is_err() {
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

    pub fn replace_inventory(&self, inv: &Inventory) -> Result<ImportSummary> {
        check(inv)?;
        let now = self.now();
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
        let ctx = |what: String| move |e: Error| refuse(format!("{what}: {e}"));
        crate::settings::store::put(&tx, &inv.settings).map_err(ctx("settings".into()))?;
        for e in &inv.exchanges {
            store::insert_exchange_row(&tx, e).map_err(ctx(format!("exchange {}", e.name)))?;
        }
        for r in &inv.routers {
            let c = ctx(format!("router {}", r.name));
            devices::insert_router_row(&tx, r).map_err(&c)?;
            for a in &r.attachments {
                let fields = devices::AttachmentFields {
                    exchange_id: a.exchange_id,
                    ipv4: values::optional_ip(a.ipv4.as_deref(), "ipv4")?,
                    ipv6: values::optional_ip(a.ipv6.as_deref(), "ipv6")?,
                };
                devices::insert_attachment(&tx, r.id, &fields).map_err(&c)?;
            }
        }
        for g in &inv.peer_groups {
            store::insert_peer_group_row(&tx, g).map_err(ctx(format!("peer group {}", g.name)))?;
        }
        for n in &inv.networks {
            store::insert_network_row(&tx, n).map_err(ctx(format!("network AS{}", n.asn)))?;
        }
        for s in &inv.sessions {
            store::insert_session_row(&tx, s)
                .map_err(ctx(format!("session {} {}", s.id, s.peer_ip)))?;
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
    }
}
