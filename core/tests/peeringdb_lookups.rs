//! PeeringDB lookups over a mirror holding exactly the rows each test needs:
//! networks with several ports (v4-only, v6-only, both), rows PeeringDB marks
//! `pending`, multi-set AS-SET fields and names outside ASCII. Rows are written
//! the way the sync writes them (`INSERT OR REPLACE` of PeeringDB-shaped JSON,
//! through the mirror's schema table), so the lookups meet what a sync leaves.

mod common;

use common::*;
use peerdesk_core::devices::NewAttachment;
use peerdesk_core::peering::{
    ConfigureChoice, ConfigureSelection, Exchange, NewExchange, NewSession, SessionType,
};
use peerdesk_core::peeringdb::schema::{self, Kind};
use peerdesk_core::settings::SettingsChanges;
use peerdesk_core::templating::config::{render_config, SessionConfigInput};
use peerdesk_core::values::{as_set_list, AddressFamily};
use peerdesk_core::{ErrorKind, Peerdesk};
use rusqlite::types::Value as Sql;
use serde_json::{json, Value};
use std::path::Path;

/// Writes one PeeringDB object of `type_name` into the mirror as the sync
/// does: every schema field from the JSON (absent text is "", absent numbers
/// and addresses NULL), status `ok` unless the row says otherwise.
fn put(db: &Path, type_name: &str, row: Value) {
    let t = schema::by_name(type_name).expect("a mirrored type");
    let mut cols = vec!["id".to_string()];
    let mut vals = vec![Sql::Integer(row["id"].as_i64().expect("id"))];
    for f in t.fields {
        let v = &row[f.name];
        cols.push(f.name.to_string());
        vals.push(match f.kind {
            Kind::Id => Sql::Integer(v.as_i64().unwrap_or_else(|| panic!("{}", f.name))),
            Kind::Int => v.as_i64().map_or(Sql::Null, Sql::Integer),
            Kind::Text => Sql::Text(v.as_str().unwrap_or("").to_string()),
            Kind::OptText => v.as_str().map_or(Sql::Null, |s| Sql::Text(s.to_string())),
            Kind::Bool => Sql::Integer(i64::from(v.as_bool().unwrap_or(false))),
            Kind::List => Sql::Text(if v.is_array() {
                v.to_string()
            } else {
                "[]".into()
            }),
        });
    }
    for (c, default) in [
        ("created", "2026-01-01T00:00:00Z"),
        ("updated", "2026-01-01T00:00:00Z"),
        ("status", "ok"),
    ] {
        cols.push(c.into());
        vals.push(Sql::Text(row[c].as_str().unwrap_or(default).to_string()));
    }
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO {} ({}) VALUES ({})",
            t.table(),
            cols.join(", "),
            marks.join(", ")
        ),
        rusqlite::params_from_iter(vals),
    )
    .unwrap();
}

fn net(db: &Path, id: i64, asn: u32, name: &str, extra: Value) {
    let mut row = json!({"id": id, "org_id": 1, "asn": asn, "name": name,
        "policy_general": "Open", "info_prefixes4": 10, "info_prefixes6": 5});
    merge(&mut row, extra);
    put(db, "net", row);
}

fn port(db: &Path, id: i64, net_id: i64, asn: u32, v4: Option<&str>, v6: Option<&str>) {
    port_with(db, id, net_id, asn, v4, v6, json!({}));
}

fn port_with(
    db: &Path,
    id: i64,
    net_id: i64,
    asn: u32,
    v4: Option<&str>,
    v6: Option<&str>,
    extra: Value,
) {
    let mut row = json!({"id": id, "net_id": net_id, "ix_id": IX, "ixlan_id": IX, "asn": asn,
        "ipaddr4": v4, "ipaddr6": v6, "speed": 10000, "operational": true});
    merge(&mut row, extra);
    put(db, "netixlan", row);
}

fn merge(row: &mut Value, extra: Value) {
    for (k, v) in extra.as_object().unwrap() {
        row[k] = v.clone();
    }
}

const IX: i64 = 7;

/// One PeeringDB exchange (ix 7, LAN 192.0.2.0/24 and 2001:db8:1::/64), and
/// our own network AS64496 on it.
fn mirror_with_exchange(db: &Path) {
    put(db, "org", json!({"id": 1, "name": "Documentation Org"}));
    put(
        db,
        "ix",
        json!({"id": IX, "org_id": 1, "name": "Docu-IX", "name_long": "Documentation Exchange",
            "city": "Zürich", "country": "CH", "policy_email": "policy@ix.example.net"}),
    );
    put(db, "ixlan", json!({"id": IX, "ix_id": IX}));
    put(
        db,
        "ixpfx",
        json!({"id": 1, "ixlan_id": IX, "protocol": "IPv4", "prefix": "192.0.2.0/24"}),
    );
    put(
        db,
        "ixpfx",
        json!({"id": 2, "ixlan_id": IX, "protocol": "IPv6", "prefix": "2001:db8:1::/64"}),
    );
    net(db, 1, 64496, "Our Network", json!({}));
    port(db, 1, 1, 64496, Some("192.0.2.1"), Some("2001:db8:1::1"));
}

/// AS64500 with three ports (text order of its addresses is not their
/// numeric order), one of them IPv6 only, and a fourth port still pending;
/// AS64501 with one IPv4-only port.
fn multi_port_members(db: &Path) {
    net(db, 2, 64500, "Alpha Networks", json!({}));
    port(db, 10, 2, 64500, Some("192.0.2.16"), Some("2001:db8:1::16"));
    port(db, 11, 2, 64500, Some("192.0.2.2"), Some("2001:db8:1::2"));
    port(db, 12, 2, 64500, None, Some("2001:db8:1::a"));
    port_with(
        db,
        13,
        2,
        64500,
        Some("192.0.2.3"),
        Some("2001:db8:1::3"),
        json!({"status": "pending"}),
    );
    net(db, 3, 64501, "Beta Transit", json!({}));
    port(db, 20, 3, 64501, Some("192.0.2.20"), None);
}

fn our_asn(core: &Peerdesk) {
    let s = core.get_settings().unwrap();
    core.update_settings(&SettingsChanges {
        own_asns: vec!["64496".into()],
        org_name: s.org_name,
        coordinator_name: s.coordinator_name,
        coordinator_email: s.coordinator_email,
        peeringdb_url: None,
        max_prefix_extra: None,
        max_prefix_factor: None,
    })
    .unwrap();
}

/// Our exchange linked to PeeringDB ix 7, a router on it and a peer group per family.
struct Linked {
    ix: Exchange,
    router_id: i64,
    pg4: i64,
    pg6: i64,
}

fn linked(core: &Peerdesk) -> Linked {
    let ix = core
        .add_exchange(&NewExchange {
            name: "Docu-IX".into(),
            city: "Zürich".into(),
            country: "ch".into(),
            peeringdb_ix_id: Some(IX),
            peeringdb_ixlan_id: Some(IX),
            prefix_v4: Some("192.0.2.0/24".into()),
            prefix_v6: Some("2001:db8:1::/64".into()),
        })
        .unwrap();
    let router = core
        .add_router(&new_router(
            "edge1",
            vec![NewAttachment {
                exchange_id: ix.id,
                ipv4: Some("192.0.2.1".into()),
                ipv6: Some("2001:db8:1::1".into()),
            }],
        ))
        .unwrap();
    let pg4 = peer_group(core, &router, "IX-V4", AddressFamily::Ipv4).id;
    let pg6 = peer_group(core, &router, "IX-V6", AddressFamily::Ipv6).id;
    Linked {
        ix,
        router_id: router.id,
        pg4,
        pg6,
    }
}

fn pair(v4: &Option<String>, v6: &Option<String>) -> (Option<&'static str>, Option<&'static str>) {
    let known = [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
        "192.0.2.16",
        "192.0.2.20",
        "2001:db8:1::1",
        "2001:db8:1::2",
        "2001:db8:1::3",
        "2001:db8:1::16",
        "2001:db8:1::a",
    ];
    let find = |a: &Option<String>| {
        a.as_deref()
            .map(|a| *known.iter().find(|k| **k == a).expect("a known address"))
    };
    (find(v4), find(v6))
}

#[test]
fn available_peers_are_one_row_per_port_with_that_ports_own_addresses_in_numeric_order() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    multi_port_members(&f.db_path);
    our_asn(&f.core);
    let l = linked(&f.core);

    let peers = f.core.available_peers(l.ix.id).unwrap();
    let rows: Vec<(u32, i64, _)> = peers
        .iter()
        .map(|p| (p.asn, p.netixlan_id, pair(&p.ipaddr4, &p.ipaddr6)))
        .collect();
    assert_eq!(
        rows,
        vec![
            // …2 before …16: numeric order, each v4 with the v6 of its own port.
            (64500, 11, (Some("192.0.2.2"), Some("2001:db8:1::2"))),
            (64500, 10, (Some("192.0.2.16"), Some("2001:db8:1::16"))),
            (64500, 12, (None, Some("2001:db8:1::a"))),
            (64501, 20, (Some("192.0.2.20"), None)),
        ],
        "one row per live port, ours and the pending port left out"
    );
    assert!(peers.iter().all(|p| p.speed == Some(10000)));

    // A session on one port takes that port off the list; the network's other ports stay.
    f.core
        .add_session(&NewSession {
            session_type: SessionType::Peer,
            exchange_id: Some(l.ix.id),
            router_id: l.router_id,
            asn: "64500".into(),
            peer_name: "Alpha Networks".into(),
            as_set: String::new(),
            peer_ipv4: Some("192.0.2.2".into()),
            peer_group_v4: Some(l.pg4),
            peer_ipv6: None,
            peer_group_v6: None,
            md5_password: None,
            notes: String::new(),
        })
        .unwrap();
    let ports: Vec<i64> = f
        .core
        .available_peers(l.ix.id)
        .unwrap()
        .iter()
        .map(|p| p.netixlan_id)
        .collect();
    assert_eq!(ports, vec![10, 12, 20]);

    // Hiding a network hides all its ports.
    f.core.hide_peer(l.ix.id, 64500, true).unwrap();
    let ports: Vec<i64> = f
        .core
        .available_peers(l.ix.id)
        .unwrap()
        .iter()
        .map(|p| p.netixlan_id)
        .collect();
    assert_eq!(ports, vec![20]);
}

#[test]
fn the_wizards_peer_addresses_are_per_port_in_numeric_order() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    multi_port_members(&f.db_path);
    let l = linked(&f.core);
    let ports = f.core.peer_addresses(64500, l.ix.id).unwrap();
    let got: Vec<_> = ports
        .iter()
        .map(|p| (p.netixlan_id, pair(&p.ipaddr4, &p.ipaddr6)))
        .collect();
    assert_eq!(
        got,
        vec![
            (11, (Some("192.0.2.2"), Some("2001:db8:1::2"))),
            (10, (Some("192.0.2.16"), Some("2001:db8:1::16"))),
            (12, (None, Some("2001:db8:1::a"))),
        ]
    );
    // The network detail lists the same ports in the same order.
    let detail = f.core.pdb_network(64500).unwrap();
    let ids: Vec<i64> = detail.exchanges.iter().map(|p| p.netixlan_id).collect();
    assert_eq!(ids, vec![11, 10, 12]);
}

#[test]
fn an_address_that_is_not_an_address_of_its_family_is_not_shown() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    net(&f.db_path, 4, 64502, "Gamma", json!({}));
    port(
        &f.db_path,
        30,
        4,
        64502,
        Some("2001:db8:1::30"),
        Some("not-an-ip"),
    );
    port(&f.db_path, 31, 4, 64502, Some(" 192.0.2.31 "), None);
    let l = linked(&f.core);
    let ports = f.core.peer_addresses(64502, l.ix.id).unwrap();
    let got: Vec<(Option<String>, Option<String>)> = ports
        .iter()
        .map(|p| (p.ipaddr4.clone(), p.ipaddr6.clone()))
        .collect();
    assert_eq!(got, vec![(Some("192.0.2.31".into()), None), (None, None)]);
}

#[test]
fn exchange_members_count_networks_and_their_ports_apart() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    multi_port_members(&f.db_path);
    // A pending network's live-looking port counts for nothing.
    net(
        &f.db_path,
        5,
        64503,
        "Pending Net",
        json!({"status": "pending"}),
    );
    port(&f.db_path, 40, 5, 64503, Some("192.0.2.40"), None);
    let hits = f.core.search_pdb_exchanges("docu", 10).unwrap();
    assert_eq!(hits.len(), 1);
    // Our network (1 port), Alpha (3 live ports), Beta (1 port).
    assert_eq!(hits[0].members, 3, "networks, not ports");
    assert_eq!(hits[0].ports, 5);
}

#[test]
fn rows_that_are_not_ok_are_invisible_to_every_lookup() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    multi_port_members(&f.db_path);
    our_asn(&f.core);
    let db = &f.db_path;
    net(
        db,
        6,
        64504,
        "Pending Peer",
        json!({"status": "pending", "info_prefixes4": 5000}),
    );
    port(db, 50, 6, 64504, Some("192.0.2.50"), None);
    put(
        db,
        "poc",
        json!({"id": 1, "net_id": 2, "role": "Policy", "visible": "Public",
            "name": "Live", "email": "policy@alpha.example.net"}),
    );
    put(
        db,
        "poc",
        json!({"id": 2, "net_id": 2, "role": "NOC", "visible": "Public",
            "name": "Pending", "email": "noc@alpha.example.net", "status": "pending"}),
    );
    // A pending exchange where both we and Alpha have ports.
    put(
        db,
        "ix",
        json!({"id": 8, "org_id": 1, "name": "Pending-IX", "city": "Bern", "status": "pending"}),
    );
    put(db, "ixlan", json!({"id": 8, "ix_id": 8}));
    put(
        db,
        "netixlan",
        json!({"id": 60, "net_id": 1, "ix_id": 8, "ixlan_id": 8, "asn": 64496, "ipaddr4": "198.51.100.1"}),
    );
    put(
        db,
        "netixlan",
        json!({"id": 61, "net_id": 2, "ix_id": 8, "ixlan_id": 8, "asn": 64500, "ipaddr4": "198.51.100.2"}),
    );
    let l = linked(&f.core);

    assert!(f
        .core
        .search_pdb_networks("AS64504", 10)
        .unwrap()
        .is_empty());
    assert!(f
        .core
        .search_pdb_networks("Pending Peer", 10)
        .unwrap()
        .is_empty());
    assert_eq!(
        f.core.pdb_network(64504).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(f.core.peer_addresses(64504, l.ix.id).unwrap().is_empty());
    assert_eq!(
        f.core.suggest_max_prefix(64504).unwrap().v4,
        115,
        "no PeeringDB count from a pending row: default headroom"
    );
    assert!(f.core.contacts_for(64504, None).unwrap().is_empty());
    assert!(f
        .core
        .available_peers(l.ix.id)
        .unwrap()
        .iter()
        .all(|p| p.asn != 64504));

    let contacts: Vec<String> = f
        .core
        .contacts_for(64500, None)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(contacts, vec!["Live"]);

    let common: Vec<i64> = f
        .core
        .common_exchanges(64500)
        .unwrap()
        .iter()
        .map(|c| c.ix_id)
        .collect();
    assert_eq!(common, vec![IX], "the pending exchange is not in common");
    assert!(f
        .core
        .search_pdb_exchanges("pending", 10)
        .unwrap()
        .is_empty());
    let on_pending = f
        .core
        .add_exchange(&NewExchange {
            name: "Pending-IX".into(),
            city: "Bern".into(),
            country: "ch".into(),
            peeringdb_ix_id: Some(8),
            peeringdb_ixlan_id: Some(8),
            prefix_v4: Some("198.51.100.0/24".into()),
            prefix_v6: None,
        })
        .unwrap();
    assert!(
        f.core.available_peers(on_pending.id).unwrap().is_empty(),
        "a pending exchange has no available peers"
    );
    assert!(f
        .core
        .peer_addresses(64500, on_pending.id)
        .unwrap()
        .is_empty());
    assert_eq!(
        f.core.exchange_from_pdb(8).unwrap_err().kind(),
        ErrorKind::NotFound
    );

    let status = f.core.peeringdb_status().unwrap();
    // Networks: ours, Alpha, Beta (the pending one not). Exchanges: Docu-IX only.
    assert_eq!(
        (status.networks, status.exchanges, status.memberships),
        (3, 1, 5),
        "live ports: ours 1 + Alpha 3 + Beta 1; not those at the pending exchange or of the pending network"
    );
}

#[test]
fn name_search_ignores_case_in_every_script_and_ascii_search_is_unchanged() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    let db = &f.db_path;
    net(db, 10, 64505, "Ümlaut Netz", json!({"aka": "Straße Netz"}));
    net(db, 11, 64506, "ΩMEGA Networks", json!({}));
    net(db, 12, 64507, "ΟΔΟΣ Telecom", json!({}));
    net(db, 13, 64508, "Example Transit", json!({"aka": "EXT"}));
    let found = |q: &str| -> Vec<u32> {
        f.core
            .search_pdb_networks(q, 50)
            .unwrap()
            .iter()
            .map(|n| n.asn)
            .collect()
    };
    for q in ["ümlaut", "ÜMLAUT", "Ümlaut", "laut net"] {
        assert_eq!(found(q), vec![64505], "{q}");
    }
    assert_eq!(found("STRASSE"), vec![64505], "sharp s folds to ss (aka)");
    assert_eq!(found("ωmega"), vec![64506]);
    assert_eq!(found("Ωmega"), vec![64506]);
    assert_eq!(found("οδοσ"), vec![64507], "final sigma folds to sigma");
    assert_eq!(found("οδος"), vec![64507]);
    for q in ["example", "EXAMPLE", "eXaMpLe tr", "ext"] {
        assert_eq!(found(q), vec![64508], "{q}");
    }
    assert!(found("umlaut").is_empty(), "no accent folding: ü is not u");
    assert!(found("%").is_empty(), "% is a literal, not a wildcard");
    assert!(found("_").is_empty(), "_ is a literal, not a wildcard");
    // A name starting with the query comes first.
    net(db, 14, 64509, "Networks of Ümlaut", json!({}));
    assert_eq!(found("ümlaut"), vec![64505, 64509]);

    // Rows written again by a sync (INSERT OR REPLACE) or changed in place are
    // searched under their new names.
    net(db, 10, 64505, "Ölwerk Netz", json!({}));
    assert!(found("ümlaut").iter().all(|a| *a != 64505));
    assert_eq!(found("ÖLWERK"), vec![64505]);
    rusqlite::Connection::open(db)
        .unwrap()
        .execute("UPDATE pdb_net SET name = 'Ärger GmbH' WHERE id = 11", [])
        .unwrap();
    assert_eq!(found("ärger"), vec![64506]);
    assert!(found("ωmega").is_empty());

    // Exchanges fold the same way (name, long name, city).
    for q in ["zürich", "ZÜRICH", "docu-ix", "DOCUMENTATION"] {
        let hits = f.core.search_pdb_exchanges(q, 10).unwrap();
        assert_eq!(hits.len(), 1, "{q}");
    }
}

#[test]
fn peeringdb_as_set_fields_are_lists_of_their_valid_sets() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    net(
        &f.db_path,
        2,
        64500,
        "Alpha Networks",
        json!({"irr_as_set": "RIPE::AS-ALPHA AS-ALPHA-V6, AS-CUST@RADB AS-BAD;x FOO::AS-Y"}),
    );
    let n = f.core.pdb_network(64500).unwrap().network;
    assert_eq!(
        n.irr_as_set, "RIPE::AS-ALPHA AS-ALPHA-V6, AS-CUST@RADB AS-BAD;x FOO::AS-Y",
        "the field as PeeringDB has it, for display"
    );
    assert_eq!(
        n.irr_as_sets,
        vec!["RIPE::AS-ALPHA", "AS-ALPHA-V6", "RADB::AS-CUST"]
    );
}

#[test]
fn the_wizard_stores_several_as_sets_and_names_a_bad_one() {
    let f = core();
    let w = world(&f.core);
    let before = snapshot(&f.core);
    let mut new = new_session(&w, "64500", Some("192.0.2.10"), None);
    new.as_set = "RIPE::AS-X AS-Y AS-Z;".into();
    let e = f.core.add_session(&new).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(e.field(), Some("asSet"));
    assert!(e.to_string().contains("'AS-Z;'"), "{e}");
    assert_eq!(snapshot(&f.core), before, "nothing written");

    new.as_set = "ripe::as-x  AS-Y, AS-Z@RADB AS64500:AS-CUSTOMERS".into();
    let s = f.core.add_session(&new).unwrap();
    let network = f
        .core
        .list_networks()
        .unwrap()
        .into_iter()
        .find(|n| n.id == s[0].network_id)
        .unwrap();
    assert_eq!(
        network.as_set,
        "RIPE::AS-X AS-Y RADB::AS-Z AS64500:AS-CUSTOMERS"
    );
    assert_eq!(
        network.as_sets,
        vec!["RIPE::AS-X", "AS-Y", "RADB::AS-Z", "AS64500:AS-CUSTOMERS"]
    );

    // Config templates get the list as `s.as_sets`.
    let source = "{{ s.remote_asn }} {{ s.as_sets | join(\",\") }}";
    let text = f
        .core
        .preview_config_template("config/frr/add", source, s[0].id)
        .unwrap();
    assert_eq!(
        text.trim(),
        "64500 RIPE::AS-X,AS-Y,RADB::AS-Z,AS64500:AS-CUSTOMERS"
    );
}

#[test]
fn configure_sessions_keeps_every_as_set_of_the_peeringdb_network() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    net(
        &f.db_path,
        2,
        64500,
        "Alpha Networks",
        json!({"irr_as_set": "RIPE::AS-ALPHA AS-ALPHA-V6"}),
    );
    port(
        &f.db_path,
        10,
        2,
        64500,
        Some("192.0.2.16"),
        Some("2001:db8:1::16"),
    );
    let l = linked(&f.core);
    let rows = vec![
        ConfigureChoice {
            session_id: None,
            exchange_id: Some(l.ix.id),
            peer_ip: "192.0.2.16".into(),
            router_id: l.router_id,
            peer_group_id: Some(l.pg4),
            session_type: SessionType::Peer,
        },
        ConfigureChoice {
            session_id: None,
            exchange_id: Some(l.ix.id),
            peer_ip: "2001:db8:1::16".into(),
            router_id: l.router_id,
            peer_group_id: Some(l.pg6),
            session_type: SessionType::Peer,
        },
    ];
    let ids = f
        .core
        .prepare_configure_sessions(&ConfigureSelection { asn: 64500, rows })
        .unwrap();
    assert_eq!(ids.len(), 2);
    let network = f
        .core
        .list_networks()
        .unwrap()
        .into_iter()
        .find(|n| n.asn == 64500)
        .unwrap();
    assert_eq!(network.as_set, "RIPE::AS-ALPHA AS-ALPHA-V6", "not dropped");
    assert_eq!(network.as_sets, vec!["RIPE::AS-ALPHA", "AS-ALPHA-V6"]);
}

#[test]
fn a_config_template_renders_the_as_set_list_it_is_given() {
    let input = SessionConfigInput {
        platform: peerdesk_core::devices::Platform::Frr,
        local_asn: 64496,
        peer_ip: "192.0.2.10".parse().unwrap(),
        remote_asn: 64500,
        description: "Alpha".into(),
        peer_group: None,
        import_policy: None,
        export_policy: None,
        max_prefix: None,
        admin_down: false,
        md5: None,
        as_sets: as_set_list("AS-A RIPE::AS-B", "asSet").unwrap(),
    };
    let text = render_config("t", "{% for a in s.as_sets %}[{{ a }}]{% endfor %}", &input).unwrap();
    assert_eq!(text, "[AS-A][RIPE::AS-B]");
}

#[test]
fn email_templates_get_our_as_sets_as_a_list_and_as_set_keeps_working() {
    let f = core();
    mirror_with_exchange(&f.db_path);
    net(
        &f.db_path,
        1,
        64496,
        "Our Network",
        json!({"irr_as_set": "RIPE::AS-OURS AS-OURS-V6, AS-BAD;x"}),
    );
    net(&f.db_path, 2, 64500, "Alpha Networks", json!({}));
    our_asn(&f.core);
    f.core
        .save_template(
            "email/request",
            "Subject: AS-SETs\n\n{{ me.as_set }}|{% for s in me.as_sets %}[{{ s }}]{% endfor %}",
        )
        .unwrap();
    let draft = f.core.draft_request(64500).unwrap();
    assert_eq!(
        draft.body.trim(),
        "RIPE::AS-OURS AS-OURS-V6|[RIPE::AS-OURS][AS-OURS-V6]",
        "the valid sets only, as one string and as a list"
    );
}
