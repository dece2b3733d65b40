import Foundation

/// Exponential backoff with full jitter, capped; `x-acs-retry-after` wins when the server sends it.
///
/// The defaults start where the official SDK's retry policy does (100 ms, throttled 1 s; docs/ims-api.md §6.3):
/// every attempt is paced by the shared rate anyway (`RateLimiter`), so a quick first retry cannot flood the API,
/// while a slow one was the tail of a run whose last call met a 5xx. Eight attempts keep a budget of 12.7 s of
/// ceilings (0.1 + 0.2 + … + 6.4 s; half that on average with the jitter) for an API that is briefly unavailable,
/// where five from 0.5 s kept 7.5 s.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var throttledBaseDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.1, throttledBaseDelay: Double = 1, maxDelay: Double = 20) {
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
