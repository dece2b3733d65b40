import Foundation
import MediaformCore

/// The state as read by a backend: the snapshot with the journal folded in.
public struct LoadedState: Sendable {
    public var state: State
    /// Calls that were started and never resolved (an interrupted apply); apply resolves them before anything else.
    public var unresolved: [Intent]
    /// Things the user should know (a torn journal line, a lock left by a dead process).
    public var warnings: [String]
    /// False when no state exists yet.
    public var exists: Bool

    public init(state: State, unresolved: [Intent] = [], warnings: [String] = [], exists: Bool) {
        self.state = state
        self.unresolved = unresolved
        self.warnings = warnings
        self.exists = exists
    }
}

/// Who holds a state lock.
public struct LockInfo: Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var host: String
    public var user: String
    public var operation: String
    /// ISO 8601.
    public var created: String
    /// The CI run holding the lock, when the environment tells (a URL or a run ID).
    public var ciRun: String?

    public init(
        id: String, pid: Int32, host: String, user: String, operation: String, created: String, ciRun: String? = nil
    ) {
        self.id = id
        self.pid = pid
        self.host = host
        self.user = user
        self.operation = operation
        self.created = created
        self.ciRun = ciRun
    }

    /// A new holder record for this process.
    public static func forThisProcess(operation: String, created: String) -> LockInfo {
        LockInfo(
            id: UUID().uuidString.lowercased(), pid: getpid(), host: FileIO.hostName(), user: FileIO.userName(),
            operation: operation, created: created, ciRun: CIRun.current())
    }

    /// "apply by alice@ci-runner-3 (pid 4242) since 2026-11-25T10:00:00Z in CI run https://…, lock ID 1f2e…".
    public var summary: String {
        let run = ciRun.map { " in CI run \($0)" } ?? ""
        return "\(operation) by \(user)@\(host) (pid \(pid)) since \(created)\(run), lock ID \(id)"
    }
}

/// Identifies the CI run a process belongs to, from the variables the common CI systems set.
public enum CIRun {
    public static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let server = value("GITHUB_SERVER_URL"), let repository = value("GITHUB_REPOSITORY"),
            let run = value("GITHUB_RUN_ID")
        {
            return "\(server)/\(repository)/actions/runs/\(run)"
        }
        for name in ["CI_JOB_URL", "BUILD_URL", "CIRCLE_BUILD_URL", "BUILDKITE_BUILD_URL"] {
            if let url = value(name) { return url }
        }
        return value("MEDIAFORM_CI_RUN")
    }
}

/// Errors of the state layer.
public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state, journal or backup is not what mediaform wrote; nothing is overwritten.
    case corrupt(StateFormatError)
    /// Another process holds the lock.
    case locked(LockInfo?, waited: Double)
    /// `force-unlock` was given an ID that is not the current lock's.
    case lockMismatch(given: String, current: LockInfo?)
    /// The lock is held by a live process on this host; `force-unlock` refuses to break it.
    case lockHeldByLiveProcess(LockInfo)
    /// A file operation failed.
    case io(path: String, operation: String, reason: String)
    /// The state file is gone but its backup is not: refusing to start from an empty state.
    case missingWithBackup(path: String, backup: String)
    /// The backend's storage failed or refused (a database that cannot be reached, a query that failed).
    case backend(String)

    public var description: String {
        switch self {
        case .corrupt(let e):
            return
                "\(e)\nThe state is left as it is. Repair the file (a backup of the previous version is kept next to it as *.backup), or restore it from version control."
        case .locked(let info, let waited):
            let holder = info.map { "held by \($0.summary)" } ?? "held by another process"
            let wait = waited >= 0.5 ? " after waiting \(Int(waited.rounded())) s" : ""
            return
                "the state is locked\(wait): \(holder). Wait for it to finish (--lock-timeout waits), or, if that process is gone for good, run 'mediaform force-unlock \(info?.id ?? "<ID>")'"
        case .lockMismatch(let given, let current):
            if let current { return "lock ID '\(given)' does not match the current lock (\(current.summary))" }
            return "the state is not locked (no lock ID '\(given)')"
        case .lockHeldByLiveProcess(let info):
            return
                "the lock is held by a running process: \(info.summary). Stop that process instead of breaking its lock"
        case .io(let path, let operation, let reason):
            return "cannot \(operation) \(path): \(reason)"
        case .missingWithBackup(let path, let backup):
            return
                "the state file \(path) is missing but its backup \(backup) exists; restore the backup (mv \(backup) \(path)) or, to really start from an empty state, remove the backup"
        case .backend(let message):
            return message
        }
    }
}

/// Where state lives (design §4). A backend gives the same guarantees whatever the storage: atomic snapshots,
/// a journal written before and after each call, a lock with holder information.
public protocol StateBackend: Sendable {
    /// A human name for messages ("mediaform.state.json").
    var name: String { get }

    /// Reads the snapshot and folds the journal into it. Never modifies anything.
    func read() throws(StateError) -> LoadedState

    /// Takes the lock for `operation`, waiting up to `timeout` seconds, then reads the state under it.
    func lock(operation: String, timeout: Double) throws(StateError) -> (lock: any StateLock, loaded: LoadedState)

    /// Removes a lock left behind, if its ID is `id`.
    func forceUnlock(id: String) throws(StateError) -> LockInfo
}

/// A held lock, with the journal and snapshot writes that need it.
public protocol StateLock: AnyObject, Sendable {
    var info: LockInfo { get }
    /// Notes from taking the lock (a lock left by a dead process that was taken over).
    var warnings: [String] { get }
    /// Appends entries to the journal, each synced to disk before this returns.
    func append(_ entries: [JournalEntry]) throws(StateError)
    /// Writes `state` as the new snapshot (serial + 1, atomically, previous version kept as a backup) and trims
    /// the journal to the intents still unresolved. Returns the state as written.
    @discardableResult
    func writeSnapshot(_ state: State, unresolved: [Intent]) throws(StateError) -> State
    /// Writes `state` exactly as given (same lineage, serial and generator) with `unresolved` as the journal: the
    /// copy made by `state migrate`, into a backend that holds no state yet.
    func writeCopy(_ state: State, unresolved: [Intent]) throws(StateError)
    /// Releases the lock (also released if the process dies).
    func release()
}
