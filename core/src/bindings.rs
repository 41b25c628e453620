//! The TypeScript bindings of every type that crosses IPC, generated with ts-rs
//! into `ui/src/lib/bindings/`. A test compares the committed files with what the
//! code generates now and fails when they drift; `UPDATE_BINDINGS=1 cargo test -p
//! peerdesk-core bindings` rewrites them.

use std::path::Path;
use ts_rs::{Config, ExportError, TS};

macro_rules! export_all {
    ($cfg:expr; $($ty:ty),+ $(,)?) => {{
        $( <$ty as TS>::export_all($cfg)?; )+
        Ok(())
    }};
}

/// Writes every IPC type's binding (and its dependencies) into `dir`.
pub fn export_bindings(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    use crate::{
        audit::*, devices::*, error::*, jobs::*, messaging::*, peering::*, peeringdb::*,
        secrets::*, settings::*, templating::*, values::*,
    };
    export_all!(&cfg;
        CommandError, ErrorKind, AsnInfo, AddressFamily, KeyringStatus,
        Settings, SettingsChanges, Role, RoleStatus,
        Router, RouterAttachment, NewRouter, RouterChanges, NewAttachment, Platform, AuthMethod,
        Exchange, ExchangeSummary, NewExchange, PeerGroup, NewPeerGroup, Network,
        Session, NewSession, SessionChanges, SessionFilter, SessionType, AdminState, ConfigState, BgpState,
        InventoryCounts, AuditEntry, AuditFilter, AuditAction, SessionPageRequest, SessionPage, SessionSort,
        ConfigureSessionsView, ConfigureExchange, ConfigureRouter, PeerGroupChoice, ConfigureRow,
        ConfigureSelection, ConfigureChoice, RouterConfigPreview,
        SyncSummary, TypeCount, SyncProgress, PeeringDbStatus, SyncRun, PdbNetwork, PdbPresence,
        PdbContact, MaxPrefixSuggestion, PdbNetworkDetail, PdbExchange, CommonExchange, AvailablePeer,
        SmtpSettings, SmtpSettingsChanges, SmtpSecurity, MessageKind, MessageState, EmailDraft,
        StoredMessage, SendOutcome, HistoryEntry, PeerRow, PeerFilter, PeerStatus, PeerAction,
        TemplateInfo, Template, TemplateRevision, config::ConfigOperation, config::ConfigOverrides,
        config::RenderedConfig, import::DiscoveredNeighbor, import::ImportCandidate, import::ImportPreview,
        import::ImportResult, push::BatchOutcome, push::PushOutcome, delete::DeleteOutcome, push::PushPreview, push::RefreshSummary, ssh::HostKey,
        Job, JobKind, JobStatus, JobSettings, SessionResult, ConfiguredSession, RouterReport,
        ConfigureReport, ConfigureProgress,
        crate::sync::OutboxItem, crate::sync::OutboxStatus,
        crate::sync::RouterReachability, crate::sync::SyncReport, crate::sync::ItemResult,
        crate::sync::ItemOutcome, crate::sync::Drift, crate::sync::MissingSession,
        crate::sync::DriftDifference, crate::sync::PushOrQueued,
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    fn read_dir(dir: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".ts") {
                    out.insert(name, std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }

    #[test]
    fn bindings_match_the_committed_typescript() {
        let committed_dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings");
        let fresh_dir = tempfile::tempdir().unwrap();
        super::export_bindings(fresh_dir.path()).unwrap();
        let fresh = read_dir(fresh_dir.path());
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            let _ = std::fs::remove_dir_all(&committed_dir);
            std::fs::create_dir_all(&committed_dir).unwrap();
            for (name, text) in &fresh {
                std::fs::write(committed_dir.join(name), text).unwrap();
            }
        }
        let committed = read_dir(&committed_dir);
        let drifted: std::collections::BTreeSet<&String> = fresh
            .keys()
            .chain(committed.keys())
            .filter(|k| fresh.get(*k) != committed.get(*k))
            .collect();
        assert!(
            drifted.is_empty(),
            "ui/src/lib/bindings is out of date for {drifted:?}; run UPDATE_BINDINGS=1 cargo test -p peerdesk-core bindings and commit"
        );
        assert!(
            fresh.contains_key("Session.ts"),
            "the export wrote the Session binding"
        );
    }
}
