-- Reclamation: rule fields, what the rules need to know about users, protected users, removal
-- candidates, and the audit log of every write Seatkeeper makes to Smartsheet.

-- The rule of a model (one per model). Ranges are checked in Rust with messages; these CHECKs are
-- the last line.
ALTER TABLE reclamation_rules ADD COLUMN grace_period_days INTEGER NOT NULL DEFAULT 30
    CHECK (grace_period_days BETWEEN 0 AND 3650);
ALTER TABLE reclamation_rules ADD COLUMN notify_user INTEGER NOT NULL DEFAULT 0 CHECK (notify_user IN (0, 1));
-- With Notify user on: days after the notification without an answer before the candidate is Ready.
ALTER TABLE reclamation_rules ADD COLUMN days_before_auto_reclamation INTEGER NOT NULL DEFAULT 14
    CHECK (days_before_auto_reclamation BETWEEN 1 AND 365);
-- Reclaim Ready candidates of this rule without a review, through the same job (default off).
ALTER TABLE reclamation_rules ADD COLUMN auto_reclaim INTEGER NOT NULL DEFAULT 0 CHECK (auto_reclaim IN (0, 1));
-- free_seat: downgrade a USM paid seat (CONTRIBUTOR, or GUEST for external users), or clear a
-- legacy license (licensedSheetCreator=false). deactivate: block the user's access (explicit).
ALTER TABLE reclamation_rules ADD COLUMN reclaim_action TEXT NOT NULL DEFAULT 'free_seat'
    CHECK (reclaim_action IN ('free_seat', 'deactivate'));
ALTER TABLE reclamation_rules ADD COLUMN updated_at TEXT;

-- What one seat of a model costs, until entitlements exist: minor units (cents) per month, and an
-- ISO 4217 currency code.
ALTER TABLE software_models ADD COLUMN monthly_cost_minor INTEGER
    CHECK (monthly_cost_minor IS NULL OR monthly_cost_minor BETWEEN 0 AND 100000000);
ALTER TABLE software_models ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'
    CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]');

-- A legacy user who is a group admin or resource viewer must have those cleared before their
-- license can be (Smartsheet errors 1102 and 1097). NULL: not reported.
ALTER TABLE software_subscriptions ADD COLUMN is_group_admin INTEGER CHECK (is_group_admin IN (0, 1));
ALTER TABLE software_subscriptions ADD COLUMN is_resource_viewer INTEGER CHECK (is_resource_viewer IN (0, 1));

-- The token owner's Smartsheet user id (never a removal candidate).
ALTER TABLE profile_validations ADD COLUMN owner_user_id INTEGER;

-- People whose seats are never reclaimed (executives, service accounts): an email address (lower
-- case) or a domain written with a leading '@', as for user exclusion rules.
CREATE TABLE protected_users (
    id         INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    pattern    TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    UNIQUE (profile_id, pattern)
);

-- A paid seat that looks unused, and where its review stands. The user and seat are copied when the
-- candidate opens; the activity fields of an open candidate follow each computation; a closed
-- candidate is never changed again (and never reopened: a new one opens instead).
CREATE TABLE removal_candidates (
    id               INTEGER PRIMARY KEY,
    profile_id       INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    subscription_id  INTEGER NOT NULL REFERENCES software_subscriptions (id) ON DELETE CASCADE,
    model_id         INTEGER REFERENCES software_models (id) ON DELETE SET NULL,
    user_id          INTEGER NOT NULL,
    email            TEXT    NOT NULL,
    name             TEXT,
    identifier       TEXT    NOT NULL,
    is_internal      INTEGER CHECK (is_internal IN (0, 1)),
    justification    TEXT    NOT NULL CHECK (justification IN ('low_usage', 'never_used')),
    last_activity_at TEXT,
    activity_source  TEXT    NOT NULL CHECK (activity_source IN ('events', 'last_login', 'none')),
    -- Inactive since: the last activity, or (none known) since when the account is known to exist.
    -- Inactive days are counted from it (to now, or to closed_at once closed).
    inactive_since   TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('ready', 'awaiting_user', 'awaiting_approval',
                         'awaiting_revocation', 'attention_required', 'closed_complete', 'closed_skipped',
                         'closed_canceled')),
    opened_at        TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    closed_at        TEXT,
    notified_at      TEXT,
    answered_at      TEXT,
    approved_at      TEXT,
    approved_by      TEXT,
    -- Why it was skipped or closed, or what went wrong (Attention Required).
    note             TEXT,
    CHECK ((closed_at IS NULL) = (state NOT LIKE 'closed%'))
);
CREATE UNIQUE INDEX removal_candidates_one_open ON removal_candidates (subscription_id) WHERE closed_at IS NULL;
CREATE INDEX removal_candidates_by_state ON removal_candidates (profile_id, state, inactive_since);

-- Every write Seatkeeper makes to Smartsheet: the intent, written and committed before the call,
-- and its outcome (audit_outcomes), written once after it. Neither is ever changed, and they are
-- deleted only with their profile.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    profile_id    INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    requested_at  TEXT    NOT NULL,
    user_id       INTEGER NOT NULL,
    email         TEXT    NOT NULL,
    name          TEXT,
    action        TEXT    NOT NULL CHECK (action IN ('downgrade', 'unlicense', 'deactivate', 'upgrade',
                      'relicense', 'reactivate')),
    seat_before   TEXT    NOT NULL,
    seat_after    TEXT    NOT NULL,
    -- The request as sent (method and path, and body), without any credential.
    request       TEXT    NOT NULL,
    -- The operating-system user who confirmed it.
    confirmed_by  TEXT    NOT NULL,
    -- The removal candidate it reclaims (plain ids: the log outlives nothing it points at).
    candidate_id  INTEGER,
    -- The record this one undoes.
    undo_of       INTEGER,
    job_result_id INTEGER
);
CREATE INDEX audit_log_by_profile ON audit_log (profile_id, requested_at);
CREATE INDEX audit_log_by_candidate ON audit_log (candidate_id) WHERE candidate_id IS NOT NULL;
CREATE UNIQUE INDEX audit_log_one_undo ON audit_log (undo_of) WHERE undo_of IS NOT NULL;

CREATE TABLE audit_outcomes (
    audit_id    INTEGER PRIMARY KEY REFERENCES audit_log (id) ON DELETE CASCADE,
    finished_at TEXT    NOT NULL,
    -- succeeded / failed: Smartsheet's answer. applied / not_applied: the answer was lost (the
    -- connection broke, a 5xx, the process stopped) and the user's seat was read to settle it.
    outcome     TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'applied', 'not_applied')),
    error_code  INTEGER,
    message     TEXT,
    ref_id      TEXT
);

CREATE TRIGGER audit_log_never_changes BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are never changed');
END;
CREATE TRIGGER audit_log_kept BEFORE DELETE ON audit_log
    WHEN EXISTS (SELECT 1 FROM profiles WHERE id = OLD.profile_id)
BEGIN
    SELECT RAISE(ABORT, 'audit records are deleted only with their profile');
END;
CREATE TRIGGER audit_outcomes_never_change BEFORE UPDATE ON audit_outcomes
BEGIN
    SELECT RAISE(ABORT, 'audit records are never changed');
END;
CREATE TRIGGER audit_outcomes_kept BEFORE DELETE ON audit_outcomes
    WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = OLD.audit_id)
BEGIN
    SELECT RAISE(ABORT, 'audit records are deleted only with their profile');
END;

-- What a reclaim run did, per candidate.
ALTER TABLE job_results ADD COLUMN candidates_reclaimed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_results ADD COLUMN candidates_canceled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_results ADD COLUMN candidates_failed INTEGER NOT NULL DEFAULT 0;
