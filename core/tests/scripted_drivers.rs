//! The Junos, IOS-XR and Arista EOS drivers and Import Sessions, driven
//! through the public API against the scripted shell (`scripted/mod.rs`),
//! which replays transcripts written after each vendor's documented output.
//! Every transcript is replayed to its end and no further: a command the
//! driver should not send (a confirm after a refusal) fails the test.

mod common;
mod scripted;

use common::{exchange, new_router, snapshot, Fixture};
use peerdesk_core::audit::AuditFilter;
use peerdesk_core::devices::{NewAttachment, Platform, Router};
use peerdesk_core::peering::{
    AdminState, BgpState, ConfigState, Exchange, NewPeerGroup, NewSession, PeerGroup, Session,
    SessionFilter, SessionType,
};
use peerdesk_core::templating::config::{ConfigOperation, ConfigOverrides};
use peerdesk_core::values::AddressFamily;
use peerdesk_core::ErrorKind;
use scripted::{Replay, Transcript};
use std::sync::Arc;
use std::time::Duration;

struct Lab {
    f: Fixture,
    ix: Exchange,
    router: Router,
    pg4: PeerGroup,
    pg6: PeerGroup,
}

fn group(f: &Fixture, router: &Router, name: &str, family: AddressFamily) -> PeerGroup {
    f.core
        .add_peer_group(&NewPeerGroup {
            router_id: Some(router.id),
            name: name.into(),
            exchange_id: None,
            family,
            import_policy: "PEER-IN".into(),
            export_policy: "PEER-OUT".into(),
            max_prefix: Some(100),
            session_type: SessionType::Peer,
        })
        .unwrap()
}

/// One exchange (192.0.2.0/24, 2001:db8:1::/64) and one router of `platform` on it.
fn lab(platform: Platform) -> Lab {
    let f = common::core();
    let ix = exchange(&f.core, "Example IX", "192.0.2.0/24", "2001:db8:1::/64");
    let mut new = new_router(
        "edge1",
        vec![NewAttachment {
            exchange_id: ix.id,
            ipv4: Some("192.0.2.1".into()),
            ipv6: Some("2001:db8:1::1".into()),
        }],
    );
    new.platform = platform;
    let router = f.core.add_router(&new).unwrap();
    let pg4 = group(&f, &router, "IX-V4", AddressFamily::Ipv4);
    let pg6 = group(&f, &router, "IX-V6", AddressFamily::Ipv6);
    Lab {
        f,
        ix,
        router,
        pg4,
        pg6,
    }
}

impl Lab {
    fn replay(&self, transcript: &str) -> Arc<Transcript> {
        self.replay_chain(&[transcript])
    }

    fn replay_chain(&self, transcripts: &[&str]) -> Arc<Transcript> {
        let t = Transcript::load_chain(transcripts);
        self.f
            .core
            .set_router_connector(Arc::new(Replay(t.clone())));
        t
    }

    fn session(&self, ip: &str) -> Session {
        let v4 = !ip.contains(':');
        self.f
            .core
            .add_session(&NewSession {
                session_type: SessionType::Peer,
                exchange_id: Some(self.ix.id),
                router_id: self.router.id,
                asn: "64500".into(),
                peer_name: "Example Peer".into(),
                as_set: String::new(),
                peer_ipv4: v4.then(|| ip.to_string()),
                peer_group_v4: Some(self.pg4.id),
                peer_ipv6: (!v4).then(|| ip.to_string()),
                peer_group_v6: Some(self.pg6.id),
                md5_password: None,
                notes: String::new(),
            })
            .unwrap()
            .remove(0)
    }

    fn push(
        &self,
        s: &Session,
        op: ConfigOperation,
    ) -> peerdesk_core::Result<peerdesk_core::devices::push::PushOutcome> {
        self.f
            .core
            .push_session_config(s.id, op, &ConfigOverrides::default(), Duration::ZERO)
    }
}

/// The driver's words for "discard what was staged" and "confirm the commit".
fn words(p: Platform) -> (&'static str, &'static str) {
    match p {
        Platform::Junos => ("rollback 0\nexit", "configure private\ncommit\nexit"),
        Platform::Iosxr => ("abort", "configure\ncommit\nend"),
        _ => ("abort", "configure session pd-1-20261127090000 commit"),
    }
}

fn one_click_config(p: Platform, name: &str) {
    let l = lab(p);
    let s = l.session("192.0.2.100");
    let t = l.replay(&format!("{name}-add"));
    let out = l.push(&s, ConfigOperation::Add).unwrap();
    assert_eq!(out.bgp_state, Some(BgpState::Established), "{:?}", out.log);
    assert!(!out.rolled_back);
    let stored = l.f.core.get_session(s.id).unwrap();
    assert_eq!(
        (stored.config_state, stored.bgp_state),
        (ConfigState::Configured, Some(BgpState::Established)),
        "the session is recorded as configured and up"
    );
    let audit =
        l.f.core
            .list_audit(&AuditFilter {
                entity: Some("session".into()),
                ..Default::default()
            })
            .unwrap();
    assert!(
        audit.iter().any(|e| e.entity_id == Some(s.id)
            && e.summary.contains("192.0.2.100 on edge1")
            && e.summary.contains("Established")),
        "the push is in the audit log: {audit:?}"
    );
    // The transcript goes on with Update Session States (one command, two neighbours).
    let summary = l.f.core.refresh_session_states(l.router.id).unwrap();
    assert_eq!(
        (summary.updated, summary.missing, summary.established),
        (1, 0, 1)
    );
    t.finish();
    assert_eq!(t.connections(), 2, "one connection per job");
}

fn refused_commit(p: Platform, name: &str, router_says: &str) {
    let l = lab(p);
    let s = l.session("192.0.2.100");
    let t = l.replay(&format!("{name}-rejected"));
    let err = l.push(&s, ConfigOperation::Add).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    let msg = err.to_string();
    assert!(msg.contains(router_says), "the router's own words: {msg}");
    assert!(msg.contains("nothing was committed"), "{msg}");
    let stored = l.f.core.get_session(s.id).unwrap();
    assert_eq!(stored.config_state, ConfigState::Failed);
    assert!(l
        .f
        .core
        .list_audit(&AuditFilter::default())
        .unwrap()
        .iter()
        .any(|e| e.entity_id == Some(s.id) && e.summary.contains(router_says)));
    // Every step of the transcript was sent (it ends with the staged change
    // discarded) and nothing after it: no confirm, no read-back.
    t.finish();
    let (discard, confirm) = words(p);
    let sent = t.sent();
    assert!(
        sent.last().unwrap().ends_with(discard),
        "the last command discards the change: {sent:?}"
    );
    assert!(!sent.iter().any(|c| c == confirm), "never confirmed");
}

fn unverified_change_is_rolled_back(p: Platform, name: &str, rollback: &str) {
    let l = lab(p);
    let s = l.session("192.0.2.100");
    let t = l.replay(&format!("{name}-unverified"));
    let err = l.push(&s, ConfigOperation::Add).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    assert!(err.to_string().contains("rolled back"), "{err}");
    assert_eq!(
        l.f.core.get_session(s.id).unwrap().config_state,
        ConfigState::Failed
    );
    t.finish();
    let sent = t.sent();
    assert_eq!(sent.last().map(String::as_str), Some(rollback));
    assert!(!sent.iter().any(|c| c == words(p).1), "never confirmed");
}

fn admin_down_then_remove(p: Platform, name: &str) {
    let l = lab(p);
    let s = l.session("192.0.2.100");
    let t = l.replay(&format!("{name}-shutdown"));
    let out = l.push(&s, ConfigOperation::Shutdown).unwrap();
    assert_ne!(out.bgp_state, Some(BgpState::Established));
    let stored = l.f.core.get_session(s.id).unwrap();
    assert_eq!(
        (stored.config_state, stored.admin_state),
        (ConfigState::Configured, AdminState::Down)
    );
    t.finish();
    assert!(t.sent().iter().any(|c| c == words(p).1), "confirmed");

    let t = l.replay(&format!("{name}-remove"));
    let out = l.push(&s, ConfigOperation::Remove).unwrap();
    assert_eq!(out.bgp_state, None);
    assert_eq!(
        l.f.core.get_session(s.id).unwrap().config_state,
        ConfigState::NotConfigured
    );
    t.finish();
}

const IMPORTED: [&str; 4] = [
    "192.0.2.100",
    "192.0.2.101",
    "2001:db8:1::100",
    "2001:db8:1::102",
];

fn import(p: Platform, name: &str, group_of_102: Option<&str>) {
    let l = lab(p);
    let t = l.replay(&format!("{name}-import"));
    let preview = l.f.core.scan_router_sessions(l.router.id).unwrap();
    let found: Vec<&str> = preview
        .candidates
        .iter()
        .map(|c| c.neighbor.peer_ip.as_str())
        .collect();
    assert_eq!(found.len(), 4, "{found:?}");
    for ip in IMPORTED {
        assert!(found.contains(&ip), "{ip} found: {found:?}");
    }
    let cand = |ip: &str| {
        preview
            .candidates
            .iter()
            .find(|c| c.neighbor.peer_ip == ip)
            .unwrap()
    };
    for c in &preview.candidates {
        assert_eq!(
            c.exchange_id,
            Some(l.ix.id),
            "{} is on the IX LAN",
            c.neighbor.peer_ip
        );
        assert!(!c.already_imported);
        assert_eq!(c.problem, None);
    }
    let a = cand("192.0.2.100");
    assert_eq!(
        (
            a.neighbor.remote_asn,
            a.neighbor.description.as_str(),
            a.peer_group_id,
            a.neighbor.bgp_state
        ),
        (
            Some(64500),
            "Example Peer",
            Some(l.pg4.id),
            Some(BgpState::Established)
        )
    );
    let b = cand("192.0.2.101");
    assert_eq!(
        (b.neighbor.remote_asn, b.neighbor.description.as_str()),
        (Some(64501), "Sleeping Peer")
    );
    assert!(b.neighbor.admin_down);
    assert_eq!(cand("2001:db8:1::100").peer_group_id, Some(l.pg6.id));
    let d = cand("2001:db8:1::102");
    assert_eq!(d.neighbor.remote_asn, Some(64502), "the group's AS");
    assert_eq!(
        d.peer_group_id,
        group_of_102.map(|_| l.pg6.id),
        "matched to our peer group only when the router's group is one of ours"
    );
    assert_eq!(
        d.neighbor.peer_group.as_deref(),
        Some(group_of_102.unwrap_or(match p {
            Platform::Junos => "AS64502-V6",
            _ => "AS64502",
        }))
    );

    let ips: Vec<String> = IMPORTED.iter().map(|s| s.to_string()).collect();
    let first = l.f.core.import_sessions(l.router.id, &ips).unwrap();
    assert_eq!((first.added, first.skipped), (4, 0));
    let sessions =
        l.f.core
            .list_sessions(&SessionFilter {
                router_id: Some(l.router.id),
                ..Default::default()
            })
            .unwrap();
    assert_eq!(sessions.len(), 4);
    let s100 = sessions
        .iter()
        .find(|s| s.peer_ip == "192.0.2.100")
        .unwrap();
    assert_eq!(
        (
            s100.asn,
            s100.config_state,
            s100.bgp_state,
            s100.exchange_id
        ),
        (
            64500,
            ConfigState::Configured,
            Some(BgpState::Established),
            Some(l.ix.id)
        )
    );
    let again = l.f.core.import_sessions(l.router.id, &ips).unwrap();
    assert_eq!(
        (again.added, again.skipped),
        (0, 4),
        "a second import adds nothing"
    );
    assert_eq!(
        l.f.core
            .list_sessions(&SessionFilter {
                router_id: Some(l.router.id),
                ..Default::default()
            })
            .unwrap()
            .len(),
        4
    );
    t.finish();
}

fn import_garbage(p: Platform, name: &str) {
    let l = lab(p);
    let t = l.replay(&format!("{name}-import-garbage"));
    let before = snapshot(&l.f.core);
    let truncated = l.f.core.scan_router_sessions(l.router.id).unwrap_err();
    assert_eq!(truncated.kind(), ErrorKind::Rejected, "{truncated}");
    assert!(
        truncated.to_string().contains("nothing was imported"),
        "{truncated}"
    );
    let garbage =
        l.f.core
            .import_sessions(l.router.id, &["192.0.2.100".to_string()])
            .unwrap_err();
    assert_eq!(garbage.kind(), ErrorKind::Rejected, "{garbage}");
    assert_eq!(snapshot(&l.f.core), before, "nothing was written");
    t.finish();
}

mod junos {
    use super::*;

    #[test]
    fn a_change_the_read_back_does_not_show_is_rolled_back_and_never_confirmed() {
        unverified_change_is_rolled_back(
            Platform::Junos,
            "junos",
            "configure private\nrollback 1\ncommit\nexit",
        );
    }

    #[test]
    fn one_click_config_is_checked_committed_with_confirm_verified_and_confirmed() {
        one_click_config(Platform::Junos, "junos");
    }

    #[test]
    fn a_failed_commit_check_fails_the_session_with_the_routers_message_and_commits_nothing() {
        refused_commit(
            Platform::Junos,
            "junos",
            "Policy error: Policy PEER-IN referenced but not defined",
        );
    }

    #[test]
    fn admin_down_deactivates_and_remove_deletes_the_neighbour() {
        admin_down_then_remove(Platform::Junos, "junos");
    }

    #[test]
    fn import_finds_every_neighbour_and_a_second_import_adds_nothing() {
        import(Platform::Junos, "junos", None);
    }

    #[test]
    fn truncated_or_garbage_output_imports_nothing() {
        import_garbage(Platform::Junos, "junos");
    }
}

/// Config Manager's review reads only the neighbour's lines and sends nothing else.
fn preview_shows_the_neighbours_current_lines(p: Platform, name: &str, expected: &str) {
    let l = lab(p);
    let s = l.session("192.0.2.100");
    let t = l.replay(&format!("{name}-preview"));
    let preview =
        l.f.core
            .preview_push(s.id, ConfigOperation::Shutdown, &ConfigOverrides::default())
            .unwrap();
    assert_eq!(preview.current, expected);
    assert!(
        !preview.current.contains("192.0.2.50"),
        "another neighbour's lines are not shown"
    );
    t.finish();
}

#[test]
fn config_manager_shows_each_platforms_current_lines_for_the_neighbour() {
    preview_shows_the_neighbours_current_lines(
        Platform::Junos,
        "junos",
        "set protocols bgp group IX-V4 neighbor 192.0.2.100 description \"Example Peer\"\n\
         set protocols bgp group IX-V4 neighbor 192.0.2.100 family inet unicast prefix-limit maximum 100\n\
         set protocols bgp group IX-V4 neighbor 192.0.2.100 import PEER-IN\n\
         set protocols bgp group IX-V4 neighbor 192.0.2.100 export PEER-OUT\n\
         set protocols bgp group IX-V4 neighbor 192.0.2.100 peer-as 64500\n",
    );
    preview_shows_the_neighbours_current_lines(
        Platform::Iosxr,
        "iosxr",
        "router bgp 64496\n neighbor 192.0.2.100\n  remote-as 64500\n  use neighbor-group IX-V4\n  \
         description Example Peer\n  address-family ipv4 unicast\n   route-policy PEER-IN in\n   \
         maximum-prefix 100 90\n   route-policy PEER-OUT out\n  !\n !\n!\n",
    );
    preview_shows_the_neighbours_current_lines(
        Platform::Eos,
        "eos",
        "   neighbor 192.0.2.100 peer group IX-V4\n   neighbor 192.0.2.100 remote-as 64500\n   \
         neighbor 192.0.2.100 description Example Peer\n   neighbor 192.0.2.100 route-map PEER-IN in\n   \
         neighbor 192.0.2.100 route-map PEER-OUT out\n   neighbor 192.0.2.100 maximum-routes 100\n      \
         neighbor 192.0.2.100 activate\n",
    );
}

#[test]
fn a_connection_lost_after_commit_confirmed_is_unreachable_and_the_session_is_not_configured() {
    let l = lab(Platform::Junos);
    let s = l.session("192.0.2.100");
    let t = l.replay("junos-lost");
    let err = l.push(&s, ConfigOperation::Add).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unreachable, "{err}");
    assert!(
        err.to_string().contains("rolls it back by itself"),
        "the user learns the router undoes the unconfirmed commit: {err}"
    );
    assert_ne!(
        l.f.core.get_session(s.id).unwrap().config_state,
        ConfigState::Configured,
        "nothing is marked configured that the router may not keep"
    );
    t.finish();
    assert!(!t.sent().iter().any(|c| c == words(Platform::Junos).1));
}

mod iosxr {
    use super::*;

    #[test]
    fn a_change_the_read_back_does_not_show_is_rolled_back_and_never_confirmed() {
        unverified_change_is_rolled_back(Platform::Iosxr, "iosxr", "rollback configuration last 1");
    }

    #[test]
    fn one_click_config_is_diffed_committed_with_confirm_verified_and_confirmed() {
        one_click_config(Platform::Iosxr, "iosxr");
    }

    #[test]
    fn a_refused_commit_fails_the_session_with_the_routers_message_and_is_aborted() {
        refused_commit(
            Platform::Iosxr,
            "iosxr",
            "!!% Policy [PEER-IN] does not exist",
        );
    }

    #[test]
    fn admin_down_shuts_and_remove_deletes_the_neighbour() {
        admin_down_then_remove(Platform::Iosxr, "iosxr");
    }

    #[test]
    fn import_finds_every_neighbour_and_a_second_import_adds_nothing() {
        import(Platform::Iosxr, "iosxr", None);
    }

    #[test]
    fn truncated_or_garbage_output_imports_nothing() {
        import_garbage(Platform::Iosxr, "iosxr");
    }
}

mod eos {
    use super::*;

    #[test]
    fn a_change_the_read_back_does_not_show_is_rolled_back_and_never_confirmed() {
        unverified_change_is_rolled_back(
            Platform::Eos,
            "eos",
            "configure session pd-1-20261127090000 abort",
        );
    }

    #[test]
    fn one_click_config_goes_through_a_configure_session_with_a_commit_timer() {
        one_click_config(Platform::Eos, "eos");
    }

    #[test]
    fn an_invalid_line_fails_the_session_with_the_routers_message_and_aborts_the_session() {
        refused_commit(
            Platform::Eos,
            "eos",
            "% Invalid input (at token 2: 'maximum-routes')",
        );
    }

    #[test]
    fn admin_down_shuts_and_remove_deletes_the_neighbour() {
        admin_down_then_remove(Platform::Eos, "eos");
    }

    #[test]
    fn import_finds_every_neighbour_and_a_second_import_adds_nothing() {
        import(Platform::Eos, "eos", Some("IX-V6"));
    }

    #[test]
    fn truncated_or_garbage_output_imports_nothing() {
        import_garbage(Platform::Eos, "eos");
    }
}

#[test]
fn sros_is_render_only_and_no_connection_is_made() {
    let l = lab(Platform::Sros);
    let s = l.session("192.0.2.100");
    let t = l.replay("junos-add");
    let err = l.push(&s, ConfigOperation::Add).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("rendered only"), "{err}");
    assert_eq!(t.connections(), 0);
    assert_eq!(
        l.f.core.get_session(s.id).unwrap().config_state,
        s.config_state,
        "the session is untouched"
    );
}

/// Every change sent now is an outbox item: the push dialog's Send (push_or_queue)
/// reads the neighbour's lines again (unchanged since the review), records
/// the item approved and applied, with the lines the user reviewed and the
/// diff; a refusal leaves it failed with the router's words; sending the same
/// change again supersedes the failed one.
#[test]
fn a_change_sent_now_is_recorded_in_the_outbox_failed_or_applied() {
    use peerdesk_core::sync::{OutboxStatus, PushOrQueued};
    let l = lab(Platform::Junos);
    let s = l.session("192.0.2.100");
    let send = || {
        l.f.core.push_or_queue(
            s.id,
            ConfigOperation::Add,
            &ConfigOverrides::default(),
            Some(""),
            Duration::ZERO,
        )
    };

    let t = l.replay_chain(&["junos-read-empty", "junos-rejected"]);
    let err = send().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    t.finish();
    let open = l.f.core.list_router_outbox(Some(l.router.id)).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    let failed = &open[0];
    assert_eq!(failed.status, OutboxStatus::Failed);
    assert_eq!(failed.last_error, err.to_string(), "the router's words");
    assert!(failed.approved_by.is_some() && failed.approved_at.is_some());
    assert!(failed.applied_at.is_none());

    let t = l.replay_chain(&["junos-read-empty", "junos-add"]);
    let sent = send().unwrap();
    let PushOrQueued::Pushed { push, item } = sent else {
        panic!("the router answers: {sent:?}")
    };
    assert_eq!(push.bgp_state, Some(BgpState::Established));
    assert_eq!(item.status, OutboxStatus::Applied);
    assert!(item.applied_at.is_some());
    assert_eq!(item.reviewed_current.as_deref(), Some(""));
    assert!(
        item.diff.iter().any(|d| d.text.contains("peer-as 64500")),
        "{:?}",
        item.diff
    );
    assert!(item.rendered.contains("neighbor 192.0.2.100 peer-as 64500"));
    assert!(
        l.f.core
            .list_router_outbox(Some(l.router.id))
            .unwrap()
            .is_empty(),
        "nothing left open"
    );
    let history: Vec<(i64, OutboxStatus)> =
        l.f.core
            .list_outbox_history(Some(l.router.id), 10)
            .unwrap()
            .iter()
            .map(|i| (i.id, i.status))
            .collect();
    assert_eq!(
        history,
        vec![
            (item.id, OutboxStatus::Applied),
            (failed.id, OutboxStatus::Discarded)
        ]
    );
    assert_eq!(
        l.f.core.get_outbox_item(failed.id).unwrap().last_error,
        "superseded by the same change sent again"
    );
    l.f.core.refresh_session_states(l.router.id).unwrap();
    t.finish();
}

/// The router's lines for the neighbour changed between the push dialog's
/// review and Send (someone configured it by hand): nothing is sent, the error
/// is a conflict on `reviewedCurrent`, and the attempt is recorded as not sent.
#[test]
fn a_neighbour_changed_since_the_review_is_not_pushed() {
    use peerdesk_core::sync::OutboxStatus;
    let l = lab(Platform::Junos);
    let s = l.session("192.0.2.100");
    // The review showed no lines for 192.0.2.100; the router has some now.
    let t = l.replay("junos-preview");
    let err =
        l.f.core
            .push_or_queue(
                s.id,
                ConfigOperation::Add,
                &ConfigOverrides::default(),
                Some(""),
                Duration::ZERO,
            )
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert_eq!(err.field(), Some("reviewedCurrent"));
    assert!(
        err.to_string().contains("changed since it was reviewed"),
        "{err}"
    );
    t.finish(); // the read, and nothing after it
    assert_eq!(t.sent().len(), 1);
    assert_eq!(
        l.f.core.get_session(s.id).unwrap().config_state,
        ConfigState::NotConfigured
    );
    let record = l.f.core.list_outbox_history(Some(l.router.id), 5).unwrap();
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].status, OutboxStatus::Discarded);
    assert!(
        record[0].last_error.starts_with("not sent: "),
        "{}",
        record[0].last_error
    );
    assert!(l
        .f
        .core
        .list_router_outbox(Some(l.router.id))
        .unwrap()
        .is_empty());
}
