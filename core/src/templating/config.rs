//! Router configuration rendered from templates, one per platform and
//! operation. The context is built here from typed values only: addresses are
//! `IpAddr`, numbers are numbers, policy names are identifiers, and every free
//! text (a peer's name from PeeringDB or a user) passes [`config_text`], which
//! keeps only characters that cannot end, open or comment a statement on any
//! platform. So no value can become a second router command.

use crate::devices::Platform;
use crate::error::{Error, Result};
use crate::values::{self, AddressFamily};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConfigOperation {
    Add,
    Remove,
    Shutdown,
    Enable,
    /// Bring an existing neighbour's settings (peer group, max-prefix, MD5,
    /// description, policies) in line with Peerdesk.
    Update,
}

pub const OPERATIONS: [ConfigOperation; 5] = [
    ConfigOperation::Add,
    ConfigOperation::Remove,
    ConfigOperation::Shutdown,
    ConfigOperation::Enable,
    ConfigOperation::Update,
];

pub const PLATFORMS: [Platform; 6] = [
    Platform::Frr,
    Platform::Bird2,
    Platform::Junos,
    Platform::Iosxr,
    Platform::Eos,
    Platform::Sros,
];

impl ConfigOperation {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigOperation::Add => "add",
            ConfigOperation::Remove => "remove",
            ConfigOperation::Shutdown => "shutdown",
            ConfigOperation::Enable => "enable",
            ConfigOperation::Update => "update",
        }
    }
}

/// The template name for a platform and operation, e.g. `config/frr/add`.
/// Only FRR has its own update template: its neighbour lines are merged into
/// what is there, so an update must also clear settings Peerdesk no longer
/// has. BIRD's per-peer file is the whole neighbour, and on the other
/// platforms re-setting every value replaces it, so their update is the add
/// template (a value removed in Peerdesk is not cleared there).
pub fn template_name(platform: Platform, op: ConfigOperation) -> String {
    let op = if op == ConfigOperation::Update && platform != Platform::Frr {
        ConfigOperation::Add
    } else {
        op
    };
    format!("config/{}/{}", platform.as_str(), op.as_str())
}

/// Free text made safe for every platform's configuration language: ASCII
/// letters, digits, spaces and `- _ . , : / ( ) @ + &` only (anything else
/// becomes a space), runs of spaces collapsed, at most 80 characters.
pub fn config_text(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " -_.,:/()@+&".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let collapsed = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .chars()
        .take(80)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Everything a session's configuration needs, already validated.
#[derive(Debug, Clone)]
pub struct SessionConfigInput {
    pub platform: Platform,
    pub local_asn: u32,
    pub peer_ip: IpAddr,
    pub remote_asn: u32,
    /// Free text, made safe here.
    pub description: String,
    pub peer_group: Option<String>,
    pub import_policy: Option<String>,
    pub export_policy: Option<String>,
    pub max_prefix: Option<u32>,
    pub admin_down: bool,
    /// Only set when rendering for a push; previews show a placeholder.
    pub md5: Option<String>,
    /// The peer network's AS-SETs (`s.as_sets` in templates), already valid.
    pub as_sets: values::AsSetList,
}

/// The template context: plain data, every string already safe.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigContext {
    router: RouterCtx,
    s: SessionCtx,
}

#[derive(Debug, Clone, Serialize)]
struct RouterCtx {
    local_asn: u32,
}

#[derive(Debug, Clone, Serialize)]
struct SessionCtx {
    peer_ip: String,
    ip_version: u8,
    afi: &'static str,
    afi_junos: &'static str,
    remote_asn: u32,
    description: String,
    peer_group: Option<String>,
    group: String,
    protocol_name: String,
    import_policy: Option<String>,
    export_policy: Option<String>,
    max_prefix: Option<u32>,
    admin_down: bool,
    md5: Option<String>,
    as_sets: Vec<String>,
}

fn checked_identifier(v: &Option<String>, field: &'static str) -> Result<Option<String>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => values::identifier(t, field).map(Some),
    }
}

impl SessionConfigInput {
    pub fn context(&self) -> Result<ConfigContext> {
        let family = AddressFamily::of(&self.peer_ip);
        let peer_group = checked_identifier(&self.peer_group, "peerGroup")?;
        let md5 = match &self.md5 {
            Some(m) => Some(values::md5_password(m, "md5Password")?),
            None => None,
        };
        let ip_tag: String = self
            .peer_ip
            .to_string()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        Ok(ConfigContext {
            router: RouterCtx {
                local_asn: self.local_asn,
            },
            s: SessionCtx {
                peer_ip: self.peer_ip.to_string(),
                ip_version: family.version() as u8,
                afi: match family {
                    AddressFamily::Ipv4 => "ipv4",
                    AddressFamily::Ipv6 => "ipv6",
                },
                afi_junos: match family {
                    AddressFamily::Ipv4 => "inet",
                    AddressFamily::Ipv6 => "inet6",
                },
                remote_asn: self.remote_asn,
                description: Some(config_text(&self.description))
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| format!("AS{}", self.remote_asn)),
                group: peer_group
                    .clone()
                    .unwrap_or_else(|| format!("PEERDESK-{}", family.label().to_ascii_uppercase())),
                peer_group,
                protocol_name: format!("pd_as{}_{}", self.remote_asn, ip_tag),
                import_policy: checked_identifier(&self.import_policy, "importPolicy")?,
                export_policy: checked_identifier(&self.export_policy, "exportPolicy")?,
                max_prefix: self.max_prefix,
                admin_down: self.admin_down,
                md5,
                as_sets: self.as_sets.names(),
            },
        })
    }
}

/// Renders `source` for `input`. Errors name the template.
pub fn render_config(name: &str, source: &str, input: &SessionConfigInput) -> Result<String> {
    let ctx = input.context()?;
    let text = super::render(name, source, &ctx)?;
    if text.trim().is_empty() {
        return Err(Error::invalid(
            "template",
            format!("template {name} rendered nothing"),
        ));
    }
    Ok(text)
}

/// The template name of a platform's peer group definition.
pub fn peer_group_template_name(platform: Platform) -> String {
    format!("config/{}/peer_group", platform.as_str())
}

/// A peer group's definition, already validated.
#[derive(Debug, Clone)]
pub struct PeerGroupConfigInput {
    pub local_asn: u32,
    pub name: String,
    pub family: AddressFamily,
    pub import_policy: Option<String>,
    pub export_policy: Option<String>,
    pub max_prefix: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
struct PeerGroupCtx {
    name: String,
    afi: &'static str,
    afi_junos: &'static str,
    import_policy: Option<String>,
    export_policy: Option<String>,
    max_prefix: Option<u32>,
}

/// Renders a peer group template; names and policies must be identifiers.
pub fn render_peer_group(name: &str, source: &str, input: &PeerGroupConfigInput) -> Result<String> {
    let (afi, afi_junos) = match input.family {
        AddressFamily::Ipv4 => ("ipv4", "inet"),
        AddressFamily::Ipv6 => ("ipv6", "inet6"),
    };
    let ctx = serde_json::json!({
        "router": RouterCtx { local_asn: input.local_asn },
        "g": PeerGroupCtx {
            name: values::identifier(&input.name, "name")?,
            afi,
            afi_junos,
            import_policy: checked_identifier(&input.import_policy, "importPolicy")?,
            export_policy: checked_identifier(&input.export_policy, "exportPolicy")?,
            max_prefix: input.max_prefix,
        },
    });
    let text = super::render(name, source, &ctx)?;
    if text.trim().is_empty() {
        return Err(Error::invalid(
            "template",
            format!("template {name} rendered nothing"),
        ));
    }
    Ok(text)
}

/// Where a rendered configuration holds the MD5 password until a push fills it in.
pub(crate) const MD5_PLACEHOLDER: &str = "KEYRING-MD5";

/// One-time changes for a single render (Config Manager; kept with an outbox
/// item until it is applied); never saved as defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ConfigOverrides {
    #[ts(optional)]
    pub description: Option<String>,
    #[ts(optional)]
    pub max_prefix: Option<i64>,
    #[ts(optional)]
    pub import_policy: Option<String>,
    #[ts(optional)]
    pub export_policy: Option<String>,
    /// Configuration lines added after the rendered text, for this push only.
    #[ts(optional)]
    pub extra_lines: Option<String>,
    /// The admin state to render instead of the stored one (set by core when
    /// a shutdown or enable rewrites a whole neighbour, never from the UI).
    #[serde(skip)]
    #[ts(skip)]
    pub admin_down: Option<bool>,
}

/// The Config Manager's extra lines: the user's own router commands, sent as
/// typed after the template's output. Printable ASCII only (a control
/// character or non-ASCII byte could hide what is sent), at most 50 lines of
/// 200 characters; blank lines dropped.
pub fn extra_lines(text: &str) -> Result<Vec<String>> {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.len() > 50 {
        return Err(Error::invalid("extraLines", "at most 50 extra lines"));
    }
    for (n, l) in lines.iter().enumerate() {
        if l.len() > 200 {
            return Err(Error::invalid(
                "extraLines",
                format!("line {} is longer than 200 characters", n + 1),
            ));
        }
        if !l.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "extraLines",
                format!(
                    "line {} has a character other than printable ASCII (tabs, control characters and non-ASCII are refused)",
                    n + 1
                ),
            ));
        }
        if l.contains(MD5_PLACEHOLDER) {
            return Err(Error::invalid(
                "extraLines",
                format!(
                    "line {} contains the reserved word {MD5_PLACEHOLDER}",
                    n + 1
                ),
            ));
        }
    }
    Ok(lines)
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RenderedConfig {
    pub platform: Platform,
    pub operation: ConfigOperation,
    pub template: String,
    pub text: String,
    /// Where the max-prefix value came from.
    pub max_prefix_source: String,
}

impl crate::Peerdesk {
    /// Renders a session's configuration for its router's platform with the
    /// defaults (peer group, max-prefix from the network, PeeringDB or the peer
    /// group) and any one-time overrides. An MD5 password shows as `********`:
    /// the real one is read from the keyring only when pushing.
    pub fn render_session_config(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
    ) -> Result<RenderedConfig> {
        let mut r = self.render_with_md5_placeholder(session_id, op, overrides)?;
        r.text = r.text.replace(MD5_PLACEHOLDER, "********");
        Ok(r)
    }

    /// As [`Self::render_session_config`], with [`MD5_PLACEHOLDER`] where the
    /// MD5 password goes, for the push to substitute.
    pub(crate) fn render_with_md5_placeholder(
        &self,
        session_id: i64,
        op: ConfigOperation,
        overrides: &ConfigOverrides,
    ) -> Result<RenderedConfig> {
        let (input, mp_source) = self.session_config_input(session_id, overrides)?;
        let name = template_name(input.platform, op);
        let source = self.template_source(&name)?;
        let mut text = render_config(&name, &source, &input)?;
        if let Some(extra) = &overrides.extra_lines {
            for line in extra_lines(extra)? {
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&line);
                text.push('\n');
            }
        }
        Ok(RenderedConfig {
            platform: input.platform,
            operation: op,
            text,
            template: name,
            max_prefix_source: mp_source,
        })
    }

    /// Everything a session's configuration is rendered from, with the
    /// defaults resolved, and where its max-prefix came from.
    fn session_config_input(
        &self,
        session_id: i64,
        overrides: &ConfigOverrides,
    ) -> Result<(SessionConfigInput, String)> {
        let s = self.get_session(session_id)?;
        let router = self
            .list_routers()?
            .into_iter()
            .find(|r| r.id == s.router_id)
            .ok_or_else(|| Error::not_found("router", s.router_id))?;
        let group = match s.peer_group_id {
            Some(id) => self.list_peer_groups()?.into_iter().find(|g| g.id == id),
            None => None,
        };
        let network = self
            .list_networks()?
            .into_iter()
            .find(|n| n.id == s.network_id);
        let v4 = s.ip_version == 4;
        let configured =
            network
                .as_ref()
                .and_then(|n| if v4 { n.max_prefix_v4 } else { n.max_prefix_v6 });
        let suggested =
            self.pdb_network(s.asn)
                .ok()
                .map(|d| if v4 { d.max_prefix.v4 } else { d.max_prefix.v6 });
        let (max_prefix, mp_source) = match overrides.max_prefix {
            Some(m) => (
                Some(
                    u32::try_from(m)
                        .ok()
                        .filter(|m| *m > 0)
                        .ok_or_else(|| Error::invalid("maxPrefix", "a positive number"))?,
                ),
                "one-time override".to_string(),
            ),
            None => match (
                configured,
                suggested,
                group.as_ref().and_then(|g| g.max_prefix),
            ) {
                (Some(m), _, _) => (Some(m), "the network's max-prefix".into()),
                (None, Some(m), _) => (Some(m), "PeeringDB suggestion".into()),
                (None, None, Some(m)) => (
                    Some(m),
                    format!(
                        "peer group {}",
                        group.as_ref().map(|g| g.name.as_str()).unwrap_or("")
                    ),
                ),
                (None, None, None) => (None, "none".into()),
            },
        };
        let pick = |o: &Option<String>, d: Option<&String>| {
            o.clone()
                .filter(|v| !v.trim().is_empty())
                .or_else(|| d.cloned().filter(|v| !v.is_empty()))
        };
        let input = SessionConfigInput {
            platform: router.platform,
            local_asn: router.local_asn,
            peer_ip: s
                .peer_ip
                .parse()
                .map_err(|_| Error::Internal(format!("stored address {}", s.peer_ip)))?,
            remote_asn: s.asn,
            description: overrides
                .description
                .clone()
                .unwrap_or_else(|| s.network_name.clone()),
            peer_group: group.as_ref().map(|g| g.name.clone()),
            import_policy: pick(
                &overrides.import_policy,
                group.as_ref().map(|g| &g.import_policy),
            ),
            export_policy: pick(
                &overrides.export_policy,
                group.as_ref().map(|g| &g.export_policy),
            ),
            max_prefix,
            admin_down: overrides
                .admin_down
                .unwrap_or(s.admin_state == crate::peering::AdminState::Down),
            md5: s.md5_ref.as_ref().map(|_| MD5_PLACEHOLDER.to_string()),
            as_sets: network
                .as_ref()
                .map(|n| values::AsSetList::lenient(&n.as_set))
                .unwrap_or_default(),
        };
        if s.md5_needed {
            return Err(crate::devices::push::md5_needed(&s));
        }
        Ok((input, mp_source))
    }

    /// Renders a peer group's definition for its router's platform.
    pub fn render_peer_group_config(&self, peer_group_id: i64) -> Result<String> {
        let (platform, input) = self.peer_group_input(peer_group_id)?;
        let name = peer_group_template_name(platform);
        let source = self.template_source(&name)?;
        render_peer_group(&name, &source, &input)
    }

    fn peer_group_input(&self, peer_group_id: i64) -> Result<(Platform, PeerGroupConfigInput)> {
        let g = self
            .list_peer_groups()?
            .into_iter()
            .find(|g| g.id == peer_group_id)
            .ok_or_else(|| Error::not_found("peer group", peer_group_id))?;
        let router = self.router(g.router_id)?;
        Ok((
            router.platform,
            PeerGroupConfigInput {
                local_asn: router.local_asn,
                name: g.name,
                family: g.family,
                import_policy: Some(g.import_policy),
                export_policy: Some(g.export_policy),
                max_prefix: g.max_prefix,
            },
        ))
    }

    /// The editor's live preview: unsaved template text rendered for a stored
    /// session (a peer group template: for the session's peer group), the MD5
    /// password masked.
    pub fn preview_config_template(
        &self,
        name: &str,
        body: &str,
        session_id: i64,
    ) -> Result<String> {
        let text = if name.ends_with("/peer_group") {
            let s = self.get_session(session_id)?;
            let group = s.peer_group_id.ok_or_else(|| {
                Error::invalid(
                    "sessionId",
                    "this session has no peer group: choose one that has",
                )
            })?;
            let (_, input) = self.peer_group_input(group)?;
            render_peer_group(name, body, &input)?
        } else if name.starts_with("config/") {
            let (input, _) = self.session_config_input(session_id, &ConfigOverrides::default())?;
            render_config(name, body, &input)?
        } else {
            return Err(Error::invalid(
                "name",
                format!("{name} is not a router configuration template"),
            ));
        };
        Ok(text.replace(MD5_PLACEHOLDER, "********"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_text_keeps_only_characters_no_platform_treats_as_syntax() {
        assert_eq!(
            config_text("Example Peer; shutdown"),
            "Example Peer shutdown"
        );
        assert_eq!(
            config_text("a\nneighbor 192.0.2.1 remote-as 64511"),
            "a neighbor 192.0.2.1 remote-as 64511"
        );
        assert_eq!(config_text("x}{\"'#!\\y"), "x y");
        assert_eq!(config_text("Zürich IX"), "Z rich IX");
        assert_eq!(config_text(&"n".repeat(300)).len(), 80);
    }

    #[test]
    fn extra_lines_are_kept_as_typed_but_only_printable_ascii() {
        assert_eq!(
            extra_lines(" neighbor 192.0.2.10 timers 10 30  \n\n bfd\n").unwrap(),
            vec![" neighbor 192.0.2.10 timers 10 30", " bfd"]
        );
        for bad in ["a\tb", "caf\u{e9}", "x\u{1b}[2K", "KEYRING-MD5"] {
            let e = extra_lines(bad).unwrap_err();
            assert_eq!(e.field(), Some("extraLines"), "{bad:?}");
        }
        assert!(extra_lines(&"x\n".repeat(51)).is_err());
        assert!(extra_lines(&"x".repeat(201)).is_err());
    }
}
