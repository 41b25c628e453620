//! The audit log: every change to the inventory, when it happened, and the old
//! and new value as JSON. Values are the public (secret-free) shapes of records,
//! so the log can be shown and exported as is. Shown in Admin → Logging.

mod store;

use crate::error::Result;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub(crate) use store::record;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    Import,
}

crate::values::text_enum!(AuditAction {
    Create => "create", Update => "update", Delete => "delete", Import => "import"
});

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub action: AuditAction,
    pub summary: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditFilter {
    /// `router`, `exchange`, `peer_group`, `network`, `session`, `settings`, `inventory`.
    pub entity: Option<String>,
    pub action: Option<AuditAction>,
    /// Matched against the summary and both values.
    pub text: Option<String>,
    /// Newest first; defaults to 500.
    pub limit: Option<u32>,
}

impl crate::Peerdesk {
    /// The audit log, newest first, filtered.
    pub fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        store::list(&*self.db()?, filter)
    }
}
