import Foundation

/// The request rate shared by every concurrent call of a run: sends are spaced evenly, never more than `rate` in
/// any one second, and waiters are served in order.
///
/// Why evenly and a little under the rate: the API's limiter is not documented (docs/ims-api.md §6.4). Even spacing
/// is accepted by every kind of limiter (a per-second window, a sliding window, a token bucket of any size), where a
/// burst is refused by a bucket that allows none. But spacing of exactly `1/rate` puts the 21st request of a
/// 20-per-second limit exactly one second after the 1st, and a request delayed on its way by a millisecond more than
/// the other falls in the same window and is refused: each refusal costs a slot and a backoff, and at the end of a
/// run the backoff is the run's tail. So the spacing keeps a margin (`margin`, 1 %: ten milliseconds a second), and
/// each throttling answer widens it by `slowdownStep` up to `maxMargin`: a rate set above the account's limit
/// settles just under it instead of being refused all run long. Each successful answer narrows it again by a
/// fiftieth of a step, down to `margin` as given: throttling caused by another client of the same
/// account, for a while, does not slow the rest of a long run for good.
public actor RateLimiter {
    public let rate: Double
    public let burst: Double
    /// The share by which the spacing exceeds `1/rate`, widened by throttling answers.
    public private(set) var margin: Double
    /// The margin as given: the narrowest it becomes again.
    public let baseMargin: Double
    public let slowdownStep: Double
    public let maxMargin: Double
    private let clock: any APIClock
    private var tokens: Double
    private var last: Double
    /// The time the next token is promised to the last waiter: reservations make waiting fair and exact.
    private var nextFree: Double

    public init(
        rate: Double, burst: Double = 1, margin: Double = 0.01, slowdownStep: Double = 0.02, maxMargin: Double = 0.25,
        clock: any APIClock
    ) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
        self.margin = max(margin, 0)
        self.baseMargin = max(margin, 0)
        self.slowdownStep = max(slowdownStep, 0)
        self.maxMargin = max(maxMargin, margin)
        self.clock = clock
        self.tokens = max(burst, 1)
        self.last = clock.now()
        self.nextFree = self.last
    }

    /// Requests per second as paced: `rate` less the margin.
    public var pacedRate: Double { rate / (1 + margin) }

    /// Waits until the caller may send one request.
    public func acquire() async throws {
        let paced = pacedRate
        let now = clock.now()
        tokens = min(burst, tokens + (now - last) * paced)
        last = now
        if tokens >= 1 && nextFree <= now {
            tokens -= 1
            return
        }
        // Reserve the next slot, then sleep until it.
        let slot = max(nextFree, now + (1 - tokens) / paced)
        nextFree = slot + 1 / paced
        tokens = min(tokens, 0)
        let wait = slot - now
        try await clock.sleep(seconds: wait)
        last = max(last, clock.now())
    }

    /// The server answered a throttling error: space the following requests a little wider.
    public func throttled() {
        margin = min(maxMargin, margin + slowdownStep)
    }

    /// The server answered a call successfully: narrow the spacing a little, back towards `baseMargin`.
    public func answered() {
        guard margin > baseMargin else { return }
        margin = max(baseMargin, margin - slowdownStep / 50)
    }
}
