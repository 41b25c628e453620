//! Sending one email over SMTP with lettre, and the [`Mailer`] seam that lets
//! tests count what was sent. Failures are sorted by what the user can do:
//! unreachable (queue and retry later), authentication, TLS, or a refusal by
//! the server with its reply code.
//!
//! The Subject header is written here, not by lettre: lettre folds at spaces
//! and encodes non-ASCII words, but leaves an unbroken ASCII word of any length
//! on one line, which a server refuses past 998 characters (RFC 5322 §2.1.1).
//! [`folded_subject`] keeps every line within 78 characters: short ASCII words
//! stay as they are, anything else (non-ASCII, long or `=?`-like words) becomes
//! RFC 2047 UTF-8 encoded words that readers join back without a gap.

use crate::error::{Error, Result};
use crate::secrets::Secret;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a server on this machine.
    Plain,
}
crate::values::text_enum!(SmtpSecurity { Starttls => "starttls", Tls => "tls", Plain => "plain" });

/// Everything needed to reach the server; the password comes from the keyring.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: Option<Secret>,
    /// A PEM file of an extra certificate authority to trust (a private relay).
    pub ca_file: String,
}

/// A message ready to go, addresses already validated.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub subject: String,
    pub body: String,
    /// Without angle brackets: `local@domain`.
    pub message_id: String,
}

pub trait Mailer: Send + Sync {
    fn send(&self, config: &SmtpConfig, email: &OutgoingEmail) -> Result<()>;
}

/// The real SMTP client.
pub struct SmtpMailer;

/// The message as it goes on the wire (headers, envelope and body).
pub fn build_message(email: &OutgoingEmail) -> Result<Message> {
    let mut builder = Message::builder()
        .from(email.from.clone())
        .raw_header(HeaderValue::dangerous_new_pre_encoded(
            HeaderName::new_from_ascii_str("Subject"),
            email.subject.clone(),
            folded_subject(&email.subject),
        ))
        .message_id(Some(format!("<{}>", email.message_id)))
        .header(ContentType::TEXT_PLAIN);
    if let Some(r) = &email.reply_to {
        builder = builder.reply_to(r.clone());
    }
    for m in &email.to {
        builder = builder.to(m.clone());
    }
    for m in &email.cc {
        builder = builder.cc(m.clone());
    }
    for m in &email.bcc {
        builder = builder.bcc(m.clone());
    }
    builder
        .body(email.body.clone())
        .map_err(|e| Error::invalid("body", format!("the message cannot be built: {e}")))
}

/// Longest header line we write, with its CRLF left out (RFC 5322 §2.1.1's
/// "SHOULD"); the hard limit is 998.
const LINE_MAX: usize = 78;
/// Room on the first line after `Subject: `.
const FIRST_LINE_ROOM: usize = LINE_MAX - "Subject: ".len();
/// Bytes of UTF-8 per encoded word: 42 bytes are 56 base64 characters, 68 with
/// `=?utf-8?b?` and `?=`, so one encoded word fits even on the first line.
const ENCODED_CHUNK: usize = 42;

/// The Subject's value as written after `Subject: `, folded (CRLF + space)
/// so no line passes [`LINE_MAX`]. The subject is one line already (checked).
pub fn folded_subject(subject: &str) -> String {
    // (spaces before, word) for each space-separated word.
    let mut tokens: Vec<(&str, &str)> = Vec::new();
    let mut rest = subject;
    while !rest.is_empty() {
        let word_start = rest.find(|c| c != ' ').unwrap_or(rest.len());
        let word_end = rest[word_start..]
            .find(' ')
            .map_or(rest.len(), |i| word_start + i);
        if word_start < word_end {
            tokens.push((&rest[..word_start], &rest[word_start..word_end]));
        }
        rest = &rest[word_end..];
    }
    let plain = |(spaces, word): (&str, &str)| {
        word.bytes().all(|b| b.is_ascii_graphic())
            && !word.contains("=?")
            && spaces.len() + word.len() <= FIRST_LINE_ROOM
    };
    // Atoms as (separator, text): plain words keep their spaces; a run of
    // other words becomes encoded words, the run's inner spaces encoded too.
    let mut atoms: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if plain(tokens[i]) {
            atoms.push((tokens[i].0.to_string(), tokens[i].1.to_string()));
            i += 1;
            continue;
        }
        let (spaces, word) = tokens[i];
        // One space stays between the previous word and the run; any more are text.
        let (separator, mut text) = match spaces.len() {
            0 => (String::new(), String::new()),
            n => (" ".to_string(), " ".repeat(n - 1)),
        };
        text.push_str(word);
        i += 1;
        while i < tokens.len() && !plain(tokens[i]) {
            text.push_str(tokens[i].0);
            text.push_str(tokens[i].1);
            i += 1;
        }
        for (n, chunk) in utf8_chunks(&text, ENCODED_CHUNK).into_iter().enumerate() {
            let sep = if n == 0 {
                separator.clone()
            } else {
                " ".to_string()
            };
            atoms.push((sep, format!("=?utf-8?b?{}?=", base64(chunk.as_bytes()))));
        }
    }
    let mut out = String::new();
    let mut line = "Subject: ".len();
    for (n, (sep, atom)) in atoms.iter().enumerate() {
        if n > 0 && line + sep.len() + atom.len() > LINE_MAX {
            out.push_str("\r\n");
            line = 0;
        }
        out.push_str(sep);
        out.push_str(atom);
        line += sep.len() + atom.len();
    }
    out
}

/// `text` cut into pieces of at most `max` bytes, never inside a character.
fn utf8_chunks(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = max.min(rest.len());
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// Standard base64 with padding (RFC 4648), for encoded words.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Mailer for SmtpMailer {
    fn send(&self, config: &SmtpConfig, email: &OutgoingEmail) -> Result<()> {
        let message = build_message(email)?;

        let tls = || -> Result<TlsParameters> {
            let mut b = TlsParameters::builder(config.host.clone());
            if !config.ca_file.is_empty() {
                let pem = std::fs::read(&config.ca_file)?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    Error::invalid(
                        "caFile",
                        format!("{} is not a PEM certificate: {e}", config.ca_file),
                    )
                })?;
                b = b.add_root_certificate(cert);
            }
            b.build()
                .map_err(|e| Error::Rejected(format!("TLS setup failed: {e}")))
        };
        let mut transport = SmtpTransport::builder_dangerous(config.host.clone())
            .port(config.port)
            .timeout(Some(Duration::from_secs(20)));
        transport = match config.security {
            SmtpSecurity::Starttls => transport.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => transport.tls(Tls::Wrapper(tls()?)),
            SmtpSecurity::Plain => transport.tls(Tls::None),
        };
        if !config.username.is_empty() {
            let password = config
                .password
                .as_ref()
                .map(|p| p.expose().to_string())
                .unwrap_or_default();
            transport = transport.credentials(Credentials::new(config.username.clone(), password));
        }
        transport
            .build()
            .send(&message)
            .map(|_| ())
            .map_err(|e| classify(&config.host, config.port, e))
    }
}

fn classify(host: &str, port: u16, e: lettre::transport::smtp::Error) -> Error {
    let text = e.to_string();
    if let Some(code) = e.status() {
        let code = code.to_string();
        if matches!(code.as_str(), "530" | "534" | "535" | "454")
            && text.to_lowercase().contains("auth")
            || code == "535"
        {
            return Error::AuthFailed(format!(
                "the mail server refused the username or password ({text})"
            ));
        }
        let kind = if e.is_transient() {
            "temporarily refused"
        } else {
            "refused"
        };
        return Error::Rejected(format!("the mail server {kind} the message: {text}"));
    }
    let lower = text.to_lowercase();
    if e.is_tls()
        || lower.contains("certificate")
        || lower.contains("handshake")
        || lower.contains("tls")
    {
        return Error::Rejected(format!("TLS with {host}:{port} failed: {text}"));
    }
    if e.is_client() && text.to_lowercase().contains("authentication") {
        return Error::AuthFailed(format!(
            "the mail server offers no way to log in that we support ({text})"
        ));
    }
    Error::Unreachable(format!(
        "the mail server {host}:{port} cannot be reached ({text})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(subject: &str, to: Vec<Mailbox>) -> OutgoingEmail {
        OutgoingEmail {
            from: "Alex Example <peering@example.net>".parse().unwrap(),
            reply_to: None,
            to,
            cc: Vec::new(),
            bcc: vec!["archive@example.net".parse().unwrap()],
            subject: subject.to_string(),
            body: "Hello\n".to_string(),
            message_id: "peerdesk.64500.1.00ff@example.net".to_string(),
        }
    }

    /// The header block of the message as it goes on the wire.
    fn header_lines(email: &OutgoingEmail) -> Vec<String> {
        let raw = String::from_utf8(build_message(email).unwrap().formatted()).unwrap();
        let (head, _) = raw.split_once("\r\n\r\n").unwrap();
        head.split("\r\n").map(str::to_string).collect()
    }

    /// Reads a folded Subject value back as a reader does: unfold (drop CRLF),
    /// decode encoded words, drop the whitespace between two encoded words.
    fn read_back(value: &str) -> String {
        let unfolded = value.replace("\r\n", "");
        let decode = |word: &str| -> Option<String> {
            let b64 = word.strip_prefix("=?utf-8?b?")?.strip_suffix("?=")?;
            let sextet = |c: u8| match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                _ => 63,
            };
            let mut bytes = Vec::new();
            for group in b64.as_bytes().chunks(4) {
                let n = group
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c != b'=')
                    .fold(0u32, |n, (i, c)| n | u32::from(sextet(*c)) << (18 - 6 * i));
                let len = group.iter().filter(|c| **c != b'=').count() - 1;
                bytes.extend((0..len).map(|i| (n >> (16 - 8 * i)) as u8));
            }
            Some(String::from_utf8(bytes).expect("chunks end on character boundaries"))
        };
        let mut out = String::new();
        let (mut pending_space, mut last_encoded) = (String::new(), false);
        let mut rest = unfolded.as_str();
        while !rest.is_empty() {
            let spaces = rest.len() - rest.trim_start_matches(' ').len();
            pending_space.push_str(&rest[..spaces]);
            rest = &rest[spaces..];
            let end = rest.find(' ').unwrap_or(rest.len());
            let word = &rest[..end];
            rest = &rest[end..];
            if word.is_empty() {
                continue;
            }
            match decode(word) {
                Some(text) => {
                    if !last_encoded {
                        out.push_str(&pending_space);
                    }
                    out.push_str(&text);
                    last_encoded = true;
                }
                None => {
                    out.push_str(&pending_space);
                    out.push_str(word);
                    last_encoded = false;
                }
            }
            pending_space.clear();
        }
        out
    }

    #[test]
    fn any_subject_folds_into_short_ascii_lines_that_read_back_exactly() {
        let pieces = [
            "a",
            "Peering",
            "AS64500",
            "Zürich",
            "Größte",
            "日本語",
            "🙂",
            "=?",
            "?=",
            "=?utf-8?b?SGk=?=",
            " ",
            "  ",
            "x",
            "-",
            "/",
            "é",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut subject = String::new();
            for _ in 0..(next() % 60) {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                let repeat = if next() % 10 == 0 { 1 + next() % 40 } else { 1 };
                subject.push_str(&piece.repeat(repeat as usize));
            }
            let subject = subject.trim().to_string();
            let value = folded_subject(&subject);
            let lines: Vec<&str> = value.split("\r\n").collect();
            assert!(
                lines[0].len() + "Subject: ".len() <= 78,
                "{subject:?} -> {value:?}"
            );
            assert!(
                lines.iter().all(|l| l.len() <= 78),
                "{subject:?} -> {value:?}"
            );
            assert!(lines[1..].iter().all(|l| l.starts_with(' ')), "{value:?}");
            assert!(value.is_ascii());
            assert_eq!(read_back(&value), subject, "{value:?}");
        }
    }

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (text, encoded) in vectors {
            assert_eq!(base64(text.as_bytes()), encoded, "{text}");
        }
        assert_eq!(base64("Zürich".as_bytes()), "WsO8cmljaA==");
    }

    #[test]
    fn a_short_ascii_subject_is_written_as_it_is() {
        let s = "Peering request: AS64496 Example Networks / AS64500 Example Peer";
        assert_eq!(folded_subject(s), s);
        assert_eq!(folded_subject("a  b"), "a  b", "spaces kept");
    }

    #[test]
    fn a_long_subject_is_folded_at_spaces_within_78_characters() {
        let s = format!(
            "Peering request: AS64496 Example / AS64500 {}",
            "Word ".repeat(40).trim()
        );
        let value = folded_subject(&s);
        let lines: Vec<&str> = value.split("\r\n").collect();
        assert!(lines.len() > 2, "{value}");
        assert!(lines[0].len() + "Subject: ".len() <= 78);
        assert!(lines.iter().all(|l| l.len() <= 78), "{value}");
        assert!(
            lines[1..].iter().all(|l| l.starts_with(' ')),
            "continuation lines start with a space"
        );
        assert_eq!(
            value.replace("\r\n", ""),
            s,
            "unfolding gives the subject back"
        );
    }

    #[test]
    fn an_unbroken_word_and_non_ascii_become_encoded_words_on_short_lines() {
        for s in [
            format!(
                "Peering request: AS64500 {}",
                "VeryLongNetworkName".repeat(60)
            ),
            format!("Peering request: AS64500 {}", "x".repeat(1200)),
            format!("Peering: Zürich Größte {}", "Überlänge ".repeat(30).trim()),
            "Peering =?utf-8?b?SGk=?= literal".to_string(),
        ] {
            let value = folded_subject(&s);
            let lines: Vec<&str> = value.split("\r\n").collect();
            assert!(lines[0].len() + "Subject: ".len() <= 78, "{}", lines[0]);
            assert!(lines.iter().all(|l| l.len() <= 78), "{value}");
            assert!(value.is_ascii(), "{value}");
            assert!(value.contains("=?utf-8?b?"), "{value}");
            assert!(
                value.starts_with("Peering"),
                "short words stay readable: {value}"
            );
        }
    }

    #[test]
    fn subject_lines_stay_within_78_and_no_header_line_reaches_998() {
        let to: Vec<Mailbox> = (0..30)
            .map(|i| {
                format!("Contäct {i} of Example Peer <contact{i}@peer.example.com>")
                    .parse()
                    .unwrap()
            })
            .collect();
        let long = format!("Peering request: AS64496 / AS64500 {}", "N".repeat(180));
        let lines = header_lines(&email(&long, to));
        let start = lines
            .iter()
            .position(|l| l.starts_with("Subject: Peering request:"))
            .unwrap();
        let end = start
            + 1
            + lines[start + 1..]
                .iter()
                .take_while(|l| l.starts_with(' '))
                .count();
        assert!(end - start > 1, "the long subject is folded");
        assert!(lines[start..end].iter().all(|l| l.len() <= 78), "{lines:?}");
        // lettre folds address lists between mailboxes, not inside one: a line
        // holds one encoded name and its address (81 characters here).
        let longest = lines.iter().map(String::len).max().unwrap();
        assert!(longest < 100, "longest header line {longest}: {lines:?}");
        assert!(
            !lines.iter().any(|l| l.starts_with("Bcc")),
            "Bcc is not a header"
        );
    }

    #[test]
    fn the_longest_name_and_address_accepted_still_fit_one_line_of_998() {
        let name = "Ü".repeat(128);
        let address = format!("{}@{}.example.net", "a".repeat(64), "b".repeat(63));
        let to = vec![format!("{name} <{address}>").parse().unwrap()];
        let lines = header_lines(&email("Hi", to));
        let longest = lines.iter().map(String::len).max().unwrap();
        assert!(longest <= 998, "longest header line {longest}");
    }
}
