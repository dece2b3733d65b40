import MediaformCore

/// Options of one apply run.
public struct ApplyOptions: Sendable {
    /// Stop dispatching new calls after the first failed asset.
    public var failFast: Bool
    /// Seconds between polls while waiting for jobs.
    public var pollInterval: Double
    /// Calls dispatched at once (the client's own limit should be the same): a stop request takes effect after
    /// at most this many calls in flight.
    public var parallelism: Int

    public init(failFast: Bool = false, pollInterval: Double = 1, parallelism: Int = Project.Limits.defaultParallelism)
    {
        self.failFast = failFast
        self.pollInterval = pollInterval
        self.parallelism = max(1, parallelism)
    }
}

/// Something that happened during apply, for progress output (one JSON event per transition under
/// `--format json`).
public enum ApplyEvent: Sendable {
    case submitted(key: String, jobId: String, mediaId: String?)
    /// An `oss://` source was registered in place: its media exists at once.
    case registered(key: String, mediaId: String)
    case updated(key: String)
    /// A renamed asset's record moved from one key to another.
    case moved(from: String, to: String)
    case deleted(key: String)
    case forgotten(key: String)
    case failed(key: String, code: String, message: String)
    case jobEnded(key: String, status: AssetStatus, code: String?, message: String?)
    case adopted(key: String, jobId: String)
    /// A category of the project's tree was created, adopted (IMS had it), renamed back or deleted.
    case category(path: String, action: String, id: Int64)
    case note(String)
}

/// A failed asset in the end report.
public struct AssetFailure: Sendable, Equatable {
    public var key: String
    public var code: String
    public var message: String

    public init(key: String, code: String, message: String) {
        self.key = key
        self.code = code
        self.message = message
    }
}

/// What an apply run did.
public struct ApplyReport: Sendable {
    public var submitted = 0
    public var updated = 0
    /// Records moved to a renamed key.
    public var moved = 0
    public var deleted = 0
    public var forgotten = 0
    public var adopted = 0
    /// Category calls made (creates, renames, deletes) and categories adopted from the library.
    public var categoriesChanged = 0
    public var failures: [AssetFailure] = []
    /// Calls whose outcome could not be established; they are resolved at the start of the next apply.
    public var unresolved = 0
    public var interrupted = false
    /// Jobs still running when apply returned.
    public var running = 0
    public var ready = 0

    public init() {}
}
