-- Scheduled jobs can be paused (the reference's Active on a scheduled job), apart from `enabled`,
-- which follows the profile's status (a Draft's jobs are disabled until it is published again).
-- A paused job is never due; Run now still runs it. Automatic reclaim holds while the profile's
-- events job is paused, because its activity grows stale.
ALTER TABLE scheduled_jobs ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
