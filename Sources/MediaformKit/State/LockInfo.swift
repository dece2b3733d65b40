import Foundation

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
