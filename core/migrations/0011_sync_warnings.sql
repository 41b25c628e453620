-- What a finished PeeringDB sync warned about (nothing kept, most of a type
-- dropped as orphans, rows sent that were not asked for), as the JSON list of
-- SyncWarning, so the sync panel shows it after a restart. '[]': none.
ALTER TABLE pdb_sync_runs ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
