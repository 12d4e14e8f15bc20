-- How many users were active each day: the License Usage view's daily active users. The events
-- job (sync::activity) recounts the days it adds to in user_activity_daily, in the same
-- transaction, so that the view reads a few dozen rows instead of counting about a million.
CREATE TABLE user_activity_days (
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    users      INTEGER NOT NULL CHECK (users >= 0),
    PRIMARY KEY (profile_id, day)
) WITHOUT ROWID;

INSERT INTO user_activity_days (profile_id, day, users)
SELECT profile_id, day, count(*) FROM user_activity_daily GROUP BY profile_id, day;
