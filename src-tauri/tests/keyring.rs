//! The real OS keyring (Secret Service over D-Bus). `scripts/test.sh` runs these
//! inside a D-Bus session with an unlocked gnome-keyring and sets
//! PEERDESK_REQUIRE_KEYRING=1, so there they must pass; elsewhere, with no
//! keyring, they check that its absence is reported rather than panicking.

use peerdesk_app::keyring_store::KeyringStore;
use peerdesk_core::clock::SystemClock;
use peerdesk_core::devices::{AuthMethod, NewRouter, Platform};
use peerdesk_core::secrets::{Secret, SecretStore};
use peerdesk_core::Peerdesk;
use std::sync::Arc;

/// A keyring store under a service name of its own, so tests running in
/// parallel never see each other's entries.
fn store(test: &str) -> Option<KeyringStore> {
    let store = KeyringStore::new(format!("peerdesk-test-{test}-{}", std::process::id()));
    let status = store.status();
    if status.available {
        return Some(store);
    }
    assert!(
        std::env::var_os("PEERDESK_REQUIRE_KEYRING").is_none(),
        "a keyring is required here but is unavailable: {:?}",
        status.message
    );
    assert!(
        status.message.is_some(),
        "unavailability comes with a reason"
    );
    eprintln!(
        "no keyring in this environment; checked that it is reported: {:?}",
        status.message
    );
    None
}

#[test]
fn secrets_round_trip_through_the_os_keyring() {
    let Some(store) = store("roundtrip") else {
        return;
    };
    assert_eq!(
        store.get("router/1/credential").unwrap(),
        None,
        "missing is None, not an error"
    );
    store
        .set("router/1/credential", &Secret::new("kr-pass-1"))
        .unwrap();
    assert_eq!(
        store.get("router/1/credential").unwrap().unwrap().expose(),
        "kr-pass-1"
    );
    store
        .set("router/1/credential", &Secret::new("kr-pass-2"))
        .unwrap();
    assert_eq!(
        store.get("router/1/credential").unwrap().unwrap().expose(),
        "kr-pass-2",
        "set replaces"
    );
    store.delete("router/1/credential").unwrap();
    store.delete("router/1/credential").unwrap();
    assert_eq!(store.get("router/1/credential").unwrap(), None);
}

#[test]
fn a_router_password_goes_to_the_keyring_and_not_into_the_database_file() {
    let Some(store) = store("router") else { return };
    let store = Arc::new(store);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("peerdesk.db");
    let core = Peerdesk::open(&db, store.clone(), Arc::new(SystemClock)).unwrap();
    let router = core
        .add_router(&NewRouter {
            name: "edge1".into(),
            mgmt_address: "127.0.0.1".into(),
            ssh_port: 2201,
            platform: Platform::Frr,
            username: "peerdesk".into(),
            auth_method: AuthMethod::Password,
            password: Some("Keyring-Only-Pass".into()),
            ssh_key_path: None,
            local_asn: "64496".into(),
            notes: String::new(),
            control_command: None,
            config_dir: None,
            attachments: vec![],
            new_peer_group: None,
        })
        .unwrap();
    let key = router.credential_ref.clone().unwrap();
    assert_eq!(
        store.get(&key).unwrap().unwrap().expose(),
        "Keyring-Only-Pass"
    );
    drop(core);
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
    assert!(!bytes.windows(17).any(|w| w == b"Keyring-Only-Pass"));
    let core = Peerdesk::open(&db, store.clone(), Arc::new(SystemClock)).unwrap();
    core.delete_router(router.id).unwrap();
    assert_eq!(
        store.get(&key).unwrap(),
        None,
        "deleting the router removes its keyring entry"
    );
}
