-- Router access details for pushing configuration, and the host keys the user trusted.
ALTER TABLE routers ADD COLUMN control_command TEXT NOT NULL DEFAULT '';
ALTER TABLE routers ADD COLUMN config_dir TEXT NOT NULL DEFAULT '';

CREATE TABLE host_keys (
    router_id   INTEGER PRIMARY KEY REFERENCES routers (id) ON DELETE CASCADE,
    key_type    TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    key_base64  TEXT NOT NULL,
    trusted_at  TEXT NOT NULL
) STRICT;
