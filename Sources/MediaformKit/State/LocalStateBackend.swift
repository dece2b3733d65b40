import Foundation
import MediaformCore

#if canImport(Glibc)
import Glibc
#endif

/// The `local` backend: a JSON state file, a backup of its previous version, and a work folder (`.mediaform/`)
/// holding the lock and the journal (docs/design.md §4).
///
/// - The snapshot is replaced atomically (temporary file, fsync, rename, directory fsync); the previous version
///   is kept as `<state>.backup`.
/// - The lock is an `flock` on `.mediaform/<state>.lock`: taken atomically, released by the kernel when the
///   holder dies, so a killed apply never leaves the state locked. The file also records who holds it; a record
///   found with the lock free was left by a process that died, and is reported as such.
/// - The journal (`.mediaform/<state>.journal`) gets one JSON line per change, synced before the call returns.
/// - A state path ending in `.gz` is written gzip-compressed (about 150 bytes per asset instead of 970). Either
///   form is read by its content; when only the other form exists (`X` for `X.gz`, or the reverse), it is read
///   and the next write converts it, so changing the name converts the state instead of losing it.
public final class LocalStateBackend: StateBackend {
    public let statePath: String
    /// The same state in the other form: `statePath` with `.gz` added or removed.
    public let alternatePath: String
    /// Whether snapshots are written gzip-compressed (`statePath` ends in `.gz`).
    public let compressed: Bool
    public let backupPath: String
    public let workDirectory: String
    public let lockPath: String
    public let journalPath: String
    let generator: String
    let clock: @Sendable () -> String

    /// - Parameters:
    ///   - statePath: the state file.
    ///   - workDirectory: where the lock and journal live (normally `<project>/.mediaform`).
    ///   - generator: written into the state (`mediaform 0.1.0`).
    ///   - clock: the current time as ISO 8601 (injected for tests).
    public init(
        statePath: String, workDirectory: String, generator: String = "mediaform \(MediaformKit.version)",
        clock: @escaping @Sendable () -> String = Timestamps.now
    ) {
        self.statePath = statePath
        self.compressed = statePath.hasSuffix(".gz")
        self.alternatePath = compressed ? String(statePath.dropLast(3)) : statePath + ".gz"
        self.backupPath = statePath + ".backup"
        self.workDirectory = workDirectory
        // One journal and lock for both forms, so that a change of form keeps an interrupted apply's journal.
        let name = ((compressed ? alternatePath : statePath) as NSString).lastPathComponent
        self.lockPath = ProjectLoader.join(workDirectory, name + ".lock")
        self.journalPath = ProjectLoader.join(workDirectory, name + ".journal")
        self.generator = generator
        self.clock = clock
    }

    /// The backend of a project directory: the state path from the project file, work folder `.mediaform/`.
    public convenience init(settings: Project.StateSettings, directory: String) {
        self.init(
            statePath: ProjectLoader.join(directory, settings.path),
            workDirectory: ProjectLoader.join(directory, ".mediaform"))
    }

    public var name: String { statePath }

    public func read() async throws(StateError) -> LoadedState {
        try await Blocking.run { () throws(StateError) in try self.readWithJournal().loaded }
    }

    public var keepsManifestCache: Bool { true }

    /// The cache is written before the records, so this parses the file's first part only (mapped, not copied;
    /// a compressed file is inflated only as far as the records).
    public func peekManifestCache() async -> ManifestCache? {
        await Blocking.run {
            let path = FileManager.default.fileExists(atPath: self.statePath) ? self.statePath : self.alternatePath
            guard let data = (try? MappedFile(path: path)) ?? nil else { return nil }
            guard Gzip.isCompressed(data) else { return State.peekManifestCache(data) }
            let marker = Data("\n  \"assets\": ".utf8)
            guard
                let head = try? Gzip.decompress(
                    data, path: path, until: { $0.suffix((1 << 20) + marker.count).range(of: marker) != nil })
            else { return nil }
            return State.peekManifestCache(head)
        }
    }

    /// A snapshot's bytes: the mapped file, or its inflated content when compressed.
    enum SnapshotBytes: ContiguousBytesProvider {
        case mapped(MappedFile)
        case inflated(Data)

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            switch self {
            case .mapped(let file): file.withBytes(body)
            case .inflated(let data): data.withBytes(body)
            }
        }

        /// What the decoder reports done with: dropped from memory when mapped (`MappedFile.drop`).
        var consumed: StateRecordsReader.Consumed? {
            guard case .mapped(let file) = self else { return nil }
            return { file.drop($0) }
        }
    }

    /// The snapshot's bytes (inflated when compressed) and where they were read: `statePath`, or `alternatePath`
    /// when only that exists, or when both do and it is older (a write that converted it was interrupted before
    /// removing it). Nil when there is no snapshot.
    func readSnapshot() throws(StateError) -> (bytes: SnapshotBytes, path: String)? {
        let own = try snapshotBytes(statePath)
        guard FileManager.default.fileExists(atPath: alternatePath), let other = try snapshotBytes(alternatePath)
        else { return own.map { ($0, statePath) } }
        guard let own else { return (other, alternatePath) }
        // Both: the configured one wins if the other is an older version of the same state.
        do {
            let mine = try State.decode(own, file: statePath), theirs = try State.decode(other, file: alternatePath)
            if mine.lineage == theirs.lineage && mine.serial >= theirs.serial { return (own, statePath) }
        } catch {
            throw .corrupt(error)
        }
        throw .twoStates(path: statePath, other: alternatePath)
    }

    private func snapshotBytes(_ path: String) throws(StateError) -> SnapshotBytes? {
        guard let file = try MappedFile(path: path) else { return nil }
        return Gzip.isCompressed(file) ? .inflated(try Gzip.decompress(file, path: path)) : .mapped(file)
    }

    /// The state with the journal folded in, and the journal as read (the lock needs its end).
    func readWithJournal() throws(StateError) -> (loaded: LoadedState, journal: JournalContents) {
        var warnings: [String] = []
        let snapshot = try readSnapshot()
        var state: State
        if let snapshot {
            do {
                state = try State.decode(snapshot.bytes, file: snapshot.path, consumed: snapshot.bytes.consumed)
            } catch {
                throw .corrupt(error)
            }
            if snapshot.path != statePath {
                warnings.append(
                    "read the state from \(snapshot.path); the next write converts it to \(statePath)"
                        + (compressed ? " (compressed)" : " (plain JSON)"))
            }
        } else {
            if FileManager.default.fileExists(atPath: backupPath) {
                throw .missingWithBackup(path: statePath, backup: backupPath)
            }
            if FileManager.default.fileExists(atPath: alternatePath + ".backup") {
                throw .missingWithBackup(path: alternatePath, backup: alternatePath + ".backup")
            }
            state = State(lineage: "", generator: generator)
        }
        let journal = try readJournal()
        if let torn = journal.tornLine {
            warnings.append(
                "\(journalPath):\(torn): ignored an incomplete last record (the process writing it was interrupted)")
        }
        // A journal without a snapshot is normal after an interrupted first apply: it is folded into an empty state.
        let (folded, unresolved) = state.folding(journal.records)
        let loaded = LoadedState(
            state: folded, unresolved: unresolved, warnings: warnings,
            exists: snapshot != nil || !journal.records.isEmpty)
        return (loaded, journal)
    }

    func readJournal() throws(StateError) -> JournalContents {
        guard let data = try FileIO.read(journalPath), !data.isEmpty else { return JournalContents() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .corrupt(
                StateFormatError(file: journalPath, position: "1:1", message: "the journal is not UTF-8 text"))
        }
        do {
            return try JournalContents.parse(text, file: journalPath)
        } catch {
            throw .corrupt(error)
        }
    }

    public func lock(
        operation: String, timeout: Double
    ) async throws(StateError) -> (lock: any StateLock, loaded: LoadedState) {
        let fd = try await Blocking.run { () throws(StateError) in
            try FileIO.makeDirectory(self.workDirectory)
            let fd = open(self.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 {
                throw .io(path: self.lockPath, operation: "open the lock", reason: String(cString: strerror(errno)))
            }
            return fd
        }
        // flock with LOCK_NB never blocks; the wait between attempts is a task sleep, not a blocked thread.
        let start = ContinuousClock.now
        var pause = 0.01
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let waited = (ContinuousClock.now - start).seconds
            if waited >= timeout {
                let holder = await Blocking.run { self.readLockInfo() }
                close(fd)
                throw .locked(holder, waited: waited)
            }
            try? await Task.sleep(for: .milliseconds(Int64(min(pause, max(0.01, timeout - waited)) * 1000)))
            pause = min(pause * 2, 0.2)
        }
        // We hold the lock. A holder record still present means the previous holder died without releasing.
        let warnings: [String] = await Blocking.run {
            self.readLockInfo().map { stale -> [String] in
                let fate =
                    stale.host == FileIO.hostName() && !FileIO.processIsAlive(stale.pid)
                    ? "no longer runs" : "did not release it"
                return ["took over a lock left by \(stale.summary); that process \(fate)"]
            } ?? []
        }
        let info = LockInfo.forThisProcess(operation: operation, created: clock())
        let record = Self.lockRecord(info)
        do throws(StateError) {
            try await Blocking.run { () throws(StateError) in
                guard ftruncate(fd, 0) == 0 else {
                    throw .io(
                        path: self.lockPath, operation: "write the lock", reason: String(cString: strerror(errno)))
                }
                _ = lseek(fd, 0, SEEK_SET)
                try FileIO.writeAll(fd, Array(record.utf8), path: self.lockPath)
                try FileIO.sync(fd, path: self.lockPath)
            }
            await FaultInjection.pause("after-lock")
            let (lock, loaded) = try await Blocking.run { () throws(StateError) in
                let (loaded, journal) = try self.readWithJournal()
                let lock = try LocalStateLock(
                    backend: self, fd: fd, info: info, warnings: warnings, loaded: loaded, journal: journal)
                return (lock, loaded)
            }
            return (lock, loaded)
        } catch {
            _ = flock(fd, LOCK_UN)
            close(fd)
            throw error
        }
    }

    /// The bytes a snapshot is written as: the state's text (`State.fileText`), gzip-compressed when `statePath`
    /// ends in `.gz`.
    public func encoded(_ state: State) -> [UInt8] {
        compressed ? Gzip.compress(Array(state.fileText.utf8)) : Array(state.fileText.utf8)
    }

    static func lockRecord(_ info: LockInfo) -> String {
        var record: [String: JSONValue] = [
            "id": .string(info.id), "pid": .int(Int64(info.pid)), "host": .string(info.host),
            "user": .string(info.user),
            "operation": .string(info.operation), "created": .string(info.created),
        ]
        if let ciRun = info.ciRun { record["ciRun"] = .string(ciRun) }
        return JSONValue.object(record).prettyJSON
    }

    /// The holder record in the lock file, if any.
    func readLockInfo() -> LockInfo? {
        guard let data = try? FileIO.read(lockPath), !data.isEmpty,
            let value = try? JSONParser.parse(data), let id = value["id"]?.stringValue
        else { return nil }
        return LockInfo(
            id: id, pid: Int32(truncatingIfNeeded: value["pid"]?.intValue ?? 0),
            host: value["host"]?.stringValue ?? "?",
            user: value["user"]?.stringValue ?? "?", operation: value["operation"]?.stringValue ?? "?",
            created: value["created"]?.stringValue ?? "?", ciRun: value["ciRun"]?.stringValue)
    }

    public func forceUnlock(id: String) async throws(StateError) -> LockInfo {
        try await Blocking.run { () throws(StateError) in try self.breakLock(id: id) }
    }

    private func breakLock(id: String) throws(StateError) -> LockInfo {
        guard let current = readLockInfo() else { throw .lockMismatch(given: id, current: nil) }
        guard current.id == id else { throw .lockMismatch(given: id, current: current) }
        let fd = open(lockPath, O_RDWR | O_CLOEXEC)
        if fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 {
            // Nobody holds it: the record is stale. Clear it.
            _ = ftruncate(fd, 0)
            _ = flock(fd, LOCK_UN)
            close(fd)
            return current
        }
        if fd >= 0 { close(fd) }
        if current.host == FileIO.hostName() && FileIO.processIsAlive(current.pid) {
            throw .lockHeldByLiveProcess(current)
        }
        // Held from another host (a shared file system): remove the file so that the next apply starts afresh.
        unlink(lockPath)
        return current
    }
}
