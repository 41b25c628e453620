//! Communications with peers: each peer's peering status (see [`status`]), its
//! history, the peering-request and contact emails (drafted from templates and
//! the PeeringDB mirror, edited by the user, sent over SMTP), and an outbox that
//! holds messages the server could not take yet. A status moves to Request Sent
//! only when the server accepted the message; nothing the user wrote is lost.

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

/// Parses a comma-separated address list; every address must be valid.
fn mailboxes(text: &str, field: &'static str, required: bool) -> Result<Vec<Mailbox>> {
    header_text(text, field)?;
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let m: Mailbox = part
            .parse()
            .map_err(|_| Error::invalid(field, format!("'{part}' is not a valid email address")))?;
        out.push(m);
    }
    if required && out.is_empty() {
        return Err(Error::invalid(field, "at least one address is needed"));
    }
    Ok(out)
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
        if !c.from_address.trim().is_empty() {
            mailboxes(&c.from_address, "fromAddress", true)?;
        }
        mailboxes(&c.reply_to, "replyTo", false)?;
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
        let smtp = self.get_smtp_settings()?;
        Ok(EmailDraft {
            asn,
            kind: MessageKind::Request,
            to: self.first_contact(asn)?,
            cc: smtp.cc,
            bcc: smtp.bcc,
            subject,
            body,
            warning: None,
            message_id: None,
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
        let subject = if last.subject.starts_with("Re: ") {
            last.subject.clone()
        } else {
            format!("Re: {}", last.subject)
        };
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
            warning,
            message_id: None,
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
        let (subject, body) = crate::templating::split_subject(&crate::templating::render(
            "email/contact",
            &self.template_source("email/contact")?,
            &ctx,
        )?)?;
        let contacts = self.contacts_for(s.asn, s.exchange_id)?;
        let to = contacts
            .iter()
            .find(|c| c.role == role)
            .or(contacts.first())
            .map(|c| c.email.clone())
            .unwrap_or_default();
        let smtp = self.get_smtp_settings()?;
        Ok(EmailDraft {
            asn: s.asn,
            kind,
            to,
            cc: smtp.cc,
            bcc: smtp.bcc,
            subject,
            body,
            warning: None,
            message_id: None,
        })
    }

    fn first_contact(&self, asn: u32) -> Result<String> {
        let local_ex = self
            .list_sessions(&SessionFilter::default())?
            .into_iter()
            .filter(|s| s.asn == asn)
            .find_map(|s| s.exchange_id);
        Ok(self
            .contacts_for(asn, local_ex)?
            .into_iter()
            .next()
            .map(|c| c.email)
            .unwrap_or_default())
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
        Ok(serde_json::json!({
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
        }))
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
            };
            let mut email = self.outgoing(&draft, &smtp)?;
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
        let subject = header_text(&d.subject, "subject")?;
        if subject.is_empty() {
            return Err(Error::invalid("subject", "required"));
        }
        if d.body.trim().is_empty() {
            return Err(Error::invalid("body", "required"));
        }
        let from_name = header_text(&smtp.from_name, "fromName")?;
        let from_addr = mailboxes(&smtp.from_address, "fromAddress", true)?.remove(0);
        let from = Mailbox::new(
            (!from_name.is_empty()).then_some(from_name),
            from_addr.email,
        );
        let domain = from.email.domain().to_string();
        Ok(OutgoingEmail {
            from,
            reply_to: mailboxes(&smtp.reply_to, "replyTo", false)?
                .into_iter()
                .next(),
            to: mailboxes(&d.to, "to", true)?,
            cc: mailboxes(&d.cc, "cc", false)?,
            bcc: mailboxes(&d.bcc, "bcc", false)?,
            subject,
            body: d.body.replace("\r\n", "\n"),
            message_id: format!(
                "peerdesk.{}.{}@{}",
                d.asn,
                self.clock.now().timestamp_nanos_opt().unwrap_or_default(),
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
                store::set_message_state(
                    &tx,
                    id,
                    MessageState::Failed,
                    &e.to_string(),
                    None,
                    &now,
                )?;
                store::add_history(
                    &tx,
                    asn,
                    &now,
                    "email",
                    &format!("Not sent \"{}\": {e}", email.subject),
                    Some(id),
                )?;
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
