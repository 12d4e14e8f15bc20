-- An undo that Smartsheet refused (or that was found not carried out) may be tried again, so "one
-- undo per record" counts only undos that changed the seat back or whose outcome is not known yet.
-- A partial unique index cannot see audit_outcomes; a trigger can.
DROP INDEX audit_log_one_undo;
CREATE TRIGGER audit_log_one_undo BEFORE INSERT ON audit_log
    WHEN NEW.undo_of IS NOT NULL AND EXISTS (
        SELECT 1 FROM audit_log u LEFT JOIN audit_outcomes o ON o.audit_id = u.id
        WHERE u.undo_of = NEW.undo_of AND (o.outcome IS NULL OR o.outcome IN ('succeeded', 'applied')))
BEGIN
    SELECT RAISE(ABORT, 'this audit record is already undone, or its undo is in progress');
END;
