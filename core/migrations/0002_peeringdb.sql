-- Local PeeringDB mirror. Rows keep PeeringDB's own ids; no foreign keys, because
-- PeeringDB itself can list a child before (or without) its parent: the sync
-- checks parents itself and reports what it had to drop.
CREATE TABLE pdb_org (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, aka TEXT NOT NULL, name_long TEXT NOT NULL,
    website TEXT NOT NULL, city TEXT NOT NULL, country TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE TABLE pdb_fac (
    id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, name TEXT NOT NULL, city TEXT NOT NULL,
    country TEXT NOT NULL, region_continent TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE TABLE pdb_ix (
    id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, name TEXT NOT NULL, name_long TEXT NOT NULL,
    city TEXT NOT NULL, country TEXT NOT NULL, region_continent TEXT NOT NULL,
    tech_email TEXT NOT NULL, policy_email TEXT NOT NULL, website TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE TABLE pdb_ixlan (
    id INTEGER PRIMARY KEY, ix_id INTEGER NOT NULL, name TEXT NOT NULL, mtu INTEGER,
    rs_asn INTEGER, created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE INDEX pdb_ixlan_ix ON pdb_ixlan (ix_id);
CREATE TABLE pdb_ixpfx (
    id INTEGER PRIMARY KEY, ixlan_id INTEGER NOT NULL, protocol TEXT NOT NULL, prefix TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE INDEX pdb_ixpfx_ixlan ON pdb_ixpfx (ixlan_id);
CREATE TABLE pdb_ixfac (
    id INTEGER PRIMARY KEY, ix_id INTEGER NOT NULL, fac_id INTEGER NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE TABLE pdb_net (
    id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, asn INTEGER NOT NULL, name TEXT NOT NULL,
    aka TEXT NOT NULL, irr_as_set TEXT NOT NULL, info_prefixes4 INTEGER, info_prefixes6 INTEGER,
    info_type TEXT NOT NULL, info_types TEXT NOT NULL, info_never_via_route_servers INTEGER NOT NULL,
    policy_general TEXT NOT NULL, policy_url TEXT NOT NULL, policy_locations TEXT NOT NULL,
    allow_ixp_update INTEGER NOT NULL, website TEXT NOT NULL, looking_glass TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE INDEX pdb_net_asn ON pdb_net (asn);
CREATE INDEX pdb_net_name ON pdb_net (name COLLATE NOCASE);
CREATE TABLE pdb_netfac (
    id INTEGER PRIMARY KEY, net_id INTEGER NOT NULL, fac_id INTEGER NOT NULL, local_asn INTEGER,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE TABLE pdb_netixlan (
    id INTEGER PRIMARY KEY, net_id INTEGER NOT NULL, ix_id INTEGER NOT NULL, ixlan_id INTEGER NOT NULL,
    asn INTEGER NOT NULL, ipaddr4 TEXT, ipaddr6 TEXT, speed INTEGER, is_rs_peer INTEGER NOT NULL,
    operational INTEGER NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE INDEX pdb_netixlan_net ON pdb_netixlan (net_id);
CREATE INDEX pdb_netixlan_ix ON pdb_netixlan (ix_id);
CREATE INDEX pdb_netixlan_asn ON pdb_netixlan (asn);
CREATE TABLE pdb_poc (
    id INTEGER PRIMARY KEY, net_id INTEGER NOT NULL, role TEXT NOT NULL, visible TEXT NOT NULL,
    name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
) STRICT;
CREATE INDEX pdb_poc_net ON pdb_poc (net_id);

-- Per object type: the start (unix seconds) of the last sync that included it.
CREATE TABLE pdb_sync_state (
    object_type TEXT PRIMARY KEY,
    last_sync   INTEGER NOT NULL
) STRICT;

-- One row per sync attempt, for "last successful sync" and the history.
CREATE TABLE pdb_sync_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'cancelled')),
    message     TEXT NOT NULL
) STRICT;

-- Networks the user chose not to see among an exchange's available peers.
CREATE TABLE hidden_peers (
    exchange_id INTEGER NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
    asn         INTEGER NOT NULL,
    PRIMARY KEY (exchange_id, asn)
) STRICT;

ALTER TABLE settings ADD COLUMN peeringdb_url TEXT NOT NULL DEFAULT 'https://www.peeringdb.com/api';
-- Max-prefix suggestion headroom: (PeeringDB value + extra) x factor.
ALTER TABLE settings ADD COLUMN max_prefix_extra INTEGER NOT NULL DEFAULT 100
    CHECK (max_prefix_extra BETWEEN 0 AND 1000000);
ALTER TABLE settings ADD COLUMN max_prefix_factor REAL NOT NULL DEFAULT 1.15
    CHECK (max_prefix_factor BETWEEN 1.0 AND 10.0);
