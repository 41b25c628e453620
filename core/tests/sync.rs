//! The outbox and reachability with no router at all: changes queue, are
//! approved, edited, reordered and discarded offline; probes record last seen
//! and back off; an item a dead process left applying is interrupted at open.
//! Syncing with a real router is in sync_lab.rs.

mod common;

use chrono::Duration as Span;
use common::*;
use peerdesk_core::clock::stamp;
use peerdesk_core::clock::Clock;
use peerdesk_core::settings::SettingsChanges;
use peerdesk_core::sync::OutboxStatus;
use peerdesk_core::templating::config::ConfigOperation;
use peerdesk_core::templating::config::ConfigOverrides;
use peerdesk_core::ErrorKind;

fn name_coordinator(f: &Fixture, name: &str) {
    f.core
        .update_settings(&SettingsChanges {
            own_asns: vec!["64496".into()],
            org_name: "Example Networks".into(),
            coordinator_name: name.into(),
            coordinator_email: "noc@example.net".into(),
            peeringdb_url: None,
            max_prefix_extra: None,
            max_prefix_factor: None,
        })
        .unwrap();
}

#[test]
fn a_change_queues_with_no_network_and_waits_in_review() {
    let f = core();
    let w = world(&f.core);
    let s = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.100"), None))
        .unwrap()
        .remove(0);
    // The router's address (192.0.2.250) is never contacted: queueing renders only.
    let item = f
        .core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    assert_eq!(item.status, OutboxStatus::Review);
    assert_eq!(item.router_id, w.router.id);
    assert!(
        item.rendered
            .contains("neighbor 192.0.2.100 remote-as 64500"),
        "{}",
        item.rendered
    );
    assert_eq!(
        item.reviewed_current, None,
        "the router's lines are unknown until it is read"
    );
    assert!(item.approved_by.is_none() && item.approved_at.is_none());
    let listed = f.core.list_router_outbox(Some(w.router.id)).unwrap();
    assert_eq!(listed, vec![item]);
    assert_eq!(
        f.core.get_session(s.id).unwrap().config_state,
        peerdesk_core::peering::ConfigState::NotConfigured,
        "queueing changes nothing on the session"
    );
}

#[test]
fn approval_records_the_coordinator_and_the_time() {
    let f = core();
    let w = world(&f.core);
    name_coordinator(&f, "Alex Example");
    let s = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.100"), None))
        .unwrap()
        .remove(0);
    let item = f
        .core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    f.clock.advance(Span::minutes(5));
    let approved = f.core.approve_outbox_item(item.id).unwrap();
    assert_eq!(approved.status, OutboxStatus::Approved);
    assert_eq!(approved.approved_by.as_deref(), Some("Alex Example"));
    assert_eq!(
        approved.approved_at.as_deref(),
        Some(stamp(f.clock.now()).as_str())
    );
    let again = f.core.approve_outbox_item(item.id).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict, "{again}");
}

#[test]
fn editing_renders_again_and_sends_the_item_back_to_review() {
    let f = core();
    let w = world(&f.core);
    let s = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.100"), None))
        .unwrap()
        .remove(0);
    let item = f
        .core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    f.core.approve_outbox_item(item.id).unwrap();
    let edited = f
        .core
        .edit_outbox_item(
            item.id,
            &ConfigOverrides {
                max_prefix: Some(4321),
                ..ConfigOverrides::default()
            },
        )
        .unwrap();
    assert_eq!(edited.status, OutboxStatus::Review);
    assert!(
        edited.approved_by.is_none(),
        "the approval covered the old text"
    );
    assert!(edited.rendered.contains("4321"), "{}", edited.rendered);
    assert!(!item.rendered.contains("4321"));
    assert_eq!(edited.overrides.max_prefix, Some(4321));
    let bad = f
        .core
        .edit_outbox_item(
            item.id,
            &ConfigOverrides {
                extra_lines: Some("neighbor 192.0.2.100 description \u{7}bell".into()),
                ..ConfigOverrides::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        (bad.kind(), bad.field()),
        (ErrorKind::Invalid, Some("extraLines"))
    );
    assert_eq!(
        f.core.get_outbox_item(item.id).unwrap(),
        edited,
        "a refused edit leaves the item as it was"
    );
}

#[test]
fn items_are_reordered_among_their_routers_open_items() {
    let f = core();
    let w = world(&f.core);
    let ids: Vec<i64> = ["192.0.2.100", "192.0.2.101", "192.0.2.102"]
        .iter()
        .enumerate()
        .map(|(i, ip)| {
            let s = f
                .core
                .add_session(&new_session(&w, &format!("{}", 64500 + i), Some(ip), None))
                .unwrap()
                .remove(0);
            f.core
                .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
                .unwrap()
                .id
        })
        .collect();
    let order = |items: Vec<peerdesk_core::sync::OutboxItem>| -> Vec<i64> {
        items.into_iter().map(|i| i.id).collect()
    };
    let moved = f.core.reorder_outbox_item(ids[2], 0).unwrap();
    assert_eq!(order(moved), vec![ids[2], ids[0], ids[1]]);
    let moved = f.core.reorder_outbox_item(ids[2], 99).unwrap();
    assert_eq!(
        order(moved),
        vec![ids[0], ids[1], ids[2]],
        "an index past the end is the end"
    );
    f.core.discard_outbox_item(ids[0]).unwrap();
    assert_eq!(
        order(f.core.list_router_outbox(None).unwrap()),
        vec![ids[1], ids[2]],
        "a discarded item leaves the outbox"
    );
    let e = f.core.reorder_outbox_item(ids[0], 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let e = f.core.approve_outbox_item(ids[0]).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Conflict,
        "a discarded item stays discarded"
    );
}

#[test]
fn the_same_change_of_a_session_is_queued_once() {
    let f = core();
    let w = world(&f.core);
    let s = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.100"), None))
        .unwrap()
        .remove(0);
    f.core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    let e = f
        .core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    f.core
        .queue_change(s.id, ConfigOperation::Shutdown, &ConfigOverrides::default())
        .expect("another operation on the same session queues after it");
}

#[test]
fn md5_passwords_never_reach_the_outbox() {
    let f = core();
    let w = world(&f.core);
    let mut new = new_session(&w, "64500", Some("192.0.2.100"), None);
    new.md5_password = Some("Md5-Outbox-Secret".into());
    let s = f.core.add_session(&new).unwrap().remove(0);
    let item = f
        .core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    assert!(item.rendered.contains("********"), "{}", item.rendered);
    let json = serde_json::to_string(&f.core.list_router_outbox(None).unwrap()).unwrap();
    assert!(!json.contains("Md5-Outbox-Secret"));
    assert!(!contains(&db_bytes(&f), "Md5-Outbox-Secret"));
}

#[test]
fn probes_record_last_seen_and_back_off_while_the_router_is_down() {
    let f = core();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut new = new_router("edge1", vec![]);
    new.mgmt_address = "127.0.0.1".into();
    new.ssh_port = i64::from(port);
    let router = f.core.add_router(&new).unwrap();

    let never = f.core.router_reachability().unwrap();
    assert_eq!(never.len(), 1);
    assert_eq!(never[0].reachable, None, "never probed");

    let up = f.core.probe_router(router.id).unwrap();
    let seen = stamp(f.clock.now());
    assert_eq!(up.reachable, Some(true));
    assert_eq!(up.last_seen_at.as_deref(), Some(seen.as_str()));
    assert_eq!(
        up.next_probe_at,
        Some(stamp(f.clock.now() + Span::seconds(60)))
    );

    drop(listener);
    f.clock.advance(Span::minutes(1));
    let down = f.core.probe_router(router.id).unwrap();
    assert_eq!(down.reachable, Some(false));
    assert_eq!(down.failures, 1);
    assert_eq!(
        down.last_seen_at.as_deref(),
        Some(seen.as_str()),
        "last seen stays the last success"
    );
    assert_eq!(
        down.next_probe_at,
        Some(stamp(f.clock.now() + Span::seconds(5)))
    );
    assert!(!down.last_error.is_empty());
    let again = f.core.probe_router(router.id).unwrap();
    assert_eq!(again.failures, 2);
    assert_eq!(
        again.next_probe_at,
        Some(stamp(f.clock.now() + Span::seconds(10)))
    );
    assert!(
        f.core.probe_due_routers().unwrap().is_empty(),
        "not due again before its backoff passed"
    );
    f.clock.advance(Span::seconds(10));
    let due = f.core.probe_due_routers().unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].failures, 3);
}

#[test]
fn an_item_left_applying_by_a_dead_process_is_interrupted_at_open() {
    let f = core();
    let w = world(&f.core);
    let s = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.100"), None))
        .unwrap()
        .remove(0);
    let item = f
        .core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    // What a process killed mid-push leaves behind (the lab test gets there by a real push).
    {
        let conn = rusqlite::Connection::open(&f.db_path).unwrap();
        conn.execute(
            "UPDATE outbox_items SET status = 'applying' WHERE id = ?1",
            [item.id],
        )
        .unwrap();
    }
    let reopened =
        peerdesk_core::Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    assert_eq!(reopened.start_sync().unwrap(), vec![item.id]);
    let after = reopened.get_outbox_item(item.id).unwrap();
    assert_eq!(after.status, OutboxStatus::Interrupted);
    assert!(!after.last_error.is_empty());
    assert_eq!(
        reopened.start_sync().unwrap(),
        Vec::<i64>::new(),
        "only what was applying"
    );
    let e = reopened.approve_outbox_item(item.id).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Conflict,
        "an interrupted item is settled by reading the router, not approved again blindly"
    );
}

/// Refuses every login, counting the attempts.
#[derive(Default)]
struct RefusingConnector(std::sync::atomic::AtomicU32);

impl peerdesk_core::devices::transport::RouterConnector for RefusingConnector {
    fn connect(
        &self,
        _router: &peerdesk_core::devices::Router,
    ) -> peerdesk_core::Result<Box<dyn peerdesk_core::devices::transport::RouterTransport>> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(peerdesk_core::Error::AuthFailed(
            "the router refused the password".into(),
        ))
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_background_task_interrupts_probes_and_retries_a_failing_sync_on_the_backoff() {
    use peerdesk_core::events::CollectedEvents;
    use peerdesk_core::sync::{run_sync_loop, EVENT_REACHABILITY, EVENT_SYNC_FAILED};
    use std::sync::Arc;
    use std::time::Duration;

    let f = core();
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut new = new_router("edge1", vec![attach(&ix, "192.0.2.1", "2001:db8:1::1")]);
    new.mgmt_address = "127.0.0.1".into();
    new.ssh_port = i64::from(listener.local_addr().unwrap().port());
    let router = f.core.add_router(&new).unwrap();
    let s = peer_at_100(&f, &ix, &router);
    let item = f
        .core
        .queue_change(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    {
        let conn = rusqlite::Connection::open(&f.db_path).unwrap();
        conn.execute(
            "UPDATE outbox_items SET status = 'applying' WHERE id = ?1",
            [item.id],
        )
        .unwrap();
    }
    let core = Arc::new(
        peerdesk_core::Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap(),
    );
    let refusing = Arc::new(RefusingConnector::default());
    core.set_router_connector(refusing.clone());
    let events = Arc::new(CollectedEvents::default());
    let task = tokio::spawn(run_sync_loop(core.clone(), events.clone()));

    tokio::time::sleep(Duration::from_secs(31)).await;
    task.abort();
    assert_eq!(
        core.get_outbox_item(item.id).unwrap().status,
        OutboxStatus::Interrupted,
        "interrupted at start, and not settled: the router could not be read"
    );
    let seen = events.take();
    let reach: Vec<&serde_json::Value> = seen
        .iter()
        .filter(|(n, _)| n == EVENT_REACHABILITY)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(reach.len(), 1, "one change: never probed → reachable");
    assert_eq!(reach[0]["reachable"], true);
    let failed: Vec<&serde_json::Value> = seen
        .iter()
        .filter(|(n, _)| n == EVENT_SYNC_FAILED)
        .map(|(_, v)| v)
        .collect();
    assert!(
        failed.iter().all(|v| v["kind"] == "authFailed"),
        "{failed:?}"
    );
    // Ticks every 5 s; tries at 0 s, then 5 s and 10 s apart (at 5 s and 15 s),
    // not at every one of the seven ticks.
    assert_eq!(
        refusing.0.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "{failed:?}"
    );
    assert_eq!(failed.len(), 3);
}

/// One session with AS64500 at 192.0.2.100 on `router`, no peer group.
fn peer_at_100(
    f: &Fixture,
    ix: &peerdesk_core::peering::Exchange,
    router: &peerdesk_core::devices::Router,
) -> peerdesk_core::peering::Session {
    f.core
        .add_session(&peerdesk_core::peering::NewSession {
            session_type: peerdesk_core::peering::SessionType::Peer,
            exchange_id: Some(ix.id),
            router_id: router.id,
            asn: "64500".into(),
            peer_name: "Example Peer".into(),
            as_set: String::new(),
            peer_ipv4: Some("192.0.2.100".into()),
            peer_group_v4: None,
            peer_ipv6: None,
            peer_group_v6: None,
            md5_password: None,
            notes: String::new(),
        })
        .unwrap()
        .remove(0)
}

/// A router on loopback at a port nothing listens on, with a password stored
/// (so the push gets as far as connecting), and one session on it.
fn router_at_closed_port(f: &Fixture) -> (peerdesk_core::devices::Router, i64) {
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut new = new_router("edge1", vec![attach(&ix, "192.0.2.1", "2001:db8:1::1")]);
    new.mgmt_address = "127.0.0.1".into();
    new.ssh_port = i64::from(port);
    new.password = Some("lab-password".into());
    let router = f.core.add_router(&new).unwrap();
    let s = peer_at_100(f, &ix, &router);
    (router, s.id)
}

#[test]
fn an_unreachable_router_gets_the_change_queued_approved_and_probed_soon() {
    use peerdesk_core::sync::PushOrQueued;
    let f = core();
    name_coordinator(&f, "Alex Example");
    let (router, session_id) = router_at_closed_port(&f);
    // Known down for a while: the next probe is minutes away.
    for _ in 0..8 {
        f.core.probe_router(router.id).unwrap();
    }
    let before = f.core.router_reachability().unwrap().remove(0);
    assert!(before.next_probe_at.as_deref() > Some(stamp(f.clock.now()).as_str()));

    let overrides = ConfigOverrides {
        description: Some("Queued on a plane".into()),
        ..Default::default()
    };
    let done = f
        .core
        .push_or_queue(
            session_id,
            ConfigOperation::Add,
            &overrides,
            None,
            std::time::Duration::from_secs(1),
        )
        .unwrap();
    let PushOrQueued::Queued { item, message } = done else {
        panic!("a closed port is unreachable: the change must be queued, got {done:?}");
    };
    assert_eq!(
        item.status,
        OutboxStatus::Approved,
        "the user confirmed it in the dialog"
    );
    assert_eq!(item.approved_by.as_deref(), Some("Alex Example"));
    assert_eq!(
        item.approved_at.as_deref(),
        Some(stamp(f.clock.now()).as_str())
    );
    assert_eq!(item.operation, ConfigOperation::Add);
    assert_eq!(
        item.overrides, overrides,
        "the one-time settings go with the item"
    );
    assert!(
        item.rendered.contains("Queued on a plane"),
        "{}",
        item.rendered
    );
    assert!(
        message.contains("edge1") && message.contains("reachable"),
        "{message}"
    );
    assert_eq!(
        f.core.list_router_outbox(Some(router.id)).unwrap(),
        vec![item]
    );

    let s = f.core.get_session(session_id).unwrap();
    assert_eq!(
        s.config_state,
        peerdesk_core::peering::ConfigState::NotConfigured,
        "nothing was pushed, so nothing looks configured"
    );
    let after = f.core.router_reachability().unwrap().remove(0);
    assert_eq!(after.reachable, Some(false));
    assert_eq!(after.approved_items, 1);
    assert_eq!(
        after.next_probe_at.as_deref(),
        Some(stamp(f.clock.now()).as_str()),
        "the background task probes it at its next round, not after the backoff"
    );
    assert_eq!(
        f.core.probe_due_routers().unwrap().len(),
        1,
        "due right away"
    );
}

#[test]
fn a_router_that_refuses_the_login_is_an_error_and_nothing_is_queued() {
    let f = core();
    let (router, session_id) = router_at_closed_port(&f);
    f.core
        .set_router_connector(std::sync::Arc::new(RefusingConnector::default()));
    let e = f
        .core
        .push_or_queue(
            session_id,
            ConfigOperation::Add,
            &ConfigOverrides::default(),
            None,
            std::time::Duration::from_secs(1),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthFailed, "{e}");
    assert!(
        f.core
            .list_router_outbox(Some(router.id))
            .unwrap()
            .is_empty(),
        "a wrong password needs the user now, not a retry when the router is back"
    );
    let record = f.core.list_outbox_history(Some(router.id), 10).unwrap();
    assert_eq!(record.len(), 1, "the attempt is recorded: {record:?}");
    assert_eq!(record[0].status, OutboxStatus::Discarded);
    assert!(
        record[0].last_error.starts_with("not sent:"),
        "{}",
        record[0].last_error
    );
}
