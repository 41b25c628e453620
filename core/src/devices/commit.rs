//! Drivers for routers with a commit model: Junos, IOS-XR and Arista EOS. They
//! share one pipeline (read the current configuration → stage the change and
//! let the router check it → commit it with the platform's automatic rollback
//! armed → read back and verify → confirm, or roll back) and differ only in
//! the words they send, which [`Dialect`] holds.
//!
//! How the CLI is reached: like FRR's `vtysh -c`, every step is **one SSH exec
//! carrying a whole CLI script, one command per line** (sent to the login
//! shell when it is the CLI, else through the router's control command). A
//! configuration-mode context does not outlive its exec, so each script leaves
//! configuration mode itself and the pipeline decides between execs:
//!
//! 1. read: Junos `show configuration protocols bgp | display set`, IOS-XR
//!    `show running-config router bgp <asn> neighbor <ip>`, EOS `show
//!    running-config section router bgp`;
//! 2. check, a dry run that changes nothing: Junos `configure private`, the
//!    lines, `show | compare`, `commit check`, `rollback 0`, `exit`; IOS-XR
//!    `configure`, the lines, `show commit changes diff`, `abort`; EOS
//!    `configure session pd-<session>-<time>`, the lines, `show session-config
//!    diffs`, `abort`. Any error line ends the push here: nothing was committed;
//! 3. apply with the automatic rollback armed: Junos `commit confirmed 5`,
//!    IOS-XR `commit confirmed 300` (then `show configuration failed` and
//!    `abort`, so a refused commit leaves nothing staged), EOS `commit timer
//!    00:05:00` in the named session;
//! 4. read back with the command of step 1 and verify that the neighbour is
//!    there with its AS (add), gone (remove), shut down or up as asked;
//! 5. confirm (Junos `commit`, IOS-XR `commit`, EOS `configure session <name>
//!    commit`), or roll back now (Junos `rollback 1` + `commit`, IOS-XR
//!    `rollback configuration last 1`, EOS `configure session <name> abort`).
//!
//! A connection lost after step 3 needs no action from us: the router undoes
//! the unconfirmed commit itself when the timer runs out. Nokia SR OS is
//! rendered only; pushing to it is refused with a clear error.

use super::import::DiscoveredNeighbor;
use super::push::{bgp_state_from, Cli};
use super::ssh::Output;
use super::{neighbors, Platform, Router};
use crate::error::{Error, Result};
use crate::peering::{BgpState, Session};
use crate::templating::config::ConfigOperation;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

/// Minutes (Junos), seconds (IOS-XR) or hh:mm:ss (EOS) before an unconfirmed
/// commit rolls itself back: long enough for the read-back, short enough
/// that a lost connection does not leave a half-verified change for long.
const CONFIRM_MINUTES: u32 = 5;

/// The refusal for Nokia SR OS, which Peerdesk renders but does not push to.
pub(crate) fn render_only(platform: Platform) -> Error {
    Error::invalid(
        "platform",
        format!(
            "{} configuration is rendered only: Peerdesk does not push to these routers; copy the rendered text to the router",
            platform.as_str()
        ),
    )
}

/// One platform's words for each step of the pipeline.
struct Dialect {
    read: String,
    check: String,
    apply: String,
    /// After a refused apply: what discards the staged change, if the apply
    /// script did not already.
    discard: Option<String>,
    confirm: String,
    rollback: String,
}

/// The rendered text as CLI lines, blank lines dropped, each ending in `\n`.
fn script_lines(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

fn dialect(platform: Platform, router: &Router, s: &Session, text: &str, name: &str) -> Dialect {
    let body = script_lines(text);
    match platform {
        Platform::Junos => Dialect {
            read: "show configuration protocols bgp | display set".into(),
            check: format!(
                "configure private\n{body}show | compare\ncommit check\nrollback 0\nexit\n"
            ),
            apply: format!("configure private\n{body}commit confirmed {CONFIRM_MINUTES}\nexit\n"),
            discard: None,
            confirm: "configure private\ncommit\nexit\n".into(),
            rollback: "configure private\nrollback 1\ncommit\nexit\n".into(),
        },
        Platform::Iosxr => Dialect {
            read: read_command(platform, router, s),
            check: format!("configure\n{body}show commit changes diff\nabort\n"),
            apply: format!(
                "configure\n{body}commit confirmed {}\nshow configuration failed\nabort\n",
                CONFIRM_MINUTES * 60
            ),
            discard: None,
            confirm: "configure\ncommit\nend\n".into(),
            rollback: "rollback configuration last 1".into(),
        },
        _ => Dialect {
            read: read_command(platform, router, s),
            check: format!("configure session {name}\n{body}show session-config diffs\nabort\n"),
            apply: format!(
                "configure session {name}\n{body}commit timer 00:{CONFIRM_MINUTES:02}:00\n"
            ),
            discard: Some(format!("configure session {name} abort")),
            confirm: format!("configure session {name} commit"),
            rollback: format!("configure session {name} abort"),
        },
    }
}

/// What shows the router's BGP configuration (of this neighbour, where the CLI can narrow it).
fn read_command(platform: Platform, router: &Router, s: &Session) -> String {
    match platform {
        Platform::Junos => "show configuration protocols bgp | display set".into(),
        Platform::Iosxr => format!(
            "show running-config router bgp {} neighbor {}",
            router.local_asn, s.peer_ip
        ),
        _ => "show running-config section router bgp".into(),
    }
}

/// The router's refusal in its own words: Junos `error:` / `syntax error`
/// lines, IOS-XR and EOS `%` lines (and IOS-XR's `!!%` semantic errors).
fn refusal(platform: Platform, out: &Output) -> Option<String> {
    let bad: Vec<&str> = out
        .stdout
        .lines()
        .chain(out.stderr.lines())
        .map(str::trim)
        .filter(|l| match platform {
            Platform::Junos => {
                // `error: …`, and errors with their subject first (`Policy
                // error: …`), but not `Last Error: None` in a neighbour's detail.
                l.starts_with("error:")
                    || l.contains(" error:")
                    || l.starts_with("syntax error")
                    || l.starts_with("unknown command")
                    || l.starts_with("missing argument")
                    || l.starts_with("invalid ")
            }
            _ => l.starts_with('%') || l.starts_with("!!%"),
        })
        .collect();
    if !bad.is_empty() {
        Some(bad.join("; "))
    } else if out.status != 0 {
        Some(format!("exit status {}", out.status))
    } else {
        None
    }
}

fn parse_config(platform: Platform, text: &str) -> Result<Vec<DiscoveredNeighbor>> {
    match platform {
        Platform::Junos => neighbors::junos_neighbors(text, true),
        Platform::Iosxr => neighbors::iosxr_neighbors(text, true),
        _ => neighbors::eos_neighbors(text, true),
    }
}

fn find<'a>(found: &'a [DiscoveredNeighbor], ip: &str) -> Option<&'a DiscoveredNeighbor> {
    let ip: Option<IpAddr> = ip.parse().ok();
    found
        .iter()
        .find(|n| n.peer_ip.parse::<IpAddr>().ok() == ip)
}

/// Does the configuration read back show exactly the change asked for?
fn shows_change(found: &[DiscoveredNeighbor], s: &Session, op: ConfigOperation) -> bool {
    let n = find(found, &s.peer_ip);
    match op {
        ConfigOperation::Add | ConfigOperation::Update => {
            n.is_some_and(|n| n.remote_asn == Some(s.asn))
        }
        ConfigOperation::Remove => n.is_none(),
        ConfigOperation::Shutdown => n.is_some_and(|n| n.admin_down),
        ConfigOperation::Enable => n.is_some_and(|n| !n.admin_down),
    }
}

/// The neighbour's lines in the router's configuration, for the review.
pub(crate) fn current_config(cli: &Cli<'_>, router: &Router, s: &Session) -> Result<String> {
    let text = cli.run(&read_command(router.platform, router, s))?.stdout;
    let ip = s.peer_ip.as_str();
    let mine = |l: &str| {
        let w: Vec<&str> = l.split_whitespace().collect();
        w.windows(2).any(|p| p[0] == "neighbor" && p[1] == ip)
    };
    Ok(match router.platform {
        // Asked for this neighbour only: all of it, without the time stamp.
        Platform::Iosxr if !text.trim_start().starts_with('%') => text
            .lines()
            .skip_while(|l| !l.starts_with("router bgp "))
            .map(|l| format!("{l}\n"))
            .collect(),
        Platform::Iosxr => String::new(),
        _ => text
            .lines()
            .filter(|l| mine(l))
            .map(|l| format!("{}\n", l.trim_end()))
            .collect(),
    })
}

/// `show bgp neighbor` (Junos, IOS-XR) / `show ip bgp neighbors` (EOS) detail
/// output: address → state. Junos heads each peer `Peer: <ip>+<port> AS …`
/// and says `State: Established` (not to be confused with `Last State:`);
/// IOS-XR says `BGP neighbor is <ip>` … `BGP state = Established, up for …`;
/// EOS says `BGP neighbor is <ip>, remote AS …` … `BGP state is Established, up for …`.
pub(crate) fn parse_neighbor_states(platform: Platform, text: &str) -> HashMap<String, BgpState> {
    let mut out = HashMap::new();
    let mut current: Option<String> = None;
    let addr = |w: &str| -> Option<String> {
        let w = w.trim_end_matches(',');
        // Junos appends the TCP port: 192.0.2.100+179, 2001:db8::1+179.
        let w = w.split('+').next().unwrap_or(w);
        w.parse::<IpAddr>().ok().map(|ip| ip.to_string())
    };
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match (platform, w.as_slice()) {
            (Platform::Junos, ["Peer:", ip, ..]) => current = addr(ip),
            (Platform::Iosxr | Platform::Eos, ["BGP", "neighbor", "is", ip, ..]) => {
                current = addr(ip)
            }
            _ => {}
        }
        let Some(ip) = current.as_ref() else { continue };
        if out.contains_key(ip) {
            continue;
        }
        let state = match platform {
            Platform::Junos => w
                .iter()
                .enumerate()
                .find(|(i, t)| **t == "State:" && (*i == 0 || w[i - 1] != "Last"))
                .and_then(|(i, _)| w.get(i + 1)),
            Platform::Iosxr => match w.as_slice() {
                ["BGP", "state", "=", st, ..] => Some(st),
                _ => None,
            },
            _ => match w.as_slice() {
                ["BGP", "state", "is", st, ..] => Some(st),
                _ => None,
            },
        };
        if let Some(st) = state.and_then(|s| bgp_state_from(s.trim_end_matches(','))) {
            out.insert(ip.clone(), st);
        }
    }
    out
}

/// The command that shows one neighbour's state.
fn state_command(platform: Platform, ip: &str) -> String {
    match platform {
        Platform::Eos if ip.contains(':') => format!("show ipv6 bgp peers {ip}"),
        Platform::Eos => format!("show ip bgp neighbors {ip}"),
        _ => format!("show bgp neighbor {ip}"),
    }
}

/// Every neighbour's state, in one connection (Update Session States).
pub(crate) fn live_states(cli: &Cli<'_>) -> Result<HashMap<String, BgpState>> {
    let commands: &[&str] = match cli.platform {
        Platform::Eos => &["show ip bgp neighbors", "show ipv6 bgp peers"],
        _ => &["show bgp neighbor"],
    };
    let mut states = HashMap::new();
    for c in commands {
        let out = cli.run(c)?;
        if let Some(why) = refusal(cli.platform, &out) {
            return Err(Error::Rejected(format!(
                "the router did not answer `{c}`: {why}"
            )));
        }
        states.extend(parse_neighbor_states(cli.platform, &out.stdout));
    }
    Ok(states)
}

/// A step after the commit that could not finish: the router's own timer undoes the change.
fn after_commit(e: Error) -> Error {
    match e {
        Error::Unreachable(m) => Error::Unreachable(format!(
            "{m}; the change was committed with a {CONFIRM_MINUTES}-minute confirm timer and the router rolls it back by itself unless it is confirmed"
        )),
        other => other,
    }
}

impl crate::Peerdesk {
    /// Junos, IOS-XR and EOS: stage and check, commit with the automatic
    /// rollback armed, read back, verify, then confirm or roll back.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_committed(
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
        let platform = router.platform;
        let stamp: String = self.now().chars().filter(char::is_ascii_digit).collect();
        let name = format!("pd-{}-{}", s.id, &stamp[..stamp.len().min(14)]);
        let d = dialect(platform, router, s, text, &name);

        let before = cli.run(&d.read)?;
        if let Some(why) = refusal(platform, &before).filter(|_| platform != Platform::Iosxr) {
            return Err(Error::Rejected(format!(
                "the router did not show its configuration: {why}; nothing was changed"
            )));
        }
        note(
            log,
            format!(
                "read the BGP configuration ({} lines)",
                before.stdout.lines().count()
            ),
        );

        let check = cli.run(&d.check)?;
        if let Some(why) = refusal(platform, &check) {
            note(log, format!("refused at the check: {why}"));
            return Err(Error::Rejected(format!(
                "the router refused the change: {why}; nothing was committed"
            )));
        }
        note(log, "the router checked the change".into());

        let applied = cli.run(&d.apply)?;
        if let Some(why) = refusal(platform, &applied) {
            note(log, format!("commit refused: {why}"));
            if let Some(discard) = &d.discard {
                cli.run(discard)?;
            }
            return Err(Error::Rejected(format!(
                "the router refused the commit: {why}; nothing was committed"
            )));
        }
        note(
            log,
            format!("committed with a {CONFIRM_MINUTES}-minute confirm timer"),
        );

        let after = cli.run(&d.read).map_err(after_commit)?;
        let verified = parse_config(platform, &after.stdout)
            .map(|found| shows_change(&found, s, op))
            .unwrap_or(false);
        if !verified {
            note(
                log,
                "the read-back does not show the change; rolling back".into(),
            );
            cli.run(&d.rollback).map_err(after_commit)?;
            return Err(Error::Rejected(
                "the router's configuration does not show the change after the commit; it was rolled back"
                    .into(),
            ));
        }
        note(log, "verified in the configuration".into());

        let confirmed = cli.run(&d.confirm).map_err(after_commit)?;
        if let Some(why) = refusal(platform, &confirmed) {
            cli.run(&d.rollback).map_err(after_commit)?;
            return Err(Error::Rejected(format!(
                "the router refused to confirm the commit: {why}; it was rolled back"
            )));
        }
        note(log, "commit confirmed".into());

        if op == ConfigOperation::Remove {
            return Ok((true, None, "removed from the router".into()));
        }
        let state = super::push::poll(wait, || {
            cli.run(&state_command(platform, &s.peer_ip)).map(|o| {
                parse_neighbor_states(platform, &o.stdout)
                    .get(&s.peer_ip)
                    .copied()
            })
        })?;
        note(log, format!("BGP state {:?}", state));
        Ok((true, state, super::push::describe(state)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(stdout: &str) -> Output {
        Output {
            status: 0,
            stdout: stdout.into(),
            stderr: String::new(),
        }
    }

    #[test]
    fn junos_state_is_the_current_one_not_the_last_one() {
        let text = "Peer: 192.0.2.100+179 AS 64500 Local: 192.0.2.1+61234 AS 64496\n  Group: IX-V4   Routing-Instance: master\n  Type: External    State: Established    Flags: <Sync>\n  Last State: OpenConfirm   Last Event: RecvKeepAlive\n\nPeer: 2001:db8:1::100+179 AS 64500 Local: 2001:db8:1::1 AS 64496\n  Type: External    State: Active      Flags: <>\n  Last State: Idle          Last Event: Start\n";
        let st = parse_neighbor_states(Platform::Junos, text);
        assert_eq!(st.get("192.0.2.100"), Some(&BgpState::Established));
        assert_eq!(st.get("2001:db8:1::100"), Some(&BgpState::Active));
    }

    #[test]
    fn iosxr_and_eos_states_are_read_per_neighbour() {
        let xr = "BGP neighbor is 192.0.2.100\n Remote AS 64500, local AS 64496, external link\n  BGP state = Established, up for 00:10:02\nBGP neighbor is 192.0.2.101\n Remote AS 64501, local AS 64496, external link\n  BGP state = Idle (Neighbor is shutdown)\n";
        let st = parse_neighbor_states(Platform::Iosxr, xr);
        assert_eq!(st.get("192.0.2.100"), Some(&BgpState::Established));
        assert_eq!(st.get("192.0.2.101"), Some(&BgpState::Idle));
        let eos = "BGP neighbor is 2001:db8:1::100, remote AS 64500, external link\n  BGP version 4, remote router ID 198.51.100.1, VRF default\n  BGP state is Established, up for 00:01:10\n";
        let st = parse_neighbor_states(Platform::Eos, eos);
        assert_eq!(st.get("2001:db8:1::100"), Some(&BgpState::Established));
    }

    #[test]
    fn refusals_are_the_routers_own_error_lines() {
        let junos =
            out("[edit]\n  'foo'\n    syntax error.\nerror: configuration check-out failed\n");
        assert_eq!(
            refusal(Platform::Junos, &junos).as_deref(),
            Some("syntax error.; error: configuration check-out failed")
        );
        let policy = out("  'import'\n    Policy error: Policy PEER-IN referenced but not defined\nerror: configuration check-out failed\n");
        assert!(refusal(Platform::Junos, &policy)
            .unwrap()
            .starts_with("Policy error: Policy PEER-IN referenced but not defined"));
        assert_eq!(
            refusal(Platform::Junos, &out("configuration check succeeds\n")),
            None
        );
        assert_eq!(
            refusal(
                Platform::Junos,
                &out("  Last State: OpenConfirm\n  Last Error: None\n")
            ),
            None,
            "a neighbour's last error is not a refusal"
        );
        let xr = out("% Failed to commit one or more configuration items during a pseudo-atomic operation.\n!!% Neighbor group 'IX-V9' does not exist\n");
        assert!(refusal(Platform::Iosxr, &xr)
            .unwrap()
            .contains("!!% Neighbor group 'IX-V9' does not exist"));
        assert_eq!(
            refusal(
                Platform::Eos,
                &out("% Invalid input (at token 1: 'remote-ass')\n")
            )
            .as_deref(),
            Some("% Invalid input (at token 1: 'remote-ass')")
        );
        let failed = Output {
            status: 1,
            stdout: String::new(),
            stderr: String::new(),
        };
        assert_eq!(
            refusal(Platform::Eos, &failed).as_deref(),
            Some("exit status 1")
        );
    }

    #[test]
    fn the_script_leaves_no_blank_lines() {
        assert_eq!(script_lines("a\n\n  \nb"), "a\nb\n");
    }
}
