//! The scripted shell: a [`RouterTransport`] that replays a recorded
//! transcript instead of logging in to a router, so the Junos, IOS-XR and EOS
//! drivers run their real pipeline and the test proves the exact command
//! sequence they sent.
//!
//! Transcript format (`core/tests/fixtures/transcripts/<platform>-<case>.txt`):
//! lines starting with `#` outside a step are comments; a step is one or
//! more `> ` lines (the command the driver must send, one line each; a
//! multi-line CLI script is several `> ` lines, `>` alone an empty line),
//! then the router's output verbatim, then `= exit <status>` (a line `\ no
//! newline` just before it: the output ends without one), or `= lost`: the
//! connection drops while the command runs. A command that
//! differs from the next step, or any command after the last step, fails the
//! test at once with both texts; [`Transcript::finish`] fails it when steps
//! were left unsent.

use peerdesk_core::devices::ssh::Output;
use peerdesk_core::devices::transport::{RouterConnector, RouterTransport};
use peerdesk_core::devices::Router;
use peerdesk_core::{Error, Result};
use std::sync::{Arc, Mutex};

struct Step {
    command: String,
    output: String,
    /// `None`: the connection was lost during the command.
    status: Option<i32>,
    line: usize,
}

pub struct Transcript {
    name: String,
    steps: Vec<Step>,
    next: Mutex<usize>,
    connections: Mutex<u32>,
}

fn parse(name: &str, text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut command: Vec<&str> = Vec::new();
    let mut output = String::new();
    let mut start = 0;
    let mut in_output = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("= exit ") || line == "= lost" {
            assert!(
                !command.is_empty(),
                "{name}:{}: `= exit` without a command",
                i + 1
            );
            if let Some(cut) = output.strip_suffix("\\ no newline\n") {
                output = cut.strip_suffix('\n').unwrap_or(cut).to_string();
            }
            steps.push(Step {
                command: command.join("\n"),
                output: std::mem::take(&mut output),
                status: line.strip_prefix("= exit ").map(|st| {
                    st.trim()
                        .parse()
                        .unwrap_or_else(|_| panic!("{name}:{}: `= exit` needs a number", i + 1))
                }),
                line: start,
            });
            command.clear();
            in_output = false;
        } else if !in_output && (line == ">" || line.starts_with("> ")) {
            if command.is_empty() {
                start = i + 1;
            }
            command.push(line.get(2..).unwrap_or(""));
        } else if !command.is_empty() {
            in_output = true;
            output.push_str(line);
            output.push('\n');
        } else {
            assert!(
                line.starts_with('#') || line.trim().is_empty(),
                "{name}:{}: expected a comment or a `> ` command, found {line:?}",
                i + 1
            );
        }
    }
    assert!(
        command.is_empty(),
        "{name}: the last step has no `= exit` line"
    );
    steps
}

impl Transcript {
    /// Loads `core/tests/fixtures/transcripts/<name>.txt`.
    pub fn load(name: &str) -> Arc<Transcript> {
        let path = format!(
            "{}/tests/fixtures/transcripts/{name}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Arc::new(Transcript {
            name: format!("{name}.txt"),
            steps: parse(name, &text),
            next: Mutex::new(0),
            connections: Mutex::new(0),
        })
    }

    /// Several transcripts replayed one after the other, as one (a review
    /// read, then the push).
    pub fn load_chain(names: &[&str]) -> Arc<Transcript> {
        let mut steps = Vec::new();
        for name in names {
            let one = Transcript::load(name);
            let one = Arc::try_unwrap(one).unwrap_or_else(|_| unreachable!("just loaded"));
            steps.extend(one.steps);
        }
        Arc::new(Transcript {
            name: names.join(" + "),
            steps,
            next: Mutex::new(0),
            connections: Mutex::new(0),
        })
    }

    /// Fails the test unless every step was sent.
    pub fn finish(&self) {
        let next = *self.next.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(step) = self.steps.get(next) {
            panic!(
                "{}: the driver stopped after {next} of {} commands; next expected (line {}):\n{}",
                self.name,
                self.steps.len(),
                step.line,
                step.command
            );
        }
    }

    /// The commands sent so far, in order.
    pub fn sent(&self) -> Vec<String> {
        let next = *self.next.lock().unwrap_or_else(|p| p.into_inner());
        self.steps[..next]
            .iter()
            .map(|s| s.command.clone())
            .collect()
    }

    /// How many times Peerdesk connected to the router.
    pub fn connections(&self) -> u32 {
        *self.connections.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Shell(Arc<Transcript>);

impl RouterTransport for Shell {
    fn exec(&self, command: &str) -> Result<Output> {
        let t = &self.0;
        let mut next = t.next.lock().unwrap_or_else(|p| p.into_inner());
        let sent = command.strip_suffix('\n').unwrap_or(command);
        let Some(step) = t.steps.get(*next) else {
            panic!(
                "{}: the transcript has ended, but the driver sent:\n{sent}",
                t.name
            );
        };
        if step.command != sent {
            panic!(
                "{}: command {} (line {}) expected:\n{}\n--- but the driver sent:\n{sent}",
                t.name,
                *next + 1,
                step.line,
                step.command
            );
        }
        *next += 1;
        let Some(status) = step.status else {
            return Err(Error::Unreachable(
                "the connection to the router was lost: the transcript drops it here".into(),
            ));
        };
        Ok(Output {
            status,
            stdout: step.output.clone(),
            stderr: String::new(),
        })
    }

    fn upload(&self, path: &str, _: &[u8]) -> Result<()> {
        panic!(
            "{}: the driver uploaded {path}; these routers take CLI only",
            self.0.name
        )
    }

    fn read(&self, path: &str) -> Result<Option<String>> {
        panic!(
            "{}: the driver read {path}; these routers take CLI only",
            self.0.name
        )
    }

    fn remove(&self, path: &str) -> Result<()> {
        panic!(
            "{}: the driver removed {path}; these routers take CLI only",
            self.0.name
        )
    }
}

/// Connects every router to the transcript (connections share its position).
pub struct Replay(pub Arc<Transcript>);

impl RouterConnector for Replay {
    fn connect(&self, _router: &Router) -> Result<Box<dyn RouterTransport>> {
        *self.0.connections.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        Ok(Box::new(Shell(self.0.clone())))
    }
}
