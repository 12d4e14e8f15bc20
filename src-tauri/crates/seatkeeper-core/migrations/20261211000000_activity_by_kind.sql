-- Per user and kind of event (object type and action): the latest counted event and how many were
-- counted, for a user's activity panel ("last events by type"). The events job (sync::activity)
-- folds them with user_activity and user_activity_daily, in the same transaction, and clears them
-- with them. Existing profiles start empty: the kinds are kept from their next Events refresh on.
CREATE TABLE user_activity_kinds (
    profile_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    object_type TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    last_at     TEXT    NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (profile_id, user_id, object_type, action)
) WITHOUT ROWID;
