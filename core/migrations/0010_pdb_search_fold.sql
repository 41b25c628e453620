-- Case-folded copies of network and exchange names for search. SQLite's
-- lower() and LIKE fold ASCII only, so Peerdesk folds in Rust (all of Unicode)
-- and keeps the result here. A row the sync writes (INSERT OR REPLACE) starts
-- with NULL keys; a row whose name changes in place gets NULL keys from the
-- triggers below. Lookups fill the NULL keys before they search, so no writer
-- of the mirror needs to know about these columns.
ALTER TABLE pdb_net ADD COLUMN search_name TEXT;
ALTER TABLE pdb_net ADD COLUMN search_aka TEXT;
CREATE INDEX pdb_net_unfolded ON pdb_net (id) WHERE search_name IS NULL OR search_aka IS NULL;
CREATE TRIGGER pdb_net_refold AFTER UPDATE OF name, aka ON pdb_net
BEGIN
    UPDATE pdb_net SET search_name = NULL, search_aka = NULL WHERE id = NEW.id;
END;

ALTER TABLE pdb_ix ADD COLUMN search_name TEXT;
ALTER TABLE pdb_ix ADD COLUMN search_name_long TEXT;
ALTER TABLE pdb_ix ADD COLUMN search_city TEXT;
CREATE INDEX pdb_ix_unfolded ON pdb_ix (id)
    WHERE search_name IS NULL OR search_name_long IS NULL OR search_city IS NULL;
CREATE TRIGGER pdb_ix_refold AFTER UPDATE OF name, name_long, city ON pdb_ix
BEGIN
    UPDATE pdb_ix SET search_name = NULL, search_name_long = NULL, search_city = NULL
    WHERE id = NEW.id;
END;

