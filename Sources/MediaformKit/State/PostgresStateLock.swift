import MediaformCore
import PostgresNIO
import Synchronization

/// A held PostgreSQL lock. Every write goes through the connection that holds the advisory lock, one at a time
/// (a `SerialGate`), so that journal rows reach the server in the order of their sequence numbers.
final class PostgresStateLock: SnapshotReplacing {
    let backend: PostgresStateBackend
    let session: PostgresSession
    let info: LockInfo
    let warnings: [String]

    /// The stored snapshot (as rows), so that a new snapshot writes only what changed; and the journal position.
    private struct Stored {
        var snapshot: State
        var exists: Bool
        var sequencer: JournalSequencer
        /// How the stored rows are written: rows of an older format, or relative to other upload defaults, are all
        /// rewritten by the next snapshot.
        var rows: PostgresStateBackend.RowLayout
        var released = false
    }

    /// Read and changed only inside `gate`; the mutex makes the class `Sendable`.
    private let stored: Mutex<Stored>
    private let gate = SerialGate()

    init(
        backend: PostgresStateBackend, session: PostgresSession, info: LockInfo, warnings: [String], snapshot: State,
        loaded: LoadedState, rows: PostgresStateBackend.RowLayout
    ) {
        self.backend = backend
        self.session = session
        self.info = info
        self.warnings = warnings
        let sequencer = JournalSequencer(
            snapshotSequence: max(snapshot.journalSequence, loaded.state.journalSequence), lastRecord: nil)
        stored = Mutex(
            Stored(snapshot: snapshot, exists: !snapshot.lineage.isEmpty, sequencer: sequencer, rows: rows))
    }

    /// A lock dropped without `release()` (a failure path): closing the connection makes the server release the
    /// advisory lock; the holder row stays and the next run reports it.
    deinit {
        if !stored.withLock({ $0.released }) { session.closeSoon() }
    }

    var tables: PostgresSchema.Tables { PostgresSchema.Tables(session.settings.schema) }

    func append(_ entries: [JournalEntry]) async throws(StateError) {
        guard !entries.isEmpty else { return }
        let time = backend.clock()
        try await gate.run { () async throws(StateError) in
            let records = stored.withLock { $0.sequencer.records(for: entries, time: time) }
            // One statement per batch; committed, and so durable, when it returns.
            try await session.query(
                """
                INSERT INTO \(tables.journal) (state_name, sequence, record)
                SELECT $1, * FROM unnest($2::bigint[], $3::text[])
                """,
                PostgresBindings(session.settings.name, records.map { Int64($0.sequence) }, records.map(\.line)),
                doing: "append to the journal")
        }
    }

    var generator: String { backend.generator }

    /// One transaction: the header (checked against the serial this lock read, a second fence), the asset rows that
    /// changed, and the journal trimmed to the open intents.
    func replaceSnapshot(with newState: State, unresolved: [Intent]) async throws(StateError) -> State {
        try await gate.run { () async throws(StateError) -> State in
            let before = stored.withLock { $0 }
            var sequencer = before.sequencer
            let (written, kept) = sequencer.snapshot(newState, keeping: unresolved, time: backend.clock())
            let rows = Self.rows(of: written, stored: before.snapshot, layout: before.rows)
            try await session.transaction { () async throws(StateError) in
                try await writeHeader(written, rows: rows.layout, previous: before)
                try await writeRows(rows)
                try await stampCache(of: written)
                FaultInjection.hit("state-before-rename")
                try await replaceJournal(with: kept)
                FaultInjection.hit("state-before-journal-trim")
            }
            stored.withLock {
                $0.snapshot = written
                $0.exists = true
                $0.sequencer = sequencer
                $0.rows = rows.layout
            }
            return written
        }
    }

    /// What a snapshot writes of the rows: how (`layout`), which (`changed`, by key), and which go away.
    struct RowWrite {
        var layout: PostgresStateBackend.RowLayout
        var changed: [(key: String, record: AssetRecord)]
        var removed: [String]
    }

    /// The rows that changed or appeared, or all of them when their layout changes.
    ///
    /// The upload defaults are chosen again (`State.uploadDefaults`, the majority's inputs) only when the stored
    /// rows have none or are of an older format, or when at least half of the rows are written anyway: a snapshot
    /// that changes a few records never rewrites the others, and one that does rewrite them all costs at most
    /// twice what it wrote. Rows are written in key order, so that a state written at once is stored, and read
    /// back, in the order records are planned and checked in (a million rows in hash order made the manifest
    /// cache's check of every record a third slower).
    /// - Parameters:
    ///   - stored: the snapshot the rows hold now, written with `layout`.
    static func rows(of written: State, stored: State, layout storedLayout: PostgresStateBackend.RowLayout)
        -> RowWrite
    {
        var changed: [(key: String, record: AssetRecord)] = []
        for (key, record) in written.assets where stored.assets[key] != record {
            changed.append((key, record))
        }
        var layout = storedLayout
        if layout.format < State.formatVersion || layout.uploadDefaults == nil
            || changed.count * 2 >= written.assets.count
        {
            layout = .current(uploadDefaults: written.uploadDefaults)
        }
        if layout != storedLayout { changed = written.assets.map { ($0.key, $0.value) } }
        changed.sort { $0.key < $1.key }
        let removed = stored.assets.keys.filter { written.assets[$0] == nil }
        return RowWrite(layout: layout, changed: changed, removed: removed)
    }

    /// Updates the header, fenced on the serial and lineage this lock read, or creates it.
    private func writeHeader(_ written: State, rows: PostgresStateBackend.RowLayout, previous: Stored)
        async throws(StateError)
    {
        let t = tables
        let header = PostgresBindings(
            session.settings.name, Int64(rows.format), written.lineage, Int64(written.serial),
            written.generator, Int64(written.journalSequence), CategoryRecord.json(written.categories).canonicalJSON,
            written.manifestCache.map { $0.json.canonicalJSON } ?? "",
            JSONValue.object(rows.uploadDefaults ?? [:]).canonicalJSON)
        guard previous.exists else {
            try await session.query(
                """
                INSERT INTO \(t.states) (name, format_version, lineage, serial, generator, journal_sequence, categories,
                    manifest_cache, upload_defaults)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, header, doing: "create the state")
            return
        }
        var binds = header
        binds.append(Int64(previous.snapshot.serial))
        binds.append(previous.snapshot.lineage)
        let updated = try await session.query(
            """
            UPDATE \(t.states) SET format_version = $2, lineage = $3, serial = $4, generator = $5,
                journal_sequence = $6, categories = $7, manifest_cache = $8, upload_defaults = $9, updated_at = now()
            WHERE name = $1 AND serial = $10 AND lineage = $11 RETURNING name
            """, binds, doing: "write the state header")
        if updated.isEmpty {
            throw .backend(
                "PostgreSQL: \(session.settings.displayName) was changed by someone else while this lock was held "
                    + "(serial \(previous.snapshot.serial) expected); nothing was written")
        }
    }

    /// Rows that changed or appeared, then rows that went away, in statements of `PostgresSchema.rowsPerStatement`,
    /// in the transaction that writes the header, which says how the rows are written (`RowWrite.layout`).
    private func writeRows(_ rows: RowWrite) async throws(StateError) {
        let t = tables
        let name = session.settings.name
        let (changed, removed) = (rows.changed, rows.removed)
        let defaults = rows.layout.uploadDefaults
        // Rows share upload inputs: their text is made once for all the rows written (`RecordInterning`).
        var interning = RecordInterning()
        for part in changed.chunks(of: PostgresSchema.rowsPerStatement) {
            let records = part.map { $0.1.storedJSON(uploadDefaults: defaults, interning: &interning).canonicalJSON }
            try await session.query(
                """
                INSERT INTO \(t.assets) (state_name, key, status, job_id, media_id, record)
                SELECT $1, k, s, NULLIF(j, ''), NULLIF(m, ''), r
                FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(k, s, j, m, r)
                ON CONFLICT (state_name, key) DO UPDATE SET status = excluded.status, job_id = excluded.job_id,
                    media_id = excluded.media_id, record = excluded.record
                """,
                PostgresBindings(
                    name, part.map(\.0), part.map { $0.1.status.rawValue }, part.map { $0.1.jobId ?? "" },
                    part.map { $0.1.mediaId ?? "" }, records),
                doing: "write asset rows")
        }
        for part in removed.chunks(of: PostgresSchema.rowsPerStatement) {
            try await session.query(
                "DELETE FROM \(t.assets) WHERE state_name = $1 AND key = ANY($2::text[])",
                PostgresBindings(name, Array(part)), doing: "delete asset rows")
        }
    }

    /// Stamps the manifest cache just written with the rows it was made from (`PostgresSchema.cacheStamp`), after
    /// the rows, whose writes the triggers have counted by now. Only a cache whose every entry holds for the records
    /// written is stamped (checked here, once per write, instead of by every plan); any other, or none, is not.
    private func stampCache(of written: State) async throws(StateError) {
        let holds = written.manifestCache.map { $0.invalidated(Array($0.files.keys), state: written).isEmpty } ?? false
        try await session.query(
            """
            UPDATE \(tables.states) SET cache_stamp = CASE WHEN $2 AND manifest_cache <> '' THEN \(PostgresSchema.cacheStamp) END
            WHERE name = $1
            """, PostgresBindings(session.settings.name, holds), doing: "stamp the manifest cache")
    }

    /// The journal trimmed to the open intents, which keep their sequence numbers.
    private func replaceJournal(with kept: [JournalRecord]) async throws(StateError) {
        let t = tables
        let name = session.settings.name
        try await session.query(
            "DELETE FROM \(t.journal) WHERE state_name = $1", PostgresBindings(name), doing: "trim the journal")
        guard !kept.isEmpty else { return }
        try await session.query(
            "INSERT INTO \(t.journal) (state_name, sequence, record) SELECT $1, * FROM unnest($2::bigint[], $3::text[])",
            PostgresBindings(name, kept.map { Int64($0.sequence) }, kept.map(\.line)), doing: "keep the open intents")
    }

    func release() async {
        let first = stored.withLock { s in
            defer { s.released = true }
            return !s.released
        }
        guard first else { return }
        await gate.run { () async in
            // Remove the holder row first, so that a row left behind always means a holder that ended without
            // releasing.
            _ = try? await session.query(
                "DELETE FROM \(tables.locks) WHERE state_name = $1 AND lock_id = $2",
                PostgresBindings(session.settings.name, info.id), doing: "remove the lock holder")
            _ = try? await session.query(
                "SELECT pg_advisory_unlock(hashtextextended($1, 0))", PostgresBindings(session.settings.lockKey),
                doing: "release the lock")
            await session.close()
        }
    }
}
