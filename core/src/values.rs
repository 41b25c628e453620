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

/// One email address Peerdesk will write to, parsed as exactly one RFC 5322
/// mailbox: `noc@example.net`, `<noc@example.net>`, `NOC <noc@example.net>` or
/// `"Example, NOC" <noc@example.net>`. On top of RFC 5322 the address must be
/// one a mail server on the Internet can route: ASCII only, a plain (dot-atom)
/// local part of at most 64 characters, and a domain name with at least two
/// labels whose last is not a number. Quoted local parts, IP-literal or bare-IP
/// domains and dotless domains (`a@b`, `a@localhost`) are refused: no peering
/// contact needs them, and each one is a way for a typo or a crafted PeeringDB
/// field to go somewhere nobody meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    name: Option<String>,
    address: String,
    at: usize,
}

const CONTROL_CHARACTERS: &str = "must not contain line breaks or control characters";

/// Longest display name accepted: a person's or a desk's name, never a paragraph.
const EMAIL_NAME_MAX: usize = 128;

impl EmailAddress {
    /// Parses one mailbox; a list (`a@x.net, b@x.net`) is refused, see [`email_list`].
    pub fn parse(text: &str, field: &'static str) -> Result<Self> {
        let t = text.trim();
        match Self::parse_or_reason(t) {
            Ok(a) => Ok(a),
            Err(why @ ("an email address is needed" | CONTROL_CHARACTERS)) => {
                Err(Error::invalid(field, why))
            }
            Err(why) => {
                let shown: String = t.chars().take(80).collect();
                Err(Error::invalid(
                    field,
                    format!("'{shown}' is not a valid email address: {why}"),
                ))
            }
        }
    }

    /// As [`EmailAddress::parse`], with only the reason when refused (for a
    /// list of candidates that shows each one's reason beside it).
    pub fn parse_or_reason(text: &str) -> std::result::Result<Self, &'static str> {
        let t = text.trim();
        if t.is_empty() {
            return Err("an email address is needed");
        }
        if t.chars().any(char::is_control) {
            return Err(CONTROL_CHARACTERS);
        }
        let (name, spec) = match t.strip_suffix('>') {
            Some(rest) => {
                let (name, spec) = rest.rsplit_once('<').ok_or("a '>' without '<'")?;
                (display_name(name.trim())?, spec)
            }
            None if t.contains(['<', '>']) => return Err("text after the '>'"),
            None => (None, t),
        };
        if let Some(why) = address_problem(spec) {
            return Err(why);
        }
        Ok(EmailAddress {
            name,
            at: spec.find('@').expect("checked: one @"),
            address: spec.to_string(),
        })
    }

    /// `local@domain`, without the display name.
    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

/// The display name before `<…>`: plain words, or one quoted string with `\"`
/// and `\\` escapes. Empty means none.
fn display_name(text: &str) -> std::result::Result<Option<String>, &'static str> {
    if text.is_empty() {
        return Ok(None);
    }
    let name = if let Some(inner) = text.strip_prefix('"') {
        let inner = inner
            .strip_suffix('"')
            .ok_or("the display name's quote is not closed")?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next().ok_or("the display name ends in a backslash")?),
                '"' => return Err("a quote inside the display name is not escaped"),
                c => out.push(c),
            }
        }
        out
    } else {
        if text.contains('@') {
            return Err("one address per entry: separate addresses with commas");
        }
        if text.contains(['"', '(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',']) {
            return Err("the display name has special characters: put it in double quotes");
        }
        text.to_string()
    };
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() > EMAIL_NAME_MAX {
        return Err("the display name is longer than 128 characters");
    }
    Ok((!name.is_empty()).then_some(name))
}

/// Why `spec` (`local@domain`, nothing around it) is not an address Peerdesk
/// writes to, or `None` when it is.
pub fn address_problem(spec: &str) -> Option<&'static str> {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if spec.len() > 254 {
        return Some("longer than 254 characters");
    }
    if !spec.is_ascii() {
        return Some(
            "it has non-ASCII characters (write an internationalised domain in its xn-- form)",
        );
    }
    if spec.chars().any(|c| c.is_whitespace()) {
        return Some(if spec.matches('@').count() > 1 {
            "one address per entry: separate addresses with commas"
        } else {
            "it contains a space"
        });
    }
    let (local, domain) = match spec.matches('@').count() {
        0 => return Some("there is no @"),
        1 => spec.split_once('@').expect("one @"),
        _ => return Some("more than one @: separate addresses with commas"),
    };
    if local.is_empty() {
        return Some("nothing before the @");
    }
    if local.starts_with('"') {
        return Some("quoted local parts are not accepted");
    }
    if local.len() > 64 {
        return Some("the part before the @ is longer than 64 characters");
    }
    if !local.chars().all(|c| atext(c) || c == '.') {
        return Some("the part before the @ has a character that is not allowed there");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("the part before the @ has a misplaced dot");
    }
    if domain.is_empty() {
        return Some("nothing after the @");
    }
    if domain.starts_with('[') || domain.parse::<IpAddr>().is_ok() {
        return Some("an IP address is not accepted as a mail domain");
    }
    if domain.len() > 253 {
        return Some("the domain is longer than 253 characters");
    }
    if !domain.contains('.') {
        return Some("the domain has no dot (a full domain like example.net is needed)");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Some("the domain has an empty part (two dots, or a dot at an end)");
        }
        if label.len() > 63 {
            return Some("a part of the domain is longer than 63 characters");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some("the domain may contain only letters, digits, - and .");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a part of the domain starts or ends with -");
        }
    }
    let top = labels.last().expect("at least two labels");
    if top.chars().all(|c| c.is_ascii_digit()) {
        return Some("the domain ends in a number (an IP address is not accepted)");
    }
    if top.len() < 2 {
        return Some("the top-level domain has one letter");
    }
    None
}

/// A comma-separated list of mailboxes as typed in To, Cc, Bcc or Reply-To.
/// Commas inside a quoted display name do not separate; empty entries between
/// commas are skipped. Every entry must parse as [`EmailAddress`].
pub fn email_list(text: &str, field: &'static str, required: bool) -> Result<Vec<EmailAddress>> {
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must not contain line breaks or control characters",
        ));
    }
    let mut out = Vec::new();
    let (mut quoted, mut escaped, mut start) = (false, false, 0);
    let mut entries = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                entries.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    entries.push(&text[start..]);
    for entry in entries.into_iter().map(str::trim).filter(|e| !e.is_empty()) {
        out.push(EmailAddress::parse(entry, field)?);
    }
    if required && out.is_empty() {
        return Err(Error::invalid(field, "at least one address is needed"));
    }
    Ok(out)
}

/// The pieces of a PeeringDB contact's email field that look like addresses
/// (contain an `@`), split at commas, semicolons and whitespace. A field is
/// meant to hold one address; when it holds several, each becomes a separate
/// candidate for the user to choose, never several recipients at once.
pub fn split_contact_field(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace() || c.is_control())
        .map(str::trim)
        .filter(|p| p.contains('@'))
        .map(str::to_string)
        .collect()
}

/// An optional bare email address (no display name), as [`EmailAddress`].
pub fn optional_email(text: &str, field: &'static str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    if t.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must not contain line breaks or control characters",
        ));
    }
    match address_problem(t) {
        None => Ok(t.to_string()),
        Some(why) => Err(Error::invalid(
            field,
            format!("'{t}' is not an email address: {why}"),
        )),
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

    #[test]
    fn email_addresses_follow_one_rule_valid_table() {
        let valid = [
            ("noc@example.net", None, "noc@example.net"),
            ("  noc@example.net  ", None, "noc@example.net"),
            ("<noc@example.net>", None, "noc@example.net"),
            ("NOC <noc@example.net>", Some("NOC"), "noc@example.net"),
            (
                "Example  NOC   <noc@example.net>",
                Some("Example NOC"),
                "noc@example.net",
            ),
            (
                "\"Example, NOC\" <noc@example.net>",
                Some("Example, NOC"),
                "noc@example.net",
            ),
            (
                "\"Say \\\"hi\\\"\" <noc@example.net>",
                Some("Say \"hi\""),
                "noc@example.net",
            ),
            (
                "J. Smith <j.smith@example.net>",
                Some("J. Smith"),
                "j.smith@example.net",
            ),
            (
                "Zürich NOC <noc@example.net>",
                Some("Zürich NOC"),
                "noc@example.net",
            ),
            (
                "peering+as64500@mail.example.co.uk",
                None,
                "peering+as64500@mail.example.co.uk",
            ),
            ("o'brien@example.net", None, "o'brien@example.net"),
            (
                "noc@xn--mnchen-3ya.example",
                None,
                "noc@xn--mnchen-3ya.example",
            ),
            (
                "noc@sub-domain.example.net",
                None,
                "noc@sub-domain.example.net",
            ),
            ("NOC@EXAMPLE.NET", None, "NOC@EXAMPLE.NET"),
        ];
        for (text, name, address) in valid {
            let a = EmailAddress::parse(text, "to").unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((a.name(), a.address()), (name, address), "{text}");
        }
        let a = EmailAddress::parse("NOC <noc@mail.example.net>", "to").unwrap();
        assert_eq!((a.local_part(), a.domain()), ("noc", "mail.example.net"));
    }

    #[test]
    fn email_addresses_follow_one_rule_invalid_table() {
        let invalid = [
            ("", "needed"),
            ("a@b", "no dot"),
            ("noc@localhost", "no dot"),
            ("noc@192.0.2.1", "IP address"),
            ("noc@[192.0.2.1]", "IP address"),
            ("noc@[IPv6:2001:db8::1]", "IP address"),
            ("noc@example.123", "number"),
            ("noc@example.n", "one letter"),
            ("a@x.net, b@x.net", "separate addresses with commas"),
            ("a@x.net; b@x.net", "separate addresses with commas"),
            ("a@x.net b@x.net", "separate addresses with commas"),
            ("a@x.net;b@x.net", "more than one @"),
            ("noc at example.net", "space"),
            ("noc.example.net", "no @"),
            ("@example.net", "nothing before"),
            ("noc@", "nothing after"),
            ("\"a b\"@example.net", "space"),
            ("\"ab\"@example.net", "quoted local parts"),
            ("a..b@example.net", "misplaced dot"),
            (".a@example.net", "misplaced dot"),
            ("a.@example.net", "misplaced dot"),
            ("a(b)@example.net", "not allowed"),
            ("noc@example..net", "empty part"),
            ("noc@example.net.", "empty part"),
            ("noc@-example.net", "starts or ends with -"),
            ("noc@exa_mple.net", "only letters"),
            ("jörg@example.net", "non-ASCII"),
            ("noc@münchen.example", "non-ASCII"),
            ("noc@example.net\r\nBcc: x@example.org", "line breaks"),
            ("noc@example.net>", "without '<'"),
            ("<noc@example.net> junk", "after the '>'"),
            ("Name noc@example.net", "space"),
            ("No\"C <noc@example.net>", "special characters"),
            ("\"NOC <noc@example.net>", "not closed"),
            (
                "a@b.example, <c@d.example>",
                "separate addresses with commas",
            ),
        ];
        for (text, why) in invalid {
            let e = EmailAddress::parse(text, "to").expect_err(text);
            assert_eq!(e.field(), Some("to"), "{text}");
            assert!(e.to_string().contains(why), "{text}: {e}");
        }
        let long_local = format!("{}@example.net", "a".repeat(65));
        assert!(EmailAddress::parse(&long_local, "to").is_err());
        let long_label = format!("noc@{}.net", "a".repeat(64));
        assert!(EmailAddress::parse(&long_label, "to").is_err());
        let long_name = format!("{} <noc@example.net>", "N".repeat(129));
        assert!(EmailAddress::parse(&long_name, "to").is_err());
        assert!(
            optional_email("noc@192.0.2.1", "e").is_err(),
            "one rule everywhere"
        );
        assert!(optional_email("a@b", "e").is_err());
        assert!(
            optional_email("NOC <noc@example.net>", "e").is_err(),
            "a bare address only"
        );
    }

    #[test]
    fn email_lists_split_at_commas_outside_quotes_and_skip_empty_entries() {
        let list = email_list(
            "a@example.net, \"Example, NOC\" <noc@example.net>,, ",
            "cc",
            false,
        )
        .unwrap();
        let got: Vec<_> = list.iter().map(|a| (a.name(), a.address())).collect();
        assert_eq!(
            got,
            vec![
                (None, "a@example.net"),
                (Some("Example, NOC"), "noc@example.net")
            ]
        );
        assert!(email_list("  ", "cc", false).unwrap().is_empty());
        assert_eq!(email_list(" ", "to", true).unwrap_err().field(), Some("to"));
        assert_eq!(
            email_list("a@example.net, a@b", "cc", false)
                .unwrap_err()
                .field(),
            Some("cc")
        );
        assert!(email_list("a@example.net\nb@example.net", "cc", false).is_err());
    }

    #[test]
    fn address_parsing_never_panics_and_what_it_accepts_is_routable_ascii() {
        let pieces = [
            "a",
            "noc",
            "@",
            ".",
            "..",
            "-",
            "_",
            "\"",
            "\\",
            "<",
            ">",
            ",",
            ";",
            " ",
            "\t",
            "\n",
            "\r",
            "[",
            "]",
            "example",
            "net",
            "192.0.2.1",
            "ü",
            "(",
            ")",
            "+",
            "'",
            "xn--",
            "1",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let text: String = (0..(next() % 24))
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            if let Ok(a) = EmailAddress::parse(&text, "to") {
                assert!(
                    a.address().is_ascii() && a.address().len() <= 254,
                    "{text:?}"
                );
                assert_eq!(a.address().matches('@').count(), 1, "{text:?}");
                assert!(
                    a.domain().contains('.') && !a.address().contains(char::is_whitespace),
                    "{text:?}"
                );
                assert!(address_problem(a.address()).is_none());
                assert!(a.name().is_none_or(|n| !n.chars().any(char::is_control)));
            }
            for entry in email_list(&text, "cc", false).unwrap_or_default() {
                assert!(address_problem(entry.address()).is_none(), "{text:?}");
            }
            for piece in split_contact_field(&text) {
                assert!(!piece.contains([',', ';']) && !piece.contains(char::is_whitespace));
            }
        }
        let huge = "a@".repeat(50_000);
        let started = std::time::Instant::now();
        assert!(EmailAddress::parse(&huge, "to").is_err());
        assert!(email_list(&"a@example.net,".repeat(20_000), "to", true).is_ok());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "bounded time"
        );
    }

    #[test]
    fn a_peeringdb_contact_field_splits_into_candidates_at_commas_semicolons_and_whitespace() {
        assert_eq!(
            split_contact_field("a@x.net, b@x.net;c@x.net\nd@x.net\te@x.net  f@x.net"),
            vec!["a@x.net", "b@x.net", "c@x.net", "d@x.net", "e@x.net", "f@x.net"]
        );
        assert_eq!(
            split_contact_field("Peering <p@x.net> (24/7)"),
            vec!["<p@x.net>"]
        );
        assert_eq!(split_contact_field("noc@x.net"), vec!["noc@x.net"]);
        assert!(split_contact_field("call us").is_empty());
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
