import Foundation

/// Time for the client: `now` and `sleep`, injected so that tests of retries and rate limits do not sleep.
public protocol APIClock: Sendable {
    /// Seconds on a monotonic scale.
    func now() -> Double
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemClock: APIClock {
    public init() {}

    public func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }
}
