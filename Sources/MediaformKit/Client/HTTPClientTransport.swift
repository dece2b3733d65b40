import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL

/// `HTTPTransport` over AsyncHTTPClient, on the NIO and NIOSSL that PostgresNIO already brings: no libcurl, a
/// connect timeout of its own, and one connection pool for the whole process.
///
/// Every failure is classified for the exactly-once logic: `notSent` only when the request surely never left
/// (no connection, no TLS session, an invalid URL), `ambiguous` otherwise. Connection attempts are not retried by
/// the pool (`retryConnectionEstablishment = false`), so a refused connection fails at once as `notSent`, and the
/// client's own retry policy decides what happens next.
public final class HTTPClientTransport: HTTPTransport {
    /// The process's shared transport (connect timeout 5 s, as the official SDK's default). Shut down by the
    /// command when it ends.
    public static let shared = HTTPClientTransport()

    private let client: HTTPClient

    /// - Parameter connectTimeout: seconds to establish a connection (and its TLS session).
    public init(connectTimeout: Double = 5) {
        var configuration = HTTPClient.Configuration(
            certificateVerification: .fullVerification, redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000))), ignoreUncleanSSLShutdown: false)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Closes the pool's connections. Requests sent afterwards fail as `notSent`.
    public func shutdown() async {
        try? await client.shutdown()
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers where name.lowercased() != "host" {
            outgoing.headers.add(name: name, value: value)
        }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(data: body)) }
        let deadline = NIODeadline.now() + .milliseconds(Int64(request.timeout * 1000))
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            var headers: [String: String] = [:]
            for field in response.headers {
                let name = field.name.lowercased()
                headers[name] = headers[name].map { $0 + "," + field.value } ?? field.value
            }
            // The body shares the request's deadline; 64 MiB is far above any API answer.
            let body = try await response.body.collect(upTo: 64 << 20)
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(buffer: body))
        } catch {
            throw Self.classify(error)
        }
    }

    /// Failures before the request could be written are `notSent`; the rest may have reached the server.
    static func classify(_ error: any Error) -> TransportError {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout, .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown,
                .getConnectionFromPoolTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return .notSent("\(error)")
            default:
                return .ambiguous("\(error)")
            }
        }
        if error is NIOConnectionError { return .notSent("cannot connect (\(error))") }
        if let error = error as? ChannelError, case .connectTimeout = error { return .notSent("connect timeout") }
        if error is NIOSSLError { return .notSent("TLS handshake failed (\(error))") }
        if let error = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode) {
            return .notSent("cannot connect (\(error))")
        }
        return .ambiguous(String(describing: error))
    }
}
