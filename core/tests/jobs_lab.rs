//! A scheduled configuration against a real FRR router of the lab
//! (tests/lab/lab.sh: FRR in a network namespace behind sshd on 127.0.0.1,
//! far-end BGP speakers that answer): the job waits for its time, then both
//! sessions are pushed in one batch and reach Established. Needs root; this
//! test's lab has its own folder (and so its own namespaces and ports).

mod common;

use chrono::Duration as Minutes;
use common::lab::*;
use common::*;
use peerdesk_core::clock::{stamp, Clock};
use peerdesk_core::events::NoEvents;
use peerdesk_core::jobs::{DefaultRunner, JobStatus};
use peerdesk_core::peering::{BgpState, ConfigState, NewSession, SessionType};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

/// Lab router r1 in Peerdesk, its host key trusted, with its IPv4 peer group.
fn lab_r1(f: &Fixture, lab: &Lab) -> (peerdesk_core::peering::Exchange, i64, i64) {
    let ix = exchange(&f.core, "Lab IX", "192.0.2.0/24", "2001:db8:1::/64");
    let router = lab.add_router(&f.core, "r1", &ix);
    lab.trust(&f.core, router.id, "r1");
    let group = f
        .core
        .list_peer_groups()
        .unwrap()
        .into_iter()
        .find(|g| g.router_id == router.id)
        .unwrap();
    (ix, router.id, group.id)
}

/// Sessions to lab far ends (192.0.2.N answers as AS(64400+N)) on r1.
fn far_end_sessions(
    f: &Fixture,
    ix: &peerdesk_core::peering::Exchange,
    router_id: i64,
    group_id: i64,
    octets: &[u32],
) -> Vec<i64> {
    octets
        .iter()
        .map(|n| {
            let asn = (64400 + n).to_string();
            f.core
                .add_session(&NewSession {
                    session_type: SessionType::Peer,
                    exchange_id: Some(ix.id),
                    router_id,
                    asn: asn.clone(),
                    peer_name: format!("Lab far end AS{asn}"),
                    as_set: String::new(),
                    peer_ipv4: Some(format!("192.0.2.{n}")),
                    peer_group_v4: Some(group_id),
                    peer_ipv6: None,
                    peer_group_v6: None,
                    md5_password: None,
                    notes: String::new(),
                })
                .unwrap()
                .remove(0)
                .id
        })
        .collect()
}

#[test]
fn a_scheduled_configuration_of_two_sessions_runs_at_its_time_and_both_reach_established() {
    let Some(lab) = Lab::up("jobs-scheduled") else {
        return;
    };
    let f = core();
    let (ix, router_id, group_id) = lab_r1(&f, &lab);
    let r = lab.router("r1");
    let ids = far_end_sessions(&f, &ix, router_id, group_id, &[102, 103]);

    let job = f
        .core
        .schedule_configure_sessions(&ids, &stamp(f.clock.now() + Minutes::minutes(60)))
        .unwrap();
    let runner = DefaultRunner {
        wait_for_peer: Duration::from_secs(60),
    };
    f.clock.advance(Minutes::minutes(59));
    assert_eq!(f.core.run_due_jobs(&runner, &NoEvents).unwrap(), 0);
    for id in &ids {
        assert_eq!(
            f.core.get_session(*id).unwrap().config_state,
            ConfigState::NotConfigured,
            "nothing is pushed before the job's time"
        );
    }

    f.clock.advance(Minutes::minutes(1));
    assert_eq!(f.core.run_due_jobs(&runner, &NoEvents).unwrap(), 1);
    let done = f.core.get_job(job.id).unwrap();
    assert_eq!(
        done.status,
        JobStatus::Done,
        "{} {:?}",
        done.result,
        done.log
    );
    assert_eq!(
        done.result, "2 configured and Established",
        "{:?}",
        done.log
    );
    for id in &ids {
        let s = f.core.get_session(*id).unwrap();
        assert_eq!(s.config_state, ConfigState::Configured);
        assert_eq!(s.bgp_state, Some(BgpState::Established), "{}", s.peer_ip);
    }
    // Each session's change is an outbox item, applied, with what the
    // router had for the neighbour right before (nothing) and the diff.
    let applied = f.core.list_outbox_history(None, 10).unwrap();
    assert_eq!(applied.len(), 2, "{applied:?}");
    for item in &applied {
        assert_eq!(item.status, peerdesk_core::sync::OutboxStatus::Applied);
        assert!(ids.contains(&item.session_id));
        assert_eq!(item.reviewed_current.as_deref(), Some(""));
        assert!(
            item.diff.iter().any(|d| d
                .text
                .contains(&format!("neighbor {} peer-group", item.peer_ip))),
            "{:?}",
            item.diff
        );
    }
    let vtysh: Vec<String> = r["vtysh"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let summary = Command::new(&vtysh[0])
        .args(&vtysh[1..])
        .args(["-c", "show bgp summary json"])
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&summary.stdout).unwrap();
    for ip in ["192.0.2.102", "192.0.2.103"] {
        assert_eq!(
            summary["ipv4Unicast"]["peers"][ip]["state"], "Established",
            "the router itself reports {ip} Established"
        );
    }
}

/// The app dies while a configuration job runs: the router already has one of
/// the two neighbours, Peerdesk has recorded nothing. On the next start the
/// job is interrupted, the router is read, the session it has is marked
/// configured, the other is not, and nothing is pushed again.
#[test]
fn a_configuration_cut_off_by_a_crash_is_reconciled_from_the_router_and_not_run_again() {
    let Some(lab) = Lab::up("jobs-crash") else {
        return;
    };
    let f = core();
    let (ix, router_id, group_id) = lab_r1(&f, &lab);
    let ids = far_end_sessions(&f, &ix, router_id, group_id, &[104, 105]);
    let job = f
        .core
        .schedule_configure_sessions(&ids, &stamp(f.clock.now() + Minutes::minutes(60)))
        .unwrap();
    f.clock.advance(Minutes::minutes(60));
    {
        let dying =
            peerdesk_core::Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
        let claimed = dying.claim_due_job().unwrap().expect("the job is due");
        assert_eq!(claimed.job.id, job.id);
        // The push got as far as the first neighbour on the router, then the process died.
        let r = lab.router("r1");
        let vtysh: Vec<String> = r["vtysh"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let applied = Command::new(&vtysh[0])
            .args(&vtysh[1..])
            .args([
                "-c",
                "configure terminal",
                "-c",
                "router bgp 64496",
                "-c",
                "neighbor 192.0.2.104 remote-as 64504",
                "-c",
                "neighbor 192.0.2.104 peer-group IX-V4",
            ])
            .status()
            .unwrap();
        assert!(applied.success());
    }

    let restarted =
        peerdesk_core::Peerdesk::open(&f.db_path, f.secrets.clone(), f.clock.clone()).unwrap();
    restarted.start_jobs(&NoEvents).unwrap();
    assert_eq!(
        restarted.get_job(job.id).unwrap().status,
        JobStatus::Interrupted
    );
    restarted.reconcile_interrupted_jobs(&NoEvents).unwrap();
    let j = restarted.get_job(job.id).unwrap();
    assert_eq!(
        j.status,
        JobStatus::Interrupted,
        "not re-run: the user decides"
    );
    assert!(
        j.result.contains("1 of 2 sessions are on them"),
        "{} {:?}",
        j.result,
        j.log
    );
    assert_eq!(
        restarted.get_session(ids[0]).unwrap().config_state,
        ConfigState::Configured,
        "the router has 192.0.2.104"
    );
    assert_eq!(
        restarted.get_session(ids[1]).unwrap().config_state,
        ConfigState::NotConfigured,
        "the router does not have 192.0.2.105, and nothing was pushed"
    );
    let runner = DefaultRunner {
        wait_for_peer: Duration::ZERO,
    };
    f.clock.advance(Minutes::minutes(5));
    assert_eq!(restarted.run_due_jobs(&runner, &NoEvents).unwrap(), 0);
    assert_eq!(
        restarted.get_session(ids[1]).unwrap().config_state,
        ConfigState::NotConfigured
    );
}
