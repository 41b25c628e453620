//! Typed values that every input is parsed into at the core's edge. Once a value
//! has one of these types it is known to be valid, so nothing downstream (store,
//! templates, exports) checks again. Parsing functions name the form field they
//! validate so the UI can show the message next to it.

use crate::error::{Error, Result};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;
use ts_rs::TS;

/// An autonomous system number that may appear in a BGP session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Asn(u32);

/// AS_TRANS (RFC 6793): a placeholder on the wire, never a real peer.
const AS_TRANS: u32 = 23456;

impl Asn {
    pub fn new(value: i64, field: &'static str) -> Result<Self> {
        if !(1..=4_294_967_294).contains(&value) {
            return Err(Error::invalid(
                field,
                format!("ASN {value} is out of range: an ASN is between 1 and 4294967294"),
            ));
        }
        if value == i64::from(AS_TRANS) {
            return Err(Error::invalid(
                field,
                "ASN 23456 is AS_TRANS, a placeholder for 4-byte ASNs, and cannot be a peer",
            ));
        }
        Ok(Asn(value as u32))
    }

    /// Parses what a person typed: `64500`, `AS64500`, `as 64500`.
    pub fn parse(text: &str, field: &'static str) -> Result<Self> {
        let t = text.trim();
        let digits = t
            .strip_prefix("AS")
            .or_else(|| t.strip_prefix("as"))
            .or_else(|| t.strip_prefix("As"))
            .unwrap_or(t)
            .trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 10 {
            return Err(Error::invalid(field, format!("'{t}' is not an ASN")));
        }
        let value: i64 = digits
            .parse()
            .map_err(|_| Error::invalid(field, format!("'{t}' is not an ASN")))?;
        Asn::new(value, field)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// A note worth showing next to an ASN that is valid but special.
    pub fn note(self) -> Option<&'static str> {
        match self.0 {
            64496..=64511 | 65536..=65551 => Some("documentation ASN (RFC 5398)"),
            64512..=65534 | 4_200_000_000..=4_294_967_294 => Some("private ASN (RFC 6996)"),
            65535 | 4_294_967_295 => Some("reserved ASN"),
            0 => None,
            _ => None,
        }
    }
}

impl fmt::Display for Asn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AS{}", self.0)
    }
}

/// What [`crate::Peerdesk::check_asn`] tells the UI about typed ASN text.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AsnInfo {
    pub asn: u32,
    pub note: Option<String>,
}

/// A short display name: 1..=max printable characters, trimmed, no control characters.
pub fn name(text: &str, field: &'static str, max: usize) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, "required"));
    }
    if t.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("too long: at most {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must not contain line breaks or control characters",
        ));
    }
    Ok(t.to_string())
}

/// Optional free text (notes): bounded, control characters other than newline and tab refused.
pub fn notes(text: &str, field: &'static str) -> Result<String> {
    const MAX: usize = 4000;
    if text.chars().count() > MAX {
        return Err(Error::invalid(
            field,
            format!("too long: at most {MAX} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(text.trim_end().to_string())
}

/// Optional single-line text: empty stays empty, otherwise as [`name`].
pub fn optional_name(text: &str, field: &'static str, max: usize) -> Result<String> {
    if text.trim().is_empty() {
        Ok(String::new())
    } else {
        name(text, field, max)
    }
}

/// A policy, route-map or AS-SET identifier that will one day reach a router
/// template: letters, digits and `-_:.` only, so it can never carry syntax.
pub fn identifier(text: &str, field: &'static str) -> Result<String> {
    let t = text.trim();
    if t.len() > 128 {
        return Err(Error::invalid(field, "too long: at most 128 characters"));
    }
    if let Some(bad) = t
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')))
    {
        return Err(Error::invalid(
            field,
            format!("'{bad}' is not allowed: use letters, digits and - _ : . only"),
        ));
    }
    Ok(t.to_string())
}

pub fn ip(text: &str, field: &'static str) -> Result<IpAddr> {
    let t = text.trim();
    t.parse::<IpAddr>()
        .map_err(|_| Error::invalid(field, format!("'{t}' is not an IP address")))
}

pub fn optional_ip(text: Option<&str>, field: &'static str) -> Result<Option<IpAddr>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => ip(t, field).map(Some),
    }
}

/// A LAN prefix of the given family, normalised to its network address.
pub fn optional_prefix(
    text: Option<&str>,
    family: AddressFamily,
    field: &'static str,
) -> Result<Option<IpNet>> {
    let t = match text.map(str::trim) {
        None | Some("") => return Ok(None),
        Some(t) => t,
    };
    let net: IpNet = t
        .parse()
        .map_err(|_| Error::invalid(field, format!("'{t}' is not a prefix like 192.0.2.0/24")))?;
    if AddressFamily::of_net(&net) != family {
        return Err(Error::invalid(
            field,
            format!("'{t}' is not an {} prefix", family.label()),
        ));
    }
    Ok(Some(net.trunc()))
}

pub fn port(value: i64, field: &'static str) -> Result<u16> {
    u16::try_from(value)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| Error::invalid(field, format!("{value} is not a TCP port (1-65535)")))
}

/// An email address, checked for shape only (the mail server has the last word).
pub fn optional_email(text: &str, field: &'static str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let ok = t.len() <= 254
        && !t.chars().any(|c| c.is_control() || c.is_whitespace())
        && matches!(t.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                && !domain.ends_with('.') && !domain.contains('@'));
    if ok {
        Ok(t.to_string())
    } else {
        Err(Error::invalid(
            field,
            format!("'{t}' is not an email address"),
        ))
    }
}

/// A BGP MD5 password: printable ASCII without spaces, at most 80 characters
/// (the TCP-MD5 key limit on common platforms).
pub fn md5_password(text: &str, field: &'static str) -> Result<String> {
    if text.len() > 80 {
        return Err(Error::invalid(field, "too long: at most 80 characters"));
    }
    // Quotes, backslashes and statement or comment characters would need
    // escaping differently on every platform; refusing them keeps a password
    // from ever ending the statement it sits in.
    if !text
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"\"'\\;{}#!`$".contains(&b))
    {
        return Err(Error::invalid(
            field,
            "use letters, digits and punctuation other than \" ' \\ ; { } # ! ` $, without spaces",
        ));
    }
    Ok(text.to_string())
}

/// IRR registries an AS-SET may name as its source (`RIPE::AS-EXAMPLE`,
/// `AS-EXAMPLE@RIPE`): the databases IRR mirrors such as rr.ntt.net and
/// whois.radb.net carry. A source outside this list is refused rather than
/// passed on to a query or a template.
pub const IRR_SOURCES: &[&str] = &[
    "AFRINIC",
    "ALTDB",
    "APNIC",
    "ARIN",
    "ARIN-NONAUTH",
    "BBOI",
    "BELL",
    "CANARIE",
    "IDNIC",
    "JPIRR",
    "LACNIC",
    "LEVEL3",
    "NESTEGG",
    "NTTCOM",
    "PANIX",
    "RADB",
    "REACH",
    "RIPE",
    "RIPE-NONAUTH",
    "TC",
    "WCGDB",
];

/// At most this many sets in one AS-SET field, and this many characters in one set.
pub const MAX_AS_SETS: usize = 16;
const MAX_AS_SET_LEN: usize = 128;

/// One IRR set reference: an optional registry and an RPSL as-set name
/// (`AS-EXAMPLE`, hierarchical `AS64500:AS-CUSTOMERS`) or a plain ASN
/// (`AS64500`, which IRR tools expand as the network itself). Both parts are
/// upper case: RPSL names are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AsSet {
    source: Option<&'static str>,
    name: String,
}

impl AsSet {
    pub fn source(&self) -> Option<&'static str> {
        self.source
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// One element as written in PeeringDB or a form, or why it is not a set.
    fn parse(element: &str) -> std::result::Result<AsSet, String> {
        if element.chars().count() > MAX_AS_SET_LEN {
            return Err(format!("too long: at most {MAX_AS_SET_LEN} characters"));
        }
        let upper = element.to_ascii_uppercase();
        let (source, name) = if let Some((src, name)) = upper.split_once("::") {
            (Some(src), name)
        } else if let Some((name, src)) = upper.rsplit_once('@') {
            (Some(src), name)
        } else {
            (None, upper.as_str())
        };
        let source = match source {
            None => None,
            Some(src) => Some(
                IRR_SOURCES
                    .iter()
                    .copied()
                    .find(|known| *known == src)
                    .ok_or_else(|| format!("{src} is not a known IRR registry"))?,
            ),
        };
        let components: Vec<&str> = name.split(':').collect();
        let mut has_set = false;
        for c in &components {
            if let Some(digits) = c
                .strip_prefix("AS")
                .filter(|d| !d.is_empty() && d.len() <= 10 && d.bytes().all(|b| b.is_ascii_digit()))
            {
                let value: i64 = digits.parse().map_err(|_| "not an ASN".to_string())?;
                Asn::new(value, "asSet").map_err(|_| format!("AS{digits} is not a valid ASN"))?;
            } else if is_set_name(c) {
                has_set = true;
            } else {
                return Err("use an AS-SET name (AS-NAME, AS64500:AS-NAME) or an ASN, \
                     optionally with a registry (RIPE::AS-NAME)"
                    .to_string());
            }
        }
        if components.len() > 1 && !has_set {
            return Err("a hierarchical name needs an AS-SET component (AS-NAME)".to_string());
        }
        Ok(AsSet {
            source,
            name: name.to_string(),
        })
    }
}

/// RPSL set name: `AS-` then letters, digits, `-` and `_`, ending in a letter or digit.
fn is_set_name(c: &str) -> bool {
    c.strip_prefix("AS-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && rest
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

impl fmt::Display for AsSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            Some(src) => write!(f, "{src}::{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// An AS-SET field: several sets separated by spaces or commas, each
/// validated, duplicates dropped, order kept. Its text form (what the
/// `networks.as_set` column holds) is the sets in canonical form separated by
/// one space.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AsSetList(Vec<AsSet>);

impl AsSetList {
    pub fn sets(&self) -> &[AsSet] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The sets as strings, for IPC and templates.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(AsSet::to_string).collect()
    }

    /// Keeps the valid sets of text from outside that is not a form (a
    /// PeeringDB row, a stored value): a bad element is left out, never passed on.
    pub fn lenient(text: &str) -> AsSetList {
        let mut out: Vec<AsSet> = Vec::new();
        for element in as_set_elements(text) {
            if out.len() == MAX_AS_SETS {
                break;
            }
            if let Ok(set) = AsSet::parse(element) {
                if !out.contains(&set) {
                    out.push(set);
                }
            }
        }
        AsSetList(out)
    }
}

impl fmt::Display for AsSetList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(" "))
    }
}

fn as_set_elements(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|e| !e.is_empty())
}

/// Parses an AS-SET field as typed: `RIPE::AS-X AS-Y`, `AS-X, AS-Y@RADB`,
/// empty for none. The first bad element is named in the error on `field`.
pub fn as_set_list(text: &str, field: &'static str) -> Result<AsSetList> {
    if text.chars().count() > MAX_AS_SETS * (MAX_AS_SET_LEN + 2) {
        return Err(Error::invalid(field, "too long"));
    }
    let mut out: Vec<AsSet> = Vec::new();
    for element in as_set_elements(text) {
        let set = AsSet::parse(element).map_err(|why| {
            let shown: String = element.chars().take(40).collect();
            Error::invalid(field, format!("'{shown}' is not an AS-SET: {why}"))
        })?;
        if !out.contains(&set) {
            out.push(set);
        }
    }
    if out.len() > MAX_AS_SETS {
        return Err(Error::invalid(
            field,
            format!("too many sets: at most {MAX_AS_SETS}"),
        ));
    }
    Ok(AsSetList(out))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AddressFamily {
    Ipv4,
    Ipv6,
}

impl AddressFamily {
    pub fn of(ip: &IpAddr) -> Self {
        if ip.is_ipv4() {
            AddressFamily::Ipv4
        } else {
            AddressFamily::Ipv6
        }
    }

    pub fn of_net(net: &IpNet) -> Self {
        match net {
            IpNet::V4(_) => AddressFamily::Ipv4,
            IpNet::V6(_) => AddressFamily::Ipv6,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AddressFamily::Ipv4 => "IPv4",
            AddressFamily::Ipv6 => "IPv6",
        }
    }

    pub fn version(self) -> i64 {
        match self {
            AddressFamily::Ipv4 => 4,
            AddressFamily::Ipv6 => 6,
        }
    }
}

/// Implements text conversion for a plain enum stored as text in SQLite.
macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
            pub fn from_text(text: &str) -> Option<Self> {
                match text { $($text => Some($ty::$variant),)+ _ => None }
            }
        }
        impl rusqlite::types::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }
        impl rusqlite::types::FromSql for $ty {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                $ty::from_text(s).ok_or_else(|| rusqlite::types::FromSqlError::Other(
                    format!("unknown {} '{}'", stringify!($ty), s).into()))
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(AddressFamily { Ipv4 => "ipv4", Ipv6 => "ipv6" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asn_range_excludes_zero_as_trans_and_the_last_value() {
        assert!(Asn::new(0, "asn").is_err());
        assert!(Asn::new(23456, "asn").is_err());
        assert!(Asn::new(4_294_967_295, "asn").is_err());
        assert_eq!(Asn::new(4_294_967_294, "asn").unwrap().get(), 4_294_967_294);
        assert_eq!(Asn::parse("AS64500", "asn").unwrap().get(), 64500);
        assert!(Asn::parse("AS-64500", "asn").is_err());
    }

    #[test]
    fn documentation_and_private_asns_carry_a_note() {
        assert_eq!(
            Asn::new(64496, "a").unwrap().note(),
            Some("documentation ASN (RFC 5398)")
        );
        assert_eq!(
            Asn::new(64512, "a").unwrap().note(),
            Some("private ASN (RFC 6996)")
        );
        assert_eq!(Asn::new(13335, "a").unwrap().note(), None);
    }

    #[test]
    fn names_refuse_line_breaks_so_they_cannot_become_a_second_command() {
        assert!(name("Example\nneighbor 1.2.3.4", "name", 100).is_err());
        assert!(name("   ", "name", 100).is_err());
        assert_eq!(name("  Example IX  ", "name", 100).unwrap(), "Example IX");
        assert!(name(&"x".repeat(101), "name", 100).is_err());
    }

    #[test]
    fn identifiers_allow_only_safe_characters() {
        assert!(identifier("AS-EXAMPLE:AS-CUSTOMERS", "p").is_ok());
        assert!(identifier("IMPORT; rm", "p").is_err());
        assert!(identifier("a}b", "p").is_err());
    }

    #[test]
    fn prefixes_are_normalised_and_checked_for_family() {
        let p = optional_prefix(Some("192.0.2.77/24"), AddressFamily::Ipv4, "p")
            .unwrap()
            .unwrap();
        assert_eq!(p.to_string(), "192.0.2.0/24");
        assert!(optional_prefix(Some("2001:db8::/64"), AddressFamily::Ipv4, "p").is_err());
        assert!(optional_prefix(Some(""), AddressFamily::Ipv4, "p")
            .unwrap()
            .is_none());
    }

    #[test]
    fn md5_passwords_are_printable_ascii() {
        assert!(md5_password("s3cr3t-99.X", "m").is_ok());
        assert!(md5_password("has space", "m").is_err());
        assert!(md5_password("tab\t", "m").is_err());
        for bad in ["a\"b", "a;b", "a}b", "a#b", "a!b", "a\\b", "a'b"] {
            assert!(md5_password(bad, "m").is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_shape_checked() {
        assert!(optional_email("noc@example.net", "e").is_ok());
        assert!(optional_email("", "e").is_ok());
        assert!(optional_email("noc@example", "e").is_err());
        assert!(optional_email("a b@example.net", "e").is_err());
    }

    #[test]
    fn as_set_fields_hold_several_sets_with_registries() {
        let l = as_set_list(
            "RIPE::AS-X as-y, AS64500:AS-CUSTOMERS AS-Z@radb AS64501",
            "asSet",
        )
        .unwrap();
        assert_eq!(
            l.names(),
            vec![
                "RIPE::AS-X",
                "AS-Y",
                "AS64500:AS-CUSTOMERS",
                "RADB::AS-Z",
                "AS64501"
            ]
        );
        assert_eq!(
            l.to_string(),
            "RIPE::AS-X AS-Y AS64500:AS-CUSTOMERS RADB::AS-Z AS64501"
        );
        assert_eq!(l.sets()[0].source(), Some("RIPE"));
        assert_eq!(l.sets()[1].name(), "AS-Y");
        assert!(as_set_list("  ", "asSet").unwrap().is_empty());
        assert_eq!(
            as_set_list("AS-X AS-X as-x", "asSet").unwrap().names(),
            vec!["AS-X"]
        );
    }

    #[test]
    fn a_bad_as_set_element_is_named_in_the_error() {
        for (text, bad) in [
            ("AS-X FOO::AS-Y", "FOO::AS-Y"),
            ("AS-X AS-Y;", "AS-Y;"),
            ("AS-OK ROUTE-SET", "ROUTE-SET"),
            ("AS-", "AS-"),
            ("AS-END-", "AS-END-"),
            ("AS23456", "AS23456"),
            ("AS64500:AS64501", "AS64500:AS64501"),
            ("AS-X}", "AS-X}"),
        ] {
            let e = as_set_list(text, "asSet").unwrap_err();
            assert_eq!(e.field(), Some("asSet"));
            assert!(e.to_string().contains(&format!("'{bad}'")), "{text}: {e}");
        }
        let many: Vec<String> = (0..17).map(|i| format!("AS-S{i}")).collect();
        assert!(as_set_list(&many.join(" "), "asSet").is_err());
        assert!(as_set_list(&format!("AS-{}", "A".repeat(130)), "asSet").is_err());
    }

    #[test]
    fn as_sets_from_outside_keep_only_the_valid_sets() {
        let l = AsSetList::lenient("AS-GOOD, AS-BAD;rm FOO::AS-Y AS-ÜBER RIPE::AS-OK");
        assert_eq!(l.names(), vec!["AS-GOOD", "RIPE::AS-OK"]);
        let many: Vec<String> = (0..40).map(|i| format!("AS-S{i}")).collect();
        assert_eq!(
            AsSetList::lenient(&many.join(" ")).sets().len(),
            MAX_AS_SETS
        );
    }

    /// Property check without a framework: many generated inputs over the
    /// characters that matter (separators, registry marks, syntax a router
    /// would read, non-ASCII). Each gives a list or an error on the field,
    /// never a panic; a list's text form parses back to the same list; what
    /// the lenient reader keeps is always valid and bounded.
    #[test]
    fn any_as_set_text_gives_a_valid_list_or_an_error_on_the_field() {
        const PIECES: &[&str] = &[
            "AS-", "AS", "as-", "6450", "0", "X", "y", "_", "-", ":", "::", "@", ",", " ", "\t",
            "\n", ";", "}", "\"", "RIPE", "radb", "FOO", "Ü", "Ω", "AS64500", "AS-SET", "23456",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let started = std::time::Instant::now();
        let (mut lists, mut errors) = (0, 0);
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            match as_set_list(&text, "asSet") {
                Ok(list) => {
                    lists += usize::from(!list.is_empty());
                    assert_eq!(
                        as_set_list(&list.to_string(), "asSet").unwrap(),
                        list,
                        "{text:?}"
                    );
                    assert!(list.sets().len() <= MAX_AS_SETS);
                    assert!(
                        list.to_string()
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_: ".contains(&b)),
                        "{text:?}"
                    );
                }
                Err(e) => {
                    errors += 1;
                    assert_eq!(e.field(), Some("asSet"), "{text:?}");
                }
            }
            let kept = AsSetList::lenient(&text);
            assert!(kept.sets().len() <= MAX_AS_SETS);
            assert_eq!(
                as_set_list(&kept.to_string(), "asSet").unwrap(),
                kept,
                "{text:?}"
            );
        }
        assert!(
            lists > 100 && errors > 1000,
            "the inputs reach both outcomes: {lists} lists, {errors} errors"
        );
        let huge = "AS-X;".repeat(200_000);
        assert!(as_set_list(&huge, "asSet").is_err());
        assert!(AsSetList::lenient(&huge).is_empty());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "bounded time: {:?}",
            started.elapsed()
        );
    }
}
