import Foundation

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
