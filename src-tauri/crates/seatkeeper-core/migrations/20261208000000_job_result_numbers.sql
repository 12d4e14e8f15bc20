-- Scheduled Job Results are numbered once across every job and profile (as ServiceNow numbers its
-- records), instead of 1, 2, 3 per job, and a number is never given twice, also after results
-- went with their profile.
CREATE TABLE job_result_counter (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);

-- The results so far, renumbered in the order they were made (through negative numbers, so that no
-- step breaks UNIQUE (job_id, number)).
UPDATE job_results SET number = -id;
UPDATE job_results SET number = id;
INSERT INTO job_result_counter (id, last) SELECT 1, coalesce(max(id), 0) FROM job_results;

-- Every new result takes the next number (results::insert asks for last + 1).
CREATE TRIGGER job_results_counted AFTER INSERT ON job_results
BEGIN
    UPDATE job_result_counter SET last = max(last, NEW.number) WHERE id = 1;
END;
