//! Router configuration benchmarks (printed figures, not pass/fail):
//! * rendering 10,000 sessions per platform (target ≤ 50 ms each), with Python
//!   Jinja2 rendering the same FRR template over the same data as the baseline
//!   in the same run (`PEERDESK_PEERINGDB_PY` names a virtualenv `bin` with
//!   jinja2; scripts/peeringdb-py.sh makes it);
//! * parsing a 5,000-neighbour FRR running-config for Import (target ≤ 100 ms).

use peerdesk_core::devices::import::parse_frr_running_config;
use peerdesk_core::templating::config::{
    template_name, ConfigOperation, SessionConfigInput, PLATFORMS,
};
use peerdesk_core::templating::{default_template, Renderer};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const SESSIONS: usize = 10_000;

fn inputs(platform: peerdesk_core::devices::Platform) -> Vec<SessionConfigInput> {
    (0..SESSIONS)
        .map(|i| SessionConfigInput {
            platform,
            local_asn: 64496,
            peer_ip: if i % 2 == 0 {
                format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)
                    .parse()
                    .unwrap()
            } else {
                format!("2001:db8:{:x}::{:x}", i / 65536, i % 65536)
                    .parse()
                    .unwrap()
            },
            remote_asn: 4_200_000_000 + i as u32,
            description: format!("Bench Network {i}; \"quoted\" {{braces}}"),
            peer_group: Some(if i % 2 == 0 {
                "IX-V4".into()
            } else {
                "IX-V6".into()
            }),
            import_policy: Some("PEER-IN".into()),
            export_policy: Some("PEER-OUT".into()),
            max_prefix: Some(100 + (i % 5000) as u32),
            admin_down: i % 17 == 0,
            md5: (i % 3 == 0).then(|| format!("Md5-{i}")),
            as_sets: Default::default(),
        })
        .collect()
}

fn median(mut runs: Vec<Duration>) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let mut frr_ms = 0.0;
    for platform in PLATFORMS {
        let name = template_name(platform, ConfigOperation::Add);
        let renderer = Renderer::new(&name, default_template(&name).unwrap()).unwrap();
        let data = inputs(platform);
        let runs: Vec<Duration> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let mut bytes = 0;
                for input in &data {
                    bytes += renderer.render(&input.context().unwrap()).unwrap().len();
                }
                assert!(bytes > 0);
                t.elapsed()
            })
            .collect();
        let ms = median(runs);
        if platform == peerdesk_core::devices::Platform::Frr {
            frr_ms = ms;
        }
        println!(
            "render 10,000 sessions, {:<6} median {ms:>7.1} ms  (target ≤ 50 ms)",
            platform.as_str()
        );
    }
    jinja2_baseline(frr_ms);

    let mut config =
        String::from("frr version 8.4.4\n!\nrouter bgp 64496\n neighbor IX-V4 peer-group\n");
    for i in 0..5000 {
        let ip = format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256);
        config.push_str(&format!(
            " neighbor {ip} remote-as {}\n neighbor {ip} peer-group IX-V4\n neighbor {ip} description Bench {i}\n",
            4_200_000_000u32 + i
        ));
    }
    config.push_str(" !\n address-family ipv4 unicast\n");
    for i in 0..5000 {
        config.push_str(&format!(
            "  neighbor 10.{}.{}.{} activate\n",
            i / 65536,
            (i / 256) % 256,
            i % 256
        ));
    }
    config.push_str(" exit-address-family\nexit\n!\n");
    let mut found = 0;
    let runs: Vec<Duration> = (0..11)
        .map(|_| {
            let t = Instant::now();
            found = parse_frr_running_config(&config).unwrap().len();
            t.elapsed()
        })
        .collect();
    println!(
        "parse a 5,000-neighbour FRR running-config ({} lines): {found} neighbours, median {:.1} ms  (target ≤ 100 ms)",
        config.lines().count(),
        median(runs)
    );
}

/// The same FRR template and the same contexts rendered by Python Jinja2.
fn jinja2_baseline(ours_ms: f64) {
    let Some(bin) = std::env::var_os("PEERDESK_PEERINGDB_PY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
    else {
        println!("baseline: PEERDESK_PEERINGDB_PY is not set (scripts/peeringdb-py.sh installs Jinja2); no ratio");
        return;
    };
    let dir = std::env::temp_dir().join(format!("peerdesk-jinja-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let name = template_name(peerdesk_core::devices::Platform::Frr, ConfigOperation::Add);
    std::fs::write(dir.join("t.j2"), default_template(&name).unwrap()).unwrap();
    let ctxs: Vec<_> = inputs(peerdesk_core::devices::Platform::Frr)
        .iter()
        .map(|i| i.context().unwrap())
        .collect();
    std::fs::write(dir.join("ctx.json"), serde_json::to_vec(&ctxs).unwrap()).unwrap();
    let script = r#"
import json, sys, time, jinja2
d = sys.argv[1]
env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
t = env.from_string(open(d + "/t.j2").read())
ctxs = json.load(open(d + "/ctx.json"))
runs = []
for _ in range(5):
    s = time.perf_counter()
    n = sum(len(t.render(**c)) for c in ctxs)
    runs.append((time.perf_counter() - s) * 1000)
runs.sort()
print(runs[2])
"#;
    let out = Command::new(bin.join("python"))
        .arg("-c")
        .arg(script)
        .arg(&dir)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let ms: f64 = String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse()
                .unwrap_or(f64::NAN);
            println!("baseline Python Jinja2 {}, same FRR template and contexts: median {ms:.1} ms; Peerdesk is {:.1}x faster", jinja_version(&bin), ms / ours_ms);
        }
        Ok(o) => println!(
            "baseline Jinja2 failed: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("baseline Jinja2 could not start: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn jinja_version(bin: &std::path::Path) -> String {
    Command::new(bin.join("python"))
        .args(["-c", "import jinja2; print(jinja2.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
