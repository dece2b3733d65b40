import AsyncHTTPClient
import Foundation
import MediaformCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Asks each source whether the API will be able to fetch it (`--check-sources`): a `HEAD`, or a one-byte ranged
/// `GET` when the server refuses `HEAD` (403, 405, 501: a URL signed for GET only answers 403 to HEAD), following up
/// to `SourceCheck.maxRedirects` redirects, with a timeout per request, at most `limit` requests at once and
/// `perHost` per host. The body is never read.
///
/// A client of its own (not the API's pool): redirects are followed here, to count them and to resolve them
/// against the URL they came from.
public final class SourceProber: Sendable {
    private let client: HTTPClient
    private let timeout: Double
    private let limit: Int
    private let perHost: Int

    /// - Parameters:
    ///   - timeout: seconds for each request, connection included.
    public init(timeout: Double = 10, limit: Int = 16, perHost: Int = 4) {
        var configuration = HTTPClient.Configuration(
            certificateVerification: .fullVerification, redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(min(timeout, 5) * 1000))), ignoreUncleanSSLShutdown: false)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, perHost)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        self.timeout = timeout
        self.limit = max(1, limit)
        self.perHost = max(1, perHost)
    }

    /// Closes the connections.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Probes every URL (duplicates once); `progress` gets the count done and the total.
    public func probe(_ urls: [String], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async
        -> [String: SourceProbe]
    {
        let unique = Array(Set(urls)).sorted()
        let gate = HostGate(perHost: perHost)
        let done = Mutex(0)
        let results: [(String, SourceProbe)] =
            (try? await boundedConcurrentMap(unique, limit: limit, stop: StopFlag()) {
                (url: String) async -> (String, SourceProbe) in
                let host = URL(string: url)?.host?.lowercased() ?? ""
                await gate.enter(host)
                let result = await self.probe(url)
                await gate.leave(host)
                progress(
                    done.withLock {
                        $0 += 1; return $0
                    }, unique.count)
                return (url, result)
            }) ?? []
        return Dictionary(results, uniquingKeysWith: { first, _ in first })
    }

    /// One source: HEAD, then the ranged GET when HEAD is refused.
    public func probe(_ url: String) async -> SourceProbe {
        let head = await follow(url, method: "HEAD")
        if case .answered(let status, _, _) = head.outcome, [403, 405, 501].contains(status) {
            return await follow(url, method: "GET")
        }
        return head
    }

    /// Sends `method` to `url`, following redirects.
    private func follow(_ start: String, method: String) async -> SourceProbe {
        var url = start
        for redirects in 0...SourceCheck.maxRedirects {
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            if method == "GET" { request.headers.add(name: "Range", value: "bytes=0-0") }
            request.headers.add(name: "User-Agent", value: "mediaform-source-check")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: .now() + .milliseconds(Int64(timeout * 1000)))
            } catch {
                return SourceProbe(
                    outcome: .unreachable(Self.reason(error, timeout: timeout)), method: method, redirects: redirects)
            }
            let status = Int(response.status.code)
            // Never read the body: a server that ignores Range would send the whole media.
            Self.discard(response)
            if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location"),
                let next = URL(string: location, relativeTo: URL(string: url))?.absoluteURL.absoluteString
            {
                url = next
                continue
            }
            let type = response.headers.first(name: "content-type")
            var length = response.headers.first(name: "content-length").flatMap { Int64($0) }
            if status == 206, let range = response.headers.first(name: "content-range"),
                let total = range.split(separator: "/").last.flatMap({ Int64($0) })
            {
                length = total
            } else if status == 206 {
                length = nil  // The total is unknown ("*"): not compared.
            }
            return SourceProbe(
                outcome: .answered(status: status == 206 ? 200 : status, contentType: type, length: length),
                method: method, redirects: redirects)
        }
        return SourceProbe(outcome: .tooManyRedirects, method: method, redirects: SourceCheck.maxRedirects)
    }

    /// Lets go of a response without reading its body (the connection is closed rather than drained).
    private static func discard(_ response: HTTPClientResponse) {
        Task { for try await _ in response.body { break } }
    }

    /// Words for a failure, without the URL.
    static func reason(_ error: any Error, timeout: Double) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded, .readTimeout: return "no answer within \(Int(timeout)) s"
            case .invalidURL, .emptyHost, .emptyScheme: return "not a valid URL"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        }
        if error is NIOSSLError { return "TLS failed: \(error)" }
        if let error = error as? NIOConnectionError {
            if error.dnsAAAAError != nil || error.dnsAError != nil, error.connectionErrors.isEmpty {
                return "the host name does not resolve"
            }
            return "connection refused or unreachable"
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return "connection refused" }
        return "\(error)"
    }
}

/// At most `perHost` requests at once to one host.
actor HostGate {
    private let perHost: Int
    private var inFlight: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(perHost: Int) { self.perHost = perHost }

    func enter(_ host: String) async {
        if inFlight[host, default: 0] < perHost {
            inFlight[host, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[host, default: []].append($0) }
    }

    func leave(_ host: String) {
        if var queue = waiting[host], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[host] = queue
            next.resume()  // The slot passes to the next waiter.
        } else {
            inFlight[host, default: 1] -= 1
        }
    }
}
