-- What the last Update Session States read besides the state: since when the
-- session has been up (from the router's uptime), the prefixes it accepted
-- from the peer, and the router's last error for a session that is not up.
ALTER TABLE sessions ADD COLUMN bgp_up_since TEXT;
ALTER TABLE sessions ADD COLUMN prefixes_received INTEGER CHECK (prefixes_received >= 0);
ALTER TABLE sessions ADD COLUMN bgp_last_error TEXT;
