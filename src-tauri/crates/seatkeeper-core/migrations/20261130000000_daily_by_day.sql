-- Per-day activity keyed by day first. The event stream arrives in time order, so with the day
-- leading the key a page of events lands on a few adjacent b-tree pages instead of one page per
-- user scattered over the whole table (measured: the events sync spent most of its time in SQLite
-- reading and re-writing pages). Queries by day range ("active in the last N days") use the key
-- directly.
CREATE TABLE user_activity_daily_new (
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (profile_id, day, user_id)
) WITHOUT ROWID;

INSERT INTO user_activity_daily_new (profile_id, day, user_id, count)
    SELECT profile_id, day, user_id, count FROM user_activity_daily;

DROP TABLE user_activity_daily;

ALTER TABLE user_activity_daily_new RENAME TO user_activity_daily;
