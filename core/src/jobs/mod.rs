//! The scheduler: jobs kept in SQLite (configure a set of sessions, PeeringDB
//! sync, Update Session States), the rules that decide when one may run, and
//! the tokio task that runs due jobs while the app is open. It also owns
//! "configure these sessions now" ([`Peerdesk::configure_sessions_now`]), the
//! work a configuration job does, so Configure Now and a scheduled run are the
//! same code.
//!
//! The rules, all decided here and not in the UI:
//! * A job runs only after it was claimed in a transaction (scheduled →
//!   running with a claim token); a second claimer gets nothing, and only the
//!   holder of the token can record its end.
//! * A job found running when the app starts was cut off by a crash or a kill:
//!   it becomes interrupted and is reconciled by reading the routers, never run
//!   again on its own.
//! * A configuration job is never started more than the grace period
//!   (setting, default 10 minutes) after its time: past that it is overdue and
//!   waits for Run now, a new time or Cancel. This covers jobs that fell due
//!   while the app was closed or the laptop slept.
//! * PeeringDB sync and Update Session States recur: when a run ends, the next
//!   one is scheduled from the settings.
//!
//! Time comes from the core's [`crate::clock::Clock`]; the loop only sleeps on
//! tokio time, so tests drive both with a manual clock and paused time.
//! Router work is blocking (ssh2) and runs on tokio's blocking pool.

mod store;

use crate::audit::{self, AuditAction};
use crate::devices::{Platform, Router};
use crate::error::{Error, ErrorKind, Result};
use crate::events::EventSink;
use crate::peering::{BgpState, ConfigState, Session};
use crate::sync::PushOrQueued;
use crate::templating::config::{ConfigOperation, ConfigOverrides};
use crate::Peerdesk;
use chrono::{DateTime, Duration as Minutes, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum JobKind {
    /// Push the configuration of a set of sessions (Configure Sessions → Schedule).
    ConfigureSessions,
    /// Refresh the PeeringDB mirror (recurring).
    PeeringdbSync,
    /// Update Session States on routers (recurring).
    RefreshStates,
}
crate::values::text_enum!(JobKind {
    ConfigureSessions => "configure_sessions", PeeringdbSync => "peeringdb_sync",
    RefreshStates => "refresh_states"
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum JobStatus {
    Scheduled,
    Running,
    Done,
    Failed,
    Cancelled,
    /// A configuration job past its time plus the grace period: waits for the user.
    Overdue,
    /// Was running when the app stopped; reconciled from the routers, not re-run.
    Interrupted,
}
crate::values::text_enum!(JobStatus {
    Scheduled => "scheduled", Running => "running", Done => "done", Failed => "failed",
    Cancelled => "cancelled", Overdue => "overdue", Interrupted => "interrupted"
});

impl JobStatus {
    /// Statuses from which the user may pick a new time, run now or cancel.
    fn awaits_user_or_time(self) -> bool {
        matches!(
            self,
            JobStatus::Scheduled | JobStatus::Overdue | JobStatus::Interrupted
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    /// What it does, in words ("Configure 2 sessions on edge1").
    pub title: String,
    /// When it is to run (RFC 3339, UTC).
    pub run_at: String,
    pub status: JobStatus,
    /// The sessions a configuration job pushes.
    pub session_ids: Vec<i64>,
    /// The routers a state refresh reads; empty means every router.
    pub router_ids: Vec<i64>,
    /// Recurring jobs: minutes between runs.
    pub every_minutes: Option<u32>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The last result in words.
    pub result: String,
    /// The last run's log, one line per step.
    pub log: Vec<String>,
}

/// The scheduler's settings (Scheduler tab). Also what `update_job_settings` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobSettings {
    /// How late a configuration job may still start on its own (minutes).
    pub grace_minutes: u32,
    pub peeringdb_sync_enabled: bool,
    pub peeringdb_sync_every_minutes: u32,
    pub refresh_enabled: bool,
    pub refresh_every_minutes: u32,
}

/// What happened to one session in a configuration run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SessionResult {
    /// On the router and Established.
    Configured,
    /// On the router; the peer has not brought the session up yet.
    WaitingForPeer,
    /// Not configured: refused (rolled back) or never sent.
    Failed,
    /// The router could not be reached: the Add waits, approved, in its
    /// outbox and the background sync applies it when the router answers.
    Queued,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfiguredSession {
    pub session_id: i64,
    pub peer_ip: String,
    pub asn: u32,
    pub network_name: String,
    pub result: SessionResult,
    pub bgp_state: Option<BgpState>,
    /// The outcome in words; for a failure, the router's own message.
    pub message: String,
}

/// One router's part of a configuration run.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouterReport {
    pub router_id: i64,
    pub router_name: String,
    /// Set when the router as a whole failed (unreachable, authFailed, hostKeyUnknown, ...).
    pub error_kind: Option<ErrorKind>,
    pub error: Option<String>,
    pub sessions: Vec<ConfiguredSession>,
    pub log: Vec<String>,
}

/// What Configure Now (or a configuration job) did, per router and per session.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureReport {
    pub routers: Vec<RouterReport>,
    pub configured: u32,
    pub waiting_for_peer: u32,
    pub failed: u32,
    /// Queued for routers that could not be reached.
    pub queued: u32,
    pub message: String,
}

/// Progress of a configuration run, on the `configure-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigureProgress {
    pub router_id: i64,
    pub router_name: String,
    /// Routers finished before this one, and how many there are.
    pub routers_done: u32,
    pub routers_total: u32,
    pub sessions_done: u32,
    pub sessions_total: u32,
    pub message: String,
}

/// Event channels: any job change, a job's end (done or failed; the shell
/// shows a desktop notification), and configuration progress.
pub const EVENT_JOB_CHANGED: &str = "job-changed";
pub const EVENT_JOB_FINISHED: &str = "job-finished";
pub const EVENT_CONFIGURE_PROGRESS: &str = "configure-progress";

/// A job this runner claimed; only it can record the job's end.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub job: Job,
    token: String,
}

/// How a job's work went.
#[derive(Debug, Clone, PartialEq)]
pub struct JobOutcome {
    pub ok: bool,
    pub message: String,
    pub log: Vec<String>,
}

/// Does a job's work. The app uses [`DefaultRunner`]; tests may count runs.
pub trait JobRunner: Send + Sync {
    fn run(&self, core: &Peerdesk, job: &Job, events: &dyn EventSink) -> Result<JobOutcome>;
}

/// Runs jobs with the real operations: push, PeeringDB sync, state refresh.
pub struct DefaultRunner {
    /// How long a configuration run waits for sessions to come up.
    pub wait_for_peer: Duration,
}

impl Default for DefaultRunner {
    fn default() -> Self {
        DefaultRunner {
            wait_for_peer: Duration::from_secs(60),
        }
    }
}

impl JobRunner for DefaultRunner {
    fn run(&self, core: &Peerdesk, job: &Job, events: &dyn EventSink) -> Result<JobOutcome> {
        match job.kind {
            JobKind::ConfigureSessions => {
                let report =
                    core.configure_sessions_now(&job.session_ids, self.wait_for_peer, events)?;
                Ok(JobOutcome {
                    ok: report.failed == 0,
                    message: report.message.clone(),
                    log: report_log(&report),
                })
            }
            JobKind::PeeringdbSync => {
                let opts = core.peeringdb_options()?;
                let s = core.sync_peeringdb(&opts, events)?;
                let mut log: Vec<String> = s
                    .types
                    .iter()
                    .map(|t| {
                        format!(
                            "{}: {} received, {} kept ({} not live), {} dropped as orphans, {} deleted",
                            t.object_type, t.received, t.kept, t.not_live, t.orphans_dropped, t.deleted
                        )
                    })
                    .collect();
                log.extend(s.warnings.iter().map(|w| format!("warning: {}", w.message)));
                Ok(JobOutcome {
                    ok: true,
                    message: format!("PeeringDB {}", crate::peeringdb::summary_message(&s)),
                    log,
                })
            }
            JobKind::RefreshStates => {
                let ids = if job.router_ids.is_empty() {
                    core.list_routers()?.into_iter().map(|r| r.id).collect()
                } else {
                    job.router_ids.clone()
                };
                let mut log = Vec::new();
                let mut failed = 0;
                for id in &ids {
                    match core.refresh_session_states(*id) {
                        Ok(s) => log.push(format!(
                            "{}: {} read, {} Established, {} not on the router",
                            s.router_name, s.updated, s.established, s.missing
                        )),
                        Err(e) => {
                            failed += 1;
                            log.push(format!("router {id}: {e}"));
                        }
                    }
                }
                Ok(JobOutcome {
                    ok: failed == 0,
                    message: format!("{} of {} routers read", ids.len() - failed, ids.len()),
                    log,
                })
            }
        }
    }
}

fn report_log(report: &ConfigureReport) -> Vec<String> {
    let mut log = Vec::new();
    for r in &report.routers {
        if let Some(e) = &r.error {
            log.push(format!("{}: {e}", r.router_name));
        }
        log.extend(r.log.iter().map(|l| format!("{}: {l}", r.router_name)));
        for s in &r.sessions {
            log.push(format!(
                "{}: AS{} {} {}: {}",
                r.router_name,
                s.asn,
                s.peer_ip,
                match s.result {
                    SessionResult::Configured => "configured",
                    SessionResult::WaitingForPeer => "configured, waiting for peer",
                    SessionResult::Failed => "failed",
                    SessionResult::Queued => "queued",
                },
                s.message
            ));
        }
    }
    log
}

/// How core is reached from the scheduler task: the app hands out its managed
/// core; tests an `Arc`.
pub trait CoreHandle: Clone + Send + Sync + 'static {
    fn core(&self) -> &Peerdesk;
}

impl CoreHandle for Arc<Peerdesk> {
    fn core(&self) -> &Peerdesk {
        self
    }
}

/// Finished runs kept per recurring kind: a refresh every 15 minutes would
/// otherwise bury the configuration jobs in the history.
pub const RECURRING_HISTORY: u32 = 50;

/// The longest the loop sleeps before looking at the clock again.
const LOOK_AGAIN: Duration = Duration::from_secs(30);

/// The scheduler task: reconciles what a previous run left, then runs due jobs
/// until the runtime stops. Wakes early when jobs change.
pub async fn run_scheduler<H: CoreHandle>(
    handle: H,
    runner: Arc<dyn JobRunner>,
    events: Arc<dyn EventSink>,
) {
    {
        let (h, ev) = (handle.clone(), events.clone());
        let started = tokio::task::spawn_blocking(move || {
            let core = h.core();
            core.start_jobs(&*ev)?;
            core.reconcile_interrupted_jobs(&*ev)
        })
        .await;
        report_failure(&*events, started);
    }
    loop {
        let (h, r, ev) = (handle.clone(), runner.clone(), events.clone());
        let ran = tokio::task::spawn_blocking(move || h.core().run_due_jobs(&*r, &*ev)).await;
        report_failure(&*events, ran);
        let core = handle.core();
        let pause = core.time_to_next_job().unwrap_or(LOOK_AGAIN);
        let _ = tokio::time::timeout(pause, core.jobs_wake.notified()).await;
    }
}

fn report_failure<T>(
    events: &dyn EventSink,
    r: std::result::Result<Result<T>, tokio::task::JoinError>,
) {
    let message = match r {
        Ok(Ok(_)) => return,
        Ok(Err(e)) => e.to_string(),
        Err(e) => format!("the scheduler's work stopped: {e}"),
    };
    events.emit("jobs-error", serde_json::json!({ "message": message }));
}

fn parse_time(text: &str, field: &'static str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Error::invalid(field, "a date and time like 2026-11-27T10:00:00Z"))
}

/// Marks a PeeringDB sync run that retries one that could not reach PeeringDB.
const RETRY_SUFFIX: &str = ": retry, PeeringDB could not be reached";

/// The longest a PeeringDB sync that could not reach PeeringDB waits before
/// it tries again, in minutes (sooner when a router answers again, see
/// [`Peerdesk::network_returned`]).
pub const PEERINGDB_RETRY_MAX_MINUTES: u32 = 60;

/// Minutes until the next try after a PeeringDB sync could not reach
/// PeeringDB: 5 after a regular run; after a retry (that waited `waited`
/// minutes) twice that wait; never more than an hour
/// ([`PEERINGDB_RETRY_MAX_MINUTES`]) or the normal interval `every`.
pub(crate) fn peeringdb_retry_minutes(after_retry: bool, waited: i64, every: u32) -> u32 {
    const FIRST: i64 = 5;
    let next = if after_retry {
        waited.saturating_mul(2).max(FIRST)
    } else {
        FIRST
    };
    u32::try_from(next)
        .unwrap_or(u32::MAX)
        .min(every)
        .min(PEERINGDB_RETRY_MAX_MINUTES)
}

fn recurring_title(kind: JobKind, every: u32) -> String {
    let every = if every % 1440 == 0 {
        match every / 1440 {
            1 => "daily".to_string(),
            d => format!("every {d} days"),
        }
    } else if every % 60 == 0 {
        match every / 60 {
            1 => "hourly".to_string(),
            h => format!("every {h} hours"),
        }
    } else {
        format!("every {every} min")
    };
    match kind {
        JobKind::PeeringdbSync => format!("PeeringDB sync ({every})"),
        _ => format!("Update Session States on every router ({every})"),
    }
}

static CLAIMS: AtomicU64 = AtomicU64::new(0);

impl Peerdesk {
    fn emit_job(&self, events: &dyn EventSink, name: &str, id: i64) {
        if let Ok(job) = self.get_job(id) {
            events.emit(name, serde_json::to_value(&job).unwrap_or_default());
        }
    }

    pub fn get_job(&self, id: i64) -> Result<Job> {
        store::get(&*self.db()?, id)
    }

    /// Jobs ahead or waiting for a decision, soonest first; with
    /// `include_finished`, then the finished ones, newest first.
    pub fn list_jobs(&self, include_finished: bool) -> Result<Vec<Job>> {
        store::list(&*self.db()?, include_finished)
    }

    /// Schedules the configuration of `session_ids` at `run_at` (RFC 3339).
    pub fn schedule_configure_sessions(&self, session_ids: &[i64], run_at: &str) -> Result<Job> {
        let at = parse_time(run_at, "runAt")?;
        let now = self.clock.now();
        if at < now - Minutes::minutes(1) {
            return Err(Error::invalid(
                "runAt",
                "pick a time that is not in the past",
            ));
        }
        let mut ids: Vec<i64> = Vec::new();
        for id in session_ids {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
        if ids.is_empty() {
            return Err(Error::invalid("sessionIds", "select at least one session"));
        }
        let sessions: Vec<Session> = ids
            .iter()
            .map(|id| self.get_session(*id))
            .collect::<Result<_>>()?;
        let mut routers: Vec<&str> = Vec::new();
        for s in &sessions {
            if !routers.contains(&s.router_name.as_str()) {
                routers.push(&s.router_name);
            }
        }
        let title = format!(
            "Configure {} session{} on {}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            routers.join(", ")
        );
        let stamp = self.now();
        let run_at = crate::clock::stamp(at);
        let id = {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            let id = store::insert(
                &tx,
                &store::NewJob {
                    kind: JobKind::ConfigureSessions,
                    title: &title,
                    run_at: &run_at,
                    targets: &ids,
                    every_minutes: None,
                },
                &stamp,
            )?;
            audit::record(
                &tx,
                &stamp,
                "job",
                Some(id),
                AuditAction::Create,
                &format!("Scheduled: {title} at {run_at}"),
                None::<&()>,
                Some(&ids),
            )?;
            tx.commit()?;
            id
        };
        self.jobs_wake.notify_one();
        self.get_job(id)
    }

    /// Edit time: a scheduled, overdue or interrupted job runs at `run_at` instead.
    pub fn reschedule_job(&self, id: i64, run_at: &str) -> Result<Job> {
        let at = parse_time(run_at, "runAt")?;
        if at < self.clock.now() - Minutes::minutes(1) {
            return Err(Error::invalid(
                "runAt",
                "pick a time that is not in the past",
            ));
        }
        self.set_job_time(id, &crate::clock::stamp(at), "rescheduled to")
    }

    /// Run now: the job becomes due at once (the running scheduler picks it up).
    pub fn run_job_now(&self, id: i64) -> Result<Job> {
        self.set_job_time(id, &self.now(), "run now at")
    }

    fn set_job_time(&self, id: i64, run_at: &str, what: &str) -> Result<Job> {
        let now = self.now();
        {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            let job = store::get(&tx, id)?;
            if !job.status.awaits_user_or_time() {
                return Err(Error::Conflict {
                    field: None,
                    message: format!("the job is {}; it cannot be moved", job.status.as_str()),
                });
            }
            store::set_status_time(&tx, id, JobStatus::Scheduled, run_at)?;
            audit::record(
                &tx,
                &now,
                "job",
                Some(id),
                AuditAction::Update,
                &format!("{}: {what} {run_at}", job.title),
                Some(&job.run_at),
                Some(&run_at),
            )?;
            tx.commit()?;
        }
        self.jobs_wake.notify_one();
        self.get_job(id)
    }

    /// Cancels a job that has not started (or is waiting for a decision).
    pub fn cancel_job(&self, id: i64) -> Result<Job> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        let job = store::get(&tx, id)?;
        if !job.status.awaits_user_or_time() {
            return Err(Error::Conflict {
                field: None,
                message: format!("the job is {}; it cannot be cancelled", job.status.as_str()),
            });
        }
        store::set_status(&tx, id, JobStatus::Cancelled, &now)?;
        audit::record(
            &tx,
            &now,
            "job",
            Some(id),
            AuditAction::Update,
            &format!("Cancelled: {}", job.title),
            None::<&()>,
            None::<&()>,
        )?;
        tx.commit()?;
        drop(conn);
        self.get_job(id)
    }

    pub fn job_settings(&self) -> Result<JobSettings> {
        store::settings(&*self.db()?)
    }

    /// Saves the scheduler settings; a changed recurring job is rescheduled
    /// from now with its new interval (or its pending run removed when disabled).
    pub fn update_job_settings(&self, changes: &JobSettings) -> Result<JobSettings> {
        if !(1..=1440).contains(&changes.grace_minutes) {
            return Err(Error::invalid(
                "graceMinutes",
                "a whole number of minutes from 1 to 1440",
            ));
        }
        if !(60..=43_200).contains(&changes.peeringdb_sync_every_minutes) {
            return Err(Error::invalid(
                "peeringdbSyncEveryMinutes",
                "from 60 minutes to 30 days",
            ));
        }
        if !(1..=1440).contains(&changes.refresh_every_minutes) {
            return Err(Error::invalid(
                "refreshEveryMinutes",
                "from 1 minute to 1 day",
            ));
        }
        let now = self.now();
        {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            let old = store::settings(&tx)?;
            store::put_settings(&tx, changes)?;
            let changed = [
                (
                    JobKind::PeeringdbSync,
                    old.peeringdb_sync_enabled != changes.peeringdb_sync_enabled
                        || old.peeringdb_sync_every_minutes != changes.peeringdb_sync_every_minutes,
                ),
                (
                    JobKind::RefreshStates,
                    old.refresh_enabled != changes.refresh_enabled
                        || old.refresh_every_minutes != changes.refresh_every_minutes,
                ),
            ];
            for (kind, changed) in changed {
                if changed {
                    for job in store::pending_of_kind(&tx, kind)? {
                        store::set_status(&tx, job.id, JobStatus::Cancelled, &now)?;
                        store::set_result(&tx, job.id, "replaced by new settings", &[])?;
                    }
                }
            }
            self.ensure_recurring(&tx, changes)?;
            audit::record(
                &tx,
                &now,
                "settings",
                None,
                AuditAction::Update,
                "Scheduler settings changed",
                Some(&old),
                Some(changes),
            )?;
            tx.commit()?;
        }
        self.jobs_wake.notify_one();
        self.job_settings()
    }

    /// Schedules the next run of every enabled recurring job that has none pending.
    fn ensure_recurring(&self, conn: &rusqlite::Connection, s: &JobSettings) -> Result<()> {
        let now = self.clock.now();
        for (kind, enabled, every) in [
            (
                JobKind::PeeringdbSync,
                s.peeringdb_sync_enabled,
                s.peeringdb_sync_every_minutes,
            ),
            (
                JobKind::RefreshStates,
                s.refresh_enabled,
                s.refresh_every_minutes,
            ),
        ] {
            let pending = store::pending_of_kind(conn, kind)?;
            if !enabled {
                for job in pending {
                    store::set_status(conn, job.id, JobStatus::Cancelled, &self.now())?;
                    store::set_result(conn, job.id, "turned off in the settings", &[])?;
                }
            } else if pending.is_empty() {
                store::insert(
                    conn,
                    &store::NewJob {
                        kind,
                        title: &recurring_title(kind, every),
                        run_at: &crate::clock::stamp(now + Minutes::minutes(i64::from(every))),
                        targets: &[],
                        every_minutes: Some(every),
                    },
                    &self.now(),
                )?;
            }
        }
        Ok(())
    }

    /// A PeeringDB sync that could not reach PeeringDB (no network) runs again
    /// soon rather than at its normal interval: 5 minutes after the first
    /// failure, doubling after each failed retry, at most the normal interval.
    /// The retry is the recurring job's next run (so only one is pending);
    /// after it succeeds the normal interval applies again.
    fn schedule_peeringdb_retry(
        &self,
        conn: &rusqlite::Connection,
        failed: &Job,
        s: &JobSettings,
    ) -> Result<()> {
        let every = s.peeringdb_sync_every_minutes;
        let waited = match (
            DateTime::parse_from_rfc3339(&failed.created_at),
            DateTime::parse_from_rfc3339(&failed.run_at),
        ) {
            (Ok(c), Ok(r)) => (r - c).num_minutes(),
            _ => 0,
        };
        let minutes = peeringdb_retry_minutes(failed.title.ends_with(RETRY_SUFFIX), waited, every);
        if !store::pending_of_kind(conn, JobKind::PeeringdbSync)?.is_empty() {
            return Ok(());
        }
        store::insert(
            conn,
            &store::NewJob {
                kind: JobKind::PeeringdbSync,
                title: &format!(
                    "{}{RETRY_SUFFIX}",
                    recurring_title(JobKind::PeeringdbSync, every)
                ),
                run_at: &crate::clock::stamp(
                    self.clock.now() + Minutes::minutes(i64::from(minutes)),
                ),
                targets: &[],
                every_minutes: Some(every),
            },
            &self.now(),
        )?;
        Ok(())
    }

    /// The network looks back (the background sync saw a router that could
    /// not be reached answer again): a PeeringDB sync waiting to retry after
    /// it could not reach PeeringDB is brought forward to now, so the
    /// scheduler runs it at its next round. Returns whether there was one.
    pub fn network_returned(&self) -> Result<bool> {
        let now = self.now();
        let n = self.db()?.execute(
            "UPDATE jobs SET run_at = ?1
             WHERE kind = 'peeringdb_sync' AND status = 'scheduled'
               AND substr(title, -length(?2)) = ?2 AND run_at > ?1",
            rusqlite::params![now, RETRY_SUFFIX],
        )?;
        Ok(n > 0)
    }

    /// What the app does first on open: jobs a dead process left running become
    /// interrupted, configuration jobs past their grace period overdue, and
    /// recurring jobs get their next run. No router is contacted here.
    pub fn start_jobs(&self, events: &dyn EventSink) -> Result<()> {
        let now = self.clock.now();
        let (interrupted, overdue) = {
            let mut conn = self.db()?;
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let interrupted = store::interrupt_running(&tx, &crate::clock::stamp(now))?;
            for id in &interrupted {
                store::set_result(&tx, *id, "", &[])?;
            }
            let settings = store::settings(&tx)?;
            let overdue = store::mark_overdue(
                &tx,
                &crate::clock::stamp(now - Minutes::minutes(i64::from(settings.grace_minutes))),
            )?;
            self.ensure_recurring(&tx, &settings)?;
            tx.commit()?;
            (interrupted, overdue)
        };
        for id in interrupted.iter().chain(&overdue) {
            self.emit_job(events, EVENT_JOB_CHANGED, *id);
        }
        Ok(())
    }

    /// Reads the routers of interrupted configuration jobs and records what
    /// they have: a session the router has is marked configured, one it lacks
    /// keeps its state. The job is not run again; the user decides.
    pub fn reconcile_interrupted_jobs(&self, events: &dyn EventSink) -> Result<()> {
        let jobs = store::in_status(&*self.db()?, JobStatus::Interrupted)?;
        for job in jobs.into_iter().filter(|j| j.result.is_empty()) {
            let mut log = Vec::new();
            let message = if job.kind == JobKind::ConfigureSessions {
                let mut by_router: BTreeMap<i64, Vec<Session>> = BTreeMap::new();
                for id in &job.session_ids {
                    if let Ok(s) = self.get_session(*id) {
                        by_router.entry(s.router_id).or_default().push(s);
                    }
                }
                let (mut present, mut unknown) = (0, 0);
                for (router_id, sessions) in by_router {
                    match self.refresh_session_states(router_id) {
                        Ok(summary) => {
                            let conn = self.db()?;
                            for s in &sessions {
                                let now = crate::peering::get_session_in(&conn, s.id)?;
                                if now.bgp_state.is_some() {
                                    present += 1;
                                    crate::peering::set_states(
                                        &conn,
                                        s.id,
                                        ConfigState::Configured,
                                        now.bgp_state,
                                        now.bgp_refreshed_at.as_deref(),
                                    )?;
                                    log.push(format!(
                                        "{}: AS{} {} is on the router",
                                        summary.router_name, s.asn, s.peer_ip
                                    ));
                                } else {
                                    log.push(format!(
                                        "{}: AS{} {} is not on the router",
                                        summary.router_name, s.asn, s.peer_ip
                                    ));
                                }
                            }
                        }
                        Err(e) => {
                            unknown += sessions.len();
                            log.push(format!(
                                "{}: could not be read: {e}",
                                sessions[0].router_name
                            ));
                        }
                    }
                }
                let mut m = format!(
                    "Interrupted: the app stopped while this ran. Read back from the routers: {present} of {} sessions are on them",
                    job.session_ids.len()
                );
                if unknown > 0 {
                    m.push_str(&format!(" ({unknown} could not be read)"));
                }
                m.push_str(". Not run again: choose Run now, a new time or Cancel.");
                m
            } else {
                "Interrupted: the app stopped while this ran. Not run again: choose Run now, a new time or Cancel.".to_string()
            };
            store::set_result(&*self.db()?, job.id, &message, &log)?;
            self.emit_job(events, EVENT_JOB_CHANGED, job.id);
        }
        Ok(())
    }

    /// Configuration jobs past their time plus the grace period become overdue; returns them.
    pub fn mark_overdue_jobs(&self) -> Result<Vec<i64>> {
        let now = self.clock.now();
        let conn = self.db()?;
        let grace = store::settings(&conn)?.grace_minutes;
        store::mark_overdue(
            &conn,
            &crate::clock::stamp(now - Minutes::minutes(i64::from(grace))),
        )
    }

    /// Claims the earliest due job for this caller, first marking configuration
    /// jobs past their grace period overdue. `None` when nothing is due or
    /// another runner claimed it first.
    pub fn claim_due_job(&self) -> Result<Option<ClaimedJob>> {
        let now = self.clock.now();
        let stamp = crate::clock::stamp(now);
        let token = format!(
            "{}:{:p}:{}",
            std::process::id(),
            self as *const _,
            CLAIMS.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = self.db()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let grace = store::settings(&tx)?.grace_minutes;
        store::mark_overdue(
            &tx,
            &crate::clock::stamp(now - Minutes::minutes(i64::from(grace))),
        )?;
        let claimed = match store::first_due(&tx, &stamp)? {
            Some(id) if store::claim(&tx, id, &token, &stamp)? => Some(store::get(&tx, id)?),
            _ => None,
        };
        tx.commit()?;
        Ok(claimed.map(|job| ClaimedJob { job, token }))
    }

    /// Records the end of a claimed job; a recurring job gets its next run.
    pub fn finish_job(&self, claimed: &ClaimedJob, outcome: Result<JobOutcome>) -> Result<Job> {
        let unreachable = matches!(&outcome, Err(e) if e.kind() == ErrorKind::Unreachable);
        let (status, message, log) = match outcome {
            Ok(o) => (
                if o.ok {
                    JobStatus::Done
                } else {
                    JobStatus::Failed
                },
                o.message,
                o.log,
            ),
            Err(e) => (JobStatus::Failed, e.to_string(), Vec::new()),
        };
        let now = self.now();
        let id = claimed.job.id;
        {
            let mut conn = self.db()?;
            let tx = conn.transaction()?;
            if !store::finish(&tx, id, &claimed.token, status, &message, &log, &now)? {
                return Err(Error::Conflict {
                    field: None,
                    message: format!("job {id} is no longer held by this runner"),
                });
            }
            if claimed.job.every_minutes.is_some() {
                let settings = store::settings(&tx)?;
                if unreachable
                    && claimed.job.kind == JobKind::PeeringdbSync
                    && settings.peeringdb_sync_enabled
                {
                    self.schedule_peeringdb_retry(&tx, &claimed.job, &settings)?;
                }
                self.ensure_recurring(&tx, &settings)?;
                store::prune_history(&tx, claimed.job.kind, RECURRING_HISTORY)?;
            }
            tx.commit()?;
        }
        self.get_job(id)
    }

    /// Runs every job due now, one after another; returns how many ran.
    pub fn run_due_jobs(&self, runner: &dyn JobRunner, events: &dyn EventSink) -> Result<u32> {
        let mut ran = 0;
        for id in self.mark_overdue_jobs()? {
            self.emit_job(events, EVENT_JOB_CHANGED, id);
        }
        while let Some(claimed) = self.claim_due_job()? {
            self.emit_job(events, EVENT_JOB_CHANGED, claimed.job.id);
            let outcome = runner.run(self, &claimed.job, events);
            let job = self.finish_job(&claimed, outcome)?;
            let payload = serde_json::to_value(&job).unwrap_or_default();
            events.emit(EVENT_JOB_CHANGED, payload.clone());
            events.emit(EVENT_JOB_FINISHED, payload);
            ran += 1;
        }
        Ok(ran)
    }

    /// How long until the next scheduled job is due (zero when one is), at most
    /// [`LOOK_AGAIN`] so a clock that jumps (sleep, tests) is noticed.
    fn time_to_next_job(&self) -> Result<Duration> {
        let next = store::next_run_at(&*self.db()?)?;
        let Some(next) = next.and_then(|n| DateTime::parse_from_rfc3339(&n).ok()) else {
            return Ok(LOOK_AGAIN);
        };
        let left = next.with_timezone(&Utc) - self.clock.now();
        Ok(left.to_std().unwrap_or(Duration::ZERO).min(LOOK_AGAIN))
    }

    /// Configure Now: pushes the sessions' configuration, one connection per
    /// FRR router (one batch), session by session elsewhere. A router that
    /// cannot be reached gets its sessions' changes queued, approved, in its
    /// outbox (result `queued`; a scheduled job does the same); one that fails
    /// otherwise (wrong credentials, unknown host key) fails its own sessions.
    /// Either way the other routers go on. Progress on `configure-progress`.
    pub fn configure_sessions_now(
        &self,
        session_ids: &[i64],
        wait_for_peer: Duration,
        events: &dyn EventSink,
    ) -> Result<ConfigureReport> {
        if session_ids.is_empty() {
            return Err(Error::invalid("sessionIds", "select at least one session"));
        }
        let mut by_router: Vec<(i64, Vec<Session>)> = Vec::new();
        for id in session_ids {
            let s = self.get_session(*id)?;
            if by_router
                .iter()
                .any(|(_, ss)| ss.iter().any(|x| x.id == s.id))
            {
                continue;
            }
            match by_router.iter_mut().find(|(r, _)| *r == s.router_id) {
                Some((_, ss)) => ss.push(s),
                None => by_router.push((s.router_id, vec![s])),
            }
        }
        let routers_total = by_router.len() as u32;
        let sessions_total: u32 = by_router.iter().map(|(_, s)| s.len() as u32).sum();
        let mut sessions_done = 0;
        let mut reports = Vec::new();
        for (i, (router_id, sessions)) in by_router.into_iter().enumerate() {
            let router_name = sessions[0].router_name.clone();
            let progress = |done: u32, message: String| {
                events.emit(
                    EVENT_CONFIGURE_PROGRESS,
                    serde_json::to_value(ConfigureProgress {
                        router_id,
                        router_name: router_name.clone(),
                        routers_done: i as u32,
                        routers_total,
                        sessions_done: done,
                        sessions_total,
                        message,
                    })
                    .unwrap_or_default(),
                )
            };
            progress(
                sessions_done,
                format!("Configuring {} sessions on {router_name}", sessions.len()),
            );
            let report =
                self.configure_on_router(router_id, &router_name, &sessions, wait_for_peer);
            sessions_done += sessions.len() as u32;
            progress(
                sessions_done,
                match &report.error {
                    Some(e) => format!("{router_name}: {e}"),
                    None => format!("{router_name}: done"),
                },
            );
            reports.push(report);
        }
        let count = |r: SessionResult| {
            reports
                .iter()
                .flat_map(|x| &x.sessions)
                .filter(|s| s.result == r)
                .count() as u32
        };
        let (configured, waiting_for_peer, failed, queued) = (
            count(SessionResult::Configured),
            count(SessionResult::WaitingForPeer),
            count(SessionResult::Failed),
            count(SessionResult::Queued),
        );
        let mut message = format!("{configured} configured and Established");
        if waiting_for_peer > 0 {
            message.push_str(&format!(", {waiting_for_peer} waiting for the peer"));
        }
        if queued > 0 {
            message.push_str(&format!(
                ", {queued} queued for routers that could not be reached (applied when they are reachable)"
            ));
        }
        if failed > 0 {
            message.push_str(&format!(", {failed} failed"));
        }
        Ok(ConfigureReport {
            routers: reports,
            configured,
            waiting_for_peer,
            failed,
            queued,
            message,
        })
    }

    fn configure_on_router(
        &self,
        router_id: i64,
        router_name: &str,
        sessions: &[Session],
        wait: Duration,
    ) -> RouterReport {
        let mut report = RouterReport {
            router_id,
            router_name: router_name.to_string(),
            error_kind: None,
            error: None,
            sessions: Vec::new(),
            log: Vec::new(),
        };
        let router = match self.router(router_id) {
            Ok(r) => r,
            Err(e) => {
                fail_router(&mut report, sessions, &e);
                return report;
            }
        };
        if let Ok(Some(e)) = self.still_unreachable(&router) {
            self.queue_on_router(&mut report, &router, sessions, &e);
            return report;
        }
        let none = ConfigOverrides::default();
        if router.platform == Platform::Frr {
            // Every session's change is an outbox item, claimed before the
            // one batch push; a session whose item cannot be opened (another
            // change of it waits in the outbox) fails alone.
            let mut items = Vec::new();
            let mut batch = Vec::new();
            for s in sessions {
                match self.open_direct_item(&router, s, ConfigOperation::Add, &none, None, false) {
                    Ok(id) => {
                        items.push(id);
                        batch.push(s.clone());
                    }
                    Err(e) => report.sessions.push(failed(s, e.to_string())),
                }
            }
            if batch.is_empty() {
                return report;
            }
            let ids: Vec<i64> = batch.iter().map(|s| s.id).collect();
            let pushed = self.push_batch(router_id, &ids, ConfigOperation::Add, wait);
            match self.reach(&router, pushed) {
                Ok(done) => {
                    report.log = done.log;
                    for (s, item) in batch.iter().zip(&items) {
                        if let Some((_, before)) = done.before.iter().find(|(id, _)| *id == s.id) {
                            let _ = self.record_before(*item, &router, before);
                        }
                        let _ = self.settle_direct_item(*item, Ok(()));
                        let now = self.get_session(s.id).unwrap_or_else(|_| s.clone());
                        report
                            .sessions
                            .push(outcome_of(&now, "configured and verified"));
                    }
                }
                Err(e) => {
                    for item in &items {
                        let _ = self.settle_direct_item(*item, Err(&e));
                    }
                    if matches!(e, Error::Unreachable(_)) {
                        report.log.push(format!(
                            "cannot be reached ({e}): the changes are queued in its outbox"
                        ));
                        for s in &batch {
                            report.sessions.push(queued(
                                s,
                                Self::queued_message(&router, s, ConfigOperation::Add, &e),
                            ));
                        }
                    } else {
                        fail_router(&mut report, &batch, &e);
                    }
                }
            }
            return report;
        }
        for (i, s) in sessions.iter().enumerate() {
            match self.send_now(s.id, ConfigOperation::Add, &none, None, false, wait) {
                Ok(PushOrQueued::Pushed { push, .. }) => {
                    report
                        .log
                        .extend(push.log.iter().map(|l| format!("{}: {l}", s.peer_ip)));
                    report
                        .sessions
                        .push(outcome_of(&push.session, &push.message));
                }
                Ok(PushOrQueued::Queued { item, message }) => {
                    // The router went away: the rest queue without trying it.
                    let why = if item.last_error.is_empty() {
                        message.clone()
                    } else {
                        item.last_error
                    };
                    report.sessions.push(queued(s, message));
                    let e = Error::Unreachable(why);
                    self.queue_on_router(&mut report, &router, &sessions[i + 1..], &e);
                    break;
                }
                Err(e) if stops_router(&e) => {
                    fail_router(&mut report, &sessions[i..], &e);
                    break;
                }
                Err(e) => report.sessions.push(failed(s, e.to_string())),
            }
        }
        report
    }

    /// The router could not be reached: each session's Add is queued approved
    /// (as the push dialog does), for the background sync. A session whose
    /// change cannot be queued (already in the outbox, say) is a failure
    /// with that reason.
    fn queue_on_router(
        &self,
        report: &mut RouterReport,
        router: &Router,
        sessions: &[Session],
        e: &Error,
    ) {
        report.log.push(format!(
            "cannot be reached ({e}): the changes are queued in its outbox"
        ));
        for s in sessions {
            let q = self.queue_for_unreachable(
                router,
                s,
                ConfigOperation::Add,
                &ConfigOverrides::default(),
                e,
                false,
            );
            report.sessions.push(match q {
                Ok((_, message)) => queued(s, message),
                Err(q) => failed(s, format!("{e}; not queued: {q}")),
            });
        }
    }
}

/// Errors that stop every further push to the same router.
fn stops_router(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Unreachable
            | ErrorKind::AuthFailed
            | ErrorKind::HostKeyUnknown
            | ErrorKind::HostKeyMismatch
            | ErrorKind::KeyringUnavailable
    ) || e.field() == Some("platform")
}

fn fail_router(report: &mut RouterReport, sessions: &[Session], e: &Error) {
    report.error_kind = Some(e.kind());
    report.error = Some(e.to_string());
    for s in sessions {
        report.sessions.push(failed(s, e.to_string()));
    }
}

fn failed(s: &Session, message: String) -> ConfiguredSession {
    ConfiguredSession {
        session_id: s.id,
        peer_ip: s.peer_ip.clone(),
        asn: s.asn,
        network_name: s.network_name.clone(),
        result: SessionResult::Failed,
        bgp_state: s.bgp_state,
        message,
    }
}

fn queued(s: &Session, message: String) -> ConfiguredSession {
    ConfiguredSession {
        result: SessionResult::Queued,
        message,
        ..failed(s, String::new())
    }
}

fn outcome_of(s: &Session, message: &str) -> ConfiguredSession {
    let up = s.bgp_state == Some(BgpState::Established);
    ConfiguredSession {
        session_id: s.id,
        peer_ip: s.peer_ip.clone(),
        asn: s.asn,
        network_name: s.network_name.clone(),
        result: if up {
            SessionResult::Configured
        } else {
            SessionResult::WaitingForPeer
        },
        bgp_state: s.bgp_state,
        message: if up {
            message.to_string()
        } else {
            format!("{message}; waiting for the peer")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::peeringdb_retry_minutes;

    #[test]
    fn peeringdb_retries_start_at_five_minutes_double_and_stop_at_the_interval() {
        assert_eq!(peeringdb_retry_minutes(false, 1440, 1440), 5);
        assert_eq!(peeringdb_retry_minutes(true, 5, 1440), 10);
        assert_eq!(peeringdb_retry_minutes(true, 1000, 1440), 60);
        assert_eq!(peeringdb_retry_minutes(true, 40, 1440), 60);
        assert_eq!(peeringdb_retry_minutes(true, 20, 30), 30);
        assert_eq!(
            peeringdb_retry_minutes(true, 0, 1440),
            5,
            "a retry run early"
        );
        assert_eq!(peeringdb_retry_minutes(true, i64::MAX, 60), 60);
    }
}
