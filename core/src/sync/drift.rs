//! Drift: how a router's BGP neighbours and Peerdesk's sessions on that router
//! disagree. Computed from what a pull read; it only reports, the user decides
//! (adopt, push again, mark removed). Pure functions, so every case is tested
//! without a router.

use crate::devices::import::DiscoveredNeighbor;
use crate::peering::{AdminState, ConfigState, Session};
use crate::templating::config::ConfigOperation;
use serde::Serialize;
use std::collections::HashMap;
use std::net::IpAddr;
use ts_rs::TS;

/// A session Peerdesk has as configured that the router does not have.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MissingSession {
    pub session_id: i64,
    pub peer_ip: String,
    pub asn: u32,
    pub network_name: String,
}

/// One setting of a session on which the router and Peerdesk disagree.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DriftDifference {
    pub session_id: i64,
    pub peer_ip: String,
    /// `remoteAsn`, `peerGroup`, `adminState` or `configState`.
    pub field: String,
    /// Peerdesk's value, in words.
    pub peerdesk: String,
    /// The router's value, in words.
    pub router: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// On the router, unknown to Peerdesk: offer to adopt.
    pub on_router_only: Vec<DiscoveredNeighbor>,
    /// Configured in Peerdesk, absent on the router: offer to push again or mark removed.
    pub missing_on_router: Vec<MissingSession>,
    /// On both, with settings that differ: show both.
    pub differing: Vec<DriftDifference>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.on_router_only.is_empty()
            && self.missing_on_router.is_empty()
            && self.differing.is_empty()
    }
}

/// The same address written two ways (`2001:db8::1`, `2001:DB8:0::1`) is one neighbour.
fn key(ip: &str) -> String {
    ip.parse::<IpAddr>()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| ip.to_string())
}

/// Compares what the router has with the sessions Peerdesk has on it.
pub fn compute_drift(router: &[DiscoveredNeighbor], sessions: &[Session]) -> Drift {
    let by_ip: HashMap<String, &DiscoveredNeighbor> =
        router.iter().map(|n| (key(&n.peer_ip), n)).collect();
    let known: std::collections::HashSet<String> =
        sessions.iter().map(|s| key(&s.peer_ip)).collect();
    let mut drift = Drift {
        on_router_only: router
            .iter()
            .filter(|n| !known.contains(&key(&n.peer_ip)))
            .cloned()
            .collect(),
        ..Drift::default()
    };
    for s in sessions {
        let Some(n) = by_ip.get(&key(&s.peer_ip)) else {
            if s.config_state == ConfigState::Configured {
                drift.missing_on_router.push(MissingSession {
                    session_id: s.id,
                    peer_ip: s.peer_ip.clone(),
                    asn: s.asn,
                    network_name: s.network_name.clone(),
                });
            }
            continue;
        };
        let mut differ = |field: &str, peerdesk: String, router: String| {
            drift.differing.push(DriftDifference {
                session_id: s.id,
                peer_ip: s.peer_ip.clone(),
                field: field.into(),
                peerdesk,
                router,
            })
        };
        if s.config_state != ConfigState::Configured {
            differ(
                "configState",
                match s.config_state {
                    ConfigState::Failed => "failed".into(),
                    ConfigState::Pending => "pending".into(),
                    _ => "not configured".into(),
                },
                "configured".into(),
            );
        }
        if let Some(asn) = n.remote_asn.filter(|a| *a != s.asn) {
            differ("remoteAsn", format!("AS{}", s.asn), format!("AS{asn}"));
        }
        if let Some(group) = &n.peer_group {
            if s.peer_group_name.as_deref() != Some(group.as_str()) {
                differ(
                    "peerGroup",
                    s.peer_group_name.clone().unwrap_or_else(|| "none".into()),
                    group.clone(),
                );
            }
        }
        let down_here = s.admin_state == AdminState::Down;
        if n.admin_down != down_here {
            let word = |down: bool| if down { "down" } else { "up" }.to_string();
            differ("adminState", word(down_here), word(n.admin_down));
        }
    }
    drift
}

/// Whether the router's lines for a neighbour still are what an item was
/// reviewed against. An item queued with no network was never shown the
/// router's lines: it was approved against what Peerdesk expects, which is
/// no neighbour for an add and a neighbour for anything else.
pub fn still_matches(reviewed: Option<&str>, op: ConfigOperation, now: &str) -> bool {
    match reviewed {
        Some(r) => r == now,
        None => (op == ConfigOperation::Add) == now.trim().is_empty(),
    }
}

/// Whether the router shows an operation as done, from the neighbour it has
/// (if any): used to reconcile an item that was cut off mid-push. An update
/// of a neighbour's settings cannot be told from the neighbour list, so it is
/// never taken as done: it goes back to review.
pub fn router_has_change(op: ConfigOperation, neighbour: Option<&DiscoveredNeighbor>) -> bool {
    match op {
        ConfigOperation::Add => neighbour.is_some(),
        ConfigOperation::Remove => neighbour.is_none(),
        ConfigOperation::Shutdown => neighbour.is_some_and(|n| n.admin_down),
        ConfigOperation::Enable => neighbour.is_some_and(|n| !n.admin_down),
        ConfigOperation::Update => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::SessionType;

    fn neighbour(ip: &str, asn: Option<u32>) -> DiscoveredNeighbor {
        DiscoveredNeighbor {
            peer_ip: ip.into(),
            remote_asn: asn,
            description: String::new(),
            peer_group: Some("IX-V4".into()),
            admin_down: false,
            bgp_state: None,
        }
    }

    fn session(id: i64, ip: &str, asn: u32, state: ConfigState) -> Session {
        Session {
            id,
            session_type: SessionType::Peer,
            exchange_id: None,
            exchange_name: None,
            router_id: 1,
            router_name: "edge1".into(),
            peer_group_id: Some(1),
            peer_group_name: Some("IX-V4".into()),
            network_id: 1,
            asn,
            network_name: format!("AS{asn} network"),
            peer_ip: ip.into(),
            ip_version: if ip.contains(':') { 6 } else { 4 },
            md5_ref: None,
            md5_needed: false,
            admin_state: AdminState::Up,
            config_state: state,
            bgp_state: None,
            bgp_refreshed_at: None,
            bgp_up_since: None,
            prefixes_received: None,
            bgp_last_error: None,
            notes: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn matching_router_and_sessions_have_no_drift() {
        let router = vec![
            neighbour("192.0.2.100", Some(64500)),
            neighbour("2001:db8:1::101", None),
        ];
        let sessions = vec![
            session(1, "192.0.2.100", 64500, ConfigState::Configured),
            session(2, "2001:DB8:1:0::101", 64501, ConfigState::Configured),
        ];
        let drift = compute_drift(&router, &sessions);
        assert!(drift.is_empty(), "{drift:?}");
    }

    #[test]
    fn a_neighbour_added_on_the_router_and_one_removed_are_both_reported() {
        let router = vec![
            neighbour("192.0.2.100", Some(64500)),
            neighbour("192.0.2.105", Some(64505)),
        ];
        let sessions = vec![
            session(1, "192.0.2.100", 64500, ConfigState::Configured),
            session(2, "192.0.2.102", 64502, ConfigState::Configured),
            // Never configured: its absence on the router is no drift.
            session(3, "192.0.2.103", 64503, ConfigState::NotConfigured),
        ];
        let drift = compute_drift(&router, &sessions);
        let adopt: Vec<&str> = drift
            .on_router_only
            .iter()
            .map(|n| n.peer_ip.as_str())
            .collect();
        assert_eq!(adopt, vec!["192.0.2.105"]);
        let missing: Vec<i64> = drift
            .missing_on_router
            .iter()
            .map(|m| m.session_id)
            .collect();
        assert_eq!(missing, vec![2]);
        assert!(drift.differing.is_empty(), "{:?}", drift.differing);
    }

    #[test]
    fn differing_settings_show_both_values() {
        let mut n = neighbour("192.0.2.100", Some(64511));
        n.peer_group = Some("IX-OLD".into());
        n.admin_down = true;
        let sessions = vec![session(1, "192.0.2.100", 64500, ConfigState::NotConfigured)];
        let drift = compute_drift(&[n], &sessions);
        let found: Vec<(&str, &str, &str)> = drift
            .differing
            .iter()
            .map(|d| (d.field.as_str(), d.peerdesk.as_str(), d.router.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("configState", "not configured", "configured"),
                ("remoteAsn", "AS64500", "AS64511"),
                ("peerGroup", "IX-V4", "IX-OLD"),
                ("adminState", "up", "down"),
            ]
        );
        assert!(drift.on_router_only.is_empty() && drift.missing_on_router.is_empty());
    }

    #[test]
    fn a_router_that_does_not_say_the_as_or_group_is_not_drift() {
        let mut n = neighbour("192.0.2.100", None);
        n.peer_group = None;
        let sessions = vec![session(1, "192.0.2.100", 64500, ConfigState::Configured)];
        assert!(compute_drift(&[n], &sessions).is_empty());
    }

    #[test]
    fn reviewed_lines_must_be_exactly_what_the_router_has_now() {
        let lines = "neighbor 192.0.2.104 remote-as 64504\n";
        assert!(still_matches(Some(""), ConfigOperation::Add, ""));
        assert!(!still_matches(Some(""), ConfigOperation::Add, lines));
        assert!(still_matches(Some(lines), ConfigOperation::Shutdown, lines));
        assert!(!still_matches(
            Some(lines),
            ConfigOperation::Shutdown,
            "neighbor 192.0.2.104 remote-as 64505\n"
        ));
    }

    #[test]
    fn an_item_queued_offline_applies_only_to_the_router_peerdesk_expects() {
        let lines = "neighbor 192.0.2.104 remote-as 64504\n";
        assert!(still_matches(None, ConfigOperation::Add, ""));
        assert!(
            !still_matches(None, ConfigOperation::Add, lines),
            "someone added the neighbour meanwhile"
        );
        assert!(still_matches(None, ConfigOperation::Remove, lines));
        assert!(
            !still_matches(None, ConfigOperation::Remove, ""),
            "nothing to remove any more"
        );
    }

    #[test]
    fn an_interrupted_change_is_done_only_when_the_router_shows_it() {
        let up = neighbour("192.0.2.100", Some(64500));
        let mut down = up.clone();
        down.admin_down = true;
        assert!(router_has_change(ConfigOperation::Add, Some(&up)));
        assert!(!router_has_change(ConfigOperation::Add, None));
        assert!(router_has_change(ConfigOperation::Remove, None));
        assert!(!router_has_change(ConfigOperation::Remove, Some(&up)));
        assert!(router_has_change(ConfigOperation::Shutdown, Some(&down)));
        assert!(!router_has_change(ConfigOperation::Shutdown, Some(&up)));
        assert!(router_has_change(ConfigOperation::Enable, Some(&up)));
        assert!(!router_has_change(ConfigOperation::Enable, None));
    }
}
