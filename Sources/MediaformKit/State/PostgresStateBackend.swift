import Foundation
import MediaformCore
import NIOCore
import PostgresNIO
import Synchronization

/// The `postgres` backend: the state as rows of a PostgreSQL database that a team's CI runners share (docs/design.md §4).
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

    public var keepsManifestCache: Bool { true }

    /// Its triggers count every change of the rows (`PostgresSchema`, version 5).
    public var vouchesForManifestCache: Bool { true }

    /// The cache cell alone, on a connection of its own, while `read` fetches the rows: nil on any problem
    /// (`read` reports those), and with tables older than schema version 3.
    public func peekManifestCache() async -> ManifestCache? {
        guard let settings = try? resolved(), let session = try? await PostgresSession.connect(settings) else {
            return nil
        }
        defer { Task { await session.close() } }
        guard let schema = try? await PostgresSchema.installedVersion(session), schema >= 3,
            let rows = try? await session.query(
                "SELECT manifest_cache FROM \(PostgresSchema.Tables(settings.schema).states) WHERE name = $1",
                PostgresBindings(settings.name), doing: "read the manifest cache"),
            let text = rows.first.flatMap({ Array($0).first?.text })
        else { return nil }
        return (try? JSONParser.parse(text)).flatMap(ManifestCache.init)
    }

    public func read() async throws(StateError) -> LoadedState {
        let session = try await PostgresSession.connect(try resolved())
        do throws(StateError) {
            guard let schema = try await PostgresSchema.installedVersion(session) else {
                await session.close()
                return LoadedState(state: State(lineage: "", generator: generator), exists: false)
            }
            try PostgresSchema.checkReadable(schema, session: session)
            // One snapshot of the database for the header, the rows and the journal.
            let loaded = try await session.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                () async throws(StateError) in
                try await Self.readState(session, generator: generator, schema: schema).loaded
            }
            await session.close()
            return loaded
        } catch {
            await session.close()
            throw error
        }
    }

    /// How the stored rows are written: what the next snapshot keeps, or rewrites every row to change.
    struct RowLayout: Equatable {
        /// The state format of the rows (the header's `format_version`).
        var format: Int
        /// The upload inputs the rows were stored relative to (`upload_defaults`); nil when each row holds all of
        /// its own (rows written before schema version 4).
        var uploadDefaults: [String: JSONValue]?

        /// Rows as this build writes them, relative to `uploadDefaults`.
        static func current(uploadDefaults: [String: JSONValue]) -> RowLayout {
            RowLayout(format: State.formatVersion, uploadDefaults: uploadDefaults)
        }
    }

    /// The stored snapshot, the journal and their fold, read through `session` (inside a transaction), and how the
    /// rows are written (the header's `format_version` and `upload_defaults`; this build's when there is no header).
    /// - Parameter schema: the installed schema version: columns added later are not asked for.
    static func readState(_ session: PostgresSession, generator: String, schema: Int) async throws(StateError) -> (
        snapshot: State, loaded: LoadedState, rows: RowLayout
    ) {
        let t = PostgresSchema.Tables(session.settings.schema)
        let name = session.settings.name
        let origin = session.settings.displayName
        let categories = schema >= 2 ? "categories" : "NULL"
        let cache = schema >= 3 ? "manifest_cache" : "NULL"
        let defaults = schema >= 4 ? "upload_defaults" : "NULL"
        let stamped = schema >= 5 ? "coalesce(cache_stamp = \(PostgresSchema.cacheStamp), false)" : "false"
        let header = try await session.query(
            "SELECT format_version, lineage, serial, generator, journal_sequence, \(categories), \(cache), \(defaults), \(stamped) FROM \(t.states) WHERE name = $1",
            PostgresBindings(name), doing: "read the state header")
        var snapshot = State(lineage: "", generator: generator)
        var rows = RowLayout(format: State.formatVersion, uploadDefaults: nil)
        var stampMatches = false
        if let row = header.first {
            let cells = Array(row)
            let version = cells[0].int ?? 0
            rows.format = Int(version)
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
            if let text = cells[5].text, !text.isEmpty {
                do {
                    snapshot.categories = try CategoryRecord.decode(
                        try JSONParser.parse(text), path: "categories", file: origin)
                } catch let error as StateFormatError {
                    throw .corrupt(error)
                } catch {
                    throw .corrupt(
                        StateFormatError(file: origin, position: "categories", message: "not valid JSON: \(error)"))
                }
            }
            // Only an optimisation: a cache this version cannot read is dropped.
            snapshot.manifestCache = cells[6].text.flatMap { try? JSONParser.parse($0) }.flatMap(ManifestCache.init)
            if let text = cells[7].text {
                // Unlike the cache, needed to read the rows: an unreadable one is an error.
                guard case .object(let inputs)? = try? JSONParser.parse(text) else {
                    throw .corrupt(
                        StateFormatError(
                            file: origin, position: "states.upload_defaults", message: "expected a JSON object"))
                }
                rows.uploadDefaults = inputs
            }
            stampMatches = cells[8].bool ?? false
            // Rows are decoded in batches on another core while the next ones arrive (`RowDecoder`).
            // The manifest cache lists the keys of the files it vouches for: about as many as there are rows.
            let expected = snapshot.manifestCache?.files.values.reduce(0) { $0 + $1.keys.count } ?? 0
            let decoder = RowDecoder(origin: origin, expected: expected, uploadDefaults: rows.uploadDefaults)
            try await session.forEachRow(
                "SELECT key, record FROM \(t.assets) WHERE state_name = $1", PostgresBindings(name),
                doing: "read the asset rows"
            ) { row in
                var cells = row.makeIterator()
                // The key's text is made by the decoders, off the driver's event loop.
                guard let key = cells.next()?.bytes, let record = cells.next()?.bytes else { return }
                decoder.add(key: key, record: record)
            }
            snapshot.assets = try await decoder.finish()
        }
        let journalRows = Mutex<[(sequence: Int64, line: String)]>([])
        try await session.forEachRow(
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
        var loaded = LoadedState(state: folded, unresolved: unresolved, exists: !header.isEmpty || !records.isEmpty)
        // The rows are those the cache was made from; the journal's calls change records after them.
        loaded.manifestCacheHolds = stampMatches && records.isEmpty && snapshot.manifestCache != nil
        return (snapshot, loaded, rows)
    }

    // MARK: Locking

    public func lock(operation: String, timeout: Double) async throws(StateError) -> (
        lock: any StateLock, loaded: LoadedState
    ) {
        let settings = try resolved()
        let session = try await PostgresSession.connect(settings)
        do throws(StateError) {
            try await PostgresSchema.migrate(session, generator: generator)
            let t = PostgresSchema.Tables(settings.schema)
            let key = PostgresBindings(settings.lockKey)
            let start = ContinuousClock.now
            var pause = 0.1
            while true {
                let got = try await session.bool(
                    "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key, doing: "take the lock")
                if got == true { break }
                let waited = (ContinuousClock.now - start).seconds
                if waited >= timeout {
                    throw StateError.locked(try await Self.holder(session), waited: waited)
                }
                try? await Task.sleep(for: .milliseconds(Int64(min(pause, max(0.01, timeout - waited)) * 1000)))
                pause = min(pause * 2, 2)
            }
            // We hold the lock. A holder row still present was left by a session that ended without releasing.
            var warnings: [String] = []
            if let stale = try await Self.holder(session) {
                warnings.append("took over a lock left by \(stale.summary); its database session had ended")
            }
            let info = LockInfo.forThisProcess(operation: operation, created: clock())
            try await session.query(
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
            await FaultInjection.pause("after-lock")
            let (snapshot, loaded, rows) = try await session.transaction { () async throws(StateError) in
                try await Self.readState(session, generator: generator, schema: PostgresSchema.latest)
            }
            let lock = PostgresStateLock(
                backend: self, session: session, info: info, warnings: warnings, snapshot: snapshot, loaded: loaded,
                rows: rows)
            return (lock, loaded)
        } catch {
            await session.close()
            throw error
        }
    }

    /// The holder recorded for this state, if any.
    static func holder(_ session: PostgresSession) async throws(StateError) -> LockInfo? {
        let t = PostgresSchema.Tables(session.settings.schema)
        let rows = try await session.query(
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
    public func forceUnlock(id: String) async throws(StateError) -> LockInfo {
        let settings = try resolved()
        let session = try await PostgresSession.connect(settings)
        do throws(StateError) {
            let info = try await breakLock(id: id, session: session)
            await session.close()
            return info
        } catch {
            await session.close()
            throw error
        }
    }

    private func breakLock(id: String, session: PostgresSession) async throws(StateError) -> LockInfo {
        let settings = session.settings
        guard try await PostgresSchema.installedVersion(session) != nil else {
            throw .lockMismatch(given: id, current: nil)
        }
        guard let current = try await Self.holder(session) else { throw .lockMismatch(given: id, current: nil) }
        guard current.id == id else { throw .lockMismatch(given: id, current: current) }
        let t = PostgresSchema.Tables(settings.schema)
        let key = PostgresBindings(settings.lockKey)
        var got = false
        for attempt in 0..<50 {
            if try await session.bool(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key, doing: "test the lock") == true
            {
                got = true
                break
            }
            if attempt == 0 {
                // Held by a live session: end it (only the session recorded as the holder, identified by pid and start).
                try await session.query(
                    """
                    SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN \(t.locks) l
                        ON a.pid = l.backend_pid AND a.backend_start = l.backend_start
                    WHERE l.state_name = $1 AND l.lock_id = $2
                    """, PostgresBindings(settings.name, id), doing: "end the holder's session")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        guard got else {
            throw .backend(
                "PostgreSQL: the lock of \(settings.displayName) is still held after ending its holder's session; an administrator can end it with pg_terminate_backend"
            )
        }
        try await session.query(
            "DELETE FROM \(t.locks) WHERE state_name = $1 AND lock_id = $2", PostgresBindings(settings.name, id),
            doing: "remove the lock holder")
        try await session.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key, doing: "release the lock")
        return current
    }
}
