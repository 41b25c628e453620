//! Offline first against a real FRR router of the lab (tests/lab/lab.sh: FRR
//! in a network namespace behind its own sshd on 127.0.0.1, far ends that
//! answer): changes queue while the router's sshd is down and are applied when
//! it is back; changes made on the router by hand are reported as drift and
//! left alone; an item whose neighbour changed under it goes back to review; a
//! push cut off by a crash is reconciled from what the router has. Needs root;
//! this test's lab has its own folder (its own namespaces and ports).

mod common;

use common::lab::*;
use common::*;
use peerdesk_core::devices::delete::DeleteOutcome;
use peerdesk_core::peering::{BgpState, ConfigState, NewSession, SessionType};
use peerdesk_core::sync::{ItemOutcome, OutboxStatus, PushOrQueued};
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides};
use peerdesk_core::{ErrorKind, Peerdesk};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// Whether a command is the one applying `neighbour`'s change on FRR.
fn applies(command: &str, neighbour: &str) -> bool {
    command.starts_with("configure terminal") && command.contains(&format!("neighbor {neighbour} "))
}

/// A hook that panics around one neighbour's `configure terminal`, as if
/// Peerdesk died there: before the router got the change, or right after it
/// took it.
fn crash_at(neighbour: &str, after_apply: bool) -> Arc<CommandHook> {
    let neighbour = neighbour.to_string();
    Arc::new(move |command, run| {
        let applying = applies(command, &neighbour);
        if applying && !after_apply {
            panic!("simulated crash before sending the change");
        }
        let out = run();
        if applying {
            panic!("simulated crash after the router took the change");
        }
        out
    })
}

const WAIT: Duration = Duration::from_secs(30);

/// A hook that, once the router took one neighbour's change, says so in a
/// file and then hangs, so the test can kill -9 the process mid-push.
fn hang_after(neighbour: &str, marker: PathBuf) -> Arc<CommandHook> {
    let neighbour = neighbour.to_string();
    Arc::new(move |command, run| {
        let out = run();
        if applies(command, &neighbour) {
            std::fs::write(&marker, "applied").unwrap();
            loop {
                std::thread::sleep(Duration::from_secs(60));
            }
        }
        out
    })
}

const CHILD: &str = "a_child_process_syncs_until_it_is_killed";

/// The process the kill -9 steps of the lab test start and kill: it opens
/// the test's database and syncs the router (or, with SYNC_CHILD_SESSION,
/// sends that session's change now as the push dialog does) until the
/// hanging connection stops it right after the router took the change.
#[test]
#[ignore = "started by the_outbox_waits_for_the_router_reports_drift_and_survives_a_crash"]
fn a_child_process_syncs_until_it_is_killed() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is set by the parent"));
    let core = Peerdesk::open(
        std::path::Path::new(&var("SYNC_CHILD_DB")),
        Arc::new(peerdesk_core::secrets::MemorySecretStore::new()),
        Arc::new(peerdesk_core::clock::SystemClock),
    )
    .unwrap();
    let router_id: i64 = var("SYNC_CHILD_ROUTER").parse().unwrap();
    core.set_router_connector(Arc::new(HookedLogin {
        port: var("SYNC_CHILD_PORT").parse().unwrap(),
        user: var("SYNC_CHILD_USER"),
        password: std::fs::read_to_string(var("SYNC_CHILD_PASSWORD_FILE"))
            .unwrap()
            .trim()
            .to_string(),
        key: core.router_host_key(router_id).unwrap().unwrap(),
        hook: hang_after(
            &var("SYNC_CHILD_NEIGHBOUR"),
            var("SYNC_CHILD_MARKER").into(),
        ),
    }));
    match std::env::var("SYNC_CHILD_SESSION") {
        Ok(id) => {
            let _ = core.push_or_queue(
                id.parse().unwrap(),
                ConfigOperation::Add,
                &ConfigOverrides::default(),
                None,
                WAIT,
            );
        }
        Err(_) => {
            let _ = core.sync_router_with(router_id, WAIT);
        }
    }
    panic!("the push was to hang until killed");
}

#[test]
fn the_outbox_waits_for_the_router_reports_drift_and_survives_a_crash() {
    let Some(lab) = Lab::up("sync") else { return };
    let f = core();
    let ix = exchange(&f.core, "Lab IX", "192.0.2.0/24", "2001:db8:1::/64");
    let router = lab.add_router(&f.core, "r1", &ix);
    lab.trust(&f.core, router.id, "r1");
    let r = lab.router("r1");
    let key = f.core.router_host_key(router.id).unwrap().unwrap();
    let group = f
        .core
        .list_peer_groups()
        .unwrap()
        .into_iter()
        .find(|g| g.router_id == router.id)
        .unwrap();
    // Far end 192.0.2.N answers as AS(64400+N).
    let session = |core: &Peerdesk, n: u32| {
        core.add_session(&NewSession {
            session_type: SessionType::Peer,
            exchange_id: Some(ix.id),
            router_id: router.id,
            asn: format!("{}", 64400 + n),
            peer_name: format!("Lab far end AS{}", 64400 + n),
            as_set: String::new(),
            peer_ipv4: Some(format!("192.0.2.{n}")),
            peer_group_v4: Some(group.id),
            peer_ipv6: None,
            peer_group_v6: None,
            md5_password: None,
            notes: String::new(),
        })
        .unwrap()
        .remove(0)
    };
    let queue_approved = |core: &Peerdesk, session_id: i64| {
        let item = core
            .queue_change(
                session_id,
                ConfigOperation::Add,
                &ConfigOverrides::default(),
            )
            .unwrap();
        core.approve_outbox_item(item.id).unwrap()
    };

    // (a) The router's sshd is down: two changes queue, and the router is unreachable.
    lab.stop_sshd("r1");
    let s1 = session(&f.core, 102);
    let s2 = session(&f.core, 103);
    let i1 = queue_approved(&f.core, s1.id);
    let i2 = queue_approved(&f.core, s2.id);
    let probe = f.core.probe_router(router.id).unwrap();
    assert_eq!(probe.reachable, Some(false), "{probe:?}");
    assert_eq!(probe.approved_items, 2);
    let e = f.core.sync_router_with(router.id, WAIT).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unreachable, "{e}");
    let waiting: Vec<(i64, OutboxStatus)> = f
        .core
        .list_router_outbox(Some(router.id))
        .unwrap()
        .iter()
        .map(|i| (i.id, i.status))
        .collect();
    assert_eq!(
        waiting,
        vec![
            (i1.id, OutboxStatus::Approved),
            (i2.id, OutboxStatus::Approved)
        ]
    );

    // sshd back: one sync applies both, in order; both sessions are Established.
    lab.start_sshd("r1");
    assert_eq!(
        f.core.probe_router(router.id).unwrap().reachable,
        Some(true)
    );
    let report = f.core.sync_router_with(router.id, WAIT).unwrap();
    eprintln!("{}\n{}", report.message, report.log.join("\n"));
    let outcomes: Vec<(i64, ItemOutcome)> = report
        .items
        .iter()
        .map(|i| (i.item_id, i.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![(i1.id, ItemOutcome::Applied), (i2.id, ItemOutcome::Applied)]
    );
    assert!(report.drift.is_empty(), "{:?}", report.drift);
    for s in [&s1, &s2] {
        let now = f.core.get_session(s.id).unwrap();
        assert_eq!(now.config_state, ConfigState::Configured);
        assert_eq!(now.bgp_state, Some(BgpState::Established), "{}", s.peer_ip);
        assert_eq!(
            lab.bgp_state("r1", &s.peer_ip).as_deref(),
            Some("Established")
        );
    }
    assert!(
        f.core
            .list_router_outbox(Some(router.id))
            .unwrap()
            .is_empty(),
        "no approved item is left"
    );
    assert_eq!(
        f.core.get_outbox_item(i1.id).unwrap().status,
        OutboxStatus::Applied
    );

    // (b) By hand on the router: one neighbour removed, another added. The
    // next sync reports both and changes nothing.
    lab.vtysh_lines(
        "r1",
        &[
            "configure terminal",
            "router bgp 64496",
            "no neighbor 192.0.2.102",
            "neighbor 192.0.2.105 remote-as 64505",
        ],
    );
    let before = lab.running("r1");
    assert!(before.contains("neighbor 192.0.2.105 remote-as 64505"));
    let sessions_before = f.core.list_sessions(&Default::default()).unwrap().len();
    let report = f.core.sync_router_with(router.id, WAIT).unwrap();
    let adopt: Vec<&str> = report
        .drift
        .on_router_only
        .iter()
        .map(|n| n.peer_ip.as_str())
        .collect();
    assert_eq!(adopt, vec!["192.0.2.105"], "{:?}", report.drift);
    let missing: Vec<i64> = report
        .drift
        .missing_on_router
        .iter()
        .map(|m| m.session_id)
        .collect();
    assert_eq!(missing, vec![s1.id]);
    assert!(report.items.is_empty());
    assert_eq!(
        lab.running("r1"),
        before,
        "the sync changed nothing on the router"
    );
    assert_eq!(
        f.core.list_sessions(&Default::default()).unwrap().len(),
        sessions_before,
        "nothing adopted on its own"
    );
    assert_eq!(
        f.core.get_session(s1.id).unwrap().config_state,
        ConfigState::Configured,
        "nor marked removed on its own"
    );

    // (c) An item reviewed against the router, then the router changed under it.
    let s3 = session(&f.core, 104);
    let i3 = f
        .core
        .queue_change(s3.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    let reviewed = f.core.review_outbox(router.id).unwrap();
    let reviewed = reviewed.iter().find(|i| i.id == i3.id).unwrap();
    assert_eq!(reviewed.reviewed_current.as_deref(), Some(""));
    assert!(!reviewed.diff.is_empty());
    f.core.approve_outbox_item(i3.id).unwrap();
    lab.vtysh_lines(
        "r1",
        &[
            "configure terminal",
            "router bgp 64496",
            "neighbor 192.0.2.104 remote-as 64504",
            "neighbor 192.0.2.104 description set by hand",
        ],
    );
    let before = lab.running("r1");
    let report = f.core.sync_router_with(router.id, WAIT).unwrap();
    let outcome: Vec<(i64, ItemOutcome)> = report
        .items
        .iter()
        .map(|i| (i.item_id, i.outcome))
        .collect();
    assert_eq!(outcome, vec![(i3.id, ItemOutcome::ReturnedToReview)]);
    let back = f.core.get_outbox_item(i3.id).unwrap();
    assert_eq!(back.status, OutboxStatus::Review);
    assert!(back.approved_by.is_none());
    assert!(
        back.reviewed_current
            .as_deref()
            .unwrap_or("")
            .contains("neighbor 192.0.2.104 description set by hand"),
        "{back:?}"
    );
    assert!(!back.last_error.is_empty());
    assert_eq!(lab.running("r1"), before, "the item was not applied");
    assert_ne!(
        f.core.get_session(s3.id).unwrap().config_state,
        ConfigState::Configured
    );

    // (d) Peerdesk dies right after the router took a change: at the next
    // open the item is interrupted, and the sync finds it on the router.
    let s4 = session(&f.core, 106);
    let i4 = queue_approved(&f.core, s4.id);
    let crash = |core: &Peerdesk, ip: &str, after_apply: bool| {
        core.set_router_connector(Arc::new(lab.hooked_login(
            "r1",
            key.clone(),
            crash_at(ip, after_apply),
        )));
        let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            core.sync_router_with(router.id, WAIT)
        }));
        assert!(died.is_err(), "the push was cut off");
    };
    crash(&f.core, "192.0.2.106", true);
    assert_eq!(
        f.core.get_outbox_item(i4.id).unwrap().status,
        OutboxStatus::Applying
    );
    assert!(lab.running("r1").contains("neighbor 192.0.2.106 "));
    let reopened = Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    assert_eq!(reopened.start_sync().unwrap(), vec![i4.id]);
    assert_eq!(
        reopened.get_outbox_item(i4.id).unwrap().status,
        OutboxStatus::Interrupted
    );
    let report = reopened.sync_router_with(router.id, WAIT).unwrap();
    let settled: Vec<(i64, ItemOutcome)> = report
        .reconciled
        .iter()
        .map(|i| (i.item_id, i.outcome))
        .collect();
    assert_eq!(settled, vec![(i4.id, ItemOutcome::Applied)]);
    assert_eq!(
        reopened.get_outbox_item(i4.id).unwrap().status,
        OutboxStatus::Applied
    );
    assert_eq!(
        reopened.get_session(s4.id).unwrap().config_state,
        ConfigState::Configured,
        "the router has it"
    );

    // ... and dies before the router got one: nothing is marked configured.
    let s5 = session(&reopened, 107);
    let i5 = queue_approved(&reopened, s5.id);
    crash(&reopened, "192.0.2.107", false);
    assert!(!lab.running("r1").contains("neighbor 192.0.2.107 "));
    let again = Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    assert_eq!(again.start_sync().unwrap(), vec![i5.id]);
    let report = again.sync_router_with(router.id, WAIT).unwrap();
    let settled: Vec<(i64, ItemOutcome)> = report
        .reconciled
        .iter()
        .map(|i| (i.item_id, i.outcome))
        .collect();
    assert_eq!(settled, vec![(i5.id, ItemOutcome::ReturnedToReview)]);
    assert_eq!(
        again.get_outbox_item(i5.id).unwrap().status,
        OutboxStatus::Review
    );
    assert_eq!(
        again.get_session(s5.id).unwrap().config_state,
        ConfigState::NotConfigured,
        "the router does not have it"
    );

    // (e) A real kill -9 of a process driving a push, right after the router took it.
    let s6 = session(&again, 108);
    let i6 = queue_approved(&again, s6.id);
    // Starts the child process driving a push of `neighbour` (a sync, or the
    // session's change sent now) and kills it (SIGKILL) once the router took it.
    let kill_mid_push = |neighbour: &str, send_now: Option<i64>| {
        let marker = lab.dir.join(format!("sync-child-applied-{neighbour}"));
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--ignored", "--exact", CHILD, "--nocapture"])
            .env("SYNC_CHILD_DB", &f.db_path)
            .env("SYNC_CHILD_ROUTER", router.id.to_string())
            .env("SYNC_CHILD_PORT", lab.ssh_port("r1").to_string())
            .env("SYNC_CHILD_USER", r["user"].as_str().unwrap())
            .env(
                "SYNC_CHILD_PASSWORD_FILE",
                lab.json["ssh"]["password_file"].as_str().unwrap(),
            )
            .env("SYNC_CHILD_NEIGHBOUR", neighbour)
            .env("SYNC_CHILD_MARKER", &marker);
        if let Some(id) = send_now {
            cmd.env("SYNC_CHILD_SESSION", id.to_string());
        }
        let mut child = cmd.spawn().unwrap();
        wait_until(Duration::from_secs(60), || marker.exists());
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    };
    kill_mid_push("192.0.2.108", None);
    assert_eq!(
        again.get_outbox_item(i6.id).unwrap().status,
        OutboxStatus::Applying,
        "the dead process left it applying"
    );
    assert!(lab.running("r1").contains("neighbor 192.0.2.108 "));
    let restarted = Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    assert_eq!(restarted.start_sync().unwrap(), vec![i6.id]);
    let report = restarted.sync_router_with(router.id, WAIT).unwrap();
    let settled: Vec<(i64, ItemOutcome)> = report
        .reconciled
        .iter()
        .map(|i| (i.item_id, i.outcome))
        .collect();
    assert_eq!(settled, vec![(i6.id, ItemOutcome::Applied)]);
    assert_eq!(
        restarted.get_session(s6.id).unwrap().config_state,
        ConfigState::Configured,
        "the session's state matches the router after the restart"
    );

    // (e) A change sent now is an outbox item too: approved, applied, with the
    // diff the user reviewed (the neighbour had no lines yet).
    let s9 = session(&restarted, 109);
    // Reviewed with no lines for 192.0.2.109, then configured by hand on the
    // router before Send: nothing is sent.
    lab.vtysh_lines(
        "r1",
        &[
            "configure terminal",
            "router bgp 64496",
            "neighbor 192.0.2.109 remote-as 64509",
        ],
    );
    let by_hand = lab.running("r1");
    let send_s9 = || {
        restarted.push_or_queue(
            s9.id,
            ConfigOperation::Add,
            &ConfigOverrides::default(),
            Some(""),
            WAIT,
        )
    };
    let e = send_s9().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert_eq!(lab.running("r1"), by_hand, "nothing was sent");
    lab.vtysh_lines(
        "r1",
        &[
            "configure terminal",
            "router bgp 64496",
            "no neighbor 192.0.2.109",
        ],
    );
    let sent = send_s9().unwrap();
    let PushOrQueued::Pushed { push, item } = sent else {
        panic!("the router answers: {sent:?}")
    };
    assert_eq!(
        push.bgp_state,
        Some(BgpState::Established),
        "{:?}",
        push.log
    );
    assert_eq!(item.status, OutboxStatus::Applied);
    assert!(item.approved_at.is_some() && item.applied_at.is_some());
    assert_eq!(item.reviewed_current.as_deref(), Some(""));
    assert!(
        item.diff
            .iter()
            .any(|d| d.text.contains("neighbor 192.0.2.109 peer-group")),
        "{:?}",
        item.diff
    );
    assert_eq!(
        restarted.list_outbox_history(Some(router.id), 5).unwrap()[0].id,
        item.id
    );
    assert!(lab.running("r1").contains("neighbor 192.0.2.109 "));

    // With the router down, Delete ("Also remove from the router") and a new
    // session's 1 click config queue at once, without an SSH login to wait
    // for; the session to delete stays until the router has dropped it.
    lab.stop_sshd("r1");
    assert_eq!(
        restarted.probe_router(router.id).unwrap().reachable,
        Some(false)
    );
    let s10 = session(&restarted, 110);
    let t = std::time::Instant::now();
    let deleted = restarted.delete_session_from_router(s9.id, WAIT).unwrap();
    let queued = restarted
        .push_or_queue(
            s10.id,
            ConfigOperation::Add,
            &ConfigOverrides::default(),
            None,
            WAIT,
        )
        .unwrap();
    eprintln!("queued a delete and an add in {:?}", t.elapsed());
    let DeleteOutcome::RemovalQueued { item: removal, .. } = deleted else {
        panic!("the router is down: {deleted:?}")
    };
    assert!(removal.then_delete);
    assert_eq!(removal.status, OutboxStatus::Approved);
    assert!(matches!(queued, PushOrQueued::Queued { .. }), "{queued:?}");
    assert!(restarted.get_session(s9.id).is_ok(), "kept until applied");
    lab.start_sshd("r1");
    let report = restarted.sync_router_with(router.id, WAIT).unwrap();
    eprintln!("{}\n{}", report.message, report.log.join("\n"));
    assert_eq!(
        report.items.iter().map(|i| i.outcome).collect::<Vec<_>>(),
        vec![ItemOutcome::Applied, ItemOutcome::Applied]
    );
    assert_eq!(
        restarted.get_session(s9.id).unwrap_err().kind(),
        ErrorKind::NotFound,
        "the removal was applied, so the session is deleted as asked"
    );
    let running = lab.running("r1");
    assert!(!running.contains("neighbor 192.0.2.109 "), "{running}");
    assert!(running.contains("neighbor 192.0.2.110 "), "{running}");
    assert_eq!(
        restarted.get_session(s10.id).unwrap().bgp_state,
        Some(BgpState::Established)
    );

    // (f) kill -9 of a process sending a change now, right after the router
    // took it: its item is found applying, interrupted at the next start, and
    // the sync records what the router has.
    let s11 = session(&restarted, 101);
    kill_mid_push("192.0.2.101", Some(s11.id));
    let left = restarted.list_router_outbox(Some(router.id)).unwrap();
    let cut: Vec<_> = left.iter().filter(|i| i.session_id == s11.id).collect();
    assert_eq!(cut.len(), 1, "{left:?}");
    assert_eq!(
        cut[0].status,
        OutboxStatus::Applying,
        "the dead process left it applying"
    );
    assert!(lab.running("r1").contains("neighbor 192.0.2.101 "));
    let last = Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    assert_eq!(last.start_sync().unwrap(), vec![cut[0].id]);
    let report = last.sync_router_with(router.id, WAIT).unwrap();
    assert_eq!(
        report
            .reconciled
            .iter()
            .map(|i| (i.item_id, i.outcome))
            .collect::<Vec<_>>(),
        vec![(cut[0].id, ItemOutcome::Applied)]
    );
    assert_eq!(
        last.get_session(s11.id).unwrap().config_state,
        ConfigState::Configured,
        "the session's state matches the router after the restart"
    );
}
