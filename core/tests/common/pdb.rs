//! The PeeringDB fixture for tests: a generated dataset and the local fixture
//! server (tests/peeringdb) serving it on 127.0.0.1.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A generated small dataset with its change set, made once per test.
pub fn dataset(dir: &Path) -> PathBuf {
    let out = dir.join("pdb");
    let status = Command::new("python3")
        .arg(repo().join("tests/peeringdb/generate.py"))
        .args(["--size", "small", "--seed", "7", "--changes", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs the generator");
    assert!(status.success(), "the generator ran");
    out
}

/// A plain HTTP client for the fixture's control endpoints. reqwest sets up
/// TLS even for http://; core's sync client brings its own rustls setup, here
/// the process-wide ring provider does.
fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}

/// The fixture server, stopped (by its PID, which we own) when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new("python3")
            .arg(repo().join("tests/peeringdb/fixture_server.py"))
            .arg("--data")
            .arg(data)
            .args(["--port", "0", "--max-seconds", "120"])
            .args(extra)
            .stdout(Stdio::piped())
            // Connection resets from the injected faults are expected noise.
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the fixture server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("server said {line:?}"));
        Server { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.port)
    }

    pub fn control(&self, what: &str, body: &str) {
        let resp = http()
            .post(format!("http://127.0.0.1:{}/__control/{what}", self.port))
            .body(body.to_string())
            .send()
            .expect("control request");
        assert!(
            resp.status().is_success(),
            "control {what}: {}",
            resp.status()
        );
    }

    pub fn requests(&self) -> Vec<Value> {
        let body = http()
            .get(format!("http://127.0.0.1:{}/__control/requests", self.port))
            .send()
            .unwrap()
            .text()
            .unwrap();
        serde_json::from_str::<Value>(&body).unwrap()["requests"]
            .as_array()
            .cloned()
            .expect("the request log")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
