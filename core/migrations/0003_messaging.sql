-- Communications: each peer's peering status, its history, the SMTP account,
-- and every email (drafts, the outbox, sent mail).
CREATE TABLE peer_status (
    asn              INTEGER PRIMARY KEY CHECK (asn BETWEEN 1 AND 4294967294),
    status           TEXT NOT NULL CHECK (status IN ('new', 'existing', 'not_qualified', 'request_sent',
                                                     'request_received', 'approved', 'rejected')),
    requests_sent    INTEGER NOT NULL DEFAULT 0,
    first_request_at TEXT,
    last_request_at  TEXT,
    updated_at       TEXT NOT NULL
) STRICT;

CREATE TABLE peer_history (
    id         INTEGER PRIMARY KEY,
    asn        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('status', 'email')),
    summary    TEXT NOT NULL,
    message_id INTEGER
) STRICT;
CREATE INDEX peer_history_asn ON peer_history (asn, id);

CREATE TABLE smtp_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    host         TEXT NOT NULL DEFAULT '',
    port         INTEGER NOT NULL DEFAULT 587 CHECK (port BETWEEN 1 AND 65535),
    security     TEXT NOT NULL DEFAULT 'starttls' CHECK (security IN ('starttls', 'tls', 'plain')),
    username     TEXT NOT NULL DEFAULT '',
    password_ref TEXT,
    ca_file      TEXT NOT NULL DEFAULT '',
    from_name    TEXT NOT NULL DEFAULT '',
    from_address TEXT NOT NULL DEFAULT '',
    reply_to     TEXT NOT NULL DEFAULT '',
    cc           TEXT NOT NULL DEFAULT '',
    bcc          TEXT NOT NULL DEFAULT '',
    cooldown_days INTEGER NOT NULL DEFAULT 7 CHECK (cooldown_days >= 0)
) STRICT;
INSERT INTO smtp_settings (id) VALUES (1);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    asn         INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('request', 'resend', 'noc', 'policy', 'technical')),
    to_addrs    TEXT NOT NULL,
    cc_addrs    TEXT NOT NULL DEFAULT '',
    bcc_addrs   TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    message_id  TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    sent_at     TEXT
) STRICT;
CREATE INDEX messages_asn ON messages (asn, id);
CREATE INDEX messages_state ON messages (state);

-- Templates the user edited; a template with no row here uses its embedded default.
CREATE TABLE templates (
    name       TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Every saved version, for the revision history and revert.
CREATE TABLE template_revisions (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    body     TEXT NOT NULL,
    saved_at TEXT NOT NULL
) STRICT;
CREATE INDEX template_revisions_name ON template_revisions (name, id);
