import MediaformCore
import PostgresNIO

/// The tables' schema, created and migrated by mediaform. Each version is a list of statements run in one
/// transaction; `schema_migrations` records which versions are installed.
enum PostgresSchema {
    /// The newest schema version this build creates and understands.
    static let latest = 5

    /// Rows written or deleted by one statement in a snapshot: bounded so that one statement's binds stay small.
    static let rowsPerStatement = 5_000

    struct Tables {
        let schema: String
        init(_ schema: String) { self.schema = schema }
        var migrations: String { "\(schema).schema_migrations" }
        var states: String { "\(schema).states" }
        var assets: String { "\(schema).assets" }
        var journal: String { "\(schema).journal" }
        var locks: String { "\(schema).locks" }
    }

    /// The statements of each version. Never edit a released version: add the next one.
    static func migrations(_ t: Tables) -> [(version: Int, statements: [String])] {
        [
            (
                1,
                [
                    """
                    CREATE TABLE \(t.states) (
                        name text PRIMARY KEY, format_version integer NOT NULL, lineage text NOT NULL, serial bigint NOT NULL,
                        generator text NOT NULL, journal_sequence bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())
                    """,
                    """
                    CREATE TABLE \(t.assets) (
                        state_name text NOT NULL REFERENCES \(t.states) (name) ON DELETE CASCADE, key text NOT NULL,
                        status text NOT NULL, job_id text, media_id text, record text NOT NULL, PRIMARY KEY (state_name, key))
                    """,
                    """
                    CREATE TABLE \(t.journal) (
                        state_name text NOT NULL, sequence bigint NOT NULL, record text NOT NULL,
                        written_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (state_name, sequence))
                    """,
                    """
                    CREATE TABLE \(t.locks) (
                        state_name text PRIMARY KEY, lock_id text NOT NULL, operation text NOT NULL, holder_user text NOT NULL,
                        host text NOT NULL, pid integer NOT NULL, ci_run text, created text NOT NULL, backend_pid integer NOT NULL,
                        backend_start timestamptz)
                    """,
                ]
            ),
            (
                2,
                [
                    // The project's category tree (issue 17): path → record, as the JSON object the local state
                    // file holds under "categories". Few entries, so one cell beside the header.
                    "ALTER TABLE \(t.states) ADD COLUMN categories text"
                ]
            ),
            (
                3,
                [
                    // The manifest cache (issue 18), as the JSON object the local state file holds under
                    // "manifestCache": one cell beside the header, read on its own before the rows.
                    "ALTER TABLE \(t.states) ADD COLUMN manifest_cache text"
                ]
            ),
            (
                4,
                [
                    // The upload inputs most records share (issue 18), as the JSON object the local state file holds
                    // under "uploadDefaults": rows then hold only the inputs that differ. NULL: rows hold them all
                    // (as written before this version); the next snapshot rewrites them.
                    "ALTER TABLE \(t.states) ADD COLUMN upload_defaults text"
                ]
            ),
            (
                5,
                [
                    // Whether the rows changed since the manifest cache was written (issue 18): every statement that
                    // writes, deletes or truncates asset rows, mediaform's or anyone's, counts in `rows_version` of
                    // the states whose rows it touched; a snapshot that writes a cache stamps it (`cache_stamp`,
                    // `cacheStamp`). A plan then trusts the cache's record digests without recomputing them.
                    "ALTER TABLE \(t.states) ADD COLUMN rows_version bigint NOT NULL DEFAULT 0",
                    "ALTER TABLE \(t.states) ADD COLUMN cache_stamp text",
                    rowsChangedFunction(t, name: "rows_written", table: "changed"),
                    rowsChangedFunction(t, name: "rows_updated", table: "changed UNION SELECT state_name FROM before"),
                    """
                    CREATE FUNCTION \(t.schema).rows_truncated() RETURNS trigger LANGUAGE plpgsql AS $body$
                    BEGIN
                        UPDATE \(t.states) SET rows_version = rows_version + 1;
                        RETURN NULL;
                    END $body$
                    """,
                    """
                    CREATE TRIGGER rows_inserted AFTER INSERT ON \(t.assets) REFERENCING NEW TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION \(t.schema).rows_written()
                    """,
                    """
                    CREATE TRIGGER rows_updated AFTER UPDATE ON \(t.assets) REFERENCING NEW TABLE AS changed
                        OLD TABLE AS before FOR EACH STATEMENT EXECUTE FUNCTION \(t.schema).rows_updated()
                    """,
                    """
                    CREATE TRIGGER rows_deleted AFTER DELETE ON \(t.assets) REFERENCING OLD TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION \(t.schema).rows_written()
                    """,
                    """
                    CREATE TRIGGER rows_truncated AFTER TRUNCATE ON \(t.assets)
                        FOR EACH STATEMENT EXECUTE FUNCTION \(t.schema).rows_truncated()
                    """,
                ]
            ),
        ]
    }

    /// A trigger function that counts one change in `rows_version` of each state named in the transition table
    /// `changed` (and, for updates, `before`: a row moved to another state changes both).
    private static func rowsChangedFunction(_ t: Tables, name: String, table: String) -> String {
        """
        CREATE FUNCTION \(t.schema).\(name)() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            UPDATE \(t.states) SET rows_version = rows_version + 1
            WHERE name IN (SELECT state_name FROM \(table));
            RETURN NULL;
        END $body$
        """
    }

    /// The stamp of a state's manifest cache: the rows' change count with everything else the records are read
    /// against (the format and the upload defaults) and the cache itself. Written with the cache
    /// (`PostgresStateLock`), compared when read (`PostgresStateBackend.readState`): equal, the rows are those the
    /// cache's record digests were made from.
    static let cacheStamp =
        "md5(rows_version::text || '/' || format_version::text || '/' || coalesce(upload_defaults, '') || '/' || coalesce(manifest_cache, ''))"

    /// The installed version, nil when mediaform's tables do not exist yet.
    static func installedVersion(_ session: PostgresSession) async throws(StateError) -> Int? {
        let t = Tables(session.settings.schema)
        let exists = try await session.bool(
            "SELECT to_regclass($1) IS NOT NULL", PostgresBindings(t.migrations), doing: "look for mediaform's tables")
        guard exists == true else { return nil }
        let version = try await session.int(
            "SELECT coalesce(max(version), 0) FROM \(t.migrations)", doing: "read the schema version")
        return Int(version ?? 0)
    }

    static func checkReadable(_ version: Int, session: PostgresSession) throws(StateError) {
        if version > latest {
            throw .backend(
                "PostgreSQL: the mediaform tables in schema '\(session.settings.schema)' are version \(version), newer than this mediaform understands (\(latest)); upgrade mediaform"
            )
        }
    }

    /// Creates or upgrades the tables. Serialised across processes by a transaction-scoped advisory lock.
    static func migrate(_ session: PostgresSession, generator: String) async throws(StateError) {
        if let installed = try await installedVersion(session), installed >= latest {
            try checkReadable(installed, session: session)
            return
        }
        let t = Tables(session.settings.schema)
        try await session.transaction { () async throws(StateError) in
            try await session.query(
                "SELECT pg_advisory_xact_lock(hashtextextended('mediaform schema migration', 0))",
                doing: "lock the schema migration")
            let schemaExists = try await session.bool(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                PostgresBindings(session.settings.schema),
                doing: "look for the schema")
            if schemaExists != true {
                try await session.query(
                    "CREATE SCHEMA \(session.settings.schema)", doing: "create schema '\(session.settings.schema)'")
            }
            try await session.query(
                """
                CREATE TABLE IF NOT EXISTS \(t.migrations) (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), generator text NOT NULL)
                """, doing: "create the migrations table")
            let version = try await session.int(
                "SELECT coalesce(max(version), 0) FROM \(t.migrations)", doing: "read the schema version")
            let installed = Int(version ?? 0)
            try checkReadable(installed, session: session)
            for migration in migrations(t) where migration.version > installed {
                for statement in migration.statements {
                    try await session.query(statement, doing: "migrate the schema to version \(migration.version)")
                }
                try await session.query(
                    "INSERT INTO \(t.migrations) (version, generator) VALUES ($1, $2)",
                    PostgresBindings(Int64(migration.version), generator),
                    doing: "record schema version \(migration.version)")
            }
        }
    }
}
