-- The scheduler: jobs (one row per run; a recurring job adds its next run when
-- one ends) and the scheduler's settings (one row).
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('configure_sessions', 'peeringdb_sync', 'refresh_states')),
    title         TEXT NOT NULL,
    run_at        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN
                      ('scheduled', 'running', 'done', 'failed', 'cancelled', 'overdue', 'interrupted')),
    -- JSON array of ids: sessions (configure_sessions) or routers (refresh_states; empty = every router).
    target_ids    TEXT NOT NULL DEFAULT '[]',
    every_minutes INTEGER CHECK (every_minutes IS NULL OR every_minutes > 0),
    -- Set when a runner claims the job; only the holder of the token may finish it.
    claim         TEXT,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    result        TEXT NOT NULL DEFAULT '',
    log           TEXT NOT NULL DEFAULT '[]'
) STRICT;

CREATE INDEX jobs_by_status_time ON jobs (status, run_at);

CREATE TABLE job_settings (
    id                           INTEGER PRIMARY KEY CHECK (id = 1),
    grace_minutes                INTEGER NOT NULL DEFAULT 10,
    peeringdb_sync_enabled       INTEGER NOT NULL DEFAULT 1,
    peeringdb_sync_every_minutes INTEGER NOT NULL DEFAULT 1440,
    refresh_enabled              INTEGER NOT NULL DEFAULT 1,
    refresh_every_minutes        INTEGER NOT NULL DEFAULT 15
) STRICT;

INSERT INTO job_settings (id) VALUES (1);
