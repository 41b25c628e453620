//! Answers to drift that need no router: "Mark removed" for a session the
//! router no longer has.

mod common;

use common::*;
use peerdesk_core::audit::AuditFilter;
use peerdesk_core::peering::ConfigState;
use peerdesk_core::ErrorKind;

fn configured_session(f: &Fixture) -> peerdesk_core::peering::Session {
    let w = world(&f.core);
    let s = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.100"), None))
        .unwrap()
        .remove(0);
    // As a push would have left it: configured, with a BGP state read.
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    conn.execute(
        "UPDATE sessions SET config_state = 'configured', bgp_state = 'idle',
         bgp_refreshed_at = '2026-11-27T08:00:00Z' WHERE id = ?1",
        [s.id],
    )
    .unwrap();
    f.core.get_session(s.id).unwrap()
}

#[test]
fn marking_a_session_removed_makes_it_not_configured_audited_and_changes_nothing_else() {
    let f = core();
    let before = configured_session(&f);
    assert_eq!(before.config_state, ConfigState::Configured);
    let audits_before = f.core.list_audit(&AuditFilter::default()).unwrap().len();

    let after = f.core.mark_session_removed(before.id).unwrap();

    assert_eq!(after.config_state, ConfigState::NotConfigured);
    assert_eq!(f.core.get_session(before.id).unwrap(), after);
    let mut expected = before.clone();
    expected.config_state = ConfigState::NotConfigured;
    assert_eq!(after, expected, "only the configuration state changes");

    let audit = f.core.list_audit(&AuditFilter::default()).unwrap();
    assert_eq!(audit.len(), audits_before + 1);
    let entry = &audit[0];
    assert_eq!(entry.entity, "session");
    assert_eq!(entry.entity_id, Some(before.id));
    assert!(entry.summary.contains("192.0.2.100"), "{}", entry.summary);
    assert!(
        entry.summary.contains("marked removed"),
        "{}",
        entry.summary
    );
    assert!(
        f.core.list_router_outbox(None).unwrap().is_empty(),
        "nothing is queued for the router"
    );
}

#[test]
fn marking_a_session_removed_twice_is_a_conflict_and_records_nothing() {
    let f = core();
    let s = configured_session(&f);
    f.core.mark_session_removed(s.id).unwrap();
    let audits = f.core.list_audit(&AuditFilter::default()).unwrap().len();
    let err = f.core.mark_session_removed(s.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.field(), Some("configState"));
    assert_eq!(
        f.core.list_audit(&AuditFilter::default()).unwrap().len(),
        audits
    );
    assert_eq!(
        f.core.mark_session_removed(999_999).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}
