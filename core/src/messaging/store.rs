//! SQL for `peer_status`, `peer_history`, `smtp_settings` and `messages`.

use super::{
    EmailDraft, HistoryEntry, MessageState, PeerRow, PeerStatus, SmtpSettings, StoredMessage,
};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

pub(super) fn smtp_settings(conn: &Connection) -> Result<SmtpSettings> {
    Ok(conn.query_row(
        "SELECT host, port, security, username, password_ref IS NOT NULL, ca_file, from_name, from_address,
            reply_to, cc, bcc, cooldown_days FROM smtp_settings WHERE id = 1",
        [],
        |r| {
            Ok(SmtpSettings {
                host: r.get(0)?,
                port: r.get(1)?,
                security: r.get(2)?,
                username: r.get(3)?,
                has_password: r.get(4)?,
                ca_file: r.get(5)?,
                from_name: r.get(6)?,
                from_address: r.get(7)?,
                reply_to: r.get(8)?,
                cc: r.get(9)?,
                bcc: r.get(10)?,
                cooldown_days: r.get(11)?,
            })
        },
    )?)
}

pub(super) fn put_smtp_settings(conn: &Connection, s: &SmtpSettings) -> Result<()> {
    conn.execute(
        "UPDATE smtp_settings SET host = ?1, port = ?2, security = ?3, username = ?4, ca_file = ?5,
            from_name = ?6, from_address = ?7, reply_to = ?8, cc = ?9, bcc = ?10, cooldown_days = ?11
         WHERE id = 1",
        params![s.host, s.port, s.security, s.username, s.ca_file, s.from_name, s.from_address, s.reply_to, s.cc, s.bcc, s.cooldown_days],
    )?;
    Ok(())
}

pub(super) fn set_smtp_password_ref(conn: &Connection, key: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE smtp_settings SET password_ref = ?1 WHERE id = 1",
        [key],
    )?;
    Ok(())
}

pub(super) struct StatusRow {
    pub status: PeerStatus,
    pub first_request_at: Option<String>,
}

pub(super) fn peer_status(conn: &Connection, asn: u32) -> Result<Option<StatusRow>> {
    Ok(conn
        .prepare_cached("SELECT status, first_request_at FROM peer_status WHERE asn = ?1")?
        .query_row([asn], |r| {
            Ok(StatusRow {
                status: r.get(0)?,
                first_request_at: r.get(1)?,
            })
        })
        .optional()?)
}

/// Sets the status; a reset also forgets the request counters.
pub(super) fn set_status(
    conn: &Connection,
    asn: u32,
    status: PeerStatus,
    now: &str,
    reset: bool,
) -> Result<()> {
    conn.execute(
        "INSERT INTO peer_status (asn, status, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (asn) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
        params![asn, status, now],
    )?;
    if reset {
        conn.execute(
            "UPDATE peer_status SET requests_sent = 0, first_request_at = NULL, last_request_at = NULL WHERE asn = ?1",
            [asn],
        )?;
    }
    Ok(())
}

pub(super) fn count_request(conn: &Connection, asn: u32, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE peer_status SET requests_sent = requests_sent + 1,
            first_request_at = coalesce(first_request_at, ?2), last_request_at = ?2 WHERE asn = ?1",
        params![asn, now],
    )?;
    Ok(())
}

pub(super) fn add_history(
    conn: &Connection,
    asn: u32,
    at: &str,
    kind: &str,
    summary: &str,
    message_id: Option<i64>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO peer_history (asn, at, kind, summary, message_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![asn, at, kind, summary, message_id],
    )?;
    Ok(())
}

pub(super) fn history(conn: &Connection, asn: u32) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, kind, summary, message_id FROM peer_history WHERE asn = ?1 ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([asn], |r| {
        Ok(HistoryEntry {
            at: r.get(0)?,
            kind: r.get(1)?,
            summary: r.get(2)?,
            message_id: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const MESSAGE: &str =
    "SELECT id, asn, kind, to_addrs, cc_addrs, bcc_addrs, subject, body, message_id, state,
    attempts, last_error, created_at, sent_at FROM messages";

fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    Ok(StoredMessage {
        id: r.get(0)?,
        asn: r.get(1)?,
        kind: r.get(2)?,
        to: r.get(3)?,
        cc: r.get(4)?,
        bcc: r.get(5)?,
        subject: r.get(6)?,
        body: r.get(7)?,
        message_id: r.get(8)?,
        state: r.get(9)?,
        attempts: r.get(10)?,
        last_error: r.get(11)?,
        created_at: r.get(12)?,
        sent_at: r.get(13)?,
    })
}

pub(super) fn message(conn: &Connection, id: i64) -> Result<StoredMessage> {
    conn.prepare_cached(&format!("{MESSAGE} WHERE id = ?1"))?
        .query_row([id], message_row)
        .optional()?
        .ok_or_else(|| Error::not_found("message", id))
}

pub(super) fn messages(
    conn: &Connection,
    asn: Option<u32>,
    state: Option<MessageState>,
) -> Result<Vec<StoredMessage>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{MESSAGE} WHERE (?1 IS NULL OR asn = ?1) AND (?2 IS NULL OR state = ?2) ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![asn, state], message_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores a draft about to be sent: a new row, or the failed one being retried.
pub(super) fn save_message(
    conn: &Connection,
    d: &EmailDraft,
    message_id: &str,
    state: MessageState,
    now: &str,
) -> Result<i64> {
    if let Some(id) = d.message_id {
        let n = conn.execute(
            "UPDATE messages SET to_addrs = ?2, cc_addrs = ?3, bcc_addrs = ?4, subject = ?5, body = ?6,
                state = ?7, updated_at = ?8 WHERE id = ?1 AND state <> 'sent'",
            params![id, d.to, d.cc, d.bcc, d.subject, d.body, state, now],
        )?;
        if n == 1 {
            return Ok(id);
        }
    }
    conn.execute(
        "INSERT INTO messages (asn, kind, to_addrs, cc_addrs, bcc_addrs, subject, body, message_id, state,
            created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![d.asn, d.kind, d.to, d.cc, d.bcc, d.subject, d.body, message_id, state, now],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn set_message_state(
    conn: &Connection,
    id: i64,
    state: MessageState,
    error: &str,
    sent_at: Option<&str>,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE messages SET state = ?2, last_error = ?3, sent_at = ?4, attempts = attempts + 1, updated_at = ?5 WHERE id = ?1",
        params![id, state, error, sent_at, now],
    )?;
    Ok(())
}

/// Every peer the Communications list shows, with where we meet them.
pub(super) fn peer_rows(conn: &Connection, own: &[u32]) -> Result<Vec<PeerRow>> {
    struct Acc {
        name: String,
        policy: String,
        exchanges: BTreeMap<i64, String>,
        sessions: u32,
    }
    let mut peers: BTreeMap<u32, Acc> = BTreeMap::new();
    let mut acc = |asn: u32, name: String| {
        peers.entry(asn).or_insert_with(|| Acc {
            name,
            policy: String::new(),
            exchanges: BTreeMap::new(),
            sessions: 0,
        });
    };
    for row in conn
        .prepare("SELECT asn, name FROM networks")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
    {
        let (asn, name) = row?;
        acc(asn, name);
    }
    // PeeringDB members of our exchanges.
    let members: Vec<(u32, String, String, i64, String)> = conn
        .prepare(
            "SELECT n.asn, net.name, net.policy_general, e.id, e.name
             FROM exchanges e JOIN pdb_netixlan n ON n.ix_id = e.peeringdb_ix_id
             JOIN pdb_net net ON net.id = n.net_id",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (asn, name, _, _, _) in &members {
        acc(*asn, name.clone());
    }
    for row in conn
        .prepare("SELECT asn FROM peer_status")?
        .query_map([], |r| r.get::<_, u32>(0))?
    {
        let asn = row?;
        acc(asn, format!("AS{asn}"));
    }
    for (asn, _, policy, ex_id, ex_name) in members {
        if let Some(p) = peers.get_mut(&asn) {
            p.policy = policy;
            p.exchanges.insert(ex_id, ex_name);
        }
    }
    let sess: Vec<(u32, Option<i64>, Option<String>)> = conn
        .prepare("SELECT n.asn, s.exchange_id, e.name FROM sessions s JOIN networks n ON n.id = s.network_id LEFT JOIN exchanges e ON e.id = s.exchange_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (asn, ex, name) in sess {
        if let Some(p) = peers.get_mut(&asn) {
            p.sessions += 1;
            if let (Some(ex), Some(name)) = (ex, name) {
                p.exchanges.insert(ex, name);
            }
        }
    }
    let statuses: BTreeMap<u32, (PeerStatus, u32, Option<String>, Option<String>)> = conn
        .prepare(
            "SELECT asn, status, requests_sent, first_request_at, last_request_at FROM peer_status",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let last_notes: BTreeMap<u32, (String, String)> = conn
        .prepare("SELECT asn, at, summary FROM peer_history WHERE id IN (SELECT max(id) FROM peer_history GROUP BY asn)")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let last_contact: BTreeMap<u32, String> = conn
        .prepare("SELECT asn, max(sent_at) FROM messages WHERE state = 'sent' GROUP BY asn")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(peers
        .into_iter()
        .filter(|(asn, _)| !own.contains(asn))
        .map(|(asn, a)| {
            let (status, requests_sent, first, last) =
                statuses
                    .get(&asn)
                    .cloned()
                    .unwrap_or((PeerStatus::New, 0, None, None));
            let note = last_notes
                .get(&asn)
                .map(|(at, s)| format!("{} {s}", &at[..16.min(at.len())].replace('T', " ")));
            PeerRow {
                asn,
                name: a.name,
                status,
                requests_sent,
                first_request_at: first,
                last_request_at: last,
                last_contact_at: last_contact.get(&asn).cloned(),
                exchange_ids: a.exchanges.keys().copied().collect(),
                exchanges: a.exchanges.into_values().collect(),
                policy_general: a.policy,
                sessions: a.sessions,
                actions: super::status::actions(status),
                last_note: note,
            }
        })
        .collect())
}
