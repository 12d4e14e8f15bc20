-- Save first: as in the reference's procedure, a Draft profile is saved before its Connection &
-- Credential is set up, so profiles.connection_id may be NULL — for a Draft only (a Published
-- profile always has one: Validate Connection and Publish require it, and the trigger below
-- refuses anything else).
--
-- SQLite cannot drop a NOT NULL in place, and rebuilding the table is not safe here: a dozen tables
-- refer to profiles with ON DELETE CASCADE, migrations run in a transaction where foreign keys
-- cannot be turned off, and dropping (or renaming) the old table would delete (or re-point) all
-- their rows. So this uses SQLite's documented procedure for removing a NOT NULL constraint
-- (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"): the
-- table's text in sqlite_schema is changed, which leaves the stored rows as they are, and
-- `writable_schema = RESET` makes this connection read the schema again. The trigger created next
-- changes the schema's version, so every other connection reads it again too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
    SET sql = replace(sql,
        'connection_id         INTEGER NOT NULL REFERENCES connections (id) ON DELETE RESTRICT',
        'connection_id         INTEGER REFERENCES connections (id) ON DELETE RESTRICT')
    WHERE type = 'table' AND name = 'profiles';
PRAGMA writable_schema = RESET;

CREATE TRIGGER profiles_published_have_a_connection BEFORE UPDATE OF status, connection_id ON profiles
    WHEN NEW.status = 'published' AND NEW.connection_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'a published profile needs a connection');
END;
CREATE TRIGGER profiles_published_have_a_connection_at_insert BEFORE INSERT ON profiles
    WHEN NEW.status = 'published' AND NEW.connection_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'a published profile needs a connection');
END;
