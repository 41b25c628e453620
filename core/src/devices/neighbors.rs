//! BGP neighbours read from Junos, IOS-XR and Arista EOS configuration text:
//! Junos `show configuration protocols bgp | display set`, IOS-XR `show
//! running-config router bgp`, EOS `show running-config section router bgp`.
//! Import Sessions uses the strict form (output that is not such a listing,
//! or that ends mid-statement, is refused so nothing is imported); the push
//! drivers use the lenient form to verify a change, where a router with no
//! BGP neighbour left is a valid answer. Settings a neighbour inherits from
//! its group (Junos group `peer-as`, IOS-XR neighbor-group and EOS peer group
//! `remote-as`) are resolved here, so the remote AS is the one in effect.

use super::import::DiscoveredNeighbor;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::net::IpAddr;

fn garbage(what: &str, why: impl std::fmt::Display) -> Error {
    Error::Rejected(format!(
        "the router's {what} could not be read ({why}): nothing was imported"
    ))
}

/// `64500`, or asdot `1.10` (= 65546).
fn parse_asn(s: &str) -> Option<u32> {
    match s.split_once('.') {
        Some((hi, lo)) => {
            let (hi, lo) = (hi.parse::<u16>().ok()?, lo.parse::<u16>().ok()?);
            Some((u32::from(hi) << 16) | u32::from(lo))
        }
        None => s.parse().ok().filter(|a| *a > 0),
    }
}

/// Output cut off mid-line (a dropped connection, a pager) does not end in a newline.
fn ends_mid_line(text: &str) -> bool {
    !text.trim().is_empty() && !text.ends_with('\n')
}

/// Neighbours in order of first appearance, one entry per address.
#[derive(Default)]
struct Found {
    list: Vec<DiscoveredNeighbor>,
    index: HashMap<IpAddr, usize>,
}

impl Found {
    fn get(&mut self, ip: IpAddr) -> &mut DiscoveredNeighbor {
        let list = &mut self.list;
        let idx = *self.index.entry(ip).or_insert_with(|| {
            list.push(DiscoveredNeighbor {
                peer_ip: ip.to_string(),
                remote_asn: None,
                description: String::new(),
                peer_group: None,
                admin_down: false,
                bgp_state: None,
            });
            list.len() - 1
        });
        &mut self.list[idx]
    }

    /// Fills in the AS from the neighbour's group where the neighbour has none.
    fn inherit(mut self, group_asn: &HashMap<String, u32>) -> Vec<DiscoveredNeighbor> {
        for n in &mut self.list {
            if n.remote_asn.is_none() {
                n.remote_asn = n
                    .peer_group
                    .as_ref()
                    .and_then(|g| group_asn.get(g).copied());
            }
        }
        self.list
    }
}

/// Splits a Junos statement into words, keeping a quoted string as one word
/// (without its quotes). `None` when a quote is left open.
fn junos_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => cur.extend(chars.next()),
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return None;
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    Some(words)
}

/// Junos `show configuration protocols bgp | display set`, for Import Sessions.
pub(crate) fn parse_junos_display_set(text: &str) -> Result<Vec<DiscoveredNeighbor>> {
    junos_neighbors(text, false)
}

pub(crate) fn junos_neighbors(text: &str, allow_empty: bool) -> Result<Vec<DiscoveredNeighbor>> {
    const WHAT: &str = "BGP configuration (show configuration protocols bgp | display set)";
    if ends_mid_line(text) {
        return Err(garbage(WHAT, "the output ends mid-line"));
    }
    let mut found = Found::default();
    let mut group_asn: HashMap<String, u32> = HashMap::new();
    let mut down_groups: Vec<String> = Vec::new();
    let mut statements = 0;
    for (no, raw) in text.lines().enumerate() {
        let line = raw.trim();
        // `{master}` / `{primary:node0}` name the routing engine that answered.
        if line.is_empty() || (line.starts_with('{') && line.ends_with('}')) {
            continue;
        }
        let words = junos_words(line)
            .ok_or_else(|| garbage(WHAT, format!("line {} has an unclosed quote", no + 1)))?;
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let (verb, rest) = match w.as_slice() {
            [verb @ ("set" | "deactivate"), "protocols", "bgp", rest @ ..] => (*verb, rest),
            _ => {
                return Err(garbage(
                    WHAT,
                    format!("line {} is not a `set protocols bgp` statement", no + 1),
                ))
            }
        };
        statements += 1;
        match (verb, rest) {
            ("set", ["group", g, "neighbor", ip, tail @ ..])
            | ("deactivate", ["group", g, "neighbor", ip, tail @ ..]) => {
                let ip: IpAddr = ip.parse().map_err(|_| {
                    garbage(WHAT, format!("line {}: `{ip}` is not an address", no + 1))
                })?;
                let n = found.get(ip);
                n.peer_group = Some(g.to_string());
                if verb == "deactivate" {
                    n.admin_down = n.admin_down || tail.is_empty();
                    continue;
                }
                match tail {
                    ["peer-as", asn] => {
                        n.remote_asn = Some(parse_asn(asn).ok_or_else(|| {
                            garbage(WHAT, format!("line {}: `{asn}` is not an AS", no + 1))
                        })?)
                    }
                    ["description", d] => n.description = d.to_string(),
                    ["shutdown", ..] => n.admin_down = true,
                    _ => {}
                }
            }
            ("set", ["group", g, "peer-as", asn]) => {
                if let Some(a) = parse_asn(asn) {
                    group_asn.insert(g.to_string(), a);
                }
            }
            ("deactivate", ["group", g]) => down_groups.push(g.to_string()),
            _ => {}
        }
    }
    if statements == 0 && !allow_empty {
        return Err(garbage(WHAT, "it has no `set protocols bgp` statement"));
    }
    let mut list = found.inherit(&group_asn);
    for n in &mut list {
        if n.peer_group
            .as_ref()
            .is_some_and(|g| down_groups.contains(g))
        {
            n.admin_down = true;
        }
    }
    Ok(list)
}

/// IOS-XR `show running-config router bgp`, for Import Sessions.
pub(crate) fn parse_iosxr_running_config(text: &str) -> Result<Vec<DiscoveredNeighbor>> {
    iosxr_neighbors(text, false)
}

pub(crate) fn iosxr_neighbors(text: &str, allow_empty: bool) -> Result<Vec<DiscoveredNeighbor>> {
    const WHAT: &str = "BGP configuration (show running-config router bgp)";
    // Asked for one neighbour that is not configured (after the time stamp
    // IOS-XR prints first).
    if allow_empty
        && (text.trim().is_empty()
            || text
                .lines()
                .any(|l| l.starts_with("% No such configuration")))
    {
        return Ok(Vec::new());
    }
    if !text.lines().any(|l| l.starts_with("router bgp ")) {
        return Err(garbage(WHAT, "it has no `router bgp` section"));
    }
    // IOS-XR closes every block with `!` (and a whole listing with `end`).
    if !matches!(
        text.lines().map(str::trim_end).rfind(|l| !l.is_empty()),
        Some("!" | "end")
    ) {
        return Err(garbage(WHAT, "it stops before the block is closed"));
    }
    enum Ctx {
        None,
        Group(String),
        Neighbor(IpAddr),
    }
    let mut found = Found::default();
    let mut group_asn: HashMap<String, u32> = HashMap::new();
    let mut ctx = Ctx::None;
    let mut in_bgp = false;
    for (no, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let indent = line.len() - line.trim_start().len();
        let words: Vec<&str> = line.split_whitespace().collect();
        if indent == 0 {
            in_bgp = line.starts_with("router bgp ");
            ctx = Ctx::None;
            continue;
        }
        if !in_bgp {
            continue;
        }
        if indent == 1 {
            ctx = match words.as_slice() {
                ["neighbor", ip] => Ctx::Neighbor(ip.parse().map_err(|_| {
                    garbage(WHAT, format!("line {}: `{ip}` is not an address", no + 1))
                })?),
                ["neighbor-group", g] => Ctx::Group(g.to_string()),
                _ => Ctx::None,
            };
            if let Ctx::Neighbor(ip) = ctx {
                found.get(ip);
            }
            continue;
        }
        if indent != 2 {
            continue; // address-family settings
        }
        match (&ctx, words.as_slice()) {
            (Ctx::Group(g), ["remote-as", asn]) => {
                if let Some(a) = parse_asn(asn) {
                    group_asn.insert(g.clone(), a);
                }
            }
            (Ctx::Neighbor(ip), tail) => {
                let n = found.get(*ip);
                match tail {
                    ["remote-as", asn] => {
                        n.remote_asn = Some(parse_asn(asn).ok_or_else(|| {
                            garbage(WHAT, format!("line {}: `{asn}` is not an AS", no + 1))
                        })?)
                    }
                    ["use", "neighbor-group", g] => n.peer_group = Some(g.to_string()),
                    ["description", d @ ..] => n.description = d.join(" "),
                    ["shutdown"] => n.admin_down = true,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(found.inherit(&group_asn))
}

/// EOS `show running-config section router bgp`, for Import Sessions.
pub(crate) fn parse_eos_running_config(text: &str) -> Result<Vec<DiscoveredNeighbor>> {
    eos_neighbors(text, false)
}

pub(crate) fn eos_neighbors(text: &str, allow_empty: bool) -> Result<Vec<DiscoveredNeighbor>> {
    const WHAT: &str = "BGP configuration (show running-config section router bgp)";
    if allow_empty && text.trim().is_empty() {
        return Ok(Vec::new());
    }
    if ends_mid_line(text) {
        return Err(garbage(WHAT, "the output ends mid-line"));
    }
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, l)) if l.starts_with("router bgp ") => {}
        _ => return Err(garbage(WHAT, "it does not start with `router bgp`")),
    }
    let mut found = Found::default();
    let mut group_asn: HashMap<String, u32> = HashMap::new();
    for (no, raw) in lines {
        let line = raw.trim_end();
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            if line == "!" || line.starts_with("router bgp ") {
                continue;
            }
            return Err(garbage(
                WHAT,
                format!("line {} is outside the `router bgp` section", no + 1),
            ));
        }
        // Address-family and VRF blocks sit deeper; only `activate` lives there for us.
        if indent != 3 {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let ["neighbor", who, tail @ ..] = words.as_slice() else {
            continue;
        };
        match who.parse::<IpAddr>() {
            Ok(ip) => {
                let n = found.get(ip);
                match tail {
                    ["remote-as", asn] => {
                        n.remote_asn = Some(parse_asn(asn).ok_or_else(|| {
                            garbage(WHAT, format!("line {}: `{asn}` is not an AS", no + 1))
                        })?)
                    }
                    ["peer", "group", g] | ["peer-group", g] => n.peer_group = Some(g.to_string()),
                    ["description", d @ ..] => n.description = d.join(" "),
                    ["shutdown", ..] => n.admin_down = true,
                    _ => {}
                }
            }
            Err(_) => {
                if let ["remote-as", asn] = tail {
                    if let Some(a) = parse_asn(asn) {
                        group_asn.insert(who.to_string(), a);
                    }
                }
            }
        }
    }
    Ok(found.inherit(&group_asn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/import/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn by_ip<'a>(n: &'a [DiscoveredNeighbor], ip: &str) -> &'a DiscoveredNeighbor {
        n.iter()
            .find(|n| n.peer_ip == ip)
            .unwrap_or_else(|| panic!("{ip} not found in {n:?}"))
    }

    #[test]
    fn junos_display_set_yields_v4_and_v6_neighbours_with_group_as_and_deactivation() {
        let n = parse_junos_display_set(&fixture("junos-display-set.txt")).unwrap();
        assert_eq!(n.len(), 4, "{n:?}");
        let a = by_ip(&n, "192.0.2.100");
        assert_eq!(
            (
                a.remote_asn,
                a.peer_group.as_deref(),
                a.description.as_str(),
                a.admin_down
            ),
            (Some(64500), Some("IX-V4"), "Example Peer", false)
        );
        let b = by_ip(&n, "192.0.2.101");
        assert_eq!(b.remote_asn, Some(64501));
        assert!(b.admin_down, "a deactivated neighbour is admin down");
        let c = by_ip(&n, "2001:db8:1::100");
        assert_eq!(
            (c.remote_asn, c.peer_group.as_deref()),
            (Some(64500), Some("IX-V6"))
        );
        let d = by_ip(&n, "2001:db8:1::102");
        assert_eq!(
            d.remote_asn,
            Some(64502),
            "the AS comes from the group's peer-as"
        );
        assert_eq!(d.description, "Second \"quoted\" peer");
    }

    #[test]
    fn iosxr_running_config_yields_neighbours_with_neighbor_group_as() {
        let n = parse_iosxr_running_config(&fixture("iosxr-running-config.txt")).unwrap();
        assert_eq!(n.len(), 4, "neighbor-groups are not neighbours: {n:?}");
        let a = by_ip(&n, "192.0.2.100");
        assert_eq!(
            (
                a.remote_asn,
                a.peer_group.as_deref(),
                a.description.as_str(),
                a.admin_down
            ),
            (Some(64500), Some("IX-V4"), "Example Peer", false)
        );
        assert!(by_ip(&n, "192.0.2.101").admin_down);
        assert_eq!(
            by_ip(&n, "2001:db8:1::102").remote_asn,
            Some(64502),
            "inherited from the neighbor-group"
        );
        assert_eq!(
            by_ip(&n, "2001:db8:1::100").peer_group.as_deref(),
            Some("IX-V6")
        );
    }

    #[test]
    fn eos_running_config_yields_neighbours_with_peer_group_as() {
        let n = parse_eos_running_config(&fixture("eos-running-config.txt")).unwrap();
        assert_eq!(n.len(), 4, "peer groups are not neighbours: {n:?}");
        let a = by_ip(&n, "192.0.2.100");
        assert_eq!(
            (
                a.remote_asn,
                a.peer_group.as_deref(),
                a.description.as_str(),
                a.admin_down
            ),
            (Some(64500), Some("IX-V4"), "Example Peer", false)
        );
        assert!(by_ip(&n, "192.0.2.101").admin_down);
        assert_eq!(by_ip(&n, "2001:db8:1::102").remote_asn, Some(64502));
        assert_eq!(
            by_ip(&n, "2001:db8:1::102").peer_group.as_deref(),
            Some("IX-V6"),
            "the older `peer-group` spelling is read too"
        );
    }

    #[test]
    fn garbage_and_truncated_listings_are_refused() {
        for bad in [
            "error: syntax error, expecting <command>: conifguration\n",
            "set protocols bgp group IX-V4 neighbor 192.0.2.100 description \"Exam\n",
            "set protocols bgp group IX-V4 neighbor 192.0.2.100 peer-as 645",
            "set protocols bgp group IX-V4 neighbor 192.0.2.1000 peer-as 64500\n",
            "",
        ] {
            assert!(
                parse_junos_display_set(bad).is_err(),
                "junos accepted {bad:?}"
            );
        }
        let xr = fixture("iosxr-running-config.txt");
        let cut = &xr[..xr.find("2001:db8:1::100").unwrap()];
        for bad in [
            "% Invalid input detected at '^' marker.\n",
            cut,
            "router bgp 64496\n neighbor 192.0.2.300\n  remote-as 64500\n !\n!\nend\n",
        ] {
            assert!(
                parse_iosxr_running_config(bad).is_err(),
                "iosxr accepted {bad:?}"
            );
        }
        let eos = fixture("eos-running-config.txt");
        let cut = &eos[..eos.find("remote-as 64502").unwrap() + 12];
        for bad in [
            "% Invalid input (at token 3: 'bgpp')\n",
            cut,
            "",
            "router bgp 64496\n   neighbor 192.0.2.100 remote-as 64500\nhostname edge1\n",
        ] {
            assert!(
                parse_eos_running_config(bad).is_err(),
                "eos accepted {bad:?}"
            );
        }
        let err = parse_eos_running_config(cut).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Rejected);
        assert!(err.to_string().contains("nothing was imported"), "{err}");
    }

    #[test]
    fn verification_reads_an_empty_answer_as_no_neighbours() {
        assert!(junos_neighbors("", true).unwrap().is_empty());
        assert!(iosxr_neighbors(
            "Fri Nov 27 09:00:00.000 UTC\n% No such configuration item(s)\n\n",
            true
        )
        .unwrap()
        .is_empty());
        assert!(eos_neighbors("", true).unwrap().is_empty());
    }

    #[test]
    fn asdot_numbers_are_read_as_four_byte_asns() {
        assert_eq!(parse_asn("1.10"), Some(65546));
        assert_eq!(parse_asn("4200000000"), Some(4_200_000_000));
        assert_eq!(parse_asn("0"), None);
        assert_eq!(parse_asn("AS64500"), None);
    }
}
