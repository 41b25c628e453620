//! PeeringDB sync and lookups against the local fixture server
//! (tests/peeringdb/fixture_server.py) serving generated PeeringDB-shaped data
//! on 127.0.0.1, through the real API code path: a full and an incremental
//! sync, faults, rate limits, keys and cancel, then what a server that is not
//! PeeringDB may do (capped pages, rows not asked for, pending rows, orphans)
//! and what the report and its warnings say about it.

mod common;

use common::pdb::{dataset, Server};

use chrono::TimeZone;
use common::*;
use peerdesk_core::events::{CollectedEvents, EventSink};
use peerdesk_core::peeringdb::{SyncOptions, SyncSummary, SyncWarning, SyncWarningKind, TypeCount};
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
    // A port is live only when its network is live too (a pending network's
    // ports are invisible with it).
    let live_nets: std::collections::BTreeSet<i64> =
        nets.iter().filter_map(|n| n["id"].as_i64()).collect();
    let netixlan: Vec<Value> = read("netixlan")
        .into_iter()
        .filter(|p| {
            p["net_id"]
                .as_i64()
                .is_some_and(|id| live_nets.contains(&id))
        })
        .collect();
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

// ---------------------------------------------------------------------------
// Nothing from outside is trusted: paging, id look-ups, statuses, the report.

fn rows_of(dir: &Path, t: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(format!("{t}.json"))).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["data"]
        .as_array()
        .cloned()
        .unwrap()
}

fn manifest(data: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data.join("manifest.json")).unwrap()).unwrap()
}

/// Each stored row's status, by type and id.
fn statuses(db: &Path, t: &str) -> BTreeMap<i64, String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(&format!("SELECT id, status FROM pdb_{t}"))
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn count_of<'a>(s: &'a SyncSummary, t: &str) -> &'a TypeCount {
    s.types.iter().find(|c| c.object_type == t).unwrap()
}

/// List requests (not id look-ups) the server logged for a type.
fn list_requests(server: &Server, t: &str) -> Vec<Value> {
    server
        .requests()
        .into_iter()
        .filter(|r| r["type"] == t && !r["query"].as_str().unwrap().contains("id__in"))
        .collect()
}

#[test]
fn a_server_that_caps_its_pages_still_gives_the_whole_mirror() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    // Asked for 50 a page, the server sends at most 25: a page shorter than
    // the limit is not the end.
    let server = Server::start(&data, &["--page-cap", "25"]);
    at_boundary(&f, &data);
    f.core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    assert_eq!(
        mirror(&f.core, &f.db_path),
        expected(&data),
        "the base set, complete"
    );
    let netixlan = list_requests(&server, "netixlan");
    assert!(netixlan.iter().all(|r| r["rows"].as_u64().unwrap() <= 25));
    let base_rows = rows_of(&data, "netixlan")
        .iter()
        .filter(|r| r["status"] != "deleted")
        .count();
    assert!(
        base_rows > 150,
        "the small set has {base_rows} ports: several capped pages"
    );
    let listed: u64 = netixlan.iter().map(|r| r["rows"].as_u64().unwrap()).sum();
    assert_eq!(listed as usize, base_rows, "every port fetched once");

    server.control("stage", "final");
    f.clock.advance(chrono::Duration::hours(1));
    f.core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    assert_eq!(
        mirror(&f.core, &f.db_path),
        expected(&data.join("expected-final")),
        "the incremental pass pages the same way"
    );
}

#[test]
fn the_report_counts_what_was_received_kept_dropped_and_deleted() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &[]);
    at_boundary(&f, &data);
    let first = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    for t in peerdesk_core::peeringdb::schema::TYPES {
        let rows = rows_of(&data, t.name);
        let listed = rows.iter().filter(|r| r["status"] != "deleted").count() as u32;
        let pending = rows.iter().filter(|r| r["status"] == "pending").count() as u32;
        assert_eq!(
            count_of(&first, t.name),
            &TypeCount {
                object_type: t.name.into(),
                received: listed,
                kept: listed,
                not_live: pending,
                orphans_dropped: 0,
                deleted: 0,
            },
            "full sync of {}",
            t.name
        );
    }
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert_eq!(
        (
            first.orphans_dropped,
            first.unrequested_ignored,
            first.parents_fetched
        ),
        (0, 0, 0)
    );

    server.control("stage", "final");
    f.clock.advance(chrono::Duration::hours(1));
    let second = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    for t in peerdesk_core::peeringdb::schema::TYPES {
        let changes = rows_of(&data.join("changes"), t.name);
        let tombstones = changes.iter().filter(|r| r["status"] == "deleted").count() as u32;
        let pending = changes.iter().filter(|r| r["status"] == "pending").count() as u32;
        let n = changes.len() as u32;
        assert_eq!(
            count_of(&second, t.name),
            &TypeCount {
                object_type: t.name.into(),
                received: n,
                kept: n - tombstones,
                not_live: pending,
                orphans_dropped: 0,
                deleted: tombstones,
            },
            "incremental sync of {}",
            t.name
        );
    }
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
    let run = f.core.peeringdb_status().unwrap().last_run.unwrap();
    let kept: u32 = second.types.iter().map(|t| t.kept).sum();
    let received: u32 = second.types.iter().map(|t| t.received).sum();
    assert!(
        run.message.starts_with(&format!(
            "incremental sync: kept {kept} of {received} rows received"
        )),
        "{}",
        run.message
    );
    assert!(run.warnings.is_empty());
}

#[test]
fn rows_that_turn_pending_are_kept_with_their_status_and_are_not_live() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let m = manifest(&data);
    let server = Server::start(&data, &[]);
    at_boundary(&f, &data);
    f.core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    let pending = &m["lookup_cases"]["pending"];
    let nets = statuses(&f.db_path, "net");
    let pending_net = pending["net"][0]["net_id"].as_i64().unwrap();
    assert_eq!(nets[&pending_net], "pending", "stored as received");
    let ports = statuses(&f.db_path, "netixlan");
    for p in pending["netixlan"].as_array().unwrap() {
        assert_eq!(ports[&p["id"].as_i64().unwrap()], "pending");
    }
    let live_nets = nets.values().filter(|s| *s == "ok").count() as u32;
    assert_eq!(
        f.core.peeringdb_status().unwrap().networks,
        live_nets,
        "the panel counts live rows"
    );
    assert_eq!(live_nets as usize + 1, nets.len());

    server.control("stage", "final");
    f.clock.advance(chrono::Duration::hours(1));
    let s = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    let turned = &m["changes"]["to_pending"];
    assert!(!turned["net"].as_array().unwrap().is_empty());
    for (t, ids) in turned.as_object().unwrap() {
        let now = statuses(&f.db_path, t);
        for id in ids.as_array().unwrap() {
            assert_eq!(
                now[&id.as_i64().unwrap()],
                "pending",
                "{t} {id} was ok, is pending now"
            );
        }
        assert!(count_of(&s, t).not_live >= ids.as_array().unwrap().len() as u32);
    }
    let live_after = statuses(&f.db_path, "net")
        .values()
        .filter(|s| *s == "ok")
        .count() as u32;
    assert_eq!(f.core.peeringdb_status().unwrap().networks, live_after);
}

#[test]
fn a_missing_parent_is_asked_for_once_even_when_several_types_point_at_it() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let m = manifest(&data);
    // All three point one row a page at the same network, which does not exist.
    let server = Server::start(
        &data,
        &[
            "--fault",
            "missingparent:netixlan",
            "missingparent:netfac",
            "missingparent:poc",
        ],
    );
    at_boundary(&f, &data);
    let s = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    let missing = m["base"]["net"]["max_id"].as_i64().unwrap() + 1_000_000;
    let lookups: Vec<Value> = server
        .requests()
        .into_iter()
        .filter(|r| r["query"].as_str().unwrap().contains("id__in"))
        .collect();
    let asking = lookups
        .iter()
        .filter(|r| {
            r["query"].as_str().unwrap().split('&').any(|kv| {
                kv.strip_prefix("id__in=")
                    .is_some_and(|ids| ids.split(',').any(|i| i == missing.to_string()))
            })
        })
        .count();
    assert_eq!(asking, 1, "net {missing} asked once: {lookups:?}");
    assert_eq!(lookups.len(), 1, "nothing else was missing");
    for t in ["netixlan", "netfac", "poc"] {
        // One row in the middle of every non-empty list page was pointed away.
        let faulted = list_requests(&server, t)
            .iter()
            .filter(|r| {
                r["rows"].as_u64().unwrap() > 0 && !r["faults"].as_array().unwrap().is_empty()
            })
            .count() as u32;
        assert!(faulted >= 1);
        let c = count_of(&s, t);
        assert_eq!(c.orphans_dropped, faulted, "{t}");
        assert_eq!(c.kept, c.received - faulted, "{t}");
    }
    assert_eq!(
        s.orphans_dropped,
        s.types.iter().map(|t| t.orphans_dropped).sum::<u32>()
    );
    assert_eq!(s.unrequested_ignored, 0);
    assert!(
        s.warnings.is_empty(),
        "a few orphans are not most: {:?}",
        s.warnings
    );
}

#[test]
fn rows_an_id_look_up_did_not_ask_for_are_ignored_and_counted() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(
        &data,
        &["--ignore-id-in", "--fault", "missingparent:netixlan"],
    );
    at_boundary(&f, &data);
    let s = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    // Asked for one network that does not exist, the server sent every network.
    let nets = rows_of(&data, "net")
        .iter()
        .filter(|r| r["status"] != "deleted")
        .count() as u32;
    assert_eq!(s.unrequested_ignored, nets);
    assert_eq!(
        s.parents_fetched, 0,
        "none of them was stored as a fetched parent"
    );
    assert_eq!(
        count_of(&s, "net").kept,
        nets,
        "the network list itself is unchanged"
    );
    assert!(
        count_of(&s, "netixlan").orphans_dropped >= 1,
        "the orphan is still dropped"
    );
    let w: Vec<&SyncWarning> = s.warnings.iter().collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(
        (w[0].kind, w[0].object_type.as_deref()),
        (SyncWarningKind::UnrequestedRows, Some("net"))
    );
    assert!(w[0].message.contains(&nets.to_string()), "{}", w[0].message);
    assert_eq!(mirror(&f.core, &f.db_path)["net"], expected(&data)["net"]);
}

#[test]
fn a_sync_that_keeps_nothing_warns_and_the_warning_outlives_a_restart() {
    let f = core();
    let empty = f.db_path.parent().unwrap().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let server = Server::start(&empty, &[]);
    at_boundary_of_nothing(&f);
    let s = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    assert!(s.full);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert_eq!(s.warnings[0].kind, SyncWarningKind::NothingKept);
    let run = f.core.peeringdb_status().unwrap().last_run.unwrap();
    assert_eq!(run.outcome, "ok", "the sync itself went through");
    assert!(
        run.message.contains("warning: PeeringDB sent no rows"),
        "{}",
        run.message
    );

    let reopened = Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    let after = reopened.peeringdb_status().unwrap().last_run.unwrap();
    assert_eq!(after.warnings, s.warnings, "stored with the run");
}

fn at_boundary_of_nothing(f: &Fixture) {
    f.clock
        .set(chrono::Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 1).unwrap());
}

#[test]
fn a_sync_that_drops_most_of_a_type_warns_about_each_such_type() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    // No networks at all: every port, facility presence and contact is an orphan.
    std::fs::write(data.join("net.json"), "{\"data\":[]}\n").unwrap();
    let server = Server::start(&data, &[]);
    at_boundary(&f, &data);
    let s = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    let dropped: Vec<(SyncWarningKind, Option<&str>)> = s
        .warnings
        .iter()
        .map(|w| (w.kind, w.object_type.as_deref()))
        .collect();
    assert_eq!(
        dropped,
        vec![
            (SyncWarningKind::MostDropped, Some("netfac")),
            (SyncWarningKind::MostDropped, Some("netixlan")),
            (SyncWarningKind::MostDropped, Some("poc")),
        ]
    );
    for t in ["netfac", "netixlan", "poc"] {
        let c = count_of(&s, t);
        assert_eq!((c.kept, c.orphans_dropped), (0, c.received), "{t}");
    }
    // Each missing network asked for once, in chunks of 100.
    let asked: Vec<i64> = server
        .requests()
        .into_iter()
        .filter_map(|r| {
            r["query"].as_str().unwrap().split('&').find_map(|kv| {
                kv.strip_prefix("id__in=").map(|ids| {
                    ids.split(',')
                        .map(|i| i.parse::<i64>().unwrap())
                        .collect::<Vec<_>>()
                })
            })
        })
        .flatten()
        .collect();
    let distinct: std::collections::BTreeSet<i64> = asked.iter().copied().collect();
    assert_eq!(asked.len(), distinct.len(), "no id asked twice");
    assert!(!asked.is_empty());
    let run = f.core.peeringdb_status().unwrap().last_run.unwrap();
    assert_eq!(run.warnings, s.warnings);
}

#[test]
fn a_server_that_ignores_skip_stops_the_sync_instead_of_looping() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &["--ignore-skip"]);
    at_boundary(&f, &data);
    let e = f
        .core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert!(
        e.to_string().contains("sent the same org rows again"),
        "{e}"
    );
    assert_eq!(
        list_requests(&server, "org").len(),
        2,
        "it noticed on the second page"
    );
    assert!(mirror(&f.core, &f.db_path)
        .values()
        .all(|rows| rows.is_empty()));
    assert_eq!(
        f.core.peeringdb_status().unwrap().last_run.unwrap().outcome,
        "failed"
    );
}

#[test]
fn a_server_error_is_retried_and_a_closed_port_is_unreachable() {
    let f = core();
    let data = dataset(f.db_path.parent().unwrap());
    let server = Server::start(&data, &["--fault", "500:poc@1"]);
    at_boundary(&f, &data);
    f.core
        .sync_peeringdb(&opts(&server), &CollectedEvents::default())
        .unwrap();
    let poc: Vec<u64> = server
        .requests()
        .into_iter()
        .filter(|r| r["type"] == "poc")
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(&poc[..2], &[500, 200], "the failed page was asked again");
    assert_eq!(mirror(&f.core, &f.db_path), expected(&data));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut o = SyncOptions::new(format!("http://127.0.0.1:{port}/api"), None);
    o.requests_per_minute = None;
    let e = f
        .core
        .sync_peeringdb(&o, &CollectedEvents::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unreachable, "{e}");
    assert!(
        e.to_string().to_lowercase().contains("refused"),
        "says why: {e}"
    );
}
