//! Templates, rendered with minijinja: the peering-request and contact emails
//! now; router configuration later shares this engine. Defaults ship embedded.
//! Rendering is strict: an undefined variable is an error, never an empty string.

use crate::error::{Error, Result};
use serde::Serialize;

/// (name, default text). A template's first line is `Subject: …`, the rest is the body.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("email/request", include_str!("defaults/email_request.j2")),
    ("email/contact", include_str!("defaults/email_contact.j2")),
];

pub fn default_template(name: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Renders `source` with `ctx`; errors name the template and the line.
pub fn render<C: Serialize>(name: &str, source: &str, ctx: &C) -> Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_template(name, source)
        .map_err(|e| Error::invalid("template", format!("template {name}: {e}")))?;
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::invalid("template", format!("template {name}: {e}")))
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
