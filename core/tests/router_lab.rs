//! Pushing configuration to real routers: FRR and BIRD 2 in network namespaces
//! behind real sshd on 127.0.0.1 (tests/lab/lab.sh), with far-end BGP speakers
//! so sessions really reach Established. Needs root (namespaces); CI runs as
//! root. Elsewhere the test says why it did not run, unless
//! PEERDESK_REQUIRE_LAB=1 makes that a failure.

mod common;

use common::lab::*;
use common::*;
use peerdesk_core::devices::{AuthMethod, Platform, RouterChanges};
use peerdesk_core::peering::{BgpState, ConfigState, NewPeerGroup, SessionType};
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides};
use peerdesk_core::values::AddressFamily;
use peerdesk_core::ErrorKind;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn configuration_reaches_real_frr_and_bird_routers_safely() {
    let Some(lab) = Lab::up("test") else { return };
    let f = core();
    let ix = exchange(&f.core, "Lab IX", "192.0.2.0/24", "2001:db8:1::/64");
    // Every push in this test uses the defaults; only the operation and the wait differ.
    let push = |id: i64, op: ConfigOperation, wait_secs: u64| {
        f.core.push_session_config(
            id,
            op,
            &ConfigOverrides::default(),
            Duration::from_secs(wait_secs),
        )
    };
    let r1 = lab.add_router(&f.core, "r1", &ix);
    let b1 = lab.add_router(&f.core, "b1", &ix);
    let groups = f.core.list_peer_groups().unwrap();
    let group_of = |rid: i64| groups.iter().find(|g| g.router_id == rid).unwrap().id;
    let session = |router_id: i64, asn: &str, ip: &str| {
        f.core
            .add_session(&peerdesk_core::peering::NewSession {
                session_type: SessionType::Peer,
                exchange_id: Some(ix.id),
                router_id,
                asn: asn.into(),
                peer_name: format!("Lab far end AS{asn}"),
                as_set: String::new(),
                peer_ipv4: Some(ip.into()),
                peer_group_v4: Some(group_of(router_id)),
                peer_ipv6: None,
                peer_group_v6: None,
                md5_password: None,
                notes: String::new(),
            })
            .unwrap()
            .remove(0)
    };
    let s1 = session(r1.id, "64500", "192.0.2.100");

    // First contact: the host key is not trusted yet, and nothing is pushed.
    let e = push(s1.id, ConfigOperation::Add, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HostKeyUnknown, "{e}");
    assert_eq!(
        f.core.get_session(s1.id).unwrap().config_state,
        ConfigState::NotConfigured
    );
    lab.trust(&f.core, r1.id, "r1");
    lab.trust(&f.core, b1.id, "b1");

    // 1 click config on FRR: the neighbour is on the router and Established.
    let t = Instant::now();
    let out = push(s1.id, ConfigOperation::Add, 30).unwrap();
    eprintln!(
        "FRR push to Established: {} ms\n{}",
        t.elapsed().as_millis(),
        out.log.join("\n")
    );
    assert_eq!(
        out.bgp_state,
        Some(BgpState::Established),
        "{}",
        out.message
    );
    assert_eq!(out.session.config_state, ConfigState::Configured);
    assert!(lab
        .vtysh("r1", "show running-config")
        .contains("neighbor 192.0.2.100 peer-group IX-V4"));

    // A change the router refuses leaves its configuration byte for byte as before.
    let before = lab.vtysh("r1", "show running-config");
    let bad_group = f
        .core
        .add_peer_group(&NewPeerGroup {
            router_id: Some(r1.id),
            name: "NOT-ON-ROUTER".into(),
            exchange_id: None,
            family: AddressFamily::Ipv4,
            import_policy: String::new(),
            export_policy: String::new(),
            max_prefix: None,
            session_type: SessionType::Peer,
        })
        .unwrap();
    let mut s_bad = session(r1.id, "64501", "192.0.2.101");
    f.core
        .update_session(
            s_bad.id,
            &peerdesk_core::peering::SessionChanges {
                session_type: SessionType::Peer,
                peer_group_id: Some(bad_group.id),
                peer_ip: "192.0.2.101".into(),
                admin_state: peerdesk_core::peering::AdminState::Up,
                md5_password: None,
                clear_md5: false,
                notes: String::new(),
            },
        )
        .unwrap();
    let e = push(s_bad.id, ConfigOperation::Add, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert!(
        e.to_string().to_lowercase().contains("peer-group") || e.to_string().contains('%'),
        "the router's own message: {e}"
    );
    assert_eq!(
        lab.vtysh("r1", "show running-config"),
        before,
        "running-config byte for byte as before"
    );
    s_bad = f.core.get_session(s_bad.id).unwrap();
    assert_eq!(s_bad.config_state, ConfigState::Failed);

    // Config Manager with a bad extra line: FRR takes the template's lines,
    // stops at the extra one, and Peerdesk takes the good lines back too.
    let s_extra = session(r1.id, "64503", "192.0.2.103");
    let e = f
        .core
        .push_session_config(
            s_extra.id,
            ConfigOperation::Add,
            &ConfigOverrides {
                extra_lines: Some(" neighbor 192.0.2.103 no-such-keyword 5".into()),
                ..ConfigOverrides::default()
            },
            Duration::from_secs(1),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert!(
        e.to_string().contains('%') || e.to_string().contains("Unknown command"),
        "the router's own message: {e}"
    );
    assert_eq!(
        lab.vtysh("r1", "show running-config"),
        before,
        "running-config byte for byte as before the bad extra line"
    );
    let s_extra = f.core.get_session(s_extra.id).unwrap();
    assert_eq!(s_extra.config_state, ConfigState::Failed);

    // A batch with one refused session restores the router exactly, all of it.
    let s_ok = session(r1.id, "64502", "192.0.2.102");
    let e = f
        .core
        .push_batch(
            r1.id,
            &[s_ok.id, s_bad.id],
            ConfigOperation::Add,
            Duration::ZERO,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert!(e.to_string().contains("restored exactly"), "{e}");
    assert_eq!(
        lab.vtysh("r1", "show running-config"),
        before,
        "the good half of the batch was taken back too"
    );
    let done = f
        .core
        .push_batch(
            r1.id,
            &[s_ok.id],
            ConfigOperation::Add,
            Duration::from_secs(20),
        )
        .unwrap();
    assert_eq!((done.sessions, done.established), (1, 1), "{done:?}");

    // BIRD: a per-peer file, checked, applied with a timeout, confirmed, Established.
    let sb = session(b1.id, "64500", "192.0.2.100");
    let t = Instant::now();
    let out = push(sb.id, ConfigOperation::Add, 30).unwrap();
    eprintln!(
        "BIRD push to Established: {} ms\n{}",
        t.elapsed().as_millis(),
        out.log.join("\n")
    );
    assert_eq!(
        out.bgp_state,
        Some(BgpState::Established),
        "{}",
        out.message
    );
    let peers_dir = PathBuf::from(lab.router("b1")["peers_dir"].as_str().unwrap());
    assert!(std::fs::read_dir(&peers_dir).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("pd_as64500_")));

    // Update Session States: one connection per router reads every session.
    let r = f.core.refresh_session_states(r1.id).unwrap();
    assert_eq!(
        (r.updated, r.missing, r.established),
        (2, 2, 2),
        "{r:?}: .100 and .102 are Established, .101 and .103 were refused and are not on the router"
    );
    assert_eq!(
        f.core.get_session(s1.id).unwrap().bgp_state,
        Some(BgpState::Established)
    );
    let up = f.core.get_session(s1.id).unwrap();
    assert!(
        up.bgp_up_since.is_some() && up.prefixes_received.is_some() && up.bgp_last_error.is_none(),
        "FRR reports uptime and accepted prefixes for an Established session: {up:?}"
    );
    let refused = f.core.get_session(s_bad.id).unwrap();
    assert_eq!(
        (refused.bgp_state, refused.prefixes_received),
        (None, None),
        "a neighbour the router does not have has no state"
    );
    let per_ix = f.core.refresh_exchange_states(ix.id).unwrap();
    assert_eq!(per_ix.len(), 2, "r1 and b1");
    let bird = f.core.get_session(sb.id).unwrap();
    assert_eq!(bird.bgp_state, Some(BgpState::Established));
    assert!(
        bird.prefixes_received.is_some(),
        "BIRD's imported routes are read: {bird:?}"
    );

    // Admin Down / Up on FRR.
    push(s1.id, ConfigOperation::Shutdown, 1).unwrap();
    assert!(lab
        .vtysh("r1", "show running-config")
        .contains("neighbor 192.0.2.100 shutdown"));
    assert_eq!(
        f.core.get_session(s1.id).unwrap().admin_state,
        peerdesk_core::peering::AdminState::Down,
        "Admin Down is recorded once the router has it"
    );
    push(s1.id, ConfigOperation::Enable, 30).unwrap();
    assert!(!lab
        .vtysh("r1", "show running-config")
        .contains("neighbor 192.0.2.100 shutdown"));

    // Update: a one-time max-prefix and description replace the router's.
    let out = f
        .core
        .push_session_config(
            s1.id,
            ConfigOperation::Update,
            &ConfigOverrides {
                max_prefix: Some(2000),
                description: Some("Updated far end".into()),
                ..ConfigOverrides::default()
            },
            Duration::from_secs(30),
        )
        .unwrap();
    assert_eq!(
        out.bgp_state,
        Some(BgpState::Established),
        "{}",
        out.message
    );
    let running = lab.vtysh("r1", "show running-config");
    assert!(
        running.contains("neighbor 192.0.2.100 maximum-prefix 2000")
            && running.contains("neighbor 192.0.2.100 description Updated far end")
            && !running.contains("neighbor 192.0.2.100 maximum-prefix 1000"),
        "{running}"
    );

    // Removing takes it off the router.
    push(s1.id, ConfigOperation::Remove, 1).unwrap();
    assert!(!lab
        .vtysh("r1", "show running-config")
        .contains("neighbor 192.0.2.100 "));
    push(sb.id, ConfigOperation::Remove, 1).unwrap();
    assert!(!std::fs::read_dir(&peers_dir).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("pd_as64500_")));

    // Delete with "Also remove from the router": off the router first, then out of Peerdesk.
    let s_del = session(r1.id, "64505", "192.0.2.105");
    push(s_del.id, ConfigOperation::Add, 1).unwrap();
    assert!(lab
        .vtysh("r1", "show running-config")
        .contains("neighbor 192.0.2.105 "));
    f.core
        .delete_session_from_router(s_del.id, Duration::from_secs(1))
        .unwrap();
    assert!(!lab
        .vtysh("r1", "show running-config")
        .contains("neighbor 192.0.2.105 "));
    assert_eq!(
        f.core.get_session(s_del.id).unwrap_err().kind(),
        ErrorKind::NotFound,
        "the session is deleted once the router no longer has it"
    );

    // Import Sessions from r2 (a neighbour configured on the router only) and b1.
    let r2 = lab.add_router(&f.core, "r2", &ix);
    lab.trust(&f.core, r2.id, "r2");
    let preview = f.core.scan_router_sessions(r2.id).unwrap();
    let far = preview
        .candidates
        .iter()
        .find(|c| c.neighbor.peer_ip == "192.0.2.100")
        .expect("r2's neighbour is found");
    assert_eq!(
        far.neighbor.remote_asn,
        Some(64500),
        "the AS comes from the live neighbour table"
    );
    assert_eq!(
        far.exchange_id,
        Some(ix.id),
        "matched to the exchange by its LAN"
    );
    assert!(!far.already_imported);
    let ips: Vec<String> = preview
        .candidates
        .iter()
        .map(|c| c.neighbor.peer_ip.clone())
        .collect();
    let first = f.core.import_sessions(r2.id, &ips).unwrap();
    assert_eq!(
        first.added as usize,
        preview.candidates.len(),
        "every configured neighbour is imported"
    );
    let again = f.core.import_sessions(r2.id, &ips).unwrap();
    assert_eq!(
        (again.added, again.skipped as usize),
        (0, preview.candidates.len()),
        "a second import adds nothing"
    );
    let imported = f
        .core
        .list_sessions(&peerdesk_core::peering::SessionFilter {
            router_id: Some(r2.id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(imported[0].config_state, ConfigState::Configured);
    assert_eq!(imported[0].bgp_state, Some(BgpState::Established));
    push(sb.id, ConfigOperation::Add, 1).unwrap();
    let b1_found = f.core.scan_router_sessions(b1.id).unwrap();
    assert!(b1_found
        .candidates
        .iter()
        .any(|c| c.neighbor.peer_ip == "192.0.2.100"
            && c.neighbor.remote_asn == Some(64500)
            && c.already_imported));

    // Wrong password, changed host key, unreachable: each its own kind, nothing marked configured.
    let mut changes = RouterChanges {
        name: "r1".into(),
        mgmt_address: "127.0.0.1".into(),
        ssh_port: lab.router("r1")["ssh_port"].as_i64().unwrap(),
        platform: Platform::Frr,
        username: lab.router("r1")["user"].as_str().unwrap().into(),
        auth_method: AuthMethod::Password,
        password: Some("wrong-password".into()),
        clear_credential: false,
        ssh_key_path: None,
        local_asn: "64496".into(),
        notes: String::new(),
        control_command: None,
        config_dir: None,
        attachments: vec![attach(&ix, "192.0.2.1", "2001:db8:1::1")],
    };
    f.core.update_router(r1.id, &changes).unwrap();
    let e = push(s1.id, ConfigOperation::Add, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthFailed, "{e}");
    changes.password = Some(lab.password());
    changes.ssh_port = lab.router("r2")["ssh_port"].as_i64().unwrap();
    f.core.update_router(r1.id, &changes).unwrap();
    let e = push(s1.id, ConfigOperation::Add, 1).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::HostKeyMismatch,
        "another router's key is refused: {e}"
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    changes.ssh_port = i64::from(closed);
    f.core.update_router(r1.id, &changes).unwrap();
    let e = push(s1.id, ConfigOperation::Add, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unreachable, "{e}");
    assert_ne!(
        f.core.get_session(s1.id).unwrap().config_state,
        ConfigState::Configured,
        "nothing is marked configured that is not"
    );

    // The connection drops right after the router took the change and before
    // Peerdesk read it back: Peerdesk logs in again, finds the neighbour and
    // takes it back, and the session is not marked configured.
    changes.ssh_port = lab.router("r1")["ssh_port"].as_i64().unwrap();
    f.core.update_router(r1.id, &changes).unwrap();
    let before = lab.vtysh("r1", "show running-config");
    let s_drop = session(r1.id, "64504", "192.0.2.104");
    // Once, right after the router ran `configure terminal …`, the sshd
    // processes serving the connection are killed: the TCP connection really
    // drops between the change and its read-back.
    let sshd_pid: u32 = std::fs::read_to_string(lab.dir.join("r1/ssh/sshd.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let dropped = Arc::new(AtomicBool::new(false));
    let drop_once = dropped.clone();
    f.core.set_router_connector(Arc::new(lab.hooked_login(
        "r1",
        f.core.router_host_key(r1.id).unwrap().unwrap(),
        Arc::new(move |command, run| {
            let out = run();
            if command.starts_with("configure terminal") && !drop_once.swap(true, Ordering::SeqCst)
            {
                kill_descendants(sshd_pid);
            }
            out
        }),
    )));
    let e = push(s_drop.id, ConfigOperation::Add, 5).unwrap_err();
    assert!(
        dropped.load(Ordering::SeqCst),
        "the test cut the connection"
    );
    assert_eq!(e.kind(), ErrorKind::ConnectionLost, "{e}");
    assert!(
        e.to_string().contains("taken back") && e.to_string().contains("as before"),
        "{e}"
    );
    assert_eq!(
        lab.vtysh("r1", "show running-config"),
        before,
        "the router's configuration is byte for byte as before the dropped push"
    );
    assert_eq!(
        f.core.get_session(s_drop.id).unwrap().config_state,
        ConfigState::NotConfigured,
        "a push cut short is not recorded as configured"
    );
}

/// SIGKILL to every process below `pid` (the lab sshd's per-connection
/// children, which the lab started): the listener itself keeps running.
fn kill_descendants(pid: u32) {
    let mut parents = vec![pid];
    let mut victims = Vec::new();
    while let Some(p) = parents.pop() {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            // Field 4 (after the parenthesised name) is the parent pid.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u32>().ok());
            if ppid == Some(p) {
                victims.push(child);
                parents.push(child);
            }
        }
    }
    for v in victims {
        let _ = Command::new("kill").arg("-9").arg(v.to_string()).status();
    }
}
