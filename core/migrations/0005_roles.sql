-- The user's role (Admin or Coordinator) and whether switching to Admin is
-- guarded by a passphrase. The passphrase itself is kept only in the keyring.
ALTER TABLE settings ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
    CHECK (role IN ('admin', 'coordinator'));
ALTER TABLE settings ADD COLUMN admin_passphrase_set INTEGER NOT NULL DEFAULT 0
    CHECK (admin_passphrase_set IN (0, 1));
