import Foundation
import MediaformCore
import Synchronization

/// The IMS API client: signs every attempt afresh, paces calls evenly under a shared rate (`RateLimiter`) and a
/// concurrency limit, and retries only what surely had no effect (docs/ims-api.md §6). An ambiguous failure of a non-idempotent
/// call (`UploadMediaByURL`) is returned to the caller, which looks the upload up before deciding anything.
public final class IMSClient: Sendable {
    public let configuration: ClientConfiguration
    let credentials: any CredentialProvider
    let transport: any HTTPTransport
    let clock: any APIClock
    /// The shared pacing (public for its margin, which throttling answers widen).
    public let rateLimiter: RateLimiter
    let concurrency: ConcurrencyLimiter
    let random: @Sendable () -> Double
    let timestamp: @Sendable () -> String
    private let counters = Mutex(ClientStatistics())

    /// - Parameters:
    ///   - requestsPerSecond: the shared rate (`limits.requestsPerSecond`, `--rate`).
    ///   - parallelism: calls in flight at once.
    ///   - random: uniform in [0, 1), for backoff jitter (injected for tests).
    ///   - timestamp: the request time, `yyyy-MM-ddTHH:mm:ssZ` (injected for tests).
    public init(
        configuration: ClientConfiguration, credentials: any CredentialProvider,
        transport: any HTTPTransport = HTTPClientTransport.shared,
        clock: any APIClock = SystemClock(), requestsPerSecond: Double = Project.Limits.defaultRequestsPerSecond,
        parallelism: Int = Project.Limits.defaultParallelism,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        timestamp: @escaping @Sendable () -> String = Timestamps.now
    ) {
        self.configuration = configuration
        self.credentials = credentials
        self.transport = transport
        self.clock = clock
        self.rateLimiter = RateLimiter(rate: requestsPerSecond, clock: clock)
        self.concurrency = ConcurrencyLimiter(limit: parallelism)
        self.random = random
        self.timestamp = timestamp
    }

    public var statistics: ClientStatistics { counters.withLock { $0 } }

    /// Calls an action and returns its JSON body.
    /// - Parameter idempotent: whether an ambiguous failure may be retried (false for `UploadMediaByURL`).
    public func call(_ action: String, _ parameters: [(name: String, value: String)], idempotent: Bool)
        async throws(APIError) -> JSONValue
    {
        var attempt = 1
        var resigned = false, refreshed = false
        while true {
            if Task.isCancelled { throw .cancelled }
            let error: APIError
            do {
                let value = try await attemptOnce(action, parameters)
                await rateLimiter.answered()
                return value
            } catch let e {
                error = e
            }
            counters.withLock { c in
                if case .service(let s) = error {
                    if s.code.hasPrefix("Throttling") { c.throttled += 1 }
                    if s.httpStatus >= 500 { c.serverErrors += 1 }
                }
            }
            if case .service(let s) = error, s.code.hasPrefix("Throttling") { await rateLimiter.throttled() }
            switch error.errorClass {
            case .resign where !resigned:
                resigned = true
                counters.withLock { $0.resigned += 1 }
                continue
            case .refreshCredentials where !refreshed:
                refreshed = true
                await credentials.invalidate()
                continue
            case .retryable where attempt < configuration.retry.maxAttempts,
                .ambiguous where idempotent && attempt < configuration.retry.maxAttempts:
                let delay = configuration.retry.delay(afterAttempt: attempt, error: error, random: random())
                counters.withLock { $0.retries += 1 }
                do { try await clock.sleep(seconds: delay) } catch { throw .cancelled }
                attempt += 1
            default:
                throw error
            }
        }
    }

    private func attemptOnce(_ action: String, _ parameters: [(name: String, value: String)]) async throws(APIError)
        -> JSONValue
    {
        let resolved: ResolvedCredentials
        do { resolved = try await credentials.credentials() } catch { throw .credentials(error) }
        await concurrency.acquire()
        let result: Result<HTTPResponse, APIError>
        do {
            try await rateLimiter.acquire()
            // A fresh timestamp and nonce for every attempt (docs/ims-api.md §6.3).
            let request = RequestSigner.sign(
                action: action, parameters: parameters, endpoint: configuration.endpoint, host: configuration.host,
                credentials: resolved.key, timestamp: timestamp(), nonce: Self.nonce(),
                userAgent: configuration.userAgent,
                version: configuration.signatureVersion)
            counters.withLock { $0.requests += 1 }
            do {
                result = .success(
                    try await transport.send(
                        HTTPRequest(
                            method: request.method, url: request.url, headers: request.headers,
                            timeout: configuration.readTimeout)))
            } catch {
                result = .failure(.transport(error))
            }
        } catch {
            result = .failure(.cancelled)
        }
        await concurrency.release()
        let response = try result.get()
        guard (200..<300).contains(response.status) else { throw APIError.fromResponse(response) }
        guard let value = try? JSONParser.parse(response.body) else {
            throw .invalidResponse(status: response.status, detail: "the body is not JSON")
        }
        return value
    }

    /// 32 random hex digits.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Digest.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
