//! Delete with "Also remove from the router": the session leaves Peerdesk only
//! when the router no longer has it. The removal itself against a real FRR
//! router is in `router_lab.rs`; here, a router nobody answers for.

mod common;

use common::*;
use peerdesk_core::devices::delete::DeleteOutcome;
use peerdesk_core::peering::{ConfigState, SessionFilter};
use peerdesk_core::sync::OutboxStatus;
use peerdesk_core::templating::config::ConfigOperation;
use peerdesk_core::ErrorKind;
use std::time::Duration;

#[test]
fn a_session_whose_router_cannot_be_reached_is_kept_and_its_removal_queued_approved() {
    let f = core();
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut r = new_router(
        "edge-closed",
        vec![attach(&ix, "192.0.2.1", "2001:db8:1::1")],
    );
    r.mgmt_address = "127.0.0.1".into();
    r.ssh_port = port.into();
    r.password = Some("router-password".into());
    let router = f.core.add_router(&r).unwrap();
    let pg4 = peer_group(
        &f.core,
        &router,
        "IX-V4",
        peerdesk_core::values::AddressFamily::Ipv4,
    );
    let pg6 = peer_group(
        &f.core,
        &router,
        "IX-V6",
        peerdesk_core::values::AddressFamily::Ipv6,
    );
    let w = World {
        ix,
        router,
        pg4,
        pg6,
    };
    let session = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap()
        .remove(0);
    let before = snapshot(&f.core);

    let outcome = f
        .core
        .delete_session_from_router(session.id, Duration::from_secs(1))
        .unwrap();
    let DeleteOutcome::RemovalQueued { item, message } = outcome else {
        panic!("a closed port is unreachable: the removal must be queued, got {outcome:?}");
    };
    assert_eq!(item.operation, ConfigOperation::Remove);
    assert_eq!(item.session_id, session.id);
    assert_eq!(
        item.status,
        OutboxStatus::Approved,
        "the user confirmed it in the dialog"
    );
    assert!(
        message.contains("edge-closed") && message.contains("reachable"),
        "{message}"
    );
    assert_eq!(
        f.core.list_router_outbox(Some(w.router.id)).unwrap(),
        vec![item]
    );

    let still = f.core.get_session(session.id).unwrap();
    assert_eq!(
        still.config_state, session.config_state,
        "nothing was removed, so nothing changed state"
    );
    assert_eq!(
        f.core
            .list_sessions(&SessionFilter::default())
            .unwrap()
            .len(),
        1,
        "kept until the router has dropped the neighbour"
    );
    assert_ne!(still.config_state, ConfigState::Failed);
    // The queueing is in the audit log; the inventory is as it was.
    let after = snapshot(&f.core);
    assert_eq!(
        before.rsplit_once("|audit=").unwrap().0,
        after.rsplit_once("|audit=").unwrap().0
    );
    let reach = f.core.router_reachability().unwrap().remove(0);
    assert_eq!(reach.reachable, Some(false));
    assert_eq!(reach.approved_items, 1);

    // Asked again: the removal is already waiting, nothing is queued twice.
    let again = f
        .core
        .delete_session_from_router(session.id, Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict, "{again}");
    assert_eq!(f.core.list_router_outbox(None).unwrap().len(), 1);
}
