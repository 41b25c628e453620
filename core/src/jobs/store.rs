//! SQL for `jobs` and `job_settings`.

use super::{Job, JobKind, JobSettings, JobStatus};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, kind, title, run_at, status, target_ids, every_minutes, created_at,
    started_at, finished_at, result, log";

fn job_from(r: &Row<'_>) -> rusqlite::Result<Job> {
    let kind: JobKind = r.get(1)?;
    let targets: String = r.get(5)?;
    let targets: Vec<i64> = serde_json::from_str(&targets).unwrap_or_default();
    let log: String = r.get(11)?;
    let (session_ids, router_ids) = match kind {
        JobKind::ConfigureSessions => (targets, Vec::new()),
        JobKind::RefreshStates => (Vec::new(), targets),
        JobKind::PeeringdbSync => (Vec::new(), Vec::new()),
    };
    Ok(Job {
        id: r.get(0)?,
        kind,
        title: r.get(2)?,
        run_at: r.get(3)?,
        status: r.get(4)?,
        session_ids,
        router_ids,
        every_minutes: r.get(6)?,
        created_at: r.get(7)?,
        started_at: r.get(8)?,
        finished_at: r.get(9)?,
        result: r.get(10)?,
        log: serde_json::from_str(&log).unwrap_or_default(),
    })
}

pub(super) struct NewJob<'a> {
    pub kind: JobKind,
    pub title: &'a str,
    pub run_at: &'a str,
    pub targets: &'a [i64],
    pub every_minutes: Option<u32>,
}

pub(super) fn insert(conn: &Connection, job: &NewJob<'_>, now: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO jobs (kind, title, run_at, status, target_ids, every_minutes, created_at)
         VALUES (?1, ?2, ?3, 'scheduled', ?4, ?5, ?6)",
        params![
            job.kind,
            job.title,
            job.run_at,
            serde_json::to_string(job.targets).unwrap_or_else(|_| "[]".into()),
            job.every_minutes,
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn get(conn: &Connection, id: i64) -> Result<Job> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
        [id],
        job_from,
    )
    .optional()?
    .ok_or_else(|| Error::not_found("job", id))
}

/// Jobs still ahead or needing a decision, soonest first; with `finished`, also
/// the last 500 finished ones, newest first.
pub(super) fn list(conn: &Connection, finished: bool) -> Result<Vec<Job>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM jobs
         WHERE status IN ('scheduled', 'running', 'overdue', 'interrupted')
         ORDER BY run_at, id"
    ))?;
    let mut out = stmt
        .query_map([], job_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if finished {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM jobs
             WHERE status IN ('done', 'failed', 'cancelled')
             ORDER BY coalesce(finished_at, run_at) DESC, id DESC LIMIT 500"
        ))?;
        out.extend(
            stmt.query_map([], job_from)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
    }
    Ok(out)
}

pub(super) fn in_status(conn: &Connection, status: JobStatus) -> Result<Vec<Job>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM jobs WHERE status = ?1 ORDER BY run_at, id"
    ))?;
    let out = stmt
        .query_map([status], job_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// Configuration jobs whose time plus the grace period has passed become overdue.
pub(super) fn mark_overdue(conn: &Connection, latest_allowed: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE jobs SET status = 'overdue'
         WHERE status = 'scheduled' AND kind = 'configure_sessions' AND run_at < ?1
         RETURNING id",
    )?;
    let ids = stmt
        .query_map([latest_allowed], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

/// The earliest scheduled job due at `now`.
pub(super) fn first_due(conn: &Connection, now: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM jobs WHERE status = 'scheduled' AND run_at <= ?1
             ORDER BY run_at, id LIMIT 1",
            [now],
            |r| r.get(0),
        )
        .optional()?)
}

/// Moves a scheduled job to running under `token`; false when someone else got it.
pub(super) fn claim(conn: &Connection, id: i64, token: &str, now: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE jobs SET status = 'running', claim = ?2, started_at = ?3, finished_at = NULL
         WHERE id = ?1 AND status = 'scheduled'",
        params![id, token, now],
    )?;
    Ok(n == 1)
}

/// Ends a running job; only the holder of the claim may. False when it does not hold it.
pub(super) fn finish(
    conn: &Connection,
    id: i64,
    token: &str,
    status: JobStatus,
    result: &str,
    log: &[String],
    now: &str,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE jobs SET status = ?3, result = ?4, log = ?5, finished_at = ?6, claim = NULL
         WHERE id = ?1 AND claim = ?2 AND status = 'running'",
        params![
            id,
            token,
            status,
            result,
            serde_json::to_string(log).unwrap_or_else(|_| "[]".into()),
            now
        ],
    )?;
    Ok(n == 1)
}

/// Every job left running by a process that is gone becomes interrupted.
pub(super) fn interrupt_running(conn: &Connection, now: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE jobs SET status = 'interrupted', claim = NULL, finished_at = ?1
         WHERE status = 'running' RETURNING id",
    )?;
    let ids = stmt
        .query_map([now], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

pub(super) fn set_status_time(
    conn: &Connection,
    id: i64,
    status: JobStatus,
    run_at: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET status = ?2, run_at = ?3 WHERE id = ?1",
        params![id, status, run_at],
    )?;
    Ok(())
}

pub(super) fn set_status(conn: &Connection, id: i64, status: JobStatus, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET status = ?2, finished_at = ?3 WHERE id = ?1",
        params![id, status, now],
    )?;
    Ok(())
}

pub(super) fn set_result(conn: &Connection, id: i64, result: &str, log: &[String]) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET result = ?2, log = ?3 WHERE id = ?1",
        params![
            id,
            result,
            serde_json::to_string(log).unwrap_or_else(|_| "[]".into())
        ],
    )?;
    Ok(())
}

/// The pending (scheduled or overdue) jobs of a recurring kind.
pub(super) fn pending_of_kind(conn: &Connection, kind: JobKind) -> Result<Vec<Job>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM jobs WHERE kind = ?1 AND status IN ('scheduled', 'overdue')
         ORDER BY run_at"
    ))?;
    let out = stmt
        .query_map([kind], job_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// Deletes the finished runs of a recurring kind beyond the newest `keep`.
pub(super) fn prune_history(conn: &Connection, kind: JobKind, keep: u32) -> Result<()> {
    conn.execute(
        "DELETE FROM jobs WHERE kind = ?1 AND status IN ('done', 'failed', 'cancelled')
           AND id NOT IN (SELECT id FROM jobs WHERE kind = ?1
                            AND status IN ('done', 'failed', 'cancelled')
                          ORDER BY id DESC LIMIT ?2)",
        params![kind, keep],
    )?;
    Ok(())
}

pub(super) fn next_run_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(run_at) FROM jobs WHERE status = 'scheduled'",
        [],
        |r| r.get(0),
    )?)
}

pub(super) fn settings(conn: &Connection) -> Result<JobSettings> {
    Ok(conn.query_row(
        "SELECT grace_minutes, peeringdb_sync_enabled, peeringdb_sync_every_minutes,
                refresh_enabled, refresh_every_minutes FROM job_settings WHERE id = 1",
        [],
        |r| {
            Ok(JobSettings {
                grace_minutes: r.get(0)?,
                peeringdb_sync_enabled: r.get(1)?,
                peeringdb_sync_every_minutes: r.get(2)?,
                refresh_enabled: r.get(3)?,
                refresh_every_minutes: r.get(4)?,
            })
        },
    )?)
}

pub(super) fn put_settings(conn: &Connection, s: &JobSettings) -> Result<()> {
    conn.execute(
        "UPDATE job_settings SET grace_minutes = ?1, peeringdb_sync_enabled = ?2,
            peeringdb_sync_every_minutes = ?3, refresh_enabled = ?4, refresh_every_minutes = ?5
         WHERE id = 1",
        params![
            s.grace_minutes,
            s.peeringdb_sync_enabled,
            s.peeringdb_sync_every_minutes,
            s.refresh_enabled,
            s.refresh_every_minutes
        ],
    )?;
    Ok(())
}
