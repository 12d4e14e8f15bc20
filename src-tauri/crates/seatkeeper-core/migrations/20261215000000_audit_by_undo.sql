-- The undo of an audit record, found through an index: the Audit Log asks, for every record it
-- lists, whether it was undone, and the reconciliation whether each reclaimed seat was, and the
-- trigger audit_log_one_undo at every undo. Without it each question read the whole log, so the
-- time to list the log grew with the square of its length.
CREATE INDEX audit_log_by_undo ON audit_log (undo_of) WHERE undo_of IS NOT NULL;
