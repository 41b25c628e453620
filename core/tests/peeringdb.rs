//! PeeringDB sync and lookups against the local fixture server
//! (tests/peeringdb/fixture_server.py) serving generated PeeringDB-shaped data
//! on 127.0.0.1, through the real API code path.

mod common;

use common::pdb::{dataset, Server};

use common::*;
use peerdesk_core::events::{CollectedEvents, EventSink};
use peerdesk_core::peeringdb::SyncOptions;
use peerdesk_core::secrets::Secret;
use peerdesk_core::{ErrorKind, Peerdesk};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;

fn opts(server: &Server) -> SyncOptions {
    let mut o = SyncOptions::new(server.url(), None);
    o.requests_per_minute = None;
    o.page_size = 50;
    o
}

/// Sets the fixture's clock to the dataset's boundary so `since` behaves as
/// it would against PeeringDB: base data is older than our first sync,
/// changes are newer.
fn at_boundary(f: &Fixture, data: &Path) {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("manifest.json")).unwrap())
            .unwrap();
    f.clock
        .set(manifest_boundary(&manifest) + chrono::Duration::seconds(1));
}

fn manifest_boundary(m: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = m["boundary"]["iso"]
        .as_str()
        .expect("manifest names the base/changes boundary");
    chrono::DateTime::parse_from_rfc3339(&text.replace('Z', "+00:00"))
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// Every mirrored row as (type → id → updated), to compare with the generator's state.
fn mirror(core: &Peerdesk, db: &Path) -> BTreeMap<String, BTreeMap<i64, String>> {
    let _ = core;
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = BTreeMap::new();
    for t in peerdesk_core::peeringdb::schema::TYPES {
        let mut stmt = conn
            .prepare(&format!("SELECT id, updated FROM {}", t.table()))
            .unwrap();
        let rows: BTreeMap<i64, String> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.insert(t.name.to_string(), rows);
    }
    out
}

fn expected(dir: &Path) -> BTreeMap<String, BTreeMap<i64, String>> {
    let mut out = BTreeMap::new();
    for t in peerdesk_core::peeringdb::schema::TYPES {
        let text = std::fs::read_to_string(dir.join(format!("{}.json", t.name))).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let rows: BTreeMap<i64, String> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] != "deleted")
            .map(|r| {
                (
                    r["id"].as_i64().unwrap(),
                    r["updated"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        out.insert(t.name.to_string(), rows);
    }
    out
}

#[test]
fn a_full_then_an_incremental_sync_reproduce_the_generators_final_state() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &[]);
    at_boundary(&f, &data);
    let events = CollectedEvents::default();
    let first = f.core.sync_peeringdb(&opts(&server), &events).unwrap();
    assert!(first.full);
    assert_eq!(
        mirror(&f.core, &f.db_path),
        expected(&data),
        "the full load is the base set"
    );
    assert!(events
        .take()
        .iter()
        .any(|(n, p)| n == "peeringdb-sync" && p["phase"] == "fetching"));

    server.control("stage", "final");
    f.clock.advance(chrono::Duration::hours(1));
    let second = f.core.sync_peeringdb(&opts(&server), &events).unwrap();
    assert!(!second.full);
    assert!(
        second.types.iter().map(|t| t.deleted).sum::<u32>() > 0,
        "tombstones were applied"
    );
    assert_eq!(
        mirror(&f.core, &f.db_path),
        expected(&data.join("expected-final"))
    );

    let since_requests: Vec<Value> = server
        .requests()
        .into_iter()
        .filter(|r| r.to_string().contains("since="))
        .collect();
    assert!(
        !since_requests.is_empty(),
        "the incremental run asked with since"
    );
    let status = f.core.peeringdb_status().unwrap();
    assert!(status.last_success_at.is_some());
    assert_eq!(status.last_run.unwrap().outcome, "ok");
}

#[test]
fn a_fault_in_any_type_leaves_the_previous_mirror_as_it_was() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &[]);
    at_boundary(&f, &data);
    f.core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    let before = mirror(&f.core, &f.db_path);
    server.control("stage", "final");
    f.clock.advance(chrono::Duration::hours(1));
    for fault in [
        "truncate:netixlan",
        "500:poc",
        "wrongtype:net",
        "oversize:poc",
        "disconnect:ixpfx",
    ] {
        server.control("reset", "");
        server.control("stage", "final");
        server.control(
            "fault",
            &serde_json::json!({ "faults": [fault] }).to_string(),
        );
        let e = f
            .core
            .sync_peeringdb(&opts(&server), &CollectedEvents::default())
            .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Rejected),
            "{fault} gives a clear rejected error, got {:?}: {e}",
            e.kind()
        );
        assert_eq!(
            mirror(&f.core, &f.db_path),
            before,
            "{fault} changed nothing"
        );
        let status = f.core.peeringdb_status().unwrap();
        assert_eq!(status.last_run.unwrap().outcome, "failed");
    }
}

#[test]
fn rate_limiting_is_waited_out_and_the_user_is_told_how_long() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &["--fault", "429:ix:1"]);
    at_boundary(&f, &data);
    let events = CollectedEvents::default();
    f.core.sync_peeringdb(&opts(&server), &events).unwrap();
    let waits: Vec<Value> = events
        .take()
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p["phase"] == "waiting")
        .collect();
    assert_eq!(waits.len(), 1, "one wait for the one 429");
    assert_eq!(waits[0]["waitSeconds"], 1);
}

struct CancelOnFirstFetch<'a>(&'a std::sync::atomic::AtomicBool);

impl EventSink for CancelOnFirstFetch<'_> {
    fn emit(&self, _name: &str, p: Value) {
        if p["objectType"] == "net" {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

#[test]
fn a_cancelled_sync_changes_nothing_and_says_so() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &[]);
    at_boundary(&f, &data);
    let o = opts(&server);
    let e = f
        .core
        .sync_peeringdb(&o, &CancelOnFirstFetch(&o.cancel))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(mirror(&f.core, &f.db_path)
        .values()
        .all(|rows| rows.is_empty()));
    assert_eq!(
        f.core.peeringdb_status().unwrap().last_run.unwrap().outcome,
        "cancelled"
    );
}

#[test]
fn the_api_key_is_sent_as_the_authorization_header_and_a_wrong_one_is_an_auth_error() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &["--api-key", "k3y-good", "--require-key"]);
    at_boundary(&f, &data);
    let mut o = opts(&server);
    let e = f
        .core
        .sync_peeringdb(&o, &CollectedEvents::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthFailed);
    o.api_key = Some(Secret::new("wrong"));
    assert_eq!(
        f.core
            .sync_peeringdb(&o, &CollectedEvents::default())
            .unwrap_err()
            .kind(),
        ErrorKind::AuthFailed
    );
    o.api_key = Some(Secret::new("k3y-good"));
    f.core
        .sync_peeringdb(&o, &CollectedEvents::default())
        .unwrap();
    let reqs = server.requests();
    let last = reqs.last().unwrap();
    assert_eq!(last["authorization"], true, "the key went as a header");
    assert_eq!(last["key_valid"], true);
    assert!(
        last["user_agent"]
            .as_str()
            .unwrap()
            .starts_with("Peerdesk/"),
        "a descriptive User-Agent: {last}"
    );
}

#[test]
fn children_whose_parent_is_missing_are_dropped_and_reported() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &["--fault", "missingparent:netixlan"]);
    at_boundary(&f, &data);
    let s = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    assert!(s.orphans_dropped >= 1, "{s:?}");
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM pdb_netixlan WHERE net_id NOT IN (SELECT id FROM pdb_net)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn lookups_answer_from_the_mirror_what_the_data_says() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &[]);
    at_boundary(&f, &data);
    f.core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    drop(server);

    let read = |t: &str| -> Vec<Value> {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(data.join(format!("{t}.json"))).unwrap())
                .unwrap();
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            // Lookups show live rows only (issue 11): pending ones are invisible.
            .filter(|r| r["status"] == "ok")
            .cloned()
            .collect()
    };
    let nets = read("net");
    let netixlan = read("netixlan");
    // The network with the most exchange ports.
    let mut ports: BTreeMap<i64, usize> = BTreeMap::new();
    for n in &netixlan {
        *ports.entry(n["asn"].as_i64().unwrap()).or_default() += 1;
    }
    let (&asn, &count) = ports.iter().max_by_key(|(_, c)| **c).unwrap();
    let net = nets
        .iter()
        .find(|n| n["asn"].as_i64() == Some(asn))
        .unwrap();

    let hits = f.core.search_pdb_networks(&format!("AS{asn}"), 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].name, net["name"].as_str().unwrap());
    assert_eq!(hits[0].irr_as_set, net["irr_as_set"].as_str().unwrap_or(""));
    let detail = f.core.pdb_network(asn as u32).unwrap();
    assert_eq!(detail.exchanges.len(), count);
    let expect_v4 = net["info_prefixes4"].as_u64().unwrap_or(0) as f64;
    assert_eq!(
        detail.max_prefix.v4,
        ((expect_v4 + 100.0) * 1.15).ceil() as u32
    );

    let by_name = f.core.search_pdb_networks(&hits[0].name[..6], 200).unwrap();
    assert!(by_name.iter().any(|n| n.asn == asn as u32));

    // Common exchanges with another network that shares an exchange.
    let ix = detail.exchanges[0].ix_id;
    let other = netixlan
        .iter()
        .find(|n| n["ix_id"].as_i64() == Some(ix) && n["asn"].as_i64() != Some(asn))
        .map(|n| n["asn"].as_i64().unwrap());
    if let Some(other) = other {
        let s = f.core.get_settings().unwrap();
        f.core
            .update_settings(&peerdesk_core::settings::SettingsChanges {
                own_asns: vec![asn.to_string()],
                org_name: s.org_name,
                coordinator_name: s.coordinator_name,
                coordinator_email: s.coordinator_email,
                peeringdb_url: None,
                max_prefix_extra: None,
                max_prefix_factor: None,
            })
            .unwrap();
        let common = f.core.common_exchanges(other as u32).unwrap();
        assert!(common.iter().any(|c| c.ix_id == ix));
        assert!(common
            .iter()
            .all(|c| !c.ours.is_empty() && !c.theirs.is_empty()));
    }

    // Add an exchange from PeeringDB, then its available peers exclude us and hidden ones.
    let new_ex = f.core.exchange_from_pdb(ix).unwrap();
    assert!(
        new_ex.prefix_v4.is_some() || new_ex.prefix_v6.is_some(),
        "LAN prefixes filled"
    );
    let ex = f.core.add_exchange(&new_ex).unwrap();
    let peers = f.core.available_peers(ex.id).unwrap();
    let members: std::collections::BTreeSet<i64> = netixlan
        .iter()
        .filter(|n| n["ix_id"].as_i64() == Some(ix))
        .map(|n| n["asn"].as_i64().unwrap())
        .collect();
    let peer_asns: std::collections::BTreeSet<u32> = peers.iter().map(|p| p.asn).collect();
    assert_eq!(
        peer_asns.len(),
        members.len() - usize::from(members.contains(&asn))
    );
    // One row per port (issue 11: it was one per network, mixing ports).
    let ports = netixlan
        .iter()
        .filter(|n| n["ix_id"].as_i64() == Some(ix) && n["asn"].as_i64() != Some(asn))
        .count();
    assert_eq!(peers.len(), ports);
    let first = peers[0].asn;
    f.core.hide_peer(ex.id, first, true).unwrap();
    assert!(f
        .core
        .available_peers(ex.id)
        .unwrap()
        .iter()
        .all(|p| p.asn != first));

    // Contacts come Policy first, and the exchange's policy address last.
    let contacts = f.core.contacts_for(asn as u32, Some(ex.id)).unwrap();
    let roles: Vec<&str> = contacts.iter().map(|c| c.role.as_str()).collect();
    let rank = |r: &str| {
        ["Policy", "NOC", "Technical", "Exchange policy"]
            .iter()
            .position(|x| *x == r)
            .unwrap()
    };
    assert!(
        roles.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{roles:?}"
    );
}
