//! The router lab (tests/lab/lab.sh) for the tests that talk to real FRR and
//! BIRD routers: FRR and BIRD in network namespaces, each behind its own sshd
//! on 127.0.0.1, far ends that answer BGP. Needs root for the namespaces; CI
//! runs as root. Elsewhere `Lab::up` says why it did not run and returns
//! `None`, unless PEERDESK_REQUIRE_LAB=1 makes that a failure. Each test's lab
//! has its own folder under target/ (so its own namespaces and ports) and is
//! taken down when dropped.

use super::attach;
use peerdesk_core::devices::ssh::{HostKey, Output, RouterSession, SshAuth, SshTarget};
use peerdesk_core::devices::transport::{RouterConnector, RouterTransport};
use peerdesk_core::devices::{AuthMethod, NewRouter, Platform, Router};
use peerdesk_core::peering::{Exchange, NewPeerGroup, SessionType};
use peerdesk_core::secrets::Secret;
use peerdesk_core::values::AddressFamily;
use peerdesk_core::Peerdesk;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a [`HookedLogin`] does around each command: it gets the command and
/// a way to run it on the router, and decides when (or whether) to.
pub type CommandHook = dyn Fn(&str, &dyn Fn() -> peerdesk_core::Result<Output>) -> peerdesk_core::Result<Output>
    + Send
    + Sync;

/// Real SSH to a lab router with a hook around every command: how the tests
/// crash, hang or drop a connection at an exact step of a push.
pub struct HookedLogin {
    pub port: u16,
    pub user: String,
    pub password: String,
    pub key: HostKey,
    pub hook: Arc<CommandHook>,
}

struct HookedSession {
    ssh: RouterSession,
    hook: Arc<CommandHook>,
}

impl RouterConnector for HookedLogin {
    fn connect(&self, _router: &Router) -> peerdesk_core::Result<Box<dyn RouterTransport>> {
        let ssh = RouterSession::connect(
            &SshTarget {
                host: "127.0.0.1".into(),
                port: self.port,
                user: self.user.clone(),
                auth: SshAuth::Password(Secret::new(self.password.clone())),
                timeout: Duration::from_secs(10),
            },
            Some(&self.key),
        )?;
        Ok(Box::new(HookedSession {
            ssh,
            hook: self.hook.clone(),
        }))
    }
}

impl RouterTransport for HookedSession {
    fn exec(&self, command: &str) -> peerdesk_core::Result<Output> {
        (self.hook)(command, &|| self.ssh.exec(command))
    }
    fn upload(&self, path: &str, bytes: &[u8]) -> peerdesk_core::Result<()> {
        self.ssh.upload(path, bytes)
    }
    fn read(&self, path: &str) -> peerdesk_core::Result<Option<String>> {
        self.ssh.read(path)
    }
    fn remove(&self, path: &str) -> peerdesk_core::Result<()> {
        self.ssh.remove(path)
    }
}

pub struct Lab {
    pub dir: PathBuf,
    pub json: Value,
}

fn lab_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/lab/lab.sh")
}

/// Waits until `done`, failing the test after `limit`.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < until, "gave up waiting after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Lab {
    /// Starts a lab in `target/lab-<tag>-<pid>`.
    pub fn up(tag: &str) -> Option<Lab> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        if !root {
            assert!(
                std::env::var_os("PEERDESK_REQUIRE_LAB").is_none(),
                "the router lab needs root"
            );
            eprintln!("router lab skipped: it needs root for network namespaces (CI runs as root)");
            return None;
        }
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../target/lab-{tag}-{}", std::process::id()));
        let t = Instant::now();
        let ok = Command::new("bash")
            .arg(lab_script())
            .arg("up")
            .arg(&dir)
            // CI may clone under /tmp, whose permissions sshd StrictModes refuses.
            .env("LAB_STRICT_MODES", "no")
            .status()
            .expect("bash runs lab.sh")
            .success();
        // Built before the assertion, so a half-started lab is still taken down.
        let lab = Lab {
            json: serde_json::from_str(
                &std::fs::read_to_string(dir.join("lab.json")).unwrap_or_default(),
            )
            .unwrap_or(Value::Null),
            dir,
        };
        assert!(ok, "the lab came up");
        eprintln!("lab up in {} ms", t.elapsed().as_millis());
        Some(lab)
    }

    pub fn router(&self, name: &str) -> &Value {
        self.json["routers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
    }

    pub fn password(&self) -> String {
        std::fs::read_to_string(self.json["ssh"]["password_file"].as_str().unwrap())
            .unwrap()
            .trim()
            .to_string()
    }

    pub fn ssh_port(&self, router: &str) -> u16 {
        self.router(router)["ssh_port"].as_u64().unwrap() as u16
    }

    /// A login to the router as the lab user, checked against `key`, with
    /// `hook` around every command.
    pub fn hooked_login(&self, router: &str, key: HostKey, hook: Arc<CommandHook>) -> HookedLogin {
        HookedLogin {
            port: self.ssh_port(router),
            user: self.router(router)["user"].as_str().unwrap().into(),
            password: self.password(),
            key,
            hook,
        }
    }

    /// Runs vtysh on the router directly (not through Peerdesk), one `-c` per line.
    pub fn vtysh_lines(&self, router: &str, lines: &[&str]) -> String {
        let mut args: Vec<String> = self.router(router)["vtysh"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        for l in lines {
            args.push("-c".into());
            args.push((*l).into());
        }
        let out = Command::new(&args[0]).args(&args[1..]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn vtysh(&self, router: &str, cmd: &str) -> String {
        self.vtysh_lines(router, &[cmd])
    }

    pub fn running(&self, router: &str) -> String {
        self.vtysh(router, "show running-config")
    }

    pub fn bgp_state(&self, router: &str, ip: &str) -> Option<String> {
        let json = self.vtysh(router, &format!("show bgp neighbors {ip} json"));
        let v: Value = serde_json::from_str(&json).ok()?;
        v[ip]["bgpState"].as_str().map(str::to_string)
    }

    /// Lab router `name` (FRR or BIRD) in Peerdesk on `ix`, with the peer group
    /// its configuration uses (FRR IX-V4 / BIRD IX_PEERS, with their policies).
    pub fn add_router(&self, core: &Peerdesk, name: &str, ix: &Exchange) -> Router {
        let r = self.router(name);
        let bird = r["platform"] == "bird2";
        core.add_router(&NewRouter {
            name: name.into(),
            mgmt_address: "127.0.0.1".into(),
            ssh_port: r["ssh_port"].as_i64().unwrap(),
            platform: if bird { Platform::Bird2 } else { Platform::Frr },
            username: r["user"].as_str().unwrap().into(),
            auth_method: AuthMethod::Password,
            password: Some(self.password()),
            ssh_key_path: None,
            local_asn: "64496".into(),
            notes: String::new(),
            control_command: bird.then(|| {
                r["birdc"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            config_dir: bird.then(|| r["peers_dir"].as_str().unwrap().to_string()),
            attachments: vec![attach(
                ix,
                r["ipv4"].as_str().unwrap(),
                r["ipv6"].as_str().unwrap(),
            )],
            new_peer_group: Some(NewPeerGroup {
                router_id: None,
                name: if bird {
                    "IX_PEERS".into()
                } else {
                    "IX-V4".into()
                },
                exchange_id: Some(ix.id),
                family: AddressFamily::Ipv4,
                import_policy: if bird {
                    "PEER_IN".into()
                } else {
                    "PEER-IN".into()
                },
                export_policy: if bird {
                    "PEER_OUT".into()
                } else {
                    "PEER-OUT".into()
                },
                max_prefix: Some(1000),
                session_type: SessionType::Peer,
            }),
        })
        .unwrap()
    }

    /// Trusts the host key the router presents, after checking it is one of the lab's.
    pub fn trust(&self, core: &Peerdesk, router_id: i64, name: &str) {
        let key = core.probe_router_host_key(router_id).unwrap();
        let known: Vec<String> = self.router(name)["host_keys"]
            .as_object()
            .expect("host keys by type")
            .values()
            .map(|k| k["fingerprint"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(
            known.contains(&key.fingerprint),
            "the key the router shows is one of the lab's: {key:?} in {known:?}"
        );
        core.trust_router_host_key(router_id, &key.fingerprint)
            .unwrap();
    }

    /// Stops the router's sshd (the lab started it; its pidfile says which process).
    pub fn stop_sshd(&self, router: &str) {
        let ssh = self.dir.join(router).join("ssh").canonicalize().unwrap();
        let pid = std::fs::read_to_string(ssh.join("sshd.pid")).unwrap();
        let pid = pid.trim();
        let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        assert!(
            cmdline.contains(&ssh.to_string_lossy().to_string()),
            "pid {pid} is this lab's sshd: {cmdline:?}"
        );
        assert!(Command::new("kill")
            .args(["-TERM", pid])
            .status()
            .unwrap()
            .success());
        let port = self.ssh_port(router);
        wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        });
    }

    /// Starts the router's sshd again with the lab's own configuration.
    pub fn start_sshd(&self, router: &str) {
        // Canonical, as lab.sh writes it: `down` (and stop_sshd) find this
        // sshd by its folder in the command line.
        let ssh = self.dir.join(router).join("ssh").canonicalize().unwrap();
        let ok = Command::new("/usr/sbin/sshd")
            .arg("-f")
            .arg(ssh.join("sshd_config"))
            .arg("-E")
            .arg(ssh.join("sshd.log"))
            .status()
            .unwrap()
            .success();
        assert!(ok, "sshd started again");
        let port = self.ssh_port(router);
        wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let down = Command::new("bash")
            .arg(lab_script())
            .arg("down")
            .arg(&self.dir)
            .status();
        // Keep the folder when `down` failed: its pidfiles are how the lab is stopped by hand.
        if matches!(down, Ok(s) if s.success()) {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!(
                "lab down failed: stop it with tests/lab/lab.sh down {}",
                self.dir.display()
            );
        }
    }
}
