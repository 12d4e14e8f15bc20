-- The time of day, on this computer's clock, at which a daily job runs ("HH:MM", 24-hour).
-- NULL: the time of day the profile was published, as before this column existed.
ALTER TABLE scheduled_jobs ADD COLUMN time_of_day TEXT
    CHECK (time_of_day IS NULL OR (length(time_of_day) = 5 AND time_of_day GLOB '[0-2][0-9]:[0-5][0-9]'));
