import Foundation
import MediaformCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The `local` backend: a JSON state file, a backup of its previous version, and a work folder (`.mediaform/`)
/// holding the lock and the journal (design §4).
///
/// - The snapshot is replaced atomically (temporary file, fsync, rename, directory fsync); the previous version
///   is kept as `<state>.backup`.
/// - The lock is an `flock` on `.mediaform/<state>.lock`: taken atomically, released by the kernel when the
///   holder dies, so a killed apply never leaves the state locked. The file also records who holds it; a record
///   found with the lock free was left by a process that died, and is reported as such.
/// - The journal (`.mediaform/<state>.journal`) gets one JSON line per change, synced before the call returns.
public final class LocalStateBackend: StateBackend {
    public let statePath: String
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
        self.backupPath = statePath + ".backup"
        self.workDirectory = workDirectory
        let name = (statePath as NSString).lastPathComponent
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

    public func read() throws(StateError) -> LoadedState {
        try readWithJournal().loaded
    }

    /// The state with the journal folded in, and the journal as read (the lock needs its end).
    func readWithJournal() throws(StateError) -> (loaded: LoadedState, journal: JournalContents) {
        var warnings: [String] = []
        let snapshot = try FileIO.read(statePath)
        var state: State
        if let snapshot {
            do {
                state = try State.decode(snapshot, file: statePath)
            } catch {
                throw .corrupt(error)
            }
        } else {
            if FileManager.default.fileExists(atPath: backupPath) {
                throw .missingWithBackup(path: statePath, backup: backupPath)
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

    public func lock(operation: String, timeout: Double) throws(StateError) -> (
        lock: any StateLock, loaded: LoadedState
    ) {
        try FileIO.makeDirectory(workDirectory)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { throw .io(path: lockPath, operation: "open the lock", reason: String(cString: strerror(errno))) }
        let start = Date()
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let waited = Date().timeIntervalSince(start)
            if waited >= timeout {
                let holder = readLockInfo()
                close(fd)
                throw .locked(holder, waited: waited)
            }
            usleep(UInt32(min(0.2, max(0.01, timeout - waited)) * 1_000_000))
        }
        // We hold the lock. A holder record still present means the previous holder died without releasing.
        var warnings: [String] = []
        if let stale = readLockInfo() {
            let fate =
                stale.host == FileIO.hostName() && !FileIO.processIsAlive(stale.pid)
                ? "no longer runs" : "did not release it"
            warnings.append("took over a lock left by \(stale.summary); that process \(fate)")
        }
        let info = LockInfo.forThisProcess(operation: operation, created: clock())
        let record = Self.lockRecord(info)
        do throws(StateError) {
            guard ftruncate(fd, 0) == 0 else {
                throw .io(path: lockPath, operation: "write the lock", reason: String(cString: strerror(errno)))
            }
            _ = lseek(fd, 0, SEEK_SET)
            try FileIO.writeAll(fd, Array(record.utf8), path: lockPath)
            try FileIO.sync(fd, path: lockPath)
            FaultInjection.pause("after-lock")
            let (loaded, journal) = try readWithJournal()
            let lock = try LocalStateLock(
                backend: self, fd: fd, info: info, warnings: warnings, loaded: loaded, journal: journal)
            return (lock, loaded)
        } catch {
            _ = flock(fd, LOCK_UN)
            close(fd)
            throw error
        }
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

    public func forceUnlock(id: String) throws(StateError) -> LockInfo {
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

/// A held local lock: journal appends and snapshot writes happen through it.
final class LocalStateLock: StateLock {
    let backend: LocalStateBackend
    let info: LockInfo
    let warnings: [String]
    private let state: Mutex<(fd: Int32, journal: Int32, nextSequence: Int, released: Bool)>

    init(
        backend: LocalStateBackend, fd: Int32, info: LockInfo, warnings: [String], loaded: LoadedState,
        journal: JournalContents
    ) throws(StateError) {
        self.backend = backend
        self.info = info
        self.warnings = warnings
        // Find the next sequence number, and cut a torn last line so that new records start on a line of their own.
        let last = max(loaded.state.journalSequence, journal.records.last?.sequence ?? 0)
        if journal.tornLine != nil {
            let text = journal.records.map { $0.line + "\n" }.joined()
            try FileIO.writeAtomically(backend.journalPath, Array(text.utf8))
        }
        let jfd = open(backend.journalPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        if jfd < 0 { throw .io(path: backend.journalPath, operation: "open", reason: String(cString: strerror(errno))) }
        self.state = Mutex((fd, jfd, last + 1, false))
    }

    deinit { release() }

    func append(_ entries: [JournalEntry]) throws(StateError) {
        guard !entries.isEmpty else { return }
        let now = backend.clock()
        let result: StateError? = state.withLock { s in
            var text = ""
            for entry in entries {
                text += JournalRecord(sequence: s.nextSequence, time: now, entry: entry).line + "\n"
                s.nextSequence += 1
            }
            do throws(StateError) {
                try FileIO.writeAll(s.journal, Array(text.utf8), path: backend.journalPath)
                try FileIO.sync(s.journal, path: backend.journalPath)
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

    /// Replaces the snapshot with `written` and trims the journal to `unresolved`.
    @discardableResult
    private func write(_ newState: State, unresolved: [Intent]) throws(StateError) -> State {
        var written = newState
        let result: Result<State, StateError> = state.withLock { s in
            do throws(StateError) {
                written.journalSequence = JournalRecord.snapshotSequence(
                    written.journalSequence, nextSequence: s.nextSequence, keeping: unresolved.count)
                s.nextSequence = written.journalSequence + 1
                // Keep the previous version as the backup, then replace the state.
                if let previous = try FileIO.read(backend.statePath) {
                    try FileIO.writeAtomically(backend.backupPath, previous)
                }
                try FileIO.writeAtomically(backend.statePath, Array(written.fileText.utf8)) {
                    FaultInjection.hit("state-before-rename")
                }
                // Trim the journal to the intents still open; they keep their sequence numbers.
                let keep = JournalRecord.retaining(unresolved, through: written.journalSequence, time: backend.clock())
                    .map { $0.line + "\n" }.joined()
                FaultInjection.hit("state-before-journal-trim")
                try FileIO.writeAtomically(backend.journalPath, Array(keep.utf8))
                close(s.journal)
                s.journal = open(backend.journalPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
                return .success(written)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func release() {
        state.withLock { s in
            guard !s.released else { return }
            s.released = true
            close(s.journal)
            // Clear the holder record first, so that a record left behind always means a holder that died.
            _ = ftruncate(s.fd, 0)
            _ = flock(s.fd, LOCK_UN)
            close(s.fd)
        }
    }
}

/// ISO 8601 timestamps in UTC, second precision (`2026-11-25T10:41:00Z`).
public enum Timestamps {
    public static let now: @Sendable () -> String = { Date().formatted(.iso8601) }
}

/// Test-only crash points: `MEDIAFORM_FAULT=<point>` kills the process with SIGKILL when it reaches `<point>`,
/// so that tests can prove what a crash at that moment leaves behind. Unset in normal use.
/// `MEDIAFORM_PAUSE=<point>:<seconds>` sleeps at `<point>` (to hold a lock while another process tries it).
public enum FaultInjection {
    static let point = ProcessInfo.processInfo.environment["MEDIAFORM_FAULT"]
    static let pausePoint = ProcessInfo.processInfo.environment["MEDIAFORM_PAUSE"]

    public static func hit(_ name: String) {
        if point == name { kill(getpid(), SIGKILL) }
    }

    public static func pause(_ name: String) {
        guard let pausePoint, pausePoint.hasPrefix(name + ":"),
            let seconds = Double(pausePoint.dropFirst(name.count + 1))
        else { return }
        FileHandle.standardError.write(Data("paused at \(name) for \(seconds) s (MEDIAFORM_PAUSE)\n".utf8))
        usleep(UInt32(seconds * 1_000_000))
    }
}
