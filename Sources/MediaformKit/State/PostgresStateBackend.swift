import Foundation
import MediaformCore
import NIOCore
import PostgresNIO
import Synchronization

/// The `postgres` backend: the state as rows of a PostgreSQL database that a team's CI runners share (design §4).
///
/// - One row per asset (`assets`), a header row per state (`states`: lineage, serial), the journal as rows
///   (`journal`), and the lock holder (`locks`), all keyed by the state's name so that projects share a database.
/// - The schema is created and migrated by mediaform itself (`schema_migrations`, versioned, under a
///   transaction-scoped advisory lock so that two first runs do not race).
/// - The lock is a session-level advisory lock taken on the connection that then does every write of the run:
///   the server releases it when that connection ends, so a killed holder never leaves the state locked, and a
///   lock broken by `force-unlock` (which ends the holder's session) fences the old holder: it cannot write again.
/// - Snapshots are transactions that write only the rows that changed; journal appends are one multi-row insert
///   per batch, committed (and so durable) before the call returns.
public final class PostgresStateBackend: StateBackend {
    public let settings: Project.StateSettings
    let environment: [String: String]
    let generator: String
    let clock: @Sendable () -> String

    public init(
        settings: Project.StateSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
        generator: String = "mediaform \(MediaformKit.version)",
        clock: @escaping @Sendable () -> String = Timestamps.now
    ) {
        self.settings = settings
        self.environment = environment
        self.generator = generator
        self.clock = clock
    }

    /// Resolved lazily: `validate` and `plan -h` must work without the database's URL.
    func resolved() throws(StateError) -> PostgresStateSettings {
        try PostgresStateSettings.resolve(settings, environment: environment)
    }

    public var name: String {
        (try? resolved().displayName) ?? "state '\(settings.name ?? "?")' in PostgreSQL"
    }

    // MARK: Reading

    public func read() throws(StateError) -> LoadedState {
        let session = try PostgresSession.connect(try resolved())
        defer { session.close() }
        guard let schema = try PostgresSchema.installedVersion(session) else {
            return LoadedState(state: State(lineage: "", generator: generator), exists: false)
        }
        try PostgresSchema.checkReadable(schema, session: session)
        // One snapshot of the database for the header, the rows and the journal.
        return try session.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { () throws(StateError) in
            try Self.readState(session, generator: generator).loaded
        }
    }

    /// The stored snapshot, the journal and their fold, read through `session` (inside a transaction).
    static func readState(_ session: PostgresSession, generator: String) throws(StateError) -> (
        snapshot: State, loaded: LoadedState
    ) {
        let t = PostgresSchema.Tables(session.settings.schema)
        let name = session.settings.name
        let origin = session.settings.displayName
        let header = try session.query(
            "SELECT format_version, lineage, serial, generator, journal_sequence FROM \(t.states) WHERE name = $1",
            PostgresBindings(name), doing: "read the state header")
        var snapshot = State(lineage: "", generator: generator)
        if let row = header.first {
            let cells = Array(row)
            let version = cells[0].int ?? 0
            guard version <= Int64(State.formatVersion) else {
                throw .corrupt(
                    StateFormatError(
                        file: origin, position: "states",
                        message:
                            "state format version \(version) is newer than this mediaform reads (\(State.formatVersion)); upgrade mediaform"
                    ))
            }
            snapshot.lineage = cells[1].text ?? ""
            snapshot.serial = Int(cells[2].int ?? 0)
            snapshot.generator = cells[3].text ?? ""
            snapshot.journalSequence = Int(cells[4].int ?? 0)
            // Rows are kept as the driver's buffers and decoded afterwards on every core.
            let rows = Mutex<[(key: String, record: ByteBuffer)]>([])
            try session.forEachRow(
                "SELECT key, record FROM \(t.assets) WHERE state_name = $1", PostgresBindings(name),
                doing: "read the asset rows"
            ) { row in
                var cells = row.makeIterator()
                guard let key = cells.next()?.text, let record = cells.next()?.bytes else { return }
                rows.withLock { $0.append((key, record)) }
            }
            snapshot.assets = try decodeAssets(
                rows.withLock { rows in
                    defer { rows = [] }
                    return rows
                }, origin: origin)
        }
        let journalRows = Mutex<[(sequence: Int64, line: String)]>([])
        try session.forEachRow(
            "SELECT sequence, record FROM \(t.journal) WHERE state_name = $1 ORDER BY sequence", PostgresBindings(name),
            doing: "read the journal"
        ) { row in
            var cells = row.makeIterator()
            let sequence = cells.next()?.int ?? 0
            let line = cells.next()?.text ?? ""
            journalRows.withLock { $0.append((sequence, line)) }
        }
        var records: [JournalRecord] = []
        for (sequence, line) in journalRows.withLock({ $0 }) {
            do {
                records.append(
                    try JournalRecord.parse(Substring(line), file: "\(origin) journal", lineNumber: Int(sequence)))
            } catch {
                throw .corrupt(error)
            }
        }
        let (folded, unresolved) = snapshot.folding(records)
        let loaded = LoadedState(state: folded, unresolved: unresolved, exists: !header.isEmpty || !records.isEmpty)
        return (snapshot, loaded)
    }

    /// Decodes asset rows on every core: a state of a million assets is a million small JSON documents.
    static func decodeAssets(_ rows: [(key: String, record: ByteBuffer)], origin: String) throws(StateError) -> [String:
        AssetRecord]
    {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 5_000))
        let parts = Mutex<[Result<[(String, AssetRecord)], StateFormatError>]>(
            Array(repeating: .success([]), count: workers))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = (rows.count * worker / workers)..<(rows.count * (worker + 1) / workers)
            var decoded: [(String, AssetRecord)] = []
            decoded.reserveCapacity(range.count)
            var result: Result<[(String, AssetRecord)], StateFormatError>
            do throws(StateFormatError) {
                for index in range {
                    let (key, bytes) = rows[index]
                    let record = try bytes.withUnsafeReadableBytes { (raw) throws(StateFormatError) -> AssetRecord in
                        try AssetRecord.decode(RawBytes(pointer: raw), key: key, file: origin)
                    }
                    decoded.append((key, record))
                }
                result = .success(decoded)
            } catch {
                result = .failure(error)
            }
            parts.withLock { $0[worker] = result }
        }
        var assets: [String: AssetRecord] = [:]
        assets.reserveCapacity(rows.count)
        for part in parts.withLock({ $0 }) {
            switch part {
            case .success(let pairs): for (key, record) in pairs { assets[key] = record }
            case .failure(let error): throw .corrupt(error)
            }
        }
        return assets
    }

    // MARK: Locking

    public func lock(operation: String, timeout: Double) throws(StateError) -> (
        lock: any StateLock, loaded: LoadedState
    ) {
        let settings = try resolved()
        let session = try PostgresSession.connect(settings)
        do throws(StateError) {
            try PostgresSchema.migrate(session, generator: generator)
            let t = PostgresSchema.Tables(settings.schema)
            let key = PostgresBindings(settings.lockKey)
            let start = Date()
            var pause = 0.1
            while true {
                let got = try session.query(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key, doing: "take the lock")
                if got.first.flatMap({ Array($0)[0].bool }) == true { break }
                let waited = Date().timeIntervalSince(start)
                if waited >= timeout {
                    throw StateError.locked(try Self.holder(session), waited: waited)
                }
                usleep(UInt32(min(pause, max(0.01, timeout - waited)) * 1_000_000))
                pause = min(pause * 2, 2)
            }
            // We hold the lock. A holder row still present was left by a session that ended without releasing.
            var warnings: [String] = []
            if let stale = try Self.holder(session) {
                warnings.append("took over a lock left by \(stale.summary); its database session had ended")
            }
            let info = LockInfo.forThisProcess(operation: operation, created: clock())
            try session.query(
                """
                INSERT INTO \(t.locks) (state_name, lock_id, operation, holder_user, host, pid, ci_run, created, backend_pid, backend_start)
                SELECT $1, $2, $3, $4, $5, $6, $7, $8, pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()
                ON CONFLICT (state_name) DO UPDATE SET lock_id = excluded.lock_id, operation = excluded.operation,
                    holder_user = excluded.holder_user, host = excluded.host, pid = excluded.pid, ci_run = excluded.ci_run,
                    created = excluded.created, backend_pid = excluded.backend_pid, backend_start = excluded.backend_start
                """,
                PostgresBindings(
                    settings.name, info.id, info.operation, info.user, info.host, Int64(info.pid), info.ciRun ?? "",
                    info.created),
                doing: "record the lock holder")
            FaultInjection.pause("after-lock")
            let (snapshot, loaded) = try session.transaction { () throws(StateError) in
                try Self.readState(session, generator: generator)
            }
            let lock = PostgresStateLock(
                backend: self, session: session, info: info, warnings: warnings, snapshot: snapshot, loaded: loaded)
            return (lock, loaded)
        } catch {
            session.close()
            throw error
        }
    }

    /// The holder recorded for this state, if any.
    static func holder(_ session: PostgresSession) throws(StateError) -> LockInfo? {
        let t = PostgresSchema.Tables(session.settings.schema)
        let rows = try session.query(
            "SELECT lock_id, pid, host, holder_user, operation, created, ci_run FROM \(t.locks) WHERE state_name = $1",
            PostgresBindings(session.settings.name), doing: "read the lock holder")
        guard let row = rows.first else { return nil }
        let c = Array(row)
        return LockInfo(
            id: c[0].text ?? "?", pid: Int32(truncatingIfNeeded: c[1].int ?? 0), host: c[2].text ?? "?",
            user: c[3].text ?? "?",
            operation: c[4].text ?? "?", created: c[5].text ?? "?", ciRun: c[6].text.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Breaks the lock `id`. When its holder's session is still connected (a hung CI runner), that session is ended
    /// with `pg_terminate_backend`: the server then releases the advisory lock, and the old holder can no longer
    /// write, because every write of a run goes through the connection that took the lock.
    public func forceUnlock(id: String) throws(StateError) -> LockInfo {
        let settings = try resolved()
        let session = try PostgresSession.connect(settings)
        defer { session.close() }
        guard try PostgresSchema.installedVersion(session) != nil else { throw .lockMismatch(given: id, current: nil) }
        guard let current = try Self.holder(session) else { throw .lockMismatch(given: id, current: nil) }
        guard current.id == id else { throw .lockMismatch(given: id, current: current) }
        let t = PostgresSchema.Tables(settings.schema)
        let key = PostgresBindings(settings.lockKey)
        var got = false
        for attempt in 0..<50 {
            let rows = try session.query(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key, doing: "test the lock")
            if rows.first.flatMap({ Array($0)[0].bool }) == true {
                got = true
                break
            }
            if attempt == 0 {
                // Held by a live session: end it (only the session recorded as the holder, identified by pid and start).
                try session.query(
                    """
                    SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN \(t.locks) l
                        ON a.pid = l.backend_pid AND a.backend_start = l.backend_start
                    WHERE l.state_name = $1 AND l.lock_id = $2
                    """, PostgresBindings(settings.name, id), doing: "end the holder's session")
            }
            usleep(100_000)
        }
        guard got else {
            throw .backend(
                "PostgreSQL: the lock of \(settings.displayName) is still held after ending its holder's session; an administrator can end it with pg_terminate_backend"
            )
        }
        try session.query(
            "DELETE FROM \(t.locks) WHERE state_name = $1 AND lock_id = $2", PostgresBindings(settings.name, id),
            doing: "remove the lock holder")
        try session.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key, doing: "release the lock")
        return current
    }
}

extension PostgresStateSettings {
    /// The advisory lock's key text, hashed by the server (`hashtextextended`) into the 64-bit lock ID.
    var lockKey: String { "mediaform state \(schema).\(name)" }
}

/// A held PostgreSQL lock. Every write goes through the connection that holds the advisory lock.
final class PostgresStateLock: StateLock {
    let backend: PostgresStateBackend
    let session: PostgresSession
    let info: LockInfo
    let warnings: [String]
    /// The stored snapshot (as rows), so that a new snapshot writes only what changed; and the journal position.
    private let stored: Mutex<(snapshot: State, exists: Bool, nextSequence: Int, released: Bool)>

    init(
        backend: PostgresStateBackend, session: PostgresSession, info: LockInfo, warnings: [String], snapshot: State,
        loaded: LoadedState
    ) {
        self.backend = backend
        self.session = session
        self.info = info
        self.warnings = warnings
        let exists = !snapshot.lineage.isEmpty
        stored = Mutex((snapshot, exists, max(snapshot.journalSequence, loaded.state.journalSequence) + 1, false))
    }

    deinit { release() }

    var tables: PostgresSchema.Tables { PostgresSchema.Tables(session.settings.schema) }

    func append(_ entries: [JournalEntry]) throws(StateError) {
        guard !entries.isEmpty else { return }
        let now = backend.clock()
        let result: StateError? = stored.withLock { s in
            var sequences: [Int64] = []
            var lines: [String] = []
            for entry in entries {
                sequences.append(Int64(s.nextSequence))
                lines.append(JournalRecord(sequence: s.nextSequence, time: now, entry: entry).line)
                s.nextSequence += 1
            }
            do throws(StateError) {
                // One statement per batch; committed, and so durable, when it returns.
                try session.query(
                    "INSERT INTO \(tables.journal) (state_name, sequence, record) SELECT $1, * FROM unnest($2::bigint[], $3::text[])",
                    PostgresBindings(session.settings.name, sequences, lines), doing: "append to the journal")
                return nil
            } catch {
                return error
            }
        }
        if let result { throw result }
    }

    @discardableResult
    func writeSnapshot(_ newState: State, unresolved: [Intent]) throws(StateError) -> State {
        try write(newState.nextSnapshot(generator: backend.generator), unresolved: unresolved)
    }

    func writeCopy(_ state: State, unresolved: [Intent]) throws(StateError) {
        try write(state, unresolved: unresolved)
    }

    /// One transaction: the header (checked against the serial this lock read, a second fence), the asset rows that
    /// changed, and the journal trimmed to the open intents.
    @discardableResult
    private func write(_ newState: State, unresolved: [Intent]) throws(StateError) -> State {
        let t = tables
        let name = session.settings.name
        let result: Result<State, StateError> = stored.withLock { s in
            var written = newState
            written.journalSequence = JournalRecord.snapshotSequence(
                written.journalSequence, nextSequence: s.nextSequence, keeping: unresolved.count)
            do throws(StateError) {
                try session.transaction { () throws(StateError) in
                    let header = PostgresBindings(
                        name, Int64(State.formatVersion), written.lineage, Int64(written.serial), written.generator,
                        Int64(written.journalSequence))
                    if s.exists {
                        var binds = header
                        binds.append(Int64(s.snapshot.serial))
                        binds.append(s.snapshot.lineage)
                        let updated = try session.query(
                            """
                            UPDATE \(t.states) SET format_version = $2, lineage = $3, serial = $4, generator = $5,
                                journal_sequence = $6, updated_at = now()
                            WHERE name = $1 AND serial = $7 AND lineage = $8 RETURNING name
                            """, binds, doing: "write the state header")
                        if updated.isEmpty {
                            throw .backend(
                                "PostgreSQL: \(session.settings.displayName) was changed by someone else while this lock was held (serial \(s.snapshot.serial) expected); nothing was written"
                            )
                        }
                    } else {
                        try session.query(
                            """
                            INSERT INTO \(t.states) (name, format_version, lineage, serial, generator, journal_sequence)
                            VALUES ($1, $2, $3, $4, $5, $6)
                            """, header, doing: "create the state")
                    }
                    // Rows that changed or appeared, then rows that went away.
                    var changed: [(String, AssetRecord)] = []
                    for (key, record) in written.assets where s.snapshot.assets[key] != record {
                        changed.append((key, record))
                    }
                    let removed = s.snapshot.assets.keys.filter { written.assets[$0] == nil }
                    for chunk in stride(from: 0, to: changed.count, by: 5_000) {
                        let part = changed[chunk..<min(chunk + 5_000, changed.count)]
                        try session.query(
                            """
                            INSERT INTO \(t.assets) (state_name, key, status, job_id, media_id, record)
                            SELECT $1, k, s, NULLIF(j, ''), NULLIF(m, ''), r FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(k, s, j, m, r)
                            ON CONFLICT (state_name, key) DO UPDATE SET status = excluded.status, job_id = excluded.job_id,
                                media_id = excluded.media_id, record = excluded.record
                            """,
                            PostgresBindings(
                                name, part.map(\.0), part.map { $0.1.status.rawValue }, part.map { $0.1.jobId ?? "" },
                                part.map { $0.1.mediaId ?? "" }, part.map { $0.1.json.canonicalJSON }),
                            doing: "write asset rows")
                    }
                    for chunk in stride(from: 0, to: removed.count, by: 5_000) {
                        try session.query(
                            "DELETE FROM \(t.assets) WHERE state_name = $1 AND key = ANY($2::text[])",
                            PostgresBindings(name, Array(removed[chunk..<min(chunk + 5_000, removed.count)])),
                            doing: "delete asset rows")
                    }
                    FaultInjection.hit("state-before-rename")
                    try session.query(
                        "DELETE FROM \(t.journal) WHERE state_name = $1", PostgresBindings(name),
                        doing: "trim the journal")
                    let kept = JournalRecord.retaining(
                        unresolved, through: written.journalSequence, time: backend.clock())
                    if !kept.isEmpty {
                        try session.query(
                            "INSERT INTO \(t.journal) (state_name, sequence, record) SELECT $1, * FROM unnest($2::bigint[], $3::text[])",
                            PostgresBindings(name, kept.map { Int64($0.sequence) }, kept.map(\.line)),
                            doing: "keep the open intents")
                    }
                    FaultInjection.hit("state-before-journal-trim")
                }
                s.snapshot = written
                s.exists = true
                s.nextSequence = written.journalSequence + 1
                return .success(written)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func release() {
        let first = stored.withLock { s in
            defer { s.released = true }
            return !s.released
        }
        guard first else { return }
        // Remove the holder row first, so that a row left behind always means a holder that ended without releasing.
        _ = try? session.query(
            "DELETE FROM \(tables.locks) WHERE state_name = $1 AND lock_id = $2",
            PostgresBindings(session.settings.name, info.id),
            doing: "remove the lock holder")
        _ = try? session.query(
            "SELECT pg_advisory_unlock(hashtextextended($1, 0))", PostgresBindings(session.settings.lockKey),
            doing: "release the lock")
        session.close()
    }
}

/// The tables' schema, created and migrated by mediaform. Each version is a list of statements run in one
/// transaction; `schema_migrations` records which versions are installed.
enum PostgresSchema {
    /// The newest schema version this build creates and understands.
    static let latest = 1

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
            )
        ]
    }

    /// The installed version, nil when mediaform's tables do not exist yet.
    static func installedVersion(_ session: PostgresSession) throws(StateError) -> Int? {
        let t = Tables(session.settings.schema)
        let exists = try session.query(
            "SELECT to_regclass($1) IS NOT NULL", PostgresBindings(t.migrations), doing: "look for mediaform's tables")
        guard exists.first.flatMap({ Array($0)[0].bool }) == true else { return nil }
        let rows = try session.query(
            "SELECT coalesce(max(version), 0) FROM \(t.migrations)", doing: "read the schema version")
        return Int(rows.first.flatMap { Array($0)[0].int } ?? 0)
    }

    static func checkReadable(_ version: Int, session: PostgresSession) throws(StateError) {
        if version > latest {
            throw .backend(
                "PostgreSQL: the mediaform tables in schema '\(session.settings.schema)' are version \(version), newer than this mediaform understands (\(latest)); upgrade mediaform"
            )
        }
    }

    /// Creates or upgrades the tables. Serialised across processes by a transaction-scoped advisory lock.
    static func migrate(_ session: PostgresSession, generator: String) throws(StateError) {
        if let installed = try installedVersion(session), installed >= latest {
            try checkReadable(installed, session: session)
            return
        }
        let t = Tables(session.settings.schema)
        try session.transaction { () throws(StateError) in
            try session.query(
                "SELECT pg_advisory_xact_lock(hashtextextended('mediaform schema migration', 0))",
                doing: "lock the schema migration")
            let schemaExists = try session.query(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                PostgresBindings(session.settings.schema),
                doing: "look for the schema")
            if schemaExists.first.flatMap({ Array($0)[0].bool }) != true {
                try session.query(
                    "CREATE SCHEMA \(session.settings.schema)", doing: "create schema '\(session.settings.schema)'")
            }
            try session.query(
                """
                CREATE TABLE IF NOT EXISTS \(t.migrations) (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), generator text NOT NULL)
                """, doing: "create the migrations table")
            let rows = try session.query(
                "SELECT coalesce(max(version), 0) FROM \(t.migrations)", doing: "read the schema version")
            let installed = Int(rows.first.flatMap { Array($0)[0].int } ?? 0)
            try checkReadable(installed, session: session)
            for migration in migrations(t) where migration.version > installed {
                for statement in migration.statements {
                    try session.query(statement, doing: "migrate the schema to version \(migration.version)")
                }
                try session.query(
                    "INSERT INTO \(t.migrations) (version, generator) VALUES ($1, $2)",
                    PostgresBindings(Int64(migration.version), generator),
                    doing: "record schema version \(migration.version)")
            }
        }
    }
}

/// Bytes borrowed from a driver buffer, for the pull decoder.
struct RawBytes: ContiguousBytesProvider {
    let pointer: UnsafeRawBufferPointer
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(pointer) }
}
