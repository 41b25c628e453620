//! A crafted inventory file against real FRR and BIRD routers of the lab
//! (root; CI): after importing a file whose sessions name other keyring
//! entries (the router's SSH password, the SMTP password), every push
//! operation on both routers sends no secret but the session's own MD5
//! password, and every command reaching the router's shell is one the driver
//! built (BIRD's through the control command as quoted words).

mod common;

use common::lab::Lab;
use common::*;
use peerdesk_core::devices::ssh::{HostKey, Output, RouterSession, SshAuth, SshTarget};
use peerdesk_core::devices::transport::{RouterConnector, RouterTransport};
use peerdesk_core::devices::Router;
use peerdesk_core::peering::{NewSession, Session, SessionChanges, SessionType};
use peerdesk_core::secrets::{Secret, SecretStore};
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What reached each router: (router name, command or uploaded file).
type Sent = Arc<Mutex<Vec<(String, String)>>>;

/// Real SSH to the lab routers, recording every command and upload.
struct RecordingLogin {
    password: String,
    keys: HashMap<u16, HostKey>,
    sent: Sent,
}

struct RecordingSession {
    ssh: RouterSession,
    router: String,
    sent: Sent,
}

impl RouterConnector for RecordingLogin {
    fn connect(&self, router: &Router) -> peerdesk_core::Result<Box<dyn RouterTransport>> {
        let ssh = RouterSession::connect(
            &SshTarget {
                host: "127.0.0.1".into(),
                port: router.ssh_port,
                user: router.username.clone(),
                auth: SshAuth::Password(Secret::new(self.password.clone())),
                timeout: Duration::from_secs(10),
            },
            self.keys.get(&router.ssh_port),
        )?;
        Ok(Box::new(RecordingSession {
            ssh,
            router: router.name.clone(),
            sent: self.sent.clone(),
        }))
    }
}

impl RecordingSession {
    fn record(&self, text: String) {
        self.sent.lock().unwrap().push((self.router.clone(), text));
    }
}

impl RouterTransport for RecordingSession {
    fn exec(&self, command: &str) -> peerdesk_core::Result<Output> {
        self.record(command.to_string());
        self.ssh.exec(command)
    }
    fn upload(&self, path: &str, bytes: &[u8]) -> peerdesk_core::Result<()> {
        self.record(format!("upload {path}\n{}", String::from_utf8_lossy(bytes)));
        self.ssh.upload(path, bytes)
    }
    fn read(&self, path: &str) -> peerdesk_core::Result<Option<String>> {
        self.ssh.read(path)
    }
    fn remove(&self, path: &str) -> peerdesk_core::Result<()> {
        self.ssh.remove(path)
    }
}

fn set_md5(f: &Fixture, s: &Session, md5: &str) {
    f.core
        .update_session(
            s.id,
            &SessionChanges {
                session_type: s.session_type,
                peer_group_id: s.peer_group_id,
                peer_ip: s.peer_ip.clone(),
                admin_state: s.admin_state,
                md5_password: Some(md5.into()),
                clear_md5: false,
                notes: String::new(),
            },
        )
        .unwrap();
}

/// The first line of an FRR command the driver builds.
fn frr_command(c: &str) -> bool {
    let first = c.lines().next().unwrap_or("");
    first == "show running-config"
        || first == "configure terminal"
        || first == "write memory"
        || first == "show bgp summary json"
        || first == "show bgp neighbors json"
        || (first.starts_with("show bgp neighbors 192.0.2.") && first.ends_with(" json"))
}

#[test]
fn after_a_crafted_import_every_push_sends_only_the_sessions_own_secret() {
    let Some(lab) = Lab::up("inventory") else {
        return;
    };
    let f = core();
    let ix = exchange(&f.core, "Lab IX", "192.0.2.0/24", "2001:db8:1::/64");
    let r1 = lab.add_router(&f.core, "r1", &ix);
    let b1 = lab.add_router(&f.core, "b1", &ix);
    let groups = f.core.list_peer_groups().unwrap();
    let group_of = |rid: i64| groups.iter().find(|g| g.router_id == rid).unwrap().id;
    let session = |router_id: i64, md5: &str| {
        f.core
            .add_session(&NewSession {
                session_type: SessionType::Peer,
                exchange_id: Some(ix.id),
                router_id,
                asn: "64500".into(),
                peer_name: "Lab far end".into(),
                as_set: String::new(),
                peer_ipv4: Some("192.0.2.100".into()),
                peer_group_v4: Some(group_of(router_id)),
                peer_ipv6: None,
                peer_group_v6: None,
                md5_password: Some(md5.into()),
                notes: String::new(),
            })
            .unwrap()
            .remove(0)
    };
    let s1 = session(r1.id, "Md5-Old-R1");
    let sb = session(b1.id, "Md5-Old-B1");
    f.secrets
        .set("smtp/password", &Secret::new("Smtp-Secret-9"))
        .unwrap();
    let file = f.db_path.with_file_name("inventory.json");
    f.core.export_inventory(&file).unwrap();

    // The crafted file: each session names another entry of this keyring.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for s in v["sessions"].as_array_mut().unwrap() {
        let id = s["routerId"].as_i64().unwrap();
        s["md5Ref"] = if id == r1.id {
            serde_json::json!(format!("router/{}/credential", r1.id))
        } else {
            serde_json::json!("smtp/password")
        };
    }
    std::fs::write(&file, serde_json::to_vec(&v).unwrap()).unwrap();
    f.core.import_inventory(&file).unwrap();

    // The user enters the passwords again and trusts the host keys again.
    for r in f.core.list_routers().unwrap() {
        assert!(r.credential_needed, "{} asks for its password", r.name);
        f.core
            .update_router(r.id, &router_changes(&r, Some(&lab.password())))
            .unwrap();
    }
    lab.trust(&f.core, r1.id, "r1");
    lab.trust(&f.core, b1.id, "b1");
    let s1 = f.core.get_session(s1.id).unwrap();
    let sb = f.core.get_session(sb.id).unwrap();
    assert!(s1.md5_needed && sb.md5_needed);
    set_md5(&f, &s1, "Md5-New-R1");
    set_md5(&f, &sb, "Md5-New-B1");

    let sent: Sent = Arc::default();
    let keys = [r1.id, b1.id]
        .iter()
        .map(|id| {
            let r = f.core.list_routers().unwrap();
            let r = r.iter().find(|r| r.id == *id).unwrap();
            (r.ssh_port, f.core.router_host_key(*id).unwrap().unwrap())
        })
        .collect();
    f.core.set_router_connector(Arc::new(RecordingLogin {
        password: lab.password(),
        keys,
        sent: sent.clone(),
    }));
    for op in [
        ConfigOperation::Add,
        ConfigOperation::Update,
        ConfigOperation::Shutdown,
        ConfigOperation::Enable,
        ConfigOperation::Remove,
    ] {
        for s in [&s1, &sb] {
            // The far end has no MD5 password, so the session does not come up;
            // each push is judged by what it sent.
            let out =
                f.core
                    .push_session_config(s.id, op, &ConfigOverrides::default(), Duration::ZERO);
            eprintln!(
                "{op:?} on {}: {:?}",
                s.router_name,
                out.as_ref().map(|o| &o.message)
            );
        }
    }

    let sent = sent.lock().unwrap().clone();
    let on = |name: &str| -> Vec<&String> {
        sent.iter()
            .filter(|(r, _)| r == name)
            .map(|(_, t)| t)
            .collect()
    };
    let r1_sent = on("r1");
    let b1_sent = on("b1");
    assert!(r1_sent.len() >= 5 && b1_sent.len() >= 5, "{sent:?}");
    let all: String = sent
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for secret in [
        lab.password().as_str(),
        "Smtp-Secret-9",
        "Md5-Old-R1",
        "Md5-Old-B1",
    ] {
        assert!(!all.contains(secret), "{secret} never reaches a router");
    }
    assert!(
        r1_sent.iter().any(|t| t.contains("password Md5-New-R1")),
        "r1 got its own session's MD5 password: {r1_sent:?}"
    );
    assert!(
        !r1_sent.iter().any(|t| t.contains("Md5-New-B1")),
        "and not b1's"
    );
    assert!(
        b1_sent.iter().any(|t| t.contains("Md5-New-B1")),
        "b1 got its own session's MD5 password: {b1_sent:?}"
    );
    assert!(
        !b1_sent.iter().any(|t| t.contains("Md5-New-R1")),
        "and not r1's"
    );
    for c in &r1_sent {
        assert!(frr_command(c), "a command the FRR driver builds: {c}");
    }
    let control = b1
        .control_command
        .split(' ')
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    for c in &b1_sent {
        assert!(
            c.starts_with("upload ") || c.starts_with(&format!("{control} '")),
            "BIRD commands run through the control command as quoted words: {c}"
        );
    }
}
