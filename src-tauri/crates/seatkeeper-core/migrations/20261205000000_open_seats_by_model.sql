-- The removal candidates' computation reads the open seats of the paid models only (about half of
-- a large organization), model by model, and passes over a seat whose last login is recent before
-- it looks up the user's activity.
CREATE INDEX software_subscriptions_open_by_model ON software_subscriptions (profile_id, model_id, last_login)
    WHERE closed_at IS NULL;
