//! Routers and their exchange attachments through the public API.

mod common;

use common::*;
use peerdesk_core::devices::{AuthMethod, RouterChanges};
use peerdesk_core::peering::{NewPeerGroup, SessionType};
use peerdesk_core::values::AddressFamily;
use peerdesk_core::ErrorKind;

fn inline_group(name: &str) -> NewPeerGroup {
    NewPeerGroup {
        router_id: None,
        name: name.into(),
        exchange_id: None,
        family: AddressFamily::Ipv4,
        import_policy: "PEER-IN".into(),
        export_policy: "PEER-OUT".into(),
        max_prefix: Some(500),
        session_type: SessionType::Peer,
    }
}

#[test]
fn add_router_can_create_its_first_peer_group_in_the_same_step() {
    let f = core();
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let mut r = new_router("edge1", vec![attach(&ix, "192.0.2.1", "2001:db8:1::1")]);
    r.new_peer_group = Some(inline_group("IX-PEERS-V4"));
    let router = f.core.add_router(&r).unwrap();
    assert_eq!(router.attachments.len(), 1);
    assert_eq!(router.attachments[0].ipv4.as_deref(), Some("192.0.2.1"));
    let groups = f.core.list_peer_groups().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (groups[0].router_id, groups[0].name.as_str()),
        (router.id, "IX-PEERS-V4")
    );
}

#[test]
fn a_bad_inline_peer_group_leaves_no_router_behind() {
    let f = core();
    let before = snapshot(&f.core);
    let mut r = new_router("edge1", vec![]);
    r.password = Some("ssh-secret".into());
    r.new_peer_group = Some(inline_group("bad name"));
    let e = f.core.add_router(&r).unwrap_err();
    assert_eq!(
        e.field(),
        Some("newPeerGroup.name"),
        "not the router's own name field"
    );
    assert_eq!(snapshot(&f.core), before);
    assert!(
        f.secrets.keys().is_empty(),
        "the password written before the failure was removed"
    );
}

#[test]
fn the_router_password_lives_in_the_secret_store_and_never_in_the_database() {
    let f = core();
    let mut r = new_router("edge1", vec![]);
    r.password = Some("Router-Pass-Very-Secret".into());
    let router = f.core.add_router(&r).unwrap();
    let key = router.credential_ref.clone().unwrap();
    assert_eq!(f.secrets.keys(), vec![key]);
    assert!(!contains(&db_bytes(&f), "Router-Pass-Very-Secret"));
    assert!(!serde_json::to_string(&router)
        .unwrap()
        .contains("Router-Pass-Very-Secret"));

    let changes = RouterChanges {
        name: "edge1".into(),
        mgmt_address: "rtr1.example.net".into(),
        ssh_port: 2222,
        platform: router.platform,
        username: "peerdesk".into(),
        auth_method: AuthMethod::Password,
        password: None,
        clear_credential: false,
        ssh_key_path: None,
        local_asn: "64496".into(),
        notes: String::new(),
        control_command: None,
        config_dir: None,
        attachments: vec![],
    };
    let kept = f.core.update_router(router.id, &changes).unwrap();
    assert_eq!(
        kept.credential_ref, router.credential_ref,
        "an empty password keeps the stored one"
    );
    let cleared = f
        .core
        .update_router(
            router.id,
            &RouterChanges {
                clear_credential: true,
                ..changes
            },
        )
        .unwrap();
    assert_eq!(cleared.credential_ref, None);
    assert!(f.secrets.keys().is_empty());
}

#[test]
fn router_fields_are_validated_with_the_field_named() {
    let f = core();
    type Mutation = Box<dyn Fn(&mut peerdesk_core::devices::NewRouter)>;
    let cases: Vec<(Mutation, &str)> = vec![
        (Box::new(|r| r.name = " ".into()), "name"),
        (
            Box::new(|r| r.mgmt_address = "rtr;reload".into()),
            "mgmtAddress",
        ),
        (Box::new(|r| r.ssh_port = 0), "sshPort"),
        (Box::new(|r| r.ssh_port = 70000), "sshPort"),
        (Box::new(|r| r.local_asn = "23456".into()), "localAsn"),
        (Box::new(|r| r.auth_method = AuthMethod::Key), "sshKeyPath"),
    ];
    for (mutate, field) in cases {
        let mut r = new_router("edge1", vec![]);
        mutate(&mut r);
        let e = f.core.add_router(&r).unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::Invalid, Some(field)));
    }
    assert!(f.core.list_routers().unwrap().is_empty());
}

#[test]
fn router_names_are_unique_and_lan_addresses_must_be_on_the_lan() {
    let f = core();
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    f.core.add_router(&new_router("edge1", vec![])).unwrap();
    assert_eq!(
        f.core
            .add_router(&new_router("edge1", vec![]))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    let e = f
        .core
        .add_router(&new_router(
            "edge2",
            vec![attach(&ix, "198.51.100.1", "2001:db8:1::2")],
        ))
        .unwrap_err();
    assert_eq!(e.field(), Some("attachments.ipv4"));
}

#[test]
fn a_router_with_sessions_cannot_be_deleted_or_detached_but_an_idle_one_goes_with_its_groups() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap();
    assert_eq!(
        f.core.delete_router(w.router.id).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    let detach = RouterChanges {
        name: "edge1".into(),
        mgmt_address: "192.0.2.250".into(),
        ssh_port: 22,
        platform: w.router.platform,
        username: "peerdesk".into(),
        auth_method: AuthMethod::Password,
        password: None,
        clear_credential: false,
        ssh_key_path: None,
        local_asn: "64496".into(),
        notes: String::new(),
        control_command: None,
        config_dir: None,
        attachments: vec![],
    };
    assert_eq!(
        f.core
            .update_router(w.router.id, &detach)
            .unwrap_err()
            .field(),
        Some("attachments")
    );

    let idle = f.core.add_router(&new_router("edge2", vec![])).unwrap();
    peer_group(&f.core, &idle, "G", AddressFamily::Ipv4);
    f.core.delete_router(idle.id).unwrap();
    assert!(f
        .core
        .list_peer_groups()
        .unwrap()
        .iter()
        .all(|g| g.router_id != idle.id));
}
