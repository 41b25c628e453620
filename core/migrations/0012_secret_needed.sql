-- A secret Peerdesk knows it needs but does not hold: a router or session that
-- came from an inventory file had a password at its origin, and a file never
-- names a keyring entry, so the user enters it again here.
ALTER TABLE routers ADD COLUMN credential_needed INTEGER NOT NULL DEFAULT 0 CHECK (credential_needed IN (0, 1));
ALTER TABLE sessions ADD COLUMN md5_needed INTEGER NOT NULL DEFAULT 0 CHECK (md5_needed IN (0, 1));

-- Keys are named from the object they belong to. A reference that is not that
-- name came from a file (an import before this check): it is dropped and the
-- secret asked for again, so no stored string can point at another entry.
UPDATE routers SET credential_needed = 1, credential_ref = NULL
 WHERE credential_ref IS NOT NULL AND credential_ref <> 'router/' || id || '/credential';
UPDATE sessions SET md5_needed = 1, md5_ref = NULL
 WHERE md5_ref IS NOT NULL AND md5_ref <> 'session/' || id || '/md5';
