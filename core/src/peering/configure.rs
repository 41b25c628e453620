//! Configure Sessions (guide step 4, for a peer marked Existing or Approved):
//! the exchanges where we have a router and the peer is present — PeeringDB's
//! netixlan through the exchange's PeeringDB id, and our own sessions — with,
//! under each, the peer's sessions and candidate sessions (one per address
//! PeeringDB lists that is not a session yet) and a default router, peer group
//! and peer type for each; creating the chosen candidates and applying changed
//! choices in one transaction; and the review text per router. Pushing now and
//! scheduling belong to `jobs`; this module stops at the session ids to configure.

use super::store;
use super::{check_address, AdminState, BgpState, ConfigState, SessionAddress, SessionType};
use crate::audit::{self, AuditAction};
use crate::devices::{Platform, Router};
use crate::error::{CommandError, Error, Result};
use crate::templating::config::{ConfigOperation, ConfigOverrides};
use crate::templating::diff::DiffLine;
use crate::values::{self, AddressFamily, Asn};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;
use ts_rs::TS;

/// Everything the Configure Sessions modal shows for one peer.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureSessionsView {
    pub asn: u32,
    pub network_name: String,
    pub exchanges: Vec<ConfigureExchange>,
}

/// One exchange (or, with `exchange_id: None`, the peer's sessions on no
/// exchange) with the choices its rows may take.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureExchange {
    pub exchange_id: Option<i64>,
    pub exchange_name: String,
    /// Our routers attached to this exchange.
    pub routers: Vec<ConfigureRouter>,
    /// Peer groups of those routers usable here (for this exchange or for any);
    /// a row offers those of its router and address family.
    pub peer_groups: Vec<PeerGroupChoice>,
    pub rows: Vec<ConfigureRow>,
    /// PeeringDB addresses left out, and why (e.g. outside our LAN).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureRouter {
    pub id: i64,
    pub name: String,
    pub platform: Platform,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PeerGroupChoice {
    pub id: i64,
    pub name: String,
    pub router_id: i64,
    pub family: AddressFamily,
    pub session_type: SessionType,
}

/// A session (`session_id` set) or a candidate from PeeringDB (`session_id`
/// null), with its current or default router, peer group and peer type.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureRow {
    pub session_id: Option<i64>,
    pub peer_ip: String,
    pub ip_version: u8,
    /// Null when no router here has an address of this family.
    pub router_id: Option<i64>,
    /// The routers this row may use (attached here, with an address of its family).
    pub router_ids: Vec<i64>,
    pub peer_group_id: Option<i64>,
    pub session_type: SessionType,
    pub config_state: Option<ConfigState>,
    pub bgp_state: Option<BgpState>,
}

/// What the modal sends for Configure Now and Schedule: the checked rows with
/// their (possibly changed) router, peer group and peer type.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureSelection {
    pub asn: u32,
    pub rows: Vec<ConfigureChoice>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureChoice {
    /// Absent for a candidate: the session is created.
    #[ts(optional)]
    pub session_id: Option<i64>,
    #[ts(optional)]
    pub exchange_id: Option<i64>,
    pub peer_ip: String,
    pub router_id: i64,
    #[ts(optional)]
    pub peer_group_id: Option<i64>,
    pub session_type: SessionType,
}

/// The review of one router before Configure Now: what it has for these
/// neighbours and what would be sent, read in one connection.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterConfigPreview {
    pub router_id: i64,
    pub router_name: String,
    pub platform: Platform,
    pub session_ids: Vec<i64>,
    /// The router's current lines for these neighbours (empty when it has none).
    pub current: String,
    /// The configuration to send (MD5 passwords masked).
    pub proposed: String,
    /// Per neighbour, its lines now against what they will be after the push.
    pub diff: Vec<DiffLine>,
    /// Why this router could not be read (unreachable, host key, …); the
    /// other routers' previews are still there.
    pub error: Option<CommandError>,
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim().parse().ok()
}

/// The group a new session on `router` of `family` gets by default: one for
/// this exchange first, then one for any exchange.
fn default_group(
    groups: &[PeerGroupChoice],
    exchange_groups: &BTreeMap<i64, Option<i64>>,
    router: i64,
    family: AddressFamily,
    exchange: Option<i64>,
) -> Option<i64> {
    let fits = |g: &&PeerGroupChoice| g.router_id == router && g.family == family;
    groups
        .iter()
        .filter(fits)
        .find(|g| exchange.is_some() && exchange_groups.get(&g.id) == Some(&exchange))
        .or_else(|| groups.iter().find(fits))
        .map(|g| g.id)
}

impl crate::Peerdesk {
    /// The Configure Sessions view of the peer with `asn`; with `only_session`,
    /// just that session under its exchange (the session wrench's entry).
    pub fn configure_sessions_candidates(
        &self,
        asn: u32,
        only_session: Option<i64>,
    ) -> Result<ConfigureSessionsView> {
        let asn = Asn::new(i64::from(asn), "asn")?.get();
        let only = only_session.map(|id| self.get_session(id)).transpose()?;
        if let Some(s) = &only {
            if s.asn != asn {
                return Err(Error::invalid(
                    "sessionId",
                    format!("session {} is with AS{}, not AS{asn}", s.id, s.asn),
                ));
            }
        }
        let routers = self.list_routers()?;
        let all_groups = self.list_peer_groups()?;
        let pdb_name = self.pdb_network(asn).ok().map(|d| d.network.name);
        let (exchanges, network, sessions) = {
            let conn = self.db()?;
            let exchanges = store::list_exchanges(&conn)?;
            let network = store::network_by_asn(&conn, asn)?
                .map(|id| store::get_network(&conn, id))
                .transpose()?;
            let sessions = match &network {
                Some(n) => store::list_sessions(
                    &conn,
                    &super::SessionFilter {
                        network_id: Some(n.id),
                        ..Default::default()
                    },
                )?,
                None => Vec::new(),
            };
            (exchanges, network, sessions)
        };
        let network_name = network
            .map(|n| n.name)
            .or(pdb_name)
            .unwrap_or_else(|| format!("AS{asn}"));
        let exchange_groups: BTreeMap<i64, Option<i64>> =
            all_groups.iter().map(|g| (g.id, g.exchange_id)).collect();

        let mut out = Vec::new();
        for ex in exchanges
            .iter()
            .map(Some)
            .chain(std::iter::once(None::<&super::Exchange>))
        {
            let ex_id = ex.map(|e| e.id);
            if only.as_ref().is_some_and(|s| s.exchange_id != ex_id) {
                continue;
            }
            let here: Vec<&super::Session> = sessions
                .iter()
                .filter(|s| s.exchange_id == ex_id)
                .filter(|s| only.as_ref().is_none_or(|o| o.id == s.id))
                .collect();
            // Routers attached here with their address families; on no exchange, all.
            let attached: Vec<(&Router, bool, bool)> = routers
                .iter()
                .filter_map(|r| match ex_id {
                    None => Some((r, true, true)),
                    Some(id) => r
                        .attachments
                        .iter()
                        .find(|a| a.exchange_id == id)
                        .map(|a| (r, a.ipv4.is_some(), a.ipv6.is_some())),
                })
                .collect();
            let presences = match (ex, &only) {
                (Some(e), None) if !attached.is_empty() => self.peer_addresses(asn, e.id)?,
                _ => Vec::new(),
            };
            if here.is_empty() && presences.is_empty() {
                continue;
            }
            let router_ids: Vec<i64> = attached.iter().map(|(r, _, _)| r.id).collect();
            let groups: Vec<PeerGroupChoice> = all_groups
                .iter()
                .filter(|g| router_ids.contains(&g.router_id))
                .filter(|g| ex_id.is_none() || g.exchange_id.is_none() || g.exchange_id == ex_id)
                .map(|g| PeerGroupChoice {
                    id: g.id,
                    name: g.name.clone(),
                    router_id: g.router_id,
                    family: g.family,
                    session_type: g.session_type,
                })
                .collect();
            let routers_for = |family: AddressFamily| -> Vec<i64> {
                attached
                    .iter()
                    .filter(|(_, v4, v6)| match family {
                        AddressFamily::Ipv4 => *v4,
                        AddressFamily::Ipv6 => *v6,
                    })
                    .map(|(r, _, _)| r.id)
                    .collect()
            };
            let mut rows: Vec<ConfigureRow> = here
                .iter()
                .map(|s| {
                    let family = if s.ip_version == 4 {
                        AddressFamily::Ipv4
                    } else {
                        AddressFamily::Ipv6
                    };
                    let mut ids = routers_for(family);
                    if !ids.contains(&s.router_id) {
                        ids.insert(0, s.router_id);
                    }
                    ConfigureRow {
                        session_id: Some(s.id),
                        peer_ip: s.peer_ip.clone(),
                        ip_version: s.ip_version,
                        router_id: Some(s.router_id),
                        router_ids: ids,
                        peer_group_id: s.peer_group_id,
                        session_type: s.session_type,
                        config_state: Some(s.config_state),
                        bgp_state: s.bgp_state,
                    }
                })
                .collect();
            let mut notes = Vec::new();
            let lan = |family: AddressFamily| -> Option<IpNet> {
                let e = ex?;
                match family {
                    AddressFamily::Ipv4 => e.prefix_v4.as_deref(),
                    AddressFamily::Ipv6 => e.prefix_v6.as_deref(),
                }
                .and_then(|p| p.parse().ok())
            };
            let addresses = presences
                .iter()
                .flat_map(|p| [p.ipaddr4.as_deref(), p.ipaddr6.as_deref()])
                .flatten()
                .filter_map(parse_ip);
            for ip in addresses {
                let known = sessions.iter().any(|s| parse_ip(&s.peer_ip) == Some(ip))
                    || rows.iter().any(|r| parse_ip(&r.peer_ip) == Some(ip));
                if known {
                    continue;
                }
                let family = AddressFamily::of(&ip);
                if let Some(net) = lan(family) {
                    if !net.contains(&ip) {
                        notes.push(format!(
                            "{ip} (PeeringDB) is outside our LAN {net} here and is left out"
                        ));
                        continue;
                    }
                }
                let ids = routers_for(family);
                let router_id = ids.first().copied();
                let peer_group_id = router_id
                    .and_then(|r| default_group(&groups, &exchange_groups, r, family, ex_id));
                let session_type = peer_group_id
                    .and_then(|g| groups.iter().find(|c| c.id == g))
                    .map_or(SessionType::Peer, |g| g.session_type);
                if router_id.is_none() {
                    notes.push(format!(
                        "{ip}: no router here has an {} address",
                        family.label()
                    ));
                }
                rows.push(ConfigureRow {
                    session_id: None,
                    peer_ip: ip.to_string(),
                    ip_version: family.version() as u8,
                    router_id,
                    router_ids: ids,
                    peer_group_id,
                    session_type,
                    config_state: None,
                    bgp_state: None,
                });
            }
            rows.sort_by_key(|r| (r.ip_version, parse_ip(&r.peer_ip)));
            out.push(ConfigureExchange {
                exchange_id: ex_id,
                exchange_name: ex.map_or_else(|| "No Exchange".to_string(), |e| e.name.clone()),
                routers: attached
                    .iter()
                    .map(|(r, _, _)| ConfigureRouter {
                        id: r.id,
                        name: r.name.clone(),
                        platform: r.platform,
                    })
                    .collect(),
                peer_groups: groups,
                rows,
                notes,
            });
        }
        Ok(ConfigureSessionsView {
            asn,
            network_name,
            exchanges: out,
        })
    }

    /// Creates the sessions for the chosen candidates and applies changed
    /// router, peer group and peer type to the chosen sessions, all in one
    /// transaction: on any error nothing is created or changed. Returns the ids
    /// of the sessions to configure, in the order chosen.
    pub fn prepare_configure_sessions(&self, selection: &ConfigureSelection) -> Result<Vec<i64>> {
        let asn = Asn::new(i64::from(selection.asn), "asn")?;
        if selection.rows.is_empty() {
            return Err(Error::invalid("rows", "select at least one session"));
        }
        let pdb = self.pdb_network(asn.get()).ok().map(|d| d.network);
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(selection.rows.len());
        let mut network_id = store::network_by_asn(&tx, asn.get())?;
        for row in &selection.rows {
            let ip = values::ip(&row.peer_ip, "peerIp")?;
            let at = |m: String| format!("{ip}: {m}");
            let in_row = |e: Error| match e {
                Error::Invalid { field, message } => Error::Invalid {
                    field,
                    message: at(message),
                },
                Error::Conflict { field, message } => Error::Conflict {
                    field,
                    message: at(message),
                },
                e => e,
            };
            crate::devices::get_router(&tx, row.router_id)
                .map_err(|_| Error::invalid("routerId", at("choose a router".into())))?;
            let exchange = match row.session_id {
                Some(id) => store::get_session(&tx, id)?.exchange_id,
                None => row.exchange_id,
            }
            .map(|id| store::get_exchange(&tx, id))
            .transpose()?;
            if let Some(ex) = &exchange {
                if !store::router_on_exchange(&tx, row.router_id, ex.id)? {
                    return Err(Error::invalid(
                        "routerId",
                        at(format!("the router is not attached to {}", ex.name)),
                    ));
                }
            }
            let addr = SessionAddress {
                ip,
                peer_group_id: row.peer_group_id,
                field: "peerIp",
            };
            match row.session_id {
                Some(id) => {
                    let old = store::get_session(&tx, id)?;
                    if old.asn != asn.get() {
                        return Err(Error::invalid(
                            "sessionId",
                            format!("session {id} is with AS{}, not {asn}", old.asn),
                        ));
                    }
                    if parse_ip(&old.peer_ip) != Some(ip) {
                        return Err(Error::invalid(
                            "peerIp",
                            at(
                                "the address of an existing session is changed in Edit Session"
                                    .into(),
                            ),
                        ));
                    }
                    let moved = old.router_id != row.router_id;
                    if moved
                        && matches!(
                            old.config_state,
                            ConfigState::Configured | ConfigState::Pending
                        )
                    {
                        return Err(Error::conflict(
                            "routerId",
                            at(format!(
                                "configured on {}: remove it from that router before moving it",
                                old.router_name
                            )),
                        ));
                    }
                    check_address(&tx, exchange.as_ref(), row.router_id, &addr, Some(id))
                        .map_err(in_row)?;
                    let unchanged = !moved
                        && old.peer_group_id == row.peer_group_id
                        && old.session_type == row.session_type;
                    if !unchanged {
                        store::set_session_placement(
                            &tx,
                            id,
                            row.router_id,
                            row.peer_group_id,
                            row.session_type,
                            &now,
                        )?;
                        let s = store::get_session(&tx, id)?;
                        audit::record(
                            &tx,
                            &now,
                            "session",
                            Some(id),
                            AuditAction::Update,
                            &format!(
                                "Session with AS{} {} ({}) changed in Configure Sessions",
                                s.asn, s.network_name, s.peer_ip
                            ),
                            Some(&old),
                            Some(&s),
                        )?;
                    }
                    ids.push(id);
                }
                None => {
                    let Some(ex) = &exchange else {
                        return Err(Error::invalid(
                            "exchangeId",
                            at("a new session needs its exchange".into()),
                        ));
                    };
                    check_address(&tx, Some(ex), row.router_id, &addr, None).map_err(in_row)?;
                    let net = match network_id {
                        Some(id) => id,
                        None => {
                            let (name, as_set) = match &pdb {
                                Some(p) => (
                                    values::name(&p.name, "peerName", 200)?,
                                    // PeeringDB's field may hold several sets
                                    // (`RIPE::AS-X AS-Y`): keep its valid ones.
                                    values::AsSetList::lenient(&p.irr_as_set).to_string(),
                                ),
                                None => (format!("AS{}", asn.get()), String::new()),
                            };
                            let id = store::insert_network(&tx, asn.get(), &name, &as_set, &now)?;
                            let n = store::get_network(&tx, id)?;
                            audit::record(
                                &tx,
                                &now,
                                "network",
                                Some(id),
                                AuditAction::Create,
                                &format!("Network {asn} {name} added"),
                                None::<&()>,
                                Some(&n),
                            )?;
                            network_id = Some(id);
                            id
                        }
                    };
                    let id = store::insert_session(
                        &tx,
                        &store::SessionRow {
                            session_type: row.session_type,
                            exchange_id: Some(ex.id),
                            router_id: row.router_id,
                            peer_group_id: row.peer_group_id,
                            network_id: net,
                            peer_ip: ip.to_string(),
                            ip_version: AddressFamily::of(&ip).version(),
                            admin_state: AdminState::Up,
                            notes: String::new(),
                        },
                        &now,
                    )
                    .map_err(in_row)?;
                    let s = store::get_session(&tx, id)?;
                    audit::record(
                        &tx,
                        &now,
                        "session",
                        Some(id),
                        AuditAction::Create,
                        &format!(
                            "Session with {asn} {} ({}) added in Configure Sessions",
                            s.network_name, s.peer_ip
                        ),
                        None::<&()>,
                        Some(&s),
                    )?;
                    ids.push(id);
                }
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The review step of Configure Now: per router, what it has for the
    /// chosen neighbours, what would be sent and the diff, read in one
    /// connection per router (the same reading as a single session's preview).
    /// A router that cannot be read carries its error; the others still show.
    pub fn preview_configure_sessions(
        &self,
        session_ids: &[i64],
    ) -> Result<Vec<RouterConfigPreview>> {
        let mut by_router: Vec<(i64, Vec<super::Session>)> = Vec::new();
        for id in session_ids {
            let s = self.get_session(*id)?;
            match by_router.iter_mut().find(|(r, _)| *r == s.router_id) {
                Some((_, list)) => list.push(s),
                None => by_router.push((s.router_id, vec![s])),
            }
        }
        let mut out = Vec::new();
        for (router_id, sessions) in by_router {
            let router = self.router(router_id)?;
            let mut preview = RouterConfigPreview {
                router_id,
                router_name: router.name.clone(),
                platform: router.platform,
                session_ids: sessions.iter().map(|s| s.id).collect(),
                current: String::new(),
                proposed: String::new(),
                diff: Vec::new(),
                error: None,
            };
            if let Err(e) = self.preview_router(&router, &sessions, &mut preview) {
                preview.error = Some(e.into());
            }
            out.push(preview);
        }
        Ok(out)
    }

    /// Fills `preview`: the proposed text first (so it shows even when the
    /// router cannot be reached), then the router's side in one connection.
    fn preview_router(
        &self,
        router: &Router,
        sessions: &[super::Session],
        preview: &mut RouterConfigPreview,
    ) -> Result<()> {
        let mut rendered = Vec::new();
        for s in sessions {
            let text = self.render_with_md5_placeholder(
                s.id,
                ConfigOperation::Add,
                &ConfigOverrides::default(),
            )?;
            preview.proposed.push_str(
                &text
                    .text
                    .replace(crate::templating::config::MD5_PLACEHOLDER, "********"),
            );
            rendered.push(text.text);
        }
        if router.platform == Platform::Sros {
            return Err(Error::invalid(
                "platform",
                format!(
                    "{} is an SR OS router: its configuration is rendered only; copy the text above to the router",
                    router.name
                ),
            ));
        }
        let ssh = self.connect_router(router)?;
        for (s, text) in sessions.iter().zip(&rendered) {
            let p = self.preview_on(&ssh, router, s, ConfigOperation::Add, text)?;
            preview.current.push_str(&p.current);
            if !p.current.is_empty() && !p.current.ends_with('\n') {
                preview.current.push('\n');
            }
            preview.diff.extend(p.diff);
        }
        Ok(())
    }
}
