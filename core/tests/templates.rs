//! Email templates: edit with a syntax check, revision history, revert, reset
//! and a live preview that renders unsaved text.

mod common;

use common::*;
use peerdesk_core::ErrorKind;

#[test]
fn a_saved_template_is_what_drafts_use_and_every_version_is_kept() {
    let f = core();
    let w = world(&f.core);
    f.core
        .add_session(&new_session(&w, "64500", Some("192.0.2.10"), None))
        .unwrap();
    let t = f.core.get_template("email/request").unwrap();
    assert!(t.is_default && t.body.starts_with("Subject:"));

    f.core
        .save_template(
            "email/request",
            "Subject: Hi AS{{ peer.asn }}\nShort body for {{ peer.name }}.\n",
        )
        .unwrap();
    let d = f.core.draft_request(64500).unwrap();
    assert_eq!(d.subject, "Hi AS64500");
    assert_eq!(d.body, "Short body for Example Peer.\n");

    f.core
        .save_template("email/request", "Subject: Second\nBody two\n")
        .unwrap();
    let revs = f.core.template_revisions("email/request").unwrap();
    assert_eq!(revs.len(), 2);
    f.core.revert_template("email/request", revs[1].id).unwrap();
    assert_eq!(
        f.core.draft_request(64500).unwrap().subject,
        "Hi AS64500",
        "reverted to the first version"
    );
    assert_eq!(
        f.core.template_revisions("email/request").unwrap().len(),
        3,
        "a revert is a new revision"
    );

    f.core.reset_template("email/request").unwrap();
    assert!(f.core.get_template("email/request").unwrap().is_default);
    assert!(f
        .core
        .draft_request(64500)
        .unwrap()
        .subject
        .starts_with("Peering request:"));
}

#[test]
fn a_broken_template_is_refused_and_the_one_in_use_stays() {
    let f = core();
    let before = f.core.get_template("email/request").unwrap().body;
    for bad in [
        "Subject: x\n{% if %}",
        "No subject line\n",
        "Subject: {{ unclosed\n",
    ] {
        let e = f.core.save_template("email/request", bad).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::Invalid, Some("body")),
            "{bad:?}: {e}"
        );
    }
    assert_eq!(f.core.get_template("email/request").unwrap().body, before);
    assert!(f
        .core
        .template_revisions("email/request")
        .unwrap()
        .is_empty());
    assert_eq!(
        f.core.get_template("email/nope").unwrap_err().field(),
        Some("name")
    );
}

#[test]
fn the_preview_renders_unsaved_text_and_reports_unknown_variables() {
    let f = core();
    let out = f
        .core
        .preview_email_template("email/request", "Subject: P\nDear {{ peer.name }}\n", 64511)
        .unwrap();
    assert_eq!(out, "Subject: P\nDear AS64511\n");
    let e = f
        .core
        .preview_email_template("email/request", "Subject: P\n{{ peer.nmae }}\n", 64511)
        .unwrap_err();
    assert!(e.to_string().contains("email/request"), "{e}");
    assert!(
        f.core.get_template("email/request").unwrap().is_default,
        "a preview saves nothing"
    );
}
