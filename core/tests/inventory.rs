//! Inventory export/import, CSV export and the demo data.

mod common;

use common::*;
use peerdesk_core::peering::SessionFilter;
use peerdesk_core::ErrorKind;

#[test]
fn export_then_import_into_a_fresh_database_loses_nothing() {
    let a = core();
    a.core.load_demo_data().unwrap();
    let w_ix = a.core.list_exchanges().unwrap()[0]
        .exchange
        .clone()
        .unwrap();
    let _ = w_ix;
    let file = a.db_path.with_file_name("inventory.json");
    let written = a.core.export_inventory(&file).unwrap();
    let before = a.core.inventory().unwrap();

    let b = core();
    let read = b.core.import_inventory(&file).unwrap();
    assert_eq!(written, read);
    let after = b.core.inventory().unwrap();
    assert_eq!(after.settings, before.settings);
    assert_eq!(after.exchanges, before.exchanges);
    assert_eq!(after.routers, before.routers);
    assert_eq!(after.peer_groups, before.peer_groups);
    assert_eq!(after.networks, before.networks);
    assert_eq!(after.sessions, before.sessions);
    assert!(!after.sessions.is_empty());
}

#[test]
fn exports_carry_key_names_but_never_secret_values() {
    let f = core();
    let w = world(&f.core);
    let mut s = new_session(&w, "64500", Some("192.0.2.10"), None);
    s.md5_password = Some("Export-Md5-Secret".into());
    f.core.add_session(&s).unwrap();
    let file = f.db_path.with_file_name("inventory.json");
    f.core.export_inventory(&file).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("Export-Md5-Secret"));
    assert!(
        text.contains("session/"),
        "the key name travels only as a marker that a secret was set: import drops it and asks for the secret again"
    );
}

#[test]
fn a_foreign_or_broken_file_is_refused_and_changes_nothing() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap();
    let before = snapshot(&f.core);
    let good = f.db_path.with_file_name("good.json");
    f.core.export_inventory(&good).unwrap();
    let good_text = std::fs::read_to_string(&good).unwrap();

    let cases = [
        (
            "foreign.json",
            r#"{"name":"something else","items":[1,2,3]}"#.to_string(),
        ),
        (
            "truncated.json",
            good_text[..good_text.len() / 2].to_string(),
        ),
        (
            "format.json",
            good_text.replace("peerdesk-inventory", "other-tool"),
        ),
        (
            "version.json",
            good_text.replace("\"version\": 1", "\"version\": 99"),
        ),
        ("badip.json", good_text.replace("192.0.2.10", "192.0.2.999")),
        (
            "newline.json",
            good_text.replace("\"Example Peer\"", "\"Example\\nneighbor 1.1.1.1\""),
        ),
        (
            "dangling.json",
            good_text.replace(
                &format!("\"routerId\": {}", w.router.id),
                "\"routerId\": 999",
            ),
        ),
    ];
    for (name, text) in cases {
        let path = f.db_path.with_file_name(name);
        std::fs::write(&path, text).unwrap();
        let e = f.core.import_inventory(&path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{name}: {e}");
        assert!(
            e.to_string().contains("not a valid Peerdesk inventory"),
            "{name}: {e}"
        );
        assert_eq!(snapshot(&f.core), before, "{name} changed nothing");
    }
    let missing = f
        .core
        .import_inventory(&f.db_path.with_file_name("missing.json"))
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Io);
}

#[test]
fn csv_export_writes_the_filtered_sessions_with_a_header() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(
            &w,
            "64500",
            Some("192.0.2.10"),
            Some("2001:db8:1::10"),
        ))
        .unwrap();
    let path = f.db_path.with_file_name("sessions.csv");
    let n = f
        .core
        .export_sessions_csv(
            &path,
            &SessionFilter {
                ip_version: Some(6),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(n, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("exchange,router,peer_group,asn,peer,peer_ip"));
    assert!(
        lines[1].contains("2001:db8:1::10") && lines[1].contains("64500"),
        "{}",
        lines[1]
    );
}

#[test]
fn demo_data_is_a_small_realistic_network_and_only_goes_into_an_empty_inventory() {
    let f = core();
    let c = f.core.load_demo_data().unwrap();
    assert_eq!((c.exchanges, c.routers, c.peer_groups), (3, 2, 4));
    assert!(
        (36..=48).contains(&c.sessions),
        "about 40 sessions, got {}",
        c.sessions
    );
    let sessions = f.core.list_sessions(&SessionFilter::default()).unwrap();
    let states: std::collections::BTreeSet<_> =
        sessions.iter().map(|s| s.config_state.as_str()).collect();
    assert!(states.len() >= 3, "sessions across states: {states:?}");
    assert!(
        sessions.iter().all(|s| s.asn >= 64496 && s.asn <= 65551),
        "documentation ASNs only"
    );
    assert_eq!(
        f.core.load_demo_data().unwrap_err().kind(),
        ErrorKind::Conflict
    );
}
