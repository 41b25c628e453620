//! Import Sessions (Admin → Data Import): read a router's BGP neighbours, match
//! each to an exchange by LAN prefix and to a network by ASN (the PeeringDB
//! mirror when it knows the network, else a local peer), preview, and import
//! the chosen ones. Parsers refuse output they do not recognise, so garbage or
//! a truncated answer imports nothing. Re-running adds nothing twice.

use super::push::Cli;
use super::Platform;
use crate::error::{Error, Result};
use crate::peering::{BgpState, ConfigState, NewSession, SessionFilter, SessionType};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use ts_rs::TS;

/// One neighbour as a router's configuration describes it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredNeighbor {
    pub peer_ip: String,
    pub remote_asn: Option<u32>,
    pub description: String,
    pub peer_group: Option<String>,
    pub admin_down: bool,
    pub bgp_state: Option<BgpState>,
}

impl DiscoveredNeighbor {
    fn new(ip: IpAddr) -> Self {
        DiscoveredNeighbor {
            peer_ip: ip.to_string(),
            remote_asn: None,
            description: String::new(),
            peer_group: None,
            admin_down: false,
            bgp_state: None,
        }
    }
}

fn garbage(what: &str) -> Error {
    Error::Rejected(format!(
        "the router's {what} could not be read: nothing was imported"
    ))
}

/// Neighbours in an FRR `show running-config` (the `router bgp` section).
pub fn parse_frr_running_config(text: &str) -> Result<Vec<DiscoveredNeighbor>> {
    if !text.lines().any(|l| l.starts_with("router bgp ")) {
        return Err(garbage("running configuration (no `router bgp` section)"));
    }
    let mut found: Vec<DiscoveredNeighbor> = Vec::new();
    // Position of each address in `found`: one lookup per line, not a scan.
    let mut index: HashMap<IpAddr, usize> = HashMap::new();
    let mut in_bgp = false;
    for line in text.lines() {
        if line.starts_with("router bgp ") {
            in_bgp = true;
            continue;
        }
        if !line.starts_with(' ') && !line.is_empty() {
            in_bgp = false;
        }
        if !in_bgp {
            continue;
        }
        let mut words = line.split_whitespace();
        if words.next() != Some("neighbor") {
            continue;
        }
        let Some(Ok(ip)) = words.next().map(str::parse::<IpAddr>) else {
            continue;
        };
        let idx = *index.entry(ip).or_insert_with(|| {
            found.push(DiscoveredNeighbor::new(ip));
            found.len() - 1
        });
        let n = &mut found[idx];
        let rest: Vec<&str> = words.collect();
        match rest.as_slice() {
            ["remote-as", asn] => n.remote_asn = asn.parse().ok().filter(|a| *a > 0),
            ["peer-group", g] => n.peer_group = Some(g.to_string()),
            ["description", d @ ..] => n.description = d.join(" "),
            ["shutdown", ..] => n.admin_down = true,
            _ => {}
        }
    }
    Ok(found)
}

/// A neighbour's remote AS and state as the router reports them now.
pub type LiveNeighbor = (Option<u32>, Option<BgpState>);

/// FRR `show bgp neighbors json`: address → (remote AS, state).
pub fn parse_frr_neighbors_json(json: &str) -> Result<HashMap<String, LiveNeighbor>> {
    let v: serde_json::Value = serde_json::from_str(json)
        .map_err(|_| garbage("neighbour list (show bgp neighbors json)"))?;
    let obj = v.as_object().ok_or_else(|| garbage("neighbour list"))?;
    Ok(obj
        .iter()
        .filter(|(k, _)| k.parse::<IpAddr>().is_ok())
        .map(|(k, p)| {
            let asn = p
                .get("remoteAs")
                .and_then(|a| a.as_u64())
                .and_then(|a| u32::try_from(a).ok())
                .filter(|a| *a > 0);
            let state = p
                .get("bgpState")
                .and_then(|s| s.as_str())
                .and_then(super::push::bgp_state_from);
            (k.clone(), (asn, state))
        })
        .collect())
}

/// BIRD `show protocols all`: every BGP protocol with its neighbour and AS.
pub fn parse_bird_protocols_all(text: &str) -> Result<Vec<DiscoveredNeighbor>> {
    if !text.contains("Name") || !text.contains("Proto") {
        return Err(garbage("protocol list (show protocols all)"));
    }
    let mut out = Vec::new();
    let mut current: Option<(bool, String, String)> = None; // (is bgp, name, state info)
    let mut ip: Option<IpAddr> = None;
    let mut asn: Option<u32> = None;
    let mut desc = String::new();
    let mut flush = |cur: &Option<(bool, String, String)>,
                     ip: &mut Option<IpAddr>,
                     asn: &mut Option<u32>,
                     desc: &mut String| {
        if let (Some((true, _, info)), Some(addr)) = (cur, ip.take()) {
            let mut n = DiscoveredNeighbor::new(addr);
            n.remote_asn = asn.take();
            n.description = std::mem::take(desc);
            n.admin_down = info.starts_with("down");
            n.bgp_state = if info.contains("Established") {
                Some(BgpState::Established)
            } else {
                Some(BgpState::Idle)
            };
            out.push(n);
        }
        *asn = None;
        desc.clear();
    };
    for line in text.lines() {
        if !line.starts_with(' ')
            && !line.starts_with('\t')
            && !line.trim().is_empty()
            && !line.starts_with("Name")
            && !line.starts_with("BIRD")
        {
            flush(&current, &mut ip, &mut asn, &mut desc);
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() >= 2 {
                current = Some((
                    cols[1] == "BGP",
                    cols[0].to_string(),
                    cols.get(3..).map(|c| c.join(" ")).unwrap_or_default(),
                ));
            }
            continue;
        }
        let t = line.trim();
        if let Some(v) = t.strip_prefix("Neighbor address:") {
            ip = v.trim().split('%').next().and_then(|a| a.parse().ok());
        } else if let Some(v) = t.strip_prefix("Neighbor AS:") {
            asn = v.trim().parse().ok().filter(|a| *a > 0);
        } else if let Some(v) = t.strip_prefix("Description:") {
            desc = v.trim().to_string();
        }
    }
    flush(&current, &mut ip, &mut asn, &mut desc);
    Ok(out)
}

/// A neighbour found on the router, matched to our inventory.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportCandidate {
    pub neighbor: DiscoveredNeighbor,
    pub exchange_id: Option<i64>,
    pub exchange_name: Option<String>,
    pub peer_group_id: Option<i64>,
    /// The name the network will have: ours, PeeringDB's, or the description.
    pub network_name: String,
    pub from_peeringdb: bool,
    /// Already a session in Peerdesk: importing again adds nothing.
    pub already_imported: bool,
    /// Why it cannot be imported (no AS known), if so.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub router_id: i64,
    pub router_name: String,
    pub candidates: Vec<ImportCandidate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub added: u32,
    pub skipped: u32,
}

impl crate::Peerdesk {
    pub(crate) fn discover(&self, router: &super::Router) -> Result<Vec<DiscoveredNeighbor>> {
        let ssh = self.connect_router(router)?;
        let cli = Cli {
            ssh: &ssh,
            control: &router.control_command,
            platform: router.platform,
        };
        match router.platform {
            Platform::Frr => {
                let mut found = parse_frr_running_config(&cli.run("show running-config")?.stdout)?;
                let live = parse_frr_neighbors_json(&cli.run("show bgp neighbors json")?.stdout)?;
                for n in &mut found {
                    if let Some((asn, state)) = live.get(&n.peer_ip) {
                        n.remote_asn = n.remote_asn.or(*asn);
                        n.bgp_state = *state;
                    }
                }
                Ok(found)
            }
            Platform::Bird2 => parse_bird_protocols_all(&cli.run("show protocols all")?.stdout),
            Platform::Junos | Platform::Iosxr | Platform::Eos => {
                let text = match router.platform {
                    Platform::Junos => "show configuration protocols bgp | display set",
                    Platform::Iosxr => "show running-config router bgp",
                    _ => "show running-config section router bgp",
                };
                let out = cli.run(text)?.stdout;
                let mut found = match router.platform {
                    Platform::Junos => super::neighbors::parse_junos_display_set(&out)?,
                    Platform::Iosxr => super::neighbors::parse_iosxr_running_config(&out)?,
                    _ => super::neighbors::parse_eos_running_config(&out)?,
                };
                let live = super::commit::live_states(&cli)?;
                for n in &mut found {
                    n.bgp_state = live.get(&n.peer_ip).copied();
                }
                Ok(found)
            }
            other => Err(Error::invalid(
                "platform",
                format!(
                    "Import Sessions from {} routers is not available yet",
                    other.as_str()
                ),
            )),
        }
    }

    /// Reads the router's neighbours and matches them to the inventory (no changes).
    pub fn scan_router_sessions(&self, router_id: i64) -> Result<ImportPreview> {
        self.require_admin("Data Import")?;
        let router = self.router(router_id)?;
        let found = self.discover(&router)?;
        let exchanges = self.list_exchanges()?;
        let groups = self.list_peer_groups()?;
        let networks = self.list_networks()?;
        let existing = self.list_sessions(&SessionFilter {
            router_id: Some(router_id),
            ..Default::default()
        })?;
        let candidates = found
            .into_iter()
            .map(|n| {
                let ip: IpAddr = n.peer_ip.parse().expect("parsed as an address");
                let ex = exchanges
                    .iter()
                    .filter_map(|s| s.exchange.as_ref())
                    .find(|e| {
                        let p = if ip.is_ipv4() {
                            &e.prefix_v4
                        } else {
                            &e.prefix_v6
                        };
                        p.as_deref()
                            .and_then(|p| p.parse::<ipnet::IpNet>().ok())
                            .is_some_and(|net| net.contains(&ip))
                    });
                let family = crate::values::AddressFamily::of(&ip);
                let group = n.peer_group.as_ref().and_then(|g| {
                    groups.iter().find(|pg| {
                        pg.router_id == router_id && &pg.name == g && pg.family == family
                    })
                });
                let local = n
                    .remote_asn
                    .and_then(|a| networks.iter().find(|x| x.asn == a));
                let pdb = n.remote_asn.and_then(|a| self.pdb_network(a).ok());
                let network_name = local
                    .map(|x| x.name.clone())
                    .or_else(|| pdb.as_ref().map(|p| p.network.name.clone()))
                    .or_else(|| Some(n.description.clone()).filter(|d| !d.is_empty()))
                    .unwrap_or_else(|| n.remote_asn.map(|a| format!("AS{a}")).unwrap_or_default());
                ImportCandidate {
                    exchange_id: ex.map(|e| e.id),
                    exchange_name: ex.map(|e| e.name.clone()),
                    peer_group_id: group.map(|g| g.id),
                    network_name,
                    from_peeringdb: local.is_none() && pdb.is_some(),
                    already_imported: existing.iter().any(|s| s.peer_ip == n.peer_ip),
                    problem: n
                        .remote_asn
                        .is_none()
                        .then(|| "the router does not say the peer's AS".to_string()),
                    neighbor: n,
                }
            })
            .collect();
        Ok(ImportPreview {
            router_id,
            router_name: router.name,
            candidates,
        })
    }

    /// Imports the chosen neighbours (by address) as configured sessions. The
    /// router is read again, so what is imported is what the router has now.
    pub fn import_sessions(&self, router_id: i64, peer_ips: &[String]) -> Result<ImportResult> {
        self.require_admin("Data Import")?;
        let preview = self.scan_router_sessions(router_id)?;
        let router = self.router(router_id)?;
        let (mut added, mut skipped) = (0, 0);
        for c in preview
            .candidates
            .iter()
            .filter(|c| peer_ips.contains(&c.neighbor.peer_ip))
        {
            let Some(asn) = c.neighbor.remote_asn else {
                skipped += 1;
                continue;
            };
            if c.already_imported {
                skipped += 1;
                continue;
            }
            let attached = c
                .exchange_id
                .filter(|id| router.attachments.iter().any(|a| a.exchange_id == *id));
            let ip: IpAddr = c.neighbor.peer_ip.parse().expect("parsed as an address");
            let (v4, v6) = if ip.is_ipv4() {
                (Some(c.neighbor.peer_ip.clone()), None)
            } else {
                (None, Some(c.neighbor.peer_ip.clone()))
            };
            let created = self.add_session(&NewSession {
                session_type: if attached.is_some() {
                    SessionType::Peer
                } else {
                    SessionType::Private
                },
                exchange_id: attached,
                router_id,
                asn: asn.to_string(),
                peer_name: crate::templating::config::config_text(&c.network_name),
                as_set: String::new(),
                peer_ipv4: v4,
                peer_group_v4: if ip.is_ipv4() { c.peer_group_id } else { None },
                peer_ipv6: v6,
                peer_group_v6: if ip.is_ipv6() { c.peer_group_id } else { None },
                md5_password: None,
                notes: format!("Imported from {}", router.name),
            })?;
            let now = self.now();
            let conn = self.db()?;
            for s in created {
                crate::peering::set_states(
                    &conn,
                    s.id,
                    ConfigState::Configured,
                    c.neighbor.bgp_state,
                    Some(&now),
                )?;
            }
            added += 1;
        }
        Ok(ImportResult { added, skipped })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frr_running_config_yields_each_neighbour_once_with_its_settings() {
        let text = "frr version 8.4\n!\nrouter bgp 64496\n neighbor IX-V4 peer-group\n neighbor 192.0.2.100 remote-as 64500\n neighbor 192.0.2.100 peer-group IX-V4\n neighbor 192.0.2.100 description AS64500 far end\n neighbor 2001:db8:1::101 remote-as 64501\n neighbor 2001:db8:1::101 shutdown\n address-family ipv4 unicast\n  neighbor 192.0.2.100 activate\n exit-address-family\nexit\n!\nline vty\n";
        let n = parse_frr_running_config(text).unwrap();
        assert_eq!(n.len(), 2, "the peer-group is not a neighbour: {n:?}");
        assert_eq!(
            (
                n[0].remote_asn,
                n[0].peer_group.as_deref(),
                n[0].description.as_str()
            ),
            (Some(64500), Some("IX-V4"), "AS64500 far end")
        );
        assert!(n[1].admin_down);
    }

    #[test]
    fn garbage_and_truncated_output_are_refused() {
        assert!(parse_frr_running_config("% Unknown command: show running-confi").is_err());
        assert!(parse_frr_neighbors_json("{\"192.0.2.100\": {\"remoteAs\": 645").is_err());
        assert!(parse_bird_protocols_all("bird: cannot connect").is_err());
    }

    #[test]
    fn bird_protocols_all_yields_bgp_protocols_only() {
        let text = "BIRD 2.0.12 ready.\nName       Proto      Table      State  Since         Info\ndevice1    Device     ---        up     12:00:00.000  \npd_as64500_192_0_2_100 BGP        ---        up     12:00:01.000  Established   \n  Description:    Lab far end\n  BGP state:          Established\n    Neighbor address: 192.0.2.100\n    Neighbor AS:      64500\n    Local AS:         64496\nold_peer   BGP        ---        down   12:00:02.000  \n  BGP state:          Down\n    Neighbor address: 192.0.2.101\n    Neighbor AS:      64501\n";
        let n = parse_bird_protocols_all(text).unwrap();
        assert_eq!(n.len(), 2);
        assert_eq!(
            (n[0].peer_ip.as_str(), n[0].remote_asn, n[0].bgp_state),
            ("192.0.2.100", Some(64500), Some(BgpState::Established))
        );
        assert_eq!(n[0].description, "Lab far end");
        assert!(n[1].admin_down);
    }
}
