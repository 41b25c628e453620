//! Communications through the public API: the peer status machine, and email
//! to a real SMTP server (aiosmtpd from Debian, tests/smtp/server.py) on
//! 127.0.0.1 with STARTTLS and AUTH.

mod common;

use common::*;
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
