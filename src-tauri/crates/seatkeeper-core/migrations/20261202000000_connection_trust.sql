-- Where a connection's API key may go.
--
-- key_origin: the origin (scheme://host[:port]) the stored key was entered for. Seatkeeper sends
-- the key nowhere else: a Connection URL on another origin needs the key entered again. Existing
-- connections keep the origin of their URL (stored normalized, so it is everything before the
-- first '/' after "://").
ALTER TABLE connections ADD COLUMN key_origin TEXT NOT NULL DEFAULT '';
UPDATE connections SET key_origin = CASE
    WHEN instr(substr(url, instr(url, '://') + 3), '/') = 0 THEN url
    ELSE substr(url, 1, instr(url, '://') + 1 + instr(substr(url, instr(url, '://') + 3), '/'))
END;

-- trusted_host: a host that is not one of Smartsheet's API hosts (nor loopback), which the admin
-- confirmed after a warning that names it. NULL: none confirmed, so only Smartsheet's hosts and
-- loopback are used. Existing connections to other hosts must be confirmed again.
ALTER TABLE connections ADD COLUMN trusted_host TEXT;

-- The demo organization's connection, recognised by this flag (never by its name). Existing demo
-- connections are the ones the app created: the demo's name on a loopback http:// URL.
ALTER TABLE connections ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1));
UPDATE connections SET is_demo = 1
    WHERE name = 'Demo organization (simulated Smartsheet)'
      AND (url LIKE 'http://127.0.0.1:%' OR url LIKE 'http://localhost:%');
CREATE UNIQUE INDEX connections_one_demo ON connections (is_demo) WHERE is_demo = 1;
