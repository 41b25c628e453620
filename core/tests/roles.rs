//! The Admin / Coordinator role and the Admin passphrase through the public API.

mod common;

use common::*;
use peerdesk_core::audit::AuditFilter;
use peerdesk_core::secrets::{NoKeyring, SecretStore};
use peerdesk_core::settings::{Role, ADMIN_PASSPHRASE_SECRET};
use peerdesk_core::ErrorKind;
use std::sync::Arc;

const PASS: &str = "correct horse battery";

/// A router on loopback at a port nobody listens on, so a gate that failed
/// open would show as `unreachable`, not `forbidden`.
fn loopback_router(f: &Fixture) -> peerdesk_core::devices::Router {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut r = new_router("edge-closed", vec![]);
    r.mgmt_address = "127.0.0.1".into();
    r.ssh_port = port.into();
    r.password = Some("router-password".into());
    f.core.add_router(&r).unwrap()
}

fn audit_text(f: &Fixture) -> String {
    serde_json::to_string(&f.core.list_audit(&AuditFilter::default()).unwrap()).unwrap()
}

#[test]
fn a_new_database_starts_as_admin_without_a_passphrase() {
    let f = core();
    let s = f.core.get_role().unwrap();
    assert_eq!(s.role, Role::Admin);
    assert!(!s.passphrase_set);
    f.core.require_admin("Data Import").unwrap();
}

#[test]
fn switching_roles_without_a_passphrase_is_allowed_audited_and_kept_across_reopening() {
    let f = core();
    let s = f.core.switch_role(Role::Coordinator, None).unwrap();
    assert_eq!(s.role, Role::Coordinator);
    let err = f.core.require_admin("Data Import").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(err.to_string().contains("Data Import"), "{err}");
    drop(f.core);
    let reopened =
        peerdesk_core::Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    assert_eq!(reopened.get_role().unwrap().role, Role::Coordinator);
    assert_eq!(
        reopened.switch_role(Role::Admin, None).unwrap().role,
        Role::Admin
    );
    let audit = reopened.list_audit(&AuditFilter::default()).unwrap();
    let summaries: Vec<&str> = audit.iter().map(|a| a.summary.as_str()).collect();
    assert!(
        summaries.contains(&"Role switched to Coordinator"),
        "{summaries:?}"
    );
    assert!(
        summaries.contains(&"Role switched to Admin"),
        "{summaries:?}"
    );
}

#[test]
fn switching_to_admin_needs_the_passphrase_once_one_is_set() {
    let f = core();
    f.core.set_admin_passphrase(None, PASS).unwrap();
    // Going to Coordinator never asks.
    f.core.switch_role(Role::Coordinator, None).unwrap();
    let before = snapshot(&f.core);

    let missing = f.core.switch_role(Role::Admin, None).unwrap_err();
    assert_eq!(
        (missing.kind(), missing.field()),
        (ErrorKind::Invalid, Some("passphrase"))
    );
    let wrong = f
        .core
        .switch_role(Role::Admin, Some("correct horse battery!"))
        .unwrap_err();
    assert_eq!(
        (wrong.kind(), wrong.field()),
        (ErrorKind::Invalid, Some("passphrase"))
    );
    assert_eq!(f.core.get_role().unwrap().role, Role::Coordinator);
    assert_eq!(snapshot(&f.core), before, "a refused switch writes nothing");

    let s = f.core.switch_role(Role::Admin, Some(PASS)).unwrap();
    assert_eq!(s.role, Role::Admin);
    assert!(s.passphrase_set);
}

#[test]
fn the_passphrase_is_kept_only_in_the_keyring() {
    let f = core();
    f.core.set_admin_passphrase(None, PASS).unwrap();
    f.core.switch_role(Role::Coordinator, None).unwrap();
    f.core.switch_role(Role::Admin, Some(PASS)).unwrap();
    assert_eq!(f.secrets.keys(), vec![ADMIN_PASSPHRASE_SECRET.to_string()]);
    assert_eq!(
        f.secrets
            .get(ADMIN_PASSPHRASE_SECRET)
            .unwrap()
            .unwrap()
            .expose(),
        PASS
    );
    assert!(
        !contains(&db_bytes(&f), PASS),
        "passphrase in the database file"
    );
    assert!(
        !audit_text(&f).contains(PASS),
        "passphrase in the audit log"
    );
    assert!(!serde_json::to_string(&f.core.get_role().unwrap())
        .unwrap()
        .contains(PASS));
}

#[test]
fn changing_or_clearing_the_passphrase_needs_the_current_one() {
    let f = core();
    f.core.set_admin_passphrase(None, PASS).unwrap();

    let err = f
        .core
        .set_admin_passphrase(None, "another one")
        .unwrap_err();
    assert_eq!(err.field(), Some("currentPassphrase"));
    let err = f
        .core
        .set_admin_passphrase(Some("not it at all"), "another one")
        .unwrap_err();
    assert_eq!(err.field(), Some("currentPassphrase"));
    let err = f.core.clear_admin_passphrase("not it at all").unwrap_err();
    assert_eq!(err.field(), Some("currentPassphrase"));
    assert_eq!(
        f.secrets
            .get(ADMIN_PASSPHRASE_SECRET)
            .unwrap()
            .unwrap()
            .expose(),
        PASS,
        "refused changes leave the keyring alone"
    );

    let short = f.core.set_admin_passphrase(Some(PASS), "abc").unwrap_err();
    assert_eq!(short.field(), Some("newPassphrase"));

    f.core
        .set_admin_passphrase(Some(PASS), "another one")
        .unwrap();
    f.core.switch_role(Role::Coordinator, None).unwrap();
    assert!(f.core.switch_role(Role::Admin, Some(PASS)).is_err());
    f.core
        .switch_role(Role::Admin, Some("another one"))
        .unwrap();

    let s = f.core.clear_admin_passphrase("another one").unwrap();
    assert!(!s.passphrase_set);
    assert!(f.secrets.keys().is_empty());
    f.core.switch_role(Role::Coordinator, None).unwrap();
    assert_eq!(
        f.core.switch_role(Role::Admin, None).unwrap().role,
        Role::Admin
    );
    let audit = audit_text(&f);
    assert!(audit.contains("Admin passphrase set"));
    assert!(audit.contains("Admin passphrase changed"));
    assert!(audit.contains("Admin passphrase cleared"));
}

#[test]
fn only_an_admin_can_set_or_clear_the_passphrase() {
    let f = core();
    f.core.switch_role(Role::Coordinator, None).unwrap();
    let err = f.core.set_admin_passphrase(None, PASS).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(f.secrets.keys().is_empty());
    assert!(!f.core.get_role().unwrap().passphrase_set);
    assert_eq!(
        f.core.clear_admin_passphrase(PASS).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
}

#[test]
fn without_a_keyring_setting_a_passphrase_fails_and_roles_still_switch() {
    let f = core_with(Some(Arc::new(NoKeyring("no Secret Service".into()))));
    let err = f.core.set_admin_passphrase(None, PASS).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KeyringUnavailable);
    assert!(!f.core.get_role().unwrap().passphrase_set);
    f.core.switch_role(Role::Coordinator, None).unwrap();
    assert_eq!(
        f.core.switch_role(Role::Admin, None).unwrap().role,
        Role::Admin
    );
}

#[test]
fn a_coordinator_cannot_scan_or_import_router_sessions() {
    let f = core();
    let router = loopback_router(&f);
    f.core.switch_role(Role::Coordinator, None).unwrap();
    let before = snapshot(&f.core);
    assert_eq!(
        f.core.scan_router_sessions(router.id).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(
        f.core
            .import_sessions(router.id, &["192.0.2.10".into()])
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(snapshot(&f.core), before);
    // As Admin the same call goes to the router (and finds nobody listening).
    f.core.switch_role(Role::Admin, None).unwrap();
    assert_eq!(
        f.core.scan_router_sessions(router.id).unwrap_err().kind(),
        ErrorKind::Unreachable
    );
}

#[test]
fn a_coordinator_reads_and_previews_templates_but_cannot_change_them() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap();
    let body = "Subject: Peering with AS{{ peer.asn }}\nHello {{ peer.name }}\n";
    f.core.save_template("email/request", body).unwrap();
    let rev = f.core.template_revisions("email/request").unwrap()[0].id;
    f.core.switch_role(Role::Coordinator, None).unwrap();

    assert_eq!(f.core.get_template("email/request").unwrap().body, body);
    assert!(!f.core.list_templates().unwrap().is_empty());
    assert!(f
        .core
        .preview_email_template("email/request", body, 64500)
        .unwrap()
        .contains("Peering with AS64500"));

    let kind = |r: peerdesk_core::Result<peerdesk_core::templating::Template>| {
        r.map(|_| ()).unwrap_err().kind()
    };
    assert_eq!(
        kind(f.core.save_template("email/request", "Subject: x\ny\n")),
        ErrorKind::Forbidden
    );
    assert_eq!(
        kind(f.core.revert_template("email/request", rev)),
        ErrorKind::Forbidden
    );
    assert_eq!(
        kind(f.core.reset_template("email/request")),
        ErrorKind::Forbidden
    );
    assert_eq!(f.core.get_template("email/request").unwrap().body, body);
    assert_eq!(f.core.template_revisions("email/request").unwrap().len(), 1);
}
