-- Software entitlements (what the organization owns), reconciliation snapshots (what it owned,
-- used and could save at each run) and the weekly reconciliation job.

-- The currency a model's entitlements are reconciled in: the currency of its first entitlement,
-- set when that entitlement is added and cleared when its last one is removed. An entitlement in
-- another currency carries a rate to it.
ALTER TABLE software_models ADD COLUMN reporting_currency TEXT
    CHECK (reporting_currency IS NULL OR (length(reporting_currency) = 3 AND reporting_currency GLOB '[A-Z][A-Z][A-Z]'));

-- What one seat of the model costs per month, in minor units of unit_currency: the rights-weighted
-- average of its entitlements in use (else of its latest one), converted to its reporting currency;
-- without entitlements, the cost per seat the admin set on its rule; NULL when neither exists.
-- Kept by the core (reconcile::costs) whenever entitlements or costs change and at each
-- reconciliation, so that lists of candidates can sum savings in SQL.
ALTER TABLE software_models ADD COLUMN unit_monthly_minor INTEGER;
ALTER TABLE software_models ADD COLUMN unit_currency TEXT;
UPDATE software_models SET unit_monthly_minor = monthly_cost_minor,
    unit_currency = CASE WHEN monthly_cost_minor IS NULL THEN NULL ELSE currency END;

-- What the organization bought for one software model. License metric: User Subscription (one right
-- per active, unique subscription). Amounts are whole minor units of `currency` (ISO 4217).
CREATE TABLE software_entitlements (
    id                INTEGER PRIMARY KEY,
    profile_id        INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    model_id          INTEGER NOT NULL REFERENCES software_models (id) ON DELETE CASCADE,
    display_name      TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    purchased_rights  INTEGER NOT NULL CHECK (purchased_rights BETWEEN 0 AND 1000000),
    -- Per seat and billing period.
    unit_cost_minor   INTEGER NOT NULL CHECK (unit_cost_minor BETWEEN 0 AND 10000000000),
    currency          TEXT    NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),
    -- One `currency` is worth rate_micros / 1,000,000 of the model's reporting currency; NULL when
    -- `currency` is the reporting currency.
    rate_micros       INTEGER CHECK (rate_micros IS NULL OR rate_micros BETWEEN 1 AND 1000000000000),
    billing_period    TEXT    NOT NULL CHECK (billing_period IN ('monthly', 'annual')),
    term_start        TEXT    NOT NULL,
    term_end          TEXT    NOT NULL,
    license_metric    TEXT    NOT NULL DEFAULT 'user_subscription' CHECK (license_metric IN ('user_subscription')),
    notes             TEXT    CHECK (notes IS NULL OR length(notes) <= 2000),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK (term_end >= term_start)
);
CREATE INDEX software_entitlements_by_model ON software_entitlements (model_id, term_start);
CREATE INDEX software_entitlements_by_profile ON software_entitlements (profile_id);

-- One reconciliation: when, and what started it.
CREATE TABLE reconciliation_runs (
    id         INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    run_at     TEXT    NOT NULL,
    trigger    TEXT    NOT NULL CHECK (trigger IN ('refresh', 'schedule', 'on_demand'))
);
CREATE INDEX reconciliation_runs_by_profile ON reconciliation_runs (profile_id, run_at);

-- A run's figures per software model, kept as they were (the model may be renamed or deleted
-- later). Money: minor units of `currency` per year.
CREATE TABLE reconciliation_results (
    run_id             INTEGER NOT NULL REFERENCES reconciliation_runs (id) ON DELETE CASCADE,
    model_id           INTEGER,
    model_name         TEXT    NOT NULL,
    identifier         TEXT,
    paid               INTEGER NOT NULL CHECK (paid IN (0, 1)),
    entitlements       INTEGER NOT NULL,
    owned              INTEGER NOT NULL,
    used               INTEGER NOT NULL,
    excluded           INTEGER NOT NULL,
    active             INTEGER NOT NULL,
    inactive           INTEGER NOT NULL,
    compliant          INTEGER NOT NULL CHECK (compliant IN (0, 1)),
    over_licensed      INTEGER NOT NULL,
    open_candidates    INTEGER NOT NULL,
    reclaimed          INTEGER NOT NULL,
    -- Per seat and month; NULL when the model has neither an entitlement nor a cost per seat.
    unit_monthly_minor INTEGER,
    currency           TEXT,
    true_up_minor      INTEGER,
    over_licensed_minor INTEGER,
    potential_minor    INTEGER,
    actual_minor       INTEGER,
    PRIMARY KEY (run_id, model_name)
) WITHOUT ROWID;

-- The reconciliation job: scheduled_jobs.kind gains 'reconcile' and schedule gains 'weekly'.
-- Rebuilt as in 20261203000000 (the job results are set aside: dropping the table cascades to them).
CREATE TEMP TABLE job_results_kept AS SELECT * FROM job_results;

CREATE TABLE scheduled_jobs_new (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('subscriptions', 'events', 'reclaim', 'reconcile')),
    name        TEXT    NOT NULL,
    schedule    TEXT    NOT NULL CHECK (schedule IN ('daily', 'weekly', 'on_demand')),
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

-- Published profiles get their weekly reconciliation now (publishing creates it from here on).
INSERT INTO scheduled_jobs (profile_id, kind, name, schedule, enabled, next_run_at, created_at)
    SELECT id, 'reconcile', 'Reconcile ' || display_name || ' Subscriptions', 'weekly', 1,
           strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
    FROM profiles WHERE status = 'published';
