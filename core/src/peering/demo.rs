//! Demo data: a small realistic network for a first look (`--demo`, "Load demo
//! data"), and a large one for benchmarks. Documentation and private ASNs and
//! addresses only.

use super::{
    store, AdminState, BgpState, ConfigState, NewExchange, NewPeerGroup, NewSession, SessionType,
};
use crate::devices::{AuthMethod, NewAttachment, NewRouter, Platform};
use crate::error::{Error, Result};
use crate::settings::SettingsChanges;
use crate::values::AddressFamily;
use rusqlite::params;

const PEERS: [(u32, &str); 28] = [
    (64497, "Example Transit Co"),
    (64498, "Documentation Cable"),
    (64499, "Sample Hosting"),
    (64500, "Testnet Broadband"),
    (64501, "Placeholder CDN"),
    (64502, "Demo Mobile"),
    (64503, "Reserved Research Network"),
    (64504, "Illustrative ISP"),
    (64505, "Specimen Cloud"),
    (64506, "Exemplar Fibre"),
    (64507, "Model Networks"),
    (64508, "Prototype DNS"),
    (64509, "Mock Video"),
    (64510, "Sandbox Gaming"),
    (64511, "Tutorial Telecom"),
    (65536, "Four-Byte Example"),
    (65537, "Doc Edge"),
    (65538, "Paper Backbone"),
    (65539, "Handbook Access"),
    (65540, "Manual Metro"),
    (65541, "Guide Wireless"),
    (65542, "Primer Datacenter"),
    (65543, "Lesson Labs"),
    (65544, "Syllabus Security"),
    (65545, "Outline Transit"),
    (65546, "Draft Communications"),
    (65547, "Template Telco"),
    (65548, "Sketch Streaming"),
];

/// What [`seed_large`] made.
pub struct LargeSeed {
    pub exchange_id: i64,
    pub sessions: usize,
}

impl crate::Peerdesk {
    /// Seeds the demo network into an empty inventory: 3 exchanges, 2 routers,
    /// 4 peer groups and about 40 sessions in a mix of states.
    pub fn load_demo_data(&self) -> Result<super::InventoryCounts> {
        let counts = self.inventory_counts()?;
        if counts.routers + counts.exchanges + counts.sessions > 0 {
            return Err(Error::Conflict {
                field: None,
                message: "demo data can only be loaded into an empty inventory".into(),
            });
        }
        self.update_settings(&SettingsChanges {
            own_asns: vec!["64496".into()],
            org_name: "Example Networks".into(),
            coordinator_name: "Alex Example".into(),
            coordinator_email: "peering@example.net".into(),
            peeringdb_url: None,
            max_prefix_extra: None,
            max_prefix_factor: None,
        })?;
        let ix = |name: &str, city: &str, country: &str, v4: &str, v6: &str| {
            self.add_exchange(&NewExchange {
                name: name.into(),
                city: city.into(),
                country: country.into(),
                peeringdb_ix_id: None,
                peeringdb_ixlan_id: None,
                prefix_v4: Some(v4.into()),
                prefix_v6: Some(v6.into()),
            })
        };
        let fra = ix(
            "Example IX Frankfurt",
            "Frankfurt",
            "DE",
            "192.0.2.0/24",
            "2001:db8:1::/64",
        )?;
        let ams = ix(
            "Sample IX Amsterdam",
            "Amsterdam",
            "NL",
            "198.51.100.0/24",
            "2001:db8:2::/64",
        )?;
        let lon = ix(
            "Demo IX London",
            "London",
            "GB",
            "203.0.113.0/24",
            "2001:db8:3::/64",
        )?;
        let group = |family, name: &str| NewPeerGroup {
            router_id: None,
            name: name.into(),
            exchange_id: None,
            family,
            import_policy: "PEER-IN".into(),
            export_policy: "PEER-OUT".into(),
            max_prefix: Some(1000),
            session_type: SessionType::Peer,
        };
        let router = |name: &str, platform, addr: &str, att: Vec<NewAttachment>| NewRouter {
            name: name.into(),
            mgmt_address: addr.into(),
            ssh_port: 22,
            platform,
            username: "peerdesk".into(),
            auth_method: AuthMethod::Agent,
            password: None,
            ssh_key_path: None,
            local_asn: "64496".into(),
            notes: String::new(),
            control_command: None,
            config_dir: None,
            attachments: att,
            new_peer_group: Some(group(AddressFamily::Ipv4, "IX-PEERS-V4")),
        };
        let att = |exchange_id, host: u8| {
            NewAttachment {
                exchange_id,
                ipv4: None,
                ipv6: None,
            }
            .with_host(host, exchange_id == fra.id, exchange_id == ams.id)
        };
        let r1 = self.add_router(&router(
            "edge1.fra",
            Platform::Frr,
            "edge1.fra.example.net",
            vec![att(fra.id, 1), att(ams.id, 1)],
        ))?;
        let r2 = self.add_router(&router(
            "edge2.lon",
            Platform::Bird2,
            "edge2.lon.example.net",
            vec![att(ams.id, 2), att(lon.id, 2)],
        ))?;
        for r in [&r1, &r2] {
            self.add_peer_group(&NewPeerGroup {
                router_id: Some(r.id),
                ..group(AddressFamily::Ipv6, "IX-PEERS-V6")
            })?;
        }
        let groups = self.list_peer_groups()?;
        let pg = |router_id: i64, family| {
            groups
                .iter()
                .find(|g| g.router_id == router_id && g.family == family)
                .map(|g| g.id)
        };
        let plan = [
            (fra.id, r1.id, "192.0.2", "2001:db8:1"),
            (ams.id, r1.id, "198.51.100", "2001:db8:2"),
            (lon.id, r2.id, "203.0.113", "2001:db8:3"),
        ];
        let mut n = 0usize;
        for (i, (asn, name)) in PEERS.iter().enumerate() {
            let (ex, rid, v4, v6) = plan[i % plan.len()];
            let host = 10 + i;
            let both = i % 3 != 2;
            let created = self.add_session(&NewSession {
                session_type: if i == 0 {
                    SessionType::RouteServer
                } else {
                    SessionType::Peer
                },
                exchange_id: Some(ex),
                router_id: rid,
                asn: asn.to_string(),
                peer_name: name.to_string(),
                as_set: format!("AS{asn}:AS-CUSTOMERS"),
                peer_ipv4: Some(format!("{v4}.{host}")),
                peer_group_v4: pg(rid, AddressFamily::Ipv4),
                peer_ipv6: both.then(|| format!("{v6}::{host:x}")),
                peer_group_v6: pg(rid, AddressFamily::Ipv6),
                md5_password: None,
                notes: String::new(),
            })?;
            for s in created {
                let (config, bgp) = match n % 8 {
                    0..=3 => (ConfigState::Configured, Some(BgpState::Established)),
                    4 => (ConfigState::Configured, Some(BgpState::Active)),
                    5 => (ConfigState::Pending, None),
                    6 => (ConfigState::Failed, Some(BgpState::Idle)),
                    _ => (ConfigState::NotConfigured, None),
                };
                let refreshed = bgp.map(|_| self.now());
                store::set_session_states(&*self.db()?, s.id, config, bgp, refreshed.as_deref())?;
                n += 1;
            }
        }
        self.inventory_counts()
    }
}

impl NewAttachment {
    fn with_host(mut self, host: u8, fra: bool, ams: bool) -> Self {
        let (v4, v6) = if fra {
            ("192.0.2", "2001:db8:1")
        } else if ams {
            ("198.51.100", "2001:db8:2")
        } else {
            ("203.0.113", "2001:db8:3")
        };
        self.ipv4 = Some(format!("{v4}.{host}"));
        self.ipv6 = Some(format!("{v6}::{host}"));
        self
    }
}

/// Seeds one exchange with `sessions` sessions (half IPv4, half IPv6, one
/// network per pair, private ASNs and addresses) straight into the store, for
/// benchmarks. Needs an empty inventory.
pub fn seed_large(pd: &crate::Peerdesk, sessions: usize) -> Result<LargeSeed> {
    let now = pd.now();
    let ex = pd.add_exchange(&NewExchange {
        name: "Bench IX".into(),
        city: "Nowhere".into(),
        country: "ZZ".into(),
        peeringdb_ix_id: None,
        peeringdb_ixlan_id: None,
        prefix_v4: Some("10.0.0.0/16".into()),
        prefix_v6: Some("2001:db8:ffff::/48".into()),
    })?;
    let router = pd.add_router(&NewRouter {
        name: "bench-rtr".into(),
        mgmt_address: "192.0.2.254".into(),
        ssh_port: 22,
        platform: Platform::Frr,
        username: "peerdesk".into(),
        auth_method: AuthMethod::Agent,
        password: None,
        ssh_key_path: None,
        local_asn: "64496".into(),
        notes: String::new(),
        control_command: None,
        config_dir: None,
        attachments: vec![NewAttachment {
            exchange_id: ex.id,
            ipv4: Some("10.0.0.1".into()),
            ipv6: Some("2001:db8:ffff::1".into()),
        }],
        new_peer_group: None,
    })?;
    let mut conn = pd.db()?;
    let tx = conn.transaction()?;
    let states = [
        (ConfigState::Configured, Some(BgpState::Established)),
        (ConfigState::Configured, Some(BgpState::Active)),
        (ConfigState::Pending, None),
        (ConfigState::Failed, Some(BgpState::Idle)),
        (ConfigState::NotConfigured, None),
    ];
    {
        let mut net = tx.prepare("INSERT INTO networks (asn, name, as_set, local_peer, created_at, updated_at) VALUES (?1, ?2, '', 1, ?3, ?3)")?;
        let mut ses = tx.prepare(
            "INSERT INTO sessions (session_type, exchange_id, router_id, network_id, peer_ip, ip_version,
                admin_state, config_state, bgp_state, notes, created_at, updated_at)
             VALUES ('peer', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9, ?9)")?;
        let mut network_id = 0;
        for i in 0..sessions {
            let pair = i / 2;
            if i % 2 == 0 {
                net.execute(params![
                    4_200_000_000u32 + pair as u32,
                    format!("Bench Network {pair}"),
                    now
                ])?;
                network_id = tx.last_insert_rowid();
            }
            let host = pair + 2;
            let (ip, version) = if i % 2 == 0 {
                (format!("10.0.{}.{}", host / 256, host % 256), 4)
            } else {
                (format!("2001:db8:ffff::{:x}", host), 6)
            };
            let (config, bgp) = states[pair % states.len()];
            let admin = if pair % 17 == 0 {
                AdminState::Down
            } else {
                AdminState::Up
            };
            ses.execute(params![
                ex.id, router.id, network_id, ip, version, admin, config, bgp, now
            ])?;
        }
    }
    tx.commit()?;
    Ok(LargeSeed {
        exchange_id: ex.id,
        sessions,
    })
}
