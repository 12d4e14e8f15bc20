-- The sync engine's data: software models and their reclamation rules, subscription identifiers
-- (unrecognized until mapped to a model), software subscriptions, per-user activity aggregates,
-- each profile's sync state (plan, event stream position, activity settings) and job results.
--
-- Everything hangs off a profile with ON DELETE CASCADE, so deleting a profile removes its data.
-- Timestamps are RFC 3339 text in UTC; days are `YYYY-MM-DD` (UTC). Smartsheet ids are INTEGER
-- (64-bit).

-- What the organization pays for, one per subscription identifier ("Smartsheet Member", …).
-- `subscription_identifier` is the identifier an auto-created model was made for (NULL for a model
-- the admin created by hand).
CREATE TABLE software_models (
    id                      INTEGER PRIMARY KEY,
    profile_id              INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name                    TEXT    NOT NULL,
    subscription_identifier TEXT,
    paid                    INTEGER NOT NULL CHECK (paid IN (0, 1)),
    auto_created            INTEGER NOT NULL CHECK (auto_created IN (0, 1)),
    created_at              TEXT    NOT NULL,
    UNIQUE (profile_id, name),
    UNIQUE (profile_id, subscription_identifier)
);

-- The vendor's names for kinds of seat, as seen. `model_id` NULL = Unrecognized until mapped.
CREATE TABLE subscription_identifiers (
    id         INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    identifier TEXT    NOT NULL,
    model_id   INTEGER REFERENCES software_models (id) ON DELETE SET NULL,
    first_seen TEXT    NOT NULL,
    UNIQUE (profile_id, identifier)
);

-- Per model: when a subscription counts as unused. Used by the reclamation work.
CREATE TABLE reclamation_rules (
    id                             INTEGER PRIMARY KEY,
    model_id                       INTEGER NOT NULL UNIQUE REFERENCES software_models (id) ON DELETE CASCADE,
    last_activity_threshold_days   INTEGER NOT NULL DEFAULT 60 CHECK (last_activity_threshold_days > 0),
    active                         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at                     TEXT    NOT NULL
);

-- One user's seat in the organization. Never deleted by a sync: users gone from Smartsheet or
-- deactivated are closed (`closed_at`, `closed_reason`) and reopened if they come back.
CREATE TABLE software_subscriptions (
    id                     INTEGER PRIMARY KEY,
    profile_id             INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    user_id                INTEGER NOT NULL,
    email                  TEXT    NOT NULL,
    name                   TEXT,
    identifier             TEXT    NOT NULL,
    model_id               INTEGER REFERENCES software_models (id) ON DELETE SET NULL,
    status                 TEXT,
    is_internal            INTEGER CHECK (is_internal IN (0, 1)),
    is_admin               INTEGER CHECK (is_admin IN (0, 1)),
    seat_changed_at        TEXT,
    provisional_expires_at TEXT,
    last_login             TEXT,
    first_seen             TEXT    NOT NULL,
    last_seen              TEXT    NOT NULL,
    closed_at              TEXT,
    closed_reason          TEXT CHECK (closed_reason IN ('removed', 'deactivated')),
    UNIQUE (profile_id, user_id)
);
CREATE INDEX software_subscriptions_identifier ON software_subscriptions (profile_id, identifier);

-- Per user: the latest activity and where it came from.
CREATE TABLE user_activity (
    profile_id       INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL,
    last_activity_at TEXT    NOT NULL,
    source           TEXT    NOT NULL CHECK (source IN ('events', 'last_login')),
    updated_at       TEXT    NOT NULL,
    PRIMARY KEY (profile_id, user_id)
) WITHOUT ROWID;

-- Per user and UTC day: how many counted events.
CREATE TABLE user_activity_daily (
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    day        TEXT    NOT NULL,
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (profile_id, user_id, day)
) WITHOUT ROWID;

-- Per profile: the plan found by the last subscriptions download, the event stream position
-- (committed with the aggregates it produced), and the activity settings.
CREATE TABLE sync_state (
    profile_id                 INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    plan_model                 TEXT CHECK (plan_model IN ('usm', 'legacy')),
    plan_id                    INTEGER,
    last_subscriptions_sync_at TEXT,
    -- The `since` the stream was first read from; the position belongs to it.
    events_from                TEXT,
    events_position            TEXT,
    last_events_sync_at        TEXT,
    -- Where the last activity run took last activity from.
    activity_source            TEXT CHECK (activity_source IN ('events', 'last_login')),
    -- JSON array of "OBJECT_TYPE:ACTION" pairs that do not count as activity ("SHEET:*" = all
    -- actions on sheets). Empty: every user-initiated event counts.
    excluded_event_kinds       TEXT    NOT NULL DEFAULT '[]'
);

-- One run of a scheduled job.
CREATE TABLE job_results (
    id                    INTEGER PRIMARY KEY,
    job_id                INTEGER NOT NULL REFERENCES scheduled_jobs (id) ON DELETE CASCADE,
    number                INTEGER NOT NULL,
    started_at            TEXT    NOT NULL,
    finished_at           TEXT,
    status                TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    users_read            INTEGER NOT NULL DEFAULT 0,
    subscriptions_created INTEGER NOT NULL DEFAULT 0,
    subscriptions_updated INTEGER NOT NULL DEFAULT 0,
    subscriptions_closed  INTEGER NOT NULL DEFAULT 0,
    events_read           INTEGER NOT NULL DEFAULT 0,
    requests              INTEGER NOT NULL DEFAULT 0,
    retries               INTEGER NOT NULL DEFAULT 0,
    warnings              INTEGER NOT NULL DEFAULT 0,
    warning_text          TEXT,
    error_message         TEXT,
    UNIQUE (job_id, number)
);
