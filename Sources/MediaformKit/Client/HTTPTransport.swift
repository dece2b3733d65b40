import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

/// Sends HTTP requests. The real one is `URLSessionTransport`; tests may inject others.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}

/// FoundationNetworking's URLSession behind `HTTPTransport` (design §9: no build cost, far above any API rate).
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    /// - Parameters:
    ///   - connectTimeout: seconds to establish a connection (the SDK's default is 5).
    public init(connectTimeout: Double = 5) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = connectTimeout
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        guard let url = URL(string: request.url) else { throw .notSent("invalid URL") }
        var urlRequest = URLRequest(url: url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers where name.lowercased() != "host" {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        urlRequest.httpBody = request.body
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw TransportError.ambiguous("not an HTTP response")
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        } catch let error as TransportError {
            throw error
        } catch let error as URLError {
            throw Self.classify(error)
        } catch {
            throw .ambiguous(String(describing: type(of: error)))
        }
    }

    /// Connection-level failures before anything was written are safe; the rest may have reached the server.
    static func classify(_ error: URLError) -> TransportError {
        switch error.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .badURL, .unsupportedURL,
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .appTransportSecurityRequiresSecureConnection:
            return .notSent("\(error.code) (\(error.code.rawValue))")
        default:
            return .ambiguous("\(error.code) (\(error.code.rawValue))")
        }
    }
}
