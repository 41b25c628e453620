//! The peering inventory: exchanges, peer groups, networks (peers) and BGP
//! sessions, with the rules that keep them consistent (a peer IP inside its
//! exchange's LAN and of its peer group's family, one session per router and
//! peer IP). Router records live in `devices`; rendering and pushing config
//! come later and read from here.

mod configure;
mod demo;
mod inventory;
mod store;

use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::secrets::{session_md5_key, Secret};
use crate::values::{self, AddressFamily, Asn};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use ts_rs::TS;

pub use configure::{
    ConfigureChoice, ConfigureExchange, ConfigureRouter, ConfigureRow, ConfigureSelection,
    ConfigureSessionsView, PeerGroupChoice, RouterConfigPreview,
};
pub use demo::{seed_large, LargeSeed};
pub use inventory::{ImportSummary, Inventory, InventoryCounts};
pub(crate) use store::{
    get_exchange, get_session as get_session_in, insert_peer_group_in,
    network_by_asn as network_id_by_asn, set_admin_state, set_session_details,
    set_session_states as set_states,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionType {
    Peer,
    RouteServer,
    Private,
    Customer,
    Transit,
}
values::text_enum!(SessionType {
    Peer => "peer", RouteServer => "route_server", Private => "private",
    Customer => "customer", Transit => "transit"
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AdminState {
    Up,
    Down,
}
values::text_enum!(AdminState { Up => "up", Down => "down" });

/// Where Peerdesk believes the router's configuration is for a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConfigState {
    NotConfigured,
    Pending,
    Configured,
    Failed,
}
values::text_enum!(ConfigState {
    NotConfigured => "not_configured", Pending => "pending",
    Configured => "configured", Failed => "failed"
});

/// The BGP finite-state-machine state last read from the router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BgpState {
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
}
values::text_enum!(BgpState {
    Idle => "idle", Connect => "connect", Active => "active",
    OpenSent => "open_sent", OpenConfirm => "open_confirm", Established => "established"
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    pub id: i64,
    pub name: String,
    pub city: String,
    pub country: String,
    pub peeringdb_ix_id: Option<i64>,
    pub peeringdb_ixlan_id: Option<i64>,
    pub prefix_v4: Option<String>,
    pub prefix_v6: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An exchange (or, with `exchange: None`, the sessions on no exchange) with the
/// counts the Exchanges list shows.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeSummary {
    pub exchange: Option<Exchange>,
    pub router_names: Vec<String>,
    pub sessions: u32,
    pub established: u32,
    pub configured: u32,
    pub pending: u32,
    pub failed: u32,
    pub not_configured: u32,
}

/// What the exchange dialog sends, for adding and for editing.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewExchange {
    pub name: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub country: String,
    #[ts(optional)]
    pub peeringdb_ix_id: Option<i64>,
    #[ts(optional)]
    pub peeringdb_ixlan_id: Option<i64>,
    #[ts(optional)]
    pub prefix_v4: Option<String>,
    #[ts(optional)]
    pub prefix_v6: Option<String>,
}

pub type ExchangeChanges = NewExchange;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PeerGroup {
    pub id: i64,
    pub name: String,
    pub router_id: i64,
    pub router_name: String,
    pub exchange_id: Option<i64>,
    pub exchange_name: Option<String>,
    pub family: AddressFamily,
    pub import_policy: String,
    pub export_policy: String,
    pub max_prefix: Option<u32>,
    pub session_type: SessionType,
    pub session_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// What the peer group form sends. `router_id` may be absent only inside
/// [`crate::devices::NewRouter`], where the router is being created.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewPeerGroup {
    #[ts(optional)]
    pub router_id: Option<i64>,
    pub name: String,
    #[ts(optional)]
    pub exchange_id: Option<i64>,
    pub family: AddressFamily,
    #[serde(default)]
    pub import_policy: String,
    #[serde(default)]
    pub export_policy: String,
    #[ts(optional)]
    pub max_prefix: Option<i64>,
    pub session_type: SessionType,
}

pub type PeerGroupChanges = NewPeerGroup;

pub(crate) struct PeerGroupFields {
    pub router_id: i64,
    pub name: String,
    pub exchange_id: Option<i64>,
    pub family: AddressFamily,
    pub import_policy: String,
    pub export_policy: String,
    pub max_prefix: Option<u32>,
    pub session_type: SessionType,
}

impl NewPeerGroup {
    pub(crate) fn validate(&self) -> Result<PeerGroupFields> {
        let router_id = self
            .router_id
            .ok_or_else(|| Error::invalid("routerId", "choose a router"))?;
        let max_prefix = self
            .max_prefix
            .map(|m| {
                u32::try_from(m)
                    .ok()
                    .filter(|m| *m > 0)
                    .ok_or_else(|| Error::invalid("maxPrefix", "a positive number, or empty"))
            })
            .transpose()?;
        Ok(PeerGroupFields {
            router_id,
            name: values::identifier(&self.name, "name").and_then(|n| {
                if n.is_empty() {
                    Err(Error::invalid("name", "required"))
                } else {
                    Ok(n)
                }
            })?,
            exchange_id: self.exchange_id,
            family: self.family,
            import_policy: values::identifier(&self.import_policy, "importPolicy")?,
            export_policy: values::identifier(&self.export_policy, "exportPolicy")?,
            max_prefix,
            session_type: self.session_type,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    pub id: i64,
    pub asn: u32,
    pub name: String,
    /// The AS-SET field as stored: its sets in canonical form, space separated.
    pub as_set: String,
    /// The same sets as a list (read from `as_set`; an inventory file's value is ignored).
    #[serde(default)]
    pub as_sets: Vec<String>,
    pub max_prefix_v4: Option<u32>,
    pub max_prefix_v6: Option<u32>,
    pub peeringdb_net_id: Option<i64>,
    /// True for networks entered by hand rather than taken from PeeringDB.
    pub local_peer: bool,
    pub session_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// One BGP session as the Sessions list shows it, with the names it refers to.
/// `md5_ref` is the keyring key of its MD5 password, never the password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: i64,
    pub session_type: SessionType,
    pub exchange_id: Option<i64>,
    pub exchange_name: Option<String>,
    pub router_id: i64,
    pub router_name: String,
    pub peer_group_id: Option<i64>,
    pub peer_group_name: Option<String>,
    pub network_id: i64,
    pub asn: u32,
    pub network_name: String,
    pub peer_ip: String,
    pub ip_version: u8,
    pub md5_ref: Option<String>,
    /// The session had an MD5 password where it came from (an inventory file,
    /// which never carries one): nothing is pushed until it is entered again.
    #[serde(default)]
    pub md5_needed: bool,
    pub admin_state: AdminState,
    pub config_state: ConfigState,
    pub bgp_state: Option<BgpState>,
    pub bgp_refreshed_at: Option<String>,
    /// Since when the session has been up, from the uptime the router reported.
    #[serde(default)]
    #[ts(optional)]
    pub bgp_up_since: Option<String>,
    /// Prefixes accepted from the peer at the last read.
    #[serde(default)]
    #[ts(optional)]
    pub prefixes_received: Option<u32>,
    /// The router's last error for a session that was not up at the last read.
    #[serde(default)]
    #[ts(optional)]
    pub bgp_last_error: Option<String>,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What the Add Session wizard sends: one peer, one or two addresses (IPv4,
/// IPv6), each becoming a session with its own peer group.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    pub session_type: SessionType,
    /// `None` is "No Exchange" (a private or transit session).
    #[ts(optional)]
    pub exchange_id: Option<i64>,
    pub router_id: i64,
    /// ASN as typed.
    pub asn: String,
    /// Required when the ASN is not yet a known network.
    #[serde(default)]
    pub peer_name: String,
    #[serde(default)]
    pub as_set: String,
    #[ts(optional)]
    pub peer_ipv4: Option<String>,
    #[ts(optional)]
    pub peer_group_v4: Option<i64>,
    #[ts(optional)]
    pub peer_ipv6: Option<String>,
    #[ts(optional)]
    pub peer_group_v6: Option<i64>,
    #[ts(optional)]
    pub md5_password: Option<String>,
    #[serde(default)]
    pub notes: String,
}

/// What the Edit Session dialog sends. An empty `md5_password` keeps the stored
/// one; `clear_md5` removes it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionChanges {
    pub session_type: SessionType,
    #[ts(optional)]
    pub peer_group_id: Option<i64>,
    pub peer_ip: String,
    pub admin_state: AdminState,
    #[ts(optional)]
    pub md5_password: Option<String>,
    #[serde(default)]
    pub clear_md5: bool,
    #[serde(default)]
    pub notes: String,
}

/// Filters of the Sessions list; every field narrows, absent fields do not.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionFilter {
    #[ts(optional)]
    pub exchange_id: Option<i64>,
    /// Only sessions on no exchange.
    pub no_exchange: bool,
    #[ts(optional)]
    pub router_id: Option<i64>,
    #[ts(optional)]
    pub network_id: Option<i64>,
    /// Peer name, `AS`-number or IP, matched as a substring, case-insensitive.
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub ip_version: Option<u8>,
    #[ts(optional)]
    pub session_type: Option<SessionType>,
    #[ts(optional)]
    pub config_state: Option<ConfigState>,
    #[ts(optional)]
    pub bgp_state: Option<BgpState>,
    #[ts(optional)]
    pub admin_state: Option<AdminState>,
}

/// The column a sessions page is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SessionSort {
    Peer,
    Asn,
    PeerIp,
    Router,
    PeerGroup,
    SessionType,
    AdminState,
    ConfigState,
    BgpState,
}

impl SessionSort {
    /// The ORDER BY list; the default order follows as tie-breaker.
    fn order(sort: Option<SessionSort>, descending: bool) -> String {
        const DEFAULT: &str = "e.name, n.asn, s.ip_version, s.peer_ip, s.id";
        let Some(sort) = sort else {
            return DEFAULT.into();
        };
        let col = match sort {
            SessionSort::Peer => "n.name COLLATE NOCASE",
            SessionSort::Asn => "n.asn",
            SessionSort::PeerIp => "s.ip_version, s.peer_ip",
            SessionSort::Router => "r.name",
            SessionSort::PeerGroup => "g.name",
            SessionSort::SessionType => "s.session_type",
            SessionSort::AdminState => "s.admin_state",
            SessionSort::ConfigState => "s.config_state",
            SessionSort::BgpState => "s.bgp_state",
        };
        let dir = if descending { "DESC" } else { "ASC" };
        let cols: Vec<String> = col.split(", ").map(|c| format!("{c} {dir}")).collect();
        format!("{}, {DEFAULT}", cols.join(", "))
    }
}

/// What the Sessions list asks for: a window of the matching sessions.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionPageRequest {
    pub filter: SessionFilter,
    #[ts(optional)]
    pub sort: Option<SessionSort>,
    #[serde(default)]
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionPage {
    /// All sessions matching the filter.
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<Session>,
}

/// Refuses `ip` unless it lies inside `prefix` (the exchange's LAN).
pub(crate) fn check_inside(
    ip: &IpAddr,
    prefix: &str,
    exchange: &str,
    field: &'static str,
) -> Result<()> {
    let net: IpNet = prefix
        .parse()
        .map_err(|_| Error::Internal(format!("stored prefix {prefix} does not parse")))?;
    if net.contains(ip) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{ip} is outside {exchange}'s LAN {net}"),
        ))
    }
}

struct ExchangeFields {
    name: String,
    city: String,
    country: String,
    peeringdb_ix_id: Option<i64>,
    peeringdb_ixlan_id: Option<i64>,
    prefix_v4: Option<IpNet>,
    prefix_v6: Option<IpNet>,
}

impl NewExchange {
    fn validate(&self) -> Result<ExchangeFields> {
        let positive = |v: Option<i64>, field| match v {
            Some(n) if n <= 0 => Err(Error::invalid(field, "a positive PeeringDB id, or empty")),
            v => Ok(v),
        };
        let country = self.country.trim().to_ascii_uppercase();
        let two_letters = country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic());
        if !country.is_empty() && !two_letters {
            return Err(Error::invalid(
                "country",
                "a two-letter country code such as DE",
            ));
        }
        Ok(ExchangeFields {
            name: values::name(&self.name, "name", 100)?,
            city: values::optional_name(&self.city, "city", 100)?,
            country,
            peeringdb_ix_id: positive(self.peeringdb_ix_id, "peeringdbIxId")?,
            peeringdb_ixlan_id: positive(self.peeringdb_ixlan_id, "peeringdbIxlanId")?,
            prefix_v4: values::optional_prefix(
                self.prefix_v4.as_deref(),
                AddressFamily::Ipv4,
                "prefixV4",
            )?,
            prefix_v6: values::optional_prefix(
                self.prefix_v6.as_deref(),
                AddressFamily::Ipv6,
                "prefixV6",
            )?,
        })
    }
}

/// A validated address of a new or edited session.
struct SessionAddress {
    ip: IpAddr,
    peer_group_id: Option<i64>,
    field: &'static str,
}

/// Checks one peer address against the exchange, the router and the peer group.
fn check_address(
    conn: &rusqlite::Connection,
    exchange: Option<&Exchange>,
    router_id: i64,
    addr: &SessionAddress,
    except_session: Option<i64>,
) -> Result<()> {
    let family = AddressFamily::of(&addr.ip);
    if let Some(ex) = exchange {
        let prefix = match family {
            AddressFamily::Ipv4 => ex.prefix_v4.as_deref(),
            AddressFamily::Ipv6 => ex.prefix_v6.as_deref(),
        };
        if let Some(prefix) = prefix {
            check_inside(&addr.ip, prefix, &ex.name, addr.field)?;
        }
    }
    if let Some(pg_id) = addr.peer_group_id {
        let pg = store::get_peer_group(conn, pg_id)?;
        if pg.router_id != router_id {
            return Err(Error::invalid(
                "peerGroup",
                format!(
                    "peer group {} belongs to router {}",
                    pg.name, pg.router_name
                ),
            ));
        }
        if pg.family != family {
            return Err(Error::invalid(
                addr.field,
                format!(
                    "{} is not an {} address as peer group {} requires",
                    addr.ip,
                    pg.family.label(),
                    pg.name
                ),
            ));
        }
        if let (Some(pg_ex), Some(ex)) = (pg.exchange_id, exchange) {
            if pg_ex != ex.id {
                return Err(Error::invalid(
                    "peerGroup",
                    format!(
                        "peer group {} is for {}, not {}",
                        pg.name,
                        pg.exchange_name.unwrap_or_default(),
                        ex.name
                    ),
                ));
            }
        }
    }
    if let Some(other) = store::session_by_router_ip(conn, router_id, &addr.ip.to_string())? {
        if Some(other) != except_session {
            return Err(Error::conflict(
                addr.field,
                format!("this router already has a session with {}", addr.ip),
            ));
        }
    }
    Ok(())
}

impl crate::Peerdesk {
    pub fn list_exchanges(&self) -> Result<Vec<ExchangeSummary>> {
        store::list_exchange_summaries(&*self.db()?)
    }

    pub fn add_exchange(&self, new: &NewExchange) -> Result<Exchange> {
        let f = new.validate()?;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let id = store::insert_exchange(&tx, &f, &now)?;
        let ex = store::get_exchange(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "exchange",
            Some(id),
            AuditAction::Create,
            &format!("Exchange {} added", ex.name),
            None::<&()>,
            Some(&ex),
        )?;
        tx.commit()?;
        Ok(ex)
    }

    pub fn update_exchange(&self, id: i64, changes: &ExchangeChanges) -> Result<Exchange> {
        let f = changes.validate()?;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_exchange(&tx, id)?;
        store::update_exchange(&tx, id, &f, &now)?;
        let ex = store::get_exchange(&tx, id)?;
        // A narrowed LAN must still hold every session and router address on it.
        for s in store::list_sessions(
            &tx,
            &SessionFilter {
                exchange_id: Some(id),
                ..Default::default()
            },
        )? {
            let ip: IpAddr = s
                .peer_ip
                .parse()
                .map_err(|_| Error::Internal("stored IP".into()))?;
            let (prefix, field) = if ip.is_ipv4() {
                (&ex.prefix_v4, "prefixV4")
            } else {
                (&ex.prefix_v6, "prefixV6")
            };
            if let Some(p) = prefix {
                check_inside(&ip, p, &ex.name, field).map_err(|_| {
                    Error::conflict(
                        field,
                        format!(
                            "session with {} ({}) would fall outside {p}",
                            s.network_name, s.peer_ip
                        ),
                    )
                })?;
            }
        }
        audit::record(
            &tx,
            &now,
            "exchange",
            Some(id),
            AuditAction::Update,
            &format!("Exchange {} changed", ex.name),
            Some(&old),
            Some(&ex),
        )?;
        tx.commit()?;
        Ok(ex)
    }

    /// Deletes an exchange that has no sessions (router attachments go with it).
    pub fn delete_exchange(&self, id: i64) -> Result<()> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_exchange(&tx, id)?;
        let n = store::list_sessions(
            &tx,
            &SessionFilter {
                exchange_id: Some(id),
                ..Default::default()
            },
        )?
        .len();
        if n > 0 {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "{} has {n} session(s); delete them before deleting the exchange",
                    old.name
                ),
            });
        }
        store::delete_exchange(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "exchange",
            Some(id),
            AuditAction::Delete,
            &format!("Exchange {} deleted", old.name),
            Some(&old),
            None::<&()>,
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn list_peer_groups(&self) -> Result<Vec<PeerGroup>> {
        store::list_peer_groups(&*self.db()?)
    }

    pub fn add_peer_group(&self, new: &NewPeerGroup) -> Result<PeerGroup> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let pg = store::insert_peer_group_in(&tx, new, &now)?;
        tx.commit()?;
        Ok(pg)
    }

    pub fn update_peer_group(&self, id: i64, changes: &PeerGroupChanges) -> Result<PeerGroup> {
        let f = changes.validate()?;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_peer_group(&tx, id)?;
        if old.session_count > 0 && (old.router_id != f.router_id || old.family != f.family) {
            return Err(Error::conflict(
                "routerId",
                format!(
                    "peer group {} has {} session(s): its router and family cannot change",
                    old.name, old.session_count
                ),
            ));
        }
        crate::devices::get_router(&tx, f.router_id)?;
        if let Some(ex) = f.exchange_id {
            store::get_exchange(&tx, ex)?;
        }
        store::update_peer_group(&tx, id, &f, &now)?;
        let pg = store::get_peer_group(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "peer_group",
            Some(id),
            AuditAction::Update,
            &format!("Peer group {} changed", pg.name),
            Some(&old),
            Some(&pg),
        )?;
        tx.commit()?;
        Ok(pg)
    }

    pub fn delete_peer_group(&self, id: i64) -> Result<()> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_peer_group(&tx, id)?;
        if old.session_count > 0 {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "peer group {} has {} session(s); move or delete them first",
                    old.name, old.session_count
                ),
            });
        }
        store::delete_peer_group(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "peer_group",
            Some(id),
            AuditAction::Delete,
            &format!("Peer group {} deleted", old.name),
            Some(&old),
            None::<&()>,
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn list_networks(&self) -> Result<Vec<Network>> {
        store::list_networks(&*self.db()?)
    }

    pub fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<Session>> {
        store::list_sessions(&*self.db()?, filter)
    }

    /// One window of the filtered, sorted sessions and how many match in all:
    /// the Sessions list fetches only what it shows, so 20,000 sessions cost
    /// no more to open or filter than 200.
    pub fn list_sessions_page(&self, req: &SessionPageRequest) -> Result<SessionPage> {
        let conn = self.db()?;
        let total = store::count_sessions(&conn, &req.filter)?;
        let order = SessionSort::order(req.sort, req.descending);
        let rows =
            store::session_window(&conn, &req.filter, &order, req.offset, req.limit.min(2000))?;
        Ok(SessionPage {
            total,
            offset: req.offset,
            rows,
        })
    }

    pub fn get_session(&self, id: i64) -> Result<Session> {
        store::get_session(&*self.db()?, id)
    }

    /// Adds one session per given address (IPv4 and/or IPv6) for one peer, all or
    /// nothing. A network unknown so far is created as a local peer.
    pub fn add_session(&self, new: &NewSession) -> Result<Vec<Session>> {
        let asn = Asn::parse(&new.asn, "asn")?;
        let notes = values::notes(&new.notes, "notes")?;
        let as_set = values::as_set_list(&new.as_set, "asSet")?.to_string();
        let md5 = new
            .md5_password
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| values::md5_password(p, "md5Password"))
            .transpose()?;
        let mut addresses = Vec::new();
        for (text, pg, field, family) in [
            (
                new.peer_ipv4.as_deref(),
                new.peer_group_v4,
                "peerIpv4",
                AddressFamily::Ipv4,
            ),
            (
                new.peer_ipv6.as_deref(),
                new.peer_group_v6,
                "peerIpv6",
                AddressFamily::Ipv6,
            ),
        ] {
            if let Some(ip) = values::optional_ip(text, field)? {
                if AddressFamily::of(&ip) != family {
                    return Err(Error::invalid(
                        field,
                        format!("{ip} is not an {} address", family.label()),
                    ));
                }
                addresses.push(SessionAddress {
                    ip,
                    peer_group_id: pg,
                    field,
                });
            }
        }
        if addresses.is_empty() {
            return Err(Error::invalid(
                "peerIpv4",
                "enter the peer's IPv4 or IPv6 address",
            ));
        }
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        crate::devices::get_router(&tx, new.router_id)
            .map_err(|_| Error::invalid("routerId", "choose a router"))?;
        let exchange = new
            .exchange_id
            .map(|id| store::get_exchange(&tx, id))
            .transpose()?;
        if let Some(ex) = &exchange {
            if !store::router_on_exchange(&tx, new.router_id, ex.id)? {
                return Err(Error::invalid(
                    "routerId",
                    format!("the router is not attached to {}", ex.name),
                ));
            }
        }
        for a in &addresses {
            check_address(&tx, exchange.as_ref(), new.router_id, a, None)?;
        }
        let network_id = match store::network_by_asn(&tx, asn.get())? {
            Some(id) => id,
            None => {
                let name = values::name(&new.peer_name, "peerName", 200)?;
                let id = store::insert_network(&tx, asn.get(), &name, &as_set, &now)?;
                let net = store::get_network(&tx, id)?;
                audit::record(
                    &tx,
                    &now,
                    "network",
                    Some(id),
                    AuditAction::Create,
                    &format!("Network {} {} added", asn, name),
                    None::<&()>,
                    Some(&net),
                )?;
                id
            }
        };
        let mut created = Vec::new();
        let mut written_keys: Vec<String> = Vec::new();
        for a in &addresses {
            let id = store::insert_session(
                &tx,
                &store::SessionRow {
                    session_type: new.session_type,
                    exchange_id: new.exchange_id,
                    router_id: new.router_id,
                    peer_group_id: a.peer_group_id,
                    network_id,
                    peer_ip: a.ip.to_string(),
                    ip_version: AddressFamily::of(&a.ip).version(),
                    admin_state: AdminState::Up,
                    notes: notes.clone(),
                },
                &now,
            )?;
            if let Some(p) = &md5 {
                let key = session_md5_key(id);
                if let Err(e) = self.secrets.set(&key, &Secret::new(p.clone())) {
                    for k in &written_keys {
                        let _ = self.secrets.delete(k);
                    }
                    return Err(e.into());
                }
                store::set_md5_ref(&tx, id, Some(&key))?;
                written_keys.push(key);
            }
            let s = store::get_session(&tx, id)?;
            audit::record(
                &tx,
                &now,
                "session",
                Some(id),
                AuditAction::Create,
                &format!(
                    "Session with {} {} ({}) added",
                    asn, s.network_name, s.peer_ip
                ),
                None::<&()>,
                Some(&s),
            )?;
            created.push(s);
        }
        if let Err(e) = tx.commit() {
            for k in &written_keys {
                let _ = self.secrets.delete(k);
            }
            return Err(e.into());
        }
        Ok(created)
    }

    pub fn update_session(&self, id: i64, changes: &SessionChanges) -> Result<Session> {
        let ip = values::ip(&changes.peer_ip, "peerIp")?;
        let notes = values::notes(&changes.notes, "notes")?;
        let md5 = changes
            .md5_password
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| values::md5_password(p, "md5Password"))
            .transpose()?;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_session(&tx, id)?;
        let exchange = old
            .exchange_id
            .map(|e| store::get_exchange(&tx, e))
            .transpose()?;
        check_address(
            &tx,
            exchange.as_ref(),
            old.router_id,
            &SessionAddress {
                ip,
                peer_group_id: changes.peer_group_id,
                field: "peerIp",
            },
            Some(id),
        )?;
        store::update_session(
            &tx,
            id,
            changes.session_type,
            changes.peer_group_id,
            &ip.to_string(),
            AddressFamily::of(&ip).version(),
            changes.admin_state,
            &notes,
            &now,
        )?;
        let key = session_md5_key(id);
        if changes.clear_md5 {
            self.secrets.delete(&key)?;
            store::set_md5_ref(&tx, id, None)?;
        } else if let Some(p) = md5 {
            self.secrets.set(&key, &Secret::new(p))?;
            store::set_md5_ref(&tx, id, Some(&key))?;
        }
        let s = store::get_session(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "session",
            Some(id),
            AuditAction::Update,
            &format!(
                "Session with AS{} {} ({}) changed",
                s.asn, s.network_name, s.peer_ip
            ),
            Some(&old),
            Some(&s),
        )?;
        tx.commit()?;
        Ok(s)
    }

    /// Deletes a session from the inventory and its MD5 password from the keyring.
    /// (Removing it from the router comes with router configuration.)
    pub fn delete_session(&self, id: i64) -> Result<()> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_session(&tx, id)?;
        store::delete_session(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "session",
            Some(id),
            AuditAction::Delete,
            &format!(
                "Session with AS{} {} ({}) deleted",
                old.asn, old.network_name, old.peer_ip
            ),
            Some(&old),
            None::<&()>,
        )?;
        tx.commit()?;
        if let Some(key) = &old.md5_ref {
            let _ = self.secrets.delete(key);
        }
        Ok(())
    }
}
