import Synchronization

/// A flag set by the first Ctrl-C: no new call is dispatched; calls in flight finish and are recorded.
public final class StopFlag: Sendable {
    private let value = Mutex(false)
    public init() {}
    public var isSet: Bool { value.withLock { $0 } }
    public func set() { value.withLock { $0 = true } }
}
