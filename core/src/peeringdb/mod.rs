//! The local PeeringDB mirror: syncing it (see [`sync`]) and what it powers
//! offline — network and exchange lookups, the peer's addresses at an exchange,
//! common exchanges, available peers, max-prefix suggestions and contacts by
//! role. Lookups read only the mirror; nothing here needs the network.
//!
//! What the mirror holds came from outside, so lookups show only live (`ok`)
//! rows, one port (netixlan) at a time with that port's own addresses,
//! ordered by address; exchange members are counted as networks with their
//! ports beside them; an AS-SET field is given as the list of its valid sets;
//! name search ignores case in every script.

pub mod schema;
mod store;
pub mod sync;

use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::peering::{NewExchange, Session, SessionFilter};
use crate::secrets::Secret;
use crate::values::Asn;
use serde::Serialize;
use ts_rs::TS;

pub use sync::{
    SyncOptions, SyncProgress, SyncSummary, SyncWarning, SyncWarningKind, TypeCount,
    DEFAULT_BASE_URL,
};

/// The keyring key of the user's PeeringDB API key.
pub const API_KEY_SECRET: &str = "peeringdb/api-key";

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub started_at: String,
    pub finished_at: String,
    /// `ok`, `failed` or `cancelled`.
    pub outcome: String,
    pub message: String,
    /// What an `ok` run warned about; empty otherwise.
    pub warnings: Vec<SyncWarning>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PeeringDbStatus {
    pub last_success_at: Option<String>,
    pub last_run: Option<SyncRun>,
    pub networks: u32,
    pub exchanges: u32,
    pub memberships: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PdbNetwork {
    pub net_id: i64,
    pub asn: u32,
    pub name: String,
    pub aka: String,
    /// The field as PeeringDB has it, for display.
    pub irr_as_set: String,
    /// Its valid sets in canonical form (`RIPE::AS-X`); a bad element is left out.
    pub irr_as_sets: Vec<String>,
    pub info_prefixes4: Option<u32>,
    pub info_prefixes6: Option<u32>,
    pub info_type: String,
    pub never_via_route_servers: bool,
    pub policy_general: String,
    pub policy_url: String,
    pub policy_locations: String,
    pub website: String,
    pub looking_glass: String,
    pub updated: String,
}

/// A network's port on an exchange LAN.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PdbPresence {
    pub ix_id: i64,
    pub ix_name: String,
    pub asn: u32,
    pub ipaddr4: Option<String>,
    pub ipaddr6: Option<String>,
    pub speed: Option<u32>,
    pub is_rs_peer: bool,
    pub operational: bool,
    /// PeeringDB's id of this port (netixlan): its two addresses belong together.
    pub netixlan_id: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PdbContact {
    /// `Policy`, `NOC`, `Technical`, … or `Exchange policy` for the fallback.
    pub role: String,
    pub name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MaxPrefixSuggestion {
    pub v4: u32,
    pub v6: u32,
    /// Where the numbers come from, for the tooltip.
    pub source: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PdbNetworkDetail {
    pub network: PdbNetwork,
    pub exchanges: Vec<PdbPresence>,
    pub contacts: Vec<PdbContact>,
    pub max_prefix: MaxPrefixSuggestion,
    /// Our sessions with this network.
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PdbExchange {
    pub ix_id: i64,
    pub ixlan_id: Option<i64>,
    pub name: String,
    pub name_long: String,
    pub city: String,
    pub country: String,
    pub prefix_v4: Option<String>,
    pub prefix_v6: Option<String>,
    /// Networks present (a network with several ports counts once).
    pub members: u32,
    /// Ports (netixlans) of those networks.
    pub ports: u32,
    pub policy_email: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommonExchange {
    pub ix_id: i64,
    pub name: String,
    pub city: String,
    pub country: String,
    /// The matching exchange in our inventory, when we have it.
    pub local_exchange_id: Option<i64>,
    pub ours: Vec<PdbPresence>,
    pub theirs: Vec<PdbPresence>,
}

/// One port of a network at the exchange: its IPv4 and IPv6 are that port's.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AvailablePeer {
    pub netixlan_id: i64,
    pub net_id: i64,
    pub asn: u32,
    pub name: String,
    pub policy_general: String,
    pub is_rs_peer: bool,
    pub never_via_route_servers: bool,
    pub info_prefixes4: Option<u32>,
    pub info_prefixes6: Option<u32>,
    pub ipaddr4: Option<String>,
    pub ipaddr6: Option<String>,
    pub speed: Option<u32>,
}

/// Headroom for max-prefix suggestions: (PeeringDB value + extra) × factor.
#[derive(Debug, Clone, Copy)]
pub struct MaxPrefixPolicy {
    pub extra: u32,
    pub factor: f64,
}

impl Default for MaxPrefixPolicy {
    fn default() -> Self {
        MaxPrefixPolicy {
            extra: 100,
            factor: 1.15,
        }
    }
}

impl MaxPrefixPolicy {
    /// A missing or zero PeeringDB value counts as zero, so the suggestion is
    /// never below `extra × factor` (115 by default).
    pub fn suggest(&self, value: Option<u32>) -> u32 {
        let v = f64::from(value.unwrap_or(0)) + f64::from(self.extra);
        (v * self.factor).ceil().min(f64::from(u32::MAX)) as u32
    }
}

impl crate::Peerdesk {
    /// Syncs the mirror from PeeringDB. On any error or cancel the previous
    /// mirror stays as it was. The outcome is recorded for [`Self::peeringdb_status`].
    pub fn sync_peeringdb(
        &self,
        opts: &SyncOptions,
        events: &dyn EventSink,
    ) -> Result<SyncSummary> {
        let started = self.clock.now();
        let started_stamp = crate::clock::stamp(started);
        let result = match &self.path {
            Some(path) => {
                let mut conn = crate::store::open(path)?;
                sync::run(&mut conn, opts, events, started.timestamp(), || self.now())
            }
            None => {
                let mut conn = self.db()?;
                sync::run(&mut conn, opts, events, started.timestamp(), || self.now())
            }
        };
        let (outcome, message, warnings) = match &result {
            Ok(s) => ("ok", summary_message(s), s.warnings.clone()),
            Err(Error::Cancelled) => (
                "cancelled",
                "cancelled; the previous mirror is kept".into(),
                Vec::new(),
            ),
            Err(e) => (
                "failed",
                format!("{e}; the previous mirror is kept"),
                Vec::new(),
            ),
        };
        if result.is_ok() {
            // Fold the new names now rather than at the first search.
            store::refresh_search_keys(&*self.db()?)?;
        }
        store::record_run(
            &*self.db()?,
            &started_stamp,
            &self.now(),
            outcome,
            &message,
            &warnings,
        )?;
        result
    }

    /// Sync options from Settings (API URL) and the keyring (API key). A server
    /// on this machine (a local mirror) is not paced; PeeringDB itself is paced
    /// to its published limits. A keyring that cannot be reached means an
    /// anonymous sync, not a failed one.
    pub fn peeringdb_options(&self) -> Result<SyncOptions> {
        let url = self.get_settings()?.peeringdb_url;
        let key = self.peeringdb_api_key().unwrap_or(None);
        let mut opts = SyncOptions::new(url.clone(), key);
        if is_loopback_url(&url) {
            opts.requests_per_minute = None;
        }
        Ok(opts)
    }

    /// The headroom for max-prefix suggestions, from Settings.
    pub fn max_prefix_policy(&self) -> Result<MaxPrefixPolicy> {
        let s = self.get_settings()?;
        Ok(MaxPrefixPolicy {
            extra: s.max_prefix_extra,
            factor: s.max_prefix_factor,
        })
    }

    /// The stored PeeringDB API key, if the user has set one.
    pub fn peeringdb_api_key(&self) -> Result<Option<Secret>> {
        Ok(self.secrets().get(API_KEY_SECRET)?)
    }

    /// Stores (or with an empty value removes) the PeeringDB API key in the keyring.
    pub fn set_peeringdb_api_key(&self, key: &str) -> Result<()> {
        let key = key.trim();
        if key.is_empty() {
            return Ok(self.secrets().delete(API_KEY_SECRET)?);
        }
        if key.len() > 200
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
        {
            return Err(Error::invalid(
                "apiKey",
                "this does not look like a PeeringDB API key",
            ));
        }
        Ok(self.secrets().set(API_KEY_SECRET, &Secret::new(key))?)
    }

    pub fn peeringdb_status(&self) -> Result<PeeringDbStatus> {
        store::status(&*self.db()?)
    }

    /// Networks by ASN (`64500`, `AS64500`) or by name/aka substring.
    pub fn search_pdb_networks(&self, query: &str, limit: u32) -> Result<Vec<PdbNetwork>> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.db()?;
        match Asn::parse(q, "query") {
            Ok(asn) => Ok(store::network_by_asn(&conn, asn.get())?
                .into_iter()
                .collect()),
            Err(_) => store::networks_by_name(&conn, q, limit.clamp(1, 200)),
        }
    }

    /// Everything the mirror knows of a network, and what we have with it.
    pub fn pdb_network(&self, asn: u32) -> Result<PdbNetworkDetail> {
        let policy = self.max_prefix_policy()?;
        let conn = self.db()?;
        let network = store::network_by_asn(&conn, asn)?
            .ok_or_else(|| Error::not_found("PeeringDB network AS", i64::from(asn)))?;
        let exchanges = store::presences_of(&conn, asn, None)?;
        let contacts = store::contacts(&conn, network.net_id, None)?;
        let max_prefix = suggestion(&network, policy);
        let local = crate::peering::network_id_by_asn(&conn, asn)?;
        drop(conn);
        let sessions = match local {
            Some(id) => self.list_sessions(&SessionFilter {
                network_id: Some(id),
                ..Default::default()
            })?,
            None => Vec::new(),
        };
        Ok(PdbNetworkDetail {
            network,
            exchanges,
            contacts,
            max_prefix,
            sessions,
        })
    }

    /// The peer's addresses on one of our exchanges (through its PeeringDB ix id).
    pub fn peer_addresses(&self, asn: u32, exchange_id: i64) -> Result<Vec<PdbPresence>> {
        let conn = self.db()?;
        let ex = crate::peering::get_exchange(&conn, exchange_id)?;
        match ex.peeringdb_ix_id {
            Some(ix) => store::presences_of(&conn, asn, Some(ix)),
            None => Ok(Vec::new()),
        }
    }

    pub fn search_pdb_exchanges(&self, query: &str, limit: u32) -> Result<Vec<PdbExchange>> {
        store::exchanges_by_name(&*self.db()?, query.trim(), limit.clamp(1, 200))
    }

    /// An Add Exchange form filled from a PeeringDB exchange.
    pub fn exchange_from_pdb(&self, ix_id: i64) -> Result<NewExchange> {
        let ix = store::exchange(&*self.db()?, ix_id)?
            .ok_or_else(|| Error::not_found("PeeringDB exchange", ix_id))?;
        Ok(NewExchange {
            name: ix.name,
            city: ix.city,
            country: ix.country,
            peeringdb_ix_id: Some(ix.ix_id),
            peeringdb_ixlan_id: ix.ixlan_id,
            prefix_v4: ix.prefix_v4,
            prefix_v6: ix.prefix_v6,
        })
    }

    /// Exchanges where one of our ASNs and `asn` are both present.
    pub fn common_exchanges(&self, asn: u32) -> Result<Vec<CommonExchange>> {
        let own = self.get_settings()?.own_asns;
        store::common_exchanges(&*self.db()?, &own, asn)
    }

    /// Members of the exchange we have no session with, minus our own and hidden ones.
    pub fn available_peers(&self, exchange_id: i64) -> Result<Vec<AvailablePeer>> {
        let own = self.get_settings()?.own_asns;
        let conn = self.db()?;
        let ex = crate::peering::get_exchange(&conn, exchange_id)?;
        let Some(ix) = ex.peeringdb_ix_id else {
            return Ok(Vec::new());
        };
        store::available_peers(&conn, exchange_id, ix, &own)
    }

    pub fn hide_peer(&self, exchange_id: i64, asn: u32, hidden: bool) -> Result<()> {
        store::set_hidden(&*self.db()?, exchange_id, asn, hidden)
    }

    pub fn suggest_max_prefix(&self, asn: u32) -> Result<MaxPrefixSuggestion> {
        let policy = self.max_prefix_policy()?;
        let net = store::network_by_asn(&*self.db()?, asn)?;
        Ok(match net {
            Some(n) => suggestion(&n, policy),
            None => MaxPrefixSuggestion {
                v4: policy.suggest(None),
                v6: policy.suggest(None),
                source: format!("AS{asn} is not in the PeeringDB mirror: default headroom only"),
            },
        })
    }

    /// Who to write to: Policy, then NOC, then Technical contacts, then the
    /// exchange's policy address.
    pub fn contacts_for(&self, asn: u32, exchange_id: Option<i64>) -> Result<Vec<PdbContact>> {
        let conn = self.db()?;
        let ix = match exchange_id {
            Some(id) => crate::peering::get_exchange(&conn, id)?.peeringdb_ix_id,
            None => None,
        };
        match store::network_by_asn(&conn, asn)? {
            Some(n) => store::contacts(&conn, n.net_id, ix),
            None => Ok(Vec::new()),
        }
    }
}

/// One line for the sync history: what was kept of what was received, and
/// the warnings, so "N rows" never hides that most were dropped.
pub fn summary_message(s: &SyncSummary) -> String {
    let sum = |f: fn(&TypeCount) -> u32| s.types.iter().map(f).sum::<u32>();
    let mut text = format!(
        "{} sync: kept {} of {} rows received ({} dropped as orphans, {} deleted, {} not live) in {:.1} s ({} requests)",
        if s.full { "full" } else { "incremental" },
        sum(|t| t.kept),
        sum(|t| t.received),
        s.orphans_dropped,
        sum(|t| t.deleted),
        sum(|t| t.not_live),
        s.millis as f64 / 1000.0,
        s.requests
    );
    if s.unrequested_ignored > 0 {
        text.push_str(&format!(
            "; {} unrequested rows ignored",
            s.unrequested_ignored
        ));
    }
    for w in &s.warnings {
        text.push_str("; warning: ");
        text.push_str(&w.message);
    }
    text
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or("");
    let authority = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

fn suggestion(n: &PdbNetwork, policy: MaxPrefixPolicy) -> MaxPrefixSuggestion {
    let known = |v: Option<u32>| v.filter(|v| *v > 0);
    let source = match (known(n.info_prefixes4), known(n.info_prefixes6)) {
        (Some(_), Some(_)) => format!("PeeringDB (+{} × {})", policy.extra, policy.factor),
        (None, None) => "PeeringDB has no prefix counts: default headroom only".to_string(),
        _ => "PeeringDB has one family's count; the other gets default headroom".to_string(),
    };
    MaxPrefixSuggestion {
        v4: policy.suggest(n.info_prefixes4),
        v6: policy.suggest(n.info_prefixes6),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::MaxPrefixPolicy;

    #[test]
    fn only_servers_on_this_machine_go_unpaced() {
        assert!(super::is_loopback_url("http://127.0.0.1:8080/api"));
        assert!(super::is_loopback_url("http://[::1]:9/api"));
        assert!(super::is_loopback_url("http://localhost/api"));
        assert!(!super::is_loopback_url("https://www.peeringdb.com/api"));
        assert!(!super::is_loopback_url("http://127.0.0.1.example.net/api"));
    }

    #[test]
    fn max_prefix_headroom_is_value_plus_100_times_1_15_rounded_up() {
        let p = MaxPrefixPolicy::default();
        assert_eq!(p.suggest(Some(1000)), 1265);
        assert_eq!(p.suggest(Some(0)), 115);
        assert_eq!(p.suggest(None), 115);
    }
}
