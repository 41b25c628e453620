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

/// A stored time as it travels in a file: an RFC 3339 timestamp, kept as written.
pub fn timestamp(text: &str, field: &'static str) -> Result<String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|_| text.to_string())
        .map_err(|_| {
            Error::invalid(
                field,
                format!("'{}' is not a timestamp", text.escape_debug()),
            )
        })
}

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
}
