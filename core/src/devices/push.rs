//! The push pipeline shared by every platform: connect (trusted host key,
//! credentials from the keyring), read the current state, render, apply with
//! the platform's safety mechanism, read back and verify, roll back on failure,
//! wait for the session, and record the outcome on the session and in the
//! audit log. FRR's CLI is not atomic (a multi-line push stops at the first bad
//! line and keeps the lines before it), so its driver restores the neighbour's
//! lines from the snapshot itself; BIRD uses `configure check`, `configure
//! timeout` and `configure confirm` / `undo` on a per-peer file.

use super::ssh::{HostKey, Output, RouterSession, SshAuth, SshTarget};
use super::transport::RouterTransport;
use super::{AuthMethod, Platform, Router};
use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::peering::{AdminState, BgpState, ConfigState, Session};
use crate::secrets::{router_credential_key, session_md5_key};
use crate::templating::config::{ConfigOperation, ConfigOverrides};
use crate::templating::diff::{line_diff, DiffLine};
use serde::Serialize;
use std::time::{Duration, Instant};
use ts_rs::TS;

/// What a push did, for the UI and the log.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PushOutcome {
    pub session: Session,
    /// The configuration that was sent (the MD5 password masked).
    pub sent: String,
    pub rolled_back: bool,
    pub bgp_state: Option<BgpState>,
    /// What happened, in words.
    pub message: String,
    /// Each step with its time, for the details view.
    pub log: Vec<String>,
}

/// The router's side of one neighbour before a change, and the change.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PushPreview {
    pub router_name: String,
    pub platform: Platform,
    /// The router's current configuration of this neighbour (empty when it has none).
    pub current: String,
    /// The configuration to send (the MD5 password masked).
    pub proposed: String,
    /// The neighbour's configuration now against what it will be after the change.
    pub diff: Vec<DiffLine>,
}

const MASK: &str = "********";

pub(crate) struct Cli<'a> {
    pub(crate) ssh: &'a dyn RouterTransport,
    pub(crate) control: &'a str,
    pub(crate) platform: Platform,
}

impl Cli<'_> {
    /// Runs router CLI text: straight to the login shell when it is the CLI,
    /// else through the router's control command.
    pub(crate) fn run(&self, text: &str) -> Result<Output> {
        if self.control.is_empty() {
            return self.ssh.exec(text);
        }
        let line = match self.platform {
            Platform::Bird2 => super::access::command_line(self.control, &[text])?,
            _ => super::access::command_line(self.control, &["-c", text])?,
        };
        self.ssh.exec(&line)
    }
}

/// FRR prints errors on stdout and exits non-zero; some only start with `%`.
fn frr_error(out: &Output) -> Option<String> {
    let bad: Vec<&str> = out
        .stdout
        .lines()
        .chain(out.stderr.lines())
        .filter(|l| {
            l.trim_start().starts_with('%') || l.contains("Unknown command") || l.contains("Error")
        })
        .collect();
    if out.status != 0 || !bad.is_empty() {
        let text = if bad.is_empty() {
            out.stdout.trim().to_string()
        } else {
            bad.join("; ")
        };
        Some(if text.is_empty() {
            format!("exit status {}", out.status)
        } else {
            text
        })
    } else {
        None
    }
}

/// The lines of an FRR running-config that configure `ip`, grouped by the
/// `router bgp` section and address family they sit in.
pub(crate) fn frr_neighbor_lines(running: &str, ip: &str) -> Vec<(Option<String>, String)> {
    let needle = format!("neighbor {ip} ");
    let mut af: Option<String> = None;
    let mut out = Vec::new();
    for line in running.lines() {
        let t = line.trim();
        if t.starts_with("address-family ") {
            af = Some(t.to_string());
        } else if t == "exit-address-family" || !line.starts_with(' ') {
            af = None;
        }
        if t.starts_with(&needle) || t == format!("neighbor {ip}") {
            out.push((af.clone(), t.to_string()));
        }
    }
    out
}

/// The router's text with every password value shown as [`MASK`], so what
/// the router has never reaches the UI: the words after `password` (FRR, BIRD,
/// IOS-XR `password clear`, EOS `password 0`) or `authentication-key`.
fn mask_passwords(text: &str) -> String {
    text.lines()
        .map(|line| {
            let words: Vec<&str> = line.split(' ').collect();
            match words
                .iter()
                .position(|w| *w == "password" || *w == "authentication-key")
            {
                Some(i) if i + 1 < words.len() => {
                    let end = if line.trim_end().ends_with(';') {
                        ";"
                    } else {
                        ""
                    };
                    format!("{} {MASK}{end}\n", words[..=i].join(" "))
                }
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// A neighbour's FRR lines as one text, each prefixed by its address family.
fn frr_neighbor_text(config: &str, ip: &str) -> String {
    frr_neighbor_lines(config, ip)
        .into_iter()
        .map(|(af, l)| match af {
            Some(af) => format!("{af} / {l}\n"),
            None => format!("{l}\n"),
        })
        .collect()
}

/// The review diff of a change: the neighbour's lines now (`current`)
/// against what they will be once `proposed` (MD5 masked) is applied.
pub(crate) fn review_diff(
    platform: Platform,
    op: ConfigOperation,
    ip: &str,
    current: &str,
    proposed: &str,
) -> Vec<DiffLine> {
    line_diff(
        current,
        &expected_after(platform, op, ip, current, proposed),
    )
}

/// What the router's configuration of the neighbour should be after `op`,
/// in the form `current` has, for the review diff. FRR merges the sent lines
/// into what is there; BIRD's per-peer file is replaced.
fn expected_after(
    platform: Platform,
    op: ConfigOperation,
    ip: &str,
    current: &str,
    proposed: &str,
) -> String {
    if op == ConfigOperation::Remove {
        return String::new();
    }
    match platform {
        Platform::Frr => {
            let shutdown = format!("neighbor {ip} shutdown");
            let mut lines: Vec<String> = current
                .lines()
                .filter(|l| !(op == ConfigOperation::Enable && l.trim() == shutdown))
                .map(str::to_string)
                .collect();
            for l in frr_neighbor_text(proposed, ip).lines() {
                if !lines.iter().any(|c| c == l) {
                    lines.push(l.to_string());
                }
            }
            lines.iter().map(|l| format!("{l}\n")).collect()
        }
        _ => proposed.to_string(),
    }
}

fn frr_restore_text(asn: u32, ip: &str, before: &str, exists_now: bool) -> String {
    let mut text = format!("configure terminal\nrouter bgp {asn}\n");
    if exists_now {
        text.push_str(&format!(" no neighbor {ip}\n"));
    }
    let lines = frr_neighbor_lines(before, ip);
    for (_, l) in lines.iter().filter(|(af, _)| af.is_none()) {
        text.push_str(&format!(" {l}\n"));
    }
    let mut families: Vec<&String> = lines.iter().filter_map(|(af, _)| af.as_ref()).collect();
    families.dedup();
    for fam in families {
        text.push_str(&format!(" {fam}\n"));
        for (_, l) in lines.iter().filter(|(a, _)| a.as_ref() == Some(fam)) {
            text.push_str(&format!("  {l}\n"));
        }
        text.push_str(" exit-address-family\n");
    }
    text.push_str("end\n");
    text
}

fn parse_frr_state(json: &str, ip: &str) -> Option<BgpState> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let state = v.get(ip)?.get("bgpState")?.as_str()?;
    bgp_state_from(state)
}

pub(crate) fn bgp_state_from(s: &str) -> Option<BgpState> {
    Some(match s.to_ascii_lowercase().as_str() {
        "idle" => BgpState::Idle,
        "connect" => BgpState::Connect,
        "active" => BgpState::Active,
        "opensent" => BgpState::OpenSent,
        "openconfirm" => BgpState::OpenConfirm,
        "established" => BgpState::Established,
        _ => return None,
    })
}

/// BIRD `show protocols <name>`: the info column says `Established` or the FSM state.
fn parse_bird_state(out: &str, proto: &str) -> Option<BgpState> {
    let line = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some(proto))?;
    let info = line
        .split_whitespace()
        .skip(5)
        .collect::<Vec<_>>()
        .join(" ");
    if info.starts_with("Established") {
        return Some(BgpState::Established);
    }
    ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm"]
        .iter()
        .find(|s| info.starts_with(*s))
        .and_then(|s| bgp_state_from(s))
        .or(Some(BgpState::Idle))
}

impl crate::Peerdesk {
    /// The host key the user trusted for this router, if any.
    pub fn router_host_key(&self, router_id: i64) -> Result<Option<HostKey>> {
        super::store::host_key(&*self.db()?, router_id)
    }

    /// Reads the router's host key now, without logging in, for the user to compare.
    pub fn probe_router_host_key(&self, router_id: i64) -> Result<HostKey> {
        let router = self.router(router_id)?;
        let target = ssh_target(&router, SshAuth::Agent);
        super::ssh::probe_host_key(&target, None)
    }

    /// Trusts the key the router presents now (the user compared its fingerprint).
    /// `expected` must match what the router presents, so the user trusts what they saw.
    pub fn trust_router_host_key(
        &self,
        router_id: i64,
        expected_fingerprint: &str,
    ) -> Result<HostKey> {
        let key = self.probe_router_host_key(router_id)?;
        if key.fingerprint != expected_fingerprint {
            return Err(Error::HostKeyMismatch {
                key_type: key.key_type,
                fingerprint: key.fingerprint,
                trusted: expected_fingerprint.to_string(),
            });
        }
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = super::store::host_key(&tx, router_id)?;
        super::store::put_host_key(&tx, router_id, &key, &now)?;
        audit::record(
            &tx,
            &now,
            "router",
            Some(router_id),
            AuditAction::Update,
            &format!("Host key {} {} trusted", key.key_type, key.fingerprint),
            old.as_ref(),
            Some(&key),
        )?;
        tx.commit()?;
        Ok(key)
    }

    pub(crate) fn router(&self, id: i64) -> Result<Router> {
        super::store::get_router(&*self.db()?, id)
    }

    pub(crate) fn login(&self, router: &Router) -> Result<RouterSession> {
        // The key is the one Peerdesk names for this router, never a stored
        // string: a reference cannot point this login at another secret.
        let secret = match &router.credential_ref {
            Some(_) => self.secrets().get(&router_credential_key(router.id))?,
            None => None,
        };
        let auth = match router.auth_method {
            AuthMethod::Password => SshAuth::Password(secret.ok_or_else(|| {
                Error::AuthFailed(format!(
                    "no password is stored for {}: set it in Edit Router",
                    router.name
                ))
            })?),
            AuthMethod::Key => SshAuth::Key {
                path: router.ssh_key_path.clone().unwrap_or_default(),
                passphrase: secret,
            },
            AuthMethod::Agent => SshAuth::Agent,
        };
        let target = ssh_target(router, auth);
        let trusted = self.router_host_key(router.id)?;
        RouterSession::connect(&target, trusted.as_ref())
    }

    /// The rendered text with the session's MD5 password from the keyring,
    /// for sending only.
    ///
    /// The key is the one Peerdesk names for this session, never the stored
    /// string, and the value must meet the MD5 password rules before it is
    /// inserted: a keyring entry changed behind Peerdesk's back is refused
    /// rather than allowed to end the statement it sits in.
    pub(crate) fn fill_md5(&self, s: &Session, rendered: &str) -> Result<String> {
        if s.md5_needed {
            return Err(md5_needed(s));
        }
        let md5 = match &s.md5_ref {
            Some(_) => self.secrets().get(&session_md5_key(s.id))?,
            None => None,
        };
        Ok(match md5 {
            Some(m) => {
                crate::values::md5_password(m.expose(), "md5Password").map_err(|_| {
                    Error::invalid(
                        "md5Password",
                        format!(
                            "the MD5 password stored for {} does not meet the rules (printable ASCII without spaces or \" ' \\ ; {{ }} # ! ` $, at most 80 characters): nothing was sent; enter it again in Edit Session",
                            s.peer_ip
                        ),
                    )
                })?;
                rendered.replace(crate::templating::config::MD5_PLACEHOLDER, m.expose())
            }
            None => rendered.to_string(),
        })
    }

    /// What the router has for this neighbour now, and what would be sent.
    pub fn preview_push(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
    ) -> Result<PushPreview> {
        let s = self.get_session(session_id)?;
        let router = self.router(s.router_id)?;
        if router.platform == Platform::Sros {
            return Err(super::commit::render_only(router.platform));
        }
        let rendered = self.render_with_md5_placeholder(session_id, op, overrides)?;
        let ssh = self.connect_router(&router)?;
        self.preview_on(&ssh, &router, &s, op, &rendered.text)
    }

    /// [`Self::preview_push`] on a connection already open to the session's
    /// router, with its rendered text: Configure Sessions reviews all of a
    /// router's sessions in one connection.
    pub(crate) fn preview_on(
        &self,
        ssh: &dyn RouterTransport,
        router: &Router,
        s: &Session,
        op: ConfigOperation,
        rendered: &str,
    ) -> Result<PushPreview> {
        let cli = Cli {
            ssh,
            control: &router.control_command,
            platform: router.platform,
        };
        let current = mask_passwords(&match router.platform {
            Platform::Bird2 => ssh.read(&bird_file(router, s))?.unwrap_or_default(),
            Platform::Junos | Platform::Iosxr | Platform::Eos => {
                super::commit::current_config(&cli, router, s)?
            }
            _ => {
                let running = cli.run("show running-config")?.stdout;
                frr_neighbor_text(&running, &s.peer_ip)
            }
        });
        let proposed = rendered.replace(crate::templating::config::MD5_PLACEHOLDER, MASK);
        let after = expected_after(router.platform, op, &s.peer_ip, &current, &proposed);
        Ok(PushPreview {
            router_name: router.name.clone(),
            platform: router.platform,
            diff: line_diff(&current, &after),
            current,
            proposed,
        })
    }

    /// Pushes one session's configuration and records the outcome. A refused
    /// change is rolled back and the session marked failed with the router's
    /// own message; a session that stays down after a good push is configured,
    /// waiting for the peer.
    pub fn push_session_config(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
        wait_for_peer: Duration,
    ) -> Result<PushOutcome> {
        let s = self.get_session(session_id)?;
        let router = self.router(s.router_id)?;
        if router.platform == Platform::Sros {
            return Err(super::commit::render_only(router.platform));
        }
        let rendered = self.render_with_md5_placeholder(session_id, op, overrides)?;
        let text = self.fill_md5(&s, &rendered.text)?;
        let masked = rendered
            .text
            .replace(crate::templating::config::MD5_PLACEHOLDER, MASK);
        let started = Instant::now();
        let mut log = Vec::new();
        let mut note = |log: &mut Vec<String>, m: String| {
            log.push(format!("{:>6} ms  {m}", started.elapsed().as_millis()))
        };

        let result = (|| -> Result<(bool, Option<BgpState>, String)> {
            let ssh = self.connect_router(&router)?;
            note(
                &mut log,
                format!(
                    "connected to {}:{} as {}",
                    router.mgmt_address, router.ssh_port, router.username
                ),
            );
            let cli = Cli {
                ssh: &ssh,
                control: &router.control_command,
                platform: router.platform,
            };
            match router.platform {
                Platform::Bird2 => self.push_bird(
                    &cli,
                    &ssh,
                    &router,
                    &s,
                    op,
                    &text,
                    wait_for_peer,
                    &mut log,
                    &mut note,
                ),
                Platform::Junos | Platform::Iosxr | Platform::Eos => self.push_committed(
                    &cli,
                    &router,
                    &s,
                    op,
                    &text,
                    wait_for_peer,
                    &mut log,
                    &mut note,
                ),
                _ => self.push_frr(
                    &cli,
                    &router,
                    &s,
                    op,
                    &text,
                    wait_for_peer,
                    &mut log,
                    &mut note,
                ),
            }
        })();

        let now = self.now();
        let (config_state, bgp_state, message, rolled_back, err) = match result {
            Ok((_, state, message)) => {
                let cs = if op == ConfigOperation::Remove {
                    ConfigState::NotConfigured
                } else {
                    ConfigState::Configured
                };
                (cs, state, message, false, None)
            }
            Err(e) => {
                let rolled = matches!(e, Error::Rejected(_));
                (
                    ConfigState::Failed,
                    s.bgp_state,
                    e.to_string(),
                    rolled,
                    Some(e),
                )
            }
        };
        {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            crate::peering::set_states(&tx, session_id, config_state, bgp_state, Some(&now))?;
            // Admin Down / Up change what the session is, once the router has it.
            if err.is_none() {
                match op {
                    ConfigOperation::Shutdown => {
                        crate::peering::set_admin_state(&tx, session_id, AdminState::Down)?
                    }
                    ConfigOperation::Enable => {
                        crate::peering::set_admin_state(&tx, session_id, AdminState::Up)?
                    }
                    _ => {}
                }
            }
            let after = crate::peering::get_session_in(&tx, session_id)?;
            audit::record(
                &tx,
                &now,
                "session",
                Some(session_id),
                AuditAction::Update,
                &format!(
                    "{} {} on {}: {message}",
                    op.as_str(),
                    s.peer_ip,
                    router.name
                ),
                Some(&s),
                Some(&after),
            )?;
            tx.commit()?;
        }
        if let Some(e) = err {
            // Unreachable / auth / host-key problems change nothing on the router:
            // the session keeps its previous state and the caller sees why.
            // A connection that dropped mid-change with the router's state not
            // known afterwards stays failed, so nothing looks configured.
            let stays_failed = matches!(
                e,
                Error::Rejected(_)
                    | Error::ConnectionLost {
                        restored: false,
                        ..
                    }
            );
            if !stays_failed {
                let mut conn = self.db()?;
                let tx = conn.transaction()?;
                crate::peering::set_states(
                    &tx,
                    session_id,
                    s.config_state,
                    s.bgp_state,
                    s.bgp_refreshed_at.as_deref(),
                )?;
                tx.commit()?;
            }
            return Err(e);
        }
        Ok(PushOutcome {
            session: self.get_session(session_id)?,
            sent: masked,
            rolled_back,
            bgp_state,
            message,
            log,
        })
    }

    /// After a connection dropped mid-change: log in again, compare the
    /// running configuration with the snapshot taken before, and restore the
    /// neighbour's lines when they differ. Always an error: the change did not
    /// happen as asked; `restored` says whether the router is known to be as before.
    fn frr_restore_after_drop(
        &self,
        router: &Router,
        ip: &str,
        before: &str,
        dropped: String,
    ) -> Result<(bool, Option<BgpState>, String)> {
        let unknown = |why: String| {
            Error::ConnectionLost {
            message: format!(
                "{dropped}; {why}: the router may hold part of the change. Use Update Session States when it is reachable"
            ),
            restored: false,
        }
        };
        let ssh = self
            .connect_router(router)
            .map_err(|e| unknown(format!("logging in again failed ({e})")))?;
        let cli = Cli {
            ssh: &*ssh,
            control: &router.control_command,
            platform: router.platform,
        };
        let read = || {
            cli.run("show running-config")
                .map(|o| o.stdout)
                .map_err(|e| unknown(format!("reading the configuration again failed ({e})")))
        };
        let now = read()?;
        let found = if now == before {
            "the router did not take the change"
        } else {
            let present = !frr_neighbor_lines(&now, ip).is_empty();
            cli.run(&frr_restore_text(router.local_asn, ip, before, present))
                .map_err(|e| unknown(format!("restoring failed ({e})")))?;
            if read()? != before {
                return Err(unknown(
                    "restoring did not give back the exact configuration".into(),
                ));
            }
            "the router had taken the change and it was taken back"
        };
        Err(Error::ConnectionLost {
            message: format!(
                "{dropped}; after logging in again {found}: its configuration is as before"
            ),
            restored: true,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn push_frr(
        &self,
        cli: &Cli<'_>,
        router: &Router,
        s: &Session,
        op: ConfigOperation,
        text: &str,
        wait: Duration,
        log: &mut Vec<String>,
        note: &mut dyn FnMut(&mut Vec<String>, String),
    ) -> Result<(bool, Option<BgpState>, String)> {
        let before = cli.run("show running-config")?.stdout;
        note(
            log,
            format!(
                "read the running configuration ({} lines)",
                before.lines().count()
            ),
        );
        // From here until the change is saved, a dropped connection leaves the
        // router in an unknown state: reconnect, read it, and put it back.
        let lost = |e: Error| match e {
            Error::ConnectionLost { message, .. } => {
                self.frr_restore_after_drop(router, &s.peer_ip, &before, message)
            }
            e => Err(e),
        };
        let applied = match cli.run(&format!("configure terminal\n{text}end\n")) {
            Ok(o) => o,
            Err(e) => return lost(e),
        };
        let after = match cli.run("show running-config") {
            Ok(o) => o.stdout,
            Err(e) => return lost(e),
        };
        let refused = frr_error(&applied);
        let present = !frr_neighbor_lines(&after, &s.peer_ip).is_empty();
        let intended = match op {
            // A member of a peer group with `remote-as external` shows only its
            // peer-group line; the state read afterwards proves the AS.
            ConfigOperation::Add | ConfigOperation::Update => present,
            ConfigOperation::Remove => !present,
            ConfigOperation::Shutdown => after
                .lines()
                .any(|l| l.trim() == format!("neighbor {} shutdown", s.peer_ip)),
            ConfigOperation::Enable => !after
                .lines()
                .any(|l| l.trim() == format!("neighbor {} shutdown", s.peer_ip)),
        };
        if refused.is_some() || !intended {
            let why = refused
                .unwrap_or_else(|| "the router's configuration does not show the change".into());
            note(log, format!("refused: {why}; restoring"));
            if after != before {
                let undo = frr_restore_text(router.local_asn, &s.peer_ip, &before, present);
                cli.run(&undo)?;
            }
            let restored = cli.run("show running-config")?.stdout;
            if restored != before {
                return Err(Error::Rejected(format!(
                    "the router refused the change ({why}) and the rollback did not restore it exactly: check {} by hand",
                    router.name
                )));
            }
            note(log, "running configuration restored exactly".into());
            return Err(Error::Rejected(format!(
                "the router refused the change: {why}; nothing was left changed"
            )));
        }
        note(log, "verified in the running configuration".into());
        let saved = match cli.run("write memory") {
            Ok(o) => o,
            Err(e) => return lost(e),
        };
        note(log, format!("saved (write memory, exit {})", saved.status));
        if op == ConfigOperation::Remove {
            return Ok((true, None, "removed from the router".into()));
        }
        let state = match poll(wait, || {
            cli.run(&format!("show bgp neighbors {} json", s.peer_ip))
                .map(|o| parse_frr_state(&o.stdout, &s.peer_ip))
        }) {
            Ok(state) => state,
            // Saved already: the change stands; only the wait was cut short.
            Err(Error::ConnectionLost { .. }) => {
                note(
                    log,
                    "the connection dropped while waiting for the peer".into(),
                );
                None
            }
            Err(e) => return Err(e),
        };
        note(log, format!("BGP state {:?}", state));
        Ok((true, state, describe(state)))
    }

    #[allow(clippy::too_many_arguments)]
    fn push_bird(
        &self,
        cli: &Cli<'_>,
        ssh: &dyn RouterTransport,
        router: &Router,
        s: &Session,
        op: ConfigOperation,
        text: &str,
        wait: Duration,
        log: &mut Vec<String>,
        note: &mut dyn FnMut(&mut Vec<String>, String),
    ) -> Result<(bool, Option<BgpState>, String)> {
        let path = bird_file(router, s);
        let before = ssh.read(&path)?;
        let proto = bird_protocol(s);
        match op {
            ConfigOperation::Remove => ssh.remove(&path)?,
            _ => {
                let mut ctx_text = text.to_string();
                if matches!(op, ConfigOperation::Shutdown | ConfigOperation::Enable) {
                    // Runtime switch plus the file, so a reload keeps it.
                    let rendered = self.render_with_md5_placeholder(
                        s.id,
                        ConfigOperation::Add,
                        &ConfigOverrides {
                            admin_down: Some(op == ConfigOperation::Shutdown),
                            ..ConfigOverrides::default()
                        },
                    )?;
                    ctx_text = self.fill_md5(s, &rendered.text)?;
                    let cmd = if op == ConfigOperation::Shutdown {
                        "disable"
                    } else {
                        "enable"
                    };
                    cli.run(&format!("{cmd} {proto}"))?;
                }
                ssh.upload(&path, ctx_text.as_bytes())?;
            }
        }
        note(log, format!("wrote {path}"));
        let restore = |why: String| -> Result<(bool, Option<BgpState>, String)> {
            match &before {
                Some(b) => ssh.upload(&path, b.as_bytes())?,
                None => ssh.remove(&path)?,
            }
            Err(Error::Rejected(format!(
                "BIRD refused the change: {why}; the previous file is back"
            )))
        };
        let check = cli.run("configure check")?;
        if check.status != 0 || check.stdout.contains("rror") {
            return restore(check.stdout.trim().to_string());
        }
        note(log, "configure check passed".into());
        let apply = cli.run("configure timeout 60")?;
        if apply.status != 0 || apply.stdout.contains("rror") {
            return restore(apply.stdout.trim().to_string());
        }
        let shown = cli.run(&format!("show protocols {proto}"))?;
        let present = shown.status == 0
            && shown
                .stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(proto.as_str()));
        if present == (op == ConfigOperation::Remove) {
            cli.run("configure undo")?;
            return restore("the protocol list does not show the change".into());
        }
        cli.run("configure confirm")?;
        note(log, "configure confirm".into());
        if op == ConfigOperation::Remove {
            return Ok((true, None, "removed from the router".into()));
        }
        let state = poll(wait, || {
            cli.run(&format!("show protocols {proto}"))
                .map(|o| parse_bird_state(&o.stdout, &proto))
        })?;
        note(log, format!("BGP state {:?}", state));
        Ok((true, state, describe(state)))
    }
}

/// Where and how to log in to a router.
fn ssh_target(router: &Router, auth: SshAuth) -> SshTarget {
    SshTarget {
        host: router.mgmt_address.clone(),
        port: router.ssh_port,
        user: router.username.clone(),
        auth,
        timeout: Duration::from_secs(15),
    }
}

pub(super) fn describe(state: Option<BgpState>) -> String {
    match state {
        Some(BgpState::Established) => "configured; the session is Established".into(),
        _ => "configured, waiting for the peer".into(),
    }
}

/// Asks for the state until Established or `wait` passes.
pub(super) fn poll(
    wait: Duration,
    mut read: impl FnMut() -> Result<Option<BgpState>>,
) -> Result<Option<BgpState>> {
    let until = Instant::now() + wait;
    loop {
        let state = read()?;
        if state == Some(BgpState::Established) || Instant::now() >= until {
            return Ok(state);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

pub(crate) fn bird_protocol(s: &Session) -> String {
    let tag: String = s
        .peer_ip
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("pd_as{}_{tag}", s.asn)
}

fn bird_file(router: &Router, s: &Session) -> String {
    let dir = if router.config_dir.is_empty() {
        "/etc/bird/peers"
    } else {
        router.config_dir.as_str()
    };
    format!("{}/{}.conf", dir.trim_end_matches('/'), bird_protocol(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNNING: &str = "frr version 8.4.4\n!\nrouter bgp 64496\n neighbor IX-V4 peer-group\n neighbor 192.0.2.100 remote-as 64500\n neighbor 192.0.2.100 peer-group IX-V4\n neighbor 192.0.2.100 description Example\n !\n address-family ipv4 unicast\n  neighbor 192.0.2.100 activate\n  neighbor 192.0.2.100 maximum-prefix 100\n exit-address-family\nexit\n!\n";

    #[test]
    fn frr_neighbour_lines_are_found_with_their_address_family() {
        let lines = frr_neighbor_lines(RUNNING, "192.0.2.100");
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[3],
            (
                Some("address-family ipv4 unicast".into()),
                "neighbor 192.0.2.100 activate".into()
            )
        );
        assert!(
            frr_neighbor_lines(RUNNING, "192.0.2.10").is_empty(),
            "192.0.2.10 is not 192.0.2.100"
        );
    }

    #[test]
    fn frr_restore_text_removes_then_rebuilds_the_neighbour_from_the_snapshot() {
        let undo = frr_restore_text(64496, "192.0.2.100", RUNNING, true);
        assert!(undo.starts_with("configure terminal\nrouter bgp 64496\n no neighbor 192.0.2.100\n neighbor 192.0.2.100 remote-as 64500\n"));
        assert!(undo.contains(" address-family ipv4 unicast\n  neighbor 192.0.2.100 activate\n  neighbor 192.0.2.100 maximum-prefix 100\n exit-address-family\n"));
        let fresh = frr_restore_text(64496, "192.0.2.99", RUNNING, true);
        assert_eq!(
            fresh, "configure terminal\nrouter bgp 64496\n no neighbor 192.0.2.99\nend\n",
            "a new neighbour is just removed"
        );
    }

    #[test]
    fn states_are_read_from_frr_json_and_bird_protocol_lines() {
        assert_eq!(
            parse_frr_state(
                r#"{"192.0.2.100":{"bgpState":"Established"}}"#,
                "192.0.2.100"
            ),
            Some(BgpState::Established)
        );
        assert_eq!(
            parse_frr_state(r#"{"192.0.2.100":{"bgpState":"Active"}}"#, "192.0.2.100"),
            Some(BgpState::Active)
        );
        let bird = "Name       Proto      Table      State  Since         Info\npd_as64500_192_0_2_100 BGP        ---        up     12:00:01.234  Established   \n";
        assert_eq!(
            parse_bird_state(bird, "pd_as64500_192_0_2_100"),
            Some(BgpState::Established)
        );
        let down = "pd_as64500_192_0_2_100 BGP        ---        start  12:00:01.234  Active        Socket: Connection refused\n";
        assert_eq!(
            parse_bird_state(down, "pd_as64500_192_0_2_100"),
            Some(BgpState::Active)
        );
    }

    #[test]
    fn passwords_the_router_has_are_masked_before_they_leave_core() {
        let text = " neighbor 192.0.2.1 password s3cret\n  password \"s3cret\";\n  password clear s3cret\nneighbor 192.0.2.1 description password\n";
        let masked = mask_passwords(text);
        assert!(!masked.contains("s3cret"), "{masked}");
        assert!(masked.contains(" neighbor 192.0.2.1 password ********\n"));
        assert!(masked.contains("  password ********;\n"));
        assert!(masked.contains("neighbor 192.0.2.1 description password\n"));
    }

    #[test]
    fn the_review_diff_merges_frr_lines_and_replaces_bird_files() {
        let current = frr_neighbor_text(RUNNING, "192.0.2.100");
        let shutdown = "router bgp 64496\n neighbor 192.0.2.100 shutdown\n";
        let after = expected_after(
            Platform::Frr,
            ConfigOperation::Shutdown,
            "192.0.2.100",
            &current,
            shutdown,
        );
        let diff = line_diff(&current, &after);
        let added: Vec<&str> = diff
            .iter()
            .filter(|d| d.kind == crate::templating::diff::DiffKind::Added)
            .map(|d| d.text.as_str())
            .collect();
        assert_eq!(added, vec!["neighbor 192.0.2.100 shutdown"]);
        assert!(expected_after(
            Platform::Frr,
            ConfigOperation::Remove,
            "192.0.2.100",
            &current,
            shutdown
        )
        .is_empty());
        assert_eq!(
            expected_after(
                Platform::Bird2,
                ConfigOperation::Add,
                "192.0.2.100",
                "old\n",
                "new\n"
            ),
            "new\n"
        );
    }

    #[test]
    fn state_reads_keep_uptime_and_prefixes_when_up_and_the_error_when_not() {
        let frr = r#"{
          "IX-V4": {"peerGroupMembers": {}},
          "192.0.2.100": {"bgpState": "Established", "bgpTimerUpMsec": 8000,
            "lastResetDueTo": "Waiting for peer OPEN",
            "addressFamilyInfo": {"ipv4Unicast": {"acceptedPrefixCounter": 3}, "ipv6Unicast": {"acceptedPrefixCounter": 2}}},
          "192.0.2.101": {"bgpState": "Active", "bgpTimerUpMsec": 0,
            "lastNotificationReason": "Cease/Administrative Shutdown",
            "addressFamilyInfo": {"ipv4Unicast": {"acceptedPrefixCounter": 0}}}
        }"#;
        let d = frr_neighbor_details(frr);
        assert_eq!(d.len(), 2, "the peer group is not a neighbour");
        let up = &d["192.0.2.100"];
        assert_eq!(
            (
                up.state,
                up.up_for_ms,
                up.prefixes_received,
                up.last_error.as_deref()
            ),
            (BgpState::Established, Some(8000), Some(5), None)
        );
        let down = &d["192.0.2.101"];
        assert_eq!(
            (
                down.state,
                down.up_for_ms,
                down.prefixes_received,
                down.last_error.as_deref()
            ),
            (
                BgpState::Active,
                None,
                None,
                Some("Cease/Administrative Shutdown")
            )
        );

        let bird = "Name       Proto      Table      State  Since         Info
pd_as64500_192_0_2_100 BGP        ---        up     21:30:03.691  Established
  BGP state:          Established
  Channel ipv4
    State:          UP
    Routes:         4 imported, 1 exported, 4 preferred
pd_as64501_192_0_2_101 BGP        ---        start  21:30:02.120  Active        Socket: Connection refused
  BGP state:          Active
    Neighbor address: 192.0.2.101
    Last error:       Socket: Connection refused
  Channel ipv4
    State:          DOWN
";
        let up = bird_protocol_details(bird, "pd_as64500_192_0_2_100").unwrap();
        assert_eq!(
            (up.state, up.prefixes_received, up.last_error),
            (BgpState::Established, Some(4), None)
        );
        let down = bird_protocol_details(bird, "pd_as64501_192_0_2_101").unwrap();
        assert_eq!(
            (
                down.state,
                down.prefixes_received,
                down.last_error.as_deref()
            ),
            (BgpState::Active, None, Some("Socket: Connection refused"))
        );
        assert!(bird_protocol_details(bird, "pd_as64502_x").is_none());
    }
}

/// The refusal for a session whose MD5 password must be entered first.
pub(crate) fn md5_needed(s: &Session) -> Error {
    Error::invalid(
        "md5Password",
        format!(
            "the session with {} had an MD5 password where it came from; enter it in Edit Session before anything is sent (sending without it would remove it from the router)",
            s.peer_ip
        ),
    )
}

/// What one state refresh read from a router.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RefreshSummary {
    pub router_name: String,
    /// Sessions whose state was read.
    pub updated: u32,
    /// Sessions the router does not have.
    pub missing: u32,
    pub established: u32,
}

/// FRR `show bgp summary json`: peer address → state, in both families (the
/// cheap read a batch polls while waiting for its sessions).
fn frr_summary_states(json: &str) -> std::collections::HashMap<String, BgpState> {
    let mut out = std::collections::HashMap::new();
    let Ok(v) = serde_json::from_str::<serde_json::Value>(json) else {
        return out;
    };
    let Some(families) = v.as_object() else {
        return out;
    };
    for fam in families.values() {
        if let Some(peers) = fam.get("peers").and_then(|p| p.as_object()) {
            for (ip, p) in peers {
                if let Some(state) = p
                    .get("state")
                    .and_then(|s| s.as_str())
                    .and_then(bgp_state_from)
                {
                    out.insert(ip.clone(), state);
                }
            }
        }
    }
    out
}

/// One neighbour as a state read found it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BgpDetails {
    pub state: BgpState,
    /// How long it has been Established, when the router says.
    pub up_for_ms: Option<u64>,
    /// Prefixes accepted from the peer, summed over its address families.
    pub prefixes_received: Option<u32>,
    /// The router's last error or reset reason, kept for a session that is not up.
    pub last_error: Option<String>,
}

impl BgpDetails {
    fn state_only(state: BgpState) -> Self {
        BgpDetails {
            state,
            up_for_ms: None,
            prefixes_received: None,
            last_error: None,
        }
    }
}

/// FRR `show bgp neighbors json`: peer address → what it reports. Peer
/// groups (no `bgpState`) are left out.
fn frr_neighbor_details(json: &str) -> std::collections::HashMap<String, BgpDetails> {
    let mut out = std::collections::HashMap::new();
    let Ok(serde_json::Value::Object(peers)) = serde_json::from_str::<serde_json::Value>(json)
    else {
        return out;
    };
    for (ip, p) in peers {
        let Some(state) = p
            .get("bgpState")
            .and_then(|s| s.as_str())
            .and_then(bgp_state_from)
        else {
            continue;
        };
        let up = state == BgpState::Established;
        let prefixes = p
            .get("addressFamilyInfo")
            .and_then(|a| a.as_object())
            .map(|fams| {
                fams.values()
                    .filter_map(|f| f.get("acceptedPrefixCounter").and_then(|c| c.as_u64()))
                    .sum::<u64>()
            })
            .and_then(|n| u32::try_from(n).ok());
        let last_error = ["lastNotificationReason", "lastResetDueTo"]
            .iter()
            .find_map(|k| p.get(*k).and_then(|v| v.as_str()))
            .map(str::to_string)
            .filter(|_| !up);
        out.insert(
            ip,
            BgpDetails {
                state,
                up_for_ms: p
                    .get("bgpTimerUpMsec")
                    .and_then(|v| v.as_u64())
                    .filter(|_| up),
                prefixes_received: prefixes.filter(|_| up),
                last_error,
            },
        );
    }
    out
}

/// BIRD `show protocols all`: the block of protocol `proto` — its state, the
/// routes its channels imported, and its `Last error`. BIRD prints the time
/// of the last change as a time of day in the router's own time zone, so no
/// uptime is derived from it.
fn bird_protocol_details(text: &str, proto: &str) -> Option<BgpDetails> {
    let state = parse_bird_state(text, proto)?;
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| l.split_whitespace().next() != Some(proto))
        .skip(1)
        .take_while(|l| l.starts_with(' ') || l.is_empty())
        .collect();
    let mut imported: Option<u32> = None;
    let mut last_error = None;
    for l in &block {
        let t = l.trim();
        if let Some(rest) = t.strip_prefix("Routes:") {
            if let Some(n) = rest
                .split(',')
                .find_map(|part| part.trim().strip_suffix(" imported"))
                .and_then(|n| n.trim().parse::<u32>().ok())
            {
                imported = Some(imported.unwrap_or(0) + n);
            }
        } else if let Some(rest) = t.strip_prefix("Last error:") {
            last_error = Some(rest.trim().to_string());
        }
    }
    let up = state == BgpState::Established;
    Some(BgpDetails {
        state,
        up_for_ms: None,
        prefixes_received: imported.filter(|_| up),
        last_error: last_error.filter(|_| !up),
    })
}

impl crate::Peerdesk {
    /// Reads the BGP state of every session on a router in one connection and
    /// stores it with the time it was read (Update Session States / Refresh).
    pub fn refresh_session_states(&self, router_id: i64) -> Result<RefreshSummary> {
        let router = self.router(router_id)?;
        let sessions = self.list_sessions(&crate::peering::SessionFilter {
            router_id: Some(router_id),
            ..Default::default()
        })?;
        let ssh = self.connect_router(&router)?;
        let cli = Cli {
            ssh: &ssh,
            control: &router.control_command,
            platform: router.platform,
        };
        let states: std::collections::HashMap<String, BgpDetails> = match router.platform {
            Platform::Bird2 => {
                let out = cli.run("show protocols all")?.stdout;
                sessions
                    .iter()
                    .filter_map(|s| {
                        bird_protocol_details(&out, &bird_protocol(s))
                            .map(|d| (s.peer_ip.clone(), d))
                    })
                    .collect()
            }
            Platform::Frr => frr_neighbor_details(&cli.run("show bgp neighbors json")?.stdout),
            Platform::Junos | Platform::Iosxr | Platform::Eos => super::commit::live_states(&cli)?
                .into_iter()
                .map(|(ip, st)| (ip, BgpDetails::state_only(st)))
                .collect(),
            other => {
                return Err(Error::invalid(
                    "platform",
                    format!(
                        "reading states from {} routers is not available yet",
                        other.as_str()
                    ),
                ))
            }
        };
        let now = self.now();
        let (mut updated, mut missing, mut established) = (0, 0, 0);
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let read_at = self.clock.now();
        for s in &sessions {
            match states.get(&s.peer_ip) {
                Some(d) => {
                    updated += 1;
                    if d.state == BgpState::Established {
                        established += 1;
                    }
                    let up_since = d.up_for_ms.map(|ms| {
                        crate::clock::stamp(read_at - chrono::Duration::milliseconds(ms as i64))
                    });
                    crate::peering::set_states(
                        &tx,
                        s.id,
                        s.config_state,
                        Some(d.state),
                        Some(&now),
                    )?;
                    crate::peering::set_session_details(
                        &tx,
                        s.id,
                        up_since.as_deref(),
                        d.prefixes_received,
                        d.last_error.as_deref(),
                    )?;
                }
                None => {
                    missing += 1;
                    crate::peering::set_states(&tx, s.id, s.config_state, None, Some(&now))?;
                    crate::peering::set_session_details(&tx, s.id, None, None, None)?;
                }
            }
        }
        tx.commit()?;
        Ok(RefreshSummary {
            router_name: router.name,
            updated,
            missing,
            established,
        })
    }

    /// Refreshes every router with sessions at an exchange; one summary per router.
    pub fn refresh_exchange_states(&self, exchange_id: i64) -> Result<Vec<RefreshSummary>> {
        let mut router_ids: Vec<i64> = self
            .list_sessions(&crate::peering::SessionFilter {
                exchange_id: Some(exchange_id),
                ..Default::default()
            })?
            .into_iter()
            .map(|s| s.router_id)
            .collect();
        router_ids.sort_unstable();
        router_ids.dedup();
        router_ids
            .into_iter()
            .map(|id| self.refresh_session_states(id))
            .collect()
    }
}

/// What a batch push did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchOutcome {
    pub router_name: String,
    pub sessions: u32,
    pub established: u32,
    pub message: String,
    pub log: Vec<String>,
    /// Each session's neighbour lines before the push (passwords masked), by
    /// session id: kept with the outbox items as what was changed.
    #[serde(skip)]
    #[ts(skip)]
    pub before: Vec<(i64, String)>,
}

impl crate::Peerdesk {
    /// Pushes several sessions of one FRR router in one connection and one
    /// configuration step: all of them are applied and verified, or the
    /// router is restored exactly and every one is marked failed.
    pub fn push_batch(
        &self,
        router_id: i64,
        session_ids: &[i64],
        op: ConfigOperation,
        wait: Duration,
    ) -> Result<BatchOutcome> {
        let router = self.router(router_id)?;
        if router.platform != Platform::Frr {
            return Err(Error::invalid(
                "platform",
                "batch pushes are for FRR routers; push BIRD sessions one by one",
            ));
        }
        let sessions: Vec<Session> = session_ids
            .iter()
            .map(|id| self.get_session(*id))
            .collect::<Result<_>>()?;
        if let Some(other) = sessions.iter().find(|s| s.router_id != router_id) {
            return Err(Error::invalid(
                "sessionIds",
                format!("session {} is on another router", other.id),
            ));
        }
        let started = Instant::now();
        let mut log = Vec::new();
        let stamp = |log: &mut Vec<String>, m: String| {
            log.push(format!("{:>6} ms  {m}", started.elapsed().as_millis()))
        };
        let mut text = String::new();
        for s in &sessions {
            let r = self.render_with_md5_placeholder(s.id, op, &ConfigOverrides::default())?;
            text.push_str(&self.fill_md5(s, &r.text)?);
        }
        stamp(
            &mut log,
            format!(
                "rendered {} sessions ({} lines)",
                sessions.len(),
                text.lines().count()
            ),
        );
        let ssh = self.connect_router(&router)?;
        let cli = Cli {
            ssh: &ssh,
            control: &router.control_command,
            platform: router.platform,
        };
        let before = cli.run("show running-config")?.stdout;
        // An SSH exec request carries at most ~32 KiB: send the batch in chunks
        // of whole sessions on the same connection, stopping at the first refusal.
        let mut refused = None;
        let mut chunk = String::new();
        let pieces: Vec<&str> = text.split_inclusive("\nrouter bgp ").collect();
        for (i, piece) in pieces.iter().enumerate() {
            chunk.push_str(piece);
            if chunk.len() > 16 * 1024 || i + 1 == pieces.len() {
                // Split points leave "router bgp " at the end of a piece: carry it over.
                let carry = if i + 1 < pieces.len() {
                    chunk.strip_suffix("router bgp ").map(|c| c.len())
                } else {
                    None
                };
                let (send, rest) = match carry {
                    Some(n) => (chunk[..n].to_string(), "router bgp ".to_string()),
                    None => (std::mem::take(&mut chunk), String::new()),
                };
                let applied = cli.run(&format!("configure terminal\n{send}end\n"))?;
                chunk = rest;
                if let Some(e) = frr_error(&applied) {
                    refused = Some(e);
                    break;
                }
            }
        }
        let after = cli.run("show running-config")?.stdout;
        let missing: Vec<&Session> = sessions
            .iter()
            .filter(|s| {
                let present = !frr_neighbor_lines(&after, &s.peer_ip).is_empty();
                present == (op == ConfigOperation::Remove)
            })
            .collect();
        let now = self.now();
        if refused.is_some() || !missing.is_empty() {
            let why = refused.unwrap_or_else(|| {
                format!("{} session(s) do not show on the router", missing.len())
            });
            for s in &sessions {
                let present = !frr_neighbor_lines(&after, &s.peer_ip).is_empty();
                if frr_neighbor_lines(&after, &s.peer_ip) != frr_neighbor_lines(&before, &s.peer_ip)
                {
                    cli.run(&frr_restore_text(
                        router.local_asn,
                        &s.peer_ip,
                        &before,
                        present,
                    ))?;
                }
            }
            let restored = cli.run("show running-config")?.stdout == before;
            let conn = self.db()?;
            for s in &sessions {
                crate::peering::set_states(
                    &conn,
                    s.id,
                    ConfigState::Failed,
                    s.bgp_state,
                    Some(&now),
                )?;
            }
            return Err(Error::Rejected(if restored {
                format!(
                    "the router refused the batch: {why}; its configuration was restored exactly"
                )
            } else {
                format!("the router refused the batch: {why}; the restore was not exact, check {} by hand", router.name)
            }));
        }
        stamp(
            &mut log,
            format!(
                "applied and verified {} sessions in one step",
                sessions.len()
            ),
        );
        cli.run("write memory")?;
        let mut states = std::collections::HashMap::new();
        if op != ConfigOperation::Remove {
            let until = Instant::now() + wait;
            loop {
                states = frr_summary_states(&cli.run("show bgp summary json")?.stdout);
                let up = sessions
                    .iter()
                    .filter(|s| states.get(&s.peer_ip) == Some(&BgpState::Established))
                    .count();
                if up == sessions.len() || Instant::now() >= until {
                    break;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        let mut established = 0;
        {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            for s in &sessions {
                let st = states.get(&s.peer_ip).copied();
                established += u32::from(st == Some(BgpState::Established));
                let cs = if op == ConfigOperation::Remove {
                    ConfigState::NotConfigured
                } else {
                    ConfigState::Configured
                };
                crate::peering::set_states(&tx, s.id, cs, st, Some(&now))?;
            }
            audit::record(
                &tx,
                &now,
                "router",
                Some(router_id),
                AuditAction::Update,
                &format!(
                    "{} {} sessions on {} in one push",
                    op.as_str(),
                    sessions.len(),
                    router.name
                ),
                None::<&()>,
                Some(&session_ids),
            )?;
            tx.commit()?;
        }
        stamp(
            &mut log,
            format!("{established} of {} Established", sessions.len()),
        );
        Ok(BatchOutcome {
            router_name: router.name,
            sessions: sessions.len() as u32,
            established,
            message: format!(
                "{} sessions configured; {established} Established",
                sessions.len()
            ),
            log,
            before: sessions
                .iter()
                .map(|s| {
                    (
                        s.id,
                        mask_passwords(&frr_neighbor_text(&before, &s.peer_ip)),
                    )
                })
                .collect(),
        })
    }
}
