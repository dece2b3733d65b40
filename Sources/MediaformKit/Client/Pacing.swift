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

/// A token bucket shared by every concurrent call of a run: at most `rate` requests per second on average, with
/// bursts up to `burst`. Waiters are served in order.
public actor RateLimiter {
    public let rate: Double
    public let burst: Double
    private let clock: any APIClock
    private var tokens: Double
    private var last: Double
    /// The time the next token is promised to the last waiter: reservations make waiting fair and exact.
    private var nextFree: Double

    public init(rate: Double, burst: Double = 1, clock: any APIClock) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
        self.clock = clock
        self.tokens = max(burst, 1)
        self.last = clock.now()
        self.nextFree = self.last
    }

    /// Waits until the caller may send one request.
    public func acquire() async throws {
        let now = clock.now()
        tokens = min(burst, tokens + (now - last) * rate)
        last = now
        if tokens >= 1 && nextFree <= now {
            tokens -= 1
            return
        }
        // Reserve the next slot, then sleep until it.
        let slot = max(nextFree, now + (1 - tokens) / rate)
        nextFree = slot + 1 / rate
        tokens = min(tokens, 0)
        let wait = slot - now
        try await clock.sleep(seconds: wait)
        last = max(last, clock.now())
    }
}

/// At most `limit` calls in flight.
public actor ConcurrencyLimiter {
    private let limit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// Exponential backoff with full jitter, capped; `x-acs-retry-after` wins when the server sends it.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var throttledBaseDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.5, throttledBaseDelay: Double = 1, maxDelay: Double = 20) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.throttledBaseDelay = throttledBaseDelay
        self.maxDelay = maxDelay
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1).
    /// - Parameter random: a uniform value in [0, 1) (injected for tests).
    public func delay(afterAttempt attempt: Int, error: APIError, random: Double) -> Double {
        if case .service(let e) = error, let after = e.retryAfter { return min(after, 120) }
        var base = baseDelay
        if case .service(let e) = error, e.code.hasPrefix("Throttling") { base = throttledBaseDelay }
        let ceiling = min(maxDelay, base * pow(2, Double(attempt - 1)))
        return ceiling * random
    }
}
