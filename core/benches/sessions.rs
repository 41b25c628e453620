//! Listing and filtering 20,000 sessions in core (target ≤ 20 ms per query).
//! Prints figures; it is not a pass/fail test. Run: `cargo bench -p peerdesk-core`.

use peerdesk_core::clock::SystemClock;
use peerdesk_core::peering::{seed_large, ConfigState, SessionFilter};
use peerdesk_core::secrets::MemorySecretStore;
use peerdesk_core::Peerdesk;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SESSIONS: usize = 20_000;
const RUNS: usize = 15;

fn measure(label: &str, core: &Peerdesk, filter: &SessionFilter) {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        rows = core.list_sessions(filter).expect("list").len();
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<42} rows {rows:>6}  median {:>7.2} ms  p90 {:>7.2} ms  min {:>7.2} ms  (target ≤ 20 ms)",
        ms(times[RUNS / 2]),
        ms(times[RUNS * 9 / 10]),
        ms(times[0]),
    );
}

fn main() {
    let dir = std::env::temp_dir().join(format!("peerdesk-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let core = Peerdesk::open(
        &dir.join("bench.db"),
        Arc::new(MemorySecretStore::new()),
        Arc::new(SystemClock),
    )
    .expect("open");
    let t = Instant::now();
    let seed = seed_large(&core, SESSIONS).expect("seed");
    println!(
        "seeded {} sessions in {:.0} ms (file database, WAL)",
        seed.sessions,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let ex = Some(seed.exchange_id);
    measure(
        "all sessions of the exchange",
        &core,
        &SessionFilter {
            exchange_id: ex,
            ..Default::default()
        },
    );
    measure(
        "text filter 'Network 19' (name)",
        &core,
        &SessionFilter {
            exchange_id: ex,
            text: Some("Network 19".into()),
            ..Default::default()
        },
    );
    measure(
        "text filter 'AS4200001' (ASN)",
        &core,
        &SessionFilter {
            exchange_id: ex,
            text: Some("AS4200001".into()),
            ..Default::default()
        },
    );
    measure(
        "text filter '10.0.3.' (IP)",
        &core,
        &SessionFilter {
            exchange_id: ex,
            text: Some("10.0.3.".into()),
            ..Default::default()
        },
    );
    measure(
        "IPv6 only",
        &core,
        &SessionFilter {
            exchange_id: ex,
            ip_version: Some(6),
            ..Default::default()
        },
    );
    measure(
        "config state failed",
        &core,
        &SessionFilter {
            exchange_id: ex,
            config_state: Some(ConfigState::Failed),
            ..Default::default()
        },
    );
    for (label, text) in [
        ("page: first 200 rows, no filter", None),
        (
            "page: first 200 rows, text 'Network 19'",
            Some("Network 19"),
        ),
        ("page: first 200 rows, text '10.0.3.'", Some("10.0.3.")),
    ] {
        let req = peerdesk_core::peering::SessionPageRequest {
            filter: SessionFilter {
                exchange_id: ex,
                text: text.map(str::to_string),
                ..Default::default()
            },
            sort: None,
            descending: false,
            offset: 0,
            limit: 200,
        };
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                core.list_sessions_page(&req).expect("page");
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "{label:<42} median {:>7.2} ms  (target ≤ 20 ms)",
            times[RUNS / 2].as_secs_f64() * 1000.0
        );
    }
    let t = Instant::now();
    let summaries = core.list_exchanges().expect("summaries");
    println!(
        "exchange summaries ({} exchanges)             {:>7.2} ms",
        summaries.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    drop(core);
    let _ = std::fs::remove_dir_all(&dir);
}
