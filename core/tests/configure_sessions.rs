//! Configure Sessions: which exchanges and sessions the modal lists for a
//! peer (from our sessions alone, and from a PeeringDB mirror synced from the
//! local fixture server), creating the chosen candidates all or nothing, and
//! the per-router review when a router cannot be reached.

mod common;

use common::*;
use ipnet::IpNet;
use peerdesk_core::devices::{NewAttachment, Router};
use peerdesk_core::peering::{
    ConfigState, ConfigureChoice, ConfigureSelection, Exchange, SessionType,
};
use peerdesk_core::values::AddressFamily;
use peerdesk_core::{ErrorKind, Peerdesk};
use std::net::IpAddr;

fn choice(
    session_id: Option<i64>,
    exchange_id: i64,
    ip: &str,
    router: i64,
    group: Option<i64>,
) -> ConfigureChoice {
    ConfigureChoice {
        session_id,
        exchange_id: Some(exchange_id),
        peer_ip: ip.into(),
        router_id: router,
        peer_group_id: group,
        session_type: SessionType::Peer,
    }
}

#[test]
fn without_a_mirror_only_exchanges_with_the_peers_sessions_are_listed() {
    let f = core();
    let w = world(&f.core);
    let other = exchange(&f.core, "Other IX", "198.51.100.0/24", "2001:db8:2::/64");
    f.core
        .add_router(&new_router(
            "edge2",
            vec![attach(&other, "198.51.100.1", "2001:db8:2::1")],
        ))
        .unwrap();
    let made = f
        .core
        .add_session(&new_session(
            &w,
            "64500",
            Some("192.0.2.100"),
            Some("2001:db8:1::100"),
        ))
        .unwrap();

    let view = f.core.configure_sessions_candidates(64500, None).unwrap();

    assert_eq!(view.network_name, "Example Peer");
    assert_eq!(
        view.exchanges.len(),
        1,
        "Other IX has a router but neither a session nor PeeringDB presence"
    );
    let ex = &view.exchanges[0];
    assert_eq!(ex.exchange_id, Some(w.ix.id));
    assert_eq!(ex.routers.len(), 1);
    let ids: Vec<Option<i64>> = ex.rows.iter().map(|r| r.session_id).collect();
    assert_eq!(ids, vec![Some(made[0].id), Some(made[1].id)], "v4 then v6");
    assert_eq!(ex.rows[0].peer_group_id, Some(w.pg4.id));
    assert_eq!(ex.rows[1].peer_group_id, Some(w.pg6.id));
    assert_eq!(ex.rows[0].config_state, Some(ConfigState::NotConfigured));
    let groups: Vec<i64> = ex.peer_groups.iter().map(|g| g.id).collect();
    assert_eq!(groups, vec![w.pg4.id, w.pg6.id]);
}

#[test]
fn the_session_wrench_lists_only_that_session() {
    let f = core();
    let w = world(&f.core);
    let made = f
        .core
        .add_session(&new_session(
            &w,
            "64500",
            Some("192.0.2.100"),
            Some("2001:db8:1::100"),
        ))
        .unwrap();
    let view = f
        .core
        .configure_sessions_candidates(64500, Some(made[1].id))
        .unwrap();
    assert_eq!(view.exchanges.len(), 1);
    let rows = &view.exchanges[0].rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].session_id, Some(made[1].id));

    let e = f
        .core
        .configure_sessions_candidates(64501, Some(made[1].id))
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Invalid,
        "the session is not with AS64501"
    );
}

#[test]
fn changed_peer_group_and_type_are_applied_and_a_configured_session_is_not_moved() {
    let f = core();
    let w = world(&f.core);
    let pg4b = peer_group(&f.core, &w.router, "IX-V4-B", AddressFamily::Ipv4);
    let made = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.100"), None))
        .unwrap();
    let mut c = choice(
        Some(made[0].id),
        w.ix.id,
        "192.0.2.100",
        w.router.id,
        Some(pg4b.id),
    );
    c.session_type = SessionType::RouteServer;
    let ids = f
        .core
        .prepare_configure_sessions(&ConfigureSelection {
            asn: 64500,
            rows: vec![c],
        })
        .unwrap();
    assert_eq!(ids, vec![made[0].id]);
    let s = f.core.get_session(made[0].id).unwrap();
    assert_eq!(s.peer_group_id, Some(pg4b.id));
    assert_eq!(s.session_type, SessionType::RouteServer);

    // A second router on the exchange; the session is configured on the first.
    let edge2 = f
        .core
        .add_router(&new_router(
            "edge2",
            vec![attach(&w.ix, "192.0.2.2", "2001:db8:1::2")],
        ))
        .unwrap();
    mark_configured(&f, made[0].id);
    let before = snapshot(&f.core);
    let e = f
        .core
        .prepare_configure_sessions(&ConfigureSelection {
            asn: 64500,
            rows: vec![choice(
                Some(made[0].id),
                w.ix.id,
                "192.0.2.100",
                edge2.id,
                None,
            )],
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.field(), Some("routerId"));
    assert!(e.to_string().contains("edge1"), "{e}");
    assert_eq!(snapshot(&f.core), before);
}

fn mark_configured(f: &Fixture, session: i64) {
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    conn.execute(
        "UPDATE sessions SET config_state = 'configured' WHERE id = ?1",
        [session],
    )
    .unwrap();
}

#[test]
fn a_router_that_cannot_be_reached_carries_its_error_and_still_shows_what_would_be_sent() {
    let f = core();
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    // A loopback port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut r = new_router("edge1", vec![attach(&ix, "192.0.2.1", "2001:db8:1::1")]);
    r.mgmt_address = "127.0.0.1".into();
    r.ssh_port = i64::from(port);
    r.password = Some("lab-password".into());
    let edge1 = f.core.add_router(&r).unwrap();
    let mut r2 = new_router("edge2", vec![attach(&ix, "192.0.2.2", "2001:db8:1::2")]);
    r2.mgmt_address = "127.0.0.1".into();
    r2.ssh_port = i64::from(port);
    let edge2 = f.core.add_router(&r2).unwrap();
    let pg = peer_group(&f.core, &edge1, "IX-V4", AddressFamily::Ipv4);
    let ids = f
        .core
        .prepare_configure_sessions(&ConfigureSelection {
            asn: 64500,
            rows: vec![
                choice(None, ix.id, "192.0.2.100", edge1.id, Some(pg.id)),
                choice(None, ix.id, "192.0.2.101", edge2.id, None),
                choice(None, ix.id, "192.0.2.102", edge1.id, Some(pg.id)),
            ],
        })
        .unwrap();
    assert_eq!(ids.len(), 3);

    let previews = f.core.preview_configure_sessions(&ids).unwrap();

    assert_eq!(previews.len(), 2, "one review per router");
    assert_eq!(previews[0].router_name, "edge1");
    assert_eq!(previews[0].session_ids, vec![ids[0], ids[2]]);
    assert_eq!(previews[1].session_ids, vec![ids[1]]);
    let e1 = previews[0].error.as_ref().expect("edge1 cannot be reached");
    assert_eq!(e1.kind, ErrorKind::Unreachable, "{}", e1.message);
    assert!(previews[0].proposed.contains("192.0.2.100"));
    assert!(previews[0].proposed.contains("192.0.2.102"));
    assert!(!previews[0].proposed.contains("192.0.2.101"));
    assert!(previews[0].current.is_empty());
    assert!(
        previews[0].diff.is_empty(),
        "no diff without the router's side"
    );
    let e2 = previews[1].error.as_ref().expect("edge2 has no password");
    assert_eq!(e2.kind, ErrorKind::AuthFailed, "{}", e2.message);
    assert!(previews[1].proposed.contains("192.0.2.101"));
}

#[test]
fn new_sessions_are_created_all_or_nothing() {
    let f = core();
    let w = world(&f.core);
    let before = snapshot(&f.core);
    // The second row names the IPv4 group for an IPv6 address.
    let e = f
        .core
        .prepare_configure_sessions(&ConfigureSelection {
            asn: 64500,
            rows: vec![
                choice(None, w.ix.id, "192.0.2.100", w.router.id, Some(w.pg4.id)),
                choice(
                    None,
                    w.ix.id,
                    "2001:db8:1::100",
                    w.router.id,
                    Some(w.pg4.id),
                ),
            ],
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(e.field(), Some("peerIp"));
    assert!(e.to_string().starts_with("2001:db8:1::100: "), "{e}");
    assert_eq!(snapshot(&f.core), before, "the first row was not kept");

    // Outside the exchange's LAN, and the same address twice: refused too.
    for rows in [
        vec![choice(
            None,
            w.ix.id,
            "203.0.113.5",
            w.router.id,
            Some(w.pg4.id),
        )],
        vec![
            choice(None, w.ix.id, "192.0.2.100", w.router.id, Some(w.pg4.id)),
            choice(None, w.ix.id, "192.0.2.100", w.router.id, Some(w.pg4.id)),
        ],
    ] {
        assert!(f
            .core
            .prepare_configure_sessions(&ConfigureSelection { asn: 64500, rows })
            .is_err());
        assert_eq!(snapshot(&f.core), before);
    }
}

/// A core with the small PeeringDB dataset mirrored, our ASN set, and the
/// exchange of a peer's first port added from PeeringDB with one router on it
/// and a v4 and a v6 peer group. Returns the peer's ASN, the exchange and router.
struct Mirrored {
    f: Fixture,
    peer: u32,
    ix: Exchange,
    router: Router,
    pg4: i64,
    pg6: i64,
    /// The peer's addresses at the exchange, per PeeringDB.
    addresses: Vec<IpAddr>,
}

fn mirrored() -> Mirrored {
    use common::pdb::{dataset, Server};
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let data = dataset(&dir);
    let server = Server::start(&data, &[]);
    let mut o = peerdesk_core::peeringdb::SyncOptions::new(server.url(), None);
    o.requests_per_minute = None;
    f.core
        .sync_peeringdb(&o, &peerdesk_core::events::NoEvents)
        .unwrap();
    drop(server);
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    // A peer with both an IPv4 and an IPv6 port on an exchange with both prefixes.
    let (peer, ix_id): (u32, i64) = conn
        .query_row(
            "SELECT n.asn, n.ix_id FROM pdb_netixlan n
             WHERE n.ipaddr4 IS NOT NULL AND n.ipaddr6 IS NOT NULL
             ORDER BY n.ix_id, n.asn LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let used: Vec<IpAddr> = conn
        .prepare("SELECT ipaddr4, ipaddr6 FROM pdb_netixlan WHERE ix_id = ?1")
        .unwrap()
        .query_map([ix_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .flat_map(|(a, b)| [a, b])
        .flatten()
        .map(|a| a.parse().unwrap())
        .collect();
    let new_ix = f.core.exchange_from_pdb(ix_id).unwrap();
    let ix = f.core.add_exchange(&new_ix).unwrap();
    let free = |prefix: &str| -> String {
        let net: IpNet = prefix.parse().unwrap();
        net.hosts()
            .take(5000)
            .find(|h| !used.contains(h))
            .expect("a free address on the LAN")
            .to_string()
    };
    let router = f
        .core
        .add_router(&new_router(
            "edge1",
            vec![NewAttachment {
                exchange_id: ix.id,
                ipv4: Some(free(ix.prefix_v4.as_deref().unwrap())),
                ipv6: ix.prefix_v6.as_deref().map(free),
            }],
        ))
        .unwrap();
    let pg4 = peer_group(&f.core, &router, "IX-V4", AddressFamily::Ipv4).id;
    let pg6 = peer_group(&f.core, &router, "IX-V6", AddressFamily::Ipv6).id;
    let addresses: Vec<IpAddr> = f
        .core
        .peer_addresses(peer, ix.id)
        .unwrap()
        .into_iter()
        .flat_map(|p| [p.ipaddr4, p.ipaddr6])
        .flatten()
        .map(|a| a.parse().unwrap())
        .collect();
    Mirrored {
        f,
        peer,
        ix,
        router,
        pg4,
        pg6,
        addresses,
    }
}

fn inside(ix: &Exchange, ip: &IpAddr) -> bool {
    [&ix.prefix_v4, &ix.prefix_v6]
        .into_iter()
        .flatten()
        .any(|p| p.parse::<IpNet>().unwrap().contains(ip))
}

#[test]
fn with_a_mirror_each_peeringdb_address_is_a_candidate_with_the_routers_group_of_its_family() {
    let m = mirrored();
    let core: &Peerdesk = &m.f.core;
    let view = core.configure_sessions_candidates(m.peer, None).unwrap();
    let pdb_name = core.pdb_network(m.peer).unwrap().network.name;
    assert_eq!(view.network_name, pdb_name);
    let ex = view
        .exchanges
        .iter()
        .find(|e| e.exchange_id == Some(m.ix.id))
        .expect("the exchange we added from PeeringDB");
    let listed: Vec<IpAddr> = ex.rows.iter().map(|r| r.peer_ip.parse().unwrap()).collect();
    for ip in &m.addresses {
        assert_eq!(
            listed.contains(ip),
            inside(&m.ix, ip),
            "{ip}: listed exactly when inside our LAN"
        );
    }
    assert!(
        listed.iter().any(|ip| ip.is_ipv4()) && listed.iter().any(|ip| ip.is_ipv6()),
        "both families"
    );
    for r in &ex.rows {
        assert_eq!(r.session_id, None, "no sessions yet: all candidates");
        assert_eq!(r.router_id, Some(m.router.id));
        let want = if r.ip_version == 4 { m.pg4 } else { m.pg6 };
        assert_eq!(r.peer_group_id, Some(want), "{}", r.peer_ip);
        assert_eq!(r.session_type, SessionType::Peer);
    }
}

#[test]
fn with_a_mirror_chosen_candidates_become_sessions_of_the_peeringdb_network() {
    let m = mirrored();
    let core: &Peerdesk = &m.f.core;
    let view = core.configure_sessions_candidates(m.peer, None).unwrap();
    let ex = &view.exchanges[0];
    let rows: Vec<ConfigureChoice> = ex
        .rows
        .iter()
        .map(|r| ConfigureChoice {
            session_id: r.session_id,
            exchange_id: ex.exchange_id,
            peer_ip: r.peer_ip.clone(),
            router_id: r.router_id.unwrap(),
            peer_group_id: r.peer_group_id,
            session_type: r.session_type,
        })
        .collect();
    let ids = core
        .prepare_configure_sessions(&ConfigureSelection {
            asn: m.peer,
            rows: rows.clone(),
        })
        .unwrap();
    assert_eq!(ids.len(), rows.len());
    let pdb = core.pdb_network(m.peer).unwrap().network;
    for (id, c) in ids.iter().zip(&rows) {
        let s = core.get_session(*id).unwrap();
        assert_eq!(s.asn, m.peer);
        assert_eq!(s.network_name, pdb.name);
        assert_eq!(s.peer_ip, c.peer_ip);
        assert_eq!(s.peer_group_id, c.peer_group_id);
        assert_eq!(s.exchange_id, Some(m.ix.id));
    }
    // Listed again: the same addresses, now as the sessions just made.
    let again = core.configure_sessions_candidates(m.peer, None).unwrap();
    let listed: Vec<Option<i64>> = again.exchanges[0]
        .rows
        .iter()
        .map(|r| r.session_id)
        .collect();
    assert_eq!(listed.len(), ids.len());
    assert!(listed
        .iter()
        .all(|id| id.is_some_and(|id| ids.contains(&id))));
    // Preparing the same selection of sessions again creates nothing more.
    let with_ids: Vec<ConfigureChoice> = again.exchanges[0]
        .rows
        .iter()
        .map(|r| ConfigureChoice {
            session_id: r.session_id,
            exchange_id: Some(m.ix.id),
            peer_ip: r.peer_ip.clone(),
            router_id: r.router_id.unwrap(),
            peer_group_id: r.peer_group_id,
            session_type: r.session_type,
        })
        .collect();
    let count = core.list_sessions(&Default::default()).unwrap().len();
    core.prepare_configure_sessions(&ConfigureSelection {
        asn: m.peer,
        rows: with_ids,
    })
    .unwrap();
    assert_eq!(
        core.list_sessions(&Default::default()).unwrap().len(),
        count
    );
}

/// A router stand-in answering `show running-config` with a fixed text and
/// counting logins, to prove the review reads each router once.
struct CountingRouters {
    running: std::collections::HashMap<String, String>,
    logins: std::sync::Mutex<Vec<String>>,
    commands: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

struct Shell {
    running: String,
    commands: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl peerdesk_core::devices::transport::RouterTransport for Shell {
    fn exec(&self, command: &str) -> peerdesk_core::Result<peerdesk_core::devices::ssh::Output> {
        self.commands.lock().unwrap().push(command.to_string());
        assert_eq!(command, "show running-config", "the review only reads");
        Ok(peerdesk_core::devices::ssh::Output {
            status: 0,
            stdout: self.running.clone(),
            stderr: String::new(),
        })
    }
    fn upload(&self, _: &str, _: &[u8]) -> peerdesk_core::Result<()> {
        panic!("the review never writes to a router")
    }
    fn read(&self, _: &str) -> peerdesk_core::Result<Option<String>> {
        Ok(None)
    }
    fn remove(&self, _: &str) -> peerdesk_core::Result<()> {
        panic!("the review never removes anything from a router")
    }
}

impl peerdesk_core::devices::transport::RouterConnector for CountingRouters {
    fn connect(
        &self,
        router: &Router,
    ) -> peerdesk_core::Result<Box<dyn peerdesk_core::devices::transport::RouterTransport>> {
        self.logins.lock().unwrap().push(router.name.clone());
        Ok(Box::new(Shell {
            running: self.running[&router.name].clone(),
            commands: self.commands.clone(),
        }))
    }
}

#[test]
fn the_review_reads_each_router_once_and_shows_the_change_per_neighbour() {
    let f = core();
    let w = world(&f.core);
    let edge2 = f
        .core
        .add_router(&new_router(
            "edge2",
            vec![attach(&w.ix, "192.0.2.2", "2001:db8:1::2")],
        ))
        .unwrap();
    let ids = f
        .core
        .prepare_configure_sessions(&ConfigureSelection {
            asn: 64500,
            rows: vec![
                choice(None, w.ix.id, "192.0.2.100", w.router.id, Some(w.pg4.id)),
                choice(None, w.ix.id, "192.0.2.101", edge2.id, None),
                choice(None, w.ix.id, "192.0.2.102", w.router.id, Some(w.pg4.id)),
            ],
        })
        .unwrap();
    let routers = std::sync::Arc::new(CountingRouters {
        running: [
            (
                "edge1".to_string(),
                "router bgp 64496\n neighbor IX-V4 peer-group\n neighbor 192.0.2.100 remote-as 64500\n neighbor 192.0.2.100 description old name\n!\n".to_string(),
            ),
            ("edge2".to_string(), "router bgp 64496\n!\n".to_string()),
        ]
        .into(),
        logins: Default::default(),
        commands: Default::default(),
    });
    f.core.set_router_connector(routers.clone());

    let previews = f.core.preview_configure_sessions(&ids).unwrap();

    assert_eq!(
        *routers.logins.lock().unwrap(),
        vec!["edge1".to_string(), "edge2".to_string()],
        "one login per router, however many sessions"
    );
    assert!(previews.iter().all(|p| p.error.is_none()));
    let edge1 = &previews[0];
    assert_eq!(edge1.session_ids, vec![ids[0], ids[2]]);
    assert!(
        edge1
            .current
            .contains("neighbor 192.0.2.100 description old name"),
        "{}",
        edge1.current
    );
    assert!(!edge1.current.contains("192.0.2.102"));
    let added: Vec<&str> = edge1
        .diff
        .iter()
        .filter(|l| l.kind == peerdesk_core::templating::diff::DiffKind::Added)
        .map(|l| l.text.as_str())
        .collect();
    assert!(
        added.iter().any(|l| l.contains("192.0.2.102")),
        "the new neighbour is added: {added:?}"
    );
    assert!(
        edge1
            .diff
            .iter()
            .any(|l| l.text.contains("192.0.2.100 description old name")),
        "the existing neighbour's lines are part of its diff"
    );
    assert!(previews[1].proposed.contains("192.0.2.101"));
}
