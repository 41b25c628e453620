//! Fetching PeeringDB and applying it to the local mirror. Nothing PeeringDB
//! (or a server posing as it) sends is trusted: every row is checked against
//! the schema, paging and id look-ups are checked against what was asked, and
//! the report says what was received, kept, dropped and deleted.
//!
//! One sync is one SQLite transaction on a connection of its own: readers keep
//! seeing the previous mirror until the commit, and any failure or cancel rolls
//! everything back. The steps:
//!
//! 1. Types are fetched in dependency order with `depth=0` and `limit`/`skip`
//!    paging. Paging goes on until the server answers an empty page, whatever
//!    page size it chose (a server may cap `limit`); `skip` advances by the rows
//!    actually received, and a page with no row not seen before stops the sync
//!    (a server ignoring `skip` would otherwise loop).
//! 2. A type synced before is fetched with `since=<last sync − 1 s>` (which
//!    includes deletions); a type loaded in full is followed by a `since` pass
//!    from the start of this run, because a full list carries no tombstones.
//! 3. Rows whose parent is missing have the parent fetched by `id__in`, children
//!    in reverse dependency order so that a fetched parent's own parent is
//!    fetched too. Each id is asked at most once per run; rows in the answer
//!    that were not asked for are ignored and counted. Then, parents first,
//!    rows whose parent PeeringDB does not have either are dropped as orphans.
//! 4. The counts per type and the warnings (nothing kept, most of a type
//!    dropped, rows sent that were not asked for) go into the [`SyncSummary`],
//!    which the caller records with the run.
//!
//! **Status.** The mirror holds each row's `status` exactly as received. A
//! tombstone (`deleted`) removes the row; any other status (PeeringDB's
//! `pending`, or one it may add) is stored with the row and the row is not
//! live: only rows with `status = 'ok'` are live, and every lookup filters on
//! that. A row that turns from `ok` to `pending` arrives in the next `since`
//! pass and is stored as `pending`, so it stops being live after that sync.
//! Parent checks count a parent row of any stored status as present.

use super::schema::{self, Kind, ObjectType, TYPES};
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::secrets::Secret;
use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
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

/// What one sync did: per type, then for the whole run.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    pub full: bool,
    pub types: Vec<TypeCount>,
    /// Parent rows fetched by id because a child pointed at them.
    pub parents_fetched: u32,
    /// Rows dropped because their parent was missing, all types together.
    pub orphans_dropped: u32,
    /// Rows in id look-up answers that had not been asked for, ignored.
    pub unrequested_ignored: u32,
    pub requests: u32,
    pub millis: u64,
    pub finished_at: String,
    /// Empty when nothing looks wrong; shown with the run in the sync panel.
    pub warnings: Vec<SyncWarning>,
}

/// One type's rows in one sync. `received` counts every row of the type's
/// list and `since` answers (tombstones included); `kept` the distinct rows
/// stored by this sync that are still in the mirror at the end, of which
/// `not_live` have a status other than `ok`; `orphans_dropped` the rows of
/// the type removed for a missing parent (older ones included); `deleted` the
/// tombstones received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TypeCount {
    pub object_type: String,
    pub received: u32,
    pub kept: u32,
    pub not_live: u32,
    pub orphans_dropped: u32,
    pub deleted: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncWarningKind {
    /// A full sync that kept no row, or a sync that received rows and kept none.
    NothingKept,
    /// More than half of a type's rows were dropped as orphans.
    MostDropped,
    /// The server answered id look-ups with rows that were not asked for.
    UnrequestedRows,
}

/// Something about a finished sync the user should look at; the sync itself
/// was committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncWarning {
    pub kind: SyncWarningKind,
    /// The type it is about, when it is about one.
    pub object_type: Option<String>,
    pub message: String,
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

/// TLS for PeeringDB: rustls with the ring provider and the webpki root set,
/// handed to reqwest ready-made so no process-wide provider is needed.
fn tls_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

struct Client<'a> {
    http: reqwest::blocking::Client,
    opts: &'a SyncOptions,
    events: &'a dyn EventSink,
    sent: VecDeque<Instant>,
    requests: u32,
}

impl<'a> Client<'a> {
    fn new(opts: &'a SyncOptions, events: &'a dyn EventSink) -> Result<Self> {
        let http = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls_config())
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            // The whole request, body included: the largest list is tens of MB.
            .timeout(Duration::from_secs(180))
            .build()
            .map_err(|e| {
                Error::Unreachable(format!("the PeeringDB client could not start: {e}"))
            })?;
        Ok(Client {
            http,
            opts,
            events,
            sent: VecDeque::new(),
            requests: 0,
        })
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
            let mut req = self
                .http
                .get(&url)
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(key) = &self.opts.api_key {
                req = req.header(
                    reqwest::header::AUTHORIZATION,
                    format!("Api-Key {}", key.expose()),
                );
            }
            let resp = match req.send() {
                Ok(r) => r,
                Err(e) => {
                    return Err(Error::Unreachable(format!(
                        "PeeringDB could not be reached at {}: {}",
                        self.opts.base_url,
                        error_chain(&e)
                    )))
                }
            };
            let status = resp.status().as_u16();
            match status {
                200 => return read_body(resp, path_and_query),
                429 => {
                    rate_limited += 1;
                    let secs = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(60);
                    drop(resp);
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
                    drop(resp);
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

/// An error with its causes, which reqwest keeps apart ("error sending
/// request" alone does not say "connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// Reads a 200 answer, refusing one larger than [`MAX_BODY`] whether the
/// server says so up front or not.
fn read_body(resp: reqwest::blocking::Response, path_and_query: &str) -> Result<Vec<u8>> {
    let too_big = || {
        Error::Rejected(format!(
            "PeeringDB's answer to {path_and_query} is larger than {} MB; refused",
            MAX_BODY >> 20
        ))
    };
    let announced = resp.content_length();
    if announced.is_some_and(|n| n > MAX_BODY) {
        return Err(too_big());
    }
    // Reserve what the server announced, within reason: it is not trusted.
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(64 << 20) as usize);
    resp.take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            Error::Rejected(format!(
                "PeeringDB's answer to {path_and_query} was cut off or unreadable: {}",
                error_chain(&e)
            ))
        })?;
    if body.len() as u64 > MAX_BODY {
        return Err(too_big());
    }
    Ok(body)
}

fn emit(events: &dyn EventSink, p: &SyncProgress) {
    events.emit(EVENT, serde_json::to_value(p).unwrap_or(Value::Null));
}

#[derive(Deserialize)]
struct Envelope {
    data: Vec<Value>,
}

/// One row checked against the schema: its id, whether it is a tombstone or
/// live (`ok`), and its column values in schema order followed by created,
/// updated, status.
struct Row {
    id: i64,
    deleted: bool,
    live: bool,
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
    // Kept as received (see the module doc); only `ok` is live.
    let status = match obj.get("status") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 32 => s.as_str(),
        other => {
            return Err(bad(
                t,
                Some(id),
                format!("status should be a short text such as \"ok\", not {other:?}"),
            ))
        }
    };
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
        live: status == "ok",
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

fn envelope(body: &[u8], what: &str) -> Result<Vec<Value>> {
    let env: Envelope = serde_json::from_slice(body)
        .map_err(|e| Error::Rejected(format!("PeeringDB's {what} is not valid JSON: {e}")))?;
    Ok(env.data)
}

/// What one type's rows did in this run, while it runs.
#[derive(Default)]
struct Tally {
    received: u32,
    deleted: u32,
    orphans_dropped: u32,
    /// Rows this run stored and that are still in the mirror: id → live.
    kept: HashMap<i64, bool>,
}

struct Run<'a> {
    client: Client<'a>,
    conn: &'a Connection,
    tallies: HashMap<&'static str, Tally>,
    /// (type, id) already asked for by id in this run.
    asked: HashSet<(&'static str, i64)>,
    parents_fetched: u32,
    unrequested: HashMap<&'static str, u32>,
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

    /// Stores one checked row: a tombstone removes it, anything else is kept
    /// with its status.
    fn store(&mut self, t: &'static ObjectType, row: Row) -> Result<()> {
        let tally = self.tallies.entry(t.name).or_default();
        if row.deleted {
            self.conn
                .prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", t.table()))?
                .execute([row.id])?;
            tally.kept.remove(&row.id);
            return Ok(());
        }
        let mut up = self.conn.prepare_cached(&upsert_sql(t))?;
        let mut params: Vec<Sql> = Vec::with_capacity(row.values.len() + 1);
        params.push(Sql::Integer(row.id));
        params.extend(row.values);
        up.execute(rusqlite::params_from_iter(params))?;
        tally.kept.insert(row.id, row.live);
        Ok(())
    }

    /// Fetches every page of `t` (since `since` when given) and applies it.
    /// Pages until the server sends an empty one: a page shorter than the
    /// `limit` asked for may only mean the server caps its pages.
    fn fetch_type(&mut self, t: &'static ObjectType, since: Option<i64>, step: u32) -> Result<()> {
        let limit = self.client.opts.page_size.max(1);
        let mut skip = 0usize;
        let mut received = 0u32;
        let mut seen: HashSet<i64> = HashSet::new();
        loop {
            let mut q = format!("{}?depth=0&limit={limit}&skip={skip}", t.name);
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
            let data = envelope(&body, &format!("{} list", t.name))?;
            if data.is_empty() {
                break;
            }
            let n = data.len();
            let mut new_rows = 0;
            for v in &data {
                let row = parse_row(t, v)?;
                if seen.insert(row.id) {
                    new_rows += 1;
                }
                let tally = self.tallies.entry(t.name).or_default();
                tally.received += 1;
                if row.deleted {
                    tally.deleted += 1;
                }
                self.store(t, row)?;
            }
            if new_rows == 0 {
                return Err(Error::Rejected(format!(
                    "PeeringDB sent the same {} rows again at skip={skip}: it does not page as asked",
                    t.name
                )));
            }
            received += n as u32;
            skip += n;
        }
        Ok(())
    }

    /// Asks for `ids` of `parent` by `id__in`, keeps what comes back that was
    /// asked for and is not a tombstone, and counts the rest.
    fn fetch_by_id(&mut self, parent: &'static ObjectType, ids: &[i64]) -> Result<()> {
        let limit = self.client.opts.page_size.max(1);
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let mut wanted: HashSet<i64> = ids.iter().copied().collect();
        let mut skip = 0usize;
        // A server may page the answer like any list; stop when every id came
        // back or a page is empty.
        while !wanted.is_empty() {
            let q = format!(
                "{}?depth=0&id__in={}&limit={limit}&skip={skip}",
                parent.name,
                list.join(",")
            );
            let p = self.progress(
                "checking",
                parent,
                0,
                0,
                format!("Fetching {} missing {} record(s)", ids.len(), parent.name),
            );
            emit(self.client.events, &p);
            let body = self.client.get(&q, &p)?;
            let data = envelope(&body, &format!("{} answer", parent.name))?;
            if data.is_empty() {
                break;
            }
            skip += data.len();
            for v in &data {
                // Only the id is looked at before deciding: a row not asked
                // for is not ours to validate or store.
                let asked = v
                    .get("id")
                    .and_then(Value::as_i64)
                    .is_some_and(|id| wanted.remove(&id));
                if !asked {
                    *self.unrequested.entry(parent.name).or_default() += 1;
                    continue;
                }
                let row = parse_row(parent, v)?;
                if !row.deleted {
                    self.store_parent(parent, row)?;
                }
            }
        }
        Ok(())
    }

    /// A parent fetched by id is stored but not counted among its type's
    /// received rows: it is reported as `parents_fetched`.
    fn store_parent(&mut self, parent: &'static ObjectType, row: Row) -> Result<()> {
        let mut up = self.conn.prepare_cached(&upsert_sql(parent))?;
        let mut params: Vec<Sql> = Vec::with_capacity(row.values.len() + 1);
        params.push(Sql::Integer(row.id));
        params.extend(row.values);
        up.execute(rusqlite::params_from_iter(params))?;
        self.parents_fetched += 1;
        Ok(())
    }

    /// Fetches missing parents by id, then drops children whose parent
    /// PeeringDB does not have either.
    fn repair_parents(&mut self) -> Result<()> {
        // Children last-to-first: a net fetched for a netixlan row is itself
        // checked for its org afterwards.
        for t in TYPES.iter().rev() {
            for (field, parent_name) in t.parents {
                let parent = schema::by_name(parent_name).expect("schema parent");
                let missing: Vec<i64> = self
                    .conn
                    .prepare(&format!(
                        "SELECT DISTINCT c.{field} FROM {} c LEFT JOIN {} p ON p.id = c.{field} WHERE p.id IS NULL ORDER BY 1",
                        t.table(),
                        parent.table()
                    ))?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let ask: Vec<i64> = missing
                    .into_iter()
                    .filter(|id| self.asked.insert((parent.name, *id)))
                    .collect();
                for chunk in ask.chunks(100) {
                    self.fetch_by_id(parent, chunk)?;
                }
            }
        }
        // Parents first, so a dropped row's children are dropped after it.
        for t in TYPES {
            for (field, parent_name) in t.parents {
                let parent = schema::by_name(parent_name).expect("schema parent");
                let orphans: Vec<i64> = self
                    .conn
                    .prepare(&format!(
                        "SELECT c.id FROM {} c LEFT JOIN {} p ON p.id = c.{field} WHERE p.id IS NULL",
                        t.table(),
                        parent.table()
                    ))?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                if orphans.is_empty() {
                    continue;
                }
                let mut del = self
                    .conn
                    .prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", t.table()))?;
                let tally = self.tallies.entry(t.name).or_default();
                for id in orphans {
                    del.execute([id])?;
                    tally.kept.remove(&id);
                    tally.orphans_dropped += 1;
                }
            }
        }
        Ok(())
    }

    /// The per-type counts, in schema order.
    fn counts(&mut self) -> Vec<TypeCount> {
        TYPES
            .iter()
            .map(|t| {
                let tally = self.tallies.remove(t.name).unwrap_or_default();
                TypeCount {
                    object_type: t.name.into(),
                    received: tally.received,
                    kept: tally.kept.len() as u32,
                    not_live: tally.kept.values().filter(|live| !**live).count() as u32,
                    orphans_dropped: tally.orphans_dropped,
                    deleted: tally.deleted,
                }
            })
            .collect()
    }
}

/// What the user should look at in a finished sync.
fn warnings(full: bool, types: &[TypeCount], unrequested: &HashMap<&str, u32>) -> Vec<SyncWarning> {
    let mut out = Vec::new();
    let received: u32 = types.iter().map(|t| t.received - t.deleted).sum();
    let kept: u32 = types.iter().map(|t| t.kept).sum();
    if kept == 0 && (full || received > 0) {
        out.push(SyncWarning {
            kind: SyncWarningKind::NothingKept,
            object_type: None,
            message: if received == 0 {
                "PeeringDB sent no rows at all: the mirror is empty. Check the PeeringDB URL in Settings".into()
            } else {
                format!("Kept none of the {received} rows PeeringDB sent: every one was dropped")
            },
        });
    }
    for t in types {
        // More dropped than kept: more than half of what this type would hold.
        if t.orphans_dropped > 0 && t.orphans_dropped > t.kept {
            out.push(SyncWarning {
                kind: SyncWarningKind::MostDropped,
                object_type: Some(t.object_type.clone()),
                message: format!(
                    "{} of {} {} rows were dropped because PeeringDB does not have their parent",
                    t.orphans_dropped,
                    t.orphans_dropped + t.kept,
                    t.object_type
                ),
            });
        }
    }
    for t in TYPES {
        if let Some(n) = unrequested.get(t.name).filter(|n| **n > 0) {
            out.push(SyncWarning {
                kind: SyncWarningKind::UnrequestedRows,
                object_type: Some(t.name.into()),
                message: format!(
                    "The server answered a look-up of {} by id with {n} row(s) that were not asked for; they were ignored",
                    t.name
                ),
            });
        }
    }
    out
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
        client: Client::new(opts, events)?,
        conn: &tx,
        tallies: HashMap::new(),
        asked: HashSet::new(),
        parents_fetched: 0,
        unrequested: HashMap::new(),
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
    run.repair_parents()?;
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
    let types = run.counts();
    let full = !full_types.is_empty();
    let warnings = warnings(full, &types, &run.unrequested);
    let summary = SyncSummary {
        full,
        parents_fetched: run.parents_fetched,
        orphans_dropped: types.iter().map(|t| t.orphans_dropped).sum(),
        unrequested_ignored: run.unrequested.values().sum(),
        types,
        requests,
        millis: 0,
        finished_at: String::new(),
        warnings,
    };
    drop(run);
    tx.commit()?;
    Ok(SyncSummary {
        millis: t0.elapsed().as_millis() as u64,
        finished_at: finished_stamp(),
        ..summary
    })
}

#[cfg(test)]
#[path = "sync_fuzz.rs"]
mod fuzz;

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
