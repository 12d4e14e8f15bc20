-- Exclusion rules: subscriptions the admin leaves out of cost and candidate calculations. They
-- are flagged in the Software Subscriptions list, never deleted or changed by a rule.
--
-- An identifier rule excludes every subscription with that subscription identifier (compared
-- without regard to case). A user rule's `pattern` is either an email address (lower case,
-- `ann@example.com`) or a domain written with a leading `@` (`@contractors.example`), which
-- excludes the addresses of that domain and of its subdomains. Only active rules count.

CREATE TABLE identifier_exclusion_rules (
    id         INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    identifier TEXT    NOT NULL COLLATE NOCASE,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (profile_id, identifier)
);

CREATE TABLE user_exclusion_rules (
    id         INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    pattern    TEXT    NOT NULL,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (profile_id, pattern)
);

-- The one definition of "excluded": per subscription, the first active rule that matches it
-- (identifier rules first), as the admin reads it: `identifier GUEST`, `user @contractors.example`,
-- `user ann@example.com`. Subscriptions no active rule matches are not listed.
CREATE VIEW subscription_exclusions AS
SELECT subscription_id, profile_id, excluded_by FROM (
    SELECT s.id AS subscription_id, s.profile_id,
           coalesce(
               (SELECT 'identifier ' || r.identifier FROM identifier_exclusion_rules r
                 WHERE r.profile_id = s.profile_id AND r.active = 1 AND r.identifier = s.identifier
                 ORDER BY r.id LIMIT 1),
               (SELECT 'user ' || u.pattern FROM user_exclusion_rules u
                 WHERE u.profile_id = s.profile_id AND u.active = 1 AND (
                       u.pattern = lower(s.email)
                    OR (substr(u.pattern, 1, 1) = '@' AND instr(s.email, '@') > 0 AND (
                            lower(substr(s.email, instr(s.email, '@'))) = u.pattern
                         OR substr(lower(s.email), -length(u.pattern)) = '.' || substr(u.pattern, 2))))
                 ORDER BY u.id LIMIT 1)
           ) AS excluded_by
    FROM software_subscriptions s
)
WHERE excluded_by IS NOT NULL;
