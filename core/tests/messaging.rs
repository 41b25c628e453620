//! Communications through the public API: the peer status machine, and email
//! to a real SMTP server (aiosmtpd from Debian, tests/smtp/server.py) on
//! 127.0.0.1 with STARTTLS and AUTH. The hardening tests (issue 11, item 4)
//! read each message as the server received it: envelope recipients, the raw
//! header lines before unfolding, and the headers Python's parser decodes.

mod common;

use common::*;
use peerdesk_core::clock::Clock;
use peerdesk_core::messaging::{
    MessageKind, MessageState, PeerAction, PeerFilter, PeerStatus, SmtpMailer, SmtpSecurity,
    SmtpSettingsChanges,
};
use peerdesk_core::ErrorKind;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The SMTP server, stopped by its PID (ours) when dropped.
struct Smtp {
    child: Child,
    port: u16,
    store: PathBuf,
    cert: PathBuf,
}

impl Smtp {
    fn start(dir: &Path, port: u16, extra: &[&str]) -> Smtp {
        let store = dir.join("mail");
        let certs = dir.join("certs");
        let mut child = Command::new("/usr/bin/python3")
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/smtp/server.py"))
            .arg("--store")
            .arg(&store)
            .arg("--starttls")
            .arg(&certs)
            .args(["--port", &port.to_string(), "--max-seconds", "120"])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("/usr/bin/python3 runs the aiosmtpd server (python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("smtp said {line:?}"));
        Smtp {
            child,
            port,
            store,
            cert: certs.join("ca.pem"),
        }
    }

    /// Every message the server accepted, oldest first.
    fn received(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for n in 1.. {
            match std::fs::read_to_string(self.store.join(format!("{n}.json"))) {
                Ok(t) => out.push(serde_json::from_str(&t).unwrap()),
                Err(_) => break,
            }
        }
        out
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn configure(f: &Fixture, smtp: &Smtp, password: &str) {
    f.core
        .update_smtp_settings(&SmtpSettingsChanges {
            host: "127.0.0.1".into(),
            port: i64::from(smtp.port),
            security: SmtpSecurity::Starttls,
            username: "peering".into(),
            password: Some(password.into()),
            clear_password: false,
            ca_file: smtp.cert.to_string_lossy().into_owned(),
            from_name: "Alex Example".into(),
            from_address: "peering@example.net".into(),
            reply_to: "peering-team@example.net".into(),
            cc: String::new(),
            bcc: "archive@example.net".into(),
            cooldown_days: 7,
        })
        .unwrap();
}

/// Two exchanges where we have sessions with AS64500; settings name us.
fn peer_on_two_exchanges(f: &Fixture) {
    let w = world(&f.core);
    f.core
        .add_session(&new_session(
            &w,
            "64500",
            Some("192.0.2.10"),
            Some("2001:db8:1::10"),
        ))
        .unwrap();
    let ams = exchange(
        &f.core,
        "Sample IX Amsterdam",
        "198.51.100.0/24",
        "2001:db8:2::/64",
    );
    let r2 = f
        .core
        .add_router(&new_router(
            "edge2",
            vec![attach(&ams, "198.51.100.1", "2001:db8:2::1")],
        ))
        .unwrap();
    let mut s = new_session(&w, "64500", Some("198.51.100.10"), None);
    s.exchange_id = Some(ams.id);
    s.router_id = r2.id;
    s.peer_group_v4 = None;
    s.peer_group_v6 = None;
    f.core.add_session(&s).unwrap();
    f.core
        .update_settings(&peerdesk_core::settings::SettingsChanges {
            own_asns: vec!["64496".into()],
            org_name: "Example Networks".into(),
            coordinator_name: "Alex Example".into(),
            coordinator_email: "peering@example.net".into(),
            peeringdb_url: None,
            max_prefix_extra: None,
            max_prefix_factor: None,
        })
        .unwrap();
}

#[test]
fn status_actions_follow_the_table_and_illegal_ones_change_nothing() {
    let f = core();
    assert_eq!(f.core.peer_status(64500).unwrap(), PeerStatus::New);
    let e = f
        .core
        .apply_peer_action(64500, PeerAction::MarkApproved)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(
        f.core.peer_history(64500).unwrap().is_empty(),
        "a refused action leaves no trace"
    );
    assert_eq!(
        f.core
            .apply_peer_action(64500, PeerAction::MarkExisting)
            .unwrap(),
        PeerStatus::Existing
    );
    assert_eq!(
        f.core
            .apply_peer_action(64500, PeerAction::MarkNotQualified)
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
    assert_eq!(f.core.peer_status(64500).unwrap(), PeerStatus::Existing);
    assert_eq!(
        f.core
            .apply_peer_action(64500, PeerAction::ResetStatus)
            .unwrap(),
        PeerStatus::New
    );
    assert_eq!(
        f.core
            .apply_peer_action(64500, PeerAction::MarkRequestReceived)
            .unwrap(),
        PeerStatus::RequestReceived
    );
    assert_eq!(
        f.core
            .apply_peer_action(64500, PeerAction::MarkApproved)
            .unwrap(),
        PeerStatus::Approved
    );
    let history = f.core.peer_history(64500).unwrap();
    assert_eq!(history.len(), 4);
    assert!(history[0].summary.contains("Mark Approved"));
    assert_eq!(
        f.core
            .apply_peer_action(64500, PeerAction::SendRequest)
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid,
        "sending goes through email"
    );
}

#[test]
fn send_request_delivers_one_message_and_moves_the_status_to_request_sent() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:smtp-pass-1"]);
    configure(&f, &smtp, "smtp-pass-1");
    peer_on_two_exchanges(&f);

    let mut draft = f.core.draft_request(64500).unwrap();
    assert_eq!(
        draft.subject,
        "Peering request: AS64496 Example Networks / AS64500 Example Peer"
    );
    assert!(
        draft.body.contains("Example IX") && draft.body.contains("Sample IX Amsterdam"),
        "{}",
        draft.body
    );
    assert!(
        draft.body.contains("192.0.2.10") && draft.body.contains("192.0.2.1"),
        "ours and theirs: {}",
        draft.body
    );
    assert!(
        draft.to.is_empty(),
        "no PeeringDB mirror: the user enters the contact"
    );
    draft.to = "noc@peer.example.com".into();
    let out = f.core.send_email(&draft, &SmtpMailer).unwrap();
    assert_eq!(out.status, PeerStatus::RequestSent);
    assert_eq!(out.message.state, MessageState::Sent);

    let got = smtp.received();
    assert_eq!(got.len(), 1, "exactly one message");
    let m = &got[0];
    assert_eq!(m["tls"], true, "STARTTLS was used");
    assert_eq!(m["authenticated"], true);
    assert_eq!(m["headers"]["To"], "noc@peer.example.com");
    assert_eq!(m["headers"]["Subject"], draft.subject);
    assert_eq!(m["headers"]["Reply-To"], "peering-team@example.net");
    assert_eq!(
        m["headers"]["Message-ID"],
        format!("<{}>", out.message.message_id)
    );
    assert!(m["headers"].get("Bcc").is_none(), "Bcc is not a header");
    assert!(
        m["rcpt_tos"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "archive@example.net"),
        "but it is a recipient"
    );
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("Example IX") && body.contains("Sample IX Amsterdam"));

    let history = f.core.peer_history(64500).unwrap();
    assert!(history
        .iter()
        .any(|h| h.kind == "email" && h.message_id == Some(out.message.id)));
    let row = f
        .core
        .list_peers(&PeerFilter::default())
        .unwrap()
        .into_iter()
        .find(|p| p.asn == 64500)
        .unwrap();
    assert_eq!(
        (row.status, row.requests_sent),
        (PeerStatus::RequestSent, 1)
    );
    assert!(
        row.actions.contains(&PeerAction::ResendRequest)
            && !row.actions.contains(&PeerAction::SendRequest)
    );

    let resend = f.core.draft_resend(64500).unwrap();
    assert!(
        resend
            .warning
            .as_deref()
            .unwrap_or("")
            .contains("cool-down"),
        "within 7 days: {:?}",
        resend.warning
    );
    assert!(resend.body.contains("We first wrote on 2026-11-27"));
    assert_eq!(resend.kind, MessageKind::Resend);
}

#[test]
fn a_wrong_password_is_an_auth_error_the_status_stays_and_the_draft_is_kept() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:right"]);
    configure(&f, &smtp, "wrong");
    peer_on_two_exchanges(&f);
    let mut draft = f.core.draft_request(64500).unwrap();
    draft.to = "noc@peer.example.com".into();
    draft.body.push_str("\nA line the user wrote.\n");
    let e = f.core.send_email(&draft, &SmtpMailer).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthFailed, "{e}");
    assert_eq!(f.core.peer_status(64500).unwrap(), PeerStatus::New);
    let kept = f.core.list_messages(64500).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].state, MessageState::Failed);
    assert!(
        kept[0].body.contains("A line the user wrote."),
        "nothing the user wrote is lost"
    );
    assert!(smtp.received().is_empty());
}

#[test]
fn with_the_server_down_the_message_waits_in_the_outbox_and_goes_when_it_is_back() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    // Start once to learn a port and make the certificate, then stop it.
    let first = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    let port = first.port;
    configure(&f, &first, "pw");
    drop(first);
    peer_on_two_exchanges(&f);
    let mut draft = f.core.draft_request(64500).unwrap();
    draft.to = "noc@peer.example.com".into();
    let out = f.core.send_email(&draft, &SmtpMailer).unwrap();
    assert_eq!(out.message.state, MessageState::Queued);
    assert_eq!(
        out.status,
        PeerStatus::New,
        "not Request Sent until the server accepts it"
    );
    assert_eq!(f.core.list_outbox().unwrap().len(), 1);

    let smtp = Smtp::start(&dir, port, &["--auth", "peering:pw"]);
    assert_eq!(f.core.drain_outbox(&SmtpMailer).unwrap(), 1);
    assert!(f.core.list_outbox().unwrap().is_empty());
    assert_eq!(f.core.peer_status(64500).unwrap(), PeerStatus::RequestSent);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0]["headers"]["Message-ID"],
        format!("<{}>", out.message.message_id),
        "the same message, not a new one"
    );
}

#[test]
fn header_injection_and_bad_addresses_are_refused_before_anything_is_sent() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    configure(&f, &smtp, "pw");
    peer_on_two_exchanges(&f);
    let good = {
        let mut d = f.core.draft_request(64500).unwrap();
        d.to = "noc@peer.example.com".into();
        d
    };
    type Mutation = Box<dyn Fn(&mut peerdesk_core::messaging::EmailDraft)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "subject",
            Box::new(|d| d.subject.push_str("\r\nBcc: victim@example.org")),
        ),
        ("subject", Box::new(|d| d.subject.push('\u{7}'))),
        (
            "to",
            Box::new(|d| d.to = "noc@peer.example.com\r\nBcc: victim@example.org".into()),
        ),
        ("to", Box::new(|d| d.to = "not an address".into())),
        ("cc", Box::new(|d| d.cc = "a@b.example, ,@@".into())),
        ("to", Box::new(|d| d.to = String::new())),
    ];
    for (field, mutate) in cases {
        let mut d = good.clone();
        mutate(&mut d);
        let e = f.core.send_email(&d, &SmtpMailer).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::Invalid, Some(field)),
            "{e}"
        );
    }
    assert!(smtp.received().is_empty(), "nothing reached the server");
    assert!(
        f.core.list_messages(64500).unwrap().is_empty(),
        "nothing was stored"
    );
    assert_eq!(f.core.peer_status(64500).unwrap(), PeerStatus::New);
}

#[test]
fn a_refused_recipient_is_a_rejected_error_with_the_servers_reply() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(
        &dir,
        0,
        &[
            "--auth",
            "peering:pw",
            "--reject-rcpt",
            "gone@peer.example.com",
        ],
    );
    configure(&f, &smtp, "pw");
    peer_on_two_exchanges(&f);
    let mut d = f.core.draft_request(64500).unwrap();
    d.to = "gone@peer.example.com".into();
    let e = f.core.send_email(&d, &SmtpMailer).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert!(e.to_string().contains("550"), "{e}");
}

#[test]
fn smtp_settings_refuse_plain_text_to_another_machine_and_keep_the_password_in_the_keyring() {
    let f = core();
    let mut c = SmtpSettingsChanges {
        host: "smtp.example.net".into(),
        port: 25,
        security: SmtpSecurity::Plain,
        username: "u".into(),
        password: Some("Smtp-Secret-99".into()),
        clear_password: false,
        ca_file: String::new(),
        from_name: "A\r\nB".into(),
        from_address: "peering@example.net".into(),
        reply_to: String::new(),
        cc: String::new(),
        bcc: String::new(),
        cooldown_days: 7,
    };
    assert_eq!(
        f.core.update_smtp_settings(&c).unwrap_err().field(),
        Some("security")
    );
    c.security = SmtpSecurity::Starttls;
    assert_eq!(
        f.core.update_smtp_settings(&c).unwrap_err().field(),
        Some("fromName")
    );
    c.from_name = "Alex".into();
    let s = f.core.update_smtp_settings(&c).unwrap();
    assert!(s.has_password);
    assert_eq!(f.secrets.keys(), vec!["smtp/password".to_string()]);
    assert!(!contains(&db_bytes(&f), "Smtp-Secret-99"));
}

#[test]
fn an_untrusted_server_certificate_is_a_tls_error_not_a_queued_message() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    configure(&f, &smtp, "pw");
    let mut s = f.core.get_smtp_settings().unwrap();
    s.ca_file.clear();
    f.core
        .update_smtp_settings(&SmtpSettingsChanges {
            host: s.host,
            port: i64::from(s.port),
            security: s.security,
            username: s.username,
            password: None,
            clear_password: false,
            ca_file: String::new(),
            from_name: s.from_name,
            from_address: s.from_address,
            reply_to: s.reply_to,
            cc: s.cc,
            bcc: s.bcc,
            cooldown_days: 7,
        })
        .unwrap();
    peer_on_two_exchanges(&f);
    let mut d = f.core.draft_request(64500).unwrap();
    d.to = "noc@peer.example.com".into();
    let e = f.core.send_email(&d, &SmtpMailer).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert!(e.to_string().contains("TLS"), "{e}");
    assert!(
        f.core.list_outbox().unwrap().is_empty(),
        "a TLS failure is not retried blindly"
    );
    assert!(smtp.received().is_empty());
}

#[test]
fn with_a_peeringdb_mirror_the_request_goes_to_the_policy_contact_and_lists_the_common_exchanges() {
    use common::pdb::{dataset, Server};
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let data = dataset(&dir);
    let server = Server::start(&data, &[]);
    let mut o = peerdesk_core::peeringdb::SyncOptions::new(server.url(), None);
    o.requests_per_minute = None;
    f.core
        .sync_peeringdb(&o, &peerdesk_core::events::NoEvents)
        .unwrap();
    drop(server);

    // Us: the network with the most ports; them: a network sharing an exchange that has a Policy contact.
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    let me: u32 = conn
        .query_row("SELECT asn FROM pdb_netixlan GROUP BY asn ORDER BY count(DISTINCT ix_id) DESC, asn LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let (them, shared): (u32, i64) = conn
        .query_row(
            "SELECT n.asn, count(DISTINCT n.ix_id) FROM pdb_netixlan n
             WHERE n.ix_id IN (SELECT ix_id FROM pdb_netixlan WHERE asn = ?1) AND n.asn <> ?1
               AND EXISTS (SELECT 1 FROM pdb_poc p WHERE p.net_id = n.net_id AND p.role = 'Policy'
                           AND p.visible <> 'Private' AND p.email <> '')
             GROUP BY n.asn ORDER BY 2 DESC, n.asn LIMIT 1",
            [me],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let first_policy: String = conn
        .query_row(
            "SELECT p.email FROM pdb_poc p JOIN pdb_net n ON n.id = p.net_id
             WHERE n.asn = ?1 AND p.role = 'Policy' AND p.visible <> 'Private' AND p.email <> '' ORDER BY p.id LIMIT 1",
            [them],
            |r| r.get(0),
        )
        .unwrap();
    f.core
        .update_settings(&peerdesk_core::settings::SettingsChanges {
            own_asns: vec![me.to_string()],
            org_name: "Example Networks".into(),
            coordinator_name: "Alex Example".into(),
            coordinator_email: "peering@example.net".into(),
            peeringdb_url: None,
            max_prefix_extra: None,
            max_prefix_factor: None,
        })
        .unwrap();
    let d = f.core.draft_request(them).unwrap();
    assert_eq!(d.to, first_policy, "the Policy contact comes first");
    let common = f.core.common_exchanges(them).unwrap();
    assert_eq!(common.len() as i64, shared);
    for c in &common {
        assert!(
            d.body.contains(&c.name),
            "the body names {}: {}",
            c.name,
            d.body
        );
    }
    let peers = f
        .core
        .list_peers(&PeerFilter {
            text: Some(format!("AS{them}")),
            ..Default::default()
        })
        .unwrap();
    assert!(
        peers.is_empty(),
        "PeeringDB members appear only for exchanges we have in the inventory"
    );
    let ix = common[0].ix_id;
    let ex = f
        .core
        .add_exchange(&f.core.exchange_from_pdb(ix).unwrap())
        .unwrap();
    let at_ex = f
        .core
        .list_peers(&PeerFilter {
            exchange_id: Some(ex.id),
            ..Default::default()
        })
        .unwrap();
    assert!(
        at_ex.iter().any(|p| p.asn == them),
        "members of our exchange are listed"
    );
    assert!(at_ex.iter().all(|p| p.asn != me), "we are not our own peer");
    assert!(at_ex
        .iter()
        .all(|p| p.status == PeerStatus::New && p.actions.contains(&PeerAction::SendRequest)));
}

/// A network as the PeeringDB mirror holds it, written straight into the
/// mirror's tables: whatever sync stored, messaging must cope with on its own.
fn mirror_network(f: &Fixture, asn: u32, name: &str, contacts: &[(&str, &str)]) {
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    let t = "2026-11-01T00:00:00Z";
    conn.execute(
        "INSERT INTO pdb_net (id, org_id, asn, name, aka, irr_as_set, info_type, info_types,
            info_never_via_route_servers, policy_general, policy_url, policy_locations,
            allow_ixp_update, website, looking_glass, created, updated, status)
         VALUES (?1, 1, ?2, ?3, '', '', 'NSP', '', 0, 'Open', '', '', 0, '', '', ?4, ?4, 'ok')",
        rusqlite::params![900_000 + asn, asn, name, t],
    )
    .unwrap();
    for (i, (role, email)) in contacts.iter().enumerate() {
        conn.execute(
            "INSERT INTO pdb_poc (id, net_id, role, visible, name, email, phone, created, updated, status)
             VALUES (?1, ?2, ?3, 'Public', ?4, ?5, '', ?6, ?6, 'ok')",
            rusqlite::params![800_000 + i as i64, 900_000 + asn, role, format!("{role} desk"), email, t],
        )
        .unwrap();
    }
}

fn rcpt_tos(m: &Value) -> Vec<String> {
    let mut r: Vec<String> = m["rcpt_tos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    r.sort();
    r
}

/// The raw lines of one header as received: its first line and the folded ones after it.
fn raw_header<'a>(m: &'a Value, name: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = m["raw_header_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} header in {lines:?}"));
    let folded = lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with([' ', '\t']))
        .count();
    lines[start..=start + folded].to_vec()
}

fn header_names(m: &Value) -> Vec<String> {
    m["header_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_ascii_lowercase())
        .collect()
}

#[test]
fn a_contact_field_holding_two_addresses_gives_two_candidates_and_only_the_first_is_written_to() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    configure(&f, &smtp, "pw");
    peer_on_two_exchanges(&f);
    mirror_network(
        &f,
        64500,
        "Example Peer",
        &[
            (
                "Policy",
                "policy@peer.example.com, peering@peer.example.com",
            ),
            ("NOC", "noc@peer"),
            (
                "Technical",
                "tech@peer.example.com;\npolicy@PEER.example.com",
            ),
        ],
    );
    let draft = f.core.draft_request(64500).unwrap();
    assert_eq!(
        draft.to, "policy@peer.example.com",
        "the first address only"
    );
    let listed: Vec<(&str, &str, bool, bool)> = draft
        .candidates
        .iter()
        .map(|c| {
            (
                c.address.as_str(),
                c.role.as_str(),
                c.in_to,
                c.problem.is_some(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("policy@peer.example.com", "Policy", true, false),
            ("peering@peer.example.com", "Policy", false, false),
            ("noc@peer", "NOC", false, true),
            ("tech@peer.example.com", "Technical", false, false),
        ],
        "each address once, a@b-like ones listed with why they cannot be added"
    );
    let out = f.core.send_email(&draft, &SmtpMailer).unwrap();
    assert_eq!(out.message.state, MessageState::Sent);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        rcpt_tos(&got[0]),
        vec!["archive@example.net", "policy@peer.example.com"],
        "exactly To and the settings' Bcc"
    );
    assert_eq!(got[0]["headers"]["To"], "policy@peer.example.com");
    assert!(got[0]["headers"].get("Cc").is_none());

    // The user adds the second candidate with one click: now both, and only those.
    let both = peerdesk_core::messaging::EmailDraft {
        kind: MessageKind::Noc,
        to: "policy@peer.example.com, peering@peer.example.com".into(),
        ..draft.clone()
    };
    f.core.send_email(&both, &SmtpMailer).unwrap();
    let got = smtp.received();
    assert_eq!(
        rcpt_tos(&got[1]),
        vec![
            "archive@example.net",
            "peering@peer.example.com",
            "policy@peer.example.com"
        ]
    );
}

#[test]
fn one_address_rule_refuses_a_at_b_in_the_editor_and_in_the_settings() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    configure(&f, &smtp, "pw");
    peer_on_two_exchanges(&f);
    let mut d = f.core.draft_request(64500).unwrap();
    for (field, to, cc, bcc) in [
        ("to", "a@b", "", ""),
        ("to", "noc@192.0.2.1", "", ""),
        ("to", "noc@[192.0.2.1]", "", ""),
        ("to", "a@peer.example.com; b@peer.example.com", "", ""),
        ("to", "\"a b\"@peer.example.com", "", ""),
        ("cc", "noc@peer.example.com", "x@localhost", ""),
        ("bcc", "noc@peer.example.com", "", "archive@example"),
    ] {
        d.to = to.into();
        d.cc = cc.into();
        d.bcc = bcc.into();
        let e = f.core.send_email(&d, &SmtpMailer).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::Invalid, Some(field)),
            "{to} {cc} {bcc}: {e}"
        );
    }
    assert!(smtp.received().is_empty());
    assert!(
        f.core.list_messages(64500).unwrap().is_empty(),
        "nothing stored"
    );

    let base = SmtpSettingsChanges {
        host: "127.0.0.1".into(),
        port: i64::from(smtp.port),
        security: SmtpSecurity::Starttls,
        username: "peering".into(),
        password: None,
        clear_password: false,
        ca_file: String::new(),
        from_name: "Alex".into(),
        from_address: "peering@example.net".into(),
        reply_to: String::new(),
        cc: String::new(),
        bcc: String::new(),
        cooldown_days: 7,
    };
    type Change = fn(&mut SmtpSettingsChanges);
    let cases: [(&str, Change); 5] = [
        ("fromAddress", |c| c.from_address = "peering@b".into()),
        ("fromAddress", |c| {
            c.from_address = "a@example.net, b@example.net".into()
        }),
        ("replyTo", |c| {
            c.reply_to = "a@example.net, b@example.net".into()
        }),
        ("cc", |c| c.cc = "team@192.0.2.7".into()),
        ("bcc", |c| c.bcc = "archive@localhost".into()),
    ];
    for (field, change) in cases {
        let mut c = base.clone();
        change(&mut c);
        assert_eq!(
            f.core.update_smtp_settings(&c).unwrap_err().field(),
            Some(field)
        );
    }
    assert_eq!(
        f.core.get_smtp_settings().unwrap().from_address,
        "peering@example.net",
        "a refused change keeps the settings"
    );
    let coordinator = f
        .core
        .update_settings(&peerdesk_core::settings::SettingsChanges {
            own_asns: vec!["64496".into()],
            org_name: "Example Networks".into(),
            coordinator_name: "Alex Example".into(),
            coordinator_email: "alex@b".into(),
            peeringdb_url: None,
            max_prefix_extra: None,
            max_prefix_factor: None,
        })
        .unwrap_err();
    assert_eq!(coordinator.field(), Some("coordinatorEmail"));
}

#[test]
fn a_very_long_network_name_gives_a_bounded_subject_folded_within_78_characters() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    configure(&f, &smtp, "pw");
    peer_on_two_exchanges(&f);
    let long_name = "VeryLongNetworkName".repeat(13); // 247 characters, one word
    mirror_network(
        &f,
        64500,
        &long_name,
        &[("Policy", "policy@peer.example.com")],
    );
    let draft = f.core.draft_request(64500).unwrap();
    assert_eq!(draft.subject.chars().count(), 200, "{}", draft.subject);
    assert!(draft.subject.ends_with('…'));
    assert!(draft.warning.as_deref().unwrap_or("").contains("shortened"));
    let out = f.core.send_email(&draft, &SmtpMailer).unwrap();
    assert_eq!(
        out.message.state,
        MessageState::Sent,
        "{}",
        out.message.last_error
    );

    // Typed by the user: longer than 200 is refused on the subject, and a
    // non-ASCII subject with an unbroken word, double spaces and an
    // encoded-word look-alike arrives exactly as typed.
    let mut typed = draft.clone();
    typed.kind = MessageKind::Noc;
    typed.subject = "x".repeat(201);
    let e = f.core.send_email(&typed, &SmtpMailer).unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::Invalid, Some("subject")));
    assert!(e.to_string().contains("200"), "{e}");
    typed.subject = format!(
        "Peering in Zürich  and Großstadt: {} =?utf-8?b?SGk=?= end",
        "Ünbroken".repeat(12)
    );
    f.core.send_email(&typed, &SmtpMailer).unwrap();

    let got = smtp.received();
    assert_eq!(got.len(), 2);
    for (m, subject) in got.iter().zip([&draft.subject, &typed.subject]) {
        assert_eq!(&m["headers"]["Subject"], subject.as_str(), "decoded intact");
        let lines = raw_header(m, "Subject");
        assert!(lines.len() > 1, "folded: {lines:?}");
        assert!(lines.iter().all(|l| l.len() <= 78), "{lines:?}");
        let longest = m["raw_header_lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().len())
            .max()
            .unwrap();
        assert!(longest <= 998, "{longest}");
    }
}

#[test]
fn a_network_name_with_line_breaks_stays_inside_the_subject_and_injects_no_header() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let smtp = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    configure(&f, &smtp, "pw");
    peer_on_two_exchanges(&f);
    mirror_network(
        &f,
        64500,
        "Evil Net\r\nBcc: victim@example.org\nX-Injected: yes\u{2028}tail",
        &[("Policy", "policy@peer.example.com")],
    );
    let draft = f.core.draft_request(64500).unwrap();
    assert_eq!(
        draft.subject,
        "Peering request: AS64496 Example Networks / AS64500 Evil Net Bcc: victim@example.org X-Injected: yes tail"
    );
    assert!(
        draft
            .body
            .starts_with("Hello Evil Net Bcc: victim@example.org X-Injected: yes tail"),
        "the rest of the name did not move into the body's first line: {}",
        draft.body
    );
    f.core.send_email(&draft, &SmtpMailer).unwrap();
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m["headers"]["Subject"], draft.subject.as_str());
    assert_eq!(
        rcpt_tos(m),
        vec!["archive@example.net", "policy@peer.example.com"]
    );
    let names = header_names(m);
    assert!(!names.contains(&"x-injected".to_string()), "{names:?}");
    assert!(!names.contains(&"bcc".to_string()), "{names:?}");
    assert_eq!(names.iter().filter(|n| *n == "subject").count(), 1);

    // Typed by the user, a line break in the subject is still refused.
    let mut typed = draft.clone();
    typed.subject = "Hello\r\nX-Injected: yes".into();
    assert_eq!(
        f.core.send_email(&typed, &SmtpMailer).unwrap_err().field(),
        Some("subject")
    );
}

#[test]
fn messages_made_in_the_same_instant_get_distinct_message_ids() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    // The server is down first: every message is queued at the same instant.
    let first = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    let port = first.port;
    configure(&f, &first, "pw");
    drop(first);
    peer_on_two_exchanges(&f);
    let mut d = f.core.draft_request(64500).unwrap();
    d.kind = MessageKind::Noc;
    d.to = "noc@peer.example.com".into();
    let before = f.clock.now();
    for i in 0..40 {
        d.body = format!("Message {i}\n");
        let out = f.core.send_email(&d, &SmtpMailer).unwrap();
        assert_eq!(out.message.state, MessageState::Queued);
    }
    assert_eq!(f.clock.now(), before, "the clock did not move");
    let smtp = Smtp::start(&dir, port, &["--auth", "peering:pw"]);
    for i in 40..50 {
        d.body = format!("Message {i}\n");
        let out = f.core.send_email(&d, &SmtpMailer).unwrap();
        assert_eq!(out.message.state, MessageState::Sent);
    }
    assert_eq!(f.core.drain_outbox(&SmtpMailer).unwrap(), 40);
    let stored = f.core.list_messages(64500).unwrap();
    assert_eq!(stored.len(), 50);
    let ids: std::collections::HashSet<&str> =
        stored.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 50, "all distinct");
    let got = smtp.received();
    assert_eq!(got.len(), 50);
    let on_wire: std::collections::HashSet<String> = got
        .iter()
        .map(|m| m["headers"]["Message-ID"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(on_wire.len(), 50);
    assert!(on_wire.iter().all(|id| id.ends_with("@example.net>")));
}

#[test]
fn a_queued_message_the_address_rule_now_refuses_is_kept_as_failed_and_the_rest_still_go() {
    let f = core();
    let dir = f.db_path.parent().unwrap().to_path_buf();
    let first = Smtp::start(&dir, 0, &["--auth", "peering:pw"]);
    let port = first.port;
    configure(&f, &first, "pw");
    drop(first);
    peer_on_two_exchanges(&f);
    let mut d = f.core.draft_request(64500).unwrap();
    d.kind = MessageKind::Noc;
    d.to = "noc@peer.example.com".into();
    let bad = f.core.send_email(&d, &SmtpMailer).unwrap().message;
    let good = f.core.send_email(&d, &SmtpMailer).unwrap().message;
    // As an older version queued it: an address today's rule refuses.
    rusqlite::Connection::open(&f.db_path)
        .unwrap()
        .execute(
            "UPDATE messages SET to_addrs = 'noc@peer' WHERE id = ?1",
            [bad.id],
        )
        .unwrap();
    let smtp = Smtp::start(&dir, port, &["--auth", "peering:pw"]);
    assert_eq!(f.core.drain_outbox(&SmtpMailer).unwrap(), 1);
    let stored = f.core.list_messages(64500).unwrap();
    let state = |id: i64| stored.iter().find(|m| m.id == id).unwrap();
    assert_eq!(state(bad.id).state, MessageState::Failed);
    assert!(
        state(bad.id).last_error.contains("no dot"),
        "{}",
        state(bad.id).last_error
    );
    assert_eq!(state(bad.id).to, "noc@peer", "the text is kept for editing");
    assert_eq!(state(good.id).state, MessageState::Sent);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        rcpt_tos(&got[0]),
        vec!["archive@example.net", "noc@peer.example.com"]
    );
}
