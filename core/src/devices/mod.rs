//! Routers: how to reach them (management address, SSH port, user, credential
//! reference), what they are (platform, local ASN), and which exchange LANs they
//! sit on with which addresses; the SSH transport ([`ssh`]) and the push
//! pipeline with its FRR and BIRD drivers ([`push`]).

mod access;
mod commit;
pub mod delete;
#[cfg(test)]
mod fuzz;
pub mod import;
mod neighbors;
pub mod push;
pub mod ssh;
mod store;
pub mod transport;

use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::peering::NewPeerGroup;
use crate::secrets::{router_credential_key, Secret};
use crate::values::{self, AddressFamily, Asn};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use ts_rs::TS;

pub(crate) use store::{get_router, list_routers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Frr,
    Bird2,
    Junos,
    Iosxr,
    Eos,
    Sros,
}
values::text_enum!(Platform {
    Frr => "frr", Bird2 => "bird2", Junos => "junos", Iosxr => "iosxr", Eos => "eos", Sros => "sros"
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// SSH password, kept in the keyring.
    Password,
    /// SSH private key file; its passphrase, if any, kept in the keyring.
    Key,
    /// Keys offered by the running ssh-agent.
    Agent,
}
values::text_enum!(AuthMethod { Password => "password", Key => "key", Agent => "agent" });

/// A router as stored. `credential_ref` is the keyring key name, never the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Router {
    pub id: i64,
    pub name: String,
    pub mgmt_address: String,
    pub ssh_port: u16,
    pub platform: Platform,
    pub username: String,
    pub auth_method: AuthMethod,
    pub credential_ref: Option<String>,
    /// The router needs a password (or key passphrase) that Peerdesk does not
    /// hold: it came from an inventory file, which never carries one.
    #[serde(default)]
    pub credential_needed: bool,
    pub ssh_key_path: Option<String>,
    pub local_asn: u32,
    pub notes: String,
    /// The command that runs router CLI commands after login (e.g. `vtysh`,
    /// `birdc -s /run/bird/bird.ctl`); empty when the login shell is the CLI.
    #[serde(default)]
    pub control_command: String,
    /// BIRD: the folder of per-peer files included by bird.conf.
    #[serde(default)]
    pub config_dir: String,
    pub attachments: Vec<RouterAttachment>,
    pub created_at: String,
    pub updated_at: String,
}

/// The router's presence on an exchange LAN, with its own addresses there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterAttachment {
    pub exchange_id: i64,
    pub exchange_name: String,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewAttachment {
    pub exchange_id: i64,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
}

/// What the Add Router dialog sends. `password` is the SSH password or the key's
/// passphrase; it goes to the keyring only.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewRouter {
    pub name: String,
    pub mgmt_address: String,
    pub ssh_port: i64,
    pub platform: Platform,
    pub username: String,
    pub auth_method: AuthMethod,
    #[ts(optional)]
    pub password: Option<String>,
    #[ts(optional)]
    pub ssh_key_path: Option<String>,
    pub local_asn: String,
    #[serde(default)]
    pub notes: String,
    #[ts(optional)]
    pub control_command: Option<String>,
    #[ts(optional)]
    pub config_dir: Option<String>,
    #[serde(default)]
    pub attachments: Vec<NewAttachment>,
    /// A peer group created for this router in the same step (guide steps 1–2).
    #[ts(optional)]
    pub new_peer_group: Option<NewPeerGroup>,
}

/// What the Edit Router dialog sends. An empty or absent `password` keeps the
/// stored one; `clear_credential` removes it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterChanges {
    pub name: String,
    pub mgmt_address: String,
    pub ssh_port: i64,
    pub platform: Platform,
    pub username: String,
    pub auth_method: AuthMethod,
    #[ts(optional)]
    pub password: Option<String>,
    #[serde(default)]
    pub clear_credential: bool,
    #[ts(optional)]
    pub ssh_key_path: Option<String>,
    pub local_asn: String,
    #[serde(default)]
    pub notes: String,
    #[ts(optional)]
    pub control_command: Option<String>,
    #[ts(optional)]
    pub config_dir: Option<String>,
    #[serde(default)]
    pub attachments: Vec<NewAttachment>,
}

/// Validated router fields, ready for the store.
pub(crate) struct RouterFields {
    pub name: String,
    pub mgmt_address: String,
    pub ssh_port: u16,
    pub platform: Platform,
    pub username: String,
    pub auth_method: AuthMethod,
    pub ssh_key_path: Option<String>,
    pub local_asn: Asn,
    pub notes: String,
    pub control_command: String,
    pub config_dir: String,
}

pub(crate) struct AttachmentFields {
    pub exchange_id: i64,
    pub ipv4: Option<IpAddr>,
    pub ipv6: Option<IpAddr>,
}

#[allow(clippy::too_many_arguments)]
fn validate_fields(
    name: &str,
    mgmt_address: &str,
    ssh_port: i64,
    platform: Platform,
    username: &str,
    auth_method: AuthMethod,
    ssh_key_path: Option<&str>,
    local_asn: &str,
    notes: &str,
) -> Result<RouterFields> {
    let ssh_key_path = ssh_key_path
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| values::name(p, "sshKeyPath", 1024))
        .transpose()?;
    if auth_method == AuthMethod::Key && ssh_key_path.is_none() {
        return Err(Error::invalid("sshKeyPath", "choose the SSH key file"));
    }
    Ok(RouterFields {
        name: values::name(name, "name", 64)?,
        mgmt_address: host(mgmt_address, "mgmtAddress")?,
        ssh_port: values::port(ssh_port, "sshPort")?,
        platform,
        username: values::name(username, "username", 64)?,
        auth_method,
        ssh_key_path,
        local_asn: Asn::parse(local_asn, "localAsn")?,
        notes: values::notes(notes, "notes")?,
        control_command: String::new(),
        config_dir: String::new(),
    })
}

/// How commands reach the router's CLI, and where BIRD's per-peer files live.
fn access_fields(
    f: &mut RouterFields,
    control_command: Option<&str>,
    config_dir: Option<&str>,
) -> Result<()> {
    f.control_command = access::control_command(control_command.unwrap_or(""), "controlCommand")?;
    f.config_dir = access::config_dir(config_dir.unwrap_or(""), "configDir")?;
    Ok(())
}

/// A management address: an IP address or a DNS name.
fn host(text: &str, field: &'static str) -> Result<String> {
    let t = text.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    let valid_name = !t.is_empty()
        && t.len() <= 253
        && t.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if valid_name {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(Error::invalid(
            field,
            format!("'{t}' is neither an IP address nor a host name"),
        ))
    }
}

fn validate_attachments(
    conn: &rusqlite::Connection,
    attachments: &[NewAttachment],
) -> Result<Vec<AttachmentFields>> {
    let mut out: Vec<AttachmentFields> = Vec::new();
    for a in attachments {
        if out.iter().any(|o| o.exchange_id == a.exchange_id) {
            return Err(Error::invalid("attachments", "an exchange is listed twice"));
        }
        let ex = crate::peering::get_exchange(conn, a.exchange_id)?;
        let ipv4 = values::optional_ip(a.ipv4.as_deref(), "attachments.ipv4")?;
        let ipv6 = values::optional_ip(a.ipv6.as_deref(), "attachments.ipv6")?;
        for (ip, family, prefix, field) in [
            (
                ipv4,
                AddressFamily::Ipv4,
                ex.prefix_v4.as_deref(),
                "attachments.ipv4",
            ),
            (
                ipv6,
                AddressFamily::Ipv6,
                ex.prefix_v6.as_deref(),
                "attachments.ipv6",
            ),
        ] {
            let Some(ip) = ip else { continue };
            if AddressFamily::of(&ip) != family {
                return Err(Error::invalid(
                    field,
                    format!("{ip} is not an {} address", family.label()),
                ));
            }
            if let Some(prefix) = prefix {
                crate::peering::check_inside(&ip, prefix, &ex.name, field)?;
            }
        }
        out.push(AttachmentFields {
            exchange_id: a.exchange_id,
            ipv4,
            ipv6,
        });
    }
    Ok(out)
}

/// Writes a router of an inventory file under the file's id, through the Add
/// Router form's validation (its attachments against the exchanges already
/// written). A file never names a keyring entry: a router that had a password
/// or key passphrase at its origin is marked as needing it entered again.
pub(crate) fn insert_imported_router(conn: &rusqlite::Connection, r: &Router) -> Result<()> {
    let mut fields = validate_fields(
        &r.name,
        &r.mgmt_address,
        i64::from(r.ssh_port),
        r.platform,
        &r.username,
        r.auth_method,
        r.ssh_key_path.as_deref(),
        &r.local_asn.to_string(),
        &r.notes,
    )?;
    access_fields(&mut fields, Some(&r.control_command), Some(&r.config_dir))?;
    let attachments: Vec<NewAttachment> = r
        .attachments
        .iter()
        .map(|a| NewAttachment {
            exchange_id: a.exchange_id,
            ipv4: a.ipv4.clone(),
            ipv6: a.ipv6.clone(),
        })
        .collect();
    let attachments = validate_attachments(conn, &attachments)?;
    let needed =
        r.auth_method != AuthMethod::Agent && (r.credential_ref.is_some() || r.credential_needed);
    store::insert_router(
        conn,
        &fields,
        &store::RouterOrigin {
            id: Some(r.id),
            created_at: &values::timestamp(&r.created_at, "createdAt")?,
            updated_at: &values::timestamp(&r.updated_at, "updatedAt")?,
            credential_needed: needed,
        },
    )?;
    for a in &attachments {
        store::insert_attachment(conn, r.id, a)?;
    }
    Ok(())
}

/// Errors about the peer group created inside Add Router name its fields as
/// `newPeerGroup.<field>`, so they do not collide with the router's own.
fn in_new_peer_group(e: Error) -> Error {
    let prefixed = |f: &'static str| -> &'static str {
        match f {
            "name" => "newPeerGroup.name",
            "exchangeId" => "newPeerGroup.exchangeId",
            "importPolicy" => "newPeerGroup.importPolicy",
            "exportPolicy" => "newPeerGroup.exportPolicy",
            "maxPrefix" => "newPeerGroup.maxPrefix",
            "family" => "newPeerGroup.family",
            "sessionType" => "newPeerGroup.sessionType",
            other => other,
        }
    };
    match e {
        Error::Invalid {
            field: Some(f),
            message,
        } => Error::Invalid {
            field: Some(prefixed(f)),
            message,
        },
        Error::Conflict {
            field: Some(f),
            message,
        } => Error::Conflict {
            field: Some(prefixed(f)),
            message,
        },
        other => other,
    }
}

impl crate::Peerdesk {
    pub fn list_routers(&self) -> Result<Vec<Router>> {
        store::list_routers(&*self.db()?)
    }

    /// Adds a router, its exchange attachments and optionally a first peer group,
    /// all or nothing. The password, if given, goes to the keyring only.
    pub fn add_router(&self, new: &NewRouter) -> Result<Router> {
        let mut fields = validate_fields(
            &new.name,
            &new.mgmt_address,
            new.ssh_port,
            new.platform,
            &new.username,
            new.auth_method,
            new.ssh_key_path.as_deref(),
            &new.local_asn,
            &new.notes,
        )?;
        access_fields(
            &mut fields,
            new.control_command.as_deref(),
            new.config_dir.as_deref(),
        )?;
        let password = new
            .password
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(Secret::new);
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let attachments = validate_attachments(&tx, &new.attachments)?;
        let id = store::insert_router(
            &tx,
            &fields,
            &store::RouterOrigin {
                id: None,
                created_at: &now,
                updated_at: &now,
                credential_needed: false,
            },
        )?;
        for a in &attachments {
            store::insert_attachment(&tx, id, a)?;
        }
        if let Some(group) = &new.new_peer_group {
            let mut group = group.clone();
            group.router_id = Some(id);
            crate::peering::insert_peer_group_in(&tx, &group, &now).map_err(in_new_peer_group)?;
        }
        // The keyring is written last, once nothing else in the step can fail
        // but the commit; a failed commit takes the entry back out.
        let mut written_key = None;
        if let Some(secret) = &password {
            let key = router_credential_key(id);
            self.secrets.set(&key, secret)?;
            store::set_credential_ref(&tx, id, Some(&key))?;
            written_key = Some(key);
        }
        let router = store::get_router(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "router",
            Some(id),
            AuditAction::Create,
            &format!("Router {} added", router.name),
            None::<&()>,
            Some(&router),
        )?;
        let committed = tx.commit();
        if committed.is_err() {
            if let Some(key) = written_key {
                let _ = self.secrets.delete(&key);
            }
        }
        committed?;
        Ok(router)
    }

    pub fn update_router(&self, id: i64, changes: &RouterChanges) -> Result<Router> {
        let mut fields = validate_fields(
            &changes.name,
            &changes.mgmt_address,
            changes.ssh_port,
            changes.platform,
            &changes.username,
            changes.auth_method,
            changes.ssh_key_path.as_deref(),
            &changes.local_asn,
            &changes.notes,
        )?;
        access_fields(
            &mut fields,
            changes.control_command.as_deref(),
            changes.config_dir.as_deref(),
        )?;
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_router(&tx, id)?;
        let attachments = validate_attachments(&tx, &changes.attachments)?;
        for a in &old.attachments {
            if !attachments.iter().any(|n| n.exchange_id == a.exchange_id)
                && store::sessions_at(&tx, id, a.exchange_id)? > 0
            {
                return Err(Error::conflict(
                    "attachments",
                    format!(
                        "{} still has sessions at {}; delete or move them before detaching",
                        old.name, a.exchange_name
                    ),
                ));
            }
        }
        store::update_router(&tx, id, &fields, &now)?;
        store::replace_attachments(&tx, id, &attachments)?;
        let key = router_credential_key(id);
        if changes.clear_credential {
            self.secrets.delete(&key)?;
            store::set_credential_ref(&tx, id, None)?;
        } else if let Some(p) = changes.password.as_deref().filter(|p| !p.is_empty()) {
            self.secrets.set(&key, &Secret::new(p))?;
            store::set_credential_ref(&tx, id, Some(&key))?;
        }
        let router = store::get_router(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "router",
            Some(id),
            AuditAction::Update,
            &format!("Router {} changed", router.name),
            Some(&old),
            Some(&router),
        )?;
        tx.commit()?;
        Ok(router)
    }

    /// Deletes a router with no sessions, with its peer groups and its keyring entry.
    pub fn delete_router(&self, id: i64) -> Result<()> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get_router(&tx, id)?;
        let sessions = store::sessions_on(&tx, id)?;
        if sessions > 0 {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "{} has {sessions} session(s); delete them before deleting the router",
                    old.name
                ),
            });
        }
        store::delete_router(&tx, id)?;
        audit::record(
            &tx,
            &now,
            "router",
            Some(id),
            AuditAction::Delete,
            &format!("Router {} deleted", old.name),
            Some(&old),
            None::<&()>,
        )?;
        tx.commit()?;
        if let Some(key) = &old.credential_ref {
            // The router is gone; a keyring that cannot be reached only leaves an orphan entry.
            let _ = self.secrets.delete(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn host_accepts_ips_and_names_only() {
        assert_eq!(super::host(" 192.0.2.1 ", "h").unwrap(), "192.0.2.1");
        assert_eq!(
            super::host("RTR1.example.net", "h").unwrap(),
            "rtr1.example.net"
        );
        assert!(super::host("rtr1;reboot", "h").is_err());
        assert!(super::host("", "h").is_err());
    }
}
