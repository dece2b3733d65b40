import Foundation

/// An HTTP exchange, as small as the client needs.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Seconds until the whole exchange times out.
    public var timeout: Double

    public init(
        method: String, url: String, headers: [(name: String, value: String)], body: Data? = nil, timeout: Double
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// How a request failed before a response arrived. The difference matters: `UploadMediaByURL` has no idempotency
/// token, so only a request that surely never reached the server may be sent again blindly.
public enum TransportError: Error, Sendable, Equatable {
    /// The request was surely not sent (connection refused, DNS failure, TLS handshake failure).
    case notSent(String)
    /// The request may have been sent and executed (timeout or connection lost after sending).
    case ambiguous(String)
}

/// Sends HTTP requests. The real one is `HTTPClientTransport`; tests may inject others.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
