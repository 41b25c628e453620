-- Foundation schema: settings, routers, exchanges, peer groups, networks, sessions, audit log.
CREATE TABLE settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    org_name          TEXT NOT NULL DEFAULT '',
    coordinator_name  TEXT NOT NULL DEFAULT '',
    coordinator_email TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO settings (id) VALUES (1);

CREATE TABLE own_asns (
    asn      INTEGER PRIMARY KEY CHECK (asn BETWEEN 1 AND 4294967294 AND asn <> 23456),
    position INTEGER NOT NULL
) STRICT;

CREATE TABLE routers (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    mgmt_address   TEXT NOT NULL,
    ssh_port       INTEGER NOT NULL CHECK (ssh_port BETWEEN 1 AND 65535),
    platform       TEXT NOT NULL CHECK (platform IN ('frr', 'bird2', 'junos', 'iosxr', 'eos', 'sros')),
    username       TEXT NOT NULL,
    auth_method    TEXT NOT NULL CHECK (auth_method IN ('password', 'key', 'agent')),
    credential_ref TEXT,
    ssh_key_path   TEXT,
    local_asn      INTEGER NOT NULL CHECK (local_asn BETWEEN 1 AND 4294967294),
    notes          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE exchanges (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    city               TEXT NOT NULL DEFAULT '',
    country            TEXT NOT NULL DEFAULT '',
    peeringdb_ix_id    INTEGER,
    peeringdb_ixlan_id INTEGER,
    prefix_v4          TEXT,
    prefix_v6          TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;

CREATE TABLE router_exchanges (
    router_id   INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    exchange_id INTEGER NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
    ipv4        TEXT,
    ipv6        TEXT,
    PRIMARY KEY (router_id, exchange_id)
) STRICT;
CREATE INDEX router_exchanges_exchange ON router_exchanges (exchange_id);

CREATE TABLE peer_groups (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    router_id     INTEGER NOT NULL REFERENCES routers (id) ON DELETE RESTRICT,
    exchange_id   INTEGER REFERENCES exchanges (id) ON DELETE SET NULL,
    family        TEXT NOT NULL CHECK (family IN ('ipv4', 'ipv6')),
    import_policy TEXT NOT NULL DEFAULT '',
    export_policy TEXT NOT NULL DEFAULT '',
    max_prefix    INTEGER CHECK (max_prefix IS NULL OR max_prefix > 0),
    session_type  TEXT NOT NULL CHECK (session_type IN ('peer', 'route_server', 'private', 'customer', 'transit')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (router_id, name)
) STRICT;

CREATE TABLE networks (
    id               INTEGER PRIMARY KEY,
    asn              INTEGER NOT NULL UNIQUE CHECK (asn BETWEEN 1 AND 4294967294 AND asn <> 23456),
    name             TEXT NOT NULL,
    as_set           TEXT NOT NULL DEFAULT '',
    max_prefix_v4    INTEGER,
    max_prefix_v6    INTEGER,
    peeringdb_net_id INTEGER,
    local_peer       INTEGER NOT NULL DEFAULT 1 CHECK (local_peer IN (0, 1)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY,
    session_type     TEXT NOT NULL CHECK (session_type IN ('peer', 'route_server', 'private', 'customer', 'transit')),
    exchange_id      INTEGER REFERENCES exchanges (id) ON DELETE RESTRICT,
    router_id        INTEGER NOT NULL REFERENCES routers (id) ON DELETE RESTRICT,
    peer_group_id    INTEGER REFERENCES peer_groups (id) ON DELETE RESTRICT,
    network_id       INTEGER NOT NULL REFERENCES networks (id) ON DELETE RESTRICT,
    peer_ip          TEXT NOT NULL,
    ip_version       INTEGER NOT NULL CHECK (ip_version IN (4, 6)),
    md5_ref          TEXT,
    admin_state      TEXT NOT NULL DEFAULT 'up' CHECK (admin_state IN ('up', 'down')),
    config_state     TEXT NOT NULL DEFAULT 'not_configured'
                     CHECK (config_state IN ('not_configured', 'pending', 'configured', 'failed')),
    bgp_state        TEXT CHECK (bgp_state IS NULL OR bgp_state IN
                     ('idle', 'connect', 'active', 'open_sent', 'open_confirm', 'established')),
    bgp_refreshed_at TEXT,
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (router_id, peer_ip)
) STRICT;
CREATE INDEX sessions_exchange ON sessions (exchange_id);
CREATE INDEX sessions_network ON sessions (network_id);
CREATE INDEX sessions_peer_group ON sessions (peer_group_id);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    action    TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'import')),
    summary   TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
