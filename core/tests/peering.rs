//! Exchanges, peer groups, networks and sessions through the public API.

mod common;

use common::*;
use peerdesk_core::peering::{
    AdminState, ConfigState, NewExchange, SessionChanges, SessionFilter, SessionType,
};
use peerdesk_core::secrets::NoKeyring;
use peerdesk_core::ErrorKind;
use std::sync::Arc;

#[test]
fn add_session_creates_one_session_per_address_and_a_local_peer_network() {
    let f = core();
    let w = world(&f.core);
    let created = f
        .core
        .add_session(&new_session(
            &w,
            "AS64500",
            Some("192.0.2.10"),
            Some("2001:DB8:1::A"),
        ))
        .unwrap();
    assert_eq!(created.len(), 2, "one session per address family given");
    assert_eq!(created[0].peer_ip, "192.0.2.10");
    assert_eq!(
        created[1].peer_ip, "2001:db8:1::a",
        "IPv6 is stored in canonical form"
    );
    assert_eq!(created[0].ip_version, 4);
    assert_eq!(created[1].peer_group_name.as_deref(), Some("IX-V6"));
    assert_eq!(created[0].config_state, ConfigState::NotConfigured);
    assert_eq!(created[0].admin_state, AdminState::Up);
    let nets = f.core.list_networks().unwrap();
    assert_eq!(nets.len(), 1);
    assert_eq!(
        (nets[0].asn, nets[0].local_peer, nets[0].session_count),
        (64500, true, 2)
    );
}

#[test]
fn a_second_session_with_a_known_asn_reuses_its_network() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap();
    let mut again = new_session(&w, "64500", None, Some("2001:db8:1::10"));
    again.peer_name = String::new();
    f.core.add_session(&again).unwrap();
    assert_eq!(f.core.list_networks().unwrap().len(), 1);
}

#[test]
fn asn_zero_and_as_trans_are_refused_on_the_asn_field_and_nothing_is_written() {
    let f = core();
    let w = world(&f.core);
    let before = snapshot(&f.core);
    for asn in ["0", "23456", "4294967295", "AS-X", ""] {
        let e = f
            .core
            .add_session(&new_session(&w, asn, Some("192.0.2.10"), None))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{asn}");
        assert_eq!(e.field(), Some("asn"), "{asn}");
    }
    assert_eq!(snapshot(&f.core), before);
}

#[test]
fn a_peer_ip_outside_the_exchange_lan_is_refused_on_its_field_and_nothing_is_written() {
    let f = core();
    let w = world(&f.core);
    let before = snapshot(&f.core);
    let e = f
        .core
        .add_session(&new_session(&w, "64500", Some("198.51.100.7"), None))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Invalid, Some("peerIpv4"))
    );
    assert!(
        e.to_string()
            .contains("outside Example IX's LAN 192.0.2.0/24"),
        "{e}"
    );
    let e = f
        .core
        .add_session(&new_session(
            &w,
            "64500",
            Some("192.0.2.9"),
            Some("2001:db8:2::1"),
        ))
        .unwrap_err();
    assert_eq!(e.field(), Some("peerIpv6"));
    assert_eq!(
        snapshot(&f.core),
        before,
        "the valid IPv4 half was not written either"
    );
}

#[test]
fn a_duplicate_router_and_peer_ip_is_a_conflict_and_nothing_is_written() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap();
    let before = snapshot(&f.core);
    let e = f
        .core
        .add_session(&new_session(&w, "64501", Some("192.0.2.10"), None))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Conflict, Some("peerIpv4"))
    );
    assert_eq!(
        snapshot(&f.core),
        before,
        "the new network AS64501 was not created either"
    );
}

#[test]
fn the_peer_group_must_be_of_the_address_family_and_router_of_the_session() {
    let f = core();
    let w = world(&f.core);
    let mut s = new_session(&w, "64500", Some("192.0.2.10"), None);
    s.peer_group_v4 = Some(w.pg6.id);
    let e = f.core.add_session(&s).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("IPv6"), "{e}");

    let other = f
        .core
        .add_router(&new_router(
            "edge2",
            vec![attach(&w.ix, "192.0.2.2", "2001:db8:1::2")],
        ))
        .unwrap();
    let mut s = new_session(&w, "64500", Some("192.0.2.10"), None);
    s.router_id = other.id;
    let e = f.core.add_session(&s).unwrap_err();
    assert_eq!(e.field(), Some("peerGroup"), "{e}");
}

#[test]
fn a_router_not_attached_to_the_exchange_cannot_hold_its_sessions() {
    let f = core();
    let w = world(&f.core);
    let lonely = f.core.add_router(&new_router("edge9", vec![])).unwrap();
    let mut s = new_session(&w, "64500", Some("192.0.2.10"), None);
    s.router_id = lonely.id;
    s.peer_group_v4 = None;
    let e = f.core.add_session(&s).unwrap_err();
    assert_eq!(e.field(), Some("routerId"));
}

#[test]
fn no_exchange_sessions_skip_the_lan_check_and_show_as_no_exchange() {
    let f = core();
    let w = world(&f.core);
    let mut s = new_session(&w, "64510", Some("203.0.113.5"), None);
    s.exchange_id = None;
    s.session_type = SessionType::Transit;
    f.core.add_session(&s).unwrap();
    let summaries = f.core.list_exchanges().unwrap();
    let none = summaries
        .iter()
        .find(|x| x.exchange.is_none())
        .expect("a No Exchange row");
    assert_eq!(none.sessions, 1);
    let listed = f
        .core
        .list_sessions(&SessionFilter {
            no_exchange: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].exchange_name, None);
}

#[test]
fn the_md5_password_is_kept_in_the_secret_store_only() {
    let f = core();
    let w = world(&f.core);
    let mut s = new_session(&w, "64500", Some("192.0.2.10"), None);
    s.md5_password = Some("Md5-Very-Secret-77".into());
    let created = f.core.add_session(&s).unwrap();
    let key = created[0]
        .md5_ref
        .clone()
        .expect("a keyring reference is stored");
    assert_eq!(f.secrets.keys(), vec![key.clone()]);
    let bytes = db_bytes(&f);
    assert!(
        !contains(&bytes, "Md5-Very-Secret-77"),
        "the database file never holds the password"
    );
    let audit = serde_json::to_string(
        &f.core
            .list_audit(&Default::default())
            .unwrap()
            .iter()
            .map(|a| (&a.old_value, &a.new_value))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(!audit.contains("Md5-Very-Secret-77"));
    f.core.delete_session(created[0].id).unwrap();
    assert!(
        f.secrets.keys().is_empty(),
        "deleting the session removes its secret"
    );
}

#[test]
fn without_a_keyring_sessions_without_secrets_still_work_and_secrets_are_refused_cleanly() {
    let f = core_with(Some(Arc::new(NoKeyring("no D-Bus session".into()))));
    let w = world(&f.core);
    let before = snapshot(&f.core);
    let mut s = new_session(&w, "64500", Some("192.0.2.10"), None);
    s.md5_password = Some("secret".into());
    let e = f.core.add_session(&s).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyringUnavailable);
    assert_eq!(snapshot(&f.core), before);
    s.md5_password = None;
    assert_eq!(f.core.add_session(&s).unwrap().len(), 1);
    assert!(!f.core.keyring_status().available);
}

#[test]
fn the_sessions_filter_narrows_by_text_asn_ip_version_type_and_state() {
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
    let mut other = new_session(&w, "64501", Some("192.0.2.11"), None);
    other.peer_name = "Other Networks".into();
    other.session_type = SessionType::RouteServer;
    f.core.add_session(&other).unwrap();
    let count = |filter: SessionFilter| f.core.list_sessions(&filter).unwrap().len();
    assert_eq!(count(SessionFilter::default()), 3);
    assert_eq!(
        count(SessionFilter {
            text: Some("other".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        count(SessionFilter {
            text: Some("AS64500".into()),
            ..Default::default()
        }),
        2
    );
    assert_eq!(
        count(SessionFilter {
            text: Some("192.0.2.1".into()),
            ..Default::default()
        }),
        2
    );
    assert_eq!(
        count(SessionFilter {
            text: Some("100%".into()),
            ..Default::default()
        }),
        0,
        "LIKE wildcards are literal"
    );
    assert_eq!(
        count(SessionFilter {
            ip_version: Some(6),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        count(SessionFilter {
            session_type: Some(SessionType::RouteServer),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        count(SessionFilter {
            config_state: Some(ConfigState::NotConfigured),
            ..Default::default()
        }),
        3
    );
    assert_eq!(
        count(SessionFilter {
            exchange_id: Some(w.ix.id),
            ip_version: Some(4),
            ..Default::default()
        }),
        2
    );
}

#[test]
fn editing_a_session_checks_the_new_address_like_adding_does() {
    let f = core();
    let w = world(&f.core);
    let a = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap()
        .remove(0);
    f.core
        .add_session(&new_session(&w, "64501", Some("192.0.2.11"), None))
        .unwrap();
    let change = |ip: &str| SessionChanges {
        session_type: SessionType::Peer,
        peer_group_id: Some(w.pg4.id),
        peer_ip: ip.into(),
        admin_state: AdminState::Down,
        md5_password: None,
        clear_md5: false,
        notes: "moved".into(),
    };
    assert_eq!(
        f.core
            .update_session(a.id, &change("192.0.2.11"))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    assert_eq!(
        f.core
            .update_session(a.id, &change("198.51.100.1"))
            .unwrap_err()
            .field(),
        Some("peerIp")
    );
    let s = f.core.update_session(a.id, &change("192.0.2.12")).unwrap();
    assert_eq!(
        (s.peer_ip.as_str(), s.admin_state, s.notes.as_str()),
        ("192.0.2.12", AdminState::Down, "moved")
    );
    let same = f.core.update_session(a.id, &change("192.0.2.12")).unwrap();
    assert_eq!(
        same.peer_ip, "192.0.2.12",
        "keeping its own address is not a conflict"
    );
}

#[test]
fn exchange_summaries_count_sessions_and_list_attached_routers() {
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
    let s = f.core.list_exchanges().unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].router_names, vec!["edge1".to_string()]);
    assert_eq!(
        (s[0].sessions, s[0].not_configured, s[0].established),
        (2, 2, 0)
    );
}

#[test]
fn an_exchange_lan_cannot_shrink_away_from_its_sessions_and_an_exchange_in_use_cannot_go() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.200"), None))
        .unwrap();
    let narrowed = NewExchange {
        name: "Example IX".into(),
        city: String::new(),
        country: String::new(),
        peeringdb_ix_id: None,
        peeringdb_ixlan_id: None,
        prefix_v4: Some("192.0.2.0/25".into()),
        prefix_v6: Some("2001:db8:1::/64".into()),
    };
    let e = f.core.update_exchange(w.ix.id, &narrowed).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Conflict, Some("prefixV4"))
    );
    assert_eq!(
        f.core.list_exchanges().unwrap()[0]
            .exchange
            .as_ref()
            .unwrap()
            .prefix_v4
            .as_deref(),
        Some("192.0.2.0/24")
    );
    assert_eq!(
        f.core.delete_exchange(w.ix.id).unwrap_err().kind(),
        ErrorKind::Conflict
    );
}

#[test]
fn exchange_input_is_validated_per_field() {
    let f = core();
    let mut ex = NewExchange {
        name: "IX".into(),
        city: String::new(),
        country: "Germany".into(),
        peeringdb_ix_id: None,
        peeringdb_ixlan_id: None,
        prefix_v4: None,
        prefix_v6: None,
    };
    assert_eq!(
        f.core.add_exchange(&ex).unwrap_err().field(),
        Some("country")
    );
    ex.country = "de".into();
    ex.prefix_v4 = Some("2001:db8::/32".into());
    assert_eq!(
        f.core.add_exchange(&ex).unwrap_err().field(),
        Some("prefixV4")
    );
    ex.prefix_v4 = Some("192.0.2.0/24".into());
    assert_eq!(f.core.add_exchange(&ex).unwrap().country, "DE");
    assert_eq!(
        f.core.add_exchange(&ex).unwrap_err().kind(),
        ErrorKind::Conflict,
        "names are unique"
    );
}

#[test]
fn peer_groups_in_use_keep_their_router_and_cannot_be_deleted() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap();
    assert_eq!(
        f.core.delete_peer_group(w.pg4.id).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    f.core.delete_peer_group(w.pg6.id).unwrap();
    assert_eq!(f.core.list_peer_groups().unwrap().len(), 1);
}

#[test]
fn peer_group_names_and_policies_cannot_carry_router_syntax() {
    let f = core();
    let w = world(&f.core);
    let mut g = peerdesk_core::peering::NewPeerGroup {
        router_id: Some(w.router.id),
        name: "IX;shutdown".into(),
        exchange_id: None,
        family: peerdesk_core::values::AddressFamily::Ipv4,
        import_policy: String::new(),
        export_policy: String::new(),
        max_prefix: None,
        session_type: SessionType::Peer,
    };
    assert_eq!(f.core.add_peer_group(&g).unwrap_err().field(), Some("name"));
    g.name = "IX-V4".into();
    assert_eq!(
        f.core.add_peer_group(&g).unwrap_err().kind(),
        ErrorKind::Conflict,
        "unique per router"
    );
    g.name = "IX-OK".into();
    g.import_policy = "IN\nneighbor".into();
    assert_eq!(
        f.core.add_peer_group(&g).unwrap_err().field(),
        Some("importPolicy")
    );
}

#[test]
fn a_sessions_page_is_a_window_of_the_full_filtered_list_with_its_total() {
    let f = core();
    peerdesk_core::peering::seed_large(&f.core, 500).unwrap();
    let all = f.core.list_sessions(&SessionFilter::default()).unwrap();
    let req = |offset, limit, text: Option<&str>| peerdesk_core::peering::SessionPageRequest {
        filter: SessionFilter {
            text: text.map(str::to_string),
            ..Default::default()
        },
        sort: None,
        descending: false,
        offset,
        limit,
    };
    let page = f.core.list_sessions_page(&req(200, 50, None)).unwrap();
    assert_eq!(page.total, 500);
    let ids: Vec<i64> = page.rows.iter().map(|s| s.id).collect();
    let expected: Vec<i64> = all[200..250].iter().map(|s| s.id).collect();
    assert_eq!(
        ids, expected,
        "the page is exactly that window of the list, in the list's order"
    );
    let filtered = f
        .core
        .list_sessions_page(&req(0, 1000, Some("Network 19")))
        .unwrap();
    let by_list = f
        .core
        .list_sessions(&SessionFilter {
            text: Some("Network 19".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(filtered.total as usize, by_list.len());
    assert_eq!(filtered.rows.len(), by_list.len());
    let mut sorted = req(0, 5, None);
    sorted.sort = Some(peerdesk_core::peering::SessionSort::Peer);
    sorted.descending = true;
    let top = f.core.list_sessions_page(&sorted).unwrap();
    let mut names: Vec<String> = all.iter().map(|s| s.network_name.to_lowercase()).collect();
    names.sort();
    assert_eq!(
        top.rows[0].network_name.to_lowercase(),
        *names.last().unwrap(),
        "descending by peer name"
    );
}
