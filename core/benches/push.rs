//! Pushing 200 new sessions to a lab FRR router (tests/lab) in one connection,
//! including read-back and verification (target ≤ 5 s), against the naive way:
//! one connection and one push per session (measured on 20, extrapolated).
//! Needs root for the lab's network namespaces; prints figures only.

use peerdesk_core::clock::SystemClock;
use peerdesk_core::devices::{AuthMethod, NewAttachment, NewRouter, Platform};
use peerdesk_core::peering::{NewExchange, NewSession, SessionType};
use peerdesk_core::secrets::MemorySecretStore;
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides};
use peerdesk_core::Peerdesk;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !root {
        println!("push benchmark skipped: the router lab needs root (network namespaces)");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = repo.join("target/lab-bench-push");
    let lab = repo.join("tests/lab/lab.sh");
    assert!(Command::new("bash")
        .arg(&lab)
        .arg("up")
        // CI may clone under /tmp, whose permissions sshd StrictModes refuses.
        .env("LAB_STRICT_MODES", "no")
        .arg(&dir)
        .env("LAB_QUIET", "1")
        .status()
        .unwrap()
        .success());
    let result = std::panic::catch_unwind(|| run(&dir));
    let _ = Command::new("bash")
        .arg(&lab)
        .arg("down")
        .arg(&dir)
        .env("LAB_QUIET", "1")
        .status();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

fn run(dir: &std::path::Path) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("lab.json")).unwrap()).unwrap();
    let r1 = json["routers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "r1")
        .unwrap()
        .clone();
    let password = std::fs::read_to_string(json["ssh"]["password_file"].as_str().unwrap())
        .unwrap()
        .trim()
        .to_string();
    let db = dir.join("bench.db");
    let _ = std::fs::remove_file(&db);
    let core = Peerdesk::open(
        &db,
        Arc::new(MemorySecretStore::new()),
        Arc::new(SystemClock),
    )
    .unwrap();
    let ix = core
        .add_exchange(&NewExchange {
            name: "Lab IX".into(),
            city: String::new(),
            country: String::new(),
            peeringdb_ix_id: None,
            peeringdb_ixlan_id: None,
            prefix_v4: Some("192.0.2.0/24".into()),
            prefix_v6: Some("2001:db8:1::/64".into()),
        })
        .unwrap();
    let router = core
        .add_router(&NewRouter {
            name: "r1".into(),
            mgmt_address: "127.0.0.1".into(),
            ssh_port: r1["ssh_port"].as_i64().unwrap(),
            platform: Platform::Frr,
            username: r1["user"].as_str().unwrap().into(),
            auth_method: AuthMethod::Password,
            password: Some(password),
            ssh_key_path: None,
            local_asn: "64496".into(),
            notes: String::new(),
            control_command: None,
            config_dir: None,
            attachments: vec![NewAttachment {
                exchange_id: ix.id,
                ipv4: Some("192.0.2.1".into()),
                ipv6: Some("2001:db8:1::1".into()),
            }],
            new_peer_group: None,
        })
        .unwrap();
    let key = core.probe_router_host_key(router.id).unwrap();
    core.trust_router_host_key(router.id, &key.fingerprint)
        .unwrap();
    // 200 IPv6 neighbours (addresses nobody answers on: no waiting for peers).
    let ids: Vec<i64> = (0..220)
        .map(|i| {
            core.add_session(&NewSession {
                session_type: SessionType::Peer,
                exchange_id: Some(ix.id),
                router_id: router.id,
                asn: (4_200_000_000u32 + i).to_string(),
                peer_name: format!("Bench {i}"),
                as_set: String::new(),
                peer_ipv4: None,
                peer_group_v4: None,
                peer_ipv6: Some(format!("2001:db8:1::1:{:x}", i + 1)),
                peer_group_v6: None,
                md5_password: None,
                notes: String::new(),
            })
            .unwrap()[0]
                .id
        })
        .collect();
    let (batch, naive) = ids.split_at(200);
    let t = Instant::now();
    let out = core
        .push_batch(router.id, batch, ConfigOperation::Add, Duration::ZERO)
        .unwrap();
    let batch_s = t.elapsed().as_secs_f64();
    println!("push 200 new sessions in one connection, with read-back and verification: {batch_s:.2} s  (target ≤ 5 s)");
    for l in &out.log {
        println!("    {l}");
    }
    let t = Instant::now();
    for id in naive {
        core.push_session_config(
            *id,
            ConfigOperation::Add,
            &ConfigOverrides::default(),
            Duration::ZERO,
        )
        .unwrap();
    }
    let per = t.elapsed().as_secs_f64() / naive.len() as f64;
    println!(
        "naive, one connection and push per session: {:.0} ms per session measured on {} → about {:.1} s for 200 ({:.0}x slower)",
        per * 1000.0,
        naive.len(),
        per * 200.0,
        per * 200.0 / batch_s
    );
    let t = Instant::now();
    core.push_batch(router.id, &ids, ConfigOperation::Remove, Duration::ZERO)
        .unwrap();
    println!(
        "remove all 220 in one push: {:.2} s",
        t.elapsed().as_secs_f64()
    );
}
