-- Integration profiles, their connection & credential aliases, the latest validation of each
-- profile, and their scheduled jobs. Shipped migrations are never edited: add a new file.
--
-- Timestamps are RFC 3339 text in UTC. `*_key` columns hold the case-folded name that makes
-- names unique regardless of case (folded in Rust, so that non-ASCII letters fold too).

-- A connection & credential alias: where and how to reach Smartsheet. The API key itself is only
-- in the system keychain, under `key_id` (random, replaced whenever the key changes).
CREATE TABLE connections (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL UNIQUE,
    url           TEXT    NOT NULL,
    key_id        TEXT    NOT NULL UNIQUE,
    key_last_four TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE profiles (
    id                    INTEGER PRIMARY KEY,
    display_name          TEXT    NOT NULL,
    display_name_key      TEXT    NOT NULL UNIQUE,
    status                TEXT    NOT NULL CHECK (status IN ('draft', 'published')),
    connection_id         INTEGER NOT NULL REFERENCES connections (id) ON DELETE RESTRICT,
    download_activity     INTEGER NOT NULL CHECK (download_activity IN (0, 1)),
    analyze_activity_from TEXT    NOT NULL,
    reclaim_subscriptions INTEGER NOT NULL CHECK (reclaim_subscriptions IN (0, 1)),
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    published_at          TEXT
);
CREATE INDEX profiles_connection ON profiles (connection_id);

-- The latest Validate Connection result of a profile. Deleted whenever something it vouched for
-- changes (the connection's URL or key, Download activity cleared), so that a row with ok = 1
-- always means "validated as it is now".
CREATE TABLE profile_validations (
    profile_id      INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    validated_at    TEXT    NOT NULL,
    ok              INTEGER NOT NULL CHECK (ok IN (0, 1)),
    failure         TEXT,
    message         TEXT    NOT NULL,
    owner_email     TEXT,
    owner_name      TEXT,
    owner_is_admin  INTEGER,
    organization    TEXT,
    event_reporting INTEGER
);

CREATE TABLE scheduled_jobs (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('subscriptions', 'events')),
    name        TEXT    NOT NULL,
    schedule    TEXT    NOT NULL CHECK (schedule IN ('daily')),
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    next_run_at TEXT,
    created_at  TEXT    NOT NULL,
    UNIQUE (profile_id, kind)
);
