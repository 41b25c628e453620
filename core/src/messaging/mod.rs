//! Communications with peers: each peer's peering status (see [`status`]), its
//! history, the peering-request and contact emails (drafted from templates and
//! the PeeringDB mirror, edited by the user, sent over SMTP), and an outbox that
//! holds messages the server could not take yet. A status moves to Request Sent
//! only when the server accepted the message; nothing the user wrote is lost.
//!
//! Nothing from outside reaches a header unchecked: every address (drafts,
//! editor, settings) passes the one rule of [`values::EmailAddress`]; a
//! PeeringDB contact field holding several addresses becomes several
//! [`RecipientCandidate`]s, of which only the first usable one is put in To;
//! names from PeeringDB are made single-line before a template sees them; a
//! subject is at most [`SUBJECT_MAX`] characters and folded on the wire (see
//! [`smtp`]); every Message-ID carries 128 random bits.

mod smtp;
pub mod status;
mod store;

use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::peering::SessionFilter;
use crate::secrets::Secret;
use crate::values::{self, Asn};
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use smtp::{Mailer, OutgoingEmail, SmtpConfig, SmtpMailer, SmtpSecurity};
pub use status::{PeerAction, PeerStatus};

/// The keyring key of the SMTP password.
pub const SMTP_PASSWORD_SECRET: &str = "smtp/password";

/// The longest subject accepted, in characters after cleaning. Mail clients
/// show 60 to 100 characters of a subject; 200 leaves room for two names and
/// an ASN each plus a peer's `Re: ` prefixes, and keeps the folded header
/// (at most 78 characters a line, encoded words for non-ASCII) a few lines
/// long, far from the 998-character line limit of RFC 5322 and the header
/// size limits of mail servers.
pub const SUBJECT_MAX: usize = 200;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub has_password: bool,
    pub ca_file: String,
    pub from_name: String,
    pub from_address: String,
    pub reply_to: String,
    pub cc: String,
    pub bcc: String,
    pub cooldown_days: u32,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SmtpSettingsChanges {
    pub host: String,
    pub port: i64,
    pub security: SmtpSecurity,
    #[serde(default)]
    pub username: String,
    /// Empty or absent keeps the stored password.
    #[ts(optional)]
    pub password: Option<String>,
    #[serde(default)]
    pub clear_password: bool,
    #[serde(default)]
    pub ca_file: String,
    #[serde(default)]
    pub from_name: String,
    pub from_address: String,
    #[serde(default)]
    pub reply_to: String,
    #[serde(default)]
    pub cc: String,
    #[serde(default)]
    pub bcc: String,
    pub cooldown_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Request,
    Resend,
    Noc,
    Policy,
    Technical,
}
values::text_enum!(MessageKind { Request => "request", Resend => "resend", Noc => "noc", Policy => "policy", Technical => "technical" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// In the outbox: the server could not be reached yet.
    Queued,
    Sent,
    /// Refused (authentication, TLS, the server's reply); kept for editing.
    Failed,
}
values::text_enum!(MessageState { Queued => "queued", Sent => "sent", Failed => "failed" });

/// An email as the editor shows it. Addresses are comma-separated text.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailDraft {
    pub asn: u32,
    pub kind: MessageKind,
    pub to: String,
    #[serde(default)]
    pub cc: String,
    #[serde(default)]
    pub bcc: String,
    pub subject: String,
    pub body: String,
    /// Something the user should see before sending (e.g. the cool-down).
    #[serde(default)]
    #[ts(optional)]
    pub warning: Option<String>,
    /// When editing a message that failed: its id, so it is updated, not duplicated.
    #[serde(default)]
    #[ts(optional)]
    pub message_id: Option<i64>,
    /// Every address PeeringDB lists for this peer, in the order core chose To
    /// from: the user adds others to To one by one. Only drafts carry them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<RecipientCandidate>>", optional)]
    pub candidates: Vec<RecipientCandidate>,
}

/// One address from a PeeringDB contact. A contact field that holds several
/// addresses gives one candidate each, so none becomes a recipient unasked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecipientCandidate {
    /// `local@domain` when usable; otherwise the text PeeringDB had (one line, shortened).
    pub address: String,
    /// `Policy`, `NOC`, `Technical` or `Exchange policy`.
    pub role: String,
    /// The contact's name in PeeringDB (one line).
    pub name: String,
    /// Why it cannot be added; absent when it can.
    #[serde(default)]
    #[ts(optional)]
    pub problem: Option<String>,
    /// Whether the draft's To starts with it.
    pub in_to: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoredMessage {
    pub id: i64,
    pub asn: u32,
    pub kind: MessageKind,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub body: String,
    /// The Message-ID header, without angle brackets.
    pub message_id: String,
    pub state: MessageState,
    pub attempts: u32,
    pub last_error: String,
    pub created_at: String,
    pub sent_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SendOutcome {
    pub message: StoredMessage,
    pub status: PeerStatus,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub at: String,
    /// `status` or `email`.
    pub kind: String,
    pub summary: String,
    pub message_id: Option<i64>,
}

/// One row of the Communications list.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PeerRow {
    pub asn: u32,
    pub name: String,
    pub status: PeerStatus,
    pub requests_sent: u32,
    pub first_request_at: Option<String>,
    pub last_request_at: Option<String>,
    pub last_contact_at: Option<String>,
    /// Our exchanges where the peer is present (sessions or PeeringDB).
    pub exchanges: Vec<String>,
    pub exchange_ids: Vec<i64>,
    pub policy_general: String,
    pub sessions: u32,
    pub actions: Vec<PeerAction>,
    /// The newest history line, for the Notes column.
    pub last_note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PeerFilter {
    #[ts(optional)]
    pub exchange_id: Option<i64>,
    #[ts(optional)]
    pub status: Option<PeerStatus>,
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub policy: Option<String>,
    /// Only peers last contacted before this date (RFC 3339 or YYYY-MM-DD).
    #[ts(optional)]
    pub contacted_before: Option<String>,
}

/// Refuses CR, LF and other control characters: they would start a new header.
fn header_text(text: &str, field: &'static str) -> Result<String> {
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must not contain line breaks or control characters",
        ));
    }
    Ok(text.trim().to_string())
}

/// A subject as typed: one line (a line break is refused, never cut), not
/// empty, at most [`SUBJECT_MAX`] characters.
fn subject_line(text: &str) -> Result<String> {
    let subject = header_text(text, "subject")?;
    if subject.is_empty() {
        return Err(Error::invalid("subject", "required"));
    }
    let n = subject.chars().count();
    if n > SUBJECT_MAX {
        return Err(Error::invalid(
            "subject",
            format!("too long: at most {SUBJECT_MAX} characters ({n} now)"),
        ));
    }
    Ok(subject)
}

/// Text from outside (PeeringDB names, stored names) made fit for one line of
/// a subject or header: every control character and line or paragraph
/// separator becomes a space, and runs of whitespace become one space.
/// A message the server refused, or that today's rules refuse: stored as
/// failed with the reason (its text kept for the user to correct), and said in
/// the peer's history.
fn record_not_sent(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    asn: u32,
    subject: &str,
    e: &Error,
    now: &str,
) -> Result<()> {
    store::set_message_state(tx, id, MessageState::Failed, &e.to_string(), None, now)?;
    store::add_history(
        tx,
        asn,
        now,
        "email",
        &format!("Not sent \"{subject}\": {e}"),
        Some(id),
    )
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every string in a template context made [`one_line`]: the context holds
/// names, addresses and identifiers only, none of which has a line of its own.
fn one_line_values(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = one_line(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(one_line_values),
        serde_json::Value::Object(map) => map.values_mut().for_each(one_line_values),
        _ => {}
    }
}

/// A drafted subject, cleaned and, when a long name made it longer than
/// [`SUBJECT_MAX`], cut at a word with `…` and a warning saying so.
fn drafted_subject(rendered: &str) -> (String, Option<String>) {
    let clean = one_line(rendered);
    if clean.chars().count() <= SUBJECT_MAX {
        return (clean, None);
    }
    let head: String = clean.chars().take(SUBJECT_MAX - 1).collect();
    let cut = match head.rfind(' ') {
        Some(i) if head[..i].chars().count() > SUBJECT_MAX / 2 => head[..i].to_string(),
        _ => head,
    };
    (
        format!("{}…", cut.trim_end()),
        Some(format!(
            "The subject was shortened to {SUBJECT_MAX} characters (a name in it is long); check it before sending."
        )),
    )
}

/// Joins two notes for the editor's warning line.
fn warnings(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    }
}

/// Parses a comma-separated address list with the one address rule.
fn mailboxes(text: &str, field: &'static str, required: bool) -> Result<Vec<Mailbox>> {
    values::email_list(text, field, required)?
        .into_iter()
        .map(|a| {
            let address = lettre::Address::new(a.local_part(), a.domain()).map_err(|e| {
                Error::invalid(field, format!("'{a}' is not a valid email address: {e}"))
            })?;
            Ok(Mailbox::new(a.name().map(str::to_string), address))
        })
        .collect()
}

/// At most one address (From, Reply-To): a second one would be dropped unseen.
fn single_mailbox(text: &str, field: &'static str, required: bool) -> Result<Option<Mailbox>> {
    let mut list = mailboxes(text, field, required)?;
    if list.len() > 1 {
        return Err(Error::invalid(field, "one address only"));
    }
    Ok(list.pop())
}

/// The candidates from PeeringDB contacts, in their order, each address once;
/// the first usable one is marked as the draft's To.
fn candidates(contacts: &[crate::peeringdb::PdbContact]) -> Vec<RecipientCandidate> {
    let mut out: Vec<RecipientCandidate> = Vec::new();
    for c in contacts {
        for piece in values::split_contact_field(&c.email) {
            let (address, problem) = match values::EmailAddress::parse_or_reason(&piece) {
                Ok(a) => (a.address().to_string(), None),
                Err(why) => (
                    one_line(&piece).chars().take(100).collect(),
                    Some(why.to_string()),
                ),
            };
            if out.iter().any(|o| o.address.eq_ignore_ascii_case(&address)) {
                continue;
            }
            out.push(RecipientCandidate {
                address,
                role: one_line(&c.role),
                name: one_line(&c.name).chars().take(100).collect(),
                problem,
                in_to: false,
            });
        }
    }
    if let Some(first) = out.iter_mut().find(|c| c.problem.is_none()) {
        first.in_to = true;
    }
    out
}

/// The draft's To: the candidate marked for it, or nothing.
fn first_to(candidates: &[RecipientCandidate]) -> String {
    candidates
        .iter()
        .find(|c| c.in_to)
        .map(|c| c.address.clone())
        .unwrap_or_default()
}

/// 128 bits from the operating system's random source, as hex: two messages
/// made in the same nanosecond still get different Message-IDs.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| Error::Io(std::io::Error::other(format!("no random source: {e}"))))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn is_local_host(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

impl crate::Peerdesk {
    pub fn get_smtp_settings(&self) -> Result<SmtpSettings> {
        store::smtp_settings(&*self.db()?)
    }

    pub fn update_smtp_settings(&self, c: &SmtpSettingsChanges) -> Result<SmtpSettings> {
        let host = c.host.trim().to_ascii_lowercase();
        if !host.is_empty() {
            values::name(&host, "host", 253)?;
            if host.contains(|ch: char| {
                !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' || ch == ':')
            }) {
                return Err(Error::invalid(
                    "host",
                    format!("'{host}' is not a host name or address"),
                ));
            }
        }
        if c.security == SmtpSecurity::Plain && !host.is_empty() && !is_local_host(&host) {
            return Err(Error::invalid(
                "security",
                "an unencrypted connection is only allowed to a server on this machine; use STARTTLS or TLS",
            ));
        }
        let port = values::port(c.port, "port")?;
        let cooldown = u32::try_from(c.cooldown_days)
            .ok()
            .filter(|d| *d <= 365)
            .ok_or_else(|| Error::invalid("cooldownDays", "between 0 and 365 days"))?;
        header_text(&c.from_name, "fromName")?;
        single_mailbox(&c.from_address, "fromAddress", false)?;
        single_mailbox(&c.reply_to, "replyTo", false)?;
        mailboxes(&c.cc, "cc", false)?;
        mailboxes(&c.bcc, "bcc", false)?;
        let new = SmtpSettings {
            host,
            port,
            security: c.security,
            username: header_text(&c.username, "username")?,
            has_password: false,
            ca_file: c.ca_file.trim().to_string(),
            from_name: c.from_name.trim().to_string(),
            from_address: c.from_address.trim().to_string(),
            reply_to: c.reply_to.trim().to_string(),
            cc: c.cc.trim().to_string(),
            bcc: c.bcc.trim().to_string(),
            cooldown_days: cooldown,
        };
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::smtp_settings(&tx)?;
        if c.clear_password {
            self.secrets().delete(SMTP_PASSWORD_SECRET)?;
            store::set_smtp_password_ref(&tx, None)?;
        } else if let Some(p) = c.password.as_deref().filter(|p| !p.is_empty()) {
            self.secrets().set(SMTP_PASSWORD_SECRET, &Secret::new(p))?;
            store::set_smtp_password_ref(&tx, Some(SMTP_PASSWORD_SECRET))?;
        }
        store::put_smtp_settings(&tx, &new)?;
        let saved = store::smtp_settings(&tx)?;
        audit::record(
            &tx,
            &now,
            "settings",
            None,
            AuditAction::Update,
            "SMTP settings changed",
            Some(&old),
            Some(&saved),
        )?;
        tx.commit()?;
        Ok(saved)
    }

    fn smtp_config(&self) -> Result<(SmtpConfig, SmtpSettings)> {
        let s = self.get_smtp_settings()?;
        if s.host.is_empty() || s.from_address.is_empty() {
            return Err(Error::invalid(
                "smtp",
                "set up the mail server and From address in Settings first",
            ));
        }
        let password = if s.has_password {
            self.secrets().get(SMTP_PASSWORD_SECRET)?
        } else {
            None
        };
        Ok((
            SmtpConfig {
                host: s.host.clone(),
                port: s.port,
                security: s.security,
                username: s.username.clone(),
                password,
                ca_file: s.ca_file.clone(),
            },
            s,
        ))
    }

    pub fn peer_status(&self, asn: u32) -> Result<PeerStatus> {
        Ok(store::peer_status(&*self.db()?, asn)?
            .map(|r| r.status)
            .unwrap_or(PeerStatus::New))
    }

    /// Applies a status action that needs no email (Mark …, Reset Status).
    /// An action not open from the current status is refused and changes nothing.
    pub fn apply_peer_action(&self, asn: u32, action: PeerAction) -> Result<PeerStatus> {
        Asn::new(i64::from(asn), "asn")?;
        if matches!(
            action,
            PeerAction::SendRequest | PeerAction::ResendRequest | PeerAction::ConfigureSessions
        ) {
            return Err(Error::invalid(
                "action",
                format!("{} is not a status change on its own", action.label()),
            ));
        }
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let current = store::peer_status(&tx, asn)?
            .map(|r| r.status)
            .unwrap_or(PeerStatus::New);
        let to = status::next(current, action).ok_or_else(|| {
            Error::invalid(
                "action",
                format!(
                    "{} is not possible while the peer is {}",
                    action.label(),
                    current.as_str().replace('_', " ")
                ),
            )
        })?;
        store::set_status(&tx, asn, to, &now, action == PeerAction::ResetStatus)?;
        store::add_history(
            &tx,
            asn,
            &now,
            "status",
            &format!("{}: {} → {}", action.label(), current.as_str(), to.as_str()),
            None,
        )?;
        audit::record(
            &tx,
            &now,
            "peer_status",
            Some(i64::from(asn)),
            AuditAction::Update,
            &format!("AS{asn}: {}", action.label()),
            Some(&current),
            Some(&to),
        )?;
        tx.commit()?;
        Ok(to)
    }

    pub fn peer_history(&self, asn: u32) -> Result<Vec<HistoryEntry>> {
        store::history(&*self.db()?, asn)
    }

    pub fn list_messages(&self, asn: u32) -> Result<Vec<StoredMessage>> {
        store::messages(&*self.db()?, Some(asn), None)
    }

    pub fn list_outbox(&self) -> Result<Vec<StoredMessage>> {
        store::messages(&*self.db()?, None, Some(MessageState::Queued))
    }

    /// The Communications list: networks in the inventory, PeeringDB members of
    /// our exchanges, and every peer with a status.
    pub fn list_peers(&self, filter: &PeerFilter) -> Result<Vec<PeerRow>> {
        let own = self.get_settings()?.own_asns;
        let conn = self.db()?;
        let mut rows = store::peer_rows(&conn, &own)?;
        let text = filter
            .text
            .as_deref()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty());
        let text = text.map(|t| {
            t.strip_prefix("as")
                .filter(|d| d.bytes().all(|b| b.is_ascii_digit()) && !d.is_empty())
                .map(str::to_string)
                .unwrap_or(t)
        });
        rows.retain(|r| {
            filter
                .exchange_id
                .is_none_or(|x| r.exchange_ids.contains(&x))
                && filter.status.is_none_or(|s| r.status == s)
                && filter
                    .policy
                    .as_deref()
                    .is_none_or(|p| p.is_empty() || r.policy_general.eq_ignore_ascii_case(p))
                && text.as_deref().is_none_or(|t| {
                    r.name.to_lowercase().contains(t) || r.asn.to_string().contains(t)
                })
                && filter
                    .contacted_before
                    .as_deref()
                    .is_none_or(|d| r.last_contact_at.as_deref().is_none_or(|c| c < d))
        });
        Ok(rows)
    }

    /// A peering request prefilled from PeeringDB and our own data.
    pub fn draft_request(&self, asn: u32) -> Result<EmailDraft> {
        let ctx = self.email_template_context(asn)?;
        let (subject, body) = crate::templating::split_subject(&crate::templating::render(
            "email/request",
            &self.template_source("email/request")?,
            &ctx,
        )?)?;
        let (subject, warning) = drafted_subject(&subject);
        let smtp = self.get_smtp_settings()?;
        let candidates = self.peer_candidates(asn)?;
        Ok(EmailDraft {
            asn,
            kind: MessageKind::Request,
            to: first_to(&candidates),
            cc: smtp.cc,
            bcc: smtp.bcc,
            subject,
            body,
            warning,
            message_id: None,
            candidates,
        })
    }

    /// The last request again, noting when it first went out; warns inside the cool-down.
    pub fn draft_resend(&self, asn: u32) -> Result<EmailDraft> {
        let conn = self.db()?;
        let last = store::messages(&conn, Some(asn), Some(MessageState::Sent))?
            .into_iter()
            .rfind(|m| matches!(m.kind, MessageKind::Request | MessageKind::Resend))
            .ok_or_else(|| {
                Error::invalid("action", format!("no request to AS{asn} has been sent yet"))
            })?;
        let first = store::peer_status(&conn, asn)?
            .and_then(|r| r.first_request_at)
            .unwrap_or_else(|| last.created_at.clone());
        drop(conn);
        let smtp = self.get_smtp_settings()?;
        let warning = last.sent_at.as_deref().and_then(|sent| {
            let sent = chrono::DateTime::parse_from_rfc3339(sent).ok()?;
            let age = self.clock.now() - sent.with_timezone(&chrono::Utc);
            (age < chrono::Duration::days(i64::from(smtp.cooldown_days))).then(|| {
                format!(
                    "The last request went out {} ago, less than the {}-day cool-down.",
                    human(age),
                    smtp.cooldown_days
                )
            })
        });
        let (subject, shortened) = drafted_subject(&if last.subject.starts_with("Re: ") {
            last.subject.clone()
        } else {
            format!("Re: {}", last.subject)
        });
        let mut candidates = self.peer_candidates(asn)?;
        // To stays what the last request went to; the candidates are offered beside it.
        let sent_to: Vec<String> = values::email_list(&last.to, "to", false)
            .map(|l| l.iter().map(|a| a.address().to_ascii_lowercase()).collect())
            .unwrap_or_default();
        for c in &mut candidates {
            c.in_to = sent_to.contains(&c.address.to_ascii_lowercase());
        }
        Ok(EmailDraft {
            asn,
            kind: MessageKind::Resend,
            to: last.to,
            cc: last.cc,
            bcc: last.bcc,
            subject,
            body: format!(
                "(We first wrote on {}; repeating our request below.)\n\n{}",
                &first[..10.min(first.len())],
                last.body
            ),
            warning: warnings(warning, shortened),
            message_id: None,
            candidates,
        })
    }

    /// A message to the peer's NOC, policy or technical contact about one session.
    pub fn draft_session_email(&self, session_id: i64, kind: MessageKind) -> Result<EmailDraft> {
        let role = match kind {
            MessageKind::Noc => "NOC",
            MessageKind::Policy => "Policy",
            MessageKind::Technical => "Technical",
            _ => return Err(Error::invalid("kind", "Email NOC, Policy or Technical")),
        };
        let s = self.get_session(session_id)?;
        let mut ctx = self.email_template_context(s.asn)?;
        ctx["role"] = role.into();
        ctx["topic"] = format!("session {}", s.peer_ip).into();
        ctx["session"] = serde_json::json!({
            "exchange": s.exchange_name.clone().unwrap_or_else(|| "no exchange".into()),
            "router": s.router_name, "peer_ip": s.peer_ip,
            "state": s.bgp_state.map(|b| b.as_str().to_string()).unwrap_or_else(|| "not read yet".into()),
        });
        one_line_values(&mut ctx);
        let (subject, body) = crate::templating::split_subject(&crate::templating::render(
            "email/contact",
            &self.template_source("email/contact")?,
            &ctx,
        )?)?;
        let (subject, warning) = drafted_subject(&subject);
        // The contacts of the role asked for first, then the others in PeeringDB's order.
        let (mut contacts, others): (Vec<_>, Vec<_>) = self
            .contacts_for(s.asn, s.exchange_id)?
            .into_iter()
            .partition(|c| c.role == role);
        contacts.extend(others);
        let candidates = candidates(&contacts);
        let smtp = self.get_smtp_settings()?;
        Ok(EmailDraft {
            asn: s.asn,
            kind,
            to: first_to(&candidates),
            cc: smtp.cc,
            bcc: smtp.bcc,
            subject,
            body,
            warning,
            message_id: None,
            candidates,
        })
    }

    /// The peer's PeeringDB addresses for a request: Policy, NOC, Technical,
    /// then the policy address of an exchange where we have a session with them.
    fn peer_candidates(&self, asn: u32) -> Result<Vec<RecipientCandidate>> {
        let local_ex = self
            .list_sessions(&SessionFilter::default())?
            .into_iter()
            .filter(|s| s.asn == asn)
            .find_map(|s| s.exchange_id);
        Ok(candidates(&self.contacts_for(asn, local_ex)?))
    }

    /// What the email templates see: `me`, `peer` and `exchanges` in common.
    pub(crate) fn email_template_context(&self, asn: u32) -> Result<serde_json::Value> {
        let settings = self.get_settings()?;
        let my_asn = settings.own_asns.first().copied().unwrap_or(0);
        let me_pdb = if my_asn > 0 {
            self.pdb_network(my_asn).ok()
        } else {
            None
        };
        let peer_pdb = self.pdb_network(asn).ok();
        let local = self.list_networks()?.into_iter().find(|n| n.asn == asn);
        let peer_name = peer_pdb
            .as_ref()
            .map(|p| p.network.name.clone())
            .or_else(|| local.as_ref().map(|n| n.name.clone()))
            .unwrap_or_else(|| format!("AS{asn}"));
        let mut exchanges: Vec<serde_json::Value> = self
            .common_exchanges(asn)?
            .into_iter()
            .map(|c| {
                let addrs = |ps: &[crate::peeringdb::PdbPresence]| -> Vec<String> {
                    ps.iter()
                        .flat_map(|p| [p.ipaddr4.clone(), p.ipaddr6.clone()])
                        .flatten()
                        .collect()
                };
                serde_json::json!({"name": c.name, "city": c.city, "country": c.country,
                    "ours": addrs(&c.ours), "theirs": addrs(&c.theirs)})
            })
            .collect();
        if exchanges.is_empty() {
            // No mirror: the exchanges where we already have sessions with them.
            let routers = self.list_routers()?;
            let sessions = self.list_sessions(&SessionFilter::default())?;
            for s in sessions
                .iter()
                .filter(|s| s.asn == asn && s.exchange_id.is_some())
            {
                let name = s.exchange_name.clone().unwrap_or_default();
                let ours: Vec<String> = routers
                    .iter()
                    .filter(|r| r.id == s.router_id)
                    .flat_map(|r| {
                        r.attachments
                            .iter()
                            .filter(|a| Some(a.exchange_id) == s.exchange_id)
                    })
                    .flat_map(|a| [a.ipv4.clone(), a.ipv6.clone()])
                    .flatten()
                    .collect();
                match exchanges.iter_mut().find(|x| x["name"] == name.as_str()) {
                    Some(x) => x["theirs"].as_array_mut().expect("array").push(s.peer_ip.clone().into()),
                    None => exchanges.push(serde_json::json!({"name": name, "city": "", "country": "", "ours": ours, "theirs": [s.peer_ip]})),
                }
            }
        }
        let noc = me_pdb.as_ref().and_then(|m| {
            m.contacts
                .iter()
                .find(|c| c.role == "NOC")
                .map(|c| c.email.clone())
        });
        let mut ctx = serde_json::json!({
            "me": {
                "asn": my_asn,
                "org": settings.org_name,
                "name": settings.coordinator_name,
                "email": settings.coordinator_email,
                // `as_set` stays one string (the valid sets, space separated) for
                // templates written before `as_sets`, the list.
                "as_set": me_pdb.as_ref().map(|m| m.network.irr_as_sets.join(" ")).unwrap_or_default(),
                "as_sets": me_pdb.as_ref().map(|m| m.network.irr_as_sets.clone()).unwrap_or_default(),
                "policy_url": me_pdb.as_ref().map(|m| m.network.policy_url.clone()).unwrap_or_default(),
                "noc_email": noc.unwrap_or_else(|| settings.coordinator_email.clone()),
                "max_prefix_v4": me_pdb.as_ref().map(|m| m.max_prefix.v4),
                "max_prefix_v6": me_pdb.as_ref().map(|m| m.max_prefix.v6),
            },
            "peer": {
                "asn": asn,
                "name": peer_name,
                "max_prefix_v4": peer_pdb.as_ref().map(|p| p.max_prefix.v4),
                "max_prefix_v6": peer_pdb.as_ref().map(|p| p.max_prefix.v6),
            },
            "exchanges": exchanges,
            "role": "",
            "topic": "",
            "session": null,
        });
        one_line_values(&mut ctx);
        Ok(ctx)
    }

    /// Sends a draft. Accepted: stored as sent, the peer's status follows (Send or
    /// Resend Request). Server unreachable: queued in the outbox, status
    /// unchanged. Refused: stored as failed with the reason and the text kept,
    /// and the error returned. Invalid input: refused, nothing stored or sent.
    pub fn send_email(&self, draft: &EmailDraft, mailer: &dyn Mailer) -> Result<SendOutcome> {
        let (config, smtp) = self.smtp_config()?;
        let email = self.outgoing(draft, &smtp)?;
        let action = match draft.kind {
            MessageKind::Request => Some(PeerAction::SendRequest),
            MessageKind::Resend => Some(PeerAction::ResendRequest),
            _ => None,
        };
        if let Some(a) = action {
            let current = self.peer_status(draft.asn)?;
            if status::next(current, a).is_none() {
                return Err(Error::invalid(
                    "action",
                    format!(
                        "{} is not possible while the peer is {}",
                        a.label(),
                        current.as_str().replace('_', " ")
                    ),
                ));
            }
        }
        let now = self.now();
        let id = {
            let conn = self.db()?;
            store::save_message(&conn, draft, &email.message_id, MessageState::Queued, &now)?
        };
        self.deliver(id, &config, &email, mailer, action)
    }

    /// Tries every queued message again; returns how many went out.
    pub fn drain_outbox(&self, mailer: &dyn Mailer) -> Result<u32> {
        let queued = self.list_outbox()?;
        if queued.is_empty() {
            return Ok(0);
        }
        let (config, smtp) = self.smtp_config()?;
        let mut sent = 0;
        for m in queued {
            let draft = EmailDraft {
                asn: m.asn,
                kind: m.kind,
                to: m.to.clone(),
                cc: m.cc.clone(),
                bcc: m.bcc.clone(),
                subject: m.subject.clone(),
                body: m.body.clone(),
                warning: None,
                message_id: Some(m.id),
                candidates: Vec::new(),
            };
            let mut email = match self.outgoing(&draft, &smtp) {
                Ok(email) => email,
                // Queued under an older, laxer check: kept as failed for the
                // user to correct, and the rest of the outbox still goes.
                Err(e) if matches!(e.field(), Some("to" | "cc" | "bcc" | "subject" | "body")) => {
                    let now = self.now();
                    let mut conn = self.db()?;
                    let tx = conn.transaction()?;
                    record_not_sent(&tx, m.id, m.asn, &one_line(&m.subject), &e, &now)?;
                    tx.commit()?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            email.message_id = m.message_id.clone();
            let action = match m.kind {
                MessageKind::Request => Some(PeerAction::SendRequest),
                MessageKind::Resend => Some(PeerAction::ResendRequest),
                _ => None,
            };
            match self.deliver(m.id, &config, &email, mailer, action) {
                Ok(o) if o.message.state == MessageState::Sent => sent += 1,
                Ok(_) => break, // still unreachable: the rest would fail the same way
                Err(_) => {}
            }
        }
        Ok(sent)
    }

    fn outgoing(&self, d: &EmailDraft, smtp: &SmtpSettings) -> Result<OutgoingEmail> {
        let subject = subject_line(&d.subject)?;
        if d.body.trim().is_empty() {
            return Err(Error::invalid("body", "required"));
        }
        let from_name = header_text(&smtp.from_name, "fromName")?;
        let from_addr = single_mailbox(&smtp.from_address, "fromAddress", true)?.expect("required");
        let from = Mailbox::new(
            (!from_name.is_empty()).then_some(from_name),
            from_addr.email,
        );
        let domain = from.email.domain().to_string();
        Ok(OutgoingEmail {
            from,
            reply_to: single_mailbox(&smtp.reply_to, "replyTo", false)?,
            to: mailboxes(&d.to, "to", true)?,
            cc: mailboxes(&d.cc, "cc", false)?,
            bcc: mailboxes(&d.bcc, "bcc", false)?,
            subject,
            body: d.body.replace("\r\n", "\n"),
            message_id: format!(
                "peerdesk.{}.{}.{}@{}",
                d.asn,
                self.clock.now().timestamp(),
                random_token()?,
                domain
            ),
        })
    }

    fn deliver(
        &self,
        id: i64,
        config: &SmtpConfig,
        email: &OutgoingEmail,
        mailer: &dyn Mailer,
        action: Option<PeerAction>,
    ) -> Result<SendOutcome> {
        let result = mailer.send(config, email);
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let asn = store::message(&tx, id)?.asn;
        let outcome = match result {
            Ok(()) => {
                store::set_message_state(&tx, id, MessageState::Sent, "", Some(&now), &now)?;
                let mut status = store::peer_status(&tx, asn)?
                    .map(|r| r.status)
                    .unwrap_or(PeerStatus::New);
                if let Some(a) = action {
                    if let Some(to) = status::next(status, a) {
                        store::set_status(&tx, asn, to, &now, false)?;
                        store::count_request(&tx, asn, &now)?;
                        store::add_history(
                            &tx,
                            asn,
                            &now,
                            "status",
                            &format!("{}: {} → {}", a.label(), status.as_str(), to.as_str()),
                            None,
                        )?;
                        status = to;
                    }
                }
                store::add_history(
                    &tx,
                    asn,
                    &now,
                    "email",
                    &format!("Sent \"{}\" to {}", email.subject, join(&email.to)),
                    Some(id),
                )?;
                Ok(status)
            }
            Err(Error::Unreachable(why)) => {
                store::set_message_state(&tx, id, MessageState::Queued, &why, None, &now)?;
                store::add_history(
                    &tx,
                    asn,
                    &now,
                    "email",
                    &format!("Queued \"{}\": {why}", email.subject),
                    Some(id),
                )?;
                Ok(store::peer_status(&tx, asn)?
                    .map(|r| r.status)
                    .unwrap_or(PeerStatus::New))
            }
            Err(e) => {
                record_not_sent(&tx, id, asn, &email.subject, &e, &now)?;
                Err(e)
            }
        };
        tx.commit()?;
        let message = store::message(&conn, id)?;
        Ok(SendOutcome {
            message,
            status: outcome?,
        })
    }
}

fn join(list: &[Mailbox]) -> String {
    list.iter()
        .map(|m| m.email.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn human(d: chrono::Duration) -> String {
    if d.num_days() >= 1 {
        format!("{} day(s)", d.num_days())
    } else if d.num_hours() >= 1 {
        format!("{} hour(s)", d.num_hours())
    } else {
        format!("{} minute(s)", d.num_minutes().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peeringdb::PdbContact;

    fn contact(role: &str, email: &str) -> PdbContact {
        PdbContact {
            role: role.into(),
            name: format!("{role} desk"),
            email: email.into(),
            phone: String::new(),
        }
    }

    #[test]
    fn names_from_outside_become_one_line() {
        assert_eq!(
            one_line("Example\r\nBcc: x@example.org"),
            "Example Bcc: x@example.org"
        );
        assert_eq!(one_line("  A\tB\u{7}\u{2028}C\u{85}D  "), "A B C D");
        let mut ctx = serde_json::json!({"peer": {"name": "Evil\nNet"}, "list": ["a\rb"], "n": 5});
        one_line_values(&mut ctx);
        assert_eq!(
            ctx,
            serde_json::json!({"peer": {"name": "Evil Net"}, "list": ["a b"], "n": 5})
        );
    }

    #[test]
    fn a_drafted_subject_longer_than_the_bound_is_cut_at_a_word_with_a_warning() {
        let (s, w) = drafted_subject("Peering request: AS64496 / AS64500 Example");
        assert_eq!(
            (s.as_str(), w),
            ("Peering request: AS64496 / AS64500 Example", None)
        );
        let long = format!("Peering request: AS64500 {}", "Longname ".repeat(40));
        let (s, w) = drafted_subject(&long);
        assert!(s.chars().count() <= SUBJECT_MAX, "{}", s.chars().count());
        assert!(s.ends_with("Longname…"), "{s}");
        assert!(w.unwrap().contains("shortened"));
        let unbroken = format!("Peering request: AS64500 {}", "x".repeat(400));
        let (s, _) = drafted_subject(&unbroken);
        assert_eq!(s.chars().count(), SUBJECT_MAX);
        assert!(
            subject_line(&s).is_ok(),
            "a drafted subject can be sent as it is"
        );
    }

    #[test]
    fn typed_subjects_with_line_breaks_or_over_the_bound_are_refused_on_subject() {
        for bad in [
            "Hi\r\nBcc: x@example.org",
            "Hi\nthere",
            "",
            &"x".repeat(SUBJECT_MAX + 1),
        ] {
            assert_eq!(
                subject_line(bad).unwrap_err().field(),
                Some("subject"),
                "{bad:?}"
            );
        }
        assert!(subject_line(&"x".repeat(SUBJECT_MAX)).is_ok());
        assert!(
            subject_line(&"ü".repeat(SUBJECT_MAX)).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn a_contact_field_with_several_addresses_gives_one_candidate_each_and_only_the_first_in_to() {
        let c = candidates(&[
            contact("Policy", "a@x.net, b@x.net;\nA@X.NET"),
            contact("NOC", "noc@b"),
            contact("Technical", "tech@x.net"),
        ]);
        let got: Vec<_> = c
            .iter()
            .map(|c| {
                (
                    c.address.as_str(),
                    c.role.as_str(),
                    c.problem.is_some(),
                    c.in_to,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("a@x.net", "Policy", false, true),
                ("b@x.net", "Policy", false, false),
                ("noc@b", "NOC", true, false),
                ("tech@x.net", "Technical", false, false),
            ]
        );
        assert_eq!(first_to(&c), "a@x.net");
        assert!(
            c[2].problem.as_deref().unwrap().contains("no dot"),
            "{:?}",
            c[2].problem
        );
        let none = candidates(&[contact("Policy", "peering@192.0.2.1")]);
        assert_eq!(first_to(&none), "", "no usable address: To stays empty");
        assert!(none[0].problem.as_deref().unwrap().contains("IP address"));
    }

    #[test]
    fn message_id_tokens_are_random_and_distinct() {
        let tokens: std::collections::HashSet<String> =
            (0..1000).map(|_| random_token().unwrap()).collect();
        assert_eq!(tokens.len(), 1000);
        assert!(tokens
            .iter()
            .all(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit())));
    }
}
