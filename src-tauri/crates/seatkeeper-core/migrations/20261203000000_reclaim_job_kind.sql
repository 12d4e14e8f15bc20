-- The reclaim job: scheduled_jobs.kind gains 'reclaim', and schedule gains 'on_demand' (a job that
-- runs only when the admin starts it, after confirming what it will do).
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt. Migrations run in a
-- transaction, where foreign keys cannot be turned off, and dropping the old table deletes every
-- job result through ON DELETE CASCADE: the results are set aside first and put back once the new
-- table has taken the old one's name (job_results refers to it by that name).
CREATE TEMP TABLE job_results_kept AS SELECT * FROM job_results;

CREATE TABLE scheduled_jobs_new (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('subscriptions', 'events', 'reclaim')),
    name        TEXT    NOT NULL,
    schedule    TEXT    NOT NULL CHECK (schedule IN ('daily', 'on_demand')),
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    next_run_at TEXT,
    created_at  TEXT    NOT NULL,
    time_of_day TEXT
        CHECK (time_of_day IS NULL OR (length(time_of_day) = 5 AND time_of_day GLOB '[0-2][0-9]:[0-5][0-9]')),
    UNIQUE (profile_id, kind)
);

INSERT INTO scheduled_jobs_new (id, profile_id, kind, name, schedule, enabled, next_run_at, created_at, time_of_day)
    SELECT id, profile_id, kind, name, schedule, enabled, next_run_at, created_at, time_of_day FROM scheduled_jobs;

DROP TABLE scheduled_jobs;

ALTER TABLE scheduled_jobs_new RENAME TO scheduled_jobs;

INSERT INTO job_results SELECT * FROM temp.job_results_kept;

DROP TABLE temp.job_results_kept;
