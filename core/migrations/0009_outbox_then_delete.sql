-- A removal that Delete ("Also remove from the router") queued: once the
-- router no longer has the neighbour, the session itself is deleted.
ALTER TABLE outbox_items ADD COLUMN then_delete INTEGER NOT NULL DEFAULT 0 CHECK (then_delete IN (0, 1));
