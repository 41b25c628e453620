//! PeeringDB mirror benchmarks on the full-size generated dataset served by the
//! local fixture server (tests/peeringdb). Prints figures; not a pass/fail test.
//!
//! * full sync into an empty mirror: wall time and peak RSS (targets ≤ 10 s, ≤ 300 MB)
//! * incremental sync of the ~1 % change set (≤ 1 s)
//! * available peers at the largest exchange, common exchanges of a
//!   well-connected network (≤ 20 ms each), network name search
//! * baseline in the same run: peeringdb-py (`peeringdb sync`, with
//!   django-peeringdb into SQLite) against the same server, when
//!   `PEERDESK_PEERINGDB_PY` names its virtualenv's `bin` folder.

use peerdesk_core::clock::ManualClock;
use peerdesk_core::events::NoEvents;
use peerdesk_core::peeringdb::SyncOptions;
use peerdesk_core::secrets::MemorySecretStore;
use peerdesk_core::settings::SettingsChanges;
use peerdesk_core::Peerdesk;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Server(Child, u16);

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = Command::new("python3")
            .arg(repo().join("tests/peeringdb/fixture_server.py"))
            .arg("--data")
            .arg(data)
            .args(["--port", "0", "--max-seconds", "900"])
            .stdout(Stdio::piped())
            // A client closing a kept-alive connection makes the server print a traceback.
            .stderr(Stdio::null())
            .spawn()
            .expect("fixture server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .trim_start_matches("LISTENING ")
            .parse()
            .expect("port");
        Server(child, port)
    }
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.1)
    }
    fn stage(&self, stage: &str) {
        // reqwest sets up TLS even for http://: the process-wide ring provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let resp = reqwest::blocking::Client::new()
            .post(format!("http://127.0.0.1:{}/__control/stage", self.1))
            .body(stage.to_string())
            .send()
            .expect("stage");
        assert!(resp.status().is_success(), "stage {stage}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut t: Vec<Duration> = (0..11)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[5].as_secs_f64() * 1000.0
}

fn main() {
    let dir = std::env::temp_dir().join(format!("peerdesk-pdb-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let t = Instant::now();
    let ok = Command::new("python3")
        .arg(repo().join("tests/peeringdb/generate.py"))
        .args(["--size", "full", "--seed", "1", "--changes", "--out"])
        .arg(&data)
        .stdout(Stdio::null())
        .status()
        .expect("generator")
        .success();
    assert!(ok, "generator failed");
    println!(
        "generated the full-size dataset in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("manifest.json")).unwrap())
            .unwrap();
    let boundary = manifest["boundary"]["iso"].as_str().expect("boundary");
    let boundary = chrono::DateTime::parse_from_rfc3339(&boundary.replace('Z', "+00:00"))
        .unwrap()
        .with_timezone(&chrono::Utc);

    let server = Server::start(&data);
    let clock = Arc::new(ManualClock::new(boundary + chrono::Duration::seconds(1)));
    let core = Peerdesk::open(
        &dir.join("mirror.db"),
        Arc::new(MemorySecretStore::new()),
        clock.clone(),
    )
    .unwrap();
    let mut opts = SyncOptions::new(server.url(), None);
    opts.requests_per_minute = None;

    let rss_before = peak_rss_mb();
    let t = Instant::now();
    let full = core.sync_peeringdb(&opts, &NoEvents).expect("full sync");
    let full_s = t.elapsed().as_secs_f64();
    let rss = peak_rss_mb();
    // Rows stored (received minus tombstones), as counted before the report
    // had kept/orphans; kept is printed beside it.
    let rows: u32 = full.types.iter().map(|t| t.received - t.deleted).sum();
    let kept: u32 = full.types.iter().map(|t| t.kept).sum();
    println!("full sync:        {full_s:>7.2} s  {rows} rows ({kept} kept), {} requests  peak RSS {rss:.0} MB (before: {rss_before:.0} MB)  targets ≤ 10 s, ≤ 300 MB", full.requests);

    server.stage("final");
    clock.advance(chrono::Duration::hours(1));
    let t = Instant::now();
    let inc = core
        .sync_peeringdb(&opts, &NoEvents)
        .expect("incremental sync");
    let changed: u32 = inc.types.iter().map(|t| t.received).sum();
    println!(
        "incremental sync: {:>7.3} s  {changed} rows changed, {} requests  target ≤ 1 s",
        t.elapsed().as_secs_f64(),
        inc.requests
    );

    // Lookups: the largest exchange and the best-connected network.
    let conn = rusqlite::Connection::open(dir.join("mirror.db")).unwrap();
    let (ix, members): (i64, i64) = conn
        .query_row(
            "SELECT ix_id, count(*) c FROM pdb_netixlan GROUP BY ix_id ORDER BY c DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (asn, ports): (u32, i64) = conn
        .query_row("SELECT asn, count(DISTINCT ix_id) c FROM pdb_netixlan GROUP BY asn ORDER BY c DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let (mine, _): (u32, i64) = conn
        .query_row("SELECT asn, count(DISTINCT ix_id) c FROM pdb_netixlan WHERE asn <> ?1 GROUP BY asn ORDER BY c DESC LIMIT 1", [asn], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let ex = core
        .add_exchange(&core.exchange_from_pdb(ix).unwrap())
        .unwrap();
    let s = core.get_settings().unwrap();
    core.update_settings(&SettingsChanges {
        own_asns: vec![mine.to_string()],
        org_name: s.org_name,
        coordinator_name: s.coordinator_name,
        coordinator_email: s.coordinator_email,
        peeringdb_url: None,
        max_prefix_extra: None,
        max_prefix_factor: None,
    })
    .unwrap();
    let mut n = 0;
    let ms = median_ms(|| n = core.available_peers(ex.id).unwrap().len());
    println!("available peers at the largest exchange ({members} ports): {n} peers, median {ms:.2} ms  target ≤ 20 ms");
    let ms = median_ms(|| n = core.common_exchanges(asn).unwrap().len());
    println!("common exchanges of AS{asn} ({ports} exchanges) with AS{mine}: {n}, median {ms:.2} ms  target ≤ 20 ms");
    // Name search over every network's case-folded name and aka (migration 0010).
    let name: String = conn
        .query_row("SELECT name FROM pdb_net WHERE asn = ?1", [asn], |r| {
            r.get(0)
        })
        .unwrap();
    let q: String = name.chars().take(5).collect::<String>().to_uppercase();
    let ms = median_ms(|| n = core.search_pdb_networks(&q, 20).unwrap().len());
    println!("network name search {q:?}: {n} hits, median {ms:.2} ms");
    let ms = median_ms(|| {
        n = core
            .search_pdb_networks("zz-no-such-name", 20)
            .unwrap()
            .len()
    });
    println!("network name search with no hit (full scan): {n} hits, median {ms:.2} ms");
    drop(core);

    baseline_peeringdb_py(&data, &dir, full_s);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// peeringdb-py's first sync reads `<cache url>/<type>-0.json`, then the API
/// with `since`. Both are served from this machine.
fn baseline_peeringdb_py(data: &Path, dir: &Path, ours_s: f64) {
    let Some(bin) = std::env::var_os("PEERDESK_PEERINGDB_PY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
    else {
        println!("baseline: PEERDESK_PEERINGDB_PY is not set (scripts/bench-peeringdb-py.sh installs peeringdb-py and sets it); no ratio");
        return;
    };
    let server = Server::start(data);
    let cache = dir.join("py-cache");
    std::fs::create_dir_all(&cache).unwrap();
    // An empty config folder: everything comes from the environment below.
    let config = dir.join("py-config");
    std::fs::create_dir_all(&config).unwrap();
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(bin.join("peeringdb"))
        .args(["-C"])
        .arg(&config)
        .arg("sync")
        .env("PDB_SYNC_URL", server.url())
        .env(
            "PDB_SYNC_CACHE_URL",
            format!("http://127.0.0.1:{}/cache", server.1),
        )
        .env("PDB_SYNC_CACHE_DIR", &cache)
        .env("PDB_ORM_BACKEND", "django_peeringdb")
        .env("PDB_ORM_DB_ENGINE", "sqlite3")
        .env("PDB_ORM_DB_NAME", dir.join("py.sqlite3"))
        .output();
    let secs = t.elapsed().as_secs_f64();
    match out {
        Ok(o) if o.status.success() => {
            let err = String::from_utf8_lossy(&o.stderr);
            let rss = err
                .lines()
                .find(|l| l.contains("Maximum resident set size"))
                .and_then(|l| l.rsplit(':').next())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .unwrap_or(f64::NAN);
            println!("baseline peeringdb-py full sync: {secs:.1} s, peak RSS {rss:.0} MB; Peerdesk is {:.1}x faster", secs / ours_s);
        }
        Ok(o) => println!(
            "baseline peeringdb-py failed after {secs:.1} s: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        Err(e) => println!("baseline peeringdb-py could not be started: {e}"),
    }
}
