import MediaformCore

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
    /// The state exists both as `path` and in the other form (`.gz` or not), and `path` is not the newer one.
    case twoStates(path: String, other: String)
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
        case .twoStates(let path, let other):
            return
                "both \(path) (the state.path in mediaform.yaml) and \(other) exist, and \(other) is not an older version of the same state; keep the right one under the name state.path gives (a name ending in .gz is written compressed) and move the other away"
        case .backend(let message):
            return message
        }
    }
}
