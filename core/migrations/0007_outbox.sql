-- The offline outbox: changes prepared for a router, applied in order when it
-- is reachable (see core/src/sync), and what the last probe of each router found.
CREATE TABLE outbox_items (
    id           INTEGER PRIMARY KEY,
    router_id    INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    operation    TEXT NOT NULL CHECK (operation IN ('add', 'remove', 'shutdown', 'enable', 'update')),
    -- JSON of the one-time overrides (no secret: the MD5 password stays in the keyring).
    overrides    TEXT NOT NULL DEFAULT '{}',
    -- The rendered configuration with the MD5 password masked.
    rendered     TEXT NOT NULL,
    -- The router's lines for the neighbour the item was reviewed against;
    -- NULL while they were never read (queued with no network).
    reviewed_current TEXT,
    -- The review diff, one line each, prefixed '  ' (same), '+ ' or '- '.
    diff         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN
                     ('review', 'approved', 'applying', 'applied', 'failed', 'interrupted', 'discarded')),
    position     INTEGER NOT NULL,
    approved_by  TEXT,
    approved_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    applied_at   TEXT,
    last_error   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX outbox_by_router ON outbox_items (router_id, status, position);
CREATE INDEX outbox_by_session ON outbox_items (session_id);

CREATE TABLE router_reachability (
    router_id     INTEGER PRIMARY KEY REFERENCES routers (id) ON DELETE CASCADE,
    reachable     INTEGER NOT NULL,
    -- Probes that failed in a row (0 when the last one succeeded).
    failures      INTEGER NOT NULL DEFAULT 0,
    last_probe_at TEXT NOT NULL,
    last_seen_at  TEXT,
    next_probe_at TEXT NOT NULL,
    last_error    TEXT NOT NULL DEFAULT ''
) STRICT;
