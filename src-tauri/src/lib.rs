//! Peerdesk's desktop shell: parses the command line, opens the core on the
//! database, plugs in the OS keyring and native dialogs, and hands IPC commands
//! to `peerdesk-core`. Behaviour lives in core; this crate only connects it.

pub mod commands;
pub mod events;
pub mod keyring_store;
pub mod scheduler;
pub mod sync_task;

use peerdesk_core::clock::SystemClock;
use peerdesk_core::Peerdesk;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The keyring service name under which Peerdesk's secrets are stored.
pub const KEYRING_SERVICE: &str = "peerdesk";

/// What the command line (and `PEERDESK_DB`) asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub db: PathBuf,
    pub demo: bool,
    pub seed_sessions: Option<usize>,
    /// Sync the PeeringDB mirror without opening a window, then exit.
    pub sync_peeringdb: bool,
    /// Use this API base URL (saved in Settings) for the sync.
    pub peeringdb_url: Option<String>,
}

pub const USAGE: &str = "usage: peerdesk [--db PATH] [--demo] [--seed-sessions N] [--sync-peeringdb [--peeringdb-url URL]]
  --db PATH             the database file (default: PEERDESK_DB, else the platform data folder)
  --demo                load the demo network into an empty database
  --seed-sessions N     load one exchange with N sessions into an empty database (benchmarks)
  --sync-peeringdb      sync the PeeringDB mirror headless (no window), print the outcome, exit
  --peeringdb-url URL   the PeeringDB API base URL to use and save in Settings";

impl Options {
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        env_db: Option<String>,
    ) -> Result<Self, String> {
        let mut db = env_db.filter(|d| !d.is_empty()).map(PathBuf::from);
        let mut demo = false;
        let mut seed_sessions = None;
        let mut sync_peeringdb = false;
        let mut peeringdb_url = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--db" => db = Some(args.next().ok_or("--db needs a path")?.into()),
                "--demo" => demo = true,
                "--seed-sessions" => {
                    let n = args.next().ok_or("--seed-sessions needs a number")?;
                    seed_sessions = Some(n.parse().map_err(|_| format!("'{n}' is not a number"))?);
                }
                "--sync-peeringdb" => sync_peeringdb = true,
                "--peeringdb-url" => {
                    peeringdb_url = Some(args.next().ok_or("--peeringdb-url needs a URL")?)
                }
                "-h" | "--help" => return Err(USAGE.into()),
                other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
            }
        }
        Ok(Options {
            db: db.unwrap_or_else(peerdesk_core::store::default_db_path),
            demo,
            seed_sessions,
            sync_peeringdb,
            peeringdb_url,
        })
    }
}

/// Every IPC command the page may call.
pub fn handlers<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    use commands::*;
    tauri::generate_handler![
        settings::get_settings,
        settings::update_settings,
        settings::check_asn,
        settings::get_role,
        settings::switch_role,
        settings::set_admin_passphrase,
        settings::clear_admin_passphrase,
        secrets::keyring_status,
        devices::list_routers,
        devices::add_router,
        devices::update_router,
        devices::delete_router,
        devices::router_host_key,
        devices::probe_router_host_key,
        devices::trust_router_host_key,
        devices::render_session_config,
        devices::preview_push,
        devices::refresh_session_states,
        devices::refresh_exchange_states,
        devices::scan_router_sessions,
        devices::import_sessions,
        devices::push_batch,
        devices::delete_session_from_router,
        peering::list_exchanges,
        peering::add_exchange,
        peering::update_exchange,
        peering::delete_exchange,
        peering::list_peer_groups,
        peering::add_peer_group,
        peering::update_peer_group,
        peering::delete_peer_group,
        peering::list_networks,
        peering::list_sessions,
        peering::list_sessions_page,
        peering::add_session,
        peering::update_session,
        peering::delete_session,
        peering::inventory_counts,
        peering::load_demo_data,
        peering::export_inventory,
        peering::import_inventory,
        peering::export_sessions_csv,
        peering::configure_sessions_candidates,
        peering::prepare_configure_sessions,
        peering::preview_configure_sessions,
        peeringdb::sync_peeringdb,
        peeringdb::cancel_peeringdb_sync,
        peeringdb::peeringdb_status,
        peeringdb::set_peeringdb_api_key,
        peeringdb::search_pdb_networks,
        peeringdb::pdb_network,
        peeringdb::peer_addresses,
        peeringdb::search_pdb_exchanges,
        peeringdb::exchange_from_pdb,
        peeringdb::common_exchanges,
        peeringdb::available_peers,
        peeringdb::hide_peer,
        peeringdb::suggest_max_prefix,
        peeringdb::contacts_for,
        audit::list_audit,
        jobs::list_jobs,
        jobs::schedule_configure_sessions,
        jobs::reschedule_job,
        jobs::cancel_job,
        jobs::run_job_now,
        jobs::job_settings,
        jobs::update_job_settings,
        jobs::configure_sessions_now,
        dialogs::pick_file,
        messaging::list_peers,
        messaging::apply_peer_action,
        messaging::peer_history,
        messaging::list_messages,
        messaging::list_outbox,
        messaging::draft_request,
        messaging::draft_resend,
        messaging::draft_session_email,
        messaging::send_email,
        messaging::drain_outbox,
        messaging::get_smtp_settings,
        messaging::update_smtp_settings,
        templating::list_templates,
        templating::get_template,
        templating::save_template,
        templating::template_revisions,
        templating::revert_template,
        templating::reset_template,
        templating::preview_email_template,
        templating::preview_config_template,
        templating::render_peer_group_config,
        sync::queue_change,
        sync::push_or_queue,
        sync::mark_session_removed,
        sync::list_router_outbox,
        sync::list_outbox_history,
        sync::approve_outbox_item,
        sync::reorder_outbox_item,
        sync::discard_outbox_item,
        sync::edit_outbox_item,
        sync::review_outbox,
        sync::router_reachability,
        sync::probe_router,
        sync::sync_router,
    ]
}

/// Opens the core as the options say, seeding demo or benchmark data if asked.
pub fn open_core(opts: &Options) -> Result<Peerdesk, String> {
    let secrets = Arc::new(keyring_store::KeyringStore::new(KEYRING_SERVICE));
    let core = Peerdesk::open(&opts.db, secrets, Arc::new(SystemClock))
        .map_err(|e| format!("cannot open the database {}: {e}", opts.db.display()))?;
    let empty = core
        .inventory_counts()
        .map(|c| c.routers + c.exchanges + c.sessions == 0)
        .map_err(|e| e.to_string())?;
    if opts.demo {
        if empty {
            core.load_demo_data()
                .map_err(|e| format!("demo data: {e}"))?;
        } else {
            eprintln!("peerdesk: --demo ignored: the database already has an inventory");
        }
    }
    if let Some(n) = opts.seed_sessions {
        if empty {
            peerdesk_core::peering::seed_large(&core, n).map_err(|e| format!("seed: {e}"))?;
        } else {
            eprintln!("peerdesk: --seed-sessions ignored: the database already has an inventory");
        }
    }
    if let Some(url) = &opts.peeringdb_url {
        let s = core.get_settings().map_err(|e| e.to_string())?;
        core.update_settings(&peerdesk_core::settings::SettingsChanges {
            own_asns: s.own_asns.iter().map(u32::to_string).collect(),
            org_name: s.org_name,
            coordinator_name: s.coordinator_name,
            coordinator_email: s.coordinator_email,
            peeringdb_url: Some(url.clone()),
            max_prefix_extra: None,
            max_prefix_factor: None,
        })
        .map_err(|e| format!("--peeringdb-url: {e}"))?;
    }
    if !core.keyring_status().available {
        eprintln!("peerdesk: no keyring available; secrets cannot be stored until one is");
    }
    Ok(core)
}

pub fn run() {
    let started = Instant::now();
    let opts = match Options::parse(std::env::args().skip(1), std::env::var("PEERDESK_DB").ok()) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let core = match open_core(&opts) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("peerdesk: {msg}");
            std::process::exit(1);
        }
    };
    if opts.sync_peeringdb {
        std::process::exit(sync_headless(&core));
    }
    // First: a second window on the same database would run the same jobs
    // and pushes; it hands over to the running one (focused) and exits.
    let result = tauri::Builder::default()
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&opts.db))
                .callback(|app, _args, _cwd| {
                    use tauri::Manager;
                    if let Some(w) = app.webview_windows().values().next() {
                        let _ = w.unminimize();
                        let _ = w.set_focus();
                    }
                })
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(core)
        .manage(commands::peeringdb::SyncControl::default())
        .on_page_load(move |_webview, payload| {
            if matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                eprintln!("peerdesk: ready in {} ms", started.elapsed().as_millis());
            }
        })
        .setup(|app| {
            start_outbox_retry(app.handle().clone());
            scheduler::start(app.handle().clone());
            sync_task::start(app.handle().clone());
            Ok(())
        })
        .invoke_handler(handlers())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("peerdesk: {e}");
        std::process::exit(1);
    }
}

/// One running instance per database: the D-Bus name the single-instance
/// plugin claims, from a stable hash (FNV-1a) of the database's full path.
/// Different databases (e.g. each end-to-end test's) run side by side.
fn instance_id(db: &std::path::Path) -> String {
    let path = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let hash = path
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("net.peerdesk.app.db{hash:016x}")
}

/// Retries the email outbox every minute while the app runs, and tells the
/// page (`outbox-drained`) when something went out.
fn start_outbox_retry<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    use tauri::{Emitter, Manager};
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let core = app.state::<Peerdesk>();
        if let Ok(n) = core.drain_outbox(&peerdesk_core::messaging::SmtpMailer) {
            if n > 0 {
                let _ = app.emit("outbox-drained", n);
            }
        }
    });
}

/// Progress of a headless sync, one line per event on stderr.
struct StderrEvents;

impl peerdesk_core::events::EventSink for StderrEvents {
    fn emit(&self, _name: &str, payload: serde_json::Value) {
        if let Some(m) = payload.get("message").and_then(|m| m.as_str()) {
            eprintln!("peerdesk: {m}");
        }
    }
}

/// `--sync-peeringdb`: returns the process exit code.
fn sync_headless(core: &Peerdesk) -> i32 {
    let result = core
        .peeringdb_options()
        .and_then(|opts| core.sync_peeringdb(&opts, &StderrEvents));
    match result {
        Ok(s) => {
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            // The sync went through (exit 0), but what it warns about is said
            // where a person or a cron mail sees it, not only inside the JSON.
            for w in &s.warnings {
                eprintln!("peerdesk: warning: {}", w.message);
            }
            0
        }
        Err(e) => {
            eprintln!("peerdesk: PeeringDB sync failed: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Options;

    fn parse(args: &[&str], env: Option<&str>) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()), env.map(str::to_string))
    }

    #[test]
    fn each_database_has_its_own_single_instance_name_and_it_is_a_valid_dbus_name() {
        let a = super::instance_id(std::path::Path::new("/nonexistent/a.db"));
        let b = super::instance_id(std::path::Path::new("/nonexistent/b.db"));
        assert_ne!(a, b);
        assert_eq!(
            a,
            super::instance_id(std::path::Path::new("/nonexistent/a.db")),
            "stable"
        );
        // D-Bus: dot-separated elements of [A-Za-z0-9_], none starting with a digit.
        for element in a.split('.') {
            assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()));
            assert!(
                element
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{a}"
            );
        }
    }

    #[test]
    fn db_flag_wins_over_the_environment() {
        let o = parse(&["--db", "/tmp/a.db"], Some("/tmp/b.db")).unwrap();
        assert_eq!(o.db, std::path::PathBuf::from("/tmp/a.db"));
        let o = parse(&[], Some("/tmp/b.db")).unwrap();
        assert_eq!(o.db, std::path::PathBuf::from("/tmp/b.db"));
    }

    #[test]
    fn default_db_is_in_the_platform_data_folder() {
        let o = parse(&[], None).unwrap();
        assert!(o.db.ends_with("peerdesk/peerdesk.db"), "{:?}", o.db);
    }

    #[test]
    fn unknown_arguments_and_bad_numbers_are_refused() {
        assert!(parse(&["--bogus"], None)
            .unwrap_err()
            .contains("unknown argument"));
        assert!(parse(&["--seed-sessions", "many"], None).is_err());
        assert_eq!(
            parse(&["--demo", "--seed-sessions", "20000"], None).unwrap(),
            Options {
                db: peerdesk_core::store::default_db_path(),
                demo: true,
                seed_sessions: Some(20000),
                sync_peeringdb: false,
                peeringdb_url: None,
            }
        );
    }
}
