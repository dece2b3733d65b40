import Foundation
import MediaformCore

/// Where and how to call IMS.
public struct ClientConfiguration: Sendable {
    /// `scheme://host[:port]`, no path.
    public var endpoint: String
    public var signatureVersion: SignatureVersion
    /// Seconds for a whole exchange once connected (the SDK's read timeout is 10 s).
    public var readTimeout: Double
    public var retry: RetryPolicy
    public var userAgent: String

    public init(
        endpoint: String, signatureVersion: SignatureVersion = .v3, readTimeout: Double = 10,
        retry: RetryPolicy = RetryPolicy(),
        userAgent: String = ClientConfiguration.defaultUserAgent
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.signatureVersion = signatureVersion
        self.readTimeout = readTimeout
        self.retry = retry
        self.userAgent = userAgent
    }

    public static let defaultUserAgent = "mediaform/\(MediaformKit.version) (Linux; Swift)"

    /// `https://ice.<region>.aliyuncs.com` (built explicitly: the SDK's endpoint map sends most regions to a
    /// central host, docs/ims-api.md §1.1).
    public static func regionalEndpoint(region: String) -> String { "https://ice.\(region).aliyuncs.com" }

    /// The endpoint from a URL: https anywhere, plain http only on loopback (the rule of `EndpointRules`).
    public static func endpoint(fromURL url: String) throws(APIError) -> String {
        if let problem = EndpointRules.problem(with: url) {
            throw .invalidResponse(status: 0, detail: "endpoint \(problem)")
        }
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(url[..<schemeEnd.upperBound]) + authority
    }

    /// The `host` header: the endpoint's host and port.
    var host: String {
        guard let schemeEnd = endpoint.range(of: "://") else { return endpoint }
        return String(endpoint[schemeEnd.upperBound...])
    }
}
