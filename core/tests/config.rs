//! Router configuration rendering: every platform and operation, the injection
//! corpus, and rendering a stored session with its defaults and overrides.

mod common;

use common::*;
use peerdesk_core::devices::Platform;
use peerdesk_core::templating::config::{
    config_text, peer_group_template_name, render_config, render_peer_group, template_name,
    ConfigOperation, ConfigOverrides, PeerGroupConfigInput, SessionConfigInput, OPERATIONS,
    PLATFORMS,
};
use peerdesk_core::templating::default_template;
use peerdesk_core::values::AddressFamily;
use peerdesk_core::ErrorKind;

fn input(platform: Platform, description: &str, ip: &str) -> SessionConfigInput {
    SessionConfigInput {
        platform,
        local_asn: 64496,
        peer_ip: ip.parse().unwrap(),
        remote_asn: 64500,
        description: description.into(),
        peer_group: Some("IX-PEERS".into()),
        import_policy: Some("PEER-IN".into()),
        export_policy: Some("PEER-OUT".into()),
        max_prefix: Some(1265),
        admin_down: false,
        md5: Some("Md5-Key.1".into()),
        as_sets: Default::default(),
    }
}

/// Names a peer could have in PeeringDB or type in a form, each trying to
/// become router syntax on some platform.
const CORPUS: &[&str] = &[
    "Evil\nneighbor 192.0.2.66 remote-as 64511",
    "Evil\r\nprotocols { bgp { group x; } }",
    "semi; colon; delete protocols bgp",
    "brace } close { open",
    "hash # comment",
    "bang ! comment",
    "quote \" and ' quotes",
    "back\\slash",
    "Zürich Ünïcode 東京",
    "tab\tand\u{7}bell",
    "$(reboot) `reboot`",
    "/configure router \"Base\" bgp delete",
    "!!!",
    "",
];

#[test]
fn no_name_in_the_corpus_adds_or_changes_a_line_on_any_platform() {
    for platform in PLATFORMS {
        for op in OPERATIONS {
            let name = template_name(platform, op);
            let source = default_template(&name).unwrap_or_else(|| panic!("{name} ships"));
            for ip in ["192.0.2.10", "2001:db8:1::10"] {
                let benign =
                    render_config(&name, source, &input(platform, "Benign Networks", ip)).unwrap();
                let shape = |text: &str, desc: &str| -> Vec<String> {
                    text.lines().map(|l| l.replace(desc, "<DESC>")).collect()
                };
                let expected = shape(&benign, "Benign Networks");
                for hostile in CORPUS {
                    let out = render_config(&name, source, &input(platform, hostile, ip)).unwrap();
                    let safe = Some(config_text(hostile))
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| "AS64500".into());
                    assert_eq!(
                        shape(&out, &safe),
                        expected,
                        "{name} ({ip}) with {hostile:?}: every line is the template's own"
                    );
                }
            }
        }
    }
}

#[test]
fn every_platform_renders_the_neighbour_and_its_settings() {
    let expect: &[(Platform, &[&str])] = &[
        (Platform::Frr, &["router bgp 64496", " neighbor 192.0.2.10 remote-as 64500", "  neighbor 192.0.2.10 maximum-prefix 1265", "  neighbor 192.0.2.10 route-map PEER-IN in"]),
        (Platform::Bird2, &["protocol bgp pd_as64500_192_0_2_10 from IX-PEERS {", "  neighbor 192.0.2.10 as 64500;", "    import limit 1265 action restart;"]),
        (Platform::Junos, &["set protocols bgp group IX-PEERS neighbor 192.0.2.10 peer-as 64500", "set protocols bgp group IX-PEERS neighbor 192.0.2.10 family inet unicast prefix-limit maximum 1265"]),
        (Platform::Iosxr, &[" neighbor 192.0.2.10", "  remote-as 64500", "   route-policy PEER-OUT out"]),
        (Platform::Eos, &["   neighbor 192.0.2.10 maximum-routes 1265", "      neighbor 192.0.2.10 activate"]),
        (Platform::Sros, &["/configure router \"Base\" bgp neighbor \"192.0.2.10\" peer-as 64500"]),
    ];
    for (platform, lines) in expect {
        let name = template_name(*platform, ConfigOperation::Add);
        let out = render_config(
            &name,
            default_template(&name).unwrap(),
            &input(*platform, "Example Peer", "192.0.2.10"),
        )
        .unwrap();
        for l in *lines {
            assert!(out.lines().any(|o| o == *l), "{name} has {l:?}:\n{out}");
        }
    }
}

#[test]
fn a_stored_session_renders_with_its_peer_group_defaults_and_one_time_overrides() {
    let f = core();
    let w = world(&f.core);
    let mut ns = new_session(&w, "64500", Some("192.0.2.10"), None);
    ns.md5_password = Some("Real-Md5-Secret".into());
    let s = f.core.add_session(&ns).unwrap().remove(0);
    let r = f
        .core
        .render_session_config(s.id, ConfigOperation::Add, &ConfigOverrides::default())
        .unwrap();
    assert_eq!(
        (r.platform, r.template.as_str()),
        (Platform::Frr, "config/frr/add")
    );
    assert!(
        r.text.contains(" neighbor 192.0.2.10 peer-group IX-V4"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("route-map PEER-IN in") && r.text.contains("maximum-prefix 100"),
        "{}",
        r.text
    );
    assert_eq!(r.max_prefix_source, "peer group IX-V4");
    assert!(
        !r.text.contains("Real-Md5-Secret"),
        "a render never reads the keyring"
    );
    assert!(
        r.text.contains("password ********"),
        "the MD5 password shows masked"
    );

    let over = ConfigOverrides {
        max_prefix: Some(5000),
        description: Some("Override; name".into()),
        ..Default::default()
    };
    let r = f
        .core
        .render_session_config(s.id, ConfigOperation::Add, &over)
        .unwrap();
    assert!(
        r.text.contains("maximum-prefix 5000") && r.text.contains("description Override name"),
        "{}",
        r.text
    );
    assert_eq!(r.max_prefix_source, "one-time override");
    let bad = ConfigOverrides {
        import_policy: Some("IN; no router bgp".into()),
        ..Default::default()
    };
    let e = f
        .core
        .render_session_config(s.id, ConfigOperation::Add, &bad)
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Invalid, Some("importPolicy"))
    );
    let rm = f
        .core
        .render_session_config(s.id, ConfigOperation::Remove, &ConfigOverrides::default())
        .unwrap();
    assert_eq!(rm.text, "router bgp 64496\n no neighbor 192.0.2.10\n");
}

#[test]
fn every_platform_renders_a_peer_group_definition_from_identifiers_only() {
    let g = |name: &str, import: &str| PeerGroupConfigInput {
        local_asn: 64496,
        name: name.into(),
        family: AddressFamily::Ipv6,
        import_policy: Some(import.into()),
        export_policy: Some("PEER-OUT".into()),
        max_prefix: Some(250),
    };
    let expect: &[(Platform, &str)] = &[
        (Platform::Frr, "  neighbor IX-V6 maximum-prefix 250"),
        (Platform::Bird2, "    import filter PEER-IN;"),
        (
            Platform::Junos,
            "set protocols bgp group IX-V6 family inet6 unicast prefix-limit maximum 250",
        ),
        (Platform::Iosxr, "   route-policy PEER-OUT out"),
        (Platform::Eos, "   neighbor IX-V6 maximum-routes 250"),
        (
            Platform::Sros,
            "/configure router \"Base\" bgp group \"IX-V6\" prefix-limit ipv6 maximum 250",
        ),
    ];
    for (platform, line) in expect {
        let name = peer_group_template_name(*platform);
        let source = default_template(&name).unwrap_or_else(|| panic!("{name} ships"));
        let out = render_peer_group(&name, source, &g("IX-V6", "PEER-IN")).unwrap();
        assert!(
            out.lines().any(|l| l == *line),
            "{name} has {line:?}:\n{out}"
        );
        for hostile in ["IX\nrouter bgp 1", "IX; delete", "IX}{", "IX \"x\""] {
            let e = render_peer_group(&name, source, &g(hostile, "PEER-IN")).unwrap_err();
            assert_eq!(e.field(), Some("name"), "{name} refuses {hostile:?}");
            let e = render_peer_group(&name, source, &g("IX-V6", hostile)).unwrap_err();
            assert_eq!(
                e.field(),
                Some("importPolicy"),
                "{name} refuses {hostile:?}"
            );
        }
    }
}

#[test]
fn the_template_editor_previews_unsaved_config_text_for_a_stored_session() {
    let f = core();
    let w = world(&f.core);
    let mut ns = new_session(&w, "64500", Some("192.0.2.10"), None);
    ns.md5_password = Some("Real-Md5-Secret".into());
    let s = f.core.add_session(&ns).unwrap().remove(0);
    let text = f
        .core
        .preview_config_template(
            "config/frr/add",
            "neighbor {{ s.peer_ip }} remote-as {{ s.remote_asn }} password {{ s.md5 }}\n",
            s.id,
        )
        .unwrap();
    assert_eq!(
        text,
        "neighbor 192.0.2.10 remote-as 64500 password ********\n"
    );
    let group = f
        .core
        .preview_config_template(
            "config/frr/peer_group",
            "group {{ g.name }} {{ g.afi }}\n",
            s.id,
        )
        .unwrap();
    assert_eq!(
        group, "group IX-V4 ipv4\n",
        "a peer group template previews the session's group"
    );
    let stored = f
        .core
        .render_peer_group_config(s.peer_group_id.unwrap())
        .unwrap();
    assert!(stored.contains(" neighbor IX-V4 peer-group\n"), "{stored}");
    let e = f
        .core
        .preview_config_template("config/frr/add", "{{ s.nope }}", s.id)
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Invalid,
        "an undefined variable is an error: {e}"
    );
    let e = f
        .core
        .preview_config_template("email/request", "x", s.id)
        .unwrap_err();
    assert_eq!(e.field(), Some("name"));
}
