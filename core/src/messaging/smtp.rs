//! Sending one email over SMTP with lettre, and the [`Mailer`] seam that lets
//! tests count what was sent. Failures are sorted by what the user can do:
//! unreachable (queue and retry later), authentication, TLS, or a refusal by
//! the server with its reply code.

use crate::error::{Error, Result};
use crate::secrets::Secret;
use lettre::message::{header::ContentType, Mailbox};
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

impl Mailer for SmtpMailer {
    fn send(&self, config: &SmtpConfig, email: &OutgoingEmail) -> Result<()> {
        let mut builder = Message::builder()
            .from(email.from.clone())
            .subject(email.subject.clone())
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
        let message = builder
            .body(email.body.clone())
            .map_err(|e| Error::invalid("body", format!("the message cannot be built: {e}")))?;

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
