//! Property tests for the parsers of router output: whatever a router (or
//! something pretending to be one) prints, each parser returns a typed value
//! or a typed error, never panics, and finishes in bounded time.
//!
//! Steps: start from real-looking outputs (FRR running-configs in operators'
//! styles, `show bgp neighbors json`, BIRD `show protocols all`, the Junos /
//! IOS-XR / EOS fixtures), mutate them (lines dropped, repeated, swapped,
//! truncated, characters replaced by hostile or non-ASCII ones, random lines
//! inserted), or generate text from scratch, and check each result. The seed
//! is fixed and the case count bounded, so the suite stays deterministic and
//! takes seconds.

use super::neighbors::{eos_neighbors, iosxr_neighbors, junos_neighbors};
use crate::devices::import::{
    parse_bird_protocols_all, parse_frr_neighbors_json, parse_frr_running_config,
    DiscoveredNeighbor,
};
use crate::devices::Platform;
use crate::fuzzing::{config, timed, LIMIT};
use proptest::prelude::*;
use std::net::IpAddr;
use std::time::Duration;

const FRR: &str = "frr version 8.4\nfrr defaults traditional\n!\nrouter bgp 64496\n bgp router-id 192.0.2.1\n neighbor IX-V4 peer-group\n neighbor IX-V4 remote-as external\n neighbor 192.0.2.100 peer-group IX-V4\n neighbor 192.0.2.100 description AS64500 lab far end\n neighbor 192.0.2.101 remote-as 64501\n neighbor 192.0.2.101 password s3cr3t\n neighbor 192.0.2.101 shutdown\n neighbor 2001:db8:1::100 remote-as 64500\n neighbor swp1 interface remote-as external\n !\n address-family ipv6 unicast\n  neighbor 2001:db8:1::100 activate\n exit-address-family\nexit\n!\nrouter bgp 64496 vrf CUST\n neighbor 192.0.2.100 remote-as 64510\nexit\n!\nend\n";

const FRR_JSON: &str = r#"{"192.0.2.100":{"remoteAs":64500,"bgpState":"Established","bgpTimerUpMsec":123456},"2001:db8:1::100":{"remoteAs":64500,"bgpState":"Active"},"swp1":{"remoteAs":64502,"bgpState":"Idle"}}"#;

const BIRD: &str = "BIRD 2.0.12 ready.\nName       Proto      Table      State  Since         Info\ndevice1    Device     ---        up     2026-11-27    \nIX_PEERS   BGP        ---        down   2026-11-27    \npd_as64500_192_0_2_100 BGP ---   up     09:00:01.123  Established\n  Description:    AS64500 lab far end\n  BGP state:          Established\n    Neighbor address: 192.0.2.100\n    Neighbor AS:      64500\n    Local AS:         64496\n  Channel ipv4\n    State:          UP\n    Routes:         3 imported, 0 exported, 3 preferred\nll_peer    BGP        ---        start  09:00:01      Active\n    Neighbor address: fe80::1%eth0\n    Neighbor AS:      64501\n";

const JUNOS: &str = include_str!("../../tests/fixtures/import/junos-display-set.txt");
const IOSXR: &str = include_str!("../../tests/fixtures/import/iosxr-running-config.txt");
const EOS: &str = include_str!("../../tests/fixtures/import/eos-running-config.txt");

/// One change to a text.
#[derive(Debug, Clone)]
enum Edit {
    DropLine(usize),
    RepeatLine(usize),
    SwapLines(usize, usize),
    Truncate(usize),
    Replace(usize, char),
    Insert(usize, String),
}

/// Characters a hostile or merely unusual output carries.
fn odd_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('\0'),
        Just('\r'),
        Just('\t'),
        Just('"'),
        Just('\''),
        Just('{'),
        Just('}'),
        Just(';'),
        Just('%'),
        Just('+'),
        Just(':'),
        Just(' '),
        Just('é'),
        Just('Ω'),
        Just('\u{202e}'),
        Just('\u{feff}'),
        any::<char>(),
    ]
}

/// A line made of words a router config or status output uses, and noise.
fn noise_line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("neighbor".to_string()),
        Just("remote-as".to_string()),
        Just("peer-group".to_string()),
        Just("router bgp".to_string()),
        Just("vrf".to_string()),
        Just("Neighbor address:".to_string()),
        Just("Neighbor AS:".to_string()),
        Just("BGP".to_string()),
        Just("Established".to_string()),
        Just("State:".to_string()),
        Just("4294967296".to_string()),
        Just("0".to_string()),
        Just("remote-as 0".to_string()),
        Just("Neighbor AS:      0".to_string()),
        Just("-1".to_string()),
        Just("192.0.2.300".to_string()),
        Just("2001:db8::1%".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        "[a-zA-Z0-9:./%+-]{0,12}",
        "\\PC{0,6}",
    ];
    ("[ \t]{0,3}", prop::collection::vec(word, 0..7))
        .prop_map(|(indent, words)| format!("{indent}{}", words.join(" ")))
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::RepeatLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), odd_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<usize>(), noise_line()).prop_map(|(i, l)| Edit::Insert(i, l)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        let n = lines.len().max(1);
        match e {
            Edit::DropLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Edit::RepeatLine(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            Edit::Truncate(i) => {
                let joined = lines.join("\n");
                let cut = joined
                    .char_indices()
                    .nth(i % (joined.len() + 1))
                    .map(|(p, _)| p);
                lines = joined[..cut.unwrap_or(joined.len())]
                    .lines()
                    .map(str::to_string)
                    .collect();
            }
            Edit::Replace(i, c) if !lines.is_empty() => {
                let l = &mut lines[i % n];
                let chars: Vec<char> = l.chars().collect();
                if !chars.is_empty() {
                    let mut chars = chars;
                    let at = i % chars.len();
                    chars[at] = *c;
                    *l = chars.into_iter().collect();
                }
            }
            Edit::Insert(i, line) => lines.insert(i % (lines.len() + 1), line.clone()),
            _ => {}
        }
    }
    lines.join("\n")
}

/// A text to parse: a mutated sample most of the time, pure noise sometimes.
fn output(sample: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(edit(), 0..12).prop_map(move |e| apply(sample, &e)),
        1 => prop::collection::vec(noise_line(), 0..40).prop_map(|l| l.join("\n")),
        1 => "\\PC{0,400}",
    ]
}

/// A parse result is a typed value whose neighbours hold real addresses and
/// AS numbers in range, or a typed error (never internal).
fn check_neighbors(r: crate::Result<Vec<DiscoveredNeighbor>>, took: Duration) {
    assert!(took < LIMIT, "parse took {took:?}");
    match r {
        Ok(list) => {
            for n in list {
                let ip: IpAddr = n
                    .peer_ip
                    .parse()
                    .expect("a neighbour's address is an address");
                assert_eq!(ip.to_string(), n.peer_ip, "canonical address");
                if let Some(a) = n.remote_asn {
                    assert!(a > 0, "AS 0 is not a neighbour's AS");
                }
                assert!(
                    !n.description.contains('\n'),
                    "one line: {:?}",
                    n.description
                );
            }
        }
        Err(e) => assert!(
            !matches!(e, crate::Error::Internal(_)),
            "a typed error, not internal: {e}"
        ),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn frr_running_configs_parse_or_are_refused(text in output(FRR)) {
        let (r, took) = timed(|| parse_frr_running_config(&text));
        check_neighbors(r, took);
    }

    #[test]
    fn frr_neighbor_json_parses_or_is_refused(text in output(FRR_JSON)) {
        let (r, took) = timed(|| parse_frr_neighbors_json(&text));
        prop_assert!(took < LIMIT);
        if let Ok(map) = r {
            for (ip, (asn, _)) in map {
                prop_assert!(ip.parse::<IpAddr>().is_ok(), "{ip}");
                prop_assert!(asn != Some(0));
            }
        }
    }

    #[test]
    fn bird_protocol_lists_parse_or_are_refused(text in output(BIRD)) {
        let (r, took) = timed(|| parse_bird_protocols_all(&text));
        check_neighbors(r, took);
    }

    #[test]
    fn junos_configs_parse_or_are_refused(text in output(JUNOS), empty in any::<bool>()) {
        let (r, took) = timed(|| junos_neighbors(&text, empty));
        check_neighbors(r, took);
    }

    #[test]
    fn iosxr_configs_parse_or_are_refused(text in output(IOSXR), empty in any::<bool>()) {
        let (r, took) = timed(|| iosxr_neighbors(&text, empty));
        check_neighbors(r, took);
    }

    #[test]
    fn eos_configs_parse_or_are_refused(text in output(EOS), empty in any::<bool>()) {
        let (r, took) = timed(|| eos_neighbors(&text, empty));
        check_neighbors(r, took);
    }

    #[test]
    fn state_outputs_give_states_for_real_addresses_only(
        text in output(JUNOS),
        p in prop_oneof![Just(Platform::Junos), Just(Platform::Iosxr), Just(Platform::Eos)],
    ) {
        let (states, took) = timed(|| super::commit::parse_neighbor_states(p, &text));
        prop_assert!(took < LIMIT);
        for ip in states.keys() {
            prop_assert!(ip.parse::<IpAddr>().is_ok(), "{ip}");
        }
    }

    #[test]
    fn neighbor_lines_of_any_running_config_are_lines_of_it(text in output(FRR)) {
        let (lines, took) = timed(|| crate::devices::push::frr_neighbor_lines(&text, "192.0.2.100"));
        prop_assert!(took < LIMIT);
        for (_, l) in lines {
            prop_assert!(text.lines().any(|t| t.trim() == l.trim()), "{l:?} is a line of the input");
        }
    }
}

#[test]
fn as_zero_on_a_router_is_no_as() {
    let frr =
        parse_frr_running_config("router bgp 64496\n neighbor 192.0.2.1 remote-as 0\n").unwrap();
    assert_eq!(frr[0].remote_asn, None);
    let bird = parse_bird_protocols_all(
        "Name Proto Table State Since Info\np1 BGP --- up 09:00 Established\n  Neighbor address: 192.0.2.1\n  Neighbor AS: 0\n",
    )
    .unwrap();
    assert_eq!(bird[0].remote_asn, None);
}

#[test]
fn a_huge_running_config_parses_in_bounded_time() {
    let mut text = String::from("router bgp 64496\n");
    for i in 0..50_000u32 {
        text.push_str(&format!(
            " neighbor 10.{}.{}.{} remote-as {}\n",
            i / 65536,
            (i / 256) % 256,
            i % 256,
            64512 + i % 1000
        ));
    }
    let (r, took) = timed(|| parse_frr_running_config(&text));
    assert_eq!(r.unwrap().len(), 50_000);
    assert!(took < Duration::from_secs(5), "{took:?}");
}
