//! Fixtures shared by the core integration tests: a core on a temporary file
//! database with an in-memory secret store, and a small inventory to work on.
#![allow(dead_code)]

pub mod lab;
pub mod pdb;

use chrono::TimeZone;
use peerdesk_core::clock::ManualClock;
use peerdesk_core::devices::{
    AuthMethod, NewAttachment, NewRouter, Platform, Router, RouterChanges,
};
use peerdesk_core::peering::{
    Exchange, NewExchange, NewPeerGroup, NewSession, PeerGroup, SessionType,
};
use peerdesk_core::secrets::{MemorySecretStore, SecretStore};
use peerdesk_core::values::AddressFamily;
use peerdesk_core::Peerdesk;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Fixture {
    pub core: Peerdesk,
    pub secrets: Arc<MemorySecretStore>,
    pub clock: Arc<ManualClock>,
    pub db_path: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn core() -> Fixture {
    core_with(None)
}

pub fn core_with(store: Option<Arc<dyn SecretStore>>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("peerdesk.db");
    let secrets = Arc::new(MemorySecretStore::new());
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap(),
    ));
    let store: Arc<dyn SecretStore> = store.unwrap_or_else(|| secrets.clone());
    let core = Peerdesk::open(&db_path, store, clock.clone()).unwrap();
    Fixture {
        core,
        secrets,
        clock,
        db_path,
        _dir: dir,
    }
}

pub fn exchange(core: &Peerdesk, name: &str, v4: &str, v6: &str) -> Exchange {
    core.add_exchange(&NewExchange {
        name: name.into(),
        city: "Frankfurt".into(),
        country: "de".into(),
        peeringdb_ix_id: None,
        peeringdb_ixlan_id: None,
        prefix_v4: Some(v4.into()),
        prefix_v6: Some(v6.into()),
    })
    .unwrap()
}

pub fn new_router(name: &str, attachments: Vec<NewAttachment>) -> NewRouter {
    NewRouter {
        name: name.into(),
        mgmt_address: "192.0.2.250".into(),
        ssh_port: 22,
        platform: Platform::Frr,
        username: "peerdesk".into(),
        auth_method: AuthMethod::Password,
        password: None,
        ssh_key_path: None,
        local_asn: "64496".into(),
        notes: String::new(),
        control_command: None,
        config_dir: None,
        attachments,
        new_peer_group: None,
    }
}

/// What Edit Router sends to keep `r` as it is, with a new password if given.
pub fn router_changes(r: &Router, password: Option<&str>) -> RouterChanges {
    RouterChanges {
        name: r.name.clone(),
        mgmt_address: r.mgmt_address.clone(),
        ssh_port: i64::from(r.ssh_port),
        platform: r.platform,
        username: r.username.clone(),
        auth_method: r.auth_method,
        password: password.map(str::to_string),
        clear_credential: false,
        ssh_key_path: r.ssh_key_path.clone(),
        local_asn: r.local_asn.to_string(),
        notes: r.notes.clone(),
        control_command: Some(r.control_command.clone()),
        config_dir: Some(r.config_dir.clone()),
        attachments: r
            .attachments
            .iter()
            .map(|a| NewAttachment {
                exchange_id: a.exchange_id,
                ipv4: a.ipv4.clone(),
                ipv6: a.ipv6.clone(),
            })
            .collect(),
    }
}

pub fn attach(ex: &Exchange, v4: &str, v6: &str) -> NewAttachment {
    NewAttachment {
        exchange_id: ex.id,
        ipv4: Some(v4.into()),
        ipv6: Some(v6.into()),
    }
}

pub fn peer_group(
    core: &Peerdesk,
    router: &Router,
    name: &str,
    family: AddressFamily,
) -> PeerGroup {
    core.add_peer_group(&NewPeerGroup {
        router_id: Some(router.id),
        name: name.into(),
        exchange_id: None,
        family,
        import_policy: "PEER-IN".into(),
        export_policy: "PEER-OUT".into(),
        max_prefix: Some(100),
        session_type: SessionType::Peer,
    })
    .unwrap()
}

/// One exchange (192.0.2.0/24, 2001:db8:1::/64), one router on it, a v4 and a v6 peer group.
pub struct World {
    pub ix: Exchange,
    pub router: Router,
    pub pg4: PeerGroup,
    pub pg6: PeerGroup,
}

pub fn world(core: &Peerdesk) -> World {
    let ix = exchange(core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let router = core
        .add_router(&new_router(
            "edge1",
            vec![attach(&ix, "192.0.2.1", "2001:db8:1::1")],
        ))
        .unwrap();
    let pg4 = peer_group(core, &router, "IX-V4", AddressFamily::Ipv4);
    let pg6 = peer_group(core, &router, "IX-V6", AddressFamily::Ipv6);
    World {
        ix,
        router,
        pg4,
        pg6,
    }
}

pub fn new_session(w: &World, asn: &str, v4: Option<&str>, v6: Option<&str>) -> NewSession {
    NewSession {
        session_type: SessionType::Peer,
        exchange_id: Some(w.ix.id),
        router_id: w.router.id,
        asn: asn.into(),
        peer_name: "Example Peer".into(),
        as_set: "AS64500:AS-EXAMPLE".into(),
        peer_ipv4: v4.map(str::to_string),
        peer_group_v4: Some(w.pg4.id),
        peer_ipv6: v6.map(str::to_string),
        peer_group_v6: Some(w.pg6.id),
        md5_password: None,
        notes: String::new(),
    }
}

/// Every row of every inventory table, to prove a refused operation wrote nothing.
pub fn snapshot(core: &Peerdesk) -> String {
    let inv = core.inventory().unwrap();
    let audit = core.list_audit(&Default::default()).unwrap().len();
    format!(
        "{}|{}|{}|{}|{}|{}|audit={audit}",
        serde_json::to_string(&inv.settings).unwrap(),
        serde_json::to_string(&inv.exchanges).unwrap(),
        serde_json::to_string(&inv.routers).unwrap(),
        serde_json::to_string(&inv.peer_groups).unwrap(),
        serde_json::to_string(&inv.networks).unwrap(),
        serde_json::to_string(&inv.sessions).unwrap(),
    )
}

/// The database file and its WAL, as bytes, to search for leaked secrets.
pub fn db_bytes(f: &Fixture) -> Vec<u8> {
    let mut bytes = std::fs::read(&f.db_path).unwrap_or_default();
    let wal = f.db_path.with_extension("db-wal");
    bytes.extend(std::fs::read(wal).unwrap_or_default());
    bytes
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}
