//! Templates, rendered with minijinja: the peering-request and contact emails
//! now; router configuration later shares this engine. Defaults ship embedded.
//! Rendering is strict: an undefined variable is an error, never an empty string.

pub mod config;
pub mod diff;
mod store;

use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use serde::Serialize;
use ts_rs::TS;

/// (name, default text). An email template's first line is `Subject: …`, the rest is
/// the body; router configuration templates are `config/<platform>/<operation>`.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("email/request", include_str!("defaults/email_request.j2")),
    ("email/contact", include_str!("defaults/email_contact.j2")),
    ("config/frr/add", include_str!("defaults/config/frr_add.j2")),
    (
        "config/frr/update",
        include_str!("defaults/config/frr_update.j2"),
    ),
    (
        "config/frr/remove",
        include_str!("defaults/config/frr_remove.j2"),
    ),
    (
        "config/frr/shutdown",
        include_str!("defaults/config/frr_shutdown.j2"),
    ),
    (
        "config/frr/enable",
        include_str!("defaults/config/frr_enable.j2"),
    ),
    (
        "config/bird2/add",
        include_str!("defaults/config/bird2_add.j2"),
    ),
    (
        "config/bird2/remove",
        include_str!("defaults/config/bird2_remove.j2"),
    ),
    (
        "config/bird2/shutdown",
        include_str!("defaults/config/bird2_shutdown.j2"),
    ),
    (
        "config/bird2/enable",
        include_str!("defaults/config/bird2_enable.j2"),
    ),
    (
        "config/junos/add",
        include_str!("defaults/config/junos_add.j2"),
    ),
    (
        "config/junos/remove",
        include_str!("defaults/config/junos_remove.j2"),
    ),
    (
        "config/junos/shutdown",
        include_str!("defaults/config/junos_shutdown.j2"),
    ),
    (
        "config/junos/enable",
        include_str!("defaults/config/junos_enable.j2"),
    ),
    (
        "config/iosxr/add",
        include_str!("defaults/config/iosxr_add.j2"),
    ),
    (
        "config/iosxr/remove",
        include_str!("defaults/config/iosxr_remove.j2"),
    ),
    (
        "config/iosxr/shutdown",
        include_str!("defaults/config/iosxr_shutdown.j2"),
    ),
    (
        "config/iosxr/enable",
        include_str!("defaults/config/iosxr_enable.j2"),
    ),
    ("config/eos/add", include_str!("defaults/config/eos_add.j2")),
    (
        "config/eos/remove",
        include_str!("defaults/config/eos_remove.j2"),
    ),
    (
        "config/eos/shutdown",
        include_str!("defaults/config/eos_shutdown.j2"),
    ),
    (
        "config/eos/enable",
        include_str!("defaults/config/eos_enable.j2"),
    ),
    (
        "config/sros/add",
        include_str!("defaults/config/sros_add.j2"),
    ),
    (
        "config/sros/remove",
        include_str!("defaults/config/sros_remove.j2"),
    ),
    (
        "config/sros/shutdown",
        include_str!("defaults/config/sros_shutdown.j2"),
    ),
    (
        "config/sros/enable",
        include_str!("defaults/config/sros_enable.j2"),
    ),
    (
        "config/frr/peer_group",
        include_str!("defaults/config/frr_peer_group.j2"),
    ),
    (
        "config/bird2/peer_group",
        include_str!("defaults/config/bird2_peer_group.j2"),
    ),
    (
        "config/junos/peer_group",
        include_str!("defaults/config/junos_peer_group.j2"),
    ),
    (
        "config/iosxr/peer_group",
        include_str!("defaults/config/iosxr_peer_group.j2"),
    ),
    (
        "config/eos/peer_group",
        include_str!("defaults/config/eos_peer_group.j2"),
    ),
    (
        "config/sros/peer_group",
        include_str!("defaults/config/sros_peer_group.j2"),
    ),
];

pub fn default_template(name: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Renders `source` with `ctx`; errors name the template and the line.
pub fn render<C: Serialize>(name: &str, source: &str, ctx: &C) -> Result<String> {
    Renderer::new(name, source)?.render(ctx)
}

/// A template compiled once and rendered many times (a batch of sessions).
pub struct Renderer {
    env: minijinja::Environment<'static>,
    name: String,
}

impl Renderer {
    pub fn new(name: &str, source: &str) -> Result<Self> {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.add_template_owned(name.to_string(), source.to_string())
            .map_err(|e| Error::invalid("template", format!("template {name}: {e}")))?;
        Ok(Renderer {
            env,
            name: name.to_string(),
        })
    }

    pub fn render<C: Serialize>(&self, ctx: &C) -> Result<String> {
        self.env
            .get_template(&self.name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| Error::invalid("template", format!("template {}: {e}", self.name)))
    }
}

/// Splits a rendered email template into its subject line and body.
pub fn split_subject(rendered: &str) -> Result<(String, String)> {
    let (first, rest) = rendered.split_once('\n').unwrap_or((rendered, ""));
    let subject = first.strip_prefix("Subject:").ok_or_else(|| {
        Error::invalid(
            "template",
            "an email template starts with a 'Subject:' line",
        )
    })?;
    Ok((
        subject.trim().to_string(),
        rest.trim_start_matches('\n').to_string(),
    ))
}

/// A template as the Admin → Templates list shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    pub name: String,
    /// True while the embedded default is in use.
    pub is_default: bool,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub name: String,
    pub body: String,
    pub default_body: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRevision {
    pub id: i64,
    pub name: String,
    pub body: String,
    pub saved_at: String,
}

fn known(name: &str) -> Result<&'static str> {
    default_template(name)
        .ok_or_else(|| Error::invalid("name", format!("there is no template '{name}'")))
}

impl crate::Peerdesk {
    pub fn list_templates(&self) -> Result<Vec<TemplateInfo>> {
        let conn = self.db()?;
        DEFAULTS
            .iter()
            .map(|(name, _)| {
                let saved = store::get(&conn, name)?;
                Ok(TemplateInfo {
                    name: name.to_string(),
                    is_default: saved.is_none(),
                    updated_at: saved.map(|(_, at)| at),
                })
            })
            .collect()
    }

    /// The template in use: the user's version if saved, else the default.
    pub fn get_template(&self, name: &str) -> Result<Template> {
        let default_body = known(name)?;
        let saved = store::get(&*self.db()?, name)?;
        Ok(Template {
            name: name.to_string(),
            is_default: saved.is_none(),
            body: saved
                .map(|(b, _)| b)
                .unwrap_or_else(|| default_body.to_string()),
            default_body: default_body.to_string(),
        })
    }

    /// Saves a new version after checking that it compiles (and, for email
    /// templates, starts with a Subject line). Every version is kept.
    pub fn save_template(&self, name: &str, body: &str) -> Result<Template> {
        self.require_admin("Editing templates")?;
        known(name)?;
        check_syntax(name, body)?;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get(&tx, name)?.map(|(b, _)| b);
        store::put(&tx, name, body, &now)?;
        audit::record(
            &tx,
            &now,
            "template",
            None,
            AuditAction::Update,
            &format!("Template {name} saved"),
            old.as_ref(),
            Some(&body),
        )?;
        tx.commit()?;
        drop(conn);
        self.get_template(name)
    }

    pub fn template_revisions(&self, name: &str) -> Result<Vec<TemplateRevision>> {
        known(name)?;
        store::revisions(&*self.db()?, name)
    }

    /// Makes an earlier version current again (as a new revision).
    pub fn revert_template(&self, name: &str, revision_id: i64) -> Result<Template> {
        self.require_admin("Editing templates")?;
        let rev = store::revision(&*self.db()?, revision_id)?;
        if rev.name != name {
            return Err(Error::invalid(
                "revision",
                "that revision belongs to another template",
            ));
        }
        self.save_template(name, &rev.body)
    }

    /// Back to the embedded default (the edited versions stay in the history).
    pub fn reset_template(&self, name: &str) -> Result<Template> {
        self.require_admin("Editing templates")?;
        known(name)?;
        store::delete(&*self.db()?, name)?;
        self.get_template(name)
    }

    /// Renders unsaved template text for a peer, as the editor's live preview.
    pub fn preview_email_template(&self, name: &str, body: &str, asn: u32) -> Result<String> {
        known(name)?;
        let mut ctx = self.email_template_context(asn)?;
        if name == "email/contact" {
            ctx["role"] = "NOC".into();
            ctx["topic"] = "session 192.0.2.10".into();
        }
        render(name, body, &ctx)
    }

    /// The text of a template in use, for rendering.
    pub(crate) fn template_source(&self, name: &str) -> Result<String> {
        Ok(self.get_template(name)?.body)
    }
}

fn check_syntax(name: &str, body: &str) -> Result<()> {
    let mut env = minijinja::Environment::new();
    env.add_template(name, body)
        .map_err(|e| Error::invalid("body", format!("template {name}: {e}")))?;
    if name.starts_with("email/") && !body.trim_start().starts_with("Subject:") {
        return Err(Error::invalid(
            "body",
            "an email template starts with a 'Subject:' line",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn undefined_variables_are_errors_not_blanks() {
        let e = super::render("t", "Hello {{ nobody }}", &serde_json::json!({})).unwrap_err();
        assert!(e.to_string().contains("template t"), "{e}");
    }

    #[test]
    fn the_subject_line_is_split_from_the_body() {
        let (s, b) = super::split_subject("Subject: Hi there\n\nBody\n").unwrap();
        assert_eq!((s.as_str(), b.as_str()), ("Hi there", "Body\n"));
        assert!(super::split_subject("No subject").is_err());
    }
}
