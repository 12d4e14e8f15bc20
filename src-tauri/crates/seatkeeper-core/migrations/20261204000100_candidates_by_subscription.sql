-- A subscription's candidates, closed ones too: the computation asks, for every inactive paid seat,
-- whether it was reclaimed since the last refresh, and deleting a subscription cascades here.
CREATE INDEX removal_candidates_by_subscription ON removal_candidates (subscription_id, state);
