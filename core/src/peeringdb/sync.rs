//! Fetching PeeringDB and applying it to the local mirror.
//!
//! One sync is one SQLite transaction on a connection of its own: readers keep
//! seeing the previous mirror until the commit, and any failure or cancel rolls
//! everything back. Types are fetched in dependency order with `depth=0` and
//! `limit`/`skip` paging; a type synced before is fetched with
//! `since=<last sync − 1 s>` (which includes deletions); a type loaded in full
//! is followed by a `since` pass from the start of this run, because a full list
//! carries no tombstones. Rows whose parent is missing are fetched by id, and
//! dropped and reported if PeeringDB does not have the parent either.

use super::schema::{self, Kind, ObjectType, TYPES};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::secrets::Secret;
use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ts_rs::TS;

pub const DEFAULT_BASE_URL: &str = "https://www.peeringdb.com/api";
const USER_AGENT: &str = concat!(
    "Peerdesk/",
    env!("CARGO_PKG_VERSION"),
    " (desktop peering manager; PeeringDB mirror)"
);
/// The longest string field we keep; PeeringDB's own are far shorter.
const MAX_STRING: usize = 64 * 1024;
/// The largest response body we read.
const MAX_BODY: u64 = 1 << 30;
/// The event channel progress goes out on.
pub const EVENT: &str = "peeringdb-sync";

/// How to reach PeeringDB for one sync.
pub struct SyncOptions {
    pub base_url: String,
    /// Sent as `Authorization: Api-Key <key>` when present.
    pub api_key: Option<Secret>,
    /// Rows per request (`limit`).
    pub page_size: u32,
    /// Requests allowed per rolling minute (PeeringDB: 20 anonymous, 40 with a
    /// key). `None` sends as fast as the server answers (a local mirror server).
    pub requests_per_minute: Option<u32>,
    /// The longest `Retry-After` we wait out before giving up.
    pub max_retry_wait: Duration,
    pub cancel: Arc<AtomicBool>,
}

impl SyncOptions {
    pub fn new(base_url: impl Into<String>, api_key: Option<Secret>) -> Self {
        let requests_per_minute = Some(if api_key.is_some() { 40 } else { 20 });
        SyncOptions {
            base_url: base_url.into(),
            api_key,
            page_size: 20_000,
            requests_per_minute,
            max_retry_wait: Duration::from_secs(300),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// What one sync did, per type.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    pub full: bool,
    pub types: Vec<TypeCount>,
    pub parents_fetched: u32,
    pub orphans_dropped: u32,
    pub requests: u32,
    pub millis: u64,
    pub finished_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TypeCount {
    pub object_type: String,
    pub upserted: u32,
    pub deleted: u32,
}

/// A progress event on the `peeringdb-sync` channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// `fetching`, `waiting` (rate limited), `checking` (parents), `committing`.
    pub phase: String,
    pub object_type: String,
    /// 1-based position of `object_type` among the types of this run.
    pub step: u32,
    pub steps: u32,
    /// Rows received so far for this type.
    pub rows: u32,
    pub wait_seconds: Option<u32>,
    pub message: String,
}

struct Client<'a> {
    agent: ureq::Agent,
    opts: &'a SyncOptions,
    events: &'a dyn EventSink,
    sent: VecDeque<Instant>,
    requests: u32,
}

impl<'a> Client<'a> {
    fn new(opts: &'a SyncOptions, events: &'a dyn EventSink) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(180)))
            .user_agent(USER_AGENT)
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            opts,
            events,
            sent: VecDeque::new(),
            requests: 0,
        }
    }

    fn check_cancel(&self) -> Result<()> {
        if self.opts.cancel.load(Ordering::Relaxed) {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Sleeps in short steps so that a cancel is noticed within a quarter second.
    fn wait(&self, d: Duration, progress: &SyncProgress) -> Result<()> {
        let mut p = progress.clone();
        p.phase = "waiting".into();
        p.wait_seconds = Some(d.as_secs().max(1) as u32);
        p.message = format!(
            "PeeringDB rate limit: waiting {} s before the next request",
            d.as_secs().max(1)
        );
        emit(self.events, &p);
        let until = Instant::now() + d;
        while Instant::now() < until {
            self.check_cancel()?;
            std::thread::sleep(Duration::from_millis(250).min(until - Instant::now()));
        }
        Ok(())
    }

    /// Keeps under the per-minute request budget before sending.
    fn pace(&mut self, progress: &SyncProgress) -> Result<()> {
        let Some(rpm) = self.opts.requests_per_minute else {
            return Ok(());
        };
        let minute = Duration::from_secs(60);
        while let Some(first) = self.sent.front() {
            if first.elapsed() >= minute {
                self.sent.pop_front();
            } else {
                break;
            }
        }
        if self.sent.len() as u32 >= rpm {
            let first = *self.sent.front().expect("non-empty");
            self.wait(minute.saturating_sub(first.elapsed()), progress)?;
        }
        Ok(())
    }

    fn get(&mut self, path_and_query: &str, progress: &SyncProgress) -> Result<Vec<u8>> {
        let url = format!(
            "{}/{}",
            self.opts.base_url.trim_end_matches('/'),
            path_and_query
        );
        let mut server_errors = 0;
        let mut rate_limited = 0;
        loop {
            self.check_cancel()?;
            self.pace(progress)?;
            self.sent.push_back(Instant::now());
            self.requests += 1;
            let mut req = self.agent.get(&url).header("Accept", "application/json");
            if let Some(key) = &self.opts.api_key {
                req = req.header("Authorization", format!("Api-Key {}", key.expose()));
            }
            let mut resp = match req.call() {
                Ok(r) => r,
                Err(e) => {
                    return Err(Error::Unreachable(format!(
                        "PeeringDB could not be reached at {}: {e}",
                        self.opts.base_url
                    )))
                }
            };
            let status = resp.status().as_u16();
            match status {
                200 => {
                    return resp
                        .body_mut()
                        .with_config()
                        .limit(MAX_BODY)
                        .read_to_vec()
                        .map_err(|e| {
                            Error::Rejected(format!(
                            "PeeringDB's answer to {path_and_query} was cut off or unreadable: {e}"
                        ))
                        })
                }
                429 => {
                    rate_limited += 1;
                    let secs = resp
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(60);
                    let wait = Duration::from_secs(secs);
                    if wait > self.opts.max_retry_wait || rate_limited > 5 {
                        return Err(Error::Rejected(format!(
                            "PeeringDB keeps rate-limiting us (asked to wait {secs} s); try again later"
                        )));
                    }
                    self.wait(wait, progress)?;
                }
                401 | 403 => {
                    return Err(Error::AuthFailed(format!(
                    "PeeringDB refused the request (HTTP {status}): check the API key in Settings"
                )))
                }
                500..=599 if server_errors < 2 => {
                    server_errors += 1;
                    std::thread::sleep(Duration::from_millis(500 * server_errors));
                }
                _ => {
                    return Err(Error::Rejected(format!(
                        "PeeringDB answered HTTP {status} to {path_and_query}"
                    )))
                }
            }
        }
    }
}

fn emit(events: &dyn EventSink, p: &SyncProgress) {
    events.emit(EVENT, serde_json::to_value(p).unwrap_or(Value::Null));
}

#[derive(Deserialize)]
struct Envelope {
    data: Vec<Value>,
}

/// One row checked against the schema: its id, whether it is a tombstone, and
/// its column values in schema order followed by created, updated, status.
struct Row {
    id: i64,
    deleted: bool,
    values: Vec<Sql>,
}

fn bad(t: &ObjectType, id: Option<i64>, what: String) -> Error {
    match id {
        Some(id) => Error::Rejected(format!("PeeringDB sent an invalid {} {id}: {what}", t.name)),
        None => Error::Rejected(format!("PeeringDB sent an invalid {}: {what}", t.name)),
    }
}

fn text(t: &ObjectType, id: i64, field: &str, v: &Value, optional: bool) -> Result<Sql> {
    match v {
        Value::Null if optional => Ok(Sql::Null),
        Value::Null => Ok(Sql::Text(String::new())),
        Value::String(s) if s.len() > MAX_STRING => Err(bad(
            t,
            Some(id),
            format!("{field} is {} bytes long (at most {MAX_STRING})", s.len()),
        )),
        Value::String(s) => Ok(Sql::Text(s.clone())),
        other => Err(bad(
            t,
            Some(id),
            format!("{field} should be text, not {other}"),
        )),
    }
}

fn parse_row(t: &ObjectType, v: &Value) -> Result<Row> {
    let obj = v
        .as_object()
        .ok_or_else(|| bad(t, None, "a row is not an object".into()))?;
    let id = obj
        .get("id")
        .and_then(Value::as_i64)
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            bad(
                t,
                None,
                format!("id {:?} is not a positive integer", obj.get("id")),
            )
        })?;
    let status = obj.get("status").and_then(Value::as_str).unwrap_or("ok");
    let mut values = Vec::with_capacity(t.fields.len() + 3);
    for field in t.fields {
        let v = obj.get(field.name).unwrap_or(&Value::Null);
        let sql = match field.kind {
            Kind::Id => match v.as_i64() {
                Some(n) => Sql::Integer(n),
                None => {
                    return Err(bad(
                        t,
                        Some(id),
                        format!("{} should be an integer, not {v}", field.name),
                    ))
                }
            },
            Kind::Int => match v {
                Value::Null => Sql::Null,
                v => Sql::Integer(v.as_i64().ok_or_else(|| {
                    bad(
                        t,
                        Some(id),
                        format!("{} should be an integer, not {v}", field.name),
                    )
                })?),
            },
            Kind::Bool => match v {
                Value::Null => Sql::Integer(0),
                Value::Bool(b) => Sql::Integer(i64::from(*b)),
                v => {
                    return Err(bad(
                        t,
                        Some(id),
                        format!("{} should be true or false, not {v}", field.name),
                    ))
                }
            },
            Kind::Text => text(t, id, field.name, v, false)?,
            Kind::OptText => text(t, id, field.name, v, true)?,
            Kind::List => match v {
                Value::Null => Sql::Text("[]".into()),
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    Sql::Text(v.to_string())
                }
                v => {
                    return Err(bad(
                        t,
                        Some(id),
                        format!("{} should be a list of text, not {v}", field.name),
                    ))
                }
            },
        };
        values.push(sql);
    }
    for stamp in ["created", "updated"] {
        values.push(text(
            t,
            id,
            stamp,
            obj.get(stamp).unwrap_or(&Value::Null),
            false,
        )?);
    }
    values.push(Sql::Text(status.to_string()));
    Ok(Row {
        id,
        deleted: status == "deleted",
        values,
    })
}

fn upsert_sql(t: &ObjectType) -> String {
    let cols: Vec<&str> = t.fields.iter().map(|f| f.name).collect();
    let n = cols.len() + 4;
    let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT OR REPLACE INTO {} (id, {}, created, updated, status) VALUES ({})",
        t.table(),
        cols.join(", "),
        marks.join(", ")
    )
}

/// Applies one page of rows; returns (upserted, deleted).
fn apply(conn: &Connection, t: &ObjectType, rows: &[Value]) -> Result<(u32, u32)> {
    let mut up = conn.prepare_cached(&upsert_sql(t))?;
    let mut del = conn.prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", t.table()))?;
    let (mut upserted, mut deleted) = (0, 0);
    for v in rows {
        let row = parse_row(t, v)?;
        if row.deleted {
            deleted += del.execute([row.id])? as u32;
        } else {
            let mut params: Vec<Sql> = Vec::with_capacity(row.values.len() + 1);
            params.push(Sql::Integer(row.id));
            params.extend(row.values);
            up.execute(rusqlite::params_from_iter(params))?;
            upserted += 1;
        }
    }
    Ok((upserted, deleted))
}

struct Run<'a> {
    client: Client<'a>,
    conn: &'a Connection,
    counts: HashMap<&'static str, TypeCount>,
    steps: u32,
}

impl Run<'_> {
    fn progress(
        &self,
        phase: &str,
        t: &ObjectType,
        step: u32,
        rows: u32,
        message: String,
    ) -> SyncProgress {
        SyncProgress {
            phase: phase.into(),
            object_type: t.name.into(),
            step,
            steps: self.steps,
            rows,
            wait_seconds: None,
            message,
        }
    }

    /// Fetches every page of `t` (since `since` when given) and applies it.
    fn fetch_type(&mut self, t: &'static ObjectType, since: Option<i64>, step: u32) -> Result<()> {
        let page = self.client.opts.page_size.max(1);
        let mut skip = 0u32;
        let mut received = 0u32;
        loop {
            let mut q = format!("{}?depth=0&limit={page}&skip={skip}", t.name);
            if let Some(s) = since {
                q.push_str(&format!("&since={s}"));
            }
            let p = self.progress(
                "fetching",
                t,
                step,
                received,
                format!("Fetching {} ({} rows so far)", t.name, received),
            );
            emit(self.client.events, &p);
            let body = self.client.get(&q, &p)?;
            let env: Envelope = serde_json::from_slice(&body).map_err(|e| {
                Error::Rejected(format!(
                    "PeeringDB's {} list is not valid JSON: {e}",
                    t.name
                ))
            })?;
            let n = env.data.len() as u32;
            let (u, d) = apply(self.conn, t, &env.data)?;
            let c = self.counts.entry(t.name).or_insert_with(|| TypeCount {
                object_type: t.name.into(),
                upserted: 0,
                deleted: 0,
            });
            c.upserted += u;
            c.deleted += d;
            received += n;
            if n < page {
                break;
            }
            skip += page;
        }
        Ok(())
    }

    /// Fetches missing parents by id; drops children whose parent PeeringDB does
    /// not have either. Returns (fetched, dropped).
    fn repair_parents(&mut self) -> Result<(u32, u32)> {
        let (mut fetched, mut dropped) = (0u32, 0u32);
        for round in 0..2 {
            for t in TYPES {
                for (field, parent_name) in t.parents {
                    let parent = schema::by_name(parent_name).expect("schema parent");
                    let missing: Vec<i64> = self
                        .conn
                        .prepare(&format!(
                            "SELECT DISTINCT c.{field} FROM {} c LEFT JOIN {} p ON p.id = c.{field} WHERE p.id IS NULL",
                            t.table(),
                            parent.table()
                        ))?
                        .query_map([], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    if missing.is_empty() {
                        continue;
                    }
                    if round == 0 {
                        for chunk in missing.chunks(100) {
                            let ids: Vec<String> = chunk.iter().map(|i| i.to_string()).collect();
                            let q = format!("{}?depth=0&id__in={}", parent.name, ids.join(","));
                            let p = self.progress(
                                "checking",
                                parent,
                                0,
                                0,
                                format!(
                                    "Fetching {} missing {} record(s)",
                                    chunk.len(),
                                    parent.name
                                ),
                            );
                            emit(self.client.events, &p);
                            let body = self.client.get(&q, &p)?;
                            let env: Envelope = serde_json::from_slice(&body).map_err(|e| {
                                Error::Rejected(format!(
                                    "PeeringDB's {} answer is not valid JSON: {e}",
                                    parent.name
                                ))
                            })?;
                            let live: Vec<Value> = env
                                .data
                                .into_iter()
                                .filter(|v| {
                                    v.get("status").and_then(Value::as_str) != Some("deleted")
                                })
                                .collect();
                            fetched += apply(self.conn, parent, &live)?.0;
                        }
                    } else {
                        dropped += self.conn.execute(
                            &format!(
                                "DELETE FROM {} WHERE {field} NOT IN (SELECT id FROM {})",
                                t.table(),
                                parent.table()
                            ),
                            [],
                        )? as u32;
                    }
                }
            }
        }
        Ok((fetched, dropped))
    }
}

/// Runs one sync on `conn`. The caller records the outcome.
pub(super) fn run(
    conn: &mut Connection,
    opts: &SyncOptions,
    events: &dyn EventSink,
    started_unix: i64,
    finished_stamp: impl Fn() -> String,
) -> Result<SyncSummary> {
    let t0 = Instant::now();
    let last: HashMap<String, i64> = conn
        .prepare("SELECT object_type, last_sync FROM pdb_sync_state")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let tx = conn.transaction()?;
    let full_types: Vec<&'static ObjectType> = TYPES
        .iter()
        .filter(|t| !last.contains_key(t.name))
        .collect();
    let steps = (TYPES.len() + full_types.len()) as u32;
    let mut run = Run {
        client: Client::new(opts, events),
        conn: &tx,
        counts: HashMap::new(),
        steps,
    };
    let mut step = 0;
    for t in TYPES {
        step += 1;
        run.fetch_type(t, last.get(t.name).map(|s| s - 1), step)?;
    }
    // A full list has no tombstones: catch what changed while we were loading.
    for t in &full_types {
        step += 1;
        run.fetch_type(t, Some(started_unix - 1), step)?;
    }
    let (parents_fetched, orphans_dropped) = run.repair_parents()?;
    run.client.check_cancel()?;
    let p = SyncProgress {
        phase: "committing".into(),
        object_type: String::new(),
        step: steps,
        steps,
        rows: 0,
        wait_seconds: None,
        message: "Saving the mirror".into(),
    };
    emit(events, &p);
    {
        let mut st = tx.prepare(
            "INSERT INTO pdb_sync_state (object_type, last_sync) VALUES (?1, ?2)
             ON CONFLICT (object_type) DO UPDATE SET last_sync = excluded.last_sync",
        )?;
        for t in TYPES {
            st.execute(params![t.name, started_unix])?;
        }
    }
    let requests = run.client.requests;
    let types: Vec<TypeCount> = TYPES
        .iter()
        .map(|t| {
            run.counts.remove(t.name).unwrap_or(TypeCount {
                object_type: t.name.into(),
                upserted: 0,
                deleted: 0,
            })
        })
        .collect();
    tx.commit()?;
    Ok(SyncSummary {
        full: !full_types.is_empty(),
        types,
        parents_fetched,
        orphans_dropped,
        requests,
        millis: t0.elapsed().as_millis() as u64,
        finished_at: finished_stamp(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_wrong_types_or_huge_strings_are_refused_with_where() {
        let net = schema::by_name("net").unwrap();
        let ok = serde_json::json!({"id": 5, "org_id": 1, "asn": 64500, "name": "X", "status": "ok",
            "created": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z"});
        assert!(parse_row(net, &ok).is_ok());
        let mut wrong = ok.clone();
        wrong["asn"] = serde_json::json!({"no": 1});
        let e = parse_row(net, &wrong).err().unwrap().to_string();
        assert!(e.contains("net 5") && e.contains("asn"), "{e}");
        let mut huge = ok.clone();
        huge["name"] = Value::String("x".repeat(MAX_STRING + 1));
        assert!(parse_row(net, &huge).is_err());
        let mut string_id = ok;
        string_id["id"] = Value::String("5".into());
        assert!(parse_row(net, &string_id).is_err());
    }

    #[test]
    fn a_tombstone_is_recognised() {
        let ix = schema::by_name("ix").unwrap();
        let row = parse_row(
            ix,
            &serde_json::json!({"id": 9, "org_id": 1, "status": "deleted"}),
        )
        .unwrap();
        assert!(row.deleted);
    }
}
