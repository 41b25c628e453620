//! The operator's own identity: their ASNs, organisation and the coordinator who
//! signs peering email. One row; every change is audited.

mod role;
pub(crate) mod store;

pub use role::{Role, RoleStatus, ADMIN_PASSPHRASE_SECRET};

use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::values::{self, Asn, AsnInfo};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub own_asns: Vec<u32>,
    pub org_name: String,
    pub coordinator_name: String,
    pub coordinator_email: String,
    /// The PeeringDB API base URL (a local mirror server may stand in for it).
    pub peeringdb_url: String,
    /// Max-prefix suggestions are (PeeringDB value + extra) × factor.
    pub max_prefix_extra: u32,
    pub max_prefix_factor: f64,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsChanges {
    /// ASNs as typed (`64500`, `AS64500`).
    pub own_asns: Vec<String>,
    pub org_name: String,
    pub coordinator_name: String,
    pub coordinator_email: String,
    /// Absent keeps the current URL.
    #[serde(default)]
    #[ts(optional)]
    pub peeringdb_url: Option<String>,
    /// Absent keeps the current value.
    #[serde(default)]
    #[ts(optional)]
    pub max_prefix_extra: Option<i64>,
    #[serde(default)]
    #[ts(optional)]
    pub max_prefix_factor: Option<f64>,
}

/// The settings of an inventory file, through the Settings form's validation.
/// The PeeringDB URL stays the one set here: a file must not point the API
/// key at another server.
pub(crate) fn imported(file: &Settings, current: &Settings) -> Result<Settings> {
    SettingsChanges {
        own_asns: file.own_asns.iter().map(u32::to_string).collect(),
        org_name: file.org_name.clone(),
        coordinator_name: file.coordinator_name.clone(),
        coordinator_email: file.coordinator_email.clone(),
        peeringdb_url: None,
        max_prefix_extra: Some(i64::from(file.max_prefix_extra)),
        max_prefix_factor: Some(file.max_prefix_factor),
    }
    .validate(current)
}

impl SettingsChanges {
    fn validate(&self, current: &Settings) -> Result<Settings> {
        let mut own_asns = Vec::new();
        for text in self.own_asns.iter().filter(|t| !t.trim().is_empty()) {
            let asn = Asn::parse(text, "ownAsns")?.get();
            if own_asns.contains(&asn) {
                return Err(Error::invalid(
                    "ownAsns",
                    format!("AS{asn} is listed twice"),
                ));
            }
            own_asns.push(asn);
        }
        Ok(Settings {
            own_asns,
            org_name: values::optional_name(&self.org_name, "orgName", 200)?,
            coordinator_name: values::optional_name(
                &self.coordinator_name,
                "coordinatorName",
                200,
            )?,
            coordinator_email: values::optional_email(&self.coordinator_email, "coordinatorEmail")?,
            peeringdb_url: match &self.peeringdb_url {
                Some(url) => base_url(url)?,
                None => current.peeringdb_url.clone(),
            },
            max_prefix_extra: match self.max_prefix_extra {
                Some(v) => u32::try_from(v)
                    .ok()
                    .filter(|v| *v <= 1_000_000)
                    .ok_or_else(|| {
                        Error::invalid("maxPrefixExtra", "a whole number from 0 to 1000000")
                    })?,
                None => current.max_prefix_extra,
            },
            max_prefix_factor: match self.max_prefix_factor {
                Some(v) if (1.0..=10.0).contains(&v) => v,
                Some(_) => {
                    return Err(Error::invalid(
                        "maxPrefixFactor",
                        "a factor from 1.0 to 10.0",
                    ))
                }
                None => current.max_prefix_factor,
            },
        })
    }
}

impl crate::Peerdesk {
    pub fn get_settings(&self) -> Result<Settings> {
        store::get(&*self.db()?)
    }

    pub fn update_settings(&self, changes: &SettingsChanges) -> Result<Settings> {
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let old = store::get(&tx)?;
        let new = changes.validate(&old)?;
        store::put(&tx, &new)?;
        audit::record(
            &tx,
            &self.now(),
            "settings",
            None,
            AuditAction::Update,
            "Settings changed",
            Some(&old),
            Some(&new),
        )?;
        tx.commit()?;
        Ok(new)
    }

    /// Validates typed ASN text and says whether it is special (private, documentation).
    pub fn check_asn(&self, text: &str) -> Result<AsnInfo> {
        let asn = Asn::parse(text, "asn")?;
        Ok(AsnInfo {
            asn: asn.get(),
            note: asn.note().map(str::to_string),
        })
    }
}

/// An http(s) API base URL without query or fragment, trailing slash removed.
fn base_url(text: &str) -> Result<String> {
    let t = text.trim().trim_end_matches('/');
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| {
            Error::invalid(
                "peeringdbUrl",
                "the URL must start with https:// or http://",
            )
        })?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty()
        || t.contains(['?', '#', ' '])
        || t.chars().any(char::is_control)
        || t.len() > 300
    {
        return Err(Error::invalid(
            "peeringdbUrl",
            format!("'{t}' is not a usable API URL"),
        ));
    }
    Ok(t.to_string())
}
