//! Settings and the audit log through the public API.

mod common;

use common::*;
use peerdesk_core::audit::{AuditAction, AuditFilter};
use peerdesk_core::settings::SettingsChanges;
use peerdesk_core::ErrorKind;

fn changes(asns: &[&str], email: &str) -> SettingsChanges {
    SettingsChanges {
        own_asns: asns.iter().map(|s| s.to_string()).collect(),
        org_name: "Example Networks".into(),
        coordinator_name: "Alex Example".into(),
        coordinator_email: email.into(),
        peeringdb_url: None,
        max_prefix_extra: None,
        max_prefix_factor: None,
    }
}

#[test]
fn settings_round_trip_and_persist_across_reopening() {
    let f = core();
    let s = f
        .core
        .update_settings(&changes(&["AS64496", "65551"], "peering@example.net"))
        .unwrap();
    assert_eq!(s.own_asns, vec![64496, 65551]);
    drop(f.core);
    let reopened =
        peerdesk_core::Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    assert_eq!(reopened.get_settings().unwrap(), s);
}

#[test]
fn bad_settings_are_refused_per_field() {
    let f = core();
    let before = f.core.get_settings().unwrap();
    assert_eq!(
        f.core
            .update_settings(&changes(&["64496", "64496"], ""))
            .unwrap_err()
            .field(),
        Some("ownAsns")
    );
    assert_eq!(
        f.core
            .update_settings(&changes(&["0"], ""))
            .unwrap_err()
            .field(),
        Some("ownAsns")
    );
    assert_eq!(
        f.core
            .update_settings(&changes(&[], "not an email"))
            .unwrap_err()
            .field(),
        Some("coordinatorEmail")
    );
    assert_eq!(f.core.get_settings().unwrap(), before);
}

#[test]
fn check_asn_notes_documentation_and_private_asns() {
    let f = core();
    assert_eq!(
        f.core.check_asn("AS64500").unwrap().note.as_deref(),
        Some("documentation ASN (RFC 5398)")
    );
    assert_eq!(
        f.core.check_asn("4200000001").unwrap().note.as_deref(),
        Some("private ASN (RFC 6996)")
    );
    assert_eq!(
        f.core.check_asn("0").unwrap_err().kind(),
        ErrorKind::Invalid
    );
}

#[test]
fn every_change_is_in_the_audit_log_with_old_and_new_values() {
    let f = core();
    let w = world(&f.core);
    let s = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap()
        .remove(0);
    f.clock.advance(chrono::Duration::minutes(5));
    f.core.delete_session(s.id).unwrap();
    let all = f.core.list_audit(&AuditFilter::default()).unwrap();
    let newest = &all[0];
    assert_eq!(
        (newest.entity.as_str(), newest.action),
        ("session", AuditAction::Delete)
    );
    assert_eq!(
        newest.at, "2026-11-27T09:05:00.000Z",
        "time comes from the injected clock"
    );
    assert!(newest.old_value.as_deref().unwrap().contains("192.0.2.10"));
    assert!(newest.new_value.is_none());
    let sessions = f
        .core
        .list_audit(&AuditFilter {
            entity: Some("session".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(sessions.len(), 2, "create and delete");
    let routers = f
        .core
        .list_audit(&AuditFilter {
            text: Some("edge1".into()),
            action: Some(AuditAction::Create),
            ..Default::default()
        })
        .unwrap();
    assert!(routers.iter().any(|a| a.entity == "router"));
}

#[test]
fn the_peeringdb_url_defaults_to_peeringdb_and_only_takes_http_urls() {
    let f = core();
    assert_eq!(
        f.core.get_settings().unwrap().peeringdb_url,
        "https://www.peeringdb.com/api"
    );
    let mut c = changes(&[], "");
    c.peeringdb_url = Some("ftp://example.net/api".into());
    assert_eq!(
        f.core.update_settings(&c).unwrap_err().field(),
        Some("peeringdbUrl")
    );
    c.peeringdb_url = Some("http://127.0.0.1:8080/api/".into());
    assert_eq!(
        f.core.update_settings(&c).unwrap().peeringdb_url,
        "http://127.0.0.1:8080/api"
    );
    c.peeringdb_url = None;
    assert_eq!(
        f.core.update_settings(&c).unwrap().peeringdb_url,
        "http://127.0.0.1:8080/api",
        "absent keeps it"
    );
}

#[test]
fn max_prefix_headroom_is_a_setting_and_suggestions_follow_it() {
    let f = core();
    let s = f.core.get_settings().unwrap();
    assert_eq!((s.max_prefix_extra, s.max_prefix_factor), (100, 1.15));
    assert_eq!(
        f.core.suggest_max_prefix(64500).unwrap().v4,
        115,
        "unknown network: (0 + 100) x 1.15"
    );
    let mut c = changes(&[], "");
    c.max_prefix_factor = Some(0.5);
    assert_eq!(
        f.core.update_settings(&c).unwrap_err().field(),
        Some("maxPrefixFactor")
    );
    c.max_prefix_factor = Some(2.0);
    c.max_prefix_extra = Some(50);
    f.core.update_settings(&c).unwrap();
    assert_eq!(
        f.core.suggest_max_prefix(64500).unwrap().v4,
        100,
        "(0 + 50) x 2"
    );
}
